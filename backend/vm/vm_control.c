/* Controlling a running VM: stop (ACPI power button over QMP, then
 * SIGKILL to qemu after the timeout), kill, wait, restart, remove,
 * update. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vm/vm.h"
#include "cgroup/cgroup.h"
#include "record/record.h"
#include "store/store.h"

/* Waits up to timeout_ms for the keeper of run to exit; true when it did. */
static bool wait_keeper(struct be_ctx *ctx, const struct vm_run *run, unsigned timeout_ms)
{
	int fd = (int)syscall(SYS_pidfd_open, run->keeper_pid, 0);
	if (fd < 0)
		return !vm_run_alive(ctx, run);
	if (!vm_run_alive(ctx, run)) {
		close(fd);
		return true;
	}
	struct pollfd p = {.fd = fd, .events = POLLIN};
	uint64_t deadline = util_now_ns() + (uint64_t)timeout_ms * 1000000u;
	int r = 0;
	for (;;) {
		uint64_t now = util_now_ns();
		if (now >= deadline)
			break;
		r = poll(&p, 1, (int)((deadline - now) / 1000000) + 1);
		if (r != 0 && !(r < 0 && errno == EINTR))
			break;
	}
	close(fd);
	return r > 0;
}

static int kill_qemu(struct be_ctx *ctx, const char *name, const struct vm_run *run, int sig,
                     struct be_error **err)
{
	if (run->qemu_pid > 0 && rec_proc_same(ctx, run->qemu_pid, run->qemu_start)) {
		if (kill(run->qemu_pid, sig) < 0 && errno != ESRCH)
			return be_error_set(err, errno, "signalling vm %s (qemu %d)", name,
			                    (int)run->qemu_pid);
	}
	return 0;
}

static int powerdown(struct be_ctx *ctx, const char *name, struct be_error **err)
{
	cleanup_free char *qmp = vm_run_path(ctx, name, ".qmp");
	struct vm_qmp *q = vm_qmp_open(qmp, 2000, err);
	if (q == NULL)
		return -1;
	int r = vm_qmp_exec(q, "system_powerdown", NULL, err);
	vm_qmp_close(q);
	return r;
}

/* Stops a running VM; the caller holds its lock. */
static int stop_locked(struct be_ctx *ctx, const char *name, unsigned timeout_s,
                       struct be_error **err)
{
	struct vm_run run;
	if (!vm_running(ctx, name, &run)) {
		vm_reconcile(ctx, name);
		return 0;
	}
	struct be_error *why = NULL;
	bool pressed = timeout_s > 0 && powerdown(ctx, name, &why) == 0;
	be_error_free(why);
	if (pressed && wait_keeper(ctx, &run, timeout_s * 1000u))
		return 0;
	if (kill_qemu(ctx, name, &run, SIGKILL, err) < 0)
		return -1;
	if (!wait_keeper(ctx, &run, 10000))
		return be_error_set(err, ETIMEDOUT, "stopping vm %s: its keeper %d did not finish",
		                    name, (int)run.keeper_pid);
	return 0;
}

int be_vm_stop(struct be_ctx *ctx, const char *name, unsigned timeout_s, struct be_error **err)
{
	cleanup_lock struct be_lock *lock = NULL;
	if (vm_lock(ctx, name, &lock, err) < 0)
		return -1;
	return stop_locked(ctx, name, timeout_s, err);
}

int be_vm_restart(struct be_ctx *ctx, const char *name, unsigned timeout_s, struct be_error **err)
{
	struct vm_config c;
	if (vm_config_load(ctx, name, &c, err) < 0)
		return -1;
	bool rm = c.auto_remove;
	vm_config_clear(&c);
	if (rm)
		return be_error_set(err, 0, "vm %s was run with --rm: it is removed when it stops",
		                    name);
	if (be_vm_stop(ctx, name, timeout_s, err) < 0)
		return -1;
	return be_vm_start(ctx, name, NULL, err);
}

