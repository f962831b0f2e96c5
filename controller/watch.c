// SPDX-License-Identifier: GPL-2.0
/*
 * A watcher reads the durable history after its last resourceVersion, so it resumes
 * across restarts of the server; a resourceVersion older than the retained history is
 * answered as the API server's watch cache does: HTTP 200 and one ERROR event carrying a
 * 410 Expired Status.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/json.h"
#include "controller/http_table.h"
#include "controller/metrics.h"
#include "controller/watch.h"

/* How long a watch from a future version waits for it, as the API server's watch cache. */
#define FRESH_WAIT_MS 3000
/* Changes read from history per lock hold. */
#define BATCH 256
/* How long a watcher sleeps before checking the client is still there. */
#define POLL_MS 1000
#define BOOKMARK_SECONDS 30

static const char *const type_names[] = {
	[CTL_ADDED] = "ADDED", [CTL_MODIFIED] = "MODIFIED", [CTL_DELETED] = "DELETED",
};

struct pending {
	enum ctl_change_type type;
	uint64_t rv;
	char *body;
};

struct batch {
	const struct ctl_watch *w;
	struct pending items[BATCH];
	unsigned int n;
	uint64_t last;
	bool headers_sent;	/* a Table watch: the first Table carried the columns */
};

static int collect(void *arg, const struct ctl_change *c)
{
	struct batch *b = arg;

	b->last = c->rv;
	if (strcmp(c->resource, b->w->res->plural) || (b->w->ns && strcmp(c->ns, b->w->ns)))
		return 0;
	b->items[b->n].type = c->type;
	b->items[b->n].rv = c->rv;
	b->items[b->n].body = strdup(c->body);
	b->n++;
	return 0;
}

static int send_event(struct ctl_http_conn *c, const char *type, cJSON *obj)
{
	cJSON *ev = cJSON_CreateObject();
	char *text;
	int ret;

	cJSON_AddStringToObject(ev, "type", type);
	cJSON_AddItemToObject(ev, "object", obj);
	text = cJSON_PrintUnformatted(ev);
	cJSON_Delete(ev);
	if (!text)
		return -ENOMEM;
	/* One event a line, as the API server frames its JSON watch streams. */
	ret = ctl_http_stream_chunk(c, text, strlen(text));
	if (!ret)
		ret = ctl_http_stream_chunk(c, "\n", 1);
	free(text);
	return ret;
}

/*
 * An object's event; in a Table watch the object as a Table of one row, with the column
 * definitions only in the first, as the API server sends them (kubectl keeps the last).
 */
static int send_object(struct ctl_http_conn *c, struct batch *b, const char *type, cJSON *obj)
{
	const struct ctl_watch *w = b->w;
	cJSON *items, *table;
	char rv[24];

	if (!w->table)
		return send_event(c, type, obj);
	snprintf(rv, sizeof(rv), "%s", ks_get_str0(obj, "metadata.resourceVersion"));
	items = cJSON_CreateArray();
	cJSON_AddItemToArray(items, obj);
	table = ctl_table_build(w->res, w->table, items, rv, w->include, time(NULL));
	if (!table)
		return -EINVAL;
	if (b->headers_sent)
		cJSON_DeleteItemFromObjectCaseSensitive(table, "columnDefinitions");
	b->headers_sent = true;
	return send_event(c, type, table);
}

static bool wanted(const struct ctl_watch *w, const cJSON *obj)
{
	return ctl_selector_match(w->sel, obj) && ctl_auth_can_read(w->id, w->res, obj);
}

static int send_batch(struct ctl_http_conn *c, struct batch *b)
{
	int ret = 0;

	for (unsigned int i = 0; i < b->n; i++) {
		cJSON *obj = ret || !b->items[i].body ? NULL :
			     ctl_obj_decode(b->items[i].body, b->items[i].rv);

		if (obj && wanted(b->w, obj))
			ret = send_object(c, b, type_names[b->items[i].type], obj);
		else
			cJSON_Delete(obj);
		free(b->items[i].body);
	}
	b->n = 0;
	return ret;
}

static int send_bookmark(struct ctl_http_conn *c, const struct ctl_watch *w, uint64_t rv)
{
	cJSON *obj = cJSON_CreateObject();
	char buf[128];

	ks_resource_api_version(w->res, buf, sizeof(buf));
	cJSON_AddStringToObject(obj, "apiVersion", buf);
	cJSON_AddStringToObject(obj, "kind", w->res->kind);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)rv);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(obj, "metadata"), "resourceVersion", buf);
	return send_event(c, "BOOKMARK", obj);
}

