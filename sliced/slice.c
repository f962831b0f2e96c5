// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <netlink/route/link.h>
#include <openssl/evp.h>

#include "api/kubeslice.h"
#include "api/subnet.h"
#include "gwauth.h"
#include "lib/slicenl.h"
#include "log.h"
#include "metrics.h"
#include "port.h"
#include "slice.h"
#include "util.h"

#define NODE_PENDING_MAX	8
/* Handshakes from strangers: this many per second, this many at once. */
#define NODE_ACCEPT_RATE	10
#define NODE_ACCEPT_BURST	20
/* Log lines about refused handshakes, per slice. */
#define NODE_REFUSE_LOG_RATE	1
#define NODE_REFUSE_LOG_BURST	5
#define NODE_RETRY_MIN_MS	1000
#define NODE_RETRY_MAX_MS	60000
#define NODE_KEEPALIVE_S	5
#define NODE_PEER_TIMEOUT_S	30

struct peer {
	struct peer *next;
	char gateway[KS_NAME_MAX + 1];	/* our WorkerSliceGateway: status and Events go there */
	uint32_t id;
	struct slicenl_route prefix;	/* the remote cluster's subnet */
	struct sockaddr_in endpoint;	/* sin_port 0: not known yet */
	char *creds;			/* ca + cert + key as last loaded, to notice rotation */
	struct gw_pair pair;
	struct gw_session *hs;		/* client: the handshake in progress */
	struct gw_session *session;	/* the session the current keys came from */
	int key_id;			/* of the PRIMARY slot, -1: none */
	uint8_t new_key_id;		/* installed in SECONDARY, waiting for the swap */
	uint64_t next_handshake_ms;	/* client: rekey or retry; 0: none planned */
	unsigned int retry_ms;
	bool seen;

	/* Health, sampled every SLICE_STATUS_MS for the status and /metrics. */
	struct slicenl_peer kernel;	/* last PEER_GET */
	uint64_t sample_ms;
	uint64_t tx_bps, rx_bps;
	int rtt_ms;
	unsigned int lost, probes;
	unsigned int handshakes;	/* completed since start */
};

struct slice {
	struct slice *next;
	struct node *node;
	char name[KS_NAME_MAX + 1];
	char config[KS_NAME_MAX + 1];	/* our WorkerSliceConfig */
	char ifname[IF_NAMESIZE];
	uint32_t ifindex;
	uint32_t local_id;
	uint16_t port;
	uint32_t cipher;
	int ctl_fd;
	struct gw_listener listener;
	struct gw_session *pending[NODE_PENDING_MAX];	/* server sessions before their SNI */
	struct gw_ratelimit accept_rl, refuse_log_rl;
	struct peer *peers;
	bool seen;
};

struct node {
	const struct sliced_config *cfg;
	struct sync *sync;
	struct slicenl *nl, *events;
	struct nl_sock *rtnl;
	struct slice *slices;
	uint64_t next_check_ms;
	uint64_t next_probe_ms, next_status_ms;
	int metrics_fd;
	bool converged;			/* reconciled once: later repairs are drift */
	bool checking;			/* this reconcile is a check, not a desired change */
	unsigned int repairs;		/* kernel changes made by the current reconcile */
};

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

/* ---- handshake datagrams ---- */

static void slice_send(void *ctx, const struct sockaddr *to, socklen_t tolen, const void *buf,
		       size_t len)
{
	struct slice *sl = ctx;

	if (sendto(sl->ctl_fd, buf, len, 0, to, tolen) < 0)
		log_event(LOG_DEBUG, sl->name, NULL, "handshake send: %s", strerror(errno));
}

static struct gw_pair *slice_find_pair(void *ctx, const char *local_name)
{
	struct slice *sl = ctx;
	struct peer *p;

	for (p = sl->peers; p; p = p->next)
		if (p->pair.ctx && p->pair.server && !strcmp(p->pair.local_name, local_name))
			return &p->pair;
	return NULL;
}

static void peer_plan_handshake(struct slice *sl, struct peer *p, uint64_t delay_ms)
{
	if (!p->pair.server)
		p->next_handshake_ms = now_ms() + delay_ms;
}

static void peer_retry(struct slice *sl, struct peer *p)
{
	p->retry_ms = p->retry_ms ? p->retry_ms * 2 : NODE_RETRY_MIN_MS;
	if (p->retry_ms > NODE_RETRY_MAX_MS)
		p->retry_ms = NODE_RETRY_MAX_MS;
	peer_plan_handshake(sl, p, p->retry_ms);
}

static void peer_swap(struct slice *sl, struct peer *p, uint8_t key_id)
{
	struct node *n = sl->node;

	if (slicenl_key_swap(n->nl, sl->ifindex, p->id)) {
		log_event(LOG_ERR, sl->name, p->pair.remote_name, "key swap: %s",
			  slicenl_extack(n->nl));
		return;
	}
	p->key_id = key_id;
	p->retry_ms = 0;
	log_event(LOG_INFO, sl->name, p->pair.remote_name, "sending with new keys (id %u)",
		  key_id);
	peer_plan_handshake(sl, p, n->cfg->rekey_minutes * 60000ULL);
}

