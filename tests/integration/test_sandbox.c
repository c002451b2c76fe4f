/* The container process on a real kernel (root): a busybox root in a temp
 * dir, containers spawned with sandbox_spawn and entered with
 * sandbox_exec, each acceptance item checked from inside. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/sandbox.h"
#include "base/util.h"
#include "testutil.h"

struct fixture {
	char *root;   /* the temp root */
	char *rootfs; /* ROOT/rootfs: busybox */
	char *cgroup; /* a pids cgroup made by a test, removed in teardown */
	pid_t init;   /* a long-running container, killed in teardown */
};

static const char *const applets[] = {
        "sh",   "echo",     "hostname", "ps",      "ip",   "cat", "mount", "grep",
        "id",   "ls",       "sleep",    "unshare", "true", "env", "pwd",   "wc",
        "head", "readlink", "stat",     "touch",   "sort", "awk", "tr",    "mkdir",
};

static char *make_rootfs(const char *root)
{
	char *rootfs = NULL;
	assert_true(asprintf(&rootfs, "%s/rootfs", root) > 0);
	assert_int_equal(tu_sh(NULL,
	                       "mkdir -p %s/bin %s/etc %s/tmp %s/mnt %s/home/app && "
	                       "cp /bin/busybox %s/bin/busybox",
	                       rootfs, rootfs, rootfs, rootfs, rootfs, rootfs),
	                 0);
	for (size_t i = 0; i < sizeof(applets) / sizeof(applets[0]); i++) {
		char *link = NULL;
		assert_true(asprintf(&link, "%s/bin/%s", rootfs, applets[i]) > 0);
		assert_int_equal(symlink("busybox", link), 0);
		free(link);
	}
	char *p = NULL;
	assert_true(asprintf(&p, "%s/etc/passwd", rootfs) > 0);
	tu_write(p, "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n"
	            "nobody:x:65534:65534:nobody:/:/bin/false\n");
	free(p);
	assert_true(asprintf(&p, "%s/etc/group", rootfs) > 0);
	tu_write(p, "root:x:0:\ntty:x:5:\nstaff:x:50:app,other\napp:x:1000:\n");
	free(p);
	assert_true(asprintf(&p, "%s/bin/notexec", rootfs) > 0);
	tu_write(p, "#!/bin/sh\necho no\n"); /* mode 0644 */
	free(p);
	return rootfs;
}

static int group_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->init = -1;
	f->root = tu_root_new();
	if (tu_is_root())
		f->rootfs = make_rootfs(f->root);
	*state = f;
	return 0;
}

static int group_teardown(void **state)
{
	struct fixture *f = *state;
	if (f == NULL)
		return 0;
	tu_root_remove(f->root);
	free(f->root);
	free(f->rootfs);
	free(f);
	return 0;
}

/* Per test: kills the long-running init and removes the cgroup, if any. */
static int test_teardown(void **state)
{
	struct fixture *f = *state;
	if (f->init > 0) {
		kill(f->init, SIGKILL);
		while (waitpid(f->init, NULL, 0) < 0 && errno == EINTR)
			;
		f->init = -1;
	}
	if (f->cgroup) {
		for (int i = 0; i < 100 && rmdir(f->cgroup) < 0 && errno == EBUSY; i++)
			usleep(10000);
		free(f->cgroup);
		f->cgroup = NULL;
	}
	return 0;
}

static struct fixture *need_root(void **state)
{
	if (!tu_is_root())
		skip();
	return *state;
}

static const char *const env_default[] = {"PATH=/bin", "HOME=/root", "HOSTNAME=box1", "FOO=bar baz",
                                          NULL};

static struct be_sandbox_cfg base_cfg(struct fixture *f, const char *const *argv)
{
	return (struct be_sandbox_cfg){
	        .rootfs = f->rootfs,
	        .hostname = "box1",
	        .argv = (char *const *)argv,
	        .env = (char *const *)env_default,
	        .stdio = {-1, -1, -1},
	        .report_fd = -1,
	        .keep_fd = -1,
	};
}

/* Spawns cfg with stdout+stderr on a pipe; returns the exit status and the
 * output in *out, or -1 with *err when the spawn failed. */
