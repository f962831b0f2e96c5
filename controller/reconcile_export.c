// SPDX-License-Identifier: GPL-2.0
/*
 * ServiceExportConfig -> WorkerServiceImport. All exports of one service (name and
 * namespace) in a slice make one import per member cluster, named
 * <service>-<namespace>-<slice>-<cluster>, that lists every member's endpoints, the
 * cluster's own among them, as KubeSlice's CreateMinimalWorkerServiceImport does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/json.h"
#include "api/kubeslice.h"
#include "controller/reconcile.h"

static bool is_member(const struct ctl_slice *s, const char *cluster)
{
	int i;

	for (i = 0; cluster && i < s->n_members; i++)
		if (!strcmp(s->members[i].name, cluster))
			return true;
	return false;
}

static bool same_service(const cJSON *a, const cJSON *b)
{
	return !strcmp(ks_get_str0(a, "spec.serviceName"), ks_get_str0(b, "spec.serviceName")) &&
	       !strcmp(ks_get_str0(a, "spec.serviceNamespace"),
		       ks_get_str0(b, "spec.serviceNamespace"));
}

/* Exports of one service sort next to each other, and in a fixed order among them. */
static int by_service(const void *a, const void *b)
{
	const cJSON *x = *(cJSON *const *)a, *y = *(cJSON *const *)b;
	int c;

	c = strcmp(ks_get_str0(x, "spec.serviceNamespace"), ks_get_str0(y, "spec.serviceNamespace"));
	if (!c)
		c = strcmp(ks_get_str0(x, "spec.serviceName"), ks_get_str0(y, "spec.serviceName"));
	return c ? c : strcmp(ks_name(x), ks_name(y));
}

/*
 * The slice's exports from member clusters, sorted by service so that the imports built
 * from them do not depend on list order. Returns a malloc'ed array of pointers into list.
 */
static cJSON **exports_of(const struct ctl_slice *s, const cJSON *list, int *n)
{
	cJSON **out = calloc((size_t)cJSON_GetArraySize(list) + 1, sizeof(*out));
	cJSON *e;

	*n = 0;
	if (!out)
		return NULL;
	cJSON_ArrayForEach(e, list)
		if (ks_name(e) && !strcmp(ks_get_str0(e, "spec.sliceName"), s->name) &&
		    ks_get_str(e, "spec.serviceName") && ks_get_str(e, "spec.serviceNamespace") &&
		    is_member(s, ks_get_str(e, "spec.sourceCluster")) &&
		    !ks_get(e, "metadata.deletionTimestamp"))
			out[(*n)++] = e;
	qsort(out, (size_t)*n, sizeof(*out), by_service);
	return out;
}

static bool endpoints_add(cJSON *endpoints, const cJSON *export)
{
	const char *source = ks_get_str(export, "spec.sourceCluster");
	const cJSON *ep;
	cJSON *copy;

	cJSON_ArrayForEach(ep, ks_get(export, "spec.serviceDiscoveryEndpoints")) {
		copy = cJSON_Duplicate(ep, true);
		if (!copy || !ks_set_str(copy, "cluster", source) ||
		    !cJSON_AddItemToArray(endpoints, copy)) {
			cJSON_Delete(copy);
			return false;
		}
	}
	return true;
}

/* KubeSlice's ownership labels of an import: the ServiceExportConfigs of one service. */
static bool import_owner_label(cJSON *obj, const char *svc, const char *svc_ns,
			       const char *slice)
{
	char what[3 * KS_NAME_MAX + 3];

	snprintf(what, sizeof(what), "%s-%s-%s", svc, svc_ns, slice);
	return ctl_label_owner(obj, "ServiceExportConfig", what);
}

