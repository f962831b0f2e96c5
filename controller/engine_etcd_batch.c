// SPDX-License-Identifier: GPL-2.0
/*
 * The etcd engine's grouped writes: the controller's own writes wait in a batch and go to
 * etcd as one transaction (one Raft commit and fsync for up to BATCH_OPS objects, where
 * each write was one), at ctl_engine_flush() or when the batch is full, as SQLite's
 * grouped writes share one commit. Every write of the batch gets the transaction's
 * revision as its mod_revision, so resourceVersion stays the key's mod_revision.
 *
 * A write is answered when it joins the batch, with a provisional resourceVersion: the
 * revision etcd was at then, below the one the transaction will get. The writing thread
 * reads its batch back (latest gets; a latest scan commits the batch first), a write of a
 * key already in the batch at its provisional resourceVersion replaces what the batch
 * holds for it (one operation per key, as etcd requires), and one at a provisional
 * resourceVersion of a batch already committed is made at the real one. Anything else
 * commits the batch and is written alone. Each key's first write in the batch keeps its
 * compare, so the transaction fails if anyone else wrote one of its keys meanwhile; then
 * each write is made alone, and the flush reports -EIO when any was lost, so the reconcile
 * loop does its keys again (as with a failed SQLite commit). Nothing in a batch has been
 * acknowledged to a client, so a lost batch loses no acknowledged write.
 *
 * Locking: the batch belongs to the thread that made its first write (the reconcile loop);
 * others neither see nor change it. @lock serializes the fields.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cjson/cJSON.h>

#include "api/log.h"
#include "controller/engine_etcd_int.h"

/* etcd refuses a txn of more than 128 operations (--max-txn-ops) or a request of 1.5 MiB
 * (the values go base64-encoded: 4/3 of their size). */
#define BATCH_OPS	100
#define BATCH_BYTES	(768 * 1024)
/* How long a flush waits for the watch to bring its transaction (the loop reads it next). */
#define WATCH_WAIT_S	5

/* Whether the calling thread owns the batch; others need not take its lock to know. */
static bool mine(struct etcd_batch *b)
{
	return __atomic_load_n(&b->has_writer, __ATOMIC_ACQUIRE) &&
	       pthread_equal(b->writer, pthread_self());
}

static struct etcd_op *op_find(struct etcd_batch *b, const char *key)
{
	for (size_t i = 0; i < b->n; i++)
		if (!strcmp(b->ops[i].key, key))
			return &b->ops[i];
	return NULL;
}

/* op's value the one of c (marker first; NULL for a deletion); false, op unchanged, when
 * out of memory. */
static bool op_set_value(struct etcd_op *op, const struct ctl_change *c)
{
	size_t blen = strlen(c->body);
	char *value = NULL;

	if (c->type != CTL_DELETED) {
		value = malloc(blen + 2);
		if (!value)
			return false;
		value[0] = 'i';
		memcpy(value + 1, c->body, blen + 1);
	}
	free(op->value);
	op->value = value;
	return true;
}

static void ops_clear(struct etcd_batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->ops[i].key);
		free(b->ops[i].value);
	}
	b->n = 0;
	b->bytes = 0;
}

static void moved_clear(struct etcd_batch *b)
{
	for (size_t i = 0; i < b->n_moved; i++)
		free(b->moved[i].key);
	b->n_moved = 0;
}

/* The real revision of key's write at provisional rv, if a flush of this batch made it. */
static uint64_t moved_to(struct etcd_batch *b, const char *key, uint64_t rv)
{
	for (size_t i = 0; i < b->n_moved; i++)
		if (b->moved[i].from == rv && !strcmp(b->moved[i].key, key))
			return b->moved[i].to;
	return rv;
}

static void moved_add(struct etcd_batch *b, struct etcd_op *op, uint64_t to)
{
	if (b->n_moved == b->cap_moved) {
		struct etcd_moved *m = realloc(b->moved, (b->cap_moved * 2 + 16) * sizeof(*m));

		if (!m)
			return;	/* the write at op->rv then fails its compare and is done again */
		b->moved = m;
		b->cap_moved = b->cap_moved * 2 + 16;
	}
	b->moved[b->n_moved].key = op->key;
	op->key = NULL;
	b->moved[b->n_moved].from = op->rv;
	b->moved[b->n_moved++].to = to;
}

/* Each write of the batch alone, after its transaction failed; false if any was lost. */
static bool ops_one_by_one(struct etcd_engine *e, struct etcd_batch *b)
{
	bool ok = true;

	for (size_t i = 0; i < b->n; i++) {
		struct etcd_op *op = &b->ops[i];
		struct ctl_change c = {
			.type = op->value ? CTL_MODIFIED : CTL_DELETED,
			.body = op->value ? op->value + 1 : "",
		};
		int ret = etcd_write_now(e, op->key, &c, op->expect, true);

		if (!ret) {
			moved_add(b, op, c.rv);
		} else if (!(ret == -ENOENT && !op->value)) {
			ks_log(LOG_WARNING, "etcd: grouped write of %s lost (%d); reconciled again",
			       op->key, ret);
			ok = false;
		}
	}
	return ok;
}

