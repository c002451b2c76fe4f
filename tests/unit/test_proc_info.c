/* Unit tests of backend/stats/proc_info.c: a /proc tree made by the test in a temp
 * dir (stat, status, cmdline and ns links of a few processes, one of them
 * gone), then the real /proc with this very process. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "berth.h"
#include "testutil.h"

struct fx {
	char *root;
	char proc[PATH_MAX];
	struct be_ctx *ctx;
};

static void fx_write(struct fx *f, pid_t pid, const char *file, const char *data, size_t len)
{
	char p[PATH_MAX + 64];
	snprintf(p, sizeof(p), "%s/%d/%s", f->proc, (int)pid, file);
	tu_write(p, ""); /* makes the directories */
	FILE *fp = fopen(p, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static void fx_text(struct fx *f, pid_t pid, const char *file, const char *text)
{
	fx_write(f, pid, file, text, strlen(text));
}

struct stat_line {
	const char *comm;
	char state;
	pid_t ppid;
	unsigned long utime, stime, threads, start, rss_pages;
};

static void fx_stat(struct fx *f, pid_t pid, const struct stat_line *s)
{
	char buf[1024];
	snprintf(buf, sizeof(buf),
	         "%d (%s) %c %d %d %d 0 -1 4194560 120 0 0 0 %lu %lu 0 0 20 0 %lu 0 %lu "
	         "8392704 %lu 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n",
	         (int)pid, s->comm, s->state, (int)s->ppid, (int)pid, (int)pid, s->utime, s->stime,
	         s->threads, s->start, s->rss_pages);
	fx_text(f, pid, "stat", buf);
}

static void fx_status(struct fx *f, pid_t pid, const char *name, unsigned uid, const char *rss,
                      unsigned threads)
{
	char buf[1024];
	snprintf(buf, sizeof(buf),
	         "Name:\t%s\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t%d\nPid:\t%d\nPPid:\t1\n"
	         "Uid:\t%u\t%u\t%u\t%u\nGid:\t0\t0\t0\t0\n%s%s%sThreads:\t%u\n"
	         "NSpid:\t%d\t%d\n",
	         name, (int)pid, (int)pid, uid, uid + 1, uid + 2, uid + 3, rss ? "VmRSS:\t " : "",
	         rss ? rss : "", rss ? " kB\n" : "", threads, (int)pid,
	         pid == 100 ? 1 : (int)pid); /* 100 is a container's init */
	fx_text(f, pid, "status", buf);
}

static void fx_ns(struct fx *f, pid_t pid, const char *type, const char *target)
{
	char p[PATH_MAX + 64];
	snprintf(p, sizeof(p), "%s/%d/ns/.keep", f->proc, (int)pid);
	tu_write(p, "");
	snprintf(p, sizeof(p), "%s/%d/ns/%s", f->proc, (int)pid, type);
	assert_int_equal(symlink(target, p), 0);
}

/* The tree:
 *   1    the host's init: every namespace but time
 *   50   a long command line with a control byte and UTF-8 cut at the end
 *   100  comm "a) (b", three arguments, private mnt and net namespaces
 *   150  no status file: uid unknown, rss from stat
 *   200  a kernel thread: empty cmdline, no VmRSS
 *   300  listed by the caller but gone */
static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->root = tu_root_new();
	snprintf(f->proc, sizeof(f->proc), "%s/proc", f->root);

	fx_stat(f, 1, &(struct stat_line){"init", 'S', 0, 100, 50, 1, 1, 2000});
	fx_status(f, 1, "init", 0, "10240", 1);
	fx_text(f, 1, "cmdline", "/sbin/init");
	static const char *const host_ns[] = {"cgroup", "ipc", "mnt", "net", "pid", "user", "uts"};
	for (size_t i = 0; i < 7; i++) {
		char target[64];
		snprintf(target, sizeof(target), "%s:[40265318%02zu]", host_ns[i], 30 + i);
		fx_ns(f, 1, host_ns[i], target);
	}

	fx_stat(f, 50, &(struct stat_line){"sh", 'S', 1, 1, 1, 1, 10, 100});
	fx_status(f, 50, "sh", 1000, "400", 1);
	char cmd[400];
	memset(cmd, 'x', sizeof(cmd));
	memcpy(cmd, "sh\0-c\0echo\nhi", 13);
	memcpy(cmd + 252, "\xc3\xa9\xc3\xa9", 4); /* the second é straddles byte 255 */
	fx_write(f, 50, "cmdline", cmd, sizeof(cmd));

	fx_stat(f, 100, &(struct stat_line){"a) (b", 'R', 1, 250, 150, 3, 5000, 7});
	fx_status(f, 100, "a) (b", 1000, "2048", 3);
	fx_write(f, 100, "cmdline", "nginx\0-g\0daemon off;\0", 22);
	static const char *const ns100[][2] = {
	        {"cgroup", "cgroup:[4026531830]"}, {"ipc", "ipc:[4026531831]"},
	        {"mnt", "mnt:[4026532100]"},       {"net", "net:[4026532101]"},
	        {"pid", "pid:[4026531834]"},       {"time", "time:[4026531899]"},
	        {"uts", "uts:[4026531836]"}, /* no user: this kernel "lacks" it */
	};
	for (size_t i = 0; i < 7; i++)
		fx_ns(f, 100, ns100[i][0], ns100[i][1]);

	fx_stat(f, 150, &(struct stat_line){"nostatus", 'S', 100, 0, 0, 1, 6000, 3});
	fx_text(f, 150, "cmdline", "nostatus");

	fx_stat(f, 200, &(struct stat_line){"kworker/0:1", 'I', 2, 0, 7, 1, 30, 0});
	fx_status(f, 200, "kworker/0:1", 0, NULL, 1);
	fx_text(f, 200, "cmdline", "");

	char st[PATH_MAX + 16];
	snprintf(st, sizeof(st), "%s/state", f->root);
	struct be_ctx_opts o = {
	        .root = st, .cgroup_root = f->root, .proc_root = f->proc, .read_only = true};
	struct be_error *err = NULL;
	if (be_ctx_open(&o, &f->ctx, &err) < 0)
		fail_msg("%s", err->msg);
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;
	if (f == NULL)
		return 0;
	be_ctx_free(f->ctx);
	tu_root_remove(f->root);
	free(f->root);
	free(f);
	return 0;
}

