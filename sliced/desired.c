// SPDX-License-Identifier: GPL-2.0
/* Desired state: WorkerSlice* objects into struct slice and peer.desired (see desired.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "api/base64.h"
#include "api/gateways.h"
#include "api/json.h"
#include "api/subnet.h"
#include "desired.h"
#include "log.h"
#include "place.h"
#include "qos.h"
#include "tunnel.h"

/* A PEM member of a Secret's data, decoded; NULL when absent, empty or not base64 text. */
static char *secret_pem(const cJSON *secret, const char *key)
{
	/* Secret data keys have dots ("ca.crt"): looked up directly, not as a ks_get() path. */
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(secret, "data");
	char *pem = ks_b64_text(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(data, key)));

	if (pem && !*pem) {
		free(pem);
		return NULL;
	}
	return pem;
}

/* Pair k's credentials from the gateway's Secret. */
static void peer_load_creds(struct slice *sl, struct peer *p, const cJSON *gw, int k,
			    const char *local, const char *remote, bool server)
{
	const char *secret_name = ks_get_str(gw, "spec.gatewayCredentials.secretName");
	const cJSON *secret = secret_name ?
		cJSON_GetObjectItemCaseSensitive(sync_cache(sl->node->sync, SYNC_SECRETS),
						 secret_name) : NULL;
	char crt_key[32], key_key[32];
	char *ca = secret_pem(secret, "ca.crt");
	char *cert = secret_pem(secret, ks_gateway_pair_secret_key(crt_key, sizeof(crt_key),
								   k, "crt"));
	char *key = secret_pem(secret, ks_gateway_pair_secret_key(key_key, sizeof(key_key),
								  k, "key"));

	if (ca && cert && key)
		tunnel_set_creds(sl, p, local, remote, server, ca, cert, key);
	else if (!p->tunnel.pair.ctx)
		log_event(LOG_DEBUG, sl->name, remote, "waiting for credentials %s",
			  secret_name ? secret_name : "(none named)");
	OPENSSL_cleanse(key, key ? strlen(key) : 0);
	free(ca);
	free(cert);
	free(key);
}

/* A remote cluster's id: its block of the slice subnet, + 1. */
static int peer_id_of(const struct ks_prefix *slice_net, const struct ks_prefix *remote)
{
	if (remote->len <= slice_net->len || remote->len > 32)
		return -1;
	return (int)((remote->addr - slice_net->addr) >> (32 - remote->len)) + 1;
}

/* The id of gateway node k of the cluster whose id is cluster_id, 0 when out of range. */
static uint32_t node_id(int cluster_id, int k)
{
	uint64_t id = (uint64_t)cluster_id + (uint64_t)k * SLICE_NODE_ID_STEP;

	return cluster_id > 0 && k >= 0 && id <= SLICE_ID_MAX ? (uint32_t)id : 0;
}

static void route_want(struct slice *sl, const struct ks_prefix *prefix, uint32_t peer_id)
{
	struct slice_route *r = realloc(sl->routes, (sl->num_routes + 1) * sizeof(*r));

	if (!r)
		return;
	sl->routes = r;
	r += sl->num_routes++;
	memset(r, 0, sizeof(*r));
	r->route.family = AF_INET;
	r->route.addr.ip4.s_addr = htonl(prefix->addr);
	r->route.prefixlen = prefix->len;
	r->route.peer_id = peer_id;
}

/* An address (either family) and port into an endpoint; AF_UNSPEC when there is none. */
static void endpoint_set(union slicenl_sockaddr *ep, const char *ip, int port)
{
	memset(ep, 0, sizeof(*ep));
	if (!ip || port < 1 || port > 65535)
		return;
	if (inet_pton(AF_INET, ip, &ep->in.sin_addr) == 1) {
		ep->in.sin_family = AF_INET;
		ep->in.sin_port = htons(port);
	} else if (inet_pton(AF_INET6, ip, &ep->in6.sin6_addr) == 1) {
		ep->in6.sin6_family = AF_INET6;
		ep->in6.sin6_port = htons(port);
	}
}

/*
 * Pair k's remote node address in the family both ends have: this node's first where the
 * peer lists one (a dual-stack peer is listed by both, api/gateways.h), else its other
 * family. Without one the tunnel cannot come up: said once, when it starts being so.
 */
