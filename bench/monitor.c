/* Benchmark of the monitor (issue 4): 1,000 cgroups with a process each,
 * under a parent this program makes (berth-bench-<random>) and removes, also
 * on Ctrl-C or failure.  Measures a refresh (discovery + sampling) per cgroup,
 * its CPU time and heap allocations once warm, against a bare loop that
 * preads the same files (the floor) and libcgroup's cgroup_get_cgroup. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libcgroup.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "berth.h"
#include "stats/stats.h"
#include "base/util.h"

#define NCG 1000
#define ROUNDS 30
#define WARM 3
#define LIBCG_SAMPLE 100

#include "../tests/lib/alloc_count.h"

/* ---- what this program made, for the cleanup ----------------------------- */
static const char *const v1_ctls[] = {"cpu", "cpuacct", "memory", "pids"};
static volatile sig_atomic_t stop;
static char parent[64];
static bool v2;
static pid_t kids[NCG];
static size_t nkids;
static size_t ncg_made;
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
	fputs("bench monitor: ", stderr);
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

/* ---- setup ----------------------------------------------------------------- */

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

/* ---- measurements ---------------------------------------------------------- */

struct figures {
	double wall_s, cpu_s; /* medians per refresh */
	long allocs;
	size_t items, fds;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The floor's files: the same fds the monitor re-reads, the slow ones of
 * one item in BE_SLOW_EVERY each round, as the monitor staggers them. */
struct floor {
	int *fast, *slow;
	size_t nfast, nslow;
	char *buf;
};

static void floor_round(struct floor *fl, unsigned round)
{
	for (size_t i = 0; i < fl->nfast; i++)
		if (pread(fl->fast[i], fl->buf, 65535, 0) < 0)
			fl->buf[0] = 0;
	for (size_t i = round % BE_SLOW_EVERY; i < fl->nslow; i += BE_SLOW_EVERY)
		if (pread(fl->slow[i], fl->buf, 65535, 0) < 0)
			fl->buf[0] = 0;
}

/* Monitor refreshes and floor rounds alternate, so that the machine's drift
 * falls on both alike; medians of ROUNDS each. */
static int measure(struct be_monitor *mon, struct figures *m, struct figures *f)
{
	struct be_error *err = NULL;
	for (int i = 0; i < WARM; i++)
		if (be_monitor_refresh(mon, &err) < 0)
			return die("refresh: %s", err->msg);
	struct floor fl = {0};
	fl.nfast = stats_fds(mon, false, NULL, 0);
	fl.nslow = stats_fds(mon, true, NULL, 0);
	fl.fast = xmalloc((fl.nfast + 1) * sizeof(int));
	fl.slow = xmalloc((fl.nslow + 1) * sizeof(int));
	stats_fds(mon, false, fl.fast, fl.nfast);
	stats_fds(mon, true, fl.slow, fl.nslow);
	fl.buf = xmalloc(65536);
	double mw[ROUNDS], mc[ROUNDS], fw[ROUNDS], fc[ROUNDS];
	allocs = 0;
	for (int r = 0; r < ROUNDS && !stop; r++) {
		double w0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
		counting = 1;
		be_monitor_refresh(mon, NULL);
		counting = 0;
		double w1 = now_s(CLOCK_MONOTONIC), c1 = now_s(CLOCK_PROCESS_CPUTIME_ID);
		floor_round(&fl, (unsigned)r);
		mw[r] = w1 - w0;
		mc[r] = c1 - c0;
		fw[r] = now_s(CLOCK_MONOTONIC) - w1;
		fc[r] = now_s(CLOCK_PROCESS_CPUTIME_ID) - c1;
	}
	m->wall_s = median(mw, ROUNDS);
	m->cpu_s = median(mc, ROUNDS);
	m->allocs = allocs;
	m->items = be_monitor_count(mon);
	f->wall_s = median(fw, ROUNDS);
	f->cpu_s = median(fc, ROUNDS);
	f->fds = fl.nfast + fl.nslow;
	m->fds = fl.nfast + (fl.nslow + BE_SLOW_EVERY - 1) / BE_SLOW_EVERY;
	free(fl.fast);
	free(fl.slow);
	free(fl.buf);
	return stop ? die("interrupted") : 0;
}

static void quiet_logger(void *data, int level, const char *fmt, va_list ap)
{
	(void)data;
	(void)level;
	(void)fmt;
	(void)ap;
}

/* libcgroup's own reading of LIBCG_SAMPLE of the cgroups; per cgroup. */
static int measure_libcgroup(double *per_cg_s)
{
	cgroup_set_logger(quiet_logger, CGROUP_LOG_ERROR, NULL);
	if (cgroup_init() != 0)
		return -1;
	char rel[128];
	double w0 = now_s(CLOCK_MONOTONIC);
	int done = 0;
	for (int i = 0; i < LIBCG_SAMPLE && !stop; i++) {
		snprintf(rel, sizeof(rel), "%s/c%d", parent, i * (NCG / LIBCG_SAMPLE));
		struct cgroup *cg = cgroup_new_cgroup(rel);
		if (cg && cgroup_get_cgroup(cg) == 0)
			done++;
		cgroup_free(&cg);
	}
	*per_cg_s = done ? (now_s(CLOCK_MONOTONIC) - w0) / done : 0;
	return done ? 0 : -1;
}

static void report(const struct figures *m, const struct figures *fl, double libcg, size_t ncg)
{
	double us = 1e6 / (double)ncg;
	printf("cgroups: %zu with a process each under %s; items listed: %zu; files kept open: "
	       "%zu, re-read per refresh: %zu\n",
	       ncg, parent, m->items, fl->fds, m->fds);
	printf("medians of %d refreshes, each followed by a floor round:\n", ROUNDS);
	printf("monitor refresh:    %7.2f ms wall, %7.2f ms CPU = %6.2f us per cgroup (CPU)\n",
	       m->wall_s * 1e3, m->cpu_s * 1e3, m->cpu_s * us);
	printf("floor (bare pread): %7.2f ms wall, %7.2f ms CPU = %6.2f us per cgroup (CPU)\n",
	       fl->wall_s * 1e3, fl->cpu_s * 1e3, fl->cpu_s * us);
	printf("ratio monitor/floor: %.2fx CPU, %.2fx wall (goal <= 1.2x)\n", m->cpu_s / fl->cpu_s,
	       m->wall_s / fl->wall_s);
	if (libcg > 0)
		printf("libcgroup cgroup_get_cgroup: %.1f us per cgroup = %.0fx the monitor\n",
		       libcg * 1e6, libcg / (m->wall_s / (double)ncg));
	else
		printf("libcgroup cgroup_get_cgroup: not measured (cgroup_init failed)\n");
	printf("heap allocations per refresh after warm-up: %.2f (%ld in %d refreshes; goal 0)\n",
	       (double)m->allocs / ROUNDS, m->allocs, ROUNDS);
	double pct = m->cpu_s / (double)ncg * 200 * 100;
	printf("projection: 200 containers at 1 Hz = %.3f%% of one CPU (goal <= 1%%)\n", pct);
}

int main(void)
{
	if (geteuid() != 0) {
		printf("bench monitor: skipped (needs root to make cgroups)\n");
		return 0;
	}
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	struct be_ctx_opts o = {.root = "/tmp/berth-bench-unused-root", .read_only = true};
	struct be_ctx *ctx = NULL;
	struct be_error *err = NULL;
	if (be_ctx_open(&o, &ctx, &err) < 0)
		return die("%s", err->msg);
	if (be_ctx_cgroup_layout(ctx) == BE_CGROUP_NONE) {
		printf("bench monitor: skipped (no cgroup hierarchy)\n");
		be_ctx_free(ctx);
		return 0;
	}
	v2 = be_ctx_cgroup_layout(ctx) == BE_CGROUP_V2;
	char hex[9];
	util_random_hex(hex, 4);
	snprintf(parent, sizeof(parent), "berth-bench-%s", hex);
	double t0 = now_s(CLOCK_MONOTONIC);
	if (make_tree() != 0) {
		be_ctx_free(ctx);
		return 1;
	}
	printf("setup: %d cgroups (%s) and processes in %.2f s\n", NCG, v2 ? "v2" : "v1",
	       now_s(CLOCK_MONOTONIC) - t0);
	struct be_monitor *mon = be_monitor_new(ctx, NULL, &err);
	if (mon == NULL || be_monitor_watch(mon, parent, BE_KIND_CGROUP, &err) < 0) {
		be_monitor_free(mon);
		be_ctx_free(ctx);
		return die("%s", err->msg);
	}
	struct figures m = {0}, fl = {0};
	double libcg = 0;
	int rc = measure(mon, &m, &fl);
	if (rc == 0) {
		measure_libcgroup(&libcg);
		report(&m, &fl, libcg, NCG);
		rc = m.allocs != 0;
	}
	be_monitor_free(mon);
	be_ctx_free(ctx);
	t0 = now_s(CLOCK_MONOTONIC);
	cleanup();
	printf("cleanup: %.2f s\n", now_s(CLOCK_MONOTONIC) - t0);
	return rc;
}
