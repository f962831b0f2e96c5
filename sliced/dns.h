/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The slice DNS: names under slice.local for the services exported on the slice, served
 * by sliced on every node over UDP and TCP. Packets are parsed and built with ldns.
 *
 *   <svc>.<ns>.svc.slice.local                     A / AAAA of every endpoint of every
 *                                                  exporting cluster
 *   _<port>._<proto>.<svc>.<ns>.svc.slice.local    SRV per named port, one per endpoint
 *   <pod>.<cluster>.<svc>.<ns>.svc.slice.local     A / AAAA of that endpoint
 *   each alias of the service                      as the service name
 *
 * Anything else under slice.local is NXDOMAIN; other names go to the upstream server when
 * one is set, else REFUSED. Answers live DNS_TTL seconds, so a name whose export went
 * away is gone from caches within seconds too.
 *
 * The services are given as KubeSlice import specs (WorkerServiceImport spec: serviceName,
 * serviceNamespace, sliceName, serviceDiscoveryEndpoints[]{podName, cluster, nsmIp},
 * serviceDiscoveryPorts[]{name, port, protocol}, aliases[]): the imports from the other
 * clusters and this cluster's own exports alike.
 *
 * Where it listens: dnsAddress when set (all slices' names), else each slice's gateway
 * address (ipam_gateway()), port 53, answering that slice's names only. Sockets are bound
 * with IP_FREEBIND: the gateway address appears on the node with the first pod.
 */
#ifndef SLICED_DNS_H
#define SLICED_DNS_H

#include <stdbool.h>
#include <sys/socket.h>
#include <curl/curl.h>
#include <cjson/cJSON.h>
#include <ldns/ldns.h>

#define DNS_TTL			5
#define DNS_ZONE		"slice.local."

struct dns;

/*
 * dns_new - addr: one address for every slice, or AF_UNSPEC for one listener per slice;
 * upstream: where other names go, AF_UNSPEC to refuse them. NULL with the reason in err.
 */
struct dns *dns_new(const struct sockaddr_storage *addr,
		    const struct sockaddr_storage *upstream, char *err, size_t errlen);
void dns_free(struct dns *d);

/*
 * dns_update - the slices (WorkerSliceConfig cache: where to listen) and the services
 * (an array of import specs, copied).
 */
void dns_update(struct dns *d, const cJSON *slices, const cJSON *services);

unsigned int dns_fds(struct dns *d, struct curl_waitfd *fds, unsigned int max);
void dns_run(struct dns *d, const struct curl_waitfd *fds, unsigned int count);

/*
 * dns_resolve - the answer to query from services, restricted to slice unless NULL.
 * Returns the answer, or NULL when the name is not under slice.local and is no alias
 * (forward it or refuse it).
 */
ldns_pkt *dns_resolve(const cJSON *services, const char *slice, const ldns_pkt *query);

/* An answer's header and question, from the query q; NULL when out of memory. */
ldns_pkt *dns_reply_new(const ldns_pkt *q, ldns_pkt_rcode rcode);

#endif /* SLICED_DNS_H */
