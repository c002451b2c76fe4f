/* Networks: ROOT/networks/NAME.json (subnet, bridge name), the default
 * network made on first use with a subnet that avoids the host's routes,
 * and the names berth gives its kernel objects (bridge, veth, table). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/net.h"
#include "record/record.h"
#include "store/store.h"

static const struct be_field network_fields[] = {
        {"name", JSON_STRING, false},   {"subnet", JSON_STRING, false},
        {"bridge", JSON_STRING, false}, {"auto_subnet", JSON_TRUE, true},
        {"mtu", JSON_INTEGER, true},
};

static uint64_t fnv(const char *a, const char *b)
{
	uint64_t h = 1469598103934665603ull;
	for (const char *s = a; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	h = (h ^ '/') * 1099511628211ull;
	for (const char *s = b; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static bool default_root(const struct be_ctx *ctx)
{
	return strcmp(be_ctx_cgroup_parent(ctx), "berth") == 0;
}

bool net_bridge_default(const struct be_ctx *ctx)
{
	return default_root(ctx) && geteuid() == 0 && net_nft_available();
}

void net_table_name(const struct be_ctx *ctx, char buf[32])
{
	if (default_root(ctx))
		snprintf(buf, 32, "berth");
	else
		snprintf(buf, 32, "berth-%08x", (unsigned)(fnv(ctx->root, "") & 0xffffffffu));
}

void net_veth_name(const struct be_ctx *ctx, const char *container, char buf[16])
{
	snprintf(buf, 16, "bv%010llx",
	         (unsigned long long)(fnv(ctx->root, container) & 0xffffffffffull));
}

static void bridge_name(const struct be_ctx *ctx, const char *net, char buf[16])
{
	if (default_root(ctx) && strcmp(net, BE_NET_DEFAULT) == 0)
		snprintf(buf, 16, "berth0");
	else
		snprintf(buf, 16, "bt%010llx",
		         (unsigned long long)(fnv(ctx->root, net) & 0xffffffffffull));
}

/* The host's IPv4 routes (destination, prefix) from /proc/net/route,
 * default routes left out (they cover all). */
static size_t host_routes(const struct be_ctx *ctx, uint32_t *dst, unsigned *pfx, size_t max)
{
	cleanup_free char *path = xasprintf("%s/net/route", ctx->proc_root);
	cleanup_free char *text = util_read_file(path, NULL, NULL);
	struct net_route r[256];
	size_t all = net_routes_parse(text, r, sizeof(r) / sizeof(r[0])), n = 0;
	for (size_t i = 0; i < all && n < max; i++)
		if (r[i].prefix > 0) {
			dst[n] = r[i].dst;
			pfx[n++] = r[i].prefix;
		}
	return n;
}

static int network_from_json(const char *path, json_t *o, struct net_network *out,
                             struct be_error **err)
{
	if (BE_STORE_CHECK(path, o, network_fields, err) < 0)
		return -1;
	memset(out, 0, sizeof(*out));
	const char *name = json_string_value(json_object_get(o, "name"));
	const char *br = json_string_value(json_object_get(o, "bridge"));
	if (!be_name_valid(name) || strlen(br) == 0 || strlen(br) > 15 || strchr(br, '/'))
		return be_error_set(err, 0, "%s: bad name or bridge", path);
	if (be_net_parse_cidr(json_string_value(json_object_get(o, "subnet")), &out->subnet,
	                      &out->prefix, err) < 0)
		return be_error_wrap(err, "%s", path);
	snprintf(out->name, sizeof(out->name), "%s", name);
	snprintf(out->bridge, sizeof(out->bridge), "%s", br);
	out->gateway = out->subnet + 1;
	out->auto_subnet = json_is_true(json_object_get(o, "auto_subnet"));
	json_t *mtu = json_object_get(o, "mtu");
	out->mtu = BE_NET_MTU_DEFAULT; /* records written before the field */
	if (mtu) {
		json_int_t v = json_integer_value(mtu);
		if (v < BE_NET_MTU_MIN || v > 65535)
			return be_error_set(err, 0, "%s: mtu %lld is not in %u-65535", path,
			                    (long long)v, BE_NET_MTU_MIN);
		out->mtu = (unsigned)v;
	}
	return 0;
}

static int load_record(struct be_ctx *ctx, const char *name, struct net_network *out,
                       struct be_error **err)
{
	cleanup_free char *path = ctx_path(ctx, "networks/%s.json", name);
	if (!util_path_exists(path))
		return be_error_set(err, ENOENT, "no such network: %s", name);
	cleanup_json json_t *o = store_load(path, err);
	if (o == NULL)
		return -1;
	return network_from_json(path, o, out, err);
}

