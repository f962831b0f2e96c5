// SPDX-License-Identifier: GPL-2.0
/* Host unit tests of libsliceqos's pure parts: units, quanta, class ids, checks, and the
 * libnl objects it would send (read back through libnl's own getters). */
#include <linux/if_ether.h>
#include <linux/pkt_sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <netlink/netlink.h>
#include <netlink/route/class.h>
#include <netlink/route/classifier.h>
#include <netlink/route/qdisc/htb.h>
#include <netlink/route/tc.h>

#include "lib/qos/sliceqos.h"

static void test_kbps_to_bytes(void **state)
{
	assert_int_equal(sliceqos_kbps_to_bytes(0), 0);
	assert_int_equal(sliceqos_kbps_to_bytes(8), 1000);
	/* KubeSlice's example profile: 5120 kbit/s ceiling. */
	assert_int_equal(sliceqos_kbps_to_bytes(5120), 640000);
	/* The largest value genl carries must not wrap. */
	assert_true(sliceqos_kbps_to_bytes(UINT32_MAX) == (uint64_t)UINT32_MAX * 125);
	/* Read back exactly; HTB's smallest rate (nothing guaranteed) is 0 again. */
	assert_int_equal(sliceqos_bytes_to_kbps(sliceqos_kbps_to_bytes(1234)), 1234);
	assert_int_equal(sliceqos_bytes_to_kbps(1), 0);
	assert_true(sliceqos_bytes_to_kbps(sliceqos_kbps_to_bytes(UINT32_MAX)) == UINT32_MAX);
	assert_true(sliceqos_bytes_to_kbps(UINT64_MAX / 8) == UINT32_MAX);
}

static void test_quantum(void **state)
{
	/* Slow classes get one packet's worth, fast ones are capped, between: rate / 10. */
	assert_int_equal(sliceqos_quantum(1), 1600);
	assert_int_equal(sliceqos_quantum(16000), 1600);
	assert_int_equal(sliceqos_quantum(640000), 64000);
	assert_int_equal(sliceqos_quantum(2000000), 200000);
	assert_int_equal(sliceqos_quantum(UINT64_MAX), 200000);
}

static void test_burst(void **state)
{
	/* 120 ms at the rate, two frames at least but a second's worth at most. */
	assert_int_equal(sliceqos_burst(1), 1);
	assert_int_equal(sliceqos_burst(1000), 1000);
	assert_int_equal(sliceqos_burst(8000), 3200);
	assert_int_equal(sliceqos_burst(sliceqos_kbps_to_bytes(12872)), 193080);
	assert_int_equal(sliceqos_burst(sliceqos_kbps_to_bytes(10000000)), 150000000);
	assert_true(sliceqos_burst(UINT64_MAX) == UINT32_MAX);
}

static void test_classid(void **state)
{
	assert_int_equal(sliceqos_classid(0x10), 0x51ce0010);
	/* Only the low 16 bits name the class. */
	assert_int_equal(sliceqos_classid(0xabcd0042), 0x51ce0042);
}

static void test_class_renew(void **state)
{
	/* Nothing guaranteed (1 byte/s) raised to anything: created anew. */
	assert_true(sliceqos_class_renew(1, 2));
	assert_true(sliceqos_class_renew(1, sliceqos_kbps_to_bytes(2048)));
	/* A rate at which 64 KiB take longer than 120 ms: up to 546133 bytes/s. */
	assert_true(sliceqos_class_renew(546133, 10000000));
	assert_false(sliceqos_class_renew(546134, 10000000));
	assert_false(sliceqos_class_renew(sliceqos_kbps_to_bytes(10000),
					  sliceqos_kbps_to_bytes(20000)));
	/* Unchanged or lowered: changed in place (the debt is the new rate's own). */
	assert_false(sliceqos_class_renew(1, 1));
	assert_false(sliceqos_class_renew(1000, 1000));
	assert_false(sliceqos_class_renew(sliceqos_kbps_to_bytes(2048), 1));
	/* The largest rates do not overflow. */
	assert_false(sliceqos_class_renew(UINT64_MAX - 1, UINT64_MAX));
}

