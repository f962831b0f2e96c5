// SPDX-License-Identifier: GPL-2.0
/* X.509 with OpenSSL: every certificate the controller mints (slice PKI, serving), and
 * verification. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "api/base64.h"
#include "controller/certs.h"
#include "controller/certs_int.h"

static int p256_public(EVP_PKEY *key, unsigned char pub[P256_POINT]);

int ctl_key_generate(EVP_PKEY_CTX *keygen, struct ctl_new_key *k)
{
	k->pkey = NULL;
	if (!keygen)
		k->pkey = EVP_EC_gen("P-256");
	else if (EVP_PKEY_generate(keygen, &k->pkey) != 1)
		k->pkey = NULL;
	if (k->pkey && p256_public(k->pkey, k->pub))
		return 0;
	EVP_PKEY_free(k->pkey);
	k->pkey = NULL;
	return -ENOMEM;
}

/* P-256 point of key, uncompressed (65 bytes); 0 on failure. */
static int p256_public(EVP_PKEY *key, unsigned char pub[P256_POINT])
{
	size_t len = 0;

	return EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, pub, P256_POINT,
					       &len) && len == P256_POINT && pub[0] == 4;
}

char *ctl_pem_armour(const char *label, const unsigned char *der, size_t len)
{
	char *b64 = ks_b64_encode(der, len), *out, *p;
	size_t n, lines;

	if (!b64)
		return NULL;
	n = strlen(b64);
	lines = (n + 63) / 64;
	out = malloc(2 * strlen(label) + n + lines + 64);
	if (out) {
		p = out + sprintf(out, "-----BEGIN %s-----\n", label);
		for (size_t i = 0; i < n; i += 64) {
			size_t chunk = n - i < 64 ? n - i : 64;

			memcpy(p, b64 + i, chunk);
			p += chunk;
			*p++ = '\n';
		}
		sprintf(p, "-----END %s-----\n", label);
	}
	free(b64);
	return out;
}

/* DER, then the PEM armour: no PEM encoder lookup among the providers per certificate. */
static char *cert_to_pem(X509 *cert)
{
	unsigned char *der = NULL;
	int len = i2d_X509(cert, &der);
	char *pem;

	if (len <= 0)
		return NULL;
	pem = ctl_pem_armour("CERTIFICATE", der, (size_t)len);
	OPENSSL_free(der);
	return pem;
}

/*
 * Written out directly: OpenSSL 3's generic encoder looks its implementation up among the
 * providers on every call, which cost more than making the key.
 */
char *ctl_key_to_pem(const struct ctl_new_key *key)
{
	/* SEQUENCE { INTEGER 1, OCTET STRING priv, [0] OID prime256v1, [1] BIT STRING pub } */
	static const unsigned char head[] = { 0x30, 0x77, 0x02, 0x01, 0x01, 0x04, 0x20 };
	static const unsigned char curve[] = { 0xa0, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce,
					       0x3d, 0x03, 0x01, 0x07, 0xa1, 0x44, 0x03, 0x42,
					       0x00 };
	unsigned char der[sizeof(head) + 32 + sizeof(curve) + P256_POINT], *p = der;
	BIGNUM *priv = NULL;
	char *pem = NULL;

	memcpy(p, head, sizeof(head));
	p += sizeof(head);
	if (!EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_PRIV_KEY, &priv) ||
	    BN_bn2binpad(priv, p, 32) != 32)
		goto out;
	p += 32;
	memcpy(p, curve, sizeof(curve));
	p += sizeof(curve);
	memcpy(p, key->pub, P256_POINT);
	pem = ctl_pem_armour("EC PRIVATE KEY", der, sizeof(der));
out:
	BN_clear_free(priv);
	OPENSSL_cleanse(der, sizeof(der));
	return pem;
}

