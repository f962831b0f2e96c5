// SPDX-License-Identifier: GPL-2.0
/*
 * The REST verbs on one resource, with the API server's answers: 201 on create, the
 * object on update and delete, Status objects on failure. Access control comes first
 * (403 before 404, so that a worker learns nothing of objects it may not read).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/json.h"
#include "controller/fieldmanager.h"
#include "controller/http_admission.h"
#include "controller/http_body.h"
#include "controller/http_patch.h"
#include "controller/http_protobuf.h"
#include "controller/http_resource.h"
#include "controller/http_table.h"
#include "controller/http_yaml.h"
#include "controller/validate.h"
#include "controller/watch.h"

/* Default length of a watch, as the API server's --min-request-timeout. */
#define WATCH_TIMEOUT 1800
/*
 * Attempts of a patch without precondition that loses a race with another writer. The API
 * server's update loop retries such a race until it wins (every lost race is another write
 * that went through), so a client never sees 409 for a patch that named no resourceVersion;
 * the bound only stops a loop that something other than a writer keeps losing.
 */
#define PATCH_RETRIES 1000
/* A helper's return when it has sent the answer (an error) and the request is done. */
#define ANSWERED 1

struct call {
	struct ctl_api *api;
	struct ctl_http_conn *c;
	struct ctl_http_req *req;
	const struct ctl_identity *id;
	const struct ctl_target *t;
	const char *verb;
	int dry_run;		/* CTL_DRY_RUN for dryRun=All, else 0 */
};

static int fail(struct call *k, int code, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int failed(struct call *k, struct ctl_status *err, const char *name);

static int fail(struct call *k, int code, const char *reason, const char *fmt, ...)
{
	struct ctl_status err = { .code = code, .reason = reason };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err.message, sizeof(err.message), fmt, ap);
	va_end(ap);
	return ctl_api_respond_status(k->c, &err, k->t->res, k->t->name) ? -EIO : ANSWERED;
}

static void forbidden_status(struct call *k, const char *verb, struct ctl_status *err)
{
	char why[1024];

	if (ctl_auth_allow(k->id, verb, k->t->res, k->t->ns, k->t->sub, why, sizeof(why)))
		snprintf(why, sizeof(why),
			 "%s \"%s\" is forbidden: User \"%s\" cannot %s this object",
			 k->t->res->plural, k->t->name ? k->t->name : "", k->id->user, verb);
	ctl_status_set(err, 403, "Forbidden", "%s", why);
}

static int forbidden(struct call *k, const char *verb)
{
	struct ctl_status err = { 0 };

	forbidden_status(k, verb, &err);
	return ctl_api_respond_status(k->c, &err, k->t->res, k->t->name) ? -EIO : ANSWERED;
}

/*
 * The answer for a name that is absent or that the caller may not read: the same for
 * both, so that a credential learns nothing of the objects it may not see. 404 only when
 * the name alone would let the caller read such an object (an administrator, a project
 * user in its namespace): then a 403 would tell nothing either.
 */
static void hidden_status(struct call *k, const char *name, struct ctl_status *err)
{
	const struct ks_resource *res = k->t->res;
	cJSON *stub = ks_object_new("", res->kind, k->t->ns, name);
	bool readable = ctl_auth_can_read(k->id, res, stub);

	cJSON_Delete(stub);
	if (!readable) {
		forbidden_status(k, k->verb, err);
		return;
	}
	ctl_status_set(err, 404, "NotFound", "%s%s%s \"%s\" not found", res->plural,
		       *res->group ? "." : "", res->group, name);
}

static int hidden(struct call *k)
{
	struct ctl_status err = { 0 };

	hidden_status(k, k->t->name, &err);
	return ctl_api_respond_status(k->c, &err, k->t->res, k->t->name) ? -EIO : ANSWERED;
}

static char *query(struct call *k, const char *key)
{
	return ctl_http_query(k->req, key);
}

/* Sends an object-layer failure. */
static int failed(struct call *k, struct ctl_status *err, const char *name)
{
	return ctl_api_respond_status(k->c, err, k->t->res, name) ? -EIO : ANSWERED;
}

/* The request body as a tree (an object unless patch), or NULL with the answer sent. */
static cJSON *decode(struct call *k, bool patch, int *ret)
{
	struct ctl_status err = { 0 };
	cJSON *obj = ctl_body_decode(k->req, patch, &err);

	if (!obj)
		*ret = failed(k, &err, k->t->name);
	return obj;
}

