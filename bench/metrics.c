/* Benchmark of a Prometheus scrape (issue 15): 1,000 cgroups with a process
 * each, made as the berth containers of a throwaway state root (its
 * berth-<hash> parent, so they are listed and labelled as berth's own), and
 * removed again, also on Ctrl-C or failure.  In one process, alternating:
 * one scrape (GET /metrics over loopback from the listener of
 * be_metrics_server_start in a child process: refresh + exposition + HTTP)
 * against one `top -b` refresh (refresh of a monitor of this process + the
 * sorted table of top's default columns, written to /dev/null).  Wall and
 * CPU time (a scrape: the server's and the client's), medians of ROUNDS,
 * three runs; goal: scrape <= 1.2x top. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "berth.h"
#include "base/util.h"

#define NCG 1000
#define ROUNDS 15
#define RUNS 3

static const char *const v1_ctls[] = {"cpu", "cpuacct", "memory", "pids"};
static volatile sig_atomic_t stop;
static char parent[64];
static bool v2;
static pid_t kids[NCG];
static size_t nkids, ncg_made;
static bool parent_made;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static size_t nctl(void)
{
	return v2 ? 1 : 4;
}

static void ctl_path(char *buf, size_t len, size_t ctl, const char *rel)
{
	if (v2)
		snprintf(buf, len, "/sys/fs/cgroup/%s", rel);
	else
		snprintf(buf, len, "/sys/fs/cgroup/%s/%s", v1_ctls[ctl], rel);
}

static void rmdir_retry(const char *p)
{
	for (int i = 0; i < 100 && rmdir(p) < 0 && errno == EBUSY; i++)
		usleep(10000);
}

static void cleanup(void)
{
	for (size_t i = 0; i < nkids; i++)
		kill(kids[i], SIGKILL);
	for (size_t i = 0; i < nkids; i++)
		waitpid(kids[i], NULL, 0);
	nkids = 0;
	char rel[128], p[256];
	for (size_t i = 0; i < ncg_made; i++)
		for (size_t c = 0; c < nctl(); c++) {
			snprintf(rel, sizeof(rel), "%s/c%zu", parent, i);
			ctl_path(p, sizeof(p), c, rel);
			rmdir_retry(p);
		}
	ncg_made = 0;
	for (size_t c = 0; parent_made && c < nctl(); c++) {
		ctl_path(p, sizeof(p), c, parent);
		rmdir_retry(p);
	}
	parent_made = false;
}

static int die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("bench metrics: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	cleanup();
	return 1;
}

static bool write_str(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	bool ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok;
}

static double now_s(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int make_tree(void)
{
	char rel[128], p[256], num[16];
	for (size_t c = 0; c < nctl(); c++) {
		ctl_path(p, sizeof(p), c, parent);
		if (mkdir(p, 0755) < 0)
			return die("mkdir %s: %s", p, strerror(errno));
		parent_made = true;
		if (v2) {
			snprintf(p + strlen(p), sizeof(p) - strlen(p), "/cgroup.subtree_control");
			write_str(p, "+cpu +memory +pids");
		}
	}
	for (size_t i = 0; i < NCG && !stop; i++) {
		snprintf(rel, sizeof(rel), "%s/c%zu", parent, i);
		for (size_t c = 0; c < nctl(); c++) {
			ctl_path(p, sizeof(p), c, rel);
			if (mkdir(p, 0755) < 0 && errno != EEXIST)
				return die("mkdir %s: %s", p, strerror(errno));
		}
		ncg_made = i + 1;
		pid_t pid = fork();
		if (pid < 0)
			return die("fork: %s", strerror(errno));
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			for (;;)
				pause();
		}
		kids[nkids++] = pid;
		snprintf(num, sizeof(num), "%d", (int)pid);
		for (size_t c = 0; c < nctl(); c++) {
			ctl_path(p, sizeof(p), c, rel);
			strcat(p, "/cgroup.procs");
			if (!write_str(p, num))
				return die("writing %s: %s", p, strerror(errno));
		}
	}
	return stop ? die("interrupted") : 0;
}

/* ---- the two sides ----------------------------------------------------------- */

/* GET /metrics from addr ("127.0.0.1:PORT"); returns the bytes read, -1. */
static long scrape(const char *addr, char *buf, size_t cap)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	a.sin_port = htons((uint16_t)atoi(strchr(addr, ':') + 1));
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	static const char req[] = "GET /metrics HTTP/1.0\r\nHost: bench\r\n\r\n";
	long total = write(fd, req, sizeof(req) - 1) == (ssize_t)sizeof(req) - 1 ? 0 : -1;
	for (ssize_t n; total >= 0 && (size_t)total + 1 < cap &&
	                (n = read(fd, buf + total, cap - 1 - (size_t)total)) != 0;)
		total = n < 0 ? -1 : total + n;
	if (total >= 0)
		buf[total] = '\0';
	close(fd);
	return total;
}

