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
