// SPDX-License-Identifier: GPL-2.0
/*
 * The gateway certificates a slice CA issues, their DER written directly: the certificates
 * of one CA differ only in serial, validity, name and key, so the rest (issuer, signature
 * algorithm, the fixed extensions, the authority key identifier) is DER that OpenSSL
 * encodes once per CA (ctl_leaf_template_build()), and each certificate is that template
 * around its own fields, signed with the CA key over its to-be-signed DER. Building each
 * through OpenSSL's X509 objects (allocating the ASN.1 items, encoding them to sign, again
 * to export, copying the extensions in) cost as much as its signature and its key.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include "controller/certs.h"
#include "controller/certs_der.h"
#include "controller/certs_int.h"

/* RFC 5280's ub-common-name, which OpenSSL enforces on a name's commonName too. */
#define CN_MAX 64

/* The DER of ext, appended to *buf (OPENSSL_malloc'd); ext freed; 1 or 0. */
static int ext_append(X509_EXTENSION *ext, unsigned char **buf, size_t *len)
{
	unsigned char *der = NULL, *grown;
	int n = ext ? i2d_X509_EXTENSION(ext, &der) : -1;

	X509_EXTENSION_free(ext);
	if (n <= 0)
		return 0;
	grown = OPENSSL_realloc(*buf, *len + (size_t)n);
	if (grown) {
		memcpy(grown + *len, der, (size_t)n);
		*buf = grown;
		*len += (size_t)n;
	}
	OPENSSL_free(der);
	return grown != NULL;
}

/* The authorityKeyIdentifier naming ski, the CA's subject key identifier. */
static X509_EXTENSION *aki_ext(const ASN1_OCTET_STRING *ski)
{
	AUTHORITY_KEYID *akid = AUTHORITY_KEYID_new();
	X509_EXTENSION *ext = NULL;

	if (!akid)
		return NULL;
	akid->keyid = ASN1_OCTET_STRING_dup(ski);
	if (akid->keyid)
		ext = X509V3_EXT_i2d(NID_authority_key_identifier, 0, akid);
	AUTHORITY_KEYID_free(akid);
	return ext;
}

/* The signature's AlgorithmIdentifier as the CA key's signer names it (as X509_sign does). */
static int sig_alg(struct ctl_ca *ca)
{
	struct ctl_leaf_template *t = &ca->leaf;
	OSSL_PARAM params[] = {
		OSSL_PARAM_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID, t->alg, sizeof(t->alg)),
		OSSL_PARAM_END,
	};

	if (EVP_PKEY_CTX_get_params(EVP_MD_CTX_get_pkey_ctx(ca->sign), params) != 1 ||
	    !OSSL_PARAM_modified(params) || params[0].return_size > sizeof(t->alg))
		return 0;
	t->alg_len = params[0].return_size;
	return t->alg_len > 0;
}

int ctl_leaf_template_build(struct ctl_ca *ca)
{
	static const struct {
		int nid;
		const char *value;
	} fixed[] = {
		{ NID_basic_constraints, "critical,CA:FALSE" },
		{ NID_key_usage, "critical,digitalSignature" },
		{ NID_ext_key_usage, "serverAuth,clientAuth" },
	};
	const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(ca->cert);
	struct ctl_leaf_template *t = &ca->leaf;
	int n;

	if (!ski)
		return 1;
	n = i2d_X509_NAME(X509_get_subject_name(ca->cert), &t->issuer);
	if (n <= 0 || !sig_alg(ca) || EVP_PKEY_get_size(ca->key) <= 0)
		return 0;
	t->issuer_len = (size_t)n;
	t->sig_max = (size_t)EVP_PKEY_get_size(ca->key);
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (!ext_append(X509V3_EXT_conf_nid(NULL, NULL, fixed[i].nid, fixed[i].value),
				&t->fixed, &t->fixed_len))
			return 0;
	return ext_append(aki_ext(ski), &t->aki, &t->aki_len);
}

void ctl_leaf_template_free(struct ctl_leaf_template *t)
{
	OPENSSL_free(t->issuer);
	OPENSSL_free(t->fixed);
	OPENSSL_free(t->aki);
	memset(t, 0, sizeof(*t));
}

