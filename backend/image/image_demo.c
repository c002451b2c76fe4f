/* The demo image: the host's /bin/busybox (Debian's busybox-static) with
 * its applet links and a minimal /etc, so a new user can run a container
 * without a registry. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image/extract.h"
#include "image/image.h"
#include "store/store.h"

#define BUSYBOX "/bin/busybox"

/* Applets the demo promises (docs/image.md). */
static const char *const required[] = {"sh",    "ls",       "cat", "ps", "sleep", "top", "echo",
                                       "mount", "hostname", "ip",  "id", "env",   "kill"};

static const struct {
	const char *path;
	mode_t mode;
} dirs[] = {
        {"bin", 0755},  {"sbin", 0755}, {"usr", 0755}, {"usr/bin", 0755},  {"usr/sbin", 0755},
        {"etc", 0755},  {"proc", 0555}, {"sys", 0555}, {"dev", 0755},      {"tmp", 01777},
        {"root", 0700}, {"home", 0755}, {"var", 0755}, {"var/tmp", 01777}, {"run", 0755},
};

static const struct {
	const char *path;
	const char *text;
} files[] = {
        {"etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"
                       "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"},
        {"etc/group", "root:x:0:\nnogroup:x:65534:\n"},
        {"etc/hostname", "berth\n"},
        {"etc/hosts", "127.0.0.1\tlocalhost\n::1\tlocalhost\n"},
};

static int make_dirs(int dfd, struct be_error **err)
{
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (mkdirat(dfd, dirs[i].path, 0700) < 0 ||
		    fchmodat(dfd, dirs[i].path, dirs[i].mode, 0) < 0)
			return be_error_set(err, errno, "creating /%s", dirs[i].path);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		cleanup_close int fd =
		        openat(dfd, files[i].path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0 || util_write_all(fd, files[i].text, strlen(files[i].text)) < 0)
			return be_error_set(err, errno, "writing /%s", files[i].path);
	}
	return 0;
}

static int copy_busybox(int dfd, struct be_error **err)
{
	cleanup_close int in = open(BUSYBOX, O_RDONLY | O_CLOEXEC);
	cleanup_close int out =
	        openat(dfd, "bin/busybox", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	if (in < 0)
		return be_error_set(err, errno, "reading %s", BUSYBOX);
	if (out < 0 || fchmod(out, 0755) < 0)
		return be_error_set(err, errno, "writing /bin/busybox");
	char buf[64 * 1024];
	for (;;) {
		ssize_t r = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
		if (r == 0)
			return 0;
		if (r > 0)
			continue;
		if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
			return be_error_set(err, errno, "copying %s", BUSYBOX);
		/* No in-kernel copy here: fall back to read and write. */
		while ((r = read(in, buf, sizeof(buf))) > 0)
			if (util_write_all(out, buf, (size_t)r) < 0)
				return be_error_set(err, errno, "copying %s", BUSYBOX);
		return r < 0 ? be_error_set(err, errno, "copying %s", BUSYBOX) : 0;
	}
}

/* Output of `/bin/busybox --list-full`: one applet path a line. */
static char *list_applets(struct be_error **err)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		be_error_set(err, errno, "running %s --list-full", BUSYBOX);
		return NULL;
	}
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		execl(BUSYBOX, "busybox", "--list-full", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	size_t cap = 8192, n = 0;
	cleanup_free char *out = xmalloc(cap);
	ssize_t r;
	while (pid > 0 && (r = read(p[0], out + n, cap - n - 1)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		n += (size_t)r;
		if (n + 1 == cap)
			out = xrealloc(out, cap *= 2);
	}
	close(p[0]);
	out[n] = '\0';
	int status = 0;
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0 || n == 0) {
		be_error_set(err, pid < 0 ? errno : 0, "running %s --list-full failed", BUSYBOX);
		return NULL;
	}
	return steal_pointer(&out);
}

