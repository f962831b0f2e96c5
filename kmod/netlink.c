// SPDX-License-Identifier: GPL-2.0
/*
 * slice: the "slice" generic netlink family, the device's whole configuration interface.
 *
 * Every command needs CAP_NET_ADMIN and works on devices of the caller's network namespace.
 * Per-command policies let the core reject malformed requests with its own extack; the
 * checks that need state name the offending attribute. Commands run under rtnl (like
 * WireGuard's), which also orders them against link deletion; dumps are resumable and
 * flagged NLM_F_DUMP_INTR when peers or routes changed between their parts.
 */
#include <linux/rtnetlink.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "crypto.h"
#include "device.h"
#include "netlink.h"
#include "netlink-gen.h"
#include "peer.h"
#include "socket.h"

static struct genl_family slice_nl_family;

static struct slice_device *slice_nl_find_dev(struct net *net, struct nlattr **attrs,
					      struct netlink_ext_ack *extack)
{
	struct net_device *dev;

	if (attrs[SLICE_A_IFINDEX]) {
		dev = __dev_get_by_index(net, nla_get_u32(attrs[SLICE_A_IFINDEX]));
		if (!dev) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[SLICE_A_IFINDEX], "no such device");
			return ERR_PTR(-ENODEV);
		}
		if (attrs[SLICE_A_IFNAME] && nla_strcmp(attrs[SLICE_A_IFNAME], dev->name)) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[SLICE_A_IFNAME],
					    "IFNAME and IFINDEX name different devices");
			return ERR_PTR(-EINVAL);
		}
	} else if (attrs[SLICE_A_IFNAME]) {
		dev = __dev_get_by_name(net, nla_data(attrs[SLICE_A_IFNAME]));
		if (!dev) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[SLICE_A_IFNAME], "no such device");
			return ERR_PTR(-ENODEV);
		}
	} else {
		NL_SET_ERR_MSG(extack, "no device given: add IFINDEX or IFNAME");
		NL_SET_ERR_ATTR_MISS(extack, NULL, SLICE_A_IFINDEX);
		return ERR_PTR(-EINVAL);
	}
	if (!slice_dev_is_slice(dev)) {
		NL_SET_BAD_ATTR(extack, attrs[SLICE_A_IFINDEX] ?: attrs[SLICE_A_IFNAME]);
		NL_SET_ERR_MSG(extack, "not a slice device");
		return ERR_PTR(-EOPNOTSUPP);
	}
	return netdev_priv(dev);
}

static int slice_nl_pre_doit(const struct genl_ops *ops, struct sk_buff *skb,
			     struct genl_info *info)
{
	struct slice_device *slice;

	rtnl_lock();
	slice = slice_nl_find_dev(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(slice)) {
		rtnl_unlock();
		return PTR_ERR(slice);
	}
	info->user_ptr[0] = slice;
	return 0;
}

static void slice_nl_post_doit(const struct genl_ops *ops, struct sk_buff *skb,
			       struct genl_info *info)
{
	rtnl_unlock();
}

/*
 * The prologue of every peer and key command: the request's PEER nest, parsed into @tb
 * with @policy (the one the core validated it against), and its ID. Return: 0, or -EINVAL
 * with the missing attribute in the extack.
 */
static int slice_nl_peer_attrs(struct genl_info *info, struct nlattr **tb,
			       const struct nla_policy *policy)
{
	int err;

	if (GENL_REQ_ATTR_CHECK(info, SLICE_A_PEER))
		return -EINVAL;
	err = nla_parse_nested(tb, SLICE_PEER_A_MAX, info->attrs[SLICE_A_PEER], policy,
			       info->extack);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(info->extack, info->attrs[SLICE_A_PEER], tb, SLICE_PEER_A_ID))
		return -EINVAL;
	return 0;
}

/* The existing peer a request's PEER nest names, with the nest parsed into @tb. */
static struct slice_peer *slice_nl_peer(struct genl_info *info, struct nlattr **tb,
					const struct nla_policy *policy)
{
	struct slice_peer *peer;
	int err;

	err = slice_nl_peer_attrs(info, tb, policy);
	if (err)
		return ERR_PTR(err);
	peer = slice_peer_lookup(info->user_ptr[0], nla_get_u32(tb[SLICE_PEER_A_ID]));
	if (!peer) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[SLICE_PEER_A_ID], "peer not found");
		return ERR_PTR(-ENOENT);
	}
	return peer;
}

static u8 slice_nl_peer_state(const struct slice_peer *peer)
{
	return slice_peer_usable(peer) ? SLICE_PEER_STATE_UP : SLICE_PEER_STATE_DOWN;
}

static int slice_nl_put_stats(struct sk_buff *msg, int type, struct slice_stats __percpu *stats)
{
	u64 c[__SLICE_STATS_A_MAX];
	struct nlattr *nest;
	int i;

	slice_stats_sum(stats, c);
	nest = nla_nest_start(msg, type);
	if (!nest)
		return -EMSGSIZE;
	for (i = SLICE_STATS_A_TX_PACKETS; i <= SLICE_STATS_A_MAX; i++)
		if (nla_put_u64_64bit(msg, i, c[i], SLICE_STATS_A_PAD))
			goto err_cancel;
	nla_nest_end(msg, nest);
	return 0;

err_cancel:
	nla_nest_cancel(msg, nest);
	return -EMSGSIZE;
}

