/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reconcilers' informer: decoded objects kept in memory, per kind, so that a reconcile
 * neither scans a kind nor parses its rows again (client-go's informer and lister). A kind
 * is read from the store once, on its first use, and from then on follows the change
 * history the reconcile loop reads (ctl_cache_feed()); the reconcilers' own writes are put
 * in as they are made (ctl_cache_wrote()), so that they read their own writes before
 * those are committed. Lists by one label value go through an index of that label, made
 * on the first list that asks for it.
 *
 * Every entry keeps the resourceVersion it is at and takes only a newer state, and a kind
 * takes no change at or before the state it was read at: history read late, or a list that
 * already saw a change, cannot bring an older state back. A deleted object is kept as a
 * tombstone at its deletion's resourceVersion. Anything the cache cannot follow forgets it
 * all (ctl_cache_reset()): a failed commit, the history compacted past the loop, a change
 * of leader, each full resync.
 *
 * The cache belongs to one thread, the reconcile loop's (ctl_cache_attach()); everyone
 * else (validation on the API's threads, tests calling the reconcilers directly) reads the
 * store itself: ctl_cache_mine() is NULL for them. No lock.
 */
#ifndef CONTROLLER_CACHE_H
#define CONTROLLER_CACHE_H

#include <cjson/cJSON.h>

#include "api/kubeslice.h"
#include "controller/engine.h"
#include "controller/selector.h"

struct ctl_store;
struct ctl_cache;

/* The calling thread's cache of st, made if there is none (the reconcile loop's start). */
struct ctl_cache *ctl_cache_attach(struct ctl_store *st);
/* st's cache if the calling thread owns it, else NULL (read the store). */
struct ctl_cache *ctl_cache_mine(struct ctl_store *st);
void ctl_cache_free(struct ctl_cache *c);
/* Forgets every object: each kind is read from the store again on its next use. */
void ctl_cache_reset(struct ctl_cache *c);

/* A copy of the object, or NULL with errno ENOENT (absent) or EIO (the store failed). */
cJSON *ctl_cache_get(struct ctl_cache *c, const struct ks_resource *res, const char *ns,
		     const char *name);
/* Copies of the objects of res in ns (NULL: all) matching sel (NULL: all), ordered by
 * namespace and name as the store lists them. */
cJSON *ctl_cache_list(struct ctl_cache *c, const struct ks_resource *res, const char *ns,
		      const struct ctl_selector *sel);

/* The reconcilers wrote obj (as stored, with its resourceVersion), which the cache takes:
 * the writer has no use for it after, and a copy of every write was 3 % of the CPU. */
void ctl_cache_wrote(struct ctl_cache *c, const struct ks_resource *res, cJSON *obj);
/* The object's entry read from the store again (after a write lost a race, a delete). */
void ctl_cache_refresh(struct ctl_cache *c, const struct ks_resource *res, const char *ns,
		       const char *name);
/* One change of the history, in order. */
void ctl_cache_feed(struct ctl_cache *c, const struct ctl_change *ch);

#endif /* CONTROLLER_CACHE_H */
