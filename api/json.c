// SPDX-License-Identifier: GPL-2.0
/* cJSON helpers for Kubernetes-shaped objects. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/json.h"

/* Copy the first key of a dotted path into key and advance *path past it; false if it is
 * longer than KS_KEY_MAX. */
#define KS_KEY_MAX 128
static bool path_next(const char **path, char key[KS_KEY_MAX])
{
	const char *dot = strchr(*path, '.');
	size_t len = dot ? (size_t)(dot - *path) : strlen(*path);

	if (len >= KS_KEY_MAX)
		return false;
	memcpy(key, *path, len);
	key[len] = '\0';
	*path += len + (dot ? 1 : 0);
	return true;
}

cJSON *ks_get(const cJSON *obj, const char *path)
{
	char key[KS_KEY_MAX];

	while (obj && *path) {
		if (!path_next(&path, key))
			return NULL;
		obj = cJSON_GetObjectItemCaseSensitive(obj, key);
	}
	return (cJSON *)obj;
}

const char *ks_get_str(const cJSON *obj, const char *path)
{
	const cJSON *item = ks_get(obj, path);

	return cJSON_IsString(item) ? item->valuestring : NULL;
}

const char *ks_get_str0(const cJSON *obj, const char *path)
{
	const char *s = ks_get_str(obj, path);

	return s ? s : "";
}

bool ks_get_int(const cJSON *obj, const char *path, long *out)
{
	const cJSON *item = ks_get(obj, path);
	double v;

	if (!cJSON_IsNumber(item))
		return false;
	v = item->valuedouble;
	if (v != floor(v) || v > 1e15 || v < -1e15)
		return false;
	*out = (long)v;
	return true;
}

cJSON *ks_ensure(cJSON *obj, const char *path)
{
	char key[KS_KEY_MAX];
	cJSON *next;

	while (obj && *path) {
		if (!path_next(&path, key))
			return NULL;
		next = cJSON_GetObjectItemCaseSensitive(obj, key);
		if (!cJSON_IsObject(next)) {
			cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
			next = cJSON_AddObjectToObject(obj, key);
		}
		obj = next;
	}
	return obj;
}

bool ks_set(cJSON *obj, const char *key, cJSON *item)
{
	if (!obj || !item) {
		cJSON_Delete(item);
		return false;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	return cJSON_AddItemToObject(obj, key, item);
}

bool ks_set_str(cJSON *obj, const char *key, const char *val)
{
	return ks_set(obj, key, cJSON_CreateString(val));
}

bool ks_set_int(cJSON *obj, const char *key, long val)
{
	return ks_set(obj, key, cJSON_CreateNumber((double)val));
}

cJSON *ks_object_new(const char *api_version, const char *kind, const char *ns,
		     const char *name)
{
	cJSON *obj = cJSON_CreateObject();
	cJSON *meta;

	if (!obj || !cJSON_AddStringToObject(obj, "apiVersion", api_version) ||
	    !cJSON_AddStringToObject(obj, "kind", kind))
		goto err;
	meta = cJSON_AddObjectToObject(obj, "metadata");
	if (!meta || !cJSON_AddStringToObject(meta, "name", name))
		goto err;
	if (ns && !cJSON_AddStringToObject(meta, "namespace", ns))
		goto err;
	return obj;
err:
	cJSON_Delete(obj);
	return NULL;
}

const char *ks_name(const cJSON *obj)
{
	return ks_get_str(obj, "metadata.name");
}

const char *ks_namespace(const cJSON *obj)
{
	return ks_get_str(obj, "metadata.namespace");
}

/* Label and annotation keys contain dots ("kubeslice.io/cluster"), so no dotted paths. */
static const char *meta_map_get(const cJSON *obj, const char *map, const char *key)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(ks_get(obj, "metadata"), map);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool meta_map_set(cJSON *obj, const char *map, const char *key, const char *val)
{
	return ks_set_str(ks_ensure(ks_ensure(obj, "metadata"), map), key, val);
}

const char *ks_label(const cJSON *obj, const char *key)
{
	return meta_map_get(obj, "labels", key);
}

bool ks_set_label(cJSON *obj, const char *key, const char *val)
{
	return meta_map_set(obj, "labels", key, val);
}

const char *ks_annotation(const cJSON *obj, const char *key)
{
	return meta_map_get(obj, "annotations", key);
}

bool ks_set_annotation(cJSON *obj, const char *key, const char *val)
{
	return meta_map_set(obj, "annotations", key, val);
}

bool ks_array_has_str(const cJSON *arr, const char *s)
{
	const cJSON *item;

	cJSON_ArrayForEach(item, arr)
		if (cJSON_IsString(item) && !strcmp(item->valuestring, s))
			return true;
	return false;
}

cJSON *ks_str_array_dup(const cJSON *arr)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *item;

	cJSON_ArrayForEach(item, arr) {
		if (!cJSON_IsString(item))
			continue;
		if (!out || !cJSON_AddItemToArray(out, cJSON_CreateString(item->valuestring))) {
			cJSON_Delete(out);
			return NULL;
		}
	}
	return out;
}

void ks_time_format(time_t t, char buf[KS_TIME_STRLEN])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, KS_TIME_STRLEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

