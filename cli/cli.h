/* The command line: a table of commands, each with a table of options, from
 * which parsing, usage and --help are generated.  Command families live one
 * to a file (cli/cmd_*.c), each exporting a table ended by a zeroed entry. */
#ifndef BERTH_CLI_H
#define BERTH_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "berth.h"

#define CLI_EXIT_FAIL 125

struct cli_args;
struct cli;

struct cli_command {
	const char *name;    /* "ps", or two words: "image import" */
	const char *args;    /* "NAME SOURCE" for usage lines */
	const char *summary; /* one line for `berth --help` */
	const char *details; /* more lines for `berth CMD --help`, or NULL */
	int min_args;
	int max_args;                    /* -1: any number */
	bool stop_at_positional;         /* options end at the first positional (run, exec) */
	const struct be_option *options; /* ended by a zeroed entry, or NULL */
	bool limits;                     /* also takes be_limit_options (create, run, update) */
	int (*run)(struct cli *cli, const struct cli_args *args);
};

struct cli_args {
	const struct cli_command *cmd;
	struct be_opts opts; /* parsed with the command's whole table */
	int argc;
	char **argv;
};

struct cli {
	struct be_ctx_opts opts;
	struct be_ctx *ctx;
	const char *argv0;
	/* `berth lab`: the terminal UI in lab mode, given by the composition
	 * root (cli/ does not include tui/); argv holds the UI's options. */
	int (*lab_ui)(struct cli *cli, int argc, char **argv);
};

/* The families: each file's table. */
extern const struct cli_command cli_cmds_image[];
extern const struct cli_command cli_cmds_container[];
extern const struct cli_command cli_cmds_stats[];
extern const struct cli_command cli_cmds_teach[];
extern const struct cli_command cli_cmds_snapshot[];
extern const struct cli_command cli_cmds_registry[];
extern const struct cli_command cli_cmds_volume[];
extern const struct cli_command cli_cmds_network[];
extern const struct cli_command cli_cmds_system[];
extern const struct cli_command cli_cmds_metrics[];

/* Value of option NAME, or NULL when not given (flags give "1"). */
const char *cli_opt(const struct cli_args *a, const char *name);
bool cli_flag(const struct cli_args *a, const char *name);
/* Values of a BE_OPT_LIST option; returns their count. */
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

/* `inspect --isolation NAME [--json]` (cmd_teach.c): prints the table or
 * the JSON; 0, or 125 after printing the error. */
int cli_isolation_print(struct be_ctx *ctx, const char *name, bool json);

/* `stats --explain NAME [--json] [--interval S]` (cmd_teach.c): two
 * samples, then each column's files, raw values, formula and unit. */
int cli_explain_print(struct cli *cli, const struct cli_args *a);

/* cmd_volume.c: the mounts of create/run (-v, --mount, --tmpfs) parsed
 * into *out (n entries; free with cli_mounts_free).  On bad input prints
 * the error and returns 125. */
int cli_parse_mounts(const struct cli_args *a, struct be_mount **out, size_t *n);
void cli_mounts_free(struct be_mount *v, size_t n);

/* cmd_network.c: create/run's -p values into *out (n entries; free()). */
int cli_parse_ports(const struct cli_args *a, struct be_port **out, size_t *n);

/* Entry points used by main.c. */
int cli_dispatch(struct cli *cli, int argc, char **argv);
/* `berth --help`; ui_options: the TUI's options, listed with the global ones. */
void cli_print_help(const struct be_option *ui_options);
/* A command's whole option table (its own, then the limits when it takes
 * them) into out (BE_OPTS_MAX + 1 entries, zero-ended). */
void cli_command_options(const struct cli_command *cmd, struct be_option *out);

#endif
