/* Integration tests of the runtime: real containers on the real kernel
 * (namespaces, overlay, cgroups), driven through the berth binary. */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "berth.h"
#include "testutil.h"

struct fx {
	char *root;
	char parent[64];
	bool v2; /* the host's cgroups are the unified hierarchy alone */
};

static struct fx *F;

static int group_setup(void **state)
{
	if (!tu_is_root())
		return 0;
	F = calloc(1, sizeof(*F));
	F->root = tu_root_new();
	struct be_ctx_opts o = {.root = F->root};
	struct be_ctx *ctx = NULL;
	if (be_ctx_open(&o, &ctx, NULL) < 0)
		return -1;
	snprintf(F->parent, sizeof(F->parent), "%s", be_ctx_cgroup_parent(ctx));
	F->v2 = be_ctx_cgroup_layout(ctx) == BE_CGROUP_V2;
	be_ctx_free(ctx);
	struct tu_out out = {0};
	int r = tu_berthl(&out, F->root, "image", "demo", "-q", NULL);
	if (r != 0)
		fprintf(stderr, "image demo: %s\n", out.err);
	tu_out_free(&out);
	*state = F;
	return r == 0 ? 0 : -1;
}

/* After everything: nothing of this root may be left on the host. */
static void assert_nothing_left(void)
{
	struct tu_out o = {0};
	tu_sh(&o, "grep -c '%s' /proc/self/mountinfo", F->root);
	assert_int_equal(atoi(o.out), 0);
	tu_out_free(&o);
	tu_sh(&o, "find /sys/fs/cgroup -mindepth 2 -maxdepth 3 -type d -path '*/%s/*' | wc -l",
	      F->parent);
	assert_int_equal(atoi(o.out), 0);
	tu_out_free(&o);
	/* No keeper of this root: each would have its run file. */
	tu_sh(&o, "ls %s/run/containers/*.json 2>/dev/null | wc -l", F->root);
	assert_int_equal(atoi(o.out), 0);
	tu_out_free(&o);
}

static int group_teardown(void **state)
{
	(void)state;
	if (F == NULL)
		return 0;
	tu_berthl(NULL, F->root, "rm", "-f", "iso", "w", "oom", "bomb", "cpu", "term", "sleepy",
	          "bg", "race", "k9", "trap", "dmg", "ins", NULL);
	tu_root_remove(F->root);
	free(F->root);
	free(F);
	F = NULL;
	return 0;
}

static void need_root(void)
{
	if (!tu_is_root() || F == NULL)
		skip();
}

/* Runs `berth run --rm demo sh -c SCRIPT` and returns stdout (caller
 * frees); asserts exit code 0. */
static char *run_sh(const char *script)
{
	struct tu_out o = {0};
	int r = tu_berthl(&o, F->root, "run", "--rm", "--hostname", "box", "demo", "sh", "-c",
	                  script, NULL);
	if (r != 0)
		fprintf(stderr, "run %s: %d %s\n", script, r, o.err);
	assert_int_equal(r, 0);
	free(o.err);
	return o.out;
}

static void test_run_isolation(void **state)
{
	(void)state;
	need_root();
	char *s = run_sh("echo $$");
	assert_string_equal(s, "1\n");
	free(s);
	/* A --rm container's keeper unmounts and empties the trash itself:
	 * nothing of it waits for the next command. */
	bool empty = false;
	for (int i = 0; i < 100 && !empty; i++) {
		empty = tu_count("find '%s/trash' -mindepth 1 | wc -l", F->root) == 0;
		if (!empty)
			usleep(50 * 1000);
	}
	assert_true(empty);
	s = run_sh("hostname");
	assert_string_equal(s, "box\n");
	free(s);
	/* Only the container's own processes: small pids, the shell as 1. */
	s = run_sh("ps -o pid | tail -n +2 | sort -n | xargs; true");
	assert_true(strncmp(s, "1 ", 2) == 0);
	for (char *p = s; *p; p++)
		assert_true((*p >= '0' && *p <= '9') || *p == ' ' || *p == '\n');
	int maxpid = 0;
	for (char *p = strtok(s, " \n"); p; p = strtok(NULL, " \n"))
		maxpid = atoi(p) > maxpid ? atoi(p) : maxpid;
	assert_true(maxpid < 20);
	free(s);
	s = run_sh("ls /sys/class/net");
	assert_string_equal(s, "lo\n");
	free(s);
	/* Masked files are /dev/null (char 1,3) inside.  This host's kernel
	 * has no /proc/kcore; where it has one, it must be masked too. */
	s = run_sh("stat -c '%F %t,%T' /proc/keys /proc/timer_list");
	assert_string_equal(s, "character special file 1,3\ncharacter special file 1,3\n");
	free(s);
	struct tu_out o = {0};
	tu_sh(&o, "test -e /proc/kcore && echo yes || echo no");
	bool host_kcore = strcmp(o.out, "yes\n") == 0;
	tu_out_free(&o);
	s = run_sh("stat -c '%t,%T' /proc/kcore 2>/dev/null || echo absent");
	assert_string_equal(s, host_kcore ? "1,3\n" : "absent\n");
	free(s);
	s = run_sh("mount -t tmpfs x /mnt 2>/dev/null; echo $?");
	assert_int_not_equal(atoi(s), 0);
	free(s);
	s = run_sh("grep CapEff /proc/self/status | cut -f2");
	unsigned long long caps = strtoull(s, NULL, 16);
	assert_true(caps != 0);
	assert_false(caps & (1ull << 21)); /* CAP_SYS_ADMIN */
	free(s);
}

