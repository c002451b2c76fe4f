/* Actions on berth's containers.  Each runs the CLI as a child
 * (`berth --root R COMMAND...`), so behaviour and messages are the
 * command line's: stdin is /dev/null, stdout and stderr come back through
 * pipes, the loop keeps drawing meanwhile, and the child is reaped when it
 * ends.  The shell is the exception: it takes the terminal in the
 * foreground. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "i18n.h"
#include "tui.h"

static const char *kind_phrase(const struct be_item *it)
{
	if (it->is_vm || it->kind == BE_KIND_VM)
		return "virtual machine";
	switch (it->kind) {
	case BE_KIND_CGROUP: return "watched cgroup";
	case BE_KIND_KUBEPODS: return "kubernetes container";
	case BE_KIND_LIBVIRT: return "libvirt machine";
	case BE_KIND_NSPAWN: return "systemd-nspawn container";
	default: return NULL;
	}
}

const struct be_vm_details *tui_row_vm(const struct tui *t, const struct tui_row *r)
{
	if (r == NULL || r->ct || !(r->item->is_vm || r->item->kind == BE_KIND_VM))
		return NULL;
	for (size_t i = 0; i < t->nvms; i++)
		if (strcmp(t->vms[i].name, r->item->name) == 0)
			return &t->vms[i];
	return NULL;
}

/* The name an action takes and the command's first words ("vm" for
 * berth's VMs); NULL after saying why there is none. */
static const char *action_name(struct tui *t, const struct tui_row *r, bool *vm)
{
	*vm = tui_row_vm(t, r) != NULL;
	return *vm ? r->item->name : r->ct->name;
}

/* Actions a VM does not take from here: says where to find them. */
static bool vm_refused(struct tui *t, const struct tui_row *r, const char *what,
                       const char *instead)
{
	if (tui_row_vm(t, r) == NULL)
		return false;
	tui_msg(t, BE_ROLE_ERROR, _("%s is a virtual machine: %s is `berth vm %s %s`"),
	        r->item->name, what, instead, r->item->name);
	return true;
}

const struct tui_row *tui_action_target(struct tui *t)
{
	const struct tui_row *r =
	        t->view == TUI_VIEW_DETAIL ? tui_detail_row(t) : tui_model_selected(&t->model);
	if (t->replay) {
		tui_msg(t, BE_ROLE_ERROR, _("a replay: no container lives behind a recorded row"));
		return NULL;
	}
	if (r == NULL) {
		tui_msg(t, BE_ROLE_ERROR, _("nothing selected"));
		return NULL;
	}
	if (r->group) {
		tui_msg(t, BE_ROLE_ERROR, _("%s is a group of %u (F5 leaves the tree)"),
		        r->item->name, r->members);
		return NULL;
	}
	t->target_host = NULL;
	if (r->remote && r->item->berth)
		return tui_host_target(t, r);
	if (tui_row_vm(t, r))
		return r;
	if (!r->item->berth) {
		const char *k = kind_phrase(r->item);
		if (k)
			tui_msg(t, BE_ROLE_ERROR, _("%s is a %s; berth only watches it"),
			        r->item->name, k);
		else
			tui_msg(t, BE_ROLE_ERROR, _("%s is a %s container; berth only watches it"),
			        r->item->name, be_kind_name(r->item->kind));
		return NULL;
	}
	if (r->ct == NULL) {
		tui_msg(t, BE_ROLE_ERROR, _("%s is not in berth's list (any more)"), r->item->name);
		return NULL;
	}
	return r;
}

/* The target of an action that changes something: none in read-only mode. */
const struct tui_row *tui_change_target(struct tui *t)
{
	if (t->opts.readonly) {
		tui_msg(t, BE_ROLE_ERROR, _("read-only (--readonly): actions are off in this UI"));
		return NULL;
	}
	return tui_action_target(t);
}

/* ---- jobs ------------------------------------------------------------------- */

#define JOB_ARGV_MAX 32

