// SPDX-License-Identifier: GPL-2.0
/*
 * slice: per-slice QoS.
 *
 * The ceiling is enforced by pacing, not by policing: every packet handed to the device is
 * sent, and charged to a token bucket; when the charge leaves the bucket in debt, the device
 * stops its queues and a timer restarts them once the debt is paid. Packets then wait in the
 * device's qdisc (fq_codel, pfifo_fast or whatever the admin attached), whose backlog and
 * drops are what TCP reacts to, so a TCP flow settles at the ceiling instead of collapsing
 * under the losses a policer causes. Guaranteed rates and priorities among slices are the
 * uplink's HTB's business (programmed from userspace); this file only marks the outer packets
 * so that HTB can classify them.
 */
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/netdevice.h>
#include <linux/netlink.h>
#include <net/inet_ecn.h>

#include "qos.h"

/* Bytes per second of a kbit/s figure (KubeSlice's "Kbps": 1000 bit/s). */
#define SLICE_QOS_KBPS_TO_BPS	(1000 / 8)

/**
 * slice_tb_init - set a bucket's rate and fill it
 * @tb: the bucket
 * @rate_bytes_ps: the rate, bytes per second; not 0
 * @now: the current time, ns
 *
 * The burst is SLICE_QOS_BURST_NS at the rate, and never less than SLICE_QOS_BURST_MIN bytes.
 */
void slice_tb_init(struct slice_tb *tb, u64 rate_bytes_ps, u64 now)
{
	struct tc_ratespec spec = {};

	psched_ratecfg_precompute(&tb->rate, &spec, rate_bytes_ps);
	tb->burst_ns = max_t(u64, SLICE_QOS_BURST_NS,
			     psched_l2t_ns(&tb->rate, SLICE_QOS_BURST_MIN));
	tb->tokens = tb->burst_ns;
	tb->t_last = now;
}

/*
 * Credit accrues with time up to @cap; credit above it (owed to a sender that a late wake-up
 * held back, slice_tb_resume()) is kept until spent. Differences of timestamps are taken
 * modulo 2^64 so that a wrapping clock still counts forward; a timestamp older than the last
 * one (another CPU refilled first) adds nothing.
 */
static void slice_tb_refill(struct slice_tb *tb, u64 now, s64 cap)
{
	s64 elapsed = (s64)(now - tb->t_last);

	if (elapsed <= 0)
		return;
	tb->t_last = now;
	if (tb->tokens >= cap)
		return;
	if (elapsed >= cap - tb->tokens)
		tb->tokens = cap;
	else
		tb->tokens += elapsed;
}

static u64 slice_tb_debt(const struct slice_tb *tb)
{
	return tb->tokens < 0 ? -tb->tokens : 0;
}

/**
 * slice_tb_charge - take a packet's transmission time from the bucket
 * @tb: the bucket
 * @len: the packet's length, bytes
 * @now: the current time, ns
 *
 * The packet is always taken, on credit if need be; the caller holds back what follows until
 * the debt is paid.
 *
 * Return: the debt after the charge, ns (0 when the bucket still has credit).
 */
u64 slice_tb_charge(struct slice_tb *tb, unsigned int len, u64 now)
{
	slice_tb_refill(tb, now, tb->burst_ns);
	tb->tokens -= psched_l2t_ns(&tb->rate, len);
	return slice_tb_debt(tb);
}

/**
 * slice_tb_wait - how long until the bucket is out of debt
 * @tb: the bucket
 * @now: the current time, ns
 *
 * Return: the remaining debt, ns (0 when the next packet may go).
 */
u64 slice_tb_wait(struct slice_tb *tb, u64 now)
{
	slice_tb_refill(tb, now, tb->burst_ns);
	return slice_tb_debt(tb);
}

