// SPDX-License-Identifier: GPL-2.0
/*
 * A set is a sorted array of path strings: a path sorts right before the paths under it,
 * so membership is a binary search and "anything under" a scan from there. What builds a
 * set from an object (which can have many thousand fields) appends and sorts once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller/fieldpath.h"

void ctl_fieldset_free(struct ctl_fieldset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->paths[i]);
	free(s->paths);
	*s = (struct ctl_fieldset){ 0 };
}

/* Index of the first member not below path. */
static size_t lower_bound(const struct ctl_fieldset *s, const char *path)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(s->paths[mid], path) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool ctl_fieldset_has(const struct ctl_fieldset *s, const char *path)
{
	size_t i = lower_bound(s, path);

	return i < s->n && !strcmp(s->paths[i], path);
}

bool ctl_fieldset_has_under(const struct ctl_fieldset *s, const char *path)
{
	size_t len = strlen(path);

	for (size_t i = lower_bound(s, path); i < s->n && !strncmp(s->paths[i], path, len); i++)
		if (!s->paths[i][len] || s->paths[i][len] == CTL_PATH_SEP)
			return true;
	return false;
}

/* Makes room for one more member; false (and oom) when there is none. */
static bool reserve(struct ctl_fieldset *s)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		char **p = realloc(s->paths, cap * sizeof(*p));

		if (!p) {
			s->oom = true;
			return false;
		}
		s->paths = p;
		s->cap = cap;
	}
	return true;
}

/* A copy of path, with room for one more member in s; NULL (s->oom set) without memory. */
static char *reserve_copy(struct ctl_fieldset *s, const char *path)
{
	char *copy;

	if (!reserve(s))
		return NULL;
	copy = strdup(path);
	if (!copy)
		s->oom = true;
	return copy;
}

/* Appends path out of order: the builders below add many, then sort once (seal()). */
static void append(struct ctl_fieldset *s, const char *path)
{
	char *copy = reserve_copy(s, path);

	if (copy)
		s->paths[s->n++] = copy;
}

static int path_order(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts the members and drops duplicates. */
static void seal(struct ctl_fieldset *s)
{
	size_t n = 0;

	if (s->n)	/* qsort(NULL, 0, ...) is undefined (UBSan says so) */
		qsort(s->paths, s->n, sizeof(*s->paths), path_order);
	for (size_t i = 0; i < s->n; i++) {
		if (n && !strcmp(s->paths[n - 1], s->paths[i]))
			free(s->paths[i]);
		else
			s->paths[n++] = s->paths[i];
	}
	s->n = n;
}

void ctl_fieldset_add(struct ctl_fieldset *s, const char *path)
{
	size_t i = lower_bound(s, path);
	char *copy;

	if (i < s->n && !strcmp(s->paths[i], path))
		return;
	copy = reserve_copy(s, path);
	if (!copy)
		return;
	memmove(s->paths + i + 1, s->paths + i, (s->n - i) * sizeof(*s->paths));
	s->paths[i] = copy;
	s->n++;
}

void ctl_fieldset_union(struct ctl_fieldset *s, const struct ctl_fieldset *b)
{
	for (size_t i = 0; i < b->n; i++)
		append(s, b->paths[i]);
	seal(s);
	s->oom |= b->oom;
}

void ctl_fieldset_filter(struct ctl_fieldset *s, bool (*keep)(const char *path, void *arg),
			 void *arg)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++) {
		if (keep(s->paths[i], arg))
			s->paths[n++] = s->paths[i];
		else
			free(s->paths[i]);
	}
	s->n = n;
}

static bool not_in(const char *path, void *arg)
{
	return !ctl_fieldset_has(arg, path);
}

void ctl_fieldset_minus(struct ctl_fieldset *s, const struct ctl_fieldset *b)
{
	ctl_fieldset_filter(s, not_in, (void *)b);
}

