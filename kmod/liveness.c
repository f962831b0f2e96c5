// SPDX-License-Identifier: GPL-2.0
/*
 * slice: liveness of a peer, the state machine behind fast failover.
 *
 * A peer is up while authenticated packets keep arriving; silent for its timeout, it goes
 * down and its routes' ECMP sets skip it. Heard again, it comes back only after a hold time
 * without a silent gap, so a flapping gateway cannot make the router change its mind more
 * often than that. Keepalives go out whatever the state: a peer we think down must still
 * hear us, or a healed path would stay down at both ends.
 *
 * A clock that ticks far too late (a starved machine: a guest whose host did not run it, a
 * CPU stuck in softirq) judges nothing about the time it was not running: the packets of
 * that time may still wait in the receive queues. The silence of an up peer is counted
 * again from that tick, and a recovery starts again with the next packet, so a stall
 * neither takes a live peer down nor puts a flapping one back.
 *
 * The functions take the time as an argument and only decide; the peer's clock (peer.c)
 * sends the keepalives and the notifications. That keeps the machine testable with made-up
 * jiffies (tests/kunit/liveness_test.c).
 */
#include <linux/jiffies.h>
#include <linux/minmax.h>

#include "liveness.h"
#include "peer.h"

/**
 * slice_liveness_init - no keepalives, no timeout, no hold
 * @l: the liveness of a new peer
 */
void slice_liveness_init(struct slice_liveness *l)
{
	spin_lock_init(&l->lock);
	l->interval_ms = 0;
	l->timeout_ms = 0;
	l->hold_ms = 0;
	l->recovering = false;
	l->silences = 0;
	l->stalls = 0;
}

/* Restarts the silence clock; under @l->lock. */
static enum slice_liveness_change slice_liveness_restart_locked(struct slice_peer *peer,
								unsigned long now)
{
	WRITE_ONCE(peer->last_rx, now);
	peer->live.recovering = false;
	peer->live.excused = now;
	peer->live.due = now;
	return test_and_clear_bit(SLICE_PEER_SILENT, &peer->flags) ? SLICE_LIVENESS_UP :
								       SLICE_LIVENESS_SAME;
}

/**
 * slice_liveness_restart - forget any silence: the peer is live as of @now
 * @peer: the peer
 * @now: jiffies
 *
 * Context: process or softirq.
 * Return: SLICE_LIVENESS_UP if the peer was down for silence, else SLICE_LIVENESS_SAME.
 */
enum slice_liveness_change slice_liveness_restart(struct slice_peer *peer, unsigned long now)
{
	enum slice_liveness_change change;

	spin_lock_bh(&peer->live.lock);
	change = slice_liveness_restart_locked(peer, now);
	spin_unlock_bh(&peer->live.lock);
	return change;
}

/**
 * slice_liveness_configure - set keepalive interval, timeout and hold time
 * @peer: the peer
 * @interval_ms: without sending for this long, a keepalive goes out; 0 = none
 * @timeout_ms: silent for this long, the peer is down; 0 = never by silence
 * @hold_ms: heard again, a silent peer is used after this long without a gap; 0 = at once
 * @now: jiffies
 *
 * The silence clock restarts, so a peer is never declared down by a timeout it did not have.
 *
 * Context: process or softirq.
 * Return: SLICE_LIVENESS_UP if the peer was down for silence, else SLICE_LIVENESS_SAME.
 */
enum slice_liveness_change slice_liveness_configure(struct slice_peer *peer, u32 interval_ms,
						    u32 timeout_ms, u32 hold_ms,
						    unsigned long now)
{
	struct slice_liveness *l = &peer->live;
	enum slice_liveness_change change;

	spin_lock_bh(&l->lock);
	WRITE_ONCE(l->interval_ms, interval_ms);
	WRITE_ONCE(l->timeout_ms, timeout_ms);
	WRITE_ONCE(l->hold_ms, hold_ms);
	change = slice_liveness_restart_locked(peer, now);
	spin_unlock_bh(&l->lock);
	return change;
}

/**
 * slice_liveness_heard - note an authenticated packet from the peer
 * @peer: the sender
 * @now: jiffies
 *
 * A peer that is up costs one bit test; only a silent one takes the lock.
 *
 * Context: softirq (the receive path) or process.
 * Return: SLICE_LIVENESS_UP if the peer is back (no hold time), else SLICE_LIVENESS_SAME.
 */
enum slice_liveness_change slice_liveness_heard(struct slice_peer *peer, unsigned long now)
{
	struct slice_liveness *l = &peer->live;
	enum slice_liveness_change change = SLICE_LIVENESS_SAME;

