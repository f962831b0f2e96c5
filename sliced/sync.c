// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "sync.h"
#include "util.h"

#define API_WORKER	"/apis/worker.kubeslice.io/v1alpha1"
#define API_CORE	"/api/v1"

/* The server ends a watch after this long; we start the next one from the same version. */
#define SYNC_WATCH_SECONDS	300
#define SYNC_CONNECT_TIMEOUT_S	5
/* Lists and writes are small; a controller that takes longer is treated as away. */
#define SYNC_REQUEST_TIMEOUT_S	20
#define SYNC_BODY_MAX		(64 << 20)

static const struct {
	const char *api_path;
	const char *plural;
} sync_kinds[SYNC_KINDS] = {
	[SYNC_SLICES] = { API_WORKER, "workersliceconfigs" },
	[SYNC_GATEWAYS] = { API_WORKER, "workerslicegateways" },
	[SYNC_IMPORTS] = { API_WORKER, "workerserviceimports" },
	[SYNC_SECRETS] = { API_CORE, "secrets" },
	[SYNC_EXPORTS] = { "/apis/controller.kubeslice.io/v1alpha1", "serviceexportconfigs" },
};

enum sync_req_type { SYNC_REQ_LIST, SYNC_REQ_WATCH, SYNC_REQ_WRITE };

/* What a curl handle is doing, found again through CURLOPT_PRIVATE. */
struct sync_req {
	enum sync_req_type type;
	CURL *easy;
	struct sync_watch *w;		/* LIST and WATCH */
	struct curl_slist *headers;
	char *body;			/* the reply; WATCH: its unfinished line */
	size_t len, cap;
	char *sent;			/* WRITE: the request body */
	char what[160];			/* WRITE: for the log */
	struct sync_req *next;		/* WRITE: in sync.writes */
};

struct sync_watch {
	struct sync *s;
	enum sync_kind kind;
	cJSON *cache;			/* name -> object */
	char rv[64];			/* last resourceVersion seen; "" before the first list */
	bool listed;			/* listed at least once */
	bool connected;			/* the watch got its 200 */
	bool gone;			/* the watch said 410: list again */
	bool failing;			/* logged as unreachable, until it works again */
	CURL *easy;			/* the request in flight, or NULL while backing off */
	uint64_t retry_ms;		/* when to try again while easy is NULL */
	unsigned int backoff_ms;
};

static void watch_next(struct sync_watch *w, bool relist);

static char *sync_url(const struct sync *s, const char *api_path, const char *plural,
		      const char *name, const char *query)
{
	char *url;

	if (asprintf(&url, "%s%s/namespaces/%s/%s%s%s%s%s", s->cfg->server, api_path, s->cfg->ns,
		     plural, name ? "/" : "", name ? name : "", query ? "?" : "",
		     query ? query : "") < 0)
		return NULL;
	return url;
}

static bool req_append(struct sync_req *r, const char *data, size_t n)
{
	char *grown;
	size_t cap;

	if (r->len + n + 1 > r->cap) {
		if (r->len + n + 1 > SYNC_BODY_MAX)
			return false;
		cap = (r->len + n + 1) * 2;
		grown = realloc(r->body, cap);
		if (!grown)
			return false;
		r->body = grown;
		r->cap = cap;
	}
	memcpy(r->body + r->len, data, n);
	r->len += n;
	r->body[r->len] = '\0';
	return true;
}

/* Replace or remove one cached object; dirty only when something really changed. */
static void cache_put(struct sync_watch *w, const char *name, const cJSON *obj)
{
	cJSON *old = cJSON_GetObjectItemCaseSensitive(w->cache, name);

	if (obj ? old && cJSON_Compare(old, obj, true) : !old)
		return;
	cJSON_DeleteItemFromObjectCaseSensitive(w->cache, name);
	if (obj)
		cJSON_AddItemToObject(w->cache, name, cJSON_Duplicate(obj, true));
	w->s->dirty = true;
}

