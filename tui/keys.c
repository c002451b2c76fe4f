/* Keys: one table per view (key, help note, handler), from which the help
 * screen and the hints are drawn; the bottom line's input modes (filter,
 * prompt, confirmation, picker, search) take keys before the tables. */
#include <stdio.h>
#include <string.h>

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
		tui_msg(t, BE_ROLE_ERROR, "nothing selected");
		return 0;
	}
	tui_detail_open(t, r);
	return 0;
}
static int l_filter(struct tui *t)
{
	t->mode = TUI_MODE_FILTER;
	snprintf(t->prompt_label, sizeof(t->prompt_label), "Filter: ");
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
	tui_msg(t, BE_ROLE_OK, "sorted by %s%s", tui_col_at(t->model.sort)->title,
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

static const struct tui_binding list_keys[] = {
        {'j', KEY_DOWN, 0, "j Down", "next row", l_down},
        {'k', KEY_UP, 0, "k Up", "previous row", l_up},
        {KEY_NPAGE, CTRL('f'), 0, "PgDn ^F", "next page", l_pgdn},
        {KEY_PPAGE, CTRL('b'), 0, "PgUp ^B", "previous page", l_pgup},
        {'g', KEY_HOME, 0, "g Home", "first row", l_top},
        {'G', KEY_END, 0, "G End", "last row", l_bottom},
        {'\r', '\n', KEY_ENTER, "Enter",
         "details: graphs, limits, processes, namespaces, "
         "snapshots",
         l_detail},
        {'/', 0, 0, "/", "filter by name, kind, image or id", l_filter},
        {ESC, 0, 0, "Esc", "clear the filter", l_clear_filter},
        {'>', '.', 0, "> .", "sort by the next column", l_sort_next},
        {'<', ',', 0, "< ,", "sort by the previous column", l_sort_prev},
        {'I', 0, 0, "I", "invert the sort order", l_invert},
        {'l', 0, 0, "l", "logs (berth containers)", tui_act_logs},
        {'s', 0, 0, "s", "start", tui_act_start},
        {'x', 0, 0, "x", "stop (SIGTERM, then SIGKILL)", tui_act_stop},
        {'r', 0, 0, "r", "restart", tui_act_restart},
        {'K', 0, 0, "K", "kill (SIGKILL)", tui_act_kill},
        {'p', 0, 0, "p", "pause / resume (freeze every process)", tui_act_pause},
        {'n', 0, 0, "n", "new snapshot (asks a name; empty: snap-N)", tui_act_snapshot},
        {'b', 0, 0, "b", "roll back to a snapshot (picks from a list)", tui_act_rollback},
        {'c', 0, 0, "c", "clone (asks the new name)", tui_act_clone},
        {'u', 0, 0, "u", "update limits (--memory 64m --cpus 0.5 --pids-limit 100)",
         tui_act_limits},
        {'e', 0, 0, "e", "shell in the container (exit returns here)", tui_act_shell},
        {'D', KEY_DC, 0, "D Del", "delete (asks; a running one is stopped first)", tui_act_delete},
        {' ', CTRL('l'), 0, "Space ^L", "refresh now", k_refresh},
        {'?', KEY_F(1), 'h', "? F1 h", "this help", k_help},
        {'q', 'Q', KEY_F(10), "q F10", "quit (containers keep running)", k_quit},
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
        {'j', KEY_DOWN, 0, "j Down", "scroll down", d_down},
        {'k', KEY_UP, 0, "k Up", "scroll up", d_up},
        {KEY_NPAGE, CTRL('f'), 0, "PgDn ^F", "next page", d_pgdn},
        {KEY_PPAGE, CTRL('b'), 0, "PgUp ^B", "previous page", d_pgup},
        {'g', KEY_HOME, 0, "g Home", "top", d_top},
        {'G', KEY_END, 0, "G End", "bottom (snapshots)", d_bottom},
        {ESC, 'q', KEY_LEFT, "Esc q Left", "back to the list", d_back},
        {'l', 0, 0, "l", "logs", tui_act_logs},
        {'s', 0, 0, "s", "start", tui_act_start},
        {'x', 0, 0, "x", "stop", tui_act_stop},
        {'r', 0, 0, "r", "restart", tui_act_restart},
        {'K', 0, 0, "K", "kill", tui_act_kill},
        {'p', 0, 0, "p", "pause / resume", tui_act_pause},
        {'n', 0, 0, "n", "new snapshot", tui_act_snapshot},
        {'b', 0, 0, "b", "roll back", tui_act_rollback},
        {'c', 0, 0, "c", "clone", tui_act_clone},
        {'u', 0, 0, "u", "update limits", tui_act_limits},
        {'e', 0, 0, "e", "shell", tui_act_shell},
        {'D', KEY_DC, 0, "D Del", "delete", tui_act_delete},
        {' ', CTRL('l'), 0, "Space ^L", "refresh now", k_refresh},
        {'?', KEY_F(1), 'h', "? F1 h", "help", k_help},
        {'Q', KEY_F(10), 0, "Q F10", "quit", k_quit},
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
	snprintf(t->prompt_label, sizeof(t->prompt_label), "Search: ");
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
	tui_msg(t, BE_ROLE_OK, "follow %s", t->logs.follow ? "on: re-read each refresh" : "off");
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
        {'j', KEY_DOWN, 0, "j Down", "scroll down", g_down},
        {'k', KEY_UP, 0, "k Up", "scroll up", g_up},
        {KEY_NPAGE, CTRL('f'), ' ', "PgDn ^F Space", "next page", g_pgdn},
        {KEY_PPAGE, CTRL('b'), 0, "PgUp ^B", "previous page", g_pgup},
        {'g', KEY_HOME, 0, "g Home", "first line", g_top},
        {'G', KEY_END, 0, "G End", "last line", g_end},
        {'/', 0, 0, "/", "search (case-insensitive)", g_search},
        {'n', 0, 0, "n", "next match", g_next},
        {'N', 0, 0, "N", "previous match", g_prev},
        {'F', 'f', 0, "F", "follow: re-read each refresh, stay at the end", g_follow},
        {CTRL('l'), 'R', 0, "^L R", "read again", g_reload},
        {ESC, 'q', KEY_LEFT, "Esc q", "back", g_back},
        {'?', KEY_F(1), 'h', "? F1 h", "help", k_help},
        {'Q', KEY_F(10), 0, "Q F10", "quit", k_quit},
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
        {'j', KEY_DOWN, 0, "j Down", "scroll down", h_down},
        {'k', KEY_UP, 0, "k Up", "scroll up", h_up},
        {KEY_NPAGE, ' ', 0, "PgDn Space", "next page", h_pgdn},
        {KEY_PPAGE, 0, 0, "PgUp", "previous page", h_pgup},
        {ESC, 'q', '?', "Esc q ?", "back", h_back},
        {KEY_F(1), 'h', 0, "F1 h", "back", h_back},
        {'Q', KEY_F(10), 0, "Q F10", "quit", k_quit},
};

#define TABLE(t, b)                                                                                \
	{                                                                                          \
		t, b, sizeof(b) / sizeof(b[0])                                                     \
	}
static const struct tui_keytable tables[] = {
        [TUI_VIEW_LIST] = TABLE("Main screen (the table)", list_keys),
        [TUI_VIEW_DETAIL] = TABLE("Detail view", detail_keys),
        [TUI_VIEW_LOGS] = TABLE("Log pager", log_keys),
        [TUI_VIEW_HELP] = TABLE("This help", help_keys),
};

const struct tui_keytable *tui_keytables(size_t *n)
{
	*n = sizeof(tables) / sizeof(tables[0]);
	return tables;
}

/* The most used first: a narrow bottom line shows a prefix of these. */
const char *tui_hints(const struct tui *t)
{
	/* Items berth did not start take no action: their hints say so. */
	const struct tui_row *r = t->view == TUI_VIEW_DETAIL ? tui_detail_row(t)
	                          : t->view == TUI_VIEW_LIST ? tui_model_selected(&t->model)
	                                                     : NULL;
	bool watched = r && !r->item->berth;
	switch (t->view) {
	case TUI_VIEW_LIST:
		if (watched)
			return "Enter detail / filter > sort I invert ? help   (watched only: "
			       "berth "
			       "did not start it)";
		return "Enter detail / filter s start x stop p pause e shell l logs n snapshot "
		       "b rollback r restart K kill c clone u limits D delete > sort I invert "
		       "? help";
	case TUI_VIEW_DETAIL:
		if (watched)
			return "Esc back j/k scroll ? help   (watched only: berth did not start "
			       "it)";
		return "Esc back j/k scroll s start x stop p pause e shell l logs n snapshot "
		       "b rollback r restart K kill c clone u limits D delete ? help";
	case TUI_VIEW_LOGS:
		return t->logs.follow ? "Esc back / search n next F follow(on) G end ? help"
		                      : "Esc back / search n next F follow G end ? help";
	default: return "Esc back j/k scroll";
	}
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
	const struct tui_keytable *kt = &tables[t->view];
	for (size_t i = 0; i < kt->n; i++) {
		const struct tui_binding *b = &kt->b[i];
		if (ch == b->key || (b->key2 && ch == b->key2) || (b->key3 && ch == b->key3))
			return b->fn(t);
	}
	return 0;
}