static int run_cfg(struct be_sandbox_cfg *cfg, int (*hook)(pid_t, void *), void *data, char **out,
                   struct be_error **err)
{
	int p[2];
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	cfg->stdio[1] = cfg->stdio[2] = p[1];
	pid_t pid = -1;
	int r = sandbox_spawn(cfg, hook, data, &pid, err);
	close(p[1]);
	*out = tu_slurp_fd(p[0]);
	close(p[0]);
	return r < 0 ? -1 : tu_wait_status(pid);
}

/* Runs sh -c SCRIPT in a fresh container with the base config; asserts it
 * started and returns its output (caller frees). */
static char *run_sh(struct fixture *f, const char *script, int *status)
{
	const char *argv[] = {"sh", "-c", script, NULL};
	struct be_sandbox_cfg cfg = base_cfg(f, argv);
	struct be_error *err = NULL;
	char *out = NULL;
	int st = run_cfg(&cfg, NULL, NULL, &out, &err);
	if (err)
		fail_msg("spawn failed: %s", err->msg);
	if (status)
		*status = st;
	return out;
}

/* ---- acceptance items -------------------------------------------------- */

static void test_be_sandbox_spawn_pid_is_one(void **state)
{
	struct fixture *f = need_root(state);
	int st = -1;
	char *out = run_sh(f, "echo $$", &st);
	assert_int_equal(st, 0);
	assert_string_equal(out, "1\n");
	free(out);
}

static void test_be_sandbox_spawn_hostname(void **state)
{
	struct fixture *f = need_root(state);
	char *out = run_sh(f, "hostname", NULL);
	assert_string_equal(out, "box1\n");
	free(out);
}

static void test_be_sandbox_spawn_ps_own_only(void **state)
{
	struct fixture *f = need_root(state);
	char *out = run_sh(f, "ps -o pid,comm; echo end", NULL);
	/* The header, sh (pid 1), ps itself, then "end": never the host's. */
	int lines = 0, maxpid = 0;
	for (char *l = strtok(out, "\n"); l; l = strtok(NULL, "\n")) {
		lines++;
		int pid = atoi(l);
		if (pid > maxpid)
			maxpid = pid;
	}
	assert_in_range(lines, 3, 4);
	assert_in_range(maxpid, 1, 5);
	free(out);
}

static void test_be_sandbox_spawn_net_none_only_lo(void **state)
{
	struct fixture *f = need_root(state);
	char *out = run_sh(f, "grep : /proc/net/dev | awk '{print $1}'; ip link | grep -c '^[0-9]'",
	                   NULL);
	assert_string_equal(out, "lo:\n1\n");
	free(out);
}

static void test_be_sandbox_spawn_net_host(void **state)
{
	struct fixture *f = need_root(state);
	const char *argv[] = {"sh", "-c",
	                      "grep -c : /proc/net/dev; touch /sys/x 2>/dev/null && echo writable; "
	                      "awk '$2 ~ /^\\/sys/ && $4 !~ /^ro/ {print \"rw \" $2}' /proc/mounts",
	                      NULL};
	struct be_sandbox_cfg cfg = base_cfg(f, argv);
	cfg.net_host = true;
	struct be_error *err = NULL;
	char *out = NULL;
	assert_int_equal(run_cfg(&cfg, NULL, NULL, &out, &err), 0);
	assert_null(err);
	struct tu_out host = {0};
	assert_int_equal(tu_sh(&host, "grep -c : /proc/net/dev"), 0);
	/* Same interfaces as the host, and all of /sys read-only. */
	assert_string_equal(out, host.out);
	tu_out_free(&host);
	free(out);
}

