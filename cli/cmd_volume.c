/* Commands of the volume family: volume create, ls, rm, inspect, prune;
 * and the parser of create/run's -v, --mount and --tmpfs options. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

void cli_mounts_free(struct be_mount *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		be_volume_mount_clear(&v[i]);
	free(v);
}

/* Appends the mounts of one option (parse: its parser). */
static int add_mounts(const struct cli_args *a, const char *opt,
                      int (*parse)(const char *, struct be_mount *, struct be_error **),
                      struct be_mount **v, size_t *n)
{
	const char *const *vals;
	size_t k = cli_list(a, opt, &vals);
	for (size_t i = 0; i < k; i++) {
		*v = realloc(*v, (*n + 1) * sizeof(**v));
		if (*v == NULL)
			abort();
		struct be_error *err = NULL;
		if (parse(vals[i], &(*v)[*n], &err) < 0)
			return cli_fail(err);
		(*n)++;
	}
	return 0;
}

int cli_parse_mounts(const struct cli_args *a, struct be_mount **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	int r = add_mounts(a, "volume", be_volume_parse_bind, out, n);
	if (r == 0)
		r = add_mounts(a, "mount", be_volume_parse_mount, out, n);
	if (r == 0)
		r = add_mounts(a, "tmpfs", be_volume_parse_tmpfs, out, n);
	if (r != 0) {
		cli_mounts_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return r;
}

static int cmd_volume_create(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	struct be_error *err = NULL;
	if (be_volume_create(ctx, a->argv[0], &err) < 0)
		return cli_fail(err);
	puts(a->argv[0]);
	return 0;
}

static int cmd_volume_ls(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	struct be_volume_info *list = NULL;
	size_t n = 0;
	struct be_error *err = NULL;
	if (be_volume_list(ctx, &list, &n, &err) < 0)
		return cli_fail(err);
	bool quiet = cli_flag(a, "quiet");
	if (!quiet)
		printf("%-24s %-10s %s\n", "NAME", "USED BY", "CREATED");
	for (size_t i = 0; i < n; i++) {
		if (quiet) {
			puts(list[i].name);
			continue;
		}
		char ago[64];
		be_format_duration((int64_t)time(NULL) - list[i].created, ago, sizeof(ago));
		printf("%-24s %-10zu %s ago\n", list[i].name, list[i].n_containers, ago);
	}
	be_volume_list_free(list, n);
	return 0;
}

static int cmd_volume_rm(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	int rc = 0;
	for (int i = 0; i < a->argc; i++) {
		struct be_error *err = NULL;
		if (be_volume_remove(ctx, a->argv[i], cli_flag(a, "force"), &err) < 0)
			rc = cli_fail(err);
		else
			puts(a->argv[i]);
	}
	return rc;
}

static int cmd_volume_inspect(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	int rc = 0, printed = 0;
	if (a->argc > 1)
		fputs("[\n", stdout);
	for (int i = 0; i < a->argc; i++) {
		char *json = NULL;
		struct be_error *err = NULL;
		if (be_volume_inspect_json(ctx, a->argv[i], &json, &err) < 0) {
			rc = cli_fail(err);
			continue;
		}
		printf("%s%s", printed++ ? ",\n" : "", json);
		free(json);
	}
	if (a->argc > 1)
		fputs(printed ? "\n]\n" : "]\n", stdout);
	else if (printed)
		fputc('\n', stdout);
	return rc;
}

static int cmd_volume_prune(struct cli *cli, const struct cli_args *a)
{
	(void)a;
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	char **names = NULL;
	size_t n = 0;
	struct be_error *err = NULL;
	int r = be_volume_prune(ctx, &names, &n, &err);
	for (size_t i = 0; i < n; i++) {
		puts(names[i]);
		free(names[i]);
	}
	free(names);
	return r < 0 ? cli_fail(err) : 0;
}

static const struct be_option ls_opts[] = {
        {"quiet", 'q', BE_OPT_FLAG, NULL, "print names only"},
        {0},
};
static const struct be_option rm_opts[] = {
        {"force", 'f', BE_OPT_FLAG, NULL, "remove even while containers mount it"},
        {0},
};

const struct cli_command cli_cmds_volume[] = {
        {.name = "volume create",
         .args = "NAME",
         .summary = "create a named volume (ROOT/volumes/NAME/_data)",
         .details = "An existing volume is left as it is.  `-v NAME:PATH` creates one on\n"
                    "first use too.  A volume's data is not part of a container's layers:\n"
                    "snapshots, rollback, diff, commit and clone leave it alone.",
         .min_args = 1,
         .max_args = 1,
         .run = cmd_volume_create},
        {.name = "volume ls",
         .summary = "list named volumes and how many containers mount each",
         .max_args = 0,
         .options = ls_opts,
         .run = cmd_volume_ls},
        {.name = "volume rm",
         .args = "NAME...",
         .summary = "remove volumes and their data",
         .details = "Refused while a container (running or not) mounts the volume,\n"
                    "unless --force.",
         .min_args = 1,
         .max_args = -1,
         .options = rm_opts,
         .run = cmd_volume_rm},
        {.name = "volume inspect",
         .args = "NAME...",
         .summary = "print volumes as JSON (mountpoint, containers that mount it)",
         .min_args = 1,
         .max_args = -1,
         .run = cmd_volume_inspect},
        {.name = "volume prune",
         .summary = "remove every volume that no container mounts, printing their names",
         .max_args = 0,
         .run = cmd_volume_prune},
        {0},
};
