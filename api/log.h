/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The log of slice-controller and sliced: one line per event on stderr, either with
 * systemd's "<N>" priority prefix (the journal keeps the priority and adds the time) or
 * with a wall-clock time stamp and the program's name (foreground runs, tests).
 */
#ifndef KS_LOG_H
#define KS_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <syslog.h>

/*
 * ks_log_init - choose the output once at start (before any other thread logs).
 * @prog: program name written on each line outside the journal.
 * @journal: prefix lines with "<N>" instead of a time stamp.
 * @verbose: also print LOG_DEBUG lines.
 */
void ks_log_init(const char *prog, bool journal, bool verbose);

/* One line: prefix (may be "") then the formatted message. */
void ks_vlog(int prio, const char *prefix, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* One line with no prefix. */
void ks_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* KS_LOG_H */
