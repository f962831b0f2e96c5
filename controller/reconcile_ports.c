// SPDX-License-Identifier: GPL-2.0
/*
 * The gateway ports in use on each cluster, kept in memory (struct ctl_rindex) so that a
 * slice's new port is found without listing and parsing every gateway of the cluster for
 * every member: a cluster's ports are read from its gateways once, then kept up to date
 * by the slice reconciler, which is the only writer of gateways' ports but for workers.
 *
 * What the reconcilers did not write themselves makes the index forget: a change of a
 * gateway by someone else (a worker writing its node ports, a user's delete) drops the
 * gateway's cluster, which is read again on its next use; a full resync (also after a
 * change of leader) drops everything.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/json.h"
#include "api/kubeslice.h"
#include "controller/reconcile.h"

#define CTL_PORTS	(KS_NODEPORT_MAX - KS_NODEPORT_MIN + 1)
#define RINDEX_BUCKETS	1024

/**
 * struct port_use - a port the gateways of one slice use on a cluster
 * @slice: the slice (its gateways' original-slice-name label, "" without one)
 * @port: the gateways' first local node port
 */
struct port_use {
	char *slice;
	int port;
};

/**
 * struct cluster_ports - the gateway ports in use on one cluster
 * @key: "namespace/cluster"
 * @use: the ports, at most one entry per (slice, port)
 * @n: entries in @use
 * @cap: room in @use
 * @next: the next cluster in its hash bucket
 */
struct cluster_ports {
	char *key;
	struct port_use *use;
	size_t n, cap;
	struct cluster_ports *next;
};

/**
 * struct ctl_rindex - the reconcilers' in-memory indexes of one store
 * @ports: clusters whose ports have been read, hashed by key
 *
 * Used only from the reconcile loop's thread, so no lock.
 */
struct ctl_rindex {
	struct cluster_ports *ports[RINDEX_BUCKETS];
};

static struct ctl_rindex *rindex_of(struct ctl_store *st)
{
	struct ctl_rindex **slot = ctl_store_rindex(st);

	if (!*slot)
		*slot = calloc(1, sizeof(**slot));
	return *slot;
}

static unsigned int key_hash(const char *s)
{
	unsigned int h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h % RINDEX_BUCKETS;
}

static void cluster_free(struct cluster_ports *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->use[i].slice);
	free(c->use);
	free(c->key);
	free(c);
}

void ctl_rindex_free(struct ctl_rindex *ix)
{
	struct cluster_ports *c, *next;

	if (!ix)
		return;
	for (int b = 0; b < RINDEX_BUCKETS; b++)
		for (c = ix->ports[b]; c; c = next) {
			next = c->next;
			cluster_free(c);
		}
	free(ix);
}

int ctl_gateway_port(const cJSON *gw)
{
	const cJSON *p = cJSON_GetArrayItem(ks_get(gw, "spec.localGatewayConfig.nodePorts"), 0);

	return cJSON_IsNumber(p) && p->valueint >= KS_NODEPORT_MIN &&
	       p->valueint <= KS_NODEPORT_MAX ? p->valueint : 0;
}

static int use_add(struct cluster_ports *c, const char *slice, int port)
{
	struct port_use *grown;

	for (size_t i = 0; i < c->n; i++)
		if (c->use[i].port == port && !strcmp(c->use[i].slice, slice))
			return 0;
	if (c->n == c->cap) {
		grown = realloc(c->use, (c->cap * 2 + 8) * sizeof(*c->use));
		if (!grown)
			return -ENOMEM;
		c->use = grown;
		c->cap = c->cap * 2 + 8;
	}
	c->use[c->n].slice = strdup(slice);
	if (!c->use[c->n].slice)
		return -ENOMEM;
	c->use[c->n++].port = port;
	return 0;
}

static void use_drop_slice(struct cluster_ports *c, const char *slice)
{
	size_t i = 0;

	while (i < c->n) {
		if (strcmp(c->use[i].slice, slice)) {
			i++;
			continue;
		}
		free(c->use[i].slice);
		c->use[i] = c->use[--c->n];
	}
}

