/* The rest of the TUI's pure logic: colour reduction for terminals with
 * fewer than 256 colours, the limits prompt, graph and bar scaling, the
 * one-line editor and the log pager's lines. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

/* ---- colours ------------------------------------------------------------- */

static void xterm_rgb(int c, int rgb[3])
{
	static const int cube[6] = {0, 95, 135, 175, 215, 255};
	if (c >= 232) {
		rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (c - 232);
		return;
	}
	c -= 16;
	rgb[0] = cube[c / 36];
	rgb[1] = cube[(c / 6) % 6];
	rgb[2] = cube[c % 6];
}

/* A grey of the given level: black or white (and, with 16 colours, the
 * bright black and bright white between).  Backgrounds stay black longer
 * so that default-coloured text on them stays readable. */
static int grey(int level, int ncolors, bool bg)
{
	if (level < (bg ? 128 : 48))
		return 0;
	if (ncolors < 16)
		return 7;
	if (!bg && level < 150)
		return 8;
	return level < 220 ? 7 : 15;
}

int tui_color_reduce(int c, int ncolors, bool bg)
{
	if (c < 0 || c > 255 || ncolors < 8)
		return -1;
	if (ncolors >= 256 || (c < 16 && ncolors >= 16) || c < 8)
		return c;
	if (c < 16) /* bright forms on an 8-colour terminal */
		return c == 8 ? (bg ? 0 : 7) : c - 8;
	int rgb[3];
	xterm_rgb(c, rgb);
	int max = rgb[0], min = rgb[0];
	for (int i = 1; i < 3; i++) {
		max = rgb[i] > max ? rgb[i] : max;
		min = rgb[i] < min ? rgb[i] : min;
	}
	if (max - min < 32)
		return grey(max, ncolors, bg);
	/* A hue: each channel strong enough against the strongest one counts. */
	int base = 0;
	for (int i = 0; i < 3; i++)
		if (rgb[i] * 10 >= max * 6)
			base |= 1 << i;
	return ncolors >= 16 && max > 200 ? base + 8 : base;
}

int tui_level(double fraction)
{
	return fraction < 0.60 ? 0 : fraction <= 0.85 ? 1 : 2;
}

/* ---- limits prompt ------------------------------------------------------ */

/* The limit options are the backend's one table (be_limit_options), the
 * same that `berth update` takes. */
static const struct be_limit_option *limit_opt_find(const char *word, size_t len)
{
	for (const struct be_limit_option *o = be_limit_options; o->opt.name; o++)
		if ((strlen(o->opt.name) == len && strncmp(o->opt.name, word, len) == 0) ||
		    (len == 1 && o->opt.short_name == word[0]))
			return o;
	return NULL;
}

/* "--memory, --memory-swap, ... or --io-weight" from the table. */
static void limit_names(char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (const struct be_limit_option *o = be_limit_options; o->opt.name && used < len; o++) {
		const char *sep = o == be_limit_options ? "" : o[1].opt.name ? ", " : " or ";
		used += (size_t)snprintf(buf + used, len - used, "%s--%s", sep, o->opt.name);
	}
}

/* Appends s to out->buf and out->argv; false when full. */
static bool argv_push(struct tui_argv *out, size_t *used, const char *a, size_t alen, const char *b)
{
	size_t blen = b ? strlen(b) : 0;
	if (out->argc >= TUI_ARGV_MAX || *used + alen + blen + 1 > sizeof(out->buf))
		return false;
	char *p = out->buf + *used;
	memcpy(p, a, alen);
	if (b)
		memcpy(p + alen, b, blen);
	p[alen + blen] = '\0';
	out->argv[out->argc++] = p;
	out->argv[out->argc] = NULL;
	*used += alen + blen + 1;
	return true;
}