	WRITE_ONCE(peer->last_rx, now);
	if (likely(!test_bit(SLICE_PEER_SILENT, &peer->flags)))
		return change;
	spin_lock_bh(&l->lock);
	if (!test_bit(SLICE_PEER_SILENT, &peer->flags)) {
		/* the clock or another CPU got here first */
	} else if (!l->hold_ms) {
		clear_bit(SLICE_PEER_SILENT, &peer->flags);
		change = SLICE_LIVENESS_UP;
	} else if (!l->recovering) {
		l->recovering = true;
		l->heard_since = now;
	}
	spin_unlock_bh(&l->lock);
	return change;
}

/*
 * Whether the tick at @now came so late that the clock did not watch for half the timeout;
 * then it restarts the silence or the recovery. Under @l->lock, timeout set.
 */
static bool slice_liveness_stalled(struct slice_peer *peer, unsigned long now)
{
	struct slice_liveness *l = &peer->live;

	if (!time_after(now, l->due + msecs_to_jiffies(l->timeout_ms) / 2))
		return false;
	WRITE_ONCE(l->stalls, l->stalls + 1);
	l->excused = now;
	l->recovering = false;
	return true;
}

/* Decides up or down from the silence since @last_rx; under @l->lock, @timeout set. */
static enum slice_liveness_change slice_liveness_judge(struct slice_peer *peer,
						       unsigned long now, unsigned long last_rx)
{
	struct slice_liveness *l = &peer->live;
	bool quiet = time_after_eq(now, last_rx + msecs_to_jiffies(l->timeout_ms));

	if (!test_bit(SLICE_PEER_SILENT, &peer->flags)) {
		if (!quiet)
			return SLICE_LIVENESS_SAME;
		set_bit(SLICE_PEER_SILENT, &peer->flags);
		l->recovering = false;
		WRITE_ONCE(l->silences, l->silences + 1);
		return SLICE_LIVENESS_DOWN;
	}
	if (!l->recovering)
		return SLICE_LIVENESS_SAME;
	if (quiet) {
		/* a gap during the hold time: the next packet starts it again */
		l->recovering = false;
		return SLICE_LIVENESS_SAME;
	}
	if (time_before(now, l->heard_since + msecs_to_jiffies(l->hold_ms)))
		return SLICE_LIVENESS_SAME;
	l->recovering = false;
	clear_bit(SLICE_PEER_SILENT, &peer->flags);
	return SLICE_LIVENESS_UP;
}

/* Jiffies from @now to @deadline, at least 1. */
static unsigned long slice_liveness_until(unsigned long deadline, unsigned long now)
{
	long left = (long)(deadline - now);

	return left > 0 ? left : 1;
}

/* The next tick: the earliest keepalive, silence or end of hold; under @l->lock. */
static unsigned long slice_liveness_next(struct slice_peer *peer, unsigned long now,
					 unsigned long last_tx, unsigned long last_rx)
{
	struct slice_liveness *l = &peer->live;
	unsigned long timeout = msecs_to_jiffies(l->timeout_ms);
	unsigned long delay = ULONG_MAX;

	if (l->interval_ms)
		delay = slice_liveness_until(last_tx + msecs_to_jiffies(l->interval_ms), now);
	if (!timeout)
		return delay == ULONG_MAX ? 0 : delay;
	if (!test_bit(SLICE_PEER_SILENT, &peer->flags))
		return min(delay, slice_liveness_until(last_rx + timeout, now));
	if (!l->recovering)
		return min(delay, timeout);	/* slice_liveness_heard() starts the recovery */
	delay = min(delay, slice_liveness_until(last_rx + timeout, now));
	return min(delay, slice_liveness_until(l->heard_since + msecs_to_jiffies(l->hold_ms),
					       now));
}

/**
 * slice_liveness_tick - one step of the peer's clock
 * @peer: the peer
 * @now: jiffies
 *
 * A keepalive is due when nothing was sent for the interval; the next is due an interval
 * after this one whether or not it could go (no key yet), so the clock never spins.
 *
 * Context: process or softirq.
 * Return: the state change, whether to send a keepalive, and when to tick again.
 */
struct slice_liveness_step slice_liveness_tick(struct slice_peer *peer, unsigned long now)
{
	struct slice_liveness *l = &peer->live;
	struct slice_liveness_step step = {};
	unsigned long last_tx, last_rx;

	spin_lock_bh(&l->lock);
	last_tx = READ_ONCE(peer->last_tx);
	last_rx = READ_ONCE(peer->last_rx);
	if (l->timeout_ms && slice_liveness_stalled(peer, now))
		last_rx = now;
	else if (time_after(l->excused, last_rx))
		last_rx = l->excused;
	if (l->interval_ms &&
	    time_after_eq(now, last_tx + msecs_to_jiffies(l->interval_ms))) {
		step.keepalive = true;
		last_tx = now;
	}
	if (l->timeout_ms)
		step.change = slice_liveness_judge(peer, now, last_rx);
	step.delay = slice_liveness_next(peer, now, last_tx, last_rx);
	l->due = now + step.delay;
	spin_unlock_bh(&l->lock);
	return step;
}
