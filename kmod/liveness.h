/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slice: liveness of a peer, the state machine behind fast failover.
 */
#ifndef _SLICE_LIVENESS_H
#define _SLICE_LIVENESS_H

#include <linux/spinlock.h>
#include <linux/types.h>

struct slice_peer;

/**
 * struct slice_liveness - keepalive, silence and hold settings of a peer and its recovery
 * @lock: serialises state changes between the peer's clock and its receivers
 * @interval_ms: without sending for this long, a keepalive goes out; 0 = none; @lock,
 *	READ_ONCE() for readers
 * @timeout_ms: silent for this long, the peer is down; 0 = never by silence; same
 * @hold_ms: a silent peer heard again is used only after this long with no silent gap;
 *	0 = at once; same
 * @recovering: a silent peer has been heard since @heard_since; @lock
 * @heard_since: jiffies of the first packet after the silence; @lock
 * @silences: times the peer went down for silence; @lock, READ_ONCE() for readers
 * @due: jiffies the clock's next tick is due; @lock
 * @excused: silence before this is no evidence (the clock was starved); @lock
 * @stalls: ticks that came too late to judge; @lock, READ_ONCE() for readers
 */
struct slice_liveness {
	spinlock_t lock; /* state changes */
	u32 interval_ms;
	u32 timeout_ms;
	u32 hold_ms;
	bool recovering;
	unsigned long heard_since;
	u64 silences;
	unsigned long due;
	unsigned long excused;
	u64 stalls;
};

/* What a liveness step did to the peer's effective state. */
enum slice_liveness_change {
	SLICE_LIVENESS_SAME,
	SLICE_LIVENESS_DOWN,
	SLICE_LIVENESS_UP,
};

/**
 * struct slice_liveness_step - what the peer's clock must do after a tick
 * @change: the effective state's change
 * @keepalive: send a keepalive now
 * @delay: jiffies until the next tick, at least 1; 0 = the clock stops
 */
struct slice_liveness_step {
	enum slice_liveness_change change;
	bool keepalive;
	unsigned long delay;
};

void slice_liveness_init(struct slice_liveness *l);
enum slice_liveness_change slice_liveness_configure(struct slice_peer *peer, u32 interval_ms,
						    u32 timeout_ms, u32 hold_ms,
						    unsigned long now);
enum slice_liveness_change slice_liveness_restart(struct slice_peer *peer, unsigned long now);
enum slice_liveness_change slice_liveness_heard(struct slice_peer *peer, unsigned long now);
struct slice_liveness_step slice_liveness_tick(struct slice_peer *peer, unsigned long now);

#endif /* _SLICE_LIVENESS_H */
