/* F2, the setup screen (htop's): which columns the table shows and in
 * what order, the theme, the refresh interval, the tree and read-only;
 * saved to the settings file (be_ui_config) when the screen is left, and
 * read again at the next start. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "tui.h"

#define ESC 27

enum { ROW_THEME, ROW_DELAY, ROW_TREE, ROW_READONLY, NSETTINGS };
static const double delays[] = {0.5, 1, 1.5, 2, 3, 5, 10};

static bool no_color(void)
{
	const char *nc = getenv("NO_COLOR");
	return nc && *nc;
}

/* The settings into the running UI (a command line option wins). */
static void apply(struct tui *t)
{
	const struct be_ui_config *c = &t->cfg;
	t->norder = 0;
	for (size_t i = 0; i < c->ncolumns && t->norder < TUI_MAX_COLS; i++) {
		size_t col = tui_col_find(c->columns[i]);
		if (col != (size_t)-1)
			t->order[t->norder++] = col;
	}
	size_t sort = c->sort[0] ? tui_col_find(c->sort) : (size_t)-1;
	if (sort != (size_t)-1)
		t->model.sort = sort;
	t->model.reverse = c->reverse;
	t->model.tree = c->tree;
	if (!t->opts.delay_given && c->delay > 0)
		t->opts.delay = c->delay;
	if (t->opts.theme == NULL && c->theme[0]) {
		snprintf(t->theme_name, sizeof(t->theme_name), "%s", c->theme);
		t->opts.theme = t->theme_name;
	}
	t->opts.readonly = t->readonly_forced || c->readonly;
}

void tui_setup_load(struct tui *t)
{
	t->readonly_forced = t->opts.readonly;
	free(t->config_path);
	t->config_path = be_ui_config_path();
	if (t->config_path == NULL)
		return;
	struct be_error *err = NULL;
	if (be_ui_config_load(t->config_path, &t->cfg, &err) < 0) {
		snprintf(t->theme_note, sizeof(t->theme_note), "%s; using the defaults", err->msg);
		be_error_free(err);
		return;
	}
	apply(t);
}

int tui_setup_open(struct tui *t)
{
	size_t n = 0, count = tui_col_count();
	bool listed[TUI_MAX_COLS] = {false};
	/* Shown columns first, in their order (all of them by default). */
	for (size_t i = 0; i < (t->norder ? t->norder : count) && n < TUI_MAX_COLS; i++) {
		size_t col = t->norder ? t->order[i] : i;
		t->setup_cols[n] = col;
		t->setup_shown[n++] = true;
		listed[col] = true;
	}
	for (size_t col = 0; col < count && n < TUI_MAX_COLS; col++)
		if (!listed[col]) {
			t->setup_cols[n] = col;
			t->setup_shown[n++] = false;
		}
	t->nsetup_cols = n;
	t->setup_pos = 0;
	t->help_back = t->view;
	t->view = TUI_VIEW_SETUP;
	return 0;
}

static void next_theme(struct tui *t)
{
	char **names = be_theme_names(NULL);
	if (names == NULL || names[0] == NULL) {
		be_theme_path_free(names);
		return;
	}
	const char *cur = t->opts.theme ? t->opts.theme : "default";
	size_t i = 0;
	while (names[i] && strcmp(names[i], cur) != 0)
		i++;
	const char *next = names[i] && names[i + 1] ? names[i + 1] : names[0];
	snprintf(t->theme_name, sizeof(t->theme_name), "%s", next);
	be_theme_path_free(names);
	t->opts.theme = t->theme_name;
	t->theme_note[0] = '\0';
	tui_theme_setup(t, no_color());
	if (t->theme_note[0])
		tui_msg(t, BE_ROLE_ERROR, "%s", t->theme_note);
}

static void next_delay(struct tui *t)
{
	size_t n = sizeof(delays) / sizeof(delays[0]), i = 0;
	while (i < n && delays[i] <= t->opts.delay + 1e-9)
		i++;
	t->opts.delay = i < n ? delays[i] : delays[0];
}

/* Space or Enter on a row: toggles a column, or changes a setting. */
static void toggle(struct tui *t)
{
	size_t p = t->setup_pos;
	if (p < t->nsetup_cols) {
		size_t col = t->setup_cols[p];
		if (strcmp(tui_col_at(col)->id, "name") == 0) {
			tui_msg(t, BE_ROLE_ERROR, _("NAME is always shown"));
			return;
		}
		t->setup_shown[p] = !t->setup_shown[p];
		return;
	}
	switch (p - t->nsetup_cols) {
	case ROW_THEME: next_theme(t); break;
	case ROW_DELAY: next_delay(t); break;
	case ROW_TREE:
		t->model.tree = !t->model.tree;
		tui_model_apply(&t->model);
		break;
	case ROW_READONLY:
		if (t->readonly_forced)
			tui_msg(t, BE_ROLE_ERROR, _("read-only was asked on the command line"));
		else
			t->opts.readonly = !t->opts.readonly;
		break;
	}
}

