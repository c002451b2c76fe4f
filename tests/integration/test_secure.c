/* What a container process may do, checked outside any container: the
 * seccomp filter in a forked child of the test (root), the kill of 32-bit
 * system calls, and user specs against fixture /etc files. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/sandbox.h"
#include "testutil.h"

/* ---- the seccomp filter itself, in a forked child of the test ---------- */

/* Appends name to buf unless the call just made failed with want. */
static void expect_errno(char *buf, size_t size, const char *name, long r, int want)
{
	if (r != -1 || errno != want)
		snprintf(buf + strlen(buf), size - strlen(buf), "%s=%ld/%d ", name, r, errno);
}

/* Each call has arguments that make it a harmless no-op or error even
 * without the filter, so a broken filter fails the test, not the host.
 * Writes the calls that were not refused as expected to out. */
static void denied_calls_child(int out)
{
	struct be_error *err = NULL;
	if (secure_lock(false, &err) < 0)
		_exit(2);
	const char *none = "/berth-no-such-path";
	char b[2048] = "";
	size_t n = sizeof(b);
#define DENIED(name, ...) expect_errno(b, n, name, syscall(__VA_ARGS__), EPERM)
	DENIED("kexec_load", SYS_kexec_load, 0, 0xffffff, NULL, 0);
	DENIED("init_module", SYS_init_module, NULL, 0, "");
	DENIED("finit_module", SYS_finit_module, -1, "", 0);
	DENIED("delete_module", SYS_delete_module, "berth_none", O_NONBLOCK);
	DENIED("open_by_handle_at", SYS_open_by_handle_at, -1, NULL, 0);
	DENIED("bpf", SYS_bpf, -1, NULL, 0);
	DENIED("perf_event_open", SYS_perf_event_open, NULL, 0, -1, -1, 0);
	DENIED("keyctl", SYS_keyctl, -1, 0, 0, 0, 0);
	DENIED("add_key", SYS_add_key, NULL, NULL, NULL, 0, 0);
	DENIED("request_key", SYS_request_key, NULL, NULL, NULL, 0);
	DENIED("mount", SYS_mount, NULL, NULL, NULL, 0, NULL);
	DENIED("umount2", SYS_umount2, none, 0);
	DENIED("pivot_root", SYS_pivot_root, NULL, NULL);
	DENIED("reboot", SYS_reboot, 0, 0, 0, NULL); /* bad magic: EINVAL unfiltered */
	DENIED("swapon", SYS_swapon, NULL, 0);
	DENIED("swapoff", SYS_swapoff, NULL);
	DENIED("acct", SYS_acct, none);
	DENIED("settimeofday", SYS_settimeofday, NULL, NULL);
	DENIED("clock_settime", SYS_clock_settime, -1, NULL);
	DENIED("setns", SYS_setns, -1, 0);
	DENIED("unshare_user", SYS_unshare, CLONE_NEWUSER);
#undef DENIED
	expect_errno(b, n, "clone3", syscall(SYS_clone3, NULL, 0), ENOSYS);
	/* allowed: an unshare without a user namespace reaches the kernel */
	if (syscall(SYS_unshare, 0) != 0)
		strcat(b, "unshare_none ");
	_exit(write(out, b, strlen(b)) < 0 ? 3 : 0);
}

static void test_be_secure_lock_denies(void **state)
{
	(void)state;
	tu_need_root(); /* as non-root, capability checks would hide a broken filter */
	int p[2];
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		denied_calls_child(p[1]);
	}
	close(p[1]);
	char *out = tu_slurp_fd(p[0]);
	close(p[0]);
	assert_int_equal(tu_wait_status(pid), 0);
	assert_string_equal(out, ""); /* else: name=result/errno of each surprise */
	free(out);
}

static void test_be_secure_lock_kills_32bit_calls(void **state)
{
	(void)state;
#if defined(__x86_64__)
	/* Kernels without ia32 emulation (CONFIG_IA32_EMULATION off, or
	 * ia32_emulation=0) fault on int 0x80 before seccomp sees it: then
	 * there is no 32-bit call for the filter to kill. */
	pid_t probe = fork();
	assert_true(probe >= 0);
	if (probe == 0) {
		signal(SIGSEGV, SIG_DFL);
		long ret;
		__asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
		_exit(ret > 0 ? 0 : 1);
	}
	if (tu_wait_status(probe) != 0) {
		print_message(
		        "skipped: this kernel runs no 32-bit system calls (no ia32 emulation)\n");
		skip();
	}
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct be_error *err = NULL;
		if (secure_lock(false, &err) < 0)
			_exit(2);
		long ret;
		/* i386 getpid through int 0x80: not the native architecture */
		__asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
		_exit(ret > 0 ? 3 : 4);
	}
	assert_int_equal(tu_wait_status(pid), 128 + SIGSYS);
