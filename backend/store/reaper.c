/* The trash reaper: what goes to ROOT/trash (a discarded upper, a removed
 * container or layer) is deleted after the command that put it there has
 * returned, by a detached process at the lowest CPU and I/O priority.
 *
 * Who deletes: whoever holds the flock on the ROOT/trash directory.  A
 * command that trashed something takes it without waiting and, when it
 * gets it, starts the reaper, which inherits it; when it is busy, the
 * reaper at work will see the new entry: a reaper lets go of the lock,
 * then looks at the trash once more and takes the lock again if anything
 * is there.  Since the entry was renamed in before the taker tried, one of
 * the two always deletes it.  A reaper killed mid-way leaves its entries;
 * the next command's repair (store_repair) starts another. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
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
static void reap_locked(const char *trash, int fd)
{
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

/* The reaper is this program again, exec'd (posix_spawn: vfork and exec),
 * never a plain fork: a fork would hold the command's lock fds (flocks
 * stay while any copy is open) until it closed them, and the next command
 * on that container would find it busy.  Across exec only what the spawn
 * passes survives: /dev/null as stdio and the trash's locked fd as fd 3.
 * The environment variable names the trash; this constructor sees it
 * before main runs, forks once more so that the reaper is nobody's child,
 * and never returns to main. */
#define REAPER_ENV "BERTH_TRASH_REAPER"
#define REAPER_FD 3

__attribute__((constructor)) static void reaper_entry(void)
{
	const char *trash = getenv(REAPER_ENV);
	if (trash == NULL || trash[0] != '/')
		return;
	cleanup_free char *path = xstrdup(trash);
	unsetenv(REAPER_ENV);
	setsid();
	if (fork() != 0)
		_exit(0); /* the spawner waits for this one */
	prctl(PR_SET_NAME, "berth-reaper");
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	store_trash_lower_priority();
	reap_locked(path, REAPER_FD);
	_exit(0);
}

int store_trash_reap(const struct be_ctx *ctx, struct be_error **err)
{
	int fd = take_trash(ctx);
	if (fd < 0)
		return 0;
	cleanup_free char *trash = ctx_path(ctx, "trash");
	cleanup_free char *env = xasprintf("%s=%s", REAPER_ENV, trash);
	char arg0[] = "berth-reaper";
	char *const argv[] = {arg0, NULL};
	char *const envp[] = {env, NULL};
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	for (int i = 0; i < 3; i++)
		posix_spawn_file_actions_addopen(&fa, i, "/dev/null", O_RDWR, 0);
	/* dup2 onto itself would leave close-on-exec set. */
	if (fd == REAPER_FD) {
		int moved = fcntl(fd, F_DUPFD_CLOEXEC, REAPER_FD + 1);
		close(fd);
		fd = moved;
	}
	posix_spawn_file_actions_adddup2(&fa, fd, REAPER_FD);
	posix_spawn_file_actions_addclosefrom_np(&fa, REAPER_FD + 1);
	pid_t pid;
	int r = fd < 0 ? EMFILE : posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	if (fd >= 0)
		close(fd);
	if (r != 0)
		return be_error_set(err, r, "starting the trash reaper");
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return 0;
}

void store_trash_reap_here(const struct be_ctx *ctx)
{
	int fd = take_trash(ctx);
	if (fd < 0)
		return;
	store_trash_lower_priority();
	cleanup_free char *trash = ctx_path(ctx, "trash");
	reap_locked(trash, fd);
	close(fd);
}
