// SPDX-License-Identifier: GPL-2.0
/*
 * A kind's printer is its column definitions and, for the custom kinds, a simple JSONPath
 * per column that gives its cells, as a CRD's additionalPrinterColumns do. The API server
 * always sends every column; kubectl shows those of priority 0, and the others with -o wide.
 * KubeSlice's CRDs declare no columns (kubectl shows NAME and AGE for them); the columns
 * added here are the ones docs/operators-guide.md promises: tunnel state, subnets, health.
 * Events, Namespaces and Secrets print as the API server's built-in printers print them.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/json.h"
#include "controller/http_table.h"

/**
 * struct column - one column of a printer
 * @name: its heading, as kubectl upper-cases it
 * @type: OpenAPI type of its cells: string, integer, number, boolean or date (an age)
 * @path: simple JSONPath of its cells (.a.b, .a[0]); NULL in the built-in printers
 * @priority: 0, or more for a column only -o wide shows
 * @description: what it shows
 */
struct column {
	const char *name;
	const char *type;
	const char *path;
	int priority;
	const char *description;
};

/**
 * struct printer - how the objects of one resource print
 * @resource: plural resource name; NULL for the default (Name and Age)
 * @columns: its columns, ending with one whose name is NULL
 * @cells: fills one row's cells instead of the columns' paths (built-in printers), or NULL
 */
struct printer {
	const char *resource;
	const struct column *columns;
	void (*cells)(const cJSON *obj, cJSON *cells, time_t now);
};

#define NAME_COLUMN { "Name", "string", ".metadata.name", 0, "The object's name." }
#define AGE_COLUMN { "Age", "date", ".metadata.creationTimestamp", 0, \
		     "Time since the object was created." }
#define END_COLUMN { NULL, NULL, NULL, 0, NULL }

static const struct column default_columns[] = { NAME_COLUMN, AGE_COLUMN, END_COLUMN };

static const struct column cluster_columns[] = {
	NAME_COLUMN,
	{ "Health", "string", ".status.clusterHealth.clusterHealthStatus", 0,
	  "Health the worker reports: Normal, or Warning while a tunnel is down." },
	AGE_COLUMN,
	{ "Node IPs", "string", ".status.nodeIPs", 1, "Gateway node addresses the worker reports." },
	{ "CNI Subnet", "string", ".status.cniSubnet", 1, "The cluster's pod subnets." },
	END_COLUMN
};

static const struct column slice_columns[] = {
	NAME_COLUMN,
	{ "Subnet", "string", ".spec.sliceSubnet", 0, "The slice's overlay subnet." },
	{ "Overlay", "string", ".spec.overlayNetworkDeploymentMode", 0,
	  "single-network, multi-network or no-network." },
	AGE_COLUMN,
	{ "Clusters", "string", ".spec.clusters", 1, "Member clusters." },
	{ "Gateway", "string", ".spec.sliceGatewayProvider.sliceGatewayType", 1,
	  "Gateway type the slice asks for." },
	END_COLUMN
};

static const struct column worker_slice_columns[] = {
	NAME_COLUMN,
	{ "Slice", "string", ".spec.sliceName", 0, "The slice." },
	{ "Cluster", "string", ".metadata.labels.worker-cluster", 0, "The member cluster." },
	{ "Subnet", "string", ".spec.clusterSubnetCIDR", 0, "This cluster's block of the slice subnet." },
	{ "Health", "string", ".status.sliceHealth.sliceHealthStatus", 0,
	  "Slice health the worker reports." },
	AGE_COLUMN,
	{ "Slice Subnet", "string", ".spec.sliceSubnet", 1, "The whole slice subnet." },
	{ "Octet", "integer", ".spec.octet", 1, "This cluster's octet in the slice subnet." },
	END_COLUMN
};

