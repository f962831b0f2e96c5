// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cni/netconf.h"
#include "cni/protocol.h"

int cni_fail(struct cni_error *err, int code, const char *details, const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	snprintf(err->details, sizeof(err->details), "%s", details ? details : "");
	return -1;
}

static bool dns_label(const char *s)
{
	size_t i, len = strlen(s);

	if (!len || len > 63 || s[0] == '-' || s[len - 1] == '-')
		return false;
	for (i = 0; i < len; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

/* What the CNI spec allows in a container id: alphanumerics, '_', '.', '-'. */
static bool container_id_ok(const char *s)
{
	size_t i;

	if (!*s || !isalnum((unsigned char)*s))
		return false;
	for (i = 0; s[i]; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.-", s[i]))
			return false;
	return true;
}

/* An interface name the kernel takes: 1..15 characters, no '/', ':' or blanks. */
static bool ifname_ok(const char *s)
{
	size_t i, len = strlen(s);

	if (!len || len >= IF_NAMESIZE || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (i = 0; i < len; i++)
		if (s[i] == '/' || s[i] == ':' || isspace((unsigned char)s[i]))
			return false;
	return true;
}

static int env_copy(struct cni_error *err, const char *(*get)(const char *), const char *var,
		    bool required, char *dst, size_t size)
{
	const char *v = get(var);

	if (!v || !*v) {
		*dst = '\0';
		return required ? cni_fail(err, CNI_ERR_INVALID_ENV, NULL, "%s is not set", var) : 0;
	}
	if (strlen(v) >= size)
		return cni_fail(err, CNI_ERR_INVALID_ENV, NULL, "%s is too long", var);
	strcpy(dst, v);
	return 0;
}

/* CNI_ARGS "K1=V1;K2=V2": the pod's namespace and name, when the runtime gives them. */
static int parse_args(struct cni_request *req, const char *args, struct cni_error *err)
{
	const char *p = args, *end, *eq;
	size_t klen, vlen;
	char *dst;
	size_t size;

	while (p && *p) {
		end = strchr(p, ';');
		if (!end)
			end = p + strlen(p);
		eq = memchr(p, '=', end - p);
		if (!eq)
			return cni_fail(err, CNI_ERR_INVALID_ENV, args,
					"CNI_ARGS: \"%.*s\" is not KEY=VALUE", (int)(end - p), p);
		klen = eq - p;
		vlen = end - eq - 1;
		dst = NULL;
		size = 0;
		if (klen == 17 && !strncmp(p, "K8S_POD_NAMESPACE", klen)) {
			dst = req->pod_ns;
			size = sizeof(req->pod_ns);
		} else if (klen == 12 && !strncmp(p, "K8S_POD_NAME", klen)) {
			dst = req->pod_name;
			size = sizeof(req->pod_name);
		}
		if (dst) {
			if (vlen >= size)
				return cni_fail(err, CNI_ERR_INVALID_ENV, NULL,
						"CNI_ARGS: %.*s is too long", (int)klen, p);
			memcpy(dst, eq + 1, vlen);
			dst[vlen] = '\0';
		}
		p = *end ? end + 1 : end;
	}
	if (*req->pod_ns && !dns_label(req->pod_ns))
		return cni_fail(err, CNI_ERR_INVALID_ENV, NULL,
				"CNI_ARGS: K8S_POD_NAMESPACE \"%s\" is not a namespace name",
				req->pod_ns);
	return 0;
}

static int parse_command(struct cni_request *req, const char *cmd, struct cni_error *err)
{
	static const char *const names[] = {
		[CNI_CMD_ADD] = "ADD", [CNI_CMD_DEL] = "DEL", [CNI_CMD_CHECK] = "CHECK",
		[CNI_CMD_VERSION] = "VERSION",
	};
	unsigned int i;

	for (i = 0; cmd && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(cmd, names[i])) {
			req->cmd = i;
			return 0;
		}
	return cni_fail(err, CNI_ERR_INVALID_ENV, "one of ADD, DEL, CHECK, VERSION",
			"CNI_COMMAND \"%s\" is not a CNI command", cmd ? cmd : "");
}

static int conf_string(const cJSON *conf, const char *key, bool required, char *dst,
		       size_t size, struct cni_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(conf, key);

	*dst = '\0';
	if (!v)
		return required ? cni_fail(err, CNI_ERR_INVALID_CONFIG, NULL,
					   "network configuration: \"%s\" is missing", key) : 0;
	if (!cJSON_IsString(v) || !*v->valuestring || strlen(v->valuestring) >= size)
		return cni_fail(err, CNI_ERR_INVALID_CONFIG, NULL,
				"network configuration: \"%s\" must be a string of 1..%zu characters",
				key, size - 1);
	strcpy(dst, v->valuestring);
	return 0;
}

static int parse_conf(struct cni_request *req, const char *text, struct cni_error *err)
{
	cJSON *conf = cJSON_Parse(text ? text : "");
	char version[16];
	int ret = -1;

	if (!cJSON_IsObject(conf)) {
		cni_fail(err, CNI_ERR_DECODE, NULL,
			 "network configuration on stdin is not a JSON object");
		goto out;
	}
	if (conf_string(conf, "cniVersion", true, version, sizeof(version), err))
		goto out;
	if (strcmp(version, CNI_VERSION)) {
		cni_fail(err, CNI_ERR_INCOMPATIBLE_VERSION, "supported: " CNI_VERSION,
			 "CNI version %s is not supported", version);
		goto out;
	}
	if (conf_string(conf, "name", true, req->name, sizeof(req->name), err) ||
	    conf_string(conf, "slice", true, req->slice, sizeof(req->slice), err) ||
	    conf_string(conf, "socket", false, req->socket, sizeof(req->socket), err))
		goto out;
	if (!dns_label(req->slice)) {
		cni_fail(err, CNI_ERR_INVALID_CONFIG, "a DNS label: a-z, 0-9 and '-'",
			 "network configuration: slice \"%s\" is not a slice name", req->slice);
		goto out;
	}
	if (!*req->socket)
		strcpy(req->socket, CNI_SOCKET_DEFAULT);
	ret = 0;
out:
	cJSON_Delete(conf);
	return ret;
}

int cni_request_parse(struct cni_request *req, const char *conf,
		      const char *(*get)(const char *name), struct cni_error *err)
{
	const char *args;

	memset(req, 0, sizeof(*req));
	if (parse_command(req, get("CNI_COMMAND"), err))
		return -1;
	if (req->cmd == CNI_CMD_VERSION)
		return 0;
	if (env_copy(err, get, "CNI_CONTAINERID", true, req->container_id,
		     sizeof(req->container_id)) ||
	    env_copy(err, get, "CNI_NETNS", req->cmd != CNI_CMD_DEL, req->netns,
		     sizeof(req->netns)) ||
	    env_copy(err, get, "CNI_IFNAME", true, req->ifname, sizeof(req->ifname)))
		return -1;
	if (!container_id_ok(req->container_id))
		return cni_fail(err, CNI_ERR_INVALID_ENV, "alphanumerics, '_', '.' and '-'",
				"CNI_CONTAINERID \"%s\" is not a container id", req->container_id);
	if (!ifname_ok(req->ifname))
		return cni_fail(err, CNI_ERR_INVALID_ENV, NULL,
				"CNI_IFNAME \"%s\" is not an interface name", req->ifname);
	args = get("CNI_ARGS");
	if (parse_args(req, args, err))
		return -1;
	return parse_conf(req, conf, err);
}

static int lease_string(const cJSON *reply, const char *key, char *dst, size_t size,
			struct cni_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(reply, key);

	if (!cJSON_IsString(v) || strlen(v->valuestring) >= size)
		return cni_fail(err, CNI_ERR_IO, NULL, "sliced's reply has no valid \"%s\"", key);
	strcpy(dst, v->valuestring);
	return 0;
}

int cni_lease_parse(const cJSON *reply, struct cni_lease *lease, struct cni_error *err)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(reply, "error"), *s;
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(e, "code");
	const char *msg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "msg"));

	memset(lease, 0, sizeof(*lease));
	if (e)
		return cni_fail(err, cJSON_IsNumber(code) ? code->valueint : CNI_ERR_IO,
				cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "details")),
				"sliced: %s", msg ? msg : "error");
	if (lease_string(reply, "address", lease->address, sizeof(lease->address), err) ||
	    lease_string(reply, "gateway", lease->gateway, sizeof(lease->gateway), err) ||
	    lease_string(reply, "clusterSubnet", lease->cluster_subnet,
			 sizeof(lease->cluster_subnet), err) ||
	    lease_string(reply, "sliceSubnet", lease->slice_subnet, sizeof(lease->slice_subnet),
			 err) ||
	    lease_string(reply, "device", lease->device, sizeof(lease->device), err) ||
	    lease_string(reply, "dns", lease->dns, sizeof(lease->dns), err))
		return -1;
	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(reply, "search")) {
		if (lease->n_search == CNI_SEARCH_MAX || !cJSON_IsString(s) ||
		    strlen(s->valuestring) >= sizeof(lease->search[0]))
			break;
		strcpy(lease->search[lease->n_search++], s->valuestring);
	}
	return 0;
}

