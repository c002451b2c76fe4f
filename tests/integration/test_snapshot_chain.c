/* Integration tests of deep chains: 300 snapshots stay mountable (squashed
 * under the kernel's lower-layer limit) and restore exactly; squashing at a
 * tiny depth keeps every snapshot exact across whiteouts, opaque
 * directories and directories replaced by files. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "berth.h"
#include "testutil.h"
#include "tu_tree.h"

#define CHAIN 300
#define DEPTH_MAX_SEEN 66 /* default depth 64, plus the image, plus the newest */

#define OK(...) TU_OK(tu_demo_root, __VA_ARGS__)

static void upper(char *buf, size_t len, const char *ct, const char *rel)
{
	snprintf(buf, len, "%s/containers/%s/upper/%s", tu_demo_root, ct, rel);
}

static json_t *snapshots(const char *ct)
{
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, tu_demo_root, "snapshots", "--json", ct, NULL), 0);
	json_t *j = json_loads(o.out, 0, NULL);
	tu_out_free(&o);
	assert_true(json_is_array(j));
	return j;
}

static char *manifest(const char *ct)
{
	char *m = tu_container_manifest(tu_demo_root, ct);
	assert_non_null(m);
	return m;
}

/* One step of the 300: a new file, every 7th a deletion, every 13th an
 * opaque directory replacing the last one. */
static void step(int i, int *files)
{
	char p[4096], rel[64], text[32];
	snprintf(rel, sizeof(rel), "f/%d", i);
	upper(p, sizeof(p), "deep", rel);
	snprintf(text, sizeof(text), "%d\n", i);
	tu_write(p, text);
	++*files;
	if (i % 7 == 0) {
		snprintf(rel, sizeof(rel), "f/%d", i - 3);
		upper(p, sizeof(p), "deep", rel);
		assert_int_equal(mknod(p, S_IFCHR, makedev(0, 0)), 0);
		--*files;
	}
	if (i % 13 == 0) {
		upper(p, sizeof(p), "deep", "g");
		assert_int_equal(mkdir(p, 0755), 0);
		assert_int_equal(lsetxattr(p, "trusted.overlay.opaque", "y", 1, 0), 0);
		upper(p, sizeof(p), "deep", "g/only");
		tu_write(p, text);
	}
}

static bool wanted(int i)
{
	static const int keep[] = {1, 50, 64, 65, 66, 130, 200, 299, CHAIN};
	for (size_t k = 0; k < sizeof(keep) / sizeof(keep[0]); k++)
		if (keep[k] == i)
			return true;
	return false;
}

static void test_chain_300(void **state)
{
	(void)state;
	tu_need_demo_root();
	OK("create", "--name", "deep", "demo", "sleep", "100000");
	char *m[CHAIN + 1] = {0};
	int files = 0;
	for (int i = 1; i <= CHAIN; i++) {
		step(i, &files);
		if (wanted(i))
			m[i] = manifest("deep");
		char snap[32];
		snprintf(snap, sizeof(snap), "n%d", i);
		OK("snapshot", "deep", snap);
	}
	char head[13];
	tu_container_head(tu_demo_root, "deep", head);
	size_t depth = tu_chain_len(tu_demo_root, head);
	printf("# %d snapshots: head chain %zu layers deep\n", CHAIN, depth);
	assert_true(depth >= 2 && depth <= DEPTH_MAX_SEEN);
	json_t *list = snapshots("deep");
	assert_int_equal(json_array_size(list), CHAIN);
	for (size_t i = 0; i < json_array_size(list); i++) {
		const char *id =
		        json_string_value(json_object_get(json_array_get(list, i), "layer"));
		size_t d = tu_chain_len(tu_demo_root, id);
		assert_true(d >= 2 && d <= DEPTH_MAX_SEEN);
	}
	json_decref(list);
	/* It mounts and runs. */
	OK("start", "deep");
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, tu_demo_root, "exec", "deep", "sh", "-c",
	                           "ls /f | wc -l; cat /g/only", NULL),
	                 0);
	char want[64];
	snprintf(want, sizeof(want), "%d\n%d\n", files, CHAIN - CHAIN % 13);
	assert_string_equal(o.out, want);
	tu_out_free(&o);
	OK("stop", "-t", "0", "deep");
	for (int i = CHAIN; i >= 1; i--) {
		if (m[i] == NULL)
			continue;
		char snap[32];
		snprintf(snap, sizeof(snap), "n%d", i);
		OK("rollback", "deep", snap);
		char *got = manifest("deep");
		assert_string_equal(got, m[i]);
		free(got);
		free(m[i]);
	}
	OK("rm", "deep");
	assert_int_equal(tu_orphan_layers(tu_demo_root, NULL, 0), 0);
}

/* Changes made by the kernel through the overlay, squashed every other
 * snapshot: each snapshot still restores exactly. */
static const char *const scripts[] = {
        "mkdir -p /s/a /s/b && echo 1 > /s/a/x && echo 2 > /s/b/y && ln -s a /s/l",
        "rm -rf /s/a && echo file > /s/a && rm /etc/hosts",
        "rm /s/a && mkdir /s/a && echo back > /s/a/z && chmod 700 /s/b",
        "rm -rf /s/b && mkdir /s/b && echo new > /s/b/n",
        "echo 2 >> /s/b/n && rm /s/l && ln -s b /s/l && chown 7:7 /s/b/n",
        "rm -rf /etc && mkdir /etc && echo e > /etc/e",
        "rm -rf /s && mkdir /s && echo fresh > /s/f",
        "mkdir /s/a && echo x > /s/a/x && rm /etc/e && mkfifo /s/p",
};

static void test_squash_exact(void **state)
{
	(void)state;
	tu_need_demo_root();
	setenv("BERTH_SQUASH_DEPTH", "2", 1);
	OK("create", "--name", "sq", "demo", "sleep", "100000");
	const size_t n = sizeof(scripts) / sizeof(scripts[0]);
	char *m[sizeof(scripts) / sizeof(scripts[0])];
	for (size_t i = 0; i < n; i++) {
		OK("start", "sq");
		OK("exec", "sq", "sh", "-c", scripts[i]);
		OK("stop", "-t", "0", "sq");
		if (i == 2) {
			char p[4096];
			upper(p, sizeof(p), "sq", "s/a/z");
			assert_int_equal(lsetxattr(p, "user.z", "zz", 2, 0), 0);
		}
		m[i] = manifest("sq");
		char snap[32];
		snprintf(snap, sizeof(snap), "q%zu", i);
		OK("snapshot", "sq", snap);
		char head[13];
		tu_container_head(tu_demo_root, "sq", head);
		assert_true(tu_chain_len(tu_demo_root, head) <= 3);
	}
	for (size_t k = 0; k < 2 * n; k++) {
		size_t i = (k * 5) % n;
		char snap[32];
		snprintf(snap, sizeof(snap), "q%zu", i);
		OK("rollback", "sq", snap);
		char *got = manifest("sq");
		assert_string_equal(got, m[i]);
		free(got);
	}
	for (size_t i = 0; i < n; i++)
		free(m[i]);
	unsetenv("BERTH_SQUASH_DEPTH");
	OK("rm", "sq");
	assert_int_equal(tu_orphan_layers(tu_demo_root, NULL, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_chain_300),
	        cmocka_unit_test(test_squash_exact),
	};
	return cmocka_run_group_tests(tests, tu_demo_group_setup, tu_demo_group_teardown);
}
