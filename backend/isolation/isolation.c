/* The isolation inspector: reads a running container's walls from the
 * kernel's files (/proc/PID/{ns,status,mountinfo,net/dev}, the cgroup's
 * limit files) and berth's own policy (masked paths, denied syscalls), and
 * marks each as a wall, a shared part or an open door. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "berth.h"
#include "isolation/iso.h"
#include "record/record.h"
#include "sandbox/sandbox.h"

void iso_add(struct be_isolation *iso, const char *section, const char *what, enum be_iso_mark mark,
             const char *meaning, const char *source, const char *fmt, ...)
{
	iso->lines = xrealloc(iso->lines, (iso->n + 1) * sizeof(*iso->lines));
	struct be_iso_line *l = &iso->lines[iso->n++];
	memset(l, 0, sizeof(*l));
	snprintf(l->section, sizeof(l->section), "%s", section);
	snprintf(l->what, sizeof(l->what), "%s", what);
	snprintf(l->source, sizeof(l->source), "%s", source ? source : "");
	l->mark = mark;
	l->meaning = meaning;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(l->value, sizeof(l->value), fmt, ap);
	va_end(ap);
}

char *iso_read(const char *path)
{
	return util_read_file(path, NULL, NULL);
}

const char *be_iso_mark_name(enum be_iso_mark m)
{
	switch (m) {
	case BE_ISO_WALL: return "wall";
	case BE_ISO_SHARED: return "shared";
	default: return "open door";
	}
}

/* ---- namespaces ------------------------------------------------------------ */

static const char *ns_meaning(const char *type, bool shared)
{
	static const struct {
		const char *type, *own, *shared;
	} m[] = {
	        {"pid", "its processes see only each other; its init is pid 1",
	         "it sees every process of the host"},
	        {"mnt",
	         "its own mount table: the overlay is its /, the host's files are out of reach",
	         "it sees the host's mounts"},
	        {"net", "its own interfaces, routes and ports",
	         "it uses the host's network directly"},
	        {"uts", "its own hostname", "it shares the host's hostname"},
	        {"ipc", "its own System V IPC and POSIX message queues",
	         "it shares the host's IPC objects"},
	        {"cgroup", "its /proc/self/cgroup starts at its own cgroup",
	         "it sees the host's cgroup paths"},
	        {"user", "its root is an unprivileged user on the host",
	         "root inside is root on the host: capabilities and seccomp are the walls"},
	        {"time", "its own clocks' offsets", "it shares the host's clocks (as docker does)"},
	};
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (strcmp(m[i].type, type) == 0)
			return shared ? m[i].shared : m[i].own;
	return "";
}

static void namespaces(struct be_ctx *ctx, struct be_isolation *iso)
{
	struct be_ns_info ns[BE_NS_COUNT];
	if (be_ns_compare(ctx, iso->pid, ns, NULL) < 0)
		return;
	for (int i = 0; i < BE_NS_COUNT; i++) {
		char src[64];
		snprintf(src, sizeof(src), "/proc/%d/ns/%s", iso->pid, ns[i].type);
		if (!ns[i].present) {
			iso_add(iso, "namespace", ns[i].type, BE_ISO_SHARED,
			        "the kernel has no such namespace here", src, "absent");
			continue;
		}
		bool user = strcmp(ns[i].type, "user") == 0, time = strcmp(ns[i].type, "time") == 0;
		enum be_iso_mark mark = !ns[i].shared ? BE_ISO_WALL
		                        : user        ? BE_ISO_OPEN
		                        : time        ? BE_ISO_SHARED
		                                      : BE_ISO_OPEN;
		iso_add(iso, "namespace", ns[i].type, mark, ns_meaning(ns[i].type, ns[i].shared),
		        src, "%s %s:[%llu], host %s:[%llu]", ns[i].shared ? "shared" : "own",
		        ns[i].type, (unsigned long long)ns[i].inode, ns[i].type,
		        (unsigned long long)ns[i].host_inode);
	}
}

/* ---- hostname, root filesystem, network ---------------------------------------- */

static size_t count_lines(const char *text)
{
	size_t n = 0;
	for (const char *p = text; p && *p; p++)
		n += *p == '\n';
	return n;
}

