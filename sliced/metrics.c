// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "metrics.h"
#include "status.h"

/* A scraper sends its request at once; one that does not is not waited for. */
#define METRICS_READ_MS 200

int metrics_listen(const struct sockaddr_storage *addr)
{
	socklen_t len = addr->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
						      sizeof(struct sockaddr_in);
	int fd, one = 1, err;

	fd = socket(addr->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (const struct sockaddr *)addr, len) || listen(fd, 16)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static void metrics_write_all(int fd, const char *buf, size_t len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	ssize_t n;

	while (len && poll(&pfd, 1, METRICS_READ_MS) > 0) {
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n <= 0)
			return;
		buf += n;
		len -= n;
	}
}

static void metric(FILE *f, const char *name, const struct slice *sl, const struct peer *p,
		   double value)
{
	fprintf(f, "%s{cluster=\"%s\",slice=\"%s\"", name, sl->node->cfg->cluster, sl->name);
	if (p)
		fprintf(f, ",peer=\"%s\"", peer_name(p));
	fprintf(f, "} %.17g\n", value);
}

/* What path a peer is: "pair" k to the remote node, or "node" k of this cluster. */
static void path_metric(FILE *f, const struct slice *sl, const struct peer *p)
{
	char node[INET6_ADDRSTRLEN];

	peer_node(p, node);
	fprintf(f, "slice_peer_path{cluster=\"%s\",slice=\"%s\",peer=\"%s\",kind=\"%s\","
		   "index=\"%d\",node=\"%s\"} 1\n", sl->node->cfg->cluster, sl->name,
		peer_name(p), p->desired.transit ? "node" : "pair", p->desired.pair, node);
}

/* The Prometheus text of every slice's and peer's counters and health. */
static void metrics_text(struct node *n, FILE *f)
{
	static const struct {
		const char *name;
		unsigned int attr;
	} counters[] = {
		{ "slice_peer_tx_packets_total", SLICE_STATS_A_TX_PACKETS },
		{ "slice_peer_tx_bytes_total", SLICE_STATS_A_TX_BYTES },
		{ "slice_peer_rx_packets_total", SLICE_STATS_A_RX_PACKETS },
		{ "slice_peer_rx_bytes_total", SLICE_STATS_A_RX_BYTES },
		{ "slice_peer_drop_auth_total", SLICE_STATS_A_DROP_AUTH },
		{ "slice_peer_drop_replay_total", SLICE_STATS_A_DROP_REPLAY },
		{ "slice_peer_drop_no_key_total", SLICE_STATS_A_DROP_NO_KEY },
	};
	struct slice *sl;
	struct peer *p;
	size_t i;

	fprintf(f, "# TYPE sliced_controller_connected gauge\n"
		   "sliced_controller_connected{cluster=\"%s\"} %d\n", n->cfg->cluster,
		sync_connected(n->sync));
	fprintf(f, "# TYPE slice_handshakes_refused_total counter\n");
	for (sl = n->slices; sl; sl = sl->next)
		metric(f, "slice_handshakes_refused_total", sl, NULL, (double)sl->refused);
	fprintf(f, "# TYPE slice_peer_up gauge\n# TYPE slice_peer_latency_seconds gauge\n"
		   "# TYPE slice_peer_handshakes_total counter\n# TYPE slice_peer_live gauge\n"
		   "# TYPE slice_peer_failovers_total counter\n"
		   "# TYPE slice_peer_recoveries_total counter\n# TYPE slice_peer_path gauge\n");
	for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		fprintf(f, "# TYPE %s counter\n", counters[i].name);
	for (sl = n->slices; sl; sl = sl->next)
		for (p = sl->peers; p; p = p->next) {
			metric(f, "slice_peer_up", sl, p, status_peer_up(p));
			if (p->health.rtt_ms >= 0)
				metric(f, "slice_peer_latency_seconds", sl, p,
				       p->health.rtt_ms / 1000.0);
			metric(f, "slice_peer_handshakes_total", sl, p, p->tunnel.handshakes);
			metric(f, "slice_peer_live", sl, p, !p->health.down);
			metric(f, "slice_peer_failovers_total", sl, p, (double)p->health.failovers);
			metric(f, "slice_peer_recoveries_total", sl, p,
			       (double)p->health.recoveries);
			path_metric(f, sl, p);
			for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
				metric(f, counters[i].name, sl, p,
				       (double)p->health.kernel.stats.counter[counters[i].attr]);
		}
}

void metrics_serve(int listen_fd, struct node *n)
{
	struct pollfd pfd = { .events = POLLIN };
	char req[1024], *body = NULL, head[160];
	size_t body_len = 0;
	bool ok;
	FILE *f;
	int fd;

	fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	pfd.fd = fd;
	if (poll(&pfd, 1, METRICS_READ_MS) <= 0 || recv(fd, req, sizeof(req) - 1, 0) <= 0) {
		close(fd);
		return;
	}
	req[sizeof(req) - 1] = '\0';
	ok = !strncmp(req, "GET /metrics ", 13) || !strncmp(req, "GET / ", 6);
	f = open_memstream(&body, &body_len);
	if (!f) {
		close(fd);
		return;
	}
	if (ok)
		metrics_text(n, f);
	else
		fputs("only GET /metrics here\n", f);
	fclose(f);
	snprintf(head, sizeof(head),
		 "HTTP/1.0 %s\r\nContent-Type: text/plain; version=0.0.4\r\n"
		 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
		 ok ? "200 OK" : "404 Not Found", body_len);
	metrics_write_all(fd, head, strlen(head));
	metrics_write_all(fd, body, body_len);
	free(body);
	close(fd);
}
