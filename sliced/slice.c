// SPDX-License-Identifier: GPL-2.0
/* The node's slices and peers: creation, lookup and release (the model is in slice.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "slice.h"
#include "tunnel.h"

void slice_device_name(const char *slice, char ifname[IF_NAMESIZE])
{
	snprintf(ifname, IF_NAMESIZE, SLICE_DEV_PREFIX "%.*s",
		 (int)(IF_NAMESIZE - sizeof(SLICE_DEV_PREFIX)), slice);
}

struct slice *slice_get(struct node *n, const char *name)
{
	struct slice *sl;

	for (sl = n->slices; sl; sl = sl->next)
		if (!strcmp(sl->name, name))
			return sl;
	sl = calloc(1, sizeof(*sl));
	if (!sl)
		return NULL;
	sl->node = n;
	sl->ctl_fd = -1;
	snprintf(sl->name, sizeof(sl->name), "%s", name);
	slice_device_name(name, sl->ifname);
	if (tunnel_slice_init(sl)) {
		free(sl);
		return NULL;
	}
	sl->next = n->slices;
	n->slices = sl;
	return sl;
}

void slice_free(struct slice *sl)
{
	struct peer *p;

	while ((p = sl->peers)) {
		sl->peers = p->next;
		peer_free(p);
	}
	tunnel_slice_release(sl);
	free(sl->routes);
	if (sl->ctl_fd >= 0)
		close(sl->ctl_fd);
	free(sl);
}

struct peer *peer_get(struct slice *sl, const char *key)
{
	struct peer *p;

	for (p = sl->peers; p; p = p->next)
		if (!strcmp(p->desired.key, key))
			return p;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	snprintf(p->desired.key, sizeof(p->desired.key), "%s", key);
	p->tunnel.key_id = -1;
	p->health.rtt_ms = -1;
	p->next = sl->peers;
	sl->peers = p;
	return p;
}

void peer_free(struct peer *p)
{
	tunnel_peer_release(p);
	free(p);
}

const char *peer_node(const struct peer *p, char buf[INET6_ADDRSTRLEN])
{
	const union slicenl_sockaddr *ep = &p->desired.endpoint;
	const void *a = ep->sa.sa_family == AF_INET6 ? (const void *)&ep->in6.sin6_addr :
						       (const void *)&ep->in.sin_addr;

	if (ep->sa.sa_family == AF_UNSPEC || !inet_ntop(ep->sa.sa_family, a, buf, INET6_ADDRSTRLEN))
		buf[0] = '\0';
	return buf;
}
