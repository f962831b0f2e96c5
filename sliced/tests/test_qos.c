// SPDX-License-Identifier: GPL-2.0
/*
 * QoS's pure parts: a WorkerSliceConfig's qosProfileDetails into a device profile (what is
 * refused and with which words, what is left for the kernel to refuse), the difference
 * between a wanted profile and what the kernel has (device, uplink HTB, class), and the
 * choice of a slice's mark.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "log.h"
#include "qos.h"

/* qos_parse of a JSON text; @err gets the reason. */
static int parse(const char *json, struct slicenl_qos *out, char *err, size_t errlen)
{
	cJSON *details = cJSON_Parse(json);
	int ret;

	err[0] = '\0';
	ret = qos_parse(details, out, err, errlen);
	cJSON_Delete(details);
	return ret;
}

static void test_parse_profile(void **state)
{
	struct slicenl_qos q;
	char err[160];

	assert_int_equal(parse("{\"queueType\": \"HTB\", \"priority\": 1, \"tcType\": "
			       "\"BANDWIDTH_CONTROL\", \"bandwidthCeilingKbps\": 5120, "
			       "\"bandwidthGuaranteedKbps\": 2560, \"dscpClass\": \"AF21\"}",
			       &q, err, sizeof(err)), 0);
	assert_int_equal(q.ceiling_kbps, 5120);
	assert_int_equal(q.guaranteed_kbps, 2560);
	assert_int_equal(q.priority, 1);
	assert_int_equal(q.dscp, 18);
	assert_int_equal(q.mark, 0);
	/* Only the ceiling is needed: the rest is KubeSlice's defaults (Default is DSCP 0). */
	assert_int_equal(parse("{\"bandwidthCeilingKbps\": 4294967295}", &q, err, sizeof(err)),
			 0);
	assert_true(q.ceiling_kbps == UINT32_MAX && !q.guaranteed_kbps && !q.priority && !q.dscp);
	assert_int_equal(parse("{\"bandwidthCeilingKbps\": 10, \"dscpClass\": \"EF\"}", &q, err,
			       sizeof(err)), 0);
	assert_int_equal(q.dscp, 46);
	/* No profile at all is not an error. */
	assert_int_equal(qos_parse(NULL, &q, err, sizeof(err)), 0);
	assert_int_equal(q.ceiling_kbps, 0);
}

static void test_parse_left_to_the_kernel(void **state)
{
	struct slicenl_qos q;
	char err[160];

	/* The kernel's checks answer these, with its own extack. */
	assert_int_equal(parse("{\"bandwidthCeilingKbps\": 1000, \"bandwidthGuaranteedKbps\": "
			       "2000}", &q, err, sizeof(err)), 0);
	assert_int_equal(q.guaranteed_kbps, 2000);
	assert_int_equal(parse("{\"bandwidthCeilingKbps\": 1000, \"priority\": 9}", &q, err,
			       sizeof(err)), 0);
	assert_int_equal(q.priority, 9);
}

static void expect_invalid(const char *json, const char *why)
{
	struct slicenl_qos q;
	char err[160];

	assert_int_equal(parse(json, &q, err, sizeof(err)), -1);
	assert_non_null(strstr(err, why));
	/* Nothing half-read. */
	assert_int_equal(q.ceiling_kbps, 0);
}

static void test_parse_invalid(void **state)
{
	expect_invalid("[1]", "must be an object");
	expect_invalid("{\"dscpClass\": \"AF21\"}", "bandwidthCeilingKbps is required");
	expect_invalid("{\"bandwidthCeilingKbps\": 0}", "bandwidthCeilingKbps must be a whole "
		       "number 1..4294967295");
	expect_invalid("{\"bandwidthCeilingKbps\": 4294967296}", "bandwidthCeilingKbps");
	expect_invalid("{\"bandwidthCeilingKbps\": \"1000\"}", "bandwidthCeilingKbps");
	expect_invalid("{\"bandwidthCeilingKbps\": 10.5}", "whole number");
	expect_invalid("{\"bandwidthCeilingKbps\": 1000, \"bandwidthGuaranteedKbps\": -1}",
		       "bandwidthGuaranteedKbps must be a whole number 0..4294967295");
	expect_invalid("{\"bandwidthCeilingKbps\": 1000, \"priority\": 256}", "priority");
	expect_invalid("{\"bandwidthCeilingKbps\": 1000, \"dscpClass\": \"AF99\"}",
		       "dscpClass \"AF99\" is not a KubeSlice class (Default, AF11..AF43, EF)");
	expect_invalid("{\"bandwidthCeilingKbps\": 1000, \"dscpClass\": 10}",
		       "dscpClass (not a string) is not a KubeSlice class");
	expect_invalid("{\"bandwidthCeilingKbps\": 1000, \"queueType\": \"TBF\"}",
		       "queueType must be HTB");
	expect_invalid("{\"bandwidthCeilingKbps\": 1000, \"tcType\": \"X\"}",
		       "tcType must be BANDWIDTH_CONTROL");
}

static const struct slicenl_qos want = {
	.ceiling_kbps = 4000, .guaranteed_kbps = 1000, .priority = 2, .dscp = 18, .mark = 0x2,
};

