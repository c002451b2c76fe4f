/* berth inside a chroot, as build and CI machines run it: a busybox tree
 * with berth and its libraries copied in, entered from a private mount and
 * pid namespace (unshare) whose own view of the host's / is remounted
 * read-only first, so that a failure cannot harm the host.  berth's root is
 * a tmpfs inside the tree, gone with the namespace.  Twice: the tree bound
 * onto itself (its / is a mount point: exec must still end in the
 * container's root, not the namespace's), and not bound (its / is not a
 * mount point: start must still make its mounts private and pivot). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "berth.h"
#include "testutil.h"

static char *dir;  /* the test's temp dir */
static char *tree; /* dir/c, the busybox tree */

/* Inside the chroot: a container that marks its own root, an exec that
 * lists "/" and names pid 1, a plain run, and the cgroup's name for the
 * sweep afterwards. */
static const char inside[] =
        "B='berth --root /r/root'\n"
        "$B image demo >/dev/null || echo 'image failed'\n"
        "$B run --rm demo sh -c 'echo run-ok pid1=$(cat /proc/1/comm)'\n"
        "$B run -d --name web demo sh -c 'echo >/ct-mark; exec sleep 1000' >/dev/null\n"
        "$B inspect web | grep -o 'berth-[0-9a-f]*' | head -1 | sed 's/^/cg=/'\n"
        "$B exec web sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do [ -e /ct-mark ] && break; "
        "sleep 0.1; done; echo ls: $(ls /); echo pid1=$(cat /proc/1/comm); echo >/etc/x'\n"
        "echo exec=$?\n"
        "$B rm -f web >/dev/null; echo rm=$?\n";

static int setup(void **state)
{
	if (!tu_is_root())
		return 0;
	if (tu_demo_group_setup(state) < 0)
		return -1;
	dir = tu_root_new();
	if (asprintf(&tree, "%s/c", dir) < 0)
		return -1;
	const char *b = tu_berth_bin();
	int r = tu_sh(NULL,
	              "set -e; C=%s; mkdir -p $C/bin $C/proc $C/sys $C/dev $C/tmp $C/r $C/etc; "
	              "cp /bin/busybox $C/bin/; for a in $($C/bin/busybox --list); do "
	              "[ $a = busybox ] || ln -s busybox $C/bin/$a; done; "
	              "cp %s $C/bin/berth; "
	              "for l in $(ldd %s | awk '/=>/ {print $3} /^\\t\\// {print $1}'); do "
	              "mkdir -p $C$(dirname $l); cp $l $C$l; done; "
	              "echo >$C/CHROOT-MARK",
	              tree, b, b);
	if (r != 0)
		return -1;
	char *path = NULL;
	if (asprintf(&path, "%s/inside.sh", tree) < 0)
		return -1;
	tu_write(path, inside);
	free(path);
	return 0;
}

static int teardown(void **state)
{
	tu_demo_group_teardown(state);
	if (dir == NULL)
		return 0;
	tu_root_remove(dir);
	free(dir);
	free(tree);
	return 0;
}

/* Runs inside.sh in the chroot (bind: the tree bound onto itself first);
 * returns everything it printed.  Afterwards removes the cgroups a failed
 * run may have left (the namespace's end killed their processes). */
enum chroot_mode { CHROOT_PLAIN, CHROOT_BOUND, CHROOT_SHARED };

static char *run_chroot(enum chroot_mode mode)
{
	static const char *const modes[] = {"plain", "bind", "shared"};
	struct tu_out o;
	/* shared: the namespace's own copies become one peer group (the
	 * host's mounts are never peers: they were made private first). */
	tu_sh(&o,
	      "unshare -m -p -f --propagation private /bin/sh -c '"
	      "C=$1; set -e; [ $2 = shared ] && mount --make-rshared /; "
	      "[ $2 = bind ] && mount --bind $C $C; "
	      "mount -t proc proc $C/proc; mount --rbind /sys $C/sys; mount --rbind /dev $C/dev; "
	      "mount -t tmpfs tmpfs $C/r; mount -o remount,bind,ro /; "
	      "exec chroot $C /bin/sh /inside.sh' sh %s %s 2>&1",
	      tree, modes[mode]);
	char *out = strdup(o.out ? o.out : "");
	tu_out_free(&o);
	const char *cg = strstr(out, "cg=");
	if (cg != NULL) {
		char name[64];
		if (sscanf(cg + 3, "%63[a-z0-9-]", name) == 1 && strncmp(name, "berth-", 6) == 0)
			tu_sh(NULL,
			      "sleep 0.2; for d in $(find /sys/fs/cgroup -maxdepth 3 -type d "
			      "-name %s); do find $d -mindepth 1 -depth -type d -exec rmdir {} \\; "
			      "; "
			      "rmdir $d; done 2>/dev/null; true",
			      name);
	}
	return out;
}

