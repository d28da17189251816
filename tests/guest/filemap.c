// SPDX-License-Identifier: GPL-2.0
/*
 * Page-cache faults on files in DIR (argv[1]: /tmp is tmpfs, /mnt/ext4 is
 * ext4 on the virtio disk): private and shared read mappings show the
 * file's bytes, with a cold and a warm page cache; the part of the last
 * page past EOF reads as zero; private writes stay private; shared writes
 * reach the file.  The faults must be counted (rusage, and vma_lock_success
 * + rcu_fault_success for those that need no mmap_lock).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "lib.h"

#define NPAGES 300
#define TAIL 123	/* bytes in the last, partial page */
#define SEED 7
#define EXT4_SUPER_MAGIC 0xef53

static size_t file_size;

/* Read every page of a fresh mapping and compare it with the file. */
static void check_mapping(int fd, int flags, const char *what)
{
	size_t map_len = (file_size + page_size - 1) / page_size * page_size;
	unsigned char *p = xmmap(NULL, map_len, PROT_READ, flags, fd, 0);
	long off = pattern_check(p, file_size, SEED, 0);

	check(off < 0, "%s: byte %ld differs from the file", what, off);
	for (size_t i = file_size; i < map_len; i++) {
		if (p[i]) {
			tfail("%s: byte %zu past EOF is %#x, not 0", what, i, p[i]);
			break;
		}
	}
	munmap(p, map_len);
}

int main(int argc, char **argv)
{
	struct vmstat before, after;
	long min0, maj0, min1, maj1;
	unsigned char *p, buf[16];
	char path[256];
	struct statfs sfs;
	int fd;

	test_init(argv[0]);
	if (argc < 2)
		tfatal("usage: %s DIR", argv[0]);
	if (statfs(argv[1], &sfs))
		tfatal("%s: %s", argv[1], strerror(errno));
	tinfo("%s: filesystem magic %#lx", argv[1], (unsigned long)sfs.f_type);
	snprintf(path, sizeof(path), "%s/filemap.dat", argv[1]);
	file_size = (NPAGES - 1) * page_size + TAIL;
	make_file(path, file_size, SEED);
	fd = open(path, O_RDWR);
	if (fd < 0)
		tfatal("open %s: %s", path, strerror(errno));

	/* Cold cache (on tmpfs the pages stay: they are the file). */
	drop_caches();
	vmstat_read(&before);
	require_counter(&before, "vma_lock_success");
	fault_counts(&min0, &maj0);
	check_mapping(fd, MAP_PRIVATE, "private, cold cache");
	fault_counts(&min1, &maj1);
	tinfo("cold: minflt +%ld majflt +%ld", min1 - min0, maj1 - maj0);
	if (sfs.f_type == EXT4_SUPER_MAGIC)
		check(maj1 > maj0, "no major fault reading a cold ext4 file");

	/* Warm cache, page tables gone: minor faults with fault-around. */
	check_mapping(fd, MAP_PRIVATE, "private, warm cache");
	check_mapping(fd, MAP_SHARED, "shared, warm cache");
	fault_counts(&min1, &maj1);
	vmstat_read(&after);
	tinfo("total: minflt +%ld majflt +%ld pgfault +%lld vma_lock_success +%lld "
	      "rcu_fault_success +%lld", min1 - min0, maj1 - maj0,
	      vmstat_delta(&before, &after, "pgfault"),
	      vmstat_delta(&before, &after, "vma_lock_success"),
	      vmstat_delta(&before, &after, "rcu_fault_success"));
	/* Fault-around maps up to 16 pages per fault. */
	check(min1 + maj1 - min0 - maj0 >= 3 * NPAGES / 16,
	      "only %ld faults for three passes over %d pages",
	      min1 + maj1 - min0 - maj0, NPAGES);
	check(lockless_delta(&before, &after) >= 2 * NPAGES / 16,
	      "vma_lock_success + rcu_fault_success +%lld", lockless_delta(&before, &after));

	/* A private write copies the page; the file keeps its bytes. */
	p = xmmap(NULL, NPAGES * page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	memset(p + 5 * page_size, 0xee, 16);
	check(p[5 * page_size] == 0xee, "private write not visible in the mapping");
	check(pread(fd, buf, 16, 5 * page_size) == 16, "pread");
	check(pattern_check(buf, 16, SEED, 5 * page_size) < 0,
	      "private write reached the file");
	munmap(p, NPAGES * page_size);

	/* A shared write reaches the file. */
	p = xmmap(NULL, NPAGES * page_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	memset(p + 9 * page_size, 0xab, 16);
	check(msync(p, NPAGES * page_size, MS_SYNC) == 0, "msync: %s", strerror(errno));
	check(pread(fd, buf, 16, 9 * page_size) == 16, "pread");
	check(buf[0] == 0xab && buf[15] == 0xab, "shared write did not reach the file");
	munmap(p, NPAGES * page_size);

	close(fd);
	unlink(path);
	test_done();
}
