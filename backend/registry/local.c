/* Image commands that go with pull and push but stay on this machine: tag
 * (a second name over the same layers), history (each layer with its
 * origin and, when known, its registry blob). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "layer/layer.h"
#include "registry/registry.h"

int be_registry_tag(const struct be_ctx *ctx, const char *image, const char *name,
                    struct be_error **err)
{
	if (be_name_check("image", name, err) < 0)
		return -1;
	struct be_image_rec *rec = NULL;
	if (image_load(ctx, image, &rec, err) < 0)
		return be_error_wrap(err, "tagging %s", image);
	cleanup_free char *source =
	        xasprintf("tag of %s (%s)", image, rec->source ? rec->source : "");
	int rc = image_register_chain(ctx, name, rec->layers, rec->n_layers, rec, source, false,
	                              err);
	image_rec_free(rec);
	if (rc < 0)
		return be_error_wrap(err, "tagging %s as %s", image, name);
	return 0;
}

void be_registry_history_free(struct be_reg_layer *v, size_t n)
{
	(void)n;
	free(v);
}

int be_registry_history(const struct be_ctx *ctx, const char *image, struct be_reg_layer **out,
                        size_t *n, struct be_error **err)
{
	struct be_image_rec *rec = NULL;
	if (image_load(ctx, image, &rec, err) < 0)
		return -1;
	struct be_reg_layer *v = xcalloc(rec->n_layers + 1, sizeof(*v));
	int rc = 0;
	for (size_t i = 0; i < rec->n_layers && rc == 0; i++) {
		struct be_layer_info li;
		int64_t files;
		rc = layer_load(ctx, rec->layers[i], &li, err);
		if (rc == 0)
			rc = layer_size(ctx, rec->layers[i], &v[i].size, &files, err);
		if (rc < 0)
			break;
		snprintf(v[i].id, sizeof(v[i].id), "%s", li.id);
		snprintf(v[i].origin, sizeof(v[i].origin), "%s", li.origin);
		v[i].created = li.created;
		struct reg_layer_ent *e = NULL;
		size_t k = 0;
		reg_index_for_layer(ctx, li.id, &e, &k);
		if (k > 0) {
			snprintf(v[i].blob, sizeof(v[i].blob), "%s", e[k - 1].blob);
			snprintf(v[i].diff_id, sizeof(v[i].diff_id), "%s", e[k - 1].diff_id);
		}
		free(e);
	}
	size_t count = rec->n_layers;
	image_rec_free(rec);
	if (rc < 0) {
		free(v);
		return -1;
	}
	*out = v;
	*n = count;
	return 0;
}
