// SPDX-License-Identifier: GPL-2.0
/*
 * SliceConfig admission, KubeSlice's rules: members registered and unique, subnet clear
 * of their CNI subnets, gateway provider, QoS, external gateways and namespace isolation
 * checked, and what a slice is built on (subnet, types, gateway protocol, overlay mode)
 * fixed once it exists. A no-network slice has no subnet, gateways or QoS to check.
 */
#include <stdio.h>
#include <string.h>

#include "api/gateways.h"
#include "api/json.h"
#include "api/kubeslice.h"
#include "api/qos.h"
#include "api/subnet.h"
#include "controller/client.h"
#include "controller/validate.h"

#define NO_NETWORK	"no-network"
#define ISOLATION	"spec.namespaceIsolationProfile"
#define SVC_TYPES	"spec.sliceGatewayProvider.sliceGatewayServiceType"

/* A string field, or the default KubeSlice's schema gives it. */
static const char *str_or(const cJSON *obj, const char *path, const char *def)
{
	const char *v = ks_get_str(obj, path);

	return v ? v : def;
}

static bool is_no_network(const cJSON *sc)
{
	return !strcmp(str_or(sc, "spec.overlayNetworkDeploymentMode", ""), NO_NETWORK);
}

static bool is_member(const struct ctl_check *c, const char *cluster)
{
	return ks_array_has_str(ks_get(c->obj, "spec.clusters"), cluster);
}

/* Whether the i-th string of arr appears before it. */
static bool seen_before(const cJSON *arr, const cJSON *item)
{
	const cJSON *prev;

	for (prev = arr->child; prev && prev != item; prev = prev->next)
		if (cJSON_IsString(prev) && cJSON_IsString(item) &&
		    !strcmp(prev->valuestring, item->valuestring))
			return true;
	return false;
}

/* Registration that has failed or is being undone (KubeSlice wants "Registered"). */
static bool registration_broken(const cJSON *cluster)
{
	static const char *const broken[] = {
		"Failed", "DeregisterInProgress", "DeregisterFailed", "Deregistered", NULL
	};
	const char *st = ks_get_str(cluster, "status.registrationStatus");
	int i;

	for (i = 0; st && broken[i]; i++)
		if (!strcmp(st, broken[i]))
			return true;
	return false;
}

static void check_member(struct ctl_check *c, const cJSON *name, const char *field,
			 const struct ks_prefix *subnet)
{
	bool added = !c->old || !ks_array_has_str(ks_get(c->old, "spec.clusters"),
						   name->valuestring);
	cJSON *cluster = ctl_check_cluster_get(c, name->valuestring);
	struct ks_prefix p;
	const cJSON *cni;

	if (!cluster) {
		ctl_cause(c, field, CAUSE_NOT_FOUND, "%s: cluster is not registered (no Cluster "
			  "in namespace %s); register it first", name->valuestring,
			  ks_namespace(c->obj) ?: "");
		return;
	}
	if (added && registration_broken(cluster))
		ctl_cause(c, field, CAUSE_INVALID, "%s: cluster registration is %s",
			  name->valuestring, ks_get_str(cluster, "status.registrationStatus"));
	cJSON_ArrayForEach(cni, ks_get(cluster, "status.cniSubnet"))
		if (subnet && cJSON_IsString(cni) && !ks_prefix_parse(cni->valuestring, &p) &&
		    ks_prefix_overlaps(subnet, &p))
			ctl_cause(c, "spec.sliceSubnet", CAUSE_INVALID,
				  "overlaps CNI subnet %s of cluster %s; pick another /16",
				  cni->valuestring, name->valuestring);
	cJSON_Delete(cluster);
}

/* spec.clusters: unique, registered, within maxClusters, their CNI subnets clear. */
static void check_clusters(struct ctl_check *c, const struct ks_prefix *subnet, long max)
{
	const cJSON *clusters = ks_get(c->obj, "spec.clusters"), *name;
	char f[64];
	int i = 0;

	if (clusters && !cJSON_IsArray(clusters)) {
		ctl_cause(c, "spec.clusters", CAUSE_INVALID, "must be a list of cluster names");
		return;
	}
	if (cJSON_GetArraySize(clusters) > max)
		ctl_cause(c, "spec.clusters", CAUSE_INVALID,
			  "%d clusters exceed maxClusters %ld", cJSON_GetArraySize(clusters), max);
	cJSON_ArrayForEach(name, clusters) {
		snprintf(f, sizeof(f), "spec.clusters[%d]", i++);
		if (!cJSON_IsString(name) || !ks_dns1123_label(name->valuestring))
			ctl_cause(c, f, CAUSE_INVALID, "must be a cluster name");
		else if (seen_before(clusters, name))
			ctl_cause(c, f, CAUSE_DUPLICATE, "%s: listed twice", name->valuestring);
		else
			check_member(c, name, f, subnet);
	}
}

