// SPDX-License-Identifier: GPL-2.0
/*
 * Page tables installed by faults in RCU mode.
 *
 * Usage: pgtable pft [ROUNDS]
 *        pgtable munmap|mremap|dontneed [SECONDS]
 *
 * pft: threads write one byte to every page of their slice of one VMA,
 * then the VMA is MADV_DONTNEEDed (the zap frees the empty PTE tables with
 * PT_RECLAIM), and again.  At least 99 % of the faults must complete in RCU
 * mode, page tables included, and the data must be right.
 *
 * munmap, mremap, dontneed: threads fault pages of a range no page table
 * covers yet, so that the faults install the tables, while another thread
 * munmaps (and maps again), mremaps back and forth, or MADV_DONTNEEDs it.
 * After every round the range is unmapped, and the process's page tables
 * (VmPTE) must be back to what they were before: a table a fault installed
 * in a range being unmapped must not be left behind.  At exit, the kernel
 * checks pgtables_bytes and the rss counters (the console classifier sees
 * any report).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "lib.h"

#define NTHREADS 3
#define PMD_SZ pmd_size
#define RANGE (8 * PMD_SZ)	/* eight PTE tables' worth */

static unsigned char *range;	/* PMD-aligned, RANGE bytes */
static unsigned char *other;	/* where mremap moves it */
static volatile int stop, round_no;
static pthread_barrier_t start_b, done_b;