/* Puts the QoS nest when the device has a profile; nothing otherwise. */
static int slice_nl_put_qos(struct sk_buff *msg, struct slice_qos *q)
{
	struct slice_qos_profile p;
	struct nlattr *nest;

	if (!slice_qos_get(q, &p))
		return 0;
	nest = nla_nest_start(msg, SLICE_A_QOS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(msg, SLICE_QOS_A_CEILING_KBPS, p.ceiling_kbps) ||
	    nla_put_u32(msg, SLICE_QOS_A_GUARANTEED_KBPS, p.guaranteed_kbps) ||
	    nla_put_u8(msg, SLICE_QOS_A_PRIORITY, p.priority) ||
	    nla_put_u8(msg, SLICE_QOS_A_DSCP, p.dscp) ||
	    nla_put_u32(msg, SLICE_QOS_A_MARK, p.mark)) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

static int slice_nl_fill_dev(struct sk_buff *msg, struct slice_device *slice, u32 portid,
			     u32 seq, int flags, struct netlink_callback *cb)
{
	struct slice_sock *ss = rtnl_dereference(slice->sock);
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &slice_nl_family, flags, SLICE_CMD_DEV_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (nla_put_u32(msg, SLICE_A_IFINDEX, slice->dev->ifindex) ||
	    nla_put_string(msg, SLICE_A_IFNAME, slice->dev->name) ||
	    (slice->local_id && nla_put_u32(msg, SLICE_A_LOCAL_ID, slice->local_id)) ||
	    (ss && nla_put_u16(msg, SLICE_A_LISTEN_PORT,
			       ntohs(inet_sk(ss->sock->sk)->inet_sport))) ||
	    nla_put_u32(msg, SLICE_A_NUM_PEERS, slice->num_peers) ||
	    nla_put_u32(msg, SLICE_A_NUM_ROUTES, READ_ONCE(slice->routes.num_routes)) ||
	    slice_nl_put_stats(msg, SLICE_A_STATS, slice->stats) ||
	    slice_nl_put_qos(msg, &slice->qos))
		goto err_cancel;
	genlmsg_end(msg, hdr);
	return 0;

err_cancel:
	genlmsg_cancel(msg, hdr);
	return -EMSGSIZE;
}

int slice_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	int err;

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	err = slice_nl_fill_dev(msg, info->user_ptr[0], info->snd_portid, info->snd_seq, 0, NULL);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

int slice_nl_dev_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	struct net_device *dev;
	long idx = 0;
	int err = 0;

	rtnl_lock();
	cb->seq = net->dev_base_seq;
	for_each_netdev(net, dev) {
		if (!slice_dev_is_slice(dev))
			continue;
		if (idx++ < cb->args[0])
			continue;
		err = slice_nl_fill_dev(skb, netdev_priv(dev), NETLINK_CB(cb->skb).portid,
					cb->nlh->nlmsg_seq, NLM_F_MULTI, cb);
		if (err) {
			idx--;
			break;
		}
	}
	rtnl_unlock();
	cb->args[0] = idx;
	return err && !skb->len ? err : skb->len;
}

/*
 * Reads a QoS nest into @p. Return: 1 with @p filled, 0 for an empty nest (no profile), or
 * -EINVAL with an extack.
 */
static int slice_nl_qos(struct nlattr *nest, struct slice_qos_profile *p,
			struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SLICE_QOS_A_MAX + 1];
	int err;

	err = nla_parse_nested(tb, SLICE_QOS_A_MAX, nest, slice_qos_nl_policy, extack);
	if (err)
		return err;
	if (!nla_len(nest))
		return 0;
	if (!tb[SLICE_QOS_A_CEILING_KBPS]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "QoS profile needs ceiling-kbps");
		return -EINVAL;
	}
	memset(p, 0, sizeof(*p));
	p->ceiling_kbps = nla_get_u32(tb[SLICE_QOS_A_CEILING_KBPS]);
	if (tb[SLICE_QOS_A_GUARANTEED_KBPS])
		p->guaranteed_kbps = nla_get_u32(tb[SLICE_QOS_A_GUARANTEED_KBPS]);
	if (tb[SLICE_QOS_A_PRIORITY])
		p->priority = nla_get_u8(tb[SLICE_QOS_A_PRIORITY]);
	if (tb[SLICE_QOS_A_DSCP])
		p->dscp = nla_get_u8(tb[SLICE_QOS_A_DSCP]);
	if (tb[SLICE_QOS_A_MARK])
		p->mark = nla_get_u32(tb[SLICE_QOS_A_MARK]);
	err = slice_qos_profile_check(p, extack);
	if (err) {
		NL_SET_BAD_ATTR(extack, nest);
		return err;
	}
	return 1;
}

