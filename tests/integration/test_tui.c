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
#include "tu_tui.h"

/* ---- the cases that came first ---------------------------------------------- */

static void test_tui_shows_containers_and_quits(void **state)
{
	struct tt_fx *f = *state;
	if (f == NULL)
		skip();
	tt_start_tui(f, "");
	/* One at a time: a capture can catch a frame half drawn. */
	tt_see(f, " web ");
	tt_see(f, "running");
	tt_see(f, "demo");
	tt_quit_ok(f);
}

static void test_tui_iterations_end_it(void **state)
{
	struct tt_fx *f = *state;
	if (f == NULL)
		skip();
	tt_start_tui(f, "--iterations 2");
	assert_int_equal(tt_wait_exit(f), 0);
	tt_kill_server(f);
}

/* run -it and exec -it: a shell on a terminal, typed into through tmux;
 * berth's exit status is the shell's. */
static void test_run_and_exec_interactive(void **state)
{
	struct tt_fx *f = *state;
	if (f == NULL)
		skip();
	tt_start_tui(f, "run -it --rm demo sh");
	tt_see(f, "/ #");
	tt_keys(f, "'echo hello-$((6*7)); exit 3' Enter");
	assert_int_equal(tt_wait_exit(f), 3);
	tt_see(f, "hello-42");
	tt_kill_server(f);

	tt_start_tui(f, "exec -it web sh");
	tt_see(f, "/ #");
	tt_keys(f, "'hostname; exit 4' Enter");
	assert_int_equal(tt_wait_exit(f), 4);
	tt_see(f, "web");
	tt_kill_server(f);
}

static void test_tui_refuses_without_terminal(void **state)
{
	struct tt_fx *f = *state;
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
	int l = tt_line_of(text, "web");
	if (l < 0)
		return false;
	const char *row = tt_line_at(text, l);
	for (const char *p = row; *p; p++)
		if (p[0] >= '0' && p[0] <= '9' && p[1] == '.' && p[2] >= '0' && p[2] <= '9')
			return true;
	return false;
}

static void test_tui_main_screen_meters_and_resize(void **state)
{
	struct tt_fx *f = *state;
	if (f == NULL)
		skip();
	tt_start_tui(f, "");
	double end = tt_now_s() + TT_DEADLINE_S;
	char *text = NULL;
	do {
		free(text);
		usleep(50 * 1000);
		text = tt_capture(f);
	} while (!web_has_cpu(text) && tt_now_s() < end);
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
	tt_see(f, "NET RX");
	tt_see(f, "web");
	tu_sh(NULL, "tmux -L %s resize-window -t t -x 80 -y 24", f->sock);
	free(tt_wait_for(f, "NET RX", false));
	/* Redrawn at the old size: the table again, without the wide columns. */
	tt_see(f, "CPU%");
	text = tt_wait_pane(f, " web ");
	assert_non_null(text);
	assert_null(strstr(text, "NET RX"));
	free(text);
	tt_quit_ok(f);
}

/* Polls until the table shows row first above row second. */
static bool wait_order(struct tt_fx *f, const char *first, const char *second)
{
	double end = tt_now_s() + TT_DEADLINE_S;
	do {
		char *text = tt_capture(f);
		int a = tt_line_of(text, first), b = tt_line_of(text, second);
		free(text);
		if (a > 0 && b > 0 && a < b)
			return true;
		usleep(50 * 1000);
	} while (tt_now_s() < end);
	return false;
}

static void test_tui_sort_and_filter(void **state)
{
	struct tt_fx *f = *state;
	if (f == NULL)
		skip();
	TU_OK(f->root, "run", "-d", "--name", "aaa", "demo", "sleep", "1000");
	tt_start_tui(f, "");
	tt_see(f, "aaa");
	assert_true(wait_order(f, "aaa", "web")); /* by name */
	tt_keys(f, "I");                          /* name, reversed */
	assert_true(wait_order(f, "web", "aaa"));
	tt_keys(f, "/");
	tt_type_line(f, "we");
	char *text = tt_wait_for(f, "aaa", false);
	assert_non_null(text);
	assert_true(tt_line_of(text, "web") > 0);
	free(text);
	tt_keys(f, "Escape");
	tt_see(f, "aaa");
	tt_quit_ok(f);
}

/* ---- detail and logs ------------------------------------------------------------ */

