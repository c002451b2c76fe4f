/* What changed in a live upper while it was copied, told by inotify: every
 * directory of the tree is watched before the first pass, the events are
 * drained as the copy goes (so the kernel's queue never fills), and the
 * frozen pass copies again only the entries they name.  Whenever the events
 * cannot tell the whole story (a queue overflow, a moved directory, hard
 * links, a watch that cannot be added) the caller falls back to the ctime
 * walk of snap_copy_delta. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal/journal.h"

#define WATCH_MASK                                                                                 \
	(IN_MODIFY | IN_ATTRIB | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |             \
	 IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

struct snap_watch {
	int fd;
	char **dirs; /* by watch descriptor: the directory's path below the root */
	size_t ndirs;
	char **dirty; /* paths below the root whose entry changed (a set) */
	size_t ndirty;
	size_t *slots; /* open-addressing hash of dirty: index + 1, 0 empty */
	size_t nslots;
	bool lost; /* the events no longer tell everything */
};

static void dirs_set(struct snap_watch *w, int wd, const char *rel)
{
	if ((size_t)wd >= w->ndirs) {
		size_t n = (size_t)wd + 64;
		w->dirs = xrealloc(w->dirs, n * sizeof(char *));
		memset(w->dirs + w->ndirs, 0, (n - w->ndirs) * sizeof(char *));
		w->ndirs = n;
	}
	free(w->dirs[wd]);
	w->dirs[wd] = xstrdup(rel);
}

/* Watches dir (path abs, rel below the root) and every directory in it. */
static int watch_tree(struct snap_watch *w, const char *abs, const char *rel)
{
	int wd = inotify_add_watch(w->fd, abs, WATCH_MASK);
	if (wd < 0)
		return -1;
	dirs_set(w, wd, rel);
	cleanup_dir DIR *dir = opendir(abs);
	if (dir == NULL)
		return -1;
	struct dirent *de;
	while ((errno = 0, de = readdir(dir)) != NULL) {
		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		cleanup_free char *a = xasprintf("%s/%s", abs, de->d_name);
		cleanup_free char *r =
		        rel[0] ? xasprintf("%s/%s", rel, de->d_name) : xstrdup(de->d_name);
		if (watch_tree(w, a, r) < 0)
			return -1;
	}
	return errno ? -1 : 0;
}

struct snap_watch *snap_watch_start(const char *dir)
{
	struct snap_watch *w = xcalloc(1, sizeof(*w));
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0 || watch_tree(w, dir, "") < 0) {
		snap_watch_free(w);
		return NULL;
	}
	return w;
}

void snap_watch_free(struct snap_watch *w)
{
	if (w == NULL)
		return;
	if (w->fd >= 0)
		close(w->fd);
	for (size_t i = 0; i < w->ndirs; i++)
		free(w->dirs[i]);
	for (size_t i = 0; i < w->ndirty; i++)
		free(w->dirty[i]);
	free(w->dirs);
	free(w->dirty);
	free(w->slots);
	free(w);
}

