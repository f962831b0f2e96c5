/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Status: each peer's health sampled from the kernel and its DTLS session (peer.health),
 * written to the controller as KubeSlice's gateways do: tunnelStatus on each
 * WorkerSliceGateway, nodeIPs and clusterHealth on the Cluster.
 */
#ifndef SLICED_STATUS_H
#define SLICED_STATUS_H

#include <stdbool.h>
#include <stdint.h>

#include "slice.h"

/* How often the gateways' status goes to the controller. */
#define STATUS_MS		15000

/* Sample every peer's health and write the status objects. */
void status_report(struct node *n, uint64_t now);

/* The tunnel is up: the kernel says so and it has keys. */
bool status_peer_up(const struct peer *p);

#endif /* SLICED_STATUS_H */
