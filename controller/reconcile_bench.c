// SPDX-License-Identifier: GPL-2.0
/* The reconcile benchmark: a project of many clusters and slices, reconciled from scratch. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "api/json.h"
#include "api/kubeslice.h"
#include "controller/reconcile_bench.h"

#define BENCH_PROJECT	"bench"
#define BENCH_NS	KS_PROJECT_NS_PREFIX BENCH_PROJECT

/**
 * struct bench_clock - wall and CPU time at one moment
 * @wall: CLOCK_MONOTONIC
 * @cpu: this process's CPU time (what counts on a shared machine)
 */
struct bench_clock {
	struct timespec wall;
	struct timespec cpu;
};

static void bench_now(struct bench_clock *c)
{
	clock_gettime(CLOCK_MONOTONIC, &c->wall);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c->cpu);
}

static double diff(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* Store obj as a user's create would, then reconcile it. */
static int create(struct ctl_store *st, const char *resource, cJSON *obj)
{
	int err = obj ? ctl_store_apply(st, resource, obj) : -ENOMEM;

	if (!err)
		ctl_reconcile(st, resource, obj, 0);
	cJSON_Delete(obj);
	return err;
}

static cJSON *cluster_obj(int i)
{
	char name[32], ip[32], cni[32];
	cJSON *obj, *ips, *cnis;

	snprintf(name, sizeof(name), "cluster-%d", i);
	snprintf(ip, sizeof(ip), "198.18.%d.%d", i / 250, i % 250 + 1);
	snprintf(cni, sizeof(cni), "172.%d.%d.0/24", 16 + i / 256, i % 256);
	obj = ks_object_new(KS_API_CONTROLLER, "Cluster", BENCH_NS, name);
	ips = cJSON_AddArrayToObject(ks_ensure(obj, "spec"), "nodeIPs");
	cnis = cJSON_AddArrayToObject(ks_ensure(obj, "status"), "cniSubnet");
	if (!ips || !cnis) {
		cJSON_Delete(obj);
		return NULL;
	}
	cJSON_AddItemToArray(ips, cJSON_CreateString(ip));
	cJSON_AddItemToArray(cnis, cJSON_CreateString(cni));
	return obj;
}

/* Slice k: slice_size consecutive clusters, so every cluster is in the same number. */
static cJSON *slice_obj(int k, int clusters, int slice_size)
{
	char name[32], subnet[32], member[32];
	cJSON *obj, *spec, *list, *qos;
	int j;

	snprintf(name, sizeof(name), "slice-%d", k);
	snprintf(subnet, sizeof(subnet), "10.%d.0.0/16", k);
	obj = ks_object_new(KS_API_CONTROLLER, "SliceConfig", BENCH_NS, name);
	spec = ks_ensure(obj, "spec");
	list = cJSON_AddArrayToObject(spec, "clusters");
	qos = cJSON_AddObjectToObject(spec, "qosProfileDetails");
	if (!list || !qos || !ks_set_str(spec, "sliceSubnet", subnet) ||
	    !ks_set_int(spec, "maxClusters", slice_size)) {
		cJSON_Delete(obj);
		return NULL;
	}
	for (j = 0; j < slice_size; j++) {
		snprintf(member, sizeof(member), "cluster-%d", (k * slice_size + j) % clusters);
		cJSON_AddItemToArray(list, cJSON_CreateString(member));
	}
	ks_set_str(qos, "queueType", "HTB");
	ks_set_str(qos, "tcType", "BANDWIDTH_CONTROL");
	ks_set_int(qos, "priority", 1);
	ks_set_int(qos, "bandwidthCeilingKbps", 100000);
	ks_set_int(qos, "bandwidthGuaranteedKbps", 10000);
	ks_set_str(qos, "dscpClass", "AF21");
	return obj;
}

static int count(struct ctl_store *st, const char *resource)
{
	cJSON *list = ctl_store_list(st, resource, BENCH_NS, NULL);
	int n = cJSON_GetArraySize(list);

	cJSON_Delete(list);
	return n;
}

int ctl_reconcile_bench(struct ctl_store *st, int clusters, int slices_per_cluster,
			int slice_size, FILE *out)
{
	int slices = clusters * slices_per_cluster / (slice_size > 0 ? slice_size : 1);
	struct bench_clock t0, t1, t2;
	struct rusage ru;
	int i, err;

	if (clusters < slice_size || slice_size < KS_MAX_CLUSTERS_MIN ||
	    slice_size > KS_MAX_CLUSTERS_MAX || slices < 1 || slices > 256)
		return -EINVAL;
	bench_now(&t0);
	err = create(st, KS_RES_PROJECT,
		     ks_object_new(KS_API_CONTROLLER, "Project", KS_CONTROLLER_NAMESPACE,
				   BENCH_PROJECT));
	for (i = 0; !err && i < clusters; i++)
		err = create(st, KS_RES_CLUSTER, cluster_obj(i));
	for (i = 0; !err && i < slices; i++)
		err = create(st, KS_RES_SLICE, slice_obj(i, clusters, slice_size));
	if (err)
		return err;
	bench_now(&t1);
	ctl_reconcile(st, NULL, NULL, 0);
	bench_now(&t2);
	getrusage(RUSAGE_SELF, &ru);
	fprintf(out, "reconcile_bench clusters=%d slices=%d slice_size=%d "
		"slices_per_cluster=%d worker_slice_configs=%d gateways=%d secrets=%d "
		"create_seconds=%.2f create_cpu_seconds=%.2f resync_seconds=%.2f "
		"resync_cpu_seconds=%.2f max_rss_kib=%ld\n",
		clusters, slices, slice_size, slices_per_cluster,
		count(st, KS_RES_WORKER_SLICE), count(st, KS_RES_WORKER_GATEWAY),
		count(st, KS_RES_SECRET), diff(&t0.wall, &t1.wall), diff(&t0.cpu, &t1.cpu),
		diff(&t1.wall, &t2.wall), diff(&t1.cpu, &t2.cpu), ru.ru_maxrss);
	return 0;
}
