// SPDX-License-Identifier: GPL-2.0
/* The slice PKI: chains, identities, validity, key types, tokens. */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_and_identity),
		cmocka_unit_test(test_validity_window),
		cmocka_unit_test(test_leaf_cannot_sign),
		cmocka_unit_test(test_key_mismatch_rejected),
		cmocka_unit_test(test_key_is_p256),
		cmocka_unit_test(test_random_hex),
	};

	return cmocka_run_group_tests_name("certs", tests, setup, teardown);
}
