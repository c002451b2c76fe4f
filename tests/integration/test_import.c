/* Integration tests of `berth image ...` (root): hostile tarballs the test
 * builds itself with libarchive are refused naming the entry and leave
 * nothing behind; good tarballs, directories, stdin and the demo image
 * import, list, run and are removed. */
#include <archive.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "tu_tar.h"

static int setup(void **state)
{
	if (!tu_is_root())
		skip();
	*state = tu_fix_new();
	return 0;
}

static int teardown(void **state)
{
	tu_fix_free(*state);
	return 0;
}

/* ---- building tarballs ----------------------------------------------------- */

/* ---- checks ---------------------------------------------------------------------- */

/* Nothing was registered or left, and no file named f->mark appeared in
 * the root, its parents, /tmp, / or /etc. */
static void assert_nothing_left(const struct tu_fix *f)
{
	tu_trash_settle(f->root);
	assert_int_equal(
	        tu_count("find '%s/tmp' '%s/layers' -mindepth 1 | wc -l", f->root, f->root), 0);
	assert_int_equal(
	        tu_count("find '%s/trash' '%s/images' -mindepth 1 | wc -l", f->root, f->root), 0);
	assert_int_equal(
	        tu_count("find '%s' /tmp -maxdepth 6 -name '%s' | wc -l", f->root, f->mark), 0);
	static const char *const dirs[] = {"/", "/etc/", "/tmp/"};
	for (size_t i = 0; i < 3; i++) {
		char p[256];
		snprintf(p, sizeof(p), "%s%s", dirs[i], f->mark);
		assert_int_equal(access(p, F_OK), -1);
	}
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, f->root, "image", "ls", "--json", NULL), 0);
	assert_string_equal(o.out, "[]\n");
	tu_out_free(&o);
}

/* Imports the tarball and expects exit 125 with a one-line error that
 * holds want. */
static void expect_refused(struct tu_fix *f, const char *tar, const char *want)
{
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, f->root, "image", "import", "bad", tar, NULL), 125);
	if (strstr(o.err, want) == NULL)
		fail_msg("stderr \"%s\" lacks \"%s\"", o.err, want);
	assert_non_null(strstr(o.err, "berth: importing bad: "));
	assert_ptr_equal(strchr(o.err, '\n'), o.err + strlen(o.err) - 1);
	assert_string_equal(o.out, "");
	tu_out_free(&o);
	assert_nothing_left(f);
}

static void refuse_entries(struct tu_fix *f, const struct tu_tar_entry *e, size_t n,
                           const char *want)
{
	char *tar = tu_work_path(f, "bad.tar");
	tu_make_tar(tar, ARCHIVE_FILTER_NONE, e, n);
	expect_refused(f, tar, want);
	free(tar);
}

/* ---- refusals --------------------------------------------------------------------- */

static void test_import_refuses_dotdot(void **state)
{
	struct tu_fix *f = *state;
	for (int depth = 1; depth <= 6; depth++) {
		char path[256] = "", want[320];
		for (int i = 0; i < depth; i++)
			strcat(path, "../");
		strcat(path, f->mark);
		struct tu_tar_entry e[] = {{"ok", 'f', "fine", 0}, {path, 'f', "escaped", 0}};
		snprintf(want, sizeof(want), "entry \"%s\": path leaves the layer", path);
		refuse_entries(f, e, 2, want);
	}
	char inside[256], want[320];
	snprintf(inside, sizeof(inside), "a/../../%s", f->mark);
	struct tu_tar_entry e[] = {{inside, 'f', "escaped", 0}};
	snprintf(want, sizeof(want), "entry \"%s\": path leaves the layer", inside);
	refuse_entries(f, e, 1, want);
}

static void test_import_refuses_absolute(void **state)
{
	struct tu_fix *f = *state;
	char path[256], want[320];
	snprintf(path, sizeof(path), "/tmp/%s", f->mark);
	struct tu_tar_entry e[] = {{"ok", 'f', "fine", 0}, {path, 'f', "escaped", 0}};
	snprintf(want, sizeof(want), "entry \"%s\": path is absolute", path);
	refuse_entries(f, e, 2, want);
}

