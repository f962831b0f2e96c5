// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of kmod/crypto.c: seal and open round trips for both ciphers, tampering, the
 * completion of operations that go asynchronous (through cryptd, as the AES-NI GCM does when
 * the FPU is busy), ChaCha20-Poly1305's library path against the RFC 7539 template, the key
 * slots (install, swap, remove, lookup by key id) and the key limits.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/random.h>

#include "../../kmod/crypto.c"

#define CRYPTO_TEST_HEADROOM	64
/* What the AES-NI GCM's SIMD wrapper queues a request to when the FPU is not usable. */
#define CRYPTO_TEST_CRYPTD_GCM	"cryptd(__generic-gcm-aesni)"

/* An operation's completion, found from the packet: the cb after crypto.c's part. */
struct crypto_test_wait {
	struct completion done;
	int err;
	int calls;
	bool async;
};

struct crypto_test_cb {
	struct slice_crypt_cb crypt;
	struct crypto_test_wait *wait;
};

static void crypto_test_done(struct sk_buff *skb, int err)
{
	struct crypto_test_wait *w = ((struct crypto_test_cb *)skb->cb)->wait;

	w->err = err;
	w->calls++;
	complete(&w->done);
}

/* Waits for an operation that went asynchronous; returns its result either way. */
static int crypto_test_wait(struct kunit *test, struct sk_buff *skb, struct crypto_test_wait *w,
			    int ret)
{
	if (ret != -EINPROGRESS) {
		KUNIT_EXPECT_EQ(test, w->calls, 0);
		return ret;
	}
	w->async = true;
	KUNIT_ASSERT_GT_MSG(test, wait_for_completion_timeout(&w->done, 10 * HZ), 0,
			    "the completion callback never came");
	KUNIT_EXPECT_EQ(test, w->calls, 1);
	return w->err;
}

static void crypto_test_wait_init(struct sk_buff *skb, struct crypto_test_wait *w)
{
	memset(w, 0, sizeof(*w));
	init_completion(&w->done);
	((struct crypto_test_cb *)skb->cb)->wait = w;
}

static int crypto_test_seal(struct kunit *test, struct slice_key *key, struct sk_buff *skb,
			    u32 sender_id, u64 counter, bool *async)
{
	struct crypto_test_wait w;
	int err;

	crypto_test_wait_init(skb, &w);
	err = crypto_test_wait(test, skb, &w,
			       slice_key_seal(key, skb, sender_id, counter, crypto_test_done));
	if (async)
		*async = w.async;
	return err;
}

static int crypto_test_open(struct kunit *test, struct slice_key *key, struct sk_buff *skb,
			    u64 counter, bool *async)
{
	struct crypto_test_wait w;
	int err;

	crypto_test_wait_init(skb, &w);
	err = crypto_test_wait(test, skb, &w,
			       slice_key_open(key, skb, counter, crypto_test_done));
	if (async)
		*async = w.async;
	return err;
}

/* Two ends of one tunnel: A's encrypt key is B's decrypt key and the other way round. */
static void crypto_test_pair(struct kunit *test, enum slice_cipher cipher,
			     struct slice_key **a, struct slice_key **b)
{
	struct slice_key_config cfg = { .cipher = cipher, .key_id = 3 };
	u8 k1[SLICE_KEY_LEN], k2[SLICE_KEY_LEN];

	get_random_bytes(k1, sizeof(k1));
	get_random_bytes(k2, sizeof(k2));
	memcpy(cfg.encrypt_key, k1, SLICE_KEY_LEN);
	memcpy(cfg.decrypt_key, k2, SLICE_KEY_LEN);
	*a = slice_key_new(&cfg);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(*a), "cipher %d: %ld", cipher, PTR_ERR(*a));
	memcpy(cfg.encrypt_key, k2, SLICE_KEY_LEN);
	memcpy(cfg.decrypt_key, k1, SLICE_KEY_LEN);
	*b = slice_key_new(&cfg);
	KUNIT_ASSERT_FALSE(test, IS_ERR(*b));
}

