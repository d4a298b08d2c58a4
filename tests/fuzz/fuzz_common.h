/* SPDX-License-Identifier: MIT */
/*
 * Shared by the libFuzzer targets that run whole subcommands: the input
 * becomes a file (a memfd, named /proc/self/fd/N, as the tool opens paths).
 * Run them with -close_fd_mask=3 (make fuzz does) so that the tool's
 * millions of error lines go to /dev/null while libFuzzer and the
 * sanitizers still report.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

/* Needs _GNU_SOURCE (memfd_create) defined before any include. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static inline int fuzz_memfd(const uint8_t *data, size_t size, char *path,
			     size_t path_size)
{
	int fd = memfd_create("scpatch-fuzz", 0);
	size_t done = 0;

	if (fd < 0)
		abort();
	while (done < size) {
		ssize_t n = write(fd, data + done, size - done);

		if (n <= 0)
			abort();
		done += n;
	}
	snprintf(path, path_size, "/proc/self/fd/%d", fd);
	return fd;
}

#endif