static void test_import_refuses_write_through_symlink(void **state)
{
	struct tu_fix *f = *state;
	char path[256], want[320];
	snprintf(path, sizeof(path), "evil/tmp/%s", f->mark);
	struct tu_tar_entry to_root[] = {{"evil", 'l', "/", 0}, {path, 'f', "escaped", 0}};
	snprintf(want, sizeof(want), "entry \"%s\": parent \"evil\" is a symlink", path);
	refuse_entries(f, to_root, 2, want);
	snprintf(path, sizeof(path), "d/tmplink/%s", f->mark);
	struct tu_tar_entry to_tmp[] = {
	        {"d", 'd', NULL, 0}, {"d/tmplink", 'l', "/tmp", 0}, {path, 'f', "escaped", 0}};
	snprintf(want, sizeof(want), "entry \"%s\": parent \"d/tmplink\" is a symlink", path);
	refuse_entries(f, to_tmp, 3, want);
	/* A relative symlink that climbs out is refused by itself. */
	struct tu_tar_entry up[] = {{"up", 'l', "../../../../../../../../tmp", 0}};
	refuse_entries(
	        f, up, 1,
	        "entry \"up\": symlink target \"../../../../../../../../tmp\" leaves the layer");
}

static void test_import_refuses_hardlink_to_host(void **state)
{
	struct tu_fix *f = *state;
	struct stat before, after;
	assert_int_equal(stat("/etc/hostname", &before), 0);
	struct tu_tar_entry abs[] = {{"h", 'h', "/etc/hostname", 0}, {"h", 'f', "overwritten", 0}};
	refuse_entries(f, abs, 2,
	               "entry \"h\": hard link target \"/etc/hostname\" leaves the layer");
	struct tu_tar_entry rel[] = {{"x/h", 'h', "../../../../../../../../etc/hostname", 0}};
	refuse_entries(f, rel, 1,
	               "entry \"x/h\": hard link target \"../../../../../../../../etc/hostname\" "
	               "leaves the layer");
	/* Through a planted symlink to /etc. */
	struct tu_tar_entry via[] = {{"e", 'l', "/etc", 0}, {"h", 'h', "e/hostname", 0}};
	refuse_entries(f, via, 2, "entry \"h\": parent \"e\" is a symlink");
	assert_int_equal(stat("/etc/hostname", &after), 0);
	assert_int_equal(before.st_nlink, after.st_nlink);
	assert_int_equal(before.st_size, after.st_size);
	assert_int_equal(before.st_mtime, after.st_mtime);
}

static json_t *listed(const struct tu_fix *f, const char *name);

/* A file over an absolute symlink to a host file replaces the link in the
 * layer; the host file is never written. */
static void test_import_file_over_symlink(void **state)
{
	struct tu_fix *f = *state;
	struct stat before, after;
	assert_int_equal(stat("/etc/hostname", &before), 0);
	char *tar = tu_work_path(f, "over.tar");
	struct tu_tar_entry e[] = {{"p", 'l', "/etc/hostname", 0},
	                           {"p", 'f', "pwned\n", 0},
	                           {"q", 'l', "/etc/hostname", 0},
	                           {"r", 'h', "q", 0},
	                           {"r", 'f', "pwned too\n", 0}};
	tu_make_tar(tar, ARCHIVE_FILTER_NONE, e, 5);
	struct tu_out o = {0};
	if (tu_berthl(&o, f->root, "image", "import", "over", tar, NULL) != 0)
		fail_msg("%s", o.err);
	tu_out_free(&o);
	assert_int_equal(stat("/etc/hostname", &after), 0);
	assert_int_equal(before.st_size, after.st_size);
	assert_int_equal(before.st_mtime, after.st_mtime);
	assert_int_equal(before.st_nlink, after.st_nlink);
	json_t *img = listed(f, "over");
	char p[4096];
	snprintf(p, sizeof(p), "%s/layers/%s/diff/p", f->root,
	         json_string_value(json_object_get(img, "id")));
	char *text = tu_read(p);
	assert_string_equal(text, "pwned\n");
	free(text);
	json_decref(img);
	free(tar);
}

