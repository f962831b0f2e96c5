// SPDX-License-Identifier: GPL-2.0
/*
 * The reconcilers' informer (cache.h): per kind a hash of entries by namespace and name,
 * and an index per label that a list selected by, from label value to entries.
 *
 * Why an entry's resourceVersion decides: the history comes in order, so the newest change
 * of an object always arrives last and is taken; what the cache knew before (its own write,
 * a read of the store) is at a resourceVersion of that object, so a change at or before it
 * is older news and left out. A state taken too early (a deletion of ours whose
 * resourceVersion only the history tells) is put right when that history arrives.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "api/json.h"
#include "api/log.h"
#include "controller/cache.h"
#include "controller/registry.h"

#define ENTRY_BUCKETS	16384
#define LABEL_BUCKETS	1024
/*
 * The member names shared by the cached trees (see share_keys()): at most this many, of at
 * most this length, so that objects with names of their own (labels, a Secret's data) cannot
 * make the table grow without bound; names past it are kept in each tree as cJSON has them.
 */
#define KEY_BUCKETS	1024
#define KEYS_MAX	8192
#define KEY_LEN_MAX	64

/**
 * struct centry - one object of a kind
 * @ns: its namespace ("" when cluster-scoped)
 * @name: its name
 * @rv: the resourceVersion of @obj, or of its deletion
 * @obj: the decoded object, NULL once deleted (a tombstone)
 * @next: the next entry in its hash bucket
 */
struct centry {
	char *ns;
	char *name;
	uint64_t rv;
	cJSON *obj;
	struct centry *next;
};

/**
 * struct lbucket - the entries with one value of an indexed label
 * @value: the value
 * @v: the entries (unordered)
 * @n: entries in @v
 * @cap: room in @v
 * @next: the next value in its hash bucket
 */
struct lbucket {
	char *value;
	struct centry **v;
	size_t n, cap;
	struct lbucket *next;
};

/**
 * struct lindex - an index of one label of a kind
 * @label: the label's key
 * @b: its values, hashed
 * @next: the kind's next index
 */
struct lindex {
	char *label;
	struct lbucket *b[LABEL_BUCKETS];
	struct lindex *next;
};

/**
 * struct ckind - the cached objects of one kind
 * @filled: read from the store; until then nothing is kept
 * @at: the resourceVersion that read was consistent at
 * @b: entries hashed by namespace and name (ENTRY_BUCKETS)
 * @ix: the label indexes
 */
struct ckind {
	bool filled;
	uint64_t at;
	struct centry **b;
	struct lindex *ix;
};

/**
 * struct ckey - one shared member name
 * @next: the next name in its hash bucket
 * @s: the name
 */
struct ckey {
	struct ckey *next;
	char s[];
};

/**
 * struct ctl_cache - the informer of one store
 * @st: the store
 * @owner: the thread that uses it
 * @keys: the shared member names, hashed; kept until the cache is freed (copies of cached
 *        trees point at them too)
 * @n_keys: names in @keys
 * @n: kinds (entries of ks_resources)
 * @kinds: per kind, in ks_resources order
 */
struct ctl_cache {
	struct ctl_store *st;
	pthread_t owner;
	struct ckey *keys[KEY_BUCKETS];
	size_t n_keys;
	size_t n;
	struct ckind kinds[];
};

static unsigned int hash2(const char *a, const char *b, unsigned int buckets)
{
	unsigned int h = 2166136261u;

	for (; *a; a++)
		h = (h ^ (unsigned char)*a) * 16777619u;
	h = (h ^ '/') * 16777619u;
	for (; b && *b; b++)
		h = (h ^ (unsigned char)*b) * 16777619u;
	return h % buckets;
}

static const char *ns_of(const char *ns)
{
	return ns ? ns : "";
}

struct ctl_cache *ctl_cache_attach(struct ctl_store *st)
{
	struct ctl_cache **slot = ctl_store_cache(st);
	size_t n = 0;

	if (*slot)
		return *slot;
	while (ks_resources[n].kind)
		n++;
	*slot = calloc(1, sizeof(**slot) + n * sizeof((*slot)->kinds[0]));
	if (!*slot)
		return NULL;
	(*slot)->st = st;
	(*slot)->owner = pthread_self();
	(*slot)->n = n;
	return *slot;
}

struct ctl_cache *ctl_cache_mine(struct ctl_store *st)
{
	struct ctl_cache *c = *ctl_store_cache(st);

	return c && pthread_equal(c->owner, pthread_self()) ? c : NULL;
}