/* The word after the namespace type on its line ("own" or "host"). */
static const char *ns_word(const char *text, const char *type)
{
	static char word[16];
	int l = tt_line_of(text, type);
	const char *p = l < 0 ? NULL : strstr(tt_line_at(text, l), type);
	word[0] = '\0';
	if (p && sscanf(p + strlen(type), " %15s", word) != 1)
		word[0] = '\0';
	return word;
}

static void test_tui_detail_namespaces_processes_snapshots(void **state)
{
	struct tt_fx *f = *state;
	if (f == NULL)
		skip();
	TU_OK(f->root, "snapshot", "web", "first-snap");
	TU_OK(f->root, "run", "-d", "--net", "host", "--name", "hostnet", "demo", "sleep", "1001");
	/* Tall enough for the whole page, so nothing needs scrolling. */
	tt_start_tui_env(f, "TERM=tmux-256color", "", 200, 70);
	tt_see(f, "web");
	tt_select_only(f, "web");
	tt_keys(f, "Enter");
	tt_see(f, "Namespaces");
	tt_see(f, "sleep 1000");
	char *text = tt_wait_pane(f, "first-snap");
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
	tt_keys(f, "Escape");
	tt_see(f, "STATUS");
	tt_keys(f, "Escape");
	tt_see(f, "hostnet");
	tt_select_only(f, "hostnet");
	tt_keys(f, "Enter");
	tt_see(f, "Namespaces");
	text = tt_wait_pane(f, "sleep 1001");
	assert_non_null(text);
	assert_string_equal(ns_word(text, "net"), "host");
	assert_string_equal(ns_word(text, "uts"), "own");
	free(text);
	tt_keys(f, "Escape");
	tt_see(f, "STATUS");
	tt_quit_ok(f);
}

static void test_tui_detail_scrolls_at_80x24(void **state)
{
	struct tt_fx *f = *state;
	if (f == NULL)
		skip();
	TU_OK(f->root, "snapshot", "web", "deep-snap");
	tt_start_on(f, "web");
	tt_keys(f, "Enter");
	tt_see(f, "Limits");
	char *text = tt_capture(f);
	assert_null(strstr(text, "deep-snap")); /* below the fold */
	free(text);
	tt_keys(f, "G");
	tt_see(f, "deep-snap");
	tt_keys(f, "Escape");
	tt_see(f, "STATUS");
	tt_quit_ok(f);
}

static void test_tui_logs_view(void **state)
{
	struct tt_fx *f = *state;
	if (f == NULL)
		skip();
	TU_OK(f->root, "run", "-d", "--name", "talk", "demo", "sh", "-c",
	      "echo said-by-talk; sleep 1000");
	tt_start_on(f, "talk");
	tt_keys(f, "l");
	tt_see(f, "Logs of talk");
	tt_see(f, "said-by-talk");
	tt_keys(f, "Escape");
	tt_see(f, "STATUS");
	tt_quit_ok(f);
}

/* ---- actions -------------------------------------------------------------------------- */

static void test_tui_pause_and_snapshot_keys(void **state)
{
	struct tt_fx *f = *state;
	if (f == NULL)
		skip();
	tt_start_on(f, "web");
	tt_keys(f, "p");
	assert_true(tt_wait_status(f, "web", "paused"));
	tt_see(f, "web: paused");
	tt_keys(f, "p");
	assert_true(tt_wait_status(f, "web", "running"));
	tt_see(f, "web: resumed");
	tt_keys(f, "n");
	tt_see(f, "Snapshot of web");
	tt_keys(f, "Enter"); /* empty: the default name */
	tt_see(f, "snapshot taken");
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, f->root, "snapshots", "web", NULL), 0);
	assert_non_null(strstr(o.out, "snap-1"));
	tu_out_free(&o);
	tt_quit_ok(f);
}

static void test_tui_delete_asks(void **state)
{
	struct tt_fx *f = *state;
	if (f == NULL)
		skip();
	TU_OK(f->root, "create", "--name", "doomed", "demo", "true");
	tt_start_on(f, "doomed");
	tt_keys(f, "D");
	tt_see(f, "Delete doomed?");
	tt_see(f, "rm doomed");
	tt_keys(f, "n");
	tt_see(f, "doomed: cancelled, nothing done");
	assert_true(tt_listed(f, "doomed"));
	tt_keys(f, "D");
	tt_see(f, "Delete doomed?");
	tt_keys(f, "y");
	tt_see(f, "doomed: deleted");
	assert_false(tt_listed(f, "doomed"));
	tt_quit_ok(f);
}

