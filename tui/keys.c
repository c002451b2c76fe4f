/* Keys: one table per view (key, help note, handler), from which the help
 * screen and the hints are drawn; the bottom line's input modes (filter,
 * prompt, confirmation, picker, search) take keys before the tables. */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "tui.h"

#define CTRL(c) ((c)&0x1f)
#define ESC 27

/* ---- handlers shared by the views ------------------------------------------ */

static int k_quit(struct tui *t)
{
	(void)t;
	return TUI_R_QUIT;
}

static int k_refresh(struct tui *t)
{
	(void)t;
	return TUI_R_REFRESH | TUI_R_CLEAR;
}

static int k_help(struct tui *t)
{
	t->help_back = t->view;
	t->help_scroll = 0;
	t->view = TUI_VIEW_HELP;
	return 0;
}

static int page(const struct tui *t)
{
	(void)t;
	return LINES > 8 ? LINES - 6 : 1;
}

/* ---- list ------------------------------------------------------------------- */

static int l_down(struct tui *t)
{
	tui_model_move(&t->model, 1);
	return 0;
}
static int l_up(struct tui *t)
{
	tui_model_move(&t->model, -1);
	return 0;
}
static int l_pgdn(struct tui *t)
{
	tui_model_move(&t->model, t->table_h > 1 ? t->table_h - 1 : 1);
	return 0;
}
static int l_pgup(struct tui *t)
{
	tui_model_move(&t->model, -(t->table_h > 1 ? t->table_h - 1 : 1));
	return 0;
}
static int l_top(struct tui *t)
{
	tui_model_select(&t->model, 0);
	return 0;
}
static int l_bottom(struct tui *t)
{
	tui_model_select(&t->model, t->model.nvis ? t->model.nvis - 1 : 0);
	return 0;
}
static int l_detail(struct tui *t)
{
	const struct tui_row *r = tui_model_selected(&t->model);
	if (r == NULL) {
		tui_msg(t, BE_ROLE_ERROR, _("nothing selected"));
		return 0;
	}
	tui_detail_open(t, r);
	return 0;
}
static int l_filter(struct tui *t)
{
	t->mode = TUI_MODE_FILTER;
	snprintf(t->prompt_label, sizeof(t->prompt_label), _("Filter: "));
	return 0;
}
static int l_clear_filter(struct tui *t)
{
	t->model.filter[0] = '\0';
	tui_model_apply(&t->model);
	return 0;
}
static int l_sort(struct tui *t, int dir)
{
	t->model.sort = tui_sort_cycle(t->fit, t->nfit, t->model.sort, dir);
	tui_model_apply(&t->model);
	tui_msg(t, BE_ROLE_OK, _("sorted by %s%s"), tui_col_at(t->model.sort)->title,
	        t->model.reverse ? ", reversed" : "");
	return 0;
}
static int l_sort_next(struct tui *t)
{
	return l_sort(t, 1);
}
static int l_sort_prev(struct tui *t)
{
	return l_sort(t, -1);
}
static int l_invert(struct tui *t)
{
	t->model.reverse = !t->model.reverse;
	tui_model_apply(&t->model);
	return 0;
}

static int l_tree(struct tui *t)
{
	t->model.tree = !t->model.tree;
	tui_model_apply(&t->model);
	tui_msg(t, BE_ROLE_OK, _("tree %s"),
	        t->model.tree ? "on: grouped by cgroup parent, with sums" : "off");
	return 0;
}

/* Hints come from the tables: each binding with a hint word, in table
 * order (the most used first: a narrow bottom line shows a prefix). */
