/* Snapshot records: containers/<name>/snapshots.json (the snapshot tree)
 * and op.json (the intent record of an operation in progress), both
 * written durably through the store. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "journal/journal.h"
#include "store/store.h"
#include "record/record.h"

/* ---- snapshots.json ------------------------------------------------------- */

static const struct be_field list_fields[] = {
        {"snapshots", JSON_ARRAY, false},
        {"next", JSON_INTEGER, false},
        {"current", JSON_STRING, true},
};

static const struct be_field rec_fields[] = {
        {"name", JSON_STRING, false},  {"layer", JSON_STRING, false},
        {"parent", JSON_STRING, true}, {"created", JSON_INTEGER, false},
        {"size", JSON_INTEGER, false},
};

void snap_list_clear(struct snap_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int copy_name(const char *path, const char *what, const char *s, char *dst,
                     struct be_error **err)
{
	if (s == NULL || *s == '\0') {
		dst[0] = '\0';
		return 0;
	}
	if (!be_name_valid(s))
		return be_error_set(err, 0, "%s: %s \"%s\" is not a valid snapshot name", path,
		                    what, s);
	snprintf(dst, BE_NAME_MAX + 1, "%s", s);
	return 0;
}

static int parse_rec(const char *path, json_t *o, struct snap_rec *r, struct be_error **err)
{
	if (!json_is_object(o))
		return be_error_set(err, 0, "%s: each snapshot must be an object", path);
	if (BE_STORE_CHECK(path, o, rec_fields, err) < 0)
		return -1;
	memset(r, 0, sizeof(*r));
	const char *name = json_string_value(json_object_get(o, "name"));
	const char *layer = json_string_value(json_object_get(o, "layer"));
	if (!be_name_valid(name))
		return be_error_set(err, 0, "%s: snapshot name \"%s\" is not valid", path, name);
	if (!layer_id_valid(layer))
		return be_error_set(err, 0, "%s: snapshot %s: layer \"%s\" is not a layer id", path,
		                    name, layer);
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->layer, sizeof(r->layer), "%s", layer);
	if (copy_name(path, "parent", json_string_value(json_object_get(o, "parent")), r->parent,
	              err) < 0)
		return -1;
	r->created = json_integer_value(json_object_get(o, "created"));
	r->size = json_integer_value(json_object_get(o, "size"));
	return 0;
}

int snap_list_parse(const char *path, json_t *o, struct snap_list *out, struct be_error **err)
{
	memset(out, 0, sizeof(*out));
	if (BE_STORE_CHECK(path, o, list_fields, err) < 0)
		return -1;
	json_t *arr = json_object_get(o, "snapshots");
	size_t n = json_array_size(arr);
	out->v = xcalloc(n ? n : 1, sizeof(*out->v));
	for (size_t i = 0; i < n; i++) {
		if (parse_rec(path, json_array_get(arr, i), &out->v[i], err) < 0)
			goto fail;
		out->n = i + 1;
		for (size_t k = 0; k < i; k++)
			if (strcmp(out->v[k].name, out->v[i].name) == 0) {
				be_error_set(err, 0, "%s: snapshot %s appears twice", path,
				             out->v[i].name);
				goto fail;
			}
	}
	out->next = json_integer_value(json_object_get(o, "next"));
	if (out->next < 1)
		out->next = 1;
	if (copy_name(path, "current", json_string_value(json_object_get(o, "current")),
	              out->current, err) < 0)
		goto fail;
	return 0;
fail:
	snap_list_clear(out);
	return -1;
}

static char *list_path(const struct be_ctx *ctx, const char *name)
{
	return rec_path(ctx, name, "snapshots.json");
}

int snap_list_load(const struct be_ctx *ctx, const char *name, struct snap_list *out,
                   struct be_error **err)
{
	memset(out, 0, sizeof(*out));
	out->next = 1;
	cleanup_free char *path = list_path(ctx, name);
	if (!util_path_exists(path))
		return 0;
	cleanup_json json_t *o = store_load(path, err);
	if (o == NULL)
		return -1;
	return snap_list_parse(path, o, out, err);
}

json_t *snap_list_json(const struct snap_list *l)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < l->n; i++) {
		const struct snap_rec *r = &l->v[i];
		json_array_append_new(
		        arr,
		        json_pack("{s:s, s:s, s:o, s:I, s:I}", "name", r->name, "layer", r->layer,
		                  "parent", r->parent[0] ? json_string(r->parent) : json_null(),
		                  "created", (json_int_t)r->created, "size", (json_int_t)r->size));
	}
	return json_pack("{s:o, s:I, s:o}", "snapshots", arr, "next", (json_int_t)l->next,
	                 "current", l->current[0] ? json_string(l->current) : json_null());
}

int snap_list_write(const struct be_ctx *ctx, const char *name, const struct snap_list *l,
                    bool durable, struct be_error **err)
{
	cleanup_free char *path = list_path(ctx, name);
	cleanup_json json_t *o = snap_list_json(l);
	if (o == NULL)
		return be_error_set(err, ENOMEM, "writing %s", path);
	return store_save(path, o, durable ? BE_STORE_DURABLE : 0, err);
}

int snap_list_save(const struct be_ctx *ctx, const char *name, const struct snap_list *l,
                   struct be_error **err)
{
	return snap_list_write(ctx, name, l, true, err);
}

struct snap_rec *snap_find(const struct snap_list *l, const char *name)
{
	for (size_t i = 0; name && i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return &l->v[i];
	return NULL;
}

struct snap_rec *snap_find_layer(const struct snap_list *l, const char *id)
{
	for (size_t i = 0; id && i < l->n; i++)
		if (strcmp(l->v[i].layer, id) == 0)
			return &l->v[i];
	return NULL;
}

void snap_list_add(struct snap_list *l, const struct snap_rec *r)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = *r;
}

