/* Running containers: start (forking the keeper), stop, kill, pause,
 * wait, and reconciling recorded state with the kernel. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "record/record.h"
#include "journal/journal.h"
#include "store/store.h"
#include "container/container.h"
#include "layer/layer.h"
#include "net/net.h"

/* A pidfd for pid if it is still the process that started at start. */
static int pidfd_checked(const struct be_ctx *ctx, pid_t pid, uint64_t start)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return -1;
	/* Checked after opening: the pidfd pins the process we verified. */
	if (!rec_proc_same(ctx, pid, start)) {
		close(fd);
		errno = ESRCH;
		return -1;
	}
	return fd;
}

/* Waits up to timeout_ms for a pidfd's process to exit; true if it did. */
static bool pidfd_wait(int fd, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	for (;;) {
		int r = poll(&p, 1, timeout_ms);
		if (r < 0 && errno == EINTR)
			continue;
		return r > 0;
	}
}

int ct_reconcile(struct be_ctx *ctx, const char *name, struct be_error **err)
{
	/* An interrupted snapshot operation first (it may have frozen the
	 * cgroup of a running container). */
	if (journal_repair(ctx, name, err) < 0)
		return -1;
	struct rec_run run;
	int has = rec_run_load(ctx, name, &run, NULL);
	if (has == 1 && rec_proc_same(ctx, run.keeper_pid, run.keeper_start))
		return 0;
	struct cg_state cs = {0};
	struct be_error *e2 = NULL;
	bool cg = cg_state(ctx, name, &cs, &e2) == 0 && cs.exists;
	be_error_clear(&e2);
	if (has != 1 && !cg && !layer_overlay_mounted(ctx, name))
		return 0;
	/* The keeper died (kill -9, crash, reboot): end what it left. */
	if (cg) {
		cg_kill_all(ctx, name, SIGKILL, &e2);
		be_error_clear(&e2);
		if (cg_destroy(ctx, name, err) < 0)
			return be_error_wrap(err, "repairing container %s", name);
	}
	if (layer_overlay_unmount(ctx, name, err) < 0)
		return be_error_wrap(err, "repairing container %s", name);
	/* Its veth, lease and port entries (and the bridge when idle). */
	net_leave(ctx, name, NULL);
	if (has == 1) {
		struct rec_state st;
		if (rec_state_load(ctx, name, &st, err) < 0)
			return be_error_wrap(err, "repairing container %s", name);
		st.exit_code = -1;
		st.oom_killed = cg && cs.oom_kills > 0;
		st.started_ns = run.started_ns;
		st.finished_ns = util_wall_ns();
		if (rec_state_save(ctx, name, &st, err) < 0)
			return be_error_wrap(err, "repairing container %s", name);
		rec_run_remove(ctx, name);
	}
	return 0;
}

void ct_reconcile_idle(struct be_ctx *ctx, const char *name)
{
	struct be_lock *lock = NULL;
	if (store_lock_take(ctx, "container", name, &lock, NULL) < 0)
		return;
	ct_reconcile(ctx, name, NULL);
	store_lock_release(lock);
}

