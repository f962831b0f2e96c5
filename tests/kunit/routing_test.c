// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of kmod/routing.c: longest prefix match for IPv4 and IPv6, ECMP choice over
 * usable peers that moves only a lost peer's flows, transit peers as detours next to direct
 * ones, removal, the source check and the prefix checks.
 */
#include <kunit/test.h>
#include <linux/inet.h>

#include "../../kmod/routing.c"

struct routing_test {
	struct slice_routes table;
	struct slice_peer *peer[3];
};

static int routing_test_init(struct kunit *test)
{
	struct routing_test *t;
	int i;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	slice_routes_init(&t->table);
	for (i = 0; i < ARRAY_SIZE(t->peer); i++) {
		t->peer[i] = kunit_kzalloc(test, sizeof(*t->peer[i]), GFP_KERNEL);
		if (!t->peer[i])
			return -ENOMEM;
		t->peer[i]->id = i + 1;
		t->peer[i]->flags = BIT(SLICE_PEER_ADMIN_UP);
	}
	test->priv = t;
	return 0;
}

static void routing_test_exit(struct kunit *test)
{
	struct routing_test *t = test->priv;

	slice_routes_flush(&t->table);
	rcu_barrier();
}

static struct in6_addr routing_test_addr(struct kunit *test, u16 family, const char *text)
{
	struct in6_addr a = {};

	if (family == AF_INET)
		KUNIT_ASSERT_EQ(test, in4_pton(text, -1, a.s6_addr, -1, NULL), 1);
	else
		KUNIT_ASSERT_EQ(test, in6_pton(text, -1, a.s6_addr, -1, NULL), 1);
	return a;
}

static void routing_test_add(struct kunit *test, u16 family, const char *prefix, u8 len,
			     struct slice_peer *peer)
{
	struct routing_test *t = test->priv;
	struct in6_addr a = routing_test_addr(test, family, prefix);

	KUNIT_ASSERT_EQ(test, slice_routes_add(&t->table, family, &a, len, peer), 0);
}

/* The peer for a destination and flow hash, or NULL. */
static struct slice_peer *routing_test_pick(struct kunit *test, u16 family, const char *dst,
					    u32 hash)
{
	struct routing_test *t = test->priv;
	struct in6_addr a = routing_test_addr(test, family, dst);
	struct slice_peer *peer;

	rcu_read_lock();
	peer = slice_routes_pick(&t->table, family, &a, hash);
	rcu_read_unlock();
	return peer;
}

static void routing_test_lpm_v4(struct kunit *test)
{
	struct routing_test *t = test->priv;
	struct slice_peer **p = t->peer;

	KUNIT_EXPECT_NULL(test, routing_test_pick(test, AF_INET, "10.1.2.3", 0));
	routing_test_add(test, AF_INET, "10.0.0.0", 8, p[0]);
	routing_test_add(test, AF_INET, "10.1.0.0", 16, p[1]);
	routing_test_add(test, AF_INET, "10.1.2.3", 32, p[2]);
	KUNIT_EXPECT_PTR_EQ(test, routing_test_pick(test, AF_INET, "10.1.2.3", 0), p[2]);
	KUNIT_EXPECT_PTR_EQ(test, routing_test_pick(test, AF_INET, "10.1.2.4", 0), p[1]);
	KUNIT_EXPECT_PTR_EQ(test, routing_test_pick(test, AF_INET, "10.1.255.255", 0), p[1]);
	KUNIT_EXPECT_PTR_EQ(test, routing_test_pick(test, AF_INET, "10.2.0.1", 0), p[0]);
	KUNIT_EXPECT_NULL(test, routing_test_pick(test, AF_INET, "11.0.0.1", 0));
	routing_test_add(test, AF_INET, "0.0.0.0", 0, p[0]);
	KUNIT_EXPECT_PTR_EQ(test, routing_test_pick(test, AF_INET, "11.0.0.1", 0), p[0]);
	/* Families are separate tables: an IPv4 default route does not catch IPv6. */
	KUNIT_EXPECT_NULL(test, routing_test_pick(test, AF_INET6, "::1", 0));
	KUNIT_EXPECT_EQ(test, t->table.num_routes, 4);
}

