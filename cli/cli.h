/* The command line: a table of commands, each with a table of options, from
 * which parsing, usage and --help are generated.  Command families live one
 * to a file (cli/cmd_*.c), each exporting a table ended by a zeroed entry. */
#ifndef BERTH_CLI_H
#define BERTH_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "berth.h"

#define CLI_MAX_OPTS 32
#define CLI_EXIT_FAIL 125

enum cli_arg {
	CLI_FLAG,  /* --name, no value */
	CLI_VALUE, /* --name VALUE or --name=VALUE; the last one given wins */
	CLI_LIST,  /* repeatable --name VALUE */
};

struct cli_option {
	const char *name; /* long name without "--" */
	char short_name;  /* 0 when none */
	enum cli_arg arg;
	const char *metavar;
	const char *help;
};

struct cli_args;
struct cli;

struct cli_command {
	const char *name;    /* "ps", or two words: "image import" */
	const char *args;    /* "NAME SOURCE" for usage lines */
	const char *summary; /* one line for `berth --help` */
	const char *details; /* more lines for `berth CMD --help`, or NULL */
	int min_args;
	int max_args;                     /* -1: any number */
	bool stop_at_positional;          /* options end at the first positional (run, exec) */
	const struct cli_option *options; /* ended by a zeroed entry, or NULL */
	int (*run)(struct cli *cli, const struct cli_args *args);
};

struct cli_args {
	const struct cli_command *cmd;
	const char *val[CLI_MAX_OPTS];
	const char **list[CLI_MAX_OPTS];
	size_t nlist[CLI_MAX_OPTS];
	int argc;
	char **argv;
};

struct cli {
	struct be_ctx_opts opts;
	struct be_ctx *ctx;
	const char *argv0;
};

/* The families: each file's table. */
extern const struct cli_command cli_cmds_image[];
extern const struct cli_command cli_cmds_container[];
extern const struct cli_command cli_cmds_stats[];
extern const struct cli_command cli_cmds_snapshot[];
extern const struct cli_command cli_cmds_vm[];
extern const struct cli_command cli_cmds_compare[];

/* Value of option NAME, or NULL when not given (flags give "1"). */
const char *cli_opt(const struct cli_args *a, const char *name);
bool cli_flag(const struct cli_args *a, const char *name);
/* Values of a CLI_LIST option; returns their count. */
size_t cli_list(const struct cli_args *a, const char *name, const char *const **out);

/* Opens the backend context on first use; on failure prints the error and
 * returns NULL. */
struct be_ctx *cli_ctx(struct cli *cli);
/* Prints "berth: MESSAGE" on stderr, frees err, returns the exit status to
 * use (err->exitcode, or 125). */
int cli_fail(struct be_error *err);
/* Prints "berth: FORMAT" on stderr and returns 125. */
int cli_failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Parses a non-negative integer option; on a bad value prints an error. */
int cli_opt_uint(const struct cli_args *a, const char *name, unsigned long long max,
                 unsigned long long *out);
/* True when stdout is a terminal (for progress and colour decisions). */
bool cli_isatty(int fd);

/* The TUI, opened by `berth` with no command; argv holds its options. */
int tui_main(struct cli *cli, int argc, char **argv);
/* How many arguments a TUI option takes after itself: 0 (a flag, or
 * "--opt=VALUE"), 1 ("--opt VALUE"), or -1 when arg is no TUI option. */
int tui_option_arity(const char *arg);
/* Prints the TUI's options, one line each, for `berth --help`. */
void tui_print_options(void);
/* Prints the TUI's keys, view by view (`berth --help-keys`), from the same
 * tables as its help screen. */
void tui_print_keys(void);

/* Entry points used by main.c. */
int cli_dispatch(struct cli *cli, int argc, char **argv);
void cli_print_help(void);

#endif
