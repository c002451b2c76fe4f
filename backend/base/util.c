/* Allocation, cleanup helpers, files, clocks, random ids, fault points. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"

void util_cleanup_freep(void *p)
{
	free(*(void **)p);
}

void util_cleanup_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

void util_cleanup_fclosep(void *fp)
{
	FILE *f = *(FILE **)fp;
	if (f)
		fclose(f);
}

void util_cleanup_closedirp(void *dp)
{
	DIR *d = *(DIR **)dp;
	if (d)
		closedir(d);
}

void util_cleanup_errorp(struct be_error **err)
{
	be_error_clear(err);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		abort();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (p == NULL)
		abort();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		abort();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (p == NULL)
		abort();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	return s;
}

int util_mkdir_p(const char *path, mode_t mode, struct be_error **err)
{
	if (path[0] == '\0')
		return be_error_set(err, ENOENT, "creating \"\"");
	/* Most often every parent is there (or the directory itself): one
	 * mkdir, not one per component. */
	if (mkdir(path, mode) == 0)
		return 0;
	if (errno == EEXIST) {
		struct stat st0;
		if (stat(path, &st0) == 0 && S_ISDIR(st0.st_mode))
			return 0;
		return be_error_set(err, ENOTDIR, "creating %s", path);
	}
	cleanup_free char *copy = xstrdup(path);
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, mode) < 0 && errno != EEXIST)
			return be_error_set(err, errno, "creating %s", copy);
		*p = '/';
	}
	if (mkdir(copy, mode) < 0 && errno != EEXIST)
		return be_error_set(err, errno, "creating %s", copy);
	/* EEXIST also comes from a file or a dangling link of that name. */
	struct stat st;
	if (stat(copy, &st) < 0)
		return be_error_set(err, errno, "creating %s", copy);
	if (!S_ISDIR(st.st_mode))
		return be_error_set(err, ENOTDIR, "creating %s", copy);
	return 0;
}

/* The mount an open directory lives on: its mount id where the kernel
 * reports one (5.8+), else its device number; *root tells whether the
 * directory is the root of that mount, when the kernel knows. */
static int dir_mount(int fd, uint64_t *id, bool *root)
{
	struct statx stx;
	if (statx(fd, "", AT_EMPTY_PATH | AT_NO_AUTOMOUNT, STATX_MNT_ID, &stx) < 0)
		return -1;
	if (stx.stx_mask & STATX_MNT_ID)
		*id = stx.stx_mnt_id;
	else
		*id = ((uint64_t)stx.stx_dev_major << 32) | stx.stx_dev_minor;
	*root = (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
	        (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
	return 0;
}

/* Removes everything below dirfd (which it closes), staying on mount mnt.
 * Entries that vanish meanwhile (another process emptying the same tree)
 * are not errors. */
static int rm_tree_at(int dirfd, uint64_t mnt, const char *shown, struct be_error **err)
{
	cleanup_dir DIR *d = fdopendir(dirfd);
	if (d == NULL) {
		close(dirfd);
		return be_error_set(err, errno, "removing %s", shown);
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		struct stat st;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;
			return be_error_set(err, errno, "removing %s/%s", shown, de->d_name);
		}
		if (!S_ISDIR(st.st_mode)) {
			if (unlinkat(dirfd, de->d_name, 0) < 0 && errno != ENOENT)
				return be_error_set(err, errno, "removing %s/%s", shown,
				                    de->d_name);
			continue;
		}
		int sub =
		        openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			if (errno == ENOENT)
				continue;
			return be_error_set(err, errno, "removing %s/%s", shown, de->d_name);
		}
		cleanup_free char *sub_shown = xasprintf("%s/%s", shown, de->d_name);
		uint64_t sub_mnt;
		bool root;
		if (dir_mount(sub, &sub_mnt, &root) < 0) {
			be_error_set(err, errno, "removing %s", sub_shown);
			close(sub);
			return -1;
		}
		if (sub_mnt != mnt) {
			close(sub);
			return be_error_set(err, EBUSY, "removing %s: a mount point", sub_shown);
		}
		if (rm_tree_at(sub, mnt, sub_shown, err) < 0)
			return -1;
		if (unlinkat(dirfd, de->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT)
			return be_error_set(err, errno, "removing %s/%s", shown, de->d_name);
	}
	return 0;
}

int util_rm_rf_at(int dirfd, const char *name, const char *shown, struct be_error **err)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return be_error_set(err, errno, "removing %s", shown);
	}
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
			return be_error_set(err, errno, "removing %s", shown);
		return 0;
	}
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : be_error_set(err, errno, "removing %s", shown);
	uint64_t mnt;
	bool root;
	if (dir_mount(fd, &mnt, &root) < 0) {
		be_error_set(err, errno, "removing %s", shown);
		close(fd);
		return -1;
	}
	if (root) {
		close(fd);
		return be_error_set(err, EBUSY, "removing %s: a mount point", shown);
	}
	if (rm_tree_at(fd, mnt, shown, err) < 0)
		return -1;
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return be_error_set(err, errno, "removing %s", shown);
	return 0;
}

