/* The container module's interface: a container's lifecycle as the other
 * modules need it (reconcile with the kernel, stop under a held lock, the
 * keeper, the directory of a new container). */
#ifndef BE_CONTAINER_INT_H
#define BE_CONTAINER_INT_H

#include <stdbool.h>

#include "berth.h"
#include "record/record.h"
#include "sandbox/sandbox.h"
#include "store/store.h"

/* Writes containers/<cfg->name>/ (config.json, state.json with head, empty
 * upper/work/merged) under ROOT/tmp and renames it into place: it appears
 * whole or not at all.  The caller holds the container's lock and has
 * checked the name is free (create, clone).  made (may be NULL) is called
 * with made_data and the directory's path under ROOT/tmp at each step;
 * nonzero fails the write. */
enum ct_dir_step {
	CT_DIR_MADE,    /* upper/, work/ and merged/ are there, no record yet */
	CT_DIR_WRITTEN, /* the records too: the rename comes next */
};
typedef int (*ct_dir_step_fn)(void *data, const char *tmp, enum ct_dir_step step,
                              struct be_error **err);
int ct_write_container_dir(struct be_ctx *ctx, const struct rec_config *cfg, const char *head,
                           ct_dir_step_fn made, void *made_data, struct be_error **err);

/* Called by ct_create_locked at each step of writing the container's
 * directory at tmp (see ct_write_container_dir), the name taken and the
 * records made in memory (the image's lock held); lock_fd is the
 * container's lock.  Nonzero fails the create. */
typedef int (*ct_before_write_fn)(void *data, const char *name, int lock_fd, const char *tmp,
                                  enum ct_dir_step step, const struct rec_config *cfg,
                                  const struct rec_state *st, struct be_error **err);
/* be_container_create's work; name (BE_NAME_MAX + 1 bytes) receives the
 * name.  When lock_out is given it returns still holding the container's
 * lock (release with store_lock_release); cfg_out and st_out (may be
 * NULL) receive the records written (rec_config_clear frees cfg_out).
 * before_write (may be NULL) runs with hook_data as said above. */
int ct_create_locked(struct be_ctx *ctx, const struct be_container_spec *spec, char *name,
                     struct be_lock **lock_out, struct rec_config *cfg_out,
                     struct rec_state *st_out, ct_before_write_fn before_write, void *hook_data,
                     struct be_error **err);
/* be_container_remove for a caller that holds the container's lock. */
int ct_remove_locked(struct be_ctx *ctx, const char *name, struct be_lock *lock, bool force,
                     struct be_error **err);

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

/* For listings: a dead keeper whose cgroup is empty (or gone) is recorded
 * as an exit (state.json, run file removed); nothing is killed, unmounted
 * or removed (the next start, stop, rm or prune cleans up).  True when the
 * keeper is gone but processes of the container still run. */
bool ct_record_dead_keeper(struct be_ctx *ctx, const char *name);
/* Appends to *list (of *n) an entry for each cgroup of this root whose
 * containers/NAME is missing (status orphaned, pid, cgroup); returns how
 * many.  Reads only. */
int ct_orphans_append(struct be_ctx *ctx, struct be_container_info **list, size_t *n);
/* Does the container's cgroup exist (in any controller)? */
bool ct_cgroup_exists(const struct be_ctx *ctx, const char *name);
/* Ends an orphaned container (kills its cgroup, removes it, drops its run
 * record); the caller holds its lock.  Fails when its records exist. */
int ct_end_orphan_locked(struct be_ctx *ctx, const char *name, struct be_error **err);

/* Stops a running container; the caller holds its lock (rm -f, rollback).
 * With keep, a --rm container is kept (it is to start again: restart,
 * rollback --restart): the keeper leaves it while the hold file
 * (run/containers/NAME.hold, see ct_hold_path) exists. */
int ct_stop_locked(struct be_ctx *ctx, const char *name, unsigned timeout_s, bool keep,
                   struct be_error **err);
char *ct_hold_path(const struct be_ctx *ctx, const char *name);

/* attach.c: the sandbox mounts of a start: with a bridge, the container's
 * hosts and resolv.conf (ROOT/containers/NAME/) on /etc first, then cfg's
 * recorded mounts (sources opened now, links refused); *n gets their
 * count.  Free with ct_mounts_close (closes the fds). */
int ct_mounts_open(const struct be_ctx *ctx, const struct rec_config *cfg,
                   struct be_sandbox_mount **out, size_t *n, struct be_error **err);
void ct_mounts_close(struct be_sandbox_mount *v, size_t n);
/* The "mounts" array of inspect (docker's shape: type, source on the host,
 * destination, rw; name for volumes).  A new reference. */
json_t *ct_mounts_json(const struct be_ctx *ctx, const struct rec_config *cfg);

/* attach.c: cfg's net, network and ports from the spec (create). */
int ct_net_config(struct be_ctx *ctx, const struct be_container_spec *spec, struct rec_config *cfg,
                  struct be_error **err);
/* attach.c: out's net, network, ip and ports (from the live lease). */
void ct_net_info(struct be_ctx *ctx, const struct rec_config *cfg, bool running,
                 struct be_container_info *out);
/* attach.c: inspect's "network" object (a new reference). */
json_t *ct_net_json(const struct rec_config *cfg, const struct be_container_info *info);

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
	/* run forks the keeper while the container's directory is written
	 * under ROOT/tmp/tmp_base: ready_fd (a socket, or -1) then says "m"
	 * once its working set may be mounted there, the keeper answers "M"
	 * once it has tried (the directory is not renamed before), and "r"
	 * says it is renamed into containers/; EOF: the create failed. */
	int ready_fd;
	const char *tmp_base;
	/* The records, when the caller has them in memory (a container just
	 * created): the keeper does not read them again.  NULL: loaded. */
	const struct rec_config *cfg;
	const struct rec_state *st;
};
_Noreturn void ct_keeper_main(const struct ct_keeper_args *a);

#endif
