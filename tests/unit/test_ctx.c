/* Tests of backend/store/ctx.c: where the state root and the run directory are,
 * the cgroup parent name, the cgroup layout of fixture trees, and the
 * repair that be_ctx_open runs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/ctx.h"
#include "base/util.h"
#include "testutil.h"
#include "tu_tree.h"

struct fx {
	char *root;  /* a fresh temporary directory */
	char *saved; /* $BERTH_ROOT before the test, restored after */
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->root = tu_root_new();
	const char *env = getenv("BERTH_ROOT");
	f->saved = env ? strdup(env) : NULL;
	unsetenv("BERTH_ROOT");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	if (f == NULL)
		return 0;
	if (f->saved)
		setenv("BERTH_ROOT", f->saved, 1);
	else
		unsetenv("BERTH_ROOT");
	tu_root_remove(f->root);
	free(f->root);
	free(f->saved);
	free(f);
	return 0;
}

static struct be_ctx *open_ok(const struct be_ctx_opts *opts)
{
	struct be_ctx *ctx = NULL;
	struct be_error *err = NULL;
	if (be_ctx_open(opts, &ctx, &err) < 0)
		fail_msg("be_ctx_open: %s", err->msg);
	assert_non_null(ctx);
	return ctx;
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void test_be_ctx_open_root_from_opts(void **state)
{
	struct fx *f = *state;
	struct be_ctx_opts opts = {.root = f->root};
	struct be_ctx *ctx = open_ok(&opts);
	assert_string_equal(be_ctx_root(ctx), f->root);
	cleanup_free char *run = xasprintf("%s/run", f->root);
	assert_string_equal(be_ctx_run_dir(ctx), run);
	assert_string_equal(be_ctx_cgroup_root(ctx), "/sys/fs/cgroup");
	assert_string_equal(be_ctx_proc_root(ctx), "/proc");
	static const char *const dirs[] = {"images", "layers", "containers",
	                                   "trash",  "tmp",    "run/locks"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		cleanup_free char *d = xasprintf("%s/%s", f->root, dirs[i]);
		if (!is_dir(d))
			fail_msg("%s was not created", d);
	}
	cleanup_free char *p = ctx_path(ctx, "containers/%s/config.json", "web");
	cleanup_free char *want = xasprintf("%s/containers/web/config.json", f->root);
	assert_string_equal(p, want);
	cleanup_free char *rp = ctx_run_path(ctx, "locks/%s.%s.lock", "container", "web");
	cleanup_free char *rwant = xasprintf("%s/run/locks/container.web.lock", f->root);
	assert_string_equal(rp, rwant);
	be_ctx_free(ctx);
	be_ctx_free(NULL);
	/* A second open of the same root is fine. */
	be_ctx_free(open_ok(&opts));
}

static void test_be_ctx_open_root_from_env(void **state)
{
	struct fx *f = *state;
	setenv("BERTH_ROOT", f->root, 1);
	struct be_ctx *ctx = open_ok(NULL);
	assert_string_equal(be_ctx_root(ctx), f->root);
	be_ctx_free(ctx);
	struct be_ctx_opts empty = {.root = ""};
	ctx = open_ok(&empty);
	assert_string_equal(be_ctx_root(ctx), f->root);
	be_ctx_free(ctx);
	/* --root wins over $BERTH_ROOT. */
	cleanup_free char *other = xasprintf("%s/other", f->root);
	struct be_ctx_opts opts = {.root = other};
	ctx = open_ok(&opts);
	assert_string_equal(be_ctx_root(ctx), other);
	be_ctx_free(ctx);
}

/* With neither --root nor $BERTH_ROOT: /var/lib/berth and /run/berth, and a
 * read-only open creates neither. */
static void test_be_ctx_open_default_read_only(void **state)
{
	(void)state;
	bool had_root = util_path_exists("/var/lib/berth");
	bool had_run = util_path_exists("/run/berth");
	setenv("BERTH_ROOT", "", 1); /* empty counts as unset */
	struct be_ctx_opts opts = {.read_only = true};
	struct be_ctx *ctx = open_ok(&opts);
	assert_string_equal(be_ctx_root(ctx), "/var/lib/berth");
	assert_string_equal(be_ctx_run_dir(ctx), "/run/berth");
	assert_string_equal(be_ctx_cgroup_parent(ctx), "berth");
	be_ctx_free(ctx);
	assert_int_equal(util_path_exists("/var/lib/berth"), had_root);
	assert_int_equal(util_path_exists("/run/berth"), had_run);
}

/* The default root named explicitly (even with a trailing slash) is still
 * the default: same run directory, same cgroup parent. */
static void test_be_ctx_open_default_root_named(void **state)
{
	(void)state;
	struct be_ctx_opts opts = {.root = "/var/lib/berth/", .read_only = true};
	struct be_ctx *ctx = open_ok(&opts);
	assert_string_equal(be_ctx_root(ctx), "/var/lib/berth");
	assert_string_equal(be_ctx_run_dir(ctx), "/run/berth");
	assert_string_equal(be_ctx_cgroup_parent(ctx), "berth");
	be_ctx_free(ctx);
	/* Anything else is not: a root beside it gets ROOT/run. */
	struct be_ctx_opts other = {.root = "/var/lib/berth2", .read_only = true};
	ctx = open_ok(&other);
	assert_string_equal(be_ctx_run_dir(ctx), "/var/lib/berth2/run");
	assert_string_equal(be_ctx_cgroup_parent(ctx), "berth-b197d971");
	be_ctx_free(ctx);
}

static void test_be_ctx_open_run_dir_option(void **state)
{
	struct fx *f = *state;
	cleanup_free char *run = xasprintf("%s/elsewhere/run/", f->root);
	cleanup_free char *root = xasprintf("%s/state", f->root);
	struct be_ctx_opts opts = {
	        .root = root, .run_dir = run, .cgroup_root = "/x/cg/", .proc_root = "/x/proc"};
	struct be_ctx *ctx = open_ok(&opts);
	cleanup_free char *want = xasprintf("%s/elsewhere/run", f->root);
	assert_string_equal(be_ctx_run_dir(ctx), want);
	assert_string_equal(be_ctx_cgroup_root(ctx), "/x/cg");
	assert_string_equal(be_ctx_proc_root(ctx), "/x/proc");
	cleanup_free char *locks = xasprintf("%s/locks", want);
	assert_true(is_dir(locks));
	be_ctx_free(ctx);
}

/* A relative root is made absolute against the working directory. */
static void test_be_ctx_open_relative_root(void **state)
{
	struct fx *f = *state;
	char cwd[4096];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(f->root), 0);
	struct be_ctx_opts opts = {.root = "./rel/../rel/./state//", .read_only = true};
	struct be_ctx *ctx = NULL;
	int r = be_ctx_open(&opts, &ctx, NULL);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(r, 0);
	cleanup_free char *want = xasprintf("%s/rel/state", f->root);
	assert_string_equal(be_ctx_root(ctx), want);
	be_ctx_free(ctx);
}

