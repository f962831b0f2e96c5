// SPDX-License-Identifier: GPL-2.0
/*
 * ctl_reconcile: routes a changed object to its reconciler, and the full resync that
 * repairs derived objects and rolls certificates. Shared helpers of the reconcilers.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "api/json.h"
#include "api/kubeslice.h"
#include "controller/reconcile.h"

/* Compare a member of two objects, absent equal to absent. */
static bool same_member(const cJSON *a, const cJSON *b, const char *path)
{
	const cJSON *x = ks_get(a, path), *y = ks_get(b, path);

	if (!x || !y)
		return !x && !y;
	return ks_json_equal(x, y);
}

int ctl_apply_diff(struct ctl_store *st, const char *resource, const cJSON *desired,
		   const cJSON *existing)
{
	static const char *const compared[] = {
		"metadata.labels", "metadata.annotations", "metadata.ownerReferences", "type",
		"spec", "data",
	};
	unsigned int i;
	int err;

	if (existing) {
		for (i = 0; i < sizeof(compared) / sizeof(compared[0]); i++)
			if (!same_member(desired, existing, compared[i]))
				break;
		if (i == sizeof(compared) / sizeof(compared[0]))
			return CTL_UNCHANGED;
	}
	err = existing ? ctl_store_apply(st, resource, desired) :
		ctl_store_create(st, resource, desired);
	if (err)
		return err < 0 ? err : -EIO;
	return existing ? CTL_UPDATED : CTL_CREATED;
}

int ctl_apply_logged(struct ctl_store *st, const char *resource, const cJSON *desired,
		     const cJSON *existing, const cJSON *about)
{
	const char *kind = ks_get_str0(desired, "kind");
	char reason[96];
	int ret;

	ret = ctl_apply_diff(st, resource, desired, existing);
	if (ret < 0) {
		snprintf(reason, sizeof(reason), "%sWriteFailed", kind);
		ctl_event_record(st, about, "Warning", reason, "Could not write %s %s: %s", kind,
				 ks_name(desired), strerror(-ret));
	} else if (ret != CTL_UNCHANGED) {
		snprintf(reason, sizeof(reason), "%s%s", kind,
			 ret == CTL_CREATED ? "Created" : "Updated");
		ctl_event_record(st, about, "Normal", reason, "%s %s %s", kind,
				 ks_name(desired), ret == CTL_CREATED ? "created" : "updated");
	}
	return ret;
}

int ctl_delete_logged(struct ctl_store *st, const char *resource, const cJSON *obj,
		      const cJSON *about)
{
	const char *kind = ks_get_str0(obj, "kind");
	char reason[96];
	int err;

	err = ctl_store_delete(st, resource, ks_namespace(obj), ks_name(obj));
	if (err) {
		snprintf(reason, sizeof(reason), "%sDeleteFailed", kind);
		ctl_event_record(st, about, "Warning", reason, "Could not delete %s %s: %s",
				 kind, ks_name(obj), strerror(err < 0 ? -err : EIO));
		return err < 0 ? err : -EIO;
	}
	snprintf(reason, sizeof(reason), "%sDeleted", kind);
	ctl_event_record(st, about, "Normal", reason, "%s %s deleted", kind, ks_name(obj));
	return 0;
}

cJSON *ctl_find_named(const cJSON *list, const char *name)
{
	cJSON *item;
	const char *n;

	cJSON_ArrayForEach(item, list) {
		n = ks_name(item);
		if (n && !strcmp(n, name))
			return item;
	}
	return NULL;
}

const char *ctl_selector(char *buf, size_t len, const char *key, const char *value)
{
	snprintf(buf, len, "%s=%s", key, value);
	return buf;
}

bool ctl_label_owner(cJSON *obj, const char *kind, const char *name)
{
	char value[2 * KS_NAME_MAX + 64], key[sizeof(KS_LABEL_RESOURCE_NAME) + 12];
	size_t len, at;
	int part;

	if (!ks_set_label(obj, KS_LABEL_RESOURCE_OWNER, KS_RESOURCE_OWNER))
		return false;
	len = (size_t)snprintf(value, sizeof(value), "%s-%s", kind, name);
	/* a label value holds 63 characters: KubeSlice goes on in key-1, key-2, ... */
	for (at = 0, part = 0; at < len || !part; at += 63, part++) {
		char chunk[64];

		snprintf(chunk, sizeof(chunk), "%.63s", value + at);
		if (part)
			snprintf(key, sizeof(key), KS_LABEL_RESOURCE_NAME "-%d", part);
		if (!ks_set_label(obj, part ? key : KS_LABEL_RESOURCE_NAME, chunk))
			return false;
	}
	return true;
}

bool ctl_label_derived(cJSON *obj, const char *ns, const char *slice, const char *cluster)
{
	return ctl_label_owner(obj, "SliceConfig", slice) &&
	       ks_set_label(obj, KS_LABEL_SLICE, slice) &&
	       ks_set_label(obj, KS_LABEL_PROJECT_NS, ns) &&
	       ks_set_label(obj, KS_LABEL_MANAGER, KS_MANAGER_CONTROLLER) &&
	       (!cluster || ks_set_label(obj, KS_LABEL_WORKER_CLUSTER, cluster));
}

/*
 * Slices named by the derived objects of one resource, torn down when their SliceConfig is
 * gone (a missed delete, or a restart between deleting a slice and its children). seen
 * holds the "namespace/slice" keys already looked at.
 */
