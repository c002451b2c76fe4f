/* Tests of backend/base/error.c: the name rule (be_name_valid, be_name_check)
 * and the error object (be_error_set, be_error_wrap, be_error_clear). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "berth.h"
#include "testutil.h"

static const char *const accepted[] = {
        "a",      "Z",
        "0",      "web",
        "web-1",  "Web_2.prod",
        "a.",     "a..b",
        "a-",     "a_",
        "9lives", "x.tar.gz",
        "UPPER",  "0123456789012345678901234567890123456789012345678901234567890123", /* 64 */
};

static const char *const rejected[] = {
        "",     ".",
        "..",   ".hidden",
        "-a",   "_a",
        "a/b",  "/a",
        "a/",   "../etc",
        "a b",  " a",
        "a\n",  "a\tb",
        "a:b",  "a*",
        "a?",   "a\\b",
        "a$b",  "a'b",
        "a\"b", "caf\xc3\xa9",
        "\xff", "01234567890123456789012345678901234567890123456789012345678901234", /* 65 */
};

static void test_be_name_valid_accepted(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
		if (!be_name_valid(accepted[i]))
			fail_msg("name \"%s\" was rejected", accepted[i]);
	}
}

static void test_be_name_valid_rejected(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rejected) / sizeof(rejected[0]); i++) {
		if (be_name_valid(rejected[i]))
			fail_msg("name \"%s\" was accepted", rejected[i]);
	}
	assert_false(be_name_valid(NULL));
}

/* Every length from 1 to 64 passes and 65 to 300 fail, whatever the
 * characters after the first. */
static void test_be_name_valid_lengths(void **state)
{
	(void)state;
	char buf[301];
	for (size_t n = 1; n <= 300; n++) {
		memset(buf, 'a', n);
		for (size_t i = 1; i < n; i++)
			buf[i] = "a-_.9Z"[i % 6];
		buf[n] = '\0';
		if (be_name_valid(buf) != (n <= BE_NAME_MAX))
			fail_msg("length %zu gave the wrong answer", n);
	}
}

/* Only letters, digits, '_', '.', '-' are allowed: try every byte value in
 * the middle and at the start of a name. */
static void test_be_name_valid_every_byte(void **state)
{
	(void)state;
	for (int c = 1; c < 256; c++) {
		bool alnum =
		        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		bool mid_ok = alnum || c == '_' || c == '.' || c == '-';
		char mid[] = {'a', (char)c, 'b', '\0'};
		char first[] = {(char)c, 'b', '\0'};
		if (be_name_valid(mid) != mid_ok)
			fail_msg("byte 0x%02x in the middle gave the wrong answer", c);
		if (be_name_valid(first) != alnum)
			fail_msg("byte 0x%02x at the start gave the wrong answer", c);
	}
}

static void test_be_name_check_valid(void **state)
{
	(void)state;
	struct be_error *err = NULL;
	assert_int_equal(be_name_check("container", "web", &err), 0);
	assert_null(err);
	/* NULL err is allowed for callers that only want the answer. */
	assert_int_equal(be_name_check("container", "web", NULL), 0);
	assert_int_equal(be_name_check("container", "a/b", NULL), -1);
}

static void test_be_name_check_message(void **state)
{
	(void)state;
	struct be_error *err = NULL;
	assert_int_equal(be_name_check("container", "a/b", &err), -1);
	assert_non_null(err);
	assert_int_equal(err->errnum, 0);
	assert_string_equal(err->msg,
	                    "invalid container name \"a/b\": use 1 to 64 of a-z A-Z 0-9 _ "
	                    ". -, starting with a letter or digit");
	be_error_free(err);

	err = NULL;
	assert_int_equal(be_name_check("image", "", &err), -1);
	assert_non_null(strstr(err->msg, "invalid image name \"\":"));
	be_error_free(err);

	err = NULL;
	assert_int_equal(be_name_check("snapshot", NULL, &err), -1);
	assert_non_null(strstr(err->msg, "invalid snapshot name \"\":"));
	be_error_free(err);
}

/* The message stays one printable line whatever the name holds. */
static void test_be_name_check_control_characters(void **state)
{
	(void)state;
	struct be_error *err = NULL;
	assert_int_equal(be_name_check("container", "a\nb\x1b[2J\xc3\xa9", &err), -1);
	assert_non_null(err);
	assert_null(strchr(err->msg, '\n'));
	assert_null(strchr(err->msg, '\x1b'));
	for (const char *p = err->msg; *p; p++)
		assert_true(*p >= 0x20 && *p < 0x7f);
	assert_non_null(strstr(err->msg, "\"a\\x0ab\\x1b[2J\\xc3\\xa9\""));
	be_error_free(err);
}

