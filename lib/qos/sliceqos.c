// SPDX-License-Identifier: GPL-2.0
/* libsliceqos: the uplink's HTB, one class per slice, classified by the slice's mark. */
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/pkt_sched.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/netlink.h>
#include <netlink/route/class.h>
#include <netlink/route/classifier.h>
#include <netlink/route/cls/fw.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/htb.h>
#include <netlink/route/tc.h>

#include "sliceqos.h"

/* One fw filter holds every slice's mark; this is its preference on our qdisc. */
#define SLICEQOS_FILTER_PRIO	1
/* Other traffic keeps this share of the uplink even when every slice is busy. */
#define SLICEQOS_OTHER_SHARE	100
/*
 * HTB's deficit round robin hands out spare bandwidth in quanta. A tenth of a second's worth
 * of bytes (HTB's own r2q default of 10) keeps the shares proportional to the rates; the
 * bounds are the ones outside which the kernel complains: under one packet the round robin
 * is unfair, over 200000 bytes it gets bursty.
 */
#define SLICEQOS_R2Q		10
#define SLICEQOS_QUANTUM_MIN	1600U
#define SLICEQOS_QUANTUM_MAX	200000U

/*
 * Bucket sizes: SLICEQOS_BURST_MS at the rate (and at the ceil), at least two full frames
 * (unless that is more than a second's worth). HTB's default without them is about one
 * frame, so every packet waits for a timer wake-up: where timers run late (a loaded VM) a
 * class falls far below its rate (qos-e2e under TCG: a 12872 kbit/s uplink carried 4385
 * kbit/s, a 4827 kbit/s ceiling 2592). 120 ms also lets through what a slice device sends
 * at once after a late wake-up (its burst of 10 ms and up to 100 ms of lateness credited,
 * docs/qos.md), so that the class does not take back what the device pays back. What a
 * class may send at once after an idle spell is the price.
 */
#define SLICEQOS_BURST_MS	120
#define SLICEQOS_BURST_MIN	3200U
/*
 * The largest packet HTB charges to a class (a GSO packet; a slice's own outer packets are
 * at most the uplink's MTU). A class that sends within its rate is charged the packet's
 * whole time at that rate, so its rate bucket can owe up to one such packet's time (HTB
 * caps the debt at a minute), and a changed rate keeps that debt: see
 * sliceqos_class_renew().
 */
#define SLICEQOS_FRAME_MAX	65536U

struct sliceqos {
	struct nl_sock *sk;
	char err[256];
};

static int sliceqos_fail(struct sliceqos *sq, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sq->err, sizeof(sq->err), fmt, ap);
	va_end(ap);
	return -1;
}

struct sliceqos *sliceqos_open(void)
{
	struct sliceqos *sq = calloc(1, sizeof(*sq));
	int err;

	if (!sq)
		return NULL;
	sq->sk = nl_socket_alloc();
	if (!sq->sk)
		goto err_free;
	err = nl_connect(sq->sk, NETLINK_ROUTE);
	if (err < 0) {
		errno = EPROTO;
		goto err_socket;
	}
	return sq;

err_socket:
	nl_socket_free(sq->sk);
err_free:
	free(sq);
	return NULL;
}

void sliceqos_close(struct sliceqos *sq)
{
	if (!sq)
		return;
	nl_socket_free(sq->sk);
	free(sq);
}

const char *sliceqos_error(const struct sliceqos *sq)
{
	return sq->err;
}

uint64_t sliceqos_kbps_to_bytes(uint32_t kbps)
{
	/* KubeSlice's Kbps are kilobits of 1000 bits, as tc's "kbit". */
	return (uint64_t)kbps * 1000 / 8;
}

uint32_t sliceqos_bytes_to_kbps(uint64_t rate_bytes_ps)
{
	uint64_t kbps = rate_bytes_ps * 8 / 1000;

	/* HTB's smallest rate (1 byte/s, "nothing guaranteed") reads back as 0. */
	return kbps > UINT32_MAX ? UINT32_MAX : kbps;
}

uint32_t sliceqos_quantum(uint64_t rate_bytes_ps)
{
	uint64_t q = rate_bytes_ps / SLICEQOS_R2Q;

	if (q < SLICEQOS_QUANTUM_MIN)
		return SLICEQOS_QUANTUM_MIN;
	if (q > SLICEQOS_QUANTUM_MAX)
		return SLICEQOS_QUANTUM_MAX;
	return q;
}

