// SPDX-License-Identifier: GPL-2.0
/*
 * Anonymous faults: read faults see zeroes, written data stays, a new
 * mapping at the same address is zero again, and the faults are counted
 * (rusage, pgfault, and vma_lock_success + rcu_fault_success: no anonymous
 * fault needs the mmap_lock here).
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib.h"

#define NPAGES 512

static long zero_mismatch(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return (long)i;
	return -1;
}

int main(int argc, char **argv)
{
	struct vmstat before, after;
	long min0, maj0, min1, maj1, off, expected;
	size_t len;
	unsigned char *rd, *wr;

	(void)argc;
	test_init(argv[0]);
	len = NPAGES * page_size;

	vmstat_read(&before);
	require_counter(&before, "pgfault");
	require_counter(&before, "vma_lock_success");
	fault_counts(&min0, &maj0);

	/* Read first (zero page), then write each page (copy on write). */
	rd = xmmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	off = zero_mismatch(rd, len);
	check(off < 0, "fresh anonymous memory not zero at offset %ld", off);
	for (size_t i = 0; i < NPAGES; i++)
		pattern_fill(rd + i * page_size, page_size, 1, i * page_size);
	off = pattern_check(rd, len, 1, 0);
	check(off < 0, "read-then-written memory differs at offset %ld", off);

	/* Write first: one fault allocates and maps a new page. */
	wr = xmmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (size_t i = 0; i < NPAGES; i++)
		wr[i * page_size] = 0x5a;
	for (size_t i = 0; i < NPAGES; i++) {
		check(wr[i * page_size] == 0x5a, "page %zu lost its write", i);
		off = zero_mismatch(wr + i * page_size + 1, page_size - 1);
		check(off < 0, "page %zu not zero around the write (offset %ld)", i, off + 1);
	}

	fault_counts(&min1, &maj1);
	vmstat_read(&after);
	/* Read pass, write pass over rd, write pass over wr. */
	expected = 3 * NPAGES;
	tinfo("faults: minflt +%ld majflt +%ld pgfault +%lld vma_lock_success +%lld "
	      "rcu_fault_success +%lld", min1 - min0, maj1 - maj0,
	      vmstat_delta(&before, &after, "pgfault"),
	      vmstat_delta(&before, &after, "vma_lock_success"),
	      vmstat_delta(&before, &after, "rcu_fault_success"));
	check(min1 - min0 >= expected, "minflt +%ld, expected at least %ld", min1 - min0, expected);
	check(maj1 == maj0, "anonymous faults counted as major (+%ld)", maj1 - maj0);
	check(vmstat_delta(&before, &after, "pgfault") >= expected,
	      "pgfault +%lld, expected at least %ld",
	      vmstat_delta(&before, &after, "pgfault"), expected);
	check(lockless_delta(&before, &after) >= expected,
	      "vma_lock_success + rcu_fault_success +%lld, expected at least %ld",
	      lockless_delta(&before, &after), expected);

	/* A new mapping at the same address must not show the old data. */
	munmap(rd, len);
	rd = mmap(rd, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		  -1, 0);
	check(rd != MAP_FAILED, "remap at the same address failed");
	if (rd != MAP_FAILED) {
		off = zero_mismatch(rd, len);
		check(off < 0, "remapped anonymous memory shows old data at offset %ld", off);
	}
	test_done();
}
