/* A QMP client: qemu's JSON machine protocol over its unix socket (one
 * JSON object a line).  Connect, negotiate capabilities, execute a command
 * and wait for its return, skipping asynchronous events. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vm/vm.h"
#include "store/store.h"

#define QMP_REPLY_MS 30000 /* a command's reply; blockdev-snapshot-sync is quick */

struct vm_qmp {
	int fd;
	char buf[65536];
	size_t len;
};

enum vm_qmp_kind vm_qmp_parse(const char *line, char **desc)
{
	if (desc)
		*desc = NULL;
	json_error_t jerr;
	cleanup_json json_t *o = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(o))
		return VM_QMP_BAD;
	if (json_is_object(json_object_get(o, "QMP")))
		return VM_QMP_GREETING;
	if (json_object_get(o, "return"))
		return VM_QMP_RETURN;
	json_t *e = json_object_get(o, "error");
	if (json_is_object(e)) {
		const char *d = json_string_value(json_object_get(e, "desc"));
		if (desc)
			*desc = xstrdup(d ? d : "unknown error");
		return VM_QMP_ERROR;
	}
	const char *ev = json_string_value(json_object_get(o, "event"));
	if (ev) {
		if (desc)
			*desc = xstrdup(ev);
		return VM_QMP_EVENT;
	}
	return VM_QMP_BAD;
}

/* The next line from the socket (NUL-terminated in q->buf); its length
 * (the caller drops it with consume), or -1. */
static ssize_t next_line(struct vm_qmp *q, unsigned timeout_ms, struct be_error **err)
{
	uint64_t deadline = util_now_ns() + (uint64_t)timeout_ms * 1000000u;
	for (;;) {
		char *nl = memchr(q->buf, '\n', q->len);
		if (nl) {
			*nl = '\0';
			return nl - q->buf;
		}
		if (q->len == sizeof(q->buf) - 1)
			return be_error_set(err, EPROTO, "qmp: a reply longer than %zu bytes",
			                    sizeof(q->buf));
		uint64_t now = util_now_ns();
		if (now >= deadline)
			return be_error_set(err, ETIMEDOUT, "qmp: no reply in %u ms", timeout_ms);
		struct pollfd p = {.fd = q->fd, .events = POLLIN};
		int r = poll(&p, 1, (int)((deadline - now) / 1000000) + 1);
		if (r < 0 && errno != EINTR)
			return be_error_set(err, errno, "qmp: poll");
		if (r <= 0)
			continue;
		ssize_t n = read(q->fd, q->buf + q->len, sizeof(q->buf) - 1 - q->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return be_error_set(err, n < 0 ? errno : EPIPE,
			                    "qmp: qemu closed the socket");
		q->len += (size_t)n;
	}
}

static void consume(struct vm_qmp *q, size_t line_len)
{
	size_t used = line_len + 1;
	memmove(q->buf, q->buf + used, q->len - used);
	q->len -= used;
}

/* Reads until the reply of the last command: 0 on return, -1 on error. */
static int wait_reply(struct vm_qmp *q, const char *what, struct be_error **err)
{
	for (;;) {
		ssize_t n = next_line(q, QMP_REPLY_MS, err);
		if (n < 0)
			return be_error_wrap(err, "%s", what);
		cleanup_free char *desc = NULL;
		enum vm_qmp_kind k = vm_qmp_parse(q->buf, &desc);
		consume(q, (size_t)n);
		if (k == VM_QMP_RETURN)
			return 0;
		if (k == VM_QMP_ERROR)
			return be_error_set(err, EIO, "%s: %s", what, desc);
		/* events and blank lines are skipped */
	}
}

static int send_text(struct vm_qmp *q, const char *text, struct be_error **err)
{
	size_t n = strlen(text);
	while (n > 0) {
		ssize_t w = send(q->fd, text, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return be_error_set(err, errno, "qmp: writing");
		text += w;
		n -= (size_t)w;
	}
	return 0;
}

static int connect_retry(const char *path, unsigned timeout_ms, struct be_error **err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path))
		return be_error_set(err, ENAMETOOLONG, "qmp socket path %s is too long", path);
	strcpy(sa.sun_path, path);
	uint64_t deadline = util_now_ns() + (uint64_t)timeout_ms * 1000000u;
	for (;;) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return be_error_set(err, errno, "qmp: socket");
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return fd;
		int e = errno;
		close(fd);
		if ((e != ENOENT && e != ECONNREFUSED && e != EAGAIN) || util_now_ns() >= deadline)
			return be_error_set(err, e, "connecting to qmp at %s", path);
		usleep(20000);
	}
}

struct vm_qmp *vm_qmp_open(const char *path, unsigned timeout_ms, struct be_error **err)
{
	int fd = connect_retry(path, timeout_ms, err);
	if (fd < 0)
		return NULL;
	struct vm_qmp *q = xcalloc(1, sizeof(*q));
	q->fd = fd;
	ssize_t n = next_line(q, timeout_ms ? timeout_ms : 1000, err);
	if (n < 0 || vm_qmp_parse(q->buf, NULL) != VM_QMP_GREETING) {
		be_error_set(err, EPROTO, "qmp at %s: no greeting", path);
		vm_qmp_close(q);
		return NULL;
	}
	consume(q, (size_t)n);
	if (send_text(q, "{\"execute\":\"qmp_capabilities\"}\n", err) < 0 ||
	    wait_reply(q, "qmp_capabilities", err) < 0) {
		vm_qmp_close(q);
		return NULL;
	}
	return q;
}

int vm_qmp_exec(struct vm_qmp *q, const char *cmd, const char *args, struct be_error **err)
{
	cleanup_free char *text =
	        args ? xasprintf("{\"execute\":\"%s\",\"arguments\":%s}\n", cmd, args)
	             : xasprintf("{\"execute\":\"%s\"}\n", cmd);
	if (send_text(q, text, err) < 0)
		return -1;
	return wait_reply(q, cmd, err);
}

void vm_qmp_close(struct vm_qmp *q)
{
	if (q == NULL)
		return;
	close(q->fd);
	free(q);
}
