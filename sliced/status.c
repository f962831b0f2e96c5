// SPDX-License-Identifier: GPL-2.0
/* Status: health samples and the controller's status objects (see status.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/json.h"
#include "log.h"
#include "status.h"
#include "util.h"

bool status_peer_up(const struct peer *p)
{
	return (p->health.kernel.flags & SLICENL_PEER_HAS_STATE) &&
	       p->health.kernel.state == SLICE_PEER_STATE_UP && p->tunnel.key_id >= 0;
}

static uint64_t rate_bps(uint64_t now_bytes, uint64_t then_bytes, uint64_t ms)
{
	return ms && now_bytes >= then_bytes ? (now_bytes - then_bytes) * 8000 / ms : 0;
}

/* Sample one peer's kernel state and session health. */
static void peer_sample(struct node *n, struct slice *sl, struct peer *p, uint64_t now)
{
	struct peer_health *h = &p->health;
	struct slicenl_peer cur;

	if (slicenl_peer_get(n->nl, sl->ifindex, p->desired.id, &cur)) {
		memset(&h->kernel, 0, sizeof(h->kernel));
		return;
	}
	if (h->sample_ms && (cur.flags & SLICENL_PEER_HAS_STATS)) {
		h->tx_bps = rate_bps(cur.stats.counter[SLICE_STATS_A_TX_BYTES],
				     h->kernel.stats.counter[SLICE_STATS_A_TX_BYTES],
				     now - h->sample_ms);
		h->rx_bps = rate_bps(cur.stats.counter[SLICE_STATS_A_RX_BYTES],
				     h->kernel.stats.counter[SLICE_STATS_A_RX_BYTES],
				     now - h->sample_ms);
	}
	h->kernel = cur;
	h->sample_ms = now;
	h->rtt_ms = -1;
	h->lost = h->probes = 0;
	if (p->tunnel.session)
		gw_session_health(p->tunnel.session, &h->rtt_ms, &h->lost, &h->probes);
}

static const char *const health_names[] = {
	[STATUS_NORMAL] = "Normal", [STATUS_DEGRADED] = "Degraded", [STATUS_WARNING] = "Warning",
};

void status_peer_state(struct node *n, struct slice *sl, struct peer *p, uint8_t state)
{
	bool down = state != SLICE_PEER_STATE_UP;
	char node[INET6_ADDRSTRLEN];

	log_event(down ? LOG_WARNING : LOG_INFO, sl->name, peer_name(p), "%s %s",
		  p->desired.transit ? "gateway node" : "tunnel", slicenl_state_name(state));
	if (down == p->health.down)
		return;
	p->health.down = down;
	if (down)
		p->health.failovers++;
	else
		p->health.recoveries++;
	peer_node(p, node);
	if (p->desired.transit)
		sync_event(n->sync, "WorkerSliceConfig", KS_API_WORKER, sl->config,
			   down ? "Warning" : "Normal", down ? "GatewayNodeDown" : "GatewayNodeUp",
			   "slice %s, cluster %s: gateway node %s %s %s", sl->name,
			   n->cfg->cluster, node, down ? "unreachable from" : "reachable again from",
			   n->cfg->gateway_ip);
	else
		sync_event(n->sync, "WorkerSliceGateway", KS_API_WORKER, p->desired.gateway,
			   down ? "Warning" : "Normal", down ? "GatewayPairDown" : "GatewayPairUp",
			   "slice %s, cluster %s: gateway pair %d (%s to %s) %s", sl->name,
			   n->cfg->cluster, p->desired.pair, n->cfg->gateway_ip, node,
			   down ? "is down: its flows take the other pairs" : "is back in use");
	if (n->next_status_ms > now_ms() + STATUS_SOON_MS)
		n->next_status_ms = now_ms() + STATUS_SOON_MS;
}

