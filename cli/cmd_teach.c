/* The teaching commands: `inspect --isolation` (every wall of a running
 * container, marked and explained). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static const char *mark_word(enum be_iso_mark m)
{
	switch (m) {
	case BE_ISO_WALL: return "WALL";
	case BE_ISO_SHARED: return "shared";
	default: return "OPEN";
	}
}

int cli_isolation_print(struct be_ctx *ctx, const char *name, bool json)
{
	struct be_isolation iso;
	struct be_error *err = NULL;
	if (be_isolation_inspect(ctx, name, &iso, &err) < 0)
		return cli_fail(err);
	if (json) {
		char *text = be_isolation_json(&iso);
		puts(text);
		free(text);
		be_isolation_free(&iso);
		return 0;
	}
	printf("Isolation of %s (init pid %d on the host)\n", iso.name, iso.pid);
	const char *section = "";
	for (size_t i = 0; i < iso.n; i++) {
		const struct be_iso_line *l = &iso.lines[i];
		if (strcmp(section, l->section) != 0) {
			section = l->section;
			printf("\n%s\n", section);
		}
		printf("  %-6s %-14s %s\n", mark_word(l->mark), l->what, l->value);
		if (l->meaning && *l->meaning)
			printf("  %-6s %-14s %s\n", "", "", l->meaning);
		if (l->source[0])
			printf("  %-6s %-14s from %s\n", "", "", l->source);
	}
	printf("\nWALL: the container has its own, or a limit holds.  shared: shared with the "
	       "host by design.\nOPEN: an open door, nothing stops the container there.\n");
	be_isolation_free(&iso);
	return 0;
}

/* ---- stats --explain ----------------------------------------------------------------- */

static void explain_text(const struct be_explain *e)
{
	printf("%s (%s) = %s %s\n", e->title, e->column, e->shown, e->unit);
	printf("  from     %s\n", e->source);
	if (e->raw_before[0])
		printf("  raw      before %s, now %s, %.6f s apart\n", e->raw_before, e->raw_now,
		       e->interval_s);
	else
		printf("  raw      %s\n", e->raw_now);
	printf("  formula  %s\n\n", e->formula);
}

int cli_explain_print(struct cli *cli, const struct cli_args *a)
{
	if (a->argc != 1)
		return cli_failf("stats --explain takes one container or VM name");
	double interval = 1.0;
	const char *iv = cli_opt(a, "interval");
	char *end = NULL;
	if (iv && ((interval = strtod(iv, &end)) < 0.1 || *end || interval > 60))
		return cli_failf("invalid --interval \"%s\": seconds from 0.1 to 60", iv);
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	struct be_error *err = NULL;
	struct be_monitor *mon = be_monitor_new(ctx, NULL, &err);
	if (mon == NULL || be_monitor_refresh(mon, &err) < 0) {
		be_monitor_free(mon);
		return cli_fail(err);
	}
	struct timespec ts = {(time_t)interval,
	                      (long)((interval - (double)(time_t)interval) * 1e9)};
	nanosleep(&ts, NULL);
	const struct be_item *it = NULL;
	if (be_monitor_refresh(mon, &err) < 0 || (it = be_monitor_find(mon, a->argv[0])) == NULL) {
		be_monitor_free(mon);
		return err ? cli_fail(err) : cli_failf("no such container or VM: %s", a->argv[0]);
	}
	if (cli_flag(a, "json")) {
		char *text = be_explain_json(mon, it);
		puts(text);
		free(text);
	} else {
		for (size_t i = 0; i < be_stats_ncolumns; i++) {
			struct be_explain e;
			if (be_explain(mon, it, be_stats_columns[i].id, &e, NULL) == 0)
				explain_text(&e);
		}
	}
	be_monitor_free(mon);
	return 0;
}

/* ---- events ---------------------------------------------------------------------------- */

static int cmd_events(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	struct be_error *err = NULL;
	int64_t since = 0;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	const char *s = cli_opt(a, "since");
	if (s && be_events_parse_since(s, (int64_t)now.tv_sec * 1000000000 + now.tv_nsec, &since,
	                               &err) < 0)
		return cli_fail(err);
	struct be_event *ev = NULL;
	size_t n = 0;
	if (be_events_read(ctx, since, a->argc ? a->argv[0] : NULL, &ev, &n, &err) < 0)
		return cli_fail(err);
	bool json = cli_flag(a, "json");
	for (size_t i = 0; i < n; i++) {
		time_t sec = (time_t)(ev[i].time_ns / 1000000000);
		if (json) {
			/* Names are checked ([a-zA-Z0-9_.-]) and types are berth's
			 * words; the detail is berth's own text without quotes. */
			printf("{\"time\": %lld, \"name\": \"%s\", \"type\": \"%s\", \"detail\": "
			       "\"",
			       (long long)ev[i].time_ns, ev[i].name, ev[i].type);
			for (const char *p = ev[i].detail; *p; p++)
				printf(*p == '"' || *p == '\\'    ? "\\%c"
				       : (unsigned char)*p < 0x20 ? " "
				                                  : "%c",
				       *p);
			puts("\"}");
			continue;
		}
		char when[64];
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", localtime(&sec));
		printf("%s  %-20s %-9s %s\n", when, ev[i].name, ev[i].type, ev[i].detail);
	}
	free(ev);
	return 0;
}

static const struct be_option events_opts[] = {
        {"since", 0, BE_OPT_VALUE, "WHEN",
         "only events since then: 30s, 10m, 2h, 1d, unix seconds"},
        {"json", 0, BE_OPT_FLAG, NULL, "JSON Lines: time (ns), name, type, detail"},
        {0},
};

static int cmd_lab(struct cli *cli, const struct cli_args *a)
{
	return cli->lab_ui(cli, a->argc, a->argv);
}

const struct cli_command cli_cmds_teach[] = {
        {.name = "lab",
         .args = "[UI OPTIONS]",
         .summary = "lab mode: demo containers that show isolation at work, in the terminal UI",
         .details = "Starts lab-cpu (a CPU hog under a 50% quota), lab-mem (a memory grower\n"
                    "OOM-killed under 32 MiB), lab-fork (a fork bomb held by pids.max 30), and\n"
                    "lab-uts-a/b (one hostname, a pid 1 each), each explained in its detail\n"
                    "view; everything it started is removed when the UI ends, even when it is\n"
                    "killed.  L in the UI starts the same.",
         .min_args = 0,
         .max_args = -1,
         .stop_at_positional = true,
         .run = cmd_lab},
        {.name = "events",
         .args = "[NAME]",
         .summary = "what happened to containers: create, start, exit, oom, update, snapshot...",
         .details = "Read from the root's log (ROOT/events.jsonl, rotated at 1 MiB).  The TUI's\n"
                    "detail view also shows what the monitor saw while it watched (OOM kills,\n"
                    "throttling, the pids limit reached, limits changed), marked on the graphs.",
         .min_args = 0,
         .max_args = 1,
         .options = events_opts,
         .run = cmd_events},
        {0},
};
