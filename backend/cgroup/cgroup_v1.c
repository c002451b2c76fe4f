/* The legacy/hybrid (v1) cgroup backend: groups made with mkdir, limited
 * by writing their files (only what differs from a new group's defaults)
 * and removed with rmdir, where cgroup_v1_mounts.c says each controller is
 * mounted.  libcgroup 2.0.2 did this until its start-up (which re-reads
 * /proc/mounts and fails on an unreadable cgroup2 mount) and its per-call
 * costs weighed on the start path: see NOTES.md and docs/cgroup.md.  Its
 * error codes are still translated here (cg_v1_strerror).  Whole processes
 * are attached and the freezer driven through the files. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libcgroup.h>

#include "cgroup/cgroup_v1.h"
#include "base/util.h"

/* Controllers berth uses when mounted (not cpuset: it needs cpus/mems
 * copied).  A limit whose controller is missing fails; devices takes
 * docker's device rules (devices.c). */
static const char *const controllers[] = {"cpu",     "cpuacct", "memory", "pids",
                                          "freezer", "blkio",   "devices"};
#define NCTL (sizeof(controllers) / sizeof(controllers[0]))
enum { C_CPU, C_CPUACCT, C_MEMORY, C_PIDS, C_FREEZER, C_BLKIO, C_DEVICES };

/* v1 reports "unlimited" as a large number (PAGE_COUNTER_MAX pages). */
#define V1_UNLIMITED_FROM (1ull << 62)

/* The controllers of one cgroup: where each is mounted, its directory, and
 * whether an earlier controller shares its hierarchy (cpu,cpuacct). */
struct v1_group {
	char *rel; /* "<parent>/<name>" */
	char *dir[NCTL];
	bool dup[NCTL];
};

static const char *const strerror_table[] = {
        "libcgroup was built without cgroup support", /* 50000 */
        "cgroup filesystem not mounted",
        "cgroup does not exist",
        "cgroup not created",
        "controller not mounted",
        "not the owner of the cgroup",
        "controllers are mounted at several places",
        "operation not allowed",
        "too many values",
        "controller already exists",
        "value already exists", /* 50010 */
        "invalid argument",
        "could not create controller",
        "operation failed",
        "libcgroup not initialised",
        "value does not exist",
        "system call failed",
        "cgroups are not equal",
        "controllers are not equal",
        "could not parse the rules file",
        "no rules file", /* 50020 */
        "could not mount the cgroup filesystem",
        "unknown libcgroup error",
        "end of file or iterator",
        "could not parse the configuration file",
        "namespace paths are invalid",
        "namespace controller is not valid",
        "mount namespace is missing",
        "operation not supported",
        "value cannot be set",
        "cgroup is not empty", /* 50030 */
};

const char *cg_v1_strerror(int code, int last_errno)
{
	if (code == ECGOTHER && last_errno > 0)
		return strerror(last_errno);
	size_t n = sizeof(strerror_table) / sizeof(strerror_table[0]);
	if (code >= ECGROUPNOTCOMPILED && (size_t)(code - ECGROUPNOTCOMPILED) < n)
		return strerror_table[code - ECGROUPNOTCOMPILED];
	if (code > 0 && code < ECGROUPNOTCOMPILED)
		return strerror(code);
	return "unknown libcgroup error";
}

static void group_free(struct v1_group *g)
{
	free(g->rel);
	for (size_t i = 0; i < NCTL; i++)
		free(g->dir[i]);
}
#define cleanup_group __attribute__((cleanup(group_free)))

/* Finds where each controller is mounted (must be below the context's
 * cgroup root: a fixture root never reaches the real hierarchy) and fills
 * g with the group's directories. */
