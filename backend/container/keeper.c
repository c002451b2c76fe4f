/* The keeper: one small process per running container (as podman's
 * conmon).  It mounts the root in a mount namespace of its own, makes the
 * cgroup, clones the init, reports readiness, relays the init's output to
 * the log (and to an attached client), and when the init exits records
 * the exit code and OOM kill, removes the cgroup and exits. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "record/record.h"
#include "sandbox/sandbox.h"
#include "store/store.h"
#include "container/container.h"
#include "layer/layer.h"
#include "net/net.h"

#define LOG_CAP (8u << 20) /* bytes per log file; one older file is kept */

struct relay {
	int src;    /* read end of the init's stdout or stderr pipe */
	int client; /* attached client's fd, -1 when none or gone */
};

struct keeper {
	const struct ct_keeper_args *a;
	struct rec_config cfg;
	struct rec_state st;
	int log_fd;
	uint64_t log_size;
	char *log_path;
	struct relay rel[2];
	struct net_join nj; /* bridge: the network joined (net.name "" when none) */
	uint64_t cg_id;     /* the group launch made (cg_id), 0 before */
};

/* sandbox_spawn's hook: the veth into the new init's namespace. */
struct attach_data {
	struct keeper *k;
	struct be_error **err;
};

static int attach_net(pid_t child, void *data)
{
	struct attach_data *d = data;
	return net_join_attach(d->k->a->ctx, &d->k->nj, child, d->err);
}

