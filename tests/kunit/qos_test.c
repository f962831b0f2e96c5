// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of kmod/qos.c: the ceiling's token bucket (rates, bursts, late wake-ups, long
 * idle, clock wrap), the profile checks, the outer DS field, and the queue pause and restart
 * on a real net_device.
 *
 * The module carries its own copy of the code under test, so it loads without slice.ko.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/pkt_sched.h>

#include "../../kmod/qos.c"

/* 1000 kbit/s: 125000 bytes/s, exactly 8000 ns per byte. */
#define QOS_TEST_RATE		125000ULL
#define QOS_TEST_NS_PER_BYTE	8000ULL

/*
 * Sends @len-byte packets as fast as the bucket lets them go, from @start for @duration ns
 * of simulated time, and returns the bytes sent.
 */
static u64 qos_test_saturate(struct slice_tb *tb, unsigned int len, u64 start, u64 duration)
{
	u64 now = start, sent = 0, wait;

	while (now - start < duration) {
		wait = slice_tb_wait(tb, now);
		if (wait) {
			now += wait;
			continue;
		}
		slice_tb_charge(tb, len, now);
		sent += len;
	}
	return sent;
}

static void qos_test_rate_low(struct kunit *test)
{
	struct slice_tb tb;
	u64 sent;

	slice_tb_init(&tb, QOS_TEST_RATE, 0);
	/* One second at the rate plus the 3000-byte burst, to the byte. */
	sent = qos_test_saturate(&tb, 1000, 0, NSEC_PER_SEC);
	KUNIT_EXPECT_EQ(test, sent, QOS_TEST_RATE + 3000);
}

static void qos_test_rate_high(struct kunit *test)
{
	u64 rate = 10ULL * 1000 * 1000 * 1000 / 8;	/* 10 Gbit/s */
	u64 burst = rate / 100;				/* 10 ms */
	struct slice_tb tb;
	u64 sent;

	slice_tb_init(&tb, rate, 0);
	/* GSO-sized packets; the reciprocal division must not drift by more than 0.1%. */
	sent = qos_test_saturate(&tb, 65536, 0, NSEC_PER_SEC);
	KUNIT_EXPECT_GE(test, sent, rate + burst - rate / 1000);
	KUNIT_EXPECT_LE(test, sent, rate + burst + 65536 + rate / 1000);
}

static void qos_test_debt(struct kunit *test)
{
	struct slice_tb tb;

	slice_tb_init(&tb, QOS_TEST_RATE, 0);
	/* The full bucket (3000 bytes) goes at once; the next byte is on credit. */
	KUNIT_EXPECT_EQ(test, slice_tb_charge(&tb, 3000, 0), 0ULL);
	KUNIT_EXPECT_EQ(test, slice_tb_charge(&tb, 1, 0), QOS_TEST_NS_PER_BYTE);
	/* A packet taken while in debt adds to it. */
	KUNIT_EXPECT_EQ(test, slice_tb_charge(&tb, 1500, 0), 1501 * QOS_TEST_NS_PER_BYTE);
	/* The debt shrinks with time and is paid exactly when its time has passed. */
	KUNIT_EXPECT_EQ(test, slice_tb_wait(&tb, 1000 * QOS_TEST_NS_PER_BYTE),
			501 * QOS_TEST_NS_PER_BYTE);
	KUNIT_EXPECT_EQ(test, slice_tb_wait(&tb, 1501 * QOS_TEST_NS_PER_BYTE - 1), 1ULL);
	KUNIT_EXPECT_EQ(test, slice_tb_wait(&tb, 1501 * QOS_TEST_NS_PER_BYTE), 0ULL);
}

static void qos_test_burst_after_idle(struct kunit *test)
{
	u64 rate = 100ULL * 1000 * 1000 / 8;	/* 100 Mbit/s: the burst is 10 ms */
	u64 hour = 3600ULL * NSEC_PER_SEC;
	struct slice_tb tb;

	slice_tb_init(&tb, rate, 0);
	KUNIT_EXPECT_EQ(test, tb.burst_ns, (s64)SLICE_QOS_BURST_NS);
	slice_tb_charge(&tb, 1000000, 0);
	/* An hour of idle fills the bucket to the burst and not beyond. */
	KUNIT_EXPECT_EQ(test, slice_tb_wait(&tb, hour), 0ULL);
	KUNIT_EXPECT_EQ(test, tb.tokens, tb.burst_ns);
	KUNIT_EXPECT_EQ(test, slice_tb_charge(&tb, rate / 100, hour), 0ULL);
	KUNIT_EXPECT_GT(test, slice_tb_charge(&tb, 1, hour), 0ULL);
}

