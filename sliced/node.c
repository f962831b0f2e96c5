// SPDX-License-Identifier: GPL-2.0
/* The node loop: genl events, control sockets, /metrics and the timers of every room. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netlink/netlink.h>

#include "desired.h"
#include "kernel.h"
#include "log.h"
#include "metrics.h"
#include "node.h"
#include "qos.h"
#include "status.h"
#include "tunnel.h"
#include "util.h"

void node_reconcile(struct node *n, bool check)
{
	desired_update(n);
	kernel_sync(n, check);
	n->next_check_ms = now_ms() + NODE_CHECK_MS;
}

static int node_event(const struct slicenl_event *ev, void *arg)
{
	struct node *n = arg;
	struct slice *sl;
	struct peer *p;

	for (sl = n->slices; sl && sl->ifindex != ev->ifindex; sl = sl->next)
		;
	for (p = sl ? sl->peers : NULL; p && p->desired.id != ev->peer_id; p = p->next)
		;
	if (!p)
		return 0;
	if (ev->cmd == SLICE_CMD_PEER_STATE_NTF) {
		status_peer_state(n, sl, p, ev->state);
		/* A peer deleted behind our back also ends here: check now. */
		n->next_check_ms = 0;
	} else if (ev->cmd == SLICE_CMD_KEY_ROTATE_NTF) {
		log_event(LOG_INFO, sl->name, peer_name(p),
			  "kernel asks for new keys (key id %u)", ev->key_id);
		tunnel_rekey(sl, p);
	}
	return 0;
}

void node_rekey(struct node *n)
{
	struct slice *sl;
	struct peer *p;

	for (sl = n->slices; sl; sl = sl->next)
		for (p = sl->peers; p; p = p->next) {
			log_event(LOG_INFO, sl->name, peer_name(p), "rekey requested");
			tunnel_rekey(sl, p);
		}
}

int node_run(struct node *n, const struct curl_waitfd *fds, unsigned int count)
{
	uint64_t now = now_ms();
	struct slice *sl;
	unsigned int i;
	int timeout;

	for (i = 0; i < count; i++) {
		if (!(fds[i].revents & CURL_WAIT_POLLIN))
			continue;
		if (fds[i].fd == slicenl_fd(n->events)) {
			slicenl_event_recv(n->events, node_event, n);
			continue;
		}
		if (fds[i].fd == n->metrics_fd) {
			metrics_serve(n->metrics_fd, n);
			continue;
		}
		for (sl = n->slices; sl; sl = sl->next)
			if (sl->ctl_fd == fds[i].fd)
				tunnel_read(sl);
	}
	if (now >= n->next_check_ms)
		node_reconcile(n, true);
	if (now >= n->next_probe_ms) {
		for (sl = n->slices; sl; sl = sl->next)
			tunnel_probe(sl);
		n->next_probe_ms = now + TUNNEL_PROBE_MS;
	}
	if (now >= n->next_status_ms) {
		status_report(n, now);
		n->next_status_ms = now + STATUS_MS;
	}
	timeout = next_due(-1, n->next_check_ms, now);
	timeout = next_due(timeout, n->next_probe_ms, now);
	timeout = next_due(timeout, n->next_status_ms, now);
	for (sl = n->slices; sl; sl = sl->next)
		timeout = tunnel_timers(sl, now, timeout);
	return timeout;
}

unsigned int node_fds(struct node *n, struct curl_waitfd *fds, unsigned int max)
{
	unsigned int count = 0;
	struct slice *sl;

	if (max) {
		fds[count].fd = slicenl_fd(n->events);
		fds[count].events = CURL_WAIT_POLLIN;
		fds[count++].revents = 0;
	}
	if (n->metrics_fd >= 0 && count < max) {
		fds[count].fd = n->metrics_fd;
		fds[count].events = CURL_WAIT_POLLIN;
		fds[count++].revents = 0;
	}
	for (sl = n->slices; sl && count < max; sl = sl->next) {
		if (sl->ctl_fd < 0)
			continue;
		fds[count].fd = sl->ctl_fd;
		fds[count].events = CURL_WAIT_POLLIN;
		fds[count++].revents = 0;
	}
	return count;
}

struct node *node_new(const struct sliced_config *cfg, struct sync *sync)
{
	struct node *n = calloc(1, sizeof(*n));
	int err;

	if (!n)
		return NULL;
	n->cfg = cfg;
	n->sync = sync;
	n->metrics_fd = -1;
	if (cfg->metrics_addr.ss_family != AF_UNSPEC) {
		n->metrics_fd = metrics_listen(&cfg->metrics_addr);
		if (n->metrics_fd < 0) {
			log_msg(LOG_ERR, "metricsAddress: cannot listen: %s",
				strerror(-n->metrics_fd));
			node_free(n);
			return NULL;
		}
	}
	err = slicenl_open(&n->nl);
	if (!err)
		err = slicenl_open_events(&n->events);
	if (err) {
		log_msg(LOG_ERR, "slice genl family: %s%s", strerror(-err),
			err == -EPROTONOSUPPORT ?
			" (is the slice module loaded? modprobe slice)" : "");
		node_free(n);
		return NULL;
	}
	n->rtnl = nl_socket_alloc();
	if (!n->rtnl || nl_connect(n->rtnl, NETLINK_ROUTE)) {
		log_msg(LOG_ERR, "rtnetlink: cannot connect");
		node_free(n);
		return NULL;
	}
	return n;
}

void node_free(struct node *n)
{
	struct slice *sl;

	if (!n)
		return;
	/* Leaves the kernel as it is: a restarted sliced adopts it. */
	while ((sl = n->slices)) {
		n->slices = sl->next;
		slice_free(sl);
	}
	if (n->nl)
		slicenl_close(n->nl);
	if (n->events)
		slicenl_close(n->events);
	if (n->rtnl)
		nl_socket_free(n->rtnl);
	sliceqos_close(n->qos);
	if (n->metrics_fd >= 0)
		close(n->metrics_fd);
	free(n);
}
