// SPDX-License-Identifier: GPL-2.0
/*
 * slice: the device's UDP socket, and outer transmission through it.
 *
 * The kernel opens the socket (DEV_SET LISTEN_PORT), as WireGuard does, in the device's
 * namespace of the moment, and it stays there when the device moves. Being the kernel's,
 * it holds no reference to that namespace, so that a device never keeps its own namespace
 * alive: when the namespace goes, slice_sock_net_exit() closes the socket, and the
 * namespace's devices go as every virtual device does.
 *
 * The port is bound with SO_REUSEPORT so that the handshake daemon (sliced) can bind a
 * socket of its own to it (one port per slice, as in KubeSlice) and steer to that socket,
 * with a reuseport program, every datagram whose first byte does not say "data". Only
 * sockets of the uid that set the port can join (the kernel's rule for the group).
 */
#include <linux/netlink.h>
#include <linux/slab.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/ipv6_stubs.h>
#include <net/route.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>

#include "datapath.h"
#include "device.h"
#include "peer.h"
#include "socket.h"

/* Any non-zero type turns on encap_rcv; WireGuard uses the same value. */
#define SLICE_UDP_ENCAP_TYPE	1

static int slice_udp_encap_recv(struct sock *sk, struct sk_buff *skb)
{
	struct slice_sock *ss = rcu_dereference_sk_user_data(sk);

	if (likely(ss) && !slice_receive(ss->slice, sk, skb))
		return 0;
	/* Not data (the handshake's, when no daemon took it), or the socket is closing. */
	kfree_skb(skb);
	return 0;
}

/* Makes ss (or none) the device's socket and closes the one it replaces. Context: rtnl. */
static void slice_sock_replace(struct slice_device *slice, struct slice_sock *ss)
{
	struct slice_sock *old = rtnl_dereference(slice->sock);

	rcu_assign_pointer(slice->sock, ss);
	if (!old)
		return;
	rcu_assign_sk_user_data(old->sock->sk, NULL);
	/* Sends and receives that found the old socket finish before it closes. */
	synchronize_net();
	udp_tunnel_sock_release(old->sock);
	kfree(old);
}

static int slice_sock_create(struct net *net, const struct sockaddr_storage *local,
			     struct socket **sockp)
{
	int len = local->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
						   sizeof(struct sockaddr_in);
	struct socket *sock;
	int err;

	err = sock_create_kern(net, local->ss_family, SOCK_DGRAM, IPPROTO_UDP, &sock);
	if (err)
		return err;
	sock_set_reuseport(sock->sk);
	/*
	 * A specific IPv6 address is IPv6 only. The unspecified one serves both families, as
	 * WireGuard's pair of sockets does: a dual-stack gateway has peers of either family on
	 * one port. Received IPv4 packets keep their IPv4 header (the endpoint is learnt as
	 * IPv4, never v4-mapped), and slice_xmit4() sends from this socket too.
	 */
	if (local->ss_family == AF_INET6 &&
	    !ipv6_addr_any(&((const struct sockaddr_in6 *)local)->sin6_addr))
		err = ip6_sock_set_v6only(sock->sk);
	if (!err)
		err = kernel_bind(sock, (struct sockaddr *)local, len);
	if (err) {
		sock_release(sock);
		return err;
	}
	*sockp = sock;
	return 0;
}

/**
 * slice_sock_open - give a device a UDP socket bound to a local address and port
 * @slice: the device
 * @local: AF_INET or AF_INET6 address and port (port 0: any free one); the unspecified
 *	   IPv6 address takes both families
 * @extack: for the reason of a refusal
 *
 * The socket is made in the device's current namespace and replaces the device's socket,
 * if any, which is closed.
 *
 * Context: rtnl held, in the caller's process (its uid owns the port's reuseport group).
 * Return: 0 or a negative errno.
 */
int slice_sock_open(struct slice_device *slice, const struct sockaddr_storage *local,
		    struct netlink_ext_ack *extack)
{
	struct udp_tunnel_sock_cfg cfg = {
		.encap_type = SLICE_UDP_ENCAP_TYPE,
		.encap_rcv = slice_udp_encap_recv,
	};
	struct net *net = dev_net(slice->dev);
	struct slice_sock *ss;
	struct socket *sock;
	int err;

	ASSERT_RTNL();
	ss = kzalloc(sizeof(*ss), GFP_KERNEL);
	if (!ss)
		return -ENOMEM;
	err = slice_sock_create(net, local, &sock);
	if (err) {
		if (err == -EADDRINUSE)
			NL_SET_ERR_MSG(extack, "UDP port in use by a socket not sharing it");
		else
			NL_SET_ERR_MSG(extack, "cannot open a UDP socket on the port");
		kfree(ss);
		return err;
	}
	ss->sock = sock;
	ss->slice = slice;
	cfg.sk_user_data = ss;
	setup_udp_tunnel_sock(net, sock, &cfg);
	slice_sock_replace(slice, ss);
	return 0;
}

/**
 * slice_sock_close - close a device's socket
 * @slice: the device
 *
 * Context: rtnl held.
 */
void slice_sock_close(struct slice_device *slice)
{
	slice_sock_replace(slice, NULL);
}

/**
 * slice_sock_net_exit - close a device's socket if it is in a namespace that goes away
 * @slice: a device, in any namespace
 * @net: the namespace being dismantled
 *
 * A device that moved away from @net keeps working without a socket until it is given
 * one in its new namespace; its packets are dropped as having no endpoint meanwhile.
 *
 * Context: rtnl held, from the namespace's pre_exit.
 */
