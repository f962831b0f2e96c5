// SPDX-License-Identifier: GPL-2.0
/* ctl_validate: each rule rejects with a cause naming the field. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/json.h"
#include "api/kubeslice.h"
#include "tests/reconcile/fake_store.h"
#include "tests/reconcile/helpers.h"

static int setup(void **state)
{
	struct ctl_store *st = fake_store_new();

	/* the project namespace, as the Project's reconciler labels it */
	put(st, KS_RES_NAMESPACE,
	    jsonf("{'apiVersion':'v1','kind':'Namespace','metadata':{'name':'" NS "',"
		  "'labels':{'kubeslice-controller-resource-name':'Project-" NS "'}}}"));
	put(st, KS_RES_NAMESPACE,
	    jsonf("{'apiVersion':'v1','kind':'Namespace','metadata':{'name':'plain'}}"));
	add_cluster(st, "c1", "192.0.2.1", "10.244.0.0/16");
	add_cluster(st, "c2", "192.0.2.2", "10.245.0.0/16");
	put(st, KS_RES_QOS,
	    jsonf("{'apiVersion':'controller.kubeslice.io/v1alpha1','kind':'SliceQoSConfig',"
		  "'metadata':{'name':'gold','namespace':'" NS "'},'spec':{'queueType':'HTB',"
		  "'priority':0,'tcType':'BANDWIDTH_CONTROL','bandwidthCeilingKbps':100,"
		  "'bandwidthGuaranteedKbps':10,'dscpClass':'EF'}}"));
	*state = st;
	return 0;
}

/*
 * Validate obj (update of old when given); expect exactly the causes named by
 * field/reason pairs, NULL-terminated. Takes ownership of obj and old.
 */
static void expect(struct ctl_store *st, const char *resource, cJSON *old, cJSON *obj, ...)
{
	cJSON *causes = cJSON_CreateArray(), *c;
	const char *field, *reason;
	int n = 0, ret;
	va_list ap;
	bool found;

	ret = ctl_validate(st, resource, old, obj, causes);
	va_start(ap, obj);
	while ((field = va_arg(ap, const char *))) {
		reason = va_arg(ap, const char *);
		found = false;
		cJSON_ArrayForEach(c, causes)
			found |= !strcmp(ks_get_str0(c, "field"), field) &&
				 !strcmp(ks_get_str0(c, "reason"), reason) &&
				 *ks_get_str0(c, "message");
		if (!found)
			fail_msg("no cause %s %s in %s", field, reason, cJSON_Print(causes));
		n++;
	}
	va_end(ap);
	if (cJSON_GetArraySize(causes) != n)
		fail_msg("expected %d causes, got %s", n, cJSON_Print(causes));
	assert_int_equal(ret, n ? -EINVAL : 0);
	cJSON_Delete(causes);
	cJSON_Delete(obj);
	cJSON_Delete(old);
}

static cJSON *slice(const char *subnet)
{
	return slice_obj("red", subnet, "['c1','c2']");
}

static void set(cJSON *obj, const char *path, cJSON *v)
{
	const char *dot = strrchr(path, '.');
	char parent[128];

	snprintf(parent, sizeof(parent), "%.*s", (int)(dot - path), path);
	ks_set(ks_ensure(obj, parent), dot + 1, v);
}

static void test_valid_slice(void **state)
{
	expect(*state, KS_RES_SLICE, NULL, slice("10.1.0.0/16"), NULL);
	expect(*state, KS_RES_SLICE, slice("10.1.0.0/16"), slice("10.1.0.0/16"), NULL);
}

static void test_slice_subnet(void **state)
{
	expect(*state, KS_RES_SLICE, NULL, slice("10.1.0.0/17"),
	       "spec.sliceSubnet", "FieldValueInvalid", NULL);
	expect(*state, KS_RES_SLICE, NULL, slice("8.8.0.0/16"),
	       "spec.sliceSubnet", "FieldValueInvalid", NULL);
	expect(*state, KS_RES_SLICE, NULL, slice("10.1.0.1/16"),
	       "spec.sliceSubnet", "FieldValueInvalid", NULL);
	expect(*state, KS_RES_SLICE, NULL, slice("banana"),
	       "spec.sliceSubnet", "FieldValueInvalid", NULL);
	expect(*state, KS_RES_SLICE, NULL, slice(""),
	       "spec.sliceSubnet", "FieldValueRequired", NULL);
	/* c1's CNI subnet is 10.244.0.0/16 */
	expect(*state, KS_RES_SLICE, NULL, slice("10.244.0.0/16"),
	       "spec.sliceSubnet", "FieldValueInvalid", NULL);
	expect(*state, KS_RES_SLICE, slice("10.1.0.0/16"), slice("10.2.0.0/16"),
	       "spec.sliceSubnet", "FieldValueForbidden", NULL);
}