static int group_load(const struct be_ctx *ctx, const char *name, struct v1_group *g,
                      struct be_error **err)
{
	memset(g, 0, sizeof(*g));
	const char *root = be_ctx_cgroup_root(ctx), *parent = be_ctx_cgroup_parent(ctx);
	size_t rootlen = strlen(root);
	g->rel = name ? xasprintf("%s/%s", parent, name) : xstrdup(parent);
	const char *mounts[NCTL] = {0};
	bool any = false;
	for (size_t i = 0; i < NCTL; i++) {
		mounts[i] = cg_v1_mount_point(controllers[i]);
		if (mounts[i] == NULL)
			continue;
		if (strncmp(mounts[i], root, rootlen) != 0 || mounts[i][rootlen] != '/')
			return be_error_set(err, 0, "v1 controller %s is mounted at %s, outside %s",
			                    controllers[i], mounts[i], root);
		for (size_t j = 0; j < i; j++)
			g->dup[i] |= mounts[j] && strcmp(mounts[j], mounts[i]) == 0;
		g->dir[i] = xasprintf("%s/%s", mounts[i], g->rel);
		any = true;
	}
	if (!any)
		return be_error_set(err, ENOTSUP, "no v1 cgroup controller is mounted");
	return 0;
}

static bool group_exists(const struct v1_group *g)
{
	for (size_t i = 0; i < NCTL; i++)
		if (g->dir[i] && util_path_exists(g->dir[i]))
			return true;
	return false;
}

/* ---- limits: one list of writes ------------------------------------------ */

/* One value for one file of one controller. */
struct v1_val {
	int ctl;
	const char *file;
	char value[24];
};
#define VALS_MAX 8

struct v1_vals {
	struct v1_val v[VALS_MAX];
	size_t n;
};

static void fmt_limit(char *buf, size_t len, uint64_t v)
{
	if (v == UINT64_MAX)
		snprintf(buf, len, "-1");
	else
		snprintf(buf, len, "%" PRIu64, v);
}

/* Adds a value; fresh (a new group, whose files hold the defaults) skips
 * a value equal to the default dflt. */
static int add_val(struct v1_vals *vals, const struct v1_group *g, int ctl, const char *file,
                   uint64_t v, uint64_t dflt, bool fresh, struct be_error **err)
{
	if (fresh && v == dflt)
		return 0;
	if (g->dir[ctl] == NULL)
		return be_error_set(err, ENOTSUP, "the %s controller is not mounted",
		                    controllers[ctl]);
	struct v1_val *x = &vals->v[vals->n++];
	x->ctl = ctl;
	x->file = file;
	if (strcmp(file, "pids.max") == 0 && v == UINT64_MAX)
		snprintf(x->value, sizeof(x->value), "max");
	else
		fmt_limit(x->value, sizeof(x->value), v);
	return 0;
}

/* Memory and memory+swap, in the order the kernel accepts (memory <=
 * memsw must hold after each write): memory first unless it rises above
 * the current memsw. */
static int add_memory(struct v1_vals *vals, const struct v1_group *g, const struct be_limits *lim,
                      bool fresh, struct be_error **err)
{
	if ((fresh || g->dir[C_MEMORY] == NULL) && lim->memory == 0 && lim->memory_swap <= 0)
		return 0;
	if (g->dir[C_MEMORY] == NULL)
		return be_error_set(err, ENOTSUP, "the memory controller is not mounted");
	cleanup_free char *memsw_path =
	        xasprintf("%s/memory.memsw.limit_in_bytes", g->dir[C_MEMORY]);
	uint64_t cur_memsw = UINT64_MAX;
	bool has_memsw = cg_read_u64(memsw_path, &cur_memsw, NULL) == 0;
	if (!has_memsw && lim->memory_swap > 0)
		return be_error_set(err, ENOTSUP,
		                    "--memory-swap: this kernel has no swap accounting "
		                    "(memory.memsw.limit_in_bytes)");
	if (cur_memsw >= V1_UNLIMITED_FROM)
		cur_memsw = UINT64_MAX;
	uint64_t mem = lim->memory ? lim->memory : UINT64_MAX, memsw = cg_limits_memsw(lim);
	const char *m = "memory.limit_in_bytes", *s = "memory.memsw.limit_in_bytes";
	if (!has_memsw)
		return add_val(vals, g, C_MEMORY, m, mem, UINT64_MAX, fresh, err);
	if (mem > cur_memsw)
		return add_val(vals, g, C_MEMORY, s, memsw, UINT64_MAX, fresh, err) < 0 ||
		                       add_val(vals, g, C_MEMORY, m, mem, UINT64_MAX, fresh, err) <
		                               0
		               ? -1
		               : 0;
	return add_val(vals, g, C_MEMORY, m, mem, UINT64_MAX, fresh, err) < 0 ||
	                       add_val(vals, g, C_MEMORY, s, memsw, UINT64_MAX, fresh, err) < 0
	               ? -1
	               : 0;
}

