/* The isolation inspector (i in the detail view): every wall of the
 * container the detail view shows, marked wall / shared / open door, with
 * its value, what it means and the file it was read from. */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "tui.h"

int tui_isolation_reload(struct tui *t)
{
	const struct tui_row *r = tui_action_target(t);
	if (r == NULL)
		return 0;
	struct be_error *err = NULL;
	be_isolation_free(&t->iso);
	if (be_isolation_inspect(t->ctx, r->ct->name, &t->iso, &err) < 0) {
		tui_msg(t, BE_ROLE_ERROR, "%s", err->msg);
		be_error_free(err);
		return -1;
	}
	return 0;
}

int tui_isolation_open(struct tui *t)
{
	if (tui_isolation_reload(t) < 0)
		return 0;
	t->iso_scroll = 0;
	t->view = TUI_VIEW_ISOLATION;
	return TUI_R_CLEAR;
}

int tui_isolation_back(struct tui *t)
{
	be_isolation_free(&t->iso);
	t->view = TUI_VIEW_DETAIL;
	return TUI_R_REFRESH;
}

/* Three lines an entry (value, meaning, source) and a line per section. */
static int height(const struct tui *t)
{
	int h = 2;
	const char *sec = "";
	for (size_t i = 0; i < t->iso.n; i++) {
		if (strcmp(sec, t->iso.lines[i].section) != 0) {
			sec = t->iso.lines[i].section;
			h++;
		}
		h += 3;
	}
	return h;
}

int tui_isolation_scroll(struct tui *t, int delta)
{
	int max = height(t) - (LINES - 2);
	t->iso_scroll += delta;
	if (t->iso_scroll > max)
		t->iso_scroll = max;
	if (t->iso_scroll < 0)
		t->iso_scroll = 0;
	return 0;
}

static int mark_role(enum be_iso_mark m)
{
	return m == BE_ISO_WALL ? BE_ROLE_OK : m == BE_ISO_OPEN ? BE_ROLE_ERROR : BE_ROLE_DIM;
}

static const char *mark_word(enum be_iso_mark m)
{
	return m == BE_ISO_WALL ? "WALL" : m == BE_ISO_OPEN ? "OPEN" : "shared";
}

void tui_isolation_draw(struct tui *t)
{
	int y = 1 - t->iso_scroll, bottom = LINES - 1;
	if (y >= 1)
		tui_putf(t, y, 1, COLS - 2, BE_ROLE_LABEL,
		         _("Isolation of %s (init pid %d): WALL its own or limited, shared by "
		           "design, "
		           "OPEN nothing stops it"),
		         t->iso.name, t->iso.pid);
	y += 2;
	const char *sec = "";
	for (size_t i = 0; i < t->iso.n && y < bottom; i++) {
		const struct be_iso_line *l = &t->iso.lines[i];
		if (strcmp(sec, l->section) != 0) {
			sec = l->section;
			if (y >= 1)
				tui_put(t, y, 1, COLS - 2, BE_ROLE_TABLE_HEADER, sec);
			y++;
		}
		if (y >= 1 && y < bottom) {
			int x = 2 + tui_put(t, y, 2, 7, mark_role(l->mark), mark_word(l->mark));
			x = 9;
			x += tui_putf(t, y, x, COLS - x, BE_ROLE_LABEL, "%-14s ", l->what);
			tui_put(t, y, x, COLS - x, BE_ROLE_NORMAL, l->value);
		}
		if (++y >= 1 && y < bottom)
			tui_put(t, y, 24, COLS - 25, BE_ROLE_NORMAL, l->meaning ? l->meaning : "");
		if (++y >= 1 && y < bottom)
			tui_putf(t, y, 24, COLS - 25, BE_ROLE_DIM, _("from %s"), l->source);
		y++;
	}
}
