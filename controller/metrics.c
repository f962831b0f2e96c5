// SPDX-License-Identifier: GPL-2.0
/*
 * Counters are fixed arrays indexed by verb and status class, so recording never allocates
 * or locks; the text is built at scrape time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "controller/metrics.h"

static const char *const verbs[] = { "GET", "POST", "PUT", "PATCH", "DELETE", "OTHER" };
#define N_VERBS (sizeof(verbs) / sizeof(verbs[0]))
/* HTTP status codes 100..599 are counted each; others fold into 0. */
#define N_CODES 600

/* Upper bounds of the latency buckets, in seconds (the last is +Inf). */
static const double req_bounds[] = { 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5 };
#define N_REQ_BOUNDS (sizeof(req_bounds) / sizeof(req_bounds[0]))
static const double rec_bounds[] = { 0.001, 0.01, 0.1, 0.5, 1, 5, 30 };
#define N_REC_BOUNDS (sizeof(rec_bounds) / sizeof(rec_bounds[0]))

/* All atomics (__atomic builtins); sums in microseconds so that they stay integers. */
static uint64_t requests[N_VERBS][N_CODES];
static uint64_t req_buckets[N_VERBS][N_REQ_BOUNDS + 1];
static uint64_t req_sum_us[N_VERBS];
static int64_t watches;
static uint64_t rec_buckets[N_REC_BOUNDS + 1];
static uint64_t rec_sum_us;

static void add(uint64_t *v, uint64_t n)
{
	__atomic_add_fetch(v, n, __ATOMIC_RELAXED);
}

static uint64_t get(const uint64_t *v)
{
	return __atomic_load_n(v, __ATOMIC_RELAXED);
}

static size_t verb_index(const char *method)
{
	size_t i;

	for (i = 0; i < N_VERBS - 1; i++)
		if (!strcasecmp(method, verbs[i]))
			break;
	return i;
}

/* Counts seconds into the first bucket whose bound holds it (non-cumulative here). */
static void observe(uint64_t *buckets, const double *bounds, size_t n, uint64_t *sum_us,
		    double seconds)
{
	size_t i;

	for (i = 0; i < n && seconds > bounds[i]; i++)
		;
	add(&buckets[i], 1);
	add(sum_us, (uint64_t)(seconds * 1e6));
}

void ctl_metrics_request(const char *method, int code, double seconds)
{
	size_t v = verb_index(method);

	add(&requests[v][code >= 100 && code < N_CODES ? code : 0], 1);
	observe(req_buckets[v], req_bounds, N_REQ_BOUNDS, &req_sum_us[v], seconds);
}

void ctl_metrics_watch(int delta)
{
	__atomic_add_fetch(&watches, delta, __ATOMIC_RELAXED);
}

void ctl_metrics_reconcile(double seconds)
{
	observe(rec_buckets, rec_bounds, N_REC_BOUNDS, &rec_sum_us, seconds);
}

static void header(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A histogram's _bucket (cumulative), _sum and _count lines; labels may be "". */
static void histogram(FILE *f, const char *name, const char *labels, const uint64_t *buckets,
		      const double *bounds, size_t n, uint64_t sum_us)
{
	uint64_t total = 0;
	size_t i;

	for (i = 0; i <= n; i++) {
		total += get(&buckets[i]);
		if (i < n)
			fprintf(f, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels,
				*labels ? "," : "", bounds[i], (unsigned long long)total);
		else
			fprintf(f, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels,
				*labels ? "," : "", (unsigned long long)total);
	}
	if (*labels) {
		fprintf(f, "%s_sum{%s} %.6f\n", name, labels, get(&sum_us) / 1e6);
		fprintf(f, "%s_count{%s} %llu\n", name, labels, (unsigned long long)total);
	} else {
		fprintf(f, "%s_sum %.6f\n", name, get(&sum_us) / 1e6);
		fprintf(f, "%s_count %llu\n", name, (unsigned long long)total);
	}
}

static void requests_text(FILE *f)
{
	char labels[64];

	header(f, "slice_controller_requests_total", "counter",
	       "API requests by HTTP verb and status code.");
	for (size_t v = 0; v < N_VERBS; v++)
		for (int code = 0; code < N_CODES; code++)
			if (get(&requests[v][code]))
				fprintf(f, "slice_controller_requests_total{verb=\"%s\",code=\"%d\"} %llu\n",
					verbs[v], code, (unsigned long long)get(&requests[v][code]));
	header(f, "slice_controller_request_duration_seconds", "histogram",
	       "API request latency by HTTP verb (watches: until the stream ends).");
	for (size_t v = 0; v < N_VERBS; v++) {
		snprintf(labels, sizeof(labels), "verb=\"%s\"", verbs[v]);
		histogram(f, "slice_controller_request_duration_seconds", labels, req_buckets[v],
			  req_bounds, N_REQ_BOUNDS, req_sum_us[v]);
	}
	header(f, "slice_controller_watches", "gauge", "Watch streams open.");
	fprintf(f, "slice_controller_watches %lld\n",
		(long long)__atomic_load_n(&watches, __ATOMIC_RELAXED));
}

static long peak_rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

char *ctl_metrics_text(const struct ctl_metrics_state *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	requests_text(f);
	header(f, "slice_controller_reconcile_queue_length", "gauge",
	       "Keys waiting on the reconcile work queue.");
	fprintf(f, "slice_controller_reconcile_queue_length %llu\n",
		(unsigned long long)s->loop.queued);
	header(f, "slice_controller_reconciles_total", "counter", "Reconciles run.");
	fprintf(f, "slice_controller_reconciles_total %llu\n",
		(unsigned long long)s->loop.reconciled);
	header(f, "slice_controller_reconcile_in_progress", "gauge",
	       "1 while a reconcile runs.");
	fprintf(f, "slice_controller_reconcile_in_progress %d\n", s->loop.reconciling);
	header(f, "slice_controller_reconcile_duration_seconds", "histogram",
	       "How long one reconcile (one key, or a full resync) took.");
	histogram(f, "slice_controller_reconcile_duration_seconds", "", rec_buckets, rec_bounds,
		  N_REC_BOUNDS, rec_sum_us);
	header(f, "slice_controller_resource_version", "gauge",
	       "The store's last committed resourceVersion.");
	fprintf(f, "slice_controller_resource_version %llu\n",
		(unsigned long long)s->resource_version);
	header(f, "slice_controller_store_size_bytes", "gauge",
	       "Size of the store on disk (database and its write-ahead log).");
	fprintf(f, "slice_controller_store_size_bytes %lld\n", (long long)s->store_bytes);
	header(f, "process_peak_resident_memory_bytes", "gauge",
	       "Peak resident set size of the process.");
	fprintf(f, "process_peak_resident_memory_bytes %ld\n", peak_rss_kib() * 1024);
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}