static const struct tui_binding list_keys[] = {
        {'\r', '\n', KEY_ENTER, "Enter",
         N_("details: graphs, limits, processes, namespaces, "
            "snapshots"),
         l_detail, N_("detail"), false},
        {'/', KEY_F(4), 0, "/ F4", N_("filter by name, kind, image or id"), l_filter, N_("filter"),
         false},
        {'s', 0, 0, "s", N_("start"), tui_act_start, N_("start"), true},
        {'x', 0, 0, "x", N_("stop (SIGTERM, then SIGKILL; asks first)"), tui_act_stop, N_("stop"),
         true},
        {'p', 0, 0, "p", N_("pause / resume (freeze every process)"), tui_act_pause, N_("pause"),
         true},
        {'e', 0, 0, "e", N_("shell in the container (exit returns here)"), tui_act_shell,
         N_("shell"), true},
        {'l', 0, 0, "l", N_("logs (berth containers)"), tui_act_logs, N_("logs"), true},
        {'n', 0, 0, "n", N_("new snapshot (asks a name; empty: snap-N)"), tui_act_snapshot,
         N_("snapshot"), true},
        {'b', 0, 0, "b", N_("roll back to a snapshot (picks from a list, then asks)"),
         tui_act_rollback, N_("rollback"), true},
        {'r', 0, 0, "r", N_("restart (asks first)"), tui_act_restart, N_("restart"), true},
        {'K', 0, 0, "K", N_("kill (SIGKILL; asks first)"), tui_act_kill, N_("kill"), true},
        {'c', 0, 0, "c", N_("clone (asks the new name)"), tui_act_clone, N_("clone"), true},
        {'u', 0, 0, "u", N_("update limits (--memory 64m --cpus 0.5 --pids-limit 100)"),
         tui_act_limits, N_("limits"), true},
        {'D', KEY_DC, 0, "D Del", N_("delete (asks; a running one is stopped first)"),
         tui_act_delete, N_("delete"), true},
        {KEY_F(2), 'S', 0, "F2 S", N_("setup: columns, theme, refresh, tree, read-only (saved)"),
         tui_setup_open, N_("setup"), false},
        {KEY_F(3), 0, 0, "F3", N_("search a name as you type (F3 again: next match)"),
         tui_find_start, N_("search"), false},
        {KEY_F(5), 't', 0, "F5 t", N_("tree: group by cgroup parent, with sums"), l_tree,
         N_("tree"), false},
        {KEY_F(6), 0, 0, "F6", N_("sort by a column picked from a menu"), tui_sort_menu, N_("sort"),
         false},
        {KEY_F(9), 0, 0, "F9", N_("send a signal (picked from a menu; asks first)"),
         tui_signal_menu, N_("signal"), true},
        {'>', '.', 0, "> .", N_("sort by the next column"), l_sort_next, NULL, false},
        {'<', ',', 0, "< ,", N_("sort by the previous column"), l_sort_prev, NULL, false},
        {'I', 0, 0, "I", N_("invert the sort order"), l_invert, N_("invert"), false},
        {'E', 0, 0, "E", N_("explain the selected value (sort column): files, raw values, formula"),
         tui_explain_open, N_("explain"), false},
        {'L', 0, 0, "L",
         N_("lab mode: demo containers that show isolation at work (removed at exit)"),
         tui_lab_start, N_("lab"), true},
        {'j', KEY_DOWN, 0, "j Down", N_("next row"), l_down, NULL, false},
        {'k', KEY_UP, 0, "k Up", N_("previous row"), l_up, NULL, false},
        {KEY_NPAGE, CTRL('f'), 0, "PgDn ^F", N_("next page"), l_pgdn, NULL, false},
        {KEY_PPAGE, CTRL('b'), 0, "PgUp ^B", N_("previous page"), l_pgup, NULL, false},
        {'g', KEY_HOME, 0, "g Home", N_("first row"), l_top, NULL, false},
        {'G', KEY_END, 0, "G End", N_("last row"), l_bottom, NULL, false},
        {ESC, 0, 0, "Esc", N_("clear the filter"), l_clear_filter, NULL, false},
        {' ', CTRL('l'), 0, "Space ^L", N_("refresh now"), k_refresh, NULL, false},
        {'?', KEY_F(1), 'h', "? F1 h", N_("this help"), k_help, N_("help"), false},
        {'q', 'Q', KEY_F(10), "q F10", N_("quit (containers keep running)"), k_quit, NULL, false},
};

