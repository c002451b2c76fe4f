/* The TUI's pure logic (tui/model.c, tui/model_text.c): rows joined from
 * monitor items and berth's containers, sorting, filtering, the selection,
 * fitting columns, colour reduction, the limits prompt, graph scaling and
 * the log pager's lines. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "../../tui/model.h"

/* ---- fixtures ------------------------------------------------------------ */

struct world {
	struct be_item items[3]; /* web (berth, running), d1 (docker), vm1 (vm) */
	const struct be_item *ptrs[3];
	size_t nitems;
	struct be_container_info cts[2]; /* web running, old exited (no cgroup) */
	size_t ncts;
	struct tui_model m;
};

static void item(struct be_item *it, enum be_kind kind, const char *name, const char *id,
                 double cpu)
{
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->berth = kind == BE_KIND_BERTH;
	snprintf(it->name, sizeof(it->name), "%s", name);
	snprintf(it->id, sizeof(it->id), "%s", id);
	it->cur.have = BE_HAVE_CPU | BE_HAVE_RATES | BE_HAVE_MEM;
	it->cur.cpu_percent = cpu;
	it->cur.mem_bytes = 1 << 20;
	it->cur.cpu_quota_percent = -1;
}

static void ct(struct be_container_info *c, const char *name, enum be_container_status st)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	snprintf(c->image, sizeof(c->image), "demo");
	c->status = st;
}

static int world_setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	item(&w->items[0], BE_KIND_BERTH, "web", "", 12.5);
	item(&w->items[1], BE_KIND_DOCKER, "d1", "abcdef0123456789", 50);
	snprintf(w->items[1].image, sizeof(w->items[1].image), "nginx:1.25");
	item(&w->items[2], BE_KIND_VM, "vm1", "4242", 12.5);
	for (int i = 0; i < 3; i++)
		w->ptrs[i] = &w->items[i];
	w->nitems = 3;
	ct(&w->cts[0], "web", BE_STATUS_RUNNING);
	ct(&w->cts[1], "old", BE_STATUS_EXITED);
	w->ncts = 2;
	tui_model_init(&w->m);
	tui_model_merge(&w->m, w->ptrs, w->nitems, w->cts, w->ncts);
	*state = w;
	return 0;
}

static int world_teardown(void **state)
{
	struct world *w = *state;
	tui_model_free(&w->m);
	free(w);
	return 0;
}

/* Names of the visible rows joined by spaces. */
static const char *order(const struct tui_model *m)
{
	static char buf[256];
	buf[0] = '\0';
	for (size_t i = 0; i < m->nvis; i++) {
		if (i)
			strcat(buf, " ");
		strcat(buf, m->rows[m->vis[i]].item->name);
	}
	return buf;
}

static void cell(const struct tui_model *m, const char *name, const char *col, char *buf,
                 size_t len)
{
	for (size_t i = 0; i < m->nrows; i++)
		if (strcmp(m->rows[i].item->name, name) == 0) {
			tui_row_format(&m->rows[i], tui_col_find(col), buf, len);
			return;
		}
	fail_msg("no row %s", name);
}

static void sort_by(struct tui_model *m, const char *col, bool reverse)
{
	m->sort = tui_col_find(col);
	m->reverse = reverse;
	tui_model_apply(m);
}

/* ---- rows ------------------------------------------------------------------ */

static void test_tui_model_merge_joins_and_adds_blank_rows(void **state)
{
	struct world *w = *state;
	assert_int_equal(w->m.nrows, 4);
	assert_string_equal(order(&w->m), "d1 old vm1 web");
	char buf[64];
	cell(&w->m, "web", "status", buf, sizeof(buf));
	assert_string_equal(buf, "running");
	cell(&w->m, "old", "status", buf, sizeof(buf));
	assert_string_equal(buf, "exited");
	cell(&w->m, "d1", "status", buf, sizeof(buf));
	assert_string_equal(buf, "");
	cell(&w->m, "old", "image", buf, sizeof(buf));
	assert_string_equal(buf, "demo");
	cell(&w->m, "vm1", "image", buf, sizeof(buf));
	assert_string_equal(buf, "");
	/* another engine's container: the image its own files name */
	cell(&w->m, "d1", "image", buf, sizeof(buf));
	assert_string_equal(buf, "nginx:1.25");
	/* old has no cgroup: a blank berth item, every metric unknown */
	cell(&w->m, "old", "cpu", buf, sizeof(buf));
	assert_string_equal(buf, "-");
	cell(&w->m, "old", "quota", buf, sizeof(buf));
	assert_string_equal(buf, "-");
	cell(&w->m, "old", "kind", buf, sizeof(buf));
	assert_string_equal(buf, "berth");
	cell(&w->m, "web", "cpu", buf, sizeof(buf));
	assert_string_equal(buf, "12.5");
}

