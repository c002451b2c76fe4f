/* The cgroup module's internal API: one cgroup per container, named
 * <be_ctx_cgroup_parent(ctx)>/<NAME> below each v1 controller or below the
 * unified v2 root.  cgroup.c dispatches to a backend (ops table) by layout. */
#ifndef BE_CGROUP_INTERNAL_H
#define BE_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "berth.h"

/* How long freeze/thaw and destroy wait for the kernel by default. */
#define BE_CGROUP_WAIT_MS 5000u

struct cg_state {
	bool exists;
	bool frozen;           /* the freezer reports FROZEN (v1) / frozen 1 (v2) */
	uint64_t oom_kills;    /* processes the OOM killer took in this cgroup */
	uint64_t memory_limit; /* bytes, 0 = unlimited */
	uint64_t memory_usage; /* bytes charged now */
	int64_t pids_max;      /* 0 = unlimited */
	uint64_t pids;         /* tasks now */
	uint64_t cpu_usage_ns; /* CPU time used since creation */
};

/* Creates the cgroup in every controller and applies lim; on any failure
 * removes what it made.  Fails with EEXIST ("cgroup P/NAME exists") when any
 * part of it is there already.  The parent group is made on demand. */
int cg_create(const struct be_ctx *ctx, const char *name, const struct be_limits *lim,
              struct be_error **err);
/* Applies every field of lim to a live cgroup (zero fields reset to
 * unlimited/default).  Lowering memory below current use fails with EBUSY
 * and "memory limit X is below current use Y". */
int cg_set_limits(const struct be_ctx *ctx, const char *name, const struct be_limits *lim,
                  struct be_error **err);
/* Moves the whole process pid (all its threads) into the cgroup, in every
 * controller. */
int cg_attach(const struct be_ctx *ctx, const char *name, pid_t pid, struct be_error **err);
/* Freezes (or thaws) and waits up to BE_CGROUP_WAIT_MS until the kernel
 * reports it done; fails with ETIMEDOUT after that. */
int cg_freeze(const struct be_ctx *ctx, const char *name, bool frozen, struct be_error **err);
/* Fills out; a missing cgroup is success with out->exists false. */
int cg_state(const struct be_ctx *ctx, const char *name, struct cg_state *out,
             struct be_error **err);
/* True when the group is frozen (paused); false when it is not, is
 * missing, or cannot be read.  One small read, for listings. */
bool cg_frozen(const struct be_ctx *ctx, const char *name);
/* True when the OOM killer took a process of the cgroup (false when it
 * cannot tell). */
bool cg_oom_killed(const struct be_ctx *ctx, const char *name);
/* Processes the OOM killer took in the group (0 when it or the controller
 * is missing), reading one file. */
uint64_t cg_oom_kills(const struct be_ctx *ctx, const char *name);
/* Sends sig to every process of the cgroup and of its sub-cgroups.  For
 * SIGKILL a frozen group is killed then thawed, so every member dies
 * (v2: through cgroup.kill when the kernel has it). */
int cg_kill_all(const struct be_ctx *ctx, const char *name, int sig, struct be_error **err);
/* Removes the cgroup (and sub-cgroups) from every controller, waiting up to
 * BE_CGROUP_WAIT_MS for dying members to leave (never moves tasks out), then
 * checks that it is gone.  Fails with EBUSY while processes remain.  A
 * missing cgroup is success.  v2 removes the parent group when left empty;
 * v1 keeps it (see cgroup_v1.c). */
int cg_destroy(const struct be_ctx *ctx, const char *name, struct be_error **err);
/* "controller:path" strings of the cgroup's directories, for inspect; a
 * NULL-terminated array the caller frees with cg_strv_free. */
int cg_paths(const struct be_ctx *ctx, const char *name, char ***paths, size_t *n,
             struct be_error **err);
/* Sorted names of the cgroups under this root's parent group (union over
 * controllers); NULL-terminated, freed with cg_strv_free. */