void snap_list_del(struct snap_list *l, const char *name)
{
	struct snap_rec *r = snap_find(l, name);
	if (r == NULL)
		return;
	char parent[BE_NAME_MAX + 1], gone[BE_NAME_MAX + 1];
	snprintf(parent, sizeof(parent), "%s", r->parent);
	snprintf(gone, sizeof(gone), "%s", r->name);
	size_t at = (size_t)(r - l->v);
	memmove(&l->v[at], &l->v[at + 1], (l->n - at - 1) * sizeof(*l->v));
	l->n--;
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].parent, gone) == 0)
			snprintf(l->v[i].parent, sizeof(l->v[i].parent), "%s", parent);
	if (strcmp(l->current, gone) == 0)
		snprintf(l->current, sizeof(l->current), "%s", parent);
}

/* ---- op.json -------------------------------------------------------------- */

static const char *const kind_names[] = {
        [SNAP_OP_SNAPSHOT] = "snapshot", [SNAP_OP_LIVE] = "live",
        [SNAP_OP_ROLLBACK] = "rollback", [SNAP_OP_SNAPRM] = "snaprm",
        [SNAP_OP_SQUASH] = "squash",
};

const char *snap_op_kind_name(enum snap_op_kind k)
{
	return k < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[k] : "unknown";
}

static const struct be_field op_fields[] = {
        {"op", JSON_STRING, false},      {"purpose", JSON_STRING, false},
        {"snap", JSON_STRING, true},     {"layer", JSON_STRING, true},
        {"old_head", JSON_STRING, true}, {"upper_ino", JSON_INTEGER, false},
        {"frozen", JSON_TRUE, false},    {"target", JSON_STRING, true},
};

static int copy_id(const char *path, const char *key, json_t *o, char *dst, struct be_error **err)
{
	const char *s = json_string_value(json_object_get(o, key));
	dst[0] = '\0';
	if (s == NULL || *s == '\0')
		return 0;
	if (!layer_id_valid(s))
		return be_error_set(err, 0, "%s: field \"%s\" is not a layer id", path, key);
	snprintf(dst, BE_LAYER_ID_LEN + 1, "%s", s);
	return 0;
}

int snap_op_parse(const char *path, json_t *o, struct snap_op *out, struct be_error **err)
{
	memset(out, 0, sizeof(*out));
	if (BE_STORE_CHECK(path, o, op_fields, err) < 0)
		return -1;
	const char *kind = json_string_value(json_object_get(o, "op"));
	size_t k = 0;
	while (k < sizeof(kind_names) / sizeof(kind_names[0]) && strcmp(kind_names[k], kind) != 0)
		k++;
	if (k == sizeof(kind_names) / sizeof(kind_names[0]))
		return be_error_set(err, 0, "%s: unknown operation \"%s\"", path, kind);
	out->kind = (enum snap_op_kind)k;
	const char *purpose = json_string_value(json_object_get(o, "purpose"));
	if (strcmp(purpose, "snapshot") != 0 && strcmp(purpose, "commit") != 0 &&
	    strcmp(purpose, "clone") != 0)
		return be_error_set(err, 0, "%s: unknown purpose \"%s\"", path, purpose);
	snprintf(out->purpose, sizeof(out->purpose), "%s", purpose);
	if (copy_name(path, "snap", json_string_value(json_object_get(o, "snap")), out->snap, err) <
	            0 ||
	    copy_name(path, "target", json_string_value(json_object_get(o, "target")), out->target,
	              err) < 0 ||
	    copy_id(path, "layer", o, out->layer, err) < 0 ||
	    copy_id(path, "old_head", o, out->old_head, err) < 0)
		return -1;
	out->upper_ino = (uint64_t)json_integer_value(json_object_get(o, "upper_ino"));
	out->frozen = json_is_true(json_object_get(o, "frozen"));
	return 0;
}

static char *op_path(const struct be_ctx *ctx, const char *name)
{
	return rec_path(ctx, name, "op.json");
}

int snap_op_load(const struct be_ctx *ctx, const char *name, struct snap_op *out,
                 struct be_error **err)
{
	cleanup_free char *path = op_path(ctx, name);
	if (!util_path_exists(path))
		return 0;
	cleanup_json json_t *o = store_load(path, err);
	if (o == NULL || snap_op_parse(path, o, out, err) < 0)
		return -1;
	return 1;
}

static json_t *str_or_null(const char *s)
{
	return s[0] ? json_string(s) : json_null();
}

int snap_op_save(const struct be_ctx *ctx, const char *name, const struct snap_op *op,
                 struct be_error **err)
{
	cleanup_free char *path = op_path(ctx, name);
	cleanup_json json_t *o = json_pack(
	        "{s:s, s:s, s:o, s:o, s:o, s:I, s:b, s:o}", "op", snap_op_kind_name(op->kind),
	        "purpose", op->purpose[0] ? op->purpose : "snapshot", "snap", str_or_null(op->snap),
	        "layer", str_or_null(op->layer), "old_head", str_or_null(op->old_head), "upper_ino",
	        (json_int_t)op->upper_ino, "frozen", op->frozen, "target", str_or_null(op->target));
	if (o == NULL)
		return be_error_set(err, ENOMEM, "writing %s", path);
	return store_save(path, o, BE_STORE_DURABLE, err);
}

int snap_op_remove(const struct be_ctx *ctx, const char *name, struct be_error **err)
{
	cleanup_free char *path = op_path(ctx, name);
	/* Not synced: an intent that comes back after a power cut is only
	 * finished again (every step is idempotent). */
	if (unlink(path) < 0 && errno != ENOENT)
		return be_error_set(err, errno, "removing %s", path);
	return 0;
}
