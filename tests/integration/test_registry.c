/* Integration tests of pull and push (root) against Debian's docker-registry
 * on a free loopback port, with htpasswd auth (bcrypt) and a temporary
 * storage folder: a three-layer image the test builds (busybox; a layer
 * deleting and replacing files; a layer for a config with ENV, WORKDIR,
 * CMD) is put there with skopeo; then login, pull, run, a second pull that
 * downloads nothing, push of a committed container checked by skopeo and
 * podman, a tampered blob, and a registry killed mid-pull.  The registry
 * (plain http: htpasswd works without TLS in distribution 2.8, and
 * 127.0.0.1 is insecure by default) is killed by its pid in the group
 * teardown, whatever failed. */
#include <archive.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/digest.h"
#include "testutil.h"
#include "tu_tar.h"

static char *dir;  /* scratch: registry storage, config, archives, XDG config */
static char *root; /* berth's root */
static int port;
static pid_t reg_pid = -1;
static char reg[64]; /* "127.0.0.1:PORT" */

/* ---- the registry ----------------------------------------------------------------- */

static int free_port(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &len), 0);
	close(s);
	return ntohs(a.sin_port);
}

static bool port_open(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_port = htons((uint16_t)port),
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	bool ok = connect(s, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(s);
	return ok;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static void registry_start(void)
{
	char cfg[512], log[512];
	snprintf(cfg, sizeof(cfg), "%s/registry.yml", dir);
	snprintf(log, sizeof(log), "%s/registry.log", dir);
	reg_pid = fork();
	assert_true(reg_pid >= 0);
	if (reg_pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		dup2(fd, 1);
		dup2(fd, 2);
		execlp("docker-registry", "docker-registry", "serve", cfg, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200 && !port_open(); i++)
		sleep_ms(25);
	assert_true(port_open());
}

static void registry_kill(void)
{
	if (reg_pid > 0) {
		kill(reg_pid, SIGKILL);
		tu_wait_status(reg_pid);
	}
	reg_pid = -1;
}

static void write_config(void)
{
	char path[512], text[2048];
	snprintf(path, sizeof(path), "%s/registry.yml", dir);
	snprintf(text, sizeof(text),
	         "version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n"
	         "    rootdirectory: %s/storage\n  delete:\n    enabled: true\n"
	         "http:\n  addr: 127.0.0.1:%d\nauth:\n  htpasswd:\n    realm: berth-test\n"
	         "    path: %s/htpasswd\n",
	         dir, port, dir);
	tu_write(path, text);
	assert_int_equal(tu_sh(NULL, "htpasswd -Bbn tester s3cret > %s/htpasswd", dir), 0);
}

/* ---- the test image ---------------------------------------------------------------- */

static const struct tu_tar_entry layer1[] = {
        {"bin/", 'd', NULL},
        {"bin/busybox", 'H', "/bin/busybox"},
        {"bin/sh", 'l', "busybox"},
        {"bin/ls", 'l', "busybox"},
        {"bin/cat", 'l', "busybox"},
        {"bin/echo", 'l', "busybox"},
        {"bin/sha256sum", 'l', "busybox"},
        {"bin/test", 'l', "busybox"},
        {"bin/pwd", 'l', "busybox"},
        {"etc/", 'd', NULL},
        {"etc/motd", 'f', "old motd\n"},
        {"gone/", 'd', NULL},
        {"gone/a", 'f', "a\n"},
        {"deleted", 'f', "old\n"},
};
/* Deletes /deleted and /gone, replaces /etc/motd. */
static const struct tu_tar_entry layer2[] = {
        {".wh.deleted", 'f', ""},
        {".wh.gone", 'f', ""},
        {"etc/", 'd', NULL},
        {"etc/motd", 'f', "new motd\n"},
};
static const struct tu_tar_entry layer3[] = {
        {"srv/", 'd', NULL},
        {"srv/app/", 'd', NULL},
        {"srv/app/run.sh", 'f',
         "echo \"$GREETING from $(pwd)\"\ncat /etc/motd\n"
         "test -e /deleted || echo deleted-absent\n"
         "test -e /gone || echo gone-absent\n"},
};

static void diff_id(const char *path, char out[DIGEST_STR_MAX])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(digest_sha256_fd(fd, path, out, NULL), 0);
	close(fd);
}

/* A docker-save archive of the three layers with the config. */
static void build_archive(const char *out)
{
	char t[3][512], d[3][DIGEST_STR_MAX];
	const struct tu_tar_entry *ls[] = {layer1, layer2, layer3};
	size_t ns[] = {sizeof(layer1) / sizeof(layer1[0]), sizeof(layer2) / sizeof(layer2[0]),
	               sizeof(layer3) / sizeof(layer3[0])};
	for (int i = 0; i < 3; i++) {
		snprintf(t[i], sizeof(t[i]), "%s/layer%d.tar", dir, i + 1);
		tu_make_tar(t[i], ARCHIVE_FILTER_NONE, ls[i], ns[i]);
		diff_id(t[i], d[i]);
	}
	char config[2048];
	snprintf(config, sizeof(config),
	         "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":"
	         "[\"PATH=/bin\",\"GREETING=hello\"],\"WorkingDir\":\"/srv/app\",\"Cmd\":"
	         "[\"sh\",\"run.sh\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":"
	         "[\"%s\",\"%s\",\"%s\"]}}",
	         d[0], d[1], d[2]);
	const char *manifest = "[{\"Config\":\"cfg.json\",\"RepoTags\":[\"app:v1\"],\"Layers\":"
	                       "[\"l1/layer.tar\",\"l2/layer.tar\",\"l3/layer.tar\"]}]";
	const struct tu_tar_entry outer[] = {
	        {"manifest.json", 'f', manifest},
	        {"cfg.json", 'f', config},
	        {"l1/", 'd', NULL},
	        {"l1/layer.tar", 'H', t[0]},
	        {"l2/", 'd', NULL},
	        {"l2/layer.tar", 'H', t[1]},
	        {"l3/", 'd', NULL},
	        {"l3/layer.tar", 'H', t[2]},
	};
	TU_MAKE_TAR(out, ARCHIVE_FILTER_NONE, outer);
}

static int group_setup(void **state)
{
	(void)state;
	if (!tu_is_root() || access("/bin/busybox", X_OK) < 0)
		return 0;
	if (tu_sh(NULL, "command -v docker-registry && command -v skopeo && command -v htpasswd") !=
	    0)
		return 0;
	dir = tu_root_new();
	root = tu_root_new();
	port = free_port();
	snprintf(reg, sizeof(reg), "127.0.0.1:%d", port);
	write_config();
	char cfgdir[512];
	snprintf(cfgdir, sizeof(cfgdir), "%s/xdg", dir);
	setenv("XDG_CONFIG_HOME", cfgdir, 1);
	snprintf(cfgdir, sizeof(cfgdir), "%s/docker", dir);
	setenv("DOCKER_CONFIG", cfgdir, 1); /* never the host's credentials */
	snprintf(cfgdir, sizeof(cfgdir), "%s/docker/config.json", dir);
	tu_write(cfgdir, "{\"auths\": {}}\n");
	registry_start();
	char archive[512];
	snprintf(archive, sizeof(archive), "%s/app.tar", dir);
	build_archive(archive);
	struct tu_out o = {0};
	int rc = tu_sh(&o,
	               "skopeo copy -q --dest-tls-verify=false --dest-creds tester:s3cret "
	               "docker-archive:%s docker://%s/test/app:v1 2>&1",
	               archive, reg);
	if (rc != 0)
		fprintf(stderr, "skopeo copy failed: %s\n", o.out);
	tu_out_free(&o);
	assert_int_equal(rc, 0);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	registry_kill();
	if (dir) {
		tu_sh(NULL,
		      "podman --root %s/podroot --runroot %s/podrun --storage-driver vfs "
		      "rmi -a -f >/dev/null 2>&1",
		      dir, dir);
		tu_root_remove(dir);
		/* podman's cgroups for the container ran in test_push_committed */
		tu_sh(NULL,
		      "for c in /sys/fs/cgroup/*/berth-test-podman-%d; do "
		      "[ -d $c/conmon ] && rmdir $c/conmon; [ -d $c ] && rmdir $c; done; true",
		      port);
	}
	tu_root_remove(root);
	free(dir);
	free(root);
	return 0;
}

static void need_registry(void)
{
	if (dir == NULL) {
		fprintf(stderr, "skipped: needs root, /bin/busybox, docker-registry, skopeo, "
		                "htpasswd\n");
		skip();
	}
}

/* ---- tests ------------------------------------------------------------------------ */

static char *ref(const char *repo)
{
	char *r = NULL;
	assert_true(asprintf(&r, "%s/%s", reg, repo) > 0);
	return r;
}

static int count_str(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

static int count_layers(const char *r)
{
	return tu_count("ls %s/layers 2>/dev/null | wc -l", r);
}

static void login(void)
{
	struct tu_out o = {0};
	const char *argv[] = {"login", "-u", "tester", "--password-stdin", reg, NULL};
	int rc = tu_berth_in(&o, root, "s3cret\n", argv);
	if (rc != 0)
		fprintf(stderr, "%s", o.err);
	assert_int_equal(rc, 0);
	tu_out_free(&o);
}

static void test_pull_without_login_fails(void **state)
{
	(void)state;
	need_registry();
	char *r = ref("test/app:v1");
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, root, "pull", r, NULL), 125);
	assert_non_null(strstr(o.err, "login needed"));
	assert_non_null(strstr(o.err, "test/app"));
	assert_non_null(strstr(o.err, "401"));
	assert_null(strchr(strchr(o.err, '\n') + 1, '\n')); /* one line */
	tu_out_free(&o);
	assert_int_equal(tu_count("ls %s/images | wc -l", root), 0);
	assert_int_equal(count_layers(root), 0);
	free(r);
}

static void test_login_pull_run(void **state)
{
	(void)state;
	need_registry();
	/* A wrong password is refused and stores nothing. */
	struct tu_out o = {0};
	const char *bad[] = {"login", "-u", "tester", "--password-stdin", reg, NULL};
	assert_int_equal(tu_berth_in(&o, root, "wrong\n", bad), 125);
	tu_out_free(&o);
	assert_int_equal(tu_count("ls %s/xdg/berth/auth.json 2>/dev/null | wc -l", dir), 0);
	login();
	assert_int_equal(tu_count("stat -c %%a %s/xdg/berth/auth.json | grep -c '^600$'", dir), 1);
	char *r = ref("test/app:v1");
	assert_int_equal(tu_berthl(&o, root, "pull", r, NULL), 0);
	assert_string_equal(o.out, "app_v1\n");
	assert_int_equal(count_str(o.err, "downloaded"), 3);
	tu_out_free(&o);
	assert_int_equal(count_layers(root), 3);
	assert_int_equal(tu_berthl(&o, root, "run", "--rm", "app_v1", NULL), 0);
	assert_string_equal(o.out, "hello from /srv/app\nnew motd\ndeleted-absent\ngone-absent\n");
	tu_out_free(&o);
	assert_int_equal(tu_count("ls %s/registry/blobs | wc -l", root), 0);
	free(r);
}

static void test_second_pull_downloads_nothing(void **state)
{
	(void)state;
	need_registry();
	char *r = ref("test/app:v1");
	struct tu_out o = {0};
	int before = tu_count("grep -c 'GET /v2/test/app/blobs' %s/registry.log", dir);
	assert_int_equal(tu_berthl(&o, root, "pull", r, NULL), 0);
	assert_null(strstr(o.err, "download"));
	assert_int_equal(count_str(o.err, "already here"), 3);
	tu_out_free(&o);
	/* The only blob read is the config (to know the diff ids). */
	int after = tu_count("grep -c 'GET /v2/test/app/blobs' %s/registry.log", dir);
	assert_int_equal(after - before, 1);
	assert_int_equal(count_layers(root), 3);
	free(r);
}

#define PODMAN "podman --root %s/podroot --runroot %s/podrun --storage-driver vfs "

/* berth push of a committed container: skopeo inspects it, podman pulls
 * and runs it (runc with the cgroupfs manager: podman's crun refuses this
 * hybrid host, and runc needs rlimits this host allows; the cgroups go
 * under a parent of the test's own, removed after), and berth pulls
 * it back into a fresh root with the same content. */
static void test_push_committed(void **state)
{
	(void)state;
	need_registry();
	struct tu_out o = {0};
	TU_OK(root, "run", "--name", "c1", "app_v1", "sh", "-c", "echo pushed-data > /srv/new");
	TU_OK(root, "commit", "c1", "app2");
	char *r = ref("test/pushed:v2");
	assert_int_equal(tu_berthl(&o, root, "push", "app2", r, NULL), 0);
	assert_int_equal(strncmp(o.out, "sha256:", 7), 0);
	/* The three pulled layers are mounted from test/app; only the
	 * container's layer is uploaded. */
	assert_int_equal(count_str(o.err, ": exists"), 3);
	assert_int_equal(count_str(o.err, ": pushed"), 1);
	tu_out_free(&o);
	/* Pushing again moves no layer. */
	assert_int_equal(tu_berthl(&o, root, "push", "app2", r, NULL), 0);
	assert_null(strstr(o.err, "pushed"));
	tu_out_free(&o);
	assert_int_equal(tu_sh(&o,
	                       "skopeo inspect --tls-verify=false --creds tester:s3cret "
	                       "--format '{{len .Layers}} {{.Os}}' docker://%s",
	                       r),
	                 0);
	assert_string_equal(o.out, "4 linux\n");
	tu_out_free(&o);
	int rc = tu_sh(&o,
	               "exec 2>&1; " PODMAN
	               "pull -q --tls-verify=false --creds tester:s3cret %s >/dev/null && " PODMAN
	               "--runtime runc --cgroup-manager cgroupfs run "
	               "--cgroup-parent /berth-test-podman-%d --rm --net none "
	               "--ulimit nofile=1024:1024 --ulimit nproc=1024:1024 %s cat /srv/new "
	               "/etc/motd 2>&1",
	               dir, dir, r, dir, dir, port, r);
	if (rc != 0)
		fprintf(stderr, "podman: %s\n", o.out);
	assert_int_equal(rc, 0);
	assert_string_equal(o.out, "pushed-data\nnew motd\n");
	tu_out_free(&o);
	/* Pulled back here: every layer is already held. */
	assert_int_equal(tu_berthl(&o, root, "pull", "--name", "back", r, NULL), 0);
	assert_int_equal(count_str(o.err, "already here"), 4);
	tu_out_free(&o);
	/* Into a fresh root: the same content. */
	char *fresh = tu_root_new();
	assert_int_equal(tu_berthl(&o, fresh, "pull", r, NULL), 0);
	tu_out_free(&o);
	assert_int_equal(tu_berthl(&o, fresh, "run", "--rm", "pushed_v2", "sh", "-c",
	                           "cat /srv/new; sh run.sh", NULL),
	                 0);
	assert_string_equal(o.out, "pushed-data\nhello from /srv/app\nnew motd\ndeleted-absent\n"
	                           "gone-absent\n");
	tu_out_free(&o);
	tu_root_remove(fresh);
	free(fresh);
	TU_OK(root, "rm", "c1");
	free(r);
}

/* tag, history, save (both formats, the same bytes twice), load. */
static void test_tag_history_save_load(void **state)
{
	(void)state;
	need_registry();
	struct tu_out o = {0};
	TU_OK(root, "image", "tag", "app_v1", "app_copy");
	assert_int_equal(tu_berthl(&o, root, "image", "tag", "app_v1", "app_copy", NULL), 125);
	tu_out_free(&o);
	assert_int_equal(tu_berthl(&o, root, "image", "history", "app_copy", NULL), 0);
	assert_int_equal(count_str(o.out, " pull "), 3);
	assert_int_equal(count_str(o.out, "sha256:"), 3);
	tu_out_free(&o);
	char oci[512], oci2[512], dock[512];
	snprintf(oci, sizeof(oci), "%s/app.oci.tar", dir);
	snprintf(oci2, sizeof(oci2), "%s/app2.oci.tar", dir);
	snprintf(dock, sizeof(dock), "%s/app.docker.tar", dir);
	TU_OK(root, "image", "save", "app_copy", oci);
	TU_OK(root, "image", "save", "app_copy", oci2);
	TU_OK(root, "image", "save", "--format", "docker-archive", "app_copy", dock);
	assert_int_equal(tu_sh(NULL, "cmp -s %s %s", oci, oci2), 0);
	assert_int_equal(tu_sh(&o,
	                       "skopeo inspect --format '{{len .Layers}}' oci-archive:%s && "
	                       "skopeo inspect --format '{{len .Layers}}' docker-archive:%s",
	                       oci, dock),
	                 0);
	assert_string_equal(o.out, "3\n3\n");
	tu_out_free(&o);
	TU_OK(root, "image", "load", "-q", oci, "app_oci");
	TU_OK(root, "image", "load", "-q", dock, "app_docker");
	for (int i = 0; i < 2; i++) {
		assert_int_equal(
		        tu_berthl(&o, root, "run", "--rm", i ? "app_oci" : "app_docker", NULL), 0);
		assert_string_equal(o.out,
		                    "hello from /srv/app\nnew motd\ndeleted-absent\ngone-absent\n");
		tu_out_free(&o);
	}
	TU_OK(root, "image", "rm", "app_copy", "app_oci", "app_docker");
}

/* The blob path of the layer digest in the registry's storage. */
static char *blob_data(const char *digest)
{
	char *p = NULL;
	assert_true(asprintf(&p, "%s/storage/docker/registry/v2/blobs/sha256/%.2s/%s/data", dir,
	                     digest + 7, digest + 7) > 0);
	return p;
}

/* A layer digest of repo (index from the bottom), from skopeo. */
static char *layer_digest(const char *repo, int index)
{
	struct tu_out o = {0};
	assert_int_equal(tu_sh(&o,
	                       "skopeo inspect --tls-verify=false --creds tester:s3cret "
	                       "--format '{{index .Layers %d}}' docker://%s/%s",
	                       index, reg, repo),
	                 0);
	o.out[strcspn(o.out, "\n")] = '\0';
	char *d = strdup(o.out);
	tu_out_free(&o);
	return d;
}

static void test_tampered_blob_refused(void **state)
{
	(void)state;
	need_registry();
	char *digest = layer_digest("test/app:v1", 2);
	char *data = blob_data(digest);
	assert_int_equal(tu_sh(NULL,
	                       "cp %s %s/saved && printf X | dd of=%s bs=1 seek=40 "
	                       "conv=notrunc 2>/dev/null",
	                       data, dir, data),
	                 0);
	char *fresh = tu_root_new();
	char *r = ref("test/app:v1");
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, fresh, "pull", r, NULL), 125);
	assert_non_null(strstr(o.err, "digest mismatch"));
	assert_non_null(strstr(o.err, digest));
	assert_non_null(strstr(o.err, "got sha256:"));
	tu_out_free(&o);
	assert_int_equal(tu_count("ls %s/images | wc -l", fresh), 0);
	assert_int_equal(count_layers(fresh), 0);
	assert_int_equal(tu_count("ls %s/registry/blobs | grep -v partial | wc -l", fresh), 0);
	assert_int_equal(tu_sh(NULL, "cp %s/saved %s", dir, data), 0);
	tu_root_remove(fresh);
	free(fresh);
	free(r);
	free(data);
	free(digest);
}

