/* Unit tests of layer garbage collection (journal/gc.c) on a temporary root:
 * references from images, containers and intent records with their
 * ancestors, only snapshot and squash layers collected, nothing collected
 * while another container is busy or has an unrepaired operation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "journal/journal.h"
#include "store/store.h"
#include "testutil.h"

static char *top;
static struct be_ctx *ctx;

static int setup(void **state)
{
	(void)state;
	top = tu_root_new();
	struct be_ctx_opts o = {.root = top};
	return be_ctx_open(&o, &ctx, NULL);
}

static int teardown(void **state)
{
	(void)state;
	be_ctx_free(ctx);
	tu_root_remove(top);
	free(top);
	return 0;
}

static void layer(const char *parent, const char *origin, char *id)
{
	struct be_layer_tmp *t = NULL;
	assert_int_equal(layer_begin(ctx, &t, NULL), 0);
	char p[4096];
	snprintf(p, sizeof(p), "%s/file", layer_tmp_diff(t));
	tu_write(p, origin);
	struct be_error *err = NULL;
	if (layer_commit(ctx, t, parent, origin, id, &err) < 0)
		fail_msg("%s", err->msg);
}

static bool exists(const char *id)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/layers/%s", top, id);
	return access(p, F_OK) == 0;
}

static void record(const char *rel, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void record(const char *rel, const char *fmt, ...)
{
	char p[4096], text[256];
	snprintf(p, sizeof(p), "%s/%s", top, rel);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	tu_write(p, text);
}

static size_t gc(const char *held)
{
	size_t n = 99;
	struct be_error *err = NULL;
	if (journal_gc(ctx, held, &n, &err) < 0)
		fail_msg("%s", err->msg);
	return n;
}

static void test_journal_gc_references(void **state)
{
	(void)state;
	char base[13], s1[13], s2[13], s3[13], s4[13], imp[13], img[13];
	layer(NULL, "import", base);
	layer(base, "snapshot", s1);
	layer(s1, "snapshot", s2);
	layer(base, "snapshot", s3);
	layer(s3, "squash", s4);
	layer(NULL, "import", imp);
	layer(base, "snapshot", img);
	record("containers/c/state.json", "{\"version\":1,\"head\":\"%s\"}", s2);
	record("images/x.json", "{\"version\":1,\"layers\":[\"%s\"]}", img);
	assert_int_equal(gc(NULL), 2);
	assert_true(exists(base) && exists(s1) && exists(s2) && exists(img));
	assert_false(exists(s3) || exists(s4));
	assert_true(exists(imp)); /* an image store's layer is not ours to collect */
	assert_int_equal(gc(NULL), 0);
	/* A snapshot record keeps its layer (and its parents). */
	char s5[13], s6[13];
	layer(base, "snapshot", s5);
	layer(s5, "snapshot", s6);
	record("containers/c/snapshots.json", "{\"version\":1,\"snapshots\":[{\"layer\":\"%s\"}]}",
	       s6);
	assert_int_equal(gc(NULL), 0);
	assert_true(exists(s5) && exists(s6));
	record("containers/c/snapshots.json", "{\"version\":1,\"snapshots\":[]}");
	assert_int_equal(gc(NULL), 2);
}

static void test_journal_gc_waits_for_others(void **state)
{
	(void)state;
	char base[13], orphan[13];
	layer(NULL, "import", base);
	layer(base, "snapshot", orphan);
	record("containers/busy/state.json", "{\"version\":1,\"head\":\"%s\"}", base);
	/* Another client works on container busy: nothing goes. */
	int ready[2], done[2];
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(done), 0);
	pid_t pid = fork();
	if (pid == 0) {
		struct be_lock *lock = NULL;
		char c = store_lock_take(ctx, "container", "busy", &lock, NULL) == 0 ? 'y' : 'n';
		if (write(ready[1], &c, 1) != 1 || read(done[0], &c, 1) < 0)
			_exit(1);
		store_lock_release(lock);
		_exit(0);
	}
	char c = 0;
	assert_int_equal(read(ready[0], &c, 1), 1);
	assert_int_equal(c, 'y');
	assert_int_equal(gc(NULL), 0);
	assert_true(exists(orphan));
	/* Its lock was only looked at: the holder still has it. */
	struct be_lock *mine = NULL;
	assert_int_equal(store_lock_take(ctx, "container", "busy", &mine, NULL), -1);
	/* ... and the caller's own container does not count. */
	assert_int_equal(gc("busy"), 1);
	assert_int_equal(write(done[1], "x", 1), 1);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	for (int i = 0; i < 4; i++)
		close(i < 2 ? ready[i] : done[i - 2]);
	/* An operation interrupted in container p: its intent may be all that
	 * leads to a layer, so nothing goes until p is repaired. */
	layer(base, "snapshot", orphan);
	record("containers/p/op.json", "{\"version\":1,\"op\":\"snapshot\"}");
	assert_int_equal(gc(NULL), 0);
	assert_true(exists(orphan));
	/* p's own repair collects, its op.json no longer counting. */
	record("containers/p/op.json", "{\"version\":1,\"layer\":\"%s\"}", orphan);
	assert_int_equal(gc("p"), 1);
	assert_false(exists(orphan));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_journal_gc_references, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_journal_gc_waits_for_others, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
