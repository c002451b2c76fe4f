/* The detail view of one item: who it is, its limits as gauges, history
 * graphs from the monitor's rings, throttling, OOM kills and pressure, its
 * processes, its namespaces against the host's (the teaching view) and,
 * for berth's containers, the snapshot tree.  Laid out on a virtual page
 * that scrolls; processes, namespaces and snapshots are read only while it
 * is open. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "tui.h"

struct page {
	struct tui *t;
	int y; /* next virtual line */
};

/* Screen line of virtual line vy (the title bar and the bottom line are
 * drawn after the view, over whatever falls on them). */
static int sy(const struct page *p, int vy)
{
	return 1 + vy - p->t->detail.scroll;
}

static void section(struct page *p, const char *title)
{
	p->y++;
	int y = sy(p, p->y);
	int x = tui_put(p->t, y, 0, COLS, BE_ROLE_LABEL, title);
	for (int i = x + 1; i < COLS; i++)
		tui_put(p->t, y, i, 1, BE_ROLE_BORDER, p->t->g.hline);
	p->y++;
}

static void field(struct page *p, int x, int w, const char *label, int role, const char *value)
{
	int y = sy(p, p->y);
	int lw = tui_put(p->t, y, x, w, BE_ROLE_LABEL, label);
	tui_put(p->t, y, x + lw, w - lw, role, value);
}

void tui_detail_clear(struct tui *t)
{
	free(t->detail.procs);
	free(t->detail.events);
	be_snapshot_list_free(t->detail.snaps, t->detail.nsnaps);
	memset(&t->detail, 0, sizeof(t->detail));
	t->detail.ident.kind = -1;
}

void tui_detail_open(struct tui *t, const struct tui_row *r)
{
	tui_detail_clear(t);
	tui_ident_of(r, &t->detail.ident);
	t->view = TUI_VIEW_DETAIL;
	tui_detail_load(t);
}

const struct tui_row *tui_detail_row(const struct tui *t)
{
	return tui_model_find(&t->model, &t->detail.ident);
}

static pid_t main_pid(const struct tui_row *r)
{
	if (r->ct && r->ct->pid > 0)
		return r->ct->pid;
	if (r->item->is_vm && r->item->vm.pid > 0)
		return r->item->vm.pid;
	return r->item->npids ? r->item->pids[0] : 0;
}

void tui_detail_load(struct tui *t)
{
	struct tui_detail *d = &t->detail;
	const struct tui_row *r = tui_detail_row(t);
	struct be_error *err = NULL;
	free(d->procs);
	d->procs = NULL;
	d->nprocs = 0;
	d->proc_err[0] = d->ns_err[0] = d->snap_err[0] = '\0';
	d->ns_ok = false;
	if (r == NULL)
		return;
	if (t->replay || r->remote) { /* not here, or ended long ago */
		const char *why = t->replay ? _("not recorded (a replay)") : _("on another host");
		snprintf(d->proc_err, sizeof(d->proc_err), "%s", why);
		snprintf(d->ns_err, sizeof(d->ns_err), "%s", why);
		return;
	}
	if (r->item->npids &&
	    be_proc_list(t->ctx, r->item->pids, r->item->npids, &d->procs, &d->nprocs, &err) < 0)
		snprintf(d->proc_err, sizeof(d->proc_err), "%s", err->msg);
	be_error_clear(&err);
	pid_t pid = main_pid(r);
	if (pid > 0 && be_ns_compare(t->ctx, pid, d->ns, &err) == 0)
		d->ns_ok = true;
	else if (err)
		snprintf(d->ns_err, sizeof(d->ns_err), "%s", err->msg);
	be_error_clear(&err);
	if (r->ct == NULL)
		return;
	be_snapshot_list_free(d->snaps, d->nsnaps);
	d->snaps = NULL;
	d->nsnaps = 0;
	/* Sizes once, when the view opens (a walk of each new layer). */
	if (be_snapshot_list(t->ctx, r->ct->name, !d->loaded, &d->snaps, &d->nsnaps, &err) < 0)
		snprintf(d->snap_err, sizeof(d->snap_err), "%s", err->msg);
	be_error_clear(&err);
	free(d->events);
	d->events = NULL;
	d->nevents = 0;
	be_events_read(t->ctx, 0, r->ct->name, &d->events, &d->nevents, NULL);
	d->loaded = true;
}