/* The handshake gave keys: into the SECONDARY slot, swapped once the peer has them too. */
static void peer_install(struct slice *sl, struct peer *p, struct gw_session *s)
{
	struct node *n = sl->node;
	struct slicenl_key key = {
		.flags = SLICENL_KEY_HAS_KEY_ID | SLICENL_KEY_HAS_CIPHER | SLICENL_KEY_HAS_KEYS,
		.slot = SLICE_KEY_SLOT_SECONDARY,
		.cipher = sl->cipher,
	};
	struct gw_keys keys;

	gw_session_keys(s, p->key_id, &keys);
	key.key_id = keys.key_id;
	memcpy(key.encrypt_key, keys.encrypt, sizeof(key.encrypt_key));
	memcpy(key.decrypt_key, keys.decrypt, sizeof(key.decrypt_key));
	OPENSSL_cleanse(keys.encrypt, sizeof(keys.encrypt));
	OPENSSL_cleanse(keys.decrypt, sizeof(keys.decrypt));
	if (slicenl_key_new(n->nl, sl->ifindex, p->id, &key)) {
		log_event(LOG_ERR, sl->name, p->pair.remote_name, "installing keys: %s",
			  slicenl_extack(n->nl));
		sync_event(n->sync, "WorkerSliceGateway", KS_API_WORKER, p->gateway, "Warning",
			   "KeyInstallFailed", "slice %s, cluster %s: %s", sl->name,
			   n->cfg->cluster, slicenl_extack(n->nl));
		OPENSSL_cleanse(&key, sizeof(key));
		return;
	}
	OPENSSL_cleanse(&key, sizeof(key));
	p->new_key_id = keys.key_id;
	p->handshakes++;
	log_event(LOG_INFO, sl->name, p->pair.remote_name, "authenticated, keys id %u ready",
		  p->new_key_id);
	if (s != p->session) {
		gw_session_free(p->session);
		p->session = s;
	}
	if (gw_session_installed(s) == GW_EV_SWAP)
		peer_swap(sl, p, p->new_key_id);
}

static struct peer *peer_by_pair(struct slice *sl, const struct gw_pair *pair)
{
	struct peer *p;

	for (p = sl->peers; p; p = p->next)
		if (&p->pair == pair)
			return p;
	return NULL;
}

static void peer_start_handshake(struct slice *sl, struct peer *p)
{
	enum gw_event ev;

	p->next_handshake_ms = 0;
	if (!p->pair.ctx || !p->endpoint.sin_port || sl->ctl_fd < 0) {
		/* Credentials, endpoint or port still missing: look again later. */
		peer_retry(sl, p);
		return;
	}
	gw_session_free(p->hs);
	p->hs = gw_client_new(&p->pair, (struct sockaddr *)&p->endpoint, sizeof(p->endpoint),
			      slice_send, sl, &ev);
	if (!p->hs || ev == GW_EV_FAILED) {
		log_event(LOG_WARNING, sl->name, p->pair.remote_name, "cannot start a handshake");
		gw_session_free(p->hs);
		p->hs = NULL;
		peer_retry(sl, p);
		return;
	}
	log_event(LOG_DEBUG, sl->name, p->pair.remote_name, "handshake started");
}

/* New keys now: clients start a handshake, servers ask their client to. */
static void peer_rekey(struct slice *sl, struct peer *p)
{
	if (p->pair.server && p->session)
		gw_session_request_rekey(p->session);
	else if (!p->pair.server && !p->hs)
		peer_start_handshake(sl, p);
}

/*
 * One event of session s. owner is the peer it belongs to, or NULL for a server session
 * still pending. Returns false when s was freed.
 */
static bool slice_session_event(struct slice *sl, struct peer *owner, struct gw_session *s,
				enum gw_event ev)
{
	struct peer *p = owner ? owner : peer_by_pair(sl, gw_session_pair(s));

	switch (ev) {
	case GW_EV_KEYS:
		if (!p)
			goto failed;
		if (p->hs == s)
			p->hs = NULL;
		peer_install(sl, p, s);
		return p->session == s;
	case GW_EV_SWAP:
		if (p)
			peer_swap(sl, p, p->new_key_id);
		return true;
	case GW_EV_REKEY:
		if (p)
			peer_start_handshake(sl, p);
		return true;
	case GW_EV_FAILED:
		goto failed;
	default:
		return true;
	}
failed:
	if (!owner) {
		/* A server session: anyone can send ClientHellos, so the log is rate-limited. */
		if (gw_ratelimit_allow(&sl->refuse_log_rl, now_ms(), NODE_REFUSE_LOG_RATE,
				       NODE_REFUSE_LOG_BURST))
			log_event(LOG_WARNING, sl->name, p ? p->pair.remote_name : NULL,
				  "refused a handshake: %s", gw_session_error(s));
	} else {
		log_event(LOG_WARNING, sl->name, p->pair.remote_name, "handshake failed: %s",
			  gw_session_error(s));
		if (p->hs == s)
			p->hs = NULL;
		if (p->session == s)
			p->session = NULL;
		peer_retry(sl, p);
	}
	gw_session_free(s);
	return false;
}

static bool session_from(const struct gw_session *s, const struct sockaddr_in *from)
{
	return gw_session_is_from(s, (const struct sockaddr *)from, sizeof(*from));
}

/* A pending server session that became a peer's own. */
static bool slice_session_adopted(struct slice *sl, struct gw_session *s)
{
	struct peer *p = gw_session_pair(s) ? peer_by_pair(sl, gw_session_pair(s)) : NULL;

	return p && p->session == s;
}

