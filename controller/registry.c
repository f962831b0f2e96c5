// SPDX-License-Identifier: GPL-2.0
/*
 * Every write goes through reg_commit(): it encodes the object, has the engine store it if
 * the row is still at the resourceVersion the write was built from, and stamps the new
 * resourceVersion into the caller's copy. A write that loses a race with another one is
 * rebuilt from the newer object, unless the caller's precondition now fails.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "api/json.h"
#include "api/log.h"
#include "controller/cache.h"
#include "controller/registry.h"
#include "controller/registry_int.h"
#include "controller/strategy.h"


void ctl_status_set(struct ctl_status *err, int code, const char *reason, const char *fmt,
		    ...)
{
	va_list ap;

	err->code = code;
	err->reason = reason;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
}

void reg_now(char buf[KS_TIME_STRLEN])
{
	ks_time_format(time(NULL), buf);
}

static void new_uid(char buf[37])
{
	unsigned char b[16];

	if (getrandom(b, sizeof(b), 0) != sizeof(b))
		abort();
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(buf, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
}

cJSON *reg_meta(cJSON *obj)
{
	return ks_ensure(obj, "metadata");
}

static const char *ns_key(const struct ks_resource *res, const char *ns)
{
	return res->namespaced && ns ? ns : "";
}

static void set_rv(cJSON *obj, uint64_t rv)
{
	char rvs[24];

	snprintf(rvs, sizeof(rvs), "%llu", (unsigned long long)rv);
	ks_set_str(reg_meta(obj), "resourceVersion", rvs);
}

cJSON *ctl_obj_decode(const char *body, uint64_t rv)
{
	cJSON *obj = cJSON_Parse(body);

	if (obj)
		set_rv(obj, rv);
	return obj;
}

static void count_write(struct ctl_store *st, const struct ks_resource *res)
{
	size_t i = (size_t)(res - ks_resources);

	if (res >= ks_resources && i < st->n_kinds)
		__atomic_add_fetch(&st->kind_writes[i], 1, __ATOMIC_RELAXED);
}

uint64_t ctl_obj_kind_writes(struct ctl_store *st, const struct ks_resource *res)
{
	size_t i = (size_t)(res - ks_resources);

	if (res < ks_resources || i >= st->n_kinds)
		return 0;
	return __atomic_load_n(&st->kind_writes[i], __ATOMIC_RELAXED);
}

static const char *group_of(const struct ks_resource *res, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", res->plural, *res->group ? "." : "", res->group);
	return buf;
}

void reg_not_found(struct ctl_status *err, const struct ks_resource *res, const char *name)
{
	char gr[128];

	ctl_status_set(err, 404, "NotFound", "%s \"%s\" not found",
		       group_of(res, gr, sizeof(gr)), name);
}

void ctl_obj_get_failed(struct ctl_status *err, const struct ks_resource *res, const char *name)
{
	char gr[128];

	if (errno == ENOENT) {
		reg_not_found(err, res, name);
		return;
	}
	ctl_status_set(err, 500, "InternalError", "reading %s \"%s\" from storage failed",
		       group_of(res, gr, sizeof(gr)), name);
}

static void conflict(struct ctl_status *err, const struct ks_resource *res, const char *name)
{
	char gr[128];

	ctl_status_set(err, 409, "Conflict",
		       "Operation cannot be fulfilled on %s \"%s\": the object has been modified; please apply your changes to the latest version and try again",
		       group_of(res, gr, sizeof(gr)), name);
}

/* obj's string labels as key, value, ..., NULL, pointing into obj; NULL when out of memory. */
static const char **label_pairs(const cJSON *obj)
{
	const cJSON *labels = ks_get(obj, "metadata.labels"), *l;
	const char **pairs = calloc(2 * (size_t)cJSON_GetArraySize(labels) + 1, sizeof(*pairs));
	size_t n = 0;

	if (!pairs)
		return NULL;
	cJSON_ArrayForEach(l, labels)
		if (cJSON_IsString(l)) {
			pairs[n++] = l->string;
			pairs[n++] = l->valuestring;
		}
	return pairs;
}

int reg_commit(struct ctl_store *st, enum ctl_change_type type,
		  const struct ks_resource *res, cJSON *obj, uint64_t expect, int flags,
		  struct ctl_status *err, int *why)
{
	struct ctl_change c = {
		.type = type,
		.resource = res->plural,
		.ns = ns_key(res, ks_namespace(obj)),
		.name = ks_name(obj),
	};
	cJSON *rv = cJSON_DetachItemFromObjectCaseSensitive(reg_meta(obj), "resourceVersion");
	char *body = cJSON_PrintUnformatted(obj);
	const char **labels = label_pairs(obj);
	char gr[128];
	int ret;

