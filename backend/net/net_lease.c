/* Leases: RUN/net/NET/A.B.C.D.json, one per address a container holds,
 * naming the container and its keeper (pid and start time: a lease whose
 * keeper died is free again) and the ports published for it (taken and
 * dropped under the root's net lock); and the check of published ports at
 * create: each fixed host port must be free on the host and published by
 * no other container of this root (docker fails the same way, only later). */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/net.h"
#include "record/record.h"
#include "store/store.h"

static const struct be_field lease_fields[] = {
        {"container", JSON_STRING, false},   {"ip", JSON_STRING, false},
        {"keeper_pid", JSON_INTEGER, false}, {"keeper_start", JSON_INTEGER, false},
        {"ports", JSON_ARRAY, false},
};

void net_lease_clear(struct net_lease *l)
{
	free(l->ports);
	memset(l, 0, sizeof(*l));
}

static int lease_load(const char *path, struct net_lease *out, struct be_error **err)
{
	memset(out, 0, sizeof(*out));
	cleanup_json json_t *o = store_load(path, err);
	if (o == NULL || BE_STORE_CHECK(path, o, lease_fields, err) < 0)
		return -1;
	const char *c = json_string_value(json_object_get(o, "container"));
	if (!be_name_valid(c) ||
	    net_ip_parse(json_string_value(json_object_get(o, "ip")), &out->ip) < 0)
		return be_error_set(err, 0, "%s: bad container or ip", path);
	snprintf(out->container, sizeof(out->container), "%s", c);
	out->keeper_pid = (pid_t)json_integer_value(json_object_get(o, "keeper_pid"));
	out->keeper_start = (uint64_t)json_integer_value(json_object_get(o, "keeper_start"));
	return rec_ports_from_json(path, json_object_get(o, "ports"), &out->ports, &out->n_ports,
	                           err);
}

int net_leases(struct be_ctx *ctx, const char *net, struct net_lease **out, size_t *n,
               struct be_error **err)
{
	*out = NULL;
	*n = 0;
	cleanup_free char *dir = ctx_run_path(ctx, "net/%s", net);
	cleanup_dir DIR *d = opendir(dir);
	if (d == NULL)
		return errno == ENOENT ? 0 : be_error_set(err, errno, "reading %s", dir);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.' || len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		cleanup_free char *path = xasprintf("%s/%s", dir, e->d_name);
		struct net_lease l;
		if (lease_load(path, &l, NULL) < 0) {
			net_lease_clear(&l);
			continue;
		}
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[(*n)++] = l;
	}
	return 0;
}

bool net_lease_live(const struct be_ctx *ctx, const struct net_lease *l)
{
	return rec_proc_same(ctx, l->keeper_pid, l->keeper_start);
}

int net_lease_save(struct be_ctx *ctx, const char *net, const struct net_lease *l,
                   struct be_error **err)
{
	cleanup_free char *dir = ctx_run_path(ctx, "net/%s", net);
	if (util_mkdir_p(dir, 0700, err) < 0)
		return -1;
	char ip[16];
	cleanup_free char *path = xasprintf("%s/%s.json", dir, net_ip_str(l->ip, ip));
	cleanup_json json_t *o = json_pack("{s:s,s:s,s:I,s:I,s:o}", "container", l->container, "ip",
	                                   ip, "keeper_pid", (json_int_t)l->keeper_pid,
	                                   "keeper_start", (json_int_t)l->keeper_start, "ports",
	                                   rec_ports_json(l->ports, l->n_ports));
	return store_save(path, o, 0, err);
}

void net_lease_remove(struct be_ctx *ctx, const char *net, uint32_t ip)
{
	char a[16];
	cleanup_free char *path = ctx_run_path(ctx, "net/%s/%s.json", net, net_ip_str(ip, a));
	unlink(path);
}

