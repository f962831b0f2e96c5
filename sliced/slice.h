/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The slices of this node: desired state from the controller's objects, programmed into
 * the kernel over genl, and the gateway tunnels (DTLS handshakes, keys) of each slice.
 *
 * What belongs to sliced in the kernel is marked: a slice device's alias is
 * "sliced:<slice>". Devices with that mark whose slice is gone are deleted; devices
 * without it are never touched. Within a device everything is the slice's, so peers and
 * routes that are not wanted are removed.
 *
 * Gateway ids: a cluster's id in a slice is its octet + 1 (the octet is its block of the
 * slice subnet), so every node derives the same id for the same cluster: LOCAL_ID from the
 * WorkerSliceConfig's octet, a peer's id from its gatewaySubnet's block.
 */
#ifndef SLICED_SLICE_H
#define SLICED_SLICE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <curl/curl.h>
#include <cjson/cJSON.h>

#include "config.h"
#include "sync.h"

#define SLICE_ALIAS_PREFIX	"sliced:"
#define SLICE_DEV_PREFIX	"slice-"
/* How often the kernel state is compared with the desired state even without events. */
#define SLICE_CHECK_MS		10000
/* How often the gateways' status goes to the controller. */
#define SLICE_STATUS_MS		15000
/* How often each tunnel's latency and loss are probed over its DTLS session. */
#define SLICE_PROBE_MS		2000

struct slicenl;
struct node;

/* node_new - everything sliced runs; NULL with the reason logged. */
struct node *node_new(const struct sliced_config *cfg, struct sync *sync);
void node_free(struct node *n);

/*
 * Bring the kernel to the desired state of the sync caches: after the caches changed
 * (check false), or to check (true): then whatever had to be changed is drift, logged and
 * reported as an Event.
 */
void node_reconcile(struct node *n, bool check);

/* New keys for every tunnel now (SIGUSR1), as the kernel asks for them near their limits. */
void node_rekey(struct node *n);

/* The Prometheus text of every slice's and peer's counters and health. */
void node_metrics(struct node *n, FILE *f);

/* The fds to wait on (control sockets, genl events); returns how many were filled. */
unsigned int node_fds(struct node *n, struct curl_waitfd *fds, unsigned int max);

/* Handle whatever is ready on the fds, and the timers; returns ms until the next timer. */
int node_run(struct node *n, const struct curl_waitfd *fds, unsigned int count);

#endif /* SLICED_SLICE_H */
