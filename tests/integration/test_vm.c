/* Integration tests of virtual machines (qemu under TCG, Debian's cloud
 * kernel, the demo VM image), through the berth binary and the backend's
 * console API: run --rm and its exit code, a detached VM in vm ps and
 * top -b with its cgroup's memory limit, the serial console, stop by the
 * power button, snapshot and rollback, a live snapshot's constant cost,
 * clones sharing their base, and nothing left after rm -f.  Each boot is
 * ~3-9 s here; qemu and keepers are killed by pid in teardown. */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "berth.h"
#include "testutil.h"
#include "tu_tui.h"

static char *root;

#define OK(...) TU_OK(root, __VA_ARGS__)

/* The kernel cache: BERTH_SRC/build/kernel/root, fetched once. */
static char *kernel_dir(void)
{
	const char *src = getenv("BERTH_SRC");
	char *dir = NULL;
	if (asprintf(&dir, "%s/build/kernel/root", src ? src : ".") < 0)
		return NULL;
	struct tu_out o = {0};
	int r = tu_sh(&o, "cd '%s' && scripts/fetch-kernel.sh build/kernel >/dev/null",
	              src ? src : ".");
	if (r != 0)
		fprintf(stderr, "fetching the guest kernel failed: %s\n", o.err);
	tu_out_free(&o);
	return dir;
}

static int group_setup(void **state)
{
	(void)state;
	if (!tu_is_root() || access("/usr/bin/qemu-system-x86_64", X_OK) != 0)
		return 0;
	setenv("BERTH_VM_ACCEL", "tcg", 1); /* nested KVM hangs here (NOTES.md) */
	root = tu_root_new();
	char *k = kernel_dir();
	struct tu_out o = {0};
	int r = tu_berthl(&o, root, "vm", "image", "demo", "--kernel-dir", k, NULL);
	if (r != 0) {
		fprintf(stderr, "vm image demo: %s", o.err);
		tu_root_remove(root);
		free(root);
		root = NULL;
	}
	tu_out_free(&o);
	free(k);
	return 0;
}

/* Kills every qemu and keeper recorded in ROOT/run/vms, by pid. */
static void kill_vms(void)
{
	if (root == NULL)
		return;
	tu_sh(NULL,
	      "for f in '%s'/run/vms/*.json; do [ -f \"$f\" ] || continue; "
	      "for k in qemu_pid keeper_pid; do "
	      "p=$(sed -n \"s/.*\\\"$k\\\": *\\([0-9]*\\).*/\\1/p\" \"$f\"); "
	      "[ -n \"$p\" ] && kill -9 $p 2>/dev/null; done; done; true",
	      root);
}

static int group_teardown(void **state)
{
	(void)state;
	if (root == NULL)
		return 0;
	kill_vms();
	usleep(300 * 1000);
	struct be_ctx_opts opts = {.root = root, .read_only = true};
	struct be_ctx *ctx = NULL;
	if (be_ctx_open(&opts, &ctx, NULL) == 0) {
		/* The VMs' cgroups a killed keeper could not remove. */
		tu_sh(NULL,
		      "for d in $(find /sys/fs/cgroup -mindepth 1 -maxdepth 2 -type d -name "
		      "'%s%s'); "
		      "do for c in $(find \"$d\" -depth -type d); do "
		      "for p in $(cat \"$c/cgroup.procs\" 2>/dev/null); do kill -9 $p; done; "
		      "rmdir \"$c\" 2>/dev/null; done; done; true",
		      be_ctx_cgroup_parent(ctx), BE_VM_CGROUP_SUFFIX);
		be_ctx_free(ctx);
	}
	tu_root_remove(root);
	free(root);
	root = NULL;
	return 0;
}

static void need_vm(void)
{
	if (root == NULL)
		skip();
}

static struct be_ctx *open_ctx(void)
{
	struct be_ctx_opts opts = {.root = root};
	struct be_ctx *ctx = NULL;
	assert_int_equal(be_ctx_open(&opts, &ctx, NULL), 0);
	return ctx;
}

static void test_vm_run_rm_exit_code(void **state)
{
	(void)state;
	need_vm();
	struct tu_out o = {0};
	int r = tu_berthl(&o, root, "vm", "run", "--rm", "--name", "r1", "demo", "sh", "-c",
	                  "cat /etc/hostname; exit 3", NULL);
	assert_int_equal(r, 3);
	assert_string_equal(o.out, "r1\n");
	tu_out_free(&o);
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/vms/r1", root);
	assert_false(access(dir, F_OK) == 0); /* --rm removed it */
	/* Bad input: one line, 125, nothing made. */
	r = tu_berthl(&o, root, "vm", "run", "--rm", "nosuchimage", "true", NULL);
	assert_int_equal(r, 125);
	assert_non_null(strstr(o.err, "no such vm image: nosuchimage"));
	assert_ptr_equal(strchr(o.err, '\n'), o.err + strlen(o.err) - 1);
	tu_out_free(&o);
}