/* ".." after a symbolic link is the link target's parent, as the kernel
 * sees it: the root is that directory, not a lexical guess. */
static void test_be_ctx_open_dotdot_after_link(void **state)
{
	struct fx *f = *state;
	cleanup_free char *deep = xasprintf("%s/a/b", f->root);
	assert_int_equal(util_mkdir_p(deep, 0700, NULL), 0);
	cleanup_free char *link = xasprintf("%s/link", f->root);
	assert_int_equal(symlink(deep, link), 0);
	cleanup_free char *spelled = xasprintf("%s/link/../r/./new/..", f->root);
	struct be_ctx_opts opts = {.root = spelled, .read_only = true};
	struct be_ctx *ctx = open_ok(&opts);
	cleanup_free char *want = xasprintf("%s/a/r", f->root);
	assert_string_equal(be_ctx_root(ctx), want);
	be_ctx_free(ctx);
}

/* "berth-" and 8 hex digits of a hash of the root: the same for the same
 * root in every run and every version (cgroups made by an earlier berth
 * must be found), different for different roots. */
static void test_be_ctx_cgroup_parent_stable(void **state)
{
	struct fx *f = *state;
	static const struct {
		const char *root;
		const char *want;
		const char *canon;
	} golden[] = {
	        {"/srv/berth-a", "berth-196d74e7", "/srv/berth-a"},
	        {"/srv/berth-a/", "berth-196d74e7", "/srv/berth-a"},
	        /* Every spelling of one root is one root. */
	        {"//srv/./berth-a", "berth-196d74e7", "/srv/berth-a"},
	        {"/srv/x/../berth-a/.", "berth-196d74e7", "/srv/berth-a"},
	        {"/srv/.../../berth-a", "berth-196d74e7", "/srv/berth-a"},
	        {"/srv/berth-b", "berth-1a6d767a", "/srv/berth-b"},
	};
	for (size_t i = 0; i < sizeof(golden) / sizeof(golden[0]); i++) {
		struct be_ctx_opts opts = {.root = golden[i].root, .read_only = true};
		struct be_ctx *ctx = open_ok(&opts);
		assert_string_equal(be_ctx_cgroup_parent(ctx), golden[i].want);
		assert_string_equal(be_ctx_root(ctx), golden[i].canon);
		be_ctx_free(ctx);
	}
	struct be_ctx_opts opts = {.root = f->root};
	struct be_ctx *a = open_ok(&opts);
	struct be_ctx *b = open_ok(&opts);
	const char *name = be_ctx_cgroup_parent(a);
	assert_int_equal(strlen(name), 14);
	assert_int_equal(strncmp(name, "berth-", 6), 0);
	assert_int_equal(strspn(name + 6, "0123456789abcdef"), 8);
	assert_string_equal(name, be_ctx_cgroup_parent(b));
	assert_true(be_name_valid(name));
	cleanup_free char *sub = xasprintf("%s/sub", f->root);
	struct be_ctx_opts other = {.root = sub};
	struct be_ctx *c = open_ok(&other);
	assert_string_not_equal(name, be_ctx_cgroup_parent(c));
	be_ctx_free(a);
	be_ctx_free(b);
	be_ctx_free(c);
}

