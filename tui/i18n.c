/* The UI's language: setlocale from the environment (with a note and a
 * UTF-8 fallback when the asked locale is not installed) and the text
 * domain bound to the catalogs berth ships. */
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "berth.h"
#include "i18n.h"

/* Words that come from tables outside tui/ (the backend's column titles,
 * container states), listed here so that xgettext finds them; the views
 * translate them where they are shown. */
__attribute__((unused)) static const char *const outside_words[] = {
        N_("KIND"),   N_("NAME"),   N_("STATUS"),  N_("IMAGE"),   N_("running"),
        N_("exited"), N_("paused"), N_("created"), N_("damaged"), N_("orphaned"),
        N_("LIMIT"),  N_("MEM"),    N_("PIDS"),
};

static bool is_dir(const char *p)
{
	return access(p, X_OK) == 0;
}

static void bind_catalogs(void)
{
	const char *env = getenv("BERTH_LOCALEDIR");
	if (env && *env) {
		bindtextdomain("berth", env);
		return;
	}
	char *exe = be_self_exe(NULL);
	if (exe == NULL)
		return;
	char *slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/locale", exe);
	if (!is_dir(dir))
		snprintf(dir, sizeof(dir), "%s/../share/locale", exe);
	free(exe);
	if (is_dir(dir))
		bindtextdomain("berth", dir);
}

const char *tui_i18n_init(char *note, size_t len)
{
	note[0] = '\0';
	if (setlocale(LC_ALL, "") == NULL) {
		const char *want = getenv("LC_ALL");
		if (want == NULL || *want == '\0')
			want = getenv("LC_MESSAGES");
		if (want == NULL || *want == '\0')
			want = getenv("LANG");
		snprintf(note, len,
		         "locale %s is not installed here (locale -a lists those that are): "
		         "English",
		         want ? want : "?");
		/* Keep drawing in UTF-8 where the terminal speaks it. */
		if (setlocale(LC_ALL, "C.UTF-8") == NULL)
			setlocale(LC_ALL, "C");
	}
	/* Numbers stay as C writes them (1.5, not 1,5), whatever the locale. */
	setlocale(LC_NUMERIC, "C");
	bind_catalogs();
	bind_textdomain_codeset("berth", "UTF-8");
	textdomain("berth");
	return note;
}
