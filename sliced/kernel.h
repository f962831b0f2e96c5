/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Programming the kernel: each slice's device, UDP socket and LOCAL_ID, peers (with the
 * slice's liveness settings, transit for the cluster's other gateway nodes) and routes in
 * slice.ko are read, compared with the desired state and changed where they differ (as
 * wireguard-tools' sync_conf does). Devices marked as sliced's whose slice is gone are
 * deleted. Changes found while checking are drift: logged and reported as Events.
 */
#ifndef SLICED_KERNEL_H
#define SLICED_KERNEL_H

#include <stdbool.h>

#include "slice.h"

/*
 * kernel_sync - bring the kernel to n->slices: after the desired state changed (check
 * false), or to check it (true), when whatever had to be changed is drift.
 */
void kernel_sync(struct node *n, bool check);

/*
 * kernel_repaired_known - count one change the current pass made to sl's kernel state, and
 * report it as drift (log and Warning Event DriftRepaired on the WorkerSliceConfig) in a
 * check pass, or in any pass when @known: what was put right had been seen in the kernel as
 * desired (a desired-change pass can come first and repair it). Nothing is reported before
 * the first pass has converged (adoption after a start).
 */
void kernel_repaired_known(struct node *n, struct slice *sl, const char *what, bool known);

/*
 * kernel_apply_failed_why - log a change the kernel did not take and report it as a Warning
 * Event ApplyFailed; kernel_apply_failed() gives the last genl request's extack as @why.
 */
void kernel_apply_failed_why(struct node *n, struct slice *sl, const char *what,
			     const char *why);
void kernel_apply_failed(struct node *n, struct slice *sl, const char *what);

#endif /* SLICED_KERNEL_H */
