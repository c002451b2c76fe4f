/* Integration tests of container networking through the berth binary, on
 * loopback and network namespaces the tests make: --net none has its
 * loopback up. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "berth.h"
#include "testutil.h"

static void test_net_none_lo_up(void **state)
{
	(void)state;
	tu_need_demo_root();
	struct tu_out o = {0};
	int st = tu_berthl(&o, tu_demo_root, "run", "--rm", "--net", "none", "demo", "sh", "-c",
	                   "ip -o link | wc -l; ip -o link show lo | grep -c LOWER_UP; "
	                   "ping -c1 -W2 127.0.0.1 >/dev/null && echo pong",
	                   NULL);
	if (st != 0)
		fprintf(stderr, "%s", o.err);
	assert_int_equal(st, 0);
	assert_string_equal(o.out, "1\n1\npong\n");
	tu_out_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_net_none_lo_up),
	};
	return cmocka_run_group_tests(tests, tu_demo_group_setup, tu_demo_group_teardown);
}
