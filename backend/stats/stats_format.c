/* The table columns that `berth top`, `berth stats` and the TUI share: one
 * getter per column, formatted for people (compact units) or for CSV (plain
 * numbers), and compared for sorting.  Numbers are formatted by hand so the
 * output does not depend on the locale. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "stats/stats.h"
#include "base/util.h"

int stats_fmt_fixed(char *buf, size_t len, double v, int prec)
{
	if (!isfinite(v))
		return snprintf(buf, len, "null");
	bool neg = v < 0;
	if (neg)
		v = -v;
	uint64_t scale = 1;
	for (int i = 0; i < prec; i++)
		scale *= 10;
	if (v * (double)scale >= 1.8e19)
		return snprintf(buf, len, "%s%.0e", neg ? "-" : "", v); /* never in practice */
	uint64_t n = (uint64_t)(v * (double)scale + 0.5);
	if (n == 0)
		neg = false;
	if (prec == 0)
		return snprintf(buf, len, "%s%" PRIu64, neg ? "-" : "", n);
	return snprintf(buf, len, "%s%" PRIu64 ".%0*" PRIu64, neg ? "-" : "", n / scale, prec,
	                n % scale);
}

/* "512B", "1.5K", "12M", "1.2G": binary units, at most 5 characters. */
static int fmt_bytes(char *buf, size_t len, double v)
{
	static const char units[] = "BKMGTPE";
	size_t u = 0;
	while (v >= 1000 && u + 1 < sizeof(units) - 1) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		return snprintf(buf, len, "%.0f%c", v, 'B');
	char num[32];
	stats_fmt_fixed(num, sizeof(num), v, v < 10 ? 1 : 0);
	return snprintf(buf, len, "%s%c", num, units[u]);
}

enum vstate { V_UNKNOWN, V_KNOWN, V_UNLIMITED };
struct val {
	double v;
	enum vstate state;
};
enum style { S_PERCENT, S_BYTES, S_RATE, S_COUNT, S_DECIMAL };

static struct val known(double v)
{
	return (struct val){v, V_KNOWN};
}

static const struct val unknown = {0, V_UNKNOWN};

static struct val when(const struct be_item *it, uint32_t bits, double v)
{
	return (it->cur.have & bits) == bits ? known(v) : unknown;
}

static struct val limit_val(const struct be_item *it, uint32_t bit, uint64_t v)
{
	if (!(it->cur.have & bit))
		return unknown;
	return v == BE_UNLIMITED ? (struct val){0, V_UNLIMITED} : known((double)v);
}

static int fmt_val(struct val x, enum style st, char *buf, size_t len)
{
	if (x.state == V_UNKNOWN)
		return snprintf(buf, len, "-");
	if (x.state == V_UNLIMITED)
		return snprintf(buf, len, "unlimited");
	char num[32];
	switch (st) {
	case S_PERCENT: return stats_fmt_fixed(buf, len, x.v, 1);
	case S_DECIMAL: return stats_fmt_fixed(buf, len, x.v, 2);
	case S_BYTES: return fmt_bytes(buf, len, x.v);
	case S_RATE: fmt_bytes(num, sizeof(num), x.v); return snprintf(buf, len, "%s/s", num);
	case S_COUNT:
	default: return stats_fmt_fixed(buf, len, x.v, 0);
	}
}

static int raw_val(struct val x, enum style st, char *buf, size_t len)
{
	if (x.state == V_UNKNOWN)
		return snprintf(buf, len, "%s", "");
	if (x.state == V_UNLIMITED)
		return snprintf(buf, len, "max");
	return stats_fmt_fixed(buf, len, x.v, st == S_PERCENT || st == S_DECIMAL ? 2 : 0);
}

