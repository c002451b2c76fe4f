/* Public API of the metrics engine: what a sample holds, the monitor that
 * discovers containers and VMs and samples them, berth's one definition of
 * CPU%, history ring buffers, the table columns and the JSON schema. */
#ifndef BE_STATS_H
#define BE_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct be_ctx;
struct be_error;

/* ---- CPU% ---------------------------------------------------------------
 * berth's one definition of CPU%: CPU time used over wall time elapsed (both
 * in ns, wall time on CLOCK_MONOTONIC), times 100.  100% means one CPU busy
 * for the whole interval; a container using two full CPUs shows 200%.  (This
 * is what top's per-process column and `docker stats` show; htop's header and
 * `top`'s "%Cpu(s)" line use 100% = all CPUs instead.)  Every CPU% that berth
 * prints, draws or writes comes from this function, and the JSON field says
 * which it is. */
#define BE_CPU_PERCENT_FIELD "cpu_percent_of_one_cpu"
static inline double be_cpu_percent(uint64_t cpu_ns, uint64_t wall_ns)
{
	return wall_ns ? 100.0 * (double)cpu_ns / (double)wall_ns : 0.0;
}

/* A limit that is not set ("max", "-1", v1's 9223372036854771712). */
#define BE_UNLIMITED UINT64_MAX

/* ---- what is monitored --------------------------------------------------- */
enum be_kind {
	BE_KIND_BERTH,    /* berth's own container: <cgroup parent>/<name> */
	BE_KIND_DOCKER,   /* docker-<id>.scope, /docker/<id> */
	BE_KIND_PODMAN,   /* libpod-<id>.scope, /libpod_parent/libpod-<id> */
	BE_KIND_LXC,      /* lxc.payload.<name>, /lxc/<name> */
	BE_KIND_NSPAWN,   /* machine-<name>.scope */
	BE_KIND_LIBVIRT,  /* machine-qemu\x2d<N>\x2d<name>.scope, machine-lxc\x2d... */
	BE_KIND_KUBEPODS, /* containers below kubepods */
	BE_KIND_VM,       /* a VM process (qemu, firecracker, cloud-hypervisor, crosvm) */
	BE_KIND_CGROUP,   /* a child of a parent watched with be_monitor_watch */
	BE_KIND_COUNT,
};
/* "berth", "docker", "podman", "lxc", "nspawn", "libvirt", "kubepods", "vm",
 * "cgroup"; "?" out of range. */
const char *be_kind_name(enum be_kind kind);

/* Pressure stall information of one resource (cpu, memory or io). */
struct be_psi {
	double some_avg10, some_avg60, some_avg300;
	double full_avg10, full_avg60, full_avg300;
	uint64_t some_total_us, full_total_us;
	bool has_full; /* the file had a "full" line */
};

/* Bits of be_sample.have: which groups of fields were read this time. */
enum {
	BE_HAVE_CPU = 1u << 0,        /* cpu_usage_ns */
	BE_HAVE_CPU_SPLIT = 1u << 1,  /* cpu_user_ns, cpu_system_ns */
	BE_HAVE_THROTTLE = 1u << 2,   /* cpu_periods, throttled_* */
	BE_HAVE_CPU_LIMIT = 1u << 3,  /* cpu_quota_us, cpu_period_us */
	BE_HAVE_CPU_WEIGHT = 1u << 4, /* cpu_weight */
	BE_HAVE_MEM = 1u << 5,        /* mem_bytes */
	BE_HAVE_MEM_STAT = 1u << 6,   /* working set, anon, file */
	BE_HAVE_MEM_LIMIT = 1u << 7,  /* mem_limit_bytes */
	BE_HAVE_MEM_PEAK = 1u << 8,
	BE_HAVE_SWAP = 1u << 9,
	BE_HAVE_OOM = 1u << 10, /* oom_kills */
	BE_HAVE_PIDS = 1u << 11,
	BE_HAVE_PIDS_LIMIT = 1u << 12,
	BE_HAVE_IO = 1u << 13,     /* io bytes */
	BE_HAVE_IO_OPS = 1u << 14, /* io ops */
	BE_HAVE_NET = 1u << 15,
	BE_HAVE_PSI_CPU = 1u << 16,
	BE_HAVE_PSI_MEM = 1u << 17,
	BE_HAVE_PSI_IO = 1u << 18,
	BE_HAVE_RATES = 1u << 19,      /* the *_per_s and cpu_percent fields are set */
	BE_HAVE_NET_HOST = 1u << 20,   /* shares the host's network namespace */
	BE_HAVE_OOM_EVENTS = 1u << 21, /* oom_events (v2 only) */
	BE_HAVE_LIMIT_HITS = 1u << 22, /* mem_limit_hits */
};

