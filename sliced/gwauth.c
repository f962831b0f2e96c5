// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "gwauth.h"
#include "util.h"

/* ECDHE only: every session key has forward secrecy; AEAD records for the DTLS session. */
#define GW_CIPHERS "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" \
		   "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"

/* Handshake datagrams stay below any uplink's MTU; certificates are fragmented to fit. */
#define GW_DTLS_MTU		1200

/* How often "installed" is repeated until the peer has acknowledged it. */
#define GW_CTL_RETRY_MS		200

/* Control messages inside the DTLS session: [type, flags], probes add a be32 sequence. */
enum gw_msg_type {
	GW_MSG_INSTALLED = 1,	/* flags: GW_MSG_F_SEEN when the sender has seen ours */
	GW_MSG_REKEY = 2,
	GW_MSG_PROBE = 3,
	GW_MSG_PROBE_REPLY = 4,
};

#define GW_MSG_F_SEEN		0x1

struct gw_session {
	SSL *ssl;
	struct gw_pair *pair;		/* clients: from the start; servers: after SNI */
	struct sockaddr_storage peer;
	socklen_t peerlen;
	gw_send_fn send;
	void *send_ctx;

	const uint8_t *rx;		/* the datagram gw_session_input() is feeding */
	size_t rx_len;

	uint64_t deadline_ms;		/* handshake must finish by then */
	bool keyed;			/* handshake done, keys exported */
	bool installed;			/* we can receive with the new key */
	bool peer_installed;		/* the peer can */
	bool peer_saw_ours;		/* the peer knows we can: nothing left to repeat */
	bool swapped;
	uint64_t ctl_next_ms;		/* next repetition of "installed" */
	uint8_t exported[2 * GW_KEY_LEN + 1];
	char error[256];

	uint32_t probe_seq;		/* of the last probe sent */
	uint64_t probe_sent_ms;
	bool probe_answered;
	uint32_t probe_history;		/* bit i: probe seq - i was lost */
	unsigned int probes;		/* sent, up to GW_PROBE_WINDOW */
	int rtt_ms;
};

static int gw_ssl_index = -1;
static BIO_METHOD *gw_bio_method;
static uint8_t gw_cookie_secret[32];

static void gw_set_error(struct gw_session *s, const char *what)
{
	unsigned long e = ERR_peek_last_error();
	long verify = SSL_get_verify_result(s->ssl);
	char detail[200] = "";

	if (verify != X509_V_OK)
		snprintf(detail, sizeof(detail), "peer certificate: %s",
			 X509_verify_cert_error_string(verify));
	else if (e)
		ERR_error_string_n(e, detail, sizeof(detail));
	snprintf(s->error, sizeof(s->error), "%s%s%s", what, *detail ? ": " : "", detail);
	ERR_clear_error();
}

/* The BIO under every session: reads the datagram being fed, writes with send(). */

static int gw_bio_write(BIO *b, const char *buf, int len)
{
	struct gw_session *s = BIO_get_data(b);

	s->send(s->send_ctx, (struct sockaddr *)&s->peer, s->peerlen, buf, len);
	return len;
}

static int gw_bio_read(BIO *b, char *buf, int len)
{
	struct gw_session *s = BIO_get_data(b);
	int n;

	BIO_clear_retry_flags(b);
	if (!s->rx) {
		BIO_set_retry_read(b);
		return -1;
	}
	/* DTLS reads a whole datagram at a time; a longer one is truncated like recv(). */
	n = s->rx_len < (size_t)len ? (int)s->rx_len : len;
	memcpy(buf, s->rx, n);
	s->rx = NULL;
	return n;
}

static long gw_bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	struct gw_session *s = BIO_get_data(b);

	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;
	case BIO_CTRL_PENDING:
		return s->rx ? (long)s->rx_len : 0;
	case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
		return s->peer.ss_family == AF_INET6 ? 48 : 28;
	default:
		/* Timers, MTU queries, peer addresses: handled by the session, not the BIO. */
		return 0;
	}
}

static int gw_bio_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

