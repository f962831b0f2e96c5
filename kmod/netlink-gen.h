/* SPDX-License-Identifier: GPL-2.0 */
/* Do not edit: generated from docs/netlink/slice.yaml by tools/netlink-gen. */
#ifndef _SLICE_NETLINK_GEN_H
#define _SLICE_NETLINK_GEN_H

#include <net/genetlink.h>
#include <linux/slice.h>

/* Request policies: one per nested attribute set, one per command. */
extern const struct nla_policy slice_dev_get_nl_policy[SLICE_A_MAX + 1];
extern const struct nla_policy slice_qos_nl_policy[SLICE_QOS_A_MAX + 1];
extern const struct nla_policy slice_dev_set_nl_policy[SLICE_A_MAX + 1];
extern const struct nla_policy slice_peer_set_input_nl_policy[SLICE_PEER_A_MAX + 1];
extern const struct nla_policy slice_peer_new_nl_policy[SLICE_A_MAX + 1];
extern const struct nla_policy slice_peer_set_nl_policy[SLICE_A_MAX + 1];
extern const struct nla_policy slice_peer_id_input_nl_policy[SLICE_PEER_A_MAX + 1];
extern const struct nla_policy slice_peer_del_nl_policy[SLICE_A_MAX + 1];
extern const struct nla_policy slice_peer_get_nl_policy[SLICE_A_MAX + 1];
extern const struct nla_policy slice_route_nl_policy[SLICE_ROUTE_A_MAX + 1];
extern const struct nla_policy slice_route_add_nl_policy[SLICE_A_MAX + 1];
extern const struct nla_policy slice_route_del_nl_policy[SLICE_A_MAX + 1];
extern const struct nla_policy slice_route_get_nl_policy[SLICE_A_MAX + 1];
extern const struct nla_policy slice_keyconf_input_nl_policy[SLICE_KEYCONF_A_MAX + 1];
extern const struct nla_policy slice_peer_key_input_nl_policy[SLICE_PEER_A_MAX + 1];
extern const struct nla_policy slice_key_new_nl_policy[SLICE_A_MAX + 1];
extern const struct nla_policy slice_key_del_nl_policy[SLICE_A_MAX + 1];
extern const struct nla_policy slice_key_swap_nl_policy[SLICE_A_MAX + 1];
extern const struct nla_policy slice_key_get_nl_policy[SLICE_A_MAX + 1];

extern const struct genl_ops slice_nl_ops[13];

enum slice_nl_mcgrp {
	SLICE_NLGRP_EVENTS,
};

extern const struct genl_multicast_group slice_nl_mcgrps[1];

/**
 * slice_nl_dev_get_doit - DEV_GET: get one device, or dump all slice devices of the namespace
 * @skb: the request
 * @info: its attributes; the device in user_ptr[0], under rtnl
 *
 * Return: 0 or a negative errno, with an extack naming the cause.
 */
int slice_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info);

/**
 * slice_nl_dev_get_dumpit - DEV_GET dump: get one device, or dump all slice devices of the
 * namespace
 * @skb: the message to fill
 * @cb: the dump's state, resumed from cb->args
 *
 * Return: the length filled, or a negative errno.
 */
int slice_nl_dev_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);

/**
 * slice_nl_dev_set_doit - DEV_SET: open the device's UDP socket, set the local gateway id and the
 * QoS profile
 * @skb: the request
 * @info: its attributes; the device in user_ptr[0], under rtnl
 *
 * Return: 0 or a negative errno, with an extack naming the cause.
 */
int slice_nl_dev_set_doit(struct sk_buff *skb, struct genl_info *info);

/**
 * slice_nl_peer_new_doit - PEER_NEW: add a peer
 * @skb: the request
 * @info: its attributes; the device in user_ptr[0], under rtnl
 *
 * Return: 0 or a negative errno, with an extack naming the cause.
 */
int slice_nl_peer_new_doit(struct sk_buff *skb, struct genl_info *info);

