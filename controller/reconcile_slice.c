// SPDX-License-Identifier: GPL-2.0
/*
 * SliceConfig -> one WorkerSliceConfig per member cluster, then gateways, certificates and
 * service imports; a slice that is gone takes everything derived from it along.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/json.h"
#include "api/kubeslice.h"
#include "controller/reconcile.h"

/* Resources derived from a slice, removed in this order (users of a thing before it). */
static const char *const slice_derived[] = {
	KS_RES_WORKER_IMPORT, KS_RES_WORKER_GATEWAY, KS_RES_SECRET,
	KS_RES_WORKER_SLICE, KS_RES_ROTATION,
};

static void slice_teardown(struct ctl_store *st, const char *ns, const char *name)
{
	cJSON *about = ks_object_new(KS_API_CONTROLLER, "SliceConfig", ns, name);
	char sel[KS_NAME_MAX + 32];
	cJSON *list, *item;
	unsigned int i;

	ctl_selector(sel, sizeof(sel), KS_LABEL_SLICE, name);
	for (i = 0; i < sizeof(slice_derived) / sizeof(slice_derived[0]); i++) {
		list = ctl_store_list(st, slice_derived[i], ns, sel);
		cJSON_ArrayForEach(item, list) {
			ctl_delete_logged(st, slice_derived[i], item, about);
			if (!strcmp(slice_derived[i], KS_RES_WORKER_GATEWAY) &&
			    ks_label(item, KS_LABEL_WORKER_CLUSTER))
				ctl_port_forget(st, ns, ks_label(item, KS_LABEL_WORKER_CLUSTER),
						name);
		}
		cJSON_Delete(list);
	}
	cJSON_Delete(about);
}

/* The members that exist; a missing one is left out (and its objects removed) with a
 * Warning, as a Cluster deleted under its slices is. */
static int members_load(struct ctl_slice *s)
{
	const cJSON *clusters = ks_get(s->sc, "spec.clusters"), *c;
	struct ctl_member *m;

	s->members = calloc((size_t)cJSON_GetArraySize(clusters) + 1, sizeof(*s->members));
	if (!s->members)
		return -ENOMEM;
	cJSON_ArrayForEach(c, clusters) {
		if (!cJSON_IsString(c))
			continue;
		m = &s->members[s->n_members];
		m->cluster = ctl_store_get(s->st, KS_RES_CLUSTER, s->ns, c->valuestring);
		if (!m->cluster) {
			ctl_event_record(s->st, s->sc, "Warning", "ClusterNotFound",
					 "Cluster %s of slice %s is not registered; left out",
					 c->valuestring, s->name);
			continue;
		}
		m->name = c->valuestring;
		m->octet = -1;
		s->n_members++;
	}
	return 0;
}

static void slice_free(struct ctl_slice *s)
{
	int i;

	for (i = 0; i < s->n_members; i++)
		cJSON_Delete(s->members[i].cluster);
	free(s->members);
	cJSON_Delete(s->gateways);
	cJSON_Delete(s->sc);
}

static int slice_load(struct ctl_slice *s)
{
	long max = KS_MAX_CLUSTERS_DEFAULT;

	s->no_network = !strcmp(ks_get_str0(s->sc, "spec.overlayNetworkDeploymentMode"),
				"no-network");
	if (!s->no_network &&
	    (ks_prefix_parse(ks_get_str(s->sc, "spec.sliceSubnet"), &s->subnet) ||
	     s->subnet.len != 16)) {
		ctl_event_record(s->st, s->sc, "Warning", "InvalidSliceSubnet",
				 "spec.sliceSubnet %s is not a /16",
				 ks_get_str0(s->sc, "spec.sliceSubnet"));
		return -EINVAL;
	}
	if (ks_get(s->sc, "spec.maxClusters") && !ks_get_int(s->sc, "spec.maxClusters", &max))
		max = 0;
	if (max < KS_MAX_CLUSTERS_MIN || max > KS_MAX_CLUSTERS_MAX) {
		ctl_event_record(s->st, s->sc, "Warning", "InvalidMaxClusters",
				 "spec.maxClusters must be %d..%d", KS_MAX_CLUSTERS_MIN,
				 KS_MAX_CLUSTERS_MAX);
		return -EINVAL;
	}
	s->max_clusters = (int)max;
	return members_load(s);
}

