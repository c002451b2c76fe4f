/* The state store: JSON records written atomically (durable ones fsynced),
 * per-object flock locks, the trash, and repair of what a crash left. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"

/* Where KEY stands as a key in the JSON text: the line of its shallowest
 * occurrence (the first at that depth), or, when it is absent, the line of
 * the first '{'.  Works on any bytes: a file may change between reads. */
static int key_line(const char *text, const char *key)
{
	size_t klen = strlen(key);
	int line = 1, depth = 0, best = 0, best_depth = 0, brace = 0;
	for (const char *p = text; *p; p++) {
		if (*p == '{' && brace == 0)
			brace = line;
		line += (*p == '\n');
		depth += (*p == '{' || *p == '[') - (*p == '}' || *p == ']');
		if (*p != '"')
			continue;
		const char *start = ++p;
		int start_line = line;
		while (*p && *p != '"') {
			if (*p == '\\' && p[1])
				p++;
			line += (*p == '\n');
			p++;
		}
		size_t n = (size_t)(p - start);
		if (*p == '\0')
			break;
		const char *q = p + 1;
		while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n')
			q++;
		if (*q == ':' && n == klen && memcmp(start, key, n) == 0 &&
		    (best == 0 || depth < best_depth)) {
			best = start_line;
			best_depth = depth;
		}
	}
	if (best)
		return best;
	return brace ? brace : 1;
}

/* The line and column of the first byte that is not white space. */
static void first_token(const char *text, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (const char *p = text; *p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'; p++) {
		if (*p == '\n') {
			++*line;
			*col = 1;
		} else {
			++*col;
		}
	}
}

json_t *store_load(const char *path, struct be_error **err)
{
	size_t len;
	cleanup_free char *text = util_read_file(path, &len, err);
	if (text == NULL)
		return NULL;
	json_error_t jerr;
	json_t *obj = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (obj == NULL) {
		be_error_set(err, 0, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	if (!json_is_object(obj)) {
		json_decref(obj);
		int line, col;
		first_token(text, &line, &col);
		be_error_set(err, 0, "%s:%d:%d: not a JSON object", path, line, col);
		return NULL;
	}
	json_t *v = json_object_get(obj, "version");
	if (!json_is_integer(v) || json_integer_value(v) != BE_STORE_VERSION) {
		json_decref(obj);
		be_error_set(err, 0, "%s:%d: %s \"version\" (this berth reads version %d)", path,
		             key_line(text, "version"), v ? "unsupported" : "missing",
		             BE_STORE_VERSION);
		return NULL;
	}
	return obj;
}

int store_save(const char *path, json_t *obj, unsigned flags, struct be_error **err)
{
	if (json_object_set_new(obj, "version", json_integer(BE_STORE_VERSION)) < 0)
		return be_error_set(err, ENOMEM, "writing %s", path);
	cleanup_free char *text = json_dumps(obj, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (text == NULL)
		return be_error_set(err, ENOMEM, "writing %s", path);
	size_t len = strlen(text);
	text[len] = '\0';
	cleanup_free char *data = xasprintf("%s\n", text);
	return util_write_file_atomic(path, data, len + 1, flags & BE_STORE_DURABLE, err);
}

static const char *type_name(json_type t)
{
	switch (t) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "true or false";
	case JSON_NULL: break;
	}
	return "null";
}

static bool type_ok(json_t *v, json_type want)
{
	switch (want) {
	case JSON_TRUE:
	case JSON_FALSE: return json_is_boolean(v);
	case JSON_REAL: return json_is_number(v);
	default: return json_typeof(v) == want;
	}
}

/* The line of KEY in the file at path (see key_line), or 1. */
static int file_key_line(const char *path, const char *key)
{
	cleanup_free char *text = util_read_file(path, NULL, NULL);
	return text ? key_line(text, key) : 1;
}

int store_check(const char *path, json_t *obj, const struct be_field *fields, size_t n,
                struct be_error **err)
{
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_object_get(obj, fields[i].key);
		if (v == NULL || json_is_null(v)) {
			if (fields[i].optional)
				continue;
			return be_error_set(err, 0, "%s:%d: field \"%s\" is missing", path,
			                    file_key_line(path, fields[i].key), fields[i].key);
		}
		if (!type_ok(v, fields[i].type))
			return be_error_set(err, 0, "%s:%d: field \"%s\" must be %s", path,
			                    file_key_line(path, fields[i].key), fields[i].key,
			                    type_name(fields[i].type));
	}
	return 0;
}

/* ---- locks ---------------------------------------------------------------- */

struct be_lock {
	int fd;
	char *path;
	bool shared;
	bool unlink; /* the object is gone: its lock file goes on release */
};

/* Is the locked fd still the file at path?  A holder that removed its
 * object unlinks the lock file before it lets go, so a waiter may wake up
 * holding an inode nobody else will ever lock: it takes the new one. */
static bool still_linked(int fd, const char *path)
{
	struct stat a, b;
	return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino &&
	       a.st_dev == b.st_dev;
}

int store_lock_fd(const struct be_lock *lock)
{
	return lock ? lock->fd : -1;
}

/* Opens (creating) RUN/locks/KIND.NAME.lock; *path gets its name. */
static int open_lock_file(const struct be_ctx *ctx, const char *kind, const char *name, char **path,
                          struct be_error **err)
{
	if (be_name_check(kind, name, err) < 0)
		return -1;
	*path = ctx_run_path(ctx, "locks/%s.%s.lock", kind, name);
	int fd = open(*path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 && errno == ENOENT) {
		cleanup_free char *dir = ctx_run_path(ctx, "locks");
		if (util_mkdir_p(dir, 0700, err) < 0)
			return -1;
		fd = open(*path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	}
	if (fd < 0)
		return be_error_set(err, errno, "locking %s %s", kind, name);
	return fd;
}

static int lock_take_once(const struct be_ctx *ctx, const char *kind, const char *name,
                          struct be_lock **out, struct be_error **err)
{
	cleanup_free char *path = NULL;
	cleanup_close int fd = open_lock_file(ctx, kind, name, &path, err);
	if (fd < 0)
		return -1;
	int op = LOCK_EX | (ctx->lock_wait ? 0 : LOCK_NB);
	while (flock(fd, op) < 0) {
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK)
			return be_error_set(err, errno, "locking %s %s", kind, name);
		char buf[32] = "";
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
		int pid = n > 0 ? atoi(buf) : 0;
		if (pid > 0)
			return be_error_set(err, 0, "%s %s is busy (locked by pid %d)", kind, name,
			                    pid);
		return be_error_set(err, 0, "%s %s is busy (locked by another berth)", kind, name);
	}
	if (!still_linked(fd, path))
		return 1;
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) < 0)
		return be_error_set(err, errno, "locking %s %s", kind, name);
	struct be_lock *l = xcalloc(1, sizeof(*l));
	l->fd = util_steal_fd(&fd);
	l->path = steal_pointer(&path);
	*out = l;
	return 0;
}

