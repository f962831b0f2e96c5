// SPDX-License-Identifier: GPL-2.0
/*
 * slice: AEAD keys of the data path and the two key slots of a peer.
 *
 * Transforms are allocated synchronous (CRYPTO_ALG_ASYNC masked out) so that sealing and
 * opening complete in the softirq that calls them; the request, nonce and scatterlist of a
 * packet live in one GFP_ATOMIC allocation, as in ovpn.
 */
#include <crypto/aead.h>
#include <linux/jiffies.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "crypto.h"
#include "wire.h"

static const char *const slice_cipher_alg[] = {
	[SLICE_CIPHER_AES_256_GCM] = "gcm(aes)",
	[SLICE_CIPHER_CHACHA20_POLY1305] = "rfc7539(chacha20,poly1305)",
};

static struct crypto_aead *slice_aead_new(enum slice_cipher cipher, const u8 *material)
{
	struct crypto_aead *tfm;
	int err;

	tfm = crypto_alloc_aead(slice_cipher_alg[cipher], 0, CRYPTO_ALG_ASYNC);
	if (IS_ERR(tfm))
		return tfm;
	err = crypto_aead_setkey(tfm, material, SLICE_KEY_LEN);
	if (err)
		goto err_free_tfm;
	err = crypto_aead_setauthsize(tfm, SLICE_WIRE_TAG_LEN);
	if (err)
		goto err_free_tfm;
	return tfm;

err_free_tfm:
	crypto_free_aead(tfm);
	return ERR_PTR(err);
}

/**
 * slice_key_new - allocate a key and its two transforms
 * @cfg: cipher, key id, material and soft limits (zero limits take the defaults)
 *
 * Context: process, may sleep.
 * Return: the key with one reference, or an ERR_PTR().
 */
struct slice_key *slice_key_new(const struct slice_key_config *cfg)
{
	struct slice_key *key;
	int err;

	if (cfg->cipher != SLICE_CIPHER_AES_256_GCM &&
	    cfg->cipher != SLICE_CIPHER_CHACHA20_POLY1305)
		return ERR_PTR(-EINVAL);
	key = kzalloc(sizeof(*key), GFP_KERNEL);
	if (!key)
		return ERR_PTR(-ENOMEM);
	key->encrypt = slice_aead_new(cfg->cipher, cfg->encrypt_key);
	if (IS_ERR(key->encrypt)) {
		err = PTR_ERR(key->encrypt);
		goto err_free_key;
	}
	key->decrypt = slice_aead_new(cfg->cipher, cfg->decrypt_key);
	if (IS_ERR(key->decrypt)) {
		err = PTR_ERR(key->decrypt);
		goto err_free_encrypt;
	}
	kref_init(&key->refcount);
	key->cipher = cfg->cipher;
	key->key_id = cfg->key_id;
	key->limit_packets = cfg->limit_packets ?: SLICE_KEY_DEFAULT_LIMIT_PACKETS;
	key->limit_seconds = cfg->limit_seconds ?: SLICE_KEY_DEFAULT_LIMIT_SECONDS;
	key->created = get_jiffies_64();
	atomic64_set(&key->tx_counter, 0);
	slice_replay_init(&key->replay);
	return key;

err_free_encrypt:
	crypto_free_aead(key->encrypt);
err_free_key:
	kfree(key);
	return ERR_PTR(err);
}

static void slice_key_release(struct kref *kref)
{
	struct slice_key *key = container_of(kref, struct slice_key, refcount);

	crypto_free_aead(key->encrypt);
	crypto_free_aead(key->decrypt);
	kfree_sensitive(key);
}

/**
 * slice_key_put - drop a reference to a key
 * @key: the key, or NULL
 *
 * Context: any; readers must be done with @key (see slice_keyring_*).
 */
void slice_key_put(struct slice_key *key)
{
	if (key)
		kref_put(&key->refcount, slice_key_release);
}

/**
 * slice_key_age_seconds - time since the key was installed
 * @key: the key
 *
 * Return: age in seconds, saturated at U32_MAX.
 */