static void check_subnet(struct ctl_check *c, struct ks_prefix *subnet, bool *ok)
{
	const char *s = ctl_need_str(c, c->obj, "spec.sliceSubnet", "spec.sliceSubnet");

	*ok = false;
	if (!s)
		return;
	if (ks_prefix_parse(s, subnet) || subnet->len != 16 || !ks_prefix_is_private(subnet))
		ctl_cause(c, "spec.sliceSubnet", CAUSE_INVALID,
			  "%s: must be a private /16 with its last two octets 0 (in 10.0.0.0/8, "
			  "172.16.0.0/12 or 192.168.0.0/16), e.g. 10.1.0.0/16", s);
	else
		*ok = true;
}

static void check_slice_qos(struct ctl_check *c)
{
	static const char *const queues[] = { KS_QOS_QUEUE_HTB, "PFIFO", NULL };
	const char *profile = ks_get_str(c->obj, "spec.standardQosProfileName");
	const cJSON *inline_qos = ks_get(c->obj, "spec.qosProfileDetails");
	cJSON *qos;

	if (profile && *profile && inline_qos) {
		ctl_cause(c, "spec.qosProfileDetails", CAUSE_FORBIDDEN,
			  "give either standardQosProfileName or qosProfileDetails, not both");
	} else if (profile && *profile) {
		qos = ctl_store_get(c->st, KS_RES_QOS, ks_namespace(c->obj), profile);
		if (!qos)
			ctl_cause(c, "spec.standardQosProfileName", CAUSE_NOT_FOUND,
				  "%s: no such SliceQoSConfig; create it first", profile);
		cJSON_Delete(qos);
	} else if (inline_qos) {
		ctl_check_qos(c, inline_qos, "spec.qosProfileDetails", queues);
	} else {
		ctl_cause(c, "spec.standardQosProfileName", CAUSE_REQUIRED,
			  "give standardQosProfileName or qosProfileDetails");
	}
}

/* Gateway pairs per cluster pair and how fast a dead one leaves the ECMP set (this
 * project's additions to sliceGatewayProvider). */
static void check_gateway_pairs(struct ctl_check *c)
{
	const cJSON *provider = ks_get(c->obj, "spec.sliceGatewayProvider");
	char why[160];
	long pairs;

	ctl_opt_int(c, provider, "numberOfGateways", "spec.sliceGatewayProvider.numberOfGateways",
		    1, KS_GATEWAY_PAIRS_MAX, &pairs);
	if (ks_liveness_check(provider, why, sizeof(why)))
		ctl_cause(c, "spec.sliceGatewayProvider.liveness", CAUSE_INVALID, "%s", why);
}

static void check_gateway_provider(struct ctl_check *c)
{
	static const char *const gw_types[] = { "OpenVPN", "Wireguard", NULL };
	static const char *const types[] = { "NodePort", "LoadBalancer", NULL };
	static const char *const protos[] = { "UDP", "TCP", NULL };
	const cJSON *svcs = ks_get(c->obj, SVC_TYPES), *svc, *prev;
	const char *cl;
	char f[96];
	int i = 0;

	if (!cJSON_IsObject(ks_get(c->obj, "spec.sliceGatewayProvider"))) {
		ctl_cause(c, "spec.sliceGatewayProvider", CAUSE_REQUIRED,
			  "Required value: give sliceGatewayType and sliceCaType, e.g. "
			  "{sliceGatewayType: OpenVPN, sliceCaType: Local}");
		return;
	}
	ctl_opt_enum(c, c->obj, "spec.sliceGatewayProvider.sliceGatewayType",
		     "spec.sliceGatewayProvider.sliceGatewayType", gw_types);
	check_gateway_pairs(c);
	cJSON_ArrayForEach(svc, svcs) {
		snprintf(f, sizeof(f), SVC_TYPES "[%d].cluster", i);
		cl = ks_get_str(svc, "cluster");
		if (!cl || !*cl)
			ctl_cause(c, f, CAUSE_INVALID, "cluster name can't be empty");
		else if (strcmp(cl, "*") && !is_member(c, cl))
			ctl_cause(c, f, CAUSE_INVALID, "%s is not a member of the slice", cl);
		for (prev = svcs->child; cl && prev != svc; prev = prev->next)
			if (!strcmp(ks_get_str0(prev, "cluster"), cl)) {
				ctl_cause(c, f, CAUSE_DUPLICATE,
					  "%s: duplicate entries for the same cluster are not allowed",
					  cl);
				break;
			}
		snprintf(f, sizeof(f), SVC_TYPES "[%d].type", i);
		ctl_opt_enum(c, svc, "type", f, types);
		snprintf(f, sizeof(f), SVC_TYPES "[%d].protocol", i++);
		ctl_opt_enum(c, svc, "protocol", f, protos);
	}
}

