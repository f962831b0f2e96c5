// SPDX-License-Identifier: GPL-2.0
/*
 * The listening socket: one thread per connection, no more connections than the file
 * descriptor limit leaves room for, a time limit on each TLS handshake and on sends, and
 * an accept that backs off (and says so once in a while) when descriptors run out instead
 * of spinning. At shutdown each connection's socket is shut down and the threads are
 * waited for, a few seconds at most.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "api/log.h"
#include "controller/listener.h"

/* At most this many connections, and room for this many other descriptors (the store's
 * files, certificates, the reconcilers' work). */
#define MAX_CONNS	1024
#define FD_RESERVE	64
/* A TLS handshake, or one blocked read or write, gives up after this long. */
#define IO_TIMEOUT_S	10
#define SEND_TIMEOUT_S	60
/* Backoff of accept when descriptors or memory run out, and how often that is logged. */
#define BACKOFF_MIN_MS	10
#define BACKOFF_MAX_MS	1000
#define LOG_EVERY_S	10
/* How long shutdown waits for the connection threads to end. */
#define DRAIN_S		5

struct conn_arg;

struct listener {
	struct ctl_api *api;
	SSL_CTX *ctx;
	pthread_mutex_t lock;
	pthread_cond_t freed;		/* a connection ended */
	unsigned int conns;		/* slots taken (accepting or served); lock */
	struct conn_arg *served;	/* the connections being served; lock */
	unsigned int max_conns;
};

/* One connection being served, on its thread; in its listener's served list. */
struct conn_arg {
	struct listener *l;
	int fd;
	struct conn_arg *prev, *next;	/* lock */
};

static void set_timeout(int fd, int opt, int seconds)
{
	struct timeval tv = { .tv_sec = seconds };

	setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof(tv));
}

static void *serve_conn(void *p)
{
	struct conn_arg *a = p;
	struct listener *l = a->l;
	struct ctl_http_conn *c = calloc(1, sizeof(*c));
	int one = 1;

	setsockopt(a->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(a->fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	set_timeout(a->fd, SO_RCVTIMEO, IO_TIMEOUT_S);
	set_timeout(a->fd, SO_SNDTIMEO, SEND_TIMEOUT_S);
	if (!c)
		goto out;
	c->fd = a->fd;
	c->ssl = SSL_new(l->ctx);
	if (!c->ssl || !SSL_set_fd(c->ssl, a->fd) || SSL_accept(c->ssl) != 1)
		goto out_ssl;
	ctl_api_serve(l->api, c);
	SSL_shutdown(c->ssl);
out_ssl:
	SSL_free(c->ssl);
out:
	free(c);
	/* OpenSSL's per-thread state (its random generators) goes now, not after the count
	 * says the thread is done. */
	OPENSSL_thread_stop();
	pthread_mutex_lock(&l->lock);
	if (a->prev)
		a->prev->next = a->next;
	else
		l->served = a->next;
	if (a->next)
		a->next->prev = a->prev;
	close(a->fd);
	free(a);
	l->conns--;
	pthread_cond_broadcast(&l->freed);
	pthread_mutex_unlock(&l->lock);
	return NULL;
}

static unsigned int conn_limit(void)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r) || r.rlim_cur == RLIM_INFINITY ||
	    r.rlim_cur >= MAX_CONNS + FD_RESERVE)
		return MAX_CONNS;
	return r.rlim_cur > 2 * FD_RESERVE ? r.rlim_cur - FD_RESERVE : r.rlim_cur / 2;
}

/* Waits for a free connection slot and takes it; false when asked to stop. */
static bool take_slot(struct listener *l, volatile sig_atomic_t *stop)
{
	bool ok;

	pthread_mutex_lock(&l->lock);
	while (l->conns >= l->max_conns && !*stop) {
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec++;
		pthread_cond_timedwait(&l->freed, &l->lock, &until);
	}
	ok = !*stop;
	if (ok)
		l->conns++;
	pthread_mutex_unlock(&l->lock);
	return ok;
}

static void give_slot(struct listener *l)
{
	pthread_mutex_lock(&l->lock);
	l->conns--;
	pthread_mutex_unlock(&l->lock);
}

/* Serves fd on a thread of its own; false (fd still the caller's) when none starts. */
static bool serve(struct listener *l, const pthread_attr_t *attr, int fd)
{
	struct conn_arg *a = malloc(sizeof(*a));
	pthread_t t;
	bool ok;

	if (!a)
		return false;
	pthread_mutex_lock(&l->lock);
	*a = (struct conn_arg){ l, fd, NULL, l->served };
	if (l->served)
		l->served->prev = a;
	l->served = a;
	ok = !pthread_create(&t, attr, serve_conn, a);
	if (!ok) {
		l->served = a->next;
		if (l->served)
			l->served->prev = NULL;
		free(a);
	}
	pthread_mutex_unlock(&l->lock);
	return ok;
}

/*
 * Ends every connection: a shut down socket fails its thread's next read or write (a
 * watch notices within a second), and waits up to DRAIN_S for the threads.
 */
static void drain(struct listener *l)
{
	struct timespec until;
	struct conn_arg *a;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += DRAIN_S;
	pthread_mutex_lock(&l->lock);
	for (a = l->served; a; a = a->next)
		shutdown(a->fd, SHUT_RDWR);
	while (l->conns)
		if (pthread_cond_timedwait(&l->freed, &l->lock, &until) == ETIMEDOUT)
			break;
	if (l->conns)
		ks_log(LOG_WARNING, "%u connections still open at shutdown", l->conns);
	pthread_mutex_unlock(&l->lock);
}

static void sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&t, NULL);
}

/* Logs an accept failure at most every LOG_EVERY_S, with how many were not logged. */
static void log_accept_error(int err)
{
	static time_t last;
	static unsigned long suppressed;
	time_t now = time(NULL);

	if (last && now - last < LOG_EVERY_S) {
		suppressed++;
		return;
	}
	ks_log(LOG_ERR, "accept: %s (%lu more since the last report)", strerror(err),
	       suppressed);
	last = now;
	suppressed = 0;
}

void ctl_listener_run(int lfd, SSL_CTX *ctx, struct ctl_api *api,
		      volatile sig_atomic_t *stop)
{
	/* Static: connection threads still open after drain() use it until the process exits. */
	static struct listener l = {
		.lock = PTHREAD_MUTEX_INITIALIZER, .freed = PTHREAD_COND_INITIALIZER,
	};
	long backoff = 0;
	pthread_attr_t attr;

	l.api = api;
	l.ctx = ctx;
	l.max_conns = conn_limit();
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	while (take_slot(&l, stop)) {
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0) {
			int err = errno;

			give_slot(&l);
			if (err == EINTR || err == ECONNABORTED)
				continue;
			log_accept_error(err);
			/* Out of descriptors or memory: the backlog waits, the CPU does not spin. */
			backoff = backoff ? backoff * 2 : BACKOFF_MIN_MS;
			if (backoff > BACKOFF_MAX_MS)
				backoff = BACKOFF_MAX_MS;
			sleep_ms(backoff);
			continue;
		}
		backoff = 0;
		if (!serve(&l, &attr, fd)) {
			close(fd);
			give_slot(&l);
		}
	}
	pthread_attr_destroy(&attr);
	drain(&l);
}
