/* Unit tests of backend/discover*.c: the name rules on literal cgroup names,
 * and discovery through the monitor over the fixture trees of
 * tests/fixtures (a v2 host and a v1 host, each holding docker, podman, LXC,
 * nspawn, libvirt, kubepods and berth cgroups, plus VM processes), with
 * docker and podman names read from the engine roots of tests/fixtures/engines. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats/discover.h"
#include "testutil.h"

#define MIB 1048576ull
#define D1 "1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "2222222222222222222222222222222222222222222222222222222222222222"
#define P1 "3333333333333333333333333333333333333333333333333333333333333333"
#define K1 "5555555555555555555555555555555555555555555555555555555555555555"

static enum be_class classify(const char *parent, const char *leaf, struct be_found *f)
{
	memset(f, 0, sizeof(*f));
	return discover_classify(parent, leaf, f);
}

static void test_be_discover_classify_docker(void **state)
{
	(void)state;
	struct be_found f;
	assert_int_equal(classify("/system.slice", "docker-" D1 ".scope", &f), BE_CLASS_ITEM);
	assert_int_equal(f.kind, BE_KIND_DOCKER);
	assert_string_equal(f.id, D1);
	assert_string_equal(f.name, "111111111111");
	assert_int_equal(classify("/docker", D2, &f), BE_CLASS_ITEM);
	assert_int_equal(f.kind, BE_KIND_DOCKER);
	assert_int_equal(classify("", "docker", &f), BE_CLASS_DESCEND);
	assert_int_equal(classify("/system.slice", "docker.service", &f), BE_CLASS_SKIP);
	assert_int_equal(classify("/docker", "not-an-id", &f), BE_CLASS_SKIP);
}

static void test_be_discover_classify_podman(void **state)
{
	(void)state;
	struct be_found f;
	assert_int_equal(classify("/machine.slice", "libpod-" P1 ".scope", &f), BE_CLASS_ITEM);
	assert_int_equal(f.kind, BE_KIND_PODMAN);
	assert_string_equal(f.id, P1);
	assert_int_equal(classify("/machine.slice", "libpod-conmon-" P1 ".scope", &f),
	                 BE_CLASS_SKIP);
	assert_int_equal(classify("/libpod_parent", "libpod-" P1, &f), BE_CLASS_ITEM);
	assert_int_equal(f.kind, BE_KIND_PODMAN);
	assert_int_equal(classify("/user.slice/user-1000.slice", "user@1000.service", &f),
	                 BE_CLASS_DESCEND);
}

static void test_be_discover_classify_lxc(void **state)
{
	(void)state;
	struct be_found f;
	assert_int_equal(classify("", "lxc.payload.web1", &f), BE_CLASS_ITEM);
	assert_int_equal(f.kind, BE_KIND_LXC);
	assert_string_equal(f.name, "web1");
	assert_int_equal(classify("", "lxc.monitor.web1", &f), BE_CLASS_SKIP);
	assert_int_equal(classify("", "lxc", &f), BE_CLASS_DESCEND);
	assert_int_equal(classify("/lxc", "old1", &f), BE_CLASS_ITEM);
	assert_string_equal(f.name, "old1");
	assert_int_equal(classify("/lxc", "lxc.pivot", &f), BE_CLASS_SKIP);
}

static void test_be_discover_classify_machines(void **state)
{
	(void)state;
	struct be_found f;
	assert_int_equal(classify("/machine.slice", "machine-nspawnbox.scope", &f), BE_CLASS_ITEM);
	assert_int_equal(f.kind, BE_KIND_NSPAWN);
	assert_string_equal(f.name, "nspawnbox");
	assert_int_equal(classify("/machine.slice", "machine-my\\x2dbox.scope", &f), BE_CLASS_ITEM);
	assert_string_equal(f.name, "my-box");
	assert_int_equal(classify("/machine.slice", "machine-qemu\\x2d12\\x2dweb\\x2d01.scope", &f),
	                 BE_CLASS_ITEM);
	assert_int_equal(f.kind, BE_KIND_LIBVIRT);
	assert_string_equal(f.name, "web-01");
	assert_string_equal(f.id, "12");
	assert_int_equal(classify("/machine.slice", "machine-lxc\\x2d4242\\x2dct.scope", &f),
	                 BE_CLASS_ITEM);
	assert_int_equal(f.kind, BE_KIND_LIBVIRT);
	assert_string_equal(f.name, "ct");
	assert_int_equal(classify("/machine", "guest2.libvirt-qemu", &f), BE_CLASS_ITEM);
	assert_int_equal(f.kind, BE_KIND_LIBVIRT);
	assert_string_equal(f.name, "guest2");
}

static void test_be_discover_classify_kubepods(void **state)
{
	(void)state;
	struct be_found f;
	assert_int_equal(classify("", "kubepods.slice", &f), BE_CLASS_DESCEND);
	assert_int_equal(classify("/kubepods.slice", "kubepods-burstable.slice", &f),
	                 BE_CLASS_DESCEND);
	assert_int_equal(classify("/kubepods.slice/kubepods-burstable.slice",
	                          "kubepods-burstable-pod12_34.slice", &f),
	                 BE_CLASS_DESCEND);
	assert_int_equal(classify("/kubepods.slice/kubepods-burstable.slice/"
	                          "kubepods-burstable-pod12_34.slice",
	                          "cri-containerd-" K1 ".scope", &f),
	                 BE_CLASS_ITEM);
	assert_int_equal(f.kind, BE_KIND_KUBEPODS);
	assert_string_equal(f.id, K1);
	assert_int_equal(classify("/kubepods/burstable/pod12-34", K1, &f), BE_CLASS_ITEM);
	assert_int_equal(classify("/kubepods/burstable/pod12-34", "crio-conmon-" K1 ".scope", &f),
	                 BE_CLASS_SKIP);
	assert_int_equal(classify("/kubepods", "burstable", &f), BE_CLASS_DESCEND);
}

static void test_be_discover_classify_other(void **state)
{
	(void)state;
	struct be_found f;
	assert_int_equal(classify("", "system.slice", &f), BE_CLASS_DESCEND);
	assert_int_equal(classify("/system.slice", "ssh.service", &f), BE_CLASS_SKIP);
	assert_int_equal(classify("", "init.scope", &f), BE_CLASS_SKIP);
	assert_int_equal(classify("", "process_api", &f), BE_CLASS_SKIP);
}

static void test_be_discover_unescape_systemd(void **state)
{
	(void)state;
	char out[32];
	discover_unescape("a\\x2db\\x5c", 10, out, sizeof(out));
	assert_string_equal(out, "a-b\\");
	discover_unescape("bad\\xZZ", 7, out, sizeof(out));
	assert_string_equal(out, "bad\\xZZ");
	discover_unescape("truncated-name", 14, out, 6);
	assert_string_equal(out, "trunc");
}

/* ---- through the monitor over the fixture trees ----------------------------- */

