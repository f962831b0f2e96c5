// SPDX-License-Identifier: GPL-2.0
/*
 * Reconciler scenarios against the in-memory store: the WorkerSliceGateways of a slice
 * (pairs, redundancy), their certificates and the rotation of those.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "api/json.h"
#include "api/kubeslice.h"
#include "controller/certs.h"
#include "tests/reconcile/fake_store.h"
#include "tests/reconcile/helpers.h"

/* The first local node port of a stored gateway, -1 without one. */
static int local_port(struct ctl_store *st, const char *name)
{
	cJSON *g = ctl_store_get(st, KS_RES_WORKER_GATEWAY, NS, name);
	const cJSON *p = cJSON_GetArrayItem(ks_get(g, "spec.localGatewayConfig.nodePorts"), 0);
	int port = cJSON_IsNumber(p) ? p->valueint : -1;

	cJSON_Delete(g);
	return port;
}

static void test_gateway_pairs(void **state)
{
	struct ctl_store *st = *state;
	const char *gw = KS_RES_WORKER_GATEWAY;
	long port_c1, port_c2;

	put(st, KS_RES_SLICE, slice_obj("red", "10.1.0.0/16", "['c1','c2','c3']"));
	assert_int_equal(fake_store_count(st, gw), 6);
	/* the cluster listed first serves */
	assert_string_equal(stored_str(st, gw, "red-c1-c2", "spec.gatewayHostType"), "Server");
	assert_string_equal(stored_str(st, gw, "red-c2-c1", "spec.gatewayHostType"), "Client");
	assert_string_equal(stored_str(st, gw, "red-c2-c3", "spec.gatewayHostType"), "Server");
	assert_string_equal(stored_str(st, gw, "red-c3-c1", "spec.gatewayHostType"), "Client");
	assert_string_equal(stored_str(st, gw, "red-c1-c2", "spec.localGatewayConfig.vpnIp"),
			    "10.1.255.1");
	assert_string_equal(stored_str(st, gw, "red-c1-c2", "spec.remoteGatewayConfig.vpnIp"),
			    "10.1.255.2");
	assert_string_equal(stored_str(st, gw, "red-c2-c1", "spec.localGatewayConfig.vpnIp"),
			    "10.1.255.2");
	assert_string_equal(stored_str(st, gw, "red-c2-c1",
				       "spec.remoteGatewayConfig.gatewayName"), "red-c1-c2");
	assert_string_equal(stored_str(st, gw, "red-c2-c1",
				       "spec.remoteGatewayConfig.gatewaySubnet"), "10.1.0.0/20");
	assert_string_equal(stored_str(st, gw, "red-c2-c1",
				       "spec.gatewayCredentials.secretName"), "red-c2-c1");
	assert_string_equal(stored_str(st, gw, "red-c2-c1", "metadata.labels.remote-cluster"),
			    "c1");
	/* KubeSlice's formula on the octets (0, 1, 2): ((max-1)(max-2))/2 + min */
	assert_int_equal(stored_int(st, gw, "red-c1-c2", "spec.gatewayNumber"), 0);
	assert_int_equal(stored_int(st, gw, "red-c2-c1", "spec.gatewayNumber"), 0);
	assert_int_equal(stored_int(st, gw, "red-c1-c3", "spec.gatewayNumber"), 0);
	assert_int_equal(stored_int(st, gw, "red-c2-c3", "spec.gatewayNumber"), 1);
	assert_string_equal(stored_str(st, gw, "red-c2-c3",
				       "metadata.labels.kubeslice-controller-resource-name"),
			    "SliceConfig-red");
	/* one port per slice and cluster, the same towards every peer */
	{
		cJSON *g = ctl_store_get(st, gw, NS, "red-c1-c2");

		port_c1 = cJSON_GetArrayItem(ks_get(g, "spec.localGatewayConfig.nodePorts"),
					     0)->valueint;
		port_c2 = cJSON_GetArrayItem(ks_get(g, "spec.remoteGatewayConfig.nodePorts"),
					     0)->valueint;
		assert_string_equal(cJSON_GetArrayItem(ks_get(g,
				"spec.remoteGatewayConfig.nodeIps"), 0)->valuestring, "192.0.2.2");
		cJSON_Delete(g);
		g = ctl_store_get(st, gw, NS, "red-c1-c3");
		assert_int_equal(cJSON_GetArrayItem(ks_get(g,
				"spec.localGatewayConfig.nodePorts"), 0)->valueint, port_c1);
		cJSON_Delete(g);
	}
	assert_true(port_c1 >= KS_NODEPORT_MIN && port_c1 <= KS_NODEPORT_MAX);
	assert_true(port_c2 >= KS_NODEPORT_MIN);
	/* a second slice on the same cluster gets another port */
	put(st, KS_RES_SLICE, slice_obj("blue", "10.2.0.0/16", "['c2','c1']"));
	assert_string_equal(stored_str(st, gw, "blue-c2-c1", "spec.gatewayHostType"), "Server");
	{
		cJSON *g = ctl_store_get(st, gw, NS, "blue-c1-c2");

		assert_int_not_equal(cJSON_GetArrayItem(ks_get(g,
				"spec.localGatewayConfig.nodePorts"), 0)->valueint, port_c1);
		cJSON_Delete(g);
	}
	assert_int_equal(local_port(st, "red-c1-c2"), KS_NODEPORT_MIN);
	assert_int_equal(local_port(st, "blue-c1-c2"), KS_NODEPORT_MIN + 1);
	/* a port that a gateway written by someone else uses is not given out: the ports the
	 * reconcilers keep in memory are read again after a change they did not make */
	put(st, gw, jsonf("{'apiVersion':'worker.kubeslice.io/v1alpha1',"
			  "'kind':'WorkerSliceGateway','metadata':{'name':'other-c1-c2',"
			  "'namespace':'" NS "','labels':{'" KS_LABEL_SLICE "':'other',"
			  "'" KS_LABEL_WORKER_CLUSTER "':'c1'}},'spec':{'localGatewayConfig':"
			  "{'nodePorts':[%d]}}}", KS_NODEPORT_MIN + 2));
	put(st, KS_RES_SLICE, slice_obj("green", "10.3.0.0/16", "['c1','c3']"));
	assert_int_equal(local_port(st, "green-c1-c3"), KS_NODEPORT_MIN + 3);
	/* a slice gone leaves its ports to the next one */
	del(st, KS_RES_SLICE, NS, "blue");
	put(st, KS_RES_SLICE, slice_obj("white", "10.4.0.0/16", "['c1','c4']"));
	assert_int_equal(local_port(st, "white-c1-c4"), KS_NODEPORT_MIN + 1);
}

