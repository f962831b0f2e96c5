/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Building test objects (JSON written with single quotes, printf-style), the store the
 * scenarios start from, and reading what the reconcilers stored.
 */
#ifndef RECONCILE_TEST_HELPERS_H
#define RECONCILE_TEST_HELPERS_H

#include <cjson/cJSON.h>

#include "controller/client.h"

#define NS "kubeslice-acme"

/* A cmocka test of a scenario table, on a fresh store from setup, freed after. */
#define SCENARIO(fn, setup) cmocka_unit_test_setup_teardown(fn, setup, scenario_teardown)

/* cmocka setup: a store with the Project acme and the Clusters c1 to c5 registered. */
int scenario_setup(void **state);
/* cmocka teardown: frees the store a setup made. */
int scenario_teardown(void **state);

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
/* A Secret's data value in NS, decoded (malloc'ed), or NULL. */
char *secret_value(struct ctl_store *st, const char *name, const char *key);
/* Asserts that nothing was written, deleted or told since the counts were reset. */
void assert_quiet(struct ctl_store *st);

#endif
