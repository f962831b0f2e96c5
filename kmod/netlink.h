/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slice: the "slice" generic netlink family.
 */
#ifndef _SLICE_NETLINK_H
#define _SLICE_NETLINK_H

#include <linux/gfp.h>

struct slice_key;
struct slice_peer;

int slice_nl_register(void);
void slice_nl_unregister(void);
void slice_nl_peer_state_ntf(struct slice_peer *peer, gfp_t gfp);
void slice_nl_key_rotate_ntf(struct slice_peer *peer, struct slice_key *key, gfp_t gfp);

#endif /* _SLICE_NETLINK_H */
