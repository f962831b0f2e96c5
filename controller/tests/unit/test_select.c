// SPDX-License-Identifier: GPL-2.0
/* Label and field selectors: every operator, and the syntax errors the API server reports. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "controller/selector.h"

static const char obj_json[] =
	"{\"metadata\":{\"name\":\"red\",\"namespace\":\"ns1\","
	"\"labels\":{\"tier\":\"gold\",\"worker-cluster\":\"c1\"}},"
	"\"involvedObject\":{\"kind\":\"SliceConfig\",\"uid\":\"u1\"},\"count\":3}";

static bool matches(const char *labels, const char *fields)
{
	struct ctl_selector *sel;
	cJSON *obj = cJSON_Parse(obj_json);
	char err[256];
	bool m;

	assert_int_equal(ctl_selector_parse(labels, fields, &sel, err, sizeof(err)), 0);
	m = ctl_selector_match(sel, obj);
	ctl_selector_free(sel);
	cJSON_Delete(obj);
	return m;
}

static int parse_error(const char *labels, const char *fields)
{
	struct ctl_selector *sel = NULL;
	char err[256] = "";
	int ret = ctl_selector_parse(labels, fields, &sel, err, sizeof(err));

	if (!ret)
		ctl_selector_free(sel);
	else
		assert_true(err[0]);
	return ret;
}

static void test_equality(void **state)
{
	assert_true(matches(NULL, NULL));
	assert_true(matches("", ""));
	assert_true(matches("tier=gold", NULL));
	assert_true(matches("tier==gold", NULL));
	assert_false(matches("tier=silver", NULL));
	assert_true(matches("tier!=silver", NULL));
	assert_false(matches("tier!=gold", NULL));
	assert_true(matches("absent!=x", NULL));
	assert_true(matches(" tier = gold , worker-cluster=c1", NULL));
	assert_false(matches("tier=gold,worker-cluster=c2", NULL));
}

static void test_sets(void **state)
{
	assert_true(matches("tier in (silver, gold)", NULL));
	assert_false(matches("tier in (silver)", NULL));
	assert_true(matches("tier notin (silver)", NULL));
	assert_false(matches("tier notin (gold,silver)", NULL));
	assert_true(matches("absent notin (x)", NULL));
	assert_true(matches("tier in (gold),worker-cluster", NULL));
}

static void test_exists(void **state)
{
	assert_true(matches("tier", NULL));
	assert_false(matches("absent", NULL));
	assert_true(matches("!absent", NULL));
	assert_false(matches("!tier", NULL));
}

static void test_fields(void **state)
{
	assert_true(matches(NULL, "metadata.name=red"));
	assert_true(matches(NULL, "metadata.name=red,metadata.namespace=ns1"));
	assert_false(matches(NULL, "metadata.name=blue"));
	assert_true(matches(NULL, "involvedObject.kind==SliceConfig,involvedObject.uid=u1"));
	assert_true(matches(NULL, "metadata.name!=blue"));
	assert_true(matches(NULL, "count=3"));
	assert_true(matches(NULL, "spec.absent="));
	assert_true(matches("tier=gold", "metadata.name=red"));
}

static void test_errors(void **state)
{
	assert_int_not_equal(parse_error("tier in gold", NULL), 0);
	assert_int_not_equal(parse_error("tier=a=b", NULL), 0);
	assert_int_not_equal(parse_error("ti er", NULL), 0);
	assert_int_not_equal(parse_error(NULL, "metadata.name"), 0);
	assert_int_not_equal(parse_error(NULL, "!metadata.name"), 0);
	assert_int_equal(parse_error("a,b", "x=y"), 0);
}

static void test_require(void **state)
{
	struct ctl_selector *sel;
	cJSON *obj = cJSON_Parse(obj_json);
	char err[64];

	assert_int_equal(ctl_selector_parse(NULL, NULL, &sel, err, sizeof(err)), 0);
	assert_int_equal(ctl_selector_require(sel, "worker-cluster", "c2"), 0);
	assert_false(ctl_selector_match(sel, obj));
	ctl_selector_free(sel);
	cJSON_Delete(obj);
}

static void test_may_match(void **state)
{
	struct ctl_selector *sel;
	cJSON *obj = cJSON_Parse(obj_json);
	char *text = cJSON_PrintUnformatted(obj), err[64];

	assert_int_equal(ctl_selector_parse("worker-cluster=c1,tier", NULL, &sel, err,
					    sizeof(err)), 0);
	assert_true(ctl_selector_may_match(sel, text));
	ctl_selector_free(sel);
	assert_int_equal(ctl_selector_parse("worker-cluster=c2", NULL, &sel, err, sizeof(err)), 0);
	assert_false(ctl_selector_may_match(sel, text));
	ctl_selector_free(sel);
	/* Only a necessary condition: other operators are left to ctl_selector_match(). */
	assert_int_equal(ctl_selector_parse("tier!=gold", NULL, &sel, err, sizeof(err)), 0);
	assert_true(ctl_selector_may_match(sel, text));
	ctl_selector_free(sel);
	free(text);
	cJSON_Delete(obj);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_equality), cmocka_unit_test(test_sets),
		cmocka_unit_test(test_exists), cmocka_unit_test(test_fields),
		cmocka_unit_test(test_errors), cmocka_unit_test(test_require),
		cmocka_unit_test(test_may_match),
	};

	return cmocka_run_group_tests_name("selectors", tests, NULL, NULL);
}
