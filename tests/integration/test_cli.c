/* Tests of the command line through the built binary: --help, --version,
 * and, for every command `berth --help` lists, a working `--help`, usage
 * errors with exit 125, and no state touched by bad input.  Written against
 * the generated help, so it covers commands as they are added. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "berth.h"
#include "testutil.h"

#define MAX_CMDS 128

struct fx {
	char *root;  /* a temporary directory */
	char *state; /* ROOT/state: given as --root, never created by these tests */
	size_t n;    /* commands listed by `berth --help` */
	char *name[MAX_CMDS];
	char *summary[MAX_CMDS];
};

/* Parses the "Commands:" section of `berth --help`: lines "  NAME  SUMMARY"
 * up to the first empty line. */
static void parse_commands(struct fx *f, const char *help)
{
	const char *p = strstr(help, "\nCommands:\n");
	assert_non_null(p);
	p += strlen("\nCommands:\n");
	while (*p && *p != '\n') {
		const char *eol = strchr(p, '\n');
		assert_non_null(eol);
		assert_int_equal(strncmp(p, "  ", 2), 0);
		const char *name = p + 2;
		const char *gap = strstr(name, "  ");
		if (gap == NULL || gap > eol)
			fail_msg("help line without two columns: %.*s", (int)(eol - p), p);
		const char *sum = gap;
		while (*sum == ' ')
			sum++;
		assert_true(f->n < MAX_CMDS);
		f->name[f->n] = strndup(name, (size_t)(gap - name));
		f->summary[f->n] = strndup(sum, (size_t)(eol - sum));
		assert_true(strlen(f->summary[f->n]) > 0);
		f->n++;
		p = eol + 1;
	}
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->root = tu_root_new();
	assert_true(asprintf(&f->state, "%s/state", f->root) > 0);
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, f->state, "--help", NULL), 0);
	parse_commands(f, o.out);
	tu_out_free(&o);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	if (f == NULL)
		return 0;
	for (size_t i = 0; i < f->n; i++) {
		free(f->name[i]);
		free(f->summary[i]);
	}
	tu_root_remove(f->root);
	free(f->root);
	free(f->state);
	free(f);
	return 0;
}

/* Splits a command name into its words (at most 3: "vm image demo"), the
 * argv for it. */
static size_t split_name(char *name, const char *words[3])
{
	size_t n = 0;
	for (char *save = NULL, *w = strtok_r(name, " ", &save); w;
	     w = strtok_r(NULL, " ", &save)) {
		assert_true(n < 3);
		words[n++] = w;
	}
	return n;
}

/* Runs berth --root STATE NAME... EXTRA (extra may be NULL). */
static int run_cmd(struct tu_out *o, struct fx *f, const char *name, const char *extra)
{
	char *copy = strdup(name);
	const char *words[3];
	size_t n = split_name(copy, words);
	const char *argv[5] = {NULL};
	for (size_t i = 0; i < n; i++)
		argv[i] = words[i];
	argv[n] = extra;
	int r = tu_berth(o, f->state, argv);
	free(copy);
	return r;
}

static const char *first_line(const char *text, char *buf, size_t len)
{
	snprintf(buf, len, "%.*s", (int)strcspn(text, "\n"), text);
	return buf;
}

/* Bad input changed nothing: the state root was not even created. */
static void assert_no_state(struct fx *f)
{
	if (access(f->state, F_OK) == 0)
		fail_msg("%s was created", f->state);
}

static void test_cli_help_lists_commands(void **state)
{
	struct fx *f = *state;
	struct tu_out o = {0}, h = {0};
	assert_int_equal(tu_berthl(&o, f->state, "--help", NULL), 0);
	assert_int_equal(strncmp(o.out, "usage: berth ", 13), 0);
	assert_string_equal(o.err, "");
	assert_int_equal(tu_berthl(&h, f->state, "-h", NULL), 0);
	assert_string_equal(h.out, o.out);
	/* Every command is listed once. */
	for (size_t i = 0; i < f->n; i++)
		for (size_t j = i + 1; j < f->n; j++)
			if (strcmp(f->name[i], f->name[j]) == 0)
				fail_msg("command %s listed twice", f->name[i]);
	print_message("berth --help lists %zu commands\n", f->n);
	tu_out_free(&o);
	tu_out_free(&h);
	assert_no_state(f);
}

static void test_cli_version(void **state)
{
	struct fx *f = *state;
	static const char *const flags[] = {"--version", "-V"};
	for (size_t i = 0; i < 2; i++) {
		struct tu_out o = {0};
		assert_int_equal(tu_berthl(&o, f->state, flags[i], NULL), 0);
		assert_int_equal(strncmp(o.out, "berth ", 6), 0);
		const char *v = o.out + 6;
		assert_true(isdigit((unsigned char)*v));
		size_t n = strspn(v, "0123456789.");
		assert_non_null(memchr(v, '.', n));
		assert_string_equal(v + n, "\n");
		assert_string_equal(o.err, "");
		tu_out_free(&o);
	}
	assert_no_state(f);
}