void slice_sock_net_exit(struct slice_device *slice, struct net *net)
{
	struct slice_sock *ss = rtnl_dereference(slice->sock);

	if (ss && net_eq(sock_net(ss->sock->sk), net))
		slice_sock_close(slice);
}

static int slice_xmit4(struct sock *sk, struct slice_peer *peer, const struct sockaddr_in *to,
		       struct sk_buff *skb, u8 tos)
{
	struct net_device *dev = peer->slice->dev;
	u32 mark = slice_qos_mark(&peer->slice->qos) ?: sk->sk_mark;
	struct flowi4 fl = {
		.saddr = inet_sk(sk)->inet_saddr,
		.daddr = to->sin_addr.s_addr,
		.fl4_dport = to->sin_port,
		.fl4_sport = inet_sk(sk)->inet_sport,
		.flowi4_proto = IPPROTO_UDP,
		.flowi4_oif = sk->sk_bound_dev_if,
		.flowi4_mark = mark,
	};
	struct rtable *rt;

	rt = dst_cache_get_ip4(&peer->dst_cache, &fl.saddr);
	if (!rt) {
		rt = ip_route_output_flow(sock_net(sk), &fl, sk);
		if (IS_ERR(rt))
			return PTR_ERR(rt);
		/* The peer's endpoint routed through the slice itself: a loop, not a path. */
		if (rt->dst.dev == dev) {
			ip_rt_put(rt);
			return -ELOOP;
		}
		dst_cache_set_ip4(&peer->dst_cache, &rt->dst, fl.saddr);
	}
	if (skb_cow_head(skb, LL_RESERVED_SPACE(rt->dst.dev) + rt->dst.header_len +
			 sizeof(struct iphdr) + sizeof(struct udphdr))) {
		ip_rt_put(rt);
		return -ENOMEM;
	}
	/*
	 * The mark is the profile's, set here, so no inner mark can leak: the packet is not
	 * scrubbed (xnet false, as WireGuard does), which would clear it.
	 */
	skb->mark = mark;
	udp_tunnel_xmit_skb(rt, sk, skb, fl.saddr, fl.daddr, tos, ip4_dst_hoplimit(&rt->dst), 0,
			    fl.fl4_sport, fl.fl4_dport, false, false);
	return 0;
}

#if IS_ENABLED(CONFIG_IPV6)
static int slice_xmit6(struct sock *sk, struct slice_peer *peer, const struct sockaddr_in6 *to,
		       struct sk_buff *skb, u8 tos)
{
	struct net_device *dev = peer->slice->dev;
	u32 mark = slice_qos_mark(&peer->slice->qos) ?: sk->sk_mark;
	struct flowi6 fl = {
		.saddr = sk->sk_v6_rcv_saddr,
		.daddr = to->sin6_addr,
		.fl6_dport = to->sin6_port,
		.fl6_sport = inet_sk(sk)->inet_sport,
		.flowi6_proto = IPPROTO_UDP,
		.flowi6_oif = to->sin6_scope_id ?: sk->sk_bound_dev_if,
		.flowi6_mark = mark,
	};
	struct dst_entry *dst;

	dst = dst_cache_get_ip6(&peer->dst_cache, &fl.saddr);
	if (!dst) {
		dst = ipv6_stub->ipv6_dst_lookup_flow(sock_net(sk), sk, &fl, NULL);
		if (IS_ERR(dst))
			return PTR_ERR(dst);
		if (dst->dev == dev) {
			dst_release(dst);
			return -ELOOP;
		}
		dst_cache_set_ip6(&peer->dst_cache, dst, &fl.saddr);
	}
	if (skb_cow_head(skb, LL_RESERVED_SPACE(dst->dev) + dst->header_len +
			 sizeof(struct ipv6hdr) + sizeof(struct udphdr))) {
		dst_release(dst);
		return -ENOMEM;
	}
	skb->mark = mark;
	udp_tunnel6_xmit_skb(dst, sk, skb, dev, &fl.saddr, &fl.daddr, tos, ip6_dst_hoplimit(dst), 0,
			     fl.fl6_sport, fl.fl6_dport, false);
	return 0;
}
#endif

/**
 * slice_sock_xmit - send a sealed data packet to a peer
 * @ss: the device's socket
 * @peer: the destination
 * @skb: the data packet; consumed when this returns 0
 * @tos: the outer DS field (the profile's DSCP, the inner ECN)
 *
 * The outer packet carries the profile's mark (or, without one, the socket's), in the
 * route lookup too.
 *
 * The endpoint lock is held across the route lookup so that a route to an old endpoint
 * never lands in the cache after the endpoint changed.
 *
 * Context: bottom halves disabled, rcu_read_lock() held.
 * Return: 0, -EDESTADDRREQ if the peer has no endpoint, or the routing error.
 */
int slice_sock_xmit(struct slice_sock *ss, struct slice_peer *peer, struct sk_buff *skb,
		    u8 tos)
{
	struct sock *sk = ss->sock->sk;
	int err = -EDESTADDRREQ;

	read_lock_bh(&peer->endpoint_lock);
	/* An IPv4 socket cannot reach an IPv6 endpoint (an IPv6 one reaches both). */
	if (peer->endpoint.addr.sa_family == AF_INET6 && sk->sk_family == AF_INET)
		goto out;
	switch (peer->endpoint.addr.sa_family) {
	case AF_INET:
		err = slice_xmit4(sk, peer, &peer->endpoint.addr4, skb, tos);
		break;
#if IS_ENABLED(CONFIG_IPV6)
	case AF_INET6:
		err = slice_xmit6(sk, peer, &peer->endpoint.addr6, skb, tos);
		break;
#endif
	}
out:
	read_unlock_bh(&peer->endpoint_lock);
	return err;
}