int store_lock_take(const struct be_ctx *ctx, const char *kind, const char *name,
                    struct be_lock **out, struct be_error **err)
{
	int r;
	while ((r = lock_take_once(ctx, kind, name, out, err)) == 1)
		;
	return r;
}

static int lock_take_shared_once(const struct be_ctx *ctx, const char *kind, const char *name,
                                 struct be_lock **out, struct be_error **err)
{
	cleanup_free char *path = NULL;
	cleanup_close int fd = open_lock_file(ctx, kind, name, &path, err);
	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_SH) < 0)
		if (errno != EINTR)
			return be_error_set(err, errno, "locking %s %s", kind, name);
	if (!still_linked(fd, path))
		return 1;
	struct be_lock *l = xcalloc(1, sizeof(*l));
	l->fd = util_steal_fd(&fd);
	l->path = steal_pointer(&path);
	l->shared = true;
	*out = l;
	return 0;
}

int store_lock_take_shared(const struct be_ctx *ctx, const char *kind, const char *name,
                           struct be_lock **out, struct be_error **err)
{
	int r;
	while ((r = lock_take_shared_once(ctx, kind, name, out, err)) == 1)
		;
	return r;
}

void store_lock_drop_file(struct be_lock *lock)
{
	if (lock && !lock->shared)
		lock->unlink = true;
}

void store_lock_release(struct be_lock *lock)
{
	if (lock == NULL)
		return;
	/* The lock file stays while its object does; once the object is gone
	 * its holder unlinks it, still holding it (takers check that the file
	 * they locked is still the one at the path). */
	if (lock->unlink && lock->fd >= 0)
		unlink(lock->path);
	if (lock->fd >= 0) {
		/* The pid in the file is the exclusive holder's: a shared one
		 * leaves it. */
		if (!lock->shared && ftruncate(lock->fd, 0) < 0) {
			/* nothing to do: the pid is only a hint */
		}
		close(lock->fd);
	}
	free(lock->path);
	free(lock);
}

/* ---- trash and repair ---------------------------------------------------- */

/* Opens dir (relative to rootfd) beneath the root without following any
 * symbolic link on the way; "" is the root itself. */