/* LISTEN_PORT on LISTEN_IPV4 or LISTEN_IPV6 (by default any IPv4 address). */
static int slice_nl_listen(struct slice_device *slice, struct genl_info *info)
{
	struct nlattr *v6 = info->attrs[SLICE_A_LISTEN_IPV6];
	struct nlattr *v4 = info->attrs[SLICE_A_LISTEN_IPV4];
	__be16 port = htons(nla_get_u16(info->attrs[SLICE_A_LISTEN_PORT]));
	struct sockaddr_storage local = { .ss_family = AF_INET };
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&local;
	struct sockaddr_in *in = (struct sockaddr_in *)&local;
	int err;

	if (v4 && v6) {
		NL_SET_ERR_MSG_ATTR(info->extack, v6, "one local address, IPv4 or IPv6");
		return -EINVAL;
	}
	if (v6) {
		in6->sin6_family = AF_INET6;
		in6->sin6_addr = nla_get_in6_addr(v6);
		in6->sin6_port = port;
	} else {
		in->sin_addr.s_addr = v4 ? nla_get_in_addr(v4) : htonl(INADDR_ANY);
		in->sin_port = port;
	}
	err = slice_sock_open(slice, &local, info->extack);
	if (err) {
		NL_SET_BAD_ATTR(info->extack, info->attrs[SLICE_A_LISTEN_PORT]);
		return err;
	}
	/* Routes cached for the old socket's source address are stale. */
	slice_peers_reset_routes(slice);
	return 0;
}

int slice_nl_dev_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct slice_device *slice = info->user_ptr[0];
	struct slice_qos_profile qos;
	int has_qos = 0;
	int err;

	/* Checked first, so that a bad profile leaves the device as it was. */
	if (info->attrs[SLICE_A_QOS]) {
		has_qos = slice_nl_qos(info->attrs[SLICE_A_QOS], &qos, info->extack);
		if (has_qos < 0)
			return has_qos;
	}
	if (info->attrs[SLICE_A_LISTEN_PORT]) {
		err = slice_nl_listen(slice, info);
		if (err)
			return err;
	} else if (info->attrs[SLICE_A_LISTEN_IPV4] || info->attrs[SLICE_A_LISTEN_IPV6]) {
		NL_SET_ERR_MSG(info->extack, "a local address needs LISTEN_PORT");
		return -EINVAL;
	}
	if (info->attrs[SLICE_A_LOCAL_ID])
		WRITE_ONCE(slice->local_id, nla_get_u32(info->attrs[SLICE_A_LOCAL_ID]));
	if (info->attrs[SLICE_A_QOS]) {
		u32 old_mark = slice_qos_mark(&slice->qos);

		slice_qos_set(&slice->qos, has_qos ? &qos : NULL);
		/* The mark is a routing key: routes cached under the old one may be wrong now. */
		if (slice_qos_mark(&slice->qos) != old_mark)
			slice_peers_reset_routes(slice);
	}
	return 0;
}

/* Reads an endpoint from a PEER nest; AF_UNSPEC in @ep if the nest has none. */
static int slice_nl_endpoint(struct nlattr *nest, struct nlattr **tb, struct slice_endpoint *ep,
			     struct netlink_ext_ack *extack)
{
	struct nlattr *v4 = tb[SLICE_PEER_A_REMOTE_IPV4], *v6 = tb[SLICE_PEER_A_REMOTE_IPV6];
	struct nlattr *port = tb[SLICE_PEER_A_REMOTE_PORT];

	memset(ep, 0, sizeof(*ep));
	if (!v4 && !v6) {
		if (port) {
			NL_SET_ERR_MSG_ATTR(extack, port,
					    "REMOTE_PORT needs REMOTE_IPV4 or REMOTE_IPV6");
			return -EINVAL;
		}
		return 0;
	}
	if (v4 && v6) {
		NL_SET_ERR_MSG_ATTR(extack, v6, "give REMOTE_IPV4 or REMOTE_IPV6, not both");
		return -EINVAL;
	}
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, SLICE_PEER_A_REMOTE_PORT))
		return -EINVAL;
	if (v4) {
		ep->addr4.sin_family = AF_INET;
		ep->addr4.sin_addr.s_addr = nla_get_in_addr(v4);
		ep->addr4.sin_port = nla_get_be16(port);
	} else {
		ep->addr6.sin6_family = AF_INET6;
		ep->addr6.sin6_addr = nla_get_in6_addr(v6);
		ep->addr6.sin6_port = nla_get_be16(port);
	}
	if (slice_peer_endpoint_check(ep, extack)) {
		NL_SET_BAD_ATTR(extack, v4 ?: v6);
		return -EINVAL;
	}
	return 0;
}

/* A liveness setting of a PEER nest, or the peer's current one when the nest has none. */
static u32 slice_nl_liveness_ms(struct nlattr **tb, int type, u32 current_ms)
{
	return tb[type] ? nla_get_u32(tb[type]) : current_ms;
}