static void report(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(int fd, const char *fmt, ...)
{
	if (fd < 0)
		return;
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = (int)sizeof(buf) - 1;
	if (write(fd, buf, (size_t)n) < 0) {
		/* the client is gone: nothing to tell */
	}
}

static void log_rotate(struct keeper *k)
{
	cleanup_free char *old = xasprintf("%s.1", k->log_path);
	rename(k->log_path, old);
	close(k->log_fd);
	k->log_fd = open(k->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	k->log_size = 0;
}

/* Opens the log on the first output (a silent container makes no file:
 * one inode less on the start path); -1 once that failed. */
static void log_open(struct keeper *k)
{
	k->log_fd = open(k->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	struct stat st;
	if (k->log_fd >= 0 && fstat(k->log_fd, &st) == 0)
		k->log_size = (uint64_t)st.st_size;
	if (k->log_fd < 0)
		k->log_fd = -2;
}

static void log_write(struct keeper *k, const char *buf, size_t n)
{
	if (k->log_fd == -1 && k->log_path)
		log_open(k);
	if (k->log_fd < 0)
		return;
	if (k->log_size + n > LOG_CAP)
		log_rotate(k);
	if (k->log_fd >= 0 && write(k->log_fd, buf, n) > 0)
		k->log_size += n;
}

/* Copies what is readable on one relay; returns false at EOF. */
static bool pump(struct keeper *k, struct relay *r)
{
	char buf[16384];
	ssize_t n = read(r->src, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	log_write(k, buf, (size_t)n);
	if (r->client >= 0) {
		const char *p = buf;
		size_t left = (size_t)n;
		while (left > 0) {
			ssize_t w = write(r->client, p, left);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				/* The client left (its terminal or pipe is gone): keep logging. */
				close(r->client);
				r->client = -1;
				break;
			}
			p += w;
			left -= (size_t)w;
		}
	}
	return true;
}

/* The container's cgroup, made on a second thread while the first mounts
 * the overlay: the two are independent, each takes about half a
 * millisecond of the kernel's time, and a start has two cores to spend
 * them on.  Fills fds with the files the init enters through. */
struct cg_job {
	struct keeper *k;
	int *fds;
	size_t n;
	struct be_error *err;
	int r;
};

static void *make_cgroup(void *arg)
{
	struct cg_job *j = arg;
	const struct ct_keeper_args *a = j->k->a;
	struct be_error *e = NULL;
	j->r = -1;
	if (cg_create(a->ctx, a->name, &j->k->cfg.limits, &e) < 0) {
		/* A stale group from a crash goes, then one more try. */
		if (e->errnum != EEXIST) {
			j->err = e;
			return NULL;
		}
		be_error_clear(&e);
		if (cg_destroy(a->ctx, a->name, &j->err) < 0 ||
		    cg_create(a->ctx, a->name, &j->k->cfg.limits, &j->err) < 0)
			return NULL;
	}
	j->k->cg_id = cg_id(a->ctx, a->name);
	/* The init enters its cgroup itself: far cheaper than our writing
	 * its pid to cgroup.procs (see cg_open_enter). */
	j->r = cg_open_enter(a->ctx, a->name, j->fds, BE_CGROUP_ENTER_MAX, &j->n, &j->err);
	return NULL;
}

/* Unmounts the overlay whose root fd (O_PATH) holds, wherever its
 * directory is now: /proc resolves the fd to the mount's root. */
static void umount_fd(int fd)
{
	char at[64];
	snprintf(at, sizeof(at), "/proc/self/fd/%d", fd);
	if (fd >= 0)
		umount2(at, MNT_DETACH);
}

/* The client's word about the container's directory ('m': mountable
 * under ROOT/tmp, 'r': renamed into place), or 0 at EOF (the create
 * failed, or the client is gone). */
static char ready_word(int fd)
{
	char b;
	ssize_t n;
	do
		n = read(fd, &b, 1);
	while (n < 0 && errno == EINTR);
	return n == 1 ? b : 0;
}

/* The create failed after this keeper was forked: the overlay (through
 * mnt, wherever its directory is) and the group go, and so does the
 * keeper, without a report. */
static _Noreturn void abandon(struct keeper *k, pthread_t *t, struct cg_job *job, int mnt)
{
	const struct ct_keeper_args *a = k->a;
	if (t)
		pthread_join(*t, NULL);
	for (size_t i = 0; job->r == 0 && i < job->n; i++)
		close(job->fds[i]);
	be_error_clear(&job->err);
	umount_fd(mnt);
	if (k->cg_id != 0 && cg_id(a->ctx, a->name) == k->cg_id)
		cg_destroy(a->ctx, a->name, NULL);
	_exit(125);
}

/* The overlay, for a keeper forked while the directory is written (see
 * ct_keeper_args): mounted under ROOT/tmp once the skeleton is there,
 * then the rename awaited.  Exits if the create fails meanwhile. */
static int mount_while_written(struct keeper *k, pthread_t *t, struct cg_job *job,
                               struct be_error **err)
{
	const struct ct_keeper_args *a = k->a;
	if (ready_word(a->ready_fd) != 'm')
		abandon(k, t, job, -1);
	int r = layer_overlay_mount_in(a->ctx, "tmp", a->tmp_base, a->name, k->st.head,
	                               k->cfg.auto_remove, err);
	int mnt = -1;
	if (r == 0) {
		cleanup_free char *merged = ctx_path(a->ctx, "tmp/%s/merged", a->tmp_base);
		mnt = open(merged, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	/* Now the client may rename it. */
	if (send(a->ready_fd, "M", 1, MSG_NOSIGNAL) != 1 || ready_word(a->ready_fd) != 'r')
		abandon(k, t, job, mnt);
	close(a->ready_fd);
	if (mnt >= 0)
		close(mnt);
	return r;
}

/* Mounts, makes the cgroup and spawns the init.  Returns its pid. */
static pid_t launch(struct keeper *k, int out_w, int err_w, struct be_error **err)
{
	const struct ct_keeper_args *a = k->a;
	/* The overlay lives in the keeper's own mount namespace: the host's
	 * mount table never shows it, and it cannot outlive the container. */
	if (unshare(CLONE_NEWNS) < 0 || sandbox_private_mounts(err) < 0) {
		if (!*err)
			be_error_set(err, errno, "unshare");
		/* The failure is recorded on a whole container. */
		if (a->ready_fd >= 0 && (ready_word(a->ready_fd) != 'm' ||
		                         send(a->ready_fd, "M", 1, MSG_NOSIGNAL) != 1 ||
		                         ready_word(a->ready_fd) != 'r'))
			_exit(125);
		return be_error_wrap(err, "making the keeper's mount namespace");
	}
	int cg_fds[BE_CGROUP_ENTER_MAX];
	struct cg_job job = {.k = k, .fds = cg_fds};
	/* Without a thread, one after the other. */
	pthread_t t;
	bool threaded = util_thread_start(&t, make_cgroup, &job);
	if (!threaded)
		make_cgroup(&job);
	int mounted = a->ready_fd >= 0 ? mount_while_written(k, threaded ? &t : NULL, &job, err)
	                               : layer_overlay_mount(a->ctx, a->name, k->st.head,
	                                                     k->cfg.auto_remove, err);
	if (threaded)
		pthread_join(t, NULL);
	if (mounted < 0 || job.r < 0) {
		for (size_t i = 0; job.r == 0 && i < job.n; i++)
			close(cg_fds[i]);
		if (mounted < 0)
			be_error_clear(&job.err);
		else
			*err = job.err;
		return -1;
	}
	util_fault("keeper.after_mount");
	size_t n_cg = job.n;
	cleanup_free char *rootfs = rec_path(a->ctx, a->name, "merged");
	struct be_sandbox_cfg sc = {
	        .rootfs = rootfs,
	        .hostname = k->cfg.hostname,
	        .argv = k->cfg.cmd,
	        .env = k->cfg.env,
	        .workdir = k->cfg.workdir,
	        .user = k->cfg.user,
	        .net_host = k->cfg.net == BE_NET_HOST,
	        .tty = a->console_fd >= 0,
	        .console_fd = a->console_fd,
	        .stdio = {-1, -1, -1},
	        .report_fd = -1,
	        .keep_fd = -1,
	};
	if (!sc.tty) {
		sc.stdio[0] = a->stdio[0];
		sc.stdio[1] = out_w;
		sc.stdio[2] = err_w;
	}
	sc.cgroup_fds = cg_fds;
	sc.n_cgroup_fds = n_cg;
	struct be_sandbox_mount *mounts = NULL;
	size_t n_mounts = 0;
	if ((k->cfg.net == BE_NET_BRIDGE &&
	     net_join_prepare(a->ctx, a->name, k->cfg.network, k->cfg.ports, k->cfg.n_ports, &k->nj,
	                      err) < 0) ||
	    ct_mounts_open(a->ctx, &k->cfg, &mounts, &n_mounts, err) < 0) {
		for (size_t i = 0; i < n_cg; i++)
			close(cg_fds[i]);
		return -1;
	}
	sc.mounts = mounts;
	sc.n_mounts = n_mounts;
	sc.read_only_root = k->cfg.read_only;
	pid_t pid = -1;
	struct attach_data ad = {.k = k, .err = err};
	int r = sandbox_spawn(&sc, k->cfg.net == BE_NET_BRIDGE ? attach_net : NULL, &ad, &pid, err);
	ct_mounts_close(mounts, n_mounts);
	for (size_t i = 0; i < n_cg; i++)
		close(cg_fds[i]);
	return r < 0 ? -1 : pid;
}

/* Waits for the init, relaying its output meanwhile.  Returns its status. */
static int supervise(struct keeper *k, pid_t pid)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	bool open_rel[2] = {k->rel[0].src >= 0, k->rel[1].src >= 0};
	int status = 0;
	bool exited = false;
	uint64_t drain_until = 0;
	for (;;) {
		struct pollfd p[3];
		int n = 0, idx[2] = {-1, -1};
		for (int i = 0; i < 2; i++)
			if (open_rel[i]) {
				idx[i] = n;
				p[n++] = (struct pollfd){.fd = k->rel[i].src, .events = POLLIN};
			}
		int pidx = -1;
		if (!exited && pidfd >= 0) {
			pidx = n;
			p[n++] = (struct pollfd){.fd = pidfd, .events = POLLIN};
		}
		if (exited && n == 0)
			break;
		int timeout = -1;
		if (exited) {
			uint64_t now = util_now_ns();
			if (now >= drain_until)
				break;
			timeout = (int)((drain_until - now) / 1000000) + 1;
		} else if (pidfd < 0) {
			timeout = 100; /* no pidfd: poll waitpid */
		}
		int r = poll(p, (nfds_t)n, timeout);
		if (r < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++)
			if (idx[i] >= 0 && (p[idx[i]].revents & (POLLIN | POLLHUP | POLLERR)) &&
			    !pump(k, &k->rel[i]))
				open_rel[i] = false;
		if (!exited && (pidfd < 0 || (pidx >= 0 && (p[pidx].revents & POLLIN)))) {
			pid_t w = waitpid(pid, &status, pidfd < 0 ? WNOHANG : 0);
			if (w == pid) {
				exited = true;
				/* Output still in the pipes is read for a short while;
				 * a process holding the pipe open does not keep us. */
				drain_until = util_now_ns() + 500 * 1000000ull;
			}
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	/* Reap whatever else was re-parented to us (we are a subreaper). */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

/* The cgroup and the mount go; the pid namespace died with its init, so
 * the cgroup is normally empty. */
static void teardown(struct keeper *k)
{
	const struct ct_keeper_args *a = k->a;
	struct be_error *err = NULL;
	cleanup_free char *merged = rec_path(a->ctx, a->name, "merged");
	umount2(merged, MNT_DETACH);
	/* A start that came after the report may have made the group anew:
	 * that one is not ours to remove. */
	if (k->cg_id == 0 || cg_id(a->ctx, a->name) != k->cg_id)
		return;
	struct cg_state cs = {0};
	bool have = cg_state(a->ctx, a->name, &cs, &err) == 0;
	be_error_clear(&err);
	if (!have || cs.pids > 0) {
		cg_kill_all(a->ctx, a->name, SIGKILL, &err);
		be_error_clear(&err);
	}
	cg_destroy(a->ctx, a->name, &err);
	be_error_clear(&err);
}

/* After the init: the records first, then the client learns the code, and
 * only then the teardown (cgroup, mount, trash), which nobody waits for.
 * The run record is gone before the report, so a command the client runs
 * next sees the container stopped; it removes a cgroup still there itself
 * (ct_reconcile), and the mount lives in this keeper's namespace only. */
static void finish(struct keeper *k, int code, int64_t started_ns)
{
	const struct ct_keeper_args *a = k->a;
	struct be_error *err = NULL;
	/* Of the group, only what the exit record needs before the report. */
	uint64_t oom_kills = cg_oom_kills(a->ctx, a->name);
	k->st.oom_killed = oom_kills > 0;
	/* The network goes before anyone learns the code: a start that
	 * follows at once joins it anew, and a leave after it would take
	 * that one's lease.  The init is dead: its namespace has no one. */
	if (k->cfg.net == BE_NET_BRIDGE) {
		net_leave(a->ctx, a->name, &err);
		be_error_clear(&err);
		net_join_clear(&k->nj);
	}
	k->st.exit_code = code;
	k->st.started_ns = started_ns;
	if (k->st.oom_killed)
		store_event(a->ctx, a->name, "oom", "the OOM killer ended a process (%llu kills)",
		            (unsigned long long)oom_kills);
	store_event(a->ctx, a->name, "exit", "code %d", code);
	k->st.finished_ns = util_wall_ns();
	cleanup_free char *hold = ct_hold_path(a->ctx, a->name);
	if (k->cfg.auto_remove && !util_path_exists(hold)) {
		/* Removed at once: no state to record.  The client learns the
		 * code as soon as the name is free; `berth wait`, which waits
		 * for this process to end, learns it from the exit record
		 * written after that (run dir: gone at reboot). */
		cleanup_free char *dir = rec_path(a->ctx, a->name, NULL);
		util_fault("keeper.before_remove");
		rec_run_remove(a->ctx, a->name);
		/* The directory moves to the trash with the overlay still
		 * mounted on its merged/ (in this keeper's namespace alone, and
		 * only a mount point itself cannot be renamed); it is unmounted
		 * below, before anything in the trash is deleted. */
		cleanup_free char *merged = rec_path(a->ctx, a->name, "merged");
		cleanup_close int mnt = open(merged, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (store_trash(a->ctx, dir, &err) == 0)
			report(a->exit_fd, "%d\n", code);
		be_error_clear(&err);
		cleanup_free char *exitp = rec_run_path(a->ctx, a->name, ".exit");
		char code_text[16];
		int len = snprintf(code_text, sizeof(code_text), "%d\n", code);
		util_write_file_atomic(exitp, code_text, (size_t)len, false, NULL);
		umount_fd(mnt);
		teardown(k);
		/* The container is gone: so goes its lock file (as rm does),
		 * unless a client holds it (it then sees no container). */
		struct be_lock *lock = NULL;
		if (store_lock_take(a->ctx, "container", a->name, &lock, NULL) == 0) {
			store_lock_drop_file(lock);
			store_lock_release(lock);
		}
		/* Unmounted above, so the container's files can go now, at
		 * idle priority, by this process that nobody waits for. */
		store_trash_reap_here(a->ctx);
		return;
	}
	util_fault("keeper.before_state");
	rec_state_save(a->ctx, a->name, &k->st, &err);
	be_error_clear(&err);
	rec_run_remove(a->ctx, a->name);
	report(a->exit_fd, "%d\n", code);
	teardown(k);
}

static void keeper_setup_process(void)
{
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	prctl(PR_SET_NAME, "berth-keeper");
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (null > 2)
			close(null);
	}
}

/* Closes every fd the keeper inherited but does not need (a client's
 * monitor files, a lab's pipe whose EOF its reaper waits for): a keeper
 * outlives its client and must hold nothing of it. */
static void close_inherited(const struct ct_keeper_args *a)
{
	int keep[] = {a->start_fd, a->exit_fd,    a->stdio[0], a->stdio[1],
	              a->stdio[2], a->console_fd, a->lock_fd,  a->ready_fd};
	DIR *d = opendir("/proc/self/fd");
	if (d == NULL)
		return;
	int self = dirfd(d);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);
		if (*end || fd <= 2 || fd == self)
			continue;
		bool needed = false;
		for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
			needed |= keep[i] == (int)fd;
		if (!needed)
			close((int)fd);
	}
	closedir(d);
}

/* Moves an fd above stdio (close-on-exec) before stdio becomes /dev/null. */
static int lift(int fd)
{
	return fd < 0 ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, 10);
}

/* Where the container's output goes: without a client's terminal, the log
 * (opened here) through pipes the keeper relays; with -t but no client
 * (run -dt, start), a terminal whose master the keeper holds and logs: it
 * returns the keeper's end of the console socket then (else -1), and
 * a->console_fd becomes the container's end.  Exits on failure. */
static int keeper_outputs(struct keeper *k, struct ct_keeper_args *a, int outp[2], int errp[2])
{
	struct be_error *err = NULL;
	if (a->console_fd >= 0)
		return -1;                              /* the client's terminal: no log */
	k->log_path = rec_path(a->ctx, a->name, "log"); /* opened on first output */
	if (k->cfg.tty) {
		int console = -1;
		if (be_console_pair(&console, &a->console_fd, &err) < 0) {
			report(a->start_fd, "err 125 %s\n", err->msg);
			_exit(125);
		}
		return console;
	}
	if (pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
		report(a->start_fd, "err 125 making pipes: %s\n", strerror(errno));
		_exit(125);
	}
	k->rel[0] = (struct relay){.src = outp[0], .client = a->stdio[1]};
	k->rel[1] = (struct relay){.src = errp[0], .client = a->stdio[2]};
	return -1;
}

/* Receives the terminal the init opened (it sent the master before it
 * exec'd) and relays it to the log.  Exits, killing the init, on failure. */
static void keeper_take_console(struct keeper *k, struct ct_keeper_args *a, int console, pid_t pid)
{
	struct be_error *err = NULL;
	close(a->console_fd);
	a->console_fd = -1;
	int master = be_console_recv(console, -1, &err);
	close(console);
	if (master < 0) {
		kill(pid, SIGKILL);
		report(a->start_fd, "err 125 %s\n", err->msg);
		_exit(125);
	}
	k->rel[0] = (struct relay){.src = master, .client = -1};
}

_Noreturn void ct_keeper_main(const struct ct_keeper_args *in)
{
	struct ct_keeper_args lifted = *in;
	for (int i = 0; i < 3; i++)
		lifted.stdio[i] = lift(in->stdio[i]);
	lifted.console_fd = lift(in->console_fd);
	const struct ct_keeper_args *a = &lifted;
	struct keeper k = {.a = a, .log_fd = -1, .rel = {{-1, -1}, {-1, -1}}};
	struct be_error *err = NULL;
	keeper_setup_process();
	close_inherited(a);
	if (a->cfg && a->st) {
		k.cfg = *a->cfg; /* this process never frees it: it exits */
		k.st = *a->st;
	} else if (rec_config_load(a->ctx, a->name, &k.cfg, &err) < 0 ||
	           rec_state_load(a->ctx, a->name, &k.st, &err) < 0) {
		report(a->start_fd, "err 125 %s\n", err->msg);
		_exit(125);
	}
	int outp[2] = {-1, -1}, errp[2] = {-1, -1};
	int console = keeper_outputs(&k, &lifted, outp, errp);
	int64_t started_ns = util_wall_ns();
	pid_t pid = launch(&k, outp[1], errp[1], &err);
	if (pid < 0) {
		int code = err->exitcode ? err->exitcode : 125;
		finish(&k, code, started_ns);
		/* The lock goes before the report: the client may act at once. */
		if (a->lock_fd >= 0)
			close(a->lock_fd);
		report(a->start_fd, "err %d %s\n", code, err->msg);
		_exit(code);
	}
	if (outp[1] >= 0) {
		close(outp[1]);
		close(errp[1]);
	}
	if (console >= 0)
		keeper_take_console(&k, &lifted, console, pid);
	struct rec_run run = {
	        .pid = pid,
	        .pid_start = rec_proc_start(a->ctx, pid),
	        .keeper_pid = getpid(),
	        .keeper_start = rec_proc_start(a->ctx, getpid()),
	        .started_ns = started_ns,
	};
	if (a->lock_fd >= 0)
		close(a->lock_fd);
	if (rec_run_save(a->ctx, a->name, &run, &err) < 0) {
		report(a->start_fd, "err 125 %s\n", err->msg);
		kill(pid, SIGKILL);
	} else {
		report(a->start_fd, "ok %d\n", (int)pid);
	}
	be_error_clear(&err);
	close(a->start_fd);
	if (a->console_fd >= 0)
		close(a->console_fd);
	if (a->stdio[0] >= 0)
		close(a->stdio[0]);
	int code = supervise(&k, pid);
	finish(&k, code, started_ns);
	_exit(0);
}