int cg_list(const struct be_ctx *ctx, char ***names, size_t *n, struct be_error **err);
/* Which group now stands under that name: the inode of its first
 * directory (cgroupfs never reuses one while the host runs), 0 when it is
 * missing.  A keeper that removes its group after the client has moved on
 * checks that it is still the one it made. */
uint64_t cg_id(const struct be_ctx *ctx, const char *name);
/* True when no process is left in the cgroup or its sub-cgroups (a missing
 * cgroup is empty). */
bool cg_is_empty(const struct be_ctx *ctx, const char *name);
/* True when the cgroup has an io weight file, i.e. lim->io_weight takes
 * effect; when false the weight is ignored (callers may say so). */
bool cg_io_weight_supported(const struct be_ctx *ctx, const char *name);
void cg_strv_free(char **v);

/* ---- backends ----------------------------------------------------------
 * The dispatcher has checked name and limits; backends return errors
 * without the "creating cgroup P/NAME" context, which the dispatcher adds. */
struct be_cgroup_ops {
	const char *name;
	int (*create)(const struct be_ctx *ctx, const char *name, const struct be_limits *lim,
	              struct be_error **err);
	int (*set_limits)(const struct be_ctx *ctx, const char *name, const struct be_limits *lim,
	                  struct be_error **err);
	int (*attach)(const struct be_ctx *ctx, const char *name, pid_t pid, struct be_error **err);
	int (*freeze)(const struct be_ctx *ctx, const char *name, bool frozen, unsigned wait_ms,
	              struct be_error **err);
	int (*state)(const struct be_ctx *ctx, const char *name, struct cg_state *out,
	             struct be_error **err);
	/* Only whether the group is frozen (false when missing): the cheap
	 * read behind every listing. */
	bool (*frozen)(const struct be_ctx *ctx, const char *name);
	/* Only the OOM kill count (0 when missing): one file, the keeper's
	 * read before it reports an exit. */
	uint64_t (*oom_kills)(const struct be_ctx *ctx, const char *name);
	int (*kill_all)(const struct be_ctx *ctx, const char *name, int sig, struct be_error **err);
	int (*destroy)(const struct be_ctx *ctx, const char *name, unsigned wait_ms,
	               struct be_error **err);
	/* Directories as "controller:path", NULL-terminated. */
	int (*paths)(const struct be_ctx *ctx, const char *name, char ***paths, size_t *n,
	             struct be_error **err);
	/* Directories of the parent group (where names are listed). */
	int (*parent_dirs)(const struct be_ctx *ctx, char ***dirs, size_t *n,
	                   struct be_error **err);
	bool (*io_weight_supported)(const struct be_ctx *ctx, const char *name);
	/* Opens the files a process writes "0" to in order to enter the
	 * cgroup itself (see cg_open_enter). */
	int (*open_enter)(const struct be_ctx *ctx, const char *name, int *fds, size_t max,
	                  size_t *n, struct be_error **err);
};

/* Self-entry, for the start path.  Moving another process into a cgroup
 * (cgroup.procs) takes the kernel's threadgroup lock for writing, which
 * waits for an RCU grace period: measured 6-7 ms on this 2-CPU v1 host.
 * A single-threaded process writing "0" to the v1 "tasks" files moves
 * itself without that lock (0.25 ms for six controllers).  So the runtime
 * opens the files here, and the new init, before anything else, calls
 * cg_enter_self.  fds are close-on-exec; at most max are opened
 * (BE_CGROUP_ENTER_MAX is enough); the caller closes them.  v2 opens
 * cgroup.procs. */
#define BE_CGROUP_ENTER_MAX 8
int cg_open_enter(const struct be_ctx *ctx, const char *name, int *fds, size_t max, size_t *n,
                  struct be_error **err);
