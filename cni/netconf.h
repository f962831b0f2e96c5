/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CNI 1.0 codecs of slice-cni: the network configuration on stdin and the CNI_*
 * environment in, the result or error object out, and sliced's lease reply
 * (cni/protocol.h) in between.
 *
 * Network configuration:
 *   {"cniVersion": "1.0.0", "name": "slice-red", "type": "slice-cni",
 *    "slice": "red",                          required: the slice to attach to
 *    "socket": "/run/sliced/cni.sock"}        optional: sliced's CNI socket
 * Unknown fields are ignored, as CNI plugins do.
 */
#ifndef CNI_NETCONF_H
#define CNI_NETCONF_H

#include <stdbool.h>
#include <net/if.h>
#include <cjson/cJSON.h>

#define CNI_VERSION		"1.0.0"
#define CNI_SLICE_MAX		253
#define CNI_CONTAINER_ID_MAX	255
#define CNI_POD_NS_MAX		63
#define CNI_PATH_MAX		4096
#define CNI_SEARCH_MAX		4

enum cni_command { CNI_CMD_ADD, CNI_CMD_DEL, CNI_CMD_CHECK, CNI_CMD_VERSION };

/**
 * struct cni_error - a CNI error object
 * @code: CNI_ERR_* (cni/protocol.h)
 * @msg: short message
 * @details: longer explanation, may be empty
 */
struct cni_error {
	int code;
	char msg[256];
	char details[512];
};

/* Fills err and returns -1, for "return cni_fail(err, ...)". */
int cni_fail(struct cni_error *err, int code, const char *details, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/**
 * struct cni_request - one invocation: the environment and the network configuration
 */
struct cni_request {
	enum cni_command cmd;
	char container_id[CNI_CONTAINER_ID_MAX + 1];
	char netns[CNI_PATH_MAX];	/* "" for DEL without a namespace */
	char ifname[IF_NAMESIZE];
	char pod_ns[CNI_POD_NS_MAX + 1];	/* CNI_ARGS K8S_POD_NAMESPACE, or "" */
	char pod_name[CNI_SLICE_MAX + 1];	/* CNI_ARGS K8S_POD_NAME, or "" */
	char name[CNI_SLICE_MAX + 1];		/* the network's name */
	char slice[CNI_SLICE_MAX + 1];
	char socket[CNI_PATH_MAX];
};

/*
 * cni_request_parse - read the environment (through get, getenv in the plugin) and, except
 * for VERSION, the network configuration text. Returns 0, or -1 with err filled.
 */
int cni_request_parse(struct cni_request *req, const char *conf,
		      const char *(*get)(const char *name), struct cni_error *err);

/**
 * struct cni_lease - sliced's answer to ADD and CHECK
 */
struct cni_lease {
	char address[16];
	char gateway[16];
	char cluster_subnet[19];
	char slice_subnet[19];
	char device[IF_NAMESIZE];
	char dns[46];
	char search[CNI_SEARCH_MAX][CNI_POD_NS_MAX + 32];
	int n_search;
};

/* cni_lease_parse - a reply of sliced: a lease, or its error object into err (-1). */
int cni_lease_parse(const cJSON *reply, struct cni_lease *lease, struct cni_error *err);

/**
 * struct cni_iface - an interface of the result
 */
struct cni_iface {
	char name[IF_NAMESIZE];
	char mac[18];
	const char *sandbox;	/* the pod's netns path, NULL on the node */
};

/* The ADD result: interfaces (node side, pod side), the address, routes and DNS. */
cJSON *cni_result(const struct cni_lease *lease, const struct cni_iface *host,
		  const struct cni_iface *pod);

/* {"cniVersion", "code", "msg"[, "details"]} */
cJSON *cni_error_json(const struct cni_error *err);

/* The VERSION answer. */
cJSON *cni_version_json(void);

#endif /* CNI_NETCONF_H */
