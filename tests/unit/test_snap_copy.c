/* Unit tests of layer trees (journal/copy.c): a faithful copy of an upper,
 * and the merge of layers with overlayfs' rules (whiteouts, opaque
 * directories, a file over a directory and back).  Whiteouts, owners and
 * trusted.* xattrs need root: skipped otherwise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "journal/journal.h"
#include "testutil.h"
#include "tu_tree.h"

static char *at(const char *rel)
{
	char *p = NULL;
	assert_true(asprintf(&p, "%s/%s", tu_scratch, rel) > 0);
	return p;
}

static void sh_at(const char *script)
{
	assert_int_equal(tu_sh(NULL, "cd '%s' && %s", tu_scratch, script), 0);
}

static bool opaque(const char *rel)
{
	char *p = at(rel);
	bool r = snap_is_opaque(p);
	free(p);
	return r;
}

static char type_of(const char *rel)
{
	char *p = at(rel);
	struct stat st;
	char t = '-';
	if (lstat(p, &st) == 0)
		t = snap_is_whiteout(p, &st) ? 'w' : S_ISDIR(st.st_mode) ? 'd' : 'f';
	free(p);
	return t;
}

static void whiteout(const char *rel)
{
	char *p = at(rel);
	assert_int_equal(mknod(p, S_IFCHR, makedev(0, 0)), 0);
	free(p);
}

static void set_opaque(const char *rel)
{
	char *p = at(rel);
	assert_int_equal(lsetxattr(p, "trusted.overlay.opaque", "y", 1, 0), 0);
	free(p);
}

static void test_snap_copy_tree_faithful(void **state)
{
	(void)state;
	tu_need_root();
	sh_at("mkdir -p src/d/e dst && echo data > src/d/f && chmod 4751 src/d/f && "
	      "chown 12:34 src/d/f && ln src/d/f src/d/hard && ln -s ../x src/d/link && "
	      "mkfifo src/fifo && dd if=/dev/zero of=src/big bs=64k count=20 2>/dev/null && "
	      "chmod 700 src/d/e && touch -d 2001-01-01 src/d");
	whiteout("src/d/gone");
	set_opaque("src/d/e");
	char *f = at("src/d/f");
	assert_int_equal(lsetxattr(f, "user.k", "v", 1, 0), 0);
	free(f);
	char *src = at("src"), *dst = at("dst");
	struct be_error *err = NULL;
	if (snap_copy_tree(src, dst, &err) < 0)
		fail_msg("%s", err->msg);
	char *a = tu_manifest(src), *b = tu_manifest(dst);
	assert_string_equal(a, b);
	assert_non_null(strstr(b, "user.k=v"));
	free(a);
	free(b);
	assert_true(opaque("dst/d/e"));
	assert_int_equal(type_of("dst/d/gone"), 'w');
	struct stat x, y, d, sd;
	char *p1 = at("dst/d/f"), *p2 = at("dst/d/hard"), *p3 = at("dst/d"), *p4 = at("src/d");
	assert_int_equal(stat(p1, &x), 0);
	assert_int_equal(stat(p2, &y), 0);
	assert_int_equal(x.st_ino, y.st_ino); /* hard links stay links */
	assert_int_equal(stat(p3, &d), 0);
	assert_int_equal(stat(p4, &sd), 0);
	/* Times are set after the children are made. */
	assert_int_equal(d.st_mtim.tv_sec, sd.st_mtim.tv_sec);
	assert_int_equal(d.st_mtim.tv_nsec, sd.st_mtim.tv_nsec);
	free(p1);
	free(p2);
	free(p3);
	free(p4);
	free(src);
	free(dst);
}

static void merge(const char *layer)
{
	char *src = at(layer), *dst = at("m");
	struct be_error *err = NULL;
	if (snap_merge_layer(src, dst, &err) < 0)
		fail_msg("%s", err->msg);
	free(src);
	free(dst);
}

