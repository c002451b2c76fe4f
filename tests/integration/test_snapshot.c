/* Integration tests of snapshots on the real kernel, through the berth
 * binary: rollback restores the exact tree (through a real overlay mount),
 * the snapshot tree, snapshot rm, live snapshots, diff, commit, bad input. */
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "berth.h"
#include "testutil.h"
#include "tu_tree.h"

#define OK(...) TU_OK(tu_demo_root, __VA_ARGS__)

/* Runs a shell script inside running container name. */
static void sh_in(const char *name, const char *script)
{
	OK("exec", name, "sh", "-c", script);
}

static void make_ct(const char *name)
{
	OK("create", "--name", name, "demo", "sleep", "100000");
}

static char *manifest(const char *name)
{
	char *m = tu_container_manifest(tu_demo_root, name);
	assert_non_null(m);
	return m;
}

static void assert_manifest(const char *name, const char *want)
{
	char *m = manifest(name);
	if (strcmp(m, want) != 0)
		tu_sh(NULL,
		      "echo '--- want' >&2; cat >&2 <<'EOF'\n%s\nEOF\necho '--- got' >&2; cat >&2 "
		      "<<'EOF'\n%s\nEOF",
		      want, m);
	assert_string_equal(m, want);
	free(m);
}

static void upper_path(char *buf, size_t len, const char *name, const char *rel)
{
	snprintf(buf, len, "%s/containers/%s/upper/%s", tu_demo_root, name, rel);
}

static void assert_no_orphans(void)
{
	char first[16];
	size_t n = tu_orphan_layers(tu_demo_root, first, sizeof(first));
	if (n)
		fprintf(stderr, "orphan layer %s (%zu)\n", first, n);
	assert_int_equal(n, 0);
}

/* ---- rollback restores the exact tree ----------------------------------------- */

static const char script_a[] =
        "mkdir -p /t/dir /t/opq /t/f2d && echo a > /t/f1 && chmod 640 /t/f1 && "
        "chown 1000:1000 /t/f1 && ln -s f1 /t/link && echo keep > /t/del_me && "
        "echo x > /t/dir/inner && echo 1 > /t/opq/a && echo 2 > /t/opq/b && rmdir /t/f2d && "
        "echo file > /t/f2d && mkfifo /t/fifo && chmod 4755 /t/dir";

static const char script_b[] =
        "rm /t/del_me && echo new > /t/created && rm -rf /t/dir && echo nowfile > /t/dir && "
        "rm /t/f2d && mkdir /t/f2d && echo in > /t/f2d/x && rm -rf /t/opq && mkdir /t/opq && "
        "echo c > /t/opq/c && chmod 600 /t/f1 && chown 0:0 /t/f1 && rm /t/link && "
        "ln -s elsewhere /t/link && rm -rf /etc && mkdir /etc && echo only > /etc/only && "
        "echo more >> /t/f1b";

static void test_rollback_restores_tree(void **state)
{
	(void)state;
	tu_need_demo_root();
	make_ct("rb");
	OK("start", "rb");
	sh_in("rb", script_a);
	OK("stop", "rb");
	OK("snapshot", "rb", "s0"); /* /t/opq and the rest now sit in a lower layer */
	OK("start", "rb");
	sh_in("rb", "echo b > /t/f1b");
	OK("stop", "rb");
	char p[4096];
	upper_path(p, sizeof(p), "rb", "t/f1b");
	assert_int_equal(lsetxattr(p, "user.k", "v1", 2, 0), 0);
	char *m1 = manifest("rb");
	assert_non_null(strstr(m1, "user.k=v1"));
	OK("snapshot", "rb", "s1");
	assert_manifest("rb", m1); /* a snapshot leaves the visible tree as it was */

	OK("start", "rb");
	sh_in("rb", script_b);
	OK("stop", "rb");
	/* The kernel made opaque directories in the upper. */
	upper_path(p, sizeof(p), "rb", "t/opq");
	char v[4] = "";
	assert_int_equal(lgetxattr(p, "trusted.overlay.opaque", v, sizeof(v)), 1);
	char *m2 = manifest("rb");
	assert_string_not_equal(m1, m2);
	OK("snapshot", "rb", "s2");

	OK("rollback", "rb", "s1");
	assert_manifest("rb", m1);
	assert_non_null(strstr(m1, "/t/del_me f"));
	assert_null(strstr(m1, "/t/created"));
	/* The container runs on the restored tree. */
	OK("start", "rb");
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, tu_demo_root, "exec", "rb", "sh", "-c",
	                           "cat /t/del_me; ls /t/opq; ls /etc | wc -l", NULL),
	                 0);
	assert_string_equal(o.out, "keep\na\nb\n4\n");
	tu_out_free(&o);
	/* Running: refused without --restart; with it, rolled back and running. */
	assert_int_equal(tu_berthl(&o, tu_demo_root, "rollback", "rb", "s2", NULL), 125);
	assert_non_null(strstr(o.err, "is running"));
	tu_out_free(&o);
	OK("rollback", "--restart", "-t", "0", "rb", "s2");
	assert_int_equal(tu_berthl(&o, tu_demo_root, "exec", "rb", "cat", "/etc/only", NULL), 0);
	assert_string_equal(o.out, "only\n");
	tu_out_free(&o);
	OK("stop", "rb");
	assert_manifest("rb", m2);
	OK("rollback", "rb", "s1");
	assert_manifest("rb", m1);
	free(m1);
	free(m2);
	OK("rm", "rb");
	assert_no_orphans();
}