static void hostname_and_root(struct be_ctx *ctx, const char *name, struct be_isolation *iso)
{
	struct rec_config cfg;
	char host[256] = "?";
	gethostname(host, sizeof(host) - 1);
	if (rec_config_load(ctx, name, &cfg, NULL) == 0) {
		const char *in = cfg.hostname ? cfg.hostname : name;
		iso_add(iso, "hostname", "hostname", strcmp(in, host) ? BE_ISO_WALL : BE_ISO_SHARED,
		        "set in its own uts namespace: changing it inside changes nothing outside",
		        "config.json, gethostname(2)", "inside \"%s\", host \"%s\"", in, host);
		rec_config_clear(&cfg);
	}
	struct rec_state st;
	if (rec_state_load(ctx, name, &st, NULL) == 0) {
		cleanup_free char *upper = rec_path(ctx, name, "upper");
		iso_add(iso, "rootfs", "overlay", BE_ISO_WALL,
		        "its / is an overlay: read-only image layers below, its own writable upper "
		        "above; the host's files are not in it",
		        "state.json", "head layer %s, upper %s", st.head, upper);
	}
	char in_path[64];
	snprintf(in_path, sizeof(in_path), "%s/%d/mountinfo", be_ctx_proc_root(ctx), iso->pid);
	cleanup_free char *in = iso_read(in_path);
	cleanup_free char *self = xasprintf("%s/self/mountinfo", be_ctx_proc_root(ctx));
	cleanup_free char *outside = iso_read(self);
	if (in)
		iso_add(iso, "rootfs", "mounts", BE_ISO_WALL,
		        "it sees its own short mount table, not the host's", in_path,
		        "%zu mounts inside, %zu on the host", count_lines(in),
		        count_lines(outside));
}

/* The IPv4 addresses of the namespace: the "/32 host LOCAL" leaves of
 * fib_trie (each under the "|-- ADDRESS" line that names it), once each. */
static void addresses(struct be_ctx *ctx, struct be_isolation *iso)
{
	char path[64];
	snprintf(path, sizeof(path), "%s/%d/net/fib_trie", be_ctx_proc_root(ctx), iso->pid);
	cleanup_free char *trie = iso_read(path);
	if (trie == NULL)
		return;
	char out[256] = "", last[48] = "";
	size_t used = 0;
	for (char *line = trie; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		const char *leaf = strstr(line, "|-- ");
		if (leaf)
			snprintf(last, sizeof(last), "%s", leaf + 4);
		else if (strstr(line, "/32 host LOCAL") && last[0] && strstr(out, last) == NULL &&
		         used < sizeof(out))
			used += (size_t)snprintf(out + used, sizeof(out) - used, "%s%s",
			                         used ? ", " : "", last);
		line = nl ? nl + 1 : NULL;
	}
	iso_add(iso, "network", "addresses", BE_ISO_WALL,
	        "the addresses its own stack answers to; the host's are not among them", path, "%s",
	        out[0] ? out : "none");
}

static void network(struct be_ctx *ctx, struct be_isolation *iso)
{
	char path[64];
	snprintf(path, sizeof(path), "%s/%d/net/dev", be_ctx_proc_root(ctx), iso->pid);
	cleanup_free char *dev = iso_read(path);
	if (dev == NULL)
		return;
	char names[256] = "";
	size_t used = 0, n = 0;
	/* Two header lines, then "  name: counters". */
	const char *line = strchr(dev, '\n');
	line = line ? strchr(line + 1, '\n') : NULL;
	while (line && *++line) {
		const char *colon = strchr(line, ':');
		const char *nl = strchr(line, '\n');
		if (colon == NULL || (nl && colon > nl))
			break;
		const char *b = line;
		while (*b == ' ')
			b++;
		if (used < sizeof(names))
			used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%.*s",
			                         n ? ", " : "", (int)(colon - b), b);
		n++;
		line = nl;
		if (line == NULL)
			break;
	}
	iso_add(iso, "network", "interfaces", BE_ISO_WALL,
	        n <= 1 ? "loopback only: nothing outside can reach it, it reaches nothing"
	               : "its own interfaces: traffic leaves only through them",
	        path, "%s", names);
	addresses(ctx, iso);
}

/* ---- the rest: cgroup, privileges, policy ----------------------------------------- */

void be_isolation_free(struct be_isolation *iso)
{
	if (iso == NULL)
		return;
	free(iso->lines);
	memset(iso, 0, sizeof(*iso));
}

int be_isolation_inspect(struct be_ctx *ctx, const char *name, struct be_isolation *out,
                         struct be_error **err)
{
	memset(out, 0, sizeof(*out));
	if (be_name_check("container", name, err) < 0)
		return -1;
	struct be_container_info info;
	if (be_container_get(ctx, name, &info, err) < 0)
		return -1;
	bool running = info.status == BE_STATUS_RUNNING || info.status == BE_STATUS_PAUSED;
	out->pid = (int)info.pid;
	be_container_info_clear(&info);
	if (!running || out->pid <= 0)
		return be_error_set(
		        err, 0, "container %s is not running: its walls exist only while it runs",
		        name);
	iso_inspect_pid(ctx, name, out->pid, out);
	return 0;
}

void iso_inspect_pid(struct be_ctx *ctx, const char *name, int pid, struct be_isolation *out)
{
	out->pid = pid;
	snprintf(out->name, sizeof(out->name), "%s", name);
	namespaces(ctx, out);
	hostname_and_root(ctx, name, out);
	network(ctx, out);
	iso_cgroup(ctx, name, out);
	iso_privileges(ctx, out);
	iso_policy(ctx, name, out);
}
