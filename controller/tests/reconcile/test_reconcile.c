// SPDX-License-Identifier: GPL-2.0
/* Reconciler scenarios against the in-memory store. */
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

#include "api/base64.h"
#include "api/json.h"
#include "api/kubeslice.h"
#include "controller/certs.h"
#include "tests/reconcile/fake_store.h"
#include "tests/reconcile/helpers.h"

static int setup(void **state)
{
	struct ctl_store *st = fake_store_new();

	put(st, KS_RES_PROJECT,
	    jsonf("{'apiVersion':'controller.kubeslice.io/v1alpha1','kind':'Project',"
		  "'metadata':{'name':'acme','namespace':'kubeslice-controller'},'spec':{}}"));
	add_cluster(st, "c1", "192.0.2.1", "10.244.0.0/16");
	add_cluster(st, "c2", "192.0.2.2", "10.245.0.0/16");
	add_cluster(st, "c3", "192.0.2.3", "10.246.0.0/16");
	add_cluster(st, "c4", "192.0.2.4", "10.247.0.0/16");
	add_cluster(st, "c5", "192.0.2.5", "10.248.0.0/16");
	*state = st;
	return 0;
}

static int teardown(void **state)
{
	fake_store_free(*state);
	return 0;
}

/* The stored secret data value, decoded (malloc'ed). */
static char *secret_value(struct ctl_store *st, const char *name, const char *key)
{
	cJSON *obj = ctl_store_get(st, KS_RES_SECRET, NS, name);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(ks_get(obj, "data"), key);
	unsigned char *out = NULL;
	size_t len;

	if (cJSON_IsString(v))
		out = ks_b64_decode(v->valuestring, &len);
	cJSON_Delete(obj);
	return (char *)out;
}

static void test_project_namespace(void **state)
{
	struct ctl_store *st = *state;
	cJSON *ns = ctl_store_get(st, KS_RES_NAMESPACE, NULL, NS);

	assert_non_null(ns);
	assert_string_equal(ks_label(ns, KS_LABEL_PROJECT), "acme");
	/* KubeSlice's labels, which mark a project namespace */
	assert_string_equal(ks_label(ns, KS_LABEL_RESOURCE_OWNER), "kubeslice-controller");
	assert_string_equal(ks_label(ns, KS_LABEL_RESOURCE_NAME), "Project-" NS);
	cJSON_Delete(ns);
	/* and KubeSlice's default SliceQoSConfig */
	assert_int_equal(stored_int(st, KS_RES_QOS, "default", "spec.bandwidthCeilingKbps"),
			 10000000);
	assert_int_equal(stored_int(st, KS_RES_QOS, "default", "spec.bandwidthGuaranteedKbps"),
			 1000000);
	assert_string_equal(stored_str(st, KS_RES_QOS, "default", "spec.dscpClass"), "AF11");
	/* a Project of the same name outside kubeslice-controller owns nothing: deleting it
	 * leaves the real one's namespace alone */
	put(st, KS_RES_PROJECT, jsonf("{'apiVersion':'controller.kubeslice.io/v1alpha1',"
				      "'kind':'Project','metadata':{'name':'acme',"
				      "'namespace':'default'}}"));
	del(st, KS_RES_PROJECT, "default", "acme");
	assert_non_null(ns = ctl_store_get(st, KS_RES_NAMESPACE, NULL, NS));
	cJSON_Delete(ns);
	del(st, KS_RES_PROJECT, KS_CONTROLLER_NAMESPACE, "acme");
	assert_null(ctl_store_get(st, KS_RES_NAMESPACE, NULL, NS));
}