static void test_max_clusters(void **state)
{
	cJSON *sc;

	sc = slice("10.1.0.0/16");
	set(sc, "spec.maxClusters", cJSON_CreateNumber(1));
	expect(*state, KS_RES_SLICE, NULL, sc, "spec.maxClusters", "FieldValueInvalid", NULL);
	sc = slice("10.1.0.0/16");
	set(sc, "spec.maxClusters", cJSON_CreateNumber(33));
	expect(*state, KS_RES_SLICE, NULL, sc, "spec.maxClusters", "FieldValueInvalid", NULL);
	sc = slice("10.1.0.0/16");
	set(sc, "spec.maxClusters", cJSON_CreateNumber(8));
	expect(*state, KS_RES_SLICE, slice("10.1.0.0/16"), sc,
	       "spec.maxClusters", "FieldValueForbidden", NULL);
	/* the default (16) counts as a value: leaving it out of an update changes nothing */
	sc = slice("10.1.0.0/16");
	cJSON_DeleteItemFromObjectCaseSensitive(ks_get(sc, "spec"), "maxClusters");
	expect(*state, KS_RES_SLICE, slice("10.1.0.0/16"), sc, NULL);
	sc = slice_obj("red", "10.1.0.0/16", "['c1','c2']");
	set(sc, "spec.maxClusters", cJSON_CreateNumber(2));
	expect(*state, KS_RES_SLICE, NULL, sc, NULL);
	sc = slice_obj("red", "10.1.0.0/16", "['c1','c2','c3']");
	set(sc, "spec.maxClusters", cJSON_CreateNumber(2));
	expect(*state, KS_RES_SLICE, NULL, sc, "spec.clusters", "FieldValueInvalid",
	       "spec.clusters[2]", "FieldValueNotFound", NULL);
}

static void test_members(void **state)
{
	expect(*state, KS_RES_SLICE, NULL, slice_obj("red", "10.1.0.0/16", "['c1','nope']"),
	       "spec.clusters[1]", "FieldValueNotFound", NULL);
	expect(*state, KS_RES_SLICE, NULL, slice_obj("red", "10.1.0.0/16", "['c1','c1']"),
	       "spec.clusters[1]", "FieldValueDuplicate", NULL);
	expect(*state, KS_RES_SLICE, NULL, slice_obj("red", "10.1.0.0/16", "['c1','C_2']"),
	       "spec.clusters[1]", "FieldValueInvalid", NULL);
}

