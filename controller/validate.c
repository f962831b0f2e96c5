// SPDX-License-Identifier: GPL-2.0
/*
 * ctl_validate: what the API server checks before it stores a controller object, with one
 * StatusCause per problem naming the field ("spec.sliceSubnet") the way Kubernetes does.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api/gateways.h"
#include "api/json.h"
#include "api/kubeslice.h"
#include "api/qos.h"
#include "api/subnet.h"
#include "controller/store.h"

/* Kubernetes CauseType values. */
#define CAUSE_REQUIRED		"FieldValueRequired"
#define CAUSE_INVALID		"FieldValueInvalid"
#define CAUSE_UNSUPPORTED	"FieldValueNotSupported"
#define CAUSE_DUPLICATE		"FieldValueDuplicate"
#define CAUSE_FORBIDDEN		"FieldValueForbidden"
#define CAUSE_NOT_FOUND		"FieldValueNotFound"

/**
 * struct ctl_check - one validation pass
 * @st: store, to look up referenced objects
 * @old: the stored object on update, NULL on create
 * @obj: the object to store
 * @causes: where the causes go
 */
struct ctl_check {
	struct ctl_store *st;
	const cJSON *old;
	const cJSON *obj;
	cJSON *causes;
};

static void __attribute__((format(printf, 4, 5)))
cause(struct ctl_check *c, const char *field, const char *reason, const char *fmt, ...)
{
	cJSON *item = cJSON_CreateObject();
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!item || !ks_set_str(item, "field", field) || !ks_set_str(item, "reason", reason) ||
	    !ks_set_str(item, "message", msg) || !cJSON_AddItemToArray(c->causes, item))
		cJSON_Delete(item);
}

/* A required string; NULL (with a cause) when missing or empty. */
static const char *need_str(struct ctl_check *c, const cJSON *obj, const char *path,
			    const char *field)
{
	const cJSON *v = ks_get(obj, path);

	if (!v || cJSON_IsNull(v) || (cJSON_IsString(v) && !*v->valuestring)) {
		cause(c, field, CAUSE_REQUIRED, "Required value");
		return NULL;
	}
	if (!cJSON_IsString(v)) {
		cause(c, field, CAUSE_INVALID, "must be a string");
		return NULL;
	}
	return v->valuestring;
}

/* An optional integer within lo..hi into *out (left alone when absent); false if bad. */
static bool opt_int(struct ctl_check *c, const cJSON *obj, const char *path,
		    const char *field, long lo, long hi, long *out)
{
	long v;

	if (!ks_get(obj, path))
		return true;
	if (!ks_get_int(obj, path, &v) || v < lo || v > hi) {
		cause(c, field, CAUSE_INVALID, "must be an integer in %ld..%ld", lo, hi);
		return false;
	}
	*out = v;
	return true;
}

static void check_name(struct ctl_check *c, bool label)
{
	const char *name = ks_name(c->obj);

	if (!name || !*name)
		cause(c, "metadata.name", CAUSE_REQUIRED, "Required value");
	else if (label ? !ks_dns1123_label(name) : !ks_dns1123_subdomain(name))
		cause(c, "metadata.name", CAUSE_INVALID,
		      "%s: must be a lowercase RFC 1123 %s (a-z, 0-9 and '-', starting and "
		      "ending with an alphanumeric character%s)", name,
		      label ? "label" : "subdomain", label ? ", at most 63 characters" : "");
}

static bool one_of(const char *v, const char *const *allowed)
{
	for (; *allowed; allowed++)
		if (!strcmp(v, *allowed))
			return true;
	return false;
}

static void opt_enum(struct ctl_check *c, const cJSON *obj, const char *path,
		     const char *field, const char *const *allowed)
{
	const cJSON *v = ks_get(obj, path);

	if (v && (!cJSON_IsString(v) || !one_of(v->valuestring, allowed)))
		cause(c, field, CAUSE_UNSUPPORTED, "%s: unsupported value",
		      cJSON_IsString(v) ? v->valuestring : "non-string");
}

