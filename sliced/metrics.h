/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Prometheus /metrics: the text of the node's counters and health, and a minimal HTTP/1.0
 * responder for it on the daemon's loop.
 */
#ifndef SLICED_METRICS_H
#define SLICED_METRICS_H

#include <sys/socket.h>

struct node;

/* A non-blocking listening TCP socket on addr; the fd or -errno. */
int metrics_listen(const struct sockaddr_storage *addr);

/* Accept one connection and answer it with the node's metrics; never blocks for long. */
void metrics_serve(int listen_fd, struct node *n);

#endif /* SLICED_METRICS_H */