/* A Cluster whose gateway nodes are ips (a JSON list text). */
static void add_gateway_nodes(struct ctl_store *st, const char *name, const char *ips,
			      const char *cni)
{
	put(st, KS_RES_CLUSTER,
	    jsonf("{'apiVersion':'controller.kubeslice.io/v1alpha1','kind':'Cluster',"
		  "'metadata':{'name':'%s','namespace':'" NS "'},"
		  "'spec':{'nodeIPs':%s},'status':{'cniSubnet':['%s']}}", name, ips, cni));
}

static int array_size(struct ctl_store *st, const char *resource, const char *name,
		      const char *path)
{
	cJSON *obj = ctl_store_get(st, resource, NS, name);
	int n = cJSON_GetArraySize(ks_get(obj, path));

	cJSON_Delete(obj);
	return n;
}

/* The GatewayRedundancy condition's status of red, and its message into msg. */
static const char *redundancy(struct ctl_store *st, char *msg, size_t size)
{
	static char status[16];
	cJSON *sc = ctl_store_get(st, KS_RES_SLICE, NS, "red"), *c;

	*status = *msg = '\0';
	cJSON_ArrayForEach(c, ks_get(sc, "status.conditions"))
		if (!strcmp(ks_get_str0(c, "type"), "GatewayRedundancy")) {
			snprintf(status, sizeof(status), "%s", ks_get_str0(c, "status"));
			snprintf(msg, size, "%s", ks_get_str0(c, "message"));
		}
	cJSON_Delete(sc);
	return status;
}

/*
 * Two gateway pairs per cluster pair where both clusters list two gateway nodes, each pair
 * with its own certificate; fewer where a cluster lists fewer, said in the SliceConfig's
 * condition and an Event; numberOfGateways 1 takes the second pair and its credentials away.
 */
