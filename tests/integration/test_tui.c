/* Under a private tmux server: the terminal UI draws the host meters and
 * the table of its root's containers, sorts, filters, opens the detail
 * view (namespaces, processes, snapshots), the log pager and a shell, runs
 * actions (pause, snapshot, delete) and shows their errors, draws in ASCII
 * under LANG=C TERM=vt100 and without colours under NO_COLOR; it quits on
 * q, ends by itself with --iterations, and refuses to start without a
 * terminal.  run -it and exec -it work.  Each case has its own root with a
 * running demo container `web`; every wait polls with a deadline. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#define DEADLINE_S 10

struct fx {
	char *root;
	char sock[64];
	pid_t vm; /* a qemu this case started, killed in teardown */
};

/* Ends the private tmux server (and the UI in it) and removes its socket,
 * which tmux leaves behind. */
static void kill_server(struct fx *f)
{
	tu_sh(NULL,
	      "tmux -L %s kill-server 2>/dev/null; "
	      "rm -f \"${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/%s\"",
	      f->sock, f->sock);
}

static int setup(void **state)
{
	static int seq;
	*state = NULL;
	if (!tu_is_root() || tu_sh(NULL, "command -v tmux >/dev/null") != 0)
		return 0;
	struct fx *f = calloc(1, sizeof(*f));
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
static int teardown(void **state)
{
	struct fx *f = *state;
	if (f == NULL)
		return 0;
	kill_server(f);
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

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *capture(struct fx *f)
{
	struct tu_out o = {0};
	tu_sh(&o, "tmux -L %s capture-pane -p -t t", f->sock);
	free(o.err);
	return o.out;
}

/* Polls the pane until it shows want (present) or no longer shows it
 * (!present), DEADLINE_S at most; returns the last text (the caller frees),
 * NULL on timeout after printing the pane. */
static char *wait_for(struct fx *f, const char *want, bool present)
{
	double end = now_s() + DEADLINE_S;
	char *text = NULL;
	do {
		free(text);
		text = capture(f);
		if ((strstr(text, want) != NULL) == present)
			return text;
		usleep(50 * 1000);
	} while (now_s() < end);
	fprintf(stderr, "pane never %s \"%s\":\n%s\n", present ? "showed" : "dropped", want, text);
	free(text);
	return NULL;
}

static char *wait_pane(struct fx *f, const char *want)
{
	return wait_for(f, want, true);
}

/* Waits for want and frees the text (assertion on timeout). */
static void see(struct fx *f, const char *want)
{
	char *t = wait_pane(f, want);
	assert_non_null(t);
	free(t);
}

static void keys(struct fx *f, const char *k)
{
	tu_sh(NULL, "tmux -L %s send-keys -t t %s", f->sock, k);
}

/* Types text literally, then Enter. */
static void type_line(struct fx *f, const char *text)
{
	tu_sh(NULL, "tmux -L %s send-keys -t t -l -- '%s'", f->sock, text);
	keys(f, "Enter");
}

/* Starts `ENV berth --root R ARGS` in a tmux pane of WxH; its exit status
 * lands in ROOT/tui.rc. */
static void start_tui_env(struct fx *f, const char *env, const char *args, int w, int h)
{
	assert_int_equal(tu_sh(NULL,
	                       "rm -f '%s/tui.rc'; tmux -L %s -f /dev/null new-session -d -s t "
	                       "-x %d -y %d \"%s '%s' --root '%s' %s; "
	                       "echo \\$? > '%s/tui.rc'; sleep 30\"",
	                       f->root, f->sock, w, h, env, tu_berth_bin(), f->root, args, f->root),
	                 0);
}

static void start_tui(struct fx *f, const char *args)
{
	start_tui_env(f, "TERM=tmux-256color", args, 80, 24);
}

/* Waits (DEADLINE_S at most) for the TUI's exit status. */
static int wait_exit(struct fx *f)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/tui.rc", f->root);
	double end = now_s() + DEADLINE_S;
	do {
		char *t = tu_read(path);
		if (t && strchr(t, '\n')) {
			int rc = atoi(t);
			free(t);
			return rc;
		}
		free(t);
		usleep(50 * 1000);
	} while (now_s() < end);
	return -1;
}

/* Quits with q and checks the exit status: the UI survived the case. */
static void quit_ok(struct fx *f)
{
	keys(f, "q");
	assert_int_equal(wait_exit(f), 0);
	kill_server(f);
}

/* The pane line holding word (as a table cell, space-delimited), or -1. */
static int line_of(const char *text, const char *word)
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

/* The text of pane line n (static buffer). */
static const char *line_at(const char *text, int n)
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
static bool wait_status(struct fx *f, const char *name, const char *want)
{
	char pat[64];
	snprintf(pat, sizeof(pat), "\"status\": \"%s\"", want);
	double end = now_s() + DEADLINE_S;
	do {
		struct tu_out o = {0};
		tu_berthl(&o, f->root, "inspect", name, NULL);
		bool ok = o.out && strstr(o.out, pat);
		tu_out_free(&o);
		if (ok)
			return true;
		usleep(50 * 1000);
	} while (now_s() < end);
	char *text = capture(f);
	fprintf(stderr, "%s never became %s; the pane:\n%s\n", name, want, text);
	free(text);
	return false;
}

/* Filters the table down to name (its row is then the selected one). */
static void select_only(struct fx *f, const char *name)
{
	keys(f, "/");
	type_line(f, name);
}

/* Starts the UI at 80x24 and selects NAME once its row shows. */
static void start_on(struct fx *f, const char *name)
{
	start_tui(f, "");
	see(f, name);
	select_only(f, name);
}

/* ---- the cases that came first ---------------------------------------------- */

static void test_tui_shows_containers_and_quits(void **state)
{
	struct fx *f = *state;
	if (f == NULL)
		skip();
	start_tui(f, "");
	/* One at a time: a capture can catch a frame half drawn. */
	see(f, " web ");
	see(f, "running");
	see(f, "demo");
	quit_ok(f);
}

static void test_tui_iterations_end_it(void **state)
{
	struct fx *f = *state;
	if (f == NULL)
		skip();
	start_tui(f, "--iterations 2");
	assert_int_equal(wait_exit(f), 0);
	kill_server(f);
}

/* run -it and exec -it: a shell on a terminal, typed into through tmux;
 * berth's exit status is the shell's. */
static void test_run_and_exec_interactive(void **state)
{
	struct fx *f = *state;
	if (f == NULL)
		skip();
	start_tui(f, "run -it --rm demo sh");
	see(f, "/ #");
	keys(f, "'echo hello-$((6*7)); exit 3' Enter");
	assert_int_equal(wait_exit(f), 3);
	see(f, "hello-42");
	kill_server(f);

	start_tui(f, "exec -it web sh");
	see(f, "/ #");
	keys(f, "'hostname; exit 4' Enter");
	assert_int_equal(wait_exit(f), 4);
	see(f, "web");
	kill_server(f);
}

static void test_tui_refuses_without_terminal(void **state)
{
	struct fx *f = *state;
	if (f == NULL)
		skip();
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, f->root, NULL), 125);
	assert_non_null(strstr(o.err, "needs a terminal"));
	tu_out_free(&o);
}