int util_rm_rf(const char *path, struct be_error **err)
{
	return util_rm_rf_at(AT_FDCWD, path, path, err);
}

char *util_read_file(const char *path, size_t *len, struct be_error **err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		be_error_set(err, errno, "reading %s", path);
		return NULL;
	}
	size_t cap = 4096, n = 0;
	cleanup_free char *buf = xmalloc(cap);
	for (;;) {
		if (n + 1 >= cap)
			buf = xrealloc(buf, cap *= 2);
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			be_error_set(err, errno, "reading %s", path);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return steal_pointer(&buf);
}

int util_fsync_dir(const char *dir, struct be_error **err)
{
	cleanup_close int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		return be_error_set(err, errno, "syncing %s", dir);
	return 0;
}

int util_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* One attempt of util_write_file_atomic; returns 1 when the temp file
 * vanished before the rename (removed by a concurrent repair). */
static int write_once(const char *path, const char *dir, const char *base, const void *data,
                      size_t len, bool durable, struct be_error **err)
{
	/* The writer's pid is in the name: repair leaves the temp files of
	 * live processes alone (see util_temp_owner_alive). */
	cleanup_free char *tmp = xasprintf("%s/.%s.tmp%d-XXXXXX", dir, base, (int)getpid());
	cleanup_close int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return be_error_set(err, errno, "writing %s", path);
	/* Held until the file is renamed: repair skips locked temp files, so
	 * another client opening the root cannot remove this one meanwhile. */
	while (flock(fd, LOCK_EX) < 0 && errno == EINTR)
		;
	if (fchmod(fd, 0644) < 0 || util_write_all(fd, data, len) < 0 ||
	    (durable && fsync(fd) < 0)) {
		be_error_set(err, errno, "writing %s", path);
		unlink(tmp);
		return -1;
	}
	util_fault("store.before_rename");
	if (rename(tmp, path) < 0) {
		if (errno == ENOENT && !util_path_exists(tmp) && util_path_exists(dir))
			return 1;
		be_error_set(err, errno, "writing %s", path);
		unlink(tmp);
		return -1;
	}
	util_fault("store.after_rename");
	return 0;
}

int util_write_file_atomic(const char *path, const void *data, size_t len, bool durable,
                           struct be_error **err)
{
	cleanup_free char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	const char *base = path;
	if (slash) {
		slash[slash == dir ? 1 : 0] = '\0';
		base = path + (slash - dir) + 1;
	} else {
		free(dir);
		dir = xstrdup(".");
	}
	if (*base == '\0')
		return be_error_set(err, EISDIR, "writing %s", path);
	/* A temp file removed between its creation and its lock (the only
	 * window repair has) makes the rename fail: write it again. */
	int r = 1;
	for (int attempt = 0; r == 1 && attempt < 3; attempt++)
		r = write_once(path, strcmp(dir, "/") == 0 ? "" : dir, base, data, len, durable,
		               err);
	if (r == 1)
		return be_error_set(err, ENOENT, "writing %s: temp file removed meanwhile", path);
	if (r < 0)
		return -1;
	if (durable)
		return util_fsync_dir(dir, err);
	return 0;
}

bool util_path_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

void util_random_hex(char *buf, size_t n)
{
	unsigned char raw[64];
	if (n > sizeof(raw))
		n = sizeof(raw);
	size_t got = 0;
	while (got < n) {
		ssize_t r = getrandom(raw + got, n - got, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			abort();
		}
		got += (size_t)r;
	}
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		buf[2 * i] = hex[raw[i] >> 4];
		buf[2 * i + 1] = hex[raw[i] & 15];
	}
	buf[2 * n] = '\0';
}

uint64_t util_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int64_t util_wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* True when the comma-separated list in environment variable var names point. */
static bool env_lists(const char *var, const char *point)
{
	const char *want = getenv(var);
	if (want == NULL || *want == '\0')
		return false;
	size_t n = strlen(point);
	for (const char *p = want; *p;) {
		const char *end = strchrnul(p, ',');
		if ((size_t)(end - p) == n && strncmp(p, point, n) == 0)
			return true;
		p = *end ? end + 1 : end;
	}
	return false;
}

void util_fault(const char *point)
{
	if (env_lists("BERTH_FAULT", point))
		_exit(99);
}

int util_fail(const char *point, struct be_error **err)
{
	if (env_lists("BERTH_FAIL", point))
		return be_error_set(err, EIO, "injected failure at %s", point);
	return 0;
}

