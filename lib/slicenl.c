// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * slicenl: client of the "slice" generic-netlink family over libnl-genl-3.
 *
 * Every request goes out with NLM_F_ACK and is read until its ACK, error or NLMSG_DONE, so
 * that a caller always learns how the kernel answered; replies are parsed into the typed
 * structures of slicenl.h by slicenl-codec.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

#include "slicenl.h"
#include "slicenl-codec.h"
#include "slicenl-gen.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* A dump that keeps being interrupted by changes is given up after this many tries. */
#define SLICENL_DUMP_TRIES	5

struct slicenl {
	struct nl_sock *sock;
	int family;
	char extack[256];
};

/* One request in flight: how its replies are parsed and how it ended. */
struct slicenl_reply {
	struct slicenl *nl;
	int status;		/* 1 while waiting, then 0 or a negative errno */
	bool interrupted;	/* a dump saw NLM_F_DUMP_INTR */
	int (*parse)(struct nlattr **tb, void *arg);
	void *arg;
};

/* Grows as dump replies arrive. */
struct slicenl_array {
	void *items;
	size_t count;
	size_t capacity;
	size_t size;
};

/* libnl reports its own failures as NLE_* codes; callers of slicenl only see errnos. */
static int slicenl_errno(int nlerr)
{
	switch (-nlerr) {
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_MSGSIZE:
		return -EMSGSIZE;
	case NLE_PERM:
		return -EPERM;
	case NLE_NOACCESS:
		return -EACCES;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_INTR:
		return -EINTR;
	case NLE_NOADDR:
		return -EADDRNOTAVAIL;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_NODEV:
		return -ENODEV;
	case NLE_INVAL:
		return -EINVAL;
	case NLE_RANGE:
		return -ERANGE;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_EXIST:
		return -EEXIST;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_PROTO_MISMATCH:
		return -EPROTONOSUPPORT;
	}
	return -EIO;
}

static void *slicenl_array_add(struct slicenl_array *array)
{
	void *item;

	if (array->count == array->capacity) {
		size_t capacity = array->capacity ? array->capacity * 2 : 8;
		void *items = reallocarray(array->items, capacity, array->size);

		if (!items)
			return NULL;
		array->items = items;
		array->capacity = capacity;
	}
	item = (char *)array->items + array->count++ * array->size;
	memset(item, 0, array->size);
	return item;
}

/*
 * The kernel's extended ack follows the echoed request (or only its header when capped);
 * the layout is that of netlink(7) under NETLINK_EXT_ACK.
 */
static void slicenl_read_extack(struct slicenl *nl, struct nlmsgerr *err)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)err - 1;
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t ack_len = sizeof(*nlh) + sizeof(*err);
	size_t len;
	int used;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		ack_len += err->msg.nlmsg_len - sizeof(*nlh);
	if (nlh->nlmsg_len <= ack_len)
		return;
	len = nlh->nlmsg_len - ack_len;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)nlh + ack_len), len, NULL))
		return;

	used = 0;
	if (tb[NLMSGERR_ATTR_MSG])
		used = snprintf(nl->extack, sizeof(nl->extack), "%.*s",
				(int)strnlen(nla_data(tb[NLMSGERR_ATTR_MSG]),
					     nla_len(tb[NLMSGERR_ATTR_MSG])),
				(char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
	if (tb[NLMSGERR_ATTR_MISS_TYPE] && used >= 0 && (size_t)used < sizeof(nl->extack))
		snprintf(nl->extack + used, sizeof(nl->extack) - used,
			 "%smissing attribute %u%s", used ? " (" : "",
			 nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]),
			 tb[NLMSGERR_ATTR_MISS_NEST] ? " in a nest" : "");
	if (used && tb[NLMSGERR_ATTR_MISS_TYPE])
		strncat(nl->extack, ")", sizeof(nl->extack) - strlen(nl->extack) - 1);
}

static int slicenl_error_cb(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	struct slicenl_reply *reply = arg;

	reply->status = err->error;
	slicenl_read_extack(reply->nl, err);
	return NL_STOP;
}

static int slicenl_finish_cb(struct nl_msg *msg, void *arg)
{
	struct slicenl_reply *reply = arg;

	reply->status = 0;
	return NL_STOP;
}

