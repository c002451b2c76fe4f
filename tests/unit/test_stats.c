/* Unit tests of backend/stats*.c: ring buffers, CPU% and rates over
 * changing fixture files, host meters, the column formatters, the JSON
 * schema (checked by parsing it back with jansson), and that a warm refresh
 * allocates nothing. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "berth.h"
#include "stats/stats.h"
#include "testutil.h"

#define MIB 1048576ull
#define D1 "1111111111111111111111111111111111111111111111111111111111111111"

#include "alloc_count.h"

/* Whether a held sample reads back as what was pushed: within 2.2% (half
 * a code, 1/32 octave). */
static bool ring_near(float got, double want)
{
	return got >= want / 1.0219 && got <= want * 1.0219;
}

static void test_be_ring_push_wraps(void **state)
{
	(void)state;
	struct be_ring *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	assert_true(be_ring_last(r) == 0);
	be_ring_push(r, 1);
	be_ring_push(r, 2);
	assert_int_equal(r->count, 2);
	assert_true(be_ring_at(r, 0) == 1); /* powers of two are exact */
	assert_true(be_ring_last(r) == 2);
	for (int i = 3; i <= BE_STATS_HISTORY + 10; i++)
		be_ring_push(r, (float)i);
	assert_int_equal(r->count, BE_STATS_HISTORY);
	/* The last minute sample by sample; before it, each sample reads as
	 * the mean of its bucket of BE_RING_BUCKET (here within half a bucket
	 * of it). */
	size_t recent = BE_STATS_HISTORY - BE_RING_RECENT;
	for (size_t i = 0; i + 1 < BE_STATS_HISTORY; i++) {
		double want = (double)(i + 11);
		float got = be_ring_at(r, i);
		if (i >= recent)
			assert_true(ring_near(got, want));
		else
			assert_true(got >= (want - BE_RING_BUCKET / 2.0) / 1.0219 &&
			            got <= (want + BE_RING_BUCKET / 2.0) * 1.0219);
	}
	assert_true(be_ring_at(r, BE_STATS_HISTORY - 1) == BE_STATS_HISTORY + 10);
	assert_true(be_ring_last(r) == BE_STATS_HISTORY + 10);
	free(r);
}

/* One byte a sample: zero stays zero, tiny values stay above zero, small
 * ones keep their precision after a large one, and a ring that held only
 * zeros takes its scale from the next value. */
static void test_be_ring_push_codes(void **state)
{
	(void)state;
	struct be_ring *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	assert_true(sizeof(r->q[0]) == 1);
	be_ring_push(r, 1e6f);
	be_ring_push(r, 0);
	be_ring_push(r, 0.001f);
	be_ring_push(r, 3e9f); /* a large one: the others move down */
	be_ring_push(r, 123456.7f);
	be_ring_push(r, -5);
	be_ring_push(r, 7);
	assert_true(ring_near(be_ring_at(r, 0), 1e6));
	assert_true(be_ring_at(r, 1) == 0);
	assert_true(be_ring_at(r, 2) > 0); /* under 2^-15 of 3e9: kept as that */
	assert_true(be_ring_at(r, 2) < 3e9f / 30000);
	assert_true(ring_near(be_ring_at(r, 3), 3e9));
	assert_true(ring_near(be_ring_at(r, 4), 123456.7));
	assert_true(be_ring_at(r, 5) == 0);
	assert_true(be_ring_last(r) == 7);
	/* Wrapped round with zeros only (past the bucket that held the 7),
	 * then small values: full precision. */
	for (int i = 0; i < BE_STATS_HISTORY + 2 * BE_RING_BUCKET; i++)
		be_ring_push(r, 0);
	assert_int_equal(r->live, 0);
	be_ring_push(r, 0.003f);
	be_ring_push(r, 0.0031f);
	be_ring_push(r, 0);
	assert_true(ring_near(be_ring_at(r, BE_STATS_HISTORY - 3), 0.003));
	assert_true(ring_near(be_ring_at(r, BE_STATS_HISTORY - 2), 0.0031));
	free(r);
}

/* Older samples are kept as bucket means: a square wave of period
 * BE_RING_BUCKET averages out in the old part and stays whole in the last
 * BE_RING_RECENT; a ring is far smaller than a byte a sample. */
