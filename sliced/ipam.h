/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pod addresses on the slice: each slice's pool is this cluster's block of the slice
 * subnet (WorkerSliceConfig clusterSubnetCIDR). The block's first host address is the
 * node side of every pod's veth, the pods' gateway and the slice DNS address; pods get
 * the others, one per container and interface, never twice.
 *
 * Every change is written to <stateDir>/ipam/<slice>.json (written aside and renamed, so a
 * crash leaves the old or the new file, never half of one) before it is answered, so
 * leases survive restarts of sliced. A lease outside a changed cluster subnet is dropped
 * with a log line.
 *
 * The pools are served to the CNI plugin over a unix socket (cni/protocol.h).
 */
#ifndef SLICED_IPAM_H
#define SLICED_IPAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <sys/socket.h>
#include <cjson/cJSON.h>

#include "api/kubeslice.h"
#include "api/subnet.h"

#define IPAM_CONTAINER_ID_MAX	255
#define IPAM_POD_NS_MAX		63

/**
 * struct ipam_lease - one pod interface's address
 * @addr: host byte order
 * @container_id: CNI_CONTAINERID
 * @ifname: CNI_IFNAME, the interface inside the pod
 * @pod_ns: the pod's namespace (K8S_POD_NAMESPACE), "" when not given
 * @pod_name: the pod's name (K8S_POD_NAME), "" when not given
 */
struct ipam_lease {
	uint32_t addr;
	char container_id[IPAM_CONTAINER_ID_MAX + 1];
	char ifname[IF_NAMESIZE];
	char pod_ns[IPAM_POD_NS_MAX + 1];
	char pod_name[KS_NAME_MAX + 1];
};

/**
 * struct ipam_pool - the leases of one slice on this node
 * @slice: slice name
 * @subnet: this cluster's block of the slice subnet
 * @path: the state file
 * @leases: @count leases, in no order
 * @next: where the next search for a free address starts, so that a released address is
 *	  not handed out again at once (a stale peer may still be talking to it)
 */
struct ipam_pool {
	char slice[KS_NAME_MAX + 1];
	struct ks_prefix subnet;
	char *path;
	struct ipam_lease *leases;
	size_t count, cap;
	uint32_t next;
};

/* The first host address of subnet: the pods' gateway. */
uint32_t ipam_gateway(const struct ks_prefix *subnet);

/*
 * ipam_pool_open - the pool of slice with subnet, with the leases of its state file in
 * dir (created when missing). Returns 0, or -errno with the reason in err.
 */
int ipam_pool_open(struct ipam_pool *p, const char *dir, const char *slice,
		   const struct ks_prefix *subnet, char *err, size_t errlen);
void ipam_pool_close(struct ipam_pool *p);

/*
 * ipam_pool_alloc - the lease of container_id/ifname: the one it has, or a new address.
 * The lease is on disk when this returns 0; -ENOSPC when the subnet is full, -errno when
 * the state file cannot be written (nothing changed then).
 */
int ipam_pool_alloc(struct ipam_pool *p, const char *container_id, const char *ifname,
		    const char *pod_ns, const char *pod_name, const struct ipam_lease **out);

/* ipam_pool_release - drop the lease of container_id/ifname; 0 also when there was none. */
int ipam_pool_release(struct ipam_pool *p, const char *container_id, const char *ifname);

const struct ipam_lease *ipam_pool_find(const struct ipam_pool *p, const char *container_id,
					const char *ifname);

struct ipam;

/*
 * ipam_new - the pools and the CNI socket at socket_path (a stale socket file is
 * replaced). dns_addr: the DNS server address the pods are given; AF_UNSPEC gives each
 * slice's gateway address. NULL with the reason in err.
 */
struct ipam *ipam_new(const char *state_dir, const char *socket_path,
		      const struct sockaddr_storage *dns_addr, char *err, size_t errlen);
void ipam_free(struct ipam *m);

/*
 * ipam_update - the pools of the slices in a WorkerSliceConfig cache (name -> object);
 * pools of slices gone are closed (their files stay for when the slice comes back).
 */
void ipam_update(struct ipam *m, const cJSON *slices);

/* The pool of slice, or NULL when this cluster has no such slice. */
struct ipam_pool *ipam_pool_of(struct ipam *m, const char *slice);

/* ipam_pool_next - the pool after prev (the first one when NULL), NULL after the last. */
struct ipam_pool *ipam_pool_next(struct ipam *m, const struct ipam_pool *prev);

/* ipam_handle - the reply to one CNI request (see cni/protocol.h); never NULL. */
cJSON *ipam_handle(struct ipam *m, const cJSON *req);

/* The listening socket, and answering one connection when it is readable. */
int ipam_fd(const struct ipam *m);
void ipam_serve(struct ipam *m);

/* True (and cleared) when a lease came or went since the last call. */
bool ipam_take_changed(struct ipam *m);

#endif /* SLICED_IPAM_H */