static void test_import_refuses_devices(void **state)
{
	struct tu_fix *f = *state;
	struct tu_tar_entry chr[] = {{"dev", 'd', NULL, 0}, {"dev/null", 'c', NULL, 0}};
	refuse_entries(f, chr, 2, "entry \"dev/null\": device nodes are not allowed in a layer");
	struct tu_tar_entry blk[] = {{"dev/sda", 'b', NULL, 0}};
	refuse_entries(f, blk, 1, "entry \"dev/sda\": device nodes are not allowed in a layer");
}

static void test_import_refuses_truncated_gzip(void **state)
{
	struct tu_fix *f = *state;
	char *tar = tu_work_path(f, "trunc.tar.gz");
	struct tu_tar_entry e[] = {{"a", 'f', "small", 0}, {"big.bin", 'F', NULL, 256 * 1024}};
	tu_make_tar(tar, ARCHIVE_FILTER_GZIP, e, 2);
	struct stat st;
	assert_int_equal(stat(tar, &st), 0);
	assert_int_equal(truncate(tar, st.st_size * 6 / 10), 0);
	expect_refused(f, tar, "entry \"big.bin\": reading: truncated gzip input");
	free(tar);
}

static void test_import_refuses_empty(void **state)
{
	struct tu_fix *f = *state;
	char *zero = tu_work_path(f, "zero.tar");
	tu_write(zero, "");
	expect_refused(f, zero, "archive is empty");
	char *tar = tu_work_path(f, "none.tar.gz");
	tu_make_tar(tar, ARCHIVE_FILTER_GZIP, NULL, 0);
	expect_refused(f, tar, "archive is empty");
	char *txt = tu_work_path(f, "notes.txt");
	tu_write(txt, "not an archive\n");
	expect_refused(f, txt, "Unrecognized archive format");
	/* Text that libarchive reads as an mtree file list (a passwd file,
	 * or a list naming host files) is no image either. */
	char *pw = tu_work_path(f, "passwd");
	tu_write(pw, "root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\n");
	expect_refused(f, pw, "not an archive");
	char *mt = tu_work_path(f, "list.mtree");
	tu_write(mt, "#mtree\n./stolen type=file mode=0644 contents=/etc/hostname\n");
	expect_refused(f, mt, "not an archive");
	free(zero);
	free(tar);
	free(txt);
	free(pw);
	free(mt);
}

/* ---- good imports ------------------------------------------------------------------ */

static const struct tu_tar_entry good[] = {
        {"./", 'd', NULL, 0},
        {"bin/", 'd', NULL, 0},
        {"bin/busybox", 'F', NULL, 100000},
        {"bin/sh", 'l', "/bin/busybox", 0}, /* absolute: resolved in the container */
        {"bin/ls", 'h', "bin/busybox", 0},
        {"usr/lib/x", 'l', "../../bin/sh", 0},
        {"etc/passwd", 'f', "root:x:0:0::/:/bin/sh\n", 0},
};
/* 100000 + 12 + 12 + 22 bytes; bin bin/busybox bin/sh bin/ls usr usr/lib
 * usr/lib/x etc etc/passwd */
#define GOOD_SIZE 100046
#define GOOD_FILES 9

/* The JSON object of image name in `berth image ls --json`. */
static json_t *listed(const struct tu_fix *f, const char *name)
{
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, f->root, "image", "ls", "--json", NULL), 0);
	json_error_t jerr;
	json_t *a = json_loads(o.out, 0, &jerr);
	tu_out_free(&o);
	assert_non_null(a);
	json_t *found = NULL;
	for (size_t i = 0; i < json_array_size(a); i++) {
		json_t *it = json_array_get(a, i);
		if (strcmp(json_string_value(json_object_get(it, "name")), name) == 0)
			found = json_incref(it);
	}
	json_decref(a);
	if (found == NULL)
		fail_msg("image %s not listed", name);
	return found;
}

