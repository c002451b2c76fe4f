/* Commands of the container family: create, run, start, stop, kill,
 * restart, pause, resume, rm, ps, inspect, logs, exec, update, wait. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

#define CREATE_OPTIONS                                                                             \
	{"name", 0, BE_OPT_VALUE, "NAME", "the container's name (default: generated)"},            \
	        {"env", 'e', BE_OPT_LIST, "K=V", "set an environment variable (repeatable)"},      \
	        {"hostname", 0, BE_OPT_VALUE, "NAME", "hostname inside (default: the name)"},      \
	        {"workdir", 'w', BE_OPT_VALUE, "DIR", "working directory inside"},                 \
	        {"user", 'u', BE_OPT_VALUE, "USER[:GROUP]", "run as this user (name or uid)"},     \
	        {"net", 0, BE_OPT_VALUE, "MODE",                                                   \
	         "bridge, none (loopback only), host, or a network's name (default: bridge "       \
	         "for the default root run by root, none otherwise)"},                             \
	        {"network", 0, BE_OPT_VALUE, "NAME", "same as --net"},                             \
	        {"publish", 'p', BE_OPT_LIST, "[IP:]HOSTPORT:PORT[/udp]",                          \
	         "publish a port (PORT alone: a free host port; see `berth port`)"},               \
	        {"interactive", 'i', BE_OPT_FLAG, NULL, "keep stdin open"},                        \
	        {"tty", 't', BE_OPT_FLAG, NULL, "give the container a terminal"},                  \
	        {"rm", 0, BE_OPT_FLAG, NULL, "remove the container when it exits"},                \
	        {"volume", 'v', BE_OPT_LIST, "SRC:PATH[:ro]",                                      \
	         "bind a host path (SRC starts with /) or a named volume at PATH"},                \
	        {"mount", 0, BE_OPT_LIST, "type=T,source=S,target=P[,readonly]",                   \
	         "a bind, volume or tmpfs mount (docker's --mount)"},                              \
	        {"tmpfs", 0, BE_OPT_LIST, "PATH[:size=N,mode=M]", "a fresh tmpfs at PATH"},        \
	{                                                                                          \
		"read-only", 0, BE_OPT_FLAG, NULL, "mount the root filesystem read-only"           \
	}

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

/* Reads the limit options (be_limit_options, which every command with
 * .limits takes) into lim; prints the error and fails on bad text. */
static int parse_limits(const struct cli_args *a, struct be_limits *lim)
{
	struct be_error *err = NULL;
	memset(lim, 0, sizeof(*lim));
	for (const struct be_limit_option *o = be_limit_options; o->opt.name; o++) {
		const char *v = cli_opt(a, o->opt.name);
		if (v && o->parse(v, lim, &err) < 0)
			return cli_fail(err);
	}
	if (be_limits_check(lim, &err) < 0)
		return cli_fail(err);
	return 0;
}

static int parse_spec(const struct cli_args *a, struct be_container_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->name = cli_opt(a, "name");
	spec->image = a->argv[0];
	spec->cmd = a->argc > 1 ? a->argv + 1 : NULL;
	const char *const *env;
	size_t n = cli_list(a, "env", &env);
	static char *none[] = {NULL};
	spec->env = n ? (char *const *)env : none;
	spec->hostname = cli_opt(a, "hostname");
	spec->workdir = cli_opt(a, "workdir");
	spec->user = cli_opt(a, "user");
	const char *net = cli_opt(a, "net");
	const char *network = cli_opt(a, "network");
	if (net && network && strcmp(net, network) != 0)
		return cli_failf("--net %s and --network %s disagree", net, network);
	if (net == NULL)
		net = network;
	spec->net_default = net == NULL;
	if (net && strcmp(net, "host") == 0)
		spec->net = BE_NET_HOST;
	else if (net && strcmp(net, "none") == 0)
		spec->net = BE_NET_NONE;
	else if (net) {
		struct be_error *err = NULL;
		if (be_name_check("network", net, &err) < 0)
			return cli_fail(err);
		spec->net = BE_NET_BRIDGE;
		spec->network = strcmp(net, "bridge") == 0 ? NULL : net;
	}
	spec->tty = cli_flag(a, "tty");
	spec->interactive = cli_flag(a, "interactive");
	spec->auto_remove = cli_flag(a, "rm");
	return parse_limits(a, &spec->limits);
}

