// SPDX-License-Identifier: GPL-2.0
/*
 * The demo the main job runs: fault in anonymous memory and a page-cache
 * file from two threads sharing one VMA each, and print how the kernel
 * handled the faults, from the /proc/vmstat counters (pgfault,
 * vma_lock_*, and rcu_fault_* when the kernel has them).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lib.h"

#define NPAGES 4096
#define NTHREADS 2

struct job {
	unsigned char *base;
	size_t len;
	int write;
	unsigned long sum;
};

static void *worker(void *arg)
{
	struct job *j = arg;

	for (size_t off = 0; off < j->len; off += page_size) {
		if (j->write)
			j->base[off] = 1;
		else
			j->sum += j->base[off];
	}
	return NULL;
}

/* Fault in [p, p + len) from NTHREADS threads, each a slice. */
static void fault_in(unsigned char *p, size_t len, int write)
{
	pthread_t t[NTHREADS];
	struct job j[NTHREADS];

	for (int i = 0; i < NTHREADS; i++) {
		j[i] = (struct job){ p + i * len / NTHREADS, len / NTHREADS, write, 0 };
		pthread_create(&t[i], NULL, worker, &j[i]);
	}
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
}

/*
 * The counter deltas: pgfault, vma_lock_success and rcu_fault_success
 * always, the other vma_lock_* and rcu_fault_* ones when not zero.
 */
static void show(const char *what, const struct vmstat *a, const struct vmstat *b)
{
	long long rcu = vmstat_delta(a, b, "rcu_fault_success");
	long long all = rcu + vmstat_delta(a, b, "rcu_fault_fallback");

	printf("demo: %-34s", what);
	for (int i = 0; i < b->n; i++) {
		const char *n = b->name[i];
		long long d = vmstat_delta(a, b, n);

		if (!strcmp(n, "pgfault") || !strcmp(n, "vma_lock_success") ||
		    !strcmp(n, "rcu_fault_success") ||
		    (d && (!strncmp(n, "vma_lock_", 9) || !strncmp(n, "rcu_fault", 9))))
			printf(" %s=%lld", n, d);
	}
	printf("\n");
	if (rcu >= 0)
		printf("demo: %-34s %lld of %lld faults tried in RCU mode completed there\n",
		       "", rcu, all);
}

int main(int argc, char **argv)
{
	size_t len;
	struct vmstat v0, v1, v2;
	struct utsname u;
	unsigned char *p;
	int fd;

	(void)argc;
	test_init(argv[0]);
	len = NPAGES * page_size;
	uname(&u);
	printf("demo: kernel %s %s\n", u.release, u.version);
	printf("demo: %d threads fault %d pages of one VMA (THP off); "
	       "counter deltas:\n", NTHREADS, NPAGES);

	make_file("/tmp/demo.dat", len, 1);
	fd = open("/tmp/demo.dat", O_RDONLY);
	if (fd < 0)
		tfatal("open: %s", strerror(errno));

	vmstat_read(&v0);
	p = xmmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fault_in(p, len, 1);
	vmstat_read(&v1);
	show("anonymous write faults:", &v0, &v1);
	munmap(p, len);

	p = xmmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	fault_in(p, len, 0);
	vmstat_read(&v2);
	show("page-cache read faults (tmpfs):", &v1, &v2);
	munmap(p, len);
	close(fd);
	unlink("/tmp/demo.dat");

	check(vmstat_delta(&v0, &v2, "pgfault") > 0, "no faults counted");
	test_done();
}
