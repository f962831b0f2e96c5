/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slice: the slice network device.
 */
#ifndef _SLICE_DEVICE_H
#define _SLICE_DEVICE_H

#include <linux/hashtable.h>
#include <linux/netdevice.h>

#include "qos.h"
#include "queueing.h"
#include "routing.h"
#include "stats.h"

struct slice_sock;

#define SLICE_PEER_HASH_BITS	8

/* Outer IPv6 (40) + UDP (8) + data header + tag: the default MTU leaves room for it. */
#define SLICE_OVERHEAD		(40 + 8 + SLICE_WIRE_HDR_LEN + SLICE_WIRE_TAG_LEN)
#define SLICE_DEFAULT_MTU	1420

/**
 * struct slice_device - private data of a slice device
 * @dev: the net device
 * @routes: the slice router
 * @peer_list: all peers in the order they were added; rtnl
 * @peers_by_id: peers by gateway id; RCU, rtnl for writers
 * @num_peers: number of peers; rtnl
 * @sock: the device's UDP socket, in the namespace it was opened in; RCU, rtnl for writers
 * @dev_node: in the list of every slice device, of every namespace; rtnl
 * @local_id: this gateway's id, sent in every packet; 0 until set; rtnl for writers
 * @generation: bumped by every change of peers or routes, so dumps detect them; rtnl
 * @crypt: packets waiting for a CPU to seal or open them
 * @stats: device counters
 * @qos: the QoS profile, its ceiling's bucket and the queue pacing; its own lock
 */
struct slice_device {
	struct net_device *dev;
	struct slice_routes routes;
	struct list_head peer_list;
	DECLARE_HASHTABLE(peers_by_id, SLICE_PEER_HASH_BITS);
	unsigned int num_peers;
	struct slice_sock __rcu *sock;
	struct list_head dev_node;
	u32 local_id;
	u32 generation;
	struct slice_crypt_queue crypt;
	struct slice_stats __percpu *stats;
	struct slice_qos qos;
};

extern struct rtnl_link_ops slice_link_ops;
extern struct pernet_operations slice_net_ops;

/**
 * slice_dev_is_slice - whether a device is a slice device
 * @dev: any net device
 *
 * Return: true if @dev's private data is a &struct slice_device.
 */
static inline bool slice_dev_is_slice(const struct net_device *dev)
{
	return dev->rtnl_link_ops == &slice_link_ops;
}

void slice_count(struct slice_device *slice, struct slice_peer *peer,
		 enum slice_stats_a which, u64 n);

#endif /* _SLICE_DEVICE_H */