static const struct column gateway_columns[] = {
	NAME_COLUMN,
	{ "Slice", "string", ".spec.sliceName", 0, "The slice." },
	{ "Local", "string", ".spec.localGatewayConfig.clusterName", 0, "This side's cluster." },
	{ "Remote", "string", ".spec.remoteGatewayConfig.clusterName", 0, "The peer's cluster." },
	{ "Tunnel", "string", ".status.tunnelStatus.TunnelState", 0,
	  "UP or DOWN, as the gateway reports it." },
	AGE_COLUMN,
	{ "Local Subnet", "string", ".spec.localGatewayConfig.gatewaySubnet", 1,
	  "Subnet this side routes into the tunnel." },
	{ "Remote Subnet", "string", ".spec.remoteGatewayConfig.gatewaySubnet", 1,
	  "Subnet the peer routes into the tunnel." },
	{ "Latency", "number", ".status.tunnelStatus.Latency", 1, "Round trip, milliseconds." },
	{ "Tx Rate", "integer", ".status.tunnelStatus.TxRate", 1, "Bits per second sent." },
	{ "Rx Rate", "integer", ".status.tunnelStatus.RxRate", 1, "Bits per second received." },
	{ "Loss", "number", ".status.tunnelStatus.PacketLoss", 1, "Lost probes, percent." },
	END_COLUMN
};

/* The built-in printers' columns, in the API server's order. */
static const struct column event_columns[] = {
	{ "Last Seen", "string", NULL, 0, "Time since the event was last seen." },
	{ "Type", "string", NULL, 0, "Normal or Warning." },
	{ "Reason", "string", NULL, 0, "Why the event happened, in one word." },
	{ "Object", "string", NULL, 0, "The object the event is about." },
	{ "Subobject", "string", NULL, 1, "The part of the object it is about." },
	{ "Source", "string", NULL, 1, "Who reported it." },
	{ "Message", "string", NULL, 0, "What happened." },
	{ "First Seen", "string", NULL, 1, "Time since the event was first seen." },
	{ "Count", "string", NULL, 1, "How often it happened." },
	{ "Name", "string", NULL, 1, "The event's name." },
	END_COLUMN
};

static const struct column namespace_columns[] = {
	{ "Name", "string", NULL, 0, "The namespace's name." },
	{ "Status", "string", NULL, 0, "Active, or Terminating once deleted." },
	{ "Age", "string", NULL, 0, "Time since it was created." },
	END_COLUMN
};

static const struct column secret_columns[] = {
	{ "Name", "string", NULL, 0, "The secret's name." },
	{ "Type", "string", NULL, 0, "The secret's type." },
	{ "Data", "string", NULL, 0, "Keys in data." },
	{ "Age", "string", NULL, 0, "Time since it was created." },
	END_COLUMN
};

/* An age as Kubernetes prints durations (apimachinery's HumanDuration). */
static void human_duration(long s, char *buf, size_t len)
{
	long m = s / 60, h = s / 3600, d = h / 24;

	if (s < -1)
		snprintf(buf, len, "<invalid>");
	else if (s < 0)
		snprintf(buf, len, "0s");
	else if (s < 120)
		snprintf(buf, len, "%lds", s);
	else if (m < 10 && s % 60)
		snprintf(buf, len, "%ldm%lds", m, s % 60);
	else if (m < 180)
		snprintf(buf, len, "%ldm", m);
	else if (h < 8 && m % 60)
		snprintf(buf, len, "%ldh%ldm", h, m % 60);
	else if (h < 48)
		snprintf(buf, len, "%ldh", h);
	else if (h < 192 && h % 24)
		snprintf(buf, len, "%ldd%ldh", d, h % 24);
	else if (h < 24 * 365 * 2)
		snprintf(buf, len, "%ldd", d);
	else if (h < 24 * 365 * 8 && d % 365)
		snprintf(buf, len, "%ldy%ldd", d / 365, d % 365);
	else
		snprintf(buf, len, "%ldy", d / 365);
}