/* Sends text to the serial console and waits (up to 60 s) until want
 * appears in what comes back. */
static void console_expect(int fd, const char *text, const char *want);

/* Waits for the shell's prompt (input typed before it is lost). */
static void console_ready(int fd)
{
	console_expect(fd, "", "# ");
	usleep(300 * 1000);
}

static void console_expect(int fd, const char *text, const char *want)
{
	char msg[4096];
	msg[0] = 'i';
	size_t n = strlen(text);
	memcpy(msg + 1, text, n);
	if (n > 0)
		assert_int_equal(send(fd, msg, n + 1, 0), (ssize_t)n + 1);
	char seen[65536];
	size_t len = 0;
	time_t end = time(NULL) + 60;
	struct timeval tv = {.tv_sec = 1};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (time(NULL) < end) {
		ssize_t r = recv(fd, msg, sizeof(msg), 0);
		if (r <= 1 || msg[0] != 'o')
			continue;
		if (len + (size_t)r >= sizeof(seen))
			len = 0;
		memcpy(seen + len, msg + 1, (size_t)r - 1);
		len += (size_t)r - 1;
		seen[len] = '\0';
		if (strstr(seen, want))
			return;
	}
	fprintf(stderr, "console: no \"%s\" in: %s\n", want, seen);
	fail();
}

static int64_t json_int(const char *json, const char *key)
{
	json_t *a = json_loads(json, 0, NULL);
	assert_non_null(a);
	int64_t v = json_integer_value(json_object_get(json_array_get(a, 0), key));
	json_decref(a);
	return v;
}

static void test_vm_detached_ps_top_console_stop(void **state)
{
	(void)state;
	need_vm();
	OK("vm", "run", "-d", "--name", "d1", "-m", "128m", "--cpus", "1", "demo");
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, root, "vm", "ps", NULL), 0);
	assert_non_null(strstr(o.out, "d1 "));
	assert_non_null(strstr(o.out, "Up "));
	tu_out_free(&o);
	assert_int_equal(tu_berthl(&o, root, "vm", "inspect", "d1", NULL), 0);
	int64_t limit = json_int(o.out, "cgroup_memory_limit");
	pid_t qemu = (pid_t)json_int(o.out, "qemu_pid");
	tu_out_free(&o);
	/* The cgroup's limit: guest RAM plus qemu's measured overhead. */
	assert_true(limit > (128ll << 20));
	struct be_ctx *ctx = open_ctx();
	assert_int_equal(
	        tu_count("grep -l '^%lld$' /sys/fs/cgroup/memory/%s%s/d1/memory.limit_in_bytes "
	                 "/sys/fs/cgroup/%s%s/d1/memory.max 2>/dev/null | wc -l",
	                 (long long)limit, be_ctx_cgroup_parent(ctx), BE_VM_CGROUP_SUFFIX,
	                 be_ctx_cgroup_parent(ctx), BE_VM_CGROUP_SUFFIX),
	        1);
	assert_int_equal(tu_count("grep -c '%s%s/d1' /proc/%d/cgroup", be_ctx_cgroup_parent(ctx),
	                          BE_VM_CGROUP_SUFFIX, (int)qemu) > 0,
	                 1);
	/* The console reaches the guest's shell. */
	struct be_error *err = NULL;
	int fd = be_vm_console_open(ctx, "d1", &err);
	assert_true(fd >= 0);
	console_ready(fd);
	console_expect(fd, "echo con$((6*7))\n", "con42");
	/* top -b: the VM by name and kind, with CPU and memory. */
	assert_int_equal(tu_berthl(&o, root, "top", "-b", "-n", "2", NULL), 0);
	char *line = strstr(o.out, "\nvm        d1 ");
	assert_non_null(line);
	tu_out_free(&o);
	/* update --cpus: the quota changes live. */
	OK("vm", "update", "--cpus", "0.5", "d1");
	assert_int_equal(tu_count("cat /sys/fs/cgroup/cpu/%s%s/d1/cpu.cfs_quota_us 2>/dev/null || "
	                          "cut -d' ' -f1 /sys/fs/cgroup/%s%s/d1/cpu.max",
	                          be_ctx_cgroup_parent(ctx), BE_VM_CGROUP_SUFFIX,
	                          be_ctx_cgroup_parent(ctx), BE_VM_CGROUP_SUFFIX),
	                 50000);
	/* compare: the container shares the host's kernel, the VM has its own. */
	OK("image", "demo");
	OK("run", "-d", "--name", "ct1", "demo", "sleep", "100000");
	struct utsname u;
	uname(&u);
	assert_int_equal(tu_berthl(&o, root, "compare", "ct1", "d1", NULL), 0);
	char want[300];
	snprintf(want, sizeof(want), "shared: the host's %s", u.release);
	assert_non_null(strstr(o.out, want));
	assert_non_null(strstr(o.out, "own: 6."));
	assert_non_null(strstr(o.out, "1 qemu process"));
	assert_non_null(strstr(o.out, "memory the guest sees"));
	tu_out_free(&o);
	OK("rm", "-f", "ct1");
	/* stop: the power button; the init reports 143 and powers off. */
	time_t t0 = time(NULL);
	OK("vm", "stop", "-t", "30", "d1");
	assert_true(time(NULL) - t0 < 30);
	close(fd);
	assert_int_equal(tu_berthl(&o, root, "vm", "inspect", "d1", NULL), 0);
	assert_int_equal(json_int(o.out, "exit_code"), 143);
	tu_out_free(&o);
	assert_int_equal(kill(qemu, 0), -1);
	be_ctx_free(ctx);
	OK("vm", "rm", "d1");
}