/* A random positive 127-bit serial, as RFC 5280 asks of CAs, as a DER INTEGER. */
static void put_serial(struct der_out *d)
{
	unsigned char raw[1 + 16];
	size_t start = 1;

	if (RAND_bytes(raw + 1, 16) != 1) {
		d->failed = true;
		return;
	}
	raw[1] &= 0x7f;
	/* DER's shortest form: no leading zero byte unless the next one's top bit is set. */
	while (start < sizeof(raw) - 1 && !raw[start])
		start++;
	if (raw[start] & 0x80)
		raw[--start] = 0;
	der_tlv(d, 0x02, raw + start, sizeof(raw) - start);
}

/* t as X.509 wants it: UTCTime for 1950-2049, GeneralizedTime otherwise (as OpenSSL's). */
static void put_time(struct der_out *d, time_t t)
{
	struct tm tm;
	char s[20];
	int year, n;
	bool utc;

	if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999) {
		d->failed = true;
		return;
	}
	year = tm.tm_year + 1900;
	utc = year >= 1950 && year < 2050;
	n = snprintf(s, sizeof(s), utc ? "%02d%02d%02d%02d%02d%02dZ" : "%04d%02d%02d%02d%02d%02dZ",
		     utc ? year % 100 : year, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
		     tm.tm_sec);
	der_tlv(d, utc ? 0x17 : 0x18, s, (size_t)n);
}

/* subject Name: one RDN, commonName identity as a UTF8String. */
static void put_subject(struct der_out *d, const char *identity)
{
	static const unsigned char cn_oid[] = { 0x06, 0x03, 0x55, 0x04, 0x03 };
	size_t end = der_mark(d);

	der_tlv(d, 0x0c, identity, strlen(identity));
	der_put(d, cn_oid, sizeof(cn_oid));
	der_wrap(d, 0x30, end);	/* AttributeTypeAndValue */
	der_wrap(d, 0x31, end);	/* RelativeDistinguishedName */
	der_wrap(d, 0x30, end);	/* Name */
}

/* subjectPublicKeyInfo: id-ecPublicKey on prime256v1, the uncompressed point. */
static void put_public_key(struct der_out *d, const struct ctl_new_key *key)
{
	static const unsigned char head[] = {
		0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
		0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
	};

	der_put(d, key->pub, P256_POINT);
	der_put(d, head, sizeof(head));
}

/* subjectAltName, DNS:identity, and subjectKeyIdentifier, SHA-1 of the point as "hash". */
static void put_own_exts(struct der_out *d, const struct ctl_new_key *key, const char *identity)
{
	static const unsigned char ski_head[] = { 0x30, 0x1d, 0x06, 0x03, 0x55, 0x1d, 0x0e,
						  0x04, 0x16, 0x04, 0x14 };
	static const unsigned char san_oid[] = { 0x06, 0x03, 0x55, 0x1d, 0x11 };
	unsigned char md[SHA_DIGEST_LENGTH];
	size_t end;

	if (!SHA1(key->pub, P256_POINT, md)) {
		d->failed = true;
		return;
	}
	der_put(d, md, sizeof(md));
	der_put(d, ski_head, sizeof(ski_head));
	end = der_mark(d);
	der_tlv(d, 0x82, identity, strlen(identity));	/* dNSName [2] IA5String */
	der_wrap(d, 0x30, end);	/* GeneralNames */
	der_wrap(d, 0x04, end);	/* extnValue */
	der_put(d, san_oid, sizeof(san_oid));
	der_wrap(d, 0x30, end);	/* Extension */
}