/* Applies the liveness attributes of a PEER nest, if it has any. */
static void slice_nl_peer_liveness(struct slice_peer *peer, struct nlattr **tb)
{
	struct slice_liveness *l = &peer->live;

	if (!tb[SLICE_PEER_A_KEEPALIVE_INTERVAL_MS] && !tb[SLICE_PEER_A_KEEPALIVE_TIMEOUT_MS] &&
	    !tb[SLICE_PEER_A_HOLD_MS])
		return;
	slice_peer_set_liveness(peer,
				slice_nl_liveness_ms(tb, SLICE_PEER_A_KEEPALIVE_INTERVAL_MS,
						     READ_ONCE(l->interval_ms)),
				slice_nl_liveness_ms(tb, SLICE_PEER_A_KEEPALIVE_TIMEOUT_MS,
						     READ_ONCE(l->timeout_ms)),
				slice_nl_liveness_ms(tb, SLICE_PEER_A_HOLD_MS,
						     READ_ONCE(l->hold_ms)));
}

/* Applies the settable attributes of a PEER nest; everything is checked before any change. */
static int slice_nl_peer_apply(struct slice_peer *peer, struct nlattr *nest, struct nlattr **tb,
			       struct netlink_ext_ack *extack)
{
	struct slice_endpoint ep;
	int err;

	err = slice_nl_endpoint(nest, tb, &ep, extack);
	if (err)
		return err;
	if (ep.addr.sa_family)
		slice_peer_set_endpoint(peer, &ep);
	slice_nl_peer_liveness(peer, tb);
	if (tb[SLICE_PEER_A_TRANSIT])
		assign_bit(SLICE_PEER_TRANSIT, &peer->flags, nla_get_u8(tb[SLICE_PEER_A_TRANSIT]));
	if (tb[SLICE_PEER_A_STATE])
		slice_peer_set_admin(peer,
				     nla_get_u8(tb[SLICE_PEER_A_STATE]) == SLICE_PEER_STATE_UP);
	return 0;
}

int slice_nl_peer_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct slice_device *slice = info->user_ptr[0];
	struct nlattr *tb[SLICE_PEER_A_MAX + 1];
	struct slice_peer *peer;
	int err;

	err = slice_nl_peer_attrs(info, tb, slice_peer_set_input_nl_policy);
	if (err)
		return err;
	if (slice_peer_lookup(slice, nla_get_u32(tb[SLICE_PEER_A_ID]))) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[SLICE_PEER_A_ID],
				    "peer already exists: use PEER_SET to change it");
		return -EEXIST;
	}
	peer = slice_peer_new(slice, nla_get_u32(tb[SLICE_PEER_A_ID]));
	if (!peer)
		return -ENOMEM;
	err = slice_nl_peer_apply(peer, info->attrs[SLICE_A_PEER], tb, info->extack);
	if (err) {
		cancel_delayed_work_sync(&peer->timer);
		slice_peer_free(peer);
		return err;
	}
	slice_peer_add(peer);
	return 0;
}

int slice_nl_peer_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[SLICE_PEER_A_MAX + 1];
	struct slice_peer *peer;

	peer = slice_nl_peer(info, tb, slice_peer_set_input_nl_policy);
	if (IS_ERR(peer))
		return PTR_ERR(peer);
	return slice_nl_peer_apply(peer, info->attrs[SLICE_A_PEER], tb, info->extack);
}

int slice_nl_peer_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[SLICE_PEER_A_MAX + 1];
	struct slice_peer *peer;

	peer = slice_nl_peer(info, tb, slice_peer_id_input_nl_policy);
	if (IS_ERR(peer))
		return PTR_ERR(peer);
	slice_peer_del(peer);
	return 0;
}

static int slice_nl_put_endpoint(struct sk_buff *msg, struct slice_peer *peer)
{
	struct slice_endpoint ep;

	slice_peer_get_endpoint(peer, &ep);
	switch (ep.addr.sa_family) {
	case AF_INET:
		return nla_put_in_addr(msg, SLICE_PEER_A_REMOTE_IPV4, ep.addr4.sin_addr.s_addr) ||
		       nla_put_be16(msg, SLICE_PEER_A_REMOTE_PORT, ep.addr4.sin_port);
	case AF_INET6:
		return nla_put_in6_addr(msg, SLICE_PEER_A_REMOTE_IPV6, &ep.addr6.sin6_addr) ||
		       nla_put_be16(msg, SLICE_PEER_A_REMOTE_PORT, ep.addr6.sin6_port);
	}
	return 0;
}

static int slice_nl_put_liveness(struct sk_buff *msg, struct slice_liveness *l)
{
	return nla_put_u32(msg, SLICE_PEER_A_KEEPALIVE_INTERVAL_MS, READ_ONCE(l->interval_ms)) ||
	       nla_put_u32(msg, SLICE_PEER_A_KEEPALIVE_TIMEOUT_MS, READ_ONCE(l->timeout_ms)) ||
	       nla_put_u32(msg, SLICE_PEER_A_HOLD_MS, READ_ONCE(l->hold_ms)) ||
	       nla_put_u64_64bit(msg, SLICE_PEER_A_SILENCES, READ_ONCE(l->silences),
				 SLICE_PEER_A_PAD) ||
	       nla_put_u64_64bit(msg, SLICE_PEER_A_STALLS, READ_ONCE(l->stalls), SLICE_PEER_A_PAD);
}