static const char *obj_str(const cJSON *obj, const char *section, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(obj, section), key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void watch_set_rv(struct sync_watch *w, const char *rv)
{
	if (rv)
		snprintf(w->rv, sizeof(w->rv), "%s", rv);
}

/* One line of a watch stream: {"type": ..., "object": ...}. */
static bool watch_event(struct sync_watch *w, const char *line)
{
	cJSON *ev = cJSON_Parse(line);
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(ev, "type");
	const cJSON *obj = cJSON_GetObjectItemCaseSensitive(ev, "object");
	const char *name = obj_str(obj, "metadata", "name");
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(obj, "code");
	bool ok = true;

	if (!cJSON_IsString(type)) {
		log_msg(LOG_WARNING, "controller: %s watch: not a watch event: %.80s",
			sync_kinds[w->kind].plural, line);
		ok = false;
	} else if (!strcmp(type->valuestring, "ERROR")) {
		/* 410: our version left the server's history; anything else: start over too. */
		w->gone = true;
		log_msg(cJSON_IsNumber(code) && code->valueint == 410 ? LOG_INFO : LOG_WARNING,
			"controller: %s watch: %s, listing again", sync_kinds[w->kind].plural,
			obj_str(ev, "object", "message") ?: "error");
		ok = false;
	} else if (!strcmp(type->valuestring, "BOOKMARK")) {
		watch_set_rv(w, obj_str(obj, "metadata", "resourceVersion"));
	} else if (name) {
		cache_put(w, name, strcmp(type->valuestring, "DELETED") ? obj : NULL);
		watch_set_rv(w, obj_str(obj, "metadata", "resourceVersion"));
	}
	cJSON_Delete(ev);
	return ok;
}

static size_t sync_write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sync_req *r = arg;
	size_t n = size * nmemb;
	char *nl;
	long code = 0;

	if (!req_append(r, data, n))
		return 0;
	if (r->type != SYNC_REQ_WATCH)
		return n;
	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &code);
	if (code != 200)
		return n;	/* an error Status: read whole, judged at the end */
	while ((nl = memchr(r->body, '\n', r->len))) {
		*nl = '\0';
		if (nl != r->body && !watch_event(r->w, r->body))
			return 0;	/* stops the transfer: list again */
		r->len -= nl + 1 - r->body;
		memmove(r->body, nl + 1, r->len + 1);
	}
	return n;
}

static struct sync_req *req_new(struct sync *s, enum sync_req_type type, const char *url,
				CURL **out)
{
	struct sync_req *r = calloc(1, sizeof(*r));
	CURL *easy = curl_easy_init();
	char *auth = NULL;

	if (!r || !easy || asprintf(&auth, "Authorization: Bearer %s", s->cfg->token) < 0)
		goto fail;
	r->type = type;
	r->easy = easy;
	r->headers = curl_slist_append(NULL, auth);
	r->headers = curl_slist_append(r->headers, "Accept: application/json");
	free(auth);
	auth = NULL;
	curl_easy_setopt(easy, CURLOPT_URL, url);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, r->headers);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, sync_write_cb);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(easy, CURLOPT_PRIVATE, r);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT, (long)SYNC_CONNECT_TIMEOUT_S);
	/* A controller that vanished without a FIN is noticed within about half a minute. */
	curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(easy, CURLOPT_TCP_KEEPIDLE, 10L);
	curl_easy_setopt(easy, CURLOPT_TCP_KEEPINTVL, 5L);
	if (type != SYNC_REQ_WATCH)
		curl_easy_setopt(easy, CURLOPT_TIMEOUT, (long)SYNC_REQUEST_TIMEOUT_S);
	if (s->cfg->ca_file)
		curl_easy_setopt(easy, CURLOPT_CAINFO, s->cfg->ca_file);
	if (s->cfg->ca_pem) {
		struct curl_blob blob = { .data = s->cfg->ca_pem, .len = strlen(s->cfg->ca_pem),
					  .flags = CURL_BLOB_COPY };

		curl_easy_setopt(easy, CURLOPT_CAINFO_BLOB, &blob);
	}
	*out = easy;
	return r;
fail:
	free(auth);
	curl_easy_cleanup(easy);
	free(r);
	return NULL;
}

static void req_free(struct sync_req *r)
{
	curl_slist_free_all(r->headers);
	free(r->sent);
	free(r->body);
	free(r);
}

