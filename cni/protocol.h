/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The request/response protocol between the CNI plugin (slice-cni) and sliced, over a
 * unix stream socket of sliced (setting cniSocket, default CNI_SOCKET_DEFAULT): the
 * plugin connects, writes one JSON object and a newline, and reads one JSON object back;
 * sliced then closes the connection.
 *
 * Request:  {"command": "ADD" | "DEL" | "CHECK", "slice": "red",
 *            "containerID": "...", "ifName": "eth0",
 *            "podNamespace": "shop", "podName": "web-0"}      (pod fields optional)
 * Reply to ADD and CHECK:
 *           {"address": "10.1.0.2", "gateway": "10.1.0.1",
 *            "clusterSubnet": "10.1.0.0/20", "sliceSubnet": "10.1.0.0/16",
 *            "device": "slice-red", "dns": "10.1.0.1",
 *            "search": ["shop.svc.slice.local", "svc.slice.local", "slice.local"]}
 * Reply to DEL: {}
 * Failure:  {"error": {"code": N, "msg": "...", "details": "..."}} with N a CNI error
 *           code (CNI_ERR_*), which the plugin passes on as its own error.
 *
 * ADD is idempotent: the same containerID and ifName get the same address again. DEL of
 * something never added succeeds, as CNI wants.
 */
#ifndef CNI_PROTOCOL_H
#define CNI_PROTOCOL_H

#define CNI_SOCKET_DEFAULT	"/run/sliced/cni.sock"
/* Longest request or reply; anything longer is refused. */
#define CNI_MSG_MAX		8192

/* CNI spec 1.0 error codes (well-known ones, and ours from 100 on). */
#define CNI_ERR_INCOMPATIBLE_VERSION	1
#define CNI_ERR_UNSUPPORTED_FIELD	2
#define CNI_ERR_UNKNOWN_CONTAINER	3
#define CNI_ERR_INVALID_ENV		4
#define CNI_ERR_IO			5
#define CNI_ERR_DECODE			6
#define CNI_ERR_INVALID_CONFIG		7
#define CNI_ERR_TRY_LATER		11
#define CNI_ERR_NO_ADDRESS		100	/* the cluster's slice subnet is full */
#define CNI_ERR_NOT_ATTACHED		101	/* CHECK: the attachment is not as it should be */

#endif /* CNI_PROTOCOL_H */
