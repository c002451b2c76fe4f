/* Starting a container process: the init's set-up and exec (enter), its
 * clone from the runtime (spawn), a process joining a running container
 * (exec), and the one-line failure report they send their parent. */
#include <errno.h>
#include <stdint.h>
#include <poll.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "sandbox/sandbox.h"
#include "base/util.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* ---- the report -------------------------------------------------------- */

/* In the child: "CODE message\n" on the report pipe, then _exit(CODE). */
static _Noreturn void die(int report_fd, int code, const char *msg)
{
	char buf[1024];
	int n = snprintf(buf, sizeof(buf), "%d %s\n", code, msg);
	if (n > (int)sizeof(buf) - 1)
		n = (int)sizeof(buf) - 1;
	if (report_fd >= 0 && write(report_fd, buf, (size_t)n) < 0)
		n = 0; /* nobody to tell: the exit code says it */
	_exit(code);
}

static _Noreturn void die_err(int report_fd, struct be_error *err)
{
	int code = err && err->exitcode ? err->exitcode : BE_EXIT_SETUP;
	die(report_fd, code, err ? err->msg : "container set-up failed");
}

int sandbox_read_report(int report_rd, struct be_error **err)
{
	char buf[1024];
	size_t n = 0;
	while (n < sizeof(buf) - 1) {
		ssize_t r = read(report_rd, buf + n, sizeof(buf) - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return be_error_set(err, errno, "reading the container process's report");
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n == 0)
		return 0;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	char *msg = NULL;
	long code = strtol(buf, &msg, 10);
	if (code < BE_EXIT_SETUP || code > BE_EXIT_NOTFOUND || *msg != ' ')
		code = BE_EXIT_SETUP, msg = buf;
	else
		msg++;
	be_error_set(err, 0, "%s", msg);
	if (err && *err)
		(*err)->exitcode = (int)code;
	return -1;
}

/* ---- pieces the init and exec share ------------------------------------ */

/* Puts cfg->stdio on 0, 1, 2 (-1: /dev/null).  Fds below 3 are first
 * moved up so that no dup2 overwrites one still to be placed. */
static int setup_stdio(const struct be_sandbox_cfg *cfg, struct be_error **err)
{
	int fds[3], null_fd = -1;
	for (int i = 0; i < 3; i++) {
		int fd = cfg->stdio[i];
		if (fd < 0 && null_fd < 0)
			null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (fd < 0)
			fd = null_fd;
		else if (fd < 3)
			fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		if (fd < 0)
			return be_error_set(err, errno, "preparing stdio %d", i);
		fds[i] = fd;
	}
	for (int i = 0; i < 3; i++)
		if (dup2(fds[i], i) < 0)
			return be_error_set(err, errno, "dup2 onto %d", i);
	return 0;
}

/* -t: a terminal from the container's own devpts (as crun's console
 * socket), so that `tty` inside names it and /dev/pts lists it.  The
 * master goes to the client over cfg->console_fd; the slave becomes
 * stdio and the controlling terminal of a new session. */
static int setup_console(const struct be_sandbox_cfg *cfg, struct be_error **err)
{
	cleanup_close int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0 || unlockpt(m) < 0)
		return be_error_set(err, errno, "opening the container's /dev/ptmx");
	cleanup_close int s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0) { /* before Linux 4.13 */
		char name[64];
		if (ptsname_r(m, name, sizeof(name)) != 0 ||
		    (s = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
			return be_error_set(err, errno, "opening the container's terminal");
	}
	if (util_send_fd(cfg->console_fd, m, err) < 0)
		return -1;
	for (int i = 0; i < 3; i++)
		if (dup2(s, i) < 0)
			return be_error_set(err, errno, "dup2 onto %d", i);
	if (setsid() < 0 || ioctl(0, TIOCSCTTY, 0) < 0)
		return be_error_set(err, errno, "making the terminal the controlling one");
	return 0;
}

static const char *env_get(char *const *env, const char *name)
{
	size_t len = strlen(name);
	for (; env && *env; env++)
		if (strncmp(*env, name, len) == 0 && (*env)[len] == '=')
			return *env + len + 1;
	return NULL;
}

/* execve argv[0], looked up in the container's PATH (from cfg->env, not
 * ours) when it has no '/'.  Only returns by dying: 127 when nothing was
 * found, 126 when something was but could not run. */
static _Noreturn void exec_command(const struct be_sandbox_cfg *cfg, int report_fd)
{
	const char *cmd = cfg->argv ? cfg->argv[0] : NULL;
	char msg[600];
	if (cmd == NULL || cmd[0] == '\0')
		die(report_fd, BE_EXIT_SETUP, "no command given");
	if (strchr(cmd, '/')) {
		execve(cmd, cfg->argv, cfg->env);
		int e = errno;
		snprintf(msg, sizeof(msg), "exec: \"%.400s\": %s", cmd, strerror(e));
		die(report_fd, e == ENOENT || e == ENOTDIR ? BE_EXIT_NOTFOUND : BE_EXIT_NOEXEC,
		    msg);
	}
	const char *path = env_get(cfg->env, "PATH");
	int denied = 0;
	for (const char *p = path ? path : DEFAULT_PATH;; p++) {
		size_t len = strcspn(p, ":");
		char full[4096];
		if (snprintf(full, sizeof(full), "%.*s/%s", (int)len, len ? p : ".", cmd) <
		    (int)sizeof(full)) {
			execve(full, cfg->argv, cfg->env);
			if (errno != ENOENT && errno != ENOTDIR && errno != ENAMETOOLONG) {
				if (errno != EACCES) {
					snprintf(msg, sizeof(msg), "exec: \"%.400s\": %s", full,
					         strerror(errno));
					die(report_fd, BE_EXIT_NOEXEC, msg);
				}
				denied = EACCES;
			}
		}
		p += len;
		if (*p == '\0')
			break;
	}
	if (denied)
		snprintf(msg, sizeof(msg), "exec: \"%.400s\": permission denied", cmd);
	else
		snprintf(msg, sizeof(msg), "exec: \"%.400s\": executable file not found in $PATH",
		         cmd);
	die(report_fd, denied ? BE_EXIT_NOEXEC : BE_EXIT_NOTFOUND, msg);
}

/* Signals ignored or blocked here (the keeper ignores SIGTERM, SIGINT,
 * SIGHUP and SIGPIPE) would stay so across exec: the command starts with
 * every disposition at its default and nothing blocked, as under docker. */
static void reset_signals(void)
{
	/* The raw system call: glibc's sigaction refuses the two real-time
	 * signals it keeps for itself (32, 33), which a host environment may
	 * still pass down ignored. */
	struct {
		void (*handler)(int);
		unsigned long flags;
		void (*restorer)(void);
		uint64_t mask;
	} dfl = {.handler = SIG_DFL};
	for (int s = 1; s <= 64; s++)
		syscall(SYS_rt_sigaction, s, &dfl, NULL, sizeof(uint64_t)); /* KILL, STOP: EINVAL */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* The last steps, as root in the container's root: user, capabilities, fd
 * purge, no_new_privs and seccomp (last, once nothing it denies is left
 * to do), then exec. */
static _Noreturn void finish_and_exec(const struct be_sandbox_cfg *cfg, int report_fd)
{
	struct be_error *err = NULL;
	reset_signals();
	if (secure_drop(cfg->user, &err) < 0 || secure_cloexec_fds(cfg->keep_fd, &err) < 0)
		die_err(report_fd, err);
	umask(022);
	if (secure_lock(cfg->no_seccomp, &err) < 0)
		die_err(report_fd, err);
	exec_command(cfg, report_fd);
}

/* ---- the init ---------------------------------------------------------- */

static int setup_host(const struct be_sandbox_cfg *cfg, struct be_error **err)
{
	const char *h = cfg->hostname;
	if (h && sethostname(h, strlen(h)) < 0)
		return be_error_set(err, errno, "setting hostname \"%.64s\"", h);
	const char *wd = cfg->workdir ? cfg->workdir : "/";
	if (wd[0] != '/')
		return be_error_set(err, 0, "working directory \"%.200s\" is not absolute", wd);
	if (util_mkdir_p(wd, 0755, err) < 0 || chdir(wd) < 0)
		return be_error_set(err, errno, "working directory %.200s", wd);
	return 0;
}

/* The init's set-up that needs no cgroup: stdio, root, hostname, workdir.
 * It runs while the parent moves the child into its cgroup, since that
 * move is the slowest step of a start on cgroup v1 (an RCU grace period
 * in the kernel). */
static void enter_prepare(const struct be_sandbox_cfg *cfg)
{
	struct be_error *err = NULL;
	/* Nothing in the container may ptrace or open /proc/1/fd of this
	 * process while it holds host fds; exec makes it dumpable again. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	umask(0);
	if ((!cfg->net_host && sandbox_lo_up(&err) < 0) || setup_stdio(cfg, &err) < 0 ||
	    sandbox_setup_root(cfg, &err) < 0 || (cfg->tty && setup_console(cfg, &err) < 0) ||
	    setup_host(cfg, &err) < 0)
		die_err(cfg->report_fd, err);
}

/* Once in its cgroup: the cgroup namespace is rooted there. */
static _Noreturn void enter_finish(const struct be_sandbox_cfg *cfg)
{
	struct be_error *err = NULL;
	if (unshare(CLONE_NEWCGROUP) < 0) {
		be_error_set(&err, errno, "unsharing the cgroup namespace");
		die_err(cfg->report_fd, err);
	}
	finish_and_exec(cfg, cfg->report_fd);
}

_Noreturn void sandbox_enter(const struct be_sandbox_cfg *cfg)
{
	enter_prepare(cfg);
	enter_finish(cfg);
}

/* The child waits for one byte (its parent's go-ahead); EOF means the
 * parent gave up. */
static bool wait_go(int fd)
{
	char b;
	ssize_t n;
	do
		n = read(fd, &b, 1);
	while (n < 0 && errno == EINTR);
	return n == 1;
}

/* The report pipe (child to parent) and the go-ahead channel (parent to
 * child).  The latter is a socket pair so that the parent can send with
 * MSG_NOSIGNAL: a child that already died must not kill it with SIGPIPE. */
static int make_channels(int rep[2], int go[2], struct be_error **err)
{
	if (pipe2(rep, O_CLOEXEC) < 0)
		return be_error_set(err, errno, "pipe");
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, go) < 0) {
		int e = errno;
		close(rep[0]);
		close(rep[1]);
		return be_error_set(err, e, "socketpair");
	}
	return 0;
}

/* Parent side after the fork or clone: hook, go-ahead, report.  On failure
 * the child is killed (if still there) and reaped. */
static int release_child(pid_t pid, int go_fd, int report_fd, int (*hook)(pid_t child, void *data),
                         void *data, struct be_error **err)
{
	int r = 0;
	if (hook && hook(pid, data) < 0) {
		/* A child that failed its set-up meanwhile says why: that
		 * comes first. */
		struct pollfd p = {.fd = report_fd, .events = POLLIN};
		if (poll(&p, 1, 0) == 1 && sandbox_read_report(report_fd, err) < 0) {
			close(go_fd);
			close(report_fd);
			kill(pid, SIGKILL);
			while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
				;
			return -1;
		}
		/* A hook may fill the same *err through data: keep its cause. */
		if (err && *err)
			be_error_wrap(err, "preparing the container process");
		else
			be_error_set(err, 0, "preparing the container process failed");
		r = -1;
	}
	int send_errno = 0;
	if (r == 0 && send(go_fd, "g", 1, MSG_NOSIGNAL) != 1)
		send_errno = errno;
	close(go_fd);
	/* Read the report even when the send failed: a child that died early
	 * says why there. */
	if (r == 0)
		r = sandbox_read_report(report_fd, err);
	if (r == 0 && send_errno)
		r = be_error_set(err, send_errno, "releasing the container process");
	close(report_fd);
	if (r < 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	return r;
}

int sandbox_spawn(const struct be_sandbox_cfg *cfg, int (*in_parent)(pid_t child, void *data),
                  void *data, pid_t *child_out, struct be_error **err)
{
	int rep[2], go[2];
	if (make_channels(rep, go, err) < 0)
		return -1;
	struct be_sandbox_cfg c = *cfg;
	c.report_fd = rep[1];
	/* Raw clone: fork semantics (same stack, copy of memory) with the new
	 * namespaces.  All arguments after the flags are 0 on every ABI. */
	pid_t pid = (pid_t)syscall(SYS_clone, sandbox_clone_flags(cfg) | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0) {
		close(rep[0]);
		close(go[1]);
		if (cg_enter_self(c.cgroup_fds, c.n_cgroup_fds) < 0) {
			struct be_error *e2 = NULL;
			be_error_set(&e2, errno, "entering the container's cgroup");
			die_err(c.report_fd, e2);
		}
		enter_prepare(&c);
		if (!wait_go(go[0]))
			_exit(BE_EXIT_SETUP);
		close(go[0]);
		enter_finish(&c);
	}
	int e = errno;
	close(rep[1]);
	close(go[0]);
	if (pid < 0) {
		close(rep[0]);
		close(go[1]);
		return be_error_set(err, e, "cloning the container process");
	}
	if (release_child(pid, go[1], rep[0], in_parent, data, err) < 0)
		return -1;
	*child_out = pid;
	return 0;
}

/* ---- exec into a running container ------------------------------------- */

static const struct {
	const char *name;
	int flag;
} join_order[] = {
        /* mnt last: after it, /proc is the container's and PID means another. */
        {"cgroup", CLONE_NEWCGROUP}, {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS},
        {"net", CLONE_NEWNET},       {"mnt", CLONE_NEWNS},
};
#define NJOIN (sizeof(join_order) / sizeof(join_order[0]))

static int join_by_files(pid_t pid, int flags, struct be_error **err)
{
	int fds[NJOIN];
	int r = 0;
	for (size_t i = 0; i < NJOIN; i++) {
		fds[i] = -1;
		if (!(flags & join_order[i].flag) || r < 0)
			continue;
		char p[64];
		snprintf(p, sizeof(p), "/proc/%d/ns/%s", (int)pid, join_order[i].name);
		fds[i] = open(p, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0)
			r = be_error_set(err, errno, "opening %s", p);
	}
	for (size_t i = 0; i < NJOIN && r == 0; i++)
		if (fds[i] >= 0 && setns(fds[i], join_order[i].flag) < 0)
			r = be_error_set(err, errno, "joining the %s namespace",
			                 join_order[i].name);
	for (size_t i = 0; i < NJOIN; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return r;
}

/* Joins pid's namespaces named in flags: one atomic setns on the pidfd
 * (Linux 5.8+), else one /proc/PID/ns file at a time. */
static int join_ns(int pidfd, pid_t pid, int flags, struct be_error **err)
{
	if (pidfd >= 0 && setns(pidfd, flags) == 0)
		return 0;
	if (pidfd >= 0 && errno != EINVAL)
		return be_error_set(err, errno, "joining the namespaces of process %d", (int)pid);
	return join_by_files(pid, flags, err);
}

/* The init's root, opened before joining its mount namespace: setns
 * leaves a process at that namespace's root mount, which is not the
 * container's root when berth runs in a chroot (a pivot_root made there
 * never moves the namespace's root). */
static int open_init_root(int pidfd, pid_t init_pid, struct be_error **err)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/%d/root", (int)init_pid);
	int fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return be_error_set(err, errno, "opening %s", p);
	/* Still alive after the open: the pid was the init's when opened
	 * (a pid is not reused while its process lives). */
	if (pidfd >= 0 && syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0) {
		int e = errno;
		close(fd);
		return be_error_set(err, e, "container process %d", (int)init_pid);
	}
	return fd;
}

/* Once in the mount namespace: chroot to the init's root, then check that
 * "/" is that very directory. */
static int enter_init_root(int root_fd, struct be_error **err)
{
	struct stat want, got;
	if (fchdir(root_fd) < 0 || chroot(".") < 0 || chdir("/") < 0)
		return be_error_set(err, errno, "entering the container's root");
	if (fstat(root_fd, &want) < 0 || stat("/", &got) < 0)
		return be_error_set(err, errno, "checking the container's root");
	if (want.st_dev != got.st_dev || want.st_ino != got.st_ino)
		return be_error_set(err, EXDEV, "exec did not reach the container's root");
	return 0;
}

static _Noreturn void exec_child(int pidfd, pid_t init_pid, const struct be_sandbox_cfg *cfg,
                                 int go_fd, int report_fd)
{
	struct be_error *err = NULL;
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	int flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP;
	int root_fd = open_init_root(pidfd, init_pid, &err);
	if (root_fd < 0 || join_ns(pidfd, init_pid, flags, &err) < 0 ||
	    enter_init_root(root_fd, &err) < 0)
		die_err(report_fd, err);
	close(root_fd);
	if (!wait_go(go_fd))
		_exit(BE_EXIT_SETUP);
	close(go_fd);
	if (pidfd >= 0)
		close(pidfd);
	if (setup_stdio(cfg, &err) < 0 || (cfg->tty && setup_console(cfg, &err) < 0))
		die_err(report_fd, err);
	/* As docker exec: the directory must exist (126 otherwise). */
	const char *wd = cfg->workdir ? cfg->workdir : "/";
	if (chdir(wd) < 0) {
		be_error_set(&err, errno, "chdir to %.200s", wd);
		err->exitcode = BE_EXIT_NOEXEC;
		die_err(report_fd, err);
	}
	finish_and_exec(cfg, report_fd);
}

/* Points pid_for_children at init_pid's pid namespace (the caller itself
 * stays where it is). */
static int enter_pid_ns(int pidfd, pid_t pid, struct be_error **err)
{
	if (pidfd >= 0 && setns(pidfd, CLONE_NEWPID) == 0)
		return 0;
	char p[64];
	snprintf(p, sizeof(p), "/proc/%d/ns/pid", (int)pid);
	cleanup_close int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWPID) < 0)
		return be_error_set(err, errno, "joining the pid namespace of process %d",
		                    (int)pid);
	return 0;
}

