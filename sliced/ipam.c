// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "api/file.h"
#include "api/json.h"
#include "cni/protocol.h"
#include "ipam.h"
#include "log.h"
#include "slice.h"

/* A CNI client that stalls must not stall the daemon's loop for long. */
#define IPAM_CLIENT_TIMEOUT_MS	500

uint32_t ipam_gateway(const struct ks_prefix *subnet)
{
	return subnet->addr + 1;
}

/* The addresses pods may get: all but the network, the gateway and the broadcast. */
static uint32_t pool_first(const struct ks_prefix *s)
{
	return s->addr + 2;
}

static uint32_t pool_last(const struct ks_prefix *s)
{
	return s->addr + (uint32_t)((1ULL << (32 - s->len)) - 2);
}

static bool pool_contains(const struct ks_prefix *s, uint32_t addr)
{
	return addr >= pool_first(s) && addr <= pool_last(s);
}

static bool lease_is(const struct ipam_lease *l, const char *container_id, const char *ifname)
{
	return !strcmp(l->container_id, container_id) && !strcmp(l->ifname, ifname);
}

const struct ipam_lease *ipam_pool_find(const struct ipam_pool *p, const char *container_id,
					const char *ifname)
{
	size_t i;

	for (i = 0; i < p->count; i++)
		if (lease_is(&p->leases[i], container_id, ifname))
			return &p->leases[i];
	return NULL;
}

static bool pool_taken(const struct ipam_pool *p, uint32_t addr)
{
	size_t i;

	for (i = 0; i < p->count; i++)
		if (p->leases[i].addr == addr)
			return true;
	return false;
}

static int copy_field(char *dst, size_t size, const char *src)
{
	if (!src)
		src = "";
	if (strlen(src) >= size)
		return -ENAMETOOLONG;
	strcpy(dst, src);
	return 0;
}

static int lease_fill(struct ipam_lease *l, uint32_t addr, const char *container_id,
		      const char *ifname, const char *pod_ns, const char *pod_name)
{
	memset(l, 0, sizeof(*l));
	l->addr = addr;
	if (!container_id || !*container_id || !ifname || !*ifname)
		return -EINVAL;
	return copy_field(l->container_id, sizeof(l->container_id), container_id) ?:
	       copy_field(l->ifname, sizeof(l->ifname), ifname) ?:
	       copy_field(l->pod_ns, sizeof(l->pod_ns), pod_ns) ?:
	       copy_field(l->pod_name, sizeof(l->pod_name), pod_name);
}

