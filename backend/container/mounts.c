/* The keeper's side of a container's mounts: each recorded mount's source
 * opened (as a detached mount) for the sandbox to move into place. */
#include <stdlib.h>
#include <unistd.h>

#include "container/container.h"
#include "volume/volume.h"

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