/* The cluster's ports from its gateways in the store: the one list per cluster. */
static struct cluster_ports *cluster_read(struct ctl_store *st, const char *ns,
					  const char *cluster, const char *key)
{
	struct cluster_ports *c = calloc(1, sizeof(*c));
	char sel[KS_NAME_MAX + 32];
	cJSON *list = NULL, *gw;
	int err = 0;

	if (c)
		c->key = strdup(key);
	if (c && c->key)
		list = ctl_store_list(st, KS_RES_WORKER_GATEWAY, ns,
				      ctl_selector(sel, sizeof(sel), KS_LABEL_WORKER_CLUSTER,
						   cluster));
	if (!list)
		goto err;
	cJSON_ArrayForEach(gw, list)
		if (!err && ctl_gateway_port(gw))
			err = use_add(c, ks_label(gw, KS_LABEL_SLICE) ?: "", ctl_gateway_port(gw));
	cJSON_Delete(list);
	if (!err)
		return c;
err:
	if (c)
		cluster_free(c);
	return NULL;
}

/* The cluster's entry, read from the store on first use unless only_known. */
static struct cluster_ports *cluster_get(struct ctl_store *st, const char *ns,
					 const char *cluster, bool only_known)
{
	struct ctl_rindex *ix = rindex_of(st);
	char key[2 * KS_NAME_MAX + 2];
	struct cluster_ports **p, *c;

	if (!ix)
		return NULL;
	snprintf(key, sizeof(key), "%s/%s", ns, cluster);
	p = &ix->ports[key_hash(key)];
	for (c = *p; c; c = c->next)
		if (!strcmp(c->key, key))
			return c;
	if (only_known)
		return NULL;
	c = cluster_read(st, ns, cluster, key);
	if (c) {
		c->next = *p;
		*p = c;
	}
	return c;
}

int ctl_port_allocate(struct ctl_store *st, const char *ns, const char *cluster,
		      const char *slice)
{
	struct cluster_ports *c = cluster_get(st, ns, cluster, false);
	uint64_t used[(CTL_PORTS + 63) / 64] = { 0 };
	int bit;

	if (!c)
		return -ENOMEM;
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->use[i].slice, slice)) {
			bit = c->use[i].port - KS_NODEPORT_MIN;
			used[bit / 64] |= 1ULL << (bit % 64);
		}
	for (bit = 0; bit < CTL_PORTS; bit++)
		if (!(used[bit / 64] & (1ULL << (bit % 64))))
			return KS_NODEPORT_MIN + bit;
	return -ENOSPC;
}

int ctl_port_set(struct ctl_store *st, const char *ns, const char *cluster,
		 const char *slice, int port)
{
	struct cluster_ports *c = cluster_get(st, ns, cluster, false);

	if (!c)
		return -ENOMEM;
	use_drop_slice(c, slice);
	return use_add(c, slice, port);
}

void ctl_port_forget(struct ctl_store *st, const char *ns, const char *cluster,
		     const char *slice)
{
	struct cluster_ports *c = cluster_get(st, ns, cluster, true);

	if (c)
		use_drop_slice(c, slice);
}

void ctl_ports_invalidate(struct ctl_store *st, const char *ns, const char *cluster)
{
	struct ctl_rindex *ix = *ctl_store_rindex(st);
	char key[2 * KS_NAME_MAX + 2];
	struct cluster_ports **p, *c;

	if (!ix)
		return;
	if (!ns || !cluster) {
		*ctl_store_rindex(st) = NULL;
		ctl_rindex_free(ix);
		return;
	}
	snprintf(key, sizeof(key), "%s/%s", ns, cluster);
	for (p = &ix->ports[key_hash(key)]; *p; p = &(*p)->next)
		if (!strcmp((*p)->key, key)) {
			c = *p;
			*p = c->next;
			cluster_free(c);
			return;
		}
}
