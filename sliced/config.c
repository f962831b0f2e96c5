// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "api/base64.h"
#include "api/file.h"
#include "config.h"
#include "yamljson.h"

struct config_ctx {
	const char *file;
	char *err;
	size_t errlen;
};

static int config_fail(struct config_ctx *ctx, const char *setting, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int config_fail(struct config_ctx *ctx, const char *setting, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(ctx->err, ctx->errlen, "%s: %s: %s", ctx->file, setting, why);
	return -1;
}

/* A string setting, or NULL when absent; a present setting that is not a string fails. */
static int config_string(struct config_ctx *ctx, const cJSON *obj, const char *key,
			 const char *setting, bool required, const char **out)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = NULL;
	if (!item || cJSON_IsNull(item)) {
		if (required)
			return config_fail(ctx, setting, "missing");
		return 0;
	}
	if (!cJSON_IsString(item) || !*item->valuestring)
		return config_fail(ctx, setting, "must be a non-empty string");
	*out = item->valuestring;
	return 0;
}

/* Relative paths in a file are relative to that file's directory, as kubectl does it. */
static char *config_path(const char *file, const char *path)
{
	char *copy, *out;

	if (path[0] == '/')
		return strdup(path);
	copy = strdup(file);
	if (!copy)
		return NULL;
	if (asprintf(&out, "%s/%s", dirname(copy), path) < 0)
		out = NULL;
	free(copy);
	return out;
}

/* RFC 1123 label, as Kubernetes wants for cluster and project names. */
static bool dns_label_ok(const char *s)
{
	size_t i, len = strlen(s);

	if (len == 0 || len > 63 || s[0] == '-' || s[len - 1] == '-')
		return false;
	for (i = 0; i < len; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

static int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno || *end || *out < min || *out > max)
		return -1;
	return 0;
}

int parse_sockaddr(const char *text, int want_port, struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	char host[INET6_ADDRSTRLEN + 2];
	const char *port = NULL;
	unsigned long p = 0;
	size_t hostlen;

	memset(ss, 0, sizeof(*ss));
	if (want_port) {
		port = strrchr(text, ':');
		if (!port || parse_uint(port + 1, 1, 65535, &p))
			return -1;
		hostlen = port - text;
		if (text[0] == '[') {
			if (hostlen < 2 || text[hostlen - 1] != ']')
				return -1;
			text++;
			hostlen -= 2;
		}
	} else {
		hostlen = strlen(text);
	}
	if (hostlen >= sizeof(host))
		return -1;
	memcpy(host, text, hostlen);
	host[hostlen] = '\0';
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(p);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(p);
		return 0;
	}
	return -1;
}

/* The entry of a kubeconfig list (clusters, users, contexts) with the given name. */
static const cJSON *kube_named(struct config_ctx *ctx, const cJSON *root, const char *list,
			       const char *name, const char *member)
{
	const cJSON *entries = cJSON_GetObjectItemCaseSensitive(root, list), *entry, *n;

	cJSON_ArrayForEach(entry, entries) {
		n = cJSON_GetObjectItemCaseSensitive(entry, "name");
		if (cJSON_IsString(n) && !strcmp(n->valuestring, name)) {
			entry = cJSON_GetObjectItemCaseSensitive(entry, member);
			if (cJSON_IsObject(entry))
				return entry;
			break;
		}
	}
	config_fail(ctx, list, "no entry named \"%s\" with a %s", name, member);
	return NULL;
}

static int kube_cluster(struct config_ctx *ctx, struct sliced_config *cfg, const cJSON *c)
{
	const char *server, *ca_file, *ca_data;

	if (config_string(ctx, c, "server", "clusters[].cluster.server", true, &server) ||
	    config_string(ctx, c, "certificate-authority",
			  "clusters[].cluster.certificate-authority", false, &ca_file) ||
	    config_string(ctx, c, "certificate-authority-data",
			  "clusters[].cluster.certificate-authority-data", false, &ca_data))
		return -1;
	if (strncmp(server, "https://", 8) && strncmp(server, "http://", 7))
		return config_fail(ctx, "clusters[].cluster.server",
				   "\"%s\" is not an http:// or https:// URL", server);
	if (ca_file && ca_data)
		return config_fail(ctx, "clusters[].cluster.certificate-authority",
				   "give either the file or certificate-authority-data, not both");
	cfg->server = strdup(server);
	if (cfg->server && cfg->server[strlen(cfg->server) - 1] == '/')
		cfg->server[strlen(cfg->server) - 1] = '\0';
	if (ca_file)
		cfg->ca_file = config_path(ctx->file, ca_file);
	if (ca_data) {
		cfg->ca_pem = ks_b64_text(ca_data);
		if (!cfg->ca_pem)
			return config_fail(ctx, "clusters[].cluster.certificate-authority-data",
					   "not base64");
	}
	return 0;
}

