// SPDX-License-Identifier: GPL-2.0
/*
 * ServiceExport files: what is accepted and what is refused with which field named, and
 * the ServiceExportConfig made from them with endpoints found among the pod leases.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "api/json.h"
#include "exports.h"
#include "log.h"
#include "yamljson.h"

static cJSON *parse_yaml(const char *yaml, char *err, size_t errlen)
{
	cJSON *doc = yaml_to_json(yaml, strlen(yaml), err, errlen), *exp;

	assert_non_null(doc);
	exp = exports_parse(doc, err, errlen);
	cJSON_Delete(doc);
	return exp;
}

static const char web[] =
	"apiVersion: networking.kubeslice.io/v1beta1\n"
	"kind: ServiceExport\n"
	"metadata: {name: web, namespace: shop}\n"
	"spec:\n"
	"  slice: red\n"
	"  selector: {matchNames: [\"web-*\"]}\n"
	"  endpoints: [{name: extra, address: 10.1.0.99}]\n"
	"  ports: [{name: http, containerPort: 8000, protocol: TCP}]\n"
	"  aliases: [web.example.com]\n";

static void test_parse_good(void **state)
{
	char err[256];
	cJSON *exp = parse_yaml(web, err, sizeof(err));
	long port = 0;

	assert_non_null(exp);
	assert_string_equal(ks_get_str0(exp, "slice"), "red");
	assert_true(ks_get_int(cJSON_GetArrayItem(ks_get(exp, "ports"), 0), "port", &port));
	assert_int_equal(port, 8000);
	assert_true(ks_get_int(cJSON_GetArrayItem(ks_get(exp, "ports"), 0), "servicePort", &port));
	assert_int_equal(port, 8000);
	cJSON_Delete(exp);
}

static void expect_refused(const char *yaml, const char *field)
{
	char err[256] = "";
	cJSON *exp = parse_yaml(yaml, err, sizeof(err));

	assert_null(exp);
	if (strncmp(err, field, strlen(field)))
		fail_msg("error \"%s\" does not start with %s", err, field);
}

static void test_parse_bad(void **state)
{
	expect_refused("kind: Service\nmetadata: {name: a, namespace: b}\n", "kind");
	expect_refused("kind: ServiceExport\nmetadata: {name: A_b, namespace: b}\n"
		       "spec: {slice: red, endpoints: []}\n", "metadata");
	expect_refused("kind: ServiceExport\nmetadata: {name: a, namespace: b}\n"
		       "spec: {endpoints: []}\n", "spec.slice");
	expect_refused("kind: ServiceExport\nmetadata: {name: a, namespace: b}\n"
		       "spec: {slice: red}\n", "spec: give");
	expect_refused("kind: ServiceExport\nmetadata: {name: a, namespace: b}\n"
		       "spec: {slice: red, selector: {matchLabels: {app: a}}}\n",
		       "spec.selector.matchNames");
	expect_refused("kind: ServiceExport\nmetadata: {name: a, namespace: b}\n"
		       "spec: {slice: red, endpoints: [{name: e, address: 10.1.0}]}\n",
		       "spec.endpoints[0].address");
	expect_refused("kind: ServiceExport\nmetadata: {name: a, namespace: b}\n"
		       "spec: {slice: red, endpoints: [], ports: [{containerPort: 70000}]}\n",
		       "spec.ports[0].containerPort");
	expect_refused("kind: ServiceExport\nmetadata: {name: a, namespace: b}\n"
		       "spec: {slice: red, endpoints: [], ports: [{containerPort: 80, protocol: ICMP}]}\n",
		       "spec.ports[0].protocol");
	expect_refused("kind: ServiceExport\nmetadata: {name: a, namespace: b}\n"
		       "spec: {slice: red, endpoints: [], aliases: [\"not a name\"]}\n",
		       "spec.aliases[0]");
}

static void test_config_from_leases(void **state)
{
	char dir[] = "/tmp/test_exports.XXXXXX", err[256], cmd[64];
	const struct ipam_lease *l;
	struct ipam_pool pool;
	struct ks_prefix net;
	cJSON *exp = parse_yaml(web, err, sizeof(err)), *sec, *eps;

	assert_non_null(mkdtemp(dir));
	ks_prefix_parse("10.1.32.0/20", &net);
	assert_int_equal(ipam_pool_open(&pool, dir, "red", &net, err, sizeof(err)), 0);
	assert_int_equal(ipam_pool_alloc(&pool, "a", "eth0", "shop", "web-0", &l), 0);
	assert_int_equal(ipam_pool_alloc(&pool, "b", "eth0", "shop", "db-0", &l), 0);
	assert_int_equal(ipam_pool_alloc(&pool, "c", "eth0", "other", "web-1", &l), 0);
	assert_int_equal(ipam_pool_alloc(&pool, "d", "eth0", "shop", "web-2", &l), 0);

	sec = exports_config(exp, "c3", "kubeslice-demo", &pool);
	assert_string_equal(ks_name(sec), "web-shop-red-c3");
	assert_string_equal(ks_namespace(sec), "kubeslice-demo");
	assert_string_equal(ks_label(sec, "worker-cluster"), "c3");
	assert_string_equal(ks_get_str0(sec, "spec.sourceCluster"), "c3");
	assert_string_equal(ks_get_str0(sec, "spec.sliceName"), "red");
	eps = ks_get(sec, "spec.serviceDiscoveryEndpoints");
	/* extra (named outright), web-0 and web-2; not db-0 (name) nor web-1 (namespace). */
	assert_int_equal(cJSON_GetArraySize(eps), 3);
	assert_string_equal(ks_get_str0(cJSON_GetArrayItem(eps, 0), "nsmIp"), "10.1.0.99");
	assert_string_equal(ks_get_str0(cJSON_GetArrayItem(eps, 1), "podName"), "web-0");
	assert_string_equal(ks_get_str0(cJSON_GetArrayItem(eps, 1), "nsmIp"), "10.1.32.2");
	assert_string_equal(ks_get_str0(cJSON_GetArrayItem(eps, 1), "dnsName"),
			    "web-0.c3.web.shop.svc.slice.local");
	assert_string_equal(ks_get_str0(cJSON_GetArrayItem(eps, 2), "podName"), "web-2");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetArrayItem(ks_get(sec, "spec.aliases"), 0)),
			    "web.example.com");
	cJSON_Delete(sec);
	ipam_pool_close(&pool);
	cJSON_Delete(exp);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* Status files beside the exports: written, kept when unchanged, removed, and shown. */
