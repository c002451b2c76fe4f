/* The backend context: state root, run directory, cgroup and /proc roots. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "store/ctx.h"
#include "store/store.h"
#include "base/util.h"

#define DEFAULT_ROOT "/var/lib/berth"
#define DEFAULT_RUN "/run/berth"
#define DEFAULT_DOCKER "/var/lib/docker"
#define DEFAULT_PODMAN "/var/lib/containers/storage"

__attribute__((format(printf, 2, 0))) static char *vpath(const char *base, const char *fmt,
                                                         va_list ap)
{
	char *rel = NULL;
	if (vasprintf(&rel, fmt, ap) < 0)
		abort();
	char *p = xasprintf("%s/%s", base, rel);
	free(rel);
	return p;
}

char *ctx_path(const struct be_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = vpath(ctx->root, fmt, ap);
	va_end(ap);
	return p;
}

char *ctx_run_path(const struct be_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = vpath(ctx->run_dir, fmt, ap);
	va_end(ap);
	return p;
}

enum be_cgroup_layout ctx_cgroup_detect(const char *root)
{
	struct statfs sf;
	if (statfs(root, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC)
		return BE_CGROUP_V2;
	if (statfs(root, &sf) == 0 && sf.f_type == CGROUP_SUPER_MAGIC)
		return BE_CGROUP_V1;
	cleanup_free char *ctl = xasprintf("%s/cgroup.controllers", root);
	if (util_path_exists(ctl))
		return BE_CGROUP_V2;
	cleanup_free char *mem = xasprintf("%s/memory", root);
	if (util_path_exists(mem))
		return BE_CGROUP_V1;
	return BE_CGROUP_NONE;
}

/* Drops empty and "." components of an absolute path and, with dotdot,
 * applies ".." lexically ("/a//./b/../c/" becomes "/a/c"); without, keeps
 * ".." components.  Rewrites p in place. */
static void normalize(char *p, bool dotdot)
{
	cleanup_free char *out = xcalloc(1, strlen(p) + 2);
	size_t len = 0;
	for (const char *in = p; *in;) {
		while (*in == '/')
			in++;
		size_t n = strcspn(in, "/");
		if (dotdot && n == 2 && in[0] == '.' && in[1] == '.') {
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--; /* the '/' before the dropped component */
		} else if (n > 0 && !(n == 1 && in[0] == '.')) {
			out[len++] = '/';
			memcpy(out + len, in, n);
			len += n;
		}
		in += n;
	}
	if (len == 0)
		out[len++] = '/';
	out[len] = '\0';
	memcpy(p, out, len + 1);
}

/* ".." after a symbolic link leads to the link target's parent: the part
 * of p that exists is resolved by realpath, the rest (which holds no link)
 * lexically.  Takes p; returns the new path. */
static char *resolve_dotdot(char *p)
{
	if (strcmp(p, "/..") != 0 && !strstr(p, "/../") &&
	    !(strlen(p) >= 3 && strcmp(p + strlen(p) - 3, "/..") == 0))
		return p;
	cleanup_free char *head = xstrdup(p);
	for (;;) {
		cleanup_free char *real = realpath(head, NULL);
		if (real) {
			char *r = xasprintf("%s/%s", real, p + strlen(head));
			free(p);
			normalize(r, true);
			return r;
		}
		if (strcmp(head, "/") == 0)
			break;
		char *slash = strrchr(head, '/');
		if (slash == head)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	normalize(p, true);
	return p;
}

/* Makes the path absolute and normalized, so that every spelling of one
 * root ("r", "./r", "/x//r/", "../x/r") gives one root, run dir and cgroup
 * parent. */
static char *clean_root(const char *path)
{
	char *p;
	if (path[0] == '/') {
		p = xstrdup(path);
	} else {
		char cwd[4096];
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			abort();
		p = xasprintf("%s/%s", cwd, path);
	}
	normalize(p, false);
	return resolve_dotdot(p);
}

/* ---- whose root ------------------------------------------------------------ */

enum root_state { ROOT_NEW, ROOT_OURS };

/* Entries a root made by a berth older than the marker holds (and the temp
 * file of a marker being written by a concurrent berth). */
static bool legacy_entry(const char *name, unsigned *core)
{
	static const char *const core_dirs[] = {"images", "layers", "containers"};
	for (size_t i = 0; i < 3; i++)
		if (strcmp(name, core_dirs[i]) == 0) {
			*core |= 1u << i;
			return true;
		}
	return strcmp(name, "trash") == 0 || strcmp(name, "tmp") == 0 || strcmp(name, "run") == 0;
}

/* What the directory fd (which it closes) holds: 0 nothing (or only a
 * marker being written), 1 a root of an older berth (its own folders, and
 * all of images, layers and containers), -1 anything else. */
static int root_contents(int fd)
{
	cleanup_dir DIR *d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return -1;
	}
	unsigned core = 0;
	bool other = false, any = false;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    strncmp(de->d_name, "." BE_CTX_MARKER ".tmp", strlen(BE_CTX_MARKER) + 5) == 0)
			continue;
		any = true;
		if (!legacy_entry(de->d_name, &core))
			other = true;
	}
	if (!any)
		return 0;
	return !other && core == 7 ? 1 : -1;
}