static size_t hash_of(const char *s)
{
	size_t h = 14695981039346656037u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static void slots_put(struct snap_watch *w, size_t idx)
{
	size_t i = hash_of(w->dirty[idx]) & (w->nslots - 1);
	while (w->slots[i])
		i = (i + 1) & (w->nslots - 1);
	w->slots[i] = idx + 1;
}

static void dirty_add(struct snap_watch *w, char *path)
{
	if (2 * (w->ndirty + 1) > w->nslots) {
		w->nslots = w->nslots ? 2 * w->nslots : 64;
		free(w->slots);
		w->slots = xcalloc(w->nslots, sizeof(size_t));
		w->dirty = xrealloc(w->dirty, (w->nslots / 2) * sizeof(char *));
		for (size_t k = 0; k < w->ndirty; k++)
			slots_put(w, k);
	}
	for (size_t i = hash_of(path) & (w->nslots - 1); w->slots[i]; i = (i + 1) & (w->nslots - 1))
		if (strcmp(w->dirty[w->slots[i] - 1], path) == 0) {
			free(path);
			return;
		}
	w->dirty[w->ndirty] = path;
	slots_put(w, w->ndirty++);
}

static void take_event(struct snap_watch *w, const struct inotify_event *ev)
{
	if (ev->mask & (IN_Q_OVERFLOW | IN_MOVE_SELF)) {
		w->lost = true;
		return;
	}
	/* A moved directory carries watches named by its old path. */
	if ((ev->mask & (IN_MOVED_FROM | IN_MOVED_TO)) && (ev->mask & IN_ISDIR)) {
		w->lost = true;
		return;
	}
	if (ev->wd < 0 || (size_t)ev->wd >= w->ndirs || w->dirs[ev->wd] == NULL)
		return; /* IN_IGNORED of a removed directory: its parent told */
	const char *dir = w->dirs[ev->wd];
	if (ev->mask & (IN_DELETE_SELF | IN_IGNORED))
		return;
	if (ev->len == 0 || ev->name[0] == '\0') {
		dirty_add(w, xstrdup(dir)); /* the directory's own attributes */
		return;
	}
	dirty_add(w, dir[0] ? xasprintf("%s/%s", dir, ev->name) : xstrdup(ev->name));
	/* Its directory's copy is written into: its times are set again. */
	dirty_add(w, xstrdup(dir));
}

void snap_watch_drain(struct snap_watch *w)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	for (;;) {
		ssize_t n = read(w->fd, buf, sizeof(buf));
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				w->lost = true;
			if (n < 0 && errno == EINTR)
				continue;
			return;
		}
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			take_event(w, ev);
			p += sizeof(*ev) + ev->len;
		}
	}
}

static int by_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Is path below (or equal to) dir? */
static bool inside(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

int snap_watch_apply(struct snap_watch *w, const char *src, const char *dst, size_t *copied,
                     struct be_error **err)
{
	snap_watch_drain(w);
	if (w->lost)
		return 1;
	/* Sorted, a directory comes before what is inside it: a directory
	 * copied again whole covers its entries. */
	if (w->ndirty > 1)
		qsort(w->dirty, w->ndirty, sizeof(char *), by_path);
	size_t n = 0;
	const char *whole = NULL; /* the last entry copied whole */
	for (size_t i = 0; i < w->ndirty; i++) {
		const char *rel = w->dirty[i];
		if (whole && inside(rel, whole))
			continue;
		cleanup_free char *s = rel[0] ? xasprintf("%s/%s", src, rel) : xstrdup(src);
		cleanup_free char *d = rel[0] ? xasprintf("%s/%s", dst, rel) : xstrdup(dst);
		struct stat st, dt;
		bool have_src = lstat(s, &st) == 0;
		if (have_src && S_ISREG(st.st_mode) && st.st_nlink > 1)
			return 1; /* links: the ctime walk keeps them */
		if (have_src && S_ISDIR(st.st_mode) && lstat(d, &dt) == 0 && S_ISDIR(dt.st_mode))
			continue; /* its attributes are set below, its entries by their events */
		if (snap_copy_replace(s, d, err) < 0)
			return -1;
		whole = rel;
		n++;
	}
	/* Directories' attributes last, deepest first: writing into one moves
	 * its times. */
	for (size_t i = w->ndirty; i-- > 0;) {
		const char *rel = w->dirty[i];
		cleanup_free char *s = rel[0] ? xasprintf("%s/%s", src, rel) : xstrdup(src);
		cleanup_free char *d = rel[0] ? xasprintf("%s/%s", dst, rel) : xstrdup(dst);
		struct stat st;
		if (lstat(s, &st) == 0 && S_ISDIR(st.st_mode) && snap_copy_dir_attrs(s, d, err) < 0)
			return -1;
	}
	if (copied)
		*copied = n;
	return 0;
}