static const char *const top_columns[] = {
        "kind", "name",   "id",     "cpu",     "quota",    "mem",       "limit",     "mem_pct",
        "pids", "net_rx", "net_tx", "io_read", "io_write", "throttled", "oom_kills", "root"};
#define NTOP (sizeof(top_columns) / sizeof(top_columns[0]))

static const struct be_column *sort_col;
static int by_cpu(const void *a, const void *b)
{
	return -sort_col->compare(*(const struct be_item *const *)a,
	                          *(const struct be_item *const *)b);
}

/* What one iteration of `berth top -b` does once its monitor is warm. */
static int top_refresh(struct be_monitor *mon, FILE *out, const struct be_item **items)
{
	if (be_monitor_refresh(mon, NULL) < 0)
		return -1;
	size_t n = be_monitor_count(mon);
	for (size_t i = 0; i < n; i++)
		items[i] = be_monitor_item(mon, i);
	sort_col = be_stats_column("cpu");
	qsort(items, n, sizeof(*items), by_cpu);
	char line[8192], cell[256];
	be_stats_host_line(be_monitor_host(mon), line, sizeof(line));
	fprintf(out, "%s\n%zu items\n\n", line, n);
	for (size_t i = 0; i < n; i++) {
		for (size_t c = 0; c < NTOP; c++) {
			const struct be_column *col = be_stats_column(top_columns[c]);
			col->format(items[i], cell, sizeof(cell));
			int w = col->width < 0 ? -col->width : col->width;
			fprintf(out, col->width < 0 ? "%-*.*s  " : "%*.*s  ", w, w, cell);
		}
		fputc('\n', out);
	}
	fflush(out);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct run {
	double scrape_wall, scrape_cpu, top_wall, top_cpu;
	long bytes;
};

/* The server and the `top -b` side each run in a child process: a monitor
 * of 1,000 v1 items keeps about 19,000 files open, near the open-file
 * limit, so two cannot share one.  CPU is read on each child's process CPU
 * clock (a scrape adds this process's read of the response). */
static clockid_t server_clock, top_clock;
static int top_in = -1, top_out = -1;

/* The top child: one refresh and table per byte received. */
static void top_child(struct be_ctx *ctx, int in, int out)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	FILE *null = fopen("/dev/null", "w");
	const struct be_item **items = xcalloc(NCG + 4096, sizeof(*items));
	struct be_monitor *mon = be_monitor_new(ctx, NULL, NULL);
	char c;
	while (null && mon && read(in, &c, 1) == 1) {
		c = top_refresh(mon, null, items) == 0 ? 'y' : 'n';
		if (write(out, &c, 1) != 1)
			break;
	}
	_exit(0);
}

static int top_once(void)
{
	char c = 'g';
	if (write(top_in, &c, 1) != 1 || read(top_out, &c, 1) != 1)
		return -1;
	return c == 'y' ? 0 : -1;
}

static int one_run(const char *addr, struct run *r)
{
	static double sw[ROUNDS], sc[ROUNDS], tw[ROUNDS], tc[ROUNDS];
	size_t cap = 64u << 20;
	char *buf = xmalloc(cap);
	int rc = 0;
	for (int i = 0; i < ROUNDS && rc == 0 && !stop; i++) {
		double w0 = now_s(CLOCK_MONOTONIC);
		double c0 = now_s(server_clock) + now_s(CLOCK_PROCESS_CPUTIME_ID);
		r->bytes = scrape(addr, buf, cap);
		double w1 = now_s(CLOCK_MONOTONIC);
		double c1 = now_s(server_clock) + now_s(CLOCK_PROCESS_CPUTIME_ID);
		double t1 = now_s(top_clock);
		const char *count = r->bytes > 0 ? strstr(buf, "berth_items{kind=\"berth\"") : NULL;
		const char *val = count ? strstr(count, "} ") : NULL;
		if (r->bytes <= 0)
			rc = die("scraping %s failed", addr);
		else if (val == NULL || atoi(val + 2) < NCG)
			rc = die("the scrape lists fewer than %d berth containers", NCG);
		else if (top_once() < 0)
			rc = die("the top -b side failed");
		double w2 = now_s(CLOCK_MONOTONIC), t2 = now_s(top_clock);
		sw[i] = w1 - w0, sc[i] = c1 - c0, tw[i] = w2 - w1, tc[i] = t2 - t1;
	}
	r->scrape_wall = median(sw, ROUNDS), r->scrape_cpu = median(sc, ROUNDS);
	r->top_wall = median(tw, ROUNDS), r->top_cpu = median(tc, ROUNDS);
	free(buf);
	return stop ? -1 : rc;
}

/* The server child: serves until SIGTERM; writes its address to fd. */
static void serve_child(struct be_ctx *ctx, int fd)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	struct be_error *err = NULL;
	struct be_metrics_server *srv = NULL;
	if (be_metrics_server_start(ctx, "127.0.0.1:0", false, &srv, &err) < 0) {
		fprintf(stderr, "bench metrics: %s\n", err->msg);
		_exit(1);
	}
	dprintf(fd, "%s\n", be_metrics_server_address(srv));
	close(fd);
	int sig;
	sigwait(&set, &sig);
	be_metrics_server_stop(srv);
	_exit(0);
}

