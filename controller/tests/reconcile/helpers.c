// SPDX-License-Identifier: GPL-2.0
/* Building test objects for the reconciler tests, their store, reading what was stored. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/base64.h"
#include "api/json.h"
#include "api/kubeslice.h"
#include "tests/reconcile/fake_store.h"
#include "tests/reconcile/helpers.h"

cJSON *jsonf(const char *fmt, ...)
{
	char *text, *p;
	cJSON *obj;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		abort();
	va_end(ap);
	for (p = text; *p; p++)
		if (*p == '\'')
			*p = '"';
	obj = cJSON_Parse(text);
	if (!obj) {
		fprintf(stderr, "bad test JSON: %s\n", text);
		abort();
	}
	free(text);
	return obj;
}

void put(struct ctl_store *st, const char *resource, cJSON *obj)
{
	cJSON *status = cJSON_Duplicate(ks_get(obj, "status"), true);

	if (ctl_store_apply(st, resource, obj))
		abort();
	if (status) {
		ctl_store_apply_status(st, resource, obj);
		cJSON_Delete(status);
	}
	ctl_reconcile(st, resource, obj, 0);
	cJSON_Delete(obj);
}

void del(struct ctl_store *st, const char *resource, const char *ns, const char *name)
{
	cJSON *obj = ctl_store_get(st, resource, ns, name);

	if (!obj)
		abort();
	ctl_store_delete(st, resource, ns, name);
	ctl_reconcile(st, resource, obj, 1);
	cJSON_Delete(obj);
}

void add_cluster(struct ctl_store *st, const char *name, const char *node_ip,
		 const char *cni)
{
	put(st, KS_RES_CLUSTER,
	    jsonf("{'apiVersion':'controller.kubeslice.io/v1alpha1','kind':'Cluster',"
		  "'metadata':{'name':'%s','namespace':'" NS "'},"
		  "'spec':{'nodeIPs':['%s']},'status':{'cniSubnet':['%s']}}",
		  name, node_ip, cni));
}

cJSON *slice_obj(const char *name, const char *subnet, const char *clusters)
{
	return jsonf("{'apiVersion':'controller.kubeslice.io/v1alpha1','kind':'SliceConfig',"
		     "'metadata':{'name':'%s','namespace':'" NS "'},"
		     "'spec':{'sliceSubnet':'%s','maxClusters':16,'clusters':%s,"
		     "'sliceGatewayProvider':{'sliceGatewayType':'OpenVPN','sliceCaType':'Local'},"
		     "'qosProfileDetails':{'queueType':'HTB','priority':1,"
		     "'tcType':'BANDWIDTH_CONTROL','bandwidthCeilingKbps':20000,"
		     "'bandwidthGuaranteedKbps':5000,'dscpClass':'AF11'},"
		     "'namespaceIsolationProfile':{'isolationEnabled':true,"
		     "'applicationNamespaces':[{'namespace':'shop','clusters':['*']},"
		     "{'namespace':'db','clusters':['c1']}]}}}",
		     name, subnet, clusters);
}

const char *stored_str(struct ctl_store *st, const char *resource, const char *name,
		       const char *path)
{
	static char buf[8192];
	cJSON *obj = ctl_store_get(st, resource, NS, name);

	snprintf(buf, sizeof(buf), "%s", ks_get_str0(obj, path));
	cJSON_Delete(obj);
	return buf;
}

long stored_int(struct ctl_store *st, const char *resource, const char *name,
		const char *path)
{
	cJSON *obj = ctl_store_get(st, resource, NS, name);
	long v = -1;

	ks_get_int(obj, path, &v);
	cJSON_Delete(obj);
	return v;
}

int scenario_setup(void **state)
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

int scenario_teardown(void **state)
{
	fake_store_free(*state);
	return 0;
}

char *secret_value(struct ctl_store *st, const char *name, const char *key)
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

void assert_quiet(struct ctl_store *st)
{
	struct fake_counts c = fake_store_counts(st);

	assert_int_equal(c.writes, 0);
	assert_int_equal(c.status_writes, 0);
	assert_int_equal(c.deletes, 0);
	assert_int_equal(c.events, 0);
}
