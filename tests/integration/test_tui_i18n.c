/* The UI in Korean, under a private tmux server: with LANG=ko_KR.UTF-8 (a
 * locale this test builds with localedef into its own LOCPATH) the header,
 * the hints and the help are in Korean, and every table row has the display
 * width of the header (measured here with wcwidth), so double-width text
 * keeps the columns aligned.  A locale that is not installed is said once
 * and the UI stays in English, still drawing in UTF-8. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "testutil.h"
#include "tu_tui.h"

/* Display width of a UTF-8 line without its trailing blanks. */
static int display_width(const char *line)
{
	wchar_t w[1024];
	size_t n = mbstowcs(w, line, 1023);
	if (n == (size_t)-1)
		return -1;
	while (n > 0 && w[n - 1] == L' ')
		n--;
	w[n] = L'\0';
	return wcswidth(w, n);
}

static void test_tui_korean(void **state)
{
	struct tt_fx *f = *state;
	if (f == NULL || access("/usr/share/i18n/locales/ko_KR", R_OK) != 0)
		skip();
	char loc[600];
	snprintf(loc, sizeof(loc), "%s/locale", f->root);
	assert_int_equal(tu_sh(NULL,
	                       "mkdir -p '%s' && localedef -i ko_KR -f UTF-8 '%s/ko_KR.UTF-8'", loc,
	                       loc),
	                 0);
	assert_int_equal(tu_berthl(NULL, f->root, "create", "--name", "db", "demo", "true", NULL),
	                 0);
	assert_int_equal(
	        tu_berthl(NULL, f->root, "run", "-d", "--name", "p", "demo", "sleep", "1000", NULL),
	        0);
	assert_int_equal(tu_berthl(NULL, f->root, "pause", "p", NULL), 0);
	char env[800];
	snprintf(env, sizeof(env), "LOCPATH='%s' LANG=ko_KR.UTF-8 TERM=tmux-256color", loc);
	tt_start_tui_env(f, env, "", 100, 30);
	tt_see(f, "? 도움말  q 끝내기");
	tt_see(f, "실행중");
	tt_see(f, "일시정"); /* paused, cut to its column */
	tt_see(f, "자세히"); /* a hint */
	char *text = tt_wait_pane(f, "생성됨");
	assert_non_null(text);
	int h = tt_line_of(text, "종류");
	assert_true(h >= 0);
	char header[512];
	snprintf(header, sizeof(header), "%s", tt_line_at(text, h));
	int hw = display_width(header);
	assert_true(hw > 40);
	int last = h;
	for (int l = h + 1;; l++) {
		const char *line = tt_line_at(text, l);
		if (display_width(line) <= 0)
			break; /* the end of the table */
		assert_int_equal(display_width(line), hw);
		last = l;
	}
	/* This root's three are among the rows checked (other roots' items,
	 * listed too, may sort among them). */
	static const char *const names[] = {"db", "p", "web"};
	for (size_t i = 0; i < 3; i++) {
		int l = tt_line_of(text, names[i]);
		assert_true(l > h && l <= last);
	}
	free(text);
	tt_keys(f, "?");
	tt_see(f, "메인 화면 (표)");
	tt_see(f, "자세히: 그래프, 제한");
	tt_keys(f, "Escape");
	tt_quit_ok(f);
}

static void test_tui_missing_locale_is_said(void **state)
{
	struct tt_fx *f = *state;
	if (f == NULL)
		skip();
	tt_start_tui_env(f, "LANG=xx_YY.UTF-8 TERM=tmux-256color", "", 100, 30);
	tt_see(f, "locale xx_YY.UTF-8 is not installed here");
	tt_see(f, "? help  q quit");
	char *text = tt_capture(f);
	assert_non_null(strstr(text, "\u2595")); /* the meters' UTF-8 bracket, not ASCII */
	free(text);
	tt_quit_ok(f);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tt_setup, tt_teardown)

int main(void)
{
	setlocale(LC_CTYPE, "C.UTF-8");
	const struct CMUnitTest tests[] = {
	        T(test_tui_korean),
	        T(test_tui_missing_locale_is_said),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
