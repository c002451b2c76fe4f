/* Tests of backend/registry/auth.c: base64, credentials in docker's "auths"
 * format, berth's auth.json (0600, store and remove) read before docker's
 * config.json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "registry/registry.h"
#include "testutil.h"

static void test_reg_base64_roundtrip(void **state)
{
	(void)state;
	static const struct {
		const char *plain, *enc;
	} v[] = {
	        {"", ""},        {"f", "Zg=="},        {"fo", "Zm8="},
	        {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"user:p@ss:w", "dXNlcjpwQHNzOnc="},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char *e = reg_base64_encode(v[i].plain, strlen(v[i].plain));
		assert_string_equal(e, v[i].enc);
		size_t n;
		char *d = reg_base64_decode(e, &n);
		assert_non_null(d);
		assert_int_equal(n, strlen(v[i].plain));
		assert_memory_equal(d, v[i].plain, n);
		free(e);
		free(d);
	}
	static const char *const bad[] = {"Zg=", "Z===", "Zm9v!", "=Zm9", "Zg==Zg=="};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n;
		char *d = reg_base64_decode(bad[i], &n);
		if (d)
			fail_msg("decoded \"%s\"", bad[i]);
	}
}

static void test_reg_auth_find_text(void **state)
{
	(void)state;
	const char *text = "{\"auths\":{\"127.0.0.1:5000\":{\"auth\":\"dXNlcjpwQHNzOnc=\"},"
	                   "\"https://index.docker.io/v1/\":{\"auth\":\"aHViOnNlY3JldA==\"},"
	                   "\"q.io\":{\"username\":\"u\",\"password\":\"p\"},"
	                   "\"bad.io\":{\"auth\":\"bm9jb2xvbg==\"}}}";
	char *u = NULL, *p = NULL;
	assert_int_equal(reg_auth_find_text(text, "f", "127.0.0.1:5000", &u, &p, NULL), 0);
	assert_string_equal(u, "user");
	assert_string_equal(p, "p@ss:w");
	free(u);
	free(p);
	assert_int_equal(reg_auth_find_text(text, "f", "docker.io", &u, &p, NULL), 0);
	assert_string_equal(u, "hub");
	free(u);
	free(p);
	assert_int_equal(reg_auth_find_text(text, "f", "q.io", &u, &p, NULL), 0);
	assert_string_equal(p, "p");
	free(u);
	free(p);
	assert_int_equal(reg_auth_find_text(text, "f", "other.io", &u, &p, NULL), 1);
	struct be_error *err = NULL;
	assert_int_equal(reg_auth_find_text(text, "f", "bad.io", &u, &p, &err), -1);
	assert_non_null(strstr(err->msg, "USER:PASSWORD"));
	be_error_free(err);
	err = NULL;
	assert_int_equal(reg_auth_find_text("{\"auths\":[]}", "f", "x", &u, &p, &err), -1);
	be_error_free(err);
}

static void test_reg_auth_store_and_fallback(void **state)
{
	(void)state;
	char *dir = tu_root_new();
	char xdg[512], dock[512], path[600];
	snprintf(xdg, sizeof(xdg), "%s/xdg", dir);
	snprintf(dock, sizeof(dock), "%s/docker", dir);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	setenv("DOCKER_CONFIG", dock, 1);
	char *own = reg_auth_path();
	snprintf(path, sizeof(path), "%s/berth/auth.json", xdg);
	assert_string_equal(own, path);
	char *u = NULL, *p = NULL;
	assert_int_equal(reg_auth_find("r.io", &u, &p, NULL), 1);
	/* docker's file is the fallback. */
	snprintf(path, sizeof(path), "%s/config.json", dock);
	tu_write(path, "{\"auths\":{\"r.io\":{\"auth\":\"ZDpl\"}}}");
	assert_int_equal(reg_auth_find("r.io", &u, &p, NULL), 0);
	assert_string_equal(u, "d");
	free(u);
	free(p);
	/* berth's own wins, made 0600 in a 0700 directory. */
	assert_int_equal(reg_auth_store(own, "r.io", "me", "pw", NULL), 0);
	struct stat st;
	assert_int_equal(stat(own, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(path, sizeof(path), "%s/berth", xdg);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(reg_auth_find("r.io", &u, &p, NULL), 0);
	assert_string_equal(u, "me");
	assert_string_equal(p, "pw");
	free(u);
	free(p);
	/* Logout removes it; removing again is an error. */
	assert_int_equal(reg_auth_store(own, "r.io", NULL, NULL, NULL), 0);
	assert_int_equal(reg_auth_find("r.io", &u, &p, NULL), 0);
	assert_string_equal(u, "d");
	free(u);
	free(p);
	struct be_error *err = NULL;
	assert_int_equal(reg_auth_store(own, "r.io", NULL, NULL, &err), -1);
	assert_non_null(strstr(err->msg, "not logged in to r.io"));
	be_error_free(err);
	free(own);
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("DOCKER_CONFIG");
	tu_root_remove(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_reg_base64_roundtrip),
	        cmocka_unit_test(test_reg_auth_find_text),
	        cmocka_unit_test(test_reg_auth_store_and_fallback),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
