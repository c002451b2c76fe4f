/* The tmux fixture of the TUI tests (tu_tui.h). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "tu_tui.h"

/* Ends the private tmux server (and the UI in it) and removes its socket,
 * which tmux leaves behind. */
void tt_kill_server(struct tt_fx *f)
{
	tu_sh(NULL,
	      "tmux -L %s kill-server 2>/dev/null; "
	      "rm -f \"${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/%s\"",
	      f->sock, f->sock);
}

int tt_setup(void **state)
{
	static int seq;
	*state = NULL;
	if (!tu_is_root() || tu_sh(NULL, "command -v tmux >/dev/null") != 0)
		return 0;
	struct tt_fx *f = calloc(1, sizeof(*f));
	f->root = tu_root_new();
	snprintf(f->sock, sizeof(f->sock), "berth-tui-test-%d-%d", (int)getpid(), ++seq);
	*state = f;
	if (tu_berthl(NULL, f->root, "image", "demo", "-q", NULL) != 0 ||
	    tu_berthl(NULL, f->root, "run", "-d", "--name", "web", "demo", "sleep", "1000", NULL) !=
	            0)
		return -1;
	return 0;
}

/* Ends the UI (the tmux server), then removes every container of the
 * root and the root itself, whatever state a failed case left. */
int tt_teardown(void **state)
{
	struct tt_fx *f = *state;
	if (f == NULL)
		return 0;
	tt_kill_server(f);
	if (f->vm > 0) {
		kill(f->vm, SIGKILL);
		waitpid(f->vm, NULL, 0);
	}
	struct tu_out o = {0};
	tu_berthl(&o, f->root, "ps", "-a", "-q", NULL);
	char *save = NULL;
	for (char *n = o.out ? strtok_r(o.out, "\n", &save) : NULL; n;
	     n = strtok_r(NULL, "\n", &save))
		tu_berthl(NULL, f->root, "rm", "-f", n, NULL);
	tu_out_free(&o);
	tu_root_remove(f->root);
	free(f->root);
	free(f);
	return 0;
}

double tt_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

char *tt_capture(struct tt_fx *f)
{
	struct tu_out o = {0};
	tu_sh(&o, "tmux -L %s capture-pane -p -t t", f->sock);
	free(o.err);
	return o.out;
}

/* Polls the pane until it shows want (present) or no longer shows it
 * (!present), TT_DEADLINE_S at most; returns the last text (the caller frees),
 * NULL on timeout after printing the pane. */
char *tt_wait_for(struct tt_fx *f, const char *want, bool present)
{
	double end = tt_now_s() + TT_DEADLINE_S;
	char *text = NULL;
	do {
		free(text);
		text = tt_capture(f);
		if ((strstr(text, want) != NULL) == present)
			return text;
		usleep(50 * 1000);
	} while (tt_now_s() < end);
	fprintf(stderr, "pane never %s \"%s\":\n%s\n", present ? "showed" : "dropped", want, text);
	free(text);
	return NULL;
}

char *tt_wait_pane(struct tt_fx *f, const char *want)
{
	return tt_wait_for(f, want, true);
}

/* Waits for want and frees the text (assertion on timeout). */
void tt_see(struct tt_fx *f, const char *want)
{
	char *t = tt_wait_pane(f, want);
	assert_non_null(t);
	free(t);
}

void tt_keys(struct tt_fx *f, const char *k)
{
	tu_sh(NULL, "tmux -L %s send-keys -t t %s", f->sock, k);
}

/* Types text literally, then Enter. */
void tt_type_line(struct tt_fx *f, const char *text)
{
	tu_sh(NULL, "tmux -L %s send-keys -t t -l -- '%s'", f->sock, text);
	tt_keys(f, "Enter");
}

/* Starts `ENV berth --root R ARGS` in a tmux pane of WxH; its exit status
 * lands in ROOT/tui.rc. */
