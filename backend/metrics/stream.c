/* The compact, versioned JSON Lines stream: one object per monitor refresh,
 *   {"v":1,"time_unix_ms":T,"host_name":"H","host":{...},"items":[{...},...]}
 * whose host and items are the records of docs/stats.md without their
 * "record" and "time_unix_ms" fields and without null fields.  `berth stats
 * --stream --json` prints it, `berth record` writes it, and a remote berth
 * sends it over ssh. */
#include <stdio.h>
#include <string.h>

#include "berth.h"
#include "be_metrics.h"
#include "metrics/metrics.h"
#include "base/util.h"

/* The end of the JSON value at p (a string, number, literal, object or
 * array), or NULL when the text ends first. */
static const char *skip_value(const char *p)
{
	int depth = 0;
	bool str = false;
	for (; *p; p++) {
		if (str) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '"')
				str = false;
			if (!str && depth == 0)
				return p + 1;
			continue;
		}
		if (*p == '"')
			str = true;
		else if (*p == '{' || *p == '[')
			depth++;
		else if (*p == '}' || *p == ']') {
			if (depth == 0)
				return p; /* the end of the enclosing object */
			if (--depth == 0)
				return p + 1;
		} else if (*p == ',' && depth == 0)
			return p;
	}
	return depth == 0 && !str ? p : NULL;
}

int metrics_compact_object(const char *in, struct be_metrics_text *out)
{
	const char *p = in;
	if (*p++ != '{')
		return -1;
	be_metrics_text_append(out, "{", 1);
	bool first = true;
	while (*p && *p != '}') {
		if (*p == ',')
			p++;
		const char *key = p;
		if (*key != '"')
			return -1;
		const char *colon = skip_value(key);
		if (colon == NULL || *colon != ':')
			return -1;
		const char *val = colon + 1, *end = skip_value(val);
		if (end == NULL)
			return -1;
		size_t klen = (size_t)(colon - key);
		bool drop = (end - val == 4 && memcmp(val, "null", 4) == 0) ||
		            (klen == 8 && memcmp(key, "\"record\"", 8) == 0) ||
		            (klen == 14 && memcmp(key, "\"time_unix_ms\"", 14) == 0);
		if (!drop) {
			if (!first)
				be_metrics_text_append(out, ",", 1);
			be_metrics_text_append(out, key, (size_t)(end - key));
			first = false;
		}
		p = end;
	}
	if (*p != '}')
		return -1;
	be_metrics_text_append(out, "}", 1);
	return 0;
}

/* Appends the record that fn writes for obj, compacted. */
static void put_record(struct be_metrics_text *out, char **buf, size_t *cap, int len,
                       int (*retry)(const void *obj, int64_t ms, char *b, size_t n),
                       const void *obj, int64_t ms)
{
	if (len >= 0 && (size_t)len >= *cap) {
		*cap = (size_t)len + 1;
		*buf = xrealloc(*buf, *cap);
		len = retry(obj, ms, *buf, *cap);
	}
	if (len < 0 || metrics_compact_object(*buf, out) < 0)
		be_metrics_text_append(out, "{}", 2);
}

static int item_json(const void *obj, int64_t ms, char *b, size_t n)
{
	return be_stats_item_json(obj, ms, b, n);
}

static int host_json(const void *obj, int64_t ms, char *b, size_t n)
{
	return be_stats_host_json(obj, ms, b, n);
}

void be_metrics_stream_line(const struct be_monitor *mon, int64_t time_unix_ms,
                            const char *host_name, struct be_metrics_text *out)
{
	size_t cap = 8192;
	char *buf = xmalloc(cap);
	char head[64];
	snprintf(head, sizeof(head), "{\"v\":1,\"time_unix_ms\":%lld,\"host_name\":\"",
	         (long long)time_unix_ms);
	be_metrics_text_append(out, head, strlen(head));
	metrics_json_escape(out, host_name);
	be_metrics_text_append(out, "\",\"host\":", 9);
	const struct be_host *h = be_monitor_host(mon);
	put_record(out, &buf, &cap, host_json(h, time_unix_ms, buf, cap), host_json, h,
	           time_unix_ms);
	be_metrics_text_append(out, ",\"items\":[", 10);
	for (size_t i = 0; i < be_monitor_count(mon); i++) {
		const struct be_item *it = be_monitor_item(mon, i);
		if (i)
			be_metrics_text_append(out, ",", 1);
		put_record(out, &buf, &cap, item_json(it, time_unix_ms, buf, cap), item_json, it,
		           time_unix_ms);
	}
	be_metrics_text_append(out, "]}\n", 3);
	free(buf);
}

void metrics_json_escape(struct be_metrics_text *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[8];
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			be_metrics_text_append(out, esc, 2);
		} else if (c < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			be_metrics_text_append(out, esc, 6);
		} else {
			be_metrics_text_append(out, s, 1);
		}
	}
}
