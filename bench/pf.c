// SPDX-License-Identifier: GPL-2.0
/*
 * Page-fault benchmarks, run in the guest.
 *
 * Usage: pf WORKLOAD THREADS SECONDS [DIR] [rcu=0|1]
 *
 *   pft-anon   THREADS threads write one byte to each page of their slice
 *              of ONE anonymous VMA, then the VMA is MADV_DONTNEEDed; again
 *              (pft).
 *   pft-file   the same with reads of a shared page-cache file (DIR/pf.dat);
 *              fault-around maps up to 16 pages per fault.
 *   wis        will-it-scale page_fault1: each thread mmaps its own 32 MiB,
 *              writes every page and munmaps it; again.
 *   mixed      pft-anon while one more thread mmaps, touches and munmaps a
 *              small region elsewhere, write-locking VMAs all the time.
 *   lat        one thread, pft-anon: the fault rate is 1 / latency.
 *   munmap     the cost of unmapping page tables: each thread mmaps 8 MiB,
 *              writes one byte per 2 MiB (four PTE tables) and munmaps it;
 *              again.  Its rate is rounds/s (ops), not faults/s.
 *
 * rcu=0|1 sets vm.rcu_page_fault for the run (and back to 1 after), for A/B
 * inside one boot.  THP: off (MADV_NOHUGEPAGE), unless thp=1 is given too.
 *
 * Prints one line:
 *   BENCH <workload> threads=<n> thp=<0|1> rcu=<0|1|-> seconds=<s> faults=<n>
 *         faults_per_sec=<r> rcu_success=<n> rcu_fallback=<n>
 *         vma_lock_success=<n> pgfault=<n> ops=<n>
 * where faults are what getrusage() counted for the process (minor and
 * major), not loop iterations, and the counters are /proc/vmstat deltas
 * (-1 when the kernel has none); ops counts munmap's rounds (0 for the
 * other workloads).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "../tests/guest/lib.h"

#define SLICE (16UL << 20)	/* bytes per thread, pft */
#define WIS_LEN (32UL << 20)	/* bytes per thread and round, wis */
#define UNMAP_LEN (8UL << 20)	/* bytes per thread and round, munmap */
#define NOPS_MAX 64

