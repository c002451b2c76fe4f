/* The legacy/hybrid (v1) cgroup backend: libcgroup creates, limits and
 * deletes, wrapped against the 2.0.2 bugs in NOTES.md (own error table,
 * quiet logger, every controller in the struct, deletion checked); whole
 * processes are attached and the freezer driven through the files. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libcgroup.h>

#include "cgroup/cgroup.h"
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
	char *rel; /* "<parent>/<name>", libcgroup's name for it */
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

/* Fills *err from a libcgroup return code: "what: text" (just the text
 * when what is NULL), with the errno behind ECGOTHER. */
static int lib_error(struct be_error **err, int code, const char *what)
{
	int last = code == ECGOTHER ? cgroup_get_last_errno() : 0;
	const char *text = cg_v1_strerror(code, last);
	bool fresh = err != NULL && *err == NULL;
	if (what)
		be_error_set(err, 0, "%s: %s", what, text);
	else
		be_error_set(err, 0, "%s", text);
	if (fresh)
		(*err)->errnum = last;
	return -1;
}

/* ---- one-time set-up ------------------------------------------------------
 * The default logger writes to stdout: a silent one goes in first. */
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_code; /* cgroup_init's result, set once */

static void quiet_logger(void *userdata, int level, const char *fmt, va_list ap)
{
	(void)userdata;
	(void)level;
	(void)fmt;
	(void)ap;
}

static void init_libcgroup(void)
{
	cgroup_set_logger(quiet_logger, CGROUP_LOG_ERROR, NULL);
	init_code = cgroup_init();
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
	pthread_once(&init_once, init_libcgroup);
	if (init_code != 0)
		return lib_error(err, init_code, "initialising libcgroup");
	const char *root = be_ctx_cgroup_root(ctx), *parent = be_ctx_cgroup_parent(ctx);
	size_t rootlen = strlen(root);
	g->rel = name ? xasprintf("%s/%s", parent, name) : xstrdup(parent);
	char *mounts[NCTL] = {0};
	bool any = false;
	for (size_t i = 0; i < NCTL; i++) {
		if (cgroup_get_subsys_mount_point(controllers[i], &mounts[i]) != 0) {
			mounts[i] = NULL;
			continue;
		}
		if (strncmp(mounts[i], root, rootlen) != 0 || mounts[i][rootlen] != '/') {
			be_error_set(err, 0, "v1 controller %s is mounted at %s, outside %s",
			             controllers[i], mounts[i], root);
			for (size_t j = 0; j <= i; j++)
				free(mounts[j]);
			return -1;
		}
		for (size_t j = 0; j < i; j++)
			g->dup[i] |= mounts[j] && strcmp(mounts[j], mounts[i]) == 0;
		g->dir[i] = xasprintf("%s/%s", mounts[i], g->rel);
		any = true;
	}
	for (size_t i = 0; i < NCTL; i++)
		free(mounts[i]);
	if (!any)
		return be_error_set(err, ENOTSUP, "no v1 cgroup controller is mounted");
	return 0;
}

/* A libcgroup struct naming the group in every (distinct) controller that
 * is mounted, and whose directory exists when only_existing. */
static struct cgroup *group_struct(const struct v1_group *g, bool only_existing)
{
	struct cgroup *cg = cgroup_new_cgroup(g->rel);
	if (cg == NULL)
		abort();
	for (size_t i = 0; i < NCTL; i++) {
		if (g->dir[i] == NULL || g->dup[i] ||
		    (only_existing && !util_path_exists(g->dir[i])))
			continue;
		if (cgroup_add_controller(cg, controllers[i]) == NULL)
			abort();
	}
	return cg;
}

static bool group_exists(const struct v1_group *g)
{
	for (size_t i = 0; i < NCTL; i++)
		if (g->dir[i] && util_path_exists(g->dir[i]))
			return true;
	return false;
}

static void fmt_limit(char *buf, size_t len, uint64_t v)
{
	if (v == UINT64_MAX)
		snprintf(buf, len, "-1");
	else
		snprintf(buf, len, "%" PRIu64, v);
}

static int add_value(struct cgroup_controller *c, const char *file, const char *value,
                     struct be_error **err)
{
	int r = cgroup_add_value_string(c, file, value);
	return r ? lib_error(err, r, file) : 0;
}