/* ---- the snapshot tree ---------------------------------------------------------- */

static json_t *snapshots_json(const char *name)
{
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, tu_demo_root, "snapshots", "--json", name, NULL), 0);
	json_t *j = json_loads(o.out, 0, NULL);
	tu_out_free(&o);
	assert_true(json_is_array(j));
	return j;
}

static const char *field(json_t *arr, const char *snap, const char *key)
{
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *s = json_array_get(arr, i);
		if (strcmp(json_string_value(json_object_get(s, "name")), snap) == 0) {
			json_t *v = json_object_get(s, key);
			return json_is_string(v) ? json_string_value(v) : "";
		}
	}
	return NULL;
}

static char *change_and_snap(const char *name, const char *script, const char *snap)
{
	OK("start", name);
	sh_in(name, script);
	OK("stop", name);
	char *m = manifest(name);
	OK("snapshot", name, snap);
	return m;
}

static void test_snapshot_tree(void **state)
{
	(void)state;
	tu_need_demo_root();
	make_ct("tr");
	char *m1 = change_and_snap("tr", "echo 1 > /v", "S1");
	char *m2 = change_and_snap("tr", "echo 2 > /v; echo b > /b; rm /etc/hosts", "S2");
	OK("rollback", "tr", "S1");
	char *m3 = change_and_snap("tr", "echo 3 > /v; mkdir /c", "S3");
	const char *order[] = {"S2", "S1", "S3", "S2", "S1"};
	char *want[] = {m2, m1, m3, m2, m1};
	for (size_t i = 0; i < 5; i++) {
		OK("rollback", "tr", order[i]);
		assert_manifest("tr", want[i]);
	}
	json_t *j = snapshots_json("tr");
	assert_int_equal(json_array_size(j), 3);
	assert_string_equal(field(j, "S2", "parent"), "S1");
	assert_string_equal(field(j, "S3", "parent"), "S1");
	assert_string_equal(field(j, "S1", "parent"), "");
	json_decref(j);
	struct tu_out o = {0};
	setenv("LC_ALL", "C", 1); /* ASCII tree */
	assert_int_equal(tu_berthl(&o, tu_demo_root, "snapshots", "--tree", "tr", NULL), 0);
	unsetenv("LC_ALL");
	assert_non_null(strstr(o.out, "S1"));
	assert_non_null(strstr(o.out, "-- S2"));
	assert_non_null(strstr(o.out, "-- S3"));
	tu_out_free(&o);

	/* S1 is the base of S2 and S3: refused, naming them, nothing changed. */
	assert_int_equal(tu_berthl(&o, tu_demo_root, "snapshot", "rm", "tr", "S1", NULL), 125);
	assert_non_null(strstr(o.err, "S2, S3"));
	assert_ptr_equal(strchr(o.err, '\n'), o.err + strlen(o.err) - 1);
	tu_out_free(&o);
	j = snapshots_json("tr");
	assert_int_equal(json_array_size(j), 3);
	/* A leaf that is not the head: its layer goes. */
	char layer[64], dir[4096];
	snprintf(layer, sizeof(layer), "%s", field(j, "S2", "layer"));
	json_decref(j);
	snprintf(dir, sizeof(dir), "%s/layers/%s", tu_demo_root, layer);
	assert_true(access(dir, F_OK) == 0);
	OK("snapshot", "rm", "tr", "S2");
	assert_true(access(dir, F_OK) < 0);
	assert_no_orphans();
	/* --merge: the name goes, the layer stays inside S3's chain. */
	assert_int_equal(tu_berthl(&o, tu_demo_root, "snapshot", "rm", "--merge", "tr", "S1", NULL),
	                 0);
	assert_non_null(strstr(o.err, "S3"));
	tu_out_free(&o);
	j = snapshots_json("tr");
	assert_int_equal(json_array_size(j), 1);
	assert_string_equal(field(j, "S3", "parent"), "");
	json_decref(j);
	OK("rollback", "tr", "S3");
	assert_manifest("tr", m3);
	assert_no_orphans();
	OK("rm", "tr");
	assert_no_orphans();
	free(m1);
	free(m2);
	free(m3);
}

