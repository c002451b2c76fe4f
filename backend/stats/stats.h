/* The monitor's layout, shared by stats.c (slots, refresh), stats_cgroup.c
 * (cgroup files), stats_proc.c (VM processes, host meters) and
 * stats_format.c (columns), stats_json.c (the JSON schema). */
#ifndef BE_STATS_INT_H
#define BE_STATS_INT_H

#include "berth.h"
#include "stats/discover.h"

/* The files an item keeps open.  The cgroup ones come first. */
enum be_mfile {
	MF_PROCS,
	MF_CPU_STAT,
	MF_CPUACCT_USAGE,
	MF_CPUACCT_STAT,
	MF_CPU_MAX,
	MF_CFS_QUOTA,
	MF_CFS_PERIOD,
	MF_CPU_WEIGHT,
	MF_MEM_CURRENT,
	MF_MEM_MAX,
	MF_MEM_PEAK,
	MF_MEM_STAT,
	MF_MEM_EVENTS,
	MF_MEM_OOM,
	MF_MEM_FAILCNT,
	MF_MEM_SWAP,
	MF_PIDS_CURRENT,
	MF_PIDS_MAX,
	MF_IO_BYTES,
	MF_IO_OPS,
	MF_PSI_CPU,
	MF_PSI_MEM,
	MF_PSI_IO,
	MF_CGROUP_COUNT,
	MF_NET = MF_CGROUP_COUNT, /* <proc>/<member pid>/net/dev */
	MF_PROC_STAT,             /* <proc>/<VMM pid>/stat */
	MF_COUNT,
};

/* Refreshes during which files missing at first are tried again (a v1
 * cgroup is made one controller at a time). */
#define BE_YOUNG_REFRESHES 3
/* Files that change only when someone sets a limit (quota, period, weight,
 * memory and pids limits, peak, v1 failcnt) are re-read every
 * BE_SLOW_EVERY refreshes, staggered over the items, and carried over in
 * between: a refresh then reads about 9 files per v1 cgroup instead of 15. */
#define BE_SLOW_EVERY 5

/* The open-files soft limit the monitor raises itself to, when the hard
 * limit allows: 18 files an item for ~58,000 v1 cgroups. */
#define BE_MONITOR_NOFILE 1048576
/* Descriptors under the soft limit that items leave free (for discovery's
 * directories, the TUI, its children). */
#define BE_MONITOR_FD_RESERVE 64

struct be_slot {
	struct be_item it; /* what callers see */
	size_t idx;        /* in mon->slots */
	bool used;
	bool slow_now;    /* this refresh re-reads the slow files */
	bool proc_item;   /* figures from one process (it.vm.pid), not a VM */
	uint64_t seen;    /* refresh that last discovered it */
	uint64_t born;    /* refresh that created it */
	uint64_t vm_seen; /* refresh that last found its VMM process */
	char pkey[16];    /* "#<pid>" of a process's item; a cgroup's is it.cgroup */
	int fd[MF_COUNT];
	bool unkept;    /* out of descriptors: files opened at each read, none kept */
	uint32_t tried; /* MF_* bits opened or given up on */
	bool has_prev;  /* it.cur holds the last sample */
	pid_t *pids;
	size_t pids_cap;
	pid_t net_pid;            /* whose net/dev fd[MF_NET] reads; 0 none */
	bool net_host;            /* net_pid is in the host's network namespace */
	uint64_t threads_counted; /* refresh of the last vCPU thread count */
};

struct be_host_state {
	int fd_stat, fd_meminfo, fd_loadavg, fd_psi[3];
	struct be_cpu_times all, *each, *each_prev, all_prev;
	double *pct_each;
	size_t ncpu_cap;
	bool opened, has_prev;
};

struct be_monitor {
	struct be_ctx *ctx;
	struct be_monitor_opts opts;
	struct be_discover *disc;
	enum be_cgroup_layout layout;
	struct be_slot **slots;
	size_t nslots, cap;
	uint32_t *hash; /* slot index + 1; 0 = empty */
	size_t hcap;
	bool changed; /* membership changed: rebuild the hash */
	const struct be_item **list;
	size_t nlist;
	uint64_t refreshes;
	int fd_ceiling; /* items keep no descriptor from here up (BE_MONITOR_FD_RESERVE) */
	uint64_t tick_ns, page_size;
	uint64_t host_netns; /* inode of pid 1's net namespace; 0 unknown */
	char *buf;           /* scratch for file contents */
	size_t buf_cap;
	struct be_dbuf tbuf; /* task listing for vCPU threads */
	struct be_host host;
	struct be_host_state hs;
};

/* pread of fd at offset 0 into mon->buf, NUL-terminated; returns the length
 * or -1 with errno set. */
ssize_t stats_reread(struct be_monitor *mon, int fd);
/* Opens the cgroup files of a new or young slot that are not open yet. */
void stats_open_cgroup(struct be_monitor *mon, struct be_slot *s);
/* Closes every fd of a slot. */
void stats_close_files(struct be_slot *s);
/* Fills x from a cgroup slot's files; returns -1 when the cgroup is gone
 * (ENODEV: removed, or removed and made again). */
int stats_sample_cgroup(struct be_monitor *mon, struct be_slot *s, struct be_sample *x);
/* Reads the VMM process of a slot into s->it.vm (and x for a bare VM);
 * returns -1 when the process is gone. */
int stats_sample_vm(struct be_monitor *mon, struct be_slot *s, struct be_sample *x);
/* Reads the host meters into mon->host. */
void stats_sample_host(struct be_monitor *mon);
void stats_host_free(struct be_monitor *mon);
/* True for the files re-read only every BE_SLOW_EVERY refreshes. */
bool stats_slow_file(enum be_mfile f);
/* For the benchmark: the fds a refresh re-reads (items' and host's), the
 * slow ones (slow true) or the others, up to max into out; returns how many
 * there are. */
size_t stats_fds(const struct be_monitor *mon, bool slow, int *out, size_t max);
/* v with prec decimals and a '.' whatever the locale, "null" when v is not
 * finite; returns the length as snprintf does (stats_format.c). */
int stats_fmt_fixed(char *buf, size_t len, double v, int prec);
/* Sets the rate fields of x from the previous sample p. */
void stats_rates(struct be_sample *x, const struct be_sample *p);
/* The reverse of be_stats_item_json / be_stats_host_json, for a recording:
 * the fields of object o into it (identity, it->cur with its have bits) or
 * h (each: room for the per-CPU figures, each_max of them).  A missing
 * field stays unknown; -1 when o is not an item (no name) or an object. */
struct json_t;
int stats_item_from_json(const struct json_t *o, struct be_item *it);
int stats_host_from_json(const struct json_t *o, struct be_host *h, double *each, size_t each_max);

#endif
