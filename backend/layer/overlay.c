/* A container's overlay mount: lower = its layer chain from the head down,
 * upper/work in its directory, mounted on containers/<name>/merged.  Lower
 * paths are given relative to ROOT/layers to keep the option string short;
 * a chain too long for one page goes through the new mount API's
 * "lowerdir+" (kernel 6.8+).  Commas in the root's path are escaped. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "record/record.h"
#include "layer/layer.h"

#define OVL_OPTS "index=off,metacopy=off,redirect_dir=off"

#ifndef FSCONFIG_SET_STRING
#define FSCONFIG_SET_STRING 1
#define FSCONFIG_CMD_CREATE 6
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif

static int fs_set(int fd, const char *key, const char *val)
{
	return (int)syscall(SYS_fsconfig, fd, FSCONFIG_SET_STRING, key, val, 0);
}

/* Mounts through fsopen/fsconfig/fsmount/move_mount, one lowerdir+ per
 * layer, absolute paths (no page limit). */
static int mount_new_api(const struct be_ctx *ctx, char **ids, size_t n, const char *upper,
                         const char *work, const char *merged, bool scratch, struct be_error **err)
{
	cleanup_close int fs = (int)syscall(SYS_fsopen, "overlay", 1 /* FSOPEN_CLOEXEC */);
	if (fs < 0)
		return be_error_set(err, errno, "mounting overlay on %s: fsopen", merged);
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *p = layer_diff_path(ctx, ids[i]);
		if (fs_set(fs, "lowerdir+", p) < 0)
			return be_error_set(err, errno, "mounting overlay on %s: lower layer %s",
			                    merged, ids[i]);
	}
	if (fs_set(fs, "upperdir", upper) < 0 || fs_set(fs, "workdir", work) < 0 ||
	    fs_set(fs, "index", "off") < 0 || fs_set(fs, "metacopy", "off") < 0 ||
	    fs_set(fs, "redirect_dir", "off") < 0 ||
	    (scratch &&
	     syscall(SYS_fsconfig, fs, 0 /* FSCONFIG_SET_FLAG */, "volatile", NULL, 0) < 0))
		return be_error_set(err, errno, "mounting overlay on %s: options", merged);
	if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return be_error_set(err, errno, "mounting overlay on %s", merged);
	cleanup_close int mnt = (int)syscall(SYS_fsmount, fs, 1 /* FSMOUNT_CLOEXEC */, 0);
	if (mnt < 0)
		return be_error_set(err, errno, "mounting overlay on %s: fsmount", merged);
	if (syscall(SYS_move_mount, mnt, "", AT_FDCWD, merged, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return be_error_set(err, errno, "mounting overlay on %s: move_mount", merged);
	return 0;
}

/* path with ',' and '\\' escaped by a '\\', as overlayfs's option parser
 * takes them (every kernel: before 6.8 there is no lowerdir+ to avoid it). */
static char *escape_opt(const char *path)
{
	char *out = xmalloc(2 * strlen(path) + 1), *o = out;
	for (const char *p = path; *p; p++) {
		if (*p == ',' || *p == '\\')
			*o++ = '\\';
		*o++ = *p;
	}
	*o = '\0';
	return out;
}

static int mount_classic(const struct be_ctx *ctx, char **ids, size_t n, const char *upper_path,
                         const char *work_path, const char *merged, bool scratch, bool *too_long,
                         struct be_error **err)
{
	cleanup_free char *upper = escape_opt(upper_path);
	cleanup_free char *work = escape_opt(work_path);
	char opts[4096];
	size_t len = (size_t)snprintf(opts, sizeof(opts), "lowerdir=");
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(opts + len, sizeof(opts) - len, "%s%s/diff", i ? ":" : "", ids[i]);
		if (w < 0 || (size_t)w >= sizeof(opts) - len) {
			*too_long = true;
			return -1;
		}
		len += (size_t)w;
	}
	int w = snprintf(opts + len, sizeof(opts) - len, ",upperdir=%s,workdir=%s," OVL_OPTS "%s",
	                 upper, work, scratch ? ",volatile" : "");
	if (w < 0 || (size_t)w >= sizeof(opts) - len) {
		*too_long = true;
		return -1;
	}
	/* Lower paths are relative: resolve them from ROOT/layers. */
	cleanup_close int here = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_free char *layers = ctx_path(ctx, "layers");
	if (chdir(layers) < 0)
		return be_error_set(err, errno, "mounting overlay on %s: %s", merged, layers);
	int r = mount("overlay", merged, "overlay", 0, opts);
	int saved = errno;
	if (here >= 0 && fchdir(here) < 0) {
		/* the keeper does not depend on its working directory */
	}
	if (r < 0)
		return be_error_set(err, saved, "mounting overlay on %s", merged);
	return 0;
}

