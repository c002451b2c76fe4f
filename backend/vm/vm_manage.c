/* A VM's lifecycle: create, start (forking its keeper), stop (ACPI power
 * button, then SIGKILL), kill, wait, remove, update, and reconciling the
 * records with what runs. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <poll.h>
#include <unistd.h>

#include "vm/vm.h"
#include "cgroup/cgroup.h"
#include "record/record.h"
#include "store/store.h"

const char *be_vm_status_name(enum be_vm_status s)
{
	switch (s) {
	case BE_VM_CREATED: return "created";
	case BE_VM_RUNNING: return "running";
	case BE_VM_EXITED: return "exited";
	}
	return "?";
}

int vm_lock(struct be_ctx *ctx, const char *name, struct be_lock **lock, struct be_error **err)
{
	if (be_name_check("vm", name, err) < 0)
		return -1;
	cleanup_free char *dir = vm_path(ctx, name, NULL);
	if (!util_path_exists(dir))
		return be_error_set(err, 0, "no such vm: %s", name);
	if (store_lock_take(ctx, "vm", name, lock, err) < 0)
		return -1;
	if (!util_path_exists(dir)) {
		store_lock_release(*lock);
		*lock = NULL;
		return be_error_set(err, 0, "no such vm: %s", name);
	}
	return 0;
}

void vm_reconcile(struct be_ctx *ctx, const char *name)
{
	struct vm_run run;
	if (vm_run_load(ctx, name, &run, NULL) != 1 || vm_run_alive(ctx, &run))
		return;
	if (run.qemu_pid > 0 && rec_proc_same(ctx, run.qemu_pid, run.qemu_start))
		kill(run.qemu_pid, SIGKILL);
	struct be_ctx *cg = vm_cg_ctx(ctx);
	cg_kill_all(cg, name, SIGKILL, NULL);
	cg_destroy(cg, name, NULL);
	vm_cg_ctx_free(cg);
	const char *suffixes[] = {".json", ".qmp", ".console", ".guest"};
	for (size_t i = 0; i < 4; i++) {
		cleanup_free char *p = vm_run_path(ctx, name, suffixes[i]);
		unlink(p);
	}
}

int vm_running(struct be_ctx *ctx, const char *name, struct vm_run *run)
{
	struct vm_run r;
	if (vm_run_load(ctx, name, &r, NULL) != 1 || !vm_run_alive(ctx, &r))
		return 0;
	if (run)
		*run = r;
	return 1;
}

static void gen_name(char *out)
{
	char hex[9];
	util_random_hex(hex, 4);
	snprintf(out, BE_NAME_MAX + 1, "vm-%s", hex);
}

static int check_spec(struct be_ctx *ctx, const struct be_vm_spec *s, struct be_error **err)
{
	if (s->memory && s->memory < BE_VM_MEMORY_MIN)
		return be_error_set(err, 0, "invalid --memory: a vm needs at least %llu MiB",
		                    (unsigned long long)(BE_VM_MEMORY_MIN >> 20));
	if (s->memory > (1ull << 40))
		return be_error_set(err, 0, "invalid --memory: too large");
	if (s->net == BE_VM_NET_USER)
		return be_error_set(err, 0,
		                    "--net user: the demo guest has no network driver yet; use "
		                    "--net none");
	struct vm_image im;
	if (vm_image_load(ctx, s->image, &im, err) < 0)
		return -1;
	vm_image_clear(&im);
	return 0;
}

static void fill_config(struct vm_config *c, const struct be_vm_spec *s, const char *name)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	snprintf(c->image, sizeof(c->image), "%s", s->image);
	size_t n = 0;
	while (s->cmd && s->cmd[n])
		n++;
	c->cmd = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		c->cmd[i] = xstrdup(s->cmd[i]);
	c->memory = s->memory ? s->memory : BE_VM_MEMORY_DEFAULT;
	c->cpu_quota_us = s->cpu_quota_us;
	c->cpu_period_us = s->cpu_quota_us ? (s->cpu_period_us ? s->cpu_period_us : 100000) : 0;
	c->vcpus = s->vcpus;
	if (c->vcpus == 0)
		c->vcpus = c->cpu_quota_us ? (unsigned)((c->cpu_quota_us + c->cpu_period_us - 1) /
		                                        c->cpu_period_us)
		                           : 1;
	c->net = s->net;
	c->auto_remove = s->auto_remove;
	c->created = util_wall_ns() / 1000000000;
}

int vm_write_dir(struct be_ctx *ctx, const struct vm_config *c, const char *parent,
                 struct be_error **err)
{
	cleanup_free char *vms = ctx_path(ctx, "vms");
	cleanup_free char *dir = vm_path(ctx, c->name, NULL);
	cleanup_free char *ct = ctx_path(ctx, "containers/%s", c->name);
	if (util_path_exists(dir) || util_path_exists(ct))
		return be_error_set(err, 0, "the name %s is taken (by a %s)", c->name,
		                    util_path_exists(dir) ? "vm" : "container");
	if (util_mkdir_p(vms, 0700, err) < 0)
		return -1;
	/* A shared hold keeps gc away from the new disk until the state
	 * names it. */
	cleanup_lock struct be_lock *hold = NULL;
	if (store_lock_take_shared(ctx, "vmdisks", "gc", &hold, err) < 0)
		return -1;
	struct vm_state st = {.exit_code = -1, .top_fresh = true};
	if (vm_disk_new(ctx, c->image, parent, st.top, err) < 0)
		return -1;
	cleanup_close int lock_fd = -1;
	cleanup_free char *work = store_mkdtemp(ctx, "vm", &lock_fd, err);
	if (work == NULL || vm_config_write(work, c, err) < 0 ||
	    vm_state_write(work, &st, err) < 0 ||
	    (rename(work, dir) < 0 && be_error_set(err, errno, "renaming %s to %s", work, dir)) ||
	    util_fsync_dir(vms, err) < 0) {
		if (work)
			util_rm_rf(work, NULL);
		store_lock_release(steal_pointer(&hold));
		vm_disk_gc(ctx, NULL);
		return -1;
	}
	return 0;
}