struct fx {
	char *root;
	struct be_ctx *ctx;
	struct be_monitor *mon;
	char cg[4096];
};

static const char *src_dir(void)
{
	const char *s = getenv("BERTH_SRC");
	return s && *s ? s : ".";
}

/* Copies tests/fixtures/<tree> to ROOT/cg and names berth's parent after the
 * context's cgroup parent. */
static struct fx *fx_open(const char *tree, bool v1)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	assert_non_null(fx);
	fx->root = tu_root_new();
	snprintf(fx->cg, sizeof(fx->cg), "%s/cg", fx->root);
	assert_int_equal(tu_sh(NULL, "cp -a '%s/tests/fixtures/%s' '%s'", src_dir(), tree, fx->cg),
	                 0);
	char proc[4096], docker[4096], podman[4096];
	snprintf(proc, sizeof(proc), "%s/tests/fixtures/proc", src_dir());
	snprintf(docker, sizeof(docker), "%s/tests/fixtures/engines/docker", src_dir());
	snprintf(podman, sizeof(podman), "%s/tests/fixtures/engines/podman", src_dir());
	struct be_ctx_opts o = {.root = fx->root,
	                        .cgroup_root = fx->cg,
	                        .proc_root = proc,
	                        .docker_root = docker,
	                        .podman_root = podman,
	                        .read_only = true};
	assert_int_equal(be_ctx_open(&o, &fx->ctx, NULL), 0);
	const char *parent = be_ctx_cgroup_parent(fx->ctx);
	if (v1)
		assert_int_equal(tu_sh(NULL,
		                       "cd '%s' && for c in cpu,cpuacct memory pids blkio; do "
		                       "mv $c/berth-PARENT $c/%s; done",
		                       fx->cg, parent),
		                 0);
	else
		assert_int_equal(
		        tu_sh(NULL, "mv '%s/berth-PARENT' '%s/%s'", fx->cg, fx->cg, parent), 0);
	fx->mon = be_monitor_new(fx->ctx, NULL, NULL);
	assert_non_null(fx->mon);
	return fx;
}

