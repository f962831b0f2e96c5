// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of libsliceapi: names, JSON helpers, base64, whole files, subnets, DSCP classes,
 * gateway pairs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "api/base64.h"
#include "api/file.h"
#include "api/gateways.h"
#include "api/json.h"
#include "api/kubeslice.h"
#include "api/qos.h"
#include "api/subnet.h"

static void test_resource_lookup(void **state)
{
	const struct ks_resource *res;
	char av[64];

	res = ks_resource_by_plural("workerslicegateways");
	assert_non_null(res);
	assert_string_equal(res->kind, "WorkerSliceGateway");
	ks_resource_api_version(res, av, sizeof(av));
	assert_string_equal(av, "worker.kubeslice.io/v1alpha1");
	assert_ptr_equal(ks_resource_by_kind("worker.kubeslice.io/v1alpha1",
					     "WorkerSliceGateway"), res);
	assert_null(ks_resource_by_kind("controller.kubeslice.io/v1alpha1",
					"WorkerSliceGateway"));
	res = ks_resource_by_plural("namespaces");
	assert_false(res->namespaced);
	ks_resource_api_version(res, av, sizeof(av));
	assert_string_equal(av, "v1");
	assert_null(ks_resource_by_plural("slices"));
}

static void test_dns1123(void **state)
{
	char longlabel[65];

	assert_true(ks_dns1123_label("red"));
	assert_true(ks_dns1123_label("a-1"));
	assert_false(ks_dns1123_label("Red"));
	assert_false(ks_dns1123_label("-red"));
	assert_false(ks_dns1123_label("red-"));
	assert_false(ks_dns1123_label("a.b"));
	assert_false(ks_dns1123_label(""));
	memset(longlabel, 'a', 64);
	longlabel[64] = '\0';
	assert_false(ks_dns1123_label(longlabel));
	longlabel[63] = '\0';
	assert_true(ks_dns1123_label(longlabel));
	assert_true(ks_dns1123_subdomain("a.b-c.d"));
	assert_false(ks_dns1123_subdomain("a..b"));
	assert_false(ks_dns1123_subdomain("a_b"));
	assert_false(ks_dns1123_subdomain(NULL));
}

