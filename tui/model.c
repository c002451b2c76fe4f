/* The table's logic without curses: joining the monitor's items with
 * berth's container list, filtering, sorting, keeping the selection on its
 * item, and choosing the columns that fit. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

/* Display order.  prio says what a narrow terminal drops first (the
 * highest); widths are be_stats_columns' (filled in on first use). */
static struct tui_col cols[] = {
        {.id = "kind", .prio = 1},        {.id = "name", .prio = 0},
        {.id = "status", .prio = 4},      {.id = "image", .prio = 6},
        {.id = "cpu", .prio = 2},         {.id = "quota", .prio = 14},
        {.id = "mem", .prio = 3},         {.id = "limit", .prio = 5},
        {.id = "mem_pct", .prio = 8},     {.id = "pids", .prio = 7},
        {.id = "pids_limit", .prio = 17}, {.id = "net_rx", .prio = 9},
        {.id = "net_tx", .prio = 10},     {.id = "io_read", .prio = 11},
        {.id = "io_write", .prio = 12},   {.id = "throttled", .prio = 15},
        {.id = "oom_kills", .prio = 16},  {.id = "psi_cpu", .prio = 18},
        {.id = "psi_mem", .prio = 19},    {.id = "psi_io", .prio = 20},
        {.id = "ws", .prio = 21},         {.id = "cores", .prio = 22},
        {.id = "guest_mem", .prio = 23},  {.id = "id", .prio = 13},
        {.id = "uptime", .prio = 24},     {.id = "host", .prio = 2},
};
static bool show_host; /* the HOST column fits only over several hosts */

void tui_model_show_host(bool on)
{
	show_host = on;
}
#define NCOLS (sizeof(cols) / sizeof(cols[0]))
#define NAME_MIN 4
#define NAME_MAX_WIDTH 40

/* Binds the table to be_stats_columns once; a column the backend lacks
 * keeps width 0 and is never fitted.  STATUS and IMAGE are the TUI's own
 * (berth's containers have them; the monitor does not). */
static void cols_bind(void)
{
	static bool bound;
	if (bound)
		return;
	for (size_t i = 0; i < NCOLS; i++) {
		if (strcmp(cols[i].id, "host") == 0) {
			cols[i].title = "HOST";
			cols[i].width = -21; /* "[v6addr]:port", a name */
			continue;
		}
		if (strcmp(cols[i].id, "status") == 0 || strcmp(cols[i].id, "image") == 0) {
			bool st = cols[i].id[0] == 's';
			cols[i].title = st ? "STATUS" : "IMAGE";
			cols[i].width = st ? -7 : -12;
			continue;
		}
		cols[i].bc = be_stats_column(cols[i].id);
		cols[i].title = cols[i].bc ? cols[i].bc->title : cols[i].id;
		cols[i].width = cols[i].bc ? cols[i].bc->width : 0;
	}
	bound = true;
}

const struct tui_col *tui_col_at(size_t i)
{
	cols_bind();
	return i < NCOLS ? &cols[i] : NULL;
}

size_t tui_col_count(void)
{
	return NCOLS;
}

size_t tui_col_find(const char *id)
{
	for (size_t i = 0; i < NCOLS; i++)
		if (strcmp(cols[i].id, id) == 0)
			return i;
	return (size_t)-1;
}

static int abs_width(const struct tui_col *c)
{
	return c->width < 0 ? -c->width : c->width;
}

/* Appends column i to out (NAME gets the spare cells); each column once. */
static size_t fit_one(size_t i, int width, int used, bool *take, struct tui_colfit *out, size_t n)
{
	take[i] = false;
	int w = abs_width(&cols[i]);
	if (strcmp(cols[i].id, "name") == 0) {
		w += width - used; /* spare cells, or fewer when even NAME is cut */
		if (w > NAME_MAX_WIDTH)
			w = NAME_MAX_WIDTH;
		if (w < NAME_MIN)
			w = NAME_MIN;
	}
	out[n] = (struct tui_colfit){.col = i, .width = w};
	return n + 1;
}

size_t tui_columns_fit(int width, struct tui_colfit *out)
{
	return tui_columns_fit_order(width, NULL, 0, out);
}