u32 slice_key_age_seconds(const struct slice_key *key)
{
	u64 age = div_u64(get_jiffies_64() - key->created, HZ);

	return min_t(u64, age, U32_MAX);
}

/**
 * slice_key_tx_packets - packets sealed with the key so far
 * @key: the key
 *
 * Return: the count, which stops growing at the hard limit.
 */
u64 slice_key_tx_packets(const struct slice_key *key)
{
	return min_t(u64, atomic64_read(&key->tx_counter), SLICE_COUNTER_LIMIT);
}

/**
 * slice_key_take_counter - reserve the counter of the next packet sealed with a key
 * @key: the key
 * @counter: where the counter goes
 *
 * Past a soft limit the key still sends but userspace is asked, once, for a new key; past a
 * hard limit (SLICE_COUNTER_LIMIT packets, or half as old again as the soft age limit, as
 * WireGuard's REJECT_AFTER_TIME is to REKEY_AFTER_TIME) it sends no more.
 *
 * Context: any.
 * Return: the verdict.
 */
enum slice_key_send slice_key_take_counter(struct slice_key *key, u64 *counter)
{
	u64 age = slice_key_age_seconds(key);
	u64 hard_age = (u64)key->limit_seconds + key->limit_seconds / 2;
	u64 c = atomic64_read(&key->tx_counter);
	bool rotate;

	/* Stop incrementing at the limit so that the counter can never wrap. */
	while (c < SLICE_COUNTER_LIMIT && !atomic64_try_cmpxchg(&key->tx_counter, &c, c + 1))
		;
	rotate = c >= key->limit_packets || age >= key->limit_seconds;
	if (rotate && test_and_set_bit(0, &key->rotate_asked))
		rotate = false;
	if (c >= SLICE_COUNTER_LIMIT || age >= hard_age)
		return SLICE_KEY_EXPIRED;
	*counter = c;
	return rotate ? SLICE_KEY_SEND_ASK_ROTATE : SLICE_KEY_SEND;
}

static int slice_aead_run(struct crypto_aead *tfm, struct sk_buff *skb, int nfrags,
			  u64 counter, unsigned int cryptlen, bool encrypt)
{
	size_t sg_off = ALIGN(SLICE_WIRE_NONCE_LEN, __alignof__(struct scatterlist));
	size_t req_off = ALIGN(sg_off + nfrags * sizeof(struct scatterlist), CRYPTO_MINALIGN);
	struct aead_request *req;
	struct scatterlist *sg;
	u8 *tmp;
	int err;

	tmp = kmalloc(req_off + sizeof(*req) + crypto_aead_reqsize(tfm), GFP_ATOMIC);
	if (unlikely(!tmp))
		return -ENOMEM;
	sg = (struct scatterlist *)(tmp + sg_off);
	req = (struct aead_request *)(tmp + req_off);

	slice_wire_nonce(tmp, counter);
	sg_init_table(sg, nfrags);
	err = skb_to_sgvec(skb, sg, 0, skb->len);
	if (unlikely(err < 0))
		goto out;
	aead_request_set_tfm(req, tfm);
	aead_request_set_callback(req, 0, NULL, NULL);
	aead_request_set_crypt(req, sg, sg, cryptlen, tmp);
	aead_request_set_ad(req, SLICE_WIRE_HDR_LEN);
	err = encrypt ? crypto_aead_encrypt(req) : crypto_aead_decrypt(req);
out:
	kfree(tmp);
	return err;
}

/**
 * slice_key_seal - turn an inner packet into the payload of a data packet
 * @key: the sending key
 * @skb: the inner packet, becomes header, ciphertext and tag
 * @sender_id: this gateway's id
 * @counter: from slice_key_take_counter()
 *
 * Context: any (no sleeping).
 * Return: 0, or a negative errno with @skb left for the caller to free.
 */
