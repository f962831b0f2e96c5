// SPDX-License-Identifier: GPL-2.0
/* The node's place in its cluster (see place.h). */
#include <string.h>

#include "api/gateways.h"
#include "api/json.h"
#include "place.h"

int place_index(const struct sliced_config *cfg, const cJSON *gateways, const char *slice)
{
	int k, family = ks_ip_family(cfg->gateway_ip);
	const cJSON *gw, *ips = NULL;
	const char *ip;
	unsigned int w;

	cJSON_ArrayForEach(gw, gateways)
		if (!strcmp(ks_get_str(gw, "spec.sliceName") ?: "", slice)) {
			ips = ks_get(gw, "spec.localGatewayConfig.nodeIps");
			break;
		}
	/* node k of a list is its k-th address of each family (api/gateways.h) */
	for (k = 0; k < KS_GATEWAY_PAIRS_MAX && (ip = ks_gateway_node_ip(ips, k, family)); k++)
		if (!strcmp(ip, cfg->gateway_ip))
			return k;
	for (w = 0; w < cfg->num_worker_nodes; w++)
		if (!strcmp(cfg->worker_nodes[w], cfg->gateway_ip))
			return KS_GATEWAY_PAIRS_MAX + w;
	return cJSON_GetArraySize(ips) ? -1 : 0;
}

/* The node's block of one WorkerSliceConfig's cluster block, into it; false if none. */
static bool narrow(const struct sliced_config *cfg, cJSON *wsc, const cJSON *gateways)
{
	const char *name = ks_get_str(wsc, "spec.sliceName");
	struct ks_prefix cluster, block;
	char text[KS_PREFIX_STRLEN];
	int index;

	if (!name || ks_prefix_parse(ks_get_str(wsc, "spec.clusterSubnetCIDR") ?: "", &cluster))
		return true;	/* incomplete: as it is, for the others to skip */
	index = place_index(cfg, gateways, name);
	if (index < 0 || ks_gateway_node_block(&cluster, index, &block))
		return false;
	ks_prefix_format(&block, text);
	return ks_set_str(ks_get(wsc, "spec"), "clusterSubnetCIDR", text);
}

cJSON *place_slices(const struct sliced_config *cfg, const cJSON *slices,
		    const cJSON *gateways)
{
	cJSON *out = cJSON_Duplicate(slices, true), *wsc, *next;

	for (wsc = out ? out->child : NULL; wsc; wsc = next) {
		next = wsc->next;
		if (!narrow(cfg, wsc, gateways))
			cJSON_Delete(cJSON_DetachItemViaPointer(out, wsc));
	}
	return out;
}
