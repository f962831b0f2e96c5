/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * slicenl: a small client of the "slice" generic-netlink family (uapi/linux/slice.h) for
 * slicectl and sliced.
 *
 * Every function that talks to the kernel returns 0 or a negative errno. When the kernel
 * rejected a request, slicenl_extack() gives its extended-ack text (for example
 * "peer id out of range"), so that callers can tell the user what was wrong; a dump that a
 * concurrent change kept from being consistent is retried a few times before -EAGAIN.
 *
 * A handle is one netlink socket in the network namespace of the thread that opened it. It
 * is not thread-safe. Notifications arrive on a handle of their own (slicenl_open_events())
 * so that they never interleave with the replies to requests.
 */
#ifndef SLICENL_H
#define SLICENL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/slice.h>

struct slicenl;

/** Counters of a device or a peer, indexed by enum slice_stats_a (SLICE_STATS_A_TX_PACKETS...). */
struct slicenl_stats {
	uint64_t counter[__SLICE_STATS_A_MAX];
};

/* An IPv4 or IPv6 address with port; sa_family AF_UNSPEC when there is none. */
union slicenl_sockaddr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

/* Bits of slicenl_device.flags: which fields the kernel reported. */
enum {
	SLICENL_DEV_HAS_LOCAL_ID	= 1U << 0,
	SLICENL_DEV_HAS_LISTEN_PORT	= 1U << 1,
	SLICENL_DEV_HAS_STATS		= 1U << 2,
	SLICENL_DEV_HAS_COUNTS		= 1U << 3,
	SLICENL_DEV_HAS_QOS		= 1U << 4,
};

/* A slice's QoS profile (enum slice_qos_a); ceiling_kbps 0 means none. */
struct slicenl_qos {
	uint32_t ceiling_kbps;
	uint32_t guaranteed_kbps;
	uint8_t priority;		/* 0 (served first) .. 7 */
	uint8_t dscp;			/* the outer DSCP, 0..63 */
	uint32_t mark;
};

struct slicenl_device {
	uint32_t ifindex;
	char ifname[IF_NAMESIZE];
	uint32_t flags;
	uint32_t local_id;
	uint16_t listen_port;		/* host order */
	uint32_t num_peers;
	uint32_t num_routes;
	struct slicenl_stats stats;
	struct slicenl_qos qos;
};

/* Bits of slicenl_key.flags: which fields are set (to send) or were reported. */
enum {
	SLICENL_KEY_HAS_KEY_ID		= 1U << 0,
	SLICENL_KEY_HAS_CIPHER		= 1U << 1,
	SLICENL_KEY_HAS_KEYS		= 1U << 2,	/* encrypt_key and decrypt_key */
	SLICENL_KEY_HAS_LIMIT_PACKETS	= 1U << 3,
	SLICENL_KEY_HAS_LIMIT_SECONDS	= 1U << 4,
	SLICENL_KEY_HAS_TX_PACKETS	= 1U << 5,
	SLICENL_KEY_HAS_AGE		= 1U << 6,
};

struct slicenl_key {
	uint32_t flags;
	uint32_t slot;			/* enum slice_key_slot */
	uint8_t key_id;
	uint32_t cipher;		/* enum slice_cipher */
	uint8_t encrypt_key[SLICE_KEY_LEN];
	uint8_t decrypt_key[SLICE_KEY_LEN];
	uint64_t limit_packets;
	uint32_t limit_seconds;
	uint64_t tx_packets;
	uint32_t age_seconds;
};

/* Bits of slicenl_peer.flags: which fields are set (to send) or were reported. */
enum {
	SLICENL_PEER_HAS_ENDPOINT	= 1U << 0,
	SLICENL_PEER_HAS_KEEPALIVE	= 1U << 1,
	SLICENL_PEER_HAS_TIMEOUT	= 1U << 2,
	SLICENL_PEER_HAS_STATE		= 1U << 3,
	SLICENL_PEER_HAS_LAST_RX	= 1U << 4,
	SLICENL_PEER_HAS_STATS		= 1U << 5,
	SLICENL_PEER_HAS_HOLD		= 1U << 6,
	SLICENL_PEER_HAS_SILENCES	= 1U << 7,
	SLICENL_PEER_HAS_TRANSIT	= 1U << 8,
	SLICENL_PEER_HAS_STALLS		= 1U << 9,
};

struct slicenl_peer {
	uint32_t id;
	uint32_t flags;
	union slicenl_sockaddr endpoint;
	uint32_t keepalive_interval_ms;
	uint32_t keepalive_timeout_ms;
	uint32_t hold_ms;
	uint8_t state;			/* enum slice_peer_state */
	uint64_t silences;		/* times it went down for silence */
	uint64_t stalls;		/* liveness ticks too late to judge */
	bool transit;			/* a node of this cluster: any inner source */
	uint64_t last_rx_msecs;
	struct slicenl_stats stats;
	/* Key metadata, when the kernel includes it in peer replies. */
	unsigned int num_keys;
	struct slicenl_key keys[__SLICE_KEY_SLOT_MAX];
};

struct slicenl_route {
	uint16_t family;		/* AF_INET or AF_INET6 */
	union {
		struct in_addr ip4;
		struct in6_addr ip6;
	} addr;
	uint8_t prefixlen;
	uint32_t peer_id;
};

