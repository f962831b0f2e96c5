// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * slicenl's messages (slicenl-codec.h): the kernel's replies and events parsed into the
 * structures of slicenl.h, the nests of its requests built from them, and the names of
 * their values. slicenl.c sends the requests and reads the replies.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>

#include "slicenl.h"
#include "slicenl-codec.h"
#include "slicenl-gen.h"

const char *slicenl_stats_name(unsigned int attr)
{
	if (attr > SLICE_STATS_A_MAX || !slicenl_stats_names[attr])
		return "unknown";
	return slicenl_stats_names[attr];
}

const char *slicenl_cipher_name(uint32_t cipher)
{
	switch (cipher) {
	case SLICE_CIPHER_NONE:
		return "none";
	case SLICE_CIPHER_AES_256_GCM:
		return "aes-256-gcm";
	case SLICE_CIPHER_CHACHA20_POLY1305:
		return "chacha20-poly1305";
	}
	return "unknown";
}

const char *slicenl_slot_name(uint32_t slot)
{
	switch (slot) {
	case SLICE_KEY_SLOT_PRIMARY:
		return "primary";
	case SLICE_KEY_SLOT_SECONDARY:
		return "secondary";
	}
	return "unknown";
}

const char *slicenl_state_name(uint8_t state)
{
	switch (state) {
	case SLICE_PEER_STATE_DOWN:
		return "down";
	case SLICE_PEER_STATE_UP:
		return "up";
	}
	return "unknown";
}

static void slicenl_parse_stats(struct nlattr *attr, struct slicenl_stats *stats)
{
	struct nlattr *pos;
	int rem;

	nla_for_each_nested(pos, attr, rem) {
		int type = nla_type(pos);

		/* Counters this build does not know yet are skipped, not refused. */
		if (type > SLICE_STATS_A_PAD && type < __SLICE_STATS_A_MAX &&
		    nla_len(pos) == sizeof(uint64_t))
			stats->counter[type] = nla_get_u64(pos);
	}
}

static int slicenl_parse_keyconf(struct nlattr *attr, struct slicenl_key *key)
{
	struct nlattr *tb[SLICE_KEYCONF_A_MAX + 1];

	if (nla_parse_nested(tb, SLICE_KEYCONF_A_MAX, attr, slicenl_keyconf_policy) ||
	    !tb[SLICE_KEYCONF_A_SLOT])
		return -EBADMSG;
	memset(key, 0, sizeof(*key));
	key->slot = nla_get_u32(tb[SLICE_KEYCONF_A_SLOT]);
	if (tb[SLICE_KEYCONF_A_KEY_ID]) {
		key->key_id = nla_get_u8(tb[SLICE_KEYCONF_A_KEY_ID]);
		key->flags |= SLICENL_KEY_HAS_KEY_ID;
	}
	if (tb[SLICE_KEYCONF_A_CIPHER]) {
		key->cipher = nla_get_u32(tb[SLICE_KEYCONF_A_CIPHER]);
		key->flags |= SLICENL_KEY_HAS_CIPHER;
	}
	if (tb[SLICE_KEYCONF_A_LIMIT_PACKETS]) {
		key->limit_packets = nla_get_u64(tb[SLICE_KEYCONF_A_LIMIT_PACKETS]);
		key->flags |= SLICENL_KEY_HAS_LIMIT_PACKETS;
	}
	if (tb[SLICE_KEYCONF_A_LIMIT_SECONDS]) {
		key->limit_seconds = nla_get_u32(tb[SLICE_KEYCONF_A_LIMIT_SECONDS]);
		key->flags |= SLICENL_KEY_HAS_LIMIT_SECONDS;
	}
	if (tb[SLICE_KEYCONF_A_TX_PACKETS]) {
		key->tx_packets = nla_get_u64(tb[SLICE_KEYCONF_A_TX_PACKETS]);
		key->flags |= SLICENL_KEY_HAS_TX_PACKETS;
	}
	if (tb[SLICE_KEYCONF_A_AGE_SECONDS]) {
		key->age_seconds = nla_get_u32(tb[SLICE_KEYCONF_A_AGE_SECONDS]);
		key->flags |= SLICENL_KEY_HAS_AGE;
	}
	return 0;
}

