/* Tests of backend/isolation (the inspector) on fixture trees the test
 * writes: a /proc with one init (namespace links, status, mountinfo,
 * net/dev) and a v1 or v2 cgroup tree with the container's limit files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "berth.h"
#include "isolation/iso.h"
#include "testutil.h"

struct fx {
	char *dir;
	struct be_ctx *ctx;
	struct be_isolation iso;
};

#define PID 4242
#define CAPEFF "00000000a80425fb" /* docker's default set */

static void write_proc(const char *dir)
{
	assert_int_equal(
	        tu_sh(NULL,
	              "set -e; p='%s/proc/%d'; mkdir -p \"$p/ns\" \"$p/net\" '%s/proc/self' "
	              "'%s/proc/1/ns' '%s/proc/sys/kernel'; "
	              "for t in cgroup ipc mnt net pid uts; do ln -s \"$t:[40265323$((${#t}))]\" "
	              "\"$p/ns/$t\"; ln -s \"$t:[4026531800]\" '%s/proc/1/ns/'$t; done; "
	              "ln -s 'user:[4026531837]' \"$p/ns/user\"; "
	              "ln -s 'user:[4026531837]' '%s/proc/1/ns/user'; "
	              "printf "
	              "'Name:\\tsleep\\nNoNewPrivs:\\t1\\nSeccomp:\\t2\\nSeccomp_filters:\\t1\\n"
	              "CapEff:\\t" CAPEFF "\\n' > \"$p/status\"; "
	              "printf '1 0 0:1 / / rw - overlay overlay rw\\n2 1 0:2 / /proc rw - proc "
	              "proc rw\\n' > \"$p/mountinfo\"; "
	              "printf 'a\\nb\\nc\\nd\\n' > '%s/proc/self/mountinfo'; "
	              "printf 'Inter-|\\n face |\\n    lo: 0 0\\n  eth0: 1 2\\n' > \"$p/net/dev\"; "
	              "printf 'Main:\\n  +-- 0.0.0.0/0 3 0 5\\n     |-- 10.88.0.2\\n        /32 "
	              "host "
	              "LOCAL\\n     |-- 127.0.0.1\\n        /32 host LOCAL\\nLocal:\\n     |-- "
	              "10.88.0.2\\n        /32 host LOCAL\\n     |-- 10.88.0.0\\n        /16 link "
	              "UNICAST\\n' > \"$p/net/fib_trie\"; "
	              "echo 40 > '%s/proc/sys/kernel/cap_last_cap'",
	              dir, PID, dir, dir, dir, dir, dir, dir, dir),
	        0);
}

