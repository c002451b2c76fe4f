/* Integration tests of `berth metrics` (root): its output passes Debian's
 * `promtool check metrics` and names a running test container; Debian's
 * Prometheus server, started on a free loopback port with a temporary
 * storage dir, scrapes `berth metrics --listen 127.0.0.1:0` and answers
 * /api/v1/query with the container's memory and CPU series.  Prometheus
 * and the listener are killed by pid in the teardown, also on failure. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#define OK(...) TU_OK(tu_demo_root, __VA_ARGS__)

static pid_t listener_pid, prom_pid;
static char *scratch;

static void stop(pid_t *pid)
{
	if (*pid > 0) {
		kill(*pid, SIGTERM);
		for (int i = 0; i < 50 && waitpid(*pid, NULL, WNOHANG) == 0; i++)
			usleep(100000);
		kill(*pid, SIGKILL);
		waitpid(*pid, NULL, 0);
	}
	*pid = 0;
}

static int teardown(void **state)
{
	(void)state;
	stop(&prom_pid);
	stop(&listener_pid);
	if (tu_demo_root)
		tu_berthl(NULL, tu_demo_root, "rm", "-f", "web", NULL);
	if (scratch)
		tu_root_remove(scratch);
	free(scratch);
	scratch = NULL;
	return 0;
}

static bool have(const char *prog)
{
	return tu_sh(NULL, "command -v %s >/dev/null 2>&1", prog) == 0;
}

static void start_web(void)
{
	OK("run", "-d", "--name", "web", "--memory", "64m", "demo", "sh", "-c",
	   "while :; do :; done");
}

static void test_metrics_promtool_check(void **state)
{
	(void)state;
	tu_need_demo_root();
	if (!have("promtool"))
		skip();
	start_web();
	scratch = tu_root_new();
	char path[512];
	snprintf(path, sizeof(path), "%s/metrics.txt", scratch);
	struct tu_out o;
	assert_int_equal(tu_berthl(&o, tu_demo_root, "metrics", NULL), 0);
	tu_write(path, o.out);
	assert_non_null(strstr(o.out, "berth_container_memory_bytes{kind=\"berth\",name=\"web\","
	                              "id=\"web\",image=\"demo\",host=\""));
	assert_non_null(strstr(o.out, "berth_container_memory_limit_bytes{kind=\"berth\",name="
	                              "\"web\""));
	assert_non_null(strstr(o.out, "# TYPE berth_container_cpu_seconds_total counter"));
	tu_out_free(&o);
	struct tu_out c;
	int rc = tu_sh(&c, "promtool check metrics < '%s' 2>&1", path);
	if (rc != 0)
		fail_msg("promtool check metrics: %s", c.out);
	tu_out_free(&c);
	/* Bad listen addresses: one line, exit 125. */
	assert_int_equal(tu_berthl(&o, tu_demo_root, "metrics", "--listen", "0.0.0.0:1", NULL),
	                 125);
	assert_non_null(strstr(o.err, "not a loopback address"));
	tu_out_free(&o);
}

/* `stats --stream --json`: each line one object per refresh, "v":1, with
 * the host and the running container (null fields left out). */
static void test_stats_stream_json_lines(void **state)
{
	(void)state;
	tu_need_demo_root();
	start_web();
	struct tu_out o;
	int rc = tu_sh(&o, "'%s' --root '%s' stats --stream --json -i 0.2 | head -n 2",
	               tu_berth_bin(), tu_demo_root);
	assert_int_equal(rc, 0);
	int lines = 0;
	for (char *save = NULL, *l = strtok_r(o.out, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		json_error_t je;
		json_t *j = json_loads(l, JSON_REJECT_DUPLICATES, &je);
		if (j == NULL)
			fail_msg("not JSON: %s: %s", je.text, l);
		assert_int_equal(json_integer_value(json_object_get(j, "v")), 1);
		assert_true(json_is_object(json_object_get(j, "host")));
		assert_true(json_integer_value(json_object_get(j, "time_unix_ms")) > 0);
		json_t *items = json_object_get(j, "items");
		bool web = false;
		for (size_t i = 0; i < json_array_size(items); i++) {
			json_t *it = json_array_get(items, i);
			const char *name = json_string_value(json_object_get(it, "name"));
			if (name && strcmp(name, "web") == 0) {
				web = json_integer_value(json_object_get(it, "memory_bytes")) > 0;
				assert_null(json_object_get(it, "record"));
			}
			const char *k;
			json_t *v;
			json_object_foreach(it, k, v) assert_false(json_is_null(v));
		}
		assert_true(web);
		json_decref(j);
		lines++;
	}
	assert_int_equal(lines, 2);
	tu_out_free(&o);
}

/* `record FILE.gz --duration`: gzip JSON Lines, one per sample, with the
 * container; `record FILE` ended by SIGINT still ends cleanly. */
static void test_record_gzip_and_interrupt(void **state)
{
	(void)state;
	tu_need_demo_root();
	start_web();
	scratch = tu_root_new();
	char gz[512], plain[512];
	snprintf(gz, sizeof(gz), "%s/rec.jsonl.gz", scratch);
	snprintf(plain, sizeof(plain), "%s/rec.jsonl", scratch);
	struct tu_out o;
	assert_int_equal(tu_berthl(&o, tu_demo_root, "record", gz, "-d", "2", "-i", "0.3", NULL),
	                 0);
	const char *rec = strstr(o.err, "recorded ");
	assert_non_null(rec);
	int n = atoi(rec + 9);
	if (n != 7) /* 2 s at 0.3 s: round(6.67) */
		fail_msg("%d samples: %s", n, rec);
	tu_out_free(&o);
	assert_int_equal(tu_sh(NULL, "gzip -t '%s'", gz), 0);
	assert_int_equal(tu_count("zcat '%s' | wc -l", gz), n);
	assert_int_equal(
	        tu_count("zcat '%s' | grep '^{\\\"v\\\":1,' | grep -c '\\\"name\\\":\\\"web\\\"'",
	                 gz),
	        n);
	/* Until interrupted. */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 2);
		execl(tu_berth_bin(), "berth", "--root", tu_demo_root, "record", plain, "-i", "0.2",
		      (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100 && tu_count("cat '%s' 2>/dev/null | wc -l", plain) < 2; i++)
		usleep(100000);
	kill(pid, SIGINT);
	assert_int_equal(tu_wait_status(pid), 0);
	assert_true(tu_count("grep -c '^{\"v\":1,.*}$' '%s'", plain) >= 2);
	/* A bad path: one line, 125. */
	assert_int_equal(tu_berthl(&o, tu_demo_root, "record", "/nonexistent/x.gz", NULL), 125);
	assert_non_null(strstr(o.err, "opening recording"));
	tu_out_free(&o);
}

/* Starts berth metrics --listen 127.0.0.1:0 and reads the port it bound. */
static int start_listener(void)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	listener_pid = fork();
	assert_true(listener_pid >= 0);
	if (listener_pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execl(tu_berth_bin(), "berth", "--root", tu_demo_root, "metrics", "--listen",
		      "127.0.0.1:0", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	char line[256] = "";
	FILE *f = fdopen(p[0], "r");
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	const char *colon = strstr(line, "127.0.0.1:");
	assert_non_null(colon);
	return atoi(colon + 10);
}

static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001)};
	socklen_t len = sizeof(a);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	getsockname(fd, (struct sockaddr *)&a, &len);
	close(fd);
	return ntohs(a.sin_port);
}

