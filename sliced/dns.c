// SPDX-License-Identifier: GPL-2.0
/* The slice DNS's server: listeners per slice, UDP and TCP, forwarding upstream (see dns.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "api/json.h"
#include "api/kubeslice.h"
#include "api/subnet.h"
#include "dns.h"
#include "ipam.h"
#include "log.h"
#include "util.h"

#define DNS_PENDING_MAX		64
#define DNS_FORWARD_TIMEOUT_MS	3000
#define DNS_TCP_TIMEOUT_MS	500
#define DNS_MSG_MAX		65535
#define DNS_UDP_MIN		512

struct dns_listener {
	struct dns_listener *next;
	char slice[KS_NAME_MAX + 1];	/* "" for every slice */
	struct sockaddr_storage addr;
	int udp, tcp;
	bool seen;
};

/* A query sent upstream, waiting for its answer. */
struct dns_pending {
	bool used;
	uint16_t id;			/* the id upstream sees */
	uint16_t client_id;
	int reply_fd;			/* the listener's UDP socket or the TCP connection */
	bool tcp;
	struct sockaddr_storage client;
	socklen_t client_len;
	uint64_t deadline_ms;
};

struct dns {
	struct sockaddr_storage addr;
	struct sockaddr_storage upstream;
	int upstream_fd;
	cJSON *services;
	struct dns_listener *listeners;
	struct dns_pending pending[DNS_PENDING_MAX];
	uint16_t next_id;
};

static socklen_t addr_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
					   sizeof(struct sockaddr_in);
}

static void addr_text(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
	char host[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET6)
		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
	else
		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
	snprintf(buf, len, ss->ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u", host,
		 ntohs(ss->ss_family == AF_INET6 ? sin6->sin6_port : sin->sin_port));
}

/* A socket on addr; bound even before the address is on the node (IP_FREEBIND). */
static int listen_socket(const struct sockaddr_storage *addr, int type)
{
	int fd = socket(addr->ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0)
		return -errno;
	if (addr->ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one));
	else
		setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)addr, addr_len(addr)) ||
	    (type == SOCK_STREAM && listen(fd, 16))) {
		one = -errno;
		close(fd);
		return one;
	}
	return fd;
}

static void listener_free(struct dns_listener *l)
{
	if (l->udp >= 0)
		close(l->udp);
	if (l->tcp >= 0)
		close(l->tcp);
	free(l);
}

static struct dns_listener *listener_new(const char *slice, const struct sockaddr_storage *addr,
					 char *err, size_t errlen)
{
	struct dns_listener *l = calloc(1, sizeof(*l));
	char where[INET6_ADDRSTRLEN + 8];

	if (!l)
		return NULL;
	snprintf(l->slice, sizeof(l->slice), "%s", slice);
	l->addr = *addr;
	l->udp = listen_socket(addr, SOCK_DGRAM);
	l->tcp = l->udp < 0 ? -1 : listen_socket(addr, SOCK_STREAM);
	if (l->udp < 0 || l->tcp < 0) {
		addr_text(addr, where, sizeof(where));
		snprintf(err, errlen, "DNS on %s: %s", where,
			 strerror(-(l->udp < 0 ? l->udp : l->tcp)));
		listener_free(l);
		return NULL;
	}
	return l;
}

static struct dns_listener *listener_get(struct dns *d, const char *slice,
					 const struct sockaddr_storage *addr)
{
	struct dns_listener *l;
	char err[256], where[INET6_ADDRSTRLEN + 8];

	for (l = d->listeners; l; l = l->next)
		if (!strcmp(l->slice, slice) && !memcmp(&l->addr, addr, sizeof(*addr)))
			return l;
	l = listener_new(slice, addr, err, sizeof(err));
	if (!l) {
		log_event(LOG_ERR, slice, NULL, "%s", err);
		return NULL;
	}
	addr_text(addr, where, sizeof(where));
	log_event(LOG_INFO, slice, NULL, "slice DNS on %s (UDP and TCP)", where);
	l->next = d->listeners;
	d->listeners = l;
	return l;
}

