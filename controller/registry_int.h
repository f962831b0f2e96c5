/* SPDX-License-Identifier: GPL-2.0 */
/* What registry.c and registry_delete.c share; nothing outside the registry uses it. */
#ifndef CONTROLLER_REGISTRY_INT_H
#define CONTROLLER_REGISTRY_INT_H

#include "api/json.h"
#include "controller/registry.h"

/* Rebuilds of one write that lost races before it answers 409 Conflict. */
#define MAX_RETRIES 32

/**
 * struct ctl_store - the registry
 * @db: the storage engine
 * @n_kinds: entries of ks_resources
 * @kind_writes: writes per kind, indexed like ks_resources (atomic counters)
 */
struct ctl_store {
	struct ctl_engine *db;
	size_t n_kinds;
	uint64_t *kind_writes;
	struct ctl_rindex *rindex;
	struct ctl_cache *cache;
	struct ctl_events *events;
};

/* The event correlator's state (events.c), freed with the store. */
void ctl_events_free(struct ctl_events *ev);

/**
 * struct reg_rows - rows copied out of a scan, decoded once the engine's lock is released
 * @sel: selector the text of a row must be able to match, or NULL
 * @needle: text a row must contain, or NULL
 * @body: the rows' JSON
 * @rv: their resourceVersions
 * @n: rows
 * @cap: room in @body and @rv
 */
struct reg_rows {
	const struct ctl_selector *sel;
	const char *needle;
	char **body;
	uint64_t *rv;
	size_t n, cap;
};

void reg_now(char buf[KS_TIME_STRLEN]);
/* obj's metadata, created if missing. */
cJSON *reg_meta(cJSON *obj);
void reg_not_found(struct ctl_status *err, const struct ks_resource *res, const char *name);
/* 409 Conflict unless want is empty or cur's resourceVersion. */
int reg_check_rv(const struct ks_resource *res, const cJSON *cur, const char *want,
		 struct ctl_status *err);
/*
 * Stores one change of obj, unless its row is no longer at expect (engine.h). On success
 * obj carries its new resourceVersion. Returns 0, or -1 with err filled and *why the
 * engine's -errno (-EAGAIN: rebuild and retry).
 */
int reg_commit(struct ctl_store *st, enum ctl_change_type type, const struct ks_resource *res,
	       cJSON *obj, uint64_t expect, int flags, struct ctl_status *err, int *why);
/* The object as stored now (including grouped writes), and its resourceVersion. */
cJSON *reg_read_latest(struct ctl_store *st, const struct ks_resource *res, const char *ns,
		       const char *name, uint64_t *rv);
/* A ctl_row_fn copying the rows that may match into a struct reg_rows. */
int reg_copy_row(void *arg, const char *body, uint64_t rv);
/* Decodes the rows into a JSON array, keeping those sel (may be NULL) matches; frees them. */
cJSON *reg_rows_decode(struct reg_rows *r, const struct ctl_selector *sel);

bool reg_finalizers_empty(const cJSON *obj);
/* Takes cur, read at expect: marks it for deletion while finalizers remain, else removes
 * it and, unless CTL_ORPHAN, what depends on it. Returns as reg_commit(). */
int reg_delete_cur(struct ctl_store *st, const struct ks_resource *res, cJSON *cur,
		   uint64_t expect, int flags, struct ctl_status *err, int *why);

#endif /* CONTROLLER_REGISTRY_INT_H */
