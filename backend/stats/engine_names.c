/* Names of docker and podman containers from the engines' state files:
 * read-only, once per new item, and never an error (a name not found leaves
 * the short id that discovery gave the item). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stats/engine_names.h"
#include "base/util.h"

/* docker's config.v2.json takes a few KiB and podman's lists about 1 KiB a
 * container: a file larger than this is not one we know how to read. */
#define DOCKER_CONFIG_MAX (4u << 20)
#define PODMAN_LIST_MAX (64u << 20)

/* Below the podman root: the overlay driver's store (the default), then
 * vfs's; in each, lasting containers and those made with --rm. */
static const char *const podman_lists[BE_PODMAN_LISTS] = {
        "overlay-containers/containers.json",
        "overlay-containers/volatile-containers.json",
        "vfs-containers/containers.json",
        "vfs-containers/volatile-containers.json",
};

size_t engine_sanitize(char *out, size_t len, const char *in)
{
	size_t n = 0;
	for (; in[n] && n + 1 < len; n++) {
		unsigned char c = (unsigned char)in[n];
		out[n] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	out[n] = '\0';
	return n;
}

/* Loads a JSON file another program owns, or NULL on any problem.  Only a
 * regular file up to max bytes: a FIFO or a device put in its place must
 * not block the monitor or feed it without end.  The engines replace these
 * files by rename, so one read sees one whole version. */
static json_t *load_foreign(const char *path, size_t max)
{
	cleanup_close int fd =
	        open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > max)
		return NULL;
	size_t size = (size_t)st.st_size, n = 0;
	cleanup_free char *buf = xmalloc(size);
	while (n < size) {
		ssize_t r = read(fd, buf + n, size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	return json_loadb(buf, n, JSON_REJECT_DUPLICATES, NULL);
}

/* obj's member key when obj is an object and the member a non-empty
 * string; else NULL. */
static const char *str_member(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	return s && *s ? s : NULL;
}

/* Engine ids are lower-case hex; anything else never becomes a path. */
static bool hex_id(const char *id)
{
	size_t n = strspn(id, "0123456789abcdef");
	return n > 0 && id[n] == '\0';
}

/* Takes name (and image) when the name is still something once
 * sanitised. */
static bool take(struct be_item *it, const char *name, const char *image)
{
	char buf[sizeof(it->name)];
	if (name == NULL || engine_sanitize(buf, sizeof(buf), name) == 0)
		return false;
	memcpy(it->name, buf, sizeof(buf));
	if (image)
		engine_sanitize(it->image, sizeof(it->image), image);
	return true;
}

/* <docker root>/containers/<id>/config.v2.json: "Name": "/web" and
 * "Config": {"Image": "nginx:1.25"}. */
static bool docker_fill(const struct be_ctx *ctx, struct be_item *it)
{
	cleanup_free char *path =
	        xasprintf("%s/containers/%s/config.v2.json", be_ctx_docker_root(ctx), it->id);
	json_t *cfg = load_foreign(path, DOCKER_CONFIG_MAX);
	const char *name = str_member(cfg, "Name");
	if (name && name[0] == '/')
		name++;
	bool ok = take(it, name, str_member(json_object_get(cfg, "Config"), "Image"));
	json_decref(cfg);
	return ok;
}

static void podman_read(struct be_engine_names *en)
{
	en->podman_read = true;
	for (size_t i = 0; i < BE_PODMAN_LISTS; i++) {
		cleanup_free char *path =
		        xasprintf("%s/%s", be_ctx_podman_root(en->ctx), podman_lists[i]);
		json_t *list = load_foreign(path, PODMAN_LIST_MAX);
		if (json_is_array(list))
			en->podman[i] = list;
		else
			json_decref(list);
	}
}

/* An entry of containers/storage's list: {"id": ..., "names": ["web"],
 * "image": <image id>, "metadata": "<JSON text>"}, where podman's metadata
 * text holds "image-name" (and "name" again). */
static bool podman_entry(const json_t *entry, struct be_item *it)
{
	const char *meta_text = str_member(entry, "metadata");
	json_t *meta = meta_text ? json_loads(meta_text, JSON_REJECT_DUPLICATES, NULL) : NULL;
	const char *name = json_string_value(json_array_get(json_object_get(entry, "names"), 0));
	if (name == NULL || *name == '\0')
		name = str_member(meta, "name");
	bool ok = take(it, name, str_member(meta, "image-name"));
	json_decref(meta);
	return ok;
}

static bool podman_fill(struct be_engine_names *en, struct be_item *it)
{
	if (!en->podman_read)
		podman_read(en);
	for (size_t i = 0; i < BE_PODMAN_LISTS; i++) {
		for (size_t j = 0; j < json_array_size(en->podman[i]); j++) {
			const json_t *entry = json_array_get(en->podman[i], j);
			const char *id = str_member(entry, "id");
			if (id && strcmp(id, it->id) == 0)
				return podman_entry(entry, it);
		}
	}
	return false;
}

void engine_names_init(struct be_engine_names *en, const struct be_ctx *ctx)
{
	memset(en, 0, sizeof(*en));
	en->ctx = ctx;
}

bool engine_names_fill(struct be_engine_names *en, struct be_item *it)
{
	if (!hex_id(it->id))
		return false;
	if (it->kind == BE_KIND_DOCKER)
		return docker_fill(en->ctx, it);
	if (it->kind == BE_KIND_PODMAN)
		return podman_fill(en, it);
	return false;
}

void engine_names_done(struct be_engine_names *en)
{
	for (size_t i = 0; i < BE_PODMAN_LISTS; i++) {
		json_decref(en->podman[i]);
		en->podman[i] = NULL;
	}
	en->podman_read = false;
}
