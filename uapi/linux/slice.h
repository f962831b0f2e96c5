/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * slice: the KubeSlice data plane device and its generic-netlink family.
 *
 * The family is described in docs/netlink/slice.yaml; tests/unit checks that the two agree.
 *
 * Model: one device per slice per node. Each remote gateway of the slice is a peer, named
 * by its gateway id (unique within the slice). The device's own gateway id is LOCAL_ID; it
 * travels in every data packet so that the receiver finds the sending peer by it. Routes map
 * inner prefixes to peers; several peers on one prefix share its flows (ECMP).
 */
#ifndef _UAPI_LINUX_SLICE_H
#define _UAPI_LINUX_SLICE_H

#include <linux/types.h>

#define SLICE_GENL_NAME		"slice"
#define SLICE_GENL_VERSION	1
#define SLICE_GENL_MCGRP_EVENTS	"events"

/* Link kind for `ip link add NAME type slice`. */
#define SLICE_LINK_KIND		"slice"

/*
 * Wire format of a data packet, inside UDP:
 *
 *   0      1      2      3      4              8                      16
 *   +------+------+------+------+--------------+----------------------+
 *   | type |keyid |  reserved   | sender id    | counter (be64)       |
 *   +------+------+------+------+--------------+----------------------+
 *   | AEAD ciphertext of the inner IP packet ...      | 16-byte tag   |
 *
 * The 16-byte header is the AEAD's associated data. The 96-bit nonce is four zero bytes
 * followed by the counter. An empty inner packet is a keepalive. Any UDP payload whose first
 * byte is not SLICE_WIRE_TYPE_DATA is the handshake's (DTLS record content types 20..25 and
 * DTLS 1.3 unified headers 0x20..0x3f never collide with it): the device drops it, and the
 * handshake daemon steers it to its own socket in the port's reuseport group.
 */
#define SLICE_WIRE_TYPE_DATA	0xd1
#define SLICE_WIRE_HDR_LEN	16
#define SLICE_WIRE_TAG_LEN	16

/* Largest peer id and gateway id: 24 bits, so ids fit where ovpn-style headers carry them. */
#define SLICE_ID_MAX		0xffffff

enum slice_cipher {
	SLICE_CIPHER_NONE,
	SLICE_CIPHER_AES_256_GCM,
	SLICE_CIPHER_CHACHA20_POLY1305,

	__SLICE_CIPHER_MAX,
	SLICE_CIPHER_MAX = __SLICE_CIPHER_MAX - 1
};

#define SLICE_KEY_LEN		32

enum slice_key_slot {
	SLICE_KEY_SLOT_PRIMARY,		/* used for sending; tried first on receive */
	SLICE_KEY_SLOT_SECONDARY,	/* receive only, until swapped in */

	__SLICE_KEY_SLOT_MAX,
	SLICE_KEY_SLOT_MAX = __SLICE_KEY_SLOT_MAX - 1
};

/*
 * Liveness: a peer that sent nothing authenticated for KEEPALIVE_TIMEOUT_MS is down (out
 * of its routes' ECMP sets) and the events group hears PEER_STATE_NTF. It comes back once
 * it has been heard for HOLD_MS with no silent gap of KEEPALIVE_TIMEOUT_MS, so a flapping
 * peer changes state at most once per hold time. Keepalives go out whatever the state, so
 * both ends of a path that heals hear each other again.
 */
enum slice_peer_state {
	SLICE_PEER_STATE_DOWN,		/* set by userspace, or silent past its timeout */
	SLICE_PEER_STATE_UP,
};

enum slice_cmd {
	SLICE_CMD_UNSPEC,

	SLICE_CMD_DEV_GET,		/* do (IFINDEX|IFNAME) and dump (all devices in netns) */
	SLICE_CMD_DEV_SET,		/* LISTEN_PORT [LISTEN_IPV4|LISTEN_IPV6], LOCAL_ID, QOS */

	SLICE_CMD_PEER_NEW,		/* PEER { ID, endpoint, keepalive, STATE } */
	SLICE_CMD_PEER_SET,		/* PEER { ID, any of the settable attributes } */
	SLICE_CMD_PEER_DEL,		/* PEER { ID }: also removes its routes and keys */
	SLICE_CMD_PEER_GET,		/* do PEER { ID } and dump (all peers of a device) */

