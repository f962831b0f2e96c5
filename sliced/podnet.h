/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The node side of each attached pod, checked for drift: the host veth slice-cni made
 * (ks_pod_host_ifname) up, with the pods' gateway address on it and the /32 route to the
 * pod over it (cni/attach.h). What is missing is put back with the same rtnetlink steps
 * slice-cni takes (lib/rtnl/rtnl.h). The slice subnet route into the device is the
 * kernel's part (kernel.c).
 *
 * A pod is repaired only once its node side has been seen whole, or seen incomplete by
 * the check before too: a check that runs while slice-cni is still attaching the pod must
 * not "repair" it. A veth that is gone means the pod is (its DEL follows): nothing to do.
 */
#ifndef SLICED_PODNET_H
#define SLICED_PODNET_H

#include <stdbool.h>

#include "ipam.h"

struct podnet;

/* podnet_new - with an rtnetlink socket of its own; NULL when none can be opened. */
struct podnet *podnet_new(void);
void podnet_free(struct podnet *pn);

/* What was seen of one pod's node side at a check. */
enum podnet_seen {
	PODNET_NONE,		/* no veth: not (yet, or no longer) attached */
	PODNET_PARTIAL,		/* a veth, but something missing */
	PODNET_WHOLE,
};

/*
 * podnet_repair_due - whether a pod seen @now, after @before at the check before, is to be
 * repaired: only what was whole, or partial twice in a row.
 */
bool podnet_repair_due(enum podnet_seen before, enum podnet_seen now);

/* What a check put right: called once per pod repaired, @what for the Event. */
typedef void (*podnet_report_fn)(void *arg, const char *slice, const char *what);

/* podnet_check - check (and repair) the node side of every lease of ipam's pools. */
void podnet_check(struct podnet *pn, struct ipam *ipam, podnet_report_fn report, void *arg);

#endif /* SLICED_PODNET_H */
