// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/base64.h"
#include "api/file.h"
#include "api/qos.h"
#include "parse.h"

/* Longest key file accepted: a key, a newline and some slack for CRLF or spaces. */
#define KEY_FILE_MAX	128

/* strtoull would take signs and spaces; numbers here are plain digits in @base (0: 0x hex). */
static const char *parse_base(const char *arg, int base, const char *what, uint64_t *out)
{
	unsigned long long value;
	char *end;

	if (!isdigit((unsigned char)arg[0]))
		return what;
	errno = 0;
	value = strtoull(arg, &end, base);
	if (*end)
		return what;
	if (errno == ERANGE)
		return "number too large";
	*out = value;
	return NULL;
}

/* Ids and counts are plain decimals. */
const char *parse_u64(const char *arg, uint64_t *out)
{
	return parse_base(arg, 10, "expected a decimal number", out);
}

const char *parse_u32(const char *arg, uint32_t min, uint32_t max, uint32_t *out)
{
	static char range[64];
	const char *why;
	uint64_t value;

	why = parse_u64(arg, &value);
	if (why)
		return why;
	if (value < min || value > max) {
		snprintf(range, sizeof(range), "must be between %u and %u", min, max);
		return range;
	}
	*out = value;
	return NULL;
}

const char *parse_msecs(const char *arg, uint32_t *out)
{
	static const char *what = "expected a duration: 250ms, 2s or seconds";
	const uint64_t day_ms = 86400000;
	size_t len = strlen(arg);
	char digits[24];
	uint64_t scale = 1000, value;

	if (len > 2 && !strcmp(arg + len - 2, "ms")) {
		scale = 1;
		len -= 2;
	} else if (len > 1 && arg[len - 1] == 's') {
		len -= 1;
	}
	if (len >= sizeof(digits))
		return what;
	memcpy(digits, arg, len);
	digits[len] = '\0';
	if (parse_u64(digits, &value))
		return what;
	if (value > day_ms / scale)
		return "must be at most a day (86400s)";
	*out = value * scale;
	return NULL;
}

const char *parse_id(const char *arg, uint32_t *out)
{
	return parse_u32(arg, 1, SLICE_ID_MAX, out);
}

const char *parse_port(const char *arg, uint16_t *out)
{
	uint32_t port;
	const char *why = parse_u32(arg, 1, 65535, &port);

	if (!why)
		*out = port;
	return why;
}

const char *parse_address(const char *arg, union slicenl_sockaddr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, arg, &out->in.sin_addr) == 1) {
		out->in.sin_family = AF_INET;
		return NULL;
	}
	if (inet_pton(AF_INET6, arg, &out->in6.sin6_addr) == 1) {
		out->in6.sin6_family = AF_INET6;
		return NULL;
	}
	return "expected an IPv4 or IPv6 address";
}

const char *parse_endpoint(const char *arg, union slicenl_sockaddr *out)
{
	static const char *const form = "expected A.B.C.D:PORT or [IPV6]:PORT";
	char host[INET6_ADDRSTRLEN];
	const char *start = arg, *end, *port;
	uint16_t port_nr;
	size_t host_len;

	if (arg[0] == '[') {
		start = arg + 1;
		end = strchr(start, ']');
		if (!end || end[1] != ':')
			return form;
		port = end + 2;
	} else {
		end = strrchr(arg, ':');
		/* A second colon means an IPv6 address without its brackets. */
		if (!end || memchr(arg, ':', end - arg))
			return form;
		port = end + 1;
	}
	host_len = end - start;
	if (!host_len || host_len >= sizeof(host))
		return form;
	memcpy(host, start, host_len);
	host[host_len] = '\0';
	if (parse_address(host, out))
		return form;
	if (arg[0] == '[' && out->sa.sa_family != AF_INET6)
		return "only IPv6 addresses go in brackets";
	if (parse_port(port, &port_nr))
		return "port must be between 1 and 65535";
	if (out->sa.sa_family == AF_INET)
		out->in.sin_port = htons(port_nr);
	else
		out->in6.sin6_port = htons(port_nr);
	return NULL;
}

const char *parse_prefix(const char *arg, struct slicenl_route *out)
{
	union slicenl_sockaddr addr;
	char host[INET6_ADDRSTRLEN];
	const char *slash = strchr(arg, '/');
	size_t host_len = slash ? (size_t)(slash - arg) : strlen(arg);
	unsigned int bits, i;
	uint32_t len;
	uint8_t *bytes;

	if (host_len >= sizeof(host))
		return "expected ADDRESS/LENGTH";
	memcpy(host, arg, host_len);
	host[host_len] = '\0';
	if (parse_address(host, &addr))
		return "expected ADDRESS/LENGTH with an IPv4 or IPv6 address";
	memset(out, 0, sizeof(*out));
	out->family = addr.sa.sa_family;
	if (out->family == AF_INET) {
		out->addr.ip4 = addr.in.sin_addr;
		bits = 32;
	} else {
		out->addr.ip6 = addr.in6.sin6_addr;
		bits = 128;
	}
	if (slash) {
		if (parse_u32(slash + 1, 0, bits, &len))
			return out->family == AF_INET ? "length must be between 0 and 32" :
							"length must be between 0 and 128";
	} else {
		len = bits;
	}
	out->prefixlen = len;
	/* The kernel refuses host bits; saying so here names the fix. */
	bytes = (uint8_t *)&out->addr;
	for (i = len; i < bits; i++)
		if (bytes[i / 8] & (0x80 >> (i % 8)))
			return "host bits must be zero (use the network address)";
	return NULL;
}

