/* SPDX-License-Identifier: GPL-2.0 */
/*
 * OpenAPI documents of the served kinds (/openapi/v2, /openapi/v3): kubectl reads them to
 * validate what it applies and for `kubectl explain`. The same schemas reject unknown
 * fields when a request asks for strict field validation.
 */
#ifndef CONTROLLER_OPENAPI_H
#define CONTROLLER_OPENAPI_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "api/kubeslice.h"

/* Loads the schemas compiled into the program. Returns 0 or -EINVAL. */
int ctl_openapi_init(void);
/* The document served at path ("/openapi/v2", "/openapi/v3", "/openapi/v3/apis/g/v", ...)
 * as JSON text, or NULL when there is none. */
const char *ctl_openapi_document(const char *path);
/* /openapi/v2 in protobuf, the type kube-apiserver answers kubectl's
 * "application/com.github.proto-openapi.spec.v2@v1.0+protobuf" with (see openapi.c). */
#define CTL_OPENAPI_V2_PROTOBUF "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
const unsigned char *ctl_openapi_v2_protobuf(size_t *len);
/* Appends to unknown the dotted paths of fields of obj its schema does not declare, and to
 * invalid a message for each value of the wrong type. */
void ctl_openapi_check(const struct ks_resource *res, const cJSON *obj, cJSON *unknown,
		       cJSON *invalid);

/* Drops the fields of obj its schema does not declare (unless it preserves unknown
 * fields there), as the API server prunes a custom resource that is not strictly
 * validated. */
void ctl_openapi_prune(const struct ks_resource *res, cJSON *obj);
/* Fills in the schema's defaults for absent fields whose parent object is present, as the
 * API server does when it decodes a custom resource. */
void ctl_openapi_default(const struct ks_resource *res, cJSON *obj);
/* Appends to causes a StatusCause ({"field","reason","message"}) for each value outside its
 * schema's enum, minimum, maximum or format and for each missing required field. */
void ctl_openapi_constraints(const struct ks_resource *res, const cJSON *obj, cJSON *causes);

#endif /* CONTROLLER_OPENAPI_H */
