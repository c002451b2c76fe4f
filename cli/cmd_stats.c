/* Commands of the stats family: `berth stats` (like docker stats) and
 * `berth top -b` (batch mode like top -b).  Both print the backend's column
 * table (be_stats_columns) or its JSON Lines schema; nothing is measured
 * here. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

#define LINE_MAX_JSON 8192

static const char *const stats_columns[] = {"name",     "id",      "kind",   "cpu",    "mem",
                                            "limit",    "mem_pct", "net_rx", "net_tx", "io_read",
                                            "io_write", "pids",    NULL};
static const char *const top_columns[] = {"kind",   "name",    "id",       "cpu",       "quota",
                                          "mem",    "limit",   "mem_pct",  "pids",      "net_rx",
                                          "net_tx", "io_read", "io_write", "throttled", "oom_kills",
                                          "root",   NULL};

struct view {
	const struct be_column *cols[64];
	size_t ncols;
	const struct be_column *sort;
	bool sort_desc;
};

static int view_columns(struct view *v, const char *list, const char *const *deflt)
{
	v->ncols = 0;
	if (list == NULL) {
		for (size_t i = 0; deflt[i]; i++)
			v->cols[v->ncols++] = be_stats_column(deflt[i]);
		return 0;
	}
	char *copy = strdup(list);
	if (copy == NULL)
		abort();
	int rc = 0;
	for (char *save = NULL, *w = strtok_r(copy, ",", &save); w;
	     w = strtok_r(NULL, ",", &save)) {
		const struct be_column *c = be_stats_column(w);
		if (c == NULL || v->ncols >= 64) {
			rc = cli_failf("unknown column \"%s\" (see `berth top --help`)", w);
			break;
		}
		v->cols[v->ncols++] = c;
	}
	if (rc == 0 && v->ncols == 0)
		rc = cli_failf("no columns given");
	free(copy);
	return rc;
}

static const struct view *sort_view;

static int by_view(const void *a, const void *b)
{
	const struct be_item *x = *(const struct be_item *const *)a;
	const struct be_item *y = *(const struct be_item *const *)b;
	int r = sort_view->sort->compare(x, y);
	if (sort_view->sort_desc)
		r = -r;
	if (r == 0)
		r = strcmp(x->name, y->name);
	return r;
}

/* The items to show, sorted; NAMEs select (by name or id prefix). */
static size_t pick_items(const struct be_monitor *mon, const struct view *v, char **names,
                         int nnames, const struct be_item **out, size_t max)
{
	size_t n = 0;
	if (nnames > 0) {
		for (int i = 0; i < nnames && n < max; i++) {
			const struct be_item *it = be_monitor_find(mon, names[i]);
			if (it)
				out[n++] = it;
		}
		return n;
	}
	for (size_t i = 0; i < be_monitor_count(mon) && n < max; i++)
		out[n++] = be_monitor_item(mon, i);
	sort_view = v;
	qsort(out, n, sizeof(*out), by_view);
	return n;
}

static void print_cell(const struct be_column *c, const char *text, bool last)
{
	int w = c->width < 0 ? -c->width : c->width;
	if (last && c->width < 0)
		printf("%.*s", w, text);
	else if (c->width < 0)
		printf("%-*.*s", w, w, text);
	else
		printf("%*.*s", w, w, text);
	fputs(last ? "\n" : "  ", stdout);
}

static void print_table(const struct view *v, const struct be_item *const *items, size_t n)
{
	for (size_t c = 0; c < v->ncols; c++)
		print_cell(v->cols[c], v->cols[c]->title, c + 1 == v->ncols);
	char buf[256];
	for (size_t i = 0; i < n; i++)
		for (size_t c = 0; c < v->ncols; c++) {
			v->cols[c]->format(items[i], buf, sizeof(buf));
			print_cell(v->cols[c], buf, c + 1 == v->ncols);
		}
}

/* CSV: a header of column ids once, then rows; quoted when needed. */
static void print_csv_field(const char *s, bool last)
{
	if (strpbrk(s, ",\"\n\r")) {
		putchar('"');
		for (; *s; s++) {
			if (*s == '"')
				putchar('"');
			putchar(*s);
		}
		putchar('"');
	} else {
		fputs(s, stdout);
	}
	putchar(last ? '\n' : ',');
}