	cJSON_Delete(rv);
	if (!body || !labels) {
		free(body);
		free(labels);
		*why = -ENOMEM;
		ctl_status_set(err, 500, "InternalError", "out of memory");
		return -1;
	}
	c.body = body;
	c.labels = labels;
	ret = ctl_engine_write(st->db, &c, expect, flags & CTL_INTERNAL);
	free(body);
	free(labels);
	*why = ret;
	switch (ret) {
	case 0:
		set_rv(obj, c.rv);
		count_write(st, res);
		return 0;
	case -EEXIST:
		ctl_status_set(err, 409, "AlreadyExists", "%s \"%s\" already exists",
			       group_of(res, gr, sizeof(gr)), ks_name(obj));
		break;
	case -ENOENT:
		reg_not_found(err, res, ks_name(obj));
		break;
	case -EAGAIN:
		conflict(err, res, ks_name(obj));
		break;
	default:
		ctl_status_set(err, 500, "InternalError", "storage write failed");
	}
	return -1;
}

/* The decoded object and its resourceVersion, or NULL with errno as ctl_obj_get() says. */
static cJSON *read_obj(struct ctl_store *st, const struct ks_resource *res, const char *ns,
		       const char *name, bool latest, uint64_t *rv)
{
	char *body = ctl_engine_get(st->db, res->plural, ns_key(res, ns), name, latest, rv);
	cJSON *obj;

	if (!body)
		return NULL;
	obj = ctl_obj_decode(body, *rv);
	free(body);
	if (!obj)
		errno = EIO;
	return obj;
}

cJSON *reg_read_latest(struct ctl_store *st, const struct ks_resource *res,
		       const char *ns, const char *name, uint64_t *rv)
{
	return read_obj(st, res, ns, name, true, rv);
}

cJSON *ctl_obj_get(struct ctl_store *st, const struct ks_resource *res, const char *ns,
		   const char *name)
{
	uint64_t rv = 0;

	return read_obj(st, res, ns, name, false, &rv);
}

cJSON *ctl_obj_get_latest(struct ctl_store *st, const struct ks_resource *res,
			  const char *ns, const char *name)
{
	uint64_t rv = 0;

	return read_obj(st, res, ns, name, true, &rv);
}


int reg_copy_row(void *arg, const char *body, uint64_t rv)
{
	struct reg_rows *r = arg;

	if ((r->sel && !ctl_selector_may_match(r->sel, body)) ||
	    (r->needle && !strstr(body, r->needle)))
		return 0;
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		char **b = realloc(r->body, cap * sizeof(*b));
		uint64_t *v = b ? realloc(r->rv, cap * sizeof(*v)) : NULL;

		if (b)
			r->body = b;
		if (!v)
			return -ENOMEM;
		r->rv = v;
		r->cap = cap;
	}
	r->body[r->n] = strdup(body);
	if (!r->body[r->n])
		return -ENOMEM;
	r->rv[r->n++] = rv;
	return 0;
}

cJSON *reg_rows_decode(struct reg_rows *r, const struct ctl_selector *sel)
{
	cJSON *items = cJSON_CreateArray();

	for (size_t i = 0; i < r->n; i++) {
		cJSON *obj = ctl_obj_decode(r->body[i], r->rv[i]);

		free(r->body[i]);
		if (obj && (!sel || ctl_selector_match(sel, obj)))
			cJSON_AddItemToArray(items, obj);
		else
			cJSON_Delete(obj);
	}
	free(r->body);
	free(r->rv);
	return items;
}

static cJSON *list(struct ctl_store *st, const struct ks_resource *res, const char *ns,
		   const struct ctl_selector *sel, bool latest, uint64_t *rv)
{
	struct reg_rows r = { .sel = sel };
	const char *key = NULL, *value = NULL;
	uint64_t at = 0;

	ctl_selector_label_eq(sel, &key, &value);
	if (ctl_engine_scan(st->db, res->plural, res->namespaced ? ns : NULL, key, value, latest,
			    reg_copy_row, &r, &at))
		ks_log(LOG_ERR, "listing %s: out of memory or storage error", res->plural);
	if (rv)
		*rv = at;
	return reg_rows_decode(&r, sel);
}