static void test_tui_action_error_in_status_line(void **state)
{
	struct tt_fx *f = *state;
	if (f == NULL)
		skip();
	tt_start_on(f, "web");
	tt_keys(f, "s"); /* web is running already */
	tt_see(f, "already running");
	tt_keys(f, "u");
	tt_type_line(f, "--memory lots");
	tt_see(f, "invalid --memory");
	tt_keys(f, "?");
	tt_see(f, "Main screen");
	tt_keys(f, "Escape");
	tt_see(f, "STATUS");
	tt_quit_ok(f);
}

static void test_tui_exec_shell_and_back(void **state)
{
	struct tt_fx *f = *state;
	if (f == NULL)
		skip();
	tt_start_on(f, "web");
	tt_keys(f, "e");
	tt_see(f, "/ #");
	tt_keys(f, "'echo $((40+2))' Enter");
	double end = tt_now_s() + TT_DEADLINE_S;
	bool answered = false;
	while (!answered && tt_now_s() < end) {
		char *text = tt_capture(f);
		answered = strstr(text, "\n42\n") != NULL; /* the shell's answer, alone */
		free(text);
		usleep(50 * 1000);
	}
	assert_true(answered);
	tt_keys(f, "'exit' Enter");
	tt_see(f, "back from the shell");
	tt_see(f, "STATUS");
	tt_quit_ok(f);
}

/* ---- terminals ------------------------------------------------------------------------- */

/* True when the pane's escapes set a colour (SGR 30-38, 40-48, 90-97,
 * 100-107); 39 and 49 only go back to the terminal's own. */
static bool pane_has_colour(struct tt_fx *f)
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
	struct tt_fx *f = *state;
	if (f == NULL)
		skip();
	tt_start_tui_env(f, "LANG=C LC_ALL=C TERM=vt100", "", 80, 24);
	tt_see(f, "web");
	char *text = tt_wait_pane(f, "Mem ");
	assert_non_null(text);
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		assert_true(*p < 0x80); /* no UTF-8 */
	assert_null(strstr(text, "lqq"));
	assert_null(strstr(text, "qqk"));
	assert_non_null(strstr(text, "["));
	free(text);
	tt_quit_ok(f);

	/* Colours by default; none at all with NO_COLOR. */
	tt_start_tui_env(f, "TERM=tmux-256color", "", 80, 24);
	tt_see(f, "Mem ");
	assert_true(pane_has_colour(f));
	tt_quit_ok(f);
	tt_start_tui_env(f, "NO_COLOR=1 TERM=tmux-256color", "", 80, 24);
	tt_see(f, "web");
	tt_see(f, "Mem ");
	assert_false(pane_has_colour(f));
	tt_keys(f, "Enter");
	tt_see(f, "Limits");
	tt_keys(f, "Escape");
	tt_see(f, "STATUS");
	tt_quit_ok(f);
}

/* Rollback through the picker (a running container: confirm the restart),
 * clone, live limits and stop, each checked through the CLI. */
static void test_tui_rollback_clone_limits_stop(void **state)
{
	struct tt_fx *f = *state;
	if (f == NULL)
		skip();
	TU_OK(f->root, "exec", "web", "sh", "-c", "echo kept > /kept");
	TU_OK(f->root, "snapshot", "web", "s1");
	TU_OK(f->root, "exec", "web", "sh", "-c", "echo later > /later");
	tt_start_tui_env(f, "TERM=tmux-256color", "", 120, 40);
	tt_see(f, "web");
	tt_select_only(f, "web");
	tt_keys(f, "b");
	tt_see(f, "roll web back to");
	tt_see(f, "s1");
	tt_keys(f, "Enter");
	tt_see(f, "web is running: stop it, roll back to s1, start it again?");
	tt_see(f, "$ berth --root");
	tt_see(f, "rollback --restart web s1");
	tt_keys(f, "y");
	tt_see(f, "rolled back to s1");
	assert_true(tt_wait_status(f, "web", "running"));
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, f->root, "exec", "web", "cat", "/kept", NULL), 0);
	assert_string_equal(o.out, "kept\n");
	tu_out_free(&o);
	assert_int_not_equal(tu_berthl(NULL, f->root, "exec", "web", "cat", "/later", NULL), 0);

	tt_keys(f, "c");
	tt_see(f, "Clone web as:");
	tt_type_line(f, "web2");
	tt_see(f, "cloned as web2");
	assert_true(tt_wait_inspect(f, "web2", "\"name\": \"web2\""));

	tt_keys(f, "u");
	tt_see(f, "Limits of web");
	tt_type_line(f, "--memory 64m");
	tt_see(f, "limits updated");
	assert_true(tt_wait_inspect(f, "web", "\"memory_bytes\": 67108864"));

	tt_keys(f, "x");
	tt_see(f, "Stop web?");
	tt_keys(f, "y");
	assert_true(tt_wait_status(f, "web", "exited"));
	tt_quit_ok(f);
}