static int parse_fail(char *msg, size_t len, struct be_error *err, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static int parse_fail(char *msg, size_t len, struct be_error *err, const char *fmt, ...)
{
	if (err) {
		snprintf(msg, len, "%s", err->msg);
		be_error_free(err);
		return -1;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* One option and its value from the words; advances *i past them. */
static int parse_limit_word(char **w, int nw, int *i, struct tui_argv *out, size_t *used, char *msg,
                            size_t msglen)
{
	char *word = w[*i];
	while (*word == '-')
		word++;
	char *eq = strchr(word, '=');
	size_t nlen = eq ? (size_t)(eq - word) : strlen(word);
	const struct be_limit_option *o = limit_opt_find(word, nlen);
	if (o == NULL) {
		char names[160];
		limit_names(names, sizeof(names));
		return parse_fail(msg, msglen, NULL, "unknown limit \"%s\": use %s", w[*i], names);
	}
	const char *val = eq ? eq + 1 : *i + 1 < nw ? w[++*i] : NULL;
	if (val == NULL || *val == '\0')
		return parse_fail(msg, msglen, NULL, "--%s needs a value", o->opt.name);
	struct be_error *err = NULL;
	struct be_limits scratch = {0};
	if (o->parse(val, &scratch, &err) < 0)
		return parse_fail(msg, msglen, err, "bad value");
	if (!argv_push(out, used, "--", 2, o->opt.name) ||
	    !argv_push(out, used, val, strlen(val), NULL))
		return parse_fail(msg, msglen, NULL, "%s", "too many limits at once");
	return 0;
}

int tui_limits_parse(const char *text, struct tui_argv *out, char *msg, size_t msglen)
{
	char copy[512];
	memset(out, 0, sizeof(*out));
	if (strlen(text) >= sizeof(copy))
		return parse_fail(msg, msglen, NULL, "%s", "the limits are too long");
	snprintf(copy, sizeof(copy), "%s", text);
	char *w[64];
	int nw = 0;
	for (char *save = NULL, *t = strtok_r(copy, " \t", &save); t && nw < 64;
	     t = strtok_r(NULL, " \t", &save))
		w[nw++] = t;
	if (nw == 0)
		return parse_fail(msg, msglen, NULL, "%s",
		                  "no limit given: e.g. --memory 64m --cpus 0.5 --pids-limit 100");
	size_t used = 0;
	for (int i = 0; i < nw; i++)
		if (parse_limit_word(w, nw, &i, out, &used, msg, msglen) < 0) {
			memset(out, 0, sizeof(*out));
			return -1;
		}
	return 0;
}

/* ---- graphs and bars ---------------------------------------------------------- */

double tui_graph_scale(const struct be_ring *r, int width, int levels, double floor_max, int *out)
{
	if (width <= 0)
		return floor_max > 0 ? floor_max : 1;
	size_t n = r->count < (size_t)width ? r->count : (size_t)width;
	size_t first = r->count - n;
	double max = floor_max;
	for (size_t i = 0; i < n; i++) {
		double v = be_ring_at(r, first + i);
		if (v > max)
			max = v;
	}
	if (max <= 0)
		max = 1;
	size_t pad = (size_t)width - n;
	for (size_t i = 0; i < (size_t)width; i++) {
		if (i < pad) {
			out[i] = -1;
			continue;
		}
		double v = be_ring_at(r, first + (i - pad));
		int h = v > 0 ? (int)(v / max * levels + 0.5) : 0;
		if (v > 0 && h == 0)
			h = 1;
		out[i] = h > levels ? levels : h;
	}
	return max;
}

int tui_graph_cell(int h, int row, int steps)
{
	int f = h - row * steps;
	return f < 0 ? 0 : f > steps ? steps : f;
}

int tui_bar_fill(double fraction, int width, int steps, int *part)
{
	if (width <= 0 || steps <= 0 || !(fraction > 0)) {
		*part = 0;
		return 0;
	}
	if (fraction > 1)
		fraction = 1;
	int total = (int)(fraction * width * steps + 0.5);
	*part = total % steps;
	return total / steps;
}

/* ---- text ----------------------------------------------------------------------- */

bool tui_line_edit(char *buf, size_t cap, int key, int key_backspace)
{
	size_t n = strlen(buf);
	if (key == 8 || key == 127 || key == key_backspace) {
		if (n > 0)
			buf[n - 1] = '\0';
		return true;
	}
	if (key == 21) { /* ^U, as a shell */
		buf[0] = '\0';
		return true;
	}
	if (key >= 32 && key < 127) {
		if (n + 1 < cap) {
			buf[n] = (char)key;
			buf[n + 1] = '\0';
		}
		return true;
	}
	return false;
}

void tui_lines_free(struct tui_lines *l)
{
	free(l->text);
	free(l->line);
	memset(l, 0, sizeof(*l));
}

void tui_lines_set(struct tui_lines *l, char *text, size_t len, size_t max)
{
	char **keep = l->line;
	size_t cap = l->cap;
	free(l->text);
	text = realloc(text, len + 1);
	if (text == NULL)
		abort();
	text[len] = '\0';
	size_t total = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == '\n') {
			total++;
			text[i] = '\0';
		} else if (c == '\t' || c == '\r') {
			text[i] = ' ';
		} else if (c < 32 || c == 127) {
			text[i] = '?'; /* an escape would move the cursor or switch modes */
		}
	}
	if (len > 0 && text[len - 1] != '\0')
		total++; /* a last line without its newline */
	size_t skip = total > max ? total - max : 0;
	size_t n = total - skip;
	if (n > cap) {
		cap = n + 64;
		keep = realloc(keep, cap * sizeof(*keep));
		if (keep == NULL)
			abort();
	}
	size_t k = 0, idx = 0;
	for (size_t i = 0; i < len; i += strlen(text + i) + 1, idx++)
		if (idx >= skip)
			keep[k++] = text + i;
	*l = (struct tui_lines){.text = text, .len = len, .line = keep, .n = k, .cap = cap};
}

long tui_lines_find(const struct tui_lines *l, long from, int dir, const char *needle)
{
	if (l->n == 0 || needle == NULL || needle[0] == '\0')
		return -1;
	long n = (long)l->n;
	if (from < 0)
		from = n - 1;
	if (from >= n)
		from = 0;
	for (long k = 0; k < n; k++) {
		long i = ((from + (dir < 0 ? -k : k)) % n + n) % n;
		if (strcasestr(l->line[i], needle))
			return i;
	}
	return -1;
}
