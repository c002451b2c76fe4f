/* Unit tests of the cgroup module: limit parsers and checks on literal
 * strings, libcgroup's error table, the file helpers, and the whole v2
 * backend against a fixture tree that mimics a cgroup2 mount. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "berth.h"
#include "cgroup/cgroup.h"
#include "base/util.h"
#include "testutil.h"

/* Asserts that rc failed and that the message contains want; frees it. */
static void expect_error(int rc, struct be_error **err, const char *want)
{
	assert_int_equal(rc, -1);
	assert_non_null(*err);
	if (strstr((*err)->msg, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", (*err)->msg, want);
	be_error_clear(err);
}

/* ---- parsers ------------------------------------------------------------ */

static void test_be_limits_parse_memory_sizes(void **state)
{
	(void)state;
	struct be_error *err = NULL;
	uint64_t v = 0;
	assert_int_equal(be_limits_parse_memory("32m", &v, &err), 0);
	assert_int_equal(v, 32ull << 20);
	assert_int_equal(be_limits_parse_memory("1g", &v, &err), 0);
	assert_int_equal(v, 1ull << 30);
	assert_int_equal(be_limits_parse_memory("4m", &v, &err), 0);
	assert_int_equal(v, 4ull << 20);
	assert_int_equal(be_limits_parse_memory("4194304", &v, &err), 0);
	assert_int_equal(v, 4194304);
	assert_null(err);
}

static void test_be_limits_parse_memory_bad(void **state)
{
	(void)state;
	struct be_error *err = NULL;
	uint64_t v = 7;
	expect_error(be_limits_parse_memory("abc", &v, &err), &err, "invalid --memory \"abc\"");
	expect_error(be_limits_parse_memory("-1", &v, &err), &err, "invalid --memory \"-1\"");
	expect_error(be_limits_parse_memory("", &v, &err), &err, "invalid --memory");
	expect_error(be_limits_parse_memory(NULL, &v, &err), &err, "invalid --memory");
	expect_error(be_limits_parse_memory("3m", &v, &err), &err, "the minimum is 4m");
	expect_error(be_limits_parse_memory("0", &v, &err), &err, "the minimum is 4m");
	expect_error(be_limits_parse_memory("32x", &v, &err), &err, "invalid --memory");
	expect_error(be_limits_parse_memory("9000000000g", &v, &err), &err, "too large");
	assert_int_equal(v, 7);
}

static void test_be_limits_parse_memory_swap_values(void **state)
{
	(void)state;
	struct be_error *err = NULL;
	int64_t v = 0;
	assert_int_equal(be_limits_parse_memory_swap("-1", &v, &err), 0);
	assert_int_equal(v, -1);
	assert_int_equal(be_limits_parse_memory_swap("64m", &v, &err), 0);
	assert_int_equal(v, 64 << 20);
	expect_error(be_limits_parse_memory_swap("-2", &v, &err), &err, "invalid --memory-swap");
	expect_error(be_limits_parse_memory_swap("1k", &v, &err), &err, "the minimum is 4m");
	expect_error(be_limits_parse_memory_swap("x", &v, &err), &err, "invalid --memory-swap");
}

static void test_be_limits_parse_cpus_n_values(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		uint64_t quota;
	} ok[] = {
	        {"0.5", 50000}, {"1", 100000},   {"2", 200000},       {"0.01", 1000},
	        {".5", 50000},  {"1.5", 150000}, {"0.333333", 33333}, {"0.1234567", 12346},
	        {"1.", 100000}, {"02", 200000},
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct be_error *err = NULL;
		uint64_t q = 0, p = 0;
		if (cg_limits_parse_cpus_n(ok[i].text, 2, &q, &p, &err) < 0)
			fail_msg("\"%s\": %s", ok[i].text, err->msg);
		assert_int_equal(q, ok[i].quota);
		assert_int_equal(p, 100000);
	}
}

static void test_be_limits_parse_cpus_n_bad(void **state)
{
	(void)state;
	static const char *const range[] = {"0", "0.0", "0.009", "3", "2.00001", "100000000"};
	static const char *const form[] = {"1e9", "-1", "nan", "inf",  "",    ".",
	                                   "0x1", " 1", "1 ",  "1.5x", "1,5", "+1"};
	struct be_error *err = NULL;
	uint64_t q = 9, p = 9;
	for (size_t i = 0; i < sizeof(range) / sizeof(range[0]); i++) {
		char want[64];
		snprintf(want, sizeof(want), "invalid --cpus %s: range is 0.01 to 2", range[i]);
		expect_error(cg_limits_parse_cpus_n(range[i], 2, &q, &p, &err), &err, want);
	}
	for (size_t i = 0; i < sizeof(form) / sizeof(form[0]); i++)
		expect_error(cg_limits_parse_cpus_n(form[i], 2, &q, &p, &err), &err,
		             "want a decimal number from 0.01 to 2");
	expect_error(cg_limits_parse_cpus_n(NULL, 2, &q, &p, &err), &err, "invalid --cpus");
	assert_int_equal(q, 9);
	assert_int_equal(p, 9);
}

static void test_be_limits_parse_cpus_online(void **state)
{
	(void)state;
	struct be_error *err = NULL;
	uint64_t q = 0, p = 0;
	assert_int_equal(be_limits_parse_cpus("1", &q, &p, &err), 0);
	assert_int_equal(q, 100000);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	char text[32], want[64];
	snprintf(text, sizeof(text), "%ld.5", n);
	snprintf(want, sizeof(want), "range is 0.01 to %ld", n);
	expect_error(be_limits_parse_cpus(text, &q, &p, &err), &err, want);
	expect_error(be_limits_parse_cpus("1e9", &q, &p, &err), &err, "invalid --cpus");
}

static void test_be_limits_parse_pids_values(void **state)
{
	(void)state;
	struct be_error *err = NULL;
	int64_t v = 0;
	assert_int_equal(be_limits_parse_pids("20", &v, &err), 0);
	assert_int_equal(v, 20);
	assert_int_equal(be_limits_parse_pids("4194304", &v, &err), 0);
	assert_int_equal(v, 4194304);
	static const char *const unlimited[] = {"-1", "max"};
	for (size_t i = 0; i < 2; i++) {
		v = 5;
		assert_int_equal(be_limits_parse_pids(unlimited[i], &v, &err), 0);
		assert_int_equal(v, -1);
	}
	expect_error(be_limits_parse_pids("x", &v, &err), &err, "invalid --pids-limit \"x\"");
	expect_error(be_limits_parse_pids("-5", &v, &err), &err, "invalid --pids-limit");
	expect_error(be_limits_parse_pids("1.5", &v, &err), &err, "invalid --pids-limit");
	expect_error(be_limits_parse_pids("", &v, &err), &err, "invalid --pids-limit");
	expect_error(be_limits_parse_pids("4194305", &v, &err), &err, "range is 1 to 4194304");
	expect_error(be_limits_parse_pids("99999999999999999999", &v, &err), &err, "range is 1");
	/* 0 is not "unlimited": refused with the range. */
	expect_error(be_limits_parse_pids("0", &v, &err), &err,
	             "invalid --pids-limit 0: range is 1 to 4194304, or -1 for unlimited");
	/* Through the option table, each message names its option. */
	struct be_limits lim = {0};
	expect_error(be_limits_set(&lim, "cpu-weight", "0", &err), &err,
	             "invalid --cpu-weight \"0\": want a number from 1 to 10000");
	expect_error(be_limits_set(&lim, "io-weight", "10001", &err), &err,
	             "invalid --io-weight \"10001\": want a number from 1 to 10000");
	expect_error(be_limits_set(&lim, "pids-limit", "0", &err), &err, "invalid --pids-limit 0");
	/* The whole value is shown, however long. */
	const char *long_text = "123456789012345678901234567890123456789012345678901234567890x";
	char want[128];
	snprintf(want, sizeof(want), "\"%s\"", long_text);
	expect_error(be_limits_parse_pids(long_text, &v, &err), &err, want);
}

static void test_be_limits_parse_weight_values(void **state)
{
	(void)state;
	struct be_error *err = NULL;
	uint64_t v = 0;
	assert_int_equal(be_limits_parse_weight("1", &v, &err), 0);
	assert_int_equal(v, 1);
	assert_int_equal(be_limits_parse_weight("10000", &v, &err), 0);
	assert_int_equal(v, 10000);
	static const char *const bad[] = {"0", "10001", "x", "-1", "", "1.0"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_error(be_limits_parse_weight(bad[i], &v, &err), &err, "from 1 to 10000");
}

static void test_be_limits_check_cases(void **state)
{
	(void)state;
	struct be_error *err = NULL;
	struct be_limits ok = {.memory = 32 << 20,
	                       .memory_swap = 64 << 20,
	                       .cpu_quota_us = 50000,
	                       .cpu_period_us = 100000,
	                       .cpu_weight = 100,
	                       .pids_max = 20,
	                       .io_weight = 500};
	assert_int_equal(be_limits_check(&ok, &err), 0);
	struct be_limits none = {0};
	assert_int_equal(be_limits_check(&none, &err), 0);
	struct be_limits l = ok;
	l.memory = 1 << 20;
	expect_error(be_limits_check(&l, &err), &err, "invalid --memory 1.0 MiB");
	l = ok, l.memory = 0;
	expect_error(be_limits_check(&l, &err), &err, "--memory-swap needs --memory");
	l = ok, l.memory_swap = 16 << 20;
	expect_error(be_limits_check(&l, &err), &err, "below --memory");
	l = ok, l.memory_swap = -2;
	expect_error(be_limits_check(&l, &err), &err, "invalid --memory-swap");
	l = ok, l.cpu_period_us = 999;
	expect_error(be_limits_check(&l, &err), &err, "invalid cpu period");
	l = ok, l.cpu_quota_us = 10;
	expect_error(be_limits_check(&l, &err), &err, "invalid cpu quota");
	l = ok, l.cpu_weight = 10001;
	expect_error(be_limits_check(&l, &err), &err, "--cpu-weight");
	l = ok, l.io_weight = 10001;
	expect_error(be_limits_check(&l, &err), &err, "--io-weight");
	l = ok, l.pids_max = -2;
	expect_error(be_limits_check(&l, &err), &err, "--pids-limit");
}

static void test_be_limits_memsw_docker_rules(void **state)
{
	(void)state;
	struct be_limits l = {0};
	assert_true(cg_limits_memsw(&l) == UINT64_MAX);
	l.memory = 32 << 20;
	assert_int_equal(cg_limits_memsw(&l), 64 << 20);
	l.memory_swap = -1;
	assert_true(cg_limits_memsw(&l) == UINT64_MAX);
	l.memory_swap = 48 << 20;
	assert_int_equal(cg_limits_memsw(&l), 48 << 20);
}

static void test_be_cgroup_weight_conversions(void **state)
{
	(void)state;
	assert_int_equal(cg_weight_to_shares(1), 2);
	assert_int_equal(cg_weight_to_shares(10000), 262144);
	assert_int_equal(cg_weight_to_shares(100), 2597);
	assert_int_equal(cg_weight_to_blkio(1), 10);
	assert_int_equal(cg_weight_to_blkio(10000), 1000);
	assert_int_equal(cg_weight_to_blkio(5000), 504);
	assert_int_equal(cg_weight_to_bfq(1), 1);
	assert_int_equal(cg_weight_to_bfq(100), 100);
	assert_int_equal(cg_weight_to_bfq(10000), 1000);
}

static void test_be_cgroup_v1_strerror_table(void **state)
{
	(void)state;
	assert_string_equal(cg_v1_strerror(50000, 0), "libcgroup was built without cgroup support");
	assert_string_equal(cg_v1_strerror(50002, 0), "cgroup does not exist");
	assert_string_equal(cg_v1_strerror(50016, ENOENT), strerror(ENOENT));
	assert_string_equal(cg_v1_strerror(50016, 0), "system call failed");
	/* libcgroup's own table is off by one from here and crashes on 50030. */
	assert_string_equal(cg_v1_strerror(50023, 0), "end of file or iterator");
	assert_string_equal(cg_v1_strerror(50029, 0), "value cannot be set");
	assert_string_equal(cg_v1_strerror(50030, 0), "cgroup is not empty");
	assert_string_equal(cg_v1_strerror(50031, 0), "unknown libcgroup error");
	assert_string_equal(cg_v1_strerror(-3, 0), "unknown libcgroup error");
	assert_string_equal(cg_v1_strerror(EBUSY, 0), strerror(EBUSY));
}

static void test_be_cgroup_read_helpers(void **state)
{
	(void)state;
	char *root = tu_root_new();
	char path[4096];
	struct be_error *err = NULL;
	uint64_t v = 0;
	snprintf(path, sizeof(path), "%s/f", root);
	tu_write(path, "max\n");
	assert_int_equal(cg_read_u64(path, &v, &err), 0);
	assert_true(v == UINT64_MAX);
	tu_write(path, "9223372036854771712\n");
	assert_int_equal(cg_read_u64(path, &v, &err), 0);
	assert_true(v == 9223372036854771712ull);
	tu_write(path, "12x\n");
	expect_error(cg_read_u64(path, &v, &err), &err, "not a number");
	tu_write(path, "oom_kill_disable 0\nunder_oom 0\noom_kill 4\n");
	assert_int_equal(cg_read_key(path, "oom_kill", &v, &err), 0);
	assert_int_equal(v, 4);
	assert_int_equal(cg_read_key(path, "under_oom", &v, &err), 0);
	assert_int_equal(v, 0);
	expect_error(cg_read_key(path, "oom", &v, &err), &err, "no \"oom\" line");
	snprintf(path, sizeof(path), "%s/missing", root);
	expect_error(cg_write(path, "1", &err), &err, "writing");
	assert_false(util_path_exists(path));
	tu_root_remove(root);
	free(root);
}

/* ---- the v2 backend on a fixture tree ------------------------------------ */

struct fx {
	char *tmp;    /* temporary directory holding everything */
	char *cg;     /* the fixture cgroup2 root */
	char *parent; /* cg/<parent group> */
	struct be_ctx *ctx;
	pid_t child; /* a process a test started, killed in teardown */
};

static char *fx_path(struct fx *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *fx_path(struct fx *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *rel = NULL;
	assert_true(vasprintf(&rel, fmt, ap) > 0);
	va_end(ap);
	char *p = NULL;
	assert_true(asprintf(&p, "%s/%s", f->cg, rel) > 0);
	free(rel);
	return p;
}

/* Asserts that file rel (below the fixture root) holds text, ignoring a
 * final newline. */
static void expect_file(struct fx *f, const char *rel, const char *text)
{
	char *p = fx_path(f, "%s", rel);
	char *got = tu_read(p);
	if (got == NULL)
		fail_msg("%s is missing", p);
	size_t n = strlen(got);
	if (n && got[n - 1] == '\n')
		got[n - 1] = '\0';
	if (strcmp(got, text) != 0)
		fail_msg("%s holds \"%s\", want \"%s\"", p, got, text);
	free(got);
	free(p);
}

static void fx_write(struct fx *f, const char *rel, const char *text)
{
	char *p = fx_path(f, "%s", rel);
	tu_write(p, text);
	free(p);
}

/* A fixture root as the kernel shows a v2 root: its controllers, nothing
 * enabled yet. */
static struct fx *fx_new(const char *controllers)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->tmp = tu_root_new();
	assert_true(asprintf(&f->cg, "%s/cgroup", f->tmp) > 0);
	char p[4096];
	snprintf(p, sizeof(p), "%s/cgroup.controllers", f->cg);
	tu_write(p, controllers);
	snprintf(p, sizeof(p), "%s/cgroup.subtree_control", f->cg);
	tu_write(p, "");
	snprintf(p, sizeof(p), "%s/cgroup.procs", f->cg);
	tu_write(p, "");
	snprintf(p, sizeof(p), "%s/state", f->tmp);
	struct be_ctx_opts o = {.root = p, .cgroup_root = f->cg, .read_only = true};
	struct be_error *err = NULL;
	if (be_ctx_open(&o, &f->ctx, &err) < 0)
		fail_msg("%s", err->msg);
	assert_int_equal(be_ctx_cgroup_layout(f->ctx), BE_CGROUP_V2);
	f->parent = fx_path(f, "%s", be_ctx_cgroup_parent(f->ctx));
	return f;
}

static int fx_setup(void **state)
{
	*state = fx_new("cpuset cpu io memory hugetlb pids rdma misc\n");
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;
	if (f == NULL)
		return 0;
	if (f->child > 0) {
		kill(f->child, SIGKILL);
		waitpid(f->child, NULL, 0);
	}
	be_ctx_free(f->ctx);
	tu_root_remove(f->tmp);
	free(f->tmp);
	free(f->cg);
	free(f->parent);
	free(f);
	return 0;
}

static const struct be_limits fx_limits = {
        .memory = 32 << 20,
        .cpu_quota_us = 50000,
        .cpu_period_us = 100000,
        .cpu_weight = 200,
        .pids_max = 20,
        .io_weight = 300,
};

static void fx_create(struct fx *f, const char *name, const struct be_limits *lim)
{
	struct be_error *err = NULL;
	if (cg_create(f->ctx, name, lim, &err) < 0)
		fail_msg("%s", err->msg);
}

static void test_be_cgroup_create_v2_limits(void **state)
{
	struct fx *f = *state;
	const char *par = be_ctx_cgroup_parent(f->ctx);
	char rel[256];
	fx_create(f, "web", &fx_limits);
	/* Controllers enabled in the root and in the parent, in one line. */
	expect_file(f, "cgroup.subtree_control", "+cpu +memory +pids +io");
	snprintf(rel, sizeof(rel), "%s/cgroup.subtree_control", par);
	expect_file(f, rel, "+cpu +memory +pids +io");
	static const char *const want[][2] = {
	        {"memory.max", "33554432"},
	        {"memory.swap.max", "33554432"},
	        {"cpu.max", "50000 100000"},
	        {"cpu.weight", "200"},
	        {"pids.max", "20"},
	        {"io.weight", "default 300"},
	        {"cgroup.controllers", "cpu memory pids io"},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		snprintf(rel, sizeof(rel), "%s/web/%s", par, want[i][0]);
		expect_file(f, rel, want[i][1]);
	}
	assert_true(cg_io_weight_supported(f->ctx, "web"));
}

static void test_be_cgroup_create_v2_defaults(void **state)
{
	struct fx *f = *state;
	struct be_limits lim = {.memory = 64 << 20, .memory_swap = -1};
	fx_create(f, "db", &lim);
	const char *par = be_ctx_cgroup_parent(f->ctx);
	static const char *const want[][2] = {
	        {"memory.max", "67108864"}, {"memory.swap.max", "max"},
	        {"cpu.max", "max 100000"},  {"cpu.weight", "100"},
	        {"pids.max", "max"},        {"io.weight", "default 100"},
	};
	char rel[256];
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		snprintf(rel, sizeof(rel), "%s/db/%s", par, want[i][0]);
		expect_file(f, rel, want[i][1]);
	}
}

static void test_be_cgroup_create_v2_exists(void **state)
{
	struct fx *f = *state;
	struct be_error *err = NULL;
	fx_create(f, "web", &fx_limits);
	assert_int_equal(cg_create(f->ctx, "web", &fx_limits, &err), -1);
	assert_int_equal(err->errnum, EEXIST);
	expect_error(-1, &err, "exists");
}

static void test_be_cgroup_create_v2_bad_input(void **state)
{
	struct fx *f = *state;
	struct be_error *err = NULL;
	static const char *const names[] = {"a/../b", "../x", "..", "", "a b", "-x"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		expect_error(cg_create(f->ctx, names[i], &fx_limits, &err), &err,
		             "invalid container name");
	struct be_limits lim = {.memory = 1 << 20};
	expect_error(cg_create(f->ctx, "web", &lim, &err), &err, "invalid --memory");
	lim = (struct be_limits){.cpu_quota_us = 5};
	expect_error(cg_create(f->ctx, "web", &lim, &err), &err, "cpu quota");
	/* Nothing was made, not even the parent or a controller switch. */
	assert_false(util_path_exists(f->parent));
	expect_file(f, "cgroup.subtree_control", "");
}

static void test_be_cgroup_create_v2_undo(void **state)
{
	(void)state;
	/* No memory controller on this host: a memory limit cannot be set,
	 * and what create made is removed again. */
	struct fx *f = fx_new("cpu pids\n");
	struct be_error *err = NULL;
	int rc = cg_create(f->ctx, "web", &fx_limits, &err);
	char want[128];
	snprintf(want, sizeof(want), "creating cgroup %s/web: ", be_ctx_cgroup_parent(f->ctx));
	expect_error(rc, &err, want);
	assert_false(util_path_exists(f->parent));
	/* Without limits needing them, missing controllers are fine; io weight
	 * is then ignored, which the caller can tell. */
	struct be_limits lim = {.pids_max = 5, .io_weight = 50};
	fx_create(f, "web", &lim);
	assert_false(cg_io_weight_supported(f->ctx, "web"));
	char rel[256];
	snprintf(rel, sizeof(rel), "%s/web/pids.max", be_ctx_cgroup_parent(f->ctx));
	expect_file(f, rel, "5");
	void *fs = f;
	fx_teardown(&fs);
}

static void test_be_cgroup_set_limits_v2_live(void **state)
{
	struct fx *f = *state;
	struct be_error *err = NULL;
	fx_create(f, "web", &fx_limits);
	struct be_limits lim = {.memory = 128 << 20, .memory_swap = 192 << 20, .pids_max = -1};
	assert_int_equal(cg_set_limits(f->ctx, "web", &lim, &err), 0);
	const char *par = be_ctx_cgroup_parent(f->ctx);
	static const char *const want[][2] = {
	        {"memory.max", "134217728"},
	        {"memory.swap.max", "67108864"},
	        {"cpu.max", "max 100000"},
	        {"pids.max", "max"},
	};
	char rel[256];
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		snprintf(rel, sizeof(rel), "%s/web/%s", par, want[i][0]);
		expect_file(f, rel, want[i][1]);
	}
	expect_error(cg_set_limits(f->ctx, "nope", &lim, &err), &err, "no cgroup");
	lim.memory_swap = 64 << 20;
	expect_error(cg_set_limits(f->ctx, "web", &lim, &err), &err, "below --memory");
	expect_file(f, rel, "max");
}

static void test_be_cgroup_attach_v2_procs(void **state)
{
	struct fx *f = *state;
	struct be_error *err = NULL;
	fx_create(f, "web", &fx_limits);
	assert_int_equal(cg_attach(f->ctx, "web", getpid(), &err), 0);
	char rel[256];
	char pid[16];
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	snprintf(rel, sizeof(rel), "%s/web/cgroup.procs", be_ctx_cgroup_parent(f->ctx));
	expect_file(f, rel, pid);
	expect_error(cg_attach(f->ctx, "nope", getpid(), &err), &err, "no cgroup");
	expect_error(cg_attach(f->ctx, "web", 0, &err), &err, "attaching pid 0");
}

/* Replaces a fixture file whole (rename), as a reader must never see it
 * half-written; usable from a forked child. */
static void fx_replace(const char *path, const char *text)
{
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	FILE *fp = fopen(tmp, "w");
	if (fp == NULL)
		_exit(3);
	fputs(text, fp);
	fclose(fp);
	if (rename(tmp, path) < 0)
		_exit(4);
}

static void test_be_cgroup_freeze_v2_waits(void **state)
{
	struct fx *f = *state;
	struct be_error *err = NULL;
	fx_create(f, "web", &fx_limits);
	const char *par = be_ctx_cgroup_parent(f->ctx);
	char rel[256];
	snprintf(rel, sizeof(rel), "%s/web/cgroup.events", par);
	char *events = fx_path(f, "%s", rel);
	/* The "kernel" reports frozen only a little later. */
	f->child = fork();
	assert_true(f->child >= 0);
	if (f->child == 0) {
		usleep(80 * 1000);
		fx_replace(events, "populated 1\nfrozen 1\n");
		_exit(0);
	}
	if (cg_freeze(f->ctx, "web", true, &err) < 0)
		fail_msg("%s", err->msg);
	int status;
	assert_int_equal(waitpid(f->child, &status, 0), f->child);
	f->child = 0;
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	snprintf(rel, sizeof(rel), "%s/web/cgroup.freeze", par);
	expect_file(f, rel, "1");
	struct cg_state st;
	assert_int_equal(cg_state(f->ctx, "web", &st, &err), 0);
	assert_true(st.frozen);
	/* Nobody reports thawed: a bounded wait, then an error. */
	expect_error(cg_v2_ops.freeze(f->ctx, "web", false, 60, &err), &err,
	             "not reported thawed after 60 ms");
	expect_file(f, rel, "0");
	fx_replace(events, "populated 1\nfrozen 0\n");
	assert_int_equal(cg_freeze(f->ctx, "web", false, &err), 0);
	expect_error(cg_freeze(f->ctx, "nope", true, &err), &err, "no cgroup");
	free(events);
}

static void test_be_cgroup_state_v2_counters(void **state)
{
	struct fx *f = *state;
	struct be_error *err = NULL;
	struct cg_state st;
	assert_int_equal(cg_state(f->ctx, "web", &st, &err), 0);
	assert_false(st.exists);
	assert_false(cg_oom_killed(f->ctx, "web"));
	fx_create(f, "web", &fx_limits);
	assert_int_equal(cg_state(f->ctx, "web", &st, &err), 0);
	assert_true(st.exists);
	assert_false(st.frozen);
	assert_int_equal(st.oom_kills, 0);
	assert_false(cg_oom_killed(f->ctx, "web"));
	const char *par = be_ctx_cgroup_parent(f->ctx);
	static const char *const files[][2] = {
	        {"memory.events", "low 0\nhigh 0\nmax 9\noom 2\noom_kill 3\n"},
	        {"memory.current", "1000\n"},
	        {"pids.current", "5\n"},
	        {"cpu.stat", "usage_usec 12\nuser_usec 10\n"},
	        {"cgroup.events", "populated 1\nfrozen 1\n"},
	};
	char rel[256];
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(rel, sizeof(rel), "%s/web/%s", par, files[i][0]);
		fx_write(f, rel, files[i][1]);
	}
	assert_int_equal(cg_state(f->ctx, "web", &st, &err), 0);
	assert_true(st.frozen);
	assert_int_equal(st.oom_kills, 3);
	assert_int_equal(st.memory_limit, 32 << 20);
	assert_int_equal(st.memory_usage, 1000);
	assert_int_equal(st.pids_max, 20);
	assert_int_equal(st.pids, 5);
	assert_int_equal(st.cpu_usage_ns, 12000);
	assert_true(cg_oom_killed(f->ctx, "web"));
	expect_error(cg_state(f->ctx, "../x", &st, &err), &err, "invalid container name");
}

