/* What the cgroup walk cannot tell about an item, read from its processes
 * once: when it started (its oldest process's start time, /proc/PID/stat),
 * and for a berth container of another state root, which root (from its
 * keeper: the log file it holds open, else its --root argument or
 * BERTH_ROOT, checked against the cgroup parent's hash). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stats/discover_int.h"
#include "base/util.h"

/* How many member pids are looked at (an item with thousands of processes
 * costs no more than this). */
#define PIDS_LOOKED_AT 64

static ssize_t read_at(int dirfd, const char *rel, char *buf, size_t len)
{
	int fd = openat(dirfd, rel, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

static int proc_stat(const struct be_discover *d, pid_t pid, struct be_proc_stat *ps)
{
	char rel[32], buf[1024];
	snprintf(rel, sizeof(rel), "%d/stat", (int)pid);
	if (read_at(d->proc_fd, rel, buf, sizeof(buf)) <= 0)
		return -1;
	return parse_proc_stat(buf, ps);
}

/* The host's boot time (btime of /proc/stat), read once. */
static uint64_t boot_time(struct be_discover *d)
{
	if (d->btime == 0) {
		char *buf = xmalloc(65536);
		if (read_at(d->proc_fd, "stat", buf, 65536) > 0) {
			const char *p = strstr(buf, "\nbtime ");
			if (p)
				d->btime = strtoull(p + 7, NULL, 10);
		}
		free(buf);
	}
	return d->btime;
}

uint64_t discover_start_time(struct be_discover *d, const pid_t *pids, size_t n)
{
	long tck = sysconf(_SC_CLK_TCK);
	uint64_t oldest = UINT64_MAX;
	for (size_t i = 0; i < n && i < PIDS_LOOKED_AT; i++) {
		struct be_proc_stat ps;
		if (proc_stat(d, pids[i], &ps) == 0 && ps.starttime < oldest)
			oldest = ps.starttime;
	}
	uint64_t bt = boot_time(d);
	if (oldest == UINT64_MAX || bt == 0 || tck <= 0)
		return 0;
	return bt + oldest / (uint64_t)tck;
}

/* ---- the root of another berth's container --------------------------------- */

bool discover_root_matches(const char *root, const char *parent)
{
	if (strcmp(root, "/var/lib/berth") == 0)
		return strcmp(parent, "berth") == 0;
	uint32_t h = 2166136261u; /* as store/ctx.c names a root's cgroup parent */
	for (const char *p = root; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	char want[32];
	snprintf(want, sizeof(want), "berth-%08x", h);
	return strcmp(parent, want) == 0;
}

/* The keeper of a container: the parent of one of its members (its init),
 * named berth-keeper; 0 when none is found. */
static pid_t find_keeper(const struct be_discover *d, const pid_t *pids, size_t n)
{
	for (size_t i = 0; i < n && i < PIDS_LOOKED_AT; i++) {
		struct be_proc_stat ps, pp;
		if (proc_stat(d, pids[i], &ps) == 0 && ps.ppid > 0 &&
		    proc_stat(d, ps.ppid, &pp) == 0 && strcmp(pp.comm, "berth-keeper") == 0)
			return ps.ppid;
	}
	return 0;
}

/* The keeper holds ROOT/containers/NAME/log open: ROOT is the prefix. */
static bool root_from_fds(const struct be_discover *d, pid_t keeper, const char *name,
                          const char *parent, char *out, size_t len)
{
	char suffix[BE_ITEM_NAME_MAX + 32];
	snprintf(suffix, sizeof(suffix), "/containers/%s/log", name);
	size_t sl = strlen(suffix);
	for (int fd = 0; fd < 64; fd++) {
		char rel[48], target[4096];
		snprintf(rel, sizeof(rel), "%d/fd/%d", (int)keeper, fd);
		ssize_t n = readlinkat(d->proc_fd, rel, target, sizeof(target) - 1);
		if (n <= (ssize_t)sl)
			continue;
		target[n] = '\0';
		if (strcmp(target + n - (ssize_t)sl, suffix) != 0)
			continue;
		target[n - (ssize_t)sl] = '\0';
		if (discover_root_matches(target, parent)) {
			snprintf(out, len, "%s", target);
			return true;
		}
	}
	return false;
}

/* The keeper was forked by `berth [--root R] ...`: its argv or its
 * BERTH_ROOT names the root. */
static bool root_from_args(const struct be_discover *d, pid_t keeper, const char *parent, char *out,
                           size_t len)
{
	static const char *const files[] = {"cmdline", "environ"};
	char *buf = xmalloc(65536);
	bool found = false;
	for (size_t f = 0; f < 2 && !found; f++) {
		char rel[48];
		snprintf(rel, sizeof(rel), "%d/%s", (int)keeper, files[f]);
		ssize_t n = read_at(d->proc_fd, rel, buf, 65536);
		for (ssize_t i = 0; n > 0 && i < n && !found; i += (ssize_t)strlen(buf + i) + 1) {
			const char *w = buf + i, *v = NULL;
			if (f == 0 && strcmp(w, "--root") == 0 && i + (ssize_t)strlen(w) + 1 < n)
				v = w + strlen(w) + 1;
			else if (f == 0 && strncmp(w, "--root=", 7) == 0)
				v = w + 7;
			else if (f == 1 && strncmp(w, "BERTH_ROOT=", 11) == 0)
				v = w + 11;
			if (v && v[0] == '/' && discover_root_matches(v, parent)) {
				snprintf(out, len, "%s", v);
				found = true;
			}
		}
	}
	free(buf);
	if (!found && discover_root_matches("/var/lib/berth", parent)) {
		snprintf(out, len, "/var/lib/berth");
		found = true;
	}
	return found;
}

void discover_berth_root(struct be_discover *d, const char *cgroup, const pid_t *pids, size_t n,
                         char *out, size_t len)
{
	/* cgroup is "/<parent>/<name>". */
	char parent[64];
	const char *slash = strchr(cgroup + 1, '/');
	size_t pl = slash ? (size_t)(slash - cgroup - 1) : 0;
	snprintf(out, len, "?");
	if (slash == NULL || pl >= sizeof(parent))
		return;
	memcpy(parent, cgroup + 1, pl);
	parent[pl] = '\0';
	pid_t keeper = find_keeper(d, pids, n);
	if (keeper > 0 && !root_from_fds(d, keeper, slash + 1, parent, out, len))
		root_from_args(d, keeper, parent, out, len);
}
