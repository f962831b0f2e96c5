// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nftables/libnftables.h>

#include "api/json.h"
#include "api/subnet.h"
#include "isolation.h"
#include "log.h"
#include "nftlist.h"

struct isolation {
	struct nft_ctx *nft;
	char *applied;		/* the ruleset in force; NULL before the first apply */
	char *expect;		/* its table as nft listed it then (canonical), NULL: none */
};

bool isolation_enabled(const cJSON *wsc)
{
	return cJSON_IsTrue(ks_get(ks_get(wsc, "spec.namespaceIsolationProfile"),
				   "isolationEnabled"));
}

static bool admitted(const cJSON *profile, const char *ns)
{
	return *ns && (ks_array_has_str(ks_get(profile, "applicationNamespaces"), ns) ||
		       ks_array_has_str(ks_get(profile, "allowedNamespaces"), ns));
}

/* nft set names take no '-': slice "a-b" has set "pods_a_b". */
static void set_name(const char *slice, char *out, size_t len)
{
	char *p;

	snprintf(out, len, "pods_%s", slice);
	for (p = out; *p; p++)
		if (*p == '-')
			*p = '_';
}

/* One isolated slice: its set and its two rules, appended to f. */
static void slice_rules(FILE *sets, FILE *rules, const cJSON *wsc, struct ipam *ipam)
{
	const cJSON *profile = ks_get(wsc, "spec.namespaceIsolationProfile");
	const char *slice = ks_get_str(wsc, "spec.sliceName");
	const char *cluster = ks_get_str(wsc, "spec.clusterSubnetCIDR");
	const char *whole = ks_get_str(wsc, "spec.sliceSubnet");
	struct ipam_pool *pool = slice ? ipam_pool_of(ipam, slice) : NULL;
	char set[KS_NAME_MAX + 8], addr[KS_PREFIX_STRLEN];
	struct ks_prefix p;
	bool first = true;
	size_t i;

	if (!isolation_enabled(wsc) || !slice || !cluster || !whole ||
	    ks_prefix_parse(cluster, &p) || ks_prefix_parse(whole, &p))
		return;
	set_name(slice, set, sizeof(set));
	fprintf(sets, "\tset %s {\n\t\ttype ipv4_addr\n", set);
	for (i = 0; pool && i < pool->count; i++) {
		if (!admitted(profile, pool->leases[i].pod_ns))
			continue;
		ks_addr_format(pool->leases[i].addr, addr);
		fprintf(sets, "%s%s", first ? "\t\telements = { " : ", ", addr);
		first = false;
	}
	fprintf(sets, "%s\t}\n", first ? "" : " }\n");
	fprintf(rules, "\t\tip saddr %s ip daddr %s ip saddr != @%s drop comment \"slice %s: namespace not on the slice\"\n",
		cluster, whole, set, slice);
	fprintf(rules, "\t\tip saddr %s ip daddr %s ip daddr != @%s drop comment \"slice %s: namespace not on the slice\"\n",
		whole, cluster, set, slice);
}

char *isolation_ruleset(const cJSON *slices, struct ipam *ipam)
{
	char *sets = NULL, *rules = NULL, *out = NULL;
	size_t sets_len = 0, rules_len = 0;
	FILE *fs = open_memstream(&sets, &sets_len), *fr = open_memstream(&rules, &rules_len);
	const cJSON *wsc;

	if (fs && fr)
		cJSON_ArrayForEach(wsc, slices)
			slice_rules(fs, fr, wsc, ipam);
	if (fs)
		fclose(fs);
	if (fr)
		fclose(fr);
	if (!sets || !rules)
		goto out;
	if (!*rules)
		out = strdup("");
	else if (asprintf(&out,
			  "table inet " ISOLATION_TABLE " {\n%s"
			  "\tchain forward {\n"
			  "\t\ttype filter hook forward priority filter - 10; policy accept;\n"
			  "%s\t}\n}\n", sets, rules) < 0)
		out = NULL;
out:
	free(sets);
	free(rules);
	return out;
}

