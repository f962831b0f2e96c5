/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The slice's UDP port, shared by the kernel and sliced.
 *
 * Two sockets bound to the same port in one SO_REUSEPORT group:
 *  - the device's socket, the kernel's own (DEV_SET LISTEN_PORT), bound first (index 0 of
 *    the group); it lives as long as the device and its namespace, not as sliced;
 *  - the control socket, sliced's own (index 1), which reads and sends the handshake.
 * A classic BPF program on the group (SO_ATTACH_REUSEPORT_CBPF) sends every datagram whose
 * first payload byte is SLICE_WIRE_TYPE_DATA to the device's socket and every other one to
 * the control socket. When sliced dies (kill -9 included) only the control socket goes
 * away: data keeps flowing through the kernel's socket, and a restarted sliced opens a new
 * control socket on the port that DEV_GET reports, with nothing to take back from anyone.
 * While no control socket exists, the program's index 1 is out of range and the kernel
 * falls back to the hash, i.e. to the device's socket, which drops handshake datagrams;
 * DTLS retransmits them.
 */
#ifndef SLICED_PORT_H
#define SLICED_PORT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "lib/slicenl.h"

/*
 * Where the port is bound: 0.0.0.0, or :: for a node with an IPv6 address, which takes both
 * families (the kernel's socket and the control socket alike, so that they share the group).
 */
void port_listen_addr(union slicenl_sockaddr *addr, uint16_t port, bool ipv6);

/*
 * The control socket on port, steering installed. Returns the fd or -errno. On a :: socket
 * IPv4 peers are v4-mapped: port_from() and port_to() convert.
 */
int port_open_control(uint16_t port, bool ipv6);

/* A received source address as the peer's own family (v4-mapped to IPv4). */
void port_from(union slicenl_sockaddr *addr);

/* A destination for a control socket of family ipv6 (IPv4 v4-mapped there); its length. */
socklen_t port_to(const union slicenl_sockaddr *to, bool ipv6, union slicenl_sockaddr *out);

#endif /* SLICED_PORT_H */