static void slicenl_parse_endpoint(struct nlattr **tb, struct slicenl_peer *peer)
{
	uint16_t port = tb[SLICE_PEER_A_REMOTE_PORT] ?
			nla_get_u16(tb[SLICE_PEER_A_REMOTE_PORT]) : 0;

	if (tb[SLICE_PEER_A_REMOTE_IPV4]) {
		peer->endpoint.in.sin_family = AF_INET;
		memcpy(&peer->endpoint.in.sin_addr, nla_data(tb[SLICE_PEER_A_REMOTE_IPV4]), 4);
		peer->endpoint.in.sin_port = port;
		peer->flags |= SLICENL_PEER_HAS_ENDPOINT;
	} else if (tb[SLICE_PEER_A_REMOTE_IPV6]) {
		peer->endpoint.in6.sin6_family = AF_INET6;
		memcpy(&peer->endpoint.in6.sin6_addr, nla_data(tb[SLICE_PEER_A_REMOTE_IPV6]), 16);
		peer->endpoint.in6.sin6_port = port;
		peer->flags |= SLICENL_PEER_HAS_ENDPOINT;
	}
}

int slicenl_parse_peer(struct nlattr *attr, struct slicenl_peer *peer)
{
	struct nlattr *tb[SLICE_PEER_A_MAX + 1];
	struct nlattr *pos;
	int rem, err;

	if (nla_parse_nested(tb, SLICE_PEER_A_MAX, attr, slicenl_peer_policy) ||
	    !tb[SLICE_PEER_A_ID])
		return -EBADMSG;
	memset(peer, 0, sizeof(*peer));
	peer->id = nla_get_u32(tb[SLICE_PEER_A_ID]);
	slicenl_parse_endpoint(tb, peer);
	if (tb[SLICE_PEER_A_KEEPALIVE_INTERVAL_MS]) {
		peer->keepalive_interval_ms = nla_get_u32(tb[SLICE_PEER_A_KEEPALIVE_INTERVAL_MS]);
		peer->flags |= SLICENL_PEER_HAS_KEEPALIVE;
	}
	if (tb[SLICE_PEER_A_KEEPALIVE_TIMEOUT_MS]) {
		peer->keepalive_timeout_ms = nla_get_u32(tb[SLICE_PEER_A_KEEPALIVE_TIMEOUT_MS]);
		peer->flags |= SLICENL_PEER_HAS_TIMEOUT;
	}
	if (tb[SLICE_PEER_A_HOLD_MS]) {
		peer->hold_ms = nla_get_u32(tb[SLICE_PEER_A_HOLD_MS]);
		peer->flags |= SLICENL_PEER_HAS_HOLD;
	}
	if (tb[SLICE_PEER_A_SILENCES]) {
		peer->silences = nla_get_u64(tb[SLICE_PEER_A_SILENCES]);
		peer->flags |= SLICENL_PEER_HAS_SILENCES;
	}
	if (tb[SLICE_PEER_A_STALLS]) {
		peer->stalls = nla_get_u64(tb[SLICE_PEER_A_STALLS]);
		peer->flags |= SLICENL_PEER_HAS_STALLS;
	}
	if (tb[SLICE_PEER_A_TRANSIT]) {
		peer->transit = nla_get_u8(tb[SLICE_PEER_A_TRANSIT]);
		peer->flags |= SLICENL_PEER_HAS_TRANSIT;
	}
	if (tb[SLICE_PEER_A_STATE]) {
		peer->state = nla_get_u8(tb[SLICE_PEER_A_STATE]);
		peer->flags |= SLICENL_PEER_HAS_STATE;
	}
	if (tb[SLICE_PEER_A_LAST_RX_MSECS]) {
		peer->last_rx_msecs = nla_get_u64(tb[SLICE_PEER_A_LAST_RX_MSECS]);
		peer->flags |= SLICENL_PEER_HAS_LAST_RX;
	}
	if (tb[SLICE_PEER_A_STATS]) {
		slicenl_parse_stats(tb[SLICE_PEER_A_STATS], &peer->stats);
		peer->flags |= SLICENL_PEER_HAS_STATS;
	}
	/* A peer may carry one KEYCONF per occupied slot. */
	nla_for_each_nested(pos, attr, rem) {
		if (nla_type(pos) != SLICE_PEER_A_KEYCONF)
			continue;
		if (peer->num_keys == __SLICE_KEY_SLOT_MAX)
			return -EBADMSG;
		err = slicenl_parse_keyconf(pos, &peer->keys[peer->num_keys]);
		if (err)
			return err;
		peer->num_keys++;
	}
	return 0;
}

static int slicenl_parse_qos(struct nlattr *attr, struct slicenl_qos *qos)
{
	struct nlattr *tb[SLICE_QOS_A_MAX + 1];

	if (nla_parse_nested(tb, SLICE_QOS_A_MAX, attr, slicenl_qos_policy) ||
	    !tb[SLICE_QOS_A_CEILING_KBPS])
		return -EBADMSG;
	qos->ceiling_kbps = nla_get_u32(tb[SLICE_QOS_A_CEILING_KBPS]);
	if (tb[SLICE_QOS_A_GUARANTEED_KBPS])
		qos->guaranteed_kbps = nla_get_u32(tb[SLICE_QOS_A_GUARANTEED_KBPS]);
	if (tb[SLICE_QOS_A_PRIORITY])
		qos->priority = nla_get_u8(tb[SLICE_QOS_A_PRIORITY]);
	if (tb[SLICE_QOS_A_DSCP])
		qos->dscp = nla_get_u8(tb[SLICE_QOS_A_DSCP]);
	if (tb[SLICE_QOS_A_MARK])
		qos->mark = nla_get_u32(tb[SLICE_QOS_A_MARK]);
	return 0;
}

