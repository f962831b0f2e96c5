// SPDX-License-Identifier: GPL-2.0
/*
 * SQLite in WAL mode with synchronous=FULL: a commit returns after the log is fsynced, and
 * a crash at any point leaves either the whole transaction or none of it. WAL also lets a
 * second connection read the last committed snapshot while the writer's transaction is
 * open, which is how gets and lists see only what is durable.
 *
 * The history table is the watch cache; it is pruned to the newest `history` changes, and
 * meta.compacted records where it starts so that older watches get 410 Gone even after a
 * restart. A change's body is kept once: while it is its object's current state, only the
 * object row has it. meta.rv is the resourceVersion counter, committed with the data it
 * numbers.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "api/kubeslice.h"
#include "api/log.h"
#include "controller/engine.h"
#include "controller/engine_sqlite_int.h"

/* Prune at most once per this many writes rather than on every one. */
#define PRUNE_EVERY 256
/*
 * A batch commits at least this often, bounding the work a crash can lose (the reconcilers
 * redo it). The WAL takes each page a commit touches, so a partly filled page is written
 * once per commit until it fills: 2048 rather than 512 wrote 7 % fewer WAL frames and 14 %
 * fewer fsyncs at 100 x 20 x 10 (bench/controller/README.md, session 11).
 */
#define BATCH_MAX 2048
/* Client writes that may wait for one shared commit. */
#define GROUP_MAX 64

/**
 * struct sqlite_engine - the database
 * @base: what engine.h dispatches on
 * @lock: serializes @w and every field below but @r, @rlock and @history
 * @changed: broadcast when @committed advances and on stop
 * @w: the writer connection
 * @r: the snapshot reader connection
 * @rlock: serializes use of @r
 * @rv: last resourceVersion written (in the open transaction, if any)
 * @committed: last resourceVersion committed
 * @compacted: history holds every committed change after this
 * @pending_compacted: @compacted once the open transaction commits
 * @history: changes of history to keep
 * @since_prune: writes since the last pruning
 * @in_txn: @w has a transaction open
 * @batch_writes: grouped writes in the open transaction
 * @unsynced: ungrouped writes in the open transaction, whose writers wait for its commit
 * @aborts: rollbacks so far (a waiting writer whose transaction was lost fails)
 * @flushed_aborts: @aborts at the last sq_flush() (a rollback since lost grouped writes)
 * @arriving: writers about to take @lock (atomic; read under @lock for group commit)
 * @stopping: sq_stop() was called
 * @path: the database file
 */
struct sqlite_engine {
	struct ctl_engine base;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct conn w;
	struct conn r;
	pthread_mutex_t rlock;
	uint64_t rv;
	uint64_t committed;
	uint64_t compacted;
	uint64_t pending_compacted;
	unsigned int history;
	unsigned int since_prune;
	bool in_txn;
	unsigned int batch_writes;
	unsigned int unsynced;
	uint64_t aborts;
	uint64_t flushed_aborts;
	unsigned int arriving;
	bool stopping;
	char path[4096];
};

static struct sqlite_engine *to_sq(struct ctl_engine *base)
{
	return (struct sqlite_engine *)base;
}

