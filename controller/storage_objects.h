/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The object layer between the HTTP API and storage: Kubernetes metadata semantics
 * (uid, generation, resourceVersion, timestamps, finalizers, owner references and cascading
 * deletion), optimistic concurrency, the wake-up of watchers and the reconcile queue.
 *
 * Locking: st->lock (recursive, so that ctl_validate may read the store while a write holds
 * it) serializes writes and reads of uncommitted state; other reads use committed
 * snapshots without it. Watchers sleep on st->changed, broadcast on commits.
 */
#ifndef CONTROLLER_STORAGE_OBJECTS_H
#define CONTROLLER_STORAGE_OBJECTS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "api/kubeslice.h"
#include "controller/storage.h"
#include "controller/storage_select.h"
#include "controller/store.h"

struct reconcile_item;

/**
 * struct ctl_store - the controller's object store
 * @lock: serializes all fields below and the storage
 * @changed: broadcast after every write and on shutdown
 * @queued: signalled when the reconcile queue gains an item
 * @db: durable storage
 * @queue_head: oldest change waiting for ctl_reconcile()
 * @queue_tail: newest change waiting
 * @queue_len: changes waiting
 * @reconciled: ctl_reconcile() calls made
 * @reconciling: a ctl_reconcile() call is running
 * @secrets_gen: bumped on every Secret write, so token caches know when to look again
 * @stopping: shutting down; watchers and the reconciler return
 */
struct ctl_store {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	pthread_cond_t queued;
	struct ctl_storage *db;
	struct reconcile_item *queue_head;
	struct reconcile_item *queue_tail;
	uint64_t queue_len;
	uint64_t reconciled;
	bool reconciling;
	uint64_t secrets_gen;
	bool stopping;
};

/**
 * struct ctl_status - an API error, answered as a Kubernetes Status object
 * @code: HTTP status
 * @reason: StatusReason ("NotFound", "Conflict", "Invalid", ...)
 * @message: human-readable explanation
 * @causes: array of StatusCause objects or NULL (owned)
 */
struct ctl_status {
	int code;
	const char *reason;
	char message[512];
	cJSON *causes;
};

void ctl_status_set(struct ctl_status *err, int code, const char *reason, const char *fmt,
		    ...) __attribute__((format(printf, 4, 5)));

/* Flags of ctl_obj_create() and ctl_obj_update(). */
#define CTL_VALIDATE	0x1	/* call ctl_validate() (requests from outside) */
#define CTL_KEEP_STATUS	0x2	/* keep the status a create carries (reconcilers) */
#define CTL_STATUS_ONLY	0x4	/* the status subresource: change nothing but status */
#define CTL_FORCE	0x8	/* ignore metadata.resourceVersion (unconditional update) */
#define CTL_DRY_RUN	0x10	/* dryRun=All: everything but the write, *out as it would be */

/* Take and release st->lock; reads under it also see the reconciler's uncommitted writes. */
void ctl_store_lock(struct ctl_store *st);
void ctl_store_unlock(struct ctl_store *st);

int ctl_store_open(const char *dir, unsigned int history, struct ctl_store **out);
void ctl_store_close(struct ctl_store *st);
/* Runs the reconcile loop until ctl_store_stop(): queued changes, then a full resync every
 * resync seconds. */
void ctl_store_run_reconciler(struct ctl_store *st, unsigned int resync);
void ctl_store_stop(struct ctl_store *st);

/* The object, or NULL. */
cJSON *ctl_obj_get(struct ctl_store *st, const struct ks_resource *res, const char *ns,
		   const char *name);
/* The matching objects as an array, and the resourceVersion the list is consistent at. */
cJSON *ctl_obj_list(struct ctl_store *st, const struct ks_resource *res, const char *ns,
		    const struct ctl_selector *sel, uint64_t *rv);

/* Each returns 0 with the stored object in *out (caller frees), or -1 with err filled. */
int ctl_obj_create(struct ctl_store *st, const struct ks_resource *res, const char *ns,
		   cJSON *obj, int flags, struct ctl_status *err, cJSON **out);
int ctl_obj_update(struct ctl_store *st, const struct ks_resource *res, const char *ns,
		   const char *name, cJSON *obj, int flags, struct ctl_status *err,
		   cJSON **out);
/* Deletes (or marks for deletion while finalizers remain). uid and rv, when not NULL, are
 * preconditions; orphan leaves dependents alone. */
int ctl_obj_delete(struct ctl_store *st, const struct ks_resource *res, const char *ns,
		   const char *name, const char *uid, const char *rv, bool orphan,
		   struct ctl_status *err, cJSON **out);

#endif /* CONTROLLER_STORAGE_OBJECTS_H */
