// SPDX-License-Identifier: GPL-2.0
/*
 * slice: anti-replay sliding window (RFC 6479).
 *
 * Called only after a packet authenticated, so an attacker cannot move the window.
 */
#include <linux/bitops.h>
#include <linux/log2.h>
#include <linux/string.h>

#include "replay.h"
#include "wire.h"

/**
 * slice_replay_init - start an empty window
 * @r: the window
 */
void slice_replay_init(struct slice_replay *r)
{
	spin_lock_init(&r->lock);
	r->next = 0;
	memset(r->ring, 0, sizeof(r->ring));
}

static void slice_replay_advance(struct slice_replay *r, u64 counter)
{
	u64 word_new = counter >> ilog2(BITS_PER_LONG);
	u64 word_now, n, i;

	/* Words the window slides over hold counters never seen; a long jump clears the ring. */
	if (r->next) {
		word_now = (r->next - 1) >> ilog2(BITS_PER_LONG);
		n = min_t(u64, word_new - word_now, SLICE_REPLAY_RING_WORDS);
		for (i = 1; i <= n; i++)
			r->ring[(word_now + i) % SLICE_REPLAY_RING_WORDS] = 0;
	}
	r->next = counter + 1;
}

/**
 * slice_replay_accept - check a counter and record it
 * @r: the window
 * @counter: the counter of an authenticated packet
 *
 * Context: any; takes @r->lock with bottom halves disabled.
 * Return: true if @counter was not seen before and is not older than the window.
 */
bool slice_replay_accept(struct slice_replay *r, u64 counter)
{
	unsigned long *word;
	bool fresh = false;

	spin_lock_bh(&r->lock);
	if (counter >= SLICE_COUNTER_LIMIT)
		goto out;
	if (counter + SLICE_REPLAY_WINDOW < r->next)
		goto out;
	if (counter >= r->next)
		slice_replay_advance(r, counter);
	word = &r->ring[(counter >> ilog2(BITS_PER_LONG)) % SLICE_REPLAY_RING_WORDS];
	fresh = !__test_and_set_bit(counter & (BITS_PER_LONG - 1), word);
out:
	spin_unlock_bh(&r->lock);
	return fresh;
}
