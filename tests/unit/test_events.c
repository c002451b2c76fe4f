/* Tests of backend/store/events.c: the --since parser, the log's round
 * trip, the name filter, bad lines skipped and rotation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "berth.h"
#include "store/store.h"
#include "testutil.h"

static void test_be_events_parse_since(void **state)
{
	(void)state;
	const int64_t now = 1000000LL * 1000000000LL;
	int64_t t;
	assert_int_equal(be_events_parse_since("30s", now, &t, NULL), 0);
	assert_int_equal(t, now - 30LL * 1000000000LL);
	assert_int_equal(be_events_parse_since("10m", now, &t, NULL), 0);
	assert_int_equal(t, now - 600LL * 1000000000LL);
	assert_int_equal(be_events_parse_since("2h", now, &t, NULL), 0);
	assert_int_equal(t, now - 7200LL * 1000000000LL);
	assert_int_equal(be_events_parse_since("1d", now, &t, NULL), 0);
	assert_int_equal(t, now - 86400LL * 1000000000LL);
	assert_int_equal(be_events_parse_since("1700000000", now, &t, NULL), 0);
	assert_int_equal(t, 1700000000LL * 1000000000LL);
	static const char *const bad[] = {"",   "x", "-5m", "5 m", "5w", "10ms", "99999999999999d",
	                                  "1e3"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct be_error *err = NULL;
		assert_int_equal(be_events_parse_since(bad[i], now, &t, &err), -1);
		assert_non_null(strstr(err->msg, "invalid --since"));
		be_error_free(err);
	}
}

static void test_store_event_round_trip(void **state)
{
	(void)state;
	char *root = tu_root_new();
	struct be_ctx *ctx = NULL;
	struct be_ctx_opts o = {.root = root};
	assert_int_equal(be_ctx_open(&o, &ctx, NULL), 0);
	store_event(ctx, "web", "start", "%s", "");
	store_event(ctx, "db", "exit", "code %d", 3);
	store_event(ctx, "web", "exit", "code \"%d\"", 137);
	/* A damaged line is skipped, the rest still reads. */
	assert_int_equal(tu_sh(NULL, "echo '{\"time\": broken' >> '%s/events.jsonl'", root), 0);
	store_event(ctx, "web", "remove", "%s", "forced");
	struct be_event *ev = NULL;
	size_t n = 0;
	assert_int_equal(be_events_read(ctx, 0, "web", &ev, &n, NULL), 0);
	assert_int_equal(n, 3);
	assert_string_equal(ev[0].type, "start");
	assert_string_equal(ev[1].detail, "code \"137\"");
	assert_string_equal(ev[2].type, "remove");
	assert_true(ev[0].time_ns <= ev[2].time_ns);
	int64_t later = ev[2].time_ns + 1;
	free(ev);
	assert_int_equal(be_events_read(ctx, later, NULL, &ev, &n, NULL), 0);
	assert_int_equal(n, 0);
	free(ev);
	struct be_error *err = NULL;
	assert_int_equal(be_events_read(ctx, 0, "../x", &ev, &n, &err), -1);
	be_error_free(err);
	/* Past 1 MiB the log rotates; both files are read. */
	assert_int_equal(tu_sh(NULL,
	                       "head -c 1100000 /dev/zero | tr '\\\\0' ' ' >> '%s/events.jsonl'",
	                       root),
	                 0);
	store_event(ctx, "web", "start", "%s", "again");
	assert_int_equal(be_events_read(ctx, 0, "web", &ev, &n, NULL), 0);
	assert_int_equal(n, 4);
	assert_string_equal(ev[3].detail, "again");
	free(ev);
	assert_int_equal(tu_count("ls '%s'/events.jsonl* | wc -l", root), 2);
	be_ctx_free(ctx);
	tu_root_remove(root);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_be_events_parse_since),
	        cmocka_unit_test(test_store_event_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