/* Replace the table in one transaction: create (so that delete works), delete, add. */
static int apply(struct isolation *iso, const char *ruleset)
{
	char *script;
	int ret;

	if (asprintf(&script, "table inet " ISOLATION_TABLE "\ndelete table inet " ISOLATION_TABLE
		     "\n%s", ruleset) < 0)
		return -1;
	ret = nft_run_cmd_from_buffer(iso->nft, script);
	free(script);
	if (ret)
		log_msg(LOG_ERR, "namespace isolation: nftables refused the rules: %s",
			nft_ctx_get_error_buffer(iso->nft));
	return ret;
}

const char *isolation_compare(bool want, const char *expect, const char *listing)
{
	char *now;
	bool same;

	if (!want)
		return listing ? "table inet " ISOLATION_TABLE " was there while no slice isolates" :
				 NULL;
	if (!listing)
		return "table inet " ISOLATION_TABLE " was missing";
	/* What nft listed after the apply could not be read: nothing to compare with. */
	if (!expect)
		return NULL;
	now = nftlist_canonical(listing);
	same = now && !strcmp(now, expect);
	free(now);
	return same ? NULL : "table inet " ISOLATION_TABLE " differed from the slices' rules";
}

/* The table as nft lists it now, malloc'ed; NULL when there is none (or nft fails). */
static char *list_table(struct isolation *iso)
{
	const char *out;

	/* Reading a buffer empties it: neither may carry text of an earlier command. */
	nft_ctx_get_output_buffer(iso->nft);
	if (nft_run_cmd_from_buffer(iso->nft, "list table inet " ISOLATION_TABLE)) {
		nft_ctx_get_error_buffer(iso->nft);
		return NULL;
	}
	out = nft_ctx_get_output_buffer(iso->nft);
	return out ? strdup(out) : NULL;
}

/* After an apply: what the table must look like until the desired state changes. */
static void expect_table(struct isolation *iso)
{
	char *listing = *iso->applied ? list_table(iso) : NULL;

	free(iso->expect);
	iso->expect = listing ? nftlist_canonical(listing) : NULL;
	if (listing && !iso->expect)
		log_msg(LOG_WARNING, "namespace isolation: cannot read nft's listing of table "
			ISOLATION_TABLE "; its drift goes unseen");
	free(listing);
}

enum isolation_result isolation_update(struct isolation *iso, const cJSON *slices,
				       struct ipam *ipam, const char **what)
{
	char *ruleset = isolation_ruleset(slices, ipam), *listing;
	enum isolation_result result = ISOLATION_CHANGED;

	*what = NULL;
	if (!ruleset)
		return ISOLATION_FAILED;
	if (iso->applied && !strcmp(iso->applied, ruleset)) {
		listing = list_table(iso);
		*what = isolation_compare(*ruleset, iso->expect, listing);
		free(listing);
		if (!*what) {
			free(ruleset);
			return ISOLATION_KEPT;
		}
		result = ISOLATION_REPAIRED;
	}
	if (apply(iso, ruleset)) {
		free(ruleset);
		return ISOLATION_FAILED;
	}
	if (result == ISOLATION_CHANGED)
		log_msg(LOG_INFO, "namespace isolation: %s", *ruleset ? "rules replaced" :
			"no slice isolates, table " ISOLATION_TABLE " removed");
	free(iso->applied);
	iso->applied = ruleset;
	expect_table(iso);
	return result;
}

struct isolation *isolation_new(void)
{
	struct isolation *iso = calloc(1, sizeof(*iso));

	if (!iso)
		return NULL;
	iso->nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!iso->nft || nft_ctx_buffer_error(iso->nft) || nft_ctx_buffer_output(iso->nft)) {
		isolation_free(iso);
		return NULL;
	}
	return iso;
}

/* The rules stay when sliced stops, as the rest of the data plane does. */
void isolation_free(struct isolation *iso)
{
	if (!iso)
		return;
	if (iso->nft)
		nft_ctx_free(iso->nft);
	free(iso->applied);
	free(iso->expect);
	free(iso);
}
