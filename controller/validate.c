// SPDX-License-Identifier: GPL-2.0
/*
 * ctl_validate: what the API server checks before it stores a controller object, with one
 * StatusCause per problem naming the field ("spec.sliceSubnet") the way Kubernetes does.
 * The helpers here are shared by the per-kind files (validate.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api/json.h"
#include "api/kubeslice.h"
#include "api/qos.h"
#include "controller/client.h"
#include "controller/validate.h"

void ctl_cause(struct ctl_check *c, const char *field, const char *reason, const char *fmt, ...)
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

const char *ctl_need_str(struct ctl_check *c, const cJSON *obj, const char *path,
			 const char *field)
{
	const cJSON *v = ks_get(obj, path);

	if (!v || cJSON_IsNull(v) || (cJSON_IsString(v) && !*v->valuestring)) {
		ctl_cause(c, field, CAUSE_REQUIRED, "Required value");
		return NULL;
	}
	if (!cJSON_IsString(v)) {
		ctl_cause(c, field, CAUSE_INVALID, "must be a string");
		return NULL;
	}
	return v->valuestring;
}

bool ctl_opt_int(struct ctl_check *c, const cJSON *obj, const char *path, const char *field,
		 long lo, long hi, long *out)
{
	long v;

	if (!ks_get(obj, path))
		return true;
	if (!ks_get_int(obj, path, &v) || v < lo || v > hi) {
		ctl_cause(c, field, CAUSE_INVALID, "must be an integer in %ld..%ld", lo, hi);
		return false;
	}
	*out = v;
	return true;
}

void ctl_check_name(struct ctl_check *c, bool label)
{
	const char *name = ks_name(c->obj);

	if (!name || !*name)
		ctl_cause(c, "metadata.name", CAUSE_REQUIRED, "Required value");
	else if (label ? !ks_dns1123_label(name) : !ks_dns1123_subdomain(name))
		ctl_cause(c, "metadata.name", CAUSE_INVALID,
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

void ctl_opt_enum(struct ctl_check *c, const cJSON *obj, const char *path, const char *field,
		  const char *const *allowed)
{
	const cJSON *v = ks_get(obj, path);

	if (v && (!cJSON_IsString(v) || !one_of(v->valuestring, allowed)))
		ctl_cause(c, field, CAUSE_UNSUPPORTED, "%s: unsupported value",
			  cJSON_IsString(v) ? v->valuestring : "non-string");
}

bool ctl_is_project_namespace(struct ctl_store *st, const char *ns)
{
	char want[KS_NAME_MAX + 16];
	cJSON *obj;
	bool ok;

	if (!ns)
		return false;
	obj = ctl_store_get(st, KS_RES_NAMESPACE, NULL, ns);
	snprintf(want, sizeof(want), "Project-%s", ns);
	ok = obj && !strcmp(ks_label(obj, KS_LABEL_RESOURCE_NAME) ?: "", want);
	cJSON_Delete(obj);
	return ok;
}

void ctl_check_project_namespace(struct ctl_check *c, const char *kind)
{
	const char *ns = ks_namespace(c->obj);

	if (!ctl_is_project_namespace(c->st, ns))
		ctl_cause(c, "metadata.namespace", CAUSE_INVALID,
			  "%s: a %s must be applied in a project namespace (kubeslice-<project>, "
			  "made by creating the Project in " KS_CONTROLLER_NAMESPACE ")",
			  ns ?: "", kind);
}

cJSON *ctl_check_cluster_get(struct ctl_check *c, const char *name)
{
	return ctl_store_get(c->st, KS_RES_CLUSTER, ks_namespace(c->obj), name);
}

void ctl_check_qos(struct ctl_check *c, const cJSON *q, const char *prefix,
		   const char *const *queues)
{
	static const char *const tcs[] = { KS_QOS_TC_BANDWIDTH, NULL };
	long ceil = -1, guaranteed = -1, prio = 0;
	char f[96];
	const char *dscp;

	snprintf(f, sizeof(f), "%s.queueType", prefix);
	if (ctl_need_str(c, q, "queueType", f))
		ctl_opt_enum(c, q, "queueType", f, queues);
	snprintf(f, sizeof(f), "%s.tcType", prefix);
	if (ctl_need_str(c, q, "tcType", f))
		ctl_opt_enum(c, q, "tcType", f, tcs);
	snprintf(f, sizeof(f), "%s.priority", prefix);
	ctl_opt_int(c, q, "priority", f, 0, 7, &prio);
	snprintf(f, sizeof(f), "%s.bandwidthCeilingKbps", prefix);
	if (!ks_get(q, "bandwidthCeilingKbps"))
		ctl_cause(c, f, CAUSE_REQUIRED, "Required value");
	ctl_opt_int(c, q, "bandwidthCeilingKbps", f, 1, 100000000, &ceil);
	snprintf(f, sizeof(f), "%s.bandwidthGuaranteedKbps", prefix);
	if (!ks_get(q, "bandwidthGuaranteedKbps"))
		ctl_cause(c, f, CAUSE_REQUIRED, "Required value");
	if (ctl_opt_int(c, q, "bandwidthGuaranteedKbps", f, 0, 100000000, &guaranteed) &&
	    ceil >= 0 && guaranteed > ceil)
		ctl_cause(c, f, CAUSE_INVALID,
			  "%ld: the guaranteed bandwidth must not exceed the ceiling (%ld)",
			  guaranteed, ceil);
	snprintf(f, sizeof(f), "%s.dscpClass", prefix);
	dscp = ctl_need_str(c, q, "dscpClass", f);
	if (dscp && ks_dscp_value(dscp) < 0)
		ctl_cause(c, f, CAUSE_UNSUPPORTED,
			  "%s: unknown DSCP class; use Default, AF11..AF43 or EF", dscp);
}

int ctl_validate(struct ctl_store *st, const char *resource, const cJSON *old,
		 const cJSON *obj, cJSON *causes)
{
	struct ctl_check c = { .st = st, .old = old, .obj = obj, .causes = causes };
	int before = cJSON_GetArraySize(causes);

	if (!strcmp(resource, KS_RES_SLICE))
		ctl_check_slice(&c);
	else if (!strcmp(resource, KS_RES_CLUSTER))
		ctl_check_cluster(&c);
	else if (!strcmp(resource, KS_RES_PROJECT))
		ctl_check_project(&c);
	else if (!strcmp(resource, KS_RES_QOS))
		ctl_check_qos_config(&c);
	else if (!strcmp(resource, KS_RES_EXPORT))
		ctl_check_export(&c);
	else if (!strcmp(resource, KS_RES_ROTATION))
		ctl_check_rotation(&c);
	else
		ctl_check_worker(&c, resource);
	return cJSON_GetArraySize(causes) > before ? -EINVAL : 0;
}

void ctl_validate_warnings(const char *resource, const cJSON *obj, cJSON *warnings)
{
	const char *cipher = ks_get_str(obj, "spec.vpnConfig.cipher");
	char msg[256];

	if (strcmp(resource, KS_RES_SLICE) || !cipher || !strstr(cipher, "-CBC"))
		return;
	snprintf(msg, sizeof(msg),
		 "spec.vpnConfig.cipher: %s is an OpenVPN cipher; this data plane seals the "
		 "slice's traffic with AES-256-GCM (an AEAD of at least that strength)", cipher);
	cJSON_AddItemToArray(warnings, cJSON_CreateString(msg));
}
