/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every certificate the controller mints: the slice PKI (a CA per slice and one certificate
 * per gateway) and its own serving CA and certificate (tls.c). EC P-256 keys, ECDSA-SHA256
 * signatures, PEM encoded. A gateway certificate names the gateway in its subject CN and in
 * its only DNS subjectAltName, and is good for TLS client and server authentication (the
 * DTLS handshake between gateways authenticates both ends).
 */
#ifndef CONTROLLER_CERTS_H
#define CONTROLLER_CERTS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct ctl_ca;

/**
 * struct ctl_cert_profile - what a certificate says
 * @cn: subject common name
 * @is_ca: a CA (basicConstraints CA:TRUE, pathlen 0; keyCertSign), self-signed; otherwise
 *	   a leaf (digitalSignature) signed by the issuer
 * @ext_key_usage: a leaf's extendedKeyUsage, "serverAuth" or "serverAuth,clientAuth"
 * @san: a leaf's subjectAltName in OpenSSL's syntax ("DNS:a,IP:192.0.2.1"), or NULL
 * @not_before: start of validity
 * @not_after: end of validity
 */
struct ctl_cert_profile {
	const char *cn;
	bool is_ca;
	const char *ext_key_usage;
	const char *san;
	time_t not_before;
	time_t not_after;
};

/*
 * A fresh key and a certificate for it as p says, signed by ca (a CA profile is
 * self-signed: ca NULL). Returns 0 with malloc'ed PEM strings, or -errno.
 */
int ctl_cert_mint(const struct ctl_ca *ca, const struct ctl_cert_profile *p,
		  char **cert_pem, char **key_pem);

/* How long a slice CA is valid; gateway certificates roll under it. */
#define CTL_CA_VALID_DAYS 3650

/*
 * Create a slice CA valid from now - 1 h (clock skew between nodes) for
 * CTL_CA_VALID_DAYS. Returns 0 with malloc'ed PEM strings, or -errno.
 */
int ctl_ca_create(const char *slice, time_t now, char **cert_pem, char **key_pem);

/* Load a CA from its PEM certificate and key (checked to match); NULL on bad input. */
struct ctl_ca *ctl_ca_load(const char *cert_pem, const char *key_pem);
void ctl_ca_free(struct ctl_ca *ca);

/*
 * Issue a certificate and a fresh key for identity, valid from not_before to not_after:
 * what ctl_cert_mint() makes of a leaf profile with identity as its CN and only DNS name,
 * for serverAuth and clientAuth, written from the CA's template (certs_leaf.c). identity
 * is printable ASCII of at most 64 bytes (X.509's bound on a commonName). Returns 0 with
 * malloc'ed PEM strings, -ENAMETOOLONG, -EINVAL (another name, or a CA without a subject
 * key identifier) or -ENOMEM.
 */
int ctl_ca_issue(const struct ctl_ca *ca, const char *identity, time_t not_before,
		 time_t not_after, char **cert_pem, char **key_pem);

/*
 * What sliced checks of a peer: cert_pem chains to ca_pem at time at and names identity.
 * Returns 0, -EKEYREJECTED when it does not, -EINVAL on unparsable input.
 */
int ctl_cert_verify(const char *ca_pem, const char *cert_pem, const char *identity, time_t at);

/* Wipe and free a PEM private key (or any secret string); NULL is fine. */
void ctl_secret_free(char *s);

/* Fill hex (2 * bytes + 1) with the hex of bytes random bytes; 0 or -EIO. */
int ctl_random_hex(char *hex, size_t bytes);

#endif /* CONTROLLER_CERTS_H */
