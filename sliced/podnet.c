// SPDX-License-Identifier: GPL-2.0
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>

#include "api/kubeslice.h"
#include "lib/rtnl/rtnl.h"
#include "log.h"
#include "podnet.h"

/* One pod interface as the last check saw it, by its host veth. */
struct podnet_pod {
	char host[IF_NAMESIZE];
	enum podnet_seen seen;
	bool current;		/* still leased at this check */
};

struct podnet {
	struct nl_sock *sk;
	struct podnet_pod *pods;
	size_t count, cap;
};

bool podnet_repair_due(enum podnet_seen before, enum podnet_seen now)
{
	return now == PODNET_PARTIAL && before != PODNET_NONE;
}

static struct podnet_pod *pod_of(struct podnet *pn, const char *host)
{
	struct podnet_pod *p;
	size_t i;

	for (i = 0; i < pn->count; i++)
		if (!strcmp(pn->pods[i].host, host))
			return &pn->pods[i];
	if (pn->count == pn->cap) {
		p = realloc(pn->pods, (pn->cap ? pn->cap * 2 : 16) * sizeof(*p));
		if (!p)
			return NULL;
		pn->pods = p;
		pn->cap = pn->cap ? pn->cap * 2 : 16;
	}
	p = &pn->pods[pn->count++];
	memset(p, 0, sizeof(*p));
	snprintf(p->host, sizeof(p->host), "%s", host);
	return p;
}

/* The pieces of one pod's node side, and what was missing of them. */
struct pod_side {
	int ifindex;
	bool up, gateway, route;
	char addr[KS_PREFIX_STRLEN], gw[KS_PREFIX_STRLEN];
};

static enum podnet_seen look(struct podnet *pn, const char *host, struct pod_side *s)
{
	struct rtnl_link *link = NULL;

	s->ifindex = slicertnl_link_index(pn->sk, host, &link);
	if (!s->ifindex)
		return PODNET_NONE;
	s->up = rtnl_link_get_flags(link) & IFF_UP;
	rtnl_link_put(link);
	s->gateway = slicertnl_addr_present(pn->sk, s->ifindex, s->gw);
	s->route = slicertnl_route_present(pn->sk, s->addr, s->ifindex);
	return s->up && s->gateway && s->route ? PODNET_WHOLE : PODNET_PARTIAL;
}

/* Put back what look() found missing, in slice-cni's order; what gets how it was. */
static int repair(struct podnet *pn, const char *host, const struct pod_side *s,
		  char *what, size_t len)
{
	int err = 0;

	snprintf(what, len, "%s%s%s", !s->up ? ", it was down" : "",
		 !s->gateway ? ", its gateway address was missing" : "",
		 !s->route ? ", the route to the pod was missing" : "");
	if (!s->gateway)
		err = slicertnl_addr_add(pn->sk, s->ifindex, s->gw);
	if (!err && !s->up)
		err = slicertnl_link_up(pn->sk, s->ifindex);
	/* A link set down loses its routes: look again rather than trust s->route. */
	if (!err && !slicertnl_route_present(pn->sk, s->addr, s->ifindex))
		err = slicertnl_route_add(pn->sk, s->addr, s->ifindex, NULL);
	if (err)
		log_msg(LOG_ERR, "pod veth %s: cannot put its node side right: %s", host,
			nl_geterror(err));
	return err;
}

static void check_pod(struct podnet *pn, const struct ipam_pool *pool,
		      const struct ipam_lease *l, podnet_report_fn report, void *arg)
{
	struct pod_side side = { 0 };
	char host[IF_NAMESIZE], how[128], what[640];
	struct podnet_pod *p;
	enum podnet_seen now;

	ks_pod_host_ifname(l->container_id, l->ifname, host);
	p = pod_of(pn, host);
	if (!p)
		return;
	p->current = true;
	ks_addr_format(l->addr, side.addr);
	ks_addr_format(ipam_gateway(&pool->subnet), side.gw);
	now = look(pn, host, &side);
	if (podnet_repair_due(p->seen, now) && !repair(pn, host, &side, how, sizeof(how))) {
		snprintf(what, sizeof(what), "pod %s/%s (%s) on %s%s",
			 *l->pod_ns ? l->pod_ns : "-", *l->pod_name ? l->pod_name : l->container_id,
			 side.addr, host, how);
		report(arg, pool->slice, what);
		now = PODNET_WHOLE;
	}
	p->seen = now;
}

void podnet_check(struct podnet *pn, struct ipam *ipam, podnet_report_fn report, void *arg)
{
	struct ipam_pool *pool = NULL;
	size_t i, kept = 0;

	for (i = 0; i < pn->count; i++)
		pn->pods[i].current = false;
	while ((pool = ipam_pool_next(ipam, pool)))
		for (i = 0; i < pool->count; i++)
			check_pod(pn, pool, &pool->leases[i], report, arg);
	/* Released leases: forgotten, so that a new pod of the same name starts afresh. */
	for (i = 0; i < pn->count; i++)
		if (pn->pods[i].current)
			pn->pods[kept++] = pn->pods[i];
	pn->count = kept;
}

struct podnet *podnet_new(void)
{
	struct podnet *pn = calloc(1, sizeof(*pn));

	if (!pn)
		return NULL;
	pn->sk = nl_socket_alloc();
	if (!pn->sk || nl_connect(pn->sk, NETLINK_ROUTE)) {
		podnet_free(pn);
		return NULL;
	}
	return pn;
}

void podnet_free(struct podnet *pn)
{
	if (!pn)
		return;
	nl_socket_free(pn->sk);
	free(pn->pods);
	free(pn);
}
