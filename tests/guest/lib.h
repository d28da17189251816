/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the guest test programs.
 *
 * A test program is one static binary.  It prints "# ..." lines for
 * information and "not ok: ..." for each failed check, and exits with
 * 0 (pass), TEST_SKIP (skip) or 1 (fail); see test_done().
 */
#ifndef RCUTEST_LIB_H
#define RCUTEST_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TEST_SKIP 4

extern long page_size;
/* The span of one PTE table (the PMD size), in bytes. */
extern size_t pmd_size;
extern int test_failures;

void tinfo(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tfail_at(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
_Noreturn void tskip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void tfatal_at(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define tfail(...) tfail_at(__FILE__, __LINE__, __VA_ARGS__)
#define tfatal(...) tfatal_at(__FILE__, __LINE__, __VA_ARGS__)
/* Record a failure, with the condition's text, if cond is false. */
#define check(cond, ...)						\
	((cond) ? true : (tfail_at(__FILE__, __LINE__, "(" #cond ") " __VA_ARGS__), false))

/* Call once at the start: line-buffered output, page size, test name. */
void test_init(const char *name);
/* Exit with the status the failures so far call for. */
_Noreturn void test_done(void);

/* /proc/vmstat counters. */
#define VMSTAT_MAX 512
struct vmstat {
	int n;
	char name[VMSTAT_MAX][64];
	long long val[VMSTAT_MAX];
};
void vmstat_read(struct vmstat *vs);
/* Value of counter name, or -1 if the kernel does not have it. */
long long vmstat_get(const struct vmstat *vs, const char *name);
/* after - before for counter name; -1 if it does not exist. */
long long vmstat_delta(const struct vmstat *before, const struct vmstat *after,
		       const char *name);
/* Fail the test unless counter name exists. */
void require_counter(const struct vmstat *vs, const char *name);
/*
 * Faults completed without the mmap_lock: under the VMA lock
 * (vma_lock_success) or in RCU mode (rcu_fault_success, if the kernel
 * has it).
 */
long long lockless_delta(const struct vmstat *before, const struct vmstat *after);

/* Minor and major faults this process took so far (getrusage). */
void fault_counts(long *minflt, long *majflt);

/*
 * The fault counters around a piece of work: window_begin(), the work,
 * window_end().  The first window_begin() in a process reads everything
 * once more, so that its own buffers are faulted in before counting.
 */
struct fault_window {
	struct vmstat before, after;
	long min0, maj0, min1, maj1;
};
void window_begin(struct fault_window *w);
void window_end(struct fault_window *w);
/* Delta of a /proc/vmstat counter; -1 if the kernel does not have it. */
long long window_delta(const struct fault_window *w, const char *name);
/* Faults this process took in the window (minor and major). */
long window_faults(const struct fault_window *w);
/*
 * Sum of the rcu_fault_fallback_<reason> deltas, rcu_fault_fallback_disabled
 * excepted (those faults were not tried in RCU mode).
 */
long long window_rcu_reasons(const struct fault_window *w);
/* Print the non-zero fault counter deltas of the window on one line. */
void window_show(const struct fault_window *w, const char *what);

/*
 * Touch one byte at addr (read, or write val) and report what happened:
 * 0 if the access completed, else the signal (SIGSEGV, SIGBUS) with its
 * si_code and si_addr stored through the pointers when they are non-NULL.
 */
int probe_read(const volatile void *addr, int *code, void **fault_addr);
int probe_write(volatile void *addr, unsigned char val, int *code, void **fault_addr);

/* Fill or verify n bytes with a pattern that depends on seed and offset. */
void pattern_fill(void *buf, size_t n, uint32_t seed, size_t off);
/* Offset of the first mismatching byte, or -1 if all match. */
long pattern_check(const void *buf, size_t n, uint32_t seed, size_t off);

/* Create path with size bytes of pattern(seed); fsync it. */
void make_file(const char *path, size_t size, uint32_t seed);
/* Write "val" to a /proc or /sys file; return 0 or -errno. */
int write_file(const char *path, const char *val);
/* Drop clean page cache, dentries and inodes. */
void drop_caches(void);

/* mmap with MADV_NOHUGEPAGE applied, failing the test on error. */
void *xmmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);

#endif
