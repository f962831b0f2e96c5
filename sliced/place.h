/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The node's place in its cluster, which every node of the cluster derives alike: gateway
 * node k is the k-th of the gateways' localGatewayConfig.nodeIps (and runs pair k), worker
 * node w the w-th of sliced.yaml's workerNodes, at place KS_GATEWAY_PAIRS_MAX + w. The
 * place gives the node its gateway id (slice.h) and its block of the cluster's block of
 * the slice subnet (api/gateways.h), from which its pods get their addresses.
 */
#ifndef SLICED_PLACE_H
#define SLICED_PLACE_H

#include <cjson/cJSON.h>

#include "config.h"

/* This node's place in slice's cluster, 0 while no gateway lists any node, -1 when it is
 * neither a gateway node nor a worker node; gateways: the sync cache. */
int place_index(const struct sliced_config *cfg, const cJSON *gateways, const char *slice);

/*
 * place_slices - the WorkerSliceConfigs as this node's pods see them: a copy of slices
 * whose spec.clusterSubnetCIDR is this node's block of it, without the slices this node
 * takes no part in. NULL when out of memory.
 */
cJSON *place_slices(const struct sliced_config *cfg, const cJSON *slices,
		    const cJSON *gateways);

#endif /* SLICED_PLACE_H */