static void test_be_ring_buckets(void **state)
{
	(void)state;
	struct be_ring *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	assert_true(sizeof(*r) < BE_STATS_HISTORY / 2);
	for (int i = 0; i < 1000; i++) /* 1000 is a multiple of the bucket */
		be_ring_push(r, i % BE_RING_BUCKET == 0 ? 50.0f : 0.0f);
	assert_int_equal(r->count, BE_STATS_HISTORY);
	size_t recent = BE_STATS_HISTORY - BE_RING_RECENT;
	for (size_t i = 0; i < recent; i++)
		assert_true(ring_near(be_ring_at(r, i), 50.0 / BE_RING_BUCKET));
	size_t peaks = 0;
	for (size_t i = recent; i < BE_STATS_HISTORY; i++) {
		float v = be_ring_at(r, i);
		assert_true(v == 0 || ring_near(v, 50));
		peaks += v > 0;
	}
	assert_int_equal(peaks, BE_RING_RECENT / BE_RING_BUCKET);
	/* A bucket being filled reads as its running mean. */
	be_ring_push(r, 10);
	assert_true(be_ring_last(r) == 10);
	assert_true(ring_near(be_ring_at(r, BE_STATS_HISTORY - 1), 10));
	free(r);
}

static void test_be_cpu_percent_one_cpu(void **state)
{
	(void)state;
	assert_true(be_cpu_percent(500000000, 1000000000) == 50.0);
	assert_true(be_cpu_percent(2000000000, 1000000000) == 200.0); /* two CPUs */
	assert_true(be_cpu_percent(5, 0) == 0.0);
	assert_string_equal(BE_CPU_PERCENT_FIELD, "cpu_percent_of_one_cpu");
}

/* ---- a monitor over a copy of the v2 fixture ------------------------------- */

struct fx {
	char *root;
	struct be_ctx *ctx;
	struct be_monitor *mon;
	char cg[4096], proc[4096];
};

static int fx_open(void **state, const char *tree)
{
	const char *src = getenv("BERTH_SRC");
	if (src == NULL || *src == '\0')
		src = ".";
	struct fx *fx = calloc(1, sizeof(*fx));
	assert_non_null(fx);
	fx->root = tu_root_new();
	snprintf(fx->cg, sizeof(fx->cg), "%s/cg", fx->root);
	snprintf(fx->proc, sizeof(fx->proc), "%s/proc", fx->root);
	assert_int_equal(tu_sh(NULL,
	                       "cp -a '%s/tests/fixtures/%s' '%s' && "
	                       "cp -a '%s/tests/fixtures/proc' '%s'",
	                       src, tree, fx->cg, src, fx->proc),
	                 0);
	char docker[4096], podman[4096];
	snprintf(docker, sizeof(docker), "%s/tests/fixtures/engines/docker", src);
	snprintf(podman, sizeof(podman), "%s/tests/fixtures/engines/podman", src);
	struct be_ctx_opts o = {.root = fx->root,
	                        .cgroup_root = fx->cg,
	                        .proc_root = fx->proc,
	                        .docker_root = docker,
	                        .podman_root = podman,
	                        .read_only = true};
	assert_int_equal(be_ctx_open(&o, &fx->ctx, NULL), 0);
	fx->mon = be_monitor_new(fx->ctx, NULL, NULL);
	assert_non_null(fx->mon);
	*state = fx;
	return 0;
}

static int fx_setup(void **state)
{
	return fx_open(state, "cgroup-v2");
}

static int fx_setup_v1(void **state)
{
	return fx_open(state, "cgroup-v1");
}

static int fx_teardown(void **state)
{
	struct fx *fx = *state;
	if (fx == NULL)
		return 0;
	be_monitor_free(fx->mon);
	be_ctx_free(fx->ctx);
	tu_root_remove(fx->root);
	free(fx->root);
	free(fx);
	return 0;
}

static const struct be_item *by_name(struct be_monitor *mon, const char *name)
{
	const struct be_item *it = be_monitor_find(mon, name);
	assert_non_null(it);
	return it;
}

/* Rewrites a fixture file in place (same inode, as the kernel's files). */
static void rewrite(struct fx *fx, const char *rel, const char *text)
{
	assert_int_equal(tu_sh(NULL, "printf '%s' > '%s/%s'", text, fx->cg, rel), 0);
}

