/* Integration tests of importing image archives (root): docker-save and OCI
 * layout tarballs the test builds itself with libarchive become chains of
 * layers (whiteouts and opaque directories translated for overlayfs) that
 * run with the config's command, environment and working directory; bad
 * archives are refused in one line and leave nothing behind. */
#include <archive.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "testutil.h"
#include "tu_tar.h"

static int setup(void **state)
{
	if (!tu_is_root() || access("/bin/busybox", X_OK) < 0)
		skip();
	*state = tu_fix_new();
	return 0;
}

static int teardown(void **state)
{
	tu_fix_free(*state);
	return 0;
}

/* ---- building archives ------------------------------------------------------ */

/* The base layer: busybox with sh and ls, and what layer 2 changes. */
static const struct tu_tar_entry layer1[] = {
        {"bin/", 'd', NULL},         {"bin/busybox", 'H', "/bin/busybox"},
        {"bin/sh", 'l', "busybox"},  {"bin/ls", 'l', "busybox"},
        {"bin/cat", 'l', "busybox"}, {"srv/", 'd', NULL},
        {"deleted", 'f', "old\n"},   {"dir/", 'd', NULL},
        {"dir/old1", 'f', "1\n"},    {"dir/old2", 'f', "2\n"},
};
/* Deletes /deleted, empties /dir (opaque) but for a new file, adds /added. */
static const struct tu_tar_entry layer2[] = {
        {".wh.deleted", 'f', ""},  {"dir/", 'd', NULL},       {"dir/.wh..wh..opq", 'f', ""},
        {"dir/new", 'f', "new\n"}, {"added", 'f', "added\n"},
};

static const char docker_config[] =
        "{\"architecture\": \"amd64\", \"os\": \"linux\", \"config\": {"
        "\"Cmd\": [\"sh\", \"-c\", \"echo hi-from-config\"], \"Env\": [\"GREETING=hello\"], "
        "\"WorkingDir\": \"/srv\"}, \"rootfs\": {\"type\": \"layers\", \"diff_ids\": []}}";

/* A docker-save archive at work/NAME.tar with the given manifest.json and
 * config, holding the layers l1/layer.tar and l2/layer.tar. */
static char *docker_archive(const struct tu_fix *f, const char *name, const char *manifest,
                            const char *config, const struct tu_tar_entry *l2, size_t n2)
{
	char *t1 = tu_work_path(f, "layer1.tar"), *t2 = tu_work_path(f, "layer2.tar"), *out = NULL;
	tu_make_tar(t1, ARCHIVE_FILTER_NONE, layer1, sizeof(layer1) / sizeof(layer1[0]));
	tu_make_tar(t2, ARCHIVE_FILTER_NONE, l2, n2);
	assert_true(asprintf(&out, "%s/%s.tar", f->work, name) > 0);
	const struct tu_tar_entry outer[] = {
	        {"manifest.json", 'f', manifest}, {"cfg.json", 'f', config},
	        {"repositories", 'f', "{}"},      {"l1/", 'd', NULL},
	        {"l1/layer.tar", 'H', t1},        {"l2/", 'd', NULL},
	        {"l2/layer.tar", 'H', t2},
	};
	TU_MAKE_TAR(out, ARCHIVE_FILTER_NONE, outer);
	free(t1);
	free(t2);
	return out;
}

static const char good_manifest[] = "[{\"Config\": \"cfg.json\", \"RepoTags\": [\"app:latest\"], "
                                    "\"Layers\": [\"l1/layer.tar\", \"l2/layer.tar\"]}]";

/* ---- checks ------------------------------------------------------------------- */

static void import_ok(const struct tu_fix *f, const char *name, const char *tar)
{
	struct tu_out o = {0};
	if (tu_berthl(&o, f->root, "image", "import", name, tar, NULL) != 0)
		fail_msg("importing %s: %s", name, o.err);
	tu_out_free(&o);
}