/* ---- identity ----------------------------------------------------------------- */

static void status_text(const struct tui_row *r, char *buf, size_t len, int *role)
{
	*role = BE_ROLE_NORMAL;
	if (r->ct == NULL) {
		snprintf(buf, len, "%s (berth only watches it)", r->item->npids ? "running" : "-");
		return;
	}
	const char *s = be_container_status_name(r->ct->status);
	*role = r->ct->status == BE_STATUS_RUNNING  ? BE_ROLE_RUNNING
	        : r->ct->status == BE_STATUS_PAUSED ? BE_ROLE_PAUSED
	                                            : BE_ROLE_EXITED;
	if (r->ct->status == BE_STATUS_DAMAGED) {
		*role = BE_ROLE_ERROR;
		snprintf(buf, len, "%s: %s", s, r->ct->problem ? r->ct->problem : "?");
	} else if (r->ct->status == BE_STATUS_EXITED && r->ct->exit_code >= 0)
		snprintf(buf, len, "%s (code %d%s)", s, r->ct->exit_code,
		         r->ct->oom_killed ? ", OOM killed" : "");
	else
		snprintf(buf, len, "%s", s);
}

static void uptime_text(const struct tui_row *r, char *buf, size_t len)
{
	if (r->ct && r->ct->started_ns > 0 &&
	    (r->ct->status == BE_STATUS_RUNNING || r->ct->status == BE_STATUS_PAUSED)) {
		int64_t secs = (int64_t)time(NULL) - r->ct->started_ns / 1000000000;
		be_format_duration(secs, buf, len);
	} else if (r->item->first_seen_ns && r->item->cur.time_ns > r->item->first_seen_ns) {
		char d[48];
		be_format_duration(
		        (int64_t)((r->item->cur.time_ns - r->item->first_seen_ns) / 1000000000), d,
		        sizeof(d));
		snprintf(buf, len, "%s (seen by this UI or recording)", d);
	} else {
		snprintf(buf, len, "-");
	}
}

static void draw_identity(struct page *p, const struct tui_row *r)
{
	char buf[256], pid[32];
	int role, half = COLS / 2;
	const struct be_item *it = r->item;
	int y = sy(p, p->y);
	int x = tui_put(p->t, y, 0, COLS, BE_ROLE_TITLE, it->name);
	tui_putf(p->t, y, x, COLS - x, BE_ROLE_DIM, "  %s%s", be_kind_name(it->kind),
	         it->is_vm   ? " (virtual machine)"
	         : it->berth ? " container"
	                     : "");
	p->y++;
	status_text(r, buf, sizeof(buf), &role);
	if (p->t->replay)
		snprintf(buf, sizeof(buf), "%s", _("recorded (a replay: nothing to act on)"));
	field(p, 0, half, "Status  ", role, buf);
	snprintf(pid, sizeof(pid), "%d", (int)main_pid(r));
	field(p, half, COLS - half, "PID     ", BE_ROLE_NORMAL, main_pid(r) > 0 ? pid : "-");
	p->y++;
	field(p, 0, half, "Image   ", BE_ROLE_NORMAL,
	      r->ct          ? r->ct->image
	      : it->image[0] ? it->image
	                     : "-");
	field(p, half, COLS - half, "Id      ", BE_ROLE_NORMAL, it->id[0] ? it->id : "-");
	p->y++;
	uptime_text(r, buf, sizeof(buf));
	field(p, 0, half, "Uptime  ", BE_ROLE_NORMAL, buf);
	if (it->is_vm) {
		char guest[32] = "?";
		if (it->vm.guest_mem_bytes)
			be_format_size(it->vm.guest_mem_bytes, guest, sizeof(guest));
		snprintf(buf, sizeof(buf), "%s, %u vCPUs, %u threads, guest memory %s", it->vm.vmm,
		         it->vm.vcpus, it->vm.threads, guest);
	} else
		snprintf(buf, sizeof(buf), "%s", r->ct && r->ct->command ? r->ct->command : "-");
	field(p, half, COLS - half, it->is_vm ? "VMM     " : "Command ", BE_ROLE_NORMAL, buf);
	p->y++;
	field(p, 0, COLS, "Cgroup  ", BE_ROLE_NORMAL, it->cgroup[0] ? it->cgroup : "- (none now)");
	p->y++;
	if (r->ct) {
		const struct be_container_info *c = r->ct;
		const char *mode = c->net == BE_NET_HOST     ? "host (the host's own stack)"
		                   : c->net == BE_NET_BRIDGE ? c->network[0] ? c->network : "bridge"
		                                             : "none (loopback only)";
		snprintf(buf, sizeof(buf), "%s%s%s%s%s", mode, c->ip[0] ? ", address " : "", c->ip,
		         c->ports && *c->ports ? ", ports " : "", c->ports ? c->ports : "");
		field(p, 0, COLS, "Network ", BE_ROLE_NORMAL, buf);
		p->y++;
	}
}

