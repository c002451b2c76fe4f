/* Unit tests of the snapshot records (journal/records.c): snapshots.json and
 * op.json parsed from literal strings, and the tree edits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal/journal.h"
#include "testutil.h"

static json_t *parse(const char *text)
{
	json_error_t e;
	json_t *o = json_loads(text, JSON_REJECT_DUPLICATES, &e);
	assert_non_null(o);
	return o;
}

/* Parses text as snapshots.json; returns 0 or -1 with the message in msg. */
static int list_of(const char *text, struct snap_list *l, char *msg, size_t len)
{
	json_t *o = parse(text);
	struct be_error *err = NULL;
	int r = snap_list_parse("snapshots.json", o, l, &err);
	json_decref(o);
	snprintf(msg, len, "%s", err ? err->msg : "");
	be_error_free(err);
	return r;
}

static void test_snap_list_parse_ok(void **state)
{
	(void)state;
	struct snap_list l;
	char msg[256];
	assert_int_equal(list_of("{\"version\":1,\"next\":3,\"current\":\"b\",\"snapshots\":["
	                         "{\"name\":\"a\",\"layer\":\"0123456789ab\",\"parent\":null,"
	                         "\"created\":5,\"size\":-1},"
	                         "{\"name\":\"b\",\"layer\":\"ba9876543210\",\"parent\":\"a\","
	                         "\"created\":6,\"size\":42}]}",
	                         &l, msg, sizeof(msg)),
	                 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.next, 3);
	assert_string_equal(l.current, "b");
	assert_string_equal(l.v[1].parent, "a");
	assert_string_equal(l.v[0].parent, "");
	assert_int_equal(l.v[1].size, 42);
	assert_ptr_equal(snap_find(&l, "b"), &l.v[1]);
	assert_ptr_equal(snap_find_layer(&l, "0123456789ab"), &l.v[0]);
	assert_null(snap_find(&l, "c"));
	snap_list_clear(&l);
}

