/* The record module's interface: a container's records (config.json,
 * state.json, the run file), the paths of its files, its lock, and whether
 * its keeper lives.  Every module that reads or writes them goes through here. */
#ifndef BE_RECORD_H
#define BE_RECORD_H

#include <jansson.h>
#include <sys/types.h>

#include "berth.h"
#include "store/ctx.h"
#include "base/util.h"

/* The paths of container NAME's files, to free: ROOT/containers/NAME/FILE
 * (the directory itself when file is NULL), and RUN/containers/NAME SUFFIX
 * (suffix ".json", ".exit", ".hold").  The only place that spells them. */
char *rec_path(const struct be_ctx *ctx, const char *name, const char *file);
char *rec_run_path(const struct be_ctx *ctx, const char *name, const char *suffix);

/* config.json: what the user asked for; written once at create (and by
 * update for limits).  Durable. */
struct rec_config {
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
	int64_t created;         /* unix seconds */
	struct be_mount *mounts; /* -v, --mount, --tmpfs, as vol_prepare made them */
	size_t n_mounts;
	bool read_only;        /* --read-only: the root filesystem */
	char *network;         /* BE_NET_BRIDGE: the network's name; else NULL */
	struct be_port *ports; /* -p as given (host_port 0: chosen at start) */
	size_t n_ports;
};

/* state.json: durable facts about the container. */
struct rec_state {
	char head[16]; /* top layer of the lower chain */
	int exit_code; /* -1: never ran or unknown */
	bool oom_killed;
	int64_t started_ns;
	int64_t finished_ns;
	char last_snapshot[BE_NAME_MAX + 1]; /* "" none; used by snapshots */
};

/* RUN/containers/<name>.json: the live keeper and init.  Not fsynced. */
struct rec_run {
	pid_t pid;
	uint64_t pid_start; /* start time in clock ticks (pid reuse guard) */
	pid_t keeper_pid;
	uint64_t keeper_start;
	int64_t started_ns;
};

void rec_config_clear(struct rec_config *c);
struct be_lock;
/* Takes the lock of container name and checks it exists (its config
 * loads); on failure nothing is held. */
int rec_lock_existing(struct be_ctx *ctx, const char *name, struct be_lock **lock,
                      struct be_error **err);
int rec_config_load(const struct be_ctx *ctx, const char *name, struct rec_config *out,
                    struct be_error **err);
int rec_config_save(const struct be_ctx *ctx, const struct rec_config *c, struct be_error **err);
/* The same records written into a given container directory. */
int rec_config_write(const char *dir, const struct rec_config *c, struct be_error **err);
int rec_state_write(const char *dir, const struct rec_state *s, bool durable,
                    struct be_error **err);
int rec_state_load(const struct be_ctx *ctx, const char *name, struct rec_state *out,
                   struct be_error **err);
int rec_state_save(const struct be_ctx *ctx, const char *name, const struct rec_state *s,
                   struct be_error **err);
/* Returns 1 and fills out when a run file exists, 0 when none. */
int rec_run_load(const struct be_ctx *ctx, const char *name, struct rec_run *out,
                 struct be_error **err);
int rec_run_save(const struct be_ctx *ctx, const char *name, const struct rec_run *r,
                 struct be_error **err);
void rec_run_remove(const struct be_ctx *ctx, const char *name);

/* Start time of a process in clock ticks (field 22 of /proc/PID/stat), or
 * 0 when it does not exist. */
uint64_t rec_proc_start(const struct be_ctx *ctx, pid_t pid);
/* True when pid is alive and still the process that started at start. */
bool rec_proc_same(const struct be_ctx *ctx, pid_t pid, uint64_t start);

/* Is the container's keeper alive?  Fills run when it is. */
bool rec_running(const struct be_ctx *ctx, const char *name, struct rec_run *run);

/* rec_mounts.c: config.json's "mounts" array, written and read back with
 * every field's type and value checked (a bad entry names the file). */
json_t *rec_mounts_json(const struct rec_config *c);
int rec_mounts_from_json(const char *path, json_t *arr, struct rec_config *out,
                         struct be_error **err);

/* rec_mounts.c: config.json's "ports" array likewise. */
json_t *rec_ports_json(const struct be_port *p, size_t n);
int rec_ports_from_json(const char *path, json_t *arr, struct be_port **out, size_t *n,
                        struct be_error **err);

/* JSON helpers for arrays of strings. */
json_t *rec_strv_json(char *const *v);
char **rec_json_strv(json_t *arr);
void rec_strv_free(char **v);

#endif
