// SPDX-License-Identifier: GPL-2.0
/*
 * The gateway handshake between two processes over loopback UDP, with certificates made by
 * openssl here (tests/mkcerts.sh): keys agree, and wrong CAs and identities are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "api/file.h"
#include "gwauth.h"

static char dir[] = "/tmp/sliced-test-gwauth-XXXXXX";
static const char *peer_bin;

struct side {
	char out[4096];
	int status;
};

/* Runs "server" with its certificate files, then "client" against its port. */
static void run_pair(const char *server_mode, const char *server_args, const char *client_args,
		     struct side *srv, struct side *cli)
{
	char cmd[1024];
	unsigned int port;
	FILE *fs, *fc;
	size_t n;

	snprintf(cmd, sizeof(cmd), "cd %s && exec %s %s %s", dir, peer_bin, server_mode,
		 server_args);
	fs = popen(cmd, "r");
	assert_non_null(fs);
	/* One line, not fscanf(): its "\n" would wait for more than whitespace. */
	assert_non_null(fgets(cmd, sizeof(cmd), fs));
	assert_int_equal(sscanf(cmd, "port %u", &port), 1);
	snprintf(cmd, sizeof(cmd), "cd %s && exec %s client %s %u", dir, peer_bin, client_args,
		 port);
	fc = popen(cmd, "r");
	assert_non_null(fc);
	n = fread(cli->out, 1, sizeof(cli->out) - 1, fc);
	cli->out[n] = '\0';
	cli->status = pclose(fc);
	n = fread(srv->out, 1, sizeof(srv->out) - 1, fs);
	srv->out[n] = '\0';
	srv->status = pclose(fs);
	print_message("server: %sclient: %s", srv->out, cli->out);
}

static const char server_good[] = "red-c2-c1 red-c1-c2 slice-ca.crt c2.crt c2.key";
static const char client_good[] = "red-c1-c2 red-c2-c1 slice-ca.crt c1.crt c1.key";

static void field(const char *out, const char *name, char *val, size_t len)
{
	const char *p = strstr(out, name);

	assert_non_null(p);
	p += strlen(name);
	snprintf(val, len, "%.*s", (int)strcspn(p, " \n"), p);
}

static void test_keys_agree(void **state)
{
	char senc[80], sdec[80], cenc[80], cdec[80], sid[8], cid[8];
	struct side srv, cli;

	run_pair("server", server_good, client_good, &srv, &cli);
	assert_int_equal(cli.status, 0);
	assert_int_equal(srv.status, 0);
	assert_non_null(strstr(cli.out, "swap\nsettled\n"));
	assert_non_null(strstr(srv.out, "swap\nsettled\n"));
	field(srv.out, "encrypt=", senc, sizeof(senc));
	field(srv.out, "decrypt=", sdec, sizeof(sdec));
	field(srv.out, "id=", sid, sizeof(sid));
	field(cli.out, "encrypt=", cenc, sizeof(cenc));
	field(cli.out, "decrypt=", cdec, sizeof(cdec));
	field(cli.out, "id=", cid, sizeof(cid));
	assert_int_equal(strlen(senc), 2 * GW_KEY_LEN);
	assert_string_equal(senc, cdec);
	assert_string_equal(sdec, cenc);
	assert_string_not_equal(senc, sdec);
	assert_string_equal(sid, cid);
}

/* A second handshake gives new keys (fresh ECDHE, no resumption). */
static void test_keys_fresh(void **state)
{
	char first[80], second[80];
	struct side srv, cli;

	run_pair("server", server_good, client_good, &srv, &cli);
	field(cli.out, "encrypt=", first, sizeof(first));
	run_pair("server", server_good, client_good, &srv, &cli);
	field(cli.out, "encrypt=", second, sizeof(second));
	assert_string_not_equal(first, second);
}

static void expect_refused(struct side *s, const char *why)
{
	assert_int_not_equal(s->status, 0);
	assert_null(strstr(s->out, "keys"));
	if (!strstr(s->out, why))
		fail_msg("want \"%s\" in: %s", why, s->out);
}

static void test_client_from_other_ca(void **state)
{
	struct side srv, cli;

	/* The client trusts the slice CA too, but its own certificate is from another CA. */
	run_pair("server", server_good, "red-c1-c2 red-c2-c1 both-ca.crt c1-other.crt c1-other.key",
		 &srv, &cli);
	expect_refused(&srv, "failed: handshake failed: peer certificate: unable to get local issuer certificate");
	expect_refused(&cli, "failed:");
}