/* ---- detail ------------------------------------------------------------------------- */

static int d_scroll(struct tui *t, int delta)
{
	int max = t->detail.height - (LINES - 2);
	t->detail.scroll += delta;
	if (t->detail.scroll > max)
		t->detail.scroll = max;
	if (t->detail.scroll < 0)
		t->detail.scroll = 0;
	return 0;
}
static int d_down(struct tui *t)
{
	return d_scroll(t, 1);
}
static int d_up(struct tui *t)
{
	return d_scroll(t, -1);
}
static int d_pgdn(struct tui *t)
{
	return d_scroll(t, page(t));
}
static int d_pgup(struct tui *t)
{
	return d_scroll(t, -page(t));
}
static int d_top(struct tui *t)
{
	t->detail.scroll = 0;
	return 0;
}
static int d_bottom(struct tui *t)
{
	return d_scroll(t, 1 << 20);
}
static int d_back(struct tui *t)
{
	tui_detail_clear(t);
	t->view = TUI_VIEW_LIST;
	return 0;
}

static const struct tui_binding detail_keys[] = {
        {ESC, 'q', KEY_LEFT, "Esc q Left", N_("back to the list"), d_back, N_("back"), false},
        {'j', KEY_DOWN, 0, "j Down", N_("scroll down"), d_down, NULL, false},
        {'k', KEY_UP, 0, "k Up", N_("scroll up"), d_up, N_("scroll"), false},
        {KEY_NPAGE, CTRL('f'), 0, "PgDn ^F", N_("next page"), d_pgdn, NULL, false},
        {KEY_PPAGE, CTRL('b'), 0, "PgUp ^B", N_("previous page"), d_pgup, NULL, false},
        {'g', KEY_HOME, 0, "g Home", N_("top"), d_top, NULL, false},
        {'G', KEY_END, 0, "G End", N_("bottom (snapshots)"), d_bottom, NULL, false},
        {'s', 0, 0, "s", N_("start"), tui_act_start, N_("start"), true},
        {'x', 0, 0, "x", N_("stop (asks first)"), tui_act_stop, N_("stop"), true},
        {'p', 0, 0, "p", N_("pause / resume"), tui_act_pause, N_("pause"), true},
        {'e', 0, 0, "e", N_("shell"), tui_act_shell, N_("shell"), true},
        {'l', 0, 0, "l", N_("logs"), tui_act_logs, N_("logs"), true},
        {'i', 0, 0, "i", N_("isolation: every wall (namespaces, limits, capabilities, seccomp...)"),
         tui_isolation_open, N_("isolation"), true},
        {'n', 0, 0, "n", N_("new snapshot"), tui_act_snapshot, N_("snapshot"), true},
        {'b', 0, 0, "b", N_("roll back (asks first)"), tui_act_rollback, N_("rollback"), true},
        {'r', 0, 0, "r", N_("restart (asks first)"), tui_act_restart, N_("restart"), true},
        {'K', 0, 0, "K", N_("kill (asks first)"), tui_act_kill, N_("kill"), true},
        {'c', 0, 0, "c", N_("clone"), tui_act_clone, N_("clone"), true},
        {'u', 0, 0, "u", N_("update limits"), tui_act_limits, N_("limits"), true},
        {'D', KEY_DC, 0, "D Del", N_("delete (asks first)"), tui_act_delete, N_("delete"), true},
        {KEY_F(9), 0, 0, "F9", N_("send a signal (asks first)"), tui_signal_menu, N_("signal"),
         true},
        {' ', CTRL('l'), 0, "Space ^L", N_("refresh now"), k_refresh, NULL, false},
        {'?', KEY_F(1), 'h', "? F1 h", N_("help"), k_help, N_("help"), false},
        {'Q', KEY_F(10), 0, "Q F10", N_("quit"), k_quit, NULL, false},
};

