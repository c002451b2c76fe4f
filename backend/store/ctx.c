/* The backend context: state root, run directory, cgroup and /proc roots. */
#include <errno.h>
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

	if (!ctx->read_only) {
		static const char *dirs[] = {"images", "layers", "containers", "trash", "tmp"};
		for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
			cleanup_free char *d = ctx_path(ctx, "%s", dirs[i]);
			if (util_mkdir_p(d, 0700, err) < 0)
				goto fail;
		}
		cleanup_free char *locks = ctx_run_path(ctx, "locks");
		if (util_mkdir_p(locks, 0700, err) < 0)
			goto fail;
		if (store_repair(ctx, err) < 0)
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
