// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "util.h"

/* Configuration files and certificates are small; anything bigger is a mistake. */
#define TEXT_FILE_MAX (1 << 20)

char *read_text_file(const char *path, size_t *len)
{
	char *buf, *shrunk;
	size_t n;
	FILE *f;
	int err;

	f = fopen(path, "r");
	if (!f)
		return NULL;
	buf = malloc(TEXT_FILE_MAX + 1);
	if (!buf) {
		fclose(f);
		errno = ENOMEM;
		return NULL;
	}
	n = fread(buf, 1, TEXT_FILE_MAX + 1, f);
	err = ferror(f) ? EIO : n > TEXT_FILE_MAX ? EFBIG : 0;
	fclose(f);
	if (err) {
		free(buf);
		errno = err;
		return NULL;
	}
	buf[n] = '\0';
	shrunk = realloc(buf, n + 1);
	if (shrunk)
		buf = shrunk;
	if (len)
		*len = n;
	return buf;
}

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