static void test_redundant_pairs(void **state)
{
	struct ctl_store *st = *state;
	const char *gw = KS_RES_WORKER_GATEWAY;
	char *ca, *crt0, *crt1, *key0, *key1, msg[512];
	time_t now = time(NULL);
	cJSON *sc;

	add_gateway_nodes(st, "c1", "['192.0.2.1','192.0.2.11']", "10.244.0.0/16");
	add_gateway_nodes(st, "c2", "['192.0.2.2','192.0.2.12']", "10.245.0.0/16");
	put(st, KS_RES_SLICE, slice_obj("red", "10.1.0.0/16", "['c1','c2']"));
	assert_int_equal(array_size(st, gw, "red-c1-c2", "spec.localGatewayConfig.nodePorts"), 2);
	assert_int_equal(array_size(st, gw, "red-c2-c1", "spec.remoteGatewayConfig.nodePorts"),
			 2);
	assert_int_equal(array_size(st, gw, "red-c2-c1", "spec.localGatewayConfig.nodeIps"), 2);
	assert_string_equal(stored_str(st, gw, "red-c1-c2", "metadata.name"), "red-c1-c2");
	assert_string_equal(redundancy(st, msg, sizeof(msg)), "True");
	assert_int_equal(fake_events(st, "GatewayPairsReduced"), 0);

	ca = secret_value(st, "red-ca", "ca.crt");
	crt0 = secret_value(st, "red-c1-c2", "tls.crt");
	crt1 = secret_value(st, "red-c1-c2", "tls-1.crt");
	key0 = secret_value(st, "red-c1-c2", "tls.key");
	key1 = secret_value(st, "red-c1-c2", "tls-1.key");
	assert_non_null(crt1);
	assert_non_null(key1);
	assert_string_not_equal(crt0, crt1);
	assert_string_not_equal(key0, key1);
	assert_int_equal(ctl_cert_verify(ca, crt0, "red-c1-c2", now), 0);
	assert_int_equal(ctl_cert_verify(ca, crt1, "red-c1-c2", now), 0);
	free(crt1);
	free(key0);
	free(key1);

	/*
	 * A third member with one gateway node, dual-stack (an address of each family): its
	 * pairs are one, and the slice says so.
	 */
	add_gateway_nodes(st, "c3", "['192.0.2.3','2001:db8::3']", "10.246.0.0/16");
	put(st, KS_RES_SLICE, slice_obj("red", "10.1.0.0/16", "['c1','c2','c3']"));
	assert_int_equal(array_size(st, gw, "red-c1-c2", "spec.localGatewayConfig.nodePorts"), 2);
	assert_int_equal(array_size(st, gw, "red-c1-c3", "spec.localGatewayConfig.nodePorts"), 1);
	assert_int_equal(array_size(st, gw, "red-c3-c2", "spec.remoteGatewayConfig.nodePorts"),
			 1);
	assert_null(secret_value(st, "red-c1-c3", "tls-1.crt"));
	assert_string_equal(redundancy(st, msg, sizeof(msg)), "False");
	assert_non_null(strstr(msg, "cluster c3 lists 1 gateway node"));
	assert_int_equal(fake_events(st, "GatewayPairsReduced"), 1);
	sc = ctl_store_get(st, KS_RES_SLICE, NS, "red");
	fake_store_reset_counts(st);
	ctl_reconcile(st, KS_RES_SLICE, sc, 0);
	cJSON_Delete(sc);
	assert_quiet(st);

	/* One pair asked for: everyone runs one, the second credentials go, the first stay. */
	sc = slice_obj("red", "10.1.0.0/16", "['c1','c2','c3']");
	ks_set_int(ks_ensure(sc, "spec.sliceGatewayProvider"), "numberOfGateways", 1);
	put(st, KS_RES_SLICE, sc);
	assert_int_equal(array_size(st, gw, "red-c1-c2", "spec.localGatewayConfig.nodePorts"), 1);
	assert_null(secret_value(st, "red-c1-c2", "tls-1.crt"));
	crt1 = secret_value(st, "red-c1-c2", "tls.crt");
	assert_string_equal(crt1, crt0);
	assert_string_equal(redundancy(st, msg, sizeof(msg)), "True");
	assert_int_equal(fake_events(st, "GatewayPairsReduced"), 1);
	free(crt0);
	free(crt1);
	free(ca);
}

static void test_gateway_certificates(void **state)
{
	struct ctl_store *st = *state;
	char *ca, *blue_ca, *cert, *key, *ca_in_gw;
	time_t now = time(NULL);

	put(st, KS_RES_SLICE, slice_obj("red", "10.1.0.0/16", "['c1','c2']"));
	put(st, KS_RES_SLICE, slice_obj("blue", "10.2.0.0/16", "['c1','c2']"));
	ca = secret_value(st, "red-ca", "ca.crt");
	blue_ca = secret_value(st, "blue-ca", "ca.crt");
	cert = secret_value(st, "red-c1-c2", "tls.crt");
	key = secret_value(st, "red-c1-c2", "tls.key");
	ca_in_gw = secret_value(st, "red-c1-c2", "ca.crt");
	assert_non_null(ca);
	assert_non_null(key);
	assert_string_equal(ca, ca_in_gw);
	assert_string_equal(stored_str(st, KS_RES_SECRET, "red-c1-c2", "type"),
			    KS_SECRET_TYPE_TLS);
	assert_string_equal(stored_str(st, KS_RES_SECRET, "red-c1-c2",
				       "metadata.labels.worker-cluster"), "c1");
	assert_int_equal(ctl_cert_verify(ca, cert, "red-c1-c2", now), 0);
	assert_int_equal(ctl_cert_verify(blue_ca, cert, "red-c1-c2", now), -EKEYREJECTED);
	assert_int_equal(ctl_cert_verify(ca, cert, "red-c2-c1", now), -EKEYREJECTED);
	/* the CA secret is not a worker's to read */
	assert_string_equal(stored_str(st, KS_RES_SECRET, "red-ca",
				       "metadata.labels.worker-cluster"), "");
	free(ca);
	free(blue_ca);
	free(cert);
	free(key);
	free(ca_in_gw);
}