/* Unknown sorts below everything, unlimited above. */
static int cmp_val(struct val a, struct val b)
{
	if (a.state != b.state) {
		int ra = a.state == V_UNKNOWN ? 0 : a.state == V_KNOWN ? 1 : 2;
		int rb = b.state == V_UNKNOWN ? 0 : b.state == V_KNOWN ? 1 : 2;
		return ra < rb ? -1 : 1;
	}
	return a.v < b.v ? -1 : a.v > b.v ? 1 : 0;
}

/* ---- getters ------------------------------------------------------------ */

static struct val g_cpu(const struct be_item *it)
{
	return when(it, BE_HAVE_CPU | BE_HAVE_RATES, it->cur.cpu_percent);
}
static struct val g_cores(const struct be_item *it)
{
	return when(it, BE_HAVE_CPU | BE_HAVE_RATES, it->cur.cpu_cores);
}
static struct val g_quota(const struct be_item *it)
{
	return it->cur.cpu_quota_percent >= 0 ? known(it->cur.cpu_quota_percent) : unknown;
}
static struct val g_mem(const struct be_item *it)
{
	return when(it, BE_HAVE_MEM, (double)it->cur.mem_bytes);
}
static struct val g_ws(const struct be_item *it)
{
	return when(it, BE_HAVE_MEM_STAT, (double)it->cur.mem_working_set_bytes);
}
static struct val g_limit(const struct be_item *it)
{
	return limit_val(it, BE_HAVE_MEM_LIMIT, it->cur.mem_limit_bytes);
}
static struct val g_mem_pct(const struct be_item *it)
{
	const struct be_sample *x = &it->cur;
	if ((x->have & (BE_HAVE_MEM | BE_HAVE_MEM_LIMIT)) != (BE_HAVE_MEM | BE_HAVE_MEM_LIMIT) ||
	    x->mem_limit_bytes == BE_UNLIMITED || x->mem_limit_bytes == 0)
		return unknown;
	return known(100.0 * (double)x->mem_bytes / (double)x->mem_limit_bytes);
}
static struct val g_pids(const struct be_item *it)
{
	return when(it, BE_HAVE_PIDS, (double)it->cur.pids);
}
static struct val g_pids_limit(const struct be_item *it)
{
	return limit_val(it, BE_HAVE_PIDS_LIMIT, it->cur.pids_limit);
}
static struct val g_net_rx(const struct be_item *it)
{
	return when(it, BE_HAVE_NET | BE_HAVE_RATES, it->cur.net_rx_bytes_per_s);
}
static struct val g_net_tx(const struct be_item *it)
{
	return when(it, BE_HAVE_NET | BE_HAVE_RATES, it->cur.net_tx_bytes_per_s);
}
static struct val g_io_r(const struct be_item *it)
{
	return when(it, BE_HAVE_IO | BE_HAVE_RATES, it->cur.io_read_bytes_per_s);
}
static struct val g_io_w(const struct be_item *it)
{
	return when(it, BE_HAVE_IO | BE_HAVE_RATES, it->cur.io_write_bytes_per_s);
}
static struct val g_thr(const struct be_item *it)
{
	return when(it, BE_HAVE_THROTTLE | BE_HAVE_RATES, it->cur.throttled_percent);
}
static struct val g_oomk(const struct be_item *it)
{
	return when(it, BE_HAVE_OOM, (double)it->cur.oom_kills);
}
static struct val g_psi_cpu(const struct be_item *it)
{
	return when(it, BE_HAVE_PSI_CPU, it->cur.psi_cpu.some_avg10);
}
static struct val g_psi_mem(const struct be_item *it)
{
	return when(it, BE_HAVE_PSI_MEM, it->cur.psi_mem.some_avg10);
}
static struct val g_psi_io(const struct be_item *it)
{
	return when(it, BE_HAVE_PSI_IO, it->cur.psi_io.some_avg10);
}
static struct val g_guest(const struct be_item *it)
{
	return it->is_vm && it->vm.guest_mem_bytes ? known((double)it->vm.guest_mem_bytes)
	                                           : unknown;
}
/* Since the item's oldest process started; since the monitor first saw it
 * when that cannot be read. */
