// SPDX-License-Identifier: GPL-2.0
/*
 * aead_rate: how fast this machine seals and opens one data packet in a tight loop, with the
 * slice module's own crypto code (kmod/crypto.c, included) and with the implementations it
 * used before: the synchronous-only AES-GCM (CRYPTO_ALG_ASYNC masked out) and the RFC 7539
 * ChaCha20-Poly1305 template. Loading runs every measurement on the loading CPU, prints one
 * line per AEAD to the kernel log and fails with -EAGAIN so that nothing stays loaded, as
 * the kernel's tcrypt does.
 *
 *   insmod aead_rate.ko [len=1420] [msecs=2000]
 *   slice-aead-rate: NAME (DRIVER) len LEN: N seal+open in USECS us
 */
#include <linux/completion.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/random.h>

#include "../../../kmod/replay.c"
#include "../../../kmod/crypto.c"

static unsigned int len = 1420;
module_param(len, uint, 0444);
MODULE_PARM_DESC(len, "inner packet length in bytes (default 1420, the tunnels' MTU)");
static unsigned int msecs = 2000;
module_param(msecs, uint, 0444);
MODULE_PARM_DESC(msecs, "how long to measure each AEAD (default 2000 ms)");

/* Waits out an operation that went asynchronous (cryptd, when the FPU was busy). */
static struct completion aead_rate_done_wait;
static int aead_rate_done_err;

static void aead_rate_done(struct sk_buff *skb, int err)
{
	aead_rate_done_err = err;
	complete(&aead_rate_done_wait);
}

static int aead_rate_wait(int err)
{
	if (err != -EINPROGRESS)
		return err;
	wait_for_completion(&aead_rate_done_wait);
	reinit_completion(&aead_rate_done_wait);
	return aead_rate_done_err;
}

/* @alg set: replace the key's transforms by that crypto API AEAD (the AEAD path). */
static int aead_rate_replace(struct crypto_aead **tfm, const char *alg, const u8 *material)
{
	struct crypto_aead *t = crypto_alloc_aead(alg, 0, CRYPTO_ALG_ASYNC);
	int err;

	if (IS_ERR(t))
		return PTR_ERR(t);
	err = crypto_aead_setkey(t, material, SLICE_KEY_LEN) ?:
	      crypto_aead_setauthsize(t, SLICE_WIRE_TAG_LEN);
	if (err) {
		crypto_free_aead(t);
		return err;
	}
	crypto_free_aead(*tfm);
	*tfm = t;
	return 0;
}

static int aead_rate_one(const char *name, enum slice_cipher cipher, const char *alg)
{
	struct slice_key_config cfg = { .cipher = cipher, .key_id = 1 };
	const char *driver = "library";
	struct slice_key *key;
	u64 n = 0, start, end;
	int err = 0;

	get_random_bytes(cfg.encrypt_key, SLICE_KEY_LEN);
	memcpy(cfg.decrypt_key, cfg.encrypt_key, SLICE_KEY_LEN);
	key = slice_key_new(&cfg);
	if (IS_ERR(key))
		return PTR_ERR(key);
	if (alg) {
		err = aead_rate_replace(&key->encrypt, alg, cfg.encrypt_key) ?:
		      aead_rate_replace(&key->decrypt, alg, cfg.decrypt_key);
		if (err)
			goto out;
	}
	if (key->encrypt)
		driver = crypto_tfm_alg_driver_name(crypto_aead_tfm(key->encrypt));
	start = ktime_get_ns();
	end = start + (u64)msecs * NSEC_PER_MSEC;
	do {
		struct sk_buff *skb = alloc_skb(128 + len + SLICE_WIRE_TAG_LEN, GFP_KERNEL);

		if (!skb) {
			err = -ENOMEM;
			goto out;
		}
		skb_reserve(skb, 128);
		skb_put_zero(skb, len);
		err = aead_rate_wait(slice_key_seal(key, skb, 1, n, aead_rate_done)) ?:
		      aead_rate_wait(slice_key_open(key, skb, n, aead_rate_done));
		kfree_skb(skb);
		if (err)
			goto out;
		n++;
		cond_resched();
	} while (ktime_get_ns() < end);
	pr_info("slice-aead-rate: %s (%s) len %u: %llu seal+open in %llu us\n", name, driver, len,
		n, div_u64(ktime_get_ns() - start, NSEC_PER_USEC));
out:
	slice_key_put(key);
	return err;
}

static int __init aead_rate_init(void)
{
	static const struct {
		const char *name;
		enum slice_cipher cipher;
		const char *alg;
	} aeads[] = {
		{ "aes-256-gcm", SLICE_CIPHER_AES_256_GCM, NULL },
		{ "aes-256-gcm-sync-only", SLICE_CIPHER_AES_256_GCM, "gcm(aes)" },
		{ "chacha20-poly1305", SLICE_CIPHER_CHACHA20_POLY1305, NULL },
		{ "chacha20-poly1305-rfc7539", SLICE_CIPHER_AES_256_GCM,
		  "rfc7539(chacha20,poly1305)" },
	};
	int i, err;

	init_completion(&aead_rate_done_wait);
	for (i = 0; i < ARRAY_SIZE(aeads); i++) {
		err = aead_rate_one(aeads[i].name, aeads[i].cipher, aeads[i].alg);
		if (err)
			pr_err("slice-aead-rate: %s failed: %d\n", aeads[i].name, err);
	}
	return -EAGAIN;
}

module_init(aead_rate_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Tight-loop seal + open rate of the slice data plane's AEADs");
