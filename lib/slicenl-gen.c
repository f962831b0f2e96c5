// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Do not edit: generated from docs/netlink/slice.yaml by tools/netlink-gen. */
#include "slicenl-gen.h"

const struct nla_policy slicenl_policy[SLICE_A_MAX + 1] = {
	[SLICE_A_IFINDEX] = { .type = NLA_U32 },
	[SLICE_A_IFNAME] = { .type = NLA_STRING, .maxlen = 15 + 1 },
	[SLICE_A_LOCAL_ID] = { .type = NLA_U32 },
	[SLICE_A_LISTEN_PORT] = { .type = NLA_U16 },
	[SLICE_A_STATS] = { .type = NLA_NESTED },
	[SLICE_A_PEER] = { .type = NLA_NESTED },
	[SLICE_A_ROUTE] = { .type = NLA_NESTED },
	[SLICE_A_NUM_PEERS] = { .type = NLA_U32 },
	[SLICE_A_NUM_ROUTES] = { .type = NLA_U32 },
	[SLICE_A_QOS] = { .type = NLA_NESTED },
	[SLICE_A_LISTEN_IPV4] = { .minlen = 4, .maxlen = 4 },
	[SLICE_A_LISTEN_IPV6] = { .minlen = 16, .maxlen = 16 },
};

const struct nla_policy slicenl_peer_policy[SLICE_PEER_A_MAX + 1] = {
	[SLICE_PEER_A_ID] = { .type = NLA_U32 },
	[SLICE_PEER_A_REMOTE_IPV4] = { .minlen = 4, .maxlen = 4 },
	[SLICE_PEER_A_REMOTE_IPV6] = { .minlen = 16, .maxlen = 16 },
	[SLICE_PEER_A_REMOTE_PORT] = { .type = NLA_U16 },
	[SLICE_PEER_A_KEEPALIVE_INTERVAL_MS] = { .type = NLA_U32 },
	[SLICE_PEER_A_KEEPALIVE_TIMEOUT_MS] = { .type = NLA_U32 },
	[SLICE_PEER_A_STATE] = { .type = NLA_U8 },
	[SLICE_PEER_A_LAST_RX_MSECS] = { .type = NLA_U64 },
	[SLICE_PEER_A_STATS] = { .type = NLA_NESTED },
	[SLICE_PEER_A_KEYCONF] = { .type = NLA_NESTED },
	[SLICE_PEER_A_HOLD_MS] = { .type = NLA_U32 },
	[SLICE_PEER_A_SILENCES] = { .type = NLA_U64 },
	[SLICE_PEER_A_TRANSIT] = { .type = NLA_U8 },
	[SLICE_PEER_A_STALLS] = { .type = NLA_U64 },
};

const struct nla_policy slicenl_keyconf_policy[SLICE_KEYCONF_A_MAX + 1] = {
	[SLICE_KEYCONF_A_SLOT] = { .type = NLA_U32 },
	[SLICE_KEYCONF_A_KEY_ID] = { .type = NLA_U8 },
	[SLICE_KEYCONF_A_CIPHER] = { .type = NLA_U32 },
	[SLICE_KEYCONF_A_ENCRYPT_KEY] = { .minlen = SLICE_KEY_LEN, .maxlen = SLICE_KEY_LEN },
	[SLICE_KEYCONF_A_DECRYPT_KEY] = { .minlen = SLICE_KEY_LEN, .maxlen = SLICE_KEY_LEN },
	[SLICE_KEYCONF_A_LIMIT_PACKETS] = { .type = NLA_U64 },
	[SLICE_KEYCONF_A_LIMIT_SECONDS] = { .type = NLA_U32 },
	[SLICE_KEYCONF_A_TX_PACKETS] = { .type = NLA_U64 },
	[SLICE_KEYCONF_A_AGE_SECONDS] = { .type = NLA_U32 },
};

const struct nla_policy slicenl_route_policy[SLICE_ROUTE_A_MAX + 1] = {
	[SLICE_ROUTE_A_FAMILY] = { .type = NLA_U16 },
	[SLICE_ROUTE_A_ADDR] = { .maxlen = 16 },
	[SLICE_ROUTE_A_PREFIXLEN] = { .type = NLA_U8 },
	[SLICE_ROUTE_A_PEER_ID] = { .type = NLA_U32 },
};

const struct nla_policy slicenl_qos_policy[SLICE_QOS_A_MAX + 1] = {
	[SLICE_QOS_A_CEILING_KBPS] = { .type = NLA_U32 },
	[SLICE_QOS_A_GUARANTEED_KBPS] = { .type = NLA_U32 },
	[SLICE_QOS_A_PRIORITY] = { .type = NLA_U8 },
	[SLICE_QOS_A_DSCP] = { .type = NLA_U8 },
	[SLICE_QOS_A_MARK] = { .type = NLA_U32 },
};

const char *const slicenl_stats_names[SLICE_STATS_A_MAX + 1] = {
	[SLICE_STATS_A_TX_PACKETS] = "tx_packets",
	[SLICE_STATS_A_TX_BYTES] = "tx_bytes",
	[SLICE_STATS_A_RX_PACKETS] = "rx_packets",
	[SLICE_STATS_A_RX_BYTES] = "rx_bytes",
	[SLICE_STATS_A_DROP_NO_ROUTE] = "drop_no_route",
	[SLICE_STATS_A_DROP_NO_KEY] = "drop_no_key",
	[SLICE_STATS_A_DROP_AUTH] = "drop_auth",
	[SLICE_STATS_A_DROP_REPLAY] = "drop_replay",
	[SLICE_STATS_A_DROP_MALFORMED] = "drop_malformed",
	[SLICE_STATS_A_DROP_SPOOFED] = "drop_spoofed",
	[SLICE_STATS_A_DROP_NO_ENDPOINT] = "drop_no_endpoint",
};
