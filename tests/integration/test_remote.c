/* `berth --host ssh://...` (root): Debian's sshd on a free loopback port,
 * with a throwaway host key, user key, authorized_keys and sshd_config in
 * the test's temporary directory (the host's ssh config is not touched: the
 * client runs through a wrapper given as BERTH_SSH that adds -F with a
 * config of the test's own), and ps, run -d, stats --no-stream --json and
 * rm -f against a second state root whose --root travels in the remote
 * command words.  sshd is killed by pid in the teardown, also on failure. */
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "tu_tui.h"

static pid_t sshd_pid;
static char *dir, *second, *third;
static struct tt_fx tui; /* the UI's tmux server, ended in teardown */
static bool made_run_sshd;
static char url[64];

static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001)};
	socklen_t len = sizeof(a);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		return -1;
	getsockname(fd, (struct sockaddr *)&a, &len);
	close(fd);
	return ntohs(a.sin_port);
}

static int teardown(void **state)
{
	(void)state;
	if (tui.sock[0]) {
		tt_kill_server(&tui);
		tui.sock[0] = '\0';
	}
	if (sshd_pid > 0) {
		kill(sshd_pid, SIGTERM);
		waitpid(sshd_pid, NULL, 0);
		sshd_pid = 0;
	}
	if (made_run_sshd)
		rmdir("/run/sshd");
	if (third) {
		tu_berthl(NULL, third, "rm", "-f", "near", NULL);
		tu_root_remove(third);
	}
	if (second) {
		tu_berthl(NULL, second, "rm", "-f", "far", NULL);
		tu_root_remove(second);
	}
	free(third);
	third = NULL;
	if (dir)
		tu_root_remove(dir);
	free(second);
	free(dir);
	second = dir = NULL;
	return 0;
}

/* Keys, sshd_config, a client config and the ssh wrapper in dir. */
static void write_configs(int port)
{
	assert_int_equal(tu_sh(NULL,
	                       "cd '%s' && ssh-keygen -q -t ed25519 -N '' -f host_key && "
	                       "ssh-keygen -q -t ed25519 -N '' -f user_key && "
	                       "cp user_key.pub authorized_keys && "
	                       "printf '[127.0.0.1]:%d %%s\\n' \"$(cut -d' ' -f1,2 host_key.pub)\" "
	                       "> known_hosts",
	                       dir, port),
	                 0);
	char path[600], text[4096];
	snprintf(path, sizeof(path), "%s/sshd_config", dir);
	snprintf(text, sizeof(text),
	         "Port %d\nListenAddress 127.0.0.1\nHostKey %s/host_key\nPidFile %s/sshd.pid\n"
	         "AuthorizedKeysFile %s/authorized_keys\nPermitRootLogin prohibit-password\n"
	         "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
	         "StrictModes no\nPermitUserEnvironment no\nAllowTcpForwarding no\n"
	         "X11Forwarding no\nMaxStartups 100\nLoginGraceTime 120\n",
	         port, dir, dir, dir);
	tu_write(path, text);
	snprintf(path, sizeof(path), "%s/ssh_config", dir);
	snprintf(text, sizeof(text),
	         "Host *\n  IdentityFile %s/user_key\n  IdentitiesOnly yes\n"
	         "  UserKnownHostsFile %s/known_hosts\n  StrictHostKeyChecking yes\n"
	         "  ConnectTimeout 10\n",
	         dir, dir);
	tu_write(path, text);
	snprintf(path, sizeof(path), "%s/ssh", dir);
	snprintf(text, sizeof(text), "#!/bin/sh\nexec ssh -F '%s/ssh_config' \"$@\"\n", dir);
	tu_write(path, text);
	chmod(path, 0755);
	setenv("BERTH_SSH", path, 1);
	setenv("BERTH_REMOTE_BIN", tu_berth_bin(), 1);
}