static void test_be_sandbox_spawn_masked_paths(void **state)
{
	struct fixture *f = need_root(state);
	/* Inside, each masked path the host has is there but empty. */
	static const char *const paths[] = {
	        "/proc/kcore",       "/proc/keys", "/proc/timer_list", "/proc/latency_stats",
	        "/proc/sched_debug", "/proc/acpi", "/proc/scsi",       "/sys/firmware",
	};
	char expect[1024] = "", script[2048] = "";
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct stat st;
		if (stat(paths[i], &st) < 0)
			continue;
		snprintf(expect + strlen(expect), sizeof(expect) - strlen(expect), "%s 0\n",
		         paths[i]);
		snprintf(script + strlen(script), sizeof(script) - strlen(script),
		         "echo %s $(%s %s | wc -c); ", paths[i],
		         S_ISDIR(st.st_mode) ? "ls -A" : "cat", paths[i]);
	}
	assert_true(strlen(expect) > 0);
	char *out = run_sh(f, script, NULL);
	assert_string_equal(out, expect);
	free(out);
	/* and the host's are not empty: the check above means something */
	char *tl = tu_read("/proc/timer_list");
	if (tl)
		assert_true(strlen(tl) > 0);
	free(tl);
}

static void test_be_sandbox_spawn_readonly_and_flags(void **state)
{
	struct fixture *f = need_root(state);
	char *out = run_sh(f,
	                   "awk '$2 == \"/proc\" || $2 == \"/proc/sys\" || $2 == \"/sys\" "
	                   "{print $2, $4}' /proc/mounts; echo 1 > /proc/sys/kernel/hostname "
	                   "2>/dev/null || echo ro",
	                   NULL);
	assert_non_null(strstr(out, "/proc rw,nosuid,nodev,noexec"));
	assert_non_null(strstr(out, "/proc/sys ro,nosuid,nodev,noexec"));
	assert_non_null(strstr(out, "/sys ro,nosuid,nodev,noexec"));
	assert_non_null(strstr(out, "\nro\n"));
	free(out);
}

static void test_be_sandbox_spawn_old_root_gone(void **state)
{
	struct fixture *f = need_root(state);
	/* Only the container's own mounts: /, /proc..., /sys..., /dev... */
	char *out =
	        run_sh(f,
	               "awk '$2 != \"/\" && $2 !~ /^\\/(proc|sys|dev)(\\/|$)/ {print \"host \" $2}"
	               "' /proc/mounts; ls /tmp | wc -l",
	               NULL);
	assert_string_equal(out, "0\n");
	free(out);
	/* The host's mount table has nothing of the container. */
	struct tu_out o = {0};
	tu_sh(&o, "grep -c '%s' /proc/self/mountinfo", f->root);
	assert_string_equal(o.out, "0\n");
	tu_out_free(&o);
}

static void test_be_sandbox_spawn_dev(void **state)
{
	struct fixture *f = need_root(state);
	char *out =
	        run_sh(f,
	               "ls /dev | tr '\\n' ' '; echo; echo x > /dev/null && head -c 5 /dev/zero | "
	               "wc -c; readlink /dev/ptmx; stat -c '%a %F' /dev/shm /dev/null; "
	               "awk '$2 == \"/dev/pts\" {print $4}' /proc/mounts",
	               NULL);
	assert_string_equal(out, "fd full null ptmx pts random shm stderr stdin stdout tty urandom "
	                         "zero \n5\npts/ptmx\n1777 directory\n666 character special file\n"
	                         "rw,nosuid,noexec,relatime,gid=5,mode=620,ptmxmode=666\n");
	free(out);
}

static void test_be_sandbox_spawn_mount_denied(void **state)
{
	struct fixture *f = need_root(state);
	int st = -1;
	char *out = run_sh(f, "mount -t tmpfs x /mnt 2>/dev/null; echo rc=$?", &st);
	assert_int_equal(st, 0);
	assert_string_not_equal(out, "rc=0\n");
	assert_non_null(strstr(out, "rc="));
	free(out);
}

/* Parses "CapEff:\t00000000a80425fb" style lines out of text. */
static unsigned long long cap_line(const char *text, const char *key)
{
	const char *at = strstr(text, key);
	assert_non_null(at);
	return strtoull(at + strlen(key), NULL, 16);
}