static int slice_nl_fill_peer(struct sk_buff *msg, struct slice_peer *peer, u32 portid, u32 seq,
			      int flags, struct netlink_callback *cb)
{
	u64 last_rx = jiffies_to_msecs(jiffies - READ_ONCE(peer->last_rx));
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &slice_nl_family, flags, SLICE_CMD_PEER_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (nla_put_u32(msg, SLICE_A_IFINDEX, peer->slice->dev->ifindex))
		goto err_cancel;
	nest = nla_nest_start(msg, SLICE_A_PEER);
	if (!nest)
		goto err_cancel;
	if (nla_put_u32(msg, SLICE_PEER_A_ID, peer->id) ||
	    slice_nl_put_endpoint(msg, peer) ||
	    slice_nl_put_liveness(msg, &peer->live) ||
	    nla_put_u8(msg, SLICE_PEER_A_STATE, slice_nl_peer_state(peer)) ||
	    nla_put_u8(msg, SLICE_PEER_A_TRANSIT, test_bit(SLICE_PEER_TRANSIT, &peer->flags)) ||
	    nla_put_u64_64bit(msg, SLICE_PEER_A_LAST_RX_MSECS, last_rx, SLICE_PEER_A_PAD) ||
	    slice_nl_put_stats(msg, SLICE_PEER_A_STATS, peer->stats))
		goto err_cancel;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return 0;

err_cancel:
	genlmsg_cancel(msg, hdr);
	return -EMSGSIZE;
}

int slice_nl_peer_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[SLICE_PEER_A_MAX + 1];
	struct slice_peer *peer;
	struct sk_buff *msg;
	int err;

	peer = slice_nl_peer(info, tb, slice_peer_id_input_nl_policy);
	if (IS_ERR(peer))
		return PTR_ERR(peer);
	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	err = slice_nl_fill_peer(msg, peer, info->snd_portid, info->snd_seq, 0, NULL);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/* The device a dump is about, found again (under rtnl) for each part of it. */
static struct slice_device *slice_nl_dump_dev(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);

	return slice_nl_find_dev(sock_net(skb->sk), info->attrs, cb->extack);
}

int slice_nl_peer_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct slice_device *slice;
	struct slice_peer *peer;
	long idx = 0;
	int err = 0;

	rtnl_lock();
	slice = slice_nl_dump_dev(skb, cb);
	if (IS_ERR(slice)) {
		err = PTR_ERR(slice);
		goto out;
	}
	cb->seq = slice->generation;
	list_for_each_entry(peer, &slice->peer_list, node) {
		if (idx++ < cb->args[0])
			continue;
		err = slice_nl_fill_peer(skb, peer, NETLINK_CB(cb->skb).portid,
					 cb->nlh->nlmsg_seq, NLM_F_MULTI, cb);
		if (err) {
			idx--;
			break;
		}
	}
	cb->args[0] = idx;
out:
	rtnl_unlock();
	return err && !skb->len ? err : skb->len;
}

/* Checks a ROUTE nest and finds its peer. */
static struct slice_peer *slice_nl_route(struct genl_info *info, struct nlattr **tb)
{
	struct nlattr *nest = info->attrs[SLICE_A_ROUTE];
	struct netlink_ext_ack *extack = info->extack;
	struct slice_peer *peer;
	unsigned int len;
	u16 family;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, SLICE_A_ROUTE))
		return ERR_PTR(-EINVAL);
	err = nla_parse_nested(tb, SLICE_ROUTE_A_MAX, nest, slice_route_nl_policy, extack);
	if (err)
		return ERR_PTR(err);
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, SLICE_ROUTE_A_FAMILY) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, SLICE_ROUTE_A_ADDR) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, SLICE_ROUTE_A_PREFIXLEN) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, SLICE_ROUTE_A_PEER_ID))
		return ERR_PTR(-EINVAL);
	family = nla_get_u16(tb[SLICE_ROUTE_A_FAMILY]);
	if (family != AF_INET && family != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SLICE_ROUTE_A_FAMILY],
				    "family must be AF_INET or AF_INET6");
		return ERR_PTR(-EAFNOSUPPORT);
	}
	len = family == AF_INET ? sizeof(struct in_addr) : sizeof(struct in6_addr);
	if (nla_len(tb[SLICE_ROUTE_A_ADDR]) != len) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SLICE_ROUTE_A_ADDR],
				    "address length does not match the family");
		return ERR_PTR(-EINVAL);
	}
	if (nla_get_u8(tb[SLICE_ROUTE_A_PREFIXLEN]) > len * 8) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SLICE_ROUTE_A_PREFIXLEN],
				    "prefix length is longer than the address");
		return ERR_PTR(-EINVAL);
	}
	if (!slice_prefix_valid(family, nla_data(tb[SLICE_ROUTE_A_ADDR]),
				nla_get_u8(tb[SLICE_ROUTE_A_PREFIXLEN]))) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SLICE_ROUTE_A_ADDR], "prefix has host bits set");
		return ERR_PTR(-EINVAL);
	}
	peer = slice_peer_lookup(info->user_ptr[0], nla_get_u32(tb[SLICE_ROUTE_A_PEER_ID]));
	if (!peer) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SLICE_ROUTE_A_PEER_ID], "peer not found");
		return ERR_PTR(-ENOENT);
	}
	return peer;
}

