// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nftlist.h"

struct words {
	char **v;
	size_t count, cap;
};

static int words_add(struct words *w, const char *s, size_t len)
{
	char **v;

	if (w->count == w->cap) {
		v = realloc(w->v, (w->cap ? w->cap * 2 : 32) * sizeof(*v));
		if (!v)
			return -1;
		w->v = v;
		w->cap = w->cap ? w->cap * 2 : 32;
	}
	w->v[w->count] = strndup(s, len);
	return w->v[w->count] ? (int)w->count++ : -1;
}

static void words_free(struct words *w)
{
	while (w->count)
		free(w->v[--w->count]);
	free(w->v);
}

/*
 * The listing's words: runs of anything but white space, a quoted string one word with
 * its spaces (a comment). -1 on an unterminated quote.
 */
static int split(const char *p, struct words *w)
{
	const char *start;

	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			return 0;
		start = p;
		while (*p && !isspace((unsigned char)*p)) {
			if (*p++ != '"')
				continue;
			p = strchr(p, '"');
			if (!p)
				return -1;
			p++;
		}
		if (words_add(w, start, p - start) < 0)
			return -1;
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The elements from word i (just after "elements = {") up to the closing "}", sorted
 * into out; returns the index after the "}", or 0 when there is none.
 */
static size_t elements(const struct words *w, size_t i, FILE *out)
{
	struct words el = { 0 };
	const char *p, *e;
	size_t j;

	for (; i < w->count && strcmp(w->v[i], "}"); i++)
		for (p = w->v[i]; *p; p = *e ? e + 1 : e) {
			e = strchrnul(p, ',');
			if (e > p && words_add(&el, p, e - p) < 0) {
				words_free(&el);
				return 0;
			}
		}
	if (i == w->count) {
		words_free(&el);
		return 0;
	}
	qsort(el.v, el.count, sizeof(*el.v), cmp_str);
	fputs("{", out);
	for (j = 0; j < el.count; j++)
		fprintf(out, "%s %s", j ? "," : "", el.v[j]);
	fputs(" }", out);
	words_free(&el);
	return i + 1;
}

static bool is_elements(const struct words *w, size_t i)
{
	return i + 2 < w->count && !strcmp(w->v[i], "elements") && !strcmp(w->v[i + 1], "=") &&
	       !strcmp(w->v[i + 2], "{");
}

char *nftlist_canonical(const char *listing)
{
	struct words w = { 0 };
	char *text = NULL;
	size_t len = 0, i = 0;
	long depth = 0;
	bool ok;
	FILE *out;

	ok = listing && !split(listing, &w);
	out = ok ? open_memstream(&text, &len) : NULL;
	ok = out;
	while (ok && i < w.count) {
		fprintf(out, "%s", i ? " " : "");
		if (is_elements(&w, i)) {
			fputs("elements = ", out);
			i = elements(&w, i + 3, out);
			ok = i;
			continue;
		}
		depth += !strcmp(w.v[i], "{") - !strcmp(w.v[i], "}");
		ok = depth >= 0;
		fputs(w.v[i++], out);
	}
	if (out)
		fclose(out);
	words_free(&w);
	if (!ok || depth) {
		free(text);
		return NULL;
	}
	return text;
}
