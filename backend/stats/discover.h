/* Discovery of what runs on the host: containers by their cgroup names
 * (berth, docker, podman, LXC, nspawn, libvirt, kubepods) and VMs by their
 * processes.  Used by the monitor (stats.c) at each refresh: it reads
 * directories with getdents64 into buffers it keeps, so once warm it
 * allocates nothing. */
#ifndef BE_DISCOVER_H
#define BE_DISCOVER_H

#include "berth.h"
#include "stats/parse.h"

/* One thing found.  Strings point into the walker's buffers: copy them
 * before the callback returns. */
struct be_found {
	enum be_kind kind;
	char name[BE_ITEM_NAME_MAX];
	char id[BE_ITEM_ID_MAX];
	const char *cgroup; /* "/docker/<id>": below the cgroup root; "" for a VM process */
	/* VM processes only */
	pid_t pid;
	const struct be_vm_cmdline *vm;
	const char *vm_cgroup; /* the process's own cgroup, for joining libvirt guests */
	bool other_root;       /* a berth container of another state root */
	pid_t key_pid;         /* nspawn: the systemd-nspawn process (pid is its init) */
};

enum be_class {
	BE_CLASS_SKIP,    /* nothing of interest below */
	BE_CLASS_DESCEND, /* a slice or parent that may hold containers */
	BE_CLASS_ITEM,    /* a container: *out is filled */
};
/* Classifies the cgroup directory LEAF whose parent is PARENT (a path below
 * the root, "" for the root itself): pure, on names only. */
enum be_class discover_classify(const char *parent, const char *leaf, struct be_found *out);
/* systemd's unit name escaping: "\x2d" -> "-".  Writes into out. */
void discover_unescape(const char *in, size_t n, char *out, size_t len);

/* Controllers the monitor reads on v1. */
enum be_ctl { BE_CTL_CPU, BE_CTL_CPUACCT, BE_CTL_MEMORY, BE_CTL_PIDS, BE_CTL_BLKIO, BE_CTL_COUNT };

/* A growable buffer for getdents64 results. */
struct be_dbuf {
	char *data;
	size_t len, cap;
};

/* Reads the whole directory fd (from its start) into b; -1 on error. */
ssize_t discover_read_dir(int fd, struct be_dbuf *b);
/* Next entry after *off other than "." and "..". */
bool discover_next(const struct be_dbuf *b, size_t *off, const char **name, unsigned char *type);

struct be_discover;
typedef void (*be_found_fn)(void *arg, const struct be_found *f);

/* A walker over ctx's cgroup and /proc roots (ctx must outlive it). */
struct be_discover *discover_new(const struct be_ctx *ctx);
void discover_free(struct be_discover *d);
/* Children of PARENT (below the cgroup root) are items of KIND. */
int discover_watch(struct be_discover *d, const char *parent, enum be_kind kind,
                   struct be_error **err);
/* With foreign false, only watched parents are walked (berth's own). */
void discover_set_foreign(struct be_discover *d, bool foreign);
/* Walks the cgroup tree and calls fn for each container found.  Fails only
 * when the cgroup root cannot be read at all. */
int discover_cgroups(struct be_discover *d, be_found_fn fn, void *arg, struct be_error **err);
/* Scans the /proc root for VM processes and calls fn for each.  Processes
 * are classified once (rechecked while young, for a fork then exec). */
int discover_vms(struct be_discover *d, be_found_fn fn, void *arg, struct be_error **err);
/* Forgets what pid was (its process died, the pid may be reused): the next
 * scan classifies it again. */
void discover_forget(struct be_discover *d, pid_t pid);
/* The machine name of a systemd-nspawn command line (NUL-separated, len
 * bytes): -M/--machine, else the basename of -D/--directory, else
 * "nspawn-PID".  Into out. */
void discover_nspawn_name(const char *argv, size_t len, pid_t pid, char *out, size_t olen);
/* The start of the oldest of pids (at most the first 64 looked at), in
 * seconds since the epoch; 0 when none can be read. */
uint64_t discover_start_time(struct be_discover *d, const pid_t *pids, size_t n);
/* The state root of the berth container in cgroup "/<parent>/<name>" whose
 * members are pids: from its keeper (the log it holds open, else its
 * --root or BERTH_ROOT), checked against the parent's hash; "?" when
 * unknown.  Into out. */
void discover_berth_root(struct be_discover *d, const char *cgroup, const pid_t *pids, size_t n,
                         char *out, size_t len);
/* True when root's containers live under cgroup parent ("berth" for
 * /var/lib/berth, "berth-<8 hex of FNV-1a of the path>" else). */
bool discover_root_matches(const char *root, const char *parent);
/* The directory fd of a v1 controller (a "cpu,cpuacct" mount serves both),
 * or of the v2 root for any; -1 when absent. */
int discover_ctl_fd(const struct be_discover *d, enum be_ctl ctl);
/* The /proc root's directory fd. */
int discover_proc_fd(const struct be_discover *d);

#endif
