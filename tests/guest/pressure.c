// SPDX-License-Identifier: GPL-2.0
/*
 * Anonymous faults in RCU mode under memory pressure: they allocate and
 * charge without sleeping, so when that fails they must fall back, with
 * reason alloc_failed, and complete under the VMA lock.  No fault may be
 * lost and no data may change.
 *
 * Usage: pressure memcg DIR    in a memory cgroup whose memory.max is
 *                              filled with clean page cache (a file in
 *                              DIR, on a disk): charging without reclaim
 *                              fails, the locked retry reclaims
 *        pressure fail-page-alloc
 *                              with fail_page_alloc failing a share of
 *                              the allocations that cannot sleep
 *
 * Either way the faults must all be counted as tried (rcu_fault_success +
 * rcu_fault_fallback), some must fall back for alloc_failed, and the data
 * written must read back.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib.h"

#define CG "/sys/fs/cgroup/rcutest"
#define FI "/sys/kernel/debug/fail_page_alloc/"
#define NPAGES 2048		/* 8 MiB written per round */

static int inject;		/* fail_page_alloc for the writes */
static int put(const char *path, const char *val);

/* Write every page of a fresh anonymous mapping (its table made first). */
static void write_round(struct fault_window *w, int round)
{
	size_t len = NPAGES * page_size;
	unsigned char *p = xmmap(NULL, len, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	/* One write per PTE table: the tables and the anon_vma. */
	for (size_t off = 0; off < len; off += pmd_size)
		p[off] = 1;
	if (inject)
		put("/proc/self/make-it-fail", "1");
	window_begin(w);
	for (int i = 0; i < NPAGES; i++)
		p[i * page_size + 8] = (unsigned char)(i + round);
	window_end(w);
	if (inject)
		put("/proc/self/make-it-fail", "0");
	for (int i = 0; i < NPAGES; i++)
		if (p[i * page_size + 8] != (unsigned char)(i + round)) {
			tfail("page %d lost its data", i);
			break;
		}
	munmap(p, len);
}

static void check_window(const char *what, const struct fault_window *w,
			 long long *alloc_failed)
{
	long long tried = window_delta(w, "rcu_fault_success") +
			  window_delta(w, "rcu_fault_fallback");

	window_show(w, what);
	check(window_faults(w) >= NPAGES - 8, "%s: %ld faults for %d pages", what,
	      window_faults(w), NPAGES);
	check(tried == window_faults(w), "%s: %lld faults tried in RCU mode, %ld taken",
	      what, tried, window_faults(w));
	*alloc_failed += window_delta(w, "rcu_fault_fallback_alloc_failed");
}

static int put(const char *path, const char *val)
{
	int err = write_file(path, val);

	if (err)
		tinfo("writing %s to %s: %s", val, path, strerror(-err));
	return err;
}

static void memcg(const char *dir)
{
	char path[256], pid[32], buf[65536];
	long long alloc_failed = 0;
	struct fault_window w;
	size_t size = 32UL << 20;
	int fd;

	/* Written outside the memcg; read inside it, as clean page cache. */
	snprintf(path, sizeof(path), "%s/pressure.dat", dir);
	make_file(path, size, 5);
	if (put("/sys/fs/cgroup/cgroup.subtree_control", "+memory"))
		tskip("no memory controller");
	if (mkdir(CG, 0755) && errno != EEXIST)
		tfatal("mkdir %s: %s", CG, strerror(errno));
	snprintf(pid, sizeof(pid), "%d", getpid());
	if (put(CG "/memory.max", "16M") || put(CG "/cgroup.procs", pid))
		tfatal("cannot set up the memory cgroup");
	drop_caches();
	fd = open(path, O_RDONLY);
	if (fd < 0)
		tfatal("open %s: %s", path, strerror(errno));
	for (int round = 0; round < 4; round++) {
		char what[64];

		for (size_t off = 0; off < size; off += sizeof(buf))
			if (pread(fd, buf, sizeof(buf), off) != sizeof(buf))
				tfatal("pread: %s", strerror(errno));
		snprintf(what, sizeof(what), "memcg round %d", round);
		write_round(&w, round);
		check_window(what, &w, &alloc_failed);
	}
	close(fd);
	unlink(path);
	put("/sys/fs/cgroup/cgroup.procs", pid);
	rmdir(CG);
	check(alloc_failed > 0, "no charge failed in RCU mode at memory.max");
}

static void fail_page_alloc(void)
{
	long long alloc_failed = 0;
	struct fault_window w;

	if (access(FI "probability", W_OK))
		tskip("no fail_page_alloc in debugfs");
	/* Only this task, only allocations that cannot sleep, highmem too. */
	if (put(FI "task-filter", "Y") || put(FI "ignore-gfp-wait", "Y") ||
	    put(FI "ignore-gfp-highmem", "N") || put(FI "min-order", "0") ||
	    put(FI "verbose", "0") ||
	    put(FI "times", "-1") || put(FI "interval", "1") ||
	    put(FI "probability", "20"))
		tfatal("cannot set up fail_page_alloc");
	inject = 1;
	for (int round = 0; round < 4; round++) {
		char what[64];

		snprintf(what, sizeof(what), "fail_page_alloc round %d", round);
		write_round(&w, round);
		check_window(what, &w, &alloc_failed);
	}
	put(FI "probability", "0");
	check(alloc_failed > 0, "no allocation failed in RCU mode under fail_page_alloc");
}

int main(int argc, char **argv)
{
	test_init(argv[0]);
	if (argc >= 3 && !strcmp(argv[1], "memcg"))
		memcg(argv[2]);
	else if (argc >= 2 && !strcmp(argv[1], "fail-page-alloc"))
		fail_page_alloc();
	else
		tfatal("usage: %s memcg DIR | fail-page-alloc", argv[0]);
	test_done();
}
