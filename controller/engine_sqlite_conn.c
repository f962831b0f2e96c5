// SPDX-License-Identifier: GPL-2.0
/*
 * The SQLite engine's SQL: the schema, its upgrades from older layouts, the prepared
 * queries, and a connection with them (see engine_sqlite_int.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <sqlite3.h>

#include "api/log.h"
#include "controller/engine_sqlite_int.h"

/* The body of a change that is its object's current state (read only when CASE gets here). */
#define HISTORY_ROW "(SELECT o.body FROM objects o WHERE o.resource=history.resource AND " \
	"o.ns=history.ns AND o.name=history.name AND o.rv=history.rv)"

static const char *const queries[Q_COUNT] = {
	[Q_GET] = "SELECT body, rv FROM objects WHERE resource=?1 AND ns=?2 AND name=?3",
	[Q_SCAN_ALL] = "SELECT body, rv FROM objects WHERE resource=?1 ORDER BY ns, name",
	[Q_SCAN_NS] = "SELECT body, rv FROM objects WHERE resource=?1 AND ns=?2 ORDER BY name",
	[Q_SCAN_LABEL_ALL] = "SELECT o.body, o.rv FROM labels l JOIN objects o "
			     "ON o.resource=l.resource AND o.ns=l.ns AND o.name=l.name "
			     "WHERE l.resource=?1 AND l.key=?3 AND l.value=?4 ORDER BY l.ns, l.name",
	[Q_SCAN_LABEL_NS] = "SELECT o.body, o.rv FROM labels l JOIN objects o "
			    "ON o.resource=l.resource AND o.ns=l.ns AND o.name=l.name "
			    "WHERE l.resource=?1 AND l.ns=?2 AND l.key=?3 AND l.value=?4 "
			    "ORDER BY l.name",
	/*
	 * A change whose body is '' is the object's current row (engine_sqlite.c, apply()): its
	 * body is read from there, and is NULL if that ever were not so.
	 */
	[Q_HISTORY] = "SELECT rv, type, resource, ns, name, CASE WHEN body='' THEN " HISTORY_ROW
		      " ELSE body END, internal FROM history WHERE rv>?1 AND rv<=?2 "
		      "ORDER BY rv LIMIT ?3",
	/* The same without the bodies of the controller's own changes (the reconcile loop's). */
	[Q_HISTORY_FOREIGN] = "SELECT rv, type, resource, ns, name, CASE WHEN internal THEN '' "
			      "WHEN body='' THEN " HISTORY_ROW " ELSE body END, internal "
			      "FROM history WHERE rv>?1 AND rv<=?2 ORDER BY rv LIMIT ?3",
	[Q_PUT] = "INSERT OR REPLACE INTO objects(resource, ns, name, body, rv) "
		  "VALUES(?1,?2,?3,?4,?5)",
	/* A create: fails on the primary key when the row exists (no read before it). */
	[Q_ADD] = "INSERT INTO objects(resource, ns, name, body, rv) VALUES(?1,?2,?3,?4,?5)",
	[Q_DEL] = "DELETE FROM objects WHERE resource=?1 AND ns=?2 AND name=?3",
	[Q_LOG] = "INSERT INTO history(rv, type, resource, ns, name, body, internal) "
		  "VALUES(?1,?2,?3,?4,?5,?6,?7)",
	/* Before a row is replaced or deleted: its change in the history gets its own body. */
	[Q_KEEP] = "UPDATE history SET body=(SELECT body FROM objects "
		   "WHERE resource=?1 AND ns=?2 AND name=?3) "
		   "WHERE rv=(SELECT rv FROM objects WHERE resource=?1 AND ns=?2 AND name=?3) "
		   "AND body=''",
	[Q_LABELS_DEL] = "DELETE FROM labels WHERE resource=?1 AND ns=?2 AND name=?3",
	[Q_LABEL_PUT] = "INSERT OR REPLACE INTO labels(resource, ns, key, value, name) "
			"VALUES(?1,?2,?3,?4,?5)",
	[Q_META] = "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)",
	[Q_META_GET] = "SELECT value FROM meta WHERE key=?1",
	[Q_PRUNE] = "DELETE FROM history WHERE rv<=?1",
	[Q_BEGIN] = "BEGIN IMMEDIATE",
	[Q_BEGIN_READ] = "BEGIN",
	[Q_COMMIT] = "COMMIT",
	[Q_ROLLBACK] = "ROLLBACK",
};