/* Forks the exec child inside init_pid's pid namespace, then points our
 * pid_for_children back at our own. */
static pid_t fork_in_pid_ns(int pidfd, pid_t init_pid, int own_ns, struct be_error **err)
{
	if (enter_pid_ns(pidfd, init_pid, err) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0)
		return 0;
	int e = errno;
	if (setns(own_ns, CLONE_NEWPID) < 0)
		abort(); /* cannot happen: our own namespace is always allowed */
	if (pid < 0)
		return be_error_set(err, e, "forking into container process %d's pid namespace",
		                    (int)init_pid);
	return pid;
}

int sandbox_exec(pid_t init_pid, const struct be_sandbox_cfg *cfg,
                 int (*before_exec)(pid_t child, void *data), void *data, pid_t *child_out,
                 struct be_error **err)
{
	if (init_pid <= 1)
		return be_error_set(err, 0, "exec: invalid container pid %d", (int)init_pid);
	cleanup_close int pidfd = (int)syscall(SYS_pidfd_open, init_pid, 0);
	if (pidfd < 0 && errno == ESRCH)
		return be_error_set(err, errno, "exec: container process %d", (int)init_pid);
	cleanup_close int own_ns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	if (own_ns < 0)
		return be_error_set(err, errno, "opening /proc/self/ns/pid");
	int rep[2], go[2];
	if (make_channels(rep, go, err) < 0)
		return -1;
	pid_t pid = fork_in_pid_ns(pidfd, init_pid, own_ns, err);
	if (pid == 0) {
		close(rep[0]);
		close(go[1]);
		exec_child(pidfd, init_pid, cfg, go[0], rep[1]);
	}
	close(rep[1]);
	close(go[0]);
	if (pid < 0) {
		close(rep[0]);
		close(go[1]);
		return be_error_wrap(err, "exec");
	}
	if (release_child(pid, go[1], rep[0], before_exec, data, err) < 0)
		return -1;
	*child_out = pid;
	return 0;
}
