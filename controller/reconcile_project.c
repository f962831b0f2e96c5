// SPDX-License-Identifier: GPL-2.0
/* Project -> namespace kubeslice-<project>; Cluster -> credential Secret and status. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/json.h"
#include "api/kubeslice.h"
#include "controller/certs.h"
#include "controller/reconcile.h"

/* Random bytes in a worker's bearer token. */
#define CTL_TOKEN_BYTES 32

void ctl_project_reconcile(struct ctl_store *st, const cJSON *project, int deleted)
{
	char ns[KS_NAME_MAX + 1];
	cJSON *desired, *existing;

	if (ks_project_namespace(ks_name(project), ns, sizeof(ns)))
		return;
	existing = ctl_store_get(st, KS_RES_NAMESPACE, NULL, ns);
	if (deleted) {
		if (existing)
			ctl_delete_logged(st, KS_RES_NAMESPACE, existing, project);
		cJSON_Delete(existing);
		return;
	}
	desired = ks_object_new(KS_API_CORE, "Namespace", NULL, ns);
	if (!desired || !ks_set_label(desired, KS_LABEL_PROJECT, ks_name(project)))
		ctl_event_record(st, project, "Warning", "NamespaceWriteFailed",
				 "Out of memory building namespace %s", ns);
	else
		ctl_apply_logged(st, KS_RES_NAMESPACE, desired, existing, project);
	cJSON_Delete(desired);
	cJSON_Delete(existing);
}

static cJSON *token_secret_build(const char *ns, const char *secret, const char *cluster)
{
	char token[2 * CTL_TOKEN_BYTES + 1];
	cJSON *obj, *data;
	char *b64;

	if (ctl_random_hex(token, CTL_TOKEN_BYTES))
		return NULL;
	b64 = ks_b64_encode(token, strlen(token));
	obj = ks_object_new(KS_API_CORE, "Secret", ns, secret);
	data = ks_ensure(obj, "data");
	if (!b64 || !data || !ks_set_label(obj, KS_LABEL_CLUSTER, cluster) ||
	    !ks_set_str(obj, "type", KS_SECRET_TYPE_TOKEN) || !ks_set_str(data, "token", b64)) {
		cJSON_Delete(obj);
		obj = NULL;
	}
	free(b64);
	return obj;
}

/* The credential exists, and stays as it is once made: a new token would lock the worker
 * out until someone copied it over. */
static int token_secret_reconcile(struct ctl_store *st, const cJSON *cluster,
				  const char *secret)
{
	cJSON *existing, *desired;
	int ret;

	existing = ctl_store_get(st, KS_RES_SECRET, ks_namespace(cluster), secret);
	if (existing && ks_get_str(existing, "data.token")) {
		cJSON_Delete(existing);
		return 0;
	}
	desired = token_secret_build(ks_namespace(cluster), secret, ks_name(cluster));
	if (!desired) {
		ctl_event_record(st, cluster, "Warning", "SecretWriteFailed",
				 "Could not generate the token of %s", secret);
		cJSON_Delete(existing);
		return -ENOMEM;
	}
	ret = ctl_apply_logged(st, KS_RES_SECRET, desired, existing, cluster);
	cJSON_Delete(desired);
	cJSON_Delete(existing);
	return ret < 0 ? ret : 0;
}

/* status.secretName, and registrationStatus Pending until the worker reports in. */
static void cluster_status_reconcile(struct ctl_store *st, const cJSON *cluster,
				     const char *secret)
{
	cJSON *obj, *status;
	bool changed = false;
	int err;

	/* the worker writes this status too: change the stored one, not our copy */
	obj = ctl_store_get(st, KS_RES_CLUSTER, ks_namespace(cluster), ks_name(cluster));
	status = ks_ensure(obj, "status");
	if (!status)
		goto out;
	if (strcmp(ks_get_str0(status, "secretName"), secret)) {
		ks_set_str(status, "secretName", secret);
		changed = true;
	}
	if (!ks_get_str(status, "registrationStatus")) {
		ks_set_str(status, "registrationStatus", "Pending");
		changed = true;
	}
	if (changed) {
		err = ctl_store_apply_status(st, KS_RES_CLUSTER, obj);
		if (err)
			ctl_event_record(st, cluster, "Warning", "ClusterStatusWriteFailed",
					 "Could not write the status of cluster %s: %s",
					 ks_name(cluster), strerror(err < 0 ? -err : EIO));
	}
out:
	cJSON_Delete(obj);
}

void ctl_cluster_credential_reconcile(struct ctl_store *st, const cJSON *cluster, int deleted)
{
	char secret[KS_NAME_MAX + 1];
	cJSON *existing;

	if ((size_t)snprintf(secret, sizeof(secret), KS_SECRET_TOKEN_PREFIX "%s",
			     ks_name(cluster)) >= sizeof(secret))
		return;
	if (deleted) {
		existing = ctl_store_get(st, KS_RES_SECRET, ks_namespace(cluster), secret);
		if (existing)
			ctl_delete_logged(st, KS_RES_SECRET, existing, cluster);
		cJSON_Delete(existing);
	} else if (!token_secret_reconcile(st, cluster, secret)) {
		cluster_status_reconcile(st, cluster, secret);
	}
}

void ctl_cluster_reconcile(struct ctl_store *st, const cJSON *cluster, int deleted)
{
	ctl_cluster_credential_reconcile(st, cluster, deleted);
	/* node IPs, CNI subnets or the cluster itself changed under its slices */
	ctl_slices_reconcile_matching(st, ks_namespace(cluster), "clusters", ks_name(cluster));
}
