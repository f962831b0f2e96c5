// SPDX-License-Identifier: GPL-2.0
/*
 * JSON pointers (RFC 6901) address members with "~1" for '/' and "~0" for '~', and array
 * elements by index or "-" (past the end, for add).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/json.h"
#include "controller/http_patch.h"

cJSON *ctl_patch_merge(cJSON *target, const cJSON *patch, bool strategic)
{
	const cJSON *item;

	if (!cJSON_IsObject(patch)) {
		cJSON_Delete(target);
		return cJSON_Duplicate(patch, true);
	}
	if (!cJSON_IsObject(target)) {
		cJSON_Delete(target);
		target = cJSON_CreateObject();
	}
	cJSON_ArrayForEach(item, patch) {
		cJSON *cur;

		if (strategic && item->string[0] == '$')
			continue;
		if (cJSON_IsNull(item)) {
			cJSON_DeleteItemFromObjectCaseSensitive(target, item->string);
			continue;
		}
		cur = cJSON_DetachItemFromObjectCaseSensitive(target, item->string);
		cJSON_AddItemToObject(target, item->string, ctl_patch_merge(cur, item, strategic));
	}
	return target;
}

/* One reference token of a pointer, unescaped, into tok; returns the rest or NULL. */
static const char *next_token(const char *p, char *tok, size_t len)
{
	size_t n = 0;

	if (*p != '/')
		return NULL;
	for (p++; *p && *p != '/'; p++) {
		char ch = *p;

		if (ch == '~') {
			if (p[1] != '0' && p[1] != '1')
				return NULL;
			ch = p[1] == '0' ? '~' : '/';
			p++;
		}
		if (n + 1 >= len)
			return NULL;
		tok[n++] = ch;
	}
	tok[n] = '\0';
	return p;
}

static bool array_index(const char *tok, int size, bool allow_end, int *idx)
{
	char *end;
	long v;

	if (allow_end && !strcmp(tok, "-")) {
		*idx = size;
		return true;
	}
	if (!isdigit((unsigned char)*tok) || (tok[0] == '0' && tok[1]))
		return false;
	v = strtol(tok, &end, 10);
	if (*end || v > size || (!allow_end && v == size))
		return false;
	*idx = (int)v;
	return true;
}

/* Finds the parent of the location path names, and its last token. */
static cJSON *resolve_parent(cJSON *doc, const char *path, char *last, size_t len)
{
	cJSON *cur = doc;
	char tok[256];
	const char *p = path, *q;

	for (;;) {
		q = next_token(p, tok, sizeof(tok));
		if (!q)
			return NULL;
		if (!*q) {
			snprintf(last, len, "%s", tok);
			return cur;
		}
		if (cJSON_IsArray(cur)) {
			int idx;

			if (!array_index(tok, cJSON_GetArraySize(cur), false, &idx))
				return NULL;
			cur = cJSON_GetArrayItem(cur, idx);
		} else {
			cur = cJSON_GetObjectItemCaseSensitive(cur, tok);
		}
		if (!cur)
			return NULL;
		p = q;
	}
}

static cJSON *get_at(cJSON *doc, const char *path)
{
	char last[256];
	cJSON *parent;
	int idx;

	if (!*path)
		return doc;
	parent = resolve_parent(doc, path, last, sizeof(last));
	if (cJSON_IsArray(parent))
		return array_index(last, cJSON_GetArraySize(parent), false, &idx) ?
		       cJSON_GetArrayItem(parent, idx) : NULL;
	return cJSON_IsObject(parent) ? cJSON_GetObjectItemCaseSensitive(parent, last) : NULL;
}

static cJSON *detach_at(cJSON *doc, const char *path)
{
	char last[256];
	cJSON *parent = resolve_parent(doc, path, last, sizeof(last));
	int idx;

	if (cJSON_IsArray(parent))
		return array_index(last, cJSON_GetArraySize(parent), false, &idx) ?
		       cJSON_DetachItemFromArray(parent, idx) : NULL;
	return cJSON_IsObject(parent) ?
	       cJSON_DetachItemFromObjectCaseSensitive(parent, last) : NULL;
}

/*
 * Inserts value before element idx of arr. Debian's cJSON 1.7.15 refuses
 * cJSON_InsertItemInArray in the middle of a parsed array, so the tail moves instead.
 */
