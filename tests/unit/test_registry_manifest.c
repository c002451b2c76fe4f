/* Tests of backend/registry/manifest.c: OCI and Docker manifests and
 * indexes, platform selection, config diff ids and chain ids. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/registry.h"
#include "testutil.h"

#define DA "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define DB "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define DC "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

static const char oci_manifest[] =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
        "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" DA
        "\",\"size\":123},\"layers\":[{\"mediaType\":\"application/"
        "vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" DB "\",\"size\":1000},"
        "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" DC
        "\",\"size\":2000}]}";

static const char docker_manifest[] =
        "{\"schemaVersion\":2,\"mediaType\":\"application/"
        "vnd.docker.distribution.manifest.v2+json\",\"config\":{\"mediaType\":\"application/"
        "vnd.docker.container.image.v1+json\",\"digest\":\"" DA "\",\"size\":7},\"layers\":[{"
        "\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"digest\":\"" DB
        "\",\"size\":5}]}";

static const char index_json[] =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
        "\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
        "\"digest\":\"" DA "\",\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":"
        "\"arm\",\"variant\":\"v7\"}},{\"mediaType\":\"application/"
        "vnd.oci.image.manifest.v1+json\",\"digest\":\"" DB "\",\"size\":1,\"platform\":{"
        "\"os\":\"linux\",\"architecture\":\"amd64\"}},{\"mediaType\":\"application/"
        "vnd.oci.image.manifest.v1+json\",\"digest\":\"" DC "\",\"size\":1,\"platform\":{"
        "\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}}]}";

static void test_reg_manifest_parse_oci(void **state)
{
	(void)state;
	struct reg_manifest m;
	char chosen[DIGEST_STR_MAX];
	assert_int_equal(reg_manifest_parse(oci_manifest, strlen(oci_manifest), REG_MT_OCI_MANIFEST,
	                                    NULL, &m, chosen, NULL),
	                 0);
	assert_false(m.is_index);
	assert_string_equal(m.config.digest, DA);
	assert_int_equal(m.config.size, 123);
	assert_int_equal(m.n_layers, 2);
	assert_string_equal(m.layers[0].digest, DB);
	assert_int_equal(m.layers[1].size, 2000);
	reg_manifest_free(&m);
	/* The body's mediaType decides when the Content-Type is generic. */
	assert_int_equal(reg_manifest_parse(docker_manifest, strlen(docker_manifest),
	                                    "application/json", NULL, &m, chosen, NULL),
	                 0);
	assert_int_equal(m.n_layers, 1);
	reg_manifest_free(&m);
}

static void test_reg_manifest_parse_index_platform(void **state)
{
	(void)state;
	static const struct {
		const char *platform, *want;
	} v[] = {
	        {NULL, DB},           {"linux/amd64", DB},
	        {"linux/arm64", DC},  {"linux/arm64/v8", DC},
	        {"linux/arm/v7", DA},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct reg_manifest m;
		char chosen[DIGEST_STR_MAX] = "";
		assert_int_equal(reg_manifest_parse(index_json, strlen(index_json),
		                                    REG_MT_OCI_INDEX, v[i].platform, &m, chosen,
		                                    NULL),
		                 0);
		assert_true(m.is_index);
		assert_string_equal(chosen, v[i].want);
		reg_manifest_free(&m);
	}
	struct reg_manifest m;
	char chosen[DIGEST_STR_MAX];
	struct be_error *err = NULL;
	assert_int_equal(reg_manifest_parse(index_json, strlen(index_json), REG_MT_DOCKER_LIST,
	                                    "windows/amd64", &m, chosen, &err),
	                 -1);
	assert_non_null(strstr(err->msg, "no image for platform windows/amd64"));
	assert_non_null(strstr(err->msg, "linux/arm/v7, linux/amd64, linux/arm64/v8"));
	be_error_free(err);
}

static void test_reg_manifest_parse_bad(void **state)
{
	(void)state;
	static const char *const bad[] = {
	        "not json",
	        "[]",
	        "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{},"
	        "\"layers\":[]}",
	        "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{"
	        "\"digest\":\"" DA "\",\"size\":1},\"layers\":[]}",
	        "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{"
	        "\"digest\":\"" DA "\",\"size\":1},\"layers\":[{\"mediaType\":\"text/plain\","
	        "\"digest\":\"" DB "\",\"size\":1}]}",
	        "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{"
	        "\"digest\":\"sha256:00\",\"size\":1},\"layers\":[]}",
	        "{\"mediaType\":\"application/vnd.docker.distribution.manifest.v1+json\"}",
	        "{\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}",
	        "{\"a\":1,\"a\":2}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct reg_manifest m;
		char chosen[DIGEST_STR_MAX];
		struct be_error *err = NULL;
		if (reg_manifest_parse(bad[i], strlen(bad[i]), NULL, NULL, &m, chosen, &err) == 0)
			fail_msg("accepted %s", bad[i]);
		assert_null(strchr(err->msg, '\n'));
		be_error_free(err);
	}
}

static void test_reg_config_diff_ids(void **state)
{
	(void)state;
	char **ids = NULL;
	size_t n = 0;
	const char *cfg = "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" DA "\",\"" DB "\"]}}";
	assert_int_equal(reg_config_diff_ids(cfg, &ids, &n, NULL), 0);
	assert_int_equal(n, 2);
	assert_string_equal(ids[1], DB);
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	struct be_error *err = NULL;
	assert_int_equal(reg_config_diff_ids("{\"rootfs\":{\"diff_ids\":[\"x\"]}}", &ids, &n, &err),
	                 -1);
	be_error_free(err);
}

static void test_reg_chain_id(void **state)
{
	(void)state;
	char out[DIGEST_STR_MAX];
	reg_chain_id("", DA, out);
	assert_string_equal(out, DA);
	/* sha256("DA DB") as the OCI image spec defines ChainID. */
	reg_chain_id(DA, DB, out);
	char want[DIGEST_STR_MAX];
	const char *s = DA " " DB;
	digest_sha256_buf(s, strlen(s), want);
	assert_string_equal(out, want);
	assert_string_not_equal(out, DB);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_reg_manifest_parse_oci),
	        cmocka_unit_test(test_reg_manifest_parse_index_platform),
	        cmocka_unit_test(test_reg_manifest_parse_bad),
	        cmocka_unit_test(test_reg_config_diff_ids),
	        cmocka_unit_test(test_reg_chain_id),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
