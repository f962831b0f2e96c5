// SPDX-License-Identifier: GPL-2.0
/* Building test objects for the reconciler tests. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/json.h"
#include "api/kubeslice.h"
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
