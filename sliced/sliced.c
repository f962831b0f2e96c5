// SPDX-License-Identifier: GPL-2.0
/*
 * sliced: the KubeSlice node daemon. Syncs this cluster's slices from the controller,
 * authenticates the peer gateways and programs the slice devices in the kernel.
 */
#include <stddef.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "exports.h"
#include "log.h"
#include "services.h"
#include "node.h"
#include "sync.h"

/* Caps the wait so that a signal's flag is seen soon (curl_multi_poll() is not woken). */
#define SLICED_LOOP_MAX_MS	500
#define SLICED_FDS_MAX		128

static volatile sig_atomic_t stop_signal, rekey_signal;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		rekey_signal = 1;
	else
		stop_signal = sig;
}

/* systemd's readiness protocol (Type=notify), without linking libsystemd. */
static void notify_systemd(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof(sa.sun_path))
		return;
	strcpy(sa.sun_path, path);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	len = offsetof(struct sockaddr_un, sun_path) + strlen(path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	sendto(fd, state, strlen(state), 0, (struct sockaddr *)&sa, len);
	close(fd);
}

static int run(const struct sliced_config *cfg)
{
	struct curl_waitfd fds[SLICED_FDS_MAX];
	struct sigaction sa = { .sa_handler = on_signal };
	bool ready = false;
	struct services *services;
	struct node *node;
	struct sync sync;
	unsigned int count;
	int timeout = 0, services_ms;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (sync_init(&sync, cfg)) {
		log_msg(LOG_ERR, "out of memory");
		return 1;
	}
	node = node_new(cfg, &sync);
	services = node ? services_new(cfg, &sync, node) : NULL;
	if (!services) {
		node_free(node);
		sync_release(&sync);
		return 1;
	}
	log_msg(LOG_INFO, "started: cluster %s, controller %s, namespace %s", cfg->cluster,
		cfg->server, cfg->ns);
	while (!stop_signal) {
		count = node_fds(node, fds, SLICED_FDS_MAX);
		count += services_fds(services, fds + count, SLICED_FDS_MAX - count);
		if (timeout < 0 || timeout > SLICED_LOOP_MAX_MS)
			timeout = SLICED_LOOP_MAX_MS;
		if (sync_poll(&sync, fds, count, timeout) < 0)
			break;
		/* Nothing touches the kernel before the first full listing: empty caches would
		 * mean "remove every slice". */
		if (!sync_ready(&sync))
			continue;
		if (sync.dirty || !ready) {
			sync.dirty = false;
			node_reconcile(node, false);
			services_update(services);
		}
		if (!ready) {
			ready = true;
			log_msg(LOG_INFO, "in sync with the controller");
			notify_systemd("READY=1");
		}
		if (rekey_signal) {
			rekey_signal = 0;
			node_rekey(node);
		}
		timeout = node_run(node, fds, count);
		services_ms = services_run(services, fds, count);
		if (timeout < 0 || services_ms < timeout)
			timeout = services_ms;
	}
	notify_systemd("STOPPING=1");
	log_msg(LOG_INFO, "stopping on signal %d; the data plane stays as it is", (int)stop_signal);
	services_free(services);
	node_free(node);
	sync_release(&sync);
	return 0;
}

#define SLICED_CONFIG_DEFAULT "/etc/sliced/sliced.yaml"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: sliced [-f] [-v] [-t] [-c CONFIG]\n"
		"       sliced -e [-j] [-c CONFIG]\n"
		"  -c CONFIG  node settings (default " SLICED_CONFIG_DEFAULT ")\n"
		"  -f         foreground: time-stamped log lines (default: systemd's journal)\n"
		"  -v         verbose: debug lines too\n"
		"  -t         check the configuration and exit\n"
		"  -e         the status of the service exports (exportsDir) and exit; -j: JSON\n"
		"Signals: TERM/INT stop (the data plane stays as it is), USR1 rekeys every tunnel.\n");
}

int main(int argc, char **argv)
{
	const char *path = SLICED_CONFIG_DEFAULT;
	bool foreground = false, verbose = false, check = false, exports = false, json = false;
	struct sliced_config cfg;
	char err[1024];
	int opt;

	while ((opt = getopt(argc, argv, "c:fvtejh")) != -1) {
		switch (opt) {
		case 'c':
			path = optarg;
			break;
		case 'f':
			foreground = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 't':
			check = true;
			break;
		case 'e':
			exports = true;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	log_init(!foreground, verbose, NULL);
	if (config_load(&cfg, path, err, sizeof(err))) {
		log_msg(LOG_ERR, "%s", err);
		return 1;
	}
	log_init(!foreground, verbose, cfg.cluster);
	if (exports) {
		opt = exports_status_print(cfg.exports_dir, json, stdout) ? 1 : 0;
		config_free(&cfg);
		return opt;
	}
	if (check) {
		printf("%s: ok (cluster %s, namespace %s, controller %s)\n", path, cfg.cluster,
		       cfg.ns, cfg.server);
		config_free(&cfg);
		return 0;
	}
	opt = run(&cfg);
	config_free(&cfg);
	return opt;
}
