/* berth never harms what is not its own: a root must be berth's (the
 * .berth marker), "/" is refused, and listings never kill (a running
 * container whose records vanished is listed as orphaned, ended only by
 * rm -f or system prune). */
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "tu_tree.h"

/* A foreign directory (a home, /var) with tmp/ and trash/ holding files:
 * refused with one line, and nothing in it changes. */
static void test_root_foreign_refused(void **state)
{
	(void)state;
	char *dir = tu_root_new();
	static const char *const files[] = {"tmp/tmux-0/default", "tmp/build/out.o",
	                                    "trash/letter.txt", "notes"};
	for (size_t i = 0; i < 4; i++) {
		char p[4096];
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		tu_write(p, files[i]);
	}
	char *before = tu_manifest(dir);
	static const char *const cmds[][4] = {
	        {"ps", "-a", NULL}, {"image", "ls", NULL}, {"system", "prune", "-f"}};
	for (size_t i = 0; i < 3; i++) {
		struct tu_out o = {0};
		assert_int_equal(tu_berth(&o, dir, cmds[i]), 125);
		char want[4200];
		snprintf(want, sizeof(want),
		         "berth: %s is not a berth root (no .berth); use an empty or new "
		         "directory\n",
		         dir);
		assert_string_equal(o.err, want);
		tu_out_free(&o);
	}
	char *after = tu_manifest(dir);
	assert_string_equal(before, after);
	free(before);
	free(after);
	tu_root_remove(dir);
	free(dir);
}

static void test_root_slash_refused(void **state)
{
	(void)state;
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, "/", "ps", "-a", NULL), 125);
	assert_string_equal(o.err, "berth: / cannot be a berth root; use an empty or new "
	                           "directory\n");
	tu_out_free(&o);
	assert_int_equal(tu_berthl(&o, "/proc", "ps", "-a", NULL), 125);
	assert_non_null(strstr(o.err, "/proc is the root of a mounted filesystem"));
	tu_out_free(&o);
}

/* The pid of NAME in `ps -a --json`, and its status; 0 when not listed. */
static pid_t ps_pid(const char *root, const char *name, char *status, size_t len)
{
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, root, "ps", "-a", "--json", NULL), 0);
	json_t *arr = json_loads(o.out, 0, NULL);
	assert_non_null(arr);
	pid_t pid = 0;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *c = json_array_get(arr, i);
		if (strcmp(json_string_value(json_object_get(c, "name")), name) != 0)
			continue;
		pid = (pid_t)json_integer_value(json_object_get(c, "pid"));
		snprintf(status, len, "%s", json_string_value(json_object_get(c, "status")));
	}
	json_decref(arr);
	tu_out_free(&o);
	return pid;
}

static bool alive(pid_t pid)
{
	return pid > 0 && kill(pid, 0) == 0;
}

static bool gone_soon(pid_t pid)
{
	for (int i = 0; i < 100 && alive(pid); i++)
		usleep(20000);
	return !alive(pid);
}

/* Moves ROOT/containers/NAME away (as a user's mistake or a tampering
 * would) and returns the running container's pid. */
static pid_t run_and_orphan(const char *root, const char *name)
{
	TU_OK(root, "run", "-d", "--name", name, "demo", "sleep", "100000");
	char status[32] = "";
	pid_t pid = ps_pid(root, name, status, sizeof(status));
	assert_true(alive(pid));
	assert_int_equal(tu_sh(NULL, "mv '%s/containers/%s' '%s/moved-%s'", root, name, root, name),
	                 0);
	return pid;
}

static void test_ps_never_kills_orphans(void **state)
{
	(void)state;
	tu_need_demo_root();
	const char *root = tu_demo_root;
	pid_t pid = run_and_orphan(root, "orph");
	/* Every reading command, twice: nothing dies. */
	for (int i = 0; i < 2; i++) {
		TU_OK(root, "ps", "-a");
		TU_OK(root, "ps");
		struct tu_out o = {0};
		tu_berthl(&o, root, "inspect", "orph", NULL);
		tu_out_free(&o);
	}
	assert_true(alive(pid));
	char status[32] = "";
	assert_int_equal(ps_pid(root, "orph", status, sizeof(status)), pid);
	assert_string_equal(status, "orphaned");
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, root, "ps", NULL), 0);
	assert_non_null(strstr(o.out, "Orphaned (berth-"));
	tu_out_free(&o);
	/* rm without -f says what it is; prune without a terminal refuses. */
	assert_int_equal(tu_berthl(&o, root, "rm", "orph", NULL), 125);
	assert_non_null(strstr(o.err, "container orph is orphaned"));
	tu_out_free(&o);
	assert_int_equal(tu_berthl(&o, root, "system", "prune", NULL), 125);
	assert_non_null(strstr(o.err, "use -f"));
	tu_out_free(&o);
	assert_true(alive(pid));
	/* rm -f ends it. */
	TU_OK(root, "rm", "-f", "orph");
	assert_true(gone_soon(pid));
	assert_int_equal(ps_pid(root, "orph", status, sizeof(status)), 0);
}

static void test_system_prune(void **state)
{
	(void)state;
	tu_need_demo_root();
	const char *root = tu_demo_root;
	TU_OK(root, "run", "-d", "--name", "healthy", "demo", "sleep", "100000");
	pid_t pid = run_and_orphan(root, "pr1");
	struct tu_out o = {0};
	/* Asked, and "n" keeps it. */
	const char *const argv[] = {"system", "prune", NULL};
	assert_int_equal(tu_berth_in(&o, root, "n\n", argv), 125); /* not a terminal */
	tu_out_free(&o);
	assert_true(alive(pid));
	assert_int_equal(tu_berthl(&o, root, "system", "prune", "-f", NULL), 0);
	assert_non_null(strstr(o.out, "pr1"));
	assert_non_null(strstr(o.out, "orphaned, pid"));
	assert_null(strstr(o.out, "healthy"));
	tu_out_free(&o);
	assert_true(gone_soon(pid));
	char status[32] = "";
	assert_true(alive(ps_pid(root, "healthy", status, sizeof(status))));
	assert_string_equal(status, "running");
	assert_int_equal(tu_berthl(&o, root, "system", "prune", "-f", NULL), 0);
	assert_string_equal(o.out, "Nothing to prune.\n");
	tu_out_free(&o);
	TU_OK(root, "rm", "-f", "healthy");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_root_foreign_refused),
	        cmocka_unit_test(test_root_slash_refused),
	        cmocka_unit_test(test_ps_never_kills_orphans),
	        cmocka_unit_test(test_system_prune),
	};
	return cmocka_run_group_tests(tests, tu_demo_group_setup, tu_demo_group_teardown);
}
