/* Manifests of trees and of overlay views, for tests that compare a
 * container's state before and after snapshots, rollbacks and crashes. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "tu_tree.h"

struct lines {
	char **v;
	size_t n, cap;
};

static void add_line(struct lines *l, char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 256;
		l->v = realloc(l->v, l->cap * sizeof(char *));
		if (l->v == NULL)
			abort();
	}
	l->v[l->n++] = s;
}

static unsigned long long file_hash(const char *path)
{
	unsigned long long h = 1469598103934665603ull;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0;
	unsigned char buf[65536];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			h = (h ^ buf[i]) * 1099511628211ull;
	close(fd);
	return h;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "k=v;k=v" of the entry's xattrs, sorted, without trusted.overlay.*. */
static char *xattr_text(const char *path)
{
	char names[8192];
	ssize_t len = llistxattr(path, names, sizeof(names));
	struct lines l = {0};
	for (char *k = names; len > 0 && k < names + len; k += strlen(k) + 1) {
		if (strncmp(k, "trusted.overlay.", 16) == 0)
			continue;
		char val[1024];
		ssize_t vn = lgetxattr(path, k, val, sizeof(val) - 1);
		val[vn > 0 ? vn : 0] = '\0';
		char *s = NULL;
		if (asprintf(&s, "%s=%s", k, val) < 0)
			abort();
		add_line(&l, s);
	}
	if (l.n)
		qsort(l.v, l.n, sizeof(char *), cmp_str);
	size_t total = 1;
	for (size_t i = 0; i < l.n; i++)
		total += strlen(l.v[i]) + 1;
	char *out = calloc(1, total);
	for (size_t i = 0; i < l.n; i++) {
		if (i)
			strcat(out, ";");
		strcat(out, l.v[i]);
		free(l.v[i]);
	}
	free(l.v);
	return out;
}

static char type_char(mode_t m)
{
	return S_ISDIR(m)    ? 'd'
	       : S_ISREG(m)  ? 'f'
	       : S_ISLNK(m)  ? 'l'
	       : S_ISCHR(m)  ? 'c'
	       : S_ISBLK(m)  ? 'b'
	       : S_ISFIFO(m) ? 'p'
	                     : 's';
}

static void walk(const char *top, const char *rel, struct lines *l)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s%s%s", top, rel[0] ? "/" : "", rel);
	DIR *d = opendir(dir);
	if (d == NULL)
		return;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char sub[4096], full[8200], target[4096] = "";
		snprintf(sub, sizeof(sub), "%s%s%s", rel, rel[0] ? "/" : "", de->d_name);
		snprintf(full, sizeof(full), "%s/%s", top, sub);
		struct stat st;
		if (lstat(full, &st) < 0)
			continue;
		unsigned long long h = 0;
		long long size = S_ISDIR(st.st_mode) ? 0 : (long long)st.st_size;
		if (S_ISREG(st.st_mode))
			h = file_hash(full);
		if (S_ISLNK(st.st_mode)) {
			ssize_t n = readlink(full, target, sizeof(target) - 1);
			target[n > 0 ? n : 0] = '\0';
		}
		char *xa = xattr_text(full);
		char *line = NULL;
		if (asprintf(&line, "/%s %c %04o %u:%u %lld %016llx %s %s %u:%u", sub,
		             type_char(st.st_mode), (unsigned)(st.st_mode & 07777),
		             (unsigned)st.st_uid, (unsigned)st.st_gid, size, h, target, xa,
		             S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? major(st.st_rdev) : 0,
		             S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? minor(st.st_rdev) : 0) <
		    0)
			abort();
		free(xa);
		add_line(l, line);
		if (S_ISDIR(st.st_mode))
			walk(top, sub, l);
	}
	closedir(d);
}

char *tu_manifest(const char *dir)
{
	struct stat st;
	if (stat(dir, &st) < 0)
		return NULL;
	struct lines l = {0};
	walk(dir, "", &l);
	if (l.n)
		qsort(l.v, l.n, sizeof(char *), cmp_str);
	size_t total = 1;
	for (size_t i = 0; i < l.n; i++)
		total += strlen(l.v[i]) + 1;
	char *out = calloc(1, total);
	char *p = out;
	for (size_t i = 0; i < l.n; i++) {
		p = stpcpy(p, l.v[i]);
		*p++ = '\n';
		free(l.v[i]);
	}
	*p = '\0';
	free(l.v);
	return out;
}

/* Kernels before 6.8 have no lowerdir+: one "lowerdir=a:b:c" option, its
 * paths relative to their common parent (chdir'd to, in this child) so that
 * a chain of the squash depth fits the option's one page. */