/* The list may not be NULL-terminated (from cli_list): copy it. */
static char **terminated(const struct cli_args *a, const char *opt)
{
	const char *const *v;
	size_t n = cli_list(a, opt, &v);
	char **out = calloc(n + 1, sizeof(char *));
	if (out == NULL)
		abort();
	for (size_t i = 0; i < n; i++)
		out[i] = (char *)v[i];
	return out;
}

/* The spec of create and run from the options; spec_free releases what it
 * holds (the -e list, the mounts, the ports). */
static int read_spec(const struct cli_args *a, struct be_container_spec *spec)
{
	if (parse_spec(a, spec) != 0)
		return CLI_EXIT_FAIL;
	struct be_mount *mounts = NULL;
	if (cli_parse_mounts(a, &mounts, &spec->n_mounts) != 0)
		return CLI_EXIT_FAIL;
	spec->mounts = mounts;
	spec->read_only = cli_flag(a, "read-only");
	struct be_port *ports = NULL;
	if (cli_parse_ports(a, &ports, &spec->n_ports) != 0) {
		cli_mounts_free(mounts, spec->n_mounts);
		return CLI_EXIT_FAIL;
	}
	spec->ports = ports;
	spec->env = terminated(a, "env");
	return 0;
}

static void spec_free(struct be_container_spec *spec)
{
	free((void *)spec->env);
	cli_mounts_free((struct be_mount *)spec->mounts, spec->n_mounts);
	free((void *)spec->ports);
}

static int do_create(struct cli *cli, const struct cli_args *a, char *name)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	struct be_container_spec spec;
	if (read_spec(a, &spec) != 0)
		return CLI_EXIT_FAIL;
	struct be_error *err = NULL;
	int r = be_container_create(ctx, &spec, name, &err);
	spec_free(&spec);
	return r < 0 ? cli_fail(err) : 0;
}

static int cmd_create(struct cli *cli, const struct cli_args *a)
{
	char name[BE_NAME_MAX + 1];
	int r = do_create(cli, a, name);
	if (r == 0)
		puts(name);
	return r;
}

static struct termios saved_tio;
static bool tio_saved;

static void raw_terminal(void)
{
	if (!isatty(0) || tcgetattr(0, &saved_tio) < 0)
		return;
	struct termios t = saved_tio;
	cfmakeraw(&t);
	tio_saved = tcsetattr(0, TCSANOW, &t) == 0;
}

static void restore_terminal(void)
{
	if (tio_saved)
		tcsetattr(0, TCSANOW, &saved_tio);
	tio_saved = false;
}

static void catch_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* Waits for the exit code on exit_fd, passing SIGINT/SIGTERM/SIGHUP on to
 * the container as docker's sig-proxy does. */
static int wait_attached(struct be_ctx *ctx, const char *name, int exit_fd)
{
	for (;;) {
		char buf[16];
		ssize_t n = read(exit_fd, buf, sizeof(buf) - 1);
		if (n < 0 && errno == EINTR) {
			if (got_signal) {
				be_container_kill(ctx, name, got_signal, NULL);
				got_signal = 0;
			}
			continue;
		}
		if (n <= 0)
			return cli_failf("%s: the keeper exited without an exit code", name);
		buf[n] = '\0';
		/* The keeper writes "CODE\n" in one write; a short read is
		 * completed before the code is used. */
		while (strchr(buf, '\n') == NULL && (size_t)n < sizeof(buf) - 1) {
			ssize_t m = read(exit_fd, buf + n, sizeof(buf) - 1 - (size_t)n);
			if (m <= 0)
				break;
			n += m;
			buf[n] = '\0';
		}
		return atoi(buf);
	}
}

static void on_winch(int sig)
{
	(void)sig; /* only to interrupt the relay's poll: it copies the size */
}

/* Relays a container's terminal to this one until the container's side
 * hangs up; the terminal is raw meanwhile when interactive. */
static void relay_terminal(int master, bool interactive)
{
	struct sigaction sa = {.sa_handler = on_winch}; /* no SA_RESTART */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGWINCH, &sa, NULL);
	if (interactive)
		raw_terminal();
	be_pty_relay(master, interactive ? 0 : -1, 1, NULL);
	restore_terminal();
	signal(SIGWINCH, SIG_DFL);
}

/* The terminal whose size the container's takes. */
static int size_fd(void)
{
	return isatty(0) ? 0 : 1;
}

