// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Host unit tests of slicenl's message handling: extended acks and replies built with libnl
 * as the kernel lays them out, fed to the parsers. Talking to the kernel itself is covered
 * by the data-plane selftests in the VM.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <cmocka.h>

/* slicenl_read_extack() is static: the tests see it by including the library's source. */
#include "slicenl.c"

struct error_msg {
	struct nlmsghdr nlh;
	struct nlmsgerr err;
	unsigned char rest[256];
};

static size_t put_attr(unsigned char *at, uint16_t type, const void *data, uint16_t len)
{
	struct nlattr *nla = (struct nlattr *)at;

	nla->nla_type = type;
	nla->nla_len = NLA_HDRLEN + len;
	memcpy(at + NLA_HDRLEN, data, len);
	return NLA_ALIGN(nla->nla_len);
}

/* An NLMSG_ERROR as netlink_ack() builds it; @echo bytes of the request follow unless capped. */
static void build_error(struct error_msg *m, uint16_t flags, size_t echo, const char *text,
			const uint32_t *miss_type)
{
	unsigned char *at = m->rest + echo;

	memset(m, 0, sizeof(*m));
	m->nlh.nlmsg_type = NLMSG_ERROR;
	m->nlh.nlmsg_flags = flags;
	m->err.error = -EINVAL;
	m->err.msg.nlmsg_len = sizeof(struct nlmsghdr) + echo;
	memset(m->rest, 0xaa, echo);
	if (text)
		at += put_attr(at, NLMSGERR_ATTR_MSG, text, strlen(text) + 1);
	if (miss_type) {
		at += put_attr(at, NLMSGERR_ATTR_MISS_TYPE, miss_type, sizeof(*miss_type));
		at += put_attr(at, NLMSGERR_ATTR_MISS_NEST, miss_type, sizeof(*miss_type));
	}
	m->nlh.nlmsg_len = at - (unsigned char *)m;
}

static void test_extack_capped(void **state)
{
	struct slicenl nl = { 0 };
	struct error_msg m;
	uint32_t miss = SLICE_PEER_A_ID;

	build_error(&m, NLM_F_ACK_TLVS | NLM_F_CAPPED, 0, "peer ID is required", &miss);
	slicenl_read_extack(&nl, &m.err);
	assert_string_equal(nl.extack, "peer ID is required (missing attribute 2 in a nest)");
}

static void test_extack_uncapped(void **state)
{
	struct slicenl nl = { 0 };
	struct error_msg m;

	/* The echoed request must be skipped, whatever it holds. */
	build_error(&m, NLM_F_ACK_TLVS, 24, "prefix has host bits set", NULL);
	slicenl_read_extack(&nl, &m.err);
	assert_string_equal(nl.extack, "prefix has host bits set");
}

static void test_extack_missing_only(void **state)
{
	struct slicenl nl = { 0 };
	struct error_msg m;
	uint32_t miss = SLICE_A_PEER;
	char want[64];

	build_error(&m, NLM_F_ACK_TLVS | NLM_F_CAPPED, 0, NULL, &miss);
	slicenl_read_extack(&nl, &m.err);
	snprintf(want, sizeof(want), "missing attribute %u in a nest", SLICE_A_PEER);
	assert_string_equal(nl.extack, want);
}

static void test_extack_absent(void **state)
{
	struct slicenl nl = { 0 };
	struct error_msg m;

	build_error(&m, NLM_F_CAPPED, 0, NULL, NULL);
	slicenl_read_extack(&nl, &m.err);
	assert_string_equal(nl.extack, "");
}

/* The attributes of a message built by the test, parsed with the library's own policy. */
static struct nlattr *parse_reply(struct nl_msg *msg, struct nlattr **tb)
{
	assert_int_equal(genlmsg_parse(nlmsg_hdr(msg), 0, tb, SLICE_A_MAX, slicenl_policy), 0);
	return tb[SLICE_A_PEER];
}

static struct nl_msg *new_msg(uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	assert_non_null(msg);
	assert_non_null(genlmsg_put(msg, 0, 0, 0x20, 0, 0, cmd, SLICE_GENL_VERSION));
	return msg;
}

static void put_keyconf(struct nl_msg *msg, uint32_t slot, uint8_t key_id)
{
	struct nlattr *nest = nla_nest_start(msg, SLICE_PEER_A_KEYCONF);

	nla_put_u32(msg, SLICE_KEYCONF_A_SLOT, slot);
	nla_put_u8(msg, SLICE_KEYCONF_A_KEY_ID, key_id);
	nla_put_u32(msg, SLICE_KEYCONF_A_CIPHER, SLICE_CIPHER_CHACHA20_POLY1305);
	nla_put_u64(msg, SLICE_KEYCONF_A_TX_PACKETS, 1000 + key_id);
	nla_nest_end(msg, nest);
}

