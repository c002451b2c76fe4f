/* The seccomp program built into berth is the one libseccomp makes from
 * the rules today (a libseccomp upgrade or a changed rule without a
 * rebuild of the header would show here), and it denies what the rules
 * deny: checked by running it in a child. */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/util.h"
#include "sandbox/sandbox.h"
#include "sandbox/seccomp_rules.h"

static void test_built_program_is_libseccomps(void **state)
{
	(void)state;
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	assert_non_null(ctx);
	assert_int_equal(secure_seccomp_rules(ctx), 0);
	int fd = memfd_create("bpf", MFD_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(seccomp_export_bpf(ctx, fd), 0);
	seccomp_release(ctx);
	off_t len = lseek(fd, 0, SEEK_END);
	size_t n = 0;
	const struct sock_filter *built = secure_filter(&n);
	assert_true(n > 10);
	assert_int_equal((size_t)len, n * sizeof(*built));
	struct sock_filter *fresh = malloc((size_t)len);
	assert_int_equal(pread(fd, fresh, (size_t)len, 0), len);
	assert_memory_equal(fresh, built, (size_t)len);
	free(fresh);
	close(fd);
}

/* In a child: no_new_privs and the built program, then a few calls. */
static void test_built_program_denies(void **state)
{
	(void)state;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct be_error *err = NULL;
		if (secure_lock(false, &err) < 0)
			_exit(10);
		/* Denied outright: EPERM. */
		if (syscall(SYS_umount2, "/nonexistent", 0) != -1 || errno != EPERM)
			_exit(11);
		if (syscall(SYS_reboot, 0, 0, 0, NULL) != -1 || errno != EPERM)
			_exit(12);
		/* A new user namespace: EPERM; other unshare flags pass. */
		if (unshare(CLONE_NEWUSER) != -1 || errno != EPERM)
			_exit(13);
		if (unshare(CLONE_FS) != 0)
			_exit(14);
		/* clone3: ENOSYS, so libc falls back to clone. */
		if (syscall(SYS_clone3, NULL, 0) != -1 || errno != ENOSYS)
			_exit(15);
		/* Everything else is allowed. */
		if (getpid() <= 0)
			_exit(16);
		_exit(0);
	}
	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_built_program_is_libseccomps),
	        cmocka_unit_test(test_built_program_denies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