static void child_exec(struct tui *t, int out, int err, const char *const *argv)
{
	int null = open("/dev/null", O_RDONLY);
	if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(127);
	/* Its own session: a Ctrl-C or hang-up meant for the UI must not cut
	 * a stop or a snapshot in the middle. */
	setsid();
	/* --wait: a lock held for a moment by a reader (this UI's own refresh
	 * reconciles each container under its lock) must not fail the action. */
	const char *full[JOB_ARGV_MAX + 8] = {t->self_exe, "--root", be_ctx_root(t->ctx), "--wait"};
	size_t n = 4;
	if (t->target_host) { /* berth --host URL [--root R] --wait ... */
		const char *root = getenv("BERTH_REMOTE_ROOT");
		n = 1;
		full[n++] = "--host";
		full[n++] = t->target_host;
		if (root && *root) {
			full[n++] = "--root";
			full[n++] = root;
		}
		full[n++] = "--wait";
	}
	for (size_t i = 0; argv[i] && n < JOB_ARGV_MAX + 7; i++)
		full[n++] = argv[i];
	full[n] = NULL;
	execv(t->self_exe, (char *const *)full);
	dprintf(2, "berth: running %s: %s\n", t->self_exe, strerror(errno));
	_exit(127);
}

static struct tui_job *free_job(struct tui *t)
{
	for (size_t i = 0; i < TUI_MAX_JOBS; i++)
		if (t->jobs[i].pid == 0)
			return &t->jobs[i];
	return NULL;
}

int tui_job_spawn(struct tui *t, const char *name, const char *running, const char *done,
                  const char *const *argv)
{
	struct tui_job *j = free_job(t);
	if (t->self_exe == NULL) {
		tui_msg(t, BE_ROLE_ERROR, _("%s: cannot run berth: its path is unknown"), name);
		return 0;
	}
	if (j == NULL) {
		tui_msg(t, BE_ROLE_ERROR, _("%d actions are running: wait for one to end"),
		        TUI_MAX_JOBS);
		return 0;
	}
	int out[2], err[2];
	if (pipe2(out, O_CLOEXEC) != 0)
		goto fail;
	if (pipe2(err, O_CLOEXEC) != 0) {
		close(out[0]);
		close(out[1]);
		goto fail;
	}
	pid_t pid = fork();
	if (pid == 0)
		child_exec(t, out[1], err[1], argv);
	close(out[1]);
	close(err[1]);
	if (pid < 0) {
		close(out[0]);
		close(err[0]);
		goto fail;
	}
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	fcntl(err[0], F_SETFL, O_NONBLOCK);
	*j = (struct tui_job){.pid = pid, .out_fd = out[0], .err_fd = err[0]};
	snprintf(j->name, sizeof(j->name), "%s", name);
	snprintf(j->done, sizeof(j->done), "%s", done);
	tui_msg(t, BE_ROLE_STATUS, _("%s %s..."), running, name);
	return 0;
fail:
	tui_msg(t, BE_ROLE_ERROR, _("%s: cannot start berth: %s"), name, strerror(errno));
	return 0;
}

/* Reads what is there (never blocks); what does not fit is dropped. */
static void drain(int fd, char *buf, size_t cap, size_t *n)
{
	char scratch[512];
	for (;;) {
		char *dst = *n + 1 < cap ? buf + *n : scratch;
		size_t room = *n + 1 < cap ? cap - 1 - *n : sizeof(scratch);
		ssize_t r = read(fd, dst, room);
		if (r <= 0)
			return;
		if (dst != scratch)
			*n += (size_t)r;
		buf[*n] = '\0';
	}
}

static void job_finish(struct tui *t, struct tui_job *j, int status)
{
	close(j->out_fd);
	close(j->err_fd);
	char *out = j->out + strspn(j->out, " \n");
	out[strcspn(out, "\n")] = '\0';
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		/* What the command printed (a snapshot's name), unless it adds
		 * nothing. */
		if (*out && strcmp(out, j->name) != 0 && strstr(j->done, out) == NULL)
			tui_msg(t, BE_ROLE_OK, _("%s: %s: %s"), j->name, j->done, out);
		else
			tui_msg(t, BE_ROLE_OK, _("%s: %s"), j->name, j->done);
	} else if (j->nerr) {
		char *e = j->err + strspn(j->err, " \n");
		tui_msg(t, BE_ROLE_ERROR, "%s", e);
	} else if (WIFSIGNALED(status)) {
		tui_msg(t, BE_ROLE_ERROR, _("%s: berth was killed by signal %d"), j->name,
		        WTERMSIG(status));
	} else {
		tui_msg(t, BE_ROLE_ERROR, _("%s: berth exited with status %d"), j->name,
		        WEXITSTATUS(status));
	}
	memset(j, 0, sizeof(*j));
}

