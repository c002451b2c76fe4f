/* The unified (v2) cgroup backend: writes the kernel's files itself, since
 * Debian's libcgroup 2.0.2 has no v2 API.  On a fixture tree (a plain
 * directory that mimics a cgroup2 mount, for tests) it also plays the
 * kernel's part: it makes and removes the interface files of a new group. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "cgroup/cgroup.h"
#include "base/util.h"

/* Controllers berth enables for its groups, when the kernel has them. */
static const char *const wanted[] = {"cpu", "memory", "pids", "io"};
#define NWANTED (sizeof(wanted) / sizeof(wanted[0]))

/* What the kernel puts in a new group's directory (fixture trees only):
 * ctl NULL for the core files, else the controller enabling the file. */
static const struct {
	const char *ctl, *file, *text;
} kernel_files[] = {
        {NULL, "cgroup.procs", ""},
        {NULL, "cgroup.subtree_control", ""},
        {NULL, "cgroup.events", "populated 0\nfrozen 0\n"},
        {NULL, "cgroup.freeze", "0\n"},
        {NULL, "cgroup.kill", ""},
        {"memory", "memory.max", "max\n"},
        {"memory", "memory.swap.max", "max\n"},
        {"memory", "memory.current", "0\n"},
        {"memory", "memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n"},
        {"cpu", "cpu.max", "max 100000\n"},
        {"cpu", "cpu.weight", "100\n"},
        {"cpu", "cpu.stat", "usage_usec 0\nuser_usec 0\nsystem_usec 0\n"},
        {"pids", "pids.max", "max\n"},
        {"pids", "pids.current", "0\n"},
        {"io", "io.weight", "default 100\n"},
};

static char *group_dir(const struct be_ctx *ctx, const char *name)
{
	return xasprintf("%s/%s/%s", be_ctx_cgroup_root(ctx), be_ctx_cgroup_parent(ctx), name);
}

static char *parent_dir(const struct be_ctx *ctx)
{
	return xasprintf("%s/%s", be_ctx_cgroup_root(ctx), be_ctx_cgroup_parent(ctx));
}

/* A fixture tree is any root that is not a real cgroup2 mount. */
static bool is_fixture(const struct be_ctx *ctx)
{
	struct statfs sf;
	return statfs(be_ctx_cgroup_root(ctx), &sf) < 0 || sf.f_type != CGROUP2_SUPER_MAGIC;
}

static unsigned controller_bit(const char *name)
{
	for (size_t i = 0; i < NWANTED; i++)
		if (strcmp(name, wanted[i]) == 0)
			return 1u << i;
	return 0;
}

/* Bit i set when wanted[i] is listed (optionally with '+') in the file. */
static unsigned read_controllers(const char *dir, const char *file)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, file);
	cleanup_free char *text = util_read_file(path, NULL, NULL);
	unsigned set = 0;
	for (char *save = NULL, *tok = text ? strtok_r(text, " \t\n", &save) : NULL; tok;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		set |= controller_bit(*tok == '+' ? tok + 1 : tok);
	}
	return set;
}

/* Enables in dir's cgroup.subtree_control each wanted controller that dir
 * has.  All are written in one line (already enabled ones too), so that a
 * fixture's plain file ends up listing them all, as the kernel's does. */
static int enable_controllers(const char *dir, struct be_error **err)
{
	unsigned avail = read_controllers(dir, "cgroup.controllers");
	unsigned on = read_controllers(dir, "cgroup.subtree_control");
	if ((avail & ~on) == 0)
		return 0;
	char line[64] = "";
	for (size_t i = 0; i < NWANTED; i++)
		if (avail & (1u << i))
			snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s+%s",
			         *line ? " " : "", wanted[i]);
	cleanup_free char *path = xasprintf("%s/cgroup.subtree_control", dir);
	return cg_write(path, line, err);
}

/* Fixture trees: makes the files the kernel would give the new group dir,
 * according to what its parent enables. */