static pid_t spawn_pull(const char *in_root, const char *r, const char *out)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		dup2(fd, 2);
		execl(tu_berth_bin(), "berth", "--root", in_root, "pull", "--limit-rate", "4000000",
		      "--name", "big", r, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static long long partial_bytes_in(const char *in_root)
{
	return tu_count("cat %s/registry/blobs/*.partial 2>/dev/null | wc -c", in_root);
}

static long long partial_bytes(void)
{
	return partial_bytes_in(root);
}

/* A 24 MB layer pulled at 4 MB/s; the registry is killed (by its pid) once
 * some MB arrived, the pull fails keeping the partial blob; the registry is
 * started again and the next pull resumes with a Range request. */
static void test_killed_registry_resume(void **state)
{
	(void)state;
	need_registry();
	char tarp[512], arch[512];
	snprintf(tarp, sizeof(tarp), "%s/big.tar", dir);
	snprintf(arch, sizeof(arch), "%s/big-image.tar", dir);
	const struct tu_tar_entry big[] = {{"big", 'F', NULL, 24u << 20}};
	TU_MAKE_TAR(tarp, ARCHIVE_FILTER_NONE, big);
	char d[DIGEST_STR_MAX], config[1024];
	diff_id(tarp, d);
	snprintf(config, sizeof(config),
	         "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":"
	         "{\"type\":\"layers\",\"diff_ids\":[\"%s\"]}}",
	         d);
	const struct tu_tar_entry outer[] = {
	        {"manifest.json", 'f',
	         "[{\"Config\":\"c.json\",\"RepoTags\":[\"big:1\"],\"Layers\":[\"b.tar\"]}]"},
	        {"c.json", 'f', config},
	        {"b.tar", 'H', tarp},
	};
	TU_MAKE_TAR(arch, ARCHIVE_FILTER_NONE, outer);
	assert_int_equal(tu_sh(NULL,
	                       "skopeo copy -q --dest-tls-verify=false --dest-creds tester:s3cret "
	                       "--dest-compress-format gzip --dest-compress-level 1 "
	                       "docker-archive:%s docker://%s/test/big:1",
	                       arch, reg),
	                 0);
	char *r = ref("test/big:1");
	char out[512];
	snprintf(out, sizeof(out), "%s/pull.out", dir);
	pid_t pid = spawn_pull(root, r, out);
	for (int i = 0; i < 400 && partial_bytes() < (4 << 20); i++)
		sleep_ms(25);
	long long got = partial_bytes();
	registry_kill();
	assert_true(got >= (4 << 20));
	assert_int_equal(tu_wait_status(pid), 125);
	char *text = tu_read(out);
	assert_non_null(strstr(text, "kept for the next pull"));
	free(text);
	assert_true(partial_bytes() > 0);
	assert_int_equal(tu_count("ls %s/images | grep -c '^big'", root), 0);
	registry_start();
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, root, "pull", "--name", "big", r, NULL), 0);
	assert_non_null(strstr(o.err, "resuming at"));
	tu_out_free(&o);
	assert_int_equal(tu_sh(&o,
	                       "sha256sum %s/layers/$(ls -t %s/layers | head -1)/diff/big "
	                       "| cut -c1-64; tar -xOf %s big | sha256sum | cut -c1-64",
	                       root, root, tarp),
	                 0);
	assert_int_equal(strncmp(o.out, o.out + 65, 64), 0);
	tu_out_free(&o);
	assert_int_equal(tu_count("ls %s/registry/blobs | wc -l", root), 0);
	free(r);
}

