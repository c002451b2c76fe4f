/* Test helpers: temporary roots, running berth and shell commands. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "berth.h"
#include "testutil.h"

const char *tu_berth_bin(void)
{
	const char *b = getenv("BERTH_BIN");
	return b && *b ? b : "build/berth";
}

bool tu_is_root(void)
{
	return geteuid() == 0;
}

void tu_root_log(const char *root)
{
	const char *log = getenv("BERTH_TEST_ROOTS");
	/* Only the tests' own roots: not "/" or /proc, which tests give berth
	 * to see it refuse them. */
	if (log == NULL || *log == '\0' || root == NULL ||
	    strncmp(root, "/tmp/berth-test-", 16) != 0)
		return;
	int fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	char line[4200];
	int n = snprintf(line, sizeof(line), "%s\n", root);
	if (n > 0 && (size_t)n < sizeof(line) && write(fd, line, (size_t)n) != n) {
		/* only a hint for run-tests.sh's leftover check */
	}
	close(fd);
}

char *tu_root_new(void)
{
	char *p = strdup("/tmp/berth-test-XXXXXX");
	assert_non_null(p);
	assert_non_null(mkdtemp(p));
	tu_root_log(p);
	return p;
}

/* Kills every pid listed in files named "pid" or "keeper.pid" (or JSON
 * "pid"/"keeper_pid" fields) under the run directory. */
static void kill_recorded(const char *dir)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char p[4096];
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		struct stat st;
		if (lstat(p, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			kill_recorded(p);
			continue;
		}
		char *text = tu_read(p);
		if (text == NULL)
			continue;
		static const char *keys[] = {"\"keeper_pid\":", "\"pid\":"};
		for (size_t k = 0; k < 2; k++) {
			char *at = strstr(text, keys[k]);
			if (at) {
				int pid = atoi(at + strlen(keys[k]) + (at[strlen(keys[k])] == ' '));
				if (pid > 1)
					kill(pid, SIGKILL);
			}
		}
		free(text);
	}
	closedir(d);
}

static void unmount_below(const char *root)
{
	/* Unmount deepest first until none is left below root. */
	for (int pass = 0; pass < 64; pass++) {
		FILE *f = fopen("/proc/self/mountinfo", "r");
		if (f == NULL)
			return;
		char line[8192], best[4096] = "";
		size_t rl = strlen(root);
		while (fgets(line, sizeof(line), f)) {
			char mp[4096];
			if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1)
				continue;
			if (strncmp(mp, root, rl) == 0 && (mp[rl] == '/' || mp[rl] == '\0') &&
			    strlen(mp) > strlen(best))
				strcpy(best, mp);
		}
		fclose(f);
		if (best[0] == '\0')
			return;
		if (umount2(best, MNT_DETACH) < 0)
			return;
	}
}

void tu_root_remove(const char *root)
{
	if (root == NULL || strncmp(root, "/tmp/berth-test-", 16) != 0)
		return;
	char run[4096];
	snprintf(run, sizeof(run), "%s/run", root);
	kill_recorded(run);
	/* Give killed keepers a moment to unmount and remove their cgroups. */
	usleep(100 * 1000);
	unmount_below(root);
	/* A trash reaper (a detached berth process or a keeper past its
	 * report) holds the trash's flock while it deletes: let it finish. */
	tu_sh(NULL, "[ -d '%s/trash' ] && flock -w 60 '%s/trash' true; true", root, root);
	tu_sh(NULL, "rm -rf --one-file-system '%s'", root);
	/* Cgroups of this root that a killed keeper could not remove: thaw
	 * them, kill their members, remove them deepest first. */
	struct be_ctx_opts opts = {.root = root, .read_only = true};
	struct be_ctx *ctx = NULL;
	if (be_ctx_open(&opts, &ctx, NULL) < 0)
		return;
	const char *parent = be_ctx_cgroup_parent(ctx);
	tu_sh(NULL,
	      "for s in /sys/fs/cgroup/freezer/%s/*/freezer.state; do [ -f \"$s\" ] && echo THAWED "
	      "> \"$s\"; done 2>/dev/null; "
	      "for d in $(find /sys/fs/cgroup -mindepth 1 -maxdepth 4 -type d -name '%s' "
	      "2>/dev/null); "
	      "do for c in $(find \"$d\" -depth -type d); do "
	      "[ -f \"$c/cgroup.freeze\" ] && echo 0 > \"$c/cgroup.freeze\"; "
	      "for p in $(cat \"$c/cgroup.procs\" 2>/dev/null); do kill -9 $p; done; "
	      "for i in 1 2 3 4 5 6 7 8 9 10; do rmdir \"$c\" 2>/dev/null && break; sleep 0.05; "
	      "done; "
	      "done; done; true",
	      parent, parent);
	be_ctx_free(ctx);
}