static int slicenl_interrupted_cb(struct nl_msg *msg, void *arg)
{
	struct slicenl_reply *reply = arg;

	reply->interrupted = true;
	return NL_OK;
}

static int slicenl_valid_cb(struct nl_msg *msg, void *arg)
{
	struct slicenl_reply *reply = arg;
	struct nlattr *tb[SLICE_A_MAX + 1];
	int err;

	if (!reply->parse)
		return NL_OK;
	err = genlmsg_parse(nlmsg_hdr(msg), 0, tb, SLICE_A_MAX, slicenl_policy);
	if (!err)
		err = reply->parse(tb, reply->arg);
	else
		err = -EBADMSG;
	/* Keep reading to the ACK, so the next request starts on an empty socket. */
	if (err && reply->status > 0)
		reply->status = err < 0 ? err : -EBADMSG;
	return NL_OK;
}

static struct nl_msg *slicenl_msg(struct slicenl *nl, uint8_t cmd, int flags, uint32_t ifindex)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags, cmd,
			 SLICE_GENL_VERSION) ||
	    (ifindex && nla_put_u32(msg, SLICE_A_IFINDEX, ifindex))) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/*
 * Sends @msg (and frees it), hands every reply to @parse and waits for the end: the ACK of
 * a "do", the NLMSG_DONE of a dump, or an error with its extended ack.
 */
static int slicenl_transact(struct slicenl *nl, struct nl_msg *msg, bool *interrupted,
			    int (*parse)(struct nlattr **tb, void *arg), void *arg)
{
	struct slicenl_reply reply = { .nl = nl, .status = 1, .parse = parse, .arg = arg };
	struct nl_cb *cb;
	int err;

	nl->extack[0] = '\0';
	cb = nl_cb_clone(nl_socket_get_cb(nl->sock));
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, slicenl_valid_cb, &reply);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, slicenl_finish_cb, &reply);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, slicenl_finish_cb, &reply);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, slicenl_interrupted_cb, &reply);
	nl_cb_err(cb, NL_CB_CUSTOM, slicenl_error_cb, &reply);

	err = nl_send_auto(nl->sock, msg);
	nlmsg_free(msg);
	if (err < 0) {
		reply.status = slicenl_errno(err);
		goto out;
	}
	while (reply.status > 0) {
		err = nl_recvmsgs(nl->sock, cb);
		if (err < 0 && reply.status > 0)
			reply.status = slicenl_errno(err);
	}
	if (interrupted)
		*interrupted = reply.interrupted;
out:
	nl_cb_put(cb);
	return reply.status;
}

static int slicenl_do(struct slicenl *nl, struct nl_msg *msg)
{
	return slicenl_transact(nl, msg, NULL, NULL, NULL);
}

static int slicenl_parse_one_peer(struct nlattr **tb, void *arg)
{
	return tb[SLICE_A_PEER] ? slicenl_parse_peer(tb[SLICE_A_PEER], arg) : -EBADMSG;
}

static int slicenl_collect_device(struct nlattr **tb, void *arg)
{
	struct slicenl_device *dev = slicenl_array_add(arg);

	return dev ? slicenl_parse_device(tb, dev) : -ENOMEM;
}

static int slicenl_collect_peer(struct nlattr **tb, void *arg)
{
	struct slicenl_peer *peer = slicenl_array_add(arg);

	return peer ? slicenl_parse_one_peer(tb, peer) : -ENOMEM;
}

static int slicenl_collect_route(struct nlattr **tb, void *arg)
{
	struct slicenl_route *route = slicenl_array_add(arg);

	if (!route)
		return -ENOMEM;
	return tb[SLICE_A_ROUTE] ? slicenl_parse_route(tb[SLICE_A_ROUTE], route) : -EBADMSG;
}

/*
 * Runs a dump into a fresh array; a dump that the kernel flagged as interrupted by a
 * concurrent change is thrown away and started again.
 */
