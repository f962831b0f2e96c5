// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of kmod/liveness.c: keepalives when nothing was sent, down after the timeout,
 * back at once or after a hold time without a gap, a flapping peer held out, and the clock
 * ticking at the next deadline (never spinning, stopped when there is nothing to watch), and
 * a clock that ticks far too late (a starved machine) judging nothing.
 * Time is made up: each step passes its own jiffies.
 */
#include <kunit/test.h>

#include "../../kmod/liveness.c"

/* A start far from 0, so that "before the start" wraps as it would in the kernel. */
#define T0	((unsigned long)-5000)

static unsigned long at(unsigned int ms)
{
	return T0 + msecs_to_jiffies(ms);
}

static struct slice_peer *liveness_test_peer(struct kunit *test, u32 interval_ms,
					     u32 timeout_ms, u32 hold_ms)
{
	struct slice_peer *peer = kunit_kzalloc(test, sizeof(*peer), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, peer);
	slice_liveness_init(&peer->live);
	peer->flags = BIT(SLICE_PEER_ADMIN_UP);
	peer->last_tx = at(0);
	KUNIT_EXPECT_EQ(test, slice_liveness_configure(peer, interval_ms, timeout_ms, hold_ms,
						       at(0)), SLICE_LIVENESS_SAME);
	return peer;
}

static enum slice_liveness_change tick(struct slice_peer *peer, unsigned int ms)
{
	return slice_liveness_tick(peer, at(ms)).change;
}

/* The clock's ticks when they are due, up to and at @ms; the last change seen. */
static enum slice_liveness_change run_to(struct slice_peer *peer, unsigned int ms)
{
	enum slice_liveness_change last = SLICE_LIVENESS_SAME, c;

	while (time_before(peer->live.due, at(ms))) {
		c = slice_liveness_tick(peer, peer->live.due).change;
		last = c == SLICE_LIVENESS_SAME ? last : c;
	}
	c = tick(peer, ms);
	return c == SLICE_LIVENESS_SAME ? last : c;
}

static void liveness_test_keepalive(struct kunit *test)
{
	struct slice_peer *peer = liveness_test_peer(test, 100, 0, 0);
	struct slice_liveness_step step;

	step = slice_liveness_tick(peer, at(50));
	KUNIT_EXPECT_FALSE(test, step.keepalive);
	KUNIT_EXPECT_EQ(test, step.delay, at(100) - at(50));
	step = slice_liveness_tick(peer, at(100));
	KUNIT_EXPECT_TRUE(test, step.keepalive);
	KUNIT_EXPECT_EQ(test, step.delay, msecs_to_jiffies(100));
	/* The keepalive could not go (no key): the next is due an interval later, not now. */
	step = slice_liveness_tick(peer, at(101));
	KUNIT_EXPECT_TRUE(test, step.keepalive);
	KUNIT_EXPECT_EQ(test, step.delay, msecs_to_jiffies(100));
	/* Data went out at 150: nothing is due before 250. */
	peer->last_tx = at(150);
	step = slice_liveness_tick(peer, at(200));
	KUNIT_EXPECT_FALSE(test, step.keepalive);
	KUNIT_EXPECT_EQ(test, step.delay, at(250) - at(200));
	KUNIT_EXPECT_EQ(test, step.change, SLICE_LIVENESS_SAME);
}

static void liveness_test_timeout(struct kunit *test)
{
	struct slice_peer *peer = liveness_test_peer(test, 100, 300, 0);

	KUNIT_EXPECT_EQ(test, slice_liveness_tick(peer, at(0)).delay, msecs_to_jiffies(100));
	slice_liveness_heard(peer, at(200));
	KUNIT_EXPECT_EQ(test, run_to(peer, 400), SLICE_LIVENESS_SAME);
	/* The silence deadline (500) comes before the next keepalive (550). */
	KUNIT_EXPECT_EQ(test, slice_liveness_tick(peer, at(450)).delay, at(500) - at(450));
	KUNIT_EXPECT_TRUE(test, slice_peer_usable(peer));
	KUNIT_EXPECT_EQ(test, tick(peer, 500), SLICE_LIVENESS_DOWN);
	KUNIT_EXPECT_FALSE(test, slice_peer_usable(peer));
	KUNIT_EXPECT_EQ(test, tick(peer, 600), SLICE_LIVENESS_SAME);
	KUNIT_EXPECT_EQ(test, peer->live.silences, 1);
	/* No hold time: the first packet brings it back. */
	KUNIT_EXPECT_EQ(test, slice_liveness_heard(peer, at(700)), SLICE_LIVENESS_UP);
	KUNIT_EXPECT_TRUE(test, slice_peer_usable(peer));
	KUNIT_EXPECT_EQ(test, slice_liveness_heard(peer, at(710)), SLICE_LIVENESS_SAME);
	KUNIT_EXPECT_EQ(test, run_to(peer, 1000), SLICE_LIVENESS_SAME);
	KUNIT_EXPECT_EQ(test, tick(peer, 1100), SLICE_LIVENESS_DOWN);
	KUNIT_EXPECT_EQ(test, peer->live.silences, 2);
}

