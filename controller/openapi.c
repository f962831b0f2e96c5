// SPDX-License-Identifier: GPL-2.0
/*
 * The documents are built once at start from openapi.yaml (compiled in) and served as
 * text. kubectl reads /openapi/v3: `explain` finds a kind's schema by its
 * x-kubernetes-group-version-kind, and `apply`/`create`/`edit` leave field validation to
 * the server once a PATCH operation of the kind lists the fieldValidation parameter.
 * /openapi/v2 is the same in Swagger 2.0 form, for older clients.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/base64.h"
#include "api/json.h"
#include "api/log.h"
#include "controller/http_yaml.h"
#include "controller/openapi.h"

/* From openapi.yaml by xxd -i (Makefile). */
extern unsigned char openapi_yaml[];
extern unsigned int openapi_yaml_len;

#define MAX_DOCS 8
#define V2_REF "#/definitions/"
#define V3_REF "#/components/schemas/"

struct doc {
	char path[128];
	char *text;
};

static cJSON *source;		/* openapi.yaml: kinds and definitions */
static struct doc docs[MAX_DOCS];
static int n_docs;

/* The published name of a schema ("io.kubeslice.controller.v1alpha1.SliceConfig"). */
static void full_name(const char *name, char *buf, size_t len)
{
	const struct ks_resource *res;

	for (res = ks_resources; res->kind; res++)
		if (!strcmp(res->kind, name)) {
			if (!*res->group)
				snprintf(buf, len, "io.k8s.api.core.%s.%s", res->version, name);
			else
				snprintf(buf, len, "io.kubeslice.%.*s.%s.%s",
					 (int)strcspn(res->group, "."), res->group, res->version,
					 name);
			return;
		}
	if (!strcmp(name, "ObjectMeta") || !strcmp(name, "OwnerReference"))
		snprintf(buf, len, "io.k8s.apimachinery.pkg.apis.meta.v1.%s", name);
	else if (!strcmp(name, "ObjectReference"))
		snprintf(buf, len, "io.k8s.api.core.v1.%s", name);
	else
		snprintf(buf, len, "io.kubeslice.common.v1alpha1.%s", name);
}

/* Rewrites "$ref: Name" into a JSON reference under prefix, in place. */
static void rewrite_refs(cJSON *node, const char *prefix)
{
	cJSON *child;

	if (node->string && !strcmp(node->string, "$ref") && cJSON_IsString(node)) {
		char name[256], ref[320];

		full_name(node->valuestring, name, sizeof(name));
		snprintf(ref, sizeof(ref), "%s%s", prefix, name);
		cJSON_SetValuestring(node, ref);
		return;
	}
	cJSON_ArrayForEach(child, node)
		rewrite_refs(child, prefix);
}

static cJSON *gvk(const struct ks_resource *res)
{
	cJSON *g = cJSON_CreateObject();

	cJSON_AddStringToObject(g, "group", res->group);
	cJSON_AddStringToObject(g, "kind", res->kind);
	cJSON_AddStringToObject(g, "version", res->version);
	return g;
}

/* A kind's full schema: its fields plus apiVersion, kind and metadata. */
static cJSON *kind_schema(const struct ks_resource *res, const char *prefix)
{
	cJSON *s = cJSON_Duplicate(ks_get(ks_get(source, "kinds"), res->kind), true);
	cJSON *props, *meta;

	if (!s)
		s = cJSON_CreateObject();
	ks_set_str(s, "type", "object");
	props = ks_ensure(s, "properties");
	ks_set(props, "apiVersion", cJSON_CreateObject());
	ks_set_str(cJSON_GetObjectItem(props, "apiVersion"), "type", "string");
	ks_set(props, "kind", cJSON_CreateObject());
	ks_set_str(cJSON_GetObjectItem(props, "kind"), "type", "string");
	meta = cJSON_CreateObject();
	ks_set_str(meta, "$ref", "ObjectMeta");
	ks_set(props, "metadata", meta);
	ks_set(s, "x-kubernetes-group-version-kind", cJSON_CreateArray());
	cJSON_AddItemToArray(cJSON_GetObjectItem(s, "x-kubernetes-group-version-kind"), gvk(res));
	rewrite_refs(s, prefix);
	return s;
}