/**
 * slice_tb_resume - slice_tb_wait() for a sender held back since its last charge
 * @tb: the bucket
 * @now: the current time, ns
 *
 * The sender was waiting all along, so the time its wake-up came late is credited in full,
 * up to SLICE_QOS_LATE_MAX_NS beyond the burst: the mean rate then stays at the ceiling
 * however late timers run (a starved virtual CPU stalls them for tens of milliseconds),
 * and what is sent at once is only what the lateness withheld.
 *
 * Return: the remaining debt, ns (0 when the next packet may go).
 */
u64 slice_tb_resume(struct slice_tb *tb, u64 now)
{
	slice_tb_refill(tb, now, tb->burst_ns + SLICE_QOS_LATE_MAX_NS);
	return slice_tb_debt(tb);
}

/**
 * slice_qos_dscp_valid - is a DSCP one of the classes KubeSlice offers
 * @dscp: the code point, 0..63
 *
 * Default (0), the assured-forwarding classes AF11..AF43 (RFC 2597) and EF (46, RFC 3246).
 *
 * Return: true for Default, AF11..AF43 and EF.
 */
bool slice_qos_dscp_valid(u8 dscp)
{
	/* AFxy = 8x + 2y, x in 1..4, y in 1..3. */
	u8 x = dscp >> 3, y = (dscp & 7) >> 1;

	if (dscp == 0 || dscp == 46)
		return true;
	return x >= 1 && x <= 4 && y >= 1 && y <= 3 && !(dscp & 1);
}

/**
 * slice_qos_profile_check - reject a profile that cannot be enforced
 * @p: the profile
 * @extack: where the reason goes
 *
 * Return: 0, or -EINVAL with a message in @extack.
 */
int slice_qos_profile_check(const struct slice_qos_profile *p, struct netlink_ext_ack *extack)
{
	if (!p->ceiling_kbps) {
		NL_SET_ERR_MSG_MOD(extack, "QoS ceiling must be at least 1 kbit/s");
		return -EINVAL;
	}
	if (p->guaranteed_kbps > p->ceiling_kbps) {
		NL_SET_ERR_MSG_MOD(extack, "QoS guaranteed bandwidth is above the ceiling");
		return -EINVAL;
	}
	if (p->priority > SLICE_QOS_PRIORITY_MAX) {
		NL_SET_ERR_MSG_MOD(extack, "QoS priority must be 0 (first) to 7");
		return -EINVAL;
	}
	if (!slice_qos_dscp_valid(p->dscp)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "QoS DSCP is not a KubeSlice class (Default 0, AF11..AF43, EF 46)");
		return -EINVAL;
	}
	return 0;
}

static void slice_qos_wake_queues(struct slice_qos *q)
{
	if (netif_running(q->dev))
		netif_tx_wake_all_queues(q->dev);
}

static enum hrtimer_restart slice_qos_wake(struct hrtimer *timer)
{
	struct slice_qos *q = container_of(timer, struct slice_qos, wake);
	u64 wait = 0;

	spin_lock(&q->lock);
	if (q->shaping)
		wait = slice_tb_resume(&q->tb, ktime_get_ns());
	if (!wait)
		slice_qos_wake_queues(q);
	spin_unlock(&q->lock);

	if (!wait)
		return HRTIMER_NORESTART;
	hrtimer_forward_now(timer, ns_to_ktime(wait));
	return HRTIMER_RESTART;
}

/**
 * slice_qos_init - start a device with no profile: unshaped, DSCP 0, no mark
 * @q: the device's QoS state
 * @dev: the device; its queues are stopped and woken by the ceiling from now on
 */
void slice_qos_init(struct slice_qos *q, struct net_device *dev)
{
	spin_lock_init(&q->lock);
	memset(&q->profile, 0, sizeof(q->profile));
	q->shaping = false;
	q->dscp = 0;
	q->mark = 0;
	q->dev = dev;
	hrtimer_init(&q->wake, CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT);
	q->wake.function = slice_qos_wake;
}

/**
 * slice_qos_uninit - stop the wake-up timer
 * @q: the device's QoS state
 *
 * Context: process; the device no longer transmits (ndo_uninit or later).
 */
void slice_qos_uninit(struct slice_qos *q)
{
	hrtimer_cancel(&q->wake);
}