/* ---- limits ------------------------------------------------------------------------ */

static void gauge(struct page *p, const char *label, bool known, double used, double limit,
                  const char *text)
{
	int y = sy(p, p->y++);
	if (!known) {
		int x = tui_put(p->t, y, 0, COLS, BE_ROLE_LABEL, label);
		tui_put(p->t, y, x + 1, COLS - x - 1, BE_ROLE_DIM, text);
		return;
	}
	tui_meter(p->t, y, 0, COLS > 100 ? 100 : COLS, label, limit > 0 ? used / limit : 0, text);
}

static void draw_limits(struct page *p, const struct be_item *it)
{
	const struct be_sample *s = &it->cur;
	char text[128], a[32], b[32];
	section(p, _("Limits (CPU% : 100 = one CPU)"));
	bool cpu = (s->have & (BE_HAVE_CPU | BE_HAVE_RATES)) == (BE_HAVE_CPU | BE_HAVE_RATES);
	bool quota = s->cpu_quota_us != BE_UNLIMITED && s->cpu_period_us &&
	             (s->have & BE_HAVE_CPU_LIMIT);
	double qpct = quota ? 100.0 * (double)s->cpu_quota_us / (double)s->cpu_period_us : 0;
	if (!cpu)
		snprintf(text, sizeof(text), "- (nothing measured: not running)");
	else if (quota)
		snprintf(text, sizeof(text), "%.1f%% of a %.0f%% quota", s->cpu_percent, qpct);
	else
		snprintf(text, sizeof(text), "%.1f%%, quota unlimited", s->cpu_percent);
	gauge(p, "CPU  ", cpu && quota, s->cpu_percent, qpct, text);
	bool mem = s->have & BE_HAVE_MEM;
	bool mlim = (s->have & BE_HAVE_MEM_LIMIT) && s->mem_limit_bytes != BE_UNLIMITED;
	be_format_size(s->mem_bytes, a, sizeof(a));
	be_format_size(mlim ? s->mem_limit_bytes : 0, b, sizeof(b));
	snprintf(text, sizeof(text), "%s / %s", mem ? a : "-", mlim ? b : "unlimited");
	gauge(p, "Mem  ", mem && mlim, (double)s->mem_bytes, (double)s->mem_limit_bytes, text);
	bool pids = s->have & BE_HAVE_PIDS;
	bool plim = (s->have & BE_HAVE_PIDS_LIMIT) && s->pids_limit != BE_UNLIMITED;
	snprintf(a, sizeof(a), "%llu", (unsigned long long)s->pids);
	snprintf(b, sizeof(b), "%llu", (unsigned long long)s->pids_limit);
	snprintf(text, sizeof(text), "%s / %s", pids ? a : "-", plim ? b : "unlimited");
	gauge(p, "Pids ", pids && plim, (double)s->pids, (double)s->pids_limit, text);
}

/* ---- graphs ---------------------------------------------------------------------------- */

struct graph_spec {
	enum be_hist h;
	const char *title;
	bool bytes; /* else percent */
	double floor;
};

/* The limit of graph g, in its unit, or 0 for none: a memory limit, a CPU
 * quota in percent of one CPU. */