static struct sk_buff *crypto_test_skb(struct kunit *test, const u8 *payload, unsigned int len)
{
	struct sk_buff *skb = alloc_skb(CRYPTO_TEST_HEADROOM + len + SLICE_WIRE_TAG_LEN,
					GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, CRYPTO_TEST_HEADROOM);
	skb_put_data(skb, payload, len);
	return skb;
}

/* Seals @len bytes with @a, optionally damages byte @flip of the packet, opens with @b. */
static int crypto_test_roundtrip(struct kunit *test, struct slice_key *a, struct slice_key *b,
				 unsigned int len, int flip, u64 open_counter)
{
	struct slice_wire_hdr hdr;
	struct sk_buff *skb;
	u8 *payload;
	int err;

	payload = kunit_kmalloc(test, len + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, payload);
	get_random_bytes(payload, len);
	skb = crypto_test_skb(test, payload, len);
	KUNIT_ASSERT_EQ(test, crypto_test_seal(test, a, skb, 0x42, 77, NULL), 0);
	KUNIT_EXPECT_EQ(test, skb->len, SLICE_WIRE_HDR_LEN + len + SLICE_WIRE_TAG_LEN);
	KUNIT_ASSERT_TRUE(test, slice_wire_hdr_decode(skb->data, &hdr));
	KUNIT_EXPECT_EQ(test, hdr.key_id, 3);
	KUNIT_EXPECT_EQ(test, hdr.sender_id, 0x42);
	KUNIT_EXPECT_EQ(test, hdr.counter, 77);
	if (len >= 16)
		KUNIT_EXPECT_NE(test, memcmp(skb->data + SLICE_WIRE_HDR_LEN, payload, 16), 0);
	if (flip >= 0)
		skb->data[flip] ^= 0x01;
	err = crypto_test_open(test, b, skb, open_counter, NULL);
	if (!err) {
		KUNIT_EXPECT_EQ(test, skb->len, len);
		KUNIT_EXPECT_EQ(test, memcmp(skb->data, payload, len), 0);
	}
	kfree_skb(skb);
	return err;
}

static void crypto_test_cipher(struct kunit *test, enum slice_cipher cipher)
{
	struct slice_key *a, *b;

	crypto_test_pair(test, cipher, &a, &b);
	KUNIT_EXPECT_EQ(test, crypto_test_roundtrip(test, a, b, 1400, -1, 77), 0);
	KUNIT_EXPECT_EQ(test, crypto_test_roundtrip(test, b, a, 1, -1, 77), 0);
	/* An empty payload is a keepalive: it still authenticates. */
	KUNIT_EXPECT_EQ(test, crypto_test_roundtrip(test, a, b, 0, -1, 77), 0);
	/* Header (associated data), ciphertext and tag are all covered. */
	KUNIT_EXPECT_EQ(test, crypto_test_roundtrip(test, a, b, 100, 1, 77), -EBADMSG);
	KUNIT_EXPECT_EQ(test, crypto_test_roundtrip(test, a, b, 100, 4, 77), -EBADMSG);
	KUNIT_EXPECT_EQ(test, crypto_test_roundtrip(test, a, b, 100, 20, 77), -EBADMSG);
	KUNIT_EXPECT_EQ(test, crypto_test_roundtrip(test, a, b, 100, 16 + 100 + 15, 77),
			-EBADMSG);
	/* The counter is the nonce: another counter does not open. */
	KUNIT_EXPECT_EQ(test, crypto_test_roundtrip(test, a, b, 100, -1, 78), -EBADMSG);
	/* A's own key does not open what A sealed: the directions have different keys. */
	KUNIT_EXPECT_EQ(test, crypto_test_roundtrip(test, a, a, 100, -1, 77), -EBADMSG);
	slice_key_put(a);
	slice_key_put(b);
}

