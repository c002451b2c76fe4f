/* Public API of virtual machines: qemu under a keeper of its own, in a
 * cgroup with the VM's limits, controlled over QMP; disks are qcow2 chains
 * (an image's read-only base, a thin overlay per VM, snapshots as overlays
 * stacked on top). */
#ifndef BE_VM_H
#define BE_VM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "be_cgroup.h"

struct be_ctx;
struct be_error;

/* VMs' cgroups live under "<be_ctx_cgroup_parent>" BE_VM_CGROUP_SUFFIX
 * ("berth-vm", "berth-1a2b3c4d-vm"), apart from the containers'. */
#define BE_VM_CGROUP_SUFFIX "-vm"

/* Guest RAM when none is asked for, and the least accepted. */
#define BE_VM_MEMORY_DEFAULT (256ull << 20)
#define BE_VM_MEMORY_MIN (64ull << 20)
/* How long stop waits for the guest to power off by default. */
#define BE_VM_STOP_TIMEOUT 20u

/* ---- images ---------------------------------------------------------------- */

/* Builds VM image NAME (normally "demo") offline: an ext4 disk made with
 * mke2fs -d from the demo container image's busybox userland and berth's
 * init, converted to a read-only qcow2 base, plus the cloud kernel found in
 * kernel_dir (NULL: $BERTH_KERNEL_DIR, then ROOT/kernel, then the build's
 * cache build/kernel/root).  Fails with how to fetch a kernel when none is
 * found.  An existing image of that name is left as it is unless force. */
int be_vm_image_demo(struct be_ctx *ctx, const char *name, const char *kernel_dir, bool force,
                     struct be_error **err);

struct be_vm_image_info {
	char name[65];
	char kernel[256];    /* release of the image's kernel */
	uint64_t disk_bytes; /* on-disk size of the base */
	int64_t created;     /* seconds since the epoch */
};
/* Lists the VM images; *out is an array of *n the caller frees. */
int be_vm_image_list(struct be_ctx *ctx, struct be_vm_image_info **out, size_t *n,
                     struct be_error **err);
/* Removes a VM image; refused while a VM's disk builds on it. */
int be_vm_image_remove(struct be_ctx *ctx, const char *name, struct be_error **err);

/* ---- lifecycle ------------------------------------------------------------- */

enum be_vm_net { BE_VM_NET_NONE = 0, BE_VM_NET_USER = 1 };

/* What the user asks for at create time.  Strings are borrowed. */
struct be_vm_spec {
	const char *name;                     /* NULL: a generated name */
	const char *image;                    /* a VM image (be_vm_image_demo) */
	char *const *cmd;                     /* NULL or empty: a shell on the serial console */
	uint64_t memory;                      /* guest RAM in bytes; 0: BE_VM_MEMORY_DEFAULT */
	uint64_t cpu_quota_us, cpu_period_us; /* --cpus as a CFS quota; 0: none */
	unsigned vcpus;                       /* 0: ceil(--cpus), at least 1 */
	enum be_vm_net net;
	bool auto_remove;
};

/* Creates vms/<name>/ with its config and a thin overlay on the image's
 * base.  VMs and containers share one name space.  name_out (may be NULL)
 * receives the name (BE_NAME_MAX + 1 bytes). */
int be_vm_create(struct be_ctx *ctx, const struct be_vm_spec *spec, char *name_out,
                 struct be_error **err);

/* Starts a created or stopped VM: forks its keeper, which makes the cgroup
 * and runs qemu in it, and returns once qemu runs.  With attach_fd non-NULL
 * it receives a socket on which the keeper sends the command's output (see
 * be_vm_attach_read); the caller closes it. */
int be_vm_start(struct be_ctx *ctx, const char *name, int *attach_fd, struct be_error **err);

/* Reads what an attached run sends: returns the number of output bytes put
 * in buf (> 0), 0 once the command's exit code is in *code, or -1 when the
 * keeper went away without one (*err says so). */
ssize_t be_vm_attach_read(int fd, char *buf, size_t len, int *code, struct be_error **err);

/* ACPI power button (QMP system_powerdown), then SIGKILL to qemu after
 * timeout_s; returns once the keeper has cleaned up.  Not running:
 * success. */
int be_vm_stop(struct be_ctx *ctx, const char *name, unsigned timeout_s, struct be_error **err);
int be_vm_restart(struct be_ctx *ctx, const char *name, unsigned timeout_s, struct be_error **err);
/* Sends sig to qemu (SIGKILL: the VM dies at once, as pulling the plug). */
int be_vm_kill(struct be_ctx *ctx, const char *name, int sig, struct be_error **err);
/* Waits until the VM is not running; returns its exit code. */
int be_vm_wait(struct be_ctx *ctx, const char *name, struct be_error **err);
/* Removes a stopped VM and its disk files no one else builds on (force:
 * kills it first). */
