/* Everything on the host (root): a running container of a second state
 * root is listed by `top -b` and `stats --json` of the first (kind berth,
 * berth false, its root shown, no action of the first root reaches it),
 * with its real start time; a systemd-nspawn container started with
 * --register=no --keep-unit (no machine scope) is listed as nspawn.  The
 * second root and the nspawn process are removed in teardowns. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

static char *second;
static pid_t nspawn_pid;
static char *scratch;

static int teardown(void **state)
{
	(void)state;
	if (nspawn_pid > 0) {
		/* nspawn kills its container's init (SIGKILL) on SIGTERM. */
		kill(nspawn_pid, SIGTERM);
		for (int i = 0; i < 100 && waitpid(nspawn_pid, NULL, WNOHANG) == 0; i++)
			usleep(100000);
		kill(nspawn_pid, SIGKILL);
		waitpid(nspawn_pid, NULL, 0);
		nspawn_pid = 0;
	}
	if (second)
		tu_root_remove(second);
	free(second);
	second = NULL;
	if (scratch)
		tu_root_remove(scratch);
	free(scratch);
	scratch = NULL;
	return 0;
}

/* The line of `top -b` that names NAME, or NULL; points into text. */
static char *line_of(char *text, const char *name)
{
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		char kind[32], n[128];
		if (sscanf(l, "%31s %127s", kind, n) == 2 && strcmp(n, name) == 0)
			return l;
	}
	return NULL;
}

static void test_top_lists_second_root(void **state)
{
	(void)state;
	tu_need_demo_root();
	second = tu_demo_root_new();
	assert_non_null(second);
	char name[32];
	snprintf(name, sizeof(name), "other%d", (int)getpid());
	TU_OK(second, "run", "-d", "--name", name, "demo", "sleep", "100000");
	struct tu_out o;
	assert_int_equal(tu_berthl(&o, tu_demo_root, "top", "-b", "-n", "1", "-d", "0.2", NULL), 0);
	char *l = line_of(o.out, name);
	if (l == NULL)
		fail_msg("%s not listed:\n%s", name, o.out);
	assert_true(strncmp(l, "berth ", 6) == 0);
	assert_non_null(strstr(l, second));
	tu_out_free(&o);
	/* JSON: berth false (not this root's), its root, a real start time. */
	assert_int_equal(tu_berthl(&o, tu_demo_root, "stats", "--no-stream", "--json", "-i", "0.2",
	                           name, NULL),
	                 0);
	assert_non_null(strstr(o.out, "\"berth\":false"));
	char want[600];
	snprintf(want, sizeof(want), "\"root\":\"%s\"", second);
	assert_non_null(strstr(o.out, want));
	const char *st = strstr(o.out, "\"start_time_unix\":");
	assert_non_null(st);
	long long start = atoll(st + 18);
	long long now = (long long)time(NULL);
	assert_true(start > now - 120 && start <= now + 1);
	tu_out_free(&o);
	/* The Prometheus exposition labels it with its root. */
	assert_int_equal(tu_berthl(&o, tu_demo_root, "metrics", NULL), 0);
	snprintf(want, sizeof(want),
	         "berth_container_memory_bytes{kind=\"berth\",name=\"%s\",id=\"%s\",image=\"\","
	         "root=\"%s\"",
	         name, name, second);
	if (strstr(o.out, want) == NULL)
		fail_msg("no %s in:\n%.3000s", want, o.out);
	tu_out_free(&o);
	/* Actions stay with the root in use. */
	assert_int_equal(tu_berthl(&o, tu_demo_root, "stop", name, NULL), 125);
	tu_out_free(&o);
	assert_int_equal(tu_berthl(&o, second, "ps", NULL), 0);
	assert_non_null(strstr(o.out, name));
	tu_out_free(&o);
}

static void test_top_lists_nspawn_without_scope(void **state)
{
	(void)state;
	tu_need_root();
	if (tu_sh(NULL, "command -v systemd-nspawn >/dev/null") != 0)
		skip(); /* scripts/deps.sh installs systemd-container */
	scratch = tu_root_new();
	char tree[512], name[32];
	snprintf(name, sizeof(name), "nsp%d", (int)getpid());
	snprintf(tree, sizeof(tree), "%s/%s", scratch, name);
	/* A busybox tree that nspawn takes for an OS tree (/usr, os-release). */
	assert_int_equal(
	        tu_sh(NULL,
	              "mkdir -p '%s/bin' '%s/usr' '%s/etc' && cp /bin/busybox '%s/bin/' && "
	              "ln -s busybox '%s/bin/sh' && ln -s busybox '%s/bin/sleep' && "
	              "touch '%s/etc/os-release'",
	              tree, tree, tree, tree, tree, tree, tree),
	        0);
	nspawn_pid = fork();
	assert_true(nspawn_pid >= 0);
	if (nspawn_pid == 0) {
		setsid();
		freopen("/dev/null", "r", stdin);
		char log[600];
		snprintf(log, sizeof(log), "%s/nspawn.log", scratch);
		freopen(log, "w", stdout);
		freopen(log, "a", stderr);
		execlp("systemd-nspawn", "systemd-nspawn", "--register=no", "--keep-unit", "-q",
		       "-D", tree, "/bin/sh", "-c", "sleep 100000", (char *)NULL);
		_exit(127);
	}
	bool found = false;
	for (int i = 0; i < 20 && !found; i++) {
		struct tu_out o;
		assert_int_equal(tu_berthl(&o, tu_demo_root ? tu_demo_root : scratch, "top", "-b",
		                           "-n", "1", "-d", "0.2", NULL),
		                 0);
		char *l = line_of(o.out, name);
		found = l && strncmp(l, "nspawn ", 7) == 0;
		tu_out_free(&o);
		if (!found && waitpid(nspawn_pid, NULL, WNOHANG) == nspawn_pid) {
			nspawn_pid = 0;
			char log[600];
			snprintf(log, sizeof(log), "%s/nspawn.log", scratch);
			char *text = tu_read(log);
			/* nspawn could not run here: say why. */
			printf("systemd-nspawn exited: %s\n", text ? text : "");
			free(text);
			skip();
		}
	}
	assert_true(found);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_teardown(test_top_lists_second_root, teardown),
	        cmocka_unit_test_teardown(test_top_lists_nspawn_without_scope, teardown),
	};
	return cmocka_run_group_tests(tests, tu_demo_group_setup, tu_demo_group_teardown);
}
