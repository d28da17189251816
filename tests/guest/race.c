// SPDX-License-Identifier: GPL-2.0
/*
 * Faults racing with the writers that change what they fault on.
 *
 * Usage: race NAME DIR [SECONDS]
 *
 * Reader threads fault a mapping again and again while a mutator thread
 * changes it: munmap() and mmap() of another file or of fresh anonymous
 * memory at the same address, truncate and re-extend, mprotect() flips,
 * mremap() back and forth, MADV_DONTNEED and MADV_FREE, fork(), and
 * threads that exit.  The mutator makes an epoch counter odd while it
 * changes the mapping and even when it is done; a reader checks what it
 * read against the state of the epoch only when the epoch was the same,
 * and even, before and after the read.  A reader that reads stale or
 * foreign data, or gets a signal it should not (or none when it should),
 * fails the test.  The mappings are PMD-aligned; most keep an anchor
 * page in the same PTE table, so that the table outlives munmap() and RCU
 * mode finds it.  Kernel reports, and leaked page tables or bad rss
 * counters when the process exits, are caught by the console classifier.
 * At the end, the faults must have taken the RCU path.
 *
 * NAME: file-remap file-truncate file-mprotect file-mremap file-dontneed
 *       file-fork anon-remap anon-mprotect anon-mremap anon-dontneed
 *       anon-free anon-fork anon-exit
 * DIR:  where to make the files; SECONDS: how long (default 3; longer,
 *       up to 10 times, until the mutator has done 11 rounds).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib.h"

#define NREADERS 3
#define PMD_SIZE_ pmd_size
#define NP_PMD ((int)(PMD_SIZE_ / page_size))	/* pages in a PMD-sized mapping */
/* Pages in the small mappings: 64, or half a PTE table if that is less. */
#define NP (NP_PMD / 2 < 64 ? NP_PMD / 2 : 64)
#define CHUNK 64		/* bytes a reader reads or writes at a time */
#define MIN_ROUNDS 11		/* mutator rounds below which the race did not run */

static volatile int stop;
static unsigned long epoch;	/* odd while the mutator changes things */
static unsigned char *region;	/* 2 PMDs reserved: the first is X */
static unsigned char *X, *Y;	/* the mapping's two places (Y: mremap) */
static size_t len;		/* the mapping's length */
static int npages;
static int fds[2];
static char paths[2][256];
static const char *dir;

static unsigned long epoch_get(void)
{
	return __atomic_load_n(&epoch, __ATOMIC_ACQUIRE);
}

static void epoch_bump(void)
{
	__atomic_add_fetch(&epoch, 1, __ATOMIC_ACQ_REL);
}

/* ---- Guarded accesses: a fault that signals returns the signal. ---- */

static __thread sigjmp_buf probe_jmp;
static __thread volatile int probing;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	if (!probing) {
		signal(sig, SIG_DFL);
		raise(sig);
	}
	siglongjmp(probe_jmp, sig);
}

/*
 * Copy n bytes; a 64-bit word (both ends aligned) in one load and one
 * store.  memcpy() may split 8 bytes into two 4-byte copies (glibc's
 * does on ppc64le), and a mapping replaced between the halves gives a
 * torn word that no thread ever wrote.
 */
static int guarded_copy(void *dst, const void *src, size_t n)
{
	int sig;

	probing = 1;
	sig = sigsetjmp(probe_jmp, 0);
	if (!sig && n == sizeof(uint64_t))
		__atomic_store_n((uint64_t *)dst,
				 __atomic_load_n((const uint64_t *)src, __ATOMIC_RELAXED),
				 __ATOMIC_RELAXED);
	else if (!sig)
		memcpy(dst, src, n);
	probing = 0;
	return sig;
}

/*
 * Whether the race has yet to show what it is for: MIN_ROUNDS mutator
 * rounds, and (where the kernel counts them) a fault completed in RCU
 * mode since the window began.  Reads /proc/vmstat into w->after, which
 * window_end() overwrites.
 */
