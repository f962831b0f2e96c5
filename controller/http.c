// SPDX-License-Identifier: GPL-2.0
/*
 * Just enough HTTP/1.1 for Kubernetes clients: they send Content-Length bodies and keep
 * connections alive; watches are answered with chunked transfer encoding.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "controller/http.h"

static const char *reason_phrase(int code)
{
	switch (code) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 413: return "Request Entity Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Entity";
	case 500: return "Internal Server Error";
	default: return "Unknown";
	}
}

static int write_all(struct ctl_http_conn *c, const char *data, size_t len)
{
	while (len) {
		int n = SSL_write(c->ssl, data, len > 1 << 30 ? 1 << 30 : (int)len);

		if (n <= 0)
			return -EIO;
		data += n;
		len -= n;
	}
	return 0;
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

/*
 * Reads more into c->buf; 0, or -1 when the peer is gone, the buffer is full or
 * c->deadline passed. A client that sends nothing, or a byte now and then, holds a
 * connection no longer than the deadline (the socket's receive timeout bounds one read
 * of a TLS record that never completes).
 */
static int fill(struct ctl_http_conn *c)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	long long left;
	int n;

	if (c->have >= sizeof(c->buf))
		return -1;
	if (!SSL_pending(c->ssl)) {
		left = c->deadline - now_ms();
		if (left <= 0 || poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left) != 1)
			return -1;
	}
	n = SSL_read(c->ssl, c->buf + c->have, sizeof(c->buf) - c->have);
	if (n <= 0)
		return -1;
	c->have += n;
	return 0;
}

static void consume(struct ctl_http_conn *c, size_t n)
{
	memmove(c->buf, c->buf + n, c->have - n);
	c->have -= n;
}