void ctl_slice_reconcile(struct ctl_store *st, const char *ns, const char *name)
{
	struct ctl_slice s = { .st = st, .ns = ns, .name = name, .now = time(NULL) };

	s.sc = ctl_store_get(st, KS_RES_SLICE, ns, name);
	if (!s.sc || ks_get(s.sc, "metadata.deletionTimestamp")) {
		slice_teardown(st, ns, name);
		cJSON_Delete(s.sc);
		return;
	}
	/* every step runs on what the previous one left, so stop at the first failure; a
	 * no-network slice is only its WorkerSliceConfigs, as in KubeSlice */
	if (!slice_load(&s) && !ctl_worker_slices_reconcile(&s) && !s.no_network &&
	    !ctl_gateways_reconcile(&s) && !ctl_certs_reconcile(&s))
		ctl_imports_reconcile(&s);
	slice_free(&s);
}

void ctl_slices_reconcile_matching(struct ctl_store *st, const char *ns, const char *field,
				   const char *value)
{
	cJSON *list = ctl_store_list(st, KS_RES_SLICE, ns, NULL), *sc, *f;
	char path[64];

	snprintf(path, sizeof(path), "spec.%s", field);
	cJSON_ArrayForEach(sc, list) {
		f = ks_get(sc, path);
		if ((cJSON_IsString(f) && !strcmp(f->valuestring, value)) ||
		    ks_array_has_str(f, value))
			ctl_slice_reconcile(st, ns, ks_name(sc));
	}
	cJSON_Delete(list);
}

/* The QoS profile: the named SliceQoSConfig's spec or the inline one; NULL if neither. */
static cJSON *qos_resolve(struct ctl_slice *s)
{
	const char *profile = ks_get_str(s->sc, "spec.standardQosProfileName");
	static const char *const fields[] = {
		"queueType", "priority", "tcType", "bandwidthCeilingKbps",
		"bandwidthGuaranteedKbps", "dscpClass",
	};
	cJSON *qos, *src, *out;
	unsigned int i;

	if (!profile)
		return cJSON_Duplicate(ks_get(s->sc, "spec.qosProfileDetails"), true);
	qos = ctl_store_get(s->st, KS_RES_QOS, s->ns, profile);
	if (!qos) {
		ctl_event_record(s->st, s->sc, "Warning", "QoSProfileNotFound",
				 "SliceQoSConfig %s not found; slice has no QoS profile", profile);
		return NULL;
	}
	src = ks_get(qos, "spec");
	out = cJSON_CreateObject();
	for (i = 0; out && i < sizeof(fields) / sizeof(fields[0]); i++)
		if (ks_get(src, fields[i]))
			ks_set(out, fields[i], cJSON_Duplicate(ks_get(src, fields[i]), true));
	cJSON_Delete(qos);
	return out;
}

/* namespaceIsolationProfile for one cluster: the namespaces that name it or "*". */
static cJSON *isolation_for(const cJSON *profile, const char *cluster)
{
	static const char *const lists[] = { "applicationNamespaces", "allowedNamespaces" };
	cJSON *out = cJSON_CreateObject(), *arr;
	const cJSON *sel, *clusters;
	unsigned int i;

	if (!out)
		return NULL;
	cJSON_AddBoolToObject(out, "isolationEnabled",
			      cJSON_IsTrue(ks_get(profile, "isolationEnabled")));
	for (i = 0; i < 2; i++) {
		arr = cJSON_AddArrayToObject(out, lists[i]);
		cJSON_ArrayForEach(sel, ks_get(profile, lists[i])) {
			clusters = ks_get(sel, "clusters");
			if (ks_get_str(sel, "namespace") && !ks_array_has_str(arr,
					ks_get_str(sel, "namespace")) &&
			    (ks_array_has_str(clusters, "*") || ks_array_has_str(clusters, cluster)))
				cJSON_AddItemToArray(arr,
					cJSON_CreateString(ks_get_str(sel, "namespace")));
		}
	}
	return out;
}

/* externalGatewayConfig for one cluster: the entry naming it, else one for "*". */
static cJSON *external_gateway_for(const cJSON *configs, const char *cluster)
{
	const cJSON *cfg, *any = NULL, *found = NULL;
	cJSON *out;

	cJSON_ArrayForEach(cfg, configs) {
		if (ks_array_has_str(ks_get(cfg, "clusters"), cluster)) {
			found = cfg;
			break;
		}
		if (!any && ks_array_has_str(ks_get(cfg, "clusters"), "*"))
			any = cfg;
	}
	found = found ? found : any;
	out = found ? cJSON_Duplicate(found, true) : cJSON_CreateObject();
	cJSON_DeleteItemFromObjectCaseSensitive(out, "clusters");
	return out;
}

