// SPDX-License-Identifier: GPL-2.0
/*
 * How user faults are routed, in each mode of the RCU-fault switch, and
 * that the mode changes nothing a program can see.
 *
 * Usage: rcu_mode MODE DIR
 *   MODE  on            built in and on: every fault is tried in RCU mode;
 *                       then vm.rcu_page_fault=0 must stop that, and =1
 *                       bring it back
 *         boot-off      booted with rcu_page_fault=off: no fault is tried,
 *                       until vm.rcu_page_fault=1
 *         compiled-out  CONFIG_RCU_PAGE_FAULT=n: no switch, no counters
 *   DIR   where to make the file for the page-cache phases
 *
 * Each phase faults a fresh mapping one way and checks the data.  Around
 * it, the counters must add up: a fault tried in RCU mode either completes
 * there (rcu_fault_success) or falls back (rcu_fault_fallback, split by
 * reason) and then completes under the VMA lock (vma_lock_success); with
 * the switch off, each fault is counted in rcu_fault_fallback_disabled.
 * The faults counted are those getrusage() reports for this process, so
 * the check is exact.  The signal cases (SIGSEGV unmapped and PROT_NONE,
 * SIGBUS past EOF) must be the same in every mode.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib.h"

/* Pages per phase: 256, or one PTE table's worth if that is less. */
#define NPAGES ((int)(pmd_size / page_size < 256 ? pmd_size / page_size : 256))
#define SEED 11

enum mode { ON, OFF, COMPILED_OUT };
static const char *const mode_name[] = { "on", "off", "compiled out" };

static char path[256];
static int fd;

/*
 * A phase: prepare() sets up the mapping (outside the counted window),
 * run() takes the faults that are counted.  rcu_pct says how many of
 * them must complete in RCU mode when it is on: NONE, or at least that
 * percentage.  Mappings sit in one PMD-aligned range, and prepare()
 * touches its first page, so that the PTE table exists: RCU mode does
 * not install page tables.
 */
#define NONE (-1)

struct phase {
	const char *name;
	void (*prepare)(void);
	void (*run)(void);
	int rcu_pct;
};

static unsigned char *area;	/* the mapping of the current phase */

