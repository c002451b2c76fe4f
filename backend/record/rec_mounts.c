/* The mounts of a container's config.json: -v, --mount and --tmpfs as
 * vol_prepare recorded them (bind sources resolved, volumes by name). */
#include <string.h>

#include "record/record.h"
#include "store/store.h"

static const struct be_field mount_fields[] = {
        {"type", JSON_STRING, false},   {"source", JSON_STRING, true},
        {"target", JSON_STRING, false}, {"readonly", JSON_TRUE, true},
        {"force", JSON_TRUE, true},     {"size", JSON_INTEGER, true},
        {"mode", JSON_INTEGER, true},
};

json_t *rec_mounts_json(const struct rec_config *c)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct be_mount *m = &c->mounts[i];
		json_t *o = json_pack("{s:s,s:s?,s:s,s:b}", "type",
		                      be_volume_mount_type_name(m->type), "source", m->source,
		                      "target", m->target, "readonly", m->readonly);
		if (m->force)
			json_object_set_new(o, "force", json_true());
		if (m->size)
			json_object_set_new(o, "size", json_integer((json_int_t)m->size));
		if (m->mode)
			json_object_set_new(o, "mode", json_integer((json_int_t)m->mode));
		json_array_append_new(arr, o);
	}
	return arr;
}

static int mount_from_json(const char *path, json_t *o, struct be_mount *m, struct be_error **err)
{
	if (BE_STORE_CHECK(path, o, mount_fields, err) < 0)
		return -1;
	const char *type = json_string_value(json_object_get(o, "type"));
	const char *src = json_string_value(json_object_get(o, "source"));
	const char *target = json_string_value(json_object_get(o, "target"));
	if (strcmp(type, "bind") == 0)
		m->type = BE_MOUNT_BIND;
	else if (strcmp(type, "volume") == 0)
		m->type = BE_MOUNT_VOLUME;
	else if (strcmp(type, "tmpfs") == 0)
		m->type = BE_MOUNT_TMPFS;
	else
		return be_error_set(err, 0, "%s: mount type \"%.40s\" is unknown", path, type);
	if (target[0] != '/' || (m->type == BE_MOUNT_BIND && (src == NULL || src[0] != '/')) ||
	    (m->type == BE_MOUNT_VOLUME && !be_name_valid(src)))
		return be_error_set(err, 0, "%s: a mount's source or target is not valid", path);
	json_int_t size = json_integer_value(json_object_get(o, "size"));
	json_int_t mode = json_integer_value(json_object_get(o, "mode"));
	if (size < 0 || mode < 0 || mode > 07777)
		return be_error_set(err, 0, "%s: a tmpfs size or mode is out of range", path);
	m->source = src && m->type != BE_MOUNT_TMPFS ? xstrdup(src) : NULL;
	m->target = xstrdup(target);
	m->readonly = json_is_true(json_object_get(o, "readonly"));
	m->force = json_is_true(json_object_get(o, "force"));
	m->size = (uint64_t)size;
	m->mode = (unsigned)mode;
	return 0;
}

int rec_mounts_from_json(const char *path, json_t *arr, struct rec_config *out,
                         struct be_error **err)
{
	size_t n = json_is_array(arr) ? json_array_size(arr) : 0;
	if (n == 0)
		return 0;
	out->mounts = xcalloc(n, sizeof(*out->mounts));
	for (size_t i = 0; i < n; i++) {
		if (mount_from_json(path, json_array_get(arr, i), &out->mounts[i], err) < 0)
			return -1;
		out->n_mounts = i + 1;
	}
	return 0;
}

static const struct be_field port_fields[] = {
        {"proto", JSON_STRING, false},
        {"host_ip", JSON_STRING, false},
        {"host_port", JSON_INTEGER, false},
        {"port", JSON_INTEGER, false},
};

json_t *rec_ports_json(const struct be_port *p, size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s,s:s,s:i,s:i}", "proto",
		                                     be_net_proto_name(p[i].proto), "host_ip",
		                                     p[i].host_ip, "host_port", p[i].host_port,
		                                     "port", p[i].ctr_port));
	return arr;
}

static int port_from_json(const char *path, json_t *o, struct be_port *p, struct be_error **err)
{
	if (BE_STORE_CHECK(path, o, port_fields, err) < 0)
		return -1;
	const char *proto = json_string_value(json_object_get(o, "proto"));
	const char *ip = json_string_value(json_object_get(o, "host_ip"));
	json_int_t hp = json_integer_value(json_object_get(o, "host_port"));
	json_int_t cp = json_integer_value(json_object_get(o, "port"));
	struct be_port chk;
	char text[80];
	snprintf(text, sizeof(text), "%s:1:%lld/%s", ip[0] ? ip : "0.0.0.0", (long long)cp, proto);
	if (hp < 0 || hp > 65535 || strlen(ip) > 15 || be_net_parse_port(text, &chk, NULL) < 0)
		return be_error_set(err, 0, "%s: a published port is not valid", path);
	*p = chk;
	p->host_port = (uint16_t)hp;
	return 0;
}

int rec_ports_from_json(const char *path, json_t *arr, struct be_port **out, size_t *n,
                        struct be_error **err)
{
	*n = json_is_array(arr) ? json_array_size(arr) : 0;
	*out = *n ? xcalloc(*n, sizeof(**out)) : NULL;
	for (size_t i = 0; i < *n; i++)
		if (port_from_json(path, json_array_get(arr, i), &(*out)[i], err) < 0)
			return -1;
	return 0;
}