/* One sample of one item.  Counters are cumulative since the cgroup (or
 * process) began; rates cover the interval since the previous sample. */
struct be_sample {
	uint64_t time_ns; /* CLOCK_MONOTONIC */
	uint32_t have;    /* BE_HAVE_* */
	/* CPU */
	uint64_t cpu_usage_ns, cpu_user_ns, cpu_system_ns;
	uint64_t cpu_periods, throttled_periods, throttled_ns;
	uint64_t cpu_quota_us; /* BE_UNLIMITED when no quota */
	uint64_t cpu_period_us;
	uint64_t cpu_weight;      /* v2 cpu.weight (1-10000) or v1 cpu.shares */
	double cpu_percent;       /* be_cpu_percent(): 100 = one CPU */
	double cpu_cores;         /* CPUs in use: cpu_percent / 100 */
	double cpu_quota_percent; /* use against the quota, or < 0 without quota */
	double throttled_percent; /* throttled periods among the interval's periods */
	/* memory */
	uint64_t mem_bytes;             /* v1 usage_in_bytes, v2 memory.current, VM RSS */
	uint64_t mem_working_set_bytes; /* mem_bytes - inactive_file, as docker */
	uint64_t mem_anon_bytes, mem_file_bytes;
	uint64_t mem_limit_bytes; /* BE_UNLIMITED when none */
	uint64_t mem_peak_bytes, mem_swap_bytes;
	uint64_t oom_events;     /* v2 memory.events "oom" (v1 has no such count) */
	uint64_t oom_kills;      /* v2 memory.events oom_kill, v1 memory.oom_control */
	uint64_t mem_limit_hits; /* v2 memory.events "max", v1 memory.failcnt */
	/* pids */
	uint64_t pids, pids_limit; /* pids_limit BE_UNLIMITED when none */
	/* block IO */
	uint64_t io_read_bytes, io_write_bytes, io_read_ops, io_write_ops;
	double io_read_bytes_per_s, io_write_bytes_per_s, io_read_ops_per_s, io_write_ops_per_s;
	/* network (the item's network namespace, loopback left out) */
	uint64_t net_rx_bytes, net_tx_bytes, net_rx_packets, net_tx_packets;
	double net_rx_bytes_per_s, net_tx_bytes_per_s, net_rx_packets_per_s, net_tx_packets_per_s;
	/* pressure */
	struct be_psi psi_cpu, psi_mem, psi_io;
};

/* The raw counters of a sample that rates come from: what `explain` shows
 * as the value before. */
struct be_counters {
	uint64_t time_ns;
	uint64_t cpu_usage_ns, cpu_periods, throttled_periods;
	uint64_t io_read_bytes, io_write_bytes;
	uint64_t net_rx_bytes, net_tx_bytes;
};
/* Those of x. */
void be_counters_of(const struct be_sample *x, struct be_counters *out);