int tui_jobs_poll(struct tui *t)
{
	int flags = 0;
	for (size_t i = 0; i < TUI_MAX_JOBS; i++) {
		struct tui_job *j = &t->jobs[i];
		if (j->pid == 0)
			continue;
		drain(j->out_fd, j->out, sizeof(j->out), &j->nout);
		drain(j->err_fd, j->err, sizeof(j->err), &j->nerr);
		int status;
		pid_t r = waitpid(j->pid, &status, WNOHANG);
		if (r == 0 || (r < 0 && errno == EINTR))
			continue;
		/* Whatever it wrote just before it ended. */
		drain(j->out_fd, j->out, sizeof(j->out), &j->nout);
		drain(j->err_fd, j->err, sizeof(j->err), &j->nerr);
		job_finish(t, j, r < 0 ? 0 : status);
		flags |= TUI_R_REFRESH;
	}
	return flags;
}

int tui_jobs_fds(const struct tui *t, struct pollfd *pfd, int max)
{
	int n = 0;
	for (size_t i = 0; i < TUI_MAX_JOBS && n + 2 <= max; i++)
		if (t->jobs[i].pid) {
			pfd[n++] = (struct pollfd){.fd = t->jobs[i].out_fd, .events = POLLIN};
			pfd[n++] = (struct pollfd){.fd = t->jobs[i].err_fd, .events = POLLIN};
		}
	return n;
}

void tui_jobs_free(struct tui *t)
{
	/* The children go on (a stop should finish); init reaps them. */
	for (size_t i = 0; i < TUI_MAX_JOBS; i++)
		if (t->jobs[i].pid) {
			close(t->jobs[i].out_fd);
			close(t->jobs[i].err_fd);
			t->jobs[i].pid = 0;
		}
}

/* ---- confirmed commands ----------------------------------------------------- */

/* Keeps argv as the command a confirmation runs, and asks: the question,
 * then the exact command line (as `berth ...`, with --root when it is not
 * the default).  y runs it, anything else cancels. */
int tui_ask(struct tui *t, const char *name, const char *question, const char *running,
            const char *done, const char *const *argv)
{
	memset(&t->cmd, 0, sizeof(t->cmd));
	size_t used = 0;
	for (int i = 0; argv[i] && t->cmd.argc < TUI_ARGV_MAX; i++) {
		size_t n = strlen(argv[i]) + 1;
		if (used + n > sizeof(t->cmd.buf))
			break;
		memcpy(t->cmd.buf + used, argv[i], n);
		t->cmd.argv[t->cmd.argc++] = t->cmd.buf + used;
		used += n;
	}
	snprintf(t->cmd_running, sizeof(t->cmd_running), "%s", running);
	snprintf(t->cmd_done, sizeof(t->cmd_done), "%s", done);
	snprintf(t->target, sizeof(t->target), "%s", name);
	tui_command_line(t, &t->cmd, t->cmd_line, sizeof(t->cmd_line));
	snprintf(t->prompt_label, sizeof(t->prompt_label), "%s", question);
	t->mode = TUI_MODE_CONFIRM;
	t->pending = TUI_PEND_COMMAND;
	return 0;
}

void tui_command_line(const struct tui *t, const struct tui_argv *cmd, char *out, size_t len)
{
	const char *root = be_ctx_root(t->ctx);
	size_t n = (size_t)snprintf(out, len, "berth");
	if (t->target_host) {
		root = getenv("BERTH_REMOTE_ROOT");
		n += (size_t)snprintf(out + n, len - n, " --host %s", t->target_host);
		if (root && *root && n < len)
			n += (size_t)snprintf(out + n, len - n, " --root %s", root);
	} else if (root && strcmp(root, "/var/lib/berth") != 0 && n < len) {
		n += (size_t)snprintf(out + n, len - n, " --root %s", root);
	}
	for (int i = 0; i < cmd->argc && n < len; i++)
		n += (size_t)snprintf(out + n, len - n, " %s", cmd->argv[i]);
}

/* ---- simple actions ---------------------------------------------------------------- */

static int simple(struct tui *t, const char *cmd, const char *running, const char *done)
{
	const struct tui_row *r = tui_change_target(t);
	if (r == NULL)
		return 0;
	bool vm;
	const char *name = action_name(t, r, &vm);
	const char *argv[] = {vm ? "vm" : cmd, vm ? cmd : name, vm ? name : NULL, NULL};
	return tui_job_spawn(t, name, running, done, argv);
}

