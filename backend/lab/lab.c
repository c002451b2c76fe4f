/* Lab mode: the demo containers of a class on isolation (a CPU hog under a
 * quota, a memory grower under a limit, a fork bomb under pids.max, two
 * containers with one hostname), and the reaper that removes them when the
 * lab's process ends, even by SIGKILL. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "berth.h"
#include "base/util.h"

struct lab_spec {
	struct be_lab_item item;
	const char *hostname;
	const char *limits[2][2]; /* option, value */
	const char *script;       /* sh -c */
};

static const struct lab_spec specs[] = {
        {{"lab-cpu", "a CPU hog under a 50% quota",
          "It spins forever, but its cgroup allows 50 ms of CPU per 100 ms period "
          "(cpu.max / cpu.cfs_quota_us).  CPU% stays near 50 and THR% (throttled periods) "
          "rises: the kernel stops it for the rest of each period."},
         NULL,
         {{"cpus", "0.5"}, {NULL, NULL}},
         "while :; do :; done"},
        {{"lab-mem", "a memory grower under a 32 MiB limit",
          "A shell doubles a string until it holds more than memory.max allows; the kernel's "
          "OOM killer ends it (an OOM kill event, a red mark on the memory graph), and the "
          "loop starts another.  The container and the host go on."},
         NULL,
         {{"memory", "32m"}, {NULL, NULL}},
         "while :; do sh -c 'x=a; while :; do x=$x$x; done'; sleep 1; done"},
        {{"lab-fork", "a fork bomb held by pids.max (30)",
          "It starts sleeping children as fast as it can; once 30 tasks exist, fork fails "
          "inside (\"can't fork\") and PIDS stays at its limit, while the host's process "
          "table is untouched."},
         NULL,
         {{"pids-limit", "30"}, {NULL, NULL}},
         "while :; do sleep 600 & done"},
        {{"lab-uts-a", "one of two containers named the same",
          "lab-uts-a and lab-uts-b both have the hostname \"lab\" and each sees its init as "
          "pid 1: their uts and pid namespaces are their own (i shows the namespace ids)."},
         "lab",
         {{NULL, NULL}, {NULL, NULL}},
         "sleep 100000"},
        {{"lab-uts-b", "the other container named the same",
          "Its hostname is \"lab\" too, and its pid 1 is a different process on the host: "
          "compare the PID columns of the two detail views."},
         "lab",
         {{NULL, NULL}, {NULL, NULL}},
         "sleep 100000"},
};
#define NSPECS (sizeof(specs) / sizeof(specs[0]))

const struct be_lab_item *be_lab_items(size_t *n)
{
	static struct be_lab_item items[NSPECS];
	for (size_t i = 0; i < NSPECS; i++)
		items[i] = specs[i].item;
	*n = NSPECS;
	return items;
}

const struct be_lab_item *be_lab_find(const char *name)
{
	for (size_t i = 0; i < NSPECS; i++)
		if (strcmp(specs[i].item.name, name) == 0)
			return &specs[i].item;
	return NULL;
}

void be_lab_stop(struct be_ctx *ctx)
{
	for (size_t i = 0; i < NSPECS; i++)
		be_container_remove(ctx, specs[i].item.name, true, NULL);
}

static int start_one(struct be_ctx *ctx, const struct lab_spec *s, struct be_error **err)
{
	char sh[] = "sh", c[] = "-c";
	cleanup_free char *script = xstrdup(s->script);
	char *cmd[] = {sh, c, script, NULL};
	struct be_container_spec spec = {
	        .name = s->item.name, .image = "demo", .cmd = cmd, .hostname = s->hostname};
	for (size_t k = 0; k < 2 && s->limits[k][0]; k++)
		if (be_limits_set(&spec.limits, s->limits[k][0], s->limits[k][1], err) < 0)
			return -1;
	be_container_remove(ctx, s->item.name, true, NULL);
	return be_container_run(ctx, &spec, NULL, NULL, err);
}

/* The reaper: its own session, waits for EOF on the pipe (the lab process
 * ended, whatever way), then removes the lab's containers. */
static _Noreturn void reaper(struct be_ctx *ctx, int rd)
{
	setsid();
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	prctl(PR_SET_NAME, "berth-lab-reap", 0, 0, 0);
	char c;
	while (read(rd, &c, 1) != 0 && (errno == EINTR || errno == EAGAIN))
		;
	be_lab_stop(ctx);
	_exit(0);
}

static int spawn_reaper(struct be_ctx *ctx, struct be_error **err)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return be_error_set(err, errno, "lab: making the reaper's pipe");
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return be_error_set(err, errno, "lab: starting the reaper");
	}
	if (pid == 0) {
		close(p[1]);
		/* A grandchild: nobody's child, in no one's process group. */
		if (fork() == 0)
			reaper(ctx, p[0]);
		_exit(0);
	}
	close(p[0]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	/* The write end stays open in this process only (CLOEXEC: actions it
	 * runs do not hold it), until it ends. */
	return 0;
}

int be_lab_start(struct be_ctx *ctx, struct be_error **err)
{
	/* Kept when it is there already (be_image_demo is idempotent). */
	if (be_image_demo(ctx, "demo", err) < 0)
		return be_error_wrap(err, "lab: making the demo image");
	if (spawn_reaper(ctx, err) < 0)
		return -1;
	for (size_t i = 0; i < NSPECS; i++)
		if (start_one(ctx, &specs[i], err) < 0) {
			be_lab_stop(ctx);
			return be_error_wrap(err, "lab: starting %s", specs[i].item.name);
		}
	return 0;
}