static void test_status_files(void **state)
{
	char dir[] = "/tmp/test_exports.XXXXXX", path[128], cmd[64], *table = NULL;
	cJSON *status = cJSON_Parse("{\"web.yaml\": {\"file\": \"web.yaml\", \"name\": \"web\","
				    " \"namespace\": \"shop\", \"slice\": \"red\","
				    " \"exportStatus\": \"READY\", \"availableEndpoints\": 2,"
				    " \"dnsName\": \"web.shop.svc.slice.local\"},"
				    " \"bad.yaml\": {\"file\": \"bad.yaml\","
				    " \"exportStatus\": \"ERROR\","
				    " \"message\": \"spec.slice: the name of a slice\"}}");
	cJSON *written = cJSON_CreateObject();
	size_t len = 0;
	FILE *out;

	assert_non_null(mkdtemp(dir));
	exports_status_write(dir, status, written);
	snprintf(path, sizeof(path), "%s/web.yaml.status", dir);
	assert_int_equal(access(path, R_OK), 0);
	snprintf(path, sizeof(path), "%s/bad.yaml.status", dir);
	assert_int_equal(access(path, R_OK), 0);
	out = open_memstream(&table, &len);
	assert_int_equal(exports_status_print(dir, false, out), 0);
	fclose(out);
	assert_non_null(strstr(table, "shop/web"));
	assert_non_null(strstr(table, "READY    2"));
	assert_non_null(strstr(table, "ERROR"));
	assert_non_null(strstr(table, "spec.slice: the name of a slice"));
	free(table);

	/* The bad file fixed or gone: its status goes too. */
	cJSON_DeleteItemFromObject(status, "bad.yaml");
	exports_status_write(dir, status, written);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(cJSON_GetArraySize(written), 1);
	cJSON_Delete(status);
	cJSON_Delete(written);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_config_from_leases),
		cmocka_unit_test(test_status_files),
	};

	log_init(false, false, "c3");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
