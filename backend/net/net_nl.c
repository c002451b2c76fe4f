/* Links, addresses and routes through netlink (libnl-route-3, linked
 * statically): the bridge of a network, a container's veth pair with its
 * end configured inside the container's network namespace, removal. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/net.h"

static void sock_freep(struct nl_sock **s)
{
	if (*s)
		nl_socket_free(*s);
}
#define cleanup_sock __attribute__((cleanup(sock_freep)))

static void link_putp(struct rtnl_link **l)
{
	if (*l)
		rtnl_link_put(*l);
}
#define cleanup_link __attribute__((cleanup(link_putp)))

static struct nl_sock *nl_open(struct be_error **err)
{
	struct nl_sock *s = nl_socket_alloc();
	if (s == NULL) {
		be_error_set(err, ENOMEM, "netlink socket");
		return NULL;
	}
	int r = nl_connect(s, NETLINK_ROUTE);
	if (r < 0) {
		be_error_set(err, 0, "netlink: %s", nl_geterror(r));
		nl_socket_free(s);
		return NULL;
	}
	return s;
}

static int nl_fail(struct be_error **err, int r, const char *what, const char *obj)
{
	return be_error_set(err, 0, "%s %s: %s", what, obj, nl_geterror(r));
}

bool net_nl_link_exists(const char *name)
{
	return if_nametoindex(name) != 0;
}

/* Sets flags IFF_UP (and master when > 0, the MTU when > 0) on link name. */
static int link_up(struct nl_sock *s, const char *name, int master, unsigned mtu,
                   struct be_error **err)
{
	cleanup_link struct rtnl_link *cur = NULL;
	int r = rtnl_link_get_kernel(s, 0, name, &cur);
	if (r < 0)
		return nl_fail(err, r, "finding link", name);
	cleanup_link struct rtnl_link *chg = rtnl_link_alloc();
	rtnl_link_set_flags(chg, IFF_UP);
	if (master > 0)
		rtnl_link_set_master(chg, master);
	if (mtu > 0)
		rtnl_link_set_mtu(chg, mtu);
	r = rtnl_link_change(s, cur, chg, 0);
	if (r < 0)
		return nl_fail(err, r, "bringing up", name);
	return 0;
}

static int add_addr(struct nl_sock *s, int ifindex, uint32_t ip, unsigned prefix, const char *dev,
                    struct be_error **err)
{
	char a[16], text[24];
	snprintf(text, sizeof(text), "%s/%u", net_ip_str(ip, a), prefix);
	struct nl_addr *local = NULL;
	int r = nl_addr_parse(text, AF_INET, &local);
	if (r < 0)
		return nl_fail(err, r, "parsing address", text);
	struct rtnl_addr *ad = rtnl_addr_alloc();
	rtnl_addr_set_ifindex(ad, ifindex);
	rtnl_addr_set_local(ad, local);
	r = rtnl_addr_add(s, ad, 0);
	rtnl_addr_put(ad);
	nl_addr_put(local);
	if (r < 0 && r != -NLE_EXIST)
		return be_error_set(err, 0, "adding %s to %s: %s", text, dev, nl_geterror(r));
	return 0;
}

static int write_sysctl(const char *dev, const char *key, struct be_error **err)
{
	cleanup_free char *path = xasprintf("/proc/sys/net/ipv4/conf/%s/%s", dev, key);
	cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "1", 1) != 1)
		return be_error_set(err, errno, "writing %s", path);
	return 0;
}

int net_nl_host_forwarding(struct be_error **err)
{
	const char *path = "/proc/sys/net/ipv4/ip_forward";
	char c = '0';
	cleanup_close int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 || read(fd, &c, 1) != 1)
		return be_error_set(err, errno, "reading %s", path);
	if (c == '1')
		return 0;
	if (pwrite(fd, "1", 1, 0) != 1)
		return be_error_set(err, errno, "writing %s", path);
	return 0;
}

int net_nl_bridge_up(const struct net_network *n, struct be_error **err)
{
	cleanup_sock struct nl_sock *s = nl_open(err);
	if (s == NULL)
		return -1;
	int r = rtnl_link_bridge_add(s, n->bridge);
	if (r < 0 && r != -NLE_EXIST)
		return nl_fail(err, r, "making bridge", n->bridge);
	int idx = (int)if_nametoindex(n->bridge);
	if (idx == 0)
		return be_error_set(err, errno, "bridge %s", n->bridge);
	if (add_addr(s, idx, n->gateway, n->prefix, n->bridge, err) < 0 ||
	    link_up(s, n->bridge, -1, n->mtu, err) < 0)
		return -1;
	/* Forwarding for what enters from the containers; route_localnet so
	 * that DNAT of the host's 127.0.0.1 to a container is routed. */
	if (write_sysctl(n->bridge, "forwarding", err) < 0 ||
	    write_sysctl(n->bridge, "route_localnet", err) < 0)
		return -1;
	return 0;
}