static void slice_datagram(struct slice *sl, const struct sockaddr_in *from, const uint8_t *buf,
			   size_t len)
{
	struct gw_session **slot = NULL, *s;
	struct peer *p;
	int i;

	/* Handshakes in progress first: they share the address with the session they renew. */
	for (p = sl->peers; p; p = p->next)
		if (p->hs && session_from(p->hs, from)) {
			slice_session_event(sl, p, p->hs, gw_session_input(p->hs, buf, len));
			return;
		}
	for (i = 0; i < NODE_PENDING_MAX; i++) {
		if (sl->pending[i] && session_from(sl->pending[i], from)) {
			s = sl->pending[i];
			if (!slice_session_event(sl, NULL, s, gw_session_input(s, buf, len)) ||
			    slice_session_adopted(sl, s))
				sl->pending[i] = NULL;
			return;
		}
		if (!sl->pending[i] && !slot)
			slot = &sl->pending[i];
	}
	if (gw_is_client_hello(buf, len)) {
		if (!slot || !gw_ratelimit_allow(&sl->accept_rl, now_ms(), NODE_ACCEPT_RATE,
						 NODE_ACCEPT_BURST))
			return;
		s = gw_server_new(&sl->listener, (const struct sockaddr *)from, sizeof(*from),
				  slice_send, sl);
		if (s && slice_session_event(sl, NULL, s, gw_session_input(s, buf, len)))
			*slot = s;
		return;
	}
	for (p = sl->peers; p; p = p->next)
		if (p->session && session_from(p->session, from)) {
			slice_session_event(sl, p, p->session, gw_session_input(p->session, buf, len));
			return;
		}
}

static void slice_read(struct slice *sl)
{
	struct sockaddr_in from;
	socklen_t fromlen;
	uint8_t buf[2048];
	ssize_t n;

	for (;;) {
		fromlen = sizeof(from);
		n = recvfrom(sl->ctl_fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen);
		if (n < 0)
			return;
		if (fromlen == sizeof(from) && from.sin_family == AF_INET)
			slice_datagram(sl, &from, buf, n);
	}
}

/* ---- desired state from the controller's objects ---- */

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
static void peer_load_creds(struct slice *sl, struct peer *p, const cJSON *gw,
			    const char *local, const char *remote, bool server)
{
	const char *secret_name = jstr(gw, "spec.gatewayCredentials.secretName");
	const cJSON *secret = secret_name ?
		cJSON_GetObjectItemCaseSensitive(sync_cache(sl->node->sync, SYNC_SECRETS),
						 secret_name) : NULL;
	/* Secret data keys have dots: looked up directly, not with jstr(). */
	char *ca = b64_text(cJSON_GetStringValue(jget(secret, "data", "ca.crt")));
	char *cert = NULL, *key = NULL, *all = NULL, err[256];

	cert = b64_text(cJSON_GetStringValue(jget(secret, "data", "tls.crt")));
	key = b64_text(cJSON_GetStringValue(jget(secret, "data", "tls.key")));
	if (!ca || !cert || !key || asprintf(&all, "%s%s%s%s", ca, cert, key, remote) < 0) {
		all = NULL;
		if (!p->pair.ctx)
			log_event(LOG_DEBUG, sl->name, remote, "waiting for credentials %s",
				  secret_name ? secret_name : "(none named)");
		goto out;
	}
	if (p->creds && !strcmp(p->creds, all))
		goto out;
	if (gw_pair_init(&p->pair, local, remote, server, ca, cert, key, err, sizeof(err))) {
		log_event(LOG_ERR, sl->name, remote, "credentials %s refused: %s", secret_name,
			  err);
		sync_event(sl->node->sync, "WorkerSliceGateway", KS_API_WORKER, p->gateway,
			   "Warning", "BadCredentials", "slice %s, cluster %s: %s", sl->name,
			   sl->node->cfg->cluster, err);
		goto out;
	}
	log_event(LOG_INFO, sl->name, remote, "%s credentials loaded",
		  p->creds ? "rotated" : "gateway");
	free(p->creds);
	p->creds = all;
	all = NULL;
	if (p->key_id < 0)
		peer_plan_handshake(sl, p, 0);
out:
	OPENSSL_cleanse(key, key ? strlen(key) : 0);
	free(ca);
	free(cert);
	free(key);
	free(all);
}

static struct peer *peer_get(struct slice *sl, const char *gateway)
{
	struct peer *p;

	for (p = sl->peers; p; p = p->next)
		if (!strcmp(p->gateway, gateway))
			return p;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	snprintf(p->gateway, sizeof(p->gateway), "%s", gateway);
	p->key_id = -1;
	p->next = sl->peers;
	sl->peers = p;
	return p;
}

static void peer_free(struct peer *p)
{
	gw_session_free(p->hs);
	gw_session_free(p->session);
	gw_pair_release(&p->pair);
	free(p->creds);
	free(p);
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
	p->id = id;
	p->prefix.family = AF_INET;
	p->prefix.addr.ip4.s_addr = htonl(remote_net.addr);
	p->prefix.prefixlen = remote_net.len;
	memset(&p->endpoint, 0, sizeof(p->endpoint));
	p->endpoint.sin_family = AF_INET;
	if (cJSON_IsString(ip) && cJSON_IsNumber(port) &&
	    inet_pton(AF_INET, ip->valuestring, &p->endpoint.sin_addr) == 1)
		p->endpoint.sin_port = htons(port->valueint);
	peer_load_creds(sl, p, gw, local, remote, !strcmp(host, KS_GATEWAY_SERVER));
}