static const char *workload, *rcu, *dir = "/tmp";
static int nthreads, thp;
static volatile int stop;
static unsigned char *vma;	/* pft: the one VMA */
static size_t vma_len;
static int fd = -1;
static pthread_barrier_t start_b, done_b;
static long nops[NOPS_MAX];	/* munmap: rounds per thread */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *map(size_t len, int prot, int flags, int file)
{
	void *p = mmap(NULL, len, prot, flags, file ? fd : -1, 0);

	if (p == MAP_FAILED)
		tfatal("mmap: %s", strerror(errno));
	madvise(p, len, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	return p;
}

/* pft: fault my slice of the one VMA, once per round. */
static void *pft_thread(void *arg)
{
	long id = (long)arg;
	volatile unsigned char *p = vma + id * SLICE;
	unsigned long sum = 0;

	for (;;) {
		pthread_barrier_wait(&start_b);
		if (stop)
			break;
		if (fd >= 0)
			for (size_t off = 0; off < SLICE; off += page_size)
				sum += p[off];
		else
			for (size_t off = 0; off < SLICE; off += page_size)
				p[off] = 1;
		pthread_barrier_wait(&done_b);
	}
	return (void *)sum;
}

static void *wis_thread(void *arg)
{
	(void)arg;
	while (!stop) {
		unsigned char *p = map(WIS_LEN, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, 0);

		for (size_t off = 0; off < WIS_LEN; off += page_size)
			p[off] = 1;
		munmap(p, WIS_LEN);
	}
	return NULL;
}

static long ops_sum(void)
{
	long sum = 0;

	for (int i = 0; i < nthreads; i++)
		sum += __atomic_load_n(&nops[i], __ATOMIC_RELAXED);
	return sum;
}

static void *unmap_thread(void *arg)
{
	long i = (long)arg;

	while (!stop) {
		unsigned char *p = map(UNMAP_LEN, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, 0);

		for (size_t off = 0; off < UNMAP_LEN; off += 2UL << 20)
			p[off] = 1;
		munmap(p, UNMAP_LEN);
		__atomic_store_n(&nops[i], nops[i] + 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/* mixed: the VMA-changing thread. */
static void *churn_thread(void *arg)
{
	(void)arg;
	while (!stop) {
		unsigned char *p = map(16 * page_size, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, 0);

		p[0] = 1;
		mprotect(p, page_size, PROT_READ);
		munmap(p, 16 * page_size);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[64], churn;
	struct fault_window w;
	double seconds, t0, t1, end;
	long ops0, ops1;
	int pft;

	test_init(argv[0]);
	if (argc < 4)
		tfatal("usage: %s pft-anon|pft-file|wis|mixed|lat|munmap THREADS SECONDS [DIR] "
		       "[rcu=0|1] [thp=0|1]", argv[0]);
	workload = argv[1];
	nthreads = atoi(argv[2]);
	seconds = atof(argv[3]);
	for (int i = 4; i < argc; i++) {
		if (!strncmp(argv[i], "rcu=", 4))
			rcu = argv[i] + 4;
		else if (!strncmp(argv[i], "thp=", 4))
			thp = atoi(argv[i] + 4);
		else
			dir = argv[i];
	}
	if (rcu && write_file("/proc/sys/vm/rcu_page_fault", rcu))
		tfatal("cannot set vm.rcu_page_fault to %s", rcu);
	if (!strcmp(workload, "lat"))
		nthreads = 1;
	if (nthreads < 1 || nthreads > 64)
		tfatal("1 to 64 threads");
	pft = strncmp(workload, "pft", 3) == 0 || !strcmp(workload, "mixed") ||
	      !strcmp(workload, "lat");
	vma_len = nthreads * SLICE;

	if (!strcmp(workload, "pft-file")) {
		char path[256];

		snprintf(path, sizeof(path), "%s/pf.dat", dir);
		make_file(path, vma_len, 3);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			tfatal("open %s: %s", path, strerror(errno));
		unlink(path);
		vma = map(vma_len, PROT_READ, MAP_SHARED, 1);
	} else if (pft) {
		vma = map(vma_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	} else if (strcmp(workload, "wis") && strcmp(workload, "munmap")) {
		tfatal("unknown workload %s", workload);
	}

	pthread_barrier_init(&start_b, NULL, nthreads + 1);
	pthread_barrier_init(&done_b, NULL, nthreads + 1);
	for (long i = 0; i < nthreads; i++)
		pthread_create(&t[i], NULL, pft ? pft_thread :
			       strcmp(workload, "munmap") ? wis_thread : unmap_thread, (void *)i);
	if (!strcmp(workload, "mixed"))
		pthread_create(&churn, NULL, churn_thread, NULL);

	/* One untimed round: the VMA's anon_vma, the page cache, the stacks. */
	if (pft) {
		pthread_barrier_wait(&start_b);
		pthread_barrier_wait(&done_b);
		madvise(vma, vma_len, MADV_DONTNEED);
	}
	window_begin(&w);
	ops0 = ops_sum();
	t0 = now();
	end = t0 + seconds;
	if (pft) {
		do {
			pthread_barrier_wait(&start_b);
			pthread_barrier_wait(&done_b);
			madvise(vma, vma_len, MADV_DONTNEED);
		} while (now() < end);
	} else {
		usleep((useconds_t)(seconds * 1e6));
	}
	ops1 = ops_sum();
	stop = 1;
	t1 = now();
	window_end(&w);
	if (pft)
		pthread_barrier_wait(&start_b);
	for (int i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	if (!strcmp(workload, "mixed"))
		pthread_join(churn, NULL);

	if (rcu)
		write_file("/proc/sys/vm/rcu_page_fault", "1");
	printf("BENCH %s threads=%d thp=%d rcu=%s seconds=%.3f faults=%ld "
	       "faults_per_sec=%.0f rcu_success=%lld rcu_fallback=%lld "
	       "vma_lock_success=%lld pgfault=%lld ops=%ld\n",
	       workload, nthreads, thp, rcu ? rcu : "-", t1 - t0, window_faults(&w),
	       window_faults(&w) / (t1 - t0), window_delta(&w, "rcu_fault_success"),
	       window_delta(&w, "rcu_fault_fallback"), window_delta(&w, "vma_lock_success"),
	       window_delta(&w, "pgfault"), ops1 - ops0);
	test_done();
}
