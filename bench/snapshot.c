/* Benchmark of snapshot and rollback on a stopped container whose upper
 * holds (a) 10 small files and (b) 20,000 files / 1 GiB: medians of the
 * backend calls, the ratio (b)/(a), and `cp -a` of the same upper in the
 * same run as the baseline.  Also the CLI (process start included).
 * Cleans up its root whatever happens. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "berth.h"

#define RUNS 11
#define BIG_FILES 20000
#define BIG_BYTES (1ull << 30)

static char root[64];

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(double), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Writes n files of total bytes under dir, 200 to a directory. */
static int make_tree(const char *dir, unsigned n, unsigned long long bytes)
{
	size_t each = (size_t)(bytes / n);
	char *buf = malloc(each ? each : 1);
	if (buf == NULL)
		return -1;
	for (size_t i = 0; i < each; i++)
		buf[i] = (char)('a' + i % 26);
	for (unsigned i = 0; i < n; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/d%03u", dir, i / 200);
		mkdir(path, 0755);
		snprintf(path, sizeof(path), "%s/d%03u/f%05u", dir, i / 200, i);
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || write(fd, buf, each) != (ssize_t)each) {
			free(buf);
			return -1;
		}
		close(fd);
	}
	free(buf);
	return 0;
}

/* The container's upper becomes a hard-linked copy of master (untimed:
 * same files, same sizes, no data written). */
static int fill_upper(const char *master)
{
	return sh("rm -rf '%s/containers/b/upper' && cp -al '%s' '%s/containers/b/upper'", root,
	          master, root);
}

struct figures {
	double snap, rollback, cli_snap, cli_rollback, trash, reap, cp;
};

static int fail(struct be_error *err)
{
	fprintf(stderr, "bench snapshot: %s\n", err ? err->msg : "failed");
	be_error_free(err);
	return -1;
}

/* Waits until the trash reaper is done (it holds ROOT/trash's flock while
 * it deletes) and returns how long that took, in ms. */
static double wait_trash(void)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/trash", root);
	double t0 = now_ms();
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	/* The reaper may not hold the lock yet: a few tries, then block. */
	for (;;) {
		if (flock(fd, LOCK_EX) < 0 && errno == EINTR)
			continue;
		char cmd[256];
		snprintf(cmd, sizeof(cmd), "[ -z \"$(ls -A '%s')\" ]", path);
		flock(fd, LOCK_UN);
		if (sh("%s", cmd) == 0 || now_ms() - t0 > 120000)
			break;
		usleep(1000);
	}
	close(fd);
	return now_ms() - t0;
}

/* runs differs between the cases: it also keeps the CLI's snapshot names
 * apart. */
static int run_case(struct be_ctx *ctx, const char *master, int runs, struct figures *f)
{
	double snap[RUNS * 2], rb[RUNS * 2], cli_s[RUNS * 2], cli_r[RUNS * 2], trash[RUNS * 2],
	        reap[RUNS * 2];
	const char *bin = getenv("BERTH_BIN") ? getenv("BERTH_BIN") : "build/berth";
	struct be_error *err = NULL;
	for (int i = 0; i < runs; i++) {
		char name[BE_NAME_MAX + 1];
		if (fill_upper(master) != 0)
			return -1;
		sync();
		double t0 = now_ms();
		if (be_snapshot_create(ctx, "b", NULL, name, &err) < 0)
			return fail(err);
		snap[i] = now_ms() - t0;
		if (fill_upper(master) != 0)
			return -1;
		sync();
		t0 = now_ms();
		if (be_snapshot_rollback(ctx, "b", name, false, 0, &err) < 0)
			return fail(err);
		rb[i] = now_ms() - t0;
		t0 = now_ms();
		if (be_snapshot_cleanup(ctx, &err) < 0)
			return fail(err);
		trash[i] = now_ms() - t0;
		reap[i] = wait_trash();
		/* The same through the command line. */
		if (fill_upper(master) != 0)
			return -1;
		sync();
		t0 = now_ms();
		if (sh("'%s' --root '%s' snapshot b cli%d-%d >/dev/null", bin, root, runs, i) != 0)
			return -1;
		cli_s[i] = now_ms() - t0;
		if (fill_upper(master) != 0)
			return -1;
		sync();
		t0 = now_ms();
		if (sh("'%s' --root '%s' rollback b cli%d-%d", bin, root, runs, i) != 0)
			return -1;
		cli_r[i] = now_ms() - t0;
		wait_trash();
	}
	f->snap = median(snap, (size_t)runs);
	f->rollback = median(rb, (size_t)runs);
	f->trash = median(trash, (size_t)runs);
	f->reap = median(reap, (size_t)runs);
	f->cli_snap = median(cli_s, (size_t)runs);
	f->cli_rollback = median(cli_r, (size_t)runs);
	double cp[3];
	int ncp = strstr(master, "big") ? 1 : 3;
	for (int i = 0; i < ncp; i++) {
		sync();
		double t0 = now_ms();
		if (sh("cp -a '%s' '%s/cp-copy'", master, root) != 0)
			return -1;
		cp[i] = now_ms() - t0;
		sh("rm -rf '%s/cp-copy'", root);
	}
	f->cp = median(cp, (size_t)ncp);
	return 0;
}

