// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/slice.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "port.h"

enum {
	PORT_INDEX_DATA,	/* bound first */
	PORT_INDEX_CONTROL,
};

static int port_bind(uint16_t port)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_ANY),
	};
	int fd, one = 1, err;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int port_open_control(uint16_t port)
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
	fd = port_bind(port);
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
