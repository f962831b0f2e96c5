// SPDX-License-Identifier: GPL-2.0
/*
 * Every write goes through commit(): it stamps the next resourceVersion into the object,
 * stores it durably (the change is also the watch event), wakes the watchers and queues
 * the change for the reconciler. Changes the reconciler makes itself are not queued back to
 * it: it knows what it wrote, and a full resync repairs anything else.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "api/json.h"
#include "controller/storage_objects.h"

struct reconcile_item {
	struct reconcile_item *next;
	const char *resource;
	char *body;
	bool deleted;
};

/* Set on the reconcile thread, whose own writes are not queued back to it and are
 * grouped into fewer commits. */
static __thread bool in_reconciler;
/* How often this thread holds st->lock: reads under it see uncommitted writes too. */
static __thread unsigned int lock_depth;

void ctl_store_lock(struct ctl_store *st)
{
	pthread_mutex_lock(&st->lock);
	lock_depth++;
}

void ctl_store_unlock(struct ctl_store *st)
{
	lock_depth--;
	pthread_mutex_unlock(&st->lock);
}

/* Whether this thread reads through the writer (its own writes are not committed yet). */
static bool reads_uncommitted(void)
{
	return in_reconciler || lock_depth;
}

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

static void now(char buf[KS_TIME_STRLEN])
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

static cJSON *meta(cJSON *obj)
{
	return ks_ensure(obj, "metadata");
}

static const char *ns_key(const struct ks_resource *res, const char *ns)
{
	return res->namespaced && ns ? ns : "";
}

static void enqueue(struct ctl_store *st, const struct ks_resource *res, const char *body,
		    bool deleted)
{
	struct reconcile_item *it;

	if (in_reconciler || !strcmp(res->plural, KS_RES_EVENT))
		return;
	it = calloc(1, sizeof(*it));
	if (!it || !(it->body = strdup(body))) {
		free(it);
		fprintf(stderr, "slice-controller: out of memory queueing a reconcile\n");
		return;
	}
	it->resource = res->plural;
	it->deleted = deleted;
	if (st->queue_tail)
		st->queue_tail->next = it;
	else
		st->queue_head = it;
	st->queue_tail = it;
	st->queue_len++;
	pthread_cond_signal(&st->queued);
}

/* Stores one change of obj, which gets the next resourceVersion. Caller holds the lock. */
static int commit(struct ctl_store *st, enum ctl_change_type type,
		  const struct ks_resource *res, cJSON *obj, struct ctl_status *err)
{
	uint64_t rv = ctl_storage_rv(st->db) + 1;
	char rvs[24];
	struct ctl_change c = {
		.type = type,
		.rv = rv,
		.resource = res->plural,
		.ns = ns_key(res, ks_namespace(obj)),
		.name = ks_name(obj),
	};
	char *body;
	int ret;

	snprintf(rvs, sizeof(rvs), "%llu", (unsigned long long)rv);
	ks_set_str(meta(obj), "resourceVersion", rvs);
	body = cJSON_PrintUnformatted(obj);
	if (!body) {
		ctl_status_set(err, 500, "InternalError", "out of memory");
		return -1;
	}
	c.body = body;
	ret = ctl_storage_write(st->db, &c, in_reconciler);
	if (ret) {
		ctl_status_set(err, 500, "InternalError", "storage write failed");
		free(body);
		return -1;
	}
	if (!strcmp(res->plural, KS_RES_SECRET))
		st->secrets_gen++;
	enqueue(st, res, body, type == CTL_DELETED);
	free(body);
	if (ctl_storage_committed(st->db) == rv)
		pthread_cond_broadcast(&st->changed);
	return 0;
}

static cJSON *get_locked(struct ctl_store *st, const struct ks_resource *res, const char *ns,
			 const char *name)
{
	char *body = ctl_storage_get(st->db, res->plural, ns_key(res, ns), name);
	cJSON *obj;

	if (!body)
		return NULL;
	obj = cJSON_Parse(body);
	free(body);
	return obj;
}