static void peer_endpoint(struct slice *sl, struct peer *p, const cJSON *gw, int k,
			  const cJSON *port)
{
	const struct sliced_config *cfg = sl->node->cfg;
	int families[] = { cfg->gateway_addr.ss_family, cfg->gateway_addr2.ss_family };
	union slicenl_sockaddr *ep = &p->desired.endpoint;
	bool had = ep->sa.sa_family != AF_UNSPEC;
	const char *ip = NULL;
	size_t i;

	for (i = 0; !ip && i < 2; i++)
		if (families[i] != AF_UNSPEC)
			ip = ks_gateway_pair_remote(gw, k, families[i]);
	endpoint_set(ep, ip, cJSON_IsNumber(port) ? port->valueint : 0);
	if (!cJSON_IsNumber(port))
		return;
	if (ep->sa.sa_family == AF_UNSPEC && (had || !p->desired.no_family))
		log_event(LOG_WARNING, sl->name, peer_name(p), "the peer lists no node address of "
			  "a family this node has (gatewayAddress): the tunnel stays down");
	p->desired.no_family = ep->sa.sa_family == AF_UNSPEC;
}

/*
 * The peer named key, seen in this pass and bound to gateway gw as pair (or node) pair
 * with the kernel id id: what a direct and a transit peer share. NULL when out of memory.
 */
static struct peer *peer_claim(struct slice *sl, const char *key, const cJSON *gw,
			       bool transit, int pair, uint32_t id)
{
	struct peer *p = peer_get(sl, key);

	if (!p)
		return NULL;
	p->seen = true;
	snprintf(p->desired.gateway, sizeof(p->desired.gateway), "%s", ks_name(gw));
	p->desired.transit = transit;
	p->desired.pair = pair;
	p->desired.id = id;
	return p;
}

/*
 * The direct peer of gateway gw: pair k between this node and the remote end's nodeIps[k],
 * and the route of the remote cluster's block to it. remote_net is set (for the detours)
 * whenever the gateway is complete.
 */
static void peer_update(struct slice *sl, const cJSON *gw, const struct ks_prefix *slice_net,
			struct ks_prefix *remote_net)
{
	const char *local = ks_get_str(gw, "spec.localGatewayConfig.gatewayName");
	const char *remote = ks_get_str(gw, "spec.remoteGatewayConfig.gatewayName");
	const char *subnet = ks_get_str(gw, "spec.remoteGatewayConfig.gatewaySubnet");
	const char *host = ks_get_str(gw, "spec.gatewayHostType");
	const cJSON *port;
	int cluster_id, k = sl->node_index;
	uint32_t id;
	struct peer *p;

	if (!local || !remote || !subnet || !host || ks_prefix_parse(subnet, remote_net) ||
	    (cluster_id = peer_id_of(slice_net, remote_net)) < 1 ||
	    cluster_id >= SLICE_NODE_ID_STEP) {
		log_event(LOG_WARNING, sl->name, remote, "gateway %s is incomplete, skipped",
			  ks_name(gw));
		remote_net->len = 0;
		return;
	}
	if (k >= ks_gateway_pairs(gw) || !(id = node_id(cluster_id, k)))
		return;	/* no pair of this gateway on this node (a worker node's index is past
			 * every pair's) */
	p = peer_claim(sl, ks_name(gw), gw, false, k, id);
	if (!p)
		return;
	port = cJSON_GetArrayItem(ks_get(gw, "spec.remoteGatewayConfig.nodePorts"), k);
	peer_endpoint(sl, p, gw, k, port);
	peer_load_creds(sl, p, gw, k, local, remote, !strcmp(host, KS_GATEWAY_SERVER));
	route_want(sl, remote_net, id);
}

/*
 * The transit peer to node j of the cluster at address ip: a DTLS session of the slice's
 * first gateway's pair-0 credentials on both sides (the lower address serves) and the
 * node's block routed to it. A gateway node also gets every remote cluster's block: the
 * detour of a gateway node, a worker node's way to the remote clusters.
 */