static struct val g_uptime(const struct be_item *it)
{
	if (it->start_time_unix) {
		int64_t now = util_wall_ns() / 1000000000;
		return known(now > (int64_t)it->start_time_unix
		                     ? (double)(now - (int64_t)it->start_time_unix)
		                     : 0);
	}
	return known((double)(it->cur.time_ns - it->first_seen_ns) / 1e9);
}

#define NUM_COLUMN(id, getter, style)                                                              \
	static int fmt_##id(const struct be_item *it, char *buf, size_t len)                       \
	{                                                                                          \
		return fmt_val(getter(it), style, buf, len);                                       \
	}                                                                                          \
	static int raw_##id(const struct be_item *it, char *buf, size_t len)                       \
	{                                                                                          \
		return raw_val(getter(it), style, buf, len);                                       \
	}                                                                                          \
	static int cmp_##id(const struct be_item *a, const struct be_item *b)                      \
	{                                                                                          \
		return cmp_val(getter(a), getter(b));                                              \
	}

NUM_COLUMN(cpu, g_cpu, S_PERCENT)
NUM_COLUMN(cores, g_cores, S_DECIMAL)
NUM_COLUMN(quota, g_quota, S_PERCENT)
NUM_COLUMN(mem, g_mem, S_BYTES)
NUM_COLUMN(ws, g_ws, S_BYTES)
NUM_COLUMN(limit, g_limit, S_BYTES)
NUM_COLUMN(mem_pct, g_mem_pct, S_PERCENT)
NUM_COLUMN(pids, g_pids, S_COUNT)
NUM_COLUMN(pids_limit, g_pids_limit, S_COUNT)
NUM_COLUMN(net_rx, g_net_rx, S_RATE)
NUM_COLUMN(net_tx, g_net_tx, S_RATE)
NUM_COLUMN(io_read, g_io_r, S_RATE)
NUM_COLUMN(io_write, g_io_w, S_RATE)
NUM_COLUMN(throttled, g_thr, S_PERCENT)
NUM_COLUMN(oom_kills, g_oomk, S_COUNT)
NUM_COLUMN(psi_cpu, g_psi_cpu, S_PERCENT)
NUM_COLUMN(psi_mem, g_psi_mem, S_PERCENT)
NUM_COLUMN(psi_io, g_psi_io, S_PERCENT)
NUM_COLUMN(guest_mem, g_guest, S_BYTES)
NUM_COLUMN(uptime, g_uptime, S_COUNT)

static int fmt_kind(const struct be_item *it, char *buf, size_t len)
{
	return snprintf(buf, len, "%s", be_kind_name(it->kind));
}
static int cmp_kind(const struct be_item *a, const struct be_item *b)
{
	return strcmp(be_kind_name(a->kind), be_kind_name(b->kind));
}
static int fmt_name(const struct be_item *it, char *buf, size_t len)
{
	return snprintf(buf, len, "%s", it->name);
}
static int cmp_name(const struct be_item *a, const struct be_item *b)
{
	return strcmp(a->name, b->name);
}
static int fmt_root(const struct be_item *it, char *buf, size_t len)
{
	return snprintf(buf, len, "%s", it->root);
}
static int cmp_root(const struct be_item *a, const struct be_item *b)
{
	return strcmp(a->root, b->root);
}
static int fmt_id(const struct be_item *it, char *buf, size_t len)
{
	return snprintf(buf, len, "%.12s", it->id);
}
static int raw_id(const struct be_item *it, char *buf, size_t len)
{
	return snprintf(buf, len, "%s", it->id);
}
static int cmp_id(const struct be_item *a, const struct be_item *b)
{
	return strcmp(a->id, b->id);
}

#define COL(cid, ctitle, cwidth)                                                                   \
	{                                                                                          \
		.id = #cid, .title = ctitle, .width = cwidth, .format = fmt_##cid,                 \
		.format_raw = raw_##cid, .compare = cmp_##cid                                      \
	}

