/* The terminal UI's entry point and its one loop: options, the terminal
 * set-up, then poll() on the keyboard, a signal pipe and the action pipes
 * with the time to the next refresh as timeout; keys go through the key
 * tables (keys.c), and the screen is drawn once per pass. */
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <malloc.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "i18n.h"
#include "tui.h"

/* The signal handler's only ways out: a byte on the pipe wakes poll(), the
 * flag asks the loop to end. */
static volatile sig_atomic_t sig_fd = -1;
static volatile sig_atomic_t quit_signal;

/* The TUI's options (docs/tui.md); `berth --help` lists the same. */
const struct be_option tui_options[] = {
        {"delay", 0, BE_OPT_VALUE, "SECS", "seconds between refreshes (default 1.5, at least 0.1)"},
        {"iterations", 0, BE_OPT_VALUE, "N", "exit after N refreshes (for tests and recordings)"},
        {"theme", 0, BE_OPT_VALUE, "NAME", "colour theme (default: $BERTH_THEME, else default)"},
        {"ascii", 0, BE_OPT_FLAG, NULL, "draw with ASCII only, whatever the locale"},
        {"no-mouse", 0, BE_OPT_FLAG, NULL, "leave the mouse to the terminal (text selection)"},
        {"readonly", 0, BE_OPT_FLAG, NULL,
         "watch only: every action key is refused (also BERTH_READONLY=1)"},
        {"hosts", 'H', BE_OPT_LIST, "URL",
         "watch ssh://[USER@]HOST[:PORT] (repeatable); -H local: this host too"},
        {"replay", 0, BE_OPT_VALUE, "FILE",
         "show a recording (berth record FILE) instead: Space . , [ ] { }"},
        {0},
};

int tui_opts_set(struct tui_opts *o, const struct be_opts *p, struct be_error **err)
{
	*o = (struct tui_opts){.delay = 1.5};
	const char *v;
	char *end = NULL;
	if ((v = be_opts_get(p, "delay"))) {
		double d = strtod(v, &end);
		if (end == v || *end || !isfinite(d) || d < 0.1 || d > 3600)
			return be_error_set(err, 0,
			                    "invalid --delay \"%s\": seconds from 0.1 to 3600", v);
		o->delay = d;
		o->delay_given = true;
	}
	if ((v = be_opts_get(p, "iterations"))) {
		long n = strtol(v, &end, 10);
		if (end == v || *end || n < 1)
			return be_error_set(
			        err, 0, "invalid --iterations \"%s\": a count of at least 1", v);
		o->iterations = n;
	}
	o->theme = be_opts_get(p, "theme");
	o->ascii = be_opts_get(p, "ascii") != NULL;
	o->no_mouse = be_opts_get(p, "no-mouse") != NULL;
	const char *const *hosts;
	size_t nh = be_opts_list(p, "hosts", &hosts);
	if (nh > TUI_OPTS_HOSTS)
		return be_error_set(err, 0, "at most %d hosts (-H)", TUI_OPTS_HOSTS);
	for (size_t i = 0; i < nh; i++)
		o->hosts[i] = hosts[i];
	o->nhosts = nh;
	o->replay = be_opts_get(p, "replay");
	if (o->replay && nh)
		return be_error_set(err, 0, "--replay shows a recording: no -H with it");
	if (o->replay && *o->replay == '\0')
		return be_error_set(err, 0, "--replay needs a recording (berth record FILE)");
	const char *ro = getenv("BERTH_READONLY");
	o->readonly = be_opts_get(p, "readonly") != NULL || (ro && *ro && strcmp(ro, "0") != 0);
	return 0;
}

uint64_t tui_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void tui_msg(struct tui *t, int role, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof(t->msg), fmt, ap);
	va_end(ap);
	/* One line, whatever a child wrote. */
	t->msg[strcspn(t->msg, "\r\n")] = '\0';
	t->msg_role = role;
	t->msg_until_ns = tui_now_ns() + 15000000000ull;
}

static void record_err(struct tui *t, struct be_error **err)
{
	if (*err && t->refresh_err[0] == '\0')
		snprintf(t->refresh_err, sizeof(t->refresh_err), "%s", (*err)->msg);
	be_error_clear(err);
}