static void assert_listed(const struct tu_fix *f, const char *name, long long size, long long files)
{
	json_t *o = listed(f, name);
	assert_int_equal(json_integer_value(json_object_get(o, "size")), size);
	assert_int_equal(json_integer_value(json_object_get(o, "files")), files);
	assert_int_equal(json_array_size(json_object_get(o, "layers")), 1);
	json_decref(o);
}

/* ---- sizes and counts ------------------------------------------------------------ */

/* The size and file count of image name's layer, as `du`-like tools find
 * them in its diff: every name; regular files once per inode; symlinks. */
static void counted_on_disk(const struct tu_fix *f, const char *name, long long *size,
                            long long *files)
{
	json_t *img = listed(f, name);
	char diff[4096];
	snprintf(diff, sizeof(diff), "%s/layers/%s/diff", f->root,
	         json_string_value(json_object_get(img, "id")));
	json_decref(img);
	*files = tu_count("find '%s' -mindepth 1 | wc -l", diff);
	*size = tu_count("find '%s' \\( -type f -o -type l \\) -printf '%%i %%s\\n' | sort -u | "
	                 "awk '{s += $2} END {print s + 0}'",
	                 diff);
}

/* The layer's size and file count, which the extraction counts as it
 * writes (no second walk when every entry made a new name), agree with
 * the tree on disk: archives the count holds for, and archives where an
 * entry replaces another or parents are made implicitly (walked). */
static void test_import_counts_match_tree(void **state)
{
	struct tu_fix *f = *state;
	static const struct tu_tar_entry plain[] = {
	        {"d/", 'd', NULL, 0},         {"d/a", 'F', NULL, 70000},
	        {"d/empty", 'f', "", 0},      {"d/suid", 'f', "#!/bin/sh\n", 0, 04755},
	        {"d/link", 'l', "a", 0},      {"d/hard", 'h', "d/a", 0},
	        {"d/fifo", 'p', NULL, 0},     {"d/", 'd', NULL, 0},
	        {"top", 'f', "top\n", 0},     {"d/sub/", 'd', NULL, 0},
	        {"d/sub/b", 'F', NULL, 3000},
	};
	static const struct tu_tar_entry replaced[] = {
	        {"d/", 'd', NULL, 0}, {"d/a", 'F', NULL, 5000},        {"d/a", 'f', "shorter\n", 0},
	        {"d/l", 'l', "a", 0}, {"d/l", 'f', "was a link\n", 0},
	};
	static const struct tu_tar_entry implicit[] = {
	        {"x/y/z", 'f', "deep\n", 0},
	        {"x/y/w", 'l', "z", 0},
	        {"x/", 'd', NULL, 0},
	};
	static const struct {
		const char *name;
		const struct tu_tar_entry *e;
		size_t n;
		long long size, files; /* worked out by hand */
	} cases[] = {
	        {"plain", plain, sizeof(plain) / sizeof(plain[0]), 70000 + 10 + 1 + 4 + 3000, 10},
	        {"replaced", replaced, sizeof(replaced) / sizeof(replaced[0]), 8 + 11, 3},
	        {"implicit", implicit, sizeof(implicit) / sizeof(implicit[0]), 5 + 1, 4},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *tar = tu_work_path(f, cases[i].name);
		tu_make_tar(tar, ARCHIVE_FILTER_NONE, cases[i].e, cases[i].n);
		struct tu_out o = {0};
		if (tu_berthl(&o, f->root, "image", "import", cases[i].name, tar, NULL) != 0)
			fail_msg("%s: %s", cases[i].name, o.err);
		tu_out_free(&o);
		long long size, files;
		counted_on_disk(f, cases[i].name, &size, &files);
		assert_int_equal(size, cases[i].size);
		assert_int_equal(files, cases[i].files);
		assert_listed(f, cases[i].name, cases[i].size, cases[i].files);
		free(tar);
	}
	/* Files written by berth itself keep owner, mode (set-id bits too)
	 * and times. */
	json_t *img = listed(f, "plain");
	char p[4096];
	snprintf(p, sizeof(p), "%s/layers/%s/diff/d/suid", f->root,
	         json_string_value(json_object_get(img, "id")));
	json_decref(img);
	struct stat st;
	assert_int_equal(lstat(p, &st), 0);
	assert_int_equal(st.st_mode, S_IFREG | 04755);
	assert_int_equal(st.st_mtime, 1700000000);
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(st.st_size, 10);
}

