/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A pod address manager in a temporary directory of its own, for the tests that need pod
 * leases (isolation's address sets, podnet's veths). Include after <cmocka.h>.
 */
#ifndef SLICED_TESTS_IPAM_FIXTURE_H
#define SLICED_TESTS_IPAM_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "ipam.h"

/**
 * struct ipam_fixture - an ipam and the directory it keeps its leases and socket in
 * @dir: the temporary directory (mkdtemp)
 * @m:   the manager, with no slices yet
 */
struct ipam_fixture {
	char dir[64];
	struct ipam *m;
};

/* Opens one under /tmp/NAME.XXXXXX, or fails the test. */
static inline void ipam_fixture_open(struct ipam_fixture *f, const char *name)
{
	struct sockaddr_storage none = { .ss_family = AF_UNSPEC };
	char sock[128], err[256];

	snprintf(f->dir, sizeof(f->dir), "/tmp/%s.XXXXXX", name);
	assert_non_null(mkdtemp(f->dir));
	snprintf(sock, sizeof(sock), "%s/cni.sock", f->dir);
	f->m = ipam_new(f->dir, sock, &none, err, sizeof(err));
	if (!f->m)
		fail_msg("ipam_new: %s", err);
}

/* Frees the manager and removes its directory. */
static inline void ipam_fixture_close(struct ipam_fixture *f)
{
	char cmd[96];

	ipam_free(f->m);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
}

#endif
