// SPDX-License-Identifier: GPL-2.0
/*
 * The reconcile benchmark on the in-memory store: 100 clusters, each in 20 slices of 10
 * clusters (200 slices, 18000 gateways and their certificates). The store's own cost is
 * small next to certificate issuing and JSON building; the real server's is its own.
 * Usage: bench_reconcile [clusters slices_per_cluster slice_size]
 */
#include <stdio.h>
#include <stdlib.h>

#include "controller/reconcile_bench.h"
#include "tests/reconcile/fake_store.h"

int main(int argc, char **argv)
{
	struct ctl_store *st = fake_store_new();
	int clusters = 100, per_cluster = 20, size = 10, err;
	struct fake_counts before;

	if (argc == 4) {
		clusters = atoi(argv[1]);
		per_cluster = atoi(argv[2]);
		size = atoi(argv[3]);
	} else if (argc != 1) {
		fprintf(stderr, "usage: %s [clusters slices_per_cluster slice_size]\n", argv[0]);
		return 2;
	}
	before = fake_store_counts(st);
	err = ctl_reconcile_bench(st, clusters, per_cluster, size, stdout);
	if (err) {
		fprintf(stderr, "bench_reconcile: cannot lay out %d clusters in %d slices of %d\n",
			clusters, per_cluster, size);
		return 1;
	}
	printf("store writes=%ld deletes=%ld events=%ld\n",
	       fake_store_counts(st).writes - before.writes, fake_store_counts(st).deletes,
	       fake_store_counts(st).events);
	fake_store_free(st);
	return 0;
}
