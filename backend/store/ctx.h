/* The backend context's layout, for the backend modules only. */
#ifndef BE_CTX_H
#define BE_CTX_H

#include "berth.h"

/* The marker record at the top of every root berth made ("ROOT/.berth",
 * {"kind": "berth root", "format": N}): without it a non-empty directory is
 * not berth's, and berth neither uses nor repairs it. */
#define BE_CTX_MARKER ".berth"
#define BE_CTX_FORMAT 1

struct be_ctx {
	char *root;
	char *run_dir;
	char *cgroup_root;
	char *proc_root;
	char *docker_root;
	char *podman_root;
	char *cgroup_parent;
	enum be_cgroup_layout cgroup_layout;
	bool lock_wait;
	bool read_only;
};

/* Builds "<root>/<fmt...>"; the caller frees. */
char *ctx_path(const struct be_ctx *ctx, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
/* Builds "<run_dir>/<fmt...>"; the caller frees. */
char *ctx_run_path(const struct be_ctx *ctx, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
/* Detects the cgroup layout under root: v2 when root is a cgroup2 mount,
 * v1 when it holds v1 controller mounts (or, for fixture trees, a
 * "cgroup.controllers" file says v2, a "memory" directory says v1). */
enum be_cgroup_layout ctx_cgroup_detect(const char *root);

#endif
