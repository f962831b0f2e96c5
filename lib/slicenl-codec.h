/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Inside libslicenl: slicenl.c's requests and replies, coded by slicenl-codec.c. Each parser
 * fills its structure whole (zeroed first) or returns -EBADMSG for a reply the kernel would
 * not send; each builder returns 0 or -EMSGSIZE (-EINVAL for an endpoint of no family).
 */
#ifndef SLICENL_CODEC_H
#define SLICENL_CODEC_H

#include <netlink/msg.h>

#include "slicenl.h"

/* A DEV_GET reply's attributes (@tb) into the struct slicenl_device at @arg. */
int slicenl_parse_device(struct nlattr **tb, void *arg);
/* A PEER nest, with its KEYCONF nests (one per occupied slot). */
int slicenl_parse_peer(struct nlattr *attr, struct slicenl_peer *peer);
/* A ROUTE nest. */
int slicenl_parse_route(struct nlattr *attr, struct slicenl_route *route);
/* A PEER_STATE_NTF or KEY_ROTATE_NTF message. */
int slicenl_parse_event(struct nl_msg *msg, struct slicenl_event *ev);

/* The QOS nest of DEV_SET: the whole profile, or an empty nest that removes it. */
int slicenl_put_qos(struct nl_msg *msg, const struct slicenl_qos *qos);
/* The PEER nest of PEER_NEW and PEER_SET: its ID and what its flags say it carries. */
int slicenl_put_peer(struct nl_msg *msg, const struct slicenl_peer *peer);
/* A KEYCONF nest, inside the PEER nest of a key command. */
int slicenl_put_keyconf(struct nl_msg *msg, const struct slicenl_key *key);

#endif /* SLICENL_CODEC_H */
