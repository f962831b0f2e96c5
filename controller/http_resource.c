// SPDX-License-Identifier: GPL-2.0
/*
 * The REST verbs on one resource, with the API server's answers: 201 on create, the
 * object on update and delete, Status objects on failure. Access control comes first
 * (403 before 404, so that a worker learns nothing of objects it may not read).
 *
 * This file is the request plumbing every verb shares (answers, the body checked against
 * the URL and the schema, selectors, dryRun) and the dispatch; the verbs are in
 * http_verb_*.c (http_verb.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller/http_admission.h"
#include "controller/http_body.h"
#include "controller/http_verb.h"

int verb_fail(struct call *k, int code, const char *reason, const char *fmt, ...)
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

int verb_forbidden(struct call *k, const char *verb)
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

cJSON *verb_read(struct call *k, const char *name, struct ctl_status *err)
{
	cJSON *cur = ctl_obj_get(k->api->st, k->t->res, k->t->ns, name);

	if (!cur && errno != ENOENT)
		ctl_obj_get_failed(err, k->t->res, name);
	else if (!cur || !ctl_auth_can_read(k->id, k->t->res, cur))
		hidden_status(k, name, err);
	else
		return cur;
	cJSON_Delete(cur);
	return NULL;
}

char *verb_query(struct call *k, const char *key)
{
	return ctl_http_query(k->req, key);
}

/* Sends an object-layer failure. */
int verb_failed(struct call *k, struct ctl_status *err, const char *name)
{
	return ctl_api_respond_status(k->c, err, k->t->res, name) ? -EIO : ANSWERED;
}

/* The request body as a tree (an object unless patch), or NULL with the answer sent. */
cJSON *verb_decode(struct call *k, bool patch, int *ret)
{
	struct ctl_status err = { 0 };
	cJSON *obj = ctl_body_decode(k->req, patch, &err);

	if (!obj)
		*ret = verb_failed(k, &err, k->t->name);
	return obj;
}

/* Checks apiVersion, kind, namespace and name of a body against the URL. */
int verb_check_identity(struct call *k, cJSON *obj)
{
	const struct ctl_target *t = k->t;
	const char *av = ks_get_str(obj, "apiVersion"), *kind = ks_get_str(obj, "kind");
	const char *ns = ks_namespace(obj);
	struct ctl_status err = { 0 };
	char want[128];

	ks_resource_api_version(t->res, want, sizeof(want));
	if (!av || !kind)
		return verb_fail(k, 400, "BadRequest", "Object '%s' is missing in the request body",
				 !kind ? "Kind" : "apiVersion");
	if (strcmp(av, want) || strcmp(kind, t->res->kind))
		return verb_fail(k, 400, "BadRequest",
				 "the API version in the data (%s) and kind (%s) do not match the URL (%s, %s)",
				 av, kind, want, t->res->kind);
	if (t->res->namespaced && ns && *ns && strcmp(ns, t->ns))
		return verb_fail(k, 400, "BadRequest",
				 "the namespace of the provided object does not match the namespace sent on the request");
	if (t->name && ks_name(obj) && strcmp(ks_name(obj), t->name))
		return verb_fail(k, 400, "BadRequest",
				 "the name of the object (%s) does not match the name on the URL (%s)",
				 ks_name(obj), t->name);
	if (t->name)
		ks_set_str(ks_ensure(obj, "metadata"), "name", t->name);
	if (!t->sub && ctl_body_check_meta(t->res, obj, &err))
		return verb_failed(k, &err, t->name ? t->name : ks_name(obj));
	return 0;
}

/* ctl_admit() of the request's body or patched object; 0 or the answer already sent. */
int verb_admit(struct call *k, cJSON *obj, char *warning, size_t len)
{
	char *mode = verb_query(k, "fieldValidation");
	struct ctl_status err = { 0 };
	int ret = 0;

	if (ctl_admit(k->t->res, mode, obj, &err, warning, len))
		ret = verb_failed(k, &err, ks_name(obj));
	free(mode);
	return ret;
}

int verb_respond(struct call *k, int code, cJSON *obj, const char *extra)
{
	return ctl_api_respond_json(k->c, code, obj, extra);
}

cJSON *verb_list_of(const struct ks_resource *res, cJSON *items, const char *rv)
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

int verb_parse_selector(struct call *k, struct ctl_selector **sel)
{
	char *labels = verb_query(k, "labelSelector"), *fields = verb_query(k, "fieldSelector");
	char err[256];
	int ret = 0;

	if (ctl_selector_parse(labels, fields, sel, err, sizeof(err)))
		ret = verb_fail(k, 400, "BadRequest", "%s", err);
	free(labels);
	free(fields);
	return ret;
}

/* A boolean query parameter, read as the API server does (Go's strconv.ParseBool):
 * python3-kubernetes sends watch=True. */
bool verb_truthy(const char *v)
{
	static const char *const yes[] = { "1", "t", "T", "true", "TRUE", "True", NULL };

	for (const char *const *y = yes; v && *y; y++)
		if (!strcmp(v, *y))
			return true;
	return false;
}

/* dryRun=All (kubectl --dry-run=server, kubectl diff): all but the write. */
static int parse_dry_run(struct call *k)
{
	char *dry = verb_query(k, "dryRun");
	int ret = 0;

	if (dry && strcmp(dry, "All"))
		ret = verb_fail(k, 400, "BadRequest",
				"dryRun: Unsupported value: \"%s\": supported values: \"All\"", dry);
	k->dry_run = dry ? CTL_DRY_RUN : 0;
	free(dry);
	return ret;
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
	struct call k = { api, c, req, id, t, verb_of(req, t, verb_truthy(watch)), 0 };
	char why[1024];
	int ret;

	free(watch);
	if (!k.verb)
		ret = verb_fail(&k, 405, "MethodNotAllowed",
				"the server does not allow this method on the requested resource");
	else if (!ctl_auth_allow(id, k.verb, t->res, t->ns, t->sub, why, sizeof(why)))
		ret = verb_fail(&k, 403, "Forbidden", "%s", why);
	else if (strcmp(req->method, "GET") && (ret = parse_dry_run(&k)))
		;
	else if (!strcmp(k.verb, "get"))
		ret = verb_get(&k);
	else if (!strcmp(k.verb, "list"))
		ret = verb_list(&k);
	else if (!strcmp(k.verb, "watch"))
		ret = verb_watch(&k);
	else if (!strcmp(k.verb, "create"))
		ret = verb_create(&k);
	else if (!strcmp(k.verb, "update"))
		ret = verb_update(&k);
	else if (!strcmp(k.verb, "patch"))
		ret = verb_patch(&k);
	else if (!strcmp(k.verb, "delete"))
		ret = verb_delete(&k);
	else
		ret = verb_delete_collection(&k);
	return ret == ANSWERED ? 0 : ret;
}
