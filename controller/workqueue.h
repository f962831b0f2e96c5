/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A work queue of keys, as client-go's workqueue: a key added while it waits is not added
 * twice (its value is replaced by the newer one); a key added while it is being processed
 * waits until ctl_wq_done() and is then queued again, so one key is never processed twice
 * at once; a failed key comes back after a per-key exponential backoff.
 *
 * Locking: a mutex of its own; any thread may add, get and ask the depth.
 */
#ifndef CONTROLLER_WORKQUEUE_H
#define CONTROLLER_WORKQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct ctl_wq;

/* value_free frees the values given to ctl_wq_add() (NULL: they are not freed). */
struct ctl_wq *ctl_wq_new(void (*value_free)(void *value));
void ctl_wq_free(struct ctl_wq *q);

/* Queues key (copied) with value (taken), replacing the value of a waiting key. */
int ctl_wq_add(struct ctl_wq *q, const char *key, void *value);
/* Queues key again after its backoff (base doubling per failure since ctl_wq_forget()). */
int ctl_wq_add_backoff(struct ctl_wq *q, const char *key, void *value);
/* Clears key's failure count (it was processed successfully). */
void ctl_wq_forget(struct ctl_wq *q, const char *key);

/*
 * Takes the oldest ready key: returns its key (valid until ctl_wq_done()) and value (now
 * the caller's), or NULL when none is ready; *next_due then tells when a delayed one will be
 * (CLOCK_MONOTONIC; unchanged when there is none).
 */
const char *ctl_wq_get(struct ctl_wq *q, void **value, struct timespec *next_due);
/* Marks the key from ctl_wq_get() processed; one added meanwhile is queued now. */
void ctl_wq_done(struct ctl_wq *q, const char *key);

/* Keys waiting (ready or delayed), for metrics. */
size_t ctl_wq_depth(struct ctl_wq *q);

#endif /* CONTROLLER_WORKQUEUE_H */
