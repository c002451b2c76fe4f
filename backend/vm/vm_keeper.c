/* The VM keeper: one small process per running VM.  It makes the VM's
 * cgroup, runs qemu in it with the serial line on a socket of its own,
 * logs the serial output, parses the guest init's markers (the command's
 * start and exit code), serves console and attached clients on
 * RUN/vms/NAME.console, and when qemu exits records the exit, removes the
 * cgroup and sockets, and exits. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vm/vm.h"
#include "cgroup/cgroup.h"
#include "store/store.h"

#define LOG_CAP (4u << 20)
#define MAX_CLIENTS 8

struct client {
	int fd;
	bool console; /* raw serial both ways; else the command's output only */
};

struct keeper {
	const struct vm_keeper_args *a;
	struct vm_config cfg;
	struct vm_state st;
	struct be_ctx *cgctx;
	struct vm_serial ser;
	int serial, listen_fd, log_fd;
	uint64_t log_size;
	struct client cl[MAX_CLIENTS];
	uint64_t t0;
};

static void report(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(int fd, const char *fmt, ...)
{
	if (fd < 0)
		return;
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = (int)sizeof(buf) - 1;
	if (write(fd, buf, (size_t)n) < 0) {
		/* the client is gone */
	}
}

static void send_msg(struct keeper *k, int i, char type, const char *data, size_t n)
{
	char buf[VM_MSG_MAX];
	while (k->cl[i].fd >= 0) {
		size_t m = n < sizeof(buf) - 1 ? n : sizeof(buf) - 1;
		buf[0] = type;
		memcpy(buf + 1, data, m);
		if (send(k->cl[i].fd, buf, m + 1, MSG_NOSIGNAL) < 0 && errno != EINTR) {
			close(k->cl[i].fd);
			k->cl[i].fd = -1;
		}
		data += m;
		n -= m;
		if (n == 0)
			break;
	}
}

static void add_client(struct keeper *k, int fd, bool console)
{
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (k->cl[i].fd < 0) {
			k->cl[i] = (struct client){.fd = fd, .console = console};
			return;
		}
	close(fd); /* too many */
}

static void log_write(struct keeper *k, const char *buf, size_t n)
{
	if (k->log_fd < 0)
		return;
	if (k->log_size + n > LOG_CAP) {
		cleanup_free char *path = vm_path(k->a->ctx, k->a->name, "serial.log");
		cleanup_free char *old = xasprintf("%s.1", path);
		rename(path, old);
		close(k->log_fd);
		k->log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
		k->log_size = 0;
	}
	if (k->log_fd >= 0 && write(k->log_fd, buf, n) > 0)
		k->log_size += n;
}

/* Serial output: to the log and console clients as it is, through the
 * marker parser to attached clients. */
static bool pump_serial(struct keeper *k)
{
	char buf[2048], out[2 * sizeof(buf) + sizeof(k->ser.line)];
	ssize_t n = read(k->serial, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	log_write(k, buf, (size_t)n);
	size_t on = 0;
	enum vm_serial_event ev = vm_serial_feed(&k->ser, buf, (size_t)n, out, &on);
	if (ev != VM_SER_NONE && k->st.boot_ns == 0 && k->ser.started) {
		k->st.boot_ns = util_now_ns() - k->t0;
		vm_state_save(k->a->ctx, k->a->name, &k->st, NULL);
	}
	for (int i = 0; i < MAX_CLIENTS; i++) {
		if (k->cl[i].console)
			send_msg(k, i, 'o', buf, (size_t)n);
		else if (on > 0)
			send_msg(k, i, 'o', out, on);
	}
	return true;
}

/* A console client's message: 'i' + input for the serial line. */
static void client_input(struct keeper *k, int i)
{
	char buf[VM_MSG_MAX];
	ssize_t n = recv(k->cl[i].fd, buf, sizeof(buf), 0);
	if (n < 0 && errno == EINTR)
		return;
	if (n <= 0) {
		close(k->cl[i].fd);
		k->cl[i].fd = -1;
		return;
	}
	if (buf[0] == 'i' && k->cl[i].console && n > 1 &&
	    write(k->serial, buf + 1, (size_t)n - 1) < 0) {
		/* qemu is going away: its exit ends the loop */
	}
}

static void accept_client(struct keeper *k)
{
	int fd = accept4(k->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	/* The client says what it wants first: "c" console, "o" output. */
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char hello[8];
	if (poll(&p, 1, 1000) != 1 || recv(fd, hello, sizeof(hello), 0) < 1) {
		close(fd);
		return;
	}
	add_client(k, fd, hello[0] == 'c');
}

static int listen_console(const struct be_ctx *ctx, const char *name, struct be_error **err)
{
	cleanup_free char *path = vm_run_path(ctx, name, ".console");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path))
		return be_error_set(err, ENAMETOOLONG, "console socket path %s is too long", path);
	strcpy(sa.sun_path, path);
	cleanup_free char *dir = ctx_run_path(ctx, "vms");
	if (util_mkdir_p(dir, 0700, err) < 0)
		return -1;
	unlink(path);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return be_error_set(err, e, "making the console socket %s", path);
	}
	chmod(path, 0600);
	return fd;
}

