// SPDX-License-Identifier: GPL-2.0
/*
 * Tunnels: handshake datagrams in and out of a slice's control socket, the sessions' events,
 * and the keys they give into the kernel (see tunnel.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/crypto.h>

#include "log.h"
#include "port.h"
#include "tunnel.h"
#include "util.h"

/* Handshakes from strangers: this many per second, this many at once. */
#define TUNNEL_ACCEPT_RATE	10
#define TUNNEL_ACCEPT_BURST	20
/* Log lines about refused handshakes, per slice. */
#define TUNNEL_REFUSE_LOG_RATE	1
#define TUNNEL_REFUSE_LOG_BURST	5
/* Events about refused handshakes, per slice: one at most this often, with a count. */
#define TUNNEL_REFUSE_EVENT_MS	10000
#define TUNNEL_RETRY_MIN_MS	1000
#define TUNNEL_RETRY_MAX_MS	60000
/*
 * Probes unanswered in a row after which a client handshakes again: the server lost the
 * session (its sliced restarted and adopted the kernel's keys) or the path went away. The
 * keys in the kernel carry traffic meanwhile; the new handshake swaps without loss.
 */
#define TUNNEL_SILENT_PROBES	3

static socklen_t endpoint_len(const union slicenl_sockaddr *ep)
{
	return ep->sa.sa_family == AF_INET6 ? sizeof(ep->in6) : sizeof(ep->in);
}

static void slice_send(void *ctx, const struct sockaddr *to, socklen_t tolen, const void *buf,
		       size_t len)
{
	struct slice *sl = ctx;
	union slicenl_sockaddr dst, peer = { 0 };

	/* Sessions keep the peer's own address; a :: control socket wants IPv4 v4-mapped. */
	memcpy(&peer, to, tolen < sizeof(peer) ? tolen : sizeof(peer));
	tolen = port_to(&peer, config_has_family(sl->node->cfg, AF_INET6), &dst);
	if (sendto(sl->ctl_fd, buf, len, 0, &dst.sa, tolen) < 0)
		log_event(LOG_DEBUG, sl->name, NULL, "handshake send: %s", strerror(errno));
}

/* Whether two endpoints are of the same node (their addresses, whatever the ports). */
static bool same_node(const union slicenl_sockaddr *a, const union slicenl_sockaddr *b)
{
	if (a->sa.sa_family != b->sa.sa_family)
		return false;
	if (a->sa.sa_family == AF_INET)
		return a->in.sin_addr.s_addr == b->in.sin_addr.s_addr;
	return a->sa.sa_family == AF_INET6 &&
	       !memcmp(&a->in6.sin6_addr, &b->in6.sin6_addr, sizeof(a->in6.sin6_addr));
}

/*
 * The pair a client asks for. The cluster's other gateway nodes ask for the same name as
 * the remote gateway does (transit peers use the slice's first gateway's credentials): a
 * transit peer is found by its node's address, before any gateway pair of that name.
 */
static struct gw_pair *slice_find_pair(void *ctx, const char *local_name,
				       const struct sockaddr *from)
{
	const union slicenl_sockaddr *a = (const union slicenl_sockaddr *)from;
	struct slice *sl = ctx;
	struct gw_pair *pair;
	struct peer *p;
	int transit;

	for (transit = 1; transit >= 0; transit--)
		for (p = sl->peers; p; p = p->next) {
			pair = &p->tunnel.pair;
			if (p->desired.transit != transit || !pair->ctx || !pair->server ||
			    strcmp(pair->local_name, local_name))
				continue;
			if (!transit || same_node(a, &p->desired.endpoint))
				return pair;
		}
	return NULL;
}

static void peer_plan_handshake(struct slice *sl, struct peer *p, uint64_t delay_ms)
{
	if (!p->tunnel.pair.server)
		p->tunnel.next_handshake_ms = now_ms() + delay_ms;
}

static void peer_retry(struct slice *sl, struct peer *p)
{
	struct peer_tunnel *t = &p->tunnel;

	t->retry_ms = t->retry_ms ? t->retry_ms * 2 : TUNNEL_RETRY_MIN_MS;
	if (t->retry_ms > TUNNEL_RETRY_MAX_MS)
		t->retry_ms = TUNNEL_RETRY_MAX_MS;
	peer_plan_handshake(sl, p, t->retry_ms);
}