const char *parse_cipher(const char *arg, uint32_t *out)
{
	if (!strcmp(arg, "aes-256-gcm"))
		*out = SLICE_CIPHER_AES_256_GCM;
	else if (!strcmp(arg, "chacha20-poly1305"))
		*out = SLICE_CIPHER_CHACHA20_POLY1305;
	else
		return "expected aes-256-gcm or chacha20-poly1305";
	return NULL;
}

const char *parse_dscp(const char *arg, uint8_t *out)
{
	int dscp = ks_dscp_value(arg);

	if (dscp < 0)
		return "expected a KubeSlice class: Default, AF11..AF43 or EF";
	*out = dscp;
	return NULL;
}

const char *dscp_name(uint8_t dscp, char *buf, size_t size)
{
	/* AFxy is 8x + 2y (RFC 2597); the table in api/qos.c is the judge of what exists. */
	if (dscp == 0)
		snprintf(buf, size, "Default");
	else if (dscp == 46)
		snprintf(buf, size, "EF");
	else
		snprintf(buf, size, "AF%u%u", dscp / 8, dscp % 8 / 2);
	return ks_dscp_value(buf) == dscp ? buf : NULL;
}

const char *parse_mark(const char *arg, uint32_t *out)
{
	const char *why;
	uint64_t value;

	why = parse_base(arg, 0, "expected a number (decimal or 0x hex)", &value);
	if (why)
		return why;
	if (value > UINT32_MAX)
		return "must be at most 0xffffffff";
	*out = value;
	return NULL;
}

const char *parse_slot(const char *arg, uint32_t *out)
{
	if (!strcmp(arg, "primary"))
		*out = SLICE_KEY_SLOT_PRIMARY;
	else if (!strcmp(arg, "secondary"))
		*out = SLICE_KEY_SLOT_SECONDARY;
	else
		return "expected primary or secondary";
	return NULL;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static const char *parse_key_hex(const char *text, uint8_t key[SLICE_KEY_LEN])
{
	unsigned int i;

	for (i = 0; i < SLICE_KEY_LEN; i++) {
		int hi = hex_value(text[2 * i]), lo = hex_value(text[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return "not a hex key: a character is not a hex digit";
		key[i] = hi << 4 | lo;
	}
	return NULL;
}

/* 44 characters, the canonical base64 of 32 bytes (one '=', the last two bits zero). */
static const char *parse_key_base64(const char *text, uint8_t key[SLICE_KEY_LEN])
{
	char *b64 = strndup(text, 44), *again;
	const char *why = NULL;
	unsigned char *raw;
	size_t len = 0;

	raw = b64 ? ks_b64_decode(b64, &len) : NULL;
	again = raw ? ks_b64_encode(raw, len) : NULL;
	if (!raw || len != SLICE_KEY_LEN)
		why = "not a base64 key: expected 43 base64 characters and '='";
	else if (!again || strcmp(again, b64))
		why = "not a base64 key: the padding bits are not zero";
	else
		memcpy(key, raw, SLICE_KEY_LEN);
	if (raw)
		explicit_bzero(raw, len);
	if (again)
		explicit_bzero(again, strlen(again));
	free(raw);
	free(again);
	free(b64);
	return why;
}

const char *parse_key(const char *text, uint8_t key[SLICE_KEY_LEN])
{
	size_t len = strlen(text);

	while (len && isspace((unsigned char)text[len - 1]))
		len--;
	if (len == 2 * SLICE_KEY_LEN)
		return parse_key_hex(text, key);
	if (len == 44)
		return parse_key_base64(text, key);
	return "expected 32 bytes as 64 hex digits or 44 base64 characters";
}

const char *read_key_file(const char *path, uint8_t key[SLICE_KEY_LEN])
{
	const char *why;
	char *text;
	size_t len;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return strerror(errno);
	text = ks_read_fd(fd, KEY_FILE_MAX, &len);
	err = errno;
	close(fd);
	if (!text)
		return err == EFBIG ? "file too long for a key" : strerror(err);
	why = strlen(text) != len ? "file holds a NUL byte, not a key" : parse_key(text, key);
	explicit_bzero(text, len);
	free(text);
	return why;
}