static void test_cli_unknown_command(void **state)
{
	struct fx *f = *state;
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, f->state, "no-such-command", "x", NULL), 125);
	char line[512];
	assert_string_equal(first_line(o.err, line, sizeof(line)),
	                    "berth: unknown command \"no-such-command\"");
	assert_non_null(strstr(o.err, "berth --help"));
	assert_string_equal(o.out, "");
	tu_out_free(&o);
	assert_no_state(f);
}

static void test_cli_unknown_global_option(void **state)
{
	struct fx *f = *state;
	static const char *const bad[] = {"--no-such-option", "-Q", "--versions", "--help=x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tu_out o = {0};
		if (tu_berthl(&o, f->state, bad[i], NULL) != 125)
			fail_msg("berth %s: exit %d, want 125", bad[i], o.status);
		char line[512], want[128];
		snprintf(want, sizeof(want), "berth: unknown option %s", bad[i]);
		assert_string_equal(first_line(o.err, line, sizeof(line)), want);
		assert_string_equal(o.out, "");
		tu_out_free(&o);
	}
	/* --root needs its value. */
	struct tu_out o = {0};
	assert_int_equal(tu_sh(&o, "'%s' --root </dev/null", tu_berth_bin()), 125);
	assert_int_equal(strncmp(o.err, "berth: --root needs a directory\n", 32), 0);
	tu_out_free(&o);
	/* An empty one is refused too, not taken as $BERTH_ROOT or the default. */
	static const char *const empty[] = {"--root=", "--root ''"};
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(tu_sh(&o, "BERTH_ROOT='%s' '%s' %s image ls </dev/null", f->state,
		                       tu_berth_bin(), empty[i]),
		                 125);
		assert_int_equal(strncmp(o.err, "berth: --root needs a directory\n", 32), 0);
		tu_out_free(&o);
	}
	assert_no_state(f);
}

/* The issue asks for usage on stderr after an unknown command or global
 * option, not only a pointer to --help. */
static void test_cli_unknown_word_prints_usage(void **state)
{
	struct fx *f = *state;
	static const char *const bad[] = {"no-such-command", "--no-such-option"};
	for (size_t i = 0; i < 2; i++) {
		struct tu_out o = {0};
		assert_int_equal(tu_berthl(&o, f->state, bad[i], NULL), 125);
		if (strstr(o.err, "usage: berth") == NULL)
			fail_msg("berth %s: no usage line on stderr: %s", bad[i], o.err);
		tu_out_free(&o);
	}
}

/* `berth CMD --help` and `-h`: exit 0, usage line, the listed summary. */
static void test_cli_command_help(void **state)
{
	struct fx *f = *state;
	for (size_t i = 0; i < f->n; i++) {
		static const char *const flags[] = {"--help", "-h"};
		for (size_t k = 0; k < 2; k++) {
			struct tu_out o = {0};
			int r = run_cmd(&o, f, f->name[i], flags[k]);
			if (r != 0)
				fail_msg("berth %s %s: exit %d: %s", f->name[i], flags[k], r,
				         o.err);
			char want[256];
			snprintf(want, sizeof(want), "usage: berth %s", f->name[i]);
			if (strncmp(o.out, want, strlen(want)) != 0)
				fail_msg("berth %s %s: no \"%s\" line", f->name[i], flags[k], want);
			char c = o.out[strlen(want)];
			assert_true(c == ' ' || c == '\n');
			if (strstr(o.out, f->summary[i]) == NULL)
				fail_msg("berth %s --help lacks its summary \"%s\"", f->name[i],
				         f->summary[i]);
			assert_string_equal(o.err, "");
			tu_out_free(&o);
		}
	}
	assert_no_state(f);
}

/* An unknown option: exit 125, one-line error, usage on stderr, and the
 * command does not run. */
static void test_cli_command_unknown_option(void **state)
{
	struct fx *f = *state;
	for (size_t i = 0; i < f->n; i++) {
		struct tu_out o = {0};
		int r = run_cmd(&o, f, f->name[i], "--no-such-option-zz");
		if (r != 125)
			fail_msg("berth %s --no-such-option-zz: exit %d, want 125", f->name[i], r);
		char line[512];
		assert_string_equal(first_line(o.err, line, sizeof(line)),
		                    "berth: unknown option --no-such-option-zz");
		char want[256];
		snprintf(want, sizeof(want), "\nusage: berth %s", f->name[i]);
		if (strstr(o.err, want) == NULL)
			fail_msg("berth %s: no usage on stderr: %s", f->name[i], o.err);
		assert_string_equal(o.out, "");
		tu_out_free(&o);
	}
	assert_no_state(f);
}

/* The usage line shows required arguments as bare words (NAME) and
 * optional ones in brackets ([NAME...]): with none given, a command that
 * needs one fails with exit 125 before it runs. */
