// SPDX-License-Identifier: GPL-2.0
/*
 * Worker tokens live in Secrets, so finding one scans the Secrets; the answer is cached
 * until any Secret changes (the store counts Secret writes), which also makes a deleted or
 * replaced token stop working at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "api/json.h"
#include "controller/auth.h"
#include "controller/storage_objects.h"

#define CACHE_SIZE 64

struct cached_token {
	char *token;
	struct ctl_identity id;
};

struct ctl_auth {
	struct ctl_store *st;
	char admin_token[65];
	pthread_mutex_t lock;		/* guards the cache */
	uint64_t cache_gen;		/* st->secrets_gen the cache was filled at */
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

/* Looks the token up in the worker credential Secrets. */
static bool find_worker(struct ctl_auth *a, const char *token, struct ctl_identity *id)
{
	const struct ks_resource *res = ks_resource_by_plural(KS_RES_SECRET);
	struct ctl_selector *sel;
	char err[128];
	cJSON *secrets, *s;
	bool found = false;

	if (ctl_selector_parse(KS_LABEL_CLUSTER, NULL, &sel, err, sizeof(err)))
		return false;
	secrets = ctl_obj_list(a->st, res, NULL, sel, NULL);
	ctl_selector_free(sel);
	cJSON_ArrayForEach(s, secrets) {
		const char *b64 = ks_get_str(s, "data.token");
		unsigned char *raw;
		size_t len;

		if (strcmp(ks_get_str0(s, "type"), KS_SECRET_TYPE_TOKEN) || !b64)
			continue;
		raw = ks_b64_decode(b64, &len);
		found = raw && token_equal((const char *)raw, token);
		free(raw);
		if (found) {
			id->role = CTL_WORKER;
			snprintf(id->cluster, sizeof(id->cluster), "%s",
				 ks_label(s, KS_LABEL_CLUSTER));
			snprintf(id->ns, sizeof(id->ns), "%s", ks_namespace(s));
			snprintf(id->user, sizeof(id->user), "system:serviceaccount:%s:%s",
				 id->ns, ks_name(s));
			break;
		}
	}
	cJSON_Delete(secrets);
	return found;
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
	pthread_mutex_lock(&a->st->lock);
	gen = a->st->secrets_gen;
	pthread_mutex_unlock(&a->st->lock);

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

	if (!find_worker(a, token, id))
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

bool ctl_auth_allow(const struct ctl_identity *id, const char *verb,
		    const struct ks_resource *res, const char *ns, const char *sub,
		    char *why, size_t len)
{
	bool reading = !strcmp(verb, "get") || !strcmp(verb, "list") || !strcmp(verb, "watch");
	bool ok;

	if (id->role == CTL_ADMIN)
		return true;
	if (id->role != CTL_WORKER)
		ok = false;
	else if (!ns || strcmp(ns, id->ns))
		ok = false;
	else if (sub)
		ok = (!strcmp(sub, "status") && res->status && !is(res, KS_RES_NAMESPACE));
	else if (reading)
		ok = !is(res, KS_RES_EVENT);
	else if (is(res, KS_RES_EVENT))
		ok = !strcmp(verb, "create");
	else
		ok = is(res, KS_RES_EXPORT) && strcmp(verb, "deletecollection");
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

bool ctl_auth_can_read(const struct ctl_identity *id, const struct ks_resource *res,
		       const cJSON *obj)
{
	const char *label;

	if (id->role == CTL_ADMIN)
		return true;
	if (id->role != CTL_WORKER || strcmp(ks_namespace(obj) ? ks_namespace(obj) : "",
					     id->ns))
		return false;
	if (is(res, KS_RES_CLUSTER))
		return !strcmp(ks_name(obj), id->cluster);
	if (is(res, KS_RES_EXPORT))
		return !strcmp(ks_get_str0(obj, "spec.sourceCluster"), id->cluster);
	label = ks_label(obj, KS_LABEL_WORKER_CLUSTER);
	return label && !strcmp(label, id->cluster);
}

bool ctl_auth_can_write(const struct ctl_identity *id, const struct ks_resource *res,
			const cJSON *obj)
{
	if (id->role == CTL_ADMIN)
		return true;
	if (id->role != CTL_WORKER || strcmp(ks_namespace(obj) ? ks_namespace(obj) : "",
					     id->ns))
		return false;
	if (is(res, KS_RES_EVENT))
		return true;
	return is(res, KS_RES_EXPORT) &&
	       !strcmp(ks_get_str0(obj, "spec.sourceCluster"), id->cluster);
}
