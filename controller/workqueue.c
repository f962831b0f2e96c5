// SPDX-License-Identifier: GPL-2.0
/*
 * Keys live in a hash table while they are queued, delayed, being processed or have
 * failures counted; the ready ones also sit on a FIFO, the delayed ones on a list (few:
 * only failed keys are delayed).
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "controller/workqueue.h"

/* The first retry of a failed key, and the longest wait (a full resync comes anyway). */
#define BACKOFF_BASE_MS 100
#define BACKOFF_MAX_MS 60000

enum wq_state { WQ_IDLE, WQ_QUEUED, WQ_DELAYED, WQ_PROCESSING };

/**
 * struct wq_item - one key
 * @key: the key
 * @value: its value while queued or delayed
 * @pending: value added while processing, queued by ctl_wq_done()
 * @state: where the key is
 * @dirty: added while processing: queued again by ctl_wq_done()
 * @delay: ctl_wq_add_backoff() while processing: delayed by ctl_wq_done()
 * @failures: ctl_wq_add_backoff() calls since the last ctl_wq_forget()
 * @due: when a delayed key is ready
 * @next: next item on the FIFO or the delayed list
 * @hnext: next item in the hash bucket
 */
struct wq_item {
	char *key;
	void *value;
	void *pending;
	enum wq_state state;
	bool dirty;
	bool delay;
	unsigned int failures;
	struct timespec due;
	struct wq_item *next;
	struct wq_item *hnext;
};

/**
 * struct ctl_wq - the queue
 * @lock: serializes every field below
 * @value_free: frees values
 * @buckets: hash table of items
 * @n_buckets: its size, a power of two
 * @n_items: items in it
 * @head: oldest ready item
 * @tail: newest ready item
 * @delayed: delayed items
 * @depth: items queued or delayed
 */
struct ctl_wq {
	pthread_mutex_t lock;
	void (*value_free)(void *value);
	struct wq_item **buckets;
	size_t n_buckets;
	size_t n_items;
	struct wq_item *head;
	struct wq_item *tail;
	struct wq_item *delayed;
	size_t depth;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

struct ctl_wq *ctl_wq_new(void (*value_free)(void *value))
{
	struct ctl_wq *q = calloc(1, sizeof(*q));

	if (!q)
		return NULL;
	q->n_buckets = 256;
	q->buckets = calloc(q->n_buckets, sizeof(*q->buckets));
	if (!q->buckets) {
		free(q);
		return NULL;
	}
	q->value_free = value_free;
	pthread_mutex_init(&q->lock, NULL);
	return q;
}

static void drop_value(struct ctl_wq *q, void **v)
{
	if (*v && q->value_free)
		q->value_free(*v);
	*v = NULL;
}

void ctl_wq_free(struct ctl_wq *q)
{
	for (size_t i = 0; i < q->n_buckets; i++) {
		struct wq_item *it, *next;

		for (it = q->buckets[i]; it; it = next) {
			next = it->hnext;
			drop_value(q, &it->value);
			drop_value(q, &it->pending);
			free(it->key);
			free(it);
		}
	}
	pthread_mutex_destroy(&q->lock);
	free(q->buckets);
	free(q);
}

static void grow(struct ctl_wq *q)
{
	size_t n = q->n_buckets * 2;
	struct wq_item **b = calloc(n, sizeof(*b));

	if (!b)
		return;
	for (size_t i = 0; i < q->n_buckets; i++)
		while (q->buckets[i]) {
			struct wq_item *it = q->buckets[i];
			size_t j = hash(it->key) & (n - 1);

			q->buckets[i] = it->hnext;
			it->hnext = b[j];
			b[j] = it;
		}
	free(q->buckets);
	q->buckets = b;
	q->n_buckets = n;
}

static struct wq_item *lookup(struct ctl_wq *q, const char *key, bool create)
{
	size_t i = hash(key) & (q->n_buckets - 1);
	struct wq_item *it;

	for (it = q->buckets[i]; it; it = it->hnext)
		if (!strcmp(it->key, key))
			return it;
	if (!create)
		return NULL;
	it = calloc(1, sizeof(*it));
	if (!it || !(it->key = strdup(key))) {
		free(it);
		return NULL;
	}
	it->hnext = q->buckets[i];
	q->buckets[i] = it;
	if (++q->n_items > 2 * q->n_buckets)
		grow(q);
	return it;
}

/* Removes an idle item that has nothing left to remember. */
static void release(struct ctl_wq *q, struct wq_item *it)
{
	struct wq_item **p = &q->buckets[hash(it->key) & (q->n_buckets - 1)];

	if (it->state != WQ_IDLE || it->failures)
		return;
	while (*p != it)
		p = &(*p)->hnext;
	*p = it->hnext;
	q->n_items--;
	free(it->key);
	free(it);
}

static void push_ready(struct ctl_wq *q, struct wq_item *it)
{
	it->state = WQ_QUEUED;
	it->next = NULL;
	if (q->tail)
		q->tail->next = it;
	else
		q->head = it;
	q->tail = it;
}

static void unlink_delayed(struct ctl_wq *q, struct wq_item *it)
{
	struct wq_item **p = &q->delayed;

	while (*p != it)
		p = &(*p)->next;
	*p = it->next;
}

static bool before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/*
 * The prologue of the adds: the queue locked and the key's item, made if new. Return: the
 * item with q->lock held, or NULL (out of memory) unlocked and with @value dropped.
 */
static struct wq_item *lock_item(struct ctl_wq *q, const char *key, void *value)
{
	struct wq_item *it;

