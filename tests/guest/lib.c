// SPDX-License-Identifier: GPL-2.0
/* Helpers for the guest test programs; see lib.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lib.h"

long page_size;
size_t pmd_size;
int test_failures;
static const char *test_name = "?";

static void vout(const char *prefix, const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	printf("%s%s\n", prefix, buf);
	fflush(stdout);
}

void tinfo(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vout("# ", fmt, ap);
	va_end(ap);
}

void tfail_at(const char *file, int line, const char *fmt, ...)
{
	char prefix[128];
	va_list ap;

	snprintf(prefix, sizeof(prefix), "not ok: %s: %s:%d: ", test_name, file, line);
	va_start(ap, fmt);
	vout(prefix, fmt, ap);
	va_end(ap);
	/* Tests with threads fail from several threads. */
	__atomic_add_fetch(&test_failures, 1, __ATOMIC_RELAXED);
}

void tskip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vout("# SKIP: ", fmt, ap);
	va_end(ap);
	exit(TEST_SKIP);
}

void tfatal_at(const char *file, int line, const char *fmt, ...)
{
	char prefix[128];
	va_list ap;

	snprintf(prefix, sizeof(prefix), "not ok: %s: %s:%d: fatal: ", test_name, file, line);
	va_start(ap, fmt);
	vout(prefix, fmt, ap);
	va_end(ap);
	exit(1);
}

/*
 * The PMD size from THP's sysfs file; without THP, a PTE table of
 * page_size / 8 entries (all arches here but powerpc's hash MMU, which
 * has THP).
 */
static size_t pmd_size_read(void)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", "r");
	unsigned long sz = 0;

	if (f) {
		if (fscanf(f, "%lu", &sz) != 1)
			sz = 0;
		fclose(f);
	}
	return sz ? sz : (size_t)page_size / 8 * page_size;
}

void test_init(const char *name)
{
	test_name = name;
	setvbuf(stdout, NULL, _IOLBF, 0);
	page_size = sysconf(_SC_PAGESIZE);
	pmd_size = pmd_size_read();
}

void test_done(void)
{
	exit(test_failures ? 1 : 0);
}

/*
 * Read with read() into a static buffer rather than with stdio: a buffer
 * malloc() takes from a fresh heap page would be first written by the
 * kernel, and that fault would count as one of the work's (see
 * window_begin()).
 */
void vmstat_read(struct vmstat *vs)
{
	static char buf[64 * 1024];
	char name[64];
	long long val;
	size_t len = 0;
	ssize_t n;
	int fd = open("/proc/vmstat", O_RDONLY), used;

	if (fd < 0)
		tfatal("/proc/vmstat: %s", strerror(errno));
	while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	vs->n = 0;
	for (char *p = buf; vs->n < VMSTAT_MAX && sscanf(p, "%63s %lld%n", name, &val, &used) == 2;
	     p += used) {
		snprintf(vs->name[vs->n], sizeof(vs->name[0]), "%s", name);
		vs->val[vs->n++] = val;
	}
}

long long vmstat_get(const struct vmstat *vs, const char *name)
{
	for (int i = 0; i < vs->n; i++)
		if (!strcmp(vs->name[i], name))
			return vs->val[i];
	return -1;
}

long long vmstat_delta(const struct vmstat *before, const struct vmstat *after,
		       const char *name)
{
	long long b = vmstat_get(before, name), a = vmstat_get(after, name);

	return a < 0 || b < 0 ? -1 : a - b;
}

void require_counter(const struct vmstat *vs, const char *name)
{
	if (vmstat_get(vs, name) < 0)
		tfatal("/proc/vmstat has no %s (kernel config?)", name);
}

long long lockless_delta(const struct vmstat *before, const struct vmstat *after)
{
	long long rcu = vmstat_delta(before, after, "rcu_fault_success");

	return vmstat_delta(before, after, "vma_lock_success") + (rcu > 0 ? rcu : 0);
}

void fault_counts(long *minflt, long *majflt)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	*minflt = ru.ru_minflt;
	*majflt = ru.ru_majflt;
}

static void __attribute__((noinline)) touch_stack(void)
{
	volatile char pad[64 * 1024];

	for (size_t i = 0; i < sizeof(pad); i += 256)
		pad[i] = 0;
}

void window_begin(struct fault_window *w)
{
	static bool warm;

	/*
	 * Nothing but the work may fault between the two counts.  w is
	 * large (two struct vmstat) and usually on the caller's stack, and
	 * the calls below and the work use the stack under this frame: touch
	 * both first, or a stack page used for the first time counts as a
	 * fault of the work (the kernel's writes to struct rusage and to the
	 * read buffer included).  Which pages are new depends on the stack's
	 * random offset.
	 */
	memset(w, 0, sizeof(*w));
	touch_stack();
	if (!warm) {
		vmstat_read(&w->before);
		vmstat_read(&w->after);
		fault_counts(&w->min0, &w->maj0);
		warm = true;
	}
	fault_counts(&w->min0, &w->maj0);
	vmstat_read(&w->before);
}

void window_end(struct fault_window *w)
{
	vmstat_read(&w->after);
	fault_counts(&w->min1, &w->maj1);
}

