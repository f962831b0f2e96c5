// SPDX-License-Identifier: GPL-2.0
/* YAML request bodies: scalar typing, nesting, and refusals with line numbers. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "controller/http_yaml.h"

static void yaml_is(const char *yaml, const char *want)
{
	char err[256] = "";
	cJSON *got = ctl_yaml_parse(yaml, strlen(yaml), err, sizeof(err));
	cJSON *w = cJSON_Parse(want);

	if (!got)
		fail_msg("%s: %s", yaml, err);
	if (!cJSON_Compare(got, w, true)) {
		char *text = cJSON_PrintUnformatted(got);

		fail_msg("%s: got %s, want %s", yaml, text, want);
		free(text);
	}
	cJSON_Delete(got);
	cJSON_Delete(w);
}

static void yaml_fails(const char *yaml, const char *msg)
{
	char err[256] = "";
	cJSON *got = ctl_yaml_parse(yaml, strlen(yaml), err, sizeof(err));

	assert_null(got);
	if (!strstr(err, msg))
		fail_msg("%s: error \"%s\" lacks \"%s\"", yaml, err, msg);
}

static void test_scalars(void **state)
{
	yaml_is("a: 1\nb: -2.5\nc: true\nd: null\ne: ~\nf: text\ng: \"1\"\nh: '10.1.0.0/16'\ni:\n",
		"{\"a\":1,\"b\":-2.5,\"c\":true,\"d\":null,\"e\":null,\"f\":\"text\","
		"\"g\":\"1\",\"h\":\"10.1.0.0/16\",\"i\":null}");
	yaml_is("v: 10.1.0.0/16\nw: 1e3\nx: False", "{\"v\":\"10.1.0.0/16\",\"w\":1000,\"x\":false}");
}

static void test_nesting(void **state)
{
	yaml_is("apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\n  labels: {a: b}\n"
		"list:\n- 1\n- {k: v}\n- [x, y]\n",
		"{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"x\","
		"\"labels\":{\"a\":\"b\"}},\"list\":[1,{\"k\":\"v\"},[\"x\",\"y\"]]}");
	yaml_is("---\na: 1\n...\n", "{\"a\":1}");
}

static void test_refusals(void **state)
{
	yaml_fails("a: [1\nb: }", "line ");
	yaml_fails("", "empty");
	yaml_fails("a: 1\n---\nb: 2\n", "single YAML document");
	yaml_fails("a: &x 1\nb: *x\n", "not supported");
	yaml_fails("? [a]\n: 1\n", "mapping keys");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalars), cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests_name("yaml", tests, NULL, NULL);
}