static void transit_update(struct slice *sl, const cJSON *gw, int j, const char *ip,
			   const struct ks_prefix *cluster_net, const struct ks_prefix *remotes,
			   size_t num_remotes)
{
	const char *local = ks_get_str(gw, "spec.localGatewayConfig.gatewayName");
	int family = ks_ip_family(sl->node->cfg->gateway_ip);
	unsigned char self[sizeof(struct in6_addr)], them[sizeof(struct in6_addr)];
	struct ks_prefix block;
	char key[KS_NAME_MAX + 1];
	struct peer *p;
	uint32_t id;
	size_t i;

	if (j == sl->node_index || !local || inet_pton(family, ip, them) != 1 ||
	    inet_pton(family, sl->node->cfg->gateway_ip, self) != 1 ||
	    ks_gateway_node_block(cluster_net, j, &block) ||
	    !(id = node_id((int)sl->local_id % SLICE_NODE_ID_STEP, j)))
		return;
	snprintf(key, sizeof(key), "node %s", ip);
	p = peer_claim(sl, key, gw, true, j, id);
	if (!p)
		return;
	endpoint_set(&p->desired.endpoint, ip, sl->port);
	/* the lower address serves: network byte order compares as the numbers do */
	peer_load_creds(sl, p, gw, 0, local, local,
			memcmp(self, them, family == AF_INET ? 4 : 16) < 0);
	route_want(sl, &block, id);
	for (i = 0; j < KS_GATEWAY_PAIRS_MAX && i < num_remotes; i++)
		route_want(sl, &remotes[i], id);
}

/* The cluster's other nodes: its gateway nodes, from the local end of any of the slice's
 * gateways (all of them list the same ones) in this node's family, and the worker nodes of
 * sliced.yaml. */
static void transits_update(struct slice *sl, const cJSON *gw, const struct ks_prefix *cluster_net,
			    const struct ks_prefix *remotes, size_t num_remotes)
{
	const struct sliced_config *cfg = sl->node->cfg;
	const cJSON *ips = ks_get(gw, "spec.localGatewayConfig.nodeIps");
	int j, family = ks_ip_family(cfg->gateway_ip);
	const char *ip;
	unsigned int w;

	/* node j of a list is its j-th address of each family (api/gateways.h) */
	for (j = 0; j < KS_GATEWAY_PAIRS_MAX && (ip = ks_gateway_node_ip(ips, j, family)); j++)
		transit_update(sl, gw, j, ip, cluster_net, remotes, num_remotes);
	for (w = 0; w < cfg->num_worker_nodes; w++)
		transit_update(sl, gw, KS_GATEWAY_PAIRS_MAX + w, cfg->worker_nodes[w],
			       cluster_net, remotes, num_remotes);
}

/* Routes were built anew: what kernel.c had seen of the old ones stays known. */
static void routes_carry_seen(struct slice *sl, const struct slice_route *old, size_t n)
{
	size_t i, j;

	for (i = 0; i < sl->num_routes; i++)
		for (j = 0; j < n; j++)
			if (old[j].kernel_seen &&
			    !memcmp(&old[j].route, &sl->routes[i].route, sizeof(old[j].route)))
				sl->routes[i].kernel_seen = true;
}

static uint32_t cipher_of(const cJSON *wsc)
{
	const char *c = ks_get_str(wsc, "spec.vpnConfig.cipher");

	return c && !strcasecmp(c, "ChaCha20-Poly1305") ? SLICE_CIPHER_CHACHA20_POLY1305 :
							  SLICE_CIPHER_AES_256_GCM;
}

/* The slice's gateways in this cluster: direct peers, then the other gateway nodes. */
static void slice_gateways(struct slice *sl, const struct ks_prefix *net,
			   const struct ks_prefix *cluster_net)
{
	struct ks_prefix remotes[SLICE_REMOTES_MAX];
	const cJSON *gw, *first = NULL, *port;
	size_t num_remotes = 0;

	cJSON_ArrayForEach(gw, sync_cache(sl->node->sync, SYNC_GATEWAYS)) {
		if (strcmp(ks_get_str(gw, "spec.sliceName") ?: "", sl->name))
			continue;
		port = cJSON_GetArrayItem(ks_get(gw, "spec.localGatewayConfig.nodePorts"), 0);
		if (cJSON_IsNumber(port) && port->valueint > 0 && port->valueint < 65536)
			sl->port = port->valueint;
		if (!first || strcmp(ks_name(gw), ks_name(first)) < 0)
			first = gw;
		peer_update(sl, gw, net, &remotes[num_remotes]);
		if (remotes[num_remotes].len && num_remotes + 1 < SLICE_REMOTES_MAX)
			num_remotes++;
	}
	if (first)
		transits_update(sl, first, cluster_net, remotes, num_remotes);
}

