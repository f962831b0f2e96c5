/* SPDX-License-Identifier: GPL-2.0 */
/* How long reconciling a large project takes, and how much memory it needs. */
#ifndef CONTROLLER_RECONCILE_BENCH_H
#define CONTROLLER_RECONCILE_BENCH_H

#include <stdio.h>

#include "controller/client.h"

/**
 * ctl_reconcile_bench - reconcile a generated project and report on it
 * @st: an empty store
 * @clusters: number of worker clusters
 * @slices_per_cluster: slices each cluster is a member of
 * @slice_size: members per slice (2..32)
 * @out: where the report goes, one "key=value ..." line
 *
 * Creates Project "bench", the clusters and clusters * slices_per_cluster / slice_size
 * slices, reconciles each object as the API server would after its create, then runs a
 * full resync, which must find nothing to do. Reports the wall and CPU time of both passes
 * (CPU time is what compares on a shared machine), the objects made and the process's peak
 * resident memory (store included).
 *
 * Return: 0, or -EINVAL for sizes it cannot lay out (at most 256 slices).
 */
int ctl_reconcile_bench(struct ctl_store *st, int clusters, int slices_per_cluster,
			int slice_size, FILE *out);

#endif /* CONTROLLER_RECONCILE_BENCH_H */
