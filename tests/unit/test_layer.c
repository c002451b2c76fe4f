/* Tests of backend/layer/layer.c: building, sealing, loading, sizing, chaining,
 * listing and removing layer directories under a temporary root. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "layer/layer.h"
#include "store/store.h"
#include "testutil.h"
#include "base/util.h"

struct fix {
	char *root;
	struct be_ctx *ctx;
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	f->root = tu_root_new();
	struct be_ctx_opts opts = {.root = f->root};
	struct be_error *err = NULL;
	if (be_ctx_open(&opts, &f->ctx, &err) < 0)
		fail_msg("%s", err->msg);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	if (f == NULL)
		return 0;
	be_ctx_free(f->ctx);
	tu_root_remove(f->root);
	free(f->root);
	free(f);
	return 0;
}

/* Number of entries in ROOT/SUB (0 when missing). */
static int count_in(const struct fix *f, const char *sub)
{
	struct tu_out o = {0};
	tu_sh(&o, "find '%s/%s' -mindepth 1 2>/dev/null | wc -l", f->root, sub);
	int n = atoi(o.out);
	tu_out_free(&o);
	return n;
}

static void write_file(const char *dir, const char *rel, size_t size)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	char *data = malloc(size + 1);
	memset(data, 'x', size);
	data[size] = '\0';
	tu_write(path, data);
	free(data);
}

/* A committed layer holding one file of `bytes` bytes. */
static void make_layer(struct fix *f, const char *parent, size_t bytes, char id[13])
{
	struct be_layer_tmp *t = NULL;
	struct be_error *err = NULL;
	assert_int_equal(layer_begin(f->ctx, &t, &err), 0);
	write_file(layer_tmp_diff(t), "file", bytes);
	if (layer_commit(f->ctx, t, parent, "import", id, &err) < 0)
		fail_msg("%s", err->msg);
}

static void test_be_layer_id_valid_cases(void **state)
{
	(void)state;
	assert_true(layer_id_valid("0123456789ab"));
	assert_true(layer_id_valid("ffffffffffff"));
	assert_false(layer_id_valid("0123456789AB"));
	assert_false(layer_id_valid("0123456789a"));
	assert_false(layer_id_valid("0123456789abc"));
	assert_false(layer_id_valid("../../etc/xx"));
	assert_false(layer_id_valid(""));
	assert_false(layer_id_valid(NULL));
}

/* A work directory is born locked: the repair another client runs at
 * be_ctx_open (here: store_repair) leaves it and its files alone, and the
 * layer commits; after an abort the repair finds nothing. */
static void test_be_layer_begin_survives_repair(void **state)
{
	struct fix *f = *state;
	struct be_layer_tmp *t = NULL;
	struct be_error *err = NULL;
	assert_int_equal(layer_begin(f->ctx, &t, &err), 0);
	write_file(layer_tmp_diff(t), "work", 10);
	if (store_repair(f->ctx, &err) < 0)
		fail_msg("repair: %s", err->msg);
	char p[4096];
	snprintf(p, sizeof(p), "%s/work", layer_tmp_diff(t));
	assert_true(util_path_exists(p));
	char id[13];
	if (layer_commit(f->ctx, t, NULL, "import", id, &err) < 0)
		fail_msg("commit after a repair: %s", err->msg);
	/* Aborted: the lock goes with it and nothing is left to repair. */
	assert_int_equal(layer_begin(f->ctx, &t, &err), 0);
	layer_abort(t);
	assert_int_equal(store_repair(f->ctx, &err), 0);
	assert_int_equal(tu_count("ls -A '%s/tmp' | wc -l", f->root), 0);
}