/* Reads the keeper's one-line report: "ok PID" or "err CODE message". */
static int read_report(int fd, const char *name, struct be_error **err)
{
	char buf[1100];
	size_t n = 0;
	while (n < sizeof(buf) - 1) {
		ssize_t r = read(fd, buf + n, sizeof(buf) - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
		if (memchr(buf, '\n', n))
			break;
	}
	buf[n] = '\0';
	char *nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	if (strncmp(buf, "ok ", 3) == 0)
		return 0;
	if (strncmp(buf, "err ", 4) == 0) {
		char *msg = NULL;
		long code = strtol(buf + 4, &msg, 10);
		be_error_set(err, 0, "starting %s: %s", name, msg && *msg ? msg + 1 : "failed");
		if (*err)
			(*err)->exitcode = (int)code;
		return -1;
	}
	return be_error_set(err, 0, "starting %s: the keeper exited without a report", name);
}

/* A keeper forked and not yet heard from. */
struct spawned {
	pid_t mid;     /* the middle process of the double fork, or -1 */
	int report_fd; /* its "ok PID" or "err CODE MESSAGE" */
	int exit_fd;   /* the exit code (attached), or -1 */
	int ready_fd;  /* write end: how the container's directory stands, or -1 */
};

/* Forks the keeper (see ct_keeper_main).  With tmp_base (run: the
 * container's directory is being written at ROOT/tmp/TMP_BASE), the keeper
 * makes its namespace and cgroup meanwhile, mounts the overlay there once
 * keeper_ready says "m" and goes on once it says "r" (renamed into
 * place); keeper_report waits for the start. */
static int keeper_fork(struct be_ctx *ctx, const char *name, struct be_start_opts *o, int lock_fd,
                       const struct rec_config *cfg, const struct rec_state *state,
                       const char *tmp_base, struct spawned *sp_out, struct be_error **err)
{
	bool ready = tmp_base != NULL, once = o && o->caller_exits;
	int sp[2] = {-1, -1}, ep[2] = {-1, -1}, rp[2] = {-1, -1};
	const char *step = "";
	pid_t mid = -1;
	if (pipe2(sp, O_CLOEXEC) < 0 || (o && o->attach && pipe2(ep, O_CLOEXEC) < 0) ||
	    (ready && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, rp) < 0))
		goto fail;
	fflush(NULL);
	step = ": fork";
	mid = fork();
	if (mid < 0)
		goto fail;
	if (mid == 0) {
		/* A session of its own, so the client's terminal (SIGINT,
		 * SIGHUP) does not reach it; and, but for a caller that exits
		 * soon (caller_exits), a double fork: the keeper is nobody's
		 * child. */
		close(sp[0]);
		if (ep[0] >= 0)
			close(ep[0]);
		if (rp[1] >= 0)
			close(rp[1]);
		setsid();
		pid_t k = once ? 0 : fork();
		if (k != 0)
			_exit(k < 0 ? 1 : 0);
		struct ct_keeper_args a = {
		        .ctx = ctx,
		        .name = name,
		        .start_fd = sp[1],
		        .exit_fd = ep[1],
		        .ready_fd = rp[0],
		        .tmp_base = tmp_base,
		        .stdio = {-1, -1, -1},
		        .console_fd = -1,
		        .lock_fd = lock_fd,
		        .cfg = cfg,
		        .st = state,
		};
		if (o && o->attach) {
			a.console_fd = o->console_fd;
			if (o->console_fd < 0) {
				a.stdio[0] = o->in_fd;
				a.stdio[1] = o->out_fd;
				a.stdio[2] = o->err_fd;
			}
		}
		ct_keeper_main(&a);
	}
	close(sp[1]);
	if (ep[1] >= 0)
		close(ep[1]);
	if (rp[0] >= 0)
		close(rp[0]);
	*sp_out = (struct spawned){
	        .mid = once ? -1 : mid, .report_fd = sp[0], .exit_fd = ep[0], .ready_fd = rp[1]};
	return 0;
fail:;
	int e = errno;
	int fds[] = {sp[0], sp[1], ep[0], ep[1], rp[0], rp[1]};
	for (size_t i = 0; i < 6; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return be_error_set(err, e, "starting %s%s", name, step);
}

/* Tells a keeper forked with a tmp_base how the directory stands: what
 * is "m" (mountable) or "r" (renamed into place: the last word), or NULL
 * (it will not be: the keeper then removes what it made and exits
 * without a report). */
static void keeper_ready(struct spawned *s, const char *what)
{
	if (s->ready_fd < 0)
		return;
	if (what) {
		ssize_t w;
		do
			w = send(s->ready_fd, what, 1, MSG_NOSIGNAL);
		while (w < 0 && errno == EINTR);
		if (w == 1 && what[0] == 'm')
			return;
	}
	close(s->ready_fd);
	s->ready_fd = -1;
}

/* Waits for the keeper's "M": it has mounted (or failed to mount) the
 * directory where it is, so it may be renamed.  A keeper gone says so in
 * its report. */
static void keeper_mounted(struct spawned *s)
{
	char b;
	ssize_t n;
	do
		n = read(s->ready_fd, &b, 1);
	while (n < 0 && errno == EINTR);
}

/* Waits for the keeper's report; then the middle process is reaped (it
 * exited meanwhile, closing its end of the pipe: a failed fork there
 * reads as a keeper gone without a report). */
static int keeper_report(struct spawned *s, const char *name, struct be_start_opts *o,
                         struct be_error **err)
{
	keeper_ready(s, NULL); /* none was sent: the keeper stops */
	int r = read_report(s->report_fd, name, err);
	close(s->report_fd);
	int st;
	while (s->mid > 0 && waitpid(s->mid, &st, 0) < 0 && errno == EINTR)
		;
	if (r < 0) {
		if (s->exit_fd >= 0)
			close(s->exit_fd);
		return -1;
	}
	if (o)
		o->exit_fd = s->exit_fd;
	return 0;
}

static int spawn_keeper(struct be_ctx *ctx, const char *name, struct be_start_opts *o, int lock_fd,
                        const struct rec_config *cfg, const struct rec_state *state,
                        struct be_error **err)
{
	struct spawned s;
	if (keeper_fork(ctx, name, o, lock_fd, cfg, state, NULL, &s, err) < 0)
		return -1;
	return keeper_report(&s, name, o, err);
}

int be_container_start(struct be_ctx *ctx, const char *name, struct be_start_opts *opts,
                       struct be_error **err)
{
	cleanup_lock struct be_lock *lock = NULL;
	if (rec_lock_existing(ctx, name, &lock, err) < 0)
		return -1;
	if (ct_reconcile(ctx, name, err) < 0)
		return -1;
	if (rec_running(ctx, name, NULL))
		return be_error_set(err, 0, "container %s is already running", name);
	if (opts)
		opts->exit_fd = -1;
	/* The keeper inherits the lock and drops it once the init runs, so a
	 * second start sees "busy" for the whole start. */
	if (spawn_keeper(ctx, name, opts, store_lock_fd(lock), NULL, NULL, err) < 0)
		return -1;
	store_event(ctx, name, "start", "%s", "");
	return 0;
}

/* be_container_run's hook into the create: the keeper is forked once the
 * directory's skeleton is made under ROOT/tmp, and makes its namespace
 * and cgroup and mounts the overlay there while this process writes the
 * records and renames the directory into place. */
struct run_fork {
	struct be_ctx *ctx;
	struct be_start_opts *opts;
	struct spawned s;
	bool forked;
};

static int fork_when_made(void *data, const char *name, int lock_fd, const char *tmp,
                          enum ct_dir_step step, const struct rec_config *cfg,
                          const struct rec_state *st, struct be_error **err)
{
	struct run_fork *f = data;
	if (step == CT_DIR_WRITTEN) {
		if (f->forked)
			keeper_mounted(&f->s);
		return 0;
	}
	const char *slash = strrchr(tmp, '/');
	if (keeper_fork(f->ctx, name, f->opts, lock_fd, cfg, st, slash ? slash + 1 : tmp, &f->s,
	                err) < 0)
		return -1;
	f->forked = true;
	keeper_ready(&f->s, "m");
	return 0;
}

int be_container_run(struct be_ctx *ctx, const struct be_container_spec *spec,
                     struct be_start_opts *opts, char *name_out, struct be_error **err)
{
	/* One lock for both steps, and the records handed to the keeper in
	 * memory: a container made a moment ago has nothing to reconcile. */
	cleanup_lock struct be_lock *lock = NULL;
	struct rec_config cfg;
	struct rec_state st;
	if (opts)
		opts->exit_fd = -1;
	char name[BE_NAME_MAX + 1];
	struct run_fork f = {.ctx = ctx, .opts = opts};
	int made = ct_create_locked(ctx, spec, name, &lock, &cfg, &st, fork_when_made, &f, err);
	if (made < 0 && !f.forked)
		return -1;
	if (made < 0) {
		/* The keeper stops without the directory; its report is none. */
		keeper_ready(&f.s, NULL);
		struct be_error *ignored = NULL;
		keeper_report(&f.s, name, NULL, &ignored);
		be_error_clear(&ignored);
		return -1;
	}
	keeper_ready(&f.s, "r");
	int r = keeper_report(&f.s, name, opts, err);
	rec_config_clear(&cfg);
	if (r < 0) {
		/* A run that could not start leaves nothing behind (docker
		 * run's --rm or not). */
		ct_remove_locked(ctx, name, lock, true, NULL);
		return -1;
	}
	store_event(ctx, name, "start", "%s", "");
	if (name_out)
		snprintf(name_out, BE_NAME_MAX + 1, "%s", name);
	return 0;
}

int be_container_wait(struct be_ctx *ctx, const char *name, struct be_error **err)
{
	struct rec_config cfg;
	if (rec_config_load(ctx, name, &cfg, err) < 0)
		return -1;
	bool auto_remove = cfg.auto_remove;
	rec_config_clear(&cfg);
	struct rec_run run;
	if (rec_running(ctx, name, &run)) {
		int fd = pidfd_checked(ctx, run.keeper_pid, run.keeper_start);
		if (fd >= 0) {
			pidfd_wait(fd, -1);
			close(fd);
		}
		/* A --rm container is gone by now: its keeper left the code. */
		cleanup_free char *dir = rec_path(ctx, name, NULL);
		if (auto_remove && !util_path_exists(dir)) {
			cleanup_free char *path = rec_run_path(ctx, name, ".exit");
			cleanup_free char *text = util_read_file(path, NULL, err);
			return text ? atoi(text) : -1;
		}
	}
	if (ct_reconcile(ctx, name, err) < 0)
		return -1;
	struct rec_state st;
	if (rec_state_load(ctx, name, &st, err) < 0)
		return -1;
	return st.exit_code < 0 ? 255 : st.exit_code;
}

static int signal_init(struct be_ctx *ctx, const char *name, const struct rec_run *run, int sig,
                       struct be_error **err)
{
	int fd = pidfd_checked(ctx, run->pid, run->pid_start);
	if (fd < 0)
		return errno == ESRCH ? 0 : be_error_set(err, errno, "signalling %s", name);
	int r = (int)syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0);
	int e = errno;
	close(fd);
	if (r < 0 && e != ESRCH)
		return be_error_set(err, e, "signalling %s", name);
	return 0;
}