/* Checks apiVersion, kind, namespace and name of a body against the URL. */
static int check_identity(struct call *k, cJSON *obj)
{
	const struct ctl_target *t = k->t;
	const char *av = ks_get_str(obj, "apiVersion"), *kind = ks_get_str(obj, "kind");
	const char *ns = ks_namespace(obj);
	struct ctl_status err = { 0 };
	char want[128];

	ks_resource_api_version(t->res, want, sizeof(want));
	if (!av || !kind)
		return fail(k, 400, "BadRequest", "Object '%s' is missing in the request body",
			    !kind ? "Kind" : "apiVersion");
	if (strcmp(av, want) || strcmp(kind, t->res->kind))
		return fail(k, 400, "BadRequest",
			    "the API version in the data (%s) and kind (%s) do not match the URL (%s, %s)",
			    av, kind, want, t->res->kind);
	if (t->res->namespaced && ns && *ns && strcmp(ns, t->ns))
		return fail(k, 400, "BadRequest",
			    "the namespace of the provided object does not match the namespace sent on the request");
	if (t->name && ks_name(obj) && strcmp(ks_name(obj), t->name))
		return fail(k, 400, "BadRequest",
			    "the name of the object (%s) does not match the name on the URL (%s)",
			    ks_name(obj), t->name);
	if (t->name)
		ks_set_str(ks_ensure(obj, "metadata"), "name", t->name);
	if (!t->sub && ctl_body_check_meta(t->res, obj, &err))
		return failed(k, &err, t->name ? t->name : ks_name(obj));
	return 0;
}

/* ctl_admit() of the request's body or patched object; 0 or the answer already sent. */
static int admit(struct call *k, cJSON *obj, char *warning, size_t len)
{
	char *mode = query(k, "fieldValidation");
	struct ctl_status err = { 0 };
	int ret = 0;

	if (ctl_admit(k->t->res, mode, obj, &err, warning, len))
		ret = failed(k, &err, ks_name(obj));
	free(mode);
	return ret;
}

static int respond_obj(struct call *k, int code, cJSON *obj, const char *extra)
{
	return ctl_api_respond_json(k->c, code, obj, extra);
}

static cJSON *list_of(const struct ks_resource *res, cJSON *items, const char *rv)
{
	cJSON *list = cJSON_CreateObject();
	char buf[128];

	ks_resource_api_version(res, buf, sizeof(buf));
	cJSON_AddStringToObject(list, "apiVersion", buf);
	snprintf(buf, sizeof(buf), "%sList", res->kind);
	cJSON_AddStringToObject(list, "kind", buf);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(list, "metadata"), "resourceVersion", rv);
	cJSON_AddItemToObject(list, "items", items);
	return list;
}

/*
 * What a read answers: the objects (an array, taken) as a Table when the Accept header asks
 * for one (kubectl get), else one (the object) or the list.
 */
static int respond_read(struct call *k, cJSON *items, const char *rv, bool one)
{
	const char *version = ctl_table_version(k->req->accept);
	char *include;
	cJSON *doc;

	if (!version) {
		if (one) {
			doc = cJSON_DetachItemFromArray(items, 0);
			cJSON_Delete(items);
		} else {
			doc = list_of(k->t->res, items, rv);
		}
		return respond_obj(k, 200, doc, NULL);
	}
	include = query(k, "includeObject");
	doc = ctl_table_build(k->t->res, version, items, rv, include, time(NULL));
	if (!doc) {
		int ret = fail(k, 400, "BadRequest", "unrecognized includeObject value: \"%s\"",
			       include);

		free(include);
		return ret;
	}
	free(include);
	return respond_obj(k, 200, doc, NULL);
}

static int do_get(struct call *k)
{
	cJSON *obj = ctl_obj_get(k->api->st, k->t->res, k->t->ns, k->t->name), *items;
	char rv[24];

	if (!obj || !ctl_auth_can_read(k->id, k->t->res, obj)) {
		cJSON_Delete(obj);
		return hidden(k);
	}
	snprintf(rv, sizeof(rv), "%s", ks_get_str0(obj, "metadata.resourceVersion"));
	items = cJSON_CreateArray();
	cJSON_AddItemToArray(items, obj);
	return respond_read(k, items, rv, true);
}

