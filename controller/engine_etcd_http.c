// SPDX-License-Identifier: GPL-2.0
/*
 * Requests to etcd's v3 JSON gateway: a pool of curl handles (each keeps its TLS
 * connection), failover across the endpoints, and the JSON pieces requests are made of.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>
#include <cjson/cJSON.h>

#include "api/base64.h"
#include "api/json.h"
#include "api/log.h"
#include "controller/engine_etcd_int.h"

size_t etcd_collect(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	char *d = realloc(b->data, b->len + size * n + 1);

	if (!d)
		return 0;
	memcpy(d + b->len, p, size * n);
	b->len += size * n;
	d[b->len] = '\0';
	b->data = d;
	return size * n;
}

static CURL *handle_get(struct etcd_engine *e)
{
	CURL *h = NULL;

	pthread_mutex_lock(&e->lock);
	if (e->n_pool)
		h = e->pool[--e->n_pool];
	pthread_mutex_unlock(&e->lock);
	return h ? h : curl_easy_init();
}

static void handle_put(struct etcd_engine *e, CURL *h)
{
	pthread_mutex_lock(&e->lock);
	if (e->n_pool < POOL) {
		e->pool[e->n_pool++] = h;
		h = NULL;
	}
	pthread_mutex_unlock(&e->lock);
	if (h)
		curl_easy_cleanup(h);
}

void etcd_handle_setup(struct etcd_engine *e, CURL *h, const char *url, const char *body,
			 struct buf *out)
{
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, etcd_collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)CONNECT_TIMEOUT_S);
	if (e->ca)
		curl_easy_setopt(h, CURLOPT_CAINFO, e->ca);
	if (e->cert) {
		curl_easy_setopt(h, CURLOPT_SSLCERT, e->cert);
		curl_easy_setopt(h, CURLOPT_SSLKEY, e->key);
	}
}

/*
 * Whether a failed attempt may be made again: a read always; a write only when it never
 * left (no connection, or TLS not set up), since a write that reached etcd may have been
 * applied and its compare would now fail.
 */
static bool etcd_retryable(const char *path, CURL *h, CURLcode rc)
{
	curl_off_t sent = 0;

	if (!strcmp(path, "kv/range"))
		return true;
	if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_SSL_CONNECT_ERROR)
		return true;
	return curl_easy_getinfo(h, CURLINFO_PRETRANSFER_TIME_T, &sent) == CURLE_OK && !sent;
}

/* One pass over the endpoints from the current one; the parsed answer or NULL. */
static cJSON *etcd_try(struct etcd_engine *e, CURL *h, const char *path, const char *body,
		       bool *retry, char *why, size_t why_len)
{
	cJSON *resp = NULL;
	char url[1024];
	int first;

	pthread_mutex_lock(&e->lock);
	first = e->current;
	pthread_mutex_unlock(&e->lock);
	*retry = true;
	for (int i = 0; i < e->n_endpoints && !resp; i++) {
		int at = (first + i) % e->n_endpoints;
		struct buf out = { 0 };
		long code = 0;
		CURLcode rc;

		snprintf(url, sizeof(url), "%s/v3/%s", e->endpoints[at], path);
		etcd_handle_setup(e, h, url, body, &out);
		curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)REQUEST_TIMEOUT_S);
		rc = curl_easy_perform(h);
		if (rc == CURLE_OK &&
		    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK &&
		    code == 200 && out.data)
			resp = cJSON_Parse(out.data);
		else {
			snprintf(why, why_len, "%s: %s (HTTP %ld)", e->endpoints[at],
				 curl_easy_strerror(rc), code);
			if (!etcd_retryable(path, h, rc))
				*retry = false;
		}
		free(out.data);
		if (resp && at != first) {
			pthread_mutex_lock(&e->lock);
			e->current = at;
			pthread_mutex_unlock(&e->lock);
		}
	}
	return resp;
}

/*
 * POSTs req to /v3/<path> on the first endpoint that answers; the parsed answer or NULL.
 * A pass that failed everywhere is made again, up to ETCD_PASSES, while what failed may be
 * repeated: on a loaded machine a burst of new TLS connections can miss the connect timeout,
 * and that must not turn into a NotFound or a failed write.
 */
cJSON *etcd_call(struct etcd_engine *e, const char *path, cJSON *req)
{
	char *body = cJSON_PrintUnformatted(req);
	CURL *h = handle_get(e);
	char why[512] = "out of memory";
	cJSON *resp = NULL;
	bool retry = true;

	for (int pass = 0; body && h && !resp && retry && pass < ETCD_PASSES; pass++) {
		if (pass)
			usleep(100000U << pass);
		resp = etcd_try(e, h, path, body, &retry, why, sizeof(why));
	}
	if (!resp)
		ks_log(LOG_ERR, "etcd: %s failed on every endpoint, the last: %s", path, why);
	free(body);
	if (h)
		handle_put(e, h);
	return resp;
}

uint64_t etcd_num(const cJSON *obj, const char *path)
{
	const char *s = ks_get_str(obj, path);

	return s ? strtoull(s, NULL, 10) : 0;
}

void etcd_set_b64(cJSON *obj, const char *name, const char *data, size_t len)
{
	char *b64 = ks_b64_encode(data, len);

	cJSON_AddStringToObject(obj, name, b64 ? b64 : "");
	free(b64);
}

/* A range over every key starting with prefix. */
void etcd_add_prefix_range(cJSON *req, const char *prefix)
{
	size_t n = strlen(prefix);
	char end[1024];

	snprintf(end, sizeof(end), "%s", prefix);
	end[n - 1]++;
	etcd_set_b64(req, "key", prefix, n);
	etcd_set_b64(req, "range_end", end, n);
}

/* The compare of a conditional write, or nothing for CTL_RV_ANY, added to the txn's list. */
void etcd_add_compare(cJSON *txn, const char *key, uint64_t expect)
{
	cJSON *cmp, *list = cJSON_GetObjectItemCaseSensitive(txn, "compare");
	char rv[24];

	if (!list)
		list = cJSON_AddArrayToObject(txn, "compare");

	if (expect == CTL_RV_ANY)
		return;
	cmp = cJSON_CreateObject();
	etcd_set_b64(cmp, "key", key, strlen(key));
	cJSON_AddStringToObject(cmp, "result", "EQUAL");
	cJSON_AddStringToObject(cmp, "target", expect ? "MOD" : "CREATE");
	snprintf(rv, sizeof(rv), "%llu", (unsigned long long)expect);
	cJSON_AddStringToObject(cmp, expect ? "mod_revision" : "create_revision", rv);
	cJSON_AddItemToArray(list, cmp);
}

/* The object JSON of a kv (malloc'd, without the marker byte); internal from the marker. */
char *etcd_kv_body(const cJSON *kv, const char *field, bool *internal)
{
	size_t len;
	unsigned char *v = ks_b64_decode(ks_get_str0(kv, field), &len);
	char *body;

	if (!v || len < 1) {
		free(v);
		return NULL;
	}
	if (internal)
		*internal = v[0] == 'i';
	body = strndup((char *)v + 1, len - 1);
	free(v);
	return body;
}
