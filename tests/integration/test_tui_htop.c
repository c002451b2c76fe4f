/* htop's manners in berth's terminal UI, under a private tmux server: F2
 * setup saved to the settings file and found again at the next start, F3
 * search, F4 filter, F5 tree with sums, F6 sort menu, F9 signal menu (asked
 * first, with the command shown), and the KIND and LIMIT columns kept at
 * 80x24 and KIND at 50x12.  Each case has its own root and settings
 * directory (XDG_CONFIG_HOME under the root). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "tu_tui.h"

/* The UI with its settings under ROOT/config, at WxH. */
static void start_cfg(struct tt_fx *f, const char *args, int w, int h)
{
	char env[700];
	snprintf(env, sizeof(env), "XDG_CONFIG_HOME='%s/config' TERM=tmux-256color", f->root);
	tt_start_tui_env(f, env, args, w, h);
}

/* The pane's header line (the one with NAME). */
static char *header_line(struct tt_fx *f)
{
	char *text = tt_wait_pane(f, "NAME");
	assert_non_null(text);
	int l = tt_line_of(text, "NAME");
	if (l < 0)
		l = tt_line_of(text, "NAME\u25b2");
	char *line = strdup(l >= 0 ? tt_line_at(text, l) : "");
	free(text);
	return line;
}

static void test_tui_f2_setup_is_saved_and_found_again(void **state)
{
	struct tt_fx *f = *state;
	if (f == NULL)
		skip();
	start_cfg(f, "", 120, 40);
	tt_see(f, "IMAGE");
	tt_keys(f, "F2");
	tt_see(f, "[x] column  IMAGE");
	/* KIND, NAME, STATUS, IMAGE: the fourth line. */
	tt_keys(f, "j j j Space");
	tt_see(f, "[ ] column  IMAGE");
	tt_keys(f, "Escape");
	tt_see(f, "settings saved to");
	char path[600];
	snprintf(path, sizeof(path), "%s/config/berth/config.json", f->root);
	char *saved = tu_read(path);
	assert_non_null(saved);
	assert_non_null(strstr(saved, "\"columns\""));
	assert_non_null(strstr(saved, "\"status\""));
	assert_null(strstr(saved, "\"image\""));
	free(saved);
	char *h = header_line(f);
	assert_null(strstr(h, "IMAGE"));
	free(h);
	tt_quit_ok(f);

	/* The next start finds it again. */
	start_cfg(f, "", 120, 40);
	tt_see(f, " web ");
	h = header_line(f);
	assert_non_null(strstr(h, "STATUS"));
	assert_null(strstr(h, "IMAGE"));
	free(h);
	tt_keys(f, "F2");
	tt_see(f, "[ ] column  IMAGE");
	tt_keys(f, "Escape");
	tt_quit_ok(f);
}

static void test_tui_f3_search_and_f4_filter(void **state)
{
	struct tt_fx *f = *state;
	if (f == NULL)
		skip();
	assert_int_equal(
	        tu_berthl(NULL, f->root, "create", "--name", "alpha", "demo", "true", NULL), 0);
	assert_int_equal(tu_berthl(NULL, f->root, "create", "--name", "zeta", "demo", "true", NULL),
	                 0);
	start_cfg(f, "", 100, 30);
	tt_see(f, " zeta ");
	tt_keys(f, "F3");
	tt_see(f, "Search: ");
	tt_keys(f, "z e");
	tt_keys(f, "Enter Enter"); /* end the search, open the selected row */
	/* The detail view's title names the row the search selected. */
	char *text = tt_wait_pane(f, "zeta  berth container");
	assert_non_null(text);
	free(text);
	tt_keys(f, "Escape");
	tt_keys(f, "F4");
	tt_see(f, "Filter: ");
	tt_type_line(f, "alph");
	free(tt_wait_for(f, " zeta ", false));
	text = tt_capture(f);
	assert_non_null(strstr(text, " alpha "));
	assert_null(strstr(text, " web "));
	free(text);
	tt_quit_ok(f);
}