static void watch_start(struct sync_watch *w, bool list)
{
	struct sync *s = w->s;
	char query[512], *url, *selector;
	struct sync_req *r;

	selector = curl_easy_escape(NULL, "worker-cluster=", 0);
	if (list)
		snprintf(query, sizeof(query), "labelSelector=%s%s", selector, s->cfg->cluster);
	else
		snprintf(query, sizeof(query),
			 "labelSelector=%s%s&watch=1&allowWatchBookmarks=true&resourceVersion=%s&timeoutSeconds=%d",
			 selector, s->cfg->cluster, w->rv, SYNC_WATCH_SECONDS);
	curl_free(selector);
	url = sync_url(s, sync_kinds[w->kind].api_path, sync_kinds[w->kind].plural, NULL,
		       query);
	r = url ? req_new(s, list ? SYNC_REQ_LIST : SYNC_REQ_WATCH, url, &w->easy) : NULL;
	free(url);
	if (!r) {
		log_msg(LOG_ERR, "controller: out of memory starting a request");
		w->retry_ms = now_ms() + SYNC_BACKOFF_MAX_MS;
		return;
	}
	r->w = w;
	w->gone = false;
	w->connected = false;
	curl_multi_add_handle(s->multi, w->easy);
}

/* A list reply: the whole cache anew, and the version to watch from. */
static bool watch_listed(struct sync_watch *w, struct sync_req *r)
{
	cJSON *list = cJSON_Parse(r->body ? r->body : ""), *items, *item, *fresh;
	const char *name;

	items = cJSON_GetObjectItemCaseSensitive(list, "items");
	if (!cJSON_IsArray(items) && !cJSON_IsNull(items)) {
		cJSON_Delete(list);
		return false;
	}
	fresh = cJSON_CreateObject();
	cJSON_ArrayForEach(item, items) {
		name = obj_str(item, "metadata", "name");
		if (name && !cJSON_GetObjectItemCaseSensitive(fresh, name))
			cJSON_AddItemToObject(fresh, name, cJSON_Duplicate(item, true));
	}
	/* Dirty when an object came, went or changed. */
	if (!cJSON_Compare(fresh, w->cache, true))
		w->s->dirty = true;
	cJSON_Delete(w->cache);
	w->cache = fresh;
	watch_set_rv(w, obj_str(list, "metadata", "resourceVersion"));
	w->listed = true;
	cJSON_Delete(list);
	return true;
}

static void watch_failed(struct sync_watch *w, const char *why)
{
	if (!w->failing)
		log_msg(LOG_WARNING, "controller %s: %s: %s; data plane left as it is, retrying",
			w->s->cfg->server, sync_kinds[w->kind].plural, why);
	w->failing = true;
	w->backoff_ms = w->backoff_ms ? w->backoff_ms * 2 : SYNC_BACKOFF_MIN_MS;
	if (w->backoff_ms > SYNC_BACKOFF_MAX_MS)
		w->backoff_ms = SYNC_BACKOFF_MAX_MS;
	w->retry_ms = now_ms() + w->backoff_ms;
}

static void watch_done(struct sync_watch *w, struct sync_req *r, CURLcode res)
{
	char why[160];
	long code = 0;

	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &code);
	if (w->gone || code == 410) {
		watch_next(w, true);
		return;
	}
	if (res != CURLE_OK) {
		watch_failed(w, curl_easy_strerror(res));
		return;
	}
	if (code != 200) {
		snprintf(why, sizeof(why), "HTTP %ld: %.100s", code, r->body ? r->body : "");
		watch_failed(w, why);
		return;
	}
	if (r->type == SYNC_REQ_LIST && !watch_listed(w, r)) {
		watch_failed(w, "list reply is not a Kubernetes list");
		return;
	}
	if (w->failing)
		log_msg(LOG_INFO, "controller %s: %s: connected again", w->s->cfg->server,
			sync_kinds[w->kind].plural);
	w->failing = false;
	w->backoff_ms = 0;
	/* After a list, watch from its version; after a watch that ended, watch again. */
	watch_next(w, false);
}

static void watch_next(struct sync_watch *w, bool relist)
{
	w->retry_ms = 0;
	watch_start(w, relist || !w->listed);
}

static void write_done(struct sync *s, struct sync_req *r, CURLcode res)
{
	struct sync_req **pp;
	long code = 0;

	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &code);
	if (res != CURLE_OK)
		log_msg(LOG_WARNING, "controller: %s: %s", r->what, curl_easy_strerror(res));
	else if (code >= 300)
		log_msg(LOG_WARNING, "controller: %s: HTTP %ld: %.200s", r->what, code,
			r->body ? r->body : "");
	for (pp = &s->writes; *pp; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			break;
		}
}