int slice_nl_route_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct slice_device *slice = info->user_ptr[0];
	struct nlattr *tb[SLICE_ROUTE_A_MAX + 1];
	struct slice_peer *peer;
	int err;

	peer = slice_nl_route(info, tb);
	if (IS_ERR(peer))
		return PTR_ERR(peer);
	err = slice_routes_add(&slice->routes, nla_get_u16(tb[SLICE_ROUTE_A_FAMILY]),
			       nla_data(tb[SLICE_ROUTE_A_ADDR]),
			       nla_get_u8(tb[SLICE_ROUTE_A_PREFIXLEN]), peer);
	if (err == -EEXIST)
		NL_SET_ERR_MSG_ATTR(info->extack, tb[SLICE_ROUTE_A_PEER_ID],
				    "the prefix already goes to this peer");
	else if (err == -E2BIG)
		NL_SET_ERR_MSG_ATTR(info->extack, tb[SLICE_ROUTE_A_ADDR],
				    "the prefix has the most peers a route may have");
	if (!err)
		slice->generation++;
	return err;
}

int slice_nl_route_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct slice_device *slice = info->user_ptr[0];
	struct nlattr *tb[SLICE_ROUTE_A_MAX + 1];
	struct slice_peer *peer;
	int err;

	peer = slice_nl_route(info, tb);
	if (IS_ERR(peer))
		return PTR_ERR(peer);
	err = slice_routes_del(&slice->routes, nla_get_u16(tb[SLICE_ROUTE_A_FAMILY]),
			       nla_data(tb[SLICE_ROUTE_A_ADDR]),
			       nla_get_u8(tb[SLICE_ROUTE_A_PREFIXLEN]), peer);
	if (err == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SLICE_A_ROUTE],
				    "no such route to this peer");
	if (!err)
		slice->generation++;
	return err;
}

static int slice_nl_fill_route(struct sk_buff *msg, struct slice_device *slice,
			       struct slice_route *r, struct slice_peer *peer,
			       struct netlink_callback *cb)
{
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(msg, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq, &slice_nl_family,
			  NLM_F_MULTI, SLICE_CMD_ROUTE_GET);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	if (nla_put_u32(msg, SLICE_A_IFINDEX, slice->dev->ifindex))
		goto err_cancel;
	nest = nla_nest_start(msg, SLICE_A_ROUTE);
	if (!nest)
		goto err_cancel;
	if (nla_put_u16(msg, SLICE_ROUTE_A_FAMILY, r->family) ||
	    nla_put(msg, SLICE_ROUTE_A_ADDR, r->family == AF_INET ? 4 : 16, &r->addr) ||
	    nla_put_u8(msg, SLICE_ROUTE_A_PREFIXLEN, r->prefixlen) ||
	    nla_put_u32(msg, SLICE_ROUTE_A_PEER_ID, peer->id))
		goto err_cancel;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return 0;

err_cancel:
	genlmsg_cancel(msg, hdr);
	return -EMSGSIZE;
}

/* Fills routes from the cursor (route index, peer index) in cb->args[0..1] on. */
static int slice_nl_route_dump(struct sk_buff *skb, struct netlink_callback *cb,
			       struct slice_device *slice)
{
	struct slice_nexthops *nh;
	struct slice_route *r;
	long idx = 0, hop;
	int err = 0;

	mutex_lock(&slice->routes.lock);
	list_for_each_entry(r, &slice->routes.list, node) {
		if (idx < cb->args[0]) {
			idx++;
			continue;
		}
		nh = rcu_dereference_protected(r->nexthops, lockdep_is_held(&slice->routes.lock));
		for (hop = cb->args[1]; hop < nh->count; hop++) {
			err = slice_nl_fill_route(skb, slice, r, nh->peer[hop], cb);
			if (err)
				break;
		}
		cb->args[1] = hop;
		if (err)
			break;
		cb->args[0] = ++idx;
		cb->args[1] = 0;
	}
	mutex_unlock(&slice->routes.lock);
	return err;
}

int slice_nl_route_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct slice_device *slice;
	int err;

	rtnl_lock();
	slice = slice_nl_dump_dev(skb, cb);
	if (IS_ERR(slice)) {
		err = PTR_ERR(slice);
	} else {
		cb->seq = slice->generation;
		err = slice_nl_route_dump(skb, cb, slice);
	}
	rtnl_unlock();
	return err && !skb->len ? err : skb->len;
}

/* The peer of a key request, with its KEYCONF nest and the nest's SLOT. */
static struct slice_peer *slice_nl_keyconf(struct genl_info *info, struct nlattr **tb,
					   struct nlattr **keyconf)
{
	struct nlattr *peer_tb[SLICE_PEER_A_MAX + 1];
	struct slice_peer *peer;
	int err;