/* A QoS profile at prefix ("spec" of a SliceQoSConfig, "spec.qosProfileDetails"). */
static void check_qos(struct ctl_check *c, const cJSON *q, const char *prefix)
{
	static const char *const queues[] = { KS_QOS_QUEUE_HTB, NULL };
	static const char *const tcs[] = { KS_QOS_TC_BANDWIDTH, NULL };
	long ceil = -1, guaranteed = -1, prio = 0;
	char f[96];
	const char *dscp;

	snprintf(f, sizeof(f), "%s.queueType", prefix);
	if (need_str(c, q, "queueType", f))
		opt_enum(c, q, "queueType", f, queues);
	snprintf(f, sizeof(f), "%s.tcType", prefix);
	if (need_str(c, q, "tcType", f))
		opt_enum(c, q, "tcType", f, tcs);
	snprintf(f, sizeof(f), "%s.priority", prefix);
	opt_int(c, q, "priority", f, 0, 7, &prio);
	snprintf(f, sizeof(f), "%s.bandwidthCeilingKbps", prefix);
	if (!ks_get(q, "bandwidthCeilingKbps"))
		cause(c, f, CAUSE_REQUIRED, "Required value");
	opt_int(c, q, "bandwidthCeilingKbps", f, 1, 100000000, &ceil);
	snprintf(f, sizeof(f), "%s.bandwidthGuaranteedKbps", prefix);
	if (!ks_get(q, "bandwidthGuaranteedKbps"))
		cause(c, f, CAUSE_REQUIRED, "Required value");
	if (opt_int(c, q, "bandwidthGuaranteedKbps", f, 0, 100000000, &guaranteed) &&
	    ceil >= 0 && guaranteed > ceil)
		cause(c, f, CAUSE_INVALID,
		      "%ld: the guaranteed bandwidth must not exceed the ceiling (%ld)",
		      guaranteed, ceil);
	snprintf(f, sizeof(f), "%s.dscpClass", prefix);
	dscp = need_str(c, q, "dscpClass", f);
	if (dscp && ks_dscp_value(dscp) < 0)
		cause(c, f, CAUSE_UNSUPPORTED,
		      "%s: unknown DSCP class; use Default, AF11..AF43 or EF", dscp);
}

/* spec.clusters: unique, registered, within maxClusters; their CNI subnets clear of
 * sliceSubnet. */
static void check_slice_clusters(struct ctl_check *c, const struct ks_prefix *subnet,
				 long max)
{
	const cJSON *clusters = ks_get(c->obj, "spec.clusters"), *name, *prev, *cni;
	struct ks_prefix p;
	cJSON *cluster;
	char f[64];
	int i = 0;

	if (clusters && !cJSON_IsArray(clusters)) {
		cause(c, "spec.clusters", CAUSE_INVALID, "must be a list of cluster names");
		return;
	}
	if (cJSON_GetArraySize(clusters) > max)
		cause(c, "spec.clusters", CAUSE_INVALID, "%d clusters exceed maxClusters %ld",
		      cJSON_GetArraySize(clusters), max);
	cJSON_ArrayForEach(name, clusters) {
		snprintf(f, sizeof(f), "spec.clusters[%d]", i++);
		if (!cJSON_IsString(name) || !ks_dns1123_label(name->valuestring)) {
			cause(c, f, CAUSE_INVALID, "must be a cluster name");
			continue;
		}
		for (prev = clusters->child; prev != name; prev = prev->next)
			if (cJSON_IsString(prev) && !strcmp(prev->valuestring, name->valuestring))
				break;
		if (prev != name) {
			cause(c, f, CAUSE_DUPLICATE, "%s: listed twice", name->valuestring);
			continue;
		}
		cluster = ctl_store_get(c->st, KS_RES_CLUSTER, ks_namespace(c->obj),
					name->valuestring);
		if (!cluster) {
			cause(c, f, CAUSE_NOT_FOUND, "%s: no such Cluster in namespace %s; "
			      "register it first", name->valuestring, ks_namespace(c->obj) ?: "");
			continue;
		}
		cJSON_ArrayForEach(cni, ks_get(cluster, "status.cniSubnet"))
			if (subnet && cJSON_IsString(cni) && !ks_prefix_parse(cni->valuestring, &p) &&
			    ks_prefix_overlaps(subnet, &p))
				cause(c, "spec.sliceSubnet", CAUSE_INVALID,
				      "overlaps CNI subnet %s of cluster %s; pick another /16",
				      cni->valuestring, name->valuestring);
		cJSON_Delete(cluster);
	}
}

static void check_slice_qos(struct ctl_check *c)
{
	const char *profile = ks_get_str(c->obj, "spec.standardQosProfileName");
	const cJSON *inline_qos = ks_get(c->obj, "spec.qosProfileDetails");
	cJSON *qos;

	if (profile && inline_qos) {
		cause(c, "spec.qosProfileDetails", CAUSE_FORBIDDEN,
		      "give either standardQosProfileName or qosProfileDetails, not both");
	} else if (profile) {
		qos = ctl_store_get(c->st, KS_RES_QOS, ks_namespace(c->obj), profile);
		if (!qos)
			cause(c, "spec.standardQosProfileName", CAUSE_NOT_FOUND,
			      "%s: no such SliceQoSConfig; create it first", profile);
		cJSON_Delete(qos);
	} else if (inline_qos) {
		check_qos(c, inline_qos, "spec.qosProfileDetails");
	} else {
		cause(c, "spec.standardQosProfileName", CAUSE_REQUIRED,
		      "give standardQosProfileName or qosProfileDetails");
	}
}

