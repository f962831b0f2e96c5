// SPDX-License-Identifier: GPL-2.0
/*
 * Deletion: finalizers hold an object (marked with deletionTimestamp) until the last is
 * removed; then it goes, and with it what it owns (ownerReferences by uid) and, for a
 * namespace, everything in it, before the deletion is answered.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/json.h"
#include "api/log.h"
#include "controller/registry_int.h"
#include "controller/strategy.h"

bool reg_finalizers_empty(const cJSON *obj)
{
	return cJSON_GetArraySize(ks_get(obj, "metadata.finalizers")) == 0;
}

static bool owned_by(const cJSON *obj, const char *uid)
{
	const cJSON *ref;

	cJSON_ArrayForEach(ref, ks_get(obj, "metadata.ownerReferences"))
		if (!strcmp(ks_get_str0(ref, "uid"), uid))
			return true;
	return false;
}

/* A removed object whose dependents are still to be deleted. */
struct removed {
	const struct ks_resource *res;
	cJSON *obj;
	struct removed *next;
};

/* Takes obj onto the front of *list (or frees it when memory ran out). */
static void removed_push(struct removed **list, const struct ks_resource *res, cJSON *obj)
{
	struct removed *r = malloc(sizeof(*r));

	if (!r) {
		ks_log(LOG_ERR, "cascading delete of %s %s: out of memory", res->plural,
		       ks_name(obj));
		cJSON_Delete(obj);
		return;
	}
	*r = (struct removed){ res, obj, *list };
	*list = r;
}

/*
 * Takes cur, read at expect. Marks it for deletion while finalizers remain (returns 0, cur
 * freed), else removes it (returns 1, cur still the caller's); -1 when the commit failed.
 */
static int remove_or_mark(struct ctl_store *st, const struct ks_resource *res, cJSON *cur,
			  uint64_t expect, int flags, struct ctl_status *err, int *why)
{
	int ret;

	*why = 0;
	if (!reg_finalizers_empty(cur)) {
		char ts[KS_TIME_STRLEN];

		if (ks_get(cur, "metadata.deletionTimestamp")) {
			cJSON_Delete(cur);
			return 0;
		}
		reg_now(ts);
		ks_set_str(reg_meta(cur), "deletionTimestamp", ts);
		ks_set_int(reg_meta(cur), "deletionGracePeriodSeconds", 0);
		ret = reg_commit(st, CTL_MODIFIED, res, cur, expect, flags, err, why);
		cJSON_Delete(cur);
		return ret;
	}
	ret = reg_commit(st, CTL_DELETED, res, cur, expect, flags, err, why);
	if (ret)
		cJSON_Delete(cur);
	return ret ? ret : 1;
}

/* Deletes the named object, not what depends on it: *removed is what was removed (NULL
 * when it was only marked for deletion), the caller's to cascade from. */
static int delete_once(struct ctl_store *st, const struct ks_resource *res, const char *ns,
		       const char *name, const char *uid, const char *rv, int flags,
		       struct ctl_status *err, cJSON **out, cJSON **removed, int *why)
{
	uint64_t expect = 0;
	cJSON *cur;
	int ret;

	*why = 0;
	*removed = NULL;
	cur = reg_read_latest(st, res, ns, name, &expect);
	if (!cur) {
		ctl_obj_get_failed(err, res, name);
		return -1;
	}
	if (uid && *uid && strcmp(uid, ks_get_str0(cur, "metadata.uid"))) {
		ctl_status_set(err, 409, "Conflict",
			       "Precondition failed: UID in precondition: %s, UID in object meta: %s",
			       uid, ks_get_str0(cur, "metadata.uid"));
		cJSON_Delete(cur);
		return -1;
	}
	if (reg_check_rv(res, cur, rv, err)) {
		cJSON_Delete(cur);
		return -1;
	}
	*out = cJSON_Duplicate(cur, true);
	ret = remove_or_mark(st, res, cur, expect, flags, err, why);
	if (ret < 0) {
		cJSON_Delete(*out);
		*out = NULL;
		return ret;
	}
	*removed = ret ? cur : NULL;
	return 0;
}

static int delete_named(struct ctl_store *st, const struct ks_resource *res, const char *ns,
			const char *name, const char *uid, const char *rv, int flags,
			struct ctl_status *err, cJSON **out, cJSON **removed)
{
	int why, ret;

