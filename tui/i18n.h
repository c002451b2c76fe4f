/* Translations of the UI's words through gettext (glibc's libintl): _()
 * translates, N_() marks a string in a table for xgettext and leaves it as
 * it is (translated where it is shown).  English is the source language;
 * po/ko.po holds Korean (make builds build/locale/LANG/LC_MESSAGES/berth.mo). */
#ifndef TUI_I18N_H
#define TUI_I18N_H

#include <libintl.h>

#define _(s) gettext(s)
#define N_(s) (s)

/* Binds the "berth" text domain to the catalogs next to the program
 * ($BERTH_LOCALEDIR, else <dir of berth>/locale, else
 * <dir of berth>/../share/locale).  Returns the locale's note for the user
 * when LANG names a locale this system does not have ("" otherwise): the UI
 * then runs in English, in UTF-8 where it can. */
const char *tui_i18n_init(char *note, size_t len);

#endif
