// SPDX-License-Identifier: GPL-2.0
/*
 * The slice PKI: chains, identities, validity, key types, tokens; the gateway certificates
 * written from their CA's template against OpenSSL's own (ctl_cert_mint()) and openssl(1).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include "controller/certs.h"

struct pki {
	char *ca, *ca_key, *other_ca, *other_key, *cert, *key;
	time_t now;
};

static int setup(void **state)
{
	struct pki *p = calloc(1, sizeof(*p));
	struct ctl_ca *ca;

	p->now = time(NULL);
	if (ctl_ca_create("red", p->now, &p->ca, &p->ca_key) ||
	    ctl_ca_create("blue", p->now, &p->other_ca, &p->other_key))
		return -1;
	ca = ctl_ca_load(p->ca, p->ca_key);
	if (!ca || ctl_ca_issue(ca, "red-c1-c2", p->now - 60, p->now + 86400, &p->cert, &p->key))
		return -1;
	ctl_ca_free(ca);
	*state = p;
	return 0;
}

static int teardown(void **state)
{
	struct pki *p = *state;

	free(p->ca);
	ctl_secret_free(p->ca_key);
	free(p->other_ca);
	ctl_secret_free(p->other_key);
	free(p->cert);
	ctl_secret_free(p->key);
	free(p);
	return 0;
}

static void test_chain_and_identity(void **state)
{
	struct pki *p = *state;

	assert_int_equal(ctl_cert_verify(p->ca, p->cert, "red-c1-c2", p->now), 0);
	assert_int_equal(ctl_cert_verify(p->other_ca, p->cert, "red-c1-c2", p->now),
			 -EKEYREJECTED);
	assert_int_equal(ctl_cert_verify(p->ca, p->cert, "red-c2-c1", p->now), -EKEYREJECTED);
	assert_int_equal(ctl_cert_verify(p->ca, p->cert, "red-c1", p->now), -EKEYREJECTED);
	assert_int_equal(ctl_cert_verify(p->ca, "junk", "red-c1-c2", p->now), -EINVAL);
}

static void test_validity_window(void **state)
{
	struct pki *p = *state;

	assert_int_equal(ctl_cert_verify(p->ca, p->cert, "red-c1-c2", p->now + 86400 + 60),
			 -EKEYREJECTED);
	assert_int_equal(ctl_cert_verify(p->ca, p->cert, "red-c1-c2", p->now - 3600),
			 -EKEYREJECTED);
}

static void test_leaf_cannot_sign(void **state)
{
	struct pki *p = *state;
	struct ctl_ca *leaf = ctl_ca_load(p->cert, p->key);
	char *cert, *key;

	/* a gateway's key signs a certificate; it must not chain (CA:FALSE, pathlen 0) */
	assert_non_null(leaf);
	assert_int_equal(ctl_ca_issue(leaf, "red-c9-c1", p->now - 60, p->now + 60, &cert, &key),
			 0);
	assert_int_equal(ctl_cert_verify(p->ca, cert, "red-c9-c1", p->now), -EKEYREJECTED);
	free(cert);
	ctl_secret_free(key);
	ctl_ca_free(leaf);
}

static void test_key_mismatch_rejected(void **state)
{
	struct pki *p = *state;

	assert_null(ctl_ca_load(p->ca, p->other_key));
	assert_null(ctl_ca_load("x", p->ca_key));
}

static void test_key_is_p256(void **state)
{
	struct pki *p = *state;
	BIO *bio = BIO_new_mem_buf(p->key, -1);
	EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	char group[32];
	size_t len;

	assert_non_null(key);
	assert_true(EVP_PKEY_get_group_name(key, group, sizeof(group), &len));
	assert_string_equal(group, "prime256v1");
	EVP_PKEY_free(key);
	BIO_free(bio);
}

static void test_random_hex(void **state)
{
	char a[65], b[65];

	assert_int_equal(ctl_random_hex(a, 32), 0);
	assert_int_equal(ctl_random_hex(b, 32), 0);
	assert_int_equal(strlen(a), 64);
	assert_int_equal(strspn(a, "0123456789abcdef"), 64);
	assert_string_not_equal(a, b);
	assert_int_equal(ctl_random_hex(a, 65), -EIO);
}

static X509 *parse_cert(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);

	BIO_free(bio);
	assert_non_null(cert);
	return cert;
}

