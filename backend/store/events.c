/* The events log (ROOT/events.jsonl): one JSON object a line, appended with
 * a single write (O_APPEND), rotated to events.jsonl.1 past 1 MiB; not
 * fsynced (a log of what happened, not state). */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"

#define EVENTS_MAX (1 << 20)

void store_event(const struct be_ctx *ctx, const char *name, const char *type, const char *fmt, ...)
{
	char detail[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	cleanup_free char *path = ctx_path(ctx, "events.jsonl");
	struct stat st;
	if (stat(path, &st) == 0 && st.st_size > EVENTS_MAX) {
		cleanup_free char *old = ctx_path(ctx, "events.jsonl.1");
		rename(path, old);
	}
	json_t *o = json_pack("{s:I, s:s, s:s, s:s}", "time", (json_int_t)util_wall_ns(), "name",
	                      name, "type", type, "detail", detail);
	char *line = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (line == NULL)
		return;
	cleanup_free char *text = xasprintf("%s\n", line);
	free(line);
	cleanup_close int fd =
	        open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd >= 0 && write(fd, text, strlen(text)) < 0) {
		/* a lost event is not worth failing the operation it reports */
	}
}

static void read_file(const char *path, int64_t since, const char *name, struct be_event **out,
                      size_t *n)
{
	cleanup_fclose FILE *f = fopen(path, "re");
	if (f == NULL)
		return;
	char line[1024];
	while (fgets(line, sizeof(line), f)) {
		json_t *o = json_loads(line, JSON_REJECT_DUPLICATES, NULL);
		json_int_t t = 0;
		const char *nm = NULL, *type = NULL, *detail = "";
		if (o &&
		    json_unpack(o, "{s:I, s:s, s:s, s?s}", "time", &t, "name", &nm, "type", &type,
		                "detail", &detail) == 0 &&
		    t >= since && (name == NULL || strcmp(name, nm) == 0)) {
			*out = xrealloc(*out, (*n + 1) * sizeof(**out));
			struct be_event *e = &(*out)[(*n)++];
			e->time_ns = (int64_t)t;
			snprintf(e->name, sizeof(e->name), "%s", nm);
			snprintf(e->type, sizeof(e->type), "%s", type);
			snprintf(e->detail, sizeof(e->detail), "%s", detail);
		}
		json_decref(o);
	}
}

int be_events_read(struct be_ctx *ctx, int64_t since_ns, const char *name, struct be_event **out,
                   size_t *n, struct be_error **err)
{
	*out = NULL;
	*n = 0;
	if (name && be_name_check("container", name, err) < 0)
		return -1;
	cleanup_free char *old = ctx_path(ctx, "events.jsonl.1");
	cleanup_free char *cur = ctx_path(ctx, "events.jsonl");
	read_file(old, since_ns, name, out, n);
	read_file(cur, since_ns, name, out, n);
	return 0;
}

int be_events_parse_since(const char *text, int64_t now_ns, int64_t *out, struct be_error **err)
{
	char *end = NULL;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (end == text || v < 0 || errno)
		return be_error_set(err, 0,
		                    "invalid --since \"%s\": want 30s, 10m, 2h, 1d or unix seconds",
		                    text);
	long long unit = 0;
	if (*end == '\0')
		unit = -1; /* unix seconds */
	else if (strcmp(end, "s") == 0)
		unit = 1;
	else if (strcmp(end, "m") == 0)
		unit = 60;
	else if (strcmp(end, "h") == 0)
		unit = 3600;
	else if (strcmp(end, "d") == 0)
		unit = 86400;
	if (unit == 0 || (unit > 0 && v > 100LL * 365 * 86400 / unit))
		return be_error_set(err, 0,
		                    "invalid --since \"%s\": want 30s, 10m, 2h, 1d or unix seconds",
		                    text);
	*out = unit < 0 ? (int64_t)v * 1000000000LL : now_ns - (int64_t)(v * unit) * 1000000000LL;
	return 0;
}