/* A child that waits for signals; teardown kills it if the test fails. */
static pid_t fx_spawn_sleeper(struct fx *f)
{
	f->child = fork();
	assert_true(f->child >= 0);
	if (f->child == 0) {
		for (;;)
			pause();
	}
	return f->child;
}

static void test_be_cgroup_kill_all_v2_tree(void **state)
{
	struct fx *f = *state;
	struct be_error *err = NULL;
	fx_create(f, "web", &fx_limits);
	const char *par = be_ctx_cgroup_parent(f->ctx);
	char rel[256];
	snprintf(rel, sizeof(rel), "%s/web/cgroup.kill", par);
	assert_int_equal(cg_kill_all(f->ctx, "web", SIGKILL, &err), 0);
	expect_file(f, rel, "1");
	/* Without cgroup.kill, or for another signal: every pid of the group
	 * and of its sub-groups. */
	char *p = fx_path(f, "%s", rel);
	assert_int_equal(unlink(p), 0);
	free(p);
	pid_t pid = fx_spawn_sleeper(f);
	char text[32];
	snprintf(text, sizeof(text), "%d\n", (int)pid);
	snprintf(rel, sizeof(rel), "%s/web/inner/cgroup.procs", par);
	fx_write(f, rel, text);
	assert_false(cg_is_empty(f->ctx, "web"));
	assert_int_equal(cg_kill_all(f->ctx, "web", SIGTERM, &err), 0);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	f->child = 0;
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	fx_write(f, rel, "");
	assert_true(cg_is_empty(f->ctx, "web"));
	assert_true(cg_is_empty(f->ctx, "nope"));
	assert_int_equal(cg_kill_all(f->ctx, "nope", SIGKILL, &err), 0);
}