static int slicenl_dump(struct slicenl *nl, uint8_t cmd, uint32_t ifindex,
			int (*collect)(struct nlattr **tb, void *arg), size_t size,
			void **items, size_t *count)
{
	struct slicenl_array array = { .size = size };
	bool interrupted = false;
	int tries, err = 0;

	for (tries = 0; tries < SLICENL_DUMP_TRIES; tries++) {
		struct nl_msg *msg = slicenl_msg(nl, cmd, NLM_F_DUMP, ifindex);

		if (!msg) {
			err = -ENOMEM;
			break;
		}
		array.count = 0;
		err = slicenl_transact(nl, msg, &interrupted, collect, &array);
		if (err || !interrupted)
			break;
	}
	if (!err && interrupted) {
		snprintf(nl->extack, sizeof(nl->extack),
			 "the configuration kept changing during the dump; try again");
		err = -EAGAIN;
	}
	if (err) {
		free(array.items);
		return err;
	}
	*items = array.items;
	*count = array.count;
	return 0;
}

static int slicenl_open_sock(struct slicenl **out)
{
	struct slicenl *nl;
	int one = 1;
	int err;

	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	nl->sock = nl_socket_alloc();
	if (!nl->sock) {
		err = -ENOMEM;
		goto err_free;
	}
	err = genl_connect(nl->sock);
	if (err) {
		err = slicenl_errno(err);
		goto err_sock;
	}
	/* Without it the kernel keeps its reasons to itself. */
	if (setsockopt(nl_socket_get_fd(nl->sock), SOL_NETLINK, NETLINK_EXT_ACK, &one,
		       sizeof(one)) < 0) {
		err = -errno;
		goto err_sock;
	}
	nl->family = genl_ctrl_resolve(nl->sock, SLICE_GENL_NAME);
	if (nl->family < 0) {
		err = nl->family == -NLE_OBJ_NOTFOUND ? -EPROTONOSUPPORT :
							slicenl_errno(nl->family);
		goto err_sock;
	}
	*out = nl;
	return 0;

err_sock:
	nl_socket_free(nl->sock);
err_free:
	free(nl);
	return err;
}

int slicenl_open(struct slicenl **out)
{
	return slicenl_open_sock(out);
}

int slicenl_open_events(struct slicenl **out)
{
	struct slicenl *nl;
	int group, err;

	err = slicenl_open_sock(&nl);
	if (err)
		return err;
	group = genl_ctrl_resolve_grp(nl->sock, SLICE_GENL_NAME, SLICE_GENL_MCGRP_EVENTS);
	if (group < 0) {
		err = group == -NLE_OBJ_NOTFOUND ? -EPROTONOSUPPORT : slicenl_errno(group);
		goto err_close;
	}
	/* Notifications carry sequence number 0. */
	nl_socket_disable_seq_check(nl->sock);
	err = nl_socket_add_membership(nl->sock, group);
	if (err) {
		err = slicenl_errno(err);
		goto err_close;
	}
	*out = nl;
	return 0;

err_close:
	slicenl_close(nl);
	return err;
}

void slicenl_close(struct slicenl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sock);
	free(nl);
}

int slicenl_fd(const struct slicenl *nl)
{
	return nl_socket_get_fd(nl->sock);
}

const char *slicenl_extack(const struct slicenl *nl)
{
	return nl->extack;
}

int slicenl_dev_get(struct slicenl *nl, uint32_t ifindex, struct slicenl_device *dev)
{
	struct nl_msg *msg = slicenl_msg(nl, SLICE_CMD_DEV_GET, 0, ifindex);

	if (!msg)
		return -ENOMEM;
	dev->ifindex = 0;
	return slicenl_transact(nl, msg, NULL, slicenl_parse_device, dev) ?:
	       (dev->ifindex ? 0 : -EBADMSG);
}

int slicenl_dev_dump(struct slicenl *nl, struct slicenl_device **devs, size_t *count)
{
	return slicenl_dump(nl, SLICE_CMD_DEV_GET, 0, slicenl_collect_device, sizeof(**devs),
			    (void **)devs, count);
}

static int slicenl_put_listen(struct nl_msg *msg, const union slicenl_sockaddr *local)
{
	if (local->sa.sa_family == AF_INET)
		return nla_put(msg, SLICE_A_LISTEN_IPV4, 4, &local->in.sin_addr) ||
		       nla_put_u16(msg, SLICE_A_LISTEN_PORT, ntohs(local->in.sin_port));
	return nla_put(msg, SLICE_A_LISTEN_IPV6, 16, &local->in6.sin6_addr) ||
	       nla_put_u16(msg, SLICE_A_LISTEN_PORT, ntohs(local->in6.sin6_port));
}

