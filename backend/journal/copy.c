/* Trees of layers: a faithful copy of a live upper (data by reflink or
 * copy_file_range), and the merge of a layer onto a squash tree with
 * overlayfs' rules for whiteouts and opaque directories. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <linux/fs.h>

#include "journal/journal.h"

#define OVL_PREFIX "trusted.overlay."
#define OVL_OPAQUE "trusted.overlay.opaque"
#define OVL_WHITEOUT "trusted.overlay.whiteout"

bool snap_is_whiteout(const char *path, const struct stat *st)
{
	if (S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0))
		return true;
	if (!S_ISREG(st->st_mode) || st->st_size != 0)
		return false;
	return lgetxattr(path, OVL_WHITEOUT, NULL, 0) >= 0;
}

bool snap_is_opaque(const char *path)
{
	char v[4];
	ssize_t n = lgetxattr(path, OVL_OPAQUE, v, sizeof(v));
	return n == 1 && v[0] == 'y';
}

/* ---- xattrs --------------------------------------------------------------- */

enum xattr_filter { XATTR_ALL, XATTR_NO_OVERLAY };

static bool skip_xattr(const char *key, enum xattr_filter f)
{
	return f == XATTR_NO_OVERLAY && strncmp(key, OVL_PREFIX, strlen(OVL_PREFIX)) == 0;
}

/* Copies src's xattrs onto dst (paths; links are not followed). */
static int copy_xattrs(const char *src, const char *dst, enum xattr_filter f, struct be_error **err)
{
	ssize_t len = llistxattr(src, NULL, 0);
	if (len < 0)
		return errno == ENOTSUP ? 0 : be_error_set(err, errno, "listing xattrs of %s", src);
	if (len == 0)
		return 0;
	cleanup_free char *names = xmalloc((size_t)len);
	len = llistxattr(src, names, (size_t)len);
	if (len < 0)
		return be_error_set(err, errno, "listing xattrs of %s", src);
	cleanup_free char *val = NULL;
	size_t cap = 0;
	for (char *k = names; k < names + len; k += strlen(k) + 1) {
		if (skip_xattr(k, f))
			continue;
		ssize_t vn = lgetxattr(src, k, NULL, 0);
		if (vn < 0)
			return be_error_set(err, errno, "reading xattr %s of %s", k, src);
		if ((size_t)vn + 1 > cap) {
			cap = (size_t)vn + 1;
			val = xrealloc(val, cap);
		}
		vn = lgetxattr(src, k, val, cap);
		if (vn < 0)
			return be_error_set(err, errno, "reading xattr %s of %s", k, src);
		if (lsetxattr(dst, k, val, (size_t)vn, 0) < 0)
			return be_error_set(err, errno, "setting xattr %s on %s", k, dst);
	}
	return 0;
}

/* Removes dst's xattrs that pass the filter (before copying a new set). */
static int clear_xattrs(const char *dst, enum xattr_filter f, struct be_error **err)
{
	ssize_t len = llistxattr(dst, NULL, 0);
	if (len <= 0)
		return 0;
	cleanup_free char *names = xmalloc((size_t)len);
	len = llistxattr(dst, names, (size_t)len);
	for (char *k = names; len > 0 && k < names + len; k += strlen(k) + 1)
		if (!skip_xattr(k, f) && lremovexattr(dst, k) < 0 && errno != ENODATA)
			return be_error_set(err, errno, "removing xattr %s of %s", k, dst);
	return 0;
}

/* ---- attributes ----------------------------------------------------------- */

/* Owner, then mode (chown clears set-id bits), then times. */
static int set_attrs(const char *path, const struct stat *st, struct be_error **err)
{
	if (lchown(path, st->st_uid, st->st_gid) < 0)
		return be_error_set(err, errno, "setting the owner of %s", path);
	if (!S_ISLNK(st->st_mode) && chmod(path, st->st_mode & 07777) < 0)
		return be_error_set(err, errno, "setting the mode of %s", path);
	struct timespec ts[2] = {st->st_atim, st->st_mtim};
	if (utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return be_error_set(err, errno, "setting the times of %s", path);
	return 0;
}

int snap_copy_root_attrs(const char *src, const char *dst, struct be_error **err)
{
	struct stat st;
	if (lstat(src, &st) < 0)
		return be_error_set(err, errno, "reading %s", src);
	return set_attrs(dst, &st, err);
}

/* ---- data ------------------------------------------------------------------ */

static int copy_data(int in, int out)
{
	if (ioctl(out, FICLONE, in) == 0)
		return 0;
	for (;;) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
		if (n == 0)
			return 0;
		if (n > 0)
			continue;
		if (errno == EINTR)
			continue;
		if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP)
			return -1;
		break;
	}
	return util_copy_fd(in, out);
}

