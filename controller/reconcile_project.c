// SPDX-License-Identifier: GPL-2.0
/* Project -> namespace kubeslice-<project>; Cluster -> credential Secret and status. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/base64.h"
#include "api/json.h"
#include "api/kubeslice.h"
#include "api/qos.h"
#include "controller/certs.h"
#include "controller/reconcile.h"

/* Random bytes in a bearer token (workers' and project users'). */
#define CTL_TOKEN_BYTES 32

/* KubeSlice's project users: a list in the Project, the name of their Secrets, access. */
static const struct project_access {
	const char *field;
	const char *prefix;
	const char *access;
} project_access[] = {
	{ "spec.serviceAccount.readOnly", KS_SECRET_READ_ONLY_PREFIX, KS_ACCESS_READ_ONLY },
	{ "spec.serviceAccount.readWrite", KS_SECRET_READ_WRITE_PREFIX, KS_ACCESS_READ_WRITE },
};

/* A bearer-token Secret, labelled key=value so that ctl_auth_identify finds it. */
static cJSON *token_secret_build(const char *ns, const char *secret, const char *key,
				 const char *value)
{
	char token[2 * CTL_TOKEN_BYTES + 1];
	cJSON *obj, *data;
	char *b64;

	if (ctl_random_hex(token, CTL_TOKEN_BYTES))
		return NULL;
	b64 = ks_b64_encode(token, strlen(token));
	obj = ks_object_new(KS_API_CORE, "Secret", ns, secret);
	data = ks_ensure(obj, "data");
	if (!b64 || !data || !ks_set_label(obj, key, value) ||
	    !ks_set_str(obj, "type", KS_SECRET_TYPE_TOKEN) || !ks_set_str(data, "token", b64)) {
		cJSON_Delete(obj);
		obj = NULL;
	}
	free(b64);
	return obj;
}

/* The credential exists, and stays as it is once made: a new token would lock its holder
 * out until someone copied it over. Events go on about. */
static int token_secret_reconcile(struct ctl_store *st, const cJSON *about, const char *ns,
				  const char *secret, const char *key, const char *value)
{
	cJSON *existing, *desired;
	int ret;

	existing = ctl_store_get(st, KS_RES_SECRET, ns, secret);
	if (existing && ks_get_str(existing, "data.token")) {
		cJSON_Delete(existing);
		return 0;
	}
	desired = token_secret_build(ns, secret, key, value);
	if (!desired) {
		ctl_event_record(st, about, "Warning", "SecretWriteFailed",
				 "Could not generate the token of %s", secret);
		cJSON_Delete(existing);
		return -ENOMEM;
	}
	ret = ctl_apply_logged(st, KS_RES_SECRET, desired, existing, about);
	cJSON_Delete(desired);
	cJSON_Delete(existing);
	return ret < 0 ? ret : 0;
}

/* Whether the Project still lists the user whose token Secret is secret. */
static bool project_lists(const cJSON *project, const cJSON *secret)
{
	const char *access = ks_label(secret, KS_LABEL_ACCESS);
	const cJSON *user;

	for (size_t i = 0; access && i < sizeof(project_access) / sizeof(project_access[0]); i++) {
		const struct project_access *pa = &project_access[i];
		size_t plen = strlen(pa->prefix);

		if (strcmp(access, pa->access) || strncmp(ks_name(secret), pa->prefix, plen))
			continue;
		cJSON_ArrayForEach(user, ks_get(project, pa->field))
			if (cJSON_IsString(user) &&
			    !strcmp(user->valuestring, ks_name(secret) + plen))
				return true;
	}
	return false;
}

/* One token Secret per listed user; the Secrets of users no longer listed go. */
static void project_users_reconcile(struct ctl_store *st, const cJSON *project,
				    const char *ns)
{
	char secret[KS_NAME_MAX + 1];
	const cJSON *user;
	cJSON *have, *s;

	for (size_t i = 0; i < sizeof(project_access) / sizeof(project_access[0]); i++) {
		const struct project_access *pa = &project_access[i];

		cJSON_ArrayForEach(user, ks_get(project, pa->field)) {
			if (!cJSON_IsString(user) ||
			    (size_t)snprintf(secret, sizeof(secret), "%s%s", pa->prefix,
					     user->valuestring) >= sizeof(secret))
				continue;
			token_secret_reconcile(st, project, ns, secret, KS_LABEL_ACCESS, pa->access);
		}
	}
	have = ctl_store_list(st, KS_RES_SECRET, ns, KS_LABEL_ACCESS);
	cJSON_ArrayForEach(s, have)
		if (!project_lists(project, s))
			ctl_delete_logged(st, KS_RES_SECRET, s, project);
	cJSON_Delete(have);
}

