// SPDX-License-Identifier: GPL-2.0
/*
 * WorkerSliceGateways: for every pair of members one Server side (the member listed first
 * in spec.clusters, as KubeSlice pairs them) and one Client side, each named
 * <slice>-<local>-<remote>, with both ends' node IPs, the slice's UDP port on each cluster,
 * the tunnel addresses and the name of the credential Secret.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/json.h"
#include "api/kubeslice.h"
#include "controller/reconcile.h"

#define CTL_PORTS (KS_NODEPORT_MAX - KS_NODEPORT_MIN + 1)

/* The port of a slice gateway object: its local end's first node port, or 0. */
static int gateway_port(const cJSON *gw)
{
	const cJSON *p = cJSON_GetArrayItem(ks_get(gw, "spec.localGatewayConfig.nodePorts"), 0);

	return cJSON_IsNumber(p) && p->valueint >= KS_NODEPORT_MIN &&
	       p->valueint <= KS_NODEPORT_MAX ? p->valueint : 0;
}

/*
 * A new port for the slice on cluster m: the lowest one no other slice's gateway of that
 * cluster uses (one UDP socket per slice and node, so ports are per cluster).
 */
static int port_allocate(struct ctl_slice *s, const struct ctl_member *m)
{
	char sel[KS_NAME_MAX + 32];
	unsigned char *used;
	cJSON *list, *gw;
	int port = 0, i;

	used = calloc(CTL_PORTS, 1);
	if (!used)
		return -ENOMEM;
	list = ctl_store_list(s->st, KS_RES_WORKER_GATEWAY, s->ns,
			      ctl_selector(sel, sizeof(sel), KS_LABEL_WORKER_CLUSTER, m->name));
	cJSON_ArrayForEach(gw, list)
		if (gateway_port(gw) && strcmp(ks_label(gw, KS_LABEL_SLICE) ?: "", s->name))
			used[gateway_port(gw) - KS_NODEPORT_MIN] = 1;
	for (i = 0; i < CTL_PORTS && !port; i++)
		if (!used[i])
			port = KS_NODEPORT_MIN + i;
	cJSON_Delete(list);
	free(used);
	if (!port) {
		ctl_event_record(s->st, s->sc, "Warning", "NoGatewayPort",
				 "Cluster %s has no free gateway port left", m->name);
		return -ENOSPC;
	}
	return port;
}

/* Ports stay as the existing gateways of the slice have them. */
static int ports_assign(struct ctl_slice *s, const cJSON *existing)
{
	struct ctl_member *m;
	const cJSON *gw;
	int i, port;

	if (s->n_members < 2)
		return 0;	/* no gateways, nothing listens */
	for (i = 0; i < s->n_members; i++) {
		m = &s->members[i];
		cJSON_ArrayForEach(gw, existing)
			if (!strcmp(ks_label(gw, KS_LABEL_WORKER_CLUSTER) ?: "", m->name) &&
			    gateway_port(gw)) {
				m->port = gateway_port(gw);
				break;
			}
		if (m->port)
			continue;
		port = port_allocate(s, m);
		if (port < 0)
			return port;
		m->port = port;
	}
	return 0;
}

static cJSON *node_ips(const struct ctl_member *m)
{
	const cJSON *ips = ks_get(m->cluster, "spec.nodeIPs");
	cJSON *out;

	if (cJSON_GetArraySize(ips) == 0)
		ips = ks_get(m->cluster, "status.nodeIPs");
	out = ks_str_array_dup(ips);
	if (out && !cJSON_GetArraySize(out) && ks_get_str(m->cluster, "spec.nodeIP"))
		cJSON_AddItemToArray(out, cJSON_CreateString(ks_get_str(m->cluster, "spec.nodeIP")));
	return out;
}

static cJSON *gateway_end(const struct ctl_slice *s, const struct ctl_member *m,
			  const char *gw_name, uint32_t vpn_ip)
{
	char vpn[KS_PREFIX_STRLEN], subnet[KS_PREFIX_STRLEN];
	cJSON *end = cJSON_CreateObject(), *ports = cJSON_CreateArray();

	ks_addr_format(vpn_ip, vpn);
	ks_prefix_format(&m->subnet, subnet);
	if (ports)
		cJSON_AddItemToArray(ports, cJSON_CreateNumber(m->port));
	if (!end || !ks_set(end, "nodeIps", node_ips(m)) || !ks_set(end, "nodePorts", ports) ||
	    !ks_set_str(end, "gatewayName", gw_name) || !ks_set_str(end, "clusterName", m->name) ||
	    !ks_set_str(end, "vpnIp", vpn) || !ks_set_str(end, "gatewaySubnet", subnet)) {
		cJSON_Delete(end);
		return NULL;
	}
	return end;
}

