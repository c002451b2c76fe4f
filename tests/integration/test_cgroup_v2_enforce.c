/* cgroup v2 limits enforced by a real kernel, through the berth binary: OOM
 * under memory.max, throttling under cpu.max, pids.max held, `update` live,
 * pause and resume by cgroup.freeze, pressure (PSI) per container, and
 * nothing left under /sys/fs/cgroup after.  Only a pure v2 host can run
 * them (`make test-v2` boots one in qemu); elsewhere each test skips and
 * says why. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "berth.h"
#include "testutil.h"

#define CGROOT "/sys/fs/cgroup"
#define CGROUP2_MAGIC 0x63677270

/* Every container a test may make, removed in teardown. */
static const char *const names[] = {"oom", "thr", "pids", "upd", "frz", "psi"};

struct fx {
	char *root;
	char parent[64];
};

static struct fx *F;
static const char *why_skip = "not run";

static int group_setup(void **state)
{
	(void)state;
	struct statfs sf;
	if (!tu_is_root()) {
		why_skip = "needs root";
		return 0;
	}
	if (statfs(CGROOT, &sf) < 0 || sf.f_type != CGROUP2_MAGIC) {
		why_skip = "not a pure cgroup v2 host (" CGROOT " is not cgroup2; "
		           "make test-v2 boots one)";
		return 0;
	}
	F = calloc(1, sizeof(*F));
	assert_non_null(F);
	F->root = tu_demo_root_new();
	if (F->root == NULL)
		return -1;
	struct be_ctx_opts o = {.root = F->root};
	struct be_ctx *ctx = NULL;
	if (be_ctx_open(&o, &ctx, NULL) < 0)
		return -1;
	snprintf(F->parent, sizeof(F->parent), "%s", be_ctx_cgroup_parent(ctx));
	be_ctx_free(ctx);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (F == NULL)
		return 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		tu_berthl(NULL, F->root, "rm", "-f", names[i], NULL);
	tu_root_remove(F->root);
	free(F->root);
	free(F);
	F = NULL;
	return 0;
}

static void need_v2(void)
{
	if (F == NULL) {
		print_message("skipped: %s\n", why_skip);
		skip();
	}
}

/* /sys/fs/cgroup/PARENT/NAME/FILE (caller frees). */
static char *cg_path(const char *name, const char *file)
{
	char *p = NULL;
	assert_true(asprintf(&p, CGROOT "/%s/%s/%s", F->parent, name, file) > 0);
	return p;
}

/* The file's first line, without its newline (caller frees); fails the
 * test when it cannot be read. */
static char *cg_line(const char *name, const char *file)
{
	char *p = cg_path(name, file);
	char *t = tu_read(p);
	if (t == NULL)
		fail_msg("cannot read %s", p);
	free(p);
	t[strcspn(t, "\n")] = '\0';
	return t;
}

static void expect_line(const char *name, const char *file, const char *want)
{
	char *got = cg_line(name, file);
	if (strcmp(got, want) != 0)
		fail_msg("%s/%s holds \"%s\", want \"%s\"", name, file, got, want);
	free(got);
}

/* The number after "key " in a keyed file (cpu.stat, pids.events...). */
static unsigned long long cg_key(const char *name, const char *file, const char *key)
{
	char *p = cg_path(name, file);
	char *t = tu_read(p);
	if (t == NULL)
		fail_msg("cannot read %s", p);
	size_t klen = strlen(key);
	for (char *line = t; line && *line;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (strncmp(line, key, klen) == 0 && line[klen] == ' ') {
			unsigned long long v = strtoull(line + klen + 1, NULL, 10);
			free(t);
			free(p);
			return v;
		}
	fail_msg("%s has no \"%s\" line", p, key);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *inspect(const char *name)
{
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, F->root, "inspect", name, NULL), 0);
	free(o.err);
	return o.out;
}

static void run_d(const char *const *argv)
{
	struct tu_out o = {0};
	int r = tu_berth(&o, F->root, argv);
	if (r != 0)
		fail_msg("berth %s: %d %s", argv[0], r, o.err);
	tu_out_free(&o);
}
#define RUN_D(...) run_d((const char *[]){"run", "-d", __VA_ARGS__, NULL})

/* A container touching 128 MiB under memory.max 32m (no swap) is killed by
 * the kernel's OOM killer; berth reports 137 and oom_killed. */