/* `berth image inspect NAME` as JSON. */
static json_t *inspect(const struct tu_fix *f, const char *name)
{
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, f->root, "image", "inspect", name, NULL), 0);
	json_error_t je;
	json_t *j = json_loads(o.out, 0, &je);
	if (j == NULL)
		fail_msg("inspect %s: %s", name, je.text);
	tu_out_free(&o);
	return j;
}

/* Runs `berth run --rm NAME ARGS...` and checks its stdout. */
static void run_expect(const struct tu_fix *f, const char *const *argv, const char *want)
{
	struct tu_out o = {0};
	int rc = tu_berth(&o, f->root, argv);
	if (rc != 0 || strcmp(o.out, want) != 0)
		fail_msg("run: exit %d, stdout \"%s\" (want \"%s\"), stderr \"%s\"", rc, o.out,
		         want, o.err);
	tu_out_free(&o);
}

/* No image, no layer, no temp directory, no trash left in the root (once
 * the trash reaper, which holds the trash's flock, is done). */
static void assert_nothing_left(const struct tu_fix *f)
{
	tu_trash_settle(f->root);
	assert_int_equal(
	        tu_count("find '%s/tmp' '%s/layers' -mindepth 1 | wc -l", f->root, f->root), 0);
	assert_int_equal(
	        tu_count("find '%s/trash' '%s/images' -mindepth 1 | wc -l", f->root, f->root), 0);
}

static void expect_refused(const struct tu_fix *f, const char *tar, const char *want)
{
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, f->root, "image", "import", "bad", tar, NULL), 125);
	if (strstr(o.err, want) == NULL)
		fail_msg("stderr \"%s\" lacks \"%s\"", o.err, want);
	assert_non_null(strstr(o.err, "berth: importing bad: "));
	assert_ptr_equal(strchr(o.err, '\n'), o.err + strlen(o.err) - 1);
	tu_out_free(&o);
	assert_nothing_left(f);
}

/* ---- docker save ------------------------------------------------------------------ */

/* The top layer holds an overlay whiteout for /deleted and an opaque /dir. */
static void assert_overlay_form(const struct tu_fix *f, const char *top)
{
	char p[4096], v[8];
	struct stat st;
	snprintf(p, sizeof(p), "%s/layers/%s/diff/deleted", f->root, top);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0));
	snprintf(p, sizeof(p), "%s/layers/%s/diff/.wh.deleted", f->root, top);
	assert_int_equal(access(p, F_OK), -1);
	snprintf(p, sizeof(p), "%s/layers/%s/diff/dir", f->root, top);
	assert_int_equal(lgetxattr(p, "trusted.overlay.opaque", v, sizeof(v)), 1);
	assert_int_equal(v[0], 'y');
	snprintf(p, sizeof(p), "%s/layers/%s/diff/dir/.wh..wh..opq", f->root, top);
	assert_int_equal(access(p, F_OK), -1);
}

static void test_import_docker_save(void **state)
{
	struct tu_fix *f = *state;
	char *tar = docker_archive(f, "app", good_manifest, docker_config, layer2,
	                           sizeof(layer2) / sizeof(layer2[0]));
	import_ok(f, "app", tar);
	json_t *j = inspect(f, "app");
	json_t *layers = json_object_get(j, "layers");
	assert_int_equal(json_array_size(layers), 2);
	json_t *top = json_array_get(json_object_get(j, "layer_info"), 0);
	assert_string_equal(json_string_value(json_object_get(top, "parent")),
	                    json_string_value(json_array_get(layers, 1)));
	assert_string_equal(json_string_value(json_object_get(j, "workdir")), "/srv");
	assert_overlay_form(f, json_string_value(json_array_get(layers, 0)));
	json_decref(j);
	/* The outer archive's files were not kept: only the two layers. */
	assert_int_equal(tu_count("ls '%s/layers' | wc -l", f->root), 2);
	tu_trash_settle(f->root);
	assert_int_equal(tu_count("find '%s/tmp' '%s/trash' -mindepth 1 | wc -l", f->root, f->root),
	                 0);

	run_expect(f, (const char *[]){"run", "--rm", "app", NULL}, "hi-from-config\n");
	run_expect(
	        f,
	        (const char *[]){"run", "--rm", "app", "sh", "-c",
	                         "echo $GREETING; pwd; ls /dir; test ! -e /deleted && echo gone; "
	                         "cat /added",
	                         NULL},
	        "hello\n/srv\nnew\ngone\nadded\n");
	free(tar);
}