static void test_run_write_leaves_image(void **state)
{
	(void)state;
	need_root();
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, F->root, "run", "--name", "w", "demo", "sh", "-c",
	                           "echo hi > /etc/x", NULL),
	                 0);
	tu_out_free(&o);
	char path[4096];
	snprintf(path, sizeof(path), "%s/containers/w/upper/etc/x", F->root);
	char *t = tu_read(path);
	assert_non_null(t);
	assert_string_equal(t, "hi\n");
	free(t);
	/* No layer of the image holds etc/x. */
	tu_sh(&o, "ls %s/layers/*/diff/etc/x 2>/dev/null | wc -l", F->root);
	assert_int_equal(atoi(o.out), 0);
	tu_out_free(&o);
	assert_int_equal(tu_berthl(NULL, F->root, "rm", "w", NULL), 0);
}

static char *inspect(const char *name)
{
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, F->root, "inspect", name, NULL), 0);
	free(o.err);
	return o.out;
}

static void test_run_oom(void **state)
{
	(void)state;
	need_root();
	struct tu_out o = {0};
	int r = tu_berthl(&o, F->root, "run", "--name", "oom", "--memory", "32m", "--memory-swap",
	                  "32m", "demo", "dd", "if=/dev/zero", "of=/dev/null", "bs=128M", "count=1",
	                  NULL);
	tu_out_free(&o);
	assert_int_equal(r, 137);
	char *j = inspect("oom");
	assert_non_null(strstr(j, "\"oom_killed\": true"));
	free(j);
	assert_int_equal(tu_berthl(NULL, F->root, "rm", "oom", NULL), 0);
}

/* Where the groups of controller ctl live: /sys/fs/cgroup/CTL on v1, the
 * one hierarchy on v2. */
static const char *cg_base(const char *ctl)
{
	static char buf[64];
	snprintf(buf, sizeof(buf), "/sys/fs/cgroup%s%s", F->v2 ? "" : "/", F->v2 ? "" : ctl);
	return buf;
}

/* A number from the container's cgroup: v1 file of controller ctl, or its
 * v2 counterpart (a keyed file's "key N" line when v2key is given). */
static unsigned long long cg_read2(const char *ctl, const char *name, const char *v1file,
                                   const char *v2file, const char *v2key)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s/%s/%s", cg_base(ctl), F->parent, name,
	         F->v2 ? v2file : v1file);
	char *t = tu_read(path);
	if (t == NULL)
		return 0;
	const char *p = t;
	if (F->v2 && v2key != NULL) {
		size_t klen = strlen(v2key);
		while (p && strncmp(p, v2key, klen) != 0)
			p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL;
		p = p ? p + klen : "0";
	}
	unsigned long long v = strtoull(p, NULL, 10);
	free(t);
	return v;
}

static unsigned long long cg_read(const char *ctl, const char *name, const char *file)
{
	return cg_read2(ctl, name, file, file, NULL);
}

/* CPU time used by the container's group, in ns. */
static unsigned long long cpu_usage_ns(const char *name)
{
	return cg_read2("cpuacct", name, "cpuacct.usage", "cpu.stat", "usage_usec ") *
	       (F->v2 ? 1000 : 1);
}

static void test_run_pids_limit(void **state)
{
	(void)state;
	need_root();
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, F->root, "run", "-d", "--name", "bomb", "--pids-limit", "20",
	                           "demo", "sh", "-c", "f() { f | f & }; f; sleep 1000", NULL),
	                 0);
	tu_out_free(&o);
	usleep(1500 * 1000);
	unsigned long long cur = cg_read("pids", "bomb", "pids.current");
	assert_true(cur > 0 && cur <= 20);
	/* The host is unaffected: it can still start processes. */
	assert_int_equal(tu_sh(NULL, "true"), 0);
	assert_int_equal(tu_berthl(NULL, F->root, "rm", "-f", "bomb", NULL), 0);
}

static void test_run_cpu_quota(void **state)
{
	(void)state;
	need_root();
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, F->root, "run", "-d", "--name", "cpu", "--cpus", "0.5",
	                           "demo", "sh", "-c", "while :; do :; done", NULL),
	                 0);
	tu_out_free(&o);
	usleep(300 * 1000);
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	unsigned long long u0 = cpu_usage_ns("cpu");
	sleep(3);
	unsigned long long u1 = cpu_usage_ns("cpu");
	clock_gettime(CLOCK_MONOTONIC, &b);
	double wall = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
	double share = (double)(u1 - u0) / wall;
	fprintf(stderr, "cpu share under --cpus 0.5: %.3f\n", share);
	assert_true(share > 0.2 && share <= 0.6);
	assert_int_equal(tu_berthl(NULL, F->root, "rm", "-f", "cpu", NULL), 0);
}

