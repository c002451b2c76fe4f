/* The isolation inspector's second half: every limit with the cgroup file
 * that holds it (v1 and v2 names), capabilities, seccomp, no_new_privs,
 * berth's masked and read-only paths, device rules, and the JSON form. */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "berth.h"
#include "isolation/iso.h"
#include "cgroup/cgroup.h"
#include "sandbox/sandbox.h"

/* ROOT[/CONTROLLER]/PARENT/NAME/FILE: the v1 controller folder, or v2's
 * single tree. */
static char *cg_file(struct be_ctx *ctx, const char *name, const char *ctrl, const char *file)
{
	if (be_ctx_cgroup_layout(ctx) == BE_CGROUP_V2)
		return xasprintf("%s/%s/%s/%s", be_ctx_cgroup_root(ctx), be_ctx_cgroup_parent(ctx),
		                 name, file);
	return xasprintf("%s/%s/%s/%s/%s", be_ctx_cgroup_root(ctx), ctrl, be_ctx_cgroup_parent(ctx),
	                 name, file);
}

/* The first line of a cgroup file, or NULL when it is missing. */
static char *cg_value(struct be_ctx *ctx, const char *name, const char *ctrl, const char *file,
                      char **path)
{
	*path = cg_file(ctx, name, ctrl, file);
	char *v = iso_read(*path);
	if (v)
		v[strcspn(v, "\n")] = '\0';
	return v;
}

static bool unlimited(const char *v)
{
	return strcmp(v, "max") == 0 || strcmp(v, "-1") == 0 ||
	       strcmp(v, "9223372036854771712") == 0 || strncmp(v, "max ", 4) == 0;
}

struct limit_file {
	const char *what, *ctrl, *v1, *v2, *wall, *open;
};

static const struct limit_file limit_files[] = {
        {"memory limit", "memory", "memory.limit_in_bytes", "memory.max",
         "above it the kernel reclaims, then the OOM killer ends a process inside",
         "no memory limit: it may use all the host's memory"},
        {"cpu quota", "cpu", "cpu.cfs_quota_us", "cpu.max",
         "each period it may run this long, then waits (throttled) until the next",
         "no CPU quota: it may use every CPU"},
        {"cpu weight", "cpu", "cpu.shares", "cpu.weight",
         "its share of CPU time against others when the CPUs are busy",
         "the default share of CPU time"},
        {"pids limit", "pids", "pids.max", "pids.max",
         "fork and clone fail once this many tasks exist: a fork bomb stops here",
         "no pids limit: a fork bomb can fill the host's process table"},
        {"io weight", "blkio", "blkio.weight", "io.weight", "its share of disk time against others",
         "the default share of disk time"},
};

void iso_cgroup(struct be_ctx *ctx, const char *name, struct be_isolation *iso)
{
	bool v2 = be_ctx_cgroup_layout(ctx) == BE_CGROUP_V2;
	cleanup_free char *dir = v2 ? cg_file(ctx, name, "", "") : cg_file(ctx, name, "memory", "");
	iso_add(iso, "cgroup", "path", BE_ISO_WALL,
	        "the cgroup berth made for it: every limit below is a file in it", dir,
	        "%s/%s (%s)", be_ctx_cgroup_parent(ctx), name, v2 ? "cgroup v2" : "cgroup v1");
	for (size_t i = 0; i < sizeof(limit_files) / sizeof(limit_files[0]); i++) {
		const struct limit_file *l = &limit_files[i];
		cleanup_free char *path = NULL;
		cleanup_free char *v = cg_value(ctx, name, l->ctrl, v2 ? l->v2 : l->v1, &path);
		if (v == NULL) {
			iso_add(iso, "cgroup", l->what, BE_ISO_OPEN,
			        "this kernel has no such file: the limit cannot be set", path,
			        "no file");
			continue;
		}
		bool weight = strstr(l->what, "weight") != NULL;
		bool open = !weight && unlimited(v);
		iso_add(iso, "cgroup", l->what,
		        weight ? BE_ISO_SHARED
		        : open ? BE_ISO_OPEN
		               : BE_ISO_WALL,
		        open ? l->open : l->wall, path, "%s", v);
	}
}

