/* Tests of backend/image/image.c, image_demo.c and extract.c: path rules on
 * literal strings, then imports of tarballs and directories the test makes,
 * listing, removal with references, chains and the demo image. */
#include <archive.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "image/extract.h"
#include "image/image.h"
#include "testutil.h"
#include "tu_tar.h"
#include "base/util.h"

static int setup(void **state)
{
	struct tu_fix *f = tu_fix_new();
	struct be_ctx_opts opts = {.root = f->root};
	struct be_error *err = NULL;
	if (be_ctx_open(&opts, &f->ctx, &err) < 0)
		fail_msg("%s", err->msg);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	tu_fix_free(*state);
	return 0;
}

/* ---- a small tarball writer ------------------------------------------------ */

static int count_in(const struct tu_fix *f, const char *sub)
{
	struct tu_out o = {0};
	tu_sh(&o, "find '%s/%s' -mindepth 1 2>/dev/null | wc -l", f->root, sub);
	int n = atoi(o.out);
	tu_out_free(&o);
	return n;
}

static size_t n_layers(const struct tu_fix *f)
{
	char **ids = NULL;
	size_t n = 0;
	assert_int_equal(layer_list(f->ctx, &ids, &n, NULL), 0);
	layer_chain_free(ids, n);
	return n;
}

static void assert_clean(const struct tu_fix *f)
{
	assert_int_equal(count_in(f, "tmp"), 0);
	tu_trash_settle(f->root);
	assert_int_equal(count_in(f, "trash"), 0);
}

static const struct tu_tar_entry good[] = {
        {"./", 'd', NULL, 0},
        {"bin", 'd', NULL, 0},
        {"bin/busybox", 'f', "0123456789", .mode = 0750},
        {"bin/sh", 'l', "/bin/busybox", 0},
        {"bin/ls", 'h', "bin/busybox", 0},
        {"etc/", 'd', NULL, .mode = 0700},
        {"./etc//passwd", 'f', "root:x:0:0::/:/bin/sh\n", 0},
        {"run/fifo", 'p', NULL, 0},
};

/* ---- path rules ---------------------------------------------------------------- */

static void norm_ok(const char *in, const char *want)
{
	char *out = NULL;
	const char *why = NULL;
	assert_int_equal(extract_norm_path(in, &out, &why), 0);
	assert_string_equal(out, want);
	free(out);
}

static void norm_bad(const char *in, const char *want_why)
{
	char *out = NULL;
	const char *why = NULL;
	assert_int_equal(extract_norm_path(in, &out, &why), -1);
	assert_null(out);
	assert_string_equal(why, want_why);
}

static void test_be_extract_norm_path_cases(void **state)
{
	(void)state;
	norm_ok("a/b", "a/b");
	norm_ok("./a//b/", "a/b");
	norm_ok("./", "");
	norm_ok(".", "");
	norm_ok("a/./b/.", "a/b");
	norm_ok("...", "...");
	norm_ok("a..b/..c", "a..b/..c");
	norm_bad("/etc/passwd", "path is absolute");
	norm_bad("//x", "path is absolute");
	norm_bad("../x", "path leaves the layer");
	norm_bad("a/../../x", "path leaves the layer");
	norm_bad("a/..", "path leaves the layer");
	norm_bad("", "path is empty");
	norm_bad(NULL, "path is empty");
}

static void test_be_extract_symlink_inside_cases(void **state)
{
	(void)state;
	assert_true(extract_symlink_inside("bin/sh", "/bin/busybox"));
	assert_true(extract_symlink_inside("bin/sh", "busybox"));
	assert_true(extract_symlink_inside("usr/lib/x", "../../lib/y"));
	assert_true(extract_symlink_inside("evil", "/"));
	assert_true(extract_symlink_inside("etc/mtab", "../proc/self/mounts"));
	assert_true(extract_symlink_inside("a", "./b/./c"));
	assert_false(extract_symlink_inside("usr/lib/x", "../../../etc"));
	assert_false(extract_symlink_inside("evil", ".."));
	assert_false(extract_symlink_inside("evil", "/.."));
	assert_false(extract_symlink_inside("a/b", "c/../../../d"));
	assert_true(extract_symlink_inside("a/b", "c/../../d"));
}

