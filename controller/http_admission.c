// SPDX-License-Identifier: GPL-2.0
/*
 * ctl_admit: the schema's part of a write. Values of the wrong type are 400 in every
 * mode; fieldValidation Strict rejects unknown fields, Warn (the default) and Ignore drop
 * them (Warn names them in a Warning header). Then defaults, mutations and constraints,
 * as the API server applies a CRD's structural schema.
 */
#include <stdio.h>
#include <string.h>

#include "api/json.h"
#include "controller/http_admission.h"
#include "controller/openapi.h"
#include "controller/validate.h"

/* Appends one Warning header line; a line that does not fit is left out whole. */
static void warn(char *buf, size_t len, const char *fmt, const char *arg)
{
	size_t at = strlen(buf);
	int n = snprintf(buf + at, len - at, fmt, arg);

	if (n < 0 || (size_t)n >= len - at)
		buf[at] = '\0';
}

int ctl_admit_fields(const struct ks_resource *res, const char *mode, cJSON *obj,
		     struct ctl_status *err, char *warning, size_t len)
{
	cJSON *unknown = cJSON_CreateArray(), *invalid = cJSON_CreateArray(), *p;
	int ret = -1;

	if (mode && strcmp(mode, "Strict") && strcmp(mode, "Warn") && strcmp(mode, "Ignore")) {
		ctl_status_set(err, 400, "BadRequest",
			       "fieldValidation: Unsupported value: \"%s\": supported values: \"Ignore\", \"Strict\", \"Warn\"",
			       mode);
		goto out;
	}
	ctl_openapi_check(res, obj, unknown, invalid);
	if (cJSON_GetArraySize(invalid)) {
		ctl_status_set(err, 400, "BadRequest", "%s in version \"%s\" cannot be handled as a %s: %s",
			       res->kind, res->version, res->kind,
			       cJSON_GetArrayItem(invalid, 0)->valuestring);
		goto out;
	}
	if (cJSON_GetArraySize(unknown) && mode && !strcmp(mode, "Strict")) {
		char fields[400] = "";

		cJSON_ArrayForEach(p, unknown)
			snprintf(fields + strlen(fields), sizeof(fields) - strlen(fields),
				 "%sunknown field \"%s\"", *fields ? ", " : "", p->valuestring);
		ctl_status_set(err, 400, "BadRequest",
			       "%s in version \"%s\" cannot be handled as a %s: strict decoding error: %s",
			       res->kind, res->version, res->kind, fields);
		goto out;
	}
	if (!mode || strcmp(mode, "Ignore"))
		cJSON_ArrayForEach(p, unknown)
			warn(warning, len, "Warning: 299 - \"unknown field \\\"%s\\\"\"\r\n",
			     p->valuestring);
	/* Warn and Ignore drop them, as the API server prunes a custom resource */
	if (cJSON_GetArraySize(unknown))
		ctl_openapi_prune(res, obj);
	ret = 0;
out:
	cJSON_Delete(unknown);
	cJSON_Delete(invalid);
	return ret;
}

/* 422 Invalid with causes (taken), worded as the API server lists several. */
static int invalid(const struct ks_resource *res, const char *name, cJSON *causes,
		   struct ctl_status *err)
{
	size_t at;
	const cJSON *c;

	ctl_status_set(err, 422, "Invalid", "%s.%s \"%s\" is invalid: %s", res->kind,
		       *res->group ? res->group : "core", name ?: "",
		       cJSON_GetArraySize(causes) > 1 ? "[" : "");
	at = strlen(err->message);
	cJSON_ArrayForEach(c, causes)
		if (at < sizeof(err->message))
			at += (size_t)snprintf(err->message + at, sizeof(err->message) - at,
					       "%s%s: %s", c == causes->child ? "" : ", ",
					       ks_get_str0(c, "field"), ks_get_str0(c, "message"));
	if (cJSON_GetArraySize(causes) > 1 && at < sizeof(err->message) - 1)
		snprintf(err->message + at, sizeof(err->message) - at, "]");
	err->causes = causes;
	return -1;
}

int ctl_admit(const struct ks_resource *res, const char *mode, cJSON *obj,
	      struct ctl_status *err, char *warning, size_t len)
{
	cJSON *causes, *warnings, *w;

	*warning = '\0';
	if (ctl_admit_fields(res, mode, obj, err, warning, len))
		return -1;
	ctl_openapi_default(res, obj);
	ctl_admission_mutate(res->plural, obj);
	causes = cJSON_CreateArray();
	ctl_openapi_constraints(res, obj, causes);
	if (cJSON_GetArraySize(causes))
		return invalid(res, ks_name(obj), causes, err);
	cJSON_Delete(causes);
	warnings = cJSON_CreateArray();
	ctl_validate_warnings(res->plural, obj, warnings);
	cJSON_ArrayForEach(w, warnings)
		warn(warning, len, "Warning: 299 - \"%s\"\r\n", w->valuestring);
	cJSON_Delete(warnings);
	return 0;
}