/* Opens name under dfd as a real directory owned by root, never through a
 * link (made with mode when missing); path names it in errors. */
static int open_owned_dir(int dfd, const char *name, mode_t mode, bool make, const char *path,
                          struct be_error **err)
{
	if (make && mkdirat(dfd, name, mode) < 0 && errno != EEXIST)
		return be_error_set(err, errno, "making %s", path);
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP || errno == ENOTDIR)
			return be_error_set(err, errno, "%s is not a directory (a link?): refused",
			                    path);
		return be_error_set(err, errno, "opening %s", path);
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0) {
		close(fd);
		return be_error_set(err, EPERM, "%s is not a directory owned by root: refused",
		                    path);
	}
	return fd;
}

/* The working set, checked before each mount: containers/NAME and its
 * upper, work and merged are directories inside the root, owned by root,
 * reached without following a link, so that a tampered record cannot send
 * the container's writes elsewhere. */
static int check_working_set(const struct be_ctx *ctx, const char *where, const char *name,
                             struct be_error **err)
{
	cleanup_free char *containers = ctx_path(ctx, "%s", where);
	cleanup_free char *dir = ctx_path(ctx, "%s/%s", where, name);
	cleanup_close int rfd = open(be_ctx_root(ctx), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0)
		return be_error_set(err, errno, "opening %s", be_ctx_root(ctx));
	cleanup_close int cfd = open_owned_dir(rfd, where, 0700, false, containers, err);
	if (cfd < 0)
		return -1;
	cleanup_close int dfd = open_owned_dir(cfd, name, 0755, false, dir, err);
	if (dfd < 0)
		return -1;
	static const struct {
		const char *name;
		mode_t mode;
	} parts[] = {{"upper", 0755}, {"work", 0700}, {"merged", 0755}};
	for (size_t i = 0; i < 3; i++) {
		cleanup_free char *path = xasprintf("%s/%s", dir, parts[i].name);
		int fd = open_owned_dir(dfd, parts[i].name, parts[i].mode, true, path, err);
		if (fd < 0)
			return -1;
		close(fd);
	}
	return 0;
}

int layer_overlay_mount(const struct be_ctx *ctx, const char *name, const char *head, bool scratch,
                        struct be_error **err)
{
	return layer_overlay_mount_in(ctx, "containers", name, name, head, scratch, err);
}

int layer_overlay_mount_in(const struct be_ctx *ctx, const char *where, const char *name,
                           const char *shown, const char *head, bool scratch, struct be_error **err)
{
	if (check_working_set(ctx, where, name, err) < 0)
		return be_error_wrap(err, "mounting the root of %s", shown);
	char **ids = NULL;
	size_t n = 0;
	if (layer_chain(ctx, head, &ids, &n, err) < 0)
		return be_error_wrap(err, "mounting the root of %s", shown);
	cleanup_free char *dir = ctx_path(ctx, "%s/%s", where, name);
	cleanup_free char *upper = xasprintf("%s/upper", dir);
	cleanup_free char *work = xasprintf("%s/work", dir);
	cleanup_free char *merged = xasprintf("%s/merged", dir);
	/* A volatile mount that was not unmounted cleanly (a crash) leaves
	 * this mark, and overlayfs refuses the work dir until it goes; the
	 * work dir is scratch while nothing is mounted. */
	cleanup_free char *mark = xasprintf("%s/work/incompat/volatile", work);
	int r = -1;
	if (util_mkdir_p(upper, 0755, err) < 0 || util_mkdir_p(work, 0700, err) < 0 ||
	    util_mkdir_p(merged, 0755, err) < 0)
		goto out;
	if (util_path_exists(mark)) {
		cleanup_free char *w = xasprintf("%s/work", work);
		if (util_rm_rf(w, err) < 0)
			goto out;
	}
	bool too_long = false;
	r = mount_classic(ctx, ids, n, upper, work, merged, scratch, &too_long, err);
	if (r < 0 && too_long)
		r = mount_new_api(ctx, ids, n, upper, work, merged, scratch, err);
out:
	layer_chain_free(ids, n);
	return r;
}

bool layer_overlay_mounted(const struct be_ctx *ctx, const char *name)
{
	cleanup_free char *merged = rec_path(ctx, name, "merged");
	cleanup_free char *parent = rec_path(ctx, name, NULL);
	struct stat a, b;
	if (stat(merged, &a) < 0 || stat(parent, &b) < 0)
		return false;
	return a.st_dev != b.st_dev;
}

int layer_overlay_unmount(const struct be_ctx *ctx, const char *name, struct be_error **err)
{
	cleanup_free char *merged = rec_path(ctx, name, "merged");
	for (int i = 0; i < 8 && layer_overlay_mounted(ctx, name); i++) {
		if (umount2(merged, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
			return be_error_set(err, errno, "unmounting %s", merged);
	}
	return 0;
}
