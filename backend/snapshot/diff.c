/* berth diff: what changed between two overlay views of layers (a
 * container's current state and its head or a snapshot).  Only the
 * directories the views do not share are walked; each touched path is
 * then looked up in both views as overlayfs would (whiteouts, opaque
 * directories), one path at a time, never by walking the shared lower. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "journal/journal.h"
#include "store/store.h"
#include "container/container.h"
#include "snapshot/snapshot.h"
#include "record/record.h"

/* ---- a set of strings, kept in insertion order ------------------------------- */

struct pathset {
	char **keys; /* insertion order */
	size_t n, kcap;
	size_t *slots; /* index + 1 into keys, 0 empty */
	size_t cap;    /* power of two */
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static size_t *slot_of(const struct pathset *s, const char *key)
{
	size_t i = (size_t)hash(key) & (s->cap - 1);
	while (s->slots[i] && strcmp(s->keys[s->slots[i] - 1], key) != 0)
		i = (i + 1) & (s->cap - 1);
	return &s->slots[i];
}

static void ps_grow(struct pathset *s)
{
	free(s->slots);
	s->cap = s->cap ? 2 * s->cap : 64;
	s->slots = xcalloc(s->cap, sizeof(*s->slots));
	for (size_t i = 0; i < s->n; i++)
		*slot_of(s, s->keys[i]) = i + 1;
}

/* Adds a copy of key; false when it was there. */
static bool ps_add(struct pathset *s, const char *key)
{
	if (2 * (s->n + 1) > s->cap)
		ps_grow(s);
	size_t *slot = slot_of(s, key);
	if (*slot)
		return false;
	if (s->n == s->kcap) {
		s->kcap = s->kcap ? 2 * s->kcap : 64;
		s->keys = xrealloc(s->keys, s->kcap * sizeof(char *));
	}
	s->keys[s->n++] = xstrdup(key);
	*slot = s->n;
	return true;
}

static void ps_free(struct pathset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->keys[i]);
	free(s->keys);
	free(s->slots);
	memset(s, 0, sizeof(*s));
}

/* ---- lookups in a view ----------------------------------------------------------- */

struct view {
	char *const *dirs; /* top first */
	size_t n;
	size_t *cur, *next; /* scratch, n each */
};

static char *join(const char *dir, const char *rel, size_t len)
{
	return xasprintf("%s/%.*s", dir, (int)len, rel);
}

struct found {
	size_t top;   /* layer providing the entry */
	mode_t mode;  /* its type and mode */
	size_t *dirs; /* for a directory: the layers merging into it (v->next) */
	size_t nd;
};

/* One component: which of the layers in cur hold prefix p[0..len), as
 * overlayfs resolves it.  Returns false when it does not exist. */
static bool resolve_step(struct view *v, size_t ncur, const char *p, size_t len, struct found *f)
{
	bool found = false;
	f->nd = 0;
	for (size_t j = 0; j < ncur; j++) {
		cleanup_free char *path = join(v->dirs[v->cur[j]], p, len);
		struct stat st;
		if (lstat(path, &st) < 0)
			continue;
		if (snap_is_whiteout(path, &st)) {
			if (!found)
				return false;
			break;
		}
		if (!found) {
			found = true;
			f->top = v->cur[j];
			f->mode = st.st_mode;
		}
		/* Below a non-directory, or a non-directory below a directory:
		 * nothing more merges. */
		if (!S_ISDIR(f->mode) || !S_ISDIR(st.st_mode))
			break;
		v->next[f->nd++] = v->cur[j];
		if (snap_is_opaque(path))
			break;
	}
	return found;
}