static void add_definitions(cJSON *to, const char *prefix)
{
	cJSON *def;

	cJSON_ArrayForEach(def, ks_get(source, "definitions")) {
		char name[256];
		cJSON *copy = cJSON_Duplicate(def, true);

		full_name(def->string, name, sizeof(name));
		rewrite_refs(copy, prefix);
		cJSON_AddItemToObject(to, name, copy);
	}
}

static cJSON *ref_to(const struct ks_resource *res, const char *prefix)
{
	cJSON *r = cJSON_CreateObject();
	char name[256], ref[320];

	full_name(res->kind, name, sizeof(name));
	snprintf(ref, sizeof(ref), "%s%s", prefix, name);
	cJSON_AddStringToObject(r, "$ref", ref);
	return r;
}

static cJSON *param(const char *name, const char *in, bool v3)
{
	cJSON *p = cJSON_CreateObject();

	cJSON_AddStringToObject(p, "name", name);
	cJSON_AddStringToObject(p, "in", in);
	if (!strcmp(in, "path"))
		cJSON_AddBoolToObject(p, "required", true);
	if (v3)
		ks_set_str(cJSON_AddObjectToObject(p, "schema"), "type", "string");
	else
		cJSON_AddStringToObject(p, "type", "string");
	return p;
}

/* One operation of a resource path. */
static cJSON *operation(const struct ks_resource *res, const char *action, bool with_body,
			bool v3)
{
	const char *prefix = v3 ? V3_REF : V2_REF;
	cJSON *op = cJSON_CreateObject(), *params, *resp;

	cJSON_AddStringToObject(op, "x-kubernetes-action", action);
	cJSON_AddItemToObject(op, "x-kubernetes-group-version-kind", gvk(res));
	params = cJSON_AddArrayToObject(op, "parameters");
	if (with_body) {
		cJSON_AddItemToArray(params, param("fieldValidation", "query", v3));
		cJSON_AddItemToArray(params, param("dryRun", "query", v3));
	}
	if (with_body && v3) {
		static const char *const put_types[] = { "application/json", "application/yaml",
							 NULL };
		static const char *const patch_types[] = { "application/json-patch+json",
							   "application/merge-patch+json", NULL };
		const char *const *types = !strcmp(action, "patch") ? patch_types : put_types;
		cJSON *content = cJSON_AddObjectToObject(cJSON_AddObjectToObject(op,
								"requestBody"), "content");

		for (; *types; types++)
			cJSON_AddItemToObject(cJSON_AddObjectToObject(content, *types), "schema",
					      !strcmp(action, "patch") ?
					      cJSON_CreateObject() : ref_to(res, prefix));
	}
	resp = cJSON_AddObjectToObject(cJSON_AddObjectToObject(op, "responses"), "200");
	cJSON_AddStringToObject(resp, "description", "OK");
	if (v3)
		cJSON_AddItemToObject(cJSON_AddObjectToObject(cJSON_AddObjectToObject(resp,
				"content"), "application/json"), "schema", ref_to(res, prefix));
	else
		cJSON_AddItemToObject(resp, "schema", ref_to(res, prefix));
	return op;
}

static void add_paths(cJSON *paths, const struct ks_resource *res, bool v3)
{
	char base[256], path[320];
	cJSON *p;

	if (*res->group)
		snprintf(base, sizeof(base), "/apis/%s/%s%s", res->group, res->version,
			 res->namespaced ? "/namespaces/{namespace}" : "");
	else
		snprintf(base, sizeof(base), "/api/%s%s", res->version,
			 res->namespaced ? "/namespaces/{namespace}" : "");

	snprintf(path, sizeof(path), "%s/%s", base, res->plural);
	p = cJSON_AddObjectToObject(paths, path);
	cJSON_AddItemToObject(p, "get", operation(res, "list", false, v3));
	cJSON_AddItemToObject(p, "post", operation(res, "post", true, v3));

	snprintf(path, sizeof(path), "%s/%s/{name}", base, res->plural);
	p = cJSON_AddObjectToObject(paths, path);
	cJSON_AddItemToObject(p, "get", operation(res, "get", false, v3));
	cJSON_AddItemToObject(p, "put", operation(res, "put", true, v3));
	cJSON_AddItemToObject(p, "patch", operation(res, "patch", true, v3));
	cJSON_AddItemToObject(p, "delete", operation(res, "delete", false, v3));
	if (!res->status)
		return;
	snprintf(path, sizeof(path), "%s/%s/{name}/status", base, res->plural);
	p = cJSON_AddObjectToObject(paths, path);
	cJSON_AddItemToObject(p, "get", operation(res, "get", false, v3));
	cJSON_AddItemToObject(p, "put", operation(res, "put", true, v3));
	cJSON_AddItemToObject(p, "patch", operation(res, "patch", true, v3));
}