static int add_cpu(struct v1_vals *vals, const struct v1_group *g, const struct be_limits *lim,
                   bool fresh, struct be_error **err)
{
	bool set = lim->cpu_quota_us || lim->cpu_period_us || lim->cpu_weight;
	if (!set && (fresh || g->dir[C_CPU] == NULL))
		return 0;
	uint64_t period = lim->cpu_period_us ? lim->cpu_period_us : BE_LIMITS_PERIOD_DEFAULT;
	uint64_t quota = lim->cpu_quota_us ? lim->cpu_quota_us : UINT64_MAX;
	uint64_t shares = lim->cpu_weight ? cg_weight_to_shares(lim->cpu_weight) : 1024;
	if (add_val(vals, g, C_CPU, "cpu.cfs_period_us", period, BE_LIMITS_PERIOD_DEFAULT, fresh,
	            err) < 0 ||
	    add_val(vals, g, C_CPU, "cpu.cfs_quota_us", quota, UINT64_MAX, fresh, err) < 0)
		return -1;
	return add_val(vals, g, C_CPU, "cpu.shares", shares, 1024, fresh, err);
}

/* The blkio weight file of this kernel (CFQ's or BFQ's), or NULL. */
static const char *blkio_weight_file(const struct v1_group *g)
{
	static const char *const files[] = {"blkio.weight", "blkio.bfq.weight"};
	if (g->dir[C_BLKIO] == NULL)
		return NULL;
	for (size_t i = 0; i < 2; i++) {
		cleanup_free char *p = xasprintf("%s/%s", g->dir[C_BLKIO], files[i]);
		if (util_path_exists(p))
			return files[i];
	}
	return NULL;
}

/* Every limit of lim as a list of writes.  fresh: for a group just made,
 * whose files hold the defaults (nothing to write for a default).  An io
 * weight the kernel has no file for is ignored (cg_io_weight_supported). */
static int collect_limits(const struct v1_group *g, const struct be_limits *lim, bool fresh,
                          struct v1_vals *vals, struct be_error **err)
{
	vals->n = 0;
	if (add_memory(vals, g, lim, fresh, err) < 0 || add_cpu(vals, g, lim, fresh, err) < 0)
		return -1;
	if (g->dir[C_PIDS] != NULL || lim->pids_max > 0) {
		uint64_t v = lim->pids_max > 0 ? (uint64_t)lim->pids_max : UINT64_MAX;
		if (add_val(vals, g, C_PIDS, "pids.max", v, UINT64_MAX, fresh, err) < 0)
			return -1;
	}
	const char *wfile = lim->io_weight ? blkio_weight_file(g) : NULL;
	if (wfile) {
		bool bfq = strcmp(wfile, "blkio.bfq.weight") == 0;
		uint64_t v =
		        bfq ? cg_weight_to_bfq(lim->io_weight) : cg_weight_to_blkio(lim->io_weight);
		if (add_val(vals, g, C_BLKIO, wfile, v, 0, false, err) < 0)
			return -1;
	}
	return 0;
}