/* The batch as one txn; true when etcd took it, *rev its revision. */
static bool batch_txn(struct etcd_engine *e, struct etcd_batch *b, uint64_t *rev)
{
	cJSON *txn = cJSON_CreateObject(), *success, *resp;
	bool ok;

	cJSON_AddArrayToObject(txn, "compare");
	success = cJSON_AddArrayToObject(txn, "success");
	for (size_t i = 0; i < b->n; i++) {
		struct etcd_op *op = &b->ops[i];

		etcd_add_compare(txn, op->key, op->expect);
		cJSON_AddItemToArray(success, etcd_request_op(op->key, op->value,
							      op->value ? strlen(op->value) : 0));
	}
	if (etcd_add_fence(e, txn)) {
		cJSON_Delete(txn);
		return false;
	}
	resp = etcd_call(e, "kv/txn", txn);
	cJSON_Delete(txn);
	ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(resp, "succeeded"));
	*rev = etcd_num(resp, "header.revision");
	cJSON_Delete(resp);
	return ok;
}

/* Commits the batch (lock held); false if some of it was lost. */
static bool commit(struct etcd_engine *e, struct etcd_batch *b)
{
	struct timespec deadline;
	uint64_t rev = 0;
	bool ok;

	if (!b->n)
		return true;
	ok = batch_txn(e, b, &rev);
	if (ok) {
		for (size_t i = 0; i < b->n; i++)
			moved_add(b, &b->ops[i], rev);
		/* The reconcile loop reads the history next: it should find these there. */
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_sec += WATCH_WAIT_S;
		ctl_engine_committed_wait(&e->lock, &e->changed, &e->committed, &e->stopping,
					  rev - 1, &deadline, &(bool){ true });
	} else if (rev) {
		/* etcd answered no: a compare failed. Each alone, for what can be written. */
		ok = ops_one_by_one(e, b);
	}
	ops_clear(b);
	return ok;
}

int etcd_batch_flush(struct etcd_engine *e, bool end)
{
	struct etcd_batch *b = &e->batch;
	int ret = 0;

	if (!mine(b))
		return 0;
	pthread_mutex_lock(&b->lock);
	if (!commit(e, b))
		b->lost = true;
	if (end) {
		/* The writer has read the history, or will before it writes again. */
		moved_clear(b);
		ret = b->lost ? -EIO : 0;
		b->lost = false;
	}
	pthread_mutex_unlock(&b->lock);
	return ret;
}

/* A write the batch cannot take: the batch first, then this one alone. */
static int write_alone(struct etcd_engine *e, struct etcd_batch *b, const char *key,
		       struct ctl_change *c, uint64_t expect)
{
	if (!commit(e, b))
		b->lost = true;
	if (expect != CTL_RV_ANY && expect)
		expect = moved_to(b, key, expect);
	pthread_mutex_unlock(&b->lock);
	return etcd_write_now(e, key, c, expect, true);
}

int etcd_batch_write(struct etcd_engine *e, const char *key, struct ctl_change *c,
		     uint64_t expect)
{
	struct etcd_batch *b = &e->batch;
	struct etcd_op *op;
	uint64_t now;

	pthread_mutex_lock(&b->lock);
	if (!b->has_writer) {
		b->writer = pthread_self();
		__atomic_store_n(&b->has_writer, true, __ATOMIC_RELEASE);
	}
	if (!mine(b)) {
		pthread_mutex_unlock(&b->lock);
		return etcd_write_now(e, key, c, expect, true);
	}
	if (expect != CTL_RV_ANY && expect)
		expect = moved_to(b, key, expect);
	now = ctl_engine_committed_read(&e->lock, &e->committed);
	op = op_find(b, key);
	if (op) {
		/* On top of our own write, as it was answered: the batch holds the result. */
		if (!op->value || (expect != CTL_RV_ANY && expect != op->rv) ||
		    !op_set_value(op, c))
			return write_alone(e, b, key, c, expect);
	} else {
		if (b->n == BATCH_OPS || b->bytes + strlen(c->body) > BATCH_BYTES) {
			if (!commit(e, b))
				b->lost = true;
		}
		if (b->n == b->cap) {
			struct etcd_op *ops = realloc(b->ops, (b->cap * 2 + 16) * sizeof(*ops));

			if (!ops)
				return write_alone(e, b, key, c, expect);
			b->ops = ops;
			b->cap = b->cap * 2 + 16;
		}
		op = &b->ops[b->n];
		*op = (struct etcd_op){ .key = strdup(key), .expect = expect };
		if (!op->key || !op_set_value(op, c)) {
			free(op->key);
			return write_alone(e, b, key, c, expect);
		}
		b->n++;
	}
	b->bytes += strlen(c->body);
	op->rv = now ? now : 1;
	c->rv = op->rv;
	c->internal = true;
	pthread_mutex_unlock(&b->lock);
	return 0;
}

char *etcd_batch_get(struct etcd_engine *e, const char *key, uint64_t *rv, bool *found)
{
	struct etcd_batch *b = &e->batch;
	struct etcd_op *op;
	char *body = NULL;

	*found = false;
	if (!mine(b))
		return NULL;
	pthread_mutex_lock(&b->lock);
	op = op_find(b, key);
	if (op) {
		*found = true;
		body = op->value ? strdup(op->value + 1) : NULL;
		errno = op->value ? ENOMEM : ENOENT;
		if (rv)
			*rv = op->rv;
	}
	pthread_mutex_unlock(&b->lock);
	return body;
}

void etcd_batch_free(struct etcd_batch *b)
{
	ops_clear(b);
	moved_clear(b);
	free(b->ops);
	free(b->moved);
	pthread_mutex_destroy(&b->lock);
}