/*
 * A sender held back by the bucket whose every wake-up comes @late ns after its debt is paid
 * (a starved CPU) sends @len-byte packets for @duration ns of simulated time; returns the
 * bytes sent.
 */
static u64 qos_test_late_wakeups(struct slice_tb *tb, unsigned int len, u64 late, u64 duration)
{
	u64 now = 0, sent = 0, debt;

	while (now < duration) {
		debt = slice_tb_charge(tb, len, now);
		sent += len;
		if (!debt)
			continue;
		now += debt + late;
		while ((debt = slice_tb_resume(tb, now)))
			now += debt;
	}
	return sent;
}

/* Wake-ups 30 ms late, beyond the 24 ms burst: the mean stays at the ceiling. */
static void qos_test_late_wakeups_mean(struct kunit *test)
{
	struct slice_tb tb;
	u64 sent;

	slice_tb_init(&tb, QOS_TEST_RATE, 0);
	sent = qos_test_late_wakeups(&tb, 1500, 30 * NSEC_PER_MSEC, 10 * NSEC_PER_SEC);
	/* Ten seconds at the rate (less the last wake-up's lateness left unspent), plus the
	 * burst the bucket starts with and the last packet.
	 */
	KUNIT_EXPECT_GE(test, sent, 10 * QOS_TEST_RATE - 1500);
	KUNIT_EXPECT_LE(test, sent, 10 * QOS_TEST_RATE + 3000 + 2 * 1500);
}

/* A wake-up a second late is credited up to SLICE_QOS_LATE_MAX_NS beyond the burst only. */
static void qos_test_late_wakeup_bounded(struct kunit *test)
{
	/* The burst at 1000 kbit/s is SLICE_QOS_BURST_MIN (24 ms), then 100 ms of lateness. */
	u64 credit = (24 + 100) * NSEC_PER_MSEC / QOS_TEST_NS_PER_BYTE;
	struct slice_tb tb;
	u64 debt, now;

	slice_tb_init(&tb, QOS_TEST_RATE, 0);
	debt = slice_tb_charge(&tb, 4000, 0);
	KUNIT_EXPECT_EQ(test, debt, 1000 * QOS_TEST_NS_PER_BYTE);
	now = debt + NSEC_PER_SEC;
	KUNIT_EXPECT_EQ(test, slice_tb_resume(&tb, now), 0ULL);
	/* A plain refill keeps credit above the burst: it neither clips nor grows it. */
	KUNIT_EXPECT_EQ(test, slice_tb_charge(&tb, 1, now + 1), 0ULL);
	KUNIT_EXPECT_EQ(test, slice_tb_charge(&tb, credit - 1, now + 1), 0ULL);
	KUNIT_EXPECT_EQ(test, slice_tb_charge(&tb, 1, now + 1), QOS_TEST_NS_PER_BYTE);
}

static void qos_test_burst_min(struct kunit *test)
{
	struct slice_tb tb;

	/* 8 kbit/s: 10 ms would be 10 bytes, so the burst is two 1500-byte frames (3 s). */
	slice_tb_init(&tb, 1000, 0);
	KUNIT_EXPECT_EQ(test, tb.burst_ns, 3LL * NSEC_PER_SEC);
}

static void qos_test_long_idle_fastest(struct kunit *test)
{
	/* The largest ceiling genl accepts: U32_MAX kbit/s. */
	u64 rate = (u64)U32_MAX * SLICE_QOS_KBPS_TO_BPS;
	struct slice_tb tb;

	slice_tb_init(&tb, rate, 0);
	slice_tb_charge(&tb, 65536, 0);
	/* Idle long enough to overflow rate * time in any byte-based bucket. */
	KUNIT_EXPECT_EQ(test, slice_tb_wait(&tb, (u64)S64_MAX), 0ULL);
	KUNIT_EXPECT_EQ(test, tb.tokens, tb.burst_ns);
	KUNIT_EXPECT_EQ(test, tb.burst_ns, (s64)SLICE_QOS_BURST_NS);
}

static void qos_test_clock_wrap(struct kunit *test)
{
	u64 start = U64_MAX - 5 * NSEC_PER_MSEC;
	struct slice_tb tb;

	slice_tb_init(&tb, QOS_TEST_RATE, start);
	/* 3000 bytes of burst plus 1000 on credit: 8 ms of debt. */
	KUNIT_EXPECT_EQ(test, slice_tb_charge(&tb, 4000, start), 1000 * QOS_TEST_NS_PER_BYTE);
	/* The clock wraps 5 ms + 1 ns later: at 1 ms past the wrap, 6 ms + 1 ns are paid. */
	KUNIT_EXPECT_EQ(test, slice_tb_wait(&tb, NSEC_PER_MSEC), 2 * NSEC_PER_MSEC - 1);
	KUNIT_EXPECT_EQ(test, slice_tb_wait(&tb, 3 * NSEC_PER_MSEC - 2), 1ULL);
	KUNIT_EXPECT_EQ(test, slice_tb_wait(&tb, 3 * NSEC_PER_MSEC - 1), 0ULL);
}

