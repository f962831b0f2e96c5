// SPDX-License-Identifier: GPL-2.0
/*
 * Pod address pools: allocation without duplicates, release, exhaustion, persistence
 * across a reopen (as after a restart of sliced), and the CNI requests on top of them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "api/json.h"
#include "cni/protocol.h"
#include "ipam.h"
#include "log.h"

static char dir[] = "/tmp/test_ipam.XXXXXX";

static int setup(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s/*", dir);
	return system(cmd);
}

static void open_pool(struct ipam_pool *p, const char *cidr)
{
	struct ks_prefix net;
	char err[256] = "";

	assert_int_equal(ks_prefix_parse(cidr, &net), 0);
	assert_int_equal(ipam_pool_open(p, dir, "red", &net, err, sizeof(err)), 0);
}

static uint32_t alloc(struct ipam_pool *p, const char *cid)
{
	const struct ipam_lease *l;

	assert_int_equal(ipam_pool_alloc(p, cid, "eth0", "shop", cid, &l), 0);
	return l->addr;
}

static void test_no_duplicates_and_gateway_kept(void **state)
{
	struct ipam_pool p;
	uint32_t seen[14];
	char cid[16];
	int i, j;

	open_pool(&p, "10.1.16.0/28");	/* 14 hosts: .1 is the gateway, 13 for pods */
	for (i = 0; i < 13; i++) {
		snprintf(cid, sizeof(cid), "c%d", i);
		seen[i] = alloc(&p, cid);
		assert_true(seen[i] > 0x0a011001 && seen[i] < 0x0a01100f);
		for (j = 0; j < i; j++)
			assert_int_not_equal(seen[i], seen[j]);
	}
	/* Same container and interface: the same address again. */
	assert_int_equal(alloc(&p, "c3"), seen[3]);
	assert_int_equal(ipam_gateway(&p.subnet), 0x0a011001);
	ipam_pool_close(&p);
}

static void test_exhaustion_and_release(void **state)
{
	const struct ipam_lease *l;
	struct ipam_pool p;
	uint32_t a, b;

	open_pool(&p, "10.1.0.0/30");	/* one pod address: .2 */
	a = alloc(&p, "first");
	assert_int_equal(a, 0x0a010002);
	assert_int_equal(ipam_pool_alloc(&p, "second", "eth0", "", "", &l), -ENOSPC);
	assert_int_equal(ipam_pool_release(&p, "first", "eth0"), 0);
	/* Releasing what is not there is fine (CNI DEL is idempotent). */
	assert_int_equal(ipam_pool_release(&p, "first", "eth0"), 0);
	b = alloc(&p, "second");
	assert_int_equal(b, a);
	ipam_pool_close(&p);
}

static void test_released_address_not_reused_at_once(void **state)
{
	struct ipam_pool p;
	uint32_t a, b;

	open_pool(&p, "10.1.0.0/24");
	a = alloc(&p, "one");
	assert_int_equal(ipam_pool_release(&p, "one", "eth0"), 0);
	b = alloc(&p, "two");
	assert_int_not_equal(a, b);
	ipam_pool_close(&p);
}

static void test_persistence(void **state)
{
	struct ipam_pool p;
	uint32_t a, b, c;

	open_pool(&p, "10.1.0.0/24");
	a = alloc(&p, "one");
	b = alloc(&p, "two");
	assert_int_equal(ipam_pool_release(&p, "one", "eth0"), 0);
	ipam_pool_close(&p);

	open_pool(&p, "10.1.0.0/24");
	assert_int_equal(p.count, 1);
	assert_non_null(ipam_pool_find(&p, "two", "eth0"));
	assert_null(ipam_pool_find(&p, "one", "eth0"));
	assert_string_equal(ipam_pool_find(&p, "two", "eth0")->pod_ns, "shop");
	c = alloc(&p, "three");
	assert_int_not_equal(c, b);
	assert_int_equal(alloc(&p, "two"), b);
	ipam_pool_close(&p);
	(void)a;

	/* A new cluster subnet: leases outside it are dropped. */
	open_pool(&p, "10.1.16.0/20");
	assert_int_equal(p.count, 0);
	ipam_pool_close(&p);
}

static void test_corrupt_state_refused(void **state)
{
	struct ks_prefix net;
	struct ipam_pool p;
	char path[256], err[256] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/red.json", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"nothing\": 1}", f);
	fclose(f);
	ks_prefix_parse("10.1.0.0/24", &net);
	assert_int_equal(ipam_pool_open(&p, dir, "red", &net, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "red.json"));
}

