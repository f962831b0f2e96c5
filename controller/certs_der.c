// SPDX-License-Identifier: GPL-2.0
/* DER written back to front: contents, then the tag and length around them. */
#include <string.h>

#include "controller/certs_der.h"

void der_init(struct der_out *d, unsigned char *buf, size_t size)
{
	d->buf = buf;
	d->size = size;
	d->pos = size;
	d->failed = false;
}

size_t der_put(struct der_out *d, const void *bytes, size_t len)
{
	if (d->failed || len > d->pos) {
		d->failed = true;
		return d->pos;
	}
	d->pos -= len;
	memcpy(d->buf + d->pos, bytes, len);
	return d->pos;
}

void der_wrap(struct der_out *d, unsigned char tag, size_t mark)
{
	size_t len = mark - d->pos;
	unsigned char head[1 + 1 + sizeof(size_t)];
	size_t n = 0, i;

	if (d->failed)
		return;
	head[n++] = tag;
	if (len < 0x80) {
		head[n++] = (unsigned char)len;
	} else {
		/* Long form: 0x80 | the count of length bytes, then the length, big-endian. */
		size_t bytes = 0;

		for (size_t v = len; v; v >>= 8)
			bytes++;
		head[n++] = (unsigned char)(0x80 | bytes);
		for (i = bytes; i > 0; i--)
			head[n++] = (unsigned char)(len >> (8 * (i - 1)));
	}
	der_put(d, head, n);
}

void der_tlv(struct der_out *d, unsigned char tag, const void *bytes, size_t len)
{
	size_t mark = der_mark(d);

	der_put(d, bytes, len);
	der_wrap(d, tag, mark);
}

const unsigned char *der_data(const struct der_out *d, size_t *len)
{
	*len = d->failed ? 0 : d->size - d->pos;
	return d->failed ? NULL : d->buf + d->pos;
}
