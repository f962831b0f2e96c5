// SPDX-License-Identifier: GPL-2.0
/*
 * Request bodies into trees, with the API server's bounds: one JSON value and nothing
 * after it, no deeper than KS_JSON_MAX_DEPTH, repeated keys decided as Go's decoder does
 * (the last one counts), invalid UTF-8 replaced by U+FFFD, and no NUL hidden in a string.
 * Every step is linear (or n log n) in the body, so a hostile body costs what its size
 * does, and nothing later walks a tree deep enough to exhaust a thread's stack.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "api/json.h"
#include "controller/http_body.h"
#include "controller/http_protobuf.h"
#include "controller/http_yaml.h"

/* The API server's limit on the annotations of one object (TotalAnnotationSizeLimitB). */
#define ANNOTATIONS_MAX (256 * 1024)

/*
 * Looks at the JSON text before cJSON does: cJSON's parser recurses once per level (up
 * to 1000) and turns "\u0000" into a NUL that silently ends the string. Returns NULL or
 * what is wrong.
 */
static const char *json_text_check(const char *s, size_t len)
{
	bool in_string = false;
	int depth = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (in_string) {
			if (s[i] == '"')
				in_string = false;
			else if (s[i] == '\\' && i + 1 < len && s[++i] == 'u' &&
				 len - i > 4 && !memcmp(s + i + 1, "0000", 4))
				return "\\u0000 is not allowed in a string";
		} else if (s[i] == '"') {
			in_string = true;
		} else if (s[i] == '{' || s[i] == '[') {
			if (++depth > KS_JSON_MAX_DEPTH)
				return "the object is nested too deeply";
		} else if (s[i] == '}' || s[i] == ']') {
			depth--;
		}
	}
	return NULL;
}

static cJSON *parse_json(const char *body, size_t len, struct ctl_status *err)
{
	const char *why = json_text_check(body, len), *end = NULL;
	cJSON *obj;

	if (why) {
		ctl_status_set(err, 400, "BadRequest", "error decoding JSON request body: %s", why);
		return NULL;
	}
	obj = cJSON_ParseWithLengthOpts(body, len, &end, false);
	if (!obj) {
		ctl_status_set(err, 400, "BadRequest",
			       "error decoding JSON request body: invalid character at offset %ld",
			       end ? (long)(end - body) : 0L);
		return NULL;
	}
	while (end < body + len && isspace((unsigned char)*end))
		end++;
	if (end < body + len) {
		ctl_status_set(err, 400, "BadRequest",
			       "error decoding JSON request body: invalid character '%c' after top-level value at offset %ld",
			       isprint((unsigned char)*end) ? *end : '?', (long)(end - body));
		cJSON_Delete(obj);
		return NULL;
	}
	return obj;
}

cJSON *ctl_body_decode(const struct ctl_http_req *req, bool patch, struct ctl_status *err)
{
	const char *ct = req->content_type;
	char why[256];
	cJSON *obj;

	if (!strcmp(ct, CTL_PROTOBUF_TYPE)) {
		obj = ctl_protobuf_decode((const unsigned char *)req->body, req->body_len, why,
					  sizeof(why));
		if (!obj)
			ctl_status_set(err, 400, "BadRequest", "error decoding request body: %s",
				       why);
	} else if ((!strcmp(ct, "application/yaml") && !patch) ||
		   !strcmp(ct, "application/apply-patch+yaml")) {
		obj = ctl_yaml_parse(req->body, req->body_len, why, sizeof(why));
		if (!obj)
			ctl_status_set(err, 400, "BadRequest",
				       "error decoding YAML request body: %s", why);
	} else if (patch || !*ct || !strcmp(ct, "application/json")) {
		obj = parse_json(req->body, req->body_len, err);
	} else {
		ctl_status_set(err, 415, "UnsupportedMediaType",
			       "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf");
		return NULL;
	}
	if (!obj)
		return NULL;
	if (ks_json_dedupe(obj)) {
		cJSON_Delete(obj);
		ctl_status_set(err, 500, "InternalError", "out of memory");
		return NULL;
	}
	ks_json_repair_utf8(obj);
	if (!patch && !cJSON_IsObject(obj)) {
		cJSON_Delete(obj);
		ctl_status_set(err, 400, "BadRequest", "the request body must be a JSON object");
		return NULL;
	}
	return obj;
}

