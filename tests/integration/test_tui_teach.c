/* The teaching views, under a private tmux server and through the CLI: the
 * isolation inspector of a running container marks pid/mnt/net/uts/ipc/
 * cgroup as its own with the ids this test reads itself from
 * /proc/PID/ns, lists the capabilities /proc/PID/status CapEff holds
 * (decoded by capsh, not by berth), and names the memory limit's file. */
#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "tu_tui.h"

/* The init pid of container name, from `berth inspect`. */
static int init_pid(struct tt_fx *f, const char *name)
{
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, f->root, "inspect", name, NULL), 0);
	const char *p = strstr(o.out, "\"pid\": ");
	assert_non_null(p);
	int pid = atoi(p + 7);
	tu_out_free(&o);
	assert_true(pid > 1);
	return pid;
}

/* "TYPE:[N]" of /proc/PID/ns/TYPE, read here. */
static void ns_link(int pid, const char *type, char *out, size_t len)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, type);
	ssize_t n = readlink(path, out, len - 1);
	assert_true(n > 0);
	out[n] = '\0';
}

/* The capability names of CapEff, upper case without "cap_", as capsh
 * decodes them: "CHOWN", "DAC_OVERRIDE", ... (a NULL-ended array). */
static char **cap_eff_names(int pid, size_t *n)
{
	struct tu_out o = {0};
	assert_int_equal(
	        tu_sh(&o,
	              "capsh --decode=$(awk '/^CapEff/ {print $2}' /proc/%d/status) | cut -d= -f2",
	              pid),
	        0);
	char **names = calloc(64, sizeof(char *));
	*n = 0;
	char *save = NULL;
	for (char *t = strtok_r(o.out, ",\n", &save); t && *n < 63;
	     t = strtok_r(NULL, ",\n", &save)) {
		if (strncmp(t, "cap_", 4) == 0)
			t += 4;
		for (char *c = t; *c; c++)
			*c = (char)toupper((unsigned char)*c);
		names[(*n)++] = strdup(t);
	}
	tu_out_free(&o);
	return names;
}

static void test_tui_isolation_inspector(void **state)
{
	struct tt_fx *f = *state;
	if (f == NULL || access("/usr/sbin/capsh", X_OK) != 0)
		skip();
	assert_int_equal(tu_berthl(NULL, f->root, "update", "--memory", "64m", "web", NULL), 0);
	int pid = init_pid(f, "web");
	tt_start_tui_env(f, "TERM=tmux-256color", "", 220, 70);
	tt_see(f, " web ");
	tt_select_only(f, "web");
	tt_keys(f, "Enter");
	tt_see(f, "Namespaces");
	tt_keys(f, "i");
	tt_see(f, "Isolation of web");
	static const char *const own[] = {"pid", "mnt", "net", "uts", "ipc", "cgroup"};
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		char link[64], want[96];
		ns_link(pid, own[i], link, sizeof(link));
		snprintf(want, sizeof(want), "own %s", link);
		char *text = tt_wait_pane(f, want);
		assert_non_null(text);
		/* Marked as a wall on the same line. */
		const char *at = strstr(text, want);
		const char *bol = at;
		while (bol > text && bol[-1] != '\n')
			bol--;
		assert_non_null(strstr(tt_line_at(bol, 0), "WALL"));
		free(text);
	}
	size_t ncaps = 0;
	char **caps = cap_eff_names(pid, &ncaps);
	assert_true(ncaps > 0);
	char *text = tt_wait_pane(f, "CapEff");
	assert_non_null(text);
	const char *kept = strstr(text, "CapEff");
	char header[32];
	snprintf(header, sizeof(header), "%zu of ", ncaps);
	assert_non_null(strstr(text, header));
	for (size_t i = 0; i < ncaps; i++) {
		assert_non_null(strstr(kept, caps[i]));
		free(caps[i]);
	}
	free(caps);
	free(text);
	tt_keys(f, "NPage");
	text = tt_wait_pane(f, "memory limit");
	assert_non_null(text);
	bool file = strstr(text, "memory.limit_in_bytes") || strstr(text, "memory.max");
	assert_true(file);
	assert_non_null(strstr(text, "67108864"));
	free(text);
	tt_keys(f, "Escape");
	tt_see(f, "Namespaces");
	tt_keys(f, "Escape");
	tt_see(f, "STATUS");
	tt_quit_ok(f);
}

