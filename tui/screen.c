/* What every view draws with: the glyph sets (Unicode or ASCII), theme
 * roles as curses attributes, clipped text, meters and history graphs.
 * Nothing here allocates: frames are drawn from stack buffers. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "tui.h"

void tui_glyphs_init(struct tui_glyphs *g, bool utf8)
{
	static const char *const blocks_left[9] = {" ", "▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"};
	static const char *const blocks_up[9] = {" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
	static const char *const ascii_fill[2] = {" ", "|"};
	static const char *const ascii_graph[4] = {" ", ".", ":", "#"};
	if (utf8) {
		*g = (struct tui_glyphs){
		        .utf8 = true,
		        .fill_steps = 8,
		        .graph_steps = 8,
		        .hline = "─",
		        .vline = "│",
		        .tree_mid = "├─ ",
		        .tree_last = "└─ ",
		        .tree_pipe = "│  ",
		        .head = "●",
		        .up = "▲",
		        .down = "▼",
		        .lbracket = "▕",
		        .rbracket = "▏",
		};
		memcpy(g->fill, blocks_left, sizeof(blocks_left));
		memcpy(g->graph, blocks_up, sizeof(blocks_up));
		return;
	}
	*g = (struct tui_glyphs){
	        .fill_steps = 1,
	        .graph_steps = 3,
	        .hline = "-",
	        .vline = "|",
	        .tree_mid = "|- ",
	        .tree_last = "`- ",
	        .tree_pipe = "|  ",
	        .head = "*",
	        .up = "^",
	        .down = "v",
	        .lbracket = "[",
	        .rbracket = "]",
	};
	memcpy(g->fill, ascii_fill, sizeof(ascii_fill));
	memcpy(g->graph, ascii_graph, sizeof(ascii_graph));
}

/* ---- colours --------------------------------------------------------------- */

static attr_t curses_attrs(uint8_t a)
{
	attr_t r = A_NORMAL;
	if (a & BE_ATTR_BOLD)
		r |= A_BOLD;
	if (a & BE_ATTR_DIM)
		r |= A_DIM;
	if (a & BE_ATTR_REVERSE)
		r |= A_REVERSE;
	if (a & BE_ATTR_UNDERLINE)
		r |= A_UNDERLINE;
	return r;
}

/* Pair colours: reduced to what the terminal has; the terminal's own
 * colours where it cannot keep them (no use_default_colors). */
static void init_role_pair(short pair, const struct be_theme_style *s, bool defaults)
{
	int fg = tui_color_reduce(s->fg, COLORS, false);
	int bg = tui_color_reduce(s->bg, COLORS, true);
	if (!defaults) {
		fg = fg < 0 ? COLOR_WHITE : fg;
		bg = bg < 0 ? COLOR_BLACK : bg;
	}
	init_pair(pair, (short)fg, (short)bg);
}

void tui_theme_setup(struct tui *t, bool no_color)
{
	struct be_theme th;
	struct be_error *err = NULL;
	const char *name = t->opts.theme ? t->opts.theme : getenv("BERTH_THEME");
	if (name == NULL || *name == '\0')
		name = "default";
	/* NO_COLOR and terminals without colours get the monochrome theme,
	 * whatever was asked: a colour theme without colours loses meaning. */
	if (no_color || !has_colors())
		name = "mono";
	if (be_theme_load(name, &th, &err) < 0) {
		snprintf(t->theme_note, sizeof(t->theme_note), "%s; using the default theme",
		         err->msg);
		be_error_clear(&err);
		be_theme_builtin(no_color || !has_colors() ? "mono" : "default", &th, NULL);
	}
	t->color = !no_color && !th.mono && has_colors();
	bool defaults = false;
	if (t->color) {
		start_color();
		defaults = use_default_colors() == OK;
	}
	for (int r = 0; r < BE_ROLE_COUNT; r++) {
		t->role[r] = curses_attrs(th.role[r].attrs);
		if (t->color && r + 1 < COLOR_PAIRS) {
			init_role_pair((short)(r + 1), &th.role[r], defaults);
			t->role[r] |= COLOR_PAIR(r + 1);
		}
	}
}

/* ---- text ---------------------------------------------------------------------- */

/* Copies at most w cells of s into out (NUL-terminated, at most len bytes);
 * returns the cells.  Multibyte text is kept whole in a UTF-8 locale; any
 * byte that cannot be shown becomes '?'. */
