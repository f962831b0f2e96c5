/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libsliceqos: guaranteed bandwidth and priority among the slices that share an uplink,
 * with the kernel's HTB, programmed over rtnetlink (libnl-route-3).
 *
 * On the uplink:
 *
 *   root qdisc  51ce:  htb, unclassified traffic to 51ce:ffff
 *   class       51ce:1     rate = ceil = the uplink's capacity (the slices borrow from it)
 *   class       51ce:ffff  other traffic: rate 1% of the uplink, ceil = uplink, last priority
 *   class       51ce:M     one per slice: rate = guaranteed, ceil = ceiling, prio = priority
 *   filter      fw, handle MARK -> 51ce:M, where M is the low 16 bits of the slice's mark
 *
 * The slice device sets MARK on its outer packets (its QoS profile's mark), which is what
 * the fw filter matches. Every call is idempotent: applying twice changes nothing, removing
 * what is not there succeeds.
 */
#ifndef SLICEQOS_H
#define SLICEQOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nl_sock;
struct rtnl_class;
struct rtnl_cls;

/* Major number of our HTB: it tells our qdisc apart from one an admin installed. */
#define SLICEQOS_MAJOR		0x51ceU
#define SLICEQOS_MINOR_PARENT	0x1U
#define SLICEQOS_MINOR_OTHER	0xffffU
/* HTB's priorities: 0 is served first. */
#define SLICEQOS_PRIO_MAX	7U

/* One slice on an uplink. */
struct sliceqos_class {
	uint32_t mark;			/* the slice device's outer mark; low 16 bits 2..0xfffe */
	uint32_t guaranteed_kbps;	/* HTB rate; may be 0 (nothing reserved) */
	uint32_t ceiling_kbps;		/* HTB ceil; 1.. */
	uint32_t priority;		/* HTB prio, 0..SLICEQOS_PRIO_MAX */
};

struct sliceqos;

/* An rtnetlink connection in the caller's network namespace; NULL with errno on failure. */
struct sliceqos *sliceqos_open(void);
void sliceqos_close(struct sliceqos *sq);
/* What the last failing call of @sq went wrong on, for the user. */
const char *sliceqos_error(const struct sliceqos *sq);

/* Install (or keep) our HTB as @ifname's root qdisc with @rate_kbps as the capacity. */
int sliceqos_uplink_apply(struct sliceqos *sq, const char *ifname, uint32_t rate_kbps);
/* Remove our HTB from @ifname (the kernel's default qdisc comes back). */
int sliceqos_uplink_remove(struct sliceqos *sq, const char *ifname);
/* Create or update the class and filter of one slice; the uplink must be applied first. */
int sliceqos_class_apply(struct sliceqos *sq, const char *ifname, const struct sliceqos_class *c);
/* Remove the class and filter of the slice whose outer packets carry @mark. */
int sliceqos_class_remove(struct sliceqos *sq, const char *ifname, uint32_t mark);
/*
 * Read back what is in force, for a caller that compares before it changes (sliced's drift
 * repair). Each returns 1 when found, 0 when absent (no HTB of ours on @ifname counts as
 * absent), -1 when the kernel's state cannot be read.
 *
 * sliceqos_uplink_get: the capacity of our HTB's parent class.
 * sliceqos_class_get: the slice class of @mark and whether the fw filter files @mark in it
 * (@c->mark is set; a guarantee of 0 reads back as 0).
 * sliceqos_class_marks: the low 16 bits of every slice class's id, up to @max of them; the
 * return value is the number of classes (more than @max when they did not fit).
 */
int sliceqos_uplink_get(struct sliceqos *sq, const char *ifname, uint32_t *rate_kbps);
int sliceqos_class_get(struct sliceqos *sq, const char *ifname, uint32_t mark,
		       struct sliceqos_class *c);
int sliceqos_class_marks(struct sliceqos *sq, const char *ifname, uint32_t *marks, size_t max);
/*
 * Put fq_codel on a slice device: its ceiling holds packets back in the device's qdisc, and
 * fq_codel keeps that standing queue short and fair among flows.
 */
int sliceqos_device_apply(struct sliceqos *sq, const char *ifname);

/* Pure helpers, exposed for the unit tests and for callers that validate early. */
uint64_t sliceqos_kbps_to_bytes(uint32_t kbps);
uint32_t sliceqos_quantum(uint64_t rate_bytes_ps);
uint32_t sliceqos_burst(uint64_t rate_bytes_ps);
uint32_t sliceqos_classid(uint32_t mark);
/*
 * Whether a class whose rate goes from @old_rate to @new_rate (bytes/s) is created anew
 * rather than changed: when it rises from a rate at which HTB's largest packet takes longer
 * than the burst (HTB keeps the token debt of the old rate across the change).
 */
bool sliceqos_class_renew(uint64_t old_rate, uint64_t new_rate);
uint32_t sliceqos_bytes_to_kbps(uint64_t rate_bytes_ps);
int sliceqos_class_check(const struct sliceqos_class *c, char *err, size_t errlen);
struct rtnl_class *sliceqos_class_build(int ifindex, const struct sliceqos_class *c);
struct rtnl_cls *sliceqos_filter_build(int ifindex, uint32_t mark);

#endif /* SLICEQOS_H */