static int gw_cookie_make(SSL *ssl, unsigned char *cookie, unsigned int *len)
{
	struct gw_session *s = SSL_get_ex_data(ssl, gw_ssl_index);

	return HMAC(EVP_sha256(), gw_cookie_secret, sizeof(gw_cookie_secret),
		    (const unsigned char *)&s->peer, s->peerlen, cookie, len) != NULL;
}

static int gw_cookie_check(SSL *ssl, const unsigned char *cookie, unsigned int len)
{
	unsigned char want[EVP_MAX_MD_SIZE];
	unsigned int want_len;

	return gw_cookie_make(ssl, want, &want_len) && len == want_len &&
	       CRYPTO_memcmp(cookie, want, len) == 0;
}

static int gw_init_once(void)
{
	int type;

	if (gw_bio_method)
		return 0;
	gw_ssl_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	type = BIO_get_new_index();
	if (gw_ssl_index < 0 || type < 0 || RAND_bytes(gw_cookie_secret,
						       sizeof(gw_cookie_secret)) != 1)
		return -1;
	gw_bio_method = BIO_meth_new(type | BIO_TYPE_SOURCE_SINK, "slice-udp");
	if (!gw_bio_method)
		return -1;
	BIO_meth_set_write(gw_bio_method, gw_bio_write);
	BIO_meth_set_read(gw_bio_method, gw_bio_read);
	BIO_meth_set_ctrl(gw_bio_method, gw_bio_ctrl);
	BIO_meth_set_create(gw_bio_method, gw_bio_create);
	return 0;
}

/* Settings shared by pair and listener contexts: DTLS 1.2, mutual auth, full handshakes. */
static SSL_CTX *gw_ctx_new(void)
{
	SSL_CTX *ctx;

	if (gw_init_once())
		return NULL;
	ctx = SSL_CTX_new(DTLS_method());
	if (!ctx)
		return NULL;
	if (!SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) ||
	    !SSL_CTX_set_cipher_list(ctx, GW_CIPHERS)) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	/* The peer has the CA: send our certificate alone, not the chain up to the root. */
	SSL_CTX_set_mode(ctx, SSL_MODE_NO_AUTO_CHAIN);
	/* Resumption would reuse key material; each rekey must be a fresh ECDHE. */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_QUERY_MTU |
			    SSL_OP_NO_RENEGOTIATION | SSL_OP_COOKIE_EXCHANGE);
	SSL_CTX_set_cookie_generate_cb(ctx, gw_cookie_make);
	SSL_CTX_set_cookie_verify_cb(ctx, gw_cookie_check);
	return ctx;
}

static int gw_fail(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_get_error();
	char detail[200] = "";

	if (e)
		ERR_error_string_n(e, detail, sizeof(detail));
	snprintf(err, errlen, "%s%s%s", what, *detail ? ": " : "", detail);
	ERR_clear_error();
	return -1;
}

