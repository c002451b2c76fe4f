/* A container joining a bridge network and leaving it: the root's nftables
 * table (made when the first network comes up, deleted when the last goes
 * down), the bridge, the lease, host ports held by the keeper, the veth,
 * the DNAT map entries, and the hosts files of the network's members.
 * Every step runs under the root's "net" lock. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/net.h"
#include "record/record.h"
#include "store/store.h"

static const char table_rules[] =
        "table inet %1$s {\n"
        " set bridges { type ifname; }\n"
        " set same { type ifname . ifname; }\n"
        " set nets { type ipv4_addr; flags interval; }\n"
        " map pany { type inet_proto . inet_service : ipv4_addr . inet_service; }\n"
        " map pip { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }\n"
        " chain prerouting { type nat hook prerouting priority dstnat; policy accept;\n"
        "  fib daddr type local dnat ip to ip daddr . meta l4proto . th dport map @pip\n"
        "  fib daddr type local dnat ip to meta l4proto . th dport map @pany\n }\n"
        " chain output { type nat hook output priority -100; policy accept;\n"
        "  fib daddr type local dnat ip to ip daddr . meta l4proto . th dport map @pip\n"
        "  fib daddr type local dnat ip to meta l4proto . th dport map @pany\n }\n"
        " chain postrouting { type nat hook postrouting priority srcnat; policy accept;\n"
        "  oifname @bridges fib saddr type local masquerade\n"
        "  ip saddr @nets ip daddr != @nets masquerade\n }\n"
        " chain forward { type filter hook forward priority filter; policy accept;\n"
        "  iifname @bridges oifname @bridges iifname . oifname != @same drop\n }\n"
        "}\n";

static int table_up(const struct be_ctx *ctx, struct be_error **err)
{
	char t[32];
	net_table_name(ctx, t);
	cleanup_free char *list = xasprintf("list table inet %s", t);
	if (net_nft_run(list, NULL, NULL) == 0)
		return 0;
	char *text = NULL;
	if (asprintf(&text, table_rules, t) < 0)
		abort();
	int r = net_nft_run(text, NULL, err);
	free(text);
	return r;
}

static int network_up(const struct be_ctx *ctx, const struct net_network *n, struct be_error **err)
{
	char t[32], a[16];
	net_table_name(ctx, t);
	if (table_up(ctx, err) < 0 || net_nl_bridge_up(n, err) < 0)
		return -1;
	/* Outbound traffic of the default root works as docker's does; other
	 * roots (tests) leave the host's global setting alone. */
	if (strcmp(be_ctx_cgroup_parent(ctx), "berth") == 0 && net_nl_host_forwarding(err) < 0)
		return -1;
	cleanup_free char *cmd = xasprintf("add element inet %1$s bridges { \"%2$s\" }\n"
	                                   "add element inet %1$s same { \"%2$s\" . \"%2$s\" }\n"
	                                   "add element inet %1$s nets { %3$s/%4$u }\n",
	                                   t, n->bridge, net_ip_str(n->subnet, a), n->prefix);
	return net_nft_run(cmd, NULL, err);
}

/* The DNAT entries of a lease: add (errors count) or delete (a missing
 * entry is fine: repair may run twice). */
static int port_rules(const struct be_ctx *ctx, bool add, const struct net_lease *l,
                      struct be_error **err)
{
	char t[32], a[16];
	net_table_name(ctx, t);
	net_ip_str(l->ip, a);
	for (size_t i = 0; i < l->n_ports; i++) {
		const struct be_port *p = &l->ports[i];
		const char *proto = be_net_proto_name(p->proto);
		cleanup_free char *key =
		        p->host_ip[0] ? xasprintf("%s . %s . %u", p->host_ip, proto, p->host_port)
		                      : xasprintf("%s . %u", proto, p->host_port);
		const char *map = p->host_ip[0] ? "pip" : "pany";
		cleanup_free char *cmd =
		        add ? xasprintf("add element inet %s %s { %s : %s . %u }", t, map, key, a,
		                        p->ctr_port)
		            : xasprintf("delete element inet %s %s { %s }", t, map, key);
		if (net_nft_run(cmd, NULL, add ? err : NULL) < 0 && add)
			return -1;
	}
	return 0;
}