static int fake_kernel_files(const char *dir, const char *parent, struct be_error **err)
{
	unsigned on = read_controllers(parent, "cgroup.subtree_control");
	char ctl_line[64] = "";
	for (size_t i = 0; i < NWANTED; i++)
		if (on & (1u << i))
			snprintf(ctl_line + strlen(ctl_line), sizeof(ctl_line) - strlen(ctl_line),
			         "%s%s", *ctl_line ? " " : "", wanted[i]);
	cleanup_free char *ctl_path = xasprintf("%s/cgroup.controllers", dir);
	if (util_write_file_atomic(ctl_path, ctl_line, strlen(ctl_line), false, err) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(kernel_files) / sizeof(kernel_files[0]); i++) {
		const char *ctl = kernel_files[i].ctl;
		if (ctl != NULL && !(on & controller_bit(ctl)))
			continue;
		cleanup_free char *p = xasprintf("%s/%s", dir, kernel_files[i].file);
		const char *t = kernel_files[i].text;
		if (util_write_file_atomic(p, t, strlen(t), false, err) < 0)
			return -1;
	}
	return 0;
}

/* mkdir that, on a fixture tree, also makes the kernel's files.  With
 * may_exist, a group that is there already is success. */
static int make_group(const struct be_ctx *ctx, const char *dir, const char *parent, bool may_exist,
                      struct be_error **err)
{
	if (mkdir(dir, 0755) < 0) {
		if (errno == EEXIST && may_exist)
			return 0;
		return be_error_set(err, errno, "creating %s", dir);
	}
	if (is_fixture(ctx) && fake_kernel_files(dir, parent, err) < 0)
		return -1;
	return 0;
}

/* Removes dir and its sub-groups, deepest first.  On a fixture tree a group
 * whose cgroup.procs lists a pid is busy, as the kernel would say. */
static int remove_group(const struct be_ctx *ctx, const char *dir, struct be_error **err)
{
	cleanup_dir DIR *d = opendir(dir);
	if (d == NULL)
		return errno == ENOENT ? 0 : be_error_set(err, errno, "opening %s", dir);
	bool fixture = is_fixture(ctx);
	if (fixture && !cg_tree_empty(dir))
		return be_error_set(err, EBUSY, "removing %s", dir);
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		cleanup_free char *sub = xasprintf("%s/%s", dir, de->d_name);
		if (de->d_type == DT_DIR) {
			if (remove_group(ctx, sub, err) < 0)
				return -1;
		} else if (fixture && de->d_type == DT_REG && unlink(sub) < 0) {
			return be_error_set(err, errno, "removing %s", sub);
		}
	}
	if (rmdir(dir) < 0 && errno != ENOENT)
		return be_error_set(err, errno, "removing %s", dir);
	return 0;
}

/* Removes this root's parent group if nothing is left in it. */
static void remove_parent_if_empty(const struct be_ctx *ctx)
{
	cleanup_free char *parent = parent_dir(ctx);
	cleanup_dir DIR *d = opendir(parent);
	if (d == NULL)
		return;
	struct dirent *de;
	while ((de = readdir(d)) != NULL)
		if (de->d_type == DT_DIR && strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			return;
	remove_group(ctx, parent, NULL);
}

/* Makes the parent group (if needed) with the controllers enabled. */
static int ensure_parent(const struct be_ctx *ctx, struct be_error **err)
{
	cleanup_free char *parent = parent_dir(ctx);
	if (enable_controllers(be_ctx_cgroup_root(ctx), err) < 0)
		return -1;
	if (make_group(ctx, parent, be_ctx_cgroup_root(ctx), true, err) < 0)
		return -1;
	return enable_controllers(parent, err);
}

/* Writes value to dir/file.  A missing file (controller not enabled, or a
 * kernel without it) is an error when needed, else skipped. */
static int write_file(const char *dir, const char *file, const char *value, bool needed,
                      struct be_error **err)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, file);
	if (!util_path_exists(path)) {
		if (!needed)
			return 0;
		return be_error_set(err, ENOTSUP,
		                    "the kernel offers no %s here (controller not enabled?)", file);
	}
	return cg_write(path, value, err);
}

/* Before lowering a live group's memory.max: the kernel would reclaim and
 * then OOM-kill the group to meet it, where v1 refuses with EBUSY.  Reclaim
 * what can be (memory.reclaim, 5.19+), then refuse as v1 does if the use is
 * still above the limit. */
