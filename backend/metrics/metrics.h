/* The metrics module's own helpers (private: no other module includes it;
 * the unit tests do). */
#ifndef BE_METRICS_INT_H
#define BE_METRICS_INT_H

#include <stdbool.h>
#include <sys/socket.h>

#include "berth.h"

/* Parses a listen address: "HOST:PORT" (an IPv4 literal, "localhost", or
 * "[IPv6]"), ":PORT" or "PORT" (127.0.0.1).  Fails with a one-line error on
 * anything else, on a port above 65535, and on an address outside the
 * loopback range unless any is true. */
int metrics_parse_listen(const char *text, bool any, struct sockaddr_storage *ss, socklen_t *len,
                         struct be_error **err);
/* "127.0.0.1:9464" or "[::1]:9464" into buf. */
void metrics_format_address(const struct sockaddr_storage *ss, char *buf, size_t len);

/* Copies the flat JSON object in (one record of docs/stats.md) to out
 * without its null fields and its "record" and "time_unix_ms" fields;
 * -1 when in is not such an object. */
int metrics_compact_object(const char *in, struct be_metrics_text *out);
/* Appends s as the inside of a JSON string. */
void metrics_json_escape(struct be_metrics_text *out, const char *s);

/* Berth's own containers' images, by name (images.c). */
struct metrics_image {
	char name[BE_NAME_MAX + 1];
	char image[BE_NAME_MAX + 1];
};
struct metrics_images {
	struct metrics_image *v; /* sorted by name */
	size_t n, cap;
};
/* The image label of it: the monitor's, or for a berth container of ctx's
 * root, the image in its record (read once, then cached; "" unknown).  The
 * pointer is valid until the next lookup of a name not cached yet. */
const char *metrics_image_of(struct be_ctx *ctx, struct metrics_images *c,
                             const struct be_item *it);
void metrics_images_free(struct metrics_images *c);
/* be_metrics_format with a cache that lives across scrapes. */
void metrics_format_cached(const struct be_monitor *mon, struct be_ctx *ctx,
                           struct metrics_images *cache, const char *host,
                           struct be_metrics_text *out);

#endif
