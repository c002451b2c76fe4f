/* Integration tests of container networking through the berth binary, on
 * loopback and network namespaces the tests make (the root's own bridges
 * and nftables table are named after the test root, never berth0 or
 * `berth`): --net none has lo up; -p reaches a container from the host's
 * loopback, a free port shows in `berth port`; user networks resolve
 * members by name and are isolated; outbound traffic is masqueraded; rm -f
 * and a keeper's kill -9 leave nothing of berth's in the kernel. */
#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "berth.h"
#include "testutil.h"

static bool bridge_ok = true;

static void need_bridge(void)
{
	if (!bridge_ok)
		skip();
}

#define OK(...) TU_OK(tu_demo_root, __VA_ARGS__)

static char *out_of(const char **argv)
{
	struct tu_out o = {0};
	int st = tu_berth(&o, tu_demo_root, argv);
	if (st != 0)
		fprintf(stderr, "berth %s: %s", argv[0], o.err);
	assert_int_equal(st, 0);
	char *s = o.out;
	o.out = NULL;
	tu_out_free(&o);
	return s;
}
#define OUT(...) out_of((const char *[]){__VA_ARGS__, NULL})

/* A field of `network inspect NAME` (the caller frees). */
static char *net_field(const char *net, const char *field)
{
	char *text = OUT("network", "inspect", net);
	json_t *o = json_loads(text, 0, NULL);
	free(text);
	assert_non_null(o);
	char *v = strdup(json_string_value(json_object_get(o, field)));
	json_decref(o);
	return v;
}

/* A port no one holds now (bound to 0 and let go). */
static unsigned free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

/* GET url from the host, retried while the server starts (up to ~5 s);
 * returns the body or NULL. */
static char *fetch(const char *url)
{
	for (int i = 0; i < 50; i++) {
		struct tu_out o = {0};
		if (tu_sh(&o, "timeout 5 busybox wget -q -O - '%s'", url) == 0) {
			char *s = o.out;
			o.out = NULL;
			tu_out_free(&o);
			return s;
		}
		tu_out_free(&o);
		usleep(100000);
	}
	return NULL;
}

static const char web_cmd[] = "mkdir -p /w && echo served-by-$(hostname) > /w/index.html && "
                              "exec httpd -f -p 80 -h /w";

static void test_net_none_lo_up(void **state)
{
	(void)state;
	tu_need_demo_root();
	struct tu_out o = {0};
	int st = tu_berthl(&o, tu_demo_root, "run", "--rm", "--net", "none", "demo", "sh", "-c",
	                   "ip -o link | wc -l; ip -o link show lo | grep -c LOWER_UP; "
	                   "ping -c1 -W2 127.0.0.1 >/dev/null && echo pong",
	                   NULL);
	if (st != 0)
		fprintf(stderr, "%s", o.err);
	assert_int_equal(st, 0);
	assert_string_equal(o.out, "1\n1\npong\n");
	tu_out_free(&o);
}

