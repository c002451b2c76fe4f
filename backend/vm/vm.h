/* The vm module's internal interface: a VM's records and paths, the qcow2
 * chain, QMP, the serial line's markers, the keeper. */
#ifndef BE_VM_INT_H
#define BE_VM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "berth.h"
#include "store/ctx.h"

struct be_lock;

#define VM_ID_LEN 16    /* hex digits of a disk id */
#define VM_TOKEN_LEN 16 /* hex digits of a boot's marker token */
#define VM_SNAP_MAX 256
#define VM_CMDLINE_MAX 2000 /* x86 kernel command line is 2048 bytes */

/* ---- records (vm_record.c) ----------------------------------------------- */

struct vm_snap {
	char name[BE_NAME_MAX + 1];
	char disk[VM_ID_LEN + 1];
	int64_t created;
};

struct vm_config {
	char name[BE_NAME_MAX + 1];
	char image[BE_NAME_MAX + 1];
	char **cmd; /* NULL-terminated, may be empty */
	uint64_t memory;
	uint64_t cpu_quota_us, cpu_period_us;
	unsigned vcpus;
	enum be_vm_net net;
	bool auto_remove;
	int64_t created;
};

struct vm_state {
	char top[VM_ID_LEN + 1];
	struct vm_snap *snaps;
	size_t n_snaps;
	int exit_code; /* -1: none yet */
	int64_t started_ns, finished_ns;
	uint64_t boot_ns;
	char accel[8];
	bool top_fresh; /* the top was made by a freeze or rollback and never booted */
};

/* The run record (RUN/vms/NAME.json, not fsynced): who runs the VM. */
struct vm_run {
	pid_t keeper_pid, qemu_pid;
	uint64_t keeper_start, qemu_start; /* /proc start times, against pid reuse */
	int64_t started_ns;
	uint64_t cgroup_memory;
	char accel[8];
};

void vm_config_clear(struct vm_config *c);
void vm_state_clear(struct vm_state *s);
/* vms/NAME[/file] (file NULL: the directory); the caller frees. */
char *vm_path(const struct be_ctx *ctx, const char *name, const char *file);
/* RUN/vms/NAME<suffix> (".json", ".qmp", ".console"); the caller frees. */
char *vm_run_path(const struct be_ctx *ctx, const char *name, const char *suffix);
/* ROOT/vmdisks/ID<suffix> (".qcow2" or ".json"). */
char *vm_disk_path(const struct be_ctx *ctx, const char *id, const char *suffix);
int vm_config_load(const struct be_ctx *ctx, const char *name, struct vm_config *out,
                   struct be_error **err);
int vm_config_save(const struct be_ctx *ctx, const struct vm_config *c, struct be_error **err);
/* The same, into the directory dir (a VM's folder being made). */
int vm_config_write(const char *dir, const struct vm_config *c, struct be_error **err);
int vm_state_write(const char *dir, const struct vm_state *s, struct be_error **err);
int vm_state_load(const struct be_ctx *ctx, const char *name, struct vm_state *out,
                  struct be_error **err);
int vm_state_save(const struct be_ctx *ctx, const char *name, const struct vm_state *s,
                  struct be_error **err);
/* 1 with *out filled when a run record exists, 0 when none, -1 on error. */
int vm_run_load(const struct be_ctx *ctx, const char *name, struct vm_run *out,
                struct be_error **err);
int vm_run_save(const struct be_ctx *ctx, const char *name, const struct vm_run *r,
                struct be_error **err);
/* /proc start time of pid (0 when gone). */
uint64_t vm_proc_start(const struct be_ctx *ctx, pid_t pid);
/* True when the run record's keeper is that process still. */
bool vm_run_alive(const struct be_ctx *ctx, const struct vm_run *r);
/* A copy of ctx whose cgroup parent is the VMs' (BE_VM_CGROUP_SUFFIX);
 * free the result with vm_ctx_free (it borrows the other fields). */
struct be_ctx *vm_cg_ctx(const struct be_ctx *ctx);
void vm_cg_ctx_free(struct be_ctx *c);

/* ---- the qcow2 chain (vm_chain.c: pure; vm_disk.c: files) ----------------- */

/* One disk file's parent: another disk id, or "" for the image's base. */
struct vm_disk_node {
	char id[VM_ID_LEN + 1];
	char parent[VM_ID_LEN + 1];
	char image[BE_NAME_MAX + 1];
	bool keep; /* marked: some VM's top or snapshot builds on it */
};
/* Marks every node that a root (a top or snapshot disk id) is or builds on.
 * Returns -1 when a root or parent is missing or the chain loops. */
int vm_chain_mark(struct vm_disk_node *nodes, size_t n, const char *const *roots, size_t nroots);
/* Index of id in nodes, or -1. */
ssize_t vm_chain_find(const struct vm_disk_node *nodes, size_t n, const char *id);
/* Depth of id's chain (1 for a disk right on the base), -1 when broken. */
int vm_chain_depth(const struct vm_disk_node *nodes, size_t n, const char *id);
/* The snapshot a disk id directly builds on ("" when none): the snapshot
 * whose disk is id's parent. */
const char *vm_snap_parent(const struct vm_snap *s, size_t n, const struct vm_disk_node *nodes,
                           size_t nn, const char *disk);

/* Makes ROOT/vmdisks/NEW.qcow2 over parent (a disk id, or NULL for the
 * image's base) and its record; new_id gets the new id. */
