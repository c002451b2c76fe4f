/* Discovery of VM processes (qemu, firecracker, cloud-hypervisor, crosvm)
 * by a scan of the /proc root.  Each pid is classified once from its comm
 * and command line; young pids are looked at again for a fork then exec. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stats/discover_int.h"
#include "base/util.h"

/* Refreshes during which a non-VM pid is looked at again. */
#define YOUNG_SCANS 3

/* Reads <proc>/<pid>/<file> into d->text; returns its length or -1. */
static ssize_t read_pid_file(struct be_discover *d, pid_t pid, const char *file)
{
	char rel[64];
	snprintf(rel, sizeof(rel), "%d/%s", (int)pid, file);
	int fd = openat(d->proc_fd, rel, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, d->text, sizeof(d->text) - 1);
	close(fd);
	if (n < 0)
		return -1;
	d->text[n] = '\0';
	return n;
}

static int32_t new_vmrec(struct be_discover *d)
{
	for (size_t i = 0; i < d->nvms; i++)
		if (!d->vms[i].used)
			return (int32_t)i;
	d->vms = xrealloc(d->vms, (d->nvms + 1) * sizeof(*d->vms));
	return (int32_t)d->nvms++;
}

void discover_nspawn_name(const char *argv, size_t len, pid_t pid, char *out, size_t olen)
{
	const char *dir = NULL, *machine = NULL;
	for (size_t i = 0; i < len; i += strlen(argv + i) + 1) {
		const char *w = argv + i,
		           *next = i + strlen(w) + 1 < len ? w + strlen(w) + 1 : NULL;
		if ((strcmp(w, "-M") == 0 || strcmp(w, "--machine") == 0) && next)
			machine = next;
		else if (strncmp(w, "--machine=", 10) == 0)
			machine = w + 10;
		else if (strncmp(w, "-M", 2) == 0 && w[2])
			machine = w + 2;
		else if ((strcmp(w, "-D") == 0 || strcmp(w, "--directory") == 0) && next)
			dir = next;
		else if (strncmp(w, "--directory=", 12) == 0)
			dir = w + 12;
		else if (strncmp(w, "-D", 2) == 0 && w[2])
			dir = w + 2;
	}
	if (machine && *machine) {
		snprintf(out, olen, "%s", machine);
		return;
	}
	/* nspawn names the machine after its directory. */
	size_t dl = dir ? strlen(dir) : 0;
	while (dl > 1 && dir[dl - 1] == '/')
		dl--;
	const char *base = dir;
	for (size_t i = 0; i < dl; i++)
		if (dir[i] == '/' && i + 1 < dl)
			base = dir + i + 1;
	if (dir && dl > (size_t)(base - dir) && strncmp(base, "/", 1) != 0)
		snprintf(out, olen, "%.*s", (int)(dl - (size_t)(base - dir)), base);
	else
		snprintf(out, olen, "nspawn-%d", (int)pid);
}

/* A systemd-nspawn process: a record of kind nspawn (named by -M or its
 * directory), found whether or not it registered a machine scope. */
static int32_t classify_nspawn(struct be_discover *d, pid_t pid)
{
	ssize_t n = read_pid_file(d, pid, "cmdline");
	if (n <= 0)
		return -1;
	int32_t i = new_vmrec(d);
	struct be_vmrec *r = &d->vms[i];
	memset(r, 0, sizeof(*r));
	r->pid = pid;
	r->used = true;
	r->nspawn = true;
	snprintf(r->cmd.vmm, sizeof(r->cmd.vmm), "systemd-nspawn");
	discover_nspawn_name(d->text, (size_t)n, pid, r->cmd.name, sizeof(r->cmd.name));
	if (read_pid_file(d, pid, "cgroup") > 0)
		parse_proc_cgroup(d->text, d->layout == BE_CGROUP_V1 ? "memory" : NULL, r->cgroup,
		                  sizeof(r->cgroup));
	return i;
}

/* Returns the index of a new VM record for pid, or -1 when it is no VM. */
static int32_t classify_pid(struct be_discover *d, pid_t pid)
{
	ssize_t n = read_pid_file(d, pid, "comm");
	if (n <= 0)
		return -1;
	d->text[strcspn(d->text, "\n")] = '\0';
	if (strcmp(d->text, "systemd-nspawn") == 0)
		return classify_nspawn(d, pid);
	if (parse_vmm_of(d->text) == NULL)
		return -1;
	n = read_pid_file(d, pid, "cmdline");
	struct be_vm_cmdline cmd;
	if (n <= 0 || parse_vm_cmdline(d->text, (size_t)n, &cmd) < 0)
		return -1;
	int32_t i = new_vmrec(d);
	struct be_vmrec *r = &d->vms[i];
	memset(r, 0, sizeof(*r));
	r->pid = pid;
	r->used = true;
	r->cmd = cmd;
	if (read_pid_file(d, pid, "cgroup") > 0)
		parse_proc_cgroup(d->text, d->layout == BE_CGROUP_V1 ? "memory" : NULL, r->cgroup,
		                  sizeof(r->cgroup));
	return i;
}