/* A digest of the names of berth's containers the monitor sees (those with
 * a cgroup: running or paused): it changes when one starts or stops. */
static uint64_t berth_signature(const struct be_item *const *items, size_t n)
{
	uint64_t sig = n;
	for (size_t i = 0; i < n; i++) {
		if (!items[i]->berth)
			continue;
		uint64_t h = 1469598103934665603ull; /* FNV-1a */
		for (const char *c = items[i]->name; *c; c++)
			h = (h ^ (unsigned char)*c) * 1099511628211ull;
		sig += h; /* order-free */
	}
	return sig;
}

static void merge(struct tui *t, size_t n, const struct be_container_info *cts, size_t ncts)
{
	bool hosts = t->opts.nhosts > 0;
	tui_model_merge_hosts(&t->model, t->items, hosts ? t->item_hosts : NULL,
	                      hosts ? t->item_remote : NULL, n, cts, ncts);
}

/* A remote host's line came between refreshes: its old items are gone, so
 * the rows are made again at once (no backend read). */
static void remerge(struct tui *t)
{
	merge(t, tui_hosts_collect(t, t->nlocal), t->cts, t->ncts);
}

/* This process's CPU time. */
static uint64_t cpu_now_ns(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void tui_refresh(struct tui *t)
{
	struct be_error *err = NULL;
	size_t n = 0;
	t->refresh_err[0] = '\0';
	if (t->replay) {
		tui_replay_refresh(t);
		t->refreshes++;
		return;
	}
	if (t->mon) {
		if (be_monitor_refresh(t->mon, &err) < 0)
			record_err(t, &err);
		n = be_monitor_count(t->mon);
		if (n > t->items_cap) {
			t->items_cap = n + n / 2 + 16;
			t->items = realloc(t->items, t->items_cap * sizeof(*t->items));
			if (t->items == NULL)
				abort();
		}
		for (size_t i = 0; i < n; i++)
			t->items[i] = be_monitor_item(t->mon, i);
	}
	t->nlocal = n;
	if (t->opts.nhosts)
		n = tui_hosts_collect(t, n);
	/* Reading every container's records costs more than sampling them
	 * all: it is done only when something may have changed. */
	uint64_t sig = berth_signature(t->items, n), now = tui_now_ns();
	uint64_t every = t->list_cpu_ns * TUI_RELIST_SHARE;
	if (every < TUI_RELIST_NS)
		every = TUI_RELIST_NS;
	if (t->host_local && (t->relist || t->refreshes == 0 || sig != t->berth_sig ||
	                      now - t->listed_ns >= every)) {
		uint64_t cpu0 = cpu_now_ns();
		struct be_container_info *cts = NULL;
		size_t ncts = 0;
		if (be_container_list(t->ctx, &cts, &ncts, &err) < 0) {
			record_err(t, &err);
			cts = NULL;
			ncts = 0;
		}
		/* berth's own VMs, so their rows take the same actions. */
		be_vm_list_free(t->vms, t->nvms);
		t->vms = NULL;
		t->nvms = 0;
		be_vm_list(t->ctx, &t->vms, &t->nvms, NULL);
		/* The rows point into the new list; the old one goes after. */
		merge(t, n, cts, ncts);
		be_container_list_free(t->cts, t->ncts);
		t->cts = cts;
		t->ncts = ncts;
		/* Reading the records (JSON) left freed pages inside the heap,
		 * ~1 MiB at 1,000 containers: hand them back. */
		malloc_trim(0);
		t->list_cpu_ns = cpu_now_ns() - cpu0;
		t->relist = false;
		t->listed_ns = now;
		t->berth_sig = sig;
	} else {
		merge(t, n, t->cts, t->ncts);
	}
	t->refreshes++;
	if (t->view == TUI_VIEW_DETAIL)
		tui_detail_load(t);
	if (t->view == TUI_VIEW_LOGS && t->logs.follow)
		tui_logs_load(t);
}

static void draw(struct tui *t)
{
	erase();
	if (LINES < 6 || COLS < 20) {
		tui_put(t, 0, 0, COLS, BE_ROLE_ERROR, _("terminal too small"));
		refresh();
		return;
	}
	switch (t->view) {
	case TUI_VIEW_LIST: tui_list_draw(t); break;
	case TUI_VIEW_DETAIL: tui_detail_draw(t); break;
	case TUI_VIEW_LOGS: tui_logs_draw(t); break;
	case TUI_VIEW_HELP: tui_help_draw(t); break;
	case TUI_VIEW_SETUP: tui_setup_draw(t); break;
	case TUI_VIEW_ISOLATION: tui_isolation_draw(t); break;
	}
	if (t->mode == TUI_MODE_PICK)
		tui_draw_pick(t);
	if (t->mode == TUI_MODE_MENU)
		tui_menu_draw(t);
	if (t->mode == TUI_MODE_EXPLAIN)
		tui_explain_draw(t);
	tui_draw_title(t);
	tui_draw_bottom(t);
	refresh();
}

static void on_signal(int sig)
{
	int saved = errno;
	if (sig != SIGCHLD)
		quit_signal = sig;
	if (sig_fd >= 0) {
		char c = 1;
		ssize_t r = write(sig_fd, &c, 1);
		(void)r;
	}
	errno = saved;
}

static void signals_setup(struct tui *t, bool on)
{
	static const int sigs[] = {SIGCHLD, SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on ? on_signal : SIG_DFL;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sig_fd = on ? t->sig_pipe[1] : -1;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

static SCREEN *terminal_setup(struct tui *t)
{
	bool utf8 = !t->opts.ascii && strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	tui_glyphs_init(&t->g, utf8);
	/* newterm, not initscr: an unknown TERM is an error to report, not an
	 * exit from inside curses. */
	SCREEN *scr = newterm(NULL, stdout, stdin);
	if (scr == NULL)
		return NULL;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	const char *nc = getenv("NO_COLOR");
	tui_theme_setup(t, nc && *nc);
	if (!t->opts.no_mouse) {
		mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED |
		                  BUTTON4_PRESSED | BUTTON5_PRESSED,
		          NULL);
		mouseinterval(0);
	}
	return scr;
}

static struct tui *tui_new(struct be_ctx *ctx, const struct tui_opts *o)
{
	struct tui *t = calloc(1, sizeof(*t));
	if (t == NULL)
		abort();
	t->ctx = ctx;
	t->opts = *o;
	t->sig_pipe[0] = t->sig_pipe[1] = -1;
	tui_model_init(&t->model);
	t->detail.ident.kind = -1;
	t->logs.match = -1;
	struct be_error *err = NULL;
	t->self_exe = be_self_exe(&err);
	if (t->self_exe == NULL)
		snprintf(t->refresh_err, sizeof(t->refresh_err), "%s", err->msg);
	be_error_clear(&err);
	if (o->replay == NULL)
		t->mon = be_monitor_new(ctx, &(struct be_monitor_opts){0}, &err);
	if (t->mon == NULL && o->replay == NULL)
		tui_msg(t, BE_ROLE_ERROR, "%s", err->msg);
	be_error_clear(&err);
	if (gethostname(t->hostname, sizeof(t->hostname) - 1) != 0)
		snprintf(t->hostname, sizeof(t->hostname), "?");
	if (pipe2(t->sig_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		t->sig_pipe[0] = t->sig_pipe[1] = -1;
	return t;
}

static void tui_free(struct tui *t)
{
	tui_jobs_free(t);
	tui_detail_clear(t);
	tui_logs_close(t);
	be_snapshot_list_free(t->pick, t->npick);
	be_monitor_free(t->mon);
	be_replay_free(t->replay);
	tui_hosts_free(t);
	free(t->item_hosts);
	free(t->item_remote);
	be_container_list_free(t->cts, t->ncts);
	be_vm_list_free(t->vms, t->nvms);
	tui_model_free(&t->model);
	free(t->items);
	free(t->self_exe);
	free(t->config_path);
	be_isolation_free(&t->iso);
	if (t->sig_pipe[0] >= 0) {
		close(t->sig_pipe[0]);
		close(t->sig_pipe[1]);
	}
	free(t);
}

/* Waits for a key, a signal, a job's output or the next refresh; returns
 * TUI_R_QUIT when the terminal went away (poll would spin on it). */
static int wait_input(struct tui *t, uint64_t next)
{
	struct pollfd p[2 + 2 * TUI_MAX_JOBS + TUI_MAX_HOSTS];
	p[0] = (struct pollfd){.fd = 0, .events = POLLIN};
	p[1] = (struct pollfd){.fd = t->sig_pipe[0], .events = POLLIN};
	int n = 2 + tui_jobs_fds(t, p + 2, 2 * TUI_MAX_JOBS);
	n += tui_hosts_fds(t, p + n, TUI_MAX_HOSTS);
	uint64_t now = tui_now_ns();
	int ms = next > now ? (int)((next - now + 999999) / 1000000) : 0;
	int r = poll(p, (nfds_t)n, ms);
	if (t->sig_pipe[0] >= 0) {
		char buf[64];
		while (read(t->sig_pipe[0], buf, sizeof(buf)) > 0)
			;
	}
	if (r > 0 && (p[0].revents & (POLLHUP | POLLERR | POLLNVAL)) && !(p[0].revents & POLLIN))
		return TUI_R_QUIT;
	return 0;
}

static int read_keys(struct tui *t)
{
	int flags = 0, ch;
	while ((ch = getch()) != ERR && !(flags & TUI_R_QUIT))
		flags |= tui_key(t, ch);
	return flags;
}

/* One pass: collect ended actions, refresh when due (at once after an
 * action ended, so its message and its effect show together), draw, wait. */
static void run_loop(struct tui *t)
{
	uint64_t delay = (uint64_t)(t->opts.delay * 1e9), next = 0;
	int flags = 0;
	for (;;) {
		flags |= tui_jobs_poll(t);
		if (t->nhosts && tui_hosts_poll(t) && t->refreshes > 0)
			remerge(t);
		if (flags & TUI_R_REFRESH) {
			next = 0;
			t->relist = true;
		}
		if (tui_now_ns() >= next) {
			tui_refresh(t);
			next = tui_now_ns() + delay;
			if (t->opts.iterations > 0 && (long)t->refreshes >= t->opts.iterations) {
				draw(t);
				return;
			}
		}
		if (flags & TUI_R_CLEAR)
			clearok(curscr, TRUE);
		draw(t);
		flags = wait_input(t, next);
		flags |= read_keys(t);
		if (quit_signal || (flags & TUI_R_QUIT))
			return;
	}
}

int tui_check_terminal(struct be_error **err)
{
	if (!isatty(0) || !isatty(1))
		return be_error_set(
		        err, 0,
		        "the terminal UI needs a terminal; use `berth ps` or `berth top -b`");
	const char *term = getenv("TERM");
	if (term == NULL || strcmp(term, "dumb") == 0)
		return be_error_set(err, 0,
		                    "TERM is %s: the terminal UI cannot draw; use `berth top -b`",
		                    term ? term : "unset");
	return 0;
}

int tui_main(struct be_ctx *ctx, const struct tui_opts *o, struct be_error **err)
{
	if (tui_check_terminal(err) < 0)
		return -1;
	char note[200];
	tui_i18n_init(note, sizeof(note));
	if (o->replay && o->lab)
		return be_error_set(err, 0, "--replay shows a recording: it cannot run the lab");
	struct tui *t = tui_new(ctx, o);
	if ((o->replay && tui_replay_open(t, err) < 0) || tui_hosts_init(t, err) < 0) {
		tui_free(t);
		return -1;
	}
	if (!t->host_local && t->mon) { /* only remote hosts: no monitor here */
		be_monitor_free(t->mon);
		t->mon = NULL;
	}
	tui_setup_load(t);
	SCREEN *scr = terminal_setup(t);
	if (scr == NULL) {
		tui_free(t);
		return be_error_set(err, 0,
		                    "TERM is %s: no such terminal in terminfo; use `berth top -b`",
		                    getenv("TERM"));
	}
	quit_signal = 0;
	signals_setup(t, true);
	if (o->lab)
		tui_lab_start(t);
	if (t->theme_note[0])
		tui_msg(t, BE_ROLE_ERROR, "%s", t->theme_note);
	else if (note[0])
		tui_msg(t, BE_ROLE_ERROR, "%s", note);
	run_loop(t);
	endwin();
	delscreen(scr);
	signals_setup(t, false);
	if (t->lab_running)
		be_lab_stop(ctx);
	tui_free(t);
	return 0;
}
