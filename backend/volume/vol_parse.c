/* The parsers of a container's mount options: -v SRC:DST[:OPTS], --mount
 * KEY=VALUE,... and --tmpfs PATH[:OPTS].  Pure string work: no file is
 * touched here (vol_prepare checks sources at create). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "volume/volume.h"

/* A target: absolute, no "..", no empty text; trailing slashes dropped. */
static int set_target(struct be_mount *m, const char *t, size_t len, const char *what,
                      struct be_error **err)
{
	if (len == 0)
		return be_error_set(err, 0, "%s: the container path is empty", what);
	if (t[0] != '/')
		return be_error_set(err, 0, "%s: container path \"%.*s\" is not absolute", what,
		                    (int)len, t);
	if (len >= PATH_MAX)
		return be_error_set(err, 0, "%s: container path too long", what);
	char *s = strndup(t, len);
	if (s == NULL)
		abort();
	while (strlen(s) > 1 && s[strlen(s) - 1] == '/')
		s[strlen(s) - 1] = '\0';
	if (vol_path_has_dotdot(s)) {
		be_error_set(err, 0, "%s: container path \"%s\" holds \"..\"", what, s);
		free(s);
		return -1;
	}
	if (strcmp(s, "/") == 0) {
		free(s);
		return be_error_set(err, 0, "%s: cannot mount over the container's /", what);
	}
	free(m->target);
	m->target = s;
	return 0;
}

bool vol_path_has_dotdot(const char *p)
{
	for (const char *c = p; (c = strstr(c, "..")) != NULL; c += 2)
		if ((c == p || c[-1] == '/') && (c[2] == '\0' || c[2] == '/'))
			return true;
	return false;
}

/* A bind source: absolute, or relative to the cwd when it starts with '.'. */
static int set_source_path(struct be_mount *m, const char *s, size_t len, const char *what,
                           struct be_error **err)
{
	if (len == 0)
		return be_error_set(err, 0, "%s: the source is empty", what);
	if (len >= PATH_MAX)
		return be_error_set(err, 0, "%s: source path too long", what);
	free(m->source);
	m->source = NULL;
	if (s[0] == '/') {
		m->source = strndup(s, len);
	} else {
		char cwd[PATH_MAX];
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			return be_error_set(err, errno, "%s: current directory", what);
		m->source = xasprintf("%s/%.*s", cwd, (int)len, s);
	}
	if (m->source == NULL)
		abort();
	return 0;
}

static int set_volume_name(struct be_mount *m, const char *s, size_t len, const char *what,
                           struct be_error **err)
{
	char name[BE_NAME_MAX + 2];
	if (len > BE_NAME_MAX)
		return be_error_set(err, 0, "%s: volume name \"%.*s\" is too long", what,
		                    (int)(len > 80 ? 80 : len), s);
	memcpy(name, s, len);
	name[len] = '\0';
	if (be_name_check("volume", name, err) < 0)
		return be_error_wrap(err, "%s", what);
	free(m->source);
	m->source = xstrdup(name);
	return 0;
}

/* Options of -v after the second colon. */
static int bind_opts(struct be_mount *m, const char *o, const char *what, struct be_error **err)
{
	cleanup_free char *copy = xstrdup(o);
	char *save = NULL;
	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (strcmp(w, "ro") == 0)
			m->readonly = true;
		else if (strcmp(w, "rw") == 0)
			m->readonly = false;
		else if (strcmp(w, "force") == 0 && m->type == BE_MOUNT_BIND)
			m->force = true;
		else
			return be_error_set(
			        err, 0, "%s: unknown option \"%s\" (use ro, rw or force)", what, w);
	}
	return 0;
}

int be_volume_parse_bind(const char *text, struct be_mount *out, struct be_error **err)
{
	memset(out, 0, sizeof(*out));
	cleanup_free char *what = xasprintf("-v \"%.200s\"", text);
	const char *c1 = strchr(text, ':');
	if (c1 == NULL)
		return be_error_set(err, 0,
		                    "%s: use SOURCE:PATH[:ro] (anonymous volumes are not "
		                    "supported)",
		                    what);
	const char *c2 = strchr(c1 + 1, ':');
	size_t slen = (size_t)(c1 - text);
	size_t tlen = c2 ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1);
	int r;
	if (text[0] == '/' || text[0] == '.') {
		out->type = BE_MOUNT_BIND;
		r = set_source_path(out, text, slen, what, err);
	} else {
		out->type = BE_MOUNT_VOLUME;
		r = set_volume_name(out, text, slen, what, err);
	}
	if (r == 0)
		r = set_target(out, c1 + 1, tlen, what, err);
	if (r == 0 && c2)
		r = bind_opts(out, c2 + 1, what, err);
	if (r < 0)
		be_volume_mount_clear(out);
	return r;
}

/* "size=64m" / "mode=1777" / "ro" for --tmpfs and tmpfs-* of --mount. */
static int tmpfs_size(struct be_mount *m, const char *v, const char *what, struct be_error **err)
{
	if (be_parse_size(v, &m->size, err) < 0)
		return be_error_wrap(err, "%s: size", what);
	return 0;
}