static void test_qos(void **state)
{
	cJSON *sc;

	sc = slice("10.1.0.0/16");
	set(sc, "spec.qosProfileDetails.bandwidthGuaranteedKbps", cJSON_CreateNumber(30000));
	expect(*state, KS_RES_SLICE, NULL, sc,
	       "spec.qosProfileDetails.bandwidthGuaranteedKbps", "FieldValueInvalid", NULL);
	sc = slice("10.1.0.0/16");
	set(sc, "spec.qosProfileDetails.dscpClass", cJSON_CreateString("AF44"));
	expect(*state, KS_RES_SLICE, NULL, sc,
	       "spec.qosProfileDetails.dscpClass", "FieldValueNotSupported", NULL);
	sc = slice("10.1.0.0/16");
	set(sc, "spec.standardQosProfileName", cJSON_CreateString("gold"));
	expect(*state, KS_RES_SLICE, NULL, sc,
	       "spec.qosProfileDetails", "FieldValueForbidden", NULL);
	sc = slice("10.1.0.0/16");
	cJSON_DeleteItemFromObjectCaseSensitive(ks_get(sc, "spec"), "qosProfileDetails");
	expect(*state, KS_RES_SLICE, NULL, sc,
	       "spec.standardQosProfileName", "FieldValueRequired", NULL);
	sc = slice("10.1.0.0/16");
	cJSON_DeleteItemFromObjectCaseSensitive(ks_get(sc, "spec"), "qosProfileDetails");
	set(sc, "spec.standardQosProfileName", cJSON_CreateString("silver"));
	expect(*state, KS_RES_SLICE, NULL, sc,
	       "spec.standardQosProfileName", "FieldValueNotFound", NULL);
	sc = slice("10.1.0.0/16");
	cJSON_DeleteItemFromObjectCaseSensitive(ks_get(sc, "spec"), "qosProfileDetails");
	set(sc, "spec.standardQosProfileName", cJSON_CreateString("gold"));
	expect(*state, KS_RES_SLICE, NULL, sc, NULL);
	expect(*state, KS_RES_QOS, NULL,
	       jsonf("{'metadata':{'name':'bronze','namespace':'" NS "'},'spec':{"
		     "'queueType':'FIFO','tcType':'BANDWIDTH_CONTROL','priority':9,"
		     "'bandwidthCeilingKbps':10,'bandwidthGuaranteedKbps':20,'dscpClass':'EF'}}"),
	       "spec.queueType", "FieldValueNotSupported",
	       "spec.priority", "FieldValueInvalid",
	       "spec.bandwidthGuaranteedKbps", "FieldValueInvalid", NULL);
	expect(*state, KS_RES_QOS, NULL,
	       jsonf("{'metadata':{'name':'bronze','namespace':'" NS "'},'spec':{}}"),
	       "spec.queueType", "FieldValueRequired",
	       "spec.tcType", "FieldValueRequired",
	       "spec.bandwidthCeilingKbps", "FieldValueRequired",
	       "spec.bandwidthGuaranteedKbps", "FieldValueRequired",
	       "spec.dscpClass", "FieldValueRequired", NULL);
}

static void test_names_and_required(void **state)
{
	expect(*state, KS_RES_SLICE, NULL, slice_obj("Red_Slice", "10.1.0.0/16", "['c1']"),
	       "metadata.name", "FieldValueInvalid", NULL);
	expect(*state, KS_RES_SLICE, NULL,
	       jsonf("{'metadata':{'name':'red','namespace':'" NS "'}}"),
	       "spec", "FieldValueRequired", NULL);
	expect(*state, KS_RES_CLUSTER, NULL,
	       jsonf("{'metadata':{'namespace':'" NS "'},'spec':{'nodeIPs':['1.2.3']}}"),
	       "metadata.name", "FieldValueRequired",
	       "spec.nodeIPs[0]", "FieldValueInvalid", NULL);
	expect(*state, KS_RES_PROJECT, NULL,
	       jsonf("{'metadata':{'name':'a-project-name-of-31-characters',"
		     "'namespace':'kubeslice-controller'}}"), "metadata.name", "FieldValueInvalid",
	       NULL);
	expect(*state, KS_RES_PROJECT, NULL,
	       jsonf("{'metadata':{'name':'acme','namespace':'kubeslice-controller'}}"), NULL);
	/* KubeSlice's Project rules: its namespace, service-account names */
	expect(*state, KS_RES_PROJECT, NULL,
	       jsonf("{'metadata':{'name':'acme','namespace':'default'},'spec':{"
		     "'serviceAccount':{'readOnly':['ok-name','-bad'],'readWrite':['x']}}}"),
	       "metadata.namespace", "FieldValueInvalid",
	       "spec.serviceAccount.readOnly[1]", "FieldValueInvalid",
	       "spec.serviceAccount.readWrite[0]", "FieldValueInvalid", NULL);
	/* Clusters only in project namespaces; coordinates and IPv6 node IPs */
	expect(*state, KS_RES_CLUSTER, NULL,
	       jsonf("{'metadata':{'name':'c9','namespace':'plain'},'spec':{'nodeIPs':"
		     "['2001:db8::1'],'clusterProperty':{'geoLocation':{'latitude':'91',"
		     "'longitude':'0'}}}}"),
	       "metadata.namespace", "FieldValueInvalid",
	       "spec.clusterProperty.geoLocation", "FieldValueInvalid", NULL);
	expect(*state, KS_RES_CLUSTER, NULL,
	       jsonf("{'metadata':{'name':'c9','namespace':'" NS "'},'spec':{'clusterProperty':"
		     "{'geoLocation':{'latitude':'37.4','longitude':'-122.1'}}}}"), NULL);
}

