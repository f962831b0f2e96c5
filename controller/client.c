// SPDX-License-Identifier: GPL-2.0
/*
 * The store as the reconcilers and validation see it (client.h), on top of the registry.
 * Reads include the controller's own writes not committed yet. Writes are the
 * controller's own (CTL_INTERNAL: grouped into fewer commits, told apart in the change
 * history), are not validated (they derive objects from validated ones) and keep the
 * status they carry on create.
 *
 * On the reconcile loop's thread reads come from its informer (cache.h) and every write is
 * put into it; a write that lost a race reads its object from the store again before it
 * compares once more. Elsewhere (validation) reads go to the store.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/json.h"
#include "api/log.h"
#include "controller/cache.h"
#include "controller/registry.h"
#include "controller/strategy.h"

/* Writes that lose a race with another writer are compared again this often. */
#define APPLY_RETRIES 8

static const struct ks_resource *resource(const char *plural)
{
	const struct ks_resource *res = ks_resource_by_plural(plural);

	if (!res)
		errno = EINVAL;
	return res;
}

cJSON *ctl_store_get(struct ctl_store *st, const char *plural, const char *ns,
		     const char *name)
{
	const struct ks_resource *res = resource(plural);
	cJSON *obj;

	struct ctl_cache *c = ctl_cache_mine(st);

	if (!res)
		return NULL;
	obj = c ? ctl_cache_get(c, res, ns, name) : ctl_obj_get_latest(st, res, ns, name);
	if (!obj)
		errno = ENOENT;
	return obj;
}

cJSON *ctl_store_list(struct ctl_store *st, const char *plural, const char *ns,
		      const char *label_selector)
{
	const struct ks_resource *res = resource(plural);
	struct ctl_selector *sel;
	struct ctl_cache *c;
	char err[256];
	cJSON *items;

	if (!res)
		return NULL;
	if (ctl_selector_parse(label_selector, NULL, &sel, err, sizeof(err))) {
		ks_log(LOG_ERR, "bad selector from a reconciler: %s", err);
		errno = EINVAL;
		return NULL;
	}
	c = ctl_cache_mine(st);
	items = c ? ctl_cache_list(c, res, ns, sel) : ctl_obj_list_latest(st, res, ns, sel, NULL);
	ctl_selector_free(sel);
	return items;
}

static int status_errno(const struct ctl_status *err)
{
	switch (err->code) {
	case 404:
		return -ENOENT;
	case 409:
		return err->reason && !strcmp(err->reason, "AlreadyExists") ? -EEXIST : -EAGAIN;
	case 422:
		return -EINVAL;
	default:
		return -EIO;
	}
}

static int failed(const char *what, const char *plural, const cJSON *obj,
		  struct ctl_status *err)
{
	ks_log(LOG_WARNING, "%s %s %s/%s: %s", what, plural,
	       ks_namespace(obj) ? ks_namespace(obj) : "", ks_name(obj), err->message);
	cJSON_Delete(err->causes);
	return status_errno(err);
}

/* Whether obj asks for something the stored cur does not have. */
static bool apply_differs(const cJSON *cur, const cJSON *obj)
{
	static const char *const meta_keys[] = { "labels", "annotations", "ownerReferences",
						  NULL };
	const cJSON *item;

	for (const char *const *k = meta_keys; *k; k++) {
		const cJSON *want = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(obj, "metadata"), *k);
		const cJSON *have = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(cur, "metadata"), *k);

		if (want && !ks_json_equal(want, have))
			return true;
	}
	cJSON_ArrayForEach(item, obj) {
		if (!strcmp(item->string, "metadata") || !strcmp(item->string, "status"))
			continue;
		if (!ks_json_equal(item, cJSON_GetObjectItemCaseSensitive(cur, item->string)))
			return true;
	}
	return false;
}

/* cur with the labels, annotations, owners and content of obj. */
static cJSON *apply_onto(const cJSON *cur, const cJSON *obj)
{
	cJSON *next = cJSON_Duplicate(cur, true);
	cJSON *m = ks_ensure(next, "metadata");
	const cJSON *item;

	cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(obj, "metadata"))
		if (!strcmp(item->string, "labels") || !strcmp(item->string, "annotations") ||
		    !strcmp(item->string, "ownerReferences"))
			ks_set(m, item->string, cJSON_Duplicate(item, true));
	cJSON_ArrayForEach(item, obj)
		if (strcmp(item->string, "metadata") && strcmp(item->string, "status"))
			ks_set(next, item->string, cJSON_Duplicate(item, true));
	return next;
}

/* The loop's informer told of a write of ours: stored (taken) is the object as stored
 * (NULL: the write failed, nothing to tell). */
static void cached_write(struct ctl_store *st, const struct ks_resource *res, cJSON *stored)
{
	struct ctl_cache *c = ctl_cache_mine(st);

	if (c && stored)
		ctl_cache_wrote(c, res, stored);
	else
		cJSON_Delete(stored);
}

/* Creates obj or updates the stored cur (read at its resourceVersion) towards it. */
static int apply_once(struct ctl_store *st, const struct ks_resource *res, const cJSON *obj,
		      struct ctl_status *err)
{
	const char *ns = ks_namespace(obj);
	cJSON *cur, *next, *out = NULL;
	int ret;

