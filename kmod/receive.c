// SPDX-License-Identifier: GPL-2.0
/*
 * slice: the receive path, UDP -> open -> replay check -> source check -> GRO.
 *
 * Runs in the socket's encap_rcv in softirq. Nothing about a packet is believed before it
 * authenticated: the endpoint, the liveness of the peer and the replay window move only for
 * packets that opened with the peer's key and were not seen before.
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

/* Checks the inner header and trims padding; returns its family and source, or 0. */
static u16 slice_inner_check(struct sk_buff *skb, const void **saddr)
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
		return AF_INET6;
	}
	return 0;
}

static void slice_deliver(struct slice_device *slice, struct slice_peer *peer,
			  struct sock *sk, struct sk_buff *skb)
{
	struct net_device *dev = slice->dev;
	unsigned int len = skb->len;

	skb_scrub_packet(skb, !net_eq(sock_net(sk), dev_net(dev)));
	skb->dev = dev;
	skb->pkt_type = PACKET_HOST;
	skb_reset_mac_header(skb);
	skb_reset_network_header(skb);
	skb_probe_transport_header(skb);
	/* The AEAD vouched for every byte, the inner checksums included. */
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	skb->csum_level = ~0;
	if (gro_cells_receive(&slice->gro_cells, skb) == NET_RX_SUCCESS) {
		slice_count(slice, peer, SLICE_STATS_A_RX_PACKETS, 1);
		slice_count(slice, peer, SLICE_STATS_A_RX_BYTES, len);
	}
}

/* Authenticates a data packet (at its header) from @peer; returns a drop cause or 0. */
static int slice_open(struct slice_peer *peer, const struct slice_wire_hdr *hdr,
		      struct sk_buff *skb)
{
	struct slice_key *key;

	key = slice_keyring_find(&peer->keys, hdr->key_id);
	if (!key)
		return SLICE_STATS_A_DROP_NO_KEY;
	if (slice_key_open(key, skb, hdr->counter))
		return SLICE_STATS_A_DROP_AUTH;
	if (!slice_replay_accept(&key->replay, hdr->counter))
		return SLICE_STATS_A_DROP_REPLAY;
	return 0;
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
	struct slice_endpoint ep;
	struct slice_wire_hdr hdr;
	const void *saddr;
	int cause;
	u16 family;

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
	slice_outer_source(skb, &ep);
	__skb_pull(skb, sizeof(struct udphdr));

	cause = slice_open(peer, &hdr, skb);
	if (cause)
		goto drop;
	slice_peer_rx_authenticated(peer, &ep);
	if (!skb->len) {
		consume_skb(skb);
		return 0;
	}

	cause = SLICE_STATS_A_DROP_MALFORMED;
	family = slice_inner_check(skb, &saddr);
	if (!family)
		goto drop;
	cause = SLICE_STATS_A_DROP_SPOOFED;
	if (!slice_routes_allow(&slice->routes, family, saddr, peer))
		goto drop;
	slice_deliver(slice, peer, sk, skb);
	return 0;

drop:
	slice_count(slice, peer, cause, 1);
	kfree_skb(skb);
	return 0;
}
