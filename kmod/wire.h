/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slice: encoding and decoding of the 16-byte data packet header (uapi/linux/slice.h).
 */
#ifndef _SLICE_WIRE_H
#define _SLICE_WIRE_H

#include <linux/bits.h>
#include <linux/types.h>
#include <linux/string.h>
#include <asm/unaligned.h>
#include <linux/slice.h>

/**
 * struct slice_wire_hdr - decoded data packet header
 * @key_id: id of the key that sealed the packet
 * @sender_id: gateway id of the sender
 * @counter: per-key packet counter, the AEAD nonce
 */
struct slice_wire_hdr {
	u8 key_id;
	u32 sender_id;
	u64 counter;
};

/**
 * slice_wire_hdr_encode - write a data packet header
 * @buf: SLICE_WIRE_HDR_LEN bytes
 * @hdr: the fields to write
 */
static inline void slice_wire_hdr_encode(u8 *buf, const struct slice_wire_hdr *hdr)
{
	buf[0] = SLICE_WIRE_TYPE_DATA;
	buf[1] = hdr->key_id;
	buf[2] = 0;
	buf[3] = 0;
	put_unaligned_be32(hdr->sender_id, buf + 4);
	put_unaligned_be64(hdr->counter, buf + 8);
}

/**
 * slice_wire_hdr_decode - read and check a data packet header
 * @buf: SLICE_WIRE_HDR_LEN bytes
 * @hdr: where the fields go
 *
 * Reserved bytes must be zero so that they can carry meaning in a later version.
 *
 * Return: true if @buf is a well-formed data header.
 */
static inline bool slice_wire_hdr_decode(const u8 *buf, struct slice_wire_hdr *hdr)
{
	if (buf[0] != SLICE_WIRE_TYPE_DATA || buf[2] || buf[3])
		return false;
	hdr->key_id = buf[1];
	hdr->sender_id = get_unaligned_be32(buf + 4);
	hdr->counter = get_unaligned_be64(buf + 8);
	return hdr->sender_id && hdr->sender_id <= SLICE_ID_MAX;
}

/**
 * slice_wire_nonce - build the 96-bit AEAD nonce of a packet
 * @nonce: 12 bytes
 * @counter: the packet's counter
 */
static inline void slice_wire_nonce(u8 *nonce, u64 counter)
{
	memset(nonce, 0, 4);
	put_unaligned_be64(counter, nonce + 4);
}

#define SLICE_WIRE_NONCE_LEN	12

/* Counters at or past this are never sent nor accepted (WireGuard's REJECT_AFTER_MESSAGES). */
#define SLICE_COUNTER_LIMIT	BIT_ULL(60)

#endif /* _SLICE_WIRE_H */
