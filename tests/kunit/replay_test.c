// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of kmod/replay.c: the anti-replay window.
 */
#include <kunit/test.h>

#include "../../kmod/replay.c"

static void replay_test_in_order(struct kunit *test)
{
	struct slice_replay r;
	u64 c;

	slice_replay_init(&r);
	for (c = 0; c < 1000; c++)
		KUNIT_ASSERT_TRUE(test, slice_replay_accept(&r, c));
	for (c = 0; c < 1000; c++)
		KUNIT_ASSERT_FALSE(test, slice_replay_accept(&r, c));
}

static void replay_test_out_of_order(struct kunit *test)
{
	struct slice_replay r;
	u64 c;

	slice_replay_init(&r);
	KUNIT_EXPECT_TRUE(test, slice_replay_accept(&r, 100));
	KUNIT_EXPECT_TRUE(test, slice_replay_accept(&r, 3));
	KUNIT_EXPECT_TRUE(test, slice_replay_accept(&r, 99));
	KUNIT_EXPECT_FALSE(test, slice_replay_accept(&r, 3));
	KUNIT_EXPECT_FALSE(test, slice_replay_accept(&r, 100));
	/* Every other counter, then the gaps, as two interleaved flows would arrive. */
	for (c = 200; c < 2200; c += 2)
		KUNIT_ASSERT_TRUE(test, slice_replay_accept(&r, c));
	for (c = 201; c < 2200; c += 2)
		KUNIT_ASSERT_TRUE(test, slice_replay_accept(&r, c));
	for (c = 200; c < 2200; c++)
		KUNIT_ASSERT_FALSE(test, slice_replay_accept(&r, c));
}

static void replay_test_window_edge(struct kunit *test)
{
	u64 top = SLICE_REPLAY_WINDOW + 100;
	struct slice_replay r;

	KUNIT_EXPECT_GE(test, SLICE_REPLAY_WINDOW, 2048);
	slice_replay_init(&r);
	KUNIT_EXPECT_TRUE(test, slice_replay_accept(&r, top));
	/* The oldest counter still inside the window, and the first one outside it. */
	KUNIT_EXPECT_TRUE(test, slice_replay_accept(&r, top - SLICE_REPLAY_WINDOW + 1));
	KUNIT_EXPECT_FALSE(test, slice_replay_accept(&r, top - SLICE_REPLAY_WINDOW));
	KUNIT_EXPECT_FALSE(test, slice_replay_accept(&r, 0));
	/* 2048 behind the newest is always accepted once. */
	KUNIT_EXPECT_TRUE(test, slice_replay_accept(&r, top - 2048));
	KUNIT_EXPECT_FALSE(test, slice_replay_accept(&r, top - 2048));
}

static void replay_test_wrap(struct kunit *test)
{
	struct slice_replay r;
	u64 c, jump;

	slice_replay_init(&r);
	/* Fill every word of the ring, several times round. */
	for (c = 0; c < 3 * SLICE_REPLAY_RING_BITS; c++)
		KUNIT_ASSERT_TRUE(test, slice_replay_accept(&r, c));
	/*
	 * Jump by more than the ring: the words that now hold the window were full of bits
	 * of old counters, and none of them may make a new counter look replayed.
	 */
	jump = c + SLICE_REPLAY_RING_BITS + 17;
	KUNIT_EXPECT_TRUE(test, slice_replay_accept(&r, jump));
	for (c = jump - 1; c > jump - SLICE_REPLAY_WINDOW; c--)
		KUNIT_ASSERT_TRUE(test, slice_replay_accept(&r, c));
	KUNIT_EXPECT_FALSE(test, slice_replay_accept(&r, jump - SLICE_REPLAY_WINDOW));
	/* A jump of less than the ring clears just the words it passes. */
	KUNIT_EXPECT_TRUE(test, slice_replay_accept(&r, jump + 100));
	KUNIT_EXPECT_FALSE(test, slice_replay_accept(&r, jump - 1));
	KUNIT_EXPECT_TRUE(test, slice_replay_accept(&r, jump + 99));
}

static void replay_test_limit(struct kunit *test)
{
	struct slice_replay r;

	slice_replay_init(&r);
	KUNIT_EXPECT_TRUE(test, slice_replay_accept(&r, SLICE_COUNTER_LIMIT - 1));
	KUNIT_EXPECT_FALSE(test, slice_replay_accept(&r, SLICE_COUNTER_LIMIT));
	KUNIT_EXPECT_FALSE(test, slice_replay_accept(&r, U64_MAX));
	KUNIT_EXPECT_TRUE(test, slice_replay_accept(&r, SLICE_COUNTER_LIMIT - 2));
}

static struct kunit_case replay_test_cases[] = {
	KUNIT_CASE(replay_test_in_order),
	KUNIT_CASE(replay_test_out_of_order),
	KUNIT_CASE(replay_test_window_edge),
	KUNIT_CASE(replay_test_wrap),
	KUNIT_CASE(replay_test_limit),
	{}
};

static struct kunit_suite slice_replay_test_suite = {
	.name = "slice_replay",
	.test_cases = replay_test_cases,
};

kunit_test_suite(slice_replay_test_suite);
