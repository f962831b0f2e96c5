// SPDX-License-Identifier: GPL-2.0
/* Desired state: WorkerSlice* objects into struct slice and peer.desired (see desired.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "api/subnet.h"
#include "desired.h"
#include "log.h"
#include "tunnel.h"

static const char *jstr(const cJSON *obj, const char *path)
{
	char key[64];
	const char *dot;

	while ((dot = strchr(path, '.'))) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		obj = cJSON_GetObjectItemCaseSensitive(obj, key);
		path = dot + 1;
	}
	obj = cJSON_GetObjectItemCaseSensitive(obj, path);
	return cJSON_IsString(obj) ? obj->valuestring : NULL;
}

/* obj.a.b, or obj.a when b is NULL. */
static const cJSON *jget(const cJSON *obj, const char *a, const char *b)
{
	obj = cJSON_GetObjectItemCaseSensitive(obj, a);
	return b ? cJSON_GetObjectItemCaseSensitive(obj, b) : obj;
}

static char *b64_text(const char *b64)
{
	size_t len = b64 ? strlen(b64) : 0;
	unsigned char *out;
	int n;

	if (!len || len % 4)
		return NULL;
	out = malloc(len / 4 * 3 + 1);
	n = out ? EVP_DecodeBlock(out, (const unsigned char *)b64, len) : -1;
	if (n < 0) {
		free(out);
		return NULL;
	}
	out[n] = '\0';
	return (char *)out;
}

/* The pair's credentials from its Secret; reloaded only when they changed (rotation). */

/* The pair's credentials from its Secret. */
static void peer_load_creds(struct slice *sl, struct peer *p, const cJSON *gw,
			    const char *local, const char *remote, bool server)
{
	const char *secret_name = jstr(gw, "spec.gatewayCredentials.secretName");
	const cJSON *secret = secret_name ?
		cJSON_GetObjectItemCaseSensitive(sync_cache(sl->node->sync, SYNC_SECRETS),
						 secret_name) : NULL;
	/* Secret data keys have dots: looked up directly, not with jstr(). */
	char *ca = b64_text(cJSON_GetStringValue(jget(secret, "data", "ca.crt")));
	char *cert = b64_text(cJSON_GetStringValue(jget(secret, "data", "tls.crt")));
	char *key = b64_text(cJSON_GetStringValue(jget(secret, "data", "tls.key")));

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

static void peer_update(struct slice *sl, const cJSON *gw, const struct ks_prefix *slice_net)
{
	const cJSON *rend = jget(gw, "spec", "remoteGatewayConfig");
	const cJSON *rports = cJSON_GetObjectItemCaseSensitive(rend, "nodePorts");
	const char *local = jstr(gw, "spec.localGatewayConfig.gatewayName");
	const char *remote = jstr(gw, "spec.remoteGatewayConfig.gatewayName");
	const char *subnet = jstr(gw, "spec.remoteGatewayConfig.gatewaySubnet");
	const cJSON *rips = cJSON_GetObjectItemCaseSensitive(rend, "nodeIps");
	const char *host = jstr(gw, "spec.gatewayHostType");
	const cJSON *ip = cJSON_GetArrayItem(rips, 0), *port = cJSON_GetArrayItem(rports, 0);
	struct ks_prefix remote_net;
	struct peer *p;
	int id;

	if (!local || !remote || !subnet || !host || ks_prefix_parse(subnet, &remote_net) ||
	    (id = peer_id_of(slice_net, &remote_net)) < 1 || id > SLICE_ID_MAX) {
		log_event(LOG_WARNING, sl->name, remote, "gateway %s is incomplete, skipped",
			  cJSON_GetStringValue(jget(gw, "metadata", "name")));
		return;
	}
	p = peer_get(sl, cJSON_GetStringValue(jget(gw, "metadata", "name")));
	if (!p)
		return;
	p->seen = true;
	p->desired.id = id;
	p->desired.prefix.family = AF_INET;
	p->desired.prefix.addr.ip4.s_addr = htonl(remote_net.addr);
	p->desired.prefix.prefixlen = remote_net.len;
	memset(&p->desired.endpoint, 0, sizeof(p->desired.endpoint));
	p->desired.endpoint.sin_family = AF_INET;
	if (cJSON_IsString(ip) && cJSON_IsNumber(port) &&
	    inet_pton(AF_INET, ip->valuestring, &p->desired.endpoint.sin_addr) == 1)
		p->desired.endpoint.sin_port = htons(port->valueint);
	peer_load_creds(sl, p, gw, local, remote, !strcmp(host, KS_GATEWAY_SERVER));
}

static uint32_t cipher_of(const cJSON *wsc)
{
	const char *c = jstr(wsc, "spec.vpnConfig.cipher");

	return c && !strcasecmp(c, "ChaCha20-Poly1305") ? SLICE_CIPHER_CHACHA20_POLY1305 :
							  SLICE_CIPHER_AES_256_GCM;
}

static void slice_update(struct node *n, const cJSON *wsc)
{
	const char *name = jstr(wsc, "spec.sliceName"), *subnet = jstr(wsc, "spec.sliceSubnet");
	const cJSON *octet = jget(wsc, "spec", "octet"), *gw, *port;
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
		if (strcmp(jstr(gw, "spec.sliceName") ?: "", name))
			continue;
		port = cJSON_GetArrayItem(jget(jget(gw, "spec", "localGatewayConfig"),
					       "nodePorts", NULL), 0);
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