/* ---- logs --------------------------------------------------------------------------- */

static int g_scroll(struct tui *t, long delta)
{
	long max = (long)t->logs.lines.n - (LINES - 3);
	t->logs.top += delta;
	if (t->logs.top > max)
		t->logs.top = max;
	if (t->logs.top < 0)
		t->logs.top = 0;
	t->logs.at_end = t->logs.top >= max;
	return 0;
}
static int g_down(struct tui *t)
{
	return g_scroll(t, 1);
}
static int g_up(struct tui *t)
{
	return g_scroll(t, -1);
}
static int g_pgdn(struct tui *t)
{
	return g_scroll(t, page(t));
}
static int g_pgup(struct tui *t)
{
	return g_scroll(t, -page(t));
}
static int g_top(struct tui *t)
{
	return g_scroll(t, -(1l << 30));
}
static int g_end(struct tui *t)
{
	return g_scroll(t, 1l << 30);
}
static int g_search(struct tui *t)
{
	t->mode = TUI_MODE_SEARCH;
	t->input[0] = '\0';
	snprintf(t->prompt_label, sizeof(t->prompt_label), _("Search: "));
	return 0;
}
static int g_next(struct tui *t)
{
	tui_logs_search(t, 1);
	return 0;
}
static int g_prev(struct tui *t)
{
	tui_logs_search(t, -1);
	return 0;
}
static int g_follow(struct tui *t)
{
	t->logs.follow = !t->logs.follow;
	if (t->logs.follow) {
		tui_logs_load(t);
		g_end(t);
	}
	tui_msg(t, BE_ROLE_OK, _("follow %s"), t->logs.follow ? "on: re-read each refresh" : "off");
	return 0;
}
static int g_reload(struct tui *t)
{
	tui_logs_load(t);
	return TUI_R_CLEAR;
}
static int g_back(struct tui *t)
{
	tui_logs_close(t);
	t->view = t->detail.ident.kind >= 0 ? TUI_VIEW_DETAIL : TUI_VIEW_LIST;
	return TUI_R_REFRESH;
}

static const struct tui_binding log_keys[] = {
        {'j', KEY_DOWN, 0, "j Down", N_("scroll down"), g_down, NULL, false},
        {'k', KEY_UP, 0, "k Up", N_("scroll up"), g_up, NULL, false},
        {KEY_NPAGE, CTRL('f'), ' ', "PgDn ^F Space", N_("next page"), g_pgdn, NULL, false},
        {KEY_PPAGE, CTRL('b'), 0, "PgUp ^B", N_("previous page"), g_pgup, NULL, false},
        {'g', KEY_HOME, 0, "g Home", N_("first line"), g_top, NULL, false},
        {'G', KEY_END, 0, "G End", N_("last line"), g_end, N_("end"), false},
        {'/', 0, 0, "/", N_("search (case-insensitive)"), g_search, N_("search"), false},
        {'n', 0, 0, "n", N_("next match"), g_next, N_("next"), false},
        {'N', 0, 0, "N", N_("previous match"), g_prev, NULL, false},
        {'F', 'f', 0, "F", N_("follow: re-read each refresh, stay at the end"), g_follow,
         N_("follow"), false},
        {CTRL('l'), 'R', 0, "^L R", N_("read again"), g_reload, NULL, false},
        {ESC, 'q', KEY_LEFT, "Esc q", N_("back"), g_back, N_("back"), false},
        {'?', KEY_F(1), 'h', "? F1 h", N_("help"), k_help, N_("help"), false},
        {'Q', KEY_F(10), 0, "Q F10", N_("quit"), k_quit, NULL, false},
};

/* ---- help ------------------------------------------------------------------------------- */

