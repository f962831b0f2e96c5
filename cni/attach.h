/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A pod's network namespace on the slice, made with rtnetlink (libnl-route):
 *
 *   pod netns:  <ifname>  address/32, route gateway/32 scope link,
 *                         route sliceSubnet via gateway
 *   node:       sl<hash>  gateway/32 (the pods' next hop; also where sliced's DNS
 *                         answers), route address/32 scope link;
 *               route sliceSubnet dev slice-<slice> (the slice router takes it from there),
 *               IPv4 forwarding on
 *
 * The veth's MTU is the slice device's, so that pods never send what the tunnel must drop.
 */
#ifndef CNI_ATTACH_H
#define CNI_ATTACH_H

#include "cni/netconf.h"

/* attach_add - make the attachment; on failure nothing of it is left. */
int attach_add(const struct cni_request *req, const struct cni_lease *lease,
	       struct cni_iface *host, struct cni_iface *pod, struct cni_error *err);

/* attach_del - remove the node side (which takes the pod side with it); 0 when absent. */
int attach_del(const struct cni_request *req, struct cni_error *err);

/* attach_check - whether everything attach_add made is still there. */
int attach_check(const struct cni_request *req, const struct cni_lease *lease,
		 struct cni_error *err);

#endif /* CNI_ATTACH_H */
