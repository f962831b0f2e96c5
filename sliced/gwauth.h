/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Gateway authentication and session keys: DTLS 1.2 (OpenSSL) between two gateways of a
 * slice, over the slice's own UDP socket, and the RFC 5705 exporter for the data plane's
 * keys.
 *
 * Identities. The controller issues, per gateway pair, the slice CA and for each side a
 * certificate whose subject alternative name (DNS) is that side's gateway name, as in the
 * WorkerSliceGateway objects: on cluster c1 the gateway "red-c1-c2" talks to "red-c2-c1".
 * The client sends the server's gateway name as SNI and checks that the server's
 * certificate carries it; the server picks the pair by that SNI (it serves several client
 * gateways on one port) and checks that the client's certificate carries the pair's remote
 * gateway name. Both chains must end at the pair's CA and only there.
 *
 * Datagrams. The kernel keeps data packets and hands every other datagram of the port to
 * sliced, which passes it to the session of its source address. A session writes through a
 * BIO of ours that sends each DTLS datagram with the caller's send function, so that the
 * handshake shares the data plane's port and socket.
 *
 * Keys. After the handshake each side exports 65 bytes labelled GW_EXPORTER_LABEL: the
 * client-to-server key, the server-to-client key and a key id. The caller installs them in
 * the peer's SECONDARY slot (receive only) and calls gw_session_installed(). Each side then
 * tells the other over the DTLS session ("installed"), and a side swaps its slots (starts
 * sending with the new key) only once the other side has said it can receive with it, so no
 * packet sealed with a new key reaches a receiver that lacks it.
 */
#ifndef SLICED_GWAUTH_H
#define SLICED_GWAUTH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <openssl/ssl.h>

#define GW_KEY_LEN		32
#define GW_EXPORTER_LABEL	"EXPORTER-kubeslice-c slice keys v1"
#define GW_NAME_MAX		253

/* Gives up a handshake that has not finished by then (DTLS retransmits inside it). */
#define GW_HANDSHAKE_TIMEOUT_MS	20000

/* The credentials of one gateway pair, seen from this side. */
struct gw_pair {
	char local_name[GW_NAME_MAX + 1];	/* our certificate's identity */
	char remote_name[GW_NAME_MAX + 1];	/* what the peer's certificate must carry */
	bool server;
	SSL_CTX *ctx;		/* CA, our certificate and key; replaced on rotation */
};

/*
 * gw_pair_init - check and load one pair's credentials (PEM text).
 *
 * Fails, with the reason in err, when the key does not match the certificate or the
 * certificate does not chain to the CA or does not carry local_name. May be called again
 * on an initialised pair with rotated credentials: sessions in progress keep the old ones,
 * the next handshake uses the new ones.
 */
int gw_pair_init(struct gw_pair *pair, const char *local_name, const char *remote_name,
		 bool server, const char *ca_pem, const char *cert_pem, const char *key_pem,
		 char *err, size_t errlen);
void gw_pair_release(struct gw_pair *pair);

/* Sends one datagram to the session's peer on the slice's socket. */
typedef void (*gw_send_fn)(void *ctx, const struct sockaddr *to, socklen_t tolen,
			   const void *buf, size_t len);

/* A server finds the pair a client at address from asks for (by SNI, our local gateway
 * name), or NULL. */
typedef struct gw_pair *(*gw_find_pair_fn)(void *ctx, const char *local_name,
					   const struct sockaddr *from);

struct gw_keys {
	uint8_t encrypt[GW_KEY_LEN];	/* what this side sends with */
	uint8_t decrypt[GW_KEY_LEN];
	uint8_t key_id;
};

enum gw_event {
	GW_EV_NONE,
	GW_EV_KEYS,	/* handshake done: install gw_session_keys(), then gw_session_installed() */
	GW_EV_SWAP,	/* the peer can receive with the new key: swap the slots now */
	GW_EV_REKEY,	/* the peer asks for a new handshake (seen by clients) */
	GW_EV_FAILED,	/* gw_session_error() says why; free the session */
};

