// SPDX-License-Identifier: GPL-2.0
/*
 * slice: the send path, inner packet -> route -> peer -> seal -> UDP.
 *
 * ndo_start_xmit routes, splits a GSO packet into its segments and gives each a key and a
 * counter, then queues the batch on its peer in that order (queueing.c). When the peer's
 * queue was empty the first packet is sealed inline, and a lone packet is sent at once, so
 * that an idle tunnel pays no hand-off; the others go to the crypto workers of every CPU and
 * are sent in order from the peer's sending CPU.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/dsfield.h>
#include <net/icmp.h>

#include "datapath.h"
#include "device.h"
#include "netlink.h"
#include "peer.h"
#include "socket.h"

/* Room for everything in front of the inner packet when a keepalive is built. */
#define SLICE_KEEPALIVE_HEADROOM	(LL_MAX_HEADER + sizeof(struct ipv6hdr) + \
					 sizeof(struct udphdr) + SLICE_WIRE_HDR_LEN)

/* The inner packet's DS field, read before sealing hides it; 0 for a keepalive. */
static u8 slice_inner_dsfield(struct sk_buff *skb)
{
	switch (skb->protocol) {
	case htons(ETH_P_IP):
		return ipv4_get_dsfield(ip_hdr(skb));
	case htons(ETH_P_IPV6):
		return ipv6_get_dsfield(ipv6_hdr(skb));
	}
	return 0;
}

/* Sends one packet whose turn came, or drops it if sealing failed (already counted). */
static void slice_tx_finish(struct slice_peer *peer, struct sk_buff *skb)
{
	unsigned int len = skb->len - SLICE_WIRE_HDR_LEN - SLICE_WIRE_TAG_LEN;
	struct slice_device *slice = peer->slice;
	u8 tos = SLICE_SKB_CB(skb)->tos;
	struct slice_sock *ss;

	if (unlikely(slice_packet_state(skb) != SLICE_PACKET_DONE)) {
		slice_packet_drop(skb);
		return;
	}
	slice_key_put(SLICE_SKB_CB(skb)->key);
	skb->dev = slice->dev;
	skb->ip_summed = CHECKSUM_NONE;
	ss = rcu_dereference(slice->sock);
	if (unlikely(!ss || slice_sock_xmit(ss, peer, skb, tos))) {
		kfree_skb(skb);
		slice_count(slice, peer, SLICE_STATS_A_DROP_NO_ENDPOINT, 1);
		return;
	}
	WRITE_ONCE(peer->last_tx, jiffies);
	/* A keepalive is empty inside and not counted: nothing the user sent. */
	if (len) {
		slice_count(slice, peer, SLICE_STATS_A_TX_PACKETS, 1);
		slice_count(slice, peer, SLICE_STATS_A_TX_BYTES, len);
	}
}

/* Sends the peer's sealed packets in queue order, one context at a time. */
static void slice_tx_flush(struct slice_peer *peer)
{
	struct slice_peer_queues *pq = &peer->queues;
	struct sk_buff *skb;

	rcu_read_lock();
	do {
		/* Pairs with the barrier below: a finished head is seen on one side or both. */
		smp_mb__before_atomic();
		if (test_and_set_bit(0, &pq->tx_flushing))
			break;
		while ((skb = slice_peer_queue_next(&pq->tx)))
			slice_tx_finish(peer, skb);
		clear_bit_unlock(0, &pq->tx_flushing);
		/* Pairs with the one above: look again for a head finished while we held it. */
		smp_mb__after_atomic();
	} while (slice_peer_queue_ready(&pq->tx));
	rcu_read_unlock();
}

/**
 * slice_send_work - send a peer's sealed packets on its sending CPU
 * @work: &slice_peer_queues.tx_work
 *
 * Context: process (the device's crypto workqueue).
 */
void slice_send_work(struct work_struct *work)
{
	struct slice_peer *peer = container_of(work, struct slice_peer, queues.tx_work);

	local_bh_disable();
	slice_tx_flush(peer);
	local_bh_enable();
	slice_peer_put(peer);
}

/*
 * Has the peer's sealed packets sent from its sending CPU. The caller is in an RCU read
 * section but may hold no reference: a batch whose packets all finished in the workers
 * before it was queued holds none. A peer with no references left is removed and every
 * packet of it is through; its queue is freed with it, so there is nothing to send.
 */
static void slice_tx_kick(struct slice_peer *peer)
{
	struct slice_peer_queues *pq = &peer->queues;

	if (!slice_peer_get(peer))
		return;
	if (raw_smp_processor_id() == pq->tx_cpu) {
		slice_tx_flush(peer);
		slice_peer_put(peer);
		return;
	}
	/* The work's reference; a work already queued has its own. */
	if (!queue_work_on(pq->tx_cpu, peer->slice->crypt.wq, &pq->tx_work))
		slice_peer_put(peer);
}