static int mount_classic(const char *const *dirs, size_t n, const char *mnt)
{
	size_t common = strlen(dirs[0]);
	for (size_t i = 1; i < n; i++)
		for (size_t k = 0; k < common; k++)
			if (dirs[i][k] != dirs[0][k]) {
				common = k;
				break;
			}
	while (common > 0 && dirs[0][common - 1] != '/')
		common--;
	char *base = strndup(dirs[0], common);
	if (common > 0 && chdir(base) < 0)
		common = 0;
	free(base);
	size_t len = sizeof("lowerdir=,redirect_dir=off,metacopy=off");
	for (size_t i = 0; i < n; i++)
		len += strlen(dirs[i]) + 1;
	char *opts = calloc(1, len), *p = stpcpy(opts, "lowerdir=");
	for (size_t i = 0; i < n; i++)
		p = stpcpy(stpcpy(p, i ? ":" : ""), dirs[i] + common);
	strcpy(p, ",redirect_dir=off,metacopy=off");
	int r = mount("overlay", mnt, "overlay", MS_RDONLY, opts);
	free(opts);
	return r;
}

/* The new mount API, one lowerdir+ a layer (kernel 6.8+; before, the
 * option is refused by fsconfig or, on overlayfs of the legacy mount API,
 * at CMD_CREATE). */
static int mount_new(const char *const *dirs, size_t n, const char *mnt)
{
	int fs = (int)syscall(SYS_fsopen, "overlay", 0);
	if (fs < 0)
		return -1;
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i++)
		r = (int)syscall(SYS_fsconfig, fs, 1 /* SET_STRING */, "lowerdir+", dirs[i], 0);
	if (r == 0 && (syscall(SYS_fsconfig, fs, 1, "redirect_dir", "off", 0) < 0 ||
	               syscall(SYS_fsconfig, fs, 1, "metacopy", "off", 0) < 0 ||
	               syscall(SYS_fsconfig, fs, 6 /* CMD_CREATE */, NULL, NULL, 0) < 0))
		r = -1;
	int m = r == 0 ? (int)syscall(SYS_fsmount, fs, 0, 0) : -1;
	if (m < 0 || syscall(SYS_move_mount, m, "", AT_FDCWD, mnt, 4 /* F_EMPTY_PATH */) < 0)
		r = -1;
	if (m >= 0)
		close(m);
	close(fs);
	return r;
}

/* In the child: mount the view on mnt (lowerdir+, else the classic option
 * string) and write the manifest to fd. */
static int child_manifest(const char *const *dirs, size_t n, const char *mnt, int fd)
{
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return 1;
	if (mount_new(dirs, n, mnt) < 0 && mount_classic(dirs, n, mnt) < 0)
		return 3;
	char *text = tu_manifest(mnt);
	if (text == NULL)
		return 6;
	size_t len = strlen(text);
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, text + off, len - off);
		if (w <= 0)
			return 7;
		off += (size_t)w;
	}
	return 0;
}

char *tu_overlay_manifest(const char *const *dirs, size_t n)
{
	if (n == 1)
		return tu_manifest(dirs[0]);
	char mnt[] = "/tmp/tu-ovl-XXXXXX";
	if (mkdtemp(mnt) == NULL)
		return NULL;
	int p[2];
	if (pipe(p) < 0)
		return NULL;
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		_exit(child_manifest(dirs, n, mnt, p[1]));
	}
	close(p[1]);
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap);
	ssize_t r;
	while ((r = read(p[0], buf + len, cap - len - 1)) > 0) {
		len += (size_t)r;
		if (cap - len < 4096 && (buf = realloc(buf, cap *= 2)) == NULL)
			abort();
	}
	buf[len] = '\0';
	close(p[0]);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	rmdir(mnt);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "tu_overlay_manifest: child status %d\n", WEXITSTATUS(st));
		free(buf);
		return NULL;
	}
	return buf;
}

static char *json_field(const char *path, const char *key)
{
	json_t *o = json_load_file(path, 0, NULL);
	const char *v = json_string_value(json_object_get(o, key));
	char *s = v ? strdup(v) : NULL;
	json_decref(o);
	return s;
}

void tu_container_head(const char *root, const char *name, char out[13])
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/containers/%s/state.json", root, name);
	char *h = json_field(path, "head");
	snprintf(out, 13, "%s", h ? h : "");
	free(h);
}