#define OBJECTS_TABLE \
	"CREATE TABLE IF NOT EXISTS objects(resource TEXT NOT NULL, ns TEXT NOT NULL," \
	" name TEXT NOT NULL, body TEXT NOT NULL, rv INTEGER NOT NULL DEFAULT 0);"

static const char schema[] =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA synchronous=FULL;"
	/* Reads of a large store come from the mapping, not through pread() copies. */
	"PRAGMA mmap_size=4294967296;"
	"PRAGMA cache_size=-32768;"
	/* Checkpoints of 8192 pages rather than 1000: a page written again meanwhile is
	 * copied into the database once (a burst of writes rewrites the same index pages). */
	"PRAGMA wal_autocheckpoint=8192;"
	/*
	 * A rowid table with its key in an index, not WITHOUT ROWID: a WITHOUT ROWID row is an
	 * index entry, which keeps at most about a quarter of a page in the B-tree, so every
	 * body over ~1 KB (a gateway Secret is 2.6 KB) took an overflow page of its own; a
	 * table row keeps up to a page, and new rows fill the last leaf in order.
	 */
	OBJECTS_TABLE
	"CREATE UNIQUE INDEX IF NOT EXISTS objects_key ON objects(resource, ns, name);"
	"CREATE TABLE IF NOT EXISTS history(rv INTEGER PRIMARY KEY, type INTEGER NOT NULL,"
	" resource TEXT NOT NULL, ns TEXT NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL,"
	" internal INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
	/*
	 * The label index: equality selectors read only the rows they select (labels_all, in
	 * one namespace or all); an object's own rows are together in the table, where a
	 * rewrite replaces them. Two B-trees per row.
	 */
	"CREATE TABLE IF NOT EXISTS labels(resource TEXT NOT NULL, ns TEXT NOT NULL,"
	" name TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
	" PRIMARY KEY(resource, ns, name, key)) WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS labels_all ON labels(resource, key, value, ns, name);";

/*
 * The label index of before, keyed by label with a third B-tree (labels_obj) for an
 * object's rows: the same rows in the layout above.
 */
static const char migrate_labels_key[] =
	"BEGIN IMMEDIATE;"
	"CREATE TABLE labels_by_obj(resource TEXT NOT NULL, ns TEXT NOT NULL,"
	" name TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
	" PRIMARY KEY(resource, ns, name, key)) WITHOUT ROWID;"
	"INSERT OR REPLACE INTO labels_by_obj(resource, ns, name, key, value)"
	" SELECT resource, ns, name, key, value FROM labels;"
	"DROP TABLE labels;"
	"ALTER TABLE labels_by_obj RENAME TO labels;"
	"CREATE INDEX labels_all ON labels(resource, key, value, ns, name);"
	"COMMIT;";

/*
 * The objects of before, a WITHOUT ROWID table keyed by (resource, ns, name): the same rows
 * in the layout above (objects_key is made by the schema, which runs first, on the old
 * table, and goes with it).
 */
static const char migrate_objects_rowid[] =
	"BEGIN IMMEDIATE;"
	"ALTER TABLE objects RENAME TO objects_without_rowid;"
	OBJECTS_TABLE
	"INSERT INTO objects(resource, ns, name, body, rv)"
	" SELECT resource, ns, name, body, rv FROM objects_without_rowid ORDER BY rv;"
	"DROP TABLE objects_without_rowid;"
	"CREATE UNIQUE INDEX objects_key ON objects(resource, ns, name);"
	"COMMIT;";

/* Databases written before the label index: build it from the objects. */
static const char migrate_labels[] =
	"INSERT OR IGNORE INTO labels(resource, ns, key, value, name)"
	" SELECT o.resource, o.ns, j.key, j.value, o.name FROM objects o,"
	" json_each(o.body, '$.metadata.labels') j WHERE j.type = 'text';";

