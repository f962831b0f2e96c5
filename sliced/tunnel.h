/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tunnels: the DTLS handshakes with each slice's peer gateways on the slice's control
 * socket (gwauth.h) and the keys they give, installed over genl with no loss on rollover
 * (docs/sliced.md, "Keys"). Owns peer.tunnel and the slice's listener and pending sessions.
 */
#ifndef SLICED_TUNNEL_H
#define SLICED_TUNNEL_H

#include <stdint.h>

#include "slice.h"

/* How often each tunnel's latency and loss are probed over its DTLS session. */
#define TUNNEL_PROBE_MS		2000

/* The slice's handshake listener; 0 or -1. */
int tunnel_slice_init(struct slice *sl);
/* The slice's pending sessions and listener. */
void tunnel_slice_release(struct slice *sl);
/* The peer's sessions and credentials. */
void tunnel_peer_release(struct peer *p);

/*
 * The pair's credentials (PEM text) as its Secret has them now: loaded when they changed
 * (first time or rotation); a first load plans a handshake.
 */
void tunnel_set_creds(struct slice *sl, struct peer *p, const char *local, const char *remote,
		      bool server, const char *ca, const char *cert, const char *key);

/* New keys now: a client starts a handshake, a server asks its client to. */
void tunnel_rekey(struct slice *sl, struct peer *p);

/* The kernel's peer already has keys (sliced restarted): use them, a client handshakes anew. */
void tunnel_adopt(struct slice *sl, struct peer *p);

/* Read the handshake datagrams waiting on the slice's control socket. */
void tunnel_read(struct slice *sl);

/* A latency probe through every established session of the slice. */
void tunnel_probe(struct slice *sl);

/* Run the slice's due handshake and session timers; returns timeout lowered to the next. */
int tunnel_timers(struct slice *sl, uint64_t now, int timeout);

#endif /* SLICED_TUNNEL_H */