static uint64_t tick_ns(void)
{
	return 1000000000ull / (uint64_t)sysconf(_SC_CLK_TCK);
}

static void test_be_proc_list_fixture(void **state)
{
	struct fx *f = *state;
	const pid_t pids[] = {300, 200, 100, 0, 150, 50, 100, -4};
	struct be_proc_info *v = NULL;
	size_t n = 99;
	struct be_error *err = NULL;
	assert_int_equal(be_proc_list(f->ctx, pids, 8, &v, &n, &err), 0);
	assert_null(err);
	/* 300 is gone, 0 and -4 are no pids, 100 comes once; sorted. */
	assert_int_equal(n, 4);
	assert_int_equal(v[0].pid, 50);
	assert_int_equal(v[1].pid, 100);
	assert_int_equal(v[2].pid, 150);
	assert_int_equal(v[3].pid, 200);

	const struct be_proc_info *p = &v[1];
	assert_string_equal(p->comm, "a) (b");
	assert_string_equal(p->cmdline, "nginx -g daemon off;");
	assert_int_equal(p->ppid, 1);
	assert_int_equal(p->state, 'R');
	assert_int_equal(p->uid, 1000); /* the real uid, not the effective 1001 */
	assert_int_equal(p->threads, 3);
	assert_int_equal(p->rss_bytes, 2048 * 1024);
	assert_int_equal(p->cpu_ns, 400 * tick_ns());
	assert_int_equal(p->start_ns, 5000 * tick_ns());
	assert_int_equal(p->ns_pid, 1); /* pid 1 in its own namespace */

	p = &v[0];
	assert_int_equal(strlen(p->cmdline), 254); /* the cut é is dropped */
	assert_memory_equal(p->cmdline, "sh -c echo?hixxx", 16);
	assert_memory_equal(p->cmdline + 250, "xx\xc3\xa9", 4);
	assert_int_equal(p->cpu_ns, 2 * tick_ns());

	p = &v[2];
	assert_string_equal(p->cmdline, "nostatus");
	assert_int_equal(p->uid, (uid_t)-1);
	assert_int_equal(p->ns_pid, 0); /* unknown without a status file */
	assert_int_equal(p->rss_bytes, 3 * (uint64_t)sysconf(_SC_PAGESIZE));
	assert_int_equal(p->ppid, 100);

	p = &v[3];
	assert_string_equal(p->comm, "kworker/0:1");
	assert_string_equal(p->cmdline, "[kworker/0:1]");
	assert_int_equal(p->state, 'I');
	assert_int_equal(p->rss_bytes, 0);
	assert_int_equal(p->uid, 0);
	free(v);
}

