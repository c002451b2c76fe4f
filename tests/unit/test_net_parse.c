/* Tests of backend/net/net_parse.c: -p and CIDR parsers, the address pool,
 * the subnet choice against routes, and the hosts and resolv.conf texts,
 * all from literal values; and of the lease records (net_lease.c) in a
 * temporary root: saved, listed, found, dead when their keeper is. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/net.h"
#include "record/record.h"
#include "testutil.h"

static uint32_t ip(const char *s)
{
	uint32_t a = 0;
	assert_int_equal(net_ip_parse(s, &a), 0);
	return a;
}

static void test_be_net_parse_port_forms(void **state)
{
	(void)state;
	struct be_port p;
	assert_int_equal(be_net_parse_port("127.0.0.1:8080:80", &p, NULL), 0);
	assert_string_equal(p.host_ip, "127.0.0.1");
	assert_int_equal(p.host_port, 8080);
	assert_int_equal(p.ctr_port, 80);
	assert_int_equal(p.proto, BE_PROTO_TCP);
	assert_int_equal(be_net_parse_port("53:5353/udp", &p, NULL), 0);
	assert_string_equal(p.host_ip, "");
	assert_int_equal(p.host_port, 53);
	assert_int_equal(p.ctr_port, 5353);
	assert_int_equal(p.proto, BE_PROTO_UDP);
	assert_int_equal(be_net_parse_port("80", &p, NULL), 0);
	assert_int_equal(p.host_port, 0);
	assert_int_equal(p.ctr_port, 80);
	assert_int_equal(be_net_parse_port("0.0.0.0::443/tcp", &p, NULL), 0);
	assert_string_equal(p.host_ip, "");
	assert_int_equal(p.host_port, 0);
	assert_int_equal(p.ctr_port, 443);
	char buf[64];
	assert_int_equal(be_net_parse_port("10.0.0.1:81:8081/udp", &p, NULL), 0);
	assert_string_equal(be_net_port_format(&p, buf, sizeof(buf)), "10.0.0.1:81->8081/udp");
}

static void test_be_net_parse_port_rejects(void **state)
{
	(void)state;
	static const char *const bad[] = {
	        "",      "0", "65536", "80/sctp", "x:80",        "1.2.3:80:80",  "a:b:c:d",
	        "8080:", ":", "-1",    "80/",     "[::1]:80:80", "1.2.3.4:0:80", "99999:80",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct be_port p;
		struct be_error *err = NULL;
		if (be_net_parse_port(bad[i], &p, &err) == 0)
			fail_msg("accepted -p \"%s\"", bad[i]);
		assert_non_null(strstr(err->msg, "-p"));
		be_error_free(err);
	}
}

static void test_be_net_parse_cidr(void **state)
{
	(void)state;
	uint32_t a;
	unsigned p;
	assert_int_equal(be_net_parse_cidr("10.210.3.0/24", &a, &p, NULL), 0);
	assert_int_equal(a, ip("10.210.3.0"));
	assert_int_equal(p, 24);
	assert_int_equal(be_net_parse_cidr("172.16.0.0/12", &a, &p, NULL), 0);
	static const char *const bad[] = {"10.0.0.1/24", "10.0.0.0", "10.0.0.0/31", "10.0.0.0/7",
	                                  "10.0.0/24",   "x/24",     "10.0.0.0/2x", "10.0.0.0/"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct be_error *err = NULL;
		if (be_net_parse_cidr(bad[i], &a, &p, &err) == 0)
			fail_msg("accepted subnet \"%s\"", bad[i]);
		be_error_free(err);
	}
}

static void test_net_pool_pick(void **state)
{
	(void)state;
	uint32_t net = ip("10.0.0.0");
	assert_int_equal(net_pool_pick(net, 24, NULL, 0), ip("10.0.0.2"));
	uint32_t used[] = {ip("10.0.0.2"), ip("10.0.0.4")};
	assert_int_equal(net_pool_pick(net, 24, used, 2), ip("10.0.0.3"));
	/* A /30 has one address after the gateway; then it is full. */
	uint32_t one[] = {ip("10.0.0.2")};
	assert_int_equal(net_pool_pick(net, 30, NULL, 0), ip("10.0.0.2"));
	assert_int_equal(net_pool_pick(net, 30, one, 1), 0);
	/* Never the broadcast. */
	uint32_t all[253];
	for (unsigned i = 0; i < 253; i++)
		all[i] = net + 2 + i;
	assert_int_equal(net_pool_pick(net, 24, all, 252), ip("10.0.0.254"));
	assert_int_equal(net_pool_pick(net, 24, all, 253), 0);
}

