// SPDX-License-Identifier: GPL-2.0
/*
 * metadata.managedFields is decoded into one struct entry per manager identity (manager,
 * operation, subresource and, for Update, apiVersion, as the API server's
 * BuildManagerIdentifier), changed, and encoded back in the API server's order: Apply
 * before Update, then by time and manager. Only the fields a client writes count: type
 * and system metadata (name, uid, resourceVersion, ...) are nobody's, and neither is status
 * through the main resource of a kind with a status subresource (nor anything but status
 * through /status), as the API server strips and resets them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/json.h"
#include "controller/fieldmanager.h"
#include "controller/fieldpath.h"
#include "controller/http_patch.h"

#define SEP CTL_PATH_SEP_STR

/**
 * struct entry - one entry of metadata.managedFields
 * @manager: its manager
 * @apply: operation Apply, else Update
 * @subresource: "status", or NULL for the main resource
 * @api_version: the version its fields are in
 * @time: when its manager last changed the object, or NULL
 * @set: the fields it owns
 */
struct entry {
	char *manager;
	bool apply;
	char *subresource;
	char *api_version;
	char *time;
	struct ctl_fieldset set;
};

struct managed {
	struct entry *e;
	size_t n;
};

static void managed_free(struct managed *mf)
{
	for (size_t i = 0; i < mf->n; i++) {
		free(mf->e[i].manager);
		free(mf->e[i].subresource);
		free(mf->e[i].api_version);
		free(mf->e[i].time);
		ctl_fieldset_free(&mf->e[i].set);
	}
	free(mf->e);
	*mf = (struct managed){ 0 };
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static struct entry *add_entry(struct managed *mf, const char *manager, bool apply,
			       const char *subresource, const char *api_version, const char *time)
{
	struct entry *e = realloc(mf->e, (mf->n + 1) * sizeof(*e));

	if (!e)
		return NULL;
	mf->e = e;
	e = &mf->e[mf->n++];
	*e = (struct entry){
		.manager = strdup(manager),
		.apply = apply,
		.subresource = dup_or_null(subresource),
		.api_version = dup_or_null(api_version),
		.time = dup_or_null(time),
	};
	return e;
}

/* Reads a managedFields list; -EINVAL when it is not one (mf then holds what was read). */
static int decode(const cJSON *list, struct managed *mf)
{
	const cJSON *item;

	if (list && !cJSON_IsArray(list))
		return -EINVAL;
	cJSON_ArrayForEach(item, list) {
		const char *op = ks_get_str(item, "operation"), *type = ks_get_str(item, "fieldsType");
		const cJSON *v1 = ks_get(item, "fieldsV1");
		struct entry *e;

		if (!ks_get_str(item, "manager") || !op || (strcmp(op, "Apply") && strcmp(op, "Update")) ||
		    (type && strcmp(type, "FieldsV1")))
			return -EINVAL;
		e = add_entry(mf, ks_get_str(item, "manager"), !strcmp(op, "Apply"),
			      ks_get_str(item, "subresource"), ks_get_str(item, "apiVersion"),
			      ks_get_str(item, "time"));
		if (!e || (v1 && ctl_fieldset_decode(v1, &e->set)))
			return -EINVAL;
	}
	return 0;
}

/* The live managed fields, or none when they cannot be read. */
static void decode_live(const cJSON *obj, struct managed *mf)
{
	if (decode(ks_get(obj, "metadata.managedFields"), mf))
		managed_free(mf);
}

/* An empty list, or a list of one empty entry: the client clears managedFields. */
static bool is_reset(const cJSON *list)
{
	return cJSON_IsArray(list) && (!list->child || (!list->child->next &&
		cJSON_IsObject(list->child) && !list->child->child));
}

static bool same_identity(const struct entry *e, const struct ctl_manager *m, bool apply)
{
	char av[128];

	ks_resource_api_version(m->res, av, sizeof(av));
	return !strcmp(e->manager, m->name) && e->apply == apply &&
	       !strcmp(e->subresource ? e->subresource : "", m->subresource ? m->subresource : "") &&
	       (apply || !strcmp(e->api_version ? e->api_version : "", av));
}

/* m's entry for the operation, made when it has none; NULL when out of memory. */
static struct entry *entry_of(struct managed *mf, const struct ctl_manager *m, bool apply)
{
	char av[128];

	for (size_t i = 0; i < mf->n; i++)
		if (same_identity(&mf->e[i], m, apply))
			return &mf->e[i];
	ks_resource_api_version(m->res, av, sizeof(av));
	return add_entry(mf, m->name, apply, m->subresource, av, NULL);
}

static void stamp(struct entry *e, time_t now)
{
	char ts[KS_TIME_STRLEN];

	ks_time_format(now, ts);
	free(e->time);
	e->time = strdup(ts);
}

/* The API server's order of entries: Apply first, then by time, manager, subresource. */
static int entry_order(const void *a, const void *b)
{
	const struct entry *p = a, *q = b;
	int c;

	if (p->apply != q->apply)
		return p->apply ? -1 : 1;
	c = strcmp(p->time ? p->time : "", q->time ? q->time : "");
	if (!c)
		c = strcmp(p->manager, q->manager);
	return c ? c : strcmp(p->subresource ? p->subresource : "",
			      q->subresource ? q->subresource : "");
}

/* Writes mf (entries owning nothing left out; [] for none) as obj's metadata.managedFields. */
static int store(cJSON *obj, struct managed *mf)
{
	cJSON *list = cJSON_CreateArray(), *meta = ks_ensure(obj, "metadata");

	if (mf->n)	/* qsort(NULL, 0, ...) is undefined */
		qsort(mf->e, mf->n, sizeof(*mf->e), entry_order);
	for (size_t i = 0; i < mf->n; i++) {
		const struct entry *e = &mf->e[i];
		cJSON *item;

		if (e->set.oom || !e->manager) {
			cJSON_Delete(list);
			return -ENOMEM;
		}
		if (!e->set.n)
			continue;
		item = cJSON_CreateObject();
		cJSON_AddStringToObject(item, "manager", e->manager);
		cJSON_AddStringToObject(item, "operation", e->apply ? "Apply" : "Update");
		cJSON_AddStringToObject(item, "apiVersion", e->api_version ? e->api_version : "");
		if (e->time)
			cJSON_AddStringToObject(item, "time", e->time);
		cJSON_AddStringToObject(item, "fieldsType", "FieldsV1");
		cJSON_AddItemToObject(item, "fieldsV1", ctl_fieldset_encode(&e->set));
		if (e->subresource)
			cJSON_AddStringToObject(item, "subresource", e->subresource);
		cJSON_AddItemToArray(list, item);
	}
	cJSON_DeleteItemFromObjectCaseSensitive(meta, "managedFields");
	cJSON_AddItemToObject(meta, "managedFields", list);
	return 0;
}

static bool under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	return !strncmp(path, prefix, n) && (!path[n] || path[n] == SEP[0]);
}

