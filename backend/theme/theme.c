/* Colour themes: the two built-ins, theme files (JSON, checked strictly so a
 * typo is reported instead of silently ignored), and the theme search path. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "store/store.h"

#define D BE_THEME_DEFAULT_COLOR
#define B BE_ATTR_BOLD
#define M BE_ATTR_DIM
#define R BE_ATTR_REVERSE
#define U BE_ATTR_UNDERLINE
enum { BLACK, RED, GREEN, YELLOW, BLUE, MAGENTA, CYAN, WHITE };

static const char *const role_names[BE_ROLE_COUNT] = {
        [BE_ROLE_NORMAL] = "normal",
        [BE_ROLE_TITLE] = "title",
        [BE_ROLE_STATUS] = "status",
        [BE_ROLE_KEY] = "key",
        [BE_ROLE_TABLE_HEADER] = "table_header",
        [BE_ROLE_SELECTED] = "selected",
        [BE_ROLE_BORDER] = "border",
        [BE_ROLE_LABEL] = "label",
        [BE_ROLE_METER_LOW] = "meter_low",
        [BE_ROLE_METER_MID] = "meter_mid",
        [BE_ROLE_METER_HIGH] = "meter_high",
        [BE_ROLE_GRAPH] = "graph",
        [BE_ROLE_RUNNING] = "running",
        [BE_ROLE_PAUSED] = "paused",
        [BE_ROLE_EXITED] = "exited",
        [BE_ROLE_FOREIGN] = "foreign",
        [BE_ROLE_VM] = "vm",
        [BE_ROLE_DIM] = "dim",
        [BE_ROLE_ERROR] = "error",
        [BE_ROLE_OK] = "ok",
};

static const char *const colour_names[8] = {"black", "red",     "green", "yellow",
                                            "blue",  "magenta", "cyan",  "white"};

static const struct {
	const char *name;
	uint8_t bit;
} attr_names[] = {{"bold", B}, {"dim", M}, {"reverse", R}, {"underline", U}};

/* Every role is spelled out: a role left out would be black on black.
 * themes/default.json and themes/mono.json say the same (a test checks). */
static const struct be_theme builtins[] = {
        {.name = "default",
         .role = {[BE_ROLE_NORMAL] = {D, D, 0},
                  [BE_ROLE_TITLE] = {WHITE, BLUE, B},
                  [BE_ROLE_STATUS] = {BLACK, CYAN, 0},
                  [BE_ROLE_KEY] = {WHITE, BLACK, B},
                  [BE_ROLE_TABLE_HEADER] = {BLACK, GREEN, 0},
                  [BE_ROLE_SELECTED] = {D, D, R},
                  [BE_ROLE_BORDER] = {BLUE, D, 0},
                  [BE_ROLE_LABEL] = {CYAN, D, 0},
                  [BE_ROLE_METER_LOW] = {GREEN, D, 0},
                  [BE_ROLE_METER_MID] = {YELLOW, D, 0},
                  [BE_ROLE_METER_HIGH] = {RED, D, B},
                  [BE_ROLE_GRAPH] = {CYAN, D, 0},
                  [BE_ROLE_RUNNING] = {GREEN, D, 0},
                  [BE_ROLE_PAUSED] = {YELLOW, D, 0},
                  [BE_ROLE_EXITED] = {D, D, M},
                  [BE_ROLE_FOREIGN] = {CYAN, D, 0},
                  [BE_ROLE_VM] = {MAGENTA, D, 0},
                  [BE_ROLE_DIM] = {D, D, M},
                  [BE_ROLE_ERROR] = {RED, D, B},
                  [BE_ROLE_OK] = {GREEN, D, B}}},
        {.name = "mono",
         .role = {[BE_ROLE_NORMAL] = {D, D, 0},
                  [BE_ROLE_TITLE] = {D, D, R | B},
                  [BE_ROLE_STATUS] = {D, D, R},
                  [BE_ROLE_KEY] = {D, D, B},
                  [BE_ROLE_TABLE_HEADER] = {D, D, B | U},
                  [BE_ROLE_SELECTED] = {D, D, R},
                  [BE_ROLE_BORDER] = {D, D, M},
                  [BE_ROLE_LABEL] = {D, D, B},
                  [BE_ROLE_METER_LOW] = {D, D, 0},
                  [BE_ROLE_METER_MID] = {D, D, B},
                  [BE_ROLE_METER_HIGH] = {D, D, R | B},
                  [BE_ROLE_GRAPH] = {D, D, 0},
                  [BE_ROLE_RUNNING] = {D, D, B},
                  [BE_ROLE_PAUSED] = {D, D, U},
                  [BE_ROLE_EXITED] = {D, D, M},
                  [BE_ROLE_FOREIGN] = {D, D, U},
                  [BE_ROLE_VM] = {D, D, U},
                  [BE_ROLE_DIM] = {D, D, M},
                  [BE_ROLE_ERROR] = {D, D, R | B},
                  [BE_ROLE_OK] = {D, D, B}}},
};