int slicenl_parse_device(struct nlattr **tb, void *arg)
{
	struct slicenl_device *dev = arg;

	if (!tb[SLICE_A_IFINDEX])
		return -EBADMSG;
	memset(dev, 0, sizeof(*dev));
	dev->ifindex = nla_get_u32(tb[SLICE_A_IFINDEX]);
	if (tb[SLICE_A_IFNAME])
		nla_strlcpy(dev->ifname, tb[SLICE_A_IFNAME], sizeof(dev->ifname));
	else if (!if_indextoname(dev->ifindex, dev->ifname))
		snprintf(dev->ifname, sizeof(dev->ifname), "if%u", dev->ifindex);
	if (tb[SLICE_A_LOCAL_ID]) {
		dev->local_id = nla_get_u32(tb[SLICE_A_LOCAL_ID]);
		dev->flags |= SLICENL_DEV_HAS_LOCAL_ID;
	}
	if (tb[SLICE_A_LISTEN_PORT]) {
		dev->listen_port = nla_get_u16(tb[SLICE_A_LISTEN_PORT]);
		dev->flags |= SLICENL_DEV_HAS_LISTEN_PORT;
	}
	if (tb[SLICE_A_STATS]) {
		slicenl_parse_stats(tb[SLICE_A_STATS], &dev->stats);
		dev->flags |= SLICENL_DEV_HAS_STATS;
	}
	if (tb[SLICE_A_NUM_PEERS] && tb[SLICE_A_NUM_ROUTES]) {
		dev->num_peers = nla_get_u32(tb[SLICE_A_NUM_PEERS]);
		dev->num_routes = nla_get_u32(tb[SLICE_A_NUM_ROUTES]);
		dev->flags |= SLICENL_DEV_HAS_COUNTS;
	}
	if (tb[SLICE_A_QOS]) {
		int err = slicenl_parse_qos(tb[SLICE_A_QOS], &dev->qos);

		if (err)
			return err;
		dev->flags |= SLICENL_DEV_HAS_QOS;
	}
	return 0;
}

int slicenl_parse_route(struct nlattr *attr, struct slicenl_route *route)
{
	struct nlattr *tb[SLICE_ROUTE_A_MAX + 1];
	size_t addr_len;

	if (nla_parse_nested(tb, SLICE_ROUTE_A_MAX, attr, slicenl_route_policy) ||
	    !tb[SLICE_ROUTE_A_FAMILY] || !tb[SLICE_ROUTE_A_ADDR] ||
	    !tb[SLICE_ROUTE_A_PREFIXLEN] || !tb[SLICE_ROUTE_A_PEER_ID])
		return -EBADMSG;
	memset(route, 0, sizeof(*route));
	route->family = nla_get_u16(tb[SLICE_ROUTE_A_FAMILY]);
	addr_len = route->family == AF_INET ? sizeof(route->addr.ip4) : sizeof(route->addr.ip6);
	if ((route->family != AF_INET && route->family != AF_INET6) ||
	    (size_t)nla_len(tb[SLICE_ROUTE_A_ADDR]) != addr_len)
		return -EBADMSG;
	memcpy(&route->addr, nla_data(tb[SLICE_ROUTE_A_ADDR]), addr_len);
	route->prefixlen = nla_get_u8(tb[SLICE_ROUTE_A_PREFIXLEN]);
	route->peer_id = nla_get_u32(tb[SLICE_ROUTE_A_PEER_ID]);
	return 0;
}

int slicenl_parse_event(struct nl_msg *msg, struct slicenl_event *ev)
{
	struct genlmsghdr *hdr = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *tb[SLICE_A_MAX + 1];
	struct slicenl_peer peer;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, SLICE_A_MAX, slicenl_policy) ||
	    !tb[SLICE_A_IFINDEX] || !tb[SLICE_A_PEER] ||
	    slicenl_parse_peer(tb[SLICE_A_PEER], &peer))
		return -EBADMSG;
	memset(ev, 0, sizeof(*ev));
	ev->cmd = hdr->cmd;
	ev->ifindex = nla_get_u32(tb[SLICE_A_IFINDEX]);
	ev->peer_id = peer.id;
	ev->state = peer.state;
	if (peer.num_keys) {
		ev->slot = peer.keys[0].slot;
		ev->key_id = peer.keys[0].key_id;
	}
	return 0;
}

