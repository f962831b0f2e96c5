/* SPDX-License-Identifier: GPL-2.0 */
/* What the etcd engine's files share (engine_etcd*.c); nothing else uses it. */
#ifndef CONTROLLER_ENGINE_ETCD_INT_H
#define CONTROLLER_ENGINE_ETCD_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <curl/curl.h>
#include <cjson/cJSON.h>

#include "controller/engine.h"

/*
 * Idle curl handles kept for reuse, each with its TLS connection: a burst of concurrent requests beyond them opens new TLS
 * connections, which a loaded machine makes slowly (hence also the connect timeout).
 */
#define POOL 64
#define CONNECT_TIMEOUT_S 5
/* A request that gets no answer in this long tries the next endpoint. */
#define REQUEST_TIMEOUT_S 10
/* Passes over the endpoints before a request fails (see etcd_call()). */
#define ETCD_PASSES 3
/* The leader lease: another replica takes over at most this long after the leader died. */
#define LEASE_TTL_S 5

/**
 * struct etcd_change - one change of the ring
 * @c: the change; its strings point into @text
 * @text: resource, namespace, name and body, each NUL-terminated
 */
struct etcd_change {
	struct ctl_change c;
	char text[];
};

/**
 * struct etcd_op - one grouped write waiting in the batch (engine_etcd_batch.c)
 * @key: the object's key
 * @value: its value, marker byte first; NULL to delete it
 * @expect: the compare of the key's first write in the batch
 * @rv: the provisional resourceVersion its writer was given
 */
struct etcd_op {
	char *key;
	char *value;
	uint64_t expect;
	uint64_t rv;
};

/**
 * struct etcd_moved - a provisional resourceVersion and the revision it was committed at
 * @key: the object's key
 * @from: the provisional resourceVersion
 * @to: the transaction's revision
 */
struct etcd_moved {
	char *key;
	uint64_t from, to;
};

/**
 * struct etcd_batch - the controller's own writes waiting for one transaction
 * @lock: serializes the fields but @writer and @has_writer
 * @writer: the thread whose grouped writes are batched (set once)
 * @has_writer: @writer is set (atomic)
 * @ops: the writes, one per key
 * @n: entries in @ops
 * @cap: room in @ops
 * @bytes: their bodies' size
 * @moved: the writes of this batch's transactions so far, until the flush at its end
 * @n_moved: entries in @moved
 * @cap_moved: room in @moved
 * @lost: a write since the last ctl_engine_flush() was lost
 */
struct etcd_batch {
	pthread_mutex_t lock;
	pthread_t writer;
	bool has_writer;
	struct etcd_op *ops;
	size_t n, cap, bytes;
	struct etcd_moved *moved;
	size_t n_moved, cap_moved;
	bool lost;
};

/**
 * struct etcd_engine - an etcd cluster
 * @base: what engine.h dispatches on
 * @lock: serializes every field below but the configuration
 * @changed: broadcast when @committed advances and on stop
 * @endpoints: client URLs (configuration, read-only)
 * @n_endpoints: entries in @endpoints
 * @current: endpoint tried first
 * @ca: CA file, or NULL (configuration)
 * @cert: client certificate file, or NULL (configuration)
 * @key: its key, or NULL (configuration)
 * @prefix: key prefix (configuration)
 * @pool: idle curl handles
 * @n_pool: entries in @pool
 * @ring: the newest changes, oldest at @head
 * @cap: room in @ring (the history kept)
 * @head: index of the oldest change
 * @count: changes in @ring
 * @compacted: the ring holds every change after this revision
 * @committed: revision of the newest change in the ring
 * @stopping: ctl_engine_stop() was called
 * @watcher: the thread filling @ring
 * @lease: our leader lease, 0 when none
 * @fence: create_revision of the leader key we wrote, 0 when we do not lead
 * @keeper: the thread renewing @lease while we lead
 * @keeper_running: @keeper was started and not joined
 * @batch: the grouped writes not committed yet
 */
struct etcd_engine {
	struct ctl_engine base;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	char **endpoints;
	int n_endpoints;
	int current;
	char *ca;
	char *cert;
	char *key;
	char *prefix;
	CURL *pool[POOL];
	int n_pool;
	struct etcd_change **ring;
	size_t cap;
	size_t head;
	size_t count;
	uint64_t compacted;
	uint64_t committed;
	bool stopping;
	pthread_t watcher;
	int64_t lease;
	uint64_t fence;
	pthread_t keeper;
	bool keeper_running;
	struct etcd_batch batch;
};

static inline struct etcd_engine *to_etcd(struct ctl_engine *base)
{
	return (struct etcd_engine *)base;
}

struct buf {
	char *data;
	size_t len;
};

/* A curl write callback appending to a struct buf. */
size_t etcd_collect(char *p, size_t size, size_t n, void *arg);
/* Prepares h for a POST of body to url, the answer into out. */
void etcd_handle_setup(struct etcd_engine *e, CURL *h, const char *url, const char *body,
		       struct buf *out);
/* POSTs req to /v3/<path> on the first endpoint that answers; the parsed answer or NULL. */
cJSON *etcd_call(struct etcd_engine *e, const char *path, cJSON *req);
/* An int64 field (the gateway writes them as strings), 0 when absent. */
uint64_t etcd_num(const cJSON *obj, const char *path);
/* obj[name] = base64 of data. */
void etcd_set_b64(cJSON *obj, const char *name, const char *data, size_t len);
/* key and range_end of a range over every key starting with prefix. */
void etcd_add_prefix_range(cJSON *req, const char *prefix);
/* The compare list of a txn: the key's mod_revision expect (0: absent; CTL_RV_ANY: none). */
void etcd_add_compare(cJSON *txn, const char *key, uint64_t expect);
/* The object JSON of a kv field (malloc'd, without the marker byte); internal from it. */
char *etcd_kv_body(const cJSON *kv, const char *field, bool *internal);

/* A txn's operation: put value (len bytes) at key, or delete key when value is NULL. */
cJSON *etcd_request_op(const char *key, const char *value, size_t len);
/* One write as its own transaction (group: the controller's, fenced). */
int etcd_write_now(struct etcd_engine *e, const char *key, struct ctl_change *c,
		   uint64_t expect, bool group);

/* The grouped writes (engine_etcd_batch.c): a write into the batch; the batch committed
 * (end: the reconcile loop's flush, which reports a lost write since the last one); the
 * batch's state of key, for its own thread (*found false: not in the batch). */
int etcd_batch_write(struct etcd_engine *e, const char *key, struct ctl_change *c,
		     uint64_t expect);
int etcd_batch_flush(struct etcd_engine *e, bool end);
char *etcd_batch_get(struct etcd_engine *e, const char *key, uint64_t *rv, bool *found);
void etcd_batch_free(struct etcd_batch *b);

/* The history watch (engine_etcd_watch.c). */
void *etcd_watch_thread(void *arg);

/* Leadership (engine_etcd_lead.c). */
void etcd_leader_key(struct etcd_engine *e, char *buf, size_t len);
int etcd_add_fence(struct etcd_engine *e, cJSON *txn);
bool etcd_lead(struct ctl_engine *base, const char *identity);

#endif /* CONTROLLER_ENGINE_ETCD_INT_H */
