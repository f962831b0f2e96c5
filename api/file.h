/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whole files: read into one string, or replaced so that a reader (or a crash) sees the old
 * content or the new, never a part. The controller's credentials, sliced's leases and
 * statuses, the CNI plugin's stdin and slicectl's key files.
 */
#ifndef API_FILE_H
#define API_FILE_H

#include <stddef.h>
#include <sys/types.h>

/* What ks_read_file() reads at most: configuration, certificates and leases are small. */
#define KS_FILE_MAX (1 << 20)

/*
 * ks_read_fd - everything @fd gives until end of file, NUL-terminated (@len, when not NULL,
 * without the NUL). Return: a malloc'ed string, or NULL with errno set (EFBIG past @max
 * bytes).
 */
char *ks_read_fd(int fd, size_t max, size_t *len);

/* ks_read_file - the file at @path with ks_read_fd() and KS_FILE_MAX. */
char *ks_read_file(const char *path, size_t *len);

/*
 * ks_write_file - writes @data to PATH.tmp with @mode, syncs it and renames it over @path.
 * Return: 0, or a negative errno with @path as it was (and no PATH.tmp left).
 */
int ks_write_file(const char *path, const void *data, size_t len, mode_t mode);

#endif /* API_FILE_H */