static void sq_close(struct ctl_engine *base)
{
	struct sqlite_engine *e = to_sq(base);
	sq_conn_close(&e->r);
	sq_conn_close(&e->w);
	pthread_cond_destroy(&e->changed);
	pthread_mutex_destroy(&e->rlock);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

static int64_t sq_size(struct ctl_engine *base)
{
	struct sqlite_engine *e = to_sq(base);
	static const char *const suffixes[] = { "", "-wal", NULL };
	int64_t total = 0;

	for (const char *const *sfx = suffixes; *sfx; sfx++) {
		char path[4200];
		struct stat sb;

		snprintf(path, sizeof(path), "%s%s", e->path, *sfx);
		if (!stat(path, &sb))
			total += sb.st_size;
		else if (!**sfx)
			return -1;
	}
	return total;
}

static uint64_t sq_committed(struct ctl_engine *base)
{
	struct sqlite_engine *e = to_sq(base);

	return ctl_engine_committed_read(&e->lock, &e->committed);
}

/* The row's body (malloc'd) and resourceVersion, or NULL. */
static char *get(struct conn *c, const char *resource, const char *ns, const char *name,
		 uint64_t *rv)
{
	sqlite3_stmt *q = sq_query(c, Q_GET);
	char *body = NULL;
	int rc;

	sqlite3_bind_text(q, 1, resource, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, ns, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		body = strdup((const char *)sqlite3_column_text(q, 0));
		if (rv)
			*rv = (uint64_t)sqlite3_column_int64(q, 1);
	}
	sqlite3_reset(q);
	if (!body)
		errno = rc == SQLITE_DONE ? ENOENT : rc == SQLITE_ROW ? ENOMEM : EIO;
	return body;
}

/*
 * Labels left out of the index. Every object the controller derives carries the first
 * three with one value per project (its namespace, the controller as manager and as
 * owner), so selecting by one selects about all objects of the kind in the namespace,
 * which a scan of the kind reads as fast. Nothing selects by the last two (the reconcilers
 * select by slice and worker cluster, sliced by worker cluster): a selector on them scans
 * the kind. Left out, a gateway or its Secret has two index rows, not eight.
 */
static bool label_indexed(const char *key)
{
	static const char *const unindexed[] = {
		KS_LABEL_MANAGER, KS_LABEL_RESOURCE_OWNER, KS_LABEL_PROJECT_NS,
		KS_LABEL_RESOURCE_NAME, KS_LABEL_REMOTE_CLUSTER, NULL,
	};

	for (const char *const *u = unindexed; *u; u++)
		if (!strcmp(key, *u))
			return false;
	return true;
}

static int scan(struct conn *c, const char *resource, const char *ns, const char *key,
		const char *value, ctl_row_fn fn, void *arg)
{
	sqlite3_stmt *q;
	int ret = 0;

	if (key && !label_indexed(key))
		key = NULL;	/* every object of the kind: the caller matches its selector */
	q = sq_query(c, key ? (ns ? Q_SCAN_LABEL_NS : Q_SCAN_LABEL_ALL) :
			   (ns ? Q_SCAN_NS : Q_SCAN_ALL));

	sqlite3_bind_text(q, 1, resource, -1, SQLITE_STATIC);
	if (ns)
		sqlite3_bind_text(q, 2, ns, -1, SQLITE_STATIC);
	if (key) {
		sqlite3_bind_text(q, 3, key, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 4, value, -1, SQLITE_STATIC);
	}
	while (!ret && sqlite3_step(q) == SQLITE_ROW)
		ret = fn(arg, (const char *)sqlite3_column_text(q, 0),
			 (uint64_t)sqlite3_column_int64(q, 1));
	sqlite3_reset(q);
	return ret;
}

static char *sq_get(struct ctl_engine *base, const char *resource, const char *ns,
		     const char *name, bool latest, uint64_t *rv)
{
	struct sqlite_engine *e = to_sq(base);
	pthread_mutex_t *lock = latest ? &e->lock : &e->rlock;
	char *body;

	pthread_mutex_lock(lock);
	body = get(latest ? &e->w : &e->r, resource, ns, name, rv);
	pthread_mutex_unlock(lock);
	return body;
}

static int sq_scan(struct ctl_engine *base, const char *resource, const char *ns,
		    const char *label_key, const char *label_value, bool latest,
		    ctl_row_fn fn, void *arg, uint64_t *at)
{
	struct sqlite_engine *e = to_sq(base);
	int ret;

	if (latest) {
		pthread_mutex_lock(&e->lock);
		*at = e->rv;
		ret = scan(&e->w, resource, ns, label_key, label_value, fn, arg);
		pthread_mutex_unlock(&e->lock);
		return ret;
	}
	pthread_mutex_lock(&e->rlock);
	/* One read transaction: the objects and the counter come from the same commit. */
	ret = sq_step(&e->r, sq_query(&e->r, Q_BEGIN_READ));
	if (!ret) {
		*at = sq_meta_read(&e->r, "rv");
		ret = scan(&e->r, resource, ns, label_key, label_value, fn, arg);
		sq_step(&e->r, sq_query(&e->r, Q_COMMIT));
	}
	pthread_mutex_unlock(&e->rlock);
	return ret;
}

static int sq_history(struct ctl_engine *base, uint64_t after, uint64_t upto,
		       unsigned int limit, bool own_bodies, ctl_change_fn fn, void *arg,
		       uint64_t *oldest)
{
	struct sqlite_engine *e = to_sq(base);
	sqlite3_stmt *q;
	int ret;

	pthread_mutex_lock(&e->rlock);
	ret = sq_step(&e->r, sq_query(&e->r, Q_BEGIN_READ));
	if (ret)
		goto out_unlock;
	/* Where history starts, from the same snapshot as the rows. */
	*oldest = sq_meta_read(&e->r, "compacted");
	if (after < *oldest) {
		ret = -ERANGE;
		goto out_commit;
	}
	q = sq_query(&e->r, own_bodies ? Q_HISTORY : Q_HISTORY_FOREIGN);
	sqlite3_bind_int64(q, 1, (sqlite3_int64)after);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)upto);
	sqlite3_bind_int(q, 3, (int)limit);
	while (!ret && sqlite3_step(q) == SQLITE_ROW) {
		struct ctl_change c = {
			.rv = (uint64_t)sqlite3_column_int64(q, 0),
			.type = sqlite3_column_int(q, 1),
			.resource = (const char *)sqlite3_column_text(q, 2),
			.ns = (const char *)sqlite3_column_text(q, 3),
			.name = (const char *)sqlite3_column_text(q, 4),
			.body = (const char *)sqlite3_column_text(q, 5),
			.internal = sqlite3_column_int(q, 6),
		};

		if (!c.body) {
			ks_log(LOG_ERR, "storage: change %llu has no body",
			       (unsigned long long)c.rv);
			ret = -EIO;
			break;
		}
		ret = fn(arg, &c);
	}
	sqlite3_reset(q);