static int check_room(const char *dir, uint64_t limit, struct be_error **err)
{
	cleanup_free char *current = xasprintf("%s/memory.current", dir);
	uint64_t use;
	if (cg_read_u64(current, &use, NULL) < 0 || use <= limit)
		return 0;
	cleanup_free char *reclaim = xasprintf("%s/memory.reclaim", dir);
	char v[32];
	snprintf(v, sizeof(v), "%" PRIu64, use - limit);
	if (util_path_exists(reclaim))
		cg_write(reclaim, v, NULL); /* EAGAIN when it fell short */
	if (cg_read_u64(current, &use, NULL) < 0 || use <= limit)
		return 0;
	char a[32], b[32];
	bool fresh = err != NULL && *err == NULL;
	be_error_set(err, 0, "memory limit %s is below current use %s",
	             be_format_size(limit, a, sizeof(a)), be_format_size(use, b, sizeof(b)));
	if (fresh)
		(*err)->errnum = EBUSY;
	return -1;
}

static int apply_memory(const char *dir, const struct be_limits *lim, bool live,
                        struct be_error **err)
{
	char v[32] = "max";
	if (live && lim->memory && check_room(dir, lim->memory, err) < 0)
		return -1;
	if (lim->memory)
		snprintf(v, sizeof(v), "%" PRIu64, lim->memory);
	if (write_file(dir, "memory.max", v, lim->memory != 0, err) < 0)
		return -1;
	/* v2 limits swap alone: docker's memory+swap minus memory. */
	uint64_t memsw = cg_limits_memsw(lim);
	snprintf(v, sizeof(v), "max");
	if (memsw != UINT64_MAX)
		snprintf(v, sizeof(v), "%" PRIu64, memsw - lim->memory);
	return write_file(dir, "memory.swap.max", v, lim->memory_swap > 0, err);
}

/* Writes every limit (zero fields as the kernel's defaults); live: the
 * group may hold processes already. */
static int apply_limits(const char *dir, const struct be_limits *lim, bool live,
                        struct be_error **err)
{
	char v[64];
	if (apply_memory(dir, lim, live, err) < 0)
		return -1;
	uint64_t period = lim->cpu_period_us ? lim->cpu_period_us : BE_LIMITS_PERIOD_DEFAULT;
	if (lim->cpu_quota_us)
		snprintf(v, sizeof(v), "%" PRIu64 " %" PRIu64, lim->cpu_quota_us, period);
	else
		snprintf(v, sizeof(v), "max %" PRIu64, period);
	bool cpu_set = lim->cpu_quota_us || lim->cpu_period_us;
	if (write_file(dir, "cpu.max", v, cpu_set, err) < 0)
		return -1;
	snprintf(v, sizeof(v), "%" PRIu64, lim->cpu_weight ? lim->cpu_weight : 100);
	if (write_file(dir, "cpu.weight", v, lim->cpu_weight != 0, err) < 0)
		return -1;
	snprintf(v, sizeof(v), "max");
	if (lim->pids_max > 0)
		snprintf(v, sizeof(v), "%" PRId64, lim->pids_max);
	if (write_file(dir, "pids.max", v, lim->pids_max > 0, err) < 0)
		return -1;
	/* io weight where the kernel has it (io.weight: iocost; io.bfq.weight:
	 * BFQ, 1..1000), else ignored. */
	uint64_t w = lim->io_weight ? lim->io_weight : 100;
	snprintf(v, sizeof(v), "default %" PRIu64, w);
	cleanup_free char *iow = xasprintf("%s/io.weight", dir);
	if (util_path_exists(iow))
		return cg_write(iow, v, err);
	snprintf(v, sizeof(v), "%" PRIu64, cg_weight_to_bfq(w));
	return write_file(dir, "io.bfq.weight", v, false, err);
}

