/* What is known of VMs (inspect, list, the serial log), and the client
 * side of the keeper's socket: an attached run's output and exit code, and
 * the serial console with docker's detach keys. */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vm/vm.h"
#include "store/store.h"

#define KEY_CTRL_P 0x10
#define KEY_CTRL_Q 0x11

void be_vm_details_clear(struct be_vm_details *i)
{
	free(i->cmd);
	memset(i, 0, sizeof(*i));
}

static char *join_cmd(char *const *cmd)
{
	size_t len = 1;
	for (size_t i = 0; cmd && cmd[i]; i++)
		len += strlen(cmd[i]) + 1;
	char *s = xcalloc(len, 1);
	for (size_t i = 0; cmd && cmd[i]; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, cmd[i]);
	}
	return s;
}

int be_vm_inspect(struct be_ctx *ctx, const char *name, struct be_vm_details *out,
                  struct be_error **err)
{
	memset(out, 0, sizeof(*out));
	struct vm_config c;
	struct vm_state st;
	if (vm_config_load(ctx, name, &c, err) < 0)
		return -1;
	if (vm_state_load(ctx, name, &st, err) < 0) {
		vm_config_clear(&c);
		return -1;
	}
	snprintf(out->name, sizeof(out->name), "%s", c.name);
	snprintf(out->image, sizeof(out->image), "%s", c.image);
	out->cmd = join_cmd(c.cmd);
	out->memory = c.memory;
	out->cpu_quota_us = c.cpu_quota_us;
	out->cpu_period_us = c.cpu_period_us;
	out->vcpus = c.vcpus;
	out->created = c.created;
	out->auto_remove = c.auto_remove;
	out->exit_code = st.exit_code;
	out->started_ns = st.started_ns;
	out->finished_ns = st.finished_ns;
	out->boot_ns = st.boot_ns;
	snprintf(out->top, sizeof(out->top), "%s", st.top);
	snprintf(out->accel, sizeof(out->accel), "%.7s", st.accel);
	out->n_snapshots = st.n_snaps;
	struct vm_run run;
	if (vm_running(ctx, name, &run)) {
		out->status = BE_VM_RUNNING;
		out->qemu_pid = run.qemu_pid;
		out->keeper_pid = run.keeper_pid;
		out->cgroup_memory_limit = run.cgroup_memory;
		snprintf(out->accel, sizeof(out->accel), "%.7s", run.accel);
	} else {
		out->status = st.started_ns ? BE_VM_EXITED : BE_VM_CREATED;
	}
	vm_config_clear(&c);
	vm_state_clear(&st);
	return 0;
}

static int cmp_info(const void *a, const void *b)
{
	return strcmp(((const struct be_vm_details *)a)->name,
	              ((const struct be_vm_details *)b)->name);
}

int be_vm_list(struct be_ctx *ctx, struct be_vm_details **out, size_t *n, struct be_error **err)
{
	*out = NULL;
	*n = 0;
	cleanup_free char *dir = ctx_path(ctx, "vms");
	cleanup_dir DIR *d = opendir(dir);
	if (d == NULL)
		return errno == ENOENT ? 0 : be_error_set(err, errno, "reading %s", dir);
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (!be_name_valid(de->d_name))
			continue;
		struct be_vm_details i;
		/* A VM removed meanwhile (--rm) is left out. */
		if (be_vm_inspect(ctx, de->d_name, &i, NULL) < 0)
			continue;
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[(*n)++] = i;
	}
	if (*n > 1)
		qsort(*out, *n, sizeof(**out), cmp_info);
	return 0;
}

void be_vm_list_free(struct be_vm_details *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		be_vm_details_clear(&v[i]);
	free(v);
}

char *be_vm_log_path(struct be_ctx *ctx, const char *name, struct be_error **err)
{
	if (be_name_check("vm", name, err) < 0)
		return NULL;
	cleanup_free char *dir = vm_path(ctx, name, NULL);
	if (!util_path_exists(dir)) {
		be_error_set(err, 0, "no such vm: %s", name);
		return NULL;
	}
	return vm_path(ctx, name, "serial.log");
}

ssize_t be_vm_attach_read(int fd, char *buf, size_t len, int *code, struct be_error **err)
{
	char msg[VM_MSG_MAX + 1];
	for (;;) {
		ssize_t n = recv(fd, msg, sizeof(msg) - 1, 0);
		if (n < 0 && errno == EINTR)
			return -2; /* the caller may act on its signal, then call again */
		if (n <= 0)
			return be_error_set(err, n < 0 ? errno : EPIPE,
			                    "the vm's keeper went away without an exit code");
		if (msg[0] == 'x') {
			msg[n] = '\0';
			*code = atoi(msg + 1);
			return 0;
		}
		if (msg[0] != 'o' || n == 1)
			continue;
		size_t m = (size_t)n - 1 < len ? (size_t)n - 1 : len;
		memcpy(buf, msg + 1, m);
		return (ssize_t)m;
	}
}

