/* SPDX-License-Identifier: GPL-2.0 */
/* The Kubernetes REST API on one connection: routing, access control, the verbs. */
#ifndef CONTROLLER_HTTP_API_H
#define CONTROLLER_HTTP_API_H

#include "controller/auth.h"
#include "controller/http.h"
#include "controller/reconcile_loop.h"
#include "controller/registry.h"

/**
 * struct ctl_api - what every request handler needs
 * @st: the object store
 * @auth: token lookup
 * @loop: the reconcile loop, whose figures /metrics shows
 */
struct ctl_api {
	struct ctl_store *st;
	struct ctl_auth *auth;
	struct ctl_loop *loop;
};

/* Serves requests on c until the client closes it or a request asks to. */
void ctl_api_serve(struct ctl_api *api, struct ctl_http_conn *c);

#endif /* CONTROLLER_HTTP_API_H */