/* What is known about a VM process. */
struct be_vm_info {
	char vmm[24];             /* "qemu", "firecracker", "cloud-hypervisor", "crosvm" */
	pid_t pid;                /* the VMM process */
	uint64_t guest_mem_bytes; /* from its command line (-m); 0 when unknown */
	unsigned vcpus;           /* configured (-smp); 0 when unknown */
	unsigned vcpu_threads;    /* threads named as vCPU threads ("CPU 0/KVM") */
	unsigned threads;
	uint64_t rss_bytes;
	uint64_t cpu_ns; /* utime + stime of the process */
};

/* ---- history -------------------------------------------------------------
 * Fixed ring buffers, one per metric, read as BE_STATS_HISTORY samples.
 * The last BE_RING_RECENT samples are kept one by one; older ones as the
 * mean of each BE_RING_BUCKET (as rrdtool's and Netdata's tiers: a graph of
 * the last minute shows every second, the four before in 10 s steps), the
 * samples of a bucket not yet full as their running mean.  A value is kept
 * in one byte, on a log scale below the ring's largest: BE_RING_STEPS codes
 * an octave (within 2.2% of what was pushed, for values down to 2^-15 of
 * the largest; smaller ones read as that), 0 exactly 0.  A zeroed ring is
 * empty; no allocation, and the 7 rings of an item take under 1 KiB.
 * The newest sample is kept as pushed.  Negative values and NaN read as 0. */
#define BE_STATS_HISTORY 300
#define BE_RING_STEPS 16
#define BE_RING_RECENT 60
#define BE_RING_BUCKET 10
#define BE_RING_OLD ((BE_STATS_HISTORY - BE_RING_RECENT) / BE_RING_BUCKET)
struct be_ring {
	float last;            /* the newest sample, as pushed */
	float pend_sum;        /* samples that left the recent ones, not yet a bucket */
	int16_t top;           /* code 255 reads 2^(top / BE_RING_STEPS) */
	uint16_t count;        /* samples it reads as, <= BE_STATS_HISTORY */
	uint16_t live;         /* held codes that are not 0 */
	uint8_t rhead, rcount; /* the recent samples: q[0..BE_RING_RECENT) */
	uint8_t ohead, ocount; /* the buckets: q[BE_RING_RECENT..) */
	uint8_t npend;         /* samples in pend_sum */
	uint8_t q[BE_RING_RECENT + BE_RING_OLD];
};
void be_ring_push(struct be_ring *r, float v);
/* Sample i, 0 = the oldest held; i < r->count (a bucket's mean for the
 * samples older than the last BE_RING_RECENT). */
float be_ring_at(const struct be_ring *r, size_t i);
/* The newest sample, or 0 when empty. */
float be_ring_last(const struct be_ring *r);

enum be_hist {
	BE_HIST_CPU,      /* cpu_percent */
	BE_HIST_MEM,      /* mem_bytes */
	BE_HIST_IO_READ,  /* io_read_bytes_per_s */
	BE_HIST_IO_WRITE, /* io_write_bytes_per_s */
	BE_HIST_NET_RX,   /* net_rx_bytes_per_s */
	BE_HIST_NET_TX,   /* net_tx_bytes_per_s */
	BE_HIST_PIDS,
	BE_HIST_COUNT,
};

/* ---- items ----------------------------------------------------------------
 * One container or VM as the monitor sees it.  Read-only for callers; valid
 * until the next be_monitor_refresh or be_monitor_free. */
#define BE_ITEM_NAME_MAX 128
#define BE_ITEM_ID_MAX 80
#define BE_ITEM_CGROUP_MAX 512
#define BE_ITEM_ROOT_MAX 256
/* Something the monitor saw happen to an item, between two samples. */
enum be_mark_type {
	BE_MARK_OOM,       /* the OOM killer ended a process (oom_kills grew) */
	BE_MARK_THROTTLED, /* throttled in half of the periods or more (was below) */
	BE_MARK_PIDS_MAX,  /* as many tasks as pids.max allows (was below) */
	BE_MARK_LIMIT,     /* a memory, CPU or pids limit changed */
};
#define BE_MARKS 8
struct be_mark {
	uint64_t sample; /* the item's sample number (be_item.samples) it came with */
	int64_t wall_ns;
	enum be_mark_type type;
	char detail[20]; /* "4194304 of 4194304" */
};
/* "OOM kill", "throttled", "pids limit", "limit changed". */
const char *be_mark_name(enum be_mark_type t);