static void test_project_namespace(void **state)
{
	char buf[16];

	assert_int_equal(ks_project_namespace("acme", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "kubeslice-acme");
	assert_int_not_equal(ks_project_namespace("acme-corp-x", buf, sizeof(buf)), 0);
}

static void test_json_paths(void **state)
{
	cJSON *obj = cJSON_Parse("{\"spec\":{\"a\":{\"b\":\"x\"},\"n\":3,\"f\":1.5}}");
	long v;

	assert_string_equal(ks_get_str(obj, "spec.a.b"), "x");
	assert_null(ks_get_str(obj, "spec.a"));
	assert_string_equal(ks_get_str0(obj, "spec.zz"), "");
	assert_true(ks_get_int(obj, "spec.n", &v));
	assert_int_equal(v, 3);
	assert_false(ks_get_int(obj, "spec.f", &v));
	assert_false(ks_get_int(obj, "spec.a", &v));
	assert_true(ks_set_str(ks_ensure(obj, "status.x.y"), "z", "w"));
	assert_string_equal(ks_get_str(obj, "status.x.y.z"), "w");
	cJSON_Delete(obj);
}

static void test_json_metadata(void **state)
{
	cJSON *obj = ks_object_new("v1", "Secret", "ns", "s");
	cJSON *arr = cJSON_Parse("[\"a\", 1, \"b\"]"), *dup;

	assert_string_equal(ks_name(obj), "s");
	assert_string_equal(ks_namespace(obj), "ns");
	assert_null(ks_label(obj, "kubeslice.io/cluster"));
	assert_true(ks_set_label(obj, "kubeslice.io/cluster", "c1"));
	assert_string_equal(ks_label(obj, "kubeslice.io/cluster"), "c1");
	assert_true(ks_set_label(obj, "kubeslice.io/cluster", "c2"));
	assert_string_equal(ks_label(obj, "kubeslice.io/cluster"), "c2");
	assert_true(ks_set_annotation(obj, "k", "v"));
	assert_string_equal(ks_annotation(obj, "k"), "v");
	assert_true(ks_array_has_str(arr, "b"));
	assert_false(ks_array_has_str(arr, "c"));
	dup = ks_str_array_dup(arr);
	assert_int_equal(cJSON_GetArraySize(dup), 2);
	cJSON_Delete(dup);
	cJSON_Delete(arr);
	cJSON_Delete(obj);
}

static void test_base64(void **state)
{
	static const char *const plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	static const char *const coded[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
					     "Zm9vYmFy" };
	unsigned char *dec;
	unsigned int i;
	size_t len;
	char *enc;

	for (i = 0; i < 7; i++) {
		enc = ks_b64_encode(plain[i], strlen(plain[i]));
		assert_string_equal(enc, coded[i]);
		free(enc);
		dec = ks_b64_decode(coded[i], &len);
		assert_non_null(dec);
		assert_int_equal(len, strlen(plain[i]));
		assert_memory_equal(dec, plain[i], len);
		free(dec);
	}
	assert_null(ks_b64_decode("Zg=", &len));
	assert_null(ks_b64_decode("Z===", &len));
	assert_null(ks_b64_decode("Zg=a", &len));
	assert_null(ks_b64_decode("Zg==Zg==", &len));
	assert_null(ks_b64_decode("Zm9*", &len));
	assert_null(ks_b64_decode("Zm9-", &len));
	assert_null(ks_b64_decode("Zm9_", &len));
}

/* Every byte value through encode and decode: each of the 64 characters is decoded. */
static void test_base64_alphabet(void **state)
{
	unsigned char all[256], *dec;
	size_t len;
	char *enc;

	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	enc = ks_b64_encode(all, sizeof(all));
	for (const char *c = "AZaz09+/"; *c; c++)
		assert_non_null(strchr(enc, *c));
	dec = ks_b64_decode(enc, &len);
	assert_non_null(dec);
	assert_int_equal(len, sizeof(all));
	assert_memory_equal(dec, all, sizeof(all));
	free(dec);
	free(enc);
}

static void test_base64_text(void **state)
{
	char *text = ks_b64_text("aGk=");

	assert_string_equal(text, "hi");
	free(text);
	assert_null(ks_b64_text(NULL));
	assert_null(ks_b64_text("aGk"));
	assert_null(ks_b64_text("AGk="));	/* "\0i": a NUL inside is not text */
}

/* A file replaced whole: the content and mode asked for, no PATH.tmp left, errors named. */
static void test_write_file(void **state)
{
	char dir[] = "/tmp/api-file-XXXXXX", path[64], tmp[80], *text;
	mode_t mask = umask(0);
	struct stat st;
	size_t len;

	umask(mask);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	assert_int_equal(ks_write_file(path, "old", 3, 0600), 0);
	assert_int_equal(ks_write_file(path, "new\0x", 5, 0644), 0);
	text = ks_read_file(path, &len);
	assert_non_null(text);
	assert_int_equal(len, 5);
	assert_memory_equal(text, "new\0x", 6);
	free(text);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644 & ~mask);	/* the new file's mode */
	assert_int_equal(access(tmp, F_OK), -1);

	snprintf(path, sizeof(path), "%s/no/f", dir);
	assert_int_equal(ks_write_file(path, "x", 1, 0600), -ENOENT);
	errno = 0;
	assert_null(ks_read_file(path, NULL));
	assert_int_equal(errno, ENOENT);

	snprintf(path, sizeof(path), "%s/f", dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

/* Reads past the first buffer's 4 KiB, and stops with EFBIG past the limit. */
static void test_read_fd(void **state)
{
	static char big[10000];
	char *text;
	size_t len;
	int p[2];

	memset(big, 'a', sizeof(big));
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], big, sizeof(big)), sizeof(big));
	close(p[1]);
	text = ks_read_fd(p[0], sizeof(big), &len);
	close(p[0]);
	assert_non_null(text);
	assert_int_equal(len, sizeof(big));
	assert_int_equal(strlen(text), sizeof(big));
	free(text);

	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], big, sizeof(big)), sizeof(big));
	close(p[1]);
	errno = 0;
	assert_null(ks_read_fd(p[0], sizeof(big) - 1, &len));
	assert_int_equal(errno, EFBIG);
	close(p[0]);
}

static void test_time(void **state)
{
	char buf[KS_TIME_STRLEN];

	ks_time_format(1700000000, buf);
	assert_string_equal(buf, "2023-11-14T22:13:20Z");
	assert_int_equal(ks_time_parse(buf), 1700000000);
	assert_int_equal(ks_time_parse("2023-11-14T22:13:20.123456Z"), 1700000000);
	assert_int_equal(ks_time_parse("2023-11-15T00:13:20+02:00"), 1700000000);
	assert_int_equal(ks_time_parse("2023-11-14"), -1);
	assert_int_equal(ks_time_parse("2023-11-14T22:13:20"), -1);
	assert_int_equal(ks_time_parse(NULL), -1);
}