size_t tui_columns_fit_order(int width, const size_t *order, size_t norder, struct tui_colfit *out)
{
	cols_bind();
	size_t all[NCOLS + 1], host = tui_col_find("host");
	if (norder == 0) {
		size_t n = 0;
		if (show_host)
			all[n++] = host; /* first: which host is the first question */
		for (size_t i = 0; i < NCOLS; i++)
			if (i != host)
				all[n++] = i;
		order = all;
		norder = n;
	}
	bool take[NCOLS] = {false};
	size_t name = tui_col_find("name");
	take[name] = true;
	int used = abs_width(&cols[name]);
	/* Most important first (the lowest prio), among the columns asked. */
	for (int p = 1; p < (int)NCOLS + 1; p++)
		for (size_t k = 0; k < norder; k++) {
			size_t i = order[k];
			int w = i < NCOLS ? abs_width(&cols[i]) : 0;
			if (w == 0 || cols[i].prio != p || take[i] || used + 1 + w > width ||
			    (i == host && !show_host))
				continue;
			take[i] = true;
			used += 1 + w;
		}
	/* NAME first when the order lacks it, else where the order puts it. */
	bool name_listed = false;
	for (size_t k = 0; k < norder; k++)
		name_listed |= order[k] == name;
	size_t n = 0;
	if (!name_listed)
		n = fit_one(name, width, used, take, out, n);
	for (size_t k = 0; k < norder && n < TUI_MAX_COLS; k++)
		if (order[k] < NCOLS && take[order[k]])
			n = fit_one(order[k], width, used, take, out, n);
	return n;
}

size_t tui_sort_cycle(const struct tui_colfit *fit, size_t nfit, size_t cur, int dir)
{
	if (nfit == 0)
		return cur;
	for (size_t i = 0; i < nfit; i++)
		if (fit[i].col == cur) {
			size_t j = dir > 0 ? (i + 1) % nfit : (i + nfit - 1) % nfit;
			return fit[j].col;
		}
	return dir > 0 ? fit[0].col : fit[nfit - 1].col;
}

/* ---- rows ------------------------------------------------------------------- */

void tui_model_init(struct tui_model *m)
{
	memset(m, 0, sizeof(*m));
	m->sort = tui_col_find("name");
	m->sel.kind = -1;
}

void tui_model_free(struct tui_model *m)
{
	free(m->rows);
	free(m->vis);
	free(m->blanks);
	tui_tree_free(m);
	memset(m, 0, sizeof(*m));
}

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (q == NULL)
		abort();
	return q;
}

static void reserve(struct tui_model *m, size_t nrows, size_t nblanks)
{
	if (nrows > m->rows_cap) {
		m->rows_cap = nrows + nrows / 2 + 8;
		m->rows = xrealloc(m->rows, m->rows_cap * sizeof(*m->rows));
		m->vis = xrealloc(m->vis, m->rows_cap * sizeof(*m->vis));
	}
	if (nblanks > m->blanks_cap) {
		m->blanks_cap = nblanks + nblanks / 2 + 4;
		m->blanks = xrealloc(m->blanks, m->blanks_cap * sizeof(*m->blanks));
	}
}

/* A stand-in for a berth container the monitor does not see (no cgroup):
 * every metric unknown, so the columns print "-". */
static void blank_item(struct be_item *it, const struct be_container_info *ct)
{
	memset(it, 0, sizeof(*it));
	it->kind = BE_KIND_BERTH;
	it->berth = true;
	snprintf(it->name, sizeof(it->name), "%s", ct->name);
	it->cur.cpu_quota_percent = -1;
}

/* ---- the join ------------------------------------------------------------
 * Items and berth's records are joined by name through a hash table of the
 * records, open addressing, built in m->vis (free until tui_model_apply
 * fills it, and never smaller than the rows), so a refresh costs O(n) and
 * allocates nothing once the row count stops growing. */
#define SLOT_EMPTY ((size_t)-1)

static size_t name_hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void index_cts(size_t *slots, size_t nslots, const struct be_container_info *cts,
                      size_t ncts)
{
	for (size_t i = 0; i < nslots; i++)
		slots[i] = SLOT_EMPTY;
	/* Names are unique; were one repeated, the first record would win. */
	for (size_t i = 0; i < ncts; i++) {
		size_t s = name_hash(cts[i].name) % nslots;
		while (slots[s] != SLOT_EMPTY && strcmp(cts[slots[s]].name, cts[i].name) != 0)
			s = (s + 1) % nslots;
		if (slots[s] == SLOT_EMPTY)
			slots[s] = i;
	}
}