/* ---- snapshot of a running container -------------------------------------------- */

static json_t *inspect_state(const char *name)
{
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, tu_demo_root, "inspect", name, NULL), 0);
	json_t *j = json_loads(o.out, 0, NULL);
	tu_out_free(&o);
	json_t *st = json_incref(json_object_get(j, "state"));
	json_decref(j);
	assert_non_null(st);
	return st;
}

static long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* Every line is "line N xxx...", N counting from 1, the last one whole. */
static long check_lines(const char *text)
{
	long n = 0;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		assert_non_null(nl);
		char want[64];
		snprintf(want, sizeof(want), "line %ld ", n + 1);
		assert_memory_equal(p, want, strlen(want));
		assert_int_equal(nl - p, (long)strlen(want) + 40);
		n++;
		p = nl + 1;
	}
	return n;
}

static void test_snapshot_running(void **state)
{
	(void)state;
	tu_need_demo_root();
	OK("create", "--name", "w", "demo", "sh", "-c",
	   "i=0; while :; do i=$((i+1)); "
	   "echo \"line $i ........................................\" >> /log; done");
	OK("start", "w");
	char log[4096];
	upper_path(log, sizeof(log), "w", "log");
	for (int i = 0; i < 200 && file_size(log) < 20000; i++)
		usleep(10000);
	OK("snapshot", "w", "live1");
	json_t *st = inspect_state("w");
	assert_true(json_is_true(json_object_get(st, "running")));
	assert_false(json_is_true(json_object_get(st, "paused")));
	json_decref(st);
	/* Still writing after the snapshot. */
	long before = file_size(log);
	for (int i = 0; i < 200 && file_size(log) == before; i++)
		usleep(5000);
	assert_true(file_size(log) > before);
	json_t *j = snapshots_json("w");
	char path[4096];
	snprintf(path, sizeof(path), "%s/layers/%s/diff/log", tu_demo_root,
	         field(j, "live1", "layer"));
	json_decref(j);
	char *text = tu_read(path);
	assert_non_null(text);
	long lines = check_lines(text);
	assert_true(lines > 0);
	free(text);
	OK("stop", "-t", "0", "w");
	/* Rolled back, the container restarts on exactly that prefix. */
	OK("rollback", "w", "live1");
	char *m = tu_layer_manifest(tu_demo_root, field(j = snapshots_json("w"), "live1", "layer"));
	json_decref(j);
	assert_manifest("w", m);
	free(m);
	OK("rm", "-f", "w");
	assert_no_orphans();
}

/* ---- diff ---------------------------------------------------------------------------- */

static void assert_out(const char *want, const char **argv)
{
	struct tu_out o = {0};
	int r = tu_berth(&o, tu_demo_root, argv);
	if (r != 0 || strcmp(o.out, want) != 0)
		fprintf(stderr, "berth %s: exit %d\n--- want\n%s--- got\n%s%s", argv[0], r, want,
		        o.out, o.err);
	assert_int_equal(r, 0);
	assert_string_equal(o.out, want);
	tu_out_free(&o);
}
#define OUT(want, ...) assert_out(want, (const char *[]){__VA_ARGS__, NULL})

