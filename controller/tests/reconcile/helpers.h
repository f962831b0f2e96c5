/* SPDX-License-Identifier: GPL-2.0 */
/* Building test objects: JSON written with single quotes, printf-style. */
#ifndef RECONCILE_TEST_HELPERS_H
#define RECONCILE_TEST_HELPERS_H

#include <cjson/cJSON.h>

#include "controller/client.h"

#define NS "kubeslice-acme"

/* Parse a printf-formatted JSON text in which ' stands for ". */
cJSON *jsonf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Store an object (as a user's create or update) and reconcile it. */
void put(struct ctl_store *st, const char *resource, cJSON *obj);
/* Delete an object (as a user) and reconcile the deletion. */
void del(struct ctl_store *st, const char *resource, const char *ns, const char *name);
/* A registered Cluster with one node IP and a CNI subnet. */
void add_cluster(struct ctl_store *st, const char *name, const char *node_ip,
		 const char *cni);
/* SliceConfig in NS with an inline QoS profile; clusters is a JSON list text. */
cJSON *slice_obj(const char *name, const char *subnet, const char *clusters);
/* A string at path of a stored object ("" if absent); the returned text is static. */
const char *stored_str(struct ctl_store *st, const char *resource, const char *name,
		       const char *path);
long stored_int(struct ctl_store *st, const char *resource, const char *name,
		const char *path);

#endif