/* Unknown fields in an entry never get here: strict validation refuses them, the other
 * modes drop them (openapi.yaml declares every field). */
static void check_external_gateways(struct ctl_check *c)
{
	const cJSON *configs = ks_get(c->obj, "spec.externalGatewayConfig"), *cfg, *cl;
	cJSON *all = cJSON_CreateArray();
	int i = 0, stars = 0;
	char f[96];

	cJSON_ArrayForEach(cfg, configs) {
		snprintf(f, sizeof(f), "spec.externalGatewayConfig[%d].clusters", i++);
		if (ks_array_has_str(ks_get(cfg, "clusters"), "*")) {
			stars++;
			if (cJSON_GetArraySize(ks_get(cfg, "clusters")) > 1)
				ctl_cause(c, f, CAUSE_INVALID,
					  "other clusters are not allowed when * is present");
		}
		cJSON_ArrayForEach(cl, ks_get(cfg, "clusters")) {
			if (!cJSON_IsString(cl))
				continue;
			if (strcmp(cl->valuestring, "*") && !is_member(c, cl->valuestring))
				ctl_cause(c, f, CAUSE_INVALID, "%s is not a member of the slice",
					  cl->valuestring);
			else if (ks_array_has_str(all, cl->valuestring))
				ctl_cause(c, f, CAUSE_DUPLICATE, "%s: in more than one external "
					  "gateway configuration", cl->valuestring);
			cJSON_AddItemToArray(all, cJSON_CreateString(cl->valuestring));
		}
	}
	if (stars > 1)
		ctl_cause(c, "spec.externalGatewayConfig", CAUSE_INVALID,
			  "* is not allowed in more than one external gateway configuration");
	cJSON_Delete(all);
}

/* KubeSlice's namespace names: letters, digits and '-'. */
static bool namespace_chars_ok(const char *ns)
{
	if (!*ns)
		return false;
	for (; *ns; ns++)
		if (!((*ns >= 'a' && *ns <= 'z') || (*ns >= 'A' && *ns <= 'Z') ||
		      (*ns >= '0' && *ns <= '9') || *ns == '-'))
			return false;
	return true;
}

static bool is_default_slice(const struct ctl_check *c)
{
	const char *ns = ks_namespace(c->obj) ?: "", *name = ks_name(c->obj) ?: "";
	char want[2 * KS_NAME_MAX];

	snprintf(want, sizeof(want), "%s" KS_DEFAULT_SLICE_SUFFIX,
		 !strncmp(ns, KS_PROJECT_NS_PREFIX, strlen(KS_PROJECT_NS_PREFIX)) ?
		 ns + strlen(KS_PROJECT_NS_PREFIX) : ns);
	return !strcmp(name, want);
}

/* An application namespace another slice already holds in cluster (its status says). */
static void check_acquired(struct ctl_check *c, const char *cluster, const char *ns,
			   const char *field)
{
	cJSON *obj = ctl_check_cluster_get(c, cluster);
	const cJSON *entry;
	const char *owner;

	cJSON_ArrayForEach(entry, ks_get(obj, "status.namespaces")) {
		owner = ks_get_str0(entry, "sliceName");
		if (!strcmp(ks_get_str0(entry, "name"), ns) && *owner &&
		    strcmp(owner, ks_name(c->obj) ?: "") && !strstr(owner, KS_DEFAULT_SLICE_SUFFIX))
			ctl_cause(c, field, CAUSE_INVALID, "namespace %s in cluster %s is "
				  "already acquired by slice %s", ns, cluster, owner);
	}
	cJSON_Delete(obj);
}

