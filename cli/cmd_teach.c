/* The teaching commands: `inspect --isolation` (every wall of a running
 * container, marked and explained). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
