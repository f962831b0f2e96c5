/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Namespace isolation (namespaceIsolationProfile.isolationEnabled): only pods of the
 * slice's application namespaces and allowed namespaces reach the slice. Pods are known by
 * the namespace the runtime gave the CNI plugin (K8S_POD_NAMESPACE), kept with their lease.
 *
 * sliced owns one nftables table, "inet slice_isolation", replaced as a whole in one
 * transaction whenever the profile or the pods change, and deleted when no slice isolates.
 * Per isolated slice a set of the admitted pods' addresses, and in a forward hook: traffic
 * from this cluster's slice subnet into the slice subnet must come from an admitted pod,
 * traffic from the slice to this cluster's pods must go to one. Pods of other namespaces
 * keep their address (and the slice DNS on their node) but reach nothing on the slice.
 *
 * Drift: at every update (and so at least every SERVICES_RECHECK_MS) the table in the kernel
 * is compared with the desired state: with nft's own listing of it taken right after it was
 * applied (canonical: nftlist.h), or, when no slice isolates, with no table at all. A table
 * deleted, flushed or edited by hand is applied again, one left behind is deleted.
 */
#ifndef SLICED_ISOLATION_H
#define SLICED_ISOLATION_H

#include <stdbool.h>
#include <cjson/cJSON.h>

#include "ipam.h"

#define ISOLATION_TABLE		"slice_isolation"

struct isolation;

struct isolation *isolation_new(void);
void isolation_free(struct isolation *iso);

/*
 * isolation_ruleset - the nft script for the slices (WorkerSliceConfig cache) and their
 * pods: malloc'ed; "" when no slice isolates.
 */
char *isolation_ruleset(const cJSON *slices, struct ipam *ipam);

/* isolation_enabled - whether a WorkerSliceConfig isolates its namespaces. */
bool isolation_enabled(const cJSON *wsc);

/*
 * isolation_compare - what differs between the table the desired state wants (@want
 * false: none; else @expect, the canonical listing nft gave after it was applied, NULL
 * when it could not be read) and @listing, nft's listing of the table now (NULL: there
 * is none). NULL when nothing differs; a malformed listing differs.
 */
const char *isolation_compare(bool want, const char *expect, const char *listing);

enum isolation_result {
	ISOLATION_KEPT,		/* in force as desired */
	ISOLATION_CHANGED,	/* the desired state changed and was applied */
	ISOLATION_REPAIRED,	/* drift: the table differed from the desired state, put back */
	ISOLATION_FAILED,	/* nftables refused (logged), or out of memory */
};

/*
 * isolation_update - apply the ruleset when it differs from the one applied last; when it
 * is the same, compare the table in the kernel with it (isolation_compare) and apply it
 * again if they differ, with @what saying how.
 */
enum isolation_result isolation_update(struct isolation *iso, const cJSON *slices,
				       struct ipam *ipam, const char **what);

#endif /* SLICED_ISOLATION_H */
