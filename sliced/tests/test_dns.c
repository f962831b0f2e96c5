// SPDX-License-Identifier: GPL-2.0
/*
 * The slice DNS: answers to queries built with ldns (service, pod, SRV and alias names,
 * NXDOMAIN, names not ours), then the same over real sockets: UDP and TCP to a server on
 * loopback that forwards other names to a second server as its upstream.
 */
#include <arpa/inet.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "dns.h"
#include "log.h"

/* Two exports of web in shop (c2 and c3) and one of db, as imports carry them. */
static const char services_json[] =
	"[{\"serviceName\": \"web\", \"serviceNamespace\": \"shop\", \"sliceName\": \"red\","
	"  \"serviceDiscoveryEndpoints\": ["
	"    {\"podName\": \"web-0\", \"cluster\": \"c2\", \"nsmIp\": \"10.1.16.2\"},"
	"    {\"podName\": \"web-1\", \"cluster\": \"c3\", \"nsmIp\": \"10.1.32.2\"},"
	"    {\"podName\": \"web-6\", \"cluster\": \"c3\", \"nsmIp\": \"fd00::6\"}],"
	"  \"serviceDiscoveryPorts\": [{\"name\": \"http\", \"port\": 8000, \"protocol\": \"TCP\"}],"
	"  \"aliases\": [\"www.example.com\"]},"
	" {\"serviceName\": \"db\", \"serviceNamespace\": \"shop\", \"sliceName\": \"blue\","
	"  \"serviceDiscoveryEndpoints\": [{\"podName\": \"db-0\", \"cluster\": \"c2\","
	"                                  \"nsmIp\": \"10.2.16.2\"}],"
	"  \"serviceDiscoveryPorts\": [], \"aliases\": []}]";

static cJSON *services;

static ldns_pkt *query(const char *name, ldns_rr_type type)
{
	ldns_pkt *q = ldns_pkt_query_new(ldns_dname_new_frm_str(name), type, LDNS_RR_CLASS_IN,
					 LDNS_RD);

	assert_non_null(q);
	ldns_pkt_set_id(q, 4242);
	return q;
}

static ldns_pkt *ask(const char *slice, const char *name, ldns_rr_type type)
{
	ldns_pkt *q = query(name, type), *a = dns_resolve(services, slice, q);

	ldns_pkt_free(q);
	return a;
}

/* The rdata of the answer section's records as one sorted-by-order string. */
static void answers(const ldns_pkt *a, ldns_pkt_section section, char *out, size_t len)
{
	ldns_rr_list *list = section == LDNS_SECTION_ANSWER ? ldns_pkt_answer(a) :
			     ldns_pkt_additional(a);
	size_t i;
	char *s;

	*out = '\0';
	ldns_rr_list_sort(list);
	for (i = 0; i < ldns_rr_list_rr_count(list); i++) {
		s = ldns_rdf2str(ldns_rr_rdf(ldns_rr_list_rr(list, i),
					     ldns_rr_rd_count(ldns_rr_list_rr(list, i)) - 1));
		snprintf(out + strlen(out), len - strlen(out), "%s%s", i ? " " : "", s);
		free(s);
	}
}

static void test_service_names(void **state)
{
	char got[512];
	ldns_pkt *a;

	a = ask(NULL, "web.shop.svc.slice.local.", LDNS_RR_TYPE_A);
	assert_non_null(a);
	assert_int_equal(ldns_pkt_get_rcode(a), LDNS_RCODE_NOERROR);
	assert_true(ldns_pkt_aa(a));
	assert_int_equal(ldns_pkt_id(a), 4242);
	answers(a, LDNS_SECTION_ANSWER, got, sizeof(got));
	assert_string_equal(got, "10.1.16.2 10.1.32.2");
	assert_int_equal(ldns_rr_ttl(ldns_rr_list_rr(ldns_pkt_answer(a), 0)), DNS_TTL);
	ldns_pkt_free(a);

	a = ask(NULL, "WEB.Shop.svc.slice.local.", LDNS_RR_TYPE_AAAA);
	answers(a, LDNS_SECTION_ANSWER, got, sizeof(got));
	assert_string_equal(got, "fd00::6");
	ldns_pkt_free(a);

	a = ask(NULL, "web-1.c3.web.shop.svc.slice.local.", LDNS_RR_TYPE_A);
	answers(a, LDNS_SECTION_ANSWER, got, sizeof(got));
	assert_string_equal(got, "10.1.32.2");
	ldns_pkt_free(a);

	a = ask(NULL, "_http._tcp.web.shop.svc.slice.local.", LDNS_RR_TYPE_SRV);
	assert_int_equal(ldns_pkt_ancount(a), 3);
	answers(a, LDNS_SECTION_ANSWER, got, sizeof(got));
	assert_non_null(strstr(got, "web-0.c2.web.shop.svc.slice.local."));
	assert_int_equal(ldns_rdf2native_int16(ldns_rr_rdf(ldns_rr_list_rr(ldns_pkt_answer(a), 0),
							   2)), 8000);
	answers(a, LDNS_SECTION_ADDITIONAL, got, sizeof(got));
	assert_string_equal(got, "10.1.16.2 10.1.32.2 fd00::6");
	ldns_pkt_free(a);

	a = ask(NULL, "www.example.com.", LDNS_RR_TYPE_A);
	answers(a, LDNS_SECTION_ANSWER, got, sizeof(got));
	assert_string_equal(got, "10.1.16.2 10.1.32.2");
	ldns_pkt_free(a);
}