static int gw_load_ca(SSL_CTX *ctx, const char *ca_pem)
{
	X509_STORE *store = SSL_CTX_get_cert_store(ctx);
	BIO *bio = BIO_new_mem_buf(ca_pem, -1);
	int count = 0;
	X509 *ca;

	while (bio && (ca = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
		if (X509_STORE_add_cert(store, ca) == 1)
			count++;
		X509_free(ca);
	}
	BIO_free(bio);
	/* Reading stops at the end of the text with a "no start line" error: not a failure. */
	ERR_clear_error();
	return count ? 0 : -1;
}

/* Our own certificate must pass the check the peer will make of it. */
static int gw_check_own(SSL_CTX *ctx, X509 *cert, const char *local_name, char *err,
			size_t errlen)
{
	X509_STORE_CTX *vctx = X509_STORE_CTX_new();
	int ok, code;

	if (!vctx || !X509_STORE_CTX_init(vctx, SSL_CTX_get_cert_store(ctx), cert, NULL)) {
		X509_STORE_CTX_free(vctx);
		return gw_fail(err, errlen, "certificate check");
	}
	X509_VERIFY_PARAM_set1_host(X509_STORE_CTX_get0_param(vctx), local_name, 0);
	ok = X509_verify_cert(vctx);
	code = X509_STORE_CTX_get_error(vctx);
	X509_STORE_CTX_free(vctx);
	if (ok == 1)
		return 0;
	snprintf(err, errlen, "certificate for %s: %s", local_name,
		 X509_verify_cert_error_string(code));
	ERR_clear_error();
	return -1;
}

static int gw_load_identity(SSL_CTX *ctx, const char *local_name, const char *cert_pem,
			    const char *key_pem, char *err, size_t errlen)
{
	BIO *cbio = BIO_new_mem_buf(cert_pem, -1), *kbio = BIO_new_mem_buf(key_pem, -1);
	X509 *cert = cbio ? PEM_read_bio_X509(cbio, NULL, NULL, NULL) : NULL;
	EVP_PKEY *key = kbio ? PEM_read_bio_PrivateKey(kbio, NULL, NULL, NULL) : NULL;
	int ret = -1;

	if (!cert)
		gw_fail(err, errlen, "certificate is not PEM");
	else if (!key)
		gw_fail(err, errlen, "private key is not PEM");
	else if (SSL_CTX_use_certificate(ctx, cert) != 1 ||
		 SSL_CTX_use_PrivateKey(ctx, key) != 1 || SSL_CTX_check_private_key(ctx) != 1)
		gw_fail(err, errlen, "private key does not match the certificate");
	else
		ret = gw_check_own(ctx, cert, local_name, err, errlen);
	X509_free(cert);
	EVP_PKEY_free(key);
	BIO_free(cbio);
	BIO_free(kbio);
	return ret;
}

int gw_pair_init(struct gw_pair *pair, const char *local_name, const char *remote_name,
		 bool server, const char *ca_pem, const char *cert_pem, const char *key_pem,
		 char *err, size_t errlen)
{
	SSL_CTX *ctx;

	if (strlen(local_name) > GW_NAME_MAX || strlen(remote_name) > GW_NAME_MAX) {
		snprintf(err, errlen, "gateway name longer than %d characters", GW_NAME_MAX);
		return -1;
	}
	ctx = gw_ctx_new();
	if (!ctx)
		return gw_fail(err, errlen, "DTLS context");
	if (gw_load_ca(ctx, ca_pem)) {
		SSL_CTX_free(ctx);
		return gw_fail(err, errlen, "CA certificate is not PEM");
	}
	if (gw_load_identity(ctx, local_name, cert_pem, key_pem, err, errlen)) {
		SSL_CTX_free(ctx);
		return -1;
	}
	/* Sessions hold their own reference: the ones in progress keep the old credentials. */
	SSL_CTX_free(pair->ctx);
	pair->ctx = ctx;
	strcpy(pair->local_name, local_name);
	strcpy(pair->remote_name, remote_name);
	pair->server = server;
	return 0;
}

void gw_pair_release(struct gw_pair *pair)
{
	SSL_CTX_free(pair->ctx);
	pair->ctx = NULL;
}

/* The peer's certificate must carry exactly this gateway name. */
static void gw_expect_peer(SSL *ssl, const char *remote_name)
{
	X509_VERIFY_PARAM *param = SSL_get0_param(ssl);

	X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_WILDCARDS);
	X509_VERIFY_PARAM_set1_host(param, remote_name, 0);
}

static int gw_servername(SSL *ssl, int *alert, void *arg)
{
	struct gw_listener *l = arg;
	struct gw_session *s = SSL_get_ex_data(ssl, gw_ssl_index);
	const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	struct gw_pair *pair = name ?
		l->find(l->find_ctx, name, (const struct sockaddr *)&s->peer) : NULL;

	if (!pair || !pair->server || !pair->ctx) {
		snprintf(s->error, sizeof(s->error), "client asked for unknown gateway \"%s\"",
			 name ? name : "(no SNI)");
		*alert = SSL_AD_UNRECOGNIZED_NAME;
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	}
	SSL_set_SSL_CTX(ssl, pair->ctx);
	gw_expect_peer(ssl, pair->remote_name);
	s->pair = pair;
	return SSL_TLSEXT_ERR_OK;
}

int gw_listener_init(struct gw_listener *l, gw_find_pair_fn find, void *find_ctx)
{
	l->ctx = gw_ctx_new();
	if (!l->ctx)
		return -1;
	l->find = find;
	l->find_ctx = find_ctx;
	SSL_CTX_set_tlsext_servername_callback(l->ctx, gw_servername);
	SSL_CTX_set_tlsext_servername_arg(l->ctx, l);
	return 0;
}