/* [ and ]: moves the column under the cursor up or down. */
static void move_column(struct tui *t, int dir)
{
	size_t p = t->setup_pos, q = dir < 0 ? p - 1 : p + 1;
	if (p >= t->nsetup_cols || (dir < 0 && p == 0) || q >= t->nsetup_cols)
		return;
	size_t c = t->setup_cols[p];
	bool s = t->setup_shown[p];
	t->setup_cols[p] = t->setup_cols[q];
	t->setup_shown[p] = t->setup_shown[q];
	t->setup_cols[q] = c;
	t->setup_shown[q] = s;
	t->setup_pos = q;
}

/* Leaving: the shown columns become the table's, and everything is saved. */
static int leave(struct tui *t)
{
	struct be_ui_config *c = &t->cfg;
	t->norder = 0;
	c->ncolumns = 0;
	for (size_t i = 0; i < t->nsetup_cols; i++)
		if (t->setup_shown[i]) {
			t->order[t->norder++] = t->setup_cols[i];
			snprintf(c->columns[c->ncolumns++], BE_UI_ID_MAX, "%s",
			         tui_col_at(t->setup_cols[i])->id);
		}
	snprintf(c->sort, sizeof(c->sort), "%s", tui_col_at(t->model.sort)->id);
	c->reverse = t->model.reverse;
	c->tree = t->model.tree;
	snprintf(c->theme, sizeof(c->theme), "%s", t->opts.theme ? t->opts.theme : "");
	c->delay = t->opts.delay;
	c->readonly = t->readonly_forced ? c->readonly : t->opts.readonly;
	t->view = t->help_back == TUI_VIEW_SETUP ? TUI_VIEW_LIST : t->help_back;
	struct be_error *err = NULL;
	if (t->config_path == NULL)
		tui_msg(t, BE_ROLE_ERROR,
		        _("settings not saved: neither XDG_CONFIG_HOME nor HOME"));
	else if (be_ui_config_save(t->config_path, c, &err) < 0)
		tui_msg(t, BE_ROLE_ERROR, "%s", err->msg);
	else
		tui_msg(t, BE_ROLE_OK, _("settings saved to %s"), t->config_path);
	be_error_free(err);
	return TUI_R_REFRESH | TUI_R_CLEAR;
}

int tui_setup_key(struct tui *t, int ch)
{
	size_t rows = t->nsetup_cols + NSETTINGS;
	if ((ch == 'j' || ch == KEY_DOWN) && t->setup_pos + 1 < rows)
		t->setup_pos++;
	else if ((ch == 'k' || ch == KEY_UP) && t->setup_pos > 0)
		t->setup_pos--;
	else if (ch == ' ' || ch == '\r' || ch == '\n' || ch == KEY_ENTER)
		toggle(t);
	else if (ch == '[' || ch == '-')
		move_column(t, -1);
	else if (ch == ']' || ch == '+')
		move_column(t, 1);
	else if (ch == ESC || ch == 'q' || ch == KEY_F(2) || ch == KEY_F(10))
		return leave(t);
	return 0;
}

static void setting_text(const struct tui *t, int k, char *buf, size_t len)
{
	switch (k) {
	case ROW_THEME:
		snprintf(buf, len, "Theme         %s", t->opts.theme ? t->opts.theme : "default");
		break;
	case ROW_DELAY: snprintf(buf, len, "Refresh       every %g s", t->opts.delay); break;
	case ROW_TREE: snprintf(buf, len, "Tree (F5)     %s", t->model.tree ? "on" : "off"); break;
	default:
		snprintf(buf, len, "Read-only     %s%s", t->opts.readonly ? "on" : "off",
		         t->readonly_forced ? " (--readonly)" : "");
	}
}

void tui_setup_draw(struct tui *t)
{
	int y = 1, rows = LINES - 3;
	tui_put(t, y++, 1, COLS - 2, BE_ROLE_LABEL,
	        _("Setup: Space toggles or changes, [ ] move a column, Esc saves and leaves"));
	size_t total = t->nsetup_cols + NSETTINGS;
	size_t first = t->setup_pos >= (size_t)rows ? t->setup_pos - (size_t)rows + 1 : 0;
	for (size_t i = first; i < total && y < LINES - 1; i++, y++) {
		char text[128];
		if (i < t->nsetup_cols) {
			const struct tui_col *c = tui_col_at(t->setup_cols[i]);
			snprintf(text, sizeof(text), "[%c] column  %-12s %s",
			         t->setup_shown[i] ? 'x' : ' ', c->title, c->id);
		} else {
			setting_text(t, (int)(i - t->nsetup_cols), text, sizeof(text));
		}
		int role = i == t->setup_pos ? BE_ROLE_SELECTED : BE_ROLE_NORMAL;
		tui_fill(t, y, 0, COLS, role);
		tui_put(t, y, 2, COLS - 3, role, text);
	}
}