int be_parse_size(const char *text, uint64_t *out, struct be_error **err)
{
	if (text == NULL || *text < '0' || *text > '9')
		return be_error_set(err, 0,
		                    "invalid size \"%s\": want a number with an optional k, m or g",
		                    text ? text : "");
	errno = 0;
	char *end = NULL;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno == ERANGE)
		return be_error_set(err, 0, "invalid size \"%s\": too large", text);
	unsigned shift = 0;
	switch (*end) {
	case '\0': break;
	case 'b':
	case 'B':
		shift = 0;
		end++;
		break;
	case 'k':
	case 'K':
		shift = 10;
		end++;
		break;
	case 'm':
	case 'M':
		shift = 20;
		end++;
		break;
	case 'g':
	case 'G':
		shift = 30;
		end++;
		break;
	case 't':
	case 'T':
		shift = 40;
		end++;
		break;
	default:
		return be_error_set(err, 0,
		                    "invalid size \"%s\": want a number with an optional k, m or g",
		                    text);
	}
	if (shift && (*end == 'b' || *end == 'B' || *end == 'i'))
		end += (*end == 'i' && (end[1] == 'B' || end[1] == 'b')) ? 2 : 1;
	if (*end != '\0')
		return be_error_set(err, 0,
		                    "invalid size \"%s\": want a number with an optional k, m or g",
		                    text);
	if (shift && v > (UINT64_MAX >> shift))
		return be_error_set(err, 0, "invalid size \"%s\": too large", text);
	*out = (uint64_t)v << shift;
	return 0;
}

const char *be_format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	double v = (double)bytes;
	size_t u = 0;
	/* 1023.95 and up would print as "1024.0": show the next unit. */
	while ((u == 0 ? v >= 1024 : v >= 1023.95) && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%" PRIu64 " B", bytes);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}

/* The message both ends of an fd passing use: one byte, room for one fd. */
struct fd_msg {
	char byte;
	struct iovec iov;
	struct msghdr msg;
	union { /* last: its size is CMSG_SPACE's, a GNU extension in clang's eyes */
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} c;
};

static void fd_msg_init(struct fd_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->byte = 'F';
	m->iov = (struct iovec){.iov_base = &m->byte, .iov_len = 1};
	m->msg = (struct msghdr){.msg_iov = &m->iov,
	                         .msg_iovlen = 1,
	                         .msg_control = m->c.buf,
	                         .msg_controllen = sizeof(m->c.buf)};
}

int util_send_fd(int sock, int fd, struct be_error **err)
{
	struct fd_msg m;
	fd_msg_init(&m);
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m.msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	ssize_t n;
	while ((n = sendmsg(sock, &m.msg, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	return n == 1 ? 0 : be_error_set(err, errno, "passing the terminal to the client");
}

int util_recv_fd(int sock, struct be_error **err)
{
	struct fd_msg m;
	fd_msg_init(&m);
	ssize_t n;
	while ((n = recvmsg(sock, &m.msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	struct cmsghdr *cm = n == 1 ? CMSG_FIRSTHDR(&m.msg) : NULL;
	if (cm == NULL || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS ||
	    cm->cmsg_len != CMSG_LEN(sizeof(int))) {
		if (n < 0)
			return be_error_set(err, errno, "receiving the container's terminal");
		return be_error_set(err, 0, "the container closed without sending a terminal");
	}
	int fd;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

char *be_self_exe(struct be_error **err)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	if (n < 0) {
		be_error_set(err, errno, "cannot find the berth program: /proc/self/exe: %s",
		             strerror(errno));
		return NULL;
	}
	buf[n] = '\0';
	return xstrdup(buf);
}

const char *be_format_duration(int64_t secs, char *buf, size_t len)
{
	static const struct {
		int64_t below; /* this rule applies under this many seconds */
		int64_t unit;
		const char *one, *many; /* "About a minute"; "minutes" after the count */
	} rules[] = {
	        {60, 1, "1 second", "seconds"},
	        {3600, 60, "About a minute", "minutes"},
	        {48 * 3600, 3600, "About an hour", "hours"},
	        {14 * 86400, 86400, "1 day", "days"},
	        {60 * 86400, 7 * 86400, "1 week", "weeks"},
	        {730 * 86400, 30 * 86400, "1 month", "months"},
	        {INT64_MAX, 365 * 86400, "1 year", "years"},
	};
	if (secs < 1) {
		snprintf(buf, len, "Less than a second");
		return buf;
	}
	size_t n_rules = sizeof(rules) / sizeof(rules[0]);
	for (size_t i = 0; i < n_rules; i++) {
		if (secs >= rules[i].below && i + 1 < n_rules)
			continue;
		int64_t n = secs / rules[i].unit;
		if (n <= 1)
			snprintf(buf, len, "%s", rules[i].one);
		else
			snprintf(buf, len, "%lld %s", (long long)n, rules[i].many);
		break;
	}
	return buf;
}

bool util_temp_owner_alive(const char *name)
{
	const char *t = strstr(name, ".tmp");
	if (t == NULL)
		return false;
	char *end = NULL;
	long pid = strtol(t + 4, &end, 10);
	if (end == t + 4 || *end != '-' || pid <= 0 || pid == getpid())
		return false;
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

int util_copy_fd(int in, int out)
{
	char buf[65536];
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return (int)n;
		if (util_write_all(out, buf, (size_t)n) < 0)
			return -1;
	}
}

bool util_thread_start(pthread_t *t, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int r = pthread_create(t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r == 0;
}