static void test_v2_oom_memory_max(void **state)
{
	(void)state;
	need_v2();
	/* It waits for /go, so the limits can be read while it lives. */
	RUN_D("--name", "oom", "--memory", "32m", "--memory-swap", "32m", "demo", "sh", "-c",
	      "while [ ! -e /go ]; do sleep 0.1; done; "
	      "dd if=/dev/zero of=/dev/null bs=128M count=1");
	expect_line("oom", "memory.max", "33554432");
	expect_line("oom", "memory.swap.max", "0");
	assert_int_equal(cg_key("oom", "memory.events", "oom_kill"), 0);
	TU_OK(F->root, "exec", "oom", "touch", "/go");
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, F->root, "wait", "oom", NULL), 0);
	assert_string_equal(o.out, "137\n");
	tu_out_free(&o);
	char *j = inspect("oom");
	assert_non_null(strstr(j, "\"oom_killed\": true"));
	free(j);
	TU_OK(F->root, "rm", "oom");
}

/* A spinner under --cpus 0.2: cpu.max says so, nr_throttled grows, and it
 * gets about a fifth of a CPU. */
static void test_v2_cpu_max_throttles(void **state)
{
	(void)state;
	need_v2();
	RUN_D("--name", "thr", "--cpus", "0.2", "demo", "sh", "-c", "while :; do :; done");
	expect_line("thr", "cpu.max", "20000 100000");
	usleep(300 * 1000);
	unsigned long long n0 = cg_key("thr", "cpu.stat", "nr_throttled");
	unsigned long long u0 = cg_key("thr", "cpu.stat", "usage_usec");
	double t0 = now_s();
	sleep(2);
	unsigned long long n1 = cg_key("thr", "cpu.stat", "nr_throttled");
	unsigned long long u1 = cg_key("thr", "cpu.stat", "usage_usec");
	double share = (double)(u1 - u0) / 1e6 / (now_s() - t0);
	print_message("cpu.max 20000 100000: %.3f of a CPU, throttled %llu -> %llu\n", share, n0,
	              n1);
	assert_true(n1 > n0);
	assert_true(share > 0.05 && share < 0.3);
	TU_OK(F->root, "rm", "-f", "thr");
}

/* --pids-limit 10: pids.max holds it; forks past it fail (pids.events
 * counts them) and the container's init lives on. */
static void test_v2_pids_max_held(void **state)
{
	(void)state;
	need_v2();
	RUN_D("--name", "pids", "--pids-limit", "10", "demo", "sleep", "1000");
	expect_line("pids", "pids.max", "10");
	assert_int_equal(cg_key("pids", "pids.events", "max"), 0);
	struct tu_out o = {0};
	int r = tu_berthl(&o, F->root, "exec", "pids", "sh", "-c",
	                  "for i in $(seq 30); do sleep 1000 >/dev/null 2>&1 & done; wait", NULL);
	print_message("exec of 30 forks under pids.max 10: exit %d, %s", r, o.err);
	assert_int_not_equal(r, 0);
	tu_out_free(&o);
	char *line = cg_line("pids", "pids.current");
	unsigned long long cur = strtoull(line, NULL, 10);
	free(line);
	assert_true(cur >= 2 && cur <= 10);
	assert_true(cg_key("pids", "pids.events", "max") > 0);
	char *j = inspect("pids");
	assert_non_null(strstr(j, "\"status\": \"running\""));
	free(j);
	TU_OK(F->root, "rm", "-f", "pids");
}

/* update changes the files of a running container; a memory limit below
 * what it uses is refused (the kernel would OOM-kill it) and changes
 * nothing. */
static void test_v2_update_live(void **state)
{
	(void)state;
	need_v2();
	RUN_D("--name", "upd", "--memory", "64m", "demo", "sh", "-c",
	      "dd if=/dev/zero of=/dev/shm/fill bs=1M count=20 2>/dev/null; touch /ready; "
	      "sleep 1000");
	expect_line("upd", "memory.max", "67108864");
	expect_line("upd", "pids.max", "max");
	expect_line("upd", "cpu.max", "max 100000");
	TU_OK(F->root, "update", "--memory", "128m", "--cpus", "0.5", "--pids-limit", "50",
	      "--cpu-weight", "300", "upd");
	expect_line("upd", "memory.max", "134217728");
	expect_line("upd", "memory.swap.max", "134217728");
	expect_line("upd", "cpu.max", "50000 100000");
	expect_line("upd", "cpu.weight", "300");
	expect_line("upd", "pids.max", "50");
	/* Wait until its /dev/shm (tmpfs: no swap, nothing to reclaim) holds
	 * 20 MiB charged to it. */
	bool ready = false;
	for (int i = 0; i < 300 && !ready; i++) {
		ready = tu_berthl(NULL, F->root, "exec", "upd", "test", "-e", "/ready", NULL) == 0;
		if (!ready)
			usleep(100 * 1000);
	}
	assert_true(ready);
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, F->root, "update", "--memory", "8m", "upd", NULL), 125);
	assert_non_null(strstr(o.err, "below current use"));
	tu_out_free(&o);
	expect_line("upd", "memory.max", "134217728");
	assert_int_equal(cg_key("upd", "memory.events", "oom_kill"), 0);
	char *j = inspect("upd");
	assert_non_null(strstr(j, "\"status\": \"running\""));
	assert_non_null(strstr(j, "\"memory_bytes\": 134217728"));
	free(j);
	TU_OK(F->root, "rm", "-f", "upd");
}

