/* The option parser both front ends use: tables of be_option in, values by
 * index and positionals out, one-line errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "berth.h"
#include "util.h"

size_t be_opts_count(const struct be_option *table)
{
	size_t n = 0;
	while (table && table[n].name)
		n++;
	return n;
}

int be_opts_index(const struct be_option *table, const char *name)
{
	for (size_t i = 0; table && table[i].name; i++)
		if (strcmp(table[i].name, name) == 0)
			return (int)i;
	return -1;
}

int be_opts_match(const struct be_option *table, const char *arg, const char **inline_val)
{
	*inline_val = NULL;
	if (arg[0] != '-' || arg[1] == '\0')
		return -1;
	for (size_t i = 0; table && table[i].name; i++) {
		const struct be_option *o = &table[i];
		if (arg[1] == '-') {
			size_t n = strlen(o->name);
			if (strncmp(arg + 2, o->name, n) == 0 &&
			    (arg[2 + n] == '\0' || arg[2 + n] == '=')) {
				if (arg[2 + n] == '=')
					*inline_val = arg + 3 + n;
				return (int)i;
			}
		} else if (o->short_name && arg[1] == o->short_name) {
			if (arg[2] != '\0')
				*inline_val = arg + 2;
			return (int)i;
		}
	}
	return -1;
}

/* "-it" is "-i" "-t"; "-dm 8m" is "-d" "-m 8m": every letter but the last
 * must be a flag, the last may take a value. */
static bool short_cluster(const struct be_option *table, const char *arg)
{
	if (arg[0] != '-' || arg[1] == '-' || arg[1] == '\0' || arg[2] == '\0')
		return false;
	for (const char *p = arg + 1; *p; p++) {
		bool ok = false;
		for (const struct be_option *o = table; o && o->name; o++)
			if (o->short_name == *p && (o->arg == BE_OPT_FLAG || p[1] == '\0'))
				ok = true;
		if (!ok)
			return false;
	}
	return true;
}

static void set_flag_letter(const struct be_option *table, struct be_opts *out, char c)
{
	for (size_t k = 0; table[k].name; k++)
		if (table[k].short_name == c)
			out->val[k] = "1";
}

static int take_value(const struct be_option *table, int idx, const char *val, struct be_opts *out)
{
	out->val[idx] = val;
	if (table[idx].arg != BE_OPT_LIST)
		return 0;
	out->list[idx] = xrealloc(out->list[idx], (out->nlist[idx] + 1) * sizeof(char *));
	out->list[idx][out->nlist[idx]++] = val;
	return 0;
}

/* One option word at argv[*i] (its value may be the next word). */
static int parse_one(const struct be_option *table, int argc, char **argv, int *i,
                     struct be_opts *out, struct be_error **err)
{
	const char *arg = argv[*i];
	char last[3];
	if (short_cluster(table, arg)) {
		for (const char *p = arg + 1; p[1]; p++)
			set_flag_letter(table, out, *p);
		/* The last letter goes through the usual path below. */
		snprintf(last, sizeof(last), "-%c", arg[strlen(arg) - 1]);
		arg = last;
	}
	const char *val;
	int idx = be_opts_match(table, arg, &val);
	if (idx < 0)
		return be_error_set(err, 0, "unknown option %s", arg);
	if (table[idx].arg == BE_OPT_FLAG) {
		if (val)
			return be_error_set(err, 0, "option %s takes no value", arg);
		out->val[idx] = "1";
		return 0;
	}
	if (val == NULL) {
		if (*i + 1 >= argc)
			return be_error_set(err, 0, "option %s needs a value", arg);
		val = argv[++*i];
	}
	return take_value(table, idx, val, out);
}

int be_opts_parse(const struct be_option *table, int argc, char **argv, bool stop_at_positional,
                  struct be_opts *out, char **pos, int *npos, struct be_error **err)
{
	memset(out, 0, sizeof(*out));
	out->table = table;
	*npos = 0;
	if (be_opts_count(table) > BE_OPTS_MAX)
		return be_error_set(err, 0, "internal error: more than %d options", BE_OPTS_MAX);
	bool options_done = false;
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];
		if (options_done || arg[0] != '-' || arg[1] == '\0') {
			pos[(*npos)++] = argv[i];
			if (stop_at_positional)
				options_done = true;
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			options_done = true;
			continue;
		}
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)
			return 1;
		if (parse_one(table, argc, argv, &i, out, err) < 0)
			return -1;
	}
	return 0;
}

void be_opts_release(struct be_opts *o)
{
	for (size_t i = 0; i < BE_OPTS_MAX; i++) {
		free(o->list[i]);
		o->list[i] = NULL;
		o->nlist[i] = 0;
	}
}

const char *be_opts_get(const struct be_opts *o, const char *name)
{
	int i = be_opts_index(o->table, name);
	return i < 0 ? NULL : o->val[i];
}

size_t be_opts_list(const struct be_opts *o, const char *name, const char *const **out)
{
	int i = be_opts_index(o->table, name);
	if (i < 0) {
		*out = NULL;
		return 0;
	}
	*out = o->list[i];
	return o->nlist[i];
}

const char *be_opts_help_left(const struct be_option *o, char *buf, size_t len)
{
	char shortf[8] = "    ";
	if (o->short_name)
		snprintf(shortf, sizeof(shortf), "-%c, ", o->short_name);
	bool takes = o->arg != BE_OPT_FLAG;
	snprintf(buf, len, "%s--%s%s%s", shortf, o->name, takes ? " " : "",
	         takes ? (o->metavar ? o->metavar : "VALUE") : "");
	return buf;
}