static void test_diff(void **state)
{
	(void)state;
	tu_need_demo_root();
	make_ct("df");
	OK("start", "df");
	sh_in("df", "echo a > /new; rm /etc/group; echo x >> /etc/passwd; mkdir -p /nd/sub; "
	            "echo 1 > /nd/sub/f");
	OUT("C /etc\nD /etc/group\nC /etc/passwd\nA /nd\nA /nd/sub\nA /nd/sub/f\nA /new\n", "diff",
	    "df");
	OK("stop", "df");
	OK("snapshot", "df", "d1");
	OUT("", "diff", "df");
	OK("start", "df");
	sh_in("df", "rm -rf /etc; mkdir /etc; echo only > /etc/only");
	OK("stop", "df");
	OUT("C /etc\nD /etc/hostname\nD /etc/hosts\nA /etc/only\nD /etc/passwd\n", "diff", "df");
	OUT("C /etc\nD /etc/hostname\nD /etc/hosts\nA /etc/only\nD /etc/passwd\n", "diff", "df",
	    "d1");
	OK("snapshot", "df", "d2");
	OUT("C /etc\nD /etc/hostname\nD /etc/hosts\nA /etc/only\nD /etc/passwd\n", "diff", "df",
	    "d1");
	OUT("", "diff", "df", "d2");
	/* Against a snapshot on another branch. */
	OK("rollback", "df", "d1");
	OUT("C /etc\nA /etc/hostname\nA /etc/hosts\nD /etc/only\nA /etc/passwd\n", "diff", "df",
	    "d2");
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, tu_demo_root, "diff", "--json", "df", "d2", NULL), 0);
	json_t *j = json_loads(o.out, 0, NULL);
	assert_int_equal(json_array_size(j), 5);
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 3), "kind")), "D");
	json_decref(j);
	tu_out_free(&o);
	OK("rm", "df");
}

/* ---- commit ---------------------------------------------------------------------------- */

static void test_commit(void **state)
{
	(void)state;
	tu_need_demo_root();
	make_ct("cm");
	OK("start", "cm");
	sh_in("cm", "echo committed > /c.txt");
	OK("stop", "cm");
	char *m = manifest("cm");
	OK("commit", "cm", "cmimg");
	assert_manifest("cm", m); /* the container's tree is as it was */
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, tu_demo_root, "commit", "cm", "cmimg", NULL), 125);
	assert_non_null(strstr(o.err, "already exists"));
	tu_out_free(&o);
	/* A container of the image sees the state; its layers are shared. */
	OK("create", "--name", "fromimg", "cmimg");
	char head[13], head2[13];
	tu_container_head(tu_demo_root, "cm", head);
	tu_container_head(tu_demo_root, "fromimg", head2);
	assert_string_equal(head, head2);
	char *m2 = manifest("fromimg");
	assert_string_equal(m, m2);
	free(m2);
	/* Committing a running container copies its upper. */
	OK("start", "cm");
	sh_in("cm", "echo live > /l.txt");
	OK("commit", "cm", "cmimg2");
	OK("stop", "cm");
	OK("create", "--name", "fromimg2", "cmimg2");
	assert_int_equal(tu_berthl(&o, tu_demo_root, "start", "fromimg2", NULL), 0);
	tu_out_free(&o);
	assert_int_equal(
	        tu_berthl(&o, tu_demo_root, "exec", "fromimg2", "cat", "/l.txt", "/c.txt", NULL),
	        0);
	assert_string_equal(o.out, "live\ncommitted\n");
	tu_out_free(&o);
	OK("rm", "-f", "fromimg2", "fromimg", "cm");
	OK("image", "rm", "cmimg2");
	OK("image", "rm", "cmimg");
	assert_no_orphans();
	free(m);
}

/* ---- bad input --------------------------------------------------------------------------- */

static char *state_of(void)
{
	struct tu_out o = {0};
	tu_sh(&o,
	      "cd '%s' && ls layers images && cat containers/bad/snapshots.json "
	      "containers/bad/state.json && ls containers",
	      tu_demo_root);
	free(o.err);
	return o.out;
}

static void expect_fail(const char **argv)
{
	char *before = state_of();
	struct tu_out o = {0};
	int r = tu_berth(&o, tu_demo_root, argv);
	if (r != 125)
		fprintf(stderr, "berth %s %s: exit %d, %s", argv[0], argv[1], r, o.err);
	assert_int_equal(r, 125);
	assert_memory_equal(o.err, "berth: ", 7);
	assert_ptr_equal(strchr(o.err, '\n'), o.err + strlen(o.err) - 1);
	tu_out_free(&o);
	char *after = state_of();
	assert_string_equal(before, after);
	free(before);
	free(after);
}
#define FAIL(...) expect_fail((const char *[]){__VA_ARGS__, NULL})

