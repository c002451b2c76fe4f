/* The container module's interface: a container's lifecycle as the other
 * modules need it (reconcile with the kernel, stop under a held lock, the
 * keeper, the directory of a new container). */
#ifndef BE_CONTAINER_INT_H
#define BE_CONTAINER_INT_H

#include <stdbool.h>

#include "berth.h"
#include "record/record.h"
#include "store/store.h"

/* Writes containers/<cfg->name>/ (config.json, state.json with head, empty
 * upper/work/merged) under ROOT/tmp and renames it into place: it appears
 * whole or not at all.  The caller holds the container's lock and has
 * checked the name is free (create, clone). */
int ct_write_container_dir(struct be_ctx *ctx, const struct rec_config *cfg, const char *head,
                           struct be_error **err);

/* be_container_create's work; name (BE_NAME_MAX + 1 bytes) receives the
 * name.  When lock_out is given it returns still holding the container's
 * lock (release with store_lock_release); cfg_out and st_out (may be
 * NULL) receive the records written (rec_config_clear frees cfg_out). */
int ct_create_locked(struct be_ctx *ctx, const struct be_container_spec *spec, char *name,
                     struct be_lock **lock_out, struct rec_config *cfg_out,
                     struct rec_state *st_out, struct be_error **err);

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

/* Stops a running container; the caller holds its lock (rm -f, rollback).
 * With keep, a --rm container is kept (it is to start again: restart,
 * rollback --restart): the keeper leaves it while the hold file
 * (run/containers/NAME.hold, see ct_hold_path) exists. */
int ct_stop_locked(struct be_ctx *ctx, const char *name, unsigned timeout_s, bool keep,
                   struct be_error **err);
char *ct_hold_path(const struct be_ctx *ctx, const char *name);

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
	/* The records, when the caller has them in memory (a container just
	 * created): the keeper does not read them again.  NULL: loaded. */
	const struct rec_config *cfg;
	const struct rec_state *st;
};
_Noreturn void ct_keeper_main(const struct ct_keeper_args *a);

#endif
