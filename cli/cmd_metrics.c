/* Commands of the metrics family: `berth metrics` (the Prometheus text
 * exposition, printed once or served on /metrics) and `berth record` (samples
 * as JSON Lines).  The exposition, the server and the recorder are the
 * backend's (be_metrics.h); this file parses words and waits for signals. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
	be_metrics_format(mon, ctx, be_metrics_hostname(host, sizeof(host)), &out);
	be_monitor_free(mon);
	int rc = fwrite(out.data, 1, out.len, stdout) == out.len && fflush(stdout) == 0
	                 ? 0
	                 : cli_failf("writing the metrics: %s", "stdout closed");
	be_metrics_text_free(&out);
	return rc;
}

/* The write end of the pipe that a stop signal writes to. */
static volatile sig_atomic_t stop_fd = -1;

static void on_stop(int sig)
{
	(void)sig;
	char c = 's';
	if (write(stop_fd, &c, 1) < 0) {
		/* the pipe is full: a stop is pending anyway */
	}
}

/* Serves until SIGINT, SIGTERM or SIGHUP.  The handler writes to a pipe
 * that this thread reads, whichever thread the signal lands on
 * (libmicrohttpd's own thread may take it). */
static int serve(struct cli *cli, const char *addr, bool any)
{
	struct be_ctx *ctx = cli_ctx(cli);
	if (ctx == NULL)
		return CLI_EXIT_FAIL;
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return cli_failf("making a pipe: %s", strerror(errno));
	stop_fd = p[1];
	struct sigaction sa = {.sa_handler = on_stop}, old[3];
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	for (size_t i = 0; i < 3; i++)
		sigaction(sigs[i], &sa, &old[i]);
	struct be_error *err = NULL;
	struct be_metrics_server *srv = NULL;
	int rc = 0;
	if (be_metrics_server_start(ctx, addr, any, &srv, &err) < 0) {
		rc = cli_fail(err);
	} else {
		printf("serving metrics on http://%s/metrics\n", be_metrics_server_address(srv));
		fflush(stdout);
		char c;
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		be_metrics_server_stop(srv);
	}
	for (size_t i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
	close(p[0]);
	close(p[1]);
	stop_fd = -1;
	return rc;
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

static long long now_ms(int clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Parses seconds from 0.1 to 86400*365 into ms. */
static int parse_ms(const char *opt, const char *text, long long dflt, long long *out)
{
	*out = dflt;
	if (text == NULL)
		return 0;
	char *end = NULL;
	errno = 0;
	double v = strtod(text, &end);
	if (end == text || *end || errno || !(v >= 0.1 && v <= 31536000))
		return cli_failf("invalid --%s \"%s\": want seconds from 0.1", opt, text);
	*out = (long long)(v * 1000);
	return 0;
}

/* Waits ms milliseconds for one of set's signals; true when one came. */
static bool wait_signal(const sigset_t *set, long long ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000};
	long long until = now_ms(CLOCK_MONOTONIC) + ms;
	for (;;) {
		if (sigtimedwait(set, NULL, &ts) > 0)
			return true;
		if (errno != EINTR)
			return false;
		long long left = until - now_ms(CLOCK_MONOTONIC);
		if (left <= 0)
			return false;
		ts = (struct timespec){(time_t)(left / 1000), (long)(left % 1000) * 1000000};
	}
}

/* Samples every interval into rec: duration/interval samples (rounded, at
 * least one), or until a signal of set comes when duration is 0. */
static int record_loop(struct cli *cli, struct be_recorder *rec, const sigset_t *set,
                       long long interval, long long duration)
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
	be_metrics_hostname(host, sizeof(host));
	struct be_metrics_text line = {0};
	long long samples = duration ? (duration + interval / 2) / interval : 0;
	if (duration && samples == 0)
		samples = 1;
	long long next = now_ms(CLOCK_MONOTONIC) + interval;
	int rc = 0;
	for (long long k = 0; samples == 0 || k < samples; k++) {
		/* On a fixed schedule: a slow refresh does not shift the next. */
		long long left = next - now_ms(CLOCK_MONOTONIC);
		next += interval;
		if (wait_signal(set, left > 0 ? left : 0))
			break;
		if (be_monitor_refresh(mon, &err) < 0) {
			rc = cli_fail(err);
			break;
		}
		line.len = 0;
		be_metrics_stream_line(mon, now_ms(CLOCK_REALTIME), host, &line);
		if (be_recorder_write(rec, line.data, line.len, &err) < 0) {
			rc = cli_fail(err);
			break;
		}
	}
	be_metrics_text_free(&line);
	be_monitor_free(mon);
	return rc;
}

static int run_record(struct cli *cli, const struct cli_args *a)
{
	long long interval, duration;
	if (parse_ms("interval", cli_opt(a, "interval"), 1000, &interval) ||
	    parse_ms("duration", cli_opt(a, "duration"), 0, &duration))
		return CLI_EXIT_FAIL;
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &old);
	struct be_error *err = NULL;
	struct be_recorder *rec = NULL;
	int rc;
	if (be_recorder_open(a->argv[0], &rec, &err) < 0) {
		rc = cli_fail(err);
	} else {
		rc = record_loop(cli, rec, &set, interval, duration);
		uint64_t n = be_recorder_count(rec);
		if (be_recorder_close(rec, &err) < 0 && rc == 0)
			rc = cli_fail(err);
		if (rc == 0)
			fprintf(stderr, "recorded %llu samples to %s\n", (unsigned long long)n,
			        a->argv[0]);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

static const struct be_option record_opts[] = {
        {"interval", 'i', BE_OPT_VALUE, "SECS", "time between samples (default 1)"},
        {"duration", 'd', BE_OPT_VALUE, "SECS",
         "stop after SECS seconds: SECS/interval samples, rounded (default: until Ctrl-C, SIGTERM "
         "or SIGHUP)"},
        {0},
};

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
        {
                .name = "record",
                .args = "FILE",
                .summary = "record samples of every container, VM and the host to a file",
                .details = "Writes one JSON line per sample (every SECS seconds) to FILE, for\n"
                           "--duration seconds or until interrupted: the lines of `berth stats\n"
                           "--stream --json` ({\"v\":1,\"time_unix_ms\":...,\"host\":{...},"
                           "\"items\":[...]}).\n"
                           "A FILE ending in .gz is gzip-compressed; each sample is flushed, so a\n"
                           "cut recording keeps what was written.  FILE is created or replaced.",
                .min_args = 1,
                .max_args = 1,
                .options = record_opts,
                .run = run_record,
        },
        {0},
};
