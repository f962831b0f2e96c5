// SPDX-License-Identifier: GPL-2.0
/* IPv4 prefixes and KubeSlice's per-cluster subnet rule. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "api/subnet.h"

static uint32_t prefix_mask(unsigned int len)
{
	return len ? ~0u << (32 - len) : 0;
}

/* A decimal 0..max without sign or leading zeros; advances *s. */
static int parse_num(const char **s, unsigned int max, unsigned int *out)
{
	const char *p = *s;
	unsigned int v = 0;

	if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] >= '0' && p[1] <= '9'))
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (unsigned int)(*p - '0');
		if (v > max)
			return -EINVAL;
	}
	*s = p;
	*out = v;
	return 0;
}

int ks_prefix_parse(const char *s, struct ks_prefix *p)
{
	unsigned int v, len, i;
	uint32_t addr = 0;

	if (!s)
		return -EINVAL;
	for (i = 0; i < 4; i++) {
		if (parse_num(&s, 255, &v))
			return -EINVAL;
		addr = addr << 8 | v;
		if (*s++ != (i < 3 ? '.' : '/'))
			return -EINVAL;
	}
	if (parse_num(&s, 32, &len) || *s)
		return -EINVAL;
	if (addr & ~prefix_mask(len))
		return -EINVAL;
	p->addr = addr;
	p->len = (uint8_t)len;
	return 0;
}

void ks_addr_format(uint32_t a, char buf[KS_PREFIX_STRLEN])
{
	snprintf(buf, KS_PREFIX_STRLEN, "%u.%u.%u.%u", (a >> 24) & 255, (a >> 16) & 255,
		 (a >> 8) & 255, a & 255);
}

void ks_prefix_format(const struct ks_prefix *p, char buf[KS_PREFIX_STRLEN])
{
	uint32_t a = p->addr;

	snprintf(buf, KS_PREFIX_STRLEN, "%u.%u.%u.%u/%u", (a >> 24) & 255, (a >> 16) & 255,
		 (a >> 8) & 255, a & 255, p->len & 63u);
}

bool ks_prefix_overlaps(const struct ks_prefix *a, const struct ks_prefix *b)
{
	uint32_t mask = prefix_mask(a->len < b->len ? a->len : b->len);

	return (a->addr & mask) == (b->addr & mask);
}

bool ks_prefix_is_private(const struct ks_prefix *p)
{
	static const struct ks_prefix rfc1918[] = {
		{ 0x0a000000, 8 }, { 0xac100000, 12 }, { 0xc0a80000, 16 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(rfc1918) / sizeof(rfc1918[0]); i++)
		if (p->len >= rfc1918[i].len && ks_prefix_overlaps(p, &rfc1918[i]))
			return true;
	return false;
}

int ks_cluster_prefix_len(int max_clusters)
{
	int bits = 0;

	if (max_clusters < 2 || max_clusters > 32)
		return -EINVAL;
	while ((1 << bits) < max_clusters)
		bits++;
	return 16 + bits;
}

int ks_cluster_subnet(const struct ks_prefix *slice, int max_clusters, int octet,
		      struct ks_prefix *out)
{
	int len = ks_cluster_prefix_len(max_clusters);

	if (len < 0 || octet < 0 || octet >= max_clusters)
		return -EINVAL;
	out->len = (uint8_t)len;
	out->addr = (slice->addr & prefix_mask(16)) | (uint32_t)octet << (32 - len);
	return 0;
}

void ks_vpn_network(const struct ks_prefix *slice, struct ks_prefix *out)
{
	out->addr = (slice->addr & prefix_mask(16)) | 255u << 8;
	out->len = 24;
}

uint32_t ks_vpn_server_addr(const struct ks_prefix *slice)
{
	return ((slice->addr & prefix_mask(16)) | 255u << 8) + 1;
}

uint32_t ks_vpn_client_addr(const struct ks_prefix *slice)
{
	return ((slice->addr & prefix_mask(16)) | 255u << 8) + 2;
}
