/* Integration tests of the monitor on the real kernel (root): cgroups the
 * test makes under berth-stats-test-<random> with processes it forks (a
 * spinner under a 50% quota, a child holding 50 MiB), a real qemu VM, and
 * `berth stats --no-stream --json` / `berth top -b` on one of berth's own
 * cgroups.  Everything made is removed in teardowns that run on failure. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "berth.h"
#include "testutil.h"
#include "base/util.h"

#define MIB 1048576ull
#define MAX_KIDS 4

struct env {
	char *root;
	struct be_ctx *ctx;
	bool v2;
	char parent[64]; /* berth-stats-test-<hex>, or berth's own parent */
	char dirs[8][4096];
	size_t ndirs;
	pid_t kids[MAX_KIDS];
	size_t nkids;
};

static const char *const v1_ctls[] = {"cpu", "cpuacct", "memory", "pids"};

static bool write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	bool ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok;
}

/* mkdir of <ctl>/<rel> under every controller (v1) or the root (v2); the
 * directories are remembered for teardown. */
static void make_cgroup(struct env *e, const char *rel)
{
	size_t nctl = e->v2 ? 1 : 4;
	for (size_t i = 0; i < nctl; i++) {
		char *d = e->dirs[e->ndirs];
		if (e->v2)
			snprintf(d, sizeof(e->dirs[0]), "/sys/fs/cgroup/%s", rel);
		else
			snprintf(d, sizeof(e->dirs[0]), "/sys/fs/cgroup/%s/%s", v1_ctls[i], rel);
		assert_true(e->ndirs < 8);
		if (mkdir(d, 0755) < 0)
			fail_msg("mkdir %s: %s", d, strerror(errno));
		e->ndirs++;
		if (e->v2) {
			char p[4200];
			snprintf(p, sizeof(p), "%s/cgroup.subtree_control", d);
			write_file(p, "+cpu +memory +pids");
		}
	}
}

/* Moves pid into rel under every controller. */
static void join(struct env *e, const char *rel, pid_t pid)
{
	char p[4200], num[32];
	snprintf(num, sizeof(num), "%d", (int)pid);
	size_t nctl = e->v2 ? 1 : 4;
	for (size_t i = 0; i < nctl; i++) {
		if (e->v2)
			snprintf(p, sizeof(p), "/sys/fs/cgroup/%s/cgroup.procs", rel);
		else
			snprintf(p, sizeof(p), "/sys/fs/cgroup/%s/%s/cgroup.procs", v1_ctls[i],
			         rel);
		if (!write_file(p, num))
			fail_msg("joining %s: %s", p, strerror(errno));
	}
}

enum kid_job { KID_SPIN, KID_HOLD_50M };

/* Forks a child that waits until it is in cgroup rel, then works. */
static pid_t fork_kid(struct env *e, const char *rel, enum kid_job job)
{
	int go[2];
	assert_int_equal(pipe2(go, O_CLOEXEC), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		char c;
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		if (job == KID_SPIN)
			for (volatile unsigned long n = 0;; n++)
				;
		char *mem = mmap(NULL, 50 * MIB, PROT_READ | PROT_WRITE,
		                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED)
			_exit(1);
		memset(mem, 1, 50 * MIB);
		for (;;)
			pause();
	}
	e->kids[e->nkids++] = pid;
	close(go[0]);
	join(e, rel, pid);
	assert_int_equal(write(go[1], "g", 1), 1);
	close(go[1]);
	return pid;
}

static int env_setup(void **state)
{
	if (!tu_is_root()) {
		*state = NULL;
		return 0;
	}
	struct env *e = calloc(1, sizeof(*e));
	assert_non_null(e);
	*state = e;
	e->root = tu_root_new();
	struct be_ctx_opts o = {.root = e->root};
	assert_int_equal(be_ctx_open(&o, &e->ctx, NULL), 0);
	e->v2 = be_ctx_cgroup_layout(e->ctx) == BE_CGROUP_V2;
	char hex[17];
	util_random_hex(hex, 8);
	snprintf(e->parent, sizeof(e->parent), "berth-stats-test-%s", hex);
	return 0;
}