static int pool_push(struct ipam_pool *p, const struct ipam_lease *l)
{
	struct ipam_lease *grown;
	size_t cap;

	if (p->count == p->cap) {
		cap = p->cap ? p->cap * 2 : 16;
		grown = realloc(p->leases, cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		p->leases = grown;
		p->cap = cap;
	}
	p->leases[p->count++] = *l;
	return 0;
}

static cJSON *pool_to_json(const struct ipam_pool *p)
{
	char buf[KS_PREFIX_STRLEN];
	cJSON *root = cJSON_CreateObject(), *arr, *o;
	size_t i;

	ks_prefix_format(&p->subnet, buf);
	cJSON_AddStringToObject(root, "subnet", buf);
	arr = cJSON_AddArrayToObject(root, "leases");
	for (i = 0; i < p->count; i++) {
		o = cJSON_CreateObject();
		cJSON_AddItemToArray(arr, o);
		ks_addr_format(p->leases[i].addr, buf);
		cJSON_AddStringToObject(o, "address", buf);
		cJSON_AddStringToObject(o, "containerID", p->leases[i].container_id);
		cJSON_AddStringToObject(o, "ifName", p->leases[i].ifname);
		cJSON_AddStringToObject(o, "podNamespace", p->leases[i].pod_ns);
		cJSON_AddStringToObject(o, "podName", p->leases[i].pod_name);
	}
	return root;
}

/* The pool's leases to its file: written aside, synced, renamed over the old one. */
static int pool_save(const struct ipam_pool *p)
{
	cJSON *root = pool_to_json(p);
	char *text = cJSON_Print(root);
	int err;

	cJSON_Delete(root);
	err = text ? ks_write_file(p->path, text, strlen(text), 0600) : -ENOMEM;
	free(text);
	return err;
}

static uint32_t parse_addr(const char *s)
{
	struct in_addr a;

	return s && inet_pton(AF_INET, s, &a) == 1 ? ntohl(a.s_addr) : 0;
}

/* The leases of the file, those that still fit the subnet. */
static int pool_load(struct ipam_pool *p, char *err, size_t errlen)
{
	const cJSON *o;
	struct ipam_lease l;
	size_t len;
	char *text = ks_read_file(p->path, &len);
	cJSON *root;
	uint32_t addr;

	if (!text)
		return errno == ENOENT ? 0 : -errno;
	root = cJSON_Parse(text);
	free(text);
	if (!cJSON_IsArray(ks_get(root, "leases"))) {
		snprintf(err, errlen, "%s: not an address state file (no \"leases\" list)",
			 p->path);
		cJSON_Delete(root);
		return -EINVAL;
	}
	cJSON_ArrayForEach(o, ks_get(root, "leases")) {
		addr = parse_addr(ks_get_str(o, "address"));
		if (lease_fill(&l, addr, ks_get_str(o, "containerID"), ks_get_str(o, "ifName"),
			       ks_get_str(o, "podNamespace"), ks_get_str(o, "podName")) ||
		    !pool_contains(&p->subnet, addr) || pool_taken(p, addr) ||
		    ipam_pool_find(p, l.container_id, l.ifname)) {
			log_event(LOG_WARNING, p->slice, NULL,
				  "address %s of container %s dropped: not in cluster subnet or not valid",
				  ks_get_str0(o, "address"), ks_get_str0(o, "containerID"));
			continue;
		}
		if (pool_push(p, &l)) {
			cJSON_Delete(root);
			return -ENOMEM;
		}
	}
	cJSON_Delete(root);
	return 0;
}

int ipam_pool_open(struct ipam_pool *p, const char *dir, const char *slice,
		   const struct ks_prefix *subnet, char *err, size_t errlen)
{
	int ret;

	memset(p, 0, sizeof(*p));
	if (subnet->len > 30 || strlen(slice) > KS_NAME_MAX) {
		snprintf(err, errlen, "slice %s: subnet too small for pods or name too long",
			 slice);
		return -EINVAL;
	}
	strcpy(p->slice, slice);
	p->subnet = *subnet;
	p->next = pool_first(subnet);
	if (mkdir(dir, 0700) && errno != EEXIST) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return ret;
	}
	if (asprintf(&p->path, "%s/%s.json", dir, slice) < 0) {
		p->path = NULL;
		return -ENOMEM;
	}
	ret = pool_load(p, err, errlen);
	if (ret == -ENOMEM || (ret && !*err))
		snprintf(err, errlen, "%s: %s", p->path, strerror(-ret));
	if (ret)
		ipam_pool_close(p);
	return ret;
}

void ipam_pool_close(struct ipam_pool *p)
{
	free(p->path);
	free(p->leases);
	memset(p, 0, sizeof(*p));
}

int ipam_pool_alloc(struct ipam_pool *p, const char *container_id, const char *ifname,
		    const char *pod_ns, const char *pod_name, const struct ipam_lease **out)
{
	uint32_t first = pool_first(&p->subnet), last = pool_last(&p->subnet), addr, n;
	struct ipam_lease l;
	int err;

	*out = ipam_pool_find(p, container_id, ifname);
	if (*out)
		return 0;
	if (p->next < first || p->next > last)
		p->next = first;
	for (addr = p->next, n = 0; n <= last - first; n++) {
		if (!pool_taken(p, addr))
			break;
		addr = addr == last ? first : addr + 1;
	}
	if (n > last - first)
		return -ENOSPC;
	err = lease_fill(&l, addr, container_id, ifname, pod_ns, pod_name) ?:
	      pool_push(p, &l);
	if (err)
		return err;
	err = pool_save(p);
	if (err) {
		p->count--;
		return err;
	}
	p->next = addr == last ? first : addr + 1;
	*out = &p->leases[p->count - 1];
	return 0;
}

