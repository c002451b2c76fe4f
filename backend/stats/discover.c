/* Discovery: which cgroup directory is which engine's container (pure name
 * rules), and the walk over the cgroup tree that applies them.  The /proc
 * scan for VM processes is in discover_vm.c. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "stats/discover_int.h"
#include "base/util.h"

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool ends(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return n >= 12;
}

static bool all_hex8(const char *s)
{
	for (size_t i = 0; i < 8; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static void set_text(char *dst, size_t len, const char *src, size_t n)
{
	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

void discover_unescape(const char *in, size_t n, char *out, size_t len)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 1 < len; i++) {
		if (in[i] == '\\' && i + 3 < n && in[i + 1] == 'x') {
			char hex[3] = {in[i + 2], in[i + 3], 0};
			char *end;
			long c = strtol(hex, &end, 16);
			if (*end == '\0' && c > 0) {
				out[o++] = (char)c;
				i += 3;
				continue;
			}
		}
		out[o++] = in[i];
	}
	out[o] = '\0';
}

/* An engine id as the leaf, between prefix and suffix: "docker-<id>.scope". */
static bool id_item(const char *leaf, const char *prefix, const char *suffix, enum be_kind kind,
                    struct be_found *out)
{
	if (!starts(leaf, prefix) || !ends(leaf, suffix))
		return false;
	const char *id = leaf + strlen(prefix);
	size_t n = strlen(id) - strlen(suffix);
	if (!all_hex(id, n))
		return false;
	out->kind = kind;
	set_text(out->id, sizeof(out->id), id, n);
	set_text(out->name, sizeof(out->name), id, n < 12 ? n : 12);
	return true;
}

static void name_item(const char *name, size_t n, enum be_kind kind, struct be_found *out)
{
	out->kind = kind;
	discover_unescape(name, n, out->name, sizeof(out->name));
	set_text(out->id, sizeof(out->id), out->name, strlen(out->name));
}

/* machine-<name>.scope: libvirt's "qemu\x2d<N>\x2d<name>" (or lxc), else
 * nspawn's <name>. */
static enum be_class machine_scope(const char *leaf, struct be_found *out)
{
	static const char *const drivers[] = {"qemu\\x2d", "lxc\\x2d"};
	const char *m = leaf + 8;
	size_t n = strlen(m) - 6;
	for (size_t i = 0; i < 2; i++) {
		if (!starts(m, drivers[i]))
			continue;
		const char *num = m + strlen(drivers[i]);
		const char *sep = strstr(num, "\\x2d");
		if (sep == NULL || (size_t)(sep + 4 - m) >= n)
			break;
		name_item(sep + 4, n - (size_t)(sep + 4 - m), BE_KIND_LIBVIRT, out);
		set_text(out->id, sizeof(out->id), num, (size_t)(sep - num));
		return BE_CLASS_ITEM;
	}
	name_item(m, n, BE_KIND_NSPAWN, out);
	return BE_CLASS_ITEM;
}

static enum be_class kube_classify(const char *pbase, const char *leaf, struct be_found *out)
{
	bool in_pod = starts(pbase, "pod") || strstr(pbase, "-pod") != NULL;
	if (!in_pod) {
		if (starts(leaf, "kubepods") || starts(leaf, "pod") ||
		    strcmp(leaf, "burstable") == 0 || strcmp(leaf, "besteffort") == 0 ||
		    strcmp(leaf, "guaranteed") == 0)
			return BE_CLASS_DESCEND;
		return BE_CLASS_SKIP;
	}
	if (starts(leaf, "crio-conmon-"))
		return BE_CLASS_SKIP;
	static const char *const prefixes[] = {"cri-containerd-", "crio-", "docker-", ""};
	for (size_t i = 0; i < 4; i++) {
		const char *suffix = prefixes[i][0] ? ".scope" : "";
		if (id_item(leaf, prefixes[i], suffix, BE_KIND_KUBEPODS, out))
			return BE_CLASS_ITEM;
	}
	return BE_CLASS_SKIP;
}

/* "berth" or "berth-<8 hex>": the cgroup parent of a berth state root. */
static bool berth_parent(const char *name)
{
	return strcmp(name, "berth") == 0 ||
	       (starts(name, "berth-") && strlen(name) == 14 && all_hex8(name + 6));
}

