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

/* "sha256:<hex>" of the file at path (caller frees). */
static char *sha256_of(const char *path)
{
	struct tu_out o = {0};
	assert_int_equal(tu_sh(&o, "sha256sum '%s' | cut -c1-64", path), 0);
	o.out[strcspn(o.out, "\n")] = '\0';
	assert_int_equal(strlen(o.out), 64);
	char *d = NULL;
	assert_true(asprintf(&d, "sha256:%s", o.out) > 0);
	tu_out_free(&o);
	return d;
}

/* Changes one byte of the file at path: at offset pos, or (pos < 0) at
 * size + pos. */
static void flip_byte(const char *path, long pos)
{
	assert_int_equal(tu_sh(NULL,
	                       "f='%s'; p=%ld; [ $p -lt 0 ] && p=$(( $(stat -c %%s \"$f\") + p )); "
	                       "b=$(od -An -tu1 -j$p -N1 \"$f\" | tr -d ' '); "
	                       "printf \"\\$(printf %%o $(( (b + 1) %% 256 )))\" | "
	                       "dd of=\"$f\" bs=1 seek=$p conv=notrunc 2>/dev/null",
	                       path, pos),
	                 0);
}

/* config with its "diff_ids": [] filled with the digests of t1 and t2. */
static char *with_diff_ids(const char *config, const char *t1, const char *t2)
{
	const char *hole = strstr(config, "\"diff_ids\": []");
	if (hole == NULL)
		return strdup(config);
	char *d1 = sha256_of(t1), *d2 = sha256_of(t2), *out = NULL;
	assert_true(asprintf(&out, "%.*s\"diff_ids\": [\"%s\", \"%s\"]%s", (int)(hole - config),
	                     config, d1, d2, hole + strlen("\"diff_ids\": []")) > 0);
	free(d1);
	free(d2);
	return out;
}

/* A docker-save archive at work/NAME.tar with the given manifest.json and
 * config (its diff_ids filled in), holding the layers l1/layer.tar and
 * l2/layer.tar; with tamper, one byte of l2/layer.tar changes after its
 * digest was written (at offset tamper, or from the end when < 0). */
static char *docker_archive_t(const struct tu_fix *f, const char *name, const char *manifest,
                              const char *config, const struct tu_tar_entry *l2, size_t n2,
                              long tamper)
{
	char *t1 = tu_work_path(f, "layer1.tar"), *t2 = tu_work_path(f, "layer2.tar"), *out = NULL;
	tu_make_tar(t1, ARCHIVE_FILTER_NONE, layer1, sizeof(layer1) / sizeof(layer1[0]));
	tu_make_tar(t2, ARCHIVE_FILTER_NONE, l2, n2);
	char *cfg = with_diff_ids(config, t1, t2);
	if (tamper)
		flip_byte(t2, tamper);
	assert_true(asprintf(&out, "%s/%s.tar", f->work, name) > 0);
	const struct tu_tar_entry outer[] = {
	        {"manifest.json", 'f', manifest}, {"cfg.json", 'f', cfg},
	        {"repositories", 'f', "{}"},      {"l1/", 'd', NULL},
	        {"l1/layer.tar", 'H', t1},        {"l2/", 'd', NULL},
	        {"l2/layer.tar", 'H', t2},
	};
	TU_MAKE_TAR(out, ARCHIVE_FILTER_NONE, outer);
	free(t1);
	free(t2);
	free(cfg);
	return out;
}