static void test_be_ctx_open_root_is_a_file(void **state)
{
	struct fx *f = *state;
	cleanup_free char *file = xasprintf("%s/file", f->root);
	tu_write(file, "not a directory");
	struct be_ctx_opts opts = {.root = file};
	struct be_ctx *ctx = NULL;
	struct be_error *err = NULL;
	assert_int_equal(be_ctx_open(&opts, &ctx, &err), -1);
	assert_null(ctx);
	assert_non_null(err);
	assert_int_equal(err->errnum, ENOTDIR);
	cleanup_free char *want =
	        xasprintf("opening state root %s: creating %s: %s", file, file, strerror(ENOTDIR));
	assert_string_equal(err->msg, want);
	be_error_free(err);
	cleanup_free char *text = tu_read(file);
	assert_string_equal(text, "not a directory");
}

/* Cgroup layout of fixture trees: a cgroup.controllers file says v2, a
 * memory directory says v1, an empty tree says none. */
static void test_be_cgroup_detect_fixtures(void **state)
{
	struct fx *f = *state;
	cleanup_free char *v2 = xasprintf("%s/v2", f->root);
	cleanup_free char *v2file = xasprintf("%s/cgroup.controllers", v2);
	tu_write(v2file, "cpu memory pids\n");
	cleanup_free char *v1 = xasprintf("%s/v1/memory", f->root);
	assert_int_equal(util_mkdir_p(v1, 0755, NULL), 0);
	cleanup_free char *none = xasprintf("%s/none", f->root);
	assert_int_equal(util_mkdir_p(none, 0755, NULL), 0);
	assert_int_equal(ctx_cgroup_detect(v2), BE_CGROUP_V2);
	*strrchr(v1, '/') = '\0';
	assert_int_equal(ctx_cgroup_detect(v1), BE_CGROUP_V1);
	assert_int_equal(ctx_cgroup_detect(none), BE_CGROUP_NONE);

	cleanup_free char *root = xasprintf("%s/state", f->root);
	struct be_ctx_opts opts = {.root = root, .cgroup_root = v2};
	struct be_ctx *ctx = open_ok(&opts);
	assert_int_equal(be_ctx_cgroup_layout(ctx), BE_CGROUP_V2);
	be_ctx_free(ctx);
}

