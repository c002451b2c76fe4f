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
                   struct be_sandbox_mount **out, struct be_error **err)
{
	*out = NULL;
	if (cfg->n_mounts == 0)
		return 0;
	struct be_sandbox_mount *v = xcalloc(cfg->n_mounts, sizeof(*v));
	for (size_t i = 0; i < cfg->n_mounts; i++)
		v[i].src_fd = -1;
	for (size_t i = 0; i < cfg->n_mounts; i++) {
		const struct be_mount *m = &cfg->mounts[i];
		v[i].target = m->target;
		v[i].readonly = m->readonly;
		v[i].size = m->size;
		v[i].mode = m->mode;
		if (vol_open_source(ctx, m, &v[i].src_fd, &v[i].src_dir, err) < 0) {
			ct_mounts_close(v, cfg->n_mounts);
			return be_error_wrap(err, "mount on %s", m->target);
		}
	}
	*out = v;
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
