// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Host unit tests of slicectl's argument parsers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "parse.h"

static void test_ids(void **state)
{
	uint32_t id = 0;

	assert_null(parse_id("1", &id));
	assert_int_equal(id, 1);
	assert_null(parse_id("16777215", &id));
	assert_int_equal(id, SLICE_ID_MAX);
	assert_non_null(parse_id("0", &id));
	assert_non_null(parse_id("16777216", &id));
	assert_non_null(parse_id("-1", &id));
	assert_non_null(parse_id("+1", &id));
	assert_non_null(parse_id(" 1", &id));
	assert_non_null(parse_id("1x", &id));
	assert_non_null(parse_id("0x10", &id));
	assert_non_null(parse_id("", &id));
	assert_non_null(parse_id("99999999999999999999999", &id));
	assert_int_equal(id, SLICE_ID_MAX);	/* untouched by failures */
}

static void test_ports(void **state)
{
	uint16_t port;

	assert_null(parse_port("51820", &port));
	assert_int_equal(port, 51820);
	assert_null(parse_port("65535", &port));
	assert_non_null(parse_port("65536", &port));
	assert_non_null(parse_port("0", &port));
}

static void test_durations(void **state)
{
	uint32_t ms;

	(void)state;
	assert_null(parse_msecs("250ms", &ms));
	assert_int_equal(ms, 250);
	assert_null(parse_msecs("2s", &ms));
	assert_int_equal(ms, 2000);
	assert_null(parse_msecs("30", &ms));
	assert_int_equal(ms, 30000);
	assert_null(parse_msecs("0", &ms));
	assert_int_equal(ms, 0);
	assert_null(parse_msecs("86400s", &ms));
	assert_int_equal(ms, 86400000);
	assert_non_null(parse_msecs("86401", &ms));
	assert_non_null(parse_msecs("86400001ms", &ms));
	assert_non_null(parse_msecs("ms", &ms));
	assert_non_null(parse_msecs("s", &ms));
	assert_non_null(parse_msecs("1.5s", &ms));
	assert_non_null(parse_msecs("-1", &ms));
	assert_non_null(parse_msecs("10m", &ms));
	assert_non_null(parse_msecs("99999999999999999999999ms", &ms));
}

static void test_endpoints(void **state)
{
	union slicenl_sockaddr ep;
	struct in6_addr want6;

	assert_null(parse_endpoint("192.0.2.1:51820", &ep));
	assert_int_equal(ep.sa.sa_family, AF_INET);
	assert_int_equal(ep.in.sin_addr.s_addr, htonl(0xc0000201));
	assert_int_equal(ep.in.sin_port, htons(51820));

	assert_null(parse_endpoint("[2001:db8::1]:443", &ep));
	assert_int_equal(ep.sa.sa_family, AF_INET6);
	inet_pton(AF_INET6, "2001:db8::1", &want6);
	assert_memory_equal(&ep.in6.sin6_addr, &want6, sizeof(want6));
	assert_int_equal(ep.in6.sin6_port, htons(443));

	assert_non_null(parse_endpoint("192.0.2.1", &ep));
	assert_non_null(parse_endpoint("192.0.2.1:", &ep));
	assert_non_null(parse_endpoint("192.0.2.1:0", &ep));
	assert_non_null(parse_endpoint("192.0.2.1:65536", &ep));
	assert_non_null(parse_endpoint("2001:db8::1:443", &ep));
	assert_non_null(parse_endpoint("[2001:db8::1]443", &ep));
	assert_non_null(parse_endpoint("[192.0.2.1]:443", &ep));
	assert_non_null(parse_endpoint("[2001:db8::1:443", &ep));
	assert_non_null(parse_endpoint("gateway.example:443", &ep));
	assert_non_null(parse_endpoint(":443", &ep));
	assert_non_null(parse_endpoint("[]:443", &ep));
}

static void test_prefixes(void **state)
{
	struct slicenl_route route;
	struct in6_addr want6;

	assert_null(parse_prefix("10.1.0.0/16", &route));
	assert_int_equal(route.family, AF_INET);
	assert_int_equal(route.prefixlen, 16);
	assert_int_equal(route.addr.ip4.s_addr, htonl(0x0a010000));

	assert_null(parse_prefix("0.0.0.0/0", &route));
	assert_int_equal(route.prefixlen, 0);
	assert_null(parse_prefix("10.1.2.3", &route));
	assert_int_equal(route.prefixlen, 32);

	assert_null(parse_prefix("fd00:1::/32", &route));
	assert_int_equal(route.family, AF_INET6);
	assert_int_equal(route.prefixlen, 32);
	inet_pton(AF_INET6, "fd00:1::", &want6);
	assert_memory_equal(&route.addr.ip6, &want6, sizeof(want6));
	assert_null(parse_prefix("fd00::1/128", &route));

	assert_non_null(parse_prefix("10.1.0.1/16", &route));	/* host bits */
	assert_non_null(parse_prefix("10.0.0.0/33", &route));
	assert_non_null(parse_prefix("fd00::/129", &route));
	assert_non_null(parse_prefix("fd00::1/127", &route));
	assert_non_null(parse_prefix("10.0.0.0/", &route));
	assert_non_null(parse_prefix("10.0.0.0/-1", &route));
	assert_non_null(parse_prefix("10.0.0/8", &route));
	assert_non_null(parse_prefix("/8", &route));
}

