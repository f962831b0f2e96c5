/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the API server does to a decoded object before it stores it, in its order: decode
 * against the schema (a wrong type is 400; unknown fields per fieldValidation), fill in
 * the schema's defaults, KubeSlice's mutations, the schema's constraints (422), and the
 * admission warnings. Admission proper (ctl_validate) runs in the store afterwards.
 */
#ifndef CONTROLLER_HTTP_ADMISSION_H
#define CONTROLLER_HTTP_ADMISSION_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "api/kubeslice.h"
#include "controller/registry.h"

/*
 * Checks and completes obj, a res about to be written. mode is the fieldValidation
 * parameter (NULL: Warn). Appends "Warning: 299" header lines to warning (size len).
 * Returns 0, or -1 with err filled (400 BadRequest or 422 Invalid with causes).
 */
int ctl_admit(const struct ks_resource *res, const char *mode, cJSON *obj,
	      struct ctl_status *err, char *warning, size_t len);
/*
 * The decoding part of ctl_admit() alone (types, unknown fields per mode), for what is
 * not an object to store yet (an apply configuration). Appends to warning.
 */
int ctl_admit_fields(const struct ks_resource *res, const char *mode, cJSON *obj,
		     struct ctl_status *err, char *warning, size_t len);

#endif /* CONTROLLER_HTTP_ADMISSION_H */
