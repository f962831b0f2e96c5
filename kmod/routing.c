// SPDX-License-Identifier: GPL-2.0
/*
 * slice: the slice router, inner prefixes to peers, longest prefix first.
 *
 * A hash table keyed by (family, length, prefix) and a count of routes per prefix length:
 * a lookup masks the address for each length in use, longest first, and probes the table.
 * That is at most 33 or 129 probes and usually a handful, all lockless under RCU; writers
 * replace a route's peer set as a whole so that readers never see it half changed.
 */
#include <linux/jhash.h>
#include <linux/reciprocal_div.h>
#include <linux/slab.h>
#include <linux/socket.h>

#include "peer.h"
#include "routing.h"

/**
 * slice_routes_init - start an empty table
 * @t: the table
 */
void slice_routes_init(struct slice_routes *t)
{
	mutex_init(&t->lock);
	hash_init(t->buckets);
	INIT_LIST_HEAD(&t->list);
	t->num_routes = 0;
	memset(t->prefixes_v4, 0, sizeof(t->prefixes_v4));
	memset(t->prefixes_v6, 0, sizeof(t->prefixes_v6));
}

static unsigned int slice_addr_len(u16 family)
{
	return family == AF_INET ? 4 : 16;
}

static void slice_addr_mask(u16 family, const void *addr, u8 prefixlen, struct in6_addr *out)
{
	unsigned int bytes = prefixlen / 8, bits = prefixlen % 8;

	memset(out, 0, sizeof(*out));
	memcpy(out->s6_addr, addr, bytes);
	if (bits)
		out->s6_addr[bytes] = ((const u8 *)addr)[bytes] & (0xff << (8 - bits));
}

/**
 * slice_prefix_valid - check that a prefix length fits its family and no host bit is set
 * @family: AF_INET or AF_INET6
 * @addr: 4 or 16 bytes
 * @prefixlen: the length
 *
 * Return: true if (@addr, @prefixlen) can go in a table.
 */
bool slice_prefix_valid(u16 family, const void *addr, u8 prefixlen)
{
	struct in6_addr masked;

	if (prefixlen > slice_addr_len(family) * 8)
		return false;
	slice_addr_mask(family, addr, prefixlen, &masked);
	return !memcmp(masked.s6_addr, addr, slice_addr_len(family));
}

static u32 slice_route_hash(u16 family, u8 prefixlen, const struct in6_addr *masked)
{
	return jhash2(masked->s6_addr32, 4, (u32)family << 8 | prefixlen);
}

static unsigned int *slice_routes_counter(struct slice_routes *t, u16 family, u8 prefixlen)
{
	return family == AF_INET ? &t->prefixes_v4[prefixlen] : &t->prefixes_v6[prefixlen];
}

static struct slice_route *slice_routes_find(struct slice_routes *t, u16 family, u8 prefixlen,
					     const struct in6_addr *masked)
{
	struct slice_route *r;

	hash_for_each_possible_rcu(t->buckets, r, hnode,
				   slice_route_hash(family, prefixlen, masked),
				   lockdep_is_held(&t->lock))
		if (r->family == family && r->prefixlen == prefixlen &&
		    ipv6_addr_equal(&r->addr, masked))
			return r;
	return NULL;
}

/* Longest matching route, or NULL. Under rcu_read_lock() or @t->lock. */
static struct slice_route *slice_routes_match(struct slice_routes *t, u16 family,
					      const void *addr)
{
	int len = slice_addr_len(family) * 8;
	struct in6_addr masked;
	struct slice_route *r;

	for (; len >= 0; len--) {
		if (!READ_ONCE(*slice_routes_counter(t, family, len)))
			continue;
		slice_addr_mask(family, addr, len, &masked);
		r = slice_routes_find(t, family, len, &masked);
		if (r)
			return r;
	}
	return NULL;
}

static struct slice_nexthops *slice_route_nexthops(struct slice_routes *t,
						   struct slice_route *r)
{
	return rcu_dereference_protected(r->nexthops, lockdep_is_held(&t->lock));
}

/* New peer set: @old without @drop, plus @add (either may be NULL). */
static struct slice_nexthops *slice_nexthops_edit(const struct slice_nexthops *old,
						  struct slice_peer *drop,
						  struct slice_peer *add)
{
	unsigned int n = old ? old->count : 0, i, j = 0;
	struct slice_nexthops *new;

