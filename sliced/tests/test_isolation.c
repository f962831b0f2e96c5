// SPDX-License-Identifier: GPL-2.0
/*
 * Namespace isolation: the nftables script for an isolated slice admits exactly the pods
 * of its application and allowed namespaces, and nftables itself accepts the script
 * (checked with libnftables in dry-run mode: parsed and evaluated, nothing installed).
 * Drift: nft's listings compared in their canonical form (nftlist.h), and against the
 * desired state (isolation_compare), malformed listings included.
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
#include <sched.h>

#include <nftables/libnftables.h>

#include "ipam_fixture.h"
#include "isolation.h"
#include "log.h"
#include "nftlist.h"

static const char slices_json[] =
	"{\"red-c1\": {\"spec\": {\"sliceName\": \"red\", \"sliceSubnet\": \"10.1.0.0/16\","
	" \"clusterSubnetCIDR\": \"10.1.0.0/20\", \"namespaceIsolationProfile\": {"
	" \"isolationEnabled\": %s, \"applicationNamespaces\": [\"shop\"],"
	" \"allowedNamespaces\": [\"monitoring\"]}}},"
	" \"blue-x-c1\": {\"spec\": {\"sliceName\": \"blue-x\", \"sliceSubnet\": \"10.2.0.0/16\","
	" \"clusterSubnetCIDR\": \"10.2.0.0/20\"}}}";

static void test_ruleset(void **state)
{
	const struct ipam_lease *l;
	struct ipam_fixture f;
	struct nft_ctx *nft;
	char text[1024];
	struct ipam *m;
	cJSON *slices;
	char *rules;

	ipam_fixture_open(&f, "test_isolation");
	m = f.m;
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
	ipam_fixture_close(&f);
}

/* As nft 1.0.6 lists the table it was given: blank lines, elements wrapped and sorted. */
static const char listing[] =
	"table inet slice_isolation {\n"
	"\tset pods_red {\n\t\ttype ipv4_addr\n"
	"\t\telements = { 10.1.0.2, 10.1.0.4,\n\t\t\t     10.1.0.7, 10.1.0.9 }\n\t}\n\n"
	"\tchain forward {\n"
	"\t\ttype filter hook forward priority filter - 10; policy accept;\n"
	"\t\tip saddr 10.1.0.0/20 ip daddr 10.1.0.0/16 ip saddr != @pods_red drop"
	" comment \"slice red: {not} on the slice\"\n"
	"\t}\n}\n";

static void test_canonical(void **state)
{
	char *a = nftlist_canonical(listing), *b;

	assert_non_null(a);
	assert_non_null(strstr(a, "elements = { 10.1.0.2, 10.1.0.4, 10.1.0.7, 10.1.0.9 } }"));
	/* A comment keeps its spaces and braces. */
	assert_non_null(strstr(a, "comment \"slice red: {not} on the slice\" } }"));
	/* Spaced otherwise, elements in another order: the same. */
	b = nftlist_canonical("table inet slice_isolation { set pods_red { type ipv4_addr "
			      "elements = { 10.1.0.9,10.1.0.7 , 10.1.0.4, 10.1.0.2 } } chain forward {"
			      " type filter hook forward priority filter - 10; policy accept; ip saddr"
			      " 10.1.0.0/20 ip daddr 10.1.0.0/16 ip saddr != @pods_red drop comment"
			      " \"slice red: {not} on the slice\" } }");
	assert_non_null(b);
	assert_string_equal(a, b);
	free(b);
	/* One element fewer, or a rule flushed: different. */
	b = nftlist_canonical("table inet slice_isolation { set pods_red { type ipv4_addr "
			      "elements = { 10.1.0.2, 10.1.0.4, 10.1.0.7 } } chain forward {"
			      " type filter hook forward priority filter - 10; policy accept; } }");
	assert_non_null(b);
	assert_string_not_equal(a, b);
	free(b);
	free(a);
	/* Malformed: unbalanced, an unterminated quote or element list; nothing; all NULL. */
	assert_null(nftlist_canonical("table inet x {"));
	assert_null(nftlist_canonical("table inet x { } }"));
	assert_null(nftlist_canonical("table inet x { chain y { comment \"open } }"));
	assert_null(nftlist_canonical("table inet x { set s { elements = { 1.2.3.4, "));
	assert_null(nftlist_canonical(NULL));
	a = nftlist_canonical("");
	assert_string_equal(a, "");
	free(a);
}

