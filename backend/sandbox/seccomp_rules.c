/* The container's seccomp rules, apart from the rest of the sandbox so
 * that the build can compile them into BPF once (scripts/gen_seccomp.c):
 * a start loads that program as it is, and libseccomp's name lookups and
 * code generation cost nothing at run time. */
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stddef.h>

#include "sandbox/sandbox.h"
#include "sandbox/seccomp_rules.h"

/* Denied with EPERM, as docker's default profile denies them to a
 * container without CAP_SYS_ADMIN and friends.  Names unknown on this
 * architecture are skipped. */
static const char *const denied_calls[] = {
        "acct",
        "add_key",
        "bpf",
        "clock_adjtime",
        "clock_settime",
        "create_module",
        "delete_module",
        "fanotify_init",
        "finit_module",
        "fsconfig",
        "fsmount",
        "fsopen",
        "fspick",
        "get_kernel_syms",
        "init_module",
        "io_uring_enter",
        "io_uring_register",
        "io_uring_setup",
        "ioperm",
        "iopl",
        "kcmp",
        "kexec_file_load",
        "kexec_load",
        "keyctl",
        "lookup_dcookie",
        "mount",
        "mount_setattr",
        "move_mount",
        "name_to_handle_at",
        "nfsservctl",
        "open_by_handle_at",
        "open_tree",
        "perf_event_open",
        "pivot_root",
        "query_module",
        "quotactl",
        "quotactl_fd",
        "reboot",
        "request_key",
        "setns",
        "settimeofday",
        "stime",
        "swapoff",
        "swapon",
        "_sysctl",
        "syslog",
        "sysfs",
        "umount",
        "umount2",
        "uselib",
        "userfaultfd",
        "ustat",
        "vhangup",
        "vm86",
        "vm86old",
};

const char *const *secure_denied_calls(size_t *n)
{
	*n = sizeof(denied_calls) / sizeof(denied_calls[0]);
	return denied_calls;
}

int secure_seccomp_rules(scmp_filter_ctx ctx)
{
	/* Native architecture only: a 32-bit (i386, int 0x80) or x32 system
	 * call kills the process instead of slipping past rules written for
	 * the native numbers.  Adding those architectures would let 32-bit
	 * binaries run but doubles the filter's cost on every start. */
	seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS); /* else KILL */
	for (size_t i = 0; i < sizeof(denied_calls) / sizeof(denied_calls[0]); i++) {
		int nr = seccomp_syscall_resolve_name(denied_calls[i]);
		if (nr == __NR_SCMP_ERROR)
			continue;
		int r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
		if (r < 0 && r != -EDOM)
			return r;
	}
	/* No new user namespace: unshare and clone are checked on their flags;
	 * clone3 passes its flags in memory a filter cannot read, so it says
	 * ENOSYS and libc falls back to clone (what docker does). */
	int r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(unshare), 1,
	                         SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER));
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
		                     SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER));
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	return r;
}