static bool not_managed_fields(const char *path, void *arg)
{
	return !under(path, "f:metadata" SEP "f:managedFields");
}

/* Whether a write by m (arg) can own path: not type or system metadata, not reset. */
static bool ownable(const char *path, void *arg)
{
	static const char *const system[] = {
		"f:apiVersion", "f:kind", "f:metadata", "f:metadata" SEP "f:name",
		"f:metadata" SEP "f:namespace", "f:metadata" SEP "f:creationTimestamp",
		"f:metadata" SEP "f:selfLink", "f:metadata" SEP "f:uid",
		"f:metadata" SEP "f:generation", "f:metadata" SEP "f:resourceVersion", NULL
	};
	const struct ctl_manager *m = arg;

	for (const char *const *s = system; *s; s++)
		if (!strcmp(path, *s))
			return false;
	if (!not_managed_fields(path, NULL))
		return false;
	if (m->subresource)
		return under(path, "f:status");
	return !(m->res->status && under(path, "f:status"));
}

/* What changed from cur to obj that m can own; whether anything changed at all. */
static bool changes(const struct ctl_manager *m, const cJSON *cur, const cJSON *obj,
		    struct ctl_fieldcmp *cmp)
{
	bool changed;

	ctl_fieldset_compare(cur, obj, cmp);
	ctl_fieldset_filter(&cmp->added, not_managed_fields, NULL);
	ctl_fieldset_filter(&cmp->removed, not_managed_fields, NULL);
	ctl_fieldset_filter(&cmp->modified, not_managed_fields, NULL);
	changed = cmp->added.n || cmp->removed.n || cmp->modified.n;
	ctl_fieldset_filter(&cmp->added, ownable, (void *)m);
	ctl_fieldset_filter(&cmp->removed, ownable, (void *)m);
	ctl_fieldset_filter(&cmp->modified, ownable, (void *)m);
	return changed;
}

