/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SLICED_UTIL_H
#define SLICED_UTIL_H

#include <stdint.h>

/* Milliseconds on the monotonic clock. */
uint64_t now_ms(void);

/* A poll timeout (ms, -1: none) lowered to when due comes; now and due in now_ms(). */
int next_due(int timeout, uint64_t due, uint64_t now);

#endif /* SLICED_UTIL_H */