static void index_free(struct lindex *ix)
{
	for (int i = 0; i < LABEL_BUCKETS; i++)
		for (struct lbucket *lb = ix->b[i], *next; lb; lb = next) {
			next = lb->next;
			free(lb->value);
			free(lb->v);
			free(lb);
		}
	free(ix->label);
	free(ix);
}

static void kind_clear(struct ckind *k)
{
	for (struct lindex *ix = k->ix, *next; ix; ix = next) {
		next = ix->next;
		index_free(ix);
	}
	for (int i = 0; k->b && i < ENTRY_BUCKETS; i++)
		for (struct centry *e = k->b[i], *next; e; e = next) {
			next = e->next;
			cJSON_Delete(e->obj);
			free(e->ns);
			free(e->name);
			free(e);
		}
	free(k->b);
	*k = (struct ckind){ .filled = false };
}

void ctl_cache_reset(struct ctl_cache *c)
{
	for (size_t i = 0; c && i < c->n; i++)
		kind_clear(&c->kinds[i]);
}

void ctl_cache_free(struct ctl_cache *c)
{
	ctl_cache_reset(c);
	for (int i = 0; c && i < KEY_BUCKETS; i++)
		for (struct ckey *k = c->keys[i], *next; k; k = next) {
			next = k->next;
			free(k);
		}
	free(c);
}

/* The shared copy of member name s, made if there is room; NULL if not. */
static const char *key_shared(struct ctl_cache *c, const char *s)
{
	unsigned int h = hash2(s, NULL, KEY_BUCKETS);
	size_t len = strlen(s);
	struct ckey *k;

	for (k = c->keys[h]; k; k = k->next)
		if (!strcmp(k->s, s))
			return k->s;
	if (len > KEY_LEN_MAX || c->n_keys >= KEYS_MAX || !(k = malloc(sizeof(*k) + len + 1)))
		return NULL;
	memcpy(k->s, s, len + 1);
	k->next = c->keys[h];
	c->keys[h] = k;
	c->n_keys++;
	return k->s;
}

/*
 * Points the member names of obj at the shared copies (cJSON_StringIsConst: not freed with
 * the tree). The objects of a kind have the same few dozen names; each its own copy was a
 * third of a cached tree's allocations, and each copy handed out (cJSON_Duplicate) shares
 * a constant name rather than copying it again.
 */
static void share_keys(struct ctl_cache *c, cJSON *obj)
{
	for (cJSON *m = obj ? obj->child : NULL; m; m = m->next) {
		const char *k;

		if (m->string && !(m->type & cJSON_StringIsConst) &&
		    (k = key_shared(c, m->string))) {
			free(m->string);
			m->string = (char *)k;
			m->type |= cJSON_StringIsConst;
		}
		share_keys(c, m);
	}
}

static struct lbucket *bucket_of(struct lindex *ix, const char *value, bool make)
{
	unsigned int h = hash2(value, NULL, LABEL_BUCKETS);
	struct lbucket *lb;

	for (lb = ix->b[h]; lb; lb = lb->next)
		if (!strcmp(lb->value, value))
			return lb;
	if (!make || !(lb = calloc(1, sizeof(*lb))) || !(lb->value = strdup(value))) {
		free(lb);
		return NULL;
	}
	lb->next = ix->b[h];
	ix->b[h] = lb;
	return lb;
}

/* Puts e into ix under its label's value (if it has the label); false when out of memory. */
static bool index_add(struct lindex *ix, struct centry *e)
{
	const char *value = e->obj ? ks_label(e->obj, ix->label) : NULL;
	struct lbucket *lb;

	if (!value)
		return true;
	lb = bucket_of(ix, value, true);
	if (!lb)
		return false;
	if (lb->n == lb->cap) {
		struct centry **v = realloc(lb->v, (lb->cap * 2 + 8) * sizeof(*v));

		if (!v)
			return false;
		lb->v = v;
		lb->cap = lb->cap * 2 + 8;
	}
	lb->v[lb->n++] = e;
	return true;
}

static void index_drop(struct lindex *ix, struct centry *e)
{
	const char *value = e->obj ? ks_label(e->obj, ix->label) : NULL;
	struct lbucket *lb = value ? bucket_of(ix, value, false) : NULL;

	for (size_t i = 0; lb && i < lb->n; i++)
		if (lb->v[i] == e) {
			lb->v[i] = lb->v[--lb->n];
			return;
		}
}

static struct centry *entry_find(struct ckind *k, const char *ns, const char *name)
{
	struct centry *e;

	for (e = k->b[hash2(ns, name, ENTRY_BUCKETS)]; e; e = e->next)
		if (!strcmp(e->name, name) && !strcmp(e->ns, ns))
			return e;
	return NULL;
}

