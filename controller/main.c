// SPDX-License-Identifier: GPL-2.0
/*
 * slice-controller: the KubeSlice controller, serving the Kubernetes API for its kinds
 * over HTTPS from a durable store in a data directory, with the reconcilers running on a
 * thread of their own.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "api/log.h"
#include "controller/http_api.h"
#include "controller/listener.h"
#include "controller/openapi.h"
#include "controller/tls.h"

#define DEFAULT_LISTEN "127.0.0.1:6443"
#define DEFAULT_HISTORY 10000
#define DEFAULT_RESYNC 300

struct options {
	const char *data_dir;
	const char *store;
	struct ctl_etcd_config etcd;
	const char *listen;
	const char *cert;
	const char *key;
	const char *ca;
	unsigned int history;
	unsigned int resync;
};

static volatile sig_atomic_t stop_requested;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: slice-controller --data-dir DIR [--listen ADDR:PORT]\n"
		"                        [--tls-cert FILE --tls-key FILE [--tls-ca FILE]]\n"
		"                        [--history N] [--resync SECONDS]\n"
		"                        [--store sqlite|etcd --etcd-endpoints URL[,URL...]\n"
		"                         [--etcd-ca FILE] [--etcd-cert FILE --etcd-key FILE]\n"
		"                         [--etcd-prefix PREFIX]]\n"
		"\n"
		"Serves the KubeSlice API (controller.kubeslice.io, worker.kubeslice.io and core\n"
		"Namespaces, Secrets, Events) over HTTPS on ADDR:PORT (default %s), storing\n"
		"objects in DIR/store.db (or, with --store etcd, in the etcd cluster at the\n"
		"given client URLs, one key per object under PREFIX, default /kubeslice/).\n"
		"Without --tls-cert it creates a CA and a serving\n"
		"certificate in DIR. It writes DIR/admin.kubeconfig for kubectl.\n"
		"  --history N        watch history kept, in changes (default %d)\n"
		"  --resync SECONDS   full reconcile period (default %d)\n",
		DEFAULT_LISTEN, DEFAULT_HISTORY, DEFAULT_RESYNC);
}

static int parse_uint(const char *s, const char *what, unsigned int *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || v == 0 || v > 1000000000UL) {
		ks_log(LOG_ERR, "%s: expected a positive number, got \"%s\"",
			what, s);
		return -EINVAL;
	}
	*out = (unsigned int)v;
	return 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "data-dir", required_argument, NULL, 'd' },
		{ "listen", required_argument, NULL, 'l' },
		{ "tls-cert", required_argument, NULL, 'c' },
		{ "tls-key", required_argument, NULL, 'k' },
		{ "tls-ca", required_argument, NULL, 'a' },
		{ "history", required_argument, NULL, 'H' },
		{ "resync", required_argument, NULL, 'r' },
		{ "store", required_argument, NULL, 's' },
		{ "etcd-endpoints", required_argument, NULL, 'E' },
		{ "etcd-ca", required_argument, NULL, 'A' },
		{ "etcd-cert", required_argument, NULL, 'C' },
		{ "etcd-key", required_argument, NULL, 'K' },
		{ "etcd-prefix", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	*o = (struct options){ .listen = DEFAULT_LISTEN, .history = DEFAULT_HISTORY,
			       .resync = DEFAULT_RESYNC, .store = "sqlite" };
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd': o->data_dir = optarg; break;
		case 'l': o->listen = optarg; break;
		case 'c': o->cert = optarg; break;
		case 'k': o->key = optarg; break;
		case 'a': o->ca = optarg; break;
		case 's': o->store = optarg; break;
		case 'E': o->etcd.endpoints = optarg; break;
		case 'A': o->etcd.ca = optarg; break;
		case 'C': o->etcd.cert = optarg; break;
		case 'K': o->etcd.key = optarg; break;
		case 'P': o->etcd.prefix = optarg; break;
		case 'H':
			if (parse_uint(optarg, "--history", &o->history))
				return -EINVAL;
			break;
		case 'r':
			if (parse_uint(optarg, "--resync", &o->resync))
				return -EINVAL;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (!o->data_dir || optind != argc || !o->cert != !o->key ||
	    (strcmp(o->store, "sqlite") && strcmp(o->store, "etcd")) ||
	    !strcmp(o->store, "etcd") != !!o->etcd.endpoints || !o->etcd.cert != !o->etcd.key) {
		ks_log(LOG_ERR, "%s",
			!o->data_dir ? "--data-dir is required" :
			optind != argc ? "unexpected argument" :
			!o->cert != !o->key ? "--tls-cert and --tls-key go together" :
			!o->etcd.cert != !o->etcd.key ? "--etcd-cert and --etcd-key go together" :
			!strcmp(o->store, "etcd") ? "--store etcd needs --etcd-endpoints" :
			!strcmp(o->store, "sqlite") ? "--etcd-endpoints goes with --store etcd" :
			"--store is sqlite or etcd");
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

/* Splits "host:port" or "[v6]:port". */
static int split_listen(const char *listen_on, char *host, size_t len, char *port,
			size_t plen)
{
	const char *colon = strrchr(listen_on, ':');
	const char *h = listen_on;
	size_t hlen;

	if (!colon || !colon[1])
		goto err;
	hlen = colon - listen_on;
	if (*h == '[') {
		if (hlen < 2 || h[hlen - 1] != ']')
			goto err;
		h++;
		hlen -= 2;
	}
	if (hlen >= len || strlen(colon + 1) >= plen)
		goto err;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	snprintf(port, plen, "%s", colon + 1);
	return 0;
err:
	ks_log(LOG_ERR, "--listen %s: expected ADDR:PORT", listen_on);
	return -EINVAL;
}