/* One namespaceIsolationProfile list ("applicationNamespaces" or "allowedNamespaces"). */
static void check_namespace_list(struct ctl_check *c, const char *list, bool application)
{
	const cJSON *sels = ks_get(ks_get(c->obj, ISOLATION), list), *sel, *prev, *cl;
	const cJSON *clusters;
	const char *ns;
	char f[128];
	int i = 0;

	cJSON_ArrayForEach(sel, sels) {
		ns = ks_get_str0(sel, "namespace");
		clusters = ks_get(sel, "clusters");
		snprintf(f, sizeof(f), ISOLATION ".%s[%d].namespace", list, i);
		if (!*ns) {
			ctl_cause(c, f, CAUSE_REQUIRED, "Required value");
		} else if (!namespace_chars_ok(ns)) {
			ctl_cause(c, f, CAUSE_INVALID,
				  "%s: namespaces cannot contain special characters", ns);
		} else {
			for (prev = sels->child; prev != sel; prev = prev->next)
				if (!strcmp(ks_get_str0(prev, "namespace"), ns))
					break;
			if (prev != sel)
				ctl_cause(c, f, CAUSE_DUPLICATE, "%s: listed twice", ns);
		}
		snprintf(f, sizeof(f), ISOLATION ".%s[%d].clusters", list, i++);
		if (!cJSON_GetArraySize(clusters))
			ctl_cause(c, f, CAUSE_REQUIRED, "Required value: clusters, or [\"*\"]");
		if (ks_array_has_str(clusters, "*") && cJSON_GetArraySize(clusters) > 1)
			ctl_cause(c, f, CAUSE_INVALID,
				  "other clusters are not allowed when * is present");
		if (application && ks_array_has_str(clusters, "*") && is_default_slice(c))
			ctl_cause(c, f, CAUSE_INVALID,
				  "namespace sameness (*) is not allowed in the default slice");
		cJSON_ArrayForEach(cl, clusters) {
			if (!cJSON_IsString(cl))
				continue;
			if (seen_before(clusters, cl))
				ctl_cause(c, f, CAUSE_DUPLICATE, "%s: listed twice", cl->valuestring);
			else if (strcmp(cl->valuestring, "*") && !is_member(c, cl->valuestring))
				ctl_cause(c, f, CAUSE_INVALID, "%s is not a member of the slice",
					  cl->valuestring);
		}
		if (!application || !*ns)
			continue;
		if (ks_array_has_str(clusters, "*"))
			cJSON_ArrayForEach(cl, ks_get(c->obj, "spec.clusters"))
				if (cJSON_IsString(cl))
					check_acquired(c, cl->valuestring, ns, f);
		cJSON_ArrayForEach(cl, clusters)
			if (cJSON_IsString(cl) && strcmp(cl->valuestring, "*") &&
			    is_member(c, cl->valuestring))
				check_acquired(c, cl->valuestring, ns, f);
	}
}

static void immutable(struct ctl_check *c, const char *path, const char *def)
{
	const char *was = str_or(c->old, path, def), *now = str_or(c->obj, path, def);

	if (strcmp(was, now))
		ctl_cause(c, path, CAUSE_FORBIDDEN,
			  "is immutable (\"%s\"); create a new slice to change it", was);
}

/* The gateway service type of a cluster may go from NodePort to another, its protocol
 * never changes (KubeSlice's preventUpdate). */
static void check_gateway_services_update(struct ctl_check *c)
{
	const cJSON *svc, *old;
	const char *cl;
	char f[96];
	int i = 0;

	cJSON_ArrayForEach(svc, ks_get(c->obj, SVC_TYPES)) {
		cl = ks_get_str0(svc, "cluster");
		snprintf(f, sizeof(f), SVC_TYPES "[%d]", i++);
		old = NULL;
		cJSON_ArrayForEach(old, ks_get(c->old, SVC_TYPES))
			if (!strcmp(ks_get_str0(old, "cluster"), cl))
				break;
		if (old && strcmp(str_or(old, "type", "NodePort"), "NodePort") &&
		    strcmp(str_or(old, "type", "NodePort"), str_or(svc, "type", "NodePort")))
			ctl_cause(c, f, CAUSE_FORBIDDEN, "updating gateway service type is not "
				  "allowed");
		if ((old && strcmp(str_or(old, "protocol", "UDP"), str_or(svc, "protocol", "UDP"))) ||
		    (!old && ks_array_has_str(ks_get(c->old, "spec.clusters"), cl) &&
		     strcmp(str_or(svc, "protocol", "UDP"), "UDP")))
			ctl_cause(c, f, CAUSE_FORBIDDEN, "updating gateway protocol is not allowed");
	}
}