static void test_negative_answers(void **state)
{
	ldns_pkt *a;

	a = ask(NULL, "nope.shop.svc.slice.local.", LDNS_RR_TYPE_A);
	assert_int_equal(ldns_pkt_get_rcode(a), LDNS_RCODE_NXDOMAIN);
	assert_int_equal(ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_authority(a), 0)),
			 LDNS_RR_TYPE_SOA);
	ldns_pkt_free(a);
	/* The name exists, only not with this type: NOERROR and nothing. */
	a = ask(NULL, "web-0.c2.web.shop.svc.slice.local.", LDNS_RR_TYPE_AAAA);
	assert_int_equal(ldns_pkt_get_rcode(a), LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_pkt_ancount(a), 0);
	ldns_pkt_free(a);
	/* An ancestor of a name is there, empty. */
	a = ask(NULL, "shop.svc.slice.local.", LDNS_RR_TYPE_A);
	assert_int_equal(ldns_pkt_get_rcode(a), LDNS_RCODE_NOERROR);
	ldns_pkt_free(a);
	a = ask(NULL, "_ftp._tcp.web.shop.svc.slice.local.", LDNS_RR_TYPE_SRV);
	assert_int_equal(ldns_pkt_get_rcode(a), LDNS_RCODE_NXDOMAIN);
	ldns_pkt_free(a);
	/* Another slice's names are not this slice's. */
	a = ask("red", "db.shop.svc.slice.local.", LDNS_RR_TYPE_A);
	assert_int_equal(ldns_pkt_get_rcode(a), LDNS_RCODE_NXDOMAIN);
	ldns_pkt_free(a);
	a = ask("blue", "db.shop.svc.slice.local.", LDNS_RR_TYPE_A);
	assert_int_equal(ldns_pkt_ancount(a), 1);
	ldns_pkt_free(a);
	/* Not ours at all. */
	assert_null(ask(NULL, "example.org.", LDNS_RR_TYPE_A));
	assert_null(ask(NULL, "notslice.local.", LDNS_RR_TYPE_A));
}

/* ---- over sockets ---- */

static void pump(struct dns **servers, int n, int ms)
{
	struct curl_waitfd fds[4][16];
	struct pollfd pfds[64];
	unsigned int counts[4], total = 0, i, k;
	int s;

	for (s = 0; s < n; s++) {
		counts[s] = dns_fds(servers[s], fds[s], 16);
		for (i = 0; i < counts[s]; i++)
			pfds[total++] = (struct pollfd){ .fd = fds[s][i].fd, .events = POLLIN };
	}
	poll(pfds, total, ms);
	for (s = 0, k = 0; s < n; s++) {
		for (i = 0; i < counts[s]; i++, k++)
			fds[s][i].revents = (pfds[k].revents & POLLIN) ? CURL_WAIT_POLLIN : 0;
		dns_run(servers[s], fds[s], counts[s]);
	}
}

static void sockaddr_of(const char *text, struct sockaddr_storage *ss)
{
	assert_int_equal(parse_sockaddr(text, 1, ss), 0);
}

