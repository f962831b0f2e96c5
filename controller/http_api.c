// SPDX-License-Identifier: GPL-2.0
/*
 * Routing of the Kubernetes REST paths, and the answers that are not about one resource:
 * discovery, OpenAPI, health, metrics, the web UI's files, and Status errors. Resource verbs are in
 * http_resource.c.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/json.h"
#include "controller/discovery.h"
#include "controller/http_api.h"
#include "controller/http_protobuf.h"
#include "controller/http_resource.h"
#include "controller/http_static.h"
#include "controller/metrics.h"
#include "controller/openapi.h"

#define MAX_SEGMENTS 10
/* discovery()'s answer for a path that is not a discovery document. */
#define NOT_DISCOVERY 1

int ctl_api_respond_json(struct ctl_http_conn *c, int code, cJSON *doc, const char *extra)
{
	char *text = cJSON_PrintUnformatted(doc);
	int ret;

	cJSON_Delete(doc);
	if (!text)
		return ctl_http_respond(c, 500, "text/plain", "out of memory\n", 14, NULL);
	ret = ctl_http_respond(c, code, "application/json", text, strlen(text), extra);
	free(text);
	return ret;
}

int ctl_api_respond_status(struct ctl_http_conn *c, struct ctl_status *err,
			   const struct ks_resource *res, const char *name)
{
	cJSON *st = cJSON_CreateObject(), *details;

	cJSON_AddStringToObject(st, "kind", "Status");
	cJSON_AddStringToObject(st, "apiVersion", "v1");
	cJSON_AddObjectToObject(st, "metadata");
	cJSON_AddStringToObject(st, "status", "Failure");
	cJSON_AddStringToObject(st, "message", err->message);
	cJSON_AddStringToObject(st, "reason", err->reason);
	if (res || err->causes) {
		details = cJSON_AddObjectToObject(st, "details");
		if (name)
			cJSON_AddStringToObject(details, "name", name);
		if (res) {
			cJSON_AddStringToObject(details, "group", res->group);
			/* Invalid names the kind, the other reasons the resource. */
			cJSON_AddStringToObject(details, "kind",
						err->code == 422 ? res->kind : res->plural);
		}
		if (err->causes) {
			cJSON_AddItemToObject(details, "causes", err->causes);
			err->causes = NULL;
		}
	}
	cJSON_AddNumberToObject(st, "code", err->code);
	return ctl_api_respond_json(c, err->code, st, NULL);
}

int ctl_api_fail(struct ctl_http_conn *c, int code, const char *reason, const char *msg)
{
	struct ctl_status err = { 0 };

	ctl_status_set(&err, code, reason, "%s", msg);
	return ctl_api_respond_status(c, &err, NULL, NULL);
}

static int not_found(struct ctl_http_conn *c)
{
	return ctl_api_fail(c, 404, "NotFound", "the server could not find the requested resource");
}

/* Prometheus text: what the benchmark waits on and reports, and what operators watch. */
static int metrics(struct ctl_api *api, struct ctl_http_conn *c)
{
	struct ctl_metrics_state ms = {
		.resource_version = ctl_obj_committed(api->st),
		.store_bytes = ctl_obj_store_bytes(api->st),
	};
	char *text;
	int ret;

	ctl_loop_stats(api->loop, &ms.loop);
	text = ctl_metrics_text(&ms);
	if (!text)
		return ctl_api_fail(c, 500, "InternalError", "out of memory");
	ret = ctl_http_respond(c, 200, "text/plain; version=0.0.4", text, strlen(text), NULL);
	free(text);
	return ret;
}