static double secs_since(const struct timespec *a)
{
	struct timespec b;
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

static void test_stop_ignoring_term(void **state)
{
	(void)state;
	need_root();
	assert_int_equal(tu_berthl(NULL, F->root, "run", "-d", "--name", "term", "demo", "sh", "-c",
	                           "trap '' TERM; while :; do sleep 1; done", NULL),
	                 0);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(tu_berthl(NULL, F->root, "stop", "-t", "2", "term", NULL), 0);
	assert_true(secs_since(&t0) <= 3.0);
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, F->root, "wait", "term", NULL), 0);
	assert_string_equal(o.out, "137\n");
	tu_out_free(&o);

	assert_int_equal(tu_berthl(NULL, F->root, "run", "-d", "--name", "sleepy", "demo", "sh",
	                           "-c", "sleep 1000; echo done", NULL),
	                 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(tu_berthl(NULL, F->root, "stop", "sleepy", NULL), 0);
	assert_true(secs_since(&t0) < 2.0);
	assert_int_equal(tu_berthl(NULL, F->root, "rm", "term", "sleepy", NULL), 0);
}

/* The init starts with default signal dispositions (the keeper ignores
 * SIGTERM, SIGINT, SIGHUP and SIGPIPE): a shell's TERM trap runs on stop,
 * and a pipe reader leaving kills the writer quietly. */
static void test_stop_term_reaches_init(void **state)
{
	(void)state;
	need_root();
	char *s = run_sh("grep SigIgn /proc/self/status | cut -f2");
	assert_string_equal(s, "0000000000000000\n");
	free(s);
	s = run_sh("{ yes | head -n 1; } 2>&1");
	assert_string_equal(s, "y\n");
	free(s);
	assert_int_equal(tu_berthl(NULL, F->root, "run", "-d", "--name", "trap", "demo", "sh", "-c",
	                           "trap 'echo got-term; exit 5' TERM; while :; do sleep 0.1; done",
	                           NULL),
	                 0);
	usleep(300 * 1000);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(tu_berthl(NULL, F->root, "stop", "trap", NULL), 0);
	assert_true(secs_since(&t0) < 5.0);
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, F->root, "wait", "trap", NULL), 0);
	assert_string_equal(o.out, "5\n");
	tu_out_free(&o);
	assert_int_equal(tu_berthl(&o, F->root, "logs", "trap", NULL), 0);
	assert_non_null(strstr(o.out, "got-term"));
	tu_out_free(&o);
	assert_int_equal(tu_berthl(NULL, F->root, "rm", "trap", NULL), 0);

	/* An init that catches SIGTERM and goes on: stop waits out -t, then
	 * SIGKILL (137) within the timeout + 1 s. */
	assert_int_equal(tu_berthl(NULL, F->root, "run", "-d", "--name", "trap", "demo", "sh", "-c",
	                           "trap 'echo caught' TERM; while :; do sleep 0.1; done", NULL),
	                 0);
	usleep(300 * 1000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(tu_berthl(NULL, F->root, "stop", "-t", "2", "trap", NULL), 0);
	double took = secs_since(&t0);
	assert_true(took >= 1.8 && took <= 3.0);
	assert_int_equal(tu_berthl(&o, F->root, "wait", "trap", NULL), 0);
	assert_string_equal(o.out, "137\n");
	tu_out_free(&o);
	assert_int_equal(tu_berthl(NULL, F->root, "rm", "trap", NULL), 0);
}

