/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The serving identity: a self-made CA and serving certificate in the data directory when
 * none is given, the admin token, the admin kubeconfig, and the OpenSSL server context.
 */
#ifndef CONTROLLER_TLS_H
#define CONTROLLER_TLS_H

#include <openssl/ssl.h>

/* Creates DIR/ca.crt, ca.key, server.crt and server.key unless present; the serving
 * certificate names localhost, 127.0.0.1 and host. Returns 0 or -errno. */
int ctl_tls_bootstrap(const char *dir, const char *host);
/* Reads DIR/admin.token, creating it when absent, into token (65 bytes). */
int ctl_tls_admin_token(const char *dir, char *token);
/* Writes DIR/admin.kubeconfig for server (an https URL) with the CA in ca_file. */
int ctl_tls_write_kubeconfig(const char *dir, const char *server, const char *ca_file,
			     const char *token);
SSL_CTX *ctl_tls_server_ctx(const char *cert_file, const char *key_file);

#endif /* CONTROLLER_TLS_H */