static int add_doc(const char *path, cJSON *doc)
{
	if (n_docs == MAX_DOCS) {
		cJSON_Delete(doc);
		return -ENOSPC;
	}
	snprintf(docs[n_docs].path, sizeof(docs[n_docs].path), "%s", path);
	docs[n_docs].text = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	return docs[n_docs++].text ? 0 : -ENOMEM;
}

static cJSON *info(void)
{
	cJSON *i = cJSON_CreateObject();

	cJSON_AddStringToObject(i, "title", "slice-controller");
	cJSON_AddStringToObject(i, "version", "v1alpha1");
	return i;
}

static int build_v2(void)
{
	const struct ks_resource *res;
	cJSON *doc = cJSON_CreateObject(), *paths, *defs;

	cJSON_AddStringToObject(doc, "swagger", "2.0");
	cJSON_AddItemToObject(doc, "info", info());
	paths = cJSON_AddObjectToObject(doc, "paths");
	defs = cJSON_AddObjectToObject(doc, "definitions");
	for (res = ks_resources; res->kind; res++) {
		char name[256];

		full_name(res->kind, name, sizeof(name));
		add_paths(paths, res, false);
		cJSON_AddItemToObject(defs, name, kind_schema(res, V2_REF));
	}
	add_definitions(defs, V2_REF);
	return add_doc("/openapi/v2", doc);
}

/* The document of one group/version ("api/v1", "apis/<group>/<version>"). */
static int build_v3_gv(const char *group, const char *version, cJSON *index)
{
	const struct ks_resource *res;
	cJSON *doc = cJSON_CreateObject(), *paths, *schemas, *entry;
	char gv[160], path[200], url[300];
	unsigned long long hash = 0xcbf29ce484222325ULL;
	int ret;

	cJSON_AddStringToObject(doc, "openapi", "3.0.0");
	cJSON_AddItemToObject(doc, "info", info());
	paths = cJSON_AddObjectToObject(doc, "paths");
	schemas = cJSON_AddObjectToObject(cJSON_AddObjectToObject(doc, "components"), "schemas");
	for (res = ks_resources; res->kind; res++) {
		char name[256];

		if (strcmp(res->group, group) || strcmp(res->version, version))
			continue;
		full_name(res->kind, name, sizeof(name));
		add_paths(paths, res, true);
		cJSON_AddItemToObject(schemas, name, kind_schema(res, V3_REF));
	}
	add_definitions(schemas, V3_REF);
	if (*group)
		snprintf(gv, sizeof(gv), "apis/%s/%s", group, version);
	else
		snprintf(gv, sizeof(gv), "api/%s", version);
	snprintf(path, sizeof(path), "/openapi/v3/%s", gv);
	ret = add_doc(path, doc);
	if (ret)
		return ret;
	/* The hash lets clients cache the document until it changes. */
	for (const char *p = docs[n_docs - 1].text; *p; p++)
		hash = (hash ^ (unsigned char)*p) * 0x100000001b3ULL;
	snprintf(url, sizeof(url), "%s?hash=%016llX", path, hash);
	entry = cJSON_AddObjectToObject(index, gv);
	cJSON_AddStringToObject(entry, "serverRelativeURL", url);
	return 0;
}

int ctl_openapi_init(void)
{
	cJSON *index = cJSON_CreateObject(), *paths;
	char err[256];

	source = ctl_yaml_parse((const char *)openapi_yaml, openapi_yaml_len, err, sizeof(err));
	if (!source) {
		ks_log(LOG_ERR, "built-in openapi.yaml: %s", err);
		cJSON_Delete(index);
		return -EINVAL;
	}
	paths = cJSON_AddObjectToObject(index, "paths");
	if (build_v2() || build_v3_gv("", KS_API_CORE, paths) ||
	    build_v3_gv(KS_GROUP_CONTROLLER, KS_VERSION, paths) ||
	    build_v3_gv(KS_GROUP_WORKER, KS_VERSION, paths))
		goto err;
	return add_doc("/openapi/v3", index);
err:
	cJSON_Delete(index);
	return -ENOMEM;
}

