// SPDX-License-Identifier: GPL-2.0
/* watch: a stream of a collection's changes from a resourceVersion (watch.c serves it). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller/http_table.h"
#include "controller/http_verb.h"
#include "controller/watch.h"

/* Default length of a watch, as the API server's --min-request-timeout. */
#define WATCH_TIMEOUT 1800

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
	return verb_failed(k, &err, NULL);
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
	return verb_failed(k, &err, NULL);
}

int verb_watch(struct call *k)
{
	char *rv = verb_query(k, "resourceVersion"), *bm = verb_query(k, "allowWatchBookmarks");
	char *timeout = verb_query(k, "timeoutSeconds"), *include = verb_query(k, "includeObject");
	char *end = NULL;
	struct ctl_watch w = {
		.res = k->t->res,
		.ns = k->t->ns,
		.id = k->id,
		.bookmarks = verb_truthy(bm),
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
			ret = verb_fail(k, 400, "BadRequest", "invalid timeoutSeconds: %s", timeout);
			goto out;
		}
		if (s && s < WATCH_TIMEOUT)
			w.timeout = (unsigned int)s;
	}
	if (w.table && !ctl_table_include_valid(include)) {
		ret = verb_fail(k, 400, "BadRequest", "unrecognized includeObject value: \"%s\"", include);
		goto out;
	}
	ret = verb_parse_selector(k, &sel);
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
