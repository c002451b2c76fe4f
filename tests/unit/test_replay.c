/* Unit tests of the replay reader (backend/metrics/replay.c): a gzip'd
 * recording written with the recorder is read back into frames; items are
 * rebuilt as the monitor builds them (an OOM mark at the frame where
 * oom_kills grew, stamped with that frame's time; history rings; an item
 * that leaves and comes back starts afresh); seeking back rebuilds;
 * absent limits beside their reading mean "no limit"; a last line cut
 * short is left out; a bad line fails with its number. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "berth.h"
#include "testutil.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/berth-replay-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A line at time T ms with item a (oom_kills K) and, when b, item b. */
static int format_line(char *buf, size_t len, long t, int kills, bool b)
{
	return snprintf(buf, len,
	                "{\"v\":1,\"time_unix_ms\":%ld,\"host_name\":\"node1\","
	                "\"host\":{\"ncpus\":2,\"memory_total_bytes\":1000,"
	                "\"memory_available_bytes\":400,\"cpu_percent_of_one_cpu\":30,"
	                "\"cpu_percent_each\":[10,20]},\"items\":["
	                "{\"kind\":\"berth\",\"name\":\"a\",\"id\":\"a\",\"berth\":true,"
	                "\"memory_bytes\":%d,\"oom_kills\":%d,\"pids\":3}%s]}\n",
	                t, 100 * kills + 50, kills,
	                b ? ",{\"kind\":\"docker\",\"name\":\"b\",\"id\":\"b0\",\"berth\":false,"
	                    "\"memory_bytes\":7,\"memory_limit_bytes\":4096}"
	                  : "");
}

static void line(struct be_recorder *r, long t, int kills, bool b)
{
	char buf[1024];
	int n = format_line(buf, sizeof(buf), t, kills, b);
	assert_int_equal(be_recorder_write(r, buf, (size_t)n, NULL), 0);
}

static const struct be_item *find(struct be_replay *rp, const char *name)
{
	const struct be_item *const *items;
	size_t n = be_replay_items(rp, &items);
	for (size_t i = 0; i < n; i++)
		if (strcmp(items[i]->name, name) == 0)
			return items[i];
	return NULL;
}

static void test_replay_marks_history_and_seek(void **state)
{
	(void)state;
	char path[128];
	snprintf(path, sizeof(path), "%s/rec.jsonl.gz", dir);
	struct be_recorder *r = NULL;
	assert_int_equal(be_recorder_open(path, &r, NULL), 0);
	line(r, 1000, 0, true);
	line(r, 1500, 0, true);
	line(r, 2000, 2, false);
	line(r, 2500, 2, true);
	assert_int_equal(be_recorder_write(r, "{\"v\":1,\"time_u", 15, NULL), 0); /* cut */
	assert_int_equal(be_recorder_close(r, NULL), 0);

	struct be_replay *rp = NULL;
	struct be_error *err = NULL;
	assert_int_equal(be_replay_open(path, &rp, &err), 0);
	assert_int_equal(be_replay_frames(rp), 4);
	assert_string_equal(be_replay_host_name(rp), "node1");
	assert_int_equal(be_replay_pos(rp), 0);
	const struct be_host *h = be_replay_host(rp);
	assert_int_equal(h->ncpus, 2);
	assert_int_equal(h->mem_used_bytes, 600);
	assert_non_null(h->cpu_percent_each);
	assert_true(h->cpu_percent_each[1] > 19.9 && h->cpu_percent_each[1] < 20.1);

	assert_int_equal(be_replay_seek(rp, 1), 1);
	const struct be_item *a = find(rp, "a");
	assert_non_null(a);
	assert_true(a->berth);
	assert_int_equal(a->nmarks, 0);
	assert_int_equal(a->samples, 2);
	/* No limit field beside memory_bytes: no limit, as the stream leaves
	 * null (unlimited) out. */
	assert_true(a->cur.have & BE_HAVE_MEM_LIMIT);
	assert_true(a->cur.mem_limit_bytes == BE_UNLIMITED);
	assert_int_equal(find(rp, "b")->cur.mem_limit_bytes, 4096);
	assert_int_equal(find(rp, "b")->kind, BE_KIND_DOCKER);

	be_replay_seek(rp, 2);
	a = find(rp, "a");
	assert_int_equal(a->nmarks, 1);
	assert_int_equal(a->marks[0].type, BE_MARK_OOM);
	assert_int_equal(a->marks[0].sample, 3);
	assert_true(a->marks[0].wall_ns == 2000 * 1000000ll);
	assert_null(find(rp, "b"));
	assert_int_equal(a->hist[BE_HIST_MEM].count, 3);
	assert_true(be_ring_last(&a->hist[BE_HIST_MEM]) > 249 &&
	            be_ring_last(&a->hist[BE_HIST_MEM]) < 251);

	be_replay_seek(rp, 3);
	assert_int_equal(find(rp, "b")->samples, 1); /* came back: afresh */
	assert_int_equal(find(rp, "a")->nmarks, 1);
	assert_true(be_replay_time_ms(rp, 3) == 2500);

	/* Back: rebuilt from the start, the mark not made yet. */
	assert_int_equal(be_replay_seek(rp, 1), 1);
	a = find(rp, "a");
	assert_int_equal(a->nmarks, 0);
	assert_int_equal(a->hist[BE_HIST_MEM].count, 2);
	assert_int_equal(be_replay_seek(rp, 99), 3); /* clamped */
	be_replay_free(rp);
}

