/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The slice's UDP port, shared by the kernel and sliced without ever being closed.
 *
 * Two sockets bound to the same port in one SO_REUSEPORT group:
 *  - the data socket, bound first (index 0 of the group), handed to the kernel with
 *    DEV_SET SOCK_FD; sliced closes its own descriptor at once, so the socket lives exactly
 *    as long as the device holds it;
 *  - the control socket, sliced's own (index 1), which reads and sends the handshake.
 * A classic BPF program on the group (SO_ATTACH_REUSEPORT_CBPF) sends every datagram whose
 * first payload byte is SLICE_WIRE_TYPE_DATA to the data socket and every other one to the
 * control socket. When sliced dies (kill -9 included) only the control socket goes away:
 * data keeps flowing through the kernel's socket, and a restarted sliced opens a new
 * control socket on the port that DEV_GET reports, with nothing to take back from anyone.
 * While no control socket exists, the program's index 1 is out of range and the kernel
 * falls back to the hash, i.e. to the data socket, whose owner is the kernel: handshake
 * datagrams wait or drop there, and DTLS retransmits them.
 */
#ifndef SLICED_PORT_H
#define SLICED_PORT_H

#include <stdint.h>

/* A bound data socket on port (0: any free port). Returns the fd or -errno. */
int port_open_data(uint16_t port);

/* The control socket on port, steering installed. Returns the fd or -errno. */
int port_open_control(uint16_t port);

/* The local port of a bound socket, or 0. */
uint16_t port_of(int fd);

#endif /* SLICED_PORT_H */
