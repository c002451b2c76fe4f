/* Tests of backend/base/util.c: size parsing and formatting, mkdir -p, rm -rf
 * (links and mounts), atomic writes, fault points, random ids, clocks. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"
#include "testutil.h"

/* ---- be_parse_size ------------------------------------------------------- */

static const struct {
	const char *text;
	uint64_t want;
} size_ok[] = {
        {"0", 0},
        {"512", 512},
        {"1b", 1},
        {"64k", 64ull << 10},
        {"64K", 64ull << 10},
        {"32m", 32ull << 20},
        {"32M", 32ull << 20},
        {"1g", 1ull << 30},
        {"1G", 1ull << 30},
        {"2t", 2ull << 40},
        {"32mb", 32ull << 20},
        {"32MB", 32ull << 20},
        {"32MiB", 32ull << 20},
        {"4kib", 4ull << 10},
        {"007", 7},
        {"0g", 0},
        {"18446744073709551615", UINT64_MAX},
        {"17179869183g", 17179869183ull << 30},
        {"16777215t", 16777215ull << 40},
};

static void test_be_parse_size_accepted(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(size_ok) / sizeof(size_ok[0]); i++) {
		struct be_error *err = NULL;
		uint64_t v = 12345;
		if (be_parse_size(size_ok[i].text, &v, &err) < 0)
			fail_msg("\"%s\" refused: %s", size_ok[i].text, err->msg);
		if (v != size_ok[i].want)
			fail_msg("\"%s\" gave %" PRIu64 ", want %" PRIu64, size_ok[i].text, v,
			         size_ok[i].want);
		assert_null(err);
	}
}

static const struct {
	const char *text;
	const char *reason; /* text the error must hold */
} size_bad[] = {
        {"", "want a number"},
        {"abc", "want a number"},
        {"-1", "want a number"},
        {"+1", "want a number"},
        {" 1", "want a number"},
        {"1 ", "want a number"},
        {"1.5g", "want a number"},
        {"1,5g", "want a number"},
        {"16e", "want a number"},
        {"1p", "want a number"},
        {"1x", "want a number"},
        {"0x10", "want a number"},
        {"1bb", "want a number"},
        {"1kk", "want a number"},
        {"1gbx", "want a number"},
        {"k", "want a number"},
        {"99999999999999999999", "too large"},
        {"18446744073709551616", "too large"},
        {"17179869184g", "too large"},
        {"16777216t", "too large"},
        {"18014398509481984k", "too large"},
};

static void test_be_parse_size_refused(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(size_bad) / sizeof(size_bad[0]); i++) {
		struct be_error *err = NULL;
		uint64_t v = 12345;
		if (be_parse_size(size_bad[i].text, &v, &err) == 0)
			fail_msg("\"%s\" accepted as %" PRIu64, size_bad[i].text, v);
		assert_non_null(err);
		assert_int_equal(v, 12345); /* *out untouched */
		char want[128];
		snprintf(want, sizeof(want), "invalid size \"%s\": ", size_bad[i].text);
		if (strncmp(err->msg, want, strlen(want)) != 0 ||
		    strstr(err->msg, size_bad[i].reason) == NULL || strchr(err->msg, '\n'))
			fail_msg("\"%s\": unexpected message \"%s\"", size_bad[i].text, err->msg);
		be_error_free(err);
	}
	struct be_error *err = NULL;
	uint64_t v;
	assert_int_equal(be_parse_size(NULL, &v, &err), -1);
	assert_non_null(strstr(err->msg, "invalid size \"\""));
	be_error_free(err);
}

/* ---- be_format_size ------------------------------------------------------ */

static const struct {
	uint64_t bytes;
	const char *want;
} size_fmt[] = {
        {0, "0 B"},
        {1, "1 B"},
        {1023, "1023 B"},
        {1024, "1.0 KiB"},
        {1536, "1.5 KiB"},
        {10 * 1024 + 300, "10.3 KiB"},
        {1048575, "1.0 MiB"},
        {1048576, "1.0 MiB"},
        {32ull << 20, "32.0 MiB"},
        {(1ull << 30) - 1, "1.0 GiB"},
        {5ull << 30, "5.0 GiB"},
        {3ull << 40, "3.0 TiB"},
        {7ull << 50, "7.0 PiB"},
        {UINT64_MAX, "16.0 EiB"},
};