	peer = slice_nl_peer(info, peer_tb, slice_peer_key_input_nl_policy);
	if (IS_ERR(peer))
		return peer;
	*keyconf = peer_tb[SLICE_PEER_A_KEYCONF];
	if (NL_REQ_ATTR_CHECK(info->extack, info->attrs[SLICE_A_PEER], peer_tb,
			      SLICE_PEER_A_KEYCONF))
		return ERR_PTR(-EINVAL);
	err = nla_parse_nested(tb, SLICE_KEYCONF_A_MAX, *keyconf, slice_keyconf_input_nl_policy,
			       info->extack);
	if (err)
		return ERR_PTR(err);
	if (NL_REQ_ATTR_CHECK(info->extack, *keyconf, tb, SLICE_KEYCONF_A_SLOT))
		return ERR_PTR(-EINVAL);
	return peer;
}

int slice_nl_key_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[SLICE_KEYCONF_A_MAX + 1], *nest;
	struct slice_key_config cfg = {};
	struct slice_peer *peer;
	struct slice_key *key;
	int err;

	peer = slice_nl_keyconf(info, tb, &nest);
	if (IS_ERR(peer))
		return PTR_ERR(peer);
	if (NL_REQ_ATTR_CHECK(info->extack, nest, tb, SLICE_KEYCONF_A_KEY_ID) ||
	    NL_REQ_ATTR_CHECK(info->extack, nest, tb, SLICE_KEYCONF_A_CIPHER) ||
	    NL_REQ_ATTR_CHECK(info->extack, nest, tb, SLICE_KEYCONF_A_ENCRYPT_KEY) ||
	    NL_REQ_ATTR_CHECK(info->extack, nest, tb, SLICE_KEYCONF_A_DECRYPT_KEY))
		return -EINVAL;
	cfg.cipher = nla_get_u32(tb[SLICE_KEYCONF_A_CIPHER]);
	cfg.key_id = nla_get_u8(tb[SLICE_KEYCONF_A_KEY_ID]);
	nla_memcpy(cfg.encrypt_key, tb[SLICE_KEYCONF_A_ENCRYPT_KEY], SLICE_KEY_LEN);
	nla_memcpy(cfg.decrypt_key, tb[SLICE_KEYCONF_A_DECRYPT_KEY], SLICE_KEY_LEN);
	if (tb[SLICE_KEYCONF_A_LIMIT_PACKETS])
		cfg.limit_packets = nla_get_u64(tb[SLICE_KEYCONF_A_LIMIT_PACKETS]);
	if (tb[SLICE_KEYCONF_A_LIMIT_SECONDS])
		cfg.limit_seconds = nla_get_u32(tb[SLICE_KEYCONF_A_LIMIT_SECONDS]);

	key = slice_key_new(&cfg);
	memzero_explicit(&cfg, sizeof(cfg));
	if (IS_ERR(key)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[SLICE_KEYCONF_A_CIPHER],
				    "cannot set up the cipher with this key");
		return PTR_ERR(key);
	}
	err = slice_keyring_install(&peer->keys, nla_get_u32(tb[SLICE_KEYCONF_A_SLOT]), key);
	if (err == -EEXIST)
		NL_SET_ERR_MSG_ATTR(info->extack, tb[SLICE_KEYCONF_A_KEY_ID],
				    "the other slot's key has this KEY_ID");
	if (err)
		slice_key_put(key);
	return err;
}

int slice_nl_key_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[SLICE_KEYCONF_A_MAX + 1], *nest;
	struct slice_peer *peer;
	int err;

	peer = slice_nl_keyconf(info, tb, &nest);
	if (IS_ERR(peer))
		return PTR_ERR(peer);
	err = slice_keyring_remove(&peer->keys, nla_get_u32(tb[SLICE_KEYCONF_A_SLOT]));
	if (err == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, tb[SLICE_KEYCONF_A_SLOT], "the slot is empty");
	return err;
}

int slice_nl_key_swap_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[SLICE_PEER_A_MAX + 1];
	struct slice_peer *peer;
	int err;

	peer = slice_nl_peer(info, tb, slice_peer_id_input_nl_policy);
	if (IS_ERR(peer))
		return PTR_ERR(peer);
	err = slice_keyring_swap(&peer->keys);
	if (err == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, tb[SLICE_PEER_A_ID],
				    "the peer has no secondary key to swap in");
	return err;
}

/* IFINDEX and PEER { ID, KEYCONF { SLOT, KEY_ID, ... } }; @full adds the key's metadata. */
static int slice_nl_put_key(struct sk_buff *msg, struct slice_peer *peer, struct slice_key *key,
			    enum slice_key_slot slot, bool full)
{
	struct nlattr *peer_nest, *key_nest;