static bool cmp_oom(const struct ctl_fieldcmp *cmp)
{
	return cmp->added.oom || cmp->removed.oom || cmp->modified.oom;
}

int ctl_fields_update(const struct ctl_manager *m, const cJSON *cur, cJSON *obj)
{
	const cJSON *given = ks_get(obj, "metadata.managedFields");
	struct ctl_fieldcmp cmp = { 0 };
	struct ctl_fieldset taken = { 0 };
	struct managed mf = { 0 };
	struct entry *self;
	int ret = -ENOMEM;

	/* Managed fields the client sends replace the live ones, except through /status. */
	if (m->subresource || !given || decode(given, &mf) || !mf.n) {
		managed_free(&mf);
		if (m->subresource || !is_reset(given))
			decode_live(cur, &mf);
	}
	changes(m, cur, obj, &cmp);
	ctl_fieldset_union(&taken, &cmp.modified);
	ctl_fieldset_union(&taken, &cmp.added);
	/* An update takes what it changed from the others (no conflicts for updates). */
	for (size_t i = 0; i < mf.n; i++) {
		ctl_fieldset_minus(&mf.e[i].set, &cmp.removed);
		if (!same_identity(&mf.e[i], m, false))
			ctl_fieldset_minus(&mf.e[i].set, &taken);
	}
	self = entry_of(&mf, m, false);
	if (self && !taken.oom && !cmp_oom(&cmp)) {
		ctl_fieldset_union(&self->set, &taken);
		if (taken.n)
			stamp(self, m->now);
		ret = store(obj, &mf);
	}
	ctl_fieldset_free(&taken);
	ctl_fieldcmp_free(&cmp);
	managed_free(&mf);
	return ret;
}

/*
 * Removes from obj what its applier applied before (last) and no longer applies, unless
 * another manager owns it or something under it, as structured-merge-diff's prune.
 */
static void prune(cJSON *obj, const struct managed *mf, const struct entry *self,
		  const struct ctl_fieldset *last)
{
	for (size_t i = 0; i < last->n; i++) {
		const char *p = last->paths[i];
		bool owned = ctl_fieldset_has_under(&self->set, p);

		for (size_t j = 0; j < mf->n && !owned; j++)
			owned = &mf->e[j] != self && ctl_fieldset_has_under(&mf->e[j].set, p);
		if (!owned)
			ctl_fieldpath_delete(obj, p);
	}
}

/* A manager as the API server names one in a conflict. */
static void print_manager(const struct entry *e, char *buf, size_t len)
{
	int n = snprintf(buf, len, "\"%s\"", e->manager);

	if (n > 0 && (size_t)n < len && e->subresource)
		n += snprintf(buf + n, len - (size_t)n, " with subresource \"%s\"", e->subresource);
	if (n > 0 && (size_t)n < len && !e->apply)
		snprintf(buf + n, len - (size_t)n, " using %s", e->api_version ? e->api_version : "");
}

/*
 * Appends to causes (and to msg, of size len) the fields of changed that e owns, and takes
 * them from e when force. Returns how many.
 */
static size_t conflicts_with(struct entry *e, const struct ctl_fieldset *changed, bool force,
			     cJSON *causes, char *msg, size_t len)
{
	char who[CTL_MANAGER_MAX + 64], path[512], text[CTL_MANAGER_MAX + 80];
	struct ctl_fieldset mine = { 0 };
	size_t used = strlen(msg);

	for (size_t i = 0; i < changed->n; i++)
		if (ctl_fieldset_has(&e->set, changed->paths[i]))
			ctl_fieldset_add(&mine, changed->paths[i]);
	if (force || !mine.n) {
		ctl_fieldset_minus(&e->set, &mine);
		ctl_fieldset_free(&mine);
		return 0;
	}
	print_manager(e, who, sizeof(who));
	snprintf(text, sizeof(text), "conflict with %s", who);
	if (used < len)
		used += (size_t)snprintf(msg + used, len - used, "%sconflicts with %s:",
					 used ? "\n" : "", who);
	for (size_t i = 0; i < mine.n; i++) {
		cJSON *cause = cJSON_CreateObject();

		ctl_fieldpath_print(mine.paths[i], path, sizeof(path));
		cJSON_AddStringToObject(cause, "type", "FieldManagerConflict");
		cJSON_AddStringToObject(cause, "message", text);
		cJSON_AddStringToObject(cause, "field", path);
		cJSON_AddItemToArray(causes, cause);
		if (used < len)
			used += (size_t)snprintf(msg + used, len - used, "\n- %s", path);
	}
	used = mine.n;
	ctl_fieldset_free(&mine);
	return used;
}