static double graph_limit(const struct be_item *it, const struct graph_spec *g)
{
	const struct be_sample *s = &it->cur;
	if (g->h == BE_HIST_MEM && (s->have & BE_HAVE_MEM_LIMIT) &&
	    s->mem_limit_bytes != BE_UNLIMITED)
		return (double)s->mem_limit_bytes;
	if (g->h == BE_HIST_CPU && (s->have & BE_HAVE_CPU_LIMIT) &&
	    s->cpu_quota_us != BE_UNLIMITED && s->cpu_quota_us > 0 && s->cpu_period_us > 0)
		return 100.0 * (double)s->cpu_quota_us / (double)s->cpu_period_us;
	return 0;
}

/* The limit as a dashed line on the graph's row that holds it (over empty
 * cells only), and the monitor's marks (OOM kill, throttled, pids limit,
 * limit changed) as a marker above the sample they came with. */
static void graph_overlay(struct page *p, int y, int x, int w, double scale, double limit,
                          const struct be_item *it)
{
	enum { H = 4 };
	struct tui *t = p->t;
	if (limit > 0 && scale > 0 && limit <= scale) {
		int row = H - 1 - (int)((limit / scale) * H - 0.5); /* 0 = top */
		if (row < 0)
			row = 0;
		for (int i = 0; i < w && y + 1 + row >= 1 && y + 1 + row < LINES - 1; i++) {
			cchar_t c;
			if (mvin_wch(y + 1 + row, x + i, &c) == OK && c.chars[0] == L' ')
				tui_put(t, y + 1 + row, x + i, 1, BE_ROLE_METER_HIGH,
				        t->g.utf8 ? "\u254c" : "-");
		}
	}
	for (uint32_t k = 0; k < it->nmarks && k < BE_MARKS; k++) {
		const struct be_mark *m = &it->marks[k];
		uint64_t age = it->samples - m->sample;
		if (age >= (uint64_t)w || y < 1)
			continue;
		tui_put(t, y, x + w - 1 - (int)age, 1, BE_ROLE_ERROR, t->g.utf8 ? "\u25bc" : "v");
	}
}

static void graph_box(struct page *p, int x, int w, const struct be_item *it,
                      const struct graph_spec *g)
{
	enum { H = 4 };
	int y = sy(p, p->y);
	char last[32], max[32];
	double limit = graph_limit(it, g);
	double scale = tui_graph(p->t, y + 1, x, w, H, &it->hist[g->h],
	                         limit > g->floor ? limit : g->floor);
	double now = be_ring_last(&it->hist[g->h]);
	if (g->bytes) {
		be_format_size((uint64_t)now, last, sizeof(last));
		be_format_size((uint64_t)scale, max, sizeof(max));
	} else {
		snprintf(last, sizeof(last), "%.1f%%", now);
		snprintf(max, sizeof(max), "%.0f%%", scale);
	}
	tui_putf(p->t, y, x, w, BE_ROLE_LABEL, "%s %s", g->title, last);
	char top[48];
	snprintf(top, sizeof(top), "top %s", max);
	int tw = (int)strlen(top);
	if (tw + 16 < w)
		tui_put(p->t, y, x + w - tw, tw, BE_ROLE_DIM, top);
	graph_overlay(p, y, x, w, scale, limit, it);
}

/* A lab container's paragraph, wrapped at word boundaries. */
static void draw_lab(struct page *p, const struct be_lab_item *lab)
{
	char title[128];
	snprintf(title, sizeof(title), "Lab: %s", lab->title);
	section(p, title);
	const char *s = lab->text;
	int w = COLS - 4 > 20 ? COLS - 4 : 20;
	while (*s) {
		int n = (int)strlen(s);
		if (n > w) {
			n = w;
			while (n > 0 && s[n] != ' ')
				n--;
			if (n == 0)
				n = w;
		}
		tui_putf(p->t, sy(p, p->y++), 2, COLS - 2, BE_ROLE_NORMAL, _("%.*s"), n, s);
		s += n;
		while (*s == ' ')
			s++;
	}
}