static struct slice *slice_get(struct node *n, const char *name)
{
	struct slice *sl;

	for (sl = n->slices; sl; sl = sl->next)
		if (!strcmp(sl->name, name))
			return sl;
	sl = calloc(1, sizeof(*sl));
	if (!sl)
		return NULL;
	sl->node = n;
	sl->ctl_fd = -1;
	snprintf(sl->name, sizeof(sl->name), "%s", name);
	/* Device names are short: "slice-" and as much of the slice name as fits. */
	strcpy(sl->ifname, SLICE_DEV_PREFIX);
	strncat(sl->ifname, name, sizeof(sl->ifname) - sizeof(SLICE_DEV_PREFIX));
	if (gw_listener_init(&sl->listener, slice_find_pair, sl)) {
		free(sl);
		return NULL;
	}
	sl->next = n->slices;
	n->slices = sl;
	return sl;
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

/* ---- the kernel ---- */

static void node_repair(struct node *n, struct slice *sl, const char *what)
{
	n->repairs++;
	if (!n->converged || !n->checking)
		return;
	log_event(LOG_WARNING, sl->name, NULL, "drift: %s, put right", what);
	sync_event(n->sync, "WorkerSliceConfig", KS_API_WORKER, sl->config, "Warning",
		   "DriftRepaired", "slice %s, cluster %s: %s", sl->name, n->cfg->cluster, what);
}

static void node_apply_failed(struct node *n, struct slice *sl, const char *what)
{
	log_event(LOG_ERR, sl->name, NULL, "%s: %s", what, slicenl_extack(n->nl));
	sync_event(n->sync, "WorkerSliceConfig", KS_API_WORKER, sl->config, "Warning",
		   "ApplyFailed", "slice %s, cluster %s: %s: %s", sl->name, n->cfg->cluster, what,
		   slicenl_extack(n->nl));
}

/* The slice's device, created (marked as ours) when missing, and up. */
static int slice_device(struct node *n, struct slice *sl)
{
	struct rtnl_link *link = NULL, *want;
	char alias[sizeof(SLICE_ALIAS_PREFIX) + KS_NAME_MAX];
	int err;

	snprintf(alias, sizeof(alias), SLICE_ALIAS_PREFIX "%s", sl->name);
	if (!rtnl_link_get_kernel(n->rtnl, 0, sl->ifname, &link)) {
		sl->ifindex = rtnl_link_get_ifindex(link);
		err = (rtnl_link_get_flags(link) & IFF_UP) ? 0 : 1;
		rtnl_link_put(link);
		if (!err)
			return 0;
	}
	want = rtnl_link_alloc();
	if (!want)
		return -ENOMEM;
	rtnl_link_set_name(want, sl->ifname);
	rtnl_link_set_flags(want, IFF_UP);
	if (!sl->ifindex) {
		rtnl_link_set_type(want, SLICE_LINK_KIND);
		rtnl_link_set_ifalias(want, alias);
		err = rtnl_link_add(n->rtnl, want, NLM_F_CREATE | NLM_F_EXCL);
		if (!err && !rtnl_link_get_kernel(n->rtnl, 0, sl->ifname, &link)) {
			sl->ifindex = rtnl_link_get_ifindex(link);
			rtnl_link_put(link);
		}
		log_event(err ? LOG_ERR : LOG_INFO, sl->name, NULL, "device %s %s%s", sl->ifname,
			  err ? "not created: " : "created", err ? nl_geterror(err) : "");
	} else {
		struct rtnl_link *cur = NULL;

		err = rtnl_link_get_kernel(n->rtnl, sl->ifindex, NULL, &cur);
		if (!err)
			err = rtnl_link_change(n->rtnl, cur, want, 0);
		rtnl_link_put(cur);
		node_repair(n, sl, "device was down");
	}
	rtnl_link_put(want);
	return err ? -EIO : 0;
}

/*
 * The data socket and LOCAL_ID. A device that has its socket on the right port keeps it
 * (a restarted sliced only opens a new control socket: see port.h).
 */
static int slice_socket(struct node *n, struct slice *sl)
{
	struct slicenl_dev_config dc = { .flags = SLICENL_DEV_SET_LOCAL_ID,
					 .local_id = sl->local_id };
	struct slicenl_device dev;
	int fd = -1, err;

	if (!sl->port)
		return -EAGAIN;
	err = slicenl_dev_get(n->nl, sl->ifindex, &dev);
	if (err)
		return err;
	if (!(dev.flags & SLICENL_DEV_HAS_LISTEN_PORT) || dev.listen_port != sl->port) {
		if (sl->ctl_fd >= 0) {
			close(sl->ctl_fd);
			sl->ctl_fd = -1;
		}
		fd = port_open_data(sl->port);
		if (fd < 0) {
			log_event(LOG_ERR, sl->name, NULL, "UDP port %u: %s", sl->port,
				  strerror(-fd));
			return fd;
		}
		dc.flags |= SLICENL_DEV_SET_SOCK_FD;
		dc.sock_fd = fd;
		if (dev.flags & SLICENL_DEV_HAS_LISTEN_PORT)
			node_repair(n, sl, "socket on another port");
	} else if ((dev.flags & SLICENL_DEV_HAS_LOCAL_ID) && dev.local_id == sl->local_id) {
		dc.flags = 0;
	}
	if (dc.flags) {
		err = slicenl_dev_set(n->nl, sl->ifindex, &dc);
		if (fd >= 0)
			close(fd);	/* the device holds it now */
		if (err) {
			node_apply_failed(n, sl, "setting the socket and local id");
			return err;
		}
	}
	if (sl->ctl_fd < 0) {
		sl->ctl_fd = port_open_control(sl->port);
		if (sl->ctl_fd < 0) {
			log_event(LOG_ERR, sl->name, NULL, "control socket on port %u: %s",
				  sl->port, strerror(-sl->ctl_fd));
			sl->ctl_fd = -1;
			return -EIO;
		}
		log_event(LOG_INFO, sl->name, NULL, "gateway port %u, local id %u", sl->port,
			  sl->local_id);
	}
	return 0;
}

static bool endpoint_same(const union slicenl_sockaddr *a, const struct sockaddr_in *b)
{
	return a->sa.sa_family == AF_INET && a->in.sin_port == b->sin_port &&
	       a->in.sin_addr.s_addr == b->sin_addr.s_addr;
}

/* Adopt the keys a peer already has: rekey when they are as old as the period. */
static void peer_adopt(struct node *n, struct slice *sl, struct peer *p)
{
	struct slicenl_key key;
	uint64_t period = n->cfg->rekey_minutes * 60000ULL, age;

	if (p->key_id >= 0 || slicenl_key_get(n->nl, sl->ifindex, p->id,
					      SLICE_KEY_SLOT_PRIMARY, &key))
		return;
	p->key_id = key.key_id;
	age = (key.flags & SLICENL_KEY_HAS_AGE) ? key.age_seconds * 1000ULL : 0;
	peer_plan_handshake(sl, p, age < period ? period - age : 0);
	log_event(LOG_INFO, sl->name, p->pair.remote_name, "adopted running tunnel (key id %u)",
		  p->key_id);
}

static void slice_peers(struct node *n, struct slice *sl)
{
	struct slicenl_peer *have = NULL, want;
	struct peer *p;
	size_t count = 0, i;
	bool found;

	if (slicenl_peer_dump(n->nl, sl->ifindex, &have, &count)) {
		node_apply_failed(n, sl, "reading peers");
		return;
	}
	for (p = sl->peers; p; p = p->next) {
		memset(&want, 0, sizeof(want));
		want.id = p->id;
		want.flags = SLICENL_PEER_HAS_KEEPALIVE | SLICENL_PEER_HAS_TIMEOUT |
			     SLICENL_PEER_HAS_STATE;
		want.keepalive_interval = NODE_KEEPALIVE_S;
		want.keepalive_timeout = NODE_PEER_TIMEOUT_S;
		want.state = SLICE_PEER_STATE_UP;
		if (p->endpoint.sin_port) {
			want.flags |= SLICENL_PEER_HAS_ENDPOINT;
			memcpy(&want.endpoint.in, &p->endpoint, sizeof(p->endpoint));
		}
		for (i = 0, found = false; i < count && !found; i++)
			found = have[i].id == p->id;
		if (!found) {
			if (slicenl_peer_new(n->nl, sl->ifindex, &want))
				node_apply_failed(n, sl, "adding a peer");
			else
				node_repair(n, sl, "peer was missing");
			/* Its keys went with it: both sides need new ones. */
			p->key_id = -1;
			peer_rekey(sl, p);
			continue;
		}
		if (p->endpoint.sin_port && !endpoint_same(&have[i - 1].endpoint, &p->endpoint)) {
			want.flags = SLICENL_PEER_HAS_ENDPOINT;
			if (slicenl_peer_set(n->nl, sl->ifindex, &want))
				node_apply_failed(n, sl, "setting a peer's endpoint");
			else
				node_repair(n, sl, "peer endpoint changed");
		}
		peer_adopt(n, sl, p);
	}
	for (i = 0; i < count; i++) {
		for (p = sl->peers; p && p->id != have[i].id; p = p->next)
			;
		if (!p && !slicenl_peer_del(n->nl, sl->ifindex, have[i].id))
			log_event(LOG_INFO, sl->name, NULL, "peer %u removed", have[i].id);
	}
	free(have);
}

static bool route_same(const struct slicenl_route *a, const struct slicenl_route *b)
{
	return a->family == b->family && a->prefixlen == b->prefixlen &&
	       a->peer_id == b->peer_id && a->addr.ip4.s_addr == b->addr.ip4.s_addr;
}

static void slice_routes(struct node *n, struct slice *sl)
{
	struct slicenl_route *have = NULL;
	size_t count = 0, i;
	struct peer *p;
	char what[96];

	if (slicenl_route_dump(n->nl, sl->ifindex, &have, &count)) {
		node_apply_failed(n, sl, "reading routes");
		return;
	}
	for (p = sl->peers; p; p = p->next) {
		p->prefix.peer_id = p->id;
		for (i = 0; i < count && !route_same(&have[i], &p->prefix); i++)
			;
		if (i < count)
			continue;
		snprintf(what, sizeof(what), "route to %s/%u via peer %u was missing",
			 inet_ntoa(p->prefix.addr.ip4), p->prefix.prefixlen, p->id);
		if (slicenl_route_add(n->nl, sl->ifindex, &p->prefix))
			node_apply_failed(n, sl, "adding a route");
		else
			node_repair(n, sl, what);
	}
	for (i = 0; i < count; i++) {
		for (p = sl->peers; p && !route_same(&have[i], &p->prefix); p = p->next)
			;
		if (!p && !slicenl_route_del(n->nl, sl->ifindex, &have[i]))
			node_repair(n, sl, "a route not of the slice was removed");
	}
	free(have);
}

static void slice_free(struct node *n, struct slice *sl)
{
	struct peer *p;
	int i;

	while ((p = sl->peers)) {
		sl->peers = p->next;
		peer_free(p);
	}
	for (i = 0; i < NODE_PENDING_MAX; i++)
		gw_session_free(sl->pending[i]);
	gw_listener_release(&sl->listener);
	if (sl->ctl_fd >= 0)
		close(sl->ctl_fd);
	free(sl);
}

/* Devices marked as ours whose slice is gone (also from before a restart). */
static void node_sweep_devices(struct node *n)
{
	struct nl_cache *links;
	struct rtnl_link *link;
	const char *alias;
	struct slice *sl;

	if (rtnl_link_alloc_cache(n->rtnl, AF_UNSPEC, &links))
		return;
	for (link = (struct rtnl_link *)nl_cache_get_first(links); link;
	     link = (struct rtnl_link *)nl_cache_get_next((struct nl_object *)link)) {
		alias = rtnl_link_get_ifalias(link);
		if (!alias || strncmp(alias, SLICE_ALIAS_PREFIX, strlen(SLICE_ALIAS_PREFIX)))
			continue;
		for (sl = n->slices; sl && strcmp(sl->name, alias + strlen(SLICE_ALIAS_PREFIX));
		     sl = sl->next)
			;
		if (sl)
			continue;
		if (!rtnl_link_delete(n->rtnl, link))
			log_event(LOG_INFO, alias + strlen(SLICE_ALIAS_PREFIX), NULL,
				  "slice removed: device %s deleted", rtnl_link_get_name(link));
	}
	nl_cache_free(links);
}

void node_reconcile(struct node *n, bool check)
{
	struct slice *sl, **pp;
	const cJSON *wsc;
	struct peer *p, **ppp;

	n->repairs = 0;
	n->checking = check;
	for (sl = n->slices; sl; sl = sl->next)
		sl->seen = false;
	cJSON_ArrayForEach(wsc, sync_cache(n->sync, SYNC_SLICES))
		slice_update(n, wsc);
	for (pp = &n->slices; (sl = *pp);) {
		if (!sl->seen) {
			*pp = sl->next;
			slice_free(n, sl);
			continue;
		}
		for (ppp = &sl->peers; (p = *ppp);) {
			if (p->seen) {
				ppp = &p->next;
				continue;
			}
			log_event(LOG_INFO, sl->name, p->pair.remote_name, "gateway removed");
			*ppp = p->next;
			peer_free(p);
		}
		if (!slice_device(n, sl) && !slice_socket(n, sl)) {
			slice_peers(n, sl);
			slice_routes(n, sl);
		}
		pp = &sl->next;
	}
	node_sweep_devices(n);
	n->converged = true;
	n->next_check_ms = now_ms() + SLICE_CHECK_MS;
}

/* ---- events and timers ---- */

static int node_event(const struct slicenl_event *ev, void *arg)
{
	struct node *n = arg;
	struct slice *sl;
	struct peer *p;

	for (sl = n->slices; sl && sl->ifindex != ev->ifindex; sl = sl->next)
		;
	for (p = sl ? sl->peers : NULL; p && p->id != ev->peer_id; p = p->next)
		;
	if (!p)
		return 0;
	if (ev->cmd == SLICE_CMD_PEER_STATE_NTF) {
		log_event(LOG_INFO, sl->name, p->pair.remote_name, "tunnel %s",
			  slicenl_state_name(ev->state));
		/* A peer deleted behind our back also ends here: check now. */
		n->next_check_ms = 0;
	} else if (ev->cmd == SLICE_CMD_KEY_ROTATE_NTF) {
		log_event(LOG_INFO, sl->name, p->pair.remote_name,
			  "kernel asks for new keys (key id %u)", ev->key_id);
		peer_rekey(sl, p);
	}
	return 0;
}

void node_rekey(struct node *n)
{
	struct slice *sl;
	struct peer *p;

	for (sl = n->slices; sl; sl = sl->next)
		for (p = sl->peers; p; p = p->next) {
			log_event(LOG_INFO, sl->name, p->pair.remote_name, "rekey requested");
			peer_rekey(sl, p);
		}
}

static const char *peer_state(const struct peer *p)
{
	return (p->kernel.flags & SLICENL_PEER_HAS_STATE) &&
	       p->kernel.state == SLICE_PEER_STATE_UP && p->key_id >= 0 ? "UP" : "DOWN";
}

static uint64_t rate_bps(uint64_t now_bytes, uint64_t then_bytes, uint64_t ms)
{
	return ms && now_bytes >= then_bytes ? (now_bytes - then_bytes) * 8000 / ms : 0;
}

/* Sample one peer's kernel state and session health. */
static void peer_sample(struct node *n, struct slice *sl, struct peer *p, uint64_t now)
{
	struct slicenl_peer cur;

	if (slicenl_peer_get(n->nl, sl->ifindex, p->id, &cur)) {
		memset(&p->kernel, 0, sizeof(p->kernel));
		return;
	}
	if (p->sample_ms && (cur.flags & SLICENL_PEER_HAS_STATS)) {
		p->tx_bps = rate_bps(cur.stats.counter[SLICE_STATS_A_TX_BYTES],
				     p->kernel.stats.counter[SLICE_STATS_A_TX_BYTES],
				     now - p->sample_ms);
		p->rx_bps = rate_bps(cur.stats.counter[SLICE_STATS_A_RX_BYTES],
				     p->kernel.stats.counter[SLICE_STATS_A_RX_BYTES],
				     now - p->sample_ms);
	}
	p->kernel = cur;
	p->sample_ms = now;
	p->rtt_ms = -1;
	p->lost = p->probes = 0;
	if (p->session)
		gw_session_health(p->session, &p->rtt_ms, &p->lost, &p->probes);
}

/* Gateways' tunnel status (KubeSlice's per-tunnel fields) and the Cluster's health. */
static void node_status(struct node *n, uint64_t now)
{
	char stamp[32], addr[INET6_ADDRSTRLEN] = "";
	bool healthy = true;
	cJSON *status, *tun, *health, *ips;
	struct slice *sl;
	struct peer *p;
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	for (sl = n->slices; sl; sl = sl->next)
		for (p = sl->peers; p; p = p->next) {
			peer_sample(n, sl, p, now);
			healthy &= !strcmp(peer_state(p), "UP");
			status = cJSON_CreateObject();
			tun = cJSON_AddObjectToObject(status, "tunnelStatus");
			cJSON_AddStringToObject(tun, "TunnelState", peer_state(p));
			if (p->rtt_ms >= 0)
				cJSON_AddNumberToObject(tun, "Latency", p->rtt_ms);
			cJSON_AddNumberToObject(tun, "PacketLoss",
						p->probes ? 100.0 * p->lost / p->probes : 0);
			cJSON_AddNumberToObject(tun, "TxRate", (double)p->tx_bps);
			cJSON_AddNumberToObject(tun, "RxRate", (double)p->rx_bps);
			cJSON_AddNumberToObject(tun, "KeyId", p->key_id);
			cJSON_AddStringToObject(tun, "LastUpdated", stamp);
			sync_write_status(n->sync, "/apis/" KS_GROUP_WORKER "/" KS_VERSION,
					  KS_RES_WORKER_GATEWAY, p->gateway, status);
		}
	status = cJSON_CreateObject();
	ips = cJSON_AddArrayToObject(status, "nodeIPs");
	if (n->cfg->gateway_addr.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&n->cfg->gateway_addr)->sin_addr, addr,
			  sizeof(addr));
	else
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&n->cfg->gateway_addr)->sin6_addr,
			  addr, sizeof(addr));
	cJSON_AddItemToArray(ips, cJSON_CreateString(addr));
	health = cJSON_AddObjectToObject(status, "clusterHealth");
	cJSON_AddStringToObject(health, "clusterHealthStatus", healthy ? "Normal" : "Warning");
	cJSON_AddStringToObject(health, "lastUpdated", stamp);
	sync_write_status(n->sync, "/apis/" KS_GROUP_CONTROLLER "/" KS_VERSION, KS_RES_CLUSTER,
			  n->cfg->cluster, status);
}

