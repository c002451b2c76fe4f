/* The terminal UI's entry point.  For now a placeholder screen: the state
 * root, the images, and the keys; the full UI replaces it. */
#include <curses.h>
#include <locale.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../cli/cli.h"

struct tui_opts {
	long iterations; /* 0: run until q */
	bool ascii;
};

static int parse_opts(int argc, char **argv, struct tui_opts *o)
{
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--iterations") == 0 && i + 1 < argc) {
			o->iterations = strtol(argv[++i], NULL, 10);
		} else if (strncmp(argv[i], "--iterations=", 13) == 0) {
			o->iterations = strtol(argv[i] + 13, NULL, 10);
		} else if (strcmp(argv[i], "--ascii") == 0) {
			o->ascii = true;
		} else {
			fprintf(stderr, "berth: unknown option %s\nSee 'berth --help'.\n", argv[i]);
			return -1;
		}
	}
	return 0;
}

static void draw(struct be_ctx *ctx)
{
	erase();
	attron(A_REVERSE);
	mvprintw(0, 0, "%-*s", COLS, " berth " BERTH_VERSION "   q: quit");
	attroff(A_REVERSE);
	mvprintw(2, 1, "state root: %s", be_ctx_root(ctx));
	const char *layout = be_ctx_cgroup_layout(ctx) == BE_CGROUP_V2   ? "v2 (unified)"
	                     : be_ctx_cgroup_layout(ctx) == BE_CGROUP_V1 ? "v1 (legacy/hybrid)"
	                                                                 : "none found";
	mvprintw(3, 1, "cgroups:    %s", layout);
	mvprintw(5, 1, "The container table arrives with the runtime; try `berth --help`.");
	refresh();
}

int tui_main(struct cli *cli, int argc, char **argv)
{
	struct tui_opts o = {0};
	if (parse_opts(argc, argv, &o) < 0)
		return CLI_EXIT_FAIL;
	if (!isatty(0) || !isatty(1))
		return cli_failf(
		        "the terminal UI needs a terminal; use `berth ps` or `berth top -b`");
	const char *term = getenv("TERM");
	if (term == NULL || strcmp(term, "dumb") == 0)
		return cli_failf("TERM is %s: the terminal UI cannot draw; use `berth top -b`",
		                 term ? term : "unset");
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	setlocale(LC_ALL, "");
	initscr();
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	long n = 0;
	for (;;) {
		draw(ctx);
		if (o.iterations > 0 && ++n >= o.iterations)
			break;
		struct pollfd p = {.fd = 0, .events = POLLIN};
		if (poll(&p, 1, 1000) > 0) {
			int ch = getch();
			if (ch == 'q' || ch == 'Q')
				break;
		}
	}
	endwin();
	return 0;
}
