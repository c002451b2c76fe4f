/* berth's entry point: global options, then a command or the TUI. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int main(int argc, char **argv)
{
	struct cli cli = {.argv0 = argv[0]};
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
			cli.opts.root = v;
		} else if (strcmp(a, "--wait") == 0) {
			cli.opts.lock_wait = true;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			cli_print_help();
			return 0;
		} else if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
			printf("berth %s\n", BERTH_VERSION);
			return 0;
		} else if (strcmp(a, "--iterations") == 0 || strncmp(a, "--iterations=", 13) == 0) {
			break; /* TUI options: the TUI parses them */
		} else {
			fprintf(stderr,
			        "berth: unknown option %s\nusage: berth [GLOBAL OPTIONS] [COMMAND] "
			        "[ARGS...]\nSee 'berth --help'.\n",
			        a);
			return CLI_EXIT_FAIL;
		}
	}
	int r;
	if (i >= argc || argv[i][0] == '-')
		r = tui_main(&cli, argc - i, argv + i);
	else
		r = cli_dispatch(&cli, argc - i, argv + i);
	be_ctx_free(cli.ctx);
	return r;
}
