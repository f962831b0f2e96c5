/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pods and services on the slice (docs/services.md), one object for sliced's loop: pod
 * addresses for the CNI plugin (ipam.h), service export (exports.h), the slice DNS (dns.h)
 * and namespace isolation (isolation.h), all fed from the sync caches; the drift of the
 * isolation table and of the pods' node side (podnet.h), reported on the node's slices.
 */
#ifndef SLICED_SERVICES_H
#define SLICED_SERVICES_H

#include <curl/curl.h>

#include "config.h"
#include "slice.h"
#include "sync.h"

/* How often the exports directory is looked at, and the controller compared with it. */
#define SERVICES_SCAN_MS	1000
#define SERVICES_RECHECK_MS	10000

struct services;

/* services_new - NULL with the reason logged; drift Events go through node (kernel.h). */
struct services *services_new(const struct sliced_config *cfg, struct sync *sync,
			      struct node *node);
void services_free(struct services *sv);

/* The sync caches changed. */
void services_update(struct services *sv);

unsigned int services_fds(struct services *sv, struct curl_waitfd *fds, unsigned int max);

/* Handle whatever is ready, and the timers; returns ms until the next timer. */
int services_run(struct services *sv, const struct curl_waitfd *fds, unsigned int count);

#endif /* SLICED_SERVICES_H */
