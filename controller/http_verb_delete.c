// SPDX-License-Identifier: GPL-2.0
/* delete and deletecollection: DeleteOptions, the checks before a delete, dry runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller/http_verb.h"
#include "controller/validate.h"

/* DeleteOptions from the body and query: preconditions and propagation. */
static int delete_options(struct call *k, char **uid, char **rv, bool *orphan)
{
	char *policy = verb_query(k, "propagationPolicy"), *orph = verb_query(k, "orphanDependents");
	cJSON *opts = NULL;
	int ret = 0;

	*uid = *rv = NULL;
	*orphan = false;
	if (k->req->body_len) {
		opts = verb_decode(k, true, &ret);
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
	*orphan = (policy && !strcmp(policy, "Orphan")) || verb_truthy(orph);
	cJSON_Delete(opts);
	free(policy);
	free(orph);
	return 0;
}

static int delete_one(struct call *k, const char *name, const char *uid, const char *rv,
		      bool orphan, cJSON **out, struct ctl_status *err)
{
	cJSON *cur = verb_read(k, name, err), *causes;
	const cJSON *first;

	if (!cur)
		return -1;
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

int verb_delete(struct call *k)
{
	struct ctl_status err = { 0 };
	char *uid, *rv;
	bool orphan;
	cJSON *out = NULL;
	int ret = delete_options(k, &uid, &rv, &orphan);

	if (ret)
		return ret;
	if (delete_one(k, k->t->name, uid, rv, orphan, &out, &err))
		ret = verb_failed(k, &err, k->t->name);
	else
		ret = verb_respond(k, 200, out, NULL);
	free(uid);
	free(rv);
	return ret;
}

int verb_delete_collection(struct call *k)
{
	struct ctl_selector *sel;
	struct ctl_status err = { 0 };
	cJSON *items, *obj, *deleted = cJSON_CreateArray();
	char rvs[24];
	uint64_t rv;
	int ret = verb_parse_selector(k, &sel);

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
			return verb_failed(k, &err, ks_name(obj));
		}
	}
	cJSON_Delete(items);
	snprintf(rvs, sizeof(rvs), "%llu", (unsigned long long)rv);
	return verb_respond(k, 200, verb_list_of(k->t->res, deleted, rvs), NULL);
}