static int tmpfs_mode(struct be_mount *m, const char *v, const char *what, struct be_error **err)
{
	char *end = NULL;
	errno = 0;
	unsigned long mode = strtoul(v, &end, 8);
	if (errno || end == v || *end || mode > 07777)
		return be_error_set(err, 0, "%s: mode \"%.40s\" is not an octal mode", what, v);
	m->mode = (unsigned)mode;
	return 0;
}

int be_volume_parse_tmpfs(const char *text, struct be_mount *out, struct be_error **err)
{
	memset(out, 0, sizeof(*out));
	out->type = BE_MOUNT_TMPFS;
	cleanup_free char *what = xasprintf("--tmpfs \"%.200s\"", text);
	const char *c = strchr(text, ':');
	int r = set_target(out, text, c ? (size_t)(c - text) : strlen(text), what, err);
	cleanup_free char *copy = xstrdup(c ? c + 1 : "");
	char *save = NULL;
	for (char *w = strtok_r(copy, ",", &save); r == 0 && w; w = strtok_r(NULL, ",", &save)) {
		if (strncmp(w, "size=", 5) == 0)
			r = tmpfs_size(out, w + 5, what, err);
		else if (strncmp(w, "mode=", 5) == 0)
			r = tmpfs_mode(out, w + 5, what, err);
		else if (strcmp(w, "ro") == 0 || strcmp(w, "rw") == 0)
			out->readonly = w[1] == 'o';
		else if (strcmp(w, "exec") != 0 && strcmp(w, "noexec") != 0)
			r = be_error_set(err, 0, "%s: unknown option \"%.40s\" (size, mode, ro)",
			                 what, w);
	}
	if (r < 0)
		be_volume_mount_clear(out);
	return r;
}

/* One KEY[=VALUE] of --mount. */
static int mount_key(struct be_mount *m, const char *k, const char *v, bool *have_type,
                     const char *what, struct be_error **err)
{
	bool t = v != NULL;
	if (strcmp(k, "type") == 0 && t) {
		*have_type = true;
		if (strcmp(v, "bind") == 0)
			m->type = BE_MOUNT_BIND;
		else if (strcmp(v, "volume") == 0)
			m->type = BE_MOUNT_VOLUME;
		else if (strcmp(v, "tmpfs") == 0)
			m->type = BE_MOUNT_TMPFS;
		else
			return be_error_set(
			        err, 0, "%s: type \"%.40s\" (use bind, volume or tmpfs)", what, v);
		return 0;
	}
	if ((strcmp(k, "source") == 0 || strcmp(k, "src") == 0) && t) {
		free(m->source);
		m->source = xstrdup(v);
		return 0;
	}
	if ((strcmp(k, "target") == 0 || strcmp(k, "destination") == 0 || strcmp(k, "dst") == 0) &&
	    t)
		return set_target(m, v, strlen(v), what, err);
	if (strcmp(k, "readonly") == 0 || strcmp(k, "ro") == 0) {
		m->readonly = !t || strcmp(v, "true") == 0 || strcmp(v, "1") == 0;
		return 0;
	}
	if (strcmp(k, "force") == 0 && !t) {
		m->force = true;
		return 0;
	}
	if (strcmp(k, "tmpfs-size") == 0 && t)
		return tmpfs_size(m, v, what, err);
	if (strcmp(k, "tmpfs-mode") == 0 && t)
		return tmpfs_mode(m, v, what, err);
	return be_error_set(err, 0, "%s: unknown key \"%.40s\"", what, k);
}

/* After the keys: the source as its type wants it. */
static int mount_finish(struct be_mount *m, bool have_type, const char *what, struct be_error **err)
{
	if (!have_type)
		return be_error_set(err, 0, "%s: type= is required", what);
	if (m->target == NULL)
		return be_error_set(err, 0, "%s: target= is required", what);
	if (m->type == BE_MOUNT_TMPFS) {
		if (m->source)
			return be_error_set(err, 0, "%s: a tmpfs takes no source", what);
		return 0;
	}
	if (m->size || m->mode)
		return be_error_set(err, 0, "%s: tmpfs-size and tmpfs-mode are for tmpfs", what);
	if (m->source == NULL)
		return be_error_set(err, 0, "%s: source= is required for %s", what,
		                    be_volume_mount_type_name(m->type));
	if (m->force && m->type != BE_MOUNT_BIND)
		return be_error_set(err, 0, "%s: force is for bind mounts", what);
	cleanup_free char *src = steal_pointer(&m->source);
	return m->type == BE_MOUNT_BIND ? set_source_path(m, src, strlen(src), what, err)
	                                : set_volume_name(m, src, strlen(src), what, err);
}

int be_volume_parse_mount(const char *text, struct be_mount *out, struct be_error **err)
{
	memset(out, 0, sizeof(*out));
	cleanup_free char *what = xasprintf("--mount \"%.200s\"", text);
	cleanup_free char *copy = xstrdup(text);
	bool have_type = false;
	int r = 0;
	char *save = NULL;
	for (char *w = strtok_r(copy, ",", &save); r == 0 && w; w = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(w, '=');
		if (eq)
			*eq = '\0';
		r = mount_key(out, w, eq ? eq + 1 : NULL, &have_type, what, err);
	}
	if (r == 0)
		r = mount_finish(out, have_type, what, err);
	if (r < 0)
		be_volume_mount_clear(out);
	return r;
}
