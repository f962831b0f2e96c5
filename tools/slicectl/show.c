// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Output of `slicectl show` and `slicectl monitor`: text like `wg show`, JSON (-j) with the
 * same content and iproute2's snake_case names, one object per device.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <net/if.h>
#include <string.h>

#include "parse.h"
#include "show.h"

void format_endpoint(const union slicenl_sockaddr *endpoint, char *buf, size_t size)
{
	char addr[INET6_ADDRSTRLEN];

	if (endpoint->sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &endpoint->in.sin_addr, addr, sizeof(addr));
		snprintf(buf, size, "%s:%u", addr, ntohs(endpoint->in.sin_port));
	} else if (endpoint->sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &endpoint->in6.sin6_addr, addr, sizeof(addr));
		snprintf(buf, size, "[%s]:%u", addr, ntohs(endpoint->in6.sin6_port));
	} else {
		snprintf(buf, size, "(none)");
	}
}

void format_prefix(const struct slicenl_route *route, char *buf, size_t size)
{
	char addr[INET6_ADDRSTRLEN];

	inet_ntop(route->family, &route->addr, addr, sizeof(addr));
	snprintf(buf, size, "%s/%u", addr, route->prefixlen);
}

static void show_stats_text(FILE *out, const struct slicenl_stats *stats)
{
	unsigned int i;

	fprintf(out, "  transfer: %" PRIu64 " B received (%" PRIu64 " packets), %" PRIu64
		" B sent (%" PRIu64 " packets)\n",
		stats->counter[SLICE_STATS_A_RX_BYTES], stats->counter[SLICE_STATS_A_RX_PACKETS],
		stats->counter[SLICE_STATS_A_TX_BYTES], stats->counter[SLICE_STATS_A_TX_PACKETS]);
	fprintf(out, "  drops:");
	for (i = SLICE_STATS_A_DROP_NO_ROUTE; i < __SLICE_STATS_A_MAX; i++)
		fprintf(out, "%s %s %" PRIu64, i == SLICE_STATS_A_DROP_NO_ROUTE ? "" : ",",
			slicenl_stats_name(i) + strlen("drop_"), stats->counter[i]);
	fputc('\n', out);
}

static void show_key_text(FILE *out, const struct slicenl_key *key)
{
	fprintf(out, "  key %s: id %u, %s", slicenl_slot_name(key->slot), key->key_id,
		slicenl_cipher_name(key->cipher));
	if (key->flags & SLICENL_KEY_HAS_TX_PACKETS)
		fprintf(out, ", %" PRIu64 " packets sealed", key->tx_packets);
	if (key->flags & SLICENL_KEY_HAS_AGE)
		fprintf(out, ", %u s old", key->age_seconds);
	if (key->flags & SLICENL_KEY_HAS_LIMIT_PACKETS)
		fprintf(out, ", rotate after %" PRIu64 " packets", key->limit_packets);
	if (key->flags & SLICENL_KEY_HAS_LIMIT_SECONDS)
		fprintf(out, ", rotate after %u s", key->limit_seconds);
	fputc('\n', out);
}

static void show_peer_text(FILE *out, const struct slicenl_peer *peer)
{
	char endpoint[64];
	unsigned int i;

	format_endpoint(&peer->endpoint, endpoint, sizeof(endpoint));
	fprintf(out, "\npeer: %u\n  endpoint: %s\n", peer->id, endpoint);
	if (peer->flags & SLICENL_PEER_HAS_STATE)
		fprintf(out, "  state: %s\n", slicenl_state_name(peer->state));
	if ((peer->flags & SLICENL_PEER_HAS_KEEPALIVE) && peer->keepalive_interval_ms)
		fprintf(out, "  keepalive: every %u ms\n", peer->keepalive_interval_ms);
	if ((peer->flags & SLICENL_PEER_HAS_TIMEOUT) && peer->keepalive_timeout_ms)
		fprintf(out, "  timeout: down after %u ms of silence\n", peer->keepalive_timeout_ms);
	if ((peer->flags & SLICENL_PEER_HAS_HOLD) && peer->hold_ms)
		fprintf(out, "  hold: back after %u ms heard without a gap\n", peer->hold_ms);
	if ((peer->flags & SLICENL_PEER_HAS_SILENCES) && peer->silences)
		fprintf(out, "  silences: %" PRIu64 "\n", peer->silences);
	if ((peer->flags & SLICENL_PEER_HAS_STALLS) && peer->stalls)
		fprintf(out, "  stalls: %" PRIu64 " ticks too late to judge the silence\n",
			peer->stalls);
	if (peer->transit)
		fprintf(out, "  transit: forwards for its cluster, any inner source\n");
	if (peer->flags & SLICENL_PEER_HAS_LAST_RX)
		fprintf(out, "  latest receive: %" PRIu64 " ms ago\n", peer->last_rx_msecs);
	for (i = 0; i < peer->num_keys; i++)
		show_key_text(out, &peer->keys[i]);
	if (peer->flags & SLICENL_PEER_HAS_STATS)
		show_stats_text(out, &peer->stats);
}

