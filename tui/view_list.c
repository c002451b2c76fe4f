/* The main screen: host meters (a bar per CPU, memory, swap, load,
 * pressure) above the table of every container and VM, with the columns
 * that fit, the sort mark and the selection. */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "tui.h"

#define METER_MIN 24

static void pct_text(char *buf, size_t len, double pct)
{
	snprintf(buf, len, "%.1f%%", pct);
}

/* One bar per CPU, packed several to a line; at most 4 lines, so a host
 * with many CPUs gets narrower bars.  Returns the lines used. */
static int draw_cpus(struct tui *t, int y, const struct be_host *h)
{
	char text[32], label[16];
	if (h->ncpus == 0 || h->cpu_percent_each == NULL) {
		pct_text(text, sizeof(text), h->ncpus ? h->cpu_percent / h->ncpus : 0);
		tui_meter(t, y, 0, COLS, "CPU", h->ncpus ? h->cpu_percent / h->ncpus / 100 : 0,
		          text);
		return 1;
	}
	int n = (int)h->ncpus, per = COLS / METER_MIN;
	per = per < 1 ? 1 : per > n ? n : per;
	int lines = (n + per - 1) / per;
	if (lines > 4) {
		lines = 4;
		per = (n + 3) / 4;
	}
	int w = COLS / per;
	int digits = n > 100 ? 3 : n > 10 ? 2 : 1;
	for (int i = 0; i < n; i++) {
		double p = h->cpu_percent_each[i];
		if (w >= 16)
			snprintf(label, sizeof(label), "CPU%-*d", digits, i);
		else
			snprintf(label, sizeof(label), "%*d", digits, i);
		if (w >= 22)
			pct_text(text, sizeof(text), p);
		else
			text[0] = '\0';
		tui_meter(t, y + i / per, (i % per) * w, w - 1, label, p / 100, text);
	}
	return lines;
}

static void mem_text(char *buf, size_t len, uint64_t used, uint64_t total)
{
	char u[32], tt[32];
	be_format_size(used, u, sizeof(u));
	be_format_size(total, tt, sizeof(tt));
	snprintf(buf, len, "%s/%s", u, tt);
}

static void draw_mem(struct tui *t, int y, const struct be_host *h)
{
	char text[80];
	int w = COLS / 2;
	mem_text(text, sizeof(text), h->mem_used_bytes, h->mem_total_bytes);
	tui_meter(t, y, 0, w - 1, "Mem ",
	          h->mem_total_bytes ? (double)h->mem_used_bytes / (double)h->mem_total_bytes : 0,
	          text);
	uint64_t swap_used = h->swap_total_bytes - h->swap_free_bytes;
	if (h->swap_total_bytes == 0) {
		int lw = tui_put(t, y, w, COLS - w, BE_ROLE_LABEL, _("Swp "));
		tui_put(t, y, w + lw, COLS - w - lw, BE_ROLE_DIM, _("none"));
		return;
	}
	mem_text(text, sizeof(text), swap_used, h->swap_total_bytes);
	tui_meter(t, y, w, COLS - w, "Swp ", (double)swap_used / (double)h->swap_total_bytes, text);
}

/* Load, tasks and the host's pressure (some, avg10) where the kernel
 * has it. */
static void draw_load(struct tui *t, int y, const struct be_host *h)
{
	int x = tui_put(t, y, 0, COLS, BE_ROLE_LABEL, _("Load "));
	x += tui_putf(t, y, x, COLS - x, BE_ROLE_NORMAL, "%.2f %.2f %.2f", h->load1, h->load5,
	              h->load15);
	x += tui_put(t, y, x, COLS - x, BE_ROLE_LABEL, _("  Tasks "));
	x += tui_putf(t, y, x, COLS - x, BE_ROLE_NORMAL, _("%u, %u running"), h->tasks_total,
	              h->tasks_running);
	if (!(h->have & (BE_HAVE_HOST_PSI_CPU | BE_HAVE_HOST_PSI_MEM | BE_HAVE_HOST_PSI_IO)))
		return;
	x += tui_put(t, y, x, COLS - x, BE_ROLE_LABEL, _("  PSI10"));
	const struct {
		uint32_t bit;
		const char *name;
		const struct be_psi *p;
	} psi[] = {{BE_HAVE_HOST_PSI_CPU, "cpu", &h->psi_cpu},
	           {BE_HAVE_HOST_PSI_MEM, "mem", &h->psi_mem},
	           {BE_HAVE_HOST_PSI_IO, "io", &h->psi_io}};
	for (size_t i = 0; i < 3; i++)
		if (h->have & psi[i].bit) {
			double v = psi[i].p->some_avg10;
			x += tui_putf(t, y, x, COLS - x, BE_ROLE_LABEL, " %s ", psi[i].name);
			x += tui_putf(t, y, x, COLS - x,
			              v >= 10  ? BE_ROLE_METER_HIGH
			              : v >= 1 ? BE_ROLE_METER_MID
			                       : BE_ROLE_NORMAL,
			              "%.1f%%", v);
		}
}

