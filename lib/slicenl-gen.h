/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Do not edit: generated from docs/netlink/slice.yaml by tools/netlink-gen. */
#ifndef SLICENL_GEN_H
#define SLICENL_GEN_H

#include <netlink/attr.h>
#include <linux/slice.h>

/* What the kernel's replies may carry, per attribute set. */
extern const struct nla_policy slicenl_policy[SLICE_A_MAX + 1];
extern const struct nla_policy slicenl_peer_policy[SLICE_PEER_A_MAX + 1];
extern const struct nla_policy slicenl_keyconf_policy[SLICE_KEYCONF_A_MAX + 1];
extern const struct nla_policy slicenl_route_policy[SLICE_ROUTE_A_MAX + 1];
extern const struct nla_policy slicenl_qos_policy[SLICE_QOS_A_MAX + 1];

/* The counters' names, as slicectl -j prints them. */
extern const char *const slicenl_stats_names[SLICE_STATS_A_MAX + 1];

#endif /* SLICENL_GEN_H */
