// SPDX-License-Identifier: GPL-2.0
/*
 * slice: crypto on every CPU with delivery in order.
 *
 * As in WireGuard's queueing.c, a packet that cannot be sealed or opened at once waits in
 * two places: the device's ring, which a worker on every CPU drains, and its peer's queue
 * for its direction, which keeps the order packets must leave in. Whoever finishes a
 * packet's crypto marks it done and kicks the peer's queue, which releases its head for as
 * long as the head is done: sending from whichever context kicked it (one at a time), and
 * receiving from the peer's NAPI, so that delivery stays on one CPU at a time as GRO and the
 * inner TCP want. A packet that finds its peer's queue empty is sealed or opened inline by
 * the caller (send.c, receive.c): an idle tunnel pays no hand-off.
 */
#include <linux/cpumask.h>
#include <linux/percpu.h>

#include "datapath.h"
#include "queueing.h"

static void slice_crypt_work(struct work_struct *work)
{
	struct slice_crypt_worker *worker = container_of(work, struct slice_crypt_worker, work);
	struct sk_buff *skb;

	while ((skb = ptr_ring_consume_bh(&worker->queue->ring))) {
		/* The completions count per CPU and send or schedule NAPI: bottom halves off. */
		local_bh_disable();
		if (SLICE_SKB_CB(skb)->encrypt)
			slice_send_crypt(skb);
		else
			slice_receive_crypt(skb);
		local_bh_enable();
		cond_resched();
	}
}

/**
 * slice_crypt_queue_init - set up a device's ring and its per-CPU workers
 * @queue: the device's crypto queue
 * @dev: the device, whose name the workqueue takes
 *
 * Context: process, may sleep.
 * Return: 0 or -ENOMEM.
 */
int slice_crypt_queue_init(struct slice_crypt_queue *queue, struct net_device *dev)
{
	int cpu;

	if (ptr_ring_init(&queue->ring, SLICE_MAX_QUEUED, GFP_KERNEL))
		return -ENOMEM;
	queue->worker = alloc_percpu(struct slice_crypt_worker);
	if (!queue->worker)
		goto err_free_ring;
	for_each_possible_cpu(cpu) {
		struct slice_crypt_worker *worker = per_cpu_ptr(queue->worker, cpu);

		INIT_WORK(&worker->work, slice_crypt_work);
		worker->queue = queue;
	}
	queue->wq = alloc_workqueue("slice-crypt-%s", WQ_CPU_INTENSIVE | WQ_MEM_RECLAIM, 0,
				    dev->name);
	if (!queue->wq)
		goto err_free_worker;
	queue->last_cpu = -1;
	return 0;

err_free_worker:
	free_percpu(queue->worker);
err_free_ring:
	ptr_ring_cleanup(&queue->ring, NULL);
	return -ENOMEM;
}

/**
 * slice_crypt_queue_free - tear down a device's ring and workers
 * @queue: the device's crypto queue
 *
 * Every packet in the ring holds a reference to its peer and every peer one to the device,
 * so the ring is empty once the device has no references left.
 *
 * Context: process, may sleep; the device's last reference gone.
 */
void slice_crypt_queue_free(struct slice_crypt_queue *queue)
{
	destroy_workqueue(queue->wq);
	free_percpu(queue->worker);
	ptr_ring_cleanup(&queue->ring, NULL);
}

/* The next online CPU after the last one chosen, round robin. */
static int slice_crypt_next_cpu(struct slice_crypt_queue *queue)
{
	int cpu = cpumask_next(READ_ONCE(queue->last_cpu), cpu_online_mask);

	if (cpu >= nr_cpu_ids)
		cpu = cpumask_first(cpu_online_mask);
	WRITE_ONCE(queue->last_cpu, cpu);
	return cpu;
}

/**
 * slice_crypt_queue_add - hand a packet to the device's crypto workers
 * @queue: the device's crypto queue
 * @skb: the packet, its slice_skb_cb filled in
 *
 * Context: bottom halves disabled.
 * Return: true if queued; false if the ring is full (the caller fails the packet).
 */
