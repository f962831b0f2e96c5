// SPDX-License-Identifier: GPL-2.0
/*
 * SQLite in WAL mode with synchronous=FULL: a commit returns after the log is fsynced, and
 * a crash at any point leaves either the whole transaction or none of it. WAL also lets a
 * second connection read the last committed snapshot while the writer's transaction is
 * open, which is how gets and lists see only what is durable.
 *
 * The history table is the watch cache; it is pruned to the newest `history` changes, and
 * meta.compacted records where it starts so that older watches get 410 Gone even after a
 * restart. meta.rv is the resourceVersion counter, committed with the data it numbers.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "controller/storage.h"

/* Prune at most once per this many writes rather than on every one. */
#define PRUNE_EVERY 256
/* A batch commits at least this often, bounding the work a crash can lose. */
#define BATCH_MAX 512

enum {
	Q_GET, Q_SCAN_ALL, Q_SCAN_NS, Q_HISTORY, Q_PUT, Q_DEL, Q_LOG, Q_META, Q_META_GET,
	Q_PRUNE, Q_BEGIN, Q_BEGIN_READ, Q_COMMIT, Q_ROLLBACK, Q_COUNT
};

static const char *const queries[Q_COUNT] = {
	[Q_GET] = "SELECT body FROM objects WHERE resource=?1 AND ns=?2 AND name=?3",
	[Q_SCAN_ALL] = "SELECT body FROM objects WHERE resource=?1 ORDER BY ns, name",
	[Q_SCAN_NS] = "SELECT body FROM objects WHERE resource=?1 AND ns=?2 ORDER BY name",
	[Q_HISTORY] = "SELECT rv, type, resource, ns, name, body FROM history "
		      "WHERE rv>?1 AND rv<=?2 ORDER BY rv LIMIT ?3",
	[Q_PUT] = "INSERT OR REPLACE INTO objects(resource, ns, name, body) VALUES(?1,?2,?3,?4)",
	[Q_DEL] = "DELETE FROM objects WHERE resource=?1 AND ns=?2 AND name=?3",
	[Q_LOG] = "INSERT INTO history(rv, type, resource, ns, name, body) "
		  "VALUES(?1,?2,?3,?4,?5,?6)",
	[Q_META] = "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)",
	[Q_META_GET] = "SELECT value FROM meta WHERE key=?1",
	[Q_PRUNE] = "DELETE FROM history WHERE rv<=?1",
	[Q_BEGIN] = "BEGIN IMMEDIATE",
	[Q_BEGIN_READ] = "BEGIN",
	[Q_COMMIT] = "COMMIT",
	[Q_ROLLBACK] = "ROLLBACK",
};

static const char schema[] =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA synchronous=FULL;"
	"CREATE TABLE IF NOT EXISTS objects(resource TEXT NOT NULL, ns TEXT NOT NULL,"
	" name TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY(resource, ns, name))"
	" WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS history(rv INTEGER PRIMARY KEY, type INTEGER NOT NULL,"
	" resource TEXT NOT NULL, ns TEXT NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);";

struct conn {
	sqlite3 *db;
	sqlite3_stmt *q[Q_COUNT];
};

/**
 * struct ctl_storage - the database
 * @w: the writer connection (caller's store lock)
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
 */
struct ctl_storage {
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
};

static sqlite3_stmt *query(struct conn *c, int which)
{
	sqlite3_stmt *q = c->q[which];

	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return q;
}

static int step(struct conn *c, sqlite3_stmt *q)
{
	int rc = sqlite3_step(q);

	sqlite3_reset(q);
	if (rc == SQLITE_DONE)
		return 0;
	fprintf(stderr, "slice-controller: storage: %s\n", sqlite3_errmsg(c->db));
	return -EIO;
}

static uint64_t meta_read(struct conn *c, const char *key)
{
	sqlite3_stmt *q = query(c, Q_META_GET);
	uint64_t val = 0;

	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		val = (uint64_t)sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return val;
}

