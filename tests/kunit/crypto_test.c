// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of kmod/crypto.c: seal and open round trips for both ciphers, tampering, the
 * key slots (install, swap, remove, lookup by key id) and the key limits.
 */
#include <kunit/test.h>
#include <linux/random.h>

#include "../../kmod/crypto.c"

#define CRYPTO_TEST_HEADROOM	64

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
	KUNIT_ASSERT_EQ(test, slice_key_seal(a, skb, 0x42, 77), 0);
	KUNIT_EXPECT_EQ(test, skb->len, SLICE_WIRE_HDR_LEN + len + SLICE_WIRE_TAG_LEN);
	KUNIT_ASSERT_TRUE(test, slice_wire_hdr_decode(skb->data, &hdr));
	KUNIT_EXPECT_EQ(test, hdr.key_id, 3);
	KUNIT_EXPECT_EQ(test, hdr.sender_id, 0x42);
	KUNIT_EXPECT_EQ(test, hdr.counter, 77);
	if (len >= 16)
		KUNIT_EXPECT_NE(test, memcmp(skb->data + SLICE_WIRE_HDR_LEN, payload, 16), 0);
	if (flip >= 0)
		skb->data[flip] ^= 0x01;
	err = slice_key_open(b, skb, open_counter);
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
	KUNIT_ASSERT_EQ(test, slice_key_seal(gcm, skb, 1, 0), 0);
	KUNIT_EXPECT_EQ(test, slice_key_open(chacha, skb, 0), -EBADMSG);
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
	KUNIT_EXPECT_EQ(test, slice_key_open(b, skb, 0), -EBADMSG);
	kfree_skb(skb);
	skb = crypto_test_skb(test, junk, sizeof(junk));
	KUNIT_EXPECT_EQ(test, slice_key_open(b, skb, 0), -EBADMSG);
	kfree_skb(skb);
	slice_key_put(a);
	slice_key_put(b);
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
	struct slice_key *got[4];
	struct slice_keyring kr;

	slice_keyring_init(&kr);
	KUNIT_EXPECT_EQ(test, slice_keyring_swap(&kr), -ENOENT);
	KUNIT_EXPECT_EQ(test, slice_keyring_remove(&kr, SLICE_KEY_SLOT_PRIMARY), -ENOENT);
	KUNIT_ASSERT_EQ(test, slice_keyring_install(&kr, SLICE_KEY_SLOT_PRIMARY, k1), 0);
	KUNIT_ASSERT_EQ(test, slice_keyring_install(&kr, SLICE_KEY_SLOT_SECONDARY, k2), 0);

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