	for (int i = 0; i < MAX_RETRIES; i++) {
		ret = delete_once(st, res, ns, name, uid, rv, flags, err, out, removed, &why);
		if (!ret || why != -EAGAIN)
			break;
	}
	return ret;
}

/* Removes (or marks) what depends on owner: objects owning it by uid and, for a namespace,
 * everything in it. What was removed goes onto *todo; returns how many were. */
static size_t delete_dependents_of(struct ctl_store *st, const struct ks_resource *owner_res,
				   const cJSON *owner, int flags, struct removed **todo)
{
	bool is_ns = ctl_strategy_for(owner_res)->owns_namespace;
	const char *uid = is_ns ? NULL : ks_get_str(owner, "metadata.uid");
	const char *scan_ns = is_ns ? ks_name(owner) :
			      owner_res->namespaced ? ks_namespace(owner) : NULL;
	const struct ks_resource *res;
	size_t n = 0;

	if (!is_ns && !uid)
		return 0;
	for (res = ks_resources; res->kind; res++) {
		/* An owner's uid is in the text of each dependent: most rows are not decoded. */
		struct reg_rows r = { .needle = uid };
		uint64_t at;
		cJSON *found, *dep;

		if (!res->namespaced && (is_ns || owner_res->namespaced))
			continue;
		ctl_engine_scan(st->db, res->plural, res->namespaced ? scan_ns : NULL, NULL, NULL,
				true, reg_copy_row, &r, &at);
		found = reg_rows_decode(&r, NULL);
		cJSON_ArrayForEach(dep, found) {
			struct ctl_status err = { 0 };
			cJSON *out = NULL, *removed = NULL;

			if (uid && !owned_by(dep, uid))
				continue;
			if (delete_named(st, res, ks_namespace(dep), ks_name(dep), NULL, NULL, flags,
					 &err, &out, &removed) && err.code != 404)
				ks_log(LOG_WARNING, "cascading delete of %s %s: %s", res->plural,
				       ks_name(dep), err.message);
			if (removed) {
				removed_push(todo, res, removed);
				n++;
			}
			cJSON_Delete(err.causes);
			cJSON_Delete(out);
		}
		cJSON_Delete(found);
	}
	return n;
}

/*
 * Deletes what depends on a removed object (taken), and so on down, unless CTL_ORPHAN.
 * The API server's garbage collector does this in the background; here it is done before
 * the owner's deletion is answered. A worklist, not recursion: a chain of owners as long
 * as a client likes takes no stack. Returns how many objects were removed.
 */
static size_t delete_dependents(struct ctl_store *st, const struct ks_resource *res,
				cJSON *owner, int flags)
{
	struct removed *todo = NULL;
	size_t n = 0;

	if (flags & CTL_ORPHAN) {
		cJSON_Delete(owner);
		return 0;
	}
	removed_push(&todo, res, owner);
	while (todo) {
		struct removed *r = todo;

		todo = r->next;
		n += delete_dependents_of(st, r->res, r->obj, flags, &todo);
		cJSON_Delete(r->obj);
		free(r);
	}
	return n;
}

/* Takes cur, read at expect. Marks it for deletion while finalizers remain, else removes
 * it and what depends on it. */
int reg_delete_cur(struct ctl_store *st, const struct ks_resource *res, cJSON *cur,
		   uint64_t expect, int flags, struct ctl_status *err, int *why)
{
	int ret = remove_or_mark(st, res, cur, expect, flags, err, why);

	if (ret <= 0)
		return ret;
	delete_dependents(st, res, cur, flags);
	return 0;
}

int ctl_obj_delete(struct ctl_store *st, const struct ks_resource *res, const char *ns,
		   const char *name, const char *uid, const char *rv, int flags,
		   struct ctl_status *err, cJSON **out)
{
	cJSON *removed;
	int ret = delete_named(st, res, ns, name, uid, rv, flags, err, out, &removed);

	if (!ret && removed)
		delete_dependents(st, res, removed, flags);
	return ret;
}

long ctl_obj_delete_contents(struct ctl_store *st, const char *ns, int flags)
{
	const struct ks_resource *res = ks_resource_by_plural(KS_RES_NAMESPACE);
	cJSON *owner = ks_object_new(KS_API_CORE, res->kind, NULL, ns);

	if (!owner)
		return -ENOMEM;
	return (long)delete_dependents(st, res, owner, flags & ~CTL_ORPHAN);
}
