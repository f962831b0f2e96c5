/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef SLICECTL_SHOW_H
#define SLICECTL_SHOW_H

#include <stdbool.h>
#include <stdio.h>
#include "lib/slicenl.h"

/* Everything `slicectl show` prints about one device. */
struct show_device {
	struct slicenl_device dev;
	struct slicenl_peer *peers;
	size_t num_peers;
	struct slicenl_route *routes;
	size_t num_routes;
};

void show_text(FILE *out, const struct show_device *sd);
/* One JSON object; the caller writes the surrounding array. */
void show_json(FILE *out, const struct show_device *sd);
void show_event(FILE *out, bool json, const struct slicenl_event *ev);

/* "192.0.2.1:51820" or "[2001:db8::1]:51820". */
void format_endpoint(const union slicenl_sockaddr *endpoint, char *buf, size_t size);
/* "10.0.0.0/8" or "2001:db8::/32". */
void format_prefix(const struct slicenl_route *route, char *buf, size_t size);

#endif /* SLICECTL_SHOW_H */
