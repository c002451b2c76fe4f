/* The net module's interface: a container joining a bridge network (its
 * lease, veth, port rules, /etc/hosts and /etc/resolv.conf) and leaving it,
 * plus the pure helpers the unit tests reach (address pool, subnet choice,
 * resolv.conf rewrite, hosts text). */
#ifndef BE_NET_INT_H
#define BE_NET_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "berth.h"
#include "store/ctx.h"
#include "base/util.h"

/* ---- pure helpers (net_parse.c) ------------------------------------------ */
/* Dotted text of a host-order address into buf (16 bytes). */
const char *net_ip_str(uint32_t addr, char buf[16]);
int net_ip_parse(const char *text, uint32_t *addr);
/* The lowest free host address of subnet/prefix: not the network, the
 * gateway (first host), the broadcast, nor any of used[].  0 when full. */
uint32_t net_pool_pick(uint32_t subnet, unsigned prefix, const uint32_t *used, size_t n_used);
/* A route of /proc/net/route: its device, destination (host order) and
 * prefix length (0: a default route). */
struct net_route {
	char dev[32];
	uint32_t dst;
	unsigned prefix;
};
/* The routes of /proc/net/route's text (the header and lines that do not
 * read as one skipped), at most max; returns how many. */
size_t net_routes_parse(const char *text, struct net_route *out, size_t max);
/* True when a/pa and b/pb overlap. */
bool net_overlaps(uint32_t a, unsigned pa, uint32_t b, unsigned pb);
/* A /24 in 10.210.0.0/16 that overlaps none of taken[] (pairs of address
 * and prefix), trying from index start (0-255) on; 0 when none is free. */
uint32_t net_subnet_pick(const uint32_t *taken, const unsigned *taken_prefix, size_t n,
                         unsigned start);
/* The container's resolv.conf from the host's text: nameservers on
 * loopback (127.0.0.0/8, ::1) dropped, Google's 8.8.8.8 and 8.8.4.4 when
 * none is left (as docker); search and options kept.  Caller frees. */
char *net_resolv_rewrite(const char *host_text);
/* /etc/hosts of a container: localhost lines, its own address and
 * hostname (and name), then "IP NAME" of each other member (may be 0). */
struct net_member {
	char name[BE_NAME_MAX + 1];
	uint32_t ip;
};
char *net_hosts_text(const char *hostname, const char *name, uint32_t ip,
                     const struct net_member *others, size_t n);

/* ---- networks (net_records.c) -------------------------------------------- */
struct net_network {
	char name[BE_NAME_MAX + 1];
	char bridge[16];
	uint32_t subnet;
	unsigned prefix;
	uint32_t gateway;
	unsigned mtu;     /* of the bridge and the veths */
	bool auto_subnet; /* chosen by berth (may move when it clashes) */
};
/* Loads network name; the default network is created on first use. */
int net_network_load(struct be_ctx *ctx, const char *name, struct net_network *out,
                     struct be_error **err);
/* The nftables table of this root: "berth" for the default root, else
 * "berth-<8 hex>" (the hash of be_ctx_cgroup_parent). */
void net_table_name(const struct be_ctx *ctx, char buf[32]);
/* The host end of a container's veth: "bv" + 10 hex of root and name. */
void net_veth_name(const struct be_ctx *ctx, const char *container, char buf[16]);

/* ---- leases (net_lease.c) ------------------------------------------------- */
struct net_lease {
	char container[BE_NAME_MAX + 1];
	uint32_t ip;
	pid_t keeper_pid;
	uint64_t keeper_start;
	struct be_port *ports;
	size_t n_ports;
};
void net_lease_clear(struct net_lease *l);
/* Every lease of network net (live or not); free each and the array. */
int net_leases(struct be_ctx *ctx, const char *net, struct net_lease **out, size_t *n,
               struct be_error **err);
/* True while the lease's keeper lives. */
bool net_lease_live(const struct be_ctx *ctx, const struct net_lease *l);
int net_lease_save(struct be_ctx *ctx, const char *net, const struct net_lease *l,
                   struct be_error **err);
void net_lease_remove(struct be_ctx *ctx, const char *net, uint32_t ip);
/* The lease of container name in any network: 1 found, 0 none. */
int net_lease_find(struct be_ctx *ctx, const char *name, char net[BE_NAME_MAX + 1],
                   struct net_lease *out);

/* ---- the kernel (net_nl.c: netlink; net_nft.c: nftables) ----------------- */
/* The bridge with its address, up, forwarding and route_localnet on. */
int net_nl_bridge_up(const struct net_network *n, struct be_error **err);
/* A veth pair: host end `veth` on the bridge, the other end "eth0" in the
 * network namespace of pid, with ip/prefix, lo and eth0 up and the
 * default route via the gateway. */
int net_nl_veth_add(const struct net_network *n, const char *veth, pid_t pid, uint32_t ip,
                    struct be_error **err);
/* Deletes link name; a missing link is success. */
int net_nl_link_del(const char *name, struct be_error **err);
bool net_nl_link_exists(const char *name);

/* Runs nft commands (one text, atomically); *out (may be NULL) gets the
 * output.  libnftables is loaded on first use. */
int net_nft_run(const char *cmds, char **out, struct be_error **err);
/* True when libnftables can be loaded (it is, then). */
bool net_nft_available(void);
/* The default root only, as docker: net.ipv4.ip_forward=1, so that replies
 * to masqueraded traffic come back in through the host's uplink. */
int net_nl_host_forwarding(struct be_error **err);

/* net_lease.c: at create, each fixed host port of ports is free on the
 * host and published by no other container of the root (name excepted). */
int net_ports_check(struct be_ctx *ctx, const char *name, const struct be_port *ports, size_t n,
                    struct be_error **err);
/* True when bridge networking is the default: the default root, run by
 * root, with libnftables at hand. */
bool net_bridge_default(const struct be_ctx *ctx);

/* ---- joining and leaving (net_attach.c) ---------------------------------- */
/* Before the container's init is cloned (keeper, container lock held):
 * the network up (bridge, table), an address leased to this keeper, free
 * host ports chosen for -p CTRPORT, conflicts refused, and hosts and
 * resolv.conf written into ROOT/containers/NAME/. */
struct net_join {
	struct net_network net;
	struct net_lease lease;
	char veth[16];
	int *port_fds; /* the host ports, held (bound) while the keeper lives */
	size_t n_port_fds;
};
int net_join_prepare(struct be_ctx *ctx, const char *name, const char *network,
                     const struct be_port *ports, size_t n_ports, struct net_join *j,
                     struct be_error **err);
/* Once the init exists (its parent's hook): veth into its namespace, port
 * rules, the other members' hosts files refreshed. */
int net_join_attach(struct be_ctx *ctx, struct net_join *j, pid_t pid, struct be_error **err);
void net_join_clear(struct net_join *j);
/* The container left (or its keeper died): its veth, lease and port rules
 * removed; the bridge and the table too when nothing else uses them.
 * Only a lease whose keeper is dead or is this process is touched. */
int net_leave(struct be_ctx *ctx, const char *name, struct be_error **err);

#endif
