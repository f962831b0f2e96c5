// SPDX-License-Identifier: GPL-2.0
/*
 * The envelope is the magic "k8s\0" and a runtime.Unknown message: typeMeta (1:
 * apiVersion, 2: kind) and raw (2), the object's own message. Messages are read with
 * tables of the fields this server keeps (k8s.io/api/core/v1/generated.proto and
 * apimachinery's meta/v1): unknown fields are skipped, as protobuf readers do.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/base64.h"
#include "api/json.h"
#include "controller/http_protobuf.h"

enum pb_kind {
	PB_STRING,		/* string */
	PB_BYTES,		/* bytes, as base64 in JSON */
	PB_INT,			/* varint */
	PB_BOOL,		/* varint 0/1 */
	PB_MESSAGE,		/* nested message (sub) */
	PB_STRINGS,		/* repeated string */
	PB_MESSAGES,		/* repeated message (sub) */
	PB_MAP_STRING,		/* map<string, string> */
	PB_MAP_BYTES,		/* map<string, bytes> */
};

struct pb_field {
	unsigned int number;
	const char *name;
	enum pb_kind kind;
	const struct pb_field *sub;
};

#define PB_FIELD(number, name, kind) { number, name, kind, NULL }
#define PB_END { 0, NULL, PB_STRING, NULL }

static const struct pb_field owner_ref[] = {
	PB_FIELD(1, "kind", PB_STRING),
	PB_FIELD(3, "name", PB_STRING),
	PB_FIELD(4, "uid", PB_STRING),
	PB_FIELD(5, "apiVersion", PB_STRING), PB_FIELD(6, "controller", PB_BOOL),
	PB_FIELD(7, "blockOwnerDeletion", PB_BOOL), PB_END,
};

static const struct pb_field object_meta[] = {
	PB_FIELD(1, "name", PB_STRING), PB_FIELD(2, "generateName", PB_STRING),
	PB_FIELD(3, "namespace", PB_STRING), PB_FIELD(5, "uid", PB_STRING),
	PB_FIELD(6, "resourceVersion", PB_STRING), PB_FIELD(11, "labels", PB_MAP_STRING),
	PB_FIELD(12, "annotations", PB_MAP_STRING),
	{ 13, "ownerReferences", PB_MESSAGES, owner_ref },
	PB_FIELD(14, "finalizers", PB_STRINGS), PB_END,
};

static const struct pb_field namespace_spec[] = { PB_FIELD(1, "finalizers", PB_STRINGS), PB_END };

static const struct pb_field namespace_msg[] = {
	{ 1, "metadata", PB_MESSAGE, object_meta },
	{ 2, "spec", PB_MESSAGE, namespace_spec }, PB_END,
};

static const struct pb_field secret_msg[] = {
	{ 1, "metadata", PB_MESSAGE, object_meta }, PB_FIELD(2, "data", PB_MAP_BYTES),
	PB_FIELD(3, "type", PB_STRING), PB_FIELD(4, "stringData", PB_MAP_STRING),
	PB_FIELD(5, "immutable", PB_BOOL), PB_END,
};

static const struct pb_field preconditions[] = {
	PB_FIELD(1, "uid", PB_STRING), PB_FIELD(2, "resourceVersion", PB_STRING), PB_END,
};

static const struct pb_field delete_options[] = {
	PB_FIELD(1, "gracePeriodSeconds", PB_INT),
	{ 2, "preconditions", PB_MESSAGE, preconditions },
	PB_FIELD(3, "orphanDependents", PB_BOOL),
	PB_FIELD(4, "propagationPolicy", PB_STRING),
	PB_FIELD(5, "dryRun", PB_STRINGS),
	PB_END,
};

/* k8s.io/api/authorization/v1: what kubectl auth can-i asks. */
static const struct pb_field resource_attributes[] = {
	PB_FIELD(1, "namespace", PB_STRING), PB_FIELD(2, "verb", PB_STRING),
	PB_FIELD(3, "group", PB_STRING), PB_FIELD(4, "version", PB_STRING),
	PB_FIELD(5, "resource", PB_STRING), PB_FIELD(6, "subresource", PB_STRING),
	PB_FIELD(7, "name", PB_STRING), PB_END,
};

static const struct pb_field access_review_spec[] = {
	{ 1, "resourceAttributes", PB_MESSAGE, resource_attributes }, PB_END,
};

static const struct pb_field self_subject_access_review[] = {
	{ 1, "metadata", PB_MESSAGE, object_meta },
	{ 2, "spec", PB_MESSAGE, access_review_spec }, PB_END,
};

static const struct {
	const char *kind;
	const struct pb_field *fields;
} messages[] = {
	{ "Namespace", namespace_msg },
	{ "Secret", secret_msg },
	{ "DeleteOptions", delete_options },
	{ "SelfSubjectAccessReview", self_subject_access_review },
};

struct reader {
	const unsigned char *p;
	const unsigned char *end;
};

static bool varint(struct reader *r, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; shift < 64 && r->p < r->end; shift += 7) {
		unsigned char b = *r->p++;

		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return true;
	}
	return false;
}

/* Reads a field key and, for length-delimited fields, the payload. */
static bool next_field(struct reader *r, unsigned int *number, unsigned int *wire,
		       uint64_t *value, struct reader *payload)
{
	uint64_t key;

	if (!varint(r, &key))
		return false;
	*number = (unsigned int)(key >> 3);
	*wire = key & 7;
	switch (*wire) {
	case 0:
		return varint(r, value);
	case 1:
	case 5: {
		size_t n = *wire == 1 ? 8 : 4;

		if ((size_t)(r->end - r->p) < n)
			return false;
		r->p += n;
		return true;
	}
	case 2:
		if (!varint(r, value) || *value > (uint64_t)(r->end - r->p))
			return false;
		payload->p = r->p;
		payload->end = r->p + *value;
		r->p += *value;
		return true;
	default:
		return false;
	}
}

