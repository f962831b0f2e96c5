// SPDX-License-Identifier: GPL-2.0
/*
 * slice: AEAD keys of the data path and the two key slots of a peer.
 *
 * AES-256-GCM goes through the crypto API with whichever implementation ranks first, the
 * asynchronous ones included: that is the fused AES-NI/PCLMULQDQ GCM, whose SIMD wrapper
 * runs inline when the FPU is usable and hands the request to cryptd when it is not. The
 * request, nonce and scatterlist of a packet live in one GFP_ATOMIC allocation, as in ovpn;
 * when the request goes asynchronous its address waits in skb->cb and the callback frees
 * it (as ovpn, esp4 and macsec do). ChaCha20-Poly1305 goes through the library WireGuard
 * uses, one pass over the data that always completes at once; its nonce is the same
 * 96 bits as the RFC 7539 construction's, so the wire format does not depend on which.
 */
#include <crypto/aead.h>
#include <crypto/chacha20poly1305.h>
#include <linux/jiffies.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "crypto.h"
#include "wire.h"

/* Scatterlist entries of a packet ChaCha20-Poly1305 seals in place (WireGuard's bound). */
#define SLICE_CHACHA_MAX_SG	(MAX_SKB_FRAGS + 8)

static struct crypto_aead *slice_gcm_new(const u8 *material)
{
	struct crypto_aead *tfm;
	int err;

	tfm = crypto_alloc_aead("gcm(aes)", 0, 0);
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

/* AES-256-GCM gets its two transforms; ChaCha20-Poly1305 keeps the material itself. */
static int slice_key_init_cipher(struct slice_key *key, const struct slice_key_config *cfg)
{
	if (cfg->cipher == SLICE_CIPHER_CHACHA20_POLY1305) {
		memcpy(key->encrypt_key, cfg->encrypt_key, SLICE_KEY_LEN);
		memcpy(key->decrypt_key, cfg->decrypt_key, SLICE_KEY_LEN);
		return 0;
	}
	key->encrypt = slice_gcm_new(cfg->encrypt_key);
	if (IS_ERR(key->encrypt))
		return PTR_ERR(key->encrypt);
	key->decrypt = slice_gcm_new(cfg->decrypt_key);
	if (IS_ERR(key->decrypt)) {
		crypto_free_aead(key->encrypt);
		return PTR_ERR(key->decrypt);
	}
	return 0;
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
	err = slice_key_init_cipher(key, cfg);
	if (err) {
		kfree(key);
		return ERR_PTR(err);
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

/* Strips what opening leaves around the inner packet: the tag and the header. */
static int slice_open_finish(struct sk_buff *skb)
{
	int err = pskb_trim(skb, skb->len - SLICE_WIRE_TAG_LEN);

	if (unlikely(err))
		return err;
	__skb_pull(skb, SLICE_WIRE_HDR_LEN);
	return 0;
}

static void slice_aead_done(struct sk_buff *skb, int err, bool encrypt)
{
	kfree(SLICE_CRYPT_CB(skb)->tmp);
	if (!err && !encrypt)
		err = slice_open_finish(skb);
	SLICE_CRYPT_CB(skb)->done(skb, err);
}

static void slice_aead_seal_done(struct crypto_async_request *areq, int err)
{
	/* A backlogged request has only moved into the queue: the real completion follows. */
	if (err == -EINPROGRESS)
		return;
	slice_aead_done(areq->data, err, true);
}

static void slice_aead_open_done(struct crypto_async_request *areq, int err)
{
	if (err == -EINPROGRESS)
		return;
	slice_aead_done(areq->data, err, false);
}

/* Runs a crypto API AEAD over header (associated data) and payload; -EINPROGRESS if async. */
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
	SLICE_CRYPT_CB(skb)->tmp = tmp;
	aead_request_set_tfm(req, tfm);
	aead_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG,
				  encrypt ? slice_aead_seal_done : slice_aead_open_done, skb);
	aead_request_set_crypt(req, sg, sg, cryptlen, tmp);
	aead_request_set_ad(req, SLICE_WIRE_HDR_LEN);
	err = encrypt ? crypto_aead_encrypt(req) : crypto_aead_decrypt(req);
	/* -EBUSY: backlogged, which MAY_BACKLOG allows; the callback completes it too. */
	if (err == -EINPROGRESS || err == -EBUSY)
		return -EINPROGRESS;
out:
	kfree(tmp);
	return err;
}

/*
 * Runs ChaCha20-Poly1305 in place over what follows the header, with the header as
 * associated data. The library's 64-bit nonce fills the last eight bytes of the 96-bit one
 * (little-endian), where the wire nonce carries the counter.
 */
static int slice_chacha_run(const u8 *material, struct sk_buff *skb, int nfrags, u64 counter,
			    unsigned int len, bool encrypt)
{
	struct scatterlist sg[SLICE_CHACHA_MAX_SG];
	u8 nonce[SLICE_WIRE_NONCE_LEN];
	u64 nonce64;
	bool ok;
	int err;

	if (unlikely(nfrags > ARRAY_SIZE(sg)))
		return -EMSGSIZE;
	slice_wire_nonce(nonce, counter);
	nonce64 = get_unaligned_le64(nonce + 4);
	sg_init_table(sg, nfrags);
	err = skb_to_sgvec(skb, sg, SLICE_WIRE_HDR_LEN, skb->len - SLICE_WIRE_HDR_LEN);
	if (unlikely(err < 0))
		return err;
	if (encrypt)
		ok = chacha20poly1305_encrypt_sg_inplace(sg, len, skb->data, SLICE_WIRE_HDR_LEN,
							 nonce64, material);
	else
		ok = chacha20poly1305_decrypt_sg_inplace(sg, len, skb->data, SLICE_WIRE_HDR_LEN,
							 nonce64, material);
	return ok ? 0 : -EBADMSG;
}

/**
 * slice_key_seal - turn an inner packet into the payload of a data packet
 * @key: the sending key
 * @skb: the inner packet, becomes header, ciphertext and tag
 * @sender_id: this gateway's id
 * @counter: from slice_key_take_counter()
 * @done: called with the result if sealing goes asynchronous
 *
 * Uses the start of skb->cb (struct slice_crypt_cb) while it runs. The caller keeps @key
 * alive until the packet is sealed.
 *
 * Context: any (no sleeping).
 * Return: 0 when sealed, -EINPROGRESS when @done will be called (the packet belongs to the
 * operation until then), or another negative errno with @skb left for the caller to free.
 */
int slice_key_seal(struct slice_key *key, struct sk_buff *skb, u32 sender_id, u64 counter,
		   slice_crypt_done_t done)
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
	if (key->cipher == SLICE_CIPHER_CHACHA20_POLY1305)
		return slice_chacha_run(key->encrypt_key, skb, nfrags, counter, plain_len, true);
	SLICE_CRYPT_CB(skb)->done = done;
	return slice_aead_run(key->encrypt, skb, nfrags, counter, plain_len, true);
}

