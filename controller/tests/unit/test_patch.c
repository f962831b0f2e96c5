// SPDX-License-Identifier: GPL-2.0
/* JSON merge patch (RFC 7386 appendix A cases) and JSON patch (RFC 6902 operations). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "controller/http_patch.h"

static void merge_case(const char *target, const char *patch, const char *want,
		       bool strategic)
{
	cJSON *t = cJSON_Parse(target), *p = cJSON_Parse(patch), *w = cJSON_Parse(want);

	assert_non_null(t);
	assert_non_null(p);
	t = ctl_patch_merge(t, p, strategic);
	if (!cJSON_Compare(t, w, true)) {
		char *got = cJSON_PrintUnformatted(t);

		fail_msg("merge %s with %s: got %s, want %s", target, patch, got, want);
		free(got);
	}
	cJSON_Delete(t);
	cJSON_Delete(p);
	cJSON_Delete(w);
}

static void test_merge_rfc7386(void **state)
{
	merge_case("{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}", false);
	merge_case("{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}", false);
	merge_case("{\"a\":\"b\"}", "{\"a\":null}", "{}", false);
	merge_case("{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}", false);
	merge_case("{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}", false);
	merge_case("{\"a\":\"c\"}", "{\"a\":[\"b\"]}", "{\"a\":[\"b\"]}", false);
	merge_case("{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}",
		   "{\"a\":{\"b\":\"d\"}}", false);
	merge_case("{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}", false);
	merge_case("[\"a\",\"b\"]", "[\"c\",\"d\"]", "[\"c\",\"d\"]", false);
	merge_case("{\"a\":\"b\"}", "[\"c\"]", "[\"c\"]", false);
	merge_case("{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}", false);
	merge_case("[1,2]", "{\"a\":\"b\",\"c\":null}", "{\"a\":\"b\"}", false);
	merge_case("{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}", false);
}

static void test_merge_strategic_directives(void **state)
{
	merge_case("{\"a\":1}", "{\"$retainKeys\":[\"a\"],\"b\":{\"$patch\":\"replace\",\"c\":2}}",
		   "{\"a\":1,\"b\":{\"c\":2}}", true);
}

static int json_patch(const char *doc, const char *ops, const char *want)
{
	cJSON *d = cJSON_Parse(doc), *o = cJSON_Parse(ops), *w = want ? cJSON_Parse(want) : NULL;
	char err[256];
	int ret = ctl_patch_json(&d, o, err, sizeof(err));

	if (!ret && !cJSON_Compare(d, w, true)) {
		char *got = cJSON_PrintUnformatted(d);

		fail_msg("patch %s with %s: got %s, want %s", doc, ops, got, want);
		free(got);
	}
	if (ret)
		assert_true(err[0]);
	cJSON_Delete(d);
	cJSON_Delete(o);
	cJSON_Delete(w);
	return ret;
}

static void test_json_patch_ops(void **state)
{
	assert_int_equal(json_patch("{\"a\":1}", "[{\"op\":\"add\",\"path\":\"/b\",\"value\":2}]",
				    "{\"a\":1,\"b\":2}"), 0);
	assert_int_equal(json_patch("{\"a\":[1,3]}",
				    "[{\"op\":\"add\",\"path\":\"/a/1\",\"value\":2},"
				    "{\"op\":\"add\",\"path\":\"/a/-\",\"value\":4}]",
				    "{\"a\":[1,2,3,4]}"), 0);
	assert_int_equal(json_patch("{\"a\":1,\"b\":2}", "[{\"op\":\"remove\",\"path\":\"/a\"}]",
				    "{\"b\":2}"), 0);
	assert_int_equal(json_patch("{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"/a\",\"value\":5}]",
				    "{\"a\":5}"), 0);
	assert_int_equal(json_patch("{\"a\":{\"x\":1},\"b\":{}}",
				    "[{\"op\":\"move\",\"from\":\"/a/x\",\"path\":\"/b/y\"}]",
				    "{\"a\":{},\"b\":{\"y\":1}}"), 0);
	assert_int_equal(json_patch("{\"a\":[1]}", "[{\"op\":\"copy\",\"from\":\"/a\",\"path\":\"/b\"}]",
				    "{\"a\":[1],\"b\":[1]}"), 0);
	assert_int_equal(json_patch("{\"a\":\"x\"}",
				    "[{\"op\":\"test\",\"path\":\"/a\",\"value\":\"x\"}]",
				    "{\"a\":\"x\"}"), 0);
	assert_int_equal(json_patch("{\"a/b\":1,\"m~n\":2}",
				    "[{\"op\":\"remove\",\"path\":\"/a~1b\"},"
				    "{\"op\":\"replace\",\"path\":\"/m~0n\",\"value\":3}]",
				    "{\"m~n\":3}"), 0);
}

static void test_json_patch_errors(void **state)
{
	assert_int_not_equal(json_patch("{}", "{\"op\":\"add\"}", NULL), 0);
	assert_int_not_equal(json_patch("{}", "[{\"op\":\"remove\",\"path\":\"/x\"}]", NULL), 0);
	assert_int_not_equal(json_patch("{}", "[{\"op\":\"replace\",\"path\":\"/x\",\"value\":1}]",
					NULL), 0);
	assert_int_not_equal(json_patch("{\"a\":1}",
					"[{\"op\":\"test\",\"path\":\"/a\",\"value\":2}]", NULL), 0);
	assert_int_not_equal(json_patch("{\"a\":[]}",
					"[{\"op\":\"add\",\"path\":\"/a/5\",\"value\":1}]", NULL), 0);
	assert_int_not_equal(json_patch("{}", "[{\"op\":\"frob\",\"path\":\"/a\"}]", NULL), 0);
	assert_int_not_equal(json_patch("{}", "[{\"op\":\"add\",\"path\":\"/a\"}]", NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_rfc7386),
		cmocka_unit_test(test_merge_strategic_directives),
		cmocka_unit_test(test_json_patch_ops),
		cmocka_unit_test(test_json_patch_errors),
	};

	return cmocka_run_group_tests_name("patch", tests, NULL, NULL);
}