/* The monitor's marks (newest first) and berth's log of the container. */
static void draw_events(struct page *p, const struct tui_row *r)
{
	const struct be_item *it = r->item;
	const struct tui_detail *d = &p->t->detail;
	section(p, _("Events (\u25bc on the graphs: when the monitor saw it)"));
	int shown = 0;
	for (uint32_t k = 0; k < it->nmarks && k < BE_MARKS; k++) {
		const struct be_mark *m = &it->marks[(it->nmarks - 1 - k) % BE_MARKS];
		char when[32];
		time_t sec = (time_t)(m->wall_ns / 1000000000);
		strftime(when, sizeof(when), "%H:%M:%S", localtime(&sec));
		tui_putf(p->t, sy(p, p->y++), 2, COLS - 2,
		         m->type == BE_MARK_OOM ? BE_ROLE_ERROR : BE_ROLE_NORMAL, "%s  %-13s %s",
		         when, be_mark_name(m->type), m->detail);
		shown++;
	}
	size_t first = d->nevents > 8 ? d->nevents - 8 : 0;
	for (size_t i = d->nevents; i > first; i--) {
		const struct be_event *e = &d->events[i - 1];
		char when[32];
		time_t sec = (time_t)(e->time_ns / 1000000000);
		strftime(when, sizeof(when), "%H:%M:%S", localtime(&sec));
		tui_putf(p->t, sy(p, p->y++), 2, COLS - 2,
		         strcmp(e->type, "oom") == 0 ? BE_ROLE_ERROR : BE_ROLE_DIM, "%s  %-13s %s",
		         when, e->type, e->detail);
		shown++;
	}
	if (shown == 0)
		tui_put(p->t, sy(p, p->y++), 2, COLS - 2, BE_ROLE_DIM, _("nothing yet"));
}

static void draw_graphs(struct page *p, const struct be_item *it)
{
	static const struct graph_spec specs[] = {
	        {BE_HIST_CPU, "CPU%", false, 100},
	        {BE_HIST_MEM, "Memory", true, 1 << 20},
	        {BE_HIST_NET_RX, "Net rx/s", true, 1024},
	        {BE_HIST_NET_TX, "Net tx/s", true, 1024},
	        {BE_HIST_IO_READ, "Blk read/s", true, 1024},
	        {BE_HIST_IO_WRITE, "Blk write/s", true, 1024},
	};
	section(p, _("History (newest on the right, one column a refresh)"));
	int per = COLS >= 150 ? 3 : 2, w = (COLS - (per - 1) * 2) / per;
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		int col = (int)(i % (size_t)per);
		graph_box(p, col * (w + 2), w, it, &specs[i]);
		if (col == per - 1 || i + 1 == sizeof(specs) / sizeof(specs[0]))
			p->y += 5;
	}
}

static void draw_counters(struct page *p, const struct be_item *it)
{
	const struct be_sample *s = &it->cur;
	int y = sy(p, p->y++);
	int x = tui_put(p->t, y, 0, COLS, BE_ROLE_LABEL, _("Throttled "));
	if (s->have & BE_HAVE_THROTTLE)
		x += tui_putf(p->t, y, x, COLS - x, BE_ROLE_NORMAL,
		              _("%llu of %llu periods (%.1f%% lately), %.2fs in all"),
		              (unsigned long long)s->throttled_periods,
		              (unsigned long long)s->cpu_periods, s->throttled_percent,
		              (double)s->throttled_ns / 1e9);
	else
		x += tui_put(p->t, y, x, COLS - x, BE_ROLE_DIM, _("-"));
	x += tui_put(p->t, y, x, COLS - x, BE_ROLE_LABEL, _("   OOM kills "));
	if (s->have & BE_HAVE_OOM)
		tui_putf(p->t, y, x, COLS - x, s->oom_kills ? BE_ROLE_ERROR : BE_ROLE_NORMAL,
		         "%llu (limit hit %llu times)", (unsigned long long)s->oom_kills,
		         (unsigned long long)s->mem_limit_hits);
	else
		tui_put(p->t, y, x, COLS - x, BE_ROLE_DIM, _("-"));
	y = sy(p, p->y++);
	x = tui_put(p->t, y, 0, COLS, BE_ROLE_LABEL, _("Pressure "));
	const struct {
		uint32_t bit;
		const char *name;
		const struct be_psi *v;
	} psi[] = {{BE_HAVE_PSI_CPU, "cpu", &s->psi_cpu},
	           {BE_HAVE_PSI_MEM, "mem", &s->psi_mem},
	           {BE_HAVE_PSI_IO, "io", &s->psi_io}};
	bool any = false;
	for (size_t i = 0; i < 3; i++)
		if (s->have & psi[i].bit) {
			any = true;
			x += tui_putf(p->t, y, x, COLS - x, BE_ROLE_NORMAL,
			              _("%s %.1f/%.1f/%.1f%%  "), psi[i].name, psi[i].v->some_avg10,
			              psi[i].v->some_avg60, psi[i].v->some_avg300);
		}
	tui_put(p->t, y, x, COLS - x, BE_ROLE_DIM,
	        any ? "(some, avg 10s/60s/300s)" : "- (no PSI for this cgroup on this kernel)");
}

