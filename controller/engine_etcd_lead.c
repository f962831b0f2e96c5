// SPDX-License-Identifier: GPL-2.0
/*
 * Leader election on etcd, as Kubernetes controllers elect with a Lease: a replica leads
 * while it holds <prefix>-leader, put with a lease it keeps alive; the key goes when the
 * lease lapses (the leader died or lost etcd), and another replica's campaign wins. The
 * leader's own writes compare the key's create_revision, so a deposed leader writes
 * nothing.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curl/curl.h>
#include <cjson/cJSON.h>

#include "api/json.h"
#include "api/log.h"
#include "controller/engine_etcd_int.h"

/* The leader key (the election's, beside the objects). */
void etcd_leader_key(struct etcd_engine *e, char *buf, size_t len)
{
	snprintf(buf, len, "%s-leader", e->prefix);
}

/*
 * Makes txn conditional on our still holding the leader key we wrote (a deposed leader's
 * writes fail), or returns -EPERM when we do not lead.
 */
int etcd_add_fence(struct etcd_engine *e, cJSON *txn)
{
	cJSON *cmp = cJSON_CreateObject();
	char key[1024], rv[24];
	uint64_t fence;

	pthread_mutex_lock(&e->lock);
	fence = e->fence;
	pthread_mutex_unlock(&e->lock);
	if (!fence) {
		cJSON_Delete(cmp);
		return -EPERM;
	}
	etcd_leader_key(e, key, sizeof(key));
	etcd_set_b64(cmp, "key", key, strlen(key));
	cJSON_AddStringToObject(cmp, "result", "EQUAL");
	cJSON_AddStringToObject(cmp, "target", "CREATE");
	snprintf(rv, sizeof(rv), "%llu", (unsigned long long)fence);
	cJSON_AddStringToObject(cmp, "create_revision", rv);
	cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(txn, "compare"), cmp);
	return 0;
}

/* Renews the lease until it lapses or we stop; then we no longer lead. */
static void *keeper_thread(void *arg)
{
	struct etcd_engine *e = arg;
	time_t last_ok = time(NULL);
	bool stop = false;

	while (!stop) {
		cJSON *req = cJSON_CreateObject(), *resp;
		char id[24];

		nanosleep(&(struct timespec){ .tv_sec = 1 }, NULL);
		pthread_mutex_lock(&e->lock);
		stop = e->stopping;
		snprintf(id, sizeof(id), "%lld", (long long)e->lease);
		pthread_mutex_unlock(&e->lock);
		cJSON_AddStringToObject(req, "ID", id);
		resp = stop ? NULL : etcd_call(e, "lease/keepalive", req);
		cJSON_Delete(req);
		if (resp && etcd_num(resp, "result.TTL") > 0)
			last_ok = time(NULL);
		cJSON_Delete(resp);
		if (time(NULL) - last_ok >= LEASE_TTL_S - 1) {
			ks_log(LOG_WARNING, "etcd: leader lease lost; not reconciling");
			break;
		}
	}
	pthread_mutex_lock(&e->lock);
	e->fence = 0;
	e->lease = 0;
	pthread_mutex_unlock(&e->lock);
	return NULL;
}

/* A new lease's ID, or 0. */
static int64_t lease_grant(struct etcd_engine *e)
{
	cJSON *req = cJSON_CreateObject(), *resp;
	int64_t id;

	cJSON_AddNumberToObject(req, "TTL", LEASE_TTL_S);
	resp = etcd_call(e, "lease/grant", req);
	id = resp ? (int64_t)etcd_num(resp, "ID") : 0;
	cJSON_Delete(req);
	cJSON_Delete(resp);
	return id;
}

/* Puts the leader key with our lease unless someone holds it; its create_revision or 0. */
static uint64_t campaign(struct etcd_engine *e, int64_t lease, const char *identity)
{
	cJSON *txn = cJSON_CreateObject(), *op = cJSON_CreateObject(), *put, *resp;
	char key[1024], id[24];
	uint64_t won = 0;

	etcd_leader_key(e, key, sizeof(key));
	etcd_add_compare(txn, key, 0);
	put = cJSON_AddObjectToObject(op, "request_put");
	etcd_set_b64(put, "key", key, strlen(key));
	etcd_set_b64(put, "value", identity, strlen(identity));
	snprintf(id, sizeof(id), "%lld", (long long)lease);
	cJSON_AddStringToObject(put, "lease", id);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(txn, "success"), op);
	resp = etcd_call(e, "kv/txn", txn);
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(resp, "succeeded")))
		won = etcd_num(resp, "header.revision");
	cJSON_Delete(txn);
	cJSON_Delete(resp);
	return won;
}

bool etcd_lead(struct ctl_engine *base, const char *identity)
{
	struct etcd_engine *e = to_etcd(base);
	int64_t lease;
	uint64_t won;

	pthread_mutex_lock(&e->lock);
	won = e->fence;
	if (!won && e->keeper_running) {
		/* The keeper gave up: collect it before campaigning again. */
		pthread_mutex_unlock(&e->lock);
		pthread_join(e->keeper, NULL);
		pthread_mutex_lock(&e->lock);
		e->keeper_running = false;
	}
	pthread_mutex_unlock(&e->lock);
	if (won)
		return true;
	lease = lease_grant(e);
	won = lease ? campaign(e, lease, identity) : 0;
	if (!won)
		return false;
	pthread_mutex_lock(&e->lock);
	e->lease = lease;
	e->fence = won;
	e->keeper_running = !pthread_create(&e->keeper, NULL, keeper_thread, e);
	if (!e->keeper_running)
		e->fence = 0;
	won = e->fence;
	pthread_mutex_unlock(&e->lock);
	if (won)
		ks_log(LOG_NOTICE, "etcd: leading as %s (lease %lld)", identity, (long long)lease);
	return won;
}