static void peer_swap(struct slice *sl, struct peer *p, uint8_t key_id)
{
	struct node *n = sl->node;

	if (slicenl_key_swap(n->nl, sl->ifindex, p->desired.id)) {
		log_event(LOG_ERR, sl->name, peer_name(p), "key swap: %s",
			  slicenl_extack(n->nl));
		return;
	}
	p->tunnel.key_id = key_id;
	p->tunnel.retry_ms = 0;
	log_event(LOG_INFO, sl->name, peer_name(p), "sending with new keys (id %u)",
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

	gw_session_keys(s, p->tunnel.key_id, &keys);
	key.key_id = keys.key_id;
	memcpy(key.encrypt_key, keys.encrypt, sizeof(key.encrypt_key));
	memcpy(key.decrypt_key, keys.decrypt, sizeof(key.decrypt_key));
	OPENSSL_cleanse(keys.encrypt, sizeof(keys.encrypt));
	OPENSSL_cleanse(keys.decrypt, sizeof(keys.decrypt));
	if (slicenl_key_new(n->nl, sl->ifindex, p->desired.id, &key)) {
		log_event(LOG_ERR, sl->name, peer_name(p), "installing keys: %s",
			  slicenl_extack(n->nl));
		sync_event(n->sync, "WorkerSliceGateway", KS_API_WORKER, p->desired.gateway,
			   "Warning", "KeyInstallFailed", "slice %s, cluster %s: %s", sl->name,
			   n->cfg->cluster, slicenl_extack(n->nl));
		OPENSSL_cleanse(&key, sizeof(key));
		return;
	}
	OPENSSL_cleanse(&key, sizeof(key));
	p->tunnel.new_key_id = keys.key_id;
	p->tunnel.handshakes++;
	log_event(LOG_INFO, sl->name, peer_name(p), "authenticated, keys id %u ready",
		  p->tunnel.new_key_id);
	if (s != p->tunnel.session) {
		gw_session_free(p->tunnel.session);
		p->tunnel.session = s;
	}
	if (gw_session_installed(s) == GW_EV_SWAP)
		peer_swap(sl, p, p->tunnel.new_key_id);
}

static struct peer *peer_by_pair(struct slice *sl, const struct gw_pair *pair)
{
	struct peer *p;

	for (p = sl->peers; p; p = p->next)
		if (&p->tunnel.pair == pair)
			return p;
	return NULL;
}

static void peer_start_handshake(struct slice *sl, struct peer *p)
{
	enum gw_event ev;

	p->tunnel.next_handshake_ms = 0;
	if (!p->tunnel.pair.ctx || p->desired.endpoint.sa.sa_family == AF_UNSPEC ||
	    sl->ctl_fd < 0) {
		/* Credentials, endpoint or port still missing: look again later. */
		peer_retry(sl, p);
		return;
	}
	gw_session_free(p->tunnel.hs);
	p->tunnel.hs = gw_client_new(&p->tunnel.pair, &p->desired.endpoint.sa,
				     endpoint_len(&p->desired.endpoint), slice_send, sl, &ev);
	if (!p->tunnel.hs || ev == GW_EV_FAILED) {
		log_event(LOG_WARNING, sl->name, peer_name(p), "cannot start a handshake");
		gw_session_free(p->tunnel.hs);
		p->tunnel.hs = NULL;
		peer_retry(sl, p);
		return;
	}
	log_event(LOG_DEBUG, sl->name, peer_name(p), "handshake started");
}

void tunnel_rekey(struct slice *sl, struct peer *p)
{
	if (p->tunnel.pair.server && p->tunnel.session)
		gw_session_request_rekey(p->tunnel.session);
	else if (!p->tunnel.pair.server && !p->tunnel.hs)
		peer_start_handshake(sl, p);
}

/* The Event about the refusals not reported yet, when one is due. */
static void slice_refusals_report(struct slice *sl, uint64_t now)
{
	struct node *n = sl->node;

	if (!sl->refused_unreported || now < sl->next_refused_event_ms || !*sl->refused_gateway)
		return;
	sync_event(n->sync, "WorkerSliceGateway", KS_API_WORKER, sl->refused_gateway, "Warning",
		   "HandshakeRefused",
		   "slice %s, cluster %s: %u handshake%s refused, the latest: %s", sl->name,
		   n->cfg->cluster, sl->refused_unreported, sl->refused_unreported == 1 ? "" : "s",
		   sl->refused_reason);
	sl->refused_unreported = 0;
	sl->next_refused_event_ms = now + TUNNEL_REFUSE_EVENT_MS;
}

/*
 * A server handshake failed. Its Event goes on the WorkerSliceGateway the client named,
 * else on the first one this node serves in the slice (the gateway that was asked).
 */
static void slice_refused(struct slice *sl, struct peer *p, const struct gw_session *s)
{
	uint64_t now = now_ms();
	struct peer *server;

	for (server = sl->peers; !p && server; server = server->next)
		if (server->tunnel.pair.server)
			p = server;
	sl->refused++;
	sl->refused_unreported++;
	snprintf(sl->refused_reason, sizeof(sl->refused_reason), "%s", gw_session_error(s));
	if (p)
		snprintf(sl->refused_gateway, sizeof(sl->refused_gateway), "%s",
			 p->desired.gateway);
	slice_refusals_report(sl, now);
	/* Anyone can send ClientHellos, so the log is rate-limited too. */
	if (gw_ratelimit_allow(&sl->refuse_log_rl, now, TUNNEL_REFUSE_LOG_RATE,
			       TUNNEL_REFUSE_LOG_BURST))
		log_event(LOG_WARNING, sl->name, p ? peer_name(p) : NULL,
			  "refused a handshake: %s", gw_session_error(s));
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
		if (p->tunnel.hs == s)
			p->tunnel.hs = NULL;
		peer_install(sl, p, s);
		return p->tunnel.session == s;
	case GW_EV_SWAP:
		if (p)
			peer_swap(sl, p, p->tunnel.new_key_id);
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
		slice_refused(sl, p, s);
	} else {
		log_event(LOG_WARNING, sl->name, peer_name(p), "handshake failed: %s",
			  gw_session_error(s));
		if (p->tunnel.hs == s)
			p->tunnel.hs = NULL;
		if (p->tunnel.session == s)
			p->tunnel.session = NULL;
		peer_retry(sl, p);
	}
	gw_session_free(s);
	return false;
}