static void crypto_test_aes_gcm(struct kunit *test)
{
	crypto_test_cipher(test, SLICE_CIPHER_AES_256_GCM);
}

static void crypto_test_chacha20_poly1305(struct kunit *test)
{
	crypto_test_cipher(test, SLICE_CIPHER_CHACHA20_POLY1305);
}

static void crypto_test_ciphers_differ(struct kunit *test)
{
	struct slice_key_config cfg = { .key_id = 1 };
	struct slice_key *gcm, *chacha;
	struct sk_buff *skb;
	u8 payload[64] = {};

	cfg.cipher = SLICE_CIPHER_AES_256_GCM;
	gcm = slice_key_new(&cfg);
	KUNIT_ASSERT_FALSE(test, IS_ERR(gcm));
	cfg.cipher = SLICE_CIPHER_CHACHA20_POLY1305;
	chacha = slice_key_new(&cfg);
	KUNIT_ASSERT_FALSE(test, IS_ERR(chacha));
	skb = crypto_test_skb(test, payload, sizeof(payload));
	KUNIT_ASSERT_EQ(test, crypto_test_seal(test, gcm, skb, 1, 0, NULL), 0);
	KUNIT_EXPECT_EQ(test, crypto_test_open(test, chacha, skb, 0, NULL), -EBADMSG);
	kfree_skb(skb);
	cfg.cipher = SLICE_CIPHER_NONE;
	KUNIT_EXPECT_EQ(test, PTR_ERR(slice_key_new(&cfg)), -EINVAL);
	slice_key_put(gcm);
	slice_key_put(chacha);
}

static void crypto_test_truncated(struct kunit *test)
{
	struct slice_key *a, *b;
	struct sk_buff *skb;
	u8 junk[SLICE_WIRE_HDR_LEN + SLICE_WIRE_TAG_LEN] = {};

	crypto_test_pair(test, SLICE_CIPHER_AES_256_GCM, &a, &b);
	skb = crypto_test_skb(test, junk, sizeof(junk) - 1);
	KUNIT_EXPECT_EQ(test, crypto_test_open(test, b, skb, 0, NULL), -EBADMSG);
	kfree_skb(skb);
	skb = crypto_test_skb(test, junk, sizeof(junk));
	KUNIT_EXPECT_EQ(test, crypto_test_open(test, b, skb, 0, NULL), -EBADMSG);
	kfree_skb(skb);
	slice_key_put(a);
	slice_key_put(b);
}

/* Puts a transform of @alg, keyed with @material, in place of one of a key's. */
static void crypto_test_replace_tfm(struct kunit *test, struct crypto_aead **tfm,
				    const char *alg, u32 type, const u8 *material)
{
	struct crypto_aead *t = crypto_alloc_aead(alg, type, type);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(t), "%s: %ld", alg, PTR_ERR(t));
	KUNIT_ASSERT_EQ(test, crypto_aead_setkey(t, material, SLICE_KEY_LEN), 0);
	KUNIT_ASSERT_EQ(test, crypto_aead_setauthsize(t, SLICE_WIRE_TAG_LEN), 0);
	crypto_free_aead(*tfm);
	*tfm = t;
}

/* One key for both directions, so that what it seals it opens. */
static struct slice_key *crypto_test_symmetric(struct kunit *test, enum slice_cipher cipher,
					       const u8 *material)
{
	struct slice_key_config cfg = { .cipher = cipher, .key_id = 5 };
	struct slice_key *key;

	memcpy(cfg.encrypt_key, material, SLICE_KEY_LEN);
	memcpy(cfg.decrypt_key, material, SLICE_KEY_LEN);
	key = slice_key_new(&cfg);
	KUNIT_ASSERT_FALSE(test, IS_ERR(key));
	return key;
}