void dns_update(struct dns *d, const cJSON *slices, const cJSON *services)
{
	struct dns_listener *l, **pp;
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct ks_prefix subnet;
	const cJSON *wsc;

	cJSON_Delete(d->services);
	d->services = cJSON_Duplicate(services, true);
	if (d->addr.ss_family != AF_UNSPEC)
		return;
	for (l = d->listeners; l; l = l->next)
		l->seen = false;
	cJSON_ArrayForEach(wsc, slices) {
		if (!ks_get_str(wsc, "spec.sliceName") ||
		    ks_prefix_parse(ks_get_str0(wsc, "spec.clusterSubnetCIDR"), &subnet))
			continue;
		memset(&ss, 0, sizeof(ss));
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(ipam_gateway(&subnet));
		sin->sin_port = htons(53);
		l = listener_get(d, ks_get_str(wsc, "spec.sliceName"), &ss);
		if (l)
			l->seen = true;
	}
	for (pp = &d->listeners; (l = *pp);) {
		if (l->seen) {
			pp = &l->next;
			continue;
		}
		*pp = l->next;
		log_event(LOG_INFO, l->slice, NULL, "slice DNS stopped");
		listener_free(l);
	}
}

/* Write the answer to the client: with a length over TCP, truncated to fit over UDP. */
static void send_answer(ldns_pkt *ans, const ldns_pkt *q, int fd, bool tcp,
			const struct sockaddr_storage *to, socklen_t tolen)
{
	size_t max = ldns_pkt_edns(q) && ldns_pkt_edns_udp_size(q) > DNS_UDP_MIN ?
		     ldns_pkt_edns_udp_size(q) : DNS_UDP_MIN;
	uint8_t *wire = NULL, len[2];
	size_t size = 0;
	ldns_pkt *cut;

	if (ldns_pkt2wire(&wire, ans, &size) != LDNS_STATUS_OK)
		return;
	if (!tcp && size > max) {
		free(wire);
		wire = NULL;
		cut = dns_reply_new(q, ldns_pkt_get_rcode(ans));
		if (cut) {
			ldns_pkt_set_tc(cut, true);
			ldns_pkt_set_aa(cut, ldns_pkt_aa(ans));
		}
		if (!cut || ldns_pkt2wire(&wire, cut, &size) != LDNS_STATUS_OK) {
			ldns_pkt_free(cut);
			free(wire);
			return;
		}
		ldns_pkt_free(cut);
	}
	if (tcp) {
		len[0] = size >> 8;
		len[1] = size & 0xff;
		if (write(fd, len, 2) == 2 && write(fd, wire, size) < 0)
			log_msg(LOG_DEBUG, "DNS: TCP answer: %s", strerror(errno));
	} else {
		sendto(fd, wire, size, 0, (const struct sockaddr *)to, tolen);
	}
	free(wire);
}

static struct dns_pending *pending_slot(struct dns *d, uint64_t now)
{
	int i;

	for (i = 0; i < DNS_PENDING_MAX; i++)
		if (!d->pending[i].used || d->pending[i].deadline_ms <= now) {
			if (d->pending[i].used && d->pending[i].tcp)
				close(d->pending[i].reply_fd);
			return &d->pending[i];
		}
	return NULL;
}