static void test_tui_model_merge_same_count_keeps_buffers(void **state)
{
	struct world *w = *state;
	struct tui_row *rows = w->m.rows;
	struct be_item *blanks = w->m.blanks;
	tui_model_merge(&w->m, w->ptrs, w->nitems, w->cts, w->ncts);
	assert_ptr_equal(rows, w->m.rows);
	assert_ptr_equal(blanks, w->m.blanks);
}

/* A thousand records joined by name (a hash, not a scan per item): berth
 * items c0..c699, docker items named like berth's records (never joined),
 * records c300..c1299 (c700.. have no item: blank rows). */
static void test_tui_model_merge_many(void **state)
{
	(void)state;
	enum { NB = 700, ND = 100, NCT = 1000 };
	struct be_item *items = calloc(NB + ND, sizeof(*items));
	const struct be_item **ptrs = calloc(NB + ND, sizeof(*ptrs));
	struct be_container_info *cts = calloc(NCT, sizeof(*cts));
	char name[32];
	for (int i = 0; i < NB + ND; i++) {
		snprintf(name, sizeof(name), "c%d", i < NB ? i : 300 + i - NB);
		item(&items[i], i < NB ? BE_KIND_BERTH : BE_KIND_DOCKER, name, i < NB ? "" : "ab",
		     1);
		ptrs[i] = &items[i];
	}
	for (int i = 0; i < NCT; i++) {
		snprintf(name, sizeof(name), "c%d", 300 + i);
		ct(&cts[i], name, i < 400 ? BE_STATUS_RUNNING : BE_STATUS_EXITED);
	}
	struct tui_model m;
	tui_model_init(&m);
	for (int pass = 0; pass < 2; pass++) {
		tui_model_merge(&m, ptrs, NB + ND, cts, NCT);
		assert_int_equal(m.nrows, NB + ND + 600);
		size_t joined = 0, blanks = 0;
		for (size_t r = 0; r < m.nrows; r++) {
			const struct tui_row *row = &m.rows[r];
			if (row->ct)
				assert_string_equal(row->ct->name, row->item->name);
			if (!row->item->berth)
				assert_null(row->ct);
			int n = atoi(row->item->name + 1);
			if (row->item->berth && row->item >= items && row->item < items + NB) {
				assert_true((row->ct != NULL) == (n >= 300));
				joined += row->ct != NULL;
			} else if (row->item->berth) {
				assert_true(n >= 700 && row->ct != NULL);
				assert_int_equal(row->ct->status, BE_STATUS_EXITED);
				blanks++;
			}
		}
		assert_int_equal(joined, 400);
		assert_int_equal(blanks, 600);
		assert_int_equal(m.nvis, m.nrows);
	}
	tui_model_free(&m);
	free(items);
	free(ptrs);
	free(cts);
}

static void test_tui_row_compare_sort_and_reverse(void **state)
{
	struct world *w = *state;
	sort_by(&w->m, "name", true);
	assert_string_equal(order(&w->m), "web vm1 old d1");
	/* CPU: web and vm1 tie at 12.5; the tie goes by kind (berth < vm)
	 * whichever way the column is sorted; unknown (old) sorts lowest. */
	sort_by(&w->m, "cpu", false);
	assert_string_equal(order(&w->m), "old web vm1 d1");
	sort_by(&w->m, "cpu", true);
	assert_string_equal(order(&w->m), "d1 web vm1 old");
	sort_by(&w->m, "status", false);
	assert_string_equal(order(&w->m), "web old d1 vm1");
	sort_by(&w->m, "kind", false);
	assert_string_equal(order(&w->m), "old web d1 vm1");
	/* reversed: nginx:1.25 (d1's, from docker), demo, ""; ties by kind, name */
	sort_by(&w->m, "image", true);
	assert_string_equal(order(&w->m), "d1 old web vm1");
}