/* KubeSlice's gateway number: a unique index of the (unordered) pair of octets, from 1. */
static int gateway_number(int a, int b)
{
	int lo = a < b ? a : b, hi = a < b ? b : a;

	return hi * (hi - 1) / 2 + lo + 1;
}

static cJSON *gateway_build(struct ctl_slice *s, const struct ctl_member *local,
			    const struct ctl_member *remote, bool server)
{
	const cJSON *svc = ctl_gateway_service_for(s->sc, server ? local->name : remote->name);
	const char *gw_type = ks_get_str(s->sc, "spec.sliceGatewayProvider.sliceGatewayType");
	char name[3 * KS_NAME_MAX + 3], peer[3 * KS_NAME_MAX + 3];
	uint32_t vpn_local, vpn_remote;
	cJSON *obj, *spec;
	bool ok;

	snprintf(name, sizeof(name), "%s-%s-%s", s->name, local->name, remote->name);
	snprintf(peer, sizeof(peer), "%s-%s-%s", s->name, remote->name, local->name);
	vpn_local = server ? ks_vpn_server_addr(&s->subnet) : ks_vpn_client_addr(&s->subnet);
	vpn_remote = server ? ks_vpn_client_addr(&s->subnet) : ks_vpn_server_addr(&s->subnet);
	obj = ks_object_new(KS_API_WORKER, "WorkerSliceGateway", s->ns, name);
	spec = ks_ensure(obj, "spec");
	ok = spec && ctl_label_derived(obj, s->ns, s->name, local->name) &&
	     ks_set_label(obj, KS_LABEL_REMOTE_CLUSTER, remote->name) &&
	     ks_set_str(spec, "sliceName", s->name) &&
	     (!gw_type || ks_set_str(spec, "gatewayType", gw_type)) &&
	     ks_set_str(spec, "gatewayHostType", server ? KS_GATEWAY_SERVER : KS_GATEWAY_CLIENT) &&
	     ks_set_str(spec, "gatewayConnectivityType",
			ks_get_str(svc, "type") ?: "NodePort") &&
	     ks_set_str(spec, "gatewayProtocol", ks_get_str(svc, "protocol") ?: "UDP") &&
	     ks_set_int(spec, "gatewayNumber", gateway_number(local->octet, remote->octet)) &&
	     ks_set_str(ks_ensure(spec, "gatewayCredentials"), "secretName", name) &&
	     ks_set(spec, "localGatewayConfig", gateway_end(s, local, name, vpn_local)) &&
	     ks_set(spec, "remoteGatewayConfig", gateway_end(s, remote, peer, vpn_remote));
	if (!ok) {
		cJSON_Delete(obj);
		return NULL;
	}
	return obj;
}

static int gateways_build(struct ctl_slice *s)
{
	struct ctl_member *a, *b;
	cJSON *gw;
	int i, j;

	s->gateways = cJSON_CreateArray();
	if (!s->gateways)
		return -ENOMEM;
	for (i = 0; i < s->n_members; i++) {
		for (j = i + 1; j < s->n_members; j++) {
			a = &s->members[i];
			b = &s->members[j];
			gw = gateway_build(s, a, b, true);
			if (!gw || !cJSON_AddItemToArray(s->gateways, gw))
				return -ENOMEM;
			gw = gateway_build(s, b, a, false);
			if (!gw || !cJSON_AddItemToArray(s->gateways, gw))
				return -ENOMEM;
		}
	}
	return 0;
}

int ctl_gateways_reconcile(struct ctl_slice *s)
{
	char sel[KS_NAME_MAX + 32];
	cJSON *existing, *gw;
	int err;

	existing = ctl_store_list(s->st, KS_RES_WORKER_GATEWAY, s->ns,
				  ctl_selector(sel, sizeof(sel), KS_LABEL_SLICE, s->name));
	err = ports_assign(s, existing);
	if (!err)
		err = gateways_build(s);
	if (!err) {
		cJSON_ArrayForEach(gw, existing)
			if (!ctl_find_named(s->gateways, ks_name(gw)))
				ctl_delete_logged(s->st, KS_RES_WORKER_GATEWAY, gw, s->sc);
		cJSON_ArrayForEach(gw, s->gateways) {
			err = ctl_apply_logged(s->st, KS_RES_WORKER_GATEWAY, gw,
					       ctl_find_named(existing, ks_name(gw)), s->sc);
			if (err < 0)
				break;
			err = 0;
		}
	}
	cJSON_Delete(existing);
	return err;
}