/*
 * /openapi/v2 as kubectl downloads it, gnostic's OpenAPIv2 Document in protobuf, with no
 * definitions: swagger (1) and info (2: title 1, version 2) only. kubectl falls back to it
 * for kinds the v3 documents do not name (a kind: List, a kind this server does not
 * serve); finding no schema there it validates nothing itself and leaves the items to the
 * server's strict validation, or says "no matches for kind".
 */
static const unsigned char v2_protobuf[] = {
	0x0a, 3, '2', '.', '0',
	0x12, 28,
	0x0a, 16, 's', 'l', 'i', 'c', 'e', '-', 'c', 'o', 'n', 't', 'r', 'o', 'l', 'l', 'e', 'r',
	0x12, 8, 'v', '1', 'a', 'l', 'p', 'h', 'a', '1',
};

const unsigned char *ctl_openapi_v2_protobuf(size_t *len)
{
	*len = sizeof(v2_protobuf);
	return v2_protobuf;
}

const char *ctl_openapi_document(const char *path)
{
	for (int i = 0; i < n_docs; i++)
		if (!strcmp(docs[i].path, path))
			return docs[i].text;
	return NULL;
}

/* Resolves "$ref: Name" of the source schemas. */
static const cJSON *resolve(const cJSON *schema)
{
	const char *ref = ks_get_str(schema, "$ref");

	return ref ? ks_get(ks_get(source, "definitions"), ref) : schema;
}

static const char *json_type(const cJSON *v)
{
	if (cJSON_IsString(v))
		return "string";
	if (cJSON_IsNumber(v))
		return "number";
	if (cJSON_IsBool(v))
		return "boolean";
	if (cJSON_IsArray(v))
		return "array";
	return "object";
}

/* Whether v has the schema's type (null stands for absent, as in the API server). */
static bool type_ok(const cJSON *schema, const cJSON *v)
{
	const char *type = ks_get_str(schema, "type"), *fmt = ks_get_str(schema, "format");

	if (!type || cJSON_IsNull(v))
		return true;
	if (!strcmp(type, "string")) {
		unsigned char *raw;
		size_t len;

		if (!cJSON_IsString(v))
			return false;
		if (!fmt || strcmp(fmt, "byte"))
			return true;
		raw = ks_b64_decode(v->valuestring, &len);
		free(raw);
		return raw != NULL;
	}
	if (!strcmp(type, "integer"))
		return cJSON_IsNumber(v) && v->valuedouble == (double)(long long)v->valuedouble;
	if (!strcmp(type, "number"))
		return cJSON_IsNumber(v);
	if (!strcmp(type, "boolean"))
		return cJSON_IsBool(v);
	if (!strcmp(type, "array"))
		return cJSON_IsArray(v);
	return cJSON_IsObject(v);
}

struct findings {
	cJSON *unknown;
	cJSON *invalid;
};

static void walk(const cJSON *schema, const cJSON *obj, char *path, size_t len,
		 struct findings *f)
{
	const cJSON *props, *addl, *child;
	size_t at = strlen(path);
	bool preserve;
	int i = 0;

	schema = resolve(schema);
	if (!schema)
		return;
	if (!type_ok(schema, obj)) {
		char msg[1200];

		if (cJSON_IsString(obj))
			snprintf(msg, sizeof(msg), "%s: illegal base64 data", path);
		else
			snprintf(msg, sizeof(msg), "%s: expected %s, got %s", path,
				 ks_get_str0(schema, "type"), json_type(obj));
		cJSON_AddItemToArray(f->invalid, cJSON_CreateString(msg));
		return;
	}
	preserve = cJSON_IsTrue(ks_get(schema, "x-kubernetes-preserve-unknown-fields"));
	props = ks_get(schema, "properties");
	addl = ks_get(schema, "additionalProperties");
	if (cJSON_IsArray(obj) && ks_get(schema, "items")) {
		cJSON_ArrayForEach(child, obj) {
			snprintf(path + at, len - at, "[%d]", i++);
			walk(ks_get(schema, "items"), child, path, len, f);
		}
	} else if (cJSON_IsObject(obj) && (props || addl)) {
		cJSON_ArrayForEach(child, obj) {
			const cJSON *sub = addl ? addl : ks_get(props, child->string);

			snprintf(path + at, len - at, "%s%s", at ? "." : "", child->string);
			if (sub)
				walk(sub, child, path, len, f);
			else if (!preserve)
				cJSON_AddItemToArray(f->unknown, cJSON_CreateString(path));
		}
	}
	path[at] = '\0';
}