static void test_tui_row_matches_filter(void **state)
{
	struct world *w = *state;
	snprintf(w->m.filter, sizeof(w->m.filter), "WE");
	tui_model_apply(&w->m);
	assert_string_equal(order(&w->m), "web");
	snprintf(w->m.filter, sizeof(w->m.filter), "docker"); /* kind */
	tui_model_apply(&w->m);
	assert_string_equal(order(&w->m), "d1");
	snprintf(w->m.filter, sizeof(w->m.filter), "demo"); /* image */
	tui_model_apply(&w->m);
	assert_string_equal(order(&w->m), "old web");
	snprintf(w->m.filter, sizeof(w->m.filter), "cdef01"); /* id */
	tui_model_apply(&w->m);
	assert_string_equal(order(&w->m), "d1");
	snprintf(w->m.filter, sizeof(w->m.filter), "nothing-like-it");
	tui_model_apply(&w->m);
	assert_int_equal(w->m.nvis, 0);
	assert_null(tui_model_selected(&w->m));
	w->m.filter[0] = '\0';
	tui_model_apply(&w->m);
	assert_int_equal(w->m.nvis, 4);
}

static void test_tui_row_matches_exact_name(void **state)
{
	struct world *w = *state;
	const struct tui_row *web = NULL, *d1 = NULL;
	for (size_t i = 0; i < w->m.nrows; i++) {
		if (strcmp(w->m.rows[i].item->name, "web") == 0)
			web = &w->m.rows[i];
		if (strcmp(w->m.rows[i].item->name, "d1") == 0)
			d1 = &w->m.rows[i];
	}
	assert_non_null(web);
	assert_non_null(d1);
	assert_true(tui_row_matches(web, "=web"));
	assert_false(tui_row_matches(web, "=we"));
	assert_false(tui_row_matches(d1, "=web"));
	assert_true(tui_row_matches(web, "we")); /* plain filters stay substrings */
}

static void test_tui_model_selection_follows_item(void **state)
{
	struct world *w = *state;
	tui_model_select(&w->m, 1); /* d1 old vm1 web: old */
	assert_string_equal(tui_model_selected(&w->m)->item->name, "old");
	sort_by(&w->m, "name", true); /* web vm1 old d1 */
	assert_int_equal(w->m.sel_pos, 2);
	assert_string_equal(tui_model_selected(&w->m)->item->name, "old");
	/* Filtered out and back: the selection comes back to it. */
	snprintf(w->m.filter, sizeof(w->m.filter), "web");
	tui_model_apply(&w->m);
	assert_string_equal(tui_model_selected(&w->m)->item->name, "web");
	w->m.filter[0] = '\0';
	tui_model_apply(&w->m);
	assert_string_equal(tui_model_selected(&w->m)->item->name, "web");
	/* A new refresh with the same items: still there, same row. */
	tui_model_select(&w->m, 2);
	tui_model_merge(&w->m, w->ptrs, w->nitems, w->cts, w->ncts);
	assert_string_equal(tui_model_selected(&w->m)->item->name, "old");
}

static void test_tui_model_selection_falls_to_nearest_row(void **state)
{
	struct world *w = *state;
	tui_model_select(&w->m, 1); /* d1 old vm1 web: old */
	w->ncts = 1;                /* old was removed */
	tui_model_merge(&w->m, w->ptrs, w->nitems, w->cts, w->ncts);
	assert_string_equal(order(&w->m), "d1 vm1 web");
	assert_string_equal(tui_model_selected(&w->m)->item->name, "vm1");
	tui_model_select(&w->m, 2); /* web, the last row, vanishes */
	w->ptrs[0] = &w->items[2];
	w->nitems = 2;
	w->ncts = 0;
	tui_model_merge(&w->m, w->ptrs, w->nitems, w->cts, w->ncts);
	assert_string_equal(order(&w->m), "d1 vm1");
	assert_string_equal(tui_model_selected(&w->m)->item->name, "vm1");
	tui_model_merge(&w->m, w->ptrs, 0, w->cts, 0);
	assert_null(tui_model_selected(&w->m));
}