int ipam_pool_release(struct ipam_pool *p, const char *container_id, const char *ifname)
{
	const struct ipam_lease *found = ipam_pool_find(p, container_id, ifname);
	struct ipam_lease saved;
	size_t i;
	int err;

	if (!found)
		return 0;
	i = found - p->leases;
	saved = p->leases[i];
	p->leases[i] = p->leases[--p->count];
	err = pool_save(p);
	if (err) {
		/* Keep memory as the file says. */
		p->leases[p->count++] = p->leases[i];
		p->leases[i] = saved;
	}
	return err;
}

/* ---- the pools of this node's slices, served to the CNI plugin ---- */

struct ipam_slice {
	struct ipam_slice *next;
	struct ipam_pool pool;
	struct ks_prefix slice_subnet;
	bool seen;
};

struct ipam {
	char *dir;
	char *socket_path;
	struct sockaddr_storage dns_addr;
	int listen_fd;
	struct ipam_slice *slices;
	bool changed;
};

struct ipam_pool *ipam_pool_of(struct ipam *m, const char *slice)
{
	struct ipam_slice *s;

	for (s = m->slices; s; s = s->next)
		if (!strcmp(s->pool.slice, slice))
			return &s->pool;
	return NULL;
}

struct ipam_pool *ipam_pool_next(struct ipam *m, const struct ipam_pool *prev)
{
	const struct ipam_slice *s;

	if (!prev)
		return m->slices ? &m->slices->pool : NULL;
	s = (const struct ipam_slice *)((const char *)prev - offsetof(struct ipam_slice, pool));
	return s->next ? &s->next->pool : NULL;
}

static struct ipam_slice *slice_of(struct ipam *m, const char *slice)
{
	struct ipam_slice *s;

	for (s = m->slices; s && strcmp(s->pool.slice, slice); s = s->next)
		;
	return s;
}

static void slice_update(struct ipam *m, const cJSON *wsc)
{
	const char *name = ks_get_str(wsc, "spec.sliceName");
	const char *cidr = ks_get_str(wsc, "spec.clusterSubnetCIDR");
	const char *slice_cidr = ks_get_str(wsc, "spec.sliceSubnet");
	struct ks_prefix subnet, slice_subnet;
	struct ipam_slice *s;
	char err[256] = "";

	if (!name || !cidr || !slice_cidr || ks_prefix_parse(cidr, &subnet) ||
	    ks_prefix_parse(slice_cidr, &slice_subnet))
		return;	/* slice.c logs incomplete WorkerSliceConfigs */
	s = slice_of(m, name);
	if (s && s->pool.subnet.addr == subnet.addr && s->pool.subnet.len == subnet.len) {
		s->seen = true;
		s->slice_subnet = slice_subnet;
		return;
	}
	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s)
			return;
		s->next = m->slices;
		m->slices = s;
	} else {
		ipam_pool_close(&s->pool);
	}
	s->slice_subnet = slice_subnet;
	if (ipam_pool_open(&s->pool, m->dir, name, &subnet, err, sizeof(err))) {
		log_event(LOG_ERR, name, NULL, "pod addresses: %s", err);
		return;	/* seen stays false: dropped below, tried again on the next update */
	}
	s->seen = true;
	m->changed = true;
	log_event(LOG_INFO, name, NULL, "pod addresses from %s, %zu in use", cidr,
		  s->pool.count);
}

void ipam_update(struct ipam *m, const cJSON *slices)
{
	struct ipam_slice *s, **pp;
	const cJSON *wsc;

	for (s = m->slices; s; s = s->next)
		s->seen = false;
	cJSON_ArrayForEach(wsc, slices)
		slice_update(m, wsc);
	for (pp = &m->slices; (s = *pp);) {
		if (s->seen) {
			pp = &s->next;
			continue;
		}
		*pp = s->next;
		ipam_pool_close(&s->pool);
		free(s);
		m->changed = true;
	}
}

static cJSON *cni_error(int code, const char *msg, const char *details)
{
	cJSON *reply = cJSON_CreateObject(), *e = cJSON_AddObjectToObject(reply, "error");

	cJSON_AddNumberToObject(e, "code", code);
	cJSON_AddStringToObject(e, "msg", msg);
	if (details)
		cJSON_AddStringToObject(e, "details", details);
	return reply;
}

static void add_addr(cJSON *obj, const char *key, uint32_t addr)
{
	char buf[KS_PREFIX_STRLEN];

	ks_addr_format(addr, buf);
	cJSON_AddStringToObject(obj, key, buf);
}