static void test_be_monitor_refresh_rates(void **state)
{
	struct fx *fx = *state;
	assert_int_equal(be_monitor_refresh(fx->mon, NULL), 0);
	const struct be_item *d = by_name(fx->mon, "111111111111");
	assert_false(d->cur.have & BE_HAVE_RATES); /* one sample: no rates yet */
	uint64_t t1 = d->cur.time_ns;
	const char *dir = "system.slice/docker-" D1 ".scope";
	char rel[256];
	/* +0.5 s of CPU, +10 periods of which 5 throttled, +1 MiB read */
	snprintf(rel, sizeof(rel), "%s/cpu.stat", dir);
	rewrite(fx, rel,
	        "usage_usec 1500000\\nuser_usec 900000\\nsystem_usec 600000\\nnr_periods 20\\n"
	        "nr_throttled 6\\nthrottled_usec 10000\\n");
	snprintf(rel, sizeof(rel), "%s/io.stat", dir);
	rewrite(fx, rel, "8:0 rbytes=2097152 wbytes=2097152 rios=20 wios=20 dbytes=0 dios=0\\n");
	assert_int_equal(
	        tu_sh(NULL,
	              "sed 's/eth0: 1048576/eth0: 2097152/' '%s/100/net/dev' > '%s/new' && "
	              "cat '%s/new' > '%s/100/net/dev'",
	              fx->proc, fx->root, fx->root, fx->proc),
	        0);
	assert_int_equal(be_monitor_refresh(fx->mon, NULL), 0);
	d = by_name(fx->mon, "111111111111");
	const struct be_sample *x = &d->cur;
	assert_true(x->have & BE_HAVE_RATES);
	uint64_t dt = x->time_ns - t1;
	double want = be_cpu_percent(500000000, dt);
	assert_true(x->cpu_percent > want * 0.999 && x->cpu_percent < want * 1.001);
	assert_true(x->cpu_cores * 100 > want * 0.999 && x->cpu_cores * 100 < want * 1.001);
	assert_true(x->cpu_quota_percent < 0); /* no quota */
	assert_true(x->throttled_percent > 49.9 && x->throttled_percent < 50.1);
	double rd = 1048576.0 * 1e9 / (double)dt;
	assert_true(x->io_read_bytes_per_s > rd * 0.999 && x->io_read_bytes_per_s < rd * 1.001);
	assert_true(x->io_write_bytes_per_s == 0);
	assert_true(x->have & BE_HAVE_NET);
	assert_true(x->net_rx_bytes_per_s > rd * 0.999 && x->net_rx_bytes_per_s < rd * 1.001);
	/* history holds both samples */
	assert_int_equal(d->hist[BE_HIST_CPU].count, 2);
	assert_true(be_ring_last(&d->hist[BE_HIST_CPU]) == (float)x->cpu_percent);
	assert_true(be_ring_last(&d->hist[BE_HIST_MEM]) == (float)(16 * MIB));
}

static void test_be_monitor_refresh_quota_and_reset(void **state)
{
	struct fx *fx = *state;
	const char *cpu = "docker/2222222222222222222222222222222222222222222222222222222222222222/"
	                  "cpu.stat";
	assert_int_equal(be_monitor_refresh(fx->mon, NULL), 0);
	uint64_t t1 = by_name(fx->mon, "222222222222")->cur.time_ns;
	rewrite(fx, cpu, "usage_usec 2250000\\n");
	assert_int_equal(be_monitor_refresh(fx->mon, NULL), 0);
	const struct be_sample *x = &by_name(fx->mon, "222222222222")->cur;
	/* quota 50000/100000 = half a CPU: 0.25 s used is half of the quota */
	double pct = be_cpu_percent(250000000, x->time_ns - t1);
	assert_true(x->cpu_quota_percent > pct * 2 * 0.999 && x->cpu_quota_percent < pct * 2.002);
	assert_false(x->have & BE_HAVE_THROTTLE); /* the rewritten file has no such lines */
	/* a counter that goes back (a cgroup made again) gives no rate, not a huge one */
	rewrite(fx, cpu, "usage_usec 10\\n");
	assert_int_equal(be_monitor_refresh(fx->mon, NULL), 0);
	x = &by_name(fx->mon, "222222222222")->cur;
	assert_true(x->cpu_percent == 0);
}

