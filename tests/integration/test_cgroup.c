/* Integration tests of the cgroup module on this host's real v1 cgroups
 * (root only): limits land in the files and hold (pids, OOM kill, CFS
 * quota), freeze/thaw, live updates, kill and removal.  Every cgroup lives
 * under this test root's own parent group and is removed in teardown. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "berth.h"
#include "cgroup/cgroup.h"
#include "base/util.h"
#include "testutil.h"

static const char *const ctls[] = {"cpu",     "cpuacct", "memory", "pids",
                                   "freezer", "blkio",   "devices"};
#define NCTLS (sizeof(ctls) / sizeof(ctls[0]))
/* Every group name a test may make, removed in teardown. */
static const char *const names[] = {"lim", "thr",  "pids", "oom", "cpu", "frz",
                                    "upd", "busy", "kill", "b",   "x"};

struct it {
	char *root;
	struct be_ctx *ctx;
	pid_t kids[16];
	size_t nkids;
};

/* A forked child that runs body once released (after it was attached). */
struct kid {
	pid_t pid;
	int gate; /* write a byte to release it */
	int out;  /* what it reports */
};

/* Why the tests skip, when they do. */
static const char *it_why = "needs root";

static int it_setup(void **state)
{
	*state = NULL;
	if (!tu_is_root())
		return 0;
	struct it *it = calloc(1, sizeof(*it));
	assert_non_null(it);
	it->root = tu_root_new();
	struct be_ctx_opts o = {.root = it->root, .read_only = true};
	struct be_error *err = NULL;
	if (be_ctx_open(&o, &it->ctx, &err) < 0)
		fail_msg("%s", err->msg);
	if (be_ctx_cgroup_layout(it->ctx) != BE_CGROUP_V1) {
		/* v2 hosts: test_cgroup_v2_enforce and the unit test's
		 * fixture cover the backend there. */
		it_why = "v1 only: this host's cgroups are the unified v2 hierarchy "
		         "(test_cgroup_v2_enforce covers it)";
		be_ctx_free(it->ctx);
		tu_root_remove(it->root);
		free(it->root);
		free(it);
		return 0;
	}
	/* Grandchildren (a fork loop's) are reaped here, not left to init. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	*state = it;
	return 0;
}

static char *group_dir(struct it *it, const char *ctl, const char *name)
{
	char *p = NULL;
	if (name)
		assert_true(asprintf(&p, "/sys/fs/cgroup/%s/%s/%s", ctl,
		                     be_ctx_cgroup_parent(it->ctx), name) > 0);
	else
		assert_true(asprintf(&p, "/sys/fs/cgroup/%s/%s", ctl,
		                     be_ctx_cgroup_parent(it->ctx)) > 0);
	return p;
}

static int it_teardown(void **state)
{
	struct it *it = *state;
	if (it == NULL)
		return 0;
	for (size_t i = 0; i < it->nkids; i++)
		kill(it->kids[i], SIGKILL);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		cg_kill_all(it->ctx, names[i], SIGKILL, NULL);
		cg_destroy(it->ctx, names[i], NULL);
	}
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	/* The parent group stays, empty (the v1 backend keeps it): nothing
	 * may be left in it; then it goes. */
	int rc = 0;
	for (size_t i = 0; i < NCTLS; i++) {
		char *p = group_dir(it, ctls[i], NULL);
		if (util_path_exists(p) && rmdir(p) < 0) {
			fprintf(stderr, "left behind: %s\n", p);
			rc = -1;
		}
		free(p);
	}
	be_ctx_free(it->ctx);
	tu_root_remove(it->root);
	free(it->root);
	free(it);
	return rc;
}

#define NEED_IT(it)                                                                                \
	struct it *it = *state;                                                                    \
	if (it == NULL) {                                                                          \
		print_message("skipped: %s\n", it_why);                                            \
		skip();                                                                            \
		return;                                                                            \
	}

static struct kid spawn(struct it *it, void (*body)(int out))
{
	int g[2], o[2];
	assert_int_equal(pipe2(g, O_CLOEXEC), 0);
	assert_int_equal(pipe2(o, O_CLOEXEC), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(g[1]);
		close(o[0]);
		char c;
		if (read(g[0], &c, 1) != 1)
			_exit(2);
		body(o[1]);
		_exit(0);
	}
	close(g[0]);
	close(o[1]);
	assert_true(it->nkids < sizeof(it->kids) / sizeof(it->kids[0]));
	it->kids[it->nkids++] = pid;
	return (struct kid){.pid = pid, .gate = g[1], .out = o[0]};
}

