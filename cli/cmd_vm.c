/* Commands of the vm family: virtual machines beside containers, with the
 * container commands' words and flags (vm run, ps, stop, rm, snapshot,
 * rollback, clone, console...) and the demo VM image. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static int parse_spec(const struct cli_args *a, struct be_vm_spec *s)
{
	struct be_error *err = NULL;
	const char *v;
	if ((v = cli_opt(a, "memory")) && be_limits_parse_memory(v, &s->memory, &err) < 0)
		return cli_fail(err);
	if ((v = cli_opt(a, "cpus")) &&
	    be_limits_parse_cpus(v, &s->cpu_quota_us, &s->cpu_period_us, &err) < 0)
		return cli_fail(err);
	return 0;
}

static int do_create(struct cli *cli, const struct cli_args *a, char *name)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	struct be_vm_spec s = {.name = cli_opt(a, "name"),
	                       .image = a->argv[0],
	                       .cmd = a->argc > 1 ? a->argv + 1 : NULL,
	                       .auto_remove = cli_flag(a, "rm")};
	const char *net = cli_opt(a, "net");
	if (net && strcmp(net, "none") && strcmp(net, "user"))
		return cli_failf("invalid --net \"%s\": want none or user", net);
	s.net = net && strcmp(net, "user") == 0 ? BE_VM_NET_USER : BE_VM_NET_NONE;
	int r = parse_spec(a, &s);
	if (r)
		return r;
	struct be_error *err = NULL;
	if (be_vm_create(ctx, &s, name, &err) < 0)
		return cli_fail(err);
	return 0;
}

static int cmd_create(struct cli *cli, const struct cli_args *a)
{
	char name[BE_NAME_MAX + 1];
	int r = do_create(cli, a, name);
	if (r == 0)
		puts(name);
	return r;
}

/* Prints the attached run's output until its exit code arrives; a signal
 * presses the VM's power button (as docker passes SIGTERM on). */
static int wait_attached(struct be_ctx *ctx, const char *name, int fd)
{
	char buf[4096];
	for (;;) {
		int code = 0;
		struct be_error *err = NULL;
		ssize_t n = be_vm_attach_read(fd, buf, sizeof(buf), &code, &err);
		if (n == -2) {
			if (got_signal) {
				got_signal = 0;
				be_vm_stop(ctx, name, BE_VM_STOP_TIMEOUT, NULL);
			}
			continue;
		}
		if (n < 0)
			return cli_fail(err);
		if (n == 0)
			return code;
		fwrite(buf, 1, (size_t)n, stdout);
		fflush(stdout);
	}
}