int be_vm_remove(struct be_ctx *ctx, const char *name, bool force, struct be_error **err);
/* Changes limits: memory takes effect at the next start (guest RAM is
 * fixed while it runs); --cpus is applied live to the cgroup too. */
int be_vm_update(struct be_ctx *ctx, const char *name, const struct be_vm_spec *lim,
                 struct be_error **err);

enum be_vm_status { BE_VM_CREATED, BE_VM_RUNNING, BE_VM_EXITED };
const char *be_vm_status_name(enum be_vm_status s);

struct be_vm_details {
	char name[65];
	char image[65];
	char *cmd; /* the command as one string ("" for a shell); freed by _clear */
	enum be_vm_status status;
	int exit_code; /* last exit, -1 when none */
	pid_t qemu_pid, keeper_pid;
	char accel[8];                /* "kvm" or "tcg" of the running (or last) boot */
	uint64_t memory;              /* guest RAM */
	uint64_t cgroup_memory_limit; /* RAM + overhead, as set on the cgroup */
	uint64_t cpu_quota_us, cpu_period_us;
	unsigned vcpus;
	int64_t created, started_ns, finished_ns; /* created in s, others wall ns */
	uint64_t boot_ns; /* start to the command's start marker (last boot) */
	char top[40];     /* the disk overlay in use */
	size_t n_snapshots;
	bool auto_remove;
};
void be_vm_details_clear(struct be_vm_details *i);
int be_vm_inspect(struct be_ctx *ctx, const char *name, struct be_vm_details *out,
                  struct be_error **err);
/* All VMs, sorted by name; free with be_vm_list_free. */
int be_vm_list(struct be_ctx *ctx, struct be_vm_details **out, size_t *n, struct be_error **err);
void be_vm_list_free(struct be_vm_details *v, size_t n);
/* v as a JSON array (inspect, ps --json); the caller frees. */
char *be_vm_details_json(const struct be_vm_details *v, size_t n);
/* The serial log's path (caller frees), for `vm logs`. */
char *be_vm_log_path(struct be_ctx *ctx, const char *name, struct be_error **err);

/* Connects to the keeper's serial console; returns a socket to relay with
 * be_vm_console_relay. */
int be_vm_console_open(struct be_ctx *ctx, const char *name, struct be_error **err);
/* Copies in_fd -> console and console -> out_fd until the VM goes away
 * (returns 0) or the detach keys ctrl-p ctrl-q are typed (returns 1). */
int be_vm_console_relay(int console, int in_fd, int out_fd);

/* ---- snapshots and clones ------------------------------------------------------ */

struct be_vm_snapshot_taken {
	char name[65];
	bool live;
	uint64_t took_ns; /* the QMP call (live) or the overlay's creation */
};
/* Freezes the current overlay as snapshot NAME (NULL: generated) and puts
 * a fresh empty one on top; live through QMP blockdev-snapshot-sync. */
int be_vm_snapshot(struct be_ctx *ctx, const char *name, const char *snap,
                   struct be_vm_snapshot_taken *out, struct be_error **err);
struct be_vm_snapshot_info {
	char name[65];
	char disk[40];   /* the frozen overlay */
	char parent[65]; /* the snapshot below it, "" for none */
	int64_t created;
	int64_t size; /* bytes of the overlay file */
	bool current; /* the VM's top builds on it directly */
};
int be_vm_snapshots(struct be_ctx *ctx, const char *name, struct be_vm_snapshot_info **out,
                    size_t *n, struct be_error **err);
/* Points the VM at the snapshot's overlay with a fresh one above (the VM
 * must be stopped). */
int be_vm_rollback(struct be_ctx *ctx, const char *name, const char *snap, struct be_error **err);
/* New VM NEW whose disk is a fresh overlay on SRC's current state (a
 * running SRC is snapshotted live first); both share everything below. */
int be_vm_clone(struct be_ctx *ctx, const char *src, const char *dst, bool auto_remove,
                struct be_error **err);

/* ---- acceleration ---------------------------------------------------------------- */

/* "kvm" when a probe boot under KVM reached the guest's kernel in time,
 * else "tcg".  The result is cached in ROOT/vm/accel.json; refresh probes
 * again.  $BERTH_VM_ACCEL=kvm|tcg overrides.  overhead gets qemu's memory
 * beyond guest RAM measured in the probe (bytes). */
int be_vm_accel(struct be_ctx *ctx, bool refresh, char accel[8], uint64_t *overhead,
                struct be_error **err);

/* ---- the guest's own view ------------------------------------------------------ */

/* What the demo guest's init reports on its second serial line (every 5 s):
 * its kernel release and its own memory view. */
struct be_vm_guest {
	char kernel[128];                  /* "" until reported */
	uint64_t mem_total, mem_available; /* bytes; 0 until reported */
};
/* Reads the running VM's latest report; fails when it is not running. */
int be_vm_guest_view(struct be_ctx *ctx, const char *name, struct be_vm_guest *out,
                     struct be_error **err);

#endif
