// SPDX-License-Identifier: GPL-2.0
/*
 * slice: peers, the remote gateways of a slice.
 *
 * Peers are added and removed under rtnl and read under RCU by the data path; a packet in
 * crypto holds a reference, so a removed peer is freed once its last packet is through
 * (after an RCU grace period, for the readers). A peer's clock is a delayed work that runs
 * at the next deadline its liveness (liveness.c) names: the next keepalive, the moment
 * silence becomes a timeout, the end of a hold time. It runs on the high-priority workqueue
 * because a late tick is a late failover; one work item per peer is easy to stop.
 */
#include <linux/jiffies.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>

#include "datapath.h"
#include "device.h"
#include "netlink.h"
#include "peer.h"

static void slice_peer_tick(struct work_struct *work);

/**
 * slice_peer_new - allocate a peer, administratively up, with no endpoint and no keys
 * @slice: its device
 * @id: its gateway id
 *
 * Context: process, may sleep.
 * Return: the peer, not yet visible (see slice_peer_add()), or NULL.
 */
struct slice_peer *slice_peer_new(struct slice_device *slice, u32 id)
{
	struct slice_peer *peer;

	peer = kzalloc(sizeof(*peer), GFP_KERNEL);
	if (!peer)
		return NULL;
	peer->stats = netdev_alloc_pcpu_stats(struct slice_stats);
	if (!peer->stats)
		goto err_free_peer;
	if (dst_cache_init(&peer->dst_cache, GFP_KERNEL))
		goto err_free_stats;
	peer->slice = slice;
	kref_init(&peer->refcount);
	peer->id = id;
	slice_keyring_init(&peer->keys);
	slice_peer_queues_init(&peer->queues, id, slice_send_work);
	rwlock_init(&peer->endpoint_lock);
	slice_liveness_init(&peer->live);
	peer->flags = BIT(SLICE_PEER_ADMIN_UP);
	peer->last_tx = jiffies;
	peer->last_rx = jiffies;
	INIT_DELAYED_WORK(&peer->timer, slice_peer_tick);
	return peer;

err_free_stats:
	free_percpu(peer->stats);
err_free_peer:
	kfree(peer);
	return NULL;
}

/**
 * slice_peer_free - free a peer that was never added
 * @peer: the peer
 */
void slice_peer_free(struct slice_peer *peer)
{
	dst_cache_destroy(&peer->dst_cache);
	free_percpu(peer->stats);
	kfree(peer);
}

static void slice_peer_free_rcu(struct rcu_head *rcu)
{
	struct slice_peer *peer = container_of(rcu, struct slice_peer, rcu);
	struct net_device *dev = peer->slice->dev;

	slice_peer_queues_purge(&peer->queues);
	/* The tracker lives in the peer: release it before the peer goes. */
	netdev_put(dev, &peer->dev_tracker);
	slice_peer_free(peer);
}

static void slice_peer_release(struct kref *kref)
{
	call_rcu(&container_of(kref, struct slice_peer, refcount)->rcu, slice_peer_free_rcu);
}

/**
 * slice_peer_put - drop a reference to a peer
 * @peer: the peer
 *
 * Context: any.
 */
void slice_peer_put(struct slice_peer *peer)
{
	kref_put(&peer->refcount, slice_peer_release);
}

/**
 * slice_peer_add - make a new peer visible to the data path and to netlink
 * @peer: from slice_peer_new()
 *
 * Context: rtnl held.
 */
void slice_peer_add(struct slice_peer *peer)
{
	struct slice_device *slice = peer->slice;

	ASSERT_RTNL();
	/* Packets still in crypto after the peer's removal need the device: keep it. */
	netdev_hold(slice->dev, &peer->dev_tracker, GFP_KERNEL);
	slice_peer_queues_start(&peer->queues, slice->dev, slice_receive_poll);
	list_add_tail(&peer->node, &slice->peer_list);
	hash_add_rcu(slice->peers_by_id, &peer->hnode, peer->id);
	slice->num_peers++;
	slice->generation++;
}