/* The namespace a Project owns: it was made for this Project (the label says so). */
static bool namespace_owned(const cJSON *ns, const cJSON *project)
{
	return !strcmp(ks_label(ns, KS_LABEL_PROJECT) ?: "", ks_name(project));
}

/* The project namespace with KubeSlice's labels, which mark it as a project's. */
static cJSON *namespace_build(const cJSON *project, const char *ns)
{
	cJSON *obj = ks_object_new(KS_API_CORE, "Namespace", NULL, ns);
	char owner[KS_NAME_MAX + 16];

	snprintf(owner, sizeof(owner), "Project-%s", ns);
	if (!obj || !ks_set_label(obj, KS_LABEL_PROJECT, ks_name(project)) ||
	    !ks_set_label(obj, KS_LABEL_RESOURCE_OWNER, KS_RESOURCE_OWNER) ||
	    !ks_set_label(obj, KS_LABEL_RESOURCE_NAME, owner)) {
		cJSON_Delete(obj);
		return NULL;
	}
	return obj;
}

/* KubeSlice's "default" SliceQoSConfig of a project, made once: the user may change it. */
static void default_qos_reconcile(struct ctl_store *st, const cJSON *project, const char *ns)
{
	cJSON *existing = ctl_store_get(st, KS_RES_QOS, ns, KS_DEFAULT_QOS_NAME), *qos, *spec;

	if (existing) {
		cJSON_Delete(existing);
		return;
	}
	qos = ks_object_new(KS_API_CONTROLLER, "SliceQoSConfig", ns, KS_DEFAULT_QOS_NAME);
	spec = ks_ensure(qos, "spec");
	if (!spec || !ks_set_str(spec, "queueType", KS_QOS_QUEUE_HTB) ||
	    !ks_set_int(spec, "priority", 0) || !ks_set_str(spec, "tcType", KS_QOS_TC_BANDWIDTH) ||
	    !ks_set_int(spec, "bandwidthCeilingKbps", 10000000) ||
	    !ks_set_int(spec, "bandwidthGuaranteedKbps", 1000000) ||
	    !ks_set_str(spec, "dscpClass", "AF11"))
		ctl_event_record(st, project, "Warning", "SliceQoSConfigWriteFailed",
				 "Out of memory building the default SliceQoSConfig of %s", ns);
	else
		ctl_apply_logged(st, KS_RES_QOS, qos, NULL, project);
	cJSON_Delete(qos);
}

void ctl_project_reconcile(struct ctl_store *st, const cJSON *project, int deleted)
{
	char ns[KS_NAME_MAX + 1];
	cJSON *desired, *existing;

	/* only a Project in kubeslice-controller has a namespace: one elsewhere (stored
	 * before admission refused it) must never touch the namespace of a real one */
	if (strcmp(ks_namespace(project) ?: "", KS_CONTROLLER_NAMESPACE) ||
	    ks_project_namespace(ks_name(project), ns, sizeof(ns)))
		return;
	existing = ctl_store_get(st, KS_RES_NAMESPACE, NULL, ns);
	if (deleted) {
		if (existing && namespace_owned(existing, project))
			ctl_delete_logged(st, KS_RES_NAMESPACE, existing, project);
		cJSON_Delete(existing);
		return;
	}
	desired = namespace_build(project, ns);
	if (!desired) {
		ctl_event_record(st, project, "Warning", "NamespaceWriteFailed",
				 "Out of memory building namespace %s", ns);
	} else if (ctl_apply_logged(st, KS_RES_NAMESPACE, desired, existing, project) >= 0) {
		project_users_reconcile(st, project, ns);
		default_qos_reconcile(st, project, ns);
	}
	cJSON_Delete(desired);
	cJSON_Delete(existing);
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
	} else if (!token_secret_reconcile(st, cluster, ks_namespace(cluster), secret,
					   KS_LABEL_CLUSTER, ks_name(cluster))) {
		cluster_status_reconcile(st, cluster, secret);
	}
}

void ctl_cluster_reconcile(struct ctl_store *st, const cJSON *cluster, int deleted)
{
	ctl_cluster_credential_reconcile(st, cluster, deleted);
	/* node IPs, CNI subnets or the cluster itself changed under its slices */
	ctl_slices_reconcile_matching(st, ks_namespace(cluster), "clusters", ks_name(cluster));
}
