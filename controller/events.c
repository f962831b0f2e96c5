// SPDX-License-Identifier: GPL-2.0
/*
 * The reconcilers' Events (client.h), correlated as client-go's event recorder does: a
 * repeat of an Event (same object, type, reason and message) bumps its count; once an
 * object has had AGG_SIMILAR different messages of one type and reason within AGG_WINDOW,
 * the further ones are one combined Event ("(combined from similar events): " and the
 * latest message) whose count says how many. A reconcile that creates 90 gateways of a
 * slice so records nine Events and one combined one, and the combined Event's count is
 * written once at the reconcile's end (ctl_event_flush), not once per gateway.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/json.h"
#include "api/log.h"
#include "controller/cache.h"
#include "controller/registry.h"
#include "controller/registry_int.h"

/* Writes that lose a race with another writer are read and tried again this often. */
#define EVENT_RETRIES	8
/* client-go's EventCorrelator defaults: similar Events are counted over 10 minutes, ... */
#define AGG_WINDOW	600
/* ... the 10th different message of a kind about one object is combined ... */
#define AGG_SIMILAR	10
/* ... and this many (object, type, reason) keys are remembered. */
#define AGG_ENTRIES	4096
#define AGG_BUCKETS	1024
#define AGG_PREFIX	"(combined from similar events): "

/**
 * struct similar - the Events of one type and reason about one object, in this window
 * @key: hash of the object's uid, the type and the reason
 * @since: when the window began
 * @messages: hashes of the different messages seen (individual Events)
 * @n_messages: entries in @messages
 * @pending: occurrences of the combined Event not written yet
 * @about: the object, for the combined Event (while @pending)
 * @type: Event type
 * @reason: Event reason
 * @message: the latest combined message
 * @next: the next entry in its hash bucket
 */
struct similar {
	uint64_t key;
	time_t since;
	uint64_t messages[AGG_SIMILAR];
	int n_messages;
	long pending;
	cJSON *about;
	char type[16];
	char reason[96];
	char message[1024];
	struct similar *next;
};

/**
 * struct ctl_events - the event correlator of a store
 * @buckets: entries hashed by key
 * @n: entries
 *
 * Used from the reconcile loop's thread only (reconcilers never run concurrently).
 */
struct ctl_events {
	struct similar *buckets[AGG_BUCKETS];
	size_t n;
};

/* FNV-1a over the strings, each with its terminating NUL. */
static uint64_t hash_strings(const char *const *parts)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *parts; parts++)
		for (const unsigned char *p = (const unsigned char *)*parts; ; p++) {
			h = (h ^ *p) * 0x100000001b3ULL;
			if (!*p)
				break;
		}
	return h;
}

static cJSON *involved_object(const cJSON *about)
{
	cJSON *ref = cJSON_CreateObject();

	ks_set_str(ref, "apiVersion", ks_get_str0(about, "apiVersion"));
	ks_set_str(ref, "kind", ks_get_str0(about, "kind"));
	if (ks_namespace(about))
		ks_set_str(ref, "namespace", ks_namespace(about));
	ks_set_str(ref, "name", ks_name(about));
	ks_set_str(ref, "uid", ks_get_str0(about, "metadata.uid"));
	ks_set_str(ref, "resourceVersion", ks_get_str0(about, "metadata.resourceVersion"));
	return ref;
}

static cJSON *new_event(const cJSON *ref, const char *ns, const char *name,
			const char *type, const char *reason, const char *message,
			const char *ts, long count)
{
	cJSON *ev = ks_object_new(KS_API_CORE, "Event", ns, name);

	ks_set(ev, "involvedObject", cJSON_Duplicate(ref, true));
	ks_set_str(ev, "reason", reason);
	ks_set_str(ev, "message", message);
	ks_set_str(ev, "type", type);
	ks_set_int(ev, "count", count);
	ks_set_str(ev, "firstTimestamp", ts);
	ks_set_str(ev, "lastTimestamp", ts);
	ks_set_str(ks_ensure(ev, "source"), "component", "slice-controller");
	return ev;
}

/* The Event of that name, from the reconcile loop's informer when this is its thread:
 * most are new, and on etcd the store's answer is an HTTPS round trip for each. */
static cJSON *event_read(struct ctl_store *st, struct ctl_cache *c,
			 const struct ks_resource *res, const char *ns, const char *name)
{
	return c ? ctl_cache_get(c, res, ns, name) : ctl_obj_get_latest(st, res, ns, name);
}

/*
 * The Event about ref named by what it says, created or its count raised by add (and its
 * message made message, the latest of a combined Event).
 */