static void test_detached_lifecycle(void **state)
{
	(void)state;
	need_root();
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, F->root, "run", "-d", "--name", "bg", "demo", "sh", "-c",
	                           "echo hello-from-bg; while :; do :; done", NULL),
	                 0);
	assert_string_equal(o.out, "bg\n");
	tu_out_free(&o);
	/* The CLI is gone (tu_berthl waited for it); a new process sees it. */
	assert_int_equal(tu_berthl(&o, F->root, "ps", NULL), 0);
	assert_non_null(strstr(o.out, "bg"));
	assert_non_null(strstr(o.out, "Up"));
	tu_out_free(&o);
	char *j = inspect("bg");
	char *p = strstr(j, "\"pid\": ");
	assert_non_null(p);
	int pid = atoi(p + 7);
	assert_true(pid > 1);
	assert_int_equal(kill(pid, 0), 0);
	free(j);

	assert_int_equal(tu_berthl(&o, F->root, "exec", "bg", "sh", "-c", "echo $$", NULL), 0);
	assert_true(atoi(o.out) > 1);
	tu_out_free(&o);
	/* An exec'd process sits in the container's cgroup. */
	tu_sh(NULL, "'%s' --root '%s' exec bg sleep 3 >/dev/null 2>&1 &", tu_berth_bin(), F->root);
	usleep(700 * 1000);
	tu_sh(&o, "for p in $(cat %s/%s/bg/cgroup.procs); do cat /proc/$p/comm; done",
	      cg_base("pids"), F->parent);
	assert_non_null(strstr(o.out, "sleep"));
	tu_out_free(&o);

	assert_int_equal(tu_berthl(&o, F->root, "logs", "bg", NULL), 0);
	assert_non_null(strstr(o.out, "hello-from-bg"));
	tu_out_free(&o);

	assert_int_equal(tu_berthl(NULL, F->root, "pause", "bg", NULL), 0);
	j = inspect("bg");
	assert_non_null(strstr(j, "\"status\": \"paused\""));
	free(j);
	/* exec into a paused container fails at once instead of freezing. */
	tu_sh(&o,
	      "timeout 10 '%s' --root '%s' exec bg true </dev/null >/dev/null 2>%s/exec.err; echo "
	      "$?",
	      tu_berth_bin(), F->root, F->root);
	assert_int_equal(atoi(o.out), 125);
	tu_out_free(&o);
	char errpath[4096];
	snprintf(errpath, sizeof(errpath), "%s/exec.err", F->root);
	char *e = tu_read(errpath);
	assert_non_null(e);
	assert_non_null(strstr(e, "paused"));
	free(e);
	unsigned long long u0 = cpu_usage_ns("bg");
	usleep(500 * 1000);
	unsigned long long u1 = cpu_usage_ns("bg");
	assert_true(u1 - u0 < 5000000ull); /* < 5 ms of CPU in 0.5 s: frozen */
	assert_int_equal(tu_berthl(NULL, F->root, "resume", "bg", NULL), 0);
	usleep(500 * 1000);
	unsigned long long u2 = cpu_usage_ns("bg");
	assert_true(u2 - u1 > 50000000ull);

	assert_int_equal(tu_berthl(NULL, F->root, "update", "--memory", "64m", "bg", NULL), 0);
	assert_int_equal(cg_read2("memory", "bg", "memory.limit_in_bytes", "memory.max", NULL),
	                 64ull << 20);
	assert_int_equal(tu_berthl(NULL, F->root, "rm", "-f", "bg", NULL), 0);
}

static void test_start_race(void **state)
{
	(void)state;
	need_root();
	assert_int_equal(
	        tu_berthl(NULL, F->root, "create", "--name", "race", "demo", "sleep", "1000", NULL),
	        0);
	/* Deterministic half: a held lock makes start say busy, with the pid. */
	struct be_ctx_opts opts = {.root = F->root};
	struct be_ctx *ctx = NULL;
	assert_int_equal(be_ctx_open(&opts, &ctx, NULL), 0);
	struct tu_out o = {0};
	pid_t holder = fork();
	if (holder == 0) {
		/* Hold the container's lock as another berth would. */
		char cmd[512];
		snprintf(cmd, sizeof(cmd), "exec flock %s/run/locks/container.race.lock sleep 2",
		         F->root);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(1);
	}
	usleep(300 * 1000);
	assert_int_equal(tu_berthl(&o, F->root, "start", "race", NULL), 125);
	assert_non_null(strstr(o.err, "container race is busy"));
	tu_out_free(&o);
	waitpid(holder, NULL, 0);
	be_ctx_free(ctx);
	/* Two starts at once: exactly one wins. */
	char cmd[1024];
	snprintf(cmd, sizeof(cmd),
	         "B='%s'; R='%s'; ($B --root $R start race >/dev/null 2>$R/e1; echo $? >$R/r1) & "
	         "($B --root $R start race >/dev/null 2>$R/e2; echo $? >$R/r2) & wait",
	         tu_berth_bin(), F->root);
	tu_sh(NULL, "%s", cmd);
	char p1[512], p2[512];
	snprintf(p1, sizeof(p1), "%s/r1", F->root);
	snprintf(p2, sizeof(p2), "%s/r2", F->root);
	char *r1 = tu_read(p1), *r2 = tu_read(p2);
	int a = atoi(r1), b = atoi(r2);
	free(r1);
	free(r2);
	assert_true((a == 0 && b == 125) || (a == 125 && b == 0));
	snprintf(p1, sizeof(p1), "%s/%s", F->root, a == 125 ? "e1" : "e2");
	char *e = tu_read(p1);
	assert_true(strstr(e, "busy") || strstr(e, "already running"));
	free(e);
	/* The state is valid and says running. */
	char *j = inspect("race");
	assert_non_null(strstr(j, "\"status\": \"running\""));
	free(j);
	assert_int_equal(tu_berthl(NULL, F->root, "rm", "-f", "race", NULL), 0);
}

