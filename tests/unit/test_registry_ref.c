/* Tests of backend/registry/ref.c: image references as docker writes them
 * (registry, repository, tag, digest, insecure loopback), local names, and
 * WWW-Authenticate challenges. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/registry.h"
#include "testutil.h"

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const struct {
	const char *in, *registry, *host, *repo, *tag, *digest;
	bool insecure;
} good[] = {
        {"busybox", "docker.io", "registry-1.docker.io", "library/busybox", "latest", "", false},
        {"busybox:1.36", "docker.io", "registry-1.docker.io", "library/busybox", "1.36", "", false},
        {"user/app", "docker.io", "registry-1.docker.io", "user/app", "latest", "", false},
        {"127.0.0.1:5000/test/app:v1", "127.0.0.1:5000", "127.0.0.1:5000", "test/app", "v1", "",
         true},
        {"localhost/app", "localhost", "localhost", "app", "latest", "", true},
        {"localhost:5000/a/b/c", "localhost:5000", "localhost:5000", "a/b/c", "latest", "", true},
        {"quay.io/org/img@sha256:" D64, "quay.io", "quay.io", "org/img", NULL, "sha256:" D64,
         false},
        {"ghcr.io/o/i:t@sha256:" D64, "ghcr.io", "ghcr.io", "o/i", "t", "sha256:" D64, false},
        {"registry.example.com:443/a_b/c-d.e:T_1.x", "registry.example.com:443",
         "registry.example.com:443", "a_b/c-d.e", "T_1.x", "", false},
        {"[::1]:5000/x", "[::1]:5000", "[::1]:5000", "x", "latest", "", true},
};

static void test_reg_ref_parse_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct reg_ref r;
		struct be_error *err = NULL;
		if (reg_ref_parse(good[i].in, &r, &err) < 0)
			fail_msg("%s: %s", good[i].in, err->msg);
		assert_string_equal(r.registry, good[i].registry);
		assert_string_equal(r.host, good[i].host);
		assert_string_equal(r.repo, good[i].repo);
		if (good[i].tag)
			assert_string_equal(r.tag, good[i].tag);
		else
			assert_null(r.tag);
		assert_string_equal(r.digest, good[i].digest);
		assert_int_equal(r.insecure, good[i].insecure);
		reg_ref_free(&r);
	}
}

static void test_reg_ref_parse_bad(void **state)
{
	(void)state;
	static const char *const bad[] = {
	        "",
	        "UPPER/case",
	        "a//b",
	        "a/b/",
	        "-x",
	        "x:",
	        "x:-tag",
	        "x@sha256:short",
	        "x@md5:" D64,
	        "x@sha256:" D64 "0",
	        "host:5000/",
	        "a..b",
	        "x:tag with space",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct reg_ref r;
		struct be_error *err = NULL;
		if (reg_ref_parse(bad[i], &r, &err) == 0)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_non_null(strstr(err->msg, "invalid reference"));
		assert_null(strchr(err->msg, '\n'));
		be_error_free(err);
	}
}

static void test_reg_ref_string_and_local_name(void **state)
{
	(void)state;
	static const struct {
		const char *in, *str, *local;
	} v[] = {
	        {"busybox", "docker.io/library/busybox:latest", "busybox"},
	        {"127.0.0.1:5000/test/app:v1", "127.0.0.1:5000/test/app:v1", "app_v1"},
	        {"q.io/a/img@sha256:" D64, "q.io/a/img@sha256:" D64, "img_0123456789ab"},
	        {"q.io/a/img:t@sha256:" D64, "q.io/a/img@sha256:" D64, "img_t"},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct reg_ref r;
		assert_int_equal(reg_ref_parse(v[i].in, &r, NULL), 0);
		char *s = reg_ref_string(&r);
		assert_string_equal(s, v[i].str);
		free(s);
		char name[BE_NAME_MAX + 1];
		reg_ref_local_name(&r, name);
		assert_string_equal(name, v[i].local);
		assert_true(be_name_valid(name));
		reg_ref_free(&r);
	}
}

static void test_reg_challenge_parse_bearer(void **state)
{
	(void)state;
	struct reg_challenge c;
	assert_int_equal(reg_challenge_parse("Bearer realm=\"https://auth.docker.io/token\","
	                                     "service=\"registry.docker.io\",scope=\"repository:"
	                                     "library/busybox:pull\"",
	                                     &c, NULL),
	                 0);
	assert_int_equal(c.scheme, REG_AUTH_BEARER);
	assert_string_equal(c.realm, "https://auth.docker.io/token");
	assert_string_equal(c.service, "registry.docker.io");
	assert_string_equal(c.scope, "repository:library/busybox:pull");
	reg_challenge_free(&c);
	/* Spaces, unquoted values, unknown keys, escapes, case. */
	assert_int_equal(reg_challenge_parse("bearer  realm=http://h/t , service=s, "
	                                     "error=\"insufficient_scope\", scope=\"a\\\"b\"",
	                                     &c, NULL),
	                 0);
	assert_string_equal(c.realm, "http://h/t");
	assert_string_equal(c.service, "s");
	assert_string_equal(c.scope, "a\"b");
	reg_challenge_free(&c);
}

static void test_reg_challenge_parse_basic_and_bad(void **state)
{
	(void)state;
	struct reg_challenge c;
	assert_int_equal(reg_challenge_parse("Basic realm=\"berth\"", &c, NULL), 0);
	assert_int_equal(c.scheme, REG_AUTH_BASIC);
	assert_string_equal(c.realm, "berth");
	reg_challenge_free(&c);
	static const char *const bad[] = {
	        "Digest realm=\"x\"",
	        "Bearer service=\"s\"",
	        "Bearer realm=\"unterminated",
	        "Bearer realm",
	        "",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct be_error *err = NULL;
		if (reg_challenge_parse(bad[i], &c, &err) == 0)
			fail_msg("accepted \"%s\"", bad[i]);
		be_error_free(err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_reg_ref_parse_good),
	        cmocka_unit_test(test_reg_ref_parse_bad),
	        cmocka_unit_test(test_reg_ref_string_and_local_name),
	        cmocka_unit_test(test_reg_challenge_parse_bearer),
	        cmocka_unit_test(test_reg_challenge_parse_basic_and_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
