/* SPDX-License-Identifier: GPL-2.0 */
/*
 * QoS: a slice's profile (the WorkerSliceConfig's qosProfileDetails, which the controller
 * resolves from the SliceConfig or the SliceQoSConfig it names) in the two places that
 * enforce it, changed together: the slice device's profile over genl (ceiling, guaranteed,
 * priority, DSCP, mark) and the uplink's HTB class of the slice (libsliceqos: rate =
 * guaranteed, ceil = ceiling, prio = priority, filed by the device's mark).
 *
 * As for peers and routes, in three steps: qos_parse() reads the desired profile (called
 * by desired.c), qos_diff() compares it with what the kernel has, qos_sync() applies the
 * difference and reports what it put right as drift (kernel_repaired_known()).
 *
 * A profile the kernel refuses leaves the one in force as it was (device and class both),
 * is not tried again while it is wanted, and sets the WorkerSliceConfig's condition
 * QoSProfileApplied to False with the kernel's extack text.
 */
#ifndef SLICED_QOS_H
#define SLICED_QOS_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "lib/qos/sliceqos.h"
#include "slice.h"

/* The condition on the WorkerSliceConfig's status that says whether the profile holds. */
#define QOS_CONDITION		"QoSProfileApplied"
/* Marks of slices on a node: their low 16 bits name the HTB class (sliceqos.h). */
#define QOS_MARK_MIN		0x2U
#define QOS_MARK_MAX		0xfffeU

/*
 * qos_parse - a qosProfileDetails object (NULL: none) into @out, mark 0; ceiling_kbps 0
 * when there is no profile. Returns 0, or -1 with the reason in @err. What the kernel
 * checks itself (guaranteed above the ceiling, a priority above 7) is left for it to refuse.
 */
int qos_parse(const cJSON *details, struct slicenl_qos *out, char *err, size_t errlen);

/*
 * The profile's figures are the slice's own bandwidth (inner packets, which the device
 * counts); HTB counts the outer frames on the uplink, larger by the encapsulation: 60 bytes
 * of IPv4, UDP, header and tag plus 14 of Ethernet, 5.2 % of a full-size frame at the
 * device's MTU of 1420. The class gets rate and ceil 1/QOS_OUTER_SHARE above the profile's,
 * so that the guarantee holds for the slice's own traffic and the device's ceiling, not the
 * class's, is the one that binds: at the same figure TCP would reach about 0.92 of the
 * ceiling (0.95 for the encapsulation times 0.96 for TCP/IP's own headers).
 */
#define QOS_OUTER_SHARE		16

/* The uplink's class for a profile: rate and ceil with the encapsulation's share. */
struct sliceqos_class qos_class_of(const struct slicenl_qos *q);

/* What the kernel has for one slice (read by qos_sync()). */
struct qos_kernel {
	struct slicenl_qos dev;		/* the device's profile; ceiling_kbps 0: none */
	int class_found;		/* the slice's HTB class and its filter are there */
	struct sliceqos_class cls;
	int uplink_found;		/* our HTB is the uplink's root qdisc */
	uint32_t uplink_kbps;		/* its capacity */
};

/* Bits of qos_diff()'s answer: the parts to change. */
enum {
	QOS_CHANGE_DEVICE	= 1U << 0,
	QOS_CHANGE_UPLINK	= 1U << 1,	/* install or resize our HTB */
	QOS_CHANGE_CLASS	= 1U << 2,	/* create, update or (no profile) remove the class */
};

/*
 * qos_diff - what must change for @have to be @want (mark included), on an uplink of
 * @uplink_kbps (0: no HTB is programmed).
 */
unsigned int qos_diff(const struct slicenl_qos *want, const struct qos_kernel *have,
		      uint32_t uplink_kbps);

/*
 * qos_mark_pick - a mark for a slice: @adopt (the device's own, after a restart) when it is
 * in range and not in @used, else the lowest free one; 0 when all are taken.
 */
uint32_t qos_mark_pick(uint32_t adopt, const uint32_t *used, size_t count);

/* qos_same - the two profiles are equal in every field. */
bool qos_same(const struct slicenl_qos *a, const struct slicenl_qos *b);

/* qos_sync - bring one slice's device profile and HTB class to its profile. */
void qos_sync(struct node *n, struct slice *sl);

/*
 * qos_sweep - remove HTB classes of slices that are gone (also from before a restart), and
 * our HTB itself when no slice has a profile.
 */
void qos_sweep(struct node *n);

#endif /* SLICED_QOS_H */
