/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Parsing of slicectl's arguments. Each parser returns NULL on success or a short reason
 * that the caller prints together with the argument's name and value.
 */
#ifndef SLICECTL_PARSE_H
#define SLICECTL_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include "lib/slicenl.h"

const char *parse_u32(const char *arg, uint32_t min, uint32_t max, uint32_t *out);
const char *parse_u64(const char *arg, uint64_t *out);
/* A peer or gateway id: 1..SLICE_ID_MAX. */
const char *parse_id(const char *arg, uint32_t *out);
const char *parse_port(const char *arg, uint16_t *out);
/* A duration up to a day: "250ms", "2s", or a bare number of seconds; in milliseconds. */
const char *parse_msecs(const char *arg, uint32_t *out);
/* "A.B.C.D:PORT" or "[IPV6]:PORT", numeric only. */
const char *parse_endpoint(const char *arg, union slicenl_sockaddr *out);
/* "A.B.C.D" or "IPV6" with port 0, for binding. */
const char *parse_address(const char *arg, union slicenl_sockaddr *out);
/* "ADDR/LEN" with zero host bits; a bare address is a host route. */
const char *parse_prefix(const char *arg, struct slicenl_route *out);
const char *parse_cipher(const char *arg, uint32_t *out);
const char *parse_slot(const char *arg, uint32_t *out);
/* A KubeSlice DSCP class: "Default", "AF11".."AF43" or "EF". */
const char *parse_dscp(const char *arg, uint8_t *out);
/* The class name of a DSCP value, or NULL when it is not one of KubeSlice's classes. */
const char *dscp_name(uint8_t dscp, char *buf, size_t size);
/* A u32 in decimal or 0x hex, as `ip rule ... fwmark` takes it. */
const char *parse_mark(const char *arg, uint32_t *out);
/* 32 bytes as 64 hex digits or 44 base64 characters, trailing whitespace allowed. */
const char *parse_key(const char *text, uint8_t key[SLICE_KEY_LEN]);
const char *read_key_file(const char *path, uint8_t key[SLICE_KEY_LEN]);

#endif /* SLICECTL_PARSE_H */
