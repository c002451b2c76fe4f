/* Tests of backend/stats/explain.c on the fixture trees (v1 and v2): the
 * file each number comes from, the raw values of the last two samples, the
 * interval, the formula; a rewritten counter shows in "now" and the shown
 * CPU% follows from the two raw values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "berth.h"
#include "testutil.h"

#define D1 "1111111111111111111111111111111111111111111111111111111111111111"

struct fx {
	char *root;
	char cg[600], proc[600];
	struct be_ctx *ctx;
	struct be_monitor *mon;
};

static struct fx *open_fixture(const char *tree)
{
	const char *src = getenv("BERTH_SRC");
	if (src == NULL || *src == '\0')
		src = ".";
	struct fx *fx = calloc(1, sizeof(*fx));
	fx->root = tu_root_new();
	snprintf(fx->cg, sizeof(fx->cg), "%s/cg", fx->root);
	snprintf(fx->proc, sizeof(fx->proc), "%s/proc", fx->root);
	assert_int_equal(
	        tu_sh(NULL,
	              "cp -a '%s/tests/fixtures/%s' '%s' && cp -a '%s/tests/fixtures/proc' '%s'",
	              src, tree, fx->cg, src, fx->proc),
	        0);
	struct be_ctx_opts o = {
	        .root = fx->root, .cgroup_root = fx->cg, .proc_root = fx->proc, .read_only = true};
	assert_int_equal(be_ctx_open(&o, &fx->ctx, NULL), 0);
	fx->mon = be_monitor_new(fx->ctx, NULL, NULL);
	assert_non_null(fx->mon);
	return fx;
}

static int teardown(void **state)
{
	struct fx *fx = *state;
	if (fx == NULL)
		return 0;
	be_monitor_free(fx->mon);
	be_ctx_free(fx->ctx);
	tu_root_remove(fx->root);
	free(fx->root);
	free(fx);
	return 0;
}

static int setup_v2(void **state)
{
	*state = open_fixture("cgroup-v2");
	return 0;
}

static int setup_v1(void **state)
{
	*state = open_fixture("cgroup-v1");
	return 0;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);
	return a >= b && strcmp(s + a - b, tail) == 0;
}

static void test_be_explain_cpu_v2(void **state)
{
	struct fx *fx = *state;
	assert_int_equal(be_monitor_refresh(fx->mon, NULL), 0);
	/* +0.5 s of CPU between the two samples. */
	assert_int_equal(
	        tu_sh(NULL,
	              "printf 'usage_usec 1500000\\nuser_usec 900000\\nsystem_usec 600000\\n"
	              "nr_periods 20\\nnr_throttled 6\\nthrottled_usec 10000\\n' > "
	              "'%s/system.slice/docker-" D1 ".scope/cpu.stat'",
	              fx->cg),
	        0);
	assert_int_equal(be_monitor_refresh(fx->mon, NULL), 0);
	const struct be_item *it = be_monitor_find(fx->mon, "111111111111");
	assert_non_null(it);
	struct be_explain e;
	assert_int_equal(be_explain(fx->mon, it, "cpu", &e, NULL), 0);
	assert_true(ends_with(e.source, "/system.slice/docker-" D1 ".scope/cpu.stat"));
	assert_string_equal(e.raw_before, "1000000000");
	assert_string_equal(e.raw_now, "1500000000");
	assert_non_null(strstr(e.formula, "usage_usec"));
	assert_true(e.interval_s > 0);
	double want = 0.5 / e.interval_s * 100;
	assert_true(atof(e.shown) > want * 0.99 - 0.05 && atof(e.shown) < want * 1.01 + 0.05);
	assert_int_equal(be_explain(fx->mon, it, "throttled", &e, NULL), 0);
	assert_string_equal(e.raw_now, "6 of 20");
	assert_int_equal(be_explain(fx->mon, it, "mem", &e, NULL), 0);
	assert_true(ends_with(e.source, "/memory.current"));
	assert_string_equal(e.raw_before, "");
	assert_string_equal(e.raw_now, "16777216"); /* item 1: 16 MiB */
	char *json = be_explain_json(fx->mon, it);
	assert_non_null(strstr(json, "\"column\": \"cpu\""));
	assert_non_null(strstr(json, "\"version\": 1"));
	free(json);
}

static void test_be_explain_cpu_v1(void **state)
{
	struct fx *fx = *state;
	assert_int_equal(be_monitor_refresh(fx->mon, NULL), 0);
	assert_int_equal(be_monitor_refresh(fx->mon, NULL), 0);
	const struct be_item *it = be_monitor_find(fx->mon, "111111111111");
	assert_non_null(it);
	struct be_explain e;
	assert_int_equal(be_explain(fx->mon, it, "cpu", &e, NULL), 0);
	assert_true(ends_with(e.source, "/cpuacct.usage"));
	assert_non_null(strstr(e.formula, "cpuacct.usage"));
	assert_string_equal(e.raw_before, e.raw_now); /* nothing ran in the fixture */
	assert_int_equal(be_explain(fx->mon, it, "limit", &e, NULL), 0);
	assert_true(ends_with(e.source, "/memory.limit_in_bytes"));
	struct be_error *err = NULL;
	assert_int_equal(be_explain(fx->mon, it, "nosuch", &e, &err), -1);
	assert_non_null(err);
	be_error_free(err);
	struct be_item stranger = *it; /* a copy: no item of this monitor */
	assert_int_equal(be_explain(fx->mon, &stranger, "cpu", &e, NULL), -1);
}

/* The monitor's marks: an OOM kill and a limit change between two samples,
 * each tied to the sample it came with. */
static void test_be_monitor_marks_v2(void **state)
{
	struct fx *fx = *state;
	assert_int_equal(be_monitor_refresh(fx->mon, NULL), 0);
	const struct be_item *it = be_monitor_find(fx->mon, "111111111111");
	assert_non_null(it);
	assert_int_equal(it->nmarks, 0);
	const char *dir = "system.slice/docker-" D1 ".scope";
	assert_int_equal(tu_sh(NULL,
	                       "printf 'low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n"
	                       "oom_group_kill 0\n' > '%s/%s/memory.events' && "
	                       "echo 67108864 > '%s/%s/memory.max'",
	                       fx->cg, dir, fx->cg, dir),
	                 0);
	/* memory.max is a slow file: read again every few refreshes. */
	for (int i = 0; i < 8; i++)
		assert_int_equal(be_monitor_refresh(fx->mon, NULL), 0);
	it = be_monitor_find(fx->mon, "111111111111");
	bool oom = false, limit = false;
	for (uint32_t k = 0; k < it->nmarks && k < BE_MARKS; k++) {
		const struct be_mark *m = &it->marks[k];
		assert_true(m->sample >= 2 && m->sample <= it->samples);
		oom |= m->type == BE_MARK_OOM;
		limit |= m->type == BE_MARK_LIMIT && strcmp(m->detail, "memory") == 0;
	}
	assert_true(oom);
	assert_true(limit);
	assert_int_equal(it->marks[0].type, BE_MARK_OOM);
	assert_int_equal(it->marks[0].sample, 2); /* the second sample saw it */
	assert_string_equal(be_mark_name(BE_MARK_OOM), "OOM kill");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_be_explain_cpu_v2, setup_v2, teardown),
	        cmocka_unit_test_setup_teardown(test_be_explain_cpu_v1, setup_v1, teardown),
	        cmocka_unit_test_setup_teardown(test_be_monitor_marks_v2, setup_v2, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