static void test_be_cgroup_destroy_v2_busy_then_gone(void **state)
{
	struct fx *f = *state;
	struct be_error *err = NULL;
	fx_create(f, "web", &fx_limits);
	fx_create(f, "db", &fx_limits);
	const char *par = be_ctx_cgroup_parent(f->ctx);
	char rel[256], text[32];
	snprintf(text, sizeof(text), "%d", (int)getpid());
	snprintf(rel, sizeof(rel), "%s/web/inner/cgroup.procs", par);
	fx_write(f, rel, text);
	/* Busy: a bounded wait, an error, and tasks are never moved out. */
	expect_error(cg_v2_ops.destroy(f->ctx, "web", 50, &err), &err, "processes are still in");
	expect_file(f, rel, text);
	fx_write(f, rel, "");
	char *dir = fx_path(f, "%s/web", par);
	assert_true(util_path_exists(dir));
	assert_int_equal(cg_destroy(f->ctx, "web", &err), 0);
	assert_false(util_path_exists(dir));
	/* The parent stays while db is there, and goes with it. */
	assert_true(util_path_exists(f->parent));
	assert_int_equal(cg_destroy(f->ctx, "db", &err), 0);
	assert_false(util_path_exists(f->parent));
	/* Missing is success. */
	assert_int_equal(cg_destroy(f->ctx, "db", &err), 0);
	assert_null(err);
	free(dir);
}

