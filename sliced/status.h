/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Status: each peer's health sampled from the kernel and its DTLS session (peer.health),
 * written to the controller as KubeSlice's gateways do: tunnelStatus on each
 * WorkerSliceGateway, nodeIPs and clusterHealth on the Cluster, sliceHealth on the
 * WorkerSliceConfig. With several gateway nodes, each WorkerSliceGateway's gatewayPairs
 * has one entry per pair ("0", "1", ...: node, remoteNode, state UP/DOWN), written by the
 * node that runs it, or DOWN by its siblings while they cannot reach it. Every node derives
 * the health from all the pairs of the cached gateways (their status as the siblings wrote
 * it, its own knowledge first), so that they all write the same: Normal when every pair is
 * up, Degraded when some are down, Warning when all are.
 */
#ifndef SLICED_STATUS_H
#define SLICED_STATUS_H

#include <stdbool.h>
#include <stdint.h>

#include "slice.h"

/* How often the gateways' status goes to the controller, and how soon after a pair or
 * node went down or came back. */
#define STATUS_MS		15000
#define STATUS_SOON_MS		1000

/* Health of a slice or the cluster: every pair up, some down, all down. */
enum status_health { STATUS_NORMAL, STATUS_DEGRADED, STATUS_WARNING };

/* Sample every peer's health and write the status objects. */
void status_report(struct node *n, uint64_t now);

/*
 * status_peer_state - the kernel said a path went down or came back (PEER_STATE_NTF): it
 * is counted, logged and reported as an Event (GatewayPairDown/GatewayPairUp on the
 * pair's WorkerSliceGateway, GatewayNodeDown/GatewayNodeUp on the WorkerSliceConfig for
 * another gateway node of the cluster), and the status is written soon.
 */
void status_peer_state(struct node *n, struct slice *sl, struct peer *p, uint8_t state);

/* The tunnel is up: the kernel says so and it has keys. */
bool status_peer_up(const struct peer *p);

#endif /* SLICED_STATUS_H */
