/* Devices as docker allows them, from inside real containers: a node of a
 * device outside the list (kvm, fuse, a loop block device) can be made but
 * not opened (EPERM), while /dev/null, zero, urandom and tty (with -t) open.
 * Once through the host's default layout with the CLI (v1 here: the
 * devices controller), once through the v2 backend on this host's
 * controller-less cgroup2 hierarchy (a BPF device program), when present. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/bpf.h>

#include "berth.h"
#include "cgroup/cgroup.h"
#include "testutil.h"

#define UNIFIED "/sys/fs/cgroup/unified"
#define CGROUP2_MAGIC 0x63677270

/* Makes each forbidden node and tries to open it, then opens the allowed
 * ones; every line goes to stdout. */
static const char script[] =
        "exec 2>&1; "
        "mknod /tmp/kvm c 10 232 && mknod /tmp/fuse c 10 229 && mknod /tmp/loop b 7 0 "
        "&& echo made; "
        "for n in kvm fuse loop; do (: </tmp/$n) && echo \"$n opened\"; done; "
        ": </dev/null && echo null-ok; "
        "[ $(head -c 3 /dev/zero | wc -c) = 3 ] && echo zero-ok; "
        "[ $(head -c 3 /dev/urandom | wc -c) = 3 ] && echo urandom-ok; "
        "echo x >/dev/null && echo null-write-ok; "
        "if [ -t 0 ]; then : </dev/tty && echo tty-ok; fi; "
        "rm -f /tmp/kvm /tmp/fuse /tmp/loop";

static void check_output(const char *out, bool tty)
{
	static const char *const refused[] = {"/tmp/kvm", "/tmp/fuse", "/tmp/loop"};
	if (strstr(out, "made") == NULL)
		fail_msg("mknod failed:\n%s", out);
	for (size_t i = 0; i < 3; i++) {
		char want[64];
		snprintf(want, sizeof(want), "%s: Operation not permitted", refused[i]);
		if (strstr(out, want) == NULL)
			fail_msg("no \"%s\" in:\n%s", want, out);
	}
	if (strstr(out, "opened") != NULL)
		fail_msg("a forbidden device opened:\n%s", out);
	static const char *const allowed[] = {"null-ok", "zero-ok", "urandom-ok", "null-write-ok"};
	for (size_t i = 0; i < 4; i++)
		if (strstr(out, allowed[i]) == NULL)
			fail_msg("no \"%s\" in:\n%s", allowed[i], out);
	if (tty && strstr(out, "tty-ok") == NULL)
		fail_msg("/dev/tty did not open with -t:\n%s", out);
}

/* The host's default layout, through the CLI; -t gives /dev/tty. */
static void test_devices_default_layout(void **state)
{
	(void)state;
	tu_need_demo_root();
	struct tu_out o;
	int code = tu_berthl(&o, tu_demo_root, "run", "--rm", "demo", "sh", "-c", script, NULL);
	assert_int_equal(code, 0);
	check_output(o.out, false);
	tu_out_free(&o);
	code = tu_berthl(&o, tu_demo_root, "run", "--rm", "-t", "demo", "sh", "-c", script, NULL);
	assert_int_equal(code, 0);
	check_output(o.out, true);
	tu_out_free(&o);
}

/* The v2 program, instruction by instruction at its ends: it loads the
 * context, and falls through to "return 0" (deny). */
static void test_devices_program_shape(void **state)
{
	(void)state;
	struct bpf_insn p[256];
	size_t n = cg_devices_program(p, 256);
	assert_true(n > 6 + 2 * cg_n_device_rules && n < 256);
	assert_int_equal(p[0].code, BPF_LDX | BPF_MEM | BPF_W);
	assert_int_equal(p[n - 2].code, BPF_ALU64 | BPF_MOV | BPF_K);
	assert_int_equal(p[n - 2].imm, 0);
	assert_int_equal(p[n - 1].code, BPF_JMP | BPF_EXIT);
	/* Every jump lands inside the program. */
	for (size_t i = 0; i < n; i++)
		if ((p[i].code & 0x07) == BPF_JMP && (p[i].code & 0xf0) == BPF_JNE)
			assert_true(i + 1 + (size_t)p[i].off < n);
	char line[64];
	cg_device_rule_text(&cg_device_rules[0], line, sizeof(line));
	assert_string_equal(line, "c *:* m");
}