struct gw_session;

/* A client session towards peer; sends its ClientHello at once (check the return value). */
struct gw_session *gw_client_new(struct gw_pair *pair, const struct sockaddr *peer,
				 socklen_t peerlen, gw_send_fn send, void *send_ctx,
				 enum gw_event *ev);

/*
 * The server side of one UDP port: server sessions start without credentials and switch
 * to the pair named by the client's SNI (found with find) or refuse the client. Pairs must
 * outlive the sessions that found them.
 */
struct gw_listener {
	SSL_CTX *ctx;
	gw_find_pair_fn find;
	void *find_ctx;
};

int gw_listener_init(struct gw_listener *l, gw_find_pair_fn find, void *find_ctx);
void gw_listener_release(struct gw_listener *l);

/* A server session for a ClientHello from peer; pass that datagram to gw_session_input(). */
struct gw_session *gw_server_new(struct gw_listener *l, const struct sockaddr *peer,
				 socklen_t peerlen, gw_send_fn send, void *send_ctx);

void gw_session_free(struct gw_session *s);

/* Feed one datagram that came from the session's peer. */
enum gw_event gw_session_input(struct gw_session *s, const void *buf, size_t len);

/* Milliseconds until gw_session_tick() is due (0: now), or -1 when no timer runs. */
int gw_session_timeout_ms(struct gw_session *s, uint64_t now);
enum gw_event gw_session_tick(struct gw_session *s, uint64_t now);

/* The exported keys; valid from GW_EV_KEYS on. prev_key_id is the id the peer's keys
 * have now (-1: none): the new id differs from it, identically on both sides. */
void gw_session_keys(struct gw_session *s, int prev_key_id, struct gw_keys *keys);

/* The caller installed the keys in the SECONDARY slot; may return GW_EV_SWAP at once. */
enum gw_event gw_session_installed(struct gw_session *s);

/*
 * Health probes inside the session: gw_session_probe() sends a probe that the peer echoes;
 * gw_session_health() gives the last round-trip time (-1: none yet) and how many of the
 * last GW_PROBE_WINDOW probes went unanswered (answers arriving after the next probe count
 * as lost).
 */
#define GW_PROBE_WINDOW		20
void gw_session_probe(struct gw_session *s);
void gw_session_health(const struct gw_session *s, int *rtt_ms, unsigned int *lost,
		       unsigned int *sent);

/*
 * How many of the latest probes in a row went unanswered, counting the one in flight: call
 * it just before the next gw_session_probe(), when that one had its interval to come back.
 */
unsigned int gw_session_silent(const struct gw_session *s);

/* Ask the client to start a new handshake (server side, when the kernel wants a rekey). */
void gw_session_request_rekey(struct gw_session *s);

/* Both sides have swapped and know it: the session has nothing left to send. */
bool gw_session_settled(const struct gw_session *s);

/* The pair this session authenticated (servers: known once the ClientHello was read). */
struct gw_pair *gw_session_pair(const struct gw_session *s);
const char *gw_session_error(const struct gw_session *s);

/* Is this the session's peer address (the one its datagrams go to)? */
bool gw_session_is_from(const struct gw_session *s, const struct sockaddr *addr,
			socklen_t len);

/* Does this datagram start a new handshake (a DTLS ClientHello record, epoch 0)? */
bool gw_is_client_hello(const void *buf, size_t len);

/* Token bucket for refused or unknown handshakes: at most rate per second, burst at once. */
struct gw_ratelimit {
	uint64_t last_ms;
	unsigned int tokens_milli;
};

bool gw_ratelimit_allow(struct gw_ratelimit *rl, uint64_t now, unsigned int rate,
			unsigned int burst);

#endif /* SLICED_GWAUTH_H */