static void test_snap_merge_layer_rules(void **state)
{
	(void)state;
	tu_need_root();
	sh_at("mkdir -p m l1/d l1/x l2/d l2/f l2/e l3/e l3/x && echo a > l1/d/a && "
	      "echo b > l1/d/b && echo f > l1/f && echo i > l1/x/inner && echo w > l1/w && "
	      "echo in > l2/f/in && echo X > l2/x && echo c > l2/d/c && echo 1 > l2/e/1 && "
	      "echo 2 > l3/e/2 && echo z > l3/x/z && chmod 711 l2/d");
	whiteout("l2/d/a");
	set_opaque("l2/f");
	set_opaque("l2/e");
	char *w = at("l2/w");
	tu_write(w, "");
	assert_int_equal(lsetxattr(w, "trusted.overlay.whiteout", "", 0, 0), 0);
	free(w);
	merge("l1");
	merge("l2");
	assert_int_equal(type_of("m/d"), 'd');
	assert_false(opaque("m/d")); /* merged: the image's d shows through */
	assert_int_equal(type_of("m/d/a"), 'w');
	assert_int_equal(type_of("m/d/b"), 'f');
	assert_int_equal(type_of("m/d/c"), 'f');
	assert_int_equal(type_of("m/f"), 'd');
	assert_true(opaque("m/f"));
	assert_int_equal(type_of("m/f/in"), 'f');
	assert_int_equal(type_of("m/x"), 'f');
	assert_int_equal(type_of("m/x/inner"), '-');
	assert_true(opaque("m/e"));
	assert_int_equal(type_of("m/w"), 'w');
	struct stat a, b;
	char *p1 = at("m/d/b"), *p2 = at("l1/d/b"), *p3 = at("m/d");
	assert_int_equal(stat(p1, &a), 0);
	assert_int_equal(stat(p2, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino); /* linked, not copied */
	assert_int_equal(stat(p3, &a), 0);
	assert_int_equal(a.st_mode & 07777, 0711); /* the upper layer's attributes */
	free(p1);
	free(p2);
	free(p3);
	/* A plain directory over a file hides what was below: opaque. */
	whiteout("l3/d");
	merge("l3");
	assert_int_equal(type_of("m/d"), 'w');
	assert_true(opaque("m/e"));
	assert_int_equal(type_of("m/e/1"), 'f');
	assert_int_equal(type_of("m/e/2"), 'f');
	assert_int_equal(type_of("m/x"), 'd');
	assert_true(opaque("m/x"));
	assert_int_equal(type_of("m/x/z"), 'f');
}

/* A time of the file system's clock strictly after every file time so
 * far: the ctime of a stamp file, touched again until its ctime moves. */
static struct timespec fs_tick(void)
{
	char *p = at("stamp");
	struct stat a, b;
	tu_write(p, "");
	assert_int_equal(lstat(p, &a), 0);
	do {
		assert_int_equal(chmod(p, 0600), 0);
		assert_int_equal(lstat(p, &b), 0);
	} while (b.st_ctim.tv_sec == a.st_ctim.tv_sec && b.st_ctim.tv_nsec == a.st_ctim.tv_nsec);
	unlink(p);
	free(p);
	return b.st_ctim;
}

/* The frozen pass of a live copy: after a copy begun at `since`, every
 * kind of change (data of the same size and mtime, a new file, a removed
 * file, a rename, a file turned directory, a mode, an xattr, a new hard
 * link, a new whiteout) is copied again, the rest is left alone. */
static void test_snap_copy_delta_settles(void **state)
{
	(void)state;
	tu_need_root();
	sh_at("rm -rf src dst && mkdir -p src/a/b src/keep dst && echo one > src/a/f && "
	      "echo same > src/keep/k && echo two > src/a/b/g && echo r > src/a/r && "
	      "echo t > src/a/tod && echo h > src/a/h && touch -d 2001-01-01 src/a/f");
	char *src = at("src"), *dst = at("dst");
	struct be_error *err = NULL;
	/* since: a ctime later than every file made so far. */
	struct timespec since = fs_tick();
	if (snap_copy_tree_live(src, dst, NULL, NULL, &err) < 0)
		fail_msg("%s", err->msg);
	struct stat kept;
	char *k = at("dst/keep/k");
	assert_int_equal(lstat(k, &kept), 0);
	/* Changes made "during" the first pass: after since. */
	sh_at("printf ONE > src/a/f.new && cat src/a/f.new > src/a/f && rm src/a/f.new && "
	      "touch -d 2001-01-01 src/a/f && echo new > src/a/b/n && rm src/a/b/g && "
	      "mv src/a/r src/a/r2 && rm src/a/tod && mkdir src/a/tod && echo in > src/a/tod/x && "
	      "chmod 700 src/a/b && ln src/a/h src/a/h2 && setfattr -n user.x -v 1 src/a "
	      "2>/dev/null; "
	      "true");
	char *a = at("src/a");
	assert_int_equal(lsetxattr(a, "user.y", "2", 1, 0), 0);
	free(a);
	whiteout("src/a/wh");
	size_t copied = 0;
	if (snap_copy_delta(src, dst, &since, &copied, &err) < 0)
		fail_msg("%s", err->msg);
	char *m1 = tu_manifest(src), *m2 = tu_manifest(dst);
	assert_string_equal(m1, m2);
	free(m1);
	free(m2);
	assert_true(copied >= 7);
	assert_int_equal(type_of("dst/a/wh"), 'w');
	/* Unchanged since: the very same inode, not copied again. */
	struct stat again;
	assert_int_equal(lstat(k, &again), 0);
	assert_int_equal(again.st_ino, kept.st_ino);
	/* A new hard link stays a link. */
	struct stat x, y;
	char *h = at("dst/a/h"), *h2 = at("dst/a/h2");
	assert_int_equal(lstat(h, &x), 0);
	assert_int_equal(lstat(h2, &y), 0);
	assert_int_equal(x.st_ino, y.st_ino);
	free(h);
	free(h2);
	free(k);
	/* Nothing changed since: nothing copied. */
	clock_gettime(CLOCK_REALTIME_COARSE, &since);
	since.tv_sec += 2;
	assert_int_equal(snap_copy_delta(src, dst, &since, &copied, &err), 0);
	assert_int_equal(copied, 0);
	free(src);
	free(dst);
}

/* The same settled from inotify's events: only the entries they name are
 * copied again; a moved directory or a hard link makes it give up (1), for
 * the ctime walk to do it. */
static void test_snap_watch_apply_settles(void **state)
{
	(void)state;
	tu_need_root();
	sh_at("rm -rf src dst && mkdir -p src/a/b src/keep dst && echo one > src/a/f && "
	      "echo same > src/keep/k && echo two > src/a/b/g && echo r > src/a/r && "
	      "echo t > src/a/tod && mkdir src/mv");
	char *src = at("src"), *dst = at("dst");
	struct be_error *err = NULL;
	struct snap_watch *w = snap_watch_start(src);
	assert_non_null(w);
	if (snap_copy_tree_live(src, dst, NULL, NULL, &err) < 0)
		fail_msg("%s", err->msg);
	struct stat kept, again;
	char *k = at("dst/keep/k");
	assert_int_equal(lstat(k, &kept), 0);
	sh_at("printf ONE > src/a/f && echo new > src/a/b/n && rm src/a/b/g && "
	      "mv src/a/r src/a/r2 && rm src/a/tod && mkdir -p src/a/tod/deep && "
	      "echo in > src/a/tod/deep/x && chmod 700 src/a/b");
	char *a = at("src/a");
	assert_int_equal(lsetxattr(a, "user.y", "2", 1, 0), 0);
	free(a);
	whiteout("src/a/wh");
	size_t copied = 0;
	assert_int_equal(snap_watch_apply(w, src, dst, &copied, &err), 0);
	snap_watch_free(w);
	char *m1 = tu_manifest(src), *m2 = tu_manifest(dst);
	assert_string_equal(m1, m2);
	free(m1);
	free(m2);
	assert_true(copied >= 6);
	assert_int_equal(lstat(k, &again), 0);
	assert_int_equal(again.st_ino, kept.st_ino);
	free(k);
	/* A moved directory: the events cannot say where its watches are. */
	w = snap_watch_start(src);
	assert_non_null(w);
	sh_at("mv src/mv src/moved");
	assert_int_equal(snap_watch_apply(w, src, dst, NULL, &err), 1);
	snap_watch_free(w);
	/* A new hard link: links are the ctime walk's. */
	w = snap_watch_start(src);
	assert_non_null(w);
	sh_at("ln src/a/f src/a/f2");
	assert_int_equal(snap_watch_apply(w, src, dst, NULL, &err), 1);
	snap_watch_free(w);
	free(src);
	free(dst);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_snap_copy_tree_faithful),
	        cmocka_unit_test(test_snap_copy_delta_settles),
	        cmocka_unit_test(test_snap_watch_apply_settles),
	        cmocka_unit_test(test_snap_merge_layer_rules),
	};
	return cmocka_run_group_tests(tests, tu_scratch_setup, tu_scratch_teardown);
}
