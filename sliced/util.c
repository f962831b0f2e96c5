// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

int write_file_atomic(const char *path, const char *text, unsigned int mode)
{
	size_t len = strlen(text);
	char *tmp = NULL;
	int fd, err = 0;

	if (asprintf(&tmp, "%s.tmp", path) < 0)
		return -ENOMEM;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || fsync(fd) || rename(tmp, path))
		err = -errno ?: -EIO;
	if (fd >= 0)
		close(fd);
	if (err)
		unlink(tmp);
	free(tmp);
	return err;
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
