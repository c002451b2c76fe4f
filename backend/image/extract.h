/* Safe extraction (internal API): fills a new layer's diff directory from a
 * tarball (any compression libarchive reads) or from a directory, refusing
 * every entry that would write outside it. */
#ifndef BE_EXTRACT_H
#define BE_EXTRACT_H

#include <stdbool.h>
#include <stdint.h>

#include "berth.h"

struct be_extract_opts {
	be_import_progress_fn progress; /* NULL: none */
	void *progress_data;
	uint64_t total; /* source size for progress, 0 when unknown */
	/* A layer of a docker or OCI image: ".wh.NAME" entries become overlay
	 * whiteouts (a 0/0 character device NAME), ".wh..wh..opq" makes its
	 * directory opaque (trusted.overlay.opaque=y), other ".wh..wh."
	 * entries (aufs bookkeeping) are skipped, and an empty archive is a
	 * valid (empty) layer. */
	bool image_layer;
	/* When set (extract_fd only), called with every byte read from fd, in
	 * order, so the caller can hash the blob while it is read; the caller
	 * reads what follows the archive's end itself. */
	void (*on_read)(const void *buf, size_t n, void *data);
	void *on_read_data;
	/* When set, filled after the extraction with the size and file count
	 * layer_count_dir would find in dir (for layer_tmp_set_counts), or
	 * both -1 when the extraction cannot vouch for them (an entry that
	 * replaced another, parents made implicitly, whiteouts). */
	struct be_extract_counts {
		int64_t size, files;
	} * counts;
};

/* Extracts the archive read from fd into dir (an empty directory the
 * caller made and removes on failure).  Errors name the entry: 'entry
 * "../x": path leaves the layer'.  An archive with no entry is an error.
 * The process's working directory is dir while this runs (libarchive's
 * symlink checks work relative to it); it is restored before returning. */
int extract_fd(int fd, const char *dir, const struct be_extract_opts *opts, struct be_error **err);
/* Copies the directory tree src into dir with the same checks, keeping
 * modes, owners, times, symlinks, hard links, xattrs and ACLs; other
 * filesystems mounted below src are skipped. */
int extract_copy_dir(const char *src, const char *dir, const struct be_extract_opts *opts,
                     struct be_error **err);

/* ---- checks, exported for tests ------------------------------------------ */
/* Normalises a path from an archive: drops "." components and repeated or
 * trailing slashes ("./a//b/" -> "a/b", "./" -> "").  Fails with the reason
 * in *why on an absolute path or a ".." component.  *out: caller frees. */
int extract_norm_path(const char *path, char **out, const char **why);
/* True when a symlink at the normalised path link, pointing to target,
 * stays inside the layer read lexically: an absolute target from the layer
 * root, a relative one from the link's directory, ".." never above the
 * root. */
bool extract_symlink_inside(const char *link, const char *target);

#endif