static int copy_file(const char *src, const char *dst, struct be_error **err)
{
	cleanup_close int in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return be_error_set(err, errno, "reading %s", src);
	cleanup_close int out =
	        open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return be_error_set(err, errno, "creating %s", dst);
	if (copy_data(in, out) < 0)
		return be_error_set(err, errno, "copying %s", src);
	return 0;
}

/* Copies one non-directory entry (file, link, node, whiteout) with its
 * attributes and xattrs. */
static int copy_entry(const char *src, const char *dst, const struct stat *st,
                      struct be_error **err)
{
	if (S_ISREG(st->st_mode)) {
		if (copy_file(src, dst, err) < 0)
			return -1;
	} else if (S_ISLNK(st->st_mode)) {
		cleanup_free char *target = xmalloc((size_t)st->st_size + 1);
		ssize_t n = readlink(src, target, (size_t)st->st_size + 1);
		if (n < 0 || n > st->st_size)
			return be_error_set(err, n < 0 ? errno : EIO, "reading link %s", src);
		target[n] = '\0';
		if (symlink(target, dst) < 0)
			return be_error_set(err, errno, "creating link %s", dst);
	} else if (mknod(dst, st->st_mode & (S_IFMT | 07777), st->st_rdev) < 0) {
		return be_error_set(err, errno, "creating %s", dst);
	}
	if (copy_xattrs(src, dst, XATTR_ALL, err) < 0)
		return -1;
	return set_attrs(dst, st, err);
}

/* ---- copy of a tree -------------------------------------------------------- */

struct link_map {
	struct {
		dev_t dev;
		ino_t ino;
		char *dst;
	} * v;
	size_t n, cap;
};

static const char *link_find(const struct link_map *m, const struct stat *st)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].dev == st->st_dev && m->v[i].ino == st->st_ino)
			return m->v[i].dst;
	return NULL;
}

static void link_add(struct link_map *m, const struct stat *st, const char *dst)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 16;
		m->v = xrealloc(m->v, m->cap * sizeof(*m->v));
	}
	m->v[m->n].dev = st->st_dev;
	m->v[m->n].ino = st->st_ino;
	m->v[m->n++].dst = xstrdup(dst);
}

/* One copy of a tree: the hard links seen so far, and whether the source
 * is live (a running container's upper, where an entry may vanish between
 * readdir and open: skipped then, for the frozen pass to settle). */
struct copy_run {
	struct link_map links;
	bool live;
	void (*tick)(void *); /* called at each entry (may be NULL) */
	void *tick_arg;
};

static void copy_run_free(struct copy_run *c)
{
	for (size_t i = 0; i < c->links.n; i++)
		free(c->links.v[i].dst);
	free(c->links.v);
	c->links = (struct link_map){0};
}

/* An entry of a live source that vanished: not an error. */
static bool vanished(const struct copy_run *c)
{
	return c->live && errno == ENOENT;
}

static int copy_dir(const char *src, const char *dst, struct copy_run *c, struct be_error **err);