/* A certificate as ctl_ca_issue() issues it, minted through OpenSSL's X509 objects. */
static char *mint_reference(const struct pki *p, const char *identity, time_t not_before,
			    time_t not_after)
{
	struct ctl_ca *ca = ctl_ca_load(p->ca, p->ca_key);
	char san[128], *cert, *key;
	struct ctl_cert_profile prof = {
		.cn = identity,
		.ext_key_usage = "serverAuth,clientAuth",
		.san = san,
		.not_before = not_before,
		.not_after = not_after,
	};

	snprintf(san, sizeof(san), "DNS:%s", identity);
	assert_non_null(ca);
	assert_int_equal(ctl_cert_mint(ca, &prof, &cert, &key), 0);
	ctl_secret_free(key);
	ctl_ca_free(ca);
	return cert;
}

static void assert_same_name(const X509_NAME *a, const X509_NAME *b)
{
	unsigned char *da = NULL, *db = NULL;
	int la = i2d_X509_NAME(a, &da), lb = i2d_X509_NAME(b, &db);

	assert_int_equal(la, lb);
	assert_memory_equal(da, db, (size_t)la);
	OPENSSL_free(da);
	OPENSSL_free(db);
}

static void assert_same_time(const ASN1_TIME *a, const ASN1_TIME *b)
{
	assert_int_equal(ASN1_STRING_type(a), ASN1_STRING_type(b));
	assert_int_equal(ASN1_TIME_compare(a, b), 0);
}

/* Every extension as the reference has it; the key identifier, of the certificate's key. */
static void assert_same_exts(X509 *cert, X509 *ref)
{
	const ASN1_BIT_STRING *pub = X509_get0_pubkey_bitstr(cert);
	unsigned char md[SHA_DIGEST_LENGTH];

	assert_int_equal(X509_get_ext_count(cert), X509_get_ext_count(ref));
	for (int i = 0; i < X509_get_ext_count(ref); i++) {
		X509_EXTENSION *a = X509_get_ext(cert, i), *b = X509_get_ext(ref, i);

		assert_int_equal(OBJ_cmp(X509_EXTENSION_get_object(a),
					 X509_EXTENSION_get_object(b)), 0);
		assert_int_equal(X509_EXTENSION_get_critical(a), X509_EXTENSION_get_critical(b));
		if (OBJ_obj2nid(X509_EXTENSION_get_object(a)) != NID_subject_key_identifier) {
			assert_int_equal(ASN1_STRING_cmp(X509_EXTENSION_get_data(a),
							 X509_EXTENSION_get_data(b)), 0);
			continue;
		}
		SHA1(pub->data, (size_t)pub->length, md);
		assert_int_equal(X509_get0_subject_key_id(cert)->length, sizeof(md));
		assert_memory_equal(X509_get0_subject_key_id(cert)->data, md, sizeof(md));
	}
}

/* The to-be-signed DER as written, against OpenSSL's encoding of what it parsed: DER. */
static void assert_canonical(X509 *cert)
{
	unsigned char *der = NULL, *re = NULL;
	const unsigned char *p, *tbs;
	int len = i2d_X509(cert, &der), re_len = i2d_re_X509_tbs(cert, &re), tag, xclass;
	long n;

	assert_true(len > 0 && re_len > 0);
	p = der;
	assert_int_equal(ASN1_get_object(&p, &n, &tag, &xclass, len) & 0x80, 0);
	tbs = p;	/* the Certificate's first member */
	assert_int_equal(ASN1_get_object(&p, &n, &tag, &xclass, len) & 0x80, 0);
	assert_int_equal(re_len, (p - tbs) + n);
	assert_memory_equal(re, tbs, (size_t)re_len);
	OPENSSL_free(der);
	OPENSSL_free(re);
}

/* The template's certificate, field by field against OpenSSL's, and its signature. */
static void check_against_reference(const struct pki *p, const char *identity,
				    time_t not_before, time_t not_after)
{
	struct ctl_ca *ca = ctl_ca_load(p->ca, p->ca_key);
	char *pem, *key, *ref_pem = mint_reference(p, identity, not_before, not_after);
	X509 *cert, *ref, *issuer = parse_cert(p->ca);

	assert_int_equal(ctl_ca_issue(ca, identity, not_before, not_after, &pem, &key), 0);
	cert = parse_cert(pem);
	ref = parse_cert(ref_pem);
	assert_int_equal(X509_get_version(cert), X509_get_version(ref));
	assert_int_equal(X509_get_signature_nid(cert), X509_get_signature_nid(ref));
	assert_same_name(X509_get_issuer_name(cert), X509_get_issuer_name(ref));
	assert_same_name(X509_get_subject_name(cert), X509_get_subject_name(ref));
	assert_same_time(X509_get0_notBefore(cert), X509_get0_notBefore(ref));
	assert_same_time(X509_get0_notAfter(cert), X509_get0_notAfter(ref));
	assert_int_equal(EVP_PKEY_get_base_id(X509_get0_pubkey(cert)), EVP_PKEY_EC);
	assert_same_exts(cert, ref);
	assert_canonical(cert);
	assert_int_equal(X509_verify(cert, X509_get0_pubkey(issuer)), 1);
	X509_free(cert);
	X509_free(ref);
	X509_free(issuer);
	free(pem);
	free(ref_pem);
	ctl_secret_free(key);
	ctl_ca_free(ca);
}