static int fx_close(void **state)
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

static const struct be_item *find(struct be_monitor *mon, enum be_kind kind, const char *name)
{
	for (size_t i = 0; i < be_monitor_count(mon); i++) {
		const struct be_item *it = be_monitor_item(mon, i);
		if (it->kind == kind && strcmp(it->name, name) == 0)
			return it;
	}
	return NULL;
}

static void expect_all(struct be_monitor *mon, bool v1)
{
	static const struct {
		enum be_kind kind;
		const char *name;
	} want[] = {
	        {BE_KIND_DOCKER, "nginx-1"},      /* D1: named by its config.v2.json */
	        {BE_KIND_DOCKER, "222222222222"}, /* D2: malformed file, the short id */
	        {BE_KIND_PODMAN, "app1"},         /* P1: named by containers.json */
	        {BE_KIND_LXC, "web1"},
	        {BE_KIND_NSPAWN, "nspawnbox"},
	        {BE_KIND_LIBVIRT, "guest1"},
	        {BE_KIND_KUBEPODS, "555555555555"},
	        {BE_KIND_BERTH, "app1"},
	        {BE_KIND_VM, "qemu-2000"},
	        {BE_KIND_VM, "fc1"},
	        {BE_KIND_VM, "cloud-hypervisor-2200"},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct be_item *it = find(mon, want[i].kind, want[i].name);
		if (it == NULL)
			fail_msg("not found: %s %s", be_kind_name(want[i].kind), want[i].name);
	}
	/* v2 has rootless podman (not in the rootful store: the short id), v1
	 * an old-style LXC; nothing else is listed */
	if (v1)
		assert_non_null(find(mon, BE_KIND_LXC, "old1"));
	else
		assert_non_null(find(mon, BE_KIND_PODMAN, "444444444444"));
	assert_int_equal(be_monitor_count(mon), sizeof(want) / sizeof(want[0]) + 1);
}