/*
 * The fused AES-NI GCM's SIMD wrapper hands a request to cryptd(__generic-gcm-aesni) when it
 * cannot use the FPU; that transform always completes in the callback. The packet must come
 * out whole, opened (header and tag stripped) or refused, with the callback called exactly
 * once and the request freed (kmemleak).
 */
static void crypto_test_async_completion(struct kunit *test)
{
	static const unsigned int lens[] = { 1400, 1, 0 };
	struct slice_key *async_key, *sync_key;
	u8 material[SLICE_KEY_LEN], *payload = kunit_kmalloc(test, 1400, GFP_KERNEL);
	struct sk_buff *skb;
	bool async;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, payload);
	get_random_bytes(material, sizeof(material));
	get_random_bytes(payload, 1400);
	async_key = crypto_test_symmetric(test, SLICE_CIPHER_AES_256_GCM, material);
	crypto_test_replace_tfm(test, &async_key->encrypt, CRYPTO_TEST_CRYPTD_GCM,
				CRYPTO_ALG_INTERNAL, material);
	crypto_test_replace_tfm(test, &async_key->decrypt, CRYPTO_TEST_CRYPTD_GCM,
				CRYPTO_ALG_INTERNAL, material);
	sync_key = crypto_test_symmetric(test, SLICE_CIPHER_AES_256_GCM, material);

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		skb = crypto_test_skb(test, payload, lens[i]);
		KUNIT_ASSERT_EQ(test, crypto_test_seal(test, async_key, skb, 7, 1000 + i, &async),
				0);
		KUNIT_EXPECT_TRUE(test, async);
		KUNIT_EXPECT_EQ(test, skb->len, SLICE_WIRE_HDR_LEN + lens[i] + SLICE_WIRE_TAG_LEN);
		KUNIT_ASSERT_EQ(test, crypto_test_open(test, async_key, skb, 1000 + i, &async), 0);
		KUNIT_EXPECT_TRUE(test, async);
		KUNIT_EXPECT_EQ(test, skb->len, lens[i]);
		KUNIT_EXPECT_EQ(test, memcmp(skb->data, payload, lens[i]), 0);
		kfree_skb(skb);
	}

	/* What the inline implementation sealed, the asynchronous one opens, and back. */
	skb = crypto_test_skb(test, payload, 600);
	KUNIT_ASSERT_EQ(test, crypto_test_seal(test, sync_key, skb, 7, 9, NULL), 0);
	KUNIT_ASSERT_EQ(test, crypto_test_open(test, async_key, skb, 9, NULL), 0);
	KUNIT_EXPECT_EQ(test, memcmp(skb->data, payload, 600), 0);
	kfree_skb(skb);
	skb = crypto_test_skb(test, payload, 600);
	KUNIT_ASSERT_EQ(test, crypto_test_seal(test, async_key, skb, 7, 10, NULL), 0);
	KUNIT_ASSERT_EQ(test, crypto_test_open(test, sync_key, skb, 10, NULL), 0);
	KUNIT_EXPECT_EQ(test, memcmp(skb->data, payload, 600), 0);
	kfree_skb(skb);

	/* A damaged packet is refused in the callback, and its length is left alone. */
	skb = crypto_test_skb(test, payload, 100);
	KUNIT_ASSERT_EQ(test, crypto_test_seal(test, async_key, skb, 7, 11, NULL), 0);
	skb->data[SLICE_WIRE_HDR_LEN + 3] ^= 0x80;
	KUNIT_EXPECT_EQ(test, crypto_test_open(test, async_key, skb, 11, &async), -EBADMSG);
	KUNIT_EXPECT_TRUE(test, async);
	KUNIT_EXPECT_EQ(test, skb->len, SLICE_WIRE_HDR_LEN + 100 + SLICE_WIRE_TAG_LEN);
	kfree_skb(skb);
	slice_key_put(async_key);
	slice_key_put(sync_key);
}

/*
 * ChaCha20-Poly1305 goes through WireGuard's library, which takes a 64-bit nonce: the packets
 * must be the RFC 7539 construction's with the 96-bit wire nonce, both ways.
 */