static void test_cluster_credential(void **state)
{
	struct ctl_store *st = *state;
	const char *name = "kubeslice-rbac-worker-c1";
	char *token, *again, *other;
	cJSON *secret;

	secret = ctl_store_get(st, KS_RES_SECRET, NS, name);
	assert_non_null(secret);
	assert_string_equal(ks_get_str0(secret, "type"), KS_SECRET_TYPE_TOKEN);
	assert_string_equal(ks_label(secret, KS_LABEL_CLUSTER), "c1");
	cJSON_Delete(secret);
	token = secret_value(st, name, "token");
	assert_int_equal(strlen(token), 64);
	other = secret_value(st, "kubeslice-rbac-worker-c2", "token");
	assert_string_not_equal(token, other);
	free(other);
	assert_string_equal(stored_str(st, KS_RES_CLUSTER, "c1", "status.secretName"), name);
	assert_string_equal(stored_str(st, KS_RES_CLUSTER, "c1", "status.registrationStatus"),
			    "Pending");
	/* the worker's own status survives */
	assert_string_equal(stored_str(st, KS_RES_CLUSTER, "c1", "status.cniSubnet"), "");
	ctl_reconcile(st, NULL, NULL, 0);
	again = secret_value(st, name, "token");
	assert_string_equal(token, again);
	free(again);
	free(token);
	del(st, KS_RES_CLUSTER, NS, "c1");
	assert_null(ctl_store_get(st, KS_RES_SECRET, NS, name));
}

static void test_worker_slice_configs(void **state)
{
	struct ctl_store *st = *state;

	put(st, KS_RES_SLICE, slice_obj("red", "10.1.0.0/16", "['c1','c2','c3']"));
	assert_int_equal(fake_store_count(st, KS_RES_WORKER_SLICE), 3);
	assert_int_equal(stored_int(st, KS_RES_WORKER_SLICE, "red-c1", "spec.octet"), 0);
	assert_string_equal(stored_str(st, KS_RES_WORKER_SLICE, "red-c1",
				       "spec.clusterSubnetCIDR"), "10.1.0.0/20");
	assert_string_equal(stored_str(st, KS_RES_WORKER_SLICE, "red-c2",
				       "spec.clusterSubnetCIDR"), "10.1.16.0/20");
	assert_string_equal(stored_str(st, KS_RES_WORKER_SLICE, "red-c3",
				       "spec.clusterSubnetCIDR"), "10.1.32.0/20");
	assert_string_equal(stored_str(st, KS_RES_WORKER_SLICE, "red-c2",
				       "metadata.labels.worker-cluster"), "c2");
	assert_string_equal(stored_str(st, KS_RES_WORKER_SLICE, "red-c2",
				       "metadata.labels.original-slice-name"), "red");
	assert_string_equal(stored_str(st, KS_RES_WORKER_SLICE, "red-c2",
				       "metadata.labels.project-namespace"), NS);
	assert_string_equal(stored_str(st, KS_RES_WORKER_SLICE, "red-c2",
				       "spec.qosProfileDetails.dscpClass"), "AF11");
	assert_string_equal(stored_str(st, KS_RES_WORKER_SLICE, "red-c2",
				       "spec.sliceGatewayProvider.sliceGatewayServiceType"),
			    "NodePort");
	/* namespace isolation per cluster: "db" only where it is named */
	{
		cJSON *w1 = ctl_store_get(st, KS_RES_WORKER_SLICE, NS, "red-c1");
		cJSON *w2 = ctl_store_get(st, KS_RES_WORKER_SLICE, NS, "red-c2");

		assert_int_equal(cJSON_GetArraySize(ks_get(w1,
			"spec.namespaceIsolationProfile.applicationNamespaces")), 2);
		assert_int_equal(cJSON_GetArraySize(ks_get(w2,
			"spec.namespaceIsolationProfile.applicationNamespaces")), 1);
		cJSON_Delete(w1);
		cJSON_Delete(w2);
	}
	assert_true(fake_events(st, "WorkerSliceConfigCreated") == 3);
}

