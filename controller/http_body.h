/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Request bodies into cJSON trees (JSON, YAML or protobuf by Content-Type) within the API
 * server's bounds, and the checks every object that would be stored goes through.
 */
#ifndef CONTROLLER_HTTP_BODY_H
#define CONTROLLER_HTTP_BODY_H

#include <stdbool.h>

#include "controller/http.h"
#include "controller/registry.h"

/*
 * The body of req as a tree: an object, or for a patch (JSON, but YAML for a server-side
 * apply's configuration) any value. NULL with
 * the answer in *err (400 malformed, too deep, trailing data or a NUL in a string; 415
 * an unknown media type).
 */
cJSON *ctl_body_decode(const struct ctl_http_req *req, bool patch, struct ctl_status *err);

/* Label keys and values and the annotations' total size, as the API server checks them.
 * Returns 0, or -1 with a 422 and its causes in *err. */
int ctl_body_check_meta(const struct ks_resource *res, const cJSON *obj,
			struct ctl_status *err);

/* A patch's result: no deeper than a body may be (422) and no larger (413). */
int ctl_body_check_result(const cJSON *obj, struct ctl_status *err);

#endif /* CONTROLLER_HTTP_BODY_H */