/* ---- the main screen --------------------------------------------------------- */

/* web's row shows a CPU figure ("0.0", not "-") once rates exist. */
static bool web_has_cpu(const char *text)
{
	int l = line_of(text, "web");
	if (l < 0)
		return false;
	const char *row = line_at(text, l);
	for (const char *p = row; *p; p++)
		if (p[0] >= '0' && p[0] <= '9' && p[1] == '.' && p[2] >= '0' && p[2] <= '9')
			return true;
	return false;
}

static void test_tui_main_screen_meters_and_resize(void **state)
{
	struct fx *f = *state;
	if (f == NULL)
		skip();
	start_tui(f, "");
	double end = now_s() + DEADLINE_S;
	char *text = NULL;
	do {
		free(text);
		usleep(50 * 1000);
		text = capture(f);
	} while (!web_has_cpu(text) && now_s() < end);
	assert_true(web_has_cpu(text));
	assert_non_null(strstr(text, "CPU0"));
	assert_non_null(strstr(text, "Mem "));
	assert_non_null(strstr(text, "Load "));
	assert_non_null(strstr(text, "NAME"));
	assert_non_null(strstr(text, "CPU%"));
	assert_non_null(strstr(text, "STATUS"));
	assert_null(strstr(text, "NET RX")); /* dropped at 80 columns */
	free(text);
	tu_sh(NULL, "tmux -L %s resize-window -t t -x 200 -y 50", f->sock);
	see(f, "NET RX");
	see(f, "web");
	tu_sh(NULL, "tmux -L %s resize-window -t t -x 80 -y 24", f->sock);
	free(wait_for(f, "NET RX", false));
	/* Redrawn at the old size: the table again, without the wide columns. */
	see(f, "CPU%");
	text = wait_pane(f, " web ");
	assert_non_null(text);
	assert_null(strstr(text, "NET RX"));
	free(text);
	quit_ok(f);
}

