/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SLICED_UTIL_H
#define SLICED_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Whole file as a NUL-terminated string (len without the NUL); NULL and errno on failure. */
char *read_text_file(const char *path, size_t *len);

/*
 * write_file_atomic - text into path: written aside, synced, renamed over the old file, so a
 * crash leaves the old or the new content, never half of one. 0 or -errno.
 */
int write_file_atomic(const char *path, const char *text, unsigned int mode);

/* Milliseconds on the monotonic clock. */
uint64_t now_ms(void);

/* A poll timeout (ms, -1: none) lowered to when due comes; now and due in now_ms(). */
int next_due(int timeout, uint64_t due, uint64_t now);

#endif /* SLICED_UTIL_H */