/**
 * slice_peer_del - remove a peer with its routes and keys, and free it after readers
 * @peer: the peer
 *
 * Context: rtnl held, may sleep.
 */
void slice_peer_del(struct slice_peer *peer)
{
	struct slice_device *slice = peer->slice;

	ASSERT_RTNL();
	hash_del_rcu(&peer->hnode);
	list_del(&peer->node);
	slice->num_peers--;
	slice->generation++;
	slice_routes_del_peer(&slice->routes, peer);
	cancel_delayed_work_sync(&peer->timer);
	slice_peer_queues_stop(&peer->queues);
	slice_keyring_clear(&peer->keys);
	slice_peer_put(peer);
}

/**
 * slice_peer_lookup - find a peer by gateway id
 * @slice: the device
 * @id: the gateway id
 *
 * Context: rcu_read_lock() or rtnl held.
 * Return: the peer or NULL.
 */
struct slice_peer *slice_peer_lookup(struct slice_device *slice, u32 id)
{
	struct slice_peer *peer;

	hash_for_each_possible_rcu(slice->peers_by_id, peer, hnode, id, lockdep_rtnl_is_held())
		if (peer->id == id)
			return peer;
	return NULL;
}

static bool slice_endpoint_equal(const struct slice_endpoint *a, const struct slice_endpoint *b)
{
	if (a->addr.sa_family != b->addr.sa_family)
		return false;
	switch (a->addr.sa_family) {
	case AF_INET:
		return a->addr4.sin_port == b->addr4.sin_port &&
		       a->addr4.sin_addr.s_addr == b->addr4.sin_addr.s_addr;
	case AF_INET6:
		return a->addr6.sin6_port == b->addr6.sin6_port &&
		       ipv6_addr_equal(&a->addr6.sin6_addr, &b->addr6.sin6_addr) &&
		       a->addr6.sin6_scope_id == b->addr6.sin6_scope_id;
	}
	return true;
}

/**
 * slice_peer_set_endpoint - change where packets to a peer go
 * @peer: the peer
 * @ep: the new endpoint
 *
 * Context: any.
 */
void slice_peer_set_endpoint(struct slice_peer *peer, const struct slice_endpoint *ep)
{
	/* Compare under the read lock first: the receive path calls this for every packet. */
	read_lock_bh(&peer->endpoint_lock);
	if (slice_endpoint_equal(&peer->endpoint, ep)) {
		read_unlock_bh(&peer->endpoint_lock);
		return;
	}
	read_unlock_bh(&peer->endpoint_lock);

	write_lock_bh(&peer->endpoint_lock);
	peer->endpoint = *ep;
	dst_cache_reset(&peer->dst_cache);
	write_unlock_bh(&peer->endpoint_lock);
}

/**
 * slice_peer_endpoint_check - whether a peer may have this endpoint
 * @ep: the endpoint
 * @extack: says why not
 *
 * Return: 0, or -EINVAL for a link-local IPv6 address (which would need an interface that
 * the peer's settings do not name).
 */
int slice_peer_endpoint_check(const struct slice_endpoint *ep, struct netlink_ext_ack *extack)
{
	if (ep->addr.sa_family == AF_INET6 &&
	    ipv6_addr_type(&ep->addr6.sin6_addr) & IPV6_ADDR_LINKLOCAL) {
		NL_SET_ERR_MSG(extack, "link-local remote addresses are not supported");
		return -EINVAL;
	}
	return 0;
}

/**
 * slice_peers_reset_routes - forget the outer routes cached for every peer of a device
 * @slice: the device, whose mark (a routing key) changed
 *
 * Context: rtnl held.
 */
void slice_peers_reset_routes(struct slice_device *slice)
{
	struct slice_peer *peer;

	ASSERT_RTNL();
	list_for_each_entry(peer, &slice->peer_list, node) {
		write_lock_bh(&peer->endpoint_lock);
		dst_cache_reset(&peer->dst_cache);
		write_unlock_bh(&peer->endpoint_lock);
	}
}

