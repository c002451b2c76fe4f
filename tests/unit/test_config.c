/* Tests of backend/config/config.c: the UI's settings file round trip, its
 * path, keys of newer versions kept, and bad files refused with their name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "berth.h"
#include "testutil.h"

static int setup(void **state)
{
	*state = tu_root_new();
	return 0;
}

static int teardown(void **state)
{
	tu_root_remove(*state);
	free(*state);
	return 0;
}

static char *path_in(void **state, const char *name)
{
	size_t n = strlen(*state) + strlen(name) + 2;
	char *p = malloc(n);
	snprintf(p, n, "%s/%s", (char *)*state, name);
	return p;
}

static void test_be_ui_config_round_trip(void **state)
{
	char *p = path_in(state, "cfg/berth/config.json");
	struct be_ui_config c = {0}, back;
	snprintf(c.columns[0], BE_UI_ID_MAX, "cpu");
	snprintf(c.columns[1], BE_UI_ID_MAX, "name");
	c.ncolumns = 2;
	snprintf(c.sort, sizeof(c.sort), "mem");
	c.reverse = true;
	c.tree = true;
	snprintf(c.theme, sizeof(c.theme), "mono");
	c.delay = 2.5;
	c.readonly = true;
	struct be_error *err = NULL;
	assert_int_equal(be_ui_config_save(p, &c, &err), 0);
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(be_ui_config_load(p, &back, &err), 0);
	assert_int_equal(back.ncolumns, 2);
	assert_string_equal(back.columns[0], "cpu");
	assert_string_equal(back.columns[1], "name");
	assert_string_equal(back.sort, "mem");
	assert_true(back.reverse && back.tree && back.readonly);
	assert_string_equal(back.theme, "mono");
	assert_true(back.delay > 2.49 && back.delay < 2.51);
	free(p);
}

static void test_be_ui_config_missing_is_defaults(void **state)
{
	char *p = path_in(state, "nothing/here.json");
	struct be_ui_config c;
	memset(&c, 0x55, sizeof(c));
	assert_int_equal(be_ui_config_load(p, &c, NULL), 0);
	assert_int_equal(c.ncolumns, 0);
	assert_false(c.readonly);
	assert_int_equal(c.delay, 0);
	free(p);
}

static void test_be_ui_config_keeps_unknown_keys(void **state)
{
	char *p = path_in(state, "config.json");
	FILE *f = fopen(p, "w");
	fputs("{\"version\": 1, \"hosts\": [\"ssh://a\"], \"tree\": false}\n", f);
	fclose(f);
	struct be_ui_config c = {0};
	c.tree = true;
	assert_int_equal(be_ui_config_save(p, &c, NULL), 0);
	char *text = tu_read(p);
	assert_non_null(strstr(text, "\"hosts\""));
	assert_non_null(strstr(text, "ssh://a"));
	free(text);
	struct be_ui_config back;
	assert_int_equal(be_ui_config_load(p, &back, NULL), 0);
	assert_true(back.tree);
	free(p);
}

static void test_be_ui_config_bad_files(void **state)
{
	static const char *const bad[] = {
	        "{\"version\": 1, \"columns\": \"cpu\"}",
	        "{\"version\": 1, \"columns\": [1]}",
	        "{\"version\": 1, \"delay\": 0.01}",
	        "{\"version\": 1, \"theme\": \"../../etc/x\"}",
	        "{\"version\": 1, \"tree\": \"yes\"}",
	        "{\"version\": 1, \"sort\": \"cpu\", \"sort\": \"mem\"}",
	        "{\"version\": 1,",
	        "[]",
	};
	char *p = path_in(state, "config.json");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		FILE *f = fopen(p, "w");
		fputs(bad[i], f);
		fclose(f);
		struct be_ui_config c;
		struct be_error *err = NULL;
		assert_int_equal(be_ui_config_load(p, &c, &err), -1);
		assert_non_null(err);
		assert_non_null(strstr(err->msg, "config.json"));
		assert_int_equal(c.ncolumns, 0);
		be_error_free(err);
	}
	free(p);
}

static void test_be_ui_config_path_from_env(void **state)
{
	(void)state;
	char *old_x = getenv("XDG_CONFIG_HOME") ? strdup(getenv("XDG_CONFIG_HOME")) : NULL;
	setenv("XDG_CONFIG_HOME", "/x/conf", 1);
	char *p = be_ui_config_path();
	assert_string_equal(p, "/x/conf/berth/config.json");
	free(p);
	setenv("XDG_CONFIG_HOME", "relative", 1);
	setenv("HOME", "/home/u", 1);
	p = be_ui_config_path();
	assert_string_equal(p, "/home/u/.config/berth/config.json");
	free(p);
	if (old_x)
		setenv("XDG_CONFIG_HOME", old_x, 1);
	else
		unsetenv("XDG_CONFIG_HOME");
	free(old_x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_be_ui_config_round_trip, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_be_ui_config_missing_is_defaults, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_be_ui_config_keeps_unknown_keys, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_be_ui_config_bad_files, setup, teardown),
	        cmocka_unit_test(test_be_ui_config_path_from_env),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