/* Pair k's entry in a WorkerSliceGateway's gatewayPairs. */
static void pair_entry(cJSON *status, int k, const char *node, const char *remote, bool up,
		       const char *stamp)
{
	cJSON *pairs = cJSON_GetObjectItemCaseSensitive(status, "gatewayPairs"), *e;
	char key[16];

	if (!pairs)
		pairs = cJSON_AddObjectToObject(status, "gatewayPairs");
	snprintf(key, sizeof(key), "%d", k);
	e = cJSON_AddObjectToObject(pairs, key);
	cJSON_AddStringToObject(e, "node", node);
	if (remote)
		cJSON_AddStringToObject(e, "remoteNode", remote);
	cJSON_AddStringToObject(e, "state", up ? "UP" : "DOWN");
	cJSON_AddStringToObject(e, "lastUpdated", stamp);
}

static bool gateway_of_slice(const cJSON *gw, const struct slice *sl)
{
	return !strcmp(ks_get_str(gw, "spec.sliceName") ?: "", sl->name);
}

/* The pairs of the slice's gateways whose node this one cannot reach: DOWN, as their own
 * node cannot say so. */
static void siblings_status(struct node *n, struct slice *sl, const char *stamp)
{
	char node[INET6_ADDRSTRLEN];
	const cJSON *gw;
	cJSON *status;
	struct peer *p;

	for (p = sl->peers; p; p = p->next) {
		if (!p->desired.transit || status_peer_up(p))
			continue;
		cJSON_ArrayForEach(gw, sync_cache(n->sync, SYNC_GATEWAYS)) {
			if (!gateway_of_slice(gw, sl) || p->desired.pair >= ks_gateway_pairs(gw))
				continue;
			status = cJSON_CreateObject();
			pair_entry(status, p->desired.pair, peer_node(p, node),
				   ks_gateway_pair_remote(gw, p->desired.pair,
							  p->desired.endpoint.sa.sa_family),
				   false, stamp);
			sync_write_status(n->sync, "/apis/" KS_GROUP_WORKER "/" KS_VERSION,
					  KS_RES_WORKER_GATEWAY, ks_name(gw), status);
		}
	}
}

/* Whether pair k of gateway gw is up: this node's own knowledge (its pair; a sibling it
 * cannot reach), else what the pair's node last wrote. */
static bool pair_up(const struct slice *sl, const cJSON *gw, int k)
{
	const cJSON *e;
	char key[16];
	struct peer *p;

	for (p = sl->peers; p; p = p->next) {
		if (p->desired.pair != k)
			continue;
		if (!p->desired.transit && !strcmp(p->desired.gateway, ks_name(gw)))
			return status_peer_up(p);
		if (p->desired.transit && !status_peer_up(p))
			return false;
	}
	snprintf(key, sizeof(key), "%d", k);
	e = cJSON_GetObjectItemCaseSensitive(ks_get(gw, "status.gatewayPairs"), key);
	return !strcmp(ks_get_str(e, "state") ?: "", "UP");
}

/*
 * One WorkerSliceGateway's tunnelStatus, the fields KubeSlice's gateways report, and the
 * entry of the pair this node runs. The tunnel is UP while any of the gateway's pairs is,
 * so that its nodes all write the same state; the other fields are this node's pair's.
 */
static cJSON *peer_status(struct node *n, const struct slice *sl, const struct peer *p,
			  const char *stamp)
{
	const cJSON *gw = cJSON_GetObjectItemCaseSensitive(sync_cache(n->sync, SYNC_GATEWAYS),
							   p->desired.gateway);
	bool up = status_peer_up(p);
	int k;

	const struct peer_health *h = &p->health;
	cJSON *status = cJSON_CreateObject();
	cJSON *tun = cJSON_AddObjectToObject(status, "tunnelStatus");
	char node[INET6_ADDRSTRLEN];

	for (k = 0; gw && !up && k < ks_gateway_pairs(gw); k++)
		up = pair_up(sl, gw, k);
	cJSON_AddStringToObject(tun, "TunnelState", up ? "UP" : "DOWN");
	if (h->rtt_ms >= 0)
		cJSON_AddNumberToObject(tun, "Latency", h->rtt_ms);
	cJSON_AddNumberToObject(tun, "PacketLoss", h->probes ? 100.0 * h->lost / h->probes : 0);
	cJSON_AddNumberToObject(tun, "TxRate", (double)h->tx_bps);
	cJSON_AddNumberToObject(tun, "RxRate", (double)h->rx_bps);
	cJSON_AddNumberToObject(tun, "KeyId", p->tunnel.key_id);
	cJSON_AddStringToObject(tun, "LastUpdated", stamp);
	pair_entry(status, p->desired.pair, n->cfg->gateway_ip, peer_node(p, node), status_peer_up(p),
		   stamp);
	return status;
}