static int h_scroll(struct tui *t, int delta)
{
	t->help_scroll += delta;
	if (t->help_scroll < 0)
		t->help_scroll = 0;
	return 0;
}
static int h_down(struct tui *t)
{
	return h_scroll(t, 1);
}
static int h_up(struct tui *t)
{
	return h_scroll(t, -1);
}
static int h_pgdn(struct tui *t)
{
	return h_scroll(t, page(t));
}
static int h_pgup(struct tui *t)
{
	return h_scroll(t, -page(t));
}
static int h_back(struct tui *t)
{
	t->view = t->help_back;
	return TUI_R_REFRESH;
}

static const struct tui_binding help_keys[] = {
        {'j', KEY_DOWN, 0, "j Down", N_("scroll down"), h_down, N_("scroll"), false},
        {'k', KEY_UP, 0, "k Up", N_("scroll up"), h_up, NULL, false},
        {KEY_NPAGE, ' ', 0, "PgDn Space", N_("next page"), h_pgdn, NULL, false},
        {KEY_PPAGE, 0, 0, "PgUp", N_("previous page"), h_pgup, NULL, false},
        {ESC, 'q', '?', "Esc q ?", N_("back"), h_back, N_("back"), false},
        {KEY_F(1), 'h', 0, "F1 h", N_("back"), h_back, NULL, false},
        {'Q', KEY_F(10), 0, "Q F10", N_("quit"), k_quit, NULL, false},
};

/* ---- isolation inspector ------------------------------------------------------------------ */

static int i_down(struct tui *t)
{
	return tui_isolation_scroll(t, 1);
}
static int i_up(struct tui *t)
{
	return tui_isolation_scroll(t, -1);
}
static int i_pgdn(struct tui *t)
{
	return tui_isolation_scroll(t, page(t));
}
static int i_pgup(struct tui *t)
{
	return tui_isolation_scroll(t, -page(t));
}
static int i_reload(struct tui *t)
{
	tui_isolation_reload(t);
	return TUI_R_CLEAR;
}

static const struct tui_binding isolation_keys[] = {
        {ESC, 'q', KEY_LEFT, "Esc q Left", N_("back to the detail view"), tui_isolation_back,
         N_("back"), false},
        {'j', KEY_DOWN, 0, "j Down", N_("scroll down"), i_down, N_("scroll"), false},
        {'k', KEY_UP, 0, "k Up", N_("scroll up"), i_up, NULL, false},
        {KEY_NPAGE, CTRL('f'), ' ', "PgDn ^F Space", N_("next page"), i_pgdn, NULL, false},
        {KEY_PPAGE, CTRL('b'), 0, "PgUp ^B", N_("previous page"), i_pgup, NULL, false},
        {CTRL('l'), 'R', 0, "^L R", N_("read again"), i_reload, N_("reread"), false},
        {'?', KEY_F(1), 'h', "? F1 h", N_("help"), k_help, N_("help"), false},
        {'Q', KEY_F(10), 0, "Q F10", N_("quit"), k_quit, NULL, false},
};

/* ---- setup (F2) --------------------------------------------------------------------------- */

static int s_down(struct tui *t)
{
	return tui_setup_key(t, KEY_DOWN);
}
static int s_up(struct tui *t)
{
	return tui_setup_key(t, KEY_UP);
}
static int s_toggle(struct tui *t)
{
	return tui_setup_key(t, ' ');
}
static int s_earlier(struct tui *t)
{
	return tui_setup_key(t, '[');
}
static int s_later(struct tui *t)
{
	return tui_setup_key(t, ']');
}
static int s_leave(struct tui *t)
{
	return tui_setup_key(t, ESC);
}