static void test_snap_list_parse_bad(void **state)
{
	(void)state;
	static const struct {
		const char *text, *want;
	} cases[] = {
	        {"{\"next\":1,\"snapshots\":{}}", "\"snapshots\" must be an array"},
	        {"{\"snapshots\":[]}", "\"next\" is missing"},
	        {"{\"next\":1,\"snapshots\":[1]}", "must be an object"},
	        {"{\"next\":1,\"snapshots\":[{\"name\":\"../x\",\"layer\":\"0123456789ab\","
	         "\"created\":1,\"size\":1}]}",
	         "not valid"},
	        {"{\"next\":1,\"snapshots\":[{\"name\":\"a\",\"layer\":\"xyz\","
	         "\"created\":1,\"size\":1}]}",
	         "not a layer id"},
	        {"{\"next\":1,\"snapshots\":[{\"name\":\"a\",\"layer\":\"0123456789ab\","
	         "\"created\":\"now\",\"size\":1}]}",
	         "\"created\" must be an integer"},
	        {"{\"next\":1,\"snapshots\":[{\"name\":\"a\",\"layer\":\"0123456789ab\","
	         "\"created\":1,\"size\":1},{\"name\":\"a\",\"layer\":\"0123456789ab\","
	         "\"created\":1,\"size\":1}]}",
	         "appears twice"},
	        {"{\"next\":1,\"current\":\"a b\",\"snapshots\":[]}", "not a valid snapshot name"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct snap_list l;
		char msg[256];
		assert_int_equal(list_of(cases[i].text, &l, msg, sizeof(msg)), -1);
		if (strstr(msg, cases[i].want) == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, msg, cases[i].want);
		assert_null(l.v);
	}
}

static void test_snap_list_json_round_trip(void **state)
{
	(void)state;
	struct snap_list l = {.next = 7};
	struct snap_rec r = {.created = 9, .size = -1};
	snprintf(r.name, sizeof(r.name), "s1");
	snprintf(r.layer, sizeof(r.layer), "00000000000a");
	snap_list_add(&l, &r);
	snprintf(l.current, sizeof(l.current), "s1");
	json_t *o = snap_list_json(&l);
	json_object_set_new(o, "version", json_integer(1));
	struct snap_list back;
	struct be_error *err = NULL;
	assert_int_equal(snap_list_parse("x", o, &back, &err), 0);
	json_decref(o);
	assert_int_equal(back.n, 1);
	assert_int_equal(back.next, 7);
	assert_string_equal(back.v[0].layer, "00000000000a");
	assert_string_equal(back.current, "s1");
	snap_list_clear(&back);
	snap_list_clear(&l);
}

/* A tree: a <- b <- c, a <- d; current c. */
static void tree(struct snap_list *l)
{
	memset(l, 0, sizeof(*l));
	const char *names[] = {"a", "b", "c", "d"}, *parents[] = {"", "a", "b", "a"};
	for (int i = 0; i < 4; i++) {
		struct snap_rec r = {0};
		snprintf(r.name, sizeof(r.name), "%s", names[i]);
		snprintf(r.parent, sizeof(r.parent), "%s", parents[i]);
		snprintf(r.layer, sizeof(r.layer), "%012d", i);
		snap_list_add(l, &r);
	}
	snprintf(l->current, sizeof(l->current), "c");
}

static void test_snap_list_del_reparents(void **state)
{
	(void)state;
	struct snap_list l;
	tree(&l);
	snap_list_del(&l, "b");
	assert_int_equal(l.n, 3);
	assert_null(snap_find(&l, "b"));
	assert_string_equal(snap_find(&l, "c")->parent, "a");
	assert_string_equal(l.current, "c");
	snap_list_del(&l, "c");
	assert_string_equal(l.current, "a"); /* current moves to the parent */
	snap_list_del(&l, "nosuch");
	assert_int_equal(l.n, 2);
	snap_list_del(&l, "a");
	assert_string_equal(snap_find(&l, "d")->parent, "");
	assert_string_equal(l.current, "");
	snap_list_clear(&l);
}

static int op_of(const char *text, struct snap_op *op, char *msg, size_t len)
{
	json_t *o = parse(text);
	struct be_error *err = NULL;
	int r = snap_op_parse("op.json", o, op, &err);
	json_decref(o);
	snprintf(msg, len, "%s", err ? err->msg : "");
	be_error_free(err);
	return r;
}

static void test_snap_op_parse(void **state)
{
	(void)state;
	struct snap_op op;
	char msg[256];
	assert_int_equal(op_of("{\"op\":\"rollback\",\"purpose\":\"snapshot\",\"snap\":\"s1\","
	                       "\"layer\":\"0123456789ab\",\"old_head\":null,\"upper_ino\":77,"
	                       "\"frozen\":false,\"target\":null}",
	                       &op, msg, sizeof(msg)),
	                 0);
	assert_int_equal(op.kind, SNAP_OP_ROLLBACK);
	assert_string_equal(op.snap, "s1");
	assert_string_equal(op.layer, "0123456789ab");
	assert_string_equal(op.old_head, "");
	assert_int_equal(op.upper_ino, 77);
	assert_int_equal(op_of("{\"op\":\"explode\",\"purpose\":\"snapshot\",\"upper_ino\":1,"
	                       "\"frozen\":true}",
	                       &op, msg, sizeof(msg)),
	                 -1);
	assert_non_null(strstr(msg, "unknown operation \"explode\""));
	assert_int_equal(op_of("{\"op\":\"live\",\"purpose\":\"party\",\"upper_ino\":1,"
	                       "\"frozen\":true}",
	                       &op, msg, sizeof(msg)),
	                 -1);
	assert_non_null(strstr(msg, "unknown purpose"));
	assert_int_equal(op_of("{\"op\":\"squash\",\"purpose\":\"snapshot\",\"upper_ino\":1,"
	                       "\"frozen\":false,\"layer\":\"../../etc\"}",
	                       &op, msg, sizeof(msg)),
	                 -1);
	assert_non_null(strstr(msg, "not a layer id"));
	assert_int_equal(op_of("{\"op\":\"live\",\"purpose\":\"commit\",\"upper_ino\":1}", &op, msg,
	                       sizeof(msg)),
	                 -1);
	assert_non_null(strstr(msg, "\"frozen\" is missing"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_snap_list_parse_ok),
	        cmocka_unit_test(test_snap_list_parse_bad),
	        cmocka_unit_test(test_snap_list_json_round_trip),
	        cmocka_unit_test(test_snap_list_del_reparents),
	        cmocka_unit_test(test_snap_op_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