static cJSON *wsc(const char *slice, const char *cidr)
{
	char text[512];

	snprintf(text, sizeof(text),
		 "{\"%s-c1\": {\"spec\": {\"sliceName\": \"%s\", \"sliceSubnet\": \"10.1.0.0/16\","
		 "\"clusterSubnetCIDR\": \"%s\"}}}", slice, slice, cidr);
	return cJSON_Parse(text);
}

static cJSON *request(struct ipam *m, const char *json)
{
	cJSON *req = cJSON_Parse(json), *reply;

	assert_non_null(req);
	reply = ipam_handle(m, req);
	cJSON_Delete(req);
	return reply;
}

static long error_code(const cJSON *reply)
{
	long code = -1;

	ks_get_int(reply, "error.code", &code);
	return code;
}

static void test_requests(void **state)
{
	struct sockaddr_storage none = { .ss_family = AF_UNSPEC };
	char sock[256], err[256];
	struct ipam *m;
	cJSON *slices, *r;

	snprintf(sock, sizeof(sock), "%s/cni.sock", dir);
	m = ipam_new(dir, sock, &none, err, sizeof(err));
	assert_non_null(m);
	slices = wsc("red", "10.1.0.0/20");
	ipam_update(m, slices);
	assert_true(ipam_take_changed(m));

	r = request(m, "{\"command\": \"ADD\", \"slice\": \"blue\", \"containerID\": \"x\","
		    "\"ifName\": \"eth0\"}");
	assert_int_equal(error_code(r), CNI_ERR_INVALID_CONFIG);
	cJSON_Delete(r);
	r = request(m, "{\"command\": \"ADD\", \"slice\": \"red\"}");
	assert_int_equal(error_code(r), CNI_ERR_DECODE);
	cJSON_Delete(r);
	/* The host has no slice-red device: come back later. */
	r = request(m, "{\"command\": \"ADD\", \"slice\": \"red\", \"containerID\": \"x\","
		    "\"ifName\": \"eth0\"}");
	assert_int_equal(error_code(r), CNI_ERR_TRY_LATER);
	cJSON_Delete(r);
	r = request(m, "{\"command\": \"CHECK\", \"slice\": \"red\", \"containerID\": \"x\","
		    "\"ifName\": \"eth0\"}");
	assert_int_equal(error_code(r), CNI_ERR_NOT_ATTACHED);
	cJSON_Delete(r);
	r = request(m, "{\"command\": \"DEL\", \"slice\": \"gone\", \"containerID\": \"x\","
		    "\"ifName\": \"eth0\"}");
	assert_int_equal(error_code(r), -1);
	cJSON_Delete(r);

	/* A lease made while the device was there answers CHECK with the whole picture. */
	{
		const struct ipam_lease *l;

		assert_int_equal(ipam_pool_alloc(ipam_pool_of(m, "red"), "x", "eth0", "shop",
						 "web-0", &l), 0);
	}
	r = request(m, "{\"command\": \"CHECK\", \"slice\": \"red\", \"containerID\": \"x\","
		    "\"ifName\": \"eth0\"}");
	assert_string_equal(ks_get_str0(r, "address"), "10.1.0.2");
	assert_string_equal(ks_get_str0(r, "gateway"), "10.1.0.1");
	assert_string_equal(ks_get_str0(r, "dns"), "10.1.0.1");
	assert_string_equal(ks_get_str0(r, "sliceSubnet"), "10.1.0.0/16");
	assert_string_equal(ks_get_str0(r, "device"), "slice-red");
	assert_string_equal(cJSON_GetArrayItem(ks_get(r, "search"), 0)->valuestring,
			    "shop.svc.slice.local");
	cJSON_Delete(r);

	/* The slice leaves the cluster: its requests fail, its file stays. */
	cJSON_Delete(slices);
	slices = cJSON_CreateObject();
	ipam_update(m, slices);
	assert_null(ipam_pool_of(m, "red"));
	cJSON_Delete(slices);
	slices = wsc("red", "10.1.0.0/20");
	ipam_update(m, slices);
	assert_non_null(ipam_pool_find(ipam_pool_of(m, "red"), "x", "eth0"));
	cJSON_Delete(slices);
	ipam_free(m);
	assert_int_equal(access(sock, F_OK), -1);
}

static int cleanup(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_no_duplicates_and_gateway_kept, setup),
		cmocka_unit_test_setup(test_exhaustion_and_release, setup),
		cmocka_unit_test_setup(test_released_address_not_reused_at_once, setup),
		cmocka_unit_test_setup(test_persistence, setup),
		cmocka_unit_test_setup(test_corrupt_state_refused, setup),
		cmocka_unit_test_setup(test_requests, setup),
	};
	int failed;

	log_init(false, false, "c1");
	if (!mkdtemp(dir))
		return 1;
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	cleanup();
	return failed;
}