/* The subject public key, set from the point without OpenSSL's encode-then-decode. */
static int cert_set_pubkey(X509 *cert, const struct ctl_new_key *key)
{
	unsigned char *pub = OPENSSL_memdup(key->pub, P256_POINT);

	if (!pub ||
	    !X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(cert),
				    OBJ_nid2obj(NID_X9_62_id_ecPublicKey), V_ASN1_OBJECT,
				    OBJ_nid2obj(NID_X9_62_prime256v1), pub, P256_POINT)) {
		OPENSSL_free(pub);
		return 0;
	}
	return 1;
}

static X509 *cert_from_pem(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *cert = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;

	BIO_free(bio);
	return cert;
}

/* The DER between the PEM armour of label, its lines joined (malloc'd), or NULL. */
static unsigned char *pem_unarmour(const char *pem, const char *label, size_t *len)
{
	char begin[64], end[64], *b64, *q;
	const char *p, *stop;
	unsigned char *der;

	snprintf(begin, sizeof(begin), "-----BEGIN %s-----\n", label);
	snprintf(end, sizeof(end), "-----END %s-----", label);
	p = strstr(pem, begin);
	stop = p ? strstr(p, end) : NULL;
	if (!stop)
		return NULL;
	p += strlen(begin);
	b64 = malloc((size_t)(stop - p) + 1);
	if (!b64)
		return NULL;
	for (q = b64; p < stop; p++)
		if (*p != '\n')
			*q++ = *p;
	*q = '\0';
	der = ks_b64_decode(b64, len);
	free(b64);
	return der;
}

/*
 * A key in the layout ctl_key_to_pem() writes, made from its private scalar and public point
 * without OpenSSL's decoders (setting them up for one PEM costs more than a signature);
 * NULL when the PEM is not that layout.
 */
static EVP_PKEY *key_from_own_pem(const char *pem)
{
	static const unsigned char head[] = { 0x30, 0x77, 0x02, 0x01, 0x01, 0x04, 0x20 };
	static const unsigned char curve[] = { 0xa0, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce,
					       0x3d, 0x03, 0x01, 0x07, 0xa1, 0x44, 0x03, 0x42,
					       0x00 };
	const size_t want = sizeof(head) + 32 + sizeof(curve) + P256_POINT;
	size_t len = 0;
	unsigned char *der = pem_unarmour(pem, "EC PRIVATE KEY", &len);
	EVP_PKEY_CTX *ctx = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY *key = NULL;
	BIGNUM *priv = NULL;

	if (!der || len != want || memcmp(der, head, sizeof(head)) ||
	    memcmp(der + sizeof(head) + 32, curve, sizeof(curve)))
		goto out;
	priv = BN_bin2bn(der + sizeof(head), 32, NULL);
	bld = OSSL_PARAM_BLD_new();
	if (!priv || !bld ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
					      der + want - P256_POINT, P256_POINT))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_KEYPAIR, params) != 1)
		key = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(priv);
	if (der)
		OPENSSL_cleanse(der, len);
	free(der);
	return key;
}

static EVP_PKEY *key_from_pem(const char *pem)
{
	EVP_PKEY *key = key_from_own_pem(pem);
	BIO *bio;

	if (key)
		return key;
	/* Any other key PEM (PKCS#8, another curve): OpenSSL's decoders. */
	bio = BIO_new_mem_buf(pem, -1);
	key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	return key;
}

/* A random positive 127-bit serial, as RFC 5280 asks of CAs (unpredictable, <= 20 bytes). */
static int cert_set_serial(X509 *cert)
{
	unsigned char raw[16];
	BIGNUM *bn;
	int ok;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return 0;
	raw[0] &= 0x7f;
	bn = BN_bin2bn(raw, sizeof(raw), NULL);
	ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
	BN_free(bn);
	return ok;
}

static int cert_add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return 0;
	ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