static void test_octets_stable(void **state)
{
	struct ctl_store *st = *state;

	put(st, KS_RES_SLICE, slice_obj("red", "10.1.0.0/16", "['c1','c2','c3']"));
	put(st, KS_RES_SLICE, slice_obj("red", "10.1.0.0/16", "['c1','c3']"));
	assert_null(ctl_store_get(st, KS_RES_WORKER_SLICE, NS, "red-c2"));
	assert_int_equal(stored_int(st, KS_RES_WORKER_SLICE, "red-c1", "spec.octet"), 0);
	assert_int_equal(stored_int(st, KS_RES_WORKER_SLICE, "red-c3", "spec.octet"), 2);
	/* newcomers fill the lowest free blocks, in list order */
	put(st, KS_RES_SLICE, slice_obj("red", "10.1.0.0/16", "['c5','c1','c3','c4']"));
	assert_int_equal(stored_int(st, KS_RES_WORKER_SLICE, "red-c1", "spec.octet"), 0);
	assert_int_equal(stored_int(st, KS_RES_WORKER_SLICE, "red-c3", "spec.octet"), 2);
	assert_int_equal(stored_int(st, KS_RES_WORKER_SLICE, "red-c5", "spec.octet"), 1);
	assert_int_equal(stored_int(st, KS_RES_WORKER_SLICE, "red-c4", "spec.octet"), 3);
	assert_string_equal(stored_str(st, KS_RES_WORKER_SLICE, "red-c4",
				       "spec.clusterSubnetCIDR"), "10.1.48.0/20");
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
}

