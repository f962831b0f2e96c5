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
 */
#ifndef SLICED_ISOLATION_H
#define SLICED_ISOLATION_H

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

/* isolation_update - apply the ruleset when it differs from the one applied last. */
void isolation_update(struct isolation *iso, const cJSON *slices, struct ipam *ipam);

#endif /* SLICED_ISOLATION_H */