static void test_keeper_killed(void **state)
{
	(void)state;
	need_root();
	assert_int_equal(tu_berthl(NULL, F->root, "run", "-d", "--name", "k9", "demo", "sleep",
	                           "1000", NULL),
	                 0);
	char *j = inspect("k9");
	char *p = strstr(j, "\"keeper_pid\": ");
	assert_non_null(p);
	int keeper = atoi(p + 14);
	int init0 = atoi(strstr(j, "\"pid\": ") + 7);
	free(j);
	assert_true(keeper > 1 && init0 > 1);
	assert_int_equal(kill(keeper, SIGKILL), 0);
	usleep(200 * 1000);
	struct tu_out o = {0};
	/* A listing only reports it: the init still runs. */
	assert_int_equal(tu_berthl(&o, F->root, "ps", "-a", NULL), 0);
	assert_non_null(strstr(o.out, "k9"));
	assert_non_null(strstr(o.out, "keeper gone"));
	tu_out_free(&o);
	assert_int_equal(kill(init0, 0), 0);
	/* system prune ends it. */
	assert_int_equal(tu_berthl(&o, F->root, "system", "prune", "-f", NULL), 0);
	assert_non_null(strstr(o.out, "k9"));
	tu_out_free(&o);
	assert_int_equal(tu_berthl(&o, F->root, "ps", "-a", NULL), 0);
	assert_non_null(strstr(o.out, "Exited"));
	tu_out_free(&o);
	/* The init is gone, and with it and the keeper the only processes in
	 * the mount namespace that held the overlay: the mount is gone too. */
	char st_path[64];
	snprintf(st_path, sizeof(st_path), "/proc/%d/stat", init0);
	char *st = tu_read(st_path);
	assert_true(st == NULL || strstr(st, ") Z ") != NULL);
	free(st);
	tu_sh(&o, "find /sys/fs/cgroup -maxdepth 3 -type d -path '*/%s/k9' | wc -l", F->parent);
	assert_int_equal(atoi(o.out), 0);
	tu_out_free(&o);
	tu_sh(&o, "grep -c '%s/containers/k9' /proc/self/mountinfo", F->root);
	assert_int_equal(atoi(o.out), 0);
	tu_out_free(&o);
	assert_int_equal(tu_berthl(NULL, F->root, "rm", "k9", NULL), 0);

	/* The same when the next command is one that finds it not running
	 * (kill, pause, exec, update): the orphaned init is ended there. */
	static const char *const next[][4] = {
	        {"kill", "k9", NULL}, {"pause", "k9", NULL}, {"exec", "k9", "true", NULL}};
	for (size_t i = 0; i < sizeof(next) / sizeof(next[0]); i++) {
		assert_int_equal(tu_berthl(NULL, F->root, "run", "-d", "--name", "k9", "demo",
		                           "sleep", "1000", NULL),
		                 0);
		j = inspect("k9");
		keeper = atoi(strstr(j, "\"keeper_pid\": ") + 14);
		p = strstr(j, "\"pid\": ");
		int init = atoi(p + 7);
		free(j);
		assert_int_equal(kill(keeper, SIGKILL), 0);
		usleep(200 * 1000);
		assert_int_equal(tu_berth(&o, F->root, next[i]), 125);
		assert_non_null(strstr(o.err, "not running"));
		tu_out_free(&o);
		usleep(100 * 1000);
		/* Gone, or a zombie nobody reaped yet (it is the host init's). */
		tu_sh(&o, "sed 's/.*) //' /proc/%d/stat 2>/dev/null | cut -c1", init);
		if (o.out[0] != '\0' && o.out[0] != 'Z')
			fail_msg("%s: the init (pid %d) still runs", next[i][0], init);
		tu_out_free(&o);
		tu_sh(&o, "find /sys/fs/cgroup -maxdepth 3 -type d -path '*/%s/k9' | wc -l",
		      F->parent);
		assert_int_equal(atoi(o.out), 0);
		tu_out_free(&o);
		assert_int_equal(tu_berthl(NULL, F->root, "rm", "k9", NULL), 0);
	}
}

static void assert_bad(const char *const *argv)
{
	struct tu_out o = {0};
	int r = tu_berth(&o, F->root, argv);
	assert_int_equal(r, 125);
	/* One line on stderr, starting "berth: ". */
	assert_true(strncmp(o.err, "berth: ", 7) == 0);
	assert_non_null(strchr(o.err, '\n'));
	assert_true(strchr(o.err, '\n')[1] == '\0');
	tu_out_free(&o);
	tu_sh(&o, "ls %s/containers | wc -l", F->root);
	assert_int_equal(atoi(o.out), 0);
	tu_out_free(&o);
}