/* Fills dirs (each malloc'd) with the chain's diff dirs from id down. */
static size_t chain_dirs(const char *root, const char *id, char **dirs, size_t max)
{
	size_t n = 0;
	char cur[64];
	snprintf(cur, sizeof(cur), "%s", id);
	while (cur[0] && n < max) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/layers/%s/layer.json", root, cur);
		if (access(path, F_OK) < 0) {
			for (size_t i = 0; i < n; i++)
				free(dirs[i]);
			return 0;
		}
		if (asprintf(&dirs[n++], "%s/layers/%s/diff", root, cur) < 0)
			abort();
		char *parent = json_field(path, "parent");
		snprintf(cur, sizeof(cur), "%s", parent ? parent : "");
		free(parent);
	}
	return n;
}

size_t tu_chain_len(const char *root, const char *id)
{
	char *dirs[1100];
	size_t n = chain_dirs(root, id, dirs, 1100);
	for (size_t i = 0; i < n; i++)
		free(dirs[i]);
	return n;
}

static char *view_manifest(char **dirs, size_t n)
{
	char *m = n ? tu_overlay_manifest((const char *const *)dirs, n) : NULL;
	for (size_t i = 0; i < n; i++)
		free(dirs[i]);
	return m;
}

char *tu_layer_manifest(const char *root, const char *id)
{
	char *dirs[1100];
	return view_manifest(dirs, chain_dirs(root, id, dirs, 1100));
}

char *tu_container_manifest(const char *root, const char *name)
{
	char head[13], *dirs[1101];
	tu_container_head(root, name, head);
	if (asprintf(&dirs[0], "%s/containers/%s/upper", root, name) < 0)
		abort();
	size_t n = chain_dirs(root, head, dirs + 1, 1100);
	if (n == 0) {
		free(dirs[0]);
		return NULL;
	}
	return view_manifest(dirs, n + 1);
}

struct idset {
	char (*v)[13];
	size_t n;
};

static bool idset_has(const struct idset *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], id) == 0)
			return true;
	return false;
}

/* Adds id and its ancestors. */
static void idset_add_chain(const char *root, struct idset *s, const char *id)
{
	char cur[64];
	snprintf(cur, sizeof(cur), "%s", id);
	for (int guard = 0; cur[0] && guard < 2000 && !idset_has(s, cur); guard++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/layers/%s/layer.json", root, cur);
		if (access(path, F_OK) < 0)
			return;
		s->v = realloc(s->v, (s->n + 1) * sizeof(*s->v));
		snprintf(s->v[s->n++], 13, "%.12s", cur);
		char *parent = json_field(path, "parent");
		snprintf(cur, sizeof(cur), "%s", parent ? parent : "");
		free(parent);
	}
}

static bool hexc(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static void scan_json_dir(const char *root, const char *dir, struct idset *s)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		if (de->d_name[0] == '.' || n <= 5 || strcmp(de->d_name + n - 5, ".json") != 0)
			continue;
		char path[8200];
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		FILE *f = fopen(path, "r");
		if (f == NULL)
			continue;
		size_t cap = 65536, len = 0;
		char *buf = malloc(cap);
		size_t r;
		while (buf && (r = fread(buf + len, 1, cap - len - 1, f)) > 0)
			if ((len += r) + 1 >= cap)
				buf = realloc(buf, cap *= 2);
		fclose(f);
		if (buf == NULL)
			abort();
		buf[len] = '\0';
		for (char *p = buf; *p;) {
			char *start = p;
			while (hexc(*p))
				p++;
			if (p - start == 12) {
				char id[13];
				memcpy(id, start, 12);
				id[12] = '\0';
				idset_add_chain(root, s, id);
			}
			if (p == start)
				p++;
		}
		free(buf);
	}
	if (d)
		closedir(d);
}

size_t tu_orphan_layers(const char *root, char *first, size_t len)
{
	struct idset used = {0};
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/images", root);
	scan_json_dir(root, dir, &used);
	snprintf(dir, sizeof(dir), "%s/containers", root);
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char sub[8200];
		snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
		scan_json_dir(root, sub, &used);
	}
	if (d)
		closedir(d);
	size_t orphans = 0;
	if (first && len)
		first[0] = '\0';
	snprintf(dir, sizeof(dir), "%s/layers", root);
	d = opendir(dir);
	while (d && (de = readdir(d)) != NULL) {
		if (strlen(de->d_name) != 12 || idset_has(&used, de->d_name))
			continue;
		if (orphans++ == 0 && first && len)
			snprintf(first, len, "%s", de->d_name);
	}
	if (d)
		closedir(d);
	free(used.v);
	return orphans;
}