/* An action that stops something asks first, with the command shown. */
static int asked(struct tui *t, const char *cmd, const char *verb, const char *running,
                 const char *done)
{
	const struct tui_row *r = tui_change_target(t);
	if (r == NULL)
		return 0;
	bool vm;
	const char *name = action_name(t, r, &vm);
	char q[BE_NAME_MAX + 32];
	snprintf(q, sizeof(q), _("%s %s?"), verb, name);
	const char *argv[] = {vm ? "vm" : cmd, vm ? cmd : name, vm ? name : NULL, NULL};
	return tui_ask(t, name, q, running, done, argv);
}

int tui_act_start(struct tui *t)
{
	return simple(t, "start", "starting", "started");
}
int tui_act_stop(struct tui *t)
{
	return asked(t, "stop", "Stop", "stopping", "stopped");
}
int tui_act_restart(struct tui *t)
{
	return asked(t, "restart", "Restart", "restarting", "restarted");
}
int tui_act_kill(struct tui *t)
{
	return asked(t, "kill", "Kill (SIGKILL)", "killing", "killed");
}
int tui_act_pause(struct tui *t)
{
	const struct tui_row *r = tui_change_target(t);
	if (r == NULL || vm_refused(t, r, "pause", "kill --signal STOP"))
		return 0;
	if (r->ct->status == BE_STATUS_PAUSED)
		return simple(t, "resume", "resuming", "resumed");
	return simple(t, "pause", "pausing", "paused");
}

int tui_act_logs(struct tui *t)
{
	const struct tui_row *r = tui_action_target(t);
	if (r && !tui_host_local_only(t, r, "logs") && !vm_refused(t, r, "its log", "logs"))
		tui_logs_open(t, r->ct->name);
	return 0;
}

/* ---- prompts and confirmations ----------------------------------------------------- */

static const struct tui_row *begin(struct tui *t, enum tui_mode mode, enum tui_pending p)
{
	const struct tui_row *r = tui_change_target(t);
	if (r == NULL)
		return NULL;
	const struct be_vm_details *vm = tui_row_vm(t, r);
	if (vm && p == TUI_PEND_LIMITS) {
		vm_refused(t, r, "a change of limits", "update --cpus N");
		return NULL;
	}
	t->mode = mode;
	t->pending = p;
	t->input[0] = '\0';
	t->target_vm = vm != NULL;
	snprintf(t->target, sizeof(t->target), "%s", vm ? vm->name : r->ct->name);
	t->target_running =
	        vm ? vm->status == BE_VM_RUNNING
	           : r->ct->status == BE_STATUS_RUNNING || r->ct->status == BE_STATUS_PAUSED;
	return r;
}

int tui_act_snapshot(struct tui *t)
{
	if (begin(t, TUI_MODE_PROMPT, TUI_PEND_SNAPSHOT))
		snprintf(t->prompt_label, sizeof(t->prompt_label),
		         _("Snapshot of %s, name (empty: snap-N): "), t->target);
	return 0;
}

int tui_act_clone(struct tui *t)
{
	if (begin(t, TUI_MODE_PROMPT, TUI_PEND_CLONE))
		snprintf(t->prompt_label, sizeof(t->prompt_label), _("Clone %s as: "), t->target);
	return 0;
}

int tui_act_limits(struct tui *t)
{
	if (begin(t, TUI_MODE_PROMPT, TUI_PEND_LIMITS))
		snprintf(t->prompt_label, sizeof(t->prompt_label),
		         _("Limits of %s (--memory 64m --cpus 0.5 --pids-limit 100): "), t->target);
	return 0;
}

int tui_act_delete(struct tui *t)
{
	const struct tui_row *vr = tui_action_target(t);
	const struct be_vm_details *vm = vr ? tui_row_vm(t, vr) : NULL;
	if (vm && !t->opts.readonly) {
		char q[BE_NAME_MAX + 64];
		bool on = vm->status == BE_VM_RUNNING;
		const char *force[] = {"vm", "rm", "-f", vm->name, NULL};
		const char *plain[] = {"vm", "rm", vm->name, NULL};
		if (on)
			snprintf(q, sizeof(q), _("%s is running: stop and delete it?"), vm->name);
		else
			snprintf(q, sizeof(q), _("Delete %s?"), vm->name);
		return tui_ask(t, vm->name, q, "deleting", "deleted", on ? force : plain);
	}
	const struct tui_row *r = tui_change_target(t);
	if (r == NULL)
		return 0;
	bool running = r->ct->status == BE_STATUS_RUNNING || r->ct->status == BE_STATUS_PAUSED;
	char q[BE_NAME_MAX + 64];
	const char *force[] = {"rm", "-f", r->ct->name, NULL};
	const char *plain[] = {"rm", r->ct->name, NULL};
	if (running)
		snprintf(q, sizeof(q), _("%s is running: stop and delete it?"), r->ct->name);
	else
		snprintf(q, sizeof(q), _("Delete %s?"), r->ct->name);
	return tui_ask(t, r->ct->name, q, "deleting", "deleted", running ? force : plain);
}