/* The index of the record named name, or SLOT_EMPTY. */
static size_t find_ct(const size_t *slots, size_t nslots, const struct be_container_info *cts,
                      const char *name)
{
	for (size_t s = name_hash(name) % nslots; slots[s] != SLOT_EMPTY; s = (s + 1) % nslots)
		if (strcmp(cts[slots[s]].name, name) == 0)
			return slots[s];
	return SLOT_EMPTY;
}

void tui_model_merge_hosts(struct tui_model *m, const struct be_item *const *items,
                           const char *const *hosts, const bool *remote, size_t nitems,
                           const struct be_container_info *cts, size_t ncts)
{
	/* Room for every item and every record: rows[nitems + j].ct marks
	 * record j as joined until the blank rows overwrite that tail. */
	reserve(m, nitems + ncts, 0);
	size_t nslots = m->rows_cap;
	index_cts(m->vis, nslots, cts, ncts);
	for (size_t j = 0; j < ncts; j++)
		m->rows[nitems + j].ct = NULL;
	const char *local = NULL;
	for (size_t i = 0; i < nitems; i++) {
		bool rem = remote && remote[i];
		/* A remote host's item never joins this host's records. */
		size_t j = items[i]->berth && !rem ? find_ct(m->vis, nslots, cts, items[i]->name)
		                                   : SLOT_EMPTY;
		const struct be_container_info *ct = j == SLOT_EMPTY ? NULL : &cts[j];
		const char *h = hosts ? hosts[i] : NULL;
		if (!rem && h)
			local = h;
		m->rows[i] = (struct tui_row){.item = items[i], .ct = ct, .host = h, .remote = rem};
		if (ct)
			m->rows[nitems + j].ct = ct;
	}
	size_t nblank = 0;
	for (size_t j = 0; j < ncts; j++)
		nblank += m->rows[nitems + j].ct == NULL;
	reserve(m, 0, nblank);
	m->nrows = nitems;
	size_t b = 0;
	for (size_t j = 0; j < ncts; j++) {
		/* Read before the write below: it lands at or before slot j. */
		if (m->rows[nitems + j].ct != NULL)
			continue;
		blank_item(&m->blanks[b], &cts[j]);
		m->rows[m->nrows++] =
		        (struct tui_row){.item = &m->blanks[b], .ct = &cts[j], .host = local};
		b++;
	}
	tui_model_apply(m);
}

void tui_model_merge(struct tui_model *m, const struct be_item *const *items, size_t nitems,
                     const struct be_container_info *cts, size_t ncts)
{
	tui_model_merge_hosts(m, items, NULL, NULL, nitems, cts, ncts);
}

void tui_ident_of(const struct tui_row *r, struct tui_ident *out)
{
	out->kind = (int)r->item->kind;
	snprintf(out->name, sizeof(out->name), "%s", r->item->name);
	snprintf(out->id, sizeof(out->id), "%s", r->item->id);
}

bool tui_ident_eq(const struct tui_ident *a, const struct tui_ident *b)
{
	return a->kind == b->kind && strcmp(a->name, b->name) == 0 && strcmp(a->id, b->id) == 0;
}

/* tui_ident_eq of the row's ident, without copying it out. */
static bool row_is(const struct tui_row *r, const struct tui_ident *id)
{
	return (int)r->item->kind == id->kind && strcmp(r->item->name, id->name) == 0 &&
	       strcmp(r->item->id, id->id) == 0;
}

/* berth's record of the image, else what the engine's files said (docker,
 * podman), else nothing. */
static const char *row_image(const struct tui_row *r)
{
	return r->ct ? r->ct->image : r->item->image;
}

bool tui_row_matches(const struct tui_row *r, const char *filter)
{
	if (filter == NULL || filter[0] == '\0')
		return true;
	/* "=NAME": that name exactly (a watcher of many roots has several
	 * "web"s containing "web"). */
	if (filter[0] == '=')
		return strcmp(r->item->name, filter + 1) == 0;
	return strcasestr(r->item->name, filter) ||
	       strcasestr(be_kind_name(r->item->kind), filter) || strcasestr(r->item->id, filter) ||
	       strcasestr(row_image(r), filter) || (r->host && strcasestr(r->host, filter));
}