static int kube_user(struct config_ctx *ctx, struct sliced_config *cfg, const cJSON *u)
{
	const char *token, *token_file;
	char *path, *text;
	size_t len;

	if (config_string(ctx, u, "token", "users[].user.token", false, &token) ||
	    config_string(ctx, u, "tokenFile", "users[].user.tokenFile", false, &token_file))
		return -1;
	if (!token == !token_file)
		return config_fail(ctx, "users[].user.token",
				   "give exactly one of token and tokenFile");
	if (token) {
		cfg->token = strdup(token);
		return 0;
	}
	path = config_path(ctx->file, token_file);
	text = path ? ks_read_file(path, &len) : NULL;
	if (!text) {
		config_fail(ctx, "users[].user.tokenFile", "%s: %s", path ? path : token_file,
			    strerror(errno));
		free(path);
		return -1;
	}
	free(path);
	while (len && isspace((unsigned char)text[len - 1]))
		text[--len] = '\0';
	cfg->token = text;
	return 0;
}

static int kubeconfig_load(struct sliced_config *cfg, const char *path, char *err,
			   size_t errlen)
{
	struct config_ctx ctx = { .file = path, .err = err, .errlen = errlen };
	const cJSON *context, *cluster, *user;
	const char *current, *cname, *uname;
	cJSON *root;
	int ret = -1;

	root = yaml_file_to_json(path, err, errlen);
	if (!root)
		return -1;
	if (config_string(&ctx, root, "current-context", "current-context", true, &current))
		goto out;
	context = kube_named(&ctx, root, "contexts", current, "context");
	if (!context ||
	    config_string(&ctx, context, "cluster", "contexts[].context.cluster", true, &cname) ||
	    config_string(&ctx, context, "user", "contexts[].context.user", true, &uname))
		goto out;
	cluster = kube_named(&ctx, root, "clusters", cname, "cluster");
	if (!cluster || kube_cluster(&ctx, cfg, cluster))
		goto out;
	user = kube_named(&ctx, root, "users", uname, "user");
	if (!user || kube_user(&ctx, cfg, user))
		goto out;
	ret = 0;
out:
	cJSON_Delete(root);
	return ret;
}

static const char *const node_settings[] = {
	"kubeconfig", "cluster", "project", "uplink", "uplinkKbps", "gatewayAddress", "rekeyMinutes",
	"metricsAddress", "stateDir", "exportsDir", "cniSocket", "dnsAddress", "dnsUpstream",
	"workerNodes",
};

/* workerNodes: a list of distinct IPv4 addresses. */
static int worker_nodes_load(struct config_ctx *ctx, struct sliced_config *cfg,
			     const cJSON *root)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "workerNodes"), *item;
	struct in_addr addr;
	unsigned int i;

	if (!list || cJSON_IsNull(list))
		return 0;
	if (!cJSON_IsArray(list))
		return config_fail(ctx, "workerNodes", "must be a list of IPv4 addresses");
	if (cJSON_GetArraySize(list) > SLICED_WORKER_NODES_MAX)
		return config_fail(ctx, "workerNodes", "at most %d worker nodes",
				   SLICED_WORKER_NODES_MAX);
	cJSON_ArrayForEach(item, list) {
		if (!cJSON_IsString(item) || inet_pton(AF_INET, item->valuestring, &addr) != 1)
			return config_fail(ctx, "workerNodes", "%s is not an IPv4 address",
					   cJSON_IsString(item) ? item->valuestring : "an item");
		for (i = 0; i < cfg->num_worker_nodes; i++)
			if (!strcmp(cfg->worker_nodes[i], item->valuestring))
				return config_fail(ctx, "workerNodes", "%s is listed twice",
						   item->valuestring);
		inet_ntop(AF_INET, &addr, cfg->worker_nodes[cfg->num_worker_nodes],
			  INET_ADDRSTRLEN);
		cfg->num_worker_nodes++;
	}
	return 0;
}

