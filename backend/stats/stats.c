/* The monitor: slots for the items discovery finds (created once, reused
 * when items vanish), a hash from cgroup path to slot, and the refresh that
 * rediscovers, samples, computes rates and keeps history. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/ctx.h"
#include "stats/engine_names.h"
#include "stats/stats.h"
#include "base/util.h"

const char *be_kind_name(enum be_kind kind)
{
	static const char *const names[BE_KIND_COUNT] = {
	        [BE_KIND_BERTH] = "berth",       [BE_KIND_DOCKER] = "docker",
	        [BE_KIND_PODMAN] = "podman",     [BE_KIND_LXC] = "lxc",
	        [BE_KIND_NSPAWN] = "nspawn",     [BE_KIND_LIBVIRT] = "libvirt",
	        [BE_KIND_KUBEPODS] = "kubepods", [BE_KIND_VM] = "vm",
	        [BE_KIND_CGROUP] = "cgroup",
	};
	return (unsigned)kind < BE_KIND_COUNT ? names[kind] : "?";
}

ssize_t stats_reread(struct be_monitor *mon, int fd)
{
	ssize_t n;
	do
		n = pread(fd, mon->buf, mon->buf_cap - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	mon->buf[n] = '\0';
	return n;
}

/* ---- slots and the hash ------------------------------------------------- */

static uint32_t hash_key(const char *k)
{
	uint32_t h = 2166136261u;
	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * 16777619u;
	return h;
}

/* A slot's key: its cgroup path, or "#<pid>" for a process's item. */
static const char *slot_key(const struct be_slot *s)
{
	return s->pkey[0] ? s->pkey : s->it.cgroup;
}

static void hash_insert(struct be_monitor *mon, size_t idx)
{
	size_t mask = mon->hcap - 1;
	for (size_t h = hash_key(slot_key(mon->slots[idx])) & mask;; h = (h + 1) & mask) {
		if (mon->hash[h] == 0) {
			mon->hash[h] = (uint32_t)idx + 1;
			return;
		}
	}
}

static void hash_rebuild(struct be_monitor *mon)
{
	memset(mon->hash, 0, mon->hcap * sizeof(*mon->hash));
	for (size_t i = 0; i < mon->nslots; i++)
		if (mon->slots[i]->used)
			hash_insert(mon, i);
	mon->changed = false;
}

static struct be_slot *hash_find(const struct be_monitor *mon, const char *key)
{
	if (mon->hcap == 0)
		return NULL;
	size_t mask = mon->hcap - 1;
	for (size_t h = hash_key(key) & mask; mon->hash[h]; h = (h + 1) & mask) {
		struct be_slot *s = mon->slots[mon->hash[h] - 1];
		if (s->used && strcmp(slot_key(s), key) == 0)
			return s;
	}
	return NULL;
}

/* A free slot, growing the tables when none is left. */
static size_t slot_get(struct be_monitor *mon)
{
	for (size_t i = 0; i < mon->nslots; i++)
		if (!mon->slots[i]->used)
			return i;
	if (mon->nslots == mon->cap) {
		mon->cap = mon->cap ? mon->cap * 2 : 64;
		mon->slots = xrealloc(mon->slots, mon->cap * sizeof(*mon->slots));
		mon->list = xrealloc(mon->list, mon->cap * sizeof(*mon->list));
		free(mon->hash);
		mon->hcap = mon->cap * 4;
		mon->hash = xcalloc(mon->hcap, sizeof(*mon->hash));
		mon->changed = true;
	}
	struct be_slot *s = xcalloc(1, sizeof(*s));
	for (size_t f = 0; f < MF_COUNT; f++)
		s->fd[f] = -1;
	s->idx = mon->nslots;
	mon->slots[mon->nslots] = s;
	return mon->nslots++;
}

static void slot_release(struct be_monitor *mon, struct be_slot *s)
{
	stats_close_files(s);
	pid_t *pids = s->pids;
	size_t cap = s->pids_cap, idx = s->idx;
	memset(s, 0, sizeof(*s));
	s->idx = idx;
	for (size_t f = 0; f < MF_COUNT; f++)
		s->fd[f] = -1;
	s->pids = pids; /* kept for the next item in this slot */
	s->pids_cap = cap;
	mon->changed = true;
}