/* The age of an RFC 3339 timestamp, "<unknown>" without one, "<invalid>" for a bad one. */
static cJSON *age_cell(const char *stamp, time_t now)
{
	time_t t = stamp ? ks_time_parse(stamp) : 0;
	char buf[32];

	if (!stamp || !*stamp)
		return cJSON_CreateString("<unknown>");
	if (t == (time_t)-1)
		return cJSON_CreateString("<invalid>");
	human_duration((long)(now - t), buf, sizeof(buf));
	return cJSON_CreateString(buf);
}

/* The value a simple JSONPath (.a.b[1].c) names in obj, or NULL. */
static const cJSON *path_value(const cJSON *obj, const char *path)
{
	char key[128];

	while (obj && *path) {
		size_t n;

		if (*path == '[') {
			char *end;
			long i = strtol(path + 1, &end, 10);

			if (*end != ']' || !cJSON_IsArray(obj))
				return NULL;
			obj = cJSON_GetArrayItem(obj, (int)i);
			path = end + 1;
			continue;
		}
		if (*path != '.')
			return NULL;
		path++;
		n = strcspn(path, ".[");
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		obj = cJSON_GetObjectItemCaseSensitive(obj, key);
		path += n;
	}
	return obj;
}

/* A string cell as the API server prints a JSONPath result: objects and arrays as JSON. */
static cJSON *text_cell(const cJSON *v)
{
	char buf[64], *json;
	cJSON *cell;

	if (cJSON_IsString(v))
		return cJSON_CreateString(v->valuestring);
	if (cJSON_IsBool(v))
		return cJSON_CreateString(cJSON_IsTrue(v) ? "true" : "false");
	if (cJSON_IsNumber(v)) {
		snprintf(buf, sizeof(buf), "%.15g", v->valuedouble);
		return cJSON_CreateString(buf);
	}
	json = cJSON_PrintUnformatted(v);
	cell = json ? cJSON_CreateString(json) : cJSON_CreateNull();
	free(json);
	return cell;
}

/* One cell of a column with a path: a value of the column's type, or null. */
static cJSON *path_cell(const struct column *col, const cJSON *obj, time_t now)
{
	const cJSON *v = path_value(obj, col->path);

	if (!v || cJSON_IsNull(v))
		return cJSON_CreateNull();
	if (!strcmp(col->type, "string"))
		return text_cell(v);
	if (!strcmp(col->type, "integer") && cJSON_IsNumber(v))
		return cJSON_CreateNumber((double)(long long)v->valuedouble);
	if (!strcmp(col->type, "number") && cJSON_IsNumber(v))
		return cJSON_CreateNumber(v->valuedouble);
	if (!strcmp(col->type, "boolean") && cJSON_IsBool(v))
		return cJSON_CreateBool(cJSON_IsTrue(v));
	if (!strcmp(col->type, "date") && cJSON_IsString(v))
		return age_cell(v->valuestring, now);
	return cJSON_CreateNull();
}

static void add_str(cJSON *cells, const char *s)
{
	cJSON_AddItemToArray(cells, cJSON_CreateString(s ? s : ""));
}

/* "component, host" of an Event's source, or its reporting controller and instance. */
static void event_source(const cJSON *ev, char *buf, size_t len)
{
	const char *comp = ks_get_str0(ev, "source.component");
	const char *host = ks_get_str0(ev, "source.host");

	if (!*comp)
		comp = ks_get_str0(ev, "reportingController");
	if (!*host)
		host = ks_get_str0(ev, "reportingInstance");
	snprintf(buf, len, "%s%s%s", comp, *host ? ", " : "", host);
}

/* "kind/name" of what an Event is about, the kind in lower case, as kubectl shows it. */
static void event_object(const cJSON *ev, char *buf, size_t len)
{
	const char *name = ks_get_str0(ev, "involvedObject.name");

	snprintf(buf, len, "%s", ks_get_str0(ev, "involvedObject.kind"));
	for (char *p = buf; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (*name)
		snprintf(buf + strlen(buf), len - strlen(buf), "/%s", name);
}

/* s without leading and trailing white space (malloc'd), as Go's strings.TrimSpace. */
static char *trim_space(const char *s)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return strndup(s, n);
}

