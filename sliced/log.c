// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"

static bool log_journal;
static bool log_verbose;
static char log_cluster[64] = "-";

void log_init(bool journal, bool verbose, const char *cluster)
{
	log_journal = journal;
	log_verbose = verbose;
	if (cluster)
		snprintf(log_cluster, sizeof(log_cluster), "%s", cluster);
}

static void log_line(int prio, const char *prefix, const char *fmt, va_list ap)
{
	char msg[1024];

	if (prio == LOG_DEBUG && !log_verbose)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_journal) {
		fprintf(stderr, "<%d>%s%s\n", prio, prefix, msg);
	} else {
		struct timespec now;
		struct tm tm;
		char stamp[32];

		clock_gettime(CLOCK_REALTIME, &now);
		localtime_r(&now.tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ld sliced: %s%s\n", stamp, now.tv_nsec / 1000000, prefix,
			msg);
	}
}

void log_msg(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(prio, "", fmt, ap);
	va_end(ap);
}

void log_event(int prio, const char *slice, const char *peer, const char *fmt, ...)
{
	char prefix[256];
	va_list ap;

	snprintf(prefix, sizeof(prefix), "cluster=%s slice=%s%s%s: ", log_cluster, slice,
		 peer ? " peer=" : "", peer ? peer : "");
	va_start(ap, fmt);
	log_line(prio, prefix, fmt, ap);
	va_end(ap);
}
