// SPDX-License-Identifier: GPL-2.0
/*
 * What may not be deleted yet, KubeSlice's rules: the user removes the things that depend
 * on an object first, so that a delete never leaves a half-torn slice behind. The project's
 * default slice ("<project>-default-slice") does not hold its Project or Clusters back.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "api/json.h"
#include "api/kubeslice.h"
#include "controller/client.h"
#include "controller/validate.h"

static bool is_default_slice_name(const char *project, const char *slice)
{
	char want[2 * KS_NAME_MAX];

	snprintf(want, sizeof(want), "%s" KS_DEFAULT_SLICE_SUFFIX, project);
	return !strcmp(slice, want);
}

/* The names of the SliceConfigs of ns whose spec.<field> is or lists value ("" for any),
 * default slices left out, as one "a, b" string in buf; false when none. */
static bool slices_using(struct ctl_store *st, const char *ns, const char *field,
			 const char *value, char *buf, size_t len)
{
	const char *project = ns + strlen(KS_PROJECT_NS_PREFIX);
	cJSON *list = ctl_store_list(st, KS_RES_SLICE, ns, NULL), *sc, *f;
	char path[64];

	*buf = '\0';
	snprintf(path, sizeof(path), "spec.%s", field);
	cJSON_ArrayForEach(sc, list) {
		f = ks_get(sc, path);
		if (is_default_slice_name(project, ks_name(sc)) ||
		    (*value && !(cJSON_IsString(f) && !strcmp(f->valuestring, value)) &&
		     !ks_array_has_str(f, value)))
			continue;
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", *buf ? ", " : "",
			 ks_name(sc));
	}
	cJSON_Delete(list);
	return *buf;
}

static void check_project(struct ctl_check *c)
{
	char ns[KS_NAME_MAX + 1], names[512];

	/* a Project outside kubeslice-controller never had a namespace of its own */
	if (strcmp(ks_namespace(c->obj) ?: "", KS_CONTROLLER_NAMESPACE) ||
	    ks_project_namespace(ks_name(c->obj), ns, sizeof(ns)))
		return;
	if (slices_using(c->st, ns, "clusters", "", names, sizeof(names)))
		ctl_cause(c, "Project", CAUSE_FORBIDDEN, "the Project can be deleted only after "
			  "its slices are: %s", names);
}

static void check_cluster(struct ctl_check *c)
{
	const char *ns = ks_namespace(c->obj) ?: "";
	char names[512];

	if (strncmp(ns, KS_PROJECT_NS_PREFIX, strlen(KS_PROJECT_NS_PREFIX)))
		return;
	if (slices_using(c->st, ns, "clusters", ks_name(c->obj), names, sizeof(names)))
		ctl_cause(c, "Cluster", CAUSE_FORBIDDEN, "the cluster cannot be deleted while "
			  "it is in slices: %s; take it out of them first", names);
}

static void check_qos(struct ctl_check *c)
{
	const char *ns = ks_namespace(c->obj) ?: "";
	char names[512], sel[KS_NAME_MAX + 32];
	cJSON *workers, *w;

	if (strncmp(ns, KS_PROJECT_NS_PREFIX, strlen(KS_PROJECT_NS_PREFIX)))
		return;
	if (!slices_using(c->st, ns, "standardQosProfileName", ks_name(c->obj), names,
			  sizeof(names))) {
		/* the derived objects still say so while a slice lets go of the profile */
		snprintf(sel, sizeof(sel), KS_LABEL_QOS_PROFILE "=%s", ks_name(c->obj));
		workers = ctl_store_list(c->st, KS_RES_WORKER_SLICE, ns, sel);
		cJSON_ArrayForEach(w, workers)
			if (!strstr(names, ks_get_str0(w, "spec.sliceName")))
				snprintf(names + strlen(names), sizeof(names) - strlen(names),
					 "%s%s", *names ? ", " : "", ks_get_str0(w, "spec.sliceName"));
		cJSON_Delete(workers);
	}
	if (*names)
		ctl_cause(c, "SliceQoSConfig", CAUSE_FORBIDDEN, "the SliceQoSProfile %s cannot "
			  "be deleted: it is used by slices [ %s ]", ks_name(c->obj), names);
}

static void check_slice(struct ctl_check *c)
{
	const cJSON *apps = ks_get(c->obj, "spec.namespaceIsolationProfile.applicationNamespaces");
	const char *ns = ks_namespace(c->obj);
	char sel[KS_NAME_MAX + 32];
	cJSON *list, *item;
	int exports = 0;

	if (cJSON_GetArraySize(apps))
		ctl_cause(c, "spec.namespaceIsolationProfile.applicationNamespaces",
			  CAUSE_FORBIDDEN, "%d application namespaces: deboard the namespaces "
			  "(empty the list) before deleting the slice", cJSON_GetArraySize(apps));
	snprintf(sel, sizeof(sel), KS_LABEL_SLICE "=%s", ks_name(c->obj));
	list = ctl_store_list(c->st, KS_RES_WORKER_SLICE, ns, sel);
	cJSON_ArrayForEach(item, list)
		if (!cJSON_GetArraySize(apps) &&
		    cJSON_GetArraySize(ks_get(item, "status.onboardedAppNamespaces"))) {
			ctl_cause(c, "status.onboardedAppNamespaces", CAUSE_FORBIDDEN,
				  "deboarding of namespaces is in progress in cluster %s; try again "
				  "later", ks_label(item, KS_LABEL_WORKER_CLUSTER) ?: "");
			break;
		}
	cJSON_Delete(list);
	list = ctl_store_list(c->st, KS_RES_EXPORT, ns, NULL);
	cJSON_ArrayForEach(item, list)
		exports += !strcmp(ks_get_str0(item, "spec.sliceName"), ks_name(c->obj));
	cJSON_Delete(list);
	if (exports)
		ctl_cause(c, "ServiceExportConfig", CAUSE_FORBIDDEN, "the SliceConfig can only be "
			  "deleted after its %d service export configs are", exports);
}

static void check_rotation(struct ctl_check *c)
{
	cJSON *sc = ctl_store_get(c->st, KS_RES_SLICE, ks_namespace(c->obj),
				  ks_get_str0(c->obj, "spec.sliceName"));

	if (sc && !ks_get(sc, "metadata.deletionTimestamp"))
		ctl_cause(c, "VpnKeyRotation", CAUSE_FORBIDDEN, "the VpnKeyRotation %s may not be "
			  "deleted unless its SliceConfig is", ks_name(c->obj));
	cJSON_Delete(sc);
}

int ctl_validate_delete(struct ctl_store *st, const char *resource, const cJSON *obj,
			cJSON *causes)
{
	struct ctl_check c = { .st = st, .obj = obj, .causes = causes };
	int before = cJSON_GetArraySize(causes);

	if (!strcmp(resource, KS_RES_PROJECT))
		check_project(&c);
	else if (!strcmp(resource, KS_RES_CLUSTER))
		check_cluster(&c);
	else if (!strcmp(resource, KS_RES_QOS))
		check_qos(&c);
	else if (!strcmp(resource, KS_RES_SLICE))
		check_slice(&c);
	else if (!strcmp(resource, KS_RES_ROTATION))
		check_rotation(&c);
	return cJSON_GetArraySize(causes) > before ? -EINVAL : 0;
}
