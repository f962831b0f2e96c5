// SPDX-License-Identifier: GPL-2.0
/*
 * The etcd engine: one key per object, <prefix><resource>/<namespace>/<name>, through
 * etcd 3.4's v3 JSON gateway over HTTPS (libcurl). An object's resourceVersion is its key's
 * mod_revision, a list's is the revision of the range read, and a conditional write is a
 * transaction comparing the key's mod_revision (or create_revision 0 for a create).
 *
 * The value is the object's JSON behind one byte: 'i' for the controller's own writes, 'e'
 * for everyone else's, so that the change history can tell them apart.
 *
 * The change history is a watch on the prefix from a revision, kept by one thread in a ring
 * of the newest `history` changes (with prev_kv, so a deletion carries the last state);
 * watchers and the reconcile loop read that ring as they read SQLite's history table. Reads
 * and writes go to the first endpoint that answers, so the API keeps answering while any
 * member of a quorum is up.
 *
 * Locking: @lock serializes the ring, the revision marks and the handle pool; requests run
 * without it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curl/curl.h>
#include <cjson/cJSON.h>

#include "api/json.h"
#include "api/log.h"
#include "controller/engine_etcd_int.h"

/* The key of one object, or the prefix of a resource (ns NULL) or of a namespace. */
static void key_of(struct etcd_engine *e, char *buf, size_t len, const char *resource,
		   const char *ns, const char *name)
{
	if (!ns)
		snprintf(buf, len, "%s%s/", e->prefix, resource);
	else if (!name)
		snprintf(buf, len, "%s%s/%s/", e->prefix, resource, ns);
	else
		snprintf(buf, len, "%s%s/%s/%s", e->prefix, resource, ns, name);
}

static char *et_get(struct ctl_engine *base, const char *resource, const char *ns,
		    const char *name, bool latest, uint64_t *rv)
{
	struct etcd_engine *e = to_etcd(base);
	cJSON *req = cJSON_CreateObject(), *resp;
	const cJSON *kv;
	char key[1024], *body = NULL;
	bool batched;

	key_of(e, key, sizeof(key), resource, ns, name);
	if (latest) {
		/* Our own writes not committed yet are read back. */
		body = etcd_batch_get(e, key, rv, &batched);
		if (batched) {
			cJSON_Delete(req);
			return body;
		}
	}
	etcd_set_b64(req, "key", key, strlen(key));
	resp = etcd_call(e, "kv/range", req);
	kv = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(resp, "kvs"), 0);
	if (kv) {
		body = etcd_kv_body(kv, "value", NULL);
		if (rv)
			*rv = etcd_num(kv, "mod_revision");
	}
	cJSON_Delete(req);
	cJSON_Delete(resp);
	if (!body)
		errno = !resp ? EIO : !kv ? ENOENT : ENOMEM;
	return body;
}

static int et_scan(struct ctl_engine *base, const char *resource, const char *ns,
		   const char *label_key, const char *label_value, bool latest, ctl_row_fn fn,
		   void *arg, uint64_t *at)
{
	struct etcd_engine *e = to_etcd(base);
	cJSON *req = cJSON_CreateObject(), *resp;
	const cJSON *kv;
	char prefix[1024];
	int ret = 0;

	/* Our own writes not committed yet are in what a latest scan reads: commit them. */
	if (latest)
		etcd_batch_flush(e, false);
	/* No label index here: the registry matches the selector on what comes back. */
	key_of(e, prefix, sizeof(prefix), resource, ns, NULL);
	etcd_add_prefix_range(req, prefix);
	resp = etcd_call(e, "kv/range", req);
	cJSON_Delete(req);
	if (!resp)
		return -EIO;
	*at = etcd_num(resp, "header.revision");
	cJSON_ArrayForEach(kv, cJSON_GetObjectItemCaseSensitive(resp, "kvs")) {
		char *body = etcd_kv_body(kv, "value", NULL);

		if (body)
			ret = fn(arg, body, etcd_num(kv, "mod_revision"));
		free(body);
		if (ret)
			break;
	}
	cJSON_Delete(resp);
	return ret;
}

/* The request of a txn that puts value (len bytes, marker first) at key, or deletes key
 * (value NULL). */
