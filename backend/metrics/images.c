/* The image of berth's own containers for the `image` label: the monitor
 * knows docker's and podman's, berth's is in the container's record, read
 * once per container name (be_container_get) and kept in a sorted cache,
 * so a warm scrape reads no record. */
#include <stdlib.h>
#include <string.h>

#include "berth.h"
#include "metrics/metrics.h"
#include "base/util.h"

static int cmp_name(const void *key, const void *entry)
{
	return strcmp(key, ((const struct metrics_image *)entry)->name);
}

const char *metrics_image_of(struct be_ctx *ctx, struct metrics_images *c, const struct be_item *it)
{
	if (ctx == NULL || !it->berth || it->image[0] || !be_name_valid(it->name))
		return it->image;
	struct metrics_image *hit =
	        c->n ? bsearch(it->name, c->v, c->n, sizeof(*c->v), cmp_name) : NULL;
	if (hit)
		return hit->image;
	struct be_container_info info;
	struct be_error *err = NULL;
	char image[BE_NAME_MAX + 1] = "";
	if (be_container_get(ctx, it->name, &info, &err) == 0) {
		memcpy(image, info.image, sizeof(image));
		be_container_info_clear(&info);
	}
	be_error_free(err);
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	size_t at = 0;
	while (at < c->n && strcmp(c->v[at].name, it->name) < 0)
		at++;
	memmove(&c->v[at + 1], &c->v[at], (c->n - at) * sizeof(*c->v));
	memcpy(c->v[at].name, it->name, sizeof(c->v[at].name));
	memcpy(c->v[at].image, image, sizeof(image));
	c->n++;
	return c->v[at].image;
}

void metrics_images_free(struct metrics_images *c)
{
	free(c->v);
	memset(c, 0, sizeof(*c));
}

void metrics_format_cached(const struct be_monitor *mon, struct be_ctx *ctx,
                           struct metrics_images *cache, const char *host,
                           struct be_metrics_text *out)
{
	size_t n = be_monitor_count(mon);
	const struct be_item **items = xcalloc(n + 1, sizeof(*items));
	const char **images = xcalloc(n + 1, sizeof(*images));
	/* Names of vanished containers are forgotten now and then. */
	if (cache->n > 2 * n + 64)
		metrics_images_free(cache);
	/* Looked up first, then taken: a lookup may move the cache. */
	for (size_t i = 0; i < n; i++)
		metrics_image_of(ctx, cache, be_monitor_item(mon, i));
	for (size_t i = 0; i < n; i++) {
		items[i] = be_monitor_item(mon, i);
		images[i] = metrics_image_of(ctx, cache, items[i]);
	}
	be_metrics_format_items(items, images, n, be_monitor_host(mon), host, out);
	free(images);
	free(items);
}

void be_metrics_format(const struct be_monitor *mon, struct be_ctx *ctx, const char *host,
                       struct be_metrics_text *out)
{
	struct metrics_images cache = {0};
	metrics_format_cached(mon, ctx, &cache, host, out);
	metrics_images_free(&cache);
}
