// SPDX-License-Identifier: GPL-2.0
/*
 * The work queue's key is "resource/namespace/name" and its value the last state the
 * history showed (a deleted object is only in the history), so a burst of changes to one
 * object is one reconcile. A reconcile's writes are committed together at its end; when
 * that fails, its key comes back after a backoff.
 *
 * The reconcilers read through the loop's informer (cache.h), fed here with every change
 * of the history, theirs too; a failed commit, and every full resync (also after history
 * was lost and on becoming leader), make it read the store again.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/json.h"
#include "api/log.h"
#include "controller/cache.h"
#include "controller/metrics.h"
#include "controller/reconcile_loop.h"
#include "controller/workqueue.h"

/* Changes read from the history at a time. */
#define BATCH 512
/*
 * Keys reconciled before one commit of all their writes, and how long such a batch may take
 * (ms): one fsync for many small reconciles, and a watcher sees a change no later than that.
 * A slice of 10 clusters writes about 230 objects, so at 32 keys or 200 ms the engine's
 * BATCH_MAX, not these, cut a busy loop's batches; with it at 2048 these let a batch reach it.
 */
#define KEYS_PER_COMMIT 128
#define COMMIT_MS 1000

/**
 * struct seen - the last state of one changed object, the value of its work queue key
 * @resource: plural resource name (static)
 * @deleted: the change was a deletion
 * @rv: the change's resourceVersion
 * @body: the object's JSON as stored
 */
struct seen {
	const char *resource;
	bool deleted;
	uint64_t rv;
	char body[];
};

/**
 * struct ctl_loop - the loop
 * @st: the store
 * @cache: the reconcilers' informer, made by the loop's thread
 * @wq: keys to reconcile
 * @resync: seconds between full resyncs
 * @cursor: the history has been read up to this resourceVersion
 * @resync_now: the history was compacted past @cursor: only a full resync catches up
 * @identity: who this process is, in leader elections ("host:pid")
 * @lock: serializes @reconciled and @reconciling (read by ctl_loop_stats())
 * @reconciled: ctl_reconcile() calls made
 * @reconciling: one is running
 */
struct ctl_loop {
	struct ctl_store *st;
	struct ctl_cache *cache;
	struct ctl_wq *wq;
	unsigned int resync;
	uint64_t cursor;
	bool resync_now;
	char identity[320];
	pthread_mutex_t lock;
	uint64_t reconciled;
	bool reconciling;
};

struct ctl_loop *ctl_loop_new(struct ctl_store *st, unsigned int resync)
{
	struct ctl_loop *l = calloc(1, sizeof(*l));
	char host[256] = "";

	if (!l)
		return NULL;
	l->wq = ctl_wq_new(free);
	if (!l->wq) {
		free(l);
		return NULL;
	}
	l->st = st;
	l->resync = resync;
	gethostname(host, sizeof(host) - 1);
	snprintf(l->identity, sizeof(l->identity), "%s:%d", host, (int)getpid());
	/* The first full resync covers everything before this. */
	l->cursor = ctl_obj_committed(st);
	pthread_mutex_init(&l->lock, NULL);
	return l;
}

