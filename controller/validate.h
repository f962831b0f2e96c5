/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Admission: KubeSlice's webhook rules (kubeslice-controller's webhook validation in its
 * service package) as this server applies them, one file per group of kinds:
 * validate_slice.c (SliceConfig), validate_kinds.c (the other kinds), validate_delete.c
 * (what may not be deleted).
 * ctl_validate() (store.h) is the entry point for creates and updates; each rule adds a
 * StatusCause naming the field, the way the API server reports them.
 */
#ifndef CONTROLLER_VALIDATE_H
#define CONTROLLER_VALIDATE_H

#include <stdbool.h>
#include <cjson/cJSON.h>

struct ctl_store;

/* Kubernetes CauseType values. */
#define CAUSE_REQUIRED		"FieldValueRequired"
#define CAUSE_INVALID		"FieldValueInvalid"
#define CAUSE_UNSUPPORTED	"FieldValueNotSupported"
#define CAUSE_DUPLICATE		"FieldValueDuplicate"
#define CAUSE_FORBIDDEN		"FieldValueForbidden"
#define CAUSE_NOT_FOUND		"FieldValueNotFound"

/* KubeSlice's name of a project's default slice ("<project>-default-slice"). */
#define KS_DEFAULT_SLICE_SUFFIX	"-default-slice"

/**
 * struct ctl_check - one validation pass
 * @st: store, to look up referenced objects
 * @old: the stored object on update, NULL on create (and on delete)
 * @obj: the object to store (or to delete)
 * @causes: where the causes go
 */
struct ctl_check {
	struct ctl_store *st;
	const cJSON *old;
	const cJSON *obj;
	cJSON *causes;
};

void ctl_cause(struct ctl_check *c, const char *field, const char *reason, const char *fmt,
	       ...) __attribute__((format(printf, 4, 5)));
/* A required string at path of obj; NULL (with a cause) when missing or empty. */
const char *ctl_need_str(struct ctl_check *c, const cJSON *obj, const char *path,
			 const char *field);
/* An optional integer within lo..hi into *out (left alone when absent); false if bad. */
bool ctl_opt_int(struct ctl_check *c, const cJSON *obj, const char *path, const char *field,
		 long lo, long hi, long *out);
/* An optional string that must be one of allowed (NULL-terminated). */
void ctl_opt_enum(struct ctl_check *c, const cJSON *obj, const char *path, const char *field,
		  const char *const *allowed);
/* metadata.name: a DNS-1123 label (label) or subdomain. */
void ctl_check_name(struct ctl_check *c, bool label);
/* The object lives in a project namespace (one a Project's reconciler made). */
void ctl_check_project_namespace(struct ctl_check *c, const char *kind);
/* Whether a namespace name belongs to a project: it exists and carries the label. */
bool ctl_is_project_namespace(struct ctl_store *st, const char *ns);
/* A QoS profile at prefix ("spec", "spec.qosProfileDetails"); queues lists the queue
 * types accepted there. */
void ctl_check_qos(struct ctl_check *c, const cJSON *q, const char *prefix,
		   const char *const *queues);
/* The Cluster of that name in the object's namespace (caller frees), or NULL. */
cJSON *ctl_check_cluster_get(struct ctl_check *c, const char *name);

void ctl_check_slice(struct ctl_check *c);
void ctl_check_project(struct ctl_check *c);
void ctl_check_cluster(struct ctl_check *c);
void ctl_check_qos_config(struct ctl_check *c);
void ctl_check_export(struct ctl_check *c);
void ctl_check_rotation(struct ctl_check *c);
void ctl_check_worker(struct ctl_check *c, const char *resource);

/*
 * Whether obj (of resource, a plural) may be deleted now: KubeSlice refuses to delete a
 * Project with slices, a Cluster in a slice, a SliceQoSConfig in use, a SliceConfig with
 * application namespaces or exports, and the VpnKeyRotation of a live slice. Returns 0,
 * or fills causes and returns -EINVAL (the server answers 422).
 */
int ctl_validate_delete(struct ctl_store *st, const char *resource, const cJSON *obj,
			cJSON *causes);

/* The labels KubeSlice's reconcilers put on a user's object, set as it is written: a
 * ServiceExportConfig's original-slice-name, worker-cluster, service-name and
 * service-namespace from its spec. */
void ctl_admission_mutate(const char *resource, cJSON *obj);

/*
 * Warnings (strings) about an accepted object, sent as "Warning: 299" headers: values
 * KubeSlice defines that this data plane serves differently (vpnConfig.cipher).
 */
void ctl_validate_warnings(const char *resource, const cJSON *obj, cJSON *warnings);

#endif /* CONTROLLER_VALIDATE_H */