static struct be_slot *slot_new(struct be_monitor *mon, const char *key)
{
	size_t idx = slot_get(mon);
	struct be_slot *s = mon->slots[idx];
	s->used = true;
	s->born = mon->refreshes;
	if (key[0] == '#')
		snprintf(s->pkey, sizeof(s->pkey), "%s", key);
	else
		snprintf(s->it.cgroup, sizeof(s->it.cgroup), "%s", key);
	s->it.first_seen_ns = util_now_ns();
	if (mon->changed)
		hash_rebuild(mon);
	else
		hash_insert(mon, idx);
	return s;
}

static void set_name(struct be_item *it, const struct be_found *f)
{
	it->kind = f->kind;
	/* Another root's container: listed, but no action of this root's. */
	it->berth = f->kind == BE_KIND_BERTH && !f->other_root;
	if (f->other_root)
		snprintf(it->root, sizeof(it->root), "?");
	snprintf(it->name, sizeof(it->name), "%s", f->name);
	snprintf(it->id, sizeof(it->id), "%s", f->id);
}

static void on_cgroup(void *arg, const struct be_found *f)
{
	struct be_monitor *mon = arg;
	struct be_slot *s = hash_find(mon, f->cgroup);
	if (s == NULL) {
		s = slot_new(mon, f->cgroup);
		set_name(&s->it, f);
		stats_open_cgroup(mon, s);
	}
	s->seen = mon->refreshes;
}

/* The cgroup item holding path (itself or an ancestor), if any. */
static struct be_slot *cgroup_owner(struct be_monitor *mon, const char *path)
{
	char p[BE_ITEM_CGROUP_MAX];
	snprintf(p, sizeof(p), "%s", path);
	for (;;) {
		struct be_slot *s = hash_find(mon, p);
		if (s && !s->pkey[0]) /* a cgroup's item, not a VM process's */
			return s;
		char *slash = strrchr(p, '/');
		if (slash == NULL || slash == p)
			return NULL;
		*slash = '\0';
	}
}

/* A systemd-nspawn process.  Inside an item's cgroup (its machine scope)
 * it is that item; otherwise (--register=no --keep-unit: no scope of its
 * own) an item of its own, whose figures are its container init's. */
static void on_nspawn(struct be_monitor *mon, const struct be_found *f)
{
	struct be_slot *owner = f->vm_cgroup[0] ? cgroup_owner(mon, f->vm_cgroup) : NULL;
	if (owner && owner->it.kind == BE_KIND_NSPAWN)
		return;
	char key[32];
	snprintf(key, sizeof(key), "#n%d", (int)f->key_pid);
	struct be_slot *s = hash_find(mon, key);
	if (s == NULL) {
		s = slot_new(mon, key);
		set_name(&s->it, f);
		s->proc_item = true;
	}
	s->seen = mon->refreshes;
	if (s->it.vm.pid != f->pid) {
		if (s->fd[MF_PROC_STAT] >= 0)
			close(s->fd[MF_PROC_STAT]);
		s->fd[MF_PROC_STAT] = -1;
		memset(&s->it.vm, 0, sizeof(s->it.vm));
		s->it.vm.pid = f->pid;
		snprintf(s->it.vm.vmm, sizeof(s->it.vm.vmm), "%s", f->vm->vmm);
		s->it.start_time_unix = 0;
	}
	s->vm_seen = mon->refreshes;
}

