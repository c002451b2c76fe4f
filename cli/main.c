/* berth's entry point and its one composition root: global options, then
 * a command (cli/) or the terminal UI (tui/), each handed the backend
 * context opened here. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "../tui/tui_main.h"

/* The UI's options in argv into o (no other words); -1 with err. */
static int ui_opts(int argc, char **argv, struct tui_opts *o, struct be_error **err)
{
	struct be_opts parsed;
	char **pos = calloc((size_t)argc + 1, sizeof(char *));
	if (pos == NULL)
		abort();
	int npos = 0;
	int r = be_opts_parse(tui_options, argc, argv, false, &parsed, pos, &npos, err);
	if (r > 0)
		r = be_error_set(err, 0, "the terminal UI's options are listed by `berth --help`");
	if (r == 0 && npos > 0)
		r = be_error_set(err, 0, "unexpected argument %s", pos[0]);
	if (r == 0 && tui_opts_set(o, &parsed, err) < 0)
		r = -1;
	be_opts_release(&parsed);
	free(pos);
	return r;
}

/* Checks the terminal, opens the context and runs the UI. */
static int open_ui(struct cli *cli, const struct tui_opts *o)
{
	struct be_error *err = NULL;
	if (tui_check_terminal(&err) < 0)
		return cli_fail(err);
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	if (tui_main(ctx, o, &err) < 0)
		return cli_fail(err);
	return 0;
}

/* `berth [UI options]`: the terminal UI. */
static int run_tui(struct cli *cli, int argc, char **argv)
{
	struct tui_opts o;
	struct be_error *err = NULL;
	if (ui_opts(argc, argv, &o, &err) < 0)
		return cli_fail(err);
	return open_ui(cli, &o);
}

/* `berth lab [UI options]`: the UI in lab mode (the lab's containers are
 * started by the UI and removed when it ends, or by their reaper). */
static int run_lab(struct cli *cli, int argc, char **argv)
{
	struct tui_opts o;
	struct be_error *err = NULL;
	if (ui_opts(argc, argv, &o, &err) < 0) {
		int code = cli_failf("%s\nusage: berth lab [UI OPTIONS]\nSee 'berth lab --help'.",
		                     err->msg);
		be_error_free(err);
		return code;
	}
	o.lab = true;
	return open_ui(cli, &o);
}

/* How many words a TUI option takes from argv[i]: 1 or 2, or 0 when it is
 * no TUI option. */
static int tui_option_words(char **argv, int i)
{
	const char *val;
	int k = be_opts_match(tui_options, argv[i], &val);
	if (k < 0 || (argv[i][1] != '-' && tui_options[k].short_name == 0))
		return 0;
	return tui_options[k].arg != BE_OPT_FLAG && val == NULL ? 2 : 1;
}

/* `--host ssh://...` (or BERTH_HOST): runs berth with the same words, less
 * --host, on the remote host through ssh (BERTH_SSH, else `ssh`; the
 * remote program is BERTH_REMOTE_BIN, else `berth`).  Only returns on
 * failure. */
static int run_remote(const char *url, int argc, char **argv)
{
	struct be_remote r;
	struct be_error *err = NULL;
	if (be_remote_parse(url, &r, &err) < 0)
		return cli_fail(err);
	const char **words = calloc((size_t)argc + 1, sizeof(char *));
	if (words == NULL)
		abort();
	int n = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--host") == 0) {
			i++;
			continue;
		}
		if (strncmp(argv[i], "--host=", 7) == 0)
			continue;
		words[n++] = argv[i];
	}
	const char *ssh = getenv("BERTH_SSH");
	const char *bin = getenv("BERTH_REMOTE_BIN");
	char **sargv =
	        be_remote_ssh_argv(&r, ssh && *ssh ? ssh : "ssh", bin && *bin ? bin : "berth", n,
	                           words, isatty(0) && isatty(1));
	free(words);
	fflush(stdout);
	execvp(sargv[0], sargv);
	int e = errno;
	int rc = cli_failf("running %s for --host %s: %s", sargv[0], url, strerror(e));
	be_remote_argv_free(sargv);
	return rc;
}