/* Publishes the result of sealing; drops count as the device's. */
static void slice_seal_result(struct slice_peer *peer, struct sk_buff *skb, int err)
{
	if (unlikely(err))
		dev_core_stats_tx_dropped_inc(peer->slice->dev);
	slice_packet_set_done(skb, err);
}

/* Sealing finished in a crypto worker or in the AEAD's callback. */
static void slice_seal_done(struct sk_buff *skb, int err)
{
	struct slice_peer *peer = SLICE_SKB_CB(skb)->peer;

	slice_seal_result(peer, skb, err);
	slice_tx_kick(peer);
	slice_peer_put(peer);
}

/**
 * slice_send_crypt - seal a queued packet
 * @skb: the packet, with its slice_skb_cb
 *
 * Context: bottom halves disabled.
 */
void slice_send_crypt(struct sk_buff *skb)
{
	struct slice_skb_cb *cb = SLICE_SKB_CB(skb);
	int err;

	err = slice_key_seal(cb->key, skb, READ_ONCE(cb->peer->slice->local_id), cb->counter,
			     slice_seal_done);
	if (err != -EINPROGRESS)
		slice_seal_done(skb, err);
}

/* Gives a packet its key, counter and outer DS field; returns 0 or the drop cause. */
static int slice_tx_prepare(struct slice_peer *peer, struct sk_buff *skb)
{
	struct slice_skb_cb *cb = SLICE_SKB_CB(skb);
	struct slice_device *slice = peer->slice;
	struct slice_key *key;
	u64 counter;

	if (unlikely(!rcu_access_pointer(slice->sock) ||
		     !READ_ONCE(peer->endpoint.addr.sa_family)))
		return SLICE_STATS_A_DROP_NO_ENDPOINT;
	key = slice_keyring_get(&peer->keys, SLICE_KEY_SLOT_PRIMARY);
	if (unlikely(!key))
		return SLICE_STATS_A_DROP_NO_KEY;
	switch (slice_key_take_counter(key, &counter)) {
	case SLICE_KEY_EXPIRED:
		return SLICE_STATS_A_DROP_NO_KEY;
	case SLICE_KEY_SEND_ASK_ROTATE:
		slice_nl_key_rotate_ntf(peer, key, GFP_ATOMIC);
		break;
	case SLICE_KEY_SEND:
		break;
	}
	if (unlikely(skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb)))
		return -ENOMEM;
	/* Every packet in crypto holds its peer; a peer on its way out takes no more. */
	if (unlikely(!slice_peer_get(peer)))
		return -ENOENT;
	cb->peer = peer;
	cb->key = slice_key_get(key);
	cb->counter = counter;
	cb->tos = slice_qos_dsfield(&slice->qos, slice_inner_dsfield(skb));
	cb->encrypt = true;
	atomic_set(&cb->state, SLICE_PACKET_PENDING);
	return 0;
}

/*
 * Seals the first packet of a batch inline. Alone in an empty queue it goes out at once from
 * here (nothing of the peer's is in flight to overtake it); the head of a batch waits for the
 * peer's sending CPU with the rest.
 */
static void slice_tx_inline(struct slice_peer *peer, struct sk_buff *skb, bool alone)
{
	struct slice_skb_cb *cb = SLICE_SKB_CB(skb);
	int err;

	err = slice_key_seal(cb->key, skb, READ_ONCE(peer->slice->local_id), cb->counter,
			     slice_seal_done);
	if (err == -EINPROGRESS)
		return;
	slice_seal_result(peer, skb, err);
	if (alone)
		slice_tx_flush(peer);
	else
		slice_tx_kick(peer);
	slice_peer_put(peer);
}

/*
 * Queues prepared packets on their peer in order; the first is sealed inline if the queue
 * was empty, the others by the workers.
 */
static void slice_tx_submit(struct slice_peer *peer, struct sk_buff_head *batch)
{
	struct slice_crypt_queue *crypt = &peer->slice->crypt;
	struct slice_peer_queues *pq = &peer->queues;
	bool inline_first = skb_queue_empty_lockless(&pq->tx);
	struct sk_buff *skb, *first = skb_peek(batch);
	bool alone = skb_queue_len(batch) == 1;

	if (unlikely(skb_queue_len_lockless(&pq->tx) + skb_queue_len(batch) >
		     SLICE_MAX_QUEUED)) {
		while ((skb = __skb_dequeue(batch))) {
			dev_core_stats_tx_dropped_inc(peer->slice->dev);
			slice_packet_drop(skb);
			slice_peer_put(peer);
		}
		return;
	}
	/* Workers touch a packet's data and cb, never its list links: the walk is safe. */
	skb_queue_walk(batch, skb) {
		if (skb == first && inline_first)
			continue;
		if (unlikely(!slice_crypt_queue_add(crypt, skb)))
			slice_seal_done(skb, -ENOSPC);
	}
	spin_lock(&pq->tx.lock);
	skb_queue_splice_tail_init(batch, &pq->tx);
	spin_unlock(&pq->tx.lock);
	if (inline_first)
		slice_tx_inline(peer, first, alone);
	else
		slice_tx_kick(peer);
}