static void test_vm_snapshot_rollback(void **state)
{
	(void)state;
	need_vm();
	OK("vm", "create", "--name", "s1", "demo", "sh", "-c", "cat /data; echo x >> /data");
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, root, "vm", "start", "-a", "s1", NULL), 0);
	assert_non_null(strstr(o.out, "can't open '/data'")); /* the first boot */
	tu_out_free(&o);
	OK("vm", "snapshot", "s1", "first");
	assert_int_equal(tu_berthl(&o, root, "vm", "start", "-a", "s1", NULL), 0);
	assert_string_equal(o.out, "x\n");
	tu_out_free(&o);
	OK("vm", "rollback", "s1", "first");
	/* Back at the first state: one line, not the second boot's two. */
	assert_int_equal(tu_berthl(&o, root, "vm", "start", "-a", "s1", NULL), 0);
	assert_string_equal(o.out, "x\n");
	tu_out_free(&o);
	assert_int_equal(tu_berthl(&o, root, "vm", "rollback", "s1", "nosuch", NULL), 125);
	assert_non_null(strstr(o.err, "no snapshot nosuch"));
	tu_out_free(&o);
}

/* The parent disk id of VM name's top. */
static char *top_parent(const char *name)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/vms/%s/state.json", root, name);
	json_t *st = json_load_file(path, 0, NULL);
	assert_non_null(st);
	snprintf(path, sizeof(path), "%s/vmdisks/%s.json", root,
	         json_string_value(json_object_get(st, "top")));
	json_decref(st);
	json_t *d = json_load_file(path, 0, NULL);
	assert_non_null(d);
	char *p = strdup(json_string_value(json_object_get(d, "parent")));
	json_decref(d);
	return p;
}

static void test_vm_clones_share_base(void **state)
{
	(void)state;
	need_vm();
	OK("vm", "clone", "s1", "c1");
	OK("vm", "clone", "s1", "c2");
	char *p1 = top_parent("c1"), *p2 = top_parent("c2");
	assert_string_equal(p1, p2);
	free(p1);
	free(p2);
	/* Both boot (at once) from the one frozen disk: each sees s1's state. */
	OK("vm", "start", "c1");
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, root, "vm", "start", "-a", "c2", NULL), 0);
	assert_string_equal(o.out, "x\nx\n"); /* s1 booted once after its rollback */
	tu_out_free(&o);
	assert_int_equal(tu_berthl(&o, root, "vm", "wait", "c1", NULL), 0);
	assert_string_equal(o.out, "0\n");
	tu_out_free(&o);
	assert_int_equal(tu_berthl(&o, root, "vm", "logs", "c1", NULL), 0);
	assert_non_null(strstr(o.out, "x\r\n"));
	tu_out_free(&o);
	OK("vm", "rm", "c1", "c2", "s1");
	/* No VM left: no disk left. */
	assert_int_equal(tu_count("ls '%s/vmdisks' | wc -l", root), 0);
}

static uint64_t snap_ns(struct be_ctx *ctx, const char *name)
{
	struct be_vm_snapshot_taken t;
	struct be_error *err = NULL;
	if (be_vm_snapshot(ctx, name, NULL, &t, &err) < 0)
		fprintf(stderr, "snapshot: %s\n", err->msg);
	assert_true(t.live);
	return t.took_ns;
}

