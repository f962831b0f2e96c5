/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DER written back to front into a caller's buffer: a value's contents first, then the tag
 * and length that wrap them, so that no length has to be known before what it measures.
 * The slice PKI writes its gateway certificates with it (certs_leaf.c) rather than through
 * OpenSSL's ASN.1 item machinery, which allocated, encoded and copied each of them.
 */
#ifndef CONTROLLER_CERTS_DER_H
#define CONTROLLER_CERTS_DER_H

#include <stdbool.h>
#include <stddef.h>

/**
 * struct der_out - DER being written back to front
 * @buf: the caller's buffer
 * @size: its size; the DER ends there
 * @pos: where the written bytes start (they end at the buffer's end); moves down
 * @failed: the buffer was too small, or a value could not be encoded; what was written is
 *	    then meaningless, and every later call does nothing
 */
struct der_out {
	unsigned char *buf;
	size_t size;
	size_t pos;
	bool failed;
};

/**
 * der_init - start writing into a buffer
 * @d: the writer
 * @buf: the buffer; the DER ends at its end
 * @size: its size in bytes
 */
void der_init(struct der_out *d, unsigned char *buf, size_t size);

/**
 * der_put - write bytes before what is written already
 * @d: the writer
 * @bytes: what to write (already DER: a whole TLV, or contents to wrap)
 * @len: how many bytes
 *
 * Return: the position after them (the mark for der_wrap()).
 */
size_t der_put(struct der_out *d, const void *bytes, size_t len);

/**
 * der_wrap - wrap what was written since a mark in a tag and its length
 * @d: the writer
 * @tag: the identifier octet (0x30 SEQUENCE, 0xa3 [3] EXPLICIT, ...)
 * @mark: der_mark() taken before its contents were written
 */
void der_wrap(struct der_out *d, unsigned char tag, size_t mark);

/**
 * der_mark - where the next contents end, for a der_wrap() after them
 * @d: the writer
 *
 * Return: the current position.
 */
static inline size_t der_mark(const struct der_out *d)
{
	return d->pos;
}

/**
 * der_tlv - write a primitive value, tag, length and contents
 * @d: the writer
 * @tag: its identifier octet
 * @bytes: its contents
 * @len: their length
 */
void der_tlv(struct der_out *d, unsigned char tag, const void *bytes, size_t len);

/**
 * der_data - what was written
 * @d: the writer
 * @len: set to its length
 *
 * Return: the first byte, or NULL when writing failed.
 */
const unsigned char *der_data(const struct der_out *d, size_t *len);

#endif /* CONTROLLER_CERTS_DER_H */