/* Gateway pairs per cluster pair and how fast a dead one leaves the ECMP set. */
static void check_slice_gateway_pairs(struct ctl_check *c)
{
	const cJSON *provider = ks_get(c->obj, "spec.sliceGatewayProvider");
	char why[160];
	long pairs;

	opt_int(c, provider, "numberOfGateways", "spec.sliceGatewayProvider.numberOfGateways",
		1, KS_GATEWAY_PAIRS_MAX, &pairs);
	if (ks_liveness_check(provider, why, sizeof(why)))
		cause(c, "spec.sliceGatewayProvider.liveness", CAUSE_INVALID, "%s", why);
}

static void check_slice_gateway_provider(struct ctl_check *c)
{
	static const char *const types[] = { "NodePort", "LoadBalancer", NULL };
	static const char *const protos[] = { "UDP", "TCP", NULL };
	const cJSON *svc;
	const char *cl;
	char f[96];
	int i = 0;

	check_slice_gateway_pairs(c);
	cJSON_ArrayForEach(svc, ks_get(c->obj,
				       "spec.sliceGatewayProvider.sliceGatewayServiceType")) {
		snprintf(f, sizeof(f), "spec.sliceGatewayProvider.sliceGatewayServiceType[%d]", i);
		cl = ks_get_str(svc, "cluster");
		if (!cl || (strcmp(cl, "*") &&
			    !ks_array_has_str(ks_get(c->obj, "spec.clusters"), cl)))
			cause(c, f, CAUSE_INVALID, "cluster must be \"*\" or a member of the slice");
		snprintf(f, sizeof(f), "spec.sliceGatewayProvider.sliceGatewayServiceType[%d].type",
			 i);
		opt_enum(c, svc, "type", f, types);
		snprintf(f, sizeof(f),
			 "spec.sliceGatewayProvider.sliceGatewayServiceType[%d].protocol", i++);
		opt_enum(c, svc, "protocol", f, protos);
	}
}

static void check_slice_update(struct ctl_check *c, long max)
{
	long old_max = KS_MAX_CLUSTERS_DEFAULT;

	if (!c->old)
		return;
	ks_get_int(c->old, "spec.maxClusters", &old_max);
	if (old_max != max)
		cause(c, "spec.maxClusters", CAUSE_FORBIDDEN,
		      "is immutable (%ld); create a new slice to change it", old_max);
	if (strcmp(ks_get_str0(c->old, "spec.sliceSubnet"), ks_get_str0(c->obj,
							"spec.sliceSubnet")))
		cause(c, "spec.sliceSubnet", CAUSE_FORBIDDEN,
		      "is immutable (%s); create a new slice to change it",
		      ks_get_str0(c->old, "spec.sliceSubnet"));
}

static void check_slice(struct ctl_check *c)
{
	static const char *const modes[] = {
		"single-network", "multi-network", "no-network", NULL
	};
	static const char *const ciphers[] = { "AES-256-GCM", "ChaCha20-Poly1305", NULL };
	long max = KS_MAX_CLUSTERS_DEFAULT, days = KS_ROTATION_DAYS_DEFAULT;
	struct ks_prefix subnet;
	bool subnet_ok = false;
	const char *s;

	check_name(c, true);
	if (!cJSON_IsObject(ks_get(c->obj, "spec"))) {
		cause(c, "spec", CAUSE_REQUIRED, "Required value");
		return;
	}
	s = need_str(c, c->obj, "spec.sliceSubnet", "spec.sliceSubnet");
	if (s && (ks_prefix_parse(s, &subnet) || subnet.len != 16 ||
		  !ks_prefix_is_private(&subnet)))
		cause(c, "spec.sliceSubnet", CAUSE_INVALID,
		      "%s: must be a private /16 (in 10.0.0.0/8, 172.16.0.0/12 or "
		      "192.168.0.0/16), e.g. 10.1.0.0/16", s);
	else
		subnet_ok = s != NULL;
	opt_int(c, c->obj, "spec.maxClusters", "spec.maxClusters", KS_MAX_CLUSTERS_MIN,
		KS_MAX_CLUSTERS_MAX, &max);
	check_slice_clusters(c, subnet_ok ? &subnet : NULL, max);
	check_slice_update(c, max);
	check_slice_qos(c);
	check_slice_gateway_provider(c);
	opt_int(c, c->obj, "spec.rotationInterval", "spec.rotationInterval",
		KS_ROTATION_DAYS_MIN, KS_ROTATION_DAYS_MAX, &days);
	if (ks_get(c->obj, "spec.renewBefore") &&
	    ks_time_parse(ks_get_str(c->obj, "spec.renewBefore")) < 0)
		cause(c, "spec.renewBefore", CAUSE_INVALID,
		      "must be an RFC 3339 time such as 2025-01-31T12:00:00Z");
	opt_enum(c, c->obj, "spec.overlayNetworkDeploymentMode",
		 "spec.overlayNetworkDeploymentMode", modes);
	opt_enum(c, c->obj, "spec.vpnConfig.cipher", "spec.vpnConfig.cipher", ciphers);
}

