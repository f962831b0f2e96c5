// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>

#include "dns.h"
#include "exports.h"
#include "ipam.h"
#include "isolation.h"
#include "log.h"
#include "place.h"
#include "services.h"
#include "util.h"

struct services {
	const struct sliced_config *cfg;
	struct sync *sync;
	struct ipam *ipam;
	struct dns *dns;
	struct exports *exports;
	struct isolation *isolation;
	uint64_t next_scan_ms, next_recheck_ms;
};

/* Everything derived from the caches, the leases and the export files, anew. The pods see
 * each slice's cluster block narrowed to this node's block (place.h). */
static void services_refresh(struct services *sv)
{
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
	isolation_update(sv->isolation, slices, sv->ipam);
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
	return (int)(sv->next_scan_ms - now);
}

struct services *services_new(const struct sliced_config *cfg, struct sync *sync)
{
	struct services *sv = calloc(1, sizeof(*sv));
	char err[512];

	if (!sv)
		return NULL;
	sv->cfg = cfg;
	sv->sync = sync;
	sv->ipam = ipam_new(cfg->state_dir, cfg->cni_socket, &cfg->dns_addr, err, sizeof(err));
	if (!sv->ipam)
		goto fail;
	sv->dns = dns_new(&cfg->dns_addr, &cfg->dns_upstream, err, sizeof(err));
	if (!sv->dns)
		goto fail;
	sv->exports = exports_new(cfg, sync);
	sv->isolation = isolation_new();
	if (!sv->exports || !sv->isolation) {
		snprintf(err, sizeof(err), "out of memory or no nftables context");
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
	isolation_free(sv->isolation);
	exports_free(sv->exports);
	dns_free(sv->dns);
	ipam_free(sv->ipam);
	free(sv);
}
