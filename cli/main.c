/* berth's entry point: global options, then a command or the TUI. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Parses the global options (keeping the TUI's in tui_argv, which has
 * room for argc entries), then runs a command or the TUI. */
static int run(struct cli *cli, int argc, char **argv, char **tui_argv)
{
	int tui_argc = 0;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--root") == 0 || strncmp(a, "--root=", 7) == 0) {
			/* An empty value must not fall back to $BERTH_ROOT or
			 * /var/lib/berth ("--root=$UNSET"). */
			const char *v = a[6] == '=' ? a + 7 : i + 1 < argc ? argv[++i] : NULL;
			if (v == NULL || *v == '\0') {
				fputs("berth: --root needs a directory\nSee 'berth --help'.\n",
				      stderr);
				return CLI_EXIT_FAIL;
			}
			cli->opts.root = v;
		} else if (strcmp(a, "--wait") == 0) {
			cli->opts.lock_wait = true;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			cli_print_help();
			return 0;
		} else if (strcmp(a, "--help-keys") == 0) {
			tui_print_keys();
			return 0;
		} else if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
			printf("berth %s\n", BERTH_VERSION);
			return 0;
		} else if (tui_option_arity(a) >= 0) {
			/* Kept for the TUI, which checks the values. */
			int n = tui_option_arity(a);
			if (i + n >= argc) {
				fprintf(stderr, "berth: %s needs a value\nSee 'berth --help'.\n",
				        a);
				return CLI_EXIT_FAIL;
			}
			tui_argv[tui_argc++] = argv[i];
			if (n)
				tui_argv[tui_argc++] = argv[++i];
		} else {
			fprintf(stderr,
			        "berth: unknown option %s\nusage: berth [GLOBAL OPTIONS] [COMMAND] "
			        "[ARGS...]\nSee 'berth --help'.\n",
			        a);
			return CLI_EXIT_FAIL;
		}
	}
	int r;
	if (i >= argc) {
		r = tui_main(cli, tui_argc, tui_argv);
	} else if (tui_argc > 0) {
		fprintf(stderr,
		        "berth: %s is an option of the terminal UI (berth with no command), not "
		        "of %s\nSee 'berth --help'.\n",
		        tui_argv[0], argv[i]);
		r = CLI_EXIT_FAIL;
	} else {
		r = cli_dispatch(cli, argc - i, argv + i);
	}
	be_ctx_free(cli->ctx);
	return r;
}

int main(int argc, char **argv)
{
	struct cli cli = {.argv0 = argv[0]};
	char **tui_argv = calloc((size_t)argc + 1, sizeof(char *));
	if (tui_argv == NULL)
		return CLI_EXIT_FAIL;
	int r = run(&cli, argc, argv, tui_argv);
	free(tui_argv);
	return r;
}