static void metric(FILE *f, const char *name, const struct slice *sl, const struct peer *p,
		   double value)
{
	fprintf(f, "%s{cluster=\"%s\",slice=\"%s\"", name, sl->node->cfg->cluster, sl->name);
	if (p)
		fprintf(f, ",peer=\"%s\"", p->pair.remote_name);
	fprintf(f, "} %.17g\n", value);
}

void node_metrics(struct node *n, FILE *f)
{
	static const struct {
		const char *name;
		unsigned int attr;
	} counters[] = {
		{ "slice_peer_tx_packets_total", SLICE_STATS_A_TX_PACKETS },
		{ "slice_peer_tx_bytes_total", SLICE_STATS_A_TX_BYTES },
		{ "slice_peer_rx_packets_total", SLICE_STATS_A_RX_PACKETS },
		{ "slice_peer_rx_bytes_total", SLICE_STATS_A_RX_BYTES },
		{ "slice_peer_drop_auth_total", SLICE_STATS_A_DROP_AUTH },
		{ "slice_peer_drop_replay_total", SLICE_STATS_A_DROP_REPLAY },
		{ "slice_peer_drop_no_key_total", SLICE_STATS_A_DROP_NO_KEY },
	};
	struct slice *sl;
	struct peer *p;
	size_t i;

	fprintf(f, "# TYPE sliced_controller_connected gauge\n"
		   "sliced_controller_connected{cluster=\"%s\"} %d\n", n->cfg->cluster,
		sync_connected(n->sync));
	fprintf(f, "# TYPE slice_peer_up gauge\n# TYPE slice_peer_latency_seconds gauge\n"
		   "# TYPE slice_peer_handshakes_total counter\n");
	for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		fprintf(f, "# TYPE %s counter\n", counters[i].name);
	for (sl = n->slices; sl; sl = sl->next)
		for (p = sl->peers; p; p = p->next) {
			metric(f, "slice_peer_up", sl, p, !strcmp(peer_state(p), "UP"));
			if (p->rtt_ms >= 0)
				metric(f, "slice_peer_latency_seconds", sl, p, p->rtt_ms / 1000.0);
			metric(f, "slice_peer_handshakes_total", sl, p, p->handshakes);
			for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
				metric(f, counters[i].name, sl, p,
				       (double)p->kernel.stats.counter[counters[i].attr]);
		}
}