uint32_t sliceqos_burst(uint64_t rate_bytes_ps)
{
	uint64_t b = rate_bytes_ps / 1000 * SLICEQOS_BURST_MS;

	if (b < SLICEQOS_BURST_MIN)
		b = SLICEQOS_BURST_MIN;
	/* The kernel keeps a bucket as the time it lasts, in a u32 of 64 ns ticks (274 s):
	 * a second's worth at most keeps the smallest rates from wrapping it. */
	if (b > rate_bytes_ps)
		b = rate_bytes_ps;
	return b > UINT32_MAX ? UINT32_MAX : b;
}

bool sliceqos_class_renew(uint64_t old_rate, uint64_t new_rate)
{
	/* A packet at the old rate takes longer than the burst lasts (divided: no overflow). */
	return new_rate > old_rate &&
	       old_rate <= (uint64_t)SLICEQOS_FRAME_MAX * 1000 / SLICEQOS_BURST_MS;
}

uint32_t sliceqos_classid(uint32_t mark)
{
	return TC_H_MAKE(SLICEQOS_MAJOR << 16, mark & TC_H_MIN_MASK);
}

int sliceqos_class_check(const struct sliceqos_class *c, char *err, size_t errlen)
{
	uint32_t minor = c->mark & TC_H_MIN_MASK;

	if (minor == 0 || minor == SLICEQOS_MINOR_PARENT || minor == SLICEQOS_MINOR_OTHER) {
		snprintf(err, errlen, "mark 0x%x: its low 16 bits name the slice's HTB class and must "
			 "be 0x2..0xfffe", c->mark);
		return -1;
	}
	if (!c->ceiling_kbps) {
		snprintf(err, errlen, "ceiling must be at least 1 kbit/s");
		return -1;
	}
	if (c->guaranteed_kbps > c->ceiling_kbps) {
		snprintf(err, errlen, "guaranteed %u kbit/s is above the ceiling of %u kbit/s",
			 c->guaranteed_kbps, c->ceiling_kbps);
		return -1;
	}
	if (c->priority > SLICEQOS_PRIO_MAX) {
		snprintf(err, errlen, "priority %u is out of range: 0 (first) to %u", c->priority,
			 SLICEQOS_PRIO_MAX);
		return -1;
	}
	return 0;
}

/* An HTB class under our parent class; NULL when out of memory. */
static struct rtnl_class *sliceqos_htb_class(int ifindex, uint32_t minor, uint64_t rate,
					     uint64_t ceil, uint32_t prio)
{
	struct rtnl_class *cls = rtnl_class_alloc();
	uint32_t parent = minor == SLICEQOS_MINOR_PARENT ? TC_H_MAKE(SLICEQOS_MAJOR << 16, 0) :
				TC_H_MAKE(SLICEQOS_MAJOR << 16, SLICEQOS_MINOR_PARENT);

	if (!cls)
		return NULL;
	rtnl_tc_set_ifindex(TC_CAST(cls), ifindex);
	rtnl_tc_set_parent(TC_CAST(cls), parent);
	rtnl_tc_set_handle(TC_CAST(cls), TC_H_MAKE(SLICEQOS_MAJOR << 16, minor));
	if (rtnl_tc_set_kind(TC_CAST(cls), "htb") < 0 ||
	    rtnl_htb_set_rate64(cls, rate) < 0 || rtnl_htb_set_ceil64(cls, ceil) < 0 ||
	    rtnl_htb_set_prio(cls, prio) < 0 || rtnl_htb_set_quantum(cls, sliceqos_quantum(rate)) < 0 ||
	    rtnl_htb_set_rbuffer(cls, sliceqos_burst(rate)) < 0 ||
	    rtnl_htb_set_cbuffer(cls, sliceqos_burst(ceil)) < 0) {
		rtnl_class_put(cls);
		return NULL;
	}
	return cls;
}

struct rtnl_class *sliceqos_class_build(int ifindex, const struct sliceqos_class *c)
{
	uint64_t rate = sliceqos_kbps_to_bytes(c->guaranteed_kbps);

	/* HTB needs a rate; "nothing guaranteed" is the smallest one it takes. */
	if (!rate)
		rate = 1;
	return sliceqos_htb_class(ifindex, c->mark & TC_H_MIN_MASK, rate,
				  sliceqos_kbps_to_bytes(c->ceiling_kbps), c->priority);
}

struct rtnl_cls *sliceqos_filter_build(int ifindex, uint32_t mark)
{
	struct rtnl_cls *cls = rtnl_cls_alloc();