static void test_be_proc_list_empty(void **state)
{
	struct fx *f = *state;
	struct be_proc_info *v = NULL;
	size_t n = 99;
	assert_int_equal(be_proc_list(f->ctx, NULL, 0, &v, &n, NULL), 0);
	assert_int_equal(n, 0);
	free(v);
	const pid_t gone[] = {300, 301};
	assert_int_equal(be_proc_list(f->ctx, gone, 2, &v, &n, NULL), 0);
	assert_int_equal(n, 0);
	free(v);
}

static void test_be_ns_compare_fixture(void **state)
{
	struct fx *f = *state;
	struct be_ns_info ns[BE_NS_COUNT];
	struct be_error *err = NULL;
	assert_int_equal(be_ns_compare(f->ctx, 100, ns, &err), 0);
	assert_null(err);
	static const struct {
		enum be_ns_type t;
		const char *name;
		bool present, shared;
		uint64_t inode, host;
	} want[] = {
	        {BE_NS_CGROUP, "cgroup", true, true, 4026531830, 4026531830},
	        {BE_NS_IPC, "ipc", true, true, 4026531831, 4026531831},
	        {BE_NS_MNT, "mnt", true, false, 4026532100, 4026531832},
	        {BE_NS_NET, "net", true, false, 4026532101, 4026531833},
	        {BE_NS_PID, "pid", true, true, 4026531834, 4026531834},
	        {BE_NS_TIME, "time", false, false, 0, 0}, /* the host has none */
	        {BE_NS_USER, "user", false, false, 0, 0}, /* 100 has none */
	        {BE_NS_UTS, "uts", true, true, 4026531836, 4026531836},
	};
	for (size_t i = 0; i < BE_NS_COUNT; i++) {
		const struct be_ns_info *x = &ns[want[i].t];
		assert_string_equal(x->type, want[i].name);
		if (x->present != want[i].present || x->shared != want[i].shared)
			fail_msg("%s: present %d shared %d", x->type, x->present, x->shared);
		assert_int_equal(x->inode, want[i].inode);
		assert_int_equal(x->host_inode, want[i].host);
	}
	/* The host's init shares all it has with itself. */
	assert_int_equal(be_ns_compare(f->ctx, 1, ns, &err), 0);
	for (size_t i = 0; i < BE_NS_COUNT; i++)
		assert_int_equal(ns[i].shared, i != BE_NS_TIME);
}

static void test_be_ns_compare_bad_links(void **state)
{
	struct fx *f = *state;
	/* Links that do not say "TYPE:[N]" count as absent. */
	fx_stat(f, 400, &(struct stat_line){"odd", 'S', 1, 0, 0, 1, 1, 1});
	fx_ns(f, 400, "net", "net:[12x]");
	fx_ns(f, 400, "mnt", "net:[4026531832]");
	fx_ns(f, 400, "uts", "uts:[]");
	fx_ns(f, 400, "ipc", "ipc:4026531831");
	fx_ns(f, 400, "pid", "pid:[4026531834]");
	struct be_ns_info ns[BE_NS_COUNT];
	assert_int_equal(be_ns_compare(f->ctx, 400, ns, NULL), 0);
	for (size_t i = 0; i < BE_NS_COUNT; i++)
		assert_int_equal(ns[i].present, i == BE_NS_PID);
	assert_true(ns[BE_NS_PID].shared);
}

static void test_be_ns_compare_gone(void **state)
{
	struct fx *f = *state;
	struct be_ns_info ns[BE_NS_COUNT];
	struct be_error *err = NULL;
	assert_int_equal(be_ns_compare(f->ctx, 300, ns, &err), -1);
	assert_string_equal(err->msg, "process 300 is gone");
	assert_int_equal(err->errnum, ESRCH);
	be_error_clear(&err);
	assert_int_equal(be_ns_compare(f->ctx, 0, ns, &err), -1);
	assert_string_equal(err->msg, "process 0 is gone");
	be_error_clear(&err);
}

static void test_be_proc_missing_root(void **state)
{
	(void)state;
	char *root = tu_root_new();
	struct be_ctx_opts o = {.root = root,
	                        .cgroup_root = root,
	                        .proc_root = "/nonexistent-berth-proc",
	                        .read_only = true};
	struct be_ctx *ctx = NULL;
	assert_int_equal(be_ctx_open(&o, &ctx, NULL), 0);
	struct be_error *err = NULL;
	struct be_proc_info *v = (void *)1;
	size_t n = 5;
	const pid_t one = 1;
	assert_int_equal(be_proc_list(ctx, &one, 1, &v, &n, &err), -1);
	assert_null(v);
	assert_int_equal(n, 0);
	assert_string_equal(err->msg, "reading processes: /nonexistent-berth-proc: No such file "
	                              "or directory");
	be_error_clear(&err);
	struct be_ns_info ns[BE_NS_COUNT];
	assert_int_equal(be_ns_compare(ctx, 1, ns, &err), -1);
	assert_non_null(strstr(err->msg, "/nonexistent-berth-proc"));
	be_error_clear(&err);
	be_ctx_free(ctx);
	tu_root_remove(root);
	free(root);
}