/* Holds host port p (bound, not listening) so that nothing else takes it
 * while the container runs; a 0 port becomes a free one.  Returns the fd. */
static int hold_port(struct be_port *p, struct be_error **err)
{
	int type = p->proto == BE_PROTO_UDP ? SOCK_DGRAM : SOCK_STREAM;
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return be_error_set(err, errno, "reserving host port");
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(p->host_port)};
	uint32_t ip = 0;
	if (p->host_ip[0])
		net_ip_parse(p->host_ip, &ip);
	sa.sin_addr.s_addr = htonl(ip);
	socklen_t len = sizeof(sa);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		int e = errno;
		close(fd);
		char buf[64];
		return be_error_set(err, e, "host port %s is not free",
		                    be_net_port_format(p, buf, sizeof(buf)));
	}
	p->host_port = ntohs(sa.sin_port);
	return fd;
}

static int net_lock(struct be_ctx *ctx, struct be_lock **lock, struct be_error **err)
{
	/* Waited for: starts and stops of one root queue here briefly. */
	bool wait = ctx->lock_wait;
	ctx->lock_wait = true;
	int r = store_lock_take(ctx, "net", "root", lock, err);
	ctx->lock_wait = wait;
	return r;
}

/* Writes text into an existing file in place (it is bind-mounted into a
 * running container: a rename would not be seen there). */
static int write_in_place(const char *path, const char *text, struct be_error **err)
{
	cleanup_close int fd =
	        open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	size_t len = strlen(text);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		return be_error_set(err, errno, "writing %s", path);
	return 0;
}

/* hosts of container name: itself, and on a user network the live members. */
static int write_hosts(struct be_ctx *ctx, const char *net, const char *name, uint32_t ip,
                       const struct net_lease *all, size_t n, struct be_error **err)
{
	struct rec_config cfg;
	if (rec_config_load(ctx, name, &cfg, err) < 0)
		return -1;
	struct net_member *m = xcalloc(n + 1, sizeof(*m));
	size_t k = 0;
	for (size_t i = 0; strcmp(net, BE_NET_DEFAULT) != 0 && i < n; i++)
		if (strcmp(all[i].container, name) != 0 && net_lease_live(ctx, &all[i])) {
			snprintf(m[k].name, sizeof(m[k].name), "%s", all[i].container);
			m[k++].ip = all[i].ip;
		}
	cleanup_free char *text = net_hosts_text(cfg.hostname, name, ip, m, k);
	free(m);
	rec_config_clear(&cfg);
	cleanup_free char *path = rec_path(ctx, name, "hosts");
	return write_in_place(path, text, err);
}

/* Every live member's hosts file, after one came or went. */
static void refresh_members(struct be_ctx *ctx, const char *net)
{
	if (strcmp(net, BE_NET_DEFAULT) == 0)
		return;
	struct net_lease *l = NULL;
	size_t n = 0;
	net_leases(ctx, net, &l, &n, NULL);
	for (size_t i = 0; i < n; i++)
		if (net_lease_live(ctx, &l[i]))
			write_hosts(ctx, net, l[i].container, l[i].ip, l, n, NULL);
	for (size_t i = 0; i < n; i++)
		net_lease_clear(&l[i]);
	free(l);
}

static int write_resolv(struct be_ctx *ctx, const char *name, struct be_error **err)
{
	cleanup_free char *host = util_read_file("/etc/resolv.conf", NULL, NULL);
	cleanup_free char *text = net_resolv_rewrite(host ? host : "");
	cleanup_free char *path = rec_path(ctx, name, "resolv.conf");
	return write_in_place(path, text, err);
}

