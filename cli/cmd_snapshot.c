/* Commands of the snapshot family: snapshot, snapshots, snapshot rm,
 * rollback, diff, commit, clone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static int cmd_snapshot(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	struct be_snapshot_taken taken;
	struct be_error *err = NULL;
	if (be_snapshot_take(ctx, a->argv[0], a->argc > 1 ? a->argv[1] : NULL, &taken, &err) < 0)
		return cli_fail(err);
	/* A script reads the name alone; a person also sees the pause. */
	if (taken.live && isatty(STDOUT_FILENO))
		printf("%s (live: frozen %.1f ms)\n", taken.name, (double)taken.frozen_ns / 1e6);
	else
		puts(taken.name);
	return 0;
}

/* ---- snapshots ---------------------------------------------------------------- */

static void format_time(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (localtime_r(&tt, &tm) == NULL || strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)t);
}

static void format_bytes(int64_t size, char *buf, size_t len)
{
	if (size < 0)
		snprintf(buf, len, "-");
	else
		be_format_size((uint64_t)size, buf, len);
}

static void print_table(const struct be_snapshot_info *v, size_t n)
{
	printf("  %-24s %-12s  %-24s %-19s  %s\n", "NAME", "LAYER", "PARENT", "CREATED", "SIZE");
	for (size_t i = 0; i < n; i++) {
		char when[32], size[32];
		format_time(v[i].created, when, sizeof(when));
		format_bytes(v[i].size, size, sizeof(size));
		printf("%c %-24s %-12s  %-24s %-19s  %s\n", v[i].current ? '*' : ' ', v[i].name,
		       v[i].layer, v[i].parent[0] ? v[i].parent : "-", when, size);
	}
}

static bool utf8_locale(void)
{
	const char *vars[] = {"LC_ALL", "LC_CTYPE", "LANG"};
	for (size_t i = 0; i < 3; i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return strstr(v, "UTF-8") || strstr(v, "utf8") || strstr(v, "UTF8");
	}
	return false;
}

struct tree_glyphs {
	const char *mid, *last, *pipe, *space;
};

static bool is_root(const struct be_snapshot_info *v, size_t n, size_t i)
{
	for (size_t k = 0; k < n; k++)
		if (strcmp(v[k].name, v[i].parent) == 0)
			return false;
	return true;
}

static void print_node(const struct be_snapshot_info *v, size_t n, size_t i, char *prefix,
                       size_t plen, bool last, bool top, const struct tree_glyphs *g)
{
	char size[32];
	format_bytes(v[i].size, size, sizeof(size));
	printf("%.*s%s%s  (%s, %s)%s\n", (int)plen, prefix, top ? "" : (last ? g->last : g->mid),
	       v[i].name, v[i].layer, size, v[i].current ? "  <- current" : "");
	size_t add = top ? 0 : strlen(last ? g->space : g->pipe);
	if (plen + add + 8 >= 4096)
		return; /* deeper than a terminal could show */
	if (!top)
		memcpy(prefix + plen, last ? g->space : g->pipe, add);
	size_t kids = 0, seen = 0;
	for (size_t k = 0; k < n; k++)
		kids += strcmp(v[k].parent, v[i].name) == 0;
	for (size_t k = 0; k < n; k++)
		if (strcmp(v[k].parent, v[i].name) == 0)
			print_node(v, n, k, prefix, plen + add, ++seen == kids, false, g);
}

static void print_tree(const struct be_snapshot_info *v, size_t n)
{
	static const struct tree_glyphs utf8 = {"├── ", "└── ", "│   ", "    "};
	static const struct tree_glyphs ascii = {"|-- ", "`-- ", "|   ", "    "};
	const struct tree_glyphs *g = utf8_locale() ? &utf8 : &ascii;
	char *prefix = malloc(4096);
	if (prefix == NULL)
		abort();
	for (size_t i = 0; i < n; i++)
		if (is_root(v, n, i))
			print_node(v, n, i, prefix, 0, true, true, g);
	free(prefix);
}

