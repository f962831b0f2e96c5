/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Base64 (RFC 4648, padded), as Kubernetes writes Secret data.
 */
#ifndef API_BASE64_H
#define API_BASE64_H

#include <stddef.h>

/* A malloc'ed string, or NULL when out of memory. */
char *ks_b64_encode(const void *data, size_t len);
/*
 * A malloc'ed buffer with its length in *len and a NUL after it, or NULL on bad input
 * (a length that is not a multiple of 4, a character outside the alphabet, misplaced '=').
 * Padding bits need not be zero, as in Kubernetes' decoder.
 */
unsigned char *ks_b64_decode(const char *s, size_t *len);
/* The text that base64 @s encodes (a PEM file, say), or NULL for NULL, bad input or a NUL. */
char *ks_b64_text(const char *s);

#endif /* API_BASE64_H */
