// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>

#include "api/log.h"
#include "log.h"

/* Set once by log_init() before other threads start. */
static char log_cluster[64] = "-";

void log_init(bool journal, bool verbose, const char *cluster)
{
	ks_log_init("sliced", journal, verbose);
	if (cluster)
		snprintf(log_cluster, sizeof(log_cluster), "%s", cluster);
}

void log_msg(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ks_vlog(prio, "", fmt, ap);
	va_end(ap);
}

void log_event(int prio, const char *slice, const char *peer, const char *fmt, ...)
{
	char prefix[256];
	va_list ap;

	snprintf(prefix, sizeof(prefix), "cluster=%s slice=%s%s%s: ", log_cluster, slice,
		 peer ? " peer=" : "", peer ? peer : "");
	va_start(ap, fmt);
	ks_vlog(prio, prefix, fmt, ap);
	va_end(ap);
}