static void test_be_sandbox_spawn_capabilities(void **state)
{
	struct fixture *f = need_root(state);
	char *out = run_sh(f, "cat /proc/self/status", NULL);
	unsigned long long def = secure_default_caps();
	assert_int_equal(def, 0xa80425fbULL); /* docker's CapEff */
	assert_int_equal(cap_line(out, "CapEff:"), def);
	assert_int_equal(cap_line(out, "CapPrm:"), def);
	assert_int_equal(cap_line(out, "CapBnd:"), def);
	assert_int_equal(cap_line(out, "CapInh:"), 0);
	assert_int_equal(cap_line(out, "CapAmb:"), 0);
	assert_false(cap_line(out, "CapEff:") & (1ULL << 21)); /* CAP_SYS_ADMIN */
	assert_non_null(strstr(out, "NoNewPrivs:\t1"));
	assert_non_null(strstr(out, "Seccomp:\t2"));
	free(out);
}

static void test_be_sandbox_spawn_inheritable_cleared(void **state)
{
	struct fixture *f = need_root(state);
	/* A root parent with CAP_SYS_ADMIN inheritable: were it kept, exec
	 * would hand it back to root in the container past the bounding set. */
	cap_t saved = cap_get_proc();
	assert_non_null(saved);
	cap_t raised = cap_dup(saved);
	cap_value_t admin = CAP_SYS_ADMIN;
	assert_int_equal(cap_set_flag(raised, CAP_INHERITABLE, 1, &admin, CAP_SET), 0);
	assert_int_equal(cap_set_proc(raised), 0);
	assert_int_equal(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_SYS_ADMIN, 0, 0), 0);
	char *out = run_sh(f, "grep -E '^Cap(Inh|Prm|Eff|Amb)' /proc/self/status", NULL);
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	assert_int_equal(cap_set_proc(saved), 0);
	cap_free(raised);
	cap_free(saved);
	assert_int_equal(cap_line(out, "CapInh:"), 0);
	assert_int_equal(cap_line(out, "CapAmb:"), 0);
	assert_int_equal(cap_line(out, "CapPrm:"), secure_default_caps());
	assert_int_equal(cap_line(out, "CapEff:"), secure_default_caps());
	free(out);
}

static void test_be_sandbox_spawn_seccomp_denies(void **state)
{
	struct fixture *f = need_root(state);
	char *out = run_sh(f,
	                   "unshare -U true 2>/dev/null; echo u=$?; unshare -m true 2>/dev/null; "
	                   "echo m=$?; unshare -U true 2>&1 | grep -c 'Operation not permitted'",
	                   NULL);
	assert_string_equal(out, "u=1\nm=1\n1\n");
	free(out);
}

static void test_be_sandbox_spawn_no_seccomp(void **state)
{
	struct fixture *f = need_root(state);
	const char *argv[] = {"grep", "^Seccomp:", "/proc/self/status", NULL};
	struct be_sandbox_cfg cfg = base_cfg(f, argv);
	cfg.no_seccomp = true;
	struct be_error *err = NULL;
	char *out = NULL;
	assert_int_equal(run_cfg(&cfg, NULL, NULL, &out, &err), 0);
	assert_string_equal(out, "Seccomp:\t0\n");
	free(out);
}

static void expect_spawn_error(struct fixture *f, const char *cmd, int code, const char *text)
{
	const char *argv[] = {cmd, NULL};
	struct be_sandbox_cfg cfg = base_cfg(f, argv);
	struct be_error *err = NULL;
	char *out = NULL;
	assert_int_equal(run_cfg(&cfg, NULL, NULL, &out, &err), -1);
	assert_non_null(err);
	assert_int_equal(err->exitcode, code);
	if (strstr(err->msg, text) == NULL)
		fail_msg("\"%s\" lacks \"%s\"", err->msg, text);
	be_error_free(err);
	free(out);
}

static void test_be_sandbox_spawn_not_found_127(void **state)
{
	struct fixture *f = need_root(state);
	expect_spawn_error(f, "nonexistent", 127,
	                   "exec: \"nonexistent\": executable file not found in $PATH");
	expect_spawn_error(f, "/bin/nonexistent", 127, "No such file or directory");
}

static void test_be_sandbox_spawn_not_executable_126(void **state)
{
	struct fixture *f = need_root(state);
	expect_spawn_error(f, "/bin/notexec", 126, "Permission denied");
	expect_spawn_error(f, "notexec", 126, "permission denied");
	expect_spawn_error(f, "/etc", 126, "Permission denied");
}