static void test_publish_ports(void **state)
{
	need_bridge();
	(void)state;
	tu_need_demo_root();
	unsigned port = free_port();
	char spec[64], url[128];
	snprintf(spec, sizeof(spec), "127.0.0.1:%u:80", port);
	OK("run", "-d", "--name", "web", "--net", "bridge", "-p", spec, "-p", "80", "demo", "sh",
	   "-c", web_cmd);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/", port);
	char *body = fetch(url);
	assert_non_null(body);
	assert_string_equal(body, "served-by-web\n");
	free(body);
	/* NET RX/TX of the container move (its netns's eth0). */
	char *st = OUT("stats", "--no-stream", "--json", "web");
	json_t *js = json_loads(st, JSON_DISABLE_EOF_CHECK, NULL);
	assert_non_null(js);
	assert_true(json_integer_value(json_object_get(js, "net_tx_bytes")) >= 14);
	assert_true(json_integer_value(json_object_get(js, "net_rx_bytes")) > 0);
	json_decref(js);
	free(st);
	/* -p 80: a free host port, printed by `berth port`, reachable too. */
	char *ports = OUT("port", "web");
	unsigned any = 0;
	char *line = strstr(ports, "80/tcp -> 0.0.0.0:");
	assert_non_null(line);
	assert_int_equal(sscanf(line, "80/tcp -> 0.0.0.0:%u", &any), 1);
	assert_true(any > 0 && any != port);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/", any);
	body = fetch(url);
	assert_string_equal(body ? body : "", "served-by-web\n");
	free(body);
	free(ports);
	/* Conflicts are refused before anything starts. */
	struct tu_out o = {0};
	assert_int_equal(
	        tu_berthl(&o, tu_demo_root, "create", "--net", "bridge", "-p", spec, "demo", NULL),
	        125);
	assert_non_null(strstr(o.err, "already published by container web"));
	tu_out_free(&o);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	snprintf(spec, sizeof(spec), "127.0.0.1:%u:80", ntohs(sa.sin_port));
	assert_int_equal(
	        tu_berthl(&o, tu_demo_root, "create", "--net", "bridge", "-p", spec, "demo", NULL),
	        125);
	assert_non_null(strstr(o.err, "in use on the host"));
	tu_out_free(&o);
	close(fd);
	OK("rm", "-f", "web");
	/* Taken between create and start: the start fails, leaving nothing. */
	char *table = net_field("bridge", "nft_table");
	unsigned late = free_port();
	snprintf(spec, sizeof(spec), "127.0.0.1:%u:80", late);
	OK("create", "--name", "late", "-p", spec, "demo", "sleep", "100000");
	fd = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_port = htons((uint16_t)late);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(tu_berthl(&o, tu_demo_root, "start", "late", NULL), 125);
	assert_non_null(strstr(o.err, "is not free"));
	tu_out_free(&o);
	close(fd);
	assert_int_equal(tu_count("nft list tables | grep -cw '%s'", table), 0);
	OK("rm", "late");
	free(table);
}

static void test_user_networks(void **state)
{
	need_bridge();
	(void)state;
	tu_need_demo_root();
	OK("network", "create", "front");
	OK("network", "create", "back");
	OK("run", "-d", "--name", "a1", "--net", "front", "demo", "sleep", "100000");
	OK("run", "-d", "--name", "a2", "--network", "front", "demo", "sleep", "100000");
	OK("run", "-d", "--name", "b1", "--net", "back", "demo", "sleep", "100000");
	/* By name, both ways (a1's hosts was rewritten when a2 came). */
	OK("exec", "a1", "ping", "-c1", "-W2", "a2");
	OK("exec", "a2", "ping", "-c1", "-W2", "a1");
	char *hosts = OUT("exec", "b1", "cat", "/etc/hosts");
	assert_null(strstr(hosts, "a1"));
	free(hosts);
	/* Isolated: b1 reaches its gateway, not a1's address. */
	char *gw = net_field("back", "gateway");
	OK("exec", "b1", "ping", "-c1", "-W2", gw);
	free(gw);
	char *a1ip = OUT("exec", "a1", "sh", "-c",
	                 "ip -o -4 addr show eth0 | awk '{print $4}' | "
	                 "cut -d/ -f1 | tr -d '\\n'");
	struct tu_out o = {0};
	assert_int_not_equal(
	        tu_berthl(&o, tu_demo_root, "exec", "b1", "ping", "-c1", "-W2", a1ip, NULL), 0);
	tu_out_free(&o);
	free(a1ip);
	/* Members come and go: a1 forgets a2. */
	OK("rm", "-f", "a2");
	hosts = OUT("exec", "a1", "cat", "/etc/hosts");
	assert_null(strstr(hosts, "a2"));
	free(hosts);
	OK("rm", "-f", "a1", "b1");
	OK("network", "rm", "front", "back");
}

/* The MTU of the device of the host's default route (1500 without one). */
static unsigned host_uplink_mtu(void)
{
	struct tu_out o = {0};
	unsigned mtu = 1500;
	if (tu_sh(&o,
	          "dev=$(ip route show default | awk '{for (i=1;i<NF;i++) if ($i==\"dev\") "
	          "print $(i+1)}' | head -1); [ -n \"$dev\" ] && cat /sys/class/net/$dev/mtu") == 0)
		mtu = (unsigned)strtoul(o.out, NULL, 10);
	tu_out_free(&o);
	return mtu;
}

/* 0 when container NAME's eth0 has MTU link_mtu and its default route
 * carries route_mtu (0: no MTU on the route). */