static void on_vm(void *arg, const struct be_found *f)
{
	struct be_monitor *mon = arg;
	if (f->kind == BE_KIND_NSPAWN) {
		on_nspawn(mon, f);
		return;
	}
	struct be_slot *s = f->vm_cgroup[0] ? cgroup_owner(mon, f->vm_cgroup) : NULL;
	if (s == NULL) {
		char key[32];
		snprintf(key, sizeof(key), "#%d", (int)f->pid);
		s = hash_find(mon, key);
		if (s == NULL) {
			s = slot_new(mon, key);
			set_name(&s->it, f);
		}
		s->seen = mon->refreshes;
	}
	/* A libvirt guest keeps its cgroup item and gains the VMM's figures. */
	if (s->it.vm.pid != f->pid) {
		if (s->fd[MF_PROC_STAT] >= 0)
			close(s->fd[MF_PROC_STAT]);
		s->fd[MF_PROC_STAT] = -1;
		memset(&s->it.vm, 0, sizeof(s->it.vm));
		s->it.vm.pid = f->pid;
		snprintf(s->it.vm.vmm, sizeof(s->it.vm.vmm), "%s", f->vm->vmm);
		s->it.vm.guest_mem_bytes = f->vm->mem_bytes;
		s->it.vm.vcpus = f->vm->vcpus;
		s->threads_counted = 0;
	}
	s->it.is_vm = true;
	s->vm_seen = mon->refreshes;
}

/* ---- sampling ------------------------------------------------------------ */

static void drop_vm(struct be_slot *s)
{
	if (s->fd[MF_PROC_STAT] >= 0)
		close(s->fd[MF_PROC_STAT]);
	s->fd[MF_PROC_STAT] = -1;
	s->it.is_vm = false;
	memset(&s->it.vm, 0, sizeof(s->it.vm));
}

const char *be_mark_name(enum be_mark_type t)
{
	switch (t) {
	case BE_MARK_OOM: return "OOM kill";
	case BE_MARK_THROTTLED: return "throttled";
	case BE_MARK_PIDS_MAX: return "pids limit";
	default: return "limit changed";
	}
}

static void mark(struct be_item *it, int64_t wall_ns, enum be_mark_type type, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static void mark(struct be_item *it, int64_t wall_ns, enum be_mark_type type, const char *fmt, ...)
{
	struct be_mark *m = &it->marks[it->nmarks++ % BE_MARKS];
	m->sample = it->samples + 1; /* the sample about to be pushed */
	m->wall_ns = wall_ns;
	m->type = type;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m->detail, sizeof(m->detail), fmt, ap);
	va_end(ap);
}

/* What changed between the previous sample p and x, as marks made at
 * wall-clock time w. */
static void find_marks(struct be_item *it, const struct be_sample *x, const struct be_sample *p,
                       int64_t w)
{
	if ((x->have & p->have & BE_HAVE_OOM) && x->oom_kills > p->oom_kills)
		mark(it, w, BE_MARK_OOM, "%llu in all", (unsigned long long)x->oom_kills);
	if ((x->have & p->have & BE_HAVE_THROTTLE) && x->throttled_percent >= 50 &&
	    p->throttled_percent < 50)
		mark(it, w, BE_MARK_THROTTLED, "%.0f%% of periods", x->throttled_percent);
	bool plim = (x->have & BE_HAVE_PIDS_LIMIT) && x->pids_limit != BE_UNLIMITED;
	if (plim && (p->have & BE_HAVE_PIDS) && x->pids >= x->pids_limit && p->pids < x->pids_limit)
		mark(it, w, BE_MARK_PIDS_MAX, "%llu of %llu", (unsigned long long)x->pids,
		     (unsigned long long)x->pids_limit);
	if ((x->have & p->have & BE_HAVE_MEM_LIMIT) && x->mem_limit_bytes != p->mem_limit_bytes)
		mark(it, w, BE_MARK_LIMIT, "memory");
	if ((x->have & p->have & BE_HAVE_CPU_LIMIT) && x->cpu_quota_us != p->cpu_quota_us)
		mark(it, w, BE_MARK_LIMIT, "cpu quota");
	if ((x->have & p->have & BE_HAVE_PIDS_LIMIT) && x->pids_limit != p->pids_limit)
		mark(it, w, BE_MARK_LIMIT, "pids");
}