/**
 * slice_peer_get_endpoint - copy a peer's endpoint
 * @peer: the peer
 * @ep: where it goes
 *
 * Context: any.
 */
void slice_peer_get_endpoint(struct slice_peer *peer, struct slice_endpoint *ep)
{
	read_lock_bh(&peer->endpoint_lock);
	*ep = peer->endpoint;
	read_unlock_bh(&peer->endpoint_lock);
}

/* Tells userspace when the effective state changed; @was_usable is the state before. */
static void slice_peer_state_changed(struct slice_peer *peer, bool was_usable, gfp_t gfp)
{
	if (slice_peer_usable(peer) != was_usable)
		slice_nl_peer_state_ntf(peer, gfp);
}

/* A liveness change matters to userspace only while the peer is administratively up. */
static void slice_peer_liveness_changed(struct slice_peer *peer,
					enum slice_liveness_change change, gfp_t gfp)
{
	if (change != SLICE_LIVENESS_SAME && test_bit(SLICE_PEER_ADMIN_UP, &peer->flags))
		slice_nl_peer_state_ntf(peer, gfp);
}

static void slice_peer_tick(struct work_struct *work)
{
	struct slice_peer *peer = container_of(to_delayed_work(work), struct slice_peer, timer);
	struct slice_liveness_step step = slice_liveness_tick(peer, jiffies);

	if (step.keepalive)
		slice_send_keepalive(peer);
	slice_peer_liveness_changed(peer, step.change, GFP_KERNEL);
	if (step.delay)
		queue_delayed_work(system_highpri_wq, &peer->timer, step.delay);
}

/**
 * slice_peer_set_liveness - configure keepalives, the silence timeout and the hold time
 * @peer: the peer
 * @interval_ms: without sending for this long, a keepalive goes out; 0 = none
 * @timeout_ms: silent for this long, the peer is down; 0 = never by silence
 * @hold_ms: heard again, a silent peer is used after this long without a gap; 0 = at once
 *
 * The silence clock restarts, so a peer is never declared down by a timeout it did not have;
 * the clock ticks at once, so a first keepalive announces us.
 *
 * Context: rtnl held, may sleep.
 */
void slice_peer_set_liveness(struct slice_peer *peer, u32 interval_ms, u32 timeout_ms,
			     u32 hold_ms)
{
	bool was_usable = slice_peer_usable(peer);

	slice_liveness_configure(peer, interval_ms, timeout_ms, hold_ms, jiffies);
	slice_peer_state_changed(peer, was_usable, GFP_KERNEL);
	if (interval_ms || timeout_ms)
		mod_delayed_work(system_highpri_wq, &peer->timer, 0);
	else
		cancel_delayed_work_sync(&peer->timer);
}

/**
 * slice_peer_set_admin - set the administrative state
 * @peer: the peer
 * @up: whether routes may use it
 *
 * Coming up restarts the silence clock.
 *
 * Context: rtnl held.
 */
void slice_peer_set_admin(struct slice_peer *peer, bool up)
{
	bool was_usable = slice_peer_usable(peer);

	if (up) {
		slice_liveness_restart(peer, jiffies);
		set_bit(SLICE_PEER_ADMIN_UP, &peer->flags);
	} else {
		clear_bit(SLICE_PEER_ADMIN_UP, &peer->flags);
	}
	slice_peer_state_changed(peer, was_usable, GFP_KERNEL);
}

/**
 * slice_peer_rx_authenticated - note a packet that authenticated and passed the replay check
 * @peer: the sender
 * @ep: the packet's outer source, the peer's endpoint from now on
 *
 * Context: softirq.
 */
void slice_peer_rx_authenticated(struct slice_peer *peer, const struct slice_endpoint *ep)
{
	slice_peer_set_endpoint(peer, ep);
	slice_peer_liveness_changed(peer, slice_liveness_heard(peer, jiffies), GFP_ATOMIC);
}
