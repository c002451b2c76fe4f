/* Fuzzes safe extraction (backend/image/extract.c): any tarball, plain or
 * compressed, as a rootfs or as an image layer (whiteouts), into a fresh
 * directory; then what its top says it is (image_archive_kind). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "image/extract.h"
#include "image/image_archive.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	static char *dir;
	if (dir == NULL)
		dir = xasprintf("%s/x", fuzz_dir());
	int fd = memfd_create("fuzz-tar", MFD_CLOEXEC);
	if (fd < 0)
		abort();
	/* The first byte picks the mode; the rest is the archive. */
	if (size > 1 && write(fd, data + 1, size - 1) != (ssize_t)(size - 1))
		abort();
	lseek(fd, 0, SEEK_SET);
	if (mkdir(dir, 0700) < 0)
		abort();
	struct be_extract_opts o = {.image_layer = data[0] & 1};
	struct be_error *err = NULL;
	if (extract_fd(fd, dir, &o, &err) == 0) {
		enum be_archive_kind k;
		image_archive_kind(dir, &k, &err);
	}
	be_error_clear(&err);
	close(fd);
	fuzz_rm(dir);
	return 0;
}