static int parse_selector(struct call *k, struct ctl_selector **sel)
{
	char *labels = query(k, "labelSelector"), *fields = query(k, "fieldSelector");
	char err[256];
	int ret = 0;

	if (ctl_selector_parse(labels, fields, sel, err, sizeof(err)))
		ret = fail(k, 400, "BadRequest", "%s", err);
	free(labels);
	free(fields);
	return ret;
}

/* Drops the objects id may not read. */
static void filter_readable(struct call *k, cJSON *items)
{
	cJSON *obj = items->child;

	while (obj) {
		cJSON *next = obj->next;

		if (!ctl_auth_can_read(k->id, k->t->res, obj))
			cJSON_Delete(cJSON_DetachItemViaPointer(items, obj));
		obj = next;
	}
}

static int do_list(struct call *k)
{
	struct ctl_selector *sel;
	char rvs[24];
	uint64_t rv;
	cJSON *items;
	int ret = parse_selector(k, &sel);

	if (ret)
		return ret;
	items = ctl_obj_list(k->api->st, k->t->res, k->t->ns, sel, &rv);
	ctl_selector_free(sel);
	filter_readable(k, items);
	snprintf(rvs, sizeof(rvs), "%llu", (unsigned long long)rv);
	return respond_read(k, items, rvs, false);
}

/* A boolean query parameter, read as the API server does (Go's strconv.ParseBool):
 * python3-kubernetes sends watch=True. */
static bool truthy(const char *v)
{
	static const char *const yes[] = { "1", "t", "T", "true", "TRUE", "True", NULL };

	for (const char *const *y = yes; v && *y; y++)
		if (!strcmp(v, *y))
			return true;
	return false;
}

/* As the API server's storage answers a resourceVersion that is not a number. */
static int invalid_rv(struct call *k, const char *rv)
{
	struct ctl_status err = { 0 };
	cJSON *cause = cJSON_CreateObject();
	char msg[200];

	snprintf(msg, sizeof(msg), "Invalid value: \"%.64s\": not an unsigned integer", rv);
	ctl_status_set(&err, 422, "Invalid", "%s \"\" is invalid: resourceVersion: %s",
		       k->t->res->plural, msg);
	err.causes = cJSON_CreateArray();
	cJSON_AddStringToObject(cause, "reason", "FieldValueInvalid");
	cJSON_AddStringToObject(cause, "message", msg);
	cJSON_AddStringToObject(cause, "field", "resourceVersion");
	cJSON_AddItemToArray(err.causes, cause);
	return failed(k, &err, NULL);
}

/* As the API server answers a watch from a version it has not reached (after waiting). */
static int too_large_rv(struct call *k, uint64_t from)
{
	struct ctl_status err = { 0 };
	cJSON *cause = cJSON_CreateObject();

	ctl_status_set(&err, 504, "Timeout", "Too large resource version: %llu, current: %llu",
		       (unsigned long long)from,
		       (unsigned long long)ctl_obj_committed(k->api->st));
	err.causes = cJSON_CreateArray();
	cJSON_AddStringToObject(cause, "reason", "ResourceVersionTooLarge");
	cJSON_AddStringToObject(cause, "message", "Too large resource version");
	cJSON_AddItemToArray(err.causes, cause);
	return failed(k, &err, NULL);
}

static int do_watch(struct call *k)
{
	char *rv = query(k, "resourceVersion"), *bm = query(k, "allowWatchBookmarks");
	char *timeout = query(k, "timeoutSeconds"), *include = query(k, "includeObject");
	char *end = NULL;
	struct ctl_watch w = {
		.res = k->t->res,
		.ns = k->t->ns,
		.id = k->id,
		.bookmarks = truthy(bm),
		.timeout = WATCH_TIMEOUT,
		.initial = !rv || !*rv || !strcmp(rv, "0"),
		.table = ctl_table_version(k->req->accept),
		.include = include,
	};
	struct ctl_selector *sel = NULL;
	int ret;

	if (!w.initial) {
		/* Digits only: strtoull would take "-1" for the largest version there is. */
		w.from = strtoull(rv, &end, 10);
		if (strspn(rv, "0123456789") != strlen(rv) || *end) {
			ret = invalid_rv(k, rv);
			goto out;
		}
	}
	if (timeout) {
		long s = strtol(timeout, &end, 10);

		if (*end || s < 0) {
			ret = fail(k, 400, "BadRequest", "invalid timeoutSeconds: %s", timeout);
			goto out;
		}
		if (s && s < WATCH_TIMEOUT)
			w.timeout = (unsigned int)s;
	}
	if (w.table && !ctl_table_include_valid(include)) {
		ret = fail(k, 400, "BadRequest", "unrecognized includeObject value: \"%s\"", include);
		goto out;
	}
	ret = parse_selector(k, &sel);
	if (ret)
		goto out;
	w.sel = sel;
	ret = ctl_watch_serve(k->api->st, k->c, &w);
	if (ret == -EAGAIN)
		ret = too_large_rv(k, w.from);
	ret = ret ? ret : CTL_API_STREAMED;
out:
	ctl_selector_free(sel);
	free(rv);
	free(bm);
	free(timeout);
	free(include);
	return ret;
}