static long vm_pte_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		tfatal("/proc/self/status: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPTE: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* Reserve 2 * RANGE, PMD-aligned; return the aligned start. */
static unsigned char *reserve(size_t len)
{
	unsigned char *r = mmap(NULL, len + PMD_SZ, PROT_NONE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (r == MAP_FAILED)
		tfatal("mmap: %s", strerror(errno));
	return (unsigned char *)(((unsigned long)r + PMD_SZ - 1) & ~(PMD_SZ - 1));
}

static void map_range(unsigned char *at)
{
	if (mmap(at, RANGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != at)
		tfatal("mmap: %s", strerror(errno));
	if (madvise(at, RANGE, MADV_NOHUGEPAGE))
		tfatal("madvise: %s", strerror(errno));
}

/* Give [at, at + len) back to the reservation: unmapped, no tables. */
static void unmap_range(unsigned char *at, size_t len)
{
	if (mmap(at, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
		 MAP_FIXED, -1, 0) != at)
		tfatal("mmap: %s", strerror(errno));
}

/* ---- pft ---- */

static int pft_rounds = 20;

static void *pft_thread(void *arg)
{
	long id = (long)arg;
	size_t slice = RANGE / NTHREADS / page_size * page_size;
	unsigned char *p = range + id * slice;

	for (int r = 0; r < pft_rounds; r++) {
		pthread_barrier_wait(&start_b);
		for (size_t off = 0; off < slice; off += page_size)
			p[off] = (unsigned char)(r + id);
		for (size_t off = 0; off < slice; off += page_size)
			if (p[off] != (unsigned char)(r + id)) {
				tfail("pft: thread %ld round %d: page at %zu lost its data",
				      id, r, off);
				break;
			}
		pthread_barrier_wait(&done_b);
	}
	return NULL;
}

static void pft(void)
{
	pthread_t t[NTHREADS];
	struct fault_window w;
	long long success, tried;

	range = reserve(RANGE);
	map_range(range);
	pthread_barrier_init(&start_b, NULL, NTHREADS + 1);
	pthread_barrier_init(&done_b, NULL, NTHREADS + 1);
	for (long i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, pft_thread, (void *)i);
	window_begin(&w);
	for (int r = 0; r < pft_rounds; r++) {
		pthread_barrier_wait(&start_b);
		pthread_barrier_wait(&done_b);
		madvise(range, RANGE, MADV_DONTNEED);
	}
	window_end(&w);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	window_show(&w, "pft");
	success = window_delta(&w, "rcu_fault_success");
	tried = success + window_delta(&w, "rcu_fault_fallback");
	check(window_faults(&w) >= pft_rounds * (long)(RANGE / page_size) * 9 / 10,
	      "pft: %ld faults for %d rounds of %lu pages", window_faults(&w), pft_rounds,
	      RANGE / page_size);
	if (success < 0)
		tskip("no rcu_fault counters");
	check(tried == window_faults(&w), "pft: %lld faults tried in RCU mode, %ld taken",
	      tried, window_faults(&w));
	check(success * 100 >= tried * 99, "pft: %lld of %lld faults completed in RCU mode, "
	      "want 99 %%", success, tried);
}

/* ---- races with munmap, mremap, MADV_DONTNEED ---- */

static __thread sigjmp_buf jmp;

static void on_segv(int sig)
{
	siglongjmp(jmp, sig);
}

static unsigned char *volatile cur;	/* where the range is mapped now */
static volatile int pause_req, paused;	/* stop faulting for a check */

/* Write one byte at p; a SIGSEGV (the range is being changed) is fine. */
static void touch(unsigned char *p)
{
	if (!sigsetjmp(jmp, 0))
		*(volatile unsigned char *)p = 1;
}

static void *fault_thread(void *arg)
{
	unsigned int seed = (unsigned int)(long)arg * 7919u + 1;

	while (!stop) {
		if (pause_req) {
			/* A fault in progress has finished: we are back here. */
			__atomic_add_fetch(&paused, 1, __ATOMIC_SEQ_CST);
			while (pause_req && !stop)
				usleep(100);
			__atomic_sub_fetch(&paused, 1, __ATOMIC_SEQ_CST);
			continue;
		}
		seed = seed * 1103515245u + 12345u;
		touch(cur + (size_t)(seed >> 4) % (RANGE / page_size) * page_size);
	}
	return NULL;
}

static void race(const char *what, double seconds)
{
	struct sigaction sa = { .sa_handler = on_segv, .sa_flags = SA_NODEFER };
	pthread_t t[NTHREADS];
	struct fault_window w;
	long base, now_kb;
	double end;
	struct timespec ts;
	int rounds = 0;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	range = reserve(2 * RANGE);
	other = range + RANGE;
	cur = range;
	for (long i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, fault_thread, (void *)i);
	usleep(100000);
	/* window_begin() first: the stack and buffers it touches count in VmPTE. */
	window_begin(&w);
	base = vm_pte_kb();
	clock_gettime(CLOCK_MONOTONIC, &ts);
	end = ts.tv_sec + ts.tv_nsec / 1e9 + seconds;
	do {
		/*
		 * A fresh range: the first fault in each PMD installs a
		 * table.  Change it right away, while they do.
		 */
		map_range(range);
		cur = range;
		usleep((rounds * 37) % 300);
		if (!strcmp(what, "munmap")) {
			/* the unmap below */
		} else if (!strcmp(what, "mremap")) {
			if (mremap(range, RANGE, RANGE, MREMAP_MAYMOVE | MREMAP_FIXED,
				   other) != other)
				tfail("mremap: %s", strerror(errno));
			cur = other;
			usleep(1000);
			if (mremap(other, RANGE, RANGE, MREMAP_MAYMOVE | MREMAP_FIXED,
				   range) != range)
				tfail("mremap: %s", strerror(errno));
			cur = range;
			unmap_range(other, RANGE);
		} else {
			for (int i = 0; i < 8; i++) {
				madvise(range + (size_t)(rounds + i) % 8 * PMD_SZ,
					PMD_SZ, MADV_DONTNEED);
				usleep(200);
			}
		}
		/*
		 * The range goes away, faults still running; its tables must
		 * go with it.  Check once no fault is in progress any more.
		 */
		unmap_range(range, RANGE);
		pause_req = 1;
		while (__atomic_load_n(&paused, __ATOMIC_SEQ_CST) < NTHREADS)
			usleep(100);
		now_kb = vm_pte_kb();
		pause_req = 0;
		if (now_kb != base)
			tfail("%s: round %d: VmPTE %ld kB with the range unmapped, %ld kB before",
			      what, rounds, now_kb, base);
		rounds++;
		clock_gettime(CLOCK_MONOTONIC, &ts);
	} while (ts.tv_sec + ts.tv_nsec / 1e9 < end && test_failures < 10);
	stop = 1;
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	window_end(&w);
	tinfo("%s: %d rounds", what, rounds);
	window_show(&w, what);
	if (window_delta(&w, "rcu_fault_success") >= 0)
		check(window_delta(&w, "rcu_fault_success") > 0,
		      "%s: no fault completed in RCU mode", what);
}

int main(int argc, char **argv)
{
	test_init(argv[0]);
	/*
	 * No THP anywhere in the process: a fresh range is faulted before
	 * its MADV_NOHUGEPAGE, and a huge page there would take the place of
	 * the PTE tables under test.
	 */
	if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0))
		tfatal("PR_SET_THP_DISABLE: %s", strerror(errno));
	if (argc < 2)
		tfatal("usage: %s pft [ROUNDS] | munmap|mremap|dontneed [SECONDS]", argv[0]);
	if (!strcmp(argv[1], "pft")) {
		if (argc > 2)
			pft_rounds = atoi(argv[2]);
		pft();
	} else if (!strcmp(argv[1], "munmap") || !strcmp(argv[1], "mremap") ||
		   !strcmp(argv[1], "dontneed")) {
		race(argv[1], argc > 2 ? atof(argv[2]) : 3);
	} else {
		tfatal("unknown test %s", argv[1]);
	}
	test_done();
}
