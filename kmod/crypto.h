/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slice: AEAD keys of the data path and the two key slots of a peer.
 */
#ifndef _SLICE_CRYPTO_H
#define _SLICE_CRYPTO_H

#include <linux/bits.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/skbuff.h>
#include <linux/slice.h>

#include "replay.h"

/* Soft limits when userspace gives none: rotation is asked for past either. */
#define SLICE_KEY_DEFAULT_LIMIT_PACKETS	BIT_ULL(32)
#define SLICE_KEY_DEFAULT_LIMIT_SECONDS	3600

struct crypto_aead;

/**
 * typedef slice_crypt_done_t - completion of a seal or open that did not finish at once
 * @skb: the packet
 * @err: 0, -EBADMSG if it did not authenticate, or another negative errno
 *
 * Context: softirq, or process with bottom halves disabled (the crypto driver's).
 */
typedef void (*slice_crypt_done_t)(struct sk_buff *skb, int err);

/**
 * struct slice_crypt_cb - what a seal or open in flight keeps at the start of skb->cb
 * @done: called with the result if the operation went asynchronous
 * @tmp: the request, nonce and scatterlist, freed when the operation completes
 *
 * The data path's own per-packet state follows it in the same cb (struct slice_skb_cb).
 */
struct slice_crypt_cb {
	slice_crypt_done_t done;
	void *tmp;
};

#define SLICE_CRYPT_CB(skb)	((struct slice_crypt_cb *)(skb)->cb)

/**
 * struct slice_key_config - what userspace gives for a new key
 * @cipher: SLICE_CIPHER_*
 * @key_id: carried in every packet sealed with the key
 * @encrypt_key: key material for sending
 * @decrypt_key: key material for receiving
 * @limit_packets: soft limit on packets sealed
 * @limit_seconds: soft limit on age
 */
struct slice_key_config {
	enum slice_cipher cipher;
	u8 key_id;
	u8 encrypt_key[SLICE_KEY_LEN];
	u8 decrypt_key[SLICE_KEY_LEN];
	u64 limit_packets;
	u32 limit_seconds;
};

/**
 * struct slice_key - one key in a slot: immutable but for its counters
 * @refcount: one per key slot set holding the key
 * @encrypt: AEAD transform for sending (AES-256-GCM)
 * @decrypt: AEAD transform for receiving (AES-256-GCM)
 * @encrypt_key: key material for sending (ChaCha20-Poly1305, through the library)
 * @decrypt_key: key material for receiving (ChaCha20-Poly1305)
 * @cipher: SLICE_CIPHER_*
 * @key_id: carried in every packet sealed with the key
 * @limit_packets: soft limit on packets sealed
 * @limit_seconds: soft limit on age
 * @created: jiffies at creation
 * @tx_counter: next counter to send; atomic so that senders need no lock
 * @rotate_asked: set once when userspace has been asked for a new key
 * @replay: counters received under this key
 */
struct slice_key {
	struct kref refcount;
	struct crypto_aead *encrypt;
	struct crypto_aead *decrypt;
	u8 encrypt_key[SLICE_KEY_LEN];
	u8 decrypt_key[SLICE_KEY_LEN];
	enum slice_cipher cipher;
	u8 key_id;
	u64 limit_packets;
	u32 limit_seconds;
	u64 created;
	atomic64_t tx_counter;
	unsigned long rotate_asked;
	struct slice_replay replay;
};

/**
 * struct slice_key_slots - the keys of a peer, replaced as a whole
 * @rcu: frees the set after readers are done
 * @key: a key per slot, or NULL
 */
struct slice_key_slots {
	struct rcu_head rcu;
	struct slice_key *key[__SLICE_KEY_SLOT_MAX];
};

/**
 * struct slice_keyring - a peer's key slots
 * @lock: serialises changes
 * @slots: current set; readers hold rcu_read_lock(), writers @lock
 *
 * Every change publishes a new set, so a reader sees both slots from before or both from
 * after a swap, never a half-swapped pair: no packet is lost to a swap.
 */
struct slice_keyring {
	struct mutex lock; /* serialises changes */
	struct slice_key_slots __rcu *slots;
};

/**
 * enum slice_key_send - verdict of slice_key_take_counter()
 * @SLICE_KEY_SEND: send with the counter
 * @SLICE_KEY_SEND_ASK_ROTATE: send, and ask userspace for a new key (happens once per key)
 * @SLICE_KEY_EXPIRED: past a hard limit, do not send
 */
enum slice_key_send {
	SLICE_KEY_SEND,
	SLICE_KEY_SEND_ASK_ROTATE,
	SLICE_KEY_EXPIRED,
};

struct slice_key *slice_key_new(const struct slice_key_config *cfg);
void slice_key_put(struct slice_key *key);

/**
 * slice_key_get - take another reference to a key
 * @key: a key the caller holds, or reads under rcu_read_lock() from a key slot set
 *
 * A key read from a slot set under RCU holds the set's reference until a grace period
 * after the set was replaced, so it is never at zero here.
 *
 * Return: @key.
 */
static inline struct slice_key *slice_key_get(struct slice_key *key)
{
	kref_get(&key->refcount);
	return key;
}

enum slice_key_send slice_key_take_counter(struct slice_key *key, u64 *counter);
u64 slice_key_tx_packets(const struct slice_key *key);
u32 slice_key_age_seconds(const struct slice_key *key);
int slice_key_seal(struct slice_key *key, struct sk_buff *skb, u32 sender_id, u64 counter,
		   slice_crypt_done_t done);
int slice_key_open(struct slice_key *key, struct sk_buff *skb, u64 counter,
		   slice_crypt_done_t done);

void slice_keyring_init(struct slice_keyring *kr);
int slice_keyring_install(struct slice_keyring *kr, enum slice_key_slot slot,
			  struct slice_key *key);
int slice_keyring_remove(struct slice_keyring *kr, enum slice_key_slot slot);
int slice_keyring_swap(struct slice_keyring *kr);
void slice_keyring_clear(struct slice_keyring *kr);
struct slice_key *slice_keyring_get(struct slice_keyring *kr, enum slice_key_slot slot);
struct slice_key *slice_keyring_find(struct slice_keyring *kr, u8 key_id);

#endif /* _SLICE_CRYPTO_H */