void ctl_loop_free(struct ctl_loop *l)
{
	ctl_wq_free(l->wq);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

void ctl_loop_stats(struct ctl_loop *l, struct ctl_loop_stats *s)
{
	s->queued = ctl_wq_depth(l->wq);
	pthread_mutex_lock(&l->lock);
	s->reconciled = l->reconciled;
	s->reconciling = l->reconciling;
	pthread_mutex_unlock(&l->lock);
}

static int queue_change(void *arg, const struct ctl_change *c)
{
	const struct ks_resource *res = ks_resource_by_plural(c->resource);
	struct ctl_loop *l = arg;
	char key[3 * KS_NAME_MAX + 8];
	struct seen *s;

	l->cursor = c->rv;
	if (l->cache)
		ctl_cache_feed(l->cache, c);
	if (c->internal || !res)
		return 0;
	s = malloc(sizeof(*s) + strlen(c->body) + 1);
	if (!s) {
		ks_log(LOG_ERR, "out of memory queueing %s %s/%s; the next resync repeats it",
		       c->resource, c->ns, c->name);
		return 0;
	}
	s->resource = res->plural;
	s->deleted = c->type == CTL_DELETED;
	s->rv = c->rv;
	strcpy(s->body, c->body);
	snprintf(key, sizeof(key), "%s/%s/%s", c->resource, c->ns, c->name);
	ctl_wq_add(l->wq, key, s);
	return 0;
}

/* Reads the history after the cursor, waiting for it until deadline. */
static bool feed(struct ctl_loop *l, const struct timespec *deadline)
{
	uint64_t oldest, before;
	bool running = true;
	int ret;

	do {
		before = l->cursor;
		ret = ctl_obj_changes(l->st, l->cursor, BATCH, false, deadline, queue_change, l,
				      &oldest, &running);
		if (ret == -ERANGE) {
			ks_log(LOG_WARNING, "reconcile loop fell behind the history (at %llu, history starts at %llu): full resync",
			       (unsigned long long)l->cursor, (unsigned long long)oldest);
			l->cursor = ctl_obj_committed(l->st);
			l->resync_now = true;
			break;
		}
		/* Once something came, read whatever else is there without waiting. */
		deadline = &(struct timespec){ 0 };
	} while (running && l->cursor != before);
	return running;
}

static void set_reconciling(struct ctl_loop *l, bool on, unsigned int done)
{
	pthread_mutex_lock(&l->lock);
	l->reconciling = on;
	l->reconciled += done;
	pthread_mutex_unlock(&l->lock);
}

static double seconds_since(const struct timespec *start)
{
	struct timespec end;

	clock_gettime(CLOCK_MONOTONIC, &end);
	return (end.tv_sec - start->tv_sec) + (end.tv_nsec - start->tv_nsec) / 1e9;
}

/* One reconcile, without committing its writes. */
static void reconcile_timed(struct ctl_loop *l, const char *resource, const cJSON *obj,
			    bool deleted)
{
	struct timespec start;

	clock_gettime(CLOCK_MONOTONIC, &start);
	ctl_reconcile(l->st, resource, obj, deleted);
	ctl_metrics_reconcile(seconds_since(&start));
}

/* The writes of the reconciles since the last commit, committed: 0 or -EIO. */
static int commit(struct ctl_loop *l)
{
	int ret = ctl_obj_flush(l->st);

	if (ret) {
		ks_log(LOG_ERR, "committing reconciled objects failed; retrying");
		/* It holds writes that are lost now. */
		ctl_cache_reset(l->cache);
	}
	return ret;
}

/* A full resync, committed. */
static int resync(struct ctl_loop *l)
{
	set_reconciling(l, true, 0);
	/* A resync starts from the store itself, as a relist does: anything the informer
	 * got wrong is put right here. */
	ctl_cache_reset(l->cache);
	reconcile_timed(l, NULL, NULL, false);
	set_reconciling(l, false, 1);
	return commit(l);
}

/**
 * struct batch - keys reconciled whose writes wait for one commit
 * @key: their work queue keys (valid until ctl_wq_done())
 * @seen: their values, given back to the queue if the commit fails
 * @n: keys
 */
struct batch {
	const char *key[KEYS_PER_COMMIT];
	struct seen *seen[KEYS_PER_COMMIT];
	unsigned int n;
};

/* Reconciles the key's last state; it waits in b for the commit. */
static void reconcile_key(struct ctl_loop *l, struct batch *b, const char *key, struct seen *s)
{
	cJSON *obj = ctl_obj_decode(s->body, s->rv);

	/* An undecodable body has nothing to reconcile: forgotten at the commit. */
	if (obj)
		reconcile_timed(l, s->resource, obj, s->deleted);
	cJSON_Delete(obj);
	b->key[b->n] = key;
	b->seen[b->n++] = s;
}

/* Commits the batch: its keys are done, or all come back after a backoff. */
static void batch_commit(struct ctl_loop *l, struct batch *b)
{
	bool failed = commit(l) != 0;

	for (unsigned int i = 0; i < b->n; i++) {
		if (failed) {
			ctl_wq_add_backoff(l->wq, b->key[i], b->seen[i]);
		} else {
			ctl_wq_forget(l->wq, b->key[i]);
			free(b->seen[i]);
		}
		ctl_wq_done(l->wq, b->key[i]);
	}
}

/*
 * Reconciles key, then whatever else is ready, up to KEYS_PER_COMMIT keys or COMMIT_MS,
 * and commits their writes together (a failed commit loses all, so all are retried).
 */
static void process(struct ctl_loop *l, const char *key, struct seen *s)
{
	struct batch b = { .n = 0 };
	struct timespec start, unused;

	clock_gettime(CLOCK_MONOTONIC, &start);
	set_reconciling(l, true, 0);
	do {
		reconcile_key(l, &b, key, s);
		if (b.n == KEYS_PER_COMMIT || seconds_since(&start) * 1000 >= COMMIT_MS)
			break;
		key = ctl_wq_get(l->wq, (void **)&s, &unused);
	} while (key);
	batch_commit(l, &b);
	set_reconciling(l, false, b.n);
}

static void mono(struct timespec *t)
{
	clock_gettime(CLOCK_MONOTONIC, t);
}

static bool due(const struct timespec *now, const struct timespec *t)
{
	return now->tv_sec > t->tv_sec ||
	       (now->tv_sec == t->tv_sec && now->tv_nsec >= t->tv_nsec);
}

/*
 * Waits until this process leads (replicas on one etcd: one runs the reconcilers); false
 * on shutdown. A new leader starts from a full resync: it knows nothing of what the
 * previous one did.
 */
static bool lead(struct ctl_loop *l, bool *leading)
{
	bool running = true;
	uint64_t oldest;

	while (running && !ctl_obj_lead(l->st, l->identity)) {
		struct timespec t;

		if (*leading)
			ks_log(LOG_WARNING, "no longer leading: reconcilers stopped");
		*leading = false;
		mono(&t);
		t.tv_sec++;
		/* A wait for nothing: only a second, or shutdown, ends it. */
		ctl_obj_changes(l->st, UINT64_MAX, 0, false, &t, NULL, NULL, &oldest, &running);
	}
	if (running && !*leading) {
		*leading = true;
		l->cursor = ctl_obj_committed(l->st);
		l->resync_now = true;
	}
	return running;
}

void ctl_loop_run(struct ctl_loop *l)
{
	struct timespec next_resync, now;
	bool running = true, leading = false;

	/* Without memory for it, the reconcilers read the store. */
	l->cache = ctl_cache_attach(l->st);
	mono(&next_resync);
	while (running && lead(l, &leading)) {
		struct timespec wake = next_resync;
		struct seen *s = NULL;
		const char *key;

		mono(&now);
		if (l->resync_now || due(&now, &next_resync)) {
			l->resync_now = false;
			mono(&next_resync);
			/* A resync whose writes could not be committed is tried again soon. */
			next_resync.tv_sec += resync(l) ? 1 : l->resync;
			wake = next_resync;
		}
		key = ctl_wq_get(l->wq, (void **)&s, &wake);
		if (key) {
			process(l, key, s);
			/* More may be ready: look at the history without waiting. */
			wake = (struct timespec){ 0 };
		}
		running = feed(l, &wake);
	}
}
