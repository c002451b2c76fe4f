/* Safe extraction into a layer directory with libarchive: every entry is
 * checked (path, parents, link targets, type) before libarchive, itself
 * run with its secure flags, writes it relative to the layer directory. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <linux/fs.h>

#include "image/extract.h"
#include "image/extract_int.h"
#include "base/util.h"

#define PROGRESS_STEP (1u << 20)
/* Dirty data after which the flusher syncs the layer's filesystem: large
 * enough that a syncfs writes a batch, small enough that the disk starts
 * while extraction has most of its work ahead. */
#define FLUSH_STEP (16u << 20)

static const int write_flags = ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                               ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS | ARCHIVE_EXTRACT_PERM |
                               ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_TIME |
                               ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_ACL | ARCHIVE_EXTRACT_FFLAGS;

/* ---- path rules ------------------------------------------------------------ */

int extract_norm_path(const char *path, char **out, const char **why)
{
	if (path == NULL || path[0] == '\0') {
		*why = "path is empty";
		return -1;
	}
	if (path[0] == '/') {
		*why = "path is absolute";
		return -1;
	}
	char *buf = xmalloc(strlen(path) + 1);
	size_t n = 0;
	for (const char *p = path; *p;) {
		const char *end = strchrnul(p, '/');
		size_t len = (size_t)(end - p);
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			free(buf);
			*why = "path leaves the layer";
			return -1;
		}
		if (len > 0 && !(len == 1 && p[0] == '.')) {
			if (n)
				buf[n++] = '/';
			memcpy(buf + n, p, len);
			n += len;
		}
		p = *end ? end + 1 : end;
	}
	buf[n] = '\0';
	*out = buf;
	return 0;
}

bool extract_symlink_inside(const char *link, const char *target)
{
	long depth = 0;
	if (target[0] != '/') {
		/* Start in the link's directory: one level per component of
		 * the normalised link path, less the link's own name. */
		for (const char *p = link; *p; p++)
			depth += (*p == '/');
	}
	for (const char *p = target; *p;) {
		const char *end = strchrnul(p, '/');
		size_t len = (size_t)(end - p);
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			if (--depth < 0)
				return false;
		} else if (len > 0 && !(len == 1 && p[0] == '.')) {
			depth++;
		}
		p = *end ? end + 1 : end;
	}
	return true;
}

/* Copies name for an error message, with control characters shown as '?'
 * so the message stays one line. */