void tt_start_tui_env(struct tt_fx *f, const char *env, const char *args, int w, int h)
{
	assert_int_equal(tu_sh(NULL,
	                       "rm -f '%s/tui.rc'; tmux -L %s -f /dev/null new-session -d -s t "
	                       "-x %d -y %d \"%s '%s' --root '%s' %s; "
	                       "echo \\$? > '%s/tui.rc'; sleep 30\"",
	                       f->root, f->sock, w, h, env, tu_berth_bin(), f->root, args, f->root),
	                 0);
}

void tt_start_tui(struct tt_fx *f, const char *args)
{
	tt_start_tui_env(f, "TERM=tmux-256color", args, 80, 24);
}

/* Waits (TT_DEADLINE_S at most) for the TUI's exit status. */
int tt_wait_exit(struct tt_fx *f)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/tui.rc", f->root);
	double end = tt_now_s() + TT_DEADLINE_S;
	do {
		char *t = tu_read(path);
		if (t && strchr(t, '\n')) {
			int rc = atoi(t);
			free(t);
			return rc;
		}
		free(t);
		usleep(50 * 1000);
	} while (tt_now_s() < end);
	return -1;
}

/* Quits with q and checks the exit status: the UI survived the case. */
void tt_quit_ok(struct tt_fx *f)
{
	tt_keys(f, "q");
	assert_int_equal(tt_wait_exit(f), 0);
	tt_kill_server(f);
}

/* The pane line holding word (as a table cell, space-delimited), or -1. */
int tt_line_of(const char *text, const char *word)
{
	int line = 0;
	size_t wl = strlen(word);
	for (const char *p = text; *p; line++) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		for (const char *q = p; q + wl <= p + len; q++)
			if (strncmp(q, word, wl) == 0 && (q == p || q[-1] == ' ') &&
			    (q + wl == p + len || q[wl] == ' '))
				return line;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return -1;
}

/* The text of pane line n (buffer). */
const char *tt_line_at(const char *text, int n)
{
	static char buf[512];
	const char *p = text;
	for (int i = 0; i < n && p; i++) {
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	buf[0] = '\0';
	if (p)
		snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(p, "\n"), p);
	return buf;
}

/* Polls `berth inspect NAME` until its status is want. */
bool tt_wait_status(struct tt_fx *f, const char *name, const char *want)
{
	char pat[64];
	snprintf(pat, sizeof(pat), "\"status\": \"%s\"", want);
	double end = tt_now_s() + TT_DEADLINE_S;
	do {
		struct tu_out o = {0};
		tu_berthl(&o, f->root, "inspect", name, NULL);
		bool ok = o.out && strstr(o.out, pat);
		tu_out_free(&o);
		if (ok)
			return true;
		usleep(50 * 1000);
	} while (tt_now_s() < end);
	char *text = tt_capture(f);
	fprintf(stderr, "%s never became %s; the pane:\n%s\n", name, want, text);
	free(text);
	return false;
}

/* Filters the table down to name (its row is then the selected one). */
void tt_select_only(struct tt_fx *f, const char *name)
{
	/* "=NAME": that name exactly, not every row holding it (demo-web,
	 * another root's web...). */
	char exact[256];
	snprintf(exact, sizeof(exact), "=%s", name);
	tt_keys(f, "/");
	tt_type_line(f, exact);
}

/* Starts the UI at 80x24 and selects NAME once its row shows. */
void tt_start_on(struct tt_fx *f, const char *name)
{
	tt_start_tui(f, "");
	tt_see(f, name);
	tt_select_only(f, name);
}

bool tt_listed(struct tt_fx *f, const char *name)
{
	struct tu_out o = {0};
	tu_berthl(&o, f->root, "ps", "-a", "-q", NULL);
	bool r = o.out && tt_line_of(o.out, name) >= 0;
	tu_out_free(&o);
	return r;
}

/* Polls `berth inspect NAME` until its JSON holds want (10 s). */
bool tt_wait_inspect(struct tt_fx *f, const char *name, const char *want)
{
	double end = tt_now_s() + TT_DEADLINE_S;
	do {
		struct tu_out o = {0};
		tu_berthl(&o, f->root, "inspect", name, NULL);
		bool ok = o.out && strstr(o.out, want);
		tu_out_free(&o);
		if (ok)
			return true;
		usleep(50 * 1000);
	} while (tt_now_s() < end);
	return false;
}