static void test_be_monitor_refresh_limit_change_within_5(void **state)
{
	struct fx *fx = *state;
	const char *max = "docker/2222222222222222222222222222222222222222222222222222222222222222/"
	                  "memory.max";
	assert_int_equal(be_monitor_refresh(fx->mon, NULL), 0);
	assert_int_equal(by_name(fx->mon, "222222222222")->cur.mem_limit_bytes, 128 * MIB);
	rewrite(fx, max, "max\\n");
	int seen_at = 0;
	for (int i = 1; i <= 5 && !seen_at; i++) {
		assert_int_equal(be_monitor_refresh(fx->mon, NULL), 0);
		const struct be_sample *x = &by_name(fx->mon, "222222222222")->cur;
		/* between re-reads the limit is carried over, never missing */
		assert_true(x->have & BE_HAVE_MEM_LIMIT);
		if (x->mem_limit_bytes == BE_UNLIMITED)
			seen_at = i;
		else
			assert_int_equal(x->mem_limit_bytes, 128 * MIB);
	}
	assert_true(seen_at >= 1 && seen_at <= 5);
}

#define APP1 "berth-PARENT/app1"

static const struct be_item *app1(struct fx *fx)
{
	if (be_monitor_count(fx->mon) == 0)
		assert_int_equal(be_monitor_watch(fx->mon, "berth-PARENT", BE_KIND_CGROUP, NULL),
		                 0);
	assert_int_equal(be_monitor_refresh(fx->mon, NULL), 0);
	for (size_t i = 0; i < be_monitor_count(fx->mon); i++) {
		const struct be_item *it = be_monitor_item(fx->mon, i);
		if (strcmp(it->cgroup, "/" APP1) == 0)
			return it;
	}
	fail_msg("no item for %s", APP1);
	return NULL;
}

/* v1: files whose figures cannot move while a cheaper one stands still
 * (memory.stat and oom_control with usage, cpu.stat and cpuacct.stat with
 * cpuacct.usage, io_serviced with io_service_bytes, cgroup.procs with
 * pids.current) are carried over until that one moves or the slow files'
 * turn comes; then they are read at once. */
static void test_be_monitor_refresh_v1_carries_still_files(void **state)
{
	struct fx *fx = *state;
	/* pid 900 lives: its network counters are read from it */
	assert_int_equal(tu_sh(NULL, "mkdir -p '%s/900/net' && cp '%s/100/net/dev' '%s/900/net/'",
	                       fx->proc, fx->proc, fx->proc),
	                 0);
	const struct be_item *it = app1(fx);
	assert_int_equal(it->cur.mem_working_set_bytes, 150994944ull - 37748736);
	assert_int_equal(it->npids, 2);
	/* Find the slow turn: the refresh that sees a new limit. */
	rewrite(fx, "memory/" APP1 "/memory.limit_in_bytes", "268435456\n");
	int n = 0;
	while (app1(fx)->cur.mem_limit_bytes != 256 * MIB)
		assert_true(++n < BE_SLOW_EVERY);
	assert_int_equal(
	        tu_sh(NULL,
	              "f='%s/memory/" APP1 "/memory.stat'; "
	              "sed 's/inactive_file 37748736/inactive_file 4096/' \"$f\" > '%s/new' "
	              "&& cat '%s/new' > \"$f\"",
	              fx->cg, fx->root, fx->root),
	        0);
	rewrite(fx, "memory/" APP1 "/memory.oom_control",
	        "oom_kill_disable 0\nunder_oom 0\noom_kill 7\n");
	rewrite(fx, "cpu,cpuacct/" APP1 "/cpuacct.stat", "user 1000\nsystem 2000\n");
	rewrite(fx, "cpu,cpuacct/" APP1 "/cpu.stat",
	        "nr_periods 100\nnr_throttled 50\nthrottled_time 0\n");
	rewrite(fx, "blkio/" APP1 "/blkio.throttle.io_serviced", "8:0 Read 1\nTotal 1\n");
	rewrite(fx, "memory/" APP1 "/cgroup.procs", "900\n901\n902\n");
	for (int i = 1; i < BE_SLOW_EVERY; i++) {
		it = app1(fx);
		assert_int_equal(it->cur.mem_working_set_bytes, 150994944ull - 37748736);
		assert_int_equal(it->cur.oom_kills, 4);
		assert_int_equal(it->cur.cpu_periods, 90);
		assert_int_equal(it->cur.io_read_ops, 90);
		assert_int_equal(it->npids, 2);
		assert_true(it->cur.have & BE_HAVE_MEM_STAT);
		assert_true(it->cur.have & BE_HAVE_OOM);
		assert_true(it->cur.have & BE_HAVE_THROTTLE);
		assert_true(it->cur.have & BE_HAVE_IO_OPS);
		assert_true(it->cur.have & BE_HAVE_CPU_SPLIT);
	}
	it = app1(fx); /* the slow turn: everything read again */
	assert_int_equal(it->cur.mem_working_set_bytes, 150994944ull - 4096);
	assert_int_equal(it->cur.oom_kills, 7);
	assert_int_equal(it->cur.cpu_periods, 100);
	assert_int_equal(it->cur.io_read_ops, 1);
	assert_int_equal(it->npids, 3);
	/* Moved counters: their companions are read on the next refresh. */
	rewrite(fx, "memory/" APP1 "/memory.usage_in_bytes", "1048576\n");
	assert_int_equal(tu_sh(NULL,
	                       "f='%s/memory/" APP1 "/memory.stat'; "
	                       "sed 's/inactive_file 4096/inactive_file 0/' \"$f\" > '%s/new' "
	                       "&& cat '%s/new' > \"$f\"",
	                       fx->cg, fx->root, fx->root),
	                 0);
	rewrite(fx, "cpu,cpuacct/" APP1 "/cpuacct.usage", "9500000000\n");
	rewrite(fx, "cpu,cpuacct/" APP1 "/cpu.stat",
	        "nr_periods 110\nnr_throttled 55\nthrottled_time 0\n");
	rewrite(fx, "pids/" APP1 "/pids.current", "1\n");
	rewrite(fx, "memory/" APP1 "/cgroup.procs", "900\n");
	it = app1(fx);
	assert_int_equal(it->cur.mem_working_set_bytes, 1048576);
	assert_int_equal(it->cur.cpu_periods, 110);
	assert_true(it->cur.throttled_percent > 49.9 && it->cur.throttled_percent < 50.1);
	assert_int_equal(it->npids, 1);
}