/* Every key that stops, kills or restarts asks first and shows the exact
 * command; anything but y leaves the container alone. */
static void test_tui_stop_kill_restart_ask_with_command(void **state)
{
	struct tt_fx *f = *state;
	if (f == NULL)
		skip();
	tt_start_tui_env(f, "TERM=tmux-256color", "", 120, 30);
	tt_see(f, "web");
	tt_select_only(f, "web");
	char cmd[600];
	static const struct {
		const char *key, *question, *words;
	} asks[] = {
	        {"x", "Stop web?", "stop web"},
	        {"K", "Kill (SIGKILL) web?", "kill web"},
	        {"r", "Restart web?", "restart web"},
	};
	for (size_t i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
		tt_keys(f, asks[i].key);
		tt_see(f, asks[i].question);
		snprintf(cmd, sizeof(cmd), "$ berth --root %s %s", f->root, asks[i].words);
		tt_see(f, cmd);
		tt_keys(f, i == 1 ? "Escape" : "n");
		tt_see(f, "web: cancelled, nothing done");
	}
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, f->root, "inspect", "web", NULL), 0);
	assert_non_null(strstr(o.out, "\"status\": \"running\""));
	tu_out_free(&o);
	tt_quit_ok(f);
}

/* --readonly: every action key is refused and nothing changes. */
static void test_tui_readonly_refuses_every_action(void **state)
{
	struct tt_fx *f = *state;
	if (f == NULL)
		skip();
	tt_start_tui_env(f, "TERM=tmux-256color", "--readonly", 100, 30);
	tt_see(f, "web");
	tt_select_only(f, "web");
	static const char *const action_keys[] = {"s", "x", "r", "K", "p", "n",
	                                          "b", "c", "u", "D", "e"};
	for (size_t i = 0; i < sizeof(action_keys) / sizeof(action_keys[0]); i++) {
		/* Another message first, so each refusal is seen anew. */
		tt_keys(f, "'>'");
		tt_see(f, "sorted by");
		tt_keys(f, action_keys[i]);
		tt_see(f, "read-only (--readonly): actions are off");
		tt_keys(f, "Escape");
	}
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, f->root, "inspect", "web", NULL), 0);
	assert_non_null(strstr(o.out, "\"status\": \"running\""));
	tu_out_free(&o);
	assert_int_equal(tu_berthl(&o, f->root, "snapshots", "web", "--json", NULL), 0);
	assert_non_null(strstr(o.out, "[]"));
	tu_out_free(&o);
	tt_quit_ok(f);
}

/* Containers against VMs, the teaching view: a real (paused, diskless)
 * qemu shows as a VM with its vCPUs and guest memory, shares every
 * namespace with the host, and takes no action: berth only watches it. */
static void test_tui_vm_detail_is_watched_only(void **state)
{
	struct tt_fx *f = *state;
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
	tt_start_tui_env(f, "TERM=tmux-256color", "", 120, 50);
	tt_see(f, "teachvm");
	tt_select_only(f, "teachvm");
	tt_see(f, "watched only");
	tt_keys(f, "x");
	tt_see(f, "teachvm is a virtual machine; berth only watches it");
	tt_keys(f, "Enter");
	tt_see(f, "2 vCPUs");
	tt_see(f, "guest memory 64.0 MiB");
	tt_see(f, "hypervisor");
	tt_see(f, "net     host");
	tt_see(f, "pid     host");
	tt_keys(f, "Escape");
	tt_see(f, "STATUS");
	tt_quit_ok(f);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tt_setup, tt_teardown)

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
