// SPDX-License-Identifier: GPL-2.0
/*
 * Worker and project user tokens live in Secrets, so finding one scans the Secrets; the
 * answer is cached until any Secret changes (the store counts Secret writes), which also
 * makes a deleted or replaced token stop working at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "api/base64.h"
#include "api/json.h"
#include "controller/auth.h"
#include "controller/discovery.h"
#include "controller/registry.h"

#define CACHE_SIZE 64

struct cached_token {
	char *token;
	struct ctl_identity id;
};

struct ctl_auth {
	struct ctl_store *st;
	char admin_token[65];
	pthread_mutex_t lock;		/* guards the cache */
	uint64_t cache_gen;		/* Secret writes when the cache was filled */
	struct cached_token cache[CACHE_SIZE];
	unsigned int cache_next;
};

struct ctl_auth *ctl_auth_new(struct ctl_store *st, const char *admin_token)
{
	struct ctl_auth *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->st = st;
	snprintf(a->admin_token, sizeof(a->admin_token), "%s", admin_token);
	pthread_mutex_init(&a->lock, NULL);
	return a;
}

static void cache_clear(struct ctl_auth *a)
{
	for (int i = 0; i < CACHE_SIZE; i++) {
		free(a->cache[i].token);
		a->cache[i].token = NULL;
	}
}