int be_vm_create(struct be_ctx *ctx, const struct be_vm_spec *spec, char *name_out,
                 struct be_error **err)
{
	char name[BE_NAME_MAX + 1];
	if (spec->name)
		snprintf(name, sizeof(name), "%s", spec->name);
	else
		gen_name(name);
	if (be_name_check("vm", name, err) < 0 || check_spec(ctx, spec, err) < 0)
		return -1;
	cleanup_lock struct be_lock *lock = NULL;
	if (store_lock_take(ctx, "vm", name, &lock, err) < 0)
		return -1;
	struct vm_config c;
	fill_config(&c, spec, name);
	int r = vm_write_dir(ctx, &c, NULL, err);
	vm_config_clear(&c);
	if (r < 0)
		return be_error_wrap(err, "creating vm %s", name);
	if (name_out)
		snprintf(name_out, BE_NAME_MAX + 1, "%s", name);
	return 0;
}

/* Reads the keeper's one-line report: "ok PID" or "err CODE message". */
static int read_report(int fd, const char *name, struct be_error **err)
{
	char buf[1100];
	size_t n = 0;
	ssize_t r;
	while (n < sizeof(buf) - 1 && (r = read(fd, buf + n, sizeof(buf) - 1 - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (strncmp(buf, "ok ", 3) == 0)
		return 0;
	if (strncmp(buf, "err ", 4) == 0) {
		char *end;
		long code = strtol(buf + 4, &end, 10);
		be_error_set(err, 0, "starting vm %s: %s", name, *end ? end + 1 : "failed");
		if (*err)
			(*err)->exitcode = (int)code;
		return -1;
	}
	return be_error_set(err, 0, "starting vm %s: the keeper exited without a report", name);
}

static int spawn_keeper(struct be_ctx *ctx, const char *name, int lock_fd, int *attach_fd,
                        const char *accel, uint64_t overhead, struct be_error **err)
{
	int sp[2], ap[2] = {-1, -1};
	if (pipe2(sp, O_CLOEXEC) < 0)
		return be_error_set(err, errno, "starting vm %s", name);
	if (attach_fd && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ap) < 0) {
		close(sp[0]);
		close(sp[1]);
		return be_error_set(err, errno, "starting vm %s", name);
	}
	fflush(NULL);
	pid_t mid = fork();
	if (mid == 0) {
		/* Double fork: the keeper is nobody's child, in a session of
		 * its own, so the client's exit or SIGHUP does not reach it. */
		close(sp[0]);
		if (ap[0] >= 0)
			close(ap[0]);
		setsid();
		pid_t k = fork();
		if (k != 0)
			_exit(k < 0 ? 1 : 0);
		struct vm_keeper_args a = {.ctx = ctx,
		                           .name = name,
		                           .start_fd = sp[1],
		                           .attach_fd = ap[1],
		                           .lock_fd = lock_fd,
		                           .overhead = overhead};
		snprintf(a.accel, sizeof(a.accel), "%.7s", accel);
		vm_keeper_main(&a);
	}
	int e = errno;
	close(sp[1]);
	if (ap[1] >= 0)
		close(ap[1]);
	if (mid < 0) {
		close(sp[0]);
		if (ap[0] >= 0)
			close(ap[0]);
		return be_error_set(err, e, "starting vm %s: fork", name);
	}
	while (waitpid(mid, NULL, 0) < 0 && errno == EINTR)
		;
	int r = read_report(sp[0], name, err);
	close(sp[0]);
	if (r < 0) {
		if (ap[0] >= 0)
			close(ap[0]);
		return -1;
	}
	if (attach_fd)
		*attach_fd = ap[0];
	return 0;
}

int be_vm_start(struct be_ctx *ctx, const char *name, int *attach_fd, struct be_error **err)
{
	if (attach_fd)
		*attach_fd = -1;
	char accel[8];
	uint64_t overhead = 0;
	if (be_name_check("vm", name, err) < 0)
		return -1;
	cleanup_free char *dir = vm_path(ctx, name, NULL);
	if (!util_path_exists(dir))
		return be_error_set(err, 0, "no such vm: %s", name);
	/* The probe (once per root, seconds) runs before the lock is taken. */
	if (be_vm_accel(ctx, false, accel, &overhead, err) < 0)
		return be_error_wrap(err, "starting vm %s", name);
	cleanup_lock struct be_lock *lock = NULL;
	if (vm_lock(ctx, name, &lock, err) < 0)
		return -1;
	vm_reconcile(ctx, name);
	if (vm_running(ctx, name, NULL))
		return be_error_set(err, 0, "vm %s is already running", name);
	return spawn_keeper(ctx, name, store_lock_fd(lock), attach_fd, accel, overhead, err);
}