/* Header meters; returns the next free line. */
static int draw_meters(struct tui *t, int y)
{
	if (t->opts.nhosts)
		return tui_hosts_draw(t, y);
	const struct be_host *h = t->replay ? be_replay_host(t->replay)
	                          : t->mon  ? be_monitor_host(t->mon)
	                                    : NULL;
	if (h == NULL || h->mem_total_bytes == 0)
		return y;
	y += draw_cpus(t, y, h);
	draw_mem(t, y++, h);
	draw_load(t, y++, h);
	return y;
}

static int cell_role(const struct tui_row *r, const struct tui_col *c)
{
	if (strcmp(c->id, "status") == 0 && r->ct) {
		switch (r->ct->status) {
		case BE_STATUS_RUNNING: return BE_ROLE_RUNNING;
		case BE_STATUS_PAUSED: return BE_ROLE_PAUSED;
		case BE_STATUS_DAMAGED: return BE_ROLE_ERROR;
		default: return BE_ROLE_EXITED;
		}
	}
	if (strcmp(c->id, "kind") == 0 && !r->item->berth)
		return r->item->is_vm || r->item->kind == BE_KIND_VM ? BE_ROLE_VM : BE_ROLE_FOREIGN;
	if (r->ct && r->ct->status != BE_STATUS_RUNNING && r->ct->status != BE_STATUS_PAUSED)
		return BE_ROLE_EXITED;
	return BE_ROLE_NORMAL;
}

/* Text aligned in w cells: left for left-aligned columns, else right. */
static void put_cell(struct tui *t, int y, int x, int w, int role, bool left, const char *text)
{
	int tw = tui_width(t, text);
	if (tw > w)
		tw = w;
	tui_put(t, y, left ? x : x + w - tw, w, role, text);
}

static void draw_header(struct tui *t, int y)
{
	tui_fill(t, y, 0, COLS, BE_ROLE_TABLE_HEADER);
	int x = 1;
	for (size_t i = 0; i < t->nfit; i++) {
		const struct tui_col *c = tui_col_at(t->fit[i].col);
		char title[48];
		bool sorted = t->fit[i].col == t->model.sort;
		snprintf(title, sizeof(title), "%s%s", _(c->title),
		         sorted ? (t->model.reverse ? t->g.down : t->g.up) : "");
		put_cell(t, y, x, t->fit[i].width, BE_ROLE_TABLE_HEADER, c->width < 0, title);
		x += t->fit[i].width + 1;
	}
}

static void draw_row(struct tui *t, int y, const struct tui_row *r, bool selected)
{
	char buf[256], cell[280];
	if (selected)
		tui_fill(t, y, 0, COLS, BE_ROLE_SELECTED);
	int x = 1;
	for (size_t i = 0; i < t->nfit; i++) {
		const struct tui_col *c = tui_col_at(t->fit[i].col);
		tui_row_format(r, t->fit[i].col, buf, sizeof(buf));
		const char *text = strcmp(c->id, "status") == 0 && buf[0] ? _(buf) : buf;
		int role = selected ? BE_ROLE_SELECTED : r->group ? BE_ROLE_LABEL : cell_role(r, c);
		if (strcmp(c->id, "name") == 0 && (r->group || r->depth)) {
			/* The tree: a heading with its member count, members indented. */
			if (r->group)
				snprintf(cell, sizeof(cell), "%s (%u)", buf, r->members);
			else
				snprintf(cell, sizeof(cell), " %s %s", t->g.tree_mid, buf);
			text = cell;
		}
		put_cell(t, y, x, t->fit[i].width, role, c->width < 0, text);
		x += t->fit[i].width + 1;
	}
}

static void draw_empty(struct tui *t, int y)
{
	if (t->model.filter[0])
		tui_putf(t, y, 1, COLS - 2, BE_ROLE_DIM, _("nothing matches \"%s\" (Esc clears)"),
		         t->model.filter);
	else
		tui_put(t, y, 1, COLS - 2, BE_ROLE_DIM,
		        _("no containers or VMs yet: try `berth run -d demo sleep 1000`"));
}

/* Keeps the selection inside the rows shown. */
static void scroll_to_selection(struct tui *t, int rows)
{
	int sel = (int)t->model.sel_pos, n = (int)t->model.nvis;
	if (sel < t->list_top)
		t->list_top = sel;
	if (sel >= t->list_top + rows)
		t->list_top = sel - rows + 1;
	if (t->list_top > n - rows)
		t->list_top = n - rows;
	if (t->list_top < 0)
		t->list_top = 0;
}

void tui_list_draw(struct tui *t)
{
	int y = draw_meters(t, 1);
	t->nfit = tui_columns_fit_order(COLS - 2, t->order, t->norder, t->fit);
	draw_header(t, y++);
	t->table_y = y;
	t->table_h = LINES - 1 - y;
	if (t->model.nvis == 0) {
		draw_empty(t, y);
		return;
	}
	scroll_to_selection(t, t->table_h);
	for (int i = 0; i < t->table_h && t->list_top + i < (int)t->model.nvis; i++) {
		size_t pos = (size_t)(t->list_top + i);
		draw_row(t, y + i, &t->model.rows[t->model.vis[pos]], pos == t->model.sel_pos);
	}
}

int tui_list_row_at(struct tui *t, int y)
{
	int i = y - t->table_y;
	if (i < 0 || i >= t->table_h || t->list_top + i >= (int)t->model.nvis)
		return -1;
	return t->list_top + i;
}
