// SPDX-License-Identifier: GPL-2.0
/*
 * WorkerSliceGateways: for every pair of members one Server side (the member listed first
 * in spec.clusters, as KubeSlice pairs them) and one Client side, each named
 * <slice>-<local>-<remote>, with both ends' node IPs, the slice's UDP port on each cluster,
 * the tunnel addresses and the name of the credential Secret.
 *
 * Each describes N redundant gateway pairs (api/gateways.h): N is the SliceConfig's
 * numberOfGateways, at most the gateway nodes either cluster lists, so that pair k runs on
 * gateway node k of each end and no two pairs share a node. Asking for more pairs than
 * there are nodes is said in the SliceConfig's GatewayRedundancy condition.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/gateways.h"
#include "api/json.h"
#include "api/kubeslice.h"
#include "controller/reconcile.h"

/*
 * Ports stay as the existing gateways of the slice have them; a member without one takes
 * the lowest port no other slice's gateway of that cluster uses (one UDP socket per slice
 * and node, so ports are per cluster), from the index of ports in use.
 */
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
			    ctl_gateway_port(gw)) {
				m->port = ctl_gateway_port(gw);
				break;
			}
		port = m->port ? m->port : ctl_port_allocate(s->st, s->ns, m->name, s->name);
		if (port == -ENOSPC)
			ctl_event_record(s->st, s->sc, "Warning", "NoGatewayPort",
					 "Cluster %s has no free gateway port left", m->name);
		if (port < 0)
			return port;
		m->port = port;
		port = ctl_port_set(s->st, s->ns, m->name, s->name, port);
		if (port < 0)
			return port;
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

/* The slice's port once per pair: KubeSlice's clients count pairs by the server's ports. */
static cJSON *pair_ports(const struct ctl_member *m, int pairs)
{
	cJSON *ports = cJSON_CreateArray();
	int k;

	for (k = 0; ports && k < pairs; k++)
		cJSON_AddItemToArray(ports, cJSON_CreateNumber(m->port));
	return ports;
}

static cJSON *gateway_end(const struct ctl_slice *s, const struct ctl_member *m,
			  const char *gw_name, uint32_t vpn_ip, int pairs)
{
	char vpn[KS_PREFIX_STRLEN], subnet[KS_PREFIX_STRLEN];
	cJSON *end = cJSON_CreateObject(), *ports = pair_ports(m, pairs);

	ks_addr_format(vpn_ip, vpn);
	ks_prefix_format(&m->subnet, subnet);
	if (!end || !ks_set(end, "nodeIps", node_ips(m)) || !ks_set(end, "nodePorts", ports) ||
	    !ks_set_str(end, "gatewayName", gw_name) || !ks_set_str(end, "clusterName", m->name) ||
	    !ks_set_str(end, "vpnIp", vpn) || !ks_set_str(end, "gatewaySubnet", subnet)) {
		cJSON_Delete(end);
		return NULL;
	}
	return end;
}

/*
 * spec.gatewayNumber of the pair of members with octets a and b, by KubeSlice's formula
 * (calculateGatewayNumber): ((max - 1) * (max - 2)) / 2 + min of the two octets. Both
 * sides of a pair get the same number; KubeSlice's numbers repeat across pairs (octets 0
 * and 1 give 0, as do 0 and 2), and nothing here relies on them being unique.
 */
static int gateway_number(int a, int b)
{
	int lo = a < b ? a : b, hi = a < b ? b : a;

	return (hi - 1) * (hi - 2) / 2 + lo;
}

/* The pairs a slice asks for per ordered cluster pair. */
static int pairs_wanted(const struct ctl_slice *s)
{
	long n = KS_GATEWAY_PAIRS_DEFAULT;

	ks_get_int(s->sc, "spec.sliceGatewayProvider.numberOfGateways", &n);
	return n >= 1 && n <= KS_GATEWAY_PAIRS_MAX ? (int)n : KS_GATEWAY_PAIRS_DEFAULT;
}

/* Gateway nodes a member lists (0 until its sliced reports one). */
static int gateway_nodes(const struct ctl_member *m)
{
	cJSON *ips = node_ips(m);
	int n = ks_gateway_nodes(ips);

	cJSON_Delete(ips);
	return n;
}

/*
 * Pairs between two members: as many as wanted, but never two on one gateway node. One
 * pair is always derived, also while a member lists no node yet.
 */
static int pairs_between(const struct ctl_slice *s, const struct ctl_member *a,
			 const struct ctl_member *b)
{
	int n = pairs_wanted(s), na = gateway_nodes(a), nb = gateway_nodes(b);

	if (na < n)
		n = na;
	if (nb < n)
		n = nb;
	return n > 0 ? n : 1;
}