/* ---- namespaces, processes, snapshots ------------------------------------------------------ */

static void draw_namespaces(struct page *p)
{
	const struct tui_detail *d = &p->t->detail;
	const struct be_item *it = tui_detail_row(p->t) ? tui_detail_row(p->t)->item : NULL;
	if (it && it->is_vm)
		section(p, _("Namespaces (a VM's walls are the hypervisor's: its VMM process "
		             "shares the host's)"));
	else
		section(p, _("Namespaces (own: the container's; host: shared with the host)"));
	if (!d->ns_ok) {
		tui_put(p->t, sy(p, p->y++), 2, COLS - 2, BE_ROLE_DIM,
		        d->ns_err[0] ? d->ns_err : "no process to look at");
		return;
	}
	for (int i = 0; i < BE_NS_COUNT; i++) {
		const struct be_ns_info *n = &d->ns[i];
		int y = sy(p, p->y++);
		tui_putf(p->t, y, 2, 8, BE_ROLE_LABEL, "%-7s", n->type ? n->type : "?");
		if (!n->present) {
			tui_put(p->t, y, 10, COLS - 10, BE_ROLE_DIM,
			        _("-     (absent here, or its link cannot be read)"));
			continue;
		}
		tui_put(p->t, y, 10, 6, n->shared ? BE_ROLE_PAUSED : BE_ROLE_RUNNING,
		        n->shared ? "host" : "own");
		tui_putf(p->t, y, 16, COLS - 16, BE_ROLE_NORMAL, _("%-12llu %s%llu"),
		         (unsigned long long)n->inode, n->shared ? "= host " : "host ",
		         (unsigned long long)n->host_inode);
	}
}

static void draw_processes(struct page *p)
{
	const struct tui_detail *d = &p->t->detail;
	char rss[32];
	section(p, _("Processes (PID as the host sees it; INNER as its own pid namespace does)"));
	if (d->nprocs == 0) {
		tui_put(p->t, sy(p, p->y++), 2, COLS - 2, BE_ROLE_DIM,
		        d->proc_err[0] ? d->proc_err : "none");
		return;
	}
	tui_putf(p->t, sy(p, p->y++), 2, COLS - 2, BE_ROLE_TABLE_HEADER,
	         _("%7s %5s %7s S %5s %4s %9s %8s  %s"), "PID", "INNER", "PPID", "UID", "THR",
	         "RSS", "CPU s", "COMMAND");
	for (size_t i = 0; i < d->nprocs; i++) {
		const struct be_proc_info *q = &d->procs[i];
		char inner[16] = "-";
		if (q->ns_pid > 0)
			snprintf(inner, sizeof(inner), "%d", (int)q->ns_pid);
		be_format_size(q->rss_bytes, rss, sizeof(rss));
		tui_putf(p->t, sy(p, p->y++), 2, COLS - 2, BE_ROLE_NORMAL,
		         "%7d %5s %7d %c %5u %4u %9s %8.2f  %s", (int)q->pid, inner, (int)q->ppid,
		         q->state, (unsigned)q->uid, q->threads, rss, (double)q->cpu_ns / 1e9,
		         q->cmdline);
	}
}

