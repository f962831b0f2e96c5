/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slice: the slice router, inner prefixes to peers, longest prefix first.
 */
#ifndef _SLICE_ROUTING_H
#define _SLICE_ROUTING_H

#include <linux/hashtable.h>
#include <linux/in6.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>

struct slice_peer;

#define SLICE_ROUTE_HASH_BITS	10
/* Peers sharing one prefix; more would not spread flows any better. */
#define SLICE_ROUTE_MAX_NEXTHOPS	64

/**
 * struct slice_nexthops - the peers of one prefix, replaced as a whole
 * @rcu: frees the set after readers are done
 * @count: number of peers
 * @peer: the peers, in the order they were added
 */
struct slice_nexthops {
	struct rcu_head rcu;
	unsigned int count;
	struct slice_peer *peer[];
};

/**
 * struct slice_route - one prefix
 * @hnode: in &slice_routes.buckets
 * @node: in &slice_routes.list, the dump order
 * @rcu: frees the route after readers are done
 * @family: AF_INET or AF_INET6
 * @prefixlen: bits of @addr that count
 * @addr: the prefix, host bits zero; IPv4 in the first four bytes
 * @nexthops: never NULL nor empty while the route is in the table
 */
struct slice_route {
	struct hlist_node hnode;
	struct list_head node;
	struct rcu_head rcu;
	u16 family;
	u8 prefixlen;
	struct in6_addr addr;
	struct slice_nexthops __rcu *nexthops;
};

/**
 * struct slice_routes - the route table of a device
 * @lock: serialises writers and dumps; readers hold rcu_read_lock()
 * @buckets: routes by (family, prefix length, prefix); RCU
 * @list: all routes in the order they were added; @lock
 * @num_routes: (prefix, peer) pairs in the table; @lock
 * @prefixes_v4: routes per IPv4 prefix length, so lookups probe only lengths in use
 * @prefixes_v6: same for IPv6
 */
struct slice_routes {
	struct mutex lock; /* writers and dumps */
	DECLARE_HASHTABLE(buckets, SLICE_ROUTE_HASH_BITS);
	struct list_head list;
	unsigned int num_routes;
	unsigned int prefixes_v4[33];
	unsigned int prefixes_v6[129];
};

void slice_routes_init(struct slice_routes *t);
int slice_routes_add(struct slice_routes *t, u16 family, const void *addr, u8 prefixlen,
		     struct slice_peer *peer);
int slice_routes_del(struct slice_routes *t, u16 family, const void *addr, u8 prefixlen,
		     struct slice_peer *peer);
void slice_routes_del_peer(struct slice_routes *t, struct slice_peer *peer);
void slice_routes_flush(struct slice_routes *t);
struct slice_peer *slice_routes_pick(struct slice_routes *t, u16 family, const void *addr,
				     u32 flow_hash);
bool slice_routes_allow(struct slice_routes *t, u16 family, const void *addr,
			struct slice_peer *peer);
bool slice_routes_detour_again(struct slice_routes *t, u16 family, const void *addr,
			       struct slice_peer *from);
bool slice_prefix_valid(u16 family, const void *addr, u8 prefixlen);

#endif /* _SLICE_ROUTING_H */