	if (nla_put_u32(msg, SLICE_A_IFINDEX, peer->slice->dev->ifindex))
		return -EMSGSIZE;
	peer_nest = nla_nest_start(msg, SLICE_A_PEER);
	if (!peer_nest || nla_put_u32(msg, SLICE_PEER_A_ID, peer->id))
		return -EMSGSIZE;
	key_nest = nla_nest_start(msg, SLICE_PEER_A_KEYCONF);
	if (!key_nest ||
	    nla_put_u32(msg, SLICE_KEYCONF_A_SLOT, slot) ||
	    nla_put_u8(msg, SLICE_KEYCONF_A_KEY_ID, key->key_id))
		return -EMSGSIZE;
	if (full &&
	    (nla_put_u32(msg, SLICE_KEYCONF_A_CIPHER, key->cipher) ||
	     nla_put_u64_64bit(msg, SLICE_KEYCONF_A_LIMIT_PACKETS, key->limit_packets,
			       SLICE_KEYCONF_A_PAD) ||
	     nla_put_u32(msg, SLICE_KEYCONF_A_LIMIT_SECONDS, key->limit_seconds) ||
	     nla_put_u64_64bit(msg, SLICE_KEYCONF_A_TX_PACKETS, slice_key_tx_packets(key),
			       SLICE_KEYCONF_A_PAD) ||
	     nla_put_u32(msg, SLICE_KEYCONF_A_AGE_SECONDS, slice_key_age_seconds(key))))
		return -EMSGSIZE;
	nla_nest_end(msg, key_nest);
	nla_nest_end(msg, peer_nest);
	return 0;
}

int slice_nl_key_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[SLICE_KEYCONF_A_MAX + 1], *nest;
	enum slice_key_slot slot;
	struct slice_peer *peer;
	struct slice_key *key;
	struct sk_buff *msg;
	void *hdr;
	int err;

	peer = slice_nl_keyconf(info, tb, &nest);
	if (IS_ERR(peer))
		return PTR_ERR(peer);
	slot = nla_get_u32(tb[SLICE_KEYCONF_A_SLOT]);
	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &slice_nl_family, 0, SLICE_CMD_KEY_GET);
	if (!hdr) {
		err = -EMSGSIZE;
		goto err_free_msg;
	}
	rcu_read_lock();
	key = slice_keyring_get(&peer->keys, slot);
	err = key ? slice_nl_put_key(msg, peer, key, slot, true) : -ENOENT;
	rcu_read_unlock();
	if (err) {
		if (err == -ENOENT)
			NL_SET_ERR_MSG_ATTR(info->extack, tb[SLICE_KEYCONF_A_SLOT],
					    "the slot is empty");
		goto err_free_msg;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free_msg:
	nlmsg_free(msg);
	return err;
}

static void slice_nl_multicast(struct slice_peer *peer, struct sk_buff *msg, gfp_t gfp)
{
	genlmsg_multicast_netns(&slice_nl_family, dev_net(peer->slice->dev), msg, 0,
				SLICE_NLGRP_EVENTS, gfp);
}

/**
 * slice_nl_peer_state_ntf - tell the events group that a peer went up or down
 * @peer: the peer, with its new effective state
 * @gfp: allocation context of the caller
 */
void slice_nl_peer_state_ntf(struct slice_peer *peer, gfp_t gfp)
{
	struct nlattr *nest;
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, gfp);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &slice_nl_family, 0, SLICE_CMD_PEER_STATE_NTF);
	if (!hdr)
		goto err_free_msg;
	if (nla_put_u32(msg, SLICE_A_IFINDEX, peer->slice->dev->ifindex))
		goto err_free_msg;
	nest = nla_nest_start(msg, SLICE_A_PEER);
	if (!nest ||
	    nla_put_u32(msg, SLICE_PEER_A_ID, peer->id) ||
	    nla_put_u8(msg, SLICE_PEER_A_STATE, slice_nl_peer_state(peer)))
		goto err_free_msg;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	slice_nl_multicast(peer, msg, gfp);
	return;

err_free_msg:
	nlmsg_free(msg);
}

/**
 * slice_nl_key_rotate_ntf - ask the events group for a new key
 * @peer: the peer
 * @key: its primary key, past a soft limit
 * @gfp: allocation context of the caller
 */
void slice_nl_key_rotate_ntf(struct slice_peer *peer, struct slice_key *key, gfp_t gfp)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, gfp);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &slice_nl_family, 0, SLICE_CMD_KEY_ROTATE_NTF);
	if (!hdr || slice_nl_put_key(msg, peer, key, SLICE_KEY_SLOT_PRIMARY, false))
		goto err_free_msg;
	genlmsg_end(msg, hdr);
	slice_nl_multicast(peer, msg, gfp);
	return;

err_free_msg:
	nlmsg_free(msg);
}

static struct genl_family slice_nl_family __ro_after_init = {
	.name = SLICE_GENL_NAME,
	.version = SLICE_GENL_VERSION,
	.maxattr = SLICE_A_MAX,
	.netnsok = true,
	.pre_doit = slice_nl_pre_doit,
	.post_doit = slice_nl_post_doit,
	.module = THIS_MODULE,
	.ops = slice_nl_ops,
	.n_ops = ARRAY_SIZE(slice_nl_ops),
	.mcgrps = slice_nl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(slice_nl_mcgrps),
};

/**
 * slice_nl_register - register the generic netlink family
 *
 * Return: 0 or a negative errno.
 */
int slice_nl_register(void)
{
	return genl_register_family(&slice_nl_family);
}

/**
 * slice_nl_unregister - unregister the generic netlink family
 */
void slice_nl_unregister(void)
{
	genl_unregister_family(&slice_nl_family);
}