cJSON *ctl_obj_get(struct ctl_store *st, const struct ks_resource *res, const char *ns,
		   const char *name)
{
	char *body;
	cJSON *obj;

	if (reads_uncommitted()) {
		ctl_store_lock(st);
		obj = get_locked(st, res, ns, name);
		ctl_store_unlock(st);
		return obj;
	}
	body = ctl_storage_snapshot_get(st->db, res->plural, ns_key(res, ns), name);
	if (!body)
		return NULL;
	obj = cJSON_Parse(body);
	free(body);
	return obj;
}

struct list_ctx {
	const struct ctl_selector *sel;
	cJSON *items;
};

static int list_one(void *arg, const char *body)
{
	struct list_ctx *ctx = arg;
	cJSON *obj;

	if (!ctl_selector_may_match(ctx->sel, body))
		return 0;
	obj = cJSON_Parse(body);
	if (!obj)
		return 0;
	if (ctl_selector_match(ctx->sel, obj))
		cJSON_AddItemToArray(ctx->items, obj);
	else
		cJSON_Delete(obj);
	return 0;
}

cJSON *ctl_obj_list(struct ctl_store *st, const struct ks_resource *res, const char *ns,
		    const struct ctl_selector *sel, uint64_t *rv)
{
	struct list_ctx ctx = { sel, cJSON_CreateArray() };
	const char *scan_ns = res->namespaced ? ns : NULL;
	uint64_t at;

	if (!reads_uncommitted()) {
		ctl_storage_snapshot_scan(st->db, res->plural, scan_ns, list_one, &ctx, &at);
	} else {
		ctl_store_lock(st);
		ctl_storage_scan(st->db, res->plural, scan_ns, list_one, &ctx);
		at = ctl_storage_rv(st->db);
		ctl_store_unlock(st);
	}
	if (rv)
		*rv = at;
	return ctx.items;
}

static const char *group_of(const struct ks_resource *res, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", res->plural, *res->group ? "." : "", res->group);
	return buf;
}

static void not_found(struct ctl_status *err, const struct ks_resource *res, const char *name)
{
	char gr[128];

	ctl_status_set(err, 404, "NotFound", "%s \"%s\" not found",
		       group_of(res, gr, sizeof(gr)), name);
}

static cJSON *get_existing(struct ctl_store *st, const struct ks_resource *res,
			   const char *ns, const char *name, struct ctl_status *err)
{
	cJSON *obj = get_locked(st, res, ns, name);

	if (!obj)
		not_found(err, res, name);
	return obj;
}