static void test_import_good_compressions(void **state)
{
	struct tu_fix *f = *state;
	static const struct {
		const char *name;
		int filter;
	} kinds[] = {{"plain", ARCHIVE_FILTER_NONE},
	             {"gzip", ARCHIVE_FILTER_GZIP},
	             {"zstd", ARCHIVE_FILTER_ZSTD},
	             {"xz", ARCHIVE_FILTER_XZ},
	             {"bzip2", ARCHIVE_FILTER_BZIP2}};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		char *tar = tu_work_path(f, kinds[i].name);
		tu_make_tar(tar, kinds[i].filter, good, sizeof(good) / sizeof(good[0]));
		struct tu_out o = {0};
		int rc = tu_berthl(&o, f->root, "image", "import", kinds[i].name, tar, NULL);
		if (rc != 0)
			fail_msg("%s: %s", kinds[i].name, o.err);
		assert_string_equal(o.err, ""); /* no progress when stderr is not a tty */
		tu_out_free(&o);
		assert_listed(f, kinds[i].name, GOOD_SIZE, GOOD_FILES);
		free(tar);
	}
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, f->root, "image", "ls", NULL), 0);
	assert_non_null(strstr(o.out, "NAME"));
	assert_non_null(strstr(o.out, "LAYERS"));
	assert_non_null(strstr(o.out, "97.7 KiB"));
	/* Created a moment ago; under a sanitizer the imports take seconds. */
	assert_true(strstr(o.out, "Less than a second ago") != NULL ||
	            strstr(o.out, " seconds ago") != NULL || strstr(o.out, "1 second ago") != NULL);
	tu_out_free(&o);
	tu_trash_settle(f->root);
	assert_int_equal(tu_count("find '%s/tmp' '%s/trash' -mindepth 1 | wc -l", f->root, f->root),
	                 0);
}

static void test_import_dir_and_stdin(void **state)
{
	struct tu_fix *f = *state;
	char *tar = tu_work_path(f, "good.tar");
	tu_make_tar(tar, ARCHIVE_FILTER_NONE, good, sizeof(good) / sizeof(good[0]));
	char *dir = tu_work_path(f, "tree");
	assert_int_equal(tu_sh(NULL, "mkdir '%s' && tar -xf '%s' -C '%s'", dir, tar, dir), 0);
	struct tu_out o = {0};
	if (tu_berthl(&o, f->root, "image", "import", "-q", "fromdir", dir, NULL) != 0)
		fail_msg("%s", o.err);
	assert_string_equal(o.out, "");
	tu_out_free(&o);
	assert_listed(f, "fromdir", GOOD_SIZE, GOOD_FILES);
	assert_int_equal(tu_sh(&o, "'%s' --root '%s' image import fromstdin - < '%s'",
	                       tu_berth_bin(), f->root, tar),
	                 0);
	tu_out_free(&o);
	assert_listed(f, "fromstdin", GOOD_SIZE, GOOD_FILES);
	free(tar);
	free(dir);
}

/* Another client's start-up repair (here `image ls`) while an import is
 * half done must leave the import's temporary layer alone.  The tarball
 * comes through a FIFO, so the import waits mid-way, deterministically. */
static void test_import_survives_concurrent_repair(void **state)
{
	struct tu_fix *f = *state;
	char *tar = tu_work_path(f, "good.tar");
	char *fifo = tu_work_path(f, "fifo");
	tu_make_tar(tar, ARCHIVE_FILTER_NONE, good, sizeof(good) / sizeof(good[0]));
	assert_int_equal(mkfifo(fifo, 0600), 0);
	size_t len = 0;
	char *data = tu_read(tar);
	struct stat st;
	assert_int_equal(stat(tar, &st), 0);
	len = (size_t)st.st_size;
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		execl(tu_berth_bin(), "berth", "--root", f->root, "image", "import", "race", fifo,
		      (char *)NULL);
		_exit(127);
	}
	int fd = open(fifo, O_WRONLY); /* berth has its locked layer by now */
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len / 2), (ssize_t)(len / 2));
	usleep(50 * 1000);
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, f->root, "image", "ls", NULL), 0);
	tu_out_free(&o);
	assert_int_equal(write(fd, data + len / 2, len - len / 2), (ssize_t)(len - len / 2));
	close(fd);
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_listed(f, "race", GOOD_SIZE, GOOD_FILES);
	free(data);
	free(tar);
	free(fifo);
}