/* SIGINT during a pull: exit 125 "interrupted", nothing registered, the
 * partial blob kept for the next pull. */
static void test_interrupted_pull(void **state)
{
	(void)state;
	need_registry();
	char *fresh = tu_root_new();
	char *r = ref("test/big:1");
	char out[512];
	snprintf(out, sizeof(out), "%s/pull-int.out", dir);
	pid_t pid = spawn_pull(fresh, r, out);
	for (int i = 0; i < 400 && partial_bytes_in(fresh) < (1 << 20); i++)
		sleep_ms(25);
	kill(pid, SIGINT);
	assert_int_equal(tu_wait_status(pid), 125);
	char *text = tu_read(out);
	assert_non_null(strstr(text, "interrupted"));
	free(text);
	assert_int_equal(tu_count("ls %s/images | wc -l", fresh), 0);
	assert_int_equal(count_layers(fresh), 0);
	assert_true(partial_bytes_in(fresh) > 0);
	tu_root_remove(fresh);
	free(fresh);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_pull_without_login_fails),
	        cmocka_unit_test(test_login_pull_run),
	        cmocka_unit_test(test_second_pull_downloads_nothing),
	        cmocka_unit_test(test_push_committed),
	        cmocka_unit_test(test_tag_history_save_load),
	        cmocka_unit_test(test_tampered_blob_refused),
	        cmocka_unit_test(test_killed_registry_resume),
	        cmocka_unit_test(test_interrupted_pull),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