void tu_repair_due(const char *root)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/run/repaired", root);
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	struct timespec t[2] = {{.tv_sec = now.tv_sec - 3600}, {.tv_sec = now.tv_sec - 3600}};
	utimensat(AT_FDCWD, p, t, 0);
}

void tu_trash_settle(const char *root)
{
	tu_sh(NULL, "[ -d '%s/trash' ] && flock -w 60 '%s/trash' true; true", root, root);
}

void tu_out_free(struct tu_out *o)
{
	if (o == NULL)
		return;
	free(o->out);
	free(o->err);
	o->out = o->err = NULL;
}

char *tu_slurp_fd(int fd)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	assert_non_null(buf);
	lseek(fd, 0, SEEK_SET); /* a file from its start; fails harmlessly on a pipe */
	for (;;) {
		if (n + 1 >= cap) {
			buf = realloc(buf, cap *= 2);
			assert_non_null(buf);
		}
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	return buf;
}

int tu_wait_status(pid_t pid)
{
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int run_argv(struct tu_out *o, const char *input, char *const *argv)
{
	char outp[] = "/tmp/tu-out-XXXXXX", errp[] = "/tmp/tu-err-XXXXXX",
	     inp[] = "/tmp/tu-in-XXXXXX";
	int ofd = mkstemp(outp), efd = mkstemp(errp), ifd = -1;
	assert_true(ofd >= 0 && efd >= 0);
	unlink(outp);
	unlink(errp);
	if (input) {
		ifd = mkstemp(inp);
		assert_true(ifd >= 0);
		unlink(inp);
		assert_int_equal(write(ifd, input, strlen(input)), (ssize_t)strlen(input));
		lseek(ifd, 0, SEEK_SET);
	}
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int in = ifd >= 0 ? ifd : open("/dev/null", O_RDONLY);
		dup2(in, 0);
		dup2(ofd, 1);
		dup2(efd, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	int status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (o) {
		o->status = status;
		o->out = tu_slurp_fd(ofd);
		o->err = tu_slurp_fd(efd);
	}
	close(ofd);
	close(efd);
	if (ifd >= 0)
		close(ifd);
	return status;
}

int tu_berth_in(struct tu_out *o, const char *root, const char *input, const char *const *argv)
{
	tu_root_log(root);
	size_t n = 0;
	while (argv[n])
		n++;
	const char **full = calloc(n + 4, sizeof(char *));
	assert_non_null(full);
	full[0] = tu_berth_bin();
	full[1] = "--root";
	full[2] = root;
	for (size_t i = 0; i < n; i++)
		full[3 + i] = argv[i];
	int r = run_argv(o, input, (char *const *)full);
	free(full);
	return r;
}

int tu_berth(struct tu_out *o, const char *root, const char *const *argv)
{
	return tu_berth_in(o, root, NULL, argv);
}

int tu_berthl(struct tu_out *o, const char *root, ...)
{
	const char *argv[64];
	size_t n = 0;
	va_list ap;
	va_start(ap, root);
	const char *a;
	while ((a = va_arg(ap, const char *)) != NULL && n < 63)
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	return tu_berth(o, root, argv);
}

int tu_sh(struct tu_out *o, const char *fmt, ...)
{
	char *cmd = NULL;
	va_list ap;
	va_start(ap, fmt);
	assert_true(vasprintf(&cmd, fmt, ap) >= 0);
	va_end(ap);
	char sh[] = "/bin/sh", dash_c[] = "-c";
	char *argv[] = {sh, dash_c, cmd, NULL};
	int r = run_argv(o, NULL, argv);
	free(cmd);
	return r;
}

int tu_count(const char *fmt, ...)
{
	char *cmd = NULL;
	va_list ap;
	va_start(ap, fmt);
	assert_true(vasprintf(&cmd, fmt, ap) >= 0);
	va_end(ap);
	struct tu_out o = {0};
	tu_sh(&o, "%s", cmd);
	int n = atoi(o.out);
	tu_out_free(&o);
	free(cmd);
	return n;
}

char *tu_read(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	char *s = tu_slurp_fd(fd);
	close(fd);
	return s;
}

void tu_write(const char *path, const char *text)
{
	char *dir = strdup(path);
	assert_non_null(dir);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		tu_sh(NULL, "mkdir -p '%s'", dir);
	}
	free(dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

char *tu_demo_root_new(void)
{
	char *root = tu_root_new();
	struct tu_out o = {0};
	int r = tu_berthl(&o, root, "image", "demo", "-q", NULL);
	if (r != 0) {
		fprintf(stderr, "image demo: %s\n", o.err);
		tu_root_remove(root);
		free(root);
		root = NULL;
	}
	tu_out_free(&o);
	return root;
}

void tu_ok_argv(const char *root, const char **argv)
{
	struct tu_out o = {0};
	int r = tu_berth(&o, root, argv);
	if (r != 0)
		fprintf(stderr, "berth %s %s: exit %d: %s", argv[0], argv[1] ? argv[1] : "", r,
		        o.err);
	assert_int_equal(r, 0);
	tu_out_free(&o);
}

char *tu_demo_root;

int tu_demo_group_setup(void **state)
{
	(void)state;
	if (!tu_is_root())
		return 0;
	tu_demo_root = tu_demo_root_new();
	return tu_demo_root ? 0 : -1;
}

int tu_demo_group_teardown(void **state)
{
	(void)state;
	if (tu_demo_root == NULL)
		return 0;
	tu_root_remove(tu_demo_root);
	free(tu_demo_root);
	tu_demo_root = NULL;
	return 0;
}

void tu_need_demo_root(void)
{
	if (!tu_is_root() || tu_demo_root == NULL)
		skip();
}

char *tu_scratch;

int tu_scratch_setup(void **state)
{
	(void)state;
	tu_scratch = tu_root_new();
	return 0;
}

int tu_scratch_teardown(void **state)
{
	(void)state;
	tu_root_remove(tu_scratch);
	free(tu_scratch);
	tu_scratch = NULL;
	return 0;
}

void tu_need_root(void)
{
	if (!tu_is_root())
		skip();
}

struct tu_fix *tu_fix_new(void)
{
	static int seq;
	struct tu_fix *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->root = tu_root_new();
	f->work = tu_root_new();
	snprintf(f->mark, sizeof(f->mark), "berth-mark-%d-%d", (int)getpid(), ++seq);
	return f;
}

void tu_fix_free(struct tu_fix *f)
{
	if (f == NULL)
		return;
	be_ctx_free(f->ctx);
	tu_root_remove(f->root);
	tu_root_remove(f->work);
	free(f->root);
	free(f->work);
	free(f);
}

char *tu_work_path(const struct tu_fix *f, const char *name)
{
	char *p = NULL;
	assert_true(asprintf(&p, "%s/%s", f->work, name) > 0);
	return p;
}