time_t ks_time_parse(const char *s)
{
	struct tm tm = { 0 };
	const char *p;
	int oh, om;
	time_t t;

	if (!s)
		return -1;
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return -1;
	t = timegm(&tm);
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	if (!strcmp(p, "Z"))
		return t;
	if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d", &oh, &om) == 2 &&
	    strlen(p) == 6)
		return *p == '+' ? t - (oh * 3600 + om * 60) : t + (oh * 3600 + om * 60);
	return -1;
}

/* Members of an object sorted by key, ties in document order: for equality and dedupe. */
struct member {
	cJSON *item;
	size_t pos;
};

static int member_cmp(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	int c = strcmp(x->item->string, y->item->string);

	return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

/* The members of obj sorted, in a malloc'd array of *n; NULL when empty or out of memory. */
static struct member *sorted_members(const cJSON *obj, size_t *n)
{
	struct member *m;
	cJSON *item;
	size_t i = 0;

	*n = 0;
	cJSON_ArrayForEach(item, obj)
		(*n)++;
	if (!*n)
		return NULL;
	m = malloc(*n * sizeof(*m));
	if (!m)
		return NULL;
	cJSON_ArrayForEach(item, obj) {
		m[i].item = item;
		m[i].pos = i;
		i++;
	}
	qsort(m, *n, sizeof(*m), member_cmp);
	return m;
}

static bool objects_equal(const cJSON *a, const cJSON *b)
{
	size_t na, nb, i;
	struct member *ma = sorted_members(a, &na), *mb = sorted_members(b, &nb);
	bool eq = na == nb && (!na || (ma && mb));

	for (i = 0; eq && i < na; i++)
		eq = !strcmp(ma[i].item->string, mb[i].item->string) &&
		     ks_json_equal(ma[i].item, mb[i].item);
	free(ma);
	free(mb);
	return eq;
}

bool ks_json_equal(const cJSON *a, const cJSON *b)
{
	const cJSON *x, *y;

	if (!a || !b || (a->type & 0xff) != (b->type & 0xff))
		return a == b;
	switch (a->type & 0xff) {
	case cJSON_Number:
		return a->valuedouble == b->valuedouble;
	case cJSON_String:
	case cJSON_Raw:
		return !strcmp(a->valuestring, b->valuestring);
	case cJSON_Array:
		for (x = a->child, y = b->child; x && y; x = x->next, y = y->next)
			if (!ks_json_equal(x, y))
				return false;
		return !x && !y;
	case cJSON_Object:
		return objects_equal(a, b);
	default:
		return true;
	}
}

int ks_json_depth(const cJSON *v, int limit)
{
	const cJSON *c;
	int max = 0, d;

	if (!cJSON_IsArray(v) && !cJSON_IsObject(v))
		return 0;
	if (limit <= 0)
		return 1;
	cJSON_ArrayForEach(c, v) {
		d = ks_json_depth(c, limit - 1);
		if (d > max)
			max = d;
		if (max >= limit)
			break;
	}
	return max + 1;
}

int ks_json_dedupe(cJSON *obj)
{
	struct member *m;
	cJSON *c;
	size_t n, i;

	if (cJSON_IsObject(obj)) {
		m = sorted_members(obj, &n);
		if (n && !m)
			return -1;
		/* Of equal keys the last one stays, as Go's decoder and YAML do. */
		for (i = 0; i + 1 < n; i++)
			if (!strcmp(m[i].item->string, m[i + 1].item->string))
				cJSON_Delete(cJSON_DetachItemViaPointer(obj, m[i].item));
		free(m);
	}
	if (cJSON_IsObject(obj) || cJSON_IsArray(obj))
		cJSON_ArrayForEach(c, obj)
			if (ks_json_dedupe(c))
				return -1;
	return 0;
}

size_t ks_json_size(const cJSON *v)
{
	const cJSON *c;
	size_t n = 8;

	if (v->string)
		n += strlen(v->string);
	if (cJSON_IsString(v))
		n += strlen(v->valuestring);
	if (cJSON_IsArray(v) || cJSON_IsObject(v))
		cJSON_ArrayForEach(c, v)
			n += ks_json_size(c);
	return n;
}

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlongs, surrogates or more
 * than U+10FFFF), 0 when invalid. */
static size_t utf8_seq(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/* s with each byte of an invalid sequence replaced by U+FFFD; NULL when s is valid (or
 * memory ran out: then s stays as it is). */
static char *utf8_repair(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len;
	char *out, *o;

	for (; *p; p += len)
		if (!(len = utf8_seq(p)))
			break;
	if (!*p)
		return NULL;
	out = malloc(strlen(s) * 3 + 1);
	if (!out)
		return NULL;
	for (p = (const unsigned char *)s, o = out; *p; p += len ? len : 1) {
		len = utf8_seq(p);
		if (len) {
			memcpy(o, p, len);
			o += len;
		} else {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
		}
	}
	*o = '\0';
	return out;
}

void ks_json_repair_utf8(cJSON *v)
{
	char *fixed;
	cJSON *c;

	if (v->string && (fixed = utf8_repair(v->string))) {
		if (!(v->type & cJSON_StringIsConst))
			free(v->string);
		v->string = fixed;
		v->type &= ~cJSON_StringIsConst;
	}
	if (cJSON_IsString(v) && (fixed = utf8_repair(v->valuestring))) {
		free(v->valuestring);
		v->valuestring = fixed;
	}
	if (cJSON_IsArray(v) || cJSON_IsObject(v))
		cJSON_ArrayForEach(c, v)
			ks_json_repair_utf8(c);
}