cJSON *ctl_obj_list(struct ctl_store *st, const struct ks_resource *res, const char *ns,
		    const struct ctl_selector *sel, uint64_t *rv)
{
	return list(st, res, ns, sel, false, rv);
}

cJSON *ctl_obj_list_latest(struct ctl_store *st, const struct ks_resource *res,
			   const char *ns, const struct ctl_selector *sel, uint64_t *rv)
{
	return list(st, res, ns, sel, true, rv);
}

/* 403 when the namespace nsobj (taken) is being deleted: no new content goes into it. */
static int refuse_terminating(cJSON *nsobj, const char *ns, struct ctl_status *err)
{
	bool terminating = ks_get(nsobj, "metadata.deletionTimestamp") != NULL;

	cJSON_Delete(nsobj);
	if (!terminating)
		return 0;
	ctl_status_set(err, 403, "Forbidden",
		       "unable to create new content in namespace %s because it is being terminated",
		       ns);
	return -1;
}

/* The namespace check against the store itself: one point read. */
static int check_namespace_stored(struct ctl_store *st, const struct ks_resource *ns_res,
				  const char *ns, struct ctl_status *err)
{
	cJSON *nsobj;
	uint64_t rv;
	char *body = ctl_engine_get(st->db, ns_res->plural, "", ns, true, &rv);

	if (!body) {
		ctl_obj_get_failed(err, ns_res, ns);
		return -1;
	}
	/* Decoded only when it may be terminating. */
	if (!strstr(body, "\"deletionTimestamp\"")) {
		free(body);
		return 0;
	}
	nsobj = ctl_obj_decode(body, rv);
	free(body);
	if (!nsobj) {
		errno = EIO;
		ctl_obj_get_failed(err, ns_res, ns);
		return -1;
	}
	return refuse_terminating(nsobj, ns, err);
}

/*
 * Every create checks that its namespace exists and is not being deleted. On the reconcile
 * loop's thread the informer answers (on etcd the store's read is an HTTPS round trip per
 * create), as the API server's NamespaceLifecycle admission answers from its informer, and
 * the store when the informer has no such namespace (one it has not seen yet, as that
 * admission looks it up live). What a stale informer lets in (a create racing a deletion
 * of its namespace it has not seen) is removed when the loop sees that deletion
 * (ctl_store_empty_namespace()).
 */
static int check_namespace(struct ctl_store *st, const struct ks_resource *res,
			   const char *ns, struct ctl_status *err)
{
	const struct ks_resource *ns_res = ks_resource_by_plural(KS_RES_NAMESPACE);
	struct ctl_cache *c = ctl_cache_mine(st);
	cJSON *nsobj;

	if (!res->namespaced)
		return 0;
	nsobj = c ? ctl_cache_get(c, ns_res, NULL, ns) : NULL;
	if (nsobj)
		return refuse_terminating(nsobj, ns, err);
	return check_namespace_stored(st, ns_res, ns, err);
}

/* Fills metadata.name from generateName with five random characters, as the API does. */
static int generate_name(cJSON *obj, struct ctl_status *err)
{
	static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
	const char *prefix = ks_get_str(obj, "metadata.generateName");
	unsigned char r[5];
	char name[KS_NAME_MAX + 1];
	size_t n;

	if (ks_name(obj) && *ks_name(obj))
		return 0;
	if (!prefix) {
		ctl_status_set(err, 422, "Invalid", "metadata.name: Required value: name or generateName is required");
		return -1;
	}
	n = strlen(prefix);
	if (n + sizeof(r) > KS_NAME_MAX || getrandom(r, sizeof(r), 0) != sizeof(r)) {
		ctl_status_set(err, 422, "Invalid", "metadata.generateName: Invalid value: too long");
		return -1;
	}
	memcpy(name, prefix, n);
	for (size_t i = 0; i < sizeof(r); i++)
		name[n + i] = alphabet[r[i] % (sizeof(alphabet) - 1)];
	name[n + sizeof(r)] = '\0';
	ks_set_str(reg_meta(obj), "name", name);
	return 0;
}

static int check_name(const struct ks_resource *res, const char *name,
		      struct ctl_status *err)
{
	if (ks_dns1123_subdomain(name))
		return 0;
	ctl_status_set(err, 422, "Invalid",
		       "%s \"%s\" is invalid: metadata.name: Invalid value: \"%s\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
		       res->kind, name, name);
	return -1;
}

