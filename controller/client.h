/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The client of the controller's object store, as the reconcilers and validation see it:
 * the contract between the API server (HTTP, registry, engine, watch) and the reconcilers
 * (SliceConfig -> Worker* objects, certs). Reads include the controller's own writes that
 * are not committed yet; writes through it are the controller's own.
 *
 * Objects are cJSON trees in Kubernetes shape (apiVersion, kind, metadata, spec, status).
 * Resources are named by their plural ("sliceconfigs", "workerslicegateways", "secrets").
 * Ownership of every returned tree passes to the caller.
 */
#ifndef CONTROLLER_CLIENT_H
#define CONTROLLER_CLIENT_H

#include <cjson/cJSON.h>

struct ctl_store;

/* One object, or NULL (errno ENOENT) when absent. ns is NULL for cluster-scoped kinds. */
cJSON *ctl_store_get(struct ctl_store *st, const char *resource, const char *ns,
		     const char *name);

/* A JSON array of the objects of a resource in ns (NULL: all namespaces) that match a
 * Kubernetes label selector (NULL or "": everything). */
cJSON *ctl_store_list(struct ctl_store *st, const char *resource, const char *ns,
		      const char *label_selector);

/*
 * Create obj, or update the stored object of the same name when its labels, annotations,
 * spec or data differ (status is left alone). Unchanged objects are not written, so running
 * a reconciler twice writes nothing the second time. metadata.ownerReferences may be set by
 * the caller. Returns 0, or -errno. obj stays the caller's.
 */
int ctl_store_apply(struct ctl_store *st, const char *resource, const cJSON *obj);

/*
 * ctl_store_apply() of an object the caller saw absent: created without reading it first;
 * when it exists after all, compared and updated as ctl_store_apply() does.
 */
int ctl_store_create(struct ctl_store *st, const char *resource, const cJSON *obj);

/* Write only the status of an existing object. Returns 0 or -errno. */
int ctl_store_apply_status(struct ctl_store *st, const char *resource, const cJSON *obj);

/* Delete one object; 0 when it was absent already. */
int ctl_store_delete(struct ctl_store *st, const char *resource, const char *ns,
		     const char *name);

/*
 * Delete whatever is in namespace ns, which is gone: what the reconcilers created in it
 * after its deletion had emptied it (their namespace check answers from the informer,
 * which may not have seen that deletion yet). Nothing when ns exists again. Returns 0 or
 * -errno.
 */
int ctl_store_empty_namespace(struct ctl_store *st, const char *ns);

/*
 * The reconcilers' in-memory indexes of this store (reconcile_ports.c): the slot is NULL
 * until they make them; the store frees them with ctl_rindex_free() when it closes.
 */
struct ctl_rindex;
struct ctl_rindex **ctl_store_rindex(struct ctl_store *st);
void ctl_rindex_free(struct ctl_rindex *ix);

/*
 * Record a core/v1 Event about the object (type "Normal" or "Warning"), correlated as
 * client-go's recorder does: a repeat bumps the count, and past nine different messages
 * of one type and reason about one object in ten minutes the others are one combined
 * Event, whose count ctl_event_flush() writes.
 */
void ctl_event_record(struct ctl_store *st, const cJSON *about, const char *type,
		      const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Write the counts of combined Events recorded since the last call (ctl_reconcile's end). */
void ctl_event_flush(struct ctl_store *st);

/*
 * Validation: called by the API server before create/update of a resource; old is NULL on
 * create. Returns 0, or fills causes (an array of {"field","reason","message"} objects, the
 * Kubernetes StatusCause shape) and returns -EINVAL; the server answers 422 with them.
 */
int ctl_validate(struct ctl_store *st, const char *resource, const cJSON *old,
		 const cJSON *obj, cJSON *causes);

/*
 * Reconcile everything derived from one object after it changed or was deleted (obj is
 * the last known state; deleted says which). Called by the reconcile loop (reconcile_loop.h)
 * for each key of its work queue, never concurrently with itself. Also called periodically
 * with obj NULL for a full resync (certificate rotation, repair of derived objects).
 */
void ctl_reconcile(struct ctl_store *st, const char *resource, const cJSON *obj,
		   int deleted);

#endif /* CONTROLLER_CLIENT_H */