/* In the process to move (single-threaded): writes "0" to each fd.  Only
 * async-signal-safe calls; returns -1 with errno on failure. */
int cg_enter_self(const int *fds, size_t n);

/* ---- device rules (devices.c) ------------------------------------------
 * docker's default: deny all, mknod of any node, read/write of the list in
 * devices.c.  major/minor -1 is a wildcard; access is "rwm" or a part. */
struct cg_device_rule {
	char type; /* 'c' or 'b' */
	int major, minor;
	const char *access;
};
extern const struct cg_device_rule cg_device_rules[];
extern const size_t cg_n_device_rules;
/* "c 1:3 rwm", as devices.allow takes it. */
void cg_device_rule_text(const struct cg_device_rule *r, char *buf, size_t len);
/* v1: writes "a" to dir/devices.deny, then each rule to devices.allow. */
int cg_devices_v1(const char *dir, struct be_error **err);
/* v2: the BPF_PROG_TYPE_CGROUP_DEVICE program of the rules into out (at
 * most max instructions); returns its length. */
struct bpf_insn;
size_t cg_devices_program(struct bpf_insn *out, size_t max);
/* v2: loads that program and attaches it (BPF_F_ALLOW_MULTI) to the cgroup
 * directory dir; it lives as long as the cgroup. */
int cg_devices_v2(const char *dir, struct be_error **err);
/* v2: how many device programs are attached to dir itself (0: none, so
 * every device may be opened unless an ancestor has one); -1 on error. */
int cg_devices_v2_count(const char *dir, struct be_error **err);

extern const struct be_cgroup_ops cg_v1_ops;
extern const struct be_cgroup_ops cg_v2_ops;

/* ---- helpers shared by the backends (cgroup.c) ------------------------- */
/* Writes value to an existing cgroup file in one write(2) (no O_CREAT). */
int cg_write(const char *path, const char *value, struct be_error **err);
/* Reads a one-value file: a number, or "max"/"-1" (as UINT64_MAX). */
int cg_read_u64(const char *path, uint64_t *out, struct be_error **err);
/* Reads the number after "key " in a keyed file (memory.events, cpu.stat,
 * memory.oom_control); fails with ENOENT when the key is not there. */
int cg_read_key(const char *path, const char *key, uint64_t *out, struct be_error **err);
/* Sends sig to every pid in cgroup.procs of dir and of its sub-directories;
 * *count gets the number signalled. */
int cg_signal_tree(const char *dir, int sig, size_t *count, struct be_error **err);
/* True when cgroup.procs of dir and of every sub-directory is empty. */
bool cg_tree_empty(const char *dir);
/* Appends s (taking ownership) to the NULL-terminated vector *v of *n. */
void cg_strv_add(char ***v, size_t *n, char *s);
/* Sleeps ms milliseconds. */
void cg_sleep_ms(unsigned ms);
/* cpu.weight (1..10000) to v1 cpu.shares (2..262144) and io weight to
 * CFQ's blkio.weight (10..1000), as crun converts them; to BFQ's weight
 * files (1..1000, default 100 like io.weight) it is kept, capped at 1000. */
uint64_t cg_weight_to_shares(uint64_t weight);
uint64_t cg_weight_to_blkio(uint64_t weight);
uint64_t cg_weight_to_bfq(uint64_t weight);
/* --cpus with an explicit number of online CPUs (tests). */
int cg_limits_parse_cpus_n(const char *text, long ncpu, uint64_t *quota_us, uint64_t *period_us,
                           struct be_error **err);
/* Effective memory+swap limit in bytes for lim (UINT64_MAX = unlimited). */
uint64_t cg_limits_memsw(const struct be_limits *lim);

/* libcgroup's codes (50000..50030) as text, without calling its
 * cgroup_strerror (off by one from 50023, crashes on 50030); ECGOTHER gives
 * the errno's text.  Never NULL. */
const char *cg_v1_strerror(int code, int last_errno);

#endif