static void test_be_format_size_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(size_fmt) / sizeof(size_fmt[0]); i++) {
		char buf[32];
		const char *s = be_format_size(size_fmt[i].bytes, buf, sizeof(buf));
		assert_ptr_equal(s, buf);
		if (strcmp(s, size_fmt[i].want) != 0)
			fail_msg("%" PRIu64 " gave \"%s\", want \"%s\"", size_fmt[i].bytes, s,
			         size_fmt[i].want);
	}
}

static void test_be_format_size_short_buffer(void **state)
{
	(void)state;
	char buf[5];
	memset(buf, 'z', sizeof(buf));
	be_format_size(5ull << 30, buf, sizeof(buf));
	assert_int_equal(buf[4], '\0');
	assert_string_equal(buf, "5.0 ");
}

/* ---- be_format_duration -------------------------------------------------- */

static void test_be_format_duration_table(void **state)
{
	(void)state;
	static const struct {
		int64_t secs;
		const char *want;
	} t[] = {
	        {-5, "Less than a second"},
	        {0, "Less than a second"},
	        {1, "1 second"},
	        {59, "59 seconds"},
	        {60, "About a minute"},
	        {119, "About a minute"},
	        {120, "2 minutes"},
	        {3599, "59 minutes"},
	        {3600, "About an hour"},
	        {7199, "About an hour"},
	        {7200, "2 hours"},
	        {47 * 3600 + 3599, "47 hours"},
	        {48 * 3600, "2 days"},
	        {13 * 86400, "13 days"},
	        {14 * 86400, "2 weeks"},
	        {59 * 86400, "8 weeks"},
	        {60 * 86400, "2 months"},
	        {729 * 86400, "24 months"},
	        {730 * 86400, "2 years"},
	        {INT64_MAX, "292471208677 years"},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char buf[48];
		const char *s = be_format_duration(t[i].secs, buf, sizeof(buf));
		assert_ptr_equal(s, buf);
		if (strcmp(s, t[i].want) != 0)
			fail_msg("%lld gave \"%s\", want \"%s\"", (long long)t[i].secs, s,
			         t[i].want);
	}
}

/* Formatting what was parsed gives the same amount back. */
static void test_be_format_size_round_trip(void **state)
{
	(void)state;
	static const char *const texts[] = {"64k", "32m", "1g", "3t"};
	static const char *const shown[] = {"64.0 KiB", "32.0 MiB", "1.0 GiB", "3.0 TiB"};
	for (size_t i = 0; i < 4; i++) {
		uint64_t v;
		char buf[32];
		assert_int_equal(be_parse_size(texts[i], &v, NULL), 0);
		assert_string_equal(be_format_size(v, buf, sizeof(buf)), shown[i]);
	}
}

/* ---- files --------------------------------------------------------------- */

static int setup_root(void **state)
{
	*state = tu_root_new();
	return 0;
}

static int teardown_root(void **state)
{
	tu_root_remove(*state);
	free(*state);
	return 0;
}

static char *at(void **state, const char *rel)
{
	return xasprintf("%s/%s", (const char *)*state, rel);
}

