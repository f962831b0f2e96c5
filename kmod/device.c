// SPDX-License-Identifier: GPL-2.0
/*
 * slice: the slice network device (`ip link add NAME type slice`).
 *
 * An L3 point-to-point device without ARP whose transmit routes by the slice router. All
 * configuration arrives over generic netlink; the link itself needs nothing but its kind.
 */
#include <linux/if_arp.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <linux/rtnetlink.h>
#include <net/ip.h>
#include <net/pkt_sched.h>
#include <net/rtnetlink.h>

#include "datapath.h"
#include "device.h"
#include "peer.h"
#include "socket.h"

/**
 * slice_count - add to a counter of the device and, when known, of the peer
 * @slice: the device
 * @peer: the peer concerned, or NULL
 * @which: the counter
 * @n: how much
 *
 * Context: bottom halves disabled.
 */
void slice_count(struct slice_device *slice, struct slice_peer *peer,
		 enum slice_stats_a which, u64 n)
{
	slice_stats_add(slice->stats, which, n);
	if (peer)
		slice_stats_add(peer->stats, which, n);
}

/* Every slice device, in every namespace: a namespace's exit looks for its sockets; rtnl. */
static LIST_HEAD(slice_devices);

static int slice_dev_init(struct net_device *dev)
{
	struct slice_device *slice = netdev_priv(dev);
	int err;

	slice->stats = netdev_alloc_pcpu_stats(struct slice_stats);
	if (!slice->stats)
		return -ENOMEM;
	/* Not ours to read: the UDP tunnel helpers count outer packets into it. */
	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!dev->tstats) {
		err = -ENOMEM;
		goto err_free_stats;
	}
	err = slice_crypt_queue_init(&slice->crypt, dev);
	if (err)
		goto err_free_tstats;
	slice_qos_init(&slice->qos, dev);
	list_add(&slice->dev_node, &slice_devices);
	return 0;

err_free_tstats:
	free_percpu(dev->tstats);
err_free_stats:
	free_percpu(slice->stats);
	return err;
}

/* Unregistering (link deletion, netns exit, rmmod): undo the configuration. */
static void slice_dev_uninit(struct net_device *dev)
{
	struct slice_device *slice = netdev_priv(dev);
	struct slice_peer *peer, *tmp;

	list_del(&slice->dev_node);
	slice_qos_uninit(&slice->qos);
	slice_sock_close(slice);
	list_for_each_entry_safe(peer, tmp, &slice->peer_list, node)
		slice_peer_del(peer);
	slice_routes_flush(&slice->routes);
}

static void slice_dev_free(struct net_device *dev)
{
	struct slice_device *slice = netdev_priv(dev);

	/* Last: packets in crypto hold the device through their peers until they are done. */
	slice_crypt_queue_free(&slice->crypt);
	free_percpu(dev->tstats);
	free_percpu(slice->stats);
}

static void slice_get_stats64(struct net_device *dev, struct rtnl_link_stats64 *st)
{
	struct slice_device *slice = netdev_priv(dev);
	u64 c[__SLICE_STATS_A_MAX];

	slice_stats_sum(slice->stats, c);
	st->tx_packets = c[SLICE_STATS_A_TX_PACKETS];
	st->tx_bytes = c[SLICE_STATS_A_TX_BYTES];
	st->rx_packets = c[SLICE_STATS_A_RX_PACKETS];
	st->rx_bytes = c[SLICE_STATS_A_RX_BYTES];
	st->tx_dropped = c[SLICE_STATS_A_DROP_NO_ROUTE] + c[SLICE_STATS_A_DROP_NO_KEY] +
			 c[SLICE_STATS_A_DROP_NO_ENDPOINT];
	st->tx_carrier_errors = c[SLICE_STATS_A_DROP_NO_ROUTE];
	st->rx_dropped = c[SLICE_STATS_A_DROP_AUTH] + c[SLICE_STATS_A_DROP_REPLAY] +
			 c[SLICE_STATS_A_DROP_MALFORMED] + c[SLICE_STATS_A_DROP_SPOOFED];
	st->rx_crc_errors = c[SLICE_STATS_A_DROP_AUTH];
	st->rx_frame_errors = c[SLICE_STATS_A_DROP_MALFORMED];
}

static const struct net_device_ops slice_netdev_ops = {
	.ndo_init = slice_dev_init,
	.ndo_uninit = slice_dev_uninit,
	.ndo_start_xmit = slice_xmit,
	.ndo_get_stats64 = slice_get_stats64,
};

static const struct device_type slice_device_type = {
	.name = SLICE_LINK_KIND,
};

static void slice_setup(struct net_device *dev)
{
	struct slice_device *slice = netdev_priv(dev);
	netdev_features_t features = NETIF_F_HW_CSUM | NETIF_F_RXCSUM | NETIF_F_SG |
				     NETIF_F_GSO_SOFTWARE | NETIF_F_HIGHDMA;

	dev->netdev_ops = &slice_netdev_ops;
	SET_NETDEV_DEVTYPE(dev, &slice_device_type);
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	/* The QoS ceiling stops the queues: packets wait in a qdisc meanwhile, not dropped. */
	dev->tx_queue_len = DEFAULT_TX_QUEUE_LEN;
	/* icmp_ndo_send() needs the inner packet's route to answer "unreachable". */
	netif_keep_dst(dev);
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->needed_headroom = LL_MAX_HEADER + sizeof(struct ipv6hdr) + sizeof(struct udphdr) +
			       SLICE_WIRE_HDR_LEN;
	dev->needed_tailroom = SLICE_WIRE_TAG_LEN;
	dev->features |= NETIF_F_LLTX | features;
	dev->hw_features |= features;
	dev->hw_enc_features |= features;
	dev->mtu = SLICE_DEFAULT_MTU;
	dev->min_mtu = IPV4_MIN_MTU;
	dev->max_mtu = IP_MAX_MTU - SLICE_OVERHEAD;
	dev->needs_free_netdev = true;
	dev->priv_destructor = slice_dev_free;

	memset(slice, 0, sizeof(*slice));
	slice->dev = dev;
	slice_routes_init(&slice->routes);
	INIT_LIST_HEAD(&slice->peer_list);
	hash_init(slice->peers_by_id);
	RCU_INIT_POINTER(slice->sock, NULL);
}

static int slice_newlink(struct net *src_net, struct net_device *dev, struct nlattr *tb[],
			 struct nlattr *data[], struct netlink_ext_ack *extack)
{
	return register_netdevice(dev);
}

/*
 * A namespace goes: its sockets close, also those of devices that moved to another
 * namespace (they stay, without a socket). The devices in it are then removed by the
 * core, as every virtual device is, which stops their peers' timers.
 */
static void slice_net_pre_exit(struct net *net)
{
	struct slice_device *slice;

	rtnl_lock();
	list_for_each_entry(slice, &slice_devices, dev_node)
		slice_sock_net_exit(slice, net);
	rtnl_unlock();
}

struct pernet_operations slice_net_ops = {
	.pre_exit = slice_net_pre_exit,
};

struct rtnl_link_ops slice_link_ops __read_mostly = {
	.kind = SLICE_LINK_KIND,
	.priv_size = sizeof(struct slice_device),
	.setup = slice_setup,
	.newlink = slice_newlink,
};
