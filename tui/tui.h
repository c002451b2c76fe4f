/* The terminal UI's shared state and the functions its files export to one
 * another: the main loop (tui.c), drawing helpers (screen.c), the views
 * (view_*.c), the key tables (keys.c) and the actions (actions.c). */
#ifndef TUI_TUI_H
#define TUI_TUI_H

#include <curses.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "model.h"
#include "tui_main.h"

enum tui_view {
	TUI_VIEW_LIST,
	TUI_VIEW_DETAIL,
	TUI_VIEW_LOGS,
	TUI_VIEW_HELP,
	TUI_VIEW_SETUP,
	TUI_VIEW_ISOLATION,
};

/* What the bottom line is doing: showing hints/messages, or reading input. */
enum tui_mode {
	TUI_MODE_NONE,
	TUI_MODE_FILTER,  /* typing the table's filter */
	TUI_MODE_PROMPT,  /* typing a value for an action */
	TUI_MODE_CONFIRM, /* y/N */
	TUI_MODE_PICK,    /* choosing a snapshot from a list */
	TUI_MODE_SEARCH,  /* typing the log pager's search */
	TUI_MODE_FIND,    /* F3: typing a name to jump to */
	TUI_MODE_MENU,    /* choosing from a menu (F6 sort, F9 signal) */
	TUI_MODE_EXPLAIN, /* showing where a number comes from (E); any key closes */
};

/* What a menu chooses. */
enum tui_menu_kind { TUI_MENU_SORT, TUI_MENU_SIGNAL };
#define TUI_MENU_MAX 40
struct tui_menu {
	enum tui_menu_kind kind;
	char title[96];
	char items[TUI_MENU_MAX][40];
	int values[TUI_MENU_MAX]; /* a column index, a signal number */
	size_t n, pos;
};

/* What a prompt or confirmation leads to. */
enum tui_pending {
	TUI_PEND_NONE,
	TUI_PEND_SNAPSHOT,
	TUI_PEND_CLONE,
	TUI_PEND_LIMITS,
	TUI_PEND_ROLLBACK, /* pick made: run it */
	TUI_PEND_COMMAND,  /* confirmed: run t->cmd */
};

/* Reaction flags a key handler returns to the loop. */
enum {
	TUI_R_NONE = 0,
	TUI_R_REFRESH = 1u << 0, /* read the backend again now */
	TUI_R_CLEAR = 1u << 1,   /* repaint the whole terminal (clearok) */
	TUI_R_QUIT = 1u << 2,
};

/* Glyphs of the screen: Unicode in a UTF-8 locale, plain ASCII otherwise.
 * Never the terminal's ACS line drawing (it shows as "lqqk" on some). */
struct tui_glyphs {
	bool utf8;
	const char *fill[9]; /* a meter cell filled 0/8 .. 8/8 (ASCII: 0 or 1 step) */
	int fill_steps;
	const char *graph[9]; /* a graph cell filled from the bottom, 0 .. graph_steps */
	int graph_steps;
	const char *hline, *vline;
	const char *tree_mid, *tree_last, *tree_pipe; /* snapshot tree */
	const char *head;                             /* marks the current snapshot */
	const char *up, *down;                        /* sort marks */
	const char *lbracket, *rbracket;              /* meter ends */
};

#define TUI_MAX_JOBS 8
/* An action running as a child `berth --root R COMMAND...`. */
struct tui_job {
	pid_t pid; /* 0: slot free */
	int out_fd, err_fd;
	char name[BE_NAME_MAX + 1];
	char done[160]; /* past tense for the status line: "stopped" */
	char out[256], err[1024];
	size_t nout, nerr;
};

struct tui_detail {
	struct tui_ident ident;
	int scroll, height; /* first line shown; lines the view needs */
	struct be_proc_info *procs;
	size_t nprocs;
	char proc_err[160];
	struct be_ns_info ns[BE_NS_COUNT];
	bool ns_ok;
	char ns_err[160];
	struct be_snapshot_info *snaps;
	size_t nsnaps;
	char snap_err[160];
	struct be_event *events; /* berth's log for this container (the last ones) */
	size_t nevents;
	bool loaded;
};