static void test_be_mkdir_p_nested(void **state)
{
	cleanup_free char *deep = at(state, "a/b/c/d");
	struct be_error *err = NULL;
	assert_int_equal(util_mkdir_p(deep, 0700, &err), 0);
	assert_null(err);
	struct stat st;
	assert_int_equal(stat(deep, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);
	/* Again, and with a trailing slash: existing directories are fine. */
	assert_int_equal(util_mkdir_p(deep, 0700, &err), 0);
	cleanup_free char *slash = at(state, "a/b/c/d/");
	assert_int_equal(util_mkdir_p(slash, 0700, &err), 0);
	assert_null(err);
}

static void test_be_mkdir_p_file_in_the_way(void **state)
{
	cleanup_free char *file = at(state, "f");
	tu_write(file, "x");
	struct be_error *err = NULL;
	assert_int_equal(util_mkdir_p(file, 0700, &err), -1);
	assert_non_null(err);
	assert_int_equal(err->errnum, ENOTDIR);
	assert_non_null(strstr(err->msg, file));
	be_error_clear(&err);

	cleanup_free char *below = at(state, "f/g");
	assert_int_equal(util_mkdir_p(below, 0700, &err), -1);
	assert_int_equal(err->errnum, ENOTDIR);
	be_error_clear(&err);

	assert_int_equal(util_mkdir_p("", 0700, &err), -1);
	assert_non_null(err);
	be_error_clear(&err);
	cleanup_free char *text = tu_read(file);
	assert_string_equal(text, "x");
}

/* A link to a directory counts as the directory (a root may be a link). */
static void test_be_mkdir_p_link_to_dir(void **state)
{
	cleanup_free char *real = at(state, "real");
	cleanup_free char *link = at(state, "link");
	assert_int_equal(mkdir(real, 0700), 0);
	assert_int_equal(symlink(real, link), 0);
	assert_int_equal(util_mkdir_p(link, 0700, NULL), 0);
	cleanup_free char *dangling = at(state, "dangling");
	assert_int_equal(symlink("/nonexistent/berth-test", dangling), 0);
	struct be_error *err = NULL;
	assert_int_equal(util_mkdir_p(dangling, 0700, &err), -1);
	assert_non_null(err);
	be_error_free(err);
}

static void test_be_rm_rf_tree(void **state)
{
	cleanup_free char *top = at(state, "t");
	tu_sh(NULL,
	      "mkdir -p '%s/a/b/c' '%s/e' && echo 1 > '%s/a/b/c/f' && echo 2 > '%s/a/g' && "
	      "mkfifo '%s/e/fifo' && ln -s nowhere '%s/e/dangling' && touch '%s/.hidden'",
	      top, top, top, top, top, top, top);
	struct be_error *err = NULL;
	assert_int_equal(util_rm_rf(top, &err), 0);
	assert_null(err);
	assert_false(util_path_exists(top));
	/* A missing path is success; so is a single file. */
	assert_int_equal(util_rm_rf(top, &err), 0);
	cleanup_free char *file = at(state, "file");
	tu_write(file, "x");
	assert_int_equal(util_rm_rf(file, &err), 0);
	assert_false(util_path_exists(file));
	assert_null(err);
}

/* Links inside the tree are removed, never followed. */
static void test_be_rm_rf_symlinks_not_followed(void **state)
{
	cleanup_free char *top = at(state, "t");
	cleanup_free char *outside = at(state, "outside");
	tu_sh(NULL,
	      "mkdir -p '%s/sub' '%s/dir' && echo keep > '%s/dir/file' && echo keep > '%s/file' "
	      "&& ln -s '%s/dir' '%s/sub/to_dir' && ln -s '%s/file' '%s/to_file' && "
	      "ln -s ../../outside/dir '%s/sub/relative'",
	      top, outside, outside, outside, outside, top, outside, top, top);
	assert_int_equal(util_rm_rf(top, NULL), 0);
	assert_false(util_path_exists(top));
	cleanup_free char *f1 = at(state, "outside/dir/file");
	cleanup_free char *f2 = at(state, "outside/file");
	cleanup_free char *t1 = tu_read(f1);
	cleanup_free char *t2 = tu_read(f2);
	assert_non_null(t1);
	assert_non_null(t2);
	assert_string_equal(t1, "keep\n");
	assert_string_equal(t2, "keep\n");
}

/* A link given as the path is removed itself, not its target. */
static void test_be_rm_rf_top_symlink(void **state)
{
	cleanup_free char *outside = at(state, "outside");
	cleanup_free char *link = at(state, "link");
	tu_sh(NULL, "mkdir -p '%s' && echo keep > '%s/file' && ln -s '%s' '%s'", outside, outside,
	      outside, link);
	assert_int_equal(util_rm_rf(link, NULL), 0);
	assert_false(util_path_exists(link));
	cleanup_free char *f = at(state, "outside/file");
	assert_true(util_path_exists(f));
}

/* A mount inside the tree stops the removal and keeps its content; this
 * holds for a bind mount of the same filesystem, whose device number is
 * the tree's own. */
static void check_mount_kept(void **state, const char *how)
{
	cleanup_free char *top = at(state, "t");
	cleanup_free char *mnt = at(state, "t/a/mnt");
	cleanup_free char *src = at(state, "src");
	tu_sh(NULL, "mkdir -p '%s' '%s' && echo keep > '%s/file'", mnt, src, src);
	if (strcmp(how, "tmpfs") == 0) {
		assert_int_equal(mount("berth-test", mnt, "tmpfs", 0, "size=1m"), 0);
		cleanup_free char *in = at(state, "t/a/mnt/file");
		tu_write(in, "keep\n");
	} else {
		assert_int_equal(mount(src, mnt, NULL, MS_BIND, NULL), 0);
	}
	struct be_error *err = NULL;
	int r = util_rm_rf(top, &err);
	cleanup_free char *in = at(state, "t/a/mnt/file");
	cleanup_free char *text = tu_read(in);
	assert_non_null(text);
	assert_string_equal(text, "keep\n");
	assert_int_equal(r, -1);
	assert_non_null(err);
	assert_int_equal(err->errnum, EBUSY);
	assert_non_null(strstr(err->msg, mnt));
	be_error_clear(&err);
	/* The mount point itself is refused too. */
	assert_int_equal(util_rm_rf(mnt, &err), -1);
	assert_int_equal(err->errnum, EBUSY);
	be_error_clear(&err);
	assert_true(util_path_exists(in));
	assert_int_equal(umount2(mnt, MNT_DETACH), 0);
	cleanup_free char *srcfile = at(state, "src/file");
	assert_true(util_path_exists(srcfile));
	assert_int_equal(util_rm_rf(top, &err), 0);
	assert_false(util_path_exists(top));
}

static void test_be_rm_rf_stops_at_tmpfs_mount(void **state)
{
	if (!tu_is_root())
		skip();
	check_mount_kept(state, "tmpfs");
}

static void test_be_rm_rf_stops_at_bind_mount(void **state)
{
	if (!tu_is_root())
		skip();
	check_mount_kept(state, "bind");
}

static void test_be_write_file_atomic_round_trip(void **state)
{
	cleanup_free char *path = at(state, "data.bin");
	static const char data[] = "line one\n\0binary\xff\n";
	struct be_error *err = NULL;
	for (int durable = 0; durable < 2; durable++) {
		assert_int_equal(
		        util_write_file_atomic(path, data, sizeof(data) - 1, durable != 0, &err),
		        0);
		assert_null(err);
		size_t len = 0;
		cleanup_free char *back = util_read_file(path, &len, &err);
		assert_non_null(back);
		assert_int_equal(len, sizeof(data) - 1);
		assert_memory_equal(back, data, len);
		assert_int_equal(back[len], '\0');
		struct stat st;
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0644);
	}
	/* No temp file is left beside it. */
	struct tu_out o = {0};
	tu_sh(&o, "ls -A '%s'", (const char *)*state);
	assert_string_equal(o.out, "data.bin\n");
	tu_out_free(&o);
}