static void test_cli_command_missing_arguments(void **state)
{
	struct fx *f = *state;
	size_t checked = 0;
	for (size_t i = 0; i < f->n; i++) {
		struct tu_out h = {0};
		run_cmd(&h, f, f->name[i], "--help");
		char usage[512];
		first_line(h.out, usage, sizeof(usage));
		tu_out_free(&h);
		const char *args = usage + strlen("usage: berth ") + strlen(f->name[i]);
		if (strncmp(args, " [OPTIONS]", 10) == 0)
			args += 10;
		while (*args == ' ')
			args++;
		if (*args == '\0' || *args == '[')
			continue; /* no required argument */
		checked++;
		struct tu_out o = {0};
		/* A timeout, should a command run anyway and wait for something. */
		int r = tu_sh(&o, "timeout -s KILL 20 '%s' --root '%s' %s </dev/null",
		              tu_berth_bin(), f->state, f->name[i]);
		if (r != 125)
			fail_msg("berth %s with no arguments (usage \"%s\"): exit %d, want 125",
			         f->name[i], usage, r);
		char line[512], want[256];
		snprintf(want, sizeof(want), "berth: %s: missing arguments", f->name[i]);
		assert_string_equal(first_line(o.err, line, sizeof(line)), want);
		snprintf(want, sizeof(want), "\nusage: berth %s", f->name[i]);
		assert_non_null(strstr(o.err, want));
		tu_out_free(&o);
	}
	print_message("%zu commands need arguments\n", checked);
	assert_no_state(f);
}

/* The first word of two-word commands ("image") alone lists its
 * subcommands on stderr with exit 125; an unknown subcommand is 125 too. */
static void test_cli_command_group_alone(void **state)
{
	struct fx *f = *state;
	for (size_t i = 0; i < f->n; i++) {
		const char *space = strchr(f->name[i], ' ');
		if (space == NULL)
			continue;
		char *group = strndup(f->name[i], (size_t)(space - f->name[i]));
		struct tu_out o = {0};
		if (tu_berthl(&o, f->state, group, NULL) != 125)
			fail_msg("berth %s: exit %d, want 125", group, o.status);
		char want[256];
		snprintf(want, sizeof(want), "berth %s", f->name[i]);
		if (strstr(o.err, want) == NULL)
			fail_msg("berth %s does not list %s: %s", group, f->name[i], o.err);
		tu_out_free(&o);
		/* "snapshot" is also a command of its own: "snapshot X" names a
		 * container there, not an unknown subcommand. */
		bool is_command = false;
		for (size_t k = 0; k < f->n; k++)
			is_command |= strcmp(f->name[k], group) == 0;
		if (is_command) {
			free(group);
			continue;
		}
		assert_int_equal(tu_berthl(&o, f->state, group, "no-such-sub", NULL), 125);
		assert_true(strncmp(o.err, "berth: ", 7) == 0 || strncmp(o.err, "usage:", 6) == 0);
		assert_string_equal(o.out, "");
		tu_out_free(&o);
		free(group);
	}
	assert_no_state(f);
}

/* The man page made from the help texts renders without a groff warning,
 * has a section for every command --help lists, and the TUI's keys. */
static void test_cli_man_page(void **state)
{
	struct fx *f = *state;
	if (tu_sh(NULL, "command -v groff >/dev/null") != 0) {
		print_message("skipped: no groff here\n");
		skip();
	}
	char *page = NULL;
	assert_true(asprintf(&page, "%s/berth.1", f->root) > 0);
	assert_int_equal(tu_sh(NULL, "scripts/man.sh '%s' > '%s'", tu_berth_bin(), page), 0);
	struct tu_out o = {0};
	assert_int_equal(tu_sh(&o, "groff -man -Tutf8 -ww -z '%s'", page), 0);
	assert_string_equal(o.err, "");
	tu_out_free(&o);
	char *text = tu_read(page);
	assert_non_null(text);
	for (size_t i = 0; i < f->n; i++) {
		char want[128];
		snprintf(want, sizeof(want), "\n.SS %s\n", f->name[i]);
		if (strstr(text, want) == NULL)
			fail_msg("no section for %s in the man page", f->name[i]);
	}
	assert_non_null(strstr(text, ".SH TERMINAL UI KEYS"));
	assert_non_null(strstr(text, "pause / resume"));
	free(text);
	free(page);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_cli_help_lists_commands),
	        cmocka_unit_test(test_cli_version),
	        cmocka_unit_test(test_cli_unknown_command),
	        cmocka_unit_test(test_cli_unknown_global_option),
	        cmocka_unit_test(test_cli_unknown_word_prints_usage),
	        cmocka_unit_test(test_cli_command_help),
	        cmocka_unit_test(test_cli_command_unknown_option),
	        cmocka_unit_test(test_cli_command_missing_arguments),
	        cmocka_unit_test(test_cli_command_group_alone),
	        cmocka_unit_test(test_cli_man_page),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
