// SPDX-License-Identifier: GPL-2.0
/*
 * libyaml's event parser builds the tree; plain scalars are resolved as YAML 1.2's core
 * schema does (null, booleans, integers, floats), quoted ones stay strings. Anchors and
 * aliases are refused: Kubernetes objects do not need them and they allow "billion laughs".
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "api/json.h"
#include "controller/http_yaml.h"

struct builder {
	yaml_parser_t parser;
	char *err;
	size_t errlen;
};

static cJSON *plain_scalar(const char *v)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
	char *end;
	double d;

	for (const char *const *n = nulls; *n; n++)
		if (!strcmp(v, *n))
			return cJSON_CreateNull();
	if (!strcmp(v, "true") || !strcmp(v, "True") || !strcmp(v, "TRUE"))
		return cJSON_CreateTrue();
	if (!strcmp(v, "false") || !strcmp(v, "False") || !strcmp(v, "FALSE"))
		return cJSON_CreateFalse();
	if (strspn(v, "+-0123456789.eE") == strlen(v)) {
		d = strtod(v, &end);
		if (!*end && end != v)
			return cJSON_CreateNumber(d);
	}
	return cJSON_CreateString(v);
}

static int fail(struct builder *b, const char *what, const yaml_mark_t *mark)
{
	snprintf(b->err, b->errlen, "yaml: line %zu, column %zu: %s", mark->line + 1,
		 mark->column + 1, what);
	return -EINVAL;
}

static int next_event(struct builder *b, yaml_event_t *ev)
{
	if (yaml_parser_parse(&b->parser, ev))
		return 0;
	return fail(b, b->parser.problem ? b->parser.problem : "cannot parse",
		    &b->parser.problem_mark);
}

static int node(struct builder *b, yaml_event_t *ev, int depth, cJSON **out);

/* A C string cannot hold a NUL: a "\0" escape would cut the scalar short unnoticed. */
static bool has_nul(const yaml_event_t *ev)
{
	return memchr(ev->data.scalar.value, '\0', ev->data.scalar.length) != NULL;
}

static int collection(struct builder *b, bool mapping, int depth, cJSON **out)
{
	cJSON *c = mapping ? cJSON_CreateObject() : cJSON_CreateArray();

	for (;;) {
		yaml_event_t ev;
		cJSON *key = NULL, *val = NULL;

		if (next_event(b, &ev))
			goto err;
		if (ev.type == (mapping ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT)) {
			yaml_event_delete(&ev);
			break;
		}
		if (mapping) {
			if (ev.type != YAML_SCALAR_EVENT || has_nul(&ev)) {
				fail(b, ev.type != YAML_SCALAR_EVENT ? "mapping keys must be strings" :
				     "keys may not contain NUL characters", &ev.start_mark);
				yaml_event_delete(&ev);
				goto err;
			}
			key = cJSON_CreateString((const char *)ev.data.scalar.value);
			yaml_event_delete(&ev);
			if (next_event(b, &ev)) {
				cJSON_Delete(key);
				goto err;
			}
		}
		if (node(b, &ev, depth + 1, &val)) {
			cJSON_Delete(key);
			goto err;
		}
		if (mapping) {
			/* Repeated keys are dropped once the tree is whole, in O(n log n). */
			cJSON_AddItemToObject(c, key->valuestring, val);
			cJSON_Delete(key);
		} else {
			cJSON_AddItemToArray(c, val);
		}
	}
	*out = c;
	return 0;
err:
	cJSON_Delete(c);
	return -EINVAL;
}

/* Builds the node that ev starts; consumes ev. */
static int node(struct builder *b, yaml_event_t *ev, int depth, cJSON **out)
{
	yaml_mark_t mark = ev->start_mark;
	int ret = 0;

	if (depth > KS_JSON_MAX_DEPTH) {
		yaml_event_delete(ev);
		return fail(b, "nested too deeply", &mark);
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		if (ev->data.scalar.anchor)
			ret = fail(b, "anchors are not supported", &mark);
		else if (has_nul(ev))
			ret = fail(b, "strings may not contain NUL characters", &mark);
		else if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !ev->data.scalar.tag)
			*out = plain_scalar((const char *)ev->data.scalar.value);
		else
			*out = cJSON_CreateString((const char *)ev->data.scalar.value);
		yaml_event_delete(ev);
		return ret;
	case YAML_MAPPING_START_EVENT:
	case YAML_SEQUENCE_START_EVENT: {
		bool mapping = ev->type == YAML_MAPPING_START_EVENT;
		bool anchored = mapping ? ev->data.mapping_start.anchor != NULL :
				ev->data.sequence_start.anchor != NULL;

		yaml_event_delete(ev);
		if (anchored)
			return fail(b, "anchors are not supported", &mark);
		return collection(b, mapping, depth, out);
	}
	case YAML_ALIAS_EVENT:
		yaml_event_delete(ev);
		return fail(b, "aliases are not supported", &mark);
	default:
		yaml_event_delete(ev);
		return fail(b, "unexpected YAML event", &mark);
	}
}

/* Skips events up to the document's root node; false at the end of the stream. */
static int document_start(struct builder *b, yaml_event_t *ev)
{
	for (;;) {
		if (next_event(b, ev))
			return -EINVAL;
		if (ev->type == YAML_STREAM_START_EVENT || ev->type == YAML_DOCUMENT_START_EVENT) {
			yaml_event_delete(ev);
			continue;
		}
		return 0;
	}
}

cJSON *ctl_yaml_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct builder b = { .err = err, .errlen = errlen };
	cJSON *root = NULL;
	yaml_event_t ev;

	if (!yaml_parser_initialize(&b.parser)) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	yaml_parser_set_input_string(&b.parser, (const unsigned char *)text, len);
	if (document_start(&b, &ev))
		goto out;
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		snprintf(err, errlen, "the request body is empty");
		goto out;
	}
	if (node(&b, &ev, 0, &root))
		goto out;
	/* Only one document: what follows must be the end of it and of the stream. */
	if (next_event(&b, &ev))
		goto err_root;
	yaml_event_delete(&ev);
	if (next_event(&b, &ev))
		goto err_root;
	if (ev.type != YAML_STREAM_END_EVENT) {
		fail(&b, "expected a single YAML document", &ev.start_mark);
		yaml_event_delete(&ev);
		goto err_root;
	}
	yaml_event_delete(&ev);
	goto out;
err_root:
	cJSON_Delete(root);
	root = NULL;
out:
	yaml_parser_delete(&b.parser);
	return root;
}