/* ---- the real /proc ------------------------------------------------------- */

static struct be_ctx *real_ctx(char **root)
{
	*root = tu_root_new();
	struct be_ctx_opts o = {.root = *root, .read_only = true};
	struct be_ctx *ctx = NULL;
	assert_int_equal(be_ctx_open(&o, &ctx, NULL), 0);
	return ctx;
}

static void test_be_proc_list_self(void **state)
{
	(void)state;
	char *root;
	struct be_ctx *ctx = real_ctx(&root);
	char *comm = tu_read("/proc/self/comm");
	assert_non_null(comm);
	comm[strcspn(comm, "\n")] = '\0';
	char *argv0 = tu_read("/proc/self/cmdline"); /* up to the first NUL */
	assert_non_null(argv0);
	const pid_t pids[] = {getpid(), 999999999};
	struct be_proc_info *v = NULL;
	size_t n = 0;
	struct be_error *err = NULL;
	assert_int_equal(be_proc_list(ctx, pids, 2, &v, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].pid, getpid());
	assert_int_equal(v[0].ppid, getppid());
	/* this /proc's pid namespace is ours: the innermost pid is getpid() */
	assert_int_equal(v[0].ns_pid, getpid());
	assert_string_equal(v[0].comm, comm);
	assert_int_equal(strncmp(v[0].cmdline, argv0, strlen(argv0)), 0);
	assert_int_equal(v[0].state, 'R'); /* it is reading its own stat */
	assert_int_equal(v[0].uid, getuid());
	assert_true(v[0].threads >= 1);
	assert_true(v[0].rss_bytes > 0);
	free(v);
	free(argv0);
	free(comm);
	be_ctx_free(ctx);
	tu_root_remove(root);
	free(root);
}

static uint64_t link_inode(const char *path)
{
	char buf[128];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0)
		return 0;
	buf[n] = '\0';
	const char *open = strchr(buf, '[');
	return open ? strtoull(open + 1, NULL, 10) : 0;
}

/* present and shared must agree with what this test reads itself.  When
 * the host's init can be looked at (root in the host's user namespace),
 * the five namespaces every kernel has must be present. */
static void test_be_ns_compare_self(void **state)
{
	(void)state;
	char *root;
	struct be_ctx *ctx = real_ctx(&root);
	struct be_ns_info ns[BE_NS_COUNT];
	struct be_error *err = NULL;
	assert_int_equal(be_ns_compare(ctx, getpid(), ns, &err), 0);
	/* The host's links are pid 1's, or ours where pid 1's are closed to
	 * us (this sandbox), in which case every type is shared. */
	for (size_t i = 0; i < BE_NS_COUNT; i++) {
		const struct be_ns_info *x = &ns[i];
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/ns/%s", x->type);
		uint64_t self = link_inode(path);
		snprintf(path, sizeof(path), "/proc/1/ns/%s", x->type);
		uint64_t host = link_inode(path);
		if (host == 0)
			host = self;
		if (x->present != (self != 0))
			fail_msg("%s: present %d, link %" PRIu64, x->type, x->present, self);
		if (!x->present)
			continue;
		assert_int_equal(x->inode, self);
		assert_int_equal(x->host_inode, host);
		assert_int_equal(x->shared, self == host);
	}
	static const enum be_ns_type always[] = {BE_NS_MNT, BE_NS_NET, BE_NS_PID, BE_NS_UTS,
	                                         BE_NS_IPC};
	for (size_t i = 0; i < 5; i++)
		assert_true(ns[always[i]].present);
	be_ctx_free(ctx);
	tu_root_remove(root);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_be_proc_list_fixture, fx_setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_be_proc_list_empty, fx_setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_be_ns_compare_fixture, fx_setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_be_ns_compare_bad_links, fx_setup,
	                                        fx_teardown),
	        cmocka_unit_test_setup_teardown(test_be_ns_compare_gone, fx_setup, fx_teardown),
	        cmocka_unit_test(test_be_proc_missing_root),
	        cmocka_unit_test(test_be_proc_list_self),
	        cmocka_unit_test(test_be_ns_compare_self),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