/* The same reading as JSON, through the CLI. */
static void test_cli_inspect_isolation_json(void **state)
{
	struct tt_fx *f = *state;
	if (f == NULL)
		skip();
	int pid = init_pid(f, "web");
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, f->root, "inspect", "--isolation", "--json", "web", NULL),
	                 0);
	char link[64], want[128];
	ns_link(pid, "mnt", link, sizeof(link));
	snprintf(want, sizeof(want), "\"value\": \"own %s", link);
	assert_non_null(strstr(o.out, want));
	assert_non_null(strstr(o.out, "\"mark\": \"wall\""));
	tu_out_free(&o);
	/* A stopped container has no walls to show: one line, 125. */
	assert_int_equal(tu_berthl(NULL, f->root, "stop", "-t", "0", "web", NULL), 0);
	assert_int_equal(tu_berthl(&o, f->root, "inspect", "--isolation", "web", NULL), 125);
	assert_non_null(strstr(o.err, "is not running"));
	assert_ptr_equal(strchr(o.err, '\n'), o.err + strlen(o.err) - 1); /* one line */
	tu_out_free(&o);
}

/* The number after "key" on the pane's line that holds it. */
static double number_after(const char *text, const char *key)
{
	const char *p = strstr(text, key);
	assert_non_null(p);
	return strtod(p + strlen(key), NULL);
}

/* E on CPU%: the usage file, the formula, and two raw values whose
 * difference over the interval gives the percentage shown (within 1%). */
static void test_tui_explain_cpu(void **state)
{
	struct tt_fx *f = *state;
	if (f == NULL)
		skip();
	assert_int_equal(tu_berthl(NULL, f->root, "run", "-d", "--name", "hog", "--cpus", "0.5",
	                           "demo", "sh", "-c", "while :; do :; done", NULL),
	                 0);
	/* Sorted by CPU% through the settings file, so E explains CPU%. */
	assert_int_equal(tu_sh(NULL,
	                       "mkdir -p '%s/config/berth' && echo '{\"version\": 1, \"sort\": "
	                       "\"cpu\"}' > '%s/config/berth/config.json'",
	                       f->root, f->root),
	                 0);
	char env[700];
	snprintf(env, sizeof(env), "XDG_CONFIG_HOME='%s/config' TERM=tmux-256color", f->root);
	tt_start_tui_env(f, env, "--delay 1", 160, 40);
	tt_see(f, " hog ");
	tt_select_only(f, "hog");
	/* Two samples first, so there is a rate to explain. */
	free(tt_wait_for(f, "hog ", true));
	usleep(2500 * 1000);
	tt_keys(f, "E");
	char *text = tt_wait_pane(f, "interval");
	assert_non_null(text);
	assert_true(strstr(text, "cpuacct.usage") || strstr(text, "cpu.stat"));
	assert_non_null(strstr(text, "formula"));
	assert_non_null(strstr(text, "usage"));
	double shown = number_after(text, "CPU% = ");
	double before = number_after(text, "before    ");
	double now = number_after(text, "now       ");
	double dt = number_after(text, "interval  ");
	assert_true(dt > 0 && now > before);
	double computed = (now - before) / 1e9 / dt * 100;
	double tol = shown * 0.01 > 0.06 ? shown * 0.01 : 0.06;
	printf("explain: shown %.1f, computed %.3f from %.0f..%.0f over %.6f s\n", shown, computed,
	       before, now, dt);
	assert_true(computed > shown - tol && computed < shown + tol);
	assert_true(shown > 5); /* the hog runs */
	free(text);
	tt_keys(f, "x"); /* any key closes; nothing is stopped */
	free(tt_wait_for(f, "interval", false));
	tt_keys(f, "Escape");
	tt_quit_ok(f);
}