static bool session_from(const struct gw_session *s, const union slicenl_sockaddr *from)
{
	return gw_session_is_from(s, &from->sa, endpoint_len(from));
}

/* A pending server session that became a peer's own. */
static bool slice_session_adopted(struct slice *sl, struct gw_session *s)
{
	struct peer *p = gw_session_pair(s) ? peer_by_pair(sl, gw_session_pair(s)) : NULL;

	return p && p->tunnel.session == s;
}

static void slice_datagram(struct slice *sl, const union slicenl_sockaddr *from,
			   const uint8_t *buf, size_t len)
{
	struct gw_session **slot = NULL, *s;
	struct peer *p;
	int i;

	/* Handshakes in progress first: they share the address with the session they renew. */
	for (p = sl->peers; p; p = p->next)
		if (p->tunnel.hs && session_from(p->tunnel.hs, from)) {
			s = p->tunnel.hs;
			slice_session_event(sl, p, s, gw_session_input(s, buf, len));
			return;
		}
	for (i = 0; i < SLICE_PENDING_MAX; i++) {
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
		if (!slot || !gw_ratelimit_allow(&sl->accept_rl, now_ms(), TUNNEL_ACCEPT_RATE,
						 TUNNEL_ACCEPT_BURST))
			return;
		s = gw_server_new(&sl->listener, &from->sa, endpoint_len(from), slice_send, sl);
		if (s && slice_session_event(sl, NULL, s, gw_session_input(s, buf, len)))
			*slot = s;
		return;
	}
	for (p = sl->peers; p; p = p->next)
		if (p->tunnel.session && session_from(p->tunnel.session, from)) {
			s = p->tunnel.session;
			slice_session_event(sl, p, s, gw_session_input(s, buf, len));
			return;
		}
}

void tunnel_read(struct slice *sl)
{
	union slicenl_sockaddr from;
	socklen_t fromlen;
	uint8_t buf[2048];
	ssize_t n;

	for (;;) {
		fromlen = sizeof(from);
		n = recvfrom(sl->ctl_fd, buf, sizeof(buf), 0, &from.sa, &fromlen);
		if (n < 0)
			return;
		port_from(&from);
		if (from.sa.sa_family == AF_INET || from.sa.sa_family == AF_INET6)
			slice_datagram(sl, &from, buf, n);
	}
}

