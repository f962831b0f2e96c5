/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Programming the kernel: each slice's device, UDP socket and LOCAL_ID, peers (with the
 * slice's liveness settings, transit for the cluster's other gateway nodes) and routes in
 * slice.ko are read, compared with the desired state and changed where they differ (as
 * wireguard-tools' sync_conf does). Devices marked as sliced's whose slice is gone are
 * deleted. Changes found while checking are drift: logged and reported as Events.
 */
#ifndef SLICED_KERNEL_H
#define SLICED_KERNEL_H

#include <stdbool.h>

#include "slice.h"

/*
 * kernel_sync - bring the kernel to n->slices: after the desired state changed (check
 * false), or to check it (true), when whatever had to be changed is drift.
 */
void kernel_sync(struct node *n, bool check);

#endif /* SLICED_KERNEL_H */
