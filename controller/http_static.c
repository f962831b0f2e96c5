// SPDX-License-Identifier: GPL-2.0
/*
 * Static files of the web UI. The Content-Security-Policy allows scripts, styles and
 * connections to this origin only and nothing inline, so a name or message the page shows
 * cannot run as code even if it got into the markup; frames and form posts are refused
 * and no Referer leaves the page.
 */
#include <string.h>

#include "controller/http_static.h"

#define UI_PATH "/ui"

#define SECURITY_HEADERS \
	"Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; " \
	"img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; " \
	"frame-ancestors 'none'\r\n" \
	"X-Content-Type-Options: nosniff\r\n" \
	"X-Frame-Options: DENY\r\n" \
	"Referrer-Policy: no-referrer\r\n" \
	"Cross-Origin-Opener-Policy: same-origin\r\n"

static const char *media_type(const char *path)
{
	static const struct { const char *ext, *type; } types[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
	};
	const char *dot = strrchr(path, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(dot, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

static const struct ctl_static_file *find_file(const char *path)
{
	for (const struct ctl_static_file *f = ctl_static_files; f->path; f++)
		if (!strcmp(f->path, path))
			return f;
	return NULL;
}

static int plain(struct ctl_http_conn *c, int code, const char *text, const char *extra)
{
	return ctl_http_respond(c, code, "text/plain; charset=utf-8", text, strlen(text), extra);
}

int ctl_static_serve(struct ctl_http_conn *c, const struct ctl_http_req *req)
{
	const struct ctl_static_file *f;
	const char *path;

	if (strcmp(req->method, "GET"))
		return plain(c, 405, "only GET is served under /ui/\n", "Allow: GET\r\n");
	/* index.html names its files by absolute paths, so /ui and /ui/ can both be it */
	path = req->path + strlen(UI_PATH);
	if (strncmp(req->path, UI_PATH, strlen(UI_PATH)) || (*path && *path++ != '/'))
		f = NULL;
	else	/* exact names in the table: "..", "//" or "%2e" match none of them */
		f = find_file(*path ? path : "index.html");
	if (!f)
		return plain(c, 404, "no such file in the UI\n", SECURITY_HEADERS);
	return ctl_http_respond(c, 200, media_type(f->path), (const char *)f->data, f->len,
				SECURITY_HEADERS);
}
