/* Option tables and their parser, shared by both front ends: a command of
 * the CLI, the TUI's own options and its limits dialog are each a const
 * table of be_option, parsed by be_opts_parse and described by
 * be_opts_help_left.  Pure logic: no printing, no exit. */
#ifndef BE_OPTS_H
#define BE_OPTS_H

#include <stdbool.h>
#include <stddef.h>

struct be_error;

enum be_opt_arg {
	BE_OPT_FLAG,  /* --name, no value */
	BE_OPT_VALUE, /* --name VALUE or --name=VALUE; the last one given wins */
	BE_OPT_LIST,  /* repeatable --name VALUE */
};

struct be_option {
	const char *name; /* long name without "--" */
	char short_name;  /* 0 when none */
	enum be_opt_arg arg;
	const char *metavar;
	const char *help;
};

#define BE_OPTS_MAX 48

/* What a parse found: values by the table's index (flags give "1"). */
struct be_opts {
	const struct be_option *table;
	const char *val[BE_OPTS_MAX];
	const char **list[BE_OPTS_MAX];
	size_t nlist[BE_OPTS_MAX];
};

/* Number of entries of a table ended by a zeroed entry (NULL: 0). */
size_t be_opts_count(const struct be_option *table);
/* Index of the option named name (long name), or -1. */
int be_opts_index(const struct be_option *table, const char *name);
/* Finds the option that arg ("--name", "--name=v", "-n", "-nVALUE") names;
 * *inline_val gets the value written in arg itself, or NULL.  -1: none. */
int be_opts_match(const struct be_option *table, const char *arg, const char **inline_val);

/* Parses argv: options of table and positionals (into pos, which has room
 * for argc entries; *npos their count).  "--" ends the options; so does
 * the first positional with stop_at_positional.  "-it" is "-i -t" when
 * every letter but the last is a flag.  Returns 0; 1 when -h or --help was
 * given (nothing else is checked then); -1 with a one-line error ("unknown
 * option --x", "option --m needs a value", "option --rm takes no value").
 * Release out with be_opts_release, also after a failure. */
int be_opts_parse(const struct be_option *table, int argc, char **argv, bool stop_at_positional,
                  struct be_opts *out, char **pos, int *npos, struct be_error **err);
void be_opts_release(struct be_opts *o);
/* The value of option name (NULL when not given; "1" for a flag); name must
 * be in the table (an unknown name is a programming error: NULL). */
const char *be_opts_get(const struct be_opts *o, const char *name);
/* Values of a BE_OPT_LIST option; returns their count. */
size_t be_opts_list(const struct be_opts *o, const char *name, const char *const **out);
/* The left column of a help line: "-m, --memory SIZE" ("    --rm" without
 * a short name), into buf. */
const char *be_opts_help_left(const struct be_option *o, char *buf, size_t len);

#endif