static void event_write(struct ctl_store *st, const cJSON *ref, const char *type,
			const char *reason, const char *message, const char *name_part,
			long add)
{
	const struct ks_resource *res = ks_resource_by_plural(KS_RES_EVENT);
	const char *ns = ks_get_str(ref, "namespace") ?: "default";
	const char *parts[] = { ks_get_str0(ref, "uid"), type, reason, name_part, NULL };
	char name[KS_NAME_MAX + 1], ts[KS_TIME_STRLEN];
	struct ctl_cache *c = ctl_cache_mine(st);
	struct ctl_status err = { 0 };
	cJSON *ev, *out = NULL;
	long count = 0;
	int ret = 0;

	ks_time_format(time(NULL), ts);
	/* The name is a function of what the Event says about which object: a repeat finds
	 * it by name. */
	snprintf(name, sizeof(name), "%.200s.%016llx", ks_get_str0(ref, "name"),
		 (unsigned long long)hash_strings(parts));
	for (int i = 0; i < EVENT_RETRIES; i++) {
		ev = event_read(st, c, res, ns, name);
		if (ev) {
			ks_get_int(ev, "count", &count);
			ks_set_int(ev, "count", count + add);
			ks_set_str(ev, "lastTimestamp", ts);
			ks_set_str(ev, "message", message);
			ret = ctl_obj_update(st, res, ns, name, ev, CTL_INTERNAL, &err, &out);
		} else {
			ev = new_event(ref, ns, name, type, reason, message, ts, add);
			ret = ctl_obj_create(st, res, ns, ev, CTL_INTERNAL, &err, NULL);
			/* ev is what was stored */
			if (!ret) {
				out = ev;
				ev = NULL;
			}
		}
		cJSON_Delete(ev);
		if (!ret || err.code != 409)
			break;
		/* Written by someone else (or before the informer saw it): read it again. */
		if (c)
			ctl_cache_refresh(c, res, ns, name);
		err = (struct ctl_status){ 0 };
	}
	if (ret)
		ks_log(LOG_WARNING, "recording event %s: %s", reason, err.message);
	if (c && !ret)
		ctl_cache_wrote(c, res, out);
	else
		cJSON_Delete(out);
}

static void similar_write(struct ctl_store *st, struct similar *s)
{
	char message[sizeof(AGG_PREFIX) + sizeof(s->message)];

	if (!s->pending)
		return;
	snprintf(message, sizeof(message), AGG_PREFIX "%s", s->message);
	event_write(st, s->about, s->type, s->reason, message, AGG_PREFIX, s->pending);
	s->pending = 0;
	cJSON_Delete(s->about);
	s->about = NULL;
}

/* Every entry dropped, what is pending written first. */
static void events_clear(struct ctl_store *st, struct ctl_events *ev)
{
	struct similar *s, *next;

	for (int b = 0; b < AGG_BUCKETS; b++) {
		for (s = ev->buckets[b]; s; s = next) {
			next = s->next;
			if (st)
				similar_write(st, s);
			cJSON_Delete(s->about);
			free(s);
		}
		ev->buckets[b] = NULL;
	}
	ev->n = 0;
}

void ctl_events_free(struct ctl_events *ev)
{
	if (ev)
		events_clear(NULL, ev);
	free(ev);
}

/* The entry of (object, type, reason), its window begun again when it is over. */
static struct similar *similar_get(struct ctl_store *st, const cJSON *about,
				   const char *type, const char *reason, time_t now)
{
	const char *parts[] = { ks_get_str0(about, "metadata.uid"), ks_namespace(about) ?: "",
				ks_name(about) ?: "", type, reason, NULL };
	uint64_t key = hash_strings(parts);
	struct similar *s;

	if (!st->events)
		st->events = calloc(1, sizeof(*st->events));
	if (!st->events)
		return NULL;
	if (st->events->n >= AGG_ENTRIES)
		events_clear(st, st->events);
	for (s = st->events->buckets[key % AGG_BUCKETS]; s; s = s->next)
		if (s->key == key)
			break;
	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s)
			return NULL;
		s->key = key;
		s->since = now;
		s->next = st->events->buckets[key % AGG_BUCKETS];
		st->events->buckets[key % AGG_BUCKETS] = s;
		st->events->n++;
	}
	if (now - s->since >= AGG_WINDOW) {
		similar_write(st, s);
		s->since = now;
		s->n_messages = 0;
	}
	return s;
}

/* Whether the message is one of the individual Events of s (made one if there is room). */
static bool similar_individual(struct similar *s, const char *message)
{
	const char *parts[] = { message, NULL };
	uint64_t h = hash_strings(parts);

	for (int i = 0; i < s->n_messages; i++)
		if (s->messages[i] == h)
			return true;
	if (s->n_messages + 1 >= AGG_SIMILAR)
		return false;
	s->messages[s->n_messages++] = h;
	return true;
}

void ctl_event_record(struct ctl_store *st, const cJSON *about, const char *type,
		      const char *reason, const char *fmt, ...)
{
	char message[sizeof(((struct similar *)0)->message)];
	struct similar *s;
	cJSON *ref;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	s = similar_get(st, about, type, reason, time(NULL));
	if (!s || similar_individual(s, message)) {
		ref = involved_object(about);
		event_write(st, ref, type, reason, message, message, 1);
		cJSON_Delete(ref);
		return;
	}
	/* Combined: counted now, written at the end of the reconcile. */
	cJSON_Delete(s->about);
	s->about = involved_object(about);
	snprintf(s->type, sizeof(s->type), "%s", type);
	snprintf(s->reason, sizeof(s->reason), "%s", reason);
	snprintf(s->message, sizeof(s->message), "%s", message);
	s->pending++;
}

void ctl_event_flush(struct ctl_store *st)
{
	struct similar *s;

	if (!st->events)
		return;
	for (int b = 0; b < AGG_BUCKETS; b++)
		for (s = st->events->buckets[b]; s; s = s->next)
			similar_write(st, s);
}