static void test_import_same_name(void **state)
{
	struct tu_fix *f = *state;
	char *tar = tu_work_path(f, "good.tar");
	tu_make_tar(tar, ARCHIVE_FILTER_NONE, good, sizeof(good) / sizeof(good[0]));
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, f->root, "image", "import", "img", tar, NULL), 0);
	tu_out_free(&o);
	json_t *first = listed(f, "img");
	assert_int_equal(tu_berthl(&o, f->root, "image", "import", "img", tar, NULL), 125);
	assert_string_equal(o.err, "berth: importing img: image img already exists (--force "
	                           "replaces it)\n");
	tu_out_free(&o);
	assert_int_equal(tu_berthl(&o, f->root, "image", "import", "--force", "img", tar, NULL), 0);
	tu_out_free(&o);
	json_t *second = listed(f, "img");
	const char *id1 = json_string_value(json_object_get(first, "id"));
	const char *id2 = json_string_value(json_object_get(second, "id"));
	assert_string_not_equal(id1, id2);
	assert_int_equal(tu_count("ls '%s/layers' | grep -c '%s'", f->root, id1), 0);
	assert_int_equal(tu_count("ls '%s/layers' | wc -l", f->root), 1);
	json_decref(first);
	json_decref(second);
	free(tar);
}

static void test_image_bad_names(void **state)
{
	struct tu_fix *f = *state;
	static const char *const bad[] = {"../evil", "a/b", "a b", "-x", ".x", ""};
	char *tar = tu_work_path(f, "good.tar");
	tu_make_tar(tar, ARCHIVE_FILTER_NONE, good, sizeof(good) / sizeof(good[0]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tu_out o = {0};
		assert_int_equal(tu_berthl(&o, f->root, "image", "import", "--", bad[i], tar, NULL),
		                 125);
		if (strstr(o.err, "invalid image name") == NULL)
			fail_msg("\"%s\": %s", bad[i], o.err);
		tu_out_free(&o);
		assert_int_equal(tu_berthl(&o, f->root, "image", "rm", "--", bad[i], NULL), 125);
		assert_non_null(strstr(o.err, "invalid image name"));
		tu_out_free(&o);
		assert_int_equal(tu_berthl(&o, f->root, "image", "inspect", "--", bad[i], NULL),
		                 125);
		tu_out_free(&o);
	}
	assert_int_equal(tu_count("find '%s' -name '*evil*' | wc -l", f->root), 0);
	f->mark[0] = 'x'; /* no mark used here */
	assert_nothing_left(f);
	free(tar);
}

static void test_image_rm_refused_while_used(void **state)
{
	struct tu_fix *f = *state;
	char *tar = tu_work_path(f, "good.tar");
	tu_make_tar(tar, ARCHIVE_FILTER_NONE, good, sizeof(good) / sizeof(good[0]));
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, f->root, "image", "import", "demo", tar, NULL), 0);
	tu_out_free(&o);
	char cfg[4096];
	snprintf(cfg, sizeof(cfg), "%s/containers/web/config.json", f->root);
	tu_write(cfg, "{\"version\": 1, \"name\": \"web\", \"image\": \"demo\"}\n");
	assert_int_equal(tu_berthl(&o, f->root, "image", "rm", "demo", NULL), 125);
	assert_string_equal(o.err,
	                    "berth: image demo is used by container web (remove the container "
	                    "first)\n");
	tu_out_free(&o);
	json_t *still = listed(f, "demo");
	json_decref(still);
	assert_int_equal(unlink(cfg), 0);
	assert_int_equal(tu_berthl(&o, f->root, "image", "rm", "demo", NULL), 0);
	assert_string_equal(o.out, "demo\n");
	tu_out_free(&o);
	assert_int_equal(tu_berthl(&o, f->root, "image", "rm", "demo", NULL), 125);
	assert_string_equal(o.err, "berth: no such image: demo\n");
	tu_out_free(&o);
	f->mark[0] = 'x';
	assert_nothing_left(f);
	free(tar);
}

