/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sync with the controller: list and watch this cluster's objects (label
 * worker-cluster=<cluster> in namespace kubeslice-<project>) into local caches, and write
 * status and Events back.
 *
 * Every watch resumes from the last resourceVersion it saw; a 410 Gone (history too old)
 * makes it list again. While the controller cannot be reached the caches stay as they
 * were (so the data plane stays as it is) and reconnection backs off exponentially.
 *
 * All requests run on one libcurl multi handle, driven by the daemon's loop through
 * sync_poll(); nothing blocks.
 */
#ifndef SLICED_SYNC_H
#define SLICED_SYNC_H

#include <stdbool.h>
#include <stdint.h>
#include <curl/curl.h>
#include <cjson/cJSON.h>

#include "config.h"

enum sync_kind {
	SYNC_SLICES,		/* WorkerSliceConfig */
	SYNC_GATEWAYS,		/* WorkerSliceGateway */
	SYNC_IMPORTS,		/* WorkerServiceImport */
	SYNC_SECRETS,		/* the gateways' credential Secrets */
	SYNC_EXPORTS,		/* our ServiceExportConfigs (sliced/exports.h) */
	SYNC_KINDS
};

#define SYNC_BACKOFF_MIN_MS	500
#define SYNC_BACKOFF_MAX_MS	30000

struct sync_watch;
struct sync_req;

struct sync {
	const struct sliced_config *cfg;
	CURLM *multi;
	struct sync_watch *watch[SYNC_KINDS];
	bool dirty;		/* a cache changed since the caller last cleared it */
	struct sync_req *writes;	/* status and Event requests in flight */
};

int sync_init(struct sync *s, const struct sliced_config *cfg);
void sync_release(struct sync *s);

/*
 * sync_poll - wait up to timeout_ms for the controller or for extra fds (as for
 * curl_multi_poll()), then move every request on. Returns curl_multi_poll()'s count of
 * ready extra fds, or -1.
 */
int sync_poll(struct sync *s, struct curl_waitfd *extra, unsigned int n_extra, int timeout_ms);

/* The cache of one kind: a cJSON object of name -> object. Never NULL. */
const cJSON *sync_cache(const struct sync *s, enum sync_kind kind);

/* True once every kind has been listed at least once since start. */
bool sync_ready(const struct sync *s);

/* True while the watches of every kind are connected. */
bool sync_connected(const struct sync *s);

/*
 * sync_write_status - merge-patch obj's status subresource with status (taken over).
 * plural is "workerslicegateways", "clusters", ...; cluster-scoped when ns is NULL.
 */
void sync_write_status(struct sync *s, const char *api_path, const char *plural,
		       const char *name, cJSON *status);

/*
 * sync_write - create (POST, name NULL), merge-patch (PATCH) or delete (DELETE, body NULL)
 * one of our objects, or its subresource sub ("status") when sub is not NULL. body is
 * taken over. The outcome is logged; the watches show the result.
 */
void sync_write(struct sync *s, const char *method, const char *api_path, const char *plural,
		const char *name, const char *sub, cJSON *body);

/* sync_event - a core/v1 Event about an object of ours (type "Normal" or "Warning"). */
void sync_event(struct sync *s, const char *kind, const char *api_version, const char *name,
		const char *type, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

#endif /* SLICED_SYNC_H */
