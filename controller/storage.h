/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Durable storage of the controller's objects and of their recent change history, in an
 * SQLite database in the data directory. An ungrouped write is committed and fsynced
 * before it returns, so anything acknowledged survives kill -9; the reconciler's writes
 * are grouped into fewer commits (it repairs what a crash loses on its next resync).
 *
 * Locking: all functions but the snapshot ones must be called with the caller's store
 * lock held (storage_objects.c). The snapshot functions read the last committed state
 * through a second connection and need no lock.
 */
#ifndef CONTROLLER_STORAGE_H
#define CONTROLLER_STORAGE_H

#include <stdbool.h>
#include <stdint.h>

struct ctl_storage;

enum ctl_change_type { CTL_ADDED, CTL_MODIFIED, CTL_DELETED };

/**
 * struct ctl_change - one object write, which is also one watch event
 * @type: what happened to the object
 * @rv: resourceVersion of the change, ctl_storage_rv() + 1
 * @resource: plural resource name
 * @ns: namespace, "" for cluster-scoped objects
 * @name: object name
 * @body: the object as JSON; for CTL_DELETED its last state
 */
struct ctl_change {
	enum ctl_change_type type;
	uint64_t rv;
	const char *resource;
	const char *ns;
	const char *name;
	const char *body;
};

int ctl_storage_open(const char *dir, unsigned int history, struct ctl_storage **out);
void ctl_storage_close(struct ctl_storage *s);

/* The resourceVersion of the last write, committed or not. */
uint64_t ctl_storage_rv(const struct ctl_storage *s);
/* The resourceVersion of the last committed write: what readers and watchers may see. */
uint64_t ctl_storage_committed(const struct ctl_storage *s);

/* Returns the stored JSON (malloc'd), or NULL when absent. */
char *ctl_storage_get(struct ctl_storage *s, const char *resource, const char *ns,
		      const char *name);
/* Calls fn for each object of resource in ns (NULL: all), ordered by namespace and name;
 * a non-zero return from fn stops the scan and is returned. */
int ctl_storage_scan(struct ctl_storage *s, const char *resource, const char *ns,
		     int (*fn)(void *arg, const char *body), void *arg);
/*
 * Applies and records one change. A grouped write (the reconciler's) joins an open
 * transaction that commits with the next ungrouped write, ctl_storage_flush(), or every
 * BATCH_MAX writes; an ungrouped one is durable when this returns. Returns 0 or -EIO (a
 * failure also loses the uncommitted grouped writes before it).
 */
int ctl_storage_write(struct ctl_storage *s, const struct ctl_change *c, bool group);
/* Commits the grouped writes. Returns 0 or -EIO. */
int ctl_storage_flush(struct ctl_storage *s);

/* Committed state, without the store lock. */
char *ctl_storage_snapshot_get(struct ctl_storage *s, const char *resource, const char *ns,
			       const char *name);
/* Like ctl_storage_scan() on one consistent snapshot, whose resourceVersion goes to *rv. */
int ctl_storage_snapshot_scan(struct ctl_storage *s, const char *resource, const char *ns,
			      int (*fn)(void *arg, const char *body), void *arg,
			      uint64_t *rv);

/*
 * Calls fn for the changes with after < rv <= upto (committed ones), in order, at most limit
 * of them; *oldest is where history starts. Returns -ERANGE when after is older than that
 * (the watch must start over), or what fn returned.
 */
int ctl_storage_snapshot_history(struct ctl_storage *s, uint64_t after, uint64_t upto,
				 unsigned int limit,
				 int (*fn)(void *arg, const struct ctl_change *c), void *arg,
				 uint64_t *oldest);

#endif /* CONTROLLER_STORAGE_H */