/**
 * slice_key_open - authenticate and decrypt a data packet
 * @key: the key its header names
 * @skb: header, ciphertext and tag; becomes the inner packet
 * @counter: the counter from its header
 * @done: called with the result if opening goes asynchronous
 *
 * Uses the start of skb->cb (struct slice_crypt_cb) while it runs. The caller keeps @key
 * alive until the packet is open, and checks the counter against replays only then.
 *
 * Context: any (no sleeping).
 * Return: 0 when open, -EINPROGRESS when @done will be called (the packet belongs to the
 * operation until then), -EBADMSG if authentication failed, or another negative errno.
 */
int slice_key_open(struct slice_key *key, struct sk_buff *skb, u64 counter,
		   slice_crypt_done_t done)
{
	struct sk_buff *trailer;
	int nfrags, err;

	if (unlikely(skb->len < SLICE_WIRE_HDR_LEN + SLICE_WIRE_TAG_LEN))
		return -EBADMSG;
	nfrags = skb_cow_data(skb, 0, &trailer);
	if (unlikely(nfrags < 0))
		return nfrags;
	if (key->cipher == SLICE_CIPHER_CHACHA20_POLY1305) {
		err = slice_chacha_run(key->decrypt_key, skb, nfrags, counter,
				       skb->len - SLICE_WIRE_HDR_LEN, false);
	} else {
		SLICE_CRYPT_CB(skb)->done = done;
		err = slice_aead_run(key->decrypt, skb, nfrags, counter,
				     skb->len - SLICE_WIRE_HDR_LEN, false);
	}
	if (err)
		return err;
	return slice_open_finish(skb);
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
 * The two slots never hold keys of one id: a packet's key id must name one key.
 *
 * Context: process, may sleep.
 * Return: 0, -EEXIST if the other slot's key has @key's id, or -ENOMEM.
 */
int slice_keyring_install(struct slice_keyring *kr, enum slice_key_slot slot,
			  struct slice_key *key)
{
	enum slice_key_slot other = slot == SLICE_KEY_SLOT_PRIMARY ? SLICE_KEY_SLOT_SECONDARY :
								      SLICE_KEY_SLOT_PRIMARY;
	struct slice_key *keys[__SLICE_KEY_SLOT_MAX];
	int err = -EEXIST;

	mutex_lock(&kr->lock);
	keys[SLICE_KEY_SLOT_PRIMARY] = slice_keyring_slot(kr, SLICE_KEY_SLOT_PRIMARY);
	keys[SLICE_KEY_SLOT_SECONDARY] = slice_keyring_slot(kr, SLICE_KEY_SLOT_SECONDARY);
	if (!keys[other] || keys[other]->key_id != key->key_id) {
		keys[slot] = key;
		err = slice_keyring_publish(kr, keys[SLICE_KEY_SLOT_PRIMARY],
					    keys[SLICE_KEY_SLOT_SECONDARY]);
	}
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
