/* The soak in small: 50 cycles of run -d, exec, snapshot, rollback, stop,
 * rm on 4 containers at once (bench/soak.sh 50 4); nothing may grow (mounts,
 * cgroups, processes, fds, lock files, temp and trash entries, the root's
 * size) and no command may fail.  bench/soak.sh runs 1,000 cycles. */
#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"

static void test_soak_50_cycles(void **state)
{
	(void)state;
	tu_need_root();
	const char *src = getenv("BERTH_SRC");
	struct tu_out o = {0};
	int st = tu_sh(&o, "'%s/bench/soak.sh' 50 4", src ? src : ".");
	printf("%s", o.out);
	if (st != 0)
		fail_msg("soak failed (status %d):\n%s", st, o.err);
	tu_out_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_soak_50_cycles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
