/* `berth --replay FILE` under a private tmux server: a recording made while
 * a container's memory grower was OOM-killed replays with the kill at the
 * sample where oom_kills grew (absent one step before, the event and the
 * graph's marker one step after), the recording's time in the title, and
 * every action key refused.  A bad recording is a one-line error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "testutil.h"
#include "tu_tui.h"

/* The detail view's event line ("10:16:34  OOM kill      1 in all"), not
 * its "OOM kills 0" figure. */
#define OOM_EVENT "OOM kill      "

/* The frame (0-based line of the recording) where grow's oom_kills grew
 * over its previous frame, or -1; *n: lines in all. */
static long oom_frame(const char *path, long *n)
{
	char *text = tu_read(path);
	assert_non_null(text);
	long frame = 0, found = -1;
	json_int_t last = -1;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"), frame++) {
		json_t *o = json_loads(line, 0, NULL);
		assert_non_null(o);
		size_t i;
		json_t *it;
		json_int_t kills = -1;
		json_array_foreach(json_object_get(o, "items"), i, it)
		{
			if (strcmp(json_string_value(json_object_get(it, "name")), "grow") == 0)
				kills = json_integer_value(json_object_get(it, "oom_kills"));
		}
		if (found < 0 && last >= 0 && kills > last)
			found = frame;
		last = kills;
		json_decref(o);
	}
	free(text);
	*n = frame;
	return found;
}

/* Markers (▼) on the pane: the events' title has one, each mark on a
 * graph one more. */
static int markers(const char *text)
{
	int n = 0;
	for (const char *p = text; (p = strstr(p, "\u25bc")); p++)
		n++;
	return n;
}

/* Waits until the title shows frame want of n, paused. */
static void step_to(struct tt_fx *f, long want, long n)
{
	char title[64];
	snprintf(title, sizeof(title), " %ld/%ld paused", want, n);
	tt_see(f, title);
}

static void test_tui_replay_shows_the_oom_kill_when_it_happened(void **state)
{
	struct tt_fx *f = *state;
	if (f == NULL)
		skip();
	/* The inner shell grows until the OOM killer ends it; the container
	 * lives on (sleep), so its row stays in every frame. */
	assert_int_equal(
	        tu_berthl(NULL, f->root, "run", "-d", "--name", "grow", "-m", "16m", "demo", "sh",
	                  "-c", "sleep 3; sh -c 'x=a; while :; do x=$x$x; done'; sleep 1000", NULL),
	        0);
	char rec[600];
	snprintf(rec, sizeof(rec), "%s/grow.jsonl", f->root);
	assert_int_equal(tu_berthl(NULL, f->root, "record", rec, "-i", "0.5", "-d", "20", NULL), 0);
	long n = 0, k = oom_frame(rec, &n);
	printf("# %ld samples, oom_kills grew at sample %ld\n", n, k + 1);
	assert_true(k >= 2);

	char args[700];
	snprintf(args, sizeof(args), "--replay '%s' --delay 5", rec);
	tt_start_tui_env(f, "TERM=tmux-256color", args, 120, 50);
	tt_see(f, "REPLAY grow.jsonl");
	tt_keys(f, "Space");
	tt_see(f, " paused");
	tt_keys(f, "{");
	step_to(f, 1, n);
	tt_select_only(f, "grow");
	tt_keys(f, "Enter");
	tt_see(f, "Events");
	/* Actions are refused: nothing lives behind a recorded row. */
	tt_keys(f, "s");
	tt_see(f, "a replay: no container lives behind a recorded row");
	/* One sample before the kill: no event, no marker. */
	for (long i = 1; i < k; i++) {
		tt_keys(f, ".");
		step_to(f, i + 1, n);
	}
	char *text = tt_capture(f);
	assert_null(strstr(text, OOM_EVENT));
	assert_int_equal(markers(text), 1);
	free(text);
	/* The sample where oom_kills grew: both. */
	tt_keys(f, ".");
	step_to(f, k + 1, n);
	text = tt_wait_pane(f, OOM_EVENT);
	assert_non_null(text);
	assert_true(markers(text) >= 2);
	free(text);
	/* Back one step: gone again (the items are rebuilt up to there). */
	tt_keys(f, ",");
	step_to(f, k, n);
	text = tt_wait_for(f, OOM_EVENT, false);
	assert_non_null(text);
	free(text);
	/* ] seeks ten on, [ ten back (to the start at most), } to the end. */
	tt_keys(f, "]");
	step_to(f, k + 10 < n ? k + 10 : n, n);
	tt_see(f, OOM_EVENT);
	tt_keys(f, "[ [");
	step_to(f, k - 20 > 1 ? k - 20 : 1, n);
	text = tt_wait_for(f, OOM_EVENT, false);
	assert_non_null(text);
	free(text);
	tt_keys(f, "}");
	step_to(f, n, n);
	tt_see(f, OOM_EVENT);
	tt_keys(f, "q"); /* back to the list, where q quits */
	tt_see(f, "NAME");
	tt_quit_ok(f);
}

static void test_tui_replay_bad_file(void **state)
{
	struct tt_fx *f = *state;
	if (f == NULL)
		skip();
	char bad[600];
	snprintf(bad, sizeof(bad), "%s/bad.jsonl", f->root);
	FILE *fp = fopen(bad, "w");
	assert_non_null(fp);
	fputs("{\"v\":1,\"time_unix_ms\":1,\"items\":[]}\nnot json\n", fp);
	fclose(fp);
	/* On a terminal (tmux's), so that the file is what it refuses. */
	char args[700];
	snprintf(args, sizeof(args), "--replay '%s'", bad);
	tt_start_tui_env(f, "TERM=tmux-256color", args, 100, 30);
	assert_int_equal(tt_wait_exit(f), 125);
	tt_see(f, "line 2: not JSON");
	tt_kill_server(f);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tt_setup, tt_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(test_tui_replay_shows_the_oom_kill_when_it_happened),
	        T(test_tui_replay_bad_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