out_commit:
	sq_step(&e->r, sq_query(&e->r, Q_COMMIT));
out_unlock:
	pthread_mutex_unlock(&e->rlock);
	return ret;
}

static uint64_t sq_wait(struct ctl_engine *base, uint64_t after, const struct timespec *deadline,
			 bool *running)
{
	struct sqlite_engine *e = to_sq(base);

	return ctl_engine_committed_wait(&e->lock, &e->changed, &e->committed, &e->stopping,
					 after, deadline, running);
}

static void sq_stop(struct ctl_engine *base)
{
	struct sqlite_engine *e = to_sq(base);
	pthread_mutex_lock(&e->lock);
	e->stopping = true;
	pthread_cond_broadcast(&e->changed);
	pthread_mutex_unlock(&e->lock);
}

static int meta_write(struct sqlite_engine *e, const char *key, uint64_t val)
{
	sqlite3_stmt *q = sq_query(&e->w, Q_META);

	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)val);
	return sq_step(&e->w, q);
}

/* Drops history up to rv - history once in a while, inside the open transaction. */
static int prune(struct sqlite_engine *e, uint64_t rv)
{
	unsigned int every = e->history / 8 + 1 < PRUNE_EVERY ? e->history / 8 + 1 : PRUNE_EVERY;
	sqlite3_stmt *q;
	uint64_t upto;

	if (++e->since_prune < every || rv <= e->pending_compacted + e->history)
		return 0;
	e->since_prune = 0;
	upto = rv - e->history;
	q = sq_query(&e->w, Q_PRUNE);
	sqlite3_bind_int64(q, 1, (sqlite3_int64)upto);
	if (sq_step(&e->w, q) || meta_write(e, "compacted", upto))
		return -EIO;
	e->pending_compacted = upto;
	return 0;
}

/* The object's rows of the label index, replaced by its labels now. */
static int index_labels(struct sqlite_engine *e, const struct ctl_change *c)
{
	sqlite3_stmt *q = sq_query(&e->w, Q_LABELS_DEL);

	/* A new object has no rows yet: its name's last rows went with its delete. */
	if (c->type != CTL_ADDED) {
		sqlite3_bind_text(q, 1, c->resource, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, c->ns, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 3, c->name, -1, SQLITE_STATIC);
		if (sq_step(&e->w, q))
			return -EIO;
	}
	if (c->type == CTL_DELETED || !c->labels)
		return 0;
	for (const char *const *l = c->labels; l[0] && l[1]; l += 2) {
		if (!label_indexed(l[0]))
			continue;
		q = sq_query(&e->w, Q_LABEL_PUT);
		sqlite3_bind_text(q, 1, c->resource, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, c->ns, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 3, l[0], -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 4, l[1], -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 5, c->name, -1, SQLITE_STATIC);
		if (sq_step(&e->w, q))
			return -EIO;
	}
	return 0;
}

