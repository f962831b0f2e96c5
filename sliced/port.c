// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/slice.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "port.h"

enum {
	PORT_INDEX_DATA,	/* bound first */
	PORT_INDEX_CONTROL,
};

void port_listen_addr(union slicenl_sockaddr *addr, uint16_t port, bool ipv6)
{
	memset(addr, 0, sizeof(*addr));
	if (ipv6) {
		addr->in6.sin6_family = AF_INET6;
		addr->in6.sin6_port = htons(port);
		addr->in6.sin6_addr = in6addr_any;
	} else {
		addr->in.sin_family = AF_INET;
		addr->in.sin_port = htons(port);
		addr->in.sin_addr.s_addr = htonl(INADDR_ANY);
	}
}

static int port_bind(uint16_t port, bool ipv6)
{
	union slicenl_sockaddr addr;
	int fd, one = 1, off = 0, err;

	port_listen_addr(&addr, port, ipv6);
	fd = socket(addr.sa.sa_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* Both families, as the kernel's :: socket: a group's sockets must agree. */
	if ((ipv6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off))) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) ||
	    bind(fd, &addr.sa, ipv6 ? sizeof(addr.in6) : sizeof(addr.in))) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

void port_from(union slicenl_sockaddr *addr)
{
	struct sockaddr_in in = { .sin_family = AF_INET };

	if (addr->sa.sa_family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&addr->in6.sin6_addr))
		return;
	in.sin_port = addr->in6.sin6_port;
	memcpy(&in.sin_addr, &addr->in6.sin6_addr.s6_addr[12], sizeof(in.sin_addr));
	memset(addr, 0, sizeof(*addr));
	addr->in = in;
}

socklen_t port_to(const union slicenl_sockaddr *to, bool ipv6, union slicenl_sockaddr *out)
{
	*out = *to;
	if (to->sa.sa_family == AF_INET6)
		return sizeof(out->in6);
	if (!ipv6)
		return sizeof(out->in);
	memset(out, 0, sizeof(*out));
	out->in6.sin6_family = AF_INET6;
	out->in6.sin6_port = to->in.sin_port;
	out->in6.sin6_addr.s6_addr[10] = 0xff;
	out->in6.sin6_addr.s6_addr[11] = 0xff;
	memcpy(&out->in6.sin6_addr.s6_addr[12], &to->in.sin_addr, sizeof(to->in.sin_addr));
	return sizeof(out->in6);
}

int port_open_control(uint16_t port, bool ipv6)
{
	/* The program sees the UDP payload at offset 0. */
	struct sock_filter steer[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SLICE_WIRE_TYPE_DATA, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, PORT_INDEX_DATA),
		BPF_STMT(BPF_RET | BPF_K, PORT_INDEX_CONTROL),
	};
	struct sock_fprog prog = { .len = sizeof(steer) / sizeof(steer[0]), .filter = steer };
	int fd, err;

	if (!port)
		return -EINVAL;
	fd = port_bind(port, ipv6);
	if (fd < 0)
		return fd;
	/* Attached after bind: a program set before joining the group would be dropped. */
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog, sizeof(prog))) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}
