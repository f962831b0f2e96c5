// SPDX-License-Identifier: GPL-2.0
/* The slice DNS's answers: queries resolved against the import specs (see dns.h). */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/json.h"
#include "dns.h"

/* What we offer in our own EDNS answers (the DNS flag day 2020 value). */
#define DNS_EDNS_SIZE		1232
#define DNS_NAME_MAX		256

struct answer {
	ldns_pkt *pkt;
	char qname[DNS_NAME_MAX];	/* lower case, absolute */
	ldns_rr_type qtype;
	bool exists;			/* the name has records of some type */
};

static void add_rr(ldns_pkt *pkt, ldns_pkt_section section, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add_rr(ldns_pkt *pkt, ldns_pkt_section section, const char *fmt, ...)
{
	char text[2 * DNS_NAME_MAX + 64];
	ldns_rr *rr = NULL;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (ldns_rr_new_frm_str(&rr, text, DNS_TTL, NULL, NULL) == LDNS_STATUS_OK)
		ldns_pkt_push_rr(pkt, section, rr);
}

static bool wants(const struct answer *a, ldns_rr_type type)
{
	return a->qtype == type || a->qtype == LDNS_RR_TYPE_ANY;
}

/* The A or AAAA record of one endpoint, under owner, when the question asks for it. */
static void add_endpoint(struct answer *a, ldns_pkt_section section, const char *owner,
			 ldns_rr_type qtype, const cJSON *ep)
{
	const char *ip = ks_get_str(ep, "nsmIp");
	struct in6_addr buf;

	if (!ip)
		return;
	if (inet_pton(AF_INET, ip, &buf) == 1 && (qtype == LDNS_RR_TYPE_A ||
						  qtype == LDNS_RR_TYPE_ANY))
		add_rr(a->pkt, section, "%s %d IN A %s", owner, DNS_TTL, ip);
	else if (inet_pton(AF_INET6, ip, &buf) == 1 && (qtype == LDNS_RR_TYPE_AAAA ||
							qtype == LDNS_RR_TYPE_ANY))
		add_rr(a->pkt, section, "%s %d IN AAAA %s", owner, DNS_TTL, ip);
}

static void add_endpoints(struct answer *a, const cJSON *svc)
{
	const cJSON *ep;

	cJSON_ArrayForEach(ep, ks_get(svc, "serviceDiscoveryEndpoints"))
		add_endpoint(a, LDNS_SECTION_ANSWER, a->qname, a->qtype, ep);
}

static long json_number(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (cJSON_IsNumber(v))
		return (long)v->valuedouble;
	return cJSON_IsString(v) ? strtol(v->valuestring, NULL, 10) : 0;
}

/* "<pod>.<cluster>.<base>", or false when the endpoint has no pod name. */
static bool pod_name(char *out, size_t size, const cJSON *ep, const char *base)
{
	const char *pod = ks_get_str(ep, "podName"), *cluster = ks_get_str(ep, "cluster");

	if (!pod || !*pod || !cluster || !*cluster)
		return false;
	return snprintf(out, size, "%s.%s.%s", pod, cluster, base) < (int)size;
}

/* SRV answers of one named port: one per endpoint, the endpoint's address beside it. */
static void add_srv(struct answer *a, const cJSON *svc, const char *base, long port)
{
	char target[DNS_NAME_MAX];
	const cJSON *ep;

	cJSON_ArrayForEach(ep, ks_get(svc, "serviceDiscoveryEndpoints")) {
		if (!pod_name(target, sizeof(target), ep, base))
			snprintf(target, sizeof(target), "%s", base);
		if (wants(a, LDNS_RR_TYPE_SRV))
			add_rr(a->pkt, LDNS_SECTION_ANSWER, "%s %d IN SRV 0 100 %ld %s", a->qname,
			       DNS_TTL, port, target);
		add_endpoint(a, LDNS_SECTION_ADDITIONAL, target, LDNS_RR_TYPE_ANY, ep);
	}
}

static bool name_is(const struct answer *a, const char *name)
{
	return !strcasecmp(a->qname, name);
}

/* Whether the question is a strict ancestor of name (an empty non-terminal). */
static bool name_above(const struct answer *a, const char *name)
{
	size_t q = strlen(a->qname), n = strlen(name);

	return n > q && name[n - q - 1] == '.' && !strcasecmp(name + n - q, a->qname);
}

static void lower(char *s)
{
	for (; *s; s++)
		*s = tolower((unsigned char)*s);
}

/* The names of one service that match the question. */
static void resolve_service(struct answer *a, const cJSON *svc)
{
	const char *name = ks_get_str(svc, "serviceName"), *ns = ks_get_str(svc, "serviceNamespace");
	char base[DNS_NAME_MAX], other[DNS_NAME_MAX], proto[16];
	const cJSON *port, *ep, *alias;

	if (!name || !ns || snprintf(base, sizeof(base), "%s.%s.svc." DNS_ZONE, name, ns) >=
	    (int)sizeof(base))
		return;
	lower(base);
	if (name_is(a, base)) {
		a->exists = true;
		add_endpoints(a, svc);
	}
	a->exists |= name_above(a, base);
	cJSON_ArrayForEach(port, ks_get(svc, "serviceDiscoveryPorts")) {
		snprintf(proto, sizeof(proto), "%s", ks_get_str(port, "protocol") ?: "TCP");
		lower(proto);
		if (!ks_get_str(port, "name") ||
		    snprintf(other, sizeof(other), "_%s._%s.%s", ks_get_str(port, "name"), proto,
			     base) >= (int)sizeof(other))
			continue;
		if (name_is(a, other)) {
			a->exists = true;
			add_srv(a, svc, base, json_number(port, "port"));
		}
		a->exists |= name_above(a, other);
	}
	cJSON_ArrayForEach(ep, ks_get(svc, "serviceDiscoveryEndpoints")) {
		if (!pod_name(other, sizeof(other), ep, base))
			continue;
		if (name_is(a, other)) {
			a->exists = true;
			add_endpoint(a, LDNS_SECTION_ANSWER, a->qname, a->qtype, ep);
		}
		a->exists |= name_above(a, other);
	}
	cJSON_ArrayForEach(alias, ks_get(svc, "aliases")) {
		if (!cJSON_IsString(alias) ||
		    snprintf(other, sizeof(other), "%s.", alias->valuestring) >= (int)sizeof(other))
			continue;
		if (name_is(a, other)) {
			a->exists = true;
			add_endpoints(a, svc);
		}
	}
}

static bool in_zone(const char *qname)
{
	size_t q = strlen(qname), z = strlen(DNS_ZONE);

	return !strcasecmp(qname, DNS_ZONE) ||
	       (q > z && qname[q - z - 1] == '.' && !strcasecmp(qname + q - z, DNS_ZONE));
}

/* An answer's header and question, from the query. */
ldns_pkt *dns_reply_new(const ldns_pkt *q, ldns_pkt_rcode rcode)
{
	ldns_pkt *r = ldns_pkt_new();
	ldns_rr *question = ldns_rr_list_rr(ldns_pkt_question(q), 0);

	if (!r)
		return NULL;
	ldns_pkt_set_id(r, ldns_pkt_id(q));
	ldns_pkt_set_qr(r, true);
	ldns_pkt_set_opcode(r, ldns_pkt_get_opcode(q));
	ldns_pkt_set_rd(r, ldns_pkt_rd(q));
	ldns_pkt_set_cd(r, ldns_pkt_cd(q));
	ldns_pkt_set_rcode(r, rcode);
	if (question)
		ldns_pkt_push_rr(r, LDNS_SECTION_QUESTION, ldns_rr_clone(question));
	if (ldns_pkt_edns(q))
		ldns_pkt_set_edns_udp_size(r, DNS_EDNS_SIZE);
	return r;
}

ldns_pkt *dns_resolve(const cJSON *services, const char *slice, const ldns_pkt *query)
{
	ldns_rr *question = ldns_rr_list_rr(ldns_pkt_question(query), 0);
	struct answer a = { 0 };
	const cJSON *svc;
	char *name;

	if (!question)
		return NULL;
	name = ldns_rdf2str(ldns_rr_owner(question));
	if (!name)
		return NULL;
	snprintf(a.qname, sizeof(a.qname), "%s", name);
	free(name);
	lower(a.qname);
	a.qtype = ldns_rr_get_type(question);
	a.pkt = dns_reply_new(query, LDNS_RCODE_NOERROR);
	if (!a.pkt)
		return NULL;
	ldns_pkt_set_aa(a.pkt, true);
	cJSON_ArrayForEach(svc, services)
		if (!slice || !strcmp(ks_get_str0(svc, "sliceName"), slice))
			resolve_service(&a, svc);
	if (!a.exists && !in_zone(a.qname)) {
		ldns_pkt_free(a.pkt);
		return NULL;
	}
	if (!a.exists)
		ldns_pkt_set_rcode(a.pkt, LDNS_RCODE_NXDOMAIN);
	/* Negative answers carry the zone's SOA, whose minimum bounds their caching. */
	if (!ldns_pkt_ancount(a.pkt) && in_zone(a.qname))
		add_rr(a.pkt, LDNS_SECTION_AUTHORITY,
		       DNS_ZONE " %d IN SOA ns." DNS_ZONE " hostmaster." DNS_ZONE " 1 %d %d %d %d",
		       DNS_TTL, DNS_TTL, DNS_TTL, DNS_TTL, DNS_TTL);
	return a.pkt;
}
