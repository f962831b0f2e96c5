// SPDX-License-Identifier: GPL-2.0
/* The kinds of the KubeSlice API and the names that identify objects. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "api/kubeslice.h"

#define CTL(kind, plural, singular, status) \
	{ KS_GROUP_CONTROLLER, KS_VERSION, kind, plural, singular, true, status }
#define WRK(kind, plural, singular) \
	{ KS_GROUP_WORKER, KS_VERSION, kind, plural, singular, true, true }

const struct ks_resource ks_resources[] = {
	CTL("Project", KS_RES_PROJECT, "project", true),
	CTL("Cluster", KS_RES_CLUSTER, "cluster", true),
	CTL("SliceConfig", KS_RES_SLICE, "sliceconfig", true),
	CTL("SliceQoSConfig", KS_RES_QOS, "sliceqosconfig", true),
	CTL("ServiceExportConfig", KS_RES_EXPORT, "serviceexportconfig", true),
	CTL("VpnKeyRotation", KS_RES_ROTATION, "vpnkeyrotation", true),
	WRK("WorkerSliceConfig", KS_RES_WORKER_SLICE, "workersliceconfig"),
	WRK("WorkerSliceGateway", KS_RES_WORKER_GATEWAY, "workerslicegateway"),
	WRK("WorkerServiceImport", KS_RES_WORKER_IMPORT, "workerserviceimport"),
	WRK("WorkerSliceGwRecycler", KS_RES_WORKER_RECYCLER, "workerslicegwrecycler"),
	{ "", "v1", "Secret", KS_RES_SECRET, "secret", true, false },
	{ "", "v1", "Namespace", KS_RES_NAMESPACE, "namespace", false, true },
	{ "", "v1", "Event", KS_RES_EVENT, "event", true, false },
	{ NULL }
};

const struct ks_resource *ks_resource_by_plural(const char *plural)
{
	const struct ks_resource *res;

	for (res = ks_resources; res->kind; res++)
		if (!strcmp(res->plural, plural))
			return res;
	return NULL;
}

const struct ks_resource *ks_resource_by_kind(const char *api_version, const char *kind)
{
	const struct ks_resource *res;
	char av[64];

	for (res = ks_resources; res->kind; res++) {
		ks_resource_api_version(res, av, sizeof(av));
		if (!strcmp(res->kind, kind) && !strcmp(av, api_version))
			return res;
	}
	return NULL;
}

void ks_resource_api_version(const struct ks_resource *res, char *buf, size_t len)
{
	if (*res->group)
		snprintf(buf, len, "%s/%s", res->group, res->version);
	else
		snprintf(buf, len, "%s", res->version);
}

int ks_project_namespace(const char *project, char *buf, size_t len)
{
	int n = snprintf(buf, len, KS_PROJECT_NS_PREFIX "%s", project);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static bool dns_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* One label of [a-z0-9]([-a-z0-9]*[a-z0-9])? of len bytes. */
static bool dns_label_ok(const char *s, size_t len)
{
	size_t i;

	if (!len || len > 63 || !dns_alnum(s[0]) || !dns_alnum(s[len - 1]))
		return false;
	for (i = 1; i + 1 < len; i++)
		if (!dns_alnum(s[i]) && s[i] != '-')
			return false;
	return true;
}

bool ks_dns1123_label(const char *s)
{
	return s && dns_label_ok(s, strlen(s));
}

bool ks_dns1123_subdomain(const char *s)
{
	const char *dot;

	if (!s || !*s || strlen(s) > KS_NAME_MAX)
		return false;
	for (;;) {
		dot = strchr(s, '.');
		if (!dns_label_ok(s, dot ? (size_t)(dot - s) : strlen(s)))
			return false;
		if (!dot)
			return true;
		s = dot + 1;
	}
}

void ks_pod_host_ifname(const char *container_id, const char *ifname, char out[IF_NAMESIZE])
{
	/* FNV-1a, 48 bits of it: short enough for a name, wide enough not to collide. */
	uint64_t h = 0xcbf29ce484222325ULL;
	const char *parts[] = { container_id, "/", ifname };
	const char *p;
	unsigned int i;

	for (i = 0; i < 3; i++)
		for (p = parts[i]; *p; p++) {
			h ^= (unsigned char)*p;
			h *= 0x100000001b3ULL;
		}
	snprintf(out, IF_NAMESIZE, "sl%012llx", (unsigned long long)(h & 0xffffffffffffULL));
}
