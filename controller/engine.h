/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The storage engine: durable rows of the controller's objects and their recent change
 * history. It knows keys, JSON text and resourceVersions, nothing of what the objects mean
 * (that is registry.c). Two engines: SQLite in the data directory (engine_sqlite.c, the
 * default for one machine) and an etcd cluster (engine_etcd.c, for replicas).
 *
 * Every row carries the resourceVersion of its last write; the stored JSON does not (the
 * registry stamps metadata.resourceVersion when it decodes a row), so that a write is
 * encoded before its resourceVersion is known. A write may require the row to be at a given
 * resourceVersion (compare-and-swap), which is how the registry does optimistic concurrency
 * without holding any lock of its own.
 *
 * An ungrouped write is durable before it returns, so anything acknowledged survives kill -9;
 * grouped writes (the controller's own) may wait for ctl_engine_flush() (SQLite: they join
 * an open transaction that commits with the next ungrouped write, the flush, or every
 * BATCH_MAX writes; etcd: they wait in a batch of their thread's that is one transaction
 * at the flush, when full, or before a latest scan; engine_etcd_batch.c).
 *
 * Locking: each engine serializes what it must with locks of its own; every function may be
 * called from any thread.
 */
#ifndef CONTROLLER_ENGINE_H
#define CONTROLLER_ENGINE_H

#include <pthread.h>
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

/**
 * struct ctl_engine_ops - what a storage engine does (the functions below dispatch here)
 * @close: frees the engine
 * @size: bytes on disk, or -1
 * @committed: see ctl_engine_committed()
 * @get: see ctl_engine_get()
 * @scan: see ctl_engine_scan()
 * @write: see ctl_engine_write()
 * @flush: see ctl_engine_flush()
 * @wait: see ctl_engine_wait()
 * @stop: see ctl_engine_stop()
 * @history: see ctl_engine_history()
 * @lead: see ctl_engine_lead()
 */
struct ctl_engine_ops {
	void (*close)(struct ctl_engine *e);
	int64_t (*size)(struct ctl_engine *e);
	uint64_t (*committed)(struct ctl_engine *e);
	char *(*get)(struct ctl_engine *e, const char *resource, const char *ns,
		     const char *name, bool latest, uint64_t *rv);
	int (*scan)(struct ctl_engine *e, const char *resource, const char *ns,
		    const char *label_key, const char *label_value, bool latest, ctl_row_fn fn,
		    void *arg, uint64_t *at);
	int (*write)(struct ctl_engine *e, struct ctl_change *c, uint64_t expect, bool group);
	int (*flush)(struct ctl_engine *e);
	uint64_t (*wait)(struct ctl_engine *e, uint64_t after, const struct timespec *deadline,
			 bool *running);
	void (*stop)(struct ctl_engine *e);
	int (*history)(struct ctl_engine *e, uint64_t after, uint64_t upto, unsigned int limit,
		       bool own_bodies, ctl_change_fn fn, void *arg, uint64_t *oldest);
	bool (*lead)(struct ctl_engine *e, const char *identity);
};

/* The head of every engine's own structure. */
struct ctl_engine {
	const struct ctl_engine_ops *ops;
};

/* An engine's ops->committed and ops->wait on its own lock and fields (engine.c). */
uint64_t ctl_engine_committed_read(pthread_mutex_t *lock, const uint64_t *committed);
uint64_t ctl_engine_committed_wait(pthread_mutex_t *lock, pthread_cond_t *changed,
				   const uint64_t *committed, const bool *stopping,
				   uint64_t after, const struct timespec *deadline, bool *running);

/* The embedded engine: DIR/store.db (engine_sqlite.c). */
int ctl_engine_open_sqlite(const char *dir, unsigned int history, struct ctl_engine **out);

/**
 * struct ctl_etcd_config - where an etcd cluster is and how to talk to it
 * @endpoints: comma-separated client URLs ("https://127.0.0.1:2379,https://...")
 * @ca: CA file the members' certificates chain to, or NULL
 * @cert: client certificate file, or NULL
 * @key: its key file, or NULL
 * @prefix: key prefix of this controller's objects ("/kubeslice/")
 */
struct ctl_etcd_config {
	const char *endpoints;
	const char *ca;
	const char *cert;
	const char *key;
	const char *prefix;
};

/* An etcd 3.4 cluster through its v3 JSON gateway (engine_etcd.c); keeps the newest
 * history changes it watched in memory. */
