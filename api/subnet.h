/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IPv4 prefix arithmetic for slice subnets, by KubeSlice's rules:
 * - sliceSubnet is a private /16 (10/8, 172.16/12 or 192.168/16);
 * - each member cluster gets block "octet" of the per-cluster prefix length
 *   16 + ceil(log2(maxClusters)) (maxClusters 16: /20; 10.1.0.0/16 -> 10.1.0.0/20,
 *   10.1.16.0/20, ...), octet 0 .. maxClusters - 1;
 * - the gateway tunnels use the slice's VPN network <a>.<b>.255.0/24, the server end of
 *   every tunnel .1 and the client end .2 (each tunnel is point to point).
 */
#ifndef API_SUBNET_H
#define API_SUBNET_H

#include <stdbool.h>
#include <stdint.h>

/**
 * struct ks_prefix - an IPv4 prefix
 * @addr: network address, host byte order
 * @len: prefix length, 0..32
 */
struct ks_prefix {
	uint32_t addr;
	uint8_t len;
};

/* "255.255.255.255/32" and its NUL */
#define KS_PREFIX_STRLEN 19

/*
 * Parse "a.b.c.d/len" in dotted-quad decimal. Returns 0, or -EINVAL when malformed or
 * when bits are set beyond the prefix length.
 */
int ks_prefix_parse(const char *s, struct ks_prefix *p);
void ks_prefix_format(const struct ks_prefix *p, char buf[KS_PREFIX_STRLEN]);
void ks_addr_format(uint32_t addr, char buf[KS_PREFIX_STRLEN]);
bool ks_prefix_overlaps(const struct ks_prefix *a, const struct ks_prefix *b);
/* Whether p lies inside one of the RFC 1918 ranges. */
bool ks_prefix_is_private(const struct ks_prefix *p);

/* The per-cluster prefix length for maxClusters (2..32), or -EINVAL. */
int ks_cluster_prefix_len(int max_clusters);
/* Block octet of a slice subnet; -EINVAL when octet is outside 0..maxClusters - 1. */
int ks_cluster_subnet(const struct ks_prefix *slice, int max_clusters, int octet,
		      struct ks_prefix *out);

/* The slice's VPN network and the tunnel end addresses in it. */
void ks_vpn_network(const struct ks_prefix *slice, struct ks_prefix *out);
uint32_t ks_vpn_server_addr(const struct ks_prefix *slice);
uint32_t ks_vpn_client_addr(const struct ks_prefix *slice);

#endif /* API_SUBNET_H */