static void test_tui_f5_tree_with_sums(void **state)
{
	struct tt_fx *f = *state;
	if (f == NULL)
		skip();
	assert_int_equal(tu_berthl(NULL, f->root, "run", "-d", "--name", "web2", "demo", "sleep",
	                           "1000", NULL),
	                 0);
	start_cfg(f, "", 120, 40);
	tt_see(f, " web2 ");
	tt_keys(f, "F5");
	tt_see(f, "tree on");
	/* The root's two running containers under one heading: their cgroup
	 * parent (berth-<hash>), with the member count; other engines' items
	 * (a VM of someone else's) may form groups of their own. */
	char *text = NULL;
	int head = -1;
	double end = tt_now_s() + TT_DEADLINE_S;
	while (head < 0 && tt_now_s() < end) {
		free(text);
		text = tt_capture(f);
		for (int l = 0; tt_line_at(text, l)[0] || l < 5; l++)
			if (strstr(tt_line_at(text, l), "berth-") &&
			    strstr(tt_line_at(text, l), "(2)"))
				head = l;
	}
	assert_true(head >= 0);
	int w1 = tt_line_of(text, "web"), w2 = tt_line_of(text, "web2");
	assert_true(w1 > head && w2 > head && w1 <= head + 2 && w2 <= head + 2);
	free(text);
	tt_keys(f, "F5");
	tt_see(f, "tree off");
	free(tt_wait_for(f, "(2)", false));
	tt_quit_ok(f);
}

static void test_tui_f6_sort_menu(void **state)
{
	struct tt_fx *f = *state;
	if (f == NULL)
		skip();
	start_cfg(f, "", 100, 30);
	tt_see(f, " web ");
	tt_keys(f, "F6");
	tt_see(f, "Sort by");
	tt_keys(f, "g j j Enter"); /* KIND, NAME, STATUS */
	tt_see(f, "sorted by STATUS");
	tt_keys(f, "F6");
	tt_see(f, "Sort by");
	tt_keys(f, "Escape");
	tt_see(f, "cancelled, nothing done");
	tt_quit_ok(f);
}

static void test_tui_f9_signal_menu_asks(void **state)
{
	struct tt_fx *f = *state;
	if (f == NULL)
		skip();
	start_cfg(f, "", 120, 30);
	tt_see(f, " web ");
	tt_select_only(f, "web");
	tt_keys(f, "F9");
	tt_see(f, "Send web");
	tt_keys(f, "j Enter"); /* SIGKILL */
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "$ berth --root %s kill --signal KILL web", f->root);
	tt_see(f, cmd);
	tt_see(f, "Send SIGKILL to web?");
	tt_keys(f, "n");
	tt_see(f, "web: cancelled, nothing done");
	assert_true(tt_wait_status(f, "web", "running"));
	tt_keys(f, "F9");
	tt_see(f, "Send web");
	tt_keys(f, "j Enter");
	tt_see(f, "Send SIGKILL to web?");
	tt_keys(f, "y");
	assert_true(tt_wait_status(f, "web", "exited"));
	tt_quit_ok(f);
}

static void test_tui_kind_and_limit_kept_when_narrow(void **state)
{
	struct tt_fx *f = *state;
	if (f == NULL)
		skip();
	start_cfg(f, "", 80, 24);
	tt_see(f, " web ");
	char *h = header_line(f);
	assert_non_null(strstr(h, "KIND"));
	assert_non_null(strstr(h, "LIMIT"));
	free(h);
	tt_quit_ok(f);
	start_cfg(f, "", 50, 12);
	tt_see(f, " web");
	h = header_line(f);
	assert_non_null(strstr(h, "KIND"));
	free(h);
	tt_quit_ok(f);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tt_setup, tt_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(test_tui_f2_setup_is_saved_and_found_again),
	        T(test_tui_f3_search_and_f4_filter),
	        T(test_tui_f5_tree_with_sums),
	        T(test_tui_f6_sort_menu),
	        T(test_tui_f9_signal_menu_asks),
	        T(test_tui_kind_and_limit_kept_when_narrow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
