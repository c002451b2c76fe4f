/* The container process, internal to the backend: clone flags, the set-up a
 * container's init goes through before exec (root, mounts, capabilities,
 * seccomp), spawning it, and exec into a running container. */
#ifndef BE_SANDBOX_H
#define BE_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "berth.h"

/* A mount the user asked for (-v, --mount, --tmpfs), its source already
 * opened by the caller (O_PATH, links refused): bound, or a fresh tmpfs. */
struct be_sandbox_mount {
	int src_fd;         /* -1: a tmpfs */
	bool src_dir;       /* the source is a directory (else a file) */
	const char *target; /* absolute inside the container; links resolve inside it */
	bool readonly;
	uint64_t size; /* tmpfs bytes, 0: default */
	unsigned mode; /* tmpfs mode, 0: 01777 */
};

/* What a container process gets.  Every pointer is borrowed. */
struct be_sandbox_cfg {
	const char *rootfs; /* absolute path of the root; bound onto itself if not a mount point */
	const char *hostname; /* set in the new uts namespace (NULL: left as is) */
	char *const *argv;    /* command; argv[0] without '/' is looked up in env's PATH */
	char *const *env;     /* the whole environment, NULL-terminated */
	const char *workdir;  /* "/" when NULL; created (mode 0755) when missing */
	const char *user; /* NULL (root), "uid[:gid]", "name[:group]" (container's /etc files) */
	bool net_host;    /* share the host's network namespace */
	bool tty;         /* a terminal of the container's own: see console_fd */
	/* With tty: a unix socket.  The process opens /dev/ptmx inside the
	 * container (its own devpts), sends the master over this socket, and
	 * takes the slave as stdio and controlling terminal (stdio[] unused). */
	int console_fd;
	bool no_seccomp; /* debugging only */
	int stdio[3];    /* fds put on 0, 1, 2; -1 gives /dev/null */
	int report_fd;   /* sandbox_enter only: CLOEXEC write end for the failure report */
	int keep_fd;     /* an fd left alone by the purge (its own CLOEXEC flag decides), or -1 */
	/* sandbox_spawn: the init enters its cgroup through these fds
	 * (cg_open_enter) before anything else; may be NULL. */
	const int *cgroup_fds;
	size_t n_cgroup_fds;
	const struct be_sandbox_mount *mounts; /* applied before pivot_root, in order */
	size_t n_mounts;
	bool read_only_root; /* --read-only */
};

/* Exit codes, as docker's. */
#define BE_EXIT_SETUP 125
#define BE_EXIT_NOEXEC 126
#define BE_EXIT_NOTFOUND 127

/* Flags for clone(2) of a container's init: CLONE_NEWPID, NEWNS, NEWUTS,
 * NEWIPC, plus NEWNET unless net_host.  CLONE_NEWCGROUP is NOT among them:
 * a cgroup namespace is rooted at the cgroup its creator is in, so the init
 * unshares it itself (in sandbox_enter) after its parent has moved it
 * into the container's cgroup. */
unsigned long sandbox_clone_flags(const struct be_sandbox_cfg *cfg);

/* In the cloned child, once it is in its cgroup: unshares the cgroup
 * namespace, sets up stdio, the root (private mounts, /proc, /sys, /dev,
 * pivot_root, masks), hostname, workdir, user, capabilities, no_new_privs,
 * seccomp, marks every other fd close-on-exec, and execs.  Never returns:
 * on failure writes "CODE message\n" on cfg->report_fd and _exits CODE
 * (125 setup, 126 not executable, 127 not found).  The caller must be
 * single-threaded. */
_Noreturn void sandbox_enter(const struct be_sandbox_cfg *cfg);

/* Parent side of the report pipe (its write end already closed here):
 * returns 0 on EOF without a report (the exec succeeded); else -1 with the
 * child's message in *err and (*err)->exitcode set to 125, 126 or 127. */
int sandbox_read_report(int report_rd, struct be_error **err);

/* The start path: clones a child with sandbox_clone_flags, calls
 * in_parent(child, data) (NULL: none; the runtime attaches the child to its
 * cgroup there) while the child waits on a sync pipe, releases it into
 * sandbox_enter and reads its report.  cfg->report_fd is ignored (spawn
 * makes its own).  Returns 0 with the init's pid (host view) in *child_out
 * once the command is exec'd; the caller waits for it.  On failure the
 * child is killed if needed and reaped, and *err carries the exit code
 * (0, i.e. 125, when the hook failed: a hook that fills this same *err
 * through data keeps its message, prefixed).  The caller must be
 * single-threaded (raw clone: no atfork handlers run). */