	cur = ctl_store_get(st, res->plural, ns, ks_name(obj));
	if (!cur) {
		next = cJSON_Duplicate(obj, true);
		ret = ctl_obj_create(st, res, ns, next, CTL_KEEP_STATUS | CTL_INTERNAL, err, NULL);
		/* next is what was stored */
		if (!ret) {
			out = next;
			next = NULL;
		}
	} else if (!apply_differs(cur, obj)) {
		cJSON_Delete(cur);
		return 0;
	} else {
		/* Conditional on cur's resourceVersion: get-compare-write is one step. */
		next = apply_onto(cur, obj);
		ret = ctl_obj_update(st, res, ns, ks_name(obj), next, CTL_INTERNAL, err, &out);
	}
	cached_write(st, res, ret ? NULL : out);
	cJSON_Delete(cur);
	cJSON_Delete(next);
	return ret;
}

int ctl_store_apply(struct ctl_store *st, const char *plural, const cJSON *obj)
{
	const struct ks_resource *res = resource(plural);
	struct ctl_status err = { 0 };
	int ret;

	if (!res || !ks_name(obj))
		return -EINVAL;
	for (int i = 0; i < APPLY_RETRIES; i++) {
		ret = apply_once(st, res, obj, &err);
		if (!ret || err.code != 409)
			break;
		/* Someone else wrote it between the read and the write (or before a read of
		 * the informer, which has not seen it yet): read and compare again. */
		if (ctl_cache_mine(st))
			ctl_cache_refresh(ctl_cache_mine(st), res, ks_namespace(obj), ks_name(obj));
		cJSON_Delete(err.causes);
		err = (struct ctl_status){ 0 };
	}
	return ret ? failed("applying", plural, obj, &err) : 0;
}

int ctl_store_create(struct ctl_store *st, const char *plural, const cJSON *obj)
{
	const struct ks_resource *res = resource(plural);
	struct ctl_status err = { 0 };
	cJSON *next;
	int ret;

	if (!res || !ks_name(obj))
		return -EINVAL;
	next = cJSON_Duplicate(obj, true);
	ret = ctl_obj_create(st, res, ks_namespace(obj), next, CTL_KEEP_STATUS | CTL_INTERNAL,
			     &err, NULL);
	if (!ret) {
		cached_write(st, res, next);
		return 0;
	}
	cJSON_Delete(next);
	if (status_errno(&err) != -EEXIST)
		return failed("applying", plural, obj, &err);
	cJSON_Delete(err.causes);
	return ctl_store_apply(st, plural, obj);
}

int ctl_store_apply_status(struct ctl_store *st, const char *plural, const cJSON *obj)
{
	const struct ks_resource *res = resource(plural);
	struct ctl_status err = { 0 };
	cJSON *copy, *out = NULL;
	int ret;

	if (!res || !ks_name(obj))
		return -EINVAL;
	copy = cJSON_Duplicate(obj, true);
	ret = ctl_obj_update(st, res, ks_namespace(obj), ks_name(obj), copy,
			     CTL_STATUS_ONLY | CTL_FORCE | CTL_INTERNAL, &err, &out);
	cached_write(st, res, ret ? NULL : out);
	cJSON_Delete(copy);
	return ret ? failed("writing status of", plural, obj, &err) : 0;
}

int ctl_store_delete(struct ctl_store *st, const char *plural, const char *ns,
		     const char *name)
{
	const struct ks_resource *res = resource(plural);
	struct ctl_status err = { 0 };
	cJSON *out = NULL;

	struct ctl_cache *c = ctl_cache_mine(st);
	int ret;

	if (!res)
		return -EINVAL;
	ret = ctl_obj_delete(st, res, ns, name, NULL, NULL, CTL_INTERNAL, &err, &out);
	if (c && ctl_strategy_for(res)->owns_namespace)
		/* Everything in it went too, not through here: read it all again. */
		ctl_cache_reset(c);
	else if (c)
		/* Gone, or marked while finalizers remain: the store says which. */
		ctl_cache_refresh(c, res, ns, name);
	if (ret)
		return err.code == 404 ? 0 : -EIO;
	cJSON_Delete(out);
	return 0;
}

int ctl_store_empty_namespace(struct ctl_store *st, const char *ns)
{
	const struct ks_resource *res = resource(KS_RES_NAMESPACE);
	struct ctl_cache *c = ctl_cache_mine(st);
	cJSON *nsobj = ctl_obj_get_latest(st, res, NULL, ns);
	bool again = nsobj;
	long removed;

	if (again || errno != ENOENT) {
		/* Made again since (its content is the new one's), or unreadable: left. */
		cJSON_Delete(nsobj);
		return again ? 0 : -EIO;
	}
	removed = ctl_obj_delete_contents(st, ns, CTL_INTERNAL);
	if (removed > 0) {
		ks_log(LOG_WARNING, "namespace %s: %ld objects made after its deletion removed",
		       ns, removed);
		/* They went by cascade, not through here: read it all again. */
		if (c)
			ctl_cache_reset(c);
	}
	return removed < 0 ? (int)removed : 0;
}
