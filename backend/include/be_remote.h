/* Remote hosts: `berth --host ssh://[user@]host[:port]` (or BERTH_HOST)
 * runs the same command on another host through the user's own ssh, as
 * docker's ssh contexts do.  Pure logic: parsing the URL and building the
 * ssh command line; the front end executes it. */
#ifndef BE_REMOTE_H
#define BE_REMOTE_H

#include <stdbool.h>

struct be_error;

struct be_remote {
	char user[64];  /* "" when not given (ssh's config decides) */
	char host[256]; /* a name, an IPv4 address, or an IPv6 one without [] */
	unsigned port;  /* 0 when not given */
};

/* Parses "ssh://[user@]host[:port]" ("[v6addr]" for IPv6).  Fails with a
 * one-line error on another scheme, an empty or option-like host, a path,
 * or a port outside 1-65535. */
int be_remote_parse(const char *url, struct be_remote *out, struct be_error **err);

/* word quoted for a POSIX shell: 'it'\''s'.  The caller frees. */
char *be_shell_quote(const char *word);

/* The argv of the ssh command that runs `REMOTE_BIN WORDS...` on r:
 *   SSH -o BatchMode=yes [-t|-T] [-p PORT] [-l USER] -- HOST 'bin' 'w1' ...
 * (the remote side gets one command string, each word quoted, so no word
 * is split or expanded there).  tty asks for a terminal (-t).  NULL-ended;
 * free with be_remote_argv_free. */
char **be_remote_ssh_argv(const struct be_remote *r, const char *ssh, const char *remote_bin,
                          int nwords, const char *const *words, bool tty);
void be_remote_argv_free(char **argv);

#endif
