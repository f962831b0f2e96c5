// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "api/gateways.h"
#include "api/json.h"

static uint32_t liveness_field(const cJSON *liveness, const char *key, uint32_t def)
{
	long v;

	return ks_get_int(liveness, key, &v) && v >= 0 && v <= KS_LIVENESS_MS_MAX ?
	       (uint32_t)v : def;
}

struct ks_liveness ks_liveness_of(const cJSON *provider)
{
	const cJSON *l = ks_get(provider, "liveness");

	return (struct ks_liveness){
		.interval_ms = liveness_field(l, "intervalMilliseconds",
					      KS_LIVENESS_INTERVAL_DEFAULT),
		.timeout_ms = liveness_field(l, "timeoutMilliseconds",
					     KS_LIVENESS_TIMEOUT_DEFAULT),
		.hold_ms = liveness_field(l, "holdMilliseconds", KS_LIVENESS_HOLD_DEFAULT),
	};
}

/* NULL when the field is absent or an integer in min..KS_LIVENESS_MS_MAX. */
static const char *liveness_range(const cJSON *l, const char *key, long min, char *buf,
				  size_t size)
{
	long v;

	if (!ks_get(l, key) || (ks_get_int(l, key, &v) && v >= min && v <= KS_LIVENESS_MS_MAX))
		return NULL;
	snprintf(buf, size, "%s: must be an integer from %ld to %d", key, min,
		 KS_LIVENESS_MS_MAX);
	return buf;
}

const char *ks_liveness_check(const cJSON *provider, char *buf, size_t size)
{
	const cJSON *l = ks_get(provider, "liveness");
	struct ks_liveness v;
	const char *why;

	if (!l)
		return NULL;
	if (!cJSON_IsObject(l)) {
		snprintf(buf, size, "must be an object");
		return buf;
	}
	why = liveness_range(l, "intervalMilliseconds", KS_LIVENESS_INTERVAL_MIN, buf, size);
	why = why ?: liveness_range(l, "timeoutMilliseconds", 2 * KS_LIVENESS_INTERVAL_MIN,
				    buf, size);
	why = why ?: liveness_range(l, "holdMilliseconds", 0, buf, size);
	if (why)
		return why;
	v = ks_liveness_of(provider);
	if (v.timeout_ms < 2 * v.interval_ms) {
		snprintf(buf, size, "timeoutMilliseconds: %u must be at least twice "
			 "intervalMilliseconds (%u), or one late keepalive takes a pair down",
			 v.timeout_ms, v.interval_ms);
		return buf;
	}
	return NULL;
}

int ks_gateway_pairs(const cJSON *gw)
{
	int n = cJSON_GetArraySize(ks_get(gw, "spec.localGatewayConfig.nodePorts"));

	return n > 0 ? n : 1;
}

int ks_ip_family(const char *text)
{
	unsigned char buf[sizeof(struct in6_addr)];

	if (text && inet_pton(AF_INET, text, buf) == 1)
		return AF_INET;
	if (text && inet_pton(AF_INET6, text, buf) == 1)
		return AF_INET6;
	return AF_UNSPEC;
}

int ks_gateway_nodes(const cJSON *ips)
{
	const cJSON *ip;
	int v4 = 0, v6 = 0;

	cJSON_ArrayForEach(ip, ips) {
		int family = ks_ip_family(cJSON_GetStringValue(ip));

		v4 += family == AF_INET;
		v6 += family == AF_INET6;
	}
	return v4 > v6 ? v4 : v6;
}

const char *ks_gateway_node_ip(const cJSON *ips, int pair, int family)
{
	const cJSON *ip;
	int k = 0;

	cJSON_ArrayForEach(ip, ips) {
		if (ks_ip_family(cJSON_GetStringValue(ip)) != family)
			continue;
		if (k++ == pair)
			return ip->valuestring;
	}
	return NULL;
}

int ks_gateway_pair_of(const cJSON *gw, const char *address)
{
	const cJSON *ips = ks_get(gw, "spec.localGatewayConfig.nodeIps");
	int k, pairs = ks_gateway_pairs(gw), family = ks_ip_family(address);
	const char *ip;

	for (k = 0; family != AF_UNSPEC && k < pairs && (ip = ks_gateway_node_ip(ips, k, family)); k++)
		if (!strcmp(ip, address))
			return k;
	return -1;
}

const char *ks_gateway_pair_remote(const cJSON *gw, int pair, int family)
{
	if (pair < 0 || pair >= ks_gateway_pairs(gw))
		return NULL;
	return ks_gateway_node_ip(ks_get(gw, "spec.remoteGatewayConfig.nodeIps"), pair, family);
}

const char *ks_gateway_pair_secret_key(char *buf, size_t size, int pair, const char *ext)
{
	if (pair)
		snprintf(buf, size, "tls-%d.%s", pair, ext);
	else
		snprintf(buf, size, "tls.%s", ext);
	return buf;
}

int ks_gateway_node_block(const struct ks_prefix *cluster, int k, struct ks_prefix *out)
{
	/* log2(KS_GATEWAY_NODE_BLOCKS) more bits of prefix */
	const int bits = __builtin_ctz(KS_GATEWAY_NODE_BLOCKS);

	if (k < 0 || k >= KS_GATEWAY_NODE_BLOCKS || cluster->len + bits > 30)
		return -1;
	out->len = cluster->len + bits;
	out->addr = cluster->addr + ((uint32_t)k << (32 - out->len));
	return 0;
}