/* A file replaced by a new version is a new inode: readers holding the
 * old one never see a mix. */
static void test_be_write_file_atomic_replaces(void **state)
{
	cleanup_free char *path = at(state, "f");
	assert_int_equal(util_write_file_atomic(path, "old", 3, true, NULL), 0);
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(util_write_file_atomic(path, "new!", 4, true, NULL), 0);
	char buf[8] = "";
	assert_int_equal(read(fd, buf, sizeof(buf)), 3);
	assert_memory_equal(buf, "old", 3);
	close(fd);
	cleanup_free char *text = tu_read(path);
	assert_string_equal(text, "new!");
}

static void test_be_write_file_atomic_errors(void **state)
{
	cleanup_free char *missing = at(state, "no/such/dir/f");
	struct be_error *err = NULL;
	assert_int_equal(util_write_file_atomic(missing, "x", 1, true, &err), -1);
	assert_int_equal(err->errnum, ENOENT);
	assert_non_null(strstr(err->msg, missing));
	be_error_clear(&err);
	/* A non-empty directory in the way: error, temp file removed. */
	cleanup_free char *dir = at(state, "d");
	cleanup_free char *inside = at(state, "d/x");
	tu_write(inside, "keep");
	assert_int_equal(util_write_file_atomic(dir, "x", 1, false, &err), -1);
	assert_non_null(err);
	be_error_clear(&err);
	struct tu_out o = {0};
	tu_sh(&o, "ls -A '%s'", (const char *)*state);
	assert_string_equal(o.out, "d\n");
	tu_out_free(&o);
	cleanup_free char *slash = at(state, "d/");
	assert_int_equal(util_write_file_atomic(slash, "x", 1, false, &err), -1);
	be_error_clear(&err);
}