/* The API server's Event printer: last seen, type, reason, object, message, and wide. */
static void event_cells(const cJSON *ev, cJSON *cells, time_t now)
{
	const char *first = ks_get_str(ev, "firstTimestamp");
	const char *last = ks_get_str(ev, "lastTimestamp");
	char target[512], source[256], *message;
	long count = 0;
	cJSON *first_age, *last_age;

	first_age = age_cell(first && *first ? first : ks_get_str(ev, "eventTime"), now);
	if (ks_get(ev, "series.lastObservedTime"))
		last_age = age_cell(ks_get_str(ev, "series.lastObservedTime"), now);
	else
		last_age = last && *last ? age_cell(last, now) : cJSON_Duplicate(first_age, true);
	/* A singleton event of the events.k8s.io API has no count. */
	if (!ks_get_int(ev, "series.count", &count) && (!ks_get_int(ev, "count", &count) || !count))
		count = 1;
	event_object(ev, target, sizeof(target));
	event_source(ev, source, sizeof(source));
	message = trim_space(ks_get_str0(ev, "message"));
	cJSON_AddItemToArray(cells, last_age);
	add_str(cells, ks_get_str(ev, "type"));
	add_str(cells, ks_get_str(ev, "reason"));
	add_str(cells, target);
	add_str(cells, ks_get_str(ev, "involvedObject.fieldPath"));
	add_str(cells, source);
	add_str(cells, message);
	free(message);
	cJSON_AddItemToArray(cells, first_age);
	cJSON_AddItemToArray(cells, cJSON_CreateNumber((double)count));
	add_str(cells, ks_name(ev));
}

static void namespace_cells(const cJSON *ns, cJSON *cells, time_t now)
{
	add_str(cells, ks_name(ns));
	add_str(cells, ks_get(ns, "metadata.deletionTimestamp") ? "Terminating" : "Active");
	cJSON_AddItemToArray(cells, age_cell(ks_get_str(ns, "metadata.creationTimestamp"), now));
}

static void secret_cells(const cJSON *secret, cJSON *cells, time_t now)
{
	const char *type = ks_get_str(secret, "type");

	add_str(cells, ks_name(secret));
	add_str(cells, type && *type ? type : "Opaque");
	cJSON_AddItemToArray(cells,
			     cJSON_CreateNumber(cJSON_GetArraySize(ks_get(secret, "data"))));
	cJSON_AddItemToArray(cells,
			     age_cell(ks_get_str(secret, "metadata.creationTimestamp"), now));
}

static const struct printer printers[] = {
	{ KS_RES_CLUSTER, cluster_columns, NULL },
	{ KS_RES_SLICE, slice_columns, NULL },
	{ KS_RES_WORKER_SLICE, worker_slice_columns, NULL },
	{ KS_RES_WORKER_GATEWAY, gateway_columns, NULL },
	{ KS_RES_EVENT, event_columns, event_cells },
	{ KS_RES_NAMESPACE, namespace_columns, namespace_cells },
	{ KS_RES_SECRET, secret_columns, secret_cells },
	{ NULL, default_columns, NULL },
};

static const struct printer *printer_for(const struct ks_resource *res)
{
	const struct printer *p;

	for (p = printers; p->resource; p++)
		if (!strcmp(p->resource, res->plural))
			break;
	return p;
}

/* The value of parameter key of one media range (len bytes) of an Accept header. */
static bool param(const char *range, size_t len, const char *key, char *buf, size_t size)
{
	const char *p = range, *end = range + len;
	size_t k = strlen(key);

	while ((p = memchr(p, ';', (size_t)(end - p)))) {
		size_t n;

		for (p++; p < end && *p == ' '; p++)
			;
		n = strcspn(p, ";,");
		if (p + n > end)
			n = (size_t)(end - p);
		if (n > k && !strncmp(p, key, k) && p[k] == '=') {
			snprintf(buf, size, "%.*s", (int)(n - k - 1), p + k + 1);
			return true;
		}
	}
	return false;
}