static int conn_open(struct conn *c, const char *path)
{
	if (sqlite3_open(path, &c->db) != SQLITE_OK ||
	    sqlite3_exec(c->db, schema, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_busy_timeout(c->db, 10000) != SQLITE_OK) {
		fprintf(stderr, "slice-controller: %s: %s\n", path, sqlite3_errmsg(c->db));
		return -EIO;
	}
	for (int i = 0; i < Q_COUNT; i++)
		if (sqlite3_prepare_v3(c->db, queries[i], -1, SQLITE_PREPARE_PERSISTENT, &c->q[i],
				       NULL) != SQLITE_OK) {
			fprintf(stderr, "slice-controller: %s: %s\n", path, sqlite3_errmsg(c->db));
			return -EIO;
		}
	return 0;
}

static void conn_close(struct conn *c)
{
	for (int i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(c->q[i]);
	sqlite3_close(c->db);
}

int ctl_storage_open(const char *dir, unsigned int history, struct ctl_storage **out)
{
	struct ctl_storage *s = calloc(1, sizeof(*s));
	char path[4096];

	if (!s)
		return -ENOMEM;
	pthread_mutex_init(&s->rlock, NULL);
	s->history = history;
	snprintf(path, sizeof(path), "%s/store.db", dir);
	if (conn_open(&s->w, path) || conn_open(&s->r, path)) {
		ctl_storage_close(s);
		return -EIO;
	}
	s->rv = s->committed = meta_read(&s->w, "rv");
	s->compacted = s->pending_compacted = meta_read(&s->w, "compacted");
	*out = s;
	return 0;
}

void ctl_storage_close(struct ctl_storage *s)
{
	conn_close(&s->r);
	conn_close(&s->w);
	pthread_mutex_destroy(&s->rlock);
	free(s);
}

uint64_t ctl_storage_rv(const struct ctl_storage *s)
{
	return s->rv;
}

uint64_t ctl_storage_committed(const struct ctl_storage *s)
{
	return s->committed;
}

static char *get(struct conn *c, const char *resource, const char *ns, const char *name)
{
	sqlite3_stmt *q = query(c, Q_GET);
	char *body = NULL;

	sqlite3_bind_text(q, 1, resource, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, ns, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, name, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		body = strdup((const char *)sqlite3_column_text(q, 0));
	sqlite3_reset(q);
	return body;
}

static int scan(struct conn *c, const char *resource, const char *ns,
		int (*fn)(void *arg, const char *body), void *arg)
{
	sqlite3_stmt *q = query(c, ns ? Q_SCAN_NS : Q_SCAN_ALL);
	int ret = 0;

	sqlite3_bind_text(q, 1, resource, -1, SQLITE_STATIC);
	if (ns)
		sqlite3_bind_text(q, 2, ns, -1, SQLITE_STATIC);
	while (!ret && sqlite3_step(q) == SQLITE_ROW)
		ret = fn(arg, (const char *)sqlite3_column_text(q, 0));
	sqlite3_reset(q);
	return ret;
}

char *ctl_storage_get(struct ctl_storage *s, const char *resource, const char *ns,
		      const char *name)
{
	return get(&s->w, resource, ns, name);
}

int ctl_storage_scan(struct ctl_storage *s, const char *resource, const char *ns,
		     int (*fn)(void *arg, const char *body), void *arg)
{
	return scan(&s->w, resource, ns, fn, arg);
}

char *ctl_storage_snapshot_get(struct ctl_storage *s, const char *resource, const char *ns,
			       const char *name)
{
	char *body;

	pthread_mutex_lock(&s->rlock);
	body = get(&s->r, resource, ns, name);
	pthread_mutex_unlock(&s->rlock);
	return body;
}

int ctl_storage_snapshot_scan(struct ctl_storage *s, const char *resource, const char *ns,
			      int (*fn)(void *arg, const char *body), void *arg,
			      uint64_t *rv)
{
	int ret;

	pthread_mutex_lock(&s->rlock);
	/* One read transaction: the objects and the counter come from the same commit. */
	ret = step(&s->r, query(&s->r, Q_BEGIN_READ));
	if (!ret) {
		*rv = meta_read(&s->r, "rv");
		ret = scan(&s->r, resource, ns, fn, arg);
		step(&s->r, query(&s->r, Q_COMMIT));
	}
	pthread_mutex_unlock(&s->rlock);
	return ret;
}

int ctl_storage_snapshot_history(struct ctl_storage *s, uint64_t after, uint64_t upto,
				 unsigned int limit,
				 int (*fn)(void *arg, const struct ctl_change *c), void *arg,
				 uint64_t *oldest)
{
	sqlite3_stmt *q;
	int ret;

	pthread_mutex_lock(&s->rlock);
	ret = step(&s->r, query(&s->r, Q_BEGIN_READ));
	if (ret)
		goto out_unlock;
	/* Where history starts, from the same snapshot as the rows. */
	*oldest = meta_read(&s->r, "compacted");
	if (after < *oldest) {
		ret = -ERANGE;
		goto out_commit;
	}
	q = query(&s->r, Q_HISTORY);
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
		};

		ret = fn(arg, &c);
	}
	sqlite3_reset(q);
out_commit:
	step(&s->r, query(&s->r, Q_COMMIT));
out_unlock:
	pthread_mutex_unlock(&s->rlock);
	return ret;
}

static int meta_write(struct ctl_storage *s, const char *key, uint64_t val)
{
	sqlite3_stmt *q = query(&s->w, Q_META);

	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)val);
	return step(&s->w, q);
}