static int open_listener(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *ai;
	int fd, one = 1, rc;

	rc = getaddrinfo(*host ? host : NULL, port, &hints, &ai);
	if (rc) {
		ks_log(LOG_ERR, "%s:%s: %s", host, port, gai_strerror(rc));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 128)) {
		ks_log(LOG_ERR, "listening on %s:%s: %s", host, port,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

static void *run_loop(void *p)
{
	ctl_loop_run(p);
	return NULL;
}

static void on_signal(int sig)
{
	stop_requested = 1;
}

/* Certificate, key and CA files: given, or made in the data directory. */
static int serving_files(const struct options *o, const char *host, char *cert, char *key,
			 char *ca, size_t len)
{
	if (o->cert) {
		snprintf(cert, len, "%s", o->cert);
		snprintf(key, len, "%s", o->key);
		snprintf(ca, len, "%s", o->ca ? o->ca : o->cert);
		return 0;
	}
	snprintf(cert, len, "%s/server.crt", o->data_dir);
	snprintf(key, len, "%s/server.key", o->data_dir);
	snprintf(ca, len, "%s/ca.crt", o->data_dir);
	return ctl_tls_bootstrap(o->data_dir, host);
}

static int open_store(const struct options *o, struct ctl_store **st)
{
	struct ctl_engine *e;

	if (!strcmp(o->store, "sqlite"))
		return ctl_store_open(o->data_dir, o->history, st);
	if (ctl_engine_open_etcd(&o->etcd, o->history, &e))
		return -EIO;
	return ctl_store_open_engine(e, st);
}

int main(int argc, char **argv)
{
	char host[256], port[16], cert[4096], key[4096], ca[4096], token[65], url[320];
	struct sigaction sa = { .sa_handler = on_signal };
	/* Static: connection threads may still use it when main returns (it is not freed). */
	static struct ctl_api api;
	struct options o;
	pthread_t reconciler;
	SSL_CTX *ctx;
	int lfd, ret = 1;

	ks_log_init("slice-controller", false, false);
	if (parse_args(argc, argv, &o) || split_listen(o.listen, host, sizeof(host), port,
						       sizeof(port)))
		return 2;
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (mkdir(o.data_dir, 0700) && errno != EEXIST) {
		ks_log(LOG_ERR, "creating %s: %s", o.data_dir,
			strerror(errno));
		return 1;
	}
	if (ctl_openapi_init() || serving_files(&o, host, cert, key, ca, sizeof(cert)) ||
	    ctl_tls_admin_token(o.data_dir, token))
		return 1;
	snprintf(url, sizeof(url), strchr(host, ':') ? "https://[%s]:%s" : "https://%s:%s",
		 !*host || !strcmp(host, "0.0.0.0") ? "127.0.0.1" :
		 !strcmp(host, "::") ? "::1" : host, port);
	if (ctl_tls_write_kubeconfig(o.data_dir, url, ca, token))
		return 1;
	ctx = ctl_tls_server_ctx(cert, key);
	if (!ctx)
		return 1;
	if (open_store(&o, &api.st))
		goto out_ctx;
	api.auth = ctl_auth_new(api.st, token);
	lfd = open_listener(host, port);
	if (!api.auth || lfd < 0)
		goto out_store;
	api.loop = ctl_loop_new(api.st, o.resync);
	if (!api.loop || pthread_create(&reconciler, NULL, run_loop, api.loop))
		goto out_listen;
	ks_log(LOG_NOTICE, "serving %s, kubeconfig %s/admin.kubeconfig", url,
		o.data_dir);
	ctl_listener_run(lfd, ctx, &api, &stop_requested);
	ctl_store_stop(api.st);
	pthread_join(reconciler, NULL);
	ret = 0;
	/* Connection threads may still run: the process exits without freeing the store. */
	close(lfd);
	return ret;
out_listen:
	if (api.loop)
		ctl_loop_free(api.loop);
	close(lfd);
out_store:
	if (api.auth)
		ctl_auth_free(api.auth);
	ctl_store_close(api.st);
out_ctx:
	SSL_CTX_free(ctx);
	return ret;
}