static void test_be_sandbox_spawn_fds_closed(void **state)
{
	struct fixture *f = need_root(state);
	int fd = open("/dev/null", O_RDONLY); /* no O_CLOEXEC on purpose */
	assert_true(fd >= 0);
	assert_int_equal(dup2(fd, 42), 42);
	assert_int_equal(dup2(fd, 43), 43);
	const char *argv[] = {"sh", "-c", "ls /proc/self/fd | tr '\\n' ' '", NULL};
	struct be_sandbox_cfg cfg = base_cfg(f, argv);
	struct be_error *err = NULL;
	char *out = NULL;
	assert_int_equal(run_cfg(&cfg, NULL, NULL, &out, &err), 0);
	/* 0-2, and the directory ls reads */
	assert_string_equal(out, "0 1 2 3 ");
	free(out);
	cfg.keep_fd = 43; /* left as it is: open across exec */
	assert_int_equal(run_cfg(&cfg, NULL, NULL, &out, &err), 0);
	assert_string_equal(out, "0 1 2 3 43 ");
	free(out);
	close(42);
	close(43);
	close(fd);
}

static void test_be_sandbox_spawn_env_exact(void **state)
{
	struct fixture *f = need_root(state);
	const char *argv[] = {"env", NULL};
	struct be_sandbox_cfg cfg = base_cfg(f, argv);
	struct be_error *err = NULL;
	char *out = NULL;
	assert_int_equal(run_cfg(&cfg, NULL, NULL, &out, &err), 0);
	assert_string_equal(out, "PATH=/bin\nHOME=/root\nHOSTNAME=box1\nFOO=bar baz\n");
	free(out);
}

static void test_be_sandbox_spawn_workdir(void **state)
{
	struct fixture *f = need_root(state);
	const char *argv[] = {"pwd", NULL};
	struct be_sandbox_cfg cfg = base_cfg(f, argv);
	cfg.workdir = "/work/sub";
	struct be_error *err = NULL;
	char *out = NULL;
	assert_int_equal(run_cfg(&cfg, NULL, NULL, &out, &err), 0);
	assert_string_equal(out, "/work/sub\n");
	free(out);
	cfg.workdir = "relative";
	assert_int_equal(run_cfg(&cfg, NULL, NULL, &out, &err), -1);
	assert_int_equal(err->exitcode, 125);
	assert_non_null(strstr(err->msg, "not absolute"));
	be_error_free(err);
	free(out);
}

static void test_be_sandbox_spawn_bad_root(void **state)
{
	struct fixture *f = need_root(state);
	const char *argv[] = {"/bin/true", NULL};
	struct be_sandbox_cfg cfg = base_cfg(f, argv);
	struct be_error *err = NULL;
	char *out = NULL;
	/* missing */
	char *missing = NULL;
	assert_true(asprintf(&missing, "%s/missing", f->root) > 0);
	cfg.rootfs = missing;
	assert_int_equal(run_cfg(&cfg, NULL, NULL, &out, &err), -1);
	assert_int_equal(err->exitcode, 125);
	assert_non_null(strstr(err->msg, "No such file or directory"));
	be_error_clear(&err);
	free(out);
	/* a mount point that is a symlink out of the root: refused */
	char *evil = NULL;
	assert_true(asprintf(&evil, "%s/evil", f->root) > 0);
	assert_int_equal(tu_sh(NULL, "mkdir -p %s/etc && ln -s /etc %s/proc", evil, evil), 0);
	cfg.rootfs = evil;
	assert_int_equal(run_cfg(&cfg, NULL, NULL, &out, &err), -1);
	assert_int_equal(err->exitcode, 125);
	assert_non_null(strstr(err->msg, "/proc in the container's root is not a directory"));
	be_error_clear(&err);
	free(out);
	/* relative */
	cfg.rootfs = "rootfs";
	assert_int_equal(run_cfg(&cfg, NULL, NULL, &out, &err), -1);
	assert_non_null(strstr(err->msg, "not an absolute path"));
	be_error_clear(&err);
	free(out);
	free(missing);
	free(evil);
}

/* -t: the init opens a terminal in the container's own devpts, sends the
 * master over the console socket, and has the slave as its controlling
 * terminal. */
