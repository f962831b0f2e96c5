/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sliced's configuration: the node settings in sliced.yaml and, named from there, a
 * kubeconfig for the controller (the same file works with kubectl):
 *
 *   kubeconfig: /etc/sliced/kubeconfig   # relative paths are relative to this file
 *   cluster: cluster-1                   # this worker cluster's name on the controller
 *   project: demo                        # watches namespace kubeslice-demo
 *   uplink: eth0                         # interface towards the other clusters' gateways
 *   uplinkKbps: 1000000                  # optional: its capacity, for the slices' HTB classes
 *   gatewayAddress: 192.0.2.10           # address the other gateways reach this node at;
 *                                        # dual-stack: [192.0.2.10, "2001:db8::10"]
 *   rekeyMinutes: 60                     # optional, 1..10080, default 60
 *   metricsAddress: 127.0.0.1:9469       # optional: Prometheus /metrics
 *   stateDir: /var/lib/sliced            # optional: pod address leases
 *   exportsDir: /etc/sliced/exports      # optional: ServiceExport files
 *   cniSocket: /run/sliced/cni.sock      # optional: where the CNI plugin asks for addresses
 *   dnsAddress: 10.1.0.1:53              # optional: default each slice's gateway address, 53
 *   dnsUpstream: 192.0.2.53:53           # optional: other names forwarded; default REFUSED
 *
 * The UDP port of each slice is not a node setting: the controller assigns one per slice
 * and cluster (WorkerSliceGateway localGatewayConfig.nodePorts), so that the other
 * clusters' gateways know it.
 */
#ifndef SLICED_CONFIG_H
#define SLICED_CONFIG_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "api/gateways.h"

#define SLICED_REKEY_MINUTES_DEFAULT	60
#define SLICED_REKEY_MINUTES_MAX	(7 * 24 * 60)
/* Worker nodes of a cluster: the node blocks the gateway nodes leave (api/gateways.h). */
#define SLICED_WORKER_NODES_MAX		(KS_GATEWAY_NODE_BLOCKS - KS_GATEWAY_PAIRS_MAX)
/* What a u32 of kbit/s holds, as the QoS profiles' own figures. */
#define SLICED_UPLINK_KBPS_MAX		4294967295UL

struct sliced_config {
	/* From the kubeconfig's current context. */
	char *server;			/* controller base URL, no trailing slash */
	char *ca_file;			/* CA bundle for server, or NULL */
	char *ca_pem;			/* the same given inline (certificate-authority-data) */
	char *token;			/* bearer token of this cluster */

	char *cluster;
	char *project;
	char *ns;			/* "kubeslice-<project>" */
	char uplink[IFNAMSIZ];
	uint32_t uplink_kbps;		/* uplinkKbps; 0: not given, no HTB on the uplink */
	struct sockaddr_storage gateway_addr;	/* port 0; the one reported as the node's */
	struct sockaddr_storage gateway_addr2;	/* a dual-stack node's other family, or AF_UNSPEC */
	char gateway_ip[INET6_ADDRSTRLEN];	/* gateway_addr as text */
	unsigned int rekey_minutes;
	struct sockaddr_storage metrics_addr;	/* ss_family AF_UNSPEC: no endpoint */
	/* workerNodes: the cluster's nodes that are not gateway nodes, the same list on every
	 * node of the cluster; each reaches the slice through the gateway nodes. */
	char worker_nodes[SLICED_WORKER_NODES_MAX][INET_ADDRSTRLEN];
	unsigned int num_worker_nodes;

	/* Pods and services (docs/services.md). */
	char *state_dir;			/* stateDir: pod address leases */
	char *exports_dir;			/* exportsDir: ServiceExport files */
	char *cni_socket;			/* cniSocket: the CNI plugin's socket */
	struct sockaddr_storage dns_addr;	/* dnsAddress; AF_UNSPEC: each slice's gateway :53 */
	struct sockaddr_storage dns_upstream;	/* dnsUpstream; AF_UNSPEC: REFUSED */
};

/*
 * config_load - read sliced.yaml at path and the kubeconfig it names.
 *
 * Every setting is checked, unknown ones included (a misspelt setting is an error, not a
 * silent default). Returns 0, or -1 with "FILE: SETTING: problem" in err.
 */
int config_load(struct sliced_config *cfg, const char *path, char *err, size_t errlen);

void config_free(struct sliced_config *cfg);

/* Whether the node has a gateway address of family (AF_INET or AF_INET6). */
bool config_has_family(const struct sliced_config *cfg, int family);

/* parse_sockaddr - "ADDR" or "ADDR:PORT" / "[V6]:PORT" into ss; 0 or -1. */
int parse_sockaddr(const char *text, int want_port, struct sockaddr_storage *ss);

#endif /* SLICED_CONFIG_H */
