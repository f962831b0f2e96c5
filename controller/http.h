/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HTTP/1.1 over TLS, one thread per connection: request parsing with a body size limit,
 * responses with Content-Length, and chunked streams for watches.
 */
#ifndef CONTROLLER_HTTP_H
#define CONTROLLER_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <openssl/ssl.h>

/* Largest request body accepted, as the API server's limit (3 MiB). */
#define CTL_HTTP_MAX_BODY (3 * 1024 * 1024)

/*
 * How long a connection may take, as the API server's: to start a request after the last
 * one (idle keep-alive), to send the rest of its head, to send its body.
 */
#define CTL_HTTP_IDLE_MS	90000
#define CTL_HTTP_HEAD_MS	32000
#define CTL_HTTP_BODY_MS	60000

/**
 * struct ctl_http_conn - one client connection
 * @ssl: its TLS session
 * @fd: its socket
 * @buf: bytes read and not consumed yet
 * @have: how many
 * @status: of the last response begun, for the request metrics
 * @deadline: when the read in progress gives up (CLOCK_MONOTONIC, ms)
 */
struct ctl_http_conn {
	SSL *ssl;
	int fd;
	char buf[16384];
	size_t have;
	int status;
	long long deadline;
};

/**
 * struct ctl_http_req - one parsed request
 * @method: "GET", "POST", ...
 * @path: percent-decoded path
 * @query: raw query string ("" when none)
 * @content_type: media type of the body, without parameters
 * @accept: Accept header, "" when absent
 * @authorization: Authorization header, "" when absent
 * @user_agent: User-Agent header, "" when absent
 * @body: the body, NUL-terminated
 * @body_len: its length
 * @close: the client asked to close the connection after the answer
 */
struct ctl_http_req {
	char method[16];
	char *path;
	char *query;
	char content_type[128];
	char accept[512];
	char authorization[512];
	char user_agent[256];
	char *body;
	size_t body_len;
	bool close;
};

/* Outcome of ctl_http_read(). */
enum ctl_http_read {
	CTL_HTTP_OK,
	CTL_HTTP_CLOSED,	/* peer closed or I/O failed: drop the connection */
	CTL_HTTP_BAD,		/* malformed request: answer 400 and close */
	CTL_HTTP_TOO_LARGE,	/* body over CTL_HTTP_MAX_BODY: answer 413 and close */
};

enum ctl_http_read ctl_http_read(struct ctl_http_conn *c, struct ctl_http_req *req);
void ctl_http_req_free(struct ctl_http_req *req);
/* The decoded value of a query parameter (malloc'd), or NULL when absent. */
char *ctl_http_query(const struct ctl_http_req *req, const char *key);

/* extra: further header lines, each ending in "\r\n", or NULL. */
int ctl_http_respond(struct ctl_http_conn *c, int code, const char *content_type,
		     const char *body, size_t len, const char *extra);
int ctl_http_stream_begin(struct ctl_http_conn *c, const char *content_type);
int ctl_http_stream_chunk(struct ctl_http_conn *c, const char *data, size_t len);
int ctl_http_stream_end(struct ctl_http_conn *c);
/* Whether the peer has closed (or sent something) while we stream to it. */
bool ctl_http_peer_gone(struct ctl_http_conn *c);

#endif /* CONTROLLER_HTTP_H */
