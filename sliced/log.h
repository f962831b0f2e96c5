/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sliced's log: one line per event, naming the slice, the peer and this cluster, so that
 * `journalctl -u sliced | grep slice=red` tells one slice's story.
 */
#ifndef SLICED_LOG_H
#define SLICED_LOG_H

#include <stdbool.h>
#include <syslog.h>

/*
 * log_init - choose the output once at start.
 * @journal: prefix lines with "<N>" so that systemd's journal keeps their priority; otherwise
 *	     lines carry a wall-clock time stamp (foreground mode, tests).
 * @verbose: also print LOG_DEBUG lines.
 * @cluster: this node's cluster name, written into every event line.
 */
void log_init(bool journal, bool verbose, const char *cluster);

/* A line about the daemon itself (start, configuration, controller connection). */
void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A line about one slice and, when peer is not NULL, one of its peers (a gateway name). */
void log_event(int prio, const char *slice, const char *peer, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif /* SLICED_LOG_H */