static void check(const char *out)
{
	if (strstr(out, "run-ok pid1=sh") == NULL)
		fail_msg("run inside the chroot failed:\n%s", out);
	const char *ls = strstr(out, "ls: ");
	if (ls == NULL || strstr(out, "exec=0") == NULL)
		fail_msg("exec failed:\n%s", out);
	size_t len = strcspn(ls, "\n");
	char *line = strndup(ls, len);
	/* The container's root, neither the chroot's nor the host's. */
	if (strstr(line, "ct-mark") == NULL || strstr(line, "CHROOT-MARK") != NULL)
		fail_msg("exec listed another root: %s\n%s", line, out);
	free(line);
	if (strstr(out, "pid1=sleep") == NULL)
		fail_msg("exec saw another pid 1:\n%s", out);
	if (strstr(out, "rm=0") == NULL)
		fail_msg("rm failed:\n%s", out);
}

static void test_chroot_bound_exec_reaches_container_root(void **state)
{
	(void)state;
	if (dir == NULL)
		skip();
	char *out = run_chroot(CHROOT_BOUND);
	check(out);
	free(out);
	/* The exec's write went to the container, not to the tree. */
	char *x = NULL;
	assert_true(asprintf(&x, "%s/etc/x", tree) > 0);
	assert_int_equal(access(x, F_OK), -1);
	free(x);
}

/* A chroot whose / is no mount point needs statmount(2) (Linux 6.8) to
 * name the mount that holds it; older kernels refuse such a start with a
 * clear line (docs/sandbox.md), so these cases skip there. */