/* Waits for qemu while relaying; returns its wait status. */
static int supervise(struct keeper *k, pid_t qemu)
{
	int pidfd = (int)syscall(SYS_pidfd_open, qemu, 0);
	int status = 0;
	bool exited = false, serial_open = true;
	uint64_t drain_until = 0;
	for (;;) {
		struct pollfd p[3 + MAX_CLIENTS];
		nfds_t n = 0;
		p[n++] = (struct pollfd){.fd = serial_open ? k->serial : -1, .events = POLLIN};
		p[n++] = (struct pollfd){.fd = exited ? -1 : k->listen_fd, .events = POLLIN};
		p[n++] = (struct pollfd){.fd = exited ? -1 : pidfd, .events = POLLIN};
		for (int i = 0; i < MAX_CLIENTS; i++)
			p[n++] = (struct pollfd){.fd = k->cl[i].fd, .events = POLLIN};
		int timeout = pidfd < 0 && !exited ? 100 : -1;
		if (exited) {
			uint64_t now = util_now_ns();
			if (now >= drain_until || !serial_open)
				break;
			timeout = (int)((drain_until - now) / 1000000) + 1;
		}
		if (poll(p, n, timeout) < 0 && errno != EINTR)
			break;
		if ((p[0].revents & (POLLIN | POLLHUP | POLLERR)) && !pump_serial(k))
			serial_open = false;
		if (p[1].revents & POLLIN)
			accept_client(k);
		for (int i = 0; i < MAX_CLIENTS; i++)
			if (p[3 + i].fd >= 0 && (p[3 + i].revents & (POLLIN | POLLHUP | POLLERR)))
				client_input(k, i);
		if (!exited && (pidfd < 0 || (p[2].revents & POLLIN)) &&
		    waitpid(qemu, &status, pidfd < 0 ? WNOHANG : 0) == qemu) {
			exited = true;
			drain_until = util_now_ns() + 300 * 1000000ull;
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	return status;
}

/* The qemu command line. */
static char **qemu_argv(struct keeper *k, const char *qmp, const char *cmdline,
                        const struct vm_image *im)
{
	const struct vm_config *c = &k->cfg;
	bool kvm = strcmp(k->a->accel, "kvm") == 0;
	cleanup_free char *top = vm_disk_path(k->a->ctx, k->st.top, ".qcow2");
	cleanup_free char *guest = vm_run_path(k->a->ctx, k->a->name, ".guest");
	char **v = xcalloc(48, sizeof(char *));
	size_t n = 0;
#define ARG(s) (v[n++] = xstrdup(s))
#define ARGF(...) (v[n++] = xasprintf(__VA_ARGS__))
	ARG("qemu-system-x86_64");
	ARG("-name");
	ARGF("guest=%s,debug-threads=on", c->name); /* comm stays qemu-system-*: stats find it */
	ARG("-accel");
	ARG(kvm ? "kvm" : "tcg,tb-size=64");
	ARG("-cpu");
	ARG(kvm ? "host" : "max");
	ARG("-m");
	ARGF("%llu", (unsigned long long)(c->memory >> 20));
	ARG("-smp");
	ARGF("%u", c->vcpus);
	ARG("-nodefaults");
	ARG("-no-user-config");
	ARG("-display");
	ARG("none");
	ARG("-no-reboot");
	ARG("-chardev");
	ARG("stdio,id=ser0,signal=off");
	ARG("-serial");
	ARG("chardev:ser0");
	ARG("-chardev");
	ARGF("file,id=ser1,path=%s", guest);
	ARG("-serial");
	ARG("chardev:ser1");
	ARG("-kernel");
	ARG(im->kernel_path);
	ARG("-append");
	ARG(cmdline);
	ARG("-drive");
	ARGF("file=%s,if=none,id=disk0,format=qcow2,discard=unmap", top);
	ARG("-device");
	ARG("nvme,drive=disk0,serial=berth");
	ARG("-qmp");
	ARGF("unix:%s,server=on,wait=off", qmp);
	ARG("-nic");
	ARG(c->net == BE_VM_NET_USER ? "user,model=virtio-net-pci" : "none");
#undef ARG
#undef ARGF
	return v;
}

static void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* Makes the cgroup and forks qemu into it (it enters the cgroup itself
 * before exec).  Returns qemu's pid. */
static pid_t launch(struct keeper *k, uint64_t cg_memory, struct be_error **err)
{
	const struct vm_keeper_args *a = k->a;
	struct vm_image im;
	if (vm_image_load(a->ctx, k->cfg.image, &im, err) < 0)
		return -1;
	char token[VM_TOKEN_LEN + 1];
	util_random_hex(token, VM_TOKEN_LEN / 2);
	snprintf(k->ser.token, sizeof(k->ser.token), "%s", token);
	cleanup_free char *cmdline = vm_cmdline(k->cfg.name, token, k->cfg.cmd, err);
	cleanup_free char *qmp = vm_run_path(a->ctx, a->name, ".qmp");
	if (cmdline == NULL) {
		vm_image_clear(&im);
		return -1;
	}
	unlink(qmp);
	char **argv = qemu_argv(k, qmp, cmdline, &im);
	vm_image_clear(&im);
	struct be_limits lim = {.memory = cg_memory,
	                        .cpu_quota_us = k->cfg.cpu_quota_us,
	                        .cpu_period_us = k->cfg.cpu_period_us};
	struct be_error *ignored = NULL;
	cg_destroy(k->cgctx, a->name, &ignored); /* a stale one from a crash */
	be_error_free(ignored);
	int cg_fds[BE_CGROUP_ENTER_MAX];
	size_t n_cg = 0;
	int sp[2];
	if (cg_create(k->cgctx, a->name, &lim, err) < 0 ||
	    cg_open_enter(k->cgctx, a->name, cg_fds, BE_CGROUP_ENTER_MAX, &n_cg, err) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) {
		strv_free(argv);
		return *err ? -1 : be_error_set(err, errno, "making the serial socket");
	}
	pid_t pid = fork();
	if (pid == 0) {
		if (cg_enter_self(cg_fds, n_cg) < 0)
			_exit(125);
		dup2(sp[1], 0);
		dup2(sp[1], 1);
		if (k->log_fd >= 0)
			dup2(k->log_fd, 2);
		execvp(argv[0], argv);
		dprintf(2, "berth: running qemu-system-x86_64: %s\n", strerror(errno));
		_exit(127);
	}
	int e = errno;
	for (size_t i = 0; i < n_cg; i++)
		close(cg_fds[i]);
	close(sp[1]);
	strv_free(argv);
	k->serial = sp[0];
	if (pid < 0)
		return be_error_set(err, e, "forking qemu");
	return pid;
}

static void remove_run_files(const struct be_ctx *ctx, const char *name)
{
	const char *suffixes[] = {".json", ".qmp", ".console", ".guest"};
	for (size_t i = 0; i < 4; i++) {
		cleanup_free char *p = vm_run_path(ctx, name, suffixes[i]);
		unlink(p);
	}
}

/* After qemu: the code, the cgroup gone, state written (or, for --rm, the
 * VM removed), clients told. */
static void finish(struct keeper *k, int status, int64_t started_ns)
{
	const struct vm_keeper_args *a = k->a;
	int code = k->ser.exited         ? k->ser.code
	           : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
	           : WIFEXITED(status)   ? (WEXITSTATUS(status) == 0 ? 0 : 125)
	                                 : 125;
	struct be_error *err = NULL;
	cg_kill_all(k->cgctx, a->name, SIGKILL, &err);
	be_error_clear(&err);
	cg_destroy(k->cgctx, a->name, &err);
	be_error_clear(&err);
	k->st.exit_code = code;
	k->st.started_ns = started_ns;
	k->st.finished_ns = util_wall_ns();
	snprintf(k->st.accel, sizeof(k->st.accel), "%.7s", a->accel);
	if (k->cfg.auto_remove) {
		cleanup_free char *dir = vm_path(a->ctx, a->name, NULL);
		cleanup_free char *exitp = vm_run_path(a->ctx, a->name, ".exit");
		char text[16];
		int len = snprintf(text, sizeof(text), "%d\n", code);
		util_write_file_atomic(exitp, text, (size_t)len, false, NULL);
		store_trash(a->ctx, dir, NULL);
		vm_disk_gc(a->ctx, NULL);
		store_empty_trash(a->ctx, NULL);
	} else {
		vm_state_save(a->ctx, a->name, &k->st, NULL);
	}
	remove_run_files(a->ctx, a->name);
	char text[16];
	int len = snprintf(text, sizeof(text), "%d", code);
	for (int i = 0; i < MAX_CLIENTS; i++) {
		if (!k->cl[i].console)
			send_msg(k, i, 'x', text, (size_t)len);
		if (k->cl[i].fd >= 0)
			close(k->cl[i].fd);
	}
}

static void setup_process(void)
{
	prctl(PR_SET_NAME, "berth-vmkeeper");
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (null > 2)
			close(null);
	}
}

/* Moves an fd above stdio (close-on-exec) before stdio becomes
 * /dev/null; the original is closed, so that the client sees EOF when
 * the keeper closes the copy. */
static int lift(int fd)
{
	if (fd < 0)
		return -1;
	int nfd = fcntl(fd, F_DUPFD_CLOEXEC, 10);
	close(fd);
	return nfd;
}

static _Noreturn void fail_start(struct keeper *k, struct be_error *err, int64_t started_ns)
{
	int code = err->exitcode ? err->exitcode : 125;
	if (k->cgctx) {
		cg_destroy(k->cgctx, k->a->name, NULL);
		remove_run_files(k->a->ctx, k->a->name);
	}
	(void)started_ns;
	if (k->a->lock_fd >= 0)
		close(k->a->lock_fd);
	report(k->a->start_fd, "err %d %s\n", code, err->msg);
	_exit(code);
}

_Noreturn void vm_keeper_main(const struct vm_keeper_args *in)
{
	struct vm_keeper_args lifted = *in;
	lifted.start_fd = lift(in->start_fd);
	lifted.attach_fd = lift(in->attach_fd);
	lifted.lock_fd = lift(in->lock_fd);
	const struct vm_keeper_args *a = &lifted;
	struct keeper k = {.a = a, .serial = -1, .listen_fd = -1, .log_fd = -1};
	for (int i = 0; i < MAX_CLIENTS; i++)
		k.cl[i].fd = -1;
	setup_process();
	struct be_error *err = NULL;
	int64_t started_ns = util_wall_ns();
	if (vm_config_load(a->ctx, a->name, &k.cfg, &err) < 0 ||
	    vm_state_load(a->ctx, a->name, &k.st, &err) < 0)
		fail_start(&k, err, started_ns);
	k.cgctx = vm_cg_ctx(a->ctx);
	cleanup_free char *log = vm_path(a->ctx, a->name, "serial.log");
	k.log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	struct stat lst;
	if (k.log_fd >= 0 && fstat(k.log_fd, &lst) == 0)
		k.log_size = (uint64_t)lst.st_size;
	k.st.boot_ns = 0;
	uint64_t cg_memory = vm_cgroup_memory(k.cfg.memory, a->overhead);
	k.listen_fd = listen_console(a->ctx, a->name, &err);
	if (k.listen_fd < 0)
		fail_start(&k, err, started_ns);
	if (a->attach_fd >= 0)
		add_client(&k, a->attach_fd, false);
	k.t0 = util_now_ns();
	pid_t qemu = launch(&k, cg_memory, &err);
	if (qemu < 0)
		fail_start(&k, err, started_ns);
	struct vm_run run = {.keeper_pid = getpid(),
	                     .qemu_pid = qemu,
	                     .keeper_start = vm_proc_start(a->ctx, getpid()),
	                     .qemu_start = vm_proc_start(a->ctx, qemu),
	                     .started_ns = started_ns,
	                     .cgroup_memory = cg_memory};
	snprintf(run.accel, sizeof(run.accel), "%.7s", a->accel);
	if (vm_run_save(a->ctx, a->name, &run, &err) < 0) {
		kill(qemu, SIGKILL);
		waitpid(qemu, NULL, 0);
		fail_start(&k, err, started_ns);
	}
	k.st.started_ns = started_ns;
	k.st.exit_code = -1;
	k.st.top_fresh = false; /* the guest may write to it from now on */
	vm_state_save(a->ctx, a->name, &k.st, NULL);
	if (a->lock_fd >= 0)
		close(a->lock_fd);
	report(a->start_fd, "ok %d\n", (int)qemu);
	close(a->start_fd);
	int status = supervise(&k, qemu);
	finish(&k, status, started_ns);
	_exit(0);
}
