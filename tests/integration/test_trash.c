/* Integration tests of the trash reaper: a rollback (and rm) returns once
 * the discarded upper is in the trash, a detached low-priority process
 * deletes it afterwards, and a reaper killed mid-way is replaced by the
 * next command. */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "berth.h"
#include "testutil.h"

#define OK(...) TU_OK(tu_demo_root, __VA_ARGS__)
#define FILES 20000

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Entries (files and directories, at any depth) under ROOT/trash. */
static int trash_count(void)
{
	return tu_count("find '%s/trash' -mindepth 1 2>/dev/null | wc -l", tu_demo_root);
}

/* Polls until the trash is empty; false after timeout_s. */
static bool trash_empties(int timeout_s)
{
	for (int i = 0; i < timeout_s * 20; i++) {
		if (tu_count("ls -A '%s/trash' | wc -l", tu_demo_root) == 0)
			return true;
		usleep(50 * 1000);
	}
	return false;
}

/* files small files in 100 directories of NAME's upper (written while the
 * container is stopped, as its own writes would leave them). */
static void fill_upper(const char *name, int files)
{
	char dir[4096];
	for (int d = 0; d < 100; d++) {
		snprintf(dir, sizeof(dir), "%s/containers/%s/upper/d%d", tu_demo_root, name, d);
		assert_int_equal(mkdir(dir, 0755), 0);
		for (int f = 0; f < files / 100; f++) {
			char p[4200];
			snprintf(p, sizeof(p), "%s/f%d", dir, f);
			int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
			assert_true(fd >= 0);
			close(fd);
		}
	}
}

/* The pid of a process that has ROOT/trash open (the reaper), or 0. */
static pid_t trash_holder(void)
{
	struct tu_out o = {0};
	tu_sh(&o,
	      "for c in $(grep -lx berth-reaper /proc/[0-9]*/comm 2>/dev/null); do p=${c%%/comm}; "
	      "ls -l $p/fd 2>/dev/null | grep -q ' %s/trash$' && echo ${p#/proc/} && break; "
	      "done; true",
	      tu_demo_root);
	pid_t pid = (pid_t)atoi(o.out);
	tu_out_free(&o);
	return pid;
}

static void test_rollback_returns_before_deletion(void **state)
{
	(void)state;
	tu_need_demo_root();
	OK("create", "--name", "big", "demo", "true");
	OK("snapshot", "big", "empty");
	fill_upper("big", FILES);
	assert_int_equal(trash_count(), 0);
	double t0 = now_ms();
	OK("rollback", "big", "empty");
	double took = now_ms() - t0;
	/* Returned while the 20,000 files are still being deleted. */
	int left = trash_count();
	fprintf(stderr, "rollback: %.1f ms, %d trash entries left at return\n", took, left);
	assert_true(left > 1000);
	assert_int_equal(tu_count("ls '%s/containers/big/upper' | wc -l", tu_demo_root), 0);
	/* ... and the trash empties by itself. */
	assert_true(trash_empties(60));
	OK("rm", "big");
}

static void test_killed_reaper_repaired_by_next_command(void **state)
{
	(void)state;
	tu_need_demo_root();
	OK("create", "--name", "big2", "demo", "true");
	OK("snapshot", "big2", "empty");
	fill_upper("big2", FILES);
	OK("rollback", "big2", "empty");
	pid_t reaper = trash_holder();
	assert_true(reaper > 1);
	/* It runs at nice 19. */
	assert_int_equal(tu_count("cut -d' ' -f19 /proc/%d/stat", (int)reaper), 19);
	kill(reaper, SIGKILL);
	for (int i = 0; i < 100 && kill(reaper, 0) == 0; i++)
		usleep(10 * 1000);
	int left = trash_count();
	assert_true(left > 0);
	usleep(300 * 1000);
	assert_int_equal(trash_count(), left); /* nobody deletes on its own */
	/* Any command repairs: its repair starts a reaper. */
	OK("ps", "-a");
	assert_true(trash_empties(60));
	OK("rm", "big2");
}

/* rm of a stopped container with a big upper returns before the files go. */
static void test_rm_returns_before_deletion(void **state)
{
	(void)state;
	tu_need_demo_root();
	OK("create", "--name", "big3", "demo", "true");
	fill_upper("big3", 3000);
	OK("rm", "big3");
	assert_true(trash_count() > 1000);
	assert_true(trash_empties(60));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_rollback_returns_before_deletion),
	        cmocka_unit_test(test_killed_reaper_repaired_by_next_command),
	        cmocka_unit_test(test_rm_returns_before_deletion),
	};
	return cmocka_run_group_tests(tests, tu_demo_group_setup, tu_demo_group_teardown);
}