static void slice_send(struct slice_peer *peer, struct sk_buff *skb)
{
	struct slice_device *slice = peer->slice;
	struct sk_buff_head batch;
	struct sk_buff *next;
	int cause;

	if (skb_is_gso(skb)) {
		struct sk_buff *segs = skb_gso_segment(skb, 0);

		if (IS_ERR_OR_NULL(segs)) {
			dev_core_stats_tx_dropped_inc(slice->dev);
			kfree_skb(skb);
			return;
		}
		consume_skb(skb);
		skb = segs;
	}
	__skb_queue_head_init(&batch);
	skb_list_walk_safe(skb, skb, next) {
		skb_mark_not_on_list(skb);
		cause = slice_tx_prepare(peer, skb);
		if (likely(!cause)) {
			__skb_queue_tail(&batch, skb);
			continue;
		}
		if (cause > 0)
			slice_count(slice, peer, cause, 1);
		else
			dev_core_stats_tx_dropped_inc(slice->dev);
		kfree_skb(skb);
	}
	if (!skb_queue_empty(&batch))
		slice_tx_submit(peer, &batch);
}

/* The inner destination of an outgoing packet; 0 if it is not IPv4 or IPv6. */
static u16 slice_inner_dst(struct sk_buff *skb, const void **daddr)
{
	switch (skb->protocol) {
	case htons(ETH_P_IP):
		if (!pskb_network_may_pull(skb, sizeof(struct iphdr)) || ip_hdr(skb)->version != 4)
			return 0;
		*daddr = &ip_hdr(skb)->daddr;
		return AF_INET;
	case htons(ETH_P_IPV6):
		if (!pskb_network_may_pull(skb, sizeof(struct ipv6hdr)) ||
		    ipv6_hdr(skb)->version != 6)
			return 0;
		*daddr = &ipv6_hdr(skb)->daddr;
		return AF_INET6;
	}
	return 0;
}

static void slice_unreachable(struct sk_buff *skb, u16 family)
{
	if (family == AF_INET)
		icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
	else
		icmpv6_ndo_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_ADDR_UNREACH, 0);
}

/**
 * slice_xmit - ndo_start_xmit: route an inner packet to a peer and send it sealed
 * @skb: the packet
 * @dev: the slice device
 *
 * Return: NETDEV_TX_OK; the packet is always consumed.
 */
netdev_tx_t slice_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct slice_device *slice = netdev_priv(dev);
	struct slice_peer *peer;
	const void *daddr;
	u16 family;

	family = slice_inner_dst(skb, &daddr);
	if (unlikely(!family)) {
		slice_count(slice, NULL, SLICE_STATS_A_DROP_MALFORMED, 1);
		kfree_skb(skb);
		return NETDEV_TX_OK;
	}
	rcu_read_lock();
	peer = slice_routes_pick(&slice->routes, family, daddr, skb_get_hash(skb));
	if (unlikely(!peer)) {
		slice_count(slice, NULL, SLICE_STATS_A_DROP_NO_ROUTE, 1);
		slice_unreachable(skb, family);
		kfree_skb(skb);
	} else {
		/* Charged once routed: a packet dropped for want of a route costs no credit. */
		slice_qos_admit(&slice->qos, skb->len);
		slice_send(peer, skb);
	}
	rcu_read_unlock();
	return NETDEV_TX_OK;
}

/**
 * slice_send_keepalive - send an empty data packet so that the peer hears from us
 * @peer: the peer
 *
 * Keepalives that cannot go (no key, no endpoint yet) are not counted as drops: nothing
 * the user sent was lost.
 *
 * Context: process; disables bottom halves itself.
 */
void slice_send_keepalive(struct slice_peer *peer)
{
	struct sk_buff_head batch;
	struct sk_buff *skb;

	skb = alloc_skb(SLICE_KEEPALIVE_HEADROOM + SLICE_WIRE_TAG_LEN, GFP_KERNEL);
	if (!skb)
		return;
	skb_reserve(skb, SLICE_KEEPALIVE_HEADROOM);
	__skb_queue_head_init(&batch);
	local_bh_disable();
	rcu_read_lock();
	if (!slice_tx_prepare(peer, skb)) {
		__skb_queue_tail(&batch, skb);
		slice_tx_submit(peer, &batch);
	} else {
		kfree_skb(skb);
	}
	rcu_read_unlock();
	local_bh_enable();
}
