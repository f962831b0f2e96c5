/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Slice Manager web UI's files (controller/ui/), compiled into slice-controller and
 * served under /ui/ with a strict Content-Security-Policy. The page is a client of the API
 * like kubectl: the files need no token, everything they show comes from the API with the
 * user's.
 */
#ifndef CONTROLLER_HTTP_STATIC_H
#define CONTROLLER_HTTP_STATIC_H

#include <stddef.h>

#include "controller/http.h"

/**
 * struct ctl_static_file - one file of the UI
 * @path: its path under controller/ui/ ("index.html", "views/slices.js")
 * @data: its bytes
 * @len: their number
 */
struct ctl_static_file {
	const char *path;
	const unsigned char *data;
	size_t len;
};

/* The UI's files, generated from controller/ui/ by the build; ends with path NULL. */
extern const struct ctl_static_file ctl_static_files[];

/**
 * ctl_static_serve() - answer a request for /ui or a path under it
 * @c: the connection
 * @req: the request; its path starts with "/ui"
 *
 * GET /ui and /ui/ are index.html, GET /ui/<path> a file; other methods are 405 and
 * unknown paths 404.
 *
 * Return: 0, or -EIO when the answer could not be sent.
 */
int ctl_static_serve(struct ctl_http_conn *c, const struct ctl_http_req *req);

#endif /* CONTROLLER_HTTP_STATIC_H */
