/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-kind rules of the registry, as the Kubernetes API server's registry strategies keep
 * them beside the generic store: what a kind does to an object before it is stored, and
 * what deleting one of its objects takes along. Kinds without an entry get the defaults.
 */
#ifndef CONTROLLER_STRATEGY_H
#define CONTROLLER_STRATEGY_H

#include <stdbool.h>
#include <cjson/cJSON.h>

#include "api/kubeslice.h"

/**
 * struct ctl_strategy - what is particular to one kind
 * @resource: plural resource name; NULL in the defaults
 * @canonicalize: turns a written object into its stored form (create and update), or NULL
 * @owns_namespace: deleting an object of this kind deletes everything in the namespace
 *		    it names (Namespace)
 */
struct ctl_strategy {
	const char *resource;
	void (*canonicalize)(cJSON *obj);
	bool owns_namespace;
};

/* The rules of res: its entry, or the defaults. */
const struct ctl_strategy *ctl_strategy_for(const struct ks_resource *res);

#endif /* CONTROLLER_STRATEGY_H */
