/* Command lookup and option parsing from the command tables; generated
 * usage and help text. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const struct cli_command *const families[] = {
        cli_cmds_image,
        cli_cmds_container,
        cli_cmds_snapshot,
        cli_cmds_stats,
        cli_cmds_teach,
        cli_cmds_registry,
        cli_cmds_volume,
        cli_cmds_network,
        cli_cmds_system,
        cli_cmds_vm,
        cli_cmds_compare,
        cli_cmds_metrics,
        NULL,
};

void cli_command_options(const struct cli_command *cmd, struct be_option *out)
{
	size_t n = 0;
	for (size_t i = 0; cmd->options && cmd->options[i].name && n < BE_OPTS_MAX; i++)
		out[n++] = cmd->options[i];
	for (size_t i = 0; cmd->limits && be_limit_options[i].opt.name && n < BE_OPTS_MAX; i++)
		out[n++] = be_limit_options[i].opt;
	memset(&out[n], 0, sizeof(out[n]));
}

/* An option name the command's code asks for but its table lacks is a bug
 * in berth, not a user error. */
static void need_option(const struct cli_args *a, const char *name)
{
	if (be_opts_index(a->opts.table, name) < 0) {
		fprintf(stderr, "berth: internal error: command %s has no option --%s\n",
		        a->cmd->name, name);
		abort();
	}
}

const char *cli_opt(const struct cli_args *a, const char *name)
{
	need_option(a, name);
	return be_opts_get(&a->opts, name);
}

bool cli_flag(const struct cli_args *a, const char *name)
{
	return cli_opt(a, name) != NULL;
}

size_t cli_list(const struct cli_args *a, const char *name, const char *const **out)
{
	need_option(a, name);
	return be_opts_list(&a->opts, name, out);
}

int cli_failf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("berth: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return CLI_EXIT_FAIL;
}

int cli_fail(struct be_error *err)
{
	int code = CLI_EXIT_FAIL;
	if (err) {
		fprintf(stderr, "berth: %s\n", err->msg);
		if (err->exitcode)
			code = err->exitcode;
		be_error_free(err);
	} else {
		fputs("berth: unknown error\n", stderr);
	}
	return code;
}

int cli_opt_uint(const struct cli_args *a, const char *name, unsigned long long max,
                 unsigned long long *out)
{
	const char *v = cli_opt(a, name);
	if (v == NULL)
		return 0;
	char *end = NULL;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	if (*v < '0' || *v > '9' || *end || errno || n > max) {
		cli_failf("invalid --%s \"%s\": want a whole number from 0 to %llu", name, v, max);
		return -1;
	}
	*out = n;
	return 0;
}

bool cli_isatty(int fd)
{
	return isatty(fd) == 1;
}

struct be_ctx *cli_ctx(struct cli *cli)
{
	if (cli->ctx)
		return cli->ctx;
	struct be_error *err = NULL;
	if (be_ctx_open(&cli->opts, &cli->ctx, &err) < 0) {
		cli_fail(err);
		return NULL;
	}
	return cli->ctx;
}

/* ---- help --------------------------------------------------------------- */

static void print_usage_line(FILE *f, const struct cli_command *cmd)
{
	bool opts = be_opts_count(cmd->options) > 0 || cmd->limits;
	fprintf(f, "usage: berth %s%s%s%s\n", cmd->name, opts ? " [OPTIONS]" : "",
	        cmd->args && *cmd->args ? " " : "", cmd->args ? cmd->args : "");
}

static void print_command_help(FILE *f, const struct cli_command *cmd)
{
	print_usage_line(f, cmd);
	fprintf(f, "\n%s\n", cmd->summary);
	if (cmd->details)
		fprintf(f, "\n%s\n", cmd->details);
	struct be_option all[BE_OPTS_MAX + 1];
	cli_command_options(cmd, all);
	if (all[0].name)
		fputs("\nOptions:\n", f);
	for (size_t i = 0; all[i].name; i++) {
		char left[64];
		fprintf(f, "  %-26s %s\n", be_opts_help_left(&all[i], left, sizeof(left)),
		        all[i].help);
	}
	fputs("\nGlobal options (before the command): --root DIR, --wait, --host URL\n", f);
}

void cli_print_help(const struct be_option *ui_options)
{
	puts("usage: berth [GLOBAL OPTIONS] [COMMAND] [ARGS...]\n"
	     "\n"
	     "Runs containers on overlayfs layers with cgroup limits, snapshots and rolls\n"
	     "them back in constant time, and shows every container and VM on the host.\n"
	     "With no command, berth opens the terminal UI.\n"
	     "\n"
	     "Global options:\n"
	     "  --root DIR        state root (default $BERTH_ROOT, else /var/lib/berth)\n"
	     "  --wait            wait for a busy container or image instead of failing\n"
	     "  --host URL        run the command on ssh://[USER@]HOST[:PORT] through your ssh\n"
	     "                    (its config, agent, known hosts; BatchMode); default\n"
	     "                    $BERTH_HOST.  The remote runs `berth` ($BERTH_REMOTE_BIN)\n"
	     "                    with the same words; $BERTH_SSH replaces `ssh`\n"
	     "  -h, --help        this help; `berth COMMAND --help` for one command\n"
	     "  --help-keys       the terminal UI's keys, view by view\n"
	     "  -V, --version     print the version\n"
	     "\n"
	     "Terminal UI options (berth with no command; `?` in the UI lists its keys):");
	for (const struct be_option *o = ui_options; o && o->name; o++) {
		char left[40];
		const char *l = be_opts_help_left(o, left, sizeof(left));
		l += o->short_name ? 0 : 4; /* no "-x, " column when none has one */
		printf("  %-17s %s\n", l, o->help);
	}
	puts("  NO_COLOR (set and not empty) draws in monochrome; a non-UTF-8 locale in ASCII.\n"
	     "\n"
	     "Commands:");
	for (size_t f = 0; families[f]; f++)
		for (const struct cli_command *c = families[f]; c->name; c++)
			printf("  %-18s %s\n", c->name, c->summary);
	puts("\nExit status: a command's own status for run, exec and wait; 125 when berth\n"
	     "itself fails; 126 when the command cannot be executed; 127 when not found.");
}

