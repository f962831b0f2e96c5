// SPDX-License-Identifier: GPL-2.0
/*
 * kubectl maps a kind to its resource, scope and verbs from these documents before any
 * request, so they list every kind of api/kubeslice.h with its status subresource.
 * Aggregated discovery (apidiscovery.k8s.io/v2) is not offered: kubectl asks for it in its
 * Accept header and falls back to these documents when the answer is plain JSON.
 */
#include <string.h>
#include <stdio.h>

#include "controller/discovery.h"

/* The groups served: KubeSlice's two, and authorization's SelfSubjectAccessReview, which
 * kubectl auth can-i posts (answered by ctl_auth_review()). */
static const struct {
	const char *name;
	const char *version;
} served_groups[] = {
	{ KS_GROUP_CONTROLLER, KS_VERSION },
	{ KS_GROUP_WORKER, KS_VERSION },
	{ CTL_GROUP_AUTHORIZATION, "v1" },
};

/* kubectl's short names of the core kinds; the KubeSlice CRDs define none. */
static const char *short_name(const char *plural)
{
	if (!strcmp(plural, KS_RES_NAMESPACE))
		return "ns";
	if (!strcmp(plural, KS_RES_EVENT))
		return "ev";
	return NULL;
}

const struct ks_resource *ctl_resource(const char *group, const char *version,
				       const char *plural)
{
	const struct ks_resource *res = ks_resource_by_plural(plural);

	if (!res || strcmp(res->group, group) || strcmp(res->version, version))
		return NULL;
	return res;
}

cJSON *ctl_discovery_version(void)
{
	cJSON *v = cJSON_CreateObject();

	cJSON_AddStringToObject(v, "major", "1");
	cJSON_AddStringToObject(v, "minor", "32");
	cJSON_AddStringToObject(v, "gitVersion", "v1.32.0-kubeslice-c");
	cJSON_AddStringToObject(v, "platform", "linux/amd64");
	return v;
}

cJSON *ctl_discovery_core_versions(void)
{
	cJSON *v = cJSON_CreateObject();
	cJSON *versions;

	cJSON_AddStringToObject(v, "kind", "APIVersions");
	versions = cJSON_AddArrayToObject(v, "versions");
	cJSON_AddItemToArray(versions, cJSON_CreateString(KS_API_CORE));
	cJSON_AddArrayToObject(v, "serverAddressByClientCIDRs");
	return v;
}

static cJSON *group_version(const char *group, const char *version)
{
	cJSON *gv = cJSON_CreateObject();
	char buf[128];

	snprintf(buf, sizeof(buf), "%s/%s", group, version);
	cJSON_AddStringToObject(gv, "groupVersion", buf);
	cJSON_AddStringToObject(gv, "version", version);
	return gv;
}

static cJSON *api_group(const char *group, const char *version)
{
	cJSON *g = cJSON_CreateObject();

	cJSON_AddStringToObject(g, "name", group);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(g, "versions"),
			     group_version(group, version));
	cJSON_AddItemToObject(g, "preferredVersion", group_version(group, version));
	return g;
}

cJSON *ctl_discovery_group(const char *group)
{
	for (size_t i = 0; i < sizeof(served_groups) / sizeof(served_groups[0]); i++)
		if (!strcmp(group, served_groups[i].name)) {
			cJSON *g = api_group(group, served_groups[i].version);

			cJSON_AddStringToObject(g, "kind", "APIGroup");
			cJSON_AddStringToObject(g, "apiVersion", "v1");
			return g;
		}
	return NULL;
}

cJSON *ctl_discovery_groups(void)
{
	cJSON *list = cJSON_CreateObject();
	cJSON *arr;

	cJSON_AddStringToObject(list, "kind", "APIGroupList");
	cJSON_AddStringToObject(list, "apiVersion", "v1");
	arr = cJSON_AddArrayToObject(list, "groups");
	for (size_t i = 0; i < sizeof(served_groups) / sizeof(served_groups[0]); i++)
		cJSON_AddItemToArray(arr, api_group(served_groups[i].name,
						    served_groups[i].version));
	return list;
}

static cJSON *strings(const char *const *names)
{
	cJSON *arr = cJSON_CreateArray();

	for (; *names; names++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(*names));
	return arr;
}

static cJSON *api_resource(const struct ks_resource *res, bool status)
{
	static const char *const main_verbs[] = { "create", "delete", "deletecollection", "get",
						  "list", "patch", "update", "watch", NULL };
	static const char *const status_verbs[] = { "get", "patch", "update", NULL };
	static const char *const categories[] = { "kubeslice", NULL };
	const char *short_names[] = { short_name(res->plural), NULL };
	cJSON *r = cJSON_CreateObject();
	char name[96];

	snprintf(name, sizeof(name), "%s%s", res->plural, status ? "/status" : "");
	cJSON_AddStringToObject(r, "name", name);
	cJSON_AddStringToObject(r, "singularName", status ? "" : res->singular);
	cJSON_AddBoolToObject(r, "namespaced", res->namespaced);
	cJSON_AddStringToObject(r, "kind", res->kind);
	cJSON_AddItemToObject(r, "verbs", strings(status ? status_verbs : main_verbs));
	if (!status && short_names[0])
		cJSON_AddItemToObject(r, "shortNames", strings(short_names));
	if (!status && *res->group)
		cJSON_AddItemToObject(r, "categories", strings(categories));
	return r;
}

/* authorization.k8s.io/v1: the one kind kubectl auth can-i creates. */
static cJSON *authorization_resources(void)
{
	static const char *const verbs[] = { "create", NULL };
	cJSON *list = cJSON_CreateObject(), *r;

	cJSON_AddStringToObject(list, "kind", "APIResourceList");
	cJSON_AddStringToObject(list, "apiVersion", "v1");
	cJSON_AddStringToObject(list, "groupVersion", CTL_GROUP_AUTHORIZATION "/v1");
	r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "name", CTL_RES_SSAR);
	cJSON_AddStringToObject(r, "singularName", "selfsubjectaccessreview");
	cJSON_AddBoolToObject(r, "namespaced", false);
	cJSON_AddStringToObject(r, "kind", "SelfSubjectAccessReview");
	cJSON_AddItemToObject(r, "verbs", strings(verbs));
	cJSON_AddItemToArray(cJSON_AddArrayToObject(list, "resources"), r);
	return list;
}

cJSON *ctl_discovery_resources(const char *group, const char *version)
{
	cJSON *list = NULL, *arr = NULL;
	const struct ks_resource *res;
	char gv[128];

	if (!strcmp(group, CTL_GROUP_AUTHORIZATION))
		return strcmp(version, "v1") ? NULL : authorization_resources();

	for (res = ks_resources; res->kind; res++) {
		if (strcmp(res->group, group) || strcmp(res->version, version))
			continue;
		if (!list) {
			list = cJSON_CreateObject();
			cJSON_AddStringToObject(list, "kind", "APIResourceList");
			cJSON_AddStringToObject(list, "apiVersion", "v1");
			ks_resource_api_version(res, gv, sizeof(gv));
			cJSON_AddStringToObject(list, "groupVersion", gv);
			arr = cJSON_AddArrayToObject(list, "resources");
		}
		cJSON_AddItemToArray(arr, api_resource(res, false));
		if (res->status)
			cJSON_AddItemToArray(arr, api_resource(res, true));
	}
	return list;
}