static void snap_line(struct page *p, const struct be_snapshot_info *s, const char *prefix)
{
	char when[48], size[32], line[256];
	be_format_duration((int64_t)time(NULL) - s->created, when, sizeof(when));
	if (s->size >= 0)
		be_format_size((uint64_t)s->size, size, sizeof(size));
	else
		snprintf(size, sizeof(size), "-");
	int y = sy(p, p->y++);
	int x = tui_put(p->t, y, 2, COLS - 2, BE_ROLE_BORDER, prefix);
	snprintf(line, sizeof(line), "%s %s ago, %s%s", s->name, when, size,
	         s->current ? "  " : "");
	x += tui_put(p->t, y, 2 + x, COLS - 2 - x, s->current ? BE_ROLE_RUNNING : BE_ROLE_NORMAL,
	             line);
	if (s->current)
		tui_putf(p->t, y, 2 + x, COLS - 2 - x, BE_ROLE_RUNNING, _("%s head"), p->t->g.head);
}

/* Children of parent (a name, "" for the roots) in creation order, drawn
 * depth first with tree glyphs. */
static void snap_tree(struct page *p, const char *parent, char *prefix, size_t plen, int depth)
{
	const struct tui_detail *d = &p->t->detail;
	size_t last = (size_t)-1;
	for (size_t i = 0; i < d->nsnaps; i++)
		if (strcmp(d->snaps[i].parent, parent) == 0)
			last = i;
	for (size_t i = 0; i < d->nsnaps && last != (size_t)-1 && depth < 64; i++) {
		if (strcmp(d->snaps[i].parent, parent) != 0)
			continue;
		size_t n = strlen(prefix);
		snprintf(prefix + n, plen - n, "%s",
		         i == last ? p->t->g.tree_last : p->t->g.tree_mid);
		snap_line(p, &d->snaps[i], prefix);
		snprintf(prefix + n, plen - n, "%s", i == last ? "   " : p->t->g.tree_pipe);
		snap_tree(p, d->snaps[i].name, prefix, plen, depth + 1);
		prefix[n] = '\0';
	}
}

static void draw_snapshots(struct page *p, const struct tui_row *r)
{
	const struct tui_detail *d = &p->t->detail;
	section(p, _("Snapshots (layers; b rolls back, n takes one)"));
	if (d->snap_err[0] || d->nsnaps == 0) {
		tui_put(p->t, sy(p, p->y++), 2, COLS - 2, BE_ROLE_DIM,
		        d->snap_err[0] ? d->snap_err : "none yet: n takes one");
		return;
	}
	char prefix[1024] = "";
	tui_putf(p->t, sy(p, p->y++), 2, COLS - 2, BE_ROLE_DIM, _("image %s"), r->ct->image);
	snap_tree(p, "", prefix, sizeof(prefix), 0);
	/* Snapshots whose parent is gone from the list still show. */
	for (size_t i = 0; i < d->nsnaps; i++) {
		bool found = d->snaps[i].parent[0] == '\0';
		for (size_t k = 0; k < d->nsnaps && !found; k++)
			found = strcmp(d->snaps[k].name, d->snaps[i].parent) == 0;
		if (!found)
			snap_line(p, &d->snaps[i], "? ");
	}
}

void tui_detail_draw(struct tui *t)
{
	struct page p = {.t = t, .y = 0};
	const struct tui_row *r = tui_detail_row(t);
	if (r == NULL) {
		tui_putf(t, 2, 2, COLS - 4, BE_ROLE_ERROR, _("%s is gone (Esc: back to the list)"),
		         t->detail.ident.name);
		return;
	}
	draw_identity(&p, r);
	const struct be_lab_item *lab = r->ct ? be_lab_find(r->ct->name) : NULL;
	if (lab)
		draw_lab(&p, lab);
	draw_limits(&p, r->item);
	draw_graphs(&p, r->item);
	draw_counters(&p, r->item);
	draw_events(&p, r);
	draw_namespaces(&p);
	draw_processes(&p);
	if (r->ct)
		draw_snapshots(&p, r);
	t->detail.height = p.y + 1;
	int max = t->detail.height - (LINES - 2);
	if (t->detail.scroll > max) /* after a resize, or when lines went away */
		t->detail.scroll = max < 0 ? 0 : max;
}
