// SPDX-License-Identifier: GPL-2.0
/*
 * Selector parsing follows apimachinery's labels.Parse: requirements are separated by
 * commas outside parentheses, keys and values are trimmed, and set operators take a
 * parenthesized comma-separated list.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller/selector.h"

enum sel_op { OP_EQ, OP_NE, OP_IN, OP_NOTIN, OP_EXISTS, OP_NOT_EXISTS };

/**
 * struct requirement - one term of a selector
 * @field: the key is a dotted field path, not a label
 * @op: comparison
 * @key: label key or field path
 * @values: NULL-terminated values for the operator
 */
struct requirement {
	bool field;
	enum sel_op op;
	char *key;
	char **values;
};

struct ctl_selector {
	struct requirement *reqs;
	size_t n;
};

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static void free_values(char **values)
{
	for (char **v = values; v && *v; v++)
		free(*v);
	free(values);
}

static int add(struct ctl_selector *sel, bool field, enum sel_op op, const char *key,
	       char **values)
{
	struct requirement *r = realloc(sel->reqs, (sel->n + 1) * sizeof(*r));

	if (!r) {
		free_values(values);
		return -ENOMEM;
	}
	sel->reqs = r;
	r[sel->n++] = (struct requirement){ field, op, strdup(key), values };
	return 0;
}

static char **one_value(const char *v)
{
	char **values = calloc(2, sizeof(*values));

	if (values)
		values[0] = strdup(v);
	return values;
}