/* Out of file descriptors, an item opens its files at each read: every
 * item still has its figures, the same as a monitor that keeps them. */
static void test_be_monitor_refresh_v1_out_of_fds(void **state)
{
	struct fx *fx = *state;
	struct be_monitor *kept = be_monitor_new(fx->ctx, NULL, NULL);
	assert_non_null(kept);
	struct rlimit rl;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	int low = dup(0); /* the lowest free descriptor */
	assert_true(low >= 0);
	close(low);
	/* room for two items' files over the reserve, not for the others */
	struct rlimit tight = {.rlim_cur = (rlim_t)low + BE_MONITOR_FD_RESERVE + 40,
	                       .rlim_max = rl.rlim_max};
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &tight), 0);
	int rc1 = be_monitor_refresh(fx->mon, NULL), rc2 = be_monitor_refresh(fx->mon, NULL);
	setrlimit(RLIMIT_NOFILE, &rl);
	assert_int_equal(rc1, 0);
	assert_int_equal(rc2, 0);
	assert_int_equal(be_monitor_refresh(kept, NULL), 0);
	assert_int_equal(be_monitor_refresh(kept, NULL), 0);
	size_t n = be_monitor_count(kept), cgroups = 0;
	assert_int_equal(be_monitor_count(fx->mon), n);
	for (size_t i = 0; i < n; i++) {
		const struct be_item *a = be_monitor_item(kept, i);
		if (!a->cgroup[0])
			continue;
		const struct be_item *b = NULL;
		for (size_t j = 0; j < n && !b; j++)
			if (strcmp(be_monitor_item(fx->mon, j)->cgroup, a->cgroup) == 0)
				b = be_monitor_item(fx->mon, j);
		assert_non_null(b);
		cgroups++;
		uint32_t want = BE_HAVE_MEM | BE_HAVE_PIDS | BE_HAVE_CPU;
		assert_int_equal(b->cur.have & want, a->cur.have & want);
		assert_int_equal(b->cur.mem_bytes, a->cur.mem_bytes);
		assert_int_equal(b->cur.mem_working_set_bytes, a->cur.mem_working_set_bytes);
		assert_int_equal(b->cur.cpu_usage_ns, a->cur.cpu_usage_ns);
		assert_int_equal(b->cur.pids, a->cur.pids);
		assert_int_equal(b->npids, a->npids);
		assert_int_equal(b->cur.io_read_bytes, a->cur.io_read_bytes);
	}
	assert_true(cgroups * 17 > 40); /* more files than it could keep */
	be_monitor_free(kept);
}

