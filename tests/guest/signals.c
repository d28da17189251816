// SPDX-License-Identifier: GPL-2.0
/*
 * Faults that must signal, as POSIX says: SIGSEGV with SEGV_MAPERR on an
 * unmapped address, SIGSEGV with SEGV_ACCERR on PROT_NONE and on a write
 * to read-only memory, SIGBUS with BUS_ADRERR on a file mapping past EOF
 * (argv[1..]: directories to make the files in); si_addr is the address
 * touched.  Accesses that are allowed must not signal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib.h"

static const char *sig_name(int sig)
{
	return sig ? strsignal(sig) : "no signal";
}

/* Expect the access to raise sig with code (sig 0: no signal). */
static void expect(const char *what, int write, volatile unsigned char *addr,
		   int sig, int code)
{
	void *fault_addr = NULL;
	int got_code = 0;
	int got = write ? probe_write(addr, 1, &got_code, &fault_addr) :
			  probe_read(addr, &got_code, &fault_addr);

	if (got != sig) {
		tfail("%s: %s %p: got %s, expected %s", what, write ? "write" : "read",
		      (void *)addr, sig_name(got), sig_name(sig));
		return;
	}
	if (!sig)
		return;
	check(got_code == code, "%s: si_code %d, expected %d", what, got_code, code);
	check(fault_addr == (void *)addr, "%s: si_addr %p, expected %p", what,
	      fault_addr, (void *)addr);
}

static void anon_cases(void)
{
	unsigned char *p = xmmap(NULL, 3 * page_size, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *hole = p + page_size;

	munmap(hole, page_size);
	expect("unmapped", 0, hole, SIGSEGV, SEGV_MAPERR);
	expect("unmapped", 1, hole + 100, SIGSEGV, SEGV_MAPERR);
	expect("below the hole", 1, p, 0, 0);
	expect("above the hole", 0, p + 2 * page_size, 0, 0);

	check(mprotect(p, page_size, PROT_NONE) == 0, "mprotect: %s", strerror(errno));
	expect("PROT_NONE", 0, p, SIGSEGV, SEGV_ACCERR);
	expect("PROT_NONE", 1, p + 8, SIGSEGV, SEGV_ACCERR);
	check(mprotect(p, page_size, PROT_READ) == 0, "mprotect: %s", strerror(errno));
	expect("PROT_READ", 0, p, 0, 0);
	expect("PROT_READ", 1, p, SIGSEGV, SEGV_ACCERR);
	check(p[0] == 1, "data written before mprotect lost");
	check(mprotect(p, page_size, PROT_READ | PROT_WRITE) == 0, "mprotect: %s",
	      strerror(errno));
	expect("PROT_READ|PROT_WRITE", 1, p, 0, 0);

	/* Never-touched PROT_NONE memory. */
	p = xmmap(NULL, page_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	expect("fresh PROT_NONE", 0, p, SIGSEGV, SEGV_ACCERR);
	expect("fresh PROT_NONE", 1, p, SIGSEGV, SEGV_ACCERR);
	munmap(p, page_size);
}

static void file_cases(const char *dir)
{
	char path[256], what[300];
	unsigned char *p;
	int fd;

	snprintf(path, sizeof(path), "%s/signals.dat", dir);
	make_file(path, page_size + 100, 3);
	fd = open(path, O_RDWR);
	if (fd < 0)
		tfatal("open %s: %s", path, strerror(errno));

	/* Four pages mapped over a file of one page and 100 bytes. */
	p = xmmap(NULL, 4 * page_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	snprintf(what, sizeof(what), "%s: inside the file", dir);
	expect(what, 0, p, 0, 0);
	expect(what, 0, p + page_size + 99, 0, 0);
	snprintf(what, sizeof(what), "%s: partial last page, past EOF", dir);
	expect(what, 0, p + page_size + 100, 0, 0);
	check(p[page_size + 100] == 0, "%s: byte past EOF is not zero", dir);
	snprintf(what, sizeof(what), "%s: page past EOF", dir);
	expect(what, 0, p + 2 * page_size, SIGBUS, BUS_ADRERR);
	expect(what, 1, p + 3 * page_size + 5, SIGBUS, BUS_ADRERR);

	/* Truncation makes mapped pages past the new EOF raise SIGBUS. */
	check(ftruncate(fd, 0) == 0, "ftruncate: %s", strerror(errno));
	snprintf(what, sizeof(what), "%s: after truncate to 0", dir);
	expect(what, 0, p, SIGBUS, BUS_ADRERR);
	check(ftruncate(fd, page_size) == 0, "ftruncate: %s", strerror(errno));
	snprintf(what, sizeof(what), "%s: after re-extending", dir);
	expect(what, 0, p, 0, 0);
	check(p[0] == 0, "%s: re-extended file shows stale data", dir);
	munmap(p, 4 * page_size);

	/* Writing through a read-only private file mapping. */
	p = xmmap(NULL, page_size, PROT_READ, MAP_PRIVATE, fd, 0);
	snprintf(what, sizeof(what), "%s: read-only file mapping", dir);
	expect(what, 0, p, 0, 0);
	expect(what, 1, p, SIGSEGV, SEGV_ACCERR);
	munmap(p, page_size);
	close(fd);
	unlink(path);
}

int main(int argc, char **argv)
{
	test_init(argv[0]);
	anon_cases();
	for (int i = 1; i < argc; i++)
		file_cases(argv[i]);
	test_done();
}