static int send_expired(struct ctl_http_conn *c, uint64_t from, uint64_t oldest)
{
	cJSON *st = cJSON_CreateObject();
	char msg[128];

	snprintf(msg, sizeof(msg), "too old resource version: %llu (%llu)",
		 (unsigned long long)from, (unsigned long long)oldest);
	cJSON_AddStringToObject(st, "kind", "Status");
	cJSON_AddStringToObject(st, "apiVersion", "v1");
	cJSON_AddObjectToObject(st, "metadata");
	cJSON_AddStringToObject(st, "status", "Failure");
	cJSON_AddStringToObject(st, "message", msg);
	cJSON_AddStringToObject(st, "reason", "Expired");
	cJSON_AddNumberToObject(st, "code", 410);
	return send_event(c, "ERROR", st);
}

/* The existing objects as ADDED events; sets *rv to the version they are current at. */
static int send_initial(struct ctl_store *st, struct ctl_http_conn *c, struct batch *b,
			uint64_t *rv)
{
	const struct ctl_watch *w = b->w;
	cJSON *items = ctl_obj_list(st, w->res, w->ns, w->sel, rv), *obj;
	int ret = 0;

	while (!ret && (obj = cJSON_DetachItemFromArray(items, 0))) {
		if (ctl_auth_can_read(w->id, w->res, obj))
			ret = send_object(c, b, "ADDED", obj);
		else
			cJSON_Delete(obj);
	}
	cJSON_Delete(items);
	return ret;
}

static void deadline_in(struct timespec *t, long ms)
{
	clock_gettime(CLOCK_MONOTONIC, t);
	t->tv_sec += ms / 1000;
	t->tv_nsec += (ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

static time_t mono_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec;
}

/* Waits for changes after b->last and reads up to BATCH of them; false on shutdown. */
static bool next_batch(struct ctl_store *st, struct batch *b, bool *expired,
		       uint64_t *oldest)
{
	struct timespec until;
	bool running;

	deadline_in(&until, POLL_MS);
	/* Read without any lock held, so that many watchers do not hold up writers. */
	*expired = ctl_obj_changes(st, b->last, BATCH, true, &until, collect, b, oldest,
				   &running) == -ERANGE;
	return running;
}

/* Whether the store reaches version rv within FRESH_WAIT_MS, as the API server waits. */
static bool reaches(struct ctl_store *st, uint64_t rv)
{
	struct timespec until;

	deadline_in(&until, FRESH_WAIT_MS);
	return ctl_obj_reaches(st, rv, &until);
}

int ctl_watch_serve(struct ctl_store *st, struct ctl_http_conn *c, const struct ctl_watch *w)
{
	struct batch *b = calloc(1, sizeof(*b));
	time_t end = mono_now() + w->timeout, bookmark = mono_now() + BOOKMARK_SECONDS;
	bool expired = false;
	uint64_t oldest;
	int ret;

	if (!b)
		return -ENOMEM;
	/* From a version in the future, silence would look like "nothing changed". */
	if (!w->initial && !reaches(st, w->from)) {
		free(b);
		return -EAGAIN;
	}
	b->w = w;
	b->last = w->from;
	ctl_metrics_watch(1);
	ret = ctl_http_stream_begin(c, "application/json");
	if (!ret && w->initial)
		ret = send_initial(st, c, b, &b->last);
	while (!ret && mono_now() < end) {
		uint64_t before = b->last;
		bool running = next_batch(st, b, &expired, &oldest);

		if (expired) {
			ret = send_expired(c, b->last, oldest);
			break;
		}
		ret = send_batch(c, b);
		if (ret || !running)
			break;
		if (b->last != before)
			bookmark = mono_now() + BOOKMARK_SECONDS;
		else if (w->bookmarks && mono_now() >= bookmark) {
			ret = send_bookmark(c, w, b->last);
			bookmark = mono_now() + BOOKMARK_SECONDS;
		}
		if (ctl_http_peer_gone(c))
			ret = -EIO;
	}
	if (!ret)
		ret = ctl_http_stream_end(c);
	ctl_metrics_watch(-1);
	free(b);
	return ret;
}