static int clip(const struct tui *t, const char *s, int w, char *out, size_t len)
{
	int cells = 0;
	size_t o = 0;
	mbstate_t st;
	memset(&st, 0, sizeof(st));
	while (*s && cells < w && o + 1 < len) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x80 || !t->g.utf8) {
			out[o++] = c >= 32 && c < 127 ? (char)c : '?';
			s++;
			cells++;
			continue;
		}
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, MB_CUR_MAX, &st);
		int cw = n == (size_t)-1 || n == (size_t)-2 ? -1 : wcwidth(wc);
		if (cw < 0) {
			memset(&st, 0, sizeof(st));
			out[o++] = '?';
			s++;
			cells++;
			continue;
		}
		if (cells + cw > w || o + n + 1 > len)
			break;
		memcpy(out + o, s, n);
		o += n;
		s += n;
		cells += cw;
	}
	out[o] = '\0';
	return cells;
}

int tui_width(const struct tui *t, const char *s)
{
	char buf[1024];
	return clip(t, s, 1 << 20, buf, sizeof(buf));
}

int tui_put(struct tui *t, int y, int x, int w, int role, const char *text)
{
	if (y < 0 || y >= LINES || x >= COLS || w <= 0)
		return 0;
	if (x + w > COLS)
		w = COLS - x;
	char buf[1024];
	int cells = clip(t, text, w, buf, sizeof(buf));
	attrset(t->role[role]);
	mvaddstr(y, x, buf);
	attrset(A_NORMAL);
	return cells;
}

int tui_putf(struct tui *t, int y, int x, int w, int role, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return tui_put(t, y, x, w, role, buf);
}

void tui_fill(struct tui *t, int y, int x, int w, int role)
{
	if (y < 0 || y >= LINES || x >= COLS)
		return;
	if (x + w > COLS)
		w = COLS - x;
	attrset(t->role[role]);
	mvhline(y, x, ' ', w);
	attrset(A_NORMAL);
}

/* ---- meters and graphs ------------------------------------------------------------- */

static int level_role(double fraction)
{
	static const int roles[3] = {BE_ROLE_METER_LOW, BE_ROLE_METER_MID, BE_ROLE_METER_HIGH};
	return roles[tui_level(fraction)];
}

void tui_meter(struct tui *t, int y, int x, int w, const char *label, double fraction,
               const char *text)
{
	int lw = tui_put(t, y, x, w, BE_ROLE_LABEL, label);
	int bw = w - lw - 2;
	if (bw < 1)
		return;
	tui_put(t, y, x + lw, 1, BE_ROLE_BORDER, t->g.lbracket);
	int part;
	int full = tui_bar_fill(fraction, bw, t->g.fill_steps, &part);
	int role = level_role(fraction);
	attrset(t->role[role]);
	for (int i = 0; i < bw; i++) {
		const char *gl = i < full                ? t->g.fill[t->g.fill_steps]
		                 : i == full && part > 0 ? t->g.fill[part]
		                                         : " ";
		mvaddstr(y, x + lw + 1 + i, gl);
	}
	attrset(A_NORMAL);
	int tw = tui_width(t, text);
	if (tw <= bw)
		tui_put(t, y, x + lw + 1 + bw - tw, tw, BE_ROLE_NORMAL, text);
	tui_put(t, y, x + lw + 1 + bw, 1, BE_ROLE_BORDER, t->g.rbracket);
}

#define GRAPH_MAX_W 512
double tui_graph(struct tui *t, int y, int x, int w, int h, const struct be_ring *r,
                 double floor_max)
{
	int hs[GRAPH_MAX_W];
	if (w > GRAPH_MAX_W)
		w = GRAPH_MAX_W;
	if (w <= 0 || h <= 0)
		return floor_max;
	int steps = t->g.graph_steps;
	double max = tui_graph_scale(r, w, h * steps, floor_max, hs);
	attrset(t->role[BE_ROLE_GRAPH]);
	for (int row = 0; row < h; row++) {
		int yy = y + h - 1 - row;
		if (yy < 0 || yy >= LINES)
			continue;
		for (int i = 0; i < w && x + i < COLS; i++)
			mvaddstr(yy, x + i, t->g.graph[tui_graph_cell(hs[i], row, steps)]);
	}
	attrset(A_NORMAL);
	return max;
}
