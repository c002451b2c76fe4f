/* Crash safety of snapshot operations: each fault point (BERTH_FAULT makes
 * berth _exit there, as kill -9 would) of snapshot, live snapshot, rollback,
 * snapshot rm, squash, clone and commit; then the next command repairs, and
 * the container must be at its old or its new state, every snapshot's layer
 * present and restoring exactly, no orphan layer, no frozen cgroup. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "berth.h"
#include "testutil.h"
#include "tu_tree.h"

#define OK(...) TU_OK(tu_demo_root, __VA_ARGS__)

enum op { SNAP, LIVE, ROLLBACK, SNAPRM, SQUASH, CLONE, LIVECLONE, COMMIT };

static const struct {
	enum op op;
	const char *point;
} faults[] = {
        {SNAP, "snapshot.after_intent"},      {SNAP, "snapshot.after_seal"},
        {SNAP, "layer.before_rename"},        {SNAP, "snapshot.after_exchange"},
        {SNAP, "snapshot.after_record"},      {SNAP, "snapshot.after_state"},
        {SNAP, "snapshot.after_done"},        {LIVE, "snapshot.live_after_intent"},
        {LIVE, "snapshot.live_frozen"},       {LIVE, "snapshot.live_after_copy"},
        {LIVE, "snapshot.live_after_thaw"},   {LIVE, "snapshot.live_after_commit"},
        {LIVE, "snapshot.live_after_record"}, {ROLLBACK, "rollback.after_intent"},
        {ROLLBACK, "rollback.after_fresh"},   {ROLLBACK, "rollback.after_exchange"},
        {ROLLBACK, "rollback.after_trash"},   {ROLLBACK, "rollback.after_state"},
        {ROLLBACK, "rollback.after_done"},    {SNAPRM, "snaprm.after_intent"},
        {SNAPRM, "snaprm.after_save"},        {SNAPRM, "snaprm.after_done"},
        {SNAPRM, "gc.before_remove"},         {SQUASH, "squash.after_intent"},
        {SQUASH, "squash.after_merge"},       {SQUASH, "squash.after_commit"},
        {SQUASH, "squash.after_layer"},       {SQUASH, "squash.after_snapshots"},
        {SQUASH, "squash.after_state"},       {SQUASH, "squash.after_done"},
        {CLONE, "clone.after_capture"},       {CLONE, "snapshot.after_exchange"},
        {CLONE, "create.before_rename"},      {CLONE, "clone.after_create"},
        {CLONE, "clone.after_done"},          {LIVECLONE, "snapshot.live_after_commit"},
        {LIVECLONE, "clone.after_create"},    {COMMIT, "snapshot.after_seal"},
        {COMMIT, "commit.after_capture"},     {COMMIT, "commit.after_image"},
};

/* ---- the container's states, written straight into its upper ---------------- */

static void upper_file(const char *rel, const char *text)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/containers/f/upper/%s", tu_demo_root, rel);
	tu_write(p, text);
}

static void upper_whiteout(const char *rel)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/containers/f/upper/%s", tu_demo_root, rel);
	tu_sh(NULL, "mkdir -p \"$(dirname '%s')\"", p);
	assert_int_equal(mknod(p, S_IFCHR, makedev(0, 0)), 0);
}

static char *manifest(const char *name)
{
	char *m = tu_container_manifest(tu_demo_root, name);
	assert_non_null(m);
	return m;
}

/* The state every scenario starts from. */
static char *state_a(void)
{
	OK("create", "--name", "f", "demo", "sleep", "100000");
	upper_file("a", "alpha\n");
	upper_file("d/x", "x\n");
	upper_whiteout("etc/group");
	return manifest("f");
}

static char *change(const char *file, const char *gone)
{
	upper_file(file, file);
	upper_whiteout(gone);
	return manifest("f");
}

/* ---- checks after the repair ---------------------------------------------------- */

static json_t *snapshots(void)
{
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, tu_demo_root, "snapshots", "--json", "f", NULL), 0);
	json_t *j = json_loads(o.out, 0, NULL);
	tu_out_free(&o);
	assert_true(json_is_array(j));
	return j;
}

/* The manifest snapshot snap restores, or NULL when there is no snap. */
static char *snap_manifest(json_t *list, const char *snap)
{
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *s = json_array_get(list, i);
		if (strcmp(json_string_value(json_object_get(s, "name")), snap) != 0)
			continue;
		char *m = tu_layer_manifest(tu_demo_root,
		                            json_string_value(json_object_get(s, "layer")));
		assert_non_null(m);
		return m;
	}
	return NULL;
}

static void check_snap(json_t *list, const char *snap, const char *want, bool must)
{
	char *m = snap_manifest(list, snap);
	if (must)
		assert_non_null(m);
	if (m)
		assert_string_equal(m, want);
	free(m);
}

static void check_common(void)
{
	char p[4096], first[16];
	snprintf(p, sizeof(p), "%s/containers/f/op.json", tu_demo_root);
	assert_true(access(p, F_OK) < 0);
	size_t orphans = tu_orphan_layers(tu_demo_root, first, sizeof(first));
	if (orphans)
		fprintf(stderr, "orphan layer %s\n", first);
	assert_int_equal(orphans, 0);
	OK("ps", "-a");
	/* Every snapshot's layer chain is whole. */
	json_t *list = snapshots();
	for (size_t i = 0; i < json_array_size(list); i++) {
		const char *id =
		        json_string_value(json_object_get(json_array_get(list, i), "layer"));
		assert_true(tu_chain_len(tu_demo_root, id) > 0);
	}
	json_decref(list);
}