/* Move the current generation of red's certificates back by days. */
static void age_rotation(struct ctl_store *st, long days)
{
	cJSON *vkr = ctl_store_get(st, KS_RES_ROTATION, NS, "red");
	char created[KS_TIME_STRLEN], expires[KS_TIME_STRLEN];
	time_t c = ks_time_parse(ks_get_str(vkr, "spec.certificateCreationTime"));
	time_t e = ks_time_parse(ks_get_str(vkr, "spec.certificateExpiryTime"));

	ks_time_format(c - days * 86400, created);
	ks_time_format(e - days * 86400, expires);
	ks_set_str(ks_get(vkr, "spec"), "certificateCreationTime", created);
	ks_set_str(ks_get(vkr, "spec"), "certificateExpiryTime", expires);
	put(st, KS_RES_ROTATION, vkr);
}

static void test_rotation(void **state)
{
	struct ctl_store *st = *state;
	char *cert1, *cert2, *cert3, *ca, renew[KS_TIME_STRLEN];
	time_t created, expires, now = time(NULL);
	cJSON *sc;

	put(st, KS_RES_SLICE, slice_obj("red", "10.1.0.0/16", "['c1','c2']"));
	created = ks_time_parse(stored_str(st, KS_RES_ROTATION, "red",
					   "spec.certificateCreationTime"));
	expires = ks_time_parse(stored_str(st, KS_RES_ROTATION, "red",
					   "spec.certificateExpiryTime"));
	assert_true(created >= now - 5 && created <= now + 5);
	assert_int_equal(expires - created, 30 * 86400 - 3600);
	assert_int_equal(stored_int(st, KS_RES_ROTATION, "red", "spec.rotationCount"), 1);
	assert_int_equal(stored_int(st, KS_RES_ROTATION, "red", "spec.rotationInterval"), 30);
	cert1 = secret_value(st, "red-c1-c2", "tls.crt");

	/* 29 days on: not yet due */
	age_rotation(st, 29);
	assert_int_equal(stored_int(st, KS_RES_ROTATION, "red", "spec.rotationCount"), 1);
	cert2 = secret_value(st, "red-c1-c2", "tls.crt");
	assert_string_equal(cert1, cert2);
	free(cert2);

	/* a day later the interval (less an hour) is over */
	age_rotation(st, 1);
	assert_int_equal(stored_int(st, KS_RES_ROTATION, "red", "spec.rotationCount"), 2);
	{
		cJSON *secret = ctl_store_get(st, KS_RES_SECRET, NS, "red-c1-c2");

		assert_string_equal(ks_annotation(secret, KS_ANNOT_ROTATION), "2");
		cJSON_Delete(secret);
	}
	cert2 = secret_value(st, "red-c1-c2", "tls.crt");
	assert_string_not_equal(cert1, cert2);
	ca = secret_value(st, "red-ca", "ca.crt");
	assert_int_equal(ctl_cert_verify(ca, cert2, "red-c1-c2", now), 0);
	/* the previous generation stays valid under the same CA while gateways roll */
	assert_int_equal(ctl_cert_verify(ca, cert1, "red-c1-c2", now), 0);
	assert_int_equal(fake_events(st, "CertificatesRotated"), 1);

	/* renewBefore forces a renewal once it has passed */
	age_rotation(st, 2);
	ks_time_format(now - 86400, renew);
	sc = slice_obj("red", "10.1.0.0/16", "['c1','c2']");
	ks_set_str(ks_get(sc, "spec"), "renewBefore", renew);
	put(st, KS_RES_SLICE, sc);
	assert_int_equal(stored_int(st, KS_RES_ROTATION, "red", "spec.rotationCount"), 3);
	cert3 = secret_value(st, "red-c2-c1", "tls.crt");
	assert_int_equal(ctl_cert_verify(ca, cert3, "red-c2-c1", now), 0);
	/* ... and only once */
	fake_store_reset_counts(st);
	ctl_reconcile(st, NULL, NULL, 0);
	assert_int_equal(fake_store_counts(st).writes, 0);
	free(cert1);
	free(cert2);
	free(cert3);
	free(ca);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		SCENARIO(test_gateway_pairs, scenario_setup),
		SCENARIO(test_redundant_pairs, scenario_setup),
		SCENARIO(test_gateway_certificates, scenario_setup),
		SCENARIO(test_rotation, scenario_setup),
	};

	return cmocka_run_group_tests_name("gateways", tests, NULL, NULL);
}
