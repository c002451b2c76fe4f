/* Processes and namespaces of a container for the detail view and `berth
 * top`: PID/stat, status, cmdline and the PID/ns links, read under the
 * context's proc root through the shared parsers of parse.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stats/parse.h"
#include "base/util.h"

/* Reads PID/FILE under the proc root into buf (NUL-terminated, cut at
 * len - 1 bytes).  Returns the length, or -1 with errno. */
static ssize_t read_pid_file(int proc, pid_t pid, const char *file, char *buf, size_t len)
{
	char rel[64];
	snprintf(rel, sizeof(rel), "%d/%s", (int)pid, file);
	cleanup_close int fd = openat(proc, rel, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t n = 0;
	while (n < len - 1) {
		ssize_t r = read(fd, buf + n, len - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	return (ssize_t)n;
}

/* Copies src (n bytes) into dst of len bytes for display on one line:
 * control bytes become '?', and a UTF-8 sequence cut by the end is dropped
 * so the terminal never gets half a character. */
static void copy_printable(char *dst, size_t len, const char *src, size_t n)
{
	if (n >= len)
		n = len - 1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];
		dst[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	size_t end = n, lead = n;
	while (lead > 0 && ((unsigned char)dst[lead - 1] & 0xc0) == 0x80)
		lead--;
	if (lead > 0 && ((unsigned char)dst[lead - 1] & 0x80)) {
		unsigned char c = (unsigned char)dst[lead - 1];
		size_t want = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		if (n - (lead - 1) < want)
			end = lead - 1;
	}
	dst[end] = '\0';
}

/* argv joined by spaces; "[comm]" for a process without one. */
static void fill_cmdline(int proc, struct be_proc_info *p)
{
	/* One byte more than fits, so that a cut can be seen and the trailing
	 * NUL of the last argument dropped. */
	char buf[sizeof(p->cmdline) + 1];
	ssize_t n = read_pid_file(proc, p->pid, "cmdline", buf, sizeof(buf));
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	if (n <= 0) {
		snprintf(p->cmdline, sizeof(p->cmdline), "[%s]", p->comm);
		return;
	}
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	copy_printable(p->cmdline, sizeof(p->cmdline), buf, (size_t)n);
}

struct proc_units {
	uint64_t tick_ns, page_size;
};

/* Fills p from PID's stat and status; -1 when the process is gone (or its
 * stat is unreadable, which is the same to the caller). */
static int read_one(int proc, pid_t pid, const struct proc_units *u, struct be_proc_info *p)
{
	char buf[4096];
	struct be_proc_stat st;
	if (read_pid_file(proc, pid, "stat", buf, sizeof(buf)) <= 0 ||
	    parse_proc_stat(buf, &st) < 0 || st.pid != pid)
		return -1;
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->ppid = st.ppid;
	p->state = st.state;
	p->threads = (unsigned)st.num_threads;
	p->rss_bytes = st.rss_pages * u->page_size;
	p->cpu_ns = (st.utime + st.stime) * u->tick_ns;
	p->start_ns = st.starttime * u->tick_ns;
	p->uid = (uid_t)-1;
	copy_printable(p->comm, sizeof(p->comm), st.comm, strlen(st.comm));

	struct be_proc_status ss;
	if (read_pid_file(proc, pid, "status", buf, sizeof(buf)) > 0 &&
	    parse_proc_status(buf, &ss) == 0) {
		/* Uid: real effective saved fs; the first is the real one. */
		static const char *const keys[] = {"Uid", "VmRSS"};
		uint64_t v[2] = {0, 0};
		uint64_t found = parse_keyed(buf, keys, 2, v);
		if (found & 1)
			p->uid = (uid_t)v[0];
		if (found & 2)
			p->rss_bytes = ss.vm_rss_bytes;
		if (ss.threads > 0)
			p->threads = (unsigned)ss.threads;
		p->ns_pid = ss.ns_pid;
	}
	fill_cmdline(proc, p);
	return 0;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = ((const struct be_proc_info *)a)->pid, y = ((const struct be_proc_info *)b)->pid;
	return (x > y) - (x < y);
}

static int open_proc_root(struct be_ctx *ctx, const char *what, struct be_error **err)
{
	int fd = open(be_ctx_proc_root(ctx), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		be_error_set(err, errno, "%s: %s", what, be_ctx_proc_root(ctx));
	return fd;
}

int be_proc_list(struct be_ctx *ctx, const pid_t *pids, size_t n, struct be_proc_info **out,
                 size_t *nout, struct be_error **err)
{
	*out = NULL;
	*nout = 0;
	cleanup_close int proc = open_proc_root(ctx, "reading processes", err);
	if (proc < 0)
		return -1;
	long tick = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	struct proc_units u = {
	        .tick_ns = tick > 0 ? 1000000000u / (uint64_t)tick : 10000000u,
	        .page_size = page > 0 ? (uint64_t)page : 4096u,
	};
	struct be_proc_info *v = xcalloc(n ? n : 1, sizeof(*v));
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (pids[i] > 0 && read_one(proc, pids[i], &u, &v[k]) == 0)
			k++;
	qsort(v, k, sizeof(*v), cmp_pid);
	/* A pid asked for twice is listed once. */
	size_t keep = 0;
	for (size_t i = 0; i < k; i++)
		if (keep == 0 || v[keep - 1].pid != v[i].pid)
			v[keep++] = v[i];
	*out = v;
	*nout = keep;
	return 0;
}

/* ---- namespaces ------------------------------------------------------------ */

static const char *const ns_names[BE_NS_COUNT] = {
        [BE_NS_CGROUP] = "cgroup", [BE_NS_IPC] = "ipc", [BE_NS_MNT] = "mnt",
        [BE_NS_NET] = "net",       [BE_NS_PID] = "pid", [BE_NS_TIME] = "time",
        [BE_NS_USER] = "user",     [BE_NS_UTS] = "uts",
};

/* The inode in PID/ns/TYPE -> "TYPE:[INODE]"; false when the link cannot
 * be read (no such namespace type, no permission, process gone) or does
 * not say that. */
static bool ns_inode(int proc, const char *who, const char *type, uint64_t *inode)
{
	char rel[64], link[128];
	snprintf(rel, sizeof(rel), "%s/ns/%s", who, type);
	ssize_t n = readlinkat(proc, rel, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = '\0';
	size_t tl = strlen(type);
	if ((size_t)n < tl + 4 || strncmp(link, type, tl) != 0 || link[tl] != ':' ||
	    link[tl + 1] != '[' || link[n - 1] != ']')
		return false;
	const char *end = parse_read_u64(link + tl + 2, inode);
	return end == link + n - 1;
}

/* "process N is gone", with ESRCH for callers that look at errnum. */
static int gone(pid_t pid, struct be_error **err)
{
	bool fresh = err != NULL && *err == NULL;
	be_error_set(err, 0, "process %d is gone", (int)pid);
	if (fresh)
		(*err)->errnum = ESRCH;
	return -1;
}

static bool pid_exists(int proc, pid_t pid)
{
	char rel[32];
	snprintf(rel, sizeof(rel), "%d", (int)pid);
	struct stat st;
	return fstatat(proc, rel, &st, 0) == 0 && S_ISDIR(st.st_mode);
}

int be_ns_compare(struct be_ctx *ctx, pid_t pid, struct be_ns_info out[BE_NS_COUNT],
                  struct be_error **err)
{
	cleanup_close int proc = open_proc_root(ctx, "reading namespaces", err);
	if (proc < 0)
		return -1;
	if (pid <= 0 || !pid_exists(proc, pid))
		return gone(pid, err);
	for (int i = 0; i < BE_NS_COUNT; i++) {
		struct be_ns_info *ns = &out[i];
		memset(ns, 0, sizeof(*ns));
		ns->type = ns_names[i];
		char who[16];
		snprintf(who, sizeof(who), "%d", (int)pid);
		/* The host's: its init's, or, where those links are closed to
		 * us (a sandbox whose pid 1 is not ours to read), berth's own,
		 * which runs in the host's namespaces. */
		ns->present = ns_inode(proc, who, ns->type, &ns->inode) &&
		              (ns_inode(proc, "1", ns->type, &ns->host_inode) ||
		               ns_inode(proc, "self", ns->type, &ns->host_inode));
		if (!ns->present)
			ns->inode = ns->host_inode = 0;
		ns->shared = ns->present && ns->inode == ns->host_inode;
	}
	/* Links that failed because PID exited meanwhile are not "absent". */
	if (!pid_exists(proc, pid))
		return gone(pid, err);
	return 0;
}