int ctl_engine_open_etcd(const struct ctl_etcd_config *cfg, unsigned int history,
			 struct ctl_engine **out);

static inline void ctl_engine_close(struct ctl_engine *e)
{
	e->ops->close(e);
}

/* Bytes the engine takes on disk, or -1. */
static inline int64_t ctl_engine_size(struct ctl_engine *e)
{
	return e->ops->size(e);
}

/* The resourceVersion of the last committed write: what readers and watchers may see. */
static inline uint64_t ctl_engine_committed(struct ctl_engine *e)
{
	return e->ops->committed(e);
}

/*
 * The stored JSON (malloc'd) and its resourceVersion, or NULL with errno ENOENT when absent
 * and EIO when the store could not be read (never a NotFound for that). latest reads
 * through the writer and so also sees grouped writes not committed yet (the controller's
 * own reads); otherwise the last committed state.
 */
static inline char *ctl_engine_get(struct ctl_engine *e, const char *resource,
				   const char *ns, const char *name, bool latest, uint64_t *rv)
{
	return e->ops->get(e, resource, ns, name, latest, rv);
}
/*
 * Calls fn for each object of resource in ns (NULL: all), ordered by namespace and name,
 * from one consistent state whose resourceVersion goes to *at; latest as for
 * ctl_engine_get(). When label_key is not NULL the objects labelled label_key=label_value
 * are scanned (through the label index where the engine has one), and perhaps others: the
 * caller matches its selector. Returns what fn returned, or -EIO.
 */
static inline int ctl_engine_scan(struct ctl_engine *e, const char *resource,
				  const char *ns, const char *label_key,
				  const char *label_value, bool latest, ctl_row_fn fn,
				  void *arg, uint64_t *at)
{
	return e->ops->scan(e, resource, ns, label_key, label_value, latest, fn, arg, at);
}

/*
 * Applies and records one change, whose resourceVersion goes to c->rv. expect is the
 * resourceVersion the row must be at: 0 for "must not exist", CTL_RV_ANY for no check.
 * Returns 0, -EEXIST (exists, expect 0), -ENOENT (absent), -EAGAIN (at another version),
 * or -EIO (a failure also loses the uncommitted grouped writes before it).
 */
static inline int ctl_engine_write(struct ctl_engine *e, struct ctl_change *c,
				   uint64_t expect, bool group)
{
	return e->ops->write(e, c, expect, group);
}
/* Commits the grouped writes. Returns 0, or -EIO when they (or some since the last flush,
 * with a failed write or commit) were lost. */
static inline int ctl_engine_flush(struct ctl_engine *e)
{
	return e->ops->flush(e);
}

/*
 * Sleeps until a write after resourceVersion after is committed, the deadline
 * (CLOCK_MONOTONIC) passes or ctl_engine_stop() is called. Returns the committed
 * resourceVersion, and false in *running after ctl_engine_stop().
 */
static inline uint64_t ctl_engine_wait(struct ctl_engine *e, uint64_t after,
				       const struct timespec *deadline, bool *running)
{
	return e->ops->wait(e, after, deadline, running);
}
/* Wakes every ctl_engine_wait() for good. */
static inline void ctl_engine_stop(struct ctl_engine *e)
{
	e->ops->stop(e);
}

/*
 * Calls fn for the committed changes with after < rv <= upto, in order, at most limit of
 * them; *oldest is where history starts. Without own_bodies, the controller's own changes
 * (internal) may come with the body "" (the reconcile loop skips them; SQLite need not read
 * them). Returns -ERANGE when after is older than that (the reader must start over from a
 * full list), or what fn returned.
 */
static inline int ctl_engine_history(struct ctl_engine *e, uint64_t after, uint64_t upto,
				     unsigned int limit, bool own_bodies, ctl_change_fn fn,
				     void *arg, uint64_t *oldest)
{
	return e->ops->history(e, after, upto, limit, own_bodies, fn, arg, oldest);
}

/*
 * Whether this process may run the reconcilers now: campaigns for the engine's leader lease
 * (and keeps it once held) under identity. Always true for an engine only one process uses.
 * While a process leads, its grouped writes are fenced: they fail once it no longer does.
 */
static inline bool ctl_engine_lead(struct ctl_engine *e, const char *identity)
{
	return e->ops->lead(e, identity);
}

#endif /* CONTROLLER_ENGINE_H */