int tui_act_rollback(struct tui *t)
{
	const struct tui_row *r = tui_change_target(t);
	if (r == NULL || tui_host_local_only(t, r, "rollback") ||
	    vm_refused(t, r, "a rollback", "rollback"))
		return 0;
	struct be_snapshot_info *s = NULL;
	size_t n = 0;
	struct be_error *err = NULL;
	if (be_snapshot_list(t->ctx, r->ct->name, false, &s, &n, &err) < 0) {
		tui_msg(t, BE_ROLE_ERROR, "%s", err->msg);
		be_error_free(err);
		return 0;
	}
	if (n == 0) {
		be_snapshot_list_free(s, n);
		tui_msg(t, BE_ROLE_ERROR, _("%s has no snapshots: take one with n"), r->ct->name);
		return 0;
	}
	begin(t, TUI_MODE_PICK, TUI_PEND_ROLLBACK);
	be_snapshot_list_free(t->pick, t->npick);
	t->pick = s;
	t->npick = n;
	t->pick_pos = n - 1;
	snprintf(t->prompt_label, sizeof(t->prompt_label),
	         _("Roll %s back: j/k choose, Enter roll back, Esc cancel"), t->target);
	return 0;
}

/* The rollback picker's choice: asks, with the command shown; a running
 * container is stopped, rolled back and started again (--restart). */
static int pick_done(struct tui *t)
{
	snprintf(t->target_arg, sizeof(t->target_arg), "%s", t->pick[t->pick_pos].name);
	be_snapshot_list_free(t->pick, t->npick);
	t->pick = NULL;
	t->npick = 0;
	char q[2 * BE_NAME_MAX + 64], done[96];
	snprintf(done, sizeof(done), "rolled back to %s", t->target_arg);
	const char *plain[] = {"rollback", t->target, t->target_arg, NULL};
	const char *again[] = {"rollback", "--restart", t->target, t->target_arg, NULL};
	if (t->target_running)
		snprintf(q, sizeof(q),
		         _("%s is running: stop it, roll back to %s, start it again?"), t->target,
		         t->target_arg);
	else
		snprintf(q, sizeof(q), _("Roll %s back to %s?"), t->target, t->target_arg);
	char name[BE_NAME_MAX + 1];
	snprintf(name, sizeof(name), "%s", t->target);
	return tui_ask(t, name, q, "rolling back", done, t->target_running ? again : plain);
}

static int run_limits(struct tui *t)
{
	struct tui_argv a;
	char msg[256];
	if (tui_limits_parse(t->input, &a, msg, sizeof(msg)) < 0) {
		tui_msg(t, BE_ROLE_ERROR, _("%s: %s"), t->target, msg);
		return 0;
	}
	const char *argv[TUI_ARGV_MAX + 3] = {"update"};
	int n = 1;
	for (int i = 0; i < a.argc; i++)
		argv[n++] = a.argv[i];
	argv[n++] = t->target;
	argv[n] = NULL;
	return tui_job_spawn(t, t->target, "updating", "limits updated", argv);
}