void gw_listener_release(struct gw_listener *l)
{
	SSL_CTX_free(l->ctx);
	l->ctx = NULL;
}

static struct gw_session *gw_session_new(SSL_CTX *ctx, const struct sockaddr *peer,
					 socklen_t peerlen, gw_send_fn send, void *send_ctx)
{
	struct gw_session *s;
	BIO *bio;

	if (peerlen > sizeof(s->peer))
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	memcpy(&s->peer, peer, peerlen);
	s->peerlen = peerlen;
	s->send = send;
	s->send_ctx = send_ctx;
	s->deadline_ms = now_ms() + GW_HANDSHAKE_TIMEOUT_MS;
	s->rtt_ms = -1;
	s->ssl = SSL_new(ctx);
	bio = BIO_new(gw_bio_method);
	if (!s->ssl || !bio) {
		BIO_free(bio);
		gw_session_free(s);
		return NULL;
	}
	BIO_set_data(bio, s);
	SSL_set_bio(s->ssl, bio, bio);
	SSL_set_ex_data(s->ssl, gw_ssl_index, s);
	SSL_set_mtu(s->ssl, GW_DTLS_MTU);
	return s;
}

static enum gw_event gw_session_drive(struct gw_session *s);

struct gw_session *gw_client_new(struct gw_pair *pair, const struct sockaddr *peer,
				 socklen_t peerlen, gw_send_fn send, void *send_ctx,
				 enum gw_event *ev)
{
	struct gw_session *s = gw_session_new(pair->ctx, peer, peerlen, send, send_ctx);

	if (!s)
		return NULL;
	s->pair = pair;
	SSL_set_connect_state(s->ssl);
	SSL_set_tlsext_host_name(s->ssl, pair->remote_name);
	gw_expect_peer(s->ssl, pair->remote_name);
	*ev = gw_session_drive(s);
	return s;
}

struct gw_session *gw_server_new(struct gw_listener *l, const struct sockaddr *peer,
				 socklen_t peerlen, gw_send_fn send, void *send_ctx)
{
	struct gw_session *s = gw_session_new(l->ctx, peer, peerlen, send, send_ctx);

	if (s)
		SSL_set_accept_state(s->ssl);
	return s;
}

void gw_session_free(struct gw_session *s)
{
	if (!s)
		return;
	SSL_free(s->ssl);
	OPENSSL_cleanse(s->exported, sizeof(s->exported));
	free(s);
}

static void gw_send_msg(struct gw_session *s, uint8_t type, uint8_t flags)
{
	uint8_t msg[2] = { type, flags };

	if (SSL_write(s->ssl, msg, sizeof(msg)) != sizeof(msg))
		ERR_clear_error();
}

static void gw_send_installed(struct gw_session *s)
{
	gw_send_msg(s, GW_MSG_INSTALLED, s->peer_installed ? GW_MSG_F_SEEN : 0);
	s->ctl_next_ms = now_ms() + GW_CTL_RETRY_MS;
}

/* Swap once both sides can receive with the new key; report it once. */
static enum gw_event gw_maybe_swap(struct gw_session *s)
{
	if (!s->installed || !s->peer_installed || s->swapped)
		return GW_EV_NONE;
	s->swapped = true;
	return GW_EV_SWAP;
}

static void gw_probe_reply(struct gw_session *s, const uint8_t *msg)
{
	uint32_t seq = (uint32_t)msg[2] << 24 | msg[3] << 16 | msg[4] << 8 | msg[5];

	if (seq != s->probe_seq || s->probe_answered)
		return;
	s->probe_answered = true;
	s->probe_history &= ~1U;
	s->rtt_ms = (int)(now_ms() - s->probe_sent_ms);
}