static cJSON *string_of(const struct reader *r, bool base64)
{
	size_t n = r->end - r->p;
	cJSON *s;
	char *text;

	if (base64) {
		text = ks_b64_encode(r->p, n);
	} else if (memchr(r->p, '\0', n)) {
		/* A C string cannot hold it: the value would be cut short unnoticed. */
		return NULL;
	} else {
		text = malloc(n + 1);
		if (text) {
			memcpy(text, r->p, n);
			text[n] = '\0';
		}
	}
	if (!text)
		return NULL;
	s = cJSON_CreateString(text);
	free(text);
	return s;
}

static cJSON *message(struct reader *r, const struct pb_field *fields);

/* A map entry: key = 1, value = 2. */
static bool map_entry(struct reader *r, cJSON *map, bool bytes)
{
	struct reader payload, key = { NULL, NULL }, val = { NULL, NULL };
	unsigned int number, wire;
	uint64_t v;

	while (r->p < r->end) {
		if (!next_field(r, &number, &wire, &v, &payload))
			return false;
		if (wire == 2 && number == 1)
			key = payload;
		else if (wire == 2 && number == 2)
			val = payload;
	}
	if (!key.p) {
		return false;
	} else {
		cJSON *k = string_of(&key, false);
		cJSON *value = val.p ? string_of(&val, bytes) : cJSON_CreateString("");

		if (!k || !value) {
			cJSON_Delete(k);
			cJSON_Delete(value);
			return false;
		}
		/* Repeated keys are dropped once the tree is whole, in O(n log n). */
		cJSON_AddItemToObject(map, k->valuestring, value);
		cJSON_Delete(k);
	}
	return true;
}

static bool field(struct reader *payload, uint64_t v, unsigned int wire,
		  const struct pb_field *f, cJSON *obj)
{
	cJSON *item, *list;

	if (f->kind == PB_INT || f->kind == PB_BOOL) {
		if (wire != 0)
			return false;
		return ks_set(obj, f->name, f->kind == PB_BOOL ? cJSON_CreateBool(v != 0) :
			      cJSON_CreateNumber((double)v));
	}
	if (wire != 2)
		return false;
	switch (f->kind) {
	case PB_STRING:
	case PB_BYTES:
		item = string_of(payload, f->kind == PB_BYTES);
		return item && ks_set(obj, f->name, item);
	case PB_MESSAGE:
		item = message(payload, f->sub);
		return item && ks_set(obj, f->name, item);
	case PB_MAP_STRING:
	case PB_MAP_BYTES:
		return map_entry(payload, ks_ensure(obj, f->name), f->kind == PB_MAP_BYTES);
	default:
		list = cJSON_GetObjectItemCaseSensitive(obj, f->name);
		if (!list) {
			list = cJSON_CreateArray();
			ks_set(obj, f->name, list);
		}
		item = f->kind == PB_STRINGS ? string_of(payload, false) :
		       message(payload, f->sub);
		if (!item)
			return false;
		cJSON_AddItemToArray(list, item);
		return true;
	}
}

static cJSON *message(struct reader *r, const struct pb_field *fields)
{
	cJSON *obj = cJSON_CreateObject();

	while (r->p < r->end) {
		struct reader payload = { NULL, NULL };
		const struct pb_field *f;
		unsigned int number, wire;
		uint64_t v = 0;

		if (!next_field(r, &number, &wire, &v, &payload))
			goto err;
		for (f = fields; f->number && f->number != number; f++)
			;
		if (f->number && !field(&payload, v, wire, f, obj))
			goto err;
	}
	return obj;
err:
	cJSON_Delete(obj);
	return NULL;
}

cJSON *ctl_protobuf_decode(const unsigned char *buf, size_t len, char *err, size_t errlen)
{
	static const struct pb_field type_meta[] = {
		PB_FIELD(1, "apiVersion", PB_STRING), PB_FIELD(2, "kind", PB_STRING), PB_END,
	};
	static const struct pb_field unknown[] = {
		{ 1, "typeMeta", PB_MESSAGE, type_meta }, PB_FIELD(2, "raw", PB_BYTES), PB_END,
	};
	struct reader r = { buf + 4, buf + len };
	cJSON *env, *obj = NULL;
	unsigned char *raw = NULL;
	const char *kind;
	size_t raw_len;

	if (len < 4 || memcmp(buf, "k8s", 4)) {
		snprintf(err, errlen, "protobuf body without the \"k8s\\0\" prefix");
		return NULL;
	}
	env = message(&r, unknown);
	kind = ks_get_str(env, "typeMeta.kind");
	if (!kind || !ks_get_str(env, "raw") ||
	    !(raw = ks_b64_decode(ks_get_str(env, "raw"), &raw_len))) {
		snprintf(err, errlen, "malformed protobuf envelope");
		goto out;
	}
	for (size_t i = 0; i < sizeof(messages) / sizeof(messages[0]); i++) {
		struct reader body = { raw, raw + raw_len };

		if (strcmp(kind, messages[i].kind))
			continue;
		obj = message(&body, messages[i].fields);
		if (!obj) {
			snprintf(err, errlen, "malformed protobuf %s", kind);
			goto out;
		}
		ks_set_str(obj, "apiVersion", ks_get_str0(env, "typeMeta.apiVersion"));
		ks_set_str(obj, "kind", kind);
		goto out;
	}
	snprintf(err, errlen, "protobuf bodies of kind %s are not supported: send JSON", kind);
out:
	free(raw);
	cJSON_Delete(env);
	return obj;
}