static void test_be_cgroup_list_v2_names(void **state)
{
	struct fx *f = *state;
	struct be_error *err = NULL;
	char **names = NULL;
	size_t n = 9;
	assert_int_equal(cg_list(f->ctx, &names, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_null(names[0]);
	cg_strv_free(names);
	fx_create(f, "web", &fx_limits);
	fx_create(f, "db", &fx_limits);
	char *junk = fx_path(f, "%s/.junk", be_ctx_cgroup_parent(f->ctx));
	assert_int_equal(mkdir(junk, 0755), 0);
	assert_int_equal(cg_list(f->ctx, &names, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(names[0], "db");
	assert_string_equal(names[1], "web");
	assert_null(names[2]);
	cg_strv_free(names);
	assert_int_equal(rmdir(junk), 0);
	free(junk);
}

static void test_be_cgroup_paths_v2_unified(void **state)
{
	struct fx *f = *state;
	struct be_error *err = NULL;
	char **paths = NULL;
	size_t n = 0;
	assert_int_equal(cg_paths(f->ctx, "web", &paths, &n, &err), 0);
	assert_int_equal(n, 1);
	char *want = NULL;
	assert_true(asprintf(&want, "unified:%s/web", f->parent) > 0);
	assert_string_equal(paths[0], want);
	free(want);
	cg_strv_free(paths);
	expect_error(cg_paths(f->ctx, "a/b", &paths, &n, &err), &err, "invalid");
	assert_null(paths);
}

static void test_be_cgroup_create_no_layout(void **state)
{
	(void)state;
	char *tmp = tu_root_new();
	struct be_ctx_opts o = {.root = tmp, .cgroup_root = tmp, .read_only = true};
	struct be_ctx *ctx = NULL;
	struct be_error *err = NULL;
	assert_int_equal(be_ctx_open(&o, &ctx, &err), 0);
	expect_error(cg_create(ctx, "web", &fx_limits, &err), &err, "no cgroup filesystem");
	be_ctx_free(ctx);
	tu_root_remove(tmp);
	free(tmp);
}

/* A v1-looking fixture must never lead libcgroup to the real hierarchy. */
static void test_be_cgroup_create_v1_fixture_refused(void **state)
{
	(void)state;
	char *tmp = tu_root_new();
	char p[4096];
	snprintf(p, sizeof(p), "%s/memory/cgroup.procs", tmp);
	tu_write(p, "");
	struct be_ctx_opts o = {.root = tmp, .cgroup_root = tmp, .read_only = true};
	struct be_ctx *ctx = NULL;
	struct be_error *err = NULL;
	assert_int_equal(be_ctx_open(&o, &ctx, &err), 0);
	assert_int_equal(be_ctx_cgroup_layout(ctx), BE_CGROUP_V1);
	assert_int_equal(cg_create(ctx, "web", &fx_limits, &err), -1);
	assert_non_null(err);
	be_error_clear(&err);
	struct tu_out out = {0};
	tu_sh(&out, "ls -d /sys/fs/cgroup/*/%s 2>/dev/null", be_ctx_cgroup_parent(ctx));
	assert_string_equal(out.out, "");
	tu_out_free(&out);
	be_ctx_free(ctx);
	tu_root_remove(tmp);
	free(tmp);
}

#define FX(t) cmocka_unit_test_setup_teardown(t, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_be_limits_parse_memory_sizes),
	        cmocka_unit_test(test_be_limits_parse_memory_bad),
	        cmocka_unit_test(test_be_limits_parse_memory_swap_values),
	        cmocka_unit_test(test_be_limits_parse_cpus_n_values),
	        cmocka_unit_test(test_be_limits_parse_cpus_n_bad),
	        cmocka_unit_test(test_be_limits_parse_cpus_online),
	        cmocka_unit_test(test_be_limits_parse_pids_values),
	        cmocka_unit_test(test_be_limits_parse_weight_values),
	        cmocka_unit_test(test_be_limits_check_cases),
	        cmocka_unit_test(test_be_limits_memsw_docker_rules),
	        cmocka_unit_test(test_be_cgroup_weight_conversions),
	        cmocka_unit_test(test_be_cgroup_v1_strerror_table),
	        cmocka_unit_test(test_be_cgroup_read_helpers),
	        FX(test_be_cgroup_create_v2_limits),
	        FX(test_be_cgroup_create_v2_defaults),
	        FX(test_be_cgroup_create_v2_exists),
	        FX(test_be_cgroup_create_v2_bad_input),
	        cmocka_unit_test(test_be_cgroup_create_v2_undo),
	        FX(test_be_cgroup_set_limits_v2_live),
	        FX(test_be_cgroup_attach_v2_procs),
	        FX(test_be_cgroup_freeze_v2_waits),
	        FX(test_be_cgroup_state_v2_counters),
	        FX(test_be_cgroup_kill_all_v2_tree),
	        FX(test_be_cgroup_destroy_v2_busy_then_gone),
	        FX(test_be_cgroup_list_v2_names),
	        FX(test_be_cgroup_paths_v2_unified),
	        cmocka_unit_test(test_be_cgroup_create_no_layout),
	        cmocka_unit_test(test_be_cgroup_create_v1_fixture_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
