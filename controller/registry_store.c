// SPDX-License-Identifier: GPL-2.0
/*
 * The store itself: opening it on an engine (with the namespaces every cluster has),
 * closing and stopping it, and what it passes through from its engine (flush, size,
 * leadership, the committed resourceVersion, the change history).
 */
#include <errno.h>
#include <stdlib.h>

#include "api/json.h"
#include "api/kubeslice.h"
#include "api/log.h"
#include "controller/cache.h"
#include "controller/registry.h"
#include "controller/registry_int.h"

int ctl_obj_flush(struct ctl_store *st)
{
	return ctl_engine_flush(st->db);
}

int64_t ctl_obj_store_bytes(struct ctl_store *st)
{
	return ctl_engine_size(st->db);
}

bool ctl_obj_lead(struct ctl_store *st, const char *identity)
{
	return ctl_engine_lead(st->db, identity);
}

uint64_t ctl_obj_committed(struct ctl_store *st)
{
	return ctl_engine_committed(st->db);
}

bool ctl_obj_reaches(struct ctl_store *st, uint64_t rv, const struct timespec *deadline)
{
	bool running;

	return !rv || ctl_engine_wait(st->db, rv - 1, deadline, &running) >= rv;
}

int ctl_obj_changes(struct ctl_store *st, uint64_t after, unsigned int limit, bool own_bodies,
		    const struct timespec *deadline, ctl_change_fn fn, void *arg,
		    uint64_t *oldest, bool *running)
{
	uint64_t upto = ctl_engine_wait(st->db, after, deadline, running);

	if (upto <= after)
		return 0;
	return ctl_engine_history(st->db, after, upto, limit, own_bodies, fn, arg, oldest);
}

/* The namespaces every Kubernetes cluster has, and the one Projects live in. */
static int bootstrap(struct ctl_store *st)
{
	static const char *const names[] = { "default", KS_CONTROLLER_NAMESPACE, NULL };
	const struct ks_resource *res = ks_resource_by_plural(KS_RES_NAMESPACE);

	for (const char *const *n = names; *n; n++) {
		struct ctl_status err = { 0 };
		cJSON *obj, *out = NULL;
		uint64_t rv;
		char *body = ctl_engine_get(st->db, res->plural, "", *n, true, &rv);

		if (body) {
			free(body);
			continue;
		}
		obj = ks_object_new(KS_API_CORE, "Namespace", NULL, *n);
		if (ctl_obj_create(st, res, NULL, obj, 0, &err, &out)) {
			ks_log(LOG_ERR, "creating namespace %s: %s", *n, err.message);
			cJSON_Delete(obj);
			return -EIO;
		}
		cJSON_Delete(obj);
		cJSON_Delete(out);
	}
	return 0;
}

int ctl_store_open_engine(struct ctl_engine *e, struct ctl_store **out)
{
	struct ctl_store *st = calloc(1, sizeof(*st));
	int ret;

	if (!st) {
		ctl_engine_close(e);
		return -ENOMEM;
	}
	st->db = e;
	while (ks_resources[st->n_kinds].kind)
		st->n_kinds++;
	st->kind_writes = calloc(st->n_kinds, sizeof(*st->kind_writes));
	ret = st->kind_writes ? bootstrap(st) : -ENOMEM;
	if (ret) {
		ctl_store_close(st);
		return ret;
	}
	*out = st;
	return 0;
}

int ctl_store_open(const char *dir, unsigned int history, struct ctl_store **out)
{
	struct ctl_engine *e;
	int ret = ctl_engine_open_sqlite(dir, history, &e);

	return ret ? ret : ctl_store_open_engine(e, out);
}

struct ctl_rindex **ctl_store_rindex(struct ctl_store *st)
{
	return &st->rindex;
}

struct ctl_cache **ctl_store_cache(struct ctl_store *st)
{
	return &st->cache;
}

void ctl_store_close(struct ctl_store *st)
{
	ctl_engine_close(st->db);
	ctl_cache_free(st->cache);
	ctl_rindex_free(st->rindex);
	ctl_events_free(st->events);
	free(st->kind_writes);
	free(st);
}

void ctl_store_stop(struct ctl_store *st)
{
	ctl_engine_stop(st->db);
}