static void routing_test_lpm_v6(struct kunit *test)
{
	struct slice_peer **p = ((struct routing_test *)test->priv)->peer;

	routing_test_add(test, AF_INET6, "fd00::", 8, p[0]);
	routing_test_add(test, AF_INET6, "fd01:2::", 31, p[1]);
	routing_test_add(test, AF_INET6, "fd01:2::", 32, p[2]);
	routing_test_add(test, AF_INET6, "fd01:3::1", 128, p[0]);
	KUNIT_EXPECT_PTR_EQ(test, routing_test_pick(test, AF_INET6, "fd01:2::7", 0), p[2]);
	KUNIT_EXPECT_PTR_EQ(test, routing_test_pick(test, AF_INET6, "fd01:3::7", 0), p[1]);
	KUNIT_EXPECT_PTR_EQ(test, routing_test_pick(test, AF_INET6, "fd01:3::1", 0), p[0]);
	KUNIT_EXPECT_PTR_EQ(test, routing_test_pick(test, AF_INET6, "fd77::1", 0), p[0]);
	KUNIT_EXPECT_NULL(test, routing_test_pick(test, AF_INET6, "fe80::1", 0));
	KUNIT_EXPECT_NULL(test, routing_test_pick(test, AF_INET, "253.1.0.2", 0));
}

static void routing_test_ecmp(struct kunit *test)
{
	struct slice_peer **p = ((struct routing_test *)test->priv)->peer;
	unsigned int hits[2] = {}, h;
	struct slice_peer *got;

	routing_test_add(test, AF_INET, "10.9.0.0", 16, p[0]);
	routing_test_add(test, AF_INET, "10.9.0.0", 16, p[1]);
	routing_test_add(test, AF_INET, "10.0.0.0", 8, p[2]);
	for (h = 0; h < 1000; h++) {
		got = routing_test_pick(test, AF_INET, "10.9.1.1", h * 0x9e3779b9);
		KUNIT_ASSERT_TRUE(test, got == p[0] || got == p[1]);
		hits[got == p[1]]++;
		/* One flow, one peer. */
		KUNIT_ASSERT_PTR_EQ(test, got,
				    routing_test_pick(test, AF_INET, "10.9.1.1", h * 0x9e3779b9));
	}
	KUNIT_EXPECT_GT(test, hits[0], 300);
	KUNIT_EXPECT_GT(test, hits[1], 300);

	/* A peer down is skipped; all down means no route, not the shorter prefix's peer. */
	clear_bit(SLICE_PEER_ADMIN_UP, &p[0]->flags);
	for (h = 0; h < 100; h++)
		KUNIT_ASSERT_PTR_EQ(test, p[1],
				    routing_test_pick(test, AF_INET, "10.9.1.1", h * 0x9e3779b9));
	set_bit(SLICE_PEER_SILENT, &p[1]->flags);
	KUNIT_EXPECT_NULL(test, routing_test_pick(test, AF_INET, "10.9.1.1", 5));
	clear_bit(SLICE_PEER_SILENT, &p[1]->flags);
	KUNIT_EXPECT_PTR_EQ(test, routing_test_pick(test, AF_INET, "10.9.1.1", 5), p[1]);
}

/* A peer going down moves its own flows, spread over the others, and no other flow. */
static void routing_test_ecmp_stable(struct kunit *test)
{
	struct slice_peer **p = ((struct routing_test *)test->priv)->peer;
	unsigned int moved_to[3] = {}, own[3] = {}, flows = 600, h, i;
	struct slice_peer **before, *got;

	before = kunit_kcalloc(test, flows, sizeof(*before), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, before);
	for (i = 0; i < 3; i++)
		routing_test_add(test, AF_INET, "10.9.0.0", 16, p[i]);
	for (h = 0; h < flows; h++)
		before[h] = routing_test_pick(test, AF_INET, "10.9.1.1", h * 0x9e3779b9);

	set_bit(SLICE_PEER_SILENT, &p[0]->flags);
	for (h = 0; h < flows; h++) {
		got = routing_test_pick(test, AF_INET, "10.9.1.1", h * 0x9e3779b9);
		KUNIT_ASSERT_TRUE(test, got == p[1] || got == p[2]);
		if (before[h] != p[0])
			KUNIT_ASSERT_PTR_EQ(test, got, before[h]);
		else
			moved_to[got == p[2] ? 2 : 1]++;
		own[before[h] == p[0] ? 0 : before[h] == p[1] ? 1 : 2]++;
	}
	KUNIT_EXPECT_GT(test, own[0], 100);
	/* The lost peer's flows do not all pile onto one survivor. */
	KUNIT_EXPECT_GT(test, moved_to[1], own[0] / 4);
	KUNIT_EXPECT_GT(test, moved_to[2], own[0] / 4);

	/* Back: every flow is where it was before the failure. */
	clear_bit(SLICE_PEER_SILENT, &p[0]->flags);
	for (h = 0; h < flows; h++)
		KUNIT_ASSERT_PTR_EQ(test, before[h],
				    routing_test_pick(test, AF_INET, "10.9.1.1", h * 0x9e3779b9));
}

