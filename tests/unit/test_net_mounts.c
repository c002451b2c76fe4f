/* Tests of backend/volume/vol_parse.c: -v, --mount and --tmpfs parsed from
 * literal strings, good and bad. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "berth.h"
#include "testutil.h"

static void test_be_volume_parse_bind_host_path(void **state)
{
	(void)state;
	struct be_mount m;
	struct be_error *err = NULL;
	assert_int_equal(be_volume_parse_bind("/srv/data:/data:ro", &m, &err), 0);
	assert_int_equal(m.type, BE_MOUNT_BIND);
	assert_string_equal(m.source, "/srv/data");
	assert_string_equal(m.target, "/data");
	assert_true(m.readonly);
	assert_false(m.force);
	be_volume_mount_clear(&m);
	assert_int_equal(be_volume_parse_bind("/proc:/p/:rw,force", &m, &err), 0);
	assert_string_equal(m.target, "/p");
	assert_false(m.readonly);
	assert_true(m.force);
	be_volume_mount_clear(&m);
}

static void test_be_volume_parse_bind_relative_is_cwd(void **state)
{
	(void)state;
	char cwd[4096], want[4200];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(want, sizeof(want), "%s/./x", cwd);
	struct be_mount m;
	assert_int_equal(be_volume_parse_bind("./x:/x", &m, NULL), 0);
	assert_string_equal(m.source, want);
	be_volume_mount_clear(&m);
}

static void test_be_volume_parse_bind_named_volume(void **state)
{
	(void)state;
	struct be_mount m;
	assert_int_equal(be_volume_parse_bind("pgdata:/var/lib/pg", &m, NULL), 0);
	assert_int_equal(m.type, BE_MOUNT_VOLUME);
	assert_string_equal(m.source, "pgdata");
	assert_string_equal(m.target, "/var/lib/pg");
	be_volume_mount_clear(&m);
}

static void test_be_volume_parse_bind_rejects(void **state)
{
	(void)state;
	static const char *const bad[] = {
	        "/a",           /* no target */
	        "/a:rel",       /* relative target */
	        "/a:/",         /* over the root */
	        "/a:/x/../y",   /* .. */
	        "/a:/x:rx",     /* unknown option */
	        "vol:/x:force", /* force is for binds */
	        "bad/name:/x",  ":/x", "/a:", "-vol:/x",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct be_mount m;
		struct be_error *err = NULL;
		if (be_volume_parse_bind(bad[i], &m, &err) == 0)
			fail_msg("accepted -v \"%s\"", bad[i]);
		assert_non_null(err);
		assert_null(strchr(err->msg, '\n'));
		assert_non_null(strstr(err->msg, "-v"));
		be_error_free(err);
		assert_null(m.source);
		assert_null(m.target);
	}
}

static void test_be_volume_parse_mount_kinds(void **state)
{
	(void)state;
	struct be_mount m;
	assert_int_equal(
	        be_volume_parse_mount("type=bind,source=/etc,target=/h/etc,readonly", &m, NULL), 0);
	assert_int_equal(m.type, BE_MOUNT_BIND);
	assert_string_equal(m.source, "/etc");
	assert_string_equal(m.target, "/h/etc");
	assert_true(m.readonly);
	be_volume_mount_clear(&m);
	assert_int_equal(be_volume_parse_mount("type=volume,src=v1,dst=/v,ro=false", &m, NULL), 0);
	assert_int_equal(m.type, BE_MOUNT_VOLUME);
	assert_string_equal(m.source, "v1");
	assert_false(m.readonly);
	be_volume_mount_clear(&m);
	assert_int_equal(
	        be_volume_parse_mount("type=tmpfs,destination=/run,tmpfs-size=64m,tmpfs-mode=755",
	                              &m, NULL),
	        0);
	assert_int_equal(m.type, BE_MOUNT_TMPFS);
	assert_null(m.source);
	assert_int_equal(m.size, 64ull << 20);
	assert_int_equal(m.mode, 0755);
	be_volume_mount_clear(&m);
}

static void test_be_volume_parse_mount_rejects(void **state)
{
	(void)state;
	static const char *const bad[] = {
	        "source=/a,target=/b",            /* no type */
	        "type=bind,target=/b",            /* no source */
	        "type=bind,source=/a",            /* no target */
	        "type=nfs,source=/a,target=/b",   /* unknown type */
	        "type=tmpfs,source=/a,target=/b", /* tmpfs with a source */
	        "type=bind,source=/a,target=/b,tmpfs-size=1m",
	        "type=volume,source=a/b,target=/b", /* bad volume name */
	        "type=bind,source=/a,target=/b,color=red",
	        "type=tmpfs,target=/t,tmpfs-mode=99", /* not octal */
	        "type=tmpfs,target=/t,tmpfs-size=-1",
	        "type=volume,source=v,target=/b,force",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct be_mount m;
		struct be_error *err = NULL;
		if (be_volume_parse_mount(bad[i], &m, &err) == 0)
			fail_msg("accepted --mount \"%s\"", bad[i]);
		assert_non_null(err);
		assert_non_null(strstr(err->msg, "--mount"));
		be_error_free(err);
	}
}

static void test_be_volume_parse_tmpfs(void **state)
{
	(void)state;
	struct be_mount m;
	assert_int_equal(be_volume_parse_tmpfs("/scratch", &m, NULL), 0);
	assert_int_equal(m.type, BE_MOUNT_TMPFS);
	assert_string_equal(m.target, "/scratch");
	assert_int_equal(m.size, 0);
	be_volume_mount_clear(&m);
	assert_int_equal(be_volume_parse_tmpfs("/t:size=1k,mode=700,ro", &m, NULL), 0);
	assert_int_equal(m.size, 1024);
	assert_int_equal(m.mode, 0700);
	assert_true(m.readonly);
	be_volume_mount_clear(&m);
	struct be_error *err = NULL;
	assert_int_equal(be_volume_parse_tmpfs("t", &m, &err), -1);
	be_error_clear(&err);
	assert_int_equal(be_volume_parse_tmpfs("/t:size=lots", &m, &err), -1);
	be_error_clear(&err);
	assert_int_equal(be_volume_parse_tmpfs("/t:uid=3", &m, &err), -1);
	assert_non_null(strstr(err->msg, "uid=3"));
	be_error_clear(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_be_volume_parse_bind_host_path),
	        cmocka_unit_test(test_be_volume_parse_bind_relative_is_cwd),
	        cmocka_unit_test(test_be_volume_parse_bind_named_volume),
	        cmocka_unit_test(test_be_volume_parse_bind_rejects),
	        cmocka_unit_test(test_be_volume_parse_mount_kinds),
	        cmocka_unit_test(test_be_volume_parse_mount_rejects),
	        cmocka_unit_test(test_be_volume_parse_tmpfs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
