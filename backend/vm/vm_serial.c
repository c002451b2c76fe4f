/* The serial line's protocol with berth's guest init (pure functions):
 * the start and exit markers the keeper parses out of the guest's output,
 * the kernel command line that carries the command, and the cgroup memory
 * a VM is given. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vm/vm.h"
#include "base/util.h"

static bool is_prefix(const char *line, size_t len, const char *full)
{
	size_t n = strlen(full);
	return len <= n && memcmp(line, full, len) == 0;
}

/* True when the pending line may still grow into a marker: a prefix of
 * "berth-start-TOKEN\r" or of "berth-exit-TOKEN" + " " + 1-3 digits + "\r". */
static bool maybe_marker(const struct vm_serial *s)
{
	char start[64], exitp[64];
	snprintf(start, sizeof(start), "berth-start-%s\r", s->token);
	snprintf(exitp, sizeof(exitp), "berth-exit-%s ", s->token);
	if (is_prefix(s->line, s->len, start))
		return true;
	size_t n = strlen(exitp);
	if (s->len <= n)
		return is_prefix(s->line, s->len, exitp);
	if (memcmp(s->line, exitp, n) != 0)
		return false;
	size_t i = n;
	while (i < s->len && i < n + 3 && s->line[i] >= '0' && s->line[i] <= '9')
		i++;
	if (i < s->len && s->line[i] == '\r')
		i++;
	return i == s->len;
}

/* A complete line (without its end): a marker, or output. */
static enum vm_serial_event line_event(struct vm_serial *s, char *out, size_t *out_len, bool ended)
{
	char start[64], exitp[64];
	snprintf(start, sizeof(start), "berth-start-%s", s->token);
	snprintf(exitp, sizeof(exitp), "berth-exit-%s ", s->token);
	size_t n = s->len;
	while (ended && n > 0 && s->line[n - 1] == '\r')
		n--;
	if (ended && n == strlen(start) && memcmp(s->line, start, n) == 0) {
		s->started = true;
		s->len = 0;
		return VM_SER_START;
	}
	if (ended && n > strlen(exitp) && memcmp(s->line, exitp, strlen(exitp)) == 0) {
		int code = 0;
		size_t i = strlen(exitp);
		for (; i < n && s->line[i] >= '0' && s->line[i] <= '9' && code < 1000; i++)
			code = code * 10 + (s->line[i] - '0');
		if (i == n && i > strlen(exitp) && code <= 255) {
			s->exited = true;
			s->code = code;
			s->len = 0;
			return VM_SER_EXIT;
		}
	}
	if (s->started && !s->exited) {
		memcpy(out + *out_len, s->line, n);
		*out_len += n;
		if (ended)
			out[(*out_len)++] = '\n';
	}
	s->len = 0;
	return VM_SER_NONE;
}

enum vm_serial_event vm_serial_feed(struct vm_serial *s, const char *data, size_t n, char *out,
                                    size_t *out_len)
{
	enum vm_serial_event ev = VM_SER_NONE;
	*out_len = 0;
	for (size_t i = 0; i < n; i++) {
		char c = data[i];
		if (c == '\n') {
			enum vm_serial_event e = line_event(s, out, out_len, true);
			if (e > ev)
				ev = e;
			continue;
		}
		if (s->len == sizeof(s->line))
			line_event(s, out, out_len, false); /* too long for a marker */
		s->line[s->len++] = c;
	}
	/* What is left may be the beginning of a marker: keep it; anything
	 * else is output now (a prompt has no newline). */
	if (s->len > 0 && !maybe_marker(s)) {
		/* A '\r' at the end may be the first half of "\r\n": kept. */
		bool cr = s->line[s->len - 1] == '\r';
		if (cr)
			s->len--;
		if (s->len > 0)
			line_event(s, out, out_len, false);
		if (cr)
			s->line[s->len++] = '\r';
	}
	return ev;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void base64_append(char *dst, size_t *pos, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		dst[(*pos)++] = b64[(v >> 18) & 63];
		dst[(*pos)++] = b64[(v >> 12) & 63];
		dst[(*pos)++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		dst[(*pos)++] = i + 2 < n ? b64[v & 63] : '=';
	}
}

char *vm_cmdline(const char *name, const char *token, char *const *cmd, struct be_error **err)
{
	char head[512];
	int h = snprintf(head, sizeof(head),
	                 "console=ttyS0 quiet loglevel=1 panic=-1 root=/dev/nvme0n1 rw "
	                 "rootfstype=ext4 init=/sbin/berth-init berth.name=%s berth.token=%s",
	                 name, token);
	size_t need = (size_t)h + 16;
	for (size_t i = 0; cmd && cmd[i]; i++)
		need += (strlen(cmd[i]) + 2) / 3 * 4 + 2;
	if (need > VM_CMDLINE_MAX) {
		be_error_set(err, 0,
		             "the command is too long for the kernel command line (%zu bytes "
		             "encoded, at most %d)",
		             need, VM_CMDLINE_MAX);
		return NULL;
	}
	char *s = xmalloc(need + 1);
	size_t pos = (size_t)h;
	memcpy(s, head, pos);
	for (size_t i = 0; cmd && cmd[i]; i++) {
		const char *pre = i == 0 ? " berth.cmd=" : ",";
		memcpy(s + pos, pre, strlen(pre));
		pos += strlen(pre);
		if (cmd[i][0] == '\0') {
			s[pos++] = '-'; /* an empty word: base64 would give nothing */
			continue;
		}
		base64_append(s, &pos, (const unsigned char *)cmd[i], strlen(cmd[i]));
	}
	s[pos] = '\0';
	return s;
}

uint64_t vm_cgroup_memory(uint64_t guest, uint64_t overhead)
{
	uint64_t mib = 1ull << 20;
	uint64_t total = guest + overhead;
	return (total + mib - 1) / mib * mib;
}
