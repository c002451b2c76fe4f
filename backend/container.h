/* Internal API of the container runtime: the records of a container
 * (config.json, state.json, the run file) and the keeper. */
#ifndef BE_CONTAINER_INTERNAL_H
#define BE_CONTAINER_INTERNAL_H

#include <jansson.h>
#include <sys/types.h>

#include "berth.h"
#include "ctx.h"
#include "util.h"

/* config.json: what the user asked for; written once at create (and by
 * update for limits).  Durable. */
struct ct_config {
	char name[BE_NAME_MAX + 1];
	char image[BE_NAME_MAX + 1];
	char **cmd; /* NULL-terminated */
	char **env; /* full environment, NULL-terminated */
	char *workdir;
	char *user; /* NULL: root */
	char *hostname;
	enum be_net_mode net;
	struct be_limits limits;
	bool tty;
	bool interactive;
	bool auto_remove;
	int64_t created; /* unix seconds */
};

/* state.json: durable facts about the container. */
struct ct_state {
	char head[16]; /* top layer of the lower chain */
	int exit_code; /* -1: never ran or unknown */
	bool oom_killed;
	int64_t started_ns;
	int64_t finished_ns;
	char last_snapshot[BE_NAME_MAX + 1]; /* "" none; used by snapshots */
};

/* RUN/containers/<name>.json: the live keeper and init.  Not fsynced. */
struct ct_run {
	pid_t pid;
	uint64_t pid_start; /* start time in clock ticks (pid reuse guard) */
	pid_t keeper_pid;
	uint64_t keeper_start;
	int64_t started_ns;
};

void ct_config_clear(struct ct_config *c);
struct be_lock;
/* Takes the lock of container name and checks it exists (its config
 * loads); on failure nothing is held. */
int ct_lock_existing(struct be_ctx *ctx, const char *name, struct be_lock **lock,
                     struct be_error **err);
int ct_config_load(const struct be_ctx *ctx, const char *name, struct ct_config *out,
                   struct be_error **err);
int ct_config_save(const struct be_ctx *ctx, const struct ct_config *c, struct be_error **err);
/* The same records written into a given container directory. */
int ct_config_write(const char *dir, const struct ct_config *c, struct be_error **err);
int ct_state_write(const char *dir, const struct ct_state *s, bool durable, struct be_error **err);
int ct_state_load(const struct be_ctx *ctx, const char *name, struct ct_state *out,
                  struct be_error **err);
int ct_state_save(const struct be_ctx *ctx, const char *name, const struct ct_state *s,
                  struct be_error **err);
/* Returns 1 and fills out when a run file exists, 0 when none. */
int ct_run_load(const struct be_ctx *ctx, const char *name, struct ct_run *out,
                struct be_error **err);
int ct_run_save(const struct be_ctx *ctx, const char *name, const struct ct_run *r,
                struct be_error **err);
void ct_run_remove(const struct be_ctx *ctx, const char *name);

/* Writes containers/<cfg->name>/ (config.json, state.json with head, empty
 * upper/work/merged) under ROOT/tmp and renames it into place: it appears
 * whole or not at all.  The caller holds the container's lock and has
 * checked the name is free (create, clone). */
int ct_write_container_dir(struct be_ctx *ctx, const struct ct_config *cfg, const char *head,
                           struct be_error **err);

/* Start time of a process in clock ticks (field 22 of /proc/PID/stat), or
 * 0 when it does not exist. */
uint64_t ct_proc_start(const struct be_ctx *ctx, pid_t pid);
/* True when pid is alive and still the process that started at start. */
bool ct_proc_same(const struct be_ctx *ctx, pid_t pid, uint64_t start);

/* Makes the container's state match the kernel: a run file whose keeper
 * is gone becomes "exited, code unknown"; leftover members are killed, the
 * overlay unmounted and the cgroup removed.  Takes no lock: the caller
 * holds the container's lock, or is a reader (then repair is skipped
 * when the lock is busy). */
int ct_reconcile(struct be_ctx *ctx, const char *name, struct be_error **err);
/* ct_reconcile for a client that does not hold the container's lock:
 * done only when the lock is free, errors ignored.  For commands that
 * find the container not running (its keeper may have died, leaving the
 * init and the cgroup behind). */
void ct_reconcile_idle(struct be_ctx *ctx, const char *name);
/* Is the container's keeper alive?  Fills run when it is. */
bool ct_running(const struct be_ctx *ctx, const char *name, struct ct_run *run);

/* Stops a running container; the caller holds its lock (rm -f, rollback).
 * With keep, a --rm container is kept (it is to start again: restart,
 * rollback --restart): the keeper leaves it while the hold file
 * (run/containers/NAME.hold, see ct_hold_path) exists. */
int ct_stop_locked(struct be_ctx *ctx, const char *name, unsigned timeout_s, bool keep,
                   struct be_error **err);
char *ct_hold_path(const struct be_ctx *ctx, const char *name);

/* Overlay of a container: lower = chain from head, upper/work in its dir,
 * mounted on containers/<name>/merged. */
int ct_overlay_mount(const struct be_ctx *ctx, const char *name, const char *head,
                     struct be_error **err);
int ct_overlay_unmount(const struct be_ctx *ctx, const char *name, struct be_error **err);
bool ct_overlay_mounted(const struct be_ctx *ctx, const char *name);

/* The keeper: never returns.  start_fd receives "ok PID\n" or
 * "err CODE message\n"; exit_fd (or -1) receives the exit code. */
struct ct_keeper_args {
	struct be_ctx *ctx;
	const char *name;
	int start_fd;
	int exit_fd;
	int stdio[3];   /* attached fds, or -1 */
	int console_fd; /* the container end of a console socket (run -t), or -1 */
	int lock_fd;    /* the container lock, released once the init runs */
};
_Noreturn void ct_keeper_main(const struct ct_keeper_args *a);

/* JSON helpers for arrays of strings. */
json_t *ct_strv_json(char *const *v);
char **ct_json_strv(json_t *arr);
void ct_strv_free(char **v);

#endif