static void test_tui_model_move_clamps(void **state)
{
	struct world *w = *state;
	tui_model_move(&w->m, -5);
	assert_int_equal(w->m.sel_pos, 0);
	tui_model_move(&w->m, 2);
	assert_string_equal(tui_model_selected(&w->m)->item->name, "vm1");
	tui_model_move(&w->m, 100);
	assert_string_equal(tui_model_selected(&w->m)->item->name, "web");
	struct tui_ident id;
	tui_ident_of(tui_model_selected(&w->m), &id);
	assert_ptr_equal(tui_model_find(&w->m, &id), tui_model_selected(&w->m));
	id.kind = BE_KIND_DOCKER;
	assert_null(tui_model_find(&w->m, &id));
}

/* ---- columns ------------------------------------------------------------------ */

static int fit_total(const struct tui_colfit *f, size_t n)
{
	int t = 0;
	for (size_t i = 0; i < n; i++)
		t += f[i].width + (i ? 1 : 0);
	return t;
}

static bool fitted(const struct tui_colfit *f, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (f[i].col == tui_col_find(id))
			return true;
	return false;
}

static void test_tui_columns_fit_80_and_wide(void **state)
{
	(void)state;
	struct tui_colfit f[TUI_MAX_COLS];
	size_t n = tui_columns_fit(80, f);
	assert_true(fit_total(f, n) <= 80);
	assert_true(fitted(f, n, "name") && fitted(f, n, "cpu") && fitted(f, n, "mem"));
	assert_true(fitted(f, n, "status") && fitted(f, n, "kind") && fitted(f, n, "image"));
	assert_false(fitted(f, n, "uptime"));
	for (size_t i = 1; i < n; i++)
		assert_true(f[i - 1].col < f[i].col); /* display order */
	size_t wide = tui_columns_fit(400, f);
	assert_int_equal(wide, tui_col_count() - 1); /* HOST: only over several hosts */
	assert_false(fitted(f, wide, "host"));
	assert_true(fit_total(f, wide) <= 400);
	assert_true(wide > n);
	tui_model_show_host(true);
	n = tui_columns_fit(80, f);
	assert_true(fitted(f, n, "host") && fitted(f, n, "name"));
	assert_int_equal(f[0].col, tui_col_find("host"));
	tui_model_show_host(false);
}

static void test_tui_columns_fit_narrow_keeps_name(void **state)
{
	(void)state;
	struct tui_colfit f[TUI_MAX_COLS];
	size_t n = tui_columns_fit(20, f);
	assert_int_equal(n, 1);
	assert_int_equal(f[0].col, tui_col_find("name"));
	assert_int_equal(f[0].width, 20);
	n = tui_columns_fit(8, f);
	assert_int_equal(n, 1);
	assert_int_equal(f[0].width, 8);
	n = tui_columns_fit(28, f); /* NAME and CPU% */
	assert_int_equal(n, 2);
	assert_true(fitted(f, n, "cpu"));
	assert_int_equal(fit_total(f, n), 28);
}

/* What hands already know stays on narrow terminals: KIND and LIMIT at
 * 80x24 (78 cells of table), KIND at 50x12. */
static void test_tui_columns_fit_keeps_kind_and_limit(void **state)
{
	(void)state;
	struct tui_colfit f[TUI_MAX_COLS];
	size_t n = tui_columns_fit(78, f);
	assert_true(fitted(f, n, "kind") && fitted(f, n, "limit") && fitted(f, n, "image"));
	assert_true(fit_total(f, n) <= 78);
	n = tui_columns_fit(48, f);
	assert_true(fitted(f, n, "kind") && fitted(f, n, "name"));
	assert_true(fit_total(f, n) <= 48);
}