/* Waits for the keeper to finish its cleanup (bounded). */
static void wait_keeper(struct be_ctx *ctx, const struct rec_run *run)
{
	int fd = pidfd_checked(ctx, run->keeper_pid, run->keeper_start);
	if (fd < 0)
		return;
	pidfd_wait(fd, 15000);
	close(fd);
}

/* A pid 1 never receives a signal it has no handler for: when the init
 * does not catch SIGTERM, waiting out the timeout would be for nothing. */
static bool init_catches_term(const struct be_ctx *ctx, pid_t pid)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%d/status", ctx->proc_root, (int)pid);
	cleanup_free char *text = util_read_file(path, NULL, NULL);
	const char *p = text ? strstr(text, "\nSigCgt:") : NULL;
	if (p == NULL)
		return true;
	unsigned long long mask = strtoull(p + 8, NULL, 16);
	return mask & (1ull << (SIGTERM - 1));
}

char *ct_hold_path(const struct be_ctx *ctx, const char *name)
{
	return rec_run_path(ctx, name, ".hold");
}

static int stop_locked(struct be_ctx *ctx, const char *name, unsigned timeout_s, bool keep,
                       struct be_error **err)
{
	struct rec_run run;
	if (!rec_running(ctx, name, &run))
		return ct_reconcile(ctx, name, err);
	cleanup_free char *hold = keep ? ct_hold_path(ctx, name) : NULL;
	if (hold && util_write_file_atomic(hold, "", 0, false, err) < 0)
		return -1;
	int fd = pidfd_checked(ctx, run.pid, run.pid_start);
	if (fd >= 0) {
		bool term = timeout_s > 0 && init_catches_term(ctx, run.pid);
		if (term)
			syscall(SYS_pidfd_send_signal, fd, SIGTERM, NULL, 0);
		/* A paused container gets the signal once thawed. */
		struct be_error *e2 = NULL;
		cg_freeze(ctx, name, false, &e2);
		be_error_clear(&e2);
		if (!term || !pidfd_wait(fd, (int)timeout_s * 1000)) {
			cg_kill_all(ctx, name, SIGKILL, &e2);
			be_error_clear(&e2);
			syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
			pidfd_wait(fd, 5000);
		}
		close(fd);
	}
	wait_keeper(ctx, &run);
	if (hold)
		unlink(hold);
	return ct_reconcile(ctx, name, err);
}