static int cmd_run(struct cli *cli, const struct cli_args *a)
{
	char name[BE_NAME_MAX + 1];
	int r = do_create(cli, a, name);
	if (r != 0)
		return r;
	struct be_ctx *ctx = cli->ctx;
	struct be_error *err = NULL;
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	bool detach = cli_flag(a, "detach");
	int fd = -1;
	if (be_vm_start(ctx, name, detach ? NULL : &fd, &err) < 0) {
		be_vm_remove(ctx, name, true, NULL); /* a run that could not start leaves nothing */
		return cli_fail(err);
	}
	if (detach) {
		puts(name);
		return 0;
	}
	int code = wait_attached(ctx, name, fd);
	close(fd);
	return code;
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

static int do_start(struct be_ctx *ctx, const char *n, const struct cli_args *a,
                    struct be_error **err)
{
	(void)a;
	return be_vm_start(ctx, n, NULL, err);
}

static unsigned stop_timeout(const struct cli_args *a)
{
	const char *t = cli_opt(a, "time");
	return t ? (unsigned)strtoul(t, NULL, 10) : BE_VM_STOP_TIMEOUT;
}

static int check_time(const struct cli_args *a)
{
	unsigned long long t = 0;
	return cli_opt_uint(a, "time", 3600, &t) < 0 ? CLI_EXIT_FAIL : 0;
}

static int do_stop(struct be_ctx *ctx, const char *n, const struct cli_args *a,
                   struct be_error **err)
{
	return be_vm_stop(ctx, n, stop_timeout(a), err);
}

static int do_restart(struct be_ctx *ctx, const char *n, const struct cli_args *a,
                      struct be_error **err)
{
	return be_vm_restart(ctx, n, stop_timeout(a), err);
}

static int parse_signal(const char *s)
{
	static const struct {
		const char *name;
		int sig;
	} sigs[] = {{"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT},
	            {"KILL", SIGKILL}, {"USR1", SIGUSR1}, {"USR2", SIGUSR2},
	            {"TERM", SIGTERM}, {"STOP", SIGSTOP}, {"CONT", SIGCONT}};
	if (s == NULL)
		return SIGKILL;
	if (*s >= '0' && *s <= '9') {
		char *end;
		long n = strtol(s, &end, 10);
		return (*end || n < 1 || n > 64) ? -1 : (int)n;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (strcasecmp(s, sigs[i].name) == 0)
			return sigs[i].sig;
	return -1;
}

static int do_kill(struct be_ctx *ctx, const char *n, const struct cli_args *a,
                   struct be_error **err)
{
	return be_vm_kill(ctx, n, parse_signal(cli_opt(a, "signal")), err);
}

static int do_rm(struct be_ctx *ctx, const char *n, const struct cli_args *a, struct be_error **err)
{
	return be_vm_remove(ctx, n, cli_flag(a, "force"), err);
}

static int cmd_start(struct cli *cli, const struct cli_args *a)
{
	if (!cli_flag(a, "attach"))
		return each_name(cli, a, true, do_start);
	if (a->argc != 1)
		return cli_failf("vm start -a takes one vm");
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	struct be_error *err = NULL;
	int fd = -1;
	if (be_vm_start(ctx, a->argv[0], &fd, &err) < 0)
		return cli_fail(err);
	int code = wait_attached(ctx, a->argv[0], fd);
	close(fd);
	return code;
}

static int cmd_stop(struct cli *cli, const struct cli_args *a)
{
	return check_time(a) ? CLI_EXIT_FAIL : each_name(cli, a, true, do_stop);
}

static int cmd_restart(struct cli *cli, const struct cli_args *a)
{
	return check_time(a) ? CLI_EXIT_FAIL : each_name(cli, a, true, do_restart);
}

static int cmd_kill(struct cli *cli, const struct cli_args *a)
{
	if (parse_signal(cli_opt(a, "signal")) < 0)
		return cli_failf(
		        "invalid signal \"%s\": use a name (TERM, KILL, HUP...) or a number",
		        cli_opt(a, "signal"));
	return each_name(cli, a, true, do_kill);
}

static int cmd_rm(struct cli *cli, const struct cli_args *a)
{
	return each_name(cli, a, true, do_rm);
}

static int cmd_wait(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	int rc = 0;
	for (int i = 0; i < a->argc; i++) {
		struct be_error *err = NULL;
		int code = be_vm_wait(ctx, a->argv[i], &err);
		if (code < 0)
			rc = cli_fail(err);
		else
			printf("%d\n", code);
	}
	return rc;
}

static int do_update(struct be_ctx *ctx, const char *n, const struct cli_args *a,
                     struct be_error **err)
{
	struct be_vm_spec s = {0};
	const char *v;
	if ((v = cli_opt(a, "memory")) && be_limits_parse_memory(v, &s.memory, err) < 0)
		return -1;
	if ((v = cli_opt(a, "cpus")) &&
	    be_limits_parse_cpus(v, &s.cpu_quota_us, &s.cpu_period_us, err) < 0)
		return -1;
	return be_vm_update(ctx, n, &s, err);
}

static int cmd_update(struct cli *cli, const struct cli_args *a)
{
	if (!cli_opt(a, "memory") && !cli_opt(a, "cpus"))
		return cli_failf("vm update: give --memory or --cpus");
	return each_name(cli, a, true, do_update);
}

/* ---- listing -------------------------------------------------------------- */

static void format_status(const struct be_vm_details *v, char *buf, size_t len)
{
	char d[32];
	if (v->status == BE_VM_RUNNING)
		snprintf(buf, len, "Up %s",
		         be_format_duration((int64_t)time(NULL) - v->started_ns / 1000000000, d,
		                            sizeof(d)));
	else if (v->status == BE_VM_EXITED)
		snprintf(buf, len, "Exited (%d) %s ago", v->exit_code,
		         be_format_duration((int64_t)time(NULL) - v->finished_ns / 1000000000, d,
		                            sizeof(d)));
	else
		snprintf(buf, len, "Created");
}

static int cmd_ps(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	struct be_vm_details *v = NULL;
	size_t n = 0;
	struct be_error *err = NULL;
	if (be_vm_list(ctx, &v, &n, &err) < 0)
		return cli_fail(err);
	bool all = cli_flag(a, "all");
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (all || v[i].status == BE_VM_RUNNING)
			v[k++] = v[i];
		else
			be_vm_details_clear(&v[i]);
	if (cli_flag(a, "json")) {
		char *json = be_vm_details_json(v, k);
		puts(json);
		free(json);
	} else if (cli_flag(a, "quiet")) {
		for (size_t i = 0; i < k; i++)
			puts(v[i].name);
	} else {
		printf("%-20s %-10s %-8s %-5s %-9s %-24s %s\n", "NAME", "IMAGE", "MEMORY", "CPUS",
		       "ACCEL", "STATUS", "COMMAND");
		for (size_t i = 0; i < k; i++) {
			char st[64], mem[32];
			format_status(&v[i], st, sizeof(st));
			be_format_size(v[i].memory, mem, sizeof(mem));
			printf("%-20s %-10s %-8s %-5u %-9s %-24s %s\n", v[i].name, v[i].image, mem,
			       v[i].vcpus, v[i].accel[0] ? v[i].accel : "-", st,
			       v[i].cmd[0] ? v[i].cmd : "(shell)");
		}
	}
	be_vm_list_free(v, k);
	return 0;
}

static int cmd_inspect(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	struct be_vm_details *v = calloc((size_t)a->argc, sizeof(*v));
	if (v == NULL)
		return CLI_EXIT_FAIL;
	size_t n = 0;
	int rc = 0;
	for (int i = 0; i < a->argc; i++) {
		struct be_error *err = NULL;
		if (be_vm_inspect(ctx, a->argv[i], &v[n], &err) < 0)
			rc = cli_fail(err);
		else
			n++;
	}
	char *json = be_vm_details_json(v, n);
	puts(json);
	free(json);
	be_vm_list_free(v, n);
	return rc;
}

static int cmd_logs(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	struct be_error *err = NULL;
	char *path = be_vm_log_path(ctx, a->argv[0], &err);
	if (path == NULL)
		return cli_fail(err);
	FILE *f = fopen(path, "r");
	free(path);
	if (f == NULL)
		return 0; /* never started: nothing logged */
	char buf[8192];
	size_t r;
	while ((r = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, r, stdout);
	fclose(f);
	return 0;
}

static int cmd_console(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	struct be_error *err = NULL;
	int fd = be_vm_console_open(ctx, a->argv[0], &err);
	if (fd < 0)
		return cli_fail(err);
	struct termios saved, raw;
	bool tty = isatty(0) && tcgetattr(0, &saved) == 0;
	if (tty) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(0, TCSANOW, &raw);
		fprintf(stderr, "berth: console of vm %s; detach with ctrl-p ctrl-q\r\n",
		        a->argv[0]);
	}
	int r = be_vm_console_relay(fd, 0, 1);
	if (tty)
		tcsetattr(0, TCSANOW, &saved);
	close(fd);
	if (r == 1)
		fputs("\nberth: detached\n", stderr);
	return r < 0 ? cli_failf("console of vm %s: %s", a->argv[0], strerror(errno)) : 0;
}

/* ---- snapshots -------------------------------------------------------------- */

static int cmd_snapshot(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	struct be_vm_snapshot_taken t;
	struct be_error *err = NULL;
	if (be_vm_snapshot(ctx, a->argv[0], a->argc > 1 ? a->argv[1] : NULL, &t, &err) < 0)
		return cli_fail(err);
	if (isatty(STDOUT_FILENO))
		printf("%s (%s: %.1f ms)\n", t.name, t.live ? "live, qmp" : "stopped, qemu-img",
		       (double)t.took_ns / 1e6);
	else
		puts(t.name);
	return 0;
}

static int cmd_snapshots(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	struct be_vm_snapshot_info *v = NULL;
	size_t n = 0;
	struct be_error *err = NULL;
	if (be_vm_snapshots(ctx, a->argv[0], &v, &n, &err) < 0)
		return cli_fail(err);
	printf("  %-24s %-16s  %-24s %-19s  %s\n", "NAME", "DISK", "PARENT", "CREATED", "SIZE");
	for (size_t i = 0; i < n; i++) {
		char when[32], size[32] = "-";
		time_t tt = (time_t)v[i].created;
		struct tm tm;
		localtime_r(&tt, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		if (v[i].size >= 0)
			be_format_size((uint64_t)v[i].size, size, sizeof(size));
		printf("%c %-24s %-16s  %-24s %-19s  %s\n", v[i].current ? '*' : ' ', v[i].name,
		       v[i].disk, v[i].parent[0] ? v[i].parent : "-", when, size);
	}
	free(v);
	return 0;
}

static int cmd_rollback(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	struct be_error *err = NULL;
	if (be_vm_rollback(ctx, a->argv[0], a->argv[1], &err) < 0)
		return cli_fail(err);
	return 0;
}

static int cmd_clone(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	struct be_error *err = NULL;
	if (be_vm_clone(ctx, a->argv[0], a->argv[1], cli_flag(a, "rm"), &err) < 0)
		return cli_fail(err);
	puts(a->argv[1]);
	return 0;
}

/* ---- images and the probe ---------------------------------------------------- */

static int cmd_image_demo(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	struct be_error *err = NULL;
	const char *name = a->argc > 0 ? a->argv[0] : "demo";
	if (be_vm_image_demo(ctx, name, cli_opt(a, "kernel-dir"), cli_flag(a, "force"), &err) < 0)
		return cli_fail(err);
	puts(name);
	return 0;
}

static int cmd_image_ls(struct cli *cli, const struct cli_args *a)
{
	(void)a;
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	struct be_vm_image_info *v = NULL;
	size_t n = 0;
	struct be_error *err = NULL;
	if (be_vm_image_list(ctx, &v, &n, &err) < 0)
		return cli_fail(err);
	printf("%-20s %-28s %s\n", "NAME", "KERNEL", "DISK");
	for (size_t i = 0; i < n; i++) {
		char size[32];
		printf("%-20s %-28s %s\n", v[i].name, v[i].kernel,
		       be_format_size(v[i].disk_bytes, size, sizeof(size)));
	}
	free(v);
	return 0;
}

static int do_image_rm(struct be_ctx *ctx, const char *n, const struct cli_args *a,
                       struct be_error **err)
{
	(void)a;
	return be_vm_image_remove(ctx, n, err);
}

static int cmd_image_rm(struct cli *cli, const struct cli_args *a)
{
	return each_name(cli, a, true, do_image_rm);
}

static int cmd_probe(struct cli *cli, const struct cli_args *a)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	char accel[8], size[32];
	uint64_t overhead = 0;
	struct be_error *err = NULL;
	if (be_vm_accel(ctx, cli_flag(a, "refresh"), accel, &overhead, &err) < 0)
		return cli_fail(err);
	printf("%s (qemu overhead %s)\n", accel, be_format_size(overhead, size, sizeof(size)));
	return 0;
}

/* ---- the table --------------------------------------------------------------- */

#define VM_CREATE_OPTIONS                                                                          \
	{"name", 0, BE_OPT_VALUE, "NAME", "the vm's name (default: generated)"},                   \
	        {"memory", 'm', BE_OPT_VALUE, "SIZE", "guest RAM (default 256m, at least 64m)"},   \
	        {"cpus", 0, BE_OPT_VALUE, "N", "CPUs: vCPUs and the cgroup's quota (e.g. 1.5)"},   \
	        {"net", 0, BE_OPT_VALUE, "MODE", "network: none (default)"},                       \
	{                                                                                          \
		"rm", 0, BE_OPT_FLAG, NULL, "remove the vm when it stops"                          \
	}

static const struct be_option create_opts[] = {VM_CREATE_OPTIONS, {0}};
static const struct be_option run_opts[] = {
        {"detach", 'd', BE_OPT_FLAG, NULL, "run in the background and print the name"},
        VM_CREATE_OPTIONS,
        {0},
};
static const struct be_option stop_opts[] = {
        {"time", 't', BE_OPT_VALUE, "SECS", "seconds to wait for the guest to power off (20)"},
        {0},
};
static const struct be_option start_opts[] = {
        {"attach", 'a', BE_OPT_FLAG, NULL, "show the command's output and return its exit code"},
        {0},
};
static const struct be_option kill_opts[] = {
        {"signal", 's', BE_OPT_VALUE, "SIG", "signal to send to qemu (default KILL)"},
        {0},
};
static const struct be_option rm_opts[] = {
        {"force", 'f', BE_OPT_FLAG, NULL, "kill a running vm first"},
        {0},
};
static const struct be_option ps_opts[] = {
        {"all", 'a', BE_OPT_FLAG, NULL, "show stopped vms too"},
        {"json", 0, BE_OPT_FLAG, NULL, "print a JSON array"},
        {"quiet", 'q', BE_OPT_FLAG, NULL, "print names only"},
        {0},
};
static const struct be_option update_opts[] = {
        {"memory", 'm', BE_OPT_VALUE, "SIZE", "guest RAM from the next start"},
        {"cpus", 0, BE_OPT_VALUE, "N", "the cgroup's CPU quota (live)"},
        {0},
};
static const struct be_option clone_opts[] = {
        {"rm", 0, BE_OPT_FLAG, NULL, "remove the clone when it stops"},
        {0},
};
static const struct be_option demo_opts[] = {
        {"kernel-dir", 0, BE_OPT_VALUE, "DIR",
         "the unpacked kernel package (boot/vmlinuz-*, lib/modules/)"},
        {"force", 0, BE_OPT_FLAG, NULL, "make it again even when it exists"},
        {0},
};
static const struct be_option probe_opts[] = {
        {"refresh", 0, BE_OPT_FLAG, NULL, "probe again instead of using the cached answer"},
        {0},
};

const struct cli_command cli_cmds_vm[] = {
        {.name = "vm create",
         .args = "IMAGE [COMMAND [ARG...]]",
         .summary = "create a vm from a vm image (prints its name)",
         .details = "Writes the vm's config and a thin qcow2 overlay over the image's base.",
         .min_args = 1,
         .max_args = -1,
         .stop_at_positional = true,
         .options = create_opts,
         .run = cmd_create},
        {.name = "vm run",
         .args = "IMAGE [COMMAND [ARG...]]",
         .summary = "create and boot a vm; returns its command's exit code",
         .details = "The guest's init runs COMMAND (or a shell) on the serial console and powers\n"
                    "off after it; without -d its output is shown and its exit code is berth's.\n"
                    "SIGINT, SIGTERM and SIGHUP press the vm's power button.  Boots under KVM\n"
                    "when a probe boot works there, else TCG (BERTH_VM_ACCEL=kvm|tcg forces).",
         .min_args = 1,
         .max_args = -1,
         .stop_at_positional = true,
         .options = run_opts,
         .run = cmd_run},
        {.name = "vm start",
         .args = "NAME...",
         .summary = "boot created or stopped vms",
         .min_args = 1,
         .max_args = -1,
         .options = start_opts,
         .run = cmd_start},
        {.name = "vm stop",
         .args = "NAME...",
         .summary = "press the power button (ACPI), kill qemu after the timeout",
         .min_args = 1,
         .max_args = -1,
         .options = stop_opts,
         .run = cmd_stop},
        {.name = "vm restart",
         .args = "NAME...",
         .summary = "stop and start vms",
         .min_args = 1,
         .max_args = -1,
         .options = stop_opts,
         .run = cmd_restart},
        {.name = "vm kill",
         .args = "NAME...",
         .summary = "send a signal to vms' qemu",
         .min_args = 1,
         .max_args = -1,
         .options = kill_opts,
         .run = cmd_kill},
        {.name = "vm rm",
         .args = "NAME...",
         .summary = "remove vms and the disk overlays nothing else builds on",
         .min_args = 1,
         .max_args = -1,
         .options = rm_opts,
         .run = cmd_rm},
        {.name = "vm ps", .summary = "list vms", .max_args = 0, .options = ps_opts, .run = cmd_ps},
        {.name = "vm inspect",
         .args = "NAME...",
         .summary = "print vms as JSON",
         .min_args = 1,
         .max_args = -1,
         .run = cmd_inspect},
        {.name = "vm logs",
         .args = "NAME",
         .summary = "print a vm's serial console log",
         .min_args = 1,
         .max_args = 1,
         .run = cmd_logs},
        {.name = "vm console",
         .args = "NAME",
         .summary = "attach to a running vm's serial console (detach: ctrl-p ctrl-q)",
         .min_args = 1,
         .max_args = 1,
         .run = cmd_console},
        {.name = "vm wait",
         .args = "NAME...",
         .summary = "wait for vms to stop; print codes",
         .min_args = 1,
         .max_args = -1,
         .run = cmd_wait},
        {.name = "vm update",
         .args = "NAME...",
         .summary = "change vms' memory (next boot) and CPU quota (live)",
         .min_args = 1,
         .max_args = -1,
         .options = update_opts,
         .run = cmd_update},
        {.name = "vm snapshot",
         .args = "NAME [SNAPSHOT]",
         .summary = "freeze a vm's disk overlay (live through QMP when it runs)",
         .details = "Constant time: the current overlay becomes read-only and a new empty one\n"
                    "goes on top (qemu-img when stopped, QMP blockdev-snapshot-sync when running).",
         .min_args = 1,
         .max_args = 2,
         .run = cmd_snapshot},
        {.name = "vm snapshots",
         .args = "NAME",
         .summary = "list a vm's snapshots",
         .min_args = 1,
         .max_args = 1,
         .run = cmd_snapshots},
        {.name = "vm rollback",
         .args = "NAME SNAPSHOT",
         .summary = "point a stopped vm at a snapshot with a fresh overlay above",
         .min_args = 2,
         .max_args = 2,
         .run = cmd_rollback},
        {.name = "vm clone",
         .args = "SOURCE NEW",
         .summary = "a new vm over a vm's current disk (shared below)",
         .min_args = 2,
         .max_args = 2,
         .options = clone_opts,
         .run = cmd_clone},
        {.name = "vm image demo",
         .args = "[NAME]",
         .summary = "make the demo vm image offline (busybox userland, cloud kernel)",
         .details = "The same busybox userland as the demo container image, on an ext4 disk\n"
                    "made with mke2fs -d, with berth's guest init, booted by Debian's cloud\n"
                    "kernel found in --kernel-dir, $BERTH_KERNEL_DIR, ROOT/kernel/root or\n"
                    "build/kernel/root (scripts/fetch-kernel.sh or `make kernel` fetch it).",
         .max_args = 1,
         .options = demo_opts,
         .run = cmd_image_demo},
        {.name = "vm image ls", .summary = "list vm images", .max_args = 0, .run = cmd_image_ls},
        {.name = "vm image rm",
         .args = "NAME...",
         .summary = "remove vm images no vm uses",
         .min_args = 1,
         .max_args = -1,
         .run = cmd_image_rm},
        {.name = "vm probe",
         .summary = "print the accelerator vms use (kvm or tcg) and qemu's memory overhead",
         .max_args = 0,
         .options = probe_opts,
         .run = cmd_probe},
        {0},
};
