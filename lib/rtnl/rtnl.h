/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libslicertnl: the few rtnetlink (libnl-route-3) steps that attach a pod to the slice,
 * shared by slice-cni, which makes the attachment, and sliced, which puts its node side
 * right when it drifts (sliced/podnet.c) and routes the slice subnet into the device
 * (sliced/kernel.c). Addresses are IPv4 text ("10.1.0.5", "10.1.0.0/16"), as both callers
 * have them; every add replaces what is there, so that each call is idempotent.
 */
#ifndef SLICERTNL_H
#define SLICERTNL_H

#include <stdbool.h>

struct nl_sock;
struct rtnl_link;

/*
 * slicertnl_link_index - the ifindex of the link called name in sk's namespace, 0 when
 * there is none. With out, *out gets the link (the caller puts it) when found.
 */
int slicertnl_link_index(struct nl_sock *sk, const char *name, struct rtnl_link **out);

/* slicertnl_link_up - set IFF_UP on ifindex; 0 or a negative libnl error. */
int slicertnl_link_up(struct nl_sock *sk, int ifindex);

/* slicertnl_addr_add - ip/32 on ifindex; 0 or a negative libnl error. */
int slicertnl_addr_add(struct nl_sock *sk, int ifindex, const char *ip);

/* slicertnl_addr_present - whether ifindex has ip/32. */
bool slicertnl_addr_present(struct nl_sock *sk, int ifindex, const char *ip);

/*
 * slicertnl_route_add - a static route in the main table to dst ("a.b.c.d/len", no "/"
 * for a host route) over ifindex: through gw, or on the link when gw is NULL. 0 or a
 * negative libnl error.
 */
int slicertnl_route_add(struct nl_sock *sk, const char *dst, int ifindex, const char *gw);

/* slicertnl_route_present - whether the main table routes dst (as above) over ifindex. */
bool slicertnl_route_present(struct nl_sock *sk, const char *dst, int ifindex);

#endif /* SLICERTNL_H */
