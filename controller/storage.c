// SPDX-License-Identifier: GPL-2.0
/*
 * SQLite in WAL mode with synchronous=FULL: a commit returns after the log is fsynced, and
 * a crash at any point leaves either the whole change or none of it. The history table is
 * the watch cache; it is pruned to the newest `history` changes, and meta.compacted records
 * where it starts so that older watches get 410 Gone even after a restart.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "controller/storage.h"

/* Prune at most once per this many writes rather than on every one. */
#define PRUNE_EVERY 256

enum {
	Q_GET, Q_SCAN_ALL, Q_SCAN_NS, Q_HISTORY, Q_PUT, Q_DEL, Q_LOG, Q_META, Q_PRUNE,
	Q_BEGIN, Q_COMMIT, Q_ROLLBACK, Q_COUNT
};

static const char *const queries[Q_COUNT] = {
	[Q_GET] = "SELECT body FROM objects WHERE resource=?1 AND ns=?2 AND name=?3",
	[Q_SCAN_ALL] = "SELECT body FROM objects WHERE resource=?1 ORDER BY ns, name",
	[Q_SCAN_NS] = "SELECT body FROM objects WHERE resource=?1 AND ns=?2 ORDER BY name",
	[Q_HISTORY] = "SELECT rv, type, resource, ns, name, body FROM history WHERE rv>?1 "
		      "ORDER BY rv LIMIT ?2",
	[Q_PUT] = "INSERT OR REPLACE INTO objects(resource, ns, name, body) VALUES(?1,?2,?3,?4)",
	[Q_DEL] = "DELETE FROM objects WHERE resource=?1 AND ns=?2 AND name=?3",
	[Q_LOG] = "INSERT INTO history(rv, type, resource, ns, name, body) "
		  "VALUES(?1,?2,?3,?4,?5,?6)",
	[Q_META] = "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)",
	[Q_PRUNE] = "DELETE FROM history WHERE rv<=?1",
	[Q_BEGIN] = "BEGIN IMMEDIATE",
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

struct ctl_storage {
	sqlite3 *db;
	sqlite3_stmt *q[Q_COUNT];
	uint64_t rv;
	uint64_t compacted;
	unsigned int history;
	unsigned int since_prune;
};

static int meta_read(struct ctl_storage *s, const char *key, uint64_t *val)
{
	sqlite3_stmt *q;
	int rc;

	rc = sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key=?1", -1, &q, NULL);
	if (rc != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	*val = sqlite3_step(q) == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(q, 0) : 0;
	sqlite3_finalize(q);
	return 0;
}

int ctl_storage_open(const char *dir, unsigned int history, struct ctl_storage **out)
{
	struct ctl_storage *s = calloc(1, sizeof(*s));
	char path[4096];
	int i;

	if (!s)
		return -ENOMEM;
	s->history = history;
	snprintf(path, sizeof(path), "%s/store.db", dir);
	if (sqlite3_open(path, &s->db) != SQLITE_OK)
		goto err_db;
	if (sqlite3_exec(s->db, schema, NULL, NULL, NULL) != SQLITE_OK)
		goto err_db;
	for (i = 0; i < Q_COUNT; i++)
		if (sqlite3_prepare_v3(s->db, queries[i], -1, SQLITE_PREPARE_PERSISTENT, &s->q[i],
				       NULL) != SQLITE_OK)
			goto err_db;
	if (meta_read(s, "rv", &s->rv) || meta_read(s, "compacted", &s->compacted))
		goto err_db;
	*out = s;
	return 0;

err_db:
	fprintf(stderr, "slice-controller: %s: %s\n", path, sqlite3_errmsg(s->db));
	ctl_storage_close(s);
	return -EIO;
}

void ctl_storage_close(struct ctl_storage *s)
{
	for (int i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(s->q[i]);
	sqlite3_close(s->db);
	free(s);
}

uint64_t ctl_storage_rv(const struct ctl_storage *s)
{
	return s->rv;
}

uint64_t ctl_storage_compacted(const struct ctl_storage *s)
{
	return s->compacted;
}

static sqlite3_stmt *query(struct ctl_storage *s, int which)
{
	sqlite3_stmt *q = s->q[which];

	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return q;
}

char *ctl_storage_get(struct ctl_storage *s, const char *resource, const char *ns,
		      const char *name)
{
	sqlite3_stmt *q = query(s, Q_GET);
	char *body = NULL;

	sqlite3_bind_text(q, 1, resource, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, ns, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, name, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		body = strdup((const char *)sqlite3_column_text(q, 0));
	sqlite3_reset(q);
	return body;
}

int ctl_storage_scan(struct ctl_storage *s, const char *resource, const char *ns,
		     int (*fn)(void *arg, const char *body), void *arg)
{
	sqlite3_stmt *q = query(s, ns ? Q_SCAN_NS : Q_SCAN_ALL);
	int ret = 0;

	sqlite3_bind_text(q, 1, resource, -1, SQLITE_STATIC);
	if (ns)
		sqlite3_bind_text(q, 2, ns, -1, SQLITE_STATIC);
	while (!ret && sqlite3_step(q) == SQLITE_ROW)
		ret = fn(arg, (const char *)sqlite3_column_text(q, 0));
	sqlite3_reset(q);
	return ret;
}

int ctl_storage_history(struct ctl_storage *s, uint64_t after, unsigned int limit,
			int (*fn)(void *arg, const struct ctl_change *c), void *arg)
{
	sqlite3_stmt *q = query(s, Q_HISTORY);
	int ret = 0;

	sqlite3_bind_int64(q, 1, (sqlite3_int64)after);
	sqlite3_bind_int(q, 2, (int)limit);
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
	return ret;
}

static int step(struct ctl_storage *s, sqlite3_stmt *q)
{
	int rc = sqlite3_step(q);

	sqlite3_reset(q);
	if (rc == SQLITE_DONE)
		return 0;
	fprintf(stderr, "slice-controller: storage: %s\n", sqlite3_errmsg(s->db));
	return -EIO;
}

static int meta_write(struct ctl_storage *s, const char *key, uint64_t val)
{
	sqlite3_stmt *q = query(s, Q_META);

	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)val);
	return step(s, q);
}

/* Drops history up to upto inside the caller's transaction. */
static int prune(struct ctl_storage *s, uint64_t upto)
{
	sqlite3_stmt *q = query(s, Q_PRUNE);

	sqlite3_bind_int64(q, 1, (sqlite3_int64)upto);
	if (step(s, q))
		return -EIO;
	return meta_write(s, "compacted", upto);
}

static int apply(struct ctl_storage *s, const struct ctl_change *c)
{
	sqlite3_stmt *q = query(s, c->type == CTL_DELETED ? Q_DEL : Q_PUT);

	sqlite3_bind_text(q, 1, c->resource, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, c->ns, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, c->name, -1, SQLITE_STATIC);
	if (c->type != CTL_DELETED)
		sqlite3_bind_text(q, 4, c->body, -1, SQLITE_STATIC);
	if (step(s, q))
		return -EIO;

	q = query(s, Q_LOG);
	sqlite3_bind_int64(q, 1, (sqlite3_int64)c->rv);
	sqlite3_bind_int(q, 2, c->type);
	sqlite3_bind_text(q, 3, c->resource, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, c->ns, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, c->body, -1, SQLITE_STATIC);
	if (step(s, q))
		return -EIO;
	return meta_write(s, "rv", c->rv);
}

int ctl_storage_write(struct ctl_storage *s, const struct ctl_change *c)
{
	unsigned int every = s->history / 8 + 1 < PRUNE_EVERY ? s->history / 8 + 1 : PRUNE_EVERY;
	bool prune_due = s->since_prune + 1 >= every && c->rv > s->compacted + s->history;
	uint64_t upto = prune_due ? c->rv - s->history : 0;

	if (step(s, query(s, Q_BEGIN)))
		return -EIO;
	if (apply(s, c) || (prune_due && prune(s, upto)))
		goto err_rollback;
	if (step(s, query(s, Q_COMMIT)))
		goto err_rollback;
	s->rv = c->rv;
	s->since_prune = prune_due ? 0 : s->since_prune + 1;
	if (prune_due)
		s->compacted = upto;
	return 0;

err_rollback:
	step(s, query(s, Q_ROLLBACK));
	return -EIO;
}