/* Each value written to its file, in order (create and update alike). */
static int write_vals(const struct v1_group *g, const struct v1_vals *vals, struct be_error **err)
{
	for (size_t i = 0; i < vals->n; i++) {
		const struct v1_val *v = &vals->v[i];
		cleanup_free char *p = xasprintf("%s/%s", g->dir[v->ctl], v->file);
		if (cg_write(p, v->value, err) < 0)
			return -1;
	}
	return 0;
}

/* Removes g's sub-groups (a container may make some in its cgroup
 * namespace) with rmdir, deepest first. */
static void remove_subgroups(const char *dir)
{
	cleanup_dir DIR *d = opendir(dir);
	if (d == NULL)
		return;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		cleanup_free char *sub = xasprintf("%s/%s", dir, de->d_name);
		remove_subgroups(sub);
		rmdir(sub);
	}
}

/* One rmdir per hierarchy (a cgroup's files go with it; rmdir of a group
 * with members fails with EBUSY and moves nobody).  True when all are
 * gone. */
static bool group_rmdir(const struct v1_group *g)
{
	bool gone = true;
	for (size_t i = 0; i < NCTL; i++) {
		if (g->dir[i] == NULL || g->dup[i])
			continue;
		if (rmdir(g->dir[i]) == 0 || errno == ENOENT)
			continue;
		remove_subgroups(g->dir[i]);
		gone &= rmdir(g->dir[i]) == 0 || errno == ENOENT;
	}
	return gone;
}

/* Deletes the group in every controller where it exists, without ever
 * moving tasks, until every directory is gone or wait_ms passes.  The
 * parent group stays, as docker's and crun's do: making and removing it
 * around every lone container cost six mkdirs and six rmdirs a run. */
static int group_delete(const struct v1_group *g, unsigned wait_ms, struct be_error **err)
{
	uint64_t start = util_now_ns();
	while (!group_rmdir(g)) {
		if (util_now_ns() - start >= (uint64_t)wait_ms * 1000000) {
			for (size_t i = 0; i < NCTL; i++)
				if (g->dir[i] && util_path_exists(g->dir[i]) &&
				    !cg_tree_empty(g->dir[i]))
					return be_error_set(err, EBUSY, "processes are still in %s",
					                    g->dir[i]);
			return be_error_set(err, EBUSY, "the group is still there after deletion");
		}
		cg_sleep_ms(10);
	}
	return 0;
}

/* mkdir in every hierarchy, the parent group on demand; made[i] tells
 * which this call made.  A concurrent destroy removes the parent when it
 * empties: a mkdir that lost that race (ENOENT) makes the parent again. */
static int group_mkdir(const struct v1_group *g, bool made[NCTL], struct be_error **err)
{
	/* All of them known before the first failure can return. */
	for (size_t i = 0; i < NCTL; i++)
		made[i] = false;
	for (size_t i = 0; i < NCTL; i++) {
		if (g->dir[i] == NULL || g->dup[i])
			continue;
		int attempt = 0;
		while (mkdir(g->dir[i], 0755) < 0) {
			if (errno == EEXIST)
				return be_error_set(err, EEXIST, "cgroup %s exists", g->rel);
			if (errno != ENOENT || attempt++ == 5)
				return be_error_set(err, errno, "creating %s", g->dir[i]);
			cleanup_free char *p = xstrdup(g->dir[i]);
			*strrchr(p, '/') = '\0';
			if (mkdir(p, 0755) < 0 && errno != EEXIST)
				return be_error_set(err, errno, "creating %s", p);
		}
		made[i] = true;
	}
	return 0;
}

/* The start path's create: mkdir and the values that differ from a new
 * group's defaults, written directly (no libcgroup start-up, no
 * /proc/mounts per controller). */
