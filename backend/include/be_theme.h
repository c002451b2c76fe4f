/* Colour themes of the terminal UI.  A theme maps each role (what a piece of
 * the screen means) to a foreground, a background and attributes.  Themes
 * are JSON files (themes/ and the user's config dir, docs/tui.md); the
 * backend reads them so that the front ends never parse JSON.  Two themes
 * are built in and need no file: "default" and "mono". */
#ifndef BE_THEME_H
#define BE_THEME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct be_error;

enum be_theme_role {
	BE_ROLE_NORMAL,       /* plain text */
	BE_ROLE_TITLE,        /* the top bar */
	BE_ROLE_STATUS,       /* the bottom line: key hints, messages */
	BE_ROLE_KEY,          /* a key in a hint ("F5", "s") */
	BE_ROLE_TABLE_HEADER, /* column titles */
	BE_ROLE_SELECTED,     /* the selected row */
	BE_ROLE_BORDER,       /* boxes and separators */
	BE_ROLE_LABEL,        /* meter and field labels */
	BE_ROLE_METER_LOW,    /* a meter or gauge below 60% */
	BE_ROLE_METER_MID,    /* 60-85% */
	BE_ROLE_METER_HIGH,   /* above 85% */
	BE_ROLE_GRAPH,        /* history graphs */
	BE_ROLE_RUNNING,      /* status words */
	BE_ROLE_PAUSED,
	BE_ROLE_EXITED,
	BE_ROLE_FOREIGN, /* items berth did not start (docker, lxc...) */
	BE_ROLE_VM,      /* virtual machines */
	BE_ROLE_DIM,     /* less important text */
	BE_ROLE_ERROR,   /* error messages */
	BE_ROLE_OK,      /* confirmations */
	BE_ROLE_COUNT,
};

#define BE_THEME_DEFAULT_COLOR (-1) /* the terminal's own colour */
enum {
	BE_ATTR_BOLD = 1u << 0,
	BE_ATTR_DIM = 1u << 1,
	BE_ATTR_REVERSE = 1u << 2,
	BE_ATTR_UNDERLINE = 1u << 3,
};

struct be_theme_style {
	int16_t fg, bg; /* BE_THEME_DEFAULT_COLOR, or 0-255 (0-7 the basic eight,
	                   8-15 their bright forms, 16-255 the xterm cube) */
	uint8_t attrs;  /* BE_ATTR_* */
};

#define BE_THEME_NAME_MAX 64
struct be_theme {
	char name[BE_THEME_NAME_MAX];
	bool mono; /* uses no colour at all (every fg and bg default) */
	struct be_theme_style role[BE_ROLE_COUNT];
};

/* "normal", "title", "status", "key", "table_header", "selected", "border",
 * "label", "meter_low", "meter_mid", "meter_high", "graph", "running",
 * "paused", "exited", "foreign", "vm", "dim", "error", "ok"; NULL out of
 * range.  These are the keys of a theme file's "roles" object. */
const char *be_theme_role_name(enum be_theme_role role);

/* Fills out with the built-in theme NAME ("default" or "mono"); fails with a
 * one-line error for any other name. */
int be_theme_builtin(const char *name, struct be_theme *out, struct be_error **err);

/* Reads a theme file.  Roles it leaves out are taken from the theme it
 * names in "inherits" (a built-in; "default" when absent).  Any error
 * (syntax, unknown role, unknown colour or attribute, wrong type, missing
 * or wrong "version") is one line naming the file, line and column where
 * jansson gives them; out is untouched on failure. */
int be_theme_load_file(const char *path, struct be_theme *out, struct be_error **err);

/* Loads theme NAME: the first NAME.json found in the theme path (see
 * be_theme_path), else a built-in of that name; fails when neither exists
 * or the file is bad.  NAME must pass be_name_valid. */
int be_theme_load(const char *name, struct be_theme *out, struct be_error **err);

/* The directories searched for themes, in order, each existing or not:
 *   each entry of $BERTH_THEME_PATH (colon-separated),
 *   $XDG_CONFIG_HOME/berth/themes (else $HOME/.config/berth/themes),
 *   <dir of the berth binary>/../share/berth/themes (an install),
 *   <dir of the berth binary>/../themes (the source tree: build/berth).
 * Returns a NULL-terminated array; free with be_theme_path_free. */
char **be_theme_path(void);
void be_theme_path_free(char **dirs);

/* Names of every theme found (files in the path plus the built-ins), sorted,
 * without duplicates; free with be_theme_path_free. */
char **be_theme_names(struct be_error **err);

#endif
