// SPDX-License-Identifier: GPL-2.0
/*
 * /init of the test initramfs.
 *
 * Mounts the pseudo filesystems, tmpfs on /tmp and the ext4 disk (virtio,
 * /dev/vda) on /mnt/ext4, runs the tests listed in /tests/list and powers
 * the machine off.  Each line of the list is
 *
 *	NAME TIMEOUT_SECONDS [ARG...]
 *
 * and runs /tests/PROGRAM with the arguments in its own process group,
 * where PROGRAM is NAME up to its first ':' ("filemap:ext4" runs
 * /tests/filemap; argv[0] is the whole NAME).
 * Everything the host needs goes to the console as lines starting with
 * "RCUTEST ":
 *
 *	RCUTEST BEGIN <n>
 *	RCUTEST START <name>
 *	RCUTEST RESULT <name> PASS|FAIL|SKIP <seconds> [reason]
 *	RCUTEST END passed=<n> failed=<n> skipped=<n>
 *
 * "rcutest.only=NAME" on the kernel command line runs just that test.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TEST_SKIP 4

static void msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

static void do_mount(const char *src, const char *dir, const char *type,
		     const char *opts, int must)
{
	mkdir(dir, 0755);
	if (mount(src, dir, type, 0, opts) && must)
		msg("init: mount %s on %s: %s\n", type, dir, strerror(errno));
}

static void setup(void)
{
	int fd;

	do_mount("devtmpfs", "/dev", "devtmpfs", NULL, 1);
	fd = open("/dev/console", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	do_mount("proc", "/proc", "proc", NULL, 1);
	do_mount("sysfs", "/sys", "sysfs", NULL, 1);
	do_mount("debugfs", "/sys/kernel/debug", "debugfs", NULL, 1);
	do_mount("cgroup2", "/sys/fs/cgroup", "cgroup2", NULL, 1);
	do_mount("tmpfs", "/tmp", "tmpfs", "size=50%", 1);
	if (access("/dev/vda", F_OK) == 0)
		do_mount("/dev/vda", "/mnt/ext4", "ext4", NULL, 1);
	setenv("PATH", "/tests:/bin", 1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Value of key=... on the kernel command line, copied to buf, or NULL. */
static const char *cmdline_arg(const char *key, char *buf, size_t len)
{
	char line[4096], *tok, *save;
	FILE *f = fopen("/proc/cmdline", "r");
	size_t klen = strlen(key);
	const char *ret = NULL;

	if (!f)
		return NULL;
	if (fgets(line, sizeof(line), f)) {
		for (tok = strtok_r(line, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
			if (!strncmp(tok, key, klen) && tok[klen] == '=') {
				snprintf(buf, len, "%s", tok + klen + 1);
				ret = buf;
			}
		}
	}
	fclose(f);
	return ret;
}

/* Run one test; return 0 pass, 1 fail, 2 skip.  reason gets a text. */
static int run_test(char **argv, int timeout, char *reason, size_t rlen)
{
	char path[256];
	size_t plen = strcspn(argv[0], ":");
	double deadline = now() + timeout;
	int status;
	pid_t pid;

	snprintf(path, sizeof(path), "/tests/%.*s", (int)plen, argv[0]);
	pid = fork();
	if (pid < 0) {
		snprintf(reason, rlen, "fork: %s", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		setpgid(0, 0);
		chdir("/tmp");
		execv(path, argv);
		printf("init: exec %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		if (now() > deadline) {
			kill(-pid, SIGKILL);
			waitpid(pid, &status, 0);
			snprintf(reason, rlen, "timeout after %ds", timeout);
			return 1;
		}
		usleep(20000);
	}
	/* Leftover children of the test: kill them and reap everything. */
	kill(-pid, SIGKILL);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	if (WIFSIGNALED(status)) {
		snprintf(reason, rlen, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
		return 1;
	}
	switch (WEXITSTATUS(status)) {
	case 0:
		return 0;
	case TEST_SKIP:
		snprintf(reason, rlen, "skipped");
		return 2;
	case 127:
		snprintf(reason, rlen, "cannot run %.200s", path);
		return 1;
	default:
		snprintf(reason, rlen, "exit status %d", WEXITSTATUS(status));
		return 1;
	}
}

int main(void)
{
	static const char *const word[] = { "PASS", "FAIL", "SKIP" };
	int counts[3] = { 0 }, ntests = 0;
	char line[1024], only[128], scale_arg[16];
	const char *filter, *scale_s;
	int scale;
	FILE *list;

	setup();
	filter = cmdline_arg("rcutest.only", only, sizeof(only));
	/* rcutest.timeout_scale=N: N times every timeout (slow kernels). */
	scale_s = cmdline_arg("rcutest.timeout_scale", scale_arg, sizeof(scale_arg));
	scale = scale_s && atoi(scale_s) > 0 ? atoi(scale_s) : 1;
	list = fopen("/tests/list", "r");
	if (!list) {
		msg("init: /tests/list: %s\n", strerror(errno));
	} else {
		while (fgets(line, sizeof(line), list))
			if (line[0] != '#' && line[0] != '\n')
				ntests++;
		rewind(list);
	}
	msg("RCUTEST BEGIN %d\n", filter ? 1 : ntests);
	while (list && fgets(line, sizeof(line), list)) {
		char *argv[32], *save, reason[256] = "";
		int argc = 0, timeout, r;
		double t0;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		for (char *tok = strtok_r(line, " \t\n", &save); tok && argc < 31;
		     tok = strtok_r(NULL, " \t\n", &save))
			argv[argc++] = tok;
		if (argc < 2)
			continue;
		timeout = atoi(argv[1]) * scale;
		memmove(&argv[1], &argv[2], (argc - 2) * sizeof(argv[0]));
		argv[argc - 1] = NULL;
		if (filter && strcmp(filter, argv[0]))
			continue;
		msg("RCUTEST START %s\n", argv[0]);
		t0 = now();
		r = run_test(argv, timeout, reason, sizeof(reason));
		counts[r]++;
		msg("RCUTEST RESULT %s %s %.1f%s%s\n", argv[0], word[r], now() - t0,
		    *reason ? " " : "", reason);
	}
	msg("RCUTEST END passed=%d failed=%d skipped=%d\n", counts[0], counts[1], counts[2]);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