	SLICE_CMD_ROUTE_ADD,		/* ROUTE { FAMILY, ADDR, PREFIXLEN, PEER_ID } */
	SLICE_CMD_ROUTE_DEL,		/* ROUTE { FAMILY, ADDR, PREFIXLEN, PEER_ID } */
	SLICE_CMD_ROUTE_GET,		/* dump: one message per (prefix, peer) */

	SLICE_CMD_KEY_NEW,		/* PEER { ID, KEYCONF { SLOT, KEY_ID, CIPHER, keys } } */
	SLICE_CMD_KEY_DEL,		/* PEER { ID, KEYCONF { SLOT } } */
	SLICE_CMD_KEY_SWAP,		/* PEER { ID }: primary <-> secondary */
	SLICE_CMD_KEY_GET,		/* do PEER { ID, KEYCONF { SLOT } }: metadata, never key bytes */

	/* Notifications on the "events" group. */
	SLICE_CMD_PEER_STATE_NTF,	/* IFINDEX, PEER { ID, STATE } */
	SLICE_CMD_KEY_ROTATE_NTF,	/* IFINDEX, PEER { ID, KEYCONF { SLOT, KEY_ID } } */

	__SLICE_CMD_MAX,
	SLICE_CMD_MAX = __SLICE_CMD_MAX - 1
};

enum slice_a {
	SLICE_A_UNSPEC,
	SLICE_A_PAD,
	SLICE_A_IFINDEX,		/* u32 */
	SLICE_A_IFNAME,			/* string */
	SLICE_A_SOCK_FD_UNUSED,		/* removed (the kernel opens the socket), rejected */
	SLICE_A_LOCAL_ID,		/* u32, 1..SLICE_ID_MAX: this gateway's id in the slice */
	/*
	 * On DEV_SET the kernel opens the device's UDP socket on LISTEN_PORT (0: any free
	 * port), SO_REUSEPORT for the caller's uid, in the device's namespace of the moment;
	 * it holds no reference to that namespace and is closed when the namespace goes.
	 */
	SLICE_A_LISTEN_PORT,		/* u16: local port of the device's UDP socket */
	SLICE_A_STATS,			/* nest slice_stats_a, get only */
	SLICE_A_PEER,			/* nest slice_peer_a */
	SLICE_A_ROUTE,			/* nest slice_route_a */
	SLICE_A_NUM_PEERS,		/* u32, get only */
	SLICE_A_NUM_ROUTES,		/* u32, get only */
	SLICE_A_QOS,			/* nest slice_qos_a: DEV_SET sets it, DEV_GET reports it */
	SLICE_A_LISTEN_IPV4,		/* binary, 4 bytes, set only: LISTEN_PORT's address */
	SLICE_A_LISTEN_IPV6,		/* binary, 16 bytes, set only: its address (:: both families) */

	__SLICE_A_MAX,
	SLICE_A_MAX = __SLICE_A_MAX - 1
};

enum slice_peer_a {
	SLICE_PEER_A_UNSPEC,
	SLICE_PEER_A_PAD,
	SLICE_PEER_A_ID,		/* u32, 1..SLICE_ID_MAX: the peer's gateway id */
	SLICE_PEER_A_REMOTE_IPV4,	/* binary, 4 bytes, network order */
	SLICE_PEER_A_REMOTE_IPV6,	/* binary, 16 bytes */
	SLICE_PEER_A_REMOTE_PORT,	/* u16, network order */
	SLICE_PEER_A_KEEPALIVE_INTERVAL_MS,/* u32 ms unsent, then a keepalive; 0 = none */
	SLICE_PEER_A_KEEPALIVE_TIMEOUT_MS,/* u32 ms silent, then down; 0 = never */
	SLICE_PEER_A_STATE,		/* u8 slice_peer_state: admin state on set, effective on get */
	SLICE_PEER_A_LAST_RX_MSECS,	/* u64, get only: ms since the last authenticated packet */
	SLICE_PEER_A_STATS,		/* nest slice_stats_a, get only */
	SLICE_PEER_A_KEYCONF,		/* nest slice_keyconf_a */
	SLICE_PEER_A_HOLD_MS,		/* u32 ms a silent peer must be heard before it is used */
	SLICE_PEER_A_SILENCES,		/* u64, get only: times it went down for silence */
	SLICE_PEER_A_TRANSIT,		/* u8 0/1: a router of this cluster, any inner source */
	SLICE_PEER_A_STALLS,		/* u64, get only: liveness ticks too late to judge */

	__SLICE_PEER_A_MAX,
	SLICE_PEER_A_MAX = __SLICE_PEER_A_MAX - 1
};

