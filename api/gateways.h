/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Redundant gateway pairs: what the controller writes into a WorkerSliceGateway about them
 * and what sliced reads back, in one place.
 *
 * KubeSlice runs several gateway instances per WorkerSliceGateway (its worker operator's
 * NumberOfGateways, 2) and tells the client how many through the length of the server's
 * nodePorts. Here the pairs are the same thing on gateway nodes: pair k of a
 * WorkerSliceGateway runs between its local end's nodeIps[k] and its remote end's
 * nodeIps[k], on nodePorts[k]; both ends list the same number of ports. Pair k's
 * certificate and key are the Secret's tls.crt/tls.key for k = 0 (KubeSlice's keys) and
 * tls-<k>.crt/tls-<k>.key after it.
 *
 * Dual-stack: a gateway node may be listed by an address of each family, and node k is then
 * the k-th IPv4 and the k-th IPv6 address of the list (e.g. [10.0.0.1, fd00::1, 10.0.0.2,
 * fd00::2] are two nodes), so that each side uses the family both ends have.
 */
#ifndef API_GATEWAYS_H
#define API_GATEWAYS_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "api/subnet.h"

/* spec.sliceGatewayProvider.numberOfGateways of a SliceConfig. */
#define KS_GATEWAY_PAIRS_DEFAULT	2
#define KS_GATEWAY_PAIRS_MAX		4

/*
 * spec.sliceGatewayProvider.liveness {intervalMilliseconds, timeoutMilliseconds,
 * holdMilliseconds}: the data plane's keepalive interval, the silence after which a pair is
 * out of the ECMP set, and how long a pair heard again must stay healthy before it is used.
 */
#define KS_LIVENESS_INTERVAL_DEFAULT	100
#define KS_LIVENESS_TIMEOUT_DEFAULT	400
#define KS_LIVENESS_HOLD_DEFAULT	2000
#define KS_LIVENESS_INTERVAL_MIN	10
#define KS_LIVENESS_MS_MAX		600000

/**
 * struct ks_liveness - a slice's liveness settings, in milliseconds
 * @interval_ms: keepalive interval
 * @timeout_ms: silence after which a pair is down, at least twice @interval_ms
 * @hold_ms: health a pair needs after a silence before it carries traffic again
 */
struct ks_liveness {
	uint32_t interval_ms;
	uint32_t timeout_ms;
	uint32_t hold_ms;
};

/*
 * Gateway node k of a cluster (its place in the gateways' nodeIps) holds the k-th of
 * KS_GATEWAY_NODE_BLOCKS equal parts of the cluster's block of the slice subnet for the
 * addresses of its own pods; the cluster's other nodes route that part to it.
 */
#define KS_GATEWAY_NODE_BLOCKS		8

/* The settings of a sliceGatewayProvider object (absent ones at their defaults). */
struct ks_liveness ks_liveness_of(const cJSON *provider);
/* NULL if the liveness object of a provider is valid, else what is wrong with which field
 * (e.g. "timeoutMilliseconds: must be at least twice intervalMilliseconds"). */
const char *ks_liveness_check(const cJSON *provider, char *buf, size_t size);
/* The pairs a WorkerSliceGateway describes: the length of its local nodePorts, at least 1. */
int ks_gateway_pairs(const cJSON *gw);
/* AF_INET or AF_INET6 for a numeric address, else AF_UNSPEC. */
int ks_ip_family(const char *text);
/* Gateway nodes a nodeIPs list names: its IPv4 or its IPv6 addresses, whichever are more. */
int ks_gateway_nodes(const cJSON *ips);
/* The pair a gateway node runs: k where address is the k-th of its family in
 * localGatewayConfig.nodeIps, or -1. */
int ks_gateway_pair_of(const cJSON *gw, const char *address);
/* The remote node address of pair k in family (AF_INET or AF_INET6), or NULL. */
const char *ks_gateway_pair_remote(const cJSON *gw, int pair, int family);
/* The k-th address of family in a nodeIps list (node k's), or NULL. */
const char *ks_gateway_node_ip(const cJSON *ips, int k, int family);
/* Node k's part of a cluster's block: 0, or -1 when k or the block is too small for it. */
int ks_gateway_node_block(const struct ks_prefix *cluster, int k, struct ks_prefix *out);
/* Secret data key of pair k's "crt" or "key": tls.crt, tls-1.crt, ... */
const char *ks_gateway_pair_secret_key(char *buf, size_t size, int pair, const char *ext);

#endif /* API_GATEWAYS_H */