/* A layer that changes nothing (docker writes one for a RUN that left no
 * file) is a valid, empty layer of the chain. */
static void test_import_docker_empty_layer(void **state)
{
	struct tu_fix *f = *state;
	char *tar = docker_archive(f, "empty", good_manifest, docker_config, NULL, 0);
	import_ok(f, "empty", tar);
	json_t *j = inspect(f, "empty");
	assert_int_equal(json_array_size(json_object_get(j, "layers")), 2);
	json_decref(j);
	run_expect(f, (const char *[]){"run", "--rm", "empty", "cat", "/deleted", NULL}, "old\n");
	free(tar);
}

/* Older docker links a layer that appears twice to its first copy
 * (l2/layer.tar -> ../l1/layer.tar): followed, as it stays in the archive. */
static void test_import_docker_linked_layer(void **state)
{
	struct tu_fix *f = *state;
	char *t1 = tu_work_path(f, "layer1.tar"), *tar = tu_work_path(f, "linked.tar");
	tu_make_tar(t1, ARCHIVE_FILTER_NONE, layer1, sizeof(layer1) / sizeof(layer1[0]));
	const struct tu_tar_entry outer[] = {
	        {"manifest.json", 'f', good_manifest},
	        {"cfg.json", 'f', docker_config},
	        {"l1/", 'd', NULL},
	        {"l1/layer.tar", 'H', t1},
	        {"l2/", 'd', NULL},
	        {"l2/layer.tar", 'l', "../l1/layer.tar"},
	};
	TU_MAKE_TAR(tar, ARCHIVE_FILTER_NONE, outer);
	import_ok(f, "linked", tar);
	json_t *j = inspect(f, "linked");
	assert_int_equal(json_array_size(json_object_get(j, "layers")), 2);
	json_decref(j);
	run_expect(f, (const char *[]){"run", "--rm", "linked", NULL}, "hi-from-config\n");
	free(t1);
	free(tar);
}

/* ---- OCI layout --------------------------------------------------------------- */

/* Moves work/NAME to work/oci/blobs/sha256/<its sha256>; returns the hex. */
static char *to_blob(const struct tu_fix *f, const char *name)
{
	struct tu_out o = {0};
	assert_int_equal(
	        tu_sh(&o,
	              "cd '%s' && mkdir -p oci/blobs/sha256 && h=$(sha256sum %s | cut -c1-64)"
	              " && mv %s oci/blobs/sha256/$h && echo $h",
	              f->work, name, name),
	        0);
	o.out[strcspn(o.out, "\n")] = '\0';
	assert_int_equal(strlen(o.out), 64);
	char *h = strdup(o.out);
	tu_out_free(&o);
	return h;
}

static void write_work(const struct tu_fix *f, const char *name, const char *text)
{
	char *p = tu_work_path(f, name);
	tu_write(p, text);
	free(p);
}

/* An OCI layout tarball of one gzip layer (layer1) whose config has an
 * Entrypoint and a Cmd. */
