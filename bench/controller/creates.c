// SPDX-License-Identifier: GPL-2.0
/*
 * Create throughput at N concurrent clients, against slice-controller's API or etcd's v3
 * JSON gateway, over HTTPS with keep-alive connections (one per client).
 *   creates controller URL TOKEN CAFILE CLIENTS SECONDS
 *   creates etcd URL - CAFILE CLIENTS SECONDS
 * Prints "creates_per_second=N clients=C failures=F". A create counts when the server
 * acknowledged it (201, or 200 from etcd's put); both servers fsync before they answer.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>

struct client {
	pthread_t thread;
	int id;
	unsigned long done;
	unsigned long failed;
};

static const char *mode, *url, *token, *cafile;
static double seconds;

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
	return size * n;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void b64_encode(const char *in, char *out)
{
	size_t n = strlen(in), i;
	const unsigned char *s = (const unsigned char *)in;

	for (i = 0; i + 2 < n; i += 3) {
		*out++ = b64[s[i] >> 2];
		*out++ = b64[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
		*out++ = b64[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)];
		*out++ = b64[s[i + 2] & 63];
	}
	if (i < n) {
		*out++ = b64[s[i] >> 2];
		if (i + 1 < n) {
			*out++ = b64[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
			*out++ = b64[(s[i + 1] & 15) << 2];
		} else {
			*out++ = b64[(s[i] & 3) << 4];
			*out++ = '=';
		}
		*out++ = '=';
	}
	*out = '\0';
}

/* The same object both ways: a Secret of about 200 bytes. */
static void body_for(const struct client *c, unsigned long i, char *body, size_t len)
{
	char name[64], obj[512], key[128], k64[200], v64[700];

	/* Unique across runs against one server: a repeated name would be a 409. */
	snprintf(name, sizeof(name), "bench-%d-%d-%lu", (int)getpid(), c->id, i);
	snprintf(obj, sizeof(obj),
		 "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"%s\","
		 "\"namespace\":\"default\",\"labels\":{\"bench\":\"creates\"}},"
		 "\"data\":{\"token\":\"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\"}}", name);
	if (!strcmp(mode, "controller")) {
		snprintf(body, len, "%s", obj);
		return;
	}
	snprintf(key, sizeof(key), "/registry/secrets/default/%s", name);
	b64_encode(key, k64);
	b64_encode(obj, v64);
	snprintf(body, len, "{\"key\":\"%s\",\"value\":\"%s\"}", k64, v64);
}

static void *run(void *arg)
{
	struct client *c = arg;
	CURL *h = curl_easy_init();
	struct curl_slist *hdr = NULL;
	char auth[256], target[512], body[2048];
	double end = now() + seconds;
	long code;

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	hdr = curl_slist_append(hdr, "Content-Type: application/json");
	if (!strcmp(mode, "controller")) {
		hdr = curl_slist_append(hdr, auth);
		snprintf(target, sizeof(target), "%s/api/v1/namespaces/default/secrets", url);
	} else {
		snprintf(target, sizeof(target), "%s/v3/kv/put", url);
	}
	curl_easy_setopt(h, CURLOPT_URL, target);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_CAINFO, cafile);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	for (unsigned long i = 0; now() < end; i++) {
		CURLcode rc;

		body_for(c, i, body, sizeof(body));
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		code = 0;
		rc = curl_easy_perform(h);
		if (rc == CURLE_OK)
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
		if (code == 201 || code == 200) {
			c->done++;
			continue;
		}
		if (!c->failed++)
			fprintf(stderr, "creates: client %d: %s, HTTP %ld\n", c->id,
				rc == CURLE_OK ? "answered" : curl_easy_strerror(rc), code);
	}
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned long done = 0, failed = 0;
	struct client *cs;
	double start;
	int n;

	if (argc != 7 || (strcmp(argv[1], "controller") && strcmp(argv[1], "etcd"))) {
		fprintf(stderr, "usage: %s controller|etcd URL TOKEN|- CAFILE CLIENTS SECONDS\n",
			argv[0]);
		return 2;
	}
	mode = argv[1];
	url = argv[2];
	token = argv[3];
	cafile = argv[4];
	n = atoi(argv[5]);
	seconds = atof(argv[6]);
	if (n < 1 || seconds <= 0)
		return 2;
	curl_global_init(CURL_GLOBAL_ALL);
	cs = calloc(n, sizeof(*cs));
	if (!cs)
		return 1;
	start = now();
	for (int i = 0; i < n; i++) {
		cs[i].id = i;
		pthread_create(&cs[i].thread, NULL, run, &cs[i]);
	}
	for (int i = 0; i < n; i++) {
		pthread_join(cs[i].thread, NULL);
		done += cs[i].done;
		failed += cs[i].failed;
	}
	printf("creates_per_second=%.0f clients=%d failures=%lu\n", done / (now() - start), n,
	       failed);
	free(cs);
	curl_global_cleanup();
	return failed && !done;
}
