/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slice: the data path, inner packets to encrypted UDP datagrams and back.
 */
#ifndef _SLICE_DATAPATH_H
#define _SLICE_DATAPATH_H

#include <linux/netdevice.h>
#include <linux/skbuff.h>

struct slice_device;
struct slice_peer;

netdev_tx_t slice_xmit(struct sk_buff *skb, struct net_device *dev);
void slice_send_keepalive(struct slice_peer *peer);
void slice_send_crypt(struct sk_buff *skb);
void slice_send_work(struct work_struct *work);
int slice_receive(struct slice_device *slice, struct sock *sk, struct sk_buff *skb);
void slice_receive_crypt(struct sk_buff *skb);
int slice_receive_poll(struct napi_struct *napi, int budget);

#endif /* _SLICE_DATAPATH_H */