static char *shown_name(const char *name)
{
	char *s = xstrdup(name ? name : "");
	for (char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return s;
}

/* Fails with 'entry "NAME": MESSAGE' about the entry being handled. */
int extract_entry_fail(struct extract *x, struct be_error **err, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	cleanup_free char *name = shown_name(x->last);
	be_error_set(err, errnum, "entry \"%s\": %s", name, msg);
	free(msg);
	return -1;
}

const char *extract_arch_text(struct archive *a)
{
	const char *s = archive_error_string(a);
	return s ? s : "unknown libarchive error";
}

/* ---- checks on one entry --------------------------------------------------- */

/* Each existing parent of path (normalised, relative to the layer) must be
 * a real directory: a symlink planted by an earlier entry would let this
 * one write wherever it points. */
/* True when path is dir or one of its ancestors ("a" for "a/b"). */
static bool is_prefix_dir(const char *path, const char *dir)
{
	size_t n = strlen(path);
	return strncmp(dir, path, n) == 0 && (dir[n] == '\0' || dir[n] == '/');
}

static int check_parents(struct extract *x, const char *path, struct be_error **err)
{
	if (x->ok_parent && is_prefix_dir(path, x->ok_parent)) {
		free(x->ok_parent);
		x->ok_parent = NULL;
	}
	if (x->parent_path && is_prefix_dir(path, x->parent_path))
		extract_forget_parent(x);
	const char *slash = strrchr(path, '/');
	if (slash == NULL)
		return 0; /* the layer's root itself is the parent */
	size_t plen = (size_t)(slash - path);
	if (x->ok_parent && strlen(x->ok_parent) == plen && strncmp(x->ok_parent, path, plen) == 0)
		return 0;
	cleanup_free char *p = xstrdup(path);
	for (char *s = strchr(p, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		struct stat st;
		if (fstatat(x->dir_fd, p, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				return 0; /* the rest is created as directories */
			return extract_entry_fail(x, err, errno, "checking \"%s\"", p);
		}
		if (S_ISLNK(st.st_mode))
			return extract_entry_fail(x, err, 0, "parent \"%s\" is a symlink", p);
		if (!S_ISDIR(st.st_mode))
			return extract_entry_fail(x, err, 0, "parent \"%s\" is not a directory", p);
		*s = '/';
	}
	/* Every component exists and is a directory: remember it. */
	free(x->ok_parent);
	x->ok_parent = xasprintf("%.*s", (int)plen, path);
	return 0;
}

static int check_hardlink(struct extract *x, struct archive_entry *e, const char *target,
                          struct be_error **err)
{
	const char *why;
	cleanup_free char *t = NULL;
	cleanup_free char *shown = shown_name(target);
	if (extract_norm_path(target, &t, &why) < 0 || t[0] == '\0')
		return extract_entry_fail(x, err, 0, "hard link target \"%s\" leaves the layer",
		                          shown);
	if (check_parents(x, t, err) < 0)
		return -1;
	struct stat st;
	if (fstatat(x->dir_fd, t, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return extract_entry_fail(x, err, 0, "hard link target \"%s\" is not in the layer",
		                          shown);
	if (S_ISDIR(st.st_mode))
		return extract_entry_fail(x, err, 0, "hard link target \"%s\" is a directory",
		                          shown);
	archive_entry_copy_hardlink(e, t);
	return 0;
}

static int check_symlink(struct extract *x, const char *path, const char *target,
                         struct be_error **err)
{
	if (target == NULL || target[0] == '\0')
		return extract_entry_fail(x, err, 0, "symlink has no target");
	if (!extract_symlink_inside(path, target)) {
		cleanup_free char *shown = shown_name(target);
		return extract_entry_fail(x, err, 0, "symlink target \"%s\" leaves the layer",
		                          shown);
	}
	return 0;
}

static bool overlay_xattr(const char *name)
{
	return strncmp(name, "trusted.overlay.", 16) == 0 ||
	       strncmp(name, "user.overlay.", 13) == 0;
}

/* Drops what could make a layer unremovable (immutable and append-only
 * flags) or change overlayfs's reading of it (overlay xattrs). */
static void sanitize(struct archive_entry *e)
{
	unsigned long set, clear;
	const unsigned long bad = FS_IMMUTABLE_FL | FS_APPEND_FL;
	archive_entry_fflags(e, &set, &clear);
	if (set & bad)
		archive_entry_set_fflags(e, set & ~bad, clear);
	int n = archive_entry_xattr_reset(e);
	if (n <= 0)
		return;
	const char *name;
	const void *value;
	size_t size;
	bool any = false;
	while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK)
		any |= overlay_xattr(name);
	if (!any)
		return;
	struct archive_entry *copy = archive_entry_clone(e);
	archive_entry_xattr_clear(e);
	archive_entry_xattr_reset(copy);
	while (archive_entry_xattr_next(copy, &name, &value, &size) == ARCHIVE_OK)
		if (!overlay_xattr(name))
			archive_entry_xattr_add_entry(e, name, value, size);
	archive_entry_free(copy);
}

enum { ENTRY_WRITE = 0, ENTRY_SKIP = 1, ENTRY_DONE = 2 /* made here, counted */ };

/* ---- image layers: whiteouts --------------------------------------------------- */

#define WH_PREFIX ".wh."
#define WH_META ".wh..wh."
#define WH_OPAQUE ".wh..wh..opq"

/* mkdir -p of the parents of path (normalised; existing parents were
 * checked to be real directories): a whiteout may come before the entry
 * of its directory, or have none at all. */
static int make_parents(struct extract *x, const char *path, struct be_error **err)
{
	cleanup_free char *p = xstrdup(path);
	for (char *s = strchr(p, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdirat(x->dir_fd, p, 0755) < 0 && errno != EEXIST)
			return extract_entry_fail(x, err, errno, "creating \"%s\"", p);
		*s = '/';
	}
	return 0;
}

/* "DIR/.wh..wh..opq": DIR hides what lower layers hold in it, which
 * overlayfs reads from the xattr trusted.overlay.opaque=y on DIR. */
static int mark_opaque(struct extract *x, const char *path, struct be_error **err)
{
	if (make_parents(x, path, err) < 0)
		return -1;
	cleanup_free char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	cleanup_close int fd = openat(x->dir_fd, slash ? dir : ".",
	                              O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return extract_entry_fail(x, err, errno, "opening its directory");
	if (fsetxattr(fd, "trusted.overlay.opaque", "y", 1, 0) < 0)
		return extract_entry_fail(x, err, errno, "marking its directory opaque");
	return ENTRY_DONE;
}

/* "DIR/.wh.NAME": NAME of lower layers is deleted, which overlayfs reads
 * from a 0/0 character device DIR/NAME. */
static int make_whiteout(struct extract *x, const char *path, const char *base,
                         struct be_error **err)
{
	const char *name = base + strlen(WH_PREFIX);
	if (*name == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return extract_entry_fail(x, err, 0, "whiteout names no file");
	cleanup_free char *target = xasprintf("%.*s%s", (int)(base - path), path, name);
	if (make_parents(x, target, err) < 0)
		return -1;
	struct stat st;
	/* A whiteout only hides lower layers: the layer's own entry wins. */
	if (fstatat(x->dir_fd, target, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return ENTRY_SKIP;
	if (mknodat(x->dir_fd, target, S_IFCHR, makedev(0, 0)) < 0)
		return extract_entry_fail(x, err, errno, "creating the whiteout \"%s\"", target);
	return ENTRY_DONE;
}

/* Handles an entry of an image layer whose name starts with ".wh.". */
static int whiteout_entry(struct extract *x, const char *path, const char *base,
                          struct be_error **err)
{
	if (strcmp(base, WH_OPAQUE) == 0)
		return mark_opaque(x, path, err);
	if (strncmp(base, WH_META, strlen(WH_META)) == 0)
		return ENTRY_SKIP; /* aufs bookkeeping (.wh..wh.plnk, ...) */
	return make_whiteout(x, path, base, err);
}

/* Checks one entry and rewrites its paths to their normalised form.
 * Returns ENTRY_WRITE, ENTRY_SKIP or -1. */
static int check_entry(struct extract *x, struct archive_entry *e, struct be_error **err)
{
	const char *why;
	cleanup_free char *path = NULL;
	if (extract_norm_path(archive_entry_pathname(e), &path, &why) < 0)
		return extract_entry_fail(x, err, 0, "%s", why);
	mode_t type = archive_entry_filetype(e);
	const char *hard = archive_entry_hardlink(e);
	if (path[0] == '\0') {
		/* The layer's own root ("./"): its directory already exists. */
		if (type == AE_IFDIR && hard == NULL)
			return ENTRY_SKIP;
		return extract_entry_fail(x, err, 0,
		                          "names the layer's root but is not a directory");
	}
	if (check_parents(x, path, err) < 0)
		return -1;
	if (x->opts && x->opts->image_layer) {
		const char *slash = strrchr(path, '/');
		const char *base = slash ? slash + 1 : path;
		if (strncmp(base, WH_PREFIX, strlen(WH_PREFIX)) == 0)
			return whiteout_entry(x, path, base, err);
	}
	if (hard) {
		if (check_hardlink(x, e, hard, err) < 0)
			return -1;
	} else {
		switch (type) {
		case AE_IFREG:
		case AE_IFDIR:
		case AE_IFIFO: break;
		case AE_IFLNK:
			if (check_symlink(x, path, archive_entry_symlink(e), err) < 0)
				return -1;
			break;
		case AE_IFCHR:
		case AE_IFBLK:
			return extract_entry_fail(x, err, 0,
			                          "device nodes are not allowed in a layer");
		case AE_IFSOCK: return ENTRY_SKIP; /* only from directories; bound by nobody */
		default:
			return extract_entry_fail(x, err, 0, "unsupported entry type %#o",
			                          (unsigned)type);
		}
	}
	archive_entry_copy_pathname(e, path);
	sanitize(e);
	return ENTRY_WRITE;
}

/* ---- writing ----------------------------------------------------------------- */

void extract_wrote(struct extract *x, uint64_t n)
{
	x->data_bytes += n;
	if (x->data_bytes >= x->next_flush) {
		x->next_flush = x->data_bytes + FLUSH_STEP;
		util_flusher_kick(x->flusher);
	}
	if (x->data_bytes >= x->next_report)
		extract_report(x, false);
}

void extract_report(struct extract *x, bool done)
{
	x->next_report = x->data_bytes + PROGRESS_STEP;
	if (x->opts == NULL || x->opts->progress == NULL)
		return;
	int64_t raw = x->in_is_disk ? (int64_t)x->data_bytes : archive_filter_bytes(x->in, -1);
	struct be_import_progress p = {
	        .bytes = raw > 0 ? (uint64_t)raw : 0,
	        .total = x->opts->total,
	        .entries = x->entries,
	        .elapsed_ns = util_now_ns() - x->start_ns,
	        .done = done,
	};
	x->opts->progress(&p, x->opts->progress_data);
}

static int copy_data(struct extract *x, struct archive *out, struct be_error **err)
{
	for (;;) {
		const void *buf;
		size_t len;
		la_int64_t off;
		int r = archive_read_data_block(x->in, &buf, &len, &off);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return extract_entry_fail(x, err, 0, "reading: %s",
			                          extract_arch_text(x->in));
		if (archive_write_data_block(out, buf, len, off) < ARCHIVE_WARN)
			return extract_entry_fail(x, err, 0, "writing: %s", extract_arch_text(out));
		extract_wrote(x, len);
	}
}

/* Copies a regular file's data from fd (a directory source). */
static int copy_fd(struct extract *x, int fd, struct archive *out, struct be_error **err)
{
	char buf[64 * 1024];
	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r == 0)
			return 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return extract_entry_fail(x, err, errno, "reading");
		if (archive_write_data(out, buf, (size_t)r) < 0)
			return extract_entry_fail(x, err, 0, "writing: %s", extract_arch_text(out));
		extract_wrote(x, (uint64_t)r);
	}
}

/* Before libarchive writes path: 1 when it makes a new name in a whole
 * directory, 0 when it only updates a directory that is there, -1 when
 * it may replace a name or make parents (the counts are then walked). */
static int name_state(struct extract *x, struct archive_entry *e, const char *path)
{
	struct stat st;
	if (fstatat(x->dir_fd, path, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return S_ISDIR(st.st_mode) && archive_entry_filetype(e) == AE_IFDIR &&
		                       archive_entry_hardlink(e) == NULL
		               ? 0
		               : -1;
	if (errno != ENOENT)
		return -1;
	const char *slash = strrchr(path, '/');
	if (slash == NULL)
		return 1;
	size_t plen = (size_t)(slash - path);
	if (x->ok_parent && strlen(x->ok_parent) == plen && strncmp(x->ok_parent, path, plen) == 0)
		return 1;
	cleanup_free char *parent = xasprintf("%.*s", (int)plen, path);
	return fstatat(x->dir_fd, parent, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)
	               ? 1
	               : -1;
}

/* Counts what libarchive made at path (state from name_state), as
 * layer_count_dir counts: every name, symlink lengths, a regular file's
 * size once per inode (a hard link adds a name, not bytes). */
static void count_written(struct extract *x, struct archive_entry *e, const char *path, int state)
{
	struct stat st;
	if (state < 0 || fstatat(x->dir_fd, path, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    (archive_entry_hardlink(e) && archive_entry_size(e) > 0)) {
		x->exact = false;
		return;
	}
	if (state == 0)
		return;
	x->files++;
	if (S_ISLNK(st.st_mode) || (S_ISREG(st.st_mode) && archive_entry_hardlink(e) == NULL))
		x->size += st.st_size;
}

/* Hands one checked entry to libarchive. */
static int write_archive(struct extract *x, struct archive *out, struct archive_entry *e,
                         int data_fd, struct be_error **err)
{
	const char *path = archive_entry_pathname(e);
	int state = x->exact ? name_state(x, e, path) : -1;
	if (archive_write_header(out, e) < ARCHIVE_WARN)
		return extract_entry_fail(x, err, 0, "%s", extract_arch_text(out));
	if (archive_entry_filetype(e) == AE_IFREG && archive_entry_size(e) > 0) {
		int r = data_fd >= 0 ? copy_fd(x, data_fd, out, err) : copy_data(x, out, err);
		if (r < 0)
			return -1;
	}
	if (archive_write_finish_entry(out) < ARCHIVE_WARN)
		return extract_entry_fail(x, err, 0, "%s", extract_arch_text(out));
	if (x->exact)
		count_written(x, e, path, state);
	return 0;
}

/* Checks and writes one entry; its data comes from data_fd when >= 0 (a
 * directory source), else from the archive being read. */
static int put_entry(struct extract *x, struct archive *out, struct archive_entry *e, int data_fd,
                     struct be_error **err)
{
	const char *name = archive_entry_pathname(e);
	free(x->last);
	x->last = xstrdup(name ? name : "");
	int r = check_entry(x, e, err);
	if (r == ENTRY_DONE)
		x->exact = false; /* whiteouts: made with their parents */
	if (r != ENTRY_WRITE) {
		if (r == ENTRY_DONE) {
			x->entries++;
			extract_report(x, false);
		}
		return r < 0 ? -1 : 0;
	}
	r = extract_simple_file(e)
	            ? extract_write_file(x, e, archive_entry_pathname(e), data_fd, err)
	            : 0;
	if (r == 0)
		r = write_archive(x, out, e, data_fd, err);
	if (r < 0)
		return -1;
	x->entries++;
	extract_report(x, false);
	return 0;
}

/* Reads entries from a tarball until the end. */
static int tar_loop(struct extract *x, struct archive *out, struct be_error **err)
{
	for (;;) {
		struct archive_entry *e;
		int r = archive_read_next_header(x->in, &e);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			if (x->last == NULL)
				return be_error_set(err, 0, "reading the archive: %s",
				                    extract_arch_text(x->in));
			cleanup_free char *shown = shown_name(x->last);
			return be_error_set(err, 0, "reading the archive after entry \"%s\": %s",
			                    shown, extract_arch_text(x->in));
		}
		/* An mtree file is text that names files instead of holding
		 * them (libarchive would read their data from this host). */
		if ((archive_format(x->in) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_MTREE)
			return be_error_set(
			        err, 0, "reading the archive: an mtree file list, not an archive");
		if (put_entry(x, out, e, -1, err) < 0)
			return -1;
	}
}

/* ---- directory sources ---------------------------------------------------------- */

/* A walk over a source directory.  libarchive's read_disk is not used: it
 * changes the working directory as it goes, which the writer depends on. */
struct walker {
	struct extract *x;
	struct archive *out;
	const char *src; /* absolute, resolved */
	dev_t dev;       /* other filesystems below src are not entered */
	struct linked {
		dev_t dev;
		ino_t ino;
		char *rel;
	} * links; /* files with several links seen so far */
	size_t n_links;
};

/* Copies the extended attributes (POSIX ACLs included) of path. */
static void add_xattrs(struct archive_entry *e, const char *path)
{
	char names[4096];
	ssize_t len = llistxattr(path, names, sizeof(names));
	for (ssize_t off = 0; len > 0 && off < len; off += (ssize_t)strlen(names + off) + 1) {
		char value[4096];
		ssize_t n = lgetxattr(path, names + off, value, sizeof(value));
		if (n >= 0)
			archive_entry_xattr_add_entry(e, names + off, value, (size_t)n);
	}
}

/* Turns a second name of an inode into a hard link to the first one. */
static bool link_to_first(struct walker *w, struct archive_entry *e, const struct stat *st,
                          const char *rel)
{
	for (size_t i = 0; i < w->n_links; i++)
		if (w->links[i].dev == st->st_dev && w->links[i].ino == st->st_ino) {
			archive_entry_copy_hardlink(e, w->links[i].rel);
			archive_entry_set_size(e, 0);
			return true;
		}
	w->links = xrealloc(w->links, (w->n_links + 1) * sizeof(*w->links));
	w->links[w->n_links++] = (struct linked){st->st_dev, st->st_ino, xstrdup(rel)};
	return false;
}

static int walk_dir(struct walker *w, int dfd, const char *rel, struct be_error **err);

/* Builds the entry for dfd/name (rel in the layer), writes it, and
 * descends into directories. */
static int copy_one(struct walker *w, int dfd, const char *name, const char *rel,
                    struct be_error **err)
{
	struct stat st;
	cleanup_free char *full = xasprintf("%s/%s", w->src, rel);
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return be_error_set(err, errno, "reading %s", full);
	if (S_ISSOCK(st.st_mode))
		return 0; /* a socket is bound by a process: nothing to copy */
	struct archive_entry *e = archive_entry_new();
	archive_entry_copy_stat(e, &st);
	archive_entry_copy_pathname(e, rel);
	add_xattrs(e, full);
	cleanup_close int fd = -1;
	int r = 0;
	if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlinkat(dfd, name, target, sizeof(target) - 1);
		if (n < 0)
			r = be_error_set(err, errno, "reading %s", full);
		target[n < 0 ? 0 : n] = '\0';
		archive_entry_copy_symlink(e, target);
	} else if (S_ISREG(st.st_mode) && !(st.st_nlink > 1 && link_to_first(w, e, &st, rel))) {
		fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
		if (fd < 0)
			r = be_error_set(err, errno, "reading %s", full);
	}
	if (r == 0)
		r = put_entry(w->x, w->out, e, fd, err);
	archive_entry_free(e);
	if (r == 0 && S_ISDIR(st.st_mode) && st.st_dev == w->dev) {
		int sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			return be_error_set(err, errno, "reading %s", full);
		r = walk_dir(w, sub, rel, err);
	}
	return r;
}

/* Copies what the directory open at dfd holds (takes dfd over). */
static int walk_dir(struct walker *w, int dfd, const char *rel, struct be_error **err)
{
	cleanup_dir DIR *d = fdopendir(dfd);
	if (d == NULL) {
		close(dfd);
		return be_error_set(err, errno, "reading %s/%s", w->src, rel);
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		cleanup_free char *sub =
		        rel[0] ? xasprintf("%s/%s", rel, de->d_name) : xstrdup(de->d_name);
		if (copy_one(w, dfd, de->d_name, sub, err) < 0)
			return -1;
	}
	return 0;
}

static int disk_loop(struct extract *x, const char *src, struct archive *out, struct be_error **err)
{
	struct walker w = {.x = x, .out = out, .src = src};
	struct stat st;
	int fd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			close(fd);
		return be_error_set(err, errno, "reading %s", src);
	}
	w.dev = st.st_dev;
	int r = walk_dir(&w, fd, "", err);
	for (size_t i = 0; i < w.n_links; i++)
		free(w.links[i].rel);
	free(w.links);
	return r;
}

/* Runs one extraction with the working directory set to dir, restoring it
 * afterwards even on failure. */
static int run_in_dir(struct extract *x, const char *dir, const char *src, struct be_error **err)
{
	cleanup_close int saved = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_close int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (saved < 0)
		return be_error_set(err, errno, "opening the working directory");
	if (dfd < 0 || fchdir(dfd) < 0)
		return be_error_set(err, errno, "entering %s", dir);
	x->dir_fd = dfd;
	x->start_ns = util_now_ns();
	x->next_report = PROGRESS_STEP;
	x->next_flush = FLUSH_STEP;
	x->flusher = util_flusher_start(dfd);
	struct archive *out = archive_write_disk_new();
	archive_write_disk_set_options(out, write_flags);
	int r = src ? disk_loop(x, src, out, err) : tar_loop(x, out, err);
	/* Closing applies the deferred modes and times of directories. */
	if (archive_write_close(out) < ARCHIVE_WARN && r == 0)
		r = be_error_set(err, 0, "finishing the extraction: %s", extract_arch_text(out));
	archive_write_free(out);
	if (fchdir(saved) < 0 && r == 0)
		r = be_error_set(err, errno, "returning to the working directory");
	util_flusher_stop(x->flusher);
	x->flusher = NULL;
	/* An image's layer may hold nothing (a RUN that changed no file). */
	if (r == 0 && x->entries == 0 && !(x->opts && x->opts->image_layer))
		r = be_error_set(err, 0, "archive is empty");
	if (r == 0)
		extract_report(x, true);
	free(x->last);
	x->last = NULL;
	free(x->ok_parent);
	x->ok_parent = NULL;
	extract_forget_parent(x);
	if (x->opts && x->opts->counts) {
		x->opts->counts->size = r == 0 && x->exact ? x->size : -1;
		x->opts->counts->files = r == 0 && x->exact ? x->files : -1;
	}
	return r;
}

/* A source read through the caller's on_read hook. */
struct hooked_fd {
	int fd;
	const struct be_extract_opts *opts;
	char buf[READ_BLOCK];
};

static la_ssize_t hooked_read(struct archive *a, void *data, const void **out)
{
	struct hooked_fd *h = data;
	for (;;) {
		ssize_t r = read(h->fd, h->buf, sizeof(h->buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			archive_set_error(a, errno, "read failed");
			return -1;
		}
		h->opts->on_read(h->buf, (size_t)r, h->opts->on_read_data);
		*out = h->buf;
		return r;
	}
}

int extract_fd(int fd, const char *dir, const struct be_extract_opts *opts, struct be_error **err)
{
	struct archive *in = archive_read_new();
	if (in == NULL)
		return be_error_set(err, 0, "reading the archive: libarchive cannot be loaded");
	archive_read_support_filter_all(in);
	archive_read_support_format_all(in);
	int r;
	cleanup_free struct hooked_fd *h = NULL;
	int opened;
	if (opts && opts->on_read) {
		h = xcalloc(1, sizeof(*h));
		h->fd = fd;
		h->opts = opts;
		opened = archive_read_open(in, h, NULL, hooked_read, NULL);
	} else {
		opened = archive_read_open_fd(in, fd, READ_BLOCK);
	}
	if (opened != ARCHIVE_OK) {
		r = be_error_set(err, 0, "reading the archive: %s", extract_arch_text(in));
	} else {
		struct extract x = {.opts = opts, .in = in, .parent_fd = -1, .exact = true};
		r = run_in_dir(&x, dir, NULL, err);
	}
	archive_read_free(in);
	return r;
}

/* True when path is base or below it (both absolute and resolved). */
static bool path_within(const char *path, const char *base)
{
	size_t n = strlen(base);
	if (n == 1)
		return true;
	return strncmp(path, base, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

int extract_copy_dir(const char *src, const char *dir, const struct be_extract_opts *opts,
                     struct be_error **err)
{
	cleanup_free char *real = realpath(src, NULL);
	if (real == NULL)
		return be_error_set(err, errno, "reading %s", src);
	cleanup_free char *rdir = realpath(dir, NULL);
	if (rdir == NULL)
		return be_error_set(err, errno, "reading %s", dir);
	if (path_within(rdir, real))
		return be_error_set(err, 0, "%s holds berth's state directory: refusing to copy it",
		                    src);
	struct extract x = {.opts = opts, .in_is_disk = true, .parent_fd = -1, .exact = true};
	return run_in_dir(&x, dir, real, err);
}