cJSON *etcd_request_op(const char *key, const char *value, size_t len)
{
	cJSON *op = cJSON_CreateObject();
	cJSON *inner = cJSON_AddObjectToObject(op, value ? "request_put" : "request_delete_range");

	etcd_set_b64(inner, "key", key, strlen(key));
	if (value)
		etcd_set_b64(inner, "value", value, len);
	return op;
}

int etcd_write_now(struct etcd_engine *e, const char *key, struct ctl_change *c,
		   uint64_t expect, bool group)
{
	cJSON *txn = cJSON_CreateObject(), *fail, *resp;
	size_t blen = strlen(c->body);
	char *value = malloc(blen + 2);
	int ret;

	if (!value) {
		cJSON_Delete(txn);
		return -ENOMEM;
	}
	etcd_add_compare(txn, key, expect);
	if (group && etcd_add_fence(e, txn)) {
		/* Only the leader writes the controller's own objects. */
		free(value);
		cJSON_Delete(txn);
		return -EIO;
	}
	value[0] = group ? 'i' : 'e';
	memcpy(value + 1, c->body, blen + 1);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(txn, "success"),
			     etcd_request_op(key, c->type == CTL_DELETED ? NULL : value,
					     blen + 1));
	free(value);
	fail = cJSON_CreateObject();
	etcd_set_b64(cJSON_AddObjectToObject(fail, "request_range"), "key", key, strlen(key));
	cJSON_AddItemToArray(cJSON_AddArrayToObject(txn, "failure"), fail);
	resp = etcd_call(e, "kv/txn", txn);
	cJSON_Delete(txn);
	if (!resp)
		return -EIO;
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(resp, "succeeded"))) {
		const cJSON *r = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(resp,
										    "responses"), 0);

		ret = c->type == CTL_DELETED &&
		      !etcd_num(r, "response_delete_range.deleted") ? -ENOENT : 0;
		c->rv = etcd_num(resp, "header.revision");
		c->internal = group;
	} else {
		const cJSON *r = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(resp,
										    "responses"), 0);
		bool exists = cJSON_GetArraySize(ks_get(r, "response_range.kvs")) > 0;

		ret = !exists ? -ENOENT : !expect ? -EEXIST : -EAGAIN;
	}
	cJSON_Delete(resp);
	return ret;
}

static int et_write(struct ctl_engine *base, struct ctl_change *c, uint64_t expect,
		    bool group)
{
	struct etcd_engine *e = to_etcd(base);
	char key[1024];

	key_of(e, key, sizeof(key), c->resource, c->ns, c->name);
	return group ? etcd_batch_write(e, key, c, expect) : etcd_write_now(e, key, c, expect,
									    false);
}

static int et_flush(struct ctl_engine *base)
{
	return etcd_batch_flush(to_etcd(base), true);
}

static int64_t et_size(struct ctl_engine *base)
{
	struct etcd_engine *e = to_etcd(base);
	cJSON *req = cJSON_CreateObject(), *resp = etcd_call(e, "maintenance/status", req);
	int64_t size = resp ? (int64_t)etcd_num(resp, "dbSize") : -1;

	cJSON_Delete(req);
	cJSON_Delete(resp);
	return size;
}

static uint64_t et_committed(struct ctl_engine *base)
{
	struct etcd_engine *e = to_etcd(base);

	return ctl_engine_committed_read(&e->lock, &e->committed);
}

static uint64_t et_wait(struct ctl_engine *base, uint64_t after,
			const struct timespec *deadline, bool *running)
{
	struct etcd_engine *e = to_etcd(base);

	return ctl_engine_committed_wait(&e->lock, &e->changed, &e->committed, &e->stopping,
					 after, deadline, running);
}

static int et_history(struct ctl_engine *base, uint64_t after, uint64_t upto,
		      unsigned int limit, bool own_bodies, ctl_change_fn fn, void *arg,
		      uint64_t *oldest)
{
	struct etcd_engine *e = to_etcd(base);
	int ret = 0;

	pthread_mutex_lock(&e->lock);
	*oldest = e->compacted;
	if (after < e->compacted) {
		pthread_mutex_unlock(&e->lock);
		return -ERANGE;
	}
	for (size_t i = 0; i < e->count && limit && !ret; i++) {
		const struct ctl_change *c = &e->ring[(e->head + i) % e->cap]->c;

		if (c->rv <= after)
			continue;
		if (c->rv > upto)
			break;
		ret = fn(arg, c);
		limit--;
	}
	pthread_mutex_unlock(&e->lock);
	return ret;
}

