/* Tarballs that tests write themselves (with libarchive), entry by entry,
 * including the hostile ones (escaping paths, devices, links out). */
#ifndef BERTH_TU_TAR_H
#define BERTH_TU_TAR_H

#include <archive.h>
#include <stddef.h>

struct tu_tar_entry {
	const char *path;
	/* f file (arg: its content), F pseudo-random file of `size` bytes, d dir,
	 * l symlink to arg, h hard link to arg, c char device 1:3, b block
	 * device 8:0, p fifo, H a copy of the host file arg */
	char kind;
	const char *arg;
	size_t size;
	int mode; /* 0: 0755 for directories and H, else 0644 */
};

/* Writes the n entries to path through filter (ARCHIVE_FILTER_NONE, _GZIP,
 * ...) in pax format, every mtime 1700000000; asserts on failure. */
void tu_make_tar(const char *path, int filter, const struct tu_tar_entry *e, size_t n);
#define TU_MAKE_TAR(path, filter, entries)                                                         \
	tu_make_tar(path, filter, entries, sizeof(entries) / sizeof((entries)[0]))

#endif