static void open_ctx(struct fx *f, bool v2)
{
	char root[600], cg[600], proc[600];
	snprintf(root, sizeof(root), "%s/root", f->dir);
	snprintf(cg, sizeof(cg), "%s/cg", f->dir);
	snprintf(proc, sizeof(proc), "%s/proc", f->dir);
	assert_int_equal(tu_sh(NULL, "mkdir -p '%s' '%s'", root, cg), 0);
	if (v2)
		assert_int_equal(
		        tu_sh(NULL, "echo 'cpu memory pids io' > '%s/cgroup.controllers'", cg), 0);
	else
		assert_int_equal(tu_sh(NULL, "mkdir -p '%s/memory'", cg), 0);
	struct be_ctx_opts o = {.root = root, .cgroup_root = cg, .proc_root = proc};
	assert_int_equal(be_ctx_open(&o, &f->ctx, NULL), 0);
	const char *parent = be_ctx_cgroup_parent(f->ctx);
	if (v2)
		assert_int_equal(
		        tu_sh(NULL,
		              "set -e; d='%s/%s/web'; mkdir -p \"$d\"; echo 67108864 > "
		              "\"$d/memory.max\"; echo 'max 100000' > \"$d/cpu.max\"; echo 100 > "
		              "\"$d/cpu.weight\"; echo 50 > \"$d/pids.max\"; echo 'default 100' "
		              "> \"$d/io.weight\"",
		              cg, parent),
		        0);
	else
		assert_int_equal(
		        tu_sh(NULL,
		              "set -e; for c in memory cpu pids devices; do mkdir -p "
		              "'%s/'$c'/%s/web'; "
		              "done; echo 67108864 > '%s/memory/%s/web/memory.limit_in_bytes'; "
		              "echo "
		              "50000 > '%s/cpu/%s/web/cpu.cfs_quota_us'; echo 1024 > "
		              "'%s/cpu/%s/web/cpu.shares'; echo max > '%s/pids/%s/web/pids.max'; "
		              "printf 'c 1:3 rwm\\nc 1:5 rwm\\n' > "
		              "'%s/devices/%s/web/devices.list'",
		              cg, parent, cg, parent, cg, parent, cg, parent, cg, parent, cg,
		              parent),
		        0);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	f->dir = tu_root_new();
	write_proc(f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	be_isolation_free(&f->iso);
	be_ctx_free(f->ctx);
	tu_root_remove(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static const struct be_iso_line *line(const struct be_isolation *iso, const char *section,
                                      const char *what)
{
	for (size_t i = 0; i < iso->n; i++)
		if (strcmp(iso->lines[i].section, section) == 0 &&
		    strcmp(iso->lines[i].what, what) == 0)
			return &iso->lines[i];
	fail_msg("no line %s/%s", section, what);
	return NULL;
}

static void check_common(const struct be_isolation *iso)
{
	const struct be_iso_line *l = line(iso, "namespace", "pid");
	assert_int_equal(l->mark, BE_ISO_WALL);
	assert_string_equal(l->value, "own pid:[402653233], host pid:[4026531800]");
	assert_string_equal(l->source, "/proc/4242/ns/pid");
	l = line(iso, "namespace", "user");
	assert_int_equal(l->mark, BE_ISO_OPEN);
	assert_non_null(strstr(l->value, "shared user:[4026531837]"));
	l = line(iso, "capabilities", "kept");
	assert_int_equal(l->mark, BE_ISO_WALL);
	assert_non_null(strstr(l->value, "14 of 41"));
	assert_non_null(strstr(l->value, "NET_BIND_SERVICE"));
	assert_null(strstr(l->value, "SYS_ADMIN"));
	l = line(iso, "seccomp", "filter");
	assert_int_equal(l->mark, BE_ISO_WALL);
	assert_non_null(strstr(l->value, "mode 2 (filter)"));
	assert_int_equal(line(iso, "privileges", "no_new_privs")->mark, BE_ISO_WALL);
	l = line(iso, "rootfs", "mounts");
	assert_string_equal(l->value, "2 mounts inside, 4 on the host");
	l = line(iso, "network", "interfaces");
	assert_string_equal(l->value, "lo, eth0");
	assert_string_equal(line(iso, "network", "addresses")->value, "10.88.0.2, 127.0.0.1");
	assert_non_null(strstr(line(iso, "paths", "masked")->value, "/proc/kcore"));
}

static void test_iso_inspect_pid_v1(void **state)
{
	struct fx *f = *state;
	open_ctx(f, false);
	iso_inspect_pid(f->ctx, "web", PID, &f->iso);
	check_common(&f->iso);
	const struct be_iso_line *l = line(&f->iso, "cgroup", "memory limit");
	assert_int_equal(l->mark, BE_ISO_WALL);
	assert_string_equal(l->value, "67108864");
	assert_non_null(strstr(l->source, "/memory/"));
	assert_non_null(strstr(l->source, "/web/memory.limit_in_bytes"));
	l = line(&f->iso, "cgroup", "cpu quota");
	assert_int_equal(l->mark, BE_ISO_WALL);
	assert_string_equal(l->value, "50000");
	l = line(&f->iso, "cgroup", "pids limit");
	assert_int_equal(l->mark, BE_ISO_OPEN);
	l = line(&f->iso, "devices", "rules");
	assert_int_equal(l->mark, BE_ISO_WALL);
	assert_string_equal(l->value, "c 1:3 rwm;c 1:5 rwm");
	char *json = be_isolation_json(&f->iso);
	assert_non_null(strstr(json, "\"mark\": \"open door\""));
	assert_non_null(strstr(json, "\"version\": 1"));
	free(json);
}

static void test_iso_inspect_pid_v2(void **state)
{
	struct fx *f = *state;
	open_ctx(f, true);
	iso_inspect_pid(f->ctx, "web", PID, &f->iso);
	check_common(&f->iso);
	const struct be_iso_line *l = line(&f->iso, "cgroup", "memory limit");
	assert_int_equal(l->mark, BE_ISO_WALL);
	assert_non_null(strstr(l->source, "/web/memory.max"));
	l = line(&f->iso, "cgroup", "cpu quota");
	assert_int_equal(l->mark, BE_ISO_OPEN); /* "max 100000" */
	assert_string_equal(line(&f->iso, "cgroup", "pids limit")->value, "50");
	assert_int_equal(line(&f->iso, "cgroup", "io weight")->mark, BE_ISO_SHARED);
	assert_non_null(strstr(line(&f->iso, "cgroup", "path")->value, "cgroup v2"));
}

static void test_be_caps_names(void **state)
{
	(void)state;
	char buf[512];
	assert_int_equal(be_caps_names(0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(be_caps_names((1ULL << 21) | 1, buf, sizeof(buf)), 2);
	assert_string_equal(buf, "CHOWN, SYS_ADMIN");
	assert_int_equal(be_caps_names(1ULL << 50, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "CAP_50");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_iso_inspect_pid_v1, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_iso_inspect_pid_v2, setup, teardown),
	        cmocka_unit_test(test_be_caps_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