/* A certificate for key and subject CN cn, without extensions or signature. */
static X509 *cert_new(const struct ctl_new_key *key, const char *cn, time_t not_before, time_t not_after)
{
	X509 *cert = X509_new();
	X509_NAME *name;

	if (!cert)
		return NULL;
	name = X509_get_subject_name(cert);
	if (!X509_set_version(cert, X509_VERSION_3) || !cert_set_serial(cert) ||
	    !X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
					(const unsigned char *)cn, -1, -1, 0) ||
	    !ASN1_TIME_set(X509_getm_notBefore(cert), not_before) ||
	    !ASN1_TIME_set(X509_getm_notAfter(cert), not_after) ||
	    !cert_set_pubkey(cert, key)) {
		X509_free(cert);
		return NULL;
	}
	return cert;
}

/* Signs cert with the CA's key through a copy of its initialized context; 1 or 0. */
static int ca_sign(const struct ctl_ca *ca, X509 *cert)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_MD_CTX_copy_ex(ctx, ca->sign) && X509_sign_ctx(cert, ctx) > 0;

	EVP_MD_CTX_free(ctx);
	return ok;
}

/* Return the PEMs of cert and key; 0 or -ENOMEM. */
static int export_pems(X509 *cert, const struct ctl_new_key *key, char **cert_pem,
		       char **key_pem)
{
	*cert_pem = cert_to_pem(cert);
	*key_pem = ctl_key_to_pem(key);
	if (*cert_pem && *key_pem)
		return 0;
	free(*cert_pem);
	free(*key_pem);
	*cert_pem = NULL;
	*key_pem = NULL;
	return -ENOMEM;
}

/**
 * struct cert_ext - an X.509v3 extension in OpenSSL's config syntax
 * @nid: which extension
 * @value: its value
 */
struct cert_ext {
	int nid;
	const char *value;
};

/* The extensions of a profile, into exts (room for 6); returns how many. */
static size_t profile_exts(const struct ctl_cert_profile *p, char *san, size_t san_len,
			   struct cert_ext *exts)
{
	size_t n = 0;

	if (p->is_ca) {
		exts[n++] = (struct cert_ext){ NID_basic_constraints, "critical,CA:TRUE,pathlen:0" };
		exts[n++] = (struct cert_ext){ NID_key_usage, "critical,keyCertSign,cRLSign" };
		exts[n++] = (struct cert_ext){ NID_subject_key_identifier, "hash" };
		return n;
	}
	exts[n++] = (struct cert_ext){ NID_basic_constraints, "critical,CA:FALSE" };
	exts[n++] = (struct cert_ext){ NID_key_usage, "critical,digitalSignature" };
	exts[n++] = (struct cert_ext){ NID_ext_key_usage, p->ext_key_usage };
	if (p->san) {
		snprintf(san, san_len, "%s", p->san);
		exts[n++] = (struct cert_ext){ NID_subject_alt_name, san };
	}
	exts[n++] = (struct cert_ext){ NID_subject_key_identifier, "hash" };
	exts[n++] = (struct cert_ext){ NID_authority_key_identifier, "keyid:always" };
	return n;
}

int ctl_cert_mint(const struct ctl_ca *ca, const struct ctl_cert_profile *p,
		  char **cert_pem, char **key_pem)
{
	struct cert_ext exts[6];
	struct ctl_new_key key;
	X509 *cert, *issuer;
	char san[1024];
	int err = -ENOMEM;
	size_t i, n;

	if (p->san && strlen(p->san) >= sizeof(san))
		return -ENAMETOOLONG;
	if (!ca && !p->is_ca)
		return -EINVAL;
	n = profile_exts(p, san, sizeof(san), exts);
	if (ctl_key_generate(ca ? ca->keygen : NULL, &key))
		return -ENOMEM;
	cert = cert_new(&key, p->cn, p->not_before, p->not_after);
	if (!cert)
		goto out;
	issuer = ca ? ca->cert : cert;
	if (!X509_set_issuer_name(cert, X509_get_subject_name(issuer)))
		goto out;
	for (i = 0; i < n; i++)
		if (!cert_add_ext(cert, issuer, exts[i].nid, exts[i].value))
			goto out;
	if (ca ? ca_sign(ca, cert) : X509_sign(cert, key.pkey, EVP_sha256()) > 0)
		err = export_pems(cert, &key, cert_pem, key_pem);
out:
	X509_free(cert);
	EVP_PKEY_free(key.pkey);
	return err;
}