static int validate(struct ctl_store *st, const struct ks_resource *res, const cJSON *old,
		    const cJSON *obj, struct ctl_status *err)
{
	cJSON *causes = cJSON_CreateArray();
	const cJSON *first;

	if (!ctl_validate(st, res->plural, old, obj, causes)) {
		cJSON_Delete(causes);
		return 0;
	}
	first = cJSON_GetArrayItem(causes, 0);
	ctl_status_set(err, 422, "Invalid", "%s \"%s\" is invalid: %s: %s", res->kind,
		       ks_name(obj), ks_get_str0(first, "field"), ks_get_str0(first, "message"));
	err->causes = causes;
	return -1;
}

/* Sets apiVersion and kind from the resource, so stored objects always carry them. */
static void set_type(const struct ks_resource *res, cJSON *obj)
{
	char av[128];

	ks_resource_api_version(res, av, sizeof(av));
	ks_set_str(obj, "apiVersion", av);
	ks_set_str(obj, "kind", res->kind);
}

/* The kind's own rules, then nothing the caller may not set. */
static void canonicalize(const struct ks_resource *res, cJSON *obj)
{
	const struct ctl_strategy *s = ctl_strategy_for(res);

	set_type(res, obj);
	if (s->canonicalize)
		s->canonicalize(obj);
}

/* An empty managedFields list is stored as none, as the API server omits it. */
static void drop_empty_managed(cJSON *obj)
{
	const cJSON *mf = ks_get(obj, "metadata.managedFields");

	if (cJSON_IsArray(mf) && !mf->child)
		cJSON_DeleteItemFromObjectCaseSensitive(reg_meta(obj), "managedFields");
}

int ctl_obj_create(struct ctl_store *st, const struct ks_resource *res, const char *ns,
		   cJSON *obj, int flags, struct ctl_status *err, cJSON **out)
{
	char uid[37], ts[KS_TIME_STRLEN];
	cJSON *m = reg_meta(obj);
	uint64_t rv;
	char *old;
	int why;

	if (res->namespaced)
		ks_set_str(m, "namespace", ns);
	else
		cJSON_DeleteItemFromObjectCaseSensitive(m, "namespace");
	if (generate_name(obj, err) || check_name(res, ks_name(obj), err))
		return -1;
	new_uid(uid);
	reg_now(ts);
	ks_set_str(m, "uid", uid);
	ks_set_str(m, "creationTimestamp", ts);
	ks_set_int(m, "generation", 1);
	cJSON_DeleteItemFromObjectCaseSensitive(m, "deletionTimestamp");
	cJSON_DeleteItemFromObjectCaseSensitive(m, "resourceVersion");
	drop_empty_managed(obj);
	if (res->status && !(flags & CTL_KEEP_STATUS))
		cJSON_DeleteItemFromObjectCaseSensitive(obj, "status");
	canonicalize(res, obj);

	if (check_namespace(st, res, ns, err))
		return -1;
	/*
	 * AlreadyExists before Invalid, as the API server answers; the write checks again,
	 * and is the only check of a write that is neither validated nor a dry run.
	 */
	old = !(flags & (CTL_VALIDATE | CTL_DRY_RUN)) ? NULL :
		ctl_engine_get(st->db, res->plural, ns_key(res, ns), ks_name(obj), true, &rv);
	free(old);
	if (old) {
		char gr[128];

		ctl_status_set(err, 409, "AlreadyExists", "%s \"%s\" already exists",
			       group_of(res, gr, sizeof(gr)), ks_name(obj));
		return -1;
	}
	if ((flags & CTL_VALIDATE) && validate(st, res, NULL, obj, err))
		return -1;
	if (!(flags & CTL_DRY_RUN) && reg_commit(st, CTL_ADDED, res, obj, 0, flags, err, &why))
		return -1;
	if (out)
		*out = cJSON_Duplicate(obj, true);
	return 0;
}

/* Whether a and b differ outside metadata and status: that is what bumps generation. */
static bool spec_differs(const cJSON *a, const cJSON *b)
{
	cJSON *x = cJSON_Duplicate(a, true), *y = cJSON_Duplicate(b, true);
	bool differs;

	cJSON_DeleteItemFromObjectCaseSensitive(x, "metadata");
	cJSON_DeleteItemFromObjectCaseSensitive(x, "status");
	cJSON_DeleteItemFromObjectCaseSensitive(y, "metadata");
	cJSON_DeleteItemFromObjectCaseSensitive(y, "status");
	differs = !ks_json_equal(x, y);
	cJSON_Delete(x);
	cJSON_Delete(y);
	return differs;
}

static void copy_member(cJSON *to, const cJSON *from, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(from, key);

	cJSON_DeleteItemFromObjectCaseSensitive(to, key);
	if (v)
		cJSON_AddItemToObject(to, key, cJSON_Duplicate(v, true));
}

