/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slice: anti-replay sliding window (RFC 6479).
 */
#ifndef _SLICE_REPLAY_H
#define _SLICE_REPLAY_H

#include <linux/spinlock.h>
#include <linux/types.h>

/*
 * The bitmap is a ring of words; the word holding the newest counter is never fully usable,
 * so the window is one word short of the ring.
 */
#define SLICE_REPLAY_RING_BITS	4096
#define SLICE_REPLAY_RING_WORDS	(SLICE_REPLAY_RING_BITS / BITS_PER_LONG)
#define SLICE_REPLAY_WINDOW	(SLICE_REPLAY_RING_BITS - BITS_PER_LONG)

/**
 * struct slice_replay - counters seen on one receive key
 * @lock: guards @next and @ring
 * @next: one past the highest counter accepted so far
 * @ring: bit per counter in [@next - SLICE_REPLAY_WINDOW, @next)
 */
struct slice_replay {
	spinlock_t lock; /* guards next and ring */
	u64 next;
	unsigned long ring[SLICE_REPLAY_RING_WORDS];
};

void slice_replay_init(struct slice_replay *r);
bool slice_replay_accept(struct slice_replay *r, u64 counter);

#endif /* _SLICE_REPLAY_H */