static void crypto_test_chacha_library_is_rfc7539(struct kunit *test)
{
	static const u64 counters[] = { 0, 1, 0x0102030405060708ULL, SLICE_COUNTER_LIMIT - 1 };
	struct slice_key *library, *rfc7539;
	u8 material[SLICE_KEY_LEN], *payload = kunit_kmalloc(test, 1000, GFP_KERNEL);
	struct sk_buff *skb;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, payload);
	get_random_bytes(material, sizeof(material));
	get_random_bytes(payload, 1000);
	library = crypto_test_symmetric(test, SLICE_CIPHER_CHACHA20_POLY1305, material);
	KUNIT_EXPECT_NULL(test, library->encrypt);
	/* A crypto API key (the AEAD path) whose transforms are the template's. */
	rfc7539 = crypto_test_symmetric(test, SLICE_CIPHER_AES_256_GCM, material);
	crypto_test_replace_tfm(test, &rfc7539->encrypt, "rfc7539(chacha20,poly1305)", 0,
				material);
	crypto_test_replace_tfm(test, &rfc7539->decrypt, "rfc7539(chacha20,poly1305)", 0,
				material);

	for (i = 0; i < ARRAY_SIZE(counters); i++) {
		skb = crypto_test_skb(test, payload, 1000);
		KUNIT_ASSERT_EQ(test, crypto_test_seal(test, library, skb, 3, counters[i], NULL),
				0);
		KUNIT_ASSERT_EQ(test, crypto_test_open(test, rfc7539, skb, counters[i], NULL), 0);
		KUNIT_EXPECT_EQ(test, memcmp(skb->data, payload, 1000), 0);
		kfree_skb(skb);
		skb = crypto_test_skb(test, payload, 1000);
		KUNIT_ASSERT_EQ(test, crypto_test_seal(test, rfc7539, skb, 3, counters[i], NULL),
				0);
		KUNIT_ASSERT_EQ(test, crypto_test_open(test, library, skb, counters[i], NULL), 0);
		KUNIT_EXPECT_EQ(test, memcmp(skb->data, payload, 1000), 0);
		kfree_skb(skb);
	}
	slice_key_put(library);
	slice_key_put(rfc7539);
}

static struct slice_key *crypto_test_key(struct kunit *test, u8 key_id, u64 limit_packets,
					 u32 limit_seconds)
{
	struct slice_key_config cfg = {
		.cipher = SLICE_CIPHER_CHACHA20_POLY1305,
		.key_id = key_id,
		.limit_packets = limit_packets,
		.limit_seconds = limit_seconds,
	};
	struct slice_key *key = slice_key_new(&cfg);

	KUNIT_ASSERT_FALSE(test, IS_ERR(key));
	return key;
}

