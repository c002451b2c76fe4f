/* The frame around every view: the title bar (version, host, cgroup
 * layout, counts), the bottom line (key hints, the last message, or the
 * prompt being typed) and the snapshot picker that rollback opens. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "tui.h"

static const char *layout_name(const struct be_ctx *ctx)
{
	switch (be_ctx_cgroup_layout(ctx)) {
	case BE_CGROUP_V2: return "cgroup v2";
	case BE_CGROUP_V1: return "cgroup v1";
	default: return "no cgroups";
	}
}

/* "3 berth (2 running), 1 docker, 1 vm" over every row, filtered or not. */
static void counts(const struct tui *t, char *buf, size_t len)
{
	size_t kinds[BE_KIND_COUNT] = {0}, running = 0;
	for (size_t i = 0; i < t->model.nrows; i++) {
		const struct tui_row *r = &t->model.rows[i];
		if ((unsigned)r->item->kind < BE_KIND_COUNT)
			kinds[r->item->kind]++;
		running += r->ct && r->ct->status == BE_STATUS_RUNNING;
	}
	int n = snprintf(buf, len, "%zu berth (%zu running)", kinds[BE_KIND_BERTH], running);
	for (int k = 0; k < BE_KIND_COUNT && n > 0 && (size_t)n < len; k++)
		if (k != BE_KIND_BERTH && kinds[k])
			n += snprintf(buf + n, len - (size_t)n, ", %zu %s", kinds[k],
			              be_kind_name((enum be_kind)k));
}

void tui_draw_title(struct tui *t)
{
	char c[160];
	counts(t, c, sizeof(c));
	tui_fill(t, 0, 0, COLS, BE_ROLE_TITLE);
	char rp[200];
	if (t->replay)
		tui_replay_title(t, rp, sizeof(rp));
	int x = tui_putf(t, 0, 0, COLS, BE_ROLE_TITLE, _(" berth %s  %s  %s  %s"), BERTH_VERSION,
	                 t->hostname, t->replay ? rp : layout_name(t->ctx), c);
	const char *right = _("? help  q quit ");
	int rw = tui_width(t, right);
	if (x + 2 + rw <= COLS)
		tui_put(t, 0, COLS - rw, rw, BE_ROLE_TITLE, right);
}

/* Hints as "key text" pairs, keys in the key role; a pair that does not
 * fit is left out whole.  A note after two blanks ("  (read-only)") is
 * plain text, and keeps its room at the end. */
static void draw_hints(struct tui *t, int y, const char *hints)
{
	const char *note = strstr(hints, "  (");
	int room = COLS - (note ? tui_width(t, note) : 0);
	int x = 0;
	char key[32], text[64];
	const char *p = hints;
	while (*p && (note == NULL || p < note)) {
		int n = 0;
		if (sscanf(p, "%31s %63s%n", key, text, &n) != 2 || n == 0)
			break;
		p += n;
		if (x + (int)strlen(key) + 1 + tui_width(t, text) > room)
			break;
		x += tui_put(t, y, x, COLS - x, BE_ROLE_KEY, key);
		x += tui_put(t, y, x, COLS - x, BE_ROLE_STATUS, " ");
		x += tui_put(t, y, x, COLS - x, BE_ROLE_STATUS, text);
		x += tui_put(t, y, x, COLS - x, BE_ROLE_STATUS, "  ");
	}
	if (note)
		tui_put(t, y, x, COLS - x, BE_ROLE_DIM, note + 2);
}

static const char *mode_help(enum tui_mode m)
{
	switch (m) {
	case TUI_MODE_FILTER: return "  (Enter keep, Esc clear)";
	case TUI_MODE_SEARCH: return "  (Enter find, Esc cancel)";
	case TUI_MODE_PROMPT: return "  (Enter ok, Esc cancel)";
	case TUI_MODE_FIND: return "  (F3 next, Enter or Esc done)";
	case TUI_MODE_CONFIRM: return " (y/N)";
	default: return "";
	}
}