static void assert_quiet(struct ctl_store *st)
{
	struct fake_counts c = fake_store_counts(st);

	assert_int_equal(c.writes, 0);
	assert_int_equal(c.status_writes, 0);
	assert_int_equal(c.deletes, 0);
	assert_int_equal(c.events, 0);
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

	/* A third member with one gateway node: its pairs are one, and the slice says so. */
	add_gateway_nodes(st, "c3", "['192.0.2.3']", "10.246.0.0/16");
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

static void test_idempotent(void **state)
{
	struct ctl_store *st = *state;
	cJSON *sc;

	put(st, KS_RES_SLICE, slice_obj("red", "10.1.0.0/16", "['c1','c2','c3']"));
	put(st, KS_RES_EXPORT,
	    jsonf("{'apiVersion':'controller.kubeslice.io/v1alpha1',"
		  "'kind':'ServiceExportConfig','metadata':{'name':'web-c1','namespace':'" NS "'},"
		  "'spec':{'serviceName':'web','serviceNamespace':'shop','sourceCluster':'c1',"
		  "'sliceName':'red','serviceDiscoveryEndpoints':[{'podName':'web-0',"
		  "'nsmIp':'10.1.0.5','dnsName':'web-0.c1.web.shop.svc.slice.local',"
		  "'port':80}],'serviceDiscoveryPorts':[{'name':'http','port':80,"
		  "'protocol':'TCP'}]}}"));
	fake_store_reset_counts(st);
	sc = ctl_store_get(st, KS_RES_SLICE, NS, "red");
	ctl_reconcile(st, KS_RES_SLICE, sc, 0);
	cJSON_Delete(sc);
	assert_quiet(st);
	ctl_reconcile(st, NULL, NULL, 0);
	assert_quiet(st);
}

static int count_labelled(struct ctl_store *st, const char *resource, const char *selector)
{
	cJSON *list = ctl_store_list(st, resource, NS, selector);
	int n = cJSON_GetArraySize(list);

	cJSON_Delete(list);
	return n;
}

static void test_removal_cascades(void **state)
{
	struct ctl_store *st = *state;

	put(st, KS_RES_SLICE, slice_obj("red", "10.1.0.0/16", "['c1','c2','c3']"));
	assert_int_equal(count_labelled(st, KS_RES_SECRET, "original-slice-name=red"), 7);
	put(st, KS_RES_SLICE, slice_obj("red", "10.1.0.0/16", "['c1','c2']"));
	assert_int_equal(count_labelled(st, KS_RES_WORKER_GATEWAY, "worker-cluster=c3"), 0);
	assert_int_equal(count_labelled(st, KS_RES_WORKER_GATEWAY, "remote-cluster=c3"), 0);
	assert_int_equal(count_labelled(st, KS_RES_WORKER_GATEWAY, "original-slice-name=red"),
			 2);
	assert_int_equal(count_labelled(st, KS_RES_SECRET, "original-slice-name=red"), 3);
	assert_null(ctl_store_get(st, KS_RES_SECRET, NS, "red-c1-c3"));
	assert_null(ctl_store_get(st, KS_RES_WORKER_SLICE, NS, "red-c3"));
	{
		cJSON *vkr = ctl_store_get(st, KS_RES_ROTATION, NS, "red");

		assert_int_equal(cJSON_GetArraySize(ks_get(vkr, "spec.clusters")), 2);
		assert_null(ks_get(vkr, "spec.clusterGatewayMapping.c3"));
		assert_string_equal(cJSON_GetArrayItem(ks_get(vkr,
				"spec.clusterGatewayMapping.c2"), 0)->valuestring, "red-c2-c1");
		assert_string_equal(ks_get_str0(cJSON_GetArrayItem(ks_get(vkr,
				"metadata.ownerReferences"), 0), "kind"), "SliceConfig");
		assert_true(cJSON_IsTrue(ks_get(cJSON_GetArrayItem(ks_get(vkr,
				"metadata.ownerReferences"), 0), "controller")));
		cJSON_Delete(vkr);
	}
	del(st, KS_RES_SLICE, NS, "red");
	assert_int_equal(count_labelled(st, KS_RES_SECRET, "original-slice-name=red"), 0);
	assert_int_equal(fake_store_count(st, KS_RES_WORKER_GATEWAY), 0);
	assert_int_equal(fake_store_count(st, KS_RES_WORKER_SLICE), 0);
	assert_int_equal(fake_store_count(st, KS_RES_ROTATION), 0);
	/* the clusters' credentials are not the slice's */
	assert_int_equal(fake_store_count(st, KS_RES_SECRET), 5);
}

static void test_cluster_deleted_under_slice(void **state)
{
	struct ctl_store *st = *state;

	put(st, KS_RES_SLICE, slice_obj("red", "10.1.0.0/16", "['c1','c2','c3']"));
	del(st, KS_RES_CLUSTER, NS, "c3");
	assert_int_equal(fake_events(st, "ClusterNotFound"), 1);
	assert_null(ctl_store_get(st, KS_RES_WORKER_SLICE, NS, "red-c3"));
	assert_int_equal(fake_store_count(st, KS_RES_WORKER_GATEWAY), 2);
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

static cJSON *export_obj(const char *name, const char *svc, const char *cluster,
			 const char *ip)
{
	return jsonf("{'apiVersion':'controller.kubeslice.io/v1alpha1',"
		     "'kind':'ServiceExportConfig','metadata':{'name':'%s','namespace':'" NS "'},"
		     "'spec':{'serviceName':'%s','serviceNamespace':'shop','sourceCluster':'%s',"
		     "'sliceName':'red','aliases':['shop.example'],"
		     "'serviceDiscoveryEndpoints':[{'podName':'p-%s','nsmIp':'%s',"
		     "'dnsName':'p.%s.%s.shop.svc.slice.local','port':80}],"
		     "'serviceDiscoveryPorts':[{'name':'http','port':80,'protocol':'TCP'}]}}",
		     name, svc, cluster, cluster, ip, cluster, svc);
}

static void test_service_imports(void **state)
{
	struct ctl_store *st = *state;
	const char *imp = KS_RES_WORKER_IMPORT;
	cJSON *obj;

	put(st, KS_RES_SLICE, slice_obj("red", "10.1.0.0/16", "['c1','c2','c3']"));
	put(st, KS_RES_EXPORT, export_obj("web-c1", "web", "c1", "10.1.0.5"));
	/* KubeSlice imports into every member, the source among them */
	assert_int_equal(fake_store_count(st, imp), 3);
	obj = ctl_store_get(st, imp, NS, "web-shop-red-c1");
	assert_string_equal(cJSON_GetArrayItem(ks_get(obj, "spec.sourceClusters"),
					       0)->valuestring, "c1");
	cJSON_Delete(obj);
	assert_string_equal(stored_str(st, imp, "web-shop-red-c2", "spec.serviceName"), "web");
	assert_string_equal(stored_str(st, imp, "web-shop-red-c2",
				       "metadata.labels.worker-cluster"), "c2");
	assert_string_equal(stored_str(st, imp, "web-shop-red-c2",
				       "metadata.labels.kubeslice-controller-resource-name"),
			    "ServiceExportConfig-web-shop-red");
	/* a second source: every import lists both */
	put(st, KS_RES_EXPORT, export_obj("web-c2", "web", "c2", "10.1.16.5"));
	assert_int_equal(fake_store_count(st, imp), 3);
	obj = ctl_store_get(st, imp, NS, "web-shop-red-c3");
	assert_int_equal(cJSON_GetArraySize(ks_get(obj, "spec.sourceClusters")), 2);
	assert_int_equal(cJSON_GetArraySize(ks_get(obj, "spec.serviceDiscoveryEndpoints")), 2);
	cJSON_Delete(obj);
	obj = ctl_store_get(st, imp, NS, "web-shop-red-c1");
	assert_int_equal(cJSON_GetArraySize(ks_get(obj, "spec.sourceClusters")), 2);
	cJSON_Delete(obj);
	/* removing an export, then a member, removes what came of them */
	del(st, KS_RES_EXPORT, NS, "web-c2");
	assert_int_equal(fake_store_count(st, imp), 3);
	put(st, KS_RES_SLICE, slice_obj("red", "10.1.0.0/16", "['c1','c2']"));
	assert_int_equal(fake_store_count(st, imp), 2);
	del(st, KS_RES_EXPORT, NS, "web-c1");
	assert_int_equal(fake_store_count(st, imp), 0);
}

/* Whether the stored object has a member at path. */
static bool has(struct ctl_store *st, const char *resource, const char *name, const char *path)
{
	cJSON *obj = ctl_store_get(st, resource, NS, name);
	bool found = ks_get(obj, path) != NULL;

	cJSON_Delete(obj);
	return found;
}

static void test_no_network(void **state)
{
	struct ctl_store *st = *state;
	cJSON *sc = jsonf("{'apiVersion':'controller.kubeslice.io/v1alpha1','kind':'SliceConfig',"
			  "'metadata':{'name':'blue','namespace':'" NS "','labels':{'team':'a'}},"
			  "'spec':{'overlayNetworkDeploymentMode':'no-network',"
			  "'clusters':['c1','c2']}}");

	put(st, KS_RES_SLICE, sc);
	/* WorkerSliceConfigs only: no octet, subnet, QoS, gateways, keys or CA */
	assert_int_equal(fake_store_count(st, KS_RES_WORKER_SLICE), 2);
	assert_false(has(st, KS_RES_WORKER_SLICE, "blue-c1", "spec.octet"));
	assert_false(has(st, KS_RES_WORKER_SLICE, "blue-c1", "spec.clusterSubnetCIDR"));
	assert_false(has(st, KS_RES_WORKER_SLICE, "blue-c1", "spec.qosProfileDetails"));
	assert_string_equal(stored_str(st, KS_RES_WORKER_SLICE, "blue-c1",
				       "spec.overlayNetworkDeploymentMode"), "no-network");
	/* the SliceConfig's own labels are copied, as KubeSlice does */
	assert_string_equal(stored_str(st, KS_RES_WORKER_SLICE, "blue-c2", "metadata.labels.team"),
			    "a");
	assert_string_equal(stored_str(st, KS_RES_WORKER_SLICE, "blue-c2",
				       "metadata.labels.standard-qos-profile"), "");
	assert_int_equal(fake_store_count(st, KS_RES_WORKER_GATEWAY), 0);
	assert_int_equal(fake_store_count(st, KS_RES_ROTATION), 0);
	assert_null(ctl_store_get(st, KS_RES_SECRET, NS, "blue-ca"));
}

static void test_qos_profile(void **state)
{
	struct ctl_store *st = *state;
	const char *qos_fmt =
		"{'apiVersion':'controller.kubeslice.io/v1alpha1','kind':'SliceQoSConfig',"
		"'metadata':{'name':'gold','namespace':'" NS "'},'spec':{'queueType':'HTB',"
		"'priority':0,'tcType':'BANDWIDTH_CONTROL','bandwidthCeilingKbps':%d,"
		"'bandwidthGuaranteedKbps':1000,'dscpClass':'EF'}}";
	cJSON *sc;

	put(st, KS_RES_QOS, jsonf(qos_fmt, 50000));
	sc = slice_obj("red", "10.1.0.0/16", "['c1','c2']");
	cJSON_DeleteItemFromObjectCaseSensitive(ks_get(sc, "spec"), "qosProfileDetails");
	ks_set_str(ks_get(sc, "spec"), "standardQosProfileName", "gold");
	put(st, KS_RES_SLICE, sc);
	assert_string_equal(stored_str(st, KS_RES_WORKER_SLICE, "red-c1",
				       "spec.qosProfileDetails.dscpClass"), "EF");
	assert_int_equal(stored_int(st, KS_RES_WORKER_SLICE, "red-c1",
				    "spec.qosProfileDetails.bandwidthCeilingKbps"), 50000);
	assert_string_equal(stored_str(st, KS_RES_WORKER_SLICE, "red-c1",
				       "metadata.labels.standard-qos-profile"), "gold");
	put(st, KS_RES_QOS, jsonf(qos_fmt, 60000));
	assert_int_equal(stored_int(st, KS_RES_WORKER_SLICE, "red-c2",
				    "spec.qosProfileDetails.bandwidthCeilingKbps"), 60000);
}

static void test_repair_deleted_child(void **state)
{
	struct ctl_store *st = *state;
	char *before, *after;

	put(st, KS_RES_SLICE, slice_obj("red", "10.1.0.0/16", "['c1','c2']"));
	before = secret_value(st, "red-c1-c2", "tls.crt");
	del(st, KS_RES_WORKER_GATEWAY, NS, "red-c2-c1");
	assert_string_equal(stored_str(st, KS_RES_WORKER_GATEWAY, "red-c2-c1",
				       "spec.gatewayHostType"), "Client");
	/* a lost CA means a new one, and certificates under it */
	del(st, KS_RES_SECRET, NS, "red-ca");
	after = secret_value(st, "red-c1-c2", "tls.crt");
	assert_non_null(after);
	assert_string_not_equal(before, after);
	free(before);
	free(after);
}

static void test_store_failure_reported(void **state)
{
	struct ctl_store *st = *state;

	fake_store_fail(st, KS_RES_WORKER_GATEWAY, -EIO);
	put(st, KS_RES_SLICE, slice_obj("red", "10.1.0.0/16", "['c1','c2']"));
	assert_int_equal(fake_events(st, "WorkerSliceGatewayWriteFailed"), 1);
	assert_int_equal(fake_store_count(st, KS_RES_SECRET), 5);
	fake_store_fail(st, NULL, 0);
	ctl_reconcile(st, NULL, NULL, 0);
	assert_int_equal(fake_store_count(st, KS_RES_WORKER_GATEWAY), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_project_namespace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cluster_credential, setup, teardown),
		cmocka_unit_test_setup_teardown(test_worker_slice_configs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_octets_stable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gateway_pairs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_redundant_pairs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idempotent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_removal_cascades, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cluster_deleted_under_slice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gateway_certificates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_service_imports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_network, setup, teardown),
		cmocka_unit_test_setup_teardown(test_qos_profile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repair_deleted_child, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_failure_reported, setup, teardown),
	};

	return cmocka_run_group_tests_name("reconcile", tests, NULL, NULL);
}
