// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: load and annotate an object, as `scpatch -o OUT IN`
 * does.  The input is a memfd; the output goes to a private temporary
 * directory and is read back by list and check, so that what annotate
 * writes is fuzzed too.  The input must come out byte for byte unchanged.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <string.h>

#include "fuzz_common.h"
#include "commands.h"

static char outdir[64];
static char outpath[96];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(outdir, sizeof(outdir), "/tmp/scpatch-fuzz.XXXXXX");
	if (!mkdtemp(outdir))
		abort();
	snprintf(outpath, sizeof(outpath), "%s/out.o", outdir);
	return 0;
}

static void check_unchanged(int fd, const uint8_t *data, size_t size)
{
	uint8_t *now = malloc(size ? size : 1);

	if (!now || pread(fd, now, size, 0) != (ssize_t)size ||
	    memcmp(now, data, size) || lseek(fd, 0, SEEK_END) != (off_t)size)
		abort();
	free(now);
}

/* A failed run leaves no temporary file behind it. */
static void check_dir_clean(bool out_expected)
{
	DIR *dir = opendir(outdir);
	struct dirent *de;

	if (!dir)
		abort();
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		if (strcmp(de->d_name, "out.o") || !out_expected)
			abort();
	}
	closedir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[64];
	int fd = fuzz_memfd(data, size, in, sizeof(in));
	char *annotate[] = { "scpatch", "-o", outpath, in, NULL };
	int rc;

	unlink(outpath);
	rc = cmd_annotate(4, annotate);
	if (rc != 0 && rc != 2)
		abort();
	check_unchanged(fd, data, size);
	check_dir_clean(rc == 0);
	if (rc == 0) {
		char *list[] = { "list", outpath, NULL };
		char *check[] = { "check", outpath, NULL };

		/* What annotate wrote must read back. */
		if (cmd_list(2, list) != 0)
			abort();
		rc = cmd_check(2, check);
		if (rc != 0 && rc != 1)
			abort();
	}
	close(fd);
	return 0;
}