static void print_csv(const struct view *v, const struct be_item *const *items, size_t n,
                      long long time_ms, bool header)
{
	char buf[256];
	if (header) {
		fputs("time_unix_ms,", stdout);
		for (size_t c = 0; c < v->ncols; c++)
			print_csv_field(v->cols[c]->id, c + 1 == v->ncols);
	}
	for (size_t i = 0; i < n; i++) {
		printf("%lld,", time_ms);
		for (size_t c = 0; c < v->ncols; c++) {
			v->cols[c]->format_raw(items[i], buf, sizeof(buf));
			print_csv_field(buf, c + 1 == v->ncols);
		}
	}
}

static void print_json(const struct be_item *const *items, size_t n, long long time_ms)
{
	char buf[LINE_MAX_JSON];
	for (size_t i = 0; i < n; i++) {
		int len = be_stats_item_json(items[i], time_ms, buf, sizeof(buf));
		if (len > 0 && (size_t)len < sizeof(buf))
			puts(buf);
	}
}

static long long wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_s(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Parses "1", "0.5", "2.25" seconds, from 0.1 to 86400. */
static int parse_secs(const char *opt, const char *text, double dflt, double *out)
{
	*out = dflt;
	if (text == NULL)
		return 0;
	char *end = NULL;
	errno = 0;
	double v = strtod(text, &end);
	if (end == text || *end || errno || !(v >= 0.1 && v <= 86400))
		return cli_failf("invalid --%s \"%s\": want seconds from 0.1 to 86400", opt, text);
	*out = v;
	return 0;
}

static int view_sort(struct view *v, const char *id, const char *dflt)
{
	v->sort = be_stats_column(id ? id : dflt);
	if (v->sort == NULL)
		return cli_failf("unknown column \"%s\" to sort by", id);
	/* Names sort A to Z, figures largest first. */
	v->sort_desc = strcmp(v->sort->id, "kind") != 0 && strcmp(v->sort->id, "name") != 0 &&
	               strcmp(v->sort->id, "id") != 0;
	return 0;
}

static struct be_monitor *open_monitor(struct cli *cli)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return NULL;
	struct be_error *err = NULL;
	struct be_monitor *mon = be_monitor_new(ctx, NULL, &err);
	if (mon == NULL || be_monitor_refresh(mon, &err) < 0) {
		cli_fail(err);
		be_monitor_free(mon);
		return NULL;
	}
	return mon;
}

static int refresh(struct be_monitor *mon)
{
	struct be_error *err = NULL;
	return be_monitor_refresh(mon, &err) < 0 ? cli_fail(err) : 0;
}

static int check_names(const struct be_monitor *mon, char **names, int n)
{
	for (int i = 0; i < n; i++)
		if (be_monitor_find(mon, names[i]) == NULL)
			return cli_failf("no such container or VM: %s", names[i]);
	return 0;
}

/* `stats --stream --json`: one versioned JSON object per refresh, until
 * stdout closes or a signal ends the process. */
static int run_stream(struct cli *cli, double interval)
{
	struct be_monitor *mon = open_monitor(cli);
	if (mon == NULL)
		return CLI_EXIT_FAIL;
	char host[256];
	be_metrics_hostname(host, sizeof(host));
	struct be_metrics_text line = {0};
	int rc = 0;
	for (;;) {
		sleep_s(interval);
		if ((rc = refresh(mon)) != 0)
			break;
		line.len = 0;
		be_metrics_stream_line(mon, wall_ms(), host, &line);
		if (fwrite(line.data, 1, line.len, stdout) != line.len || fflush(stdout) != 0)
			break; /* the reader went away: a normal end */
	}
	be_metrics_text_free(&line);
	be_monitor_free(mon);
	return rc;
}