static void check_counters(struct be_monitor *mon)
{
	/* item k=1: docker via systemd; unlimited memory ("max" or v1's huge) */
	const struct be_item *d = find(mon, BE_KIND_DOCKER, "nginx-1");
	assert_non_null(d);
	assert_string_equal(d->id, D1);
	assert_string_equal(d->image, "nginx:1.25");
	assert_ptr_equal(be_monitor_find(mon, "nginx-1"), d);
	assert_ptr_equal(be_monitor_find(mon, "1111111"), d); /* an id prefix still finds it */
	assert_string_equal(d->cgroup, "/system.slice/docker-" D1 ".scope");
	assert_false(d->berth);
	const struct be_sample *x = &d->cur;
	assert_int_equal(x->cpu_usage_ns, 1000000000ull);
	assert_int_equal(x->cpu_user_ns, 600000000ull);
	assert_int_equal(x->cpu_system_ns, 400000000ull);
	assert_int_equal(x->cpu_periods, 10);
	assert_int_equal(x->throttled_periods, 1);
	assert_int_equal(x->throttled_ns, 5000000);
	assert_int_equal(x->mem_bytes, 16 * MIB);
	assert_int_equal(x->mem_working_set_bytes, 12 * MIB);
	assert_int_equal(x->mem_anon_bytes, 10 * MIB);
	assert_int_equal(x->mem_file_bytes, 6 * MIB);
	assert_true(x->have & BE_HAVE_MEM_LIMIT);
	assert_true(x->mem_limit_bytes == BE_UNLIMITED);
	assert_true(x->cpu_quota_us == BE_UNLIMITED);
	assert_int_equal(x->mem_peak_bytes, 20 * MIB);
	assert_int_equal(x->mem_limit_hits, 3);
	assert_int_equal(x->oom_kills, 0);
	assert_int_equal(x->pids, 1);
	assert_true(x->pids_limit == BE_UNLIMITED);
	assert_int_equal(x->io_read_bytes, 1 * MIB);
	assert_int_equal(x->io_write_bytes, 2 * MIB);
	assert_int_equal(x->io_read_ops, 10);
	assert_int_equal(x->io_write_ops, 20);
	assert_int_equal(d->npids, 2);
	assert_int_equal(d->pids[0], 100);
	/* pid 100's net/dev: eth0 only, loopback left out */
	assert_true(x->have & BE_HAVE_NET);
	assert_int_equal(x->net_rx_bytes, 1 * MIB);
	assert_int_equal(x->net_tx_bytes, 512 * 1024);
	assert_int_equal(x->net_rx_packets, 1000);
	/* item k=2: docker cgroupfs, quota 50000/100000, limit 128 MiB */
	const struct be_item *d2 = find(mon, BE_KIND_DOCKER, "222222222222");
	assert_string_equal(d2->id, D2);
	assert_string_equal(d2->image, "");
	assert_int_equal(d2->cur.cpu_quota_us, 50000);
	assert_int_equal(d2->cur.cpu_period_us, 100000);
	assert_int_equal(d2->cur.mem_limit_bytes, 128 * MIB);
	assert_int_equal(d2->cur.oom_kills, 1);
	/* item k=3: podman, pids.max 100 */
	const struct be_item *p = find(mon, BE_KIND_PODMAN, "app1");
	assert_string_equal(p->id, P1);
	assert_string_equal(p->image, "docker.io/library/httpd:2.4");
	assert_int_equal(p->cur.pids_limit, 100);
	assert_int_equal(p->cur.mem_bytes, 48 * MIB);
	/* item k=9: berth's own, flagged for the runtime to join */
	const struct be_item *b = find(mon, BE_KIND_BERTH, "app1");
	assert_true(b->berth);
	/* P1 has the name of berth's app1: a lookup by name means berth's */
	assert_ptr_equal(be_monitor_find(mon, "app1"), b);
	assert_ptr_not_equal(p, b);
	assert_int_equal(b->cur.mem_bytes, 144 * MIB);
}