/* Send the query on to the upstream server; false when it cannot go (answer REFUSED). */
static bool forward(struct dns *d, const uint8_t *buf, size_t len, int fd, bool tcp,
		    const struct sockaddr_storage *from, socklen_t fromlen)
{
	uint8_t copy[DNS_MSG_MAX];
	struct dns_pending *p;
	uint64_t now = now_ms();

	if (d->upstream_fd < 0 || len < 12 || len > sizeof(copy))
		return false;
	p = pending_slot(d, now);
	if (!p)
		return false;
	memset(p, 0, sizeof(*p));
	p->id = d->next_id++ ^ (uint16_t)(now * 40503);
	p->client_id = buf[0] << 8 | buf[1];
	memcpy(copy, buf, len);
	copy[0] = p->id >> 8;
	copy[1] = p->id & 0xff;
	if (send(d->upstream_fd, copy, len, 0) < 0)
		return false;
	p->used = true;
	p->reply_fd = fd;
	p->tcp = tcp;
	if (from)
		memcpy(&p->client, from, fromlen);
	p->client_len = fromlen;
	p->deadline_ms = now + DNS_FORWARD_TIMEOUT_MS;
	return true;
}

/* One query; returns true when a TCP connection must stay open for the upstream answer. */
static bool handle_query(struct dns *d, const struct dns_listener *l, const uint8_t *buf,
			 size_t len, int fd, bool tcp, const struct sockaddr_storage *from,
			 socklen_t fromlen)
{
	ldns_pkt *q = NULL, *ans;

	if (ldns_wire2pkt(&q, buf, len) != LDNS_STATUS_OK)
		return false;	/* not DNS: no answer at all */
	if (ldns_pkt_qr(q)) {
		ldns_pkt_free(q);
		return false;
	}
	if (ldns_pkt_get_opcode(q) != LDNS_PACKET_QUERY || ldns_pkt_qdcount(q) != 1) {
		ans = dns_reply_new(q, ldns_pkt_get_opcode(q) != LDNS_PACKET_QUERY ?
				LDNS_RCODE_NOTIMPL : LDNS_RCODE_FORMERR);
	} else {
		ans = dns_resolve(d->services, *l->slice ? l->slice : NULL, q);
		if (!ans && forward(d, buf, len, fd, tcp, from, fromlen)) {
			ldns_pkt_free(q);
			return tcp;
		}
		if (!ans)
			ans = dns_reply_new(q, LDNS_RCODE_REFUSED);
	}
	if (ans)
		send_answer(ans, q, fd, tcp, from, fromlen);
	ldns_pkt_free(ans);
	ldns_pkt_free(q);
	return false;
}

static void serve_udp(struct dns *d, const struct dns_listener *l)
{
	struct sockaddr_storage from;
	uint8_t buf[DNS_MSG_MAX];
	socklen_t fromlen;
	ssize_t n;

	for (;;) {
		fromlen = sizeof(from);
		n = recvfrom(l->udp, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen);
		if (n < 0)
			return;
		handle_query(d, l, buf, n, l->udp, false, &from, fromlen);
	}
}

static bool read_full(int fd, uint8_t *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = read(fd, buf, len);
		if (n <= 0)
			return false;
		buf += n;
		len -= n;
	}
	return true;
}

/* One TCP query; the daemon waits at most DNS_TCP_TIMEOUT_MS for a slow client. */
static void serve_tcp(struct dns *d, const struct dns_listener *l)
{
	struct timeval tv = { .tv_usec = DNS_TCP_TIMEOUT_MS * 1000 };
	uint8_t len[2], buf[DNS_MSG_MAX];
	int fd = accept4(l->tcp, NULL, NULL, SOCK_CLOEXEC);
	size_t n;

	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (read_full(fd, len, 2)) {
		n = len[0] << 8 | len[1];
		if (read_full(fd, buf, n) && handle_query(d, l, buf, n, fd, true, NULL, 0))
			return;	/* closed when upstream answers */
	}
	close(fd);
}

