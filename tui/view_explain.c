/* E: where the number under the cursor comes from (the selected row's
 * value in the sort column): the files the monitor reads, their raw values
 * at the last two samples, the interval, the formula and the unit.  Any
 * key closes it. */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "tui.h"

int tui_explain_open(struct tui *t)
{
	const struct tui_row *r =
	        t->view == TUI_VIEW_DETAIL ? tui_detail_row(t) : tui_model_selected(&t->model);
	if (r == NULL || t->mon == NULL) {
		tui_msg(t, BE_ROLE_ERROR, _("nothing selected"));
		return 0;
	}
	const struct tui_col *c = tui_col_at(t->model.sort);
	struct be_error *err = NULL;
	if (r->group || be_explain(t->mon, r->item, c->id, &t->explain, &err) < 0) {
		tui_msg(t, BE_ROLE_ERROR, "%s",
		        err ? err->msg : "a group's sums come from its rows");
		be_error_free(err);
		return 0;
	}
	t->mode = TUI_MODE_EXPLAIN;
	return 0;
}

void tui_explain_draw(struct tui *t)
{
	const struct be_explain *e = &t->explain;
	int h = 9, w = COLS - 4 > 110 ? 110 : COLS - 4;
	int y0 = (LINES - h) / 2, x0 = (COLS - w) / 2;
	for (int y = y0; y < y0 + h; y++)
		tui_fill(t, y, x0, w, BE_ROLE_NORMAL);
	for (int i = 0; i < w; i++) {
		tui_put(t, y0, x0 + i, 1, BE_ROLE_BORDER, t->g.hline);
		tui_put(t, y0 + h - 1, x0 + i, 1, BE_ROLE_BORDER, t->g.hline);
	}
	int x = x0 + 2, cw = w - 4, y = y0;
	tui_putf(t, y++, x, cw, BE_ROLE_LABEL, _(" %s = %s %s "), e->title, e->shown, e->unit);
	tui_putf(t, y++, x, cw, BE_ROLE_NORMAL, _("from      %s"), e->source);
	if (e->raw_before[0]) {
		tui_putf(t, y++, x, cw, BE_ROLE_NORMAL, _("before    %s"), e->raw_before);
		tui_putf(t, y++, x, cw, BE_ROLE_NORMAL, _("now       %s"), e->raw_now);
		tui_putf(t, y++, x, cw, BE_ROLE_NORMAL, _("interval  %.6f s"), e->interval_s);
	} else {
		tui_putf(t, y++, x, cw, BE_ROLE_NORMAL, _("value     %s"), e->raw_now);
		y += 2;
	}
	tui_putf(t, y++, x, cw, BE_ROLE_NORMAL, _("formula   %s"), e->formula);
	tui_put(t, y, x, cw, BE_ROLE_DIM, _("(any key closes; > and < pick another column)"));
}
