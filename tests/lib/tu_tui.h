/* Driving berth's terminal UI under a private tmux server for the
 * integration tests (test_tui*.c): each case has its own root with the demo
 * image and a running container `web`, its own tmux socket, and every wait
 * polls the pane with a deadline. */
#ifndef BERTH_TU_TUI_H
#define BERTH_TU_TUI_H

#include <stdbool.h>
#include <sys/types.h>

/* Seconds every wait polls for at most. */
#define TT_DEADLINE_S 10

/* One case's root and tmux socket; vm: a qemu the case started (killed by
 * tt_teardown). */

struct tt_fx {
	char *root;
	char sock[64];
	pid_t vm; /* a qemu this case started, killed in teardown */
};

/* Ends the private tmux server (and the UI in it) and removes its socket,
 * which tmux leaves behind. */
void tt_kill_server(struct tt_fx *f);
int tt_setup(void **state);
/* Ends the UI (the tmux server), then removes every container of the
 * root and the root itself, whatever state a failed case left. */
int tt_teardown(void **state);
double tt_now_s(void);
char *tt_capture(struct tt_fx *f);
/* Polls the pane until it shows want (present) or no longer shows it
 * (!present), DEADLINE_S at most; returns the last text (the caller frees),
 * NULL on timeout after printing the pane. */
char *tt_wait_for(struct tt_fx *f, const char *want, bool present);
char *tt_wait_pane(struct tt_fx *f, const char *want);
/* Waits for want and frees the text (assertion on timeout). */
void tt_see(struct tt_fx *f, const char *want);
void tt_keys(struct tt_fx *f, const char *k);
/* Types text literally, then Enter. */
void tt_type_line(struct tt_fx *f, const char *text);
/* Starts `ENV berth --root R ARGS` in a tmux pane of WxH; its exit status
 * lands in ROOT/tui.rc. */
void tt_start_tui_env(struct tt_fx *f, const char *env, const char *args, int w, int h);
void tt_start_tui(struct tt_fx *f, const char *args);
/* Waits (DEADLINE_S at most) for the TUI's exit status. */
int tt_wait_exit(struct tt_fx *f);
/* Quits with q and checks the exit status: the UI survived the case. */
void tt_quit_ok(struct tt_fx *f);
/* The pane line holding word (as a table cell, space-delimited), or -1. */
int tt_line_of(const char *text, const char *word);
/* The text of pane line n (buffer). */
const char *tt_line_at(const char *text, int n);
/* Polls `berth inspect NAME` until its status is want. */
bool tt_wait_status(struct tt_fx *f, const char *name, const char *want);
/* Filters the table down to name (its row is then the selected one). */
void tt_select_only(struct tt_fx *f, const char *name);
/* Starts the UI at 80x24 and selects NAME once its row shows. */
void tt_start_on(struct tt_fx *f, const char *name);
bool tt_listed(struct tt_fx *f, const char *name);
/* Polls `berth inspect NAME` until its JSON holds want (10 s). */
bool tt_wait_inspect(struct tt_fx *f, const char *name, const char *want);

#endif