/* dryRun=All (kubectl --dry-run=server, kubectl diff): all but the write. */
static int parse_dry_run(struct call *k)
{
	char *dry = query(k, "dryRun");
	int ret = 0;

	if (dry && strcmp(dry, "All"))
		ret = fail(k, 400, "BadRequest",
			   "dryRun: Unsupported value: \"%s\": supported values: \"All\"", dry);
	k->dry_run = dry ? CTL_DRY_RUN : 0;
	free(dry);
	return ret;
}

/*
 * Who writes, for the managed fields: the fieldManager parameter, else the product of the
 * User-Agent ("kubectl" of "kubectl/v1.32.4 (linux/amd64)"), as the API server names it.
 * 0, or the answer sent (422 for a name too long or not printable).
 */
static int manager_of(struct call *k, char name[CTL_MANAGER_MAX + 1], struct ctl_manager *m)
{
	char *given = query(k, "fieldManager");
	const char *ua = k->req->user_agent;
	int ret = 0;

	if (given && (strlen(given) > CTL_MANAGER_MAX || strpbrk(given, "\t\r\n\x7f")))
		ret = fail(k, 422, "Invalid",
			   "fieldManager: Invalid value: must be at most %d printable characters",
			   CTL_MANAGER_MAX);
	if (given && !*given) {
		free(given);
		given = NULL;
	}
	snprintf(name, CTL_MANAGER_MAX + 1, "%.*s", given ? (int)strlen(given) :
		 (int)strcspn(ua, "/"), given ? given : ua);
	free(given);
	*m = (struct ctl_manager){
		.res = k->t->res,
		.name = name,
		.subresource = k->t->sub,
		.now = time(NULL),
	};
	return ret;
}

/* obj's managedFields after a create (cur NULL) or update by the request's manager. */
static int record_fields(struct call *k, const cJSON *cur, cJSON *obj, struct ctl_status *err)
{
	char name[CTL_MANAGER_MAX + 1];
	struct ctl_manager m;
	int ret = manager_of(k, name, &m);

	if (ret)
		return ret;
	if (ctl_fields_update(&m, cur, obj)) {
		ctl_status_set(err, 500, "InternalError", "out of memory");
		return failed(k, err, ks_name(obj));
	}
	return 0;
}

/* The body of a create or update, checked against the URL and the schema. */
static cJSON *decode_object(struct call *k, char *warning, size_t len, int *ret)
{
	cJSON *obj = decode(k, false, ret);

	if (obj && ((*ret = check_identity(k, obj)) || (*ret = admit(k, obj, warning, len)))) {
		cJSON_Delete(obj);
		return NULL;
	}
	return obj;
}

static int do_create(struct call *k)
{
	struct ctl_status err = { 0 };
	char warning[1024];
	cJSON *obj, *out = NULL;
	int ret = 0;

	obj = decode_object(k, warning, sizeof(warning), &ret);
	if (!obj)
		return ret;
	if (k->t->res->namespaced)
		ks_set_str(ks_ensure(obj, "metadata"), "namespace", k->t->ns);
	if (!ctl_auth_can_write(k->id, k->t->res, obj)) {
		ret = forbidden(k, "create");
		goto out;
	}
	if ((ret = record_fields(k, NULL, obj, &err)))
		goto out;
	if (ctl_obj_create(k->api->st, k->t->res, k->t->ns, obj, CTL_VALIDATE | k->dry_run, &err,
			   &out))
		ret = failed(k, &err, ks_name(obj));
	else
		ret = respond_obj(k, 201, out, *warning ? warning : NULL);
out:
	cJSON_Delete(obj);
	return ret;
}