/* ---- dispatch ------------------------------------------------------------ */

/* Words of argv that a command's name ("vm image demo") matches, or 0. */
static int name_words(const char *name, int argc, char **argv)
{
	int w = 0;
	for (const char *p = name; *p; w++) {
		size_t n = strcspn(p, " ");
		if (w >= argc || strncmp(p, argv[w], n) != 0 || argv[w][n] != '\0')
			return 0;
		p += n;
		if (*p == ' ')
			p++;
	}
	return w;
}

/* The command whose name matches the most words of argv. */
static const struct cli_command *find_command(int argc, char **argv, int *words)
{
	const struct cli_command *best = NULL;
	*words = 1;
	for (size_t f = 0; families[f]; f++) {
		for (const struct cli_command *c = families[f]; c->name; c++) {
			int w = name_words(c->name, argc, argv);
			if (w > 0 && (best == NULL || w > *words)) {
				best = c;
				*words = w;
			}
		}
	}
	return best;
}

/* Prints what the first word may be followed by ("image" alone). */
static bool print_group_usage(const char *word)
{
	bool any = false;
	size_t n = strlen(word);
	for (size_t f = 0; families[f]; f++)
		for (const struct cli_command *c = families[f]; c->name; c++)
			if (strncmp(c->name, word, n) == 0 && c->name[n] == ' ' && !any) {
				fprintf(stderr, "berth: %s: missing or unknown subcommand\n", word);
				any = true;
			}
	any = false;
	for (size_t f = 0; families[f]; f++)
		for (const struct cli_command *c = families[f]; c->name; c++)
			if (strncmp(c->name, word, n) == 0 && c->name[n] == ' ') {
				if (!any)
					fprintf(stderr, "usage:\n");
				fprintf(stderr, "  berth %s %s\n", c->name, c->args ? c->args : "");
				any = true;
			}
	return any;
}

__attribute__((format(printf, 2, 3))) static int usage_error(const struct cli_command *cmd,
                                                             const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "berth: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	print_usage_line(stderr, cmd);
	/* "snapshot" is a command and the first word of "snapshot rm". */
	size_t n = strlen(cmd->name);
	for (size_t f = 0; families[f]; f++)
		for (const struct cli_command *c = families[f]; c->name; c++)
			if (strncmp(c->name, cmd->name, n) == 0 && c->name[n] == ' ')
				fprintf(stderr, "       berth %s %s\n", c->name,
				        c->args ? c->args : "");
	fprintf(stderr, "See 'berth %s --help'.\n", cmd->name);
	return CLI_EXIT_FAIL;
}

static int parse_args(const struct cli_command *cmd, const struct be_option *table, int argc,
                      char **argv, struct cli_args *a, char **pos)
{
	struct be_error *err = NULL;
	int npos = 0;
	int r = be_opts_parse(table, argc, argv, cmd->stop_at_positional, &a->opts, pos, &npos,
	                      &err);
	if (r > 0) {
		print_command_help(stdout, cmd);
		return 1;
	}
	if (r < 0) {
		usage_error(cmd, "%s", err->msg);
		be_error_free(err);
		return -CLI_EXIT_FAIL;
	}
	if (npos < cmd->min_args)
		return -usage_error(cmd, "%s: missing arguments", cmd->name);
	if (cmd->max_args >= 0 && npos > cmd->max_args)
		return -usage_error(cmd, "%s: too many arguments", cmd->name);
	a->argc = npos;
	a->argv = pos;
	return 0;
}

int cli_dispatch(struct cli *cli, int argc, char **argv)
{
	int words = 1;
	const struct cli_command *cmd = find_command(argc, argv, &words);
	if (cmd == NULL) {
		if (print_group_usage(argv[0]))
			return CLI_EXIT_FAIL;
		fprintf(stderr,
		        "berth: unknown command \"%s\"\nusage: berth [GLOBAL OPTIONS] [COMMAND] "
		        "[ARGS...]\nSee 'berth --help'.\n",
		        argv[0]);
		return CLI_EXIT_FAIL;
	}
	struct be_option table[BE_OPTS_MAX + 1];
	cli_command_options(cmd, table);
	struct cli_args a = {.cmd = cmd};
	char **pos = calloc((size_t)argc + 1, sizeof(char *));
	if (pos == NULL)
		abort();
	int r = parse_args(cmd, table, argc - words, argv + words, &a, pos);
	if (r == 0)
		r = cmd->run(cli, &a);
	else if (r > 0)
		r = 0;
	else
		r = -r;
	be_opts_release(&a.opts);
	free(pos);
	return r;
}