/**
 * slice_qos_set - put a profile in force, or remove it
 * @q: the device's QoS state
 * @p: a profile that passed slice_qos_profile_check(), or NULL for none
 *
 * Takes effect with the next packet; the bucket starts full at the new ceiling, and queues
 * held back by the old ceiling are restarted.
 *
 * Context: process or softirq; takes @q->lock with bottom halves disabled.
 */
void slice_qos_set(struct slice_qos *q, const struct slice_qos_profile *p)
{
	spin_lock_bh(&q->lock);
	if (p) {
		q->profile = *p;
		slice_tb_init(&q->tb, (u64)p->ceiling_kbps * SLICE_QOS_KBPS_TO_BPS, ktime_get_ns());
	} else {
		memset(&q->profile, 0, sizeof(q->profile));
	}
	WRITE_ONCE(q->dscp, q->profile.dscp);
	WRITE_ONCE(q->mark, q->profile.mark);
	WRITE_ONCE(q->shaping, !!p);
	spin_unlock_bh(&q->lock);
	/* The timer wakes the queues under the lock, ordered with slice_qos_admit(). */
	hrtimer_start(&q->wake, 0, HRTIMER_MODE_REL_SOFT);
}

/**
 * slice_qos_get - read the profile in force
 * @q: the device's QoS state
 * @p: filled with the profile when there is one
 *
 * Context: process or softirq; takes @q->lock with bottom halves disabled.
 * Return: true if a profile is set.
 */
bool slice_qos_get(struct slice_qos *q, struct slice_qos_profile *p)
{
	bool shaping;

	spin_lock_bh(&q->lock);
	shaping = q->shaping;
	if (shaping)
		*p = q->profile;
	spin_unlock_bh(&q->lock);
	return shaping;
}

/**
 * slice_qos_admit - charge a packet to the ceiling, pausing the device when over it
 * @q: the device's QoS state
 * @len: the inner packet's length (what the ceiling counts, as KubeSlice's TBF on the tunnel
 *	 interface does)
 *
 * Called from ndo_start_xmit for every packet the device accepts. When the packet leaves the
 * bucket in debt, all transmit queues stop until the debt is paid.
 *
 * Context: softirq or with bottom halves disabled (ndo_start_xmit); takes @q->lock.
 */
void slice_qos_admit(struct slice_qos *q, unsigned int len)
{
	u64 debt;

	if (!READ_ONCE(q->shaping))
		return;
	spin_lock(&q->lock);
	if (q->shaping) {
		debt = slice_tb_charge(&q->tb, len, ktime_get_ns());
		if (debt) {
			netif_tx_stop_all_queues(q->dev);
			hrtimer_start(&q->wake, ns_to_ktime(debt), HRTIMER_MODE_REL_SOFT);
		}
	}
	spin_unlock(&q->lock);
}

/**
 * slice_qos_dsfield - the DS field of an outer packet
 * @q: the device's QoS state
 * @inner_dsfield: the inner packet's DS field (IPv4 TOS or IPv6 traffic class)
 *
 * The profile's DSCP, and the inner ECN codepoint carried over as the kernel's IP tunnels
 * do (INET_ECN_encapsulate(): CE becomes ECT(0) outside). The value is
 * udp_tunnel_xmit_skb()'s tos or udp_tunnel6_xmit_skb()'s prio.
 *
 * Return: the outer DS field.
 */
u8 slice_qos_dsfield(const struct slice_qos *q, u8 inner_dsfield)
{
	return INET_ECN_encapsulate(READ_ONCE(q->dscp) << 2, inner_dsfield);
}

/**
 * slice_qos_mark - the skb->mark of an outer packet
 * @q: the device's QoS state
 *
 * Every outer packet gets it, 0 included, so that no inner packet's mark (a pod's, or
 * kube-proxy's) leaks onto the underlay, as WireGuard does with its fwmark.
 *
 * Return: the profile's mark, 0 without a profile.
 */
u32 slice_qos_mark(const struct slice_qos *q)
{
	return READ_ONCE(q->mark);
}