/* ---- repair at open -------------------------------------------------------- */

static const struct {
	const char *rel;
	bool stays;
} repair_files[] = {
        {"images/base.json", true},
        {"images/.base.json.tmpAbC123", false},
        {"images/.x.tmp4Fz9Qa", false},
        {"layers/0a1b/layer.json", true},
        {"layers/0a1b/.layer.json.tmpQQQQQQ", false},
        {"layers/0a1b/diff/.wh.tmpfile.tmpZZZZZZ", true}, /* layer content */
        {"layers/0a1b/diff/etc/hosts", true},
        {"containers/web/config.json", true},
        {"containers/web/.config.json.tmpXyZ123", false},
        {"containers/web/.state.json.tmp000000", false},
        {"containers/web/upper/.hidden.tmpfile", true}, /* container files */
        {"containers/web/log", true},
        {"run/containers/web.json", true},
        {"run/containers/.web.json.tmpRRRRRR", false},
        {"run/locks/container.web.lock", true},
        {"trash/1f2e3d4c/upper/etc/passwd", false},
        {"trash/aa/.hidden", false},
        {"trash/file", false},
        {"tmp/import-1/layer.tar", false},
        {"tmp/.x.tmp1", false},
};

static void write_repair_tree(const char *root)
{
	for (size_t i = 0; i < sizeof(repair_files) / sizeof(repair_files[0]); i++) {
		cleanup_free char *p = xasprintf("%s/%s", root, repair_files[i].rel);
		tu_write(p, repair_files[i].rel);
	}
}

static void test_be_ctx_open_repairs(void **state)
{
	struct fx *f = *state;
	write_repair_tree(f->root);
	cleanup_free char *dangling = xasprintf("%s/trash/link", f->root);
	assert_int_equal(symlink("/etc/hostname", dangling), 0);
	struct be_ctx_opts opts = {.root = f->root};
	be_ctx_free(open_ok(&opts));
	/* The trash goes in the background (the reaper holds its flock). */
	tu_trash_settle(f->root);
	for (size_t i = 0; i < sizeof(repair_files) / sizeof(repair_files[0]); i++) {
		cleanup_free char *p = xasprintf("%s/%s", f->root, repair_files[i].rel);
		if (repair_files[i].stays) {
			cleanup_free char *text = tu_read(p);
			if (text == NULL || strcmp(text, repair_files[i].rel) != 0)
				fail_msg("%s was removed or changed", repair_files[i].rel);
		} else if (util_path_exists(p)) {
			fail_msg("%s was left", repair_files[i].rel);
		}
	}
	/* The trash and tmp directories stay, empty. */
	struct tu_out o = {0};
	tu_sh(&o, "ls -A '%s/trash' '%s/tmp' | grep -v ':$' | grep -c .", f->root, f->root);
	assert_string_equal(o.out, "0\n");
	tu_out_free(&o);
	assert_true(util_path_exists("/etc/hostname"));
}

/* The sweep of temp files runs at an open only when the last one is
 * STORE_REPAIR_EVERY seconds old (or its mark is missing or in the
 * future); the trash is reaped at every open. */
static void test_be_ctx_open_sweeps_once_a_while(void **state)
{
	struct fx *f = *state;
	struct be_ctx_opts opts = {.root = f->root};
	be_ctx_free(open_ok(&opts));
	cleanup_free char *stamp = xasprintf("%s/run/repaired", f->root);
	assert_true(util_path_exists(stamp));
	cleanup_free char *temp = xasprintf("%s/images/.x.json.tmpAbC123", f->root);
	cleanup_free char *trashed = xasprintf("%s/trash/0a/file", f->root);
	tu_write(temp, "{");
	tu_write(trashed, "x");
	be_ctx_free(open_ok(&opts));
	assert_true(util_path_exists(temp));
	tu_trash_settle(f->root);
	assert_false(util_path_exists(trashed));
	tu_repair_due(f->root);
	be_ctx_free(open_ok(&opts));
	assert_false(util_path_exists(temp));
	/* A mark from the future (a clock set back) does not stop it. */
	tu_write(temp, "{");
	struct timespec t[2] = {{.tv_sec = time(NULL) + 3600}, {.tv_sec = time(NULL) + 3600}};
	assert_int_equal(utimensat(AT_FDCWD, stamp, t, 0), 0);
	be_ctx_free(open_ok(&opts));
	assert_false(util_path_exists(temp));
}

