/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The storage engine: durable rows of the controller's objects and their recent change
 * history, in an SQLite database in the data directory. It knows keys, JSON text and
 * resourceVersions, nothing of what the objects mean (that is registry.c).
 *
 * Every row carries the resourceVersion of its last write; the stored JSON does not (the
 * registry stamps metadata.resourceVersion when it decodes a row), so that a write is
 * encoded before its resourceVersion is known. A write may require the row to be at a given
 * resourceVersion (compare-and-swap), which is how the registry does optimistic concurrency
 * without holding any lock of its own.
 *
 * An ungrouped write is committed and fsynced before it returns, so anything acknowledged
 * survives kill -9; grouped writes (the controller's own) join an open transaction that
 * commits with the next ungrouped write, ctl_engine_flush(), or every BATCH_MAX writes.
 *
 * Locking: the engine serializes its writer connection with a mutex of its own; readers of
 * the committed state use a second connection. Every function may be called from any thread.
 */
#ifndef CONTROLLER_ENGINE_H
#define CONTROLLER_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct ctl_engine;

enum ctl_change_type { CTL_ADDED, CTL_MODIFIED, CTL_DELETED };

/* The expected resourceVersion of ctl_engine_write() that checks nothing. */
#define CTL_RV_ANY UINT64_MAX

/**
 * struct ctl_change - one object write, which is also one watch event
 * @type: what happened to the object
 * @rv: resourceVersion of the change (set by ctl_engine_write())
 * @resource: plural resource name
 * @ns: namespace, "" for cluster-scoped objects
 * @name: object name
 * @body: the object as JSON without metadata.resourceVersion; for CTL_DELETED its last state
 * @internal: written by the controller itself (grouped), so that its own work queue can
 *	      tell its writes from everyone else's
 * @labels: the object's labels as key, value, key, value, ..., NULL (NULL: none), which
 *	    the engine indexes for ctl_engine_scan()
 */
struct ctl_change {
	enum ctl_change_type type;
	uint64_t rv;
	const char *resource;
	const char *ns;
	const char *name;
	const char *body;
	bool internal;
	const char *const *labels;
};

/* Called for each row of a scan; a non-zero return stops it. */
typedef int (*ctl_row_fn)(void *arg, const char *body, uint64_t rv);
/* Called for each change of a history read; a non-zero return stops it. */
typedef int (*ctl_change_fn)(void *arg, const struct ctl_change *c);

int ctl_engine_open(const char *dir, unsigned int history, struct ctl_engine **out);
void ctl_engine_close(struct ctl_engine *e);

/* Bytes the engine takes on disk, or -1. */
int64_t ctl_engine_size(struct ctl_engine *e);

/* The resourceVersion of the last committed write: what readers and watchers may see. */
uint64_t ctl_engine_committed(struct ctl_engine *e);

/*
 * The stored JSON (malloc'd) and its resourceVersion, or NULL when absent. latest reads
 * through the writer and so also sees grouped writes not committed yet (the controller's
 * own reads); otherwise the last committed state.
 */
char *ctl_engine_get(struct ctl_engine *e, const char *resource, const char *ns,
		     const char *name, bool latest, uint64_t *rv);
/*
 * Calls fn for each object of resource in ns (NULL: all), ordered by namespace and name,
 * from one consistent state whose resourceVersion goes to *at; latest as for
 * ctl_engine_get(). When label_key is not NULL only objects labelled label_key=label_value
 * are scanned (through the label index). Returns what fn returned, or -EIO.
 */
int ctl_engine_scan(struct ctl_engine *e, const char *resource, const char *ns,
		    const char *label_key, const char *label_value, bool latest,
		    ctl_row_fn fn, void *arg, uint64_t *at);

/*
 * Applies and records one change, whose resourceVersion goes to c->rv. expect is the
 * resourceVersion the row must be at: 0 for "must not exist", CTL_RV_ANY for no check.
 * Returns 0, -EEXIST (exists, expect 0), -ENOENT (absent), -EAGAIN (at another version),
 * or -EIO (a failure also loses the uncommitted grouped writes before it).
 */
int ctl_engine_write(struct ctl_engine *e, struct ctl_change *c, uint64_t expect,
		     bool group);
/* Commits the grouped writes. Returns 0 or -EIO. */
int ctl_engine_flush(struct ctl_engine *e);

/*
 * Sleeps until a write after resourceVersion after is committed, the deadline
 * (CLOCK_MONOTONIC) passes or ctl_engine_stop() is called. Returns the committed
 * resourceVersion, and false in *running after ctl_engine_stop().
 */
uint64_t ctl_engine_wait(struct ctl_engine *e, uint64_t after, const struct timespec *deadline,
			 bool *running);
/* Wakes every ctl_engine_wait() for good. */
void ctl_engine_stop(struct ctl_engine *e);

/*
 * Calls fn for the committed changes with after < rv <= upto, in order, at most limit of
 * them; *oldest is where history starts. Returns -ERANGE when after is older than that
 * (the reader must start over from a full list), or what fn returned.
 */
int ctl_engine_history(struct ctl_engine *e, uint64_t after, uint64_t upto,
		       unsigned int limit, ctl_change_fn fn, void *arg, uint64_t *oldest);

#endif /* CONTROLLER_ENGINE_H */
