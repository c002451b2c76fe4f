/* A container's network settings at create: the mode (bridge by default
 * where net_bridge_default says so), the network it joins (which must
 * exist; the default one is made on first use) and its published ports
 * (checked for conflicts now, so that start does not fail on them). */
#include <errno.h>
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