static int env_teardown(void **state)
{
	struct env *e = *state;
	if (e == NULL)
		return 0;
	for (size_t i = 0; i < e->nkids; i++) {
		kill(e->kids[i], SIGKILL);
		waitpid(e->kids[i], NULL, 0);
	}
	/* children first: the dirs were made parents first */
	for (size_t i = e->ndirs; i-- > 0;)
		for (int tries = 0; tries < 50 && rmdir(e->dirs[i]) < 0 && errno == EBUSY; tries++)
			usleep(20000);
	be_ctx_free(e->ctx);
	tu_root_remove(e->root);
	free(e->root);
	free(e);
	return 0;
}

static struct be_monitor *watch_monitor(struct env *e)
{
	struct be_monitor_opts o = {.no_foreign = true};
	struct be_error *err = NULL;
	struct be_monitor *mon = be_monitor_new(e->ctx, &o, &err);
	if (mon == NULL)
		fail_msg("%s", err->msg);
	assert_int_equal(be_monitor_watch(mon, e->parent, BE_KIND_CGROUP, NULL), 0);
	return mon;
}

static const struct be_item *named(struct be_monitor *mon, const char *name)
{
	const struct be_item *it = be_monitor_find(mon, name);
	if (it == NULL)
		fail_msg("%s not found among %zu items", name, be_monitor_count(mon));
	return it;
}

static void test_be_monitor_refresh_spinner_under_quota(void **state)
{
	struct env *e = *state;
	if (e == NULL)
		skip();
	char rel[256], p[4200];
	make_cgroup(e, e->parent);
	snprintf(rel, sizeof(rel), "%s/spin", e->parent);
	make_cgroup(e, rel);
	if (e->v2)
		snprintf(p, sizeof(p), "/sys/fs/cgroup/%s/cpu.max", rel);
	else
		snprintf(p, sizeof(p), "/sys/fs/cgroup/cpu/%s/cpu.cfs_quota_us", rel);
	assert_true(write_file(p, e->v2 ? "50000 100000" : "50000"));
	pid_t kid = fork_kid(e, rel, KID_SPIN);
	struct be_monitor *mon = watch_monitor(e);
	usleep(300000);
	assert_int_equal(be_monitor_refresh(mon, NULL), 0);
	uint64_t thr0 = named(mon, "spin")->cur.throttled_periods;
	usleep(2000000);
	assert_int_equal(be_monitor_refresh(mon, NULL), 0);
	const struct be_item *it = named(mon, "spin");
	const struct be_sample *x = &it->cur;
	print_message("spin: %.1f%% of one CPU, %.1f%% of its quota, throttled %llu periods\n",
	              x->cpu_percent, x->cpu_quota_percent,
	              (unsigned long long)(x->throttled_periods - thr0));
	assert_int_equal(it->kind, BE_KIND_CGROUP);
	assert_true(x->have & BE_HAVE_RATES);
	assert_true(x->cpu_percent >= 40.0 && x->cpu_percent <= 60.0);
	assert_int_equal(x->cpu_quota_us, 50000);
	assert_int_equal(x->cpu_period_us, 100000);
	assert_true(x->cpu_quota_percent >= 80.0 && x->cpu_quota_percent <= 120.0);
	assert_true(x->throttled_periods > thr0);
	assert_true(x->throttled_ns > 0);
	assert_int_equal(it->npids, 1);
	assert_int_equal(it->pids[0], kid);
	assert_int_equal(x->pids, 1);
	be_monitor_free(mon);
}