static int v1_create(const struct be_ctx *ctx, const char *name, const struct be_limits *lim,
                     struct be_error **err)
{
	cleanup_group struct v1_group g;
	if (group_load(ctx, name, &g, err) < 0)
		return -1;
	bool made[NCTL];
	if (group_mkdir(&g, made, err) < 0) {
		/* Only what this call made goes: an existing group is not ours. */
		for (size_t i = NCTL; i-- > 0;)
			if (made[i])
				rmdir(g.dir[i]);
		return -1;
	}
	/* Collected once the files exist (memory.memsw is read). */
	struct v1_vals vals;
	if (collect_limits(&g, lim, true, &vals, err) < 0 || write_vals(&g, &vals, err) < 0) {
		group_delete(&g, 1000, NULL);
		return -1;
	}
	/* Before any process enters: "deny a" is refused once a group has
	 * children, and nothing may open a device in between. */
	if (g.dir[C_DEVICES] != NULL && cg_devices_v1(g.dir[C_DEVICES], err) < 0) {
		group_delete(&g, 1000, NULL);
		return -1;
	}
	return 0;
}

/* Loads g and fails with ENOENT when the group is not there. */
static int group_load_existing(const struct be_ctx *ctx, const char *name, struct v1_group *g,
                               struct be_error **err)
{
	if (group_load(ctx, name, g, err) < 0)
		return -1;
	if (!group_exists(g))
		return be_error_set(err, ENOENT, "no cgroup %s", g->rel);
	return 0;
}

static int v1_set_limits(const struct be_ctx *ctx, const char *name, const struct be_limits *lim,
                         struct be_error **err)
{
	cleanup_group struct v1_group g;
	if (group_load_existing(ctx, name, &g, err) < 0)
		return -1;
	struct v1_vals vals;
	if (collect_limits(&g, lim, false, &vals, err) < 0)
		return -1;
	cleanup_error struct be_error *e = NULL;
	if (write_vals(&g, &vals, &e) == 0)
		return 0;
	uint64_t use = 0;
	cleanup_free char *usage =
	        g.dir[C_MEMORY] ? xasprintf("%s/memory.usage_in_bytes", g.dir[C_MEMORY]) : NULL;
	if (e->errnum == EBUSY && lim->memory && usage && cg_read_u64(usage, &use, NULL) == 0 &&
	    use > lim->memory) {
		char a[32], b[32];
		bool fresh = err != NULL && *err == NULL;
		be_error_set(err, 0, "memory limit %s is below current use %s",
		             be_format_size(lim->memory, a, sizeof(a)),
		             be_format_size(use, b, sizeof(b)));
		if (fresh)
			(*err)->errnum = EBUSY;
		return -1;
	}
	if (err != NULL && *err == NULL)
		*err = steal_pointer(&e);
	return -1;
}

/* Writes the pid into cgroup.procs (the whole process: libcgroup would
 * write one thread to tasks) of every controller. */
static int v1_attach(const struct be_ctx *ctx, const char *name, pid_t pid, struct be_error **err)
{
	cleanup_group struct v1_group g;
	if (group_load_existing(ctx, name, &g, err) < 0)
		return -1;
	char v[24];
	snprintf(v, sizeof(v), "%d", (int)pid);
	for (size_t i = 0; i < NCTL; i++) {
		if (g.dir[i] == NULL || g.dup[i])
			continue;
		/* A container started by a berth without device rules has no
		 * devices group: its exec joins the init where it is. */
		if (i == C_DEVICES && !util_path_exists(g.dir[i]))
			continue;
		cleanup_free char *procs = xasprintf("%s/cgroup.procs", g.dir[i]);
		if (cg_write(procs, v, err) < 0)
			return -1;
	}
	return 0;
}

/* Writes FROZEN or THAWED and waits until freezer.state reads it (it says
 * FREEZING while tasks are still on their way). */