static void test_net_subnet_pick_avoids_routes(void **state)
{
	(void)state;
	uint32_t taken[] = {ip("10.210.0.0"), ip("10.210.1.128"), ip("192.168.0.0")};
	unsigned pfx[] = {24, 25, 16};
	assert_int_equal(net_subnet_pick(taken, pfx, 3, 0), ip("10.210.2.0"));
	assert_int_equal(net_subnet_pick(taken, pfx, 3, 7), ip("10.210.7.0"));
	/* A wide route over the whole pool leaves nothing. */
	uint32_t wide[] = {ip("10.0.0.0")};
	unsigned wp[] = {8};
	assert_int_equal(net_subnet_pick(wide, wp, 1, 0), 0);
	/* The start wraps around. */
	uint32_t last[] = {ip("10.210.255.0")};
	unsigned lp[] = {24};
	assert_int_equal(net_subnet_pick(last, lp, 1, 255), ip("10.210.0.0"));
	assert_true(net_overlaps(ip("10.1.0.0"), 16, ip("10.1.2.0"), 24));
	assert_false(net_overlaps(ip("10.1.0.0"), 24, ip("10.1.1.0"), 24));
}

static void test_net_resolv_rewrite(void **state)
{
	(void)state;
	char *r = net_resolv_rewrite("# generated\nnameserver 127.0.0.53\nnameserver 1.1.1.1\n"
	                             "nameserver ::1\nsearch example.org\noptions edns0\n");
	assert_string_equal(r,
	                    "# generated\nnameserver 1.1.1.1\nsearch example.org\noptions edns0\n");
	free(r);
	r = net_resolv_rewrite("nameserver 127.0.0.53\nsearch lan\n");
	assert_string_equal(r, "search lan\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n");
	free(r);
	r = net_resolv_rewrite("");
	assert_string_equal(r, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
	free(r);
}

static void test_net_hosts_text(void **state)
{
	(void)state;
	struct net_member m[] = {{"db", 0}, {"cache", 0}};
	m[0].ip = ip("10.1.0.3");
	m[1].ip = ip("10.1.0.4");
	char *h = net_hosts_text("web", "web", ip("10.1.0.2"), m, 2);
	assert_string_equal(h, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
	                       "10.1.0.2\tweb\n10.1.0.3\tdb\n10.1.0.4\tcache\n");
	free(h);
	h = net_hosts_text("box", "web_1", ip("10.1.0.2"), NULL, 0);
	assert_non_null(strstr(h, "10.1.0.2\tbox web_1\n"));
	free(h);
}

static int fix_setup(void **state)
{
	struct tu_fix *f = tu_fix_new();
	struct be_ctx_opts opts = {.root = f->root};
	struct be_error *err = NULL;
	if (be_ctx_open(&opts, &f->ctx, &err) < 0)
		fail_msg("%s", err->msg);
	*state = f;
	return 0;
}

static int fix_teardown(void **state)
{
	tu_fix_free(*state);
	return 0;
}

static void test_net_lease_records(void **state)
{
	struct tu_fix *f = *state;
	struct be_port ports[1];
	assert_int_equal(be_net_parse_port("127.0.0.1:8080:80", &ports[0], NULL), 0);
	struct net_lease live = {
	        .ip = ip("10.9.0.2"), .keeper_pid = getpid(), .ports = ports, .n_ports = 1};
	snprintf(live.container, sizeof(live.container), "web");
	live.keeper_start = rec_proc_start(f->ctx, getpid());
	struct net_lease dead = {.ip = ip("10.9.0.3"), .keeper_pid = 999999999, .keeper_start = 1};
	snprintf(dead.container, sizeof(dead.container), "gone");
	assert_int_equal(net_lease_save(f->ctx, "n1", &live, NULL), 0);
	assert_int_equal(net_lease_save(f->ctx, "n1", &dead, NULL), 0);
	struct net_lease *l = NULL;
	size_t n = 0;
	assert_int_equal(net_leases(f->ctx, "n1", &l, &n, NULL), 0);
	assert_int_equal(n, 2);
	size_t n_live = 0;
	for (size_t i = 0; i < n; i++) {
		n_live += net_lease_live(f->ctx, &l[i]);
		if (strcmp(l[i].container, "web") == 0) {
			assert_true(net_lease_live(f->ctx, &l[i]));
			assert_int_equal(l[i].n_ports, 1);
			assert_int_equal(l[i].ports[0].host_port, 8080);
			assert_string_equal(l[i].ports[0].host_ip, "127.0.0.1");
		}
		net_lease_clear(&l[i]);
	}
	free(l);
	assert_int_equal(n_live, 1);
	char net[BE_NAME_MAX + 1];
	struct net_lease got;
	assert_int_equal(net_lease_find(f->ctx, "gone", net, &got), 1);
	assert_string_equal(net, "n1");
	assert_int_equal(got.ip, ip("10.9.0.3"));
	assert_false(net_lease_live(f->ctx, &got));
	net_lease_clear(&got);
	net_lease_remove(f->ctx, "n1", ip("10.9.0.3"));
	assert_int_equal(net_lease_find(f->ctx, "gone", net, &got), 0);
	/* A damaged lease file is skipped, not fatal. */
	char *bad = NULL;
	assert_true(asprintf(&bad, "%s/run/net/n1/10.9.0.9.json", f->root) > 0);
	tu_write(bad, "{\"version\": 1, \"container\": 3}");
	assert_int_equal(net_leases(f->ctx, "n1", &l, &n, NULL), 0);
	assert_int_equal(n, 1);
	net_lease_clear(&l[0]);
	free(l);
	free(bad);
	/* The teardown kills every keeper recorded under the root: not us. */
	net_lease_remove(f->ctx, "n1", ip("10.9.0.2"));
}

/* /proc/net/route: the header skipped, a short line does not borrow the
 * next line's fields, destination in host order, prefix from the mask. */
static void test_net_routes_parse(void **state)
{
	(void)state;
	const char *text = "Iface\tDestination\tGateway "
	                   "\tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
	                   "eth0\t00000000\t0100000A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
	                   "broken\t0000A8C0\n"
	                   "eth0\t0000000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
	                   "docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0";
	struct net_route r[8];
	assert_int_equal(net_routes_parse(text, r, 8), 3);
	assert_string_equal(r[0].dev, "eth0");
	assert_int_equal(r[0].dst, 0);
	assert_int_equal(r[0].prefix, 0);
	assert_int_equal(r[1].dst, 0x0A000000u); /* 10.0.0.0 */
	assert_int_equal(r[1].prefix, 24);
	assert_string_equal(r[2].dev, "docker0");
	assert_int_equal(r[2].dst, 0xAC110000u); /* 172.17.0.0 */
	assert_int_equal(r[2].prefix, 16);
	assert_int_equal(net_routes_parse(text, r, 2), 2);
	assert_int_equal(net_routes_parse(NULL, r, 8), 0);
	assert_int_equal(net_routes_parse("", r, 8), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_be_net_parse_port_forms),
	        cmocka_unit_test(test_be_net_parse_port_rejects),
	        cmocka_unit_test(test_be_net_parse_cidr),
	        cmocka_unit_test(test_net_pool_pick),
	        cmocka_unit_test(test_net_subnet_pick_avoids_routes),
	        cmocka_unit_test(test_net_routes_parse),
	        cmocka_unit_test(test_net_resolv_rewrite),
	        cmocka_unit_test(test_net_hosts_text),
	        cmocka_unit_test_setup_teardown(test_net_lease_records, fix_setup, fix_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