static void start_sshd(void)
{
	int port = free_port();
	assert_true(port > 0);
	write_configs(port);
	struct stat st;
	if (stat("/run/sshd", &st) < 0 && mkdir("/run/sshd", 0755) == 0)
		made_run_sshd = true; /* sshd's privilege separation directory */
	char cfg[600], log[600];
	snprintf(cfg, sizeof(cfg), "%s/sshd_config", dir);
	snprintf(log, sizeof(log), "%s/sshd.log", dir);
	sshd_pid = fork();
	assert_true(sshd_pid >= 0);
	if (sshd_pid == 0) {
		execl("/usr/sbin/sshd", "/usr/sbin/sshd", "-D", "-f", cfg, "-E", log, (char *)NULL);
		_exit(127);
	}
	snprintf(url, sizeof(url), "ssh://root@127.0.0.1:%d", port);
	/* Ready when a connection is accepted (at most 10 s). */
	for (int i = 0; i < 100; i++) {
		if (tu_sh(NULL, "'%s/ssh' -o BatchMode=yes -p %d root@127.0.0.1 true 2>/dev/null",
		          dir, port) == 0)
			return;
		if (waitpid(sshd_pid, NULL, WNOHANG) == sshd_pid) {
			sshd_pid = 0;
			char *text = tu_read(log);
			fail_msg("sshd exited: %s", text ? text : "");
		}
		usleep(100000);
	}
	char *text = tu_read(log);
	fail_msg("sshd never accepted a connection: %s", text ? text : "");
}

static void test_remote_commands_on_second_root(void **state)
{
	(void)state;
	tu_need_demo_root();
	if (access("/usr/sbin/sshd", X_OK) != 0 || tu_sh(NULL, "command -v ssh >/dev/null") != 0)
		skip(); /* scripts/deps.sh installs openssh-server and openssh-client */
	dir = tu_root_new();
	second = tu_demo_root_new();
	assert_non_null(second);
	start_sshd();
	struct tu_out o;
	/* tu_berthl gives --root SECOND first: it must reach the remote side. */
	assert_int_equal(tu_berthl(&o, second, "--host", url, "ps", "-a", NULL), 0);
	assert_null(strstr(o.out, "far"));
	tu_out_free(&o);
	int rc = tu_berthl(&o, second, "--host", url, "run", "-d", "--name", "far", "demo", "sh",
	                   "-c", "echo 'it'\"'\"'s here; $HOME'; sleep 100000", NULL);
	if (rc != 0)
		fail_msg("run -d over ssh: %d: %s", rc, o.err);
	tu_out_free(&o);
	/* The container is in the second root (run locally to check). */
	assert_int_equal(tu_berthl(&o, second, "ps", NULL), 0);
	assert_non_null(strstr(o.out, "far"));
	tu_out_free(&o);
	assert_int_equal(tu_berthl(&o, second, "--host", url, "ps", NULL), 0);
	assert_non_null(strstr(o.out, "far"));
	tu_out_free(&o);
	/* The words arrived unsplit and unexpanded. */
	assert_int_equal(tu_berthl(&o, second, "--host", url, "logs", "far", NULL), 0);
	assert_non_null(strstr(o.out, "it's here; $HOME"));
	tu_out_free(&o);
	assert_int_equal(tu_berthl(&o, second, "--host", url, "stats", "--no-stream", "--json",
	                           "-i", "0.2", "far", NULL),
	                 0);
	assert_non_null(strstr(o.out, "\"name\":\"far\""));
	assert_non_null(strstr(o.out, "\"berth\":true"));
	tu_out_free(&o);
	assert_int_equal(tu_berthl(&o, second, "--host", url, "rm", "-f", "far", NULL), 0);
	tu_out_free(&o);
	assert_int_equal(tu_berthl(&o, second, "ps", "-a", NULL), 0);
	assert_null(strstr(o.out, "far"));
	tu_out_free(&o);
	/* A remote failure keeps berth's exit status and message. */
	assert_int_equal(tu_berthl(&o, second, "--host", url, "rm", "nosuch", NULL), 125);
	assert_non_null(strstr(o.err, "nosuch"));
	tu_out_free(&o);
	/* BERTH_HOST does the same as --host. */
	setenv("BERTH_HOST", url, 1);
	rc = tu_berthl(&o, second, "ps", "-a", NULL);
	unsetenv("BERTH_HOST");
	if (rc != 0)
		fprintf(stderr, "BERTH_HOST ps: %d: %s\n", rc, o.err ? o.err : "");
	assert_int_equal(rc, 0);
	tu_out_free(&o);
}

/* The UI over two hosts: this one (-H local, root THIRD, container near)
 * and the sshd one (root SECOND, container far): both listed with their
 * HOST, far stopped through the UI (asked first, with the --host command
 * shown).  A host that cannot be reached is marked lost while the other
 * goes on. */