void tui_draw_bottom(struct tui *t)
{
	int y = LINES - 1;
	tui_fill(t, y, 0, COLS, BE_ROLE_STATUS);
	if (t->mode == TUI_MODE_FILTER || t->mode == TUI_MODE_SEARCH ||
	    t->mode == TUI_MODE_PROMPT || t->mode == TUI_MODE_FIND) {
		const char *text = t->mode == TUI_MODE_FILTER ? t->model.filter : t->input;
		int x = tui_put(t, y, 0, COLS, BE_ROLE_STATUS, t->prompt_label);
		x += tui_put(t, y, x, COLS - x, BE_ROLE_KEY, text);
		x += tui_put(t, y, x, COLS - x, BE_ROLE_KEY, "_");
		tui_put(t, y, x, COLS - x, BE_ROLE_STATUS, mode_help(t->mode));
		return;
	}
	if (t->mode == TUI_MODE_CONFIRM) {
		/* The exact command stands on the line above the question. */
		if (t->pending == TUI_PEND_COMMAND && y > 0) {
			tui_fill(t, y - 1, 0, COLS, BE_ROLE_STATUS);
			int x = tui_put(t, y - 1, 0, COLS, BE_ROLE_STATUS, "$ ");
			tui_put(t, y - 1, x, COLS - x, BE_ROLE_KEY, t->cmd_line);
		}
		int x = tui_put(t, y, 0, COLS, BE_ROLE_ERROR, t->prompt_label);
		tui_put(t, y, x, COLS - x, BE_ROLE_STATUS, mode_help(t->mode));
		return;
	}
	if (t->mode == TUI_MODE_PICK) {
		tui_put(t, y, 0, COLS, BE_ROLE_STATUS, t->prompt_label);
		return;
	}
	if (t->msg[0] && tui_now_ns() < t->msg_until_ns) {
		tui_put(t, y, 0, COLS, t->msg_role, t->msg);
		return;
	}
	if (t->refresh_err[0]) {
		tui_put(t, y, 0, COLS, BE_ROLE_ERROR, t->refresh_err);
		return;
	}
	draw_hints(t, y, tui_hints(t));
}

void tui_draw_pick(struct tui *t)
{
	int h = (int)t->npick + 2, w = 60;
	if (h > LINES - 4)
		h = LINES - 4;
	if (w > COLS - 2)
		w = COLS - 2;
	int y0 = (LINES - h) / 2, x0 = (COLS - w) / 2, rows = h - 2;
	int first = (int)t->pick_pos >= rows ? (int)t->pick_pos - rows + 1 : 0;
	for (int y = y0; y < y0 + h; y++)
		tui_fill(t, y, x0, w, BE_ROLE_NORMAL);
	for (int i = 0; i < w; i++) {
		tui_put(t, y0, x0 + i, 1, BE_ROLE_BORDER, t->g.hline);
		tui_put(t, y0 + h - 1, x0 + i, 1, BE_ROLE_BORDER, t->g.hline);
	}
	tui_putf(t, y0, x0 + 2, w - 4, BE_ROLE_LABEL, _(" roll %s back to "), t->target);
	for (int i = 0; i < rows && first + i < (int)t->npick; i++) {
		const struct be_snapshot_info *s = &t->pick[first + i];
		bool sel = (size_t)(first + i) == t->pick_pos;
		char when[48];
		be_format_duration((int64_t)time(NULL) - s->created, when, sizeof(when));
		int role = sel ? BE_ROLE_SELECTED : BE_ROLE_NORMAL;
		tui_fill(t, y0 + 1 + i, x0 + 1, w - 2, role);
		tui_putf(t, y0 + 1 + i, x0 + 1, w - 2, role, " %s %-24s %s ago%s",
		         s->current ? t->g.head : " ", s->name, when, s->current ? " (head)" : "");
	}
}
