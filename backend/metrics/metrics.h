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

#endif