static void test_ciphers_and_slots(void **state)
{
	uint32_t value;

	assert_null(parse_cipher("aes-256-gcm", &value));
	assert_int_equal(value, SLICE_CIPHER_AES_256_GCM);
	assert_null(parse_cipher("chacha20-poly1305", &value));
	assert_int_equal(value, SLICE_CIPHER_CHACHA20_POLY1305);
	assert_non_null(parse_cipher("none", &value));
	assert_non_null(parse_cipher("AES-256-GCM", &value));
	assert_null(parse_slot("primary", &value));
	assert_int_equal(value, SLICE_KEY_SLOT_PRIMARY);
	assert_null(parse_slot("secondary", &value));
	assert_int_equal(value, SLICE_KEY_SLOT_SECONDARY);
	assert_non_null(parse_slot("tertiary", &value));
}

static void test_qos(void **state)
{
	uint32_t mark;
	uint8_t dscp;
	char buf[16];

	assert_null(parse_dscp("AF21", &dscp));
	assert_int_equal(dscp, 18);
	assert_null(parse_dscp("EF", &dscp));
	assert_int_equal(dscp, 46);
	assert_null(parse_dscp("Default", &dscp));
	assert_int_equal(dscp, 0);
	assert_non_null(parse_dscp("AF14", &dscp));
	assert_non_null(parse_dscp("18", &dscp));
	/* Every class's name reads back; values between the classes have none. */
	assert_string_equal(dscp_name(18, buf, sizeof(buf)), "AF21");
	assert_string_equal(dscp_name(38, buf, sizeof(buf)), "AF43");
	assert_string_equal(dscp_name(46, buf, sizeof(buf)), "EF");
	assert_string_equal(dscp_name(0, buf, sizeof(buf)), "Default");
	assert_null(dscp_name(11, buf, sizeof(buf)));
	assert_null(dscp_name(16, buf, sizeof(buf)));
	assert_null(dscp_name(63, buf, sizeof(buf)));
	assert_null(parse_mark("0x10", &mark));
	assert_int_equal(mark, 16);
	assert_null(parse_mark("4294967295", &mark));
	assert_int_equal(mark, UINT32_MAX);
	assert_non_null(parse_mark("0x100000000", &mark));
	assert_non_null(parse_mark("-1", &mark));
	assert_non_null(parse_mark("16k", &mark));
}

/* 0x00, 0x01, ... 0x1f in both encodings (base64 from `base64`). */
#define KEY_HEX "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define KEY_B64 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

static void assert_counting_key(const uint8_t *key)
{
	unsigned int i;

	for (i = 0; i < SLICE_KEY_LEN; i++)
		assert_int_equal(key[i], i);
}

static void test_keys(void **state)
{
	uint8_t key[SLICE_KEY_LEN];
	char not_hex[] = KEY_HEX;

	not_hex[17] = 'g';
	assert_null(parse_key(KEY_HEX, key));
	assert_counting_key(key);
	assert_null(parse_key(KEY_HEX "\n", key));
	assert_null(parse_key("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
			      key));
	assert_counting_key(key);
	assert_null(parse_key(KEY_B64, key));
	assert_counting_key(key);
	assert_null(parse_key(KEY_B64 "\r\n", key));

	assert_non_null(parse_key("", key));
	assert_non_null(parse_key(KEY_HEX "00", key));		/* 33 bytes */
	assert_non_null(parse_key(KEY_HEX + 2, key));		/* 31 bytes */
	assert_non_null(parse_key(not_hex, key));
	assert_non_null(parse_key("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh*=", key));
	/* The last character must leave the two padding bits zero. */
	assert_non_null(parse_key("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9=", key));
	assert_non_null(parse_key("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8A", key));
	assert_non_null(parse_key(" " KEY_HEX, key));
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void test_key_files(void **state)
{
	char path[] = "/tmp/slicectl-key-XXXXXX";
	uint8_t key[SLICE_KEY_LEN];
	char big[300];
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	write_file(path, KEY_B64 "\n", sizeof(KEY_B64));
	assert_null(read_key_file(path, key));
	assert_counting_key(key);
	write_file(path, KEY_HEX, strlen(KEY_HEX));
	assert_null(read_key_file(path, key));
	write_file(path, KEY_HEX "\0", strlen(KEY_HEX) + 1);
	assert_non_null(read_key_file(path, key));
	memset(big, 'a', sizeof(big));
	write_file(path, big, sizeof(big));
	assert_non_null(read_key_file(path, key));
	write_file(path, "", 0);
	assert_non_null(read_key_file(path, key));
	unlink(path);
	assert_string_equal(read_key_file(path, key), "No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_endpoints),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_ciphers_and_slots),
		cmocka_unit_test(test_qos),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_key_files),
	};

	return cmocka_run_group_tests_name("slicectl parsers", tests, NULL, NULL);
}