static int v2_create(const struct be_ctx *ctx, const char *name, const struct be_limits *lim,
                     struct be_error **err)
{
	cleanup_free char *dir = group_dir(ctx, name);
	cleanup_free char *parent = parent_dir(ctx);
	if (util_path_exists(dir))
		return be_error_set(err, EEXIST, "cgroup %s/%s exists", be_ctx_cgroup_parent(ctx),
		                    name);
	/* A concurrent destroy may remove an empty parent between our mkdirs:
	 * make it again. */
	for (int attempt = 0;; attempt++) {
		cleanup_error struct be_error *e = NULL;
		if (ensure_parent(ctx, err) < 0)
			return -1;
		if (make_group(ctx, dir, parent, false, &e) == 0)
			break;
		if (e->errnum == EEXIST)
			return be_error_set(err, EEXIST, "cgroup %s/%s exists",
			                    be_ctx_cgroup_parent(ctx), name);
		if (e->errnum != ENOENT || attempt == 3) {
			if (err != NULL && *err == NULL)
				*err = steal_pointer(&e);
			goto undo;
		}
	}
	if (apply_limits(dir, lim, false, err) < 0)
		goto undo;
	/* v2 has no devices files: a BPF program (not on a fixture tree). */
	if (!is_fixture(ctx) && cg_devices_v2(dir, err) < 0)
		goto undo;
	return 0;
undo:
	remove_group(ctx, dir, NULL);
	remove_parent_if_empty(ctx);
	return -1;
}

/* Fails with ENOENT ("no cgroup P/NAME") when the group is missing. */
static char *existing_dir(const struct be_ctx *ctx, const char *name, struct be_error **err)
{
	char *dir = group_dir(ctx, name);
	if (util_path_exists(dir))
		return dir;
	free(dir);
	be_error_set(err, ENOENT, "no cgroup %s/%s", be_ctx_cgroup_parent(ctx), name);
	return NULL;
}

static int v2_set_limits(const struct be_ctx *ctx, const char *name, const struct be_limits *lim,
                         struct be_error **err)
{
	cleanup_free char *dir = existing_dir(ctx, name, err);
	return dir ? apply_limits(dir, lim, true, err) : -1;
}

static int v2_attach(const struct be_ctx *ctx, const char *name, pid_t pid, struct be_error **err)
{
	cleanup_free char *dir = existing_dir(ctx, name, err);
	if (dir == NULL)
		return -1;
	char v[24];
	snprintf(v, sizeof(v), "%d", (int)pid);
	return write_file(dir, "cgroup.procs", v, true, err);
}

static int v2_freeze(const struct be_ctx *ctx, const char *name, bool frozen, unsigned wait_ms,
                     struct be_error **err)
{
	cleanup_free char *dir = existing_dir(ctx, name, err);
	if (dir == NULL || write_file(dir, "cgroup.freeze", frozen ? "1" : "0", true, err) < 0)
		return -1;
	cleanup_free char *events = xasprintf("%s/cgroup.events", dir);
	uint64_t start = util_now_ns(), now = start;
	for (unsigned nap = 1;; nap = nap < 16 ? nap * 2 : nap) {
		uint64_t v;
		if (cg_read_key(events, "frozen", &v, err) < 0)
			return -1;
		if ((v == 1) == frozen)
			return 0;
		now = util_now_ns();
		if (now - start >= (uint64_t)wait_ms * 1000000)
			break;
		cg_sleep_ms(nap);
	}
	return be_error_set(err, ETIMEDOUT, "%s not reported %s after %u ms", events,
	                    frozen ? "frozen" : "thawed", wait_ms);
}

/* Reads a number from dir/file; a missing or unreadable file leaves 0. */
static uint64_t read_opt(const char *dir, const char *file, const char *key)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, file);
	uint64_t v = 0;
	if (key ? cg_read_key(path, key, &v, NULL) : cg_read_u64(path, &v, NULL))
		return 0;
	return v;
}

static bool v2_frozen(const struct be_ctx *ctx, const char *name)
{
	cleanup_free char *dir = group_dir(ctx, name);
	return read_opt(dir, "cgroup.events", "frozen") == 1;
}

static uint64_t v2_oom_kills(const struct be_ctx *ctx, const char *name)
{
	cleanup_free char *dir = group_dir(ctx, name);
	return read_opt(dir, "memory.events", "oom_kill");
}

static int v2_state(const struct be_ctx *ctx, const char *name, struct cg_state *out,
                    struct be_error **err)
{
	(void)err;
	cleanup_free char *dir = group_dir(ctx, name);
	out->exists = util_path_exists(dir);
	if (!out->exists)
		return 0;
	out->frozen = read_opt(dir, "cgroup.events", "frozen") == 1;
	out->oom_kills = read_opt(dir, "memory.events", "oom_kill");
	out->memory_limit = read_opt(dir, "memory.max", NULL);
	if (out->memory_limit == UINT64_MAX)
		out->memory_limit = 0;
	out->memory_usage = read_opt(dir, "memory.current", NULL);
	uint64_t pids_max = read_opt(dir, "pids.max", NULL);
	out->pids_max = pids_max == UINT64_MAX ? 0 : (int64_t)pids_max;
	out->pids = read_opt(dir, "pids.current", NULL);
	out->cpu_usage_ns = read_opt(dir, "cpu.stat", "usage_usec") * 1000;
	return 0;
}