/* ---- capabilities ------------------------------------------------------------ */

static const char *const cap_names[] = {
        "CHOWN",
        "DAC_OVERRIDE",
        "DAC_READ_SEARCH",
        "FOWNER",
        "FSETID",
        "KILL",
        "SETGID",
        "SETUID",
        "SETPCAP",
        "LINUX_IMMUTABLE",
        "NET_BIND_SERVICE",
        "NET_BROADCAST",
        "NET_ADMIN",
        "NET_RAW",
        "IPC_LOCK",
        "IPC_OWNER",
        "SYS_MODULE",
        "SYS_RAWIO",
        "SYS_CHROOT",
        "SYS_PTRACE",
        "SYS_PACCT",
        "SYS_ADMIN",
        "SYS_BOOT",
        "SYS_NICE",
        "SYS_RESOURCE",
        "SYS_TIME",
        "SYS_TTY_CONFIG",
        "MKNOD",
        "LEASE",
        "AUDIT_WRITE",
        "AUDIT_CONTROL",
        "SETFCAP",
        "MAC_OVERRIDE",
        "MAC_ADMIN",
        "SYSLOG",
        "WAKE_ALARM",
        "BLOCK_SUSPEND",
        "AUDIT_READ",
        "PERFMON",
        "BPF",
        "CHECKPOINT_RESTORE",
};
#define NCAPS (int)(sizeof(cap_names) / sizeof(cap_names[0]))

int be_caps_names(unsigned long long mask, char *buf, size_t len)
{
	int n = 0;
	size_t used = 0;
	buf[0] = '\0';
	for (int i = 0; i < 64; i++) {
		if (!(mask & (1ULL << i)))
			continue;
		char unknown[16];
		snprintf(unknown, sizeof(unknown), "CAP_%d", i);
		const char *name = i < NCAPS ? cap_names[i] : unknown;
		if (used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", n ? ", " : "",
			                         name);
		n++;
	}
	return n;
}

/* The value of "Key:" in /proc/PID/status, or NULL. */
static const char *status_field(const char *status, const char *key, char *buf, size_t len)
{
	size_t k = strlen(key);
	for (const char *p = status; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, key, k) == 0 && p[k] == ':') {
			const char *v = p + k + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			snprintf(buf, len, "%.*s", (int)strcspn(v, "\n"), v);
			return buf;
		}
	}
	return NULL;
}

void iso_privileges(struct be_ctx *ctx, struct be_isolation *iso)
{
	char path[64], v[64];
	snprintf(path, sizeof(path), "%s/%d/status", be_ctx_proc_root(ctx), iso->pid);
	cleanup_free char *st = iso_read(path);
	if (st == NULL)
		return;
	if (status_field(st, "CapEff", v, sizeof(v))) {
		unsigned long long eff = strtoull(v, NULL, 16);
		char names[640];
		int kept = be_caps_names(eff, names, sizeof(names));
		cleanup_free char *lastp =
		        xasprintf("%s/sys/kernel/cap_last_cap", be_ctx_proc_root(ctx));
		cleanup_free char *last = iso_read(lastp);
		int all = last ? atoi(last) + 1 : NCAPS;
		iso_add(iso, "capabilities", "kept", kept < all ? BE_ISO_WALL : BE_ISO_OPEN,
		        "root inside holds only these powers of root; the others (SYS_ADMIN, "
		        "NET_ADMIN, SYS_MODULE...) are gone",
		        path, "%d of %d (CapEff %s): %s", kept, all, v, names);
	}
	if (status_field(st, "Seccomp", v, sizeof(v))) {
		size_t denied = 0;
		secure_denied_calls(&denied);
		char filters[16] = "?";
		status_field(st, "Seccomp_filters", filters, sizeof(filters));
		bool on = strcmp(v, "2") == 0;
		iso_add(iso, "seccomp", "filter", on ? BE_ISO_WALL : BE_ISO_OPEN,
		        on ? "a filter refuses system calls a container has no business making "
		             "(mount, reboot, kexec_load, bpf...)"
		           : "no filter: every system call reaches the kernel",
		        path, "mode %s (%s), %s filter(s), %zu system calls refused", v,
		        on                    ? "filter"
		        : strcmp(v, "1") == 0 ? "strict"
		                              : "off",
		        filters, denied);
	}
	if (status_field(st, "NoNewPrivs", v, sizeof(v)))
		iso_add(iso, "privileges", "no_new_privs",
		        strcmp(v, "1") == 0 ? BE_ISO_WALL : BE_ISO_OPEN,
		        "set-uid programs inside cannot gain privileges", path, "%s", v);
}

