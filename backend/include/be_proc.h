/* Processes and namespaces of a container, for the TUI's detail view and
 * `berth top`: read from the context's /proc root (a fixture tree in unit
 * tests), so the front ends never read /proc themselves. */
#ifndef BE_PROC_H
#define BE_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct be_ctx;
struct be_error;

struct be_proc_info {
	pid_t pid, ppid;  /* as the host sees them */
	pid_t ns_pid;     /* as its own pid namespace sees it (a container's init:
	                     1); 0 when the kernel does not say (no NSpid line) */
	char state;       /* R, S, D, Z, T... from /proc/PID/stat */
	uid_t uid;        /* real uid, from status */
	unsigned threads; /* from status */
	uint64_t rss_bytes;
	uint64_t cpu_ns;   /* utime + stime */
	uint64_t start_ns; /* start time after boot */
	char comm[32];     /* comm, which may hold spaces and parentheses */
	char cmdline[256]; /* argv joined by spaces, cut; "[comm]" when empty */
};

/* Reads the processes PIDS[0..n).  Those that vanished meanwhile are left out
 * quietly; the rest come sorted by pid.  Fails only on memory or when the
 * /proc root itself cannot be read.  Free *out with free(). */
int be_proc_list(struct be_ctx *ctx, const pid_t *pids, size_t n, struct be_proc_info **out,
                 size_t *nout, struct be_error **err);

enum be_ns_type {
	BE_NS_CGROUP,
	BE_NS_IPC,
	BE_NS_MNT,
	BE_NS_NET,
	BE_NS_PID,
	BE_NS_TIME,
	BE_NS_USER,
	BE_NS_UTS,
	BE_NS_COUNT,
};

struct be_ns_info {
	const char *type;    /* "cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts" */
	bool present;        /* the kernel has it and both links could be read */
	uint64_t inode;      /* of PID's namespace: /proc/PID/ns/TYPE -> "TYPE:[N]" */
	uint64_t host_inode; /* of the host's: /proc/1/ns/TYPE, or berth's own
	                        (/proc/self/ns/TYPE) where pid 1's cannot be read */
	bool shared;         /* present and inode == host_inode */
};

/* Compares PID's namespaces with those of the host's init (/proc/1, or
 * berth's own where that cannot be read: a sandbox's pid 1).  A
 * type the kernel lacks is present=false; fails only when PID is gone
 * ("process N is gone"). */
int be_ns_compare(struct be_ctx *ctx, pid_t pid, struct be_ns_info out[BE_NS_COUNT],
                  struct be_error **err);

#endif