/* Drops a lease whose keeper is gone (or is this process): its ports'
 * entries, its veth, its file. */
static void drop_lease(struct be_ctx *ctx, const char *net, const struct net_lease *l)
{
	char veth[16];
	port_rules(ctx, false, l, NULL);
	net_veth_name(ctx, l->container, veth);
	net_nl_link_del(veth, NULL);
	net_lease_remove(ctx, net, l->ip);
}

/* Dead leases dropped; the live ones' addresses in *used (free it). */
static size_t sweep(struct be_ctx *ctx, const char *net, uint32_t **used)
{
	struct net_lease *l = NULL;
	size_t n = 0, k = 0;
	net_leases(ctx, net, &l, &n, NULL);
	*used = xcalloc(n + 1, sizeof(**used));
	for (size_t i = 0; i < n; i++) {
		if (net_lease_live(ctx, &l[i]))
			(*used)[k++] = l[i].ip;
		else
			drop_lease(ctx, net, &l[i]);
		net_lease_clear(&l[i]);
	}
	free(l);
	return k;
}

static void teardown_idle(struct be_ctx *ctx);

void net_join_clear(struct net_join *j)
{
	for (size_t i = 0; i < j->n_port_fds; i++)
		close(j->port_fds[i]);
	free(j->port_fds);
	net_lease_clear(&j->lease);
	memset(j, 0, sizeof(*j));
}

/* Host ports held, the free ones chosen; fills j->lease.ports. */
static int hold_ports(struct net_join *j, const struct be_port *ports, size_t n,
                      struct be_error **err)
{
	j->lease.ports = xcalloc(n + 1, sizeof(*ports));
	j->port_fds = xcalloc(n + 1, sizeof(int));
	for (size_t i = 0; i < n; i++) {
		j->lease.ports[i] = ports[i];
		for (size_t k = 0; k < i; k++)
			if (ports[k].host_port && ports[k].host_port == ports[i].host_port &&
			    ports[k].proto == ports[i].proto)
				return be_error_set(
				        err, EADDRINUSE, "host port %u/%s is published twice",
				        ports[i].host_port, be_net_proto_name(ports[i].proto));
		int fd = hold_port(&j->lease.ports[i], err);
		if (fd < 0)
			return -1;
		j->port_fds[j->n_port_fds++] = fd;
		j->lease.n_ports = i + 1;
	}
	return 0;
}

static int prepare_locked(struct be_ctx *ctx, const char *name, const struct be_port *ports,
                          size_t n_ports, struct net_join *j, struct be_error **err)
{
	cleanup_free uint32_t *used = NULL;
	size_t n_used = sweep(ctx, j->net.name, &used);
	j->lease.ip = net_pool_pick(j->net.subnet, j->net.prefix, used, n_used);
	if (j->lease.ip == 0)
		return be_error_set(err, ENOSPC, "network %s has no free address", j->net.name);
	snprintf(j->lease.container, sizeof(j->lease.container), "%s", name);
	j->lease.keeper_pid = getpid();
	j->lease.keeper_start = rec_proc_start(ctx, getpid());
	if (hold_ports(j, ports, n_ports, err) < 0)
		return -1;
	if (net_lease_save(ctx, j->net.name, &j->lease, err) < 0)
		return -1;
	if (network_up(ctx, &j->net, err) < 0 || write_resolv(ctx, name, err) < 0) {
		net_lease_remove(ctx, j->net.name, j->lease.ip);
		return -1;
	}
	struct net_lease *all = NULL;
	size_t n = 0;
	net_leases(ctx, j->net.name, &all, &n, NULL);
	int r = write_hosts(ctx, j->net.name, name, j->lease.ip, all, n, err);
	for (size_t i = 0; i < n; i++)
		net_lease_clear(&all[i]);
	free(all);
	if (r < 0)
		net_lease_remove(ctx, j->net.name, j->lease.ip);
	return r;
}

