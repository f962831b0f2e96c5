/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The registry: the object layer between the HTTP API and the storage engine. Kubernetes
 * metadata semantics (uid, generation, resourceVersion, timestamps, finalizers, owner
 * references and cascading deletion), optimistic concurrency, and the per-kind rules of
 * strategy.h. It knows nothing of who reads the change history (watches, the reconcile
 * loop): writes only record whether they were the controller's own (CTL_INTERNAL).
 *
 * Locking: none of its own. A write reads the current object, builds, compares and
 * validates the next one without any lock, then stores it only if the row is still at the
 * resourceVersion it read (the engine's compare-and-swap), and retries when it is not.
 * Nothing is parsed, patched or compared under the engine's lock.
 */
#ifndef CONTROLLER_REGISTRY_H
#define CONTROLLER_REGISTRY_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <cjson/cJSON.h>

#include "api/kubeslice.h"
#include "controller/client.h"
#include "controller/engine.h"
#include "controller/selector.h"

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

/* Flags of ctl_obj_create(), ctl_obj_update() and ctl_obj_delete(). */
#define CTL_VALIDATE	0x1	/* call ctl_validate() (requests from outside) */
#define CTL_KEEP_STATUS	0x2	/* keep the status a create carries (reconcilers) */
#define CTL_STATUS_ONLY	0x4	/* the status subresource: change nothing but status */
#define CTL_FORCE	0x8	/* ignore metadata.resourceVersion (unconditional update) */
#define CTL_INTERNAL	0x10	/* the controller's own write: grouped, see ctl_obj_flush() */
#define CTL_ORPHAN	0x20	/* delete: leave dependents alone */
#define CTL_DRY_RUN	0x40	/* dryRun=All: everything but the write, *out as it would be */

/* The store on the SQLite engine in dir, keeping history changes for watches. */
int ctl_store_open(const char *dir, unsigned int history, struct ctl_store **out);
/* The store on an engine it takes (and closes, also on failure). */
int ctl_store_open_engine(struct ctl_engine *e, struct ctl_store **out);
void ctl_store_close(struct ctl_store *st);
/* Ends every ctl_obj_changes() wait, for good (shutdown). */
void ctl_store_stop(struct ctl_store *st);

/*
 * The object (committed state), or NULL with errno ENOENT when it is absent and another
 * errno when the store failed: ctl_obj_get_failed() gives the answer for either.
 */
cJSON *ctl_obj_get(struct ctl_store *st, const struct ks_resource *res, const char *ns,
		   const char *name);
/* After a NULL from ctl_obj_get*(), errno untouched: 404 NotFound, or 500 for a store failure. */
void ctl_obj_get_failed(struct ctl_status *err, const struct ks_resource *res, const char *name);
/* The matching objects as an array, and the resourceVersion the list is consistent at. */
cJSON *ctl_obj_list(struct ctl_store *st, const struct ks_resource *res, const char *ns,
		    const struct ctl_selector *sel, uint64_t *rv);
/* The same including CTL_INTERNAL writes not committed yet: the controller's own view. */
cJSON *ctl_obj_get_latest(struct ctl_store *st, const struct ks_resource *res,
			  const char *ns, const char *name);
cJSON *ctl_obj_list_latest(struct ctl_store *st, const struct ks_resource *res,
			   const char *ns, const struct ctl_selector *sel, uint64_t *rv);

/* Each returns 0 with the stored object in *out (caller frees), or -1 with err filled;
 * ctl_obj_create() takes out NULL too (obj, which it changed, is then what was stored). */
int ctl_obj_create(struct ctl_store *st, const struct ks_resource *res, const char *ns,
		   cJSON *obj, int flags, struct ctl_status *err, cJSON **out);
int ctl_obj_update(struct ctl_store *st, const struct ks_resource *res, const char *ns,
		   const char *name, cJSON *obj, int flags, struct ctl_status *err,
		   cJSON **out);
/* Deletes (or marks for deletion while finalizers remain). uid and rv, when not NULL, are
 * preconditions; flags CTL_ORPHAN, CTL_INTERNAL. */
int ctl_obj_delete(struct ctl_store *st, const struct ks_resource *res, const char *ns,
		   const char *name, const char *uid, const char *rv, int flags,
		   struct ctl_status *err, cJSON **out);

/*
 * Deletes everything in namespace ns and what it owns, as the namespace's own deletion does
 * (flags: CTL_INTERNAL): what a create let in after that deletion had looked. Returns the
 * objects removed, or -ENOMEM.
 */
long ctl_obj_delete_contents(struct ctl_store *st, const char *ns, int flags);

/* Commits the CTL_INTERNAL writes made since the last call. Returns 0 or -EIO (some or all
 * of them are lost). */
int ctl_obj_flush(struct ctl_store *st);

/* Whether this process may run the reconcilers (ctl_engine_lead()). */
bool ctl_obj_lead(struct ctl_store *st, const char *identity);
/* The resourceVersion of the last committed write. */
uint64_t ctl_obj_committed(struct ctl_store *st);
/* Whether resourceVersion rv is committed by deadline (CLOCK_MONOTONIC), or shutdown. */
bool ctl_obj_reaches(struct ctl_store *st, uint64_t rv, const struct timespec *deadline);
/* The store's size on disk in bytes, or -1. */
int64_t ctl_obj_store_bytes(struct ctl_store *st);
/* The slot of the reconcile loop's informer (cache.h), freed with the store. */
struct ctl_cache **ctl_store_cache(struct ctl_store *st);
/* Writes of one kind so far (since start): a cache of that kind knows when to look again. */
uint64_t ctl_obj_kind_writes(struct ctl_store *st, const struct ks_resource *res);

/*
 * The change history, as watches and the reconcile loop read it: waits until a change after
 * resourceVersion after is committed (or deadline, or ctl_store_stop()), then calls fn for
 * up to limit committed changes after it, in order; without own_bodies the controller's own
 * changes may have the body "" (ctl_engine_history()). Returns -ERANGE when after is older
 * than the history kept (*oldest: where it starts; start over from a list), or what fn
 * returned. *running is false once the store stops.
 */
int ctl_obj_changes(struct ctl_store *st, uint64_t after, unsigned int limit, bool own_bodies,
		    const struct timespec *deadline, ctl_change_fn fn, void *arg,
		    uint64_t *oldest, bool *running);
/* The object of a change or row, with its metadata.resourceVersion; NULL if unreadable. */
cJSON *ctl_obj_decode(const char *body, uint64_t rv);

#endif /* CONTROLLER_REGISTRY_H */
