// SPDX-License-Identifier: GPL-2.0
/* Reconciler scenarios against the in-memory store: the project, clusters, slices, exports. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/json.h"
#include "api/kubeslice.h"
#include "tests/reconcile/fake_store.h"
#include "tests/reconcile/helpers.h"

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
		SCENARIO(test_project_namespace, scenario_setup),
		SCENARIO(test_cluster_credential, scenario_setup),
		SCENARIO(test_worker_slice_configs, scenario_setup),
		SCENARIO(test_octets_stable, scenario_setup),
		SCENARIO(test_idempotent, scenario_setup),
		SCENARIO(test_removal_cascades, scenario_setup),
		SCENARIO(test_cluster_deleted_under_slice, scenario_setup),
		SCENARIO(test_service_imports, scenario_setup),
		SCENARIO(test_no_network, scenario_setup),
		SCENARIO(test_qos_profile, scenario_setup),
		SCENARIO(test_repair_deleted_child, scenario_setup),
		SCENARIO(test_store_failure_reported, scenario_setup),
	};

	return cmocka_run_group_tests_name("reconcile", tests, NULL, NULL);
}