static int open_beneath(int rootfd, const char *dir)
{
	if (*dir == '\0')
		return fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
	struct open_how how = {
	        .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
	        .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	return (int)syscall(SYS_openat2, rootfd, dir, &how, sizeof(how));
}

/* ROOT/trash, opened without following a link; made when missing (a root
 * opened read-only). */
static int open_trash(int rootfd)
{
	int fd = openat(rootfd, "trash", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && mkdirat(rootfd, "trash", 0700) == 0)
		fd = openat(rootfd, "trash", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd;
}

int store_trash(const struct be_ctx *ctx, const char *path, struct be_error **err)
{
	/* Only what berth made in its root, reached by name: a link on the
	 * way (a tampered containers/ or upper) fails, never moves (and so
	 * deletes) what it points to. */
	size_t n = strlen(ctx->root);
	if (strncmp(path, ctx->root, n) != 0 || path[n] != '/' || path[n + 1] == '\0')
		return be_error_set(err, EINVAL, "moving %s to the trash: not inside the root %s",
		                    path, ctx->root);
	cleanup_free char *dir = xstrdup(path + n + 1);
	char *slash = strrchr(dir, '/');
	const char *base = slash ? path + n + 1 + (slash - dir) + 1 : path + n + 1;
	if (slash)
		*slash = '\0';
	else
		dir[0] = '\0';
	cleanup_close int rootfd = open(ctx->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_close int parent = rootfd < 0 ? -1 : open_beneath(rootfd, dir);
	if (parent < 0 && errno == ENOENT)
		return 0; /* nothing to move */
	if (parent < 0 && (errno == ELOOP || errno == EXDEV))
		return be_error_set(err, ELOOP,
		                    "moving %s to the trash: a symbolic link on the way", path);
	if (parent < 0)
		return be_error_set(err, errno, "moving %s to the trash", path);
	cleanup_close int trash = open_trash(rootfd);
	if (trash < 0)
		return be_error_set(err, errno, "moving %s to the trash", path);
	char id[17];
	util_random_hex(id, 8);
	if (renameat(parent, base, trash, id) == 0 || errno == ENOENT)
		return 0;
	return be_error_set(err, errno, "moving %s to the trash", path);
}

/* Opens ROOT/NAME, one of berth's own folders, never through a link: a
 * folder that is a link (or missing) is left alone (-1, errno set). */
static int open_own_dir(const struct be_ctx *ctx, const char *name)
{
	cleanup_close int root = open(ctx->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return -1;
	return openat(root, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

int store_empty_trash(const struct be_ctx *ctx, struct be_error **err)
{
	cleanup_free char *trash = ctx_path(ctx, "trash");
	int fd = open_own_dir(ctx, "trash");
	if (fd < 0)
		return errno == ENOENT ? 0 : be_error_set(err, errno, "reading %s", trash);
	cleanup_dir DIR *d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return be_error_set(err, errno, "reading %s", trash);
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		cleanup_free char *p = xasprintf("%s/%s", trash, de->d_name);
		if (util_rm_rf_at(fd, de->d_name, p, err) < 0)
			return -1;
	}
	return 0;
}

/* Removes NAME in dirfd unless a live process holds a flock on it (a temp
 * file being written, a work directory in use); never follows a link. */
static int remove_if_idle(int dirfd, const char *name, const char *shown, struct be_error **err)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	cleanup_close int fd = -1;
	if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
		fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			return 0;
		if (flock(fd, LOCK_EX | LOCK_NB) < 0)
			return 0; /* busy, or not lockable: leave it */
	}
	return util_rm_rf_at(dirfd, name, shown, err);
}

/* Removes ".NAME.tmpXXXXXX" files left by an interrupted atomic write in
 * the directory fd (which it closes) and, depth levels down, in its
 * subdirectories (never through links). */
static int remove_temp_files(int fd, const char *dir, int depth, struct be_error **err)
{
	cleanup_dir DIR *d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return be_error_set(err, errno, "reading %s", dir);
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		cleanup_free char *p = xasprintf("%s/%s", dir, de->d_name);
		if (de->d_name[0] == '.' && strstr(de->d_name, ".tmp") != NULL) {
			/* A live writer's file: its lock may not be taken yet. */
			if (util_temp_owner_alive(de->d_name))
				continue;
			if (remove_if_idle(fd, de->d_name, p, err) < 0)
				return -1;
		} else if (depth > 0 && de->d_name[0] != '.' &&
		           (de->d_type == DT_DIR || de->d_type == DT_UNKNOWN)) {
			int sub = openat(fd, de->d_name,
			                 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0 && remove_temp_files(sub, p, depth - 1, err) < 0)
				return -1;
		}
	}
	return 0;
}

/* remove_temp_files on a directory opened by fd (missing, a link: skipped). */
static int remove_temp_files_in(int fd, const char *dir, int depth, struct be_error **err)
{
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR || errno == ELOOP
		               ? 0
		               : be_error_set(err, errno, "reading %s", dir);
	return remove_temp_files(fd, dir, depth, err);
}

/* True when the sweep is due (see store_repair); marks it done then. */
static bool repair_due(const struct be_ctx *ctx)
{
	cleanup_free char *stamp = ctx_run_path(ctx, "repaired");
	struct stat st;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	if (stat(stamp, &st) == 0 && S_ISREG(st.st_mode) && st.st_mtim.tv_sec <= now.tv_sec &&
	    now.tv_sec - st.st_mtim.tv_sec < STORE_REPAIR_EVERY)
		return false;
	/* Marked before the sweep: a concurrent client skips it meanwhile
	 * (the sweep leaves what others hold alone either way). */
	int fd = open(stamp, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0) {
		futimens(fd, NULL);
		close(fd);
	}
	return true;
}

static int sweep(const struct be_ctx *ctx, struct be_error **err)
{
	/* Record directories, and how deep their records sit:
	 * images/X.json, layers/ID/layer.json, containers/NAME/config.json. */
	static const struct {
		const char *dir;
		int depth;
	} records[] = {{"images", 0}, {"layers", 1}, {"containers", 1}};
	for (size_t i = 0; i < sizeof(records) / sizeof(records[0]); i++) {
		cleanup_free char *dir = ctx_path(ctx, "%s", records[i].dir);
		if (remove_temp_files_in(open_own_dir(ctx, records[i].dir), dir, records[i].depth,
		                         err) < 0)
			return -1;
	}
	/* Runtime records: RUN/containers/NAME.json and below. */
	int run = open(ctx->run_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (remove_temp_files_in(run, ctx->run_dir, 2, err) < 0)
		return -1;
	/* Work directories under ROOT/tmp: their users hold a flock on them. */
	cleanup_free char *tmp = ctx_path(ctx, "tmp");
	int tfd = open_own_dir(ctx, "tmp");
	cleanup_dir DIR *t = tfd >= 0 ? fdopendir(tfd) : NULL;
	if (tfd >= 0 && t == NULL)
		close(tfd);
	if (t) {
		struct dirent *de;
		while ((de = readdir(t)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			cleanup_free char *p = xasprintf("%s/%s", tmp, de->d_name);
			if (remove_if_idle(tfd, de->d_name, p, err) < 0)
				return -1;
		}
	}
	return 0;
}

int store_repair(const struct be_ctx *ctx, struct be_error **err)
{
	if (sweep(ctx, err) < 0)
		return -1;
	return store_trash_reap(ctx, err);
}

int store_repair_if_due(const struct be_ctx *ctx, struct be_error **err)
{
	if (repair_due(ctx) && sweep(ctx, err) < 0)
		return -1;
	return store_trash_reap(ctx, err);
}

/* One try of store_mkdtemp: 1 when a concurrent repair took the new
 * directory before it was locked (try again). */
static int mkdtemp_once(const struct be_ctx *ctx, const char *prefix, char **out, int *lock_fd,
                        struct be_error **err)
{
	char rnd[17];
	util_random_hex(rnd, 8);
	cleanup_free char *path = ctx_path(ctx, "tmp/%s-%s", prefix, rnd);
	int made = mkdir(path, 0700);
	if (made < 0 && errno == ENOENT) {
		cleanup_free char *tmp = ctx_path(ctx, "tmp");
		if (util_mkdir_p(tmp, 0700, err) < 0)
			return -1;
		made = mkdir(path, 0700);
	}
	if (made < 0)
		return be_error_set(err, errno, "creating %s", path);
	cleanup_close int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 1 : be_error_set(err, errno, "creating %s", path);
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return be_error_set(err, errno, "locking %s", path);
	/* Still there under that name, now that it is locked? */
	struct stat a, b;
	if (fstat(fd, &a) < 0 || lstat(path, &b) < 0 || a.st_ino != b.st_ino ||
	    a.st_dev != b.st_dev)
		return 1;
	*lock_fd = util_steal_fd(&fd);
	*out = steal_pointer(&path);
	return 0;
}

char *store_mkdtemp(const struct be_ctx *ctx, const char *prefix, int *lock_fd,
                    struct be_error **err)
{
	char *path = NULL;
	int r = 1;
	for (int attempt = 0; r == 1 && attempt < 3; attempt++)
		r = mkdtemp_once(ctx, prefix, &path, lock_fd, err);
	if (r == 1)
		be_error_set(err, EAGAIN, "creating a work directory under %s/tmp", ctx->root);
	return r == 0 ? path : NULL;
}