/* A user's column list (F2): only those, in that order; NAME always. */
static void test_tui_columns_fit_order_user_list(void **state)
{
	(void)state;
	struct tui_colfit f[TUI_MAX_COLS];
	size_t order[] = {tui_col_find("cpu"), tui_col_find("kind"), tui_col_find("pids")};
	size_t n = tui_columns_fit_order(200, order, 3, f);
	assert_int_equal(n, 4);
	assert_int_equal(f[0].col, tui_col_find("name")); /* not listed: first */
	assert_int_equal(f[1].col, tui_col_find("cpu"));
	assert_int_equal(f[2].col, tui_col_find("kind"));
	assert_int_equal(f[3].col, tui_col_find("pids"));
	size_t with_name[] = {tui_col_find("cpu"), tui_col_find("name")};
	n = tui_columns_fit_order(200, with_name, 2, f);
	assert_int_equal(n, 2);
	assert_int_equal(f[0].col, tui_col_find("cpu"));
	assert_int_equal(f[1].col, tui_col_find("name"));
	/* Too narrow for all: the most important go first, order kept. */
	n = tui_columns_fit_order(30, order, 3, f);
	assert_true(fit_total(f, n) <= 30);
	assert_true(fitted(f, n, "kind"));
	assert_false(fitted(f, n, "pids"));
}

/* F5: rows grouped by their cgroup's parent, headings first with their
 * members' sums; groups in the order of their first member. */
static void test_tui_tree_arrange_groups_with_sums(void **state)
{
	struct world *w = *state;
	snprintf(w->items[0].cgroup, sizeof(w->items[0].cgroup), "berth-1/web");
	snprintf(w->items[1].cgroup, sizeof(w->items[1].cgroup), "docker/abcdef");
	snprintf(w->items[2].cgroup, sizeof(w->items[2].cgroup), "docker/vmish");
	tui_model_merge(&w->m, w->ptrs, w->nitems, w->cts, w->ncts);
	sort_by(&w->m, "cpu", true); /* d1 50, web 12.5, vm1 12.5, old - */
	w->m.tree = true;
	tui_model_apply(&w->m);
	assert_string_equal(order(&w->m), "docker d1 vm1 berth-1 web (berth, no cgroup) old");
	const struct tui_row *h = &w->m.rows[w->m.vis[0]];
	assert_true(h->group);
	assert_int_equal(h->members, 2);
	assert_true(fabs(h->item->cur.cpu_percent - 62.5) < 1e-9);
	assert_int_equal(h->item->cur.mem_bytes, 2 << 20);
	assert_int_equal(w->m.rows[w->m.vis[1]].depth, 1);
	assert_false(w->m.rows[w->m.vis[1]].group);
	/* The selection can rest on a heading, and survives a refresh. */
	tui_model_select(&w->m, 3);
	assert_string_equal(tui_model_selected(&w->m)->item->name, "berth-1");
	tui_model_merge(&w->m, w->ptrs, w->nitems, w->cts, w->ncts);
	assert_string_equal(tui_model_selected(&w->m)->item->name, "berth-1");
	/* Off again: the plain rows, no depth left behind. */
	w->m.tree = false;
	tui_model_apply(&w->m);
	assert_string_equal(order(&w->m), "d1 web vm1 old");
	for (size_t i = 0; i < w->m.nvis; i++)
		assert_int_equal(w->m.rows[w->m.vis[i]].depth, 0);
}

static void test_tui_sort_cycle_wraps(void **state)
{
	(void)state;
	struct tui_colfit f[TUI_MAX_COLS];
	size_t n = tui_columns_fit(80, f);
	assert_int_equal(tui_sort_cycle(f, n, f[0].col, 1), f[1].col);
	assert_int_equal(tui_sort_cycle(f, n, f[n - 1].col, 1), f[0].col);
	assert_int_equal(tui_sort_cycle(f, n, f[0].col, -1), f[n - 1].col);
	assert_int_equal(tui_sort_cycle(f, n, tui_col_find("uptime"), 1), f[0].col);
}

/* ---- colours ---------------------------------------------------------------------- */

