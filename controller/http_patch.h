/* SPDX-License-Identifier: GPL-2.0 */
/* PATCH bodies: JSON merge patch (RFC 7386) and JSON patch (RFC 6902). */
#ifndef CONTROLLER_HTTP_PATCH_H
#define CONTROLLER_HTTP_PATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

/*
 * Merges patch into target and returns the result (target itself, or a new tree that
 * replaces it when patch is not an object). Keys starting with '$' are dropped when
 * strategic is set: they are strategic-merge directives, which have no meaning for kinds
 * without patch strategies (as for CRDs in the API server).
 */
cJSON *ctl_patch_merge(cJSON *target, const cJSON *patch, bool strategic);
/* The API server's bounds: operations in one JSON patch, and bytes its copies may add. */
#define CTL_PATCH_MAX_OPS	10000
#define CTL_PATCH_MAX_COPY	(3 * 1024 * 1024)

/*
 * Applies the operations of a JSON patch to *doc. Returns 0, -E2BIG for more than
 * CTL_PATCH_MAX_OPS operations, or -EINVAL (a failed op or test, or copies over
 * CTL_PATCH_MAX_COPY) with a message.
 */
int ctl_patch_json(cJSON **doc, const cJSON *ops, char *err, size_t errlen);

#endif /* CONTROLLER_HTTP_PATCH_H */