struct be_item {
	enum be_kind kind;
	/* Hook for the runtime and the TUI: true for berth's own containers,
	 * whose `name` is the container name to join with its state. */
	bool berth;
	bool is_vm;                   /* vm is filled (VM process, or libvirt guest with its VMM) */
	char name[BE_ITEM_NAME_MAX];  /* docker, podman: their name, else 12 hex of the id */
	char id[BE_ITEM_ID_MAX];      /* engine id (docker, podman), or pid for a VM */
	char image[BE_ITEM_NAME_MAX]; /* docker's or podman's image name; "" unknown */
	char cgroup[BE_ITEM_CGROUP_MAX]; /* path below the cgroup root, "" for none */
	const pid_t *pids;               /* member pids (cgroup.procs), or the VMM pid */
	size_t npids;
	struct be_vm_info vm;
	struct be_sample cur;    /* latest sample */
	struct be_counters prev; /* the sample before cur (for explain); cur's at first */
	uint64_t first_seen_ns;
	/* When it started: its oldest process's start time (/proc/PID/stat),
	 * in seconds since the epoch; 0 when unknown. */
	uint64_t start_time_unix;
	/* A berth container of another state root (kind berth, berth false):
	 * that root's path, or "?" when no keeper names it; "" otherwise. */
	char root[BE_ITEM_ROOT_MAX];
	struct be_ring hist[BE_HIST_COUNT];
	uint64_t samples;               /* samples pushed into hist so far */
	struct be_mark marks[BE_MARKS]; /* a ring: the newest at (nmarks - 1) % BE_MARKS */
	uint32_t nmarks;                /* marks ever made */
};

/* Gives it the next sample x, as a refresh of the monitor does: the marks
 * that x makes against it->cur (stamped wall_ns, the wall clock in ns),
 * prev and cur, and the history rings.  For items not of a monitor (a
 * replayed recording); it->samples 0 means x is its first sample. */
void be_item_advance(struct be_item *it, const struct be_sample *x, int64_t wall_ns);

/* ---- host meters ---------------------------------------------------------- */
#define BE_HAVE_HOST_PSI_CPU (1u << 0)
#define BE_HAVE_HOST_PSI_MEM (1u << 1)
#define BE_HAVE_HOST_PSI_IO (1u << 2)
#define BE_HAVE_HOST_RATES (1u << 3)
struct be_host {
	uint64_t time_ns;
	uint32_t have;                  /* BE_HAVE_HOST_* */
	unsigned ncpus;                 /* CPUs in /proc/stat */
	double cpu_percent;             /* all CPUs: be_cpu_percent(), up to ncpus*100 */
	const double *cpu_percent_each; /* ncpus entries, each 0-100 */
	uint64_t mem_total_bytes, mem_available_bytes, mem_used_bytes; /* used = total - avail */
	uint64_t mem_free_bytes, mem_buffers_bytes, mem_cached_bytes;
	uint64_t swap_total_bytes, swap_free_bytes;
	double load1, load5, load15;
	unsigned tasks_running, tasks_total;
	struct be_psi psi_cpu, psi_mem, psi_io;
	struct be_ring hist_cpu, hist_mem; /* cpu_percent, mem_used_bytes */
};

/* ---- the monitor ----------------------------------------------------------
 * Created once; each be_monitor_refresh rediscovers (readdir) and samples.
 * Files are opened once per item and re-read with pread; once warm a refresh
 * allocates nothing (memory grows only when new items appear). */
struct be_monitor_opts {
	bool no_vms;     /* skip the /proc scan for VM processes */
	bool no_foreign; /* only berth's own containers (and watched parents) */
	bool no_host;    /* skip the host meters */
};
struct be_monitor;

