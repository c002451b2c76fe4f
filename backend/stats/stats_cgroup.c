/* Sampling a cgroup item: which file holds what on v1 and v2, opening them
 * once, re-reading them with pread, and the member pids and network
 * namespace counters. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stats/parse.h"
#include "stats/stats.h"
#include "base/util.h"

struct mfile_spec {
	enum be_ctl ctl;
	const char *name;
	const char *alt; /* tried when name is missing */
};

static const struct mfile_spec v1_files[MF_CGROUP_COUNT] = {
        [MF_PROCS] = {BE_CTL_MEMORY, "cgroup.procs", NULL},
        [MF_CPU_STAT] = {BE_CTL_CPU, "cpu.stat", NULL},
        [MF_CPUACCT_USAGE] = {BE_CTL_CPUACCT, "cpuacct.usage", NULL},
        [MF_CPUACCT_STAT] = {BE_CTL_CPUACCT, "cpuacct.stat", NULL},
        [MF_CFS_QUOTA] = {BE_CTL_CPU, "cpu.cfs_quota_us", NULL},
        [MF_CFS_PERIOD] = {BE_CTL_CPU, "cpu.cfs_period_us", NULL},
        [MF_CPU_WEIGHT] = {BE_CTL_CPU, "cpu.shares", NULL},
        [MF_MEM_CURRENT] = {BE_CTL_MEMORY, "memory.usage_in_bytes", NULL},
        [MF_MEM_MAX] = {BE_CTL_MEMORY, "memory.limit_in_bytes", NULL},
        [MF_MEM_PEAK] = {BE_CTL_MEMORY, "memory.max_usage_in_bytes", NULL},
        [MF_MEM_STAT] = {BE_CTL_MEMORY, "memory.stat", NULL},
        [MF_MEM_OOM] = {BE_CTL_MEMORY, "memory.oom_control", NULL},
        [MF_MEM_FAILCNT] = {BE_CTL_MEMORY, "memory.failcnt", NULL},
        [MF_PIDS_CURRENT] = {BE_CTL_PIDS, "pids.current", NULL},
        [MF_PIDS_MAX] = {BE_CTL_PIDS, "pids.max", NULL},
        [MF_IO_BYTES] = {BE_CTL_BLKIO, "blkio.throttle.io_service_bytes_recursive",
                         "blkio.throttle.io_service_bytes"},
        [MF_IO_OPS] = {BE_CTL_BLKIO, "blkio.throttle.io_serviced_recursive",
                       "blkio.throttle.io_serviced"},
};

static const struct mfile_spec v2_files[MF_CGROUP_COUNT] = {
        [MF_PROCS] = {BE_CTL_MEMORY, "cgroup.procs", NULL},
        [MF_CPU_STAT] = {BE_CTL_CPU, "cpu.stat", NULL},
        [MF_CPU_MAX] = {BE_CTL_CPU, "cpu.max", NULL},
        [MF_CPU_WEIGHT] = {BE_CTL_CPU, "cpu.weight", NULL},
        [MF_MEM_CURRENT] = {BE_CTL_MEMORY, "memory.current", NULL},
        [MF_MEM_MAX] = {BE_CTL_MEMORY, "memory.max", NULL},
        [MF_MEM_PEAK] = {BE_CTL_MEMORY, "memory.peak", NULL},
        [MF_MEM_STAT] = {BE_CTL_MEMORY, "memory.stat", NULL},
        [MF_MEM_EVENTS] = {BE_CTL_MEMORY, "memory.events", NULL},
        [MF_MEM_SWAP] = {BE_CTL_MEMORY, "memory.swap.current", NULL},
        [MF_PIDS_CURRENT] = {BE_CTL_PIDS, "pids.current", NULL},
        [MF_PIDS_MAX] = {BE_CTL_PIDS, "pids.max", NULL},
        [MF_IO_BYTES] = {BE_CTL_BLKIO, "io.stat", NULL},
        [MF_PSI_CPU] = {BE_CTL_CPU, "cpu.pressure", NULL},
        [MF_PSI_MEM] = {BE_CTL_MEMORY, "memory.pressure", NULL},
        [MF_PSI_IO] = {BE_CTL_BLKIO, "io.pressure", NULL},
};