static int run_pending(struct tui *t)
{
	switch (t->pending) {
	case TUI_PEND_SNAPSHOT: {
		const char *snap = t->input[0] ? t->input : NULL;
		const char *argv[] = {"snapshot", t->target, snap, NULL};
		const char *vm[] = {"vm", "snapshot", t->target, snap, NULL};
		return tui_job_spawn(t, t->target, "taking a snapshot of", "snapshot taken",
		                     t->target_vm ? vm : argv);
	}
	case TUI_PEND_CLONE: {
		if (t->input[0] == '\0') {
			tui_msg(t, BE_ROLE_ERROR, _("clone of %s: no name given"), t->target);
			return 0;
		}
		char done[160];
		snprintf(done, sizeof(done), "cloned as %s", t->input);
		const char *argv[] = {"clone", t->target, t->input, NULL};
		const char *vm[] = {"vm", "clone", t->target, t->input, NULL};
		return tui_job_spawn(t, t->target, "cloning", done, t->target_vm ? vm : argv);
	}
	case TUI_PEND_LIMITS: return run_limits(t);
	case TUI_PEND_COMMAND:
		return tui_job_spawn(t, t->target, t->cmd_running, t->cmd_done,
		                     (const char *const *)t->cmd.argv);
	default: return 0;
	}
}

int tui_pending_finish(struct tui *t, bool ok)
{
	enum tui_pending p = t->pending;
	enum tui_mode m = t->mode;
	t->mode = TUI_MODE_NONE;
	t->pending = TUI_PEND_NONE;
	if (!ok) {
		be_snapshot_list_free(t->pick, t->npick);
		t->pick = NULL;
		t->npick = 0;
		tui_msg(t, BE_ROLE_STATUS, _("%s: cancelled, nothing done"), t->target);
		return 0;
	}
	if (m == TUI_MODE_PICK) {
		t->pending = p;
		return pick_done(t);
	}
	t->pending = p;
	int r = run_pending(t);
	t->pending = TUI_PEND_NONE;
	return r;
}

/* ---- lab mode ------------------------------------------------------------------------ */

int tui_lab_start(struct tui *t)
{
	if (t->replay) {
		tui_msg(t, BE_ROLE_ERROR, _("a replay: no container lives behind a recorded row"));
		return 0;
	}
	if (t->opts.readonly) {
		tui_msg(t, BE_ROLE_ERROR, _("read-only (--readonly): actions are off in this UI"));
		return 0;
	}
	struct be_error *err = NULL;
	if (be_lab_start(t->ctx, &err) < 0) {
		tui_msg(t, BE_ROLE_ERROR, "%s", err->msg);
		be_error_free(err);
		return 0;
	}
	t->lab_running = true;
	snprintf(t->model.filter, sizeof(t->model.filter), "lab-");
	tui_model_apply(&t->model);
	t->relist = true;
	tui_msg(t, BE_ROLE_OK,
	        _("lab: 7 containers started (Enter on one explains it; they go when this UI "
	          "ends)"));
	return TUI_R_REFRESH;
}

/* ---- the shell ------------------------------------------------------------------------ */

int tui_act_shell(struct tui *t)
{
	const struct tui_row *r = tui_change_target(t);
	if (r == NULL || tui_host_local_only(t, r, "exec -it") ||
	    vm_refused(t, r, "its shell", "console"))
		return 0;
	if (r->ct->status != BE_STATUS_RUNNING) {
		tui_msg(t, BE_ROLE_ERROR, _("%s is %s: a shell needs it running"), r->ct->name,
		        be_container_status_name(r->ct->status));
		return 0;
	}
	if (t->self_exe == NULL) {
		tui_msg(t, BE_ROLE_ERROR, _("%s: cannot run berth: its path is unknown"),
		        r->ct->name);
		return 0;
	}
	char name[BE_NAME_MAX + 1];
	snprintf(name, sizeof(name), "%s", r->ct->name);
	def_prog_mode();
	endwin();
	printf("berth: a shell in %s (exit or Ctrl-D comes back)\n", name);
	fflush(stdout);
	const char *argv[] = {t->self_exe, "--root", be_ctx_root(t->ctx), "exec", "-it", name,
	                      "sh",        NULL};
	/* The shell owns Ctrl-C meanwhile. */
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;
	sigaction(SIGINT, &ign, &old);
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		execv(t->self_exe, (char *const *)argv);
		_exit(127);
	}
	int status = 0;
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	sigaction(SIGINT, &old, NULL);
	reset_prog_mode();
	if (pid < 0)
		tui_msg(t, BE_ROLE_ERROR, _("%s: cannot start a shell: %s"), name, strerror(errno));
	else if (WIFEXITED(status) && WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 130)
		tui_msg(t, BE_ROLE_ERROR, _("%s: the shell ended with status %d"), name,
		        WEXITSTATUS(status));
	else
		tui_msg(t, BE_ROLE_OK, _("%s: back from the shell"), name);
	return TUI_R_CLEAR | TUI_R_REFRESH;
}
