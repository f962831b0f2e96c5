// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>

#include "cni/attach.h"
#include "cni/protocol.h"

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

static struct nl_addr *addr_of(const char *text, int len)
{
	char buf[64];
	struct nl_addr *a = NULL;

	snprintf(buf, sizeof(buf), "%s/%d", text, len);
	return nl_addr_parse(buf, AF_INET, &a) ? NULL : a;
}

static struct nl_addr *prefix_of(const char *cidr)
{
	struct nl_addr *a = NULL;

	return nl_addr_parse(cidr, AF_INET, &a) ? NULL : a;
}

static int link_index(struct nl_sock *sk, const char *name, struct rtnl_link **out)
{
	struct rtnl_link *link = NULL;
	int ifindex;

	if (rtnl_link_get_kernel(sk, 0, name, &link))
		return 0;
	ifindex = rtnl_link_get_ifindex(link);
	if (out)
		*out = link;
	else
		rtnl_link_put(link);
	return ifindex;
}

static int link_up(struct nl_sock *sk, int ifindex)
{
	struct rtnl_link *cur = NULL, *want = rtnl_link_alloc();
	int ret = -NLE_NOMEM;

	if (want && !(ret = rtnl_link_get_kernel(sk, ifindex, NULL, &cur))) {
		rtnl_link_set_flags(want, IFF_UP);
		ret = rtnl_link_change(sk, cur, want, 0);
	}
	rtnl_link_put(cur);
	rtnl_link_put(want);
	return ret;
}

static int addr_add(struct nl_sock *sk, int ifindex, const char *ip)
{
	struct rtnl_addr *a = rtnl_addr_alloc();
	struct nl_addr *local = addr_of(ip, 32);
	int ret = -NLE_NOMEM;

	if (a && local) {
		rtnl_addr_set_ifindex(a, ifindex);
		rtnl_addr_set_local(a, local);
		ret = rtnl_addr_add(sk, a, NLM_F_REPLACE);
	}
	nl_addr_put(local);
	rtnl_addr_put(a);
	return ret;
}

