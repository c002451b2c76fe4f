/* Tests of backend/vm/vm_chain.c: which qcow2 disks the VMs' tops and
 * snapshots build on (what gc keeps), chain depth, broken and looping
 * chains, and which snapshot a disk sits on. */
#include <string.h>

#include "vm/vm.h"
#include "testutil.h"

/* base <- a <- b <- c(top of vm1);  b <- d(top of clone);  a <- e (orphan) */
static struct vm_disk_node nodes[] = {
        {.id = "aaaaaaaaaaaaaaaa", .parent = ""},
        {.id = "bbbbbbbbbbbbbbbb", .parent = "aaaaaaaaaaaaaaaa"},
        {.id = "cccccccccccccccc", .parent = "bbbbbbbbbbbbbbbb"},
        {.id = "dddddddddddddddd", .parent = "bbbbbbbbbbbbbbbb"},
        {.id = "eeeeeeeeeeeeeeee", .parent = "aaaaaaaaaaaaaaaa"},
};
#define NN (sizeof(nodes) / sizeof(nodes[0]))

static void unmark(void)
{
	for (size_t i = 0; i < NN; i++)
		nodes[i].keep = false;
}

static void test_vm_chain_mark_keeps_ancestors(void **state)
{
	(void)state;
	unmark();
	const char *roots[] = {"cccccccccccccccc", "dddddddddddddddd"};
	assert_int_equal(vm_chain_mark(nodes, NN, roots, 2), 0);
	assert_true(nodes[0].keep && nodes[1].keep && nodes[2].keep && nodes[3].keep);
	assert_false(nodes[4].keep); /* nothing builds on e: gc deletes it */
}

static void test_vm_chain_mark_snapshot_root(void **state)
{
	(void)state;
	unmark();
	/* A snapshot of a (after a rollback to it) keeps a alone. */
	const char *roots[] = {"aaaaaaaaaaaaaaaa"};
	assert_int_equal(vm_chain_mark(nodes, NN, roots, 1), 0);
	assert_true(nodes[0].keep);
	for (size_t i = 1; i < NN; i++)
		assert_false(nodes[i].keep);
}

static void test_vm_chain_mark_missing_fails(void **state)
{
	(void)state;
	unmark();
	const char *roots[] = {"ffffffffffffffff"};
	assert_int_equal(vm_chain_mark(nodes, NN, roots, 1), -1);
	struct vm_disk_node loop[] = {
	        {.id = "1111111111111111", .parent = "2222222222222222"},
	        {.id = "2222222222222222", .parent = "1111111111111111"},
	};
	const char *lr[] = {"1111111111111111"};
	/* A loop ends (the second visit finds it marked). */
	assert_int_equal(vm_chain_mark(loop, 2, lr, 1), 0);
	assert_int_equal(vm_chain_depth(loop, 2, "1111111111111111"), -1);
}

static void test_vm_chain_depth(void **state)
{
	(void)state;
	assert_int_equal(vm_chain_depth(nodes, NN, "aaaaaaaaaaaaaaaa"), 1);
	assert_int_equal(vm_chain_depth(nodes, NN, "cccccccccccccccc"), 3);
	assert_int_equal(vm_chain_depth(nodes, NN, ""), 0);
	assert_int_equal(vm_chain_depth(nodes, NN, "ffffffffffffffff"), -1);
	assert_int_equal(vm_chain_find(nodes, NN, "dddddddddddddddd"), 3);
}

static void test_vm_snap_parent_nearest(void **state)
{
	(void)state;
	struct vm_snap snaps[] = {
	        {.name = "one", .disk = "aaaaaaaaaaaaaaaa"},
	        {.name = "two", .disk = "bbbbbbbbbbbbbbbb"},
	};
	assert_string_equal(vm_snap_parent(snaps, 2, nodes, NN, "cccccccccccccccc"), "two");
	assert_string_equal(vm_snap_parent(snaps, 2, nodes, NN, "bbbbbbbbbbbbbbbb"), "one");
	assert_string_equal(vm_snap_parent(snaps, 2, nodes, NN, "eeeeeeeeeeeeeeee"), "one");
	assert_string_equal(vm_snap_parent(snaps, 2, nodes, NN, "aaaaaaaaaaaaaaaa"), "");
	assert_string_equal(vm_snap_parent(snaps, 1, nodes, NN, "cccccccccccccccc"), "one");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_vm_chain_mark_keeps_ancestors),
	        cmocka_unit_test(test_vm_chain_mark_snapshot_root),
	        cmocka_unit_test(test_vm_chain_mark_missing_fails),
	        cmocka_unit_test(test_vm_chain_depth),
	        cmocka_unit_test(test_vm_snap_parent_nearest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