/* A long name is cut (80 bytes) so the error stays readable. */
static void test_be_name_check_long_name(void **state)
{
	(void)state;
	char name[1001];
	memset(name, 'x', 1000);
	name[1000] = '\0';
	struct be_error *err = NULL;
	assert_int_equal(be_name_check("container", name, &err), -1);
	char want[100];
	snprintf(want, sizeof(want), "\"%.80s\":", name);
	assert_non_null(strstr(err->msg, want));
	assert_true(strlen(err->msg) < 200);
	be_error_free(err);
}

/* ---- the error object --------------------------------------------------- */

static void test_be_error_set_errno_text(void **state)
{
	(void)state;
	struct be_error *err = NULL;
	assert_int_equal(be_error_set(&err, ENOENT, "reading %s", "/x/y"), -1);
	assert_non_null(err);
	assert_int_equal(err->errnum, ENOENT);
	assert_int_equal(err->exitcode, 0);
	char want[128];
	snprintf(want, sizeof(want), "reading /x/y: %s", strerror(ENOENT));
	assert_string_equal(err->msg, want);
	be_error_free(err);

	err = NULL;
	assert_int_equal(be_error_set(&err, 0, "bad %d", 7), -1);
	assert_string_equal(err->msg, "bad 7");
	assert_int_equal(err->errnum, 0);
	be_error_free(err);
}

static void test_be_error_set_first_wins(void **state)
{
	(void)state;
	struct be_error *err = NULL;
	be_error_set(&err, EIO, "first");
	struct be_error *kept = err;
	assert_int_equal(be_error_set(&err, ENOMEM, "second"), -1);
	assert_ptr_equal(err, kept);
	assert_int_equal(err->errnum, EIO);
	assert_non_null(strstr(err->msg, "first"));
	assert_null(strstr(err->msg, "second"));
	be_error_free(err);
}

static void test_be_error_set_null(void **state)
{
	(void)state;
	assert_int_equal(be_error_set(NULL, EIO, "nobody listens"), -1);
	assert_int_equal(be_error_wrap(NULL, "ctx"), -1);
	struct be_error *err = NULL;
	assert_int_equal(be_error_wrap(&err, "ctx"), -1);
	assert_null(err);
	be_error_free(NULL);
	be_error_clear(NULL);
	be_error_clear(&err);
	assert_null(err);
}

static void test_be_error_wrap_prefixes(void **state)
{
	(void)state;
	struct be_error *err = NULL;
	be_error_set(&err, EINVAL, "mounting overlay");
	assert_int_equal(be_error_wrap(&err, "starting %s", "web"), -1);
	char want[128];
	snprintf(want, sizeof(want), "starting web: mounting overlay: %s", strerror(EINVAL));
	assert_string_equal(err->msg, want);
	assert_int_equal(err->errnum, EINVAL);
	be_error_wrap(&err, "run");
	assert_int_equal(strncmp(err->msg, "run: starting web: ", 19), 0);
	be_error_clear(&err);
	assert_null(err);
}

/* A '%' in the arguments is text, not a format. */
static void test_be_error_set_percent(void **state)
{
	(void)state;
	struct be_error *err = NULL;
	be_error_set(&err, 0, "bad value %s", "100%s%n");
	assert_string_equal(err->msg, "bad value 100%s%n");
	be_error_wrap(&err, "%s", "50%d");
	assert_string_equal(err->msg, "50%d: bad value 100%s%n");
	be_error_free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_be_name_valid_accepted),
	        cmocka_unit_test(test_be_name_valid_rejected),
	        cmocka_unit_test(test_be_name_valid_lengths),
	        cmocka_unit_test(test_be_name_valid_every_byte),
	        cmocka_unit_test(test_be_name_check_valid),
	        cmocka_unit_test(test_be_name_check_message),
	        cmocka_unit_test(test_be_name_check_control_characters),
	        cmocka_unit_test(test_be_name_check_long_name),
	        cmocka_unit_test(test_be_error_set_errno_text),
	        cmocka_unit_test(test_be_error_set_first_wins),
	        cmocka_unit_test(test_be_error_set_null),
	        cmocka_unit_test(test_be_error_wrap_prefixes),
	        cmocka_unit_test(test_be_error_set_percent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
