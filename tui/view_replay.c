/* `berth --replay FILE`: the UI on a recording (`berth record FILE[.gz]`)
 * instead of the live monitor.  The items and host meters of each frame
 * come from the backend's reader (be_replay_*), which rebuilds history
 * rings and marks as the monitor does, so the list, the header and the
 * detail view's graphs and events show what was seen then.  Playing
 * advances one frame per refresh (at the recording's own pace unless
 * --delay is given); Space pauses, . and , step, [ and ] seek by ten,
 * { and } go to the start and the end.  Nothing lives behind a recorded
 * row: every action key is refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "tui.h"

#define REPLAY_SEEK 10

int tui_replay_open(struct tui *t, struct be_error **err)
{
	if (be_replay_open(t->opts.replay, &t->replay, err) < 0)
		return -1;
	const char *hn = be_replay_host_name(t->replay);
	if (hn[0])
		snprintf(t->hostname, sizeof(t->hostname), "%s", hn);
	/* The recording's own pace: the time between its first two samples. */
	if (!t->opts.delay_given && be_replay_frames(t->replay) > 1) {
		double d = (double)(be_replay_time_ms(t->replay, 1) -
		                    be_replay_time_ms(t->replay, 0)) /
		           1000.0;
		t->opts.delay = d < 0.1 ? 0.1 : d > 60 ? 60 : d;
	}
	return 0;
}

/* The items of the frame the replay is at, into the model. */
void tui_replay_load(struct tui *t)
{
	const struct be_item *const *items;
	size_t n = be_replay_items(t->replay, &items);
	if (n > t->items_cap) {
		t->items_cap = n + n / 2 + 16;
		t->items = realloc(t->items, t->items_cap * sizeof(*t->items));
		if (t->items == NULL)
			abort();
	}
	for (size_t i = 0; i < n; i++)
		t->items[i] = items[i];
	tui_model_merge(&t->model, t->items, n, NULL, 0);
	if (t->view == TUI_VIEW_DETAIL)
		tui_detail_load(t);
}

/* A refresh: the next frame while playing; at the end it pauses. */
void tui_replay_refresh(struct tui *t)
{
	size_t pos = be_replay_pos(t->replay), n = be_replay_frames(t->replay);
	if (t->refreshes > 0 && !t->replay_paused) {
		if (pos + 1 < n) {
			be_replay_seek(t->replay, pos + 1);
		} else {
			t->replay_paused = true;
			tui_msg(t, BE_ROLE_NORMAL, _("end of the recording ({ starts it again)"));
		}
	}
	tui_replay_load(t);
}

static void seek(struct tui *t, long delta, bool absolute)
{
	size_t n = be_replay_frames(t->replay), pos = be_replay_pos(t->replay);
	long to = absolute ? delta : (long)pos + delta;
	if (to < 0)
		to = 0;
	if (to >= (long)n)
		to = (long)n - 1;
	be_replay_seek(t->replay, (size_t)to);
	tui_replay_load(t);
}

static int r_pause(struct tui *t)
{
	t->replay_paused = !t->replay_paused;
	if (!t->replay_paused && be_replay_pos(t->replay) + 1 == be_replay_frames(t->replay))
		seek(t, 0, true); /* played to the end: from the start again */
	return 0;
}

static int step(struct tui *t, long delta)
{
	if (!t->replay_paused)
		tui_msg(t, BE_ROLE_ERROR, _("pause first (Space) to step"));
	else
		seek(t, delta, false);
	return 0;
}

static int r_next(struct tui *t)
{
	return step(t, 1);
}

static int r_prev(struct tui *t)
{
	return step(t, -1);
}

static int r_ahead(struct tui *t)
{
	seek(t, REPLAY_SEEK, false);
	return 0;
}

static int r_back(struct tui *t)
{
	seek(t, -REPLAY_SEEK, false);
	return 0;
}

static int r_start(struct tui *t)
{
	seek(t, 0, true);
	return 0;
}

static int r_end(struct tui *t)
{
	seek(t, (long)be_replay_frames(t->replay) - 1, true);
	return 0;
}

/* Before the view's own table, in the list and detail views of a replay
 * (Space is no "refresh now" there, . and , no sort keys). */
static const struct tui_binding replay_keys[] = {
        {' ', 0, 0, "Space", N_("pause / play (from the start once at the end)"), r_pause, NULL,
         false},
        {'.', 0, 0, ".", N_("one sample forward (paused)"), r_next, NULL, false},
        {',', 0, 0, ",", N_("one sample back (paused)"), r_prev, NULL, false},
        {']', 0, 0, "]", N_("ten samples forward"), r_ahead, NULL, false},
        {'[', 0, 0, "[", N_("ten samples back"), r_back, NULL, false},
        {'}', 0, 0, "}", N_("the last sample"), r_end, NULL, false},
        {'{', 0, 0, "{", N_("the first sample"), r_start, NULL, false},
};

const struct tui_keytable tui_replay_keys = {
        N_("Replay (--replay FILE: the list and detail views)"), replay_keys,
        sizeof(replay_keys) / sizeof(replay_keys[0])};

bool tui_replay_key(struct tui *t, int ch)
{
	if (t->replay == NULL || (t->view != TUI_VIEW_LIST && t->view != TUI_VIEW_DETAIL))
		return false;
	for (size_t i = 0; i < tui_replay_keys.n; i++)
		if (replay_keys[i].key == ch) {
			replay_keys[i].fn(t);
			return true;
		}
	return false;
}

void tui_replay_title(const struct tui *t, char *buf, size_t len)
{
	size_t pos = be_replay_pos(t->replay), n = be_replay_frames(t->replay);
	int64_t ms = be_replay_time_ms(t->replay, pos);
	time_t sec = (time_t)(ms / 1000);
	char when[48];
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&sec));
	const char *base = strrchr(t->opts.replay, '/');
	snprintf(buf, len, _("REPLAY %s  %s  %zu/%zu %s"), base ? base + 1 : t->opts.replay, when,
	         pos + 1, n, t->replay_paused ? _("paused") : _("playing"));
}

const char *tui_replay_hints(void)
{
	return _("Space pause . step , back [ -10 ] +10 { start } end Enter detail / filter q "
	         "quit  (replay: actions off)");
}
