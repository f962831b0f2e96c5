// SPDX-License-Identifier: GPL-2.0
/* Host tests of the configuration: every bad setting names itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"

static char dir[] = "/tmp/sliced-test-config-XXXXXX";

static void write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static const char kubeconfig[] =
	"apiVersion: v1\n"
	"kind: Config\n"
	"current-context: worker\n"
	"contexts:\n"
	"- name: other\n"
	"  context: {cluster: nowhere, user: nobody}\n"
	"- name: worker\n"
	"  context:\n"
	"    cluster: hub\n"
	"    user: cluster-1\n"
	"clusters:\n"
	"- name: hub\n"
	"  cluster:\n"
	"    server: https://127.0.0.1:6443/\n"
	"    certificate-authority: ca.pem\n"
	"users:\n"
	"- name: cluster-1\n"
	"  user:\n"
	"    token: s3cret\n";

static const char good[] =
	"kubeconfig: kubeconfig\n"
	"cluster: cluster-1\n"
	"project: demo\n"
	"uplink: lo\n"
	"gatewayAddress: 192.0.2.10\n";

/* Load good with the settings in extra ("key: value" lines) put in or replaced. */
static int load_with(struct sliced_config *cfg, const char *extra, char *err, size_t errlen)
{
	char text[2048] = "", path[256], key[64];
	const char *line, *colon;

	for (line = good; *line; line = strchr(line, '\n') + 1) {
		colon = strchr(line, ':');
		snprintf(key, sizeof(key), "%.*s:", (int)(colon - line), line);
		if (strncmp(extra, key, strlen(key)))
			strncat(text, line, strchr(line, '\n') + 1 - line);
	}
	strcat(text, extra);
	write_file("sliced.yaml", text);
	snprintf(path, sizeof(path), "%s/sliced.yaml", dir);
	return config_load(cfg, path, err, errlen);
}

static int setup(void **state)
{
	assert_non_null(mkdtemp(dir));
	write_file("kubeconfig", kubeconfig);
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void test_good(void **state)
{
	struct sliced_config cfg;
	char err[512] = "", ca[300];

	assert_int_equal(load_with(&cfg, "", err, sizeof(err)), 0);
	assert_string_equal(cfg.server, "https://127.0.0.1:6443");
	snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
	assert_string_equal(cfg.ca_file, ca);
	assert_string_equal(cfg.token, "s3cret");
	assert_string_equal(cfg.cluster, "cluster-1");
	assert_string_equal(cfg.ns, "kubeslice-demo");
	assert_string_equal(cfg.uplink, "lo");
	assert_int_equal(cfg.gateway_addr.ss_family, AF_INET);
	assert_int_equal(cfg.rekey_minutes, SLICED_REKEY_MINUTES_DEFAULT);
	assert_int_equal(cfg.metrics_addr.ss_family, AF_UNSPEC);
	assert_int_equal(cfg.uplink_kbps, 0);
	config_free(&cfg);
}

static void test_optional(void **state)
{
	struct sliced_config cfg;
	char err[512] = "";

	assert_int_equal(load_with(&cfg, "rekeyMinutes: 5\nmetricsAddress: '[::1]:9469'\n"
				   "workerNodes: [192.0.2.20, 192.0.2.21]\n"
				   "uplinkKbps: 4294967295\n", err, sizeof(err)), 0);
	assert_int_equal(cfg.rekey_minutes, 5);
	assert_true(cfg.uplink_kbps == UINT32_MAX);
	assert_int_equal(cfg.metrics_addr.ss_family, AF_INET6);
	assert_int_equal(cfg.num_worker_nodes, 2);
	assert_string_equal(cfg.worker_nodes[1], "192.0.2.21");
	config_free(&cfg);
}

/* A dual-stack node: one address per family, the first reported. */
static void test_dual_stack(void **state)
{
	struct sliced_config cfg;
	char err[512] = "";

	assert_int_equal(load_with(&cfg, "gatewayAddress: ['2001:db8::10', 192.0.2.10]\n",
				   err, sizeof(err)), 0);
	assert_int_equal(cfg.gateway_addr.ss_family, AF_INET6);
	assert_int_equal(cfg.gateway_addr2.ss_family, AF_INET);
	assert_true(config_has_family(&cfg, AF_INET) && config_has_family(&cfg, AF_INET6));
	config_free(&cfg);
	assert_int_equal(load_with(&cfg, "gatewayAddress: ['2001:db8::10']\n", err,
				   sizeof(err)), 0);
	assert_false(config_has_family(&cfg, AF_INET));
	assert_int_equal(cfg.gateway_addr2.ss_family, AF_UNSPEC);
	config_free(&cfg);
}

static void test_token_file(void **state)
{
	struct sliced_config cfg;
	char err[512] = "", text[1024];
	char *swapped;

	write_file("token", "from-file\n");
	swapped = strdup(kubeconfig);
	*strstr(swapped, "token: s3cret") = '\0';
	snprintf(text, sizeof(text), "%stokenFile: token\n", swapped);
	free(swapped);
	write_file("kubeconfig", text);
	assert_int_equal(load_with(&cfg, "", err, sizeof(err)), 0);
	assert_string_equal(cfg.token, "from-file");
	config_free(&cfg);
	write_file("kubeconfig", kubeconfig);
}

/* Each bad line, and the setting name the error must carry. */
static const struct {
	const char *extra;
	const char *expect;
} bad[] = {
	{ "cluster: Cluster_1\n", "sliced.yaml: cluster: \"Cluster_1\" is not a DNS label" },
	{ "project: ''\n", "sliced.yaml: project: must be a non-empty string" },
	{ "uplink: nosuchif0\n", "sliced.yaml: uplink: no interface \"nosuchif0\" here" },
	{ "gatewayAddress: 192.0.2\n", "sliced.yaml: gatewayAddress: \"192.0.2\" is not" },
	{ "gatewayAddress: [192.0.2.1, 192.0.2.2]\n",
	  "sliced.yaml: gatewayAddress: at most one address per family" },
	{ "gatewayAddress: [192.0.2.1, '::1', '::2']\n",
	  "sliced.yaml: gatewayAddress: at most one address per family" },
	{ "gatewayAddress: []\n", "sliced.yaml: gatewayAddress: must list an address" },
	{ "gatewayAddress: [{a: b}]\n", "sliced.yaml: gatewayAddress: \"(not a string)\"" },
	{ "gatewayPort: 31000\n", "sliced.yaml: gatewayPort: unknown setting" },
	{ "rekeyMinutes: 0\n", "sliced.yaml: rekeyMinutes: \"0\" is not a number" },
	{ "rekeyMinutes: 5m\n", "sliced.yaml: rekeyMinutes: \"5m\"" },
	{ "uplinkKbps: 0\n", "sliced.yaml: uplinkKbps: \"0\" is not a capacity in kbit/s, "
	  "1..4294967295" },
	{ "uplinkKbps: 4294967296\n", "sliced.yaml: uplinkKbps: \"4294967296\"" },
	{ "uplinkKbps: 1Gbit\n", "sliced.yaml: uplinkKbps: \"1Gbit\"" },
	{ "metricsAddress: 127.0.0.1\n", "sliced.yaml: metricsAddress: \"127.0.0.1\" is not" },
	{ "gatewayAdress: 192.0.2.1\n", "sliced.yaml: gatewayAdress: unknown setting" },
	{ "kubeconfig: missing.yaml\n", "missing.yaml: No such file or directory" },
	{ "cluster: [a, b]\n", "sliced.yaml: cluster: must be a non-empty string" },
	{ "project: {a: b\n", "sliced.yaml: line " },
	{ "cluster: a\ncluster: b\n", "sliced.yaml: line 6: cluster given twice" },
	{ "workerNodes: 192.0.2.20\n", "sliced.yaml: workerNodes: must be a list of IPv4" },
	{ "workerNodes: [192.0.2.300]\n", "sliced.yaml: workerNodes: 192.0.2.300 is not an IPv4" },
	{ "workerNodes: [192.0.2.2, 192.0.2.2]\n", "workerNodes: 192.0.2.2 is listed twice" },
	{ "workerNodes: [1.0.0.1, 1.0.0.2, 1.0.0.3, 1.0.0.4, 1.0.0.5]\n",
	  "sliced.yaml: workerNodes: at most 4 worker nodes" },
};

static void test_bad(void **state)
{
	struct sliced_config cfg;
	char err[512];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(load_with(&cfg, bad[i].extra, err, sizeof(err)), -1);
		if (!strstr(err, bad[i].expect))
			fail_msg("for \"%s\": got \"%s\", want \"%s\"", bad[i].extra, err,
				 bad[i].expect);
	}
}