const struct be_column be_stats_columns[] = {
        {.id = "kind",
         .title = "KIND",
         .width = -8,
         .format = fmt_kind,
         .format_raw = fmt_kind,
         .compare = cmp_kind},
        {.id = "name",
         .title = "NAME",
         .width = -20,
         .format = fmt_name,
         .format_raw = fmt_name,
         .compare = cmp_name},
        {.id = "id",
         .title = "ID",
         .width = -12,
         .format = fmt_id,
         .format_raw = raw_id,
         .compare = cmp_id},
        COL(cpu, "CPU%", 6),
        COL(cores, "CORES", 5),
        COL(quota, "QUOTA%", 6),
        COL(mem, "MEM", 6),
        COL(ws, "WSET", 6),
        COL(limit, "LIMIT", 9),
        COL(mem_pct, "MEM%", 5),
        COL(pids, "PIDS", 5),
        COL(pids_limit, "PIDMAX", 9),
        COL(net_rx, "NET RX", 8),
        COL(net_tx, "NET TX", 8),
        COL(io_read, "BLK RD", 8),
        COL(io_write, "BLK WR", 8),
        COL(throttled, "THR%", 5),
        COL(oom_kills, "OOMK", 4),
        COL(psi_cpu, "PSICPU", 6),
        COL(psi_mem, "PSIMEM", 6),
        COL(psi_io, "PSIIO", 6),
        COL(guest_mem, "GUEST", 6),
        COL(uptime, "UP_S", 7),
        {.id = "root",
         .title = "ROOT",
         .width = -24,
         .format = fmt_root,
         .format_raw = fmt_root,
         .compare = cmp_root},
};
const size_t be_stats_ncolumns = sizeof(be_stats_columns) / sizeof(be_stats_columns[0]);

const struct be_column *be_stats_column(const char *id)
{
	for (size_t i = 0; i < be_stats_ncolumns; i++)
		if (strcmp(be_stats_columns[i].id, id) == 0)
			return &be_stats_columns[i];
	return NULL;
}

int be_stats_host_line(const struct be_host *h, char *buf, size_t len)
{
	char cpu[32], l1[16], l5[16], l15[16], used[16], total[16], avail[16];
	stats_fmt_fixed(cpu, sizeof(cpu), h->cpu_percent, 1);
	stats_fmt_fixed(l1, sizeof(l1), h->load1, 2);
	stats_fmt_fixed(l5, sizeof(l5), h->load5, 2);
	stats_fmt_fixed(l15, sizeof(l15), h->load15, 2);
	fmt_bytes(used, sizeof(used), (double)h->mem_used_bytes);
	fmt_bytes(total, sizeof(total), (double)h->mem_total_bytes);
	fmt_bytes(avail, sizeof(avail), (double)h->mem_available_bytes);
	int n = snprintf(buf, len,
	                 "host: %u CPUs, CPU %s%% (100%% = one CPU), load %s %s %s, tasks %u/%u, "
	                 "mem %s used of %s (%s available)",
	                 h->ncpus, (h->have & BE_HAVE_HOST_RATES) ? cpu : "-", l1, l5, l15,
	                 h->tasks_running, h->tasks_total, used, total, avail);
	if (n > 0 && (size_t)n < len && (h->have & BE_HAVE_HOST_PSI_CPU)) {
		char pc[16], pm[16], pi[16];
		stats_fmt_fixed(pc, sizeof(pc), h->psi_cpu.some_avg10, 2);
		stats_fmt_fixed(pm, sizeof(pm), h->psi_mem.some_avg10, 2);
		stats_fmt_fixed(pi, sizeof(pi), h->psi_io.some_avg10, 2);
		n += snprintf(buf + n, len - (size_t)n, ", pressure avg10 cpu %s mem %s io %s", pc,
		              pm, pi);
	}
	return n;
}