static void test_prefix_parse(void **state)
{
	char buf[KS_PREFIX_STRLEN];
	struct ks_prefix p;

	assert_int_equal(ks_prefix_parse("10.1.0.0/16", &p), 0);
	assert_int_equal(p.addr, 0x0a010000);
	assert_int_equal(p.len, 16);
	ks_prefix_format(&p, buf);
	assert_string_equal(buf, "10.1.0.0/16");
	assert_int_not_equal(ks_prefix_parse("10.1.0.1/16", &p), 0);
	assert_int_not_equal(ks_prefix_parse("10.1.0.0", &p), 0);
	assert_int_not_equal(ks_prefix_parse("10.1.0.0/33", &p), 0);
	assert_int_not_equal(ks_prefix_parse("10.256.0.0/16", &p), 0);
	assert_int_not_equal(ks_prefix_parse("10.01.0.0/16", &p), 0);
	assert_int_not_equal(ks_prefix_parse("10.1.0.0/16x", &p), 0);
	assert_int_not_equal(ks_prefix_parse(" 10.1.0.0/16", &p), 0);
	assert_int_equal(ks_prefix_parse("0.0.0.0/0", &p), 0);
}

static void test_prefix_private_overlap(void **state)
{
	struct ks_prefix a, b;

	ks_prefix_parse("10.1.0.0/16", &a);
	assert_true(ks_prefix_is_private(&a));
	ks_prefix_parse("172.31.0.0/16", &a);
	assert_true(ks_prefix_is_private(&a));
	ks_prefix_parse("172.32.0.0/16", &a);
	assert_false(ks_prefix_is_private(&a));
	ks_prefix_parse("192.168.0.0/16", &a);
	assert_true(ks_prefix_is_private(&a));
	ks_prefix_parse("192.169.0.0/16", &a);
	assert_false(ks_prefix_is_private(&a));
	ks_prefix_parse("10.0.0.0/7", &a);
	assert_false(ks_prefix_is_private(&a));

	ks_prefix_parse("10.1.0.0/16", &a);
	ks_prefix_parse("10.1.128.0/17", &b);
	assert_true(ks_prefix_overlaps(&a, &b));
	assert_true(ks_prefix_overlaps(&b, &a));
	ks_prefix_parse("10.0.0.0/8", &b);
	assert_true(ks_prefix_overlaps(&a, &b));
	ks_prefix_parse("10.2.0.0/16", &b);
	assert_false(ks_prefix_overlaps(&a, &b));
}

static void test_cluster_subnet_rule(void **state)
{
	char buf[KS_PREFIX_STRLEN];
	struct ks_prefix slice, c;

	assert_int_equal(ks_cluster_prefix_len(2), 17);
	assert_int_equal(ks_cluster_prefix_len(3), 18);
	assert_int_equal(ks_cluster_prefix_len(16), 20);
	assert_int_equal(ks_cluster_prefix_len(17), 21);
	assert_int_equal(ks_cluster_prefix_len(32), 21);
	assert_true(ks_cluster_prefix_len(1) < 0);
	assert_true(ks_cluster_prefix_len(33) < 0);

	ks_prefix_parse("10.1.0.0/16", &slice);
	assert_int_equal(ks_cluster_subnet(&slice, 16, 0, &c), 0);
	ks_prefix_format(&c, buf);
	assert_string_equal(buf, "10.1.0.0/20");
	ks_cluster_subnet(&slice, 16, 1, &c);
	ks_prefix_format(&c, buf);
	assert_string_equal(buf, "10.1.16.0/20");
	ks_cluster_subnet(&slice, 16, 15, &c);
	ks_prefix_format(&c, buf);
	assert_string_equal(buf, "10.1.240.0/20");
	ks_cluster_subnet(&slice, 32, 31, &c);
	ks_prefix_format(&c, buf);
	assert_string_equal(buf, "10.1.248.0/21");
	ks_cluster_subnet(&slice, 2, 1, &c);
	ks_prefix_format(&c, buf);
	assert_string_equal(buf, "10.1.128.0/17");
	assert_true(ks_cluster_subnet(&slice, 16, 16, &c) < 0);
	assert_true(ks_cluster_subnet(&slice, 16, -1, &c) < 0);
}