static void sync_finish(struct sync *s, CURL *easy, CURLcode res)
{
	struct sync_req *r = NULL;

	curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&r);
	curl_multi_remove_handle(s->multi, easy);
	if (r->type == SYNC_REQ_WRITE) {
		write_done(s, r, res);
	} else {
		/* Cleared first: watch_done() may start the next request of this kind. */
		r->w->easy = NULL;
		r->w->connected = false;
		watch_done(r->w, r, res);
	}
	curl_easy_cleanup(easy);
	req_free(r);
}

/* A watch is connected once the server accepted it, before any event has come. */
static void watch_check_connected(struct sync_watch *w)
{
	struct sync_req *r = NULL;
	long code = 0;

	if (!w->easy || w->connected)
		return;
	curl_easy_getinfo(w->easy, CURLINFO_PRIVATE, (char **)&r);
	if (r->type != SYNC_REQ_WATCH)
		return;
	curl_easy_getinfo(w->easy, CURLINFO_RESPONSE_CODE, &code);
	w->connected = code == 200;
	if (w->connected && w->failing) {
		log_msg(LOG_INFO, "controller %s: %s: connected again", w->s->cfg->server,
			sync_kinds[w->kind].plural);
		w->failing = false;
		w->backoff_ms = 0;
	}
}

int sync_poll(struct sync *s, struct curl_waitfd *extra, unsigned int n_extra, int timeout_ms)
{
	uint64_t now = now_ms();
	int i, running, ready = 0, left;
	CURLMsg *msg;

	for (i = 0; i < SYNC_KINDS; i++) {
		struct sync_watch *w = s->watch[i];

		if (!w->easy && w->retry_ms <= now)
			watch_next(w, w->gone);
		else if (!w->easy && (int)(w->retry_ms - now) < timeout_ms)
			timeout_ms = w->retry_ms - now;
	}
	if (curl_multi_poll(s->multi, extra, n_extra, timeout_ms, &ready) != CURLM_OK)
		return -1;
	curl_multi_perform(s->multi, &running);
	while ((msg = curl_multi_info_read(s->multi, &left)))
		if (msg->msg == CURLMSG_DONE)
			sync_finish(s, msg->easy_handle, msg->data.result);
	for (i = 0; i < SYNC_KINDS; i++)
		watch_check_connected(s->watch[i]);
	return ready;
}

int sync_init(struct sync *s, const struct sliced_config *cfg)
{
	int i;

	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	if (curl_global_init(CURL_GLOBAL_DEFAULT))
		return -1;
	s->multi = curl_multi_init();
	if (!s->multi)
		return -1;
	for (i = 0; i < SYNC_KINDS; i++) {
		s->watch[i] = calloc(1, sizeof(*s->watch[i]));
		if (!s->watch[i])
			return -1;
		s->watch[i]->s = s;
		s->watch[i]->kind = i;
		s->watch[i]->cache = cJSON_CreateObject();
		if (!s->watch[i]->cache)
			return -1;
	}
	return 0;
}

static void req_abort(struct sync *s, CURL *easy)
{
	struct sync_req *r = NULL;

	curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&r);
	curl_multi_remove_handle(s->multi, easy);
	curl_easy_cleanup(easy);
	req_free(r);
}

void sync_release(struct sync *s)
{
	int i;

	if (!s->multi)
		return;
	while (s->writes) {
		struct sync_req *r = s->writes;

		s->writes = r->next;
		req_abort(s, r->easy);
	}
	for (i = 0; i < SYNC_KINDS; i++) {
		if (!s->watch[i])
			continue;
		if (s->watch[i]->easy)
			req_abort(s, s->watch[i]->easy);
		cJSON_Delete(s->watch[i]->cache);
		free(s->watch[i]);
	}
	curl_multi_cleanup(s->multi);
	curl_global_cleanup();
	memset(s, 0, sizeof(*s));
}

const cJSON *sync_cache(const struct sync *s, enum sync_kind kind)
{
	return s->watch[kind]->cache;
}

bool sync_ready(const struct sync *s)
{
	int i;

	for (i = 0; i < SYNC_KINDS; i++)
		if (!s->watch[i]->listed)
			return false;
	return true;
}

bool sync_connected(const struct sync *s)
{
	int i;

	for (i = 0; i < SYNC_KINDS; i++)
		if (!s->watch[i]->connected)
			return false;
	return true;
}

