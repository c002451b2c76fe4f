/* The terminal UI's pure logic: the table's rows (monitor items joined with
 * berth's container list), sorting, filtering, the selection, which columns
 * fit, colour reduction, the limits prompt, graph scaling and the small text
 * helpers of the log pager.  No curses and no cli here: tests link it alone
 * (tests/unit/test_tui_model.c). */
#ifndef TUI_MODEL_H
#define TUI_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "berth.h"

/* ---- columns ------------------------------------------------------------ */

/* A table column: one of be_stats_columns (so the table and `berth top -b`
 * agree), or the TUI's own STATUS or IMAGE column (bc NULL). */
struct tui_col {
	const char *id;
	const char *title;
	int width; /* negative: left-aligned */
	int prio;  /* 0 is kept longest; the highest goes first on narrow screens */
	const struct be_column *bc;
};

/* Every column, in display order; tui_col_count() of them. */
const struct tui_col *tui_col_at(size_t i);
size_t tui_col_count(void);
/* Index of column ID in display order, or (size_t)-1. */
size_t tui_col_find(const char *id);

#define TUI_MAX_COLS 32
struct tui_colfit {
	size_t col; /* index in display order */
	int width;  /* cells given to it */
};
/* Picks the columns that fit WIDTH cells (one blank between columns), most
 * important first, and returns them in display order in out (TUI_MAX_COLS
 * entries).  NAME is always there (cut when even it does not fit) and gets
 * spare cells, up to 40.  Returns how many. */
size_t tui_columns_fit(int width, struct tui_colfit *out);
/* tui_columns_fit among the columns of order (display-order indexes, in
 * the order to show them; norder 0: every column in display order).  NAME
 * is shown even when order lacks it. */
size_t tui_columns_fit_order(int width, const size_t *order, size_t norder, struct tui_colfit *out);

/* ---- rows ----------------------------------------------------------------- */

/* One row: a monitor item, or a blank item standing for a berth container
 * that has no cgroup (created or exited), with its record when berth owns it. */
struct tui_row {
	const struct be_item *item;         /* never NULL */
	const struct be_container_info *ct; /* berth's record, or NULL */
	const char *host;                   /* over several hosts (-H): its host's label */
	bool remote;                        /* an item of a remote host (no record here) */
	bool group;                         /* a tree's group heading (sums of its members) */
	unsigned char depth;                /* 1 for a member in tree mode */
	unsigned members;                   /* a group's member count */
};

/* What names an item across refreshes, whatever its row. */
struct tui_ident {
	int kind; /* enum be_kind; -1: nothing */
	char name[BE_ITEM_NAME_MAX];
	char id[BE_ITEM_ID_MAX];
};

struct tui_model {
	struct tui_row *rows; /* every row, merge order */
	size_t nrows, rows_cap;
	size_t *vis; /* rows shown: filtered and sorted, rows_cap entries */
	size_t nvis;
	struct be_item *blanks; /* backing for rows without a monitor item */
	size_t blanks_cap;
	size_t sort; /* column index (display order) */
	bool reverse;
	char filter[64];
	struct tui_ident sel; /* the selected item, kept across refreshes */
	size_t sel_pos;       /* its index in vis (0 when nvis is 0) */
	/* The F5 tree: rows grouped by their cgroup's parent, each group led
	 * by a row of its sums (rows[nrows ..] hold the headings, groups[]
	 * their items).  Grows only when there are more groups than before. */
	bool tree;
	struct be_item *groups;
	size_t groups_cap;
	char (*keys)[BE_ITEM_CGROUP_MAX];
	size_t keys_cap;
	size_t *scratch; /* 3 * keys_cap */
};

/* Sets the defaults: sort by NAME ascending, no filter, no selection. */
void tui_model_init(struct tui_model *m);
void tui_model_free(struct tui_model *m);

/* Rebuilds the rows from the monitor's items and berth's container list,
 * then filters, sorts and restores the selection (tui_model_apply).  Rows
 * point into items, cts and m; they are valid until the next merge or until
 * items or cts are freed.  Allocates only when the row count grows. */
void tui_model_merge(struct tui_model *m, const struct be_item *const *items, size_t nitems,
                     const struct be_container_info *cts, size_t ncts);
/* tui_model_merge over several hosts: item i is of host hosts[i] (a label
 * for the HOST column), remote[i] says it is not this host's (never joined
 * with cts).  With show_host (tui_model_show_host) the HOST column fits. */
void tui_model_merge_hosts(struct tui_model *m, const struct be_item *const *items,
                           const char *const *hosts, const bool *remote, size_t nitems,
                           const struct be_container_info *cts, size_t ncts);
void tui_model_show_host(bool on);
/* Filters and sorts again (after a sort or filter change) and puts the
 * selection back on the same item; when it is gone, on the row nearest to
 * where it was. */
void tui_model_apply(struct tui_model *m);

