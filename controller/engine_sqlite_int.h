/* SPDX-License-Identifier: GPL-2.0 */
/* The SQLite engine's connections and prepared queries (engine_sqlite_conn.c). */
#ifndef CONTROLLER_ENGINE_SQLITE_INT_H
#define CONTROLLER_ENGINE_SQLITE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sqlite3.h>

enum {
	Q_GET, Q_SCAN_ALL, Q_SCAN_NS, Q_SCAN_LABEL_ALL, Q_SCAN_LABEL_NS, Q_HISTORY,
	Q_HISTORY_FOREIGN, Q_PUT, Q_ADD, Q_DEL,
	Q_LOG, Q_KEEP, Q_LABELS_DEL, Q_LABEL_PUT, Q_META, Q_META_GET, Q_PRUNE, Q_BEGIN, Q_BEGIN_READ,
	Q_COMMIT, Q_ROLLBACK, Q_COUNT
};

/* A connection and its prepared queries: the writer, or the snapshot reader. */
struct conn {
	sqlite3 *db;
	sqlite3_stmt *q[Q_COUNT];
};

/* Opens path with the schema (the writer also upgrades older layouts) and the queries. */
int sq_conn_open(struct conn *c, const char *path, bool writer);
void sq_conn_close(struct conn *c);
/* Query which of c, reset and unbound. */
sqlite3_stmt *sq_query(struct conn *c, int which);
/* Runs q to completion: 0, or -EIO (logged). */
int sq_step(struct conn *c, sqlite3_stmt *q);
/* meta.key, or 0. */
uint64_t sq_meta_read(struct conn *c, const char *key);

#endif /* CONTROLLER_ENGINE_SQLITE_INT_H */