	if (!cls)
		return NULL;
	rtnl_tc_set_ifindex(TC_CAST(cls), ifindex);
	rtnl_tc_set_parent(TC_CAST(cls), TC_H_MAKE(SLICEQOS_MAJOR << 16, 0));
	rtnl_tc_set_handle(TC_CAST(cls), mark);
	rtnl_cls_set_prio(cls, SLICEQOS_FILTER_PRIO);
	rtnl_cls_set_protocol(cls, ETH_P_ALL);
	if (rtnl_tc_set_kind(TC_CAST(cls), "fw") < 0 ||
	    rtnl_fw_set_classid(cls, sliceqos_classid(mark)) < 0) {
		rtnl_cls_put(cls);
		return NULL;
	}
	return cls;
}

static int sliceqos_ifindex(struct sliceqos *sq, const char *ifname)
{
	unsigned int ifindex = if_nametoindex(ifname);

	if (!ifindex)
		return sliceqos_fail(sq, "%s: no such device in this network namespace", ifname);
	return ifindex;
}

/* Whether @ifindex's root qdisc is our HTB; -1 when the qdiscs cannot be read. */
static int sliceqos_uplink_ours(struct sliceqos *sq, int ifindex, const char *ifname)
{
	struct nl_cache *cache;
	struct rtnl_qdisc *root;
	int err, ours;

	err = rtnl_qdisc_alloc_cache(sq->sk, &cache);
	if (err < 0)
		return sliceqos_fail(sq, "%s: reading qdiscs: %s", ifname, nl_geterror(err));
	root = rtnl_qdisc_get_by_parent(cache, ifindex, TC_H_ROOT);
	ours = root && rtnl_tc_get_handle(TC_CAST(root)) == TC_H_MAKE(SLICEQOS_MAJOR << 16, 0) &&
	       !strcmp(rtnl_tc_get_kind(TC_CAST(root)), "htb");
	rtnl_qdisc_put(root);
	nl_cache_free(cache);
	return ours;
}

/* A qdisc of @kind under @parent (TC_H_ROOT: the root), replacing what is there. */
static int sliceqos_qdisc_add(struct sliceqos *sq, int ifindex, const char *ifname,
			      uint32_t parent, const char *kind, uint32_t handle)
{
	struct rtnl_qdisc *q = rtnl_qdisc_alloc();
	int err = -NLE_NOMEM;

	if (!q)
		goto out;
	rtnl_tc_set_ifindex(TC_CAST(q), ifindex);
	rtnl_tc_set_parent(TC_CAST(q), parent);
	rtnl_tc_set_handle(TC_CAST(q), handle);
	err = rtnl_tc_set_kind(TC_CAST(q), kind);
	if (err >= 0 && !strcmp(kind, "htb"))
		err = rtnl_htb_set_defcls(q, TC_H_MAKE(SLICEQOS_MAJOR << 16, SLICEQOS_MINOR_OTHER));
	if (err >= 0)
		err = rtnl_qdisc_add(sq->sk, q, NLM_F_CREATE | NLM_F_REPLACE);
	rtnl_qdisc_put(q);
out:
	if (err < 0)
		return sliceqos_fail(sq, "%s: installing %s %s: %s", ifname, kind,
				     parent == TC_H_ROOT ? "as the root qdisc" : "under a class",
				     nl_geterror(err));
	return 0;
}

static int sliceqos_root_add(struct sliceqos *sq, int ifindex, const char *ifname,
			     const char *kind, uint32_t handle)
{
	return sliceqos_qdisc_add(sq, ifindex, ifname, TC_H_ROOT, kind, handle);
}

/*
 * fq_codel as the queue of a slice's class, handle M: (M the class's minor). HTB's default
 * leaf is a FIFO of the uplink's txqueuelen (1000 frames), which TCP fills: a second of
 * queue at a few Mbit/s, in which flows of different classes do not get their shares
 * (qos-e2e under TCG: a slice guaranteed 13963 kbit/s got 10139 while its neighbour took
 * 33072). Kept when there: replacing it would drop its queue.
 */