void tunnel_adopt(struct slice *sl, struct peer *p)
{
	struct node *n = sl->node;
	struct slicenl_key key;

	if (p->tunnel.key_id >= 0 || slicenl_key_get(n->nl, sl->ifindex, p->desired.id,
						     SLICE_KEY_SLOT_PRIMARY, &key))
		return;
	p->tunnel.key_id = key.key_id;
	/*
	 * The keys keep the traffic going, but the session they came from died with the old
	 * process: without one there are no probes, no tunnel status and no rekey requests.
	 * A client handshakes again at once (the swap loses nothing); a server waits for its
	 * client to find its probes unanswered (TUNNEL_SILENT_PROBES).
	 */
	peer_plan_handshake(sl, p, 0);
	log_event(LOG_INFO, sl->name, peer_name(p), "adopted running tunnel (key id %u)",
		  p->tunnel.key_id);
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

int tunnel_timers(struct slice *sl, uint64_t now, int timeout)
{
	struct peer *p;
	int i;

	for (i = 0; i < SLICE_PENDING_MAX; i++)
		timeout = session_timer(sl, NULL, &sl->pending[i], now, timeout);
	slice_refusals_report(sl, now);
	if (sl->refused_unreported)
		timeout = next_due(timeout, sl->next_refused_event_ms, now);
	for (p = sl->peers; p; p = p->next) {
		if (p->tunnel.next_handshake_ms && now >= p->tunnel.next_handshake_ms &&
		    !p->tunnel.hs)
			peer_start_handshake(sl, p);
		if (p->tunnel.next_handshake_ms)
			timeout = next_due(timeout, p->tunnel.next_handshake_ms, now);
		timeout = session_timer(sl, p, &p->tunnel.hs, now, timeout);
		timeout = session_timer(sl, p, &p->tunnel.session, now, timeout);
	}
	return timeout;
}

void tunnel_probe(struct slice *sl)
{
	struct peer *p;

	for (p = sl->peers; p; p = p->next) {
		if (!p->tunnel.session)
			continue;
		/* Not while a handshake or its retries run: they have their own clock. */
		if (!p->tunnel.pair.server && !p->tunnel.hs && !p->tunnel.retry_ms &&
		    gw_session_silent(p->tunnel.session) >= TUNNEL_SILENT_PROBES) {
			log_event(LOG_WARNING, sl->name, peer_name(p),
				  "%d probes unanswered, handshaking again", TUNNEL_SILENT_PROBES);
			peer_start_handshake(sl, p);
		}
		gw_session_probe(p->tunnel.session);
	}
}

void tunnel_set_creds(struct slice *sl, struct peer *p, const char *local, const char *remote,
		      bool server, const char *ca, const char *cert, const char *key)
{
	char *all, err[256];

	if (asprintf(&all, "%s%s%s%s", ca, cert, key, remote) < 0)
		return;
	if (p->tunnel.creds && !strcmp(p->tunnel.creds, all)) {
		free(all);
		return;
	}
	if (gw_pair_init(&p->tunnel.pair, local, remote, server, ca, cert, key, err,
			 sizeof(err))) {
		log_event(LOG_ERR, sl->name, remote, "credentials %s refused: %s",
			  p->desired.gateway, err);
		sync_event(sl->node->sync, "WorkerSliceGateway", KS_API_WORKER,
			   p->desired.gateway, "Warning", "BadCredentials",
			   "slice %s, cluster %s: %s", sl->name, sl->node->cfg->cluster, err);
		free(all);
		return;
	}
	log_event(LOG_INFO, sl->name, remote, "%s credentials loaded",
		  p->tunnel.creds ? "rotated" : "gateway");
	free(p->tunnel.creds);
	p->tunnel.creds = all;
	if (p->tunnel.key_id < 0)
		peer_plan_handshake(sl, p, 0);
}

void tunnel_peer_release(struct peer *p)
{
	gw_session_free(p->tunnel.hs);
	gw_session_free(p->tunnel.session);
	gw_pair_release(&p->tunnel.pair);
	free(p->tunnel.creds);
}

int tunnel_slice_init(struct slice *sl)
{
	return gw_listener_init(&sl->listener, slice_find_pair, sl);
}

void tunnel_slice_release(struct slice *sl)
{
	int i;

	for (i = 0; i < SLICE_PENDING_MAX; i++)
		gw_session_free(sl->pending[i]);
	gw_listener_release(&sl->listener);
}