static void test_vpn_addresses(void **state)
{
	char buf[KS_PREFIX_STRLEN];
	struct ks_prefix slice, vpn;

	ks_prefix_parse("192.168.0.0/16", &slice);
	ks_vpn_network(&slice, &vpn);
	ks_prefix_format(&vpn, buf);
	assert_string_equal(buf, "192.168.255.0/24");
	ks_addr_format(ks_vpn_server_addr(&slice), buf);
	assert_string_equal(buf, "192.168.255.1");
	ks_addr_format(ks_vpn_client_addr(&slice), buf);
	assert_string_equal(buf, "192.168.255.2");
}

static void test_dscp(void **state)
{
	assert_int_equal(ks_dscp_value("Default"), 0);
	assert_int_equal(ks_dscp_value("AF11"), 10);
	assert_int_equal(ks_dscp_value("AF43"), 38);
	assert_int_equal(ks_dscp_value("EF"), 46);
	assert_int_equal(ks_dscp_value("AF44"), -1);
	assert_int_equal(ks_dscp_value("ef"), -1);
	assert_int_equal(ks_dscp_value(NULL), -1);
}

static void test_gateway_pairs(void **state)
{
	cJSON *gw = cJSON_Parse("{\"spec\":{"
		"\"localGatewayConfig\":{\"nodeIps\":[\"10.0.0.1\",\"10.0.0.2\",\"10.0.0.3\"],"
		"\"nodePorts\":[30000,30000]},"
		"\"remoteGatewayConfig\":{\"nodeIps\":[\"10.9.0.1\",\"10.9.0.2\"],"
		"\"nodePorts\":[30001,30001]}}}");
	char key[32];

	(void)state;
	assert_non_null(gw);
	assert_int_equal(ks_gateway_pairs(gw), 2);
	assert_int_equal(ks_gateway_pair_of(gw, "10.0.0.2"), 1);
	/* A third gateway node with no pair of its own runs none. */
	assert_int_equal(ks_gateway_pair_of(gw, "10.0.0.3"), -1);
	assert_int_equal(ks_gateway_pair_of(gw, "10.9.0.1"), -1);
	assert_int_equal(ks_gateway_pair_of(gw, NULL), -1);
	assert_string_equal(ks_gateway_pair_remote(gw, 1, AF_INET), "10.9.0.2");
	assert_null(ks_gateway_pair_remote(gw, 1, AF_INET6));
	assert_null(ks_gateway_pair_remote(gw, 2, AF_INET));
	assert_null(ks_gateway_pair_remote(gw, -1, AF_INET));
	assert_int_equal(ks_gateway_nodes(ks_get(gw, "spec.localGatewayConfig.nodeIps")), 3);
	assert_string_equal(ks_gateway_pair_secret_key(key, sizeof(key), 0, "crt"), "tls.crt");
	assert_string_equal(ks_gateway_pair_secret_key(key, sizeof(key), 1, "key"), "tls-1.key");
	cJSON_Delete(gw);
	/* Two dual-stack nodes here, one IPv6-only node there: node k is the k-th of a family. */
	gw = cJSON_Parse("{\"spec\":{"
		"\"localGatewayConfig\":{\"nodeIps\":[\"10.0.0.1\",\"fd00::1\",\"10.0.0.2\","
		"\"fd00::2\"],\"nodePorts\":[30000,30000]},"
		"\"remoteGatewayConfig\":{\"nodeIps\":[\"fd09::1\",\"fd09::2\",\"bogus\"],"
		"\"nodePorts\":[30001,30001]}}}");
	assert_non_null(gw);
	assert_int_equal(ks_gateway_nodes(ks_get(gw, "spec.localGatewayConfig.nodeIps")), 2);
	assert_int_equal(ks_gateway_nodes(ks_get(gw, "spec.remoteGatewayConfig.nodeIps")), 2);
	assert_int_equal(ks_gateway_pair_of(gw, "fd00::2"), 1);
	assert_int_equal(ks_gateway_pair_of(gw, "10.0.0.2"), 1);
	assert_int_equal(ks_gateway_pair_of(gw, "bogus"), -1);
	assert_string_equal(ks_gateway_pair_remote(gw, 1, AF_INET6), "fd09::2");
	assert_null(ks_gateway_pair_remote(gw, 0, AF_INET));
	assert_int_equal(ks_ip_family("fd00::1"), AF_INET6);
	assert_int_equal(ks_ip_family("10.0.0.1"), AF_INET);
	assert_int_equal(ks_ip_family("10.0.0"), AF_UNSPEC);
	assert_int_equal(ks_ip_family(NULL), AF_UNSPEC);
	cJSON_Delete(gw);
	/* KubeSlice's objects without ports still describe one pair. */
	gw = cJSON_Parse("{\"spec\":{}}");
	assert_int_equal(ks_gateway_pairs(gw), 1);
	cJSON_Delete(gw);
}