static void test_peer_reply(void **state)
{
	static const uint8_t addr[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	struct nlattr *tb[SLICE_A_MAX + 1];
	struct nl_msg *msg = new_msg(SLICE_CMD_PEER_GET);
	struct slicenl_peer peer;
	struct nlattr *nest, *stats;

	nla_put_u32(msg, SLICE_A_IFINDEX, 7);
	nest = nla_nest_start(msg, SLICE_A_PEER);
	nla_put_u32(msg, SLICE_PEER_A_ID, 0xabcdef);
	nla_put(msg, SLICE_PEER_A_REMOTE_IPV6, sizeof(addr), addr);
	nla_put_u16(msg, SLICE_PEER_A_REMOTE_PORT, htons(51820));
	nla_put_u8(msg, SLICE_PEER_A_STATE, SLICE_PEER_STATE_UP);
	nla_put_u32(msg, SLICE_PEER_A_KEEPALIVE_TIMEOUT_MS, 30000);
	stats = nla_nest_start(msg, SLICE_PEER_A_STATS);
	nla_put_u64(msg, SLICE_STATS_A_DROP_REPLAY, 42);
	nla_put_u64(msg, 200, 1);	/* a counter from a newer kernel */
	nla_nest_end(msg, stats);
	put_keyconf(msg, SLICE_KEY_SLOT_PRIMARY, 4);
	put_keyconf(msg, SLICE_KEY_SLOT_SECONDARY, 5);
	nla_nest_end(msg, nest);

	assert_int_equal(slicenl_parse_peer(parse_reply(msg, tb), &peer), 0);
	assert_int_equal(peer.id, 0xabcdef);
	assert_int_equal(peer.endpoint.sa.sa_family, AF_INET6);
	assert_memory_equal(&peer.endpoint.in6.sin6_addr, addr, sizeof(addr));
	assert_int_equal(ntohs(peer.endpoint.in6.sin6_port), 51820);
	assert_int_equal(peer.flags, SLICENL_PEER_HAS_ENDPOINT | SLICENL_PEER_HAS_STATE |
				     SLICENL_PEER_HAS_TIMEOUT | SLICENL_PEER_HAS_STATS);
	assert_int_equal(peer.keepalive_timeout_ms, 30000);
	assert_int_equal(peer.stats.counter[SLICE_STATS_A_DROP_REPLAY], 42);
	assert_int_equal(peer.num_keys, 2);
	assert_int_equal(peer.keys[1].slot, SLICE_KEY_SLOT_SECONDARY);
	assert_int_equal(peer.keys[1].key_id, 5);
	assert_int_equal(peer.keys[1].tx_packets, 1005);
	assert_int_equal(peer.keys[1].flags, SLICENL_KEY_HAS_KEY_ID | SLICENL_KEY_HAS_CIPHER |
					     SLICENL_KEY_HAS_TX_PACKETS);
	nlmsg_free(msg);
}

static void test_peer_reply_refused(void **state)
{
	struct nlattr *tb[SLICE_A_MAX + 1];
	struct slicenl_peer peer;
	struct nl_msg *msg;
	struct nlattr *nest;

	/* No id. */
	msg = new_msg(SLICE_CMD_PEER_GET);
	nest = nla_nest_start(msg, SLICE_A_PEER);
	nla_put_u32(msg, SLICE_PEER_A_KEEPALIVE_TIMEOUT_MS, 30000);
	nla_nest_end(msg, nest);
	assert_int_equal(slicenl_parse_peer(parse_reply(msg, tb), &peer), -EBADMSG);
	nlmsg_free(msg);

	/* More key slots than a peer has. */
	msg = new_msg(SLICE_CMD_PEER_GET);
	nest = nla_nest_start(msg, SLICE_A_PEER);
	nla_put_u32(msg, SLICE_PEER_A_ID, 1);
	put_keyconf(msg, 0, 1);
	put_keyconf(msg, 1, 2);
	put_keyconf(msg, 1, 3);
	nla_nest_end(msg, nest);
	assert_int_equal(slicenl_parse_peer(parse_reply(msg, tb), &peer), -EBADMSG);
	nlmsg_free(msg);
}

static void test_route_reply(void **state)
{
	static const uint8_t v6[16] = { 0xfd, 0x02 };
	struct nlattr *tb[SLICE_A_MAX + 1];
	struct slicenl_route route;
	struct nl_msg *msg;
	struct nlattr *nest;

	msg = new_msg(SLICE_CMD_ROUTE_GET);
	nest = nla_nest_start(msg, SLICE_A_ROUTE);
	nla_put_u16(msg, SLICE_ROUTE_A_FAMILY, AF_INET6);
	nla_put(msg, SLICE_ROUTE_A_ADDR, sizeof(v6), v6);
	nla_put_u8(msg, SLICE_ROUTE_A_PREFIXLEN, 64);
	nla_put_u32(msg, SLICE_ROUTE_A_PEER_ID, 2);
	nla_nest_end(msg, nest);
	parse_reply(msg, tb);
	assert_int_equal(slicenl_parse_route(tb[SLICE_A_ROUTE], &route), 0);
	assert_int_equal(route.family, AF_INET6);
	assert_memory_equal(&route.addr.ip6, v6, sizeof(v6));
	assert_int_equal(route.prefixlen, 64);
	assert_int_equal(route.peer_id, 2);
	nlmsg_free(msg);

	/* An IPv4 route must carry 4 bytes, not 16. */
	msg = new_msg(SLICE_CMD_ROUTE_GET);
	nest = nla_nest_start(msg, SLICE_A_ROUTE);
	nla_put_u16(msg, SLICE_ROUTE_A_FAMILY, AF_INET);
	nla_put(msg, SLICE_ROUTE_A_ADDR, sizeof(v6), v6);
	nla_put_u8(msg, SLICE_ROUTE_A_PREFIXLEN, 8);
	nla_put_u32(msg, SLICE_ROUTE_A_PEER_ID, 2);
	nla_nest_end(msg, nest);
	parse_reply(msg, tb);
	assert_int_equal(slicenl_parse_route(tb[SLICE_A_ROUTE], &route), -EBADMSG);
	nlmsg_free(msg);
}

static void test_device_reply(void **state)
{
	struct nlattr *tb[SLICE_A_MAX + 1];
	struct nl_msg *msg = new_msg(SLICE_CMD_DEV_GET);
	struct slicenl_device dev;
	struct nlattr *stats;

	nla_put_u32(msg, SLICE_A_IFINDEX, 12);
	nla_put_string(msg, SLICE_A_IFNAME, "slice-red");
	nla_put_u16(msg, SLICE_A_LISTEN_PORT, 51820);
	nla_put_u32(msg, SLICE_A_NUM_PEERS, 3);
	nla_put_u32(msg, SLICE_A_NUM_ROUTES, 5);
	stats = nla_nest_start(msg, SLICE_A_STATS);
	nla_put_u64(msg, SLICE_STATS_A_TX_BYTES, 1ULL << 40);
	nla_nest_end(msg, stats);
	parse_reply(msg, tb);
	assert_int_equal(slicenl_parse_device(tb, &dev), 0);
	assert_int_equal(dev.ifindex, 12);
	assert_string_equal(dev.ifname, "slice-red");
	assert_int_equal(dev.listen_port, 51820);
	assert_int_equal(dev.flags, SLICENL_DEV_HAS_LISTEN_PORT | SLICENL_DEV_HAS_STATS |
				    SLICENL_DEV_HAS_COUNTS);
	assert_int_equal(dev.num_routes, 5);
	assert_int_equal(dev.stats.counter[SLICE_STATS_A_TX_BYTES], 1ULL << 40);
	nlmsg_free(msg);
}

static void test_event(void **state)
{
	struct nl_msg *msg = new_msg(SLICE_CMD_KEY_ROTATE_NTF);
	struct slicenl_event ev;
	struct nlattr *nest;

	nla_put_u32(msg, SLICE_A_IFINDEX, 9);
	nest = nla_nest_start(msg, SLICE_A_PEER);
	nla_put_u32(msg, SLICE_PEER_A_ID, 3);
	put_keyconf(msg, SLICE_KEY_SLOT_PRIMARY, 7);
	nla_nest_end(msg, nest);
	assert_int_equal(slicenl_parse_event(msg, &ev), 0);
	assert_int_equal(ev.cmd, SLICE_CMD_KEY_ROTATE_NTF);
	assert_int_equal(ev.ifindex, 9);
	assert_int_equal(ev.peer_id, 3);
	assert_int_equal(ev.slot, SLICE_KEY_SLOT_PRIMARY);
	assert_int_equal(ev.key_id, 7);
	nlmsg_free(msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_extack_capped),
		cmocka_unit_test(test_extack_uncapped),
		cmocka_unit_test(test_extack_missing_only),
		cmocka_unit_test(test_extack_absent),
		cmocka_unit_test(test_peer_reply),
		cmocka_unit_test(test_peer_reply_refused),
		cmocka_unit_test(test_route_reply),
		cmocka_unit_test(test_device_reply),
		cmocka_unit_test(test_event),
	};

	return cmocka_run_group_tests_name("slicenl message handling", tests, NULL, NULL);
}