/*
 * A gateway node's route to a remote cluster: its own pair (direct) and its sibling
 * gateway nodes (transit). Every flow takes the pair while it is usable, the siblings
 * (spread by flow) only while it is not. A worker's route (transit peers only) spreads.
 */
static void routing_test_detour(struct kunit *test)
{
	struct slice_peer **p = ((struct routing_test *)test->priv)->peer;
	unsigned int hits[3] = {}, h;
	struct slice_peer *got;

	set_bit(SLICE_PEER_TRANSIT, &p[1]->flags);
	set_bit(SLICE_PEER_TRANSIT, &p[2]->flags);
	routing_test_add(test, AF_INET, "10.9.0.0", 16, p[1]);
	routing_test_add(test, AF_INET, "10.9.0.0", 16, p[0]);
	routing_test_add(test, AF_INET, "10.9.0.0", 16, p[2]);
	routing_test_add(test, AF_INET, "10.8.0.0", 16, p[1]);
	routing_test_add(test, AF_INET, "10.8.0.0", 16, p[2]);
	for (h = 0; h < 300; h++)
		KUNIT_ASSERT_PTR_EQ(test, p[0],
				    routing_test_pick(test, AF_INET, "10.9.1.1", h * 0x9e3779b9));
	set_bit(SLICE_PEER_SILENT, &p[0]->flags);
	for (h = 0; h < 300; h++) {
		got = routing_test_pick(test, AF_INET, "10.9.1.1", h * 0x9e3779b9);
		KUNIT_ASSERT_TRUE(test, got == p[1] || got == p[2]);
		hits[got == p[2] ? 2 : 1]++;
	}
	KUNIT_EXPECT_GT(test, hits[1], 75);
	KUNIT_EXPECT_GT(test, hits[2], 75);
	set_bit(SLICE_PEER_SILENT, &p[1]->flags);
	set_bit(SLICE_PEER_SILENT, &p[2]->flags);
	KUNIT_EXPECT_NULL(test, routing_test_pick(test, AF_INET, "10.9.1.1", 5));
	clear_bit(SLICE_PEER_SILENT, &p[0]->flags);
	KUNIT_EXPECT_PTR_EQ(test, routing_test_pick(test, AF_INET, "10.9.1.1", 5), p[0]);
	clear_bit(SLICE_PEER_SILENT, &p[1]->flags);
	clear_bit(SLICE_PEER_SILENT, &p[2]->flags);
	memset(hits, 0, sizeof(hits));
	for (h = 0; h < 300; h++) {
		got = routing_test_pick(test, AF_INET, "10.8.1.1", h * 0x9e3779b9);
		KUNIT_ASSERT_TRUE(test, got == p[1] || got == p[2]);
		hits[got == p[2] ? 2 : 1]++;
	}
	KUNIT_EXPECT_GT(test, hits[1], 75);
	KUNIT_EXPECT_GT(test, hits[2], 75);
}

static bool routing_test_again(struct kunit *test, const char *dst, struct slice_peer *from)
{
	struct routing_test *t = test->priv;
	struct in6_addr a = routing_test_addr(test, AF_INET, dst);
	bool again;

	rcu_read_lock();
	again = slice_routes_detour_again(&t->table, AF_INET, &a, from);
	rcu_read_unlock();
	return again;
}

