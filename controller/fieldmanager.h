/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Managed fields and server-side apply, as the API server's field manager keeps them
 * (k8s.io/apimachinery's managedfields over structured-merge-diff): metadata.managedFields
 * lists, per manager and operation (Apply or Update), the fields it set (FieldsV1, see
 * fieldpath.h) and when. An update gives its manager the fields it changed and takes them
 * from the others; an apply merges a manager's configuration into the object, removes what
 * that manager applied before and no longer applies unless another manager owns it too,
 * and refuses (409, FieldManagerConflict causes) to change a field another manager owns,
 * unless forced, which takes the field from it.
 */
#ifndef CONTROLLER_FIELDMANAGER_H
#define CONTROLLER_FIELDMANAGER_H

#include <stdbool.h>
#include <time.h>
#include <cjson/cJSON.h>

#include "api/kubeslice.h"
#include "controller/registry.h"

/* A fieldManager name is at most this long, as the API server's. */
#define CTL_MANAGER_MAX 128

/**
 * struct ctl_manager - who writes
 * @res: the kind written
 * @name: the fieldManager parameter, or the product of the User-Agent ("kubectl")
 * @subresource: "status" for a write through /status, else NULL
 * @now: the time the write is recorded at
 */
struct ctl_manager {
	const struct ks_resource *res;
	const char *name;
	const char *subresource;
	time_t now;
};

/*
 * Sets obj's metadata.managedFields for a create (cur NULL) or update by m: the
 * managedFields obj carries when it has any (an empty list clears them), else cur's, with
 * the fields m changed moved to m's Update entry. Returns 0, or -ENOMEM.
 */
int ctl_fields_update(const struct ctl_manager *m, const cJSON *cur, cJSON *obj);

/*
 * The object an apply of config by m makes of cur (NULL when there is none yet), with its
 * managedFields; or NULL with err filled: 409 Conflict naming each field another manager
 * owns that config changes (unless force), 400 when config carries managedFields.
 */
cJSON *ctl_fields_apply(const struct ctl_manager *m, const cJSON *cur, const cJSON *config,
			bool force, struct ctl_status *err);

#endif /* CONTROLLER_FIELDMANAGER_H */
