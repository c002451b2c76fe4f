/* htop's function keys on the main screen: F3 finds a row by name as it is
 * typed, F6 picks the sort column from a menu, F9 picks a signal to send
 * to the selected container (asked first, with the command shown). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "i18n.h"
#include "tui.h"

#define ESC 27

/* ---- F3 find -------------------------------------------------------------------------- */

bool tui_find_next(struct tui *t, const char *text, bool from_next)
{
	size_t n = t->model.nvis;
	if (n == 0 || text[0] == '\0')
		return false;
	for (size_t k = from_next ? 1 : 0; k <= n; k++) {
		size_t pos = (t->model.sel_pos + k) % n;
		const struct tui_row *r = &t->model.rows[t->model.vis[pos]];
		if (strcasestr(r->item->name, text)) {
			tui_model_select(&t->model, pos);
			return true;
		}
	}
	return false;
}

int tui_find_start(struct tui *t)
{
	/* F3 again after a search: the next match, as htop. */
	if (t->mode == TUI_MODE_NONE && t->find[0] && t->input[0] == '\0') {
		if (!tui_find_next(t, t->find, true))
			tui_msg(t, BE_ROLE_ERROR, _("no name holds \"%s\""), t->find);
	}
	t->mode = TUI_MODE_FIND;
	t->input[0] = '\0';
	snprintf(t->prompt_label, sizeof(t->prompt_label), _("Search: "));
	return 0;
}

int tui_find_key(struct tui *t, int ch)
{
	if (ch == ESC || ch == '\r' || ch == '\n' || ch == KEY_ENTER) {
		if (t->input[0])
			snprintf(t->find, sizeof(t->find), "%s", t->input);
		t->input[0] = '\0';
		t->mode = TUI_MODE_NONE;
		return 0;
	}
	if (ch == KEY_F(3)) {
		if (!tui_find_next(t, t->input, true))
			tui_msg(t, BE_ROLE_ERROR, _("no name holds \"%s\""), t->input);
		return 0;
	}
	if (tui_line_edit(t->input, sizeof(t->input), ch, KEY_BACKSPACE) &&
	    !tui_find_next(t, t->input, false))
		snprintf(t->prompt_label, sizeof(t->prompt_label), _("Search (no match): "));
	else
		snprintf(t->prompt_label, sizeof(t->prompt_label), _("Search: "));
	return 0;
}

/* ---- menus ----------------------------------------------------------------------------- */

static void menu_add(struct tui_menu *m, const char *text, int value)
{
	if (m->n >= TUI_MENU_MAX)
		return;
	snprintf(m->items[m->n], sizeof(m->items[m->n]), "%s", text);
	m->values[m->n++] = value;
}

int tui_sort_menu(struct tui *t)
{
	struct tui_menu *m = &t->menu;
	memset(m, 0, sizeof(*m));
	m->kind = TUI_MENU_SORT;
	snprintf(m->title, sizeof(m->title), " Sort by ");
	for (size_t i = 0; i < t->nfit; i++) {
		const struct tui_col *c = tui_col_at(t->fit[i].col);
		if (t->fit[i].col == t->model.sort)
			m->pos = m->n;
		menu_add(m, c->title, (int)t->fit[i].col);
	}
	if (m->n == 0)
		return 0;
	t->mode = TUI_MODE_MENU;
	return 0;
}

static const struct {
	const char *name;
	int sig;
} signals[] = {
        {"TERM", SIGTERM}, {"KILL", SIGKILL},   {"HUP", SIGHUP},   {"INT", SIGINT},
        {"QUIT", SIGQUIT}, {"USR1", SIGUSR1},   {"USR2", SIGUSR2}, {"STOP", SIGSTOP},
        {"CONT", SIGCONT}, {"WINCH", SIGWINCH},
};

int tui_signal_menu(struct tui *t)
{
	const struct tui_row *r = tui_change_target(t);
	if (r == NULL)
		return 0;
	struct tui_menu *m = &t->menu;
	memset(m, 0, sizeof(*m));
	m->kind = TUI_MENU_SIGNAL;
	snprintf(t->target, sizeof(t->target), "%s", r->ct->name);
	snprintf(m->title, sizeof(m->title), " Send %s ", r->ct->name);
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
		char text[40];
		snprintf(text, sizeof(text), "%2d SIG%s", signals[i].sig, signals[i].name);
		menu_add(m, text, (int)i);
	}
	t->mode = TUI_MODE_MENU;
	return 0;
}

static int menu_chosen(struct tui *t)
{
	struct tui_menu *m = &t->menu;
	int v = m->values[m->pos];
	t->mode = TUI_MODE_NONE;
	if (m->kind == TUI_MENU_SORT) {
		t->model.sort = (size_t)v;
		tui_model_apply(&t->model);
		tui_msg(t, BE_ROLE_OK, _("sorted by %s"), tui_col_at(t->model.sort)->title);
		return 0;
	}
	char q[BE_NAME_MAX + 64], done[64];
	snprintf(q, sizeof(q), _("Send SIG%s to %s?"), signals[v].name, t->target);
	snprintf(done, sizeof(done), "sent SIG%s", signals[v].name);
	char name[BE_NAME_MAX + 1];
	snprintf(name, sizeof(name), "%s", t->target);
	const char *argv[] = {"kill", "--signal", signals[v].name, name, NULL};
	return tui_ask(t, name, q, "signalling", done, argv);
}

int tui_menu_key(struct tui *t, int ch)
{
	struct tui_menu *m = &t->menu;
	if ((ch == 'j' || ch == KEY_DOWN) && m->pos + 1 < m->n)
		m->pos++;
	else if ((ch == 'k' || ch == KEY_UP) && m->pos > 0)
		m->pos--;
	else if (ch == KEY_HOME || ch == 'g')
		m->pos = 0;
	else if ((ch == KEY_END || ch == 'G') && m->n)
		m->pos = m->n - 1;
	else if (ch == '\r' || ch == '\n' || ch == KEY_ENTER)
		return menu_chosen(t);
	else if (ch == ESC || ch == 'q' || ch == KEY_F(10)) {
		t->mode = TUI_MODE_NONE;
		tui_msg(t, BE_ROLE_STATUS, _("cancelled, nothing done"));
	}
	return 0;
}

void tui_menu_draw(struct tui *t)
{
	struct tui_menu *m = &t->menu;
	int h = (int)m->n + 2, w = 32;
	if (h > LINES - 4)
		h = LINES - 4;
	if (w > COLS - 2)
		w = COLS - 2;
	int y0 = (LINES - h) / 2, x0 = (COLS - w) / 2, rows = h - 2;
	int first = (int)m->pos >= rows ? (int)m->pos - rows + 1 : 0;
	for (int y = y0; y < y0 + h; y++)
		tui_fill(t, y, x0, w, BE_ROLE_NORMAL);
	for (int i = 0; i < w; i++) {
		tui_put(t, y0, x0 + i, 1, BE_ROLE_BORDER, t->g.hline);
		tui_put(t, y0 + h - 1, x0 + i, 1, BE_ROLE_BORDER, t->g.hline);
	}
	tui_put(t, y0, x0 + 2, w - 4, BE_ROLE_LABEL, m->title);
	for (int i = 0; i < rows && first + i < (int)m->n; i++) {
		bool sel = (size_t)(first + i) == m->pos;
		int role = sel ? BE_ROLE_SELECTED : BE_ROLE_NORMAL;
		tui_fill(t, y0 + 1 + i, x0 + 1, w - 2, role);
		tui_putf(t, y0 + 1 + i, x0 + 1, w - 2, role, " %s", m->items[first + i]);
	}
}