static struct cgroup_controller *need(struct cgroup *cg, const struct v1_group *g, int ctl,
                                      struct be_error **err)
{
	if (g->dir[ctl] == NULL) {
		be_error_set(err, ENOTSUP, "the %s controller is not mounted", controllers[ctl]);
		return NULL;
	}
	struct cgroup_controller *c = cgroup_add_controller(cg, controllers[ctl]);
	if (c == NULL)
		be_error_set(err, 0, "libcgroup: cannot add controller %s", controllers[ctl]);
	return c;
}

/* Memory and memory+swap, in the order the kernel accepts (memory <=
 * memsw must hold after each write): memory first unless it rises above
 * the current memsw. */
static int add_memory(struct cgroup *cg, const struct v1_group *g, const struct be_limits *lim,
                      struct be_error **err)
{
	if (g->dir[C_MEMORY] == NULL && lim->memory == 0 && lim->memory_swap <= 0)
		return 0;
	struct cgroup_controller *c = need(cg, g, C_MEMORY, err);
	if (c == NULL)
		return -1;
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
	char m[32], s[32];
	fmt_limit(m, sizeof(m), mem);
	fmt_limit(s, sizeof(s), memsw);
	if (!has_memsw)
		return add_value(c, "memory.limit_in_bytes", m, err);
	const char *first = "memory.limit_in_bytes", *second = "memory.memsw.limit_in_bytes";
	const char *v1 = m, *v2 = s;
	if (mem > cur_memsw) {
		first = "memory.memsw.limit_in_bytes", second = "memory.limit_in_bytes";
		v1 = s, v2 = m;
	}
	if (add_value(c, first, v1, err) < 0)
		return -1;
	return add_value(c, second, v2, err);
}