/* Polls until the table shows row first above row second. */
static bool wait_order(struct fx *f, const char *first, const char *second)
{
	double end = now_s() + DEADLINE_S;
	do {
		char *text = capture(f);
		int a = line_of(text, first), b = line_of(text, second);
		free(text);
		if (a > 0 && b > 0 && a < b)
			return true;
		usleep(50 * 1000);
	} while (now_s() < end);
	return false;
}

static void test_tui_sort_and_filter(void **state)
{
	struct fx *f = *state;
	if (f == NULL)
		skip();
	TU_OK(f->root, "run", "-d", "--name", "aaa", "demo", "sleep", "1000");
	start_tui(f, "");
	see(f, "aaa");
	assert_true(wait_order(f, "aaa", "web")); /* by name */
	keys(f, "I");                             /* name, reversed */
	assert_true(wait_order(f, "web", "aaa"));
	keys(f, "/");
	type_line(f, "we");
	char *text = wait_for(f, "aaa", false);
	assert_non_null(text);
	assert_true(line_of(text, "web") > 0);
	free(text);
	keys(f, "Escape");
	see(f, "aaa");
	quit_ok(f);
}

/* ---- detail and logs ------------------------------------------------------------ */

/* The word after the namespace type on its line ("own" or "host"). */
static const char *ns_word(const char *text, const char *type)
{
	static char word[16];
	int l = line_of(text, type);
	const char *p = l < 0 ? NULL : strstr(line_at(text, l), type);
	word[0] = '\0';
	if (p && sscanf(p + strlen(type), " %15s", word) != 1)
		word[0] = '\0';
	return word;
}

static void test_tui_detail_namespaces_processes_snapshots(void **state)
{
	struct fx *f = *state;
	if (f == NULL)
		skip();
	TU_OK(f->root, "snapshot", "web", "first-snap");
	TU_OK(f->root, "run", "-d", "--net", "host", "--name", "hostnet", "demo", "sleep", "1001");
	/* Tall enough for the whole page, so nothing needs scrolling. */
	start_tui_env(f, "TERM=tmux-256color", "", 200, 70);
	see(f, "web");
	select_only(f, "web");
	keys(f, "Enter");
	see(f, "Namespaces");
	see(f, "sleep 1000");
	char *text = wait_pane(f, "first-snap");
	assert_non_null(text);
	/* web has --net none (the default): its own network namespace; and
	 * its own uts (its hostname); the host's inode is shown beside. */
	assert_string_equal(ns_word(text, "net"), "own");
	assert_string_equal(ns_word(text, "uts"), "own");
	/* Its init, in the process table (the command shows in the identity
	 * lines too): a host pid, and pid 1 in its own pid namespace. */
	int host_pid = 0;
	char inner[16] = "";
	for (const char *hit = strstr(text, "sleep 1000"); hit && host_pid == 0;
	     hit = strstr(hit + 1, "sleep 1000")) {
		const char *line = hit;
		while (line > text && line[-1] != '\n')
			line--;
		if (sscanf(line, "%d %15s", &host_pid, inner) != 2)
			host_pid = 0;
	}
	assert_true(host_pid > 1);
	assert_string_equal(inner, "1");
	free(text);
	/* A --net host container shares the host's. */
	keys(f, "Escape");
	see(f, "STATUS");
	keys(f, "Escape");
	see(f, "hostnet");
	select_only(f, "hostnet");
	keys(f, "Enter");
	see(f, "Namespaces");
	text = wait_pane(f, "sleep 1001");
	assert_non_null(text);
	assert_string_equal(ns_word(text, "net"), "host");
	assert_string_equal(ns_word(text, "uts"), "own");
	free(text);
	keys(f, "Escape");
	see(f, "STATUS");
	quit_ok(f);
}

