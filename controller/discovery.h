/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Discovery documents (/version, /api, /apis, /apis/<group>/<version>) describing the kinds
 * of api/kubeslice.h as kubectl expects them.
 */
#ifndef CONTROLLER_DISCOVERY_H
#define CONTROLLER_DISCOVERY_H

#include <cjson/cJSON.h>

#include "api/kubeslice.h"

/* SelfSubjectAccessReview, the one kind of authorization.k8s.io/v1 served. */
#define CTL_GROUP_AUTHORIZATION	"authorization.k8s.io"
#define CTL_RES_SSAR		"selfsubjectaccessreviews"

/* The kind served at group/version/plural, or NULL. */
const struct ks_resource *ctl_resource(const char *group, const char *version,
				       const char *plural);

cJSON *ctl_discovery_version(void);
cJSON *ctl_discovery_core_versions(void);
cJSON *ctl_discovery_groups(void);
/* The APIGroup of one group, or NULL when not served. */
cJSON *ctl_discovery_group(const char *group);
/* The APIResourceList of group/version, or NULL when not served. */
cJSON *ctl_discovery_resources(const char *group, const char *version);

#endif /* CONTROLLER_DISCOVERY_H */