static void test_bad_input(void **state)
{
	(void)state;
	need_root();
	const char *cases[][8] = {
	        {"run", "--memory", "abc", "demo", "true", NULL},
	        {"run", "--memory", "-1", "demo", "true", NULL},
	        {"run", "--cpus", "0", "demo", "true", NULL},
	        {"run", "--cpus", "1e9", "demo", "true", NULL},
	        {"run", "--pids-limit", "x", "demo", "true", NULL},
	        {"run", "--name", "a/b", "demo", "true", NULL},
	        {"run", "nosuchimage", "true", NULL},
	        {"create", "--net", "nosuchnet", "demo", NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_bad(cases[i]);
	/* The longest valid name (64) is a valid container: its default
	 * hostname is cut to the 63 characters a hostname may have. */
	char longname[65];
	memset(longname, 'n', 64);
	longname[64] = '\0';
	struct tu_out h = {0};
	int hr =
	        tu_berthl(&h, F->root, "run", "--rm", "--name", longname, "demo", "hostname", NULL);
	if (hr != 0)
		fail_msg("run --name %s: %d %s", longname, hr, h.err);
	assert_int_equal(strlen(h.out), 64); /* 63 and a newline */
	tu_out_free(&h);
	/* A missing command: 127, one line, nothing left. */
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, F->root, "run", "demo", "/no/such/cmd", NULL), 127);
	assert_true(strncmp(o.err, "berth: ", 7) == 0);
	tu_out_free(&o);
	tu_sh(&o, "ls %s/containers | wc -l", F->root);
	assert_int_equal(atoi(o.out), 0);
	tu_out_free(&o);
}

/* inspect of several names prints one JSON array of those found, even
 * when some are missing (exit 125, one line each on stderr). */
static void test_inspect_many_json(void **state)
{
	(void)state;
	need_root();
	assert_int_equal(tu_berthl(NULL, F->root, "create", "--name", "ins", "demo", "true", NULL),
	                 0);
	static const char *const cases[][5] = {
	        {"inspect", "ins", "nosuch", NULL},
	        {"inspect", "nosuch", "ins", "ins", NULL},
	};
	static const size_t found[] = {1, 2};
	for (size_t i = 0; i < 2; i++) {
		struct tu_out o = {0};
		assert_int_equal(tu_berth(&o, F->root, cases[i]), 125);
		json_error_t je;
		json_t *j = json_loads(o.out, 0, &je);
		if (j == NULL)
			fail_msg("not JSON (%s): %s", je.text, o.out);
		assert_true(json_is_array(j));
		assert_int_equal(json_array_size(j), found[i]);
		json_decref(j);
		assert_string_equal(o.err, "berth: no such container: nosuch\n");
		tu_out_free(&o);
	}
	assert_int_equal(tu_berthl(NULL, F->root, "rm", "ins", NULL), 0);
}

/* A container whose config.json is damaged: ps -a lists it as damaged,
 * rm names the file, says how to remove it and leaves it; rm -f removes the
 * container all the same. */
static void test_rm_damaged_config(void **state)
{
	(void)state;
	need_root();
	assert_int_equal(tu_berthl(NULL, F->root, "create", "--name", "dmg", "demo", "true", NULL),
	                 0);
	assert_int_equal(tu_sh(NULL, "truncate -s 20 '%s/containers/dmg/config.json'", F->root), 0);
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, F->root, "ps", "-a", NULL), 0);
	assert_non_null(strstr(o.out, "dmg "));
	assert_non_null(strstr(o.out, "Damaged"));
	tu_out_free(&o);
	assert_int_equal(tu_berthl(&o, F->root, "ps", "-a", "--json", NULL), 0);
	assert_non_null(strstr(o.out, "\"status\": \"damaged\""));
	assert_non_null(strstr(o.out, "\"problem\": \""));
	tu_out_free(&o);
	assert_int_equal(tu_berthl(&o, F->root, "rm", "dmg", NULL), 125);
	assert_non_null(strstr(o.err, "containers/dmg/config.json"));
	assert_non_null(strstr(o.err, "rm -f dmg removes it"));
	tu_out_free(&o);
	assert_int_equal(tu_berthl(&o, F->root, "rm", "-f", "dmg", NULL), 0);
	assert_string_equal(o.out, "dmg\n");
	tu_out_free(&o);
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/containers/dmg", F->root);
	assert_int_equal(access(dir, F_OK), -1);
	assert_int_equal(tu_berthl(NULL, F->root, "rm", "-f", "dmg", NULL), 125);
}

/* A root whose path holds a space and a comma (the overlay's option
 * separator) runs containers. */
static void test_root_with_comma(void **state)
{
	(void)state;
	need_root();
	char sub[4096];
	snprintf(sub, sizeof(sub), "%s/odd, root", F->root);
	struct tu_out o = {0};
	int r = tu_berthl(&o, sub, "image", "demo", "-q", NULL);
	tu_out_free(&o);
	if (r == 0)
		r = tu_berthl(&o, sub, "run", "--rm", "demo", "echo", "comma-ok", NULL);
	bool ok = r == 0 && o.out && strcmp(o.out, "comma-ok\n") == 0;
	if (!ok)
		fprintf(stderr, "run under \"%s\": %d %s\n", sub, r, o.err ? o.err : "");
	tu_out_free(&o);
	tu_root_remove(sub);
	assert_true(ok);
}