static int freezer_set(const struct v1_group *g, bool frozen, unsigned wait_ms,
                       struct be_error **err)
{
	if (g->dir[C_FREEZER] == NULL)
		return be_error_set(err, ENOTSUP, "the freezer controller is not mounted");
	cleanup_free char *path = xasprintf("%s/freezer.state", g->dir[C_FREEZER]);
	const char *want = frozen ? "FROZEN" : "THAWED";
	if (cg_write(path, want, err) < 0)
		return -1;
	uint64_t start = util_now_ns();
	for (unsigned nap = 1;; nap = nap < 16 ? nap * 2 : nap) {
		cleanup_free char *text = util_read_file(path, NULL, err);
		if (text == NULL)
			return -1;
		if (strncmp(text, want, strlen(want)) == 0)
			return 0;
		if (util_now_ns() - start >= (uint64_t)wait_ms * 1000000)
			break;
		cg_sleep_ms(nap);
	}
	return be_error_set(err, ETIMEDOUT, "%s not %s after %u ms", path, want, wait_ms);
}

static int v1_freeze(const struct be_ctx *ctx, const char *name, bool frozen, unsigned wait_ms,
                     struct be_error **err)
{
	cleanup_group struct v1_group g;
	if (group_load_existing(ctx, name, &g, err) < 0)
		return -1;
	return freezer_set(&g, frozen, wait_ms, err);
}

/* Reads a number from the group's file of controller ctl (key: a keyed
 * file); a missing controller or file leaves 0. */
static uint64_t read_opt(const struct v1_group *g, int ctl, const char *file, const char *key)
{
	if (g->dir[ctl] == NULL)
		return 0;
	cleanup_free char *path = xasprintf("%s/%s", g->dir[ctl], file);
	uint64_t v = 0;
	if (key ? cg_read_key(path, key, &v, NULL) : cg_read_u64(path, &v, NULL))
		return 0;
	return v;
}

static bool group_frozen(const struct v1_group *g)
{
	if (g->dir[C_FREEZER] == NULL)
		return false;
	cleanup_free char *p = xasprintf("%s/freezer.state", g->dir[C_FREEZER]);
	cleanup_free char *text = util_read_file(p, NULL, NULL);
	return text && strncmp(text, "FROZEN", 6) == 0;
}

static bool v1_frozen(const struct be_ctx *ctx, const char *name)
{
	cleanup_group struct v1_group g;
	return group_load(ctx, name, &g, NULL) == 0 && group_frozen(&g);
}

static uint64_t v1_oom_kills(const struct be_ctx *ctx, const char *name)
{
	cleanup_group struct v1_group g;
	if (group_load(ctx, name, &g, NULL) < 0)
		return 0;
	return read_opt(&g, C_MEMORY, "memory.oom_control", "oom_kill");
}

static int v1_state(const struct be_ctx *ctx, const char *name, struct cg_state *out,
                    struct be_error **err)
{
	cleanup_group struct v1_group g;
	if (group_load(ctx, name, &g, err) < 0)
		return -1;
	out->exists = group_exists(&g);
	if (!out->exists)
		return 0;
	out->frozen = group_frozen(&g);
	out->oom_kills = read_opt(&g, C_MEMORY, "memory.oom_control", "oom_kill");
	out->memory_limit = read_opt(&g, C_MEMORY, "memory.limit_in_bytes", NULL);
	if (out->memory_limit >= V1_UNLIMITED_FROM)
		out->memory_limit = 0;
	out->memory_usage = read_opt(&g, C_MEMORY, "memory.usage_in_bytes", NULL);
	uint64_t pids_max = read_opt(&g, C_PIDS, "pids.max", NULL);
	out->pids_max = pids_max == UINT64_MAX ? 0 : (int64_t)pids_max;
	out->pids = read_opt(&g, C_PIDS, "pids.current", NULL);
	out->cpu_usage_ns = read_opt(&g, C_CPUACCT, "cpuacct.usage", NULL);
	return 0;
}

/* Signals the members.  SIGKILL freezes the group first (so nothing forks
 * away between reading the list and signalling), kills every member of
 * every controller, then thaws so that they die. */