/* The whole profile, or an empty nest (which removes it) when there is no ceiling. */
int slicenl_put_qos(struct nl_msg *msg, const struct slicenl_qos *qos)
{
	struct nlattr *nest = nla_nest_start(msg, SLICE_A_QOS);

	if (!nest)
		return -EMSGSIZE;
	if (qos->ceiling_kbps &&
	    (nla_put_u32(msg, SLICE_QOS_A_CEILING_KBPS, qos->ceiling_kbps) ||
	     nla_put_u32(msg, SLICE_QOS_A_GUARANTEED_KBPS, qos->guaranteed_kbps) ||
	     nla_put_u8(msg, SLICE_QOS_A_PRIORITY, qos->priority) ||
	     nla_put_u8(msg, SLICE_QOS_A_DSCP, qos->dscp) ||
	     nla_put_u32(msg, SLICE_QOS_A_MARK, qos->mark)))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int slicenl_put_endpoint(struct nl_msg *msg, const union slicenl_sockaddr *endpoint)
{
	if (endpoint->sa.sa_family == AF_INET)
		return nla_put(msg, SLICE_PEER_A_REMOTE_IPV4, 4, &endpoint->in.sin_addr) ?:
		       nla_put_u16(msg, SLICE_PEER_A_REMOTE_PORT, endpoint->in.sin_port);
	if (endpoint->sa.sa_family == AF_INET6)
		return nla_put(msg, SLICE_PEER_A_REMOTE_IPV6, 16, &endpoint->in6.sin6_addr) ?:
		       nla_put_u16(msg, SLICE_PEER_A_REMOTE_PORT, endpoint->in6.sin6_port);
	return -NLE_INVAL;
}

int slicenl_put_peer(struct nl_msg *msg, const struct slicenl_peer *peer)
{
	struct nlattr *nest = nla_nest_start(msg, SLICE_A_PEER);

	if (!nest || nla_put_u32(msg, SLICE_PEER_A_ID, peer->id))
		return -EMSGSIZE;
	if ((peer->flags & SLICENL_PEER_HAS_ENDPOINT) &&
	    slicenl_put_endpoint(msg, &peer->endpoint))
		return -EINVAL;
	if (((peer->flags & SLICENL_PEER_HAS_KEEPALIVE) &&
	     nla_put_u32(msg, SLICE_PEER_A_KEEPALIVE_INTERVAL_MS, peer->keepalive_interval_ms)) ||
	    ((peer->flags & SLICENL_PEER_HAS_TIMEOUT) &&
	     nla_put_u32(msg, SLICE_PEER_A_KEEPALIVE_TIMEOUT_MS, peer->keepalive_timeout_ms)) ||
	    ((peer->flags & SLICENL_PEER_HAS_HOLD) &&
	     nla_put_u32(msg, SLICE_PEER_A_HOLD_MS, peer->hold_ms)) ||
	    ((peer->flags & SLICENL_PEER_HAS_TRANSIT) &&
	     nla_put_u8(msg, SLICE_PEER_A_TRANSIT, peer->transit)) ||
	    ((peer->flags & SLICENL_PEER_HAS_STATE) &&
	     nla_put_u8(msg, SLICE_PEER_A_STATE, peer->state)))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

int slicenl_put_keyconf(struct nl_msg *msg, const struct slicenl_key *key)
{
	struct nlattr *nest = nla_nest_start(msg, SLICE_PEER_A_KEYCONF);

	if (!nest || nla_put_u32(msg, SLICE_KEYCONF_A_SLOT, key->slot) ||
	    ((key->flags & SLICENL_KEY_HAS_KEY_ID) &&
	     nla_put_u8(msg, SLICE_KEYCONF_A_KEY_ID, key->key_id)) ||
	    ((key->flags & SLICENL_KEY_HAS_CIPHER) &&
	     nla_put_u32(msg, SLICE_KEYCONF_A_CIPHER, key->cipher)) ||
	    ((key->flags & SLICENL_KEY_HAS_KEYS) &&
	     (nla_put(msg, SLICE_KEYCONF_A_ENCRYPT_KEY, SLICE_KEY_LEN, key->encrypt_key) ||
	      nla_put(msg, SLICE_KEYCONF_A_DECRYPT_KEY, SLICE_KEY_LEN, key->decrypt_key))) ||
	    ((key->flags & SLICENL_KEY_HAS_LIMIT_PACKETS) &&
	     nla_put_u64(msg, SLICE_KEYCONF_A_LIMIT_PACKETS, key->limit_packets)) ||
	    ((key->flags & SLICENL_KEY_HAS_LIMIT_SECONDS) &&
	     nla_put_u32(msg, SLICE_KEYCONF_A_LIMIT_SECONDS, key->limit_seconds)))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}