int be_vm_console_open(struct be_ctx *ctx, const char *name, struct be_error **err)
{
	if (be_name_check("vm", name, err) < 0)
		return -1;
	if (!vm_running(ctx, name, NULL))
		return be_error_set(err, 0, "vm %s is not running", name);
	cleanup_free char *path = vm_run_path(ctx, name, ".console");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path))
		return be_error_set(err, ENAMETOOLONG, "console socket path %s is too long", path);
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    send(fd, "c", 1, MSG_NOSIGNAL) != 1) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return be_error_set(err, e, "connecting to the console of vm %s", name);
	}
	return fd;
}

/* Sends typed bytes to the console; returns 1 after ctrl-p ctrl-q. */
static int send_input(int console, const char *in, size_t n, bool *saw_p)
{
	char msg[VM_MSG_MAX];
	size_t m = 0;
	msg[m++] = 'i';
	for (size_t i = 0; i < n; i++) {
		if (*saw_p && in[i] == KEY_CTRL_Q)
			return 1;
		if (*saw_p) /* the ctrl-p held back was not a detach */
			msg[m++] = KEY_CTRL_P;
		*saw_p = in[i] == KEY_CTRL_P;
		if (!*saw_p)
			msg[m++] = in[i];
		if (m >= sizeof(msg) - 2) {
			send(console, msg, m, MSG_NOSIGNAL);
			m = 1;
		}
	}
	if (m > 1)
		send(console, msg, m, MSG_NOSIGNAL);
	return 0;
}

int be_vm_console_relay(int console, int in_fd, int out_fd)
{
	bool saw_p = false;
	for (;;) {
		struct pollfd p[2] = {{.fd = console, .events = POLLIN},
		                      {.fd = in_fd, .events = POLLIN}};
		if (poll(p, in_fd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			char msg[VM_MSG_MAX];
			ssize_t n = recv(console, msg, sizeof(msg), 0);
			if (n <= 0 && !(n < 0 && errno == EINTR))
				return 0;
			if (n > 1 && msg[0] == 'o' && write(out_fd, msg + 1, (size_t)n - 1) < 0)
				return -1;
		}
		if (in_fd >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			char buf[1024];
			ssize_t n = read(in_fd, buf, sizeof(buf));
			if (n <= 0) {
				in_fd = -1; /* stdin ended: keep showing output */
				continue;
			}
			if (send_input(console, buf, (size_t)n, &saw_p) == 1)
				return 1;
		}
	}
}

char *be_vm_details_json(const struct be_vm_details *v, size_t n)
{
	cleanup_json json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct be_vm_details *d = &v[i];
		json_t *o = json_pack(
		        "{s:s,s:s,s:s,s:s,s:i,s:i,s:i,s:s,s:I,s:I,s:I,s:I,s:i,s:I,s:I,s:I,s:I,s:s,"
		        "s:i,s:b}",
		        "name", d->name, "image", d->image, "cmd", d->cmd ? d->cmd : "", "status",
		        be_vm_status_name(d->status), "exit_code", d->exit_code, "qemu_pid",
		        (int)d->qemu_pid, "keeper_pid", (int)d->keeper_pid, "accel", d->accel,
		        "memory", (json_int_t)d->memory, "cgroup_memory_limit",
		        (json_int_t)d->cgroup_memory_limit, "cpu_quota_us",
		        (json_int_t)d->cpu_quota_us, "cpu_period_us", (json_int_t)d->cpu_period_us,
		        "vcpus", (int)d->vcpus, "created", (json_int_t)d->created, "started_ns",
		        (json_int_t)d->started_ns, "finished_ns", (json_int_t)d->finished_ns,
		        "boot_ns", (json_int_t)d->boot_ns, "disk", d->top, "snapshots",
		        (int)d->n_snapshots, "auto_remove", d->auto_remove);
		json_array_append_new(arr, o);
	}
	return json_dumps(arr, JSON_INDENT(2));
}

int be_vm_guest_view(struct be_ctx *ctx, const char *name, struct be_vm_guest *out,
                     struct be_error **err)
{
	memset(out, 0, sizeof(*out));
	if (be_name_check("vm", name, err) < 0)
		return -1;
	if (!vm_running(ctx, name, NULL))
		return be_error_set(err, 0, "vm %s is not running", name);
	cleanup_free char *path = vm_run_path(ctx, name, ".guest");
	cleanup_fclose FILE *f = fopen(path, "r");
	if (f == NULL)
		return 0; /* not reported yet */
	/* The kernel line comes first; mem lines follow, the last one wins. */
	char line[256];
	while (fgets(line, sizeof(line), f)) {
		unsigned long long total, avail;
		if (strncmp(line, "kernel ", 7) == 0) {
			line[strcspn(line, "\r\n")] = '\0';
			snprintf(out->kernel, sizeof(out->kernel), "%.127s", line + 7);
		} else if (sscanf(line, "mem %llu %llu", &total, &avail) == 2) {
			out->mem_total = total * 1024;
			out->mem_available = avail * 1024;
		}
	}
	return 0;
}
