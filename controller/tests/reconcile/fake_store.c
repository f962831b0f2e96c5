// SPDX-License-Identifier: GPL-2.0
/* In-memory store for host tests of the reconcilers (see fake_store.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/json.h"
#include "tests/reconcile/fake_store.h"

#define FAKE_BUCKETS 4096

/* An object, in its hash chain and in the list of its resource's objects. */
struct fake_obj {
	char *key;
	char *resource;
	cJSON *obj;
	struct fake_obj *next;
	struct fake_obj *res_prev, *res_next;
};

#define FAKE_RESOURCES 16

struct ctl_store {
	struct fake_obj *buckets[FAKE_BUCKETS];
	const char *res_names[FAKE_RESOURCES];
	struct fake_obj *res_heads[FAKE_RESOURCES];
	struct fake_counts counts;
	cJSON *events;
	const char *fail_resource;
	int fail_err;
	struct ctl_rindex *rindex;
};

static unsigned int key_hash(const char *s)
{
	unsigned int h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h % FAKE_BUCKETS;
}

static char *key_of(const char *resource, const char *ns, const char *name)
{
	char *key;

	if (asprintf(&key, "%s/%s/%s", resource, ns ? ns : "", name) < 0)
		return NULL;
	return key;
}

static struct fake_obj **find(struct ctl_store *st, const char *key)
{
	struct fake_obj **p = &st->buckets[key_hash(key)];

	while (*p && strcmp((*p)->key, key))
		p = &(*p)->next;
	return p;
}

/* The list head of a resource's objects (lists run over one resource only). */
static struct fake_obj **res_head(struct ctl_store *st, const char *resource)
{
	int i;

	for (i = 0; i < FAKE_RESOURCES && st->res_names[i]; i++)
		if (!strcmp(st->res_names[i], resource))
			return &st->res_heads[i];
	if (i == FAKE_RESOURCES)
		abort();
	st->res_names[i] = strdup(resource);
	return &st->res_heads[i];
}

struct ctl_store *fake_store_new(void)
{
	struct ctl_store *st = calloc(1, sizeof(*st));

	if (st)
		st->events = cJSON_CreateArray();
	return st;
}

void fake_store_free(struct ctl_store *st)
{
	struct fake_obj *o, *next;
	int i;

	for (i = 0; i < FAKE_BUCKETS; i++) {
		for (o = st->buckets[i]; o; o = next) {
			next = o->next;
			free(o->key);
			free(o->resource);
			cJSON_Delete(o->obj);
			free(o);
		}
	}
	for (i = 0; i < FAKE_RESOURCES; i++)
		free((char *)st->res_names[i]);
	cJSON_Delete(st->events);
	ctl_rindex_free(st->rindex);
	free(st);
}

/* Events are recorded one by one here: nothing is held back. */
void ctl_event_flush(struct ctl_store *st)
{
}

struct ctl_rindex **ctl_store_rindex(struct ctl_store *st)
{
	return &st->rindex;
}

struct fake_counts fake_store_counts(const struct ctl_store *st)
{
	return st->counts;
}

void fake_store_reset_counts(struct ctl_store *st)
{
	memset(&st->counts, 0, sizeof(st->counts));
}

void fake_store_fail(struct ctl_store *st, const char *resource, int err)
{
	st->fail_resource = resource;
	st->fail_err = err;
}

int fake_store_count(struct ctl_store *st, const char *resource)
{
	struct fake_obj *o;
	int n = 0;

	for (o = *res_head(st, resource); o; o = o->res_next)
		n++;
	return n;
}

int fake_events(const struct ctl_store *st, const char *reason)
{
	const cJSON *e;
	int n = 0;

	cJSON_ArrayForEach(e, st->events)
		n += !strcmp(ks_get_str0(e, "reason"), reason);
	return n;
}

cJSON *ctl_store_get(struct ctl_store *st, const char *resource, const char *ns,
		     const char *name)
{
	char *key = key_of(resource, ns, name);
	struct fake_obj *o = key ? *find(st, key) : NULL;

	free(key);
	if (!o) {
		errno = ENOENT;
		return NULL;
	}
	return cJSON_Duplicate(o->obj, true);
}

/* One term of a selector: "k=v", "k==v", "k!=v" or "k". */
static bool term_matches(const cJSON *obj, const char *term)
{
	char key[256];
	const char *op = strpbrk(term, "!="), *val;
	const char *have;
	size_t len = op ? (size_t)(op - term) : strlen(term);

	if (len >= sizeof(key))
		return false;
	memcpy(key, term, len);
	key[len] = '\0';
	have = ks_label(obj, key);
	if (!op)
		return have != NULL;
	val = op + (op[0] == '!' || op[1] == '=' ? 2 : 1);
	if (op[0] == '!')
		return !have || strcmp(have, val);
	return have && !strcmp(have, val);
}

static bool selector_matches(const cJSON *obj, const char *selector)
{
	char *copy, *term, *save = NULL;
	bool ok = true;

	if (!selector || !*selector)
		return true;
	copy = strdup(selector);
	for (term = strtok_r(copy, ",", &save); ok && term; term = strtok_r(NULL, ",", &save))
		ok = term_matches(obj, term);
	free(copy);
	return ok;
}

