/* Pure parsers of the kernel's text files (cgroupfs, /proc) and of VM
 * command lines: literal text in, numbers out; no I/O, no allocation.
 * Unknown keys are skipped, so newer kernels with more lines parse too. */
#ifndef BE_PARSE_H
#define BE_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "be_stats.h"

/* Helpers shared by the parser files: past spaces and tabs; digits to a
 * u64 (saturating), returning the end or NULL when there is no digit; the
 * start of the next line (or the end of the text). */
const char *parse_skip_blanks(const char *s);
const char *parse_read_u64(const char *s, uint64_t *out);
const char *parse_next_line(const char *s);

/* "123\n" -> 123.  Fails (-1) on anything but digits and blanks. */
int parse_u64(const char *text, uint64_t *out);
/* A limit: a number, "max", "-1" or v1's huge value (>= 2^62) all but the
 * number giving BE_UNLIMITED. */
int parse_limit(const char *text, uint64_t *out);
/* Fixed-point "12.34" -> 12.34 without the locale; *end set past it. */
double parse_decimal(const char *s, const char **end);

/* "key value" lines: for each line whose first word is keys[i] (a trailing
 * ':' on the word is allowed), sets vals[i].  Returns the bitmask of keys
 * found (up to 64 keys). */
uint64_t parse_keyed(const char *text, const char *const *keys, size_t nkeys, uint64_t *vals);

struct be_cpu_stat {
	uint64_t usage_ns, user_ns, system_ns;
	uint64_t periods, throttled, throttled_ns;
	bool has_usage, has_split, has_throttle;
};
/* v2 cpu.stat: usage_usec, user_usec, system_usec, nr_periods, nr_throttled,
 * throttled_usec. */
int parse_cpu_stat_v2(const char *text, struct be_cpu_stat *out);
/* v1 cpu.stat: nr_periods, nr_throttled, throttled_time (ns).  Fills only the
 * throttle fields. */
int parse_cpu_stat_v1(const char *text, struct be_cpu_stat *out);
/* v1 cpuacct.stat: user and system in clock ticks of tick_ns each.  Fills
 * only the split fields. */
int parse_cpuacct_stat(const char *text, uint64_t tick_ns, struct be_cpu_stat *out);
/* v2 cpu.max: "max 100000" or "50000 100000". */
int parse_cpu_max(const char *text, uint64_t *quota_us, uint64_t *period_us);

struct be_mem_stat {
	uint64_t anon, file, inactive_file, active_file, shmem, swap;
	bool has_swap;
};
/* v1 memory.stat: the hierarchical total_* keys (rss, cache, inactive_file,
 * active_file, shmem, swap), falling back to the local ones. */
int parse_memory_stat_v1(const char *text, struct be_mem_stat *out);
/* v2 memory.stat: anon, file, inactive_file, active_file, shmem. */
int parse_memory_stat_v2(const char *text, struct be_mem_stat *out);
/* Working set as docker computes it: usage minus inactive_file, not below 0. */
uint64_t parse_mem_working_set(uint64_t usage, const struct be_mem_stat *st);

struct be_mem_events {
	uint64_t low, high, max, oom, oom_kill;
};
/* v2 memory.events. */
int parse_memory_events(const char *text, struct be_mem_events *out);
/* v1 memory.oom_control: under_oom and oom_kill (kernels >= 4.13). */
int parse_oom_control(const char *text, uint64_t *under_oom, uint64_t *oom_kill);

struct be_io {
	uint64_t rbytes, wbytes, rios, wios;
};
/* v2 io.stat: "MAJ:MIN rbytes=.. wbytes=.. rios=.. wios=.. ..." summed over
 * devices. */
int parse_io_stat(const char *text, struct be_io *out);
/* v1 blkio.throttle.io_service_bytes or io_serviced: "MAJ:MIN Read N" lines
 * summed over devices ("Total" lines skipped). */
