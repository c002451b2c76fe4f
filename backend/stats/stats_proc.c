/* Sampling from /proc: a VM monitor process (CPU, RSS, threads, vCPU
 * threads) and the host meters (per-CPU use, memory, load, pressure). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "stats/parse.h"
#include "stats/stats.h"
#include "base/util.h"

/* vCPU threads are counted again at most this often (in refreshes). */
#define THREAD_RECOUNT 10

static int open_proc(struct be_monitor *mon, pid_t pid, const char *file)
{
	char rel[64];
	snprintf(rel, sizeof(rel), "%d/%s", (int)pid, file);
	return openat(discover_proc_fd(mon->disc), rel, O_RDONLY | O_CLOEXEC);
}

/* Threads of pid whose names are those of vCPU threads. */
static unsigned count_vcpu_threads(struct be_monitor *mon, pid_t pid)
{
	char rel[64];
	snprintf(rel, sizeof(rel), "%d/task", (int)pid);
	int dir = openat(discover_proc_fd(mon->disc), rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return 0;
	unsigned n = 0;
	if (discover_read_dir(dir, &mon->tbuf) >= 0) {
		const char *name;
		unsigned char type;
		for (size_t off = 0; discover_next(&mon->tbuf, &off, &name, &type);) {
			snprintf(rel, sizeof(rel), "%s/comm", name);
			int fd = openat(dir, rel, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			char comm[32];
			ssize_t r = read(fd, comm, sizeof(comm) - 1);
			close(fd);
			if (r <= 0)
				continue;
			comm[r] = '\0';
			comm[strcspn(comm, "\n")] = '\0';
			n += parse_is_vcpu_thread(comm);
		}
	}
	close(dir);
	return n;
}

int stats_sample_vm(struct be_monitor *mon, struct be_slot *s, struct be_sample *x)
{
	struct be_vm_info *vm = &s->it.vm;
	if (s->fd[MF_PROC_STAT] < 0)
		s->fd[MF_PROC_STAT] = open_proc(mon, vm->pid, "stat");
	struct be_proc_stat ps;
	if (s->fd[MF_PROC_STAT] < 0 || stats_reread(mon, s->fd[MF_PROC_STAT]) <= 0 ||
	    parse_proc_stat(mon->buf, &ps) < 0 || ps.state == 'Z')
		return -1;
	uint64_t now = util_now_ns();
	vm->cpu_ns = (ps.utime + ps.stime) * mon->tick_ns;
	vm->rss_bytes = ps.rss_pages * mon->page_size;
	if (vm->threads != ps.num_threads &&
	    (s->threads_counted == 0 || mon->refreshes - s->threads_counted >= THREAD_RECOUNT)) {
		vm->vcpu_threads = count_vcpu_threads(mon, vm->pid);
		s->threads_counted = mon->refreshes;
		vm->threads = (unsigned)ps.num_threads;
	}
	if (s->it.cgroup[0])
		return 0; /* a libvirt guest: its cgroup gave the figures */
	x->time_ns = now;
	x->cpu_usage_ns = vm->cpu_ns;
	x->cpu_user_ns = ps.utime * mon->tick_ns;
	x->cpu_system_ns = ps.stime * mon->tick_ns;
	x->mem_bytes = vm->rss_bytes;
	x->have |= BE_HAVE_CPU | BE_HAVE_CPU_SPLIT | BE_HAVE_MEM;
	s->it.pids = &vm->pid;
	s->it.npids = 1;
	return 0;
}

/* ---- host meters ----------------------------------------------------------- */

static int open_host(struct be_monitor *mon, const char *rel)
{
	return openat(discover_proc_fd(mon->disc), rel, O_RDONLY | O_CLOEXEC);
}

static void host_open(struct be_monitor *mon)
{
	struct be_host_state *hs = &mon->hs;
	hs->fd_stat = open_host(mon, "stat");
	hs->fd_meminfo = open_host(mon, "meminfo");
	hs->fd_loadavg = open_host(mon, "loadavg");
	hs->fd_psi[0] = open_host(mon, "pressure/cpu");
	hs->fd_psi[1] = open_host(mon, "pressure/memory");
	hs->fd_psi[2] = open_host(mon, "pressure/io");
	hs->opened = true;
}

static void host_cpus(struct be_monitor *mon)
{
	struct be_host_state *hs = &mon->hs;
	struct be_host *h = &mon->host;
	size_t n;
	if (hs->fd_stat < 0 || stats_reread(mon, hs->fd_stat) <= 0 ||
	    parse_proc_stat_cpus(mon->buf, &hs->all, hs->each, hs->ncpu_cap, &n) < 0)
		return;
	if (n > hs->ncpu_cap) {
		hs->each = xrealloc(hs->each, n * sizeof(*hs->each));
		hs->each_prev = xrealloc(hs->each_prev, n * sizeof(*hs->each_prev));
		hs->pct_each = xrealloc(hs->pct_each, n * sizeof(*hs->pct_each));
		memset(hs->pct_each, 0, n * sizeof(*hs->pct_each));
		hs->ncpu_cap = n;
		hs->has_prev = false;
		parse_proc_stat_cpus(mon->buf, &hs->all, hs->each, hs->ncpu_cap, &n);
	}
	h->ncpus = (unsigned)n;
	h->cpu_percent_each = hs->pct_each;
	if (hs->has_prev) {
		/* Busy ticks over elapsed ticks (all CPUs' ticks / n): the
		 * same CPU% as the items', 100 = one CPU. */
		uint64_t tk = mon->tick_ns;
		uint64_t busy = hs->all.busy - hs->all_prev.busy;
		uint64_t total = hs->all.total - hs->all_prev.total;
		if (n && hs->all.busy >= hs->all_prev.busy)
			h->cpu_percent = be_cpu_percent(busy * tk, total * tk / n);
		for (size_t i = 0; i < n; i++) {
			uint64_t b = hs->each[i].busy - hs->each_prev[i].busy;
			uint64_t t = hs->each[i].total - hs->each_prev[i].total;
			hs->pct_each[i] = hs->each[i].busy >= hs->each_prev[i].busy
			                          ? be_cpu_percent(b * tk, t * tk)
			                          : 0;
		}
		h->have |= BE_HAVE_HOST_RATES;
	}
	hs->all_prev = hs->all;
	memcpy(hs->each_prev, hs->each, n * sizeof(*hs->each));
	hs->has_prev = true;
}

void stats_sample_host(struct be_monitor *mon)
{
	struct be_host_state *hs = &mon->hs;
	struct be_host *h = &mon->host;
	if (!hs->opened)
		host_open(mon);
	h->time_ns = util_now_ns();
	h->have = 0;
	host_cpus(mon);
	struct be_meminfo mi;
	if (hs->fd_meminfo >= 0 && stats_reread(mon, hs->fd_meminfo) > 0 &&
	    parse_meminfo(mon->buf, &mi) == 0) {
		h->mem_total_bytes = mi.total;
		h->mem_available_bytes = mi.available;
		h->mem_used_bytes = mi.total > mi.available ? mi.total - mi.available : 0;
		h->mem_free_bytes = mi.free;
		h->mem_buffers_bytes = mi.buffers;
		h->mem_cached_bytes = mi.cached;
		h->swap_total_bytes = mi.swap_total;
		h->swap_free_bytes = mi.swap_free;
	}
	struct be_loadavg la;
	if (hs->fd_loadavg >= 0 && stats_reread(mon, hs->fd_loadavg) > 0 &&
	    parse_loadavg(mon->buf, &la) == 0) {
		h->load1 = la.load1;
		h->load5 = la.load5;
		h->load15 = la.load15;
		h->tasks_running = la.running;
		h->tasks_total = la.total;
	}
	struct be_psi *psi[3] = {&h->psi_cpu, &h->psi_mem, &h->psi_io};
	static const uint32_t bits[3] = {BE_HAVE_HOST_PSI_CPU, BE_HAVE_HOST_PSI_MEM,
	                                 BE_HAVE_HOST_PSI_IO};
	for (size_t i = 0; i < 3; i++)
		if (hs->fd_psi[i] >= 0 && stats_reread(mon, hs->fd_psi[i]) > 0 &&
		    parse_pressure(mon->buf, psi[i]) == 0)
			h->have |= bits[i];
	be_ring_push(&h->hist_cpu, (float)h->cpu_percent);
	be_ring_push(&h->hist_mem, (float)h->mem_used_bytes);
}

void stats_host_free(struct be_monitor *mon)
{
	struct be_host_state *hs = &mon->hs;
	if (hs->opened) {
		int fds[] = {hs->fd_stat,   hs->fd_meminfo, hs->fd_loadavg,
		             hs->fd_psi[0], hs->fd_psi[1],  hs->fd_psi[2]};
		for (size_t i = 0; i < 6; i++)
			if (fds[i] >= 0)
				close(fds[i]);
	}
	free(hs->each);
	free(hs->each_prev);
	free(hs->pct_each);
}
