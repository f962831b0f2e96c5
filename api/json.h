/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for Kubernetes-shaped cJSON trees: dotted-path access ("spec.sliceSubnet"),
 * metadata, labels and RFC 3339 timestamps (base64 is api/base64.h).
 */
#ifndef API_JSON_H
#define API_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <cjson/cJSON.h>

/* The member at a dotted path, or NULL. */
cJSON *ks_get(const cJSON *obj, const char *path);
/* The string at path, or NULL when absent or not a string. */
const char *ks_get_str(const cJSON *obj, const char *path);
/* The string at path, or "" when absent. */
const char *ks_get_str0(const cJSON *obj, const char *path);
/* The integer at path into *out; false when absent, not a number or not integral. */
bool ks_get_int(const cJSON *obj, const char *path, long *out);
/* The object at path, created (with its parents) when absent; NULL on allocation failure. */
cJSON *ks_ensure(cJSON *obj, const char *path);
/* Set obj.key to a string (replacing it); false on allocation failure. */
bool ks_set_str(cJSON *obj, const char *key, const char *val);
bool ks_set_int(cJSON *obj, const char *key, long val);
/* Replace obj.key by item, taking ownership of it. */
bool ks_set(cJSON *obj, const char *key, cJSON *item);

/* A new {apiVersion, kind, metadata{name[, namespace]}} object. */
cJSON *ks_object_new(const char *api_version, const char *kind, const char *ns,
		     const char *name);
const char *ks_name(const cJSON *obj);
const char *ks_namespace(const cJSON *obj);
const char *ks_label(const cJSON *obj, const char *key);
bool ks_set_label(cJSON *obj, const char *key, const char *val);
const char *ks_annotation(const cJSON *obj, const char *key);
bool ks_set_annotation(cJSON *obj, const char *key, const char *val);

/* Whether a JSON array holds the string s. */
bool ks_array_has_str(const cJSON *arr, const char *s);
/* A new array of the strings of arr (an empty array when arr is NULL). */
cJSON *ks_str_array_dup(const cJSON *arr);

/*
 * Bounds and checks for trees decoded from requests. The API server rejects deeper
 * objects; KS_JSON_MAX_DEPTH keeps every recursive walk of a tree (printing, comparing,
 * merging) within a connection thread's stack.
 */
#define KS_JSON_MAX_DEPTH 64
/* Deep equality of two values in O(n log n) (cJSON_Compare is exponential in depth). */
bool ks_json_equal(const cJSON *a, const cJSON *b);
/* Nesting depth of v (a scalar is 0, {} is 1), counted no further than limit + 1. */
int ks_json_depth(const cJSON *v, int limit);
/* Keeps only the last member of each name in every object of v, in O(n log n). v must be
 * no deeper than KS_JSON_MAX_DEPTH. Returns 0, or -1 when out of memory. */
int ks_json_dedupe(cJSON *v);
/* About the size of v as JSON text, in linear time. */
size_t ks_json_size(const cJSON *v);
/* Replaces each byte of invalid UTF-8 in keys and strings by U+FFFD, as Go's decoder
 * does. */
void ks_json_repair_utf8(cJSON *v);

/* RFC 3339 UTC, "2006-01-02T15:04:05Z". */
#define KS_TIME_STRLEN 21
void ks_time_format(time_t t, char buf[KS_TIME_STRLEN]);
/* Parse what Kubernetes writes (also fractional seconds and offsets); -1 on bad input. */
time_t ks_time_parse(const char *s);

#endif /* API_JSON_H */