int parse_blkio(const char *text, uint64_t *read, uint64_t *write);

/* cpu.pressure, memory.pressure, io.pressure, /proc/pressure/{cpu,memory,io}. */
int parse_pressure(const char *text, struct be_psi *out);

struct be_proc_stat {
	pid_t pid, ppid;
	char comm[64];
	char state;
	uint64_t utime, stime; /* clock ticks */
	uint64_t num_threads;
	uint64_t starttime; /* clock ticks after boot */
	uint64_t rss_pages;
};
/* /proc/<pid>/stat; comm may hold spaces and parentheses (the last ')' ends
 * it). */
int parse_proc_stat(const char *text, struct be_proc_stat *out);

struct be_proc_status {
	char name[64];
	pid_t pid, ppid;
	uint64_t vm_rss_bytes;
	uint64_t threads;
	pid_t ns_pid; /* the last NSpid value: the pid in its own pid namespace
	                 (0 when the line is missing) */
};
/* /proc/<pid>/status: Name, Pid, PPid, VmRSS (kB), Threads, NSpid. */
int parse_proc_status(const char *text, struct be_proc_status *out);

struct be_net_dev {
	uint64_t rx_bytes, rx_packets, tx_bytes, tx_packets;
	unsigned ifaces; /* counted interfaces */
};
/* /proc/<pid>/net/dev summed over interfaces, loopback left out. */
int parse_net_dev(const char *text, struct be_net_dev *out);

struct be_meminfo {
	uint64_t total, free, available, buffers, cached, swap_total, swap_free;
};
/* /proc/meminfo (values in bytes). */
int parse_meminfo(const char *text, struct be_meminfo *out);

struct be_loadavg {
	double load1, load5, load15;
	unsigned running, total;
};
/* /proc/loadavg. */
int parse_loadavg(const char *text, struct be_loadavg *out);

struct be_cpu_times {
	uint64_t busy, total; /* ticks; busy excludes idle and iowait */
};
/* /proc/stat's "cpu" and "cpuN" lines: the sum into *all, each CPU into
 * each[N] for N < max; *n gets the number of cpuN lines. */
int parse_proc_stat_cpus(const char *text, struct be_cpu_times *all, struct be_cpu_times *each,
                         size_t max, size_t *n);

/* cgroup.procs: up to max pids into out; returns how many the text holds
 * (which may exceed max), or -1 on a bad line. */
long parse_pids(const char *text, pid_t *out, size_t max);

/* /proc/<pid>/cgroup: the path for v1 controller `controller` ("memory"),
 * or with controller NULL the v2 "0::" line.  Copies it into path. */
int parse_proc_cgroup(const char *text, const char *controller, char *path, size_t len);

struct be_vm_cmdline {
	char vmm[24];       /* "qemu", "firecracker", "cloud-hypervisor", "crosvm" */
	char name[64];      /* -name guest=NAME / --id NAME; "" when none */
	uint64_t mem_bytes; /* guest memory; 0 when unknown */
	unsigned vcpus;     /* 0 when unknown */
};
/* The VMM a process name or argv[0] ("/usr/bin/qemu-system-x86_64") stands
 * for, or NULL when it is not one. */
const char *parse_vmm_of(const char *argv0);
/* A NUL-separated command line (/proc/<pid>/cmdline, len bytes) of a VMM:
 * fails (-1) when argv[0] is not a known VMM. */
int parse_vm_cmdline(const char *argv, size_t len, struct be_vm_cmdline *out);
/* qemu's -m argument: "64" (MiB), "64M", "2G", "size=1G,slots=2,maxmem=4G". */
int parse_qemu_mem(const char *arg, uint64_t *bytes);
/* True when a thread name is a vCPU thread: "CPU 0/KVM", "CPU 1/TCG",
 * "fc_vcpu 0", "vcpu0", "crosvm_vcpu0". */
bool parse_is_vcpu_thread(const char *comm);

#endif