static int check_namespace(struct ctl_store *st, const struct ks_resource *res,
			   const char *ns, struct ctl_status *err)
{
	cJSON *nsobj;

	if (!res->namespaced)
		return 0;
	nsobj = get_locked(st, ks_resource_by_plural(KS_RES_NAMESPACE), NULL, ns);
	if (!nsobj) {
		ctl_status_set(err, 404, "NotFound", "namespaces \"%s\" not found", ns);
		return -1;
	}
	if (ks_get(nsobj, "metadata.deletionTimestamp")) {
		ctl_status_set(err, 403, "Forbidden",
			       "unable to create new content in namespace %s because it is being terminated",
			       ns);
		cJSON_Delete(nsobj);
		return -1;
	}
	cJSON_Delete(nsobj);
	return 0;
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
	ks_set_str(meta(obj), "name", name);
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

/* A Secret's stringData is write-only: it is merged into data as base64, as the API
 * server does. */
static void secret_string_data(const struct ks_resource *res, cJSON *obj)
{
	cJSON *sd = cJSON_DetachItemFromObjectCaseSensitive(obj, "stringData"), *item, *data;

	if (!sd)
		return;
	if (strcmp(res->plural, KS_RES_SECRET)) {
		cJSON_AddItemToObject(obj, "stringData", sd);
		return;
	}
	data = ks_ensure(obj, "data");
	cJSON_ArrayForEach(item, sd) {
		char *b64;

		if (!cJSON_IsString(item))
			continue;
		b64 = ks_b64_encode(item->valuestring, strlen(item->valuestring));
		if (b64)
			ks_set_str(data, item->string, b64);
		free(b64);
	}
	cJSON_Delete(sd);
}

int ctl_obj_create(struct ctl_store *st, const struct ks_resource *res, const char *ns,
		   cJSON *obj, int flags, struct ctl_status *err, cJSON **out)
{
	char uid[37], ts[KS_TIME_STRLEN];
	cJSON *m = meta(obj), *old;
	int ret = -1;

	set_type(res, obj);
	if (res->namespaced)
		ks_set_str(m, "namespace", ns);
	else
		cJSON_DeleteItemFromObjectCaseSensitive(m, "namespace");
	if (generate_name(obj, err) || check_name(res, ks_name(obj), err))
		return -1;
	new_uid(uid);
	now(ts);
	ks_set_str(m, "uid", uid);
	ks_set_str(m, "creationTimestamp", ts);
	ks_set_int(m, "generation", 1);
	cJSON_DeleteItemFromObjectCaseSensitive(m, "deletionTimestamp");
	cJSON_DeleteItemFromObjectCaseSensitive(m, "resourceVersion");
	cJSON_DeleteItemFromObjectCaseSensitive(m, "managedFields");
	if (res->status && !(flags & CTL_KEEP_STATUS))
		cJSON_DeleteItemFromObjectCaseSensitive(obj, "status");
	secret_string_data(res, obj);

	ctl_store_lock(st);
	if (check_namespace(st, res, ns, err))
		goto out_unlock;
	old = get_locked(st, res, ns, ks_name(obj));
	if (old) {
		char gr[128];

		cJSON_Delete(old);
		ctl_status_set(err, 409, "AlreadyExists", "%s \"%s\" already exists",
			       group_of(res, gr, sizeof(gr)), ks_name(obj));
		goto out_unlock;
	}
	if ((flags & CTL_VALIDATE) && validate(st, res, NULL, obj, err))
		goto out_unlock;
	if (!(flags & CTL_DRY_RUN) && commit(st, CTL_ADDED, res, obj, err))
		goto out_unlock;
	*out = cJSON_Duplicate(obj, true);
	ret = 0;
out_unlock:
	ctl_store_unlock(st);
	return ret;
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
	differs = !cJSON_Compare(x, y, true);
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

/* The object to store: obj with what the caller may not change taken from cur. */
static cJSON *merge_update(const struct ks_resource *res, const cJSON *cur, const cJSON *obj,
			   int flags)
{
	static const char *const system_meta[] = { "uid", "creationTimestamp", "generation",
						    "deletionTimestamp", "namespace", "name",
						    "resourceVersion", NULL };
	cJSON *next;

	if (flags & CTL_STATUS_ONLY) {
		next = cJSON_Duplicate(cur, true);
		copy_member(next, obj, "status");
		return next;
	}
	next = cJSON_Duplicate(obj, true);
	for (const char *const *k = system_meta; *k; k++)
		copy_member(meta(next), cJSON_GetObjectItemCaseSensitive(cur, "metadata"), *k);
	cJSON_DeleteItemFromObjectCaseSensitive(meta(next), "managedFields");
	if (res->status)
		copy_member(next, cur, "status");
	set_type(res, next);
	secret_string_data(res, next);
	return next;
}

static int delete_locked(struct ctl_store *st, const struct ks_resource *res, cJSON *cur,
			 bool orphan, struct ctl_status *err);

static bool finalizers_empty(const cJSON *obj)
{
	return cJSON_GetArraySize(ks_get(obj, "metadata.finalizers")) == 0;
}

static int check_rv(const struct ks_resource *res, const cJSON *cur, const char *want,
		    struct ctl_status *err)
{
	char gr[128];

	if (!want || !*want || !strcmp(want, ks_get_str0(cur, "metadata.resourceVersion")))
		return 0;
	ctl_status_set(err, 409, "Conflict",
		       "Operation cannot be fulfilled on %s \"%s\": the object has been modified; please apply your changes to the latest version and try again",
		       group_of(res, gr, sizeof(gr)), ks_name(cur));
	return -1;
}

int ctl_obj_update(struct ctl_store *st, const struct ks_resource *res, const char *ns,
		   const char *name, cJSON *obj, int flags, struct ctl_status *err,
		   cJSON **out)
{
	cJSON *cur, *next = NULL;
	int ret = -1;

	ctl_store_lock(st);
	cur = get_existing(st, res, ns, name, err);
	if (!cur)
		goto out_unlock;
	if (!(flags & CTL_FORCE) &&
	    check_rv(res, cur, ks_get_str(obj, "metadata.resourceVersion"), err))
		goto out_unlock;
	next = merge_update(res, cur, obj, flags);
	ks_set_str(meta(next), "resourceVersion", ks_get_str0(cur, "metadata.resourceVersion"));
	if (cJSON_Compare(cur, next, true)) {
		/* No change, no write: the API server answers no-op updates the same way. */
		*out = next;
		next = NULL;
		ret = 0;
		goto out_unlock;
	}
	if (spec_differs(cur, next)) {
		long gen = 0;

		ks_get_int(cur, "metadata.generation", &gen);
		ks_set_int(meta(next), "generation", gen + 1);
	}
	if (!(flags & CTL_STATUS_ONLY) && (flags & CTL_VALIDATE) &&
	    validate(st, res, cur, next, err))
		goto out_unlock;
	if (flags & CTL_DRY_RUN) {
		ret = 0;
	} else if (ks_get(next, "metadata.deletionTimestamp") && finalizers_empty(next)) {
		/* The last finalizer is gone: the deletion that waited for it happens now. */
		ret = delete_locked(st, res, cJSON_Duplicate(next, true), false, err);
	} else {
		ret = commit(st, CTL_MODIFIED, res, next, err);
	}
	if (!ret) {
		*out = next;
		next = NULL;
	}
out_unlock:
	ctl_store_unlock(st);
	cJSON_Delete(cur);
	cJSON_Delete(next);
	return ret;
}

struct dependents_ctx {
	const char *uid;
	const char *ns;
	cJSON *found;
};

static bool owned_by(const cJSON *obj, const char *uid)
{
	const cJSON *ref;

	cJSON_ArrayForEach(ref, ks_get(obj, "metadata.ownerReferences"))
		if (!strcmp(ks_get_str0(ref, "uid"), uid))
			return true;
	return false;
}

static int collect_dependent(void *arg, const char *body)
{
	struct dependents_ctx *ctx = arg;
	cJSON *obj;

	/* An owner's uid is in the text of each dependent: most objects need no parsing. */
	if (ctx->uid && !strstr(body, ctx->uid))
		return 0;
	obj = cJSON_Parse(body);

	if (obj && ((ctx->uid && owned_by(obj, ctx->uid)) || (!ctx->uid && ctx->ns)))
		cJSON_AddItemToArray(ctx->found, obj);
	else
		cJSON_Delete(obj);
	return 0;
}

/*
 * Deletes what depends on a deleted object: objects owning it by uid and, for a namespace,
 * everything in it. The API server's garbage collector does this in the background; here
 * it is done before the owner's deletion is answered.
 */
static void delete_dependents(struct ctl_store *st, const struct ks_resource *owner_res,
			      const cJSON *owner)
{
	bool is_ns = !strcmp(owner_res->plural, KS_RES_NAMESPACE);
	const struct ks_resource *res;
	struct ctl_status err = { 0 };

	for (res = ks_resources; res->kind; res++) {
		struct dependents_ctx ctx = {
			.uid = is_ns ? NULL : ks_get_str(owner, "metadata.uid"),
			.ns = is_ns ? ks_name(owner) : NULL,
			.found = cJSON_CreateArray(),
		};
		const char *scan_ns = is_ns ? ks_name(owner) :
				      owner_res->namespaced ? ks_namespace(owner) : NULL;
		cJSON *dep;

		if (!res->namespaced && (is_ns || owner_res->namespaced))
			goto next;
		if (is_ns || ctx.uid)
			ctl_storage_scan(st->db, res->plural, res->namespaced ? scan_ns : NULL,
					 collect_dependent, &ctx);
		cJSON_ArrayForEach(dep, ctx.found)
			if (delete_locked(st, res, cJSON_Duplicate(dep, true), false, &err))
				fprintf(stderr, "slice-controller: cascading delete of %s %s: %s\n",
					res->plural, ks_name(dep), err.message);
next:
		cJSON_Delete(ctx.found);
	}
}

/* Takes cur. Marks it for deletion while finalizers remain, else removes it. */
static int delete_locked(struct ctl_store *st, const struct ks_resource *res, cJSON *cur,
			 bool orphan, struct ctl_status *err)
{
	int ret;

	if (!finalizers_empty(cur)) {
		char ts[KS_TIME_STRLEN];

		if (ks_get(cur, "metadata.deletionTimestamp")) {
			cJSON_Delete(cur);
			return 0;
		}
		now(ts);
		ks_set_str(meta(cur), "deletionTimestamp", ts);
		ks_set_int(meta(cur), "deletionGracePeriodSeconds", 0);
		ret = commit(st, CTL_MODIFIED, res, cur, err);
		cJSON_Delete(cur);
		return ret;
	}
	ret = commit(st, CTL_DELETED, res, cur, err);
	if (!ret && !orphan)
		delete_dependents(st, res, cur);
	cJSON_Delete(cur);
	return ret;
}

int ctl_obj_delete(struct ctl_store *st, const struct ks_resource *res, const char *ns,
		   const char *name, const char *uid, const char *rv, bool orphan,
		   struct ctl_status *err, cJSON **out)
{
	cJSON *cur;
	int ret = -1;

	ctl_store_lock(st);
	cur = get_existing(st, res, ns, name, err);
	if (!cur)
		goto out_unlock;
	if (uid && *uid && strcmp(uid, ks_get_str0(cur, "metadata.uid"))) {
		ctl_status_set(err, 409, "Conflict",
			       "Precondition failed: UID in precondition: %s, UID in object meta: %s",
			       uid, ks_get_str0(cur, "metadata.uid"));
		cJSON_Delete(cur);
		goto out_unlock;
	}
	if (check_rv(res, cur, rv, err)) {
		cJSON_Delete(cur);
		goto out_unlock;
	}
	*out = cJSON_Duplicate(cur, true);
	ret = delete_locked(st, res, cur, orphan, err);
	if (ret) {
		cJSON_Delete(*out);
		*out = NULL;
	}
out_unlock:
	ctl_store_unlock(st);
	return ret;
}

/* The namespaces every Kubernetes cluster has, and the one Projects live in. */
static int bootstrap(struct ctl_store *st)
{
	static const char *const names[] = { "default", KS_CONTROLLER_NAMESPACE, NULL };
	const struct ks_resource *res = ks_resource_by_plural(KS_RES_NAMESPACE);

	for (const char *const *n = names; *n; n++) {
		struct ctl_status err = { 0 };
		cJSON *obj, *out = NULL;
		char *body = ctl_storage_get(st->db, res->plural, "", *n);

		if (body) {
			free(body);
			continue;
		}
		obj = ks_object_new(KS_API_CORE, "Namespace", NULL, *n);
		if (ctl_obj_create(st, res, NULL, obj, 0, &err, &out)) {
			fprintf(stderr, "slice-controller: creating namespace %s: %s\n", *n,
				err.message);
			cJSON_Delete(obj);
			return -EIO;
		}
		cJSON_Delete(obj);
		cJSON_Delete(out);
	}
	return 0;
}

int ctl_store_open(const char *dir, unsigned int history, struct ctl_store **out)
{
	struct ctl_store *st = calloc(1, sizeof(*st));
	pthread_mutexattr_t attr;
	pthread_condattr_t cattr;
	int ret;

	if (!st)
		return -ENOMEM;
	ret = ctl_storage_open(dir, history, &st->db);
	if (ret) {
		free(st);
		return ret;
	}
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&st->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	pthread_condattr_init(&cattr);
	pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC);
	pthread_cond_init(&st->changed, &cattr);
	pthread_cond_init(&st->queued, &cattr);
	pthread_condattr_destroy(&cattr);
	ret = bootstrap(st);
	if (ret) {
		ctl_store_close(st);
		return ret;
	}
	*out = st;
	return 0;
}

void ctl_store_close(struct ctl_store *st)
{
	struct reconcile_item *it, *next;

	for (it = st->queue_head; it; it = next) {
		next = it->next;
		free(it->body);
		free(it);
	}
	ctl_storage_close(st->db);
	pthread_cond_destroy(&st->changed);
	pthread_cond_destroy(&st->queued);
	pthread_mutex_destroy(&st->lock);
	free(st);
}

void ctl_store_stop(struct ctl_store *st)
{
	ctl_store_lock(st);
	st->stopping = true;
	pthread_cond_broadcast(&st->changed);
	pthread_cond_broadcast(&st->queued);
	ctl_store_unlock(st);
}

/* Waits for the next queued change until deadline; NULL on timeout or stop. */
static struct reconcile_item *dequeue(struct ctl_store *st, const struct timespec *deadline)
{
	struct reconcile_item *it = NULL;

	ctl_store_lock(st);
	while (!st->queue_head && !st->stopping)
		if (pthread_cond_timedwait(&st->queued, &st->lock, deadline) == ETIMEDOUT)
			break;
	if (st->queue_head && !st->stopping) {
		it = st->queue_head;
		st->queue_head = it->next;
		if (!st->queue_head)
			st->queue_tail = NULL;
		st->queue_len--;
	}
	ctl_store_unlock(st);
	return it;
}

/* One reconcile, whose writes are committed together at its end. */
static void reconcile_counted(struct ctl_store *st, const char *resource, const cJSON *obj,
			      bool deleted)
{
	ctl_store_lock(st);
	st->reconciling = true;
	ctl_store_unlock(st);
	ctl_reconcile(st, resource, obj, deleted);
	ctl_store_lock(st);
	st->reconciling = false;
	if (ctl_storage_flush(st->db))
		fprintf(stderr, "slice-controller: committing reconciled objects failed; the next resync repeats them\n");
	st->reconciled++;
	pthread_cond_broadcast(&st->changed);
	ctl_store_unlock(st);
}

void ctl_store_run_reconciler(struct ctl_store *st, unsigned int resync)
{
	struct timespec next;
	bool stopping = false;

	in_reconciler = true;
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!stopping) {
		struct timespec t;
		struct reconcile_item *it;

		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec >= next.tv_sec) {
			reconcile_counted(st, NULL, NULL, false);
			next.tv_sec = t.tv_sec + resync;
		}
		it = dequeue(st, &next);
		if (it) {
			cJSON *obj = cJSON_Parse(it->body);

			if (obj)
				reconcile_counted(st, it->resource, obj, it->deleted);
			cJSON_Delete(obj);
			free(it->body);
			free(it);
		}
		ctl_store_lock(st);
		stopping = st->stopping;
		ctl_store_unlock(st);
	}
}
