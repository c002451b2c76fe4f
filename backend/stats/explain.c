/* "Where does this number come from?": for a column of an item, the files
 * the monitor keeps open for it (their real paths, through /proc/self/fd),
 * the raw values of its last two samples, the interval, the formula and
 * the unit.  The same on v1 and v2, and for VMs (their process's stat). */
#include <inttypes.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "stats/stats.h"

/* The slot whose item it is, or NULL when it is none of mon's. */
static const struct be_slot *slot_of(const struct be_monitor *mon, const struct be_item *it)
{
	for (size_t i = 0; i < mon->nslots; i++)
		if (mon->slots[i] && &mon->slots[i]->it == it)
			return mon->slots[i];
	return NULL;
}

/* Appends the path of the file behind fd f (or what it would be). */
static void add_file(const struct be_slot *s, enum be_mfile f, char *buf, size_t len)
{
	if (s->fd[f] < 0)
		return;
	char link[32], path[300];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", s->fd[f]);
	ssize_t n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return;
	path[n] = '\0';
	size_t used = strlen(buf);
	snprintf(buf + used, len - used, "%s%s", used ? "; " : "", path);
}

static void sources(const struct be_slot *s, const enum be_mfile *files, size_t n, char *buf,
                    size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		add_file(s, files[i], buf, len);
	if (buf[0] == '\0')
		snprintf(buf, len, "(no file open for it)");
}

static double interval(const struct be_item *it)
{
	return it->cur.time_ns > it->prev.time_ns
	               ? (double)(it->cur.time_ns - it->prev.time_ns) / 1e9
	               : 0;
}

static void counter(struct be_explain *e, uint64_t before, uint64_t now)
{
	snprintf(e->raw_before, sizeof(e->raw_before), "%" PRIu64, before);
	snprintf(e->raw_now, sizeof(e->raw_now), "%" PRIu64, now);
}

static void level(struct be_explain *e, uint64_t now)
{
	e->raw_before[0] = '\0';
	if (now == BE_UNLIMITED)
		snprintf(e->raw_now, sizeof(e->raw_now),
		         "no limit (the file holds max or its "
		         "v1 equivalent)");
	else
		snprintf(e->raw_now, sizeof(e->raw_now), "%" PRIu64, now);
	e->interval_s = 0;
}

static void explain_cpu(const struct be_monitor *mon, const struct be_slot *s, struct be_explain *e)
{
	const struct be_item *it = &s->it;
	if (it->is_vm && !it->cgroup[0]) {
		enum be_mfile f[] = {MF_PROC_STAT};
		sources(s, f, 1, e->source, sizeof(e->source));
		snprintf(e->formula, sizeof(e->formula),
		         "(utime + stime) of the VMM process, in ns: \xce\x94 / \xce\x94t \xc3\x97 "
		         "100");
	} else if (mon->layout == BE_CGROUP_V2) {
		enum be_mfile f[] = {MF_CPU_STAT};
		sources(s, f, 1, e->source, sizeof(e->source));
		snprintf(e->formula, sizeof(e->formula),
		         "\xce\x94 cpu.stat usage_usec (here in ns) / \xce\x94t \xc3\x97 100");
	} else {
		enum be_mfile f[] = {MF_CPUACCT_USAGE};
		sources(s, f, 1, e->source, sizeof(e->source));
		snprintf(e->formula, sizeof(e->formula),
		         "\xce\x94 cpuacct.usage (ns) / \xce\x94t \xc3\x97 100");
	}
	counter(e, it->prev.cpu_usage_ns, it->cur.cpu_usage_ns);
	if (strcmp(e->column, "cores") == 0) {
		snprintf(e->unit, sizeof(e->unit), "CPUs busy");
		char *x = strstr(e->formula, " \xc3\x97 100");
		if (x)
			*x = '\0';
	} else {
		snprintf(e->unit, sizeof(e->unit), "%% of one CPU (100 = one CPU busy)");
	}
}

struct simple {
	const char *column;
	enum be_mfile v1, v2;
	const char *formula_v1, *formula_v2, *unit;
};

static const struct simple levels[] = {
        {"mem", MF_MEM_CURRENT, MF_MEM_CURRENT, "memory.usage_in_bytes as read",
         "memory.current as read", "bytes"},
        {"limit", MF_MEM_MAX, MF_MEM_MAX, "memory.limit_in_bytes (9223372036854771712: none)",
         "memory.max (max: none)", "bytes"},
        {"pids", MF_PIDS_CURRENT, MF_PIDS_CURRENT, "pids.current as read", "pids.current as read",
         "tasks"},
        {"pids_limit", MF_PIDS_MAX, MF_PIDS_MAX, "pids.max (max: none)", "pids.max (max: none)",
         "tasks"},
        {"oom_kills", MF_MEM_OOM, MF_MEM_EVENTS, "memory.oom_control oom_kill",
         "memory.events oom_kill", "kills since the cgroup was made"},
};

static uint64_t level_value(const struct be_item *it, const char *col)
{
	if (strcmp(col, "mem") == 0)
		return it->cur.mem_bytes;
	if (strcmp(col, "limit") == 0)
		return it->cur.mem_limit_bytes;
	if (strcmp(col, "pids") == 0)
		return it->cur.pids;
	if (strcmp(col, "pids_limit") == 0)
		return it->cur.pids_limit;
	return it->cur.oom_kills;
}