static cJSON *iface_json(const struct cni_iface *i)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "name", i->name);
	cJSON_AddStringToObject(o, "mac", i->mac);
	if (i->sandbox)
		cJSON_AddStringToObject(o, "sandbox", i->sandbox);
	return o;
}

cJSON *cni_result(const struct cni_lease *lease, const struct cni_iface *host,
		  const struct cni_iface *pod)
{
	cJSON *r = cJSON_CreateObject(), *ifs, *ips, *ip, *routes, *route, *dns, *list;
	char cidr[24];
	int i;

	cJSON_AddStringToObject(r, "cniVersion", CNI_VERSION);
	ifs = cJSON_AddArrayToObject(r, "interfaces");
	cJSON_AddItemToArray(ifs, iface_json(host));
	cJSON_AddItemToArray(ifs, iface_json(pod));
	ips = cJSON_AddArrayToObject(r, "ips");
	ip = cJSON_CreateObject();
	cJSON_AddItemToArray(ips, ip);
	snprintf(cidr, sizeof(cidr), "%s/32", lease->address);
	cJSON_AddStringToObject(ip, "address", cidr);
	cJSON_AddStringToObject(ip, "gateway", lease->gateway);
	cJSON_AddNumberToObject(ip, "interface", 1);
	routes = cJSON_AddArrayToObject(r, "routes");
	route = cJSON_CreateObject();
	cJSON_AddItemToArray(routes, route);
	cJSON_AddStringToObject(route, "dst", lease->slice_subnet);
	cJSON_AddStringToObject(route, "gw", lease->gateway);
	dns = cJSON_AddObjectToObject(r, "dns");
	list = cJSON_AddArrayToObject(dns, "nameservers");
	cJSON_AddItemToArray(list, cJSON_CreateString(lease->dns));
	if (lease->n_search) {
		cJSON_AddStringToObject(dns, "domain", lease->search[0]);
		list = cJSON_AddArrayToObject(dns, "search");
		for (i = 0; i < lease->n_search; i++)
			cJSON_AddItemToArray(list, cJSON_CreateString(lease->search[i]));
	}
	return r;
}

cJSON *cni_error_json(const struct cni_error *err)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "cniVersion", CNI_VERSION);
	cJSON_AddNumberToObject(o, "code", err->code);
	cJSON_AddStringToObject(o, "msg", err->msg);
	if (*err->details)
		cJSON_AddStringToObject(o, "details", err->details);
	return o;
}

cJSON *cni_version_json(void)
{
	cJSON *o = cJSON_CreateObject(), *list;

	cJSON_AddStringToObject(o, "cniVersion", CNI_VERSION);
	list = cJSON_AddArrayToObject(o, "supportedVersions");
	cJSON_AddItemToArray(list, cJSON_CreateString(CNI_VERSION));
	return o;
}
