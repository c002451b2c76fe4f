/* The F5 tree: the table's rows grouped by the parent of their cgroup
 * (berth's containers under berth-<hash>, docker's under docker/, ...),
 * each group led by a heading row whose numbers are its members' sums.
 * Pure logic, as model.c: no curses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

static void *grow(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (q == NULL)
		abort();
	return q;
}

/* The group of a row: its cgroup's parent path ("/" for a top-level one),
 * or "(KIND, no cgroup)" for one without (a stopped berth container). */
static void group_key(const struct tui_row *r, char *out, size_t len)
{
	const char *cg = r->item->cgroup;
	const char *slash = strrchr(cg, '/');
	if (cg[0] && slash && slash != cg)
		snprintf(out, len, "%.*s", (int)(slash - cg), cg);
	else if (cg[0])
		snprintf(out, len, "/");
	else
		snprintf(out, len, "(%s, no cgroup)", be_kind_name(r->item->kind));
}

static void add_sample(struct be_sample *sum, const struct be_sample *s)
{
	sum->have |= s->have;
	sum->cpu_percent += s->cpu_percent;
	sum->cpu_cores += s->cpu_cores;
	sum->mem_bytes += s->mem_bytes;
	sum->mem_working_set_bytes += s->mem_working_set_bytes;
	sum->pids += s->pids;
	sum->throttled_periods += s->throttled_periods;
	sum->oom_kills += s->oom_kills;
	sum->io_read_bytes_per_s += s->io_read_bytes_per_s;
	sum->io_write_bytes_per_s += s->io_write_bytes_per_s;
	sum->net_rx_bytes_per_s += s->net_rx_bytes_per_s;
	sum->net_tx_bytes_per_s += s->net_tx_bytes_per_s;
}

static void heading(struct be_item *g, const char *key)
{
	memset(g, 0, sizeof(*g));
	g->kind = BE_KIND_CGROUP;
	snprintf(g->name, sizeof(g->name), "%s", key);
	g->cur.cpu_quota_us = BE_UNLIMITED;
	g->cur.cpu_quota_percent = -1;
	g->cur.mem_limit_bytes = BE_UNLIMITED;
	g->cur.pids_limit = BE_UNLIMITED;
}

static void reserve(struct tui_model *m, size_t n)
{
	if (m->nrows + n > m->rows_cap) {
		m->rows_cap = m->nrows + n + 8;
		m->rows = grow(m->rows, m->rows_cap * sizeof(*m->rows));
		m->vis = grow(m->vis, m->rows_cap * sizeof(*m->vis));
	}
	if (n > m->groups_cap) {
		m->groups_cap = n + 4;
		m->groups = grow(m->groups, m->groups_cap * sizeof(*m->groups));
	}
	if (n > m->keys_cap) {
		m->keys_cap = n + 4;
		m->keys = grow(m->keys, m->keys_cap * sizeof(*m->keys));
		m->scratch = grow(m->scratch, 3 * m->keys_cap * sizeof(*m->scratch));
	}
}

/* perm entries (positions in the sorted vis): by group key, then position,
 * so each group is one run led by its first member. */
static int by_key(const void *a, const void *b, void *arg)
{
	const struct tui_model *m = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(m->keys[x], m->keys[y]);
	return c ? c : (x > y) - (x < y);
}

/* Runs (their first perm index), by their first member's position. */
static int by_first(const void *a, const void *b, void *arg)
{
	const size_t *perm = arg;
	size_t x = perm[*(const size_t *)a], y = perm[*(const size_t *)b];
	return (x > y) - (x < y);
}

void tui_tree_arrange(struct tui_model *m)
{
	size_t n = m->nvis;
	if (n == 0)
		return;
	reserve(m, n); /* at most one heading a member */
	size_t *src = m->scratch, *perm = m->scratch + n, *runs = m->scratch + 2 * n;
	memcpy(src, m->vis, n * sizeof(*src));
	for (size_t i = 0; i < n; i++) {
		group_key(&m->rows[src[i]], m->keys[i], sizeof(m->keys[i]));
		perm[i] = i;
	}
	qsort_r(perm, n, sizeof(*perm), by_key, m);
	size_t nruns = 0;
	for (size_t i = 0; i < n; i++)
		if (i == 0 || strcmp(m->keys[perm[i]], m->keys[perm[i - 1]]) != 0)
			runs[nruns++] = i;
	qsort_r(runs, nruns, sizeof(*runs), by_first, perm);
	size_t out = 0;
	for (size_t g = 0; g < nruns; g++) {
		size_t start = runs[g];
		const char *key = m->keys[perm[start]];
		struct be_item *item = &m->groups[g];
		heading(item, key);
		size_t hrow = m->nrows + g, head = out++;
		unsigned members = 0;
		for (size_t i = start; i < n && strcmp(m->keys[perm[i]], key) == 0; i++) {
			struct tui_row *r = &m->rows[src[perm[i]]];
			r->depth = 1;
			add_sample(&item->cur, &r->item->cur);
			m->vis[out++] = src[perm[i]];
			members++;
		}
		m->rows[hrow] = (struct tui_row){.item = item, .group = true, .members = members};
		m->vis[head] = hrow;
	}
	m->nvis = out;
}

void tui_tree_free(struct tui_model *m)
{
	free(m->groups);
	free(m->keys);
	free(m->scratch);
	m->groups = NULL;
	m->keys = NULL;
	m->scratch = NULL;
	m->groups_cap = m->keys_cap = 0;
}