static void crypto_test_slots(struct kunit *test)
{
	struct slice_key *k1 = crypto_test_key(test, 1, 0, 0), *k2 = crypto_test_key(test, 2, 0, 0);
	struct slice_key *got[4], *dup;
	struct slice_keyring kr;

	slice_keyring_init(&kr);
	KUNIT_EXPECT_EQ(test, slice_keyring_swap(&kr), -ENOENT);
	KUNIT_EXPECT_EQ(test, slice_keyring_remove(&kr, SLICE_KEY_SLOT_PRIMARY), -ENOENT);
	KUNIT_ASSERT_EQ(test, slice_keyring_install(&kr, SLICE_KEY_SLOT_PRIMARY, k1), 0);
	KUNIT_ASSERT_EQ(test, slice_keyring_install(&kr, SLICE_KEY_SLOT_SECONDARY, k2), 0);
	/* A packet's key id names one key: the other slot's id is refused, nothing changes. */
	dup = crypto_test_key(test, 1, 0, 0);
	KUNIT_EXPECT_EQ(test, slice_keyring_install(&kr, SLICE_KEY_SLOT_SECONDARY, dup), -EEXIST);
	slice_key_put(dup);

	rcu_read_lock();
	got[0] = slice_keyring_get(&kr, SLICE_KEY_SLOT_PRIMARY);
	got[1] = slice_keyring_find(&kr, 1);
	got[2] = slice_keyring_find(&kr, 2);
	got[3] = slice_keyring_find(&kr, 3);
	rcu_read_unlock();
	/* Only the primary sends; receive finds either slot by the packet's key id. */
	KUNIT_EXPECT_PTR_EQ(test, got[0], k1);
	KUNIT_EXPECT_PTR_EQ(test, got[1], k1);
	KUNIT_EXPECT_PTR_EQ(test, got[2], k2);
	KUNIT_EXPECT_NULL(test, got[3]);

	KUNIT_ASSERT_EQ(test, slice_keyring_swap(&kr), 0);
	rcu_read_lock();
	got[0] = slice_keyring_get(&kr, SLICE_KEY_SLOT_PRIMARY);
	got[1] = slice_keyring_get(&kr, SLICE_KEY_SLOT_SECONDARY);
	got[2] = slice_keyring_find(&kr, 1);
	rcu_read_unlock();
	KUNIT_EXPECT_PTR_EQ(test, got[0], k2);
	KUNIT_EXPECT_PTR_EQ(test, got[1], k1);
	KUNIT_EXPECT_PTR_EQ(test, got[2], k1);

	/* The old key retired: the new one sends, the old id no longer opens anything. */
	KUNIT_EXPECT_EQ(test, slice_keyring_remove(&kr, SLICE_KEY_SLOT_SECONDARY), 0);
	KUNIT_EXPECT_EQ(test, slice_keyring_remove(&kr, SLICE_KEY_SLOT_SECONDARY), -ENOENT);
	KUNIT_EXPECT_EQ(test, slice_keyring_swap(&kr), -ENOENT);
	rcu_read_lock();
	got[0] = slice_keyring_get(&kr, SLICE_KEY_SLOT_PRIMARY);
	got[1] = slice_keyring_find(&kr, 1);
	rcu_read_unlock();
	KUNIT_EXPECT_PTR_EQ(test, got[0], k2);
	KUNIT_EXPECT_NULL(test, got[1]);

	/* Replacing a slot's key drops the old one. */
	k1 = crypto_test_key(test, 9, 0, 0);
	KUNIT_ASSERT_EQ(test, slice_keyring_install(&kr, SLICE_KEY_SLOT_PRIMARY, k1), 0);
	rcu_read_lock();
	got[0] = slice_keyring_find(&kr, 2);
	got[1] = slice_keyring_get(&kr, SLICE_KEY_SLOT_PRIMARY);
	rcu_read_unlock();
	KUNIT_EXPECT_NULL(test, got[0]);
	KUNIT_EXPECT_PTR_EQ(test, got[1], k1);
	slice_keyring_clear(&kr);
	rcu_read_lock();
	got[0] = slice_keyring_get(&kr, SLICE_KEY_SLOT_PRIMARY);
	rcu_read_unlock();
	KUNIT_EXPECT_NULL(test, got[0]);
}

