/* A layer as a registry blob: its diff/ written as a tar (libarchive, pax),
 * overlay whiteouts turned back into ".wh." entries and opaque directories
 * into ".wh..wh..opq", entries in name order, gzip'd (zlib, no timestamp)
 * so the same layer always makes the same bytes.  The tar is hashed (the
 * diff id) and the gzip stream too (the blob digest) as they are made. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <zlib.h>

#include "layer/layer.h"
#include "registry/registry.h"

struct gz_out {
	z_stream z;
	int fd;
	struct digest_sha256 tar, blob;
	int64_t size;
	int werr; /* errno of a failed write */
};

static int flush_out(struct gz_out *g, int mode)
{
	unsigned char buf[65536];
	do {
		g->z.next_out = buf;
		g->z.avail_out = sizeof(buf);
		int r = deflate(&g->z, mode);
		if (r == Z_STREAM_ERROR)
			return -1;
		size_t have = sizeof(buf) - g->z.avail_out;
		digest_sha256_update(&g->blob, buf, have);
		g->size += (int64_t)have;
		for (size_t off = 0; off < have;) {
			ssize_t w = write(g->fd, buf + off, have - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				g->werr = errno;
				return -1;
			}
			off += (size_t)w;
		}
	} while (g->z.avail_out == 0);
	return 0;
}

static la_ssize_t on_write(struct archive *a, void *data, const void *buf, size_t n)
{
	(void)a;
	struct gz_out *g = data;
	digest_sha256_update(&g->tar, buf, n);
	g->z.next_in = (Bytef *)buf;
	g->z.avail_in = (uInt)n;
	if (flush_out(g, Z_NO_FLUSH) < 0)
		return -1;
	return (la_ssize_t)n;
}

static int walk(struct archive *a, const char *root, const char *rel, struct be_error **err);

static int write_entry(struct archive *a, struct archive_entry *e, const char *path,
                       struct be_error **err)
{
	if (archive_write_header(a, e) < ARCHIVE_WARN)
		return be_error_set(err, 0, "tar entry %s: %s", archive_entry_pathname(e),
		                    archive_error_string(a));
	if (path == NULL || archive_entry_size(e) == 0)
		return 0;
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return be_error_set(err, errno, "opening %s", path);
	char buf[65536];
	ssize_t r;
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		if (archive_write_data(a, buf, (size_t)r) < 0)
			return be_error_set(err, 0, "writing %s: %s", path,
			                    archive_error_string(a));
	return r < 0 ? be_error_set(err, errno, "reading %s", path) : 0;
}

/* An empty regular file entry NAME (a whiteout marker). */
static int marker(struct archive *a, const char *name, const struct stat *like,
                  struct be_error **err)
{
	struct archive_entry *e = archive_entry_new();
	struct stat st = *like;
	st.st_mode = S_IFREG | 0644;
	st.st_size = 0;
	st.st_rdev = 0;
	st.st_nlink = 1;
	archive_entry_copy_stat(e, &st);
	archive_entry_copy_pathname(e, name);
	int rc = write_entry(a, e, NULL, err);
	archive_entry_free(e);
	return rc;
}

static int one(struct archive *a, const char *root, const char *rel, const char *name,
               struct be_error **err)
{
	cleanup_free char *path = xasprintf("%s/%s%s", root, rel, name);
	cleanup_free char *arch = xasprintf("%s%s", rel, name);
	struct stat st;
	if (lstat(path, &st) < 0)
		return be_error_set(err, errno, "reading %s", path);
	if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
		cleanup_free char *wh = xasprintf("%s.wh.%s", rel, name);
		return marker(a, wh, &st, err);
	}
	struct archive_entry *e = archive_entry_new();
	archive_entry_copy_stat(e, &st);
	archive_entry_copy_pathname(e, arch);
	int rc = 0;
	if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			rc = be_error_set(err, errno, "reading link %s", path);
		target[n < 0 ? 0 : n] = '\0';
		archive_entry_copy_symlink(e, target);
		archive_entry_set_size(e, 0);
	} else if (!S_ISREG(st.st_mode)) {
		archive_entry_set_size(e, 0);
	}
	if (rc == 0)
		rc = write_entry(a, e, S_ISREG(st.st_mode) ? path : NULL, err);
	archive_entry_free(e);
	if (rc == 0 && S_ISDIR(st.st_mode)) {
		char v[4];
		ssize_t n = lgetxattr(path, "trusted.overlay.opaque", v, sizeof(v));
		cleanup_free char *sub = xasprintf("%s%s/", rel, name);
		if (n == 1 && v[0] == 'y') {
			cleanup_free char *opq = xasprintf("%s.wh..wh..opq", sub);
			rc = marker(a, opq, &st, err);
		}
		if (rc == 0)
			rc = walk(a, root, sub, err);
	}
	return rc;
}

static int walk(struct archive *a, const char *root, const char *rel, struct be_error **err)
{
	cleanup_free char *dir = xasprintf("%s/%s", root, rel);
	struct dirent **list = NULL;
	int n = scandir(dir, &list, NULL, alphasort);
	if (n < 0)
		return be_error_set(err, errno, "reading %s", dir);
	int rc = 0;
	for (int i = 0; i < n; i++) {
		const char *name = list[i]->d_name;
		if (rc == 0 && strcmp(name, ".") != 0 && strcmp(name, "..") != 0)
			rc = one(a, root, rel, name, err);
		free(list[i]);
	}
	free(list);
	return rc;
}

static int tar_layer(const char *diff, struct gz_out *g, struct be_error **err)
{
	struct archive *a = archive_write_new();
	if (a == NULL)
		return be_error_set(err, 0, "cannot load libarchive");
	int rc = 0;
	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open(a, g, NULL, on_write, NULL) != ARCHIVE_OK)
		rc = be_error_set(err, 0, "starting a tar: %s", archive_error_string(a));
	if (rc == 0)
		rc = walk(a, diff, "", err);
	if (rc == 0 && archive_write_close(a) != ARCHIVE_OK)
		rc = be_error_set(err, g->werr, "finishing the tar: %s", archive_error_string(a));
	archive_write_free(a);
	return rc;
}

int reg_export_layer(const struct be_ctx *ctx, const char *id, int fd, struct reg_layer_ent *out,
                     struct be_error **err)
{
	cleanup_free char *diff = layer_diff_path(ctx, id);
	struct gz_out g = {.fd = fd};
	digest_sha256_init(&g.tar);
	digest_sha256_init(&g.blob);
	/* windowBits 15 + 16: a gzip wrapper with mtime 0 and no name. */
	if (deflateInit2(&g.z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return be_error_set(err, 0, "starting zlib");
	int rc = tar_layer(diff, &g, err);
	g.z.next_in = NULL;
	g.z.avail_in = 0;
	if (rc == 0 && flush_out(&g, Z_FINISH) < 0)
		rc = be_error_set(err, g.werr, "compressing layer %s", id);
	deflateEnd(&g.z);
	if (rc < 0)
		return be_error_wrap(err, "exporting layer %s", id);
	*out = (struct reg_layer_ent){.blob_size = g.size};
	snprintf(out->layer, sizeof(out->layer), "%s", id);
	digest_sha256_final(&g.tar, out->diff_id);
	digest_sha256_final(&g.blob, out->blob);
	snprintf(out->media_type, sizeof(out->media_type), "%s", REG_MT_OCI_LAYER_GZIP);
	return 0;
}