static int container_mtus(const char *name, const char *link_mtu, unsigned route_mtu)
{
	char *text = OUT("inspect", name);
	json_t *o = json_loads(text, 0, NULL);
	free(text);
	assert_non_null(o);
	json_t *st = json_object_get(o, "state");
	long long pid = json_integer_value(json_object_get(st ? st : o, "pid"));
	json_decref(o);
	assert_true(pid > 1);
	struct tu_out out = {0};
	assert_int_equal(tu_sh(&out,
	                       "nsenter -t %lld -n sh -c \"ip -o link show eth0 | grep -o "
	                       "'mtu [0-9]*'; ip route show default | grep -o 'mtu [0-9]*' "
	                       "|| echo none\"",
	                       pid),
	                 0);
	char want[64];
	if (route_mtu)
		snprintf(want, sizeof(want), "mtu %s\nmtu %u\n", link_mtu, route_mtu);
	else
		snprintf(want, sizeof(want), "mtu %s\nnone\n", link_mtu);
	int r = strcmp(out.out, want);
	if (r)
		fprintf(stderr, "%s: \"%s\", want \"%s\"\n", name, out.out, want);
	tu_out_free(&out);
	return r;
}

/* test_mtu's containers and networks, whatever its assertions did: the
 * tests after it count what the root has in the kernel. */
static int mtu_teardown(void **state)
{
	(void)state;
	if (tu_demo_root == NULL)
		return 0;
	tu_berthl(NULL, tu_demo_root, "rm", "-f", "m1", "m2", NULL);
	tu_berthl(NULL, tu_demo_root, "network", "rm", "jumbo", "small", NULL);
	return 0;
}

/* A network's bridge and veths carry 64 KiB frames between the host and its
 * containers (as loopback does); the container's default route carries the
 * uplink's MTU, so what leaves the host fits the wire; --mtu sets it. */
static void test_mtu(void **state)
{
	need_bridge();
	(void)state;
	tu_need_demo_root();
	OK("network", "create", "jumbo");
	OK("network", "create", "--mtu", "1400", "small");
	char *text = OUT("network", "inspect", "jumbo");
	json_t *o = json_loads(text, 0, NULL);
	assert_non_null(o);
	assert_int_equal(json_integer_value(json_object_get(o, "mtu")), 65535);
	json_decref(o);
	free(text);
	struct tu_out e = {0};
	assert_int_not_equal(
	        tu_berthl(&e, tu_demo_root, "network", "create", "--mtu", "100", "x", NULL), 0);
	assert_non_null(strstr(e.err, "mtu 100 is not in 1280-65535"));
	assert_ptr_equal(strchr(e.err, '\n'), e.err + strlen(e.err) - 1); /* one line */
	tu_out_free(&e);

	OK("run", "-d", "--name", "m1", "--net", "jumbo", "demo", "sleep", "100000");
	OK("run", "-d", "--name", "m2", "--net", "small", "demo", "sleep", "100000");
	unsigned up = host_uplink_mtu();
	/* busybox's ip prints no route metrics: the host's iproute2 in the
	 * container's namespace. */
	assert_int_equal(container_mtus("m1", "65535", up < 65535 ? up : 0), 0);
	assert_int_equal(container_mtus("m2", "1400", up < 1400 ? up : 0), 0);
	/* The host's side: the bridge and m1's veth. */
	char *br = net_field("jumbo", "bridge");
	assert_int_equal(tu_count("ip -o link show %s | grep -c 'mtu 65535'", br), 1);
	assert_int_equal(tu_count("ip -o link show master %s | grep -c 'mtu 65535'", br), 1);
	free(br);
	OK("rm", "-f", "m1", "m2");
	OK("network", "rm", "jumbo", "small");
}

/* The "internet": a network namespace with a web server whose CGI prints
 * the client's address, on a veth from the host.  Names and addresses
 * hold the test's pid. */
static char inet_ns[32], inet_veth[16], inet_dir[64];
static unsigned inet_net; /* last octet base of 198.51.100.X/30 */

static int inet_teardown(void **state)
{
	(void)state;
	if (inet_ns[0] == '\0')
		return 0;
	tu_sh(NULL,
	      "for p in $(ip netns pids %s 2>/dev/null); do kill $p; done; "
	      "ip link del %s 2>/dev/null; ip netns del %s 2>/dev/null; rm -rf %s",
	      inet_ns, inet_veth, inet_ns, inet_dir);
	inet_ns[0] = '\0';
	return 0;
}

