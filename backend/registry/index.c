/* The index of layers berth holds as registry blobs,
 * ROOT/registry/layers.json: for each local layer its chain id, diff id,
 * blob digest, size and media type.  A pull finds layers it already has by
 * chain id; a push finds the blobs it made before.  An entry whose layer
 * is gone is ignored and dropped at the next write (layers are removed by
 * image/ and journal/, which do not know this file; it is outside the
 * records they scan for layer ids, so it keeps no layer alive). */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "layer/layer.h"
#include "registry/registry.h"
#include "store/store.h"

static char *index_path(const struct be_ctx *ctx)
{
	return ctx_path(ctx, "registry/layers.json");
}

static bool copy_str(char *dst, size_t len, json_t *v)
{
	const char *s = json_string_value(v);
	if (s == NULL || strlen(s) >= len)
		return false;
	memcpy(dst, s, strlen(s) + 1);
	return true;
}

static bool ent_from_json(json_t *o, struct reg_layer_ent *e)
{
	*e = (struct reg_layer_ent){0};
	json_t *size = json_object_get(o, "blob_size");
	if (!copy_str(e->layer, sizeof(e->layer), json_object_get(o, "layer")) ||
	    !copy_str(e->chain, sizeof(e->chain), json_object_get(o, "chain")) ||
	    !copy_str(e->diff_id, sizeof(e->diff_id), json_object_get(o, "diff_id")) ||
	    !copy_str(e->blob, sizeof(e->blob), json_object_get(o, "blob")) ||
	    !copy_str(e->media_type, sizeof(e->media_type), json_object_get(o, "media_type")) ||
	    !json_is_integer(size))
		return false;
	e->blob_size = json_integer_value(size);
	json_t *repo = json_object_get(o, "repo");
	if (repo && !copy_str(e->repo, sizeof(e->repo), repo))
		return false;
	return layer_id_valid(e->layer) && digest_valid(e->chain) && digest_valid(e->diff_id) &&
	       digest_valid(e->blob);
}

static json_t *ent_to_json(const struct reg_layer_ent *e)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:I,s:s,s:s}", "layer", e->layer, "chain", e->chain,
	                 "diff_id", e->diff_id, "blob", e->blob, "blob_size",
	                 (json_int_t)e->blob_size, "media_type", e->media_type, "repo", e->repo);
}

/* The entries of the file (none when it is missing or bad: the index is a
 * cache, a bad one only costs downloads). */
static json_t *load_list(const struct be_ctx *ctx)
{
	cleanup_free char *path = index_path(ctx);
	json_t *j = util_path_exists(path) ? store_load(path, NULL) : NULL;
	json_t *list = json_incref(json_object_get(j, "layers"));
	json_decref(j);
	if (!json_is_array(list)) {
		json_decref(list);
		list = json_array();
	}
	return list;
}

static bool layer_live(const struct be_ctx *ctx, const char *id, const char *parent)
{
	struct be_layer_info li;
	if (layer_load(ctx, id, &li, NULL) < 0)
		return false;
	return parent == NULL || strcmp(li.parent, parent) == 0;
}

int reg_index_by_chain(const struct be_ctx *ctx, const char *chain, const char *parent,
                       struct reg_layer_ent *out)
{
	cleanup_json json_t *list = load_list(ctx);
	size_t i;
	json_t *o;
	json_array_foreach(list, i, o)
	{
		if (ent_from_json(o, out) && strcmp(out->chain, chain) == 0 &&
		    layer_live(ctx, out->layer, parent))
			return 0;
	}
	return 1;
}

void reg_index_for_layer(const struct be_ctx *ctx, const char *id, struct reg_layer_ent **out,
                         size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!layer_live(ctx, id, NULL))
		return;
	cleanup_json json_t *list = load_list(ctx);
	*out = xcalloc(json_array_size(list) + 1, sizeof(**out));
	size_t i;
	json_t *o;
	json_array_foreach(list, i, o)
	{
		if (ent_from_json(o, &(*out)[*n]) && strcmp((*out)[*n].layer, id) == 0)
			(*n)++;
	}
}

int reg_index_add(const struct be_ctx *ctx, const struct reg_layer_ent *ents, size_t n,
                  struct be_error **err)
{
	cleanup_lock struct be_lock *lock = NULL;
	if (store_lock_take(ctx, "registry", "layers", &lock, err) < 0)
		return -1;
	cleanup_free char *dir = ctx_path(ctx, "registry");
	if (util_mkdir_p(dir, 0700, err) < 0)
		return -1;
	cleanup_json json_t *old = load_list(ctx);
	cleanup_json json_t *list = json_array();
	size_t i;
	json_t *o;
	json_array_foreach(old, i, o)
	{
		struct reg_layer_ent e;
		bool replaced = false;
		for (size_t k = 0; k < n && !replaced; k++)
			replaced = ent_from_json(o, &e) && strcmp(e.layer, ents[k].layer) == 0 &&
			           strcmp(e.chain, ents[k].chain) == 0;
		if (!replaced && ent_from_json(o, &e) && layer_live(ctx, e.layer, NULL))
			json_array_append(list, o);
	}
	for (size_t k = 0; k < n; k++)
		json_array_append_new(list, ent_to_json(&ents[k]));
	cleanup_json json_t *top = json_pack("{s:O}", "layers", list);
	cleanup_free char *path = index_path(ctx);
	return store_save(path, top, BE_STORE_DURABLE, err);
}
