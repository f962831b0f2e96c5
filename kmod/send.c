// SPDX-License-Identifier: GPL-2.0
/*
 * slice: the send path, inner packet -> route -> peer -> seal -> UDP.
 *
 * Everything runs in the caller's context (ndo_start_xmit, or the peer clock with bottom
 * halves disabled) with synchronous AEADs; parallel async crypto is later work.
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

/* Seals and sends one non-GSO packet; consumes @skb. Returns the drop cause or 0. */
static int slice_send_one(struct slice_peer *peer, struct sk_buff *skb)
{
	struct slice_device *slice = peer->slice;
	struct slice_sock *ss;
	struct slice_key *key;
	u64 counter;
	u8 tos;

	ss = rcu_dereference(slice->sock);
	if (unlikely(!ss || !READ_ONCE(peer->endpoint.addr.sa_family)))
		goto drop_no_endpoint;
	key = slice_keyring_get(&peer->keys, SLICE_KEY_SLOT_PRIMARY);
	if (unlikely(!key))
		goto drop_no_key;
	switch (slice_key_take_counter(key, &counter)) {
	case SLICE_KEY_EXPIRED:
		goto drop_no_key;
	case SLICE_KEY_SEND_ASK_ROTATE:
		slice_nl_key_rotate_ntf(peer, key, GFP_ATOMIC);
		break;
	case SLICE_KEY_SEND:
		break;
	}
	if (unlikely(skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb)))
		goto drop;
	tos = slice_qos_dsfield(&slice->qos, slice_inner_dsfield(skb));
	if (unlikely(slice_key_seal(key, skb, READ_ONCE(slice->local_id), counter)))
		goto drop;
	skb->dev = slice->dev;
	skb->ip_summed = CHECKSUM_NONE;
	if (unlikely(slice_sock_xmit(ss, peer, skb, tos)))
		goto drop_no_endpoint;
	WRITE_ONCE(peer->last_tx, jiffies);
	return 0;

drop_no_endpoint:
	kfree_skb(skb);
	return SLICE_STATS_A_DROP_NO_ENDPOINT;
drop_no_key:
	kfree_skb(skb);
	return SLICE_STATS_A_DROP_NO_KEY;
drop:
	dev_core_stats_tx_dropped_inc(slice->dev);
	kfree_skb(skb);
	return -ENOMEM;
}

static void slice_send(struct slice_peer *peer, struct sk_buff *skb)
{
	struct slice_device *slice = peer->slice;
	struct sk_buff *segs, *next;
	unsigned int len;
	int cause;

	if (skb_is_gso(skb)) {
		segs = skb_gso_segment(skb, 0);
		if (IS_ERR_OR_NULL(segs)) {
			dev_core_stats_tx_dropped_inc(slice->dev);
			kfree_skb(skb);
			return;
		}
		consume_skb(skb);
		skb = segs;
	}
	skb_list_walk_safe(skb, skb, next) {
		skb_mark_not_on_list(skb);
		len = skb->len;
		cause = slice_send_one(peer, skb);
		if (!cause) {
			slice_count(slice, peer, SLICE_STATS_A_TX_PACKETS, 1);
			slice_count(slice, peer, SLICE_STATS_A_TX_BYTES, len);
		} else if (cause > 0) {
			slice_count(slice, peer, cause, 1);
		}
	}
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
	struct sk_buff *skb;

	skb = alloc_skb(SLICE_KEEPALIVE_HEADROOM + SLICE_WIRE_TAG_LEN, GFP_KERNEL);
	if (!skb)
		return;
	skb_reserve(skb, SLICE_KEEPALIVE_HEADROOM);
	local_bh_disable();
	rcu_read_lock();
	slice_send_one(peer, skb);
	rcu_read_unlock();
	local_bh_enable();
}
