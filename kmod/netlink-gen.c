// SPDX-License-Identifier: GPL-2.0
/* Do not edit: generated from docs/netlink/slice.yaml by tools/netlink-gen. */

#include <net/genetlink.h>

#include "netlink-gen.h"

/* Bounds that do not fit NLA_POLICY_RANGE's 16 bits. */
static struct netlink_range_validation slice_a_local_id_range = {
	.min = 1,
	.max = SLICE_ID_MAX,
};

static struct netlink_range_validation slice_peer_a_id_range = {
	.min = 1,
	.max = SLICE_ID_MAX,
};

static struct netlink_range_validation slice_peer_a_keepalive_interval_ms_range = {
	.min = 0,
	.max = 86400000,
};

static struct netlink_range_validation slice_peer_a_keepalive_timeout_ms_range = {
	.min = 0,
	.max = 86400000,
};

static struct netlink_range_validation slice_peer_a_hold_ms_range = {
	.min = 0,
	.max = 86400000,
};

static struct netlink_range_validation slice_route_a_peer_id_range = {
	.min = 1,
	.max = SLICE_ID_MAX,
};

const struct nla_policy slice_dev_get_nl_policy[SLICE_A_MAX + 1] = {
	[SLICE_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[SLICE_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
};

const struct nla_policy slice_qos_nl_policy[SLICE_QOS_A_MAX + 1] = {
	[SLICE_QOS_A_CEILING_KBPS] = { .type = NLA_U32, },
	[SLICE_QOS_A_GUARANTEED_KBPS] = { .type = NLA_U32, },
	[SLICE_QOS_A_PRIORITY] = { .type = NLA_U8, },
	[SLICE_QOS_A_DSCP] = NLA_POLICY_MAX(NLA_U8, 63),
	[SLICE_QOS_A_MARK] = { .type = NLA_U32, },
};

const struct nla_policy slice_dev_set_nl_policy[SLICE_A_MAX + 1] = {
	[SLICE_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[SLICE_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
	[SLICE_A_LISTEN_PORT] = { .type = NLA_U16, },
	[SLICE_A_LISTEN_IPV4] = NLA_POLICY_EXACT_LEN(4),
	[SLICE_A_LISTEN_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[SLICE_A_LOCAL_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &slice_a_local_id_range),
	[SLICE_A_QOS] = NLA_POLICY_NESTED(slice_qos_nl_policy),
};

const struct nla_policy slice_peer_set_input_nl_policy[SLICE_PEER_A_MAX + 1] = {
	[SLICE_PEER_A_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &slice_peer_a_id_range),
	[SLICE_PEER_A_REMOTE_IPV4] = NLA_POLICY_EXACT_LEN(4),
	[SLICE_PEER_A_REMOTE_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[SLICE_PEER_A_REMOTE_PORT] = NLA_POLICY_MIN(NLA_BE16, 1),
	[SLICE_PEER_A_KEEPALIVE_INTERVAL_MS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &slice_peer_a_keepalive_interval_ms_range),
	[SLICE_PEER_A_KEEPALIVE_TIMEOUT_MS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &slice_peer_a_keepalive_timeout_ms_range),
	[SLICE_PEER_A_STATE] = NLA_POLICY_MAX(NLA_U8, 1),
	[SLICE_PEER_A_HOLD_MS] = NLA_POLICY_FULL_RANGE(NLA_U32, &slice_peer_a_hold_ms_range),
	[SLICE_PEER_A_TRANSIT] = NLA_POLICY_MAX(NLA_U8, 1),
};

const struct nla_policy slice_peer_new_nl_policy[SLICE_A_MAX + 1] = {
	[SLICE_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[SLICE_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
	[SLICE_A_PEER] = NLA_POLICY_NESTED(slice_peer_set_input_nl_policy),
};

const struct nla_policy slice_peer_set_nl_policy[SLICE_A_MAX + 1] = {
	[SLICE_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[SLICE_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
	[SLICE_A_PEER] = NLA_POLICY_NESTED(slice_peer_set_input_nl_policy),
};

const struct nla_policy slice_peer_id_input_nl_policy[SLICE_PEER_A_MAX + 1] = {
	[SLICE_PEER_A_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &slice_peer_a_id_range),
};

const struct nla_policy slice_peer_del_nl_policy[SLICE_A_MAX + 1] = {
	[SLICE_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[SLICE_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
	[SLICE_A_PEER] = NLA_POLICY_NESTED(slice_peer_id_input_nl_policy),
};

const struct nla_policy slice_peer_get_nl_policy[SLICE_A_MAX + 1] = {
	[SLICE_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[SLICE_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
	[SLICE_A_PEER] = NLA_POLICY_NESTED(slice_peer_id_input_nl_policy),
};

const struct nla_policy slice_route_nl_policy[SLICE_ROUTE_A_MAX + 1] = {
	[SLICE_ROUTE_A_FAMILY] = { .type = NLA_U16, },
	[SLICE_ROUTE_A_ADDR] = { .type = NLA_BINARY, .len = 16, },
	[SLICE_ROUTE_A_PREFIXLEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[SLICE_ROUTE_A_PEER_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &slice_route_a_peer_id_range),
};

const struct nla_policy slice_route_add_nl_policy[SLICE_A_MAX + 1] = {
	[SLICE_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[SLICE_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
	[SLICE_A_ROUTE] = NLA_POLICY_NESTED(slice_route_nl_policy),
};

const struct nla_policy slice_route_del_nl_policy[SLICE_A_MAX + 1] = {
	[SLICE_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[SLICE_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
	[SLICE_A_ROUTE] = NLA_POLICY_NESTED(slice_route_nl_policy),
};

const struct nla_policy slice_route_get_nl_policy[SLICE_A_MAX + 1] = {
	[SLICE_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[SLICE_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
};

const struct nla_policy slice_keyconf_input_nl_policy[SLICE_KEYCONF_A_MAX + 1] = {
	[SLICE_KEYCONF_A_SLOT] = NLA_POLICY_MAX(NLA_U32, 1),
	[SLICE_KEYCONF_A_KEY_ID] = { .type = NLA_U8, },
	[SLICE_KEYCONF_A_CIPHER] = NLA_POLICY_RANGE(NLA_U32, 1, 2),
	[SLICE_KEYCONF_A_ENCRYPT_KEY] = NLA_POLICY_EXACT_LEN(SLICE_KEY_LEN),
	[SLICE_KEYCONF_A_DECRYPT_KEY] = NLA_POLICY_EXACT_LEN(SLICE_KEY_LEN),
	[SLICE_KEYCONF_A_LIMIT_PACKETS] = NLA_POLICY_MIN(NLA_U64, 1),
	[SLICE_KEYCONF_A_LIMIT_SECONDS] = NLA_POLICY_MIN(NLA_U32, 1),
};

const struct nla_policy slice_peer_key_input_nl_policy[SLICE_PEER_A_MAX + 1] = {
	[SLICE_PEER_A_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &slice_peer_a_id_range),
	[SLICE_PEER_A_KEYCONF] = NLA_POLICY_NESTED(slice_keyconf_input_nl_policy),
};

const struct nla_policy slice_key_new_nl_policy[SLICE_A_MAX + 1] = {
	[SLICE_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[SLICE_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
	[SLICE_A_PEER] = NLA_POLICY_NESTED(slice_peer_key_input_nl_policy),
};

const struct nla_policy slice_key_del_nl_policy[SLICE_A_MAX + 1] = {
	[SLICE_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[SLICE_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
	[SLICE_A_PEER] = NLA_POLICY_NESTED(slice_peer_key_input_nl_policy),
};

const struct nla_policy slice_key_swap_nl_policy[SLICE_A_MAX + 1] = {
	[SLICE_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[SLICE_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
	[SLICE_A_PEER] = NLA_POLICY_NESTED(slice_peer_id_input_nl_policy),
};

const struct nla_policy slice_key_get_nl_policy[SLICE_A_MAX + 1] = {
	[SLICE_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[SLICE_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
	[SLICE_A_PEER] = NLA_POLICY_NESTED(slice_peer_key_input_nl_policy),
};

const struct genl_ops slice_nl_ops[13] = {
	{
		.cmd = SLICE_CMD_DEV_GET,
		.flags = GENL_ADMIN_PERM,
		.policy = slice_dev_get_nl_policy,
		.maxattr = SLICE_A_MAX,
		.doit = slice_nl_dev_get_doit,
		.dumpit = slice_nl_dev_get_dumpit,
	},
	{
		.cmd = SLICE_CMD_DEV_SET,
		.flags = GENL_ADMIN_PERM,
		.policy = slice_dev_set_nl_policy,
		.maxattr = SLICE_A_MAX,
		.doit = slice_nl_dev_set_doit,
	},
	{
		.cmd = SLICE_CMD_PEER_NEW,
		.flags = GENL_ADMIN_PERM,
		.policy = slice_peer_new_nl_policy,
		.maxattr = SLICE_A_MAX,
		.doit = slice_nl_peer_new_doit,
	},
	{
		.cmd = SLICE_CMD_PEER_SET,
		.flags = GENL_ADMIN_PERM,
		.policy = slice_peer_set_nl_policy,
		.maxattr = SLICE_A_MAX,
		.doit = slice_nl_peer_set_doit,
	},
	{
		.cmd = SLICE_CMD_PEER_DEL,
		.flags = GENL_ADMIN_PERM,
		.policy = slice_peer_del_nl_policy,
		.maxattr = SLICE_A_MAX,
		.doit = slice_nl_peer_del_doit,
	},
	{
		.cmd = SLICE_CMD_PEER_GET,
		.flags = GENL_ADMIN_PERM,
		.policy = slice_peer_get_nl_policy,
		.maxattr = SLICE_A_MAX,
		.doit = slice_nl_peer_get_doit,
		.dumpit = slice_nl_peer_get_dumpit,
	},
	{
		.cmd = SLICE_CMD_ROUTE_ADD,
		.flags = GENL_ADMIN_PERM,
		.policy = slice_route_add_nl_policy,
		.maxattr = SLICE_A_MAX,
		.doit = slice_nl_route_add_doit,
	},
	{
		.cmd = SLICE_CMD_ROUTE_DEL,
		.flags = GENL_ADMIN_PERM,
		.policy = slice_route_del_nl_policy,
		.maxattr = SLICE_A_MAX,
		.doit = slice_nl_route_del_doit,
	},
	{
		.cmd = SLICE_CMD_ROUTE_GET,
		.flags = GENL_ADMIN_PERM,
		.policy = slice_route_get_nl_policy,
		.maxattr = SLICE_A_MAX,
		.dumpit = slice_nl_route_get_dumpit,
	},
	{
		.cmd = SLICE_CMD_KEY_NEW,
		.flags = GENL_ADMIN_PERM,
		.policy = slice_key_new_nl_policy,
		.maxattr = SLICE_A_MAX,
		.doit = slice_nl_key_new_doit,
	},
	{
		.cmd = SLICE_CMD_KEY_DEL,
		.flags = GENL_ADMIN_PERM,
		.policy = slice_key_del_nl_policy,
		.maxattr = SLICE_A_MAX,
		.doit = slice_nl_key_del_doit,
	},
	{
		.cmd = SLICE_CMD_KEY_SWAP,
		.flags = GENL_ADMIN_PERM,
		.policy = slice_key_swap_nl_policy,
		.maxattr = SLICE_A_MAX,
		.doit = slice_nl_key_swap_doit,
	},
	{
		.cmd = SLICE_CMD_KEY_GET,
		.flags = GENL_ADMIN_PERM,
		.policy = slice_key_get_nl_policy,
		.maxattr = SLICE_A_MAX,
		.doit = slice_nl_key_get_doit,
	},
};

const struct genl_multicast_group slice_nl_mcgrps[1] = {
	[SLICE_NLGRP_EVENTS] = { .name = SLICE_GENL_MCGRP_EVENTS, },
};