const char *be_theme_role_name(enum be_theme_role role)
{
	if ((unsigned)role >= BE_ROLE_COUNT)
		return NULL;
	return role_names[role];
}

static bool theme_is_mono(const struct be_theme *t)
{
	for (size_t i = 0; i < BE_ROLE_COUNT; i++)
		if (t->role[i].fg != D || t->role[i].bg != D)
			return false;
	return true;
}

int be_theme_builtin(const char *name, struct be_theme *out, struct be_error **err)
{
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++) {
		if (name != NULL && strcmp(name, builtins[i].name) == 0) {
			*out = builtins[i];
			out->mono = theme_is_mono(out);
			return 0;
		}
	}
	if (be_name_check("theme", name, err) < 0)
		return -1;
	return be_error_set(err, 0, "unknown built-in theme \"%s\" (default, mono)", name);
}

/* ---- colours ----------------------------------------------------------- */

/* The xterm-256 colour nearest to #rrggbb: the best of the 6x6x6 cube
 * (16-231) and the grey ramp (232-255), by squared RGB distance.  The first
 * sixteen are left out: each terminal paints them its own way. */
static int nearest_xterm(unsigned rgb)
{
	static const int level[6] = {0, 95, 135, 175, 215, 255};
	int c[3] = {(int)(rgb >> 16) & 255, (int)(rgb >> 8) & 255, (int)rgb & 255};
	int idx[3], cube_dist = 0;
	for (int i = 0; i < 3; i++) {
		idx[i] = 0;
		for (int k = 1; k < 6; k++)
			if (abs(level[k] - c[i]) < abs(level[idx[i]] - c[i]))
				idx[i] = k;
		int d = level[idx[i]] - c[i];
		cube_dist += d * d;
	}
	int avg = (c[0] + c[1] + c[2]) / 3;
	int g = (avg - 8 + 5) / 10;
	g = g < 0 ? 0 : g > 23 ? 23 : g;
	int grey_dist = 0;
	for (int i = 0; i < 3; i++)
		grey_dist += (8 + 10 * g - c[i]) * (8 + 10 * g - c[i]);
	if (grey_dist < cube_dist)
		return 232 + g;
	return 16 + 36 * idx[0] + 6 * idx[1] + idx[2];
}

/* Digits only, value in [0, max]. */
static bool small_number(const char *s, int max, int *out)
{
	if (*s < '0' || *s > '9' || strlen(s) > 3)
		return false;
	*out = atoi(s);
	return *out <= max;
}

/* A colour name or "#rrggbb"; -2 when the text is none of them. */
static int colour_from_text(const char *s)
{
	if (strcmp(s, "default") == 0)
		return D;
	int base = 0, n;
	if (strncmp(s, "bright-", 7) == 0) {
		base = 8;
		s += 7;
	}
	for (int i = 0; i < 8; i++)
		if (strcmp(s, colour_names[i]) == 0)
			return base + i;
	if (base == 0 && strncmp(s, "grey", 4) == 0 && small_number(s + 4, 23, &n))
		return 232 + n;
	if (base == 0 && s[0] == '#' && strlen(s) == 7 &&
	    strspn(s + 1, "0123456789abcdefABCDEF") == 6)
		return nearest_xterm((unsigned)strtoul(s + 1, NULL, 16));
	return -2;
}

/* ---- theme files ------------------------------------------------------- */

