/* SPDX-License-Identifier: GPL-2.0 */
/* Watch streams: the store's change history as Kubernetes watch events. */
#ifndef CONTROLLER_WATCH_H
#define CONTROLLER_WATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "api/kubeslice.h"
#include "controller/auth.h"
#include "controller/http.h"
#include "controller/registry.h"

/**
 * struct ctl_watch - what one watch request asks for
 * @res: the resource watched
 * @ns: its namespace, NULL for all
 * @sel: label and field selector
 * @id: the requester; objects it may not read are not sent
 * @from: send changes after this resourceVersion
 * @initial: first send every existing object as ADDED (no resourceVersion, or "0")
 * @bookmarks: send BOOKMARK events while idle
 * @timeout: seconds until the server ends the stream
 * @table: meta.k8s.io version of the Tables to send instead of objects (kubectl get -w;
 *	   http_table.h), or NULL
 * @include: the Tables' includeObject, checked by the caller
 */
struct ctl_watch {
	const struct ks_resource *res;
	const char *ns;
	const struct ctl_selector *sel;
	const struct ctl_identity *id;
	uint64_t from;
	bool initial;
	bool bookmarks;
	unsigned int timeout;
	const char *table;
	const char *include;
};

/* Streams events until the timeout, the client leaving, or shutdown. Returns 0, -EAGAIN
 * (nothing sent) when w->from is a version the store does not reach within 3 s, or -EIO
 * when the connection cannot be used any more. */
int ctl_watch_serve(struct ctl_store *st, struct ctl_http_conn *c, const struct ctl_watch *w);

#endif /* CONTROLLER_WATCH_H */