static void add_prefix(cJSON *obj, const char *key, const struct ks_prefix *p)
{
	char buf[KS_PREFIX_STRLEN];

	ks_prefix_format(p, buf);
	cJSON_AddStringToObject(obj, key, buf);
}

static cJSON *lease_reply(struct ipam *m, const struct ipam_slice *s,
			  const struct ipam_lease *l)
{
	cJSON *reply = cJSON_CreateObject(), *search;
	char dev[IF_NAMESIZE], dns[INET6_ADDRSTRLEN], name[IPAM_POD_NS_MAX + 32];
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&m->dns_addr;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&m->dns_addr;

	add_addr(reply, "address", l->addr);
	add_addr(reply, "gateway", ipam_gateway(&s->pool.subnet));
	add_prefix(reply, "clusterSubnet", &s->pool.subnet);
	add_prefix(reply, "sliceSubnet", &s->slice_subnet);
	slice_device_name(s->pool.slice, dev);
	cJSON_AddStringToObject(reply, "device", dev);
	if (m->dns_addr.ss_family == AF_INET)
		inet_ntop(AF_INET, &sin->sin_addr, dns, sizeof(dns));
	else if (m->dns_addr.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &sin6->sin6_addr, dns, sizeof(dns));
	else
		ks_addr_format(ipam_gateway(&s->pool.subnet), dns);
	cJSON_AddStringToObject(reply, "dns", dns);
	search = cJSON_AddArrayToObject(reply, "search");
	if (*l->pod_ns) {
		snprintf(name, sizeof(name), "%s.svc.slice.local", l->pod_ns);
		cJSON_AddItemToArray(search, cJSON_CreateString(name));
	}
	cJSON_AddItemToArray(search, cJSON_CreateString("svc.slice.local"));
	cJSON_AddItemToArray(search, cJSON_CreateString("slice.local"));
	return reply;
}

static cJSON *handle_add(struct ipam *m, struct ipam_slice *s, const char *cid,
			 const char *ifname, const cJSON *req)
{
	const struct ipam_lease *l;
	char dev[IF_NAMESIZE], buf[KS_PREFIX_STRLEN];
	int err;

	slice_device_name(s->pool.slice, dev);
	if (!if_nametoindex(dev))
		return cni_error(CNI_ERR_TRY_LATER, "the slice's device is not up yet", dev);
	err = ipam_pool_alloc(&s->pool, cid, ifname, ks_get_str(req, "podNamespace"),
			      ks_get_str(req, "podName"), &l);
	if (err == -ENOSPC) {
		ks_prefix_format(&s->pool.subnet, buf);
		return cni_error(CNI_ERR_NO_ADDRESS, "no address left in the cluster's slice subnet",
				 buf);
	}
	if (err == -ENAMETOOLONG || err == -EINVAL)
		return cni_error(CNI_ERR_INVALID_ENV, "container id, interface or pod name too long",
				 NULL);
	if (err)
		return cni_error(CNI_ERR_IO, "cannot record the address", strerror(-err));
	ks_addr_format(l->addr, buf);
	log_event(LOG_INFO, s->pool.slice, NULL, "pod %s/%s (container %.12s %s) has address %s",
		  l->pod_ns, l->pod_name, cid, ifname, buf);
	m->changed = true;
	return lease_reply(m, s, l);
}

cJSON *ipam_handle(struct ipam *m, const cJSON *req)
{
	const char *cmd = ks_get_str(req, "command"), *slice = ks_get_str(req, "slice");
	const char *cid = ks_get_str(req, "containerID"), *ifname = ks_get_str(req, "ifName");
	const struct ipam_lease *l;
	struct ipam_slice *s;
	char why[KS_NAME_MAX + 64];
	int err;

	if (!cmd || !slice || !cid || !*cid || !ifname || !*ifname)
		return cni_error(CNI_ERR_DECODE,
				 "request needs command, slice, containerID and ifName", NULL);
	s = slice_of(m, slice);
	if (!strcmp(cmd, "DEL")) {
		if (!s)
			return cJSON_CreateObject();
		l = ipam_pool_find(&s->pool, cid, ifname);
		if (l)
			log_event(LOG_INFO, slice, NULL, "pod %s/%s (container %.12s %s) released",
				  l->pod_ns, l->pod_name, cid, ifname);
		err = ipam_pool_release(&s->pool, cid, ifname);
		if (err)
			return cni_error(CNI_ERR_IO, "cannot record the release", strerror(-err));
		m->changed = true;
		return cJSON_CreateObject();
	}
	if (!s) {
		snprintf(why, sizeof(why), "no slice \"%s\" on this cluster", slice);
		return cni_error(CNI_ERR_INVALID_CONFIG, why,
				 "the slice has no WorkerSliceConfig for this cluster");
	}
	if (!strcmp(cmd, "ADD"))
		return handle_add(m, s, cid, ifname, req);
	if (!strcmp(cmd, "CHECK")) {
		l = ipam_pool_find(&s->pool, cid, ifname);
		return l ? lease_reply(m, s, l) :
			   cni_error(CNI_ERR_NOT_ATTACHED, "the container has no address on the slice",
				     NULL);
	}
	return cni_error(CNI_ERR_DECODE, "unknown command", cmd);
}