enum be_class discover_classify(const char *parent, const char *leaf, struct be_found *out)
{
	const char *pbase = strrchr(parent, '/');
	pbase = pbase ? pbase + 1 : parent;
	/* Another root's berth containers (the monitor's own root is watched,
	 * and the walk lists those before classifying). */
	if (parent[0] == '\0' && berth_parent(leaf))
		return BE_CLASS_DESCEND;
	if (parent[0] == '/' && strchr(parent + 1, '/') == NULL && berth_parent(parent + 1)) {
		if (!be_name_valid(leaf))
			return BE_CLASS_SKIP;
		name_item(leaf, strlen(leaf), BE_KIND_BERTH, out);
		out->other_root = true;
		return BE_CLASS_ITEM;
	}
	if (strstr(parent, "kubepods"))
		return kube_classify(pbase, leaf, out);
	if (starts(leaf, "kubepods"))
		return BE_CLASS_DESCEND;
	if (id_item(leaf, "docker-", ".scope", BE_KIND_DOCKER, out))
		return BE_CLASS_ITEM;
	if (strcmp(pbase, "docker") == 0 && id_item(leaf, "", "", BE_KIND_DOCKER, out))
		return BE_CLASS_ITEM;
	if (id_item(leaf, "libpod-", ".scope", BE_KIND_PODMAN, out))
		return BE_CLASS_ITEM;
	if (strcmp(pbase, "libpod_parent") == 0 &&
	    id_item(leaf, "libpod-", "", BE_KIND_PODMAN, out))
		return BE_CLASS_ITEM;
	if (starts(leaf, "lxc.payload.") && leaf[12]) {
		name_item(leaf + 12, strlen(leaf + 12), BE_KIND_LXC, out);
		return BE_CLASS_ITEM;
	}
	if (strcmp(parent, "/lxc") == 0 && !starts(leaf, "lxc.")) {
		name_item(leaf, strlen(leaf), BE_KIND_LXC, out);
		return BE_CLASS_ITEM;
	}
	if (starts(leaf, "machine-") && ends(leaf, ".scope") && strlen(leaf) > 14)
		return machine_scope(leaf, out);
	if (strcmp(pbase, "machine") == 0 &&
	    (ends(leaf, ".libvirt-qemu") || ends(leaf, ".libvirt-lxc"))) {
		name_item(leaf, strcspn(leaf, "."), BE_KIND_LIBVIRT, out);
		return BE_CLASS_ITEM;
	}
	if (parent[0] == '\0' &&
	    (strcmp(leaf, "docker") == 0 || strcmp(leaf, "lxc") == 0 ||
	     strcmp(leaf, "libpod_parent") == 0 || strcmp(leaf, "machine") == 0))
		return BE_CLASS_DESCEND;
	if (ends(leaf, ".slice") || (starts(leaf, "user@") && ends(leaf, ".service")))
		return BE_CLASS_DESCEND;
	return BE_CLASS_SKIP;
}

/* ---- the walk ------------------------------------------------------------ */

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

ssize_t discover_read_dir(int fd, struct be_dbuf *b)
{
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	b->len = 0;
	for (;;) {
		if (b->cap - b->len < 4096) {
			b->cap = b->cap ? b->cap * 2 : 32768;
			b->data = xrealloc(b->data, b->cap);
		}
		long r = syscall(SYS_getdents64, fd, b->data + b->len, b->cap - b->len);
		if (r < 0)
			return -1;
		if (r == 0)
			return (ssize_t)b->len;
		b->len += (size_t)r;
	}
}