/* Where a value sits in a theme file: up to three keys and an array index. */
struct where {
	const char *key[3];
	size_t n;
	long idx; /* -1: none */
};

struct loader {
	const char *file;
	const char *text;
	struct be_error **err;
};

/* Line and column (1-based) of the first byte that is not white space. */
static void first_token(const char *text, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (const char *p = text; *p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'; p++) {
		*col = *p == '\n' ? 1 : *col + 1;
		*line += *p == '\n';
	}
}

/* Line and column (1-based) of the last key of w in the JSON text, which
 * jansson has parsed already, so the scan may trust its syntax.  With no key
 * it is the start of the document.  False when the key is not found (it
 * was written with escapes). */
static bool locate(const char *text, const struct where *w, int *line, int *col)
{
	if (w->n == 0) {
		first_token(text, line, col);
		return true;
	}
	bool match[4] = {true}; /* the keys leading to each depth are w's */
	int depth = 0;
	*line = 1;
	const char *bol = text;
	for (const char *p = text; *p; p++) {
		if (*p == '\n') {
			++*line;
			bol = p + 1;
		} else if (*p == '{' || *p == '[') {
			depth++;
			if (depth < 4 && *p == '[')
				match[depth] = false;
		} else if (*p == '}' || *p == ']') {
			depth--;
		} else if (*p == '"') {
			const char *s = p + 1, *q = s;
			while (*q && *q != '"')
				q += (*q == '\\' && q[1]) ? 2 : 1;
			if (*q == '\0')
				break;
			const char *after = q + 1;
			while (*after == ' ' || *after == '\t' || *after == '\r' || *after == '\n')
				after++;
			size_t len = (size_t)(q - s);
			if (*after == ':' && depth >= 1 && (size_t)depth <= w->n) {
				/* a key: it decides whether its value, one level
				 * down, lies on w's path */
				const char *want = w->key[depth - 1];
				bool ok = match[depth - 1] && strlen(want) == len &&
				          memcmp(s, want, len) == 0;
				if (ok && (size_t)depth == w->n) {
					*col = (int)(p - bol) + 1;
					return true;
				}
				if (depth < 4)
					match[depth] = ok;
			}
			p = q;
		}
	}
	return false;
}

/* Fails with "FILE:LINE:COL: KEY.PATH[I]: message" (the position when the
 * key can be found in the text). */
