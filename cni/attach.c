// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>

#include "api/kubeslice.h"
#include "cni/attach.h"
#include "cni/protocol.h"
#include "lib/rtnl/rtnl.h"

/* A connected rtnetlink socket of the calling thread's current network namespace. */
static struct nl_sock *rtnl_open(struct cni_error *err)
{
	struct nl_sock *sk = nl_socket_alloc();

	if (!sk || nl_connect(sk, NETLINK_ROUTE)) {
		nl_socket_free(sk);
		cni_fail(err, CNI_ERR_IO, NULL, "cannot open rtnetlink");
		return NULL;
	}
	return sk;
}

/* Enter the namespace at path; *back gets a handle on the one we were in. */
static int netns_enter(const char *path, int *back, struct cni_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*back = -1;
	if (fd < 0)
		return cni_fail(err, CNI_ERR_UNKNOWN_CONTAINER, path,
				"cannot open the pod's network namespace: %s", strerror(errno));
	*back = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (*back < 0 || setns(fd, CLONE_NEWNET)) {
		cni_fail(err, CNI_ERR_IO, path, "cannot enter the pod's network namespace: %s",
			 strerror(errno));
		close(fd);
		if (*back >= 0)
			close(*back);
		*back = -1;
		return -1;
	}
	close(fd);
	return 0;
}

static void netns_leave(int back)
{
	/* Failing to get back would leave us configuring the wrong namespace: stop there. */
	if (setns(back, CLONE_NEWNET)) {
		perror("slice-cni: cannot return to the node's network namespace");
		_exit(CNI_ERR_IO);
	}
	close(back);
}

static void mac_of(struct rtnl_link *link, char mac[18])
{
	struct nl_addr *a = rtnl_link_get_addr(link);

	if (a)
		nl_addr2str(a, mac, 18);
	else
		*mac = '\0';
}