/* Where pods and services keep their files, and the slice DNS (docs/services.md). */
static int services_settings_load(struct config_ctx *ctx, struct sliced_config *cfg,
				  const cJSON *root)
{
	const char *state, *exports, *sock, *dns, *upstream;

	if (config_string(ctx, root, "stateDir", "stateDir", false, &state) ||
	    config_string(ctx, root, "exportsDir", "exportsDir", false, &exports) ||
	    config_string(ctx, root, "cniSocket", "cniSocket", false, &sock) ||
	    config_string(ctx, root, "dnsAddress", "dnsAddress", false, &dns) ||
	    config_string(ctx, root, "dnsUpstream", "dnsUpstream", false, &upstream))
		return -1;
	if (dns && parse_sockaddr(dns, 1, &cfg->dns_addr))
		return config_fail(ctx, "dnsAddress", "\"%s\" is not ADDRESS:PORT", dns);
	if (upstream && parse_sockaddr(upstream, 1, &cfg->dns_upstream))
		return config_fail(ctx, "dnsUpstream", "\"%s\" is not ADDRESS:PORT", upstream);
	cfg->state_dir = config_path(ctx->file, state ? state : "/var/lib/sliced");
	cfg->exports_dir = config_path(ctx->file, exports ? exports : "/etc/sliced/exports");
	cfg->cni_socket = config_path(ctx->file, sock ? sock : "/run/sliced/cni.sock");
	return 0;
}

static int node_unknown_settings(struct config_ctx *ctx, const cJSON *root)
{
	const cJSON *item;
	size_t i;

	if (!cJSON_IsObject(root))
		return config_fail(ctx, "(top level)", "must be a mapping of settings");
	cJSON_ArrayForEach(item, root) {
		for (i = 0; i < sizeof(node_settings) / sizeof(node_settings[0]); i++)
			if (!strcmp(item->string, node_settings[i]))
				break;
		if (i == sizeof(node_settings) / sizeof(node_settings[0]))
			return config_fail(ctx, item->string, "unknown setting");
	}
	return 0;
}

/*
 * gatewayAddress: one address, or a list of one per family for a dual-stack node; the first
 * is the one the node reports, and peers are reached in whichever family both ends have.
 */
static int gateway_addresses_load(struct config_ctx *ctx, struct sliced_config *cfg,
				  const cJSON *item)
{
	struct sockaddr_storage *out[] = { &cfg->gateway_addr, &cfg->gateway_addr2 };
	const cJSON *one = item;
	int n = 0;

	if (!item)
		return config_fail(ctx, "gatewayAddress", "missing");
	if (cJSON_IsArray(item))
		one = item->child;
	if (!one)
		return config_fail(ctx, "gatewayAddress", "must list an address");
	for (; one; one = cJSON_IsArray(item) ? one->next : NULL) {
		if (n == 2)
			return config_fail(ctx, "gatewayAddress", "at most one address per family");
		if (!cJSON_IsString(one) || parse_sockaddr(one->valuestring, 0, out[n]))
			return config_fail(ctx, "gatewayAddress",
					   "\"%s\" is not an IPv4 or IPv6 address",
					   cJSON_IsString(one) ? one->valuestring : "(not a string)");
		if (n == 1 && cfg->gateway_addr.ss_family == cfg->gateway_addr2.ss_family)
			return config_fail(ctx, "gatewayAddress", "at most one address per family");
		n++;
	}
	return 0;
}

bool config_has_family(const struct sliced_config *cfg, int family)
{
	return cfg->gateway_addr.ss_family == family || cfg->gateway_addr2.ss_family == family;
}

