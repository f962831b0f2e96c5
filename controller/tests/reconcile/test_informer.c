// SPDX-License-Identifier: GPL-2.0
/*
 * The reconcilers' informer on slice-controller's real store (SQLite in a temporary
 * directory). A create's namespace check on the reconcile loop's thread is answered from
 * it, refusing a missing namespace (404) and one being deleted (403, the API server's
 * message) as the store's own read does; a create the stale informer lets into a
 * namespace deleted since is removed when the namespace's deletion is reconciled. The
 * copies it hands out are the caller's to change.
 */
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
#include "controller/cache.h"
#include "controller/client.h"
#include "controller/registry.h"

struct fixture {
	char dir[32];
	struct ctl_store *st;
	struct ctl_cache *cache;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	strcpy(f->dir, "/tmp/test-namespace.XXXXXX");
	if (!mkdtemp(f->dir) || ctl_store_open(f->dir, 1000, &f->st))
		return -1;
	/* This thread is the reconcile loop: its reads and checks go through the informer. */
	f->cache = ctl_cache_attach(f->st);
	*state = f;
	return f->cache ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[64];

	ctl_store_close(f->st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd))
		return -1;
	free(f);
	return 0;
}

static const struct ks_resource *res(const char *plural)
{
	return ks_resource_by_plural(plural);
}

/* Creates namespace name (with a finalizer when given), as a user does. */
static void make_namespace(struct ctl_store *st, const char *name, const char *finalizer)
{
	cJSON *ns = ks_object_new(KS_API_CORE, "Namespace", NULL, name);
	struct ctl_status err = { 0 };

	if (finalizer) {
		cJSON *fins = cJSON_CreateArray();

		cJSON_AddItemToArray(fins, cJSON_CreateString(finalizer));
		cJSON_AddItemToObject(ks_ensure(ns, "metadata"), "finalizers", fins);
	}
	assert_int_equal(ctl_obj_create(st, res(KS_RES_NAMESPACE), NULL, ns, 0, &err, NULL), 0);
	cJSON_Delete(ns);
}

/* Deletes namespace name as a user does: the informer is not told (it learns from the
 * history, which this test does not feed it). */
static void user_deletes_namespace(struct ctl_store *st, const char *name)
{
	struct ctl_status err = { 0 };
	cJSON *out = NULL;

	assert_int_equal(ctl_obj_delete(st, res(KS_RES_NAMESPACE), NULL, name, NULL, NULL, 0,
					&err, &out), 0);
	cJSON_Delete(out);
}

/* The reconcilers' create of Secret name in ns: the HTTP status it was refused with, or 0. */
static int create_secret(struct ctl_store *st, const char *ns, const char *name,
			 char *message, size_t len)
{
	cJSON *s = ks_object_new(KS_API_CORE, "Secret", ns, name);
	struct ctl_status err = { 0 };
	int ret = ctl_obj_create(st, res(KS_RES_SECRET), ns, s, CTL_INTERNAL, &err, NULL);

	cJSON_Delete(s);
	cJSON_Delete(err.causes);
	if (message)
		snprintf(message, len, "%s", ret ? err.message : "");
	assert_int_equal(ctl_obj_flush(st), 0);
	return ret ? err.code : 0;
}

static bool secret_exists(struct ctl_store *st, const char *ns, const char *name)
{
	cJSON *s = ctl_obj_get(st, res(KS_RES_SECRET), ns, name);

	cJSON_Delete(s);
	return s != NULL;
}

/* What the informer knows is what it answers with: a namespace it has seen deleted is
 * missing (404), one it has seen marked for deletion refuses content (403). */
