// SPDX-License-Identifier: GPL-2.0
/*
 * The reconcile benchmark on slice-controller's real store (SQLite in a temporary data
 * directory), the figures to quote: 100 clusters, each in 20 slices of 10 clusters.
 * Usage: bench_store [clusters slices_per_cluster slice_size]
 */
#include <stdio.h>
#include <stdlib.h>

#include "controller/reconcile_bench.h"
#include "controller/registry.h"

int main(int argc, char **argv)
{
	int clusters = 100, per_cluster = 20, size = 10, err;
	char dir[] = "/tmp/bench-store.XXXXXX", cmd[64];
	struct ctl_store *st;

	if (argc == 4) {
		clusters = atoi(argv[1]);
		per_cluster = atoi(argv[2]);
		size = atoi(argv[3]);
	} else if (argc != 1) {
		fprintf(stderr, "usage: %s [clusters slices_per_cluster slice_size]\n", argv[0]);
		return 2;
	}
	if (!mkdtemp(dir) || ctl_store_open(dir, 10000, &st)) {
		fprintf(stderr, "bench_store: cannot open a store in %s\n", dir);
		return 1;
	}
	err = ctl_reconcile_bench(st, clusters, per_cluster, size, stdout);
	ctl_store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		fprintf(stderr, "bench_store: could not remove %s\n", dir);
	if (err)
		fprintf(stderr, "bench_store: cannot lay out %d clusters in %d slices of %d\n",
			clusters, per_cluster, size);
	return err ? 1 : 0;
}