static ldns_pkt *udp_ask(struct dns **servers, int n, const struct sockaddr_storage *to,
			 const char *name)
{
	ldns_pkt *q = query(name, LDNS_RR_TYPE_A), *a = NULL;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0), i;
	uint8_t *wire, buf[4096];
	size_t size;
	ssize_t got = -1;

	assert_int_equal(ldns_pkt2wire(&wire, q, &size), LDNS_STATUS_OK);
	assert_int_equal(sendto(fd, wire, size, 0, (const struct sockaddr *)to,
				sizeof(struct sockaddr_in)), (ssize_t)size);
	for (i = 0; i < 20 && got < 0; i++) {
		pump(servers, n, 50);
		got = recv(fd, buf, sizeof(buf), 0);
	}
	if (got > 0)
		assert_int_equal(ldns_wire2pkt(&a, buf, got), LDNS_STATUS_OK);
	free(wire);
	ldns_pkt_free(q);
	close(fd);
	return a;
}

static void test_udp_tcp_and_forwarding(void **state)
{
	struct sockaddr_storage front, back, none = { .ss_family = AF_UNSPEC };
	cJSON *empty = cJSON_CreateArray(), *upstream_services;
	struct dns *servers[2];
	char err[256], got[256];
	ldns_resolver *res;
	ldns_pkt *a;

	sockaddr_of("127.0.0.1:45353", &front);
	sockaddr_of("127.0.0.1:45354", &back);
	servers[0] = dns_new(&front, &none, err, sizeof(err));
	assert_non_null(servers[0]);
	dns_update(servers[0], empty, services);

	/* No upstream: other names are refused. */
	a = udp_ask(servers, 1, &front, "example.org.");
	assert_non_null(a);
	assert_int_equal(ldns_pkt_get_rcode(a), LDNS_RCODE_REFUSED);
	ldns_pkt_free(a);
	dns_free(servers[0]);

	/* With one: example.org is answered by it (an alias it serves). */
	servers[0] = dns_new(&front, &back, err, sizeof(err));
	servers[1] = dns_new(&back, &none, err, sizeof(err));
	assert_non_null(servers[0]);
	assert_non_null(servers[1]);
	dns_update(servers[0], empty, services);
	upstream_services = cJSON_Parse("[{\"serviceName\": \"x\", \"serviceNamespace\": \"y\","
					"\"serviceDiscoveryEndpoints\": [{\"nsmIp\": \"192.0.2.7\"}],"
					"\"aliases\": [\"example.org\"]}]");
	dns_update(servers[1], empty, upstream_services);
	a = udp_ask(servers, 2, &front, "example.org.");
	assert_non_null(a);
	assert_int_equal(ldns_pkt_id(a), 4242);
	answers(a, LDNS_SECTION_ANSWER, got, sizeof(got));
	assert_string_equal(got, "192.0.2.7");
	ldns_pkt_free(a);
	a = udp_ask(servers, 2, &front, "web.shop.svc.slice.local.");
	answers(a, LDNS_SECTION_ANSWER, got, sizeof(got));
	assert_string_equal(got, "10.1.16.2 10.1.32.2");
	ldns_pkt_free(a);

	/* A name removed from the services is gone at once. */
	dns_update(servers[0], empty, empty);
	a = udp_ask(servers, 2, &front, "web.shop.svc.slice.local.");
	assert_int_equal(ldns_pkt_get_rcode(a), LDNS_RCODE_NXDOMAIN);
	ldns_pkt_free(a);

	/* TCP: ldns' own resolver in a child, the server here. */
	dns_update(servers[0], empty, services);
	if (fork() == 0) {
		ldns_rdf *ns = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, "127.0.0.1");
		ldns_pkt *r = NULL;

		res = ldns_resolver_new();
		ldns_resolver_push_nameserver(res, ns);
		ldns_resolver_set_port(res, 45353);
		ldns_resolver_set_usevc(res, true);
		r = ldns_resolver_query(res, ldns_dname_new_frm_str("web-0.c2.web.shop.svc.slice.local."),
					LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, LDNS_RD);
		_exit(r && ldns_pkt_ancount(r) == 1 ? 0 : 1);
	}
	{
		int status = -1, i;

		for (i = 0; i < 40; i++) {
			pump(servers, 2, 50);
			if (waitpid(-1, &status, WNOHANG) > 0)
				break;
		}
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	dns_free(servers[0]);
	dns_free(servers[1]);
	cJSON_Delete(upstream_services);
	cJSON_Delete(empty);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_service_names),
		cmocka_unit_test(test_negative_answers),
		cmocka_unit_test(test_udp_tcp_and_forwarding),
	};
	int failed;

	log_init(false, false, "c1");
	services = cJSON_Parse(services_json);
	if (!services)
		return 1;
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	cJSON_Delete(services);
	return failed;
}