static void test_server_from_other_ca(void **state)
{
	struct side srv, cli;

	/* The client trusts only other-ca; the server's certificate is from slice-ca. */
	run_pair("server", server_good, "red-c1-c2 red-c2-c1 other-ca.crt c1-other.crt c1-other.key",
		 &srv, &cli);
	expect_refused(&cli, "failed: handshake failed: peer certificate: unable to get local issuer certificate");
	expect_refused(&srv, "failed:");
}

static char *slurp(const char *name)
{
	char path[300];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return ks_read_file(path, NULL);
}

/* Credentials the peer would refuse are refused before any handshake. */
static void test_own_certificate_checked(void **state)
{
	char *ca = slurp("slice-ca.crt"), *other = slurp("other-ca.crt");
	char *cert = slurp("c2.crt"), *key = slurp("c2.key"), *key1 = slurp("c1.key");
	struct gw_pair pair = { 0 };
	char err[256];

	assert_int_equal(gw_pair_init(&pair, "red-c2-c1", "red-c1-c2", true, "not pem", cert,
				      key, err, sizeof(err)), -1);
	assert_string_equal(err, "CA certificate is not PEM");
	assert_int_equal(gw_pair_init(&pair, "red-c2-c1", "red-c1-c2", true, other, cert, key,
				      err, sizeof(err)), -1);
	assert_string_equal(err, "certificate for red-c2-c1: unable to get local issuer certificate");
	assert_int_equal(gw_pair_init(&pair, "red-c2-c9", "red-c1-c2", true, ca, cert, key, err,
				      sizeof(err)), -1);
	assert_string_equal(err, "certificate for red-c2-c9: hostname mismatch");
	assert_int_equal(gw_pair_init(&pair, "red-c2-c1", "red-c1-c2", true, ca, cert, key1, err,
				      sizeof(err)), -1);
	assert_non_null(strstr(err, "private key does not match the certificate"));
	assert_null(pair.ctx);
	assert_int_equal(gw_pair_init(&pair, "red-c2-c1", "red-c1-c2", true, ca, cert, key, err,
				      sizeof(err)), 0);
	assert_non_null(pair.ctx);
	gw_pair_release(&pair);
	free(ca);
	free(other);
	free(cert);
	free(key);
	free(key1);
}

static void test_client_wrong_identity(void **state)
{
	struct side srv, cli;

	/* A gateway of the slice, but not the one this pair is for. */
	run_pair("server", server_good, "red-c9-c1 red-c2-c1 slice-ca.crt c9.crt c9.key", &srv,
		 &cli);
	expect_refused(&srv, "failed: handshake failed: peer certificate: hostname mismatch");
	expect_refused(&cli, "failed:");
}

static void test_server_wrong_identity(void **state)
{
	struct side srv, cli;

	run_pair("impostor", "red-c9-c1 red-c1-c2 slice-ca.crt c9.crt c9.key", client_good, &srv,
		 &cli);
	expect_refused(&cli, "failed: handshake failed: peer certificate: hostname mismatch");
	expect_refused(&srv, "failed:");
}

static void test_unknown_gateway(void **state)
{
	struct side srv, cli;

	run_pair("server", server_good, "red-c1-c2 red-c7-c1 slice-ca.crt c1.crt c1.key", &srv,
		 &cli);
	expect_refused(&srv, "failed: client asked for unknown gateway \"red-c7-c1\"");
	expect_refused(&cli, "failed:");
}

static void test_ratelimit(void **state)
{
	struct gw_ratelimit rl = { 0 };
	uint64_t t = 1000000;
	int i, allowed = 0;

	for (i = 0; i < 100; i++)
		allowed += gw_ratelimit_allow(&rl, t, 5, 10);
	assert_int_equal(allowed, 10);
	assert_false(gw_ratelimit_allow(&rl, t + 100, 5, 10));
	assert_true(gw_ratelimit_allow(&rl, t + 200, 5, 10));
	assert_false(gw_ratelimit_allow(&rl, t + 200, 5, 10));
}

static int setup(void **state)
{
	char cmd[512];

	peer_bin = getenv("SLICED_TEST_PEER");
	if (!peer_bin || !mkdtemp(dir))
		return -1;
	snprintf(cmd, sizeof(cmd), "%s/mkcerts.sh %s", TESTS_DIR, dir);
	return system(cmd);
}

static int teardown(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_agree),
		cmocka_unit_test(test_keys_fresh),
		cmocka_unit_test(test_client_from_other_ca),
		cmocka_unit_test(test_server_from_other_ca),
		cmocka_unit_test(test_client_wrong_identity),
		cmocka_unit_test(test_server_wrong_identity),
		cmocka_unit_test(test_unknown_gateway),
		cmocka_unit_test(test_own_certificate_checked),
		cmocka_unit_test(test_ratelimit),
	};

	return cmocka_run_group_tests_name("sliced gateway handshake", tests, setup, teardown);
}