/* A route to dst over ifindex, through gw or (gw NULL) on the link. */
static int route_add(struct nl_sock *sk, struct nl_addr *dst, int ifindex, const char *gw)
{
	struct rtnl_route *r = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *via = gw ? addr_of(gw, 32) : NULL;
	int ret = -NLE_NOMEM;

	if (!r || !nh || !dst || (gw && !via)) {
		rtnl_route_nh_free(nh);
		goto out;
	}
	rtnl_route_set_family(r, AF_INET);
	rtnl_route_set_dst(r, dst);
	rtnl_route_set_table(r, RT_TABLE_MAIN);
	rtnl_route_set_protocol(r, RTPROT_STATIC);
	rtnl_route_set_scope(r, gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
	rtnl_route_nh_set_ifindex(nh, ifindex);
	if (via)
		rtnl_route_nh_set_gateway(nh, via);
	rtnl_route_add_nexthop(r, nh);
	ret = rtnl_route_add(sk, r, NLM_F_CREATE | NLM_F_REPLACE);
out:
	nl_addr_put(via);
	rtnl_route_put(r);
	return ret;
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
	struct nl_addr *gw = addr_of(lease->gateway, 32), *slice = prefix_of(lease->slice_subnet);
	struct rtnl_link *link = NULL;
	struct nl_sock *sk = NULL;
	int back, ifindex, ret = -1;

	if (netns_enter(req->netns, &back, err))
		goto out;
	sk = rtnl_open(err);
	if (!sk)
		goto leave;
	ifindex = link_index(sk, req->ifname, &link);
	if (!ifindex) {
		cni_fail(err, CNI_ERR_IO, NULL, "%s did not arrive in the pod", req->ifname);
		goto leave;
	}
	mac_of(link, pod->mac);
	snprintf(pod->name, sizeof(pod->name), "%s", req->ifname);
	pod->sandbox = req->netns;
	if ((ret = link_up(sk, link_index(sk, "lo", NULL))) ||
	    (ret = addr_add(sk, ifindex, lease->address)) ||
	    (ret = link_up(sk, ifindex)) ||
	    (ret = route_add(sk, gw, ifindex, NULL)) ||
	    (ret = route_add(sk, slice, ifindex, lease->gateway))) {
		cni_fail(err, CNI_ERR_IO, nl_geterror(ret), "cannot set up %s in the pod",
			 req->ifname);
		ret = -1;
	}
leave:
	netns_leave(back);
out:
	rtnl_link_put(link);
	nl_socket_free(sk);
	nl_addr_put(gw);
	nl_addr_put(slice);
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
	struct nl_addr *pod = addr_of(lease->address, 32), *slice = prefix_of(lease->slice_subnet);
	struct rtnl_link *link = NULL;
	int ifindex = link_index(sk, host, &link), ret;

	if (!ifindex) {
		ret = cni_fail(err, CNI_ERR_IO, NULL, "%s vanished", host);
		goto out;
	}
	mac_of(link, out->mac);
	snprintf(out->name, sizeof(out->name), "%s", host);
	out->sandbox = NULL;
	ret = addr_add(sk, ifindex, lease->gateway);
	if (!ret)
		ret = link_up(sk, ifindex);
	if (!ret)
		ret = route_add(sk, pod, ifindex, NULL);
	if (!ret)
		ret = route_add(sk, slice, slice_ifindex, NULL);
	if (ret)
		ret = cni_fail(err, CNI_ERR_IO, nl_geterror(ret),
			       "cannot set up %s on the node", host);
	else
		ret = forwarding_on(err);
out:
	rtnl_link_put(link);
	nl_addr_put(pod);
	nl_addr_put(slice);
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
	cni_host_ifname(req->container_id, req->ifname, host_name);
	slice_ifindex = link_index(sk, lease->device, &dev);
	if (!slice_ifindex) {
		cni_fail(err, CNI_ERR_TRY_LATER, lease->device,
			 "the slice's device is not on this node yet");
		goto out;
	}
	/* A retried ADD finds the pair of the attempt before: start over. */
	if (link_index(sk, host_name, NULL) && attach_del(req, err))
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
	cni_host_ifname(req->container_id, req->ifname, host_name);
	if (link_index(sk, host_name, &link)) {
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

/* Whether the main table routes dst over ifindex. */
static bool route_present(struct nl_sock *sk, struct nl_addr *dst, int ifindex)
{
	struct nl_cache *cache = NULL;
	struct nl_object *o;
	struct rtnl_route *r;
	struct rtnl_nexthop *nh;
	bool found = false;

	if (!dst || rtnl_route_alloc_cache(sk, AF_INET, 0, &cache))
		return false;
	for (o = nl_cache_get_first(cache); o && !found; o = nl_cache_get_next(o)) {
		r = (struct rtnl_route *)o;
		nh = rtnl_route_nexthop_n(r, 0);
		found = rtnl_route_get_table(r) == RT_TABLE_MAIN &&
			!nl_addr_cmp(rtnl_route_get_dst(r), dst) && nh &&
			rtnl_route_nh_get_ifindex(nh) == ifindex;
	}
	nl_cache_free(cache);
	return found;
}

static bool addr_present(struct nl_sock *sk, int ifindex, const char *ip)
{
	struct nl_addr *want = addr_of(ip, 32);
	struct nl_cache *cache = NULL;
	struct nl_object *o;
	bool found = false;

	if (!want || rtnl_addr_alloc_cache(sk, &cache)) {
		nl_addr_put(want);
		return false;
	}
	for (o = nl_cache_get_first(cache); o && !found; o = nl_cache_get_next(o))
		found = rtnl_addr_get_ifindex((struct rtnl_addr *)o) == ifindex &&
			!nl_addr_cmp(rtnl_addr_get_local((struct rtnl_addr *)o), want);
	nl_cache_free(cache);
	nl_addr_put(want);
	return found;
}

/* The pieces of one side: the link up, its address, its routes. */
static int side_check(struct nl_sock *sk, const char *where, const char *ifname,
		      const char *addr, struct nl_addr *route1, struct nl_addr *route2,
		      struct cni_error *err)
{
	struct rtnl_link *link = NULL;
	int ifindex = link_index(sk, ifname, &link);
	bool up = link && (rtnl_link_get_flags(link) & IFF_UP);

	rtnl_link_put(link);
	if (!ifindex)
		return cni_fail(err, CNI_ERR_NOT_ATTACHED, NULL, "%s: %s is missing", where, ifname);
	if (!up)
		return cni_fail(err, CNI_ERR_NOT_ATTACHED, NULL, "%s: %s is down", where, ifname);
	if (!addr_present(sk, ifindex, addr))
		return cni_fail(err, CNI_ERR_NOT_ATTACHED, NULL, "%s: %s lacks address %s", where,
				ifname, addr);
	if (!route_present(sk, route1, ifindex) || (route2 && !route_present(sk, route2, ifindex)))
		return cni_fail(err, CNI_ERR_NOT_ATTACHED, NULL, "%s: a route over %s is missing",
				where, ifname);
	return 0;
}

int attach_check(const struct cni_request *req, const struct cni_lease *lease,
		 struct cni_error *err)
{
	struct nl_addr *pod = addr_of(lease->address, 32), *gw = addr_of(lease->gateway, 32);
	struct nl_addr *slice = prefix_of(lease->slice_subnet);
	char host_name[IF_NAMESIZE];
	struct nl_sock *sk = rtnl_open(err);
	int back, ret = -1;

	if (!sk)
		goto out;
	cni_host_ifname(req->container_id, req->ifname, host_name);
	if (side_check(sk, "node", host_name, lease->gateway, pod, NULL, err))
		goto out;
	if (!route_present(sk, slice, link_index(sk, lease->device, NULL))) {
		cni_fail(err, CNI_ERR_NOT_ATTACHED, NULL, "node: no route to %s over %s",
			 lease->slice_subnet, lease->device);
		goto out;
	}
	nl_socket_free(sk);
	sk = NULL;
	if (netns_enter(req->netns, &back, err))
		goto out;
	sk = rtnl_open(err);
	ret = sk ? side_check(sk, "pod", req->ifname, lease->address, gw, slice, err) : -1;
	netns_leave(back);
out:
	nl_socket_free(sk);
	nl_addr_put(pod);
	nl_addr_put(gw);
	nl_addr_put(slice);
	return ret;
}