static int fail_at(const struct loader *ld, const struct where *w, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static int fail_at(const struct loader *ld, const struct where *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	char pos[32] = " ", keys[160] = "";
	int line, col;
	if (locate(ld->text, w, &line, &col))
		snprintf(pos, sizeof(pos), "%d:%d: ", line, col);
	size_t o = 0;
	for (size_t i = 0; i < w->n && o < sizeof(keys); i++)
		o += (size_t)snprintf(keys + o, sizeof(keys) - o, "%s%s", i ? "." : "", w->key[i]);
	if (w->idx >= 0 && o < sizeof(keys))
		o += (size_t)snprintf(keys + o, sizeof(keys) - o, "[%ld]", w->idx);
	char *line_text = xasprintf("%s:%s%s%s%s", ld->file, pos, keys, w->n ? ": " : "", msg);
	/* Keys and values come from the file: keep the message one line. */
	for (char *c = line_text; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	be_error_set(ld->err, 0, "%s", line_text);
	free(line_text);
	free(msg);
	return -1;
}

static int read_colour(const struct loader *ld, const struct where *w, json_t *v, int16_t *out)
{
	if (json_is_integer(v)) {
		json_int_t n = json_integer_value(v);
		if (n < 0 || n > 255)
			return fail_at(ld, w, "colour %lld is out of range (0 to 255)",
			               (long long)n);
		*out = (int16_t)n;
		return 0;
	}
	int c = json_is_string(v) ? colour_from_text(json_string_value(v)) : -2;
	if (c == -2 && json_is_string(v))
		return fail_at(
		        ld, w,
		        "unknown colour \"%.40s\" (default, black, red, green, yellow, blue, "
		        "magenta, cyan, white, bright-NAME, grey0-grey23, 0-255 or #rrggbb)",
		        json_string_value(v));
	if (c == -2)
		return fail_at(ld, w, "a colour must be a name, a number or \"#rrggbb\"");
	*out = (int16_t)c;
	return 0;
}

static int read_attrs(const struct loader *ld, struct where w, json_t *v, uint8_t *out)
{
	if (!json_is_array(v))
		return fail_at(ld, &w, "must be an array of attribute names");
	uint8_t attrs = 0;
	for (size_t i = 0; i < json_array_size(v); i++) {
		json_t *a = json_array_get(v, i);
		w.idx = (long)i;
		size_t k = 0;
		while (k < 4 && !(json_is_string(a) &&
		                  strcmp(json_string_value(a), attr_names[k].name) == 0))
			k++;
		if (k == 4)
			return fail_at(ld, &w, "unknown attribute (bold, dim, reverse, underline)");
		attrs |= attr_names[k].bit;
	}
	*out = attrs;
	return 0;
}

/* One role object: any of fg, bg and attrs; what it leaves out stays. */
static int read_role(const struct loader *ld, const char *role, json_t *obj,
                     struct be_theme_style *st)
{
	struct where w = {.key = {"roles", role}, .n = 2, .idx = -1};
	if (!json_is_object(obj))
		return fail_at(ld, &w, "must be an object with fg, bg or attrs");
	for (void *it = json_object_iter(obj); it; it = json_object_iter_next(obj, it)) {
		const char *key = json_object_iter_key(it);
		json_t *v = json_object_iter_value(it);
		w.key[2] = key;
		w.n = 3;
		int r;
		if (strcmp(key, "fg") == 0)
			r = read_colour(ld, &w, v, &st->fg);
		else if (strcmp(key, "bg") == 0)
			r = read_colour(ld, &w, v, &st->bg);
		else if (strcmp(key, "attrs") == 0)
			r = read_attrs(ld, w, v, &st->attrs);
		else
			r = fail_at(ld, &w, "unknown key (fg, bg, attrs)");
		if (r < 0)
			return -1;
	}
	return 0;
}

static int read_roles(const struct loader *ld, json_t *roles, struct be_theme *t)
{
	struct where w = {.key = {"roles"}, .n = 1, .idx = -1};
	if (!json_is_object(roles))
		return fail_at(ld, &w, "must be an object mapping roles to styles");
	for (void *it = json_object_iter(roles); it; it = json_object_iter_next(roles, it)) {
		const char *key = json_object_iter_key(it);
		json_t *v = json_object_iter_value(it);
		size_t r = 0;
		while (r < BE_ROLE_COUNT && strcmp(key, role_names[r]) != 0)
			r++;
		if (r == BE_ROLE_COUNT) {
			char known[BE_ROLE_COUNT * 16] = "";
			for (size_t i = 0, o = 0; i < BE_ROLE_COUNT; i++)
				o += (size_t)snprintf(known + o, sizeof(known) - o, "%s%s",
				                      i ? ", " : "", role_names[i]);
			w.key[1] = key;
			w.n = 2;
			return fail_at(ld, &w, "unknown role (%s)", known);
		}
		if (read_role(ld, key, v, &t->role[r]) < 0)
			return -1;
	}
	return 0;
}

/* The theme's name: "name" when given, else the file name without .json. */
static int read_name(const struct loader *ld, json_t *v, struct be_theme *t)
{
	struct where w = {.key = {"name"}, .n = 1, .idx = -1};
	if (v == NULL) {
		const char *base = strrchr(ld->file, '/');
		base = base ? base + 1 : ld->file;
		size_t n = strlen(base);
		if (n > 5 && strcmp(base + n - 5, ".json") == 0)
			n -= 5;
		snprintf(t->name, sizeof(t->name), "%.*s", (int)n, base);
		return 0;
	}
	if (!json_is_string(v) || !be_name_valid(json_string_value(v)) ||
	    strlen(json_string_value(v)) >= sizeof(t->name))
		return fail_at(ld, &w,
		               "must be 1 to 63 of a-z A-Z 0-9 _ . -, starting with a "
		               "letter or digit");
	snprintf(t->name, sizeof(t->name), "%s", json_string_value(v));
	return 0;
}

/* The top level holds only version, name, inherits and roles. */
static int check_top_keys(const struct loader *ld, json_t *root)
{
	static const char *const known[] = {"version", "name", "inherits", "roles"};
	for (void *it = json_object_iter(root); it; it = json_object_iter_next(root, it)) {
		const char *key = json_object_iter_key(it);
		size_t k = 0;
		while (k < 4 && strcmp(key, known[k]) != 0)
			k++;
		struct where w = {.key = {key}, .n = 1, .idx = -1};
		if (k == 4)
			return fail_at(ld, &w, "unknown key (version, name, inherits, roles)");
	}
	return 0;
}

/* "inherits": a built-in, "default" when absent; fills t with it. */
static int read_inherits(const struct loader *ld, json_t *v, struct be_theme *t)
{
	struct where w = {.key = {"inherits"}, .n = 1, .idx = -1};
	if (v != NULL && !json_is_string(v))
		return fail_at(ld, &w, "must be the name of a built-in theme (default, mono)");
	const char *base = v ? json_string_value(v) : "default";
	if (strcmp(base, "default") != 0 && strcmp(base, "mono") != 0)
		return fail_at(ld, &w, "unknown built-in theme \"%.40s\" (default, mono)", base);
	return be_theme_builtin(base, t, NULL);
}

static int read_theme(const struct loader *ld, json_t *root, struct be_theme *t)
{
	if (check_top_keys(ld, root) < 0)
		return -1;
	json_t *v = json_object_get(root, "version");
	struct where top = {.n = 0, .idx = -1}, wv = {.key = {"version"}, .n = 1, .idx = -1};
	if (v == NULL)
		return fail_at(ld, &top, "\"version\" is missing (this berth reads version 1)");
	if (!json_is_integer(v) || json_integer_value(v) != 1)
		return fail_at(ld, &wv, "unsupported (this berth reads version 1)");
	if (read_inherits(ld, json_object_get(root, "inherits"), t) < 0 ||
	    read_name(ld, json_object_get(root, "name"), t) < 0)
		return -1;
	v = json_object_get(root, "roles");
	if (v != NULL && read_roles(ld, v, t) < 0)
		return -1;
	t->mono = theme_is_mono(t);
	return 0;
}

int be_theme_load_file(const char *path, struct be_theme *out, struct be_error **err)
{
	size_t len;
	cleanup_free char *text = util_read_file(path, &len, err);
	if (text == NULL)
		return be_error_wrap(err, "loading theme");
	json_error_t jerr;
	cleanup_json json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return be_error_set(err, 0, "%s:%d:%d: %s", path, jerr.line, jerr.column,
		                    jerr.text);
	struct loader ld = {.file = path, .text = text, .err = err};
	struct where top = {.n = 0, .idx = -1};
	if (!json_is_object(root))
		return fail_at(&ld, &top, "a theme must be a JSON object");
	struct be_theme t;
	if (read_theme(&ld, root, &t) < 0)
		return -1;
	*out = t;
	return 0;
}

/* ---- the theme path ---------------------------------------------------- */

struct strv {
	char **v;
	size_t n, cap;
};

/* Takes ownership of s; keeps v NULL-terminated. */
static void strv_push(struct strv *sv, char *s)
{
	if (sv->n + 2 > sv->cap) {
		sv->cap = sv->cap ? sv->cap * 2 : 8;
		sv->v = xrealloc(sv->v, sv->cap * sizeof(*sv->v));
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}

/* The first len bytes of dir without trailing slashes ("/" stays), then
 * "/" and tail unless tail is NULL. */
static char *join(const char *dir, size_t len, const char *tail)
{
	while (len > 1 && dir[len - 1] == '/')
		len--;
	bool slash = tail != NULL && dir[len - 1] != '/'; /* no "//x" under "/" */
	return xasprintf("%.*s%s%s", (int)len, dir, slash ? "/" : "", tail ? tail : "");
}

/* The directory above the one holding the running program. */
static char *install_prefix(void)
{
	char *exe = be_self_exe(NULL);
	if (exe == NULL)
		return NULL;
	for (int up = 0; up < 2; up++) {
		char *slash = strrchr(exe, '/');
		if (slash == NULL) {
			free(exe);
			return NULL;
		}
		slash[slash == exe] = '\0'; /* "/berth" -> "/" */
	}
	return exe;
}

char **be_theme_path(void)
{
	struct strv sv = {0};
	const char *env = getenv("BERTH_THEME_PATH");
	for (const char *p = env; p && *p; p += *p == ':') {
		size_t n = strcspn(p, ":");
		if (n > 0)
			strv_push(&sv, join(p, n, NULL));
		p += n;
	}
	/* The XDG spec says a relative XDG_CONFIG_HOME is to be ignored. */
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	if (xdg && xdg[0] == '/')
		strv_push(&sv, join(xdg, strlen(xdg), "berth/themes"));
	else if (home && home[0] != '\0')
		strv_push(&sv, join(home, strlen(home), ".config/berth/themes"));
	cleanup_free char *prefix = install_prefix();
	if (prefix) {
		strv_push(&sv, join(prefix, strlen(prefix), "share/berth/themes"));
		strv_push(&sv, join(prefix, strlen(prefix), "themes"));
	}
	return sv.v ? sv.v : xcalloc(1, sizeof(char *));
}

void be_theme_path_free(char **dirs)
{
	if (dirs == NULL)
		return;
	for (char **d = dirs; *d; d++)
		free(*d);
	free(dirs);
}

static void cleanup_strvp(char ***v)
{
	be_theme_path_free(*v);
}
#define cleanup_strv __attribute__((cleanup(cleanup_strvp)))

int be_theme_load(const char *name, struct be_theme *out, struct be_error **err)
{
	if (be_name_check("theme", name, err) < 0)
		return -1;
	cleanup_strv char **dirs = be_theme_path();
	for (char **d = dirs; *d; d++) {
		cleanup_free char *file = xasprintf("%s/%s.json", *d, name);
		struct stat st;
		if (stat(file, &st) == 0)
			return be_theme_load_file(file, out, err);
		if (errno != ENOENT && errno != ENOTDIR)
			return be_error_set(err, errno, "loading theme %s: %s", name, file);
	}
	if (strcmp(name, "default") == 0 || strcmp(name, "mono") == 0)
		return be_theme_builtin(name, out, err);
	cleanup_free char *where = NULL;
	for (char **d = dirs; *d; d++) {
		char *w = xasprintf("%s%s%s", where ? where : "", where ? ", " : "", *d);
		free(where);
		where = w;
	}
	return be_error_set(err, ENOENT, "loading theme %s: no %s.json in %s, nor built in", name,
	                    name, where ? where : "an empty theme path");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the NAME of every regular NAME.json in dir whose NAME be_theme_load
 * would accept.  A missing directory adds nothing. */
static int scan_dir(const char *dir, struct strv *sv, struct be_error **err)
{
	cleanup_dir DIR *d = opendir(dir);
	if (d == NULL) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return be_error_set(err, errno, "listing themes: %s", dir);
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		if (n <= 5 || strcmp(de->d_name + n - 5, ".json") != 0)
			continue;
		char name[BE_THEME_NAME_MAX + 8];
		snprintf(name, sizeof(name), "%.*s", (int)(n - 5), de->d_name);
		struct stat st;
		if (n - 5 >= BE_THEME_NAME_MAX || !be_name_valid(name) ||
		    fstatat(dirfd(d), de->d_name, &st, 0) < 0 || !S_ISREG(st.st_mode))
			continue;
		strv_push(sv, xstrdup(name));
	}
	return 0;
}

char **be_theme_names(struct be_error **err)
{
	cleanup_strv char **dirs = be_theme_path();
	struct strv sv = {0};
	strv_push(&sv, xstrdup("default"));
	strv_push(&sv, xstrdup("mono"));
	for (char **d = dirs; *d; d++) {
		if (scan_dir(*d, &sv, err) < 0) {
			be_theme_path_free(sv.v);
			return NULL;
		}
	}
	qsort(sv.v, sv.n, sizeof(*sv.v), cmp_str);
	size_t keep = 0;
	for (size_t i = 0; i < sv.n; i++) {
		if (keep > 0 && strcmp(sv.v[keep - 1], sv.v[i]) == 0)
			free(sv.v[i]);
		else
			sv.v[keep++] = sv.v[i];
	}
	sv.v[keep] = NULL;
	return sv.v;
}