static void test_tui_color_reduce(void **state)
{
	(void)state;
	assert_int_equal(tui_color_reduce(-1, 8, false), -1);
	assert_int_equal(tui_color_reduce(200, 256, false), 200);
	assert_int_equal(tui_color_reduce(5, 8, false), 5);
	assert_int_equal(tui_color_reduce(13, 16, false), 13);
	assert_int_equal(tui_color_reduce(13, 8, false), 5);
	assert_int_equal(tui_color_reduce(8, 8, false), 7); /* grey text stays visible */
	assert_int_equal(tui_color_reduce(8, 8, true), 0);
	assert_int_equal(tui_color_reduce(196, 16, false), 9); /* #ff0000 */
	assert_int_equal(tui_color_reduce(196, 8, false), 1);
	assert_int_equal(tui_color_reduce(21, 16, false), 12);  /* #0000ff */
	assert_int_equal(tui_color_reduce(17, 16, false), 4);   /* #00005f: dark blue */
	assert_int_equal(tui_color_reduce(226, 8, false), 3);   /* #ffff00 */
	assert_int_equal(tui_color_reduce(214, 16, false), 11); /* #ffaf00: orange-yellow */
	assert_int_equal(tui_color_reduce(232, 16, false), 0);  /* near black */
	assert_int_equal(tui_color_reduce(255, 16, false), 15); /* #eeeeee */
	assert_int_equal(tui_color_reduce(255, 8, false), 7);
	assert_int_equal(tui_color_reduce(244, 16, false), 8); /* mid grey */
	assert_int_equal(tui_color_reduce(236, 8, false), 7);  /* dark grey text */
	assert_int_equal(tui_color_reduce(236, 8, true), 0);   /* dark grey background */
	assert_int_equal(tui_color_reduce(100, 2, false), -1);
	assert_int_equal(tui_color_reduce(300, 256, false), -1);
}

static void test_tui_level(void **state)
{
	(void)state;
	assert_int_equal(tui_level(0), 0);
	assert_int_equal(tui_level(0.59), 0);
	assert_int_equal(tui_level(0.6), 1);
	assert_int_equal(tui_level(0.85), 1);
	assert_int_equal(tui_level(0.86), 2);
	assert_int_equal(tui_level(3), 2);
}

/* ---- limits prompt ------------------------------------------------------------------- */

static void test_tui_limits_parse_good(void **state)
{
	(void)state;
	struct tui_argv a;
	char msg[256] = "";
	assert_int_equal(
	        tui_limits_parse("--memory 64m --cpus 0.5 --pids-limit 100", &a, msg, sizeof(msg)),
	        0);
	assert_int_equal(a.argc, 6);
	const char *want[] = {"--memory", "64m", "--cpus", "0.5", "--pids-limit", "100"};
	for (int i = 0; i < 6; i++)
		assert_string_equal(a.argv[i], want[i]);
	assert_null(a.argv[6]);
	assert_int_equal(
	        tui_limits_parse("  memory=128m\t-m 32m --io-weight=50 ", &a, msg, sizeof(msg)), 0);
	assert_int_equal(a.argc, 6);
	assert_string_equal(a.argv[0], "--memory");
	assert_string_equal(a.argv[1], "128m");
	assert_string_equal(a.argv[3], "32m");
	assert_string_equal(a.argv[4], "--io-weight");
	assert_string_equal(a.argv[5], "50");
}

static void test_tui_limits_parse_rejects(void **state)
{
	(void)state;
	struct tui_argv a;
	char msg[256];
	assert_int_equal(tui_limits_parse("   ", &a, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "no limit given"));
	assert_int_equal(tui_limits_parse("--memory", &a, msg, sizeof(msg)), -1);
	assert_string_equal(msg, "--memory needs a value");
	assert_int_equal(tui_limits_parse("--cpus 0.5 --colour red", &a, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "unknown limit \"--colour\""));
	assert_int_equal(a.argc, 0);
	assert_int_equal(tui_limits_parse("--memory 1k", &a, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "memory"));
	assert_null(strchr(msg, '\n'));
	assert_int_equal(tui_limits_parse("--pids-limit lots", &a, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "lots"));
	assert_int_equal(tui_limits_parse("--cpus 0.5e1", &a, msg, sizeof(msg)), -1);
	assert_int_equal(a.argc, 0);
}

/* ---- graphs ---------------------------------------------------------------------------- */

