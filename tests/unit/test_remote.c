/* Unit tests of backend/base/remote.c: ssh:// URLs, shell quoting and the
 * ssh command line of `berth --host`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "berth.h"
#include "testutil.h"

static void test_be_remote_parse_forms(void **state)
{
	(void)state;
	struct be_remote r;
	assert_int_equal(be_remote_parse("ssh://root@127.0.0.1:2222", &r, NULL), 0);
	assert_string_equal(r.user, "root");
	assert_string_equal(r.host, "127.0.0.1");
	assert_int_equal(r.port, 2222);
	assert_int_equal(be_remote_parse("ssh://node-1.example", &r, NULL), 0);
	assert_string_equal(r.user, "");
	assert_string_equal(r.host, "node-1.example");
	assert_int_equal(r.port, 0);
	assert_int_equal(be_remote_parse("ssh://u_1@[::1]:22", &r, NULL), 0);
	assert_string_equal(r.host, "::1");
	assert_int_equal(r.port, 22);
}

static void test_be_remote_parse_refuses(void **state)
{
	(void)state;
	static const char *const bad[] = {"http://x",
	                                  "ssh://",
	                                  "ssh://-oProxyCommand=x",
	                                  "ssh://h:0",
	                                  "ssh://h:",
	                                  "ssh://h:99999",
	                                  "ssh://h/path",
	                                  "ssh://a b",
	                                  "ssh://@h",
	                                  "ssh://us;er@h",
	                                  "ssh://[::1",
	                                  "ssh://h;rm",
	                                  "ssh://-l@h",
	                                  "ssh://h:22x",
	                                  "ssh://[::1]x",
	                                  "x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct be_remote r;
		struct be_error *err = NULL;
		if (be_remote_parse(bad[i], &r, &err) != -1)
			fail_msg("accepted %s", bad[i]);
		assert_non_null(strstr(err->msg, "invalid host"));
		be_error_free(err);
	}
}

static void test_be_shell_quote_words(void **state)
{
	(void)state;
	char *q = be_shell_quote("it's $HOME; `x`");
	assert_string_equal(q, "'it'\\''s $HOME; `x`'");
	free(q);
	q = be_shell_quote("");
	assert_string_equal(q, "''");
	free(q);
	/* The shell gives the word back as it was. */
	q = be_shell_quote("a'b\"c\\d\ne");
	struct tu_out o;
	assert_int_equal(tu_sh(&o, "printf %%s %s", q), 0);
	assert_string_equal(o.out, "a'b\"c\\d\ne");
	tu_out_free(&o);
	free(q);
}

static void test_be_remote_ssh_argv_layout(void **state)
{
	(void)state;
	struct be_remote r = {.user = "ops", .host = "h1", .port = 2200};
	const char *words[] = {"--root", "/tmp/a b", "run", "sh", "-c", "echo 'x'"};
	char **argv = be_remote_ssh_argv(&r, "ssh", "berth", 6, words, false);
	const char *want[] = {"ssh",  "-o", "BatchMode=yes", "-T", "-p",
	                      "2200", "-l", "ops",           "--", "h1"};
	for (size_t i = 0; i < 10; i++)
		assert_string_equal(argv[i], want[i]);
	assert_string_equal(argv[10],
	                    "'berth' '--root' '/tmp/a b' 'run' 'sh' '-c' 'echo '\\''x'\\'''");
	assert_null(argv[11]);
	be_remote_argv_free(argv);
	struct be_remote bare = {.host = "h2"};
	argv = be_remote_ssh_argv(&bare, "/usr/bin/ssh", "/opt/berth", 0, NULL, true);
	assert_string_equal(argv[3], "-t");
	assert_string_equal(argv[4], "--");
	assert_string_equal(argv[6], "'/opt/berth'");
	assert_null(argv[7]);
	be_remote_argv_free(argv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_be_remote_parse_forms),
	        cmocka_unit_test(test_be_remote_parse_refuses),
	        cmocka_unit_test(test_be_shell_quote_words),
	        cmocka_unit_test(test_be_remote_ssh_argv_layout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