static void test_replay_bad_files(void **state)
{
	(void)state;
	char path[128];
	snprintf(path, sizeof(path), "%s/bad.jsonl", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"v\":2,\"time_unix_ms\":1,\"items\":[]}\n", f);
	fclose(f);
	struct be_replay *rp = NULL;
	struct be_error *err = NULL;
	assert_int_equal(be_replay_open(path, &rp, &err), -1);
	assert_non_null(strstr(err->msg, "line 1: not a version 1 stream line"));
	be_error_clear(&err);

	f = fopen(path, "w");
	fclose(f);
	assert_int_equal(be_replay_open(path, &rp, &err), -1);
	assert_non_null(strstr(err->msg, "holds no samples"));
	be_error_clear(&err);

	snprintf(path, sizeof(path), "%s/none.jsonl", dir);
	assert_int_equal(be_replay_open(path, &rp, &err), -1);
	assert_non_null(strstr(err->msg, "opening recording"));
	be_error_clear(&err);
}

/* The live feed: the same items, marks and history, one line at a time;
 * an item a line leaves out is gone, and starts afresh when it is back. */
static void test_feed_lines(void **state)
{
	(void)state;
	struct be_feed *f = be_feed_new();
	char buf[1024];
	const struct be_item *const *items;
	format_line(buf, sizeof(buf), 1000, 0, true);
	assert_int_equal(be_feed_line(f, buf, NULL), 0);
	assert_int_equal(be_feed_items(f, &items), 2);
	assert_string_equal(be_feed_host_name(f), "node1");
	format_line(buf, sizeof(buf), 1500, 1, false);
	assert_int_equal(be_feed_line(f, buf, NULL), 0);
	assert_int_equal(be_feed_items(f, &items), 1);
	assert_string_equal(items[0]->name, "a");
	assert_int_equal(items[0]->nmarks, 1);
	assert_int_equal(items[0]->marks[0].type, BE_MARK_OOM);
	assert_int_equal(items[0]->hist[BE_HIST_MEM].count, 2);
	format_line(buf, sizeof(buf), 2000, 1, true);
	assert_int_equal(be_feed_line(f, buf, NULL), 0);
	assert_int_equal(be_feed_items(f, &items), 2);
	assert_int_equal(items[1]->samples, 1);
	assert_int_equal(be_feed_host(f)->ncpus, 2);
	struct be_error *err = NULL;
	assert_int_equal(be_feed_line(f, "ssh: connect to host x port 22: refused", &err), -1);
	assert_non_null(strstr(err->msg, "not a version 1 stream line"));
	be_error_clear(&err);
	assert_int_equal(be_feed_items(f, &items), 2);
	assert_int_equal(be_feed_lines(f), 3);
	be_feed_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_feed_lines),
	        cmocka_unit_test(test_replay_marks_history_and_seek),
	        cmocka_unit_test(test_replay_bad_files),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