/* pause writes cgroup.freeze; the kernel reports frozen and the spinner's
 * CPU time stands still; resume thaws it. */
static void test_v2_pause_freeze(void **state)
{
	(void)state;
	need_v2();
	RUN_D("--name", "frz", "demo", "sh", "-c", "while :; do :; done");
	expect_line("frz", "cgroup.freeze", "0");
	TU_OK(F->root, "pause", "frz");
	expect_line("frz", "cgroup.freeze", "1");
	assert_int_equal(cg_key("frz", "cgroup.events", "frozen"), 1);
	char *j = inspect("frz");
	assert_non_null(strstr(j, "\"status\": \"paused\""));
	free(j);
	unsigned long long u0 = cg_key("frz", "cpu.stat", "usage_usec");
	usleep(500 * 1000);
	unsigned long long u1 = cg_key("frz", "cpu.stat", "usage_usec");
	assert_true(u1 - u0 < 5000); /* under 5 ms of CPU in 0.5 s */
	TU_OK(F->root, "resume", "frz");
	expect_line("frz", "cgroup.freeze", "0");
	assert_int_equal(cg_key("frz", "cgroup.events", "frozen"), 0);
	usleep(500 * 1000);
	assert_true(cg_key("frz", "cpu.stat", "usage_usec") - u1 > 50000);
	TU_OK(F->root, "rm", "-f", "frz");
}

/* Each container has its own pressure files, and berth stats reports them. */
static void test_v2_psi_per_container(void **state)
{
	(void)state;
	need_v2();
	RUN_D("--name", "psi", "--cpus", "0.1", "demo", "sh", "-c", "while :; do :; done");
	static const char *const files[] = {"cpu.pressure", "memory.pressure", "io.pressure"};
	for (size_t i = 0; i < 3; i++) {
		char *line = cg_line("psi", files[i]);
		if (strncmp(line, "some avg10=", 11) != 0)
			fail_msg("psi/%s: \"%s\"", files[i], line);
		free(line);
	}
	struct tu_out o = {0};
	int r = tu_berthl(&o, F->root, "stats", "--no-stream", "--json", "--interval", "1", "psi",
	                  NULL);
	if (r != 0)
		fail_msg("berth stats: %d %s", r, o.err);
	json_t *j = json_loads(o.out, JSON_DISABLE_EOF_CHECK, NULL);
	if (j == NULL || !json_is_object(j))
		fail_msg("berth stats --json: %s", o.out);
	assert_string_equal(json_string_value(json_object_get(j, "name")), "psi");
	/* A number (percent of time), not null: the kernel gave pressure. */
	json_t *cpu = json_object_get(j, "psi_cpu_some_avg10");
	if (!json_is_number(cpu))
		fail_msg("psi_cpu_some_avg10 is not a number: %s", o.out);
	assert_true(json_is_integer(json_object_get(j, "psi_memory_some_total_us")));
	assert_true(json_is_integer(json_object_get(j, "psi_io_some_total_us")));
	print_message("psi of a spinner under --cpus 0.1: cpu some avg10 %.2f, total %lld us\n",
	              json_number_value(cpu),
	              (long long)json_integer_value(json_object_get(j, "psi_cpu_some_total_us")));
	json_decref(j);
	tu_out_free(&o);
	TU_OK(F->root, "rm", "-f", "psi");
}

/* After the containers went: no group of this root anywhere. */
static void test_v2_nothing_left(void **state)
{
	(void)state;
	need_v2();
	TU_OK(F->root, "ps", "-a");
	char dir[256];
	snprintf(dir, sizeof(dir), CGROOT "/%s", F->parent);
	if (access(dir, F_OK) == 0 || errno != ENOENT)
		fail_msg("%s is still there", dir);
	assert_int_equal(tu_count("find " CGROOT " -type d -name '%s' | wc -l", F->parent), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_v2_oom_memory_max),
	        cmocka_unit_test(test_v2_cpu_max_throttles),
	        cmocka_unit_test(test_v2_pids_max_held),
	        cmocka_unit_test(test_v2_update_live),
	        cmocka_unit_test(test_v2_pause_freeze),
	        cmocka_unit_test(test_v2_psi_per_container),
	        cmocka_unit_test(test_v2_nothing_left),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
