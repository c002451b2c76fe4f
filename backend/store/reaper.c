/* The trash reaper: what goes to ROOT/trash (a discarded upper, a removed
 * container or layer) is deleted after the command that put it there has
 * returned, by a detached process at the lowest CPU and I/O priority.
 *
 * Who deletes: whoever holds the flock on the ROOT/trash directory.  A
 * command that trashed something takes it without waiting and, when it
 * gets it, forks the reaper, which inherits it; when it is busy, the
 * reaper at work will see the new entry: a reaper lets go of the lock,
 * then looks at the trash once more and takes the lock again if anything
 * is there.  Since the entry was renamed in before the taker tried, one of
 * the two always deletes it.  A reaper killed mid-way leaves its entries;
 * the next command's repair (store_repair) starts another. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/store.h"

#define IOPRIO_CLASS_IDLE 3
#define IOPRIO_CLASS_SHIFT 13
#define IOPRIO_WHO_PROCESS 1

/* True when the trash directory (fd) holds any entry. */
static bool trash_has_entries(int fd)
{
	int dup_fd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dup_fd < 0)
		return false;
	DIR *d = fdopendir(dup_fd);
	if (d == NULL) {
		close(dup_fd);
		return false;
	}
	struct dirent *de;
	bool any = false;
	while (!any && (de = readdir(d)) != NULL)
		any = strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
	closedir(d);
	return any;
}

/* One pass over the trash; returns how many entries went.  An entry that
 * cannot go (a mount point someone made in it) is left for a later pass. */
static size_t reap_pass(const char *trash)
{
	cleanup_dir DIR *d = opendir(trash);
	if (d == NULL)
		return 0;
	size_t gone = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		cleanup_free char *p = xasprintf("%s/%s", trash, de->d_name);
		struct be_error *err = NULL;
		if (util_rm_rf(p, &err) == 0)
			gone++;
		be_error_free(err);
	}
	return gone;
}

void store_trash_lower_priority(void)
{
	if (setpriority(PRIO_PROCESS, 0, 19) < 0) {
		/* best effort: the deletion still happens */
	}
	syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO_CLASS_IDLE << IOPRIO_CLASS_SHIFT);
}

/* Deletes while holding the lock on fd (taken by the caller); returns
 * with it released. */
static void reap_locked(const struct be_ctx *ctx, int fd)
{
	cleanup_free char *trash = ctx_path(ctx, "trash");
	for (;;) {
		size_t gone = reap_pass(trash);
		bool left = trash_has_entries(fd);
		if (left && gone > 0)
			continue;
		flock(fd, LOCK_UN);
		/* Something came in (or stayed) while we held the lock: its
		 * owner saw the lock busy and left it to us. */
		if (!left && !trash_has_entries(fd))
			return;
		if (left && gone == 0)
			return; /* nothing would go: the next repair tries again */
		if (flock(fd, LOCK_EX | LOCK_NB) < 0)
			return; /* another reaper has it now */
	}
}

/* The reaper's body, in the grandchild: detached, quiet, at idle priority. */
static _Noreturn void reaper_main(const struct be_ctx *ctx, int fd)
{
	prctl(PR_SET_NAME, "berth-reaper");
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	/* Nothing of the command's (its lock fds, its client's pipes) may
	 * stay open while we work: only the trash's lock. */
	int keep = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (keep > 3)
		close_range(3, (unsigned)keep - 1, 0);
	close_range((unsigned)keep + 1, ~0U, 0);
	store_trash_lower_priority();
	reap_locked(ctx, keep);
	_exit(0);
}

/* Opens the trash directory and takes its lock without waiting: the fd,
 * or -1 (missing trash, nothing in it, or a reaper at work). */
static int take_trash(const struct be_ctx *ctx)
{
	cleanup_free char *trash = ctx_path(ctx, "trash");
	int fd = open(trash, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (!trash_has_entries(fd) || flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int store_trash_reap(const struct be_ctx *ctx, struct be_error **err)
{
	int fd = take_trash(ctx);
	if (fd < 0)
		return 0;
	fflush(NULL);
	pid_t mid = fork();
	if (mid < 0) {
		int e = errno;
		close(fd);
		return be_error_set(err, e, "starting the trash reaper");
	}
	if (mid == 0) {
		/* Double fork: the reaper is nobody's child and has its own
		 * session (a long-lived client such as the TUI gets no zombie,
		 * the terminal's SIGHUP does not reach it). */
		setsid();
		pid_t r = fork();
		if (r == 0)
			reaper_main(ctx, fd);
		_exit(r < 0 ? 1 : 0);
	}
	close(fd);
	int st;
	while (waitpid(mid, &st, 0) < 0 && errno == EINTR)
		;
	return 0;
}

void store_trash_reap_here(const struct be_ctx *ctx)
{
	int fd = take_trash(ctx);
	if (fd < 0)
		return;
	store_trash_lower_priority();
	reap_locked(ctx, fd);
	close(fd);
}