/* A read-only open repairs nothing. */
static void test_be_ctx_open_read_only_no_repair(void **state)
{
	struct fx *f = *state;
	write_repair_tree(f->root);
	struct be_ctx_opts opts = {.root = f->root, .read_only = true};
	be_ctx_free(open_ok(&opts));
	for (size_t i = 0; i < sizeof(repair_files) / sizeof(repair_files[0]); i++) {
		cleanup_free char *p = xasprintf("%s/%s", f->root, repair_files[i].rel);
		if (!util_path_exists(p))
			fail_msg("%s was removed by a read-only open", repair_files[i].rel);
	}
	/* ...nor creates anything in a missing root. */
	cleanup_free char *missing = xasprintf("%s/missing", f->root);
	struct be_ctx_opts ro = {.root = missing, .read_only = true};
	be_ctx_free(open_ok(&ro));
	assert_false(util_path_exists(missing));
}

/* ---- whose root -------------------------------------------------------------- */

static char *open_err(const struct be_ctx_opts *opts)
{
	struct be_ctx *ctx = NULL;
	struct be_error *err = NULL;
	if (be_ctx_open(opts, &ctx, &err) == 0) {
		be_ctx_free(ctx);
		return NULL;
	}
	assert_null(ctx);
	char *msg = strdup(err->msg);
	be_error_free(err);
	return msg;
}

/* A root berth makes gets the marker; a second open reads it. */
static void test_be_ctx_open_writes_marker(void **state)
{
	struct fx *f = *state;
	struct be_ctx_opts opts = {.root = f->root};
	be_ctx_free(open_ok(&opts));
	cleanup_free char *marker = xasprintf("%s/.berth", f->root);
	cleanup_free char *text = tu_read(marker);
	assert_non_null(text);
	assert_non_null(strstr(text, "\"format\": 1"));
	assert_non_null(strstr(text, "\"version\": 1"));
	be_ctx_free(open_ok(&opts));
	/* A marker of a format this berth does not read is refused. */
	tu_write(marker, "{\"version\": 1, \"format\": 99}\n");
	cleanup_free char *msg = open_err(&opts);
	assert_non_null(msg);
	assert_non_null(strstr(msg, "unsupported root format"));
}

/* A non-empty directory without the marker is refused and nothing in it
 * changes (its tmp/ and trash/ keep their files). */
static void test_be_ctx_open_foreign_refused(void **state)
{
	struct fx *f = *state;
	static const char *const files[] = {"tmp/session.sock", "tmp/work/notes",
	                                    "trash/old/letter", "home/readme"};
	for (size_t i = 0; i < 4; i++) {
		cleanup_free char *p = xasprintf("%s/%s", f->root, files[i]);
		tu_write(p, files[i]);
	}
	cleanup_free char *before = tu_manifest(f->root);
	struct be_ctx_opts opts = {.root = f->root};
	cleanup_free char *msg1 = open_err(&opts);
	cleanup_free char *want = xasprintf(
	        "%s is not a berth root (no .berth); use an empty or new directory", f->root);
	assert_non_null(msg1);
	assert_string_equal(msg1, want);
	/* A read-only open (which writes and repairs nothing) may look. */
	struct be_ctx_opts ro = {.root = f->root, .read_only = true};
	be_ctx_free(open_ok(&ro));
	cleanup_free char *after = tu_manifest(f->root);
	assert_string_equal(before, after);
	/* Even berth's own folder names, without images/layers/containers. */
	cleanup_free char *tmp_only = xasprintf("%s/t", f->root);
	cleanup_free char *tp = xasprintf("%s/tmp/x", tmp_only);
	tu_write(tp, "x");
	struct be_ctx_opts t = {.root = tmp_only};
	cleanup_free char *msg = open_err(&t);
	assert_non_null(msg);
	assert_true(util_path_exists(tp));
}

