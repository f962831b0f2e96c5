/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slice: per-slice QoS: the ceiling's token bucket and the outer packets' DSCP and mark.
 */
#ifndef _SLICE_QOS_H
#define _SLICE_QOS_H

#include <linux/hrtimer.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <net/sch_generic.h>

struct net_device;
struct netlink_ext_ack;

/* Highest priority a profile may carry: HTB's priorities are 0 (first) .. 7. */
#define SLICE_QOS_PRIORITY_MAX	7

/*
 * The bucket holds this much time at the rate: what an idle slice may send at once when it
 * starts again.
 */
#define SLICE_QOS_BURST_NS	(10 * NSEC_PER_MSEC)
/*
 * Lateness of the wake-up timer credited to a held-back sender beyond the burst, at most:
 * the mean rate stays at the ceiling while timers slip by up to this much.
 */
#define SLICE_QOS_LATE_MAX_NS	(100 * NSEC_PER_MSEC)
/* Never less than two full-size frames, so that a slow slice can still send back to back. */
#define SLICE_QOS_BURST_MIN	(2 * 1500)

/**
 * struct slice_qos_profile - a slice's QoS profile as set over generic netlink
 * @ceiling_kbps: most the slice may send, kbit/s (1000 bit/s) of inner packets; never 0
 * @guaranteed_kbps: rate kept for the slice on a shared uplink (HTB class rate); <= ceiling
 * @mark: skb->mark of the outer packets, for the uplink's fw filter; 0 for none
 * @priority: the HTB class priority, 0 (served first) .. SLICE_QOS_PRIORITY_MAX
 * @dscp: DSCP of the outer packets, one of KubeSlice's classes (Default, AF11..AF43, EF)
 */
struct slice_qos_profile {
	u32 ceiling_kbps;
	u32 guaranteed_kbps;
	u32 mark;
	u8 priority;
	u8 dscp;
};

/**
 * struct slice_tb - token bucket counting credit as transmission time at its rate
 * @rate: the rate and its reciprocal, to turn a length into nanoseconds without dividing
 * @burst_ns: most credit the bucket holds: the burst's transmission time at @rate
 * @tokens: credit in ns; negative while a packet admitted on credit is paid back
 * @t_last: ns timestamp of the last refill; it may wrap, only differences count
 *
 * Not locked: the owner serializes calls.
 */
struct slice_tb {
	struct psched_ratecfg rate;
	s64 burst_ns;
	s64 tokens;
	u64 t_last;
};

void slice_tb_init(struct slice_tb *tb, u64 rate_bytes_ps, u64 now);
u64 slice_tb_charge(struct slice_tb *tb, unsigned int len, u64 now);
u64 slice_tb_wait(struct slice_tb *tb, u64 now);
u64 slice_tb_resume(struct slice_tb *tb, u64 now);

/**
 * struct slice_qos - a slice device's QoS state
 * @lock: guards @profile and @tb; taken from the xmit path, the timer and genl
 * @profile: the profile in force (meaningful when @shaping)
 * @tb: the bucket at @profile.ceiling_kbps
 * @shaping: a profile is set; written under @lock, read locklessly by the xmit path
 * @dscp: @profile.dscp, read locklessly by the encapsulation path
 * @mark: @profile.mark, read locklessly by the encapsulation path
 * @wake: restarts the device's queues once the bucket's debt is paid
 * @dev: the device whose queues are paused and restarted
 */
struct slice_qos {
	spinlock_t lock; /* xmit path, wake timer and genl; see above */
	struct slice_qos_profile profile;
	struct slice_tb tb;
	bool shaping;
	u8 dscp;
	u32 mark;
	struct hrtimer wake;
	struct net_device *dev;
};

bool slice_qos_dscp_valid(u8 dscp);
int slice_qos_profile_check(const struct slice_qos_profile *p, struct netlink_ext_ack *extack);

void slice_qos_init(struct slice_qos *q, struct net_device *dev);
void slice_qos_uninit(struct slice_qos *q);
void slice_qos_set(struct slice_qos *q, const struct slice_qos_profile *p);
bool slice_qos_get(struct slice_qos *q, struct slice_qos_profile *p);
void slice_qos_admit(struct slice_qos *q, unsigned int len);
u8 slice_qos_dsfield(const struct slice_qos *q, u8 inner_dsfield);
u32 slice_qos_mark(const struct slice_qos *q);

#endif /* _SLICE_QOS_H */
