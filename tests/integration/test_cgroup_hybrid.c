/* Integration tests of the v1 backend on a hybrid host whose cgroup2 mount
 * cannot be read (a tmpfs or an empty directory over
 * /sys/fs/cgroup/unified, as sandboxes and the trick that makes crun accept
 * a hybrid host do): containers start and take limits, as the v1 backend
 * no longer goes through libcgroup's start-up.  Each case covers
 * the mount in a private mount namespace it makes (unshare -m
 * --propagation private): the host's namespace is never touched. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>

#include "berth.h"
#include "testutil.h"

#define CGROUP2_SUPER_MAGIC 0x63677270

/* Skips unless the host is hybrid, with cgroup2 at /sys/fs/cgroup/unified. */
static void need_hybrid(void)
{
	tu_need_demo_root();
	struct statfs fs;
	if (statfs("/sys/fs/cgroup/unified", &fs) < 0 || fs.f_type != CGROUP2_SUPER_MAGIC)
		skip();
}

/* Runs `berth --root ROOT ARGS` in a private mount namespace where cover
 * (a mount command on $U) hides the cgroup2 mount. */
static int run_covered(struct tu_out *o, const char *cover, const char *args)
{
	return tu_sh(o,
	             "unshare -m --propagation private sh -c "
	             "'U=/sys/fs/cgroup/unified; %s && exec \"%s\" --root \"%s\" %s'",
	             cover, tu_berth_bin(), tu_demo_root, args);
}

static const char *const covers[] = {
        "mount -t tmpfs none $U",
        "mkdir -p /tmp/berth-test-empty-$$ && mount --bind /tmp/berth-test-empty-$$ $U && "
        "rmdir /tmp/berth-test-empty-$$",
};

static void test_run_with_cgroup2_covered(void **state)
{
	(void)state;
	need_hybrid();
	for (size_t i = 0; i < sizeof(covers) / sizeof(covers[0]); i++) {
		struct tu_out o = {0};
		int r = run_covered(&o, covers[i], "run --rm demo /bin/echo started");
		if (r != 0)
			fprintf(stderr, "cover \"%s\": exit %d: %s", covers[i], r, o.err);
		assert_int_equal(r, 0);
		assert_string_equal(o.out, "started\n");
		tu_out_free(&o);
		/* The container's exit code still comes back. */
		r = run_covered(&o, covers[i], "run --rm --memory 64m demo sh -c \"exit 7\"");
		assert_int_equal(r, 7);
		tu_out_free(&o);
	}
}

/* `update` writes the limit files itself too: it works there as well. */
static void test_update_with_cgroup2_covered(void **state)
{
	(void)state;
	need_hybrid();
	TU_OK(tu_demo_root, "run", "-d", "--name", "upd", "demo", "sleep", "100000");
	struct tu_out o = {0};
	int r = run_covered(&o, covers[0], "update --memory 64m upd");
	if (r != 0)
		fprintf(stderr, "update: exit %d: %s", r, o.err);
	assert_int_equal(r, 0);
	tu_out_free(&o);
	assert_int_equal(tu_count("cat /sys/fs/cgroup/memory/*/upd/memory.limit_in_bytes"),
	                 64 << 20);
	TU_OK(tu_demo_root, "rm", "-f", "upd");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_run_with_cgroup2_covered),
	        cmocka_unit_test(test_update_with_cgroup2_covered),
	};
	return cmocka_run_group_tests(tests, tu_demo_group_setup, tu_demo_group_teardown);
}