static void et_stop(struct ctl_engine *base)
{
	struct etcd_engine *e = to_etcd(base);

	pthread_mutex_lock(&e->lock);
	e->stopping = true;
	pthread_cond_broadcast(&e->changed);
	pthread_mutex_unlock(&e->lock);
}

static void et_close(struct ctl_engine *base)
{
	struct etcd_engine *e = to_etcd(base);

	et_stop(base);
	if (e->watcher)
		pthread_join(e->watcher, NULL);
	if (e->keeper_running)
		pthread_join(e->keeper, NULL);
	etcd_batch_free(&e->batch);
	for (int i = 0; i < e->n_pool; i++)
		curl_easy_cleanup(e->pool[i]);
	for (size_t i = 0; i < e->count; i++)
		free(e->ring[(e->head + i) % e->cap]);
	for (int i = 0; i < e->n_endpoints; i++)
		free(e->endpoints[i]);
	free(e->endpoints);
	free(e->ring);
	free(e->ca);
	free(e->cert);
	free(e->key);
	free(e->prefix);
	pthread_cond_destroy(&e->changed);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

static const struct ctl_engine_ops etcd_ops = {
	.close = et_close,
	.size = et_size,
	.committed = et_committed,
	.get = et_get,
	.scan = et_scan,
	.write = et_write,
	.flush = et_flush,
	.wait = et_wait,
	.stop = et_stop,
	.history = et_history,
	.lead = etcd_lead,
};

static int split_endpoints(struct etcd_engine *e, const char *list)
{
	char *copy = strdup(list), *save, *tok;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char **n = realloc(e->endpoints, (e->n_endpoints + 1) * sizeof(*n));

		if (!n || !(n[e->n_endpoints] = strdup(tok))) {
			free(copy);
			if (n)
				e->endpoints = n;
			return -ENOMEM;
		}
		e->endpoints = n;
		e->n_endpoints++;
	}
	free(copy);
	return e->n_endpoints ? 0 : -EINVAL;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

int ctl_engine_open_etcd(const struct ctl_etcd_config *cfg, unsigned int history,
			 struct ctl_engine **out)
{
	struct etcd_engine *e = calloc(1, sizeof(*e));
	pthread_condattr_t cattr;
	cJSON *req, *resp;
	uint64_t now;

	if (!e)
		return -ENOMEM;
	/* Once, before the engine's threads start (curl's global state is not thread-safe). */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	e->base.ops = &etcd_ops;
	pthread_mutex_init(&e->lock, NULL);
	pthread_mutex_init(&e->batch.lock, NULL);
	pthread_condattr_init(&cattr);
	pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC);
	pthread_cond_init(&e->changed, &cattr);
	pthread_condattr_destroy(&cattr);
	e->cap = history;
	e->ring = calloc(history, sizeof(*e->ring));
	e->prefix = strdup(cfg->prefix ? cfg->prefix : "/kubeslice/");
	e->ca = dup_or_null(cfg->ca);
	e->cert = dup_or_null(cfg->cert);
	e->key = dup_or_null(cfg->key);
	if (!e->ring || !e->prefix || split_endpoints(e, cfg->endpoints)) {
		et_close(&e->base);
		return -EINVAL;
	}
	/* Where the cluster is now; the ring starts with the history before it. */
	req = cJSON_CreateObject();
	etcd_add_prefix_range(req, e->prefix);
	cJSON_AddTrueToObject(req, "count_only");
	resp = etcd_call(e, "kv/range", req);
	cJSON_Delete(req);
	if (!resp) {
		ks_log(LOG_ERR, "etcd: no endpoint of %s answers", cfg->endpoints);
		et_close(&e->base);
		return -EIO;
	}
	now = etcd_num(resp, "header.revision");
	cJSON_Delete(resp);
	e->compacted = now > history ? now - history : 0;
	e->committed = e->compacted;
	if (pthread_create(&e->watcher, NULL, etcd_watch_thread, e)) {
		e->watcher = 0;
		et_close(&e->base);
		return -EAGAIN;
	}
	*out = &e->base;
	return 0;
}