static void assert_one_of(const char *m, const char *a, const char *b)
{
	if (strcmp(m, a) != 0 && (b == NULL || strcmp(m, b) != 0))
		fail_msg("the tree is neither the old nor the new state:\n%s", m);
}

static void check_running_thawed(void)
{
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, tu_demo_root, "inspect", "f", NULL), 0);
	assert_non_null(strstr(o.out, "\"running\": true"));
	assert_non_null(strstr(o.out, "\"paused\": false"));
	tu_out_free(&o);
}

/* ---- one fault ---------------------------------------------------------------------- */

static int faulted(const char *point, const char **argv)
{
	setenv("BERTH_FAULT", point, 1);
	struct tu_out o = {0};
	int r = tu_berth(&o, tu_demo_root, argv);
	unsetenv("BERTH_FAULT");
	if (r != 99)
		fprintf(stderr, "%s: exit %d: %s", point, r, o.err);
	tu_out_free(&o);
	/* The next command repairs. */
	OK("snapshots", "f");
	return r;
}
#define FAULT(point, ...) assert_int_equal(faulted(point, (const char *[]){__VA_ARGS__, NULL}), 99)

static void run_snap(const char *point, bool live)
{
	char *a = state_a();
	if (live)
		OK("start", "f");
	FAULT(point, "snapshot", "f", "S1");
	if (live)
		check_running_thawed();
	char *m = manifest("f");
	assert_string_equal(m, a);
	json_t *list = snapshots();
	check_snap(list, "S1", a, false);
	json_decref(list);
	free(m);
	free(a);
}

static void run_rollback(const char *point)
{
	char *a = state_a();
	OK("snapshot", "f", "S1");
	char *b = change("b", "etc/hosts");
	FAULT(point, "rollback", "f", "S1");
	char *m = manifest("f");
	assert_one_of(m, a, b);
	json_t *list = snapshots();
	check_snap(list, "S1", a, true);
	json_decref(list);
	free(m);
	free(a);
	free(b);
}

static void run_snaprm(const char *point)
{
	char *a = state_a();
	OK("snapshot", "f", "S1");
	char *b = change("b", "etc/hosts");
	OK("snapshot", "f", "S2");
	OK("rollback", "f", "S1");
	FAULT(point, "snapshot", "rm", "f", "S2");
	char *m = manifest("f");
	assert_string_equal(m, a);
	json_t *list = snapshots();
	check_snap(list, "S1", a, true);
	check_snap(list, "S2", b, false);
	json_decref(list);
	free(m);
	free(a);
	free(b);
}

static void run_squash(const char *point)
{
	setenv("BERTH_SQUASH_DEPTH", "3", 1);
	char *a = state_a();
	OK("snapshot", "f", "S1");
	char *b = change("b", "etc/hosts");
	OK("snapshot", "f", "S2");
	char *c = change("c", "d/x");
	FAULT(point, "snapshot", "f", "S3");
	char *m = manifest("f");
	assert_string_equal(m, c);
	json_t *list = snapshots();
	check_snap(list, "S1", a, true);
	check_snap(list, "S2", b, true);
	check_snap(list, "S3", c, true);
	json_decref(list);
	/* The next snapshot squashes if the interrupted one did not. */
	OK("snapshot", "f", "S4");
	char head[13];
	tu_container_head(tu_demo_root, "f", head);
	assert_true(tu_chain_len(tu_demo_root, head) <= 3);
	unsetenv("BERTH_SQUASH_DEPTH");
	free(m);
	free(a);
	free(b);
	free(c);
}

static void run_clone(const char *point, bool live)
{
	char *a = state_a();
	if (live)
		OK("start", "f");
	FAULT(point, "clone", "f", "g");
	if (live)
		check_running_thawed();
	char *m = manifest("f");
	assert_string_equal(m, a);
	char p[4096];
	snprintf(p, sizeof(p), "%s/containers/g", tu_demo_root);
	if (access(p, F_OK) == 0) {
		char *g = manifest("g");
		assert_string_equal(g, a);
		free(g);
		OK("rm", "g");
	}
	free(m);
	free(a);
}

static void run_commit(const char *point)
{
	char *a = state_a();
	FAULT(point, "commit", "f", "fimg");
	char *m = manifest("f");
	assert_string_equal(m, a);
	char p[4096];
	snprintf(p, sizeof(p), "%s/images/fimg.json", tu_demo_root);
	if (access(p, F_OK) == 0) {
		OK("create", "--name", "fromimg", "fimg");
		char *g = manifest("fromimg");
		assert_string_equal(g, a);
		free(g);
		OK("rm", "fromimg");
		OK("image", "rm", "fimg");
	}
	free(m);
	free(a);
}

static void test_fault_points(void **state)
{
	(void)state;
	if (!tu_is_root() || tu_demo_root == NULL)
		skip();
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		const char *p = faults[i].point;
		printf("# fault point %s\n", p);
		fflush(stdout);
		switch (faults[i].op) {
		case SNAP: run_snap(p, false); break;
		case LIVE: run_snap(p, true); break;
		case ROLLBACK: run_rollback(p); break;
		case SNAPRM: run_snaprm(p); break;
		case SQUASH: run_squash(p); break;
		case CLONE: run_clone(p, false); break;
		case LIVECLONE: run_clone(p, true); break;
		case COMMIT: run_commit(p); break;
		}
		check_common();
		OK("rm", "-f", "f");
		assert_int_equal(tu_orphan_layers(tu_demo_root, NULL, 0), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_fault_points),
	};
	return cmocka_run_group_tests(tests, tu_demo_group_setup, tu_demo_group_teardown);
}
