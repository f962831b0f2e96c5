// SPDX-License-Identifier: GPL-2.0
/*
 * slice: the UDP socket userspace hands over, and outer transmission through it.
 *
 * As in ovpn, userspace (sliced) creates and binds the socket and keeps using it for the
 * DTLS handshake; the device only claims the datagrams whose first byte says "data" and
 * sends through it. The socket stays in the network namespace it was created in, also when
 * the device moves, like WireGuard's.
 */
#include <linux/file.h>
#include <linux/netlink.h>
#include <linux/slab.h>
#include <net/ip6_route.h>
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

	/* Being detached: the datagram goes to the socket's owner like any other. */
	if (unlikely(!ss))
		return 1;
	return slice_receive(ss->slice, sk, skb);
}

static int slice_sock_check(struct socket *sock, struct netlink_ext_ack *extack)
{
	struct sock *sk = sock->sk;

	if (sk->sk_protocol != IPPROTO_UDP || sk->sk_type != SOCK_DGRAM ||
	    (sk->sk_family != AF_INET && sk->sk_family != AF_INET6)) {
		NL_SET_ERR_MSG(extack, "socket is not a UDP socket");
		return -EPROTOTYPE;
	}
	if (!inet_sk(sk)->inet_num) {
		NL_SET_ERR_MSG(extack, "socket is not bound: bind it to the slice's port first");
		return -EDESTADDRREQ;
	}
	if (udp_sk(sk)->encap_type || rcu_access_pointer(sk->sk_user_data)) {
		NL_SET_ERR_MSG(extack, "socket is already used by a tunnel");
		return -EBUSY;
	}
	return 0;
}

/**
 * slice_sock_attach - take over a UDP socket for a device's data packets
 * @slice: the device
 * @fd: the caller's file descriptor of a bound UDP socket
 * @extack: for the reason of a refusal
 *
 * A socket already attached is detached first.
 *
 * Context: rtnl held, in the caller's process.
 * Return: 0 or a negative errno.
 */
int slice_sock_attach(struct slice_device *slice, int fd, struct netlink_ext_ack *extack)
{
	struct udp_tunnel_sock_cfg cfg = {
		.encap_type = SLICE_UDP_ENCAP_TYPE,
		.encap_rcv = slice_udp_encap_recv,
	};
	struct slice_sock *ss;
	struct socket *sock;
	int err;

	ASSERT_RTNL();
	sock = sockfd_lookup(fd, &err);
	if (!sock) {
		NL_SET_ERR_MSG(extack, "not a socket file descriptor");
		return err;
	}
	err = slice_sock_check(sock, extack);
	if (err)
		goto err_put_sock;
	ss = kzalloc(sizeof(*ss), GFP_KERNEL);
	if (!ss) {
		err = -ENOMEM;
		goto err_put_sock;
	}
	ss->sock = sock;
	ss->slice = slice;
	slice_sock_detach(slice);
	cfg.sk_user_data = ss;
	setup_udp_tunnel_sock(sock_net(sock->sk), sock, &cfg);
	rcu_assign_pointer(slice->sock, ss);
	return 0;

err_put_sock:
	sockfd_put(sock);
	return err;
}

static void slice_sock_free_rcu(struct rcu_head *rcu)
{
	struct slice_sock *ss = container_of(rcu, struct slice_sock, rcu);

	sockfd_put(ss->sock);
	kfree(ss);
}

/**
 * slice_sock_detach - give a device's socket back to userspace alone
 * @slice: the device
 *
 * Datagrams that arrive from now on all go to the socket's owner.
 *
 * Context: rtnl held.
 */
void slice_sock_detach(struct slice_device *slice)
{
	struct slice_sock *ss = rtnl_dereference(slice->sock);
	struct sock *sk;

	if (!ss)
		return;
	sk = ss->sock->sk;
	RCU_INIT_POINTER(slice->sock, NULL);
	rcu_assign_sk_user_data(sk, NULL);
	WRITE_ONCE(udp_sk(sk)->encap_rcv, NULL);
	WRITE_ONCE(udp_sk(sk)->encap_type, 0);
	inet_dec_convert_csum(sk);
	call_rcu(&ss->rcu, slice_sock_free_rcu);
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