static void push_history(struct be_item *it)
{
	it->samples++;
	const struct be_sample *x = &it->cur;
	be_ring_push(&it->hist[BE_HIST_CPU], (float)x->cpu_percent);
	be_ring_push(&it->hist[BE_HIST_MEM], (float)x->mem_bytes);
	be_ring_push(&it->hist[BE_HIST_IO_READ], (float)x->io_read_bytes_per_s);
	be_ring_push(&it->hist[BE_HIST_IO_WRITE], (float)x->io_write_bytes_per_s);
	be_ring_push(&it->hist[BE_HIST_NET_RX], (float)x->net_rx_bytes_per_s);
	be_ring_push(&it->hist[BE_HIST_NET_TX], (float)x->net_tx_bytes_per_s);
	be_ring_push(&it->hist[BE_HIST_PIDS], (float)x->pids);
}

void be_counters_of(const struct be_sample *x, struct be_counters *out)
{
	*out = (struct be_counters){
	        .time_ns = x->time_ns,
	        .cpu_usage_ns = x->cpu_usage_ns,
	        .cpu_periods = x->cpu_periods,
	        .throttled_periods = x->throttled_periods,
	        .io_read_bytes = x->io_read_bytes,
	        .io_write_bytes = x->io_write_bytes,
	        .net_rx_bytes = x->net_rx_bytes,
	        .net_tx_bytes = x->net_tx_bytes,
	};
}

void be_item_advance(struct be_item *it, const struct be_sample *x, int64_t wall_ns)
{
	if (it->samples > 0)
		find_marks(it, x, &it->cur, wall_ns);
	be_counters_of(it->samples > 0 ? &it->cur : x, &it->prev);
	it->cur = *x;
	push_history(it);
}

/* Once an item has processes: when it started, and for another root's
 * berth container, that root.  Tried on the refreshes that re-read the slow
 * files until known, so a warm refresh reads nothing for it. */
static void learn_from_processes(struct be_monitor *mon, struct be_slot *s)
{
	struct be_item *it = &s->it;
	if (it->npids == 0 || !s->slow_now)
		return;
	if (it->start_time_unix == 0)
		it->start_time_unix = discover_start_time(mon->disc, it->pids, it->npids);
	if (it->kind == BE_KIND_BERTH && !it->berth && strcmp(it->root, "?") == 0)
		discover_berth_root(mon->disc, it->cgroup, it->pids, it->npids, it->root,
		                    sizeof(it->root));
}

/* Samples one slot; returns -1 when its item is gone. */
static int sample_slot(struct be_monitor *mon, struct be_slot *s)
{
	struct be_sample x = {.cpu_quota_percent = -1};
	s->slow_now = !s->has_prev || (mon->refreshes + s->idx) % BE_SLOW_EVERY == 0;
	if (s->it.cgroup[0]) {
		if (mon->refreshes - s->born < BE_YOUNG_REFRESHES)
			stats_open_cgroup(mon, s);
		if (stats_sample_cgroup(mon, s, &x) < 0) {
			/* Discovery saw the directory just now: it was removed
			 * and made again, and the old fds read ENODEV. */
			stats_close_files(s);
			s->has_prev = false;
			s->slow_now = true;
			s->net_pid = 0;
			memset(&s->it.vm, 0, sizeof(s->it.vm));
			s->it.is_vm = false;
			stats_open_cgroup(mon, s);
			memset(&x, 0, sizeof(x));
			x.cpu_quota_percent = -1;
			if (stats_sample_cgroup(mon, s, &x) < 0)
				return -1;
		}
	}
	if ((s->it.is_vm || s->proc_item) && stats_sample_vm(mon, s, &x) < 0) {
		discover_forget(mon->disc, s->it.vm.pid);
		if (!s->it.cgroup[0])
			return -1;
		drop_vm(s);
	}
	if (s->has_prev) {
		stats_rates(&x, &s->it.cur);
		find_marks(&s->it, &x, &s->it.cur, util_wall_ns());
	}
	be_counters_of(s->has_prev ? &s->it.cur : &x, &s->it.prev);
	learn_from_processes(mon, s);
	s->it.cur = x;
	s->has_prev = true;
	push_history(&s->it);
	return 0;
}

