/* Published ports checked at create, before anything runs: each fixed host
 * port must be free on the host and not published by another container of
 * this root (docker fails the same way, only later). */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/net.h"
#include "record/record.h"

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
