// SPDX-License-Identifier: GPL-2.0
/* Whole files read and replaced (api/file.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/file.h"

char *ks_read_fd(int fd, size_t max, size_t *len)
{
	size_t n = 0, cap = 4096;
	char *buf = malloc(cap), *grown;
	ssize_t got = 0;

	/* Ends at end of file (got 0), or with got > 0 or < 0 and errno set. */
	while (buf) {
		got = read(fd, buf + n, cap - 1 - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		n += got;
		if (n > max) {
			errno = EFBIG;
			break;
		}
		if (n == cap - 1) {
			grown = realloc(buf, 2 * cap);
			if (!grown)
				break;
			buf = grown;
			cap *= 2;
		}
	}
	if (!buf || got != 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

char *ks_read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;
	char *text;

	if (fd < 0)
		return NULL;
	text = ks_read_fd(fd, KS_FILE_MAX, len);
	err = errno;
	close(fd);
	errno = err;
	return text;
}

int ks_write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	char *tmp;
	int fd, err = 0;

	if (asprintf(&tmp, "%s.tmp", path) < 0)
		return -ENOMEM;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	/* The rename is the commit point: the data must be on disk before it. */
	if (write(fd, data, len) != (ssize_t)len || fsync(fd))
		err = errno ? -errno : -EIO;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
out:
	free(tmp);
	return err;
}