static void check_cluster(struct ctl_check *c)
{
	const cJSON *ip;
	struct ks_prefix p;
	char f[64], cidr[40];
	int i = 0;

	check_name(c, true);
	cJSON_ArrayForEach(ip, ks_get(c->obj, "spec.nodeIPs")) {
		snprintf(f, sizeof(f), "spec.nodeIPs[%d]", i++);
		if (cJSON_IsString(ip))
			snprintf(cidr, sizeof(cidr), "%s/32", ip->valuestring);
		if (!cJSON_IsString(ip) || ks_prefix_parse(cidr, &p))
			cause(c, f, CAUSE_INVALID, "must be an IPv4 address");
	}
	i = 0;
	cJSON_ArrayForEach(ip, ks_get(c->obj, "status.cniSubnet")) {
		snprintf(f, sizeof(f), "status.cniSubnet[%d]", i++);
		if (!cJSON_IsString(ip) || ks_prefix_parse(ip->valuestring, &p))
			cause(c, f, CAUSE_INVALID, "must be an IPv4 prefix such as 10.244.0.0/16");
	}
}

static void check_project(struct ctl_check *c)
{
	char ns[64];

	check_name(c, true);
	if (ks_name(c->obj) && ks_project_namespace(ks_name(c->obj), ns, sizeof(ns)))
		cause(c, "metadata.name", CAUSE_INVALID,
		      "too long: namespace kubeslice-<name> must fit in 63 characters");
}

static void check_export(struct ctl_check *c)
{
	const char *slice, *source;
	cJSON *sc;

	check_name(c, false);
	need_str(c, c->obj, "spec.serviceName", "spec.serviceName");
	need_str(c, c->obj, "spec.serviceNamespace", "spec.serviceNamespace");
	slice = need_str(c, c->obj, "spec.sliceName", "spec.sliceName");
	source = need_str(c, c->obj, "spec.sourceCluster", "spec.sourceCluster");
	if (!slice)
		return;
	sc = ctl_store_get(c->st, KS_RES_SLICE, ks_namespace(c->obj), slice);
	if (!sc)
		cause(c, "spec.sliceName", CAUSE_NOT_FOUND, "%s: no such SliceConfig", slice);
	else if (source && !ks_array_has_str(ks_get(sc, "spec.clusters"), source))
		cause(c, "spec.sourceCluster", CAUSE_INVALID,
		      "%s is not a member of slice %s", source, slice);
	cJSON_Delete(sc);
}

static void check_rotation(struct ctl_check *c)
{
	long days = KS_ROTATION_DAYS_DEFAULT;

	check_name(c, false);
	need_str(c, c->obj, "spec.sliceName", "spec.sliceName");
	opt_int(c, c->obj, "spec.rotationInterval", "spec.rotationInterval",
		KS_ROTATION_DAYS_MIN, KS_ROTATION_DAYS_MAX, &days);
}

int ctl_validate(struct ctl_store *st, const char *resource, const cJSON *old,
		 const cJSON *obj, cJSON *causes)
{
	struct ctl_check c = { .st = st, .old = old, .obj = obj, .causes = causes };
	int before = cJSON_GetArraySize(causes);

	if (!strcmp(resource, KS_RES_SLICE))
		check_slice(&c);
	else if (!strcmp(resource, KS_RES_CLUSTER))
		check_cluster(&c);
	else if (!strcmp(resource, KS_RES_PROJECT))
		check_project(&c);
	else if (!strcmp(resource, KS_RES_QOS)) {
		check_name(&c, false);
		check_qos(&c, ks_get(obj, "spec"), "spec");
	} else if (!strcmp(resource, KS_RES_EXPORT))
		check_export(&c);
	else if (!strcmp(resource, KS_RES_ROTATION))
		check_rotation(&c);
	else
		check_name(&c, false);
	return cJSON_GetArraySize(causes) > before ? -EINVAL : 0;
}
