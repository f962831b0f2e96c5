// SPDX-License-Identifier: GPL-2.0
/* Field path sets: FieldsV1 both ways, ToFieldSet and Compare as structured-merge-diff's. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "controller/fieldpath.h"

static void assert_json(const cJSON *got, const char *want)
{
	cJSON *w = cJSON_Parse(want);
	char *text = cJSON_PrintUnformatted(got);

	assert_non_null(w);
	if (!cJSON_Compare(got, w, true))
		fail_msg("got %s, want %s", text, want);
	free(text);
	cJSON_Delete(w);
}

static void assert_set(const struct ctl_fieldset *s, const char *want)
{
	cJSON *v1 = ctl_fieldset_encode(s);

	assert_false(s->oom);
	assert_json(v1, want);
	cJSON_Delete(v1);
}

/* A member with members holds "."; decoding and encoding again gives the same tree. */
static void test_v1_roundtrip(void **state)
{
	const char *v1 = "{\"f:metadata\":{\"f:labels\":{\".\":{},\"f:app\":{}}},"
			 "\"f:spec\":{\"f:a\":{},\"k:{\\\"name\\\":\\\"x\\\"}\":{\".\":{},\"f:b\":{}}}}";
	cJSON *tree = cJSON_Parse(v1), *bad = cJSON_Parse("{\"spec\":{}}");
	struct ctl_fieldset s = { 0 }, t = { 0 };

	assert_int_equal(ctl_fieldset_decode(tree, &s), 0);
	assert_int_equal(s.n, 5);
	assert_true(ctl_fieldset_has(&s, "f:metadata\x01" "f:labels"));
	assert_false(ctl_fieldset_has(&s, "f:metadata"));
	assert_true(ctl_fieldset_has_under(&s, "f:spec"));
	assert_set(&s, v1);
	assert_int_equal(ctl_fieldset_decode(bad, &t), -EINVAL);
	ctl_fieldset_free(&s);
	ctl_fieldset_free(&t);
	cJSON_Delete(tree);
	cJSON_Delete(bad);
}

/* ToFieldSet: leaves, lists whole (atomic), empty objects, never a non-empty container. */
static void test_of(void **state)
{
	cJSON *obj = cJSON_Parse("{\"spec\":{\"a\":1,\"l\":[1,2],\"e\":{},\"n\":null,"
				 "\"m\":{\"x\":\"y\"}}}");
	struct ctl_fieldset s = { 0 };

	ctl_fieldset_of(obj, &s);
	assert_set(&s, "{\"f:spec\":{\"f:a\":{},\"f:e\":{},\"f:l\":{},\"f:m\":{\"f:x\":{}},"
		       "\"f:n\":{}}}");
	ctl_fieldset_free(&s);
	cJSON_Delete(obj);
}

/* Compare: containers that appear or go are added or removed with all they hold. */
static void test_compare(void **state)
{
	cJSON *old = cJSON_Parse("{\"spec\":{\"a\":1,\"b\":{\"c\":1}},\"x\":\"s\"}");
	cJSON *new = cJSON_Parse("{\"spec\":{\"a\":2,\"d\":{\"e\":1}},\"x\":{\"y\":1}}");
	struct ctl_fieldcmp c = { 0 };

	ctl_fieldset_compare(old, new, &c);
	assert_set(&c.modified, "{\"f:spec\":{\"f:a\":{}},\"f:x\":{}}");
	assert_set(&c.added, "{\"f:spec\":{\"f:d\":{\".\":{},\"f:e\":{}}},\"f:x\":{\"f:y\":{}}}");
	assert_set(&c.removed, "{\"f:spec\":{\"f:b\":{\".\":{},\"f:c\":{}}}}");
	ctl_fieldcmp_free(&c);
	cJSON_Delete(old);
	cJSON_Delete(new);
}

/* Set algebra, the printed form of a path, and deleting one (emptied parents go too). */
static void test_ops(void **state)
{
	struct ctl_fieldset a = { 0 }, b = { 0 };
	cJSON *obj = cJSON_Parse("{\"metadata\":{\"labels\":{\"t\":\"a\"}},\"spec\":{\"p\":1}}");
	char buf[64];

	ctl_fieldset_add(&a, "f:spec\x01" "f:p");
	ctl_fieldset_add(&a, "f:spec\x01" "f:q");
	ctl_fieldset_add(&b, "f:spec\x01" "f:q");
	ctl_fieldset_minus(&a, &b);
	assert_set(&a, "{\"f:spec\":{\"f:p\":{}}}");
	ctl_fieldset_union(&a, &b);
	assert_int_equal(a.n, 2);
	ctl_fieldpath_print("f:spec\x01" "k:{\"name\":\"x\"}\x01" "f:image", buf, sizeof(buf));
	assert_string_equal(buf, ".spec[{\"name\":\"x\"}].image");
	ctl_fieldpath_delete(obj, "f:metadata\x01" "f:labels\x01" "f:t");
	assert_json(obj, "{\"spec\":{\"p\":1}}");
	ctl_fieldset_free(&a);
	ctl_fieldset_free(&b);
	cJSON_Delete(obj);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1_roundtrip),
		cmocka_unit_test(test_of),
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_ops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