static int need_more(struct fault_window *w, unsigned long rounds)
{
	long long before = vmstat_get(&w->before, "rcu_fault_success");

	if (rounds < MIN_ROUNDS)
		return 1;
	if (before < 0)
		return 0;
	vmstat_read(&w->after);
	return vmstat_get(&w->after, "rcu_fault_success") <= before;
}

static unsigned int rnd(unsigned int *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 8;
}

/* ---- Mappings ---- */

/* Reserve two PMD-sized ranges: X, PMD-aligned, and Y after it. */
static void reserve(void)
{
	unsigned char *r = mmap(NULL, 3 * PMD_SIZE_, PROT_NONE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (r == MAP_FAILED)
		tfatal("mmap: %s", strerror(errno));
	region = (unsigned char *)(((unsigned long)r + PMD_SIZE_ - 1) & ~(PMD_SIZE_ - 1));
	X = region;
	Y = region + PMD_SIZE_;
}

static void map_at(unsigned char *at, int prot, int flags, int fd)
{
	if (mmap(at, len, prot, flags | MAP_FIXED, fd, 0) != at)
		tfatal("mmap at %p: %s", (void *)at, strerror(errno));
	madvise(at, len, MADV_NOHUGEPAGE);
}

/* One touched anonymous page at the end of X's PMD: the PTE table stays. */
static void anchor(void)
{
	unsigned char *a = X + PMD_SIZE_ - page_size;

	if (mmap(a, page_size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != a)
		tfatal("mmap: %s", strerror(errno));
	a[0] = 1;
}

static void make_files(int n, int pages)
{
	for (int i = 0; i < n; i++) {
		snprintf(paths[i], sizeof(paths[i]), "%s/race%d.dat", dir, i);
		make_file(paths[i], (size_t)pages * page_size, i + 1);
		fds[i] = open(paths[i], O_RDWR);
		if (fds[i] < 0)
			tfatal("open %s: %s", paths[i], strerror(errno));
	}
}

/* Check CHUNK bytes read at offset off of the mapping against file seed. */
static void check_file_bytes(const char *what, const unsigned char *buf, size_t off,
			     uint32_t seed)
{
	long bad = pattern_check(buf, CHUNK, seed, off);

	if (bad >= 0)
		tfail("%s: byte %zu is %#x, the file (seed %u) has another", what,
		      off + bad, buf[bad], seed);
}

/* ---- The races ---- */

struct race {
	const char *name;
	void (*setup)(void);
	void (*mutate)(unsigned long round);	/* from state round to round + 1 */
	void (*read)(int id, unsigned int *seed); /* one check by a reader */
};

/* file-remap: munmap(), then mmap() of the other file at the same place. */
static void file_remap_setup(void)
{
	make_files(2, NP);
	map_at(X, PROT_READ, MAP_SHARED, fds[0]);
}

static void file_remap_mutate(unsigned long round)
{
	munmap(X, len);
	map_at(X, PROT_READ, MAP_SHARED, fds[(round + 1) & 1]);
}

static void file_remap_read(int id, unsigned int *seed)
{
	unsigned long e = epoch_get();
	size_t off = (size_t)(rnd(seed) % npages) * page_size + rnd(seed) % (page_size - CHUNK);
	unsigned char buf[CHUNK];
	int sig = guarded_copy(buf, X + off, CHUNK);

	(void)id;
	if (e & 1 || epoch_get() != e)
		return;
	if (sig)
		tfail("file-remap: signal %d reading a mapped file", sig);
	else
		check_file_bytes("file-remap", buf, off, (e / 2) % 2 + 1);
}

/* file-truncate: truncate to 0, extend, write new contents. */
static void file_truncate_setup(void)
{
	make_files(1, NP);
	map_at(X, PROT_READ, MAP_SHARED, fds[0]);
}

static void file_truncate_mutate(unsigned long round)
{
	char buf[4096];

	if (ftruncate(fds[0], 0) || ftruncate(fds[0], len))
		tfail("ftruncate: %s", strerror(errno));
	for (size_t off = 0; off < len; off += sizeof(buf)) {
		pattern_fill(buf, sizeof(buf), round + 2, off);
		if (pwrite(fds[0], buf, sizeof(buf), off) != sizeof(buf))
			tfail("pwrite: %s", strerror(errno));
	}
}

static void file_truncate_read(int id, unsigned int *seed)
{
	unsigned long e = epoch_get();
	size_t off = (size_t)(rnd(seed) % npages) * page_size + rnd(seed) % (page_size - CHUNK);
	unsigned char buf[CHUNK];
	int sig = guarded_copy(buf, X + off, CHUNK);

	(void)id;
	if (e & 1 || epoch_get() != e)
		return;
	if (sig)
		tfail("file-truncate: signal %d inside the file", sig);
	else
		check_file_bytes("file-truncate", buf, off, e / 2 + 1);
}

/* file-mprotect: PROT_READ and PROT_NONE in turn. */
static void file_mprotect_setup(void)
{
	make_files(1, NP);
	map_at(X, PROT_READ, MAP_SHARED, fds[0]);
}

static void file_mprotect_mutate(unsigned long round)
{
	if (mprotect(X, len, (round + 1) % 2 ? PROT_NONE : PROT_READ))
		tfail("mprotect: %s", strerror(errno));
}

static void file_mprotect_read(int id, unsigned int *seed)
{
	unsigned long e = epoch_get();
	size_t off = (size_t)(rnd(seed) % npages) * page_size + rnd(seed) % (page_size - CHUNK);
	unsigned char buf[CHUNK];
	int sig = guarded_copy(buf, X + off, CHUNK);

	(void)id;
	if (e & 1 || epoch_get() != e)
		return;
	if ((e / 2) % 2) {
		if (sig != SIGSEGV)
			tfail("file-mprotect: PROT_NONE read gave signal %d", sig);
	} else if (sig) {
		tfail("file-mprotect: PROT_READ read gave signal %d", sig);
	} else {
		check_file_bytes("file-mprotect", buf, off, 1);
	}
}

/* file-mremap: a whole PMD-sized mapping moves between X and Y (table moves). */
static void file_mremap_setup(void)
{
	make_files(1, NP_PMD);
	map_at(X, PROT_READ, MAP_SHARED, fds[0]);
}

/* Keep the place the mapping left reserved, so that nothing else lands there. */
static void file_mremap_mutate(unsigned long round)
{
	unsigned char *from = round % 2 ? Y : X, *to = round % 2 ? X : Y;

	if (mremap(from, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, to) != to)
		tfail("mremap: %s", strerror(errno));
	if (mmap(from, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
		 MAP_FIXED, -1, 0) != from)
		tfail("mmap: %s", strerror(errno));
}

static void file_mremap_read(int id, unsigned int *seed)
{
	unsigned long e = epoch_get();
	unsigned char *at = (e / 2) % 2 ? Y : X;
	size_t off = (size_t)(rnd(seed) % npages) * page_size + rnd(seed) % (page_size - CHUNK);
	unsigned char buf[CHUNK];
	int sig = guarded_copy(buf, at + off, CHUNK);

	(void)id;
	if (e & 1 || epoch_get() != e)
		return;
	if (sig)
		tfail("file-mremap: signal %d reading the moved mapping", sig);
	else
		check_file_bytes("file-mremap", buf, off, 1);
}

/* file-dontneed: zap random ranges; empty PTE tables are reclaimed. */
static void file_dontneed_setup(void)
{
	make_files(1, NP);
	map_at(X, PROT_READ, MAP_SHARED, fds[0]);
}

static void file_dontneed_mutate(unsigned long round)
{
	unsigned int s = round;
	size_t first = rnd(&s) % npages, n = round % 4 ? 1 + rnd(&s) % 8 : (size_t)npages;

	if (first + n > (size_t)npages || n == (size_t)npages)
		first = 0, n = npages;
	madvise(X + first * page_size, n * page_size, MADV_DONTNEED);
}

/* Zapping never changes what a file mapping reads: every read must match. */
static void file_dontneed_read(int id, unsigned int *seed)
{
	size_t off = (size_t)(rnd(seed) % npages) * page_size + rnd(seed) % (page_size - CHUNK);
	unsigned char buf[CHUNK];
	int sig = guarded_copy(buf, X + off, CHUNK);

	(void)id;
	if (sig)
		tfail("file-dontneed: signal %d", sig);
	else
		check_file_bytes("file-dontneed", buf, off, 1);
}

/* file-fork: children read the mapping while the parent's threads fault it. */
static void file_fork_setup(void)
{
	make_files(1, NP);
	map_at(X, PROT_READ, MAP_SHARED, fds[0]);
}

static void file_fork_mutate(unsigned long round)
{
	pid_t pid;
	int status;

	madvise(X, len, MADV_DONTNEED);
	pid = fork();
	if (pid < 0) {
		tfail("fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		long bad = pattern_check(X, len, 1, 0);

		_exit(bad >= 0 ? 1 : 0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		tfail("file-fork: child of round %lu saw the wrong data", round);
}

/* anon: each reader owns the pages i with i % NREADERS == id. */
static uint64_t token(unsigned long e, int id, int page)
{
	return 0x5eed000000000000ull | ((uint64_t)(e & 0xffffff) << 24) |
	       ((uint64_t)id << 16) | (uint64_t)page;
}

static int token_id(uint64_t t)
{
	return (t >> 48) == 0x5eed ? (int)((t >> 16) & 0xff) : -1;
}

static int token_page(uint64_t t)
{
	return (int)(t & 0xffff);
}

/*
 * Read this reader's word of a page, then write a new token there, or (one
 * time in two, so that the write is what faults) write first.  A word must
 * be zero (fresh, zapped or replaced memory) or a token this reader wrote
 * to this page; and, if the epoch stayed e, the new token reads back.  The
 * mapping is at at, and readable and writable, in epoch e.
 */
static void anon_read_write(const char *what, unsigned long e, unsigned char *at,
			    int id, unsigned int *seed, int readable, int writable)
{
	int page = (rnd(seed) % (npages / NREADERS)) * NREADERS + id;
	uint64_t *w = (uint64_t *)(at + (size_t)page * page_size) + id;
	uint64_t old = 0, t = token(e, id, page), back = 0;
	int read_first = rnd(seed) & 1;
	int rsig = read_first ? guarded_copy(&old, w, sizeof(old)) : 0;
	int wsig = guarded_copy(w, &t, sizeof(t));
	int bsig = wsig ? wsig : guarded_copy(&back, w, sizeof(back));
	int stable = !(e & 1) && epoch_get() == e;

	if (read_first && !rsig && old && (token_id(old) != id || token_page(old) != page))
		tfail("%s: page %d holds %#llx, not zero or a token of reader %d", what,
		      page, (unsigned long long)old, id);
	if (!stable)
		return;
	if (read_first && readable != !rsig)
		tfail("%s: read of page %d gave signal %d (readable: %d)", what, page,
		      rsig, readable);
	if (writable != !wsig)
		tfail("%s: write to page %d gave signal %d (writable: %d)", what, page,
		      wsig, writable);
	if (!wsig && !bsig && back != t)
		tfail("%s: page %d reads %#llx after writing %#llx", what, page,
		      (unsigned long long)back, (unsigned long long)t);
}

static void anon_setup(void)
{
	map_at(X, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
}

static void anon_remap_mutate(unsigned long round)
{
	(void)round;
	munmap(X, len);
	map_at(X, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
}

static void anon_plain_read(int id, unsigned int *seed)
{
	anon_read_write("anon", epoch_get(), X, id, seed, 1, 1);
}

/* anon-mprotect: read-write, read-only, none, in turn. */
static void anon_mprotect_mutate(unsigned long round)
{
	static const int prot[] = { PROT_READ | PROT_WRITE, PROT_READ, PROT_NONE };

	if (mprotect(X, len, prot[(round + 1) % 3]))
		tfail("mprotect: %s", strerror(errno));
}

static void anon_mprotect_read(int id, unsigned int *seed)
{
	unsigned long e = epoch_get();
	int state = (e / 2) % 3;

	anon_read_write("anon-mprotect", e, X, id, seed, state != 2, state == 0);
}

static void anon_mremap_mutate(unsigned long round)
{
	file_mremap_mutate(round);
}

static void anon_mremap_read(int id, unsigned int *seed)
{
	unsigned long e = epoch_get();

	anon_read_write("anon-mremap", e, (e / 2) % 2 ? Y : X, id, seed, 1, 1);
}

static void anon_dontneed_mutate(unsigned long round)
{
	unsigned int s = round;
	size_t first = rnd(&s) % npages, n = 1 + rnd(&s) % 8;

	if (first + n > (size_t)npages || round % 4 == 0)
		first = 0, n = npages;
	madvise(X + first * page_size, n * page_size, MADV_DONTNEED);
}

static void anon_free_mutate(unsigned long round)
{
	unsigned int s = round;
	size_t first = rnd(&s) % npages, n = 1 + rnd(&s) % 8;

	if (first + n > (size_t)npages)
		first = 0, n = npages;
	madvise(X + first * page_size, n * page_size, MADV_FREE);
}

/*
 * anon-fork: the child must see, in each page, zero or a token of the
 * parent, and its own writes must not reach the parent.
 */
static void anon_fork_mutate(unsigned long round)
{
	pid_t pid;
	int status;

	(void)round;
	pid = fork();
	if (pid < 0) {
		tfail("fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		int bad = 0;

		for (int p = 0; p < npages; p++) {
			uint64_t *w = (uint64_t *)(X + (size_t)p * page_size);

			for (int id = 0; id < NREADERS; id++) {
				if (w[id] && (token_id(w[id]) != id || token_page(w[id]) != p))
					bad = 1;
				w[id] = token(0, 0xee, p);
			}
		}
		_exit(bad);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		tfail("anon-fork: the child saw data that was never written there");
}

/* anon-exit: threads that fault their pages and exit, again and again. */
static void *exiting_thread(void *arg)
{
	unsigned int seed = (unsigned int)(unsigned long)arg;

	for (int i = 0; i < 16; i++)
		anon_read_write("anon-exit", epoch_get(), X, NREADERS - 1, &seed, 1, 1);
	return NULL;
}

static void anon_exit_mutate(unsigned long round)
{
	pthread_t t;

	if (round % 8 == 0)
		madvise(X, len, MADV_DONTNEED);
	if (pthread_create(&t, NULL, exiting_thread, (void *)(unsigned long)round))
		tfail("pthread_create: %s", strerror(errno));
	else
		pthread_join(t, NULL);
}

static void anon_exit_read(int id, unsigned int *seed)
{
	/* Reader NREADERS - 1's pages belong to the exiting threads. */
	if (id != NREADERS - 1)
		anon_read_write("anon-exit", epoch_get(), X, id, seed, 1, 1);
	else
		usleep(1000);
}

static const struct race races[] = {
	{ "file-remap", file_remap_setup, file_remap_mutate, file_remap_read },
	{ "file-truncate", file_truncate_setup, file_truncate_mutate, file_truncate_read },
	{ "file-mprotect", file_mprotect_setup, file_mprotect_mutate, file_mprotect_read },
	{ "file-mremap", file_mremap_setup, file_mremap_mutate, file_mremap_read },
	{ "file-dontneed", file_dontneed_setup, file_dontneed_mutate, file_dontneed_read },
	{ "file-fork", file_fork_setup, file_fork_mutate, file_dontneed_read },
	{ "anon-remap", anon_setup, anon_remap_mutate, anon_plain_read },
	{ "anon-mprotect", anon_setup, anon_mprotect_mutate, anon_mprotect_read },
	{ "anon-mremap", anon_setup, anon_mremap_mutate, anon_mremap_read },
	{ "anon-dontneed", anon_setup, anon_dontneed_mutate, anon_plain_read },
	{ "anon-free", anon_setup, anon_free_mutate, anon_plain_read },
	{ "anon-fork", anon_setup, anon_fork_mutate, anon_plain_read },
	{ "anon-exit", anon_setup, anon_exit_mutate, anon_exit_read },
};

static const struct race *race;

struct reader {
	pthread_t thread;
	int id;
	unsigned long checks;
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	unsigned int seed = 12345u * (r->id + 1);

	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		race->read(r->id, &seed);
		r->checks++;
	}
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO | SA_NODEFER };
	struct reader readers[NREADERS];
	struct fault_window w;
	unsigned long rounds = 0, checks = 0;
	double seconds, start, end;
	int mremap_race;

	test_init(argv[0]);
	if (argc < 3)
		tfatal("usage: %s NAME DIR [SECONDS]", argv[0]);
	for (size_t i = 0; i < sizeof(races) / sizeof(races[0]); i++)
		if (!strcmp(argv[1], races[i].name))
			race = &races[i];
	if (!race)
		tfatal("no race %s", argv[1]);
	dir = argv[2];
	seconds = argc > 3 ? atof(argv[3]) : 3;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);

	/* mremap moves a whole PTE table: a PMD-sized mapping, no anchor. */
	mremap_race = strstr(race->name, "mremap") != NULL;
	npages = mremap_race ? NP_PMD : NP;
	len = (size_t)npages * page_size;
	reserve();
	if (!mremap_race && strcmp(race->name, "file-dontneed"))
		anchor();
	race->setup();

	/* Its pages faulted in now, not in the window (need_more() reads into it). */
	memset(&w, 0, sizeof(w));
	window_begin(&w);
	for (int i = 0; i < NREADERS; i++) {
		readers[i] = (struct reader){ .id = i };
		pthread_create(&readers[i].thread, NULL, reader_main, &readers[i]);
	}
	start = now();
	end = start + seconds;
	/*
	 * At least MIN_ROUNDS rounds and one fault completed in RCU mode,
	 * for up to 10 times as long, so that a slow kernel (KCSAN, a loaded
	 * host) still tests what the race is for and is not failed for its
	 * speed.
	 */
	while ((now() < end || (now() < start + 10 * seconds && need_more(&w, rounds))) &&
	       test_failures < 20) {
		unsigned int s = rounds;

		epoch_bump();
		race->mutate(rounds);
		epoch_bump();
		rounds++;
		/* A stable time, for the readers to check what is mapped. */
		usleep(rnd(&s) % 2000);
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < NREADERS; i++) {
		pthread_join(readers[i].thread, NULL);
		checks += readers[i].checks;
	}
	window_end(&w);

	tinfo("%s: %lu rounds, %lu checks in %.1f s", race->name, rounds, checks, now() - start);
	window_show(&w, race->name);
	check(rounds >= MIN_ROUNDS && checks > 100, "the race hardly ran");
	if (window_delta(&w, "rcu_fault_success") >= 0)
		check(window_delta(&w, "rcu_fault_success") > 0,
		      "no fault completed in RCU mode: the race did not test it");
	for (int i = 0; i < 2; i++)
		if (fds[i] > 0)
			unlink(paths[i]);
	test_done();
}