static void release(struct kid *k)
{
	assert_int_equal(write(k->gate, "x", 1), 1);
	close(k->gate);
	k->gate = -1;
}

/* Reads what the kid reports (up to n-1 bytes, or until it closes). */
static void report(struct kid *k, char *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;
	while (got + 1 < n && (r = read(k->out, buf + got, n - 1 - got)) > 0) {
		got += (size_t)r;
		if (memchr(buf, '\n', got))
			break;
	}
	buf[got] = '\0';
}

static void kid_close(struct kid *k)
{
	if (k->gate >= 0)
		close(k->gate);
	close(k->out);
}

static int reap(pid_t pid)
{
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void create(struct it *it, const char *name, const struct be_limits *lim)
{
	struct be_error *err = NULL;
	if (cg_create(it->ctx, name, lim, &err) < 0)
		fail_msg("%s", err->msg);
}

static void attach(struct it *it, const char *name, pid_t pid)
{
	struct be_error *err = NULL;
	if (cg_attach(it->ctx, name, pid, &err) < 0)
		fail_msg("%s", err->msg);
}

/* Asserts that the group's file of controller ctl holds text. */
static void expect_file(struct it *it, const char *ctl, const char *name, const char *file,
                        const char *text)
{
	char *dir = group_dir(it, ctl, name);
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	char *got = tu_read(path);
	if (got == NULL)
		fail_msg("cannot read %s", path);
	got[strcspn(got, "\n")] = '\0';
	if (strcmp(got, text) != 0)
		fail_msg("%s holds \"%s\", want \"%s\"", path, got, text);
	free(got);
	free(dir);
}

static void destroy_and_check(struct it *it, const char *name)
{
	struct be_error *err = NULL;
	if (cg_destroy(it->ctx, name, &err) < 0)
		fail_msg("%s", err->msg);
	for (size_t i = 0; i < NCTLS; i++) {
		char *p = group_dir(it, ctls[i], name);
		assert_false(util_path_exists(p));
		free(p);
	}
}

/* ---- bodies of the children ---------------------------------------------- */

static void body_spin(int out)
{
	(void)out;
	for (volatile unsigned long n = 0;; n++)
		;
}

static void body_sleep(int out)
{
	(void)out;
	for (;;)
		pause();
}

/* Allocates and touches n MiB (through a volatile pointer, so the
 * compiler cannot drop the writes); _exits on allocation failure. */
static void touch_mib(int n)
{
	for (int i = 0; i < n; i++) {
		volatile char *p = malloc(1 << 20);
		if (p == NULL)
			_exit(3);
		for (size_t off = 0; off < (1 << 20); off += 4096)
			p[off] = 1;
	}
}

/* Touches 256 MiB: far past a 32 MiB limit. */
static void body_hog(int out)
{
	(void)out;
	touch_mib(256);
	_exit(0);
}

/* Holds 30 MiB of touched memory. */
static void body_hold30(int out)
{
	touch_mib(30);
	if (write(out, "r\n", 2) != 2)
		_exit(4);
	for (;;)
		pause();
}

/* Tries 60 forks (each child sleeps); reports "ok failed". */
static void body_fork_loop(int out)
{
	int ok = 0, failed = 0;
	for (int i = 0; i < 60; i++) {
		pid_t p = fork();
		if (p == 0) {
			for (;;)
				pause();
		}
		if (p < 0)
			failed++;
		else
			ok++;
	}
	char line[64];
	int n = snprintf(line, sizeof(line), "%d %d\n", ok, failed);
	if (write(out, line, (size_t)n) != n)
		_exit(4);
	for (;;)
		pause();
}

static void *thread_sleep(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/* Starts a second thread, then reports ready. */
static void body_threads(int out)
{
	pthread_t t;
	if (pthread_create(&t, NULL, thread_sleep, NULL) != 0)
		_exit(3);
	if (write(out, "r\n", 2) != 2)
		_exit(4);
	for (;;)
		pause();
}

/* ---- tests ----------------------------------------------------------------- */

static void test_be_cgroup_create_v1_files(void **state)
{
	NEED_IT(it);
	struct be_error *err = NULL;
	struct be_limits lim = {.memory = 32 << 20,
	                        .cpu_quota_us = 50000,
	                        .cpu_period_us = 100000,
	                        .cpu_weight = 100,
	                        .pids_max = 20,
	                        .io_weight = 500};
	create(it, "lim", &lim);
	expect_file(it, "memory", "lim", "memory.limit_in_bytes", "33554432");
	expect_file(it, "memory", "lim", "memory.memsw.limit_in_bytes", "67108864");
	expect_file(it, "cpu", "lim", "cpu.cfs_quota_us", "50000");
	expect_file(it, "cpu", "lim", "cpu.cfs_period_us", "100000");
	expect_file(it, "cpu", "lim", "cpu.shares", "2597");
	expect_file(it, "pids", "lim", "pids.max", "20");
	expect_file(it, "freezer", "lim", "freezer.state", "THAWED");
	/* docker's device rules: the first allow line the kernel lists. */
	expect_file(it, "devices", "lim", "devices.list", "c *:* m");
	/* io weight where the kernel has a file for it (BFQ's here). */
	char *blk = group_dir(it, "blkio", "lim");
	char bfq[4096], cfq[4096];
	snprintf(bfq, sizeof(bfq), "%s/blkio.bfq.weight", blk);
	snprintf(cfq, sizeof(cfq), "%s/blkio.weight", blk);
	bool has = util_path_exists(bfq) || util_path_exists(cfq);
	assert_true(cg_io_weight_supported(it->ctx, "lim") == has);
	if (util_path_exists(cfq))
		expect_file(it, "blkio", "lim", "blkio.weight", "59");
	else if (util_path_exists(bfq))
		expect_file(it, "blkio", "lim", "blkio.bfq.weight", "500");
	free(blk);
	char **paths = NULL;
	size_t n = 0;
	assert_int_equal(cg_paths(it->ctx, "lim", &paths, &n, &err), 0);
	assert_int_equal(n, NCTLS);
	for (size_t i = 0; i < n; i++)
		assert_true(util_path_exists(strchr(paths[i], ':') + 1));
	cg_strv_free(paths);
	assert_int_equal(cg_create(it->ctx, "lim", &lim, &err), -1);
	assert_int_equal(err->errnum, EEXIST);
	assert_non_null(strstr(err->msg, "exists"));
	be_error_clear(&err);
	char **list = NULL;
	assert_int_equal(cg_list(it->ctx, &list, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(list[0], "lim");
	cg_strv_free(list);
	assert_true(cg_is_empty(it->ctx, "lim"));
	destroy_and_check(it, "lim");
	/* The parent group stays for the next container (empty). */
	for (size_t i = 0; i < NCTLS; i++) {
		char *p = group_dir(it, ctls[i], NULL);
		assert_true(util_path_exists(p));
		assert_true(cg_tree_empty(p));
		rmdir(p);
		free(p);
	}
}

static void test_be_cgroup_create_v1_bad_input(void **state)
{
	NEED_IT(it);
	struct be_error *err = NULL;
	struct be_limits none = {0};
	assert_int_equal(cg_create(it->ctx, "a/../b", &none, &err), -1);
	assert_non_null(strstr(err->msg, "invalid container name"));
	be_error_clear(&err);
	struct be_limits bad = {.memory = 1 << 20};
	assert_int_equal(cg_create(it->ctx, "x", &bad, &err), -1);
	assert_non_null(strstr(err->msg, "invalid --memory"));
	be_error_clear(&err);
	/* Nothing made: no parent group, no "b" anywhere it could escape to. */
	for (size_t i = 0; i < NCTLS; i++) {
		char *p = group_dir(it, ctls[i], NULL);
		assert_false(util_path_exists(p));
		free(p);
		char q[256];
		snprintf(q, sizeof(q), "/sys/fs/cgroup/%s/b", ctls[i]);
		assert_false(util_path_exists(q));
	}
}

static void test_be_cgroup_attach_v1_whole_process(void **state)
{
	NEED_IT(it);
	create(it, "thr", &(struct be_limits){0});
	struct kid k = spawn(it, body_threads);
	release(&k);
	char buf[16];
	report(&k, buf, sizeof(buf));
	assert_string_equal(buf, "r\n");
	attach(it, "thr", k.pid);
	/* Both threads moved, in every controller (libcgroup alone would move
	 * one thread through "tasks"). */
	for (size_t i = 0; i < NCTLS; i++) {
		char *dir = group_dir(it, ctls[i], "thr");
		char path[4096];
		snprintf(path, sizeof(path), "%s/tasks", dir);
		char *tasks = tu_read(path);
		assert_non_null(tasks);
		int lines = 0;
		for (char *p = tasks; *p; p++)
			lines += *p == '\n';
		if (lines != 2)
			fail_msg("%s lists %d threads, want 2", path, lines);
		free(tasks);
		free(dir);
	}
	assert_false(cg_is_empty(it->ctx, "thr"));
	struct be_error *err = NULL;
	assert_int_equal(cg_kill_all(it->ctx, "thr", SIGKILL, &err), 0);
	int st = reap(k.pid);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	kid_close(&k);
	destroy_and_check(it, "thr");
}

/* Waits (bounded) until the group has no process left. */
static void wait_empty(struct it *it, const char *name)
{
	for (int i = 0; i < 200 && !cg_is_empty(it->ctx, name); i++)
		cg_sleep_ms(10);
	assert_true(cg_is_empty(it->ctx, name));
}

static void test_be_cgroup_pids_v1_fork_loop(void **state)
{
	NEED_IT(it);
	create(it, "pids", &(struct be_limits){.pids_max = 20});
	struct kid k = spawn(it, body_fork_loop);
	attach(it, "pids", k.pid);
	release(&k);
	char buf[64];
	report(&k, buf, sizeof(buf));
	int ok = -1, failed = -1;
	assert_int_equal(sscanf(buf, "%d %d", &ok, &failed), 2);
	/* The loop itself is one of the 20. */
	assert_true(ok <= 19);
	assert_true(failed >= 41);
	struct cg_state st;
	struct be_error *err = NULL;
	assert_int_equal(cg_state(it->ctx, "pids", &st, &err), 0);
	assert_int_equal(st.pids_max, 20);
	assert_true(st.pids <= 20 && st.pids >= 1);
	/* The host is unaffected: this process still forks. */
	pid_t p = fork();
	if (p == 0)
		_exit(7);
	assert_true(p > 0);
	int s = reap(p);
	assert_true(WIFEXITED(s) && WEXITSTATUS(s) == 7);
	assert_int_equal(cg_kill_all(it->ctx, "pids", SIGKILL, &err), 0);
	reap(k.pid);
	kid_close(&k);
	wait_empty(it, "pids");
	destroy_and_check(it, "pids");
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static void test_be_cgroup_oom_v1_killed(void **state)
{
	NEED_IT(it);
	create(it, "oom", &(struct be_limits){.memory = 32 << 20});
	assert_false(cg_oom_killed(it->ctx, "oom"));
	struct kid k = spawn(it, body_hog);
	attach(it, "oom", k.pid);
	release(&k);
	int st = reap(k.pid);
	kid_close(&k);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGKILL);
	assert_true(cg_oom_killed(it->ctx, "oom"));
	struct cg_state cs;
	assert_int_equal(cg_state(it->ctx, "oom", &cs, NULL), 0);
	assert_true(cs.oom_kills >= 1);
	assert_int_equal(cs.memory_limit, 32 << 20);
	destroy_and_check(it, "oom");
}

static uint64_t cpu_usage(struct it *it, const char *name)
{
	struct cg_state st;
	struct be_error *err = NULL;
	if (cg_state(it->ctx, name, &st, &err) < 0)
		fail_msg("%s", err->msg);
	return st.cpu_usage_ns;
}

static void test_be_cgroup_cpu_v1_quota(void **state)
{
	NEED_IT(it);
	struct be_limits lim = {0};
	struct be_error *err = NULL;
	assert_int_equal(be_limits_parse_cpus("0.5", &lim.cpu_quota_us, &lim.cpu_period_us, &err),
	                 0);
	create(it, "cpu", &lim);
	struct kid k = spawn(it, body_spin);
	attach(it, "cpu", k.pid);
	release(&k);
	cg_sleep_ms(200);
	uint64_t u0 = cpu_usage(it, "cpu"), t0 = util_now_ns();
	cg_sleep_ms(2500);
	uint64_t u1 = cpu_usage(it, "cpu"), t1 = util_now_ns();
	double share = (double)(u1 - u0) / (double)(t1 - t0);
	print_message("spinner under --cpus 0.5 used %.1f%% of a CPU\n", share * 100);
	assert_true(share <= 0.60);
	assert_true(share >= 0.25); /* it did run */
	char *dir = group_dir(it, "cpu", "cpu");
	char path[4096];
	snprintf(path, sizeof(path), "%s/cpu.stat", dir);
	uint64_t throttled = 0;
	assert_int_equal(cg_read_key(path, "nr_throttled", &throttled, &err), 0);
	assert_true(throttled > 0);
	free(dir);
	assert_int_equal(cg_kill_all(it->ctx, "cpu", SIGKILL, &err), 0);
	reap(k.pid);
	kid_close(&k);
	destroy_and_check(it, "cpu");
}

static void test_be_cgroup_freeze_v1_thaw(void **state)
{
	NEED_IT(it);
	struct be_error *err = NULL;
	create(it, "frz", &(struct be_limits){0});
	struct kid k = spawn(it, body_spin);
	attach(it, "frz", k.pid);
	release(&k);
	cg_sleep_ms(100);
	if (cg_freeze(it->ctx, "frz", true, &err) < 0)
		fail_msg("%s", err->msg);
	struct cg_state st;
	assert_int_equal(cg_state(it->ctx, "frz", &st, &err), 0);
	assert_true(st.frozen);
	uint64_t u0 = cpu_usage(it, "frz");
	cg_sleep_ms(300);
	uint64_t u1 = cpu_usage(it, "frz");
	assert_true(u1 - u0 < 5000000); /* still: under 5 ms in 300 */
	assert_int_equal(cg_freeze(it->ctx, "frz", false, &err), 0);
	assert_int_equal(cg_state(it->ctx, "frz", &st, &err), 0);
	assert_false(st.frozen);
	cg_sleep_ms(300);
	assert_true(cpu_usage(it, "frz") - u1 > 50000000); /* runs again */
	assert_int_equal(cg_kill_all(it->ctx, "frz", SIGKILL, &err), 0);
	reap(k.pid);
	kid_close(&k);
	destroy_and_check(it, "frz");
}

static void set_limits(struct it *it, const char *name, const struct be_limits *lim)
{
	struct be_error *err = NULL;
	if (cg_set_limits(it->ctx, name, lim, &err) < 0)
		fail_msg("%s", err->msg);
}

static void test_be_cgroup_set_limits_v1_live(void **state)
{
	NEED_IT(it);
	create(it, "upd", &(struct be_limits){.memory = 32 << 20, .pids_max = 20});
	/* Raising memory past the old memory+swap: memsw must go first. */
	set_limits(it, "upd", &(struct be_limits){.memory = 128 << 20, .pids_max = 10});
	expect_file(it, "memory", "upd", "memory.limit_in_bytes", "134217728");
	expect_file(it, "memory", "upd", "memory.memsw.limit_in_bytes", "268435456");
	expect_file(it, "pids", "upd", "pids.max", "10");
	/* Lowering: memory first. */
	set_limits(it, "upd", &(struct be_limits){.memory = 16 << 20, .cpu_quota_us = 25000});
	expect_file(it, "memory", "upd", "memory.limit_in_bytes", "16777216");
	expect_file(it, "memory", "upd", "memory.memsw.limit_in_bytes", "33554432");
	expect_file(it, "pids", "upd", "pids.max", "max");
	expect_file(it, "cpu", "upd", "cpu.cfs_quota_us", "25000");
	set_limits(it, "upd", &(struct be_limits){.memory = 64 << 20, .memory_swap = -1});
	expect_file(it, "memory", "upd", "memory.limit_in_bytes", "67108864");
	expect_file(it, "memory", "upd", "memory.memsw.limit_in_bytes", "9223372036854771712");
	expect_file(it, "cpu", "upd", "cpu.cfs_quota_us", "-1");
	/* Below what is in use: EBUSY, said plainly, and the limit stays. */
	struct kid k = spawn(it, body_hold30);
	attach(it, "upd", k.pid);
	release(&k);
	char buf[16];
	report(&k, buf, sizeof(buf));
	assert_string_equal(buf, "r\n");
	struct be_error *err = NULL;
	struct be_limits low = {.memory = 8 << 20};
	assert_int_equal(cg_set_limits(it->ctx, "upd", &low, &err), -1);
	print_message("%s\n", err->msg);
	assert_int_equal(err->errnum, EBUSY);
	assert_non_null(strstr(err->msg, "memory limit 8.0 MiB is below current use 3"));
	be_error_clear(&err);
	expect_file(it, "memory", "upd", "memory.limit_in_bytes", "67108864");
	/* A missing group is an error. */
	assert_int_equal(cg_set_limits(it->ctx, "kill", &low, &err), -1);
	assert_non_null(strstr(err->msg, "no cgroup"));
	be_error_clear(&err);
	assert_int_equal(cg_kill_all(it->ctx, "upd", SIGKILL, &err), 0);
	reap(k.pid);
	kid_close(&k);
	destroy_and_check(it, "upd");
}

static void test_be_cgroup_destroy_v1_busy(void **state)
{
	NEED_IT(it);
	struct be_error *err = NULL;
	create(it, "busy", &(struct be_limits){0});
	create(it, "kill", &(struct be_limits){0});
	struct kid k = spawn(it, body_sleep);
	attach(it, "busy", k.pid);
	/* A sub-group, as a container could make in its cgroup namespace. */
	char *mem = group_dir(it, "memory", "busy");
	char sub[4096];
	snprintf(sub, sizeof(sub), "%s/inner", mem);
	assert_int_equal(mkdir(sub, 0755), 0);
	/* Busy: an error after a bounded wait; the task is never moved out. */
	assert_int_equal(cg_v1_ops.destroy(it->ctx, "busy", 100, &err), -1);
	assert_int_equal(err->errnum, EBUSY);
	assert_non_null(strstr(err->msg, "processes are still in"));
	be_error_clear(&err);
	assert_true(util_path_exists(mem));
	char procs[4096], want[32];
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", mem);
	snprintf(want, sizeof(want), "%d\n", (int)k.pid);
	char *got = tu_read(procs);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
	assert_int_equal(cg_kill_all(it->ctx, "busy", SIGKILL, &err), 0);
	reap(k.pid);
	kid_close(&k);
	destroy_and_check(it, "busy");
	assert_false(util_path_exists(sub));
	/* A missing group is fine. */
	assert_int_equal(cg_destroy(it->ctx, "busy", &err), 0);
	destroy_and_check(it, "kill");
	free(mem);
}

static void test_be_cgroup_kill_all_v1_frozen(void **state)
{
	NEED_IT(it);
	struct be_error *err = NULL;
	create(it, "kill", &(struct be_limits){0});
	struct kid a = spawn(it, body_sleep), b = spawn(it, body_spin);
	attach(it, "kill", a.pid);
	attach(it, "kill", b.pid);
	release(&a);
	release(&b);
	assert_int_equal(cg_freeze(it->ctx, "kill", true, &err), 0);
	assert_int_equal(cg_kill_all(it->ctx, "kill", SIGKILL, &err), 0);
	int sa = reap(a.pid), sb = reap(b.pid);
	assert_true(WIFSIGNALED(sa) && WTERMSIG(sa) == SIGKILL);
	assert_true(WIFSIGNALED(sb) && WTERMSIG(sb) == SIGKILL);
	kid_close(&a);
	kid_close(&b);
	struct cg_state st;
	assert_int_equal(cg_state(it->ctx, "kill", &st, &err), 0);
	assert_false(st.frozen);
	wait_empty(it, "kill");
	destroy_and_check(it, "kill");
}

#define IT(t) cmocka_unit_test_setup_teardown(t, it_setup, it_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        IT(test_be_cgroup_create_v1_files),         IT(test_be_cgroup_create_v1_bad_input),
	        IT(test_be_cgroup_attach_v1_whole_process), IT(test_be_cgroup_pids_v1_fork_loop),
	        IT(test_be_cgroup_oom_v1_killed),           IT(test_be_cgroup_cpu_v1_quota),
	        IT(test_be_cgroup_freeze_v1_thaw),          IT(test_be_cgroup_set_limits_v1_live),
	        IT(test_be_cgroup_destroy_v1_busy),         IT(test_be_cgroup_kill_all_v1_frozen),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