static enum gw_event gw_handle_msg(struct gw_session *s, uint8_t *msg, int len)
{
	if (len == 6 && msg[0] == GW_MSG_PROBE) {
		msg[0] = GW_MSG_PROBE_REPLY;
		if (SSL_write(s->ssl, msg, len) != len)
			ERR_clear_error();
		return GW_EV_NONE;
	}
	if (len == 6 && msg[0] == GW_MSG_PROBE_REPLY) {
		gw_probe_reply(s, msg);
		return GW_EV_NONE;
	}
	if (len != 2)
		return GW_EV_NONE;
	switch (msg[0]) {
	case GW_MSG_INSTALLED:
		if (msg[1] & GW_MSG_F_SEEN)
			s->peer_saw_ours = true;
		if (!s->peer_installed) {
			s->peer_installed = true;
			if (s->installed)
				gw_send_installed(s);
		} else if (s->installed && !(msg[1] & GW_MSG_F_SEEN)) {
			/* Our acknowledgement was lost: the peer still repeats its own. */
			gw_send_installed(s);
		}
		return gw_maybe_swap(s);
	case GW_MSG_REKEY:
		return SSL_is_server(s->ssl) ? GW_EV_NONE : GW_EV_REKEY;
	default:
		return GW_EV_NONE;
	}
}

static enum gw_event gw_handshake_done(struct gw_session *s)
{
	if (!s->pair) {
		snprintf(s->error, sizeof(s->error), "handshake without a gateway pair");
		return GW_EV_FAILED;
	}
	if (SSL_export_keying_material(s->ssl, s->exported, sizeof(s->exported),
				       GW_EXPORTER_LABEL, strlen(GW_EXPORTER_LABEL), NULL, 0,
				       0) != 1) {
		gw_set_error(s, "key export");
		return GW_EV_FAILED;
	}
	s->keyed = true;
	return GW_EV_KEYS;
}

static enum gw_event gw_session_drive(struct gw_session *s)
{
	enum gw_event ev = GW_EV_NONE;
	uint8_t buf[64];
	int ret;

	if (!s->keyed) {
		ret = SSL_do_handshake(s->ssl);
		if (ret == 1)
			return gw_handshake_done(s);
		if (SSL_get_error(s->ssl, ret) == SSL_ERROR_WANT_READ)
			return GW_EV_NONE;
		if (!*s->error)
			gw_set_error(s, "handshake failed");
		return GW_EV_FAILED;
	}
	/* Established: control messages, and the peer's repeated final flight if ours was lost. */
	while (ev == GW_EV_NONE && (ret = SSL_read(s->ssl, buf, sizeof(buf))) > 0)
		ev = gw_handle_msg(s, buf, ret);
	if (ev != GW_EV_NONE)
		return ev;
	switch (SSL_get_error(s->ssl, ret)) {
	case SSL_ERROR_WANT_READ:
		return GW_EV_NONE;
	case SSL_ERROR_ZERO_RETURN:
		snprintf(s->error, sizeof(s->error), "peer closed the session");
		return GW_EV_FAILED;
	default:
		gw_set_error(s, "session failed");
		return GW_EV_FAILED;
	}
}

enum gw_event gw_session_input(struct gw_session *s, const void *buf, size_t len)
{
	enum gw_event ev;

	s->rx = buf;
	s->rx_len = len;
	ev = gw_session_drive(s);
	s->rx = NULL;
	return ev;
}

int gw_session_timeout_ms(struct gw_session *s, uint64_t now)
{
	struct timeval tv;
	uint64_t due = UINT64_MAX;

	if (!s->keyed) {
		due = s->deadline_ms;
		if (DTLSv1_get_timeout(s->ssl, &tv) == 1) {
			uint64_t t = now + tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000;

			due = t < due ? t : due;
		}
	} else if (s->installed && !(s->peer_installed && s->peer_saw_ours)) {
		due = s->ctl_next_ms;
	}
	if (due == UINT64_MAX)
		return -1;
	return due <= now ? 0 : (int)(due - now);
}

enum gw_event gw_session_tick(struct gw_session *s, uint64_t now)
{
	if (!s->keyed) {
		if (now >= s->deadline_ms) {
			snprintf(s->error, sizeof(s->error), "handshake timed out after %d s",
				 GW_HANDSHAKE_TIMEOUT_MS / 1000);
			return GW_EV_FAILED;
		}
		if (DTLSv1_handle_timeout(s->ssl) < 0) {
			gw_set_error(s, "handshake retransmission");
			return GW_EV_FAILED;
		}
		return GW_EV_NONE;
	}
	if (s->installed && !(s->peer_installed && s->peer_saw_ours) && now >= s->ctl_next_ms)
		gw_send_installed(s);
	return GW_EV_NONE;
}

