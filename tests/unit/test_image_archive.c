/* Tests of backend/image/image_archive.c's parsers on literal strings: docker-save
 * manifests, OCI indexes and manifests, image configs; and of the
 * detection of an image archive in a directory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>

#include "image/image_archive.h"
#include "testutil.h"
#include "base/util.h"

#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define B64 "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

/* Asserts err holds want, then clears it. */
static void assert_err(struct be_error **err, const char *want)
{
	assert_non_null(*err);
	if (strstr((*err)->msg, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", (*err)->msg, want);
	assert_null(strchr((*err)->msg, '\n'));
	be_error_clear(err);
}

static void test_be_image_archive_docker_plan_good(void **state)
{
	(void)state;
	struct be_archive_plan p = {0};
	struct be_error *err = NULL;
	assert_int_equal(image_archive_docker_plan(
	                         "[{\"Config\": \"./c.json\", \"RepoTags\": null, \"Layers\": "
	                         "[\"a/layer.tar\", \"blobs/sha256/" H64 "\"]}, {\"Config\": 1}]",
	                         &p, &err),
	                 0);
	assert_string_equal(p.config, "c.json");
	assert_int_equal(p.n_layers, 2);
	assert_string_equal(p.layers[0], "a/layer.tar");
	assert_string_equal(p.layers[1], "blobs/sha256/" H64);
	image_archive_plan_free(&p);
}

static void test_be_image_archive_docker_plan_bad(void **state)
{
	(void)state;
	static const struct {
		const char *text, *want;
	} cases[] = {
	        {"[", "manifest.json: line 1: "},
	        {"{}", "not an array of images"},
	        {"[1]", "not an array of images"},
	        {"[{\"Layers\": [\"a\"]}]", "\"Config\" must name a file"},
	        {"[{\"Config\": \"/c\", \"Layers\": [\"a\"]}]", "\"Config\" must name a file"},
	        {"[{\"Config\": \"c\", \"Layers\": \"a\"}]", "\"Layers\" must list 1 to 500"},
	        {"[{\"Config\": \"c\", \"Layers\": [\"a\", \"../b\"]}]", "item 2 must name a file"},
	        {"[{\"Config\": \"c\", \"Layers\": [\"./\"]}]", "item 1 must name a file"},
	        {"[{\"Config\": \"c\", \"Config\": \"d\", \"Layers\": [\"a\"]}]", "duplicate"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct be_archive_plan p = {0};
		struct be_error *err = NULL;
		assert_int_equal(image_archive_docker_plan(cases[i].text, &p, &err), -1);
		assert_err(&err, cases[i].want);
		image_archive_plan_free(&p);
	}
}

static const char *oci_arch(void)
{
	struct utsname u;
	assert_int_equal(uname(&u), 0);
	return strcmp(u.machine, "aarch64") == 0 ? "arm64" : "amd64";
}

static void test_be_image_archive_oci_index(void **state)
{
	(void)state;
	const char *other = strcmp(oci_arch(), "amd64") == 0 ? "arm64" : "amd64";
	char text[1024];
	snprintf(text, sizeof(text),
	         "{\"manifests\": [{\"digest\": \"sha256:" H64 "\", \"platform\": "
	         "{\"architecture\": \"%s\"}}, {\"mediaType\": "
	         "\"application/vnd.oci.image.index.v1+json\", \"digest\": \"sha256:" B64
	         "\", \"platform\": {\"architecture\": \"%s\"}}]}",
	         other, oci_arch());
	char *blob = NULL;
	bool nested = false;
	struct be_error *err = NULL;
	assert_int_equal(image_archive_oci_index(text, "index.json", &blob, &nested, &err), 0);
	assert_string_equal(blob, "blobs/sha256/" B64); /* this machine's, not the first */
	assert_true(nested);
	free(blob);
	blob = NULL;
	/* No platforms: the first. */
	assert_int_equal(image_archive_oci_index("{\"manifests\": [{\"digest\": \"sha256:" H64
	                                         "\"}, {\"digest\": \"sha256:1\"}]}",
	                                         "index.json", &blob, &nested, &err),
	                 0);
	assert_string_equal(blob, "blobs/sha256/" H64);
	assert_false(nested);
	free(blob);
	static const char *const bad[][2] = {
	        {"{\"manifests\": []}", "index.json: \"manifests\" must list"},
	        {"{\"manifests\": [{\"digest\": \"sha256:../../etc\"}]}", "is not sha256:HEX"},
	        {"{\"manifests\": [{\"digest\": \"md5:" H64 "\"}]}", "is not sha256:HEX"},
	        /* sha256 is the only digest berth checks: sha512 is refused. */
	        {"{\"manifests\": [{\"digest\": \"sha512:" H64 H64 "\"}]}", "is not sha256:HEX"},
	        {"{\"manifests\": [{\"digest\": \"sha256:" H64 "0\"}]}", "is not sha256:HEX"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		blob = NULL;
		assert_int_equal(
		        image_archive_oci_index(bad[i][0], "index.json", &blob, &nested, &err), -1);
		assert_err(&err, bad[i][1]);
		free(blob);
	}
}

static void test_be_image_archive_oci_manifest(void **state)
{
	(void)state;
	struct be_archive_plan p = {0};
	struct be_error *err = NULL;
	assert_int_equal(
	        image_archive_oci_manifest(
	                "{\"config\": {\"digest\": \"sha256:" H64 "\"}, \"layers\": ["
	                "{\"mediaType\": \"application/vnd.oci.image.layer.v1.tar+zstd\", "
	                "\"digest\": \"sha256:" H64 "\"}, {\"mediaType\": "
	                "\"application/vnd.docker.image.rootfs.diff.tar.gzip\", \"digest\": "
	                "\"sha256:" H64 "\"}]}",
	                "m", &p, &err),
	        0);
	assert_string_equal(p.config, "blobs/sha256/" H64);
	assert_int_equal(p.n_layers, 2);
	image_archive_plan_free(&p);
	assert_int_equal(image_archive_oci_manifest(
	                         "{\"config\": {\"digest\": \"sha256:" H64 "\"}, \"layers\": ["
	                         "{\"mediaType\": "
	                         "\"application/vnd.oci.image.layer.v1.tar+gzip+encrypted\", "
	                         "\"digest\": \"sha256:" H64 "\"}]}",
	                         "m", &p, &err),
	                 -1);
	assert_err(&err, "m: layer 1: media type application/vnd.oci.image.layer.v1.tar+gzip+"
	                 "encrypted is not a tar layer");
	image_archive_plan_free(&p);
	assert_int_equal(image_archive_oci_manifest("{\"layers\": []}", "m", &p, &err), -1);
	assert_err(&err, "m: \"config\" has no digest");
	image_archive_plan_free(&p);
}

static void test_be_image_archive_config(void **state)
{
	(void)state;
	struct be_image_rec r = {0};
	struct be_error *err = NULL;
	assert_int_equal(image_archive_config("{\"config\": {\"Entrypoint\": [\"/app\"], \"Cmd\": "
	                                      "[\"--port\", \"80\"], \"Env\": [\"A=1\"], "
	                                      "\"WorkingDir\": \"srv\"}}",
	                                      "c", &r, &err),
	                 0);
	assert_int_equal(r.n_cmd, 3);
	assert_string_equal(r.cmd[0], "/app");
	assert_string_equal(r.cmd[2], "80");
	assert_int_equal(r.n_env, 2); /* a PATH added in front, as docker does */
	assert_true(strncmp(r.env[0], "PATH=", 5) == 0);
	assert_string_equal(r.env[1], "A=1");
	assert_string_equal(r.workdir, "/srv");
	struct be_image_rec *copy = xcalloc(1, sizeof(*copy));
	*copy = r;
	image_rec_free(copy);

	struct be_image_rec d = {0};
	assert_int_equal(image_archive_config("{\"config\": {\"Cmd\": null, \"Env\": "
	                                      "[\"PATH=/x\"], \"Entrypoint\": null}}",
	                                      "c", &d, &err),
	                 0);
	assert_int_equal(d.n_cmd, 1);
	assert_string_equal(d.cmd[0], "/bin/sh");
	assert_int_equal(d.n_env, 1);
	assert_string_equal(d.env[0], "PATH=/x");
	assert_string_equal(d.workdir, "/");
	copy = xcalloc(1, sizeof(*copy));
	*copy = d;
	image_rec_free(copy);

	static const char *const bad[][2] = {
	        {"[]", "c: not a JSON object"},
	        {"{\"config\": 1}", "c: \"config\" must be an object"},
	        {"{\"config\": {\"Env\": \"A=1\"}}",
	         "c: \"config.Env\" must be an array of strings"},
	        {"{\"config\": {\"Cmd\": [\"a\", 2]}}",
	         "\"config.Cmd\" must be an array of strings"},
	        {"{\"config\": {\"WorkingDir\": 3}}", "\"config.WorkingDir\" must be a string"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct be_image_rec *b = xcalloc(1, sizeof(*b));
		assert_int_equal(image_archive_config(bad[i][0], "c", b, &err), -1);
		assert_err(&err, bad[i][1]);
		image_rec_free(b);
	}
}

static enum be_archive_kind kind_of(const char *dir)
{
	enum be_archive_kind k = BE_ARCHIVE_ROOTFS;
	struct be_error *err = NULL;
	if (image_archive_kind(dir, &k, &err) < 0)
		fail_msg("image_archive_kind: %s", err->msg);
	return k;
}

/* image_archive_kind's error for a top file holding text of len bytes. */
static char *kind_error(const char *dir, const char *file, const char *text, size_t len)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/%s", dir, file);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
	enum be_archive_kind k = BE_ARCHIVE_ROOTFS;
	struct be_error *err = NULL;
	assert_int_equal(image_archive_kind(dir, &k, &err), -1);
	assert_non_null(err);
	char *msg = strdup(err->msg);
	be_error_free(err);
	unlink(p);
	return msg;
}

static void test_be_image_archive_kind(void **state)
{
	(void)state;
	char *dir = tu_root_new();
	char p[4096];
	assert_int_equal(kind_of(dir), BE_ARCHIVE_ROOTFS);
	snprintf(p, sizeof(p), "%s/manifest.json", dir);
	tu_write(p, "{\"name\": \"a web app\"}");
	assert_int_equal(kind_of(dir), BE_ARCHIVE_ROOTFS);
	snprintf(p, sizeof(p), "%s/index.json", dir);
	tu_write(p, "{}");
	assert_int_equal(kind_of(dir), BE_ARCHIVE_ROOTFS);
	snprintf(p, sizeof(p), "%s/oci-layout", dir);
	tu_write(p, "{}");
	assert_int_equal(kind_of(dir), BE_ARCHIVE_OCI);
	snprintf(p, sizeof(p), "%s/manifest.json", dir);
	tu_write(p, "[]");
	assert_int_equal(kind_of(dir), BE_ARCHIVE_DOCKER);
	tu_root_remove(dir);
	free(dir);
}

/* A manifest.json or index.json that is there but invalid is an error,
 * never a root filesystem. */
static void test_be_image_archive_kind_invalid(void **state)
{
	(void)state;
	char *dir = tu_root_new();
	static const char trunc[] = "[{\"Config\": \"cfg.json\", \"Layers\": [\"l1/la";
	char *m = kind_error(dir, "manifest.json", trunc, strlen(trunc));
	assert_non_null(strstr(m, "manifest.json: line 1: "));
	free(m);
	static const char nul[] = "[{\"Config\": \"a\"}]\0garbage";
	m = kind_error(dir, "manifest.json", nul, sizeof(nul) - 1);
	assert_string_equal(m, "manifest.json: holds a NUL byte (not JSON text)");
	free(m);
	m = kind_error(dir, "index.json", "{\"manifests\": [", 14);
	assert_non_null(strstr(m, "index.json: line 1: "));
	free(m);
	size_t big = (16u << 20) + 10;
	char *text = malloc(big);
	assert_non_null(text);
	memset(text, ' ', big);
	text[0] = '[';
	text[big - 1] = ']';
	m = kind_error(dir, "manifest.json", text, big);
	assert_string_equal(m, "manifest.json: larger than 16 MiB");
	free(m);
	free(text);
	tu_root_remove(dir);
	free(dir);
}

/* diff_ids: one sha256 per layer. */
static void test_be_image_archive_diff_ids(void **state)
{
	(void)state;
	struct be_archive_plan p = {0};
	struct be_error *err = NULL;
	static const char good[] = "[{\"Config\": \"c.json\", \"Layers\": [\"a.tar\"]}]";
	assert_int_equal(image_archive_docker_plan(good, &p, &err), 0);
	char cfg[512];
	snprintf(cfg, sizeof(cfg), "{\"rootfs\": {\"diff_ids\": [\"sha256:%064d\"]}}", 0);
	assert_int_equal(image_archive_diff_ids(cfg, "c.json", &p, &err), 0);
	assert_string_equal(
	        p.digests[0],
	        "sha256:0000000000000000000000000000000000000000000000000000000000000000");
	image_archive_plan_free(&p);
	static const char *const bad[][2] = {
	        {"{}", "c.json: \"rootfs.diff_ids\" must list the digest of each of the 1 layers"},
	        {"{\"rootfs\": {\"diff_ids\": []}}",
	         "c.json: \"rootfs.diff_ids\" must list the digest of each of the 1 layers"},
	        {"{\"rootfs\": {\"diff_ids\": [\"sha512:00\"]}}",
	         "c.json: \"rootfs.diff_ids\" item 1 is not sha256:HEX"},
	};
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(image_archive_docker_plan(good, &p, &err), 0);
		assert_int_equal(image_archive_diff_ids(bad[i][0], "c.json", &p, &err), -1);
		assert_non_null(err);
		assert_string_equal(err->msg, bad[i][1]);
		be_error_clear(&err);
		image_archive_plan_free(&p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_be_image_archive_docker_plan_good),
	        cmocka_unit_test(test_be_image_archive_docker_plan_bad),
	        cmocka_unit_test(test_be_image_archive_oci_index),
	        cmocka_unit_test(test_be_image_archive_oci_manifest),
	        cmocka_unit_test(test_be_image_archive_config),
	        cmocka_unit_test(test_be_image_archive_kind),
	        cmocka_unit_test(test_be_image_archive_kind_invalid),
	        cmocka_unit_test(test_be_image_archive_diff_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
