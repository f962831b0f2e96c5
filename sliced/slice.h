/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The model every room of the node shares: the node, its slices and each slice's peers
 * (remote gateways). Each room owns one part of it:
 *
 *   desired.c  WorkerSliceConfig / WorkerSliceGateway objects -> struct slice, peer.desired
 *   tunnel.c   handshakes and keys -> peer.tunnel, slice.pending, slice.listener
 *   kernel.c   the device, socket, peers and routes in slice.ko, diffed then applied
 *   qos.c      the QoS profile: the device's over genl and the uplink's HTB class
 *   status.c   health sampling -> peer.health, the controller's status objects
 *   metrics.c  the /metrics text from peer.health, and the server that serves it
 *   node.c     the loop that ties them together (node.h is what sliced.c sees)
 *
 * What belongs to sliced in the kernel is marked: a slice device's alias is
 * "sliced:<slice>". Devices with that mark whose slice is gone are deleted; devices
 * without it are never touched. Within a device everything is the slice's, so peers and
 * routes that are not wanted are removed.
 *
 * Gateway ids: a cluster's id in a slice is its octet + 1 (the octet is its block of the
 * slice subnet), and the id of gateway node k of a cluster (k: its place in the gateways'
 * nodeIps, so also the pair it runs) is the cluster's id + k * SLICE_NODE_ID_STEP. Every
 * node derives the same id for the same node without talking: LOCAL_ID from the
 * WorkerSliceConfig's octet and its own place, a peer's from its gatewaySubnet's block and
 * the pair's or node's place. A cluster of one gateway node keeps the ids it always had.
 *
 * Node blocks: gateway node k of a cluster holds the k-th of KS_GATEWAY_NODE_BLOCKS equal
 * parts of the cluster's block for its own addresses; its siblings route that part to it.
 *
 * Everything here runs on sliced's one thread: no locking.
 */
#ifndef SLICED_SLICE_H
#define SLICED_SLICE_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/gateways.h"
#include "api/kubeslice.h"
#include "config.h"
#include "gwauth.h"
#include "lib/slicenl.h"
#include "sync.h"

struct sliceqos;

#define SLICE_ALIAS_PREFIX	"sliced:"
#define SLICE_DEV_PREFIX	"slice-"
#define SLICE_NODE_ID_STEP	256
/* Remote clusters of one slice that get detours over the other gateway nodes. */
#define SLICE_REMOTES_MAX	64
/* Server sessions of one slice before their SNI names a pair. */
#define SLICE_PENDING_MAX	8

/*
 * What the controller wants of one peer (desired.c). A direct peer is this node's gateway
 * pair to a remote cluster; a transit peer is another gateway node of this cluster, which
 * the kernel uses as a detour while the own pair is down (see "Gateway ids" above).
 */
struct peer_desired {
	char key[KS_NAME_MAX + 1];	/* found by: the gateway, or "node <address>" if transit */
	char gateway[KS_NAME_MAX + 1];	/* our WorkerSliceGateway: status and Events go there */
	bool transit;
	int pair;			/* direct: the pair's index k; transit: the node's */
	uint32_t id;
	union slicenl_sockaddr endpoint;	/* AF_UNSPEC: not known yet */
	bool no_family;			/* the peer has no address of our families */
};

/* The authenticated session with one peer and the keys it gave (tunnel.c). */
struct peer_tunnel {
	char *creds;			/* ca + cert + key as last loaded, to notice rotation */
	struct gw_pair pair;
	struct gw_session *hs;		/* client: the handshake in progress */
	struct gw_session *session;	/* the session the current keys came from */
	int key_id;			/* of the PRIMARY slot, -1: none */
	uint8_t new_key_id;		/* installed in SECONDARY, waiting for the swap */
	uint64_t next_handshake_ms;	/* client: rekey or retry; 0: none planned */
	unsigned int retry_ms;
	unsigned int handshakes;	/* completed since start */
};

/* Health, sampled every STATUS_MS for the status and /metrics (status.c). */
struct peer_health {
	struct slicenl_peer kernel;	/* last PEER_GET */
	uint64_t sample_ms;
	uint64_t tx_bps, rx_bps;
	int rtt_ms;			/* -1: no probe answered yet */
	unsigned int lost, probes;
	/* From the kernel's PEER_STATE_NTF: the data plane's own liveness of the path */
	bool down;			/* out of its routes for silence */
	uint64_t failovers;		/* times it went down since sliced started */
	uint64_t recoveries;		/* times it came back */
};