static void test_informer_refuses(void **state)
{
	struct fixture *f = *state;
	char msg[512];

	assert_int_equal(create_secret(f->st, "nowhere", "a", msg, sizeof(msg)), 404);
	make_namespace(f->st, "held", "example.com/hold");
	assert_int_equal(create_secret(f->st, "held", "a", NULL, 0), 0);
	user_deletes_namespace(f->st, "held");
	/* The informer reads the store again (as after a resync): it sees the marking. */
	ctl_cache_reset(f->cache);
	assert_int_equal(create_secret(f->st, "held", "b", msg, sizeof(msg)), 403);
	assert_string_equal(msg, "unable to create new content in namespace held because it is being terminated");
	assert_false(secret_exists(f->st, "held", "b"));
	assert_true(secret_exists(f->st, "held", "a"));
}

/* A create racing its namespace's deletion gets in on the stale informer; reconciling the
 * deletion removes it, and leaves a namespace made again alone. */
static void test_stale_create_removed(void **state)
{
	struct fixture *f = *state;
	cJSON *ns = ks_object_new(KS_API_CORE, "Namespace", NULL, "racy");

	make_namespace(f->st, "racy", NULL);
	ctl_cache_reset(f->cache);
	assert_int_equal(create_secret(f->st, "racy", "before", NULL, 0), 0);
	user_deletes_namespace(f->st, "racy");
	assert_false(secret_exists(f->st, "racy", "before"));
	/* Answered from the informer, which has not seen the deletion. */
	assert_int_equal(create_secret(f->st, "racy", "late", NULL, 0), 0);
	assert_true(secret_exists(f->st, "racy", "late"));
	ctl_reconcile(f->st, KS_RES_NAMESPACE, ns, 1);
	assert_int_equal(ctl_obj_flush(f->st), 0);
	assert_false(secret_exists(f->st, "racy", "late"));
	/* The store is asked once the informer was reset: refused. */
	assert_int_equal(create_secret(f->st, "racy", "later", NULL, 0), 404);

	make_namespace(f->st, "racy", NULL);
	assert_int_equal(create_secret(f->st, "racy", "new", NULL, 0), 0);
	ctl_reconcile(f->st, KS_RES_NAMESPACE, ns, 1);
	assert_int_equal(ctl_obj_flush(f->st), 0);
	assert_true(secret_exists(f->st, "racy", "new"));
	cJSON_Delete(ns);
}

/*
 * The cached trees share their member names, and so do the copies handed out: a copy
 * changed (a member renamed, removed, added) leaves the cache's object as stored, with
 * names past the shared table's bounds (long ones, and more than it keeps) too.
 */
static void test_copies_independent(void **state)
{
	struct fixture *f = *state;
	cJSON *s = ks_object_new(KS_API_CORE, "Secret", "default", "many"), *copy, *stored;
	struct ctl_status err = { 0 };
	char key[160];

	for (int i = 0; i < 9000; i++) {
		snprintf(key, sizeof(key), "example.com/%s-%d", i % 2 ? "k" :
			 "a-label-key-longer-than-sixty-four-characters-is-kept-unshared", i);
		ks_set_label(s, key, "v");
	}
	assert_int_equal(ctl_obj_create(f->st, res(KS_RES_SECRET), "default", s, CTL_INTERNAL,
					&err, NULL), 0);
	assert_int_equal(ctl_obj_flush(f->st), 0);
	ctl_cache_reset(f->cache);
	copy = ctl_store_get(f->st, KS_RES_SECRET, "default", "many");
	assert_non_null(copy);
	cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(copy, "metadata"),
						"labels");
	ks_set_label(copy, "example.com/k-1", "changed");
	cJSON_Delete(copy);
	copy = ctl_store_get(f->st, KS_RES_SECRET, "default", "many");
	stored = ctl_obj_get(f->st, res(KS_RES_SECRET), "default", "many");
	assert_true(ks_json_equal(copy, stored));
	assert_string_equal(ks_label(copy, "example.com/k-8999"), "v");
	cJSON_Delete(copy);
	cJSON_Delete(stored);
	cJSON_Delete(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_informer_refuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_create_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copies_independent, setup, teardown),
	};

	return cmocka_run_group_tests_name("informer on the store", tests, NULL, NULL);
}