static void resync_orphans(struct ctl_store *st, const char *resource, cJSON *seen)
{
	cJSON *list = ctl_store_list(st, resource, NULL, KS_LABEL_SLICE);
	char key[2 * KS_NAME_MAX + 2];
	const char *slice;
	cJSON *item, *sc;

	cJSON_ArrayForEach(item, list) {
		slice = ks_label(item, KS_LABEL_SLICE);
		if (!slice || !ks_namespace(item))
			continue;
		snprintf(key, sizeof(key), "%s/%s", ks_namespace(item), slice);
		if (cJSON_GetObjectItemCaseSensitive(seen, key))
			continue;
		cJSON_AddTrueToObject(seen, key);
		sc = ctl_store_get(st, KS_RES_SLICE, ks_namespace(item), slice);
		if (!sc)
			ctl_slice_reconcile(st, ks_namespace(item), slice);
		cJSON_Delete(sc);
	}
	cJSON_Delete(list);
}

static void resync_all(struct ctl_store *st)
{
	cJSON *list, *item, *seen;

	/* what the indexes hold is read again from the store (also after a change of leader) */
	ctl_ports_invalidate(st, NULL, NULL);
	list = ctl_store_list(st, KS_RES_PROJECT, NULL, NULL);
	cJSON_ArrayForEach(item, list)
		ctl_project_reconcile(st, item, 0);
	cJSON_Delete(list);

	list = ctl_store_list(st, KS_RES_CLUSTER, NULL, NULL);
	cJSON_ArrayForEach(item, list)
		ctl_cluster_credential_reconcile(st, item, 0);
	cJSON_Delete(list);

	list = ctl_store_list(st, KS_RES_SLICE, NULL, NULL);
	cJSON_ArrayForEach(item, list)
		if (ks_namespace(item) && ks_name(item))
			ctl_slice_reconcile(st, ks_namespace(item), ks_name(item));
	cJSON_Delete(list);

	seen = cJSON_CreateObject();
	resync_orphans(st, KS_RES_WORKER_SLICE, seen);
	resync_orphans(st, KS_RES_WORKER_GATEWAY, seen);
	resync_orphans(st, KS_RES_WORKER_IMPORT, seen);
	resync_orphans(st, KS_RES_ROTATION, seen);
	cJSON_Delete(seen);
}

/* A derived object changed under its slice (deleted by someone else, or a worker wrote its
 * ports): reconcile the slice, which puts back or carries over what it wants. */
static void owning_slice_reconcile(struct ctl_store *st, const cJSON *obj)
{
	const char *slice = ks_label(obj, KS_LABEL_SLICE);

	if (slice && ks_namespace(obj))
		ctl_slice_reconcile(st, ks_namespace(obj), slice);
}

/*
 * A worker wrote the node ports of its gateway (as KubeSlice's does): when its peer does
 * not have them yet, reconcile the slice, which carries them over. Status writes and the
 * reconciler's own writes leave the pair in step and reconcile nothing.
 */
static void gateway_ports_changed(struct ctl_store *st, const cJSON *gw)
{
	cJSON *peer = ctl_store_get(st, KS_RES_WORKER_GATEWAY, ks_namespace(gw),
				    ks_get_str0(gw, "spec.remoteGatewayConfig.gatewayName"));
	const cJSON *mine = ks_get(gw, "spec.localGatewayConfig.nodePorts");
	const cJSON *theirs = ks_get(peer, "spec.remoteGatewayConfig.nodePorts");

	if (peer && mine && !ks_json_equal(mine, theirs))
		owning_slice_reconcile(st, gw);
	cJSON_Delete(peer);
}

static void reconcile_one(struct ctl_store *st, const char *resource, const cJSON *obj,
			  int deleted)
{
	const char *ns = obj ? ks_namespace(obj) : NULL;
	const char *name = obj ? ks_name(obj) : NULL;

	if (!obj) {
		resync_all(st);
		return;
	}
	if (!name)
		return;
	if (!strcmp(resource, KS_RES_PROJECT)) {
		ctl_project_reconcile(st, obj, deleted);
	} else if (!strcmp(resource, KS_RES_NAMESPACE)) {
		if (deleted)
			ctl_store_empty_namespace(st, name);
	} else if (!ns) {
		return;
	} else if (!strcmp(resource, KS_RES_CLUSTER)) {
		ctl_cluster_reconcile(st, obj, deleted);
	} else if (!strcmp(resource, KS_RES_SLICE)) {
		ctl_slice_reconcile(st, ns, name);
	} else if (!strcmp(resource, KS_RES_QOS)) {
		ctl_slices_reconcile_matching(st, ns, "standardQosProfileName", name);
	} else if (!strcmp(resource, KS_RES_EXPORT) || !strcmp(resource, KS_RES_ROTATION)) {
		if (ks_get_str(obj, "spec.sliceName"))
			ctl_slice_reconcile(st, ns, ks_get_str(obj, "spec.sliceName"));
	} else if (!strcmp(resource, KS_RES_WORKER_GATEWAY)) {
		/* changed by someone else: the cluster's ports are read again */
		ctl_ports_invalidate(st, ns, ks_label(obj, KS_LABEL_WORKER_CLUSTER));
		if (deleted)
			owning_slice_reconcile(st, obj);
		else
			gateway_ports_changed(st, obj);
	} else if (deleted && (!strcmp(resource, KS_RES_WORKER_SLICE) ||
			       !strcmp(resource, KS_RES_WORKER_IMPORT) ||
			       !strcmp(resource, KS_RES_SECRET))) {
		owning_slice_reconcile(st, obj);
	}
}

void ctl_reconcile(struct ctl_store *st, const char *resource, const cJSON *obj,
		   int deleted)
{
	reconcile_one(st, resource, obj, deleted);
	ctl_event_flush(st);
}
