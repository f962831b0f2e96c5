/* SPDX-License-Identifier: GPL-2.0 */
/* Slice QoS profiles: the DSCP classes KubeSlice accepts and their code points. */
#ifndef API_QOS_H
#define API_QOS_H

#define KS_QOS_QUEUE_HTB		"HTB"
#define KS_QOS_TC_BANDWIDTH		"BANDWIDTH_CONTROL"

/* The DSCP code point (RFC 2474/2597/3246) of a class name ("AF21", "EF", "Default"),
 * or -1 for a name KubeSlice does not accept. */
int ks_dscp_value(const char *cls);

#endif /* API_QOS_H */