int ctl_ca_create(const char *slice, time_t now, char **cert_pem, char **key_pem)
{
	char cn[300];
	struct ctl_cert_profile p = {
		.cn = cn,
		.is_ca = true,
		.not_before = now - 3600,
		.not_after = now + (time_t)CTL_CA_VALID_DAYS * 86400,
	};

	if ((size_t)snprintf(cn, sizeof(cn), "%s slice CA", slice) >= sizeof(cn))
		return -ENAMETOOLONG;
	return ctl_cert_mint(NULL, &p, cert_pem, key_pem);
}

/* What every certificate the CA issues reuses: key generation, signing, extensions. */
static int ca_prepare(struct ctl_ca *ca)
{
	ca->keygen = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	ca->sign = EVP_MD_CTX_new();
	return ca->keygen && ca->sign && EVP_PKEY_keygen_init(ca->keygen) == 1 &&
	       EVP_PKEY_CTX_set_group_name(ca->keygen, "P-256") == 1 &&
	       EVP_DigestSignInit(ca->sign, NULL, EVP_sha256(), NULL, ca->key) == 1 &&
	       ctl_leaf_template_build(ca);
}

struct ctl_ca *ctl_ca_load(const char *cert_pem, const char *key_pem)
{
	struct ctl_ca *ca = calloc(1, sizeof(*ca));

	if (!ca)
		return NULL;
	ca->cert = cert_from_pem(cert_pem);
	ca->key = key_from_pem(key_pem);
	if (!ca->cert || !ca->key || X509_check_private_key(ca->cert, ca->key) != 1 ||
	    !ca_prepare(ca)) {
		ctl_ca_free(ca);
		return NULL;
	}
	return ca;
}

void ctl_ca_free(struct ctl_ca *ca)
{
	if (!ca)
		return;
	ctl_leaf_template_free(&ca->leaf);
	EVP_MD_CTX_free(ca->sign);
	EVP_PKEY_CTX_free(ca->keygen);
	X509_free(ca->cert);
	EVP_PKEY_free(ca->key);
	free(ca);
}

int ctl_cert_verify(const char *ca_pem, const char *cert_pem, const char *identity, time_t at)
{
	X509 *ca = cert_from_pem(ca_pem), *cert = cert_from_pem(cert_pem);
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509_VERIFY_PARAM *param;
	int err = -EINVAL;

	if (!ca || !cert || !store || !ctx || !X509_STORE_add_cert(store, ca) ||
	    !X509_STORE_CTX_init(ctx, store, cert, NULL))
		goto out;
	param = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_time(param, at);
	X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_WILDCARDS);
	if (!X509_VERIFY_PARAM_set1_host(param, identity, 0) ||
	    !X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_CLIENT))
		goto out;
	err = X509_verify_cert(ctx) == 1 ? 0 : -EKEYREJECTED;
out:
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	X509_free(cert);
	X509_free(ca);
	return err;
}

int ctl_random_hex(char *hex, size_t bytes)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char raw[64];
	size_t i;

	if (bytes > sizeof(raw) || RAND_bytes(raw, (int)bytes) != 1)
		return -EIO;
	for (i = 0; i < bytes; i++) {
		hex[2 * i] = digits[raw[i] >> 4];
		hex[2 * i + 1] = digits[raw[i] & 15];
	}
	hex[2 * bytes] = '\0';
	OPENSSL_cleanse(raw, sizeof(raw));
	return 0;
}

void ctl_secret_free(char *s)
{
	if (s)
		OPENSSL_cleanse(s, strlen(s));
	free(s);
}