static void test_be_monitor_refresh_memory_held(void **state)
{
	struct env *e = *state;
	if (e == NULL)
		skip();
	char rel[256];
	make_cgroup(e, e->parent);
	snprintf(rel, sizeof(rel), "%s/mem", e->parent);
	make_cgroup(e, rel);
	fork_kid(e, rel, KID_HOLD_50M);
	struct be_monitor *mon = watch_monitor(e);
	/* the child touches its pages after joining: wait until they show */
	const struct be_item *it = NULL;
	for (int i = 0; i < 50; i++) {
		assert_int_equal(be_monitor_refresh(mon, NULL), 0);
		it = named(mon, "mem");
		if (it->cur.mem_bytes >= 50 * MIB)
			break;
		usleep(100000);
	}
	print_message("mem: %llu bytes, working set %llu, anon %llu\n",
	              (unsigned long long)it->cur.mem_bytes,
	              (unsigned long long)it->cur.mem_working_set_bytes,
	              (unsigned long long)it->cur.mem_anon_bytes);
	assert_true(it->cur.mem_bytes >= 50 * MIB);
	assert_true(it->cur.mem_anon_bytes >= 50 * MIB);
	assert_true(it->cur.mem_working_set_bytes >= 50 * MIB);
	assert_true(it->cur.have & BE_HAVE_MEM_LIMIT);
	assert_true(it->cur.mem_limit_bytes == BE_UNLIMITED);
	assert_true(it->cur.mem_peak_bytes >= 50 * MIB);
	be_monitor_free(mon);
}

static int count_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* A cgroup removed and made again under the same name between refreshes:
 * the kept fds read ENODEV, the monitor opens the new cgroup's files. */
static void test_be_monitor_refresh_cgroup_made_again(void **state)
{
	struct env *e = *state;
	if (e == NULL)
		skip();
	char rel[256];
	make_cgroup(e, e->parent);
	snprintf(rel, sizeof(rel), "%s/again", e->parent);
	make_cgroup(e, rel);
	struct be_monitor *mon = watch_monitor(e);
	assert_int_equal(be_monitor_refresh(mon, NULL), 0);
	assert_int_equal(named(mon, "again")->npids, 0);
	for (size_t i = e->ndirs; i-- > e->ndirs - (e->v2 ? 1 : 4);)
		assert_int_equal(rmdir(e->dirs[i]), 0);
	e->ndirs -= e->v2 ? 1 : 4;
	make_cgroup(e, rel);
	pid_t kid = fork_kid(e, rel, KID_HOLD_50M);
	const struct be_item *it = NULL;
	for (int i = 0; i < 50; i++) {
		assert_int_equal(be_monitor_refresh(mon, NULL), 0);
		it = named(mon, "again");
		if (it->cur.mem_bytes >= 50 * MIB)
			break;
		usleep(100000);
	}
	assert_int_equal(it->npids, 1);
	assert_int_equal(it->pids[0], kid);
	assert_true(it->cur.mem_bytes >= 50 * MIB);
	be_monitor_free(mon);
}

static const struct be_item *vm_of(struct be_monitor *mon, pid_t pid)
{
	for (size_t i = 0; i < be_monitor_count(mon); i++) {
		const struct be_item *it = be_monitor_item(mon, i);
		if (it->is_vm && it->vm.pid == pid)
			return it;
	}
	return NULL;
}

static void test_be_monitor_refresh_qemu_vm(void **state)
{
	struct env *e = *state;
	if (e == NULL || access("/usr/bin/qemu-system-x86_64", X_OK) != 0)
		skip();
	struct be_monitor *mon = be_monitor_new(e->ctx, NULL, NULL);
	assert_non_null(mon);
	assert_int_equal(be_monitor_refresh(mon, NULL), 0);
	int fds = count_fds();
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		execl("/usr/bin/qemu-system-x86_64", "qemu-system-x86_64", "-S", "-display", "none",
		      "-nodefaults", "-m", "64", (char *)NULL);
		_exit(127);
	}
	e->kids[e->nkids++] = pid;
	const struct be_item *it = NULL;
	for (int i = 0; i < 100 && it == NULL; i++) {
		usleep(100000);
		assert_int_equal(be_monitor_refresh(mon, NULL), 0);
		it = vm_of(mon, pid);
	}
	assert_non_null(it);
	print_message("%s: guest %llu bytes, RSS %llu, %u threads\n", it->name,
	              (unsigned long long)it->vm.guest_mem_bytes,
	              (unsigned long long)it->vm.rss_bytes, it->vm.threads);
	assert_int_equal(it->kind, BE_KIND_VM);
	assert_string_equal(it->vm.vmm, "qemu");
	assert_int_equal(it->vm.guest_mem_bytes, 64 * MIB);
	assert_true(it->vm.rss_bytes > 0);
	assert_int_equal(it->cur.mem_bytes, it->vm.rss_bytes);
	assert_true(it->vm.threads >= 1);
	char want[64];
	snprintf(want, sizeof(want), "qemu-%d", (int)pid);
	assert_string_equal(it->name, want);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	e->nkids--;
	assert_int_equal(be_monitor_refresh(mon, NULL), 0);
	assert_null(vm_of(mon, pid));
	/* Its /proc files were closed.  Other items may come and go meanwhile
	 * (other roots' berth containers are listed too), so: no more fds. */
	assert_true(count_fds() <= fds);
	be_monitor_free(mon);
}