/* The MTU of the device of the host's default route (/proc/net/route,
 * the host's namespace); 1500 when there is none. */
static unsigned uplink_mtu(void)
{
	cleanup_free char *text = util_read_file("/proc/net/route", NULL, NULL);
	struct net_route r[256];
	size_t n = net_routes_parse(text, r, sizeof(r) / sizeof(r[0]));
	unsigned mtu = 0;
	for (size_t i = 0; i < n; i++) {
		if (r[i].prefix != 0 || r[i].dst != 0)
			continue;
		cleanup_free char *path = xasprintf("/sys/class/net/%s/mtu", r[i].dev);
		cleanup_free char *m_text = util_read_file(path, NULL, NULL);
		unsigned m = m_text ? (unsigned)strtoul(m_text, NULL, 10) : 0;
		if (m >= 68 && (mtu == 0 || m < mtu))
			mtu = m;
	}
	return mtu ? mtu : 1500;
}

/* Inside the container's namespace: address, links up, default route
 * (with the uplink's MTU when it is below the network's). */
static int configure_inside(const struct net_network *n, uint32_t ip, unsigned out_mtu,
                            struct be_error **err)
{
	cleanup_sock struct nl_sock *s = nl_open(err);
	if (s == NULL)
		return -1;
	int idx = (int)if_nametoindex("eth0");
	if (idx == 0)
		return be_error_set(err, errno, "eth0 in the container");
	if (add_addr(s, idx, ip, n->prefix, "eth0", err) < 0 || link_up(s, "lo", -1, 0, err) < 0 ||
	    link_up(s, "eth0", -1, n->mtu, err) < 0)
		return -1;
	struct rtnl_route *rt = rtnl_route_alloc();
	struct nl_addr *dst = NULL, *gw = NULL;
	char a[16];
	nl_addr_parse("0.0.0.0/0", AF_INET, &dst);
	nl_addr_parse(net_ip_str(n->gateway, a), AF_INET, &gw);
	rtnl_route_set_family(rt, AF_INET);
	rtnl_route_set_dst(rt, dst);
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	rtnl_route_nh_set_ifindex(nh, idx);
	rtnl_route_nh_set_gateway(nh, gw);
	rtnl_route_add_nexthop(rt, nh);
	if (out_mtu < n->mtu)
		rtnl_route_set_metric(rt, RTAX_MTU, out_mtu);
	int r = rtnl_route_add(s, rt, NLM_F_CREATE);
	rtnl_route_put(rt);
	nl_addr_put(dst);
	nl_addr_put(gw);
	if (r < 0)
		return nl_fail(err, r, "adding the default route via", a);
	return 0;
}

/* Runs configure_inside in pid's network namespace, then comes back. */
static int in_netns(pid_t pid, const struct net_network *n, uint32_t ip, struct be_error **err)
{
	cleanup_close int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	cleanup_free char *path = xasprintf("/proc/%d/ns/net", (int)pid);
	cleanup_close int target = open(path, O_RDONLY | O_CLOEXEC);
	if (self < 0 || target < 0)
		return be_error_set(err, errno, "opening network namespaces");
	unsigned out_mtu = uplink_mtu();
	if (setns(target, CLONE_NEWNET) < 0)
		return be_error_set(err, errno, "entering the container's network namespace");
	int r = configure_inside(n, ip, out_mtu, err);
	if (setns(self, CLONE_NEWNET) < 0) {
		/* The keeper cannot stay in the container's namespace. */
		be_error_set(err, errno, "leaving the container's network namespace");
		return -1;
	}
	return r;
}

int net_nl_veth_add(const struct net_network *n, const char *veth, pid_t pid, uint32_t ip,
                    struct be_error **err)
{
	cleanup_sock struct nl_sock *s = nl_open(err);
	if (s == NULL)
		return -1;
	int r = rtnl_link_veth_add(s, veth, "eth0", pid);
	if (r < 0)
		return nl_fail(err, r, "making veth", veth);
	int br = (int)if_nametoindex(n->bridge);
	if (br == 0 || link_up(s, veth, br, n->mtu, err) < 0) {
		net_nl_link_del(veth, NULL);
		return br == 0 ? be_error_set(err, ENODEV, "bridge %s is gone", n->bridge) : -1;
	}
	if (in_netns(pid, n, ip, err) < 0) {
		net_nl_link_del(veth, NULL);
		return -1;
	}
	return 0;
}

int net_nl_link_del(const char *name, struct be_error **err)
{
	if (!net_nl_link_exists(name))
		return 0;
	cleanup_sock struct nl_sock *s = nl_open(err);
	if (s == NULL)
		return -1;
	cleanup_link struct rtnl_link *l = rtnl_link_alloc();
	rtnl_link_set_name(l, name);
	int r = rtnl_link_delete(s, l);
	if (r < 0 && r != -NLE_NODEV && r != -NLE_OBJ_NOTFOUND)
		return nl_fail(err, r, "deleting link", name);
	return 0;
}
