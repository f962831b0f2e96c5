/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What certs.c (keys, CAs, OpenSSL's certificates) shares with certs_leaf.c (the gateway
 * certificates a CA issues, written from its template).
 */
#ifndef CONTROLLER_CERTS_INT_H
#define CONTROLLER_CERTS_INT_H

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* An uncompressed P-256 point: 04, x, y. */
#define P256_POINT 65

/**
 * struct ctl_leaf_template - the DER every gateway certificate of one CA shares
 * @issuer: the CA's subject Name, the certificates' issuer
 * @issuer_len: its length
 * @alg: the signature's AlgorithmIdentifier, as the CA key's signer names it
 * @alg_len: its length
 * @fixed: the extensions before the subjectAltName (basicConstraints, keyUsage,
 *	   extendedKeyUsage)
 * @fixed_len: their length
 * @aki: the authorityKeyIdentifier extension, the CA's key identifier (the last one)
 * @aki_len: its length
 * @sig_max: the largest signature the CA key makes
 *
 * NULL @aki: the CA has no subject key identifier, so "keyid:always" cannot be met and
 * ctl_ca_issue() fails.
 */
struct ctl_leaf_template {
	unsigned char *issuer;
	size_t issuer_len;
	unsigned char alg[64];
	size_t alg_len;
	unsigned char *fixed;
	size_t fixed_len;
	unsigned char *aki;
	size_t aki_len;
	size_t sig_max;
};

/**
 * struct ctl_ca - a loaded slice CA, used by one thread at a time
 * @cert: CA certificate
 * @key: CA private key
 * @keygen: P-256 key generation, set up once (OpenSSL 3 looks up the key type among the
 *	    providers and builds the curve's group on every EVP_EC_gen())
 * @sign: the CA's signature (ECDSA-SHA256 with @key), initialized once; each signature
 *	  signs with a copy
 * @leaf: what ctl_ca_issue()'s certificates share
 */
struct ctl_ca {
	X509 *cert;
	EVP_PKEY *key;
	EVP_PKEY_CTX *keygen;
	EVP_MD_CTX *sign;
	struct ctl_leaf_template leaf;
};

/**
 * struct ctl_new_key - a fresh P-256 key
 * @pkey: the key
 * @pub: its public point, uncompressed (the certificate, its key identifier and the PEM
 *	 of the key each need it; OpenSSL computes it again on every request)
 */
struct ctl_new_key {
	EVP_PKEY *pkey;
	unsigned char pub[P256_POINT];
};

/**
 * ctl_key_generate - a fresh P-256 key
 * @keygen: the CA's prepared key generation, or NULL for a one-off
 * @k: the key, with its public point
 *
 * Return: 0, or -ENOMEM (@k->pkey NULL).
 */
int ctl_key_generate(EVP_PKEY_CTX *keygen, struct ctl_new_key *k);

/**
 * ctl_pem_armour - DER as PEM
 * @label: "CERTIFICATE", "EC PRIVATE KEY", ...
 * @der: the DER
 * @len: its length
 *
 * Return: base64 in lines of 64 between the armour of @label, malloc'd, or NULL.
 */
char *ctl_pem_armour(const char *label, const unsigned char *der, size_t len);

/**
 * ctl_key_to_pem - a fresh key as SEC1 ECPrivateKey PEM ("EC PRIVATE KEY")
 * @key: the key
 *
 * Return: the PEM, malloc'd (free with ctl_secret_free()), or NULL.
 */
char *ctl_key_to_pem(const struct ctl_new_key *key);

/**
 * ctl_leaf_template_build - what every gateway certificate of a loaded CA shares
 * @ca: the CA, its certificate, key and signing context set
 *
 * Return: 1, or 0 when it could not be built (a CA without a subject key identifier is
 * no failure: its template is left without @ca->leaf.aki).
 */
int ctl_leaf_template_build(struct ctl_ca *ca);

/**
 * ctl_leaf_template_free - free what ctl_leaf_template_build() made
 * @t: the template; all NULL is fine
 */
void ctl_leaf_template_free(struct ctl_leaf_template *t);

#endif /* CONTROLLER_CERTS_INT_H */
