// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/json.h"
#include "dns.h"
#include "exports.h"
#include "ipam.h"
#include "isolation.h"
#include "kernel.h"
#include "log.h"
#include "place.h"
#include "podnet.h"
#include "services.h"
#include "util.h"

struct services {
	const struct sliced_config *cfg;
	struct sync *sync;
	struct node *node;		/* whose slices the drift Events are about */
	struct ipam *ipam;
	struct dns *dns;
	struct exports *exports;
	struct isolation *isolation;
	struct podnet *podnet;
	uint64_t next_scan_ms, next_recheck_ms, next_podnet_ms;
};

/* Drift put right here is reported as the kernel's is: kernel_repaired_known(). */
static void services_drift(void *arg, const char *slice, const char *what)
{
	struct services *sv = arg;
	struct slice *sl;

	for (sl = sv->node->slices; sl && strcmp(sl->name, slice); sl = sl->next)
		;
	if (sl)
		kernel_repaired_known(sv->node, sl, what, true);
	else
		log_msg(LOG_WARNING, "slice %s: drift: %s, put right", slice, what);
}

/* The isolation table is the node's: its drift concerns each slice that isolates, or
 * every slice when none does (a table left behind). */
static void isolation_drift(struct services *sv, const cJSON *slices, const char *what)
{
	const cJSON *wsc;
	bool any = false;
	int pass;

	for (pass = 0; pass < 2 && !any; pass++)
		cJSON_ArrayForEach(wsc, slices)
			if ((pass || isolation_enabled(wsc)) && ks_get_str(wsc, "spec.sliceName")) {
				services_drift(sv, ks_get_str(wsc, "spec.sliceName"), what);
				any = true;
			}
}

/* Everything derived from the caches, the leases and the export files, anew. The pods see
 * each slice's cluster block narrowed to this node's block (place.h). */
static void services_refresh(struct services *sv)
{
	const char *what;
	cJSON *services, *slices = place_slices(sv->cfg, sync_cache(sv->sync, SYNC_SLICES),
						sync_cache(sv->sync, SYNC_GATEWAYS));

	if (!slices)
		return;
	ipam_update(sv->ipam, slices);
	ipam_take_changed(sv->ipam);
	exports_reconcile(sv->exports, sv->ipam);
	services = exports_services(sv->exports);
	dns_update(sv->dns, slices, services);
	cJSON_Delete(services);
	if (isolation_update(sv->isolation, slices, sv->ipam, &what) == ISOLATION_REPAIRED)
		isolation_drift(sv, slices, what);
	cJSON_Delete(slices);
	sv->next_recheck_ms = now_ms() + SERVICES_RECHECK_MS;
}

void services_update(struct services *sv)
{
	services_refresh(sv);
}

unsigned int services_fds(struct services *sv, struct curl_waitfd *fds, unsigned int max)
{
	unsigned int n = 0;

	if (max) {
		fds[n++] = (struct curl_waitfd){ .fd = ipam_fd(sv->ipam), .events = CURL_WAIT_POLLIN };
		n += dns_fds(sv->dns, fds + n, max - n);
	}
	return n;
}

int services_run(struct services *sv, const struct curl_waitfd *fds, unsigned int count)
{
	uint64_t now = now_ms();
	bool changed = false;
	unsigned int i;

	for (i = 0; i < count; i++)
		if (fds[i].fd == ipam_fd(sv->ipam) && (fds[i].revents & CURL_WAIT_POLLIN))
			ipam_serve(sv->ipam);
	dns_run(sv->dns, fds, count);
	if (now >= sv->next_scan_ms) {
		changed = exports_scan(sv->exports);
		sv->next_scan_ms = now + SERVICES_SCAN_MS;
	}
	if (changed || ipam_take_changed(sv->ipam) || now >= sv->next_recheck_ms)
		services_refresh(sv);
	/* On a timer of its own: a lease's change is no reason, its pod is being attached. */
	if (now >= sv->next_podnet_ms) {
		podnet_check(sv->podnet, sv->ipam, services_drift, sv);
		sv->next_podnet_ms = now + SERVICES_RECHECK_MS;
	}
	return (int)(sv->next_scan_ms - now);
}

struct services *services_new(const struct sliced_config *cfg, struct sync *sync,
			      struct node *node)
{
	struct services *sv = calloc(1, sizeof(*sv));
	char err[512];

	if (!sv)
		return NULL;
	sv->cfg = cfg;
	sv->sync = sync;
	sv->node = node;
	sv->ipam = ipam_new(cfg->state_dir, cfg->cni_socket, &cfg->dns_addr, err, sizeof(err));
	if (!sv->ipam)
		goto fail;
	sv->dns = dns_new(&cfg->dns_addr, &cfg->dns_upstream, err, sizeof(err));
	if (!sv->dns)
		goto fail;
	sv->exports = exports_new(cfg, sync);
	sv->isolation = isolation_new();
	sv->podnet = podnet_new();
	if (!sv->exports || !sv->isolation || !sv->podnet) {
		snprintf(err, sizeof(err), "out of memory, no nftables context or no rtnetlink");
		goto fail;
	}
	return sv;
fail:
	log_msg(LOG_ERR, "%s", err);
	services_free(sv);
	return NULL;
}

void services_free(struct services *sv)
{
	if (!sv)
		return;
	podnet_free(sv->podnet);
	isolation_free(sv->isolation);
	exports_free(sv->exports);
	dns_free(sv->dns);
	ipam_free(sv->ipam);
	free(sv);
}