/* The row itself; with must_add, -EEXIST (and nothing written) when it exists. */
static int put_row(struct sqlite_engine *e, const struct ctl_change *c, bool must_add)
{
	sqlite3_stmt *q = sq_query(&e->w, c->type == CTL_DELETED ? Q_DEL :
					  must_add ? Q_ADD : Q_PUT);
	int rc;

	sqlite3_bind_text(q, 1, c->resource, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, c->ns, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, c->name, -1, SQLITE_STATIC);
	if (c->type != CTL_DELETED) {
		sqlite3_bind_text(q, 4, c->body, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 5, (sqlite3_int64)c->rv);
	}
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc == SQLITE_DONE)
		return 0;
	/* A failed statement is undone alone: the transaction's other writes stay. */
	if (must_add && (rc & 0xff) == SQLITE_CONSTRAINT)
		return -EEXIST;
	ks_log(LOG_ERR, "storage: %s", sqlite3_errmsg(e->w.db));
	return -EIO;
}

/* The history entry of the row about to be replaced or deleted, given its own body. */
static int keep_body(struct sqlite_engine *e, const struct ctl_change *c)
{
	sqlite3_stmt *q = sq_query(&e->w, Q_KEEP);

	sqlite3_bind_text(q, 1, c->resource, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, c->ns, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, c->name, -1, SQLITE_STATIC);
	return sq_step(&e->w, q);
}

/*
 * The row, its label index and its history entry; -EEXIST as put_row(). The entry of a
 * create or update has the body '' (the row has it: one copy written, not two) until the
 * row is replaced or deleted, when the entry gets the body it had (keep_body()).
 */
static int apply(struct sqlite_engine *e, const struct ctl_change *c, bool must_add)
{
	sqlite3_stmt *q;
	int ret;

	if (!must_add && keep_body(e, c))
		return -EIO;
	ret = put_row(e, c, must_add);
	if (ret)
		return ret;
	if (index_labels(e, c))
		return -EIO;

	q = sq_query(&e->w, Q_LOG);
	sqlite3_bind_int64(q, 1, (sqlite3_int64)c->rv);
	sqlite3_bind_int(q, 2, c->type);
	sqlite3_bind_text(q, 3, c->resource, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, c->ns, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, c->type == CTL_DELETED ? c->body : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 7, c->internal);
	return sq_step(&e->w, q);
}

/* The counter is written once per transaction, with the data it numbers. */
static int commit(struct sqlite_engine *e)
{
	if (meta_write(e, "rv", e->rv) || sq_step(&e->w, sq_query(&e->w, Q_COMMIT)))
		return -EIO;
	e->in_txn = false;
	e->batch_writes = 0;
	e->unsynced = 0;
	e->committed = e->rv;
	e->compacted = e->pending_compacted;
	pthread_cond_broadcast(&e->changed);
	return 0;
}

static void rollback(struct sqlite_engine *e)
{
	sq_step(&e->w, sq_query(&e->w, Q_ROLLBACK));
	e->in_txn = false;
	e->batch_writes = 0;
	e->unsynced = 0;
	e->aborts++;
	/* Writers waiting for a commit of what was just lost give up. */
	pthread_cond_broadcast(&e->changed);
	e->rv = e->committed;
	e->pending_compacted = e->compacted;
}

/* Whether the row is where the writer expects it. Caller holds e->lock. */
static int check_expected(struct sqlite_engine *e, const struct ctl_change *c, uint64_t expect)
{
	uint64_t rv = 0;
	char *body;

	/* "Must not exist" is the create's insert itself (apply()). */
	if (expect == CTL_RV_ANY || !expect)
		return 0;
	body = get(&e->w, c->resource, c->ns, c->name, &rv);
	free(body);
	if (!body)
		return -ENOENT;
	return rv == expect ? 0 : -EAGAIN;
}

/*
 * Group commit: commits now unless another writer is on its way in (it will commit, or
 * the next one), so that writers arriving during one fsync share the next. GROUP_MAX
 * bounds how long a steady stream of writers can defer a commit. Caller holds e->lock.
 */
