// SPDX-License-Identifier: GPL-2.0
/* get and list: one object or a collection, as JSON or as a Table (kubectl get). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "controller/http_table.h"
#include "controller/http_verb.h"

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
			doc = verb_list_of(k->t->res, items, rv);
		}
		return verb_respond(k, 200, doc, NULL);
	}
	include = verb_query(k, "includeObject");
	doc = ctl_table_build(k->t->res, version, items, rv, include, time(NULL));
	if (!doc) {
		int ret = verb_fail(k, 400, "BadRequest", "unrecognized includeObject value: \"%s\"",
				    include);

		free(include);
		return ret;
	}
	free(include);
	return verb_respond(k, 200, doc, NULL);
}

int verb_get(struct call *k)
{
	struct ctl_status err = { 0 };
	cJSON *obj = verb_read(k, k->t->name, &err), *items;
	char rv[24];

	if (!obj)
		return verb_failed(k, &err, k->t->name);
	snprintf(rv, sizeof(rv), "%s", ks_get_str0(obj, "metadata.resourceVersion"));
	items = cJSON_CreateArray();
	cJSON_AddItemToArray(items, obj);
	return respond_read(k, items, rv, true);
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

int verb_list(struct call *k)
{
	struct ctl_selector *sel;
	char rvs[24];
	uint64_t rv;
	cJSON *items;
	int ret = verb_parse_selector(k, &sel);

	if (ret)
		return ret;
	items = ctl_obj_list(k->api->st, k->t->res, k->t->ns, sel, &rv);
	ctl_selector_free(sel);
	filter_readable(k, items);
	snprintf(rvs, sizeof(rvs), "%llu", (unsigned long long)rv);
	return respond_read(k, items, rvs, false);
}