/*
 * The object to store: obj with what the caller may not change taken from cur. The managed
 * fields are obj's when it has them (the API layer's field manager sets them, [] for none),
 * else cur's: writers that do not know them (the reconcilers) keep them.
 */
static cJSON *merge_update(const struct ks_resource *res, const cJSON *cur, const cJSON *obj,
			   int flags)
{
	const cJSON *managed = ks_get(obj, "metadata.managedFields") ? obj : cur;
	static const char *const system_meta[] = { "uid", "creationTimestamp", "generation",
						    "deletionTimestamp", "namespace", "name",
						    "resourceVersion", NULL };
	cJSON *next;

	if (flags & CTL_STATUS_ONLY) {
		next = cJSON_Duplicate(cur, true);
		copy_member(next, obj, "status");
		copy_member(reg_meta(next), ks_get(managed, "metadata"), "managedFields");
		drop_empty_managed(next);
		return next;
	}
	next = cJSON_Duplicate(obj, true);
	for (const char *const *k = system_meta; *k; k++)
		copy_member(reg_meta(next), cJSON_GetObjectItemCaseSensitive(cur, "metadata"), *k);
	copy_member(reg_meta(next), ks_get(managed, "metadata"), "managedFields");
	drop_empty_managed(next);
	if (res->status)
		copy_member(next, cur, "status");
	canonicalize(res, next);
	return next;
}

int reg_check_rv(const struct ks_resource *res, const cJSON *cur, const char *want,
		    struct ctl_status *err)
{
	if (!want || !*want || !strcmp(want, ks_get_str0(cur, "metadata.resourceVersion")))
		return 0;
	conflict(err, res, ks_name(cur));
	return -1;
}

/* One attempt of ctl_obj_update(): returns 0, or -1 with err and *why set. */
static int update_once(struct ctl_store *st, const struct ks_resource *res, const char *ns,
		       const char *name, const cJSON *obj, int flags, struct ctl_status *err,
		       cJSON **out, int *why)
{
	cJSON *cur, *next = NULL;
	uint64_t expect = 0;
	int ret = -1;

	*why = 0;
	cur = reg_read_latest(st, res, ns, name, &expect);
	if (!cur) {
		ctl_obj_get_failed(err, res, name);
		return -1;
	}
	if (!(flags & CTL_FORCE) &&
	    reg_check_rv(res, cur, ks_get_str(obj, "metadata.resourceVersion"), err))
		goto out;
	next = merge_update(res, cur, obj, flags);
	ks_set_str(reg_meta(next), "resourceVersion", ks_get_str0(cur, "metadata.resourceVersion"));
	if (ks_json_equal(cur, next)) {
		/* No change, no write: the API server answers no-op updates the same way. */
		*out = next;
		next = NULL;
		ret = 0;
		goto out;
	}
	if (spec_differs(cur, next)) {
		long gen = 0;

		ks_get_int(cur, "metadata.generation", &gen);
		ks_set_int(reg_meta(next), "generation", gen + 1);
	}
	if (!(flags & CTL_STATUS_ONLY) && (flags & CTL_VALIDATE) &&
	    validate(st, res, cur, next, err))
		goto out;
	if (flags & CTL_DRY_RUN)
		ret = 0;
	else if (ks_get(next, "metadata.deletionTimestamp") && reg_finalizers_empty(next))
		/* The last finalizer is gone: the deletion that waited for it happens now. */
		ret = reg_delete_cur(st, res, cJSON_Duplicate(next, true), expect, flags & ~CTL_ORPHAN,
				 err, why);
	else
		ret = reg_commit(st, CTL_MODIFIED, res, next, expect, flags, err, why);
	if (!ret) {
		*out = next;
		next = NULL;
	}
out:
	cJSON_Delete(cur);
	cJSON_Delete(next);
	return ret;
}

int ctl_obj_update(struct ctl_store *st, const struct ks_resource *res, const char *ns,
		   const char *name, cJSON *obj, int flags, struct ctl_status *err,
		   cJSON **out)
{
	int why, ret;

	for (int i = 0; i < MAX_RETRIES; i++) {
		ret = update_once(st, res, ns, name, obj, flags, err, out, &why);
		if (!ret || why != -EAGAIN)
			break;
		/* Lost a race: rebuild from the newer object (preconditions are checked again). */
		cJSON_Delete(err->causes);
		err->causes = NULL;
	}
	return ret;
}
