/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Service export: KubeSlice ServiceExport objects, given to sliced as files (YAML or JSON)
 * in exportsDir, relayed to the controller as ServiceExportConfigs of this cluster; and the
 * services the slice DNS serves: those exports and the WorkerServiceImports of the others.
 *
 *   apiVersion: networking.kubeslice.io/v1beta1
 *   kind: ServiceExport
 *   metadata: {name: web, namespace: shop}
 *   spec:
 *     slice: red
 *     selector: {matchNames: ["web-*"]}      # pods attached by the CNI plugin in namespace
 *                                            # shop whose name matches (fnmatch patterns)
 *     endpoints: [{name: web-0, address: 10.1.32.7}]   # and/or endpoints named outright
 *     ports: [{name: http, containerPort: 8000, protocol: TCP}]
 *     aliases: [web.example.com]
 *
 * Without Kubernetes there are no pod labels, so the selector matches pod names (as the
 * runtime gave them in K8S_POD_NAME). The directory is read again within a second of a
 * change; a file with errors is skipped with one log line naming the file and field.
 *
 * ServiceExportConfig "<svc>-<ns>-<slice>-<cluster>" in the project namespace, labelled
 * worker-cluster=<cluster> (so that sliced's watch sees its own), spec as KubeSlice's
 * (serviceName, serviceNamespace, sourceCluster, sliceName, serviceDiscoveryEndpoints,
 * serviceDiscoveryPorts, aliases) and status {exportStatus: READY | PENDING,
 * availableEndpoints, dnsName}, annotated with the node that made it. Exports removed from
 * the directory are deleted, by the node that made them: each node of a cluster exports
 * the services of its own pods (the same service from two nodes is not merged).
 *
 * Beside each file, FILE.status (JSON) says what became of it, as KubeSlice's ServiceExport
 * status does: {file, name, namespace, slice, exportStatus: READY | PENDING | ERROR,
 * availableEndpoints, dnsName, endpoints[]{podName, cluster, nsmIp, dnsName, port}}, and
 * for ERROR (a file with errors, a slice not on this cluster) the message. `sliced -e`
 * shows them all.
 */
#ifndef SLICED_EXPORTS_H
#define SLICED_EXPORTS_H

#include <stdbool.h>
#include <stdio.h>
#include <cjson/cJSON.h>

#include "config.h"
#include "ipam.h"
#include "sync.h"

/* Not to flood the controller: the same request is not repeated sooner than this. */
#define EXPORTS_RESEND_MS	5000

struct exports;

struct exports *exports_new(const struct sliced_config *cfg, struct sync *sync);
void exports_free(struct exports *e);

/* exports_scan - read the directory again if anything in it changed; true if so. */
bool exports_scan(struct exports *e);

/*
 * exports_parse - one ServiceExport (a parsed file) into its normalized form
 * {name, namespace, slice, matchNames[], endpoints[]{name, address}, ports[]{name, port,
 * protocol}, aliases[]}; NULL with "FIELD: problem" in err.
 */
cJSON *exports_parse(const cJSON *doc, char *err, size_t errlen);

/*
 * exports_config - the ServiceExportConfig of a normalized export in cluster, with the
 * endpoints its selector finds among the pool's leases (pool may be NULL).
 */
cJSON *exports_config(const cJSON *exp, const char *cluster, const char *ns,
		      const struct ipam_pool *pool);

/* exports_reconcile - bring the controller's ServiceExportConfigs of ours to the files. */
void exports_reconcile(struct exports *e, struct ipam *ipam);

/* exports_services - a new array of import specs for the slice DNS: ours and imported. */
cJSON *exports_services(struct exports *e);

#define EXPORTS_STATUS_SUFFIX	".status"

/*
 * exports_status_write - status (file -> status object) into dir as FILE.status where it
 * differs from written (file -> text), whose files not in status are removed; written is
 * updated to what is on disk now.
 */
void exports_status_write(const char *dir, const cJSON *status, cJSON *written);

/* exports_status_print - the status files in dir as a table (or JSON); 0 or -1. */
int exports_status_print(const char *dir, bool json, FILE *out);

#endif /* SLICED_EXPORTS_H */