static char *oci_archive(const struct tu_fix *f)
{
	char *layer = tu_work_path(f, "l.tar.gz");
	tu_make_tar(layer, ARCHIVE_FILTER_GZIP, layer1, sizeof(layer1) / sizeof(layer1[0]));
	free(layer);
	char *lh = to_blob(f, "l.tar.gz");
	write_work(f, "config",
	           "{\"architecture\": \"amd64\", \"os\": \"linux\", \"config\": "
	           "{\"Entrypoint\": [\"sh\", \"-c\"], \"Cmd\": [\"echo oci-$0\", "
	           "\"ok\"]}, \"rootfs\": {\"type\": \"layers\"}}");
	char *ch = to_blob(f, "config");
	char text[2048];
	snprintf(text, sizeof(text),
	         "{\"schemaVersion\": 2, \"mediaType\": "
	         "\"application/vnd.oci.image.manifest.v1+json\", \"config\": {\"mediaType\": "
	         "\"application/vnd.oci.image.config.v1+json\", \"digest\": \"sha256:%s\", "
	         "\"size\": 1}, \"layers\": [{\"mediaType\": "
	         "\"application/vnd.oci.image.layer.v1.tar+gzip\", \"digest\": \"sha256:%s\", "
	         "\"size\": 1}]}",
	         ch, lh);
	write_work(f, "manifest", text);
	char *mh = to_blob(f, "manifest");
	snprintf(text, sizeof(text),
	         "{\"schemaVersion\": 2, \"manifests\": [{\"mediaType\": "
	         "\"application/vnd.oci.image.manifest.v1+json\", \"digest\": \"sha256:%s\", "
	         "\"size\": 1, \"annotations\": {\"org.opencontainers.image.ref.name\": "
	         "\"latest\"}}]}",
	         mh);
	write_work(f, "oci/index.json", text);
	write_work(f, "oci/oci-layout", "{\"imageLayoutVersion\": \"1.0.0\"}");
	char *tar = tu_work_path(f, "oci.tar");
	assert_int_equal(tu_sh(NULL, "tar -C '%s/oci' -cf '%s' .", f->work, tar), 0);
	free(lh);
	free(ch);
	free(mh);
	return tar;
}

static void test_import_oci_layout(void **state)
{
	struct tu_fix *f = *state;
	char *tar = oci_archive(f);
	import_ok(f, "oci", tar);
	json_t *j = inspect(f, "oci");
	assert_int_equal(json_array_size(json_object_get(j, "layers")), 1);
	json_decref(j);
	run_expect(f, (const char *[]){"run", "--rm", "oci", NULL}, "oci-ok\n");
	run_expect(f, (const char *[]){"run", "--rm", "oci", "sh", "-c", "pwd; cat /deleted", NULL},
	           "/\nold\n");
	free(tar);
}

/* ---- refusals ------------------------------------------------------------------- */

static void test_import_archive_missing_layer(void **state)
{
	struct tu_fix *f = *state;
	char *tar = docker_archive(f, "missing",
	                           "[{\"Config\": \"cfg.json\", \"Layers\": [\"l1/layer.tar\", "
	                           "\"l3/layer.tar\"]}]",
	                           docker_config, layer2, sizeof(layer2) / sizeof(layer2[0]));
	expect_refused(f, tar, "opening l3/layer.tar in the archive: No such file or directory");
	free(tar);
}

static void test_import_archive_layer_escapes(void **state)
{
	struct tu_fix *f = *state;
	static const struct tu_tar_entry evil[] = {{"ok", 'f', "ok\n"}, {"../x", 'f', "x\n"}};
	char *tar = docker_archive(f, "evil", good_manifest, docker_config, evil, 2);
	expect_refused(f, tar, "layer l2/layer.tar: entry \"../x\": path leaves the layer");
	free(tar);
	static const struct tu_tar_entry evil_wh[] = {{"a/.wh..", 'f', ""}};
	tar = docker_archive(f, "evilwh", good_manifest, docker_config, evil_wh, 1);
	expect_refused(f, tar, "layer l2/layer.tar: entry \"a/.wh..\": whiteout names no file");
	free(tar);
}