/* parent's path with one more element, prefix and name (e.g. "f:" and a field's name). */
static char *child_path(const char *parent, const char *prefix, const char *name)
{
	char *p;

	if (asprintf(&p, "%s%s%s%s", parent, *parent ? CTL_PATH_SEP_STR : "", prefix, name) < 0)
		return NULL;
	return p;
}

static bool element_ok(const char *key)
{
	return !strcmp(key, ".") || (strlen(key) >= 2 && key[1] == ':' && strchr("fkvi", key[0]));
}

static int decode_node(const cJSON *node, const char *path, struct ctl_fieldset *out)
{
	const cJSON *child;

	if (!cJSON_IsObject(node))
		return -EINVAL;
	if (*path && !node->child)
		append(out, path);
	cJSON_ArrayForEach(child, node) {
		char *p;
		int ret;

		if (!element_ok(child->string))
			return -EINVAL;
		if (!strcmp(child->string, ".")) {
			if (*path)
				append(out, path);
			continue;
		}
		p = child_path(path, "", child->string);
		if (!p)
			return -ENOMEM;
		ret = decode_node(child, p, out);
		free(p);
		if (ret)
			return ret;
	}
	return 0;
}

int ctl_fieldset_decode(const cJSON *v1, struct ctl_fieldset *out)
{
	int ret = decode_node(v1, "", out);

	seal(out);
	return ret ? ret : out->oom ? -ENOMEM : 0;
}

/*
 * The node of root at path, made along the way. Paths come in order, so an element that
 * is already there is its parent's last child.
 */
static cJSON *make_node(cJSON *root, const char *path)
{
	cJSON *node = root;
	char elem[512];

	while (node && *path) {
		size_t n = strcspn(path, CTL_PATH_SEP_STR);
		cJSON *next = node->child ? node->child->prev : NULL;

		snprintf(elem, sizeof(elem), "%.*s", (int)n, path);
		if (!next || strcmp(next->string, elem))
			next = cJSON_AddObjectToObject(node, elem);
		node = next;
		path += n + (path[n] == CTL_PATH_SEP);
	}
	return node;
}

/* A member without members of its own is {}, not {".": {}}. */
static void drop_lone_dots(cJSON *node)
{
	cJSON *child;

	if (node->child && !node->child->next && !strcmp(node->child->string, ".")) {
		cJSON_DeleteItemFromObjectCaseSensitive(node, ".");
		return;
	}
	cJSON_ArrayForEach(child, node)
		drop_lone_dots(child);
}

cJSON *ctl_fieldset_encode(const struct ctl_fieldset *s)
{
	cJSON *root = cJSON_CreateObject();

	for (size_t i = 0; i < s->n; i++) {
		cJSON *node = make_node(root, s->paths[i]);

		if (node && !cJSON_GetObjectItemCaseSensitive(node, "."))
			cJSON_AddObjectToObject(node, ".");
	}
	drop_lone_dots(root);
	return root;
}

static bool is_map(const cJSON *v)
{
	return cJSON_IsObject(v) && v->child;
}

static void fields_of(const cJSON *obj, const char *path, struct ctl_fieldset *out)
{
	const cJSON *child;

	cJSON_ArrayForEach(child, obj) {
		char *p = child_path(path, "f:", child->string);

		if (!p) {
			out->oom = true;
			return;
		}
		if (is_map(child))
			fields_of(child, p, out);
		else
			append(out, p);
		free(p);
	}
}

void ctl_fieldset_of(const cJSON *obj, struct ctl_fieldset *out)
{
	fields_of(obj, "", out);
	seal(out);
}

static void compare(const cJSON *l, const cJSON *r, const char *path, struct ctl_fieldcmp *c);