static void test_be_monitor_host_meters(void **state)
{
	struct fx *fx = *state;
	assert_int_equal(be_monitor_refresh(fx->mon, NULL), 0);
	const struct be_host *h = be_monitor_host(fx->mon);
	assert_int_equal(h->ncpus, 2);
	assert_int_equal(h->mem_total_bytes, 8000000ull * 1024);
	assert_int_equal(h->mem_used_bytes, 2000000ull * 1024);
	assert_int_equal(h->swap_free_bytes, 900000ull * 1024);
	assert_true(h->load1 > 0.49 && h->load1 < 0.51);
	assert_int_equal(h->tasks_total, 300);
	assert_true(h->have & BE_HAVE_HOST_PSI_CPU);
	assert_true(h->psi_cpu.some_avg10 > 2.99 && h->psi_cpu.some_avg10 < 3.01);
	assert_false(h->have & BE_HAVE_HOST_RATES);
	/* cpu0 busy 100 of 200 ticks, cpu1 idle: 50% and 0%, 50% in all */
	assert_int_equal(tu_sh(NULL,
	                       "printf 'cpu  1100 0 500 8100 500 0 0 0 0 0\\ncpu0 600 0 250 4000 "
	                       "250 0 0 0 0 0\\ncpu1 500 0 250 4100 250 0 0 0 0 0\\n' > '%s/stat'",
	                       fx->proc),
	                 0);
	assert_int_equal(be_monitor_refresh(fx->mon, NULL), 0);
	assert_true(h->have & BE_HAVE_HOST_RATES);
	assert_true(h->cpu_percent_each[0] > 99.9 && h->cpu_percent_each[0] < 100.1);
	assert_true(h->cpu_percent_each[1] < 0.1);
	assert_true(h->cpu_percent > 99.9 && h->cpu_percent < 100.1); /* one CPU's worth */
	assert_int_equal(h->hist_cpu.count, 2);
	char line[512];
	be_stats_host_line(h, line, sizeof(line));
	assert_non_null(strstr(line, "2 CPUs"));
	assert_non_null(strstr(line, "load 0.50 0.25 0.10"));
}

/* ---- columns ---------------------------------------------------------------- */

static void cell(const char *id, bool raw, const struct be_item *it, const char *want)
{
	const struct be_column *c = be_stats_column(id);
	assert_non_null(c);
	char buf[128];
	(raw ? c->format_raw : c->format)(it, buf, sizeof(buf));
	if (strcmp(buf, want) != 0)
		fail_msg("column %s%s: got \"%s\", want \"%s\"", id, raw ? " (raw)" : "", buf,
		         want);
}

static void test_be_stats_columns_format(void **state)
{
	(void)state;
	struct be_item *it = calloc(1, sizeof(*it));
	assert_non_null(it);
	it->kind = BE_KIND_DOCKER;
	snprintf(it->name, sizeof(it->name), "web");
	snprintf(it->id, sizeof(it->id), "%s", D1);
	cell("cpu", false, it, "-"); /* nothing read */
	cell("cpu", true, it, "");
	it->cur.have = BE_HAVE_CPU | BE_HAVE_RATES | BE_HAVE_MEM | BE_HAVE_MEM_LIMIT | BE_HAVE_PIDS;
	it->cur.cpu_percent = 123.456;
	it->cur.mem_bytes = 16 * MIB;
	it->cur.mem_limit_bytes = BE_UNLIMITED;
	it->cur.pids = 7;
	it->cur.cpu_quota_percent = -1;
	cell("kind", false, it, "docker");
	cell("id", false, it, "111111111111");
	cell("id", true, it, D1);
	cell("cpu", false, it, "123.5");
	cell("cpu", true, it, "123.46");
	cell("mem", false, it, "16M");
	cell("mem", true, it, "16777216");
	cell("limit", false, it, "unlimited");
	cell("limit", true, it, "max");
	cell("mem_pct", false, it, "-");
	cell("quota", false, it, "-");
	cell("pids", false, it, "7");
	it->cur.mem_limit_bytes = 64 * MIB;
	cell("limit", false, it, "64M");
	cell("mem_pct", false, it, "25.0");
	it->cur.mem_bytes = 1536;
	cell("mem", false, it, "1.5K");
	it->cur.mem_bytes = 100;
	cell("mem", false, it, "100B");
	assert_null(be_stats_column("nope"));
	/* unknown sorts below known, unlimited above */
	struct be_item *b = calloc(1, sizeof(*b));
	assert_non_null(b);
	const struct be_column *lim = be_stats_column("limit");
	assert_true(lim->compare(b, it) < 0);
	b->cur.have = BE_HAVE_MEM_LIMIT;
	b->cur.mem_limit_bytes = BE_UNLIMITED;
	assert_true(lim->compare(b, it) > 0);
	for (size_t i = 0; i < be_stats_ncolumns; i++) {
		assert_non_null(be_stats_columns[i].format);
		assert_non_null(be_stats_columns[i].format_raw);
		assert_non_null(be_stats_columns[i].compare);
	}
	free(b);
	free(it);
}