/* run_remote with `-H URL` where `--host URL` would be. */
static int run_remote_h(const char *url, int argc, char **argv)
{
	char **words = calloc((size_t)argc + 1, sizeof(char *));
	if (words == NULL)
		abort();
	int n = 0;
	for (int i = 0; i < argc; i++)
		words[n++] = strcmp(argv[i], "-H") == 0 ? (char *)"--host" : argv[i];
	int rc = run_remote(url, n, words);
	free(words);
	return rc;
}

/* Parses the global options (keeping the TUI's in tui_argv, which has
 * room for argc entries), then runs a command or the TUI. */
static int run(struct cli *cli, int argc, char **argv, char **tui_argv)
{
	int tui_argc = 0;
	int i = 1;
	const char *host = NULL;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		int words;
		if (strcmp(a, "--host") == 0 || strncmp(a, "--host=", 7) == 0) {
			host = a[6] == '=' ? a + 7 : i + 1 < argc ? argv[++i] : NULL;
			if (host == NULL || *host == '\0')
				return cli_failf("--host needs ssh://[USER@]HOST[:PORT]\nSee "
				                 "'berth --help'.");
		} else if (strcmp(a, "--root") == 0 || strncmp(a, "--root=", 7) == 0) {
			/* An empty value must not fall back to $BERTH_ROOT or
			 * /var/lib/berth ("--root=$UNSET"). */
			const char *v = a[6] == '=' ? a + 7 : i + 1 < argc ? argv[++i] : NULL;
			if (v == NULL || *v == '\0')
				return cli_failf("--root needs a directory\nSee 'berth --help'.");
			cli->opts.root = v;
		} else if (strcmp(a, "--wait") == 0) {
			cli->opts.lock_wait = true;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			cli_print_help(tui_options);
			return 0;
		} else if (strcmp(a, "--help-keys") == 0) {
			tui_print_keys();
			return 0;
		} else if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
			printf("berth %s\n", BERTH_VERSION);
			return 0;
		} else if ((words = tui_option_words(argv, i)) > 0) {
			/* Kept for the TUI, which checks the values. */
			if (i + words > argc)
				return cli_failf("%s needs a value\nSee 'berth --help'.", a);
			for (int k = 0; k < words; k++)
				tui_argv[tui_argc++] = argv[i + k];
			i += words - 1;
		} else {
			return cli_failf(
			        "unknown option %s\nusage: berth [GLOBAL OPTIONS] [COMMAND] "
			        "[ARGS...]\nSee 'berth --help'.",
			        a);
		}
	}
	if (host == NULL && getenv("BERTH_HOST") && *getenv("BERTH_HOST"))
		host = getenv("BERTH_HOST");
	if (host)
		return run_remote(host, argc, argv);
	if (i >= argc)
		return run_tui(cli, tui_argc, tui_argv);
	/* `berth -H URL COMMAND`: one -H before a command is --host (as
	 * docker's -H); several -H are the UI's. */
	if (tui_argc == 2 && strcmp(tui_argv[0], "-H") == 0 && strcmp(tui_argv[1], "local") != 0)
		return run_remote_h(tui_argv[1], argc, argv);
	if (tui_argc > 0)
		return cli_failf("%s is an option of the terminal UI (berth with no command), not "
		                 "of %s\nSee 'berth --help'.",
		                 tui_argv[0], argv[i]);
	/* lab takes the UI's options, which cli/ does not know: the UI's
	 * parser reads them (its --help is the command table's). */
	if (strcmp(argv[i], "lab") == 0 && !(i + 1 < argc && (strcmp(argv[i + 1], "--help") == 0 ||
	                                                      strcmp(argv[i + 1], "-h") == 0)))
		return run_lab(cli, argc - i - 1, argv + i + 1);
	return cli_dispatch(cli, argc - i, argv + i);
}

/* fds 0, 1 and 2 open (on /dev/null when the caller closed them): else
 * the first file berth opens would become stdin or stdout, and a child
 * (ssh, a keeper) would read or write it. */
static void std_fds_open(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
			int n = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
			if (n >= 0 && n != fd) {
				dup2(n, fd);
				close(n);
			}
		}
}

int main(int argc, char **argv)
{
	std_fds_open();
	struct cli cli = {.argv0 = argv[0], .lab_ui = run_lab};
	char **tui_argv = calloc((size_t)argc + 1, sizeof(char *));
	if (tui_argv == NULL)
		return CLI_EXIT_FAIL;
	int r = run(&cli, argc, argv, tui_argv);
	be_ctx_free(cli.ctx);
	free(tui_argv);
	return r;
}