static int v1_kill_all(const struct be_ctx *ctx, const char *name, int sig, struct be_error **err)
{
	cleanup_group struct v1_group g;
	if (group_load(ctx, name, &g, err) < 0)
		return -1;
	if (!group_exists(&g))
		return 0;
	if (sig != SIGKILL) {
		/* One hierarchy, so nobody gets the signal twice. */
		size_t i = g.dir[C_FREEZER] ? C_FREEZER : 0;
		while (g.dir[i] == NULL)
			i++;
		return cg_signal_tree(g.dir[i], sig, NULL, err);
	}
	/* Best effort: without a freezer (or if it times out) the kill still
	 * goes out. */
	freezer_set(&g, true, BE_CGROUP_WAIT_MS, NULL);
	int r = 0;
	for (size_t i = 0; i < NCTL && r == 0; i++)
		if (g.dir[i] && !g.dup[i])
			r = cg_signal_tree(g.dir[i], SIGKILL, NULL, err);
	if (g.dir[C_FREEZER] && freezer_set(&g, false, BE_CGROUP_WAIT_MS, err) < 0)
		return -1;
	return r;
}

static int v1_destroy(const struct be_ctx *ctx, const char *name, unsigned wait_ms,
                      struct be_error **err)
{
	cleanup_group struct v1_group g;
	if (group_load(ctx, name, &g, err) < 0)
		return -1;
	return group_delete(&g, wait_ms, err);
}

static int v1_paths(const struct be_ctx *ctx, const char *name, char ***paths, size_t *n,
                    struct be_error **err)
{
	cleanup_group struct v1_group g;
	if (group_load(ctx, name, &g, err) < 0)
		return -1;
	for (size_t i = 0; i < NCTL; i++)
		if (g.dir[i] && !g.dup[i])
			cg_strv_add(paths, n, xasprintf("%s:%s", controllers[i], g.dir[i]));
	return 0;
}

static int v1_parent_dirs(const struct be_ctx *ctx, char ***dirs, size_t *n, struct be_error **err)
{
	cleanup_group struct v1_group g;
	if (group_load(ctx, NULL, &g, err) < 0)
		return -1;
	for (size_t i = 0; i < NCTL; i++)
		if (g.dir[i] && !g.dup[i])
			cg_strv_add(dirs, n, xstrdup(g.dir[i]));
	return 0;
}

static bool v1_io_weight_supported(const struct be_ctx *ctx, const char *name)
{
	cleanup_group struct v1_group g;
	if (group_load(ctx, name, &g, NULL) < 0)
		return false;
	return blkio_weight_file(&g) != NULL;
}

/* The "tasks" file of every controller: writing "0" there moves the
 * writing thread alone, without the threadgroup lock cgroup.procs takes. */
static int v1_open_enter(const struct be_ctx *ctx, const char *name, int *fds, size_t max,
                         size_t *n, struct be_error **err)
{
	cleanup_group struct v1_group g;
	if (group_load_existing(ctx, name, &g, err) < 0)
		return -1;
	for (size_t i = 0; i < NCTL; i++) {
		if (g.dir[i] == NULL || g.dup[i])
			continue;
		if (*n >= max)
			return be_error_set(err, E2BIG, "too many controllers");
		cleanup_free char *tasks = xasprintf("%s/tasks", g.dir[i]);
		int fd = open(tasks, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return be_error_set(err, errno, "opening %s", tasks);
		fds[(*n)++] = fd;
	}
	return 0;
}

const struct be_cgroup_ops cg_v1_ops = {
        .name = "v1",
        .create = v1_create,
        .set_limits = v1_set_limits,
        .attach = v1_attach,
        .freeze = v1_freeze,
        .state = v1_state,
        .frozen = v1_frozen,
        .oom_kills = v1_oom_kills,
        .kill_all = v1_kill_all,
        .destroy = v1_destroy,
        .paths = v1_paths,
        .parent_dirs = v1_parent_dirs,
        .io_weight_supported = v1_io_weight_supported,
        .open_enter = v1_open_enter,
};
