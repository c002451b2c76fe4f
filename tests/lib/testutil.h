/* Helpers shared by the test programs: temporary roots that are always
 * removed (mounts under them first), running the berth binary and shell
 * commands with their output captured. */
#ifndef BERTH_TESTUTIL_H
#define BERTH_TESTUTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <setjmp.h>
#include <cmocka.h>

/* Creates /tmp/berth-test-XXXXXX (mode 0700); the caller frees the string
 * and removes the tree with tu_root_remove. */
char *tu_root_new(void);
/* Appends root to the file $BERTH_TEST_ROOTS names (when set): the roots
 * scripts/run-tests.sh checks for leftovers.  tu_root_new and tu_berth do
 * it for every root they make or use. */
void tu_root_log(const char *root);
/* Kills what berth left running under ROOT (keepers and containers recorded
 * in its run directory), lazily unmounts every mount below ROOT, removes
 * berth cgroups named in ROOT's run state, then deletes the tree.  Safe to
 * call on a half-made root and on NULL. */
void tu_root_remove(const char *root);

struct tu_out {
	int status; /* exit status, or 128+signal */
	char *out;  /* stdout, NUL-terminated */
	char *err;  /* stderr, NUL-terminated */
};
void tu_out_free(struct tu_out *o);

/* Runs $BERTH_BIN --root ROOT ARGS... (argv ended by NULL), with stdin from
 * /dev/null unless input is given.  Returns the exit status. */
int tu_berth(struct tu_out *o, const char *root, const char *const *argv);
int tu_berth_in(struct tu_out *o, const char *root, const char *input, const char *const *argv);
/* Variadic form: tu_berthl(&o, root, "ps", "-a", NULL). */
int tu_berthl(struct tu_out *o, const char *root, ...) __attribute__((sentinel));
/* Runs /bin/sh -c CMD; captures output when o is not NULL. */
int tu_sh(struct tu_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Runs /bin/sh -c CMD, which prints a number (`... | wc -l`); returns it. */
int tu_count(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A new root (tu_root_new) holding the demo image; NULL after printing why
 * when the import fails (the root is removed then). */
char *tu_demo_root_new(void);
/* A group fixture: tu_demo_group_setup makes tu_demo_root (a root with the
 * demo image) when running as root, tu_demo_group_teardown removes it;
 * tu_need_demo_root skips a test without it. */
extern char *tu_demo_root;
int tu_demo_group_setup(void **state);
int tu_demo_group_teardown(void **state);
void tu_need_demo_root(void);

/* A state root and a scratch directory for sources (tarballs, trees):
 * tu_fix_new makes both and a unique file name that an escaping entry
 * would write (mark); tu_fix_free frees ctx when a test opened one and
 * removes both.  tu_work_path gives WORK/NAME (the caller frees). */
struct be_ctx;
struct tu_fix {
	char *root;
	char *work;
	struct be_ctx *ctx;
	char mark[64];
};
struct tu_fix *tu_fix_new(void);
void tu_fix_free(struct tu_fix *f);
char *tu_work_path(const struct tu_fix *f, const char *name);

/* A group fixture for tests that need only a scratch directory:
 * tu_scratch_setup makes tu_scratch (tu_root_new), tu_scratch_teardown
 * removes it.  tu_need_root skips a test unless it runs as root. */
extern char *tu_scratch;
int tu_scratch_setup(void **state);
int tu_scratch_teardown(void **state);
void tu_need_root(void);

/* Waits (up to 60 s) until no trash reaper of ROOT is at work: the reaper
 * holds ROOT/trash's flock while it deletes.  Call before counting what is
 * left in ROOT/trash. */
void tu_trash_settle(const char *root);

/* Makes the next open of ROOT (a --root, so its run directory is
 * ROOT/run) sweep temp files again, as it would STORE_REPAIR_EVERY
 * seconds after the last sweep: the mark of that sweep is set back. */
void tu_repair_due(const char *root);

/* Runs berth --root ROOT ARGV... and asserts it exits 0 (printing stderr
 * otherwise).  TU_OK(root, "ps", "-a") is the short form. */
void tu_ok_argv(const char *root, const char **argv);
#define TU_OK(root, ...) tu_ok_argv(root, (const char *[]){__VA_ARGS__, NULL})

/* Everything readable from fd until EOF (a regular file from its start);
 * the caller frees. */
char *tu_slurp_fd(int fd);
/* waitpid, retried on EINTR: the exit status, or 128+signal. */
int tu_wait_status(pid_t pid);

/* Reads a whole file (caller frees), or NULL. */
char *tu_read(const char *path);
/* Writes a file, creating parents; asserts on failure. */
void tu_write(const char *path, const char *text);
/* The berth binary under test ($BERTH_BIN, else build/berth). */
const char *tu_berth_bin(void);
/* True when running as root (integration tests skip() otherwise). */
bool tu_is_root(void);

#endif