/*
 * The entry of ns/name at state obj (taken; NULL: deleted) and resourceVersion rv, unless
 * it is at rv or newer already and !force. False when out of memory: the kind is then
 * incomplete and the caller forgets it.
 */
static bool entry_set(struct ckind *k, const char *ns, const char *name, cJSON *obj,
		      uint64_t rv, bool force)
{
	struct centry *e = entry_find(k, ns, name);
	bool ok = true;

	if (e && e->rv >= rv && !force) {
		cJSON_Delete(obj);
		return true;
	}
	if (!e) {
		unsigned int h = hash2(ns, name, ENTRY_BUCKETS);

		e = calloc(1, sizeof(*e));
		if (!e || !(e->ns = strdup(ns)) || !(e->name = strdup(name))) {
			if (e)
				free(e->ns);
			free(e);
			cJSON_Delete(obj);
			return false;
		}
		e->next = k->b[h];
		k->b[h] = e;
	}
	for (struct lindex *ix = k->ix; ix; ix = ix->next)
		index_drop(ix, e);
	cJSON_Delete(e->obj);
	e->obj = obj;
	e->rv = rv;
	for (struct lindex *ix = k->ix; ix; ix = ix->next)
		ok = index_add(ix, e) && ok;
	return ok;
}

/* The kind of res, read from the store on first use; NULL (errno EIO or ENOMEM) if it
 * cannot be. */
static struct ckind *kind_of(struct ctl_cache *c, const struct ks_resource *res)
{
	struct ckind *k = &c->kinds[res - ks_resources];
	cJSON *items, *obj;
	uint64_t at = 0;

	if (k->filled)
		return k;
	k->b = calloc(ENTRY_BUCKETS, sizeof(*k->b));
	items = k->b ? ctl_obj_list_latest(c->st, res, NULL, NULL, &at) : NULL;
	if (!items) {
		kind_clear(k);
		errno = ENOMEM;
		return NULL;
	}
	while ((obj = cJSON_DetachItemFromArray(items, 0))) {
		const char *ns = ns_of(ks_namespace(obj)), *name = ks_name(obj);
		uint64_t rv = strtoull(ks_get_str0(obj, "metadata.resourceVersion"), NULL, 10);

		share_keys(c, obj);
		if (!name || !entry_set(k, ns, name, obj, rv, false)) {
			cJSON_Delete(items);
			kind_clear(k);
			errno = ENOMEM;
			return NULL;
		}
	}
	cJSON_Delete(items);
	k->filled = true;
	k->at = at;
	return k;
}

cJSON *ctl_cache_get(struct ctl_cache *c, const struct ks_resource *res, const char *ns,
		     const char *name)
{
	struct ckind *k = kind_of(c, res);
	struct centry *e;

	if (!k)
		return ctl_obj_get_latest(c->st, res, ns, name);
	e = entry_find(k, ns_of(ns), name);
	if (!e || !e->obj) {
		errno = ENOENT;
		return NULL;
	}
	return cJSON_Duplicate(e->obj, true);
}

/* The index of label in k, made from its entries if there is none; NULL without memory. */
static struct lindex *index_of(struct ckind *k, const char *label)
{
	struct lindex *ix;

	for (ix = k->ix; ix; ix = ix->next)
		if (!strcmp(ix->label, label))
			return ix;
	ix = calloc(1, sizeof(*ix));
	if (!ix || !(ix->label = strdup(label))) {
		free(ix);
		return NULL;
	}
	for (int i = 0; i < ENTRY_BUCKETS; i++)
		for (struct centry *e = k->b[i]; e; e = e->next)
			if (!index_add(ix, e)) {
				index_free(ix);
				return NULL;
			}
	ix->next = k->ix;
	k->ix = ix;
	return ix;
}

static int by_ns_name(const void *a, const void *b)
{
	const struct centry *x = *(struct centry *const *)a, *y = *(struct centry *const *)b;
	int r = strcmp(x->ns, y->ns);

	return r ? r : strcmp(x->name, y->name);
}

/**
 * struct picked - the entries a list returns, gathered before they are sorted
 * @v: the entries
 * @n: entries in @v
 * @cap: room in @v
 */
struct picked {
	struct centry **v;
	size_t n, cap;
};

static bool pick(struct picked *p, struct centry *e, const char *ns,
		 const struct ctl_selector *sel)
{
	if (!e->obj || (ns && strcmp(e->ns, ns)) || (sel && !ctl_selector_match(sel, e->obj)))
		return true;
	if (p->n == p->cap) {
		struct centry **v = realloc(p->v, (p->cap * 2 + 64) * sizeof(*v));

		if (!v)
			return false;
		p->v = v;
		p->cap = p->cap * 2 + 64;
	}
	p->v[p->n++] = e;
	return true;
}