static void test_vm_live_snapshot_constant_and_rm_f(void **state)
{
	(void)state;
	need_vm();
	OK("vm", "run", "-d", "--name", "l1", "-m", "128m", "demo");
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, root, "vm", "inspect", "l1", NULL), 0);
	pid_t qemu = (pid_t)json_int(o.out, "qemu_pid");
	tu_out_free(&o);
	struct be_ctx *ctx = open_ctx();
	struct be_error *err = NULL;
	int fd = be_vm_console_open(ctx, "l1", &err);
	assert_true(fd >= 0);
	console_ready(fd);
	/* Constant time means no copy: a live snapshot after 200 MB written
	 * adds one empty overlay on top (QMP blockdev-snapshot-sync), so the
	 * disks grow by that overlay alone, not by what was written.  (Its
	 * time is a benchmark's business: bench/vm.sh and berth compare.) */
	console_expect(fd,
	               "for i in 0 1 2 3 4 5 6 7 8 9; do echo $i > /f$i; done; sync; "
	               "echo sm$((1+1))\n",
	               "sm2");
	uint64_t small = snap_ns(ctx, "l1");
	console_expect(
	        fd, "dd if=/dev/zero of=/big bs=1M count=200 2>/dev/null; sync; echo bg$((2+2))\n",
	        "bg4");
	int before_kib = tu_count("du -sk '%s/vmdisks' | cut -f1", root);
	uint64_t big = snap_ns(ctx, "l1");
	int after_kib = tu_count("du -sk '%s/vmdisks' | cut -f1", root);
	fprintf(stderr,
	        "live snapshot after 10 small writes %.2f ms, after 200 MB %.2f ms; disks grew "
	        "%d KiB with it\n",
	        small / 1e6, big / 1e6, after_kib - before_kib);
	close(fd);
	if (after_kib - before_kib > 8 * 1024) {
		OK("vm", "rm", "-f", "l1");
		be_ctx_free(ctx);
		fail_msg("a live snapshot after 200 MB grew the disks by %d KiB: it copied",
		         after_kib - before_kib);
	}
	/* rm -f: qemu, cgroup, sockets and overlay files gone. */
	OK("vm", "rm", "-f", "l1");
	assert_int_equal(kill(qemu, 0), -1);
	tu_sh(NULL, "ls -la '%s/run/vms' '%s/vmdisks' >&2", root, root);
	assert_int_equal(tu_count("ls '%s/run/vms' | grep -v '\\.exit$' | wc -l", root), 0);
	assert_int_equal(tu_count("ls '%s/vmdisks' | wc -l", root), 0);
	assert_int_equal(tu_count("find /sys/fs/cgroup -maxdepth 2 -path '*/%s%s/l1' | wc -l",
	                          be_ctx_cgroup_parent(ctx), BE_VM_CGROUP_SUFFIX),
	                 0);
	be_ctx_free(ctx);
}

/* berth's VMs take the UI's actions as containers do: x on one asks with
 * the exact `berth vm stop` command, and y stops it. */
static void test_vm_in_tui(void **state)
{
	(void)state;
	need_vm();
	if (tu_sh(NULL, "command -v tmux >/dev/null") != 0)
		skip();
	OK("vm", "run", "-d", "--name", "tv", "demo");
	struct tt_fx f = {.root = root};
	snprintf(f.sock, sizeof(f.sock), "berth-tui-vm-%d", (int)getpid());
	tt_start_tui_env(&f, "TERM=tmux-256color", "", 160, 40);
	tt_see(&f, " tv ");
	tt_select_only(&f, "tv");
	tt_see(&f, "x stop"); /* action hints: not a watched-only item */
	tt_keys(&f, "x");
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "$ berth --root %s vm stop tv", root);
	tt_see(&f, cmd);
	tt_keys(&f, "y");
	bool stopped = false;
	for (int i = 0; i < 600 && !stopped; i++) {
		struct tu_out o = {0};
		tu_berthl(&o, root, "vm", "inspect", "tv", NULL);
		stopped = o.out && strstr(o.out, "\"status\": \"exited\"");
		tu_out_free(&o);
		if (!stopped)
			usleep(100 * 1000);
	}
	tt_keys(&f, "q");
	tt_kill_server(&f);
	OK("vm", "rm", "-f", "tv");
	assert_true(stopped);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_vm_run_rm_exit_code),
	        cmocka_unit_test(test_vm_detached_ps_top_console_stop),
	        cmocka_unit_test(test_vm_snapshot_rollback),
	        cmocka_unit_test(test_vm_clones_share_base),
	        cmocka_unit_test(test_vm_live_snapshot_constant_and_rm_f),
	        cmocka_unit_test(test_vm_in_tui),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
