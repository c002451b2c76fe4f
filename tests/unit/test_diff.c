/* Unit tests of diff (diff.c): snap_diff_views on fixture layer trees with
 * whiteouts (char 0/0 and xattr), opaque directories and shared layers.
 * Whiteouts and trusted.* xattrs need root: skipped otherwise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "journal/journal.h"
#include "testutil.h"
#include "snapshot/snapshot.h"

static char *path_of(const char *layer, const char *rel)
{
	char *p = NULL;
	assert_true(asprintf(&p, "%s/%s/%s", tu_scratch, layer, rel) > 0);
	return p;
}

static void file(const char *layer, const char *rel, const char *text)
{
	char *p = path_of(layer, rel);
	tu_write(p, text);
	free(p);
}

static void dir(const char *layer, const char *rel, bool opaque)
{
	char *p = path_of(layer, rel);
	tu_sh(NULL, "mkdir -p '%s'", p);
	if (opaque)
		assert_int_equal(lsetxattr(p, "trusted.overlay.opaque", "y", 1, 0), 0);
	free(p);
}

static void whiteout(const char *layer, const char *rel)
{
	char *p = path_of(layer, rel);
	tu_sh(NULL, "mkdir -p \"$(dirname '%s')\"", p);
	assert_int_equal(mknod(p, S_IFCHR, makedev(0, 0)), 0);
	free(p);
}

static void xwhiteout(const char *layer, const char *rel)
{
	char *p = path_of(layer, rel);
	tu_write(p, "");
	assert_int_equal(lsetxattr(p, "trusted.overlay.whiteout", "", 0, 0), 0);
	free(p);
}

/* The diff of views a and b (layer names, top first) as "K /path\n"
 * lines. */
static char *diff(const char *const *a, size_t na, const char *const *b, size_t nb, size_t common)
{
	char *da[8], *db[8];
	for (size_t i = 0; i < na; i++) {
		da[i] = path_of(a[i], "");
		da[i][strlen(da[i]) - 1] = '\0';
		tu_sh(NULL, "mkdir -p '%s'", da[i]);
	}
	for (size_t i = 0; i < nb; i++) {
		db[i] = path_of(b[i], "");
		db[i][strlen(db[i]) - 1] = '\0';
		tu_sh(NULL, "mkdir -p '%s'", db[i]);
	}
	struct be_change *c = NULL;
	size_t n = 0;
	struct be_error *err = NULL;
	int r = snap_diff_views(da, na, db, nb, common, &c, &n, &err);
	if (r < 0)
		fail_msg("%s", err->msg);
	char *out = calloc(1, 65536);
	for (size_t i = 0; i < n; i++)
		sprintf(out + strlen(out), "%c %s\n", c[i].kind, c[i].path);
	be_changes_free(c, n);
	for (size_t i = 0; i < na; i++)
		free(da[i]);
	for (size_t i = 0; i < nb; i++)
		free(db[i]);
	return out;
}

#define V(...)                                                                                     \
	((const char *const[]){__VA_ARGS__}),                                                      \
	        sizeof((const char *const[]){__VA_ARGS__}) / sizeof(char *)

static void check(char *got, const char *want)
{
	if (strcmp(got, want) != 0)
		fail_msg("--- want\n%s--- got\n%s", want, got);
	free(got);
}

static void test_snap_diff_views_upper(void **state)
{
	(void)state;
	tu_need_root();
	file("1/base", "etc/passwd", "root\n");
	file("1/base", "etc/group", "g\n");
	file("1/base", "usr/bin/x", "x\n");
	file("1/base", "gone/deep/f", "f\n");
	file("1/up", "etc/passwd", "root\nme\n");
	whiteout("1/up", "etc/group");
	file("1/up", "new/sub/f", "n\n");
	whiteout("1/up", "gone");
	file("1/up", "top", "t\n");
	check(diff(V("1/up", "1/base"), V("1/base"), 1),
	      "C /etc\nD /etc/group\nC /etc/passwd\nD /gone\nA /new\nA /new/sub\nA /new/sub/f\n"
	      "A /top\n");
}

static void test_snap_diff_views_opaque(void **state)
{
	(void)state;
	tu_need_root();
	file("2/base", "d/a", "a\n");
	file("2/base", "d/b", "b\n");
	dir("2/base", "d/sub", false);
	file("2/mid", "d/c", "c\n");
	xwhiteout("2/mid", "d/b");
	dir("2/up", "d", true);
	file("2/up", "d/a", "new a\n");
	file("2/up", "d/z", "z\n");
	/* b was deleted below already: not reported again. */
	check(diff(V("2/up", "2/mid", "2/base"), V("2/mid", "2/base"), 2),
	      "C /d\nC /d/a\nD /d/c\nD /d/sub\nA /d/z\n");
}

static void test_snap_diff_views_replaced(void **state)
{
	(void)state;
	tu_need_root();
	file("3/base", "x/inner", "i\n");
	file("3/base", "f", "f\n");
	file("3/up", "x", "now a file\n");
	dir("3/up", "f", true);
	file("3/up", "f/in", "in\n");
	/* A path deleted below and made again is added. */
	whiteout("3/mid", "w");
	file("3/base", "w", "old\n");
	file("3/up2", "w", "again\n");
	check(diff(V("3/up", "3/base"), V("3/base"), 1), "C /f\nA /f/in\nC /x\n");
	check(diff(V("3/up2", "3/mid", "3/base"), V("3/mid", "3/base"), 2), "A /w\n");
}

static void test_snap_diff_views_branches(void **state)
{
	(void)state;
	tu_need_root();
	file("4/base", "keep", "k\n");
	file("4/base", "both", "1\n");
	file("4/a", "both", "a\n");
	file("4/a", "only_a", "a\n");
	file("4/b", "both", "b\n");
	file("4/b", "only_b", "b\n");
	whiteout("4/b", "keep");
	/* From b to a: a has only_a and keep, lacks only_b. */
	check(diff(V("4/a", "4/base"), V("4/b", "4/base"), 1),
	      "C /both\nA /keep\nA /only_a\nD /only_b\n");
	/* Nothing apart: nothing changed. */
	check(diff(V("4/base"), V("4/base"), 1), "");
}

static void test_snap_diff_views_bad_common(void **state)
{
	(void)state;
	char *a[] = {tu_scratch}, *b[] = {tu_scratch};
	struct be_change *c = NULL;
	size_t n = 0;
	struct be_error *err = NULL;
	assert_int_equal(snap_diff_views(a, 1, b, 1, 2, &c, &n, &err), -1);
	assert_non_null(err);
	be_error_free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_snap_diff_views_upper),
	        cmocka_unit_test(test_snap_diff_views_opaque),
	        cmocka_unit_test(test_snap_diff_views_replaced),
	        cmocka_unit_test(test_snap_diff_views_branches),
	        cmocka_unit_test(test_snap_diff_views_bad_common),
	};
	return cmocka_run_group_tests(tests, tu_scratch_setup, tu_scratch_teardown);
}