/* The entries of k in ns matching sel, through the index of sel's label=value if any. */
static bool pick_all(struct ckind *k, const char *ns, const struct ctl_selector *sel,
		     struct picked *p)
{
	const char *key = NULL, *value = NULL;
	bool ok = true;

	if (ctl_selector_label_eq(sel, &key, &value) && key) {
		struct lindex *ix = index_of(k, key);
		struct lbucket *lb = ix ? bucket_of(ix, value, false) : NULL;

		if (!ix)
			return false;
		for (size_t i = 0; lb && i < lb->n && ok; i++)
			ok = pick(p, lb->v[i], ns, sel);
		return ok;
	}
	for (int i = 0; i < ENTRY_BUCKETS && ok; i++)
		for (struct centry *e = k->b[i]; e && ok; e = e->next)
			ok = pick(p, e, ns, sel);
	return ok;
}

cJSON *ctl_cache_list(struct ctl_cache *c, const struct ks_resource *res, const char *ns,
		      const struct ctl_selector *sel)
{
	struct ckind *k = kind_of(c, res);
	struct picked p = { 0 };
	cJSON *items;

	if (!k || !pick_all(k, ns, sel, &p)) {
		free(p.v);
		return ctl_obj_list_latest(c->st, res, ns, sel, NULL);
	}
	if (p.n)	/* nothing picked is no array at all */
		qsort(p.v, p.n, sizeof(*p.v), by_ns_name);
	items = cJSON_CreateArray();
	for (size_t i = 0; items && i < p.n; i++)
		cJSON_AddItemToArray(items, cJSON_Duplicate(p.v[i]->obj, true));
	free(p.v);
	return items;
}

/* entry_set on a kind that is kept, which is forgotten when that fails. */
static void kind_set(struct ctl_cache *c, const struct ks_resource *res, const char *ns,
		     const char *name, cJSON *obj, uint64_t rv, bool force)
{
	struct ckind *k = &c->kinds[res - ks_resources];

	if (!k->filled || !name) {
		cJSON_Delete(obj);
		return;
	}
	share_keys(c, obj);
	if (!entry_set(k, ns_of(ns), name, obj, rv, force)) {
		ks_log(LOG_WARNING, "out of memory caching %s: read from the store again",
		       res->plural);
		kind_clear(k);
	}
}

void ctl_cache_wrote(struct ctl_cache *c, const struct ks_resource *res, cJSON *obj)
{
	uint64_t rv = strtoull(ks_get_str0(obj, "metadata.resourceVersion"), NULL, 10);

	/* Forced: the newest state there is. On etcd its resourceVersion is provisional
	 * until the batch commits (engine_etcd_batch.c), and lower than the real one,
	 * which the history brings. */
	kind_set(c, res, ks_namespace(obj), ks_name(obj), obj, rv, true);
}

void ctl_cache_refresh(struct ctl_cache *c, const struct ks_resource *res, const char *ns,
		       const char *name)
{
	struct ckind *k = &c->kinds[res - ks_resources];
	struct centry *e;
	cJSON *obj;

	if (!k->filled)
		return;
	obj = ctl_obj_get_latest(c->st, res, ns, name);
	if (obj) {
		kind_set(c, res, ns, name, obj,
			 strtoull(ks_get_str0(obj, "metadata.resourceVersion"), NULL, 10), true);
	} else if (errno == ENOENT) {
		/* Absent now, so as of everything committed (and our own writes since). */
		e = entry_find(k, ns_of(ns), name);
		kind_set(c, res, ns, name, NULL, e && e->rv > ctl_obj_committed(c->st) ?
			 e->rv : ctl_obj_committed(c->st), true);
	} else {
		kind_clear(k);
	}
}

void ctl_cache_feed(struct ctl_cache *c, const struct ctl_change *ch)
{
	const struct ks_resource *res = ks_resource_by_plural(ch->resource);
	struct ckind *k = res ? &c->kinds[res - ks_resources] : NULL;
	struct centry *e;
	cJSON *obj;

	if (!k || !k->filled || ch->rv <= k->at)
		return;
	if (ch->type == CTL_DELETED) {
		kind_set(c, res, ch->ns, ch->name, NULL, ch->rv, false);
		return;
	}
	e = entry_find(k, ch->ns, ch->name);
	if (e && e->rv >= ch->rv)
		return;
	/* Our own writes may come without their body (SQLite leaves it out): read it. */
	obj = *ch->body ? ctl_obj_decode(ch->body, ch->rv) : NULL;
	if (obj)
		kind_set(c, res, ch->ns, ch->name, obj, ch->rv, false);
	else
		ctl_cache_refresh(c, res, ch->ns, ch->name);
}