static void test_tui_detail_scrolls_at_80x24(void **state)
{
	struct fx *f = *state;
	if (f == NULL)
		skip();
	TU_OK(f->root, "snapshot", "web", "deep-snap");
	start_on(f, "web");
	keys(f, "Enter");
	see(f, "Limits");
	char *text = capture(f);
	assert_null(strstr(text, "deep-snap")); /* below the fold */
	free(text);
	keys(f, "G");
	see(f, "deep-snap");
	keys(f, "Escape");
	see(f, "STATUS");
	quit_ok(f);
}

static void test_tui_logs_view(void **state)
{
	struct fx *f = *state;
	if (f == NULL)
		skip();
	TU_OK(f->root, "run", "-d", "--name", "talk", "demo", "sh", "-c",
	      "echo said-by-talk; sleep 1000");
	start_on(f, "talk");
	keys(f, "l");
	see(f, "Logs of talk");
	see(f, "said-by-talk");
	keys(f, "Escape");
	see(f, "STATUS");
	quit_ok(f);
}

/* ---- actions -------------------------------------------------------------------------- */

static void test_tui_pause_and_snapshot_keys(void **state)
{
	struct fx *f = *state;
	if (f == NULL)
		skip();
	start_on(f, "web");
	keys(f, "p");
	assert_true(wait_status(f, "web", "paused"));
	see(f, "web: paused");
	keys(f, "p");
	assert_true(wait_status(f, "web", "running"));
	see(f, "web: resumed");
	keys(f, "n");
	see(f, "Snapshot of web");
	keys(f, "Enter"); /* empty: the default name */
	see(f, "snapshot taken");
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, f->root, "snapshots", "web", NULL), 0);
	assert_non_null(strstr(o.out, "snap-1"));
	tu_out_free(&o);
	quit_ok(f);
}

static bool listed(struct fx *f, const char *name)
{
	struct tu_out o = {0};
	tu_berthl(&o, f->root, "ps", "-a", "-q", NULL);
	bool r = o.out && line_of(o.out, name) >= 0;
	tu_out_free(&o);
	return r;
}

static void test_tui_delete_asks(void **state)
{
	struct fx *f = *state;
	if (f == NULL)
		skip();
	TU_OK(f->root, "create", "--name", "doomed", "demo", "true");
	start_on(f, "doomed");
	keys(f, "D");
	see(f, "Delete doomed?");
	see(f, "rm doomed");
	keys(f, "n");
	see(f, "doomed: cancelled, nothing done");
	assert_true(listed(f, "doomed"));
	keys(f, "D");
	see(f, "Delete doomed?");
	keys(f, "y");
	see(f, "doomed: deleted");
	assert_false(listed(f, "doomed"));
	quit_ok(f);
}

static void test_tui_action_error_in_status_line(void **state)
{
	struct fx *f = *state;
	if (f == NULL)
		skip();
	start_on(f, "web");
	keys(f, "s"); /* web is running already */
	see(f, "already running");
	keys(f, "u");
	type_line(f, "--memory lots");
	see(f, "invalid --memory");
	keys(f, "?");
	see(f, "Main screen");
	keys(f, "Escape");
	see(f, "STATUS");
	quit_ok(f);
}

static void test_tui_exec_shell_and_back(void **state)
{
	struct fx *f = *state;
	if (f == NULL)
		skip();
	start_on(f, "web");
	keys(f, "e");
	see(f, "/ #");
	keys(f, "'echo $((40+2))' Enter");
	double end = now_s() + DEADLINE_S;
	bool answered = false;
	while (!answered && now_s() < end) {
		char *text = capture(f);
		answered = strstr(text, "\n42\n") != NULL; /* the shell's answer, alone */
		free(text);
		usleep(50 * 1000);
	}
	assert_true(answered);
	keys(f, "'exit' Enter");
	see(f, "back from the shell");
	see(f, "STATUS");
	quit_ok(f);
}

/* ---- terminals ------------------------------------------------------------------------- */

/* True when the pane's escapes set a colour (SGR 30-38, 40-48, 90-97,
 * 100-107); 39 and 49 only go back to the terminal's own. */