static int hexval(int ch)
{
	if (isdigit(ch))
		return ch - '0';
	ch = tolower(ch);
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* Percent-decodes s in place ('+' too when form is set); false on a bad escape or on
 * "%00", which would cut the string short. */
static bool url_decode(char *s, bool form)
{
	char *out = s;

	for (; *s; s++) {
		if (*s == '%') {
			int hi = hexval((unsigned char)s[1]), lo;

			if (hi < 0 || (lo = hexval((unsigned char)s[2])) < 0 || !(hi | lo))
				return false;
			*out++ = (char)(hi * 16 + lo);
			s += 2;
		} else if (form && *s == '+') {
			*out++ = ' ';
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
	return true;
}

/* Whether every key and value of a query decodes: a bad escape is a bad request, not a
 * parameter that is quietly absent. */
static bool query_ok(const char *query)
{
	char *copy = strdup(query), *save, *tok;
	bool ok = copy != NULL;

	for (tok = ok ? strtok_r(copy, "&", &save) : NULL; ok && tok;
	     tok = strtok_r(NULL, "&", &save))
		ok = url_decode(tok, true);
	free(copy);
	return ok;
}

static void header_value(char *dst, size_t len, const char *v)
{
	while (*v == ' ' || *v == '\t')
		v++;
	snprintf(dst, len, "%s", v);
}

static enum ctl_http_read parse_head(char *head, struct ctl_http_req *req, long *clen,
				     bool *chunked, bool *expect_continue)
{
	char *save, *line = strtok_r(head, "\r\n", &save);
	char *sp1, *sp2, *target, *q;

	if (!line)
		return CTL_HTTP_BAD;
	sp1 = strchr(line, ' ');
	sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	if (!sp1 || !sp2 || (size_t)(sp1 - line) >= sizeof(req->method))
		return CTL_HTTP_BAD;
	memcpy(req->method, line, sp1 - line);
	req->method[sp1 - line] = '\0';
	target = strndup(sp1 + 1, sp2 - sp1 - 1);
	q = strchr(target, '?');
	req->query = strdup(q ? q + 1 : "");
	if (q)
		*q = '\0';
	req->path = target;
	if (!req->query || !url_decode(req->path, false) || !query_ok(req->query))
		return CTL_HTTP_BAD;
	req->close = !strcmp(sp2 + 1, "HTTP/1.0");
	while ((line = strtok_r(NULL, "\r\n", &save))) {
		char *colon = strchr(line, ':');

		if (!colon)
			return CTL_HTTP_BAD;
		*colon = '\0';
		if (!strcasecmp(line, "Content-Length")) {
			char *end;

			*clen = strtol(colon + 1, &end, 10);
			if (*clen < 0 || *end)
				return CTL_HTTP_BAD;
		} else if (!strcasecmp(line, "Content-Type")) {
			header_value(req->content_type, sizeof(req->content_type), colon + 1);
			req->content_type[strcspn(req->content_type, "; ")] = '\0';
		} else if (!strcasecmp(line, "Accept")) {
			header_value(req->accept, sizeof(req->accept), colon + 1);
		} else if (!strcasecmp(line, "Authorization")) {
			header_value(req->authorization, sizeof(req->authorization), colon + 1);
		} else if (!strcasecmp(line, "User-Agent")) {
			header_value(req->user_agent, sizeof(req->user_agent), colon + 1);
		} else if (!strcasecmp(line, "Connection")) {
			req->close = strcasestr(colon + 1, "close") != NULL;
		} else if (!strcasecmp(line, "Transfer-Encoding")) {
			*chunked = strcasestr(colon + 1, "chunked") != NULL;
		} else if (!strcasecmp(line, "Expect")) {
			*expect_continue = strcasestr(colon + 1, "100-continue") != NULL;
		}
	}
	return CTL_HTTP_OK;
}

/* Reads exactly len bytes of body into dst. */
static int read_exact(struct ctl_http_conn *c, char *dst, size_t len)
{
	while (len) {
		size_t n;

		if (!c->have && fill(c))
			return -1;
		n = c->have < len ? c->have : len;
		memcpy(dst, c->buf, n);
		consume(c, n);
		dst += n;
		len -= n;
	}
	return 0;
}

/* Reads one line ending in CRLF from the connection into line. */
static int read_line(struct ctl_http_conn *c, char *line, size_t len)
{
	char *eol;

	while (!(eol = memmem(c->buf, c->have, "\r\n", 2)))
		if (fill(c))
			return -1;
	if ((size_t)(eol - c->buf) >= len)
		return -1;
	memcpy(line, c->buf, eol - c->buf);
	line[eol - c->buf] = '\0';
	consume(c, eol - c->buf + 2);
	return 0;
}

static enum ctl_http_read read_chunked(struct ctl_http_conn *c, struct ctl_http_req *req)
{
	char line[64];

	for (;;) {
		unsigned long n;
		char *end;

		if (read_line(c, line, sizeof(line)))
			return CTL_HTTP_BAD;
		n = strtoul(line, &end, 16);
		if (end == line)
			return CTL_HTTP_BAD;
		if (!n)
			break;
		/* Not body_len + n: a size near ULONG_MAX would wrap past the check. */
		if (n > CTL_HTTP_MAX_BODY - req->body_len)
			return CTL_HTTP_TOO_LARGE;
		req->body = realloc(req->body, req->body_len + n + 1);
		if (!req->body || read_exact(c, req->body + req->body_len, n) ||
		    read_line(c, line, sizeof(line)))
			return CTL_HTTP_CLOSED;
		req->body_len += n;
		req->body[req->body_len] = '\0';
	}
	/* Trailers end with an empty line. */
	do {
		if (read_line(c, line, sizeof(line)))
			return CTL_HTTP_BAD;
	} while (*line);
	return CTL_HTTP_OK;
}

enum ctl_http_read ctl_http_read(struct ctl_http_conn *c, struct ctl_http_req *req)
{
	bool chunked = false, expect_continue = false;
	enum ctl_http_read ret;
	char *end, *head;
	long clen = 0;

	memset(req, 0, sizeof(*req));
	c->deadline = now_ms() + (c->have ? CTL_HTTP_HEAD_MS : CTL_HTTP_IDLE_MS);
	while (!(end = memmem(c->buf, c->have, "\r\n\r\n", 4))) {
		bool idle = !c->have;

		if (fill(c))
			return c->have >= sizeof(c->buf) ? CTL_HTTP_BAD : CTL_HTTP_CLOSED;
		/* The first byte of a request starts the clock for the rest of its head. */
		if (idle)
			c->deadline = now_ms() + CTL_HTTP_HEAD_MS;
	}
	head = strndup(c->buf, end - c->buf);
	consume(c, end - c->buf + 4);
	ret = parse_head(head, req, &clen, &chunked, &expect_continue);
	free(head);
	if (ret != CTL_HTTP_OK)
		return ret;
	if (clen > CTL_HTTP_MAX_BODY)
		return CTL_HTTP_TOO_LARGE;
	c->deadline = now_ms() + CTL_HTTP_BODY_MS;
	/* curl asks before sending a large body; the answer to a too large one is 413. */
	if (expect_continue && write_all(c, "HTTP/1.1 100 Continue\r\n\r\n", 25))
		return CTL_HTTP_CLOSED;
	if (chunked)
		return read_chunked(c, req);
	req->body = malloc(clen + 1);
	if (!req->body || read_exact(c, req->body, clen))
		return CTL_HTTP_CLOSED;
	req->body[clen] = '\0';
	req->body_len = clen;
	return CTL_HTTP_OK;
}

void ctl_http_req_free(struct ctl_http_req *req)
{
	free(req->path);
	free(req->query);
	free(req->body);
}

char *ctl_http_query(const struct ctl_http_req *req, const char *key)
{
	size_t klen = strlen(key);
	const char *p = req->query;

	while (p && *p) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);

		if (len >= klen && !strncmp(p, key, klen) && (len == klen || p[klen] == '=')) {
			char *v = len == klen ? strdup("") : strndup(p + klen + 1,
								      len - klen - 1);

			if (v && !url_decode(v, true)) {
				free(v);
				return NULL;
			}
			return v;
		}
		p = amp ? amp + 1 : NULL;
	}
	return NULL;
}

int ctl_http_respond(struct ctl_http_conn *c, int code, const char *content_type,
		     const char *body, size_t len, const char *extra)
{
	char head[1024];
	int n;

	c->status = code;
	n = snprintf(head, sizeof(head),
		     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		     "Cache-Control: no-cache, private\r\n%s\r\n",
		     code, reason_phrase(code), content_type, len, extra ? extra : "");
	if (write_all(c, head, n))
		return -EIO;
	return write_all(c, body, len);
}

int ctl_http_stream_begin(struct ctl_http_conn *c, const char *content_type)
{
	char head[256];
	int n;

	c->status = 200;
	n = snprintf(head, sizeof(head),
		     "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nTransfer-Encoding: chunked\r\n"
		     "Cache-Control: no-cache, private\r\n\r\n", content_type);
	return write_all(c, head, n);
}

int ctl_http_stream_chunk(struct ctl_http_conn *c, const char *data, size_t len)
{
	char size[32];
	int n = snprintf(size, sizeof(size), "%zx\r\n", len);

	if (write_all(c, size, n) || write_all(c, data, len))
		return -EIO;
	return write_all(c, "\r\n", 2);
}

int ctl_http_stream_end(struct ctl_http_conn *c)
{
	return write_all(c, "0\r\n\r\n", 5);
}

bool ctl_http_peer_gone(struct ctl_http_conn *c)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };

	/* A watching client sends nothing more; readable means closed (or misbehaving). */
	return poll(&p, 1, 0) != 0;
}