/* A cgroup left under this root's parent without its container (a crash
 * between removing the one and the other) is listed by ps (which removes
 * nothing) and removed by system prune. */
static void test_orphan_cgroup_removed(void **state)
{
	(void)state;
	need_root();
	struct tu_out o = {0};
	if (F->v2)
		assert_int_equal(tu_sh(NULL, "mkdir -p /sys/fs/cgroup/%s/ghost", F->parent), 0);
	else
		assert_int_equal(
		        tu_sh(NULL,
		              "for c in pids memory; do mkdir -p /sys/fs/cgroup/$c/%s/ghost; done",
		              F->parent),
		        0);
	assert_int_equal(tu_berthl(&o, F->root, "ps", NULL), 0);
	assert_non_null(strstr(o.out, "ghost"));
	assert_non_null(strstr(o.out, "Orphaned"));
	tu_out_free(&o);
	tu_sh(&o, "ls -d /sys/fs/cgroup/%s/ghost /sys/fs/cgroup/*/%s/ghost 2>/dev/null | wc -l",
	      F->parent, F->parent);
	assert_int_equal(atoi(o.out), F->v2 ? 1 : 2); /* nothing removed by ps */
	tu_out_free(&o);
	assert_int_equal(tu_berthl(&o, F->root, "system", "prune", "-f", NULL), 0);
	tu_out_free(&o);
	tu_sh(&o, "ls -d /sys/fs/cgroup/%s/ghost /sys/fs/cgroup/*/%s/ghost 2>/dev/null | wc -l",
	      F->parent, F->parent);
	assert_int_equal(atoi(o.out), 0);
	tu_out_free(&o);
}

/* Behaviour a docker user expects at the edges. */
static void test_docker_like_edges(void **state)
{
	(void)state;
	need_root();
	struct tu_out o = {0};
	/* wait on a --rm container still returns its code. */
	assert_int_equal(tu_berthl(&o, F->root, "run", "-d", "--rm", "--name", "edge", "demo", "sh",
	                           "-c", "sleep 0.5; exit 7", NULL),
	                 0);
	tu_out_free(&o);
	assert_int_equal(tu_berthl(&o, F->root, "wait", "edge", NULL), 0);
	assert_string_equal(o.out, "7\n");
	tu_out_free(&o);
	/* -dit: the shell gets a terminal and keeps running; its prompt is
	 * logged; pause twice and resume twice are errors; tail 0 is empty. */
	assert_int_equal(
	        tu_berthl(&o, F->root, "run", "-dit", "--name", "edge", "demo", "sh", NULL), 0);
	tu_out_free(&o);
	usleep(300 * 1000);
	char *j = inspect("edge");
	assert_non_null(strstr(j, "\"status\": \"running\""));
	free(j);
	assert_int_equal(tu_berthl(&o, F->root, "exec", "edge", "readlink", "/proc/1/fd/0", NULL),
	                 0);
	assert_non_null(strstr(o.out, "/dev/pts/"));
	tu_out_free(&o);
	/* The terminals come from the container's own devpts: `tty` names
	 * one that its /dev/pts lists (a host pty would be "not a tty"). */
	assert_int_equal(tu_berthl(&o, F->root, "exec", "-t", "edge", "sh", "-c",
	                           "t=$(tty) && test -c $t && echo ok $t && ls /dev/pts", NULL),
	                 0);
	assert_non_null(strstr(o.out, "ok /dev/pts/1"));
	assert_non_null(strstr(o.out, "ptmx"));
	tu_out_free(&o);
	assert_int_equal(tu_berthl(&o, F->root, "run", "--rm", "-t", "demo", "tty", NULL), 0);
	assert_non_null(strstr(o.out, "/dev/pts/0"));
	tu_out_free(&o);
	assert_int_equal(tu_berthl(NULL, F->root, "pause", "edge", NULL), 0);
	assert_int_equal(tu_berthl(&o, F->root, "pause", "edge", NULL), 125);
	assert_non_null(strstr(o.err, "already paused"));
	tu_out_free(&o);
	assert_int_equal(tu_berthl(NULL, F->root, "resume", "edge", NULL), 0);
	assert_int_equal(tu_berthl(&o, F->root, "resume", "edge", NULL), 125);
	tu_out_free(&o);
	assert_int_equal(tu_berthl(&o, F->root, "logs", "--tail", "0", "edge", NULL), 0);
	assert_string_equal(o.out, "");
	tu_out_free(&o);
	assert_int_equal(tu_berthl(&o, F->root, "logs", "edge", NULL), 0);
	assert_non_null(strstr(o.out, "#"));
	tu_out_free(&o);
	/* restart keeps a --rm container (as docker); a plain stop removes it. */
	assert_int_equal(tu_berthl(&o, F->root, "run", "-d", "--rm", "--name", "rr", "demo",
	                           "sleep", "100", NULL),
	                 0);
	tu_out_free(&o);
	assert_int_equal(tu_berthl(NULL, F->root, "restart", "-t", "0", "rr", NULL), 0);
	j = inspect("rr");
	assert_non_null(strstr(j, "\"status\": \"running\""));
	free(j);
	assert_int_equal(tu_berthl(NULL, F->root, "stop", "-t", "0", "rr", NULL), 0);
	assert_int_equal(tu_berthl(&o, F->root, "inspect", "rr", NULL), 125);
	assert_non_null(strstr(o.err, "no such container"));
	tu_out_free(&o);
	/* Short flags combined with a value option last: -dm 8m. */
	assert_int_equal(tu_berthl(&o, F->root, "run", "-dm", "8m", "--name", "edge2", "demo",
	                           "sleep", "100", NULL),
	                 0);
	tu_out_free(&o);
	j = inspect("edge2");
	assert_non_null(strstr(j, "\"memory_bytes\": 8388608"));
	free(j);
	assert_int_equal(tu_berthl(NULL, F->root, "rm", "-f", "edge2", NULL), 0);
	assert_int_equal(tu_berthl(&o, F->root, "update", "edge", NULL), 125);
	assert_non_null(strstr(o.err, "nothing to change"));
	tu_out_free(&o);
	assert_int_equal(tu_berthl(NULL, F->root, "rm", "-f", "edge", NULL), 0);
}