/* Every network record of the root; free the array. */
static size_t all_networks(struct be_ctx *ctx, struct net_network **out)
{
	*out = NULL;
	size_t n = 0;
	cleanup_free char *dir = ctx_path(ctx, "networks");
	cleanup_dir DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		char name[BE_NAME_MAX + 8];
		size_t len = strlen(e->d_name);
		if (len < 6 || len - 5 > BE_NAME_MAX || strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(len - 5), e->d_name);
		struct net_network nn;
		if (!be_name_valid(name) || load_record(ctx, name, &nn, NULL) < 0)
			continue;
		*out = xrealloc(*out, (n + 1) * sizeof(**out));
		(*out)[n++] = nn;
	}
	return n;
}

/* Writes a new network record; the caller holds the network's lock. */
static int create_locked(struct be_ctx *ctx, const char *name, const char *subnet, unsigned mtu,
                         struct be_error **err)
{
	cleanup_free char *path = ctx_path(ctx, "networks/%s.json", name);
	if (util_path_exists(path))
		return be_error_set(err, EEXIST, "network %s already exists", name);
	cleanup_free struct net_network *all = NULL;
	size_t n = all_networks(ctx, &all);
	uint32_t taken[300];
	unsigned tp[300];
	size_t k = host_routes(ctx, taken, tp, 200);
	for (size_t i = 0; i < n && k < 300; i++, k++) {
		taken[k] = all[i].subnet;
		tp[k] = all[i].prefix;
	}
	uint32_t addr;
	unsigned prefix = 24;
	if (subnet) {
		if (be_net_parse_cidr(subnet, &addr, &prefix, err) < 0)
			return -1;
		for (size_t i = 0; i < k; i++)
			if (net_overlaps(addr, prefix, taken[i], tp[i]))
				return be_error_set(
				        err, EEXIST,
				        "subnet %s overlaps a route of the host or another "
				        "network",
				        subnet);
	} else {
		unsigned start = default_root(ctx) ? 0 : (unsigned)(fnv(ctx->root, name) % 256);
		addr = net_subnet_pick(taken, tp, k, start);
		if (addr == 0)
			return be_error_set(err, 0,
			                    "no free /24 left in 10.210.0.0/16: give --subnet");
	}
	char br[16], ip[16];
	bridge_name(ctx, name, br);
	cleanup_free char *cidr = xasprintf("%s/%u", net_ip_str(addr, ip), prefix);
	cleanup_json json_t *o = json_pack("{s:s,s:s,s:s,s:b,s:i}", "name", name, "subnet", cidr,
	                                   "bridge", br, "auto_subnet", subnet == NULL, "mtu",
	                                   (int)(mtu ? mtu : BE_NET_MTU_DEFAULT));
	cleanup_free char *dir = ctx_path(ctx, "networks");
	if (util_mkdir_p(dir, 0700, err) < 0)
		return -1;
	return store_save(path, o, BE_STORE_DURABLE, err);
}

int be_net_network_create(struct be_ctx *ctx, const char *name, const char *subnet, unsigned mtu,
                          struct be_error **err)
{
	if (be_name_check("network", name, err) < 0)
		return -1;
	if (mtu != 0 && (mtu < BE_NET_MTU_MIN || mtu > 65535))
		return be_error_set(err, EINVAL, "mtu %u is not in %u-65535", mtu, BE_NET_MTU_MIN);
	if (strcmp(name, "none") == 0 || strcmp(name, "host") == 0)
		return be_error_set(err, 0, "network name %s is reserved", name);
	cleanup_lock struct be_lock *lock = NULL;
	if (store_lock_take(ctx, "network", name, &lock, err) < 0)
		return -1;
	if (create_locked(ctx, name, subnet, mtu, err) < 0)
		return be_error_wrap(err, "creating network %s", name);
	return 0;
}

int net_network_load(struct be_ctx *ctx, const char *name, struct net_network *out,
                     struct be_error **err)
{
	if (be_name_check("network", name, err) < 0)
		return -1;
	cleanup_free char *path = ctx_path(ctx, "networks/%s.json", name);
	if (!util_path_exists(path) && strcmp(name, BE_NET_DEFAULT) == 0) {
		struct be_error *e2 = NULL;
		if (be_net_network_create(ctx, name, NULL, 0, &e2) < 0 && e2->errnum != EEXIST) {
			if (err && *err == NULL)
				*err = e2;
			else
				be_error_free(e2);
			return -1;
		}
		be_error_free(e2);
	}
	return load_record(ctx, name, out, err);
}