static void test_liveness(void **state)
{
	static const struct {
		const char *json;
		const char *error;	/* start of the error, or NULL */
	} cases[] = {
		{ "{}", NULL },
		{ "{\"liveness\":{\"intervalMilliseconds\":50,\"timeoutMilliseconds\":100}}", NULL },
		{ "{\"liveness\":{\"intervalMilliseconds\":250}}", "timeoutMilliseconds: 400" },
		{ "{\"liveness\":{\"intervalMilliseconds\":5}}", "intervalMilliseconds: must" },
		{ "{\"liveness\":{\"timeoutMilliseconds\":\"1s\"}}", "timeoutMilliseconds: must" },
		{ "{\"liveness\":{\"holdMilliseconds\":-1}}", "holdMilliseconds: must" },
		{ "{\"liveness\":{\"holdMilliseconds\":600001}}", "holdMilliseconds: must" },
		{ "{\"liveness\":[]}", "must be an object" },
	};
	struct ks_liveness l;
	char buf[160];
	const char *why;
	unsigned int i;
	cJSON *p;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p = cJSON_Parse(cases[i].json);
		assert_non_null(p);
		why = ks_liveness_check(p, buf, sizeof(buf));
		if (!cases[i].error)
			assert_null(why);
		else if (!why || strncmp(why, cases[i].error, strlen(cases[i].error)))
			fail_msg("%s: got \"%s\", want \"%s...\"", cases[i].json,
				 why ?: "(accepted)", cases[i].error);
		cJSON_Delete(p);
	}
	p = cJSON_Parse("{\"liveness\":{\"timeoutMilliseconds\":300}}");
	l = ks_liveness_of(p);
	assert_int_equal(l.interval_ms, KS_LIVENESS_INTERVAL_DEFAULT);
	assert_int_equal(l.timeout_ms, 300);
	assert_int_equal(l.hold_ms, KS_LIVENESS_HOLD_DEFAULT);
	cJSON_Delete(p);
}

/* A node's block: the k-th eighth of its cluster's block, none past the eighth or below /30. */
static void test_node_block(void **state)
{
	struct ks_prefix cluster, block;
	char text[KS_PREFIX_STRLEN];

	(void)state;
	assert_int_equal(ks_prefix_parse("10.1.16.0/20", &cluster), 0);
	assert_int_equal(ks_gateway_node_block(&cluster, 0, &block), 0);
	ks_prefix_format(&block, text);
	assert_string_equal(text, "10.1.16.0/23");
	assert_int_equal(ks_gateway_node_block(&cluster, 4, &block), 0);
	ks_prefix_format(&block, text);
	assert_string_equal(text, "10.1.24.0/23");
	assert_int_equal(ks_gateway_node_block(&cluster, 7, &block), 0);
	ks_prefix_format(&block, text);
	assert_string_equal(text, "10.1.30.0/23");
	assert_int_equal(ks_gateway_node_block(&cluster, 8, &block), -1);
	assert_int_equal(ks_gateway_node_block(&cluster, -1, &block), -1);
	assert_int_equal(ks_prefix_parse("10.1.16.0/28", &cluster), 0);
	assert_int_equal(ks_gateway_node_block(&cluster, 0, &block), -1);
}

static void test_host_ifname(void **state)
{
	char a[IF_NAMESIZE], b[IF_NAMESIZE], c[IF_NAMESIZE];

	ks_pod_host_ifname("abc123", "eth0", a);
	ks_pod_host_ifname("abc123", "eth0", b);
	ks_pod_host_ifname("abc123", "eth1", c);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_int_equal(strlen(a), 14);
	assert_memory_equal(a, "sl", 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resource_lookup),
		cmocka_unit_test(test_dns1123),
		cmocka_unit_test(test_project_namespace),
		cmocka_unit_test(test_json_paths),
		cmocka_unit_test(test_json_metadata),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_base64_alphabet),
		cmocka_unit_test(test_base64_text),
		cmocka_unit_test(test_write_file),
		cmocka_unit_test(test_read_fd),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_prefix_parse),
		cmocka_unit_test(test_prefix_private_overlap),
		cmocka_unit_test(test_cluster_subnet_rule),
		cmocka_unit_test(test_vpn_addresses),
		cmocka_unit_test(test_dscp),
		cmocka_unit_test(test_gateway_pairs),
		cmocka_unit_test(test_liveness),
		cmocka_unit_test(test_node_block),
		cmocka_unit_test(test_host_ifname),
	};

	return cmocka_run_group_tests_name("api", tests, NULL, NULL);
}