static void check_update(struct ctl_check *c, long max)
{
	const char *was = str_or(c->old, "spec.overlayNetworkDeploymentMode", "single-network");
	const char *now = str_or(c->obj, "spec.overlayNetworkDeploymentMode", "single-network");
	long old_max = KS_MAX_CLUSTERS_DEFAULT;

	if (strcmp(was, now)) {
		/* a no-network slice may gain a network, nothing else changes mode */
		if (strcmp(was, NO_NETWORK))
			ctl_cause(c, "spec.overlayNetworkDeploymentMode", CAUSE_FORBIDDEN,
				  "a slice cannot go from %s to %s", was, now);
		return;
	}
	immutable(c, "spec.sliceSubnet", "");
	immutable(c, "spec.sliceType", "Application");
	immutable(c, "spec.sliceIpamType", "Local");
	if (ks_get(c->old, "spec.sliceGatewayProvider") && ks_get(c->obj, "spec.sliceGatewayProvider")) {
		immutable(c, "spec.sliceGatewayProvider.sliceGatewayType", "OpenVPN");
		immutable(c, "spec.sliceGatewayProvider.sliceCaType", "Local");
	}
	if (ks_get(c->old, "spec.vpnConfig"))
		immutable(c, "spec.vpnConfig.cipher", "AES-256-CBC");
	check_gateway_services_update(c);
	if (is_no_network(c->obj))
		return;
	ks_get_int(c->old, "spec.maxClusters", &old_max);
	if (old_max != max)
		ctl_cause(c, "spec.maxClusters", CAUSE_FORBIDDEN,
			  "is immutable (%ld); create a new slice to change it", old_max);
}

void ctl_check_slice(struct ctl_check *c)
{
	static const char *const modes[] = {
		"single-network", "multi-network", NO_NETWORK, NULL
	};
	static const char *const ciphers[] = {
		"AES-256-CBC", "AES-128-CBC", "AES-256-GCM", "ChaCha20-Poly1305", NULL
	};
	long max = KS_MAX_CLUSTERS_DEFAULT, days = KS_ROTATION_DAYS_DEFAULT;
	bool nonet = is_no_network(c->obj), subnet_ok = false;
	struct ks_prefix subnet;

	ctl_check_name(c, true);
	if (!cJSON_IsObject(ks_get(c->obj, "spec"))) {
		ctl_cause(c, "spec", CAUSE_REQUIRED, "Required value");
		return;
	}
	ctl_check_project_namespace(c, "SliceConfig");
	ctl_opt_enum(c, c->obj, "spec.overlayNetworkDeploymentMode",
		     "spec.overlayNetworkDeploymentMode", modes);
	ctl_opt_int(c, c->obj, "spec.maxClusters", "spec.maxClusters", KS_MAX_CLUSTERS_MIN,
		    KS_MAX_CLUSTERS_MAX, &max);
	if (!nonet)
		check_subnet(c, &subnet, &subnet_ok);
	check_clusters(c, subnet_ok ? &subnet : NULL, max);
	check_namespace_list(c, "applicationNamespaces", true);
	check_namespace_list(c, "allowedNamespaces", false);
	if (!nonet) {
		check_gateway_provider(c);
		check_slice_qos(c);
		check_external_gateways(c);
	}
	if (c->old)
		check_update(c, max);
	ctl_opt_int(c, c->obj, "spec.rotationInterval", "spec.rotationInterval",
		    KS_ROTATION_DAYS_MIN, KS_ROTATION_DAYS_MAX, &days);
	if (ks_get(c->obj, "spec.renewBefore") &&
	    ks_time_parse(ks_get_str(c->obj, "spec.renewBefore")) < 0)
		ctl_cause(c, "spec.renewBefore", CAUSE_INVALID,
			  "must be an RFC 3339 time such as 2025-01-31T12:00:00Z");
	ctl_opt_enum(c, c->obj, "spec.vpnConfig.cipher", "spec.vpnConfig.cipher", ciphers);
}