static void test_masquerade(void **state)
{
	need_bridge();
	(void)state;
	tu_need_demo_root();
	snprintf(inet_ns, sizeof(inet_ns), "berthtest-%d", (int)getpid());
	snprintf(inet_veth, sizeof(inet_veth), "bti%d", (int)getpid() % 1000000);
	snprintf(inet_dir, sizeof(inet_dir), "/tmp/%s", inet_ns);
	inet_net = 4 * (unsigned)(getpid() % 60);
	assert_int_equal(
	        tu_sh(NULL,
	              "mkdir -p %1$s/cgi-bin && printf '#!/bin/sh\\necho Content-type: "
	              "text/plain\\necho\\necho \"$REMOTE_ADDR\"\\n' > %1$s/cgi-bin/addr && "
	              "chmod +x %1$s/cgi-bin/addr && ip netns add %2$s && "
	              "ip link add %3$s type veth peer name eth0 netns %2$s && "
	              "ip addr add 198.51.100.%4$u/30 dev %3$s && ip link set %3$s up && "
	              "echo 1 > /proc/sys/net/ipv4/conf/%3$s/forwarding && "
	              "ip -n %2$s addr add 198.51.100.%5$u/30 dev eth0 && "
	              "ip -n %2$s link set eth0 up && ip -n %2$s link set lo up && "
	              "ip netns exec %2$s busybox httpd -p 8000 -h %1$s",
	              inet_dir, inet_ns, inet_veth, inet_net + 1, inet_net + 2),
	        0);
	unsigned port = free_port();
	char spec[32];
	snprintf(spec, sizeof(spec), "%u:80", port);
	OK("run", "-d", "--name", "out", "--net", "bridge", "-p", spec, "demo", "sh", "-c",
	   web_cmd);
	char url[96], want[32];
	snprintf(url, sizeof(url), "http://198.51.100.%u:8000/cgi-bin/addr", inet_net + 2);
	snprintf(want, sizeof(want), "198.51.100.%u", inet_net + 1);
	char *seen = OUT("exec", "out", "timeout", "5", "wget", "-q", "-O", "-", url);
	/* The server saw the host's address on its link ("[::ffff:A]" from
	 * its IPv6 socket), not the container's. */
	char *at = strstr(seen, want);
	if (at == NULL)
		fail_msg("the server saw \"%s\", not %s", seen, want);
	assert_false(at[strlen(want)] >= '0' && at[strlen(want)] <= '9');
	free(seen);
	/* A megabyte from the "internet" (1500 on its link) arrives whole: the
	 * container's default route is sized for the wire. */
	assert_int_equal(tu_sh(NULL, "head -c 1048576 /dev/urandom > %s/big", inet_dir), 0);
	snprintf(url, sizeof(url), "http://198.51.100.%u:8000/big", inet_net + 2);
	char *size = OUT("exec", "out", "sh", "-c", "timeout 20 wget -q -O - \"$0\" | wc -c", url);
	assert_string_equal(size, "1048576\n");
	free(size);
	/* And the published port answers another host (the namespace) on the
	 * host's address: DNAT in prerouting. */
	struct tu_out o = {0};
	int st = -1;
	for (int i = 0; i < 50 && st != 0; i++) {
		tu_out_free(&o);
		st = tu_sh(
		        &o,
		        "ip netns exec %s timeout 5 busybox wget -q -O - http://198.51.100.%u:%u/",
		        inet_ns, inet_net + 1, port);
		if (st != 0)
			usleep(100000);
	}
	assert_int_equal(st, 0);
	assert_string_equal(o.out, "served-by-out\n");
	tu_out_free(&o);
	OK("rm", "-f", "out");
}

/* Nothing of this root's networking in the kernel. */
static void assert_no_net_left(const char *table, const char *bridge, const char *subnet_pfx)
{
	assert_int_equal(tu_count("nft list tables | grep -cw '%s'", table), 0);
	assert_int_equal(tu_count("ip -o link | grep -c '%s'", bridge), 0);
	assert_int_equal(tu_count("ip -o addr | grep -c ' %s'", subnet_pfx), 0);
}

