/* berth's public API: the only header the front ends (cli/, tui/) include.
 * It declares the context, the error object and the name rule, and pulls in
 * the public header of each backend module. */
#ifndef BERTH_H
#define BERTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- errors ------------------------------------------------------------
 * A fallible function returns an int < 0 (or NULL) and fills *err, if err
 * is not NULL, with an errno (0 when none applies) and a one-line message:
 * "what failed: on what: errno text".  The first error set wins: a later
 * be_error_set on a filled *err is ignored, so undo paths cannot hide the
 * cause.  The caller frees it with be_error_free. */
struct be_error {
	int errnum;   /* errno value, or 0 */
	int exitcode; /* exit status a front end should use; 0 means 125 */
	char *msg;
};

int be_error_set(struct be_error **err, int errnum, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* Prefixes "context: " to the message of *err; returns -1. */
int be_error_wrap(struct be_error **err, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
void be_error_free(struct be_error *err);
/* Releases *err and sets it to NULL (for cleanup attributes). */
void be_error_clear(struct be_error **err);

/* ---- names -------------------------------------------------------------
 * Names of containers, images and snapshots: [a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}.
 * Checked before any path is built from them. */
#define BE_NAME_MAX 64
bool be_name_valid(const char *name);
/* Fails with 'invalid KIND name "NAME": ...' unless the name is valid. */
int be_name_check(const char *kind, const char *name, struct be_error **err);

/* ---- context -----------------------------------------------------------
 * Carries the roots every module works under, so tests can point them at
 * temporary or fixture trees.  NULL fields take the defaults:
 *   root        --root, else $BERTH_ROOT, else /var/lib/berth
 *   run_dir     /run/berth for the default root, else ROOT/run
 *   cgroup_root /sys/fs/cgroup        proc_root  /proc
 *   docker_root /var/lib/docker       podman_root /var/lib/containers/storage
 * (the last two are only read, to name other engines' containers) */
struct be_ctx_opts {
	const char *root;
	const char *run_dir;
	const char *cgroup_root;
	const char *proc_root;
	const char *docker_root;
	const char *podman_root;
	bool lock_wait; /* wait for a busy lock instead of failing */
	bool read_only; /* do not create the root nor repair it */
};

enum be_cgroup_layout { BE_CGROUP_NONE = 0, BE_CGROUP_V1 = 1, BE_CGROUP_V2 = 2 };

struct be_ctx;

/* Opens (creating when needed) the state root and repairs what a crash
 * left there.  Free with be_ctx_free. */
int be_ctx_open(const struct be_ctx_opts *opts, struct be_ctx **out, struct be_error **err);
void be_ctx_free(struct be_ctx *ctx);
const char *be_ctx_root(const struct be_ctx *ctx);
const char *be_ctx_run_dir(const struct be_ctx *ctx);
const char *be_ctx_cgroup_root(const struct be_ctx *ctx);
const char *be_ctx_proc_root(const struct be_ctx *ctx);
/* Docker's and podman's (rootful) state roots, read to name their containers. */
const char *be_ctx_docker_root(const struct be_ctx *ctx);
const char *be_ctx_podman_root(const struct be_ctx *ctx);
enum be_cgroup_layout be_ctx_cgroup_layout(const struct be_ctx *ctx);
/* Name of the cgroup under which this root's containers live, below each
 * controller (v1) or the unified root (v2): "berth" for the default root,
 * "berth-<8 hex of a hash of the root path>" for any other, so that test
 * roots never share cgroups. */
const char *be_ctx_cgroup_parent(const struct be_ctx *ctx);

/* ---- small shared helpers for front ends ------------------------------ */
/* Parses "512", "64k", "32m", "1g" (powers of 1024) into bytes.  Fails with
 * a one-line error on anything else, on negatives and on overflow. */
int be_parse_size(const char *text, uint64_t *out, struct be_error **err);
/* The path of the running program (so front ends can run `berth` again,
 * e.g. the TUI's exec shell); NULL with *err when it cannot be read.  The
 * caller frees it. */
char *be_self_exe(struct be_error **err);
/* Formats bytes as "12.3 MiB" into buf. */
const char *be_format_size(uint64_t bytes, char *buf, size_t len);
/* Formats a duration as docker does ("Less than a second", "1 second",
 * "About a minute", "3 hours", "2 weeks"...) into buf; negatives count as 0. */
const char *be_format_duration(int64_t secs, char *buf, size_t len);

#include "be_image.h"
#include "be_cgroup.h"
#include "be_container.h"
#include "be_stats.h"
#include "be_proc.h"
#include "be_theme.h"
#include "be_snapshot.h"
#include "be_opts.h"
#include "be_config.h"
#include "be_isolation.h"
#include "be_events.h"
#include "be_lab.h"
#include "be_registry.h"
#include "be_volume.h"
#include "be_net.h"
#include "be_metrics.h"
#include "be_remote.h"

#endif
