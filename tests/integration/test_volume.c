/* Integration tests of volumes and mounts through the berth binary: a named
 * volume outlives its container, :ro and --read-only refuse writes, a bind
 * mount sees host writes live, snapshots and rollback leave volume data
 * alone, refused and swapped bind sources. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "berth.h"
#include "testutil.h"

#define OK(...) TU_OK(tu_demo_root, __VA_ARGS__)

/* Runs berth and returns its output (status in *status); the caller frees. */
static char *out_of(int *status, const char **argv)
{
	struct tu_out o = {0};
	*status = tu_berth(&o, tu_demo_root, argv);
	char *s = o.out;
	o.out = NULL;
	if (*status != 0)
		fprintf(stderr, "berth said: %s", o.err);
	tu_out_free(&o);
	return s;
}
#define OUT(st, ...) out_of(st, (const char *[]){__VA_ARGS__, NULL})

/* A scratch host directory under the test root (the caller frees). */
static char *host_dir(const char *name)
{
	char *p = NULL;
	assert_true(asprintf(&p, "%s-%s", tu_demo_root, name) > 0);
	assert_int_equal(tu_sh(NULL, "rm -rf '%s' && mkdir -p '%s'", p, p), 0);
	return p;
}

static void test_named_volume_outlives_container(void **state)
{
	(void)state;
	tu_need_demo_root();
	OK("run", "--rm", "-v", "keep:/data", "demo", "sh", "-c", "echo kept > /data/f");
	int st;
	char *s = OUT(&st, "run", "--rm", "-v", "keep:/d", "demo", "cat", "/d/f");
	assert_int_equal(st, 0);
	assert_string_equal(s, "kept\n");
	free(s);
	/* Listed, refused while a container mounts it, pruned once none does. */
	OK("create", "--name", "user1", "--mount", "type=volume,src=keep,dst=/k", "demo", "true");
	s = OUT(&st, "volume", "ls", "-q");
	assert_string_equal(s, "keep\n");
	free(s);
	s = OUT(&st, "volume", "inspect", "keep");
	assert_non_null(strstr(s, "\"user1\""));
	free(s);
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, tu_demo_root, "volume", "rm", "keep", NULL), 125);
	assert_non_null(strstr(o.err, "in use by container user1"));
	tu_out_free(&o);
	s = OUT(&st, "inspect", "user1");
	assert_non_null(strstr(s, "\"destination\": \"/k\""));
	assert_non_null(strstr(s, "volumes/keep/_data"));
	free(s);
	OK("volume", "prune");
	OK("volume", "inspect", "keep");
	OK("rm", "user1");
	s = OUT(&st, "volume", "prune");
	assert_string_equal(s, "keep\n");
	free(s);
	s = OUT(&st, "volume", "ls", "-q");
	assert_string_equal(s, "");
	free(s);
}

static void test_readonly_mounts_refuse_writes(void **state)
{
	(void)state;
	tu_need_demo_root();
	char *h = host_dir("ro");
	char *v = NULL;
	assert_true(asprintf(&v, "%s:/h:ro", h) > 0);
	struct tu_out o = {0};
	int st = tu_berthl(&o, tu_demo_root, "run", "--rm", "-v", v, "demo", "sh", "-c",
	                   "echo x > /h/f", NULL);
	assert_int_not_equal(st, 0);
	assert_non_null(strstr(o.err, "Read-only file system"));
	tu_out_free(&o);
	char *f = NULL;
	assert_true(asprintf(&f, "%s/f", h) > 0);
	assert_false(access(f, F_OK) == 0);
	/* --read-only: / refuses, a --tmpfs and /dev/shm take writes. */
	st = tu_berthl(&o, tu_demo_root, "run", "--rm", "--read-only", "--tmpfs",
	               "/scratch:size=1m", "demo", "sh", "-c",
	               "echo t > /scratch/t && cat /scratch/t && echo s > /dev/shm/s && "
	               "echo x > /etc/x",
	               NULL);
	assert_int_not_equal(st, 0);
	assert_string_equal(o.out, "t\n");
	assert_non_null(strstr(o.err, "Read-only file system"));
	tu_out_free(&o);
	tu_sh(NULL, "rm -rf '%s'", h);
	free(f);
	free(v);
	free(h);
}