static int node_settings_load(struct config_ctx *ctx, struct sliced_config *cfg,
			      const cJSON *root, const char **kubeconfig)
{
	const char *cluster, *project, *uplink, *capacity, *rekey, *metrics;
	unsigned long minutes = SLICED_REKEY_MINUTES_DEFAULT, kbps = 0;

	if (node_unknown_settings(ctx, root) ||
	    config_string(ctx, root, "kubeconfig", "kubeconfig", true, kubeconfig) ||
	    config_string(ctx, root, "cluster", "cluster", true, &cluster) ||
	    config_string(ctx, root, "project", "project", true, &project) ||
	    config_string(ctx, root, "uplink", "uplink", true, &uplink) ||
	    config_string(ctx, root, "uplinkKbps", "uplinkKbps", false, &capacity) ||
	    config_string(ctx, root, "rekeyMinutes", "rekeyMinutes", false, &rekey) ||
	    config_string(ctx, root, "metricsAddress", "metricsAddress", false, &metrics))
		return -1;
	if (!dns_label_ok(cluster))
		return config_fail(ctx, "cluster", "\"%s\" is not a DNS label (a-z, 0-9, '-')",
				   cluster);
	/* "kubeslice-" + project must still be a DNS label. */
	if (!dns_label_ok(project) || strlen(project) > 63 - strlen("kubeslice-"))
		return config_fail(ctx, "project", "\"%s\" is not a DNS label of at most 53 characters",
				   project);
	if (strlen(uplink) >= IFNAMSIZ || !if_nametoindex(uplink))
		return config_fail(ctx, "uplink", "no interface \"%s\" here", uplink);
	if (capacity && parse_uint(capacity, 1, SLICED_UPLINK_KBPS_MAX, &kbps))
		return config_fail(ctx, "uplinkKbps", "\"%s\" is not a capacity in kbit/s, 1..%lu",
				   capacity, (unsigned long)SLICED_UPLINK_KBPS_MAX);
	if (gateway_addresses_load(ctx, cfg, cJSON_GetObjectItemCaseSensitive(root,
									      "gatewayAddress")))
		return -1;
	if (rekey && parse_uint(rekey, 1, SLICED_REKEY_MINUTES_MAX, &minutes))
		return config_fail(ctx, "rekeyMinutes", "\"%s\" is not a number of minutes 1..%d",
				   rekey, SLICED_REKEY_MINUTES_MAX);
	if (metrics && parse_sockaddr(metrics, 1, &cfg->metrics_addr))
		return config_fail(ctx, "metricsAddress",
				   "\"%s\" is not ADDRESS:PORT ([ADDRESS]:PORT for IPv6)", metrics);
	cfg->rekey_minutes = minutes;
	if (cfg->gateway_addr.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&cfg->gateway_addr)->sin_addr,
			  cfg->gateway_ip, sizeof(cfg->gateway_ip));
	else
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&cfg->gateway_addr)->sin6_addr,
			  cfg->gateway_ip, sizeof(cfg->gateway_ip));
	cfg->uplink_kbps = kbps;
	strcpy(cfg->uplink, uplink);
	cfg->cluster = strdup(cluster);
	cfg->project = strdup(project);
	if (asprintf(&cfg->ns, "kubeslice-%s", project) < 0)
		cfg->ns = NULL;
	return 0;
}

int config_load(struct sliced_config *cfg, const char *path, char *err, size_t errlen)
{
	struct config_ctx ctx = { .file = path, .err = err, .errlen = errlen };
	const char *kubeconfig;
	char *kpath = NULL;
	cJSON *root;
	int ret = -1;

	memset(cfg, 0, sizeof(*cfg));
	root = yaml_file_to_json(path, err, errlen);
	if (!root)
		return -1;
	if (node_settings_load(&ctx, cfg, root, &kubeconfig) ||
	    worker_nodes_load(&ctx, cfg, root) || services_settings_load(&ctx, cfg, root))
		goto out;
	kpath = config_path(path, kubeconfig);
	if (!kpath || kubeconfig_load(cfg, kpath, err, errlen))
		goto out;
	if (!cfg->server || !cfg->token || !cfg->cluster || !cfg->project || !cfg->ns ||
	    !cfg->state_dir || !cfg->exports_dir || !cfg->cni_socket) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	ret = 0;
out:
	free(kpath);
	cJSON_Delete(root);
	if (ret)
		config_free(cfg);
	return ret;
}

void config_free(struct sliced_config *cfg)
{
	free(cfg->server);
	free(cfg->ca_file);
	free(cfg->ca_pem);
	free(cfg->token);
	free(cfg->cluster);
	free(cfg->project);
	free(cfg->ns);
	free(cfg->state_dir);
	free(cfg->exports_dir);
	free(cfg->cni_socket);
	memset(cfg, 0, sizeof(*cfg));
}
