/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An in-memory stand-in for the API server's store (controller/client.h), for host tests of
 * the reconcilers: same contract (apply writes only what differs, status left alone, label
 * selectors), plus counters of what was written so tests can check idempotence.
 */
#ifndef FAKE_STORE_H
#define FAKE_STORE_H

#include <cjson/cJSON.h>

#include "controller/client.h"

/**
 * struct fake_counts - what the store was asked to change
 * @writes: objects created or updated by ctl_store_apply
 * @status_writes: ctl_store_apply_status calls that changed a status
 * @deletes: objects deleted
 * @events: Events recorded
 */
struct fake_counts {
	long writes;
	long status_writes;
	long deletes;
	long events;
};

struct ctl_store *fake_store_new(void);
void fake_store_free(struct ctl_store *st);
struct fake_counts fake_store_counts(const struct ctl_store *st);
void fake_store_reset_counts(struct ctl_store *st);
/* Objects stored of a resource (all namespaces). */
int fake_store_count(struct ctl_store *st, const char *resource);
/* Events recorded with this reason (since creation). */
int fake_events(const struct ctl_store *st, const char *reason);
/* Make ctl_store_apply fail with err for resource (NULL: never). */
void fake_store_fail(struct ctl_store *st, const char *resource, int err);

#endif /* FAKE_STORE_H */