/* The TBSCertificate, back to front from the extensions to the version, wrapped. */
static void put_tbs(struct der_out *d, const struct ctl_leaf_template *t,
		    const struct ctl_new_key *key, const char *identity, time_t not_before,
		    time_t not_after)
{
	static const unsigned char v3[] = { 0xa0, 0x03, 0x02, 0x01, 0x02 };
	size_t end = der_mark(d), validity;

	/* extensions [3], in ctl_cert_mint()'s order for a leaf: BC, KU, EKU, SAN, SKI, AKI */
	der_put(d, t->aki, t->aki_len);
	put_own_exts(d, key, identity);
	der_put(d, t->fixed, t->fixed_len);
	der_wrap(d, 0x30, end);
	der_wrap(d, 0xa3, end);
	put_public_key(d, key);
	put_subject(d, identity);
	validity = der_mark(d);
	put_time(d, not_after);
	put_time(d, not_before);
	der_wrap(d, 0x30, validity);
	der_put(d, t->issuer, t->issuer_len);
	der_put(d, t->alg, t->alg_len);
	put_serial(d);
	der_put(d, v3, sizeof(v3));
	der_wrap(d, 0x30, end);
}

/*
 * The Certificate PEM: tbs, the algorithm, the CA's signature over tbs (through a copy of
 * its initialized context) as a BIT STRING, in one SEQUENCE; NULL on failure.
 */
static char *sign_to_pem(const struct ctl_ca *ca, const unsigned char *tbs, size_t tbs_len)
{
	const struct ctl_leaf_template *t = &ca->leaf;
	size_t size = tbs_len + t->alg_len + t->sig_max + 16, sig_len = t->sig_max, len, end;
	unsigned char *buf = malloc(size + t->sig_max), *sig = buf + size;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	const unsigned char *der;
	struct der_out d;
	char *pem = NULL;

	if (!buf || !ctx || !EVP_MD_CTX_copy_ex(ctx, ca->sign) ||
	    EVP_DigestSign(ctx, sig, &sig_len, tbs, tbs_len) != 1)
		goto out;
	der_init(&d, buf, size);
	end = der_mark(&d);
	der_put(&d, sig, sig_len);
	der_put(&d, "", 1);	/* the BIT STRING's unused bits: none */
	der_wrap(&d, 0x03, end);
	der_put(&d, t->alg, t->alg_len);
	der_put(&d, tbs, tbs_len);
	der_wrap(&d, 0x30, end);
	der = der_data(&d, &len);
	if (der)
		pem = ctl_pem_armour("CERTIFICATE", der, len);
out:
	EVP_MD_CTX_free(ctx);
	free(buf);
	return pem;
}

/* A name OpenSSL would take for both the commonName and a dNSName: printable ASCII. */
static bool identity_ok(const char *identity)
{
	for (const char *c = identity; *c; c++)
		if (*c < 0x20 || *c > 0x7e)
			return false;
	return *identity != '\0';
}

/* The certificate's PEM for key; NULL on failure. */
static char *leaf_pem(const struct ctl_ca *ca, const struct ctl_new_key *key,
		      const char *identity, time_t not_before, time_t not_after)
{
	const struct ctl_leaf_template *t = &ca->leaf;
	/* the template, two copies of the name, and room for the fields of fixed size */
	size_t size = t->issuer_len + t->alg_len + t->fixed_len + t->aki_len + 2 * CN_MAX + 512;
	unsigned char *buf = malloc(size);
	const unsigned char *tbs;
	struct der_out d;
	char *pem = NULL;
	size_t len;

	if (!buf)
		return NULL;
	der_init(&d, buf, size);
	put_tbs(&d, t, key, identity, not_before, not_after);
	tbs = der_data(&d, &len);
	if (tbs)
		pem = sign_to_pem(ca, tbs, len);
	free(buf);
	return pem;
}

int ctl_ca_issue(const struct ctl_ca *ca, const char *identity, time_t not_before,
		 time_t not_after, char **cert_pem, char **key_pem)
{
	struct ctl_new_key key;

	if (strlen(identity) > CN_MAX)
		return -ENAMETOOLONG;
	if (!identity_ok(identity) || !ca->leaf.aki)
		return -EINVAL;
	if (ctl_key_generate(ca->keygen, &key))
		return -ENOMEM;
	*cert_pem = leaf_pem(ca, &key, identity, not_before, not_after);
	*key_pem = *cert_pem ? ctl_key_to_pem(&key) : NULL;
	EVP_PKEY_free(key.pkey);
	if (*key_pem)
		return 0;
	free(*cert_pem);
	*cert_pem = NULL;
	return -ENOMEM;
}