void gw_session_keys(struct gw_session *s, int prev_key_id, struct gw_keys *keys)
{
	const uint8_t *c2s = s->exported, *s2c = s->exported + GW_KEY_LEN;
	bool server = SSL_is_server(s->ssl);

	memcpy(keys->encrypt, server ? s2c : c2s, GW_KEY_LEN);
	memcpy(keys->decrypt, server ? c2s : s2c, GW_KEY_LEN);
	/* Both sides see the same exported byte and the same previous id. */
	keys->key_id = s->exported[2 * GW_KEY_LEN];
	if (keys->key_id == prev_key_id)
		keys->key_id++;
}

enum gw_event gw_session_installed(struct gw_session *s)
{
	s->installed = true;
	gw_send_installed(s);
	return gw_maybe_swap(s);
}

void gw_session_probe(struct gw_session *s)
{
	uint8_t msg[6] = { GW_MSG_PROBE, 0 };

	if (!s->keyed)
		return;
	s->probe_seq++;
	msg[2] = s->probe_seq >> 24;
	msg[3] = s->probe_seq >> 16;
	msg[4] = s->probe_seq >> 8;
	msg[5] = s->probe_seq;
	/* Counted lost until its answer comes. */
	s->probe_history = (s->probe_history << 1 | 1U) & ((1U << GW_PROBE_WINDOW) - 1);
	if (s->probes < GW_PROBE_WINDOW)
		s->probes++;
	s->probe_answered = false;
	s->probe_sent_ms = now_ms();
	if (SSL_write(s->ssl, msg, sizeof(msg)) != sizeof(msg))
		ERR_clear_error();
}

unsigned int gw_session_silent(const struct gw_session *s)
{
	/* Bit 0 is the latest probe; a probe still counted lost has had its interval. */
	return s->probes ? (unsigned int)__builtin_ctz(~s->probe_history) : 0;
}

void gw_session_health(const struct gw_session *s, int *rtt_ms, unsigned int *lost,
		       unsigned int *sent)
{
	/* The probe in flight is not lost yet. */
	uint32_t settled = s->probe_answered ? s->probe_history : s->probe_history & ~1U;

	*rtt_ms = s->probes ? s->rtt_ms : -1;
	*lost = __builtin_popcount(settled);
	*sent = s->probes && !s->probe_answered ? s->probes - 1 : s->probes;
}

void gw_session_request_rekey(struct gw_session *s)
{
	if (s->keyed)
		gw_send_msg(s, GW_MSG_REKEY, 0);
}

bool gw_session_settled(const struct gw_session *s)
{
	return s->swapped && s->peer_saw_ours;
}

struct gw_pair *gw_session_pair(const struct gw_session *s)
{
	return s->pair;
}

const char *gw_session_error(const struct gw_session *s)
{
	return *s->error ? s->error : "no error";
}

bool gw_session_is_from(const struct gw_session *s, const struct sockaddr *addr,
			socklen_t len)
{
	return len == s->peerlen && !memcmp(&s->peer, addr, len);
}

bool gw_is_client_hello(const void *buf, size_t len)
{
	const uint8_t *p = buf;

	/* DTLS record: type 22 (handshake), version, epoch 0, ...; handshake type 1. */
	return len > 13 && p[0] == 22 && p[1] == 0xfe && p[3] == 0 && p[4] == 0 && p[13] == 1;
}

bool gw_ratelimit_allow(struct gw_ratelimit *rl, uint64_t now, unsigned int rate,
			unsigned int burst)
{
	uint64_t tokens = rl->tokens_milli + (now - rl->last_ms) * rate;

	rl->last_ms = now;
	rl->tokens_milli = tokens > burst * 1000ULL ? burst * 1000 : (unsigned int)tokens;
	if (rl->tokens_milli < 1000)
		return false;
	rl->tokens_milli -= 1000;
	return true;
}
