// SPDX-License-Identifier: GPL-2.0
/*
 * slice: the receive path, UDP -> open -> replay check -> source check -> GRO. The source
 * check is skipped for a transit peer: a node of the own cluster forwarding for the others;
 * what came from one over a detour is dropped if it could only take a detour again.
 *
 * The socket's encap_rcv (softirq) finds the peer and key and queues the packet on its peer
 * (queueing.c); it is opened inline when the peer's queue was empty, else by the crypto
 * workers of every CPU. The peer's NAPI takes the opened packets in arrival order and does
 * the rest there. Nothing about a packet is believed before it authenticated: the endpoint,
 * the liveness of the peer and the replay window move only for packets that opened with the
 * peer's key and were not seen before, and the replay check runs only once the packet
 * opened.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "datapath.h"
#include "device.h"
#include "peer.h"
#include "wire.h"

/* The outer source of a datagram, as an endpoint to answer to. */
static void slice_outer_source(struct sk_buff *skb, struct slice_endpoint *ep)
{
	memset(ep, 0, sizeof(*ep));
	if (ip_hdr(skb)->version == 4) {
		ep->addr4.sin_family = AF_INET;
		ep->addr4.sin_addr.s_addr = ip_hdr(skb)->saddr;
		ep->addr4.sin_port = udp_hdr(skb)->source;
	} else {
		ep->addr6.sin6_family = AF_INET6;
		ep->addr6.sin6_addr = ipv6_hdr(skb)->saddr;
		ep->addr6.sin6_port = udp_hdr(skb)->source;
		if (ipv6_addr_type(&ep->addr6.sin6_addr) & IPV6_ADDR_LINKLOCAL)
			ep->addr6.sin6_scope_id = skb->skb_iif;
	}
}

/* Checks the inner header and trims padding; returns its family (or 0) and addresses. */
static u16 slice_inner_check(struct sk_buff *skb, const void **saddr, const void **daddr)
{
	const struct ipv6hdr *ip6;
	const struct iphdr *ip4;
	unsigned int len;

	if (!pskb_may_pull(skb, 1))
		return 0;
	switch (skb->data[0] >> 4) {
	case 4:
		if (!pskb_may_pull(skb, sizeof(*ip4)))
			return 0;
		ip4 = (const struct iphdr *)skb->data;
		len = ntohs(ip4->tot_len);
		if (ip4->ihl < 5 || len < ip4->ihl * 4 || len > skb->len || pskb_trim(skb, len))
			return 0;
		skb->protocol = htons(ETH_P_IP);
		*saddr = &((const struct iphdr *)skb->data)->saddr;
		*daddr = &((const struct iphdr *)skb->data)->daddr;
		return AF_INET;
	case 6:
		if (!pskb_may_pull(skb, sizeof(*ip6)))
			return 0;
		ip6 = (const struct ipv6hdr *)skb->data;
		len = sizeof(*ip6) + ntohs(ip6->payload_len);
		if (len > skb->len || pskb_trim(skb, len))
			return 0;
		skb->protocol = htons(ETH_P_IPV6);
		*saddr = &((const struct ipv6hdr *)skb->data)->saddr;
		*daddr = &((const struct ipv6hdr *)skb->data)->daddr;
		return AF_INET6;
	}
	return 0;
}

static void slice_deliver(struct slice_device *slice, struct slice_peer *peer,
			  struct sk_buff *skb)
{
	unsigned int len = skb->len;

	/* skb->dev has been the slice device since the packet was queued. */
	skb_scrub_packet(skb, SLICE_SKB_CB(skb)->xnet);
	skb->pkt_type = PACKET_HOST;
	skb_reset_mac_header(skb);
	skb_reset_network_header(skb);
	skb_probe_transport_header(skb);
	/* The AEAD vouched for every byte, the inner checksums included. */
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	skb->csum_level = ~0;
	napi_gro_receive(&peer->queues.napi, skb);
	slice_count(slice, peer, SLICE_STATS_A_RX_PACKETS, 1);
	slice_count(slice, peer, SLICE_STATS_A_RX_BYTES, len);
}

/* An opened packet's turn came: replay, endpoint, inner checks; returns a drop cause or 0. */
static int slice_rx_finish(struct slice_peer *peer, struct sk_buff *skb)
{
	struct slice_skb_cb *cb = SLICE_SKB_CB(skb);
	struct slice_endpoint ep;
	const void *saddr, *daddr;
	u16 family;

	if (!slice_replay_accept(&cb->key->replay, cb->counter))
		return SLICE_STATS_A_DROP_REPLAY;
	slice_outer_source(skb, &ep);
	slice_peer_rx_authenticated(peer, &ep);
	if (!skb->len) {
		consume_skb(skb);
		return 0;
	}
	family = slice_inner_check(skb, &saddr, &daddr);
	if (!family)
		return SLICE_STATS_A_DROP_MALFORMED;
	if (!test_bit(SLICE_PEER_TRANSIT, &peer->flags) &&
	    !slice_routes_allow(&peer->slice->routes, family, saddr, peer))
		return SLICE_STATS_A_DROP_SPOOFED;
	if (test_bit(SLICE_PEER_TRANSIT, &peer->flags) &&
	    slice_routes_detour_again(&peer->slice->routes, family, daddr, peer))
		return SLICE_STATS_A_DROP_NO_ROUTE;
	slice_deliver(peer->slice, peer, skb);
	return 0;
}