static void test_nothing_left(void **state)
{
	(void)state;
	need_root();
	tu_berthl(NULL, F->root, "ps", "-a", NULL);
	assert_nothing_left();
}

/* The keeper's parent, read from /proc, of container name of this root. */
static pid_t keeper_parent(const char *name)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/run/containers/%s.json", F->root, name);
	json_t *j = json_load_file(p, 0, NULL);
	assert_non_null(j);
	int kpid = (int)json_integer_value(json_object_get(j, "keeper_pid"));
	json_decref(j);
	assert_true(kpid > 1);
	snprintf(p, sizeof(p), "/proc/%d/stat", kpid);
	char *stat = tu_read(p);
	assert_non_null(stat);
	char *end = strrchr(stat, ')'); /* comm may hold spaces */
	assert_non_null(end);
	char st;
	int ppid = 0;
	assert_int_equal(sscanf(end + 1, " %c %d", &st, &ppid), 2);
	free(stat);
	return ppid;
}

/* A caller that lives on (the TUI) gets keepers that are nobody's
 * children: a double fork, so it never has to collect them.  One that
 * exits soon (caller_exits: the CLI's run) forks its keeper once, and
 * init collects it after the caller is gone. */
static void test_keeper_parent(void **state)
{
	(void)state;
	need_root();
	struct be_ctx_opts opts = {.root = F->root};
	struct be_ctx *ctx = NULL;
	struct be_error *err = NULL;
	if (be_ctx_open(&opts, &ctx, &err) < 0)
		fail_msg("%s", err->msg);
	const char *const cmd[] = {"sleep", "100", NULL};
	struct be_container_spec spec = {.name = "kp1", .image = "demo", .cmd = (char *const *)cmd};
	struct be_start_opts o = {.in_fd = -1, .out_fd = -1, .err_fd = -1, .console_fd = -1};
	if (be_container_run(ctx, &spec, &o, NULL, &err) < 0)
		fail_msg("%s", err->msg);
	spec.name = "kp2";
	o.caller_exits = true;
	if (be_container_run(ctx, &spec, &o, NULL, &err) < 0)
		fail_msg("%s", err->msg);
	pid_t p1 = keeper_parent("kp1"), p2 = keeper_parent("kp2");
	assert_int_equal(be_container_remove(ctx, "kp1", true, &err), 0);
	assert_int_equal(be_container_remove(ctx, "kp2", true, &err), 0);
	be_ctx_free(ctx);
	/* Our own child: collected here (remove waited for it to end). */
	if (p2 == getpid())
		assert_true(waitpid(-1, NULL, 0) > 0);
	assert_int_not_equal(p1, getpid());
	assert_int_equal(p2, getpid());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_run_isolation),
	        cmocka_unit_test(test_run_write_leaves_image),
	        cmocka_unit_test(test_run_oom),
	        cmocka_unit_test(test_run_pids_limit),
	        cmocka_unit_test(test_run_cpu_quota),
	        cmocka_unit_test(test_stop_ignoring_term),
	        cmocka_unit_test(test_stop_term_reaches_init),
	        cmocka_unit_test(test_detached_lifecycle),
	        cmocka_unit_test(test_start_race),
	        cmocka_unit_test(test_keeper_killed),
	        cmocka_unit_test(test_bad_input),
	        cmocka_unit_test(test_inspect_many_json),
	        cmocka_unit_test(test_rm_damaged_config),
	        cmocka_unit_test(test_root_with_comma),
	        cmocka_unit_test(test_orphan_cgroup_removed),
	        cmocka_unit_test(test_docker_like_edges),
	        cmocka_unit_test(test_keeper_parent),
	        cmocka_unit_test(test_nothing_left),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
