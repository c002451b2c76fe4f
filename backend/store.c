/* The state store: JSON records written atomically (durable ones fsynced),
 * per-object flock locks, the trash, and repair of what a crash left. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"

json_t *be_store_load(const char *path, struct be_error **err)
{
	json_error_t jerr;
	json_t *obj = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (obj == NULL) {
		if (access(path, F_OK) < 0)
			be_error_set(err, errno, "reading %s", path);
		else
			be_error_set(err, 0, "%s:%d:%d: %s", path, jerr.line, jerr.column,
			             jerr.text);
		return NULL;
	}
	if (!json_is_object(obj)) {
		json_decref(obj);
		be_error_set(err, 0, "%s:1:1: not a JSON object", path);
		return NULL;
	}
	json_t *v = json_object_get(obj, "version");
	if (!json_is_integer(v) || json_integer_value(v) != BE_STORE_VERSION) {
		json_decref(obj);
		be_error_set(err, 0, "%s: missing or unsupported \"version\" (want %d)", path,
		             BE_STORE_VERSION);
		return NULL;
	}
	return obj;
}

int be_store_save(const char *path, json_t *obj, unsigned flags, struct be_error **err)
{
	if (json_object_set_new(obj, "version", json_integer(BE_STORE_VERSION)) < 0)
		return be_error_set(err, ENOMEM, "writing %s", path);
	cleanup_free char *text = json_dumps(obj, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (text == NULL)
		return be_error_set(err, ENOMEM, "writing %s", path);
	size_t len = strlen(text);
	text[len] = '\0';
	cleanup_free char *data = xasprintf("%s\n", text);
	return be_write_file_atomic(path, data, len + 1, flags & BE_STORE_DURABLE, err);
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

/* The line of the first "key": in the file, or 0 when not found. */
static int key_line(const char *path, const char *key)
{
	cleanup_free char *text = be_read_file(path, NULL, NULL);
	if (text == NULL)
		return 0;
	cleanup_free char *needle = xasprintf("\"%s\"", key);
	char *at = strstr(text, needle);
	if (at == NULL)
		return 0;
	int line = 1;
	for (char *p = text; p < at; p++)
		line += (*p == '\n');
	return line;
}

int be_store_check(const char *path, json_t *obj, const struct be_field *fields, size_t n,
                   struct be_error **err)
{
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_object_get(obj, fields[i].key);
		if (v == NULL || json_is_null(v)) {
			if (fields[i].optional)
				continue;
			return be_error_set(err, 0, "%s: field \"%s\" is missing", path,
			                    fields[i].key);
		}
		if (!type_ok(v, fields[i].type))
			return be_error_set(err, 0, "%s:%d: field \"%s\" must be %s", path,
			                    key_line(path, fields[i].key), fields[i].key,
			                    type_name(fields[i].type));
	}
	return 0;
}

/* ---- locks ---------------------------------------------------------------- */

struct be_lock {
	int fd;
	char *path;
};

int be_lock_fd(const struct be_lock *lock)
{
	return lock ? lock->fd : -1;
}

int be_lock_take(const struct be_ctx *ctx, const char *kind, const char *name, struct be_lock **out,
                 struct be_error **err)
{
	if (be_name_check(kind, name, err) < 0)
		return -1;
	cleanup_free char *path = be_ctx_run_path(ctx, "locks/%s.%s.lock", kind, name);
	cleanup_close int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 && errno == ENOENT) {
		cleanup_free char *dir = be_ctx_run_path(ctx, "locks");
		if (be_mkdir_p(dir, 0700, err) < 0)
			return -1;
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	}
	if (fd < 0)
		return be_error_set(err, errno, "locking %s %s", kind, name);
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
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) < 0)
		return be_error_set(err, errno, "locking %s %s", kind, name);
	struct be_lock *l = xcalloc(1, sizeof(*l));
	l->fd = be_steal_fd(&fd);
	l->path = steal_pointer(&path);
	*out = l;
	return 0;
}

void be_lock_release(struct be_lock *lock)
{
	if (lock == NULL)
		return;
	/* The lock file stays: unlinking it would let two clients lock two
	 * different inodes of one name. */
	if (lock->fd >= 0) {
		if (ftruncate(lock->fd, 0) < 0) {
			/* nothing to do: the pid is only a hint */
		}
		close(lock->fd);
	}
	free(lock->path);
	free(lock);
}

/* ---- trash and repair ---------------------------------------------------- */

int be_store_trash(const struct be_ctx *ctx, const char *path, struct be_error **err)
{
	char id[17];
	be_random_hex(id, 8);
	cleanup_free char *dest = be_ctx_path(ctx, "trash/%s", id);
	if (rename(path, dest) < 0) {
		if (errno == ENOENT)
			return 0;
		return be_error_set(err, errno, "moving %s to the trash", path);
	}
	return 0;
}

int be_store_empty_trash(const struct be_ctx *ctx, struct be_error **err)
{
	cleanup_free char *trash = be_ctx_path(ctx, "trash");
	cleanup_dir DIR *d = opendir(trash);
	if (d == NULL)
		return errno == ENOENT ? 0 : be_error_set(err, errno, "reading %s", trash);
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' &&
		    (de->d_name[1] == '\0' || strcmp(de->d_name, "..") == 0))
			continue;
		cleanup_free char *p = xasprintf("%s/%s", trash, de->d_name);
		if (be_rm_rf(p, err) < 0)
			return -1;
	}
	return 0;
}

/* Removes ".NAME.tmpXXXXXX" files left by an interrupted atomic write. */
static int remove_temp_files(const char *dir, struct be_error **err)
{
	cleanup_dir DIR *d = opendir(dir);
	if (d == NULL)
		return errno == ENOENT || errno == ENOTDIR
		               ? 0
		               : be_error_set(err, errno, "reading %s", dir);
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] != '.' || strstr(de->d_name, ".tmp") == NULL)
			continue;
		cleanup_free char *p = xasprintf("%s/%s", dir, de->d_name);
		if (be_rm_rf(p, err) < 0)
			return -1;
	}
	return 0;
}

int be_store_repair(const struct be_ctx *ctx, struct be_error **err)
{
	static const char *flat[] = {"images", "layers", "containers"};
	for (size_t i = 0; i < sizeof(flat) / sizeof(flat[0]); i++) {
		cleanup_free char *dir = be_ctx_path(ctx, "%s", flat[i]);
		if (remove_temp_files(dir, err) < 0)
			return -1;
	}
	/* Per-container and per-layer record directories hold temp files too. */
	static const char *nested[] = {"layers", "containers"};
	for (size_t i = 0; i < sizeof(nested) / sizeof(nested[0]); i++) {
		cleanup_free char *dir = be_ctx_path(ctx, "%s", nested[i]);
		cleanup_dir DIR *d = opendir(dir);
		if (d == NULL)
			continue;
		struct dirent *de;
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			cleanup_free char *sub = xasprintf("%s/%s", dir, de->d_name);
			if (remove_temp_files(sub, err) < 0)
				return -1;
		}
	}
	cleanup_free char *tmp = be_ctx_path(ctx, "tmp");
	cleanup_dir DIR *t = opendir(tmp);
	if (t) {
		struct dirent *de;
		while ((de = readdir(t)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			cleanup_free char *p = xasprintf("%s/%s", tmp, de->d_name);
			if (be_rm_rf(p, err) < 0)
				return -1;
		}
	}
	return be_store_empty_trash(ctx, err);
}