/* Names of the root's containers that start with "lab-". */
static int lab_left(struct tt_fx *f)
{
	struct tu_out o = {0};
	tu_berthl(&o, f->root, "ps", "-a", "-q", NULL);
	int n = 0;
	for (const char *p = o.out; p && (p = strstr(p, "lab-")); p += 4)
		n++;
	tu_out_free(&o);
	return n;
}

/* Lab mode: the memory grower's OOM kill shows as an event and a marker on
 * its memory graph within 15 s; killing the UI with SIGKILL leaves none of
 * the lab's containers behind (their reaper removes them). */
static void test_tui_lab_oom_and_cleanup(void **state)
{
	struct tt_fx *f = *state;
	if (f == NULL)
		skip();
	tt_start_tui_env(f, "TERM=tmux-256color", "lab --delay 0.5", 160, 60);
	tt_see(f, "lab-mem");
	assert_int_equal(lab_left(f), 5);
	tt_keys(f, "Escape"); /* the lab's own filter ("lab-") off first */
	tt_select_only(f, "lab-mem");
	tt_keys(f, "Enter");
	tt_see(f, "Lab: a memory grower");
	double end = tt_now_s() + 15;
	bool event = false, marker = false;
	while (tt_now_s() < end && !(event && marker)) {
		char *text = tt_capture(f);
		event = strstr(text, "OOM kill") != NULL;
		marker = strstr(text, "\u25bc") != NULL;
		free(text);
		usleep(200 * 1000);
	}
	assert_true(event);
	assert_true(marker);
	/* The UI dies without a word: the reaper still removes the lab. */
	struct tu_out o = {0};
	assert_int_equal(tu_sh(&o, "tmux -L %s display -p -t t '#{pane_pid}'", f->sock), 0);
	int shell = atoi(o.out);
	tu_out_free(&o);
	assert_true(shell > 1);
	assert_int_equal(tu_sh(&o, "cat /proc/%d/task/*/children", shell), 0);
	int ui = atoi(o.out);
	tu_out_free(&o);
	assert_true(ui > 1);
	assert_int_equal(kill(ui, SIGKILL), 0);
	end = tt_now_s() + 20;
	while (tt_now_s() < end && lab_left(f) > 0)
		usleep(200 * 1000);
	assert_int_equal(lab_left(f), 0);
	tt_kill_server(f);
}

/* berth events: the log of what happened, with --since and a name. */
static void test_cli_events(void **state)
{
	struct tt_fx *f = *state;
	if (f == NULL)
		skip();
	assert_int_equal(tu_berthl(NULL, f->root, "run", "--name", "grow", "-m", "8m", "demo", "sh",
	                           "-c", "x=a; while :; do x=$x$x; done", NULL),
	                 137);
	assert_int_equal(tu_berthl(NULL, f->root, "snapshot", "web", "s1", NULL), 0);
	struct tu_out o = {0};
	assert_int_equal(tu_berthl(&o, f->root, "events", "grow", NULL), 0);
	assert_non_null(strstr(o.out, "create"));
	assert_non_null(strstr(o.out, "oom"));
	assert_non_null(strstr(o.out, "code 137"));
	assert_null(strstr(o.out, "s1")); /* web's, not grow's */
	tu_out_free(&o);
	assert_int_equal(tu_berthl(&o, f->root, "events", "--since", "1m", "--json", NULL), 0);
	assert_non_null(strstr(o.out, "\"type\": \"snapshot\", \"detail\": \"s1\""));
	tu_out_free(&o);
	assert_int_equal(tu_berthl(&o, f->root, "events", "--since", "2099000000", NULL), 0);
	assert_string_equal(o.out, "");
	tu_out_free(&o);
	assert_int_equal(tu_berthl(&o, f->root, "events", "--since", "5 minutes", NULL), 125);
	assert_non_null(strstr(o.err, "invalid --since"));
	tu_out_free(&o);
	assert_int_equal(tu_berthl(NULL, f->root, "rm", "-f", "grow", NULL), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tt_setup, tt_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(test_tui_isolation_inspector),
	        T(test_cli_inspect_isolation_json),
	        T(test_tui_explain_cpu),
	        T(test_tui_lab_oom_and_cleanup),
	        T(test_cli_events),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