/* Bits of slicenl_dev_config.flags. */
enum {
	SLICENL_DEV_SET_LISTEN		= 1U << 0,	/* listen: the kernel opens the socket */
	SLICENL_DEV_SET_LOCAL_ID	= 1U << 1,
	SLICENL_DEV_SET_QOS		= 1U << 2,	/* qos; ceiling_kbps 0 removes the profile */
};

struct slicenl_dev_config {
	uint32_t flags;
	union slicenl_sockaddr listen;	/* the device's UDP socket's address and port */
	uint32_t local_id;
	struct slicenl_qos qos;
};

struct slicenl_event {
	uint8_t cmd;			/* SLICE_CMD_PEER_STATE_NTF or SLICE_CMD_KEY_ROTATE_NTF */
	uint32_t ifindex;
	uint32_t peer_id;
	uint8_t state;			/* PEER_STATE_NTF */
	uint32_t slot;			/* KEY_ROTATE_NTF */
	uint8_t key_id;			/* KEY_ROTATE_NTF */
};

/**
 * slicenl_open() - open a handle for requests in the caller's network namespace
 * @out: the new handle
 *
 * Return: 0; -EPROTONOSUPPORT when the kernel has no "slice" family (module not loaded and
 * not loadable); another negative errno on failure.
 */
int slicenl_open(struct slicenl **out);

/**
 * slicenl_open_events() - open a handle subscribed to the family's "events" group
 * @out: the new handle, to read with slicenl_event_recv() (poll slicenl_fd() first to wait)
 */
int slicenl_open_events(struct slicenl **out);

void slicenl_close(struct slicenl *nl);

/* The socket's file descriptor, to poll for events. */
int slicenl_fd(const struct slicenl *nl);

/**
 * slicenl_extack() - the kernel's explanation of the last rejected request
 *
 * Return: the extended-ack message, with the missing attribute named when the kernel
 * reported one; an empty string when the last request succeeded or the kernel said nothing.
 */
const char *slicenl_extack(const struct slicenl *nl);

/* Device: @ifindex of a slice device in the handle's namespace. */
int slicenl_dev_get(struct slicenl *nl, uint32_t ifindex, struct slicenl_device *dev);
/* All slice devices of the namespace, in a malloc'ed array for the caller to free. */
int slicenl_dev_dump(struct slicenl *nl, struct slicenl_device **devs, size_t *count);
int slicenl_dev_set(struct slicenl *nl, uint32_t ifindex, const struct slicenl_dev_config *cfg);

/* Peers: new, set and del send the fields named in peer->flags besides the id. */
int slicenl_peer_new(struct slicenl *nl, uint32_t ifindex, const struct slicenl_peer *peer);
int slicenl_peer_set(struct slicenl *nl, uint32_t ifindex, const struct slicenl_peer *peer);
int slicenl_peer_del(struct slicenl *nl, uint32_t ifindex, uint32_t peer_id);
int slicenl_peer_get(struct slicenl *nl, uint32_t ifindex, uint32_t peer_id,
		     struct slicenl_peer *peer);
int slicenl_peer_dump(struct slicenl *nl, uint32_t ifindex, struct slicenl_peer **peers,
		      size_t *count);

/* Routes: one entry per (prefix, peer); several entries for a prefix make it ECMP. */
int slicenl_route_add(struct slicenl *nl, uint32_t ifindex, const struct slicenl_route *route);
int slicenl_route_del(struct slicenl *nl, uint32_t ifindex, const struct slicenl_route *route);
int slicenl_route_dump(struct slicenl *nl, uint32_t ifindex, struct slicenl_route **routes,
		       size_t *count);

/* Keys of a peer: key->slot selects the slot; key_new sends the fields in key->flags. */
int slicenl_key_new(struct slicenl *nl, uint32_t ifindex, uint32_t peer_id,
		    const struct slicenl_key *key);
int slicenl_key_del(struct slicenl *nl, uint32_t ifindex, uint32_t peer_id, uint32_t slot);
int slicenl_key_swap(struct slicenl *nl, uint32_t ifindex, uint32_t peer_id);
/* Metadata of the key in @slot (never the key bytes); -ENOENT when the slot is empty. */
int slicenl_key_get(struct slicenl *nl, uint32_t ifindex, uint32_t peer_id, uint32_t slot,
		    struct slicenl_key *key);

/**
 * slicenl_event_recv() - wait for notifications and hand each to @cb
 * @nl: a handle from slicenl_open_events()
 * @cb: called once per event; a non-zero return stops the delivery and is returned
 * @arg: passed to @cb
 *
 * Return: 0 after one batch of messages; the non-zero value of @cb; a negative errno.
 */
int slicenl_event_recv(struct slicenl *nl, int (*cb)(const struct slicenl_event *ev, void *arg),
		       void *arg);

/* Names for printing; "unknown" for values outside the uapi enums. */
const char *slicenl_stats_name(unsigned int attr);	/* "tx_packets", "drop_auth", ... */
const char *slicenl_cipher_name(uint32_t cipher);	/* "aes-256-gcm", ... */
const char *slicenl_slot_name(uint32_t slot);		/* "primary", "secondary" */
const char *slicenl_state_name(uint8_t state);		/* "down", "up" */

#endif /* SLICENL_H */