static void print_case(const char *label, const struct figures *f)
{
	printf("%-34s snapshot %8.3f ms  rollback %8.3f ms  (reaper started in %.1f ms; it "
	       "deleted the old upper in the background in %.0f ms)\n",
	       label, f->snap, f->rollback, f->trash, f->reap);
	printf("%-34s snapshot %8.3f ms  rollback %8.3f ms  (CLI, process start included)\n", "",
	       f->cli_snap, f->cli_rollback);
	printf("%-34s cp -a    %8.1f ms  = %.0fx the snapshot\n", "", f->cp, f->cp / f->snap);
}

/* Disk used by ROOT/layers, in KiB (-1 when du fails). */
static long layers_kb(void)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "du -sk --one-file-system '%s/layers' | cut -f1", root);
	FILE *p = popen(cmd, "r");
	long kb = -1;
	if (p == NULL || fscanf(p, "%ld", &kb) != 1)
		kb = -1;
	if (p)
		pclose(p);
	return kb;
}

/* A live snapshot of a running container whose upper holds the tree
 * master (copied in while it was stopped) and which keeps writing: the
 * frozen time against cp -a of the same tree, medians of 3; then the disk
 * used by 5 clones of it. */
static int live_case(struct be_ctx *ctx, const char *master)
{
	struct be_error *err = NULL;
	struct be_container_spec spec = {.name = "lv", .image = "demo"};
	static char a0[] = "sh", a1[] = "-c",
	            a2[] = "i=0; while :; do i=$((i+1)); echo $i > /w$((i % 50)); done";
	char *cmd[] = {a0, a1, a2, NULL};
	spec.cmd = cmd;
	if (be_container_create(ctx, &spec, NULL, &err) < 0)
		return fail(err);
	int r = -1;
	if (sh("rm -rf '%s/containers/lv/upper' && cp -a '%s' '%s/containers/lv/upper'", root,
	       master, root) != 0)
		goto out;
	struct be_start_opts so = {.in_fd = -1, .out_fd = -1, .err_fd = -1, .console_fd = -1};
	if (be_container_start(ctx, "lv", &so, &err) < 0) {
		fail(err);
		goto out;
	}
	double frozen[3], total[3], cp[3];
	for (int i = 0; i < 3; i++) {
		struct be_snapshot_taken tk;
		double t0 = now_ms();
		if (be_snapshot_take(ctx, "lv", NULL, &tk, &err) < 0) {
			fail(err);
			goto out;
		}
		total[i] = now_ms() - t0;
		frozen[i] = (double)tk.frozen_ns / 1e6;
		sync();
		t0 = now_ms();
		if (sh("cp -a '%s' '%s/cp-copy'", master, root) != 0)
			goto out;
		cp[i] = now_ms() - t0;
		sh("rm -rf '%s/cp-copy'", root);
	}
	printf("live snapshot, 20,000 files / 200 MB, container writing: frozen %.1f ms "
	       "(runs %.1f %.1f %.1f), whole snapshot %.0f ms, cp -a %.0f ms: "
	       "frozen/cp = %.3f (goal: frozen < 50 ms)\n",
	       median(frozen, 3), frozen[0], frozen[1], frozen[2], median(total, 3), median(cp, 3),
	       median(frozen, 3) / median(cp, 3));
	/* Clones of the running container: the writer keeps changing its upper,
	 * so stop the writes first (freeze = pause) and take 5 clones. */
	if (be_container_pause(ctx, "lv", true, &err) < 0) {
		fail(err);
		goto out;
	}
	long before = layers_kb();
	for (int i = 0; i < 5; i++) {
		char nm[16];
		snprintf(nm, sizeof(nm), "lvc%d", i);
		if (be_container_clone(ctx, "lv", nm, NULL, &err) < 0) {
			fail(err);
			goto out;
		}
	}
	printf("5 clones of the running container (paused): layers grew %.1f MB "
	       "(one copy of its upper is ~200 MB)\n",
	       (double)(layers_kb() - before) / 1024);
	be_container_pause(ctx, "lv", false, NULL);
	r = 0;
out:
	for (int i = 0; i < 5; i++) {
		char nm[16];
		snprintf(nm, sizeof(nm), "lvc%d", i);
		be_container_remove(ctx, nm, true, NULL);
	}
	be_container_remove(ctx, "lv", true, NULL);
	return r;
}

