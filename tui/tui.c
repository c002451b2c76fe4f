/* The terminal UI's entry point.  For now a first screen: the state root,
 * the containers and the images, refreshed every second; the full UI
 * (metrics, actions, views) replaces it. */
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
};

static int parse_opts(int argc, char **argv, struct tui_opts *o)
{
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--iterations") == 0 && i + 1 < argc) {
			o->iterations = strtol(argv[++i], NULL, 10);
		} else if (strncmp(argv[i], "--iterations=", 13) == 0) {
			o->iterations = strtol(argv[i] + 13, NULL, 10);
		} else {
			fprintf(stderr, "berth: unknown option %s\nSee 'berth --help'.\n", argv[i]);
			return -1;
		}
	}
	return 0;
}

/* The containers (name, status, image, pid, command), then the images. */
static void draw_lists(struct be_ctx *ctx, int row)
{
	struct be_container_info *cs = NULL;
	size_t nc = 0;
	struct be_error *err = NULL;
	attron(A_BOLD);
	mvprintw(row++, 1, "%-20s %-10s %-12s %-8s %s", "CONTAINER", "STATUS", "IMAGE", "PID",
	         "COMMAND");
	attroff(A_BOLD);
	if (be_container_list(ctx, &cs, &nc, &err) < 0) {
		mvprintw(row++, 1, "%.*s", COLS - 2, err->msg);
		be_error_free(err);
		err = NULL;
	}
	for (size_t i = 0; i < nc && row < LINES - 6; i++)
		mvprintw(row++, 1, "%-20.20s %-10s %-12.12s %-8d %.*s", cs[i].name,
		         be_container_status_name(cs[i].status), cs[i].image, (int)cs[i].pid,
		         COLS > 57 ? COLS - 57 : 0, cs[i].command ? cs[i].command : "");
	if (nc == 0)
		mvprintw(row++, 1, "(none: try `berth run -d demo sleep 1000`)");
	be_container_list_free(cs, nc);
	row++;
	struct be_image_info *im = NULL;
	size_t ni = 0;
	attron(A_BOLD);
	mvprintw(row++, 1, "%-20s %-8s %s", "IMAGE", "LAYERS", "SIZE");
	attroff(A_BOLD);
	if (be_image_list(ctx, &im, &ni, &err) < 0) {
		mvprintw(row++, 1, "%.*s", COLS - 2, err->msg);
		be_error_free(err);
	}
	for (size_t i = 0; i < ni && row < LINES - 1; i++) {
		char size[32];
		mvprintw(row++, 1, "%-20.20s %-8zu %s", im[i].name, im[i].n_layers,
		         be_format_size((uint64_t)im[i].size, size, sizeof(size)));
	}
	be_image_list_free(im, ni);
}

static void draw(struct be_ctx *ctx)
{
	erase();
	attron(A_REVERSE);
	mvprintw(0, 0, "%-*s", COLS, " berth " BERTH_VERSION "   q: quit");
	attroff(A_REVERSE);
	const char *layout = be_ctx_cgroup_layout(ctx) == BE_CGROUP_V2   ? "v2 (unified)"
	                     : be_ctx_cgroup_layout(ctx) == BE_CGROUP_V1 ? "v1 (legacy/hybrid)"
	                                                                 : "none found";
	mvprintw(1, 1, "state root: %s    cgroups: %s", be_ctx_root(ctx), layout);
	draw_lists(ctx, 3);
	mvprintw(LINES - 1, 1, "A first screen: the full UI (metrics, actions) comes later.");
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
