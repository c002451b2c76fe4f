/* Commands of the metrics family: `berth metrics` (the Prometheus text
 * exposition, printed once or served on /metrics) and `berth record` (samples
 * as JSON Lines).  The exposition, the server and the recorder are the
 * backend's (be_metrics.h); this file parses words and waits for signals. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int print_once(struct cli *cli)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	struct be_error *err = NULL;
	struct be_monitor *mon = be_monitor_new(ctx, NULL, &err);
	if (mon == NULL || be_monitor_refresh(mon, &err) < 0) {
		be_monitor_free(mon);
		return cli_fail(err);
	}
	char host[256];
	struct be_metrics_text out = {0};
	be_metrics_format(mon, be_metrics_hostname(host, sizeof(host)), &out);
	be_monitor_free(mon);
	int rc = fwrite(out.data, 1, out.len, stdout) == out.len && fflush(stdout) == 0
	                 ? 0
	                 : cli_failf("writing the metrics: %s", "stdout closed");
	be_metrics_text_free(&out);
	return rc;
}

/* Serves until SIGINT, SIGTERM or SIGHUP.  The signals are blocked before
 * the server's thread starts, so that thread inherits the mask and only
 * sigwait here sees them. */
static int serve(struct cli *cli, const char *addr, bool any)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &old);
	struct be_error *err = NULL;
	struct be_metrics_server *srv = NULL;
	if (be_metrics_server_start(ctx, addr, any, &srv, &err) < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return cli_fail(err);
	}
	printf("serving metrics on http://%s/metrics\n", be_metrics_server_address(srv));
	fflush(stdout);
	int sig = 0;
	sigwait(&set, &sig);
	be_metrics_server_stop(srv);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return 0;
}

static int run_metrics(struct cli *cli, const struct cli_args *a)
{
	const char *listen = cli_opt(a, "listen");
	if (listen == NULL) {
		if (cli_flag(a, "any-address"))
			return cli_failf("metrics: --any-address goes with --listen");
		return print_once(cli);
	}
	return serve(cli, listen, cli_flag(a, "any-address"));
}

static const struct be_option metrics_opts[] = {
        {"listen", 'l', BE_OPT_VALUE, "ADDR",
         "serve GET /metrics on ADDR (HOST:PORT, [IPV6]:PORT, or PORT for 127.0.0.1) "
         "until interrupted"},
        {"any-address", 0, BE_OPT_FLAG, NULL,
         "allow a --listen address outside the loopback range (e.g. 0.0.0.0:9464)"},
        {0},
};

const struct cli_command cli_cmds_metrics[] = {
        {
                .name = "metrics",
                .args = "",
                .summary = "print or serve Prometheus metrics of every container, VM and the "
                           "host",
                .details =
                        "Prints the Prometheus text exposition (format 0.0.4) once: every item\n"
                        "the monitor finds (berth's containers of every root, docker, podman,\n"
                        "LXC, nspawn, libvirt, kubepods, VM processes) and the host, labelled\n"
                        "kind, name, id, image, host (and root for another root's container).\n"
                        "Counters end in _total, units are in the names:\n"
                        "berth_container_cpu_seconds_total, berth_container_memory_bytes,\n"
                        "berth_container_memory_limit_bytes, "
                        "berth_container_oom_kills_total, ...\n"
                        "With --listen, serves them on http://ADDR/metrics instead (loopback\n"
                        "only unless --any-address), printing the bound address first; each\n"
                        "scrape is one refresh of the monitor.  Stop it with Ctrl-C or SIGTERM.\n"
                        "Names and a scrape config: docs/metrics.md, docs/prometheus.yml.",
                .max_args = 0,
                .options = metrics_opts,
                .run = run_metrics,
        },
        {0},
};