static const struct tui_binding setup_keys[] = {
        {'j', KEY_DOWN, 0, "j Down", N_("next line"), s_down, NULL, false},
        {'k', KEY_UP, 0, "k Up", N_("previous line"), s_up, NULL, false},
        {' ', '\r', KEY_ENTER, "Space Enter", N_("show or hide a column; change a setting"),
         s_toggle, N_("toggle"), false},
        {'[', '-', 0, "[ -", N_("move the column up (earlier)"), s_earlier, N_("earlier"), false},
        {']', '+', 0, "] +", N_("move the column down (later)"), s_later, N_("later"), false},
        {ESC, 'q', KEY_F(2), "Esc q F2", N_("save the settings and go back"), s_leave, N_("save"),
         false},
};

#define TABLE(t, b)                                                                                \
	{                                                                                          \
		t, b, sizeof(b) / sizeof(b[0])                                                     \
	}
static const struct tui_keytable tables[] = {
        [TUI_VIEW_LIST] = TABLE(N_("Main screen (the table)"), list_keys),
        [TUI_VIEW_DETAIL] = TABLE(N_("Detail view"), detail_keys),
        [TUI_VIEW_LOGS] = TABLE(N_("Log pager"), log_keys),
        [TUI_VIEW_HELP] = TABLE(N_("This help"), help_keys),
        [TUI_VIEW_SETUP] = TABLE(N_("Setup (F2)"), setup_keys),
        [TUI_VIEW_ISOLATION] =
                TABLE(N_("Isolation inspector (i in the detail view)"), isolation_keys),
};

/* The views' tables, then the replay's (view_replay.c). */
const struct tui_keytable *tui_keytables(size_t *n)
{
	enum { N = sizeof(tables) / sizeof(tables[0]) };
	static struct tui_keytable all[N + 1];
	for (size_t i = 0; i < N; i++)
		all[i] = tables[i];
	all[N] = tui_replay_keys;
	*n = N + 1;
	return all;
}

/* "key hint" pairs from the view's table (the first key of each binding
 * with a hint word), in table order; items berth did not start get no
 * action hints and say why. */
const char *tui_hints(struct tui *t)
{
	const struct tui_row *r = t->view == TUI_VIEW_DETAIL ? tui_detail_row(t)
	                          : t->view == TUI_VIEW_LIST ? tui_model_selected(&t->model)
	                                                     : NULL;
	bool watched = r && !r->item->berth && tui_row_vm(t, r) == NULL;
	if (t->replay && (t->view == TUI_VIEW_LIST || t->view == TUI_VIEW_DETAIL))
		return tui_replay_hints();
	const struct tui_keytable *kt = &tables[t->view];
	size_t n = 0;
	t->hints[0] = '\0';
	for (size_t i = 0; i < kt->n && n < sizeof(t->hints); i++) {
		const struct tui_binding *b = &kt->b[i];
		if (b->hint == NULL || (watched && b->acts) || (t->opts.readonly && b->acts))
			continue;
		int klen = (int)strcspn(b->keys, " ");
		n += (size_t)snprintf(t->hints + n, sizeof(t->hints) - n, "%s%.*s %s", n ? " " : "",
		                      klen, b->keys, _(b->hint));
	}
	if (watched && n < sizeof(t->hints))
		snprintf(t->hints + n, sizeof(t->hints) - n,
		         "  (watched only: berth did not start it)");
	else if (t->opts.readonly && n < sizeof(t->hints))
		snprintf(t->hints + n, sizeof(t->hints) - n, "  (%s)", _("read-only"));
	return t->hints;
}

/* ---- input modes ---------------------------------------------------------------------- */

static int filter_key(struct tui *t, int ch)
{
	if (ch == ESC) {
		t->model.filter[0] = '\0';
		t->mode = TUI_MODE_NONE;
	} else if (ch == '\r' || ch == '\n' || ch == KEY_ENTER) {
		t->mode = TUI_MODE_NONE;
	} else if (ch == KEY_DOWN || ch == KEY_UP) {
		tui_model_move(&t->model, ch == KEY_DOWN ? 1 : -1);
		return 0;
	} else if (!tui_line_edit(t->model.filter, sizeof(t->model.filter), ch, KEY_BACKSPACE)) {
		return 0;
	}
	tui_model_apply(&t->model);
	return 0;
}