static int cmd_snapshots(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	struct be_snapshot_info *v = NULL;
	size_t n = 0;
	struct be_error *err = NULL;
	if (be_snapshot_list(ctx, a->argv[0], true, &v, &n, &err) < 0)
		return cli_fail(err);
	if (cli_flag(a, "json")) {
		char *json = be_snapshot_list_json(v, n);
		puts(json);
		free(json);
	} else if (cli_flag(a, "tree")) {
		print_tree(v, n);
	} else {
		print_table(v, n);
	}
	be_snapshot_list_free(v, n);
	return 0;
}

/* ---- snapshot rm, rollback ------------------------------------------------------ */

static int cmd_snapshot_rm(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	int rc = 0;
	for (int i = 1; i < a->argc; i++) {
		char kept[BE_NAME_MAX + 1];
		struct be_error *err = NULL;
		if (be_snapshot_remove(ctx, a->argv[0], a->argv[i], cli_flag(a, "merge"), kept,
		                       &err) < 0) {
			rc = cli_fail(err);
			continue;
		}
		puts(a->argv[i]);
		if (kept[0])
			fprintf(stderr, "berth: the layer of %s stays: %s builds on it\n",
			        a->argv[i], kept);
	}
	return rc;
}

static int cmd_rollback(struct cli *cli, const struct cli_args *a)
{
	unsigned long long t = 10;
	if (cli_opt_uint(a, "time", 86400, &t) < 0)
		return CLI_EXIT_FAIL;
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	struct be_error *err = NULL;
	if (be_snapshot_rollback(ctx, a->argv[0], a->argv[1], cli_flag(a, "restart"), (unsigned)t,
	                         &err) < 0)
		return cli_fail(err);
	/* The old upper is deleted after the rollback, by a detached reaper. */
	if (be_snapshot_cleanup(ctx, &err) < 0)
		return cli_fail(err);
	return 0;
}

/* ---- diff, commit, clone ----------------------------------------------------------- */

static int cmd_diff(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	struct be_change *c = NULL;
	size_t n = 0;
	struct be_error *err = NULL;
	if (be_container_diff(ctx, a->argv[0], a->argc > 1 ? a->argv[1] : NULL, &c, &n, &err) < 0)
		return cli_fail(err);
	if (cli_flag(a, "json")) {
		char *json = be_changes_json(c, n);
		puts(json);
		free(json);
	} else {
		for (size_t i = 0; i < n; i++)
			printf("%c %s\n", c[i].kind, c[i].path);
	}
	be_changes_free(c, n);
	return 0;
}

static int cmd_commit(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	struct be_error *err = NULL;
	if (be_container_commit(ctx, a->argv[0], a->argv[1], &err) < 0)
		return cli_fail(err);
	puts(a->argv[1]);
	return 0;
}

static int cmd_clone(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	struct be_error *err = NULL;
	if (be_container_clone(ctx, a->argv[0], a->argv[1], cli_opt(a, "from"), &err) < 0)
		return cli_fail(err);
	puts(a->argv[1]);
	return 0;
}

/* ---- the table ----------------------------------------------------------------------- */

static const struct be_option snapshots_opts[] = {
        {"json", 0, BE_OPT_FLAG, NULL, "print a JSON array"},
        {"tree", 0, BE_OPT_FLAG, NULL, "draw the snapshot tree (branches after rollbacks)"},
        {0},
};

static const struct be_option snapshot_rm_opts[] = {
        {"merge", 0, BE_OPT_FLAG, NULL,
         "also when other snapshots build on it: drop only the name (its layer stays in "
         "theirs)"},
        {0},
};

static const struct be_option rollback_opts[] = {
        {"restart", 0, BE_OPT_FLAG, NULL, "stop a running container, roll back, start it again"},
        {"time", 't', BE_OPT_VALUE, "SECONDS",
         "with --restart: wait this long after SIGTERM "
         "(default 10)"},
        {0},
};

