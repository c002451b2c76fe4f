/* The terminal UI's entry points, for the composition root (cli/main.c):
 * its option table, its settings, and the call that runs it on an open
 * backend context.  No curses here, nothing of cli/. */
#ifndef TUI_TUI_MAIN_H
#define TUI_TUI_MAIN_H

#include <stdbool.h>

#include "berth.h"

struct tui_opts {
	double delay;      /* seconds between refreshes */
	bool delay_given;  /* --delay was given: the settings file's does not apply */
	long iterations;   /* 0: until q */
	const char *theme; /* NULL: $BERTH_THEME, else "default" */
	bool ascii;
	bool no_mouse;
	bool readonly;      /* --readonly or BERTH_READONLY=1: watch, never act */
	bool lab;           /* lab mode: start the lab's containers, remove them at the end */
	const char *replay; /* --replay FILE: a recording instead of the live monitor */
#define TUI_OPTS_HOSTS 16
	const char *hosts[TUI_OPTS_HOSTS]; /* -H URL (or "local"), in order */
	size_t nhosts;
};

/* The TUI's options (docs/tui.md), ended by a zeroed entry: `berth [OPTS]`
 * with no command takes them, `berth --help` lists them. */
extern const struct be_option tui_options[];

/* Defaults, then the options parsed with tui_options; -1 with a one-line
 * error on a bad value ("invalid --delay ..."). */
int tui_opts_set(struct tui_opts *o, const struct be_opts *parsed, struct be_error **err);
/* Whether this process can draw: stdin and stdout are terminals and TERM
 * names one; -1 with an error that says what to use instead. */
int tui_check_terminal(struct be_error **err);
/* Runs the UI on ctx (not freed) until the user quits (or o->iterations
 * refreshes pass); -1 with err when the terminal cannot be set up. */
int tui_main(struct be_ctx *ctx, const struct tui_opts *o, struct be_error **err);
/* Prints the TUI's keys, view by view (`berth --help-keys`), from the same
 * tables as its help screen. */
void tui_print_keys(void);

#endif