/* Map NPAGES pages inside one PMD-aligned range (one PTE table). */
static unsigned char *map_aligned(int prot, int flags, int file)
{
	size_t len = NPAGES * page_size, span = 2 * pmd_size;
	unsigned char *r = mmap(NULL, span, PROT_NONE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	unsigned char *p;

	if (r == MAP_FAILED)
		tfatal("mmap: %s", strerror(errno));
	p = (unsigned char *)(((unsigned long)r + pmd_size - 1) & ~(pmd_size - 1));
	munmap(r, p - r);
	munmap(p + len, r + span - (p + len));
	p = mmap(p, len, prot, flags | MAP_FIXED, file ? fd : -1, 0);
	if (p == MAP_FAILED)
		tfatal("mmap: %s", strerror(errno));
	if (madvise(p, len, MADV_NOHUGEPAGE))
		tfatal("madvise(MADV_NOHUGEPAGE): %s", strerror(errno));
	return p;
}

static void anon_map(void)
{
	area = map_aligned(PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, 0);
}

/* One read fault: the PTE table is there, but no anon_vma yet. */
static void anon_map_read_one(void)
{
	anon_map();
	check(area[0] == 0, "anonymous page 0 not zero");
}

/* One write fault: the PTE table and the anon_vma are there. */
static void anon_map_write_one(void)
{
	anon_map();
	area[0] = 1;
}

/* Every page mapped to the zero page. */
static void anon_map_read_all(void)
{
	anon_map();
	for (int i = 0; i < NPAGES; i++)
		check(area[i * page_size] == 0, "anonymous page %d not zero", i);
}

static void anon_read(void)
{
	for (int i = 0; i < NPAGES; i++)
		check(area[i * page_size] == 0, "anonymous page %d not zero", i);
	munmap(area, NPAGES * page_size);
}

/* Writes: the first write to a page, or over the zero page. */
static void anon_write(void)
{
	for (int i = 1; i < NPAGES; i++)
		area[i * page_size + 1] = (unsigned char)i;
	for (int i = 1; i < NPAGES; i++)
		check(area[i * page_size + 1] == (unsigned char)i && area[i * page_size] == 0,
		      "anonymous page %d lost its data", i);
	munmap(area, NPAGES * page_size);
}

static void file_map_shared(void)
{
	area = map_aligned(PROT_READ, MAP_SHARED, 1);
	check(pattern_check(area, 1, SEED, 0) < 0, "file page 0 differs from the file");
}

static void file_map_private(void)
{
	area = map_aligned(PROT_READ, MAP_PRIVATE, 1);
	check(pattern_check(area, 1, SEED, 0) < 0, "file page 0 differs from the file");
}

static void file_read(void)
{
	long off = pattern_check(area, NPAGES * page_size, SEED, 0);

	check(off < 0, "file mapping differs from the file at byte %ld", off);
	munmap(area, NPAGES * page_size);
}

/*
 * Fault-around switched off (fault_around_bytes of one page, the default
 * with 64K pages): RCU mode still maps the faulting page, alone.
 */
#define FAULT_AROUND "/sys/kernel/debug/fault_around_bytes"
static char fault_around_saved[32];

static void fault_around_write(const char *val)
{
	int f = open(FAULT_AROUND, O_WRONLY);

	if (f < 0 || write(f, val, strlen(val)) != (ssize_t)strlen(val))
		tfatal("writing %s to " FAULT_AROUND ": %s", val, strerror(errno));
	close(f);
}

static void file_map_shared_no_around(void)
{
	char one[32];
	int f = open(FAULT_AROUND, O_RDONLY);
	ssize_t n;

	if (f < 0)
		tfatal(FAULT_AROUND ": %s", strerror(errno));
	n = read(f, fault_around_saved, sizeof(fault_around_saved) - 1);
	close(f);
	if (n <= 0)
		tfatal("reading " FAULT_AROUND ": %s", strerror(errno));
	fault_around_saved[n] = 0;
	snprintf(one, sizeof(one), "%ld", page_size);
	fault_around_write(one);
	file_map_shared();
}

static void file_read_no_around(void)
{
	file_read();
	fault_around_write(fault_around_saved);
}

/* The last page read: the PTE table is there, the writes fault elsewhere. */
static void file_map_shared_rw(void)
{
	area = map_aligned(PROT_READ | PROT_WRITE, MAP_SHARED, 1);
	check(pattern_check(area + (NPAGES - 1) * page_size, 1, SEED,
			    (NPAGES - 1) * page_size) < 0, "file page differs from the file");
}

static void file_map_private_rw(void)
{
	area = map_aligned(PROT_READ | PROT_WRITE, MAP_PRIVATE, 1);
	check(pattern_check(area + (NPAGES - 1) * page_size, 1, SEED,
			    (NPAGES - 1) * page_size) < 0, "file page differs from the file");
}

/* The file's byte at off, with its bits flipped. */
static unsigned char flipped(size_t off)
{
	unsigned char b;

	pattern_fill(&b, 1, SEED, off);
	return b ^ 0xff;
}

/*
 * A write to each page, not preceded by a read (that would map the page
 * first, and make the write a write-protect fault, or no fault at all).
 */
static void file_write(void)
{
	for (int i = 0; i < NPAGES; i++)
		area[i * page_size] = flipped(i * page_size);
}

/* Writes to a shared file mapping reach the file (restored afterwards). */
static void file_write_shared(void)
{
	unsigned char b = 0;

	file_write();
	check(pread(fd, &b, 1, 7 * page_size) == 1, "pread: %s", strerror(errno));
	check(b == flipped(7 * page_size), "shared write did not reach the file");
	for (int i = 0; i < NPAGES; i++)
		area[i * page_size] = flipped(i * page_size) ^ 0xff;
	munmap(area, NPAGES * page_size);
}

/* Writes to a private file mapping copy the page; the file keeps its bytes. */
static void file_write_private(void)
{
	unsigned char b = 0;

	file_write();
	check(pread(fd, &b, 1, 7 * page_size) == 1, "pread: %s", strerror(errno));
	check(b == (flipped(7 * page_size) ^ 0xff), "private write reached the file");
	check(area[7 * page_size] == flipped(7 * page_size), "private write lost");
	munmap(area, NPAGES * page_size);
}

static const struct phase phases[] = {
	/* The zero page, and new folios: do_anonymous_page(). */
	{ "anonymous read", anon_map_read_one, anon_read, 99 },
	{ "anonymous write", anon_map_write_one, anon_write, 99 },
	/* The first fault installs the table and prepares the anon_vma. */
	{ "anonymous first writes", anon_map, anon_write, 95 },
	/* Copy on write of the zero page: do_wp_page(), not handled. */
	{ "anonymous write over zero page", anon_map_read_all, anon_write, NONE },
	/* Fault-around in the page cache: filemap_map_pages(). */
	{ "page-cache read, shared", file_map_shared, file_read, 95 },
	{ "page-cache read, private", file_map_private, file_read, 95 },
	{ "page-cache read, no fault-around", file_map_shared_no_around,
	  file_read_no_around, 99 },
	/* ->page_mkwrite and copy on write: not handled. */
	{ "page-cache write, shared", file_map_shared_rw, file_write_shared, NONE },
	{ "page-cache write, private", file_map_private_rw, file_write_private, NONE },
};

static int sysctl_value(void)
{
	char buf[16] = "";
	int f = open("/proc/sys/vm/rcu_page_fault", O_RDONLY);

	if (f < 0)
		return -1;
	if (read(f, buf, sizeof(buf) - 1) <= 0)
		buf[0] = 0;
	close(f);
	return atoi(buf);
}

static void set_switch(int on)
{
	int err = write_file("/proc/sys/vm/rcu_page_fault", on ? "1" : "0");

	if (err)
		tfatal("writing vm.rcu_page_fault: %s", strerror(-err));
	check(sysctl_value() == on, "vm.rcu_page_fault reads %d after writing %d",
	      sysctl_value(), on);
}

/* Check a window in which this process took only faults that complete. */
static void check_counts(const char *what, const struct fault_window *w, enum mode m,
			 int rcu_pct)
{
	long faults = window_faults(w);
	long long success = window_delta(w, "rcu_fault_success");
	long long fallback = window_delta(w, "rcu_fault_fallback");
	long long disabled = window_delta(w, "rcu_fault_fallback_disabled");
	long long locked = window_delta(w, "vma_lock_success");

	window_show(w, what);
	check(faults > 0, "%s: no faults taken", what);
	if (m == COMPILED_OUT) {
		check(success < 0 && fallback < 0 && disabled < 0,
		      "%s: rcu_fault counters exist with the option compiled out", what);
		check(locked == faults, "%s: vma_lock_success +%lld for %ld faults",
		      what, locked, faults);
		return;
	}
	check(success >= 0 && fallback >= 0 && disabled >= 0,
	      "%s: the kernel has no rcu_fault counters", what);
	if (m == OFF) {
		check(success == 0 && fallback == 0,
		      "%s: switch off, but %lld faults tried in RCU mode", what,
		      success + fallback);
		check(disabled == faults, "%s: rcu_fault_fallback_disabled +%lld for %ld faults",
		      what, disabled, faults);
		check(locked == faults, "%s: vma_lock_success +%lld for %ld faults",
		      what, locked, faults);
		return;
	}
	check(disabled == 0, "%s: switch on, but rcu_fault_fallback_disabled +%lld",
	      what, disabled);
	check(success + fallback == faults,
	      "%s: %lld faults tried in RCU mode (%lld completed), %ld taken",
	      what, success + fallback, success, faults);
	check(window_rcu_reasons(w) == fallback,
	      "%s: fallback reasons add up to %lld, rcu_fault_fallback +%lld",
	      what, window_rcu_reasons(w), fallback);
	check(locked == fallback, "%s: vma_lock_success +%lld for %lld fallbacks",
	      what, locked, fallback);
	if (rcu_pct == NONE)
		check(success == 0 && window_delta(w, "rcu_fault_fallback_not_handled") == faults,
		      "%s: %lld of %ld faults completed in RCU mode, none should",
		      what, success, faults);
	else
		check(success * 100 >= (long long)rcu_pct * faults,
		      "%s: %lld of %ld faults completed in RCU mode, want %d %%",
		      what, success, faults, rcu_pct);
}

static void run_phases(enum mode m)
{
	struct fault_window w;
	char what[128];

	for (size_t i = 0; i < sizeof(phases) / sizeof(phases[0]); i++) {
		snprintf(what, sizeof(what), "%s [%s]", phases[i].name, mode_name[m]);
		phases[i].prepare();
		window_begin(&w);
		phases[i].run();
		window_end(&w);
		check_counts(what, &w, m, phases[i].rcu_pct);
	}
}

/*
 * One faulting access that must signal; reason is the rcu_fault_fallback
 * reason it must be counted under when the switch is on (NULL: any).
 */
static void check_signal(const char *what, volatile unsigned char *addr, int sig,
			 int code, enum mode m, const char *reason)
{
	struct fault_window w;
	char name[96];
	void *at = NULL;
	int got, got_code = 0;

	window_begin(&w);
	got = probe_read(addr, &got_code, &at);
	window_end(&w);
	window_show(&w, what);
	check(got == sig && got_code == code && at == addr,
	      "%s: signal %d code %d at %p, expected %d code %d at %p", what, got,
	      got_code, at, sig, code, (void *)addr);
	check(window_faults(&w) == 0, "%s: %ld faults counted as completed", what,
	      window_faults(&w));
	if (m == COMPILED_OUT)
		return;
	if (m == OFF) {
		check(window_delta(&w, "rcu_fault_fallback") == 0 &&
		      window_delta(&w, "rcu_fault_success") == 0,
		      "%s: switch off, but the fault was tried in RCU mode", what);
		return;
	}
	check(window_delta(&w, "rcu_fault_success") == 0,
	      "%s: an RCU-mode fault completed with a signal", what);
	check(window_delta(&w, "rcu_fault_fallback") == 1,
	      "%s: rcu_fault_fallback +%lld, expected 1", what,
	      window_delta(&w, "rcu_fault_fallback"));
	if (reason) {
		snprintf(name, sizeof(name), "rcu_fault_fallback_%s", reason);
		check(window_delta(&w, name) == 1, "%s: %s +%lld, expected 1", what, name,
		      window_delta(&w, name));
	}
}

static void run_signals(enum mode m)
{
	unsigned char *p = xmmap(NULL, 3 * page_size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
				 -1, 0);
	unsigned char *f;
	char what[96];

	/* Warm up the signal path: the handler's stack pages, sigaction. */
	munmap(p + page_size, page_size);
	probe_read(p + page_size, NULL, NULL);
	snprintf(what, sizeof(what), "SIGSEGV unmapped [%s]", mode_name[m]);
	check_signal(what, p + page_size + 8, SIGSEGV, SEGV_MAPERR, m, "no_vma");
	mprotect(p, page_size, PROT_NONE);
	snprintf(what, sizeof(what), "SIGSEGV PROT_NONE [%s]", mode_name[m]);
	check_signal(what, p, SIGSEGV, SEGV_ACCERR, m, "access");
	munmap(p, 3 * page_size);

	/* A file of one page mapped over two pages: the second is past EOF. */
	f = xmmap(NULL, 2 * page_size, PROT_READ, MAP_SHARED, fd, (NPAGES - 1) * page_size);
	snprintf(what, sizeof(what), "SIGBUS past EOF [%s]", mode_name[m]);
	check_signal(what, f + page_size, SIGBUS, BUS_ADRERR, m, NULL);
	munmap(f, 2 * page_size);
}

static void run(enum mode m)
{
	run_phases(m);
	run_signals(m);
}

int main(int argc, char **argv)
{
	const char *mode;

	test_init(argv[0]);
	if (argc < 3)
		tfatal("usage: %s on|boot-off|compiled-out DIR", argv[0]);
	mode = argv[1];
	snprintf(path, sizeof(path), "%s/rcu_mode.dat", argv[2]);
	make_file(path, NPAGES * page_size, SEED);
	fd = open(path, O_RDWR);
	if (fd < 0)
		tfatal("open %s: %s", path, strerror(errno));

	if (!strcmp(mode, "compiled-out")) {
		check(sysctl_value() < 0, "vm.rcu_page_fault exists");
		run(COMPILED_OUT);
	} else if (!strcmp(mode, "on")) {
		check(sysctl_value() == 1, "vm.rcu_page_fault is %d, expected 1",
		      sysctl_value());
		run(ON);
		set_switch(0);
		run(OFF);
		set_switch(1);
		run_phases(ON);
	} else if (!strcmp(mode, "boot-off")) {
		check(sysctl_value() == 0, "vm.rcu_page_fault is %d after rcu_page_fault=off",
		      sysctl_value());
		run(OFF);
		set_switch(1);
		run(ON);
		set_switch(0);
	} else {
		tfatal("unknown mode %s", mode);
	}
	close(fd);
	unlink(path);
	test_done();
}