/* run -t: the container opens a terminal of its own and sends its master
 * here, and this process relays it.  Returns the exit code, or -1 with
 * *err when it could not start (name is set once the container exists). */
static int run_tty(struct be_ctx *ctx, const struct be_container_spec *spec, bool interactive,
                   char *name, struct be_error **err)
{
	int client, cont;
	if (be_console_pair(&client, &cont, err) < 0)
		return -1;
	struct be_start_opts o = {.attach = true,
	                          .in_fd = -1,
	                          .out_fd = -1,
	                          .err_fd = -1,
	                          .console_fd = cont,
	                          .caller_exits = true};
	int r = be_container_run(ctx, spec, &o, name, err);
	close(cont);
	int master = r < 0 ? -1 : be_console_recv(client, size_fd(), err);
	close(client);
	if (r < 0)
		return -1;
	if (master < 0) {
		be_container_kill(ctx, name, SIGKILL, NULL);
		close(o.exit_fd);
		return -1;
	}
	relay_terminal(master, interactive);
	close(master);
	int code = wait_attached(ctx, name, o.exit_fd);
	close(o.exit_fd);
	return code;
}

/* -it relays our stdin as a terminal: without one it would hang (docker
 * refuses it with these words, exit 125).  detached: nothing is relayed
 * (-dit keeps the terminal in the keeper). */
static int check_tty_input(const struct cli_args *a, bool detached)
{
	if (!detached && cli_flag(a, "tty") && cli_flag(a, "interactive") && !isatty(0))
		return cli_failf("the input device is not a TTY");
	return 0;
}

static int cmd_run(struct cli *cli, const struct cli_args *a)
{
	if (check_tty_input(a, cli_flag(a, "detach")) != 0)
		return CLI_EXIT_FAIL;
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	struct be_container_spec spec;
	if (read_spec(a, &spec) != 0)
		return CLI_EXIT_FAIL;
	char name[BE_NAME_MAX + 1] = "";
	struct be_error *err = NULL;
	catch_signals();
	int code;
	if (cli_flag(a, "detach")) {
		struct be_start_opts d = {.in_fd = -1,
		                          .out_fd = -1,
		                          .err_fd = -1,
		                          .console_fd = -1,
		                          .caller_exits = true};
		code = be_container_run(ctx, &spec, &d, name, &err);
		if (code == 0)
			puts(name);
	} else if (cli_flag(a, "tty")) {
		code = run_tty(ctx, &spec, cli_flag(a, "interactive"), name, &err);
	} else {
		struct be_start_opts o = {.attach = true,
		                          .in_fd = cli_flag(a, "interactive") ? 0 : -1,
		                          .out_fd = 1,
		                          .err_fd = 2,
		                          .console_fd = -1,
		                          .caller_exits = true};
		code = be_container_run(ctx, &spec, &o, name, &err);
		if (code == 0) {
			code = wait_attached(ctx, name, o.exit_fd);
			close(o.exit_fd);
		}
	}
	spec_free(&spec);
	if (code >= 0)
		return code;
	/* Made but lost on the way (its terminal never came): nothing left. */
	if (name[0])
		be_container_remove(ctx, name, true, NULL);
	return cli_fail(err);
}

/* Runs fn on every NAME argument; prints each name done, as docker. */
static int each_name(struct cli *cli, const struct cli_args *a, bool print,
                     int (*fn)(struct be_ctx *, const char *, const struct cli_args *,
                               struct be_error **))
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	int rc = 0;
	for (int i = 0; i < a->argc; i++) {
		struct be_error *err = NULL;
		if (fn(ctx, a->argv[i], a, &err) < 0)
			rc = cli_fail(err);
		else if (print)
			puts(a->argv[i]);
	}
	return rc;
}

static int do_start(struct be_ctx *ctx, const char *name, const struct cli_args *a,
                    struct be_error **err)
{
	(void)a;
	return be_container_start(ctx, name, NULL, err);
}

static int cmd_start(struct cli *cli, const struct cli_args *a)
{
	return each_name(cli, a, true, do_start);
}

static int stop_timeout(const struct cli_args *a, unsigned *out)
{
	unsigned long long t = 10;
	if (cli_opt_uint(a, "time", 86400, &t) < 0)
		return -1;
	*out = (unsigned)t;
	return 0;
}

