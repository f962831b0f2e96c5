/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Server-side printing: the meta.k8s.io Table that `kubectl get` asks for, built from each
 * kind's printer columns as the API server builds it from a CRD's additionalPrinterColumns
 * (and from its built-in printers for Events, Namespaces and Secrets).
 */
#ifndef CONTROLLER_HTTP_TABLE_H
#define CONTROLLER_HTTP_TABLE_H

#include <stdbool.h>
#include <time.h>
#include <cjson/cJSON.h>

#include "api/kubeslice.h"

/*
 * The meta.k8s.io version of the Table accept asks for ("v1" or "v1beta1"), or NULL when
 * the first media type of accept this server answers is a plain object (JSON).
 */
const char *ctl_table_version(const char *accept);

/* Whether include is an includeObject value (NULL: the default). */
bool ctl_table_include_valid(const char *include);

/*
 * A Table (apiVersion meta.k8s.io/version) of items, an array of objects of res (taken),
 * consistent at resourceVersion rv; ages are counted to now. include is the includeObject
 * parameter: "None", "Metadata" (also NULL, the default) or "Object" puts nothing, the
 * object's metadata or the whole object in each row. Returns NULL (items freed) for any
 * other include.
 */
cJSON *ctl_table_build(const struct ks_resource *res, const char *version, cJSON *items,
		       const char *rv, const char *include, time_t now);

#endif /* CONTROLLER_HTTP_TABLE_H */