int slicenl_dev_set(struct slicenl *nl, uint32_t ifindex, const struct slicenl_dev_config *cfg)
{
	struct nl_msg *msg = slicenl_msg(nl, SLICE_CMD_DEV_SET, 0, ifindex);

	if (!msg)
		return -ENOMEM;
	if (((cfg->flags & SLICENL_DEV_SET_LISTEN) && slicenl_put_listen(msg, &cfg->listen)) ||
	    ((cfg->flags & SLICENL_DEV_SET_LOCAL_ID) &&
	     nla_put_u32(msg, SLICE_A_LOCAL_ID, cfg->local_id)) ||
	    ((cfg->flags & SLICENL_DEV_SET_QOS) && slicenl_put_qos(msg, &cfg->qos))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return slicenl_do(nl, msg);
}

static int slicenl_peer_cmd(struct slicenl *nl, uint8_t cmd, uint32_t ifindex,
			    const struct slicenl_peer *peer)
{
	struct nl_msg *msg = slicenl_msg(nl, cmd, 0, ifindex);
	int err;

	if (!msg)
		return -ENOMEM;
	err = slicenl_put_peer(msg, peer);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return slicenl_do(nl, msg);
}

int slicenl_peer_new(struct slicenl *nl, uint32_t ifindex, const struct slicenl_peer *peer)
{
	return slicenl_peer_cmd(nl, SLICE_CMD_PEER_NEW, ifindex, peer);
}

int slicenl_peer_set(struct slicenl *nl, uint32_t ifindex, const struct slicenl_peer *peer)
{
	return slicenl_peer_cmd(nl, SLICE_CMD_PEER_SET, ifindex, peer);
}

int slicenl_peer_del(struct slicenl *nl, uint32_t ifindex, uint32_t peer_id)
{
	struct slicenl_peer peer = { .id = peer_id };

	return slicenl_peer_cmd(nl, SLICE_CMD_PEER_DEL, ifindex, &peer);
}

int slicenl_peer_get(struct slicenl *nl, uint32_t ifindex, uint32_t peer_id,
		     struct slicenl_peer *peer)
{
	struct slicenl_peer query = { .id = peer_id };
	struct nl_msg *msg = slicenl_msg(nl, SLICE_CMD_PEER_GET, 0, ifindex);
	int err;

	if (!msg)
		return -ENOMEM;
	err = slicenl_put_peer(msg, &query);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	peer->id = 0;
	return slicenl_transact(nl, msg, NULL, slicenl_parse_one_peer, peer) ?:
	       (peer->id == peer_id ? 0 : -EBADMSG);
}

int slicenl_peer_dump(struct slicenl *nl, uint32_t ifindex, struct slicenl_peer **peers,
		      size_t *count)
{
	return slicenl_dump(nl, SLICE_CMD_PEER_GET, ifindex, slicenl_collect_peer,
			    sizeof(**peers), (void **)peers, count);
}

static int slicenl_route_cmd(struct slicenl *nl, uint8_t cmd, uint32_t ifindex,
			     const struct slicenl_route *route)
{
	struct nl_msg *msg = slicenl_msg(nl, cmd, 0, ifindex);
	size_t addr_len = route->family == AF_INET ? sizeof(route->addr.ip4) :
						     sizeof(route->addr.ip6);
	struct nlattr *nest;

	if (!msg)
		return -ENOMEM;
	nest = nla_nest_start(msg, SLICE_A_ROUTE);
	if (!nest || nla_put_u16(msg, SLICE_ROUTE_A_FAMILY, route->family) ||
	    nla_put(msg, SLICE_ROUTE_A_ADDR, addr_len, &route->addr) ||
	    nla_put_u8(msg, SLICE_ROUTE_A_PREFIXLEN, route->prefixlen) ||
	    nla_put_u32(msg, SLICE_ROUTE_A_PEER_ID, route->peer_id)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return slicenl_do(nl, msg);
}

int slicenl_route_add(struct slicenl *nl, uint32_t ifindex, const struct slicenl_route *route)
{
	return slicenl_route_cmd(nl, SLICE_CMD_ROUTE_ADD, ifindex, route);
}

int slicenl_route_del(struct slicenl *nl, uint32_t ifindex, const struct slicenl_route *route)
{
	return slicenl_route_cmd(nl, SLICE_CMD_ROUTE_DEL, ifindex, route);
}

int slicenl_route_dump(struct slicenl *nl, uint32_t ifindex, struct slicenl_route **routes,
		       size_t *count)
{
	return slicenl_dump(nl, SLICE_CMD_ROUTE_GET, ifindex, slicenl_collect_route,
			    sizeof(**routes), (void **)routes, count);
}

/* PEER { ID [, KEYCONF] }, the request shape of every key command. */
static struct nl_msg *slicenl_key_msg(struct slicenl *nl, uint8_t cmd, uint32_t ifindex,
				      uint32_t peer_id, const struct slicenl_key *key)
{
	struct nl_msg *msg = slicenl_msg(nl, cmd, 0, ifindex);
	struct nlattr *nest;

	if (!msg)
		return NULL;
	nest = nla_nest_start(msg, SLICE_A_PEER);
	if (!nest || nla_put_u32(msg, SLICE_PEER_A_ID, peer_id) ||
	    (key && slicenl_put_keyconf(msg, key))) {
		nlmsg_free(msg);
		return NULL;
	}
	nla_nest_end(msg, nest);
	return msg;
}

int slicenl_key_new(struct slicenl *nl, uint32_t ifindex, uint32_t peer_id,
		    const struct slicenl_key *key)
{
	struct nl_msg *msg = slicenl_key_msg(nl, SLICE_CMD_KEY_NEW, ifindex, peer_id, key);

	return msg ? slicenl_do(nl, msg) : -ENOMEM;
}

int slicenl_key_del(struct slicenl *nl, uint32_t ifindex, uint32_t peer_id, uint32_t slot)
{
	struct slicenl_key key = { .slot = slot };
	struct nl_msg *msg = slicenl_key_msg(nl, SLICE_CMD_KEY_DEL, ifindex, peer_id, &key);

	return msg ? slicenl_do(nl, msg) : -ENOMEM;
}

int slicenl_key_swap(struct slicenl *nl, uint32_t ifindex, uint32_t peer_id)
{
	struct nl_msg *msg = slicenl_key_msg(nl, SLICE_CMD_KEY_SWAP, ifindex, peer_id, NULL);

	return msg ? slicenl_do(nl, msg) : -ENOMEM;
}

int slicenl_key_get(struct slicenl *nl, uint32_t ifindex, uint32_t peer_id, uint32_t slot,
		    struct slicenl_key *key)
{
	struct slicenl_key query = { .slot = slot };
	struct nl_msg *msg = slicenl_key_msg(nl, SLICE_CMD_KEY_GET, ifindex, peer_id, &query);
	struct slicenl_peer peer = { 0 };
	unsigned int i;
	int err;

	if (!msg)
		return -ENOMEM;
	err = slicenl_transact(nl, msg, NULL, slicenl_parse_one_peer, &peer);
	if (err)
		return err;
	for (i = 0; i < peer.num_keys; i++) {
		if (peer.keys[i].slot == slot) {
			*key = peer.keys[i];
			return 0;
		}
	}
	return -ENOENT;
}

struct slicenl_event_delivery {
	int (*cb)(const struct slicenl_event *ev, void *arg);
	void *arg;
	int ret;
};

static int slicenl_event_cb(struct nl_msg *msg, void *arg)
{
	struct slicenl_event_delivery *delivery = arg;
	struct slicenl_event ev;

	/* Messages of another version or shape are someone else's; skip them. */
	if (slicenl_parse_event(msg, &ev))
		return NL_SKIP;
	delivery->ret = delivery->cb(&ev, delivery->arg);
	return delivery->ret ? NL_STOP : NL_OK;
}

int slicenl_event_recv(struct slicenl *nl, int (*cb)(const struct slicenl_event *ev, void *arg),
		       void *arg)
{
	struct slicenl_event_delivery delivery = { .cb = cb, .arg = arg };
	struct nl_cb *nlcb = nl_cb_clone(nl_socket_get_cb(nl->sock));
	int err;

	if (!nlcb)
		return -ENOMEM;
	nl_cb_set(nlcb, NL_CB_VALID, NL_CB_CUSTOM, slicenl_event_cb, &delivery);
	err = nl_recvmsgs(nl->sock, nlcb);
	nl_cb_put(nlcb);
	if (delivery.ret)
		return delivery.ret;
	return err < 0 ? slicenl_errno(err) : 0;
}
