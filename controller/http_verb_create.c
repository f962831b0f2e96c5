// SPDX-License-Identifier: GPL-2.0
/*
 * create and update: a whole object from the body, and the write every update, patch
 * and apply ends in (authorization of the change, managed fields).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "controller/http_verb.h"

/*
 * Who writes, for the managed fields: the fieldManager parameter, else the product of the
 * User-Agent ("kubectl" of "kubectl/v1.32.4 (linux/amd64)"), as the API server names it.
 * 0, or the answer sent (422 for a name too long or not printable).
 */
int verb_manager_of(struct call *k, char name[CTL_MANAGER_MAX + 1], struct ctl_manager *m)
{
	char *given = verb_query(k, "fieldManager");
	const char *ua = k->req->user_agent;
	int ret = 0;

	if (given && (strlen(given) > CTL_MANAGER_MAX || strpbrk(given, "\t\r\n\x7f")))
		ret = verb_fail(k, 422, "Invalid",
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
	int ret = verb_manager_of(k, name, &m);

	if (ret)
		return ret;
	if (ctl_fields_update(&m, cur, obj)) {
		ctl_status_set(err, 500, "InternalError", "out of memory");
		return verb_failed(k, err, ks_name(obj));
	}
	return 0;
}

/* The body of a create or update, checked against the URL and the schema. */
static cJSON *decode_object(struct call *k, char *warning, size_t len, int *ret)
{
	cJSON *obj = verb_decode(k, false, ret);

	if (obj && ((*ret = verb_check_identity(k, obj)) || (*ret = verb_admit(k, obj, warning, len)))) {
		cJSON_Delete(obj);
		return NULL;
	}
	return obj;
}

int verb_create(struct call *k)
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
		ret = verb_forbidden(k, "create");
		goto out;
	}
	if ((ret = record_fields(k, NULL, obj, &err)))
		goto out;
	if (ctl_obj_create(k->api->st, k->t->res, k->t->ns, obj, CTL_VALIDATE | k->dry_run, &err,
			   &out))
		ret = verb_failed(k, &err, ks_name(obj));
	else
		ret = verb_respond(k, 201, out, *warning ? warning : NULL);
out:
	cJSON_Delete(obj);
	return ret;
}

/*
 * Writes obj over the object the target names: the end of update and patch. obj's managed
 * fields are recorded for its manager, unless applied (an apply has set them). Returns 0,
 * -1 with err filled, or ANSWERED.
 */
int verb_store_update(struct call *k, cJSON *obj, const cJSON *cur, bool applied,
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

int verb_update(struct call *k)
{
	struct ctl_status err = { 0 };
	char warning[1024];
	cJSON *obj, *cur = NULL, *out = NULL;
	int ret = 0;

	obj = decode_object(k, warning, sizeof(warning), &ret);
	if (!obj)
		return ret;
	cur = verb_read(k, k->t->name, &err);
	if (!cur) {
		ret = verb_failed(k, &err, k->t->name);
		goto out;
	}
	ret = verb_store_update(k, obj, cur, false, &err, &out);
	if (ret < 0)
		ret = verb_failed(k, &err, k->t->name);
	else if (!ret)
		ret = verb_respond(k, 200, out, *warning ? warning : NULL);
out:
	cJSON_Delete(cur);
	cJSON_Delete(obj);
	return ret;
}
