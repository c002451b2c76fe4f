/* Regular files written directly during extraction: one open relative to
 * a kept parent directory fd (opened beneath the layer, following no
 * symlink), the data, owner, mode and times. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>

#include "image/extract_int.h"
#include "base/util.h"

void extract_forget_parent(struct extract *x)
{
	if (x->parent_fd >= 0)
		close(x->parent_fd);
	x->parent_fd = -1;
	free(x->parent_path);
	x->parent_path = NULL;
}

/* The directory that path's parent names, open: from the cache when the
 * last file went there, else opened beneath the layer with no symlink
 * followed (openat2 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), so however the
 * tree was built, nothing is created outside it.  -1 when it cannot be
 * opened that way (missing, or no openat2): libarchive writes the entry. */
static int parent_fd(struct extract *x, const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');
	*base = slash ? slash + 1 : path;
	if (slash == NULL)
		return x->dir_fd;
	size_t plen = (size_t)(slash - path);
	if (x->parent_path && strlen(x->parent_path) == plen &&
	    strncmp(x->parent_path, path, plen) == 0)
		return x->parent_fd;
	extract_forget_parent(x);
	if (x->no_openat2)
		return -1;
	cleanup_free char *dir = xasprintf("%.*s", (int)plen, path);
	struct open_how how = {
	        .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
	        .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
	                   RESOLVE_NO_XDEV,
	};
	int fd = (int)syscall(SYS_openat2, x->dir_fd, dir, &how, sizeof(how));
	if (fd < 0) {
		if (errno == ENOSYS || errno == EPERM) /* EPERM: a seccomp filter */
			x->no_openat2 = true;
		return -1;
	}
	x->parent_fd = fd;
	x->parent_path = steal_pointer(&dir);
	return fd;
}

/* True when berth writes this entry itself: a plain regular file, whose
 * metadata is owner, mode and times only. */
bool extract_simple_file(struct archive_entry *e)
{
	unsigned long set, clear;
	archive_entry_fflags(e, &set, &clear);
	return archive_entry_filetype(e) == AE_IFREG && archive_entry_hardlink(e) == NULL &&
	       archive_entry_size_is_set(e) && archive_entry_size(e) >= 0 && set == 0 &&
	       archive_entry_xattr_count(e) == 0 && archive_entry_acl_types(e) == 0 &&
	       archive_entry_sparse_count(e) == 0;
}

static int write_all(int fd, const char *buf, size_t len, off_t off)
{
	while (len > 0) {
		ssize_t n = pwrite(fd, buf, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

/* The file's data from the archive, at the offsets libarchive gives;
 * *end gets the end of the last piece. */
static int fill_from_archive(struct extract *x, int fd, int64_t *end, struct be_error **err)
{
	for (*end = 0;;) {
		const void *buf;
		size_t len;
		la_int64_t off;
		int r = archive_read_data_block(x->in, &buf, &len, &off);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return extract_entry_fail(x, err, 0, "reading: %s",
			                          extract_arch_text(x->in));
		if (write_all(fd, buf, len, (off_t)off) < 0)
			return extract_entry_fail(x, err, errno, "writing");
		*end = off + (int64_t)len;
		extract_wrote(x, len);
	}
}

/* The file's data from src (a directory source), at most size bytes:
 * copy_file_range (a reflink or an in-kernel copy), read and write where
 * the filesystems cannot; *end gets the bytes copied. */
static int fill_from_fd(struct extract *x, int fd, int src, int64_t size, int64_t *end,
                        struct be_error **err)
{
	char buf[64 * 1024];
	bool kernel = true;
	int64_t done = 0;
	for (*end = 0; done < size; *end = done) {
		size_t want = (size_t)(size - done);
		ssize_t n = kernel ? copy_file_range(src, NULL, fd, NULL, want, 0) : -1;
		if (n < 0 && kernel && errno != EINTR) {
			kernel = false; /* EXDEV, EINVAL, EOPNOTSUPP... */
			continue;
		}
		if (!kernel) {
			n = read(src, buf, want < sizeof(buf) ? want : sizeof(buf));
			if (n > 0 && write_all(fd, buf, (size_t)n, (off_t)done) < 0)
				return extract_entry_fail(x, err, errno, "writing");
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return extract_entry_fail(x, err, errno, "reading");
		if (n == 0)
			break; /* the file shrank: write_file keeps the size */
		done += n;
		extract_wrote(x, (uint64_t)n);
	}
	return 0;
}

/* Owner, then mode (a chown clears set-id bits), then times, as
 * libarchive's ARCHIVE_EXTRACT_OWNER | PERM | TIME do. */
static int set_meta(struct extract *x, int fd, struct archive_entry *e, struct be_error **err)
{
	mode_t mode = archive_entry_perm(e) & 07777;
	if (fchown(fd, (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e)) < 0)
		mode &= ~(mode_t)(S_ISUID | S_ISGID); /* not root: keep the file, not the bits */
	if (fchmod(fd, mode) < 0)
		return extract_entry_fail(x, err, errno, "setting its mode");
	bool at = archive_entry_atime_is_set(e), mt = archive_entry_mtime_is_set(e);
	if (!at && !mt)
		return 0;
	struct timespec ts[2] = {
	        {.tv_sec = at ? archive_entry_atime(e) : 0,
	         .tv_nsec = at ? archive_entry_atime_nsec(e) : UTIME_NOW},
	        {.tv_sec = mt ? archive_entry_mtime(e) : 0,
	         .tv_nsec = mt ? archive_entry_mtime_nsec(e) : UTIME_NOW},
	};
	if (futimens(fd, ts) < 0)
		return extract_entry_fail(x, err, errno, "setting its times");
	return 0;
}

/* Writes a simple regular file (simple_file) at path with one open
 * relative to its parent's kept fd.  No writeback is started per file
 * (sync_file_range here was measured slower: a small write per file in
 * this thread, where the layer's one syncfs writes them all in a batch,
 * as `tar -x && sync -f` does).  Returns 1 when written, 0 when libarchive must write it
 * (its parent is not there yet, or the name is taken: a later entry
 * replaces an earlier one), -1 on failure. */
int extract_write_file(struct extract *x, struct archive_entry *e, const char *path, int data_fd,
                       struct be_error **err)
{
	const char *base;
	int dfd = parent_fd(x, path, &base);
	if (dfd < 0)
		return 0;
	cleanup_close int fd = openat(
	        dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST)
		return 0;
	if (fd < 0)
		return extract_entry_fail(x, err, errno, "creating it");
	int64_t size = archive_entry_size(e), end;
	if ((data_fd >= 0 ? fill_from_fd(x, fd, data_fd, size, &end, err)
	                  : fill_from_archive(x, fd, &end, err)) < 0)
		return -1;
	if (end != size && ftruncate(fd, size) < 0)
		return extract_entry_fail(x, err, errno, "writing");
	if (set_meta(x, fd, e, err) < 0)
		return -1;
	if (close(util_steal_fd(&fd)) < 0)
		return extract_entry_fail(x, err, errno, "writing");
	x->files++;
	x->size += size;
	return 1;
}