static int run_stats(struct cli *cli, const struct cli_args *a)
{
	if (cli_flag(a, "explain"))
		return cli_explain_print(cli, a);
	struct view v;
	double interval;
	if (parse_secs("interval", cli_opt(a, "interval"), 1.0, &interval) ||
	    view_columns(&v, cli_opt(a, "columns"), stats_columns) ||
	    view_sort(&v, cli_opt(a, "sort"), "name"))
		return CLI_EXIT_FAIL;
	bool json = cli_flag(a, "json");
	if (cli_flag(a, "stream") && (!json || cli_flag(a, "no-stream") || a->argc > 0))
		return cli_failf("stats: --stream goes with --json, for every item (no NAMEs, no "
		                 "--no-stream)");
	if (cli_flag(a, "stream"))
		return run_stream(cli, interval);
	bool tty = cli_isatty(1) && !json;
	struct be_monitor *mon = open_monitor(cli);
	if (mon == NULL)
		return CLI_EXIT_FAIL;
	int rc = check_names(mon, a->argv, a->argc);
	const struct be_item **items = calloc(4096, sizeof(*items));
	if (items == NULL)
		abort();
	while (rc == 0) {
		/* CPU% and rates need two samples: the first wait gives them. */
		sleep_s(interval);
		if ((rc = refresh(mon)) != 0)
			break;
		size_t n = pick_items(mon, &v, a->argv, a->argc, items, 4096);
		if (json) {
			print_json(items, n, wall_ms());
		} else {
			if (tty && !cli_flag(a, "no-stream"))
				fputs("\033[2J\033[H", stdout);
			print_table(&v, items, n);
		}
		fflush(stdout);
		if (cli_flag(a, "no-stream"))
			break;
		if (!tty && !json)
			putchar('\n');
	}
	free(items);
	be_monitor_free(mon);
	return rc;
}

static void print_top_iteration(const struct be_monitor *mon, const struct view *v,
                                const struct be_item **items, size_t n, int format, bool first)
{
	long long now = wall_ms();
	char line[LINE_MAX_JSON];
	if (format == 'j') {
		if (be_stats_host_json(be_monitor_host(mon), now, line, sizeof(line)) <
		    (int)sizeof(line))
			puts(line);
		print_json(items, n, now);
	} else if (format == 'c') {
		print_csv(v, items, n, now, first);
	} else {
		if (!first)
			putchar('\n');
		be_stats_host_line(be_monitor_host(mon), line, sizeof(line));
		printf("%s\n%zu items (CPU%%: 100%% = one CPU)\n\n", line, n);
		print_table(v, items, n);
	}
	fflush(stdout);
}

static int run_top(struct cli *cli, const struct cli_args *a)
{
	if (!cli_flag(a, "batch"))
		return cli_failf("top: give -b (batch mode); the interactive view is `berth` with "
		                 "no command");
	if (cli_flag(a, "json") && cli_flag(a, "csv"))
		return cli_failf("top: give --json or --csv, not both");
	unsigned long long iterations = 0;
	double delay;
	struct view v;
	if (cli_opt_uint(a, "iterations", 1000000000, &iterations) < 0 ||
	    parse_secs("delay", cli_opt(a, "delay"), 3.0, &delay) ||
	    view_columns(&v, cli_opt(a, "columns"), top_columns) ||
	    view_sort(&v, cli_opt(a, "sort"), "cpu"))
		return CLI_EXIT_FAIL;
	if (cli_opt(a, "iterations") && iterations == 0)
		return cli_failf("invalid --iterations 0: want at least 1");
	int format = cli_flag(a, "json") ? 'j' : cli_flag(a, "csv") ? 'c' : 't';
	struct be_monitor *mon = open_monitor(cli);
	if (mon == NULL)
		return CLI_EXIT_FAIL;
	const struct be_item **items = calloc(4096, sizeof(*items));
	if (items == NULL)
		abort();
	int rc = 0;
	for (unsigned long long i = 0; iterations == 0 || i < iterations; i++) {
		/* The first figures need a second sample: wait at most 1 s. */
		sleep_s(i == 0 && delay > 1.0 ? 1.0 : delay);
		if ((rc = refresh(mon)) != 0)
			break;
		size_t n = pick_items(mon, &v, NULL, 0, items, 4096);
		print_top_iteration(mon, &v, items, n, format, i == 0);
	}
	free(items);
	be_monitor_free(mon);
	return rc;
}

