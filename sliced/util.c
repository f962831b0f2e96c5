// SPDX-License-Identifier: GPL-2.0
#include <time.h>

#include "util.h"

uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int next_due(int timeout, uint64_t due, uint64_t now)
{
	int ms = due <= now ? 0 : (int)(due - now);

	return timeout < 0 || ms < timeout ? ms : timeout;
}