static bool pane_has_colour(struct fx *f)
{
	struct tu_out o = {0};
	tu_sh(&o, "tmux -L %s capture-pane -e -p -t t", f->sock);
	bool colour = false;
	for (const char *p = o.out; p && (p = strstr(p, "\x1b[")) != NULL && !colour;) {
		p += 2;
		while (*p >= '0' && *p <= '9') {
			int n = atoi(p);
			colour |= (n >= 30 && n <= 38) || (n >= 40 && n <= 48) ||
			          (n >= 90 && n <= 97) || (n >= 100 && n <= 107);
			p += strspn(p, "0123456789");
			p += *p == ';';
		}
	}
	tu_out_free(&o);
	return colour;
}

static void test_tui_ascii_vt100_and_no_color(void **state)
{
	struct fx *f = *state;
	if (f == NULL)
		skip();
	start_tui_env(f, "LANG=C LC_ALL=C TERM=vt100", "", 80, 24);
	see(f, "web");
	char *text = wait_pane(f, "Mem ");
	assert_non_null(text);
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		assert_true(*p < 0x80); /* no UTF-8 */
	assert_null(strstr(text, "lqq"));
	assert_null(strstr(text, "qqk"));
	assert_non_null(strstr(text, "["));
	free(text);
	quit_ok(f);

	/* Colours by default; none at all with NO_COLOR. */
	start_tui_env(f, "TERM=tmux-256color", "", 80, 24);
	see(f, "Mem ");
	assert_true(pane_has_colour(f));
	quit_ok(f);
	start_tui_env(f, "NO_COLOR=1 TERM=tmux-256color", "", 80, 24);
	see(f, "web");
	see(f, "Mem ");
	assert_false(pane_has_colour(f));
	keys(f, "Enter");
	see(f, "Limits");
	keys(f, "Escape");
	see(f, "STATUS");
	quit_ok(f);
}

/* Polls `berth inspect NAME` until its JSON holds want (10 s). */
static bool wait_inspect(struct fx *f, const char *name, const char *want)
{
	double end = now_s() + DEADLINE_S;
	do {
		struct tu_out o = {0};
		tu_berthl(&o, f->root, "inspect", name, NULL);
		bool ok = o.out && strstr(o.out, want);
		tu_out_free(&o);
		if (ok)
			return true;
		usleep(50 * 1000);
	} while (now_s() < end);
	return false;
}

/* Rollback through the picker (a running container: confirm the restart),
 * clone, live limits and stop, each checked through the CLI. */
static void test_tui_rollback_clone_limits_stop(void **state)
{
	struct fx *f = *state;
	if (f == NULL)
		skip();
	TU_OK(f->root, "exec", "web", "sh", "-c", "echo kept > /kept");
	TU_OK(f->root, "snapshot", "web", "s1");
	TU_OK(f->root, "exec", "web", "sh", "-c", "echo later > /later");
	start_tui_env(f, "TERM=tmux-256color", "", 120, 40);
	see(f, "web");
	select_only(f, "web");
	keys(f, "b");
	see(f, "roll web back to");
	see(f, "s1");
	keys(f, "Enter");
	see(f, "web is running: stop it, roll back to s1, start it again?");
	see(f, "$ berth --root");
	see(f, "rollback --restart web s1");
	keys(f, "y");
	see(f, "rolled back to s1");
	assert_true(wait_status(f, "web", "running"));
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, f->root, "exec", "web", "cat", "/kept", NULL), 0);
	assert_string_equal(o.out, "kept\n");
	tu_out_free(&o);
	assert_int_not_equal(tu_berthl(NULL, f->root, "exec", "web", "cat", "/later", NULL), 0);

	keys(f, "c");
	see(f, "Clone web as:");
	type_line(f, "web2");
	see(f, "cloned as web2");
	assert_true(wait_inspect(f, "web2", "\"name\": \"web2\""));

	keys(f, "u");
	see(f, "Limits of web");
	type_line(f, "--memory 64m");
	see(f, "limits updated");
	assert_true(wait_inspect(f, "web", "\"memory_bytes\": 67108864"));

	keys(f, "x");
	see(f, "Stop web?");
	keys(f, "y");
	assert_true(wait_status(f, "web", "exited"));
	quit_ok(f);
}

/* Every key that stops, kills or restarts asks first and shows the exact
 * command; anything but y leaves the container alone. */
