// SPDX-License-Identifier: GPL-2.0
/*
 * patch: JSON patch, merge and strategic merge patches of the stored object, and
 * server-side apply (application/apply-patch+yaml, merged by fieldmanager.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "controller/http_body.h"
#include "controller/http_admission.h"
#include "controller/http_patch.h"
#include "controller/http_verb.h"

/*
 * Attempts of a patch without precondition that loses a race with another writer. The API
 * server's update loop retries such a race until it wins (every lost race is another write
 * that went through), so a client never sees 409 for a patch that named no resourceVersion;
 * the bound only stops a loop that something other than a writer keeps losing.
 */
#define PATCH_RETRIES 1000

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
			*ret = e == -E2BIG ? verb_fail(k, 413, "RequestEntityTooLarge", "%s", err) :
			       verb_fail(k, 422, "Invalid", "%s", err);
			return NULL;
		}
	} else {
		if (!cJSON_IsObject(patch)) {
			cJSON_Delete(doc);
			*ret = verb_fail(k, 400, "BadRequest", "a merge patch must be a JSON object");
			return NULL;
		}
		doc = ctl_patch_merge(doc, patch, type == PATCH_STRATEGIC);
	}
	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		*ret = verb_fail(k, 422, "Invalid", "the patch does not leave an object");
		return NULL;
	}
	if (ctl_body_check_result(doc, &status)) {
		cJSON_Delete(doc);
		*ret = verb_failed(k, &status, k->t->name);
		return NULL;
	}
	return doc;
}

/* The force parameter (server-side apply's --force-conflicts): 0, or the answer sent. */
static int forced(struct call *k, bool *force)
{
	char *v = verb_query(k, "force");
	int ret = 0;

	*force = v && verb_truthy(v);
	if (v && !*force && strcmp(v, "false") && strcmp(v, "0") && strcmp(v, "False") &&
	    strcmp(v, "f") && strcmp(v, "F") && strcmp(v, "FALSE"))
		ret = verb_fail(k, 400, "BadRequest", "force: invalid boolean value: \"%s\"", v);
	free(v);
	return ret;
}

/* An apply configuration (YAML, or JSON, which is YAML), checked like any object's body. */
static cJSON *decode_apply(struct call *k, char *warning, size_t len, int *ret)
{
	cJSON *config = verb_decode(k, false, ret);
	struct ctl_status err = { 0 };
	char *mode;

	if (!config)
		return NULL;
	mode = verb_query(k, "fieldValidation");
	if (!(*ret = verb_check_identity(k, config)) &&
	    ctl_admit_fields(k->t->res, mode, config, &err, warning, len))
		*ret = verb_failed(k, &err, k->t->name);
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
		return verb_forbidden(k, "create");
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
	char name[CTL_MANAGER_MAX + 1], warning[2048] = "", *given = verb_query(k, "fieldManager");
	struct ctl_status err = { 0 };
	struct ctl_manager m;
	cJSON *config, *cur = NULL, *obj = NULL, *out = NULL;
	bool force, has_rv;
	int ret, attempt;

	ret = given && *given ? 0 : verb_fail(k, 422, "Invalid",
					      "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
	free(given);
	if (ret || (ret = verb_manager_of(k, name, &m)) || (ret = forced(k, &force)))
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
		if (!cur && errno != ENOENT) {
			/* Not absent: the store failed, and an apply must not become a create. */
			ctl_obj_get_failed(&err, k->t->res, k->t->name);
			break;
		}
		obj = ctl_fields_apply(&m, cur, config, force, &err);
		if (!obj)
			break;
		if ((ret = verb_admit(k, obj, warning + at, sizeof(warning) - at)))
			goto out;
		ret = cur ? verb_store_update(k, obj, cur, true, &err, &out) :
		      create_applied(k, obj, &err, &out);
		if (ret > 0)
			goto out;
		if (!ret) {
			ret = verb_respond(k, cur ? 200 : 201, out, *warning ? warning : NULL);
			goto out;
		}
		/* Lost a race with another write (a create, or a change since the read). */
		if (err.code != 409 || has_rv)
			break;
		warning[at] = '\0';
	}
	ret = verb_failed(k, &err, k->t->name);
out:
	cJSON_Delete(config);
	cJSON_Delete(cur);
	cJSON_Delete(obj);
	return ret;
}

int verb_patch(struct call *k)
{
	enum patch_type type = patch_type(k->req->content_type);
	struct ctl_status err = { 0 };
	cJSON *patch, *cur = NULL, *obj = NULL, *out = NULL;
	char warning[1024] = "";
	int ret = 0, attempt;
	bool force;

	if (type == PATCH_UNKNOWN)
		return verb_fail(k, 415, "UnsupportedMediaType",
				 "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json");
	if (type == PATCH_APPLY)
		return do_apply(k);
	ret = forced(k, &force);
	if (ret || force)
		return ret ? ret : verb_fail(k, 422, "Invalid",
					     "PatchOptions.meta.k8s.io \"\" is invalid: force: Forbidden: may not be specified for non-apply patch");
	patch = verb_decode(k, true, &ret);
	if (!patch)
		return ret;
	for (attempt = 0; attempt < PATCH_RETRIES; attempt++) {
		bool has_rv;

		cJSON_Delete(cur);
		cJSON_Delete(obj);
		obj = NULL;
		cur = verb_read(k, k->t->name, &err);
		if (!cur) {
			ret = verb_failed(k, &err, k->t->name);
			goto out;
		}
		/* Authorized against what is stored before the patch is evaluated: a failing
		 * "test" must not tell a caller a value it may not write. */
		if (!k->t->sub && !ctl_auth_can_write(k->id, k->t->res, cur)) {
			ret = verb_forbidden(k, "patch");
			goto out;
		}
		obj = patched(k, cur, patch, type, &ret);
		if (!obj)
			goto out;
		if ((ret = verb_check_identity(k, obj)) ||
		    (ret = verb_admit(k, obj, warning, sizeof(warning))))
			goto out;
		has_rv = strcmp(ks_get_str0(obj, "metadata.resourceVersion"),
				ks_get_str0(cur, "metadata.resourceVersion"));
		ret = verb_store_update(k, obj, cur, false, &err, &out);
		if (ret >= 0) {
			if (!ret)
				ret = verb_respond(k, 200, out, *warning ? warning : NULL);
			goto out;
		}
		/* A conflict the patch did not ask for (no resourceVersion in it) is retried. */
		if (err.code != 409 || has_rv || !strcmp(err.reason, "AlreadyExists"))
			break;
		cJSON_Delete(err.causes);
		err.causes = NULL;
	}
	ret = verb_failed(k, &err, k->t->name);
out:
	cJSON_Delete(patch);
	cJSON_Delete(cur);
	cJSON_Delete(obj);
	return ret;
}