	new = kzalloc(struct_size(new, peer, n + 1), GFP_KERNEL);
	if (!new)
		return NULL;
	for (i = 0; i < n; i++)
		if (old->peer[i] != drop)
			new->peer[j++] = old->peer[i];
	if (add)
		new->peer[j++] = add;
	new->count = j;
	return new;
}

static bool slice_nexthops_has(const struct slice_nexthops *nh, struct slice_peer *peer)
{
	unsigned int i;

	for (i = 0; i < nh->count; i++)
		if (nh->peer[i] == peer)
			return true;
	return false;
}

static void slice_route_unlink(struct slice_routes *t, struct slice_route *r)
{
	hash_del_rcu(&r->hnode);
	list_del(&r->node);
	WRITE_ONCE(*slice_routes_counter(t, r->family, r->prefixlen),
		   *slice_routes_counter(t, r->family, r->prefixlen) - 1);
	kfree_rcu(rcu_dereference_protected(r->nexthops, true), rcu);
	kfree_rcu(r, rcu);
}

static struct slice_route *slice_route_new(struct slice_routes *t, u16 family, u8 prefixlen,
					   const struct in6_addr *masked)
{
	struct slice_route *r;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return NULL;
	r->family = family;
	r->prefixlen = prefixlen;
	r->addr = *masked;
	return r;
}

/**
 * slice_routes_add - route a prefix to one more peer
 * @t: the table
 * @family: AF_INET or AF_INET6
 * @addr: the prefix, checked with slice_prefix_valid()
 * @prefixlen: its length
 * @peer: the peer
 *
 * Context: process, may sleep; @peer stays valid until slice_routes_del_peer().
 * Return: 0, -EEXIST if @peer already has the prefix, -E2BIG if the prefix has
 * SLICE_ROUTE_MAX_NEXTHOPS peers, or -ENOMEM.
 */
int slice_routes_add(struct slice_routes *t, u16 family, const void *addr, u8 prefixlen,
		     struct slice_peer *peer)
{
	struct slice_nexthops *old = NULL, *new;
	struct slice_route *r, *fresh = NULL;
	struct in6_addr masked;
	int err = 0;

	slice_addr_mask(family, addr, prefixlen, &masked);
	mutex_lock(&t->lock);
	r = slice_routes_find(t, family, prefixlen, &masked);
	if (r) {
		old = slice_route_nexthops(t, r);
		err = slice_nexthops_has(old, peer) ? -EEXIST :
		      old->count >= SLICE_ROUTE_MAX_NEXTHOPS ? -E2BIG : 0;
		if (err)
			goto out;
	} else {
		fresh = slice_route_new(t, family, prefixlen, &masked);
		r = fresh;
		if (!r) {
			err = -ENOMEM;
			goto out;
		}
	}
	new = slice_nexthops_edit(old, NULL, peer);
	if (!new) {
		kfree(fresh);
		err = -ENOMEM;
		goto out;
	}
	rcu_assign_pointer(r->nexthops, new);
	if (old)
		kfree_rcu(old, rcu);
	if (fresh) {
		list_add_tail(&r->node, &t->list);
		hash_add_rcu(t->buckets, &r->hnode, slice_route_hash(family, prefixlen, &masked));
		WRITE_ONCE(*slice_routes_counter(t, family, prefixlen),
			   *slice_routes_counter(t, family, prefixlen) + 1);
	}
	t->num_routes++;
out:
	mutex_unlock(&t->lock);
	return err;
}

/* Takes @peer off @r, removing @r when it was the last; under @t->lock. */
static int slice_route_drop_peer(struct slice_routes *t, struct slice_route *r,
				 struct slice_peer *peer)
{
	struct slice_nexthops *old = slice_route_nexthops(t, r), *new;

	if (!slice_nexthops_has(old, peer))
		return -ENOENT;
	t->num_routes--;
	if (old->count == 1) {
		slice_route_unlink(t, r);
		return 0;
	}
	new = slice_nexthops_edit(old, peer, NULL);
	if (!new) {
		t->num_routes++;
		return -ENOMEM;
	}
	rcu_assign_pointer(r->nexthops, new);
	kfree_rcu(old, rcu);
	return 0;
}