int be_vm_kill(struct be_ctx *ctx, const char *name, int sig, struct be_error **err)
{
	if (be_name_check("vm", name, err) < 0)
		return -1;
	struct vm_run run;
	if (!vm_running(ctx, name, &run))
		return be_error_set(err, 0, "vm %s is not running", name);
	return kill_qemu(ctx, name, &run, sig, err);
}

int be_vm_wait(struct be_ctx *ctx, const char *name, struct be_error **err)
{
	if (be_name_check("vm", name, err) < 0)
		return -1;
	struct vm_run run;
	if (vm_running(ctx, name, &run))
		while (!wait_keeper(ctx, &run, 60000))
			;
	struct vm_state st;
	if (vm_state_load(ctx, name, &st, NULL) == 0) {
		int code = st.exit_code;
		vm_state_clear(&st);
		return code < 0 ? 0 : code;
	}
	/* A --rm VM left its code in the run directory. */
	cleanup_free char *exitp = vm_run_path(ctx, name, ".exit");
	cleanup_free char *text = util_read_file(exitp, NULL, NULL);
	if (text)
		return atoi(text);
	return be_error_set(err, 0, "no such vm: %s", name);
}

int be_vm_remove(struct be_ctx *ctx, const char *name, bool force, struct be_error **err)
{
	cleanup_lock struct be_lock *lock = NULL;
	if (vm_lock(ctx, name, &lock, err) < 0)
		return -1;
	if (vm_running(ctx, name, NULL)) {
		if (!force)
			return be_error_set(err, 0, "vm %s is running: stop it first or use rm -f",
			                    name);
		if (stop_locked(ctx, name, 0, err) < 0)
			return be_error_wrap(err, "removing vm %s", name);
	}
	vm_reconcile(ctx, name);
	/* The keeper of a --rm VM may have removed it meanwhile. */
	cleanup_free char *dir = vm_path(ctx, name, NULL);
	if (util_path_exists(dir) && store_trash(ctx, dir, err) < 0)
		return be_error_wrap(err, "removing vm %s", name);
	cleanup_free char *exitp = vm_run_path(ctx, name, ".exit");
	unlink(exitp);
	store_lock_drop_file(lock);
	vm_disk_gc(ctx, NULL);
	store_empty_trash(ctx, NULL);
	return 0;
}

int be_vm_update(struct be_ctx *ctx, const char *name, const struct be_vm_spec *lim,
                 struct be_error **err)
{
	cleanup_lock struct be_lock *lock = NULL;
	if (vm_lock(ctx, name, &lock, err) < 0)
		return -1;
	struct vm_config c;
	if (vm_config_load(ctx, name, &c, err) < 0)
		return -1;
	if (lim->memory && lim->memory < BE_VM_MEMORY_MIN) {
		vm_config_clear(&c);
		return be_error_set(err, 0, "invalid --memory: a vm needs at least %llu MiB",
		                    (unsigned long long)(BE_VM_MEMORY_MIN >> 20));
	}
	if (lim->memory)
		c.memory = lim->memory;
	if (lim->cpu_quota_us) {
		c.cpu_quota_us = lim->cpu_quota_us;
		c.cpu_period_us = lim->cpu_period_us ? lim->cpu_period_us : 100000;
	}
	int r = vm_config_save(ctx, &c, err);
	struct vm_run run;
	if (r == 0 && lim->cpu_quota_us && vm_running(ctx, name, &run)) {
		/* Guest RAM is fixed while it runs; the cpu quota is not. */
		struct be_limits l = {.memory = run.cgroup_memory,
		                      .cpu_quota_us = c.cpu_quota_us,
		                      .cpu_period_us = c.cpu_period_us};
		struct be_ctx *cg = vm_cg_ctx(ctx);
		r = cg_set_limits(cg, name, &l, err);
		vm_cg_ctx_free(cg);
	}
	vm_config_clear(&c);
	return r;
}