static int sliceqos_leaf_apply(struct sliceqos *sq, int ifindex, const char *ifname,
			       uint32_t minor)
{
	struct nl_cache *cache;
	struct rtnl_qdisc *leaf;
	int err, there;

	err = rtnl_qdisc_alloc_cache(sq->sk, &cache);
	if (err < 0)
		return sliceqos_fail(sq, "%s: reading qdiscs: %s", ifname, nl_geterror(err));
	leaf = rtnl_qdisc_get_by_parent(cache, ifindex, TC_H_MAKE(SLICEQOS_MAJOR << 16, minor));
	there = leaf && !strcmp(rtnl_tc_get_kind(TC_CAST(leaf)), "fq_codel");
	rtnl_qdisc_put(leaf);
	nl_cache_free(cache);
	if (there)
		return 0;
	return sliceqos_qdisc_add(sq, ifindex, ifname, TC_H_MAKE(SLICEQOS_MAJOR << 16, minor),
				  "fq_codel", TC_H_MAKE(minor << 16, 0));
}

static int sliceqos_class_add(struct sliceqos *sq, const char *ifname, struct rtnl_class *cls)
{
	int err = cls ? rtnl_class_add(sq->sk, cls, NLM_F_CREATE) : -NLE_NOMEM;
	uint32_t id = cls ? rtnl_tc_get_handle(TC_CAST(cls)) : 0;

	rtnl_class_put(cls);
	if (err < 0)
		return sliceqos_fail(sq, "%s: HTB class %x:%x: %s", ifname, TC_H_MAJ(id) >> 16,
				     TC_H_MIN(id), nl_geterror(err));
	return 0;
}

int sliceqos_uplink_apply(struct sliceqos *sq, const char *ifname, uint32_t rate_kbps)
{
	uint64_t rate = sliceqos_kbps_to_bytes(rate_kbps);
	uint64_t other = rate / SLICEQOS_OTHER_SHARE;
	int ifindex, ours;

	if (!rate_kbps)
		return sliceqos_fail(sq, "%s: the uplink's rate must be at least 1 kbit/s", ifname);
	ifindex = sliceqos_ifindex(sq, ifname);
	if (ifindex < 0)
		return -1;
	ours = sliceqos_uplink_ours(sq, ifindex, ifname);
	if (ours < 0)
		return -1;
	/* Replacing our own qdisc would drop every slice's class: keep it and update. */
	if (!ours && sliceqos_root_add(sq, ifindex, ifname, "htb",
				       TC_H_MAKE(SLICEQOS_MAJOR << 16, 0)) < 0)
		return -1;
	if (sliceqos_class_add(sq, ifname, sliceqos_htb_class(ifindex, SLICEQOS_MINOR_PARENT,
							       rate, rate, 0)) < 0)
		return -1;
	return sliceqos_class_add(sq, ifname,
				  sliceqos_htb_class(ifindex, SLICEQOS_MINOR_OTHER,
						     other ? other : 1, rate, SLICEQOS_PRIO_MAX));
}

/* Deleting what is already gone is success: removal is idempotent. */
static bool sliceqos_gone(int err)
{
	return err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV;
}

int sliceqos_uplink_remove(struct sliceqos *sq, const char *ifname)
{
	struct rtnl_qdisc *q;
	int ifindex, ours, err;

	ifindex = sliceqos_ifindex(sq, ifname);
	if (ifindex < 0)
		return -1;
	ours = sliceqos_uplink_ours(sq, ifindex, ifname);
	if (ours <= 0)
		return ours;
	q = rtnl_qdisc_alloc();
	if (!q)
		return sliceqos_fail(sq, "%s: out of memory", ifname);
	rtnl_tc_set_ifindex(TC_CAST(q), ifindex);
	rtnl_tc_set_parent(TC_CAST(q), TC_H_ROOT);
	rtnl_tc_set_handle(TC_CAST(q), TC_H_MAKE(SLICEQOS_MAJOR << 16, 0));
	err = rtnl_qdisc_delete(sq->sk, q);
	rtnl_qdisc_put(q);
	if (err < 0 && !sliceqos_gone(err))
		return sliceqos_fail(sq, "%s: removing the HTB qdisc: %s", ifname, nl_geterror(err));
	return 0;
}

int sliceqos_class_remove(struct sliceqos *sq, const char *ifname, uint32_t mark)
{
	struct sliceqos_class c = { .mark = mark, .guaranteed_kbps = 1, .ceiling_kbps = 1 };
	struct rtnl_class *cls;
	struct rtnl_cls *filter;
	int ifindex, err;

	ifindex = sliceqos_ifindex(sq, ifname);
	if (ifindex < 0)
		return -1;
	err = sliceqos_uplink_ours(sq, ifindex, ifname);
	if (err <= 0)
		return err;
	/* The filter first: a class still named by a filter cannot be deleted. */
	filter = sliceqos_filter_build(ifindex, mark);
	err = filter ? rtnl_cls_delete(sq->sk, filter, 0) : -NLE_NOMEM;
	rtnl_cls_put(filter);
	if (err < 0 && !sliceqos_gone(err))
		return sliceqos_fail(sq, "%s: removing the fw filter of mark 0x%x: %s", ifname,
				     mark, nl_geterror(err));
	cls = sliceqos_class_build(ifindex, &c);
	err = cls ? rtnl_class_delete(sq->sk, cls) : -NLE_NOMEM;
	rtnl_class_put(cls);
	if (err < 0 && !sliceqos_gone(err))
		return sliceqos_fail(sq, "%s: removing the HTB class of mark 0x%x: %s", ifname,
				     mark, nl_geterror(err));
	return 0;
}

