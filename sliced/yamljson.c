// SPDX-License-Identifier: GPL-2.0
/*
 * YAML for the configuration: kubeconfig files are YAML, and so is sliced.yaml so that one
 * parser reads both. libyaml builds the document; this turns it into cJSON, the tree the
 * rest of sliced (and the controller's objects) already use.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "api/file.h"
#include "yamljson.h"

/* Aliases can make a document refer to itself; real configuration is never this deep. */
#define YAML_MAX_DEPTH 32

struct yaml_walk {
	yaml_document_t *doc;
	char *err;
	size_t errlen;
};

static cJSON *yaml_node_to_json(struct yaml_walk *w, yaml_node_t *node, int depth);

static cJSON *yaml_sequence_to_json(struct yaml_walk *w, yaml_node_t *node, int depth)
{
	cJSON *out = cJSON_CreateArray(), *child;
	yaml_node_item_t *item;

	for (item = node->data.sequence.items.start;
	     out && item < node->data.sequence.items.top; item++) {
		child = yaml_node_to_json(w, yaml_document_get_node(w->doc, *item), depth + 1);
		if (!child) {
			cJSON_Delete(out);
			return NULL;
		}
		cJSON_AddItemToArray(out, child);
	}
	return out;
}

static cJSON *yaml_mapping_to_json(struct yaml_walk *w, yaml_node_t *node, int depth)
{
	cJSON *out = cJSON_CreateObject(), *child;
	yaml_node_pair_t *pair;
	yaml_node_t *key;
	const char *name;

	for (pair = node->data.mapping.pairs.start;
	     out && pair < node->data.mapping.pairs.top; pair++) {
		key = yaml_document_get_node(w->doc, pair->key);
		if (!key || key->type != YAML_SCALAR_NODE) {
			snprintf(w->err, w->errlen, "line %zu: keys must be plain strings",
				 node->start_mark.line + 1);
			goto fail;
		}
		name = (const char *)key->data.scalar.value;
		/* A setting given twice is a mistake; YAML 1.1 parsers differ on which wins. */
		if (cJSON_GetObjectItemCaseSensitive(out, name)) {
			snprintf(w->err, w->errlen, "line %zu: %s given twice",
				 key->start_mark.line + 1, name);
			goto fail;
		}
		child = yaml_node_to_json(w, yaml_document_get_node(w->doc, pair->value),
					  depth + 1);
		if (!child)
			goto fail;
		cJSON_AddItemToObject(out, name, child);
	}
	return out;
fail:
	cJSON_Delete(out);
	return NULL;
}

static cJSON *yaml_node_to_json(struct yaml_walk *w, yaml_node_t *node, int depth)
{
	if (!node || depth > YAML_MAX_DEPTH) {
		snprintf(w->err, w->errlen, "nested more than %d deep", YAML_MAX_DEPTH);
		return NULL;
	}
	switch (node->type) {
	case YAML_SCALAR_NODE:
		return cJSON_CreateString((const char *)node->data.scalar.value);
	case YAML_SEQUENCE_NODE:
		return yaml_sequence_to_json(w, node, depth);
	case YAML_MAPPING_NODE:
		return yaml_mapping_to_json(w, node, depth);
	default:
		snprintf(w->err, w->errlen, "line %zu: empty node", node->start_mark.line + 1);
		return NULL;
	}
}

cJSON *yaml_to_json(const char *text, size_t len, char *err, size_t errlen)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	cJSON *out = NULL;

	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, errlen, "line %zu column %zu: %s",
			 parser.problem_mark.line + 1, parser.problem_mark.column + 1,
			 parser.problem ? parser.problem : "not YAML");
		yaml_parser_delete(&parser);
		return NULL;
	}
	root = yaml_document_get_root_node(&doc);
	if (!root)
		snprintf(err, errlen, "empty document");
	else
		out = yaml_node_to_json(&(struct yaml_walk){ &doc, err, errlen }, root, 0);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return out;
}

cJSON *yaml_file_to_json(const char *path, char *err, size_t errlen)
{
	char why[256], *text;
	size_t len;
	cJSON *out;

	text = ks_read_file(path, &len);
	if (!text) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	out = yaml_to_json(text, len, why, sizeof(why));
	if (!out)
		snprintf(err, errlen, "%s: %s", path, why);
	free(text);
	return out;
}
