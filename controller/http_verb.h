/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the verb handlers share: http_resource.c (the request plumbing and the dispatch)
 * and http_verb_get.c, http_verb_watch.c, http_verb_create.c, http_verb_patch.c,
 * http_verb_delete.c (one verb family each, as the API server's endpoints/handlers).
 * Nothing outside them uses it.
 */
#ifndef CONTROLLER_HTTP_VERB_H
#define CONTROLLER_HTTP_VERB_H

#include <stdbool.h>
#include <stddef.h>

#include "api/json.h"
#include "controller/fieldmanager.h"
#include "controller/http_resource.h"
#include "controller/selector.h"

/* A helper's return when it has sent the answer (an error) and the request is done. */
#define ANSWERED 1

/**
 * struct call - one request on a resource, as the handlers see it
 * @api: the API server
 * @c: the connection answered on
 * @req: the request
 * @id: who asks
 * @t: what the URL names
 * @verb: the authorization verb ("get", "list", "watch", "create", ...)
 * @dry_run: CTL_DRY_RUN for dryRun=All, else 0
 */
struct call {
	struct ctl_api *api;
	struct ctl_http_conn *c;
	struct ctl_http_req *req;
	const struct ctl_identity *id;
	const struct ctl_target *t;
	const char *verb;
	int dry_run;
};

/* Answers (http_resource.c): each returns ANSWERED, or -EIO when the connection failed. */
int verb_fail(struct call *k, int code, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int verb_failed(struct call *k, struct ctl_status *err, const char *name);
int verb_forbidden(struct call *k, const char *verb);
/*
 * The object at name if the caller may read it; else NULL with err set: hidden (absent or
 * not readable, one answer for both, so a credential learns nothing) or 500 when the store
 * could not be read.
 */
cJSON *verb_read(struct call *k, const char *name, struct ctl_status *err);
int verb_respond(struct call *k, int code, cJSON *obj, const char *extra);
cJSON *verb_list_of(const struct ks_resource *res, cJSON *items, const char *rv);

/* The request (http_resource.c): 0, or the answer sent, unless said otherwise. */
char *verb_query(struct call *k, const char *key);
bool verb_truthy(const char *v);
cJSON *verb_decode(struct call *k, bool patch, int *ret);
int verb_check_identity(struct call *k, cJSON *obj);
int verb_admit(struct call *k, cJSON *obj, char *warning, size_t len);
int verb_parse_selector(struct call *k, struct ctl_selector **sel);

/* Writes (http_verb_create.c), for update, patch and apply alike. */
int verb_manager_of(struct call *k, char name[CTL_MANAGER_MAX + 1], struct ctl_manager *m);
int verb_store_update(struct call *k, cJSON *obj, const cJSON *cur, bool applied,
		      struct ctl_status *err, cJSON **out);

/* The handlers, one a verb. */
int verb_get(struct call *k);
int verb_list(struct call *k);
int verb_watch(struct call *k);
int verb_create(struct call *k);
int verb_update(struct call *k);
int verb_patch(struct call *k);
int verb_delete(struct call *k);
int verb_delete_collection(struct call *k);

#endif /* CONTROLLER_HTTP_VERB_H */
