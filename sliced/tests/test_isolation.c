// SPDX-License-Identifier: GPL-2.0
/*
 * Namespace isolation: the nftables script for an isolated slice admits exactly the pods
 * of its application and allowed namespaces, and nftables itself accepts the script
 * (checked with libnftables in dry-run mode: parsed and evaluated, nothing installed).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <nftables/libnftables.h>

#include "isolation.h"
#include "log.h"

static const char slices_json[] =
	"{\"red-c1\": {\"spec\": {\"sliceName\": \"red\", \"sliceSubnet\": \"10.1.0.0/16\","
	" \"clusterSubnetCIDR\": \"10.1.0.0/20\", \"namespaceIsolationProfile\": {"
	" \"isolationEnabled\": %s, \"applicationNamespaces\": [\"shop\"],"
	" \"allowedNamespaces\": [\"monitoring\"]}}},"
	" \"blue-x-c1\": {\"spec\": {\"sliceName\": \"blue-x\", \"sliceSubnet\": \"10.2.0.0/16\","
	" \"clusterSubnetCIDR\": \"10.2.0.0/20\"}}}";

static void test_ruleset(void **state)
{
	struct sockaddr_storage none = { .ss_family = AF_UNSPEC };
	char dir[] = "/tmp/test_isolation.XXXXXX", text[1024], err[256], sock[128], cmd[64];
	const struct ipam_lease *l;
	struct nft_ctx *nft;
	struct ipam *m;
	cJSON *slices;
	char *rules;

	assert_non_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/cni.sock", dir);
	m = ipam_new(dir, sock, &none, err, sizeof(err));
	assert_non_null(m);
	snprintf(text, sizeof(text), slices_json, "true");
	slices = cJSON_Parse(text);
	ipam_update(m, slices);
	assert_int_equal(ipam_pool_alloc(ipam_pool_of(m, "red"), "a", "eth0", "shop", "web-0", &l), 0);
	assert_int_equal(ipam_pool_alloc(ipam_pool_of(m, "red"), "b", "eth0", "other", "x", &l), 0);
	assert_int_equal(ipam_pool_alloc(ipam_pool_of(m, "red"), "c", "eth0", "monitoring", "p",
					 &l), 0);
	assert_int_equal(ipam_pool_alloc(ipam_pool_of(m, "red"), "d", "eth0", "", "", &l), 0);

	rules = isolation_ruleset(slices, m);
	assert_non_null(rules);
	assert_non_null(strstr(rules, "table inet slice_isolation"));
	assert_non_null(strstr(rules, "elements = { 10.1.0.2, 10.1.0.4 }"));
	assert_null(strstr(rules, "10.1.0.3"));
	assert_null(strstr(rules, "10.1.0.5"));
	assert_non_null(strstr(rules, "ip saddr 10.1.0.0/20 ip daddr 10.1.0.0/16 ip saddr != @pods_red drop"));
	assert_non_null(strstr(rules, "ip saddr 10.1.0.0/16 ip daddr 10.1.0.0/20 ip daddr != @pods_red drop"));
	/* blue-x does not isolate. */
	assert_null(strstr(rules, "blue"));

	nft = nft_ctx_new(NFT_CTX_DEFAULT);
	nft_ctx_buffer_error(nft);
	nft_ctx_set_dry_run(nft, true);
	if (nft_run_cmd_from_buffer(nft, rules))
		fail_msg("nft refuses the rules: %s\n%s", nft_ctx_get_error_buffer(nft), rules);
	nft_ctx_free(nft);
	free(rules);
	cJSON_Delete(slices);

	/* Isolation off everywhere: nothing. */
	snprintf(text, sizeof(text), slices_json, "false");
	slices = cJSON_Parse(text);
	rules = isolation_ruleset(slices, m);
	assert_string_equal(rules, "");
	free(rules);
	cJSON_Delete(slices);
	ipam_free(m);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ruleset),
	};

	log_init(false, false, "c1");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
