/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slice: per-cpu counters, one set per device and one per peer (enum slice_stats_a).
 */
#ifndef _SLICE_STATS_H
#define _SLICE_STATS_H

#include <linux/percpu.h>
#include <linux/u64_stats_sync.h>
#include <linux/slice.h>

/**
 * struct slice_stats - one cpu's counters
 * @syncp: lets 32-bit readers see whole values
 * @counter: indexed by enum slice_stats_a
 */
struct slice_stats {
	struct u64_stats_sync syncp;
	u64_stats_t counter[__SLICE_STATS_A_MAX];
};

/**
 * slice_stats_add - count
 * @stats: the per-cpu set
 * @which: the counter
 * @n: how much
 *
 * Context: bottom halves disabled (every data path caller is in softirq or BH-disabled).
 */
static inline void slice_stats_add(struct slice_stats __percpu *stats,
				   enum slice_stats_a which, u64 n)
{
	struct slice_stats *s = this_cpu_ptr(stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_add(&s->counter[which], n);
	u64_stats_update_end(&s->syncp);
}

/**
 * slice_stats_sum - add up every cpu's counters
 * @stats: the per-cpu set
 * @sum: __SLICE_STATS_A_MAX counters, overwritten
 */
static inline void slice_stats_sum(struct slice_stats __percpu *stats, u64 *sum)
{
	unsigned int start, i;
	int cpu;

	memset(sum, 0, sizeof(u64) * __SLICE_STATS_A_MAX);
	for_each_possible_cpu(cpu) {
		const struct slice_stats *s = per_cpu_ptr(stats, cpu);
		u64 v[__SLICE_STATS_A_MAX];

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			for (i = 0; i < __SLICE_STATS_A_MAX; i++)
				v[i] = u64_stats_read(&s->counter[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		for (i = 0; i < __SLICE_STATS_A_MAX; i++)
			sum[i] += v[i];
	}
}

#endif /* _SLICE_STATS_H */