/*
 * Writes obj over the object the target names: the end of update and patch. obj's managed
 * fields are recorded for its manager, unless applied (an apply has set them). Returns 0,
 * -1 with err filled, or ANSWERED.
 */
static int store_update(struct call *k, cJSON *obj, const cJSON *cur, bool applied,
			struct ctl_status *err, cJSON **out)
{
	int flags = CTL_VALIDATE, ret;

	if (k->t->sub) {
		if (!ctl_auth_can_read(k->id, k->t->res, cur)) {
			ctl_status_set(err, 403, "Forbidden",
				       "User \"%s\" cannot update the status of %s \"%s\"",
				       k->id->user, k->t->res->plural, k->t->name);
			return -1;
		}
		flags = CTL_STATUS_ONLY;
	} else if (!ctl_auth_can_write(k->id, k->t->res, cur) ||
		   !ctl_auth_can_write(k->id, k->t->res, obj) ||
		   !ctl_auth_can_change(k->id, k->t->res, cur, obj)) {
		ctl_status_set(err, 403, "Forbidden", "User \"%s\" cannot %s %s \"%s\"",
			       k->id->user, k->verb, k->t->res->plural, k->t->name);
		return -1;
	}
	if (k->t->res->namespaced)
		ks_set_str(ks_ensure(obj, "metadata"), "namespace", k->t->ns);
	if (!applied && (ret = record_fields(k, cur, obj, err)))
		return ret;
	return ctl_obj_update(k->api->st, k->t->res, k->t->ns, k->t->name, obj,
			      flags | k->dry_run, err, out);
}

static int do_update(struct call *k)
{
	struct ctl_status err = { 0 };
	char warning[1024];
	cJSON *obj, *cur = NULL, *out = NULL;
	int ret = 0;

	obj = decode_object(k, warning, sizeof(warning), &ret);
	if (!obj)
		return ret;
	cur = ctl_obj_get(k->api->st, k->t->res, k->t->ns, k->t->name);
	if (!cur || !ctl_auth_can_read(k->id, k->t->res, cur)) {
		ret = hidden(k);
		goto out;
	}
	ret = store_update(k, obj, cur, false, &err, &out);
	if (ret < 0)
		ret = failed(k, &err, k->t->name);
	else if (!ret)
		ret = respond_obj(k, 200, out, *warning ? warning : NULL);
out:
	cJSON_Delete(cur);
	cJSON_Delete(obj);
	return ret;
}

enum patch_type { PATCH_MERGE, PATCH_STRATEGIC, PATCH_JSON, PATCH_APPLY, PATCH_UNKNOWN };

static enum patch_type patch_type(const char *ct)
{
	if (!strcmp(ct, "application/merge-patch+json"))
		return PATCH_MERGE;
	if (!strcmp(ct, "application/strategic-merge-patch+json"))
		return PATCH_STRATEGIC;
	if (!strcmp(ct, "application/json-patch+json"))
		return PATCH_JSON;
	if (!strcmp(ct, "application/apply-patch+yaml"))
		return PATCH_APPLY;
	return PATCH_UNKNOWN;
}

/* cur with patch applied, or NULL with the answer sent into *ret. */
static cJSON *patched(struct call *k, const cJSON *cur, const cJSON *patch,
		      enum patch_type type, int *ret)
{
	cJSON *doc = cJSON_Duplicate(cur, true);
	struct ctl_status status = { 0 };
	char err[256];

	if (type == PATCH_JSON) {
		int e = ctl_patch_json(&doc, patch, err, sizeof(err));

		if (e) {
			cJSON_Delete(doc);
			*ret = e == -E2BIG ? fail(k, 413, "RequestEntityTooLarge", "%s", err) :
			       fail(k, 422, "Invalid", "%s", err);
			return NULL;
		}
	} else {
		if (!cJSON_IsObject(patch)) {
			cJSON_Delete(doc);
			*ret = fail(k, 400, "BadRequest", "a merge patch must be a JSON object");
			return NULL;
		}
		doc = ctl_patch_merge(doc, patch, type == PATCH_STRATEGIC);
	}
	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		*ret = fail(k, 422, "Invalid", "the patch does not leave an object");
		return NULL;
	}
	if (ctl_body_check_result(doc, &status)) {
		cJSON_Delete(doc);
		*ret = failed(k, &status, k->t->name);
		return NULL;
	}
	return doc;
}