static void test_tui_graph_scale(void **state)
{
	(void)state;
	struct be_ring r = {0};
	for (int i = 1; i <= 4; i++)
		be_ring_push(&r, (float)i);
	int out[6];
	assert_true(tui_graph_scale(&r, 6, 8, 0, out) == 4.0);
	int want[] = {-1, -1, 2, 4, 6, 8};
	assert_memory_equal(out, want, sizeof(want));
	/* A floor (CPU: 100%) keeps small values small. */
	assert_true(tui_graph_scale(&r, 4, 100, 100, out) == 100.0);
	int want2[] = {1, 2, 3, 4};
	assert_memory_equal(out, want2, sizeof(want2));
	/* Only the newest samples that fit are shown. */
	tui_graph_scale(&r, 2, 8, 0, out);
	assert_int_equal(out[0], 6);
	assert_int_equal(out[1], 8);
	/* Tiny activity still shows; zero stays zero. */
	be_ring_push(&r, 0.001f);
	be_ring_push(&r, 0);
	tui_graph_scale(&r, 2, 8, 100, out);
	assert_int_equal(out[0], 1);
	assert_int_equal(out[1], 0);
}

static void test_tui_graph_scale_after_wrap(void **state)
{
	(void)state;
	struct be_ring r = {0};
	for (int i = 0; i < BE_STATS_HISTORY + 5; i++)
		be_ring_push(&r, (float)(i % 10 == 9 ? 10 : 0));
	int out[10];
	double max = tui_graph_scale(&r, 10, 4, 0, out);
	assert_true(max > 9.78 && max < 10.22); /* a held sample: within 2.2% */
	/* pushes 295..304: 299 is the only 10 */
	for (int i = 0; i < 10; i++)
		assert_int_equal(out[i], i == 4 ? 4 : 0);
	/* An empty ring: no data, and a scale that is never 0. */
	struct be_ring e = {0};
	assert_true(tui_graph_scale(&e, 3, 4, 0, out) > 0);
	assert_int_equal(out[0], -1);
	assert_int_equal(out[2], -1);
}

static void test_tui_graph_cell_and_bar_fill(void **state)
{
	(void)state;
	assert_int_equal(tui_graph_cell(11, 0, 8), 8);
	assert_int_equal(tui_graph_cell(11, 1, 8), 3);
	assert_int_equal(tui_graph_cell(11, 2, 8), 0);
	assert_int_equal(tui_graph_cell(-1, 0, 8), 0);
	int part;
	assert_int_equal(tui_bar_fill(0.5, 10, 8, &part), 5);
	assert_int_equal(part, 0);
	assert_int_equal(tui_bar_fill(0.55, 10, 8, &part), 5);
	assert_int_equal(part, 4);
	assert_int_equal(tui_bar_fill(2.0, 10, 1, &part), 10);
	assert_int_equal(part, 0);
	assert_int_equal(tui_bar_fill(-1, 10, 8, &part), 0);
	assert_int_equal(tui_bar_fill(NAN, 10, 8, &part), 0);
	assert_int_equal(part, 0);
}

/* ---- text ----------------------------------------------------------------------------------- */

static void test_tui_line_edit(void **state)
{
	(void)state;
	char buf[4] = "";
	assert_true(tui_line_edit(buf, sizeof(buf), 'a', 263));
	assert_true(tui_line_edit(buf, sizeof(buf), 'b', 263));
	assert_true(tui_line_edit(buf, sizeof(buf), 'c', 263));
	assert_true(tui_line_edit(buf, sizeof(buf), 'd', 263)); /* full: kept out */
	assert_string_equal(buf, "abc");
	assert_true(tui_line_edit(buf, sizeof(buf), 263, 263));
	assert_string_equal(buf, "ab");
	assert_true(tui_line_edit(buf, sizeof(buf), 127, 263));
	assert_string_equal(buf, "a");
	assert_false(tui_line_edit(buf, sizeof(buf), 27, 263));
	assert_true(tui_line_edit(buf, sizeof(buf), 21, 263));
	assert_string_equal(buf, "");
	assert_true(tui_line_edit(buf, sizeof(buf), 8, 263)); /* empty: nothing to delete */
	assert_string_equal(buf, "");
}

