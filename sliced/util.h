/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SLICED_UTIL_H
#define SLICED_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Whole file as a NUL-terminated string (len without the NUL); NULL and errno on failure. */
char *read_text_file(const char *path, size_t *len);

/* Milliseconds on the monotonic clock. */
uint64_t now_ms(void);

#endif /* SLICED_UTIL_H */