/* Names of containers whose config names network net. */
static size_t network_users(struct be_ctx *ctx, const char *net, char *first, size_t len)
{
	size_t n = 0;
	cleanup_free char *dir = ctx_path(ctx, "containers");
	cleanup_dir DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		struct rec_config cfg;
		if (!be_name_valid(e->d_name) || rec_config_load(ctx, e->d_name, &cfg, NULL) < 0)
			continue;
		if (cfg.net == BE_NET_BRIDGE && cfg.network && strcmp(cfg.network, net) == 0 &&
		    n++ == 0)
			snprintf(first, len, "%s", cfg.name);
		rec_config_clear(&cfg);
	}
	return n;
}

int be_net_network_remove(struct be_ctx *ctx, const char *name, struct be_error **err)
{
	if (be_name_check("network", name, err) < 0)
		return -1;
	cleanup_lock struct be_lock *lock = NULL;
	if (store_lock_take(ctx, "network", name, &lock, err) < 0)
		return -1;
	struct net_network nn;
	char user[BE_NAME_MAX + 1] = "";
	int r = load_record(ctx, name, &nn, err);
	if (r == 0 && network_users(ctx, name, user, sizeof(user)) > 0)
		r = be_error_set(err, EBUSY, "network %s is used by container %s (remove it first)",
		                 name, user);
	cleanup_free char *path = ctx_path(ctx, "networks/%s.json", name);
	if (r == 0 && unlink(path) < 0)
		r = be_error_set(err, errno, "removing %s", path);
	if (r == 0)
		store_lock_drop_file(lock);
	return r;
}

static void fill_info(struct be_ctx *ctx, const struct net_network *nn, struct be_network_info *out)
{
	memset(out, 0, sizeof(*out));
	char ip[16];
	snprintf(out->name, sizeof(out->name), "%s", nn->name);
	snprintf(out->bridge, sizeof(out->bridge), "%s", nn->bridge);
	snprintf(out->subnet, sizeof(out->subnet), "%s/%u", net_ip_str(nn->subnet, ip), nn->prefix);
	net_ip_str(nn->gateway, out->gateway);
	out->mtu = nn->mtu;
	out->active = net_nl_link_exists(nn->bridge);
	struct net_lease *l = NULL;
	size_t n = 0;
	if (net_leases(ctx, nn->name, &l, &n, NULL) == 0)
		for (size_t i = 0; i < n; i++)
			out->n_members += net_lease_live(ctx, &l[i]);
	for (size_t i = 0; i < n; i++)
		net_lease_clear(&l[i]);
	free(l);
}

int be_net_network_list(struct be_ctx *ctx, struct be_network_info **out, size_t *n,
                        struct be_error **err)
{
	(void)err;
	cleanup_free struct net_network *all = NULL;
	size_t k = all_networks(ctx, &all);
	*out = xcalloc(k + 1, sizeof(**out));
	for (size_t i = 0; i < k; i++)
		fill_info(ctx, &all[i], &(*out)[i]);
	*n = k;
	return 0;
}

int be_net_network_inspect_json(struct be_ctx *ctx, const char *name, char **out,
                                struct be_error **err)
{
	struct net_network nn;
	if (be_name_check("network", name, err) < 0 || load_record(ctx, name, &nn, err) < 0)
		return -1;
	struct be_network_info info;
	fill_info(ctx, &nn, &info);
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:i,s:b,s:b}", "name", info.name, "bridge",
	                      info.bridge, "subnet", info.subnet, "gateway", info.gateway, "mtu",
	                      (int)info.mtu, "active", info.active, "auto_subnet", nn.auto_subnet);
	json_t *members = json_array();
	struct net_lease *l = NULL;
	size_t n = 0;
	net_leases(ctx, name, &l, &n, NULL);
	for (size_t i = 0; i < n; i++) {
		char ip[16];
		if (net_lease_live(ctx, &l[i]))
			json_array_append_new(members,
			                      json_pack("{s:s,s:s}", "container", l[i].container,
			                                "ip", net_ip_str(l[i].ip, ip)));
		net_lease_clear(&l[i]);
	}
	free(l);
	json_object_set_new(o, "containers", members);
	char t[32];
	net_table_name(ctx, t);
	json_object_set_new(o, "nft_table", json_string(t));
	*out = json_dumps(o, JSON_INDENT(2));
	json_decref(o);
	return 0;
}