static int split(char *path, char **seg)
{
	char *save, *tok;
	int n = 0;

	for (tok = strtok_r(path, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (n == MAX_SEGMENTS)
			return -1;
		seg[n++] = tok;
	}
	return n;
}

/* Answers a discovery path; NOT_DISCOVERY for other paths. */
static int discovery(struct ctl_http_conn *c, char **seg, int n)
{
	cJSON *doc = NULL;

	if (n == 1 && !strcmp(seg[0], "api"))
		doc = ctl_discovery_core_versions();
	else if (n == 2 && !strcmp(seg[0], "api") && !strcmp(seg[1], KS_API_CORE))
		doc = ctl_discovery_resources("", KS_API_CORE);
	else if (n == 1 && !strcmp(seg[0], "apis"))
		doc = ctl_discovery_groups();
	else if (n == 2 && !strcmp(seg[0], "apis"))
		doc = ctl_discovery_group(seg[1]);
	else if (n == 3 && !strcmp(seg[0], "apis"))
		doc = ctl_discovery_resources(seg[1], seg[2]);
	else
		return NOT_DISCOVERY;
	if (!doc)
		return not_found(c);
	return ctl_api_respond_json(c, 200, doc, NULL);
}

/* Routes /api/v1/... and /apis/<group>/<version>/... to a resource handler. */
static int resource_path(struct ctl_api *api, struct ctl_http_conn *c,
			 struct ctl_http_req *req, const struct ctl_identity *id, char **seg,
			 int n)
{
	struct ctl_target t = { 0 };
	const char *group = "", *version;
	int rest;

	if (!strcmp(seg[0], "api") && n >= 3) {
		version = seg[1];
		rest = 2;
	} else if (!strcmp(seg[0], "apis") && n >= 4) {
		group = seg[1];
		version = seg[2];
		rest = 3;
	} else {
		return not_found(c);
	}
	if (n - rest >= 3 && !strcmp(seg[rest], "namespaces") &&
	    ctl_resource(group, version, seg[rest + 2])) {
		t.ns = seg[rest + 1];
		rest += 2;
	}
	t.res = ctl_resource(group, version, seg[rest]);
	if (!t.res || n - rest > 3)
		return not_found(c);
	t.name = n - rest > 1 ? seg[rest + 1] : NULL;
	t.sub = n - rest > 2 ? seg[rest + 2] : NULL;
	if ((t.ns && !t.res->namespaced) || (t.sub && (strcmp(t.sub, "status") ||
						       !t.res->status)))
		return not_found(c);
	if (t.res->namespaced && !t.ns && t.name)
		return not_found(c);
	return ctl_resource_handle(api, c, req, id, &t);
}

/* POST of a SelfSubjectAccessReview: may the requester do this? (kubectl auth can-i) */
static int access_review(struct ctl_api *api, struct ctl_http_conn *c,
			 struct ctl_http_req *req, const struct ctl_identity *id)
{
	cJSON *review, *answer;
	char why[256];

	if (strcmp(req->method, "POST"))
		return ctl_api_fail(c, 405, "MethodNotAllowed",
				    "the server does not allow this method on the requested resource");
	if (!strcmp(req->content_type, CTL_PROTOBUF_TYPE))
		review = ctl_protobuf_decode((const unsigned char *)req->body, req->body_len,
					     why, sizeof(why));
	else
		review = cJSON_ParseWithLength(req->body, req->body_len);
	answer = ctl_auth_review(api->auth, id, review);
	if (!answer) {
		cJSON_Delete(review);
		return ctl_api_fail(c, 400, "BadRequest",
				    "a SelfSubjectAccessReview needs spec.resourceAttributes");
	}
	return ctl_api_respond_json(c, 201, answer, NULL);
}

static int dispatch(struct ctl_api *api, struct ctl_http_conn *c, struct ctl_http_req *req)
{
	char *path = strdup(req->path), *seg[MAX_SEGMENTS];
	struct ctl_identity id;
	int n = split(path, seg), ret;
	const char *doc;
	size_t pb_len;

	if (n < 0) {
		ret = not_found(c);
		goto out;
	}
	if (n == 1 && (!strcmp(seg[0], "healthz") || !strcmp(seg[0], "livez") ||
		       !strcmp(seg[0], "readyz"))) {
		ret = ctl_http_respond(c, 200, "text/plain", "ok", 2, NULL);
		goto out;
	}
	if (n >= 1 && !strcmp(seg[0], "ui")) {
		ret = ctl_static_serve(c, req);
		goto out;
	}
	if (n == 1 && !strcmp(seg[0], "version")) {
		ret = ctl_api_respond_json(c, 200, ctl_discovery_version(), NULL);
		goto out;
	}
	ctl_auth_identify(api->auth, req->authorization, &id);
	if (id.role == CTL_ANONYMOUS) {
		ret = ctl_api_fail(c, 401, "Unauthorized", "Unauthorized");
		goto out;
	}
	if (n == 2 && !strcmp(seg[0], "openapi") && !strcmp(seg[1], "v2") &&
	    strstr(req->accept, "protobuf")) {
		const unsigned char *pb = ctl_openapi_v2_protobuf(&pb_len);

		ret = ctl_http_respond(c, 200, CTL_OPENAPI_V2_PROTOBUF, (const char *)pb, pb_len,
				       NULL);
		goto out;
	}
	if (n >= 1 && !strcmp(seg[0], "openapi")) {
		doc = ctl_openapi_document(req->path);
		ret = doc ? ctl_http_respond(c, 200, "application/json", doc, strlen(doc), NULL) :
		      not_found(c);
		goto out;
	}
	if (n == 1 && !strcmp(seg[0], "metrics") && id.role == CTL_ADMIN) {
		ret = metrics(api, c);
		goto out;
	}
	if (n == 4 && !strcmp(seg[0], "apis") && !strcmp(seg[1], CTL_GROUP_AUTHORIZATION) &&
	    !strcmp(seg[2], "v1") && !strcmp(seg[3], CTL_RES_SSAR)) {
		ret = access_review(api, c, req, &id);
		goto out;
	}
	if (n >= 1 && (!strcmp(seg[0], "api") || !strcmp(seg[0], "apis"))) {
		if (strcmp(req->method, "GET") || (ret = discovery(c, seg, n)) == NOT_DISCOVERY)
			ret = resource_path(api, c, req, &id, seg, n);
		goto out;
	}
	ret = not_found(c);
out:
	free(path);
	return ret;
}

void ctl_api_serve(struct ctl_api *api, struct ctl_http_conn *c)
{
	bool keep = true;

	while (keep) {
		struct timespec start, end;
		struct ctl_http_req req;
		enum ctl_http_read r = ctl_http_read(c, &req);

		switch (r) {
		case CTL_HTTP_OK:
			clock_gettime(CLOCK_MONOTONIC, &start);
			c->status = 0;
			/* A watch ends the connection: its stream has no length to resume after. */
			keep = dispatch(api, c, &req) == 0 && !req.close;
			clock_gettime(CLOCK_MONOTONIC, &end);
			ctl_metrics_request(req.method, c->status, (end.tv_sec - start.tv_sec) +
					    (end.tv_nsec - start.tv_nsec) / 1e9);
			break;
		case CTL_HTTP_TOO_LARGE:
			ctl_api_fail(c, 413, "RequestEntityTooLarge",
				     "Request entity too large: limit is 3145728");
			keep = false;
			break;
		case CTL_HTTP_BAD:
			ctl_api_fail(c, 400, "BadRequest", "malformed HTTP request");
			keep = false;
			break;
		default:
			keep = false;
			break;
		}
		ctl_http_req_free(&req);
	}
}