static enum status_health slice_health(struct node *n, const struct slice *sl)
{
	unsigned int up = 0, all = 0;
	const cJSON *gw;
	int k;

	cJSON_ArrayForEach(gw, sync_cache(n->sync, SYNC_GATEWAYS)) {
		if (!gateway_of_slice(gw, sl))
			continue;
		for (k = 0; k < ks_gateway_pairs(gw); k++, all++)
			up += pair_up(sl, gw, k);
	}
	return up == all ? STATUS_NORMAL : up ? STATUS_DEGRADED : STATUS_WARNING;
}

static void slice_status(struct node *n, struct slice *sl, const char *stamp,
			 enum status_health health)
{
	cJSON *status = cJSON_CreateObject();
	cJSON *h = cJSON_AddObjectToObject(status, "sliceHealth");

	cJSON_AddStringToObject(h, "sliceHealthStatus", health_names[health]);
	cJSON_AddStringToObject(h, "lastUpdated", stamp);
	sync_write_status(n->sync, "/apis/" KS_GROUP_WORKER "/" KS_VERSION, KS_RES_WORKER_SLICE,
			  sl->config, status);
}

static void node_ip_add(cJSON *ips, const struct sockaddr_storage *ss)
{
	char addr[INET6_ADDRSTRLEN];
	const void *a = ss->ss_family == AF_INET ?
			(const void *)&((const struct sockaddr_in *)ss)->sin_addr :
			(const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr;

	if (ss->ss_family != AF_UNSPEC && inet_ntop(ss->ss_family, a, addr, sizeof(addr)))
		cJSON_AddItemToArray(ips, cJSON_CreateString(addr));
}

/* Gateways' tunnel status (KubeSlice's per-tunnel fields), the slices' and the Cluster's
 * health. */
void status_report(struct node *n, uint64_t now)
{
	enum status_health health, cluster = STATUS_NORMAL;
	cJSON *status, *h, *ips;
	struct slice *sl;
	struct peer *p;
	time_t t = time(NULL);
	unsigned int w;
	char stamp[32];
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	for (sl = n->slices; sl; sl = sl->next) {
		for (p = sl->peers; p; p = p->next) {
			peer_sample(n, sl, p, now);
			if (p->desired.transit)
				continue;
			sync_write_status(n->sync, "/apis/" KS_GROUP_WORKER "/" KS_VERSION,
					  KS_RES_WORKER_GATEWAY, p->desired.gateway,
					  peer_status(n, sl, p, stamp));
		}
		siblings_status(n, sl, stamp);
		health = slice_health(n, sl);
		slice_status(n, sl, stamp, health);
		if (health > cluster)
			cluster = health;
	}
	status = cJSON_CreateObject();
	/* A worker node is no gateway node: the Cluster's nodeIPs are the gateway nodes'. */
	for (w = 0; w < n->cfg->num_worker_nodes && strcmp(n->cfg->worker_nodes[w], n->cfg->gateway_ip);
	     w++)
		;
	if (w == n->cfg->num_worker_nodes) {
		/* A dual-stack node is listed by both its addresses (api/gateways.h). */
		ips = cJSON_AddArrayToObject(status, "nodeIPs");
		node_ip_add(ips, &n->cfg->gateway_addr);
		node_ip_add(ips, &n->cfg->gateway_addr2);
	}
	h = cJSON_AddObjectToObject(status, "clusterHealth");
	cJSON_AddStringToObject(h, "clusterHealthStatus", health_names[cluster]);
	cJSON_AddStringToObject(h, "lastUpdated", stamp);
	sync_write_status(n->sync, "/apis/" KS_GROUP_CONTROLLER "/" KS_VERSION, KS_RES_CLUSTER,
			  n->cfg->cluster, status);
}