static int next_due(int timeout, uint64_t due, uint64_t now)
{
	int ms = due <= now ? 0 : (int)(due - now);

	return timeout < 0 || ms < timeout ? ms : timeout;
}

static int session_timer(struct slice *sl, struct peer *owner, struct gw_session **sp,
			 uint64_t now, int timeout)
{
	int ms = *sp ? gw_session_timeout_ms(*sp, now) : -1;

	if (ms == 0) {
		struct gw_session *s = *sp;

		if (!slice_session_event(sl, owner, s, gw_session_tick(s, now)) && *sp == s)
			*sp = NULL;
		ms = *sp ? gw_session_timeout_ms(*sp, now) : -1;
	}
	return ms < 0 ? timeout : next_due(timeout, now + ms, now);
}

int node_run(struct node *n, const struct curl_waitfd *fds, unsigned int count)
{
	uint64_t now = now_ms();
	struct slice *sl;
	struct peer *p;
	unsigned int i;
	int timeout;

	for (i = 0; i < count; i++) {
		if (!(fds[i].revents & CURL_WAIT_POLLIN))
			continue;
		if (fds[i].fd == slicenl_fd(n->events)) {
			slicenl_event_recv(n->events, node_event, n);
			continue;
		}
		if (fds[i].fd == n->metrics_fd) {
			metrics_serve(n->metrics_fd, n);
			continue;
		}
		for (sl = n->slices; sl; sl = sl->next)
			if (sl->ctl_fd == fds[i].fd)
				slice_read(sl);
	}
	if (now >= n->next_check_ms)
		node_reconcile(n, true);
	if (now >= n->next_probe_ms) {
		for (sl = n->slices; sl; sl = sl->next)
			for (p = sl->peers; p; p = p->next)
				if (p->session)
					gw_session_probe(p->session);
		n->next_probe_ms = now + SLICE_PROBE_MS;
	}
	if (now >= n->next_status_ms) {
		node_status(n, now);
		n->next_status_ms = now + SLICE_STATUS_MS;
	}
	timeout = next_due(-1, n->next_check_ms, now);
	timeout = next_due(timeout, n->next_probe_ms, now);
	timeout = next_due(timeout, n->next_status_ms, now);
	for (sl = n->slices; sl; sl = sl->next) {
		for (i = 0; i < NODE_PENDING_MAX; i++)
			timeout = session_timer(sl, NULL, &sl->pending[i], now, timeout);
		for (p = sl->peers; p; p = p->next) {
			if (p->next_handshake_ms && now >= p->next_handshake_ms && !p->hs)
				peer_start_handshake(sl, p);
			if (p->next_handshake_ms)
				timeout = next_due(timeout, p->next_handshake_ms, now);
			timeout = session_timer(sl, p, &p->hs, now, timeout);
			timeout = session_timer(sl, p, &p->session, now, timeout);
		}
	}
	return timeout;
}