long long window_delta(const struct fault_window *w, const char *name)
{
	return vmstat_delta(&w->before, &w->after, name);
}

long window_faults(const struct fault_window *w)
{
	return w->min1 - w->min0 + w->maj1 - w->maj0;
}

long long window_rcu_reasons(const struct fault_window *w)
{
	static const char prefix[] = "rcu_fault_fallback_";
	long long sum = 0;

	for (int i = 0; i < w->after.n; i++) {
		const char *n = w->after.name[i];

		if (!strncmp(n, prefix, sizeof(prefix) - 1) &&
		    strcmp(n, "rcu_fault_fallback_disabled"))
			sum += window_delta(w, n);
	}
	return sum;
}

void window_show(const struct fault_window *w, const char *what)
{
	char line[1024];
	int len;

	len = snprintf(line, sizeof(line), "%s: faults %ld", what, window_faults(w));
	for (int i = 0; i < w->after.n && len < (int)sizeof(line); i++) {
		const char *n = w->after.name[i];
		long long d = window_delta(w, n);

		if (d && (!strcmp(n, "pgfault") || !strncmp(n, "vma_lock_", 9) ||
			  !strncmp(n, "rcu_fault", 9)))
			len += snprintf(line + len, sizeof(line) - len, " %s=%lld", n, d);
	}
	tinfo("%s", line);
}

static sigjmp_buf probe_env;
static volatile sig_atomic_t probe_sig, probe_code;
static void *volatile probe_addr;

static void probe_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	probe_sig = sig;
	probe_code = si->si_code;
	probe_addr = si->si_addr;
	siglongjmp(probe_env, 1);
}

/*
 * The handler runs on an alternate stack whose pages are all present, so
 * that delivering the signal takes no fault of its own: arm64's signal
 * frame (SVE and SME state with QEMU's -cpu max) is large enough to
 * reach a new page of the thread's stack, which the kernel faults in
 * while it writes the frame.
 */
static void probe_altstack(void)
{
	static unsigned char stack[512 * 1024] __attribute__((aligned(4096)));
	static bool done;
	stack_t ss = { .ss_sp = stack, .ss_size = sizeof(stack) };

	if (done)
		return;
	memset(stack, 0, sizeof(stack));
	if (sigaltstack(&ss, NULL))
		tfatal("sigaltstack: %s", strerror(errno));
	done = true;
}

static int probe(volatile unsigned char *p, bool write, unsigned char val,
		 int *code, void **fault_addr)
{
	struct sigaction sa = { .sa_sigaction = probe_handler,
				.sa_flags = SA_SIGINFO | SA_ONSTACK };
	struct sigaction old_segv, old_bus;

	probe_altstack();
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	probe_sig = 0;
	if (!sigsetjmp(probe_env, 1)) {
		if (write)
			*p = val;
		else
			(void)*p;
	}
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	if (probe_sig) {
		if (code)
			*code = probe_code;
		if (fault_addr)
			*fault_addr = probe_addr;
	}
	return probe_sig;
}

int probe_read(const volatile void *addr, int *code, void **fault_addr)
{
	return probe((volatile unsigned char *)addr, false, 0, code, fault_addr);
}

int probe_write(volatile void *addr, unsigned char val, int *code, void **fault_addr)
{
	return probe(addr, true, val, code, fault_addr);
}

static inline unsigned char pattern_byte(uint32_t seed, size_t off)
{
	uint32_t x = seed * 2654435761u ^ (uint32_t)(off >> 2) * 40503u;

	x ^= x >> 13;
	return (unsigned char)(x >> (8 * (off & 3)));
}

void pattern_fill(void *buf, size_t n, uint32_t seed, size_t off)
{
	unsigned char *p = buf;

	for (size_t i = 0; i < n; i++)
		p[i] = pattern_byte(seed, off + i);
}

long pattern_check(const void *buf, size_t n, uint32_t seed, size_t off)
{
	const unsigned char *p = buf;

	for (size_t i = 0; i < n; i++)
		if (p[i] != pattern_byte(seed, off + i))
			return (long)i;
	return -1;
}

void make_file(const char *path, size_t size, uint32_t seed)
{
	char buf[65536];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		tfatal("create %s: %s", path, strerror(errno));
	for (size_t off = 0; off < size; off += sizeof(buf)) {
		size_t n = size - off < sizeof(buf) ? size - off : sizeof(buf);

		pattern_fill(buf, n, seed, off);
		if (write(fd, buf, n) != (ssize_t)n)
			tfatal("write %s: %s", path, strerror(errno));
	}
	if (fsync(fd))
		tfatal("fsync %s: %s", path, strerror(errno));
	close(fd);
}

int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : n < 0 ? -errno : -EIO;
}

void drop_caches(void)
{
	sync();
	if (write_file("/proc/sys/vm/drop_caches", "3"))
		tfatal("cannot drop caches");
}

void *xmmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *p = mmap(addr, len, prot, flags, fd, off);

	if (p == MAP_FAILED)
		tfatal("mmap(len %zu): %s", len, strerror(errno));
	if (madvise(p, len, MADV_NOHUGEPAGE))
		tfatal("madvise(MADV_NOHUGEPAGE): %s", strerror(errno));
	return p;
}