/* The force parameter (server-side apply's --force-conflicts): 0, or the answer sent. */
static int forced(struct call *k, bool *force)
{
	char *v = query(k, "force");
	int ret = 0;

	*force = v && truthy(v);
	if (v && !*force && strcmp(v, "false") && strcmp(v, "0") && strcmp(v, "False") &&
	    strcmp(v, "f") && strcmp(v, "F") && strcmp(v, "FALSE"))
		ret = fail(k, 400, "BadRequest", "force: invalid boolean value: \"%s\"", v);
	free(v);
	return ret;
}

/* An apply configuration (YAML, or JSON, which is YAML), checked like any object's body. */
static cJSON *decode_apply(struct call *k, char *warning, size_t len, int *ret)
{
	cJSON *config = decode(k, false, ret);
	struct ctl_status err = { 0 };
	char *mode;

	if (!config)
		return NULL;
	mode = query(k, "fieldValidation");
	if (!(*ret = check_identity(k, config)) &&
	    ctl_admit_fields(k->t->res, mode, config, &err, warning, len))
		*ret = failed(k, &err, k->t->name);
	free(mode);
	if (*ret) {
		cJSON_Delete(config);
		return NULL;
	}
	return config;
}

/* The first write of an applied object: a create (201). */
static int create_applied(struct call *k, cJSON *obj, struct ctl_status *err, cJSON **out)
{
	if (k->t->res->namespaced)
		ks_set_str(ks_ensure(obj, "metadata"), "namespace", k->t->ns);
	if (!ctl_auth_can_write(k->id, k->t->res, obj))
		return forbidden(k, "create");
	return ctl_obj_create(k->api->st, k->t->res, k->t->ns, obj, CTL_VALIDATE | k->dry_run,
			      err, out);
}

/*
 * Server-side apply (kubectl apply --server-side): the body is the manager's whole
 * configuration of the object, merged by fieldmanager.h; creates the object when there is
 * none. Retried, as a patch, when another write comes between the read and the write.
 */