enum slice_keyconf_a {
	SLICE_KEYCONF_A_UNSPEC,
	SLICE_KEYCONF_A_PAD,
	SLICE_KEYCONF_A_SLOT,		/* u32 slice_key_slot */
	SLICE_KEYCONF_A_KEY_ID,		/* u8: carried in every packet sealed with this key */
	SLICE_KEYCONF_A_CIPHER,		/* u32 slice_cipher */
	SLICE_KEYCONF_A_ENCRYPT_KEY,	/* binary, SLICE_KEY_LEN, set only */
	SLICE_KEYCONF_A_DECRYPT_KEY,	/* binary, SLICE_KEY_LEN, set only */
	SLICE_KEYCONF_A_LIMIT_PACKETS,	/* u64: soft limit, rotation asked for past it */
	SLICE_KEYCONF_A_LIMIT_SECONDS,	/* u32: soft limit on age */
	SLICE_KEYCONF_A_TX_PACKETS,	/* u64, get only: packets sealed so far */
	SLICE_KEYCONF_A_AGE_SECONDS,	/* u32, get only */

	__SLICE_KEYCONF_A_MAX,
	SLICE_KEYCONF_A_MAX = __SLICE_KEYCONF_A_MAX - 1
};

enum slice_route_a {
	SLICE_ROUTE_A_UNSPEC,
	SLICE_ROUTE_A_FAMILY,		/* u16: AF_INET or AF_INET6 */
	SLICE_ROUTE_A_ADDR,		/* binary, 4 or 16 bytes; host bits must be zero */
	SLICE_ROUTE_A_PREFIXLEN,	/* u8 */
	SLICE_ROUTE_A_PEER_ID,		/* u32 */

	__SLICE_ROUTE_A_MAX,
	SLICE_ROUTE_A_MAX = __SLICE_ROUTE_A_MAX - 1
};

/* Counters, all u64. The same set per device and per peer (where a cause applies). */
enum slice_stats_a {
	SLICE_STATS_A_UNSPEC,
	SLICE_STATS_A_PAD,
	SLICE_STATS_A_TX_PACKETS,
	SLICE_STATS_A_TX_BYTES,
	SLICE_STATS_A_RX_PACKETS,
	SLICE_STATS_A_RX_BYTES,
	SLICE_STATS_A_DROP_NO_ROUTE,	/* no route, or every peer of it down; rx: only detours */
	SLICE_STATS_A_DROP_NO_KEY,	/* tx: no usable key; rx: unknown key id */
	SLICE_STATS_A_DROP_AUTH,	/* rx: authentication failed */
	SLICE_STATS_A_DROP_REPLAY,	/* rx: counter seen before or too old */
	SLICE_STATS_A_DROP_MALFORMED,	/* rx: truncated, bad header, unknown sender, bad inner */
	SLICE_STATS_A_DROP_SPOOFED,	/* rx: inner source not routed to the sending peer */
	SLICE_STATS_A_DROP_NO_ENDPOINT,	/* tx: peer without endpoint or socket */

	__SLICE_STATS_A_MAX,
	SLICE_STATS_A_MAX = __SLICE_STATS_A_MAX - 1
};

/*
 * A slice's QoS profile. On DEV_SET the nest replaces the whole profile (absent attributes
 * are 0) and needs CEILING_KBPS; an empty nest removes the profile. DEV_GET carries the nest
 * only when a profile is set. GUARANTEED_KBPS and PRIORITY are stored for userspace, which
 * programs them into the uplink's HTB; the device enforces the ceiling and marks packets.
 */
enum slice_qos_a {
	SLICE_QOS_A_UNSPEC,
	SLICE_QOS_A_CEILING_KBPS,	/* u32, kbit/s (1000 bit/s) of inner packets; not 0 */
	SLICE_QOS_A_GUARANTEED_KBPS,	/* u32, <= CEILING_KBPS */
	SLICE_QOS_A_PRIORITY,		/* u8, 0 (served first) .. 7 */
	SLICE_QOS_A_DSCP,		/* u8, outer DSCP: 0, AF11..AF43 (10..38), EF (46) */
	SLICE_QOS_A_MARK,		/* u32, skb->mark of outer packets; 0 = none */

	__SLICE_QOS_A_MAX,
	SLICE_QOS_A_MAX = __SLICE_QOS_A_MAX - 1
};

#endif /* _UAPI_LINUX_SLICE_H */