static int do_stop(struct be_ctx *ctx, const char *name, const struct cli_args *a,
                   struct be_error **err)
{
	unsigned t;
	if (stop_timeout(a, &t) < 0)
		return be_error_set(err, 0, "stopping %s: bad --time", name);
	return be_container_stop(ctx, name, t, err);
}

static int cmd_stop(struct cli *cli, const struct cli_args *a)
{
	unsigned t;
	if (stop_timeout(a, &t) < 0)
		return CLI_EXIT_FAIL;
	return each_name(cli, a, true, do_stop);
}

static int do_restart(struct be_ctx *ctx, const char *name, const struct cli_args *a,
                      struct be_error **err)
{
	unsigned t;
	if (stop_timeout(a, &t) < 0)
		return be_error_set(err, 0, "restarting %s: bad --time", name);
	return be_container_restart(ctx, name, t, err);
}

static int cmd_restart(struct cli *cli, const struct cli_args *a)
{
	unsigned t;
	if (stop_timeout(a, &t) < 0)
		return CLI_EXIT_FAIL;
	return each_name(cli, a, true, do_restart);
}

static const struct {
	const char *name;
	int sig;
} signals[] = {
        {"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT},   {"KILL", SIGKILL},
        {"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"TERM", SIGTERM},   {"STOP", SIGSTOP},
        {"CONT", SIGCONT}, {"ALRM", SIGALRM}, {"WINCH", SIGWINCH},
};

static int parse_signal(const char *s)
{
	if (s == NULL)
		return SIGKILL;
	if (*s >= '0' && *s <= '9') {
		char *end;
		long n = strtol(s, &end, 10);
		return (*end || n < 1 || n > 64) ? -1 : (int)n;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (strcasecmp(s, signals[i].name) == 0)
			return signals[i].sig;
	return -1;
}

static int do_kill(struct be_ctx *ctx, const char *name, const struct cli_args *a,
                   struct be_error **err)
{
	return be_container_kill(ctx, name, parse_signal(cli_opt(a, "signal")), err);
}

static int cmd_kill(struct cli *cli, const struct cli_args *a)
{
	if (parse_signal(cli_opt(a, "signal")) < 0)
		return cli_failf(
		        "invalid signal \"%s\": use a name (TERM, KILL, HUP...) or a number",
		        cli_opt(a, "signal"));
	return each_name(cli, a, true, do_kill);
}

static int do_pause(struct be_ctx *ctx, const char *name, const struct cli_args *a,
                    struct be_error **err)
{
	(void)a;
	return be_container_pause(ctx, name, true, err);
}

static int do_resume(struct be_ctx *ctx, const char *name, const struct cli_args *a,
                     struct be_error **err)
{
	(void)a;
	return be_container_pause(ctx, name, false, err);
}

static int cmd_pause(struct cli *cli, const struct cli_args *a)
{
	return each_name(cli, a, true, do_pause);
}

static int cmd_resume(struct cli *cli, const struct cli_args *a)
{
	return each_name(cli, a, true, do_resume);
}

static int do_rm(struct be_ctx *ctx, const char *name, const struct cli_args *a,
                 struct be_error **err)
{
	return be_container_remove(ctx, name, cli_flag(a, "force"), err);
}

static int cmd_rm(struct cli *cli, const struct cli_args *a)
{
	return each_name(cli, a, true, do_rm);
}

static void format_ago(int64_t ns, char *buf, size_t len)
{
	be_format_duration((int64_t)time(NULL) - ns / 1000000000, buf, len);
}

static void format_status(const struct be_container_info *c, char *buf, size_t len)
{
	char ago[48];
	switch (c->status) {
	case BE_STATUS_CREATED: snprintf(buf, len, "Created"); break;
	case BE_STATUS_RUNNING:
	case BE_STATUS_PAUSED:
		format_ago(c->started_ns, ago, sizeof(ago));
		snprintf(buf, len, "Up %s%s", ago,
		         c->status == BE_STATUS_PAUSED ? " (Paused)" : "");
		break;
	case BE_STATUS_EXITED:
		format_ago(c->finished_ns, ago, sizeof(ago));
		if (c->exit_code >= 0)
			snprintf(buf, len, "Exited (%d)%s %s ago", c->exit_code,
			         c->oom_killed ? " OOM" : "", ago);
		else
			snprintf(buf, len, "Exited (unknown) %s ago", ago);
		break;
	case BE_STATUS_DAMAGED: snprintf(buf, len, "Damaged (see inspect)"); break;
	case BE_STATUS_ORPHANED: snprintf(buf, len, "Orphaned (%s)", c->cgroup); break;
	}
	if (c->keeper_gone && c->status != BE_STATUS_ORPHANED)
		snprintf(buf, len, "Running, keeper gone");
}

static int cmd_ps(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	struct be_container_info *list;
	size_t n;
	struct be_error *err = NULL;
	if (be_container_list(ctx, &list, &n, &err) < 0)
		return cli_fail(err);
	bool all = cli_flag(a, "all");
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (all || list[i].status == BE_STATUS_RUNNING ||
		    list[i].status == BE_STATUS_PAUSED || list[i].status == BE_STATUS_ORPHANED)
			list[k++] = list[i];
		else
			be_container_info_clear(&list[i]);
	if (cli_flag(a, "json")) {
		char *json = be_container_list_json(list, k);
		puts(json);
		free(json);
	} else if (cli_flag(a, "quiet")) {
		for (size_t i = 0; i < k; i++)
			puts(list[i].name);
	} else {
		printf("%-20s %-12s %-24s %-28s %-8s %s\n", "NAME", "IMAGE", "COMMAND", "STATUS",
		       "PID", "PORTS");
		for (size_t i = 0; i < k; i++) {
			char status[96], cmd[25];
			format_status(&list[i], status, sizeof(status));
			snprintf(cmd, sizeof(cmd), "%s", list[i].command ? list[i].command : "");
			printf("%-20s %-12s %-24s %-28s %-8d %s\n", list[i].name, list[i].image,
			       cmd, status, (int)list[i].pid, list[i].ports ? list[i].ports : "");
		}
	}
	be_container_list_free(list, k);
	return 0;
}

static int cmd_inspect(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	int rc = 0;
	if (cli_flag(a, "isolation")) {
		for (int i = 0; i < a->argc; i++)
			if (cli_isolation_print(ctx, a->argv[i], cli_flag(a, "json")) != 0)
				rc = CLI_EXIT_FAIL;
		return rc;
	}
	bool many = a->argc > 1;
	if (many)
		fputs("[\n", stdout);
	/* The separator goes before each object after the first printed: a
	 * name that fails must not leave a trailing comma. */
	int printed = 0;
	for (int i = 0; i < a->argc; i++) {
		char *json = NULL;
		struct be_error *err = NULL;
		if (be_container_inspect_json(ctx, a->argv[i], &json, &err) < 0) {
			rc = cli_fail(err);
			continue;
		}
		printf("%s%s", printed++ ? ",\n" : "", json);
		free(json);
	}
	if (many)
		fputs(printed ? "\n]\n" : "]\n", stdout);
	else if (printed)
		fputc('\n', stdout);
	return rc;
}

static volatile int logs_stop;

static void on_logs_signal(int sig)
{
	(void)sig;
	logs_stop = 1;
}

static int cmd_logs(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	unsigned long long tail = BE_LOGS_ALL;
	if (cli_opt_uint(a, "tail", 1ull << 40, &tail) < 0)
		return CLI_EXIT_FAIL;
	signal(SIGINT, on_logs_signal);
	signal(SIGPIPE, SIG_IGN);
	struct be_error *err = NULL;
	if (be_container_logs(ctx, a->argv[0], (unsigned long)tail, cli_flag(a, "follow"), 1,
	                      &logs_stop, &err) < 0)
		return cli_fail(err);
	return 0;
}

static int cmd_exec(struct cli *cli, const struct cli_args *a)
{
	if (check_tty_input(a, false) != 0)
		return CLI_EXIT_FAIL;
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	char **env = terminated(a, "env");
	struct be_exec_opts o = {
	        .argv = a->argv + 1,
	        .env = env,
	        .user = cli_opt(a, "user"),
	        .workdir = cli_opt(a, "workdir"),
	        .in_fd = cli_flag(a, "interactive") ? 0 : -1,
	        .out_fd = 1,
	        .err_fd = 2,
	        .console_fd = -1,
	};
	struct be_error *err = NULL;
	int code;
	if (cli_flag(a, "tty")) {
		/* The command opens a terminal in the container and sends its
		 * master to a child of ours, which relays it. */
		int client, cont;
		if (be_console_pair(&client, &cont, &err) < 0) {
			free(env);
			return cli_fail(err);
		}
		o.console_fd = cont;
		pid_t relay = fork();
		if (relay == 0) {
			close(cont);
			int master = be_console_recv(client, size_fd(), NULL);
			close(client);
			if (master >= 0)
				relay_terminal(master, cli_flag(a, "interactive"));
			_exit(0);
		}
		close(client);
		code = be_container_exec(ctx, a->argv[0], &o, &err);
		close(cont); /* a command that never sent its terminal ends the relay */
		if (relay > 0)
			while (waitpid(relay, NULL, 0) < 0 && errno == EINTR)
				;
	} else {
		code = be_container_exec(ctx, a->argv[0], &o, &err);
	}
	free(env);
	if (code < 0)
		return cli_fail(err);
	return code;
}

static int do_update(struct be_ctx *ctx, const char *name, const struct cli_args *a,
                     struct be_error **err)
{
	struct be_limits lim;
	if (parse_limits(a, &lim) != 0)
		return be_error_set(err, 0, "updating %s: bad limits", name);
	return be_container_update(ctx, name, &lim, err);
}

static int cmd_update(struct cli *cli, const struct cli_args *a)
{
	struct be_limits lim;
	if (parse_limits(a, &lim) != 0)
		return CLI_EXIT_FAIL;
	return each_name(cli, a, true, do_update);
}

static int cmd_wait(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	int rc = 0;
	for (int i = 0; i < a->argc; i++) {
		struct be_error *err = NULL;
		int code = be_container_wait(ctx, a->argv[i], &err);
		if (code < 0)
			rc = cli_fail(err);
		else
			printf("%d\n", code);
	}
	return rc;
}

static const struct be_option create_opts[] = {CREATE_OPTIONS, {0}};
static const struct be_option run_opts[] = {
        {"detach", 'd', BE_OPT_FLAG, NULL, "run in the background and print the name"},
        CREATE_OPTIONS,
        {0},
};
static const struct be_option stop_opts[] = {
        {"time", 't', BE_OPT_VALUE, "SECS", "seconds to wait after SIGTERM before SIGKILL (10)"},
        {0},
};
static const struct be_option kill_opts[] = {
        {"signal", 's', BE_OPT_VALUE, "SIG", "signal to send (default KILL)"},
        {0},
};
static const struct be_option rm_opts[] = {
        {"force", 'f', BE_OPT_FLAG, NULL, "stop a running container first"},
        {0},
};
static const struct be_option ps_opts[] = {
        {"all", 'a', BE_OPT_FLAG, NULL, "show stopped containers too"},
        {"json", 0, BE_OPT_FLAG, NULL, "print a JSON array"},
        {"quiet", 'q', BE_OPT_FLAG, NULL, "print names only"},
        {0},
};
static const struct be_option inspect_opts[] = {
        {"isolation", 0, BE_OPT_FLAG, NULL,
         "the container's walls: namespaces, limits and their files, capabilities, seccomp..."},
        {"json", 0, BE_OPT_FLAG, NULL, "with --isolation: JSON instead of a table"},
        {0},
};
static const struct be_option logs_opts[] = {
        {"follow", 'f', BE_OPT_FLAG, NULL, "keep printing until the container stops"},
        {"tail", 'n', BE_OPT_VALUE, "N", "print only the last N lines"},
        {0},
};
static const struct be_option exec_opts[] = {
        {"interactive", 'i', BE_OPT_FLAG, NULL, "keep stdin open"},
        {"tty", 't', BE_OPT_FLAG, NULL, "give the command a terminal"},
        {"env", 'e', BE_OPT_LIST, "K=V", "set an environment variable (repeatable)"},
        {"user", 'u', BE_OPT_VALUE, "USER[:GROUP]", "run as this user"},
        {"workdir", 'w', BE_OPT_VALUE, "DIR", "working directory inside"},
        {0},
};

const struct cli_command cli_cmds_container[] = {
        {.name = "create",
         .args = "IMAGE [COMMAND [ARG...]]",
         .summary = "create a container from an image (prints its name)",
         .details =
                 "Writes the container's config and an empty overlay upper layer; `start` runs it.",
         .min_args = 1,
         .max_args = -1,
         .stop_at_positional = true,
         .options = create_opts,
         .limits = true,
         .run = cmd_create},
        {.name = "run",
         .args = "IMAGE [COMMAND [ARG...]]",
         .summary = "create and start a container; returns its exit code",
         .details = "Without -d the container's output is shown and its exit code is berth's;\n"
                    "SIGINT, SIGTERM and SIGHUP are passed on to it.  A container that cannot\n"
                    "start (125), whose command cannot run (126) or is missing (127) is removed.\n"
                    "-it needs a terminal on stdin (-dit does not).",
         .min_args = 1,
         .max_args = -1,
         .stop_at_positional = true,
         .options = run_opts,
         .limits = true,
         .run = cmd_run},
        {.name = "start",
         .args = "NAME...",
         .summary = "start stopped containers",
         .details =
                 "Forks a keeper per container, which outlives this command and the SSH session.",
         .min_args = 1,
         .max_args = -1,
         .run = cmd_start},
        {.name = "stop",
         .args = "NAME...",
         .summary = "stop containers (SIGTERM, then SIGKILL)",
         .min_args = 1,
         .max_args = -1,
         .options = stop_opts,
         .run = cmd_stop},
        {.name = "restart",
         .args = "NAME...",
         .summary = "stop and start containers",
         .min_args = 1,
         .max_args = -1,
         .options = stop_opts,
         .run = cmd_restart},
        {.name = "kill",
         .args = "NAME...",
         .summary = "send a signal to containers' init",
         .min_args = 1,
         .max_args = -1,
         .options = kill_opts,
         .run = cmd_kill},
        {.name = "pause",
         .args = "NAME...",
         .summary = "freeze every process of containers",
         .min_args = 1,
         .max_args = -1,
         .run = cmd_pause},
        {.name = "resume",
         .args = "NAME...",
         .summary = "thaw paused containers",
         .min_args = 1,
         .max_args = -1,
         .run = cmd_resume},
        {.name = "rm",
         .args = "NAME...",
         .summary = "remove containers",
         .min_args = 1,
         .max_args = -1,
         .options = rm_opts,
         .run = cmd_rm},
        {.name = "ps",
         .args = "",
         .summary = "list containers (running ones; -a for all)",
         .details = "Listing never kills or removes anything. A container whose records vanished\n"
                    "while it runs is listed as Orphaned with its pid and cgroup, one whose\n"
                    "keeper died while its processes run as \"Running, keeper gone\": rm -f NAME\n"
                    "or `berth system prune` ends them.",
         .min_args = 0,
         .max_args = 0,
         .options = ps_opts,
         .run = cmd_ps},
        {.name = "inspect",
         .args = "NAME...",
         .summary = "show a container's config, state, pid, cgroups and layers as JSON",
         .details = "With --isolation: every wall the running container has, read from the\n"
                    "kernel's files (namespaces against the host's, hostname, root filesystem,\n"
                    "interfaces, each cgroup limit with its file, capabilities, seccomp,\n"
                    "no_new_privs, masked paths, devices), each marked wall, shared or open door\n"
                    "with one sentence on what it means (docs/isolation.md).",
         .min_args = 1,
         .max_args = -1,
         .options = inspect_opts,
         .run = cmd_inspect},
        {.name = "logs",
         .args = "NAME",
         .summary = "print a container's output",
         .details = "stdout and stderr of a container are kept in a log of at most 8 MiB plus\n"
                    "one older file of the same size (not for -t containers).",
         .min_args = 1,
         .max_args = 1,
         .options = logs_opts,
         .run = cmd_logs},
        {.name = "exec",
         .args = "NAME COMMAND [ARG...]",
         .summary = "run a command in a running container",
         .details = "The command joins every namespace and the cgroup of the container and\n"
                    "its root (also when berth itself runs in a chroot); its exit code is\n"
                    "berth's.  -it needs a terminal on stdin (\"the input device is not a TTY\",\n"
                    "125, as docker); a paused container is refused.",
         .min_args = 2,
         .max_args = -1,
         .stop_at_positional = true,
         .options = exec_opts,
         .run = cmd_exec},
        {.name = "update",
         .args = "NAME...",
         .summary = "change limits (live when running)",
         .min_args = 1,
         .max_args = -1,
         .limits = true,
         .run = cmd_update},
        {.name = "wait",
         .args = "NAME...",
         .summary = "wait for containers to stop; print exit codes",
         .min_args = 1,
         .max_args = -1,
         .run = cmd_wait},
        {0},
};