/* Reads ROOT/.berth: 0 when it is a marker this berth reads. */
static int read_marker(const char *path, struct be_error **err)
{
	cleanup_json json_t *m = store_load(path, err);
	if (m == NULL)
		return -1;
	json_t *f = json_object_get(m, "format");
	if (!json_is_integer(f) || json_integer_value(f) != BE_CTX_FORMAT)
		return be_error_set(err, 0,
		                    "%s: unsupported root format (this berth reads format %d)",
		                    path, BE_CTX_FORMAT);
	return 0;
}

/* Is ctx->root a directory berth may use?  Refuses "/", the root of a
 * mounted filesystem and (unless read-only) a non-empty directory without
 * the marker. */
static int check_root(const struct be_ctx *ctx, enum root_state *state, struct be_error **err)
{
	*state = ROOT_NEW;
	if (strcmp(ctx->root, "/") == 0)
		return be_error_set(err, 0,
		                    "/ cannot be a berth root; use an empty or new directory");
	int fd = open(ctx->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0; /* missing (made below) or not a directory (mkdir says so) */
	struct statx stx;
	if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) == 0 &&
	    (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
	    (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT)) {
		close(fd);
		return be_error_set(err, 0,
		                    "%s is the root of a mounted filesystem; use an empty or new "
		                    "directory inside it",
		                    ctx->root);
	}
	cleanup_free char *marker = ctx_path(ctx, BE_CTX_MARKER);
	struct stat st;
	if (fstatat(fd, BE_CTX_MARKER, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		close(fd);
		if (!S_ISREG(st.st_mode))
			return be_error_set(err, 0, "%s is not a berth root (%s is not a file)",
			                    ctx->root, marker);
		*state = ROOT_OURS;
		return read_marker(marker, err);
	}
	/* A read-only context writes and repairs nothing: it may look at any
	 * directory (tests point it at fixture trees). */
	if (ctx->read_only) {
		close(fd);
		return 0;
	}
	int what = root_contents(fd);
	if (what < 0)
		return be_error_set(err, 0,
		                    "%s is not a berth root (no " BE_CTX_MARKER
		                    "); use an empty or new directory",
		                    ctx->root);
	return 0;
}

/* Writes ROOT/.berth into a root berth just made (or an older berth's). */
static int write_marker(const struct be_ctx *ctx, struct be_error **err)
{
	cleanup_free char *marker = ctx_path(ctx, BE_CTX_MARKER);
	cleanup_json json_t *m =
	        json_pack("{s:s, s:i}", "kind", "berth root", "format", BE_CTX_FORMAT);
	return store_save(marker, m, BE_STORE_DURABLE, err);
}

int be_ctx_open(const struct be_ctx_opts *opts, struct be_ctx **out, struct be_error **err)
{
	struct be_ctx_opts none = {0};
	if (opts == NULL)
		opts = &none;
	struct be_ctx *ctx = xcalloc(1, sizeof(*ctx));
	const char *root = opts->root;
	if (root == NULL || *root == '\0')
		root = getenv("BERTH_ROOT");
	bool is_default = (root == NULL || *root == '\0');
	ctx->root = clean_root(is_default ? DEFAULT_ROOT : root);
	if (opts->run_dir)
		ctx->run_dir = clean_root(opts->run_dir);
	else if (is_default || strcmp(ctx->root, DEFAULT_ROOT) == 0)
		ctx->run_dir = xstrdup(DEFAULT_RUN);
	else
		ctx->run_dir = xasprintf("%s/run", ctx->root);
	ctx->cgroup_root = clean_root(opts->cgroup_root ? opts->cgroup_root : "/sys/fs/cgroup");
	ctx->proc_root = clean_root(opts->proc_root ? opts->proc_root : "/proc");
	ctx->docker_root = clean_root(opts->docker_root ? opts->docker_root : DEFAULT_DOCKER);
	ctx->podman_root = clean_root(opts->podman_root ? opts->podman_root : DEFAULT_PODMAN);
	ctx->cgroup_layout = ctx_cgroup_detect(ctx->cgroup_root);
	if (strcmp(ctx->root, DEFAULT_ROOT) == 0) {
		ctx->cgroup_parent = xstrdup("berth");
	} else {
		uint32_t h = 2166136261u; /* FNV-1a */
		for (const char *p = ctx->root; *p; p++)
			h = (h ^ (unsigned char)*p) * 16777619u;
		ctx->cgroup_parent = xasprintf("berth-%08x", h);
	}
	ctx->lock_wait = opts->lock_wait;
	ctx->read_only = opts->read_only;

	enum root_state state;
	if (check_root(ctx, &state, err) < 0) {
		be_ctx_free(ctx);
		return -1;
	}
	if (!ctx->read_only) {
		if (state == ROOT_NEW &&
		    (util_mkdir_p(ctx->root, 0700, err) < 0 || write_marker(ctx, err) < 0))
			goto fail;
		static const char *dirs[] = {"images", "layers", "containers", "trash", "tmp"};
		for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
			cleanup_free char *d = ctx_path(ctx, "%s", dirs[i]);
			if (util_mkdir_p(d, 0700, err) < 0)
				goto fail;
		}
		cleanup_free char *locks = ctx_run_path(ctx, "locks");
		if (util_mkdir_p(locks, 0700, err) < 0)
			goto fail;
		if (store_repair_if_due(ctx, err) < 0)
			goto fail;
	}
	*out = ctx;
	return 0;
fail:
	be_error_wrap(err, "opening state root %s", ctx->root);
	be_ctx_free(ctx);
	return -1;
}

