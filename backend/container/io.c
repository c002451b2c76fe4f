/* A container's input and output seen from a client: exec into it, read
 * and follow its log, and pseudo-terminals for -t. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "record/record.h"
#include "sandbox/sandbox.h"
#include "journal/journal.h"
#include "container/container.h"

struct exec_hook {
	struct be_ctx *ctx;
	const char *name;
	struct be_error **err;
};

static int exec_attach(pid_t child, void *data)
{
	struct exec_hook *h = data;
	return cg_attach(h->ctx, h->name, child, h->err);
}

/* True when the init is gone or dead (a zombie its keeper has yet to
 * reap), waiting up to 100 ms for one that is still on its way out. */
static bool init_gone(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (int i = 0; i < 10; i++) {
		cleanup_free char *text = util_read_file(path, NULL, NULL);
		const char *rp = text ? strrchr(text, ')') : NULL;
		if (rp == NULL || rp[1] != ' ' || rp[2] == 'Z' || rp[2] == 'X')
			return true;
		usleep(10 * 1000);
	}
	return false;
}

/* The exec'd command's environment: the container's, then -e values. */
static char **exec_env(char **base, char *const *extra)
{
	size_t n = 0, m = 0;
	while (base && base[n])
		n++;
	while (extra && extra[m])
		m++;
	char **env = xcalloc(n + m + 1, sizeof(char *));
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		bool overridden = false;
		size_t klen = strcspn(base[i], "=");
		for (size_t j = 0; j < m; j++)
			if (strncmp(extra[j], base[i], klen) == 0 && extra[j][klen] == '=')
				overridden = true;
		if (!overridden)
			env[k++] = base[i];
	}
	for (size_t j = 0; j < m; j++)
		if (strchr(extra[j], '='))
			env[k++] = extra[j];
	return env;
}

int be_container_exec(struct be_ctx *ctx, const char *name, const struct be_exec_opts *opts,
                      struct be_error **err)
{
	struct rec_config cfg;
	if (rec_config_load(ctx, name, &cfg, err) < 0)
		return -1;
	struct rec_run run;
	int r = -1;
	char **env = NULL;
	if (!rec_running(ctx, name, &run)) {
		ct_reconcile_idle(ctx, name);
		be_error_set(err, 0, "container %s is not running", name);
		goto out;
	}
	/* A process joining a frozen cgroup freezes too: it would wait for
	 * the resume, holding this client. */
	struct cg_state cs = {0};
	if (cg_state(ctx, name, &cs, NULL) == 0 && cs.frozen) {
		struct snap_op op;
		if (snap_op_load(ctx, name, &op, NULL) == 1 && op.kind == SNAP_OP_LIVE)
			be_error_set(err, 0,
			             "container %s is paused for a snapshot: try again in a moment",
			             name);
		else
			be_error_set(err, 0, "container %s is paused: resume it first", name);
		goto out;
	}
	env = exec_env(cfg.env, opts->env);
	struct be_sandbox_cfg sc = {
	        .argv = opts->argv,
	        .env = env,
	        .workdir = opts->workdir ? opts->workdir : cfg.workdir,
	        .user = opts->user ? opts->user : cfg.user,
	        .tty = opts->console_fd >= 0,
	        .console_fd = opts->console_fd,
	        .stdio = {-1, -1, -1},
	        .report_fd = -1,
	        .keep_fd = -1,
	};
	if (!sc.tty) {
		sc.stdio[0] = opts->in_fd;
		sc.stdio[1] = opts->out_fd;
		sc.stdio[2] = opts->err_fd;
	}
	struct exec_hook hook = {ctx, name, err};
	pid_t child;
	/* Tests: the container stops just as the exec begins (its init is
	 * dead before the exec's first step). */
	if (util_fail("exec.stop_race", NULL) < 0 && kill(run.pid, SIGKILL) == 0)
		for (int i = 0; i < 20 && !init_gone(run.pid); i++)
			;
	if (sandbox_exec(run.pid, &sc, exec_attach, &hook, &child, err) < 0) {
		/* A stop in between fails one of several steps (the pidfd, the
		 * namespaces, the root, the cgroup): one line says what happened. */
		bool setup = err == NULL || *err == NULL || (*err)->exitcode == 0 ||
		             (*err)->exitcode == BE_EXIT_SETUP;
		if (setup && init_gone(run.pid)) {
			be_error_clear(err);
			be_error_set(err, 0, "container %s stopped while exec was starting", name);
		} else {
			be_error_wrap(err, "exec in %s", name);
		}
		goto out;
	}
	int st = 0;
	while (waitpid(child, &st, 0) < 0 && errno == EINTR)
		;
	r = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
out:
	free(env);
	rec_config_clear(&cfg);
	return r;
}