unsigned int node_fds(struct node *n, struct curl_waitfd *fds, unsigned int max)
{
	unsigned int count = 0;
	struct slice *sl;

	if (max) {
		fds[count].fd = slicenl_fd(n->events);
		fds[count].events = CURL_WAIT_POLLIN;
		fds[count++].revents = 0;
	}
	if (n->metrics_fd >= 0 && count < max) {
		fds[count].fd = n->metrics_fd;
		fds[count].events = CURL_WAIT_POLLIN;
		fds[count++].revents = 0;
	}
	for (sl = n->slices; sl && count < max; sl = sl->next) {
		if (sl->ctl_fd < 0)
			continue;
		fds[count].fd = sl->ctl_fd;
		fds[count].events = CURL_WAIT_POLLIN;
		fds[count++].revents = 0;
	}
	return count;
}

struct node *node_new(const struct sliced_config *cfg, struct sync *sync)
{
	struct node *n = calloc(1, sizeof(*n));
	int err;

	if (!n)
		return NULL;
	n->cfg = cfg;
	n->sync = sync;
	n->metrics_fd = -1;
	if (cfg->metrics_addr.ss_family != AF_UNSPEC) {
		n->metrics_fd = metrics_listen(&cfg->metrics_addr);
		if (n->metrics_fd < 0) {
			log_msg(LOG_ERR, "metricsAddress: cannot listen: %s", strerror(-n->metrics_fd));
			node_free(n);
			return NULL;
		}
	}
	err = slicenl_open(&n->nl);
	if (!err)
		err = slicenl_open_events(&n->events);
	if (err) {
		log_msg(LOG_ERR, "slice genl family: %s%s", strerror(-err),
			err == -EPROTONOSUPPORT ? " (is the slice module loaded? modprobe slice)" : "");
		node_free(n);
		return NULL;
	}
	n->rtnl = nl_socket_alloc();
	if (!n->rtnl || nl_connect(n->rtnl, NETLINK_ROUTE)) {
		log_msg(LOG_ERR, "rtnetlink: cannot connect");
		node_free(n);
		return NULL;
	}
	return n;
}

void node_free(struct node *n)
{
	struct slice *sl;

	if (!n)
		return;
	/* Leaves the kernel as it is: a restarted sliced adopts it. */
	while ((sl = n->slices)) {
		n->slices = sl->next;
		slice_free(n, sl);
	}
	if (n->nl)
		slicenl_close(n->nl);
	if (n->events)
		slicenl_close(n->events);
	if (n->rtnl)
		nl_socket_free(n->rtnl);
	if (n->metrics_fd >= 0)
		close(n->metrics_fd);
	free(n);
}