/* berth's own cgroup <parent>/<name> with a sleeping child, for the CLI. */
static void own_container(struct env *e, const char *name)
{
	snprintf(e->parent, sizeof(e->parent), "%s", be_ctx_cgroup_parent(e->ctx));
	char rel[256];
	make_cgroup(e, e->parent);
	snprintf(rel, sizeof(rel), "%s/%s", e->parent, name);
	make_cgroup(e, rel);
	fork_kid(e, rel, KID_HOLD_50M);
}

static const char *const documented[] = {"record",
                                         "time_unix_ms",
                                         "kind",
                                         "name",
                                         "id",
                                         "cgroup",
                                         "berth",
                                         "pids",
                                         "pids_limit",
                                         "cpu_percent_of_one_cpu",
                                         "cpu_cores",
                                         "cpu_quota_percent",
                                         "cpu_usage_ns",
                                         "cpu_user_ns",
                                         "cpu_system_ns",
                                         "cpu_quota_us",
                                         "cpu_period_us",
                                         "cpu_weight",
                                         "cpu_periods",
                                         "throttled_periods",
                                         "throttled_ns",
                                         "throttled_percent",
                                         "memory_bytes",
                                         "memory_working_set_bytes",
                                         "memory_anon_bytes",
                                         "memory_file_bytes",
                                         "memory_limit_bytes",
                                         "memory_percent_of_limit",
                                         "memory_peak_bytes",
                                         "memory_swap_bytes",
                                         "memory_limit_hits",
                                         "oom_events",
                                         "oom_kills",
                                         "blkio_read_bytes",
                                         "blkio_write_bytes",
                                         "blkio_read_ops",
                                         "blkio_write_ops",
                                         "blkio_read_bytes_per_s",
                                         "blkio_write_bytes_per_s",
                                         "blkio_read_ops_per_s",
                                         "blkio_write_ops_per_s",
                                         "net_host",
                                         "net_rx_bytes",
                                         "net_tx_bytes",
                                         "net_rx_packets",
                                         "net_tx_packets",
                                         "net_rx_bytes_per_s",
                                         "net_tx_bytes_per_s",
                                         "net_rx_packets_per_s",
                                         "net_tx_packets_per_s",
                                         "psi_cpu_some_avg10",
                                         "psi_memory_some_avg10",
                                         "psi_io_full_avg10",
                                         "vmm",
                                         "vm_pid",
                                         "vm_guest_memory_bytes",
                                         "vm_vcpus",
                                         "vm_vcpu_threads",
                                         "vm_threads",
                                         "vm_rss_bytes",
                                         "vm_cpu_ns",
                                         NULL};