bool slice_crypt_queue_add(struct slice_crypt_queue *queue, struct sk_buff *skb)
{
	int cpu;

	if (unlikely(ptr_ring_produce_bh(&queue->ring, skb)))
		return false;
	cpu = slice_crypt_next_cpu(queue);
	queue_work_on(cpu, queue->wq, &per_cpu_ptr(queue->worker, cpu)->work);
	return true;
}

/**
 * slice_peer_queues_init - empty queues for a new peer
 * @pq: the peer's queues
 * @id: the peer's id, which spreads peers' sending CPUs over the online ones
 * @tx_work: sends the head of the send queue
 */
void slice_peer_queues_init(struct slice_peer_queues *pq, u32 id, work_func_t tx_work)
{
	unsigned int n = id % num_online_cpus();
	int cpu;

	skb_queue_head_init(&pq->tx);
	skb_queue_head_init(&pq->rx);
	pq->tx_flushing = 0;
	INIT_WORK(&pq->tx_work, tx_work);
	for_each_online_cpu(cpu)
		if (!n--)
			break;
	pq->tx_cpu = cpu < nr_cpu_ids ? cpu : cpumask_first(cpu_online_mask);
}

/**
 * slice_peer_queues_start - let a peer's receive queue deliver
 * @pq: the peer's queues
 * @dev: the slice device
 * @rx_poll: delivers the done head of @pq->rx
 *
 * Context: rtnl held.
 */
void slice_peer_queues_start(struct slice_peer_queues *pq, struct net_device *dev,
			     int (*rx_poll)(struct napi_struct *, int))
{
	netif_napi_add(dev, &pq->napi, rx_poll);
	napi_enable(&pq->napi);
}

/**
 * slice_peer_queues_stop - stop delivering for a peer being removed
 * @pq: the peer's queues
 *
 * Packets still in crypto finish and stay queued; slice_peer_queues_purge() frees them.
 *
 * Context: rtnl held, may sleep.
 */
void slice_peer_queues_stop(struct slice_peer_queues *pq)
{
	napi_disable(&pq->napi);
	netif_napi_del(&pq->napi);
}

/**
 * slice_packet_drop - free a packet that has left crypto, with its key reference
 * @skb: the packet
 *
 * Context: any.
 */
void slice_packet_drop(struct sk_buff *skb)
{
	slice_key_put(SLICE_SKB_CB(skb)->key);
	kfree_skb(skb);
}

/**
 * slice_peer_queues_purge - free what a removed peer's queues still hold
 * @pq: the peer's queues
 *
 * Context: any; the peer's last reference gone, so no packet of it is in crypto.
 */
void slice_peer_queues_purge(struct slice_peer_queues *pq)
{
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(&pq->tx)))
		slice_packet_drop(skb);
	while ((skb = __skb_dequeue(&pq->rx)))
		slice_packet_drop(skb);
}

/**
 * slice_peer_queue_next - take a peer queue's head if its crypto has finished
 * @queue: a peer's send or receive queue
 *
 * Context: bottom halves disabled.
 * Return: the packet, done or dead, or NULL if the queue is empty or its head is pending.
 */
struct sk_buff *slice_peer_queue_next(struct sk_buff_head *queue)
{
	struct sk_buff *skb;

	spin_lock(&queue->lock);
	skb = skb_peek(queue);
	if (skb && slice_packet_state(skb) != SLICE_PACKET_PENDING)
		__skb_unlink(skb, queue);
	else
		skb = NULL;
	spin_unlock(&queue->lock);
	return skb;
}

/**
 * slice_peer_queue_ready - whether a peer queue's head has finished its crypto
 * @queue: a peer's send or receive queue
 *
 * Context: bottom halves disabled.
 * Return: true if slice_peer_queue_next() would return a packet.
 */
bool slice_peer_queue_ready(struct sk_buff_head *queue)
{
	struct sk_buff *skb;
	bool ready;

	spin_lock(&queue->lock);
	skb = skb_peek(queue);
	ready = skb && slice_packet_state(skb) != SLICE_PACKET_PENDING;
	spin_unlock(&queue->lock);
	return ready;
}