static void test_compare(void **state)
{
	char *expect = nftlist_canonical(listing);
	char flushed[sizeof(listing)];

	/* Isolation on: the table as applied, or what is wrong with it. */
	assert_null(isolation_compare(true, expect, listing));
	assert_non_null(strstr(isolation_compare(true, expect, NULL), "was missing"));
	snprintf(flushed, sizeof(flushed), "%s", listing);
	strcpy(strstr(flushed, "\t\tip saddr"), "\t}\n}\n");
	assert_non_null(strstr(isolation_compare(true, expect, flushed), "differed"));
	assert_non_null(strstr(isolation_compare(true, expect, "table inet slice_isolation {"),
			       "differed"));
	assert_non_null(strstr(isolation_compare(true, expect, "\x01\"{{"), "differed"));
	/* nft's listing after the apply was unreadable: a missing table is still seen. */
	assert_null(isolation_compare(true, NULL, listing));
	assert_non_null(isolation_compare(true, NULL, NULL));
	/* Isolation off: the desired state is no table, whatever was applied before. */
	assert_null(isolation_compare(false, expect, NULL));
	assert_null(isolation_compare(false, NULL, NULL));
	assert_non_null(strstr(isolation_compare(false, NULL, listing), "no slice isolates"));
	assert_non_null(isolation_compare(false, expect, listing));
	free(expect);
}

/* nft on the table, in the test's own network namespace. */
static int nft(const char *cmd)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	int ret;

	nft_ctx_buffer_error(ctx);
	nft_ctx_buffer_output(ctx);
	ret = nft_run_cmd_from_buffer(ctx, cmd);
	nft_ctx_free(ctx);
	return ret;
}

/*
 * isolation_update against the real nftables of a network namespace of the test's own:
 * the table deleted, flushed or left behind by hand is drift, put right; isolation turned
 * off removes the table and keeps it removed.
 */
static void test_drift(void **state)
{
	const struct ipam_lease *l;
	struct isolation *iso;
	struct ipam_fixture f;
	cJSON *on, *off;
	const char *what;
	char text[1024];
	struct ipam *m;

	if (unshare(CLONE_NEWNET)) {
		skip();
		return;
	}
	ipam_fixture_open(&f, "test_isolation");
	m = f.m;
	snprintf(text, sizeof(text), slices_json, "true");
	on = cJSON_Parse(text);
	snprintf(text, sizeof(text), slices_json, "false");
	off = cJSON_Parse(text);
	ipam_update(m, on);
	assert_int_equal(ipam_pool_alloc(ipam_pool_of(m, "red"), "a", "eth0", "shop", "web-0", &l), 0);
	iso = isolation_new();
	assert_non_null(iso);

	assert_int_equal(isolation_update(iso, on, m, &what), ISOLATION_CHANGED);
	assert_int_equal(isolation_update(iso, on, m, &what), ISOLATION_KEPT);
	assert_null(what);
	assert_int_equal(nft("delete table inet slice_isolation"), 0);
	assert_int_equal(isolation_update(iso, on, m, &what), ISOLATION_REPAIRED);
	assert_non_null(strstr(what, "was missing"));
	assert_int_equal(nft("list table inet slice_isolation"), 0);
	assert_int_equal(nft("flush chain inet slice_isolation forward"), 0);
	assert_int_equal(isolation_update(iso, on, m, &what), ISOLATION_REPAIRED);
	assert_non_null(strstr(what, "differed"));
	assert_int_equal(nft("delete element inet slice_isolation pods_red { 10.1.0.2 }"), 0);
	assert_int_equal(isolation_update(iso, on, m, &what), ISOLATION_REPAIRED);
	assert_int_equal(isolation_update(iso, on, m, &what), ISOLATION_KEPT);

	/* Off: the table goes, and a check does not bring it back. */
	assert_int_equal(isolation_update(iso, off, m, &what), ISOLATION_CHANGED);
	assert_int_not_equal(nft("list table inet slice_isolation"), 0);
	assert_int_equal(isolation_update(iso, off, m, &what), ISOLATION_KEPT);
	assert_int_not_equal(nft("list table inet slice_isolation"), 0);
	/* One made by hand while off is drift too: deleted. */
	assert_int_equal(nft("add table inet slice_isolation"), 0);
	assert_int_equal(isolation_update(iso, off, m, &what), ISOLATION_REPAIRED);
	assert_non_null(strstr(what, "no slice isolates"));
	assert_int_not_equal(nft("list table inet slice_isolation"), 0);
	assert_int_equal(isolation_update(iso, off, m, &what), ISOLATION_KEPT);

	isolation_free(iso);
	cJSON_Delete(on);
	cJSON_Delete(off);
	ipam_fixture_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ruleset),
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_drift),
	};

	log_init(false, false, "c1");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