/* What came over a detour is dropped only when it could take nothing but a detour again. */
static void routing_test_detour_again(struct kunit *test)
{
	struct slice_peer **p = ((struct routing_test *)test->priv)->peer;

	set_bit(SLICE_PEER_TRANSIT, &p[1]->flags);
	set_bit(SLICE_PEER_TRANSIT, &p[2]->flags);
	routing_test_add(test, AF_INET, "10.9.0.0", 16, p[0]);
	routing_test_add(test, AF_INET, "10.9.0.0", 16, p[1]);
	routing_test_add(test, AF_INET, "10.8.0.0", 16, p[1]);
	routing_test_add(test, AF_INET, "10.8.0.0", 16, p[2]);
	KUNIT_EXPECT_FALSE(test, routing_test_again(test, "10.9.1.1", p[1]));
	set_bit(SLICE_PEER_SILENT, &p[0]->flags);
	/* the sibling's detour, with the own pair down too */
	KUNIT_EXPECT_TRUE(test, routing_test_again(test, "10.9.1.1", p[1]));
	/* a worker node's packet (no detour of the route) may take one */
	KUNIT_EXPECT_FALSE(test, routing_test_again(test, "10.9.1.1", p[2]));
	/* from a pair, and to a route of transit peers only, nothing is a detour */
	KUNIT_EXPECT_FALSE(test, routing_test_again(test, "10.9.1.1", p[0]));
	KUNIT_EXPECT_FALSE(test, routing_test_again(test, "10.8.1.1", p[1]));
	KUNIT_EXPECT_FALSE(test, routing_test_again(test, "10.7.1.1", p[1]));
	clear_bit(SLICE_PEER_SILENT, &p[0]->flags);
	KUNIT_EXPECT_FALSE(test, routing_test_again(test, "10.9.1.1", p[1]));
}

static void routing_test_remove(struct kunit *test)
{
	struct routing_test *t = test->priv;
	struct slice_peer **p = t->peer;
	struct in6_addr a = routing_test_addr(test, AF_INET, "10.9.0.0");
	unsigned int h;

	routing_test_add(test, AF_INET, "10.9.0.0", 16, p[0]);
	routing_test_add(test, AF_INET, "10.9.0.0", 16, p[1]);
	routing_test_add(test, AF_INET, "10.0.0.0", 8, p[2]);
	routing_test_add(test, AF_INET6, "fd00::", 16, p[0]);
	KUNIT_EXPECT_EQ(test, slice_routes_add(&t->table, AF_INET, &a, 16, p[0]), -EEXIST);
	KUNIT_EXPECT_EQ(test, slice_routes_del(&t->table, AF_INET, &a, 16, p[2]), -ENOENT);
	KUNIT_EXPECT_EQ(test, slice_routes_del(&t->table, AF_INET, &a, 24, p[0]), -ENOENT);

	KUNIT_EXPECT_EQ(test, slice_routes_del(&t->table, AF_INET, &a, 16, p[0]), 0);
	for (h = 0; h < 50; h++)
		KUNIT_ASSERT_PTR_EQ(test, p[1],
				    routing_test_pick(test, AF_INET, "10.9.1.1", h << 24));
	KUNIT_EXPECT_EQ(test, t->table.num_routes, 3);

	/* The last peer of a prefix gone: the prefix goes, the shorter one takes over. */
	slice_routes_del_peer(&t->table, p[1]);
	KUNIT_EXPECT_PTR_EQ(test, routing_test_pick(test, AF_INET, "10.9.1.1", 0), p[2]);
	KUNIT_EXPECT_EQ(test, t->table.num_routes, 2);
	KUNIT_EXPECT_EQ(test, t->table.prefixes_v4[16], 0);

	slice_routes_del_peer(&t->table, p[0]);
	KUNIT_EXPECT_NULL(test, routing_test_pick(test, AF_INET6, "fd00::1", 0));
	KUNIT_EXPECT_EQ(test, t->table.num_routes, 1);
	slice_routes_flush(&t->table);
	KUNIT_EXPECT_NULL(test, routing_test_pick(test, AF_INET, "10.9.1.1", 0));
	KUNIT_EXPECT_TRUE(test, list_empty(&t->table.list));
	KUNIT_EXPECT_EQ(test, t->table.num_routes, 0);
}