static void commit_if_last(struct sqlite_engine *e)
{
	if (!e->unsynced ||
	    (__atomic_load_n(&e->arriving, __ATOMIC_ACQUIRE) && e->unsynced < GROUP_MAX))
		return;
	if (commit(e))
		rollback(e);
}

static int sq_write(struct ctl_engine *base, struct ctl_change *c, uint64_t expect,
		     bool group)
{
	struct sqlite_engine *e = to_sq(base);
	uint64_t aborts;
	int ret;

	__atomic_add_fetch(&e->arriving, 1, __ATOMIC_RELEASE);
	pthread_mutex_lock(&e->lock);
	__atomic_sub_fetch(&e->arriving, 1, __ATOMIC_RELEASE);
	ret = check_expected(e, c, expect);
	if (ret)
		goto out_unlock;
	ret = -EIO;
	if (!e->in_txn) {
		if (sq_step(&e->w, sq_query(&e->w, Q_BEGIN)))
			goto out_unlock;
		e->in_txn = true;
	}
	c->rv = e->rv + 1;
	c->internal = group;
	ret = apply(e, c, !expect);
	if (ret == -EEXIST)
		goto out_unlock;
	if (ret || prune(e, c->rv)) {
		ret = -EIO;
		rollback(e);
		goto out_unlock;
	}
	e->rv = c->rv;
	ret = 0;
	if (group) {
		if (++e->batch_writes >= BATCH_MAX && commit(e)) {
			rollback(e);
			ret = -EIO;
		}
		goto out_unlock;
	}
	/* Durable before it returns: in this commit or one shared with later writers. */
	e->unsynced++;
	aborts = e->aborts;
	while (e->committed < c->rv && e->aborts == aborts) {
		commit_if_last(e);
		if (e->committed < c->rv && e->aborts == aborts)
			pthread_cond_wait(&e->changed, &e->lock);
	}
	if (e->committed < c->rv)
		ret = -EIO;
out_unlock:
	commit_if_last(e);
	pthread_mutex_unlock(&e->lock);
	return ret;
}

static int sq_flush(struct ctl_engine *base)
{
	struct sqlite_engine *e = to_sq(base);
	int ret = 0;

	pthread_mutex_lock(&e->lock);
	if (e->in_txn && commit(e)) {
		rollback(e);
		ret = -EIO;
	}
	/* Any rollback since the last flush lost what was grouped before it. */
	if (e->aborts != e->flushed_aborts)
		ret = -EIO;
	e->flushed_aborts = e->aborts;
	pthread_mutex_unlock(&e->lock);
	return ret;
}

static bool sq_lead(struct ctl_engine *base, const char *identity)
{
	/* One process owns the data directory. */
	return true;
}

static const struct ctl_engine_ops sqlite_ops = {
	.close = sq_close,
	.size = sq_size,
	.committed = sq_committed,
	.get = sq_get,
	.scan = sq_scan,
	.write = sq_write,
	.flush = sq_flush,
	.wait = sq_wait,
	.stop = sq_stop,
	.history = sq_history,
	.lead = sq_lead,
};

int ctl_engine_open_sqlite(const char *dir, unsigned int history, struct ctl_engine **out)
{
	struct sqlite_engine *e = calloc(1, sizeof(*e));
	pthread_condattr_t cattr;

	if (!e)
		return -ENOMEM;
	pthread_mutex_init(&e->lock, NULL);
	pthread_mutex_init(&e->rlock, NULL);
	pthread_condattr_init(&cattr);
	pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC);
	pthread_cond_init(&e->changed, &cattr);
	pthread_condattr_destroy(&cattr);
	e->history = history;
	snprintf(e->path, sizeof(e->path), "%s/store.db", dir);
	if (sq_conn_open(&e->w, e->path, true) || sq_conn_open(&e->r, e->path, false)) {
		sq_close(&e->base);
		return -EIO;
	}
	e->rv = e->committed = sq_meta_read(&e->w, "rv");
	e->compacted = e->pending_compacted = sq_meta_read(&e->w, "compacted");
	e->base.ops = &sqlite_ops;
	*out = &e->base;
	return 0;
}