static int open_below(int dirfd, const char *cgroup, const char *name)
{
	char rel[BE_ITEM_CGROUP_MAX + 128];
	int n = snprintf(rel, sizeof(rel), "%s/%s", cgroup + 1, name);
	if (n < 0 || (size_t)n >= sizeof(rel)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return openat(dirfd, rel, O_RDONLY | O_CLOEXEC);
}

static int open_file(struct be_monitor *mon, const struct be_slot *s, enum be_mfile f)
{
	char rel[64];
	if (f == MF_NET) {
		snprintf(rel, sizeof(rel), "%d/net/dev", (int)s->net_pid);
		return openat(discover_proc_fd(mon->disc), rel, O_RDONLY | O_CLOEXEC);
	}
	const struct mfile_spec *spec = mon->layout == BE_CGROUP_V2 ? v2_files : v1_files;
	int dirfd =
	        f < MF_CGROUP_COUNT && spec[f].name ? discover_ctl_fd(mon->disc, spec[f].ctl) : -1;
	if (dirfd < 0) {
		errno = ENOENT;
		return -1;
	}
	int fd = open_below(dirfd, s->it.cgroup, spec[f].name);
	if (fd < 0 && errno == ENOENT && spec[f].alt)
		fd = open_below(dirfd, s->it.cgroup, spec[f].alt);
	return fd;
}

/* fd, to keep for file f; or, when descriptors run short (EMFILE, or fd
 * over the monitor's ceiling, which leaves room for discovery's
 * directories), none: the item then opens its files at each read. */
static int keep(struct be_monitor *mon, struct be_slot *s, int fd)
{
	if (fd >= mon->fd_ceiling) {
		close(fd);
		fd = -1;
		errno = EMFILE;
	}
	if (fd < 0 && (errno == EMFILE || errno == ENFILE)) {
		stats_close_files(s);
		s->unkept = true;
	}
	return fd;
}

void stats_open_cgroup(struct be_monitor *mon, struct be_slot *s)
{
	for (size_t f = 0; f < MF_CGROUP_COUNT && !s->unkept; f++)
		if (s->fd[f] < 0)
			s->fd[f] = keep(mon, s, open_file(mon, s, f));
}

void stats_close_files(struct be_slot *s)
{
	for (size_t f = 0; f < MF_COUNT; f++) {
		if (s->fd[f] >= 0)
			close(s->fd[f]);
		s->fd[f] = -1;
	}
}

bool stats_slow_file(enum be_mfile f)
{
	switch (f) {
	case MF_CPU_MAX:
	case MF_CFS_QUOTA:
	case MF_CFS_PERIOD:
	case MF_CPU_WEIGHT:
	case MF_MEM_MAX:
	case MF_MEM_PEAK:
	case MF_MEM_FAILCNT:
	case MF_PIDS_MAX: return true;
	default: return false;
	}
}

/* Re-reads file f of slot s into mon->buf: > 0 read, 0 absent, empty or a
 * slow file's turn not come, -1 with errno (ENODEV: the cgroup is gone). */
static ssize_t get(struct be_monitor *mon, struct be_slot *s, enum be_mfile f)
{
	if (!s->slow_now && stats_slow_file(f))
		return 0;
	if (s->fd[f] >= 0)
		return stats_reread(mon, s->fd[f]);
	if (!s->unkept || f == MF_PROC_STAT || (f == MF_NET && s->net_pid == 0))
		return 0;
	int fd = open_file(mon, s, f);
	if (fd < 0) /* absent, or the cgroup went: discovery drops it */
		return 0;
	ssize_t n = stats_reread(mon, fd);
	int saved = errno;
	close(fd);
	errno = saved;
	return n;
}

/* Between their turns, the slow files' values come from the last sample. */
static void carry_slow(const struct be_slot *s, struct be_sample *x)
{
	const struct be_sample *p = &s->it.cur;
	uint32_t bits = p->have & ~x->have;
	if (bits & BE_HAVE_CPU_LIMIT) {
		x->cpu_quota_us = p->cpu_quota_us;
		x->cpu_period_us = p->cpu_period_us;
	}
	if (bits & BE_HAVE_CPU_WEIGHT)
		x->cpu_weight = p->cpu_weight;
	if (bits & BE_HAVE_MEM_LIMIT)
		x->mem_limit_bytes = p->mem_limit_bytes;
	if (bits & BE_HAVE_MEM_PEAK) /* never below what is in use now */
		x->mem_peak_bytes =
		        p->mem_peak_bytes > x->mem_bytes ? p->mem_peak_bytes : x->mem_bytes;
	if (bits & BE_HAVE_PIDS_LIMIT)
		x->pids_limit = p->pids_limit;
	if (bits & BE_HAVE_LIMIT_HITS)
		x->mem_limit_hits = p->mem_limit_hits;
	x->have |= bits & (BE_HAVE_CPU_LIMIT | BE_HAVE_CPU_WEIGHT | BE_HAVE_MEM_LIMIT |
	                   BE_HAVE_MEM_PEAK | BE_HAVE_PIDS_LIMIT | BE_HAVE_LIMIT_HITS);
}

/* Reads a single number (or limit) file; true when it was read. */
static bool get_u64(struct be_monitor *mon, struct be_slot *s, enum be_mfile f, bool limit,
                    uint64_t *out)
{
	if (get(mon, s, f) <= 0)
		return false;
	return (limit ? parse_limit(mon->buf, out) : parse_u64(mon->buf, out)) == 0;
}

/* The last sample, when there is one. */
static const struct be_sample *last_of(const struct be_slot *s)
{
	return s->has_prev ? &s->it.cur : NULL;
}

/* v1: with no CPU used since the last sample, the user/system split and the
 * throttling counters cannot have moved (periods count only while tasks
 * run): they are carried over, and re-read on the slow files' turn. */
static bool cpu_still(const struct be_slot *s, const struct be_cpu_stat *c)
{
	const struct be_sample *p = last_of(s);
	return !s->slow_now && p && (p->have & BE_HAVE_CPU) && c->has_usage &&
	       c->usage_ns == p->cpu_usage_ns;
}

static void carry_cpu(const struct be_sample *p, struct be_cpu_stat *c)
{
	c->user_ns = p->cpu_user_ns;
	c->system_ns = p->cpu_system_ns;
	c->has_split = (p->have & BE_HAVE_CPU_SPLIT) != 0;
	c->periods = p->cpu_periods;
	c->throttled = p->throttled_periods;
	c->throttled_ns = p->throttled_ns;
	c->has_throttle = (p->have & BE_HAVE_THROTTLE) != 0;
}

static void sample_cpu(struct be_monitor *mon, struct be_slot *s, struct be_sample *x)
{
	struct be_cpu_stat c = {0};
	bool v2 = mon->layout == BE_CGROUP_V2;
	if (v2) {
		if (get(mon, s, MF_CPU_STAT) > 0)
			parse_cpu_stat_v2(mon->buf, &c);
	} else {
		if (get_u64(mon, s, MF_CPUACCT_USAGE, false, &c.usage_ns))
			c.has_usage = true;
		if (cpu_still(s, &c)) {
			carry_cpu(&s->it.cur, &c);
		} else {
			if (get(mon, s, MF_CPU_STAT) > 0)
				parse_cpu_stat_v1(mon->buf, &c);
			if (get(mon, s, MF_CPUACCT_STAT) > 0)
				parse_cpuacct_stat(mon->buf, mon->tick_ns, &c);
		}
	}
	x->cpu_usage_ns = c.usage_ns;
	x->cpu_user_ns = c.user_ns;
	x->cpu_system_ns = c.system_ns;
	x->cpu_periods = c.periods;
	x->throttled_periods = c.throttled;
	x->throttled_ns = c.throttled_ns;
	x->have |= (c.has_usage ? BE_HAVE_CPU : 0) | (c.has_split ? BE_HAVE_CPU_SPLIT : 0) |
	           (c.has_throttle ? BE_HAVE_THROTTLE : 0);
	if (v2) {
		if (get(mon, s, MF_CPU_MAX) > 0 &&
		    parse_cpu_max(mon->buf, &x->cpu_quota_us, &x->cpu_period_us) == 0)
			x->have |= BE_HAVE_CPU_LIMIT;
	} else if (get_u64(mon, s, MF_CFS_QUOTA, true, &x->cpu_quota_us) &&
	           get_u64(mon, s, MF_CFS_PERIOD, false, &x->cpu_period_us)) {
		x->have |= BE_HAVE_CPU_LIMIT;
	}
	if (get_u64(mon, s, MF_CPU_WEIGHT, false, &x->cpu_weight))
		x->have |= BE_HAVE_CPU_WEIGHT;
}

/* v1: memory.stat (the costliest file) and memory.oom_control of an item
 * whose usage did not move are carried over, and re-read on the slow files'
 * turn: an OOM kill frees what it kills, so usage moves with it. */
static bool mem_still(const struct be_slot *s, const struct be_sample *x)
{
	const struct be_sample *p = last_of(s);
	return !s->slow_now && p && (p->have & x->have & BE_HAVE_MEM) &&
	       x->mem_bytes == p->mem_bytes;
}

static void carry_mem(const struct be_sample *p, struct be_sample *x)
{
	x->mem_anon_bytes = p->mem_anon_bytes;
	x->mem_file_bytes = p->mem_file_bytes;
	x->mem_working_set_bytes = p->mem_working_set_bytes;
	x->mem_swap_bytes = p->mem_swap_bytes;
	x->oom_kills = p->oom_kills;
	x->have |= p->have & (BE_HAVE_MEM_STAT | BE_HAVE_SWAP | BE_HAVE_OOM);
}

static void sample_memory(struct be_monitor *mon, struct be_slot *s, struct be_sample *x)
{
	bool v2 = mon->layout == BE_CGROUP_V2;
	if (get_u64(mon, s, MF_MEM_CURRENT, false, &x->mem_bytes))
		x->have |= BE_HAVE_MEM;
	if (!v2 && mem_still(s, x)) {
		carry_mem(&s->it.cur, x);
		return; /* the other v1 files are slow ones, not due */
	}
	struct be_mem_stat ms;
	if (get(mon, s, MF_MEM_STAT) > 0 &&
	    (v2 ? parse_memory_stat_v2 : parse_memory_stat_v1)(mon->buf, &ms) == 0) {
		x->mem_anon_bytes = ms.anon;
		x->mem_file_bytes = ms.file;
		x->mem_working_set_bytes = parse_mem_working_set(x->mem_bytes, &ms);
		x->have |= BE_HAVE_MEM_STAT;
		if (ms.has_swap) {
			x->mem_swap_bytes = ms.swap;
			x->have |= BE_HAVE_SWAP;
		}
	}
	if (get_u64(mon, s, MF_MEM_MAX, true, &x->mem_limit_bytes))
		x->have |= BE_HAVE_MEM_LIMIT;
	if (get_u64(mon, s, MF_MEM_PEAK, false, &x->mem_peak_bytes))
		x->have |= BE_HAVE_MEM_PEAK;
	if (get_u64(mon, s, MF_MEM_SWAP, false, &x->mem_swap_bytes))
		x->have |= BE_HAVE_SWAP;
	struct be_mem_events ev;
	if (get(mon, s, MF_MEM_EVENTS) > 0 && parse_memory_events(mon->buf, &ev) == 0) {
		x->oom_events = ev.oom;
		x->oom_kills = ev.oom_kill;
		x->mem_limit_hits = ev.max;
		x->have |= BE_HAVE_OOM | BE_HAVE_OOM_EVENTS | BE_HAVE_LIMIT_HITS;
	}
	uint64_t under;
	if (get(mon, s, MF_MEM_OOM) > 0 && parse_oom_control(mon->buf, &under, &x->oom_kills) == 0)
		x->have |= BE_HAVE_OOM;
	if (get_u64(mon, s, MF_MEM_FAILCNT, false, &x->mem_limit_hits))
		x->have |= BE_HAVE_LIMIT_HITS;
}

static void sample_io(struct be_monitor *mon, struct be_slot *s, struct be_sample *x)
{
	if (mon->layout == BE_CGROUP_V2) {
		struct be_io io;
		/* io.stat is empty until the cgroup does IO: that reads as 0 */
		if ((s->fd[MF_IO_BYTES] >= 0 || s->unkept) && get(mon, s, MF_IO_BYTES) >= 0 &&
		    parse_io_stat(mon->buf, &io) == 0) {
			x->io_read_bytes = io.rbytes;
			x->io_write_bytes = io.wbytes;
			x->io_read_ops = io.rios;
			x->io_write_ops = io.wios;
			x->have |= BE_HAVE_IO | BE_HAVE_IO_OPS;
		}
		return;
	}
	if (get(mon, s, MF_IO_BYTES) > 0 &&
	    parse_blkio(mon->buf, &x->io_read_bytes, &x->io_write_bytes) == 0)
		x->have |= BE_HAVE_IO;
	/* No bytes moved: no operation was served either. */
	const struct be_sample *p = last_of(s);
	if (!s->slow_now && p && (p->have & x->have & BE_HAVE_IO) && (p->have & BE_HAVE_IO_OPS) &&
	    x->io_read_bytes == p->io_read_bytes && x->io_write_bytes == p->io_write_bytes) {
		x->io_read_ops = p->io_read_ops;
		x->io_write_ops = p->io_write_ops;
		x->have |= BE_HAVE_IO_OPS;
		return;
	}
	if (get(mon, s, MF_IO_OPS) > 0 &&
	    parse_blkio(mon->buf, &x->io_read_ops, &x->io_write_ops) == 0)
		x->have |= BE_HAVE_IO_OPS;
}

static void sample_psi(struct be_monitor *mon, struct be_slot *s, struct be_sample *x)
{
	static const enum be_mfile files[3] = {MF_PSI_CPU, MF_PSI_MEM, MF_PSI_IO};
	static const uint32_t bits[3] = {BE_HAVE_PSI_CPU, BE_HAVE_PSI_MEM, BE_HAVE_PSI_IO};
	struct be_psi *out[3] = {&x->psi_cpu, &x->psi_mem, &x->psi_io};
	for (size_t i = 0; i < 3; i++)
		if (get(mon, s, files[i]) > 0 && parse_pressure(mon->buf, out[i]) == 0)
			x->have |= bits[i];
}

/* Whether cgroup.procs must be read again: the task count moved, the slow
 * files' turn came, or the network counters need a member to read them
 * from.  Otherwise the members are those read last time. */
static bool procs_due(const struct be_slot *s, const struct be_sample *x)
{
	const struct be_sample *p = last_of(s);
	return s->slow_now || !p || !(p->have & x->have & BE_HAVE_PIDS) || x->pids != p->pids ||
	       s->net_pid == 0;
}

/* Member pids from cgroup.procs; -1 when the cgroup is gone. */
static int sample_pids(struct be_monitor *mon, struct be_slot *s, struct be_sample *x)
{
	ssize_t n = get(mon, s, MF_PIDS_CURRENT);
	if (n < 0 && errno == ENODEV)
		return -1;
	if (n > 0 && parse_u64(mon->buf, &x->pids) == 0)
		x->have |= BE_HAVE_PIDS;
	if (get_u64(mon, s, MF_PIDS_MAX, true, &x->pids_limit))
		x->have |= BE_HAVE_PIDS_LIMIT;
	if (!procs_due(s, x))
		return 0;
	n = get(mon, s, MF_PROCS);
	if (n < 0)
		return errno == ENODEV ? -1 : 0;
	long cnt = parse_pids(mon->buf, s->pids, s->pids_cap);
	if (cnt > (long)s->pids_cap) {
		size_t cap = s->pids_cap ? s->pids_cap : 16;
		while (cap < (size_t)cnt)
			cap *= 2;
		s->pids = xrealloc(s->pids, cap * sizeof(*s->pids));
		s->pids_cap = cap;
		cnt = parse_pids(mon->buf, s->pids, s->pids_cap);
	}
	s->it.pids = s->pids;
	s->it.npids = cnt > 0 ? (size_t)cnt : 0;
	return 0;
}

/* Points fd[MF_NET] at the network namespace of a member pid, keeping the
 * one it has while that pid stays a member. */
static void pick_net_pid(struct be_monitor *mon, struct be_slot *s)
{
	for (size_t i = 0; i < s->it.npids && s->net_pid; i++)
		if (s->it.pids[i] == s->net_pid)
			return;
	if (s->fd[MF_NET] >= 0)
		close(s->fd[MF_NET]);
	s->fd[MF_NET] = -1;
	s->net_pid = s->it.npids ? s->it.pids[0] : 0;
	s->net_host = false;
	if (s->net_pid == 0)
		return;
	int proc = discover_proc_fd(mon->disc);
	char rel[64];
	struct stat st;
	snprintf(rel, sizeof(rel), "%d/ns/net", (int)s->net_pid);
	if (mon->host_netns && fstatat(proc, rel, &st, 0) == 0 && st.st_ino == mon->host_netns) {
		s->net_host = true;
		return;
	}
	if (!s->unkept)
		s->fd[MF_NET] = keep(mon, s, open_file(mon, s, MF_NET));
}

static void sample_net(struct be_monitor *mon, struct be_slot *s, struct be_sample *x)
{
	pick_net_pid(mon, s);
	if (s->net_host) {
		x->have |= BE_HAVE_NET_HOST;
		return;
	}
	struct be_net_dev nd;
	if (get(mon, s, MF_NET) > 0 && parse_net_dev(mon->buf, &nd) == 0) {
		x->net_rx_bytes = nd.rx_bytes;
		x->net_tx_bytes = nd.tx_bytes;
		x->net_rx_packets = nd.rx_packets;
		x->net_tx_packets = nd.tx_packets;
		x->have |= BE_HAVE_NET;
	} else {
		s->net_pid = 0; /* look again next time */
	}
}

int stats_sample_cgroup(struct be_monitor *mon, struct be_slot *s, struct be_sample *x)
{
	x->time_ns = util_now_ns();
	if (sample_pids(mon, s, x) < 0)
		return -1;
	sample_cpu(mon, s, x);
	sample_memory(mon, s, x);
	sample_io(mon, s, x);
	sample_psi(mon, s, x);
	sample_net(mon, s, x);
	if (!s->slow_now && s->has_prev)
		carry_slow(s, x);
	return 0;
}

static double per_s(uint64_t now, uint64_t before, uint64_t dt_ns)
{
	return now >= before ? (double)(now - before) * 1e9 / (double)dt_ns : 0.0;
}

void stats_rates(struct be_sample *x, const struct be_sample *p)
{
	if (x->time_ns <= p->time_ns)
		return;
	uint64_t dt = x->time_ns - p->time_ns;
	x->cpu_quota_percent = -1;
	if ((x->have & p->have & BE_HAVE_CPU) && x->cpu_usage_ns >= p->cpu_usage_ns) {
		x->cpu_percent = be_cpu_percent(x->cpu_usage_ns - p->cpu_usage_ns, dt);
		x->cpu_cores = x->cpu_percent / 100.0;
		if ((x->have & BE_HAVE_CPU_LIMIT) && x->cpu_quota_us != BE_UNLIMITED &&
		    x->cpu_quota_us > 0 && x->cpu_period_us > 0)
			x->cpu_quota_percent = x->cpu_cores * 100.0 * (double)x->cpu_period_us /
			                       (double)x->cpu_quota_us;
	}
	if ((x->have & p->have & BE_HAVE_THROTTLE) && x->cpu_periods > p->cpu_periods &&
	    x->throttled_periods >= p->throttled_periods)
		x->throttled_percent = 100.0 *
		                       (double)(x->throttled_periods - p->throttled_periods) /
		                       (double)(x->cpu_periods - p->cpu_periods);
	if (x->have & p->have & BE_HAVE_IO) {
		x->io_read_bytes_per_s = per_s(x->io_read_bytes, p->io_read_bytes, dt);
		x->io_write_bytes_per_s = per_s(x->io_write_bytes, p->io_write_bytes, dt);
	}
	if (x->have & p->have & BE_HAVE_IO_OPS) {
		x->io_read_ops_per_s = per_s(x->io_read_ops, p->io_read_ops, dt);
		x->io_write_ops_per_s = per_s(x->io_write_ops, p->io_write_ops, dt);
	}
	if (x->have & p->have & BE_HAVE_NET) {
		x->net_rx_bytes_per_s = per_s(x->net_rx_bytes, p->net_rx_bytes, dt);
		x->net_tx_bytes_per_s = per_s(x->net_tx_bytes, p->net_tx_bytes, dt);
		x->net_rx_packets_per_s = per_s(x->net_rx_packets, p->net_rx_packets, dt);
		x->net_tx_packets_per_s = per_s(x->net_tx_packets, p->net_tx_packets, dt);
	}
	x->have |= BE_HAVE_RATES;
}