/* A layer file that is a symlink out of the archive (extraction allows an
 * absolute target: inside a container it would point into the container)
 * is not followed. */
static void test_import_archive_symlink_out(void **state)
{
	struct tu_fix *f = *state;
	char *tar = tu_work_path(f, "out.tar");
	const struct tu_tar_entry outer[] = {
	        {"manifest.json", 'f', "[{\"Config\": \"cfg.json\", \"Layers\": [\"l.tar\"]}]"},
	        {"cfg.json", 'f', docker_config},
	        {"l.tar", 'l', "/etc/passwd"},
	};
	TU_MAKE_TAR(tar, ARCHIVE_FILTER_NONE, outer);
	expect_refused(f, tar, "l.tar: a symlink leads out of the archive");
	free(tar);
}

static void test_import_archive_malformed(void **state)
{
	struct tu_fix *f = *state;
	static const struct {
		const char *manifest, *config, *want;
	} cases[] = {
	        {"[{\"Config\": 5, \"Layers\": \"x\"}]", docker_config,
	         "manifest.json: \"Config\" must name a file in the archive"},
	        {"[{\"Config\": \"cfg.json\", \"Layers\": []}]", docker_config,
	         "manifest.json: \"Layers\" must list 1 to 500 files"},
	        {"[{\"Config\": \"../../etc/passwd\", \"Layers\": [\"l1/layer.tar\"]}]",
	         docker_config, "manifest.json: \"Config\" must name a file in the archive"},
	        {"[{\"Config\": \"cfg.json\", \"Layers\": [\"l1/layer.tar\", \"/etc/x\"]}]",
	         docker_config, "manifest.json: \"Layers\" item 2 must name a file in the archive"},
	        {"[]", docker_config, "manifest.json: not an array of images"},
	        {good_manifest, "{\"config\": {\"Cmd\": [1]}}",
	         "cfg.json: \"config.Cmd\" must be an array of strings"},
	        {good_manifest, "{\"config\": ", "cfg.json: line 1: "},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *tar = docker_archive(f, "bad", cases[i].manifest, cases[i].config, layer2,
		                           sizeof(layer2) / sizeof(layer2[0]));
		expect_refused(f, tar, cases[i].want);
		free(tar);
	}
}

/* ---- not an image archive ----------------------------------------------------------- */

static void test_import_rootfs_with_manifest_file(void **state)
{
	struct tu_fix *f = *state;
	static const struct tu_tar_entry rootfs[] = {
	        {"bin/", 'd', NULL},
	        {"bin/busybox", 'H', "/bin/busybox"},
	        {"bin/sh", 'l', "busybox"},
	        {"app/", 'd', NULL},
	        {"app/manifest.json", 'f', good_manifest},
	        /* A web app's manifest at the top: an object, not an image list. */
	        {"manifest.json", 'f', "{\"name\": \"pwa\"}"},
	        {"index.json", 'f', "{}"},
	};
	char *tar = tu_work_path(f, "rootfs.tar");
	TU_MAKE_TAR(tar, ARCHIVE_FILTER_NONE, rootfs);
	import_ok(f, "plain", tar);
	json_t *j = inspect(f, "plain");
	assert_int_equal(json_array_size(json_object_get(j, "layers")), 1);
	json_decref(j);
	run_expect(f,
	           (const char *[]){"run", "--rm", "plain", "sh", "-c",
	                            "cat /manifest.json; test -f /app/manifest.json && echo kept",
	                            NULL},
	           "{\"name\": \"pwa\"}kept\n");
	free(tar);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	        T(test_import_docker_save),
	        T(test_import_docker_empty_layer),
	        T(test_import_docker_linked_layer),
	        T(test_import_oci_layout),
	        T(test_import_archive_missing_layer),
	        T(test_import_archive_layer_escapes),
	        T(test_import_archive_symlink_out),
	        T(test_import_archive_malformed),
	        T(test_import_rootfs_with_manifest_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