static void expect_rejected(struct sliceqos_class c, const char *why)
{
	char err[160] = "";

	assert_int_equal(sliceqos_class_check(&c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, why));
}

static void test_class_check(void **state)
{
	struct sliceqos_class ok = {
		.mark = 0x10, .guaranteed_kbps = 2560, .ceiling_kbps = 5120, .priority = 1,
	};
	struct sliceqos_class c;
	char err[160];

	assert_int_equal(sliceqos_class_check(&ok, err, sizeof(err)), 0);
	c = ok;
	c.guaranteed_kbps = 0;
	assert_int_equal(sliceqos_class_check(&c, err, sizeof(err)), 0);

	c = ok;
	c.mark = 0x10000;
	expect_rejected(c, "must be 0x2..0xfffe");
	c.mark = 1;
	expect_rejected(c, "must be 0x2..0xfffe");
	c.mark = 0xffff;
	expect_rejected(c, "must be 0x2..0xfffe");
	c = ok;
	c.ceiling_kbps = 0;
	c.guaranteed_kbps = 0;
	expect_rejected(c, "ceiling must be at least 1 kbit/s");
	c = ok;
	c.guaranteed_kbps = 6000;
	expect_rejected(c, "guaranteed 6000 kbit/s is above the ceiling of 5120 kbit/s");
	c = ok;
	c.priority = 8;
	expect_rejected(c, "priority 8 is out of range");
}

static void test_class_build(void **state)
{
	struct sliceqos_class c = {
		.mark = 0x20, .guaranteed_kbps = 2560, .ceiling_kbps = 5120, .priority = 3,
	};
	struct rtnl_class *cls = sliceqos_class_build(7, &c);
	uint64_t rate, ceil;

	assert_non_null(cls);
	assert_int_equal(rtnl_tc_get_ifindex(TC_CAST(cls)), 7);
	assert_string_equal(rtnl_tc_get_kind(TC_CAST(cls)), "htb");
	assert_int_equal(rtnl_tc_get_parent(TC_CAST(cls)), 0x51ce0001);
	assert_int_equal(rtnl_tc_get_handle(TC_CAST(cls)), 0x51ce0020);
	assert_int_equal(rtnl_htb_get_rate64(cls, &rate), 0);
	assert_int_equal(rtnl_htb_get_ceil64(cls, &ceil), 0);
	assert_true(rate == 320000 && ceil == 640000);
	assert_int_equal(rtnl_htb_get_prio(cls), 3);
	assert_int_equal(rtnl_htb_get_quantum(cls), 32000);
	rtnl_class_put(cls);

	/* Nothing guaranteed still needs a rate: the smallest HTB takes. */
	c.guaranteed_kbps = 0;
	cls = sliceqos_class_build(7, &c);
	assert_int_equal(rtnl_htb_get_rate64(cls, &rate), 0);
	assert_true(rate == 1);
	rtnl_class_put(cls);
}

static void test_filter_build(void **state)
{
	struct rtnl_cls *f = sliceqos_filter_build(9, 0x5c0020);

	assert_non_null(f);
	assert_int_equal(rtnl_tc_get_ifindex(TC_CAST(f)), 9);
	assert_string_equal(rtnl_tc_get_kind(TC_CAST(f)), "fw");
	assert_int_equal(rtnl_tc_get_parent(TC_CAST(f)), 0x51ce0000);
	/* The fw filter's handle is the mark it matches, all 32 bits of it. */
	assert_int_equal(rtnl_tc_get_handle(TC_CAST(f)), 0x5c0020);
	assert_int_equal(rtnl_cls_get_protocol(f), ETH_P_ALL);
	assert_int_equal(rtnl_cls_get_prio(f), 1);
	rtnl_cls_put(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kbps_to_bytes),
		cmocka_unit_test(test_quantum),
		cmocka_unit_test(test_burst),
		cmocka_unit_test(test_classid),
		cmocka_unit_test(test_class_renew),
		cmocka_unit_test(test_class_check),
		cmocka_unit_test(test_class_build),
		cmocka_unit_test(test_filter_build),
	};

	return cmocka_run_group_tests_name("libsliceqos", tests, NULL, NULL);
}