int be_container_stop(struct be_ctx *ctx, const char *name, unsigned timeout_s,
                      struct be_error **err)
{
	cleanup_lock struct be_lock *lock = NULL;
	if (rec_lock_existing(ctx, name, &lock, err) < 0)
		return -1;
	return stop_locked(ctx, name, timeout_s, false, err);
}

int be_container_restart(struct be_ctx *ctx, const char *name, unsigned timeout_s,
                         struct be_error **err)
{
	{
		cleanup_lock struct be_lock *lock = NULL;
		if (rec_lock_existing(ctx, name, &lock, err) < 0 ||
		    stop_locked(ctx, name, timeout_s, true, err) < 0)
			return -1;
	}
	/* start takes the lock itself. */
	return be_container_start(ctx, name, NULL, err);
}

int be_container_kill(struct be_ctx *ctx, const char *name, int sig, struct be_error **err)
{
	struct rec_config cfg;
	if (rec_config_load(ctx, name, &cfg, err) < 0)
		return -1;
	rec_config_clear(&cfg);
	struct rec_run run;
	if (!rec_running(ctx, name, &run)) {
		ct_reconcile_idle(ctx, name);
		return be_error_set(err, 0, "container %s is not running", name);
	}
	if (sig == SIGKILL) {
		struct be_error *e2 = NULL;
		cg_kill_all(ctx, name, SIGKILL, &e2);
		be_error_clear(&e2);
	}
	return signal_init(ctx, name, &run, sig, err);
}

int be_container_pause(struct be_ctx *ctx, const char *name, bool paused, struct be_error **err)
{
	cleanup_lock struct be_lock *lock = NULL;
	if (rec_lock_existing(ctx, name, &lock, err) < 0)
		return -1;
	if (!rec_running(ctx, name, NULL)) {
		ct_reconcile(ctx, name, NULL);
		return be_error_set(err, 0, "container %s is not running", name);
	}
	struct cg_state cs = {0};
	if (cg_state(ctx, name, &cs, NULL) == 0 && cs.frozen == paused)
		return be_error_set(err, 0, "container %s is %s", name,
		                    paused ? "already paused" : "not paused");
	if (cg_freeze(ctx, name, paused, err) < 0)
		return be_error_wrap(err, "%s %s", paused ? "pausing" : "resuming", name);
	return 0;
}

int ct_stop_locked(struct be_ctx *ctx, const char *name, unsigned timeout_s, bool keep,
                   struct be_error **err)
{
	return stop_locked(ctx, name, timeout_s, keep, err);
}