static void qos_test_clock_behind(struct kunit *test)
{
	struct slice_tb tb;

	slice_tb_init(&tb, QOS_TEST_RATE, NSEC_PER_SEC);
	slice_tb_charge(&tb, 4000, NSEC_PER_SEC);
	/* A timestamp read before the last refill (another CPU got the lock first) adds nothing. */
	KUNIT_EXPECT_EQ(test, slice_tb_wait(&tb, NSEC_PER_SEC - 1), 1000 * QOS_TEST_NS_PER_BYTE);
	KUNIT_EXPECT_EQ(test, tb.t_last, (u64)NSEC_PER_SEC);
	KUNIT_EXPECT_EQ(test, slice_tb_wait(&tb, NSEC_PER_SEC + 1000 * QOS_TEST_NS_PER_BYTE), 0ULL);
}

static void qos_test_dscp_classes(struct kunit *test)
{
	static const u8 classes[] = { 0, 10, 12, 14, 18, 20, 22, 26, 28, 30, 34, 36, 38, 46 };
	unsigned int i, valid = 0;

	for (i = 0; i < 64; i++)
		valid += slice_qos_dscp_valid(i);
	KUNIT_EXPECT_EQ(test, valid, ARRAY_SIZE(classes));
	for (i = 0; i < ARRAY_SIZE(classes); i++)
		KUNIT_EXPECT_TRUE_MSG(test, slice_qos_dscp_valid(classes[i]), "dscp %u",
				      classes[i]);
	/* CS1 (8), AF14-like 16, odd points, AF5x: not KubeSlice classes. */
	KUNIT_EXPECT_FALSE(test, slice_qos_dscp_valid(8));
	KUNIT_EXPECT_FALSE(test, slice_qos_dscp_valid(16));
	KUNIT_EXPECT_FALSE(test, slice_qos_dscp_valid(11));
	KUNIT_EXPECT_FALSE(test, slice_qos_dscp_valid(42));
	KUNIT_EXPECT_FALSE(test, slice_qos_dscp_valid(63));
}

static void qos_test_expect_rejected(struct kunit *test, const struct slice_qos_profile *p,
				     const char *why)
{
	struct netlink_ext_ack extack = {};

	KUNIT_EXPECT_EQ(test, slice_qos_profile_check(p, &extack), -EINVAL);
	KUNIT_ASSERT_NOT_NULL(test, extack._msg);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(extack._msg, why), "message: %s", extack._msg);
}

static void qos_test_profile_check(struct kunit *test)
{
	struct slice_qos_profile ok = {
		.ceiling_kbps = 5120, .guaranteed_kbps = 2560, .priority = 1, .dscp = 10,
	};
	struct netlink_ext_ack extack = {};
	struct slice_qos_profile p;

	KUNIT_EXPECT_EQ(test, slice_qos_profile_check(&ok, &extack), 0);
	KUNIT_EXPECT_NULL(test, extack._msg);
	p = ok;
	p.guaranteed_kbps = p.ceiling_kbps;
	KUNIT_EXPECT_EQ(test, slice_qos_profile_check(&p, &extack), 0);

	p = ok;
	p.ceiling_kbps = 0;
	p.guaranteed_kbps = 0;
	qos_test_expect_rejected(test, &p, "ceiling must be at least");
	p = ok;
	p.guaranteed_kbps = p.ceiling_kbps + 1;
	qos_test_expect_rejected(test, &p, "guaranteed bandwidth is above the ceiling");
	p = ok;
	p.dscp = 11;
	qos_test_expect_rejected(test, &p, "not a KubeSlice class");
	p = ok;
	p.priority = SLICE_QOS_PRIORITY_MAX + 1;
	qos_test_expect_rejected(test, &p, "priority must be");
}

static void qos_test_dsfield(struct kunit *test)
{
	struct slice_qos q = {};

	/* No profile: DSCP 0, and the inner ECN codepoint carried over. */
	KUNIT_EXPECT_EQ(test, slice_qos_dsfield(&q, 0xb8 | INET_ECN_ECT_1), INET_ECN_ECT_1);
	q.dscp = 46;
	KUNIT_EXPECT_EQ(test, slice_qos_dsfield(&q, 0), 0xb8);
	/* The inner DSCP never leaks out; ECT passes, CE becomes ECT(0). */
	KUNIT_EXPECT_EQ(test, slice_qos_dsfield(&q, (10 << 2) | INET_ECN_ECT_0),
			0xb8 | INET_ECN_ECT_0);
	KUNIT_EXPECT_EQ(test, slice_qos_dsfield(&q, INET_ECN_CE), 0xb8 | INET_ECN_ECT_0);
}