/* The schema of a kind with the metadata every kind has; the caller frees it. */
static cJSON *checked_schema(const struct ks_resource *res)
{
	cJSON *schema = cJSON_Duplicate(ks_get(ks_get(source, "kinds"), res->kind), true);
	cJSON *props;

	if (!schema)
		return NULL;
	props = ks_ensure(schema, "properties");
	ks_set(props, "metadata", cJSON_CreateObject());
	ks_set_str(cJSON_GetObjectItem(props, "metadata"), "$ref", "ObjectMeta");
	return schema;
}

void ctl_openapi_check(const struct ks_resource *res, const cJSON *obj, cJSON *unknown,
		       cJSON *invalid)
{
	cJSON *schema = checked_schema(res);
	struct findings f = { unknown, invalid };
	cJSON *props;
	char path[1024] = "";

	if (!schema)
		return;
	props = ks_get(schema, "properties");
	ks_set(props, "apiVersion", cJSON_CreateObject());
	ks_set(props, "kind", cJSON_CreateObject());
	walk(schema, obj, path, sizeof(path), &f);
	cJSON_Delete(schema);
}

/* Drops what the schema does not declare, where it does not preserve unknown fields. */
static void prune(const cJSON *schema, cJSON *obj)
{
	const cJSON *props, *addl, *sub;
	cJSON *child, *next;

	schema = resolve(schema);
	if (!schema)
		return;
	if (cJSON_IsArray(obj) && ks_get(schema, "items")) {
		cJSON_ArrayForEach(child, obj)
			prune(ks_get(schema, "items"), child);
		return;
	}
	props = ks_get(schema, "properties");
	addl = ks_get(schema, "additionalProperties");
	if (!cJSON_IsObject(obj) || (!props && !addl))
		return;
	for (child = obj->child; child; child = next) {
		next = child->next;
		sub = addl ? addl : cJSON_GetObjectItemCaseSensitive(props, child->string);
		if (sub)
			prune(sub, child);
		else if (!cJSON_IsTrue(ks_get(schema, "x-kubernetes-preserve-unknown-fields")))
			cJSON_Delete(cJSON_DetachItemViaPointer(obj, child));
	}
}

void ctl_openapi_prune(const struct ks_resource *res, cJSON *obj)
{
	cJSON *schema = checked_schema(res);

	if (schema) {
		ks_set(ks_get(schema, "properties"), "apiVersion", cJSON_CreateObject());
		ks_set(ks_get(schema, "properties"), "kind", cJSON_CreateObject());
		prune(schema, obj);
	}
	cJSON_Delete(schema);
}

/* The API server defaults a field only where its parent object is present. */
static void fill_defaults(const cJSON *schema, cJSON *obj)
{
	const cJSON *prop, *addl, *def;
	cJSON *v;

	schema = resolve(schema);
	if (!schema)
		return;
	if (cJSON_IsArray(obj) && ks_get(schema, "items")) {
		cJSON_ArrayForEach(v, obj)
			fill_defaults(ks_get(schema, "items"), v);
		return;
	}
	if (!cJSON_IsObject(obj))
		return;
	cJSON_ArrayForEach(prop, ks_get(schema, "properties")) {
		v = cJSON_GetObjectItemCaseSensitive(obj, prop->string);
		def = ks_get(resolve(prop), "default");
		if (!v && def)
			cJSON_AddItemToObject(obj, prop->string, cJSON_Duplicate(def, true));
		else if (v)
			fill_defaults(prop, v);
	}
	addl = ks_get(schema, "additionalProperties");
	if (cJSON_IsObject(addl))
		cJSON_ArrayForEach(v, obj)
			fill_defaults(addl, v);
}

void ctl_openapi_default(const struct ks_resource *res, cJSON *obj)
{
	cJSON *schema = checked_schema(res);

	if (schema)
		fill_defaults(schema, obj);
	cJSON_Delete(schema);
}

