// SPDX-License-Identifier: GPL-2.0
/* Each export file's status beside it, and `sliced -e`, which shows them (see exports.h). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/file.h"
#include "api/json.h"
#include "exports.h"
#include "log.h"

static bool status_file(const char *name)
{
	size_t len = strlen(name), suffix = strlen(EXPORTS_STATUS_SUFFIX);

	return name[0] != '.' && len > suffix &&
	       !strcmp(name + len - suffix, EXPORTS_STATUS_SUFFIX);
}

void exports_status_write(const char *dir, const cJSON *status, cJSON *written)
{
	char path[4096], *text;
	const cJSON *st, *had;
	cJSON *gone, *next = cJSON_CreateObject();
	int err;

	if (!next)
		return;
	cJSON_ArrayForEach(st, status) {
		text = cJSON_Print(st);
		if (!text)
			continue;
		had = cJSON_GetObjectItemCaseSensitive(written, st->string);
		snprintf(path, sizeof(path), "%s/%s" EXPORTS_STATUS_SUFFIX, dir, st->string);
		err = had && !strcmp(had->valuestring, text) ? 0 :
		      ks_write_file(path, text, strlen(text), 0644);
		if (err)
			log_msg(LOG_WARNING, "%s: %s", path, strerror(-err));
		if (!err)
			cJSON_AddStringToObject(next, st->string, text);
		free(text);
	}
	cJSON_ArrayForEach(had, written)
		if (!cJSON_HasObjectItem(next, had->string)) {
			snprintf(path, sizeof(path), "%s/%s" EXPORTS_STATUS_SUFFIX, dir,
				 had->string);
			unlink(path);
		}
	/* written becomes next: the old items go, next's are moved over. */
	while ((gone = written->child))
		cJSON_Delete(cJSON_DetachItemViaPointer(written, gone));
	while ((gone = next->child)) {
		cJSON_DetachItemViaPointer(next, gone);
		cJSON_AddItemToObject(written, gone->string, gone);
	}
	cJSON_Delete(next);
}

/* The status files of dir, in name order: an array of their objects. */
static cJSON *status_read(const char *dir)
{
	struct dirent **names = NULL;
	cJSON *all = cJSON_CreateArray(), *st;
	char path[4096], *text;
	int n, i;

	n = scandir(dir, &names, NULL, alphasort);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		text = status_file(names[i]->d_name) ? ks_read_file(path, NULL) : NULL;
		st = text ? cJSON_Parse(text) : NULL;
		if (st)
			cJSON_AddItemToArray(all, st);
		free(text);
		free(names[i]);
	}
	free(names);
	return n < 0 ? (cJSON_Delete(all), NULL) : all;
}

int exports_status_print(const char *dir, bool json, FILE *out)
{
	cJSON *all = status_read(dir);
	const cJSON *st, *count;
	char *text, name[2 * 64 + 2];

	if (!all) {
		fprintf(stderr, "sliced: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	if (json) {
		text = cJSON_Print(all);
		fprintf(out, "%s\n", text ? text : "[]");
		free(text);
		cJSON_Delete(all);
		return 0;
	}
	fprintf(out, "%-24s %-12s %-8s %-9s %-36s %s\n", "EXPORT", "SLICE", "STATUS", "ENDPOINTS",
		"DNS NAME", "FILE");
	cJSON_ArrayForEach(st, all) {
		snprintf(name, sizeof(name), "%s/%s", ks_get_str(st, "namespace") ?: "-",
			 ks_get_str(st, "name") ?: "-");
		count = cJSON_GetObjectItemCaseSensitive(st, "availableEndpoints");
		fprintf(out, "%-24s %-12s %-8s %-9d %-36s %s\n", name,
			ks_get_str(st, "slice") ?: "-", ks_get_str0(st, "exportStatus"),
			cJSON_IsNumber(count) ? count->valueint : 0,
			ks_get_str(st, "dnsName") ?: "-", ks_get_str0(st, "file"));
		if (ks_get_str(st, "message"))
			fprintf(out, "  %s\n", ks_get_str(st, "message"));
	}
	cJSON_Delete(all);
	return 0;
}