/* The import of one service (exports[0..n)) into cluster. */
static cJSON *import_build(const struct ctl_slice *s, cJSON **exports, int n,
			   const char *cluster)
{
	const char *svc = ks_get_str(exports[0], "spec.serviceName");
	const char *svc_ns = ks_get_str(exports[0], "spec.serviceNamespace");
	const cJSON *first = exports[0];
	char name[4 * KS_NAME_MAX + 4];
	cJSON *obj, *spec, *sources, *endpoints;
	const char *src;
	int i;

	snprintf(name, sizeof(name), "%s-%s-%s-%s", svc, svc_ns, s->name, cluster);
	obj = ks_object_new(KS_API_WORKER, "WorkerServiceImport", s->ns, name);
	spec = ks_ensure(obj, "spec");
	sources = cJSON_AddArrayToObject(spec, "sourceClusters");
	endpoints = cJSON_AddArrayToObject(spec, "serviceDiscoveryEndpoints");
	if (!sources || !endpoints)
		goto err;
	for (i = 0; i < n; i++) {
		src = ks_get_str(exports[i], "spec.sourceCluster");
		if (!ks_array_has_str(sources, src) &&
		    !cJSON_AddItemToArray(sources, cJSON_CreateString(src)))
			goto err;
		if (!endpoints_add(endpoints, exports[i]))
			goto err;
	}
	if (!ctl_label_derived(obj, s->ns, s->name, cluster) ||
	    !import_owner_label(obj, svc, svc_ns, s->name) ||
	    !ks_set_label(obj, KS_LABEL_SERVICE, svc) ||
	    !ks_set_label(obj, KS_LABEL_SERVICE_NS, svc_ns) ||
	    !ks_set_str(spec, "serviceName", svc) || !ks_set_str(spec, "serviceNamespace", svc_ns) ||
	    !ks_set_str(spec, "sliceName", s->name) ||
	    !ks_set(spec, "serviceDiscoveryPorts", ks_get(first, "spec.serviceDiscoveryPorts") ?
		    cJSON_Duplicate(ks_get(first, "spec.serviceDiscoveryPorts"), true) :
		    cJSON_CreateArray()) ||
	    !ks_set(spec, "aliases", ks_str_array_dup(ks_get(first, "spec.aliases"))))
		goto err;
	return obj;
err:
	cJSON_Delete(obj);
	return NULL;
}

/* Desired imports of the slice into desired (an array); exports sorted by service. */
static int imports_build(const struct ctl_slice *s, cJSON **exports, int n, cJSON *desired)
{
	int i, j, k;
	cJSON *imp;

	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && same_service(exports[i], exports[j]); j++)
			;
		for (k = 0; k < s->n_members; k++) {
			imp = import_build(s, &exports[i], j - i, s->members[k].name);
			if (imp && !cJSON_AddItemToArray(desired, imp))
				return -ENOMEM;
		}
	}
	return 0;
}

int ctl_imports_reconcile(struct ctl_slice *s)
{
	char sel[KS_NAME_MAX + 32];
	cJSON *list, *existing, *desired, *imp, **exports;
	int n, err = -ENOMEM;

	list = ctl_store_list(s->st, KS_RES_EXPORT, s->ns, NULL);
	existing = ctl_store_list(s->st, KS_RES_WORKER_IMPORT, s->ns,
				  ctl_selector(sel, sizeof(sel), KS_LABEL_SLICE, s->name));
	desired = cJSON_CreateArray();
	exports = exports_of(s, list, &n);
	if (exports && desired)
		err = imports_build(s, exports, n, desired);
	if (!err) {
		cJSON_ArrayForEach(imp, existing)
			if (!ctl_find_named(desired, ks_name(imp)))
				ctl_delete_logged(s->st, KS_RES_WORKER_IMPORT, imp, s->sc);
		cJSON_ArrayForEach(imp, desired) {
			err = ctl_apply_logged(s->st, KS_RES_WORKER_IMPORT, imp,
					       ctl_find_named(existing, ks_name(imp)), s->sc);
			if (err < 0)
				break;
			err = 0;
		}
	}
	free(exports);
	cJSON_Delete(desired);
	cJSON_Delete(existing);
	cJSON_Delete(list);
	return err;
}