/* The QoS profile; a reason it cannot be used is logged once. */
static void slice_qos_update(struct slice *sl, const cJSON *wsc)
{
	char why[sizeof(sl->qos.invalid)] = "";

	qos_parse(ks_get(wsc, "spec.qosProfileDetails"), &sl->qos.want, why, sizeof(why));
	if (why[0] && strcmp(why, sl->qos.invalid))
		log_event(LOG_WARNING, sl->name, NULL, "QoS profile not used: %s", why);
	strcpy(sl->qos.invalid, why);
}

static void slice_update(struct node *n, const cJSON *wsc)
{
	const char *name = ks_get_str(wsc, "spec.sliceName");
	const char *subnet = ks_get_str(wsc, "spec.sliceSubnet");
	const char *cluster = ks_get_str(wsc, "spec.clusterSubnetCIDR");
	const cJSON *octet = ks_get(wsc, "spec.octet");
	struct ks_prefix net, cluster_net;
	struct slice_route *old;
	size_t num_old;
	struct slice *sl;
	struct peer *p;
	int index;

	if (!name || !subnet || ks_prefix_parse(subnet, &net) || !cluster ||
	    ks_prefix_parse(cluster, &cluster_net) || !cJSON_IsNumber(octet) ||
	    octet->valueint < 0 || octet->valueint >= SLICE_NODE_ID_STEP - 1) {
		log_msg(LOG_WARNING, "WorkerSliceConfig %s is incomplete, skipped",
			wsc->string);
		return;
	}
	sl = slice_get(n, name);
	if (!sl)
		return;
	sl->seen = true;
	snprintf(sl->config, sizeof(sl->config), "%s", wsc->string);
	index = place_index(n->cfg, sync_cache(n->sync, SYNC_GATEWAYS), name);
	if (index < 0 && sl->node_index >= 0)
		log_event(LOG_WARNING, name, NULL, "this node (%s) is neither one of the "
			  "cluster's gateway nodes nor in workerNodes: it takes no part", n->cfg->gateway_ip);
	sl->node_index = index;
	sl->local_id = node_id(octet->valueint + 1, index < 0 ? 0 : index);
	sl->cipher = cipher_of(wsc);
	if (sl->subnet.addr != net.addr || sl->subnet.len != net.len)
		sl->node_route_seen = false;
	sl->subnet = net;
	sl->liveness = ks_liveness_of(ks_get(wsc, "spec.sliceGatewayProvider"));
	old = sl->routes;
	num_old = sl->num_routes;
	sl->routes = NULL;
	sl->num_routes = 0;
	slice_qos_update(sl, wsc);
	for (p = sl->peers; p; p = p->next)
		p->seen = false;
	if (index >= 0)
		slice_gateways(sl, &net, &cluster_net);
	routes_carry_seen(sl, old, num_old);
	free(old);
}

void desired_update(struct node *n)
{
	struct slice *sl, **pp;
	struct peer *p, **ppp;
	const cJSON *wsc;

	for (sl = n->slices; sl; sl = sl->next)
		sl->seen = false;
	cJSON_ArrayForEach(wsc, sync_cache(n->sync, SYNC_SLICES))
		slice_update(n, wsc);
	for (pp = &n->slices; (sl = *pp);) {
		if (!sl->seen) {
			*pp = sl->next;
			slice_free(sl);
			continue;
		}
		for (ppp = &sl->peers; (p = *ppp);) {
			if (p->seen) {
				ppp = &p->next;
				continue;
			}
			log_event(LOG_INFO, sl->name, peer_name(p), "gateway removed");
			*ppp = p->next;
			peer_free(p);
		}
		pp = &sl->next;
	}
}