cJSON *ctl_store_list(struct ctl_store *st, const char *resource, const char *ns,
		      const char *label_selector)
{
	cJSON *out = cJSON_CreateArray();
	struct fake_obj *o;

	for (o = *res_head(st, resource); o; o = o->res_next)
		if ((!ns || !strcmp(ks_namespace(o->obj) ?: "", ns)) &&
		    selector_matches(o->obj, label_selector))
			cJSON_AddItemToArray(out, cJSON_Duplicate(o->obj, true));
	return out;
}

static bool same(const cJSON *a, const cJSON *b, const char *path)
{
	const cJSON *x = ks_get(a, path), *y = ks_get(b, path);

	return (!x && !y) || (x && y && cJSON_Compare(x, y, true));
}

int ctl_store_apply(struct ctl_store *st, const char *resource, const cJSON *obj)
{
	static const char *const fields[] = {
		"metadata.labels", "metadata.annotations", "type", "spec", "data",
	};
	struct fake_obj **p, *o;
	cJSON *copy;
	unsigned int i;
	char *key;

	if (st->fail_resource && !strcmp(st->fail_resource, resource))
		return st->fail_err;
	if (!ks_name(obj))
		return -EINVAL;
	key = key_of(resource, ks_namespace(obj), ks_name(obj));
	if (!key)
		return -ENOMEM;
	p = find(st, key);
	if (*p) {
		for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			if (!same((*p)->obj, obj, fields[i]))
				break;
		free(key);
		if (i == sizeof(fields) / sizeof(fields[0]))
			return 0;
		copy = cJSON_Duplicate(obj, true);
		cJSON_DeleteItemFromObjectCaseSensitive(copy, "status");
		if (ks_get((*p)->obj, "status"))
			ks_set(copy, "status", cJSON_Duplicate(ks_get((*p)->obj, "status"), true));
		cJSON_Delete((*p)->obj);
		(*p)->obj = copy;
		st->counts.writes++;
		return 0;
	}
	o = calloc(1, sizeof(*o));
	o->key = key;
	o->resource = strdup(resource);
	o->obj = cJSON_Duplicate(obj, true);
	cJSON_DeleteItemFromObjectCaseSensitive(o->obj, "status");
	*p = o;
	o->res_next = *res_head(st, resource);
	if (o->res_next)
		o->res_next->res_prev = o;
	*res_head(st, resource) = o;
	st->counts.writes++;
	return 0;
}

int ctl_store_create(struct ctl_store *st, const char *resource, const cJSON *obj)
{
	/* The same outcome: this store has no read to save. */
	return ctl_store_apply(st, resource, obj);
}

int ctl_store_apply_status(struct ctl_store *st, const char *resource, const cJSON *obj)
{
	char *key = key_of(resource, ks_namespace(obj), ks_name(obj));
	struct fake_obj *o = key ? *find(st, key) : NULL;

	free(key);
	if (!o)
		return -ENOENT;
	if (same(o->obj, obj, "status"))
		return 0;
	ks_set(o->obj, "status", cJSON_Duplicate(ks_get(obj, "status"), true));
	st->counts.status_writes++;
	return 0;
}

int ctl_store_delete(struct ctl_store *st, const char *resource, const char *ns,
		     const char *name)
{
	char *key = key_of(resource, ns, name);
	struct fake_obj **p, *o;

	if (!key)
		return -ENOMEM;
	p = find(st, key);
	free(key);
	o = *p;
	if (!o)
		return 0;
	*p = o->next;
	if (o->res_prev)
		o->res_prev->res_next = o->res_next;
	else
		*res_head(st, resource) = o->res_next;
	if (o->res_next)
		o->res_next->res_prev = o->res_prev;
	free(o->key);
	free(o->resource);
	cJSON_Delete(o->obj);
	free(o);
	st->counts.deletes++;
	return 0;
}

int ctl_store_empty_namespace(struct ctl_store *st, const char *ns)
{
	cJSON *again = ctl_store_get(st, "namespaces", NULL, ns);

	if (again) {
		cJSON_Delete(again);
		return 0;
	}
	for (int i = 0; i < FAKE_RESOURCES && st->res_names[i]; i++) {
		struct fake_obj *o = st->res_heads[i], *next;

		for (; o; o = next) {
			next = o->res_next;
			if (ks_namespace(o->obj) && !strcmp(ks_namespace(o->obj), ns))
				ctl_store_delete(st, o->resource, ns, ks_name(o->obj));
		}
	}
	return 0;
}

void ctl_event_record(struct ctl_store *st, const cJSON *about, const char *type,
		      const char *reason, const char *fmt, ...)
{
	cJSON *e = cJSON_CreateObject();
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cJSON_AddStringToObject(e, "type", type);
	cJSON_AddStringToObject(e, "reason", reason);
	cJSON_AddStringToObject(e, "message", msg);
	cJSON_AddStringToObject(e, "about", ks_name(about) ?: "");
	cJSON_AddItemToArray(st->events, e);
	st->counts.events++;
	if (getenv("FAKE_STORE_EVENTS"))
		fprintf(stderr, "event %s %s %s: %s\n", type, reason, ks_name(about), msg);
}