const cJSON *ctl_gateway_service_for(const cJSON *sc, const char *cluster)
{
	const cJSON *e, *any = NULL;

	cJSON_ArrayForEach(e, ks_get(sc, "spec.sliceGatewayProvider.sliceGatewayServiceType")) {
		if (!strcmp(ks_get_str0(e, "cluster"), cluster))
			return e;
		if (!any && !strcmp(ks_get_str0(e, "cluster"), "*"))
			any = e;
	}
	return any;
}

static bool set_str_default(cJSON *obj, const char *key, const char *val, const char *def)
{
	return ks_set_str(obj, key, val ? val : def);
}

/* The slice's gateway liveness settings, for sliced to program its peers with. */
static bool liveness_copy(cJSON *out, const cJSON *provider)
{
	const cJSON *l = ks_get(provider, "liveness");

	return !l || ks_set(out, "liveness", cJSON_Duplicate(l, true));
}

static cJSON *provider_for(const cJSON *sc, const char *cluster)
{
	const cJSON *svc = ctl_gateway_service_for(sc, cluster);
	const cJSON *p = ks_get(sc, "spec.sliceGatewayProvider");
	cJSON *out = cJSON_CreateObject();

	if (out && ks_get_str(p, "sliceGatewayType") &&
	    !ks_set_str(out, "sliceGatewayType", ks_get_str(p, "sliceGatewayType")))
		goto err;
	if (!set_str_default(out, "sliceCaType", ks_get_str(p, "sliceCaType"), "Local") ||
	    !set_str_default(out, "sliceGatewayServiceType", ks_get_str(svc, "type"),
			     "NodePort") ||
	    !set_str_default(out, "sliceGatewayProtocol", ks_get_str(svc, "protocol"), "UDP") ||
	    !liveness_copy(out, p))
		goto err;
	return out;
err:
	cJSON_Delete(out);
	return NULL;
}

/* The SliceConfig's own labels, then KubeSlice's: derived-object labels and the name of
 * the SliceQoSConfig in use ("" for an inline profile). */
static bool worker_slice_labels(struct ctl_slice *s, const struct ctl_member *m, cJSON *obj)
{
	const cJSON *label;

	cJSON_ArrayForEach(label, ks_get(s->sc, "metadata.labels"))
		if (cJSON_IsString(label) && !ks_set_label(obj, label->string, label->valuestring))
			return false;
	return ctl_label_derived(obj, s->ns, s->name, m->name) &&
	       ks_set_label(obj, KS_LABEL_QOS_PROFILE,
			    ks_get_str0(s->sc, "spec.standardQosProfileName"));
}

/* What only a slice with a network has: its subnet, this member's block of it, QoS. */
static bool worker_slice_network(struct ctl_slice *s, const struct ctl_member *m, cJSON *out,
				 const cJSON *qos)
{
	char cidr[KS_PREFIX_STRLEN];

	if (s->no_network)
		return true;
	ks_prefix_format(&m->subnet, cidr);
	return ks_set_str(out, "sliceSubnet", ks_get_str(ks_get(s->sc, "spec"), "sliceSubnet")) &&
	       ks_set_int(out, "octet", m->octet) && ks_set_str(out, "clusterSubnetCIDR", cidr) &&
	       ks_set_int(out, "maxClusters", s->max_clusters) &&
	       (!qos || ks_set(out, "qosProfileDetails", cJSON_Duplicate(qos, true)));
}

