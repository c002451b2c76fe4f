/* The UI's settings file (config.json in the user's config directory):
 * read and checked field by field, written atomically, keys of newer
 * versions kept. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "berth.h"
#include "store/store.h"

char *be_ui_config_path(void)
{
	const char *x = getenv("XDG_CONFIG_HOME");
	if (x && x[0] == '/')
		return xasprintf("%s/berth/config.json", x);
	const char *h = getenv("HOME");
	if (h && h[0] == '/')
		return xasprintf("%s/.config/berth/config.json", h);
	return NULL;
}

static const struct be_field fields[] = {
        {"columns", JSON_ARRAY, true}, {"sort", JSON_STRING, true},  {"reverse", JSON_TRUE, true},
        {"tree", JSON_TRUE, true},     {"theme", JSON_STRING, true}, {"delay", JSON_REAL, true},
        {"readonly", JSON_TRUE, true},
};

static int copy_str(const char *path, json_t *v, const char *key, char *out, size_t len,
                    struct be_error **err)
{
	const char *s = json_string_value(v);
	if (s == NULL)
		return 0;
	if (strlen(s) >= len || strchr(s, '/'))
		return be_error_set(err, 0, "%s: \"%s\" is not a valid %s", path, s, key);
	snprintf(out, len, "%s", s);
	return 0;
}

static int read_columns(const char *path, json_t *arr, struct be_ui_config *c,
                        struct be_error **err)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		if (c->ncolumns >= BE_UI_COLUMNS_MAX)
			return be_error_set(err, 0, "%s: more than %d columns", path,
			                    BE_UI_COLUMNS_MAX);
		if (!json_is_string(v))
			return be_error_set(err, 0, "%s: columns[%zu] must be a string", path, i);
		if (copy_str(path, v, "column", c->columns[c->ncolumns], BE_UI_ID_MAX, err) < 0)
			return -1;
		c->ncolumns++;
	}
	return 0;
}

static int from_json(const char *path, json_t *o, struct be_ui_config *c, struct be_error **err)
{
	if (BE_STORE_CHECK(path, o, fields, err) < 0)
		return -1;
	json_t *v;
	if ((v = json_object_get(o, "columns")) && read_columns(path, v, c, err) < 0)
		return -1;
	if (copy_str(path, json_object_get(o, "sort"), "sort column", c->sort, sizeof(c->sort),
	             err) < 0 ||
	    copy_str(path, json_object_get(o, "theme"), "theme name", c->theme, sizeof(c->theme),
	             err) < 0)
		return -1;
	c->reverse = json_is_true(json_object_get(o, "reverse"));
	c->tree = json_is_true(json_object_get(o, "tree"));
	c->readonly = json_is_true(json_object_get(o, "readonly"));
	if ((v = json_object_get(o, "delay"))) {
		double d = json_number_value(v);
		if (d != 0 && (d < 0.1 || d > 3600))
			return be_error_set(err, 0, "%s: delay %g is not between 0.1 and 3600",
			                    path, d);
		c->delay = d;
	}
	return 0;
}

int be_ui_config_load(const char *path, struct be_ui_config *out, struct be_error **err)
{
	memset(out, 0, sizeof(*out));
	if (!util_path_exists(path))
		return 0;
	cleanup_json json_t *o = store_load(path, err);
	if (o == NULL)
		return -1;
	struct be_ui_config c = {0};
	if (from_json(path, o, &c, err) < 0)
		return -1;
	*out = c;
	return 0;
}

static json_t *to_json(json_t *o, const struct be_ui_config *c)
{
	json_t *cols = json_array();
	for (size_t i = 0; i < c->ncolumns; i++)
		json_array_append_new(cols, json_string(c->columns[i]));
	json_object_set_new(o, "columns", cols);
	json_object_set_new(o, "sort", json_string(c->sort));
	json_object_set_new(o, "reverse", json_boolean(c->reverse));
	json_object_set_new(o, "tree", json_boolean(c->tree));
	json_object_set_new(o, "theme", json_string(c->theme));
	json_object_set_new(o, "delay", json_real(c->delay));
	json_object_set_new(o, "readonly", json_boolean(c->readonly));
	return o;
}

int be_ui_config_save(const char *path, const struct be_ui_config *c, struct be_error **err)
{
	cleanup_free char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (util_mkdir_p(dir, 0700, err) < 0)
			return be_error_wrap(err, "saving the settings");
	}
	/* Keys berth does not know (a newer version's) stay as they were. */
	cleanup_json json_t *o = NULL;
	if (util_path_exists(path)) {
		struct be_error *ignored = NULL;
		o = store_load(path, &ignored);
		be_error_free(ignored);
	}
	if (o == NULL)
		o = json_object();
	to_json(o, c);
	if (store_save(path, o, 0, err) < 0)
		return be_error_wrap(err, "saving the settings");
	if (chmod(path, 0600) < 0)
		return be_error_set(err, errno, "saving the settings: chmod %s", path);
	return 0;
}
