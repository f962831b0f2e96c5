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

/* The pair's credentials from its Secret. */
static void peer_load_creds(struct slice *sl, struct peer *p, const cJSON *gw,
			    const char *local, const char *remote, bool server)
{
	const char *secret_name = ks_get_str(gw, "spec.gatewayCredentials.secretName");
	const cJSON *secret = secret_name ?
		cJSON_GetObjectItemCaseSensitive(sync_cache(sl->node->sync, SYNC_SECRETS),
						 secret_name) : NULL;
	char *ca = secret_pem(secret, "ca.crt");
	char *cert = secret_pem(secret, "tls.crt");
	char *key = secret_pem(secret, "tls.key");

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

/*
 * The remote node's address in the family both ends have: this node's first where the peer
 * lists one (a dual-stack peer is listed by both, api/gateways.h), else its other family.
 * Without one the tunnel cannot come up: said once, when it starts being so.
 */
static void peer_endpoint(struct slice *sl, struct peer *p, const cJSON *gw, const cJSON *port)
{
	const struct sliced_config *cfg = sl->node->cfg;
	int families[] = { cfg->gateway_addr.ss_family, cfg->gateway_addr2.ss_family };
	union slicenl_sockaddr *ep = &p->desired.endpoint;
	const char *ip = NULL;
	bool had = ep->sa.sa_family != AF_UNSPEC;
	size_t i;

	memset(ep, 0, sizeof(*ep));
	for (i = 0; !ip && i < 2; i++)
		if (families[i] != AF_UNSPEC)
			ip = ks_gateway_pair_remote(gw, 0, families[i]);
	if (!cJSON_IsNumber(port) || port->valueint < 1 || port->valueint > 65535)
		return;
	if (ip && inet_pton(AF_INET, ip, &ep->in.sin_addr) == 1) {
		ep->in.sin_family = AF_INET;
		ep->in.sin_port = htons(port->valueint);
	} else if (ip && inet_pton(AF_INET6, ip, &ep->in6.sin6_addr) == 1) {
		ep->in6.sin6_family = AF_INET6;
		ep->in6.sin6_port = htons(port->valueint);
	} else if (had || !p->desired.no_family) {
		log_event(LOG_WARNING, sl->name, peer_name(p), "the peer lists no node address of "
			  "a family this node has (gatewayAddress): the tunnel stays down");
	}
	p->desired.no_family = ep->sa.sa_family == AF_UNSPEC;
}

static void peer_update(struct slice *sl, const cJSON *gw, const struct ks_prefix *slice_net)
{
	const cJSON *rend = ks_get(gw, "spec.remoteGatewayConfig");
	const cJSON *rports = cJSON_GetObjectItemCaseSensitive(rend, "nodePorts");
	const char *local = ks_get_str(gw, "spec.localGatewayConfig.gatewayName");
	const char *remote = ks_get_str(gw, "spec.remoteGatewayConfig.gatewayName");
	const char *subnet = ks_get_str(gw, "spec.remoteGatewayConfig.gatewaySubnet");
	const char *host = ks_get_str(gw, "spec.gatewayHostType");
	const cJSON *port = cJSON_GetArrayItem(rports, 0);
	struct ks_prefix remote_net;
	struct peer *p;
	int id;

	if (!local || !remote || !subnet || !host || ks_prefix_parse(subnet, &remote_net) ||
	    (id = peer_id_of(slice_net, &remote_net)) < 1 || id > SLICE_ID_MAX) {
		log_event(LOG_WARNING, sl->name, remote, "gateway %s is incomplete, skipped",
			  ks_name(gw));
		return;
	}
	p = peer_get(sl, ks_name(gw));
	if (!p)
		return;
	p->seen = true;
	p->desired.id = id;
	p->desired.prefix.family = AF_INET;
	p->desired.prefix.addr.ip4.s_addr = htonl(remote_net.addr);
	p->desired.prefix.prefixlen = remote_net.len;
	peer_endpoint(sl, p, gw, port);
	peer_load_creds(sl, p, gw, local, remote, !strcmp(host, KS_GATEWAY_SERVER));
}

static uint32_t cipher_of(const cJSON *wsc)
{
	const char *c = ks_get_str(wsc, "spec.vpnConfig.cipher");

	return c && !strcasecmp(c, "ChaCha20-Poly1305") ? SLICE_CIPHER_CHACHA20_POLY1305 :
							  SLICE_CIPHER_AES_256_GCM;
}

static void slice_update(struct node *n, const cJSON *wsc)
{
	const char *name = ks_get_str(wsc, "spec.sliceName");
	const char *subnet = ks_get_str(wsc, "spec.sliceSubnet");
	const cJSON *octet = ks_get(wsc, "spec.octet"), *gw, *port;
	struct ks_prefix net;
	struct slice *sl;
	struct peer *p;

	if (!name || !subnet || ks_prefix_parse(subnet, &net) || !cJSON_IsNumber(octet) ||
	    octet->valueint < 0 || octet->valueint >= SLICE_ID_MAX) {
		log_msg(LOG_WARNING, "WorkerSliceConfig %s is incomplete, skipped",
			wsc->string);
		return;
	}
	sl = slice_get(n, name);
	if (!sl)
		return;
	sl->seen = true;
	snprintf(sl->config, sizeof(sl->config), "%s", wsc->string);
	sl->local_id = octet->valueint + 1;
	sl->cipher = cipher_of(wsc);
	for (p = sl->peers; p; p = p->next)
		p->seen = false;
	cJSON_ArrayForEach(gw, sync_cache(n->sync, SYNC_GATEWAYS)) {
		if (strcmp(ks_get_str(gw, "spec.sliceName") ?: "", name))
			continue;
		port = cJSON_GetArrayItem(ks_get(gw, "spec.localGatewayConfig.nodePorts"), 0);
		if (cJSON_IsNumber(port) && port->valueint > 0 && port->valueint < 65536)
			sl->port = port->valueint;
		peer_update(sl, gw, &net);
	}
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
