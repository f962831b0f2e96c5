// SPDX-License-Identifier: GPL-2.0
/* Programming the kernel: diff the slice devices against the desired state, then apply. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netlink/route/link.h>

#include "kernel.h"
#include "lib/rtnl/rtnl.h"
#include "log.h"
#include "port.h"
#include "qos.h"
#include "tunnel.h"

void kernel_repaired_known(struct node *n, struct slice *sl, const char *what, bool known)
{
	n->repairs++;
	if (!n->converged || (!n->checking && !known))
		return;
	log_event(LOG_WARNING, sl->name, NULL, "drift: %s, put right", what);
	sync_event(n->sync, "WorkerSliceConfig", KS_API_WORKER, sl->config, "Warning",
		   "DriftRepaired", "slice %s, cluster %s: %s", sl->name, n->cfg->cluster, what);
}

static void kernel_repaired(struct node *n, struct slice *sl, const char *what)
{
	kernel_repaired_known(n, sl, what, false);
}

void kernel_apply_failed_why(struct node *n, struct slice *sl, const char *what,
			     const char *why)
{
	log_event(LOG_ERR, sl->name, NULL, "%s: %s", what, why);
	sync_event(n->sync, "WorkerSliceConfig", KS_API_WORKER, sl->config, "Warning",
		   "ApplyFailed", "slice %s, cluster %s: %s: %s", sl->name, n->cfg->cluster, what,
		   why);
}

void kernel_apply_failed(struct node *n, struct slice *sl, const char *what)
{
	kernel_apply_failed_why(n, sl, what, slicenl_extack(n->nl));
}

/*
 * The slice's device, created when missing, up and marked as ours. The alias (the mark) is
 * set by a change after the creation: the kernel ignores IFLA_IFALIAS in the request that
 * creates a link (rtnl_create_link()), so a device made with it carried no mark and was
 * never deleted with its slice.
 */
static int slice_device(struct node *n, struct slice *sl)
{
	struct rtnl_link *link = NULL, *want, *cur = NULL;
	char alias[sizeof(SLICE_ALIAS_PREFIX) + KS_NAME_MAX];
	bool up = false, marked = false;
	const char *have;
	int err = 0;

	snprintf(alias, sizeof(alias), SLICE_ALIAS_PREFIX "%s", sl->name);
	if (!rtnl_link_get_kernel(n->rtnl, 0, sl->ifname, &link)) {
		sl->ifindex = rtnl_link_get_ifindex(link);
		up = rtnl_link_get_flags(link) & IFF_UP;
		have = rtnl_link_get_ifalias(link);
		marked = have && !strcmp(have, alias);
		rtnl_link_put(link);
		if (up && marked)
			return 0;
	}
	want = rtnl_link_alloc();
	if (!want)
		return -ENOMEM;
	rtnl_link_set_name(want, sl->ifname);
	rtnl_link_set_flags(want, IFF_UP);
	rtnl_link_set_ifalias(want, alias);
	if (!sl->ifindex) {
		rtnl_link_set_type(want, SLICE_LINK_KIND);
		err = rtnl_link_add(n->rtnl, want, NLM_F_CREATE | NLM_F_EXCL);
		if (!err && !rtnl_link_get_kernel(n->rtnl, 0, sl->ifname, &link)) {
			sl->ifindex = rtnl_link_get_ifindex(link);
			rtnl_link_put(link);
		}
		log_event(err ? LOG_ERR : LOG_INFO, sl->name, NULL, "device %s %s%s", sl->ifname,
			  err ? "not created: " : "created", err ? nl_geterror(err) : "");
	} else if (!up) {
		kernel_repaired(n, sl, "device was down");
	}
	if (!err)
		err = rtnl_link_get_kernel(n->rtnl, sl->ifindex, NULL, &cur);
	if (!err)
		err = rtnl_link_change(n->rtnl, cur, want, 0);
	rtnl_link_put(cur);
	rtnl_link_put(want);
	return err ? -EIO : 0;
}

/*
 * The device's socket (the kernel's own) and LOCAL_ID. A device that has its socket on the
 * right port keeps it (a restarted sliced only opens a new control socket: see port.h).
 */