void be_ctx_free(struct be_ctx *ctx)
{
	if (ctx == NULL)
		return;
	free(ctx->root);
	free(ctx->run_dir);
	free(ctx->cgroup_root);
	free(ctx->proc_root);
	free(ctx->docker_root);
	free(ctx->podman_root);
	free(ctx->cgroup_parent);
	free(ctx);
}

const char *be_ctx_root(const struct be_ctx *ctx)
{
	return ctx->root;
}

const char *be_ctx_run_dir(const struct be_ctx *ctx)
{
	return ctx->run_dir;
}

const char *be_ctx_cgroup_root(const struct be_ctx *ctx)
{
	return ctx->cgroup_root;
}

const char *be_ctx_proc_root(const struct be_ctx *ctx)
{
	return ctx->proc_root;
}

const char *be_ctx_docker_root(const struct be_ctx *ctx)
{
	return ctx->docker_root;
}

const char *be_ctx_podman_root(const struct be_ctx *ctx)
{
	return ctx->podman_root;
}

enum be_cgroup_layout be_ctx_cgroup_layout(const struct be_ctx *ctx)
{
	return ctx->cgroup_layout;
}

const char *be_ctx_cgroup_parent(const struct be_ctx *ctx)
{
	return ctx->cgroup_parent;
}
