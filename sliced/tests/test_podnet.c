// SPDX-License-Identifier: GPL-2.0
/*
 * The pods' node side (podnet.h) against the real rtnetlink of a network namespace of the
 * test's own, a veth pair standing for each pod's: a whole node side is left
 * alone, a route deleted or a link set down by hand is put right and reported, a node side
 * still being made is not touched at the first check, a missing link is no pod.
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

#include "api/kubeslice.h"
#include "ipam_fixture.h"
#include "log.h"
#include "podnet.h"

static const char slices_json[] =
	"{\"red-c1\": {\"spec\": {\"sliceName\": \"red\", \"sliceSubnet\": \"10.1.0.0/16\","
	" \"clusterSubnetCIDR\": \"10.1.0.0/20\"}}}";

struct reports {
	unsigned int count;
	char last[640];
};

static void record(void *arg, const char *slice, const char *what)
{
	struct reports *r = arg;

	assert_string_equal(slice, "red");
	r->count++;
	snprintf(r->last, sizeof(r->last), "%s", what);
}

static void test_repair_due(void **state)
{
	assert_false(podnet_repair_due(PODNET_NONE, PODNET_PARTIAL));
	assert_true(podnet_repair_due(PODNET_PARTIAL, PODNET_PARTIAL));
	assert_true(podnet_repair_due(PODNET_WHOLE, PODNET_PARTIAL));
	assert_false(podnet_repair_due(PODNET_WHOLE, PODNET_WHOLE));
	assert_false(podnet_repair_due(PODNET_WHOLE, PODNET_NONE));
}

static int sh(const char *fmt, ...)
{
	char cmd[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* A veth pair as slice-cni makes it, the pod's end left in the test's namespace. */
static int veth(const char *host)
{
	return sh("ip link add %s type veth peer name p%.12s && ip link set p%.12s up", host,
		  host + 2, host + 2);
}

/* The node side as slice-cni makes it. */
static void attach(const char *host, const char *pod)
{
	assert_int_equal(veth(host), 0);
	assert_int_equal(sh("ip addr add 10.1.0.1/32 dev %s && ip link set %s up && "
			    "ip route add %s/32 dev %s scope link", host, host, pod, host), 0);
}

static bool whole(const char *host, const char *pod)
{
	return !sh("ip -o link show %s up | grep -q UP && ip -o addr show dev %s | grep -q "
		   "10.1.0.1/32 && ip route show %s/32 dev %s | grep -q .", host, host, pod, host);
}

static void test_check(void **state)
{
	char a[IF_NAMESIZE], b[IF_NAMESIZE];
	const struct ipam_lease *l;
	struct reports r = { 0 };
	struct ipam_fixture f;
	struct podnet *pn;
	cJSON *slices;
	struct ipam *m;

	if (unshare(CLONE_NEWNET) || sh("ip link set lo up")) {
		skip();
		return;
	}
	ipam_fixture_open(&f, "test_podnet");
	m = f.m;
	slices = cJSON_Parse(slices_json);
	ipam_update(m, slices);
	assert_int_equal(ipam_pool_alloc(ipam_pool_of(m, "red"), "c-a", "eth0", "shop", "web-0",
					 &l), 0);
	pn = podnet_new();
	assert_non_null(pn);
	ks_pod_host_ifname("c-a", "eth0", a);
	ks_pod_host_ifname("c-b", "eth0", b);

	/* No veth yet, twice: nothing to do, nothing reported. */
	podnet_check(pn, m, record, &r);
	podnet_check(pn, m, record, &r);
	assert_int_equal(r.count, 0);
	attach(a, "10.1.0.2");
	podnet_check(pn, m, record, &r);
	assert_int_equal(r.count, 0);

	assert_int_equal(sh("ip route del 10.1.0.2/32 dev %s", a), 0);
	podnet_check(pn, m, record, &r);
	assert_int_equal(r.count, 1);
	assert_non_null(strstr(r.last, "pod shop/web-0 (10.1.0.2)"));
	assert_non_null(strstr(r.last, "the route to the pod was missing"));
	assert_true(whole(a, "10.1.0.2"));

	/* Down takes the route with it: both come back. */
	assert_int_equal(sh("ip link set %s down && ip addr flush dev %s", a, a), 0);
	podnet_check(pn, m, record, &r);
	assert_int_equal(r.count, 2);
	assert_non_null(strstr(r.last, "it was down, its gateway address was missing"));
	assert_true(whole(a, "10.1.0.2"));
	podnet_check(pn, m, record, &r);
	assert_int_equal(r.count, 2);

	/* Being attached (a link, nothing else): left alone once, put right the next time. */
	assert_int_equal(ipam_pool_alloc(ipam_pool_of(m, "red"), "c-b", "eth0", "", "", &l), 0);
	assert_int_equal(veth(b), 0);
	podnet_check(pn, m, record, &r);
	assert_int_equal(r.count, 2);
	podnet_check(pn, m, record, &r);
	assert_int_equal(r.count, 3);
	assert_non_null(strstr(r.last, "pod -/c-b (10.1.0.3)"));
	assert_true(whole(b, "10.1.0.3"));

	/* Its veth gone (the pod is): nothing, and not a crash. */
	assert_int_equal(sh("ip link del %s", b), 0);
	podnet_check(pn, m, record, &r);
	assert_int_equal(r.count, 3);

	podnet_free(pn);
	cJSON_Delete(slices);
	ipam_fixture_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_repair_due),
		cmocka_unit_test(test_check),
	};

	log_init(false, false, "c1");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