static void test_be_layer_commit_counts(void **state)
{
	struct fix *f = *state;
	struct be_layer_tmp *t = NULL;
	struct be_error *err = NULL;
	assert_int_equal(layer_begin(f->ctx, &t, &err), 0);
	const char *d = layer_tmp_diff(t);
	assert_int_equal(strncmp(d, f->root, strlen(f->root)), 0);
	write_file(d, "etc/a", 100);
	write_file(d, "b", 20);
	char p[4096], q[4096];
	snprintf(p, sizeof(p), "%s/etc/link", d);
	assert_int_equal(symlink("/etc/a", p), 0); /* 6 bytes */
	snprintf(p, sizeof(p), "%s/b", d);
	snprintf(q, sizeof(q), "%s/hard", d);
	assert_int_equal(link(p, q), 0); /* same inode: counted once */
	char id[13];
	if (layer_commit(f->ctx, t, NULL, "import", id, &err) < 0)
		fail_msg("%s", err->msg);
	struct be_layer_info li;
	assert_int_equal(layer_load(f->ctx, id, &li, &err), 0);
	assert_string_equal(li.id, id);
	assert_string_equal(li.parent, "");
	assert_string_equal(li.origin, "import");
	assert_int_equal(li.size, 126);
	assert_int_equal(li.files, 5); /* etc, etc/a, etc/link, b, hard */
	assert_true(li.created > 1600000000);
	char *diff = layer_diff_path(f->ctx, id);
	snprintf(p, sizeof(p), "%s/etc/a", diff);
	assert_true(util_path_exists(p));
	free(diff);
	assert_int_equal(count_in(f, "tmp"), 0);
}

static void test_be_layer_commit_bad_parent(void **state)
{
	struct fix *f = *state;
	struct be_layer_tmp *t = NULL;
	struct be_error *err = NULL;
	char id[13];
	assert_int_equal(layer_begin(f->ctx, &t, &err), 0);
	assert_int_equal(layer_commit(f->ctx, t, "000000000000", "import", id, &err), -1);
	assert_non_null(strstr(err->msg, "no such layer: 000000000000"));
	be_error_clear(&err);
	assert_int_equal(layer_begin(f->ctx, &t, &err), 0);
	assert_int_equal(layer_commit(f->ctx, t, NULL, "Bad Origin", id, &err), -1);
	assert_non_null(strstr(err->msg, "invalid layer origin"));
	be_error_clear(&err);
	assert_int_equal(count_in(f, "tmp"), 0);
	assert_int_equal(count_in(f, "layers"), 0);
}

static void test_be_layer_abort_removes(void **state)
{
	struct fix *f = *state;
	struct be_layer_tmp *t = NULL;
	assert_int_equal(layer_begin(f->ctx, &t, NULL), 0);
	write_file(layer_tmp_diff(t), "a/b/c", 10);
	layer_abort(t);
	layer_abort(NULL);
	assert_int_equal(count_in(f, "tmp"), 0);
}

static void test_be_layer_begin_locked_survives_repair(void **state)
{
	struct fix *f = *state;
	struct be_layer_tmp *locked = NULL, *plain = NULL;
	int fd = -1;
	struct be_error *err = NULL;
	assert_int_equal(layer_begin_locked(f->ctx, &locked, &fd, &err), 0);
	assert_true(fd >= 0);
	assert_int_equal(layer_begin(f->ctx, &plain, &err), 0);
	write_file(layer_tmp_diff(locked), "kept", 3);
	/* What another client's be_ctx_open does. */
	assert_int_equal(store_repair(f->ctx, &err), 0);
	assert_true(util_path_exists(layer_tmp_diff(locked)));
	/* layer_begin's directory is born locked too (it holds the lock). */
	assert_true(util_path_exists(layer_tmp_diff(plain)));
	layer_abort(plain);
	char id[13];
	assert_int_equal(layer_commit(f->ctx, locked, NULL, "import", id, &err), 0);
	close(fd);
	int64_t size, files;
	assert_int_equal(layer_size(f->ctx, id, &size, &files, &err), 0);
	assert_int_equal(size, 3);
	assert_int_equal(count_in(f, "tmp"), 0);
}

static void test_be_layer_seal_dir_no_walk(void **state)
{
	struct fix *f = *state;
	char base[13], id[13], up[4096];
	struct be_error *err = NULL;
	make_layer(f, NULL, 10, base);
	snprintf(up, sizeof(up), "%s/containers/web/upper", f->root);
	write_file(up, "x/y", 30);
	write_file(up, "z", 12);
	if (layer_seal_dir(f->ctx, up, base, "snapshot", id, &err) < 0)
		fail_msg("%s", err->msg);
	assert_false(util_path_exists(up));
	struct be_layer_info li;
	assert_int_equal(layer_load(f->ctx, id, &li, &err), 0);
	assert_string_equal(li.parent, base);
	assert_string_equal(li.origin, "snapshot");
	assert_int_equal(li.size, -1);
	assert_int_equal(li.files, -1);
	int64_t size, files;
	assert_int_equal(layer_size(f->ctx, id, &size, &files, &err), 0);
	assert_int_equal(size, 42);
	assert_int_equal(files, 3);
	/* cached in layer.json */
	assert_int_equal(layer_load(f->ctx, id, &li, &err), 0);
	assert_int_equal(li.size, 42);
	assert_int_equal(li.files, 3);
	assert_int_equal(count_in(f, "tmp"), 0);
}