/* The class name, or the bare number for a DSCP that is not a class. */
static const char *show_dscp(uint8_t dscp, char *buf, size_t size)
{
	if (!dscp_name(dscp, buf, size))
		snprintf(buf, size, "%u", dscp);
	return buf;
}

static void show_qos_text(FILE *out, const struct slicenl_qos *qos)
{
	char dscp[16];

	fprintf(out, "  qos: ceiling %u kbit/s, guaranteed %u kbit/s, priority %u, dscp %s,"
		" mark 0x%x\n", qos->ceiling_kbps, qos->guaranteed_kbps, qos->priority,
		show_dscp(qos->dscp, dscp, sizeof(dscp)), qos->mark);
}

static void show_qos_json(FILE *out, const struct slicenl_qos *qos)
{
	char dscp[16];

	fprintf(out, "\"qos\":{\"ceiling_kbps\":%u,\"guaranteed_kbps\":%u,\"priority\":%u,"
		"\"dscp\":\"%s\",\"mark\":%u}", qos->ceiling_kbps, qos->guaranteed_kbps,
		qos->priority, show_dscp(qos->dscp, dscp, sizeof(dscp)), qos->mark);
}

void show_text(FILE *out, const struct show_device *sd)
{
	const struct slicenl_device *dev = &sd->dev;
	char prefix[INET6_ADDRSTRLEN + 8];
	size_t i;

	fprintf(out, "device: %s\n", dev->ifname);
	if (dev->flags & SLICENL_DEV_HAS_LOCAL_ID)
		fprintf(out, "  local id: %u\n", dev->local_id);
	if (dev->flags & SLICENL_DEV_HAS_LISTEN_PORT)
		fprintf(out, "  listening port: %u\n", dev->listen_port);
	if (dev->flags & SLICENL_DEV_HAS_QOS)
		show_qos_text(out, &dev->qos);
	if (dev->flags & SLICENL_DEV_HAS_STATS)
		show_stats_text(out, &dev->stats);
	for (i = 0; i < sd->num_routes; i++) {
		format_prefix(&sd->routes[i], prefix, sizeof(prefix));
		fprintf(out, "  route: %s via %u\n", prefix, sd->routes[i].peer_id);
	}
	for (i = 0; i < sd->num_peers; i++)
		show_peer_text(out, &sd->peers[i]);
}

/* Interface names and our fixed vocabulary need no escaping but quotes and backslashes. */
static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		if ((unsigned char)*s < 0x20)
			fprintf(out, "\\u%04x", *s);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

static void show_stats_json(FILE *out, const struct slicenl_stats *stats)
{
	unsigned int i;

	fprintf(out, "\"stats\":{");
	for (i = SLICE_STATS_A_TX_PACKETS; i < __SLICE_STATS_A_MAX; i++)
		fprintf(out, "%s\"%s\":%" PRIu64, i == SLICE_STATS_A_TX_PACKETS ? "" : ",",
			slicenl_stats_name(i), stats->counter[i]);
	fputc('}', out);
}

static void show_key_json(FILE *out, const struct slicenl_key *key)
{
	fprintf(out, "{\"slot\":\"%s\",\"key_id\":%u,\"cipher\":\"%s\"",
		slicenl_slot_name(key->slot), key->key_id, slicenl_cipher_name(key->cipher));
	if (key->flags & SLICENL_KEY_HAS_TX_PACKETS)
		fprintf(out, ",\"tx_packets\":%" PRIu64, key->tx_packets);
	if (key->flags & SLICENL_KEY_HAS_AGE)
		fprintf(out, ",\"age_seconds\":%u", key->age_seconds);
	if (key->flags & SLICENL_KEY_HAS_LIMIT_PACKETS)
		fprintf(out, ",\"limit_packets\":%" PRIu64, key->limit_packets);
	if (key->flags & SLICENL_KEY_HAS_LIMIT_SECONDS)
		fprintf(out, ",\"limit_seconds\":%u", key->limit_seconds);
	fputc('}', out);
}