int net_join_prepare(struct be_ctx *ctx, const char *name, const char *network,
                     const struct be_port *ports, size_t n_ports, struct net_join *j,
                     struct be_error **err)
{
	memset(j, 0, sizeof(*j));
	net_veth_name(ctx, name, j->veth);
	if (net_network_load(ctx, network ? network : BE_NET_DEFAULT, &j->net, err) < 0)
		return -1;
	cleanup_lock struct be_lock *lock = NULL;
	if (net_lock(ctx, &lock, err) < 0)
		return -1;
	if (prepare_locked(ctx, name, ports, n_ports, j, err) < 0) {
		net_join_clear(j);
		teardown_idle(ctx); /* a table or bridge made before the failure */
		return be_error_wrap(err, "joining network %s", network ? network : BE_NET_DEFAULT);
	}
	return 0;
}

int net_join_attach(struct be_ctx *ctx, struct net_join *j, pid_t pid, struct be_error **err)
{
	cleanup_lock struct be_lock *lock = NULL;
	if (net_lock(ctx, &lock, err) < 0)
		return -1;
	/* A stale veth of this container (a keeper killed before its repair). */
	net_nl_link_del(j->veth, NULL);
	if (net_nl_veth_add(&j->net, j->veth, pid, j->lease.ip, err) < 0 ||
	    port_rules(ctx, true, &j->lease, err) < 0)
		return be_error_wrap(err, "joining network %s", j->net.name);
	refresh_members(ctx, j->net.name);
	return 0;
}

/* Brings down what no live lease of the root needs: bridges of idle
 * networks (with their set entries), then the table when all are idle. */
static void teardown_idle(struct be_ctx *ctx)
{
	char t[32], a[16];
	net_table_name(ctx, t);
	cleanup_free char *dir = ctx_run_path(ctx, "net");
	cleanup_dir DIR *d = opendir(dir);
	struct dirent *e;
	bool any_live = false;
	while (d && (e = readdir(d)) != NULL) {
		struct net_network n;
		if (!be_name_valid(e->d_name) || net_network_load(ctx, e->d_name, &n, NULL) < 0)
			continue;
		cleanup_free uint32_t *used = NULL;
		if (sweep(ctx, e->d_name, &used) > 0) {
			any_live = true;
			continue;
		}
		net_nl_link_del(n.bridge, NULL);
		cleanup_free char *cmd =
		        xasprintf("delete element inet %1$s bridges { \"%2$s\" }\n"
		                  "delete element inet %1$s same { \"%2$s\" . \"%2$s\" }\n"
		                  "delete element inet %1$s nets { %3$s/%4$u }\n",
		                  t, n.bridge, net_ip_str(n.subnet, a), n.prefix);
		net_nft_run(cmd, NULL, NULL);
	}
	if (!any_live) {
		cleanup_free char *list = xasprintf("list table inet %s", t);
		cleanup_free char *del = xasprintf("delete table inet %s", t);
		if (net_nft_run(list, NULL, NULL) == 0)
			net_nft_run(del, NULL, NULL);
	}
}

int net_leave(struct be_ctx *ctx, const char *name, struct be_error **err)
{
	cleanup_lock struct be_lock *lock = NULL;
	if (net_lock(ctx, &lock, err) < 0)
		return -1;
	char net[BE_NAME_MAX + 1];
	struct net_lease l;
	int found = net_lease_find(ctx, name, net, &l);
	if (found == 1 && (l.keeper_pid == getpid() || !net_lease_live(ctx, &l))) {
		drop_lease(ctx, net, &l);
		refresh_members(ctx, net);
	}
	if (found != 1)
		return 0; /* never joined: nothing of berth's to bring down */
	net_lease_clear(&l);
	teardown_idle(ctx);
	return 0;
}
