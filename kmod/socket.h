/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slice: the device's UDP socket, and outer transmission through it.
 */
#ifndef _SLICE_SOCKET_H
#define _SLICE_SOCKET_H

#include <linux/net.h>
#include <linux/skbuff.h>
#include <linux/socket.h>

struct net;
struct netlink_ext_ack;
struct slice_device;
struct slice_peer;

/**
 * struct slice_sock - the kernel's UDP socket of a device
 * @sock: the socket; it holds no reference to its namespace; closed under rtnl once no
 *	RCU reader can see it
 * @slice: the device
 */
struct slice_sock {
	struct socket *sock;
	struct slice_device *slice;
};

int slice_sock_open(struct slice_device *slice, const struct sockaddr_storage *local,
		    struct netlink_ext_ack *extack);
void slice_sock_close(struct slice_device *slice);
void slice_sock_net_exit(struct slice_device *slice, struct net *net);
int slice_sock_xmit(struct slice_sock *ss, struct slice_peer *peer, struct sk_buff *skb,
		    u8 tos);

#endif /* _SLICE_SOCKET_H */
