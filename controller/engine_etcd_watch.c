// SPDX-License-Identifier: GPL-2.0
/*
 * The change history of the etcd engine: one thread watches the prefix from a revision
 * (with prev_kv, so a deletion carries the last state) and keeps the newest changes in a
 * ring; when the stream breaks it reopens it on the next endpoint from where it was.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curl/curl.h>
#include <cjson/cJSON.h>

#include "api/base64.h"
#include "api/json.h"
#include "api/log.h"
#include "controller/engine_etcd_int.h"

/**
 * struct stream - a watch stream being read
 * @e: the engine
 * @line: bytes of the message not complete yet
 * @next: revision to watch from when the stream has to be opened again
 */
struct stream {
	struct etcd_engine *e;
	struct buf line;
	uint64_t next;
};

/* Appends one change to the ring, dropping the oldest when full. Caller holds e->lock. */
static void ring_push(struct etcd_engine *e, struct etcd_change *ch)
{
	if (e->count == e->cap) {
		struct etcd_change *old = e->ring[e->head];

		e->compacted = old->c.rv;
		free(old);
		e->head = (e->head + 1) % e->cap;
		e->count--;
	}
	e->ring[(e->head + e->count) % e->cap] = ch;
	e->count++;
	if (ch->c.rv > e->committed)
		e->committed = ch->c.rv;
}

/* One watch event into a change; NULL when it is not one of our objects. */
static struct etcd_change *event_change(struct etcd_engine *e, const cJSON *ev)
{
	bool deleted = !strcmp(ks_get_str0(ev, "type"), "DELETE"), internal = false;
	const cJSON *kv = cJSON_GetObjectItemCaseSensitive(ev, "kv");
	size_t klen, plen = strlen(e->prefix);
	unsigned char *key = ks_b64_decode(ks_get_str0(kv, "key"), &klen);
	char *body = etcd_kv_body(ev, deleted ? "prev_kv.value" : "kv.value", &internal);
	char *res, *ns, *name;
	struct etcd_change *ch = NULL;
	size_t n;

	if (!key || !body || klen <= plen || memcmp(key, e->prefix, plen))
		goto out;
	res = strndup((char *)key + plen, klen - plen);
	ns = res ? strchr(res, '/') : NULL;
	name = ns ? strchr(ns + 1, '/') : NULL;
	if (!name) {
		free(res);
		goto out;
	}
	*ns++ = '\0';
	*name++ = '\0';
	n = strlen(res) + strlen(ns) + strlen(name) + strlen(body) + 4;
	ch = malloc(sizeof(*ch) + n);
	if (ch) {
		char *p = ch->text;

		ch->c = (struct ctl_change){
			.type = deleted ? CTL_DELETED :
				etcd_num(kv, "create_revision") == etcd_num(kv, "mod_revision") ? CTL_ADDED :
				CTL_MODIFIED,
			.rv = etcd_num(kv, "mod_revision"),
			/* A deletion carries no value of its own, and the marker of the last
			 * one says who wrote it, not who deleted it: a user's delete of an
			 * object the controller made looked like the controller's and was
			 * never reconciled. So every deletion counts as someone else's. */
			.internal = internal && !deleted,
		};
		ch->c.resource = p;
		p = stpcpy(p, res) + 1;
		ch->c.ns = p;
		p = stpcpy(p, ns) + 1;
		ch->c.name = p;
		p = stpcpy(p, name) + 1;
		ch->c.body = p;
		strcpy(p, body);
	}
	free(res);
out:
	free(key);
	free(body);
	return ch;
}

static void stream_message(struct stream *s, const char *text)
{
	cJSON *msg = cJSON_Parse(text);
	const cJSON *result = cJSON_GetObjectItemCaseSensitive(msg, "result"), *ev;
	struct etcd_engine *e = s->e;
	uint64_t compact = etcd_num(result, "compact_revision");

	pthread_mutex_lock(&e->lock);
	if (compact) {
		/* etcd no longer has what we missed: readers behind it must list again. */
		ks_log(LOG_WARNING, "etcd: history compacted at %llu; watching from there",
		       (unsigned long long)compact);
		if (compact - 1 > e->compacted)
			e->compacted = compact - 1;
		if (e->committed < e->compacted)
			e->committed = e->compacted;
		s->next = compact;
	}
	cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(result, "events")) {
		struct etcd_change *ch = event_change(e, ev);

		if (!ch)
			continue;
		if (ch->c.rv >= s->next)
			s->next = ch->c.rv + 1;
		ring_push(e, ch);
	}
	pthread_cond_broadcast(&e->changed);
	pthread_mutex_unlock(&e->lock);
	cJSON_Delete(msg);
}

static size_t stream_data(char *p, size_t size, size_t n, void *arg)
{
	struct stream *s = arg;
	char *nl;

	if (!etcd_collect(p, size, n, &s->line))
		return 0;
	/* The gateway writes one JSON message a line. */
	while ((nl = memchr(s->line.data, '\n', s->line.len))) {
		size_t used = (size_t)(nl - s->line.data) + 1;

		*nl = '\0';
		stream_message(s, s->line.data);
		memmove(s->line.data, s->line.data + used, s->line.len - used + 1);
		s->line.len -= used;
	}
	return size * n;
}

static int stream_progress(void *arg, curl_off_t a, curl_off_t b, curl_off_t c,
			   curl_off_t d)
{
	struct etcd_engine *e = arg;
	bool stop;

	pthread_mutex_lock(&e->lock);
	stop = e->stopping;
	pthread_mutex_unlock(&e->lock);
	return stop;
}

void *etcd_watch_thread(void *arg)
{
	struct etcd_engine *e = arg;
	struct stream s = { .e = e };
	CURL *h = curl_easy_init();
	bool stop = false;
	int at = 0;

	pthread_mutex_lock(&e->lock);
	s.next = e->compacted + 1;
	pthread_mutex_unlock(&e->lock);
	while (h && !stop) {
		cJSON *req = cJSON_CreateObject(), *cr = cJSON_AddObjectToObject(req, "create_request");
		char url[1024], *body;

		etcd_add_prefix_range(cr, e->prefix);
		cJSON_AddNumberToObject(cr, "start_revision", (double)s.next);
		cJSON_AddTrueToObject(cr, "prev_kv");
		body = cJSON_PrintUnformatted(req);
		cJSON_Delete(req);
		snprintf(url, sizeof(url), "%s/v3/watch", e->endpoints[at]);
		etcd_handle_setup(e, h, url, body, &s.line);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, stream_data);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
		curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, stream_progress);
		curl_easy_setopt(h, CURLOPT_XFERINFODATA, e);
		curl_easy_perform(h);
		free(body);
		free(s.line.data);
		s.line = (struct buf){ 0 };
		pthread_mutex_lock(&e->lock);
		stop = e->stopping;
		pthread_mutex_unlock(&e->lock);
		if (!stop) {
			/* The member went away or the stream broke: the next one, from where we were. */
			at = (at + 1) % e->n_endpoints;
			nanosleep(&(struct timespec){ .tv_nsec = 200000000L }, NULL);
		}
	}
	curl_easy_cleanup(h);
	return NULL;
}