static void liveness_test_hold(struct kunit *test)
{
	struct slice_peer *peer = liveness_test_peer(test, 100, 300, 1000);
	unsigned int ms;

	KUNIT_EXPECT_EQ(test, run_to(peer, 300), SLICE_LIVENESS_DOWN);
	KUNIT_EXPECT_EQ(test, slice_liveness_heard(peer, at(400)), SLICE_LIVENESS_SAME);
	KUNIT_EXPECT_FALSE(test, slice_peer_usable(peer));
	KUNIT_EXPECT_TRUE(test, peer->live.recovering);
	/* A gap of the timeout during the hold: it starts again with the next packet. */
	KUNIT_EXPECT_EQ(test, run_to(peer, 700), SLICE_LIVENESS_SAME);
	KUNIT_EXPECT_FALSE(test, peer->live.recovering);
	slice_liveness_heard(peer, at(800));
	for (ms = 800; ms < 1800; ms += 100) {
		slice_liveness_heard(peer, at(ms));
		KUNIT_ASSERT_EQ(test, tick(peer, ms + 50), SLICE_LIVENESS_SAME);
		KUNIT_ASSERT_FALSE(test, slice_peer_usable(peer));
	}
	KUNIT_EXPECT_EQ(test, tick(peer, 1800), SLICE_LIVENESS_UP);
	KUNIT_EXPECT_TRUE(test, slice_peer_usable(peer));
	KUNIT_EXPECT_EQ(test, peer->live.silences, 1);
}

/*
 * A gateway that answers for 600 ms and is gone for 400, over and over: with a hold time of
 * 1 s the router takes it out once and never puts it back; with 500 ms it may come back,
 * but never sooner than the hold time after it went.
 */
static void liveness_test_flapping(struct kunit *test)
{
	static const u32 holds[] = { 1000, 500 };
	unsigned long went_down = 0;
	unsigned int i, ms, changes;
	struct slice_peer *peer;
	int c;

	for (i = 0; i < ARRAY_SIZE(holds); i++) {
		peer = liveness_test_peer(test, 100, 300, holds[i]);
		changes = 0;
		for (ms = 0; ms < 20000; ms += 4) {
			if (ms % 1000 < 600 && ms % 20 == 0)
				slice_liveness_heard(peer, at(ms));
			c = tick(peer, ms);
			if (c == SLICE_LIVENESS_DOWN)
				went_down = at(ms);
			if (c == SLICE_LIVENESS_UP)
				KUNIT_ASSERT_GE(test, at(ms) - went_down,
						msecs_to_jiffies(holds[i]));
			changes += c != SLICE_LIVENESS_SAME;
		}
		if (holds[i] == 1000)
			KUNIT_EXPECT_EQ(test, changes, 1);
		KUNIT_EXPECT_LE(test, changes, 2 * 20000 / holds[i]);
	}
}