static int copy_one(const char *s, const char *d, struct copy_run *c, struct be_error **err)
{
	if (c->tick)
		c->tick(c->tick_arg);
	struct stat st;
	if (lstat(s, &st) < 0)
		return vanished(c) ? 0 : be_error_set(err, errno, "reading %s", s);
	if (S_ISDIR(st.st_mode)) {
		if (mkdir(d, 0700) < 0)
			return be_error_set(err, errno, "creating %s", d);
		if (copy_xattrs(s, d, XATTR_ALL, err) < 0 || copy_dir(s, d, c, err) < 0)
			return -1;
		return set_attrs(d, &st, err);
	}
	if (S_ISREG(st.st_mode) && st.st_nlink > 1) {
		const char *first = link_find(&c->links, &st);
		if (first)
			return link(first, d) == 0 ? 0 : be_error_set(err, errno, "linking %s", d);
		link_add(&c->links, &st, d);
	}
	struct be_error *e = NULL;
	if (copy_entry(s, d, &st, &e) == 0)
		return 0;
	if (c->live && e->errnum == ENOENT) {
		be_error_clear(&e);
		return util_rm_rf(d, err);
	}
	*err = e;
	return -1;
}

static int copy_dir(const char *src, const char *dst, struct copy_run *c, struct be_error **err)
{
	cleanup_dir DIR *dir = opendir(src);
	if (dir == NULL)
		return vanished(c) ? 0 : be_error_set(err, errno, "reading %s", src);
	struct dirent *de;
	while ((errno = 0, de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		cleanup_free char *s = xasprintf("%s/%s", src, de->d_name);
		cleanup_free char *d = xasprintf("%s/%s", dst, de->d_name);
		if (copy_one(s, d, c, err) < 0)
			return -1;
	}
	if (errno)
		return be_error_set(err, errno, "reading %s", src);
	return 0;
}

static int copy_tree(const char *src, const char *dst, struct copy_run c, struct be_error **err)
{
	int r = copy_xattrs(src, dst, XATTR_ALL, err);
	if (r == 0)
		r = copy_dir(src, dst, &c, err);
	if (r == 0)
		r = snap_copy_root_attrs(src, dst, err);
	copy_run_free(&c);
	return r;
}

int snap_copy_tree(const char *src, const char *dst, struct be_error **err)
{
	return copy_tree(src, dst, (struct copy_run){0}, err);
}

int snap_copy_tree_live(const char *src, const char *dst, void (*tick)(void *), void *arg,
                        struct be_error **err)
{
	return copy_tree(src, dst, (struct copy_run){.live = true, .tick = tick, .tick_arg = arg},
	                 err);
}

int snap_copy_replace(const char *src, const char *dst, struct be_error **err)
{
	struct stat st;
	if (lstat(dst, &st) == 0 && util_rm_rf(dst, err) < 0)
		return -1;
	if (lstat(src, &st) < 0)
		return errno == ENOENT ? 0 : be_error_set(err, errno, "reading %s", src);
	struct copy_run c = {0};
	int r = copy_one(src, dst, &c, err);
	copy_run_free(&c);
	return r;
}

int snap_copy_dir_attrs(const char *src, const char *dst, struct be_error **err)
{
	struct stat st;
	if (lstat(src, &st) < 0)
		return be_error_set(err, errno, "reading %s", src);
	if (clear_xattrs(dst, XATTR_ALL, err) < 0 || copy_xattrs(src, dst, XATTR_ALL, err) < 0)
		return -1;
	return set_attrs(dst, &st, err);
}

/* ---- the frozen pass of a live copy ---------------------------------------- */

/* Was the inode changed (data, attributes, links, a rename) at or after
 * since?  ctime moves on every change and cannot be set from user space. */
static bool changed_since(const struct stat *st, const struct timespec *since)
{
	return st->st_ctim.tv_sec > since->tv_sec ||
	       (st->st_ctim.tv_sec == since->tv_sec && st->st_ctim.tv_nsec >= since->tv_nsec);
}

/* Does the copy d still stand for s (same type; for a non-directory the
 * same size, mtime and device numbers, which the copy took from s)? */
static bool same_entry(const struct stat *s, const struct stat *d)
{
	if ((s->st_mode & S_IFMT) != (d->st_mode & S_IFMT))
		return false;
	if (S_ISDIR(s->st_mode))
		return true;
	return s->st_size == d->st_size && s->st_rdev == d->st_rdev &&
	       s->st_mtim.tv_sec == d->st_mtim.tv_sec && s->st_mtim.tv_nsec == d->st_mtim.tv_nsec;
}

struct delta {
	struct copy_run run;
	struct timespec since;
	size_t copied;
};

static int delta_dir(const char *src, const char *dst, const struct stat *src_st, struct delta *dl,
                     struct be_error **err);

/* Entry name of directory src (whose open stream is dir) against its copy
 * in dst.  Only what changed since dl->since is looked at twice: an entry
 * unchanged since then was there, as it is now, when the first pass ran. */
static int delta_one(DIR *dir, const char *src, const char *dst, const char *name, struct delta *dl,
                     struct be_error **err)
{
	struct stat st, dt;
	if (fstatat(dirfd(dir), name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return be_error_set(err, errno, "reading %s/%s", src, name);
	bool changed = changed_since(&st, &dl->since);
	if (!changed && !S_ISDIR(st.st_mode))
		return 0;
	cleanup_free char *s = xasprintf("%s/%s", src, name);
	cleanup_free char *d = xasprintf("%s/%s", dst, name);
	if (!changed)
		return delta_dir(s, d, &st, dl, err);
	bool have = lstat(d, &dt) == 0;
	if (have && same_entry(&st, &dt) && S_ISDIR(st.st_mode))
		return delta_dir(s, d, &st, dl, err);
	if (have && util_rm_rf(d, err) < 0)
		return -1;
	dl->copied++;
	return copy_one(s, d, &dl->run, err);
}

/* Entries of dst that src no longer has: removed. */
static int delta_prune(const char *src, const char *dst, struct delta *dl, struct be_error **err)
{
	cleanup_dir DIR *dd = opendir(dst);
	if (dd == NULL)
		return be_error_set(err, errno, "reading %s", dst);
	cleanup_close int sfd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sfd < 0)
		return be_error_set(err, errno, "reading %s", src);
	struct dirent *de;
	while ((errno = 0, de = readdir(dd)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		struct stat x;
		if (fstatat(sfd, de->d_name, &x, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT)
			continue;
		cleanup_free char *d = xasprintf("%s/%s", dst, de->d_name);
		if (util_rm_rf(d, err) < 0)
			return -1;
		dl->copied++;
	}
	if (errno)
		return be_error_set(err, errno, "reading %s", dst);
	return 0;
}

/* Brings the copy dst of directory src up to date: entries changed since
 * dl->since copied again, entries gone from src removed (only a directory
 * changed since then can have lost or gained one), its attributes set again
 * when it or anything in it changed. */
static int delta_dir(const char *src, const char *dst, const struct stat *src_st, struct delta *dl,
                     struct be_error **err)
{
	size_t before = dl->copied;
	cleanup_dir DIR *dir = opendir(src);
	if (dir == NULL)
		return be_error_set(err, errno, "reading %s", src);
	struct dirent *de;
	while ((errno = 0, de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (delta_one(dir, src, dst, de->d_name, dl, err) < 0)
			return -1;
	}
	if (errno)
		return be_error_set(err, errno, "reading %s", src);
	bool changed = changed_since(src_st, &dl->since);
	if (changed &&
	    (delta_prune(src, dst, dl, err) < 0 || clear_xattrs(dst, XATTR_ALL, err) < 0 ||
	     copy_xattrs(src, dst, XATTR_ALL, err) < 0))
		return -1;
	/* Entries written into dst moved its times: set them back. */
	if (changed || dl->copied != before)
		return set_attrs(dst, src_st, err);
	return 0;
}

int snap_copy_delta(const char *src, const char *dst, const struct timespec *since, size_t *copied,
                    struct be_error **err)
{
	struct delta dl = {.since = *since};
	struct stat st;
	int r = lstat(src, &st) < 0 ? be_error_set(err, errno, "reading %s", src) : 0;
	if (r == 0)
		r = delta_dir(src, dst, &st, &dl, err);
	copy_run_free(&dl.run);
	if (copied)
		*copied = dl.copied;
	return r;
}

/* ---- merge of a layer onto a squash tree ----------------------------------- */

static int make_whiteout(const char *d, struct be_error **err)
{
	if (util_rm_rf(d, err) < 0)
		return -1;
	if (mknod(d, S_IFCHR, makedev(0, 0)) < 0)
		return be_error_set(err, errno, "creating whiteout %s", d);
	return 0;
}

static int set_opaque(const char *d, struct be_error **err)
{
	if (lsetxattr(d, OVL_OPAQUE, "y", 1, 0) < 0)
		return be_error_set(err, errno, "marking %s opaque", d);
	return 0;
}

static int merge_dir(const char *src, const char *dst, struct be_error **err);

/* A directory of the layer at s onto d: kept and merged when d is a plain
 * directory and s is not opaque; otherwise d is replaced by an opaque
 * directory (what was below is hidden, as overlayfs hides it). */
static int merge_subdir(const char *s, const char *d, const struct stat *st, struct be_error **err)
{
	struct stat dst_st;
	bool exists = lstat(d, &dst_st) == 0;
	bool keep = exists && S_ISDIR(dst_st.st_mode) && !snap_is_opaque(s);
	if (!keep) {
		if (exists && util_rm_rf(d, err) < 0)
			return -1;
		if (mkdir(d, 0700) < 0)
			return be_error_set(err, errno, "creating %s", d);
		if ((exists || snap_is_opaque(s)) && set_opaque(d, err) < 0)
			return -1;
	}
	if (merge_dir(s, d, err) < 0)
		return -1;
	if (clear_xattrs(d, XATTR_NO_OVERLAY, err) < 0 ||
	    copy_xattrs(s, d, XATTR_NO_OVERLAY, err) < 0)
		return -1;
	return set_attrs(d, st, err);
}

static int merge_entry(const char *s, const char *d, struct be_error **err)
{
	struct stat st;
	if (lstat(s, &st) < 0)
		return be_error_set(err, errno, "reading %s", s);
	if (snap_is_whiteout(s, &st))
		return make_whiteout(d, err);
	if (S_ISDIR(st.st_mode))
		return merge_subdir(s, d, &st, err);
	if (util_rm_rf(d, err) < 0)
		return -1;
	/* Sealed layers never change: sharing the inode is safe. */
	if (link(s, d) == 0)
		return 0;
	if (errno != EXDEV && errno != EMLINK && errno != EPERM)
		return be_error_set(err, errno, "linking %s to %s", s, d);
	return copy_entry(s, d, &st, err);
}

static int merge_dir(const char *src, const char *dst, struct be_error **err)
{
	cleanup_dir DIR *dir = opendir(src);
	if (dir == NULL)
		return be_error_set(err, errno, "reading %s", src);
	struct dirent *de;
	while ((errno = 0, de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		cleanup_free char *s = xasprintf("%s/%s", src, de->d_name);
		cleanup_free char *d = xasprintf("%s/%s", dst, de->d_name);
		if (merge_entry(s, d, err) < 0)
			return -1;
	}
	if (errno)
		return be_error_set(err, errno, "reading %s", src);
	return 0;
}

int snap_merge_layer(const char *src, const char *dst, struct be_error **err)
{
	struct stat st;
	if (lstat(src, &st) < 0)
		return be_error_set(err, errno, "reading %s", src);
	if (merge_dir(src, dst, err) < 0)
		return -1;
	if (clear_xattrs(dst, XATTR_NO_OVERLAY, err) < 0 ||
	    copy_xattrs(src, dst, XATTR_NO_OVERLAY, err) < 0)
		return -1;
	return set_attrs(dst, &st, err);
}

/* ---- has a live tree changed? ----------------------------------------------- */

static bool dir_changed_since(int dfd, const struct timespec *since)
{
	DIR *dir = fdopendir(dfd);
	if (dir == NULL) {
		close(dfd);
		return true;
	}
	bool changed = false;
	struct dirent *de;
	while (!changed && (errno = 0, de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		struct stat st;
		if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    changed_since(&st, since)) {
			changed = true;
		} else if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(dir), de->d_name,
			                 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			changed = sub < 0 || dir_changed_since(sub, since);
		}
	}
	if (errno)
		changed = true;
	closedir(dir);
	return changed;
}

bool snap_tree_changed_since(const char *dir, const struct timespec *since)
{
	struct stat st;
	if (lstat(dir, &st) < 0 || changed_since(&st, since))
		return true;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 || dir_changed_since(fd, since);
}