static void routing_test_allow(struct kunit *test)
{
	struct routing_test *t = test->priv;
	struct slice_peer **p = t->peer;
	struct in6_addr src;
	bool ok[4];

	routing_test_add(test, AF_INET, "10.2.0.0", 16, p[1]);
	routing_test_add(test, AF_INET, "10.2.3.0", 24, p[2]);
	routing_test_add(test, AF_INET, "10.2.3.0", 24, p[0]);
	rcu_read_lock();
	src = routing_test_addr(test, AF_INET, "10.2.1.1");
	ok[0] = slice_routes_allow(&t->table, AF_INET, &src, p[1]);
	ok[1] = slice_routes_allow(&t->table, AF_INET, &src, p[2]);
	src = routing_test_addr(test, AF_INET, "10.2.3.9");
	/* The longest prefix decides: 10.2.3.0/24 is not p[1]'s even though 10.2/16 is. */
	ok[2] = slice_routes_allow(&t->table, AF_INET, &src, p[1]);
	ok[3] = slice_routes_allow(&t->table, AF_INET, &src, p[0]);
	rcu_read_unlock();
	KUNIT_EXPECT_TRUE(test, ok[0]);
	KUNIT_EXPECT_FALSE(test, ok[1]);
	KUNIT_EXPECT_FALSE(test, ok[2]);
	KUNIT_EXPECT_TRUE(test, ok[3]);
}

static void routing_test_prefix_valid(struct kunit *test)
{
	struct in6_addr a;

	a = routing_test_addr(test, AF_INET, "10.0.0.1");
	KUNIT_EXPECT_FALSE(test, slice_prefix_valid(AF_INET, &a, 8));
	KUNIT_EXPECT_TRUE(test, slice_prefix_valid(AF_INET, &a, 32));
	KUNIT_EXPECT_FALSE(test, slice_prefix_valid(AF_INET, &a, 33));
	a = routing_test_addr(test, AF_INET, "10.128.0.0");
	KUNIT_EXPECT_TRUE(test, slice_prefix_valid(AF_INET, &a, 9));
	KUNIT_EXPECT_FALSE(test, slice_prefix_valid(AF_INET, &a, 8));
	a = routing_test_addr(test, AF_INET6, "fd00:0:0:1::");
	KUNIT_EXPECT_TRUE(test, slice_prefix_valid(AF_INET6, &a, 64));
	KUNIT_EXPECT_FALSE(test, slice_prefix_valid(AF_INET6, &a, 48));
	KUNIT_EXPECT_FALSE(test, slice_prefix_valid(AF_INET6, &a, 129));
}

static void routing_test_max_nexthops(struct kunit *test)
{
	struct routing_test *t = test->priv;
	struct in6_addr a = routing_test_addr(test, AF_INET, "10.0.0.0");
	struct slice_peer *peers;
	int i;

	peers = kunit_kcalloc(test, SLICE_ROUTE_MAX_NEXTHOPS + 1, sizeof(*peers), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, peers);
	for (i = 0; i < SLICE_ROUTE_MAX_NEXTHOPS; i++)
		KUNIT_ASSERT_EQ(test, slice_routes_add(&t->table, AF_INET, &a, 8, &peers[i]), 0);
	KUNIT_EXPECT_EQ(test, slice_routes_add(&t->table, AF_INET, &a, 8, &peers[i]), -E2BIG);
}

static struct kunit_case routing_test_cases[] = {
	KUNIT_CASE(routing_test_lpm_v4),
	KUNIT_CASE(routing_test_lpm_v6),
	KUNIT_CASE(routing_test_ecmp),
	KUNIT_CASE(routing_test_ecmp_stable),
	KUNIT_CASE(routing_test_detour),
	KUNIT_CASE(routing_test_detour_again),
	KUNIT_CASE(routing_test_remove),
	KUNIT_CASE(routing_test_allow),
	KUNIT_CASE(routing_test_prefix_valid),
	KUNIT_CASE(routing_test_max_nexthops),
	{}
};

static struct kunit_suite slice_routing_test_suite = {
	.name = "slice_routing",
	.init = routing_test_init,
	.exit = routing_test_exit,
	.test_cases = routing_test_cases,
};

kunit_test_suite(slice_routing_test_suite);