#else
	skip();
#endif
}

/* ---- user specs, on literal strings against fixture /etc files --------- */

static void resolve_ok(const char *root, const char *spec, unsigned uid, unsigned gid,
                       const char *groups)
{
	struct be_sandbox_user u;
	struct be_error *err = NULL;
	if (secure_resolve_user(root, spec, &u, &err) < 0)
		fail_msg("%s: %s", spec, err->msg);
	assert_int_equal(u.uid, uid);
	assert_int_equal(u.gid, gid);
	char buf[256] = "";
	for (size_t i = 0; i < u.ngroups; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%u", i ? " " : "",
		         (unsigned)u.groups[i]);
	assert_string_equal(buf, groups);
	secure_user_free(&u);
}

static void resolve_bad(const char *root, const char *spec, const char *text)
{
	struct be_sandbox_user u;
	struct be_error *err = NULL;
	assert_int_equal(secure_resolve_user(root, spec, &u, &err), -1);
	assert_non_null(err);
	if (strstr(err->msg, text) == NULL)
		fail_msg("%s: \"%s\" lacks \"%s\"", spec, err->msg, text);
	be_error_free(err);
	assert_null(u.groups);
}

static void test_be_secure_resolve_user_specs(void **state)
{
	(void)state;
	char *root = tu_root_new();
	char *etc = NULL;
	assert_true(asprintf(&etc, "%s/users", root) > 0);
	char *p = NULL;
	assert_true(asprintf(&p, "%s/etc/passwd", etc) > 0);
	tu_write(p, "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n"
	            "broken line\nweb:x:33:33::/:/bin/false\n");
	free(p);
	assert_true(asprintf(&p, "%s/etc/group", etc) > 0);
	tu_write(p, "root:x:0:\nstaff:x:50:app,web\nwww:x:33:\nwheel:x:10:root\n");
	free(p);
	resolve_ok(etc, "0", 0, 0, "0 10");
	resolve_ok(etc, "app", 1000, 1000, "1000 50");
	resolve_ok(etc, "1000", 1000, 1000, "1000 50");
	resolve_ok(etc, "app:staff", 1000, 50, "50");
	resolve_ok(etc, "app:7", 1000, 7, "7 50");
	resolve_ok(etc, "web:www", 33, 33, "33 50");
	resolve_ok(etc, "4321", 4321, 0, "0");
	resolve_ok(etc, "4321:4321", 4321, 4321, "4321");
	resolve_ok("/nonexistent", "5:6", 5, 6, "6");
	resolve_bad(etc, "ghost", "unable to find user ghost");
	resolve_bad(etc, "app:nogroup", "unable to find group nogroup");
	resolve_bad(etc, "", "invalid user");
	resolve_bad(etc, ":", "invalid user");
	resolve_bad(etc, "app:", "invalid user");
	resolve_bad(etc, ":5", "invalid user");
	resolve_bad(etc, "1:2:3", "invalid user");
	resolve_bad(etc, "4294967295", "unable to find user");
	resolve_bad(etc, "-1", "unable to find user");
	resolve_bad("/nonexistent", "app", "unable to find user app");
	/* a FIFO where /etc/passwd should be: an error, not a hang */
	char *fifo = NULL;
	assert_true(asprintf(&fifo, "%s/fifo", root) > 0);
	assert_int_equal(tu_sh(NULL, "mkdir -p %s/etc && mkfifo %s/etc/passwd", fifo, fifo), 0);
	resolve_bad(fifo, "app", "unable to find user app");
	resolve_ok(fifo, "7", 7, 0, "0");
	free(fifo);
	free(etc);
	tu_root_remove(root);
	free(root);
}

static void test_be_secure_default_caps_docker(void **state)
{
	(void)state;
	/* docker's default CapEff: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID
	 * SETUID SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE
	 * SETFCAP */
	assert_int_equal(secure_default_caps(), 0xa80425fbULL);
	assert_int_equal(__builtin_popcountll(secure_default_caps()), 14);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_be_secure_resolve_user_specs),
	        cmocka_unit_test(test_be_secure_lock_denies),
	        cmocka_unit_test(test_be_secure_lock_kills_32bit_calls),
	        cmocka_unit_test(test_be_secure_default_caps_docker),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