static void test_be_read_file_errors(void **state)
{
	cleanup_free char *missing = at(state, "missing");
	struct be_error *err = NULL;
	assert_null(util_read_file(missing, NULL, &err));
	assert_int_equal(err->errnum, ENOENT);
	assert_non_null(strstr(err->msg, missing));
	be_error_clear(&err);
	assert_null(util_read_file((const char *)*state, NULL, &err));
	assert_int_equal(err->errnum, EISDIR);
	be_error_clear(&err);
	/* Larger than the first buffer. */
	cleanup_free char *big = at(state, "big");
	cleanup_free char *data = xmalloc(100000);
	for (size_t i = 0; i < 100000; i++)
		data[i] = (char)('a' + i % 26);
	assert_int_equal(util_write_file_atomic(big, data, 100000, false, NULL), 0);
	size_t len;
	cleanup_free char *back = util_read_file(big, &len, NULL);
	assert_int_equal(len, 100000);
	assert_memory_equal(back, data, len);
}

/* ---- fault points ---------------------------------------------------------- */

/* Runs util_fault(point) in a child with BERTH_FAULT=env (unset when NULL);
 * returns the child's exit status: 99 when the fault fired, else 0. */
static int fault_in_child(const char *env, const char *point)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (env)
			setenv("BERTH_FAULT", env, 1);
		else
			unsetenv("BERTH_FAULT");
		util_fault(point);
		_exit(0);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void test_be_fault_comma_lists(void **state)
{
	(void)state;
	static const struct {
		const char *env;
		const char *point;
		int want;
	} table[] = {
	        {NULL, "store.before_rename", 0},
	        {"", "store.before_rename", 0},
	        {"store.before_rename", "store.before_rename", 99},
	        {"store.before_rename", "store.after_rename", 0},
	        {"a,store.after_rename,b", "store.after_rename", 99},
	        {"a,b,store.after_rename", "store.after_rename", 99},
	        {"store.after_rename,a", "store.after_rename", 99},
	        {",,store.x,,", "store.x", 99},
	        {"store.x,", "store.x", 99},
	        {"store", "store.x", 0},
	        {"store.x", "store", 0},
	        {"store.xy", "store.x", 0},
	        {"xstore.x", "store.x", 0},
	        {"store.x.y,store.xx", "store.x", 0},
	        {",", "store.x", 0},
	        {"STORE.X", "store.x", 0},
	};
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		int got = fault_in_child(table[i].env, table[i].point);
		if (got != table[i].want)
			fail_msg("BERTH_FAULT=\"%s\" at %s: exit %d, want %d",
			         table[i].env ? table[i].env : "(unset)", table[i].point, got,
			         table[i].want);
	}
}

/* ---- ids and clocks -------------------------------------------------------- */

static void test_be_random_hex_format(void **state)
{
	(void)state;
	char a[17], b[17];
	memset(a, 'z', sizeof(a));
	util_random_hex(a, 8);
	util_random_hex(b, 8);
	assert_int_equal(strlen(a), 16);
	assert_int_equal(strspn(a, "0123456789abcdef"), 16);
	assert_string_not_equal(a, b);
	char big[200];
	util_random_hex(big, 64);
	assert_int_equal(strlen(big), 128);
}