const char *ctl_table_version(const char *accept)
{
	static const char *const versions[] = { "v1", "v1beta1", NULL };
	const char *p = accept;

	while (p && *p) {
		size_t len = strcspn(p, ",");
		char as[32], g[32], v[16];

		for (; *p == ' ' && len; len--)
			p++;
		/* A plain media type first: the object itself, whatever its encoding. */
		if (!param(p, len, "as", as, sizeof(as)))
			return NULL;
		if (!strcmp(as, "Table") && !strncmp(p, "application/json", 16) &&
		    param(p, len, "g", g, sizeof(g)) && !strcmp(g, "meta.k8s.io") &&
		    param(p, len, "v", v, sizeof(v)))
			for (const char *const *ver = versions; *ver; ver++)
				if (!strcmp(v, *ver))
					return *ver;
		p += len;
		if (*p == ',')
			p++;
	}
	return NULL;
}

static cJSON *column_definitions(const struct column *cols)
{
	cJSON *defs = cJSON_CreateArray();

	for (const struct column *c = cols; c->name; c++) {
		cJSON *d = cJSON_CreateObject();

		cJSON_AddStringToObject(d, "name", c->name);
		cJSON_AddStringToObject(d, "type", c->type);
		cJSON_AddStringToObject(d, "format", strcmp(c->name, "Name") ? "" : "name");
		cJSON_AddStringToObject(d, "description", c->description);
		cJSON_AddNumberToObject(d, "priority", c->priority);
		cJSON_AddItemToArray(defs, d);
	}
	return defs;
}

/* What a row carries of its object (includeObject); NULL for None. */
static cJSON *row_object(cJSON *obj, const char *include, const char *version)
{
	char av[64];
	cJSON *partial;

	if (!strcmp(include, "None")) {
		cJSON_Delete(obj);
		return NULL;
	}
	if (!strcmp(include, "Object"))
		return obj;
	partial = cJSON_CreateObject();
	cJSON_AddStringToObject(partial, "kind", "PartialObjectMetadata");
	snprintf(av, sizeof(av), "meta.k8s.io/%s", version);
	cJSON_AddStringToObject(partial, "apiVersion", av);
	cJSON_AddItemToObject(partial, "metadata",
			      cJSON_DetachItemFromObjectCaseSensitive(obj, "metadata"));
	cJSON_Delete(obj);
	return partial;
}

bool ctl_table_include_valid(const char *include)
{
	return !include || !strcmp(include, "None") || !strcmp(include, "Metadata") ||
	       !strcmp(include, "Object");
}

cJSON *ctl_table_build(const struct ks_resource *res, const char *version, cJSON *items,
		       const char *rv, const char *include, time_t now)
{
	const struct printer *p = printer_for(res);
	cJSON *table, *rows, *obj;
	char av[64];

	include = include ? include : "Metadata";
	if (!ctl_table_include_valid(include)) {
		cJSON_Delete(items);
		return NULL;
	}
	table = cJSON_CreateObject();
	cJSON_AddStringToObject(table, "kind", "Table");
	snprintf(av, sizeof(av), "meta.k8s.io/%s", version);
	cJSON_AddStringToObject(table, "apiVersion", av);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(table, "metadata"), "resourceVersion", rv);
	cJSON_AddItemToObject(table, "columnDefinitions", column_definitions(p->columns));
	rows = cJSON_AddArrayToObject(table, "rows");
	while ((obj = cJSON_DetachItemFromArray(items, 0))) {
		cJSON *row = cJSON_CreateObject(), *cells = cJSON_AddArrayToObject(row, "cells");
		cJSON *carried;

		if (p->cells)
			p->cells(obj, cells, now);
		else
			for (const struct column *c = p->columns; c->name; c++)
				cJSON_AddItemToArray(cells, path_cell(c, obj, now));
		carried = row_object(obj, include, version);
		if (carried)
			cJSON_AddItemToObject(row, "object", carried);
		cJSON_AddItemToArray(rows, row);
	}
	cJSON_Delete(items);
	return table;
}
