/* A container's mounts between the parsers and the sandbox: checked and
 * resolved at create (vol_prepare), their sources opened at start without
 * following links (vol_open_source). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "volume/volume.h"

/* True when path is dir or below it. */
static bool under(const char *path, const char *dir)
{
	if (dir == NULL)
		return false;
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n == 1 && dir[0] == '/')
		return true;
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* The places a bind source may not be (without force): the kernel's
 * filesystems and berth's own state. */
static const char *refused_place(const struct be_ctx *ctx, const char *real)
{
	static const char *const sys[] = {"/proc", "/sys", "/dev"};
	for (size_t i = 0; i < sizeof(sys) / sizeof(sys[0]); i++)
		if (under(real, sys[i]))
			return sys[i];
	const char *own[] = {ctx->root, ctx->run_dir};
	for (size_t i = 0; i < 2; i++) {
		char rp[PATH_MAX];
		if (own[i] && realpath(own[i], rp) && under(real, rp))
			return i == 0 ? "the berth root" : "berth's run directory";
	}
	return NULL;
}

static int prepare_bind(const struct be_ctx *ctx, struct be_mount *m, struct be_error **err)
{
	char real[PATH_MAX];
	if (realpath(m->source, real) == NULL)
		return be_error_set(err, errno, "bind source %s", m->source);
	const char *bad = refused_place(ctx, real);
	if (bad && !m->force)
		return be_error_set(err, EPERM,
		                    "bind source %s is in %s: refused (add the force option to "
		                    "allow it)",
		                    real, bad);
	free(m->source);
	m->source = xstrdup(real);
	return 0;
}

static void mount_copy(struct be_mount *dst, const struct be_mount *src)
{
	*dst = *src;
	dst->source = src->source ? xstrdup(src->source) : NULL;
	dst->target = xstrdup(src->target);
}

static void mounts_free(struct be_mount *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		be_volume_mount_clear(&v[i]);
	free(v);
}

int vol_prepare(struct be_ctx *ctx, const struct be_mount *in, size_t n, struct be_mount **out,
                struct be_error **err)
{
	*out = NULL;
	if (n == 0)
		return 0;
	struct be_mount *v = xcalloc(n, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		mount_copy(&v[i], &in[i]);
		int r = 0;
		if (v[i].target == NULL || v[i].target[0] != '/')
			r = be_error_set(err, 0, "mount target must be an absolute path");
		for (size_t j = 0; r == 0 && j < i; j++)
			if (strcmp(v[j].target, v[i].target) == 0)
				r = be_error_set(err, 0, "two mounts on %s", v[i].target);
		if (r == 0 && v[i].type == BE_MOUNT_BIND)
			r = prepare_bind(ctx, &v[i], err);
		else if (r == 0 && v[i].type == BE_MOUNT_VOLUME)
			r = vol_ensure(ctx, v[i].source, err);
		if (r < 0) {
			mounts_free(v, n);
			return be_error_wrap(err, "mount on %s", in[i].target ? in[i].target : "?");
		}
	}
	*out = v;
	return 0;
}

/* Opens path (absolute) refusing every symbolic link on the way. */
static int open_nofollow(const char *path, struct be_error **err)
{
	struct open_how how = {
	        /* Without O_NOFOLLOW: a link as last component fails too (with
	         * it, O_PATH would open the link itself). */
	        .flags = O_PATH | O_CLOEXEC,
	        .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
	if (fd < 0)
		return be_error_set(err, errno == ELOOP ? ELOOP : errno, "opening %s%s", path,
		                    errno == ELOOP ? " (a symbolic link is on the way)" : "");
	return fd;
}

int vol_open_source(const struct be_ctx *ctx, const struct be_mount *m, int *fd_out, bool *is_dir,
                    struct be_error **err)
{
	*fd_out = -1;
	*is_dir = true;
	if (m->type == BE_MOUNT_TMPFS)
		return 0;
	cleanup_free char *path =
	        m->type == BE_MOUNT_VOLUME ? vol_data_path(ctx, m->source) : xstrdup(m->source);
	if (m->type == BE_MOUNT_VOLUME && be_name_check("volume", m->source, err) < 0)
		return -1;
	if (m->type == BE_MOUNT_BIND && !m->force) {
		const char *bad = refused_place(ctx, path);
		if (bad)
			return be_error_set(err, EPERM, "bind source %s is in %s: refused", path,
			                    bad);
	}
	int fd = open_nofollow(path, err);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return be_error_set(err, errno, "stat %s", path);
	}
	*is_dir = S_ISDIR(st.st_mode);
	int tree = open_tree(fd, "",
	                     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
	close(fd);
	if (tree < 0)
		return be_error_set(err, errno, "cloning the mount of %s", path);
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
	if (m->readonly &&
	    mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0) {
		close(tree);
		return be_error_set(err, errno, "making the mount of %s read-only", path);
	}
	*fd_out = tree;
	return 0;
}