/* Managers in the order the API server lists conflicts: by manager, then operation. */
static int manager_order(const void *a, const void *b)
{
	const struct entry *p = a, *q = b;
	int c = strcmp(p->manager, q->manager);

	return c ? c : p->apply == q->apply ? 0 : p->apply ? -1 : 1;
}

/*
 * Checks what an apply by self changes (cmp) against the other managers: the fields
 * changed or added that another manager owns conflict, unless force takes them from it;
 * fields removed are nobody's any more. Returns 0, or -1 with the 409 in err.
 */
static int resolve(struct managed *mf, const struct entry *self, const struct ctl_fieldcmp *cmp,
		   bool force, struct ctl_status *err)
{
	struct ctl_fieldset changed = { 0 };
	cJSON *causes = cJSON_CreateArray();
	char msg[sizeof(err->message) - 48] = "";
	size_t n = 0;

	ctl_fieldset_union(&changed, &cmp->modified);
	ctl_fieldset_union(&changed, &cmp->added);
	for (size_t i = 0; i < mf->n; i++) {
		if (&mf->e[i] == self)
			continue;
		ctl_fieldset_minus(&mf->e[i].set, &cmp->removed);
		n += conflicts_with(&mf->e[i], &changed, force, causes, msg, sizeof(msg));
	}
	ctl_fieldset_free(&changed);
	if (!n) {
		cJSON_Delete(causes);
		return 0;
	}
	if (n == 1)
		ctl_status_set(err, 409, "Conflict", "Apply failed with 1 conflict: %s: %s",
			       ks_get_str0(causes->child, "message"),
			       ks_get_str0(causes->child, "field"));
	else
		ctl_status_set(err, 409, "Conflict", "Apply failed with %zu conflicts: %s", n, msg);
	err->causes = causes;
	return -1;
}

cJSON *ctl_fields_apply(const struct ctl_manager *m, const cJSON *cur, const cJSON *config,
			bool force, struct ctl_status *err)
{
	struct ctl_fieldset applied = { 0 }, last;
	struct ctl_fieldcmp cmp = { 0 };
	struct managed mf = { 0 };
	struct entry *self;
	cJSON *obj = NULL;
	bool changed;

	if (ks_get(config, "metadata.managedFields")) {
		ctl_status_set(err, 400, "BadRequest", "metadata.managedFields must be nil");
		return NULL;
	}
	decode_live(cur, &mf);
	if (mf.n)	/* qsort(NULL, 0, ...) is undefined */
		qsort(mf.e, mf.n, sizeof(*mf.e), manager_order);
	self = entry_of(&mf, m, true);
	if (!self)
		goto err_oom;
	ctl_fieldset_of(config, &applied);
	ctl_fieldset_filter(&applied, ownable, (void *)m);
	last = self->set;
	self->set = applied;
	obj = cur ? cJSON_Duplicate(cur, true) : cJSON_CreateObject();
	cJSON_DeleteItemFromObjectCaseSensitive(ks_ensure(obj, "metadata"), "managedFields");
	obj = ctl_patch_merge(obj, config, false);
	prune(obj, &mf, self, &last);
	ctl_fieldset_free(&last);
	changed = changes(m, cur, obj, &cmp);
	if (cmp_oom(&cmp) || self->set.oom)
		goto err_oom;
	if (resolve(&mf, self, &cmp, force, err))
		goto err;
	if (changed || !self->time)
		stamp(self, m->now);
	if (store(obj, &mf))
		goto err_oom;
	ctl_fieldcmp_free(&cmp);
	managed_free(&mf);
	return obj;

err_oom:
	ctl_status_set(err, 500, "InternalError", "out of memory");
err:
	cJSON_Delete(obj);
	ctl_fieldcmp_free(&cmp);
	managed_free(&mf);
	return NULL;
}
