/* A container's network settings at create: the mode (bridge by default
 * where net_bridge_default says so), the network it joins (which must
 * exist; the default one is made on first use) and its published ports
 * (checked for conflicts now, so that start does not fail on them). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "container/container.h"
#include "net/net.h"

int ct_net_config(struct be_ctx *ctx, const struct be_container_spec *spec, struct rec_config *cfg,
                  struct be_error **err)
{
	enum be_net_mode mode = spec->net;
	if (spec->net_default)
		mode = spec->network || spec->n_ports || net_bridge_default(ctx) ? BE_NET_BRIDGE
		                                                                 : BE_NET_NONE;
	cfg->net = mode;
	if (mode != BE_NET_BRIDGE) {
		if (spec->n_ports)
			return be_error_set(err, 0,
			                    "-p needs a bridge network (--net bridge), not "
			                    "--net %s",
			                    mode == BE_NET_HOST ? "host" : "none");
		return 0;
	}
	const char *network = spec->network ? spec->network : BE_NET_DEFAULT;
	struct net_network n;
	if (net_network_load(ctx, network, &n, err) < 0)
		return -1;
	cfg->network = xstrdup(network);
	if (net_ports_check(ctx, cfg->name, spec->ports, spec->n_ports, err) < 0)
		return -1;
	if (spec->n_ports) {
		cfg->ports = xcalloc(spec->n_ports, sizeof(*cfg->ports));
		memcpy(cfg->ports, spec->ports, spec->n_ports * sizeof(*cfg->ports));
		cfg->n_ports = spec->n_ports;
	}
	return 0;
}

void ct_net_info(struct be_ctx *ctx, const struct rec_config *cfg, bool running,
                 struct be_container_info *out)
{
	out->net = cfg->net;
	if (cfg->net != BE_NET_BRIDGE)
		return;
	snprintf(out->network, sizeof(out->network), "%s", cfg->network ? cfg->network : "");
	if (!running)
		return;
	char net[BE_NAME_MAX + 1];
	struct net_lease l;
	if (net_lease_find(ctx, cfg->name, net, &l) != 1)
		return;
	if (net_lease_live(ctx, &l)) {
		net_ip_str(l.ip, out->ip);
		size_t cap = 1 + l.n_ports * 48, len = 0;
		out->ports = xcalloc(1, cap);
		for (size_t i = 0; i < l.n_ports; i++) {
			char buf[48];
			len += (size_t)snprintf(out->ports + len, cap - len, "%s%s", i ? ", " : "",
			                        be_net_port_format(&l.ports[i], buf, sizeof(buf)));
		}
	}
	net_lease_clear(&l);
}

json_t *ct_net_json(const struct rec_config *cfg, const struct be_container_info *info)
{
	json_t *o = json_pack("{s:s}", "mode",
	                      cfg->net == BE_NET_HOST     ? "host"
	                      : cfg->net == BE_NET_BRIDGE ? "bridge"
	                                                  : "none");
	if (cfg->net != BE_NET_BRIDGE)
		return o;
	json_object_set_new(o, "network", json_string(cfg->network ? cfg->network : ""));
	json_object_set_new(o, "ip", info->ip[0] ? json_string(info->ip) : json_null());
	json_object_set_new(o, "published", rec_ports_json(cfg->ports, cfg->n_ports));
	json_object_set_new(o, "ports", json_string(info->ports ? info->ports : ""));
	return o;
}