int net_lease_find(struct be_ctx *ctx, const char *name, char net[BE_NAME_MAX + 1],
                   struct net_lease *out)
{
	cleanup_free char *dir = ctx_run_path(ctx, "net");
	cleanup_dir DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;
	while (!found && d && (e = readdir(d)) != NULL) {
		if (!be_name_valid(e->d_name))
			continue;
		struct net_lease *l = NULL;
		size_t n = 0;
		net_leases(ctx, e->d_name, &l, &n, NULL);
		for (size_t i = 0; i < n; i++) {
			if (!found && strcmp(l[i].container, name) == 0) {
				*out = l[i];
				memset(&l[i], 0, sizeof(l[i]));
				snprintf(net, BE_NAME_MAX + 1, "%.64s", e->d_name);
				found = 1;
			}
			net_lease_clear(&l[i]);
		}
		free(l);
	}
	return found;
}

int be_net_container_ports(struct be_ctx *ctx, const char *name, char ip[16],
                           struct be_port **ports, size_t *n, struct be_error **err)
{
	*ports = NULL;
	*n = 0;
	ip[0] = '\0';
	if (be_name_check("container", name, err) < 0)
		return -1;
	struct rec_config cfg;
	if (rec_config_load(ctx, name, &cfg, err) < 0)
		return -1;
	rec_config_clear(&cfg);
	char net[BE_NAME_MAX + 1];
	struct net_lease l;
	if (net_lease_find(ctx, name, net, &l) == 1) {
		if (net_lease_live(ctx, &l)) {
			net_ip_str(l.ip, ip);
			*ports = steal_pointer(&l.ports);
			*n = l.n_ports;
		}
		net_lease_clear(&l);
	}
	return 0;
}

static bool same_port(const struct be_port *a, const struct be_port *b)
{
	return a->host_port && a->host_port == b->host_port && a->proto == b->proto &&
	       (!a->host_ip[0] || !b->host_ip[0] || strcmp(a->host_ip, b->host_ip) == 0);
}

/* The container of this root (not self) that publishes p, into who. */
static bool published_elsewhere(struct be_ctx *ctx, const char *self, const struct be_port *p,
                                char *who, size_t len)
{
	cleanup_free char *dir = ctx_path(ctx, "containers");
	cleanup_dir DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;
	while (!found && d && (e = readdir(d)) != NULL) {
		struct rec_config cfg;
		if (!be_name_valid(e->d_name) || strcmp(e->d_name, self) == 0 ||
		    rec_config_load(ctx, e->d_name, &cfg, NULL) < 0)
			continue;
		for (size_t i = 0; i < cfg.n_ports && !found; i++)
			if (same_port(&cfg.ports[i], p)) {
				snprintf(who, len, "%s", cfg.name);
				found = true;
			}
		rec_config_clear(&cfg);
	}
	return found;
}

/* True when a socket can take p now. */
static bool free_on_host(const struct be_port *p)
{
	int fd = socket(AF_INET,
	                (p->proto == BE_PROTO_UDP ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return true; /* cannot tell: start will */
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(p->host_port)};
	uint32_t ip = 0;
	if (p->host_ip[0])
		net_ip_parse(p->host_ip, &ip);
	sa.sin_addr.s_addr = htonl(ip);
	bool ok = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 || errno != EADDRINUSE;
	close(fd);
	return ok;
}

int net_ports_check(struct be_ctx *ctx, const char *name, const struct be_port *ports, size_t n,
                    struct be_error **err)
{
	char buf[64], who[BE_NAME_MAX + 1];
	for (size_t i = 0; i < n; i++) {
		const struct be_port *p = &ports[i];
		for (size_t k = 0; k < i; k++)
			if (same_port(&ports[k], p))
				return be_error_set(err, EADDRINUSE,
				                    "host port %s is published twice",
				                    be_net_port_format(p, buf, sizeof(buf)));
		if (p->host_port == 0)
			continue;
		if (published_elsewhere(ctx, name, p, who, sizeof(who)))
			return be_error_set(err, EADDRINUSE,
			                    "host port %u/%s is already published by container %s",
			                    p->host_port, be_net_proto_name(p->proto), who);
		if (!free_on_host(p))
			return be_error_set(err, EADDRINUSE, "host port %s is in use on the host",
			                    be_net_port_format(p, buf, sizeof(buf)));
	}
	return 0;
}