static void test_cli_stats_no_stream_json(void **state)
{
	struct env *e = *state;
	if (e == NULL)
		skip();
	own_container(e, "web");
	struct tu_out o = {0};
	int rc =
	        tu_berthl(&o, e->root, "stats", "--no-stream", "--json", "--interval", "0.3", NULL);
	if (rc != 0)
		fail_msg("berth stats: %d: %s", rc, o.err);
	int found = 0, lines = 0;
	for (char *save = NULL, *l = strtok_r(o.out, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		json_error_t je;
		json_t *j = json_loads(l, JSON_REJECT_DUPLICATES, &je);
		if (j == NULL)
			fail_msg("line %d is not JSON (%s): %s", lines + 1, je.text, l);
		lines++;
		for (size_t k = 0; documented[k]; k++)
			if (json_object_get(j, documented[k]) == NULL)
				fail_msg("field %s missing: %s", documented[k], l);
		const char *name = json_string_value(json_object_get(j, "name"));
		const char *kind = json_string_value(json_object_get(j, "kind"));
		if (strcmp(name, "web") == 0 && strcmp(kind, "berth") == 0) {
			found++;
			assert_true(json_is_true(json_object_get(j, "berth")));
			assert_true(json_integer_value(json_object_get(j, "memory_bytes")) >=
			            (json_int_t)(50 * MIB));
			assert_true(json_is_number(json_object_get(j, "cpu_percent_of_one_cpu")));
			assert_true(json_is_null(json_object_get(j, "memory_limit_bytes")));
		}
		json_decref(j);
	}
	assert_int_equal(found, 1);
	tu_out_free(&o);
	/* a name selects; an unknown one is an error */
	rc = tu_berthl(&o, e->root, "stats", "--no-stream", "--interval", "0.2", "web", NULL);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(o.out, "NAME"));
	assert_non_null(strstr(o.out, "web"));
	tu_out_free(&o);
	rc = tu_berthl(&o, e->root, "stats", "--no-stream", "no-such-thing", NULL);
	assert_int_equal(rc, 125);
	assert_non_null(strstr(o.err, "no-such-thing"));
	tu_out_free(&o);
}

static void test_cli_top_batch(void **state)
{
	struct env *e = *state;
	if (e == NULL)
		skip();
	own_container(e, "app");
	struct tu_out o = {0};
	int rc = tu_berthl(&o, e->root, "top", "-b", "-n", "2", "-d", "0.2", NULL);
	if (rc != 0)
		fail_msg("berth top: %d: %s", rc, o.err);
	assert_non_null(strstr(o.out, "host: "));
	assert_non_null(strstr(o.out, "CPU%"));
	assert_non_null(strstr(o.out, "app"));
	tu_out_free(&o);
	rc = tu_berthl(&o, e->root, "top", "-b", "-n", "1", "-d", "0.2", "--csv", "-o",
	               "kind,name,mem,limit", NULL);
	assert_int_equal(rc, 0);
	assert_true(strncmp(o.out, "time_unix_ms,kind,name,mem,limit\n", 33) == 0);
	assert_non_null(strstr(o.out, ",berth,app,"));
	assert_non_null(strstr(o.out, ",max\n"));
	tu_out_free(&o);
	rc = tu_berthl(&o, e->root, "top", "-b", "-n", "1", "-d", "0.2", "--json", NULL);
	assert_int_equal(rc, 0);
	assert_true(strncmp(o.out, "{\"record\":\"host\",", 17) == 0);
	tu_out_free(&o);
	rc = tu_berthl(&o, e->root, "top", "-n", "1", NULL);
	assert_int_equal(rc, 125);
	tu_out_free(&o);
	rc = tu_berthl(&o, e->root, "top", "-b", "-o", "cpu,bogus", NULL);
	assert_int_equal(rc, 125);
	assert_non_null(strstr(o.err, "bogus"));
	tu_out_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_be_monitor_refresh_spinner_under_quota,
	                                        env_setup, env_teardown),
	        cmocka_unit_test_setup_teardown(test_be_monitor_refresh_memory_held, env_setup,
	                                        env_teardown),
	        cmocka_unit_test_setup_teardown(test_be_monitor_refresh_cgroup_made_again,
	                                        env_setup, env_teardown),
	        cmocka_unit_test_setup_teardown(test_be_monitor_refresh_qemu_vm, env_setup,
	                                        env_teardown),
	        cmocka_unit_test_setup_teardown(test_cli_stats_no_stream_json, env_setup,
	                                        env_teardown),
	        cmocka_unit_test_setup_teardown(test_cli_top_batch, env_setup, env_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