/* The soft limit can change under a running monitor (prlimit). */
static void set_fd_ceiling(struct be_monitor *mon)
{
	struct rlimit rl;
	mon->fd_ceiling = INT_MAX;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < INT_MAX)
		mon->fd_ceiling = rl.rlim_cur > 2 * BE_MONITOR_FD_RESERVE
		                          ? (int)rl.rlim_cur - BE_MONITOR_FD_RESERVE
		                          : (int)rl.rlim_cur / 2;
}

int be_monitor_refresh(struct be_monitor *mon, struct be_error **err)
{
	mon->refreshes++;
	set_fd_ceiling(mon);
	struct be_error *cg_err = NULL, *vm_err = NULL;
	int rc = -1;
	if (mon->layout != BE_CGROUP_NONE || mon->opts.no_vms || mon->opts.no_foreign)
		rc = discover_cgroups(mon->disc, on_cgroup, mon, &cg_err);
	int rc_vm = -1;
	if (!mon->opts.no_vms && !mon->opts.no_foreign)
		rc_vm = discover_vms(mon->disc, on_vm, mon, &vm_err);
	if (rc < 0 && rc_vm < 0 && (cg_err || vm_err)) {
		if (err && *err == NULL)
			*err = steal_pointer(cg_err ? &cg_err : &vm_err);
		be_error_free(cg_err);
		be_error_free(vm_err);
		return be_error_wrap(err, "refreshing the monitor");
	}
	be_error_free(cg_err);
	be_error_free(vm_err);
	/* New docker and podman items are named from their engines' files,
	 * once; a warm refresh has none and reads nothing more. */
	struct be_engine_names names;
	engine_names_init(&names, mon->ctx);
	mon->nlist = 0;
	for (size_t i = 0; i < mon->nslots; i++) {
		struct be_slot *s = mon->slots[i];
		if (!s->used)
			continue;
		if (s->seen != mon->refreshes) {
			slot_release(mon, s);
			continue;
		}
		if (s->it.is_vm && s->vm_seen != mon->refreshes)
			drop_vm(s);
		if (sample_slot(mon, s) < 0) {
			slot_release(mon, s);
			continue;
		}
		if (s->born == mon->refreshes)
			engine_names_fill(&names, &s->it);
		mon->list[mon->nlist++] = &s->it;
	}
	engine_names_done(&names);
	if (mon->changed)
		hash_rebuild(mon);
	if (!mon->opts.no_host)
		stats_sample_host(mon);
	return 0;
}

/* ---- the object ------------------------------------------------------------ */

/* An item keeps up to 18 files open (a v1 cgroup): a soft limit of 1024
 * would leave the items past ~55 unread.  The soft limit goes up to the
 * hard one (at most BE_MONITOR_NOFILE); failing that, it stays. */
static void raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	rlim_t want = rl.rlim_max < BE_MONITOR_NOFILE ? rl.rlim_max : BE_MONITOR_NOFILE;
	if (rl.rlim_cur >= want)
		return;
	rl.rlim_cur = want;
	setrlimit(RLIMIT_NOFILE, &rl);
}