/* Starts a write; body is taken over. */
static void sync_send(struct sync *s, const char *method, const char *url,
		      const char *content_type, char *body, const char *what)
{
	struct sync_req *r;
	char header[128];
	CURL *easy;

	r = body ? req_new(s, SYNC_REQ_WRITE, url, &easy) : NULL;
	if (!r) {
		log_msg(LOG_ERR, "controller: %s: out of memory", what);
		free(body);
		return;
	}
	snprintf(header, sizeof(header), "Content-Type: %s", content_type);
	r->headers = curl_slist_append(r->headers, header);
	r->sent = body;
	snprintf(r->what, sizeof(r->what), "%s", what);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, r->headers);
	curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body);
	r->next = s->writes;
	s->writes = r;
	curl_multi_add_handle(s->multi, easy);
}

void sync_write_status(struct sync *s, const char *api_path, const char *plural,
		       const char *name, cJSON *status)
{
	cJSON *patch = cJSON_CreateObject();
	char *url = sync_url(s, api_path, plural, name, NULL), *full = NULL, what[160];

	cJSON_AddItemToObject(patch, "status", status);
	if (url && asprintf(&full, "%s/status", url) < 0)
		full = NULL;
	snprintf(what, sizeof(what), "status of %s %s", plural, name);
	if (full)
		sync_send(s, "PATCH", full, "application/merge-patch+json",
			  cJSON_PrintUnformatted(patch), what);
	free(full);
	free(url);
	cJSON_Delete(patch);
}

void sync_write(struct sync *s, const char *method, const char *api_path, const char *plural,
		const char *name, const char *sub, cJSON *body)
{
	char *url = sync_url(s, api_path, plural, name, NULL), *full = NULL, what[160];
	bool patch = !strcmp(method, "PATCH");

	if (url && asprintf(&full, "%s%s%s", url, sub ? "/" : "", sub ? sub : "") < 0)
		full = NULL;
	snprintf(what, sizeof(what), "%s %s %s%s%s", method, plural, name ? name : "",
		 sub ? "/" : "", sub ? sub : "");
	if (full)
		sync_send(s, method, full,
			  patch ? "application/merge-patch+json" : "application/json",
			  body ? cJSON_PrintUnformatted(body) : strdup(""), what);
	free(full);
	free(url);
	cJSON_Delete(body);
}

void sync_event(struct sync *s, const char *kind, const char *api_version, const char *name,
		const char *type, const char *reason, const char *fmt, ...)
{
	cJSON *ev = cJSON_CreateObject(), *meta, *about, *source;
	char msg[512], stamp[32], evname[300], what[160], *url;
	struct timespec now;
	struct tm tm;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	/* Kubernetes names Events <object>.<unique suffix>. */
	snprintf(evname, sizeof(evname), "%.200s.%lx%09lx", name, (long)now.tv_sec, now.tv_nsec);
	cJSON_AddStringToObject(ev, "apiVersion", "v1");
	cJSON_AddStringToObject(ev, "kind", "Event");
	meta = cJSON_AddObjectToObject(ev, "metadata");
	cJSON_AddStringToObject(meta, "name", evname);
	cJSON_AddStringToObject(meta, "namespace", s->cfg->ns);
	about = cJSON_AddObjectToObject(ev, "involvedObject");
	cJSON_AddStringToObject(about, "apiVersion", api_version);
	cJSON_AddStringToObject(about, "kind", kind);
	cJSON_AddStringToObject(about, "name", name);
	cJSON_AddStringToObject(about, "namespace", s->cfg->ns);
	cJSON_AddStringToObject(ev, "type", type);
	cJSON_AddStringToObject(ev, "reason", reason);
	cJSON_AddStringToObject(ev, "message", msg);
	source = cJSON_AddObjectToObject(ev, "source");
	cJSON_AddStringToObject(source, "component", "sliced");
	cJSON_AddStringToObject(source, "host", s->cfg->cluster);
	cJSON_AddStringToObject(ev, "firstTimestamp", stamp);
	cJSON_AddStringToObject(ev, "lastTimestamp", stamp);
	cJSON_AddNumberToObject(ev, "count", 1);
	url = sync_url(s, API_CORE, "events", NULL, NULL);
	snprintf(what, sizeof(what), "Event %s about %s", reason, name);
	if (url)
		sync_send(s, "POST", url, "application/json", cJSON_PrintUnformatted(ev), what);
	free(url);
	cJSON_Delete(ev);
}