static int slice_socket(struct node *n, struct slice *sl)
{
	struct slicenl_dev_config dc = { .flags = SLICENL_DEV_SET_LOCAL_ID,
					 .local_id = sl->local_id };
	struct slicenl_device dev;
	int err;

	if (!sl->port)
		return -EAGAIN;
	err = slicenl_dev_get(n->nl, sl->ifindex, &dev);
	if (err)
		return err;
	if (!(dev.flags & SLICENL_DEV_HAS_LISTEN_PORT) || dev.listen_port != sl->port) {
		if (sl->ctl_fd >= 0) {
			close(sl->ctl_fd);
			sl->ctl_fd = -1;
		}
		/* The kernel's socket comes first in the port's group: see port.h. */
		dc.flags |= SLICENL_DEV_SET_LISTEN;
		port_listen_addr(&dc.listen, sl->port, config_has_family(n->cfg, AF_INET6));
		if (dev.flags & SLICENL_DEV_HAS_LISTEN_PORT)
			kernel_repaired(n, sl, "socket on another port");
	} else if ((dev.flags & SLICENL_DEV_HAS_LOCAL_ID) && dev.local_id == sl->local_id) {
		dc.flags = 0;
	}
	if (dc.flags) {
		err = slicenl_dev_set(n->nl, sl->ifindex, &dc);
		if (err) {
			kernel_apply_failed(n, sl, "setting the socket and local id");
			return err;
		}
	}
	if (sl->ctl_fd < 0) {
		sl->ctl_fd = port_open_control(sl->port, config_has_family(n->cfg, AF_INET6));
		if (sl->ctl_fd < 0) {
			log_event(LOG_ERR, sl->name, NULL, "control socket on port %u: %s",
				  sl->port, strerror(-sl->ctl_fd));
			sl->ctl_fd = -1;
			return -EIO;
		}
		log_event(LOG_INFO, sl->name, NULL, "gateway port %u, local id %u", sl->port,
			  sl->local_id);
	}
	return 0;
}

static bool endpoint_same(const union slicenl_sockaddr *a, const union slicenl_sockaddr *b)
{
	if (a->sa.sa_family != b->sa.sa_family)
		return false;
	if (a->sa.sa_family == AF_INET)
		return a->in.sin_port == b->in.sin_port &&
		       a->in.sin_addr.s_addr == b->in.sin_addr.s_addr;
	return a->in6.sin6_port == b->in6.sin6_port &&
	       !memcmp(&a->in6.sin6_addr, &b->in6.sin6_addr, sizeof(a->in6.sin6_addr));
}

/* What the kernel should have of peer p: endpoint, liveness, whether it is a transit. */
static void peer_want(const struct slice *sl, const struct peer *p, struct slicenl_peer *want)
{
	memset(want, 0, sizeof(*want));
	want->id = p->desired.id;
	want->flags = SLICENL_PEER_HAS_KEEPALIVE | SLICENL_PEER_HAS_TIMEOUT |
		      SLICENL_PEER_HAS_HOLD | SLICENL_PEER_HAS_STATE | SLICENL_PEER_HAS_TRANSIT;
	want->keepalive_interval_ms = sl->liveness.interval_ms;
	want->keepalive_timeout_ms = sl->liveness.timeout_ms;
	want->hold_ms = sl->liveness.hold_ms;
	want->state = SLICE_PEER_STATE_UP;
	want->transit = p->desired.transit;
	if (p->desired.endpoint.sa.sa_family != AF_UNSPEC) {
		want->flags |= SLICENL_PEER_HAS_ENDPOINT;
		want->endpoint = p->desired.endpoint;
	}
}

/* The settings of a peer found in the kernel that differ from want, only those in want. */
static void peer_differences(const struct slicenl_peer *have, struct slicenl_peer *want)
{
	uint32_t flags = SLICENL_PEER_HAS_KEEPALIVE | SLICENL_PEER_HAS_TIMEOUT |
			 SLICENL_PEER_HAS_HOLD | SLICENL_PEER_HAS_TRANSIT;

	if (have->keepalive_interval_ms == want->keepalive_interval_ms &&
	    have->keepalive_timeout_ms == want->keepalive_timeout_ms &&
	    have->hold_ms == want->hold_ms && have->transit == want->transit)
		flags = 0;
	if ((want->flags & SLICENL_PEER_HAS_ENDPOINT) &&
	    !endpoint_same(&have->endpoint, &want->endpoint))
		flags |= SLICENL_PEER_HAS_ENDPOINT;
	want->flags &= flags;
}

static void slice_peers(struct node *n, struct slice *sl)
{
	struct slicenl_peer *have = NULL, want;
	struct peer *p;
	size_t count = 0, i;

	if (slicenl_peer_dump(n->nl, sl->ifindex, &have, &count)) {
		kernel_apply_failed(n, sl, "reading peers");
		return;
	}
	for (p = sl->peers; p; p = p->next) {
		peer_want(sl, p, &want);
		for (i = 0; i < count && have[i].id != p->desired.id; i++)
			;
		if (i == count) {
			if (slicenl_peer_new(n->nl, sl->ifindex, &want))
				kernel_apply_failed(n, sl, "adding a peer");
			else
				kernel_repaired(n, sl, "peer was missing");
			/* Its keys went with it: both sides need new ones. */
			p->tunnel.key_id = -1;
			tunnel_rekey(sl, p);
			continue;
		}
		peer_differences(&have[i], &want);
		if (want.flags) {
			if (slicenl_peer_set(n->nl, sl->ifindex, &want))
				kernel_apply_failed(n, sl, "setting a peer");
			else
				kernel_repaired(n, sl, want.flags & SLICENL_PEER_HAS_ENDPOINT ?
						"peer endpoint changed" : "peer liveness changed");
		}
		tunnel_adopt(sl, p);
	}
	for (i = 0; i < count; i++) {
		for (p = sl->peers; p && p->desired.id != have[i].id; p = p->next)
			;
		if (!p && !slicenl_peer_del(n->nl, sl->ifindex, have[i].id))
			log_event(LOG_INFO, sl->name, NULL, "peer %u removed", have[i].id);
	}
	free(have);
}

