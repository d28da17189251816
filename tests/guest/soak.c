// SPDX-License-Identifier: GPL-2.0
/*
 * The soak: stress-ng's memory stressors and the race tests, over and
 * over, for a given time, in three phases that take turns:
 *
 *   plain   as they are
 *   memcg   in a memory cgroup whose memory.max the work exceeds, first
 *           filled with clean page cache: charges in RCU mode fail, the
 *           locked retries reclaim (and, for anonymous memory, which
 *           cannot be swapped out here, the cgroup's OOM killer may run)
 *   fail    with fail_page_alloc failing a share of the allocations that
 *           cannot sleep, for the soak's own tasks (make-it-fail is
 *           inherited by children)
 *
 * Usage: soak SECONDS DIR [STRESS_SECONDS]
 *   DIR             where the files go (a disk: page cache can be dropped)
 *   STRESS_SECONDS  length of one stress-ng run (default 120)
 *
 * The first cycle always runs whole; the time counts from the end of the
 * set-up.  A step fails the soak if stress-ng exits with another status than 0 or
 * a race test fails; a phase fails it if no fault completed in RCU mode
 * during it, and the fail phase if none fell back for alloc_failed.
 * Kernel reports are the console classifier's.  Each phase prints its
 * fault counter deltas; the end prints the totals per phase.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib.h"

#define CG "/sys/fs/cgroup/soak"
#define FI "/sys/kernel/debug/fail_page_alloc/"
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define CACHE_MB 160		/* page cache read into the memcg first */
/*
 * Longer than the suite's 3 seconds: next to stress-ng, the slower races
 * (truncate on ext4, fork) need the time to reach race.c's minimum rounds.
 */
#define RACE_SECONDS "10"

enum { PLAIN, MEMCG, FAIL, NPHASES };
static const char *const phase_name[NPHASES] = { "plain", "memcg", "fail" };

/* Race scenarios, RACE_SECONDS each; "ext4" ones in DIR, the rest in /tmp. */
static const char *const races[] = {
	"file-remap", "file-remap:ext4", "file-truncate", "file-truncate:ext4",
	"file-mprotect", "file-mremap", "file-dontneed", "file-fork",
	"anon-remap", "anon-mprotect", "anon-mremap", "anon-dontneed",
	"anon-free", "anon-fork", "anon-exit",
};

/* Fault counter deltas totalled per phase, by index in /proc/vmstat. */
static long long total[NPHASES][VMSTAT_MAX];
static struct vmstat names;
static long long oom_kills, memcg_max_events;
static int runs[NPHASES], steps_failed;
static struct vmstat before, after;

