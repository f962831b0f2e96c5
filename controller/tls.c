// SPDX-License-Identifier: GPL-2.0
/*
 * Keys are EC P-256 and certificates ECDSA-SHA256: what Go's crypto/tls (kubectl) and
 * libcurl (sliced) both accept. Files are written to a temporary name, fsynced and renamed,
 * so a crash never leaves half a key.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <openssl/err.h>

#include "api/base64.h"
#include "api/file.h"
#include "api/log.h"
#include "controller/certs.h"
#include "controller/tls.h"

#define CA_DAYS 3650
#define SERVER_DAYS 825

/* DIR/NAME replaced whole (ks_write_file()), logged when it fails; 0 or -errno. */
static int write_file(const char *dir, const char *name, const char *data, size_t len,
		      mode_t mode)
{
	char path[4096];
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ret = ks_write_file(path, data, len, mode);
	if (ret)
		ks_log(LOG_ERR, "writing %s: %s", path, strerror(-ret));
	return ret;
}

static int file_exists(const char *dir, const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

/* The serving CA and certificate, minted by certs.c; 0 or -errno. */
static int mint_serving(const char *san, char **ca_pem, char **ca_key, char **cert_pem,
			char **key_pem)
{
	time_t now = time(NULL);
	struct ctl_cert_profile ca_p = {
		.cn = "slice-controller-ca",
		.is_ca = true,
		.not_before = now - 3600,
		.not_after = now + (time_t)CA_DAYS * 86400,
	};
	struct ctl_cert_profile server_p = {
		.cn = "slice-controller",
		.ext_key_usage = "serverAuth",
		.san = san,
		.not_before = now - 3600,
		.not_after = now + (time_t)SERVER_DAYS * 86400,
	};
	struct ctl_ca *ca;
	int ret;

	ret = ctl_cert_mint(NULL, &ca_p, ca_pem, ca_key);
	if (ret)
		return ret;
	ca = ctl_ca_load(*ca_pem, *ca_key);
	ret = ca ? ctl_cert_mint(ca, &server_p, cert_pem, key_pem) : -EINVAL;
	ctl_ca_free(ca);
	return ret;
}

int ctl_tls_bootstrap(const char *dir, const char *host)
{
	char *ca_pem = NULL, *ca_key = NULL, *cert_pem = NULL, *key_pem = NULL;
	struct in6_addr addr;
	char san[512];
	int ret;

	if (file_exists(dir, "server.crt") && file_exists(dir, "server.key") &&
	    file_exists(dir, "ca.crt"))
		return 0;
	snprintf(san, sizeof(san), "DNS:localhost,IP:127.0.0.1,IP:::1");
	if (host && *host && strcmp(host, "localhost") && strcmp(host, "127.0.0.1") &&
	    strcmp(host, "0.0.0.0") && strcmp(host, "::"))
		snprintf(san + strlen(san), sizeof(san) - strlen(san), ",%s:%s",
			 inet_pton(AF_INET, host, &addr) == 1 ||
			 inet_pton(AF_INET6, host, &addr) == 1 ? "IP" : "DNS", host);
	ret = mint_serving(san, &ca_pem, &ca_key, &cert_pem, &key_pem);
	/* The certificate last: its presence says the set is complete. */
	if (!ret)
		ret = write_file(dir, "ca.key", ca_key, strlen(ca_key), 0600);
	if (!ret)
		ret = write_file(dir, "ca.crt", ca_pem, strlen(ca_pem), 0644);
	if (!ret)
		ret = write_file(dir, "server.key", key_pem, strlen(key_pem), 0600);
	if (!ret)
		ret = write_file(dir, "server.crt", cert_pem, strlen(cert_pem), 0644);
	if (ret) {
		ks_log(LOG_ERR, "creating the serving certificate in %s: %s", dir, strerror(-ret));
		ERR_print_errors_fp(stderr);
	}
	free(ca_pem);
	free(cert_pem);
	ctl_secret_free(ca_key);
	ctl_secret_free(key_pem);
	return ret;
}

int ctl_tls_admin_token(const char *dir, char *token)
{
	char path[4096], *data;

	snprintf(path, sizeof(path), "%s/admin.token", dir);
	data = ks_read_file(path, NULL);
	if (data) {
		snprintf(token, 65, "%.64s", data);
		free(data);
		if (strlen(token) == 64)
			return 0;
		ks_log(LOG_ERR, "%s: expected 64 hex digits", path);
		return -EINVAL;
	}
	if (ctl_random_hex(token, 32))
		return -EIO;
	return write_file(dir, "admin.token", token, 64, 0600);
}

int ctl_tls_write_kubeconfig(const char *dir, const char *server, const char *ca_file,
			     const char *token)
{
	size_t len = 0;
	char *ca = ks_read_file(ca_file, &len), *ca64, *text;
	int n, ret;

	if (!ca) {
		ks_log(LOG_ERR, "reading %s: %s", ca_file, strerror(errno));
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
		ks_log(LOG_ERR, "cannot use certificate %s with key %s:",
			cert_file, key_file);
		goto err;
	}
	return ctx;
err:
	ERR_print_errors_fp(stderr);
	SSL_CTX_free(ctx);
	return NULL;
}