static void test_cleanup_after_rm_and_kill9(void **state)
{
	need_bridge();
	(void)state;
	tu_need_demo_root();
	OK("run", "-d", "--name", "c1", "--net", "bridge", "-p", "80", "demo", "sleep", "100000");
	OK("run", "-d", "--name", "c2", "--net", "bridge", "-p", "80/udp", "demo", "sleep",
	   "100000");
	char *table = net_field("bridge", "nft_table");
	char *bridge = net_field("bridge", "bridge");
	char *subnet = net_field("bridge", "subnet");
	*strrchr(subnet, '.') = '\0';
	assert_int_equal(tu_count("nft list tables | grep -cw '%s'", table), 1);
	assert_int_equal(tu_count("ip -o link show master %s | wc -l", bridge), 2);
	OK("rm", "-f", "c1", "c2");
	assert_no_net_left(table, bridge, subnet);
	/* kill -9 of the keeper: listings never end anything (its init still
	 * runs: "keeper gone"); the next command that ends it (system prune,
	 * as rm -f would) takes its veth, lease and rules too. */
	OK("run", "-d", "--name", "k9", "--net", "bridge", "-p", "80", "demo", "sleep", "100000");
	assert_int_equal(tu_count("ip -o link show master %s | wc -l", bridge), 1);
	char *runf = NULL;
	assert_true(asprintf(&runf, "%s/run/containers/k9.json", tu_demo_root) > 0);
	json_t *o = json_load_file(runf, 0, NULL);
	assert_non_null(o);
	pid_t keeper = (pid_t)json_integer_value(json_object_get(o, "keeper_pid"));
	json_decref(o);
	assert_true(keeper > 1);
	assert_int_equal(kill(keeper, SIGKILL), 0);
	usleep(100000);
	OK("ps", "-a");
	assert_int_equal(tu_count("ip -o link show master %s | wc -l", bridge), 1);
	OK("system", "prune", "-f");
	assert_no_net_left(table, bridge, subnet);
	assert_int_equal(tu_count("ls %s/run/net/bridge | wc -l", tu_demo_root), 0);
	OK("rm", "-f", "k9");
	free(runf);
	free(table);
	free(bridge);
	free(subnet);
}

/* Whatever a failed test left: its containers first (their keepers take
 * veths and leases), then this root's bridges and table by name. */
static int group_teardown(void **state)
{
	if (tu_demo_root) {
		tu_sh(NULL,
		      "B=%s; R=%s; for c in $($B --root $R ps -aq 2>/dev/null); do "
		      "$B --root $R rm -f $c >/dev/null 2>&1; done; "
		      "for n in $($B --root $R network ls -q 2>/dev/null); do "
		      "br=$($B --root $R network inspect $n | sed -n 's/.*\"bridge\": "
		      "\"\\(.*\\)\".*/\\1/p'); "
		      "t=$($B --root $R network inspect $n | sed -n 's/.*\"nft_table\": "
		      "\"\\(.*\\)\".*/\\1/p'); "
		      "ip link del $br 2>/dev/null; nft delete table inet $t 2>/dev/null; done",
		      tu_berth_bin(), tu_demo_root);
	}
	return tu_demo_group_teardown(state);
}

/* Bridges need the kernel's bridge, veth and nf_tables and libnftables;
 * a guest kernel that loads only what berth's cgroup tests need (make
 * test-v2) has none of them: those tests say so and skip. */
static int bridge_group_setup(void **state)
{
	bridge_ok = tu_sh(NULL,
	                  "ip link add name bprobe%d type bridge 2>/dev/null && "
	                  "ip link del bprobe%d && ldconfig -p | grep -q 'libnftables.so.1 '",
	                  (int)getpid(), (int)getpid()) == 0;
	if (!bridge_ok)
		fprintf(stderr, "no bridge, veth or libnftables here: the bridge tests skip\n");
	return tu_demo_group_setup(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_net_none_lo_up),
	        cmocka_unit_test(test_publish_ports),
	        cmocka_unit_test(test_user_networks),
	        cmocka_unit_test_teardown(test_mtu, mtu_teardown),
	        cmocka_unit_test_teardown(test_masquerade, inet_teardown),
	        cmocka_unit_test(test_cleanup_after_rm_and_kill9),
	};
	return cmocka_run_group_tests(tests, bridge_group_setup, group_teardown);
}
