/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slice: crypto on every CPU with delivery in order (WireGuard's queueing model).
 */
#ifndef _SLICE_QUEUEING_H
#define _SLICE_QUEUEING_H

#include <linux/atomic.h>
#include <linux/netdevice.h>
#include <linux/ptr_ring.h>
#include <linux/skbuff.h>
#include <linux/workqueue.h>

#include "crypto.h"

struct slice_peer;

/* Packets waiting for crypto per device, and waiting for their turn per peer and direction. */
#define SLICE_MAX_QUEUED	1024

/**
 * enum slice_packet_state - how far a queued packet got
 * @SLICE_PACKET_PENDING: being sealed or opened
 * @SLICE_PACKET_DONE: sealed, or opened and authenticated
 * @SLICE_PACKET_DEAD: failed (authentication, memory, a full queue): dropped in its turn
 */
enum slice_packet_state {
	SLICE_PACKET_PENDING,
	SLICE_PACKET_DONE,
	SLICE_PACKET_DEAD,
};

/**
 * struct slice_skb_cb - a data packet's state from the device to the wire and back
 * @crypt: the crypto operation's (first, see struct slice_crypt_cb)
 * @peer: the peer; the packet holds a reference while its crypto runs
 * @key: the key that seals or opens it; the packet holds a reference until its turn
 * @counter: the packet's counter, its nonce
 * @state: enum slice_packet_state; set with release once the crypto finished
 * @tos: the outer DS field (send)
 * @encrypt: sealing (send) rather than opening (receive)
 * @xnet: the packet crossed network namespaces (receive: the socket's is not the device's)
 */
struct slice_skb_cb {
	struct slice_crypt_cb crypt;
	struct slice_peer *peer;
	struct slice_key *key;
	u64 counter;
	atomic_t state;
	u8 tos;
	bool encrypt;
	bool xnet;
};

#define SLICE_SKB_CB(skb)	((struct slice_skb_cb *)(skb)->cb)

/**
 * struct slice_crypt_worker - one CPU's crypto worker of a device
 * @work: drains the device's ring
 * @queue: the device's crypto queue
 */
struct slice_crypt_worker {
	struct work_struct work;
	struct slice_crypt_queue *queue;
};

/**
 * struct slice_crypt_queue - a device's packets waiting for a CPU to seal or open them
 * @ring: the packets; multi-producer, multi-consumer (its own locks)
 * @wq: the workers' workqueue
 * @worker: a worker per CPU, all draining @ring
 * @last_cpu: the CPU the last packet was handed to (round robin; races are harmless)
 */
struct slice_crypt_queue {
	struct ptr_ring ring;
	struct workqueue_struct *wq;
	struct slice_crypt_worker __percpu *worker;
	int last_cpu;
};

/**
 * struct slice_peer_queues - a peer's packets in the order they must leave, per direction
 * @tx: sealed or being sealed, oldest first; its own lock
 * @tx_flushing: bit 0 set while one context sends the head of @tx
 * @tx_cpu: the CPU that sends what the workers sealed (fixed per peer, as WireGuard's
 *	serial work: packets sent from two CPUs can overtake each other in the underlay's
 *	per-CPU backlogs)
 * @tx_work: sends the head of @tx on @tx_cpu; holds a peer reference while queued
 * @rx: opened or being opened, oldest first; its own lock
 * @napi: delivers the head of @rx, one CPU at a time
 */
struct slice_peer_queues {
	struct sk_buff_head tx;
	unsigned long tx_flushing;
	int tx_cpu;
	struct work_struct tx_work;
	struct sk_buff_head rx;
	struct napi_struct napi;
};

int slice_crypt_queue_init(struct slice_crypt_queue *queue, struct net_device *dev);
void slice_crypt_queue_free(struct slice_crypt_queue *queue);
bool slice_crypt_queue_add(struct slice_crypt_queue *queue, struct sk_buff *skb);

void slice_peer_queues_init(struct slice_peer_queues *pq, u32 id, work_func_t tx_work);
void slice_peer_queues_start(struct slice_peer_queues *pq, struct net_device *dev,
			     int (*rx_poll)(struct napi_struct *, int));
void slice_peer_queues_stop(struct slice_peer_queues *pq);
void slice_peer_queues_purge(struct slice_peer_queues *pq);

void slice_packet_drop(struct sk_buff *skb);
struct sk_buff *slice_peer_queue_next(struct sk_buff_head *queue);
bool slice_peer_queue_ready(struct sk_buff_head *queue);

/**
 * slice_packet_set_done - publish the result of a packet's crypto
 * @skb: the packet
 * @err: 0 for success
 *
 * Everything the crypto wrote to the packet is visible to whoever reads the state after.
 */
static inline void slice_packet_set_done(struct sk_buff *skb, int err)
{
	atomic_set_release(&SLICE_SKB_CB(skb)->state,
			   err ? SLICE_PACKET_DEAD : SLICE_PACKET_DONE);
}

/**
 * slice_packet_state - read a packet's state, with acquire
 * @skb: the packet
 *
 * Return: enum slice_packet_state.
 */
static inline int slice_packet_state(struct sk_buff *skb)
{
	return atomic_read_acquire(&SLICE_SKB_CB(skb)->state);
}

#endif /* _SLICE_QUEUEING_H */