/* The kernel with exactly @want on an uplink of 10000 kbit/s. */
static struct qos_kernel in_step(void)
{
	struct qos_kernel k = {
		.dev = want, .class_found = 1, .uplink_found = 1, .uplink_kbps = 10000,
		/* HTB counts outer frames: the profile's figures and a sixteenth. */
		.cls = { .mark = 0x2, .guaranteed_kbps = 1062, .ceiling_kbps = 4250, .priority = 2 },
	};

	return k;
}

static void test_diff(void **state)
{
	struct slicenl_qos none = { 0 };
	struct qos_kernel k = in_step();

	assert_int_equal(qos_diff(&want, &k, 10000), 0);
	/* Each field of the device's profile counts, the mark too. */
	k.dev.dscp = 46;
	assert_int_equal(qos_diff(&want, &k, 10000), QOS_CHANGE_DEVICE);
	k = in_step();
	k.dev.mark = 0x3;
	assert_int_equal(qos_diff(&want, &k, 10000), QOS_CHANGE_DEVICE);
	/* The class: its rate, ceil and prio; missing (or its filter missing). */
	k = in_step();
	k.cls.ceiling_kbps = 4000;
	assert_int_equal(qos_diff(&want, &k, 10000), QOS_CHANGE_CLASS);
	k = in_step();
	k.cls.guaranteed_kbps = 1000;
	assert_int_equal(qos_diff(&want, &k, 10000), QOS_CHANGE_CLASS);
	k = in_step();
	k.cls.priority = 0;
	assert_int_equal(qos_diff(&want, &k, 10000), QOS_CHANGE_CLASS);
	k = in_step();
	k.class_found = 0;
	assert_int_equal(qos_diff(&want, &k, 10000), QOS_CHANGE_CLASS);
	/* Our HTB gone (its classes with it), or another capacity configured. */
	k = in_step();
	k.uplink_found = 0;
	k.class_found = 0;
	assert_int_equal(qos_diff(&want, &k, 10000), QOS_CHANGE_UPLINK | QOS_CHANGE_CLASS);
	k = in_step();
	assert_int_equal(qos_diff(&want, &k, 20000), QOS_CHANGE_UPLINK);
	/* A fresh device on a fresh uplink: all three. */
	memset(&k, 0, sizeof(k));
	assert_int_equal(qos_diff(&want, &k, 10000),
			 QOS_CHANGE_DEVICE | QOS_CHANGE_UPLINK | QOS_CHANGE_CLASS);
	/* No uplink capacity configured: the device only, and a class left over goes. */
	memset(&k, 0, sizeof(k));
	assert_int_equal(qos_diff(&want, &k, 0), QOS_CHANGE_DEVICE);
	k = in_step();
	assert_int_equal(qos_diff(&want, &k, 0), QOS_CHANGE_CLASS);
	/* The profile removed: device and class both. */
	k = in_step();
	assert_int_equal(qos_diff(&none, &k, 10000), QOS_CHANGE_DEVICE | QOS_CHANGE_CLASS);
	memset(&k, 0, sizeof(k));
	assert_int_equal(qos_diff(&none, &k, 10000), 0);
}

static void test_class_of(void **state)
{
	struct slicenl_qos q = { .ceiling_kbps = UINT32_MAX, .guaranteed_kbps = 0, .priority = 7,
				 .mark = 0x42 };
	struct sliceqos_class c = qos_class_of(&want);

	assert_int_equal(c.mark, 0x2);
	assert_int_equal(c.guaranteed_kbps, 1062);
	assert_int_equal(c.ceiling_kbps, 4250);
	assert_int_equal(c.priority, 2);
	/* Nothing guaranteed stays nothing; the largest ceiling does not wrap. */
	c = qos_class_of(&q);
	assert_true(c.guaranteed_kbps == 0 && c.ceiling_kbps == UINT32_MAX && c.priority == 7 &&
		    c.mark == 0x42);
}

static void test_mark_pick(void **state)
{
	const uint32_t used[] = { 0x2, 0x3, 0x5 };

	assert_int_equal(qos_mark_pick(0, NULL, 0), QOS_MARK_MIN);
	assert_int_equal(qos_mark_pick(0, used, 3), 0x4);
	/* A restarted sliced keeps the device's mark when no other slice has it. */
	assert_int_equal(qos_mark_pick(0x40, used, 3), 0x40);
	assert_int_equal(qos_mark_pick(0x3, used, 3), 0x4);
	/* Marks whose low 16 bits do not name a slice class are not adopted. */
	assert_int_equal(qos_mark_pick(0x1, used, 3), 0x4);
	assert_int_equal(qos_mark_pick(0xffff, used, 3), 0x4);
	assert_int_equal(qos_mark_pick(0x10010, used, 3), 0x4);
}

static void test_same(void **state)
{
	struct slicenl_qos a = want, b = want;

	assert_true(qos_same(&a, &b));
	b.guaranteed_kbps++;
	assert_false(qos_same(&a, &b));
	b = want;
	b.priority = 7;
	assert_false(qos_same(&a, &b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_profile),
		cmocka_unit_test(test_parse_left_to_the_kernel),
		cmocka_unit_test(test_parse_invalid),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_class_of),
		cmocka_unit_test(test_mark_pick),
		cmocka_unit_test(test_same),
	};

	log_init(false, false, "c1");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
