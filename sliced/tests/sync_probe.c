// SPDX-License-Identifier: GPL-2.0
/*
 * The sync module alone against a controller, for tests/test_sync.sh:
 *
 *   sync-probe CONFIG SECONDS
 *
 * Prints "ready" once every kind is listed, "away" and "connected" when the watches drop
 * and come back, and after each change the cached objects as "KIND NAME" lines between
 * "begin" and "end". Once ready it writes an Event (reason SyncProbe) and a status on each
 * of its WorkerSliceConfigs, as sliced does.
 */
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "sync.h"
#include "util.h"

static const char *const kind_names[SYNC_KINDS] = {
	[SYNC_SLICES] = "slice",
	[SYNC_GATEWAYS] = "gateway",
	[SYNC_IMPORTS] = "import",
	[SYNC_SECRETS] = "secret",
	[SYNC_EXPORTS] = "export",
};

static void print_caches(const struct sync *s)
{
	const cJSON *obj;
	int k;

	printf("begin\n");
	for (k = 0; k < SYNC_KINDS; k++)
		cJSON_ArrayForEach(obj, sync_cache(s, k))
			printf("%s %s\n", kind_names[k], obj->string);
	printf("end\n");
}

static void write_back(struct sync *s)
{
	const cJSON *obj;

	cJSON_ArrayForEach(obj, sync_cache(s, SYNC_SLICES)) {
		cJSON *status = cJSON_CreateObject();

		cJSON_AddStringToObject(cJSON_AddObjectToObject(status, "sliceHealth"),
					"sliceHealthStatus", "Normal");
		sync_write_status(s, "/apis/worker.kubeslice.io/v1alpha1", "workersliceconfigs",
				  obj->string, status);
		sync_event(s, "WorkerSliceConfig", "worker.kubeslice.io/v1alpha1", obj->string,
			   "Normal", "SyncProbe", "probe synced %s", obj->string);
	}
}

int main(int argc, char **argv)
{
	bool ready = false, connected = false;
	struct sliced_config cfg;
	struct sync s;
	uint64_t end;
	char err[512];

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 3) {
		fprintf(stderr, "usage: sync-probe CONFIG SECONDS\n");
		return 2;
	}
	log_init(false, true, NULL);
	if (config_load(&cfg, argv[1], err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (sync_init(&s, &cfg)) {
		fprintf(stderr, "sync-probe: out of memory\n");
		return 1;
	}
	end = now_ms() + atoi(argv[2]) * 1000ULL;
	while (now_ms() < end) {
		if (sync_poll(&s, NULL, 0, 100) < 0)
			break;
		if (!ready && sync_ready(&s)) {
			ready = true;
			printf("ready\n");
			write_back(&s);
		}
		if (connected != sync_connected(&s)) {
			connected = !connected;
			printf("%s\n", connected ? "connected" : "away");
		}
		if (ready && s.dirty) {
			s.dirty = false;
			print_caches(&s);
		}
	}
	sync_release(&s);
	config_free(&cfg);
	return 0;
}
