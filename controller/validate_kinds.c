// SPDX-License-Identifier: GPL-2.0
/*
 * Admission of the kinds other than SliceConfig, KubeSlice's rules: Projects only in
 * kubeslice-controller with short names and valid service-account names; Clusters,
 * SliceQoSConfigs and ServiceExportConfigs only in project namespaces; a cluster's node
 * IPs and coordinates checked; exports and their endpoints only from member clusters; a
 * VpnKeyRotation named after its slice; a WorkerSliceConfig's octet and a
 * WorkerSliceGateway's number fixed once given.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/json.h"
#include "api/kubeslice.h"
#include "api/qos.h"
#include "api/subnet.h"
#include "controller/client.h"
#include "controller/validate.h"

/* KubeSlice's longest project name, so that derived names stay within limits. */
#define KS_PROJECT_NAME_MAX	30

/* KubeSlice's service-account name rule: 2..64 characters of letters, digits, '-' and
 * '.', a letter or digit at both ends. */
static bool sa_name_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 2 || n > 64)
		return false;
	for (i = 0; i < n; i++) {
		char ch = s[i];
		bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			     (ch >= '0' && ch <= '9');

		if (!alnum && (i == 0 || i == n - 1 || (ch != '-' && ch != '.')))
			return false;
	}
	return true;
}

void ctl_check_project(struct ctl_check *c)
{
	static const char *const lists[] = { "readOnly", "readWrite" };
	const char *name = ks_name(c->obj), *ns = ks_namespace(c->obj);
	const cJSON *sa;
	char f[64];
	int i, j;

	ctl_check_name(c, true);
	if (!c->old && strcmp(ns ?: "", KS_CONTROLLER_NAMESPACE))
		ctl_cause(c, "metadata.namespace", CAUSE_INVALID,
			  "%s: a Project must be applied in namespace " KS_CONTROLLER_NAMESPACE,
			  ns ?: "");
	if (name && strlen(name) > KS_PROJECT_NAME_MAX)
		ctl_cause(c, "metadata.name", CAUSE_INVALID,
			  "%s: cannot contain more than %d characters", name, KS_PROJECT_NAME_MAX);
	for (i = 0; i < 2; i++) {
		j = 0;
		cJSON_ArrayForEach(sa, ks_get(ks_get(c->obj, "spec.serviceAccount"), lists[i])) {
			snprintf(f, sizeof(f), "spec.serviceAccount.%s[%d]", lists[i], j++);
			if (!cJSON_IsString(sa) || !sa_name_ok(sa->valuestring))
				ctl_cause(c, f, CAUSE_INVALID, "%s: is not a valid service account "
					  "name (2-64 letters, digits, '-' or '.')",
					  cJSON_IsString(sa) ? sa->valuestring : "non-string");
		}
	}
}

/* A decimal degree within -limit..limit. */
static bool degrees_ok(const char *s, double limit)
{
	char *end;
	double v;

	if (!s || !*s)
		return false;
	v = strtod(s, &end);
	return !*end && v >= -limit && v <= limit;
}

void ctl_check_cluster(struct ctl_check *c)
{
	const char *lat = ks_get_str(c->obj, "spec.clusterProperty.geoLocation.latitude");
	const char *lon = ks_get_str(c->obj, "spec.clusterProperty.geoLocation.longitude");
	unsigned char addr[16];
	const cJSON *ip;
	char f[64];
	int i = 0;

	ctl_check_name(c, true);
	if (!c->old)
		ctl_check_project_namespace(c, "Cluster");
	if (((lat && *lat) || (lon && *lon)) && (!degrees_ok(lat, 90) || !degrees_ok(lon, 180)))
		ctl_cause(c, "spec.clusterProperty.geoLocation", CAUSE_INVALID,
			  "%s, %s: latitude must be a number in -90..90 and longitude in "
			  "-180..180", lat ?: "", lon ?: "");
	cJSON_ArrayForEach(ip, ks_get(c->obj, "spec.nodeIPs")) {
		snprintf(f, sizeof(f), "spec.nodeIPs[%d]", i++);
		if (!cJSON_IsString(ip) || (inet_pton(AF_INET, ip->valuestring, addr) != 1 &&
					    inet_pton(AF_INET6, ip->valuestring, addr) != 1))
			ctl_cause(c, f, CAUSE_INVALID, "must be a valid IP address, "
				  "(e.g. 10.9.8.7 or 2001:db8::ffff)");
	}
	i = 0;
	cJSON_ArrayForEach(ip, ks_get(c->obj, "status.cniSubnet")) {
		struct ks_prefix p;

		snprintf(f, sizeof(f), "status.cniSubnet[%d]", i++);
		if (!cJSON_IsString(ip) || ks_prefix_parse(ip->valuestring, &p))
			ctl_cause(c, f, CAUSE_INVALID,
				  "must be an IPv4 prefix such as 10.244.0.0/16");
	}
}

