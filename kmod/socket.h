/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slice: the UDP socket userspace hands over, and outer transmission through it.
 */
#ifndef _SLICE_SOCKET_H
#define _SLICE_SOCKET_H

#include <linux/net.h>
#include <linux/rcupdate.h>
#include <linux/skbuff.h>

struct netlink_ext_ack;
struct slice_device;
struct slice_peer;

/**
 * struct slice_sock - a UDP socket attached to a device
 * @sock: the socket; we hold a reference to its file
 * @slice: the device
 * @rcu: releases the socket after readers are done
 */
struct slice_sock {
	struct socket *sock;
	struct slice_device *slice;
	struct rcu_head rcu;
};

int slice_sock_attach(struct slice_device *slice, int fd, struct netlink_ext_ack *extack);
void slice_sock_detach(struct slice_device *slice);
int slice_sock_xmit(struct slice_sock *ss, struct slice_peer *peer, struct sk_buff *skb,
		    u8 tos);

#endif /* _SLICE_SOCKET_H */
