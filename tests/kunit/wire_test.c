// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of kmod/wire.h: the data packet header and the nonce.
 */
#include <kunit/test.h>

#include "../../kmod/wire.h"

static void wire_test_roundtrip(struct kunit *test)
{
	struct slice_wire_hdr in = { .key_id = 0xa5, .sender_id = 0x123456,
				     .counter = 0x0102030405060708ULL }, out;
	static const u8 want[SLICE_WIRE_HDR_LEN] = {
		SLICE_WIRE_TYPE_DATA, 0xa5, 0, 0, 0x00, 0x12, 0x34, 0x56,
		1, 2, 3, 4, 5, 6, 7, 8,
	};
	u8 buf[SLICE_WIRE_HDR_LEN];

	memset(buf, 0xff, sizeof(buf));
	slice_wire_hdr_encode(buf, &in);
	KUNIT_EXPECT_EQ(test, memcmp(buf, want, sizeof(want)), 0);
	KUNIT_ASSERT_TRUE(test, slice_wire_hdr_decode(buf, &out));
	KUNIT_EXPECT_EQ(test, out.key_id, in.key_id);
	KUNIT_EXPECT_EQ(test, out.sender_id, in.sender_id);
	KUNIT_EXPECT_EQ(test, out.counter, in.counter);
}

static void wire_test_rejects(struct kunit *test)
{
	struct slice_wire_hdr in = { .key_id = 1, .sender_id = 7, .counter = 9 }, out;
	u8 buf[SLICE_WIRE_HDR_LEN];

	slice_wire_hdr_encode(buf, &in);
	buf[0] = 0x17;	/* a DTLS application data record */
	KUNIT_EXPECT_FALSE(test, slice_wire_hdr_decode(buf, &out));

	slice_wire_hdr_encode(buf, &in);
	buf[2] = 1;	/* reserved */
	KUNIT_EXPECT_FALSE(test, slice_wire_hdr_decode(buf, &out));
	buf[2] = 0;
	buf[3] = 0x80;
	KUNIT_EXPECT_FALSE(test, slice_wire_hdr_decode(buf, &out));

	in.sender_id = 0;
	slice_wire_hdr_encode(buf, &in);
	KUNIT_EXPECT_FALSE(test, slice_wire_hdr_decode(buf, &out));
	in.sender_id = SLICE_ID_MAX + 1;
	slice_wire_hdr_encode(buf, &in);
	KUNIT_EXPECT_FALSE(test, slice_wire_hdr_decode(buf, &out));
	in.sender_id = SLICE_ID_MAX;
	slice_wire_hdr_encode(buf, &in);
	KUNIT_EXPECT_TRUE(test, slice_wire_hdr_decode(buf, &out));
}

static void wire_test_nonce(struct kunit *test)
{
	static const u8 want[SLICE_WIRE_NONCE_LEN] = { 0, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef,
						       0, 0, 0, 0x2a };
	u8 nonce[SLICE_WIRE_NONCE_LEN];

	memset(nonce, 0xff, sizeof(nonce));
	slice_wire_nonce(nonce, 0xdeadbeef0000002aULL);
	KUNIT_EXPECT_EQ(test, memcmp(nonce, want, sizeof(want)), 0);
}

static struct kunit_case wire_test_cases[] = {
	KUNIT_CASE(wire_test_roundtrip),
	KUNIT_CASE(wire_test_rejects),
	KUNIT_CASE(wire_test_nonce),
	{}
};

static struct kunit_suite slice_wire_test_suite = {
	.name = "slice_wire",
	.test_cases = wire_test_cases,
};

kunit_test_suite(slice_wire_test_suite);