bool discover_next(const struct be_dbuf *b, size_t *off, const char **name, unsigned char *type)
{
	while (*off < b->len) {
		const struct linux_dirent64 *de = (const void *)(b->data + *off);
		*off += de->d_reclen;
		if (de->d_name[0] == '.' &&
		    (de->d_name[1] == '\0' || (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		*name = de->d_name;
		*type = de->d_type;
		return true;
	}
	return false;
}

static bool is_dir(int dirfd, const char *name, unsigned char type)
{
	if (type != DT_UNKNOWN)
		return type == DT_DIR;
	struct stat st;
	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

static const struct be_watch *watched(const struct be_discover *d, const char *path)
{
	for (size_t i = 0; i < d->nwatch; i++)
		if (strcmp(d->watch[i].path, path) == 0)
			return &d->watch[i];
	return NULL;
}

/* True when path is a watched parent or on the way down to one. */
static bool toward_watch(const struct be_discover *d, const char *path)
{
	size_t n = strlen(path);
	for (size_t i = 0; i < d->nwatch; i++)
		if (strncmp(d->watch[i].path, path, n) == 0 &&
		    (d->watch[i].path[n] == '\0' || d->watch[i].path[n] == '/'))
			return true;
	return false;
}

/* path (length plen) is the directory below the root that dirfd holds. */
static void walk(struct be_discover *d, int dirfd, size_t plen, unsigned depth, be_found_fn fn,
                 void *arg)
{
	struct be_dbuf *b = &d->dbuf[depth];
	if (discover_read_dir(dirfd, b) < 0)
		return;
	const struct be_watch *w = watched(d, d->path);
	const char *name;
	unsigned char type;
	for (size_t off = 0; discover_next(b, &off, &name, &type);) {
		size_t nl = strlen(name);
		if (plen + 1 + nl >= BE_ITEM_CGROUP_MAX || !is_dir(dirfd, name, type))
			continue;
		struct be_found f = {0};
		enum be_class c;
		if (w) {
			c = BE_CLASS_ITEM;
			f.kind = w->kind;
			set_text(f.name, sizeof(f.name), name, nl);
			set_text(f.id, sizeof(f.id), name, nl);
		} else {
			c = d->foreign ? discover_classify(d->path, name, &f) : BE_CLASS_SKIP;
			d->path[plen] = '/';
			memcpy(d->path + plen + 1, name, nl + 1);
			if (toward_watch(d, d->path))
				c = BE_CLASS_DESCEND;
			d->path[plen] = '\0';
		}
		if (c == BE_CLASS_SKIP || (c == BE_CLASS_DESCEND && depth + 1 >= BE_WALK_DEPTH))
			continue;
		d->path[plen] = '/';
		memcpy(d->path + plen + 1, name, nl + 1);
		if (c == BE_CLASS_ITEM) {
			f.cgroup = d->path;
			fn(arg, &f);
		} else {
			int sub = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (sub >= 0) {
				walk(d, sub, plen + 1 + nl, depth + 1, fn, arg);
				close(sub);
			}
		}
		d->path[plen] = '\0';
	}
}

int discover_cgroups(struct be_discover *d, be_found_fn fn, void *arg, struct be_error **err)
{
	if (d->walk_fd < 0)
		return be_error_set(err, ENOENT, "reading cgroups under %s: no cgroup hierarchy",
		                    be_ctx_cgroup_root(d->ctx));
	d->path[0] = '\0';
	if (d->foreign) {
		walk(d, d->walk_fd, 0, 0, fn, arg);
		return 0;
	}
	/* Only the watched parents (and the path down to them). */
	for (size_t i = 0; i < d->nwatch; i++) {
		const char *rel = d->watch[i].path + 1;
		int fd = openat(d->walk_fd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;
		size_t n = strlen(d->watch[i].path);
		memcpy(d->path, d->watch[i].path, n + 1);
		walk(d, fd, n, 1, fn, arg);
		close(fd);
	}
	return 0;
}

/* ---- the walker object --------------------------------------------------- */

static int open_dir_at(int dirfd, const char *name)
{
	return openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* A v1 controller under root, mounted alone or joined ("cpu,cpuacct"). */
static int open_ctl(int rootfd, enum be_ctl ctl)
{
	static const char *const names[BE_CTL_COUNT][3] = {
	        [BE_CTL_CPU] = {"cpu", "cpu,cpuacct", "cpuacct,cpu"},
	        [BE_CTL_CPUACCT] = {"cpuacct", "cpu,cpuacct", "cpuacct,cpu"},
	        [BE_CTL_MEMORY] = {"memory", NULL, NULL},
	        [BE_CTL_PIDS] = {"pids", NULL, NULL},
	        [BE_CTL_BLKIO] = {"blkio", NULL, NULL},
	};
	for (size_t i = 0; i < 3 && names[ctl][i]; i++) {
		int fd = open_dir_at(rootfd, names[ctl][i]);
		if (fd >= 0)
			return fd;
	}
	return -1;
}

struct be_discover *discover_new(const struct be_ctx *ctx)
{
	struct be_discover *d = xcalloc(1, sizeof(*d));
	d->ctx = ctx;
	d->foreign = true;
	d->layout = be_ctx_cgroup_layout(ctx);
	d->walk_fd = -1;
	for (size_t i = 0; i < BE_CTL_COUNT; i++)
		d->ctl_fd[i] = -1;
	d->proc_fd = open(be_ctx_proc_root(ctx), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int root = open(be_ctx_cgroup_root(ctx), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return d;
	if (d->layout == BE_CGROUP_V2) {
		for (size_t i = 0; i < BE_CTL_COUNT; i++)
			d->ctl_fd[i] = open_dir_at(root, ".");
		d->walk_fd = open_dir_at(root, ".");
	} else if (d->layout == BE_CGROUP_V1) {
		for (size_t i = 0; i < BE_CTL_COUNT; i++)
			d->ctl_fd[i] = open_ctl(root, (enum be_ctl)i);
		/* Names are walked in one hierarchy: memory is where every
		 * engine puts its containers. */
		static const char *const walk[] = {"memory", "pids", "cpu", "cpu,cpuacct",
		                                   "systemd"};
		for (size_t i = 0; i < 5 && d->walk_fd < 0; i++)
			d->walk_fd = open_dir_at(root, walk[i]);
	}
	close(root);
	return d;
}

void discover_free(struct be_discover *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < BE_CTL_COUNT; i++)
		if (d->ctl_fd[i] >= 0)
			close(d->ctl_fd[i]);
	if (d->walk_fd >= 0)
		close(d->walk_fd);
	if (d->proc_fd >= 0)
		close(d->proc_fd);
	for (size_t i = 0; i < BE_WALK_DEPTH; i++)
		free(d->dbuf[i].data);
	free(d->pbuf.data);
	free(d->pc);
	free(d->pc_next);
	free(d->vms);
	free(d);
}

int discover_watch(struct be_discover *d, const char *parent, enum be_kind kind,
                   struct be_error **err)
{
	if ((unsigned)kind >= BE_KIND_COUNT || kind == BE_KIND_VM)
		return be_error_set(err, EINVAL, "watching cgroup %s: bad kind %d", parent, kind);
	while (*parent == '/')
		parent++;
	size_t n = strlen(parent);
	while (n && parent[n - 1] == '/')
		n--;
	if (n == 0 || n + 2 > sizeof(d->watch[0].path))
		return be_error_set(err, EINVAL, "watching cgroup \"%s\": bad path", parent);
	for (const char *p = parent; p < parent + n;) {
		size_t c = strcspn(p, "/");
		if (c > n - (size_t)(p - parent))
			c = n - (size_t)(p - parent);
		if (c == 0 || (c == 1 && p[0] == '.') || (c == 2 && p[0] == '.' && p[1] == '.'))
			return be_error_set(err, EINVAL,
			                    "watching cgroup \"%s\": empty, . or .. component",
			                    parent);
		p += c + 1;
	}
	if (d->nwatch >= BE_MAX_WATCH)
		return be_error_set(err, ENOSPC, "watching cgroup %s: at most %d parents", parent,
		                    BE_MAX_WATCH);
	struct be_watch *w = &d->watch[d->nwatch];
	w->path[0] = '/';
	memcpy(w->path + 1, parent, n);
	w->path[n + 1] = '\0';
	w->kind = kind;
	for (size_t i = 0; i < d->nwatch; i++)
		if (strcmp(d->watch[i].path, w->path) == 0)
			return 0;
	d->nwatch++;
	return 0;
}

void discover_set_foreign(struct be_discover *d, bool foreign)
{
	d->foreign = foreign;
}

int discover_ctl_fd(const struct be_discover *d, enum be_ctl ctl)
{
	return (unsigned)ctl < BE_CTL_COUNT ? d->ctl_fd[ctl] : -1;
}

int discover_proc_fd(const struct be_discover *d)
{
	return d->proc_fd;
}
