/* The cgroup v2 backend on the real kernel.  This host is hybrid: its v1
 * controllers sit under /sys/fs/cgroup and a cgroup2 hierarchy without
 * controllers is mounted at /sys/fs/cgroup/unified.  That hierarchy still
 * has what v2 gives every cgroup (cgroup.procs, cgroup.freeze,
 * cgroup.events, cgroup.kill, cpu.stat, *.pressure), so a context whose
 * cgroup root points there runs whole containers through the v2 code:
 * start, exec, pause, the monitor, stop, and the clean-up after a killed
 * keeper.  A limit needs a controller that hierarchy lacks: it must fail
 * with a clear message and leave nothing.  (On a pure v2 host every other
 * test runs the v2 backend already; this one then has nothing to add.) */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "berth.h"
#include "testutil.h"

#define UNIFIED "/sys/fs/cgroup/unified"
#define CGROUP2_MAGIC 0x63677270

struct fx {
	char *root;
	struct be_ctx *ctx;
};

static int setup(void **state)
{
	*state = NULL;
	struct statfs sf;
	if (!tu_is_root() || statfs(UNIFIED, &sf) < 0 || sf.f_type != CGROUP2_MAGIC)
		return 0;
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->root = tu_demo_root_new();
	if (f->root == NULL) {
		free(f);
		return -1;
	}
	struct be_ctx_opts o = {.root = f->root, .cgroup_root = UNIFIED};
	struct be_error *err = NULL;
	if (be_ctx_open(&o, &f->ctx, &err) < 0) {
		fprintf(stderr, "%s\n", err->msg);
		be_error_free(err);
		tu_root_remove(f->root);
		free(f->root);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	if (f == NULL)
		return 0;
	static const char *const names[] = {"spin", "lim", "k9"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		be_container_remove(f->ctx, names[i], true, NULL);
	/* The parent group, once empty (tu_root_remove also sweeps it). */
	char parent[512];
	snprintf(parent, sizeof(parent), UNIFIED "/%s", be_ctx_cgroup_parent(f->ctx));
	rmdir(parent);
	be_ctx_free(f->ctx);
	tu_root_remove(f->root);
	free(f->root);
	free(f);
	return 0;
}

static struct fx *need(void **state)
{
	if (*state == NULL) {
		print_message("skipped: %s\n",
		              tu_is_root() ? "no controller-less cgroup2 at " UNIFIED
		                             " (a hybrid host's); on a pure v2 host every "
		                             "test runs the v2 backend"
		                           : "needs root");
		skip();
	}
	return *state;
}

static char *group_file(struct fx *f, const char *name, const char *file)
{
	char *p = NULL;
	assert_true(asprintf(&p, UNIFIED "/%s/%s%s%s", be_ctx_cgroup_parent(f->ctx), name,
	                     file ? "/" : "", file ? file : "") > 0);
	return p;
}

/* Polls until the group's FILE holds want (or 5 s pass). */
static bool group_shows(struct fx *f, const char *name, const char *file, const char *want)
{
	char *path = group_file(f, name, file);
	bool ok = false;
	for (int i = 0; i < 100 && !ok; i++) {
		char *text = tu_read(path);
		ok = text && strstr(text, want);
		free(text);
		if (!ok)
			usleep(50 * 1000);
	}
	free(path);
	return ok;
}

static bool group_gone(struct fx *f, const char *name)
{
	char *path = group_file(f, name, NULL);
	bool gone = false;
	for (int i = 0; i < 100 && !gone; i++) {
		gone = access(path, F_OK) < 0 && errno == ENOENT;
		if (!gone)
			usleep(50 * 1000);
	}
	free(path);
	return gone;
}

static void create_start(struct fx *f, const char *name, const char *const *cmd)
{
	struct be_container_spec spec = {.name = name, .image = "demo", .cmd = (char *const *)cmd};
	struct be_error *err = NULL;
	if (be_container_create(f->ctx, &spec, NULL, &err) < 0 ||
	    be_container_start(f->ctx, name, NULL, &err) < 0)
		fail_msg("%s", err->msg);
}

/* Runs argv in the container; returns its stdout (caller frees). */
static char *exec_out(struct fx *f, const char *name, const char *const *argv)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	struct be_exec_opts o = {.argv = (char *const *)argv,
	                         .in_fd = -1,
	                         .out_fd = p[1],
	                         .err_fd = 2,
	                         .console_fd = -1};
	struct be_error *err = NULL;
	int code = be_container_exec(f->ctx, name, &o, &err);
	close(p[1]);
	char *out = tu_slurp_fd(p[0]);
	close(p[0]);
	if (code != 0)
		fail_msg("exec: %d %s", code, err ? err->msg : "");
	return out;
}

static enum be_container_status status_of(struct fx *f, const char *name)
{
	struct be_container_info info;
	struct be_error *err = NULL;
	if (be_container_get(f->ctx, name, &info, &err) < 0)
		fail_msg("%s", err->msg);
	enum be_container_status s = info.status;
	be_container_info_clear(&info);
	return s;
}

static void test_v2_live_lifecycle(void **state)
{
	struct fx *f = need(state);
	assert_int_equal(be_ctx_cgroup_layout(f->ctx), BE_CGROUP_V2);
	const char *const spin[] = {"sh", "-c", "while :; do :; done", NULL};
	create_start(f, "spin", spin);

	/* The init is in the container's v2 group. */
	struct be_container_info info;
	assert_int_equal(be_container_get(f->ctx, "spin", &info, NULL), 0);
	assert_int_equal(info.status, BE_STATUS_RUNNING);
	char pid[32];
	snprintf(pid, sizeof(pid), "%d\n", (int)info.pid);
	be_container_info_clear(&info);
	assert_true(group_shows(f, "spin", "cgroup.procs", pid));

	/* exec joins it: in its cgroup namespace the v2 path is the root. */
	const char *const sh[] = {"sh", "-c", "echo $$; grep '^0::' /proc/self/cgroup", NULL};
	char *out = exec_out(f, "spin", sh);
	assert_true(atoi(out) > 1);
	assert_non_null(strstr(out, "\n0::/\n"));
	free(out);

	/* The monitor reads the busy init's CPU and pressure from v2 files. */
	struct be_monitor_opts mo = {.no_foreign = true, .no_vms = true, .no_host = true};
	struct be_error *err = NULL;
	struct be_monitor *mon = be_monitor_new(f->ctx, &mo, &err);
	assert_non_null(mon);
	assert_int_equal(be_monitor_refresh(mon, &err), 0);
	usleep(500 * 1000);
	assert_int_equal(be_monitor_refresh(mon, &err), 0);
	const struct be_item *it = be_monitor_find(mon, "spin");
	assert_non_null(it);
	assert_int_equal(it->kind, BE_KIND_BERTH);
	assert_true(it->cur.have & BE_HAVE_CPU);
	assert_true(it->cur.have & BE_HAVE_RATES);
	assert_true(it->cur.cpu_percent > 10.0);
	assert_true(it->cur.have & BE_HAVE_PSI_CPU);
	fprintf(stderr, "v2 live: %.1f%% of one CPU, cpu some avg10 %.2f\n", it->cur.cpu_percent,
	        it->cur.psi_cpu.some_avg10);
	be_monitor_free(mon);

	/* pause and resume through cgroup.freeze. */
	assert_int_equal(be_container_pause(f->ctx, "spin", true, &err), 0);
	assert_true(group_shows(f, "spin", "cgroup.events", "frozen 1"));
	assert_int_equal(status_of(f, "spin"), BE_STATUS_PAUSED);
	assert_int_equal(be_container_pause(f->ctx, "spin", false, &err), 0);
	assert_true(group_shows(f, "spin", "cgroup.events", "frozen 0"));
	assert_int_equal(status_of(f, "spin"), BE_STATUS_RUNNING);

	/* stop: the init ignores nothing but runs a loop; the group goes. */
	assert_int_equal(be_container_stop(f->ctx, "spin", 1, &err), 0);
	assert_int_equal(status_of(f, "spin"), BE_STATUS_EXITED);
	assert_true(group_gone(f, "spin"));
	assert_int_equal(be_container_remove(f->ctx, "spin", false, &err), 0);
}

/* A limit whose controller the hierarchy lacks: start fails saying which
 * file, and leaves no group and no running container. */
static void test_v2_live_missing_controller(void **state)
{
	struct fx *f = need(state);
	const char *const cmd[] = {"sleep", "100", NULL};
	struct be_container_spec spec = {.name = "lim", .image = "demo", .cmd = (char *const *)cmd};
	spec.limits.memory = 64ull << 20;
	struct be_error *err = NULL;
	assert_int_equal(be_container_create(f->ctx, &spec, NULL, &err), 0);
	assert_int_equal(be_container_start(f->ctx, "lim", NULL, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err->msg, "memory.max"));
	assert_null(strchr(err->msg, '\n'));
	be_error_clear(&err);
	assert_int_not_equal(status_of(f, "lim"), BE_STATUS_RUNNING);
	assert_true(group_gone(f, "lim"));
	assert_int_equal(be_container_remove(f->ctx, "lim", false, &err), 0);
}

/* kill -9 of the keeper: a listing only records it (its init still runs:
 * "keeper gone", nothing is killed by reading), and rm -f then ends it and
 * removes the v2 group. */
static void test_v2_live_keeper_killed(void **state)
{
	struct fx *f = need(state);
	const char *const cmd[] = {"sleep", "1000", NULL};
	create_start(f, "k9", cmd);
	char *j = NULL;
	assert_int_equal(be_container_inspect_json(f->ctx, "k9", &j, NULL), 0);
	const char *p = strstr(j, "\"keeper_pid\": ");
	assert_non_null(p);
	pid_t keeper = (pid_t)atoi(p + 14);
	free(j);
	assert_true(keeper > 1);
	assert_int_equal(kill(keeper, SIGKILL), 0);
	bool gone = false;
	for (int i = 0; i < 100 && !gone; i++) {
		struct be_container_info info;
		assert_int_equal(be_container_get(f->ctx, "k9", &info, NULL), 0);
		gone = info.keeper_gone;
		assert_int_equal(info.status, BE_STATUS_RUNNING); /* nothing killed by reading */
		be_container_info_clear(&info);
		if (!gone)
			usleep(50 * 1000);
	}
	assert_true(gone);
	assert_false(group_gone(f, "k9"));
	struct be_error *err = NULL;
	assert_int_equal(be_container_remove(f->ctx, "k9", true, &err), 0);
	assert_true(group_gone(f, "k9"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_v2_live_lifecycle),
	        cmocka_unit_test(test_v2_live_missing_controller),
	        cmocka_unit_test(test_v2_live_keeper_killed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
