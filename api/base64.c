// SPDX-License-Identifier: GPL-2.0
/*
 * Base64 (RFC 4648, padded), the encoding of Secret data and of keys: the one codec of the
 * controller, sliced and slicectl.
 */
#include <stdlib.h>
#include <string.h>

#include "api/base64.h"

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *ks_b64_encode(const void *data, size_t len)
{
	const unsigned char *in = data;
	char *out = malloc((len + 2) / 3 * 4 + 1), *p = out;
	unsigned long v;
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i < len; i += 3) {
		v = (unsigned long)in[i] << 16;
		if (i + 1 < len)
			v |= (unsigned long)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		*p++ = b64_alphabet[(v >> 18) & 63];
		*p++ = b64_alphabet[(v >> 12) & 63];
		*p++ = i + 1 < len ? b64_alphabet[(v >> 6) & 63] : '=';
		*p++ = i + 2 < len ? b64_alphabet[v & 63] : '=';
	}
	*p = '\0';
	return out;
}

/* A character's value in the alphabet, or -1: by range, not a strchr per character (the
 * etcd engine decodes every value it reads; the search was a fifth of its CPU). */
static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

unsigned char *ks_b64_decode(const char *s, size_t *len)
{
	size_t n = strlen(s), i, o = 0;
	unsigned char *out;
	int v[4], k;

	if (n % 4)
		return NULL;
	out = malloc(n / 4 * 3 + 1);
	if (!out)
		return NULL;
	for (i = 0; i < n; i += 4) {
		for (k = 0; k < 4; k++) {
			v[k] = b64_value(s[i + k]);
			/* '=' only as padding in the last group, and "x=y=" is not padding */
			if (v[k] < 0 && (s[i + k] != '=' || i + 4 != n || k < 2 ||
					 (k == 2 && s[i + 3] != '=')))
				goto bad;
		}
		out[o++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
		if (v[2] >= 0)
			out[o++] = (unsigned char)((v[1] & 15) << 4 | v[2] >> 2);
		if (v[3] >= 0)
			out[o++] = (unsigned char)((v[2] & 3) << 6 | v[3]);
	}
	out[o] = '\0';
	*len = o;
	return out;
bad:
	free(out);
	return NULL;
}

char *ks_b64_text(const char *s)
{
	size_t len;
	unsigned char *out = s ? ks_b64_decode(s, &len) : NULL;

	/* Text with a NUL inside would be cut short without a word: refuse it. */
	if (out && memchr(out, '\0', len)) {
		free(out);
		return NULL;
	}
	return (char *)out;
}