static void test_be_layer_seal_dir_failures(void **state)
{
	struct fix *f = *state;
	char id[13], up[4096];
	struct be_error *err = NULL;
	snprintf(up, sizeof(up), "%s/containers/web/upper", f->root);
	assert_int_equal(layer_seal_dir(f->ctx, up, NULL, "snapshot", id, &err), -1);
	assert_non_null(strstr(err->msg, up));
	be_error_clear(&err);
	write_file(up, "keep", 5);
	assert_int_equal(layer_seal_dir(f->ctx, up, "aaaaaaaaaaaa", "snapshot", id, &err), -1);
	assert_non_null(strstr(err->msg, "no such layer"));
	be_error_clear(&err);
	char keep[4200];
	snprintf(keep, sizeof(keep), "%s/keep", up);
	assert_true(util_path_exists(keep));
	assert_int_equal(count_in(f, "tmp"), 0);
	assert_int_equal(count_in(f, "layers"), 0);
}

static void test_be_layer_load_bad(void **state)
{
	struct fix *f = *state;
	struct be_layer_info li;
	struct be_error *err = NULL;
	assert_int_equal(layer_load(f->ctx, "../../etc/pa", &li, &err), -1);
	assert_int_equal(err->errnum, EINVAL);
	assert_non_null(strstr(err->msg, "invalid layer id"));
	be_error_clear(&err);
	assert_int_equal(layer_load(f->ctx, "abcdefabcdef", &li, &err), -1);
	assert_int_equal(err->errnum, ENOENT);
	assert_string_equal(err->msg, "no such layer: abcdefabcdef");
	be_error_clear(&err);
	char p[4096];
	snprintf(p, sizeof(p), "%s/layers/abcdefabcdef/layer.json", f->root);
	tu_write(p, "{\"version\":1,\"id\":\"abcdefabcdef\",\"parent\":null,\"created\":1,"
	            "\"size\":\"big\",\"files\":1,\"origin\":\"import\"}\n");
	assert_int_equal(layer_load(f->ctx, "abcdefabcdef", &li, &err), -1);
	assert_non_null(strstr(err->msg, "field \"size\" must be an integer"));
	assert_non_null(strstr(err->msg, p));
	be_error_clear(&err);
	tu_write(p, "{\"version\":1,\"id\":\"000000000000\",\"parent\":null,\"created\":1,"
	            "\"size\":1,\"files\":1,\"origin\":\"import\"}\n");
	assert_int_equal(layer_load(f->ctx, "abcdefabcdef", &li, &err), -1);
	assert_non_null(strstr(err->msg, "field \"id\""));
	be_error_clear(&err);
}

/* Writes a bare layer record (no diff) with the given parent. */
static void fake_layer(struct fix *f, const char *id, const char *parent)
{
	char p[4096], text[512];
	snprintf(p, sizeof(p), "%s/layers/%s/layer.json", f->root, id);
	snprintf(text, sizeof(text),
	         "{\"version\":1,\"id\":\"%s\",\"parent\":%s%s%s,\"created\":1,\"size\":0,"
	         "\"files\":0,\"origin\":\"import\"}\n",
	         id, parent ? "\"" : "", parent ? parent : "null", parent ? "\"" : "");
	tu_write(p, text);
}