static void test_tui_stop_kill_restart_ask_with_command(void **state)
{
	struct fx *f = *state;
	if (f == NULL)
		skip();
	start_tui_env(f, "TERM=tmux-256color", "", 120, 30);
	see(f, "web");
	select_only(f, "web");
	char cmd[600];
	static const struct {
		const char *key, *question, *words;
	} asks[] = {
	        {"x", "Stop web?", "stop web"},
	        {"K", "Kill (SIGKILL) web?", "kill web"},
	        {"r", "Restart web?", "restart web"},
	};
	for (size_t i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
		keys(f, asks[i].key);
		see(f, asks[i].question);
		snprintf(cmd, sizeof(cmd), "$ berth --root %s %s", f->root, asks[i].words);
		see(f, cmd);
		keys(f, i == 1 ? "Escape" : "n");
		see(f, "web: cancelled, nothing done");
	}
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, f->root, "inspect", "web", NULL), 0);
	assert_non_null(strstr(o.out, "\"status\": \"running\""));
	tu_out_free(&o);
	quit_ok(f);
}

/* --readonly: every action key is refused and nothing changes. */
static void test_tui_readonly_refuses_every_action(void **state)
{
	struct fx *f = *state;
	if (f == NULL)
		skip();
	start_tui_env(f, "TERM=tmux-256color", "--readonly", 100, 30);
	see(f, "web");
	select_only(f, "web");
	static const char *const action_keys[] = {"s", "x", "r", "K", "p", "n",
	                                          "b", "c", "u", "D", "e"};
	for (size_t i = 0; i < sizeof(action_keys) / sizeof(action_keys[0]); i++) {
		/* Another message first, so each refusal is seen anew. */
		keys(f, "'>'");
		see(f, "sorted by");
		keys(f, action_keys[i]);
		see(f, "read-only (--readonly): actions are off");
		keys(f, "Escape");
	}
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, f->root, "inspect", "web", NULL), 0);
	assert_non_null(strstr(o.out, "\"status\": \"running\""));
	tu_out_free(&o);
	assert_int_equal(tu_berthl(&o, f->root, "snapshots", "web", "--json", NULL), 0);
	assert_non_null(strstr(o.out, "[]"));
	tu_out_free(&o);
	quit_ok(f);
}

/* Containers against VMs, the teaching view: a real (paused, diskless)
 * qemu shows as a VM with its vCPUs and guest memory, shares every
 * namespace with the host, and takes no action: berth only watches it. */
static void test_tui_vm_detail_is_watched_only(void **state)
{
	struct fx *f = *state;
	if (f == NULL || access("/usr/bin/qemu-system-x86_64", X_OK) != 0)
		skip();
	f->vm = fork();
	assert_true(f->vm >= 0);
	if (f->vm == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		execl("/usr/bin/qemu-system-x86_64", "qemu-system-x86_64", "-S", "-display", "none",
		      "-nodefaults", "-m", "64", "-smp", "2", "-name", "teachvm", (char *)NULL);
		_exit(127);
	}
	start_tui_env(f, "TERM=tmux-256color", "", 120, 50);
	see(f, "teachvm");
	select_only(f, "teachvm");
	see(f, "watched only");
	keys(f, "x");
	see(f, "teachvm is a virtual machine; berth only watches it");
	keys(f, "Enter");
	see(f, "2 vCPUs");
	see(f, "guest memory 64.0 MiB");
	see(f, "hypervisor");
	see(f, "net     host");
	see(f, "pid     host");
	keys(f, "Escape");
	see(f, "STATUS");
	quit_ok(f);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(test_tui_shows_containers_and_quits),
	        T(test_tui_iterations_end_it),
	        T(test_run_and_exec_interactive),
	        T(test_tui_refuses_without_terminal),
	        T(test_tui_main_screen_meters_and_resize),
	        T(test_tui_sort_and_filter),
	        T(test_tui_detail_namespaces_processes_snapshots),
	        T(test_tui_detail_scrolls_at_80x24),
	        T(test_tui_logs_view),
	        T(test_tui_pause_and_snapshot_keys),
	        T(test_tui_delete_asks),
	        T(test_tui_action_error_in_status_line),
	        T(test_tui_exec_shell_and_back),
	        T(test_tui_ascii_vt100_and_no_color),
	        T(test_tui_vm_detail_is_watched_only),
	        T(test_tui_rollback_clone_limits_stop),
	        T(test_tui_stop_kill_restart_ask_with_command),
	        T(test_tui_readonly_refuses_every_action),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