/* The counters the soak reports: faults, per-VMA lock and RCU mode. */
static bool counted(const char *name)
{
	return !strcmp(name, "pgfault") || !strncmp(name, "vma_lock_", 9) ||
	       !strncmp(name, "rcu_fault", 9);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void put(const char *path, const char *val)
{
	int err = write_file(path, val);

	if (err)
		tfatal("writing %s to %s: %s", val, path, strerror(-err));
}

/* Run argv (argv[0] a path) and wait; return its exit status or 128+signal. */
static int run(char *const argv[])
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		tfatal("fork: %s", strerror(errno));
	if (pid == 0) {
		execv(argv[0], argv);
		printf("soak: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		tfatal("waitpid: %s", strerror(errno));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void run_stress_ng(const char *dir, const char *secs, const char *what)
{
	char timeout[32];
	char *const argv[] = {
		"/bin/stress-ng", "--timeout", timeout, "--temp-path", (char *)dir,
		"--metrics-brief", "--log-brief",
		"--vm", "1", "--vm-bytes", "48M",
		"--mmap", "1", "--mmap-bytes", "32M",
		"--mremap", "1", "--mremap-bytes", "16M",
		"--madvise", "1",
		"--fault", "1",
		"--userfaultfd", "1", "--userfaultfd-bytes", "16M",
		"--fork", "1", "--fork-max", "16",
		NULL
	};
	int r;

	snprintf(timeout, sizeof(timeout), "%ss", secs);
	r = run(argv);
	if (r) {
		tfail("%s: stress-ng exited with status %d", what, r);
		steps_failed++;
	}
}

static void race_all(const char *dir, const char *what)
{
	for (size_t i = 0; i < ARRAY_SIZE(races); i++) {
		char name[64], *colon;
		int r;

		snprintf(name, sizeof(name), "%s", races[i]);
		colon = strchr(name, ':');
		if (colon)
			*colon = '\0';
		{
			char *const argv[] = { "/tests/race", name,
					       colon ? (char *)dir : "/tmp", RACE_SECONDS, NULL };

			r = run(argv);
		}
		if (r) {
			tfail("%s: race %s failed (status %d)", what, races[i], r);
			steps_failed++;
		}
	}
}

/* Read size MiB of a file into the page cache of the current memcg. */
static void fill_cache(const char *path)
{
	static char buf[1 << 16];
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		tfatal("open %s: %s", path, strerror(errno));
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
}

static long long memcg_event(const char *key)
{
	char line[128];
	long long v = 0, val;
	FILE *f = fopen(CG "/memory.events", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char k[64];

		if (sscanf(line, "%63s %lld", k, &val) == 2 && !strcmp(k, key))
			v = val;
	}
	fclose(f);
	return v;
}

static void phase(int p, int cycle, const char *dir, const char *secs, const char *cache)
{
	char what[64], pid[32], line[2048];
	int len;

	snprintf(what, sizeof(what), "cycle %d %s", cycle, phase_name[p]);
	snprintf(pid, sizeof(pid), "%d", getpid());
	if (p == MEMCG) {
		put(CG "/memory.max", "max");
		put(CG "/cgroup.procs", pid);
		fill_cache(cache);
		put(CG "/memory.max", "128M");
	} else if (p == FAIL) {
		put(FI "probability", "5");
		put("/proc/self/make-it-fail", "1");
	}
	vmstat_read(&before);
	run_stress_ng(dir, secs, what);
	race_all(dir, what);
	vmstat_read(&after);
	if (p == MEMCG) {
		long long oom = memcg_event("oom_kill"), max = memcg_event("max");

		put("/sys/fs/cgroup/cgroup.procs", pid);
		tinfo("%s: memory.events max=%lld oom_kill=%lld", what, max, oom);
		oom_kills += oom;
		memcg_max_events += max;
		/* Fresh counters for the next memcg phase. */
		if (rmdir(CG) || mkdir(CG, 0755))
			tfatal("recreating %s: %s", CG, strerror(errno));
	} else if (p == FAIL) {
		put("/proc/self/make-it-fail", "0");
		put(FI "probability", "0");
	}
	len = snprintf(line, sizeof(line), "%s:", what);
	for (int i = 0; i < after.n; i++) {
		long long d = vmstat_delta(&before, &after, after.name[i]);

		if (!counted(after.name[i]))
			continue;
		total[p][i] += d;
		if (d && len < (int)sizeof(line))
			len += snprintf(line + len, sizeof(line) - len, " %s=%lld",
					after.name[i], d);
	}
	tinfo("%s", line);
	runs[p]++;
	check(vmstat_delta(&before, &after, "rcu_fault_success") > 0,
	      "%s: no fault completed in RCU mode", what);
	if (p == FAIL)
		check(vmstat_delta(&before, &after, "rcu_fault_fallback_alloc_failed") > 0,
		      "%s: no RCU-mode fault fell back for alloc_failed", what);
}

int main(int argc, char **argv)
{
	const char *dir, *secs;
	char cache[256];
	double start, end;
	int cycle = 0;

	test_init(argv[0]);
	if (argc < 3)
		tfatal("usage: soak SECONDS DIR [STRESS_SECONDS]");
	dir = argv[2];
	secs = argc > 3 ? argv[3] : "120";
	if (access("/bin/stress-ng", X_OK))
		tfatal("no /bin/stress-ng in the initramfs");
	vmstat_read(&names);
	require_counter(&names, "rcu_fault_success");
	require_counter(&names, "rcu_fault_fallback_alloc_failed");
	if (write_file("/sys/fs/cgroup/cgroup.subtree_control", "+memory"))
		tfatal("no memory controller");
	if (mkdir(CG, 0755) && errno != EEXIST)
		tfatal("mkdir %s: %s", CG, strerror(errno));
	if (access(FI "probability", W_OK))
		tfatal("no fail_page_alloc in debugfs");
	/* Only tasks with make-it-fail, only allocations that cannot sleep. */
	put(FI "task-filter", "Y");
	put(FI "ignore-gfp-wait", "Y");
	put(FI "ignore-gfp-highmem", "N");
	put(FI "min-order", "0");
	put(FI "verbose", "0");
	put(FI "times", "-1");
	put(FI "interval", "1");
	put(FI "probability", "0");
	snprintf(cache, sizeof(cache), "%s/soak-cache.dat", dir);
	make_file(cache, (size_t)CACHE_MB << 20, 7);

	/* The time counts from here; the first cycle runs whole, however short. */
	start = now();
	end = start + atof(argv[1]);
	while (!cycle || now() < end) {
		for (int p = 0; p < NPHASES && (!cycle || now() < end); p++) {
			drop_caches();
			phase(p, cycle, dir, secs, cache);
		}
		tinfo("soak: %.0f of %.0f seconds done", now() - start, end - start);
		cycle++;
	}
	unlink(cache);
	rmdir(CG);

	tinfo("soak: %.0f seconds, %d cycles, %d failed steps", now() - start, cycle,
	      steps_failed);
	for (int p = 0; p < NPHASES; p++) {
		char line[1024];
		int len = snprintf(line, sizeof(line), "SOAK TOTAL %s runs=%d", phase_name[p],
				   runs[p]);

		for (int i = 0; i < names.n && len < (int)sizeof(line); i++)
			if (counted(names.name[i]) && total[p][i])
				len += snprintf(line + len, sizeof(line) - len, " %s=%lld",
						names.name[i], total[p][i]);
		printf("%s\n", line);
	}
	printf("SOAK TOTAL memcg max_events=%lld oom_kills=%lld\n", memcg_max_events, oom_kills);
	test_done();
}