static void test_be_layer_chain_order(void **state)
{
	struct fix *f = *state;
	char a[13], b[13], c[13];
	make_layer(f, NULL, 1, a);
	make_layer(f, a, 2, b);
	make_layer(f, b, 3, c);
	char **ids = NULL;
	size_t n = 0;
	struct be_error *err = NULL;
	assert_int_equal(layer_chain(f->ctx, c, &ids, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(ids[0], c);
	assert_string_equal(ids[1], b);
	assert_string_equal(ids[2], a);
	layer_chain_free(ids, n);
}

static void test_be_layer_chain_broken(void **state)
{
	struct fix *f = *state;
	char **ids = NULL;
	size_t n = 0;
	struct be_error *err = NULL;
	fake_layer(f, "111111111111", "222222222222");
	fake_layer(f, "222222222222", "111111111111");
	assert_int_equal(layer_chain(f->ctx, "111111111111", &ids, &n, &err), -1);
	assert_non_null(strstr(err->msg, "cycle"));
	be_error_clear(&err);
	fake_layer(f, "333333333333", "444444444444");
	assert_int_equal(layer_chain(f->ctx, "333333333333", &ids, &n, &err), -1);
	assert_string_equal(err->msg, "no such layer: 444444444444");
	be_error_clear(&err);
	/* 1001 layers deep */
	char id[13], parent[13] = "";
	for (int i = 0; i <= 1000; i++) {
		snprintf(id, sizeof(id), "a%011x", i);
		fake_layer(f, id, parent[0] ? parent : NULL);
		memcpy(parent, id, sizeof(id));
	}
	assert_int_equal(layer_chain(f->ctx, id, &ids, &n, &err), -1);
	assert_non_null(strstr(err->msg, "deeper than 1000"));
	be_error_clear(&err);
	assert_int_equal(layer_chain(f->ctx, "a000000003e7", &ids, &n, &err), 0);
	assert_int_equal(n, 1000);
	layer_chain_free(ids, n);
}

static void test_be_layer_list_and_remove(void **state)
{
	struct fix *f = *state;
	char a[13], b[13];
	make_layer(f, NULL, 1, a);
	make_layer(f, NULL, 1, b);
	char junk[4096];
	snprintf(junk, sizeof(junk), "%s/layers/.layer.json.tmpabc", f->root);
	tu_write(junk, "x");
	snprintf(junk, sizeof(junk), "%s/layers/not-a-layer/x", f->root);
	tu_write(junk, "x");
	char **ids = NULL;
	size_t n = 0;
	struct be_error *err = NULL;
	assert_int_equal(layer_list(f->ctx, &ids, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_true(strcmp(ids[0], ids[1]) < 0);
	layer_chain_free(ids, n);
	assert_int_equal(layer_remove(f->ctx, a, &err), 0);
	assert_int_equal(layer_remove(f->ctx, a, &err), -1);
	assert_int_equal(err->errnum, ENOENT);
	be_error_clear(&err);
	assert_int_equal(layer_remove(f->ctx, "../layers/xx", &err), -1);
	be_error_clear(&err);
	assert_int_equal(layer_list(f->ctx, &ids, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(ids[0], b);
	layer_chain_free(ids, n);
	tu_trash_settle(f->root);
	assert_int_equal(count_in(f, "trash"), 0);
}

static void test_be_layer_count_dir_kinds(void **state)
{
	struct fix *f = *state;
	char d[4096], p[4200];
	snprintf(d, sizeof(d), "%s/count", f->root);
	write_file(d, "a/b/c/file", 1000);
	snprintf(p, sizeof(p), "%s/fifo", d);
	assert_int_equal(mkfifo(p, 0644), 0);
	snprintf(p, sizeof(p), "%s/dangling", d);
	assert_int_equal(symlink("nowhere/at/all", p), 0); /* 14 bytes */
	int64_t size = 0, files = 0;
	struct be_error *err = NULL;
	assert_int_equal(layer_count_dir(d, &size, &files, &err), 0);
	assert_int_equal(size, 1014);
	assert_int_equal(files, 6);
	assert_int_equal(layer_count_dir("/nonexistent/berth", &size, &files, &err), -1);
	be_error_clear(&err);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_be_layer_id_valid_cases),
	        T(test_be_layer_begin_survives_repair),
	        T(test_be_layer_commit_counts),
	        T(test_be_layer_commit_bad_parent),
	        T(test_be_layer_abort_removes),
	        T(test_be_layer_begin_locked_survives_repair),
	        T(test_be_layer_seal_dir_no_walk),
	        T(test_be_layer_seal_dir_failures),
	        T(test_be_layer_load_bad),
	        T(test_be_layer_chain_order),
	        T(test_be_layer_chain_broken),
	        T(test_be_layer_list_and_remove),
	        T(test_be_layer_count_dir_kinds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
