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

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *ks_b64_encode(const void *data, size_t len)
{
	const unsigned char *in = data;
	char *out = malloc((len + 2) / 3 * 4 + 1), *p = out;
	unsigned long v;
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i < len; i += 3) {
		v = (unsigned long)in[i] << 16;
		if (i + 1 < len)
			v |= (unsigned long)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		*p++ = b64_alphabet[(v >> 18) & 63];
		*p++ = b64_alphabet[(v >> 12) & 63];
		*p++ = i + 1 < len ? b64_alphabet[(v >> 6) & 63] : '=';
		*p++ = i + 2 < len ? b64_alphabet[v & 63] : '=';
	}
	*p = '\0';
	return out;
}

static int b64_value(char c)
{
	const char *p = c ? strchr(b64_alphabet, c) : NULL;

	return p ? (int)(p - b64_alphabet) : -1;
}

unsigned char *ks_b64_decode(const char *s, size_t *len)
{
	size_t n = strlen(s), i, o = 0;
	unsigned char *out;
	int v[4], k;

	if (n % 4)
		return NULL;
	out = malloc(n / 4 * 3 + 1);
	if (!out)
		return NULL;
	for (i = 0; i < n; i += 4) {
		for (k = 0; k < 4; k++) {
			v[k] = b64_value(s[i + k]);
			/* '=' only as padding in the last group, and "x=y=" is not padding */
			if (v[k] < 0 && (s[i + k] != '=' || i + 4 != n || k < 2 ||
					 (k == 2 && s[i + 3] != '=')))
				goto bad;
		}
		out[o++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
		if (v[2] >= 0)
			out[o++] = (unsigned char)((v[1] & 15) << 4 | v[2] >> 2);
		if (v[3] >= 0)
			out[o++] = (unsigned char)((v[2] & 3) << 6 | v[3]);
	}
	out[o] = '\0';
	*len = o;
	return out;
bad:
	free(out);
	return NULL;
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