static cJSON *gateway_build(struct ctl_slice *s, const struct ctl_member *local,
			    const struct ctl_member *remote, bool server)
{
	int pairs = pairs_between(s, local, remote);
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
	     ks_set(spec, "localGatewayConfig", gateway_end(s, local, name, vpn_local, pairs)) &&
	     ks_set(spec, "remoteGatewayConfig", gateway_end(s, remote, peer, vpn_remote, pairs));
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

/*
 * The first member pair that runs fewer pairs than asked, said into msg; false when every
 * pair of members runs them all.
 */
static bool redundancy_shortfall(const struct ctl_slice *s, char *msg, size_t size)
{
	const struct ctl_member *a, *b, *few;
	int i, j, n;

	for (i = 0; i < s->n_members; i++) {
		for (j = i + 1; j < s->n_members; j++) {
			a = &s->members[i];
			b = &s->members[j];
			n = pairs_between(s, a, b);
			if (n >= pairs_wanted(s))
				continue;
			few = gateway_nodes(a) < gateway_nodes(b) ? a : b;
			snprintf(msg, size, "numberOfGateways is %d but cluster %s lists %d gateway "
				 "node%s (spec.nodeIPs); %s and %s run %d pair%s: list more gateway "
				 "nodes or lower numberOfGateways", pairs_wanted(s), few->name,
				 gateway_nodes(few), gateway_nodes(few) == 1 ? "" : "s", a->name,
				 b->name, n, n == 1 ? "" : "s");
			return true;
		}
	}
	snprintf(msg, size, "%d gateway pair%s per cluster pair, each on its own gateway nodes",
		 pairs_wanted(s), pairs_wanted(s) == 1 ? "" : "s");
	return false;
}

/*
 * The SliceConfig's GatewayRedundancy condition, written only when it changes (with a
 * Warning Event when pairs had to be left out), so that reconciling again writes nothing.
 */
static void redundancy_report(struct ctl_slice *s)
{
	char msg[2 * KS_NAME_MAX + 256], now[KS_TIME_STRLEN];
	cJSON *obj, *conditions, *cond = NULL, *c;
	bool short_of = redundancy_shortfall(s, msg, sizeof(msg));
	const char *status = short_of ? "False" : "True";

	obj = ctl_store_get(s->st, KS_RES_SLICE, s->ns, s->name);
	conditions = ks_get(obj, "status.conditions");
	cJSON_ArrayForEach(c, conditions)
		if (!strcmp(ks_get_str0(c, "type"), "GatewayRedundancy"))
			cond = c;
	if (!obj || (cond && !strcmp(ks_get_str0(cond, "status"), status) &&
		     !strcmp(ks_get_str0(cond, "message"), msg)))
		goto out;
	if (!conditions)
		conditions = cJSON_AddArrayToObject(ks_ensure(obj, "status"), "conditions");
	if (!cond && conditions) {
		cond = cJSON_CreateObject();
		cJSON_AddItemToArray(conditions, cond);
	}
	ks_time_format(s->now, now);
	if (cond && strcmp(ks_get_str0(cond, "status"), status) &&
	    !ks_set_str(cond, "lastTransitionTime", now))
		goto out;
	if (!cond || !ks_set_str(cond, "type", "GatewayRedundancy") ||
	    !ks_set_str(cond, "status", status) ||
	    !ks_set_str(cond, "reason", short_of ? "NotEnoughGatewayNodes" : "PairsPlaced") ||
	    !ks_set_str(cond, "message", msg) ||
	    (!ks_get(cond, "lastTransitionTime") && !ks_set_str(cond, "lastTransitionTime", now)))
		goto out;
	if (ctl_store_apply_status(s->st, KS_RES_SLICE, obj) == 0 && short_of)
		ctl_event_record(s->st, s->sc, "Warning", "GatewayPairsReduced", "%s", msg);
out:
	cJSON_Delete(obj);
}

/* A gateway the slice no longer wants; a cluster left without any is left its port. */
static void gateway_remove(struct ctl_slice *s, const cJSON *gw)
{
	const char *cluster = ks_label(gw, KS_LABEL_WORKER_CLUSTER);
	int i;

	ctl_delete_logged(s->st, KS_RES_WORKER_GATEWAY, gw, s->sc);
	for (i = 0; cluster && i < s->n_members; i++)
		if (!strcmp(s->members[i].name, cluster) && s->n_members >= 2)
			return;
	if (cluster)
		ctl_port_forget(s->st, s->ns, cluster, s->name);
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
				gateway_remove(s, gw);
		cJSON_ArrayForEach(gw, s->gateways) {
			err = ctl_apply_logged(s->st, KS_RES_WORKER_GATEWAY, gw,
					       ctl_find_named(existing, ks_name(gw)), s->sc);
			if (err < 0)
				break;
			err = 0;
		}
	}
	if (err)	/* what is stored may not be what the index says: read it again */
		for (int i = 0; i < s->n_members; i++)
			ctl_ports_invalidate(s->st, s->ns, s->members[i].name);
	if (!err && s->n_members >= 2)
		redundancy_report(s);
	cJSON_Delete(existing);
	return err;
}
