/* Commands of the system family: `berth system prune`, which ends what a
 * listing only reports (orphaned containers, processes of a dead keeper),
 * after saying what and asking. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct be_option prune_opts[] = {
        {"force", 'f', BE_OPT_FLAG, NULL, "do not ask (needed without a terminal)"},
        {0},
};

/* Reads one answer line from stdin: true for "y" or "yes". */
static bool ask_yes(void)
{
	char line[64];
	if (fgets(line, sizeof(line), stdin) == NULL)
		return false;
	line[strcspn(line, "\r\n")] = '\0';
	return strcmp(line, "y") == 0 || strcmp(line, "Y") == 0 || strcmp(line, "yes") == 0;
}

static void print_entry(const struct be_container_info *c)
{
	if (c->status == BE_STATUS_ORPHANED)
		printf("  %-20s orphaned, pid %d, cgroup %s\n", c->name, (int)c->pid, c->cgroup);
	else
		printf("  %-20s keeper gone, pid %d still runs\n", c->name, (int)c->pid);
}

static int cmd_prune(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	bool force = cli_flag(a, "force");
	if (!force && !cli_isatty(0))
		return cli_failf("system prune asks before it ends anything, and stdin is not a "
		                 "terminal: use -f");
	struct be_container_info *list = NULL;
	size_t n = 0;
	struct be_error *err = NULL;
	if (be_container_orphans(ctx, &list, &n, &err) < 0)
		return cli_fail(err);
	if (n == 0) {
		puts("Nothing to prune.");
		be_container_list_free(list, n);
		return 0;
	}
	printf("This ends (SIGKILL) and removes the cgroup of:\n");
	for (size_t i = 0; i < n; i++)
		print_entry(&list[i]);
	if (!force) {
		printf("Continue? [y/N] ");
		fflush(stdout);
		if (!ask_yes()) {
			puts("Nothing done.");
			be_container_list_free(list, n);
			return 0;
		}
	}
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (be_container_end_orphan(ctx, list[i].name, &err) < 0)
			rc = cli_fail(err);
		else
			printf("ended %s\n", list[i].name);
	}
	be_container_list_free(list, n);
	return rc;
}

const struct cli_command cli_cmds_system[] = {
        {.name = "system prune",
         .args = "",
         .summary = "end orphaned containers (records gone) and what dead keepers left running",
         .details = "Listings (ps, inspect, stats, top, the TUI) never kill or remove anything:\n"
                    "a container whose directory vanished while it runs is listed as\n"
                    "orphaned with its pid and cgroup. prune says what it will end and asks;\n"
                    "-f does not ask. Without a terminal it needs -f.",
         .min_args = 0,
         .max_args = 0,
         .options = prune_opts,
         .run = cmd_prune},
        {0},
};
