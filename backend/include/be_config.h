/* The user's settings of the terminal UI (its F2 setup screen): shown
 * columns and their order, sort, tree mode, theme, refresh interval and
 * read-only, kept in $XDG_CONFIG_HOME/berth/config.json. */
#ifndef BE_CONFIG_H
#define BE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct be_error;

#define BE_UI_COLUMNS_MAX 32
#define BE_UI_ID_MAX 24

struct be_ui_config {
	/* Column ids in display order; ncolumns 0: the built-in set. */
	char columns[BE_UI_COLUMNS_MAX][BE_UI_ID_MAX];
	size_t ncolumns;
	char sort[BE_UI_ID_MAX]; /* column id, "" for the default (name) */
	bool reverse;
	bool tree;      /* the F5 tree of cgroups */
	char theme[64]; /* "" for the default */
	double delay;   /* seconds between refreshes; 0 for the default */
	bool readonly;  /* watch only */
};

/* The settings file: $XDG_CONFIG_HOME/berth/config.json, else
 * $HOME/.config/berth/config.json; NULL when neither is set.  Caller frees. */
char *be_ui_config_path(void);
/* Reads path into out (zeroed first).  A missing file is no error (the
 * defaults); a bad one fails with "PATH:LINE:COL: what" and out stays at
 * the defaults.  Unknown keys are ignored; an unknown column id is kept
 * (the UI skips it). */
int be_ui_config_load(const char *path, struct be_ui_config *out, struct be_error **err);
/* Writes c to path (temp + rename, mode 0600, the directory made 0700 when
 * missing); keys of the file that berth does not know are kept. */
int be_ui_config_save(const char *path, const struct be_ui_config *c, struct be_error **err);

#endif