static void __attribute__((format(printf, 4, 5)))
add_cause(cJSON *causes, const char *field, const char *reason, const char *fmt, ...)
{
	cJSON *item = cJSON_CreateObject();
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!item || !ks_set_str(item, "field", field) || !ks_set_str(item, "reason", reason) ||
	    !ks_set_str(item, "message", msg) || !cJSON_AddItemToArray(causes, item))
		cJSON_Delete(item);
}

/* "Unsupported value" with the supported ones listed, as the API server words it. */
static void check_enum(const cJSON *allowed, const cJSON *v, const char *path, cJSON *causes)
{
	char list[400] = "";
	const cJSON *a;

	cJSON_ArrayForEach(a, allowed)
		if (cJSON_IsString(a) && !strcmp(a->valuestring, v->valuestring))
			return;
	cJSON_ArrayForEach(a, allowed)
		if (cJSON_IsString(a))
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s\"%s\"",
				 *list ? ", " : "", a->valuestring);
	add_cause(causes, path, "FieldValueNotSupported",
		  "Unsupported value: \"%s\": supported values: %s", v->valuestring, list);
}

static void check_scalar(const cJSON *schema, const cJSON *v, const char *path, cJSON *causes)
{
	const cJSON *min = ks_get(schema, "minimum"), *max = ks_get(schema, "maximum");
	const char *fmt = ks_get_str(schema, "format");

	if (cJSON_IsString(v) && cJSON_IsArray(ks_get(schema, "enum")))
		check_enum(ks_get(schema, "enum"), v, path, causes);
	if (cJSON_IsString(v) && fmt && !strcmp(fmt, "date-time") &&
	    ks_time_parse(v->valuestring) < 0)
		add_cause(causes, path, "FieldValueInvalid",
			  "Invalid value: \"%s\": %s in body must be of type date-time "
			  "(RFC 3339, e.g. 2025-01-31T12:00:00Z)", v->valuestring, path);
	if (!cJSON_IsNumber(v))
		return;
	if (cJSON_IsNumber(min) && v->valuedouble < min->valuedouble)
		add_cause(causes, path, "FieldValueInvalid",
			  "Invalid value: %g: %s in body should be greater than or equal to %g",
			  v->valuedouble, path, min->valuedouble);
	if (cJSON_IsNumber(max) && v->valuedouble > max->valuedouble)
		add_cause(causes, path, "FieldValueInvalid",
			  "Invalid value: %g: %s in body should be less than or equal to %g",
			  v->valuedouble, path, max->valuedouble);
}

static void check_constraints(const cJSON *schema, const cJSON *obj, char *path, size_t len,
			      cJSON *causes)
{
	size_t at = strlen(path);
	const cJSON *child, *sub, *req;
	int i = 0;

	schema = resolve(schema);
	if (!schema || cJSON_IsNull(obj))
		return;
	check_scalar(schema, obj, path, causes);
	if (cJSON_IsArray(obj) && ks_get(schema, "items")) {
		cJSON_ArrayForEach(child, obj) {
			snprintf(path + at, len - at, "[%d]", i++);
			check_constraints(ks_get(schema, "items"), child, path, len, causes);
		}
	} else if (cJSON_IsObject(obj)) {
		cJSON_ArrayForEach(req, ks_get(schema, "required"))
			if (cJSON_IsString(req) &&
			    !cJSON_GetObjectItemCaseSensitive(obj, req->valuestring)) {
				snprintf(path + at, len - at, "%s%s", at ? "." : "", req->valuestring);
				add_cause(causes, path, "FieldValueRequired", "Required value");
			}
		cJSON_ArrayForEach(child, obj) {
			sub = ks_get(schema, "additionalProperties");
			if (!cJSON_IsObject(sub))
				sub = cJSON_GetObjectItemCaseSensitive(ks_get(schema, "properties"),
								       child->string);
			if (!sub)
				continue;
			snprintf(path + at, len - at, "%s%s", at ? "." : "", child->string);
			check_constraints(sub, child, path, len, causes);
		}
	}
	path[at] = '\0';
}

void ctl_openapi_constraints(const struct ks_resource *res, const cJSON *obj, cJSON *causes)
{
	cJSON *schema = checked_schema(res);
	char path[1024] = "";

	if (schema)
		check_constraints(schema, obj, path, sizeof(path), causes);
	cJSON_Delete(schema);
}