static void grow_cache(struct be_discover *d, size_t need)
{
	if (need <= d->pc_cap)
		return;
	size_t cap = d->pc_cap ? d->pc_cap : 1024;
	while (cap < need)
		cap *= 2;
	d->pc = xrealloc(d->pc, cap * sizeof(*d->pc));
	d->pc_next = xrealloc(d->pc_next, cap * sizeof(*d->pc_next));
	d->pc_cap = cap;
}

/* The cache entry of pid in d->pc, looked up by a cursor that moves forward
 * (procfs lists pids in ascending order); NULL when new. */
static struct be_pcache *lookup(struct be_discover *d, pid_t pid, size_t *cursor)
{
	if (*cursor < d->npc && d->pc[*cursor].pid > pid)
		*cursor = 0; /* out of order: start again */
	while (*cursor < d->npc && d->pc[*cursor].pid < pid)
		(*cursor)++;
	if (*cursor < d->npc && d->pc[*cursor].pid == pid)
		return &d->pc[*cursor];
	return NULL;
}

static bool pid_name(const char *name, pid_t *pid)
{
	long v = 0;
	for (const char *p = name; *p; p++) {
		if (*p < '0' || *p > '9' || v > 100000000)
			return false;
		v = v * 10 + (*p - '0');
	}
	*pid = (pid_t)v;
	return v > 0;
}

/* The first child of pid (an nspawn container's init), or pid. */
static pid_t first_child(struct be_discover *d, pid_t pid)
{
	char rel[48];
	snprintf(rel, sizeof(rel), "task/%d/children", (int)pid);
	if (read_pid_file(d, pid, rel) <= 0)
		return pid;
	long c = strtol(d->text, NULL, 10);
	return c > 0 ? (pid_t)c : pid;
}

static void emit_nspawn(struct be_discover *d, const struct be_vmrec *r, be_found_fn fn, void *arg)
{
	struct be_found f = {.kind = BE_KIND_NSPAWN, .cgroup = "", .vm = &r->cmd};
	f.vm_cgroup = r->cgroup;
	f.pid = first_child(d, r->pid);
	f.key_pid = r->pid;
	snprintf(f.name, sizeof(f.name), "%s", r->cmd.name);
	snprintf(f.id, sizeof(f.id), "%d", (int)r->pid);
	fn(arg, &f);
}

static void emit(struct be_discover *d, const struct be_vmrec *r, be_found_fn fn, void *arg)
{
	if (r->nspawn) {
		emit_nspawn(d, r, fn, arg);
		return;
	}
	struct be_found f = {.kind = BE_KIND_VM, .cgroup = "", .pid = r->pid, .vm = &r->cmd};
	f.vm_cgroup = r->cgroup;
	if (r->cmd.name[0])
		snprintf(f.name, sizeof(f.name), "%s", r->cmd.name);
	else
		snprintf(f.name, sizeof(f.name), "%s-%d", r->cmd.vmm, (int)r->pid);
	snprintf(f.id, sizeof(f.id), "%d", (int)r->pid);
	(void)d;
	fn(arg, &f);
}

int discover_vms(struct be_discover *d, be_found_fn fn, void *arg, struct be_error **err)
{
	if (d->proc_fd < 0 || discover_read_dir(d->proc_fd, &d->pbuf) < 0)
		return be_error_set(err, errno ? errno : ENOENT, "reading %s",
		                    be_ctx_proc_root(d->ctx));
	d->scans++;
	/* Every entry is at least 24 bytes: this bounds the pids listed. */
	grow_cache(d, d->pbuf.len / 24 + 1);
	size_t nnext = 0, cursor = 0;
	const char *name;
	unsigned char type;
	for (size_t off = 0; discover_next(&d->pbuf, &off, &name, &type);) {
		pid_t pid;
		if (!pid_name(name, &pid))
			continue;
		struct be_pcache *old = lookup(d, pid, &cursor);
		struct be_pcache e = {.pid = pid, .vm = -1, .born = d->scans};
		if (old) {
			e = *old;
			old->pid = 0; /* taken: what is left in pc vanished */
		}
		if (e.vm < 0 && (old == NULL || d->scans - e.born < YOUNG_SCANS))
			e.vm = classify_pid(d, pid);
		if (e.vm >= 0)
			emit(d, &d->vms[e.vm], fn, arg);
		d->pc_next[nnext++] = e;
	}
	for (size_t i = 0; i < d->npc; i++)
		if (d->pc[i].pid != 0 && d->pc[i].vm >= 0)
			d->vms[d->pc[i].vm].used = false;
	struct be_pcache *t = d->pc;
	d->pc = d->pc_next;
	d->pc_next = t;
	d->npc = nnext;
	return 0;
}

void discover_forget(struct be_discover *d, pid_t pid)
{
	for (size_t i = 0; i < d->npc; i++) {
		if (d->pc[i].pid != pid)
			continue;
		if (d->pc[i].vm >= 0)
			d->vms[d->pc[i].vm].used = false;
		d->pc[i].vm = -1;
		d->pc[i].born = d->scans; /* looked at again while young */
		return;
	}
}