static void test_bind_sees_host_writes_live(void **state)
{
	(void)state;
	tu_need_demo_root();
	char *h = host_dir("live");
	char *v = NULL;
	assert_true(asprintf(&v, "%s:/h", h) > 0);
	OK("run", "-d", "--name", "live", "-v", v, "demo", "sleep", "100000");
	char *f = NULL;
	assert_true(asprintf(&f, "%s/news", h) > 0);
	tu_write(f, "fresh\n");
	int st;
	char *s = OUT(&st, "exec", "live", "cat", "/h/news");
	assert_string_equal(s, "fresh\n");
	free(s);
	/* And the container's writes reach the host. */
	OK("exec", "live", "sh", "-c", "echo back > /h/reply");
	char *reply = NULL;
	assert_true(asprintf(&reply, "%s/reply", h) > 0);
	char *r = tu_read(reply);
	assert_string_equal(r, "back\n");
	OK("rm", "-f", "live");
	tu_sh(NULL, "rm -rf '%s'", h);
	free(r);
	free(reply);
	free(f);
	free(v);
	free(h);
}

static void test_snapshot_rollback_leave_volume(void **state)
{
	(void)state;
	tu_need_demo_root();
	OK("run", "-d", "--name", "snapv", "-v", "sv:/data", "demo", "sleep", "100000");
	OK("exec", "snapv", "sh", "-c", "echo one > /data/v && echo one > /root-file");
	OK("snapshot", "snapv", "s1");
	OK("exec", "snapv", "sh", "-c", "echo two > /data/v && echo two > /root-file");
	int st;
	char *s = OUT(&st, "diff", "snapv");
	assert_null(strstr(s, "/data/v"));
	assert_non_null(strstr(s, "/root-file"));
	free(s);
	OK("rollback", "--restart", "snapv", "s1");
	s = OUT(&st, "exec", "snapv", "cat", "/root-file", "/data/v");
	assert_string_equal(s, "one\ntwo\n");
	free(s);
	OK("rm", "-f", "snapv");
	OK("volume", "rm", "sv");
}

static void test_refused_sources(void **state)
{
	(void)state;
	tu_need_demo_root();
	const char *bad[] = {"/proc:/p", "/sys/kernel:/k", "/dev:/d", NULL, NULL};
	char *own = NULL;
	assert_true(asprintf(&own, "%s/layers:/l", tu_demo_root) > 0);
	bad[3] = own;
	for (size_t i = 0; bad[i]; i++) {
		struct tu_out o = {0};
		assert_int_equal(tu_berthl(&o, tu_demo_root, "create", "-v", bad[i], "demo", NULL),
		                 125);
		assert_non_null(strstr(o.err, "refused"));
		tu_out_free(&o);
	}
	free(own);
	/* A source swapped for a link after create is refused at start. */
	char *h = host_dir("swap");
	char *v = NULL;
	assert_true(asprintf(&v, "%s:/h", h) > 0);
	OK("create", "--name", "swap", "-v", v, "demo", "ls", "/h");
	assert_int_equal(tu_sh(NULL, "rmdir '%s' && ln -s /etc '%s'", h, h), 0);
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, tu_demo_root, "start", "swap", NULL), 125);
	assert_non_null(strstr(o.err, "symbolic link"));
	tu_out_free(&o);
	OK("rm", "swap");
	unlink(h);
	free(v);
	free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_named_volume_outlives_container),
	        cmocka_unit_test(test_readonly_mounts_refuse_writes),
	        cmocka_unit_test(test_bind_sees_host_writes_live),
	        cmocka_unit_test(test_snapshot_rollback_leave_volume),
	        cmocka_unit_test(test_refused_sources),
	};
	return cmocka_run_group_tests(tests, tu_demo_group_setup, tu_demo_group_teardown);
}