static void test_tui_lines_set_and_find(void **state)
{
	(void)state;
	struct tui_lines l = {0};
	const char text[] = "alpha\nBeta\n\n\x1b[2Jgamma\tx\n";
	tui_lines_set(&l, strdup(text), strlen(text), 1000);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.line[0], "alpha");
	assert_string_equal(l.line[2], "");
	assert_string_equal(l.line[3], "?[2Jgamma x");
	assert_int_equal(tui_lines_find(&l, 0, 1, "beta"), 1);
	assert_int_equal(tui_lines_find(&l, 2, 1, "alpha"), 0); /* wraps */
	assert_int_equal(tui_lines_find(&l, 0, -1, "gamma"), 3);
	assert_int_equal(tui_lines_find(&l, 0, 1, "delta"), -1);
	/* Only the last lines are kept; a last line without newline counts. */
	const char more[] = "1\n2\n3\n4";
	tui_lines_set(&l, strdup(more), strlen(more), 2);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.line[0], "3");
	assert_string_equal(l.line[1], "4");
	tui_lines_set(&l, strdup(""), 0, 10);
	assert_int_equal(l.n, 0);
	assert_int_equal(tui_lines_find(&l, 0, 1, "x"), -1);
	tui_lines_free(&l);
}

#define WT(f) cmocka_unit_test_setup_teardown(f, world_setup, world_teardown)

/* Over several hosts: a remote berth item named as a local record is
 * never joined with it (the record stays a blank row of this host), and
 * the HOST column and the filter read the row's host. */
static void test_tui_merge_hosts(void **state)
{
	struct world *w = *state;
	struct be_item far;
	item(&far, BE_KIND_BERTH, "old", "", 1);
	const struct be_item *ptrs[] = {w->ptrs[0], &far};
	const char *hosts[] = {"here", "node2:22"};
	const bool remote[] = {false, true};
	tui_model_merge_hosts(&w->m, ptrs, hosts, remote, 2, w->cts, w->ncts);
	assert_int_equal(w->m.nrows, 3); /* web, remote old, blank old */
	size_t host = tui_col_find("host");
	char buf[64];
	int remotes = 0, blanks = 0;
	for (size_t i = 0; i < w->m.nrows; i++) {
		const struct tui_row *r = &w->m.rows[i];
		tui_row_format(r, host, buf, sizeof(buf));
		if (r->remote) {
			remotes++;
			assert_null(r->ct);
			assert_string_equal(buf, "node2:22");
		} else {
			assert_non_null(r->ct);
			assert_string_equal(buf, "here");
			blanks += r->item != ptrs[0];
		}
	}
	assert_int_equal(remotes, 1);
	assert_int_equal(blanks, 1);
	snprintf(w->m.filter, sizeof(w->m.filter), "node2");
	tui_model_apply(&w->m);
	assert_int_equal(w->m.nvis, 1);
	assert_true(w->m.rows[w->m.vis[0]].remote);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_tui_merge_hosts, world_setup, world_teardown),
	        WT(test_tui_model_merge_joins_and_adds_blank_rows),
	        WT(test_tui_model_merge_same_count_keeps_buffers),
	        cmocka_unit_test(test_tui_model_merge_many),
	        WT(test_tui_row_compare_sort_and_reverse),
	        WT(test_tui_row_matches_filter),
	        WT(test_tui_model_selection_follows_item),
	        WT(test_tui_model_selection_falls_to_nearest_row),
	        WT(test_tui_model_move_clamps),
	        cmocka_unit_test(test_tui_columns_fit_80_and_wide),
	        cmocka_unit_test(test_tui_columns_fit_narrow_keeps_name),
	        cmocka_unit_test(test_tui_sort_cycle_wraps),
	        cmocka_unit_test(test_tui_color_reduce),
	        cmocka_unit_test(test_tui_level),
	        cmocka_unit_test(test_tui_limits_parse_good),
	        cmocka_unit_test(test_tui_limits_parse_rejects),
	        cmocka_unit_test(test_tui_graph_scale),
	        cmocka_unit_test(test_tui_graph_scale_after_wrap),
	        cmocka_unit_test(test_tui_graph_cell_and_bar_fill),
	        cmocka_unit_test(test_tui_line_edit),
	        cmocka_unit_test(test_tui_lines_set_and_find),
	        cmocka_unit_test(test_tui_columns_fit_keeps_kind_and_limit),
	        cmocka_unit_test_setup_teardown(test_tui_row_matches_exact_name, world_setup,
	                                        world_teardown),
	        cmocka_unit_test(test_tui_columns_fit_order_user_list),
	        cmocka_unit_test_setup_teardown(test_tui_tree_arrange_groups_with_sums, world_setup,
	                                        world_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
