// SPDX-License-Identifier: GPL-2.0
/*
 * Run a kselftest program and judge its TAP output.
 *
 * Usage: ksft [--no-skip] PROG [ARG...]
 *   PROG       a program in /tests (built from the kernel tree's
 *              tools/testing/selftests)
 *   --no-skip  a test that skips is a failure: on a kernel that has what
 *              the test needs, a skip means a check did not run
 *
 * The program's output is passed through.  The result is a failure if it
 * exits with another status than 0 or KSFT_SKIP, prints a "not ok" line,
 * or, with --no-skip, an "ok ... # SKIP" line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib.h"

int main(int argc, char **argv)
{
	int no_skip = 0, fds[2], status, oks = 0, skips = 0;
	char path[256], line[1024];
	FILE *out;
	pid_t pid;

	test_init(argv[0]);
	if (argc > 1 && !strcmp(argv[1], "--no-skip")) {
		no_skip = 1;
		argv++;
		argc--;
	}
	if (argc < 2)
		tfatal("usage: ksft [--no-skip] PROG [ARG...]");
	snprintf(path, sizeof(path), "/tests/%s", argv[1]);
	if (pipe(fds))
		tfatal("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		tfatal("fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		execv(path, argv + 1);
		printf("ksft: exec %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	out = fdopen(fds[0], "r");
	while (fgets(line, sizeof(line), out)) {
		fputs(line, stdout);
		if (!strncmp(line, "not ok ", 7)) {
			tfail("%s: %.*s", argv[1], (int)strcspn(line, "\n"), line);
		} else if (!strncmp(line, "ok ", 3)) {
			oks++;
			if (strstr(line, "# SKIP")) {
				skips++;
				if (no_skip)
					tfail("%s skipped a test: %.*s", argv[1],
					      (int)strcspn(line, "\n"), line);
			}
		}
	}
	fclose(out);
	if (waitpid(pid, &status, 0) != pid)
		tfatal("waitpid: %s", strerror(errno));
	if (!WIFEXITED(status))
		tfail("%s killed by signal %d", argv[1], WTERMSIG(status));
	else if (WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != TEST_SKIP)
		tfail("%s exited with status %d", argv[1], WEXITSTATUS(status));
	check(oks > 0, "%s reported no test", argv[1]);
	tinfo("%s: %d tests, %d skipped", argv[1], oks, skips);
	test_done();
}