static bool kernel_names_mounts(void)
{
	struct utsname u;
	int major = 0, minor = 0;
	if (uname(&u) != 0 || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return false;
	if (major > 6 || (major == 6 && minor >= 8))
		return true;
	fprintf(stderr, "kernel %s has no statmount (6.8): skipped\n", u.release);
	return false;
}

static void test_chroot_not_mount_point_run_and_exec(void **state)
{
	(void)state;
	if (dir == NULL || !kernel_names_mounts())
		skip();
	char *out = run_chroot(CHROOT_PLAIN);
	check(out);
	free(out);
}

/* The same chroot, but the mount holding its / is shared: attaching a mount
 * there would copy it to the peers, so start is refused with advice, and
 * nothing runs. */
static void test_chroot_shared_holder_refused(void **state)
{
	(void)state;
	if (dir == NULL || !kernel_names_mounts())
		skip();
	char *out = run_chroot(CHROOT_SHARED);
	if (strstr(out, "is shared") == NULL || strstr(out, "bind the chroot's directory") == NULL)
		fail_msg("no refusal naming the shared mount:\n%s", out);
	if (strstr(out, "run-ok") != NULL || strstr(out, "exec=0") != NULL)
		fail_msg("a container ran:\n%s", out);
	free(out);
}

/* A tampered working set: upper replaced by a link to a directory outside
 * the root.  start refuses it naming the path, and nothing lands there. */
static void test_symlinked_upper_refused(void **state)
{
	(void)state;
	tu_need_demo_root();
	const char *r = tu_demo_root;
	TU_OK(r, "create", "--name", "tamper", "demo", "sh", "-c", "echo pwned >/pwned");
	char *upper = NULL, *target = NULL;
	assert_true(asprintf(&upper, "%s/containers/tamper/upper", r) > 0);
	assert_true(asprintf(&target, "%s/elsewhere", dir) > 0);
	assert_int_equal(tu_sh(NULL, "mkdir -p %s && rm -rf %s && ln -s %s %s", target, upper,
	                       target, upper),
	                 0);
	struct tu_out o;
	int code = tu_berthl(&o, r, "start", "tamper", NULL);
	assert_int_equal(code, 125);
	if (strstr(o.err, upper) == NULL || strstr(o.err, "refused") == NULL)
		fail_msg("the error does not name %s: %s", upper, o.err);
	tu_out_free(&o);
	assert_int_equal(tu_count("ls -A %s | wc -l", target), 0);
	TU_OK(r, "rm", "-f", "tamper");
	free(upper);
	free(target);
}

/* Runs berth and asserts exit 125 and exactly one line on stderr. */
static void expect_line(const char *want, const char *const *argv)
{
	struct tu_out o;
	int code = tu_berth(&o, tu_demo_root, argv);
	char line[512];
	snprintf(line, sizeof(line), "berth: %s\n", want);
	if (code != 125 || strcmp(o.err, line) != 0)
		fail_msg("%s: exit %d, stderr \"%s\", want \"%s\"", argv[0], code, o.err, line);
	tu_out_free(&o);
}

#define EXPECT_LINE(want, ...) expect_line(want, (const char *const[]){__VA_ARGS__, NULL})

/* -it without a terminal on stdin: docker's words, exit 125, nothing made. */
static void test_it_without_terminal(void **state)
{
	(void)state;
	tu_need_demo_root();
	const char *r = tu_demo_root;
	EXPECT_LINE("the input device is not a TTY", "run", "--name", "notty", "-it", "demo", "sh");
	assert_int_equal(tu_count("ls %s/containers | grep -c notty", r), 0);
	TU_OK(r, "run", "-d", "--name", "itweb", "demo", "sleep", "100");
	EXPECT_LINE("the input device is not a TTY", "exec", "-it", "itweb", "sh");
	/* -t alone is fine without one, and so is -dit (nothing is relayed). */
	TU_OK(r, "exec", "-t", "itweb", "true");
	TU_OK(r, "run", "-dit", "--name", "itdet", "demo", "sh");
	TU_OK(r, "rm", "-f", "itdet");
	TU_OK(r, "rm", "-f", "itweb");
}

/* The container stops just as exec begins (an injected SIGKILL of its init
 * at that point): one line, whichever step failed. */
static void test_exec_racing_stop(void **state)
{
	(void)state;
	tu_need_demo_root();
	TU_OK(tu_demo_root, "run", "-d", "--name", "web", "demo", "sleep", "100");
	setenv("BERTH_FAIL", "exec.stop_race", 1);
	EXPECT_LINE("container web stopped while exec was starting", "exec", "web", "true");
	unsetenv("BERTH_FAIL");
	TU_OK(tu_demo_root, "rm", "-f", "web");
}

/* exec while a live snapshot holds the container frozen (the snapshot's
 * process dies there, leaving it so). */
static void test_exec_during_snapshot_pause(void **state)
{
	(void)state;
	tu_need_demo_root();
	const char *r = tu_demo_root;
	TU_OK(r, "run", "-d", "--name", "snapweb", "demo", "sleep", "100");
	setenv("BERTH_FAULT", "snapshot.live_frozen", 1);
	struct tu_out o;
	int code = tu_berthl(&o, r, "snapshot", "snapweb", "s1", NULL);
	unsetenv("BERTH_FAULT");
	tu_out_free(&o);
	assert_int_equal(code, 99);
	EXPECT_LINE("container snapweb is paused for a snapshot: try again in a moment", "exec",
	            "snapweb", "true");
	TU_OK(r, "rm", "-f", "snapweb");
}

static void test_pids_limit_zero_refused(void **state)
{
	(void)state;
	tu_need_demo_root();
	EXPECT_LINE("invalid --pids-limit 0: range is 1 to 4194304, or -1 for unlimited", "run",
	            "--pids-limit", "0", "demo", "true");
}

/* update --io-weight where the container's cgroup has no IO weight file
 * (this host's controller-less cgroup2 hierarchy): an error that says so,
 * and the record keeps no weight. */
static void test_update_io_weight_unsupported(void **state)
{
	(void)state;
	tu_need_demo_root();
	struct statfs sf;
	if (statfs("/sys/fs/cgroup/unified", &sf) < 0 || sf.f_type != 0x63677270)
		skip();
	struct be_ctx_opts opts = {.root = tu_demo_root, .cgroup_root = "/sys/fs/cgroup/unified"};
	struct be_ctx *ctx = NULL;
	struct be_error *err = NULL;
	if (be_ctx_open(&opts, &ctx, &err) < 0)
		fail_msg("%s", err->msg);
	const char *const cmd[] = {"sleep", "100", NULL};
	struct be_container_spec spec = {.name = "iow", .image = "demo", .cmd = (char *const *)cmd};
	if (be_container_create(ctx, &spec, NULL, &err) < 0 ||
	    be_container_start(ctx, "iow", NULL, &err) < 0)
		fail_msg("%s", err->msg);
	struct be_limits lim = {.io_weight = 500};
	int r = be_container_update(ctx, "iow", &lim, &err);
	char *j = NULL;
	be_container_inspect_json(ctx, "iow", &j, NULL);
	be_container_remove(ctx, "iow", true, NULL);
	char parent[512];
	snprintf(parent, sizeof(parent), "/sys/fs/cgroup/unified/%s", be_ctx_cgroup_parent(ctx));
	rmdir(parent);
	be_ctx_free(ctx);
	assert_int_equal(r, -1);
	assert_non_null(strstr(err->msg, "--io-weight: this kernel offers no IO weight"));
	be_error_free(err);
	assert_non_null(j);
	assert_non_null(strstr(j, "\"io_weight\": null"));
	free(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_chroot_bound_exec_reaches_container_root),
	        cmocka_unit_test(test_chroot_not_mount_point_run_and_exec),
	        cmocka_unit_test(test_chroot_shared_holder_refused),
	        cmocka_unit_test(test_symlinked_upper_refused),
	        cmocka_unit_test(test_it_without_terminal),
	        cmocka_unit_test(test_exec_racing_stop),
	        cmocka_unit_test(test_exec_during_snapshot_pause),
	        cmocka_unit_test(test_pids_limit_zero_refused),
	        cmocka_unit_test(test_update_io_weight_unsupported),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