/* The veth pair, its pod end already inside the pod and named as CNI_IFNAME. */
static int veth_create(struct nl_sock *sk, const struct cni_request *req, const char *host,
		       unsigned int mtu, struct cni_error *err)
{
	struct rtnl_link *veth = rtnl_link_veth_alloc(), *peer;
	int fd = open(req->netns, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0) {
		rtnl_link_put(veth);
		return cni_fail(err, CNI_ERR_UNKNOWN_CONTAINER, req->netns,
				"cannot open the pod's network namespace: %s", strerror(errno));
	}
	if (!veth) {
		close(fd);
		return cni_fail(err, CNI_ERR_IO, NULL, "out of memory");
	}
	peer = rtnl_link_veth_get_peer(veth);
	rtnl_link_set_name(veth, host);
	rtnl_link_set_mtu(veth, mtu);
	rtnl_link_set_name(peer, req->ifname);
	rtnl_link_set_mtu(peer, mtu);
	rtnl_link_set_ns_fd(peer, fd);
	ret = rtnl_link_add(sk, veth, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(peer);
	rtnl_link_veth_release(veth);
	close(fd);
	if (ret)
		return cni_fail(err, CNI_ERR_IO, nl_geterror(ret),
				"cannot create the veth pair %s/%s (is %s taken in the pod?)", host,
				req->ifname, req->ifname);
	return 0;
}

/* Inside the pod: the address, the link up, the routes to the slice. */
static int pod_side(const struct cni_request *req, const struct cni_lease *lease,
		    struct cni_iface *pod, struct cni_error *err)
{
	struct rtnl_link *link = NULL;
	struct nl_sock *sk = NULL;
	int back, ifindex, ret = -1;

	if (netns_enter(req->netns, &back, err))
		goto out;
	sk = rtnl_open(err);
	if (!sk)
		goto leave;
	ifindex = slicertnl_link_index(sk, req->ifname, &link);
	if (!ifindex) {
		cni_fail(err, CNI_ERR_IO, NULL, "%s did not arrive in the pod", req->ifname);
		goto leave;
	}
	mac_of(link, pod->mac);
	snprintf(pod->name, sizeof(pod->name), "%s", req->ifname);
	pod->sandbox = req->netns;
	if ((ret = slicertnl_link_up(sk, slicertnl_link_index(sk, "lo", NULL))) ||
	    (ret = slicertnl_addr_add(sk, ifindex, lease->address)) ||
	    (ret = slicertnl_link_up(sk, ifindex)) ||
	    (ret = slicertnl_route_add(sk, lease->gateway, ifindex, NULL)) ||
	    (ret = slicertnl_route_add(sk, lease->slice_subnet, ifindex, lease->gateway))) {
		cni_fail(err, CNI_ERR_IO, nl_geterror(ret), "cannot set up %s in the pod",
			 req->ifname);
		ret = -1;
	}
leave:
	netns_leave(back);
out:
	rtnl_link_put(link);
	nl_socket_free(sk);
	return ret;
}

static int forwarding_on(struct cni_error *err)
{
	int fd = open("/proc/sys/net/ipv4/ip_forward", O_RDWR | O_CLOEXEC);
	char cur = '0';

	if (fd < 0 || read(fd, &cur, 1) != 1 || (cur != '1' && pwrite(fd, "1", 1, 0) != 1)) {
		cni_fail(err, CNI_ERR_IO, strerror(errno), "cannot turn IPv4 forwarding on");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* On the node: the gateway address and the route to the pod, the slice subnet route. */
static int node_side(struct nl_sock *sk, const struct cni_lease *lease, const char *host,
		     int slice_ifindex, struct cni_iface *out, struct cni_error *err)
{
	struct rtnl_link *link = NULL;
	int ifindex = slicertnl_link_index(sk, host, &link), ret;

	if (!ifindex) {
		ret = cni_fail(err, CNI_ERR_IO, NULL, "%s vanished", host);
		goto out;
	}
	mac_of(link, out->mac);
	snprintf(out->name, sizeof(out->name), "%s", host);
	out->sandbox = NULL;
	ret = slicertnl_addr_add(sk, ifindex, lease->gateway);
	if (!ret)
		ret = slicertnl_link_up(sk, ifindex);
	if (!ret)
		ret = slicertnl_route_add(sk, lease->address, ifindex, NULL);
	if (!ret)
		ret = slicertnl_route_add(sk, lease->slice_subnet, slice_ifindex, NULL);
	if (ret)
		ret = cni_fail(err, CNI_ERR_IO, nl_geterror(ret),
			       "cannot set up %s on the node", host);
	else
		ret = forwarding_on(err);
out:
	rtnl_link_put(link);
	return ret;
}

int attach_add(const struct cni_request *req, const struct cni_lease *lease,
	       struct cni_iface *host, struct cni_iface *pod, struct cni_error *err)
{
	struct rtnl_link *dev = NULL;
	struct nl_sock *sk = rtnl_open(err);
	char host_name[IF_NAMESIZE];
	int slice_ifindex, ret = -1;

	if (!sk)
		return -1;
	ks_pod_host_ifname(req->container_id, req->ifname, host_name);
	slice_ifindex = slicertnl_link_index(sk, lease->device, &dev);
	if (!slice_ifindex) {
		cni_fail(err, CNI_ERR_TRY_LATER, lease->device,
			 "the slice's device is not on this node yet");
		goto out;
	}
	/* A retried ADD finds the pair of the attempt before: start over. */
	if (slicertnl_link_index(sk, host_name, NULL) && attach_del(req, err))
		goto out;
	if (veth_create(sk, req, host_name, rtnl_link_get_mtu(dev), err))
		goto out;
	if (pod_side(req, lease, pod, err) ||
	    node_side(sk, lease, host_name, slice_ifindex, host, err))
		goto del_veth;
	ret = 0;
	goto out;
del_veth:
	attach_del(req, &(struct cni_error){ 0 });
out:
	rtnl_link_put(dev);
	nl_socket_free(sk);
	return ret;
}

int attach_del(const struct cni_request *req, struct cni_error *err)
{
	struct nl_sock *sk = rtnl_open(err);
	struct rtnl_link *link = NULL;
	char host_name[IF_NAMESIZE];
	int ret = 0;

	if (!sk)
		return -1;
	ks_pod_host_ifname(req->container_id, req->ifname, host_name);
	if (slicertnl_link_index(sk, host_name, &link)) {
		ret = rtnl_link_delete(sk, link);
		if (ret && ret != -NLE_OBJ_NOTFOUND && ret != -NLE_NODEV)
			ret = cni_fail(err, CNI_ERR_IO, nl_geterror(ret), "cannot delete %s",
				       host_name);
		else
			ret = 0;
	}
	rtnl_link_put(link);
	nl_socket_free(sk);
	return ret;
}

/* The pieces of one side: the link up, its address, its routes. */
static int side_check(struct nl_sock *sk, const char *where, const char *ifname,
		      const char *addr, const char *route1, const char *route2,
		      struct cni_error *err)
{
	struct rtnl_link *link = NULL;
	int ifindex = slicertnl_link_index(sk, ifname, &link);
	bool up = link && (rtnl_link_get_flags(link) & IFF_UP);

	rtnl_link_put(link);
	if (!ifindex)
		return cni_fail(err, CNI_ERR_NOT_ATTACHED, NULL, "%s: %s is missing", where, ifname);
	if (!up)
		return cni_fail(err, CNI_ERR_NOT_ATTACHED, NULL, "%s: %s is down", where, ifname);
	if (!slicertnl_addr_present(sk, ifindex, addr))
		return cni_fail(err, CNI_ERR_NOT_ATTACHED, NULL, "%s: %s lacks address %s", where,
				ifname, addr);
	if (!slicertnl_route_present(sk, route1, ifindex) ||
	    (route2 && !slicertnl_route_present(sk, route2, ifindex)))
		return cni_fail(err, CNI_ERR_NOT_ATTACHED, NULL, "%s: a route over %s is missing",
				where, ifname);
	return 0;
}

int attach_check(const struct cni_request *req, const struct cni_lease *lease,
		 struct cni_error *err)
{
	char host_name[IF_NAMESIZE];
	struct nl_sock *sk = rtnl_open(err);
	int back, ret = -1;

	if (!sk)
		goto out;
	ks_pod_host_ifname(req->container_id, req->ifname, host_name);
	if (side_check(sk, "node", host_name, lease->gateway, lease->address, NULL, err))
		goto out;
	if (!slicertnl_route_present(sk, lease->slice_subnet,
				     slicertnl_link_index(sk, lease->device, NULL))) {
		cni_fail(err, CNI_ERR_NOT_ATTACHED, NULL, "node: no route to %s over %s",
			 lease->slice_subnet, lease->device);
		goto out;
	}
	nl_socket_free(sk);
	sk = NULL;
	if (netns_enter(req->netns, &back, err))
		goto out;
	sk = rtnl_open(err);
	ret = sk ? side_check(sk, "pod", req->ifname, lease->address, lease->gateway,
				 lease->slice_subnet, err) : -1;
	netns_leave(back);
out:
	nl_socket_free(sk);
	return ret;
}
