/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who a request is (bearer tokens) and what it may do. The admin token may do anything;
 * a worker cluster's token (the Secret api/kubeslice.h describes) reads only its own
 * objects in its project namespace and writes only their status, its ServiceExportConfigs
 * and Events; a project user's token (read-only or read-write, api/kubeslice.h) reads the
 * project's objects but its Secrets, and read-write writes its Clusters, SliceConfigs,
 * SliceQoSConfigs and ServiceExportConfigs.
 */
#ifndef CONTROLLER_AUTH_H
#define CONTROLLER_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "api/kubeslice.h"

struct ctl_store;

enum ctl_role {
	CTL_ANONYMOUS,
	CTL_ADMIN,
	CTL_WORKER,
	CTL_PROJECT_READ_ONLY,
	CTL_PROJECT_READ_WRITE,
};

/**
 * struct ctl_identity - the authenticated requester
 * @role: what kind of requester
 * @cluster: worker cluster name (CTL_WORKER)
 * @ns: the worker's or project user's project namespace
 * @user: user name for messages
 */
struct ctl_identity {
	enum ctl_role role;
	char cluster[KS_NAME_MAX + 1];
	char ns[KS_NAME_MAX + 1];
	char user[2 * KS_NAME_MAX + 64];
};

struct ctl_auth;

struct ctl_auth *ctl_auth_new(struct ctl_store *st, const char *admin_token);
void ctl_auth_free(struct ctl_auth *a);
/* Identifies the bearer of an Authorization header ("" when absent). */
void ctl_auth_identify(struct ctl_auth *a, const char *authorization,
		       struct ctl_identity *id);

/*
 * Whether id may do verb ("get", "list", "watch", "create", "update", "patch", "delete",
 * "deletecollection") on res in ns at all, before any object is looked at. Fills why
 * with the API server's Forbidden message when not.
 */
bool ctl_auth_allow(const struct ctl_identity *id, const char *verb,
		    const struct ks_resource *res, const char *ns, const char *sub,
		    char *why, size_t len);
/* Whether id may see obj (filters lists and watches; gates get and status writes). */
bool ctl_auth_can_read(const struct ctl_identity *id, const struct ks_resource *res,
		       const cJSON *obj);
/* Whether id may write obj through the main resource (create, update, patch, delete). */
bool ctl_auth_can_write(const struct ctl_identity *id, const struct ks_resource *res,
			const cJSON *obj);

/*
 * Whether id may turn cur into obj through the main resource, beyond ctl_auth_can_write
 * of both: a worker changes the spec of its WorkerSliceGateways only in
 * localGatewayConfig.nodePorts, and not that of its other derived objects.
 */
bool ctl_auth_can_change(const struct ctl_identity *id, const struct ks_resource *res,
			 const cJSON *cur, const cJSON *obj);

/*
 * The answer to a SelfSubjectAccessReview (authorization.k8s.io/v1) id posted: review
 * with status.allowed and status.reason filled from the rules above; with a name, of the
 * object itself when it exists. NULL when review has no resourceAttributes.
 */
cJSON *ctl_auth_review(struct ctl_auth *a, const struct ctl_identity *id, cJSON *review);

#endif /* CONTROLLER_AUTH_H */