/* STATUS sorts running, paused, created, exited, then what berth does not
 * own. */
static int status_rank(const struct tui_row *r)
{
	if (r->ct == NULL)
		return 4;
	switch (r->ct->status) {
	case BE_STATUS_RUNNING: return 0;
	case BE_STATUS_PAUSED: return 1;
	case BE_STATUS_CREATED: return 2;
	case BE_STATUS_EXITED:
	default: return 3;
	}
}

int tui_row_compare(const struct tui_row *a, const struct tui_row *b, size_t col, bool reverse)
{
	const struct tui_col *c = tui_col_at(col);
	int r = 0;
	if (c && c->bc)
		r = c->bc->compare(a->item, b->item);
	else if (c && strcmp(c->id, "image") == 0)
		r = strcmp(row_image(a), row_image(b));
	else if (c && strcmp(c->id, "host") == 0)
		r = strcmp(a->host ? a->host : "", b->host ? b->host : "");
	else if (c)
		r = status_rank(a) - status_rank(b);
	if (reverse)
		r = -r;
	if (r == 0)
		r = strcmp(be_kind_name(a->item->kind), be_kind_name(b->item->kind));
	if (r == 0)
		r = strcmp(a->item->name, b->item->name);
	/* Of two of one name, this root's own first (another root's "web"
	 * is only watched). */
	if (r == 0)
		r = (int)b->item->berth - (int)a->item->berth;
	if (r == 0)
		r = strcmp(a->item->id, b->item->id);
	return r < 0 ? -1 : r > 0;
}

void tui_row_format(const struct tui_row *r, size_t col, char *buf, size_t len)
{
	const struct tui_col *c = tui_col_at(col);
	if (len == 0)
		return;
	buf[0] = '\0';
	if (c == NULL)
		return;
	if (c->bc)
		c->bc->format(r->item, buf, len);
	else if (strcmp(c->id, "image") == 0)
		snprintf(buf, len, "%s", row_image(r));
	else if (strcmp(c->id, "host") == 0)
		snprintf(buf, len, "%s", r->host ? r->host : "");
	else if (r->ct)
		snprintf(buf, len, "%s", be_container_status_name(r->ct->status));
}

static int by_sort(const void *x, const void *y, void *arg)
{
	const struct tui_model *m = arg;
	return tui_row_compare(&m->rows[*(const size_t *)x], &m->rows[*(const size_t *)y], m->sort,
	                       m->reverse);
}

void tui_model_apply(struct tui_model *m)
{
	size_t old = m->sel_pos;
	m->nvis = 0;
	for (size_t i = 0; i < m->nrows; i++) {
		m->rows[i].depth = 0; /* the tree sets it again */
		if (tui_row_matches(&m->rows[i], m->filter))
			m->vis[m->nvis++] = i;
	}
	if (m->nvis > 1)
		qsort_r(m->vis, m->nvis, sizeof(*m->vis), by_sort, m);
	if (m->tree)
		tui_tree_arrange(m);
	if (m->nvis == 0) {
		m->sel_pos = 0; /* the ident stays: the item may come back */
		return;
	}
	for (size_t i = 0; i < m->nvis; i++) {
		if (row_is(&m->rows[m->vis[i]], &m->sel)) {
			m->sel_pos = i;
			return;
		}
	}
	/* Gone (or never chosen): the row now where it was, or the last. */
	tui_model_select(m, m->sel.kind < 0 ? 0 : old);
}

const struct tui_row *tui_model_selected(const struct tui_model *m)
{
	return m->nvis ? &m->rows[m->vis[m->sel_pos]] : NULL;
}

void tui_model_select(struct tui_model *m, size_t pos)
{
	if (m->nvis == 0)
		return;
	m->sel_pos = pos < m->nvis ? pos : m->nvis - 1;
	tui_ident_of(&m->rows[m->vis[m->sel_pos]], &m->sel);
}

void tui_model_move(struct tui_model *m, long delta)
{
	if (m->nvis == 0)
		return;
	long p = (long)m->sel_pos + delta;
	if (p < 0)
		p = 0;
	tui_model_select(m, (size_t)p);
}

const struct tui_row *tui_model_find(const struct tui_model *m, const struct tui_ident *ident)
{
	for (size_t i = 0; i < m->nrows; i++)
		if (row_is(&m->rows[i], ident))
			return &m->rows[i];
	return NULL;
}