/* Looks up the relative path p in the view. */
static bool lookup(struct view *v, const char *p, struct found *f)
{
	size_t ncur = v->n;
	for (size_t i = 0; i < v->n; i++)
		v->cur[i] = i;
	for (const char *s = p;;) {
		const char *slash = strchr(s, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		if (!resolve_step(v, ncur, p, len, f))
			return false;
		if (slash == NULL) {
			f->dirs = v->next;
			return true;
		}
		if (!S_ISDIR(f->mode))
			return false;
		size_t *t = v->cur;
		v->cur = v->next;
		v->next = t;
		ncur = f->nd;
		s = slash + 1;
	}
}

/* Adds "p/NAME" to out for each name the merged directory p shows. */
static void add_children(struct view *v, const char *p, struct pathset *out)
{
	struct found f;
	if (!lookup(v, p, &f) || !S_ISDIR(f.mode))
		return;
	struct pathset seen = {0};
	size_t nd = f.nd;
	size_t *dirs = xmalloc((nd ? nd : 1) * sizeof(size_t));
	memcpy(dirs, f.dirs, nd * sizeof(size_t));
	for (size_t i = 0; i < nd; i++) {
		cleanup_free char *dir = join(v->dirs[dirs[i]], p, strlen(p));
		cleanup_dir DIR *d = opendir(dir);
		struct dirent *de;
		while (d && (de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
			    !ps_add(&seen, de->d_name))
				continue;
			cleanup_free char *full = xasprintf("%s/%s", dir, de->d_name);
			struct stat st;
			if (lstat(full, &st) < 0 || snap_is_whiteout(full, &st))
				continue;
			cleanup_free char *rel = xasprintf("%s/%s", p, de->d_name);
			ps_add(out, rel);
		}
	}
	free(dirs);
	ps_free(&seen);
}

/* ---- walking the directories the views do not share ------------------------------ */

static int walk(const char *top, const char *rel, struct pathset *out, struct be_error **err)
{
	cleanup_free char *dir = rel[0] ? xasprintf("%s/%s", top, rel) : xstrdup(top);
	cleanup_dir DIR *d = opendir(dir);
	if (d == NULL)
		return be_error_set(err, errno, "reading %s", dir);
	struct dirent *de;
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		cleanup_free char *sub =
		        rel[0] ? xasprintf("%s/%s", rel, de->d_name) : xstrdup(de->d_name);
		ps_add(out, sub);
		bool is_dir = de->d_type == DT_DIR;
		if (de->d_type == DT_UNKNOWN) {
			struct stat st;
			cleanup_free char *full = xasprintf("%s/%s", dir, de->d_name);
			is_dir = lstat(full, &st) == 0 && S_ISDIR(st.st_mode);
		}
		if (is_dir && walk(top, sub, out, err) < 0)
			return -1;
	}
	if (errno)
		return be_error_set(err, errno, "reading %s", dir);
	return 0;
}

/* True when a directory the views do not share makes p opaque. */
static bool opaque_in(char *const *dirs, size_t k, const char *p)
{
	for (size_t i = 0; i < k; i++) {
		cleanup_free char *path = xasprintf("%s/%s", dirs[i], p);
		struct stat st;
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && snap_is_opaque(path))
			return true;
	}
	return false;
}

/* ---- classification ------------------------------------------------------------------ */

static char *parent_of(const char *p)
{
	const char *slash = strrchr(p, '/');
	return slash ? xasprintf("%.*s", (int)(slash - p), p) : NULL;
}

/* The kind of change of p from b to a, or 0 for none. */
static char classify(struct view *a, struct view *b, size_t common, const char *p)
{
	struct found fa, fb;
	bool ea = lookup(a, p, &fa);
	bool eb = lookup(b, p, &fb);
	if (ea && eb) {
		/* The same shared layer provides it in both: unchanged. */
		bool shared_a = fa.top >= a->n - common, shared_b = fb.top >= b->n - common;
		if (shared_a && shared_b && fa.top - (a->n - common) == fb.top - (b->n - common))
			return 0;
		return 'C';
	}
	if (ea)
		return 'A';
	if (!eb)
		return 0;
	/* Deleted: shown once, at the top of what went. */
	cleanup_free char *parent = parent_of(p);
	if (parent && (!lookup(a, parent, &fa) || !S_ISDIR(fa.mode)))
		return 0;
	return 'D';
}

static int cmp_change(const void *x, const void *y)
{
	return strcmp(((const struct be_change *)x)->path, ((const struct be_change *)y)->path);
}

static void view_init(struct view *v, char *const *dirs, size_t n)
{
	v->dirs = dirs;
	v->n = n;
	v->cur = xcalloc(n ? n : 1, sizeof(size_t));
	v->next = xcalloc(n ? n : 1, sizeof(size_t));
}

static void view_free(struct view *v)
{
	free(v->cur);
	free(v->next);
}

static int touched_paths(char *const *a, size_t na, char *const *b, size_t nb, size_t common,
                         struct pathset *t, struct be_error **err)
{
	for (size_t i = 0; i + common < na; i++)
		if (walk(a[i], "", t, err) < 0)
			return -1;
	for (size_t i = 0; i + common < nb; i++)
		if (walk(b[i], "", t, err) < 0)
			return -1;
	return 0;
}