/**
 * slice_receive_poll - a peer's NAPI: deliver its opened packets in order
 * @napi: &slice_peer_queues.napi of the peer
 * @budget: most packets to take
 *
 * Context: softirq.
 * Return: packets taken.
 */
int slice_receive_poll(struct napi_struct *napi, int budget)
{
	struct slice_peer *peer = container_of(napi, struct slice_peer, queues.napi);
	struct sk_buff *skb;
	int cause, done = 0;

	rcu_read_lock();
	while (done < budget && (skb = slice_peer_queue_next(&peer->queues.rx))) {
		struct slice_key *key = SLICE_SKB_CB(skb)->key;

		done++;
		/* A packet that failed to open was counted then. */
		if (unlikely(slice_packet_state(skb) != SLICE_PACKET_DONE)) {
			slice_packet_drop(skb);
			continue;
		}
		cause = slice_rx_finish(peer, skb);
		if (unlikely(cause)) {
			slice_count(peer->slice, peer, cause, 1);
			kfree_skb(skb);
		}
		slice_key_put(key);
	}
	rcu_read_unlock();
	if (done < budget)
		napi_complete_done(napi, done);
	return done;
}

/* Opening finished, at once, in a crypto worker or in the AEAD's callback. */
static void slice_open_done(struct sk_buff *skb, int err)
{
	struct slice_peer *peer = SLICE_SKB_CB(skb)->peer;

	if (err == -EBADMSG)
		slice_count(peer->slice, peer, SLICE_STATS_A_DROP_AUTH, 1);
	else if (unlikely(err))
		dev_core_stats_rx_dropped_inc(peer->slice->dev);
	slice_packet_set_done(skb, err);
	napi_schedule(&peer->queues.napi);
	slice_peer_put(peer);
}

/**
 * slice_receive_crypt - open a queued packet
 * @skb: the packet, with its slice_skb_cb
 *
 * Context: bottom halves disabled.
 */
void slice_receive_crypt(struct sk_buff *skb)
{
	struct slice_skb_cb *cb = SLICE_SKB_CB(skb);
	int err;

	err = slice_key_open(cb->key, skb, cb->counter, slice_open_done);
	if (err != -EINPROGRESS)
		slice_open_done(skb, err);
}

/* Queues a data packet on its peer and opens it inline or hands it to the workers. */
static void slice_rx_submit(struct slice_device *slice, struct slice_peer *peer,
			    struct slice_key *key, u64 counter, struct sock *sk,
			    struct sk_buff *skb)
{
	struct slice_peer_queues *pq = &peer->queues;
	struct slice_skb_cb *cb = SLICE_SKB_CB(skb);
	bool inline_open = skb_queue_empty_lockless(&pq->rx);

	/*
	 * The packet may outlive this RCU section: nothing of it may point at what only RCU
	 * keeps, such as a route taken without a reference or the underlay device (the slice
	 * device stays while the peer, which the packet holds, does).
	 */
	skb_dst_drop(skb);
	cb->xnet = !net_eq(sock_net(sk), dev_net(slice->dev));
	skb->dev = slice->dev;
	cb->peer = peer;
	cb->key = slice_key_get(key);
	cb->counter = counter;
	cb->encrypt = false;
	atomic_set(&cb->state, SLICE_PACKET_PENDING);
	spin_lock(&pq->rx.lock);
	__skb_queue_tail(&pq->rx, skb);
	spin_unlock(&pq->rx.lock);
	if (inline_open)
		slice_receive_crypt(skb);
	else if (unlikely(!slice_crypt_queue_add(&slice->crypt, skb)))
		slice_open_done(skb, -ENOSPC);
}

/**
 * slice_receive - handle a datagram that arrived on a device's socket
 * @slice: the device
 * @sk: the socket
 * @skb: the datagram, data at the UDP header
 *
 * Context: softirq, rcu_read_lock() held (UDP's encap_rcv).
 * Return: 0 if the datagram was a data packet (consumed), 1 to hand it to the socket.
 */
int slice_receive(struct slice_device *slice, struct sock *sk, struct sk_buff *skb)
{
	struct slice_peer *peer = NULL;
	struct slice_wire_hdr hdr;
	struct slice_key *key;
	int cause;

	if (!pskb_may_pull(skb, sizeof(struct udphdr) + 1) ||
	    skb->data[sizeof(struct udphdr)] != SLICE_WIRE_TYPE_DATA)
		return 1;

	cause = SLICE_STATS_A_DROP_MALFORMED;
	if (!pskb_may_pull(skb, sizeof(struct udphdr) + SLICE_WIRE_HDR_LEN) ||
	    !slice_wire_hdr_decode(skb->data + sizeof(struct udphdr), &hdr))
		goto drop;
	peer = slice_peer_lookup(slice, hdr.sender_id);
	if (!peer)
		goto drop;
	cause = SLICE_STATS_A_DROP_NO_KEY;
	key = slice_keyring_find(&peer->keys, hdr.key_id);
	if (!key)
		goto drop;
	if (unlikely(skb_queue_len_lockless(&peer->queues.rx) >= SLICE_MAX_QUEUED ||
		     !slice_peer_get(peer))) {
		dev_core_stats_rx_dropped_inc(slice->dev);
		kfree_skb(skb);
		return 0;
	}
	__skb_pull(skb, sizeof(struct udphdr));
	slice_rx_submit(slice, peer, key, hdr.counter, sk, skb);
	return 0;

drop:
	slice_count(slice, peer, cause, 1);
	kfree_skb(skb);
	return 0;
}