/* ---- import -------------------------------------------------------------------- */

static char *layer_file(const struct tu_fix *f, const char *name, const char *rel)
{
	struct be_image_rec *r = NULL;
	assert_int_equal(image_load(f->ctx, name, &r, NULL), 0);
	char *p = xasprintf("%s/layers/%s/diff/%s", f->root, r->layers[0], rel);
	image_rec_free(r);
	return p;
}

static void check_good_content(const struct tu_fix *f, const char *name)
{
	struct stat st, st2;
	cleanup_free char *bb = layer_file(f, name, "bin/busybox");
	cleanup_free char *ls = layer_file(f, name, "bin/ls");
	cleanup_free char *sh = layer_file(f, name, "bin/sh");
	cleanup_free char *etc = layer_file(f, name, "etc");
	cleanup_free char *fifo = layer_file(f, name, "run/fifo");
	assert_int_equal(lstat(bb, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0750);
	assert_int_equal(st.st_size, 10);
	assert_int_equal(st.st_mtime, 1700000000);
	assert_int_equal(lstat(ls, &st2), 0);
	assert_int_equal(st.st_ino, st2.st_ino);
	char target[64] = "";
	assert_int_equal(readlink(sh, target, sizeof(target) - 1), 12);
	assert_string_equal(target, "/bin/busybox");
	assert_int_equal(lstat(etc, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(lstat(fifo, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
}

static void test_be_image_import_tar_gzip(void **state)
{
	struct tu_fix *f = *state;
	cleanup_free char *tar = tu_work_path(f, "good.tar.gz");
	tu_make_tar(tar, ARCHIVE_FILTER_GZIP, good, sizeof(good) / sizeof(good[0]));
	char cwd[4096], cwd2[4096];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	struct be_error *err = NULL;
	if (be_image_import(f->ctx, "good", tar, NULL, &err) < 0)
		fail_msg("%s", err->msg);
	assert_non_null(getcwd(cwd2, sizeof(cwd2)));
	assert_string_equal(cwd, cwd2);
	check_good_content(f, "good");
	struct be_image_info *v = NULL;
	size_t n = 0;
	assert_int_equal(be_image_list(f->ctx, &v, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].name, "good");
	assert_int_equal(v[0].n_layers, 1);
	/* 10 + 12 (symlink) + 22; bin/ls shares bin/busybox's inode */
	assert_int_equal(v[0].size, 44);
	/* bin bin/busybox bin/sh bin/ls etc etc/passwd run run/fifo */
	assert_int_equal(v[0].files, 8);
	assert_string_equal(v[0].source, tar);
	be_image_list_free(v, n);
	struct be_image_rec *r = NULL;
	assert_int_equal(image_load(f->ctx, "good", &r, &err), 0);
	assert_string_equal(r->cmd[0], "/bin/sh");
	assert_string_equal(r->workdir, "/");
	assert_non_null(strstr(r->env[0], "PATH="));
	image_rec_free(r);
	assert_clean(f);
}

struct calls {
	int n;
	struct be_import_progress last;
};

static void on_progress(const struct be_import_progress *p, void *data)
{
	struct calls *c = data;
	assert_false(c->last.done);
	assert_true(p->entries >= c->last.entries);
	c->n++;
	c->last = *p;
}

static void test_be_image_import_progress(void **state)
{
	struct tu_fix *f = *state;
	cleanup_free char *tar = tu_work_path(f, "good.tar.zst");
	tu_make_tar(tar, ARCHIVE_FILTER_ZSTD, good, sizeof(good) / sizeof(good[0]));
	struct stat st;
	assert_int_equal(stat(tar, &st), 0);
	struct calls c = {0};
	struct be_import_opts o = {.progress = on_progress, .progress_data = &c};
	struct be_error *err = NULL;
	if (be_image_import(f->ctx, "zst", tar, &o, &err) < 0)
		fail_msg("%s", err->msg);
	assert_true(c.n >= 2);
	assert_true(c.last.done);
	assert_int_equal(c.last.entries, 7); /* "./" is the layer itself */
	assert_int_equal(c.last.total, st.st_size);
	assert_int_equal(c.last.bytes, st.st_size);
	check_good_content(f, "zst");
}

static void expect_refused(struct tu_fix *f, const struct tu_tar_entry *e, size_t n,
                           const char *want)
{
	cleanup_free char *tar = tu_work_path(f, "bad.tar");
	tu_make_tar(tar, ARCHIVE_FILTER_NONE, e, n);
	char cwd[4096], cwd2[4096];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	struct be_error *err = NULL;
	assert_int_equal(be_image_import(f->ctx, "bad", tar, NULL, &err), -1);
	if (strstr(err->msg, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err->msg, want);
	assert_non_null(strstr(err->msg, "importing bad: "));
	be_error_clear(&err);
	assert_non_null(getcwd(cwd2, sizeof(cwd2)));
	assert_string_equal(cwd, cwd2);
	assert_clean(f);
	assert_int_equal(count_in(f, "layers"), 0);
	assert_int_equal(count_in(f, "images"), 0);
}

static void test_be_image_import_refusals(void **state)
{
	struct tu_fix *f = *state;
	const struct tu_tar_entry dotdot[] = {{"a", 'f', "x", 0}, {"a/../../x", 'f', "x", 0}};
	expect_refused(f, dotdot, 2, "entry \"a/../../x\": path leaves the layer");
	const struct tu_tar_entry through[] = {
	        {"d", 'd', NULL, 0}, {"d/l", 'l', "/", 0}, {"d/l/etc/x", 'f', "x", 0}};
	expect_refused(f, through, 3, "entry \"d/l/etc/x\": parent \"d/l\" is a symlink");
	const struct tu_tar_entry hard[] = {{"h", 'h', "/etc/passwd", 0}};
	expect_refused(f, hard, 1,
	               "entry \"h\": hard link target \"/etc/passwd\" leaves the layer");
	const struct tu_tar_entry missing[] = {{"h", 'h', "nothere", 0}};
	expect_refused(f, missing, 1, "hard link target \"nothere\" is not in the layer");
	const struct tu_tar_entry dev[] = {{"dev/null", 'c', NULL, 0}};
	expect_refused(f, dev, 1, "entry \"dev/null\": device nodes are not allowed");
	const struct tu_tar_entry newline[] = {{"a\nb/../../x", 'f', "x", 0}};
	expect_refused(f, newline, 1, "entry \"a?b/../../x\"");
	const struct tu_tar_entry root_file[] = {{".", 'f', "x", 0}};
	expect_refused(f, root_file, 1, "names the layer's root but is not a directory");
	const struct tu_tar_entry only_root[] = {{"./", 'd', NULL, 0}};
	expect_refused(f, only_root, 1, "archive is empty");
}

static void test_be_image_import_not_archive(void **state)
{
	struct tu_fix *f = *state;
	cleanup_free char *p = tu_work_path(f, "notes.txt");
	tu_write(p, "this is not an archive\n");
	struct be_error *err = NULL;
	assert_int_equal(be_image_import(f->ctx, "x", p, NULL, &err), -1);
	assert_non_null(strstr(err->msg, "Unrecognized archive format"));
	be_error_clear(&err);
	assert_int_equal(be_image_import(f->ctx, "x", "/nonexistent/berth.tar", NULL, &err), -1);
	assert_non_null(strstr(err->msg, "opening /nonexistent/berth.tar"));
	be_error_clear(&err);
	assert_int_equal(be_image_import(f->ctx, "x", "", NULL, &err), -1);
	be_error_clear(&err);
	assert_clean(f);
	assert_int_equal(count_in(f, "layers"), 0);
}

static void test_be_image_import_dir(void **state)
{
	struct tu_fix *f = *state;
	cleanup_free char *src = tu_work_path(f, "rootfs");
	cleanup_free char *file = tu_work_path(f, "rootfs/usr/bin/tool");
	cleanup_free char *hard = tu_work_path(f, "rootfs/usr/bin/tool2");
	cleanup_free char *sym = tu_work_path(f, "rootfs/bin");
	cleanup_free char *fifo = tu_work_path(f, "rootfs/fifo");
	tu_write(file, "#!/bin/sh\necho hi\n");
	assert_int_equal(chmod(file, 04755), 0);
	assert_int_equal(link(file, hard), 0);
	assert_int_equal(symlink("usr/bin", sym), 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(lsetxattr(file, "user.berth", "yes", 3, 0), 0);
	struct be_error *err = NULL;
	if (be_image_import(f->ctx, "fromdir", src, NULL, &err) < 0)
		fail_msg("%s", err->msg);
	cleanup_free char *t1 = layer_file(f, "fromdir", "usr/bin/tool");
	cleanup_free char *t2 = layer_file(f, "fromdir", "usr/bin/tool2");
	cleanup_free char *b = layer_file(f, "fromdir", "bin");
	cleanup_free char *p = layer_file(f, "fromdir", "fifo");
	struct stat st, st2;
	assert_int_equal(lstat(t1, &st), 0);
	assert_int_equal(st.st_mode & 07777, 04755);
	assert_int_equal(lstat(t2, &st2), 0);
	assert_int_equal(st.st_ino, st2.st_ino);
	char v[8] = "";
	assert_int_equal(lgetxattr(t1, "user.berth", v, sizeof(v)), 3);
	char target[32] = "";
	assert_int_equal(readlink(b, target, sizeof(target) - 1), 7);
	assert_string_equal(target, "usr/bin");
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	struct be_image_info *list = NULL;
	size_t n = 0;
	assert_int_equal(be_image_list(f->ctx, &list, &n, &err), 0);
	assert_int_equal(list[0].size, 18 + 7);
	assert_int_equal(list[0].files, 6); /* usr usr/bin tool tool2 bin fifo */
	be_image_list_free(list, n);
	cleanup_free char *json = NULL;
	assert_int_equal(be_image_inspect_json(f->ctx, "fromdir", &json, &err), 0);
	assert_non_null(strstr(json, "\"origin\": \"dir\""));
	assert_clean(f);
}

static void test_be_image_import_dir_refusals(void **state)
{
	struct tu_fix *f = *state;
	struct be_error *err = NULL;
	/* The state root itself would be copied into itself. */
	assert_int_equal(be_image_import(f->ctx, "self", f->root, NULL, &err), -1);
	assert_non_null(strstr(err->msg, "holds berth's state directory"));
	be_error_clear(&err);
	cleanup_free char *src = tu_work_path(f, "esc");
	cleanup_free char *link = tu_work_path(f, "esc/up");
	tu_write(link, "x");
	unlink(link);
	assert_int_equal(symlink("../../../../../../..", link), 0);
	assert_int_equal(be_image_import(f->ctx, "esc", src, NULL, &err), -1);
	assert_non_null(strstr(err->msg, "entry \"up\": symlink target"));
	be_error_clear(&err);
	assert_clean(f);
	assert_int_equal(count_in(f, "layers"), 0);
}

static void test_be_image_import_exists(void **state)
{
	struct tu_fix *f = *state;
	cleanup_free char *tar = tu_work_path(f, "good.tar");
	tu_make_tar(tar, ARCHIVE_FILTER_NONE, good, sizeof(good) / sizeof(good[0]));
	struct be_error *err = NULL;
	assert_int_equal(be_image_import(f->ctx, "img", tar, NULL, &err), 0);
	struct be_image_rec *old = NULL;
	assert_int_equal(image_load(f->ctx, "img", &old, &err), 0);
	assert_int_equal(be_image_import(f->ctx, "img", tar, NULL, &err), -1);
	assert_int_equal(err->errnum, EEXIST);
	assert_string_equal(err->msg,
	                    "importing img: image img already exists (--force replaces it)");
	be_error_clear(&err);
	struct be_import_opts o = {.replace = true};
	assert_int_equal(be_image_import(f->ctx, "img", tar, &o, &err), 0);
	struct be_image_rec *now = NULL;
	assert_int_equal(image_load(f->ctx, "img", &now, &err), 0);
	assert_string_not_equal(now->layers[0], old->layers[0]);
	struct be_layer_info li;
	assert_int_equal(layer_load(f->ctx, old->layers[0], &li, &err), -1);
	be_error_clear(&err);
	assert_int_equal(n_layers(f), 1);
	image_rec_free(old);
	image_rec_free(now);
}

static void test_be_image_import_bad_name(void **state)
{
	struct tu_fix *f = *state;
	static const char *const bad[] = {
	        "../x", "",
	        "a/b",  ".hidden",
	        "-x",   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct be_error *err = NULL;
		assert_int_equal(be_image_import(f->ctx, bad[i], "/nonexistent", NULL, &err), -1);
		assert_non_null(strstr(err->msg, "invalid image name"));
		be_error_clear(&err);
		assert_int_equal(be_image_remove(f->ctx, bad[i], &err), -1);
		be_error_clear(&err);
	}
	assert_int_equal(count_in(f, "images"), 0);
	assert_clean(f);
}

static void test_be_image_load_missing(void **state)
{
	struct tu_fix *f = *state;
	struct be_image_rec *r = NULL;
	struct be_error *err = NULL;
	assert_int_equal(image_load(f->ctx, "nope", &r, &err), -1);
	assert_int_equal(err->errnum, ENOENT);
	assert_string_equal(err->msg, "no such image: nope");
	be_error_clear(&err);
	char *json = NULL;
	assert_int_equal(be_image_inspect_json(f->ctx, "nope", &json, &err), -1);
	assert_string_equal(err->msg, "no such image: nope");
	be_error_clear(&err);
	assert_int_equal(be_image_remove(f->ctx, "nope", &err), -1);
	assert_string_equal(err->msg, "no such image: nope");
	be_error_clear(&err);
}

static void import_good(struct tu_fix *f, const char *name)
{
	cleanup_free char *tar = tu_work_path(f, "good.tar");
	tu_make_tar(tar, ARCHIVE_FILTER_NONE, good, sizeof(good) / sizeof(good[0]));
	struct be_error *err = NULL;
	if (be_image_import(f->ctx, name, tar, NULL, &err) < 0)
		fail_msg("%s", err->msg);
}

static void test_be_image_remove_used_by_container(void **state)
{
	struct tu_fix *f = *state;
	import_good(f, "demo");
	cleanup_free char *cfg = xasprintf("%s/containers/web/config.json", f->root);
	tu_write(cfg, "{\"version\": 1, \"image\": \"demo\", \"cmd\": [\"/bin/sh\"]}\n");
	struct be_error *err = NULL;
	assert_int_equal(be_image_remove(f->ctx, "demo", &err), -1);
	assert_int_equal(err->errnum, EBUSY);
	assert_string_equal(err->msg,
	                    "image demo is used by container web (remove the container first)");
	be_error_clear(&err);
	assert_int_equal(unlink(cfg), 0);
	assert_int_equal(be_image_remove(f->ctx, "demo", &err), 0);
	assert_int_equal(count_in(f, "images"), 0);
	assert_int_equal(count_in(f, "layers"), 0);
	assert_clean(f);
}

static void test_be_image_remove_keeps_used_layers(void **state)
{
	struct tu_fix *f = *state;
	struct be_error *err = NULL;
	import_good(f, "a");
	struct be_image_rec *a = NULL;
	assert_int_equal(image_load(f->ctx, "a", &a, &err), 0);
	/* Image b shares a's layer. */
	assert_int_equal(image_save_chain(f->ctx, "b", a->layers, 1, a, &err), 0);
	assert_int_equal(be_image_remove(f->ctx, "a", &err), 0);
	struct be_layer_info li;
	assert_int_equal(layer_load(f->ctx, a->layers[0], &li, &err), 0);
	/* A container's head built on it (a snapshot layer) keeps it too. */
	struct be_layer_tmp *t = NULL;
	char child[13];
	assert_int_equal(layer_begin(f->ctx, &t, &err), 0);
	assert_int_equal(layer_commit(f->ctx, t, a->layers[0], "snapshot", child, &err), 0);
	cleanup_free char *st = xasprintf("%s/containers/web/state.json", f->root);
	cleanup_free char *text = xasprintf("{\"version\":1,\"head\":\"%s\"}\n", child);
	tu_write(st, text);
	assert_int_equal(be_image_remove(f->ctx, "b", &err), 0);
	assert_int_equal(layer_load(f->ctx, a->layers[0], &li, &err), 0);
	assert_int_equal(layer_load(f->ctx, child, &li, &err), 0);
	image_rec_free(a);
}

static void test_be_image_save_chain_checks(void **state)
{
	struct tu_fix *f = *state;
	struct be_error *err = NULL;
	char base[13], top[13], other[13];
	struct be_layer_tmp *t = NULL;
	assert_int_equal(layer_begin(f->ctx, &t, &err), 0);
	assert_int_equal(layer_commit(f->ctx, t, NULL, "import", base, &err), 0);
	assert_int_equal(layer_begin(f->ctx, &t, &err), 0);
	assert_int_equal(layer_commit(f->ctx, t, base, "snapshot", top, &err), 0);
	assert_int_equal(layer_begin(f->ctx, &t, &err), 0);
	assert_int_equal(layer_commit(f->ctx, t, NULL, "import", other, &err), 0);
	char *bad[] = {top, other};
	assert_int_equal(image_save_chain(f->ctx, "c", bad, 2, NULL, &err), -1);
	assert_non_null(strstr(err->msg, "do not form a chain"));
	be_error_clear(&err);
	char *half[] = {top};
	assert_int_equal(image_save_chain(f->ctx, "c", half, 1, NULL, &err), -1);
	be_error_clear(&err);
	assert_int_equal(image_save_chain(f->ctx, "c", half, 0, NULL, &err), -1);
	be_error_clear(&err);
	char *ok[] = {top, base};
	struct be_image_rec from = {0};
	char c0[] = "/bin/echo", c1[] = "hi", e0[] = "A=1", wd[] = "/tmp";
	char *cmd[] = {c0, c1};
	char *env[] = {e0};
	from.cmd = cmd;
	from.n_cmd = 2;
	from.env = env;
	from.n_env = 1;
	from.workdir = wd;
	assert_int_equal(image_save_chain(f->ctx, "c", ok, 2, &from, &err), 0);
	assert_int_equal(image_save_chain(f->ctx, "c", ok, 2, NULL, &err), -1);
	assert_int_equal(err->errnum, EEXIST);
	be_error_clear(&err);
	struct be_image_rec *r = NULL;
	assert_int_equal(image_load(f->ctx, "c", &r, &err), 0);
	assert_int_equal(r->n_layers, 2);
	assert_string_equal(r->layers[0], top);
	assert_string_equal(r->layers[1], base);
	assert_int_equal(r->n_cmd, 2);
	assert_string_equal(r->cmd[1], "hi");
	assert_string_equal(r->env[0], "A=1");
	assert_string_equal(r->workdir, "/tmp");
	image_rec_free(r);
}

static void test_be_image_list_json_fields(void **state)
{
	struct tu_fix *f = *state;
	import_good(f, "one");
	import_good(f, "two");
	char *text = NULL;
	struct be_error *err = NULL;
	assert_int_equal(be_image_list_json(f->ctx, &text, &err), 0);
	json_error_t jerr;
	json_t *a = json_loads(text, 0, &jerr);
	free(text);
	assert_non_null(a);
	assert_int_equal(json_array_size(a), 2);
	json_t *o = json_array_get(a, 1);
	assert_string_equal(json_string_value(json_object_get(o, "name")), "two");
	assert_int_equal(json_integer_value(json_object_get(o, "size")), 44);
	assert_int_equal(json_integer_value(json_object_get(o, "files")), 8);
	assert_int_equal(json_array_size(json_object_get(o, "layers")), 1);
	assert_true(layer_id_valid(json_string_value(json_object_get(o, "id"))));
	json_decref(a);
}

static void test_be_image_list_corrupt(void **state)
{
	struct tu_fix *f = *state;
	import_good(f, "fine");
	cleanup_free char *p = xasprintf("%s/images/broken.json", f->root);
	tu_write(p, "{\"version\": 1, \"name\": \"broken\", \"layers\": 7}\n");
	struct be_image_info *v = NULL;
	size_t n = 0;
	struct be_error *err = NULL;
	assert_int_equal(be_image_list(f->ctx, &v, &n, &err), -1);
	assert_non_null(strstr(err->msg, p));
	assert_non_null(strstr(err->msg, "berth image rm broken"));
	be_error_clear(&err);
	assert_int_equal(be_image_remove(f->ctx, "broken", &err), 0);
	assert_int_equal(be_image_list(f->ctx, &v, &n, &err), 0);
	assert_int_equal(n, 1);
	be_image_list_free(v, n);
}

static void test_be_image_demo_kept(void **state)
{
	struct tu_fix *f = *state;
	if (access("/bin/busybox", X_OK) < 0)
		skip();
	struct be_error *err = NULL;
	if (be_image_demo(f->ctx, NULL, &err) < 0)
		fail_msg("%s", err->msg);
	struct be_image_rec *r1 = NULL, *r2 = NULL;
	assert_int_equal(image_load(f->ctx, "demo", &r1, &err), 0);
	assert_int_equal(be_image_demo(f->ctx, "demo", &err), 0);
	assert_int_equal(image_load(f->ctx, "demo", &r2, &err), 0);
	assert_string_equal(r1->layers[0], r2->layers[0]);
	static const char *const want[] = {"bin/busybox", "bin/sh",    "bin/ls",       "bin/cat",
	                                   "etc/passwd",  "etc/group", "etc/hostname", "tmp",
	                                   "proc",        "sys",       "dev"};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		cleanup_free char *p = layer_file(f, "demo", want[i]);
		if (!util_path_exists(p))
			fail_msg("demo lacks /%s", want[i]);
	}
	cleanup_free char *tmp = layer_file(f, "demo", "tmp");
	struct stat st;
	assert_int_equal(stat(tmp, &st), 0);
	assert_int_equal(st.st_mode & 07777, 01777);
	/* A record from another busybox is rebuilt. */
	cleanup_free char *rec = xasprintf("%s/images/demo.json", f->root);
	tu_sh(NULL, "sed -i 's/\"source\": \"demo: /\"source\": \"old: /' '%s'", rec);
	struct be_image_rec *r3 = NULL;
	assert_int_equal(be_image_demo(f->ctx, "demo", &err), 0);
	assert_int_equal(image_load(f->ctx, "demo", &r3, &err), 0);
	assert_string_not_equal(r3->layers[0], r1->layers[0]);
	assert_int_equal(n_layers(f), 1);
	image_rec_free(r1);
	image_rec_free(r2);
	image_rec_free(r3);
	assert_clean(f);
}

/* image ls's REPOSITORY, TAG and DIGEST come from a pulled image's source. */
static void test_be_image_info_origin(void **state)
{
	(void)state;
	static const struct {
		const char *source, *repo, *tag, *digest;
	} cases[] = {
	        {"pulled from localhost:5000/team/app:v1 (manifest sha256:abc)",
	         "localhost:5000/team/app", "v1", "sha256:abc"},
	        {"pulled from 127.0.0.1:5000/app@sha256:def (manifest sha256:def)",
	         "127.0.0.1:5000/app", "", "sha256:def"},
	        {"pulled from registry.example:443/a/b:latest (manifest sha256:0)",
	         "registry.example:443/a/b", "latest", "sha256:0"},
	        {"/tmp/rootfs.tar", "", "", ""},
	        {"", "", "", ""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct be_image_info info = {.source = (char *)cases[i].source};
		be_image_info_origin(&info);
		assert_string_equal(info.repository, cases[i].repo);
		assert_string_equal(info.tag, cases[i].tag);
		assert_string_equal(info.digest, cases[i].digest);
	}
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_be_image_info_origin),
	        cmocka_unit_test(test_be_extract_norm_path_cases),
	        cmocka_unit_test(test_be_extract_symlink_inside_cases),
	        T(test_be_image_import_tar_gzip),
	        T(test_be_image_import_progress),
	        T(test_be_image_import_refusals),
	        T(test_be_image_import_not_archive),
	        T(test_be_image_import_dir),
	        T(test_be_image_import_dir_refusals),
	        T(test_be_image_import_exists),
	        T(test_be_image_import_bad_name),
	        T(test_be_image_load_missing),
	        T(test_be_image_remove_used_by_container),
	        T(test_be_image_remove_keeps_used_layers),
	        T(test_be_image_save_chain_checks),
	        T(test_be_image_list_json_fields),
	        T(test_be_image_list_corrupt),
	        T(test_be_image_demo_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