static void liveness_test_clock(struct kunit *test)
{
	struct slice_peer *peer = liveness_test_peer(test, 0, 0, 0);

	/* Nothing to watch: the clock stops. */
	KUNIT_EXPECT_EQ(test, slice_liveness_tick(peer, at(10)).delay, 0);
	/* Timeout only, silent: the clock still ticks, so that a recovery gets noticed. */
	KUNIT_EXPECT_EQ(test, slice_liveness_configure(peer, 0, 200, 500, at(0)),
			SLICE_LIVENESS_SAME);
	KUNIT_EXPECT_EQ(test, run_to(peer, 200), SLICE_LIVENESS_DOWN);
	KUNIT_EXPECT_EQ(test, slice_liveness_tick(peer, at(300)).delay, msecs_to_jiffies(200));
	/* Recovering: it wakes for the earlier of silence (510) and the end of the hold (810). */
	slice_liveness_heard(peer, at(310));
	KUNIT_EXPECT_EQ(test, slice_liveness_tick(peer, at(320)).delay,
			at(310) + msecs_to_jiffies(200) - at(320));
	/* A tick long after it was due (a loaded machine): the recovery is void. */
	KUNIT_EXPECT_EQ(test, tick(peer, 5000), SLICE_LIVENESS_SAME);
	KUNIT_EXPECT_FALSE(test, peer->live.recovering);
	KUNIT_EXPECT_FALSE(test, slice_peer_usable(peer));
	/* A new configuration forgets the silence. */
	KUNIT_EXPECT_EQ(test, slice_liveness_configure(peer, 100, 300, 0, at(6000)),
			SLICE_LIVENESS_UP);
	KUNIT_EXPECT_TRUE(test, slice_peer_usable(peer));
	KUNIT_EXPECT_EQ(test, slice_liveness_restart(peer, at(6100)), SLICE_LIVENESS_SAME);
}

/*
 * A machine that did not run the clock for 900 ms (a TCG guest whose host was busy): the
 * silence of that time is no evidence, so the peer stays up, and a dead peer is down one
 * timeout after the late tick. A stall during a recovery voids it: the hold starts again.
 */
static void liveness_test_stall(struct kunit *test)
{
	struct slice_peer *peer = liveness_test_peer(test, 100, 500, 1000);
	unsigned int ms;

	slice_liveness_heard(peer, at(150));
	KUNIT_EXPECT_EQ(test, run_to(peer, 200), SLICE_LIVENESS_SAME);
	/* Due at 300, run at 1200: more than half the timeout late. */
	KUNIT_EXPECT_EQ(test, tick(peer, 1200), SLICE_LIVENESS_SAME);
	KUNIT_EXPECT_TRUE(test, slice_peer_usable(peer));
	KUNIT_EXPECT_EQ(test, peer->live.stalls, 1);
	/* Nothing heard since: down at 1700 (1200 + the timeout), not before. */
	KUNIT_EXPECT_EQ(test, run_to(peer, 1690), SLICE_LIVENESS_SAME);
	KUNIT_EXPECT_EQ(test, run_to(peer, 1700), SLICE_LIVENESS_DOWN);
	KUNIT_EXPECT_EQ(test, peer->live.silences, 1);
	/* Late ticks of less than half the timeout are ordinary jitter: no stall. */
	KUNIT_EXPECT_EQ(test, slice_liveness_tick(peer, peer->live.due +
						  msecs_to_jiffies(200)).change,
			SLICE_LIVENESS_SAME);
	KUNIT_EXPECT_EQ(test, peer->live.stalls, 1);
	/* Heard again from 2000; the tick due at 2600 runs at 3400 and voids the recovery, ... */
	for (ms = 2000; ms <= 2500; ms += 50) {
		slice_liveness_heard(peer, at(ms));
		KUNIT_ASSERT_EQ(test, run_to(peer, ms), SLICE_LIVENESS_SAME);
	}
	KUNIT_EXPECT_TRUE(test, peer->live.recovering);
	KUNIT_EXPECT_EQ(test, tick(peer, 3400), SLICE_LIVENESS_SAME);
	KUNIT_EXPECT_FALSE(test, peer->live.recovering);
	KUNIT_EXPECT_EQ(test, peer->live.stalls, 2);
	/* ... so the hold starts with the next packet (3400): up at 4400. */
	for (ms = 3400; ms < 4400; ms += 50) {
		slice_liveness_heard(peer, at(ms));
		KUNIT_ASSERT_EQ(test, run_to(peer, ms), SLICE_LIVENESS_SAME);
		KUNIT_ASSERT_FALSE(test, slice_peer_usable(peer));
	}
	KUNIT_EXPECT_EQ(test, run_to(peer, 4400), SLICE_LIVENESS_UP);
}

static struct kunit_case liveness_test_cases[] = {
	KUNIT_CASE(liveness_test_keepalive),
	KUNIT_CASE(liveness_test_timeout),
	KUNIT_CASE(liveness_test_hold),
	KUNIT_CASE(liveness_test_flapping),
	KUNIT_CASE(liveness_test_clock),
	KUNIT_CASE(liveness_test_stall),
	{}
};

static struct kunit_suite slice_liveness_test_suite = {
	.name = "slice_liveness",
	.test_cases = liveness_test_cases,
};

kunit_test_suite(slice_liveness_test_suite);