static int member_order(const void *a, const void *b)
{
	return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

/* The members of an object (NULL or not one: none) sorted by name, in *out (malloc'd). */
static size_t members(const cJSON *obj, const cJSON ***out)
{
	size_t n = 0;
	const cJSON *m;

	*out = NULL;
	if (!is_map(obj))
		return 0;
	cJSON_ArrayForEach(m, obj)
		n++;
	*out = malloc(n * sizeof(**out));
	if (!*out)
		return 0;
	n = 0;
	cJSON_ArrayForEach(m, obj)
		(*out)[n++] = m;
	qsort(*out, n, sizeof(**out), member_order);
	return n;
}

/* Compares the members of two objects, joined by name in sorted order (objects can be big). */
static void compare_members(const cJSON *l, const cJSON *r, const char *path,
			    struct ctl_fieldcmp *c)
{
	const cJSON **lm, **rm;
	size_t nl = members(l, &lm), nr = members(r, &rm), i = 0, j = 0;

	if ((is_map(l) && !lm) || (is_map(r) && !rm))
		c->added.oom = true;
	while (i < nl || j < nr) {
		int order = i == nl ? 1 : j == nr ? -1 : strcmp(lm[i]->string, rm[j]->string);
		const cJSON *a = order <= 0 ? lm[i++] : NULL, *b = order >= 0 ? rm[j++] : NULL;
		char *p = child_path(path, "f:", (a ? a : b)->string);

		if (!p) {
			c->added.oom = true;
			break;
		}
		compare(a, b, p, c);
		free(p);
	}
	free(lm);
	free(rm);
}

/*
 * As typed.Compare: objects with members are compared member by member, and one present on
 * one side only is added or removed with everything in it; anything else is a leaf. An
 * object on one side and a leaf on the other is a modified leaf, the object's members
 * added or removed.
 */
static void compare(const cJSON *l, const cJSON *r, const char *path, struct ctl_fieldcmp *c)
{
	if (is_map(l) || is_map(r)) {
		if ((l && !cJSON_IsObject(l)) || (r && !cJSON_IsObject(r)))
			append(&c->modified, path);
		compare_members(l, r, path, c);
		if (!l)
			append(&c->added, path);
		else if (!r)
			append(&c->removed, path);
		return;
	}
	if (!l && r)
		append(&c->added, path);
	else if (l && !r)
		append(&c->removed, path);
	else if (l && r && !cJSON_Compare(l, r, true))
		append(&c->modified, path);
}

void ctl_fieldset_compare(const cJSON *old, const cJSON *new, struct ctl_fieldcmp *cmp)
{
	compare_members(old, new, "", cmp);
	seal(&cmp->added);
	seal(&cmp->removed);
	seal(&cmp->modified);
}

void ctl_fieldcmp_free(struct ctl_fieldcmp *cmp)
{
	ctl_fieldset_free(&cmp->added);
	ctl_fieldset_free(&cmp->removed);
	ctl_fieldset_free(&cmp->modified);
}

void ctl_fieldpath_print(const char *path, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	while (*path && used < len) {
		size_t n = strcspn(path, CTL_PATH_SEP_STR);
		const char *name = path + 2;
		int w;

		if (path[0] == 'f')
			w = snprintf(buf + used, len - used, ".%.*s", (int)n - 2, name);
		else if (path[0] == 'v')
			w = snprintf(buf + used, len - used, "[=%.*s]", (int)n - 2, name);
		else
			w = snprintf(buf + used, len - used, "[%.*s]", (int)n - 2, name);
		used += w > 0 ? (size_t)w : 0;
		path += n + (path[n] == CTL_PATH_SEP);
	}
}

void ctl_fieldpath_delete(cJSON *obj, const char *path)
{
	size_t n = strcspn(path, CTL_PATH_SEP_STR);
	char name[512];
	cJSON *child;

	if (!cJSON_IsObject(obj) || strncmp(path, "f:", 2))
		return;
	snprintf(name, sizeof(name), "%.*s", (int)n - 2, path + 2);
	if (!path[n]) {
		cJSON_DeleteItemFromObjectCaseSensitive(obj, name);
		return;
	}
	child = cJSON_GetObjectItemCaseSensitive(obj, name);
	ctl_fieldpath_delete(child, path + n + 1);
	/* An object the deletion leaves empty goes too (labels: {} is no label at all). */
	if (cJSON_IsObject(child) && !child->child)
		cJSON_DeleteItemFromObjectCaseSensitive(obj, name);
}