int slice_key_seal(struct slice_key *key, struct sk_buff *skb, u32 sender_id, u64 counter)
{
	struct slice_wire_hdr hdr = {
		.key_id = key->key_id,
		.sender_id = sender_id,
		.counter = counter,
	};
	unsigned int plain_len = skb->len;
	struct sk_buff *trailer;
	int nfrags;

	if (unlikely(skb_cow_head(skb, SLICE_WIRE_HDR_LEN)))
		return -ENOMEM;
	slice_wire_hdr_encode(skb_push(skb, SLICE_WIRE_HDR_LEN), &hdr);
	nfrags = skb_cow_data(skb, SLICE_WIRE_TAG_LEN, &trailer);
	if (unlikely(nfrags < 0))
		return nfrags;
	pskb_put(skb, trailer, SLICE_WIRE_TAG_LEN);
	return slice_aead_run(key->encrypt, skb, nfrags, counter, plain_len, true);
}

/**
 * slice_key_open - authenticate and decrypt a data packet
 * @key: the key its header names
 * @skb: header, ciphertext and tag; becomes the inner packet
 * @counter: the counter from its header
 *
 * Context: any (no sleeping).
 * Return: 0, -EBADMSG if authentication failed, or another negative errno.
 */
int slice_key_open(struct slice_key *key, struct sk_buff *skb, u64 counter)
{
	struct sk_buff *trailer;
	int nfrags, err;

	if (unlikely(skb->len < SLICE_WIRE_HDR_LEN + SLICE_WIRE_TAG_LEN))
		return -EBADMSG;
	nfrags = skb_cow_data(skb, 0, &trailer);
	if (unlikely(nfrags < 0))
		return nfrags;
	err = slice_aead_run(key->decrypt, skb, nfrags, counter,
			     skb->len - SLICE_WIRE_HDR_LEN, false);
	if (err)
		return err;
	err = pskb_trim(skb, skb->len - SLICE_WIRE_TAG_LEN);
	if (unlikely(err))
		return err;
	__skb_pull(skb, SLICE_WIRE_HDR_LEN);
	return 0;
}

/**
 * slice_keyring_init - start with both slots empty
 * @kr: the key slots
 */
void slice_keyring_init(struct slice_keyring *kr)
{
	mutex_init(&kr->lock);
	RCU_INIT_POINTER(kr->slots, NULL);
}

static void slice_key_slots_free_rcu(struct rcu_head *rcu)
{
	struct slice_key_slots *slots = container_of(rcu, struct slice_key_slots, rcu);
	int i;

	for (i = 0; i < __SLICE_KEY_SLOT_MAX; i++)
		slice_key_put(slots->key[i]);
	kfree(slots);
}

/* Publishes @primary and @secondary (references taken here) as the new set. */
static int slice_keyring_publish(struct slice_keyring *kr, struct slice_key *primary,
				 struct slice_key *secondary)
{
	struct slice_key_slots *new = NULL, *old;

	if (primary || secondary) {
		new = kzalloc(sizeof(*new), GFP_KERNEL);
		if (!new)
			return -ENOMEM;
		new->key[SLICE_KEY_SLOT_PRIMARY] = primary;
		new->key[SLICE_KEY_SLOT_SECONDARY] = secondary;
		if (primary)
			kref_get(&primary->refcount);
		if (secondary)
			kref_get(&secondary->refcount);
	}
	old = rcu_replace_pointer(kr->slots, new, lockdep_is_held(&kr->lock));
	if (old)
		call_rcu(&old->rcu, slice_key_slots_free_rcu);
	return 0;
}

static struct slice_key *slice_keyring_slot(struct slice_keyring *kr, enum slice_key_slot slot)
{
	struct slice_key_slots *slots;

	slots = rcu_dereference_protected(kr->slots, lockdep_is_held(&kr->lock));
	return slots ? slots->key[slot] : NULL;
}

/**
 * slice_keyring_install - put a key in a slot, replacing what was there
 * @kr: the key slots
 * @slot: which slot
 * @key: the new key; the caller's reference passes to @kr on success
 *
 * Context: process, may sleep.
 * Return: 0 or -ENOMEM.
 */
int slice_keyring_install(struct slice_keyring *kr, enum slice_key_slot slot,
			  struct slice_key *key)
{
	struct slice_key *keys[__SLICE_KEY_SLOT_MAX];
	int err;

