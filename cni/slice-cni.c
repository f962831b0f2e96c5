// SPDX-License-Identifier: GPL-2.0
/*
 * slice-cni: a CNI 1.0 plugin that attaches a pod's network namespace to a slice, with an
 * address that sliced hands out (docs/services.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "api/file.h"
#include "cni/attach.h"
#include "cni/netconf.h"
#include "cni/protocol.h"

/* sliced answers at once; waiting longer than this means it is stuck. */
#define SLICED_TIMEOUT_S	10
#define STDIN_MAX		(1 << 20)

static const char *env_get(const char *name)
{
	return getenv(name);
}

static int sliced_connect(const char *path, struct cni_error *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = SLICED_TIMEOUT_S };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return cni_fail(err, CNI_ERR_INVALID_CONFIG, path, "socket path too long");
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return cni_fail(err, CNI_ERR_IO, NULL, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		cni_fail(err, CNI_ERR_TRY_LATER, path, "sliced is not answering on its CNI socket: %s",
			 strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* One request to sliced and its reply (see cni/protocol.h); NULL with err filled. */
static cJSON *sliced_ask(const struct cni_request *req, const char *command,
			 struct cni_error *err)
{
	cJSON *msg = cJSON_CreateObject(), *reply = NULL;
	char buf[CNI_MSG_MAX + 1], *text;
	size_t len = 0;
	ssize_t n;
	int fd;

	cJSON_AddStringToObject(msg, "command", command);
	cJSON_AddStringToObject(msg, "slice", req->slice);
	cJSON_AddStringToObject(msg, "containerID", req->container_id);
	cJSON_AddStringToObject(msg, "ifName", req->ifname);
	if (*req->pod_ns)
		cJSON_AddStringToObject(msg, "podNamespace", req->pod_ns);
	if (*req->pod_name)
		cJSON_AddStringToObject(msg, "podName", req->pod_name);
	text = cJSON_PrintUnformatted(msg);
	cJSON_Delete(msg);
	fd = text ? sliced_connect(req->socket, err) : -1;
	if (fd < 0)
		goto out;
	if (write(fd, text, strlen(text)) < 0 || write(fd, "\n", 1) != 1) {
		cni_fail(err, CNI_ERR_IO, req->socket, "writing to sliced: %s", strerror(errno));
		goto out;
	}
	while (len < CNI_MSG_MAX && (n = read(fd, buf + len, CNI_MSG_MAX - len)) > 0)
		len += n;
	buf[len] = '\0';
	reply = cJSON_Parse(buf);
	if (!cJSON_IsObject(reply)) {
		cJSON_Delete(reply);
		reply = NULL;
		cni_fail(err, CNI_ERR_IO, req->socket, "no valid reply from sliced%s",
			 len ? "" : " (timed out or closed)");
	}
out:
	if (fd >= 0)
		close(fd);
	free(text);
	return reply;
}

static int sliced_lease(const struct cni_request *req, const char *command,
			struct cni_lease *lease, struct cni_error *err)
{
	cJSON *reply = sliced_ask(req, command, err);
	int ret = reply ? cni_lease_parse(reply, lease, err) : -1;

	cJSON_Delete(reply);
	return ret;
}

static int sliced_release(const struct cni_request *req, struct cni_error *err)
{
	cJSON *reply = sliced_ask(req, "DEL", err), *e;
	struct cni_lease unused;
	int ret = -1;

	if (reply) {
		e = cJSON_GetObjectItemCaseSensitive(reply, "error");
		ret = e ? cni_lease_parse(reply, &unused, err) : 0;
	}
	cJSON_Delete(reply);
	return ret;
}

static int cmd_add(const struct cni_request *req, cJSON **result, struct cni_error *err)
{
	struct cni_iface host = { 0 }, pod = { 0 };
	struct cni_lease lease;

	if (sliced_lease(req, "ADD", &lease, err))
		return -1;
	if (attach_add(req, &lease, &host, &pod, err)) {
		/* Undo the address too: nothing half-made stays behind. */
		sliced_release(req, &(struct cni_error){ 0 });
		return -1;
	}
	*result = cni_result(&lease, &host, &pod);
	return 0;
}

static int cmd_check(const struct cni_request *req, struct cni_error *err)
{
	struct cni_lease lease;

	if (sliced_lease(req, "CHECK", &lease, err))
		return -1;
	return attach_check(req, &lease, err);
}

static int cmd_del(const struct cni_request *req, struct cni_error *err)
{
	if (attach_del(req, err))
		return -1;
	return sliced_release(req, err);
}

static int print_json(cJSON *obj)
{
	char *text = cJSON_Print(obj);

	cJSON_Delete(obj);
	if (!text)
		return -1;
	puts(text);
	free(text);
	return fflush(stdout) ? -1 : 0;
}

int main(void)
{
	struct cni_error err = { 0 };
	struct cni_request req;
	cJSON *result = NULL;
	char *conf = NULL;
	int ret;

	/* VERSION's stdin carries nothing we need; every other command's is the config. */
	if (!getenv("CNI_COMMAND") || strcmp(getenv("CNI_COMMAND"), "VERSION")) {
		conf = ks_read_fd(0, STDIN_MAX, NULL);
		if (!conf)
			cni_fail(&err, CNI_ERR_DECODE, NULL, "cannot read the configuration on stdin");
	}
	ret = err.code ? -1 : cni_request_parse(&req, conf, env_get, &err);
	if (!ret) {
		switch (req.cmd) {
		case CNI_CMD_VERSION:
			result = cni_version_json();
			break;
		case CNI_CMD_ADD:
			ret = cmd_add(&req, &result, &err);
			break;
		case CNI_CMD_CHECK:
			ret = cmd_check(&req, &err);
			break;
		case CNI_CMD_DEL:
			ret = cmd_del(&req, &err);
			break;
		}
	}
	free(conf);
	if (ret) {
		print_json(cni_error_json(&err));
		return 1;
	}
	return result && print_json(result) ? 1 : 0;
}