static void check_vms(struct be_monitor *mon)
{
	/* libvirt's guest1 keeps its cgroup and gains its qemu's figures */
	const struct be_item *g = find(mon, BE_KIND_LIBVIRT, "guest1");
	assert_non_null(g);
	assert_true(g->is_vm);
	assert_string_equal(g->vm.vmm, "qemu");
	assert_int_equal(g->vm.pid, 700);
	assert_int_equal(g->vm.guest_mem_bytes, 2048 * MIB);
	assert_int_equal(g->vm.vcpus, 2);
	assert_int_equal(g->vm.vcpu_threads, 2);
	assert_int_equal(g->vm.threads, 4);
	assert_int_equal(g->cur.mem_bytes, 7 * 16 * MIB); /* from its cgroup */
	const struct be_item *q = find(mon, BE_KIND_VM, "qemu-2000");
	assert_non_null(q);
	assert_string_equal(q->id, "2000");
	assert_string_equal(q->cgroup, "");
	assert_int_equal(q->vm.guest_mem_bytes, 64 * MIB);
	assert_int_equal(q->vm.rss_bytes, 9000ull * 4096);
	assert_int_equal(q->cur.mem_bytes, 9000ull * 4096);
	assert_int_equal(q->cur.cpu_usage_ns, 200ull * 10000000);
	assert_int_equal(q->npids, 1);
	const struct be_item *fc = find(mon, BE_KIND_VM, "fc1");
	assert_string_equal(fc->vm.vmm, "firecracker");
	assert_int_equal(fc->vm.vcpu_threads, 2);
	const struct be_item *ch = find(mon, BE_KIND_VM, "cloud-hypervisor-2200");
	assert_int_equal(ch->vm.guest_mem_bytes, 1024 * MIB);
	assert_int_equal(ch->vm.vcpus, 2);
}

static void test_be_monitor_refresh_v2_fixture(void **state)
{
	struct fx *fx = fx_open("cgroup-v2", false);
	*state = fx;
	assert_int_equal(be_ctx_cgroup_layout(fx->ctx), BE_CGROUP_V2);
	assert_int_equal(be_monitor_refresh(fx->mon, NULL), 0);
	expect_all(fx->mon, false);
	check_counters(fx->mon);
	check_vms(fx->mon);
	/* v2 only: pressure and OOM events */
	const struct be_item *d = find(fx->mon, BE_KIND_DOCKER, "222222222222");
	assert_true(d->cur.have & BE_HAVE_PSI_CPU);
	assert_true(d->cur.psi_cpu.some_avg10 > 1.49 && d->cur.psi_cpu.some_avg10 < 1.51);
	assert_int_equal(d->cur.psi_io.full_total_us, 2000);
	assert_int_equal(d->cur.oom_events, 1);
	assert_int_equal(d->cur.cpu_weight, 100);
}

