/* SPDX-License-Identifier: GPL-2.0 */
/* The listening socket of the API server: accepting, and one thread per connection. */
#ifndef CONTROLLER_LISTENER_H
#define CONTROLLER_LISTENER_H

#include <signal.h>
#include <openssl/ssl.h>

#include "controller/http_api.h"

/*
 * Accepts connections on lfd and serves each on a thread of its own (TLS with ctx, the
 * API of api) until *stop is set. Connections beyond what the file descriptor limit
 * allows wait in the listen backlog; descriptor exhaustion backs off, logged at most
 * every 10 s.
 */
void ctl_listener_run(int lfd, SSL_CTX *ctx, struct ctl_api *api,
		      volatile sig_atomic_t *stop);

#endif /* CONTROLLER_LISTENER_H */