static void crypto_test_packet_limits(struct kunit *test)
{
	struct slice_key *key = crypto_test_key(test, 1, 3, 0);
	u64 c;

	KUNIT_EXPECT_EQ(test, key->limit_seconds, SLICE_KEY_DEFAULT_LIMIT_SECONDS);
	KUNIT_EXPECT_EQ(test, slice_key_take_counter(key, &c), SLICE_KEY_SEND);
	KUNIT_EXPECT_EQ(test, c, 0);
	KUNIT_EXPECT_EQ(test, slice_key_take_counter(key, &c), SLICE_KEY_SEND);
	KUNIT_EXPECT_EQ(test, slice_key_take_counter(key, &c), SLICE_KEY_SEND);
	/* Past the soft limit: still sends, and asks for rotation exactly once. */
	KUNIT_EXPECT_EQ(test, slice_key_take_counter(key, &c), SLICE_KEY_SEND_ASK_ROTATE);
	KUNIT_EXPECT_EQ(test, c, 3);
	KUNIT_EXPECT_EQ(test, slice_key_take_counter(key, &c), SLICE_KEY_SEND);
	KUNIT_EXPECT_EQ(test, slice_key_tx_packets(key), 5);

	/* The hard limit: the last counter goes out, then nothing, and the counter stays. */
	atomic64_set(&key->tx_counter, SLICE_COUNTER_LIMIT - 1);
	KUNIT_EXPECT_EQ(test, slice_key_take_counter(key, &c), SLICE_KEY_SEND);
	KUNIT_EXPECT_EQ(test, c, SLICE_COUNTER_LIMIT - 1);
	KUNIT_EXPECT_EQ(test, slice_key_take_counter(key, &c), SLICE_KEY_EXPIRED);
	KUNIT_EXPECT_EQ(test, slice_key_take_counter(key, &c), SLICE_KEY_EXPIRED);
	KUNIT_EXPECT_EQ(test, slice_key_tx_packets(key), SLICE_COUNTER_LIMIT);
	slice_key_put(key);
}

static void crypto_test_age_limits(struct kunit *test)
{
	struct slice_key *key = crypto_test_key(test, 1, 0, 100);
	u64 c;

	KUNIT_EXPECT_EQ(test, key->limit_packets, SLICE_KEY_DEFAULT_LIMIT_PACKETS);
	KUNIT_EXPECT_EQ(test, slice_key_take_counter(key, &c), SLICE_KEY_SEND);
	key->created -= 100 * HZ;
	KUNIT_EXPECT_EQ(test, slice_key_age_seconds(key), 100);
	KUNIT_EXPECT_EQ(test, slice_key_take_counter(key, &c), SLICE_KEY_SEND_ASK_ROTATE);
	KUNIT_EXPECT_EQ(test, slice_key_take_counter(key, &c), SLICE_KEY_SEND);
	key->created -= 49 * HZ;
	KUNIT_EXPECT_EQ(test, slice_key_take_counter(key, &c), SLICE_KEY_SEND);
	key->created -= 1 * HZ;
	KUNIT_EXPECT_EQ(test, slice_key_take_counter(key, &c), SLICE_KEY_EXPIRED);
	slice_key_put(key);

	/* A key that expires without ever crossing the soft limit still asks once. */
	key = crypto_test_key(test, 1, 0, 10);
	key->created -= 15 * HZ;
	KUNIT_EXPECT_EQ(test, slice_key_take_counter(key, &c), SLICE_KEY_EXPIRED);
	KUNIT_EXPECT_TRUE(test, test_bit(0, &key->rotate_asked));
	slice_key_put(key);
}

static void crypto_test_suite_exit(struct kunit_suite *suite)
{
	/* Key slot sets are freed by RCU callbacks in this module's code. */
	rcu_barrier();
}

static struct kunit_case crypto_test_cases[] = {
	KUNIT_CASE(crypto_test_aes_gcm),
	KUNIT_CASE(crypto_test_chacha20_poly1305),
	KUNIT_CASE(crypto_test_ciphers_differ),
	KUNIT_CASE(crypto_test_truncated),
	KUNIT_CASE(crypto_test_async_completion),
	KUNIT_CASE(crypto_test_chacha_library_is_rfc7539),
	KUNIT_CASE(crypto_test_slots),
	KUNIT_CASE(crypto_test_packet_limits),
	KUNIT_CASE(crypto_test_age_limits),
	{}
};

static struct kunit_suite slice_crypto_test_suite = {
	.name = "slice_crypto",
	.suite_exit = crypto_test_suite_exit,
	.test_cases = crypto_test_cases,
};

kunit_test_suite(slice_crypto_test_suite);