static void serve_upstream(struct dns *d)
{
	uint8_t buf[DNS_MSG_MAX], len[2];
	struct dns_pending *p;
	uint16_t id;
	ssize_t n;
	int i;

	while ((n = recv(d->upstream_fd, buf, sizeof(buf), 0)) >= 12) {
		id = buf[0] << 8 | buf[1];
		for (i = 0, p = NULL; i < DNS_PENDING_MAX && !p; i++)
			if (d->pending[i].used && d->pending[i].id == id)
				p = &d->pending[i];
		if (!p)
			continue;
		buf[0] = p->client_id >> 8;
		buf[1] = p->client_id & 0xff;
		if (p->tcp) {
			len[0] = n >> 8;
			len[1] = n & 0xff;
			if (write(p->reply_fd, len, 2) == 2 && write(p->reply_fd, buf, n) < 0)
				log_msg(LOG_DEBUG, "DNS: TCP answer: %s", strerror(errno));
			close(p->reply_fd);
		} else {
			sendto(p->reply_fd, buf, n, 0, (struct sockaddr *)&p->client, p->client_len);
		}
		p->used = false;
	}
}

unsigned int dns_fds(struct dns *d, struct curl_waitfd *fds, unsigned int max)
{
	struct dns_listener *l;
	unsigned int n = 0;

	if (d->upstream_fd >= 0 && n < max)
		fds[n++] = (struct curl_waitfd){ .fd = d->upstream_fd, .events = CURL_WAIT_POLLIN };
	for (l = d->listeners; l && n + 2 <= max; l = l->next) {
		fds[n++] = (struct curl_waitfd){ .fd = l->udp, .events = CURL_WAIT_POLLIN };
		fds[n++] = (struct curl_waitfd){ .fd = l->tcp, .events = CURL_WAIT_POLLIN };
	}
	return n;
}

void dns_run(struct dns *d, const struct curl_waitfd *fds, unsigned int count)
{
	struct dns_listener *l;
	uint64_t now = now_ms();
	unsigned int i;

	for (i = 0; i < count; i++) {
		if (!(fds[i].revents & CURL_WAIT_POLLIN))
			continue;
		if (fds[i].fd == d->upstream_fd) {
			serve_upstream(d);
			continue;
		}
		for (l = d->listeners; l; l = l->next) {
			if (fds[i].fd == l->udp)
				serve_udp(d, l);
			else if (fds[i].fd == l->tcp)
				serve_tcp(d, l);
		}
	}
	for (i = 0; i < DNS_PENDING_MAX; i++)
		if (d->pending[i].used && d->pending[i].deadline_ms <= now) {
			if (d->pending[i].tcp)
				close(d->pending[i].reply_fd);
			d->pending[i].used = false;
		}
}

struct dns *dns_new(const struct sockaddr_storage *addr,
		    const struct sockaddr_storage *upstream, char *err, size_t errlen)
{
	struct dns *d = calloc(1, sizeof(*d));

	snprintf(err, errlen, "out of memory");
	if (!d)
		return NULL;
	d->addr = *addr;
	d->upstream = *upstream;
	d->upstream_fd = -1;
	d->services = cJSON_CreateArray();
	if (upstream->ss_family != AF_UNSPEC) {
		d->upstream_fd = socket(upstream->ss_family,
					SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (d->upstream_fd < 0 || connect(d->upstream_fd, (const struct sockaddr *)upstream,
						  addr_len(upstream))) {
			snprintf(err, errlen, "dnsUpstream: %s", strerror(errno));
			dns_free(d);
			return NULL;
		}
	}
	if (addr->ss_family != AF_UNSPEC) {
		d->listeners = listener_new("", addr, err, errlen);
		if (!d->listeners) {
			dns_free(d);
			return NULL;
		}
	}
	return d;
}

void dns_free(struct dns *d)
{
	struct dns_listener *l;
	int i;

	if (!d)
		return;
	while ((l = d->listeners)) {
		d->listeners = l->next;
		listener_free(l);
	}
	for (i = 0; i < DNS_PENDING_MAX; i++)
		if (d->pending[i].used && d->pending[i].tcp)
			close(d->pending[i].reply_fd);
	if (d->upstream_fd >= 0)
		close(d->upstream_fd);
	cJSON_Delete(d->services);
	free(d);
}
