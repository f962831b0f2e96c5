// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api/json.h"
#include "api/kubeslice.h"
#include "api/subnet.h"
#include "exports.h"
#include "log.h"
#include "util.h"
#include "yamljson.h"

#define API_CONTROLLER_PATH	"/apis/" KS_GROUP_CONTROLLER "/" KS_VERSION
/* The node that exported a ServiceExportConfig: only it deletes the export again. */
#define EXPORTS_ANNOT_NODE	"slice.kubeslice-c.io/export-node"

struct exports {
	const struct sliced_config *cfg;
	struct sync *sync;
	char *signature;	/* names, sizes and times of the files last read */
	cJSON *parsed;		/* normalized exports, from the files */
	cJSON *desired;		/* name -> ServiceExportConfig, as last reconciled */
	cJSON *sent;		/* "METHOD name" -> {"body", "at"}: requests recently made */
	cJSON *errors;		/* file -> why it was skipped, from the files */
	cJSON *status_written;	/* file -> the status text last written beside it */
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* A number the YAML reader gave as a string, or JSON gave as a number. */
static bool get_port(const cJSON *obj, const char *key, long *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char *end = "";

	if (cJSON_IsNumber(v))
		*out = (long)v->valuedouble;
	else if (cJSON_IsString(v) && *v->valuestring)
		*out = strtol(v->valuestring, &end, 10);
	else
		return false;
	return !*end && *out > 0 && *out < 65536;
}

static int parse_ports(const cJSON *ports, cJSON *out, char *err, size_t errlen)
{
	const cJSON *p;
	const char *proto;
	cJSON *o;
	long port, svc_port;
	int i = 0;

	cJSON_ArrayForEach(p, ports) {
		proto = ks_get_str(p, "protocol") ?: "TCP";
		if (!get_port(p, "containerPort", &port))
			return fail(err, errlen, "spec.ports[%d].containerPort: a port 1..65535", i);
		if (strcmp(proto, "TCP") && strcmp(proto, "UDP") && strcmp(proto, "SCTP"))
			return fail(err, errlen, "spec.ports[%d].protocol: TCP, UDP or SCTP", i);
		if (ks_get_str(p, "name") && !ks_dns1123_label(ks_get_str(p, "name")))
			return fail(err, errlen, "spec.ports[%d].name: a DNS label", i);
		if (!cJSON_GetObjectItemCaseSensitive(p, "servicePort"))
			svc_port = port;
		else if (!get_port(p, "servicePort", &svc_port))
			return fail(err, errlen, "spec.ports[%d].servicePort: a port 1..65535", i);
		o = cJSON_CreateObject();
		cJSON_AddItemToArray(out, o);
		if (ks_get_str(p, "name"))
			cJSON_AddStringToObject(o, "name", ks_get_str(p, "name"));
		cJSON_AddNumberToObject(o, "port", port);
		cJSON_AddStringToObject(o, "protocol", proto);
		cJSON_AddNumberToObject(o, "servicePort", svc_port);
		cJSON_AddStringToObject(o, "serviceProtocol", ks_get_str(p, "serviceProtocol") ?: proto);
		i++;
	}
	return 0;
}

static int parse_endpoints(const cJSON *eps, cJSON *out, char *err, size_t errlen)
{
	const char *name, *addr;
	struct in6_addr buf;
	const cJSON *ep;
	cJSON *o;
	int i = 0;

	cJSON_ArrayForEach(ep, eps) {
		name = ks_get_str(ep, "name");
		addr = ks_get_str(ep, "address");
		if (!name || !ks_dns1123_label(name))
			return fail(err, errlen, "spec.endpoints[%d].name: a DNS label", i);
		if (!addr || (inet_pton(AF_INET, addr, &buf) != 1 &&
			      inet_pton(AF_INET6, addr, &buf) != 1))
			return fail(err, errlen, "spec.endpoints[%d].address: an IP address", i);
		o = cJSON_CreateObject();
		cJSON_AddItemToArray(out, o);
		cJSON_AddStringToObject(o, "name", name);
		cJSON_AddStringToObject(o, "address", addr);
		i++;
	}
	return 0;
}

static int copy_strings(const cJSON *from, cJSON *to, const char *what, bool dns_name,
			char *err, size_t errlen)
{
	const cJSON *s;
	int i = 0;

	if (from && !cJSON_IsArray(from))
		return fail(err, errlen, "%s: a list", what);
	cJSON_ArrayForEach(s, from) {
		if (!cJSON_IsString(s) || !*s->valuestring ||
		    (dns_name && !ks_dns1123_subdomain(s->valuestring)))
			return fail(err, errlen, "%s[%d]: %s", what, i,
				    dns_name ? "a DNS name" : "a non-empty string");
		cJSON_AddItemToArray(to, cJSON_CreateString(s->valuestring));
		i++;
	}
	return 0;
}

cJSON *exports_parse(const cJSON *doc, char *err, size_t errlen)
{
	const char *kind = ks_get_str(doc, "kind"), *name = ks_get_str(doc, "metadata.name");
	const char *ns = ks_get_str(doc, "metadata.namespace"), *slice = ks_get_str(doc, "spec.slice");
	const cJSON *selector = ks_get(doc, "spec.selector"), *eps = ks_get(doc, "spec.endpoints");
	cJSON *out = cJSON_CreateObject();

	if (!cJSON_IsObject(doc) || (kind && strcmp(kind, "ServiceExport"))) {
		fail(err, errlen, "kind: must be ServiceExport");
		goto bad;
	}
	if (!name || !ks_dns1123_label(name) || !ns || !ks_dns1123_label(ns)) {
		fail(err, errlen, "metadata: name and namespace must be DNS labels");
		goto bad;
	}
	if (!slice || !ks_dns1123_label(slice)) {
		fail(err, errlen, "spec.slice: the name of a slice");
		goto bad;
	}
	if (!selector && !eps) {
		fail(err, errlen, "spec: give a selector, endpoints or both");
		goto bad;
	}
	if (selector && !ks_get(selector, "matchNames")) {
		fail(err, errlen, "spec.selector.matchNames: pod name patterns (there are no labels)");
		goto bad;
	}
	cJSON_AddStringToObject(out, "name", name);
	cJSON_AddStringToObject(out, "namespace", ns);
	cJSON_AddStringToObject(out, "slice", slice);
	if (copy_strings(ks_get(selector, "matchNames"), cJSON_AddArrayToObject(out, "matchNames"),
			 "spec.selector.matchNames", false, err, errlen) ||
	    (eps && !cJSON_IsArray(eps) && fail(err, errlen, "spec.endpoints: a list")) ||
	    parse_endpoints(eps, cJSON_AddArrayToObject(out, "endpoints"), err, errlen) ||
	    (ks_get(doc, "spec.ports") && !cJSON_IsArray(ks_get(doc, "spec.ports")) &&
	     fail(err, errlen, "spec.ports: a list")) ||
	    parse_ports(ks_get(doc, "spec.ports"), cJSON_AddArrayToObject(out, "ports"), err,
			errlen) ||
	    copy_strings(ks_get(doc, "spec.aliases"), cJSON_AddArrayToObject(out, "aliases"),
			 "spec.aliases", true, err, errlen))
		goto bad;
	return out;
bad:
	cJSON_Delete(out);
	return NULL;
}

static void add_endpoint(cJSON *eps, const char *pod, const char *cluster, const char *addr,
			 const char *svc, const char *ns, long port)
{
	cJSON *o = cJSON_CreateObject();
	char dns[4 * 64 + 32];

	snprintf(dns, sizeof(dns), "%s.%s.%s.%s.svc.slice.local", pod, cluster, svc, ns);
	cJSON_AddStringToObject(o, "podName", pod);
	cJSON_AddStringToObject(o, "cluster", cluster);
	cJSON_AddStringToObject(o, "nsmIp", addr);
	cJSON_AddStringToObject(o, "dnsName", dns);
	if (port)
		cJSON_AddNumberToObject(o, "port", port);
	cJSON_AddItemToArray(eps, o);
}

static bool name_matches(const cJSON *patterns, const char *pod)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, patterns)
		if (!fnmatch(p->valuestring, pod, 0))
			return true;
	return false;
}