static netdev_tx_t qos_test_xmit(struct sk_buff *skb, struct net_device *dev)
{
	dev_kfree_skb(skb);
	return NETDEV_TX_OK;
}

static const struct net_device_ops qos_test_netdev_ops = {
	.ndo_start_xmit = qos_test_xmit,
};

static void qos_test_netdev_setup(struct net_device *dev)
{
	dev->netdev_ops = &qos_test_netdev_ops;
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_NOARP;
	dev->mtu = 1500;
	/* A real qdisc holds packets while the ceiling pauses the queue, as on slice devices. */
	dev->tx_queue_len = DEFAULT_TX_QUEUE_LEN;
	dev->needs_free_netdev = true;
}

static struct net_device *qos_test_netdev(struct kunit *test)
{
	struct net_device *dev;
	int err;

	dev = alloc_netdev(0, "qostest%d", NET_NAME_ENUM, qos_test_netdev_setup);
	KUNIT_ASSERT_NOT_NULL(test, dev);
	rtnl_lock();
	err = register_netdevice(dev);
	if (!err)
		err = dev_open(dev, NULL);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, err, 0);
	return dev;
}

/* Waits up to a second (timers are slow under TCG) for the queue to restart. */
static bool qos_test_restarted(struct net_device *dev)
{
	int i;

	for (i = 0; i < 50 && netif_queue_stopped(dev); i++)
		msleep(20);
	return !netif_queue_stopped(dev);
}

static void qos_test_pause_restart(struct kunit *test)
{
	struct slice_qos_profile p = { .ceiling_kbps = 1000 };
	struct slice_qos_profile got;
	struct net_device *dev = qos_test_netdev(test);
	struct slice_qos *q;

	/* On the heap: an hrtimer on the stack upsets debugobjects. */
	q = kunit_kzalloc(test, sizeof(*q), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	slice_qos_init(q, dev);
	KUNIT_EXPECT_FALSE(test, slice_qos_get(q, &got));
	local_bh_disable();
	/* No profile: nothing is charged, the queue never stops. */
	slice_qos_admit(q, 1000000);
	local_bh_enable();
	KUNIT_EXPECT_FALSE(test, netif_queue_stopped(dev));

	slice_qos_set(q, &p);
	KUNIT_EXPECT_TRUE(test, slice_qos_get(q, &got));
	KUNIT_EXPECT_EQ(test, got.ceiling_kbps, 1000U);
	local_bh_disable();
	slice_qos_admit(q, 3000);
	local_bh_enable();
	KUNIT_EXPECT_FALSE(test, netif_queue_stopped(dev));
	/* 100 ms of debt at 1000 kbit/s: stopped now, restarted by the timer. */
	local_bh_disable();
	slice_qos_admit(q, 12500);
	local_bh_enable();
	KUNIT_EXPECT_TRUE(test, netif_queue_stopped(dev));
	KUNIT_EXPECT_TRUE(test, qos_test_restarted(dev));

	/* Removing the profile restarts a queue held back by the ceiling at once. */
	local_bh_disable();
	slice_qos_admit(q, 125000 * 60);
	local_bh_enable();
	KUNIT_EXPECT_TRUE(test, netif_queue_stopped(dev));
	slice_qos_set(q, NULL);
	KUNIT_EXPECT_TRUE(test, qos_test_restarted(dev));
	KUNIT_EXPECT_FALSE(test, slice_qos_get(q, &got));

	slice_qos_uninit(q);
	unregister_netdev(dev);
}

static struct kunit_case slice_qos_test_cases[] = {
	KUNIT_CASE(qos_test_rate_low),
	KUNIT_CASE(qos_test_rate_high),
	KUNIT_CASE(qos_test_debt),
	KUNIT_CASE(qos_test_burst_after_idle),
	KUNIT_CASE(qos_test_late_wakeups_mean),
	KUNIT_CASE(qos_test_late_wakeup_bounded),
	KUNIT_CASE(qos_test_burst_min),
	KUNIT_CASE(qos_test_long_idle_fastest),
	KUNIT_CASE(qos_test_clock_wrap),
	KUNIT_CASE(qos_test_clock_behind),
	KUNIT_CASE(qos_test_dscp_classes),
	KUNIT_CASE(qos_test_profile_check),
	KUNIT_CASE(qos_test_dsfield),
	KUNIT_CASE(qos_test_pause_restart),
	{}
};

static struct kunit_suite slice_qos_test_suite = {
	.name = "slice_qos",
	.test_cases = slice_qos_test_cases,
};

kunit_test_suite(slice_qos_test_suite);

MODULE_LICENSE("GPL");
