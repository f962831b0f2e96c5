// SPDX-License-Identifier: GPL-2.0
/*
 * Keys are EC P-256 and certificates ECDSA-SHA256: what Go's crypto/tls (kubectl) and
 * libcurl (sliced) both accept. Files are written to a temporary name, fsynced and renamed,
 * so a crash never leaves half a key.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "api/json.h"
#include "controller/tls.h"

#define CA_DAYS 3650
#define SERVER_DAYS 825

static int write_file(const char *dir, const char *name, const char *data, size_t len,
		      mode_t mode)
{
	char path[4096], tmp[4200];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0)
		return -errno;
	if (write(fd, data, len) != (ssize_t)len || fsync(fd))
		ret = -errno ? -errno : -EIO;
	close(fd);
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		fprintf(stderr, "slice-controller: writing %s: %s\n", path, strerror(-ret));
	return ret;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		goto out;
	buf = malloc(n + 1);
	if (buf && fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
		goto out;
	}
	if (buf) {
		buf[n] = '\0';
		if (len)
			*len = n;
	}
out:
	fclose(f);
	return buf;
}

static int write_pem(const char *dir, const char *name, EVP_PKEY *key, X509 *cert)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data;
	long len;
	int ret;

	if (!bio)
		return -ENOMEM;
	if (key ? !PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) :
		  !PEM_write_bio_X509(bio, cert)) {
		BIO_free(bio);
		return -EIO;
	}
	len = BIO_get_mem_data(bio, &data);
	ret = write_file(dir, name, data, len, key ? 0600 : 0644);
	BIO_free(bio);
	return ret;
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return -EINVAL;
	ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -EINVAL;
}

/* A certificate for key with subject CN cn, signed by issuer (itself when NULL). */
static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
		       int days, const char *san)
{
	X509 *cert = X509_new();
	unsigned char serial[16];
	BIGNUM *bn;

	if (!cert || RAND_bytes(serial, sizeof(serial)) != 1)
		goto err;
	serial[0] &= 0x7f;
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
	BN_free(bn);
	X509_set_version(cert, 2);
	X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
	X509_gmtime_adj(X509_getm_notAfter(cert), (long)days * 86400);
	X509_set_pubkey(cert, key);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_ASC,
				   (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(cert, X509_get_subject_name(issuer ? issuer : cert));
	if (!issuer) {
		if (add_ext(cert, cert, NID_basic_constraints, "critical,CA:TRUE") ||
		    add_ext(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign") ||
		    add_ext(cert, cert, NID_subject_key_identifier, "hash"))
			goto err;
	} else {
		if (add_ext(cert, issuer, NID_basic_constraints, "critical,CA:FALSE") ||
		    add_ext(cert, issuer, NID_key_usage, "critical,digitalSignature") ||
		    add_ext(cert, issuer, NID_ext_key_usage, "serverAuth") ||
		    add_ext(cert, issuer, NID_authority_key_identifier, "keyid") ||
		    add_ext(cert, issuer, NID_subject_alt_name, san))
			goto err;
	}
	if (!X509_sign(cert, issuer_key ? issuer_key : key, EVP_sha256()))
		goto err;
	return cert;
err:
	X509_free(cert);
	return NULL;
}

static int file_exists(const char *dir, const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

int ctl_tls_bootstrap(const char *dir, const char *host)
{
	EVP_PKEY *ca_key = NULL, *key = NULL;
	X509 *ca = NULL, *cert = NULL;
	struct in6_addr addr;
	char san[512];
	int ret = -EIO;

	if (file_exists(dir, "server.crt") && file_exists(dir, "server.key") &&
	    file_exists(dir, "ca.crt"))
		return 0;
	snprintf(san, sizeof(san), "DNS:localhost,IP:127.0.0.1,IP:::1");
	if (host && *host && strcmp(host, "localhost") && strcmp(host, "127.0.0.1") &&
	    strcmp(host, "0.0.0.0") && strcmp(host, "::"))
		snprintf(san + strlen(san), sizeof(san) - strlen(san), ",%s:%s",
			 inet_pton(AF_INET, host, &addr) == 1 ||
			 inet_pton(AF_INET6, host, &addr) == 1 ? "IP" : "DNS", host);
	ca_key = EVP_EC_gen("P-256");
	key = EVP_EC_gen("P-256");
	if (!ca_key || !key)
		goto out;
	ca = make_cert(ca_key, "slice-controller-ca", NULL, NULL, CA_DAYS, NULL);
	if (!ca)
		goto out;
	cert = make_cert(key, "slice-controller", ca, ca_key, SERVER_DAYS, san);
	if (!cert)
		goto out;
	/* The certificate last: its presence says the set is complete. */
	ret = write_pem(dir, "ca.key", ca_key, NULL);
	if (!ret)
		ret = write_pem(dir, "ca.crt", NULL, ca);
	if (!ret)
		ret = write_pem(dir, "server.key", key, NULL);
	if (!ret)
		ret = write_pem(dir, "server.crt", NULL, cert);
out:
	if (ret)
		ERR_print_errors_fp(stderr);
	X509_free(cert);
	X509_free(ca);
	EVP_PKEY_free(key);
	EVP_PKEY_free(ca_key);
	return ret;
}

int ctl_tls_admin_token(const char *dir, char *token)
{
	char path[4096], *data;
	unsigned char raw[32];
	int ret;

	snprintf(path, sizeof(path), "%s/admin.token", dir);
	data = read_file(path, NULL);
	if (data) {
		snprintf(token, 65, "%.64s", data);
		free(data);
		if (strlen(token) == 64)
			return 0;
		fprintf(stderr, "slice-controller: %s: expected 64 hex digits\n", path);
		return -EINVAL;
	}
	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return -EIO;
	for (size_t i = 0; i < sizeof(raw); i++)
		sprintf(token + 2 * i, "%02x", raw[i]);
	ret = write_file(dir, "admin.token", token, 64, 0600);
	return ret;
}

int ctl_tls_write_kubeconfig(const char *dir, const char *server, const char *ca_file,
			     const char *token)
{
	size_t len = 0;
	char *ca = read_file(ca_file, &len), *ca64, *text;
	int n, ret;

	if (!ca) {
		fprintf(stderr, "slice-controller: reading %s: %s\n", ca_file, strerror(errno));
		return -errno;
	}
	ca64 = ks_b64_encode(ca, len);
	free(ca);
	if (!ca64)
		return -ENOMEM;
	n = asprintf(&text,
		     "apiVersion: v1\n"
		     "kind: Config\n"
		     "clusters:\n"
		     "- name: slice-controller\n"
		     "  cluster:\n"
		     "    server: %s\n"
		     "    certificate-authority-data: %s\n"
		     "users:\n"
		     "- name: admin\n"
		     "  user:\n"
		     "    token: %s\n"
		     "contexts:\n"
		     "- name: slice-controller\n"
		     "  context:\n"
		     "    cluster: slice-controller\n"
		     "    user: admin\n"
		     "current-context: slice-controller\n",
		     server, ca64, token);
	free(ca64);
	if (n < 0)
		return -ENOMEM;
	ret = write_file(dir, "admin.kubeconfig", text, n, 0600);
	free(text);
	return ret;
}

static int select_alpn(SSL *ssl, const unsigned char **out, unsigned char *outlen,
		       const unsigned char *in, unsigned int inlen, void *arg)
{
	static const unsigned char http11[] = "\x08http/1.1";

	/* HTTP/1.1 only: Go clients then use one connection per concurrent request. */
	if (SSL_select_next_proto((unsigned char **)out, outlen, http11, sizeof(http11) - 1,
				  in, inlen) != OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_NOACK;
	return SSL_TLSEXT_ERR_OK;
}

SSL_CTX *ctl_tls_server_ctx(const char *cert_file, const char *key_file)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (!ctx)
		goto err;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_alpn_select_cb(ctx, select_alpn, NULL);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		fprintf(stderr, "slice-controller: cannot use certificate %s with key %s:\n",
			cert_file, key_file);
		goto err;
	}
	return ctx;
err:
	ERR_print_errors_fp(stderr);
	SSL_CTX_free(ctx);
	return NULL;
}
