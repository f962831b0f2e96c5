/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reconcile loop: reads the store's change history as a watch does, queues the key of
 * every object someone other than the controller changed on a work queue (workqueue.h),
 * and calls ctl_reconcile() for each key, plus a full resync every resync seconds. The
 * controller's own writes are not queued back: it knows what it wrote, and the resync
 * repairs anything else. Everything but the statistics runs on the loop's thread.
 */
#ifndef CONTROLLER_RECONCILE_LOOP_H
#define CONTROLLER_RECONCILE_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#include "controller/registry.h"

struct ctl_loop;

/**
 * struct ctl_loop_stats - what the loop has done, for /metrics
 * @queued: keys waiting on the work queue
 * @reconciled: ctl_reconcile() calls made
 * @reconciling: a ctl_reconcile() call is running
 */
struct ctl_loop_stats {
	uint64_t queued;
	uint64_t reconciled;
	bool reconciling;
};

struct ctl_loop *ctl_loop_new(struct ctl_store *st, unsigned int resync);
void ctl_loop_free(struct ctl_loop *l);
/* Runs until ctl_store_stop(). */
void ctl_loop_run(struct ctl_loop *l);
void ctl_loop_stats(struct ctl_loop *l, struct ctl_loop_stats *s);

#endif /* CONTROLLER_RECONCILE_LOOP_H */