/* Tree mode (model_tree.c, called by tui_model_apply): regroups the
 * filtered, sorted vis under group headings, in the order their first
 * member comes. */
void tui_tree_arrange(struct tui_model *m);
void tui_tree_free(struct tui_model *m);

/* The selected row, or NULL when no row is shown. */
const struct tui_row *tui_model_selected(const struct tui_model *m);
/* Selects the visible row pos (clamped). */
void tui_model_select(struct tui_model *m, size_t pos);
/* Moves the selection by delta rows (clamped). */
void tui_model_move(struct tui_model *m, long delta);
/* The row of item ident among all rows (filtered out or not), or NULL. */
const struct tui_row *tui_model_find(const struct tui_model *m, const struct tui_ident *ident);

void tui_ident_of(const struct tui_row *r, struct tui_ident *out);
bool tui_ident_eq(const struct tui_ident *a, const struct tui_ident *b);

/* True when the row matches the filter text: a case-insensitive substring
 * of its name, kind, image, id or host; "=NAME" matches that name exactly;
 * an empty filter matches everything. */
bool tui_row_matches(const struct tui_row *r, const char *filter);
/* Orders two rows by column col (display order), reversed if asked; ties
 * are broken by kind, name and id, always ascending, so the order is total. */
int tui_row_compare(const struct tui_row *a, const struct tui_row *b, size_t col, bool reverse);
/* Text of column col for row r into buf (STATUS and IMAGE: berth's status
 * word and image, "" for items berth did not start). */
void tui_row_format(const struct tui_row *r, size_t col, char *buf, size_t len);

/* The next (dir > 0) or previous sort column among the fitted ones,
 * wrapping; a current column not among them gives the first (or last). */
size_t tui_sort_cycle(const struct tui_colfit *fit, size_t nfit, size_t cur, int dir);

/* ---- colours ---------------------------------------------------------------- */

/* Maps colour c (-1 default, 0-255 xterm) to one a terminal with ncolors
 * colours can show: the nearest of the basic 16 (or 8) by hue and
 * brightness.  Greys become black or white; for a background (bg) dark
 * greys become black so text stays readable. */
int tui_color_reduce(int c, int ncolors, bool bg);

/* 0 below 60%, 1 from 60% to 85%, 2 above: the meter_low/mid/high roles. */
int tui_level(double fraction);

/* ---- limits prompt ---------------------------------------------------------- */

#define TUI_ARGV_MAX 16
struct tui_argv {
	char buf[512];
	char *argv[TUI_ARGV_MAX + 1]; /* NULL-terminated, pointing into buf */
	int argc;
};
/* Parses the limits prompt ("--memory 64m --cpus 0.5 --pids-limit 100";
 * "--opt=V", "-m V" and words without dashes as "memory 64m" also work)
 * into `berth update` arguments, each value checked as the CLI would.
 * Returns 0, or -1 with a one-line reason in msg (nothing to run then). */
int tui_limits_parse(const char *text, struct tui_argv *out, char *msg, size_t msglen);

/* ---- graphs -------------------------------------------------------------------- */

/* Scales the newest `width` samples of r into heights 0..levels, newest at
 * out[width-1]; out[i] is -1 where no sample is held yet.  The scale is the
 * largest sample shown, at least floor_max (and > 0); any sample > 0 gets at
 * least height 1 so activity never vanishes.  Returns the scale. */
double tui_graph_scale(const struct be_ring *r, int width, int levels, double floor_max, int *out);
/* How much of a cell at row (0 = bottom) a column of height h fills, in
 * steps per cell: 0 (empty) to steps (full). */
int tui_graph_cell(int h, int row, int steps);
/* Cells of a bar of `width` filled to fraction (0..1), in steps per cell
 * (the partial cell's fill in *part). */
int tui_bar_fill(double fraction, int width, int steps, int *part);

/* ---- text helpers --------------------------------------------------------------- */

/* A one-line editor: printable keys append, backspace (8, 127 or the
 * KEY_BACKSPACE code given) deletes, ^U clears.  Returns true when the key
 * was used. */
bool tui_line_edit(char *buf, size_t cap, int key, int key_backspace);

/* Lines of a text buffer (the log pager).  The text is changed in place
 * ('\n' -> '\0'; bytes that would move the cursor or switch the terminal's
 * modes -> '?'). */
struct tui_lines {
	char *text;
	size_t len;
	char **line;
	size_t n, cap;
};
/* Splits text (taking ownership; it is freed by tui_lines_free) into lines,
 * keeping the last max lines. */
void tui_lines_set(struct tui_lines *l, char *text, size_t len, size_t max);
void tui_lines_free(struct tui_lines *l);
/* The first line at or after from (dir > 0) or at or before it (dir < 0)
 * that holds needle (case-insensitive), wrapping around; -1 when none. */
long tui_lines_find(const struct tui_lines *l, long from, int dir, const char *needle);

#endif
