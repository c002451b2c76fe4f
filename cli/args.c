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
        cli_cmds_image, cli_cmds_container, cli_cmds_snapshot,
        cli_cmds_stats, cli_cmds_vm,        cli_cmds_compare,
        NULL,
};

static size_t count_options(const struct cli_option *o)
{
	size_t n = 0;
	while (o && o[n].name)
		n++;
	return n;
}

static int option_index(const struct cli_command *cmd, const char *name)
{
	const struct cli_option *o = cmd->options;
	for (size_t i = 0; o && o[i].name; i++)
		if (strcmp(o[i].name, name) == 0)
			return (int)i;
	return -1;
}

const char *cli_opt(const struct cli_args *a, const char *name)
{
	int i = option_index(a->cmd, name);
	if (i < 0) {
		fprintf(stderr, "berth: internal error: command %s has no option --%s\n",
		        a->cmd->name, name);
		abort();
	}
	return a->val[i];
}

bool cli_flag(const struct cli_args *a, const char *name)
{
	return cli_opt(a, name) != NULL;
}

size_t cli_list(const struct cli_args *a, const char *name, const char *const **out)
{
	int i = option_index(a->cmd, name);
	if (i < 0)
		abort();
	*out = a->list[i];
	return a->nlist[i];
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
	fprintf(f, "usage: berth %s%s%s%s\n", cmd->name,
	        count_options(cmd->options) ? " [OPTIONS]" : "", cmd->args && *cmd->args ? " " : "",
	        cmd->args ? cmd->args : "");
}

static void print_command_help(FILE *f, const struct cli_command *cmd)
{
	print_usage_line(f, cmd);
	fprintf(f, "\n%s\n", cmd->summary);
	if (cmd->details)
		fprintf(f, "\n%s\n", cmd->details);
	size_t n = count_options(cmd->options);
	if (n)
		fputs("\nOptions:\n", f);
	for (size_t i = 0; i < n; i++) {
		const struct cli_option *o = &cmd->options[i];
		char left[64], shortf[8] = "    ";
		if (o->short_name)
			snprintf(shortf, sizeof(shortf), "-%c, ", o->short_name);
		snprintf(left, sizeof(left), "%s--%s%s%s", shortf, o->name,
		         o->arg != CLI_FLAG ? " " : "",
		         o->arg != CLI_FLAG ? (o->metavar ? o->metavar : "VALUE") : "");
		fprintf(f, "  %-26s %s\n", left, o->help);
	}
	fputs("\nGlobal options (before the command): --root DIR, --wait\n", f);
}

void cli_print_help(void)
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
	     "  -h, --help        this help; `berth COMMAND --help` for one command\n"
	     "  --help-keys       the terminal UI's keys, view by view\n"
	     "  -V, --version     print the version\n"
	     "\n"
	     "Terminal UI options (berth with no command; `?` in the UI lists its keys):");
	tui_print_options();
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

static const struct cli_option *match_option(const struct cli_command *cmd, const char *arg,
                                             const char **inline_val, int *index)
{
	const struct cli_option *o = cmd->options;
	*inline_val = NULL;
	for (size_t i = 0; o && o[i].name; i++) {
		if (arg[1] == '-') {
			size_t n = strlen(o[i].name);
			if (strncmp(arg + 2, o[i].name, n) == 0 &&
			    (arg[2 + n] == '\0' || arg[2 + n] == '=')) {
				if (arg[2 + n] == '=')
					*inline_val = arg + 3 + n;
				*index = (int)i;
				return &o[i];
			}
		} else if (o[i].short_name && arg[1] == o[i].short_name) {
			if (arg[2] != '\0')
				*inline_val = arg + 2;
			*index = (int)i;
			return &o[i];
		}
	}
	return NULL;
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

/* Expands "-it" into "-i" "-t" when both are flags. */
/* "-it" is "-i" "-t"; "-dm 8m" is "-d" "-m 8m": every letter but the last
 * must be a flag, the last may take a value. */
static bool split_short_flags(const struct cli_command *cmd, const char *arg)
{
	if (arg[0] != '-' || arg[1] == '-' || arg[1] == '\0' || arg[2] == '\0')
		return false;
	for (const char *p = arg + 1; *p; p++) {
		bool ok = false;
		for (const struct cli_option *o = cmd->options; o && o->name; o++)
			if (o->short_name == *p && (o->arg == CLI_FLAG || p[1] == '\0'))
				ok = true;
		if (!ok)
			return false;
	}
	return true;
}

static int parse_args(const struct cli_command *cmd, int argc, char **argv, struct cli_args *a,
                      char **pos)
{
	int npos = 0;
	bool options_done = false;
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];
		if (options_done || arg[0] != '-' || arg[1] == '\0') {
			pos[npos++] = argv[i];
			if (cmd->stop_at_positional)
				options_done = true;
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			options_done = true;
			continue;
		}
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			print_command_help(stdout, cmd);
			return 1;
		}
		char last[3];
		if (split_short_flags(cmd, arg)) {
			for (const char *p = arg + 1; p[1]; p++)
				for (size_t k = 0; cmd->options[k].name; k++)
					if (cmd->options[k].short_name == *p)
						a->val[k] = "1";
			/* The last letter goes through the usual path below. */
			snprintf(last, sizeof(last), "-%c", arg[strlen(arg) - 1]);
			arg = last;
		}
		const char *val;
		int idx;
		const struct cli_option *o = match_option(cmd, arg, &val, &idx);
		if (o == NULL)
			return -usage_error(cmd, "unknown option %s", arg);
		if (o->arg == CLI_FLAG) {
			if (val)
				return -usage_error(cmd, "option %s takes no value", arg);
			a->val[idx] = "1";
			continue;
		}
		if (val == NULL) {
			if (i + 1 >= argc)
				return -usage_error(cmd, "option %s needs a value", arg);
			val = argv[++i];
		}
		a->val[idx] = val;
		if (o->arg == CLI_LIST) {
			a->list[idx] = realloc(a->list[idx], (a->nlist[idx] + 1) * sizeof(char *));
			if (a->list[idx] == NULL)
				abort();
			a->list[idx][a->nlist[idx]++] = val;
		}
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
	if (count_options(cmd->options) > CLI_MAX_OPTS)
		abort();
	struct cli_args a = {.cmd = cmd};
	char **pos = calloc((size_t)argc + 1, sizeof(char *));
	if (pos == NULL)
		abort();
	int r = parse_args(cmd, argc - words, argv + words, &a, pos);
	if (r == 0)
		r = cmd->run(cli, &a);
	else if (r > 0)
		r = 0;
	else
		r = -r;
	for (size_t i = 0; i < CLI_MAX_OPTS; i++)
		free(a.list[i]);
	free(pos);
	return r;
}