/**
 * slice_routes_del - stop routing a prefix to a peer
 * @t: the table
 * @family: AF_INET or AF_INET6
 * @addr: the prefix
 * @prefixlen: its length
 * @peer: the peer
 *
 * Context: process, may sleep.
 * Return: 0, -ENOENT if the prefix does not go to @peer, or -ENOMEM.
 */
int slice_routes_del(struct slice_routes *t, u16 family, const void *addr, u8 prefixlen,
		     struct slice_peer *peer)
{
	struct in6_addr masked;
	struct slice_route *r;
	int err = -ENOENT;

	slice_addr_mask(family, addr, prefixlen, &masked);
	mutex_lock(&t->lock);
	r = slice_routes_find(t, family, prefixlen, &masked);
	if (r)
		err = slice_route_drop_peer(t, r, peer);
	mutex_unlock(&t->lock);
	return err;
}

/**
 * slice_routes_del_peer - take a peer off every prefix
 * @t: the table
 * @peer: the peer, which readers may still see until a grace period has passed
 *
 * A prefix whose only peer this was goes away. Routes shared with other peers need a new
 * peer set; if that allocation fails the whole route goes, because a stale pointer to @peer
 * must not outlive it.
 *
 * Context: process, may sleep.
 */
void slice_routes_del_peer(struct slice_routes *t, struct slice_peer *peer)
{
	struct slice_route *r, *tmp;

	mutex_lock(&t->lock);
	list_for_each_entry_safe(r, tmp, &t->list, node) {
		if (slice_route_drop_peer(t, r, peer) != -ENOMEM)
			continue;
		t->num_routes -= slice_route_nexthops(t, r)->count;
		slice_route_unlink(t, r);
	}
	mutex_unlock(&t->lock);
}

/**
 * slice_routes_flush - remove every route
 * @t: the table
 *
 * Context: process, may sleep.
 */
void slice_routes_flush(struct slice_routes *t)
{
	struct slice_route *r, *tmp;

	mutex_lock(&t->lock);
	list_for_each_entry_safe(r, tmp, &t->list, node)
		slice_route_unlink(t, r);
	t->num_routes = 0;
	mutex_unlock(&t->lock);
}

/* Which peers of a set a choice is among: direct ones (pairs), detours (node links), all. */
enum slice_nexthop_class { SLICE_NH_DIRECT, SLICE_NH_DETOUR, SLICE_NH_ANY };

static bool slice_nexthop_in(const struct slice_peer *peer, enum slice_nexthop_class class)
{
	bool transit = test_bit(SLICE_PEER_TRANSIT, &peer->flags);

	return class == SLICE_NH_ANY || transit == (class == SLICE_NH_DETOUR);
}

/* The peers of @class in @nh, only the usable ones if @usable. */
static unsigned int slice_nexthops_count(const struct slice_nexthops *nh,
					 enum slice_nexthop_class class, bool usable)
{
	unsigned int i, n = 0;

	for (i = 0; i < nh->count; i++)
		n += slice_nexthop_in(nh->peer[i], class) &&
		     (!usable || slice_peer_usable(nh->peer[i]));
	return n;
}

/* The @n-th peer of @class in @nh (of the usable ones if @usable). */
static struct slice_peer *slice_nexthops_nth(const struct slice_nexthops *nh,
					     enum slice_nexthop_class class, bool usable,
					     unsigned int n)
{
	unsigned int i;

	for (i = 0; i < nh->count; i++) {
		if (!slice_nexthop_in(nh->peer[i], class) ||
		    (usable && !slice_peer_usable(nh->peer[i])))
			continue;
		if (!n--)
			return nh->peer[i];
	}
	return NULL;
}

/*
 * A flow's peer among the usable ones of @class when its own is down: chosen with a second
 * hash of the flow, so that the flows of a lost peer spread over the others instead of all
 * landing on the next one in the list.
 */
static struct slice_peer *slice_nexthops_fallback(const struct slice_nexthops *nh,
						  enum slice_nexthop_class class, u32 flow_hash)
{
	unsigned int usable = slice_nexthops_count(nh, class, true);

