/* What create records and start applies beyond the root filesystem: the
 * network settings (mode, network, published ports checked for conflicts)
 * and the mounts the keeper opens for the sandbox (hosts and resolv.conf of
 * a bridge, then -v, --mount, --tmpfs); their JSON for inspect. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container/container.h"
#include "net/net.h"
#include "volume/volume.h"

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

void ct_mounts_close(struct be_sandbox_mount *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		if (v[i].src_fd >= 0)
			close(v[i].src_fd);
	free(v);
}

int ct_mounts_open(const struct be_ctx *ctx, const struct rec_config *cfg,
                   struct be_sandbox_mount **out, size_t *n_out, struct be_error **err)
{
	*out = NULL;
	*n_out = 0;
	static const char *const net_files[] = {"hosts", "resolv.conf"};
	size_t n_net = cfg->net == BE_NET_BRIDGE ? 2 : 0;
	size_t n = n_net + cfg->n_mounts;
	if (n == 0)
		return 0;
	struct be_sandbox_mount *v = xcalloc(n, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i].src_fd = -1;
	cleanup_free char *hosts = rec_path(ctx, cfg->name, net_files[0]);
	cleanup_free char *resolv = rec_path(ctx, cfg->name, net_files[1]);
	for (size_t i = 0; i < n; i++) {
		struct be_mount netm = {.type = BE_MOUNT_BIND, .force = true};
		const struct be_mount *m = &netm;
		if (i < n_net) {
			netm.source = i == 0 ? hosts : resolv;
			netm.target = (char *)(i == 0 ? "/etc/hosts" : "/etc/resolv.conf");
		} else {
			m = &cfg->mounts[i - n_net];
		}
		v[i].target = m->target;
		v[i].readonly = m->readonly;
		v[i].size = m->size;
		v[i].mode = m->mode;
		if (vol_open_source(ctx, m, &v[i].src_fd, &v[i].src_dir, err) < 0) {
			be_error_wrap(err, "mount on %s", v[i].target);
			ct_mounts_close(v, n);
			return -1;
		}
	}
	*out = v;
	*n_out = n;
	return 0;
}

json_t *ct_mounts_json(const struct be_ctx *ctx, const struct rec_config *cfg)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < cfg->n_mounts; i++) {
		const struct be_mount *m = &cfg->mounts[i];
		cleanup_free char *src = m->type == BE_MOUNT_VOLUME ? vol_data_path(ctx, m->source)
		                         : m->source                ? xstrdup(m->source)
		                                                    : NULL;
		json_t *o =
		        json_pack("{s:s,s:s?,s:s,s:b}", "type", be_volume_mount_type_name(m->type),
		                  "source", src, "destination", m->target, "rw", !m->readonly);
		if (m->type == BE_MOUNT_VOLUME)
			json_object_set_new(o, "name", json_string(m->source));
		if (m->type == BE_MOUNT_TMPFS && m->size)
			json_object_set_new(o, "size", json_integer((json_int_t)m->size));
		json_array_append_new(arr, o);
	}
	return arr;
}
