/* ssh:// targets of `berth --host`: the URL and the ssh command line that
 * runs berth with the same words on the remote host. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "berth.h"
#include "be_remote.h"
#include "base/util.h"

static bool user_ok(const char *s, size_t n)
{
	if (n == 0 || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || strchr("._-", s[i])))
			return false;
	return true;
}

static bool host_ok(const char *s, size_t n, bool v6)
{
	if (n == 0 || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		          (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_' ||
		          (v6 && (c == ':' || c == '%'));
		if (!ok)
			return false;
	}
	return true;
}

int be_remote_parse(const char *url, struct be_remote *out, struct be_error **err)
{
	memset(out, 0, sizeof(*out));
	if (strncmp(url, "ssh://", 6) != 0)
		return be_error_set(err, 0, "invalid host \"%s\": want ssh://[USER@]HOST[:PORT]",
		                    url);
	const char *p = url + 6;
	const char *at = strchr(p, '@');
	if (at) {
		if (!user_ok(p, (size_t)(at - p)) || (size_t)(at - p) >= sizeof(out->user))
			return be_error_set(err, 0, "invalid host \"%s\": bad user name", url);
		memcpy(out->user, p, (size_t)(at - p));
		p = at + 1;
	}
	const char *host = p, *end;
	bool v6 = *p == '[';
	if (v6) {
		host = p + 1;
		end = strchr(host, ']');
		if (end == NULL)
			return be_error_set(err, 0, "invalid host \"%s\": no ] after the address",
			                    url);
		p = end + 1;
	} else {
		end = host + strcspn(host, ":");
		p = end;
	}
	size_t hl = (size_t)(end - host);
	if (!host_ok(host, hl, v6) || hl >= sizeof(out->host))
		return be_error_set(err, 0, "invalid host \"%s\": bad host name", url);
	memcpy(out->host, host, hl);
	if (*p == ':') {
		char *stop = NULL;
		errno = 0;
		unsigned long port = strtoul(p + 1, &stop, 10);
		if (p[1] < '0' || p[1] > '9' || *stop || errno || port == 0 || port > 65535)
			return be_error_set(
			        err, 0, "invalid host \"%s\": want a port from 1 to 65535", url);
		out->port = (unsigned)port;
	} else if (*p) {
		return be_error_set(err, 0, "invalid host \"%s\": want ssh://[USER@]HOST[:PORT]",
		                    url);
	}
	return 0;
}

char *be_shell_quote(const char *word)
{
	size_t n = 2;
	for (const char *s = word; *s; s++)
		n += *s == '\'' ? 4 : 1;
	char *out = xmalloc(n + 1), *o = out;
	*o++ = '\'';
	for (const char *s = word; *s; s++) {
		if (*s == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = *s;
		}
	}
	*o++ = '\'';
	*o = '\0';
	return out;
}

char **be_remote_ssh_argv(const struct be_remote *r, const char *ssh, const char *remote_bin,
                          int nwords, const char *const *words, bool tty)
{
	char **argv = xcalloc(16, sizeof(char *));
	size_t n = 0;
	argv[n++] = xstrdup(ssh);
	argv[n++] = xstrdup("-o");
	argv[n++] = xstrdup("BatchMode=yes");
	argv[n++] = xstrdup(tty ? "-t" : "-T");
	if (r->port) {
		argv[n++] = xstrdup("-p");
		argv[n++] = xasprintf("%u", r->port);
	}
	if (r->user[0]) {
		argv[n++] = xstrdup("-l");
		argv[n++] = xstrdup(r->user);
	}
	argv[n++] = xstrdup("--");
	argv[n++] = xstrdup(r->host);
	/* One command string: ssh joins its words with spaces and the remote
	 * shell splits them again, so each is quoted here. */
	size_t len = 0;
	char **q = xcalloc((size_t)nwords + 1, sizeof(char *));
	q[0] = be_shell_quote(remote_bin);
	len += strlen(q[0]) + 1;
	for (int i = 0; i < nwords; i++) {
		q[i + 1] = be_shell_quote(words[i]);
		len += strlen(q[i + 1]) + 1;
	}
	char *cmd = xmalloc(len + 1), *o = cmd;
	for (int i = 0; i <= nwords; i++) {
		size_t l = strlen(q[i]);
		memcpy(o, q[i], l);
		o += l;
		*o++ = i < nwords ? ' ' : '\0';
		free(q[i]);
	}
	free(q);
	argv[n++] = cmd;
	argv[n] = NULL;
	return argv;
}

void be_remote_argv_free(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}
