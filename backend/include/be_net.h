/* Public API of container networking: published ports (-p), user networks
 * (berth network create|ls|rm|inspect) and what a container got (its
 * address, its ports). */
#ifndef BE_NET_H
#define BE_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct be_ctx;
struct be_error;

/* The default bridge network of every root. */
#define BE_NET_DEFAULT "bridge"

enum be_proto { BE_PROTO_TCP = 0, BE_PROTO_UDP = 1 };

/* One published port.  host_port 0: a free port chosen at start. */
struct be_port {
	enum be_proto proto;
	char host_ip[16]; /* dotted IPv4; "" (or 0.0.0.0) for every address */
	uint16_t host_port;
	uint16_t ctr_port;
};

/* -p [IP:]HOSTPORT:CTRPORT[/tcp|udp] or -p CTRPORT[/proto]: fills out, or
 * fails with a one-line error (IPv4 only). */
int be_net_parse_port(const char *text, struct be_port *out, struct be_error **err);
const char *be_net_proto_name(enum be_proto p);
/* "127.0.0.1:8080->80/tcp" into buf. */
const char *be_net_port_format(const struct be_port *p, char *buf, size_t len);

/* A CIDR "10.1.2.0/24": network address and prefix length (8-30).  Host
 * bits set are refused. */
int be_net_parse_cidr(const char *text, uint32_t *addr, unsigned *prefix, struct be_error **err);

/* A network.  Strings are inline. */
struct be_network_info {
	char name[65];
	char bridge[16];  /* its bridge device */
	char subnet[20];  /* "10.210.3.0/24" */
	char gateway[16]; /* the bridge's address */
	unsigned mtu;     /* of its bridge and veths (routes out: the uplink's) */
	bool active;      /* its bridge exists now */
	size_t n_members; /* running containers on it */
};

/* The MTU of a network's bridge and veths unless one is given: traffic
 * between the host and its containers goes as on loopback (64 KiB frames);
 * a container's default route carries the MTU of the host's uplink, so
 * what leaves the host is sized for the wire. */
#define BE_NET_MTU_DEFAULT 65535u
#define BE_NET_MTU_MIN 1280u

/* Creates network NAME (subnet NULL: chosen to avoid the host's routes and
 * this root's other networks; mtu 0: BE_NET_MTU_DEFAULT, else
 * BE_NET_MTU_MIN..65535).  An existing name is refused, and so is
 * "none"/"host".  Nothing is made in the kernel until a container joins. */
int be_net_network_create(struct be_ctx *ctx, const char *name, const char *subnet, unsigned mtu,
                          struct be_error **err);
int be_net_network_list(struct be_ctx *ctx, struct be_network_info **out, size_t *n,
                        struct be_error **err);
/* Refused while a container (running or not) names it. */
int be_net_network_remove(struct be_ctx *ctx, const char *name, struct be_error **err);
/* JSON of `network inspect` (members with their addresses); caller frees. */
int be_net_network_inspect_json(struct be_ctx *ctx, const char *name, char **out,
                                struct be_error **err);

/* A running container's address and published ports (host ports as
 * chosen at start).  *ports is freed by the caller; *ip may be "". */
int be_net_container_ports(struct be_ctx *ctx, const char *name, char ip[16],
                           struct be_port **ports, size_t *n, struct be_error **err);

#endif
