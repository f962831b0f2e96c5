// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include "api/base64.h"
#include "api/json.h"
#include "controller/strategy.h"

/* A Secret's stringData is write-only: it is merged into data as base64, as the API
 * server does. */
static void secret_canonicalize(cJSON *obj)
{
	cJSON *sd = cJSON_DetachItemFromObjectCaseSensitive(obj, "stringData"), *item, *data;

	if (!sd)
		return;
	data = ks_ensure(obj, "data");
	cJSON_ArrayForEach(item, sd) {
		char *b64;

		if (!cJSON_IsString(item))
			continue;
		b64 = ks_b64_encode(item->valuestring, strlen(item->valuestring));
		if (b64)
			ks_set_str(data, item->string, b64);
		free(b64);
	}
	cJSON_Delete(sd);
}

static const struct ctl_strategy strategies[] = {
	{ .resource = KS_RES_SECRET, .canonicalize = secret_canonicalize },
	{ .resource = KS_RES_NAMESPACE, .owns_namespace = true },
	{ .resource = NULL },
};

const struct ctl_strategy *ctl_strategy_for(const struct ks_resource *res)
{
	const struct ctl_strategy *s;

	for (s = strategies; s->resource; s++)
		if (!strcmp(s->resource, res->plural))
			break;
	return s;
}