static void join(const char *const *v, size_t n, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? " " : "", v[i]);
}

void iso_policy(struct be_ctx *ctx, const char *name, struct be_isolation *iso)
{
	size_t n;
	char buf[320];
	const char *const *m = sandbox_masked_paths(&n);
	join(m, n, buf, sizeof(buf));
	iso_add(iso, "paths", "masked", BE_ISO_WALL,
	        "hidden: they would show the host's hardware, keys and kernel memory",
	        "berth's policy", "%s", buf);
	m = sandbox_readonly_paths(&n);
	join(m, n, buf, sizeof(buf));
	iso_add(iso, "paths", "read-only", BE_ISO_WALL,
	        "visible but read-only: writing to them would change the host's kernel",
	        "berth's policy", "%s", buf);
	if (be_ctx_cgroup_layout(ctx) == BE_CGROUP_V2) {
		cleanup_free char *dir = cg_file(ctx, name, "", "");
		int progs = cg_devices_v2_count(dir, NULL);
		char rules[320] = "";
		size_t used = 0;
		for (size_t i = 0; i < cg_n_device_rules && used < sizeof(rules); i++) {
			char r[40];
			cg_device_rule_text(&cg_device_rules[i], r, sizeof(r));
			used += (size_t)snprintf(rules + used, sizeof(rules) - used, "%s%s",
			                         i ? ";" : "", r);
		}
		iso_add(iso, "devices", "rules", progs > 0 ? BE_ISO_WALL : BE_ISO_OPEN,
		        progs > 0
		                ? "a BPF program on its cgroup lets it open only these device nodes"
		                : "no device program on its cgroup: any device node may be opened",
		        dir, "%d BPF program(s): %s", progs < 0 ? 0 : progs, rules);
		return;
	}
	cleanup_free char *path = cg_file(ctx, name, "devices", "devices.list");
	cleanup_free char *list = iso_read(path);
	if (list == NULL) {
		iso_add(iso, "devices", "rules", BE_ISO_OPEN,
		        "no device rules: a process that can mknod may open any device", path,
		        "no devices controller");
		return;
	}
	for (char *p = list; *p; p++)
		if (*p == '\n')
			*p = p[1] ? ';' : '\0';
	bool all = strcmp(list, "a *:* rwm") == 0;
	iso_add(iso, "devices", "rules", all ? BE_ISO_OPEN : BE_ISO_WALL,
	        all ? "every device may be opened (a mknod of the host's disk would work)"
	            : "only these device nodes may be opened; others fail with EPERM",
	        path, "%s", list);
}

/* ---- JSON -------------------------------------------------------------------- */

char *be_isolation_json(const struct be_isolation *iso)
{
	json_t *lines = json_array();
	for (size_t i = 0; i < iso->n; i++) {
		const struct be_iso_line *l = &iso->lines[i];
		json_array_append_new(lines, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "section",
		                                       l->section, "what", l->what, "value",
		                                       l->value, "source", l->source, "mark",
		                                       be_iso_mark_name(l->mark), "meaning",
		                                       l->meaning ? l->meaning : ""));
	}
	json_t *o = json_pack("{s:i, s:s, s:i, s:o}", "version", 1, "name", iso->name, "pid",
	                      iso->pid, "lines", lines);
	char *text = json_dumps(o, JSON_INDENT(2));
	json_decref(o);
	return text;
}