static int v2_kill_all(const struct be_ctx *ctx, const char *name, int sig, struct be_error **err)
{
	cleanup_free char *dir = group_dir(ctx, name);
	if (!util_path_exists(dir))
		return 0;
	/* cgroup.kill (5.14+) takes the whole subtree at once, frozen or not;
	 * v2's freezer lets fatal signals through, so no thaw is needed. */
	cleanup_free char *kill_file = xasprintf("%s/cgroup.kill", dir);
	if (sig == SIGKILL && util_path_exists(kill_file))
		return cg_write(kill_file, "1", err);
	return cg_signal_tree(dir, sig, NULL, err);
}

static int v2_destroy(const struct be_ctx *ctx, const char *name, unsigned wait_ms,
                      struct be_error **err)
{
	cleanup_free char *dir = group_dir(ctx, name);
	uint64_t start = util_now_ns();
	for (;;) {
		cleanup_error struct be_error *e = NULL;
		if (remove_group(ctx, dir, &e) == 0)
			break;
		bool busy = e->errnum == EBUSY || e->errnum == ENOTEMPTY;
		if (!busy || util_now_ns() - start >= (uint64_t)wait_ms * 1000000) {
			if (busy)
				return be_error_set(err, EBUSY, "processes are still in %s", dir);
			if (err != NULL && *err == NULL)
				*err = steal_pointer(&e);
			return -1;
		}
		cg_sleep_ms(10);
	}
	if (util_path_exists(dir))
		return be_error_set(err, EBUSY, "%s is still there after removal", dir);
	remove_parent_if_empty(ctx);
	return 0;
}

static int v2_paths(const struct be_ctx *ctx, const char *name, char ***paths, size_t *n,
                    struct be_error **err)
{
	(void)err;
	cleanup_free char *dir = group_dir(ctx, name);
	cg_strv_add(paths, n, xasprintf("unified:%s", dir));
	return 0;
}

static int v2_parent_dirs(const struct be_ctx *ctx, char ***dirs, size_t *n, struct be_error **err)
{
	(void)err;
	cg_strv_add(dirs, n, parent_dir(ctx));
	return 0;
}

static bool v2_io_weight_supported(const struct be_ctx *ctx, const char *name)
{
	cleanup_free char *dir = group_dir(ctx, name);
	cleanup_free char *a = xasprintf("%s/io.weight", dir);
	cleanup_free char *b = xasprintf("%s/io.bfq.weight", dir);
	return util_path_exists(a) || util_path_exists(b);
}

/* v2 has no per-thread entry for a domain cgroup: cgroup.procs ("0" moves
 * the writer's whole process). */
static int v2_open_enter(const struct be_ctx *ctx, const char *name, int *fds, size_t max,
                         size_t *n, struct be_error **err)
{
	cleanup_free char *dir = existing_dir(ctx, name, err);
	if (dir == NULL)
		return -1;
	if (max < 1)
		return be_error_set(err, E2BIG, "no room for the cgroup fd");
	cleanup_free char *procs = xasprintf("%s/cgroup.procs", dir);
	int fd = open(procs, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return be_error_set(err, errno, "opening %s", procs);
	fds[(*n)++] = fd;
	return 0;
}

const struct be_cgroup_ops cg_v2_ops = {
        .name = "v2",
        .create = v2_create,
        .set_limits = v2_set_limits,
        .attach = v2_attach,
        .freeze = v2_freeze,
        .state = v2_state,
        .frozen = v2_frozen,
        .oom_kills = v2_oom_kills,
        .kill_all = v2_kill_all,
        .destroy = v2_destroy,
        .paths = v2_paths,
        .parent_dirs = v2_parent_dirs,
        .io_weight_supported = v2_io_weight_supported,
        .open_enter = v2_open_enter,
};