static int pick_key(struct tui *t, int ch)
{
	if ((ch == 'j' || ch == KEY_DOWN) && t->pick_pos + 1 < t->npick)
		t->pick_pos++;
	else if ((ch == 'k' || ch == KEY_UP) && t->pick_pos > 0)
		t->pick_pos--;
	else if (ch == '\r' || ch == '\n' || ch == KEY_ENTER)
		return tui_pending_finish(t, true);
	else if (ch == ESC || ch == 'q')
		return tui_pending_finish(t, false);
	return 0;
}

static int mode_key(struct tui *t, int ch)
{
	bool enter = ch == '\r' || ch == '\n' || ch == KEY_ENTER;
	switch (t->mode) {
	case TUI_MODE_FILTER: return filter_key(t, ch);
	case TUI_MODE_PICK: return pick_key(t, ch);
	case TUI_MODE_CONFIRM: return tui_pending_finish(t, ch == 'y' || ch == 'Y');
	case TUI_MODE_FIND: return tui_find_key(t, ch);
	case TUI_MODE_MENU: return tui_menu_key(t, ch);
	case TUI_MODE_EXPLAIN: t->mode = TUI_MODE_NONE; return 0;
	case TUI_MODE_SEARCH:
		if (enter) {
			snprintf(t->logs.search, sizeof(t->logs.search), "%s", t->input);
			t->mode = TUI_MODE_NONE;
			tui_logs_search(t, 1);
		} else if (ch == ESC) {
			t->mode = TUI_MODE_NONE;
		} else {
			tui_line_edit(t->input, sizeof(t->input), ch, KEY_BACKSPACE);
		}
		return 0;
	case TUI_MODE_PROMPT:
		if (enter || ch == ESC)
			return tui_pending_finish(t, enter);
		tui_line_edit(t->input, sizeof(t->input), ch, KEY_BACKSPACE);
		return 0;
	default: return 0;
	}
}

/* ---- mouse ----------------------------------------------------------------------------- */

static int mouse_key(struct tui *t)
{
	MEVENT ev;
	if (getmouse(&ev) != OK)
		return 0;
	int wheel = ev.bstate & BUTTON4_PRESSED ? -3 : ev.bstate & BUTTON5_PRESSED ? 3 : 0;
	if (t->view == TUI_VIEW_DETAIL)
		return wheel ? d_scroll(t, wheel) : 0;
	if (t->view == TUI_VIEW_LOGS)
		return wheel ? g_scroll(t, wheel) : 0;
	if (t->view == TUI_VIEW_HELP)
		return wheel ? h_scroll(t, wheel) : 0;
	if (wheel) {
		tui_model_move(&t->model, wheel);
		return 0;
	}
	int row = tui_list_row_at(t, ev.y);
	if (row < 0)
		return 0;
	tui_model_select(&t->model, (size_t)row);
	if (ev.bstate & BUTTON1_DOUBLE_CLICKED)
		return l_detail(t);
	return 0;
}

int tui_key(struct tui *t, int ch)
{
	if (ch == KEY_RESIZE)
		return TUI_R_CLEAR;
	if (t->mode != TUI_MODE_NONE)
		return mode_key(t, ch);
	if (ch == KEY_MOUSE)
		return mouse_key(t);
	/* A key press ends the last message: it was read. */
	t->msg_until_ns = 0;
	if (tui_replay_key(t, ch))
		return 0;
	const struct tui_keytable *kt = &tables[t->view];
	for (size_t i = 0; i < kt->n; i++) {
		const struct tui_binding *b = &kt->b[i];
		if (ch == b->key || (b->key2 && ch == b->key2) || (b->key3 && ch == b->key3))
			return b->fn(t);
	}
	return 0;
}