/* A root of an older berth (only its own folders) is adopted. */
static void test_be_ctx_open_adopts_old_root(void **state)
{
	struct fx *f = *state;
	static const char *const dirs[] = {"images", "layers", "containers", "tmp", "run"};
	for (size_t i = 0; i < 5; i++) {
		cleanup_free char *d = xasprintf("%s/%s", f->root, dirs[i]);
		assert_int_equal(util_mkdir_p(d, 0700, NULL), 0);
	}
	struct be_ctx_opts opts = {.root = f->root};
	be_ctx_free(open_ok(&opts));
	cleanup_free char *marker = xasprintf("%s/.berth", f->root);
	assert_true(util_path_exists(marker));
}

/* "/" and the root of a mounted filesystem are refused. */
static void test_be_ctx_open_mount_roots_refused(void **state)
{
	(void)state;
	struct be_ctx_opts slash = {.root = "/", .read_only = true};
	cleanup_free char *m1 = open_err(&slash);
	assert_non_null(m1);
	assert_string_equal(m1, "/ cannot be a berth root; use an empty or new directory");
	struct be_ctx_opts dots = {.root = "/tmp/../", .read_only = true};
	cleanup_free char *m2 = open_err(&dots);
	assert_non_null(m2);
	struct be_ctx_opts proc = {.root = "/proc", .read_only = true};
	cleanup_free char *m3 = open_err(&proc);
	assert_non_null(m3);
	assert_string_equal(m3, "/proc is the root of a mounted filesystem; use an empty or new "
	                        "directory inside it");
}

/* Repair never follows a link out of the root: a tmp/ or trash/ that is a
 * link to a directory elsewhere keeps that directory's files. */
static void test_be_ctx_open_repair_no_links(void **state)
{
	struct fx *f = *state;
	cleanup_free char *root = xasprintf("%s/root", f->root);
	struct be_ctx_opts opts = {.root = root};
	be_ctx_free(open_ok(&opts));
	cleanup_free char *outside = xasprintf("%s/outside/keep", f->root);
	tu_write(outside, "keep");
	*strrchr(outside, '/') = '\0';
	static const char *const names[] = {"tmp", "trash"};
	for (size_t i = 0; i < 2; i++) {
		cleanup_free char *d = xasprintf("%s/%s", root, names[i]);
		assert_int_equal(util_rm_rf(d, NULL), 0);
		assert_int_equal(symlink(outside, d), 0);
	}
	cleanup_free char *img = xasprintf("%s/images", root);
	assert_int_equal(util_rm_rf(img, NULL), 0);
	assert_int_equal(symlink(outside, img), 0);
	cleanup_free char *tmpfile = xasprintf("%s/.x.json.tmp1", outside);
	tu_write(tmpfile, "x");
	struct be_ctx *ctx = NULL;
	struct be_error *err = NULL;
	if (be_ctx_open(&opts, &ctx, &err) == 0)
		be_ctx_free(ctx);
	be_error_free(err);
	cleanup_free char *keep = xasprintf("%s/keep", outside);
	assert_true(util_path_exists(keep));
	assert_true(util_path_exists(tmpfile));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(test_be_ctx_open_root_from_opts),
	        T(test_be_ctx_open_root_from_env),
	        T(test_be_ctx_open_default_read_only),
	        T(test_be_ctx_open_default_root_named),
	        T(test_be_ctx_open_run_dir_option),
	        T(test_be_ctx_open_relative_root),
	        T(test_be_ctx_open_dotdot_after_link),
	        T(test_be_ctx_cgroup_parent_stable),
	        T(test_be_ctx_open_root_is_a_file),
	        T(test_be_cgroup_detect_fixtures),
	        T(test_be_ctx_open_repairs),
	        T(test_be_ctx_open_read_only_no_repair),
	        T(test_be_ctx_open_sweeps_once_a_while),
	        T(test_be_ctx_open_writes_marker),
	        T(test_be_ctx_open_foreign_refused),
	        T(test_be_ctx_open_adopts_old_root),
	        T(test_be_ctx_open_mount_roots_refused),
	        T(test_be_ctx_open_repair_no_links),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
