/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The controller's metrics, served at /metrics in the Prometheus text format (0.0.4):
 * API requests by verb and code with a latency histogram per verb, open watches, the
 * reconcile loop (queue depth, reconciles, their durations), the store (resourceVersion,
 * size on disk) and the process. One set per process, as client_golang's default registry;
 * every recording function is lock-free (atomic counters) and may be called from any
 * thread.
 */
#ifndef CONTROLLER_METRICS_H
#define CONTROLLER_METRICS_H

#include <stdint.h>

#include "controller/reconcile_loop.h"

/* One API request: HTTP method, answered status, seconds it took. */
void ctl_metrics_request(const char *method, int code, double seconds);
/* A watch stream opened (+1) or closed (-1). */
void ctl_metrics_watch(int delta);
/* One ctl_reconcile() call that took seconds. */
void ctl_metrics_reconcile(double seconds);

/**
 * struct ctl_metrics_state - what is read at scrape time rather than counted
 * @resource_version: the store's last committed resourceVersion
 * @store_bytes: the store's size on disk, or -1 when unknown
 * @loop: the reconcile loop's figures
 */
struct ctl_metrics_state {
	uint64_t resource_version;
	int64_t store_bytes;
	struct ctl_loop_stats loop;
};

/* The exposition text (malloc'd), or NULL. */
char *ctl_metrics_text(const struct ctl_metrics_state *s);

#endif /* CONTROLLER_METRICS_H */