	if (!usable)
		return NULL;
	return slice_nexthops_nth(nh, class, true,
				  reciprocal_scale(jhash_1word(flow_hash, nh->count), usable));
}

/**
 * slice_routes_pick - the peer to send a flow to
 * @t: the table
 * @family: AF_INET or AF_INET6
 * @addr: the inner destination
 * @flow_hash: spreads flows over the peers of the prefix
 *
 * A flow's own peer is chosen by its hash among all the peers of the prefix, up or down, so
 * that a peer going down or coming back moves only the flows that are or were its own: the
 * flows of the peers that stayed up are never disturbed. Only the longest matching prefix
 * counts: when all its peers are down the packet has no route, rather than leaking to a
 * shorter prefix's peers.
 *
 * Transit peers (nodes of the own cluster) next to direct ones (gateway pairs) are detours:
 * a gateway node sends over its own pair and only while no direct peer of the prefix is
 * usable over its sibling gateway nodes, which then forward over theirs. The detour needs
 * no word from userspace, so it starts the moment the pair times out. A prefix with transit
 * peers only (a worker node's, to the gateway nodes) spreads over them all.
 *
 * Context: rcu_read_lock() held; the peer is valid until it is dropped.
 * Return: a usable peer of the longest matching prefix, or NULL.
 */
struct slice_peer *slice_routes_pick(struct slice_routes *t, u16 family, const void *addr,
				     u32 flow_hash)
{
	enum slice_nexthop_class class = SLICE_NH_DIRECT;
	struct slice_nexthops *nh;
	struct slice_peer *own;
	struct slice_route *r;
	unsigned int n;

	r = slice_routes_match(t, family, addr);
	if (!r)
		return NULL;
	nh = rcu_dereference(r->nexthops);
	n = slice_nexthops_count(nh, class, false);
	if (!n) {
		class = SLICE_NH_ANY;
		n = nh->count;
	}
	own = slice_nexthops_nth(nh, class, false, reciprocal_scale(flow_hash, n));
	if (slice_peer_usable(own))
		return own;
	own = slice_nexthops_fallback(nh, class, flow_hash);
	if (!own && class == SLICE_NH_DIRECT)
		own = slice_nexthops_fallback(nh, SLICE_NH_DETOUR, flow_hash);
	return own;
}

/**
 * slice_routes_detour_again - whether a received packet would only be detoured back
 * @t: the table
 * @family: AF_INET or AF_INET6
 * @addr: the inner destination
 * @from: the peer the packet came from
 *
 * A gateway node sends a remote cluster's packets over its sibling gateway nodes while its
 * own pairs to that cluster are down (slice_routes_pick()). A packet that came over such a
 * detour (@from is a detour of the destination's route) and finds this node's pairs down
 * as well would take a detour again, back and forth until its TTL ran out: it has no way
 * left. A packet from a node that is no detour of the route (a worker node) may take one.
 *
 * Context: rcu_read_lock() held.
 * Return: true if the packet must be dropped.
 */
bool slice_routes_detour_again(struct slice_routes *t, u16 family, const void *addr,
			       struct slice_peer *from)
{
	struct slice_route *r = slice_routes_match(t, family, addr);
	struct slice_nexthops *nh;

	if (!r)
		return false;
	nh = rcu_dereference(r->nexthops);
	return slice_nexthop_in(from, SLICE_NH_DETOUR) && slice_nexthops_has(nh, from) &&
	       slice_nexthops_count(nh, SLICE_NH_DIRECT, false) &&
	       !slice_nexthops_count(nh, SLICE_NH_DIRECT, true);
}

/**
 * slice_routes_allow - check a received packet's inner source
 * @t: the table
 * @family: AF_INET or AF_INET6
 * @addr: the inner source
 * @peer: the peer the packet came from
 *
 * Context: rcu_read_lock() held.
 * Return: true if the longest prefix matching @addr is routed to @peer.
 */
bool slice_routes_allow(struct slice_routes *t, u16 family, const void *addr,
			struct slice_peer *peer)
{
	struct slice_route *r = slice_routes_match(t, family, addr);

	return r && slice_nexthops_has(rcu_dereference(r->nexthops), peer);
}