/* ---- JSON --------------------------------------------------------------------- */

static json_t *parse_line(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &e);
	if (j == NULL)
		fail_msg("bad JSON (%s): %s", e.text, text);
	return j;
}

static void test_be_stats_item_json_fixture(void **state)
{
	struct fx *fx = *state;
	assert_int_equal(be_monitor_refresh(fx->mon, NULL), 0);
	assert_int_equal(be_monitor_refresh(fx->mon, NULL), 0);
	char buf[8192];
	for (size_t i = 0; i < be_monitor_count(fx->mon); i++) {
		const struct be_item *it = be_monitor_item(fx->mon, i);
		int n = be_stats_item_json(it, 1700000000123, buf, sizeof(buf));
		assert_true(n > 0 && (size_t)n < sizeof(buf));
		assert_int_equal(strlen(buf), n);
		json_t *j = parse_line(buf);
		assert_string_equal(json_string_value(json_object_get(j, "record")), "item");
		assert_int_equal(json_integer_value(json_object_get(j, "time_unix_ms")),
		                 1700000000123);
		assert_string_equal(json_string_value(json_object_get(j, "name")), it->name);
		assert_non_null(json_object_get(j, "cpu_percent_of_one_cpu"));
		assert_non_null(json_object_get(j, "memory_limit_bytes"));
		json_decref(j);
	}
	/* unlimited is null; a limit is a number; VMs carry their figures */
	be_stats_item_json(by_name(fx->mon, "111111111111"), 0, buf, sizeof(buf));
	json_t *j = parse_line(buf);
	assert_true(json_is_null(json_object_get(j, "memory_limit_bytes")));
	assert_int_equal(json_integer_value(json_object_get(j, "memory_bytes")), 16 * MIB);
	assert_true(json_is_real(json_object_get(j, "cpu_percent_of_one_cpu")));
	assert_string_equal(json_string_value(json_object_get(j, "kind")), "docker");
	assert_true(json_is_null(json_object_get(j, "vmm")));
	/* named from the fixture docker root, found by the name or an id prefix */
	assert_string_equal(json_string_value(json_object_get(j, "name")), "nginx-1");
	assert_string_equal(json_string_value(json_object_get(j, "id")), D1);
	assert_string_equal(json_string_value(json_object_get(j, "image")), "nginx:1.25");
	assert_ptr_equal(by_name(fx->mon, "nginx-1"), by_name(fx->mon, "111111111111"));
	json_decref(j);
	be_stats_item_json(by_name(fx->mon, "222222222222"), 0, buf, sizeof(buf));
	j = parse_line(buf);
	assert_true(json_is_null(json_object_get(j, "image"))); /* its config is malformed */
	assert_int_equal(json_integer_value(json_object_get(j, "memory_limit_bytes")), 128 * MIB);
	assert_true(json_real_value(json_object_get(j, "memory_percent_of_limit")) == 25.0);
	json_decref(j);
	be_stats_item_json(by_name(fx->mon, "qemu-2000"), 0, buf, sizeof(buf));
	j = parse_line(buf);
	assert_string_equal(json_string_value(json_object_get(j, "vmm")), "qemu");
	assert_int_equal(json_integer_value(json_object_get(j, "vm_guest_memory_bytes")), 64 * MIB);
	json_decref(j);
	/* too small a buffer: the length needed, a NUL-terminated prefix */
	char small[16];
	int need = be_stats_item_json(by_name(fx->mon, "qemu-2000"), 0, small, sizeof(small));
	assert_true(need > (int)sizeof(small));
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_int_equal(be_stats_item_json(by_name(fx->mon, "qemu-2000"), 0, buf, sizeof(buf)),
	                 need);
}

static void test_be_stats_item_json_escaping(void **state)
{
	(void)state;
	struct be_item *it = calloc(1, sizeof(*it));
	assert_non_null(it);
	it->kind = BE_KIND_CGROUP;
	snprintf(it->name, sizeof(it->name), "a\"b\\c\nd\x01\xff\xc3\xa9");
	char buf[8192];
	be_stats_item_json(it, 0, buf, sizeof(buf));
	json_t *j = parse_line(buf);
	assert_string_equal(json_string_value(json_object_get(j, "name")),
	                    "a\"b\\c\nd\x01\xc3\xbf\xc3\xa9");
	assert_true(json_is_null(json_object_get(j, "cgroup")));
	assert_true(json_is_null(json_object_get(j, "cpu_percent_of_one_cpu")));
	json_decref(j);
	free(it);
}