static int add_cpu(struct cgroup *cg, const struct v1_group *g, const struct be_limits *lim,
                   struct be_error **err)
{
	bool set = lim->cpu_quota_us || lim->cpu_period_us || lim->cpu_weight;
	if (g->dir[C_CPU] == NULL && !set)
		return 0;
	struct cgroup_controller *c = need(cg, g, C_CPU, err);
	if (c == NULL)
		return -1;
	char v[32];
	uint64_t period = lim->cpu_period_us ? lim->cpu_period_us : BE_LIMITS_PERIOD_DEFAULT;
	snprintf(v, sizeof(v), "%" PRIu64, period);
	if (add_value(c, "cpu.cfs_period_us", v, err) < 0)
		return -1;
	fmt_limit(v, sizeof(v), lim->cpu_quota_us ? lim->cpu_quota_us : UINT64_MAX);
	if (add_value(c, "cpu.cfs_quota_us", v, err) < 0)
		return -1;
	uint64_t shares = lim->cpu_weight ? cg_weight_to_shares(lim->cpu_weight) : 1024;
	snprintf(v, sizeof(v), "%" PRIu64, shares);
	return add_value(c, "cpu.shares", v, err);
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

/* Every limit into one libcgroup modify.  An io weight the kernel has no
 * file for is ignored (cg_io_weight_supported tells). */
static int apply_limits(const struct v1_group *g, const struct be_limits *lim,
                        struct be_error **err)
{
	struct cgroup *cg = cgroup_new_cgroup(g->rel);
	if (cg == NULL)
		abort();
	int ret = -1;
	if (add_memory(cg, g, lim, err) < 0 || add_cpu(cg, g, lim, err) < 0)
		goto out;
	if (g->dir[C_PIDS] != NULL || lim->pids_max > 0) {
		struct cgroup_controller *c = need(cg, g, C_PIDS, err);
		char v[32] = "max";
		if (lim->pids_max > 0)
			snprintf(v, sizeof(v), "%" PRId64, lim->pids_max);
		if (c == NULL || add_value(c, "pids.max", v, err) < 0)
			goto out;
	}
	const char *wfile = blkio_weight_file(g);
	if (wfile && lim->io_weight) {
		struct cgroup_controller *c = need(cg, g, C_BLKIO, err);
		char v[32];
		bool bfq = strcmp(wfile, "blkio.bfq.weight") == 0;
		snprintf(v, sizeof(v), "%" PRIu64,
		         bfq ? cg_weight_to_bfq(lim->io_weight)
		             : cg_weight_to_blkio(lim->io_weight));
		if (c == NULL || add_value(c, wfile, v, err) < 0)
			goto out;
	}
	int r = cgroup_modify_cgroup(cg);
	ret = r ? lib_error(err, r, NULL) : 0;
out:
	cgroup_free(&cg);
	return ret;
}

/* Removes g's sub-groups (a container may make some in its cgroup
 * namespace) with rmdir, deepest first; libcgroup's recursive delete
 * cannot be combined with its empty-only flag. */
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

/* Deletes the group in every controller where it exists, without ever
 * moving tasks (empty-only), until every directory is gone or wait_ms
 * passes; then removes the parent group if it is left empty. */
static int group_delete(const struct v1_group *g, unsigned wait_ms, struct be_error **err)
{
	uint64_t start = util_now_ns();
	int code = 0;
	while (group_exists(g)) {
		for (size_t i = 0; i < NCTL; i++)
			if (g->dir[i] && !g->dup[i])
				remove_subgroups(g->dir[i]);
		struct cgroup *cg = group_struct(g, true);
		code = cgroup_delete_cgroup_ext(cg, CGFLAG_DELETE_EMPTY_ONLY);
		cgroup_free(&cg);
		/* Returns 0 on a non-empty group: the directories tell. */
		if (!group_exists(g))
			break;
		if (util_now_ns() - start >= (uint64_t)wait_ms * 1000000) {
			for (size_t i = 0; i < NCTL; i++)
				if (g->dir[i] && util_path_exists(g->dir[i]) &&
				    !cg_tree_empty(g->dir[i]))
					return be_error_set(err, EBUSY, "processes are still in %s",
					                    g->dir[i]);
			if (code != 0)
				return lib_error(err, code, NULL);
			return be_error_set(err, EBUSY, "the group is still there after deletion");
		}
		cg_sleep_ms(10);
	}
	/* The parent goes when empty: rmdir refuses a group with children. */
	for (size_t i = 0; i < NCTL; i++) {
		if (g->dir[i] == NULL || g->dup[i])
			continue;
		cleanup_free char *p = xstrdup(g->dir[i]);
		*strrchr(p, '/') = '\0';
		rmdir(p);
	}
	return 0;
}

/* True when the parent group is missing under some controller. */
static bool parent_missing(const struct v1_group *g)
{
	for (size_t i = 0; i < NCTL; i++) {
		if (g->dir[i] == NULL || g->dup[i])
			continue;
		cleanup_free char *p = xstrdup(g->dir[i]);
		*strrchr(p, '/') = '\0';
		if (!util_path_exists(p))
			return true;
	}
	return false;
}

static int v1_create(const struct be_ctx *ctx, const char *name, const struct be_limits *lim,
                     struct be_error **err)
{
	cleanup_group struct v1_group g;
	if (group_load(ctx, name, &g, err) < 0)
		return -1;
	if (group_exists(&g))
		return be_error_set(err, EEXIST, "cgroup %s exists", g.rel);
	/* ignore_ownership: skip libcgroup's walk that chowns every file to
	 * the uid/gid we never set (two thirds of its create time here). */
	/* A concurrent destroy removes the parent group when it empties; a
	 * create that lost that race is undone and tried again. */
	int code = 0;
	for (int attempt = 0; attempt < 5; attempt++) {
		struct cgroup *cg = group_struct(&g, false);
		code = cgroup_create_cgroup(cg, 1);
		cgroup_free(&cg);
		if (code == 0 || !parent_missing(&g))
			break;
		group_delete(&g, 1000, NULL);
	}
	if (code != 0) {
		lib_error(err, code, NULL);
		goto undo;
	}
	if (apply_limits(&g, lim, err) < 0)
		goto undo;
	/* Before any process enters: "deny a" is refused once a group has
	 * children, and nothing may open a device in between. */
	if (g.dir[C_DEVICES] != NULL && cg_devices_v1(g.dir[C_DEVICES], err) < 0)
		goto undo;
	return 0;
undo:
	/* Create is not atomic: delete what it made, with the same set. */
	group_delete(&g, 1000, NULL);
	return -1;
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
	cleanup_error struct be_error *e = NULL;
	if (apply_limits(&g, lim, &e) == 0)
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
        .kill_all = v1_kill_all,
        .destroy = v1_destroy,
        .paths = v1_paths,
        .parent_dirs = v1_parent_dirs,
        .io_weight_supported = v1_io_weight_supported,
        .open_enter = v1_open_enter,
};