static void test_be_now_ns_monotonic(void **state)
{
	(void)state;
	uint64_t prev = util_now_ns();
	for (int i = 0; i < 1000; i++) {
		uint64_t t = util_now_ns();
		assert_true(t >= prev);
		prev = t;
	}
	/* The wall clock is after 2020-01-01. */
	assert_true(util_wall_ns() > 1577836800ll * 1000000000ll);
}

/* The flusher syncs once a kick, a kick still pending when it stops
 * included; kicks made while one syncfs runs fold into the next; with no
 * kick it never syncs; a bad fd gives no flusher, and none is a no-op. */
static void test_flusher_kicks(void **state)
{
	cleanup_free char *file = at(state, "dirty");
	cleanup_close int dir = open((const char *)*state, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dir >= 0);
	struct util_flusher *f = util_flusher_start(dir);
	assert_non_null(f);
	assert_int_equal(util_flusher_stop(f), 0);

	f = util_flusher_start(dir);
	assert_non_null(f);
	struct be_error *err = NULL;
	static char data[1 << 20];
	memset(data, 'x', sizeof(data));
	assert_int_equal(util_write_file_atomic(file, data, sizeof(data), false, &err), 0);
	util_flusher_kick(f);
	assert_int_equal(util_flusher_stop(f), 1);

	f = util_flusher_start(dir);
	for (int i = 0; i < 3; i++)
		util_flusher_kick(f);
	unsigned n = util_flusher_stop(f);
	assert_true(n >= 1 && n <= 3);

	assert_null(util_flusher_start(-1));
	util_flusher_kick(NULL);
	assert_int_equal(util_flusher_stop(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_be_parse_size_accepted),
	        cmocka_unit_test(test_be_parse_size_refused),
	        cmocka_unit_test(test_be_format_size_table),
	        cmocka_unit_test(test_be_format_duration_table),
	        cmocka_unit_test(test_be_format_size_short_buffer),
	        cmocka_unit_test(test_be_format_size_round_trip),
	        cmocka_unit_test_setup_teardown(test_be_mkdir_p_nested, setup_root, teardown_root),
	        cmocka_unit_test_setup_teardown(test_be_mkdir_p_file_in_the_way, setup_root,
	                                        teardown_root),
	        cmocka_unit_test_setup_teardown(test_be_mkdir_p_link_to_dir, setup_root,
	                                        teardown_root),
	        cmocka_unit_test_setup_teardown(test_be_rm_rf_tree, setup_root, teardown_root),
	        cmocka_unit_test_setup_teardown(test_be_rm_rf_symlinks_not_followed, setup_root,
	                                        teardown_root),
	        cmocka_unit_test_setup_teardown(test_be_rm_rf_top_symlink, setup_root,
	                                        teardown_root),
	        cmocka_unit_test_setup_teardown(test_be_rm_rf_stops_at_tmpfs_mount, setup_root,
	                                        teardown_root),
	        cmocka_unit_test_setup_teardown(test_be_rm_rf_stops_at_bind_mount, setup_root,
	                                        teardown_root),
	        cmocka_unit_test_setup_teardown(test_be_write_file_atomic_round_trip, setup_root,
	                                        teardown_root),
	        cmocka_unit_test_setup_teardown(test_be_write_file_atomic_replaces, setup_root,
	                                        teardown_root),
	        cmocka_unit_test_setup_teardown(test_be_write_file_atomic_errors, setup_root,
	                                        teardown_root),
	        cmocka_unit_test_setup_teardown(test_be_read_file_errors, setup_root,
	                                        teardown_root),
	        cmocka_unit_test(test_be_fault_comma_lists),
	        cmocka_unit_test_setup_teardown(test_flusher_kicks, setup_root, teardown_root),
	        cmocka_unit_test(test_be_random_hex_format),
	        cmocka_unit_test(test_be_now_ns_monotonic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