/* One connection: a request line in, a reply out, within IPAM_CLIENT_TIMEOUT_MS. */
static void serve_conn(struct ipam *m, int fd)
{
	struct timeval tv = { .tv_usec = IPAM_CLIENT_TIMEOUT_MS * 1000 };
	char buf[CNI_MSG_MAX + 1], *text;
	cJSON *req, *reply;
	size_t len = 0;
	ssize_t n;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (len < CNI_MSG_MAX && !memchr(buf, '\n', len)) {
		n = read(fd, buf + len, CNI_MSG_MAX - len);
		if (n <= 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	req = cJSON_Parse(buf);
	reply = cJSON_IsObject(req) ? ipam_handle(m, req) :
				      cni_error(CNI_ERR_DECODE, "request is not a JSON object", NULL);
	text = cJSON_PrintUnformatted(reply);
	if (text && write(fd, text, strlen(text)) >= 0)
		n = write(fd, "\n", 1);
	free(text);
	cJSON_Delete(reply);
	cJSON_Delete(req);
}

void ipam_serve(struct ipam *m)
{
	int fd = accept4(m->listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	serve_conn(m, fd);
	close(fd);
}

int ipam_fd(const struct ipam *m)
{
	return m->listen_fd;
}

bool ipam_take_changed(struct ipam *m)
{
	bool changed = m->changed;

	m->changed = false;
	return changed;
}

/* /run/sliced is not there after a reboot. */
static void make_parent_dir(const char *path)
{
	char *dir = strdup(path), *slash = dir ? strrchr(dir, '/') : NULL;

	if (slash && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0755);
	}
	free(dir);
}

static int listen_unix(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "cniSocket: %s: path too long", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	make_parent_dir(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	/* Only root may attach pods: the socket is the daemon's, mode 0600. */
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || chmod(path, 0600) ||
	    listen(fd, 16)) {
		snprintf(err, errlen, "cniSocket: %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

struct ipam *ipam_new(const char *state_dir, const char *socket_path,
		      const struct sockaddr_storage *dns_addr, char *err, size_t errlen)
{
	struct ipam *m = calloc(1, sizeof(*m));

	snprintf(err, errlen, "out of memory");
	if (!m)
		return NULL;
	m->listen_fd = -1;
	m->dns_addr = *dns_addr;
	if (asprintf(&m->dir, "%s/ipam", state_dir) < 0) {
		m->dir = NULL;
		goto fail;
	}
	if (mkdir(state_dir, 0700) && errno != EEXIST) {
		snprintf(err, errlen, "stateDir: %s: %s", state_dir, strerror(errno));
		goto fail;
	}
	m->socket_path = strdup(socket_path);
	if (!m->socket_path)
		goto fail;
	m->listen_fd = listen_unix(socket_path, err, errlen);
	if (m->listen_fd < 0)
		goto fail;
	return m;
fail:
	ipam_free(m);
	return NULL;
}

void ipam_free(struct ipam *m)
{
	struct ipam_slice *s;

	if (!m)
		return;
	while ((s = m->slices)) {
		m->slices = s->next;
		ipam_pool_close(&s->pool);
		free(s);
	}
	if (m->listen_fd >= 0) {
		close(m->listen_fd);
		unlink(m->socket_path);
	}
	free(m->socket_path);
	free(m->dir);
	free(m);
}