int snap_diff_views(char *const *a, size_t na, char *const *b, size_t nb, size_t common,
                    struct be_change **out, size_t *n, struct be_error **err)
{
	if (common > na || common > nb)
		return be_error_set(err, EINVAL, "diff: %zu shared layers of %zu and %zu", common,
		                    na, nb);
	struct pathset t = {0};
	if (touched_paths(a, na, b, nb, common, &t, err) < 0) {
		ps_free(&t);
		return -1;
	}
	struct view va, vb;
	view_init(&va, a, na);
	view_init(&vb, b, nb);
	/* An opaque directory hides what the other view has below it. */
	for (size_t i = 0, orig = t.n; i < orig; i++)
		if (opaque_in(a, na - common, t.keys[i]) || opaque_in(b, nb - common, t.keys[i])) {
			add_children(&va, t.keys[i], &t);
			add_children(&vb, t.keys[i], &t);
		}
	struct be_change *v = xcalloc(t.n ? t.n : 1, sizeof(*v));
	size_t k = 0;
	for (size_t i = 0; i < t.n; i++) {
		char kind = classify(&va, &vb, common, t.keys[i]);
		if (kind) {
			v[k].kind = kind;
			v[k++].path = xasprintf("/%s", t.keys[i]);
		}
	}
	view_free(&va);
	view_free(&vb);
	ps_free(&t);
	if (k)
		qsort(v, k, sizeof(*v), cmp_change);
	*out = v;
	*n = k;
	return 0;
}

void be_changes_free(struct be_change *c, size_t n)
{
	for (size_t i = 0; c && i < n; i++)
		free(c[i].path);
	free(c);
}

char *be_changes_json(const struct be_change *c, size_t n)
{
	cleanup_json json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		char kind[2] = {c[i].kind, '\0'};
		json_array_append_new(arr,
		                      json_pack("{s:s, s:s}", "kind", kind, "path", c[i].path));
	}
	return json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
}

/* ---- a container's diff ------------------------------------------------------------ */

static char **chain_dirs(struct be_ctx *ctx, char **ids, size_t n, const char *upper)
{
	size_t off = upper ? 1 : 0;
	char **v = xcalloc(n + off + 1, sizeof(char *));
	if (upper)
		v[0] = xstrdup(upper);
	for (size_t i = 0; i < n; i++)
		v[off + i] = layer_diff_path(ctx, ids[i]);
	return v;
}

static int diff_locked(struct be_ctx *ctx, const char *name, const char *snap,
                       struct be_change **out, size_t *n, struct be_error **err)
{
	struct rec_state st;
	if (rec_state_load(ctx, name, &st, err) < 0)
		return -1;
	char base[sizeof(st.head)];
	snprintf(base, sizeof(base), "%s", st.head);
	if (snap) {
		struct snap_list l;
		if (snap_list_load(ctx, name, &l, err) < 0)
			return -1;
		struct snap_rec *r = snap_find(&l, snap);
		if (r)
			snprintf(base, sizeof(base), "%s", r->layer);
		snap_list_clear(&l);
		if (r == NULL)
			return be_error_set(err, 0, "no such snapshot: %s", snap);
	}
	char **hc = NULL, **bc = NULL;
	size_t nh = 0, nbc = 0;
	int rc = -1;
	if (layer_chain(ctx, st.head, &hc, &nh, err) == 0 &&
	    layer_chain(ctx, base, &bc, &nbc, err) == 0) {
		size_t common = 0;
		while (common < nh && common < nbc &&
		       strcmp(hc[nh - 1 - common], bc[nbc - 1 - common]) == 0)
			common++;
		cleanup_free char *upper = rec_path(ctx, name, "upper");
		char **a = chain_dirs(ctx, hc, nh, upper), **b = chain_dirs(ctx, bc, nbc, NULL);
		rc = snap_diff_views(a, nh + 1, b, nbc, common, out, n, err);
		rec_strv_free(a);
		rec_strv_free(b);
	}
	layer_chain_free(hc, nh);
	layer_chain_free(bc, nbc);
	return rc;
}

int be_container_diff(struct be_ctx *ctx, const char *name, const char *snap,
                      struct be_change **out, size_t *n, struct be_error **err)
{
	if (be_name_check("container", name, err) < 0 ||
	    (snap && be_name_check("snapshot", snap, err) < 0))
		return -1;
	cleanup_lock struct be_lock *lock = NULL;
	if (rec_lock_existing(ctx, name, &lock, err) < 0)
		return -1;
	if (ct_reconcile(ctx, name, err) < 0 || diff_locked(ctx, name, snap, out, n, err) < 0)
		return be_error_wrap(err, "diff of %s", name);
	return 0;
}