static int bench(struct be_ctx *ctx)
{
	int p[2];
	if (pipe(p) < 0)
		return die("pipe: %s", strerror(errno));
	pid_t server = fork();
	if (server < 0)
		return die("fork: %s", strerror(errno));
	if (server == 0) {
		close(p[0]);
		serve_child(ctx, p[1]);
	}
	close(p[1]);
	char addr[80] = "";
	ssize_t an = read(p[0], addr, sizeof(addr) - 1);
	close(p[0]);
	if (an <= 0 || clock_getcpuclockid(server, &server_clock) != 0) {
		kill(server, SIGTERM);
		waitpid(server, NULL, 0);
		return die("the metrics server did not start");
	}
	addr[strcspn(addr, "\n")] = '\0';
	int to[2], from[2];
	if (pipe(to) < 0 || pipe(from) < 0)
		return die("pipe: %s", strerror(errno));
	pid_t topp = fork();
	if (topp == 0) {
		close(to[1]);
		close(from[0]);
		top_child(ctx, to[0], from[1]);
	}
	close(to[0]);
	close(from[1]);
	top_in = to[1];
	top_out = from[0];
	if (topp < 0 || clock_getcpuclockid(topp, &top_clock) != 0) {
		kill(server, SIGTERM);
		waitpid(server, NULL, 0);
		return die("the top -b side did not start");
	}
	char *warm = xmalloc(64u << 20);
	/* Warm both monitors (files opened, items named). */
	for (int i = 0; i < 3; i++) {
		scrape(addr, warm, 64u << 20);
		top_once();
	}
	free(warm);
	struct run runs[RUNS];
	double ratio_w[RUNS], ratio_c[RUNS];
	int rc = 0;
	for (int k = 0; k < RUNS && rc == 0; k++) {
		rc = one_run(addr, &runs[k]);
		if (rc)
			break;
		ratio_w[k] = runs[k].scrape_wall / runs[k].top_wall;
		ratio_c[k] = runs[k].scrape_cpu / runs[k].top_cpu;
		printf("run %d: scrape %.2f ms wall, %.2f ms CPU (%ld bytes, %zu+ items); top -b "
		       "refresh "
		       "%.2f ms wall, %.2f ms CPU; scrape/top: %.2fx wall, %.2fx CPU\n",
		       k + 1, runs[k].scrape_wall * 1e3, runs[k].scrape_cpu * 1e3, runs[k].bytes,
		       (size_t)NCG, runs[k].top_wall * 1e3, runs[k].top_cpu * 1e3, ratio_w[k],
		       ratio_c[k]);
	}
	if (rc == 0) {
		qsort(ratio_c, RUNS, sizeof(double), cmp_double);
		qsort(ratio_w, RUNS, sizeof(double), cmp_double);
		printf("scrape/top over %d runs: CPU %.2f-%.2fx, wall %.2f-%.2fx (goal <= 1.2x): "
		       "%s\n",
		       RUNS, ratio_c[0], ratio_c[RUNS - 1], ratio_w[0], ratio_w[RUNS - 1],
		       ratio_c[RUNS / 2] <= 1.2 ? "met" : "NOT met");
	}
	kill(server, SIGTERM);
	waitpid(server, NULL, 0);
	close(top_in);
	close(top_out);
	waitpid(topp, NULL, 0);
	return rc;
}

int main(void)
{
	if (geteuid() != 0) {
		printf("bench metrics: skipped (needs root to make cgroups)\n");
		return 0;
	}
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	char root[64], hex[9];
	util_random_hex(hex, 4);
	snprintf(root, sizeof(root), "/tmp/berth-bench-metrics-%s", hex);
	struct be_ctx_opts o = {.root = root, .read_only = true};
	struct be_ctx *ctx = NULL;
	struct be_error *err = NULL;
	if (be_ctx_open(&o, &ctx, &err) < 0)
		return die("%s", err->msg);
	if (be_ctx_cgroup_layout(ctx) == BE_CGROUP_NONE) {
		printf("bench metrics: skipped (no cgroup hierarchy)\n");
		be_ctx_free(ctx);
		return 0;
	}
	v2 = be_ctx_cgroup_layout(ctx) == BE_CGROUP_V2;
	/* The root's own cgroup parent: the cgroups are its containers. */
	snprintf(parent, sizeof(parent), "%s", be_ctx_cgroup_parent(ctx));
	double t0 = now_s(CLOCK_MONOTONIC);
	if (make_tree() != 0) {
		be_ctx_free(ctx);
		return 1;
	}
	printf("setup: %d cgroups (%s) with a process each under %s in %.2f s\n", NCG,
	       v2 ? "v2" : "v1", parent, now_s(CLOCK_MONOTONIC) - t0);
	int rc = bench(ctx);
	be_ctx_free(ctx);
	cleanup();
	rmdir(root);
	return rc;
}