struct tui_logs {
	char name[BE_NAME_MAX + 1];
	struct tui_lines lines;
	long top;    /* first line shown */
	bool follow; /* re-read each refresh and stay at the end */
	bool at_end;
	char search[128];
	long match; /* line of the last match, -1 none */
	char err[200];
};

#define TUI_RELIST_NS 5000000000ull /* 5 s */
/* ... or, when reading them costs more, so that it takes at most 1/SHARE of
 * a CPU: after SHARE times the CPU time the last reading took (~70 ms at
 * 1,000 containers: every ~7 s). */
#define TUI_RELIST_SHARE 100

#define TUI_MAX_HOSTS TUI_OPTS_HOSTS
/* A remote host of -H: its ssh child streaming `berth stats --stream
 * --json`, the bytes not yet a line, and the feed of its items. */
struct tui_host {
	char url[256];
	char label[300]; /* "HOST[:PORT]", the HOST column's text */
	struct be_remote rem;
	pid_t pid; /* 0: not running */
	int fd;    /* its stdout and stderr, non-blocking; -1 */
	char *buf;
	size_t nbuf, cap;
	struct be_feed *feed;
	bool lost;         /* its stream ended; started again at retry_ns */
	uint64_t retry_ns; /* CLOCK_MONOTONIC */
	uint64_t last_ns;  /* its last stream line (or its start) */
	char why[200];     /* the last thing ssh (or the remote berth) said */
};

struct tui {
	struct be_ctx *ctx;
	struct tui_opts opts;
	struct be_monitor *mon;
	const struct be_item **items;
	size_t items_cap;
	struct be_container_info *cts;
	size_t ncts;
	struct be_vm_details *vms; /* berth's VMs (read with the container list) */
	size_t nvms;
	/* The container list is read again only when it may have changed:
	 * an action ended (relist), berth's running set changed (berth_sig),
	 * or TUI_RELIST_NS passed (a change made from another terminal;
	 * longer when the list is large: TUI_RELIST_SHARE). */
	bool relist;
	uint64_t listed_ns, berth_sig;
	uint64_t list_cpu_ns; /* CPU time the last reading took */
	struct tui_model model;
	struct tui_colfit fit[TUI_MAX_COLS];
	size_t nfit;
	int list_top; /* first table row shown */
	int table_y, table_h;
	enum tui_view view, help_back;
	int help_scroll;
	/* bottom line */
	enum tui_mode mode;
	enum tui_pending pending;
	char prompt_label[256];
	char input[128];
	char target[BE_NAME_MAX + 1]; /* container a pending action is for */
	char target_arg[BE_NAME_MAX + 1];
	bool target_running;
	bool target_vm; /* the target is one of berth's VMs: commands are `vm ...` */
	/* The command a confirmation runs (shown in its question), and the
	 * words of the status line while it runs and when it is done. */
	struct tui_argv cmd;
	char cmd_line[256]; /* "berth [--root R] WORDS", shown above the question */
	char cmd_running[32];
	char cmd_done[160];
	struct be_snapshot_info *pick;
	size_t npick, pick_pos;
	struct tui_menu menu;
	char find[128]; /* the last F3 search */
	/* The F2 setup: the settings file, what it holds, the columns shown
	 * (display order; norder 0: the built-in set) and the screen's row. */
	char *config_path;
	struct be_ui_config cfg;
	size_t order[TUI_MAX_COLS];
	size_t norder;
	size_t setup_pos;
	size_t setup_cols[TUI_MAX_COLS]; /* every column, the shown ones first */
	bool setup_shown[TUI_MAX_COLS];
	size_t nsetup_cols;
	char theme_name[64];       /* the theme in use (t->opts.theme points here) */
	char hints[600];           /* the bottom line's hints, made from the key table */
	struct be_isolation iso;   /* the inspector's reading (i in the detail view) */
	struct be_explain explain; /* E: the selected row's sort column, explained */
	int iso_scroll;
	bool lab_running;     /* this UI started the lab: it removes it when it ends */
	bool readonly_forced; /* --readonly or BERTH_READONLY: F2 cannot undo it */
	char msg[320];
	int msg_role;
	uint64_t msg_until_ns;
	/* look */
	struct tui_glyphs g;
	attr_t role[BE_ROLE_COUNT];
	bool color;
	char theme_note[200]; /* why the theme asked for was not used */
	/* the rest */
	char *self_exe;
	struct tui_job jobs[TUI_MAX_JOBS];
	int sig_pipe[2];
	struct tui_detail detail;
	struct tui_logs logs;
	struct be_replay *replay; /* --replay: the recording shown (no monitor then) */
	/* -H: the remote hosts, whether this one is shown (a monitor), and
	 * each item's host label and remoteness (t->items' order; nlocal of
	 * them this host's).  A remote action target is copied to remote_row
	 * with remote_ct standing for its record, and runs on target_host. */
	struct tui_host hosts[TUI_MAX_HOSTS];
	size_t nhosts, nlocal;
	bool host_local;
	const char **item_hosts;
	bool *item_remote;
	struct tui_row remote_row;
	struct be_container_info remote_ct;
	const char *target_host; /* URL of the action target's host; NULL: this one */
	bool replay_paused;
	char hostname[64];
	uint64_t refreshes;
	char refresh_err[200];
};