static void test_be_stats_host_json_fixture(void **state)
{
	struct fx *fx = *state;
	assert_int_equal(be_monitor_refresh(fx->mon, NULL), 0);
	assert_int_equal(be_monitor_refresh(fx->mon, NULL), 0);
	char buf[8192];
	int n = be_stats_host_json(be_monitor_host(fx->mon), 5, buf, sizeof(buf));
	assert_int_equal(strlen(buf), n);
	json_t *j = parse_line(buf);
	assert_string_equal(json_string_value(json_object_get(j, "record")), "host");
	assert_int_equal(json_integer_value(json_object_get(j, "ncpus")), 2);
	assert_int_equal(json_array_size(json_object_get(j, "cpu_percent_each")), 2);
	assert_true(json_real_value(json_object_get(j, "psi_cpu_some_avg10")) == 3.0);
	assert_int_equal(json_integer_value(json_object_get(j, "memory_total_bytes")),
	                 8000000ll * 1024);
	json_decref(j);
}

/* ---- allocations ---------------------------------------------------------------- */

static void test_be_monitor_refresh_allocates_nothing_warm(void **state)
{
	if (!COUNT_ALLOCS)
		skip();
#if COUNT_ALLOCS
	struct fx *fx = *state;
	for (int i = 0; i < 3; i++)
		assert_int_equal(be_monitor_refresh(fx->mon, NULL), 0);
	allocs = 0;
	counting = 1;
	for (int i = 0; i < 10; i++)
		be_monitor_refresh(fx->mon, NULL);
	counting = 0;
	assert_int_equal(allocs, 0);
	/* new items may allocate (a docker one, and a podman one named from
	 * containers.json); the next refreshes again do not */
	assert_int_equal(tu_sh(NULL, "cp -a '%s/docker/%s' '%s/docker/%s'", fx->cg,
	                       "2222222222222222222222222222222222222222222222222222222222222222",
	                       fx->cg,
	                       "9999999999999999999999999999999999999999999999999999999999999999"),
	                 0);
	assert_int_equal(tu_sh(NULL,
	                       "mkdir -p '%s/libpod_parent' && "
	                       "cp -a '%s/docker/%s' '%s/libpod_parent/libpod-%s'",
	                       fx->cg, fx->cg,
	                       "2222222222222222222222222222222222222222222222222222222222222222",
	                       fx->cg,
	                       "7777777777777777777777777777777777777777777777777777777777777777"),
	                 0);
	assert_int_equal(be_monitor_refresh(fx->mon, NULL), 0);
	assert_string_equal(by_name(fx->mon, "777777777777")->name, "once");
	allocs = 0;
	counting = 1;
	be_monitor_refresh(fx->mon, NULL);
	counting = 0;
	assert_int_equal(allocs, 0);
#else
	(void)state;
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_be_ring_push_wraps),
	        cmocka_unit_test(test_be_ring_push_codes),
	        cmocka_unit_test(test_be_ring_buckets),
	        cmocka_unit_test(test_be_cpu_percent_one_cpu),
	        cmocka_unit_test_setup_teardown(test_be_monitor_refresh_rates, fx_setup,
	                                        fx_teardown),
	        cmocka_unit_test_setup_teardown(test_be_monitor_refresh_quota_and_reset, fx_setup,
	                                        fx_teardown),
	        cmocka_unit_test_setup_teardown(test_be_monitor_refresh_limit_change_within_5,
	                                        fx_setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_be_monitor_refresh_v1_carries_still_files,
	                                        fx_setup_v1, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_be_monitor_refresh_v1_out_of_fds, fx_setup_v1,
	                                        fx_teardown),
	        cmocka_unit_test_setup_teardown(test_be_monitor_host_meters, fx_setup, fx_teardown),
	        cmocka_unit_test(test_be_stats_columns_format),
	        cmocka_unit_test_setup_teardown(test_be_stats_item_json_fixture, fx_setup,
	                                        fx_teardown),
	        cmocka_unit_test(test_be_stats_item_json_escaping),
	        cmocka_unit_test_setup_teardown(test_be_stats_host_json_fixture, fx_setup,
	                                        fx_teardown),
	        cmocka_unit_test_setup_teardown(test_be_monitor_refresh_allocates_nothing_warm,
	                                        fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