struct be_monitor *be_monitor_new(struct be_ctx *ctx, const struct be_monitor_opts *opts,
                                  struct be_error **err)
{
	struct be_monitor *mon = xcalloc(1, sizeof(*mon));
	mon->ctx = ctx;
	if (opts)
		mon->opts = *opts;
	mon->layout = be_ctx_cgroup_layout(ctx);
	mon->disc = discover_new(ctx);
	if (discover_proc_fd(mon->disc) < 0) {
		be_error_set(err, ENOENT, "starting the monitor: cannot read %s",
		             be_ctx_proc_root(ctx));
		be_monitor_free(mon);
		return NULL;
	}
	discover_set_foreign(mon->disc, !mon->opts.no_foreign);
	/* berth's VMs have a parent of their own (be_vm.h): their items are
	 * named by the VM and of kind vm, and gain their qemu's figures. */
	char vm_parent[256];
	snprintf(vm_parent, sizeof(vm_parent), "%s%s", be_ctx_cgroup_parent(ctx),
	         BE_VM_CGROUP_SUFFIX);
	if (discover_watch(mon->disc, be_ctx_cgroup_parent(ctx), BE_KIND_BERTH, err) < 0 ||
	    discover_watch(mon->disc, vm_parent, BE_KIND_VM, err) < 0) {
		be_monitor_free(mon);
		return NULL;
	}
	raise_nofile();
	set_fd_ceiling(mon);
	long tck = sysconf(_SC_CLK_TCK);
	long page = sysconf(_SC_PAGESIZE);
	mon->tick_ns = tck > 0 ? 1000000000ull / (uint64_t)tck : 10000000ull;
	mon->page_size = page > 0 ? (uint64_t)page : 4096;
	mon->buf_cap = 65536;
	mon->buf = xmalloc(mon->buf_cap);
	/* The host's network namespace is pid 1's; where that cannot be read
	 * (berth itself in a sandbox), take berth's own. */
	struct stat st;
	int proc = discover_proc_fd(mon->disc);
	if (fstatat(proc, "1/ns/net", &st, 0) == 0 || fstatat(proc, "self/ns/net", &st, 0) == 0)
		mon->host_netns = st.st_ino;
	return mon;
}

void be_monitor_free(struct be_monitor *mon)
{
	if (mon == NULL)
		return;
	for (size_t i = 0; i < mon->nslots; i++) {
		stats_close_files(mon->slots[i]);
		free(mon->slots[i]->pids);
		free(mon->slots[i]);
	}
	free(mon->slots);
	free(mon->list);
	free(mon->hash);
	free(mon->buf);
	free(mon->tbuf.data);
	stats_host_free(mon);
	discover_free(mon->disc);
	free(mon);
}

int be_monitor_watch(struct be_monitor *mon, const char *parent, enum be_kind kind,
                     struct be_error **err)
{
	/* VM items come from processes (and berth's own VM parent), not
	 * from the parents a caller watches. */
	if (kind == BE_KIND_VM)
		return be_error_set(err, EINVAL, "watching cgroup %s: bad kind %d", parent, kind);
	return discover_watch(mon->disc, parent, kind, err);
}

size_t be_monitor_count(const struct be_monitor *mon)
{
	return mon->nlist;
}

const struct be_item *be_monitor_item(const struct be_monitor *mon, size_t i)
{
	return i < mon->nlist ? mon->list[i] : NULL;
}

const struct be_item *be_monitor_find(const struct be_monitor *mon, const char *text)
{
	/* A name berth and another engine both use means berth's own. */
	const struct be_item *named = NULL;
	for (size_t i = 0; i < mon->nlist; i++)
		if (strcmp(mon->list[i]->name, text) == 0 && (named == NULL || mon->list[i]->berth))
			named = mon->list[i];
	if (named)
		return named;
	size_t n = strlen(text);
	if (n < 3)
		return NULL;
	const struct be_item *hit = NULL;
	for (size_t i = 0; i < mon->nlist; i++) {
		if (strncmp(mon->list[i]->id, text, n) != 0)
			continue;
		if (hit)
			return NULL; /* ambiguous */
		hit = mon->list[i];
	}
	return hit;
}

const struct be_host *be_monitor_host(const struct be_monitor *mon)
{
	return &mon->host;
}

size_t stats_fds(const struct be_monitor *mon, bool slow, int *out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < mon->nslots; i++) {
		const struct be_slot *s = mon->slots[i];
		for (size_t f = 0; s->used && f < MF_COUNT; f++) {
			if (s->fd[f] < 0 || stats_slow_file((enum be_mfile)f) != slow)
				continue;
			if (n < max)
				out[n] = s->fd[f];
			n++;
		}
	}
	const struct be_host_state *hs = &mon->hs;
	int host[] = {hs->fd_stat,   hs->fd_meminfo, hs->fd_loadavg,
	              hs->fd_psi[0], hs->fd_psi[1],  hs->fd_psi[2]};
	for (size_t i = 0; hs->opened && !slow && i < 6; i++) {
		if (host[i] >= 0 && n < max)
			out[n] = host[i];
		n += host[i] >= 0;
	}
	return n;
}
