/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Durable storage of the controller's objects and of their recent change history, in an
 * SQLite database in the data directory. Every write is one transaction that SQLite has
 * fsynced before it returns, so anything acknowledged survives kill -9. Not thread-safe:
 * the caller (store.c) serializes all calls with its lock.
 */
#ifndef CONTROLLER_STORAGE_H
#define CONTROLLER_STORAGE_H

#include <stdint.h>

struct ctl_storage;

enum ctl_change_type { CTL_ADDED, CTL_MODIFIED, CTL_DELETED };

/**
 * struct ctl_change - one object write, which is also one watch event
 * @type: what happened to the object
 * @rv: resourceVersion of the change, ctl_storage_rv() + 1
 * @resource: plural resource name
 * @ns: namespace, "" for cluster-scoped objects
 * @name: object name
 * @body: the object as JSON; for CTL_DELETED its last state
 */
struct ctl_change {
	enum ctl_change_type type;
	uint64_t rv;
	const char *resource;
	const char *ns;
	const char *name;
	const char *body;
};

int ctl_storage_open(const char *dir, unsigned int history, struct ctl_storage **out);
void ctl_storage_close(struct ctl_storage *s);

/* The resourceVersion of the last write. */
uint64_t ctl_storage_rv(const struct ctl_storage *s);
/* History holds every change after this resourceVersion. */
uint64_t ctl_storage_compacted(const struct ctl_storage *s);

/* Returns the stored JSON (malloc'd), or NULL when absent. */
char *ctl_storage_get(struct ctl_storage *s, const char *resource, const char *ns,
		      const char *name);
/* Calls fn for each object of resource in ns (NULL: all), ordered by namespace and name;
 * a non-zero return from fn stops the scan and is returned. */
int ctl_storage_scan(struct ctl_storage *s, const char *resource, const char *ns,
		     int (*fn)(void *arg, const char *body), void *arg);
/* Calls fn for changes with rv > after, in order, at most limit of them. */
int ctl_storage_history(struct ctl_storage *s, uint64_t after, unsigned int limit,
			int (*fn)(void *arg, const struct ctl_change *c), void *arg);
/* Applies and records one change durably. Returns 0 or -EIO. */
int ctl_storage_write(struct ctl_storage *s, const struct ctl_change *c);

#endif /* CONTROLLER_STORAGE_H */