/* The v2 backend: a context whose cgroup root is this host's cgroup2
 * hierarchy; the container's group gets the BPF program. */
static void test_devices_v2_bpf(void **state)
{
	(void)state;
	tu_need_demo_root();
	struct statfs sf;
	if (statfs(UNIFIED, &sf) < 0 || sf.f_type != CGROUP2_MAGIC)
		skip();
	struct be_ctx_opts opts = {.root = tu_demo_root, .cgroup_root = UNIFIED};
	struct be_ctx *ctx = NULL;
	struct be_error *err = NULL;
	if (be_ctx_open(&opts, &ctx, &err) < 0)
		fail_msg("%s", err->msg);
	const char *const cmd[] = {"sleep", "100", NULL};
	struct be_container_spec spec = {
	        .name = "dev2", .image = "demo", .cmd = (char *const *)cmd};
	if (be_container_create(ctx, &spec, NULL, &err) < 0 ||
	    be_container_start(ctx, "dev2", NULL, &err) < 0)
		fail_msg("%s", err->msg);
	/* The container's own group holds the program. */
	char group[512];
	snprintf(group, sizeof(group), UNIFIED "/%s/dev2", be_ctx_cgroup_parent(ctx));
	int attached = cg_devices_v2_count(group, &err);
	int p[2];
	assert_int_equal(pipe(p), 0);
	const char *const argv[] = {"sh", "-c", script, NULL};
	struct be_exec_opts o = {.argv = (char *const *)argv,
	                         .in_fd = -1,
	                         .out_fd = p[1],
	                         .err_fd = p[1],
	                         .console_fd = -1};
	int code = be_container_exec(ctx, "dev2", &o, &err);
	close(p[1]);
	char *out = tu_slurp_fd(p[0]);
	close(p[0]);
	be_container_remove(ctx, "dev2", true, NULL);
	char parent[512];
	snprintf(parent, sizeof(parent), UNIFIED "/%s", be_ctx_cgroup_parent(ctx));
	rmdir(parent);
	be_ctx_free(ctx);
	if (code != 0)
		fail_msg("exec: %d %s", code, err ? err->msg : "");
	if (attached != 1)
		fail_msg("%d device programs on %s (%s)", attached, group, err ? err->msg : "");
	check_output(out, false);
	free(out);
}

/* berth inside a container whose own device rules are narrower (here: a
 * parent group that denies /dev/net/tun): start still works, and the rule
 * the parent refuses stays denied. */
static void test_devices_v1_narrower_parent(void **state)
{
	(void)state;
	if (!tu_is_root() || access("/sys/fs/cgroup/devices/devices.allow", F_OK) < 0)
		skip();
	char *root = tu_root_new();
	struct be_ctx_opts opts = {.root = root};
	struct be_ctx *ctx = NULL;
	struct be_error *err = NULL;
	if (be_ctx_open(&opts, &ctx, &err) < 0)
		fail_msg("%s", err->msg);
	if (be_ctx_cgroup_layout(ctx) != BE_CGROUP_V1) {
		be_ctx_free(ctx);
		tu_root_remove(root);
		free(root);
		skip();
	}
	char parent[512], list[600];
	snprintf(parent, sizeof(parent), "/sys/fs/cgroup/devices/%s", be_ctx_cgroup_parent(ctx));
	snprintf(list, sizeof(list), "%s/devp/devices.list", parent);
	assert_int_equal(
	        tu_sh(NULL, "mkdir %s && echo 'c 10:200 rwm' > %s/devices.deny", parent, parent),
	        0);
	struct be_limits lim = {0};
	int r = cg_create(ctx, "devp", &lim, &err);
	char *text = r == 0 ? tu_read(list) : NULL;
	cg_destroy(ctx, "devp", NULL);
	rmdir(parent);
	be_ctx_free(ctx);
	tu_root_remove(root);
	free(root);
	if (r < 0)
		fail_msg("%s", err->msg);
	assert_non_null(text);
	assert_non_null(strstr(text, "c 1:3 rwm"));
	assert_null(strstr(text, "c 10:200"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_devices_program_shape),
	        cmocka_unit_test(test_devices_default_layout),
	        cmocka_unit_test(test_devices_v2_bpf),
	        cmocka_unit_test(test_devices_v1_narrower_parent),
	};
	return cmocka_run_group_tests(tests, tu_demo_group_setup, tu_demo_group_teardown);
}