cJSON *exports_config(const cJSON *exp, const char *cluster, const char *ns,
		      const struct ipam_pool *pool)
{
	const char *svc = ks_get_str(exp, "name"), *svc_ns = ks_get_str(exp, "namespace");
	const char *slice = ks_get_str(exp, "slice");
	cJSON *obj, *spec, *eps;
	const cJSON *ep;
	char name[4 * KS_NAME_MAX], addr[KS_PREFIX_STRLEN];
	long port = 0;
	size_t i;

	snprintf(name, sizeof(name), "%s-%s-%s-%s", svc, svc_ns, slice, cluster);
	obj = ks_object_new(KS_API_CONTROLLER, "ServiceExportConfig", ns, name);
	ks_set_label(obj, KS_LABEL_WORKER_CLUSTER, cluster);
	ks_set_label(obj, KS_LABEL_SLICE, slice);
	ks_set_label(obj, KS_LABEL_SERVICE, svc);
	ks_set_label(obj, KS_LABEL_SERVICE_NS, svc_ns);
	spec = ks_ensure(obj, "spec");
	ks_set_str(spec, "serviceName", svc);
	ks_set_str(spec, "serviceNamespace", svc_ns);
	ks_set_str(spec, "sourceCluster", cluster);
	ks_set_str(spec, "sliceName", slice);
	ks_get_int(cJSON_GetArrayItem(ks_get(exp, "ports"), 0), "port", &port);
	eps = cJSON_AddArrayToObject(spec, "serviceDiscoveryEndpoints");
	cJSON_ArrayForEach(ep, ks_get(exp, "endpoints"))
		add_endpoint(eps, ks_get_str(ep, "name"), cluster, ks_get_str(ep, "address"), svc,
			     svc_ns, port);
	for (i = 0; pool && i < pool->count; i++) {
		if (strcmp(pool->leases[i].pod_ns, svc_ns) || !*pool->leases[i].pod_name ||
		    !name_matches(ks_get(exp, "matchNames"), pool->leases[i].pod_name))
			continue;
		ks_addr_format(pool->leases[i].addr, addr);
		add_endpoint(eps, pool->leases[i].pod_name, cluster, addr, svc, svc_ns, port);
	}
	ks_set(spec, "serviceDiscoveryPorts", cJSON_Duplicate(ks_get(exp, "ports"), true));
	ks_set(spec, "aliases", cJSON_Duplicate(ks_get(exp, "aliases"), true));
	return obj;
}