/* Parses "(a, b, c)" into a NULL-terminated array. */
static char **set_values(char *s)
{
	char **values = NULL, *tok, *save;
	size_t n = 0, len;

	s = trim(s);
	len = strlen(s);
	if (len < 2 || s[0] != '(' || s[len - 1] != ')')
		return NULL;
	s[len - 1] = '\0';
	values = calloc(len + 1, sizeof(*values));
	if (!values)
		return NULL;
	for (tok = strtok_r(s + 1, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		values[n++] = strdup(trim(tok));
	return values;
}

static bool valid_key(const char *k)
{
	if (!*k)
		return false;
	for (; *k; k++)
		if (!isalnum((unsigned char)*k) && !strchr("-_./", *k))
			return false;
	return true;
}

static int parse_set_term(struct ctl_selector *sel, char *term, char *err, size_t errlen)
{
	char *sp = term + strcspn(term, " \t(");
	char *key, *rest, **values;
	enum sel_op op;

	key = strndup(term, sp - term);
	rest = trim(sp);
	if (!strncmp(rest, "notin", 5) && (isspace((unsigned char)rest[5]) || rest[5] == '(')) {
		op = OP_NOTIN;
		rest += 5;
	} else if (!strncmp(rest, "in", 2) &&
		   (isspace((unsigned char)rest[2]) || rest[2] == '(')) {
		op = OP_IN;
		rest += 2;
	} else {
		snprintf(err, errlen, "unable to parse requirement: \"%s\"", term);
		free(key);
		return -EINVAL;
	}
	values = set_values(rest);
	if (!values || !valid_key(key)) {
		snprintf(err, errlen, "unable to parse requirement: \"%s\": expected key %s (v1,v2)",
			 term, op == OP_IN ? "in" : "notin");
		free_values(values);
		free(key);
		return -EINVAL;
	}
	int ret = add(sel, false, op, key, values);

	free(key);
	return ret;
}

static int parse_term(struct ctl_selector *sel, char *term, bool field, char *err,
		      size_t errlen)
{
	char *op_at = strpbrk(term, "!=");
	enum sel_op op;
	char *key, *value;
	int oplen;

	if (!*term)
		return 0;
	if (!field && (strstr(term, " in") || strstr(term, " notin") || strchr(term, '(')))
		return parse_set_term(sel, term, err, errlen);
	if (!op_at) {
		if (field || !valid_key(term))
			goto err_syntax;
		return add(sel, false, OP_EXISTS, term, NULL);
	}
	if (op_at == term && *term == '!') {
		key = trim(term + 1);
		if (field || !valid_key(key))
			goto err_syntax;
		return add(sel, false, OP_NOT_EXISTS, key, NULL);
	}
	if (!strncmp(op_at, "!=", 2)) {
		op = OP_NE;
		oplen = 2;
	} else if (!strncmp(op_at, "==", 2)) {
		op = OP_EQ;
		oplen = 2;
	} else if (*op_at == '=') {
		op = OP_EQ;
		oplen = 1;
	} else {
		goto err_syntax;
	}
	*op_at = '\0';
	key = trim(term);
	value = trim(op_at + oplen);
	if (!valid_key(key) || strpbrk(value, "=!"))
		goto err_syntax;
	return add(sel, field, op, key, one_value(value));

err_syntax:
	snprintf(err, errlen, "unable to parse %s selector requirement \"%s\"",
		 field ? "field" : "label", term);
	return -EINVAL;
}

/* Splits on commas that are not inside parentheses. */
static int parse_all(struct ctl_selector *sel, const char *text, bool field, char *err,
		     size_t errlen)
{
	char *copy, *p, *start;
	int depth = 0, ret = 0;

	if (!text)
		return 0;
	copy = strdup(text);
	if (!copy)
		return -ENOMEM;
	for (p = start = copy; !ret; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		if ((*p == ',' && depth == 0) || !*p) {
			bool end = !*p;

			*p = '\0';
			ret = parse_term(sel, trim(start), field, err, errlen);
			if (end)
				break;
			start = p + 1;
		}
	}
	free(copy);
	return ret;
}

int ctl_selector_parse(const char *labels, const char *fields, struct ctl_selector **out,
		       char *err, size_t errlen)
{
	struct ctl_selector *sel = calloc(1, sizeof(*sel));
	int ret;

	if (!sel)
		return -ENOMEM;
	ret = parse_all(sel, labels, false, err, errlen);
	if (!ret)
		ret = parse_all(sel, fields, true, err, errlen);
	if (ret) {
		ctl_selector_free(sel);
		return ret;
	}
	*out = sel;
	return 0;
}

int ctl_selector_require(struct ctl_selector *sel, const char *key, const char *value)
{
	return add(sel, false, OP_EQ, key, one_value(value));
}

/* The value a field path names; absent and non-scalar fields compare as "". */
static const char *field_value(const cJSON *obj, const char *path, char *buf, size_t len)
{
	char *copy = strdup(path), *tok, *save;
	const cJSON *cur = obj;

	for (tok = strtok_r(copy, ".", &save); tok && cur; tok = strtok_r(NULL, ".", &save))
		cur = cJSON_GetObjectItemCaseSensitive(cur, tok);
	free(copy);
	if (cJSON_IsString(cur))
		return cur->valuestring;
	if (cJSON_IsNumber(cur)) {
		snprintf(buf, len, "%.17g", cur->valuedouble);
		return buf;
	}
	if (cJSON_IsBool(cur))
		return cJSON_IsTrue(cur) ? "true" : "false";
	return "";
}

static bool in_values(char *const *values, const char *v)
{
	for (; *values; values++)
		if (!strcmp(*values, v))
			return true;
	return false;
}

static bool match_one(const struct requirement *r, const cJSON *obj)
{
	const cJSON *labels, *item;
	const char *v;
	char buf[32];

	if (r->field) {
		v = field_value(obj, r->key, buf, sizeof(buf));
		return (r->op == OP_EQ) == !strcmp(v, r->values[0]);
	}
	labels = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(obj,
						  "metadata"), "labels");
	item = cJSON_GetObjectItemCaseSensitive(labels, r->key);
	v = cJSON_IsString(item) ? item->valuestring : NULL;
	switch (r->op) {
	case OP_EQ:
	case OP_IN:
		return v && in_values(r->values, v);
	case OP_NE:
	case OP_NOTIN:
		return !v || !in_values(r->values, v);
	case OP_EXISTS:
		return v;
	case OP_NOT_EXISTS:
		return !v;
	}
	return false;
}

/* Characters that cJSON prints as they are inside a string. */
static bool plain(const char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_./", *s))
			return false;
	return true;
}

bool ctl_selector_may_match(const struct ctl_selector *sel, const char *json)
{
	for (size_t i = 0; sel && i < sel->n; i++) {
		const struct requirement *r = &sel->reqs[i];
		char needle[512];

		if (r->field || r->op != OP_EQ || !plain(r->key) || !plain(r->values[0]))
			continue;
		/* A label key=value is printed as "key":"value" by cJSON_PrintUnformatted(). */
		if ((size_t)snprintf(needle, sizeof(needle), "\"%s\":\"%s\"", r->key,
				     r->values[0]) < sizeof(needle) &&
		    !strstr(json, needle))
			return false;
	}
	return true;
}

bool ctl_selector_match(const struct ctl_selector *sel, const cJSON *obj)
{
	for (size_t i = 0; sel && i < sel->n; i++)
		if (!match_one(&sel->reqs[i], obj))
			return false;
	return true;
}

void ctl_selector_free(struct ctl_selector *sel)
{
	if (!sel)
		return;
	for (size_t i = 0; i < sel->n; i++) {
		free(sel->reqs[i].key);
		free_values(sel->reqs[i].values);
	}
	free(sel->reqs);
	free(sel);
}

bool ctl_selector_label_eq(const struct ctl_selector *sel, const char **key,
			   const char **value)
{
	for (size_t i = 0; sel && i < sel->n; i++) {
		const struct requirement *r = &sel->reqs[i];

		if (r->field || !r->values || !r->values[0])
			continue;
		if (r->op == OP_EQ || (r->op == OP_IN && !r->values[1])) {
			*key = r->key;
			*value = r->values[0];
			return true;
		}
	}
	return false;
}