int sandbox_spawn(const struct be_sandbox_cfg *cfg, int (*in_parent)(pid_t child, void *data),
                  void *data, pid_t *child_out, struct be_error **err);

/* exec into a running container: forks a child inside the pid namespace of
 * init_pid (the caller's own namespaces are unchanged afterwards; the child
 * is the caller's child) which joins its mnt, uts, ipc, net and cgroup
 * namespaces (pidfd setns, else /proc/PID/ns/ *), calls before_exec(child,
 * data) (NULL: none; the caller attaches it to the container's cgroup
 * there), then applies user, capabilities, no_new_privs and seccomp as for
 * the init, chdirs to cfg->workdir (which must exist: 126 otherwise) and
 * execs.  cfg->rootfs, hostname, net_host and report_fd are ignored.
 * Returns 0 with the child's host pid in *child_out (the caller waits for
 * it), or -1 with *err (exit code 125/126/127) after reaping the child. */
int sandbox_exec(pid_t init_pid, const struct be_sandbox_cfg *cfg,
                 int (*before_exec)(pid_t child, void *data), void *data, pid_t *child_out,
                 struct be_error **err);

/* ---- between the sandbox files (sandbox.c, secure.c, sandbox_exec.c) --- */

/* In a fresh mount namespace: makes every mount private (MS_REC) so that
 * nothing mounted here reaches the host.  When / is not a mount point (a
 * chroot), first mounts a clone of / onto itself and enters it, unless the
 * mount holding / is shared (then an error that says what to do). */
int sandbox_private_mounts(struct be_error **err);

/* sandbox.c: from the caller's mount namespace (already unshared), makes
 * cfg->rootfs the root with /proc, /sys, /dev, the masks and read-only
 * paths; cwd is "/" afterwards. */
int sandbox_setup_root(const struct be_sandbox_cfg *cfg, struct be_error **err);

/* mounts.c: cfg's user mounts, from the new root's directory (the cwd,
 * before pivot_root): each target is resolved inside the root (a link
 * cannot lead out), made when missing, and the source bound (or a tmpfs
 * mounted) there. */
int sandbox_user_mounts(const struct be_sandbox_cfg *cfg, struct be_error **err);
/* mounts.c: after pivot_root, makes "/" read-only when cfg asks (the
 * mounts on it keep their own flags). */
int sandbox_readonly_root(const struct be_sandbox_cfg *cfg, struct be_error **err);
/* mounts.c: brings the loopback of the (new) network namespace up, as
 * docker does for --net none. */
int sandbox_lo_up(struct be_error **err);

/* The user a spec names: "uid", "uid:gid", "name", "name:group", ids or
 * names mixed; names are looked up in ROOT/etc/passwd and ROOT/etc/group
 * (root "" is the process's own root) without NSS.  Supplementary groups
 * are the groups listing the user's name.  The caller frees groups. */
struct be_sandbox_user {
	uid_t uid;
	gid_t gid;
	gid_t *groups;
	size_t ngroups;
};
int secure_resolve_user(const char *root, const char *spec, struct be_sandbox_user *out,
                        struct be_error **err);
void secure_user_free(struct be_sandbox_user *u);

/* Drops the bounding set to docker's default 14 capabilities, switches to
 * spec's user (NULL: root), then sets effective and permitted to the 14
 * for root and to nothing for any other uid; inheritable and ambient are
 * cleared. */
int secure_drop(const char *user_spec, struct be_error **err);
/* Sets no_new_privs and loads the seccomp filter (unless no_seccomp). */
int secure_lock(bool no_seccomp, struct be_error **err);
/* Marks every fd >= 3 close-on-exec except keep_fd (may be -1). */
int secure_cloexec_fds(int keep_fd, struct be_error **err);
/* Effective capability mask the init of root gets (for tests and docs). */
unsigned long long secure_default_caps(void);

/* berth's policy tables, for the isolation inspector: the paths masked
 * and made read-only in every container, and the system calls its seccomp
 * filter refuses.  Static storage; n receives the count. */
const char *const *sandbox_masked_paths(size_t *n);
const char *const *sandbox_readonly_paths(size_t *n);
const char *const *secure_denied_calls(size_t *n);

#endif
