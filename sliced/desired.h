/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Desired state: this cluster's WorkerSliceConfig and WorkerSliceGateway objects (and the
 * gateways' credential Secrets) from the sync caches, into the node's slices and peers.
 */
#ifndef SLICED_DESIRED_H
#define SLICED_DESIRED_H

#include "slice.h"

/*
 * desired_update - bring n->slices to what the sync caches say: slices and peers are
 * created or updated from their objects, those whose objects are gone are freed (the
 * kernel state they leave is kernel.c's to remove).
 */
void desired_update(struct node *n);

#endif /* SLICED_DESIRED_H */
