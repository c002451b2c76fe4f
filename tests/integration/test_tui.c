/* Under a private tmux server: the terminal UI draws the containers and
 * images of its root, quits on q, ends by itself with --iterations, and
 * refuses to start without a terminal; run -it and exec -it work. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

struct fx {
	char *root;
	char sock[64];
};

static int setup(void **state)
{
	if (!tu_is_root() || tu_sh(NULL, "command -v tmux >/dev/null") != 0)
		return 0;
	struct fx *f = calloc(1, sizeof(*f));
	f->root = tu_root_new();
	snprintf(f->sock, sizeof(f->sock), "berth-tui-test-%d", (int)getpid());
	*state = f;
	if (tu_berthl(NULL, f->root, "image", "demo", "-q", NULL) != 0 ||
	    tu_berthl(NULL, f->root, "run", "-d", "--name", "web", "demo", "sleep", "1000", NULL) !=
	            0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	if (f == NULL)
		return 0;
	tu_sh(NULL, "tmux -L %s kill-server 2>/dev/null; true", f->sock);
	tu_berthl(NULL, f->root, "rm", "-f", "web", NULL);
	tu_root_remove(f->root);
	free(f->root);
	free(f);
	return 0;
}

/* Polls the pane until it shows want (or 5 s pass); returns the text. */
static char *wait_pane(struct fx *f, const char *want)
{
	for (int i = 0; i < 100; i++) {
		struct tu_out o = {0};
		tu_sh(&o, "tmux -L %s capture-pane -p -t t", f->sock);
		if (strstr(o.out, want)) {
			free(o.err);
			return o.out;
		}
		tu_out_free(&o);
		usleep(50 * 1000);
	}
	return NULL;
}

/* Starts berth in a tmux pane; its exit status lands in ROOT/tui.rc. */
static void start_tui(struct fx *f, const char *args)
{
	assert_int_equal(tu_sh(NULL,
	                       "rm -f '%s/tui.rc'; tmux -L %s -f /dev/null new-session -d -s t "
	                       "-x 80 -y 24 \"TERM=tmux-256color '%s' --root '%s' %s; "
	                       "echo \\$? > '%s/tui.rc'; sleep 30\"",
	                       f->root, f->sock, tu_berth_bin(), f->root, args, f->root),
	                 0);
}

/* Waits (5 s at most) for the TUI's exit status. */
static int wait_exit(struct fx *f)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/tui.rc", f->root);
	for (int i = 0; i < 100; i++) {
		char *t = tu_read(path);
		if (t && strchr(t, '\n')) {
			int rc = atoi(t);
			free(t);
			return rc;
		}
		free(t);
		usleep(50 * 1000);
	}
	return -1;
}

static void test_tui_shows_containers_and_quits(void **state)
{
	struct fx *f = *state;
	if (f == NULL)
		skip();
	start_tui(f, "");
	char *text = wait_pane(f, "running");
	assert_non_null(text);
	assert_non_null(strstr(text, "web"));
	assert_non_null(strstr(text, "demo"));
	free(text);
	tu_sh(NULL, "tmux -L %s send-keys -t t q", f->sock);
	assert_int_equal(wait_exit(f), 0);
	tu_sh(NULL, "tmux -L %s kill-server", f->sock);
}

static void test_tui_iterations_end_it(void **state)
{
	struct fx *f = *state;
	if (f == NULL)
		skip();
	start_tui(f, "--iterations 2");
	assert_int_equal(wait_exit(f), 0);
	tu_sh(NULL, "tmux -L %s kill-server", f->sock);
}

/* run -it and exec -it: a shell on a terminal, typed into through tmux;
 * berth's exit status is the shell's. */
static void test_run_and_exec_interactive(void **state)
{
	struct fx *f = *state;
	if (f == NULL)
		skip();
	start_tui(f, "run -it --rm demo sh");
	char *text = wait_pane(f, "/ #");
	assert_non_null(text);
	free(text);
	tu_sh(NULL, "tmux -L %s send-keys -t t 'echo hello-$((6*7)); exit 3' Enter", f->sock);
	assert_int_equal(wait_exit(f), 3);
	text = wait_pane(f, "hello-42");
	assert_non_null(text);
	free(text);
	tu_sh(NULL, "tmux -L %s kill-server", f->sock);

	start_tui(f, "exec -it web sh");
	text = wait_pane(f, "/ #");
	assert_non_null(text);
	free(text);
	tu_sh(NULL, "tmux -L %s send-keys -t t 'hostname; exit 4' Enter", f->sock);
	assert_int_equal(wait_exit(f), 4);
	text = wait_pane(f, "web");
	assert_non_null(text);
	free(text);
	tu_sh(NULL, "tmux -L %s kill-server", f->sock);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_tui_shows_containers_and_quits),
	        cmocka_unit_test(test_tui_iterations_end_it),
	        cmocka_unit_test(test_run_and_exec_interactive),
	        cmocka_unit_test(test_tui_refuses_without_terminal),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