static void test_missing(void **state)
{
	static const char *const settings[] = {
		"kubeconfig", "cluster", "project", "uplink", "gatewayAddress",
	};
	char text[1024], path[256], err[512], want[64], *line;
	struct sliced_config cfg;
	size_t i;

	snprintf(path, sizeof(path), "%s/sliced.yaml", dir);
	for (i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		strcpy(text, good);
		snprintf(want, sizeof(want), "\n%s:", settings[i]);
		line = strstr(text, want + (i == 0));
		assert_non_null(line);
		if (i)
			line++;
		memmove(line, strchr(line, '\n') + 1, strlen(strchr(line, '\n') + 1) + 1);
		write_file("sliced.yaml", text);
		assert_int_equal(config_load(&cfg, path, err, sizeof(err)), -1);
		snprintf(want, sizeof(want), "%s: missing", settings[i]);
		if (!strstr(err, want))
			fail_msg("got \"%s\", want \"%s\"", err, want);
	}
}

static void test_kubeconfig_bad(void **state)
{
	struct sliced_config cfg;
	char err[512];

	write_file("kubeconfig", "current-context: gone\ncontexts: []\n");
	assert_int_equal(load_with(&cfg, "", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "kubeconfig: contexts: no entry named \"gone\""));

	write_file("kubeconfig",
		   "current-context: c\ncontexts: [{name: c, context: {cluster: h, user: u}}]\n"
		   "clusters: [{name: h, cluster: {server: 'ftp://x'}}]\n"
		   "users: [{name: u, user: {token: t}}]\n");
	assert_int_equal(load_with(&cfg, "", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "clusters[].cluster.server: \"ftp://x\" is not"));

	write_file("kubeconfig",
		   "current-context: c\ncontexts: [{name: c, context: {cluster: h, user: u}}]\n"
		   "clusters: [{name: h, cluster: {server: 'https://x'}}]\n"
		   "users: [{name: u, user: {}}]\n");
	assert_int_equal(load_with(&cfg, "", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "users[].user.token: give exactly one"));
	write_file("kubeconfig", kubeconfig);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_optional),
		cmocka_unit_test(test_dual_stack),
		cmocka_unit_test(test_token_file),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_kubeconfig_bad),
	};

	return cmocka_run_group_tests_name("sliced config", tests, setup, teardown);
}
