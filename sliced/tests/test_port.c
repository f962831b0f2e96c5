// SPDX-License-Identifier: GPL-2.0
/*
 * The port sharing of port.h on the host's own kernel (no module needed: only the steering
 * between the two sockets is tested, with a socket of ours bound first as the kernel binds
 * the device's): data datagrams reach it, everything else the control socket, also across
 * a restart of the control socket.
 */
#include <arpa/inet.h>
#include <linux/slice.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <cmocka.h>

#include "port.h"

/* Bound as the module binds the device's socket: SO_REUSEPORT, any address; its port. */
static int open_device_socket(uint16_t *port)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t len = sizeof(addr);
	int fd = socket(AF_INET, SOCK_DGRAM, 0), one = 1;

	assert_true(fd >= 0);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)), 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
	*port = ntohs(addr.sin_port);
	return fd;
}

static void send_to(uint16_t port, uint16_t from_port, uint8_t first)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in from = to;
	uint8_t buf[32] = { first };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	/* Different source ports give different hashes: the program must win over all. */
	from.sin_port = htons(from_port);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&from, sizeof(from)), 0);
	assert_int_equal(sendto(fd, buf, sizeof(buf), 0, (struct sockaddr *)&to, sizeof(to)),
			 sizeof(buf));
	close(fd);
}

/* How many datagrams are waiting on fd, each checked to start with first. */
static int drain(int fd, uint8_t first)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint8_t buf[64];
	int n = 0;

	while (poll(&pfd, 1, 50) > 0 && recv(fd, buf, sizeof(buf), 0) > 0) {
		assert_int_equal(buf[0], first);
		n++;
	}
	return n;
}

static void send_both(uint16_t port, int rounds)
{
	int i;

	for (i = 0; i < rounds; i++) {
		send_to(port, 40000 + i, SLICE_WIRE_TYPE_DATA);
		send_to(port, 41000 + i, 22);	/* a DTLS handshake record */
	}
}

static void test_steering(void **state)
{
	uint16_t port;
	int data = open_device_socket(&port), control;

	control = port_open_control(port);
	assert_true(control >= 0);
	send_both(port, 20);
	assert_int_equal(drain(data, SLICE_WIRE_TYPE_DATA), 20);
	assert_int_equal(drain(control, 22), 20);

	/* sliced killed: everything lands on the device's socket (which drops handshakes). */
	close(control);
	send_to(port, 42000, 22);
	assert_int_equal(drain(data, 22), 1);

	/* Restarted: a new control socket takes the handshakes again. */
	control = port_open_control(port);
	assert_true(control >= 0);
	send_both(port, 20);
	assert_int_equal(drain(data, SLICE_WIRE_TYPE_DATA), 20);
	assert_int_equal(drain(control, 22), 20);
	close(control);
	close(data);
}

static void test_control_needs_port(void **state)
{
	assert_int_equal(port_open_control(0), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steering),
		cmocka_unit_test(test_control_needs_port),
	};

	return cmocka_run_group_tests_name("sliced port sharing", tests, NULL, NULL);
}