static int do_apply(struct call *k)
{
	char name[CTL_MANAGER_MAX + 1], warning[2048] = "", *given = query(k, "fieldManager");
	struct ctl_status err = { 0 };
	struct ctl_manager m;
	cJSON *config, *cur = NULL, *obj = NULL, *out = NULL;
	bool force, has_rv;
	int ret, attempt;

	ret = given && *given ? 0 : fail(k, 422, "Invalid",
					 "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
	free(given);
	if (ret || (ret = manager_of(k, name, &m)) || (ret = forced(k, &force)))
		return ret;
	config = decode_apply(k, warning, sizeof(warning) / 2, &ret);
	if (!config)
		return ret;
	has_rv = ks_get_str(config, "metadata.resourceVersion");
	for (attempt = 0; attempt < PATCH_RETRIES; attempt++) {
		size_t at = strlen(warning);

		cJSON_Delete(cur);
		cJSON_Delete(obj);
		cJSON_Delete(err.causes);
		err = (struct ctl_status){ 0 };
		cur = ctl_obj_get(k->api->st, k->t->res, k->t->ns, k->t->name);
		obj = ctl_fields_apply(&m, cur, config, force, &err);
		if (!obj)
			break;
		if ((ret = admit(k, obj, warning + at, sizeof(warning) - at)))
			goto out;
		ret = cur ? store_update(k, obj, cur, true, &err, &out) :
		      create_applied(k, obj, &err, &out);
		if (ret > 0)
			goto out;
		if (!ret) {
			ret = respond_obj(k, cur ? 200 : 201, out, *warning ? warning : NULL);
			goto out;
		}
		/* Lost a race with another write (a create, or a change since the read). */
		if (err.code != 409 || has_rv)
			break;
		warning[at] = '\0';
	}
	ret = failed(k, &err, k->t->name);
out:
	cJSON_Delete(config);
	cJSON_Delete(cur);
	cJSON_Delete(obj);
	return ret;
}

static int do_patch(struct call *k)
{
	enum patch_type type = patch_type(k->req->content_type);
	struct ctl_status err = { 0 };
	cJSON *patch, *cur = NULL, *obj = NULL, *out = NULL;
	char warning[1024] = "";
	int ret = 0, attempt;
	bool force;

	if (type == PATCH_UNKNOWN)
		return fail(k, 415, "UnsupportedMediaType",
			    "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json");
	if (type == PATCH_APPLY)
		return do_apply(k);
	ret = forced(k, &force);
	if (ret || force)
		return ret ? ret : fail(k, 422, "Invalid",
					"PatchOptions.meta.k8s.io \"\" is invalid: force: Forbidden: may not be specified for non-apply patch");
	patch = decode(k, true, &ret);
	if (!patch)
		return ret;
	for (attempt = 0; attempt < PATCH_RETRIES; attempt++) {
		bool has_rv;

		cJSON_Delete(cur);
		cJSON_Delete(obj);
		obj = NULL;
		cur = ctl_obj_get(k->api->st, k->t->res, k->t->ns, k->t->name);
		if (!cur || !ctl_auth_can_read(k->id, k->t->res, cur)) {
			ret = hidden(k);
			goto out;
		}
		/* Authorized against what is stored before the patch is evaluated: a failing
		 * "test" must not tell a caller a value it may not write. */
		if (!k->t->sub && !ctl_auth_can_write(k->id, k->t->res, cur)) {
			ret = forbidden(k, "patch");
			goto out;
		}
		obj = patched(k, cur, patch, type, &ret);
		if (!obj)
			goto out;
		if ((ret = check_identity(k, obj)) ||
		    (ret = admit(k, obj, warning, sizeof(warning))))
			goto out;
		has_rv = strcmp(ks_get_str0(obj, "metadata.resourceVersion"),
				ks_get_str0(cur, "metadata.resourceVersion"));
		ret = store_update(k, obj, cur, false, &err, &out);
		if (ret >= 0) {
			if (!ret)
				ret = respond_obj(k, 200, out, *warning ? warning : NULL);
			goto out;
		}
		/* A conflict the patch did not ask for (no resourceVersion in it) is retried. */
		if (err.code != 409 || has_rv || !strcmp(err.reason, "AlreadyExists"))
			break;
		cJSON_Delete(err.causes);
		err.causes = NULL;
	}
	ret = failed(k, &err, k->t->name);
out:
	cJSON_Delete(patch);
	cJSON_Delete(cur);
	cJSON_Delete(obj);
	return ret;
}

/* DeleteOptions from the body and query: preconditions and propagation. */
static int delete_options(struct call *k, char **uid, char **rv, bool *orphan)
{
	char *policy = query(k, "propagationPolicy"), *orph = query(k, "orphanDependents");
	cJSON *opts = NULL;
	int ret = 0;

	*uid = *rv = NULL;
	*orphan = false;
	if (k->req->body_len) {
		opts = decode(k, true, &ret);
		if (!opts) {
			free(policy);
			free(orph);
			return ret;
		}
		if (!policy && ks_get_str(opts, "propagationPolicy"))
			policy = strdup(ks_get_str(opts, "propagationPolicy"));
		if (ks_get_str(opts, "preconditions.uid"))
			*uid = strdup(ks_get_str(opts, "preconditions.uid"));
		if (ks_get_str(opts, "preconditions.resourceVersion"))
			*rv = strdup(ks_get_str(opts, "preconditions.resourceVersion"));
		/* kubectl delete --dry-run=server says it in the body */
		if (ks_array_has_str(ks_get(opts, "dryRun"), "All"))
			k->dry_run = CTL_DRY_RUN;
	}
	*orphan = (policy && !strcmp(policy, "Orphan")) || truthy(orph);
	cJSON_Delete(opts);
	free(policy);
	free(orph);
	return 0;
}

static int delete_one(struct call *k, const char *name, const char *uid, const char *rv,
		      bool orphan, cJSON **out, struct ctl_status *err)
{
	cJSON *cur = ctl_obj_get(k->api->st, k->t->res, k->t->ns, name), *causes;
	const cJSON *first;

	if (!cur || !ctl_auth_can_read(k->id, k->t->res, cur)) {
		cJSON_Delete(cur);
		hidden_status(k, name, err);
		return -1;
	}
	if (!ctl_auth_can_write(k->id, k->t->res, cur)) {
		cJSON_Delete(cur);
		ctl_status_set(err, 403, "Forbidden", "User \"%s\" cannot delete %s \"%s\"",
			       k->id->user, k->t->res->plural, name);
		return -1;
	}
	causes = cJSON_CreateArray();
	if (cur && ctl_validate_delete(k->api->st, k->t->res->plural, cur, causes)) {
		first = cJSON_GetArrayItem(causes, 0);
		ctl_status_set(err, 422, "Invalid", "%s.%s \"%s\" is invalid: %s: %s",
			       k->t->res->kind, k->t->res->group, name, ks_get_str0(first, "field"),
			       ks_get_str0(first, "message"));
		err->causes = causes;
		cJSON_Delete(cur);
		return -1;
	}
	cJSON_Delete(causes);
	if (k->dry_run) {
		if (!cur)
			ctl_status_set(err, 404, "NotFound", "%s \"%s\" not found",
				       k->t->res->plural, name);
		*out = cur;
		return cur ? 0 : -1;
	}
	cJSON_Delete(cur);
	return ctl_obj_delete(k->api->st, k->t->res, k->t->ns, name, uid, rv,
			      orphan ? CTL_ORPHAN : 0, err, out);
}

static int do_delete(struct call *k)
{
	struct ctl_status err = { 0 };
	char *uid, *rv;
	bool orphan;
	cJSON *out = NULL;
	int ret = delete_options(k, &uid, &rv, &orphan);

	if (ret)
		return ret;
	if (delete_one(k, k->t->name, uid, rv, orphan, &out, &err))
		ret = failed(k, &err, k->t->name);
	else
		ret = respond_obj(k, 200, out, NULL);
	free(uid);
	free(rv);
	return ret;
}

static int do_delete_collection(struct call *k)
{
	struct ctl_selector *sel;
	struct ctl_status err = { 0 };
	cJSON *items, *obj, *deleted = cJSON_CreateArray();
	char rvs[24];
	uint64_t rv;
	int ret = parse_selector(k, &sel);

	if (ret) {
		cJSON_Delete(deleted);
		return ret;
	}
	items = ctl_obj_list(k->api->st, k->t->res, k->t->ns, sel, &rv);
	ctl_selector_free(sel);
	cJSON_ArrayForEach(obj, items) {
		cJSON *out = NULL;

		if (!delete_one(k, ks_name(obj), NULL, NULL, false, &out, &err)) {
			cJSON_AddItemToArray(deleted, out);
			continue;
		}
		if (err.code != 404) {
			cJSON_Delete(items);
			cJSON_Delete(deleted);
			return failed(k, &err, ks_name(obj));
		}
	}
	cJSON_Delete(items);
	snprintf(rvs, sizeof(rvs), "%llu", (unsigned long long)rv);
	return respond_obj(k, 200, list_of(k->t->res, deleted, rvs), NULL);
}

static const char *verb_of(const struct ctl_http_req *req, const struct ctl_target *t,
			   bool watch)
{
	if (!strcmp(req->method, "GET"))
		return t->name ? "get" : watch ? "watch" : "list";
	if (!strcmp(req->method, "POST") && !t->name)
		return "create";
	if (!strcmp(req->method, "PUT") && t->name)
		return "update";
	if (!strcmp(req->method, "PATCH") && t->name)
		return "patch";
	if (!strcmp(req->method, "DELETE") && !t->sub)
		return t->name ? "delete" : "deletecollection";
	return NULL;
}

int ctl_resource_handle(struct ctl_api *api, struct ctl_http_conn *c,
			struct ctl_http_req *req, const struct ctl_identity *id,
			const struct ctl_target *t)
{
	char *watch = ctl_http_query(req, "watch");
	struct call k = { api, c, req, id, t, verb_of(req, t, truthy(watch)), 0 };
	char why[1024];
	int ret;

	free(watch);
	if (!k.verb)
		ret = fail(&k, 405, "MethodNotAllowed",
			   "the server does not allow this method on the requested resource");
	else if (!ctl_auth_allow(id, k.verb, t->res, t->ns, t->sub, why, sizeof(why)))
		ret = fail(&k, 403, "Forbidden", "%s", why);
	else if (strcmp(req->method, "GET") && (ret = parse_dry_run(&k)))
		;
	else if (!strcmp(k.verb, "get"))
		ret = do_get(&k);
	else if (!strcmp(k.verb, "list"))
		ret = do_list(&k);
	else if (!strcmp(k.verb, "watch"))
		ret = do_watch(&k);
	else if (!strcmp(k.verb, "create"))
		ret = do_create(&k);
	else if (!strcmp(k.verb, "update"))
		ret = do_update(&k);
	else if (!strcmp(k.verb, "patch"))
		ret = do_patch(&k);
	else if (!strcmp(k.verb, "delete"))
		ret = do_delete(&k);
	else
		ret = do_delete_collection(&k);
	return ret == ANSWERED ? 0 : ret;
}