/* Offset in fd where the last `tail` lines begin (0 when fewer; the end
 * for 0; the start for BE_LOGS_ALL). */
static off_t tail_offset(int fd, unsigned long tail)
{
	struct stat st;
	if (tail == BE_LOGS_ALL || fstat(fd, &st) < 0)
		return 0;
	if (tail == 0)
		return st.st_size;
	off_t end = st.st_size, pos = end;
	unsigned long lines = 0;
	char buf[8192];
	/* A final newline ends the last line rather than starting one. */
	bool first = true;
	while (pos > 0) {
		size_t chunk = pos > (off_t)sizeof(buf) ? sizeof(buf) : (size_t)pos;
		pos -= (off_t)chunk;
		if (pread(fd, buf, chunk, pos) != (ssize_t)chunk)
			return 0;
		for (size_t i = chunk; i > 0; i--) {
			if (buf[i - 1] != '\n')
				continue;
			if (first && pos + (off_t)i == end) {
				first = false;
				continue;
			}
			if (++lines == tail)
				return pos + (off_t)i;
		}
		first = false;
	}
	return 0;
}

int be_container_logs(struct be_ctx *ctx, const char *name, unsigned long tail, bool follow,
                      int out_fd, volatile int *stop, struct be_error **err)
{
	struct rec_config cfg;
	if (rec_config_load(ctx, name, &cfg, err) < 0)
		return -1;
	rec_config_clear(&cfg);
	cleanup_free char *path = rec_path(ctx, name, "log");
	cleanup_free char *old = rec_path(ctx, name, "log.1");
	/* With a tail that the current file alone satisfies, skip log.1. */
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	cleanup_close int ofd = open(old, O_RDONLY | O_CLOEXEC);
	off_t start = fd >= 0 ? tail_offset(fd, tail) : 0;
	if (ofd >= 0 && tail != 0 && (tail == BE_LOGS_ALL || start == 0)) {
		off_t ostart = tail_offset(ofd, tail);
		lseek(ofd, ostart, SEEK_SET);
		util_copy_fd(ofd, out_fd);
	}
	if (fd >= 0) {
		lseek(fd, start, SEEK_SET);
		util_copy_fd(fd, out_fd);
	}
	while (follow && !(stop && *stop)) {
		bool running = rec_running(ctx, name, NULL);
		if (fd < 0)
			fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			struct stat a, b;
			/* Rotated: the name points at a new file. */
			if (fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino != b.st_ino) {
				util_copy_fd(fd, out_fd);
				close(fd);
				fd = open(path, O_RDONLY | O_CLOEXEC);
			}
			if (fd >= 0 && util_copy_fd(fd, out_fd) < 0)
				return be_error_set(err, errno, "writing the log of %s", name);
		}
		if (!running)
			break;
		poll(NULL, 0, 100);
	}
	return 0;
}

int be_console_pair(int *client_end, int *container_end, struct be_error **err)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return be_error_set(err, errno, "making the terminal socket");
	*client_end = sv[0];
	*container_end = sv[1];
	return 0;
}

/* The master takes the size of size_fd's terminal. */
static void copy_winsize(int size_fd, int master)
{
	struct winsize ws;
	if (size_fd >= 0 && ioctl(size_fd, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

int be_console_recv(int client_end, int size_fd, struct be_error **err)
{
	int m = util_recv_fd(client_end, err);
	if (m >= 0)
		copy_winsize(size_fd, m);
	return m;
}

int be_pty_relay(int master, int in_fd, int out_fd, volatile int *stop)
{
	bool in_open = in_fd >= 0;
	char buf[16384];
	while (!(stop && *stop)) {
		struct pollfd p[2] = {{.fd = master, .events = POLLIN},
		                      {.fd = in_open ? in_fd : -1, .events = POLLIN}};
		int r = poll(p, 2, 200);
		if (r < 0 && errno != EINTR)
			return -1;
		if (r < 0)
			copy_winsize(in_fd >= 0 ? in_fd : out_fd, master);
		if (r <= 0)
			continue;
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = read(master, buf, sizeof(buf));
			if (n <= 0)
				return 0; /* EIO: every slave closed */
			if (write(out_fd, buf, (size_t)n) < 0)
				return -1;
		}
		if (p[1].revents & (POLLIN | POLLHUP)) {
			ssize_t n = read(in_fd, buf, sizeof(buf));
			if (n <= 0)
				in_open = false;
			else if (write(master, buf, (size_t)n) < 0)
				return -1;
		}
	}
	return 0;
}