static const struct be_option diff_opts[] = {
        {"json", 0, BE_OPT_FLAG, NULL, "print a JSON array of {kind, path}"},
        {0},
};

static const struct be_option clone_opts[] = {
        {"from", 0, BE_OPT_VALUE, "SNAP", "start from this snapshot instead of the current state"},
        {0},
};

const struct cli_command cli_cmds_snapshot[] = {
        {
                .name = "snapshot",
                .args = "NAME [SNAP]",
                .summary = "Take a snapshot of a container (default name snap-N)",
                .details = "Stopped container: its upper layer is sealed by rename into a new\n"
                           "read-only layer, in constant time whatever its size.  Running\n"
                           "container: its upper is copied while it runs (reflink or\n"
                           "copy_file_range where the filesystem allows), then it is frozen\n"
                           "only to copy again what changed meanwhile, and thawed; on a\n"
                           "terminal the frozen time is shown after the name.\n"
                           "Chains deeper than $BERTH_SQUASH_DEPTH (default 64) are squashed\n"
                           "into one layer.  Prints the snapshot's name.",
                .min_args = 1,
                .max_args = 2,
                .run = cmd_snapshot,
        },
        {
                .name = "snapshot rm",
                .args = "NAME SNAP...",
                .summary = "Remove snapshots of a container",
                .details = "A snapshot that other snapshots build on is refused (the message\n"
                           "names them) unless --merge.  A layer nothing uses any more is\n"
                           "deleted; one still used (by the container's state, a clone or an\n"
                           "image) stays until they are gone.",
                .min_args = 2,
                .max_args = -1,
                .options = snapshot_rm_opts,
                .run = cmd_snapshot_rm,
        },
        {
                .name = "snapshots",
                .args = "NAME",
                .summary = "List a container's snapshots",
                .details = "Columns: name (* marks the one the current state derives from),\n"
                           "layer, parent snapshot, creation time, size of its own diff.",
                .min_args = 1,
                .max_args = 1,
                .options = snapshots_opts,
                .run = cmd_snapshots,
        },
        {
                .name = "rollback",
                .args = "NAME SNAP",
                .summary = "Roll a container back to a snapshot",
                .details = "Constant time: the current upper goes to the trash (deleted after\n"
                           "the command returns, by a detached low-priority reaper), the\n"
                           "container's head points at the\n"
                           "snapshot, a fresh upper is made.  Later snapshots stay (a tree,\n"
                           "not a stack).  A running container is refused unless --restart.",
                .min_args = 2,
                .max_args = 2,
                .options = rollback_opts,
                .run = cmd_rollback,
        },
        {
                .name = "diff",
                .args = "NAME [SNAP]",
                .summary = "Show paths added (A), changed (C) or deleted (D) in a container",
                .details = "Since the container's base (its head layer), or since snapshot\n"
                           "SNAP.  Read from the upper layer (and the layers between SNAP and\n"
                           "the current state) alone.",
                .min_args = 1,
                .max_args = 2,
                .options = diff_opts,
                .run = cmd_diff,
        },
        {
                .name = "commit",
                .args = "NAME IMAGE",
                .summary = "Make an image of a container's current state",
                .details = "The image shares the container's layers (its upper is sealed, or\n"
                           "copied while it runs); its command, environment and working\n"
                           "directory are the container's.  An existing image name is refused.",
                .min_args = 2,
                .max_args = 2,
                .run = cmd_commit,
        },
        {
                .name = "clone",
                .args = "NAME NEW",
                .summary = "Create a container on the same layers as another",
                .details = "NEW gets NAME's configuration (with NEW as name and hostname) and\n"
                           "an empty upper over NAME's current state (its upper is sealed, or\n"
                           "copied while it runs) or over snapshot --from SNAP.  No file is\n"
                           "copied: clones cost a few kilobytes each.",
                .min_args = 2,
                .max_args = 2,
                .options = clone_opts,
                .run = cmd_clone,
        },
        {0},
};
