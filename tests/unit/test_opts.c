/* Tests of backend/base/opts.c (the option parser both front ends use) and
 * of the limits table (backend/cgroup/limit_options.c) on literal argv. */
#include <stdlib.h>
#include <string.h>

#include "berth.h"
#include "testutil.h"

static const struct be_option table[] = {
        {"detach", 'd', BE_OPT_FLAG, NULL, "run in the background"},
        {"interactive", 'i', BE_OPT_FLAG, NULL, "keep stdin open"},
        {"tty", 't', BE_OPT_FLAG, NULL, "terminal"},
        {"memory", 'm', BE_OPT_VALUE, "SIZE", "memory"},
        {"env", 'e', BE_OPT_LIST, "K=V", "environment"},
        {"name", 0, BE_OPT_VALUE, "NAME", "name"},
        {0},
};

struct parsed {
	struct be_opts o;
	char *pos[16];
	int npos;
	struct be_error *err;
	int r;
};

static void parse(struct parsed *p, bool stop, int argc, const char **argv)
{
	memset(p, 0, sizeof(*p));
	p->r = be_opts_parse(table, argc, (char **)argv, stop, &p->o, p->pos, &p->npos, &p->err);
}

static void done(struct parsed *p)
{
	be_opts_release(&p->o);
	be_error_free(p->err);
}

static void test_be_opts_parse_long_short_and_inline(void **state)
{
	(void)state;
	const char *argv[] = {"--name=web", "-m", "64m", "--env", "A=1", "-eB=2", "img", "cmd"};
	struct parsed p;
	parse(&p, false, 8, argv);
	assert_int_equal(p.r, 0);
	assert_string_equal(be_opts_get(&p.o, "name"), "web");
	assert_string_equal(be_opts_get(&p.o, "memory"), "64m");
	assert_null(be_opts_get(&p.o, "detach"));
	const char *const *env;
	assert_int_equal(be_opts_list(&p.o, "env", &env), 2);
	assert_string_equal(env[0], "A=1");
	assert_string_equal(env[1], "B=2");
	assert_int_equal(p.npos, 2);
	assert_string_equal(p.pos[0], "img");
	assert_string_equal(p.pos[1], "cmd");
	done(&p);
}

static void test_be_opts_parse_short_cluster(void **state)
{
	(void)state;
	const char *argv[] = {"-dit", "-dm", "8m", "x"};
	struct parsed p;
	parse(&p, false, 4, argv);
	assert_int_equal(p.r, 0);
	assert_string_equal(be_opts_get(&p.o, "detach"), "1");
	assert_string_equal(be_opts_get(&p.o, "interactive"), "1");
	assert_string_equal(be_opts_get(&p.o, "tty"), "1");
	assert_string_equal(be_opts_get(&p.o, "memory"), "8m");
	assert_int_equal(p.npos, 1);
	done(&p);
	/* A value-taking letter before the last is no cluster. */
	const char *bad[] = {"-md"};
	parse(&p, false, 1, bad);
	assert_int_equal(p.r, 0);
	assert_string_equal(be_opts_get(&p.o, "memory"), "d");
	done(&p);
}

static void test_be_opts_parse_stop_at_positional(void **state)
{
	(void)state;
	const char *argv[] = {"-d", "img", "ls", "-la", "--", "x"};
	struct parsed p;
	parse(&p, true, 6, argv);
	assert_int_equal(p.r, 0);
	assert_int_equal(p.npos, 5);
	assert_string_equal(p.pos[2], "-la");
	assert_string_equal(p.pos[3], "--");
	done(&p);
	const char *argv2[] = {"--", "-d"};
	parse(&p, false, 2, argv2);
	assert_int_equal(p.r, 0);
	assert_null(be_opts_get(&p.o, "detach"));
	assert_int_equal(p.npos, 1);
	assert_string_equal(p.pos[0], "-d");
	done(&p);
}

static void test_be_opts_parse_errors(void **state)
{
	(void)state;
	static const struct {
		const char *arg;
		const char *msg;
	} cases[] = {
	        {"--nope", "unknown option --nope"},
	        {"-x", "unknown option -x"},
	        {"--memory", "option --memory needs a value"},
	        {"--detach=1", "option --detach=1 takes no value"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *argv[] = {cases[i].arg};
		struct parsed p;
		parse(&p, false, 1, argv);
		assert_int_equal(p.r, -1);
		assert_non_null(p.err);
		assert_string_equal(p.err->msg, cases[i].msg);
		done(&p);
	}
	const char *help[] = {"--nope-but-later", "--help"};
	struct parsed p;
	parse(&p, false, 2, help);
	assert_int_equal(p.r, -1); /* the unknown option comes first */
	done(&p);
	const char *help2[] = {"-h", "--nope"};
	parse(&p, false, 2, help2);
	assert_int_equal(p.r, 1);
	done(&p);
}

static void test_be_opts_help_left(void **state)
{
	(void)state;
	char buf[64];
	assert_string_equal(be_opts_help_left(&table[3], buf, sizeof(buf)), "-m, --memory SIZE");
	assert_string_equal(be_opts_help_left(&table[5], buf, sizeof(buf)), "    --name NAME");
	assert_string_equal(be_opts_help_left(&table[0], buf, sizeof(buf)), "-d, --detach");
}

static void test_be_limits_set_table(void **state)
{
	(void)state;
	struct be_limits lim = {0};
	struct be_error *err = NULL;
	assert_int_equal(be_limits_set(&lim, "memory", "64m", &err), 0);
	assert_int_equal(lim.memory, 64ull << 20);
	assert_int_equal(be_limits_set(&lim, "cpus", "0.5", &err), 0);
	assert_int_equal(lim.cpu_quota_us, 50000);
	assert_int_equal(be_limits_set(&lim, "pids-limit", "100", &err), 0);
	assert_int_equal(lim.pids_max, 100);
	assert_int_equal(be_limits_set(&lim, "io-weight", "0", &err), -1);
	assert_non_null(strstr(err->msg, "--io-weight"));
	be_error_clear(&err);
	assert_int_equal(be_limits_set(&lim, "disk", "1", &err), -1);
	assert_string_equal(err->msg, "unknown limit --disk");
	be_error_clear(&err);
	/* Every entry parses through its own field, and has a help text. */
	size_t n = 0;
	for (const struct be_limit_option *o = be_limit_options; o->opt.name; o++, n++) {
		assert_non_null(o->parse);
		assert_non_null(o->opt.help);
		assert_int_equal(o->opt.arg, BE_OPT_VALUE);
	}
	assert_int_equal(n, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_be_opts_parse_long_short_and_inline),
	        cmocka_unit_test(test_be_opts_parse_short_cluster),
	        cmocka_unit_test(test_be_opts_parse_stop_at_positional),
	        cmocka_unit_test(test_be_opts_parse_errors),
	        cmocka_unit_test(test_be_opts_help_left),
	        cmocka_unit_test(test_be_limits_set_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