/* ---- the directory ---- */

static bool export_file(const char *name)
{
	const char *dot = strrchr(name, '.');

	return name[0] != '.' && dot &&
	       (!strcmp(dot, ".yaml") || !strcmp(dot, ".yml") || !strcmp(dot, ".json"));
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* What the directory holds now, cheaply: names, sizes and modification times. */
static char *dir_signature(const char *dir, struct dirent ***names, int *n)
{
	char path[4096], *sig = strdup(""), *grown;
	struct stat st;
	int i;

	*n = scandir(dir, names, NULL, by_name);
	for (i = 0; sig && i < *n; i++) {
		if (!export_file((*names)[i]->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, (*names)[i]->d_name);
		if (stat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		if (asprintf(&grown, "%s%s:%lld:%lld.%09ld\n", sig, (*names)[i]->d_name,
			     (long long)st.st_size, (long long)st.st_mtim.tv_sec,
			     st.st_mtim.tv_nsec) < 0)
			grown = NULL;
		free(sig);
		sig = grown;
	}
	return sig;
}

static void read_file(struct exports *e, const char *file, cJSON *parsed, cJSON *errors)
{
	char path[4096], err[512];
	cJSON *doc, *exp, *other;

	snprintf(path, sizeof(path), "%s/%s", e->cfg->exports_dir, file);
	doc = yaml_file_to_json(path, err, sizeof(err));
	exp = doc ? exports_parse(doc, err, sizeof(err)) : NULL;
	cJSON_Delete(doc);
	if (!exp) {
		log_msg(LOG_WARNING, "ServiceExport %s skipped: %s", path, err);
		cJSON_AddStringToObject(errors, file, err);
		return;
	}
	cJSON_ArrayForEach(other, parsed)
		if (!strcmp(ks_get_str0(other, "name"), ks_get_str0(exp, "name")) &&
		    !strcmp(ks_get_str0(other, "namespace"), ks_get_str0(exp, "namespace")) &&
		    !strcmp(ks_get_str0(other, "slice"), ks_get_str0(exp, "slice"))) {
			snprintf(err, sizeof(err), "%s/%s on slice %s is exported by %s",
				 ks_get_str0(exp, "namespace"), ks_get_str0(exp, "name"),
				 ks_get_str0(exp, "slice"), ks_get_str0(other, "file"));
			log_msg(LOG_WARNING, "ServiceExport %s skipped: %s", path, err);
			cJSON_AddStringToObject(errors, file, err);
			cJSON_Delete(exp);
			return;
		}
	cJSON_AddStringToObject(exp, "file", file);
	cJSON_AddItemToArray(parsed, exp);
}

bool exports_scan(struct exports *e)
{
	struct dirent **names = NULL;
	cJSON *parsed, *errors;
	char *sig;
	int n, i;

	sig = dir_signature(e->cfg->exports_dir, &names, &n);
	if (!sig || (e->signature && !strcmp(sig, e->signature))) {
		free(sig);
		for (i = 0; i < n; i++)
			free(names[i]);
		free(names);
		return false;
	}
	parsed = cJSON_CreateArray();
	errors = cJSON_CreateObject();
	for (i = 0; i < n; i++) {
		if (export_file(names[i]->d_name))
			read_file(e, names[i]->d_name, parsed, errors);
		free(names[i]);
	}
	free(names);
	free(e->signature);
	e->signature = sig;
	cJSON_Delete(e->parsed);
	e->parsed = parsed;
	cJSON_Delete(e->errors);
	e->errors = errors;
	log_msg(LOG_INFO, "%s: %d service export%s", e->cfg->exports_dir,
		cJSON_GetArraySize(parsed), cJSON_GetArraySize(parsed) == 1 ? "" : "s");
	return true;
}

/* ---- the controller ---- */

static bool slice_here(struct exports *e, const char *slice)
{
	const cJSON *wsc;

	cJSON_ArrayForEach(wsc, sync_cache(e->sync, SYNC_SLICES))
		if (!strcmp(ks_get_str0(wsc, "spec.sliceName"), slice))
			return true;
	return false;
}

/* Make a request unless the very same one went out less than EXPORTS_RESEND_MS ago. */
static void send_once(struct exports *e, const char *method, const char *name,
		      const char *sub, cJSON *body)
{
	char key[KS_NAME_MAX + 32], *text = body ? cJSON_PrintUnformatted(body) : strdup("");
	cJSON *last, *rec;
	uint64_t now = now_ms();

	snprintf(key, sizeof(key), "%s %s%s", method, name, sub ? "/status" : "");
	last = cJSON_GetObjectItemCaseSensitive(e->sent, key);
	if (text && last && !strcmp(ks_get_str0(last, "body"), text) &&
	    now - (uint64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(last, "at")) <
	    EXPORTS_RESEND_MS) {
		free(text);
		cJSON_Delete(body);
		return;
	}
	rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "body", text ? text : "");
	cJSON_AddNumberToObject(rec, "at", (double)now);
	cJSON_DeleteItemFromObjectCaseSensitive(e->sent, key);
	cJSON_AddItemToObject(e->sent, key, rec);
	free(text);
	sync_write(e->sync, method, API_CONTROLLER_PATH, KS_RES_EXPORT,
		   strcmp(method, "POST") ? name : NULL, sub, body);
}

static cJSON *status_of(const cJSON *sec)
{
	int n = cJSON_GetArraySize(ks_get(sec, "spec.serviceDiscoveryEndpoints"));
	cJSON *st = cJSON_CreateObject();
	char dns[2 * 64 + 32];

	snprintf(dns, sizeof(dns), "%s.%s.svc.slice.local", ks_get_str0(sec, "spec.serviceName"),
		 ks_get_str0(sec, "spec.serviceNamespace"));
	cJSON_AddStringToObject(st, "exportStatus", n ? "READY" : "PENDING");
	cJSON_AddNumberToObject(st, "availableEndpoints", n);
	cJSON_AddStringToObject(st, "dnsName", dns);
	return st;
}

static void reconcile_one(struct exports *e, const cJSON *want, const cJSON *have)
{
	const char *name = ks_name(want);
	cJSON *patch, *status = status_of(want), *body;

	if (!have) {
		log_msg(LOG_INFO, "ServiceExportConfig %s: creating", name);
		send_once(e, "POST", name, NULL, cJSON_Duplicate(want, true));
		cJSON_Delete(status);
		return;
	}
	if (!cJSON_Compare(ks_get(want, "spec"), ks_get(have, "spec"), true) ||
	    !cJSON_Compare(ks_get(want, "metadata.labels"), ks_get(have, "metadata.labels"), true)) {
		patch = cJSON_CreateObject();
		ks_set(ks_ensure(patch, "metadata"), "labels",
		       cJSON_Duplicate(ks_get(want, "metadata.labels"), true));
		ks_set(patch, "spec", cJSON_Duplicate(ks_get(want, "spec"), true));
		send_once(e, "PATCH", name, NULL, patch);
	}
	if (!cJSON_Compare(status, ks_get(have, "status"), true)) {
		body = cJSON_CreateObject();
		ks_set(body, "status", status);
		send_once(e, "PATCH", name, "status", body);
		return;
	}
	cJSON_Delete(status);
}

/* What the node says of an export file: its status as the controller gets it, or why not. */
static cJSON *file_status(const cJSON *exp, const cJSON *sec, const char *error)
{
	cJSON *st = sec ? status_of(sec) : cJSON_CreateObject(), *eps;
	const cJSON *ep;

	cJSON_AddStringToObject(st, "file", ks_get_str(exp, "file") ?: exp->string);
	if (!sec) {
		if (ks_get_str(exp, "name"))
			ks_set_str(st, "name", ks_get_str(exp, "name"));
		if (ks_get_str(exp, "namespace"))
			ks_set_str(st, "namespace", ks_get_str(exp, "namespace"));
		if (ks_get_str(exp, "slice"))
			ks_set_str(st, "slice", ks_get_str(exp, "slice"));
		cJSON_AddStringToObject(st, "exportStatus", "ERROR");
		cJSON_AddStringToObject(st, "message", error);
		return st;
	}
	ks_set_str(st, "name", ks_get_str0(sec, "spec.serviceName"));
	ks_set_str(st, "namespace", ks_get_str0(sec, "spec.serviceNamespace"));
	ks_set_str(st, "slice", ks_get_str0(sec, "spec.sliceName"));
	eps = cJSON_AddArrayToObject(st, "endpoints");
	cJSON_ArrayForEach(ep, ks_get(sec, "spec.serviceDiscoveryEndpoints"))
		cJSON_AddItemToArray(eps, cJSON_Duplicate(ep, true));
	return st;
}

/*
 * Whether an export of this cluster is this node's to delete: the cluster's other nodes
 * export their own pods' services (an export without the mark is from before there were
 * several nodes).
 */
static bool export_mine(const struct exports *e, const cJSON *obj)
{
	const char *node = ks_annotation(obj, EXPORTS_ANNOT_NODE);

	return !node || !strcmp(node, e->cfg->gateway_ip);
}

void exports_reconcile(struct exports *e, struct ipam *ipam)
{
	const cJSON *have = sync_cache(e->sync, SYNC_EXPORTS), *exp, *obj;
	cJSON *desired = cJSON_CreateObject(), *status = cJSON_CreateObject(), *sec;
	char why[KS_NAME_MAX + 64];
	const char *slice;

	cJSON_ArrayForEach(obj, e->errors)
		cJSON_AddItemToObject(status, obj->string, file_status(obj, NULL, obj->valuestring));
	cJSON_ArrayForEach(exp, e->parsed) {
		slice = ks_get_str(exp, "slice");
		if (!slice_here(e, slice)) {
			snprintf(why, sizeof(why), "slice %s is not on this cluster", slice);
			cJSON_AddItemToObject(status, ks_get_str0(exp, "file"),
					      file_status(exp, NULL, why));
			continue;
		}
		sec = exports_config(exp, e->cfg->cluster, e->cfg->ns, ipam_pool_of(ipam, slice));
		ks_set_annotation(sec, EXPORTS_ANNOT_NODE, e->cfg->gateway_ip);
		cJSON_AddItemToObject(status, ks_get_str0(exp, "file"), file_status(exp, sec, NULL));
		cJSON_AddItemToObject(desired, ks_name(sec), sec);
	}
	exports_status_write(e->cfg->exports_dir, status, e->status_written);
	cJSON_Delete(status);
	cJSON_ArrayForEach(sec, desired)
		reconcile_one(e, sec, cJSON_GetObjectItemCaseSensitive(have, sec->string));
	cJSON_ArrayForEach(obj, have)
		if (!cJSON_GetObjectItemCaseSensitive(desired, obj->string) &&
		    !ks_get(obj, "metadata.deletionTimestamp") && export_mine(e, obj)) {
			log_msg(LOG_INFO, "ServiceExportConfig %s: export gone, deleting",
				obj->string);
			send_once(e, "DELETE", obj->string, NULL, NULL);
		}
	cJSON_Delete(e->desired);
	e->desired = desired;
}

/* An import's spec without this cluster's own endpoints: KubeSlice imports a service into
 * its source cluster too, and those endpoints are already in the local export. */
static cJSON *import_of_others(const struct exports *e, const cJSON *spec)
{
	cJSON *out = cJSON_Duplicate(spec, true), *eps, *ep, *next;

	eps = ks_get(out, "serviceDiscoveryEndpoints");
	for (ep = eps ? eps->child : NULL; ep; ep = next) {
		next = ep->next;
		if (!strcmp(ks_get_str0(ep, "cluster"), e->cfg->cluster))
			cJSON_Delete(cJSON_DetachItemViaPointer(eps, ep));
	}
	return out;
}

cJSON *exports_services(struct exports *e)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *obj;

	cJSON_ArrayForEach(obj, e->desired)
		cJSON_AddItemToArray(out, cJSON_Duplicate(ks_get(obj, "spec"), true));
	cJSON_ArrayForEach(obj, sync_cache(e->sync, SYNC_IMPORTS))
		if (ks_get(obj, "spec"))
			cJSON_AddItemToArray(out, import_of_others(e, ks_get(obj, "spec")));
	return out;
}

struct exports *exports_new(const struct sliced_config *cfg, struct sync *sync)
{
	struct exports *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->cfg = cfg;
	e->sync = sync;
	e->parsed = cJSON_CreateArray();
	e->desired = cJSON_CreateObject();
	e->sent = cJSON_CreateObject();
	e->errors = cJSON_CreateObject();
	e->status_written = cJSON_CreateObject();
	if (mkdir(cfg->exports_dir, 0755) && errno != EEXIST)
		log_msg(LOG_WARNING, "exportsDir %s: %s", cfg->exports_dir, strerror(errno));
	return e;
}

void exports_free(struct exports *e)
{
	if (!e)
		return;
	free(e->signature);
	cJSON_Delete(e->parsed);
	cJSON_Delete(e->desired);
	cJSON_Delete(e->sent);
	cJSON_Delete(e->errors);
	cJSON_Delete(e->status_written);
	free(e);
}
