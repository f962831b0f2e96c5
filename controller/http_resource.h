/* SPDX-License-Identifier: GPL-2.0 */
/* The verbs on resources: get, list, watch, create, update, patch, delete(collection). */
#ifndef CONTROLLER_HTTP_RESOURCE_H
#define CONTROLLER_HTTP_RESOURCE_H

#include "controller/http_api.h"

/* A handler's return when it streamed an answer and the connection must close. */
#define CTL_API_STREAMED 2

/**
 * struct ctl_target - what a resource URL names
 * @res: the resource
 * @ns: namespace from the URL, NULL when none
 * @name: object name, NULL for the collection
 * @sub: subresource ("status"), NULL for the object itself
 */
struct ctl_target {
	const struct ks_resource *res;
	const char *ns;
	const char *name;
	const char *sub;
};

int ctl_resource_handle(struct ctl_api *api, struct ctl_http_conn *c,
			struct ctl_http_req *req, const struct ctl_identity *id,
			const struct ctl_target *t);

/* Answers (http_api.c). Each returns 0, or -EIO when the connection failed. */
int ctl_api_respond_json(struct ctl_http_conn *c, int code, cJSON *doc, const char *extra);
int ctl_api_respond_status(struct ctl_http_conn *c, struct ctl_status *err,
			   const struct ks_resource *res, const char *name);
int ctl_api_fail(struct ctl_http_conn *c, int code, const char *reason, const char *msg);

#endif /* CONTROLLER_HTTP_RESOURCE_H */
