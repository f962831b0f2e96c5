// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/log.h"

/* Set once by ks_log_init() before other threads start; read-only afterwards. */
static const char *log_prog = "slice";
static bool log_journal;
static bool log_verbose;

void ks_log_init(const char *prog, bool journal, bool verbose)
{
	log_prog = prog;
	log_journal = journal;
	log_verbose = verbose;
}

void ks_vlog(int prio, const char *prefix, const char *fmt, va_list ap)
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
		/* One fprintf per line, so that lines of concurrent threads do not mix. */
		fprintf(stderr, "%s.%03ld %s: %s%s\n", stamp, now.tv_nsec / 1000000, log_prog,
			prefix, msg);
	}
}

void ks_log(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ks_vlog(prio, "", fmt, ap);
	va_end(ap);
}
