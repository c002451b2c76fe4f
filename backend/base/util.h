/* Internal helpers shared by the backend modules: cleanup attributes,
 * steal_pointer, allocation that aborts on exhaustion, path joining. */
#ifndef BE_UTIL_H
#define BE_UTIL_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>

#include "berth.h"

void util_cleanup_freep(void *p);
void util_cleanup_closep(int *fd);
void util_cleanup_fclosep(void *fp);
void util_cleanup_closedirp(void *dp);
void util_cleanup_errorp(struct be_error **err);

#define cleanup_free __attribute__((cleanup(util_cleanup_freep)))
#define cleanup_close __attribute__((cleanup(util_cleanup_closep)))
#define cleanup_fclose __attribute__((cleanup(util_cleanup_fclosep)))
#define cleanup_dir __attribute__((cleanup(util_cleanup_closedirp)))
#define cleanup_error __attribute__((cleanup(util_cleanup_errorp)))

/* Returns *pp and sets *pp to NULL: hands ownership to the caller.  Typed:
 * the result has the pointee's type, and pp must point to a pointer (a
 * non-pointer argument fails to compile). */
static inline void *util_steal_pointer(void **p)
{
	void *r = *p;
	*p = NULL;
	return r;
}
#define steal_pointer(pp)                                                                          \
	((__typeof__(*(pp)))util_steal_pointer((void **)(1 ? (pp) : (__typeof__(*(pp)) *)0)))

/* Returns *fd and sets it to -1: hands an fd to the caller. */
static inline int util_steal_fd(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}

/* Allocation aborts on out-of-memory (STYLE.md: "Out of memory aborts"). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- files ------------------------------------------------------------ */
/* mkdir -p; existing directories are fine. */
int util_mkdir_p(const char *path, mode_t mode, struct be_error **err);
/* rm -rf that never follows symlinks and never crosses into another mount;
 * a missing path is success. */
int util_rm_rf(const char *path, struct be_error **err);
/* The same for NAME in the directory dirfd (AT_FDCWD: a path), which is
 * never followed if it is a link; errors show SHOWN. */
int util_rm_rf_at(int dirfd, const char *name, const char *shown, struct be_error **err);
/* Reads a whole small file into a NUL-terminated buffer (caller frees). */
char *util_read_file(const char *path, size_t *len, struct be_error **err);
/* Writes data to path via temp + rename; with durable, fsyncs file and dir. */
/* write() until all len bytes are out (EINTR retried); 0 or -1 (errno). */
int util_write_all(int fd, const void *data, size_t len);
int util_write_file_atomic(const char *path, const void *data, size_t len, bool durable,
                           struct be_error **err);
int util_fsync_dir(const char *dir, struct be_error **err);
/* True when NAME is a temp file of util_write_file_atomic (".X.tmpPID-...")
 * whose writer, another process, is still alive: repair must leave it. */
bool util_temp_owner_alive(const char *name);
bool util_path_exists(const char *path);
/* Copies from in's position to EOF onto out with read/write (EINTR
 * retried).  Returns 0, or -1 with errno. */
int util_copy_fd(int in, int out);
/* Passes an fd over a unix socket (SCM_RIGHTS), and receives one: the
 * received fd is close-on-exec; a peer that closed without sending is an
 * error ("closed without sending a terminal"). */
int util_send_fd(int sock, int fd, struct be_error **err);
int util_recv_fd(int sock, struct be_error **err);
/* Fills buf (len >= 2n+1) with n random bytes in hex. */
void util_random_hex(char *buf, size_t n);
/* Monotonic and wall clocks. */
uint64_t util_now_ns(void);
int64_t util_wall_ns(void);

/* Starts fn(arg) on a new thread with every signal blocked there (the
 * process's handlers stay with the thread that set them up); false when
 * no thread could be made. */
bool util_thread_start(pthread_t *t, void *(*fn)(void *), void *arg);

/* Background writeback of the filesystem holding fd (see flusher.c):
 * start (NULL when no thread could be made: kicks are then no-ops), kick
 * when new data is dirty (never blocks), stop (answers a kick still
 * pending, waits for the syncfs under way; returns how many ran). */
struct util_flusher;
struct util_flusher *util_flusher_start(int fd);
void util_flusher_kick(struct util_flusher *f);
unsigned util_flusher_stop(struct util_flusher *f);

/* ---- fault points -------------------------------------------------------
 * Tests set BERTH_FAULT=<point>[,<point>...]; at a matching point the
 * process _exits with status 99, as if killed, so crash safety can be
 * tested at every step. */
void util_fault(const char *point);
/* Error injection: when BERTH_FAIL=<point>[,<point>...] names point, fills
 * err ("injected failure at POINT", EIO) and returns -1, so that tests can
 * drive the error path of a step that the kernel rarely refuses; else 0. */
int util_fail(const char *point, struct be_error **err);

#endif
