// SPDX-License-Identifier: GPL-2.0
/*
 * slice-cni's codecs: the environment and network configuration in, sliced's lease reply,
 * the result and error objects out (as the CNI 1.0 spec shapes them).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cni/netconf.h"
#include "cni/protocol.h"

static const char *env[16][2];

static const char *fake_get(const char *name)
{
	int i;

	for (i = 0; i < 16 && env[i][0]; i++)
		if (!strcmp(env[i][0], name))
			return env[i][1];
	return NULL;
}

static void set_env(const char *name, const char *value)
{
	int i;

	for (i = 0; i < 15 && env[i][0] && strcmp(env[i][0], name); i++)
		;
	env[i][0] = name;
	env[i][1] = value;
}

static int setup(void **state)
{
	memset(env, 0, sizeof(env));
	set_env("CNI_COMMAND", "ADD");
	set_env("CNI_CONTAINERID", "abc123");
	set_env("CNI_NETNS", "/run/netns/pod");
	set_env("CNI_IFNAME", "eth0");
	set_env("CNI_PATH", "/opt/cni/bin");
	set_env("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=shop;K8S_POD_NAME=web-0");
	return 0;
}

#define CONF "{\"cniVersion\": \"1.0.0\", \"name\": \"slice-red\", \"type\": \"slice-cni\", " \
	     "\"slice\": \"red\", \"futureField\": [1]}"

static int parse(const char *conf, struct cni_request *req, struct cni_error *err)
{
	memset(err, 0, sizeof(*err));
	return cni_request_parse(req, conf, fake_get, err);
}

static void test_good_request(void **state)
{
	struct cni_request req;
	struct cni_error err;

	assert_int_equal(parse(CONF, &req, &err), 0);
	assert_int_equal(req.cmd, CNI_CMD_ADD);
	assert_string_equal(req.container_id, "abc123");
	assert_string_equal(req.netns, "/run/netns/pod");
	assert_string_equal(req.ifname, "eth0");
	assert_string_equal(req.pod_ns, "shop");
	assert_string_equal(req.pod_name, "web-0");
	assert_string_equal(req.slice, "red");
	assert_string_equal(req.socket, CNI_SOCKET_DEFAULT);
}

static void expect_error(const char *conf, int code, const char *words)
{
	struct cni_request req;
	struct cni_error err;

	assert_int_equal(parse(conf, &req, &err), -1);
	assert_int_equal(err.code, code);
	if (!strstr(err.msg, words))
		fail_msg("\"%s\" does not say \"%s\"", err.msg, words);
}

static void test_bad_config(void **state)
{
	expect_error("{not json", CNI_ERR_DECODE, "not a JSON object");
	expect_error("[]", CNI_ERR_DECODE, "not a JSON object");
	expect_error("{\"cniVersion\": \"0.3.1\", \"name\": \"n\", \"slice\": \"red\"}",
		     CNI_ERR_INCOMPATIBLE_VERSION, "0.3.1");
	expect_error("{\"name\": \"n\", \"slice\": \"red\"}", CNI_ERR_INVALID_CONFIG,
		     "\"cniVersion\" is missing");
	expect_error("{\"cniVersion\": \"1.0.0\", \"name\": \"n\"}", CNI_ERR_INVALID_CONFIG,
		     "\"slice\" is missing");
	expect_error("{\"cniVersion\": \"1.0.0\", \"name\": \"n\", \"slice\": 7}",
		     CNI_ERR_INVALID_CONFIG, "\"slice\" must be a string");
	expect_error("{\"cniVersion\": \"1.0.0\", \"name\": \"n\", \"slice\": \"Red_1\"}",
		     CNI_ERR_INVALID_CONFIG, "not a slice name");
}

static void test_bad_environment(void **state)
{
	set_env("CNI_COMMAND", "GET");
	expect_error(CONF, CNI_ERR_INVALID_ENV, "not a CNI command");
	setup(state);
	set_env("CNI_IFNAME", "");
	expect_error(CONF, CNI_ERR_INVALID_ENV, "CNI_IFNAME is not set");
	set_env("CNI_IFNAME", "a/b");
	expect_error(CONF, CNI_ERR_INVALID_ENV, "not an interface name");
	set_env("CNI_IFNAME", "waytoolonginterface");
	expect_error(CONF, CNI_ERR_INVALID_ENV, "CNI_IFNAME is too long");
	setup(state);
	set_env("CNI_CONTAINERID", "../etc");
	expect_error(CONF, CNI_ERR_INVALID_ENV, "not a container id");
	setup(state);
	set_env("CNI_NETNS", NULL);
	expect_error(CONF, CNI_ERR_INVALID_ENV, "CNI_NETNS is not set");
	setup(state);
	set_env("CNI_ARGS", "K8S_POD_NAMESPACE");
	expect_error(CONF, CNI_ERR_INVALID_ENV, "not KEY=VALUE");
	set_env("CNI_ARGS", "K8S_POD_NAMESPACE=Not_A_Namespace");
	expect_error(CONF, CNI_ERR_INVALID_ENV, "not a namespace name");
}

static void test_del_needs_no_netns(void **state)
{
	struct cni_request req;
	struct cni_error err;

	set_env("CNI_COMMAND", "DEL");
	set_env("CNI_NETNS", NULL);
	assert_int_equal(parse(CONF, &req, &err), 0);
	assert_int_equal(req.cmd, CNI_CMD_DEL);
	assert_string_equal(req.netns, "");
}

static void test_version(void **state)
{
	struct cni_request req;
	struct cni_error err;
	cJSON *v;

	set_env("CNI_COMMAND", "VERSION");
	assert_int_equal(parse(NULL, &req, &err), 0);
	v = cni_version_json();
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(v, "supportedVersions"), 0)
			    ->valuestring, "1.0.0");
	cJSON_Delete(v);
}

#define LEASE "{\"address\": \"10.1.0.2\", \"gateway\": \"10.1.0.1\", " \
	      "\"clusterSubnet\": \"10.1.0.0/20\", \"sliceSubnet\": \"10.1.0.0/16\", " \
	      "\"device\": \"slice-red\", \"dns\": \"10.1.0.1\", " \
	      "\"search\": [\"shop.svc.slice.local\", \"svc.slice.local\"]}"

static void test_lease_and_result(void **state)
{
	struct cni_iface host = { "sl0123456789ab", "02:00:00:00:00:01", NULL };
	struct cni_iface pod = { "eth0", "02:00:00:00:00:02", "/run/netns/pod" };
	cJSON *reply = cJSON_Parse(LEASE), *r, *ip, *route, *dns, *ifs;
	struct cni_lease lease;
	struct cni_error err;

	assert_int_equal(cni_lease_parse(reply, &lease, &err), 0);
	cJSON_Delete(reply);
	assert_string_equal(lease.device, "slice-red");
	assert_int_equal(lease.n_search, 2);
	r = cni_result(&lease, &host, &pod);
	assert_string_equal(cJSON_GetObjectItem(r, "cniVersion")->valuestring, "1.0.0");
	ifs = cJSON_GetObjectItem(r, "interfaces");
	assert_int_equal(cJSON_GetArraySize(ifs), 2);
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(ifs, 0), "sandbox"));
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(ifs, 1), "sandbox")
			    ->valuestring, "/run/netns/pod");
	ip = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "ips"), 0);
	assert_string_equal(cJSON_GetObjectItem(ip, "address")->valuestring, "10.1.0.2/32");
	assert_string_equal(cJSON_GetObjectItem(ip, "gateway")->valuestring, "10.1.0.1");
	assert_int_equal(cJSON_GetObjectItem(ip, "interface")->valueint, 1);
	route = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "routes"), 0);
	assert_string_equal(cJSON_GetObjectItem(route, "dst")->valuestring, "10.1.0.0/16");
	assert_string_equal(cJSON_GetObjectItem(route, "gw")->valuestring, "10.1.0.1");
	dns = cJSON_GetObjectItem(r, "dns");
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(dns, "nameservers"), 0)
			    ->valuestring, "10.1.0.1");
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(dns, "search"), 1)
			    ->valuestring, "svc.slice.local");
	cJSON_Delete(r);
}

static void test_lease_errors(void **state)
{
	cJSON *reply = cJSON_Parse("{\"error\": {\"code\": 7, \"msg\": \"no slice \\\"x\\\"\", "
				   "\"details\": \"d\"}}"), *e;
	struct cni_lease lease;
	struct cni_error err;

	assert_int_equal(cni_lease_parse(reply, &lease, &err), -1);
	cJSON_Delete(reply);
	assert_int_equal(err.code, CNI_ERR_INVALID_CONFIG);
	assert_string_equal(err.msg, "sliced: no slice \"x\"");
	e = cni_error_json(&err);
	assert_int_equal(cJSON_GetObjectItem(e, "code")->valueint, 7);
	assert_string_equal(cJSON_GetObjectItem(e, "details")->valuestring, "d");
	assert_string_equal(cJSON_GetObjectItem(e, "cniVersion")->valuestring, "1.0.0");
	cJSON_Delete(e);

	reply = cJSON_Parse("{\"address\": \"10.1.0.2\"}");
	assert_int_equal(cni_lease_parse(reply, &lease, &err), -1);
	assert_int_equal(err.code, CNI_ERR_IO);
	assert_non_null(strstr(err.msg, "gateway"));
	cJSON_Delete(reply);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_good_request, setup),
		cmocka_unit_test_setup(test_bad_config, setup),
		cmocka_unit_test_setup(test_bad_environment, setup),
		cmocka_unit_test_setup(test_del_needs_no_netns, setup),
		cmocka_unit_test_setup(test_version, setup),
		cmocka_unit_test_setup(test_lease_and_result, setup),
		cmocka_unit_test_setup(test_lease_errors, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