/**
 * slice_nl_peer_set_doit - PEER_SET: change a peer's endpoint, liveness settings or admin state
 * @skb: the request
 * @info: its attributes; the device in user_ptr[0], under rtnl
 *
 * Return: 0 or a negative errno, with an extack naming the cause.
 */
int slice_nl_peer_set_doit(struct sk_buff *skb, struct genl_info *info);

/**
 * slice_nl_peer_del_doit - PEER_DEL: remove a peer with its routes and keys
 * @skb: the request
 * @info: its attributes; the device in user_ptr[0], under rtnl
 *
 * Return: 0 or a negative errno, with an extack naming the cause.
 */
int slice_nl_peer_del_doit(struct sk_buff *skb, struct genl_info *info);

/**
 * slice_nl_peer_get_doit - PEER_GET: get one peer, or dump the peers of a device
 * @skb: the request
 * @info: its attributes; the device in user_ptr[0], under rtnl
 *
 * Return: 0 or a negative errno, with an extack naming the cause.
 */
int slice_nl_peer_get_doit(struct sk_buff *skb, struct genl_info *info);

/**
 * slice_nl_peer_get_dumpit - PEER_GET dump: get one peer, or dump the peers of a device
 * @skb: the message to fill
 * @cb: the dump's state, resumed from cb->args
 *
 * Return: the length filled, or a negative errno.
 */
int slice_nl_peer_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);

/**
 * slice_nl_route_add_doit - ROUTE_ADD: route a prefix to a peer; several peers on one prefix share
 * its flows
 * @skb: the request
 * @info: its attributes; the device in user_ptr[0], under rtnl
 *
 * Return: 0 or a negative errno, with an extack naming the cause.
 */
int slice_nl_route_add_doit(struct sk_buff *skb, struct genl_info *info);

/**
 * slice_nl_route_del_doit - ROUTE_DEL: remove one (prefix, peer) route
 * @skb: the request
 * @info: its attributes; the device in user_ptr[0], under rtnl
 *
 * Return: 0 or a negative errno, with an extack naming the cause.
 */
int slice_nl_route_del_doit(struct sk_buff *skb, struct genl_info *info);

/**
 * slice_nl_route_get_dumpit - ROUTE_GET dump: dump the routes of a device, one message per
 * (prefix, peer)
 * @skb: the message to fill
 * @cb: the dump's state, resumed from cb->args
 *
 * Return: the length filled, or a negative errno.
 */
int slice_nl_route_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);

/**
 * slice_nl_key_new_doit - KEY_NEW: install a key in a slot of a peer
 * @skb: the request
 * @info: its attributes; the device in user_ptr[0], under rtnl
 *
 * Return: 0 or a negative errno, with an extack naming the cause.
 */
int slice_nl_key_new_doit(struct sk_buff *skb, struct genl_info *info);

/**
 * slice_nl_key_del_doit - KEY_DEL: empty a key slot of a peer
 * @skb: the request
 * @info: its attributes; the device in user_ptr[0], under rtnl
 *
 * Return: 0 or a negative errno, with an extack naming the cause.
 */
int slice_nl_key_del_doit(struct sk_buff *skb, struct genl_info *info);

/**
 * slice_nl_key_swap_doit - KEY_SWAP: swap a peer's primary and secondary keys
 * @skb: the request
 * @info: its attributes; the device in user_ptr[0], under rtnl
 *
 * Return: 0 or a negative errno, with an extack naming the cause.
 */
int slice_nl_key_swap_doit(struct sk_buff *skb, struct genl_info *info);

/**
 * slice_nl_key_get_doit - KEY_GET: metadata of the key in a slot, never the key bytes
 * @skb: the request
 * @info: its attributes; the device in user_ptr[0], under rtnl
 *
 * Return: 0 or a negative errno, with an extack naming the cause.
 */
int slice_nl_key_get_doit(struct sk_buff *skb, struct genl_info *info);

#endif /* _SLICE_NETLINK_GEN_H */