struct peer {
	struct peer *next;
	bool seen;			/* in the objects of the current desired_update() */
	struct peer_desired desired;
	struct peer_tunnel tunnel;
	struct peer_health health;
};

/* A route the slice wants (desired.c), and whether kernel.c has seen it in the kernel: its
 * loss is then drift in any pass. */
struct slice_route {
	struct slicenl_route route;
	bool kernel_seen;
};

/* A slice's QoS (qos.c, docs/qos.md). */
struct slice_qos {
	/* desired.c, through qos_parse(): ceiling_kbps 0 is no profile; the mark is qos.c's */
	struct slicenl_qos want;
	char invalid[160];		/* why the profile could not be read; "" when it could */
	/* qos.c */
	uint32_t mark;			/* this node's mark for the slice; 0: none yet */
	struct slicenl_qos in_force;	/* device and class as last seen or put right */
	bool in_force_known;
	struct slicenl_qos rejected;	/* the kernel refused it: not tried again while wanted */
	bool rejected_known;
	char condition[240];		/* the QoS condition last written, "" none */
};

struct slice {
	struct slice *next;
	struct node *node;
	bool seen;			/* in the objects of the current desired_update() */
	/* desired.c */
	char name[KS_NAME_MAX + 1];
	char config[KS_NAME_MAX + 1];	/* our WorkerSliceConfig */
	uint32_t local_id;
	uint16_t port;
	uint32_t cipher;
	struct ks_prefix subnet;	/* the slice subnet */
	struct ks_liveness liveness;	/* of every peer */
	int node_index;			/* in the cluster's gateway nodes, -1: not one of them */
	struct slice_route *routes;
	size_t num_routes;
	/* kernel.c */
	char ifname[IF_NAMESIZE];
	uint32_t ifindex;
	/* The subnet's route into the device (slice_node_route()) seen in the node's table
	 * for the current subnet: its loss is then drift in any pass, not only a check's. */
	bool node_route_seen;
	int ctl_fd;			/* the handshakes' control socket on port, -1: none */
	/* tunnel.c */
	struct gw_listener listener;
	struct gw_session *pending[SLICE_PENDING_MAX];
	struct gw_ratelimit accept_rl, refuse_log_rl;
	uint64_t refused;		/* server handshakes that failed, since start */
	unsigned int refused_unreported;	/* since the last Event about them */
	uint64_t next_refused_event_ms;
	char refused_reason[200];	/* the latest one's */
	char refused_gateway[KS_NAME_MAX + 1];	/* the Event's object */
	struct peer *peers;
	struct slice_qos qos;
};

struct node {
	const struct sliced_config *cfg;
	struct sync *sync;
	struct slicenl *nl, *events;
	struct nl_sock *rtnl;
	struct sliceqos *qos;		/* the uplink's HTB (qos.c), opened on first use */
	struct slice *slices;
	int metrics_fd;
	/* node.c's timers */
	uint64_t next_check_ms;
	uint64_t next_probe_ms, next_status_ms;
	/* kernel.c */
	bool converged;			/* reconciled once: later repairs are drift */
	bool checking;			/* this reconcile is a check, not a desired change */
	unsigned int repairs;		/* kernel changes made by the current reconcile */
};

/* The device name of a slice: "slice-" and as much of the slice's name as fits. */
void slice_device_name(const char *slice, char ifname[IF_NAMESIZE]);

/* The slice named name, created empty when missing; NULL when out of memory. */
struct slice *slice_get(struct node *n, const char *name);
void slice_free(struct slice *sl);

/* The peer found by key (peer_desired.key), created empty when missing. */
struct peer *peer_get(struct slice *sl, const char *key);
void peer_free(struct peer *p);

/* The address of the peer's node as text ("" while it has none). */
const char *peer_node(const struct peer *p, char buf[INET6_ADDRSTRLEN]);

/* The remote gateway's name for logs ("" until its credentials are loaded), or a transit
 * peer's key. */
static inline const char *peer_name(const struct peer *p)
{
	return p->desired.transit ? p->desired.key : p->tunnel.pair.remote_name;
}

#endif /* SLICED_SLICE_H */