/* Our HTB's classes on @ifname: 1 with *cache set, 0 when it has no HTB of ours, -1. */
static int sliceqos_our_classes(struct sliceqos *sq, const char *ifname, int *ifindex,
				struct nl_cache **cache)
{
	int ours, err;

	*ifindex = sliceqos_ifindex(sq, ifname);
	if (*ifindex < 0)
		return -1;
	ours = sliceqos_uplink_ours(sq, *ifindex, ifname);
	if (ours <= 0)
		return ours;
	err = rtnl_class_alloc_cache(sq->sk, *ifindex, cache);
	if (err < 0)
		return sliceqos_fail(sq, "%s: reading HTB classes: %s", ifname, nl_geterror(err));
	return 1;
}

/* Rate and ceil of one of our classes in bytes/s; 0 when it is not there or not HTB. */
static int sliceqos_class_read_bytes(struct nl_cache *cache, int ifindex, uint32_t minor,
				     uint64_t *rate, uint64_t *ceil, uint32_t *prio)
{
	struct rtnl_class *cls = rtnl_class_get(cache, ifindex,
						TC_H_MAKE(SLICEQOS_MAJOR << 16, minor));
	int found = cls && !strcmp(rtnl_tc_get_kind(TC_CAST(cls)), "htb") &&
		    !rtnl_htb_get_rate64(cls, rate) && !rtnl_htb_get_ceil64(cls, ceil);

	if (found)
		*prio = rtnl_htb_get_prio(cls);
	rtnl_class_put(cls);
	return found;
}

/* The same in kbit/s. */
static int sliceqos_class_read(struct nl_cache *cache, int ifindex, uint32_t minor,
			       uint32_t *rate_kbps, uint32_t *ceil_kbps, uint32_t *prio)
{
	uint64_t rate = 0, ceil = 0;
	int found = sliceqos_class_read_bytes(cache, ifindex, minor, &rate, &ceil, prio);

	if (found) {
		*rate_kbps = sliceqos_bytes_to_kbps(rate);
		*ceil_kbps = sliceqos_bytes_to_kbps(ceil);
	}
	return found;
}

int sliceqos_uplink_get(struct sliceqos *sq, const char *ifname, uint32_t *rate_kbps)
{
	uint32_t ceil, prio;
	struct nl_cache *cache;
	int ifindex, found;

	found = sliceqos_our_classes(sq, ifname, &ifindex, &cache);
	if (found <= 0)
		return found;
	found = sliceqos_class_read(cache, ifindex, SLICEQOS_MINOR_PARENT, rate_kbps, &ceil, &prio);
	nl_cache_free(cache);
	return found;
}

/* Whether our qdisc has a fw filter whose handle is @mark. */
static int sliceqos_filter_present(struct sliceqos *sq, int ifindex, const char *ifname,
				   uint32_t mark)
{
	struct nl_cache *cache;
	struct nl_object *obj;
	int err, found = 0;

	err = rtnl_cls_alloc_cache(sq->sk, ifindex, TC_H_MAKE(SLICEQOS_MAJOR << 16, 0), &cache);
	if (err < 0)
		return sliceqos_fail(sq, "%s: reading filters: %s", ifname, nl_geterror(err));
	for (obj = nl_cache_get_first(cache); obj && !found; obj = nl_cache_get_next(obj))
		found = rtnl_tc_get_handle(TC_CAST(obj)) == mark &&
			!strcmp(rtnl_tc_get_kind(TC_CAST(obj)), "fw");
	nl_cache_free(cache);
	return found;
}

int sliceqos_class_get(struct sliceqos *sq, const char *ifname, uint32_t mark,
		       struct sliceqos_class *c)
{
	struct nl_cache *cache;
	int ifindex, found;