static void test_be_monitor_refresh_v1_fixture(void **state)
{
	struct fx *fx = fx_open("cgroup-v1", true);
	*state = fx;
	assert_int_equal(be_ctx_cgroup_layout(fx->ctx), BE_CGROUP_V1);
	assert_int_equal(be_monitor_refresh(fx->mon, NULL), 0);
	expect_all(fx->mon, true);
	check_counters(fx->mon);
	check_vms(fx->mon);
	const struct be_item *d = find(fx->mon, BE_KIND_DOCKER, "222222222222");
	assert_false(d->cur.have & (BE_HAVE_PSI_CPU | BE_HAVE_OOM_EVENTS));
	assert_int_equal(d->cur.cpu_weight, 1024);
	assert_true(find(fx->mon, BE_KIND_LXC, "old1")->cur.mem_limit_bytes == 64 * 4 * MIB);
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

static void test_be_monitor_refresh_items_come_and_go(void **state)
{
	struct fx *fx = fx_open("cgroup-v2", false);
	*state = fx;
	assert_int_equal(be_monitor_refresh(fx->mon, NULL), 0);
	size_t n = be_monitor_count(fx->mon);
	int fds = count_fds();
	assert_int_equal(tu_sh(NULL, "rm -rf '%s/system.slice/docker-" D1 ".scope'", fx->cg), 0);
	assert_int_equal(be_monitor_refresh(fx->mon, NULL), 0);
	assert_int_equal(be_monitor_count(fx->mon), n - 1);
	assert_null(find(fx->mon, BE_KIND_DOCKER, "nginx-1"));
	assert_true(count_fds() < fds); /* its files were closed */
	/* a new one appears, reuses the slot, and is named again */
	assert_int_equal(tu_sh(NULL,
	                       "cp -a '%s/tests/fixtures/cgroup-v2/system.slice/docker-" D1
	                       ".scope' '%s/docker/" D1 "'",
	                       src_dir(), fx->cg),
	                 0);
	assert_int_equal(be_monitor_refresh(fx->mon, NULL), 0);
	assert_int_equal(be_monitor_count(fx->mon), n);
	assert_non_null(find(fx->mon, BE_KIND_DOCKER, "nginx-1"));
	assert_int_equal(count_fds(), fds);
	/* steady state: the same fds, refresh after refresh */
	for (int i = 0; i < 3; i++)
		assert_int_equal(be_monitor_refresh(fx->mon, NULL), 0);
	assert_int_equal(count_fds(), fds);
}

static void test_be_monitor_watch_no_foreign(void **state)
{
	struct fx *fx = fx_open("cgroup-v2", false);
	*state = fx;
	be_monitor_free(fx->mon);
	struct be_monitor_opts o = {.no_foreign = true};
	fx->mon = be_monitor_new(fx->ctx, &o, NULL);
	assert_non_null(fx->mon);
	assert_int_equal(be_monitor_watch(fx->mon, "/machine.slice/", BE_KIND_CGROUP, NULL), 0);
	assert_int_equal(be_monitor_refresh(fx->mon, NULL), 0);
	/* berth's app1, and every child of machine.slice as a plain cgroup */
	assert_int_equal(be_monitor_count(fx->mon), 5);
	assert_non_null(find(fx->mon, BE_KIND_BERTH, "app1"));
	assert_non_null(find(fx->mon, BE_KIND_CGROUP, "machine-nspawnbox.scope"));
	assert_non_null(find(fx->mon, BE_KIND_CGROUP, "libpod-conmon-" P1 ".scope"));
	assert_null(find(fx->mon, BE_KIND_VM, "qemu-2000"));
}

static void test_be_monitor_watch_bad_paths(void **state)
{
	struct fx *fx = fx_open("cgroup-v2", false);
	*state = fx;
	struct be_error *err = NULL;
	assert_int_equal(be_monitor_watch(fx->mon, "a/../b", BE_KIND_CGROUP, &err), -1);
	assert_non_null(strstr(err->msg, ".."));
	be_error_clear(&err);
	assert_int_equal(be_monitor_watch(fx->mon, "a//b", BE_KIND_CGROUP, &err), -1);
	be_error_clear(&err);
	assert_int_equal(be_monitor_watch(fx->mon, "/", BE_KIND_CGROUP, &err), -1);
	be_error_clear(&err);
	assert_int_equal(be_monitor_watch(fx->mon, "x", BE_KIND_VM, &err), -1);
	be_error_clear(&err);
	assert_int_equal(be_monitor_watch(fx->mon, "ok/path", BE_KIND_CGROUP, NULL), 0);
}

static void test_be_monitor_new_missing_roots(void **state)
{
	(void)state;
	char *root = tu_root_new();
	struct be_ctx_opts o = {.root = root,
	                        .cgroup_root = "/nonexistent-berth-cg",
	                        .proc_root = "/nonexistent-berth-proc",
	                        .read_only = true};
	struct be_ctx *ctx = NULL;
	assert_int_equal(be_ctx_open(&o, &ctx, NULL), 0);
	struct be_error *err = NULL;
	assert_null(be_monitor_new(ctx, NULL, &err));
	assert_non_null(strstr(err->msg, "/nonexistent-berth-proc"));
	be_error_free(err);
	be_ctx_free(ctx);
	tu_root_remove(root);
	free(root);
}

/* Another root's berth containers: berth-<8 hex>/<name>, flagged. */
static void test_discover_classify_other_root(void **state)
{
	(void)state;
	struct be_found f = {0};
	assert_int_equal(discover_classify("", "berth-0123abcd", &f), BE_CLASS_DESCEND);
	assert_int_equal(discover_classify("", "berth", &f), BE_CLASS_DESCEND);
	assert_int_equal(discover_classify("", "berth-stats-test-1", &f), BE_CLASS_SKIP);
	assert_int_equal(discover_classify("/berth-0123abcd", "web", &f), BE_CLASS_ITEM);
	assert_int_equal(f.kind, BE_KIND_BERTH);
	assert_true(f.other_root);
	assert_string_equal(f.name, "web");
	memset(&f, 0, sizeof(f));
	assert_int_equal(discover_classify("/berth-0123abcd", "..x/", &f), BE_CLASS_SKIP);
	assert_int_equal(discover_classify("/a/berth-0123abcd", "web", &f), BE_CLASS_SKIP);
	assert_true(discover_root_matches("/var/lib/berth", "berth"));
	assert_false(discover_root_matches("/tmp/r", "berth"));
	/* FNV-1a of "/tmp/r", as store/ctx.c names the parent. */
	uint32_t h = 2166136261u;
	for (const char *p = "/tmp/r"; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	char parent[32];
	snprintf(parent, sizeof(parent), "berth-%08x", h);
	assert_true(discover_root_matches("/tmp/r", parent));
	assert_false(discover_root_matches("/tmp/r2", parent));
}

static void test_discover_nspawn_name_forms(void **state)
{
	(void)state;
	char out[64];
	static const char a1[] = "systemd-nspawn\0--register=no\0-D\0/srv/trees/box/\0sh";
	discover_nspawn_name(a1, sizeof(a1), 7, out, sizeof(out));
	assert_string_equal(out, "box");
	static const char a2[] = "systemd-nspawn\0-D\0/srv/box\0-M\0named\0sh";
	discover_nspawn_name(a2, sizeof(a2), 7, out, sizeof(out));
	assert_string_equal(out, "named");
	static const char a3[] = "systemd-nspawn\0--machine=m3\0--directory=/x/y";
	discover_nspawn_name(a3, sizeof(a3), 7, out, sizeof(out));
	assert_string_equal(out, "m3");
	static const char a4[] = "systemd-nspawn\0--directory=/x/y";
	discover_nspawn_name(a4, sizeof(a4), 7, out, sizeof(out));
	assert_string_equal(out, "y");
	static const char a5[] = "systemd-nspawn\0-D";
	discover_nspawn_name(a5, sizeof(a5), 42, out, sizeof(out));
	assert_string_equal(out, "nspawn-42");
	static const char a6[] = "systemd-nspawn\0-D\0/";
	discover_nspawn_name(a6, sizeof(a6), 42, out, sizeof(out));
	assert_string_equal(out, "nspawn-42");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_discover_classify_other_root),
	        cmocka_unit_test(test_discover_nspawn_name_forms),
	        cmocka_unit_test(test_be_discover_classify_docker),
	        cmocka_unit_test(test_be_discover_classify_podman),
	        cmocka_unit_test(test_be_discover_classify_lxc),
	        cmocka_unit_test(test_be_discover_classify_machines),
	        cmocka_unit_test(test_be_discover_classify_kubepods),
	        cmocka_unit_test(test_be_discover_classify_other),
	        cmocka_unit_test(test_be_discover_unescape_systemd),
	        cmocka_unit_test_teardown(test_be_monitor_refresh_v2_fixture, fx_close),
	        cmocka_unit_test_teardown(test_be_monitor_refresh_v1_fixture, fx_close),
	        cmocka_unit_test_teardown(test_be_monitor_refresh_items_come_and_go, fx_close),
	        cmocka_unit_test_teardown(test_be_monitor_watch_no_foreign, fx_close),
	        cmocka_unit_test_teardown(test_be_monitor_watch_bad_paths, fx_close),
	        cmocka_unit_test(test_be_monitor_new_missing_roots),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