/* ---- tui.c -------------------------------------------------------------- */
uint64_t tui_now_ns(void);
/* Reads the backend: monitor, container list, and what the open view
 * needs (detail data, followed logs). */
void tui_refresh(struct tui *t);
/* Puts a message on the bottom line for a while (role: BE_ROLE_*). */
void tui_msg(struct tui *t, int role, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- screen.c: glyphs, colours, text, meters, graphs ---------------------------- */
void tui_glyphs_init(struct tui_glyphs *g, bool utf8);
/* Loads the theme and maps its roles to curses attributes; with NO_COLOR
 * (or a terminal without colours) start_color is never called. */
void tui_theme_setup(struct tui *t, bool no_color);
/* Writes text at y,x, at most w cells, in role; returns the cells used.
 * Bytes the locale cannot show are drawn as '?'. */
int tui_put(struct tui *t, int y, int x, int w, int role, const char *text);
int tui_putf(struct tui *t, int y, int x, int w, int role, const char *fmt, ...)
        __attribute__((format(printf, 6, 7)));
/* Fills a line from x to x+w with blanks in role. */
void tui_fill(struct tui *t, int y, int x, int w, int role);
/* A meter "Label[|||||   text]" w cells wide; fraction 0..1 colours it. */
void tui_meter(struct tui *t, int y, int x, int w, const char *label, double fraction,
               const char *text);
/* A graph of ring r h rows high and w wide at y,x (its top), scaled to at
 * least floor_max; returns the scale used. */
double tui_graph(struct tui *t, int y, int x, int w, int h, const struct be_ring *r,
                 double floor_max);
/* Text cells a UTF-8 (or ASCII) string takes. */
int tui_width(const struct tui *t, const char *s);

/* ---- views ----------------------------------------------------------------------- *
 * Each draw function draws its view between the title bar and the bottom
 * line from state already read (never calling the backend); the frame is
 * drawn over lines 0 and LINES-1 afterwards. */
void tui_list_draw(struct tui *t);
/* The visible row at screen line y (a mouse click), or -1. */
int tui_list_row_at(struct tui *t, int y);
/* Opens the detail view of r and reads its processes, namespaces and
 * snapshots; tui_detail_load reads them again (each refresh while open),
 * tui_detail_clear frees them. */
void tui_detail_open(struct tui *t, const struct tui_row *r);
void tui_detail_load(struct tui *t);
void tui_detail_clear(struct tui *t);
void tui_detail_draw(struct tui *t);
/* The row the detail view shows, or NULL when it is gone. */
const struct tui_row *tui_detail_row(const struct tui *t);
/* Opens the log pager on berth container name (its last 1000 lines);
 * tui_logs_load reads them again, tui_logs_close frees them. */
void tui_logs_open(struct tui *t, const char *name);
void tui_logs_load(struct tui *t);
void tui_logs_close(struct tui *t);
void tui_logs_draw(struct tui *t);
/* Moves to the next (dir > 0) or previous match of the search text. */
void tui_logs_search(struct tui *t, int dir);
void tui_help_draw(struct tui *t);
/* The key hints of the bottom line for the current view, most used
 * first ("key text" pairs). */
const char *tui_hints(struct tui *t);
/* Draws the title bar and the bottom line (hints, message or prompt). */
void tui_draw_title(struct tui *t);
void tui_draw_bottom(struct tui *t);
/* The snapshot picker of rollback, drawn over the view. */
void tui_draw_pick(struct tui *t);

/* ---- keys.c: one key table per view ------------------------------------------------ */
/* Handles key ch in the current view or mode; returns TUI_R_* flags. */
int tui_key(struct tui *t, int ch);
struct tui_binding {
	int key, key2, key3;
	const char *keys; /* as the help shows them: "j Down" */
	const char *help;
	int (*fn)(struct tui *t);
	const char *hint; /* its word on the hint line ("stop"), or NULL */
	bool acts;        /* acts on a berth container (no hint for watched items) */
};
struct tui_keytable {
	const char *title;
	const struct tui_binding *b;
	size_t n;
};
/* The tables, for the help screen: n of them. */
const struct tui_keytable *tui_keytables(size_t *n);

/* ---- view_menu.c: F3 find, F6 sort menu, F9 signal menu --------------------------------- */
int tui_find_start(struct tui *t);
/* Selects the next visible row (after the selection, wrapping) whose name
 * holds text (case-insensitive); false when none does. */
bool tui_find_next(struct tui *t, const char *text, bool from_next);
int tui_find_key(struct tui *t, int ch);
int tui_sort_menu(struct tui *t);
int tui_signal_menu(struct tui *t);
int tui_menu_key(struct tui *t, int ch);
void tui_menu_draw(struct tui *t);

/* ---- view_isolation.c: the isolation inspector ------------------------------------------------
 */
int tui_isolation_open(struct tui *t);
int tui_isolation_reload(struct tui *t);
int tui_isolation_scroll(struct tui *t, int delta);
int tui_isolation_back(struct tui *t);
void tui_isolation_draw(struct tui *t);

/* ---- view_explain.c: E --------------------------------------------------------------------- */
int tui_explain_open(struct tui *t);
void tui_explain_draw(struct tui *t);

/* ---- view_replay.c: --replay FILE ------------------------------------------------------- */
/* Opens t->opts.replay (the recording's host name, its pace as the delay
 * unless --delay was given); -1 with err on a bad file. */
int tui_replay_open(struct tui *t, struct be_error **err);
/* tui_refresh of a replay: the next frame while playing, into the model. */
void tui_replay_refresh(struct tui *t);
void tui_replay_load(struct tui *t);
/* Space, . , [ ] { } in the list and detail views; false: not a replay key. */
bool tui_replay_key(struct tui *t, int ch);
/* "REPLAY FILE  DATE TIME  POS/N playing" for the title bar. */
void tui_replay_title(const struct tui *t, char *buf, size_t len);
const char *tui_replay_hints(void);
/* Its keys, for the help screen and --help-keys. */
extern const struct tui_keytable tui_replay_keys;

/* ---- hosts.c: -H, the UI over several hosts ----------------------------------------------- */
/* Parses t->opts.hosts (-1 with err on a bad URL); the ssh children start
 * at the first tui_hosts_poll. */
int tui_hosts_init(struct tui *t, struct be_error **err);
/* Starts the hosts that are due, reads what their children wrote (never
 * blocks); true when a stream line came (the rows must be merged again). */
bool tui_hosts_poll(struct tui *t);
int tui_hosts_fds(const struct tui *t, struct pollfd *pfd, int max);
void tui_hosts_free(struct tui *t);
size_t tui_hosts_collect(struct tui *t, size_t n);
int tui_hosts_draw(struct tui *t, int y);
const struct tui_host *tui_host_of(const struct tui *t, const char *label);
/* A remote row as an action target (tui_action_target): a copy with a
 * record standing for its container, t->target_host set to its URL. */
const struct tui_row *tui_host_target(struct tui *t, const struct tui_row *r);
/* True (after saying what to run instead) when the target is remote:
 * for actions that read this root's files (logs, rollback's list, exec). */
bool tui_host_local_only(struct tui *t, const struct tui_row *r, const char *cmd);

/* ---- actions.c: lab mode (L, berth lab) -------------------------------------------------------
 */
int tui_lab_start(struct tui *t);

/* ---- view_setup.c: F2 --------------------------------------------------------------------- */
/* Reads the settings file into t->cfg and applies it (options given on the
 * command line win); a bad file is reported on the bottom line. */
void tui_setup_load(struct tui *t);
int tui_setup_open(struct tui *t);
void tui_setup_draw(struct tui *t);
int tui_setup_key(struct tui *t, int ch);

/* ---- actions.c -------------------------------------------------------------------------- */
/* The berth container the list or detail view points at, or NULL after
 * saying why not (nothing selected, or an item berth only watches). */
const struct tui_row *tui_action_target(struct tui *t);
/* berth's VM of row r (a VM item berth started), or NULL. */
const struct be_vm_details *tui_row_vm(const struct tui *t, const struct tui_row *r);
/* tui_action_target for an action that changes something: NULL (and a
 * message) in read-only mode. */
const struct tui_row *tui_change_target(struct tui *t);
/* Asks question with the exact command (argv after `berth [--root R]`)
 * shown above it; y runs it as a job (running/done: its status words). */
int tui_ask(struct tui *t, const char *name, const char *question, const char *running,
            const char *done, const char *const *argv);
/* The action keys: each starts a job, a prompt, a confirmation or the
 * picker for the target, or says why not; they return TUI_R_* flags. */
int tui_act_start(struct tui *t);
int tui_act_stop(struct tui *t);
int tui_act_restart(struct tui *t);
int tui_act_kill(struct tui *t);
int tui_act_pause(struct tui *t);
int tui_act_snapshot(struct tui *t);
int tui_act_rollback(struct tui *t);
int tui_act_clone(struct tui *t);
int tui_act_limits(struct tui *t);
int tui_act_delete(struct tui *t);
int tui_act_shell(struct tui *t);
int tui_act_logs(struct tui *t);
/* Ends a prompt or confirmation: runs what was pending (ok) or drops it. */
int tui_pending_finish(struct tui *t, bool ok);
/* The command line a confirmation shows for cmd: "berth [--root R] WORDS...". */
void tui_command_line(const struct tui *t, const struct tui_argv *cmd, char *out, size_t len);
/* Runs `berth --root R argv...` as a job; msg_running goes on the bottom
 * line now, done ("stopped") once it succeeds. */
int tui_job_spawn(struct tui *t, const char *name, const char *running, const char *done,
                  const char *const *argv);
/* Reads the jobs' pipes and collects finished ones (never blocks);
 * returns TUI_R_REFRESH when one ended. */
int tui_jobs_poll(struct tui *t);
/* Fills pfd with the pipes of running jobs; returns how many. */
int tui_jobs_fds(const struct tui *t, struct pollfd *pfd, int max);
/* Ends the loop cleanly: waits for nothing, leaves jobs to finish alone. */
void tui_jobs_free(struct tui *t);

#endif