/* Databases written before rows carried their resourceVersion: it was only in the body. */
static const char migrate_rv[] =
	"BEGIN IMMEDIATE;"
	"ALTER TABLE objects ADD COLUMN rv INTEGER NOT NULL DEFAULT 0;"
	"UPDATE objects SET rv=CAST(json_extract(body, '$.metadata.resourceVersion') AS INTEGER);"
	"ALTER TABLE history ADD COLUMN internal INTEGER NOT NULL DEFAULT 0;"
	"COMMIT;";

sqlite3_stmt *sq_query(struct conn *c, int which)
{
	sqlite3_stmt *q = c->q[which];

	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return q;
}

int sq_step(struct conn *c, sqlite3_stmt *q)
{
	int rc = sqlite3_step(q);

	sqlite3_reset(q);
	if (rc == SQLITE_DONE)
		return 0;
	ks_log(LOG_ERR, "storage: %s", sqlite3_errmsg(c->db));
	return -EIO;
}

uint64_t sq_meta_read(struct conn *c, const char *key)
{
	sqlite3_stmt *q = sq_query(c, Q_META_GET);
	uint64_t val = 0;

	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		val = (uint64_t)sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return val;
}

/* Adds the rv columns to a database of the previous layout; nothing on a current one. */
static int migrate(sqlite3 *db, const char *path)
{
	sqlite3_stmt *q;
	bool old_layout = false;

	/* A new database has no objects table yet: the schema makes the current one. */
	if (sqlite3_prepare_v2(db, "SELECT count(*) > 0 AND sum(name = 'rv') = 0 FROM "
			       "pragma_table_info('objects')", -1, &q, NULL) != SQLITE_OK)
		return -EIO;
	old_layout = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	if (!old_layout)
		return 0;
	if (sqlite3_exec(db, migrate_rv, NULL, NULL, NULL) != SQLITE_OK) {
		ks_log(LOG_ERR, "%s: upgrading the schema: %s", path, sqlite3_errmsg(db));
		return -EIO;
	}
	ks_log(LOG_NOTICE, "%s: schema upgraded (rows carry their resourceVersion)", path);
	return 0;
}

/* Whether the database has a table (or index) name yet. */
static bool has(sqlite3 *db, const char *type, const char *name)
{
	sqlite3_stmt *q;
	bool found;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type=?2 AND name=?1",
			       -1, &q, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, type, -1, SQLITE_STATIC);
	found = sqlite3_step(q) == SQLITE_ROW;
	sqlite3_finalize(q);
	return found;
}

int sq_conn_open(struct conn *c, const char *path, bool writer)
{
	bool index_labels, objects_rowid;

	if (sqlite3_open(path, &c->db) != SQLITE_OK ||
	    sqlite3_busy_timeout(c->db, 10000) != SQLITE_OK ||
	    (writer && migrate(c->db, path))) {
		ks_log(LOG_ERR, "%s: %s", path, sqlite3_errmsg(c->db));
		return -EIO;
	}
	index_labels = writer && has(c->db, "table", "objects") && !has(c->db, "table", "labels");
	/* Before the schema, which makes objects_key on whichever objects table there is. */
	objects_rowid = writer && has(c->db, "table", "objects") &&
			!has(c->db, "index", "objects_key");
	if (sqlite3_exec(c->db, schema, NULL, NULL, NULL) != SQLITE_OK ||
	    (objects_rowid &&
	     sqlite3_exec(c->db, migrate_objects_rowid, NULL, NULL, NULL) != SQLITE_OK) ||
	    (writer && has(c->db, "index", "labels_obj") &&
	     sqlite3_exec(c->db, migrate_labels_key, NULL, NULL, NULL) != SQLITE_OK) ||
	    (index_labels && sqlite3_exec(c->db, migrate_labels, NULL, NULL, NULL) != SQLITE_OK)) {
		ks_log(LOG_ERR, "%s: %s", path, sqlite3_errmsg(c->db));
		return -EIO;
	}
	for (int i = 0; i < Q_COUNT; i++)
		if (sqlite3_prepare_v3(c->db, queries[i], -1, SQLITE_PREPARE_PERSISTENT, &c->q[i],
				       NULL) != SQLITE_OK) {
			ks_log(LOG_ERR, "%s: %s", path, sqlite3_errmsg(c->db));
			return -EIO;
		}
	return 0;
}

void sq_conn_close(struct conn *c)
{
	for (int i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(c->q[i]);
	sqlite3_close(c->db);
}