	pthread_mutex_lock(&q->lock);
	it = lookup(q, key, true);
	if (!it) {
		pthread_mutex_unlock(&q->lock);
		drop_value(q, &value);
	}
	return it;
}

int ctl_wq_add(struct ctl_wq *q, const char *key, void *value)
{
	struct wq_item *it;

	it = lock_item(q, key, value);
	if (!it)
		return -ENOMEM;
	switch (it->state) {
	case WQ_PROCESSING:
		drop_value(q, &it->pending);
		it->pending = value;
		it->dirty = true;
		break;
	case WQ_DELAYED:
		/* Added again: no need to wait for the backoff any more. */
		unlink_delayed(q, it);
		push_ready(q, it);
		/* fallthrough */
	case WQ_QUEUED:
		drop_value(q, &it->value);
		it->value = value;
		break;
	case WQ_IDLE:
		it->value = value;
		push_ready(q, it);
		q->depth++;
		break;
	}
	pthread_mutex_unlock(&q->lock);
	return 0;
}

static void backoff_due(struct wq_item *it)
{
	unsigned int shift = it->failures > 10 ? 10 : it->failures - 1;
	long ms = (long)BACKOFF_BASE_MS << shift;

	if (ms > BACKOFF_MAX_MS)
		ms = BACKOFF_MAX_MS;
	clock_gettime(CLOCK_MONOTONIC, &it->due);
	it->due.tv_sec += ms / 1000;
	it->due.tv_nsec += (ms % 1000) * 1000000L;
	if (it->due.tv_nsec >= 1000000000L) {
		it->due.tv_sec++;
		it->due.tv_nsec -= 1000000000L;
	}
}

static void push_delayed(struct ctl_wq *q, struct wq_item *it)
{
	it->state = WQ_DELAYED;
	it->next = q->delayed;
	q->delayed = it;
}

int ctl_wq_add_backoff(struct ctl_wq *q, const char *key, void *value)
{
	struct wq_item *it;

	it = lock_item(q, key, value);
	if (!it)
		return -ENOMEM;
	it->failures++;
	backoff_due(it);
	switch (it->state) {
	case WQ_PROCESSING:
		if (it->dirty) {
			/* A newer value came meanwhile: it goes first, without waiting. */
			drop_value(q, &value);
			break;
		}
		drop_value(q, &it->pending);
		it->pending = value;
		it->delay = true;
		break;
	case WQ_QUEUED:
	case WQ_DELAYED:
		drop_value(q, &value);
		break;
	case WQ_IDLE:
		it->value = value;
		push_delayed(q, it);
		q->depth++;
		break;
	}
	pthread_mutex_unlock(&q->lock);
	return 0;
}

void ctl_wq_forget(struct ctl_wq *q, const char *key)
{
	struct wq_item *it;

	pthread_mutex_lock(&q->lock);
	it = lookup(q, key, false);
	if (it) {
		it->failures = 0;
		release(q, it);
	}
	pthread_mutex_unlock(&q->lock);
}

/* Moves the delayed items that are due to the FIFO; the earliest other due to *next. */
static void promote_due(struct ctl_wq *q, struct timespec *next)
{
	struct wq_item **p = &q->delayed, *it;
	struct timespec now;
	bool have = false;

	clock_gettime(CLOCK_MONOTONIC, &now);
	while ((it = *p)) {
		if (!before(&now, &it->due)) {
			*p = it->next;
			push_ready(q, it);
			continue;
		}
		if (!have || before(&it->due, next))
			*next = it->due;
		have = true;
		p = &it->next;
	}
}

const char *ctl_wq_get(struct ctl_wq *q, void **value, struct timespec *next_due)
{
	struct wq_item *it;

	pthread_mutex_lock(&q->lock);
	promote_due(q, next_due);
	it = q->head;
	if (it) {
		q->head = it->next;
		if (!q->head)
			q->tail = NULL;
		it->state = WQ_PROCESSING;
		*value = it->value;
		it->value = NULL;
		q->depth--;
	}
	pthread_mutex_unlock(&q->lock);
	/* The item stays in the table while it is processed, so its key stays valid. */
	return it ? it->key : NULL;
}

void ctl_wq_done(struct ctl_wq *q, const char *key)
{
	struct wq_item *it;

	pthread_mutex_lock(&q->lock);
	it = lookup(q, key, false);
	if (it && it->state == WQ_PROCESSING) {
		it->value = it->pending;
		it->pending = NULL;
		if (it->dirty) {
			push_ready(q, it);
			q->depth++;
		} else if (it->delay) {
			push_delayed(q, it);
			q->depth++;
		} else {
			it->state = WQ_IDLE;
		}
		it->dirty = it->delay = false;
		release(q, it);
	}
	pthread_mutex_unlock(&q->lock);
}

size_t ctl_wq_depth(struct ctl_wq *q)
{
	size_t n;

	pthread_mutex_lock(&q->lock);
	n = q->depth;
	pthread_mutex_unlock(&q->lock);
	return n;
}