	mutex_lock(&kr->lock);
	keys[SLICE_KEY_SLOT_PRIMARY] = slice_keyring_slot(kr, SLICE_KEY_SLOT_PRIMARY);
	keys[SLICE_KEY_SLOT_SECONDARY] = slice_keyring_slot(kr, SLICE_KEY_SLOT_SECONDARY);
	keys[slot] = key;
	err = slice_keyring_publish(kr, keys[SLICE_KEY_SLOT_PRIMARY],
				    keys[SLICE_KEY_SLOT_SECONDARY]);
	mutex_unlock(&kr->lock);
	if (!err)
		slice_key_put(key);
	return err;
}

/**
 * slice_keyring_remove - empty a slot
 * @kr: the key slots
 * @slot: which slot
 *
 * Context: process, may sleep.
 * Return: 0, -ENOENT if the slot was empty, or -ENOMEM.
 */
int slice_keyring_remove(struct slice_keyring *kr, enum slice_key_slot slot)
{
	struct slice_key *keys[__SLICE_KEY_SLOT_MAX];
	int err = -ENOENT;

	mutex_lock(&kr->lock);
	keys[SLICE_KEY_SLOT_PRIMARY] = slice_keyring_slot(kr, SLICE_KEY_SLOT_PRIMARY);
	keys[SLICE_KEY_SLOT_SECONDARY] = slice_keyring_slot(kr, SLICE_KEY_SLOT_SECONDARY);
	if (keys[slot]) {
		keys[slot] = NULL;
		err = slice_keyring_publish(kr, keys[SLICE_KEY_SLOT_PRIMARY],
					    keys[SLICE_KEY_SLOT_SECONDARY]);
	}
	mutex_unlock(&kr->lock);
	return err;
}

/**
 * slice_keyring_swap - make the secondary key primary and the primary secondary
 * @kr: the key slots
 *
 * Context: process, may sleep.
 * Return: 0, -ENOENT if the secondary slot is empty, or -ENOMEM.
 */
int slice_keyring_swap(struct slice_keyring *kr)
{
	struct slice_key *primary, *secondary;
	int err = -ENOENT;

	mutex_lock(&kr->lock);
	primary = slice_keyring_slot(kr, SLICE_KEY_SLOT_PRIMARY);
	secondary = slice_keyring_slot(kr, SLICE_KEY_SLOT_SECONDARY);
	if (secondary)
		err = slice_keyring_publish(kr, secondary, primary);
	mutex_unlock(&kr->lock);
	return err;
}

/**
 * slice_keyring_clear - drop both keys
 * @kr: the key slots
 *
 * Context: process, may sleep.
 */
void slice_keyring_clear(struct slice_keyring *kr)
{
	mutex_lock(&kr->lock);
	slice_keyring_publish(kr, NULL, NULL);
	mutex_unlock(&kr->lock);
}

/**
 * slice_keyring_get - the key in a slot; the primary one is the key to send with
 * @kr: the key slots
 * @slot: which slot
 *
 * Context: rcu_read_lock() held; the key is valid until it is dropped.
 * Return: the key or NULL.
 */
struct slice_key *slice_keyring_get(struct slice_keyring *kr, enum slice_key_slot slot)
{
	struct slice_key_slots *slots = rcu_dereference(kr->slots);

	return slots ? slots->key[slot] : NULL;
}

/**
 * slice_keyring_find - the key a received packet names
 * @kr: the key slots
 * @key_id: from the packet's header
 *
 * Context: rcu_read_lock() held; the key is valid until it is dropped.
 * Return: the primary key if its id matches, else the secondary if its id does, else NULL.
 */
struct slice_key *slice_keyring_find(struct slice_keyring *kr, u8 key_id)
{
	struct slice_key_slots *slots = rcu_dereference(kr->slots);
	int i;

	if (!slots)
		return NULL;
	for (i = 0; i < __SLICE_KEY_SLOT_MAX; i++)
		if (slots->key[i] && slots->key[i]->key_id == key_id)
			return slots->key[i];
	return NULL;
}
