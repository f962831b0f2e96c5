// SPDX-License-Identifier: GPL-2.0
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include "lib/rtnl/rtnl.h"

/* An IPv4 address or prefix; text without "/" is a host address (/32). */
static struct nl_addr *prefix_of(const char *text)
{
	struct nl_addr *a = NULL;
	char buf[64];

	if (!text)
		return NULL;
	snprintf(buf, sizeof(buf), strchr(text, '/') ? "%s" : "%s/32", text);
	return nl_addr_parse(buf, AF_INET, &a) ? NULL : a;
}

int slicertnl_link_index(struct nl_sock *sk, const char *name, struct rtnl_link **out)
{
	struct rtnl_link *link = NULL;
	int ifindex;

	if (rtnl_link_get_kernel(sk, 0, name, &link))
		return 0;
	ifindex = rtnl_link_get_ifindex(link);
	if (out)
		*out = link;
	else
		rtnl_link_put(link);
	return ifindex;
}

int slicertnl_link_up(struct nl_sock *sk, int ifindex)
{
	struct rtnl_link *cur = NULL, *want = rtnl_link_alloc();
	int ret = -NLE_NOMEM;

	if (want && !(ret = rtnl_link_get_kernel(sk, ifindex, NULL, &cur))) {
		rtnl_link_set_flags(want, IFF_UP);
		ret = rtnl_link_change(sk, cur, want, 0);
	}
	rtnl_link_put(cur);
	rtnl_link_put(want);
	return ret;
}

int slicertnl_addr_add(struct nl_sock *sk, int ifindex, const char *ip)
{
	struct rtnl_addr *a = rtnl_addr_alloc();
	struct nl_addr *local = prefix_of(ip);
	int ret = -NLE_NOMEM;

	if (a && local) {
		rtnl_addr_set_ifindex(a, ifindex);
		rtnl_addr_set_local(a, local);
		ret = rtnl_addr_add(sk, a, NLM_F_REPLACE);
	}
	nl_addr_put(local);
	rtnl_addr_put(a);
	return ret;
}

bool slicertnl_addr_present(struct nl_sock *sk, int ifindex, const char *ip)
{
	struct nl_addr *want = prefix_of(ip);
	struct nl_cache *cache = NULL;
	struct nl_object *o;
	bool found = false;

	if (!want || rtnl_addr_alloc_cache(sk, &cache)) {
		nl_addr_put(want);
		return false;
	}
	for (o = nl_cache_get_first(cache); o && !found; o = nl_cache_get_next(o))
		found = rtnl_addr_get_ifindex((struct rtnl_addr *)o) == ifindex &&
			!nl_addr_cmp(rtnl_addr_get_local((struct rtnl_addr *)o), want);
	nl_cache_free(cache);
	nl_addr_put(want);
	return found;
}

int slicertnl_route_add(struct nl_sock *sk, const char *dst, int ifindex, const char *gw)
{
	struct rtnl_route *r = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *to = prefix_of(dst), *via = gw ? prefix_of(gw) : NULL;
	int ret = -NLE_NOMEM;

	if (!r || !nh || !to || (gw && !via)) {
		rtnl_route_nh_free(nh);
		goto out;
	}
	rtnl_route_set_family(r, AF_INET);
	rtnl_route_set_dst(r, to);
	rtnl_route_set_table(r, RT_TABLE_MAIN);
	rtnl_route_set_protocol(r, RTPROT_STATIC);
	rtnl_route_set_scope(r, gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
	rtnl_route_nh_set_ifindex(nh, ifindex);
	if (via)
		rtnl_route_nh_set_gateway(nh, via);
	rtnl_route_add_nexthop(r, nh);
	ret = rtnl_route_add(sk, r, NLM_F_CREATE | NLM_F_REPLACE);
out:
	nl_addr_put(to);
	nl_addr_put(via);
	rtnl_route_put(r);
	return ret;
}

bool slicertnl_route_present(struct nl_sock *sk, const char *dst, int ifindex)
{
	struct nl_addr *want = prefix_of(dst);
	struct nl_cache *cache = NULL;
	struct rtnl_nexthop *nh;
	struct rtnl_route *r;
	struct nl_object *o;
	bool found = false;

	if (!want || rtnl_route_alloc_cache(sk, AF_INET, 0, &cache)) {
		nl_addr_put(want);
		return false;
	}
	for (o = nl_cache_get_first(cache); o && !found; o = nl_cache_get_next(o)) {
		r = (struct rtnl_route *)o;
		nh = rtnl_route_nexthop_n(r, 0);
		found = rtnl_route_get_table(r) == RT_TABLE_MAIN &&
			!nl_addr_cmp(rtnl_route_get_dst(r), want) && nh &&
			rtnl_route_nh_get_ifindex(nh) == ifindex;
	}
	nl_cache_free(cache);
	nl_addr_put(want);
	return found;
}
