/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kubernetes label selectors (=, ==, !=, in, notin, exists, !) and field selectors
 * (=, ==, != on dotted paths such as metadata.name or involvedObject.uid) over objects.
 */
#ifndef CONTROLLER_SELECTOR_H
#define CONTROLLER_SELECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

struct ctl_selector;

/* Parses both selectors (each may be NULL or ""). Returns 0, or -EINVAL with a message
 * for the user in err. */
int ctl_selector_parse(const char *labels, const char *fields, struct ctl_selector **out,
		       char *err, size_t errlen);
/* Adds the requirement labels[key] == value (used to narrow a worker's view). */
int ctl_selector_require(struct ctl_selector *sel, const char *key, const char *value);
bool ctl_selector_match(const struct ctl_selector *sel, const cJSON *obj);
/*
 * False when the stored JSON text of an object (as cJSON_PrintUnformatted() writes it)
 * cannot match: a cheap test that spares parsing most objects of a selective list.
 */
bool ctl_selector_may_match(const struct ctl_selector *sel, const char *json);
/*
 * A label requirement key=value that every match must meet (=, ==, or in with one value),
 * so that a store can look the matches up in a label index. False when there is none.
 */
bool ctl_selector_label_eq(const struct ctl_selector *sel, const char **key,
			   const char **value);
void ctl_selector_free(struct ctl_selector *sel);

#endif /* CONTROLLER_SELECTOR_H */