static void test_leaf_as_openssl_mints_it(void **state)
{
	struct pki *p = *state;

	check_against_reference(p, "red-c1-c2", p->now - 60, p->now + 86400);
	/* past 2049: GeneralizedTime, as OpenSSL writes it */
	check_against_reference(p, "red-cluster-with-a-long-name-c2-0", p->now - 60,
				(time_t)2556144000 + 3600);
	/* the last UTCTime decade */
	check_against_reference(p, "red-c1-c2", p->now, (time_t)2366841600);
	/* the longest commonName X.509 allows; one more is refused */
	check_against_reference(p, "a123456789b123456789c123456789d123456789e123456789f123456789"
				   "abcd", p->now, p->now + 60);
}

static void test_leaf_names_refused(void **state)
{
	struct pki *p = *state;
	struct ctl_ca *ca = ctl_ca_load(p->ca, p->ca_key);
	char *cert, *key, name[66];

	memset(name, 'a', 65);
	name[65] = '\0';
	assert_int_equal(ctl_ca_issue(ca, name, p->now, p->now + 60, &cert, &key), -ENAMETOOLONG);
	assert_int_equal(ctl_ca_issue(ca, "", p->now, p->now + 60, &cert, &key), -EINVAL);
	assert_int_equal(ctl_ca_issue(ca, "r\xc3\xa9" "d", p->now, p->now + 60, &cert, &key),
			 -EINVAL);
	ctl_ca_free(ca);
}

/* Serials: positive, at most 16 bytes, none twice in 200 certificates. */
static void test_leaf_serials(void **state)
{
	struct pki *p = *state;
	struct ctl_ca *ca = ctl_ca_load(p->ca, p->ca_key);
	char *seen[200];

	for (int i = 0; i < 200; i++) {
		char *pem, *key;
		X509 *cert;
		BIGNUM *bn;

		assert_int_equal(ctl_ca_issue(ca, "red-c1-c2", p->now, p->now + 60, &pem, &key),
				 0);
		cert = parse_cert(pem);
		bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
		assert_false(BN_is_negative(bn));
		assert_true(BN_num_bytes(bn) <= 16);
		seen[i] = BN_bn2hex(bn);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(seen[i], seen[j]);
		BN_free(bn);
		X509_free(cert);
		free(pem);
		ctl_secret_free(key);
	}
	for (int i = 0; i < 200; i++)
		OPENSSL_free(seen[i]);
	ctl_ca_free(ca);
}

/* PATH: s into a fresh file of the test's temporary directory. */
static void write_file(char *path, const char *dir, const char *name, const char *s)
{
	FILE *f;

	sprintf(path, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(s, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* openssl(1) verifies the certificate, strictly, for TLS clients and servers by name. */
static void test_leaf_openssl_verify(void **state)
{
	struct pki *p = *state;
	char dir[] = "/tmp/test_certs.XXXXXX", ca[64], other[64], cert[64], cmd[512];
	const char *purposes[] = { "sslclient", "sslserver" };

	assert_non_null(mkdtemp(dir));
	write_file(ca, dir, "ca.crt", p->ca);
	write_file(other, dir, "other.crt", p->other_ca);
	write_file(cert, dir, "tls.crt", p->cert);
	for (int i = 0; i < 2; i++) {
		snprintf(cmd, sizeof(cmd), "openssl verify -x509_strict -purpose %s "
			 "-verify_hostname red-c1-c2 -CAfile %s %s >/dev/null 2>&1",
			 purposes[i], ca, cert);
		assert_int_equal(system(cmd), 0);
	}
	snprintf(cmd, sizeof(cmd), "openssl verify -CAfile %s %s >/dev/null 2>&1", other, cert);
	assert_int_not_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "openssl verify -verify_hostname red-c2-c1 -CAfile %s %s "
		 ">/dev/null 2>&1", ca, cert);
	assert_int_not_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_and_identity),
		cmocka_unit_test(test_validity_window),
		cmocka_unit_test(test_leaf_cannot_sign),
		cmocka_unit_test(test_key_mismatch_rejected),
		cmocka_unit_test(test_key_is_p256),
		cmocka_unit_test(test_random_hex),
		cmocka_unit_test(test_leaf_as_openssl_mints_it),
		cmocka_unit_test(test_leaf_names_refused),
		cmocka_unit_test(test_leaf_serials),
		cmocka_unit_test(test_leaf_openssl_verify),
	};

	return cmocka_run_group_tests_name("certs", tests, setup, teardown);
}
