// SPDX-License-Identifier: GPL-2.0
/*
 * The port sharing of port.h on the host's own kernel (no module needed: only the steering
 * between the two sockets is tested, with a socket of ours bound first as the kernel binds
 * the device's): data datagrams reach it, everything else the control socket, also across
 * a restart of the control socket, on an IPv4 group and on a dual-stack :: group.
 */
#include <arpa/inet.h>
#include <linux/slice.h>
#include <poll.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <cmocka.h>

#include "port.h"

/*
 * Bound as the module binds the device's socket: SO_REUSEPORT, any address (:: with both
 * families when ipv6); its port.
 */
static int open_device_socket(uint16_t *port, bool ipv6)
{
	union slicenl_sockaddr addr;
	socklen_t len = sizeof(addr);
	int fd, one = 1, off = 0;

	port_listen_addr(&addr, 0, ipv6);
	fd = socket(addr.sa.sa_family, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	if (ipv6)
		assert_int_equal(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)), 0);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)), 0);
	assert_int_equal(bind(fd, &addr.sa, sizeof(addr)), 0);
	assert_int_equal(getsockname(fd, &addr.sa, &len), 0);
	*port = ntohs(ipv6 ? addr.in6.sin6_port : addr.in.sin_port);
	return fd;
}

/* One datagram starting with first from loopback port from_port, IPv4 or IPv6. */
static void send_to(uint16_t port, uint16_t from_port, uint8_t first, bool ipv6)
{
	union slicenl_sockaddr to = { 0 }, from;
	socklen_t len = ipv6 ? sizeof(to.in6) : sizeof(to.in);
	uint8_t buf[32] = { first };
	int fd;

	if (ipv6) {
		to.in6 = (struct sockaddr_in6){ .sin6_family = AF_INET6, .sin6_port = htons(port),
						.sin6_addr = in6addr_loopback };
	} else {
		to.in = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(port),
					      .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	}
	from = to;
	/* Different source ports give different hashes: the program must win over all. */
	if (ipv6)
		from.in6.sin6_port = htons(from_port);
	else
		from.in.sin_port = htons(from_port);
	fd = socket(to.sa.sa_family, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, &from.sa, len), 0);
	assert_int_equal(sendto(fd, buf, sizeof(buf), 0, &to.sa, len), sizeof(buf));
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

static void send_both(uint16_t port, int rounds, bool ipv6)
{
	int i;

	for (i = 0; i < rounds; i++) {
		send_to(port, 40000 + i, SLICE_WIRE_TYPE_DATA, ipv6);
		send_to(port, 41000 + i, 22, ipv6);	/* a DTLS handshake record */
	}
}

/* The steering on a group of family ipv6, with senders of family sender6. */
static void steering(bool ipv6, bool sender6)
{
	uint16_t port;
	int data = open_device_socket(&port, ipv6), control;

	control = port_open_control(port, ipv6);
	assert_true(control >= 0);
	send_both(port, 20, sender6);
	assert_int_equal(drain(data, SLICE_WIRE_TYPE_DATA), 20);
	assert_int_equal(drain(control, 22), 20);

	/* sliced killed: everything lands on the device's socket (which drops handshakes). */
	close(control);
	send_to(port, 42000, 22, sender6);
	assert_int_equal(drain(data, 22), 1);

	/* Restarted: a new control socket takes the handshakes again. */
	control = port_open_control(port, ipv6);
	assert_true(control >= 0);
	send_both(port, 20, sender6);
	assert_int_equal(drain(data, SLICE_WIRE_TYPE_DATA), 20);
	assert_int_equal(drain(control, 22), 20);
	close(control);
	close(data);
}

static void test_steering(void **state)
{
	steering(false, false);
}

/* A dual-stack node: one :: group takes IPv4 and IPv6 peers alike. */
static void test_steering_dual_stack(void **state)
{
	steering(true, false);
	steering(true, true);
}

static void test_control_needs_port(void **state)
{
	assert_int_equal(port_open_control(0, false), -EINVAL);
}

/* What a :: control socket receives from and sends to an IPv4 peer. */
static void test_mapped(void **state)
{
	union slicenl_sockaddr a = { 0 }, out;

	a.in6.sin6_family = AF_INET6;
	a.in6.sin6_port = htons(31000);
	assert_int_equal(inet_pton(AF_INET6, "::ffff:192.0.2.7", &a.in6.sin6_addr), 1);
	port_from(&a);
	assert_int_equal(a.sa.sa_family, AF_INET);
	assert_int_equal(ntohs(a.in.sin_port), 31000);
	assert_int_equal(a.in.sin_addr.s_addr, inet_addr("192.0.2.7"));
	assert_int_equal(port_to(&a, false, &out), sizeof(out.in));
	assert_int_equal(out.sa.sa_family, AF_INET);
	assert_int_equal(port_to(&a, true, &out), sizeof(out.in6));
	assert_true(IN6_IS_ADDR_V4MAPPED(&out.in6.sin6_addr));
	assert_int_equal(ntohs(out.in6.sin6_port), 31000);
	port_from(&out);
	assert_memory_equal(&out.in, &a.in, sizeof(a.in));
	/* A real IPv6 address stays as it is. */
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::7", &a.in6.sin6_addr), 1);
	a.in6.sin6_family = AF_INET6;
	port_from(&a);
	assert_int_equal(a.sa.sa_family, AF_INET6);
	assert_int_equal(port_to(&a, true, &out), sizeof(out.in6));
	assert_memory_equal(&out.in6.sin6_addr, &a.in6.sin6_addr, sizeof(a.in6.sin6_addr));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steering),
		cmocka_unit_test(test_steering_dual_stack),
		cmocka_unit_test(test_mapped),
		cmocka_unit_test(test_control_needs_port),
	};

	return cmocka_run_group_tests_name("sliced port sharing", tests, NULL, NULL);
}
