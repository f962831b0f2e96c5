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

#include <stdint.h>

/* The control socket on port, steering installed. Returns the fd or -errno. */
int port_open_control(uint16_t port);

#endif /* SLICED_PORT_H */