static void insert_at(cJSON *arr, int idx, cJSON *value)
{
	cJSON *tail = cJSON_CreateArray(), *item;

	while (cJSON_GetArraySize(arr) > idx)
		cJSON_AddItemToArray(tail, cJSON_DetachItemFromArray(arr, idx));
	cJSON_AddItemToArray(arr, value);
	while ((item = cJSON_DetachItemFromArray(tail, 0)))
		cJSON_AddItemToArray(arr, item);
	cJSON_Delete(tail);
}

/* Adds (or for objects, replaces) value at path; takes value. */
static int add_at(cJSON **doc, const char *path, cJSON *value)
{
	char last[256];
	cJSON *parent;
	int idx;

	if (!*path) {
		cJSON_Delete(*doc);
		*doc = value;
		return 0;
	}
	parent = resolve_parent(*doc, path, last, sizeof(last));
	if (cJSON_IsArray(parent) &&
	    array_index(last, cJSON_GetArraySize(parent), true, &idx)) {
		insert_at(parent, idx, value);
		return 0;
	}
	if (cJSON_IsObject(parent)) {
		cJSON_DeleteItemFromObjectCaseSensitive(parent, last);
		cJSON_AddItemToObject(parent, last, value);
		return 0;
	}
	cJSON_Delete(value);
	return -EINVAL;
}

/* Copies of values cost what they weigh: a few ops must not grow an object without end. */
static cJSON *copy_of(const cJSON *v, size_t *copied, char *err, size_t errlen)
{
	if (!v)
		return NULL;
	*copied += ks_json_size(v);
	if (*copied > CTL_PATCH_MAX_COPY) {
		snprintf(err, errlen, "Unable to copy, would use %zu bytes, limit is %d", *copied,
			 CTL_PATCH_MAX_COPY);
		return NULL;
	}
	return cJSON_Duplicate(v, true);
}

static int apply_op(cJSON **doc, const cJSON *op, size_t *copied, char *err, size_t errlen)
{
	const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(op, "op"));
	const char *path = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(op, "path"));
	const char *from = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(op, "from"));
	const cJSON *value = cJSON_GetObjectItemCaseSensitive(op, "value");
	cJSON *moved;

	if (!name || !path) {
		snprintf(err, errlen, "a JSON patch operation needs \"op\" and \"path\"");
		return -EINVAL;
	}
	if (!strcmp(name, "add") || !strcmp(name, "replace")) {
		if (!value)
			goto err_value;
		if (!strcmp(name, "replace") && !get_at(*doc, path))
			goto err_path;
		if (add_at(doc, path, cJSON_Duplicate(value, true)))
			goto err_path;
	} else if (!strcmp(name, "remove")) {
		moved = detach_at(*doc, path);
		if (!moved)
			goto err_path;
		cJSON_Delete(moved);
	} else if (!strcmp(name, "move") || !strcmp(name, "copy")) {
		if (!from)
			goto err_value;
		if (!strcmp(name, "move")) {
			moved = detach_at(*doc, from);
		} else {
			*err = '\0';
			moved = copy_of(get_at(*doc, from), copied, err, errlen);
			if (*err)
				return -EINVAL;
		}
		if (!moved || add_at(doc, path, moved)) {
			path = from;
			goto err_path;
		}
	} else if (!strcmp(name, "test")) {
		if (!value)
			goto err_value;
		if (!ks_json_equal(get_at(*doc, path), value)) {
			snprintf(err, errlen, "testing value %s failed", path);
			return -EINVAL;
		}
	} else {
		snprintf(err, errlen, "Unexpected kind: %s", name);
		return -EINVAL;
	}
	return 0;

err_value:
	snprintf(err, errlen, "the JSON patch operation \"%s\" on %s needs a %s", name, path,
		 strcmp(name, "move") && strcmp(name, "copy") ? "value" : "from");
	return -EINVAL;
err_path:
	snprintf(err, errlen, "the JSON patch operation \"%s\": path %s does not exist", name,
		 path);
	return -EINVAL;
}

int ctl_patch_json(cJSON **doc, const cJSON *ops, char *err, size_t errlen)
{
	const cJSON *op;
	size_t copied = 0;
	int n;

	if (!cJSON_IsArray(ops)) {
		snprintf(err, errlen, "a JSON patch must be an array of operations");
		return -EINVAL;
	}
	n = cJSON_GetArraySize(ops);
	if (n > CTL_PATCH_MAX_OPS) {
		snprintf(err, errlen,
			 "The allowed maximum operations in a JSON patch is %d, got %d",
			 CTL_PATCH_MAX_OPS, n);
		return -E2BIG;
	}
	cJSON_ArrayForEach(op, ops)
		if (apply_op(doc, op, &copied, err, errlen))
			return -EINVAL;
	return 0;
}