static bool route_same(const struct slicenl_route *a, const struct slicenl_route *b)
{
	return a->family == b->family && a->prefixlen == b->prefixlen &&
	       a->peer_id == b->peer_id && a->addr.ip4.s_addr == b->addr.ip4.s_addr;
}

static void slice_routes(struct node *n, struct slice *sl)
{
	struct slicenl_route *have = NULL;
	struct slice_route *want;
	size_t count = 0, i, j;
	char what[96];

	if (slicenl_route_dump(n->nl, sl->ifindex, &have, &count)) {
		kernel_apply_failed(n, sl, "reading routes");
		return;
	}
	for (j = 0; j < sl->num_routes; j++) {
		want = &sl->routes[j];
		for (i = 0; i < count && !route_same(&have[i], &want->route); i++)
			;
		if (i < count) {
			want->kernel_seen = true;
			continue;
		}
		snprintf(what, sizeof(what), "route to %s/%u via peer %u was missing",
			 inet_ntoa(want->route.addr.ip4), want->route.prefixlen,
			 want->route.peer_id);
		if (slicenl_route_add(n->nl, sl->ifindex, &want->route))
			kernel_apply_failed(n, sl, "adding a route");
		else
			kernel_repaired_known(n, sl, what, want->kernel_seen);
	}
	for (i = 0; i < count; i++) {
		for (j = 0; j < sl->num_routes && !route_same(&have[i], &sl->routes[j].route); j++)
			;
		if (j == sl->num_routes && !slicenl_route_del(n->nl, sl->ifindex, &have[i]))
			kernel_repaired(n, sl, "a route not of the slice was removed");
	}
	free(have);
}

/*
 * The slice subnet into the device in the node's own table, the route the CNI plugin adds
 * with a pod too: a node forwards what comes over the slice for the cluster's other nodes
 * (it is their transit peer), whether or not it has pods of its own. Missing is drift.
 */
static void slice_node_route(struct node *n, struct slice *sl)
{
	char subnet[KS_PREFIX_STRLEN], what[96];
	int err;

	ks_prefix_format(&sl->subnet, subnet);
	if (slicertnl_route_present(n->rtnl, subnet, sl->ifindex)) {
		sl->node_route_seen = true;
		return;
	}
	err = slicertnl_route_add(n->rtnl, subnet, sl->ifindex, NULL);
	if (err) {
		log_event(LOG_ERR, sl->name, NULL, "route of the slice subnet to %s: %s",
			  sl->ifname, nl_geterror(err));
		return;
	}
	snprintf(what, sizeof(what), "route to %s over %s was missing", subnet, sl->ifname);
	kernel_repaired_known(n, sl, what, sl->node_route_seen);
	sl->node_route_seen = true;
}

/* Devices marked as ours whose slice is gone (also from before a restart). */
static void kernel_sweep_devices(struct node *n)
{
	struct nl_cache *links;
	struct rtnl_link *link;
	const char *alias;
	struct slice *sl;
	int err;

	err = rtnl_link_alloc_cache(n->rtnl, AF_UNSPEC, &links);
	if (err) {
		log_msg(LOG_ERR, "reading the links: %s", nl_geterror(err));
		return;
	}
	for (link = (struct rtnl_link *)nl_cache_get_first(links); link;
	     link = (struct rtnl_link *)nl_cache_get_next((struct nl_object *)link)) {
		alias = rtnl_link_get_ifalias(link);
		if (!alias || strncmp(alias, SLICE_ALIAS_PREFIX, strlen(SLICE_ALIAS_PREFIX)))
			continue;
		for (sl = n->slices; sl && strcmp(sl->name, alias + strlen(SLICE_ALIAS_PREFIX));
		     sl = sl->next)
			;
		if (sl)
			continue;
		err = rtnl_link_delete(n->rtnl, link);
		log_event(err ? LOG_ERR : LOG_INFO, alias + strlen(SLICE_ALIAS_PREFIX), NULL,
			  "slice removed: device %s %s%s", rtnl_link_get_name(link),
			  err ? "not deleted: " : "deleted", err ? nl_geterror(err) : "");
	}
	nl_cache_free(links);
}

void kernel_sync(struct node *n, bool check)
{
	struct slice *sl;

	n->repairs = 0;
	n->checking = check;
	for (sl = n->slices; sl; sl = sl->next)
		if (!slice_device(n, sl) && !slice_socket(n, sl)) {
			slice_peers(n, sl);
			slice_routes(n, sl);
			slice_node_route(n, sl);
			qos_sync(n, sl);
		}
	kernel_sweep_devices(n);
	qos_sweep(n);
	n->converged = true;
}