/* Drops history up to rv - history once in a while, inside the open transaction. */
static int prune(struct ctl_storage *s, uint64_t rv)
{
	unsigned int every = s->history / 8 + 1 < PRUNE_EVERY ? s->history / 8 + 1 : PRUNE_EVERY;
	sqlite3_stmt *q;
	uint64_t upto;

	if (++s->since_prune < every || rv <= s->pending_compacted + s->history)
		return 0;
	s->since_prune = 0;
	upto = rv - s->history;
	q = query(&s->w, Q_PRUNE);
	sqlite3_bind_int64(q, 1, (sqlite3_int64)upto);
	if (step(&s->w, q) || meta_write(s, "compacted", upto))
		return -EIO;
	s->pending_compacted = upto;
	return 0;
}

static int apply(struct ctl_storage *s, const struct ctl_change *c)
{
	sqlite3_stmt *q = query(&s->w, c->type == CTL_DELETED ? Q_DEL : Q_PUT);

	sqlite3_bind_text(q, 1, c->resource, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, c->ns, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, c->name, -1, SQLITE_STATIC);
	if (c->type != CTL_DELETED)
		sqlite3_bind_text(q, 4, c->body, -1, SQLITE_STATIC);
	if (step(&s->w, q))
		return -EIO;

	q = query(&s->w, Q_LOG);
	sqlite3_bind_int64(q, 1, (sqlite3_int64)c->rv);
	sqlite3_bind_int(q, 2, c->type);
	sqlite3_bind_text(q, 3, c->resource, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, c->ns, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, c->body, -1, SQLITE_STATIC);
	if (step(&s->w, q))
		return -EIO;
	return meta_write(s, "rv", c->rv);
}

static int commit(struct ctl_storage *s)
{
	if (step(&s->w, query(&s->w, Q_COMMIT)))
		return -EIO;
	s->in_txn = false;
	s->batch_writes = 0;
	s->committed = s->rv;
	s->compacted = s->pending_compacted;
	return 0;
}

static void rollback(struct ctl_storage *s)
{
	step(&s->w, query(&s->w, Q_ROLLBACK));
	s->in_txn = false;
	s->batch_writes = 0;
	s->rv = s->committed;
	s->pending_compacted = s->compacted;
}

int ctl_storage_write(struct ctl_storage *s, const struct ctl_change *c, bool group)
{
	if (!s->in_txn) {
		if (step(&s->w, query(&s->w, Q_BEGIN)))
			return -EIO;
		s->in_txn = true;
	}
	if (apply(s, c) || prune(s, c->rv))
		goto err_rollback;
	s->rv = c->rv;
	if ((!group || ++s->batch_writes >= BATCH_MAX) && commit(s))
		goto err_rollback;
	return 0;

err_rollback:
	rollback(s);
	return -EIO;
}

int ctl_storage_flush(struct ctl_storage *s)
{
	if (s->in_txn && commit(s)) {
		rollback(s);
		return -EIO;
	}
	return 0;
}
