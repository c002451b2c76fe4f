/* Error paths that the kernel rarely takes, driven by error injection
 * (BERTH_FAIL names a step that then fails with EIO): each failure is one
 * clear line, exit 125, and leaves the root as it was.  Two of them once
 * jumped over cleanup declarations and freed an uninitialised pointer
 * (creating a container, sealing a snapshot). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define OK(...) TU_OK(tu_demo_root, __VA_ARGS__)

/* berth ARGS... with BERTH_FAIL=point; asserts exit 125 and the message. */
static void fails_at(const char *point, const char *const *argv)
{
	struct tu_out o;
	setenv("BERTH_FAIL", point, 1);
	int st = tu_berth(&o, tu_demo_root, argv);
	unsetenv("BERTH_FAIL");
	if (st != 125 || strstr(o.err, "injected failure at ") == NULL ||
	    strchr(o.err, '\n') != strrchr(o.err, '\n'))
		fail_msg("%s: status %d, stderr: %s", point, st, o.err);
	tu_out_free(&o);
}

static int count_tmp(void)
{
	return tu_count("ls -A '%s/tmp' | wc -l", tu_demo_root);
}

static void test_create_records_fail(void **state)
{
	(void)state;
	tu_need_demo_root();
	int tmp_before = count_tmp();
	fails_at("create.records", (const char *[]){"create", "--name", "ep1", "demo", NULL});
	assert_int_equal(tu_count("ls -A '%s/containers' | grep -c '^ep1$'", tu_demo_root), 0);
	assert_int_equal(count_tmp(), tmp_before);
	/* The name is free: a second try makes it. */
	OK("create", "--name", "ep1", "demo");
	OK("rm", "ep1");
}

static void test_snapshot_seal_fail(void **state)
{
	(void)state;
	tu_need_demo_root();
	OK("create", "--name", "ep2", "demo");
	char p[4096];
	snprintf(p, sizeof(p), "%s/containers/ep2/upper/kept", tu_demo_root);
	tu_write(p, "data\n");
	fails_at("snapshot.seal", (const char *[]){"snapshot", "ep2", "s1", NULL});
	/* The upper never moved, no intent record or snapshot is left. */
	assert_int_equal(tu_count("cat '%s' | grep -c '^data$'", p), 1);
	assert_int_equal(
	        tu_count("ls '%s/containers/ep2/op.json' 2>/dev/null | wc -l", tu_demo_root), 0);
	struct tu_out o;
	assert_int_equal(tu_berthl(&o, tu_demo_root, "snapshots", "ep2", NULL), 0);
	assert_null(strstr(o.out, "s1"));
	tu_out_free(&o);
	OK("snapshot", "ep2", "s1");
	OK("rm", "ep2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_create_records_fail),
	        cmocka_unit_test(test_snapshot_seal_fail),
	};
	return cmocka_run_group_tests(tests, tu_demo_group_setup, tu_demo_group_teardown);
}