static cJSON *worker_slice_build(struct ctl_slice *s, const struct ctl_member *m,
				 const cJSON *qos)
{
	const cJSON *spec = ks_get(s->sc, "spec");
	char name[2 * KS_NAME_MAX + 2];
	cJSON *obj, *out;
	bool ok;

	snprintf(name, sizeof(name), "%s-%s", s->name, m->name);
	obj = ks_object_new(KS_API_WORKER, "WorkerSliceConfig", s->ns, name);
	out = ks_ensure(obj, "spec");
	ok = out && worker_slice_labels(s, m, obj) && ks_set_str(out, "sliceName", s->name) &&
	     worker_slice_network(s, m, out, qos) &&
	     set_str_default(out, "sliceType", ks_get_str(spec, "sliceType"), "Application") &&
	     set_str_default(out, "sliceIpamType", ks_get_str(spec, "sliceIpamType"), "Local") &&
	     set_str_default(out, "overlayNetworkDeploymentMode",
			     ks_get_str(spec, "overlayNetworkDeploymentMode"), "single-network") &&
	     ks_set(out, "sliceGatewayProvider", provider_for(s->sc, m->name)) &&
	     ks_set(out, "namespaceIsolationProfile",
		    isolation_for(ks_get(spec, "namespaceIsolationProfile"), m->name)) &&
	     ks_set(out, "externalGatewayConfig",
		    external_gateway_for(ks_get(spec, "externalGatewayConfig"), m->name));
	if (ok && ks_get(spec, "vpnConfig"))
		ok = ks_set(out, "vpnConfig", cJSON_Duplicate(ks_get(spec, "vpnConfig"), true));
	if (!ok) {
		cJSON_Delete(obj);
		return NULL;
	}
	return obj;
}

static struct ctl_member *member_find(struct ctl_slice *s, const char *name)
{
	int i;

	for (i = 0; name && i < s->n_members; i++)
		if (!strcmp(s->members[i].name, name))
			return &s->members[i];
	return NULL;
}

/*
 * Octets: a member keeps the octet of its existing WorkerSliceConfig, a new member takes the
 * lowest free one (KubeSlice's rule), so members joining or leaving never renumber others.
 */
static int octets_assign(struct ctl_slice *s, const cJSON *existing)
{
	bool used[KS_MAX_CLUSTERS_MAX] = { false };
	struct ctl_member *m;
	const cJSON *wsc;
	int i, next = 0;
	long octet;

	cJSON_ArrayForEach(wsc, existing) {
		m = member_find(s, ks_label(wsc, KS_LABEL_WORKER_CLUSTER));
		if (m && m->octet < 0 && ks_get_int(wsc, "spec.octet", &octet) && octet >= 0 &&
		    octet < s->max_clusters && !used[octet]) {
			m->octet = (int)octet;
			used[octet] = true;
		}
	}
	for (i = 0; i < s->n_members; i++) {
		m = &s->members[i];
		if (m->octet >= 0)
			continue;
		while (next < s->max_clusters && used[next])
			next++;
		if (next == s->max_clusters) {
			ctl_event_record(s->st, s->sc, "Warning", "SliceFull",
					 "Slice %s has more clusters than maxClusters %d", s->name,
					 s->max_clusters);
			return -ENOSPC;
		}
		m->octet = next;
		used[next] = true;
	}
	for (i = 0; i < s->n_members; i++)
		ks_cluster_subnet(&s->subnet, s->max_clusters, s->members[i].octet,
				  &s->members[i].subnet);
	return 0;
}

int ctl_worker_slices_reconcile(struct ctl_slice *s)
{
	char sel[KS_NAME_MAX + 32], name[2 * KS_NAME_MAX + 2];
	cJSON *existing, *wsc, *desired, *qos;
	int i, err = 0;

	existing = ctl_store_list(s->st, KS_RES_WORKER_SLICE, s->ns,
				  ctl_selector(sel, sizeof(sel), KS_LABEL_SLICE, s->name));
	cJSON_ArrayForEach(wsc, existing)
		if (!member_find(s, ks_label(wsc, KS_LABEL_WORKER_CLUSTER)))
			ctl_delete_logged(s->st, KS_RES_WORKER_SLICE, wsc, s->sc);
	err = s->no_network ? 0 : octets_assign(s, existing);
	qos = err || s->no_network ? NULL : qos_resolve(s);
	for (i = 0; !err && i < s->n_members; i++) {
		desired = worker_slice_build(s, &s->members[i], qos);
		if (!desired) {
			err = -ENOMEM;
			break;
		}
		snprintf(name, sizeof(name), "%s-%s", s->name, s->members[i].name);
		err = ctl_apply_logged(s->st, KS_RES_WORKER_SLICE, desired,
				       ctl_find_named(existing, name), s->sc);
		err = err < 0 ? err : 0;
		cJSON_Delete(desired);
	}
	cJSON_Delete(qos);
	cJSON_Delete(existing);
	return err;
}
