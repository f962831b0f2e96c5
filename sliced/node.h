/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The node: the slices of this node and the loop that keeps them. sliced.c sees only this;
 * the rooms it ties together are listed in slice.h.
 */
#ifndef SLICED_NODE_H
#define SLICED_NODE_H

#include <stdbool.h>
#include <curl/curl.h>

#include "config.h"
#include "sync.h"

/* How often the kernel state is compared with the desired state even without events. */
#define NODE_CHECK_MS		10000

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

/* The fds to wait on (control sockets, genl events); returns how many were filled. */
unsigned int node_fds(struct node *n, struct curl_waitfd *fds, unsigned int max);

/* Handle whatever is ready on the fds, and the timers; returns ms until the next timer. */
int node_run(struct node *n, const struct curl_waitfd *fds, unsigned int count);

#endif /* SLICED_NODE_H */