/* Rates of two counters over the interval: network and block IO. */
static bool explain_rate(const struct be_monitor *mon, const struct be_slot *s,
                         struct be_explain *e)
{
	const struct be_item *it = &s->it;
	const char *c = e->column;
	bool v2 = mon->layout == BE_CGROUP_V2;
	enum be_mfile f;
	if (strcmp(c, "net_rx") == 0 || strcmp(c, "net_tx") == 0) {
		f = MF_NET;
		bool rx = c[4] == 'r';
		counter(e, rx ? it->prev.net_rx_bytes : it->prev.net_tx_bytes,
		        rx ? it->cur.net_rx_bytes : it->cur.net_tx_bytes);
		snprintf(e->formula, sizeof(e->formula),
		         "\xce\x94 %s bytes of net/dev (its network namespace, lo left out) / "
		         "\xce\x94t",
		         rx ? "receive" : "transmit");
	} else if (strcmp(c, "io_read") == 0 || strcmp(c, "io_write") == 0) {
		f = MF_IO_BYTES;
		bool rd = c[3] == 'r';
		counter(e, rd ? it->prev.io_read_bytes : it->prev.io_write_bytes,
		        rd ? it->cur.io_read_bytes : it->cur.io_write_bytes);
		snprintf(
		        e->formula, sizeof(e->formula),
		        "\xce\x94 %s (summed over devices) / \xce\x94t",
		        v2 ? (rd ? "io.stat rbytes" : "io.stat wbytes")
		           : (rd ? "blkio io_service_bytes Read" : "blkio io_service_bytes Write"));
	} else if (strcmp(c, "throttled") == 0) {
		f = MF_CPU_STAT;
		snprintf(e->raw_before, sizeof(e->raw_before), "%" PRIu64 " of %" PRIu64,
		         it->prev.throttled_periods, it->prev.cpu_periods);
		snprintf(e->raw_now, sizeof(e->raw_now), "%" PRIu64 " of %" PRIu64,
		         it->cur.throttled_periods, it->cur.cpu_periods);
		snprintf(e->formula, sizeof(e->formula),
		         "\xce\x94 cpu.stat nr_throttled / \xce\x94 nr_periods \xc3\x97 100");
		snprintf(e->unit, sizeof(e->unit), "%% of the interval's periods");
		sources(s, &f, 1, e->source, sizeof(e->source));
		return true;
	} else {
		return false;
	}
	sources(s, &f, 1, e->source, sizeof(e->source));
	snprintf(e->unit, sizeof(e->unit), "bytes per second");
	return true;
}

int be_explain(const struct be_monitor *mon, const struct be_item *it, const char *column,
               struct be_explain *out, struct be_error **err)
{
	memset(out, 0, sizeof(*out));
	const struct be_slot *s = slot_of(mon, it);
	const struct be_column *col = be_stats_column(column);
	if (s == NULL || col == NULL)
		return be_error_set(err, 0, "nothing to explain for column %s", column);
	snprintf(out->column, sizeof(out->column), "%s", column);
	snprintf(out->title, sizeof(out->title), "%s", col->title);
	col->format(it, out->shown, sizeof(out->shown));
	out->interval_s = interval(it);
	if (strcmp(column, "cpu") == 0 || strcmp(column, "cores") == 0) {
		explain_cpu(mon, s, out);
		return 0;
	}
	if (explain_rate(mon, s, out))
		return 0;
	bool v2 = mon->layout == BE_CGROUP_V2;
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		const struct simple *l = &levels[i];
		if (strcmp(l->column, column) != 0)
			continue;
		enum be_mfile f = v2 ? l->v2 : l->v1;
		sources(s, &f, 1, out->source, sizeof(out->source));
		level(out, level_value(it, column));
		snprintf(out->formula, sizeof(out->formula), "%s",
		         v2 ? l->formula_v2 : l->formula_v1);
		snprintf(out->unit, sizeof(out->unit), "%s", l->unit);
		return 0;
	}
	return be_error_set(err, 0, "no explanation yet for column %s (%s)", col->title, column);
}

char *be_explain_json(const struct be_monitor *mon, const struct be_item *it)
{
	json_t *cols = json_array();
	for (size_t i = 0; i < be_stats_ncolumns; i++) {
		struct be_explain e;
		if (be_explain(mon, it, be_stats_columns[i].id, &e, NULL) < 0)
			continue;
		json_array_append_new(cols,
		                      json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f}",
		                                "column", e.column, "title", e.title, "shown",
		                                e.shown, "unit", e.unit, "source", e.source,
		                                "raw_before", e.raw_before, "raw_now", e.raw_now,
		                                "formula", e.formula, "interval_s", e.interval_s));
	}
	json_t *o = json_pack("{s:i, s:s, s:s, s:o}", "version", 1, "name", it->name, "kind",
	                      be_kind_name(it->kind), "columns", cols);
	char *text = json_dumps(o, JSON_INDENT(2));
	json_decref(o);
	return text;
}
