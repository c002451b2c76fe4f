/* Registry credentials in docker's "auths" format: berth's own
 * $XDG_CONFIG_HOME/berth/auth.json (0600), read before docker's
 * config.json; and the base64 they are written in. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "layer/layer.h"
#include "registry/registry.h"
#include "store/store.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *reg_base64_encode(const void *data, size_t n)
{
	const unsigned char *in = data;
	char *out = xmalloc((n + 2) / 3 * 4 + 1), *o = out;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		*o++ = b64[(v >> 18) & 63];
		*o++ = b64[(v >> 12) & 63];
		*o++ = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		*o++ = i + 2 < n ? b64[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

char *reg_base64_decode(const char *s, size_t *n)
{
	size_t len = strlen(s);
	if (len % 4 != 0)
		return NULL;
	char *out = xmalloc(len / 4 * 3 + 1);
	size_t o = 0;
	for (size_t i = 0; i < len; i += 4) {
		unsigned v = 0;
		int pad = 0;
		for (int k = 0; k < 4; k++) {
			char c = s[i + k];
			const char *f = c ? strchr(b64, c) : NULL;
			if (c == '=' && i + 4 == len && k >= 2 && (k == 3 || s[i + 3] == '=')) {
				pad++;
				v <<= 6;
			} else if (f && pad == 0) {
				v = (v << 6) | (unsigned)(f - b64);
			} else {
				free(out);
				return NULL;
			}
		}
		out[o++] = (char)(v >> 16);
		if (pad < 2)
			out[o++] = (char)(v >> 8);
		if (pad < 1)
			out[o++] = (char)v;
	}
	out[o] = '\0';
	*n = o;
	return out;
}

char *reg_auth_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	if (xdg && *xdg == '/')
		return xasprintf("%s/berth/auth.json", xdg);
	const char *home = getenv("HOME");
	return xasprintf("%s/.config/berth/auth.json", home && *home ? home : "/root");
}

/* The entry of auths for registry; docker.io is also found under docker's
 * historical key. */
static json_t *find_entry(json_t *auths, const char *registry)
{
	json_t *e = json_object_get(auths, registry);
	if (e == NULL && strcmp(registry, REG_DEFAULT_REGISTRY) == 0)
		e = json_object_get(auths, "https://index.docker.io/v1/");
	if (e == NULL) {
		cleanup_free char *https = xasprintf("https://%s", registry);
		e = json_object_get(auths, https);
	}
	return e;
}

static int split_auth(const char *auth, const char *file, char **user, char **pass,
                      struct be_error **err)
{
	size_t n;
	cleanup_free char *dec = reg_base64_decode(auth, &n);
	char *colon = dec ? memchr(dec, ':', n) : NULL;
	if (colon == NULL || strlen(dec) != n)
		return be_error_set(err, 0, "%s: an \"auth\" is not base64 of USER:PASSWORD", file);
	*colon = '\0';
	*user = xstrdup(dec);
	*pass = xstrdup(colon + 1);
	return 0;
}

int reg_auth_find_text(const char *text, const char *file, const char *registry, char **user,
                       char **pass, struct be_error **err)
{
	json_error_t je;
	cleanup_json json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &je);
	if (j == NULL)
		return be_error_set(err, 0, "%s: line %d: %s", file, je.line, je.text);
	json_t *auths = json_object_get(j, "auths");
	if (!json_is_object(j) || (auths && !json_is_object(auths)))
		return be_error_set(err, 0, "%s: \"auths\" must be an object", file);
	json_t *e = find_entry(auths, registry);
	if (e == NULL)
		return 1;
	const char *auth = json_string_value(json_object_get(e, "auth"));
	if (auth && *auth)
		return split_auth(auth, file, user, pass, err);
	const char *u = json_string_value(json_object_get(e, "username"));
	const char *p = json_string_value(json_object_get(e, "password"));
	if (u == NULL || p == NULL)
		return 1;
	*user = xstrdup(u);
	*pass = xstrdup(p);
	return 0;
}

/* 1 when the file is missing. */
static int find_in_file(const char *path, const char *registry, char **user, char **pass,
                        struct be_error **err)
{
	if (!util_path_exists(path))
		return 1;
	cleanup_free char *text = util_read_file(path, NULL, err);
	if (text == NULL)
		return -1;
	return reg_auth_find_text(text, path, registry, user, pass, err);
}

int reg_auth_find(const char *registry, char **user, char **pass, struct be_error **err)
{
	cleanup_free char *own = reg_auth_path();
	int r = find_in_file(own, registry, user, pass, err);
	if (r != 1)
		return r;
	const char *dc = getenv("DOCKER_CONFIG");
	const char *home = getenv("HOME");
	cleanup_free char *docker = dc && *dc ? xasprintf("%s/config.json", dc)
	                            : home    ? xasprintf("%s/.docker/config.json", home)
	                                      : NULL;
	return docker ? find_in_file(docker, registry, user, pass, err) : 1;
}

static json_t *load_or_new(const char *path, struct be_error **err)
{
	if (!util_path_exists(path))
		return json_pack("{s:{}}", "auths");
	cleanup_free char *text = util_read_file(path, NULL, err);
	if (text == NULL)
		return NULL;
	json_error_t je;
	json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &je);
	if (j == NULL) {
		be_error_set(err, 0, "%s: line %d: %s", path, je.line, je.text);
		return NULL;
	}
	if (!json_is_object(j))
		json_object_set_new(j = json_object(), "auths", json_object());
	if (!json_is_object(json_object_get(j, "auths")))
		json_object_set_new(j, "auths", json_object());
	return j;
}

/* Makes the directory of path (0700) when missing. */
static int make_parent(const char *path, struct be_error **err)
{
	cleanup_free char *dir = xstrdup(path);
	*strrchr(dir, '/') = '\0';
	return util_mkdir_p(dir, 0700, err);
}

/* Writes text to path through a 0600 temp file and a rename: the secret is
 * never readable by others, and a crash leaves the old file. */
static int write_private(const char *path, const char *text, struct be_error **err)
{
	cleanup_free char *tmp = xasprintf("%s.tmp%d-XXXXXX", path, (int)getpid());
	cleanup_close int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return be_error_set(err, errno, "writing %s", path);
	size_t n = strlen(text);
	if (fchmod(fd, 0600) < 0 || write(fd, text, n) != (ssize_t)n || fsync(fd) < 0 ||
	    rename(tmp, path) < 0) {
		be_error_set(err, errno, "writing %s", path);
		unlink(tmp);
		return -1;
	}
	return 0;
}

int reg_auth_store(const char *path, const char *registry, const char *user, const char *pass,
                   struct be_error **err)
{
	cleanup_json json_t *j = load_or_new(path, err);
	if (j == NULL)
		return -1;
	json_t *auths = json_object_get(j, "auths");
	if (pass == NULL) {
		if (json_object_del(auths, registry) < 0)
			return BE_FAIL_CODE(err, ENOENT, "not logged in to %s", registry);
	} else {
		cleanup_free char *up = xasprintf("%s:%s", user, pass);
		cleanup_free char *auth = reg_base64_encode(up, strlen(up));
		json_object_set_new(auths, registry, json_pack("{s:s}", "auth", auth));
	}
	if (make_parent(path, err) < 0)
		return -1;
	cleanup_free char *text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
	return write_private(path, text, err);
}