static void show_peer_json(FILE *out, const struct slicenl_peer *peer)
{
	char endpoint[64];
	unsigned int i;

	fprintf(out, "{\"id\":%u", peer->id);
	if (peer->flags & SLICENL_PEER_HAS_ENDPOINT) {
		format_endpoint(&peer->endpoint, endpoint, sizeof(endpoint));
		fprintf(out, ",\"endpoint\":\"%s\"", endpoint);
	}
	if (peer->flags & SLICENL_PEER_HAS_STATE)
		fprintf(out, ",\"state\":\"%s\"", slicenl_state_name(peer->state));
	if (peer->flags & SLICENL_PEER_HAS_KEEPALIVE)
		fprintf(out, ",\"keepalive_interval_ms\":%u", peer->keepalive_interval_ms);
	if (peer->flags & SLICENL_PEER_HAS_TIMEOUT)
		fprintf(out, ",\"keepalive_timeout_ms\":%u", peer->keepalive_timeout_ms);
	if (peer->flags & SLICENL_PEER_HAS_HOLD)
		fprintf(out, ",\"hold_ms\":%u", peer->hold_ms);
	if (peer->flags & SLICENL_PEER_HAS_SILENCES)
		fprintf(out, ",\"silences\":%" PRIu64, peer->silences);
	if (peer->flags & SLICENL_PEER_HAS_STALLS)
		fprintf(out, ",\"stalls\":%" PRIu64, peer->stalls);
	if (peer->flags & SLICENL_PEER_HAS_TRANSIT)
		fprintf(out, ",\"transit\":%s", peer->transit ? "true" : "false");
	if (peer->flags & SLICENL_PEER_HAS_LAST_RX)
		fprintf(out, ",\"last_rx_msecs\":%" PRIu64, peer->last_rx_msecs);
	fprintf(out, ",\"keys\":[");
	for (i = 0; i < peer->num_keys; i++) {
		if (i)
			fputc(',', out);
		show_key_json(out, &peer->keys[i]);
	}
	fputc(']', out);
	if (peer->flags & SLICENL_PEER_HAS_STATS) {
		fputc(',', out);
		show_stats_json(out, &peer->stats);
	}
	fputc('}', out);
}

void show_json(FILE *out, const struct show_device *sd)
{
	const struct slicenl_device *dev = &sd->dev;
	char prefix[INET6_ADDRSTRLEN + 8];
	size_t i;

	fprintf(out, "{\"ifname\":");
	json_string(out, dev->ifname);
	fprintf(out, ",\"ifindex\":%u", dev->ifindex);
	if (dev->flags & SLICENL_DEV_HAS_LOCAL_ID)
		fprintf(out, ",\"local_id\":%u", dev->local_id);
	if (dev->flags & SLICENL_DEV_HAS_LISTEN_PORT)
		fprintf(out, ",\"listen_port\":%u", dev->listen_port);
	if (dev->flags & SLICENL_DEV_HAS_QOS) {
		fputc(',', out);
		show_qos_json(out, &dev->qos);
	}
	if (dev->flags & SLICENL_DEV_HAS_STATS) {
		fputc(',', out);
		show_stats_json(out, &dev->stats);
	}
	fprintf(out, ",\"routes\":[");
	for (i = 0; i < sd->num_routes; i++) {
		format_prefix(&sd->routes[i], prefix, sizeof(prefix));
		fprintf(out, "%s{\"prefix\":\"%s\",\"peer\":%u}", i ? "," : "", prefix,
			sd->routes[i].peer_id);
	}
	fprintf(out, "],\"peers\":[");
	for (i = 0; i < sd->num_peers; i++) {
		if (i)
			fputc(',', out);
		show_peer_json(out, &sd->peers[i]);
	}
	fprintf(out, "]}");
}

void show_event(FILE *out, bool json, const struct slicenl_event *ev)
{
	const char *name = ev->cmd == SLICE_CMD_PEER_STATE_NTF ? "peer-state" : "key-rotate";
	char ifname[IF_NAMESIZE];

	if (ev->cmd != SLICE_CMD_PEER_STATE_NTF && ev->cmd != SLICE_CMD_KEY_ROTATE_NTF)
		return;
	if (!if_indextoname(ev->ifindex, ifname))
		snprintf(ifname, sizeof(ifname), "if%u", ev->ifindex);
	if (json) {
		fprintf(out, "{\"event\":\"%s\",\"ifname\":", name);
		json_string(out, ifname);
		fprintf(out, ",\"peer\":%u", ev->peer_id);
		if (ev->cmd == SLICE_CMD_PEER_STATE_NTF)
			fprintf(out, ",\"state\":\"%s\"}\n", slicenl_state_name(ev->state));
		else
			fprintf(out, ",\"slot\":\"%s\",\"key_id\":%u}\n",
				slicenl_slot_name(ev->slot), ev->key_id);
	} else {
		fprintf(out, "%s dev %s peer %u", name, ifname, ev->peer_id);
		if (ev->cmd == SLICE_CMD_PEER_STATE_NTF)
			fprintf(out, " %s\n", slicenl_state_name(ev->state));
		else
			fprintf(out, " slot %s key-id %u\n", slicenl_slot_name(ev->slot),
				ev->key_id);
	}
	fflush(out);
}
