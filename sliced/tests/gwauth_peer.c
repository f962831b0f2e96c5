// SPDX-License-Identifier: GPL-2.0
/*
 * One side of a gateway handshake over loopback UDP, for the host tests: the gwauth module
 * as sliced uses it, with the kernel's key slots replaced by printing the keys.
 *
 *   gwauth-peer server|impostor LOCAL REMOTE CA CERT KEY
 *   gwauth-peer client LOCAL REMOTE CA CERT KEY [ADDR:]PORT
 *
 * The server prints "port N" first. Both print "keys encrypt=HEX decrypt=HEX id=N", "swap"
 * and "settled" (exit 0), or "failed: why" (exit 1). An impostor server answers whatever
 * gateway name the client asks for, to show that clients check the certificate themselves.
 */
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/file.h"
#include "gwauth.h"
#include "util.h"

#define RUN_LIMIT_MS 15000

static struct gw_pair pair;
static int impostor;

static void send_udp(void *ctx, const struct sockaddr *to, socklen_t tolen, const void *buf,
		     size_t len)
{
	sendto(*(int *)ctx, buf, len, 0, to, tolen);
}

static struct gw_pair *find_pair(void *ctx, const char *local_name,
				 const struct sockaddr *from)
{
	return impostor || !strcmp(local_name, pair.local_name) ? &pair : NULL;
}

static char *must_read(const char *path)
{
	char *text = ks_read_file(path, NULL);

	if (!text) {
		perror(path);
		exit(2);
	}
	return text;
}

static void print_hex(const char *name, const uint8_t *p, size_t n)
{
	printf(" %s=", name);
	while (n--)
		printf("%02x", *p++);
}

/* Returns 1 when done (settled), -1 on failure, 0 to go on. */
static int handle(struct gw_session *s, enum gw_event ev)
{
	struct gw_keys keys;

	switch (ev) {
	case GW_EV_KEYS:
		gw_session_keys(s, -1, &keys);
		printf("keys");
		print_hex("encrypt", keys.encrypt, sizeof(keys.encrypt));
		print_hex("decrypt", keys.decrypt, sizeof(keys.decrypt));
		printf(" id=%u\n", keys.key_id);
		return handle(s, gw_session_installed(s));
	case GW_EV_SWAP:
		printf("swap\n");
		break;
	case GW_EV_FAILED:
		printf("failed: %s\n", gw_session_error(s));
		return -1;
	default:
		break;
	}
	if (gw_session_settled(s)) {
		printf("settled\n");
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	struct gw_session *s = NULL;
	enum gw_event ev = GW_EV_NONE;
	uint64_t end = now_ms() + RUN_LIMIT_MS;
	char err[256], *ca, *cert, *key;
	struct gw_listener listener = { 0 };
	bool server;
	int fd, ret = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 7 || (strcmp(argv[1], "client") ? argc != 7 : argc != 8)) {
		fprintf(stderr, "usage: %s server|impostor|client LOCAL REMOTE CA CERT KEY [[ADDR:]PORT]\n",
			argv[0]);
		return 2;
	}
	server = strcmp(argv[1], "client");
	impostor = !strcmp(argv[1], "impostor");
	ca = must_read(argv[4]);
	cert = must_read(argv[5]);
	key = must_read(argv[6]);
	ret = gw_pair_init(&pair, argv[2], argv[3], server, ca, cert, key, err, sizeof(err));
	free(ca);
	free(cert);
	free(key);
	if (ret) {
		printf("failed: %s\n", err);
		return 1;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	addr.sin_addr.s_addr = htonl(server ? INADDR_LOOPBACK : INADDR_ANY);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		perror("socket");
		return 2;
	}
	if (server) {
		socklen_t len = sizeof(addr);

		getsockname(fd, (struct sockaddr *)&addr, &len);
		printf("port %u\n", ntohs(addr.sin_port));
		gw_listener_init(&listener, find_pair, NULL);
	} else {
		const char *colon = strchr(argv[7], ':');

		addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (colon && inet_pton(AF_INET, strndupa(argv[7], colon - argv[7]),
				       &addr.sin_addr) != 1) {
			fprintf(stderr, "%s: not ADDR:PORT\n", argv[7]);
			return 2;
		}
		addr.sin_port = htons(atoi(colon ? colon + 1 : argv[7]));
		s = gw_client_new(&pair, (struct sockaddr *)&addr, sizeof(addr), send_udp, &fd,
				  &ev);
		ret = handle(s, ev);
	}
	while (!ret && now_ms() < end) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int timeout = s ? gw_session_timeout_ms(s, now_ms()) : -1;
		struct sockaddr_in from;
		socklen_t fromlen = sizeof(from);
		uint8_t buf[2048];
		ssize_t n;

		if (timeout < 0 || timeout > 100)
			timeout = 100;
		if (poll(&pfd, 1, timeout) <= 0) {
			if (s)
				ret = handle(s, gw_session_tick(s, now_ms()));
			continue;
		}
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen);
		if (n <= 0)
			continue;
		if (!s && gw_is_client_hello(buf, n))
			s = gw_server_new(&listener, (struct sockaddr *)&from, fromlen, send_udp,
					  &fd);
		if (s)
			ret = handle(s, gw_session_input(s, buf, n));
	}
	if (!ret)
		printf("failed: nothing settled in %d ms\n", RUN_LIMIT_MS);
	gw_session_free(s);
	gw_listener_release(&listener);
	gw_pair_release(&pair);
	close(fd);
	return ret == 1 ? 0 : 1;
}