static void test_image_demo_runs(void **state)
{
	struct tu_fix *f = *state;
	if (access("/bin/busybox", X_OK) < 0)
		skip();
	struct tu_out o = {0};
	if (tu_berthl(&o, f->root, "image", "demo", NULL) != 0)
		fail_msg("%s", o.err);
	assert_string_equal(o.out, "demo\n");
	tu_out_free(&o);
	json_t *img = listed(f, "demo");
	const char *id = json_string_value(json_object_get(img, "id"));
	assert_true(json_integer_value(json_object_get(img, "size")) > 1000000);
	/* The applets work in the layer as a root. */
	assert_int_equal(tu_sh(&o,
	                       "chroot '%s/layers/%s/diff' /bin/sh -c 'for a in sh ls cat ps "
	                       "sleep top echo mount hostname ip id env kill; do command -v $a "
	                       ">/dev/null || exit 9; done; cat /etc/hostname; ls -d /proc /tmp; "
	                       "id -un'",
	                       f->root, id),
	                 0);
	assert_string_equal(o.out, "berth\n/proc\n/tmp\nroot\n");
	tu_out_free(&o);
	/* Again: kept as it is. */
	assert_int_equal(tu_berthl(&o, f->root, "image", "demo", "-q", NULL), 0);
	assert_string_equal(o.out, "");
	tu_out_free(&o);
	json_t *again = listed(f, "demo");
	assert_string_equal(json_string_value(json_object_get(again, "id")), id);
	assert_int_equal(tu_berthl(&o, f->root, "image", "inspect", "demo", NULL), 0);
	assert_non_null(strstr(o.out, "\"origin\": \"demo\""));
	assert_non_null(strstr(o.out, "\"layer_info\""));
	tu_out_free(&o);
	json_decref(img);
	json_decref(again);
}

static void test_import_progress_on_tty(void **state)
{
	struct tu_fix *f = *state;
	if (access("/usr/bin/script", X_OK) < 0)
		skip();
	char *tar = tu_work_path(f, "big.tar");
	struct tu_tar_entry e[] = {{"big.bin", 'F', NULL, 8 << 20}, {"small", 'f', "x", 0}};
	tu_make_tar(tar, ARCHIVE_FILTER_NONE, e, 2);
	struct tu_out o = {0};
	assert_int_equal(tu_sh(&o, "script -qec \"'%s' --root '%s' image import p '%s'\" /dev/null",
	                       tu_berth_bin(), f->root, tar),
	                 0);
	assert_non_null(strstr(o.out, "100%"));
	assert_non_null(strstr(o.out, "2 entries"));
	assert_non_null(strstr(o.out, "iB/s"));
	tu_out_free(&o);
	assert_int_equal(tu_sh(&o,
	                       "script -qec \"'%s' --root '%s' image import -q q '%s'\" /dev/null",
	                       tu_berth_bin(), f->root, tar),
	                 0);
	assert_string_equal(o.out, "");
	tu_out_free(&o);
	free(tar);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	        T(test_import_refuses_dotdot),
	        T(test_import_refuses_absolute),
	        T(test_import_refuses_write_through_symlink),
	        T(test_import_refuses_hardlink_to_host),
	        T(test_import_file_over_symlink),
	        T(test_import_refuses_devices),
	        T(test_import_refuses_truncated_gzip),
	        T(test_import_refuses_empty),
	        T(test_import_good_compressions),
	        T(test_import_counts_match_tree),
	        T(test_import_dir_and_stdin),
	        T(test_import_survives_concurrent_repair),
	        T(test_import_same_name),
	        T(test_image_bad_names),
	        T(test_image_rm_refused_while_used),
	        T(test_image_demo_runs),
	        T(test_import_progress_on_tty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