/* The API server's label syntax: [prefix/]name, the name part 63 bytes of
 * ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]; a value is empty or such a name. */
static bool label_name_ok(const char *s, size_t len)
{
	size_t i;

	if (!len || len > 63 || !isalnum((unsigned char)s[0]) ||
	    !isalnum((unsigned char)s[len - 1]))
		return false;
	for (i = 1; i + 1 < len; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("-_.", s[i]))
			return false;
	return true;
}

static bool label_key_ok(const char *key)
{
	const char *slash = strchr(key, '/');
	char prefix[KS_NAME_MAX + 1];
	size_t plen;

	if (!slash)
		return label_name_ok(key, strlen(key));
	plen = slash - key;
	if (!plen || plen > KS_NAME_MAX)
		return false;
	memcpy(prefix, key, plen);
	prefix[plen] = '\0';
	return ks_dns1123_subdomain(prefix) && label_name_ok(slash + 1, strlen(slash + 1));
}

/* Adds a FieldValueInvalid cause; the first one also becomes the message. */
static void add_cause(struct ctl_status *err, const struct ks_resource *res, const cJSON *obj,
		      const char *field, const char *fmt, const char *value)
{
	char msg[400];
	cJSON *c;

	snprintf(msg, sizeof(msg), fmt, value);
	if (!err->causes) {
		err->causes = cJSON_CreateArray();
		ctl_status_set(err, 422, "Invalid", "%s \"%s\" is invalid: %s: %s", res->kind,
			       ks_name(obj) ? ks_name(obj) : "", field, msg);
	}
	c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "reason", "FieldValueInvalid");
	cJSON_AddStringToObject(c, "message", msg);
	cJSON_AddStringToObject(c, "field", field);
	cJSON_AddItemToArray(err->causes, c);
}

int ctl_body_check_meta(const struct ks_resource *res, const cJSON *obj,
			struct ctl_status *err)
{
	const cJSON *item;
	size_t total = 0;
	int bad = 0;

	cJSON_ArrayForEach(item, ks_get(obj, "metadata.labels")) {
		if (bad == 10)
			break;
		if (!label_key_ok(item->string)) {
			add_cause(err, res, obj, "metadata.labels",
				  "Invalid value: \"%.200s\": a label key must be a name of at most 63 alphanumeric characters, '-', '_' or '.', beginning and ending with an alphanumeric character, with an optional DNS subdomain prefix and '/'",
				  item->string);
			bad++;
		} else if (!cJSON_IsString(item) ||
			   (*item->valuestring &&
			    !label_name_ok(item->valuestring, strlen(item->valuestring)))) {
			add_cause(err, res, obj, "metadata.labels",
				  "Invalid value: \"%.200s\": a label value must be empty or at most 63 alphanumeric characters, '-', '_' or '.', beginning and ending with an alphanumeric character",
				  cJSON_IsString(item) ? item->valuestring : "");
			bad++;
		}
	}
	cJSON_ArrayForEach(item, ks_get(obj, "metadata.annotations"))
		total += strlen(item->string) + (cJSON_IsString(item) ?
						 strlen(item->valuestring) : 0);
	if (total > ANNOTATIONS_MAX)
		add_cause(err, res, obj, "metadata.annotations",
			  "Too long: must have at most 262144 bytes%s", "");
	return err->causes ? -1 : 0;
}

int ctl_body_check_result(const cJSON *obj, struct ctl_status *err)
{
	size_t size;

	if (ks_json_depth(obj, KS_JSON_MAX_DEPTH) > KS_JSON_MAX_DEPTH) {
		ctl_status_set(err, 422, "Invalid",
			       "the patch leaves an object nested more than %d levels deep",
			       KS_JSON_MAX_DEPTH);
		return -1;
	}
	size = ks_json_size(obj);
	if (size > CTL_HTTP_MAX_BODY) {
		ctl_status_set(err, 413, "RequestEntityTooLarge",
			       "the patched object is about %zu bytes, more than the limit of %d",
			       size, CTL_HTTP_MAX_BODY);
		return -1;
	}
	return 0;
}
