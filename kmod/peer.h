/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slice: peers, the remote gateways of a slice.
 */
#ifndef _SLICE_PEER_H
#define _SLICE_PEER_H

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <net/dst_cache.h>

#include "crypto.h"
#include "liveness.h"
#include "queueing.h"
#include "stats.h"

struct netlink_ext_ack;
struct slice_device;

/**
 * struct slice_endpoint - a peer's outer address
 * @addr: sa_family AF_UNSPEC while the peer has none
 * @addr4: for AF_INET
 * @addr6: for AF_INET6
 */
struct slice_endpoint {
	union {
		struct sockaddr addr;
		struct sockaddr_in addr4;
		struct sockaddr_in6 addr6;
	};
};

/* Bits of &slice_peer.flags. */
enum slice_peer_flag {
	SLICE_PEER_ADMIN_UP,	/* userspace wants the peer used */
	SLICE_PEER_SILENT,	/* down for silence: see liveness.c */
	SLICE_PEER_TRANSIT,	/* forwards for its cluster: any inner source is its own */
};

/**
 * struct slice_peer - a remote gateway
 * @slice: the device, which outlives its peers
 * @dev_tracker: the reference to @slice's net device that an added peer holds until freed
 * @refcount: one while the peer is added, one per packet of it in crypto
 * @id: the peer's gateway id, also in the packets it sends
 * @hnode: in &slice_device.peers_by_id; RCU, rtnl for writers
 * @node: in &slice_device.peer_list; rtnl
 * @keys: the two key slots
 * @endpoint_lock: guards @endpoint
 * @endpoint: where to send; learned from authenticated packets too
 * @dst_cache: outer route to @endpoint; reset when it changes
 * @live: keepalive interval, silence timeout, hold time and the recovery from silence
 * @flags: enum slice_peer_flag bits; atomic bit operations
 * @last_tx: jiffies of the last packet sent
 * @last_rx: jiffies of the last authenticated packet received (or of coming up)
 * @timer: the peer's clock, ticking at the next deadline of @live while it has any
 * @stats: counters of this peer
 * @queues: its packets in crypto, in the order they leave
 * @rcu: frees the peer after readers are done
 */
struct slice_peer {
	struct slice_device *slice;
	netdevice_tracker dev_tracker;
	struct kref refcount;
	u32 id;
	struct hlist_node hnode;
	struct list_head node;
	struct slice_keyring keys;
	rwlock_t endpoint_lock;
	struct slice_endpoint endpoint;
	struct dst_cache dst_cache;
	struct slice_liveness live;
	unsigned long flags;
	unsigned long last_tx;
	unsigned long last_rx;
	struct delayed_work timer;
	struct slice_stats __percpu *stats;
	struct slice_peer_queues queues;
	struct rcu_head rcu;
};

/**
 * slice_peer_usable - whether routes may send to the peer
 * @peer: the peer
 *
 * Return: true if it is administratively up and not silent past its timeout.
 */
static inline bool slice_peer_usable(const struct slice_peer *peer)
{
	unsigned long flags = READ_ONCE(peer->flags);

	return (flags & BIT(SLICE_PEER_ADMIN_UP)) && !(flags & BIT(SLICE_PEER_SILENT));
}

/**
 * slice_peer_get - take a reference to a peer found under RCU
 * @peer: the peer
 *
 * Return: false if the peer is being freed.
 */
static inline bool slice_peer_get(struct slice_peer *peer)
{
	return kref_get_unless_zero(&peer->refcount);
}

void slice_peer_put(struct slice_peer *peer);
struct slice_peer *slice_peer_new(struct slice_device *slice, u32 id);
void slice_peer_add(struct slice_peer *peer);
void slice_peer_del(struct slice_peer *peer);
void slice_peer_free(struct slice_peer *peer);
struct slice_peer *slice_peer_lookup(struct slice_device *slice, u32 id);
int slice_peer_endpoint_check(const struct slice_endpoint *ep, struct netlink_ext_ack *extack);
void slice_peer_set_endpoint(struct slice_peer *peer, const struct slice_endpoint *ep);
void slice_peer_get_endpoint(struct slice_peer *peer, struct slice_endpoint *ep);
void slice_peer_set_liveness(struct slice_peer *peer, u32 interval_ms, u32 timeout_ms,
			     u32 hold_ms);
void slice_peer_set_admin(struct slice_peer *peer, bool up);
void slice_peers_reset_routes(struct slice_device *slice);
void slice_peer_rx_authenticated(struct slice_peer *peer, const struct slice_endpoint *ep);

#endif /* _SLICE_PEER_H */