static void test_other_slice_fields(void **state)
{
	cJSON *sc;

	sc = slice("10.1.0.0/16");
	set(sc, "spec.rotationInterval", cJSON_CreateNumber(10));
	set(sc, "spec.renewBefore", cJSON_CreateString("tomorrow"));
	set(sc, "spec.overlayNetworkDeploymentMode", cJSON_CreateString("mesh"));
	set(sc, "spec.vpnConfig.cipher", cJSON_CreateString("BF-CBC"));
	expect(*state, KS_RES_SLICE, NULL, sc,
	       "spec.rotationInterval", "FieldValueInvalid",
	       "spec.renewBefore", "FieldValueInvalid",
	       "spec.overlayNetworkDeploymentMode", "FieldValueNotSupported",
	       "spec.vpnConfig.cipher", "FieldValueNotSupported", NULL);
	/* KubeSlice's OpenVPN ciphers are accepted, and this data plane's AEADs */
	sc = slice("10.1.0.0/16");
	set(sc, "spec.vpnConfig.cipher", cJSON_CreateString("AES-128-CBC"));
	expect(*state, KS_RES_SLICE, NULL, sc, NULL);
	sc = slice("10.1.0.0/16");
	set(sc, "spec.sliceGatewayProvider.sliceGatewayServiceType",
	    jsonf("[{'cluster':'c9','type':'NodePort','protocol':'SCTP'}]"));
	expect(*state, KS_RES_SLICE, NULL, sc,
	       "spec.sliceGatewayProvider.sliceGatewayServiceType[0].cluster", "FieldValueInvalid",
	       "spec.sliceGatewayProvider.sliceGatewayServiceType[0].protocol",
	       "FieldValueNotSupported", NULL);
}

static void test_gateway_pairs_and_liveness(void **state)
{
	cJSON *sc;

	sc = slice("10.1.0.0/16");
	set(sc, "spec.sliceGatewayProvider.numberOfGateways", cJSON_CreateNumber(1));
	set(sc, "spec.sliceGatewayProvider.liveness",
	    jsonf("{'intervalMilliseconds':50,'timeoutMilliseconds':200,'holdMilliseconds':0}"));
	expect(*state, KS_RES_SLICE, NULL, sc, NULL);
	sc = slice("10.1.0.0/16");
	set(sc, "spec.sliceGatewayProvider.numberOfGateways", cJSON_CreateNumber(5));
	set(sc, "spec.sliceGatewayProvider.liveness",
	    jsonf("{'intervalMilliseconds':300,'timeoutMilliseconds':400}"));
	expect(*state, KS_RES_SLICE, NULL, sc,
	       "spec.sliceGatewayProvider.numberOfGateways", "FieldValueInvalid",
	       "spec.sliceGatewayProvider.liveness", "FieldValueInvalid", NULL);
	sc = slice("10.1.0.0/16");
	set(sc, "spec.sliceGatewayProvider.numberOfGateways", cJSON_CreateNumber(0));
	expect(*state, KS_RES_SLICE, NULL, sc,
	       "spec.sliceGatewayProvider.numberOfGateways", "FieldValueInvalid", NULL);
}

static void test_export(void **state)
{
	struct ctl_store *st = *state;

	put(st, KS_RES_SLICE, slice("10.1.0.0/16"));
	expect(st, KS_RES_EXPORT, NULL,
	       jsonf("{'metadata':{'name':'web','namespace':'" NS "'},'spec':{"
		     "'serviceName':'web','serviceNamespace':'shop','sliceName':'red',"
		     "'sourceCluster':'c3'}}"),
	       "spec.sourceCluster", "FieldValueInvalid", NULL);
	expect(st, KS_RES_EXPORT, NULL,
	       jsonf("{'metadata':{'name':'web','namespace':'" NS "'},'spec':{"
		     "'serviceName':'web','sliceName':'blue','sourceCluster':'c1'}}"),
	       "spec.serviceNamespace", "FieldValueRequired",
	       "spec.sliceName", "FieldValueNotFound", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		SCENARIO(test_valid_slice, setup), SCENARIO(test_slice_subnet, setup),
		SCENARIO(test_max_clusters, setup), SCENARIO(test_members, setup),
		SCENARIO(test_qos, setup), SCENARIO(test_names_and_required, setup),
		SCENARIO(test_other_slice_fields, setup),
		SCENARIO(test_gateway_pairs_and_liveness, setup), SCENARIO(test_export, setup),
	};

	return cmocka_run_group_tests_name("validate", tests, NULL, NULL);
}