static char *docker_archive(const struct tu_fix *f, const char *name, const char *manifest,
                            const char *config, const struct tu_tar_entry *l2, size_t n2)
{
	return docker_archive_t(f, name, manifest, config, l2, n2, 0);
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
	char *cfg = with_diff_ids(docker_config, t1, t1);
	const struct tu_tar_entry outer[] = {
	        {"manifest.json", 'f', good_manifest},
	        {"cfg.json", 'f', cfg},
	        {"l1/", 'd', NULL},
	        {"l1/layer.tar", 'H', t1},
	        {"l2/", 'd', NULL},
	        {"l2/layer.tar", 'l', "../l1/layer.tar"},
	};
	TU_MAKE_TAR(tar, ARCHIVE_FILTER_NONE, outer);
	free(cfg);
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
 * Entrypoint and a Cmd; with tamper, one byte of the layer blob changes
 * after it was named by its digest (*layer_hex, when not NULL, gets the
 * digest's hex). */
static char *oci_archive_t(const struct tu_fix *f, long tamper, char **layer_hex)
{
	char *layer = tu_work_path(f, "l.tar.gz");
	tu_make_tar(layer, ARCHIVE_FILTER_GZIP, layer1, sizeof(layer1) / sizeof(layer1[0]));
	free(layer);
	char *lh = to_blob(f, "l.tar.gz");
	if (tamper) {
		char *blob = NULL;
		assert_true(asprintf(&blob, "%s/oci/blobs/sha256/%s", f->work, lh) > 0);
		flip_byte(blob, tamper);
		free(blob);
	}
	if (layer_hex)
		*layer_hex = strdup(lh);
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

static char *oci_archive(const struct tu_fix *f)
{
	return oci_archive_t(f, 0, NULL);
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
	        {"cfg.json", 'f',
	         "{\"rootfs\": {\"diff_ids\": [\"sha256:"
	         "0000000000000000000000000000000000000000000000000000000000000000\"]}}"},
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

/* ---- digests ---------------------------------------------------------------------- */

/* A changed byte of a docker-save layer (in its end padding, where
 * extraction cannot notice; in a header, where it fails) is refused with
 * both digests. */
static void test_import_docker_tampered_layer(void **state)
{
	struct tu_fix *f = *state;
	static const long where[] = {-1, 700};
	for (size_t i = 0; i < 2; i++) {
		char *tar = docker_archive_t(f, "tampered", good_manifest, docker_config, layer2,
		                             sizeof(layer2) / sizeof(layer2[0]), where[i]);
		char *t2 = tu_work_path(f, "layer2.tar");
		char *got = sha256_of(t2);
		char want[512];
		snprintf(want, sizeof(want),
		         "l2/layer.tar: digest mismatch: the archive names sha256:");
		expect_refused(f, tar, want);
		snprintf(want, sizeof(want), ", its content is %s\n", got);
		struct tu_out o = {0};
		assert_int_equal(tu_berthl(&o, f->root, "image", "import", "bad", tar, NULL), 125);
		assert_non_null(strstr(o.err, want));
		/* The two digests differ. */
		const char *named = strstr(o.err, "names sha256:") + 6;
		assert_int_not_equal(strncmp(named, got, 71), 0);
		tu_out_free(&o);
		assert_int_equal(tu_count("ls '%s/images' | wc -l", f->root), 0);
		free(got);
		free(t2);
		free(tar);
	}
}

static void test_import_oci_tampered_layer(void **state)
{
	struct tu_fix *f = *state;
	char *lh = NULL;
	char *tar = oci_archive_t(f, 200, &lh);
	char *blob = NULL;
	assert_true(asprintf(&blob, "%s/oci/blobs/sha256/%s", f->work, lh) > 0);
	char *got = sha256_of(blob);
	char want[512];
	snprintf(want, sizeof(want),
	         "blobs/sha256/%s: digest mismatch: the archive names sha256:%s, its content is %s",
	         lh, lh, got);
	expect_refused(f, tar, want);
	free(got);
	free(blob);
	free(lh);
	free(tar);
}

/* A docker-save config named by its digest (HEX.json, as docker writes
 * it) is checked against it. */
static void test_import_docker_config_digest(void **state)
{
	struct tu_fix *f = *state;
	char *t1 = tu_work_path(f, "layer1.tar"), *tar = tu_work_path(f, "cfg.tar");
	tu_make_tar(t1, ARCHIVE_FILTER_NONE, layer1, sizeof(layer1) / sizeof(layer1[0]));
	char *cfg = with_diff_ids(docker_config, t1, t1);
	static const char hex[] =
	        "00000000000000000000000000000000000000000000000000000000000000aa";
	char manifest[512], name[128];
	snprintf(name, sizeof(name), "%s.json", hex);
	snprintf(manifest, sizeof(manifest),
	         "[{\"Config\": \"%s\", \"Layers\": [\"l1/layer.tar\", \"l1/layer.tar\"]}]", name);
	const struct tu_tar_entry outer[] = {
	        {"manifest.json", 'f', manifest},
	        {name, 'f', cfg},
	        {"l1/", 'd', NULL},
	        {"l1/layer.tar", 'H', t1},
	};
	TU_MAKE_TAR(tar, ARCHIVE_FILTER_NONE, outer);
	char want[256];
	snprintf(want, sizeof(want), "%s: digest mismatch: the archive names sha256:%s", name, hex);
	expect_refused(f, tar, want);
	free(cfg);
	free(t1);
	free(tar);
}

/* A manifest.json that is there but truncated (or holds a NUL) is an
 * error: never imported as a root filesystem holding manifest.json. */
static void test_import_truncated_manifest(void **state)
{
	struct tu_fix *f = *state;
	static const struct tu_tar_entry bad[][3] = {
	        {{"bin/", 'd', NULL},
	         {"bin/busybox", 'H', "/bin/busybox"},
	         {"manifest.json", 'f', "[{\"Config\": \"cfg.json\", \"Layers\": [\"l1/la"}},
	        {{"bin/", 'd', NULL},
	         {"bin/busybox", 'H', "/bin/busybox"},
	         {"index.json", 'f', "{\"schemaVersion\": 2, \"manifests\": [{\"dig"}},
	};
	static const char *const want[] = {"manifest.json: line 1: ", "index.json: line 1: "};
	for (size_t i = 0; i < 2; i++) {
		char *tar = tu_work_path(f, "trunc.tar");
		tu_make_tar(tar, ARCHIVE_FILTER_NONE, bad[i], 3);
		expect_refused(f, tar, want[i]);
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
	        T(test_import_docker_tampered_layer),
	        T(test_import_oci_tampered_layer),
	        T(test_import_docker_config_digest),
	        T(test_import_truncated_manifest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
