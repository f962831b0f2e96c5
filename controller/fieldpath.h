/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sets of field paths, as structured-merge-diff's fieldpath.Set: the fields a manager of an
 * object owns (metadata.managedFields, fieldmanager.h) and those a write added, removed or
 * modified. A path is its elements in FieldsV1 form ("f:spec", "f:priority") joined by
 * CTL_PATH_SEP. Lists are atomic here (none of the served kinds declares a list type), so
 * this side makes no "k:", "v:" or "i:" elements; read from a client, they are kept as they are.
 */
#ifndef CONTROLLER_FIELDPATH_H
#define CONTROLLER_FIELDPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

/* Below any character of a name (no C string holds a '\0'), so a path sorts right before
 * the paths under it. */
#define CTL_PATH_SEP '\x01'
#define CTL_PATH_SEP_STR "\x01"

/**
 * struct ctl_fieldset - a set of paths
 * @paths: the members, sorted, no duplicates (owned)
 * @n: members
 * @cap: room in @paths
 * @oom: an operation ran out of memory: the set is incomplete (sticky; checked by callers
 *	 once, at the end)
 */
struct ctl_fieldset {
	char **paths;
	size_t n, cap;
	bool oom;
};

/**
 * struct ctl_fieldcmp - what changed from one object to another (typed.Comparison)
 * @added: fields only the new object has, containers included
 * @removed: fields only the old object has, containers included
 * @modified: leaf fields both have with different values
 */
struct ctl_fieldcmp {
	struct ctl_fieldset added, removed, modified;
};

void ctl_fieldset_free(struct ctl_fieldset *s);
void ctl_fieldset_add(struct ctl_fieldset *s, const char *path);
bool ctl_fieldset_has(const struct ctl_fieldset *s, const char *path);
/* Whether path or a path under it is a member. */
bool ctl_fieldset_has_under(const struct ctl_fieldset *s, const char *path);
void ctl_fieldset_union(struct ctl_fieldset *s, const struct ctl_fieldset *b);
/* Removes b's members from s. */
void ctl_fieldset_minus(struct ctl_fieldset *s, const struct ctl_fieldset *b);
/* Keeps the members keep() accepts. */
void ctl_fieldset_filter(struct ctl_fieldset *s, bool (*keep)(const char *path, void *arg),
			 void *arg);

/* Reads a FieldsV1 tree. Returns 0, or -EINVAL when it is not one. */
int ctl_fieldset_decode(const cJSON *v1, struct ctl_fieldset *out);
/* The FieldsV1 tree of s: "." marks a member that has members under it. */
cJSON *ctl_fieldset_encode(const struct ctl_fieldset *s);

/* Adds the fields obj sets (ToFieldSet): its leaves, and its empty or null objects. */
void ctl_fieldset_of(const cJSON *obj, struct ctl_fieldset *out);
/* Fills cmp with what changed from old to new (either may be NULL: nothing). */
void ctl_fieldset_compare(const cJSON *old, const cJSON *new, struct ctl_fieldcmp *cmp);
void ctl_fieldcmp_free(struct ctl_fieldcmp *cmp);

/* path as the API server prints it in a conflict (".spec.priority") into buf of size len. */
void ctl_fieldpath_print(const char *path, char *buf, size_t len);
/* Deletes the field path names from obj, if it has it, and the objects that leaves empty. */
void ctl_fieldpath_delete(cJSON *obj, const char *path);

#endif /* CONTROLLER_FIELDPATH_H */
