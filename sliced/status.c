// SPDX-License-Identifier: GPL-2.0
/* Status: health samples and the controller's status objects (see status.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "status.h"

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

/* One WorkerSliceGateway's tunnelStatus, the fields KubeSlice's gateways report. */
static cJSON *peer_status(const struct peer *p, const char *stamp)
{
	const struct peer_health *h = &p->health;
	cJSON *status = cJSON_CreateObject();
	cJSON *tun = cJSON_AddObjectToObject(status, "tunnelStatus");

	cJSON_AddStringToObject(tun, "TunnelState", status_peer_up(p) ? "UP" : "DOWN");
	if (h->rtt_ms >= 0)
		cJSON_AddNumberToObject(tun, "Latency", h->rtt_ms);
	cJSON_AddNumberToObject(tun, "PacketLoss", h->probes ? 100.0 * h->lost / h->probes : 0);
	cJSON_AddNumberToObject(tun, "TxRate", (double)h->tx_bps);
	cJSON_AddNumberToObject(tun, "RxRate", (double)h->rx_bps);
	cJSON_AddNumberToObject(tun, "KeyId", p->tunnel.key_id);
	cJSON_AddStringToObject(tun, "LastUpdated", stamp);
	return status;
}

/* Gateways' tunnel status (KubeSlice's per-tunnel fields) and the Cluster's health. */
static void node_ip_add(cJSON *ips, const struct sockaddr_storage *ss)
{
	char addr[INET6_ADDRSTRLEN];
	const void *a = ss->ss_family == AF_INET ?
			(const void *)&((const struct sockaddr_in *)ss)->sin_addr :
			(const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr;

	if (ss->ss_family != AF_UNSPEC && inet_ntop(ss->ss_family, a, addr, sizeof(addr)))
		cJSON_AddItemToArray(ips, cJSON_CreateString(addr));
}

void status_report(struct node *n, uint64_t now)
{
	char stamp[32];
	bool healthy = true;
	cJSON *status, *health, *ips;
	struct slice *sl;
	struct peer *p;
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	for (sl = n->slices; sl; sl = sl->next)
		for (p = sl->peers; p; p = p->next) {
			peer_sample(n, sl, p, now);
			healthy &= status_peer_up(p);
			status = peer_status(p, stamp);
			sync_write_status(n->sync, "/apis/" KS_GROUP_WORKER "/" KS_VERSION,
					  KS_RES_WORKER_GATEWAY, p->desired.gateway, status);
		}
	status = cJSON_CreateObject();
	/* A dual-stack node is listed by both its addresses (api/gateways.h). */
	ips = cJSON_AddArrayToObject(status, "nodeIPs");
	node_ip_add(ips, &n->cfg->gateway_addr);
	node_ip_add(ips, &n->cfg->gateway_addr2);
	health = cJSON_AddObjectToObject(status, "clusterHealth");
	cJSON_AddStringToObject(health, "clusterHealthStatus", healthy ? "Normal" : "Warning");
	cJSON_AddStringToObject(health, "lastUpdated", stamp);
	sync_write_status(n->sync, "/apis/" KS_GROUP_CONTROLLER "/" KS_VERSION, KS_RES_CLUSTER,
			  n->cfg->cluster, status);
}