	memset(c, 0, sizeof(*c));
	c->mark = mark;
	found = sliceqos_our_classes(sq, ifname, &ifindex, &cache);
	if (found <= 0)
		return found;
	found = sliceqos_class_read(cache, ifindex, mark & TC_H_MIN_MASK, &c->guaranteed_kbps,
				    &c->ceiling_kbps, &c->priority);
	nl_cache_free(cache);
	return found ? sliceqos_filter_present(sq, ifindex, ifname, mark) : 0;
}

/*
 * A class whose rate rises from one at which a packet takes longer than the new burst lasts
 * is removed first, so that sliceqos_class_apply() creates it with full buckets: HTB keeps
 * a class's token debt across a change of rate, and at the old rate that debt can be a
 * minute (a guarantee of 0 is 1 byte/s: its one packet within the rate owes 60 s), during
 * which the class only borrows and gets no more than its neighbours leave (qos-e2e under
 * TCG: a slice guaranteed 3/10 of the uplink got 57-78 % of it for up to a minute after its
 * guarantee was raised from 0). What the removal costs is the packets in the class's queue.
 */
static int sliceqos_class_debt_clear(struct sliceqos *sq, const char *ifname,
				     const struct sliceqos_class *c)
{
	uint64_t rate = 0, ceil = 0, want = sliceqos_kbps_to_bytes(c->guaranteed_kbps);
	struct nl_cache *cache;
	uint32_t prio;
	int ifindex, found;

	found = sliceqos_our_classes(sq, ifname, &ifindex, &cache);
	if (found <= 0)
		return found;
	found = sliceqos_class_read_bytes(cache, ifindex, c->mark & TC_H_MIN_MASK, &rate, &ceil,
					  &prio);
	nl_cache_free(cache);
	if (!found || !sliceqos_class_renew(rate, want ? want : 1))
		return 0;
	return sliceqos_class_remove(sq, ifname, c->mark);
}

int sliceqos_class_apply(struct sliceqos *sq, const char *ifname, const struct sliceqos_class *c)
{
	struct rtnl_cls *filter;
	char why[160];
	int ifindex, err;

	if (sliceqos_class_check(c, why, sizeof(why)) < 0)
		return sliceqos_fail(sq, "%s: %s", ifname, why);
	ifindex = sliceqos_ifindex(sq, ifname);
	if (ifindex < 0)
		return -1;
	err = sliceqos_uplink_ours(sq, ifindex, ifname);
	if (err <= 0)
		return err < 0 ? -1 : sliceqos_fail(sq, "%s: no slice HTB on this uplink; apply "
						    "the uplink (its rate) first", ifname);
	if (sliceqos_class_debt_clear(sq, ifname, c) < 0)
		return -1;
	if (sliceqos_class_add(sq, ifname, sliceqos_class_build(ifindex, c)) < 0 ||
	    sliceqos_leaf_apply(sq, ifindex, ifname, c->mark & TC_H_MIN_MASK) < 0)
		return -1;
	filter = sliceqos_filter_build(ifindex, c->mark);
	err = filter ? rtnl_cls_add(sq->sk, filter, NLM_F_CREATE) : -NLE_NOMEM;
	rtnl_cls_put(filter);
	if (err < 0)
		return sliceqos_fail(sq, "%s: fw filter for mark 0x%x: %s", ifname, c->mark,
				     nl_geterror(err));
	return 0;
}

int sliceqos_class_marks(struct sliceqos *sq, const char *ifname, uint32_t *marks, size_t max)
{
	struct nl_cache *cache;
	struct nl_object *obj;
	uint32_t id, minor;
	int ifindex, ours, count = 0;

	ours = sliceqos_our_classes(sq, ifname, &ifindex, &cache);
	if (ours <= 0)
		return ours;
	for (obj = nl_cache_get_first(cache); obj; obj = nl_cache_get_next(obj)) {
		id = rtnl_tc_get_handle(TC_CAST(obj));
		minor = TC_H_MIN(id);
		if (TC_H_MAJ(id) != SLICEQOS_MAJOR << 16 || minor == SLICEQOS_MINOR_PARENT ||
		    minor == SLICEQOS_MINOR_OTHER)
			continue;
		if ((size_t)count < max)
			marks[count] = minor;
		count++;
	}
	nl_cache_free(cache);
	return count;
}

int sliceqos_device_apply(struct sliceqos *sq, const char *ifname)
{
	int ifindex = sliceqos_ifindex(sq, ifname);

	if (ifindex < 0)
		return -1;
	return sliceqos_root_add(sq, ifindex, ifname, "fq_codel", 0);
}