static void start_prometheus(int target, int port)
{
	char cfg[512], data[512], log[512], text[512];
	snprintf(cfg, sizeof(cfg), "%s/prometheus.yml", scratch);
	snprintf(data, sizeof(data), "%s/data", scratch);
	snprintf(log, sizeof(log), "%s/prometheus.log", scratch);
	snprintf(text, sizeof(text),
	         "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
	         "scrape_configs:\n  - job_name: berth\n    static_configs:\n"
	         "      - targets: ['127.0.0.1:%d']\n",
	         target);
	tu_write(cfg, text);
	char cfg_arg[600], data_arg[600], web_arg[64];
	snprintf(cfg_arg, sizeof(cfg_arg), "--config.file=%s", cfg);
	snprintf(data_arg, sizeof(data_arg), "--storage.tsdb.path=%s", data);
	snprintf(web_arg, sizeof(web_arg), "--web.listen-address=127.0.0.1:%d", port);
	prom_pid = fork();
	assert_true(prom_pid >= 0);
	if (prom_pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		dup2(fd, 2);
		execlp("prometheus", "prometheus", cfg_arg, data_arg, web_arg, (char *)NULL);
		_exit(127);
	}
}

/* Asks Prometheus for QUERY until a result names the container "web" (at
 * most 40 s); returns the last answer (the caller frees). */
static char *query_until(int port, const char *query, bool *found)
{
	char *last = NULL;
	*found = false;
	for (int i = 0; i < 80 && !*found; i++) {
		struct tu_out o;
		tu_sh(&o,
		      "curl -s -m 2 -G --data-urlencode 'query=%s' "
		      "http://127.0.0.1:%d/api/v1/query",
		      query, port);
		free(last);
		last = strdup(o.out);
		tu_out_free(&o);
		*found = strstr(last, "\"name\":\"web\"") != NULL && strstr(last, "\"success\"");
		if (!*found)
			usleep(500000);
	}
	return last;
}

static void test_metrics_prometheus_scrapes_listener(void **state)
{
	(void)state;
	tu_need_demo_root();
	if (!have("prometheus") || !have("curl"))
		skip();
	start_web();
	scratch = tu_root_new();
	int target = start_listener();
	assert_true(target > 0);
	int port = free_port();
	start_prometheus(target, port);
	bool found;
	char *mem = query_until(port, "berth_container_memory_bytes{name=\"web\",kind=\"berth\"}",
	                        &found);
	if (!found) {
		char log[512];
		snprintf(log, sizeof(log), "%s/prometheus.log", scratch);
		char *text = tu_read(log);
		fail_msg("no memory series: %s\nlog: %.2000s", mem, text ? text : "");
	}
	free(mem);
	/* The spinning container's CPU counter rises between scrapes. */
	char *cpu = query_until(
	        port, "rate(berth_container_cpu_seconds_total{name=\"web\"}[5s]) > 0.1", &found);
	if (!found)
		fail_msg("no CPU series: %s", cpu);
	free(cpu);
	/* SIGTERM stops the listener cleanly. */
	kill(listener_pid, SIGTERM);
	assert_int_equal(tu_wait_status(listener_pid), 0);
	listener_pid = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_teardown(test_metrics_promtool_check, teardown),
	        cmocka_unit_test_teardown(test_metrics_prometheus_scrapes_listener, teardown),
	        cmocka_unit_test_teardown(test_stats_stream_json_lines, teardown),
	        cmocka_unit_test_teardown(test_record_gzip_and_interrupt, teardown),
	};
	return cmocka_run_group_tests(tests, tu_demo_group_setup, tu_demo_group_teardown);
}