static const struct be_option stats_opts[] = {
        {"no-stream", 0, BE_OPT_FLAG, NULL, "print one sample and exit"},
        {"json", 0, BE_OPT_FLAG, NULL,
         "JSON Lines, one object per container or VM (docs/stats.md)"},
        {"stream", 0, BE_OPT_FLAG, NULL,
         "with --json: one compact object per refresh, {\"v\":1,...,\"host\":{...},"
         "\"items\":[...]}"},
        {"interval", 'i', BE_OPT_VALUE, "SECS", "time between samples (default 1)"},
        {"columns", 'o', BE_OPT_VALUE, "LIST",
         "comma-separated column ids (see `berth top --help`)"},
        {"sort", 's', BE_OPT_VALUE, "COLUMN", "sort by this column id (default name)"},
        {"explain", 0, BE_OPT_FLAG, NULL,
         "where each number of one container or VM comes from: files, raw values, formula"},
        {0},
};

static const struct be_option top_opts[] = {
        {"batch", 'b', BE_OPT_FLAG, NULL, "batch mode: print tables to stdout (required)"},
        {"iterations", 'n', BE_OPT_VALUE, "N", "stop after N tables (default: run until killed)"},
        {"delay", 'd', BE_OPT_VALUE, "SECS", "seconds between tables (default 3)"},
        {"json", 0, BE_OPT_FLAG, NULL, "JSON Lines: a host record, then one per item"},
        {"csv", 0, BE_OPT_FLAG, NULL, "CSV with a header line of column ids"},
        {"columns", 'o', BE_OPT_VALUE, "LIST", "comma-separated column ids"},
        {"sort", 's', BE_OPT_VALUE, "COLUMN", "sort by this column id (default cpu)"},
        {0},
};

const struct cli_command cli_cmds_stats[] = {
        {
                .name = "stats",
                .args = "[NAME...]",
                .summary = "show live CPU, memory, network and block IO use of containers and VMs",
                .details =
                        "Lists every container and VM on the host (berth's own, docker, podman,\n"
                        "LXC, nspawn, libvirt, kubepods, qemu/firecracker/cloud-hypervisor/crosvm\n"
                        "processes), or the NAMEs given (a name, or at least 3 characters of an "
                        "id).\n"
                        "CPU% is CPU time over wall time: 100% = one CPU fully used.  MEM is the\n"
                        "cgroup's memory use (v1 usage_in_bytes, v2 memory.current; RSS for a VM\n"
                        "process); LIMIT says \"unlimited\" when none is set.  NET and BLK columns "
                        "are\n"
                        "rates per second over the last interval.  The first figures appear after "
                        "one\n"
                        "interval, since rates need two samples.  --json writes the documented "
                        "schema\n"
                        "of docs/stats.md (units in the field names, null when unknown).\n"
                        "--stream --json writes one line per refresh instead, versioned:\n"
                        "{\"v\":1,\"time_unix_ms\":T,\"host_name\":H,\"host\":{...},"
                        "\"items\":[{...}]}, the\n"
                        "same records without null fields (what a remote berth sends).",
                .max_args = -1,
                .options = stats_opts,
                .run = run_stats,
        },
        {
                .name = "top",
                .args = "",
                .summary = "print the TUI's table of containers and VMs in batch mode, like top -b",
                .details =
                        "Prints a header of host meters (CPUs, CPU use, load, memory, pressure)\n"
                        "and the table of containers and VMs every SECS seconds.\n"
                        "Column ids for -o and -s: kind name id cpu cores quota mem ws limit\n"
                        "mem_pct pids pids_limit net_rx net_tx io_read io_write throttled\n"
                        "oom_kills psi_cpu psi_mem psi_io guest_mem uptime root.\n"
                        "uptime = seconds since the item's oldest process started; root = the\n"
                        "state root of a berth container of another root (no actions on it).\n"
                        "cpu = CPU% (100% = one CPU); quota = use against the CPU quota; ws =\n"
                        "working set (memory minus inactive file cache, as docker); throttled =\n"
                        "% of CFS periods throttled; psi_* = pressure (some, avg10).\n"
                        "The first table waits at most 1 s for a second sample.",
                .max_args = 0,
                .options = top_opts,
                .run = run_top,
        },
        {0},
};