/* Creates a monitor on ctx's cgroup and /proc roots; nothing is read until
 * the first refresh.  ctx must outlive it.  Free with be_monitor_free. */
struct be_monitor *be_monitor_new(struct be_ctx *ctx, const struct be_monitor_opts *opts,
                                  struct be_error **err);
void be_monitor_free(struct be_monitor *mon);
/* Also reports every child cgroup of PARENT (a path below the cgroup root,
 * "a/b", on every controller for v1) as an item of KIND.  Fails on a path
 * with "..", on a bad kind or when too many parents are watched. */
int be_monitor_watch(struct be_monitor *mon, const char *parent, enum be_kind kind,
                     struct be_error **err);
/* Rediscovers and samples everything.  Fails only when nothing at all can be
 * read (a missing cgroup root); vanished items are dropped quietly. */
int be_monitor_refresh(struct be_monitor *mon, struct be_error **err);
/* Items found by the last refresh, in discovery order. */
size_t be_monitor_count(const struct be_monitor *mon);
const struct be_item *be_monitor_item(const struct be_monitor *mon, size_t i);
/* The item whose name equals text (berth's own first, when a docker or
 * podman container has the same name), else the one whose id starts with
 * text (at least 3 characters); NULL when none or ambiguous. */
const struct be_item *be_monitor_find(const struct be_monitor *mon, const char *text);
/* Host meters of the last refresh (zeroed with no_host). */
const struct be_host *be_monitor_host(const struct be_monitor *mon);

/* ---- columns: the table `berth top` prints and the TUI draws ---------------
 * Formatters write text into buf (always NUL-terminated) and return its
 * length; "-" (human) or "" (raw) when the value is not known. */
struct be_column {
	const char *id;    /* stable id, saved in configs: "cpu" */
	const char *title; /* "CPU%" */
	int width;         /* columns; negative = left-aligned */
	int (*format)(const struct be_item *it, char *buf, size_t len);     /* for people */
	int (*format_raw)(const struct be_item *it, char *buf, size_t len); /* for CSV */
	int (*compare)(const struct be_item *a, const struct be_item *b);   /* for sorting */
};
extern const struct be_column be_stats_columns[];
extern const size_t be_stats_ncolumns;
/* The column with this id, or NULL. */
const struct be_column *be_stats_column(const char *id);

/* "Where does this number come from?": for column id of an item of mon,
 * the file(s) the monitor reads (their real paths), the raw values of the
 * last two samples, the time between them, the formula, the unit and the
 * value as the column shows it. */
struct be_explain {
	char column[24], title[24];
	char source[400];    /* files, "; "-separated */
	char raw_before[96]; /* the counter at the previous sample ("" for a level) */
	char raw_now[96];    /* the counter (or level) now */
	double interval_s;   /* between the two samples; 0 for a level */
	char formula[160];
	char unit[48];
	char shown[48]; /* what the column prints */
};
/* Fails for a column without an explanation or an item not from mon. */
int be_explain(const struct be_monitor *mon, const struct be_item *it, const char *column,
               struct be_explain *out, struct be_error **err);
/* Every column that has an explanation, as the JSON of `stats --explain
 * --json` (docs/stats.md); the caller frees it. */
char *be_explain_json(const struct be_monitor *mon, const struct be_item *it);
/* One header line of host meters, as top's first lines, into buf. */
int be_stats_host_line(const struct be_host *h, char *buf, size_t len);

/* ---- JSON Lines schema (docs/stats.md) ---------------------------------------
 * Each writes one JSON object without a newline into buf and returns its
 * length, or the length it needs (like snprintf) when len is too small.
 * time_unix_ms is the wall-clock time to stamp the record with. */
int be_stats_item_json(const struct be_item *it, int64_t time_unix_ms, char *buf, size_t len);
int be_stats_host_json(const struct be_host *h, int64_t time_unix_ms, char *buf, size_t len);

#endif
