// SPDX-License-Identifier: GPL-2.0
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

int ks_gateway_pair_of(const cJSON *gw, const char *address)
{
	const cJSON *ips = ks_get(gw, "spec.localGatewayConfig.nodeIps"), *ip;
	int k = 0, pairs = ks_gateway_pairs(gw);

	cJSON_ArrayForEach(ip, ips) {
		if (k >= pairs)
			break;
		if (cJSON_IsString(ip) && address && !strcmp(ip->valuestring, address))
			return k;
		k++;
	}
	return -1;
}

const char *ks_gateway_pair_remote(const cJSON *gw, int pair)
{
	const cJSON *ip;

	if (pair < 0 || pair >= ks_gateway_pairs(gw))
		return NULL;
	ip = cJSON_GetArrayItem(ks_get(gw, "spec.remoteGatewayConfig.nodeIps"), pair);
	return cJSON_IsString(ip) ? ip->valuestring : NULL;
}

const char *ks_gateway_pair_secret_key(char *buf, size_t size, int pair, const char *ext)
{
	if (pair)
		snprintf(buf, size, "tls-%d.%s", pair, ext);
	else
		snprintf(buf, size, "tls.%s", ext);
	return buf;
}