void ctl_check_qos_config(struct ctl_check *c)
{
	static const char *const queues[] = { KS_QOS_QUEUE_HTB, NULL };

	ctl_check_name(c, false);
	if (!c->old)
		ctl_check_project_namespace(c, "SliceQoSConfig");
	ctl_check_qos(c, ks_get(c->obj, "spec"), "spec", queues);
}

/* A cluster that exists and is a member of sc; field names it in the causes. */
static void check_member_cluster(struct ctl_check *c, const cJSON *sc, const char *cluster,
				 const char *field)
{
	cJSON *obj = ctl_check_cluster_get(c, cluster);

	if (!obj)
		ctl_cause(c, field, CAUSE_INVALID, "%s: cluster is not registered", cluster);
	else if (!ks_array_has_str(ks_get(sc, "spec.clusters"), cluster))
		ctl_cause(c, field, CAUSE_INVALID, "%s is not a member of slice %s", cluster,
			  ks_name(sc));
	cJSON_Delete(obj);
}

void ctl_check_export(struct ctl_check *c)
{
	const char *slice, *source, *cl;
	const cJSON *ep;
	cJSON *sc;
	char f[96];
	int i = 0;

	ctl_check_name(c, false);
	if (!c->old)
		ctl_check_project_namespace(c, "ServiceExportConfig");
	ctl_need_str(c, c->obj, "spec.serviceName", "spec.serviceName");
	ctl_need_str(c, c->obj, "spec.serviceNamespace", "spec.serviceNamespace");
	slice = ctl_need_str(c, c->obj, "spec.sliceName", "spec.sliceName");
	source = ctl_need_str(c, c->obj, "spec.sourceCluster", "spec.sourceCluster");
	if (!slice)
		return;
	sc = ctl_store_get(c->st, KS_RES_SLICE, ks_namespace(c->obj), slice);
	if (!sc) {
		ctl_cause(c, "spec.sliceName", CAUSE_NOT_FOUND, "%s: no such SliceConfig", slice);
		return;
	}
	if (source)
		check_member_cluster(c, sc, source, "spec.sourceCluster");
	cJSON_ArrayForEach(ep, ks_get(c->obj, "spec.serviceDiscoveryEndpoints")) {
		snprintf(f, sizeof(f), "spec.serviceDiscoveryEndpoints[%d].cluster", i++);
		cl = ks_get_str(ep, "cluster");
		if (cl && *cl)
			check_member_cluster(c, sc, cl, f);
	}
	cJSON_Delete(sc);
}

void ctl_check_rotation(struct ctl_check *c)
{
	long days = KS_ROTATION_DAYS_DEFAULT;
	const char *slice;
	cJSON *sc;

	ctl_check_name(c, false);
	slice = ctl_need_str(c, c->obj, "spec.sliceName", "spec.sliceName");
	ctl_opt_int(c, c->obj, "spec.rotationInterval", "spec.rotationInterval",
		    KS_ROTATION_DAYS_MIN, KS_ROTATION_DAYS_MAX, &days);
	if (!slice)
		return;
	if (strcmp(slice, ks_name(c->obj) ?: ""))
		ctl_cause(c, "metadata.name", CAUSE_INVALID,
			  "%s: a VpnKeyRotation must be named after its slice (%s)",
			  ks_name(c->obj) ?: "", slice);
	sc = ctl_store_get(c->st, KS_RES_SLICE, ks_namespace(c->obj), slice);
	if (!sc)
		ctl_cause(c, "spec.sliceName", CAUSE_NOT_FOUND, "%s: no such SliceConfig", slice);
	cJSON_Delete(sc);
}

/* An integer the reconciler set that nobody may change afterwards. */
static void fixed_int(struct ctl_check *c, const char *path)
{
	long was, now = -1;

	if (c->old && ks_get_int(c->old, path, &was) &&
	    (!ks_get_int(c->obj, path, &now) || now != was))
		ctl_cause(c, path, CAUSE_INVALID, "%ld: cannot be updated", now);
}

void ctl_check_worker(struct ctl_check *c, const char *resource)
{
	ctl_check_name(c, false);
	if (!strcmp(resource, KS_RES_WORKER_SLICE))
		fixed_int(c, "spec.octet");
	else if (!strcmp(resource, KS_RES_WORKER_GATEWAY))
		fixed_int(c, "spec.gatewayNumber");
}

void ctl_admission_mutate(const char *resource, cJSON *obj)
{
	static const struct {
		const char *label;
		const char *field;
	} export_labels[] = {
		{ KS_LABEL_SLICE, "spec.sliceName" },
		{ KS_LABEL_WORKER_CLUSTER, "spec.sourceCluster" },
		{ KS_LABEL_SERVICE, "spec.serviceName" },
		{ KS_LABEL_SERVICE_NS, "spec.serviceNamespace" },
	};
	const char *v;
	size_t i;

	if (strcmp(resource, KS_RES_EXPORT))
		return;
	for (i = 0; i < sizeof(export_labels) / sizeof(export_labels[0]); i++) {
		v = ks_get_str(obj, export_labels[i].field);
		if (v && ks_dns1123_subdomain(v))
			ks_set_label(obj, export_labels[i].label, v);
	}
}