int vm_disk_new(const struct be_ctx *ctx, const char *image, const char *parent, char *new_id,
                struct be_error **err);
/* Records a disk made by someone else (qemu's live snapshot). */
int vm_disk_record(const struct be_ctx *ctx, const char *id, const char *image, const char *parent,
                   struct be_error **err);
/* Every disk record under ROOT/vmdisks. */
int vm_disk_nodes(const struct be_ctx *ctx, struct vm_disk_node **out, size_t *n,
                  struct be_error **err);
/* Deletes disks no VM builds on (after rm, rollback).  Takes the global
 * "vmdisks" lock. */
int vm_disk_gc(const struct be_ctx *ctx, struct be_error **err);
/* Bytes of a disk file on disk (-1 when unreadable). */
int64_t vm_disk_size(const struct be_ctx *ctx, const char *id);
/* Runs argv (qemu-img, mke2fs), its stderr kept for the error. */
int vm_exec(char *const *argv, struct be_error **err);

/* ---- images (vm_image.c) ------------------------------------------------- */

struct vm_image {
	char *kernel_path; /* ROOT/vmimages/NAME/vmlinuz */
	char *disk_path;   /* ROOT/vmimages/NAME/disk.qcow2 */
	char *release;
	int64_t created;
};
void vm_image_clear(struct vm_image *im);
int vm_image_load(const struct be_ctx *ctx, const char *name, struct vm_image *out,
                  struct be_error **err);

/* ---- serial markers (vm_serial.c, pure) ------------------------------------ */

/* The guest's init prints "berth-start-TOKEN" before the command and
 * "berth-exit-TOKEN CODE" after it, each on a line of its own; the keeper
 * feeds the serial output through this parser. */
struct vm_serial {
	char token[VM_TOKEN_LEN + 1];
	char line[512];
	size_t len;
	bool started, exited;
	int code;
};
enum vm_serial_event { VM_SER_NONE, VM_SER_START, VM_SER_EXIT };
/* Consumes data; output (the command's, "\r\n" made "\n") is appended to
 * out (room for 2 * n + sizeof(line)), *out_len set.  Returns the event of
 * this chunk (START before EXIT when both, EXIT wins). */
enum vm_serial_event vm_serial_feed(struct vm_serial *s, const char *data, size_t n, char *out,
                                    size_t *out_len);

/* The kernel command line for a boot: console, root, berth's init, the
 * hostname, token and command (each word base64, comma-separated).  NULL
 * with *err when it does not fit.  The caller frees. */
char *vm_cmdline(const char *name, const char *token, char *const *cmd, struct be_error **err);
/* The cgroup's memory limit for guest RAM plus qemu's overhead, rounded
 * up to a MiB. */
uint64_t vm_cgroup_memory(uint64_t guest, uint64_t overhead);

/* ---- QMP (vm_qmp.c) ------------------------------------------------------ */

enum vm_qmp_kind { VM_QMP_GREETING, VM_QMP_RETURN, VM_QMP_ERROR, VM_QMP_EVENT, VM_QMP_BAD };
/* Classifies one QMP message; for an error, *desc gets its "desc" (caller
 * frees); for an event, its name. */
enum vm_qmp_kind vm_qmp_parse(const char *line, char **desc);
struct vm_qmp;
/* Connects to the VM's QMP socket and negotiates capabilities (waits up
 * to timeout_ms for the socket to accept). */
struct vm_qmp *vm_qmp_open(const char *path, unsigned timeout_ms, struct be_error **err);
/* Sends {"execute": cmd, "arguments": args (JSON text or NULL)}; waits for
 * its return (events are skipped).  An error reply fails with its desc. */
int vm_qmp_exec(struct vm_qmp *q, const char *cmd, const char *args, struct be_error **err);
void vm_qmp_close(struct vm_qmp *q);

/* ---- lifecycle helpers (vm_manage.c) ------------------------------------ */

/* Writes vms/NAME (config, state with a new disk over parent, NULL for the
 * image's base) in ROOT/tmp and renames it into place.  The caller holds
 * the VM's lock. */
int vm_write_dir(struct be_ctx *ctx, const struct vm_config *c, const char *parent,
                 struct be_error **err);
/* 1 with *run when the VM's keeper lives, else 0. */
int vm_running(struct be_ctx *ctx, const char *name, struct vm_run *run);
/* Takes the lock of an existing VM ("no such vm" otherwise). */
int vm_lock(struct be_ctx *ctx, const char *name, struct be_lock **lock, struct be_error **err);
/* Ends what a dead keeper left (qemu, cgroup, run files). */
void vm_reconcile(struct be_ctx *ctx, const char *name);

/* ---- keeper (vm_keeper.c) ------------------------------------------------ */

struct vm_keeper_args {
	struct be_ctx *ctx;
	const char *name;
	int start_fd;  /* gets "ok PID\n" or "err CODE message\n" */
	int attach_fd; /* an attached client's socket, or -1 */
	int lock_fd;   /* the VM's lock, dropped once qemu runs */
	char accel[8];
	uint64_t overhead;
};
_Noreturn void vm_keeper_main(const struct vm_keeper_args *a);

/* Attach protocol (SOCK_SEQPACKET): the keeper sends 'o' + output bytes,
 * and finally 'x' + the exit code in decimal; the console sends 'o' + raw
 * serial bytes, and takes 'i' + input bytes. */
#define VM_MSG_MAX 4096

#endif
