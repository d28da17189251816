// SPDX-License-Identifier: GPL-2.0
/*
 * Print the fault counters of /proc/vmstat, one "COUNTER name value" line
 * each: pgfault, pgmajfault, vma_lock_* and rcu_fault_*.  A list runs it
 * first and last, and the host takes the difference (scripts/mm-selftests:
 * how many faults of the selftests took the RCU path).
 */
#include <stdio.h>
#include <string.h>

#include "lib.h"

int main(int argc, char **argv)
{
	static struct vmstat vs;

	(void)argc;
	test_init(argv[0]);
	vmstat_read(&vs);
	for (int i = 0; i < vs.n; i++)
		if (!strcmp(vs.name[i], "pgfault") || !strcmp(vs.name[i], "pgmajfault") ||
		    !strncmp(vs.name[i], "vma_lock_", 9) || !strncmp(vs.name[i], "rcu_fault", 9))
			printf("COUNTER %s %lld\n", vs.name[i], vs.val[i]);
	test_done();
}