static void test_be_sandbox_spawn_tty(void **state)
{
	struct fixture *f = need_root(state);
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	/* /dev/tty opens only for a process with a controlling terminal */
	const char *argv[] = {"sh", "-c", "echo ctty > /dev/tty && [ -t 0 ] && tty", NULL};
	struct be_sandbox_cfg cfg = base_cfg(f, argv);
	cfg.tty = true;
	cfg.console_fd = sv[1];
	struct be_error *err = NULL;
	pid_t pid = -1;
	assert_int_equal(sandbox_spawn(&cfg, NULL, NULL, &pid, &err), 0);
	close(sv[1]);
	int master = util_recv_fd(sv[0], &err);
	close(sv[0]);
	assert_true(master >= 0);
	char buf[256] = "";
	size_t n = 0;
	for (;;) { /* EIO once the last slave fd is closed */
		ssize_t r = read(master, buf + n, sizeof(buf) - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	close(master);
	assert_int_equal(tu_wait_status(pid), 0);
	assert_string_equal(buf, "ctty\r\n/dev/pts/0\r\n");
}

static char *run_as(struct fixture *f, const char *user, struct be_error **err)
{
	const char *argv[] = {"sh", "-c", "id -u; id -g; id -G; grep CapEff /proc/self/status",
	                      NULL};
	struct be_sandbox_cfg cfg = base_cfg(f, argv);
	cfg.user = user;
	char *out = NULL;
	int st = run_cfg(&cfg, NULL, NULL, &out, err);
	if (st < 0)
		return free(out), NULL;
	assert_int_equal(st, 0);
	return out;
}

static void test_be_sandbox_spawn_user(void **state)
{
	struct fixture *f = need_root(state);
	struct be_error *err = NULL;
	char *out = run_as(f, "1000:1000", &err);
	assert_non_null(out);
	assert_string_equal(out, "1000\n1000\n1000 50\nCapEff:\t0000000000000000\n");
	free(out);
	out = run_as(f, "app", &err);
	assert_non_null(out);
	assert_string_equal(out, "1000\n1000\n1000 50\nCapEff:\t0000000000000000\n");
	free(out);
	out = run_as(f, "4321", &err);
	assert_non_null(out);
	assert_string_equal(out, "4321\n0\n0\nCapEff:\t0000000000000000\n");
	free(out);
	assert_null(run_as(f, "ghost", &err));
	assert_int_equal(err->exitcode, 125);
	assert_non_null(strstr(err->msg, "unable to find user ghost"));
	be_error_free(err);
}

/* ---- the cgroup namespace, rooted at the cgroup the parent chose -------- */

static int attach_hook(pid_t child, void *data)
{
	const char *cg = data;
	char p[4096];
	snprintf(p, sizeof(p), "%s/cgroup.procs", cg);
	FILE *fp = fopen(p, "w");
	if (fp == NULL)
		return -1;
	fprintf(fp, "%d\n", (int)child);
	return fclose(fp) == 0 ? 0 : -1;
}

static int failing_hook(pid_t child, void *data)
{
	*(pid_t *)data = child;
	return -1;
}

static void test_be_sandbox_spawn_cgroup_ns(void **state)
{
	struct fixture *f = need_root(state);
	struct stat st;
	struct statfs sf;
	/* v1: the pids hierarchy; pure v2: the unified one ("0::" lines). */
	bool v2 = statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == 0x63677270;
	if (!v2 && stat("/sys/fs/cgroup/pids/cgroup.procs", &st) != 0) {
		print_message("skipped: neither a v1 pids hierarchy nor pure cgroup v2\n");
		skip();
	}
	assert_true(asprintf(&f->cgroup, "/sys/fs/cgroup/%sberth-sbxtest-%d", v2 ? "" : "pids/",
	                     (int)getpid()) > 0);
	assert_int_equal(mkdir(f->cgroup, 0755), 0);
	const char *argv[] = {"grep", v2 ? "^0::" : ":pids:", "/proc/self/cgroup", NULL};
	struct be_sandbox_cfg cfg = base_cfg(f, argv);
	struct be_error *err = NULL;
	char *out = NULL;
	if (run_cfg(&cfg, attach_hook, f->cgroup, &out, &err) != 0)
		fail_msg("%s", err ? err->msg : "spawn failed");
	/* Inside, its own cgroup is the root of its view. */
	assert_non_null(strstr(out, v2 ? "0::/\n" : ":pids:/\n"));
	free(out);
}

static void test_be_sandbox_spawn_hook_fails(void **state)
{
	struct fixture *f = need_root(state);
	const char *argv[] = {"true", NULL};
	struct be_sandbox_cfg cfg = base_cfg(f, argv);
	struct be_error *err = NULL;
	char *out = NULL;
	pid_t seen = -1;
	assert_int_equal(run_cfg(&cfg, failing_hook, &seen, &out, &err), -1);
	assert_non_null(err);
	assert_int_equal(err->exitcode, 0);
	be_error_free(err);
	free(out);
	/* The child was reaped: nothing is left to wait for. */
	assert_true(seen > 0);
	assert_int_equal(waitpid(seen, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

/* ---- exec --------------------------------------------------------------- */

static void start_sleeper(struct fixture *f)
{
	const char *argv[] = {"sleep", "1000", NULL};
	struct be_sandbox_cfg cfg = base_cfg(f, argv);
	struct be_error *err = NULL;
	if (sandbox_spawn(&cfg, NULL, NULL, &f->init, &err) < 0)
		fail_msg("spawn: %s", err->msg);
}

struct hook_seen {
	int calls;
	pid_t pid;
};

static int record_hook(pid_t child, void *data)
{
	struct hook_seen *h = data;
	h->calls++;
	h->pid = child;
	return 0;
}

/* Execs argv into f->init; returns the status, output in *out. */
static int exec_in(struct fixture *f, struct be_sandbox_cfg *cfg, char **out, struct be_error **err)
{
	int p[2];
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	cfg->stdio[1] = cfg->stdio[2] = p[1];
	struct hook_seen h = {0};
	pid_t child = -1;
	int r = sandbox_exec(f->init, cfg, record_hook, &h, &child, err);
	close(p[1]);
	*out = tu_slurp_fd(p[0]);
	close(p[0]);
	assert_int_equal(h.calls, 1);
	if (r < 0)
		return -1;
	assert_int_equal(h.pid, child);
	return tu_wait_status(child);
}

static void test_be_sandbox_exec_joins(void **state)
{
	struct fixture *f = need_root(state);
	start_sleeper(f);
	const char *argv[] = {
	        "sh", "-c",
	        "echo $$; hostname; cat /proc/1/comm; grep -c ^app: /etc/passwd; for n in mnt uts "
	        "ipc net pid cgroup; "
	        "do [ \"$(readlink /proc/self/ns/$n)\" = \"$(readlink /proc/1/ns/$n)\" ] || "
	        "echo differs $n; done; grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status",
	        NULL};
	struct be_sandbox_cfg cfg = base_cfg(f, argv);
	struct be_error *err = NULL;
	char *out = NULL;
	assert_int_equal(exec_in(f, &cfg, &out, &err), 0);
	int pid = atoi(out);
	assert_true(pid > 1);
	const char *rest = strchr(out, '\n') + 1;
	assert_string_equal(rest, "box1\nsleep\n1\nNoNewPrivs:\t1\nSeccomp:\t2\n");
	free(out);
}

static void test_be_sandbox_exec_user_and_errors(void **state)
{
	struct fixture *f = need_root(state);
	start_sleeper(f);
	const char *argv[] = {"id", "-u", NULL};
	struct be_sandbox_cfg cfg = base_cfg(f, argv);
	cfg.user = "app";
	struct be_error *err = NULL;
	char *out = NULL;
	assert_int_equal(exec_in(f, &cfg, &out, &err), 0);
	assert_string_equal(out, "1000\n");
	free(out);

	const char *bad[] = {"nonexistent", NULL};
	cfg = base_cfg(f, bad);
	assert_int_equal(exec_in(f, &cfg, &out, &err), -1);
	assert_int_equal(err->exitcode, 127);
	be_error_clear(&err);
	free(out);

	cfg = base_cfg(f, argv);
	cfg.workdir = "/no/such/dir";
	assert_int_equal(exec_in(f, &cfg, &out, &err), -1);
	assert_int_equal(err->exitcode, 126);
	assert_non_null(strstr(err->msg, "/no/such/dir"));
	be_error_clear(&err);
	free(out);
}

static void test_be_sandbox_exec_not_running(void **state)
{
	need_root(state);
	/* A pid that exited: reaped child of ours, surely gone. */
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	tu_wait_status(pid);
	const char *argv[] = {"true", NULL};
	struct be_sandbox_cfg cfg = {.argv = (char *const *)argv,
	                             .env = (char *const *)env_default,
	                             .stdio = {-1, -1, -1}};
	struct be_error *err = NULL;
	pid_t child = -1;
	assert_int_equal(sandbox_exec(pid, &cfg, NULL, NULL, &child, &err), -1);
	assert_non_null(err);
	be_error_free(err);
}

static void test_be_sandbox_clone_flags_net(void **state)
{
	(void)state;
	struct be_sandbox_cfg cfg = {0};
	unsigned long base = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC;
	assert_int_equal(sandbox_clone_flags(&cfg), base | CLONE_NEWNET);
	cfg.net_host = true;
	assert_int_equal(sandbox_clone_flags(&cfg), base);
	assert_false(sandbox_clone_flags(&cfg) & CLONE_NEWCGROUP);
}

static void test_be_sandbox_read_report_parse(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		int rc, code;
		const char *msg;
	} cases[] = {
	        {"", 0, 0, NULL},
	        {"127 exec: \"x\": not found\n", -1, 127, "exec: \"x\": not found"},
	        {"126 denied", -1, 126, "denied"},
	        {"125 mount failed\n", -1, 125, "mount failed"},
	        {"garbage", -1, 125, "garbage"},
	        {"3 odd code", -1, 125, "3 odd code"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int p[2];
		assert_int_equal(pipe(p), 0);
		size_t n = strlen(cases[i].text);
		assert_int_equal(write(p[1], cases[i].text, n), (ssize_t)n);
		close(p[1]);
		struct be_error *err = NULL;
		assert_int_equal(sandbox_read_report(p[0], &err), cases[i].rc);
		close(p[0]);
		if (cases[i].msg == NULL) {
			assert_null(err);
			continue;
		}
		assert_int_equal(err->exitcode, cases[i].code);
		assert_string_equal(err->msg, cases[i].msg);
		be_error_free(err);
	}
}

int main(void)
{
#define T(name) cmocka_unit_test_teardown(name, test_teardown)
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_be_sandbox_clone_flags_net),
	        cmocka_unit_test(test_be_sandbox_read_report_parse),
	        T(test_be_sandbox_spawn_pid_is_one),
	        T(test_be_sandbox_spawn_hostname),
	        T(test_be_sandbox_spawn_ps_own_only),
	        T(test_be_sandbox_spawn_net_none_only_lo),
	        T(test_be_sandbox_spawn_net_host),
	        T(test_be_sandbox_spawn_masked_paths),
	        T(test_be_sandbox_spawn_readonly_and_flags),
	        T(test_be_sandbox_spawn_old_root_gone),
	        T(test_be_sandbox_spawn_dev),
	        T(test_be_sandbox_spawn_mount_denied),
	        T(test_be_sandbox_spawn_capabilities),
	        T(test_be_sandbox_spawn_inheritable_cleared),
	        T(test_be_sandbox_spawn_seccomp_denies),
	        T(test_be_sandbox_spawn_no_seccomp),
	        T(test_be_sandbox_spawn_not_found_127),
	        T(test_be_sandbox_spawn_not_executable_126),
	        T(test_be_sandbox_spawn_fds_closed),
	        T(test_be_sandbox_spawn_env_exact),
	        T(test_be_sandbox_spawn_workdir),
	        T(test_be_sandbox_spawn_bad_root),
	        T(test_be_sandbox_spawn_tty),
	        T(test_be_sandbox_spawn_user),
	        T(test_be_sandbox_spawn_cgroup_ns),
	        T(test_be_sandbox_spawn_hook_fails),
	        T(test_be_sandbox_exec_joins),
	        T(test_be_sandbox_exec_user_and_errors),
	        T(test_be_sandbox_exec_not_running),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