static void test_bad_input(void **state)
{
	(void)state;
	tu_need_demo_root();
	make_ct("bad");
	OK("snapshot", "bad", "s1");
	OK("clone", "bad", "bad2");
	char long_name[80];
	memset(long_name, 'a', 65);
	long_name[65] = '\0';
	FAIL("snapshot", "bad", "s1");
	FAIL("snapshot", "bad", "a b");
	FAIL("snapshot", "bad", "../x");
	FAIL("snapshot", "bad", ".hidden");
	FAIL("snapshot", "bad", long_name);
	FAIL("snapshot", "bad", "");
	FAIL("snapshot", "nosuch");
	FAIL("snapshots", "nosuch");
	FAIL("rollback", "bad", "nosuch");
	FAIL("rollback", "nosuch", "s1");
	FAIL("rollback", "bad", "../s1");
	FAIL("snapshot", "rm", "bad", "nosuch");
	FAIL("diff", "bad", "nosuch");
	FAIL("diff", "nosuch");
	FAIL("clone", "bad", "bad");
	FAIL("clone", "bad", "bad2");
	FAIL("clone", "bad", "x/y");
	FAIL("clone", "bad", "new", "--from", "nosuch");
	FAIL("commit", "bad", "demo");
	FAIL("commit", "bad", "bad image");
	FAIL("commit", "nosuch", "img");
	setenv("BERTH_SQUASH_DEPTH", "lots", 1);
	FAIL("snapshot", "bad", "s9");
	unsetenv("BERTH_SQUASH_DEPTH");
	OK("rm", "bad", "bad2");
	assert_no_orphans();
}

/* Whether ROOT/containers/NAME/FILE exists. */
static bool ct_has(const char *name, const char *file)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/containers/%s/%s", tu_demo_root, name, file);
	return access(p, F_OK) == 0;
}

/* A rollback returns once its intent is durable and leaves op.json for the
 * next command on the container, which finishes it again durably; another
 * container's layers are collected meanwhile (a rollback makes none). */
static void test_rollback_settled_by_next_command(void **state)
{
	(void)state;
	tu_need_demo_root();
	OK("create", "--name", "ls1", "demo", "true");
	OK("snapshot", "ls1", "S1");
	char p[4096];
	snprintf(p, sizeof(p), "%s/containers/ls1/upper/later", tu_demo_root);
	int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
	OK("rollback", "ls1", "S1");
	assert_true(ct_has("ls1", "op.json"));
	assert_false(ct_has("ls1", "upper/later"));
	/* ls2's snapshot layer goes with it, ls1's intent or not. */
	int before = tu_count("ls '%s/layers' | wc -l", tu_demo_root);
	OK("create", "--name", "ls2", "demo", "true");
	snprintf(p, sizeof(p), "%s/containers/ls2/upper/f", tu_demo_root);
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
	OK("snapshot", "ls2", "T1");
	assert_int_equal(tu_count("ls '%s/layers' | wc -l", tu_demo_root), before + 1);
	OK("rm", "ls2");
	assert_int_equal(tu_count("ls '%s/layers' | wc -l", tu_demo_root), before);
	assert_true(ct_has("ls1", "op.json"));
	/* The next command on ls1 settles it: same state, no intent left. */
	OK("snapshots", "ls1");
	assert_false(ct_has("ls1", "op.json"));
	assert_false(ct_has("ls1", "upper/later"));
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, tu_demo_root, "snapshots", "--json", "ls1", NULL), 0);
	assert_non_null(strstr(o.out, "\"current\": true"));
	tu_out_free(&o);
	OK("rm", "ls1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_rollback_restores_tree),
	        cmocka_unit_test(test_rollback_settled_by_next_command),
	        cmocka_unit_test(test_snapshot_tree),
	        cmocka_unit_test(test_snapshot_running),
	        cmocka_unit_test(test_diff),
	        cmocka_unit_test(test_commit),
	        cmocka_unit_test(test_bad_input),
	};
	return cmocka_run_group_tests(tests, tu_demo_group_setup, tu_demo_group_teardown);
}