static int bench(void)
{
	struct be_ctx *ctx = NULL;
	struct be_error *err = NULL;
	struct be_ctx_opts o = {.root = root};
	if (be_ctx_open(&o, &ctx, &err) < 0 || be_image_demo(ctx, "demo", &err) < 0)
		return fail(err);
	struct be_container_spec spec = {.name = "b", .image = "demo"};
	static char cmd0[] = "true";
	char *cmd[] = {cmd0, NULL};
	spec.cmd = cmd;
	int r = -1;
	if (be_container_create(ctx, &spec, NULL, &err) < 0) {
		fail(err);
		goto out;
	}
	char small[128], big[128], live[128];
	snprintf(small, sizeof(small), "%s/master-small", root);
	snprintf(big, sizeof(big), "%s/master-big", root);
	snprintf(live, sizeof(live), "%s/master-live", root);
	mkdir(small, 0755);
	mkdir(big, 0755);
	mkdir(live, 0755);
	if (make_tree(small, 10, 10 * 100) < 0 || make_tree(big, BIG_FILES, BIG_BYTES) < 0 ||
	    make_tree(live, BIG_FILES, 200ull << 20) < 0) {
		fprintf(stderr, "bench snapshot: writing the test trees: %s\n", strerror(errno));
		goto out;
	}
	struct figures a, b;
	if (run_case(ctx, small, RUNS, &a) < 0 || run_case(ctx, big, RUNS - 2, &b) < 0)
		goto out;
	printf("medians of %d and %d runs, stopped container, upper of:\n", RUNS, RUNS - 2);
	print_case("(a) 10 small files", &a);
	print_case("(b) 20,000 files, 1 GiB", &b);
	printf("ratio (b)/(a): snapshot %.2f, rollback %.2f (goal <= 1.5; both under 10 ms at "
	       "(b))\n",
	       b.snap / a.snap, b.rollback / a.rollback);
	if (live_case(ctx, live) < 0)
		goto out;
	r = 0;
out:
	be_container_remove(ctx, "b", true, NULL);
	/* berth keeps its (empty) v1 parent group: it is this root's only. */
	sh("rmdir /sys/fs/cgroup/*/'%s' 2>/dev/null; true", be_ctx_cgroup_parent(ctx));
	be_ctx_free(ctx);
	return r;
}

int main(void)
{
	snprintf(root, sizeof(root), "/var/tmp/berth-bench-XXXXXX");
	if (geteuid() != 0) {
		puts("bench snapshot: skipped (needs root)");
		return 0;
	}
	if (mkdtemp(root) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	int r = bench();
	sh("rm -rf --one-file-system '%s'", root);
	return r < 0 ? 1 : 0;
}