static void test_remote_tui_two_hosts(void **state)
{
	(void)state;
	tu_need_demo_root();
	if (access("/usr/sbin/sshd", X_OK) != 0 ||
	    tu_sh(NULL, "command -v ssh tmux >/dev/null") != 0)
		skip();
	dir = tu_root_new();
	second = tu_demo_root_new();
	third = tu_demo_root_new();
	assert_non_null(second);
	assert_non_null(third);
	start_sshd();
	assert_int_equal(tu_berthl(NULL, second, "run", "-d", "--name", "far", "demo", "sleep",
	                           "100000", NULL),
	                 0);
	assert_int_equal(tu_berthl(NULL, third, "run", "-d", "--name", "near", "demo", "sleep",
	                           "100000", NULL),
	                 0);
	tui = (struct tt_fx){.root = third};
	snprintf(tui.sock, sizeof(tui.sock), "berth-remote-tui-%d", (int)getpid());
	struct tt_fx *f = &tui;
	char env[1400], args[200];
	snprintf(env, sizeof(env),
	         "TERM=tmux-256color BERTH_SSH='%s/ssh' BERTH_REMOTE_BIN='%s' "
	         "BERTH_REMOTE_ROOT='%s'",
	         dir, tu_berth_bin(), second);
	/* Port 1: nothing listens there. */
	tt_start_tui_env(f, env, "-H local -H ssh://root@127.0.0.1:1 --delay 0.5", 160, 40);
	tt_see(f, "lost, retrying");
	tt_see(f, " near ");
	tt_quit_ok(f);

	snprintf(args, sizeof(args), "-H local -H %s --delay 0.5", url);
	tt_start_tui_env(f, env, args, 160, 40);
	const char *port = strrchr(url, ':');
	char label[64];
	snprintf(label, sizeof(label), "127.0.0.1%s", port);
	char *text = tt_wait_pane(f, " near ");
	free(text);
	/* The remote host's first line (this host sees far too: another root
	 * of its own, as berth lists every root's containers). */
	char hn[128], seen[140];
	assert_int_equal(gethostname(hn, sizeof(hn)), 0);
	snprintf(seen, sizeof(seen), "(%s)", hn);
	tt_see(f, seen);
	text = tt_wait_pane(f, " near ");
	assert_non_null(text);
	assert_non_null(strstr(text, "HOST"));
	assert_null(strstr(tt_line_at(text, tt_line_of(text, "near")), label));
	free(text);
	/* The filter matches the HOST column: the remote rows only (far, and
	 * near as the remote side sees it: the same machine here). */
	tt_keys(f, "/"); /* a plain filter: a substring of the HOST column too */
	tt_type_line(f, label);
	bool only_remote = false;
	for (double end = tt_now_s() + TT_DEADLINE_S; !only_remote && tt_now_s() < end;) {
		text = tt_capture(f);
		int l = tt_line_of(text, "near"); /* the first near is the remote's */
		only_remote = l >= 0 && strstr(tt_line_at(text, l), label) != NULL;
		free(text);
		usleep(100000);
	}
	assert_true(only_remote);
	tt_keys(f, "F3"); /* find: selects the row named far */
	tt_type_line(f, "far");
	text = tt_wait_pane(f, " far ");
	assert_non_null(text);
	assert_non_null(strstr(tt_line_at(text, tt_line_of(text, "far")), label));
	free(text);
	tt_keys(f, "x");
	tt_see(f, "Stop far?");
	tt_see(f, "--host ssh://root@127.0.0.1");
	tt_keys(f, "y");
	tt_see(f, "far: stopped");
	struct tu_out o;
	assert_int_equal(tu_berthl(&o, second, "ps", "-a", NULL), 0);
	assert_non_null(strstr(o.out, "far"));
	assert_non_null(strstr(o.out, "Exited"));
	tu_out_free(&o);
	assert_int_equal(tu_berthl(&o, third, "ps", NULL), 0);
	assert_non_null(strstr(o.out, "near")); /* the local one untouched */
	tu_out_free(&o);
	tt_quit_ok(f);
}

static void test_remote_bad_urls(void **state)
{
	(void)state;
	static const char *const bad[] = {"http://x",  "ssh://",        "ssh://-oProxyCommand=x",
	                                  "ssh://h:0", "ssh://h:99999", "ssh://h/path",
	                                  "ssh://a b", "ssh://us;er@h"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tu_out o;
		assert_int_equal(tu_berthl(&o, "/nonexistent-root", "--host", bad[i], "ps", NULL),
		                 125);
		assert_non_null(strstr(o.err, "invalid host"));
		/* One line. */
		assert_true(strchr(o.err, '\n') == o.err + strlen(o.err) - 1);
		tu_out_free(&o);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_teardown(test_remote_commands_on_second_root, teardown),
	        cmocka_unit_test_teardown(test_remote_tui_two_hosts, teardown),
	        cmocka_unit_test(test_remote_bad_urls),
	};
	return cmocka_run_group_tests(tests, tu_demo_group_setup, tu_demo_group_teardown);
}