void ctl_auth_free(struct ctl_auth *a)
{
	cache_clear(a);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

static bool token_equal(const char *a, const char *b)
{
	size_t n = strlen(a);

	return n == strlen(b) && !CRYPTO_memcmp(a, b, n);
}

/* The token Secret labelled key whose token is token (caller frees), or NULL. */
static cJSON *find_secret(struct ctl_auth *a, const char *key, const char *token)
{
	const struct ks_resource *res = ks_resource_by_plural(KS_RES_SECRET);
	struct ctl_selector *sel;
	cJSON *secrets, *s, *found = NULL;
	char err[128];

	if (ctl_selector_parse(key, NULL, &sel, err, sizeof(err)))
		return NULL;
	secrets = ctl_obj_list(a->st, res, NULL, sel, NULL);
	ctl_selector_free(sel);
	cJSON_ArrayForEach(s, secrets) {
		const char *b64 = ks_get_str(s, "data.token");
		unsigned char *raw;
		size_t len;
		bool match;

		if (strcmp(ks_get_str0(s, "type"), KS_SECRET_TYPE_TOKEN) || !b64)
			continue;
		raw = ks_b64_decode(b64, &len);
		match = raw && token_equal((const char *)raw, token);
		free(raw);
		if (match) {
			found = cJSON_DetachItemViaPointer(secrets, s);
			break;
		}
	}
	cJSON_Delete(secrets);
	return found;
}

/* Looks the token up in the worker and project user credential Secrets. */
static bool find_holder(struct ctl_auth *a, const char *token, struct ctl_identity *id)
{
	cJSON *s = find_secret(a, KS_LABEL_CLUSTER, token);
	const char *access;

	if (s) {
		id->role = CTL_WORKER;
		snprintf(id->cluster, sizeof(id->cluster), "%s", ks_label(s, KS_LABEL_CLUSTER));
	} else {
		s = find_secret(a, KS_LABEL_ACCESS, token);
		access = s ? ks_label(s, KS_LABEL_ACCESS) : NULL;
		if (access && !strcmp(access, KS_ACCESS_READ_WRITE))
			id->role = CTL_PROJECT_READ_WRITE;
		else if (access && !strcmp(access, KS_ACCESS_READ_ONLY))
			id->role = CTL_PROJECT_READ_ONLY;
	}
	if (id->role == CTL_ANONYMOUS) {
		cJSON_Delete(s);
		return false;
	}
	snprintf(id->ns, sizeof(id->ns), "%s", ks_namespace(s));
	snprintf(id->user, sizeof(id->user), "system:serviceaccount:%s:%s", id->ns, ks_name(s));
	cJSON_Delete(s);
	return true;
}

void ctl_auth_identify(struct ctl_auth *a, const char *authorization,
		       struct ctl_identity *id)
{
	const char *token;
	uint64_t gen;

	memset(id, 0, sizeof(*id));
	snprintf(id->user, sizeof(id->user), "system:anonymous");
	if (strncasecmp(authorization, "Bearer ", 7))
		return;
	token = authorization + 7;
	while (*token == ' ')
		token++;
	if (!*token)
		return;
	if (token_equal(token, a->admin_token)) {
		id->role = CTL_ADMIN;
		snprintf(id->user, sizeof(id->user), "kubernetes-admin");
		return;
	}
	gen = ctl_obj_kind_writes(a->st, ks_resource_by_plural(KS_RES_SECRET));

	pthread_mutex_lock(&a->lock);
	if (gen != a->cache_gen) {
		cache_clear(a);
		a->cache_gen = gen;
	}
	for (int i = 0; i < CACHE_SIZE; i++)
		if (a->cache[i].token && token_equal(a->cache[i].token, token)) {
			*id = a->cache[i].id;
			pthread_mutex_unlock(&a->lock);
			return;
		}
	pthread_mutex_unlock(&a->lock);

	if (!find_holder(a, token, id))
		return;
	pthread_mutex_lock(&a->lock);
	if (gen == a->cache_gen) {
		struct cached_token *slot = &a->cache[a->cache_next++ % CACHE_SIZE];

		free(slot->token);
		slot->token = strdup(token);
		slot->id = *id;
	}
	pthread_mutex_unlock(&a->lock);
}

static bool is(const struct ks_resource *res, const char *plural)
{
	return !strcmp(res->plural, plural);
}

/* The kinds a project's read-write users may write. */
static bool project_editable(const struct ks_resource *res)
{
	return is(res, KS_RES_CLUSTER) || is(res, KS_RES_SLICE) || is(res, KS_RES_QOS) ||
	       is(res, KS_RES_EXPORT);
}

/* The kinds a project's users see in its namespace (Secrets and key rotations are not). */
static bool project_visible(const struct ks_resource *res)
{
	return project_editable(res) || is(res, KS_RES_WORKER_SLICE) ||
	       is(res, KS_RES_WORKER_GATEWAY) || is(res, KS_RES_WORKER_IMPORT) ||
	       is(res, KS_RES_EVENT);
}

static bool verb_is(const char *verb, const char *a, const char *b)
{
	return !strcmp(verb, a) || (b && !strcmp(verb, b));
}

/*
 * KubeSlice's worker Role (workerClusterRoleRules) in the project namespace: update and
 * patch of its Cluster, VpnKeyRotations and Worker* objects, their status, all of its
 * ServiceExportConfigs and WorkerSliceGwRecyclers, Events created and patched; reads of
 * all of these and of Secrets. Which objects are its own is ctl_auth_can_read/_write's.
 */
static bool worker_allow(const struct ctl_identity *id, const char *verb, bool reading,
			 const struct ks_resource *res, const char *ns, const char *sub)
{
	if (!ns || strcmp(ns, id->ns))
		return false;
	if (sub)
		return !strcmp(sub, "status") && res->status && !is(res, KS_RES_NAMESPACE);
	if (reading)
		return !is(res, KS_RES_EVENT);
	if (is(res, KS_RES_EVENT))
		return verb_is(verb, "create", "patch");
	if (is(res, KS_RES_EXPORT) || is(res, KS_RES_WORKER_RECYCLER))
		return strcmp(verb, "deletecollection");
	return verb_is(verb, "update", "patch") &&
	       (is(res, KS_RES_CLUSTER) || is(res, KS_RES_ROTATION) ||
		is(res, KS_RES_WORKER_SLICE) || is(res, KS_RES_WORKER_GATEWAY) ||
		is(res, KS_RES_WORKER_IMPORT));
}

/* A worker's share of the project: its Cluster, exports, the key rotations of its slices
 * and the objects labelled with its name. */
static bool worker_owns(const struct ctl_identity *id, const struct ks_resource *res,
			const cJSON *obj)
{
	const char *label;

	if (is(res, KS_RES_CLUSTER))
		return !strcmp(ks_name(obj), id->cluster);
	if (is(res, KS_RES_EXPORT))
		return !strcmp(ks_get_str0(obj, "spec.sourceCluster"), id->cluster);
	if (is(res, KS_RES_ROTATION))
		return ks_array_has_str(ks_get(obj, "spec.clusters"), id->cluster);
	label = ks_label(obj, KS_LABEL_WORKER_CLUSTER);
	return label && !strcmp(label, id->cluster);
}

/* KubeSlice's project read-only and read-write Roles (without their Secrets), and the
 * Project itself to read, so that a user's UI finds which project it is in. */
static bool project_user_allow(const struct ctl_identity *id, bool reading,
			       const struct ks_resource *res, const char *ns, const char *sub)
{
	if (is(res, KS_RES_PROJECT))
		return reading && !sub && ns && !strcmp(ns, KS_CONTROLLER_NAMESPACE);
	if (!ns || strcmp(ns, id->ns))
		return false;
	if (reading)
		return project_visible(res);
	return id->role == CTL_PROJECT_READ_WRITE && !sub && project_editable(res);
}

bool ctl_auth_allow(const struct ctl_identity *id, const char *verb,
		    const struct ks_resource *res, const char *ns, const char *sub,
		    char *why, size_t len)
{
	bool reading = !strcmp(verb, "get") || !strcmp(verb, "list") || !strcmp(verb, "watch");
	bool ok;

	switch (id->role) {
	case CTL_ADMIN:
		return true;
	case CTL_WORKER:
		ok = worker_allow(id, verb, reading, res, ns, sub);
		break;
	case CTL_PROJECT_READ_ONLY:
	case CTL_PROJECT_READ_WRITE:
		ok = project_user_allow(id, reading, res, ns, sub);
		break;
	default:
		ok = false;
		break;
	}
	if (!ok) {
		char where[KS_NAME_MAX + 32] = "";

		if (ns && res->namespaced)
			snprintf(where, sizeof(where), " in the namespace \"%s\"", ns);
		snprintf(why, len,
			 "%s%s%s is forbidden: User \"%s\" cannot %s resource \"%s%s%s\" in API group \"%s\"%s",
			 res->plural, *res->group ? "." : "", res->group, id->user, verb,
			 res->plural, sub ? "/" : "", sub ? sub : "", res->group, where);
	}
	return ok;
}

/* Whether obj lies in the namespace of id, a worker's or a project user's. */
static bool in_own_namespace(const struct ctl_identity *id, const cJSON *obj)
{
	return !strcmp(ks_namespace(obj) ? ks_namespace(obj) : "", id->ns);
}

bool ctl_auth_can_read(const struct ctl_identity *id, const struct ks_resource *res,
		       const cJSON *obj)
{
	char ns[KS_NAME_MAX + 1];

	switch (id->role) {
	case CTL_ADMIN:
		return true;
	case CTL_PROJECT_READ_ONLY:
	case CTL_PROJECT_READ_WRITE:
		if (is(res, KS_RES_PROJECT))
			return !ks_project_namespace(ks_name(obj), ns, sizeof(ns)) &&
			       !strcmp(ns, id->ns);
		return in_own_namespace(id, obj);
	case CTL_WORKER:
		break;
	default:
		return false;
	}
	return in_own_namespace(id, obj) && worker_owns(id, res, obj);
}

bool ctl_auth_can_write(const struct ctl_identity *id, const struct ks_resource *res,
			const cJSON *obj)
{
	switch (id->role) {
	case CTL_ADMIN:
		return true;
	case CTL_PROJECT_READ_WRITE:
		return in_own_namespace(id, obj) && project_editable(res);
	case CTL_WORKER:
		break;
	default:
		return false;
	}
	if (!in_own_namespace(id, obj))
		return false;
	if (is(res, KS_RES_EVENT))
		return true;
	return !is(res, KS_RES_SECRET) && worker_owns(id, res, obj);
}

/* The spec a worker may change in its WorkerSliceGateway: the node ports it listens on
 * (KubeSlice's worker writes them, UpdateNodePortForSliceGwServer). */
static bool spec_changed_but_ports(const cJSON *cur, const cJSON *obj)
{
	cJSON *a = cJSON_Duplicate(ks_get(cur, "spec"), true);
	cJSON *b = cJSON_Duplicate(ks_get(obj, "spec"), true);
	bool changed;

	cJSON_DeleteItemFromObjectCaseSensitive(ks_get(a, "localGatewayConfig"), "nodePorts");
	cJSON_DeleteItemFromObjectCaseSensitive(ks_get(b, "localGatewayConfig"), "nodePorts");
	changed = !ks_json_equal(a, b);
	cJSON_Delete(a);
	cJSON_Delete(b);
	return changed;
}

bool ctl_auth_can_change(const struct ctl_identity *id, const struct ks_resource *res,
			 const cJSON *cur, const cJSON *obj)
{
	if (id->role != CTL_WORKER)
		return true;
	if (is(res, KS_RES_WORKER_GATEWAY))
		return !spec_changed_but_ports(cur, obj);
	if (is(res, KS_RES_WORKER_SLICE) || is(res, KS_RES_WORKER_IMPORT) ||
	    is(res, KS_RES_ROTATION))
		return ks_json_equal(ks_get(cur, "spec"), ks_get(obj, "spec"));
	return true;
}

static bool reading_verb(const char *verb)
{
	return verb_is(verb, "get", "list") || !strcmp(verb, "watch");
}

cJSON *ctl_auth_review(struct ctl_auth *a, const struct ctl_identity *id, cJSON *review)
{
	const cJSON *attrs = ks_get(review, "spec.resourceAttributes");
	const char *verb = ks_get_str0(attrs, "verb"), *name = ks_get_str(attrs, "name");
	const char *ns = ks_get_str(attrs, "namespace"), *sub = ks_get_str(attrs, "subresource");
	const struct ks_resource *res;
	char why[1024] = "";
	bool allowed;
	cJSON *obj, *status;

	if (!cJSON_IsObject(attrs))
		return NULL;
	if (ns && !*ns)
		ns = NULL;
	if (sub && !*sub)
		sub = NULL;
	res = ks_resource_by_plural(ks_get_str0(attrs, "resource"));
	if (res && strcmp(res->group, ks_get_str0(attrs, "group")))
		res = NULL;
	if (id->role == CTL_ADMIN)
		allowed = true;
	else
		allowed = res && ctl_auth_allow(id, verb, res, ns, sub, why, sizeof(why));
	if (allowed && res && name && *name && id->role != CTL_ADMIN) {
		obj = ctl_obj_get(a->st, res, res->namespaced ? ns : NULL, name);
		if (obj)
			allowed = (reading_verb(verb) || sub) ? ctl_auth_can_read(id, res, obj) :
							      ctl_auth_can_write(id, res, obj);
		cJSON_Delete(obj);
	}
	ks_set_str(review, "apiVersion", CTL_GROUP_AUTHORIZATION "/v1");
	ks_set_str(review, "kind", "SelfSubjectAccessReview");
	status = cJSON_CreateObject();
	cJSON_AddBoolToObject(status, "allowed", allowed);
	if (!allowed)
		cJSON_AddStringToObject(status, "reason", res ? why : "no such resource here");
	ks_set(review, "status", status);
	return review;
}