/* mkdir -p of path's parents under dfd (the parents of an applet). */
static int make_parents(int dfd, const char *path)
{
	cleanup_free char *p = xstrdup(path);
	for (char *s = strchr(p, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdirat(dfd, p, 0755) < 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return 0;
}

static int link_applets(int dfd, struct be_error **err)
{
	cleanup_free char *list = list_applets(err);
	if (list == NULL)
		return -1;
	for (char *line = list, *next; *line; line = next) {
		next = strchrnul(line, '\n');
		if (*next)
			*next++ = '\0';
		const char *why;
		cleanup_free char *rel = NULL;
		if (extract_norm_path(line, &rel, &why) < 0 || rel[0] == '\0' ||
		    strcmp(rel, "bin/busybox") == 0)
			continue;
		if (make_parents(dfd, rel) < 0 ||
		    (symlinkat(BUSYBOX, dfd, rel) < 0 && errno != EEXIST))
			return be_error_set(err, errno, "linking /%s", rel);
	}
	static const char *const where[] = {"bin", "sbin", "usr/bin", "usr/sbin"};
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		bool found = false;
		for (size_t k = 0; k < 4 && !found; k++) {
			char p[64];
			snprintf(p, sizeof(p), "%s/%s", where[k], required[i]);
			found = faccessat(dfd, p, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
		}
		if (!found)
			return be_error_set(err, 0, "%s has no \"%s\" applet", BUSYBOX,
			                    required[i]);
	}
	return 0;
}

int image_demo_fill(const char *diff, struct be_error **err)
{
	cleanup_close int dfd = open(diff, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return be_error_set(err, errno, "opening %s", diff);
	if (make_dirs(dfd, err) < 0 || copy_busybox(dfd, err) < 0 || link_applets(dfd, err) < 0)
		return -1;
	return 0;
}

/* The record's "source": names the busybox binary, its size and mtime, so
 * an upgrade of the package rebuilds the image. */
static char *demo_source(struct be_error **err)
{
	struct stat st;
	if (stat(BUSYBOX, &st) < 0) {
		be_error_set(err, errno, "the demo image needs %s (Debian package busybox-static)",
		             BUSYBOX);
		return NULL;
	}
	return xasprintf("demo: %s (%lld bytes, modified %lld)", BUSYBOX, (long long)st.st_size,
	                 (long long)st.st_mtime);
}

/* True when name exists, was built from this busybox and its layers are
 * all there. */
static bool demo_current(const struct be_ctx *ctx, const char *name, const char *source)
{
	struct be_image_rec *r = NULL;
	if (image_load(ctx, name, &r, NULL) < 0)
		return false;
	bool ok = strcmp(r->source, source) == 0;
	for (size_t i = 0; ok && i < r->n_layers; i++) {
		struct be_layer_info li;
		ok = layer_load(ctx, r->layers[i], &li, NULL) == 0;
	}
	image_rec_free(r);
	return ok;
}

static int demo_locked(const struct be_ctx *ctx, const char *name, struct be_error **err)
{
	cleanup_free char *source = demo_source(err);
	if (source == NULL)
		return -1;
	if (demo_current(ctx, name, source))
		return 0;
	struct be_layer_tmp *t = NULL;
	cleanup_close int lock = -1;
	if (layer_begin_locked(ctx, &t, &lock, err) < 0)
		return -1;
	if (image_demo_fill(layer_tmp_diff(t), err) < 0) {
		layer_abort(t);
		return -1;
	}
	char id[BE_LAYER_ID_LEN + 1];
	if (layer_commit(ctx, t, NULL, "demo", id, err) < 0)
		return -1;
	if (image_register_layer(ctx, name, id, source, true, err) < 0) {
		layer_remove(ctx, id, NULL);
		return -1;
	}
	return 0;
}

int be_image_demo(const struct be_ctx *ctx, const char *name, struct be_error **err)
{
	if (name == NULL)
		name = "demo";
	if (be_name_check("image", name, err) < 0)
		return -1;
	cleanup_lock struct be_lock *lock = NULL;
	if (store_lock_take(ctx, "image", name, &lock, err) < 0 || demo_locked(ctx, name, err) < 0)
		return be_error_wrap(err, "making the demo image %s", name);
	return 0;
}
