/* Unit tests of backend/theme/theme.c: the built-ins, theme files (every colour
 * form, inheritance, and each kind of bad file with the place it names),
 * the shipped theme files in themes/ against the built-ins, the search path and the
 * name list. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "berth.h"
#include "testutil.h"

#define D BE_THEME_DEFAULT_COLOR

static const char *src_dir(void)
{
	const char *s = getenv("BERTH_SRC");
	return s && *s ? s : ".";
}

/* tests/fixtures/themes/REL in a static buffer. */
static const char *fixture(const char *rel)
{
	static char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/tests/fixtures/themes/%s", src_dir(), rel);
	return p;
}

static void load_ok(const char *path, struct be_theme *t)
{
	struct be_error *err = NULL;
	if (be_theme_load_file(path, t, &err) < 0)
		fail_msg("%s", err->msg);
}

static void assert_style(const struct be_theme *t, enum be_theme_role r, int fg, int bg,
                         unsigned attrs)
{
	const struct be_theme_style *s = &t->role[r];
	if (s->fg != fg || s->bg != bg || s->attrs != attrs)
		fail_msg("role %s: got fg %d bg %d attrs %u, want fg %d bg %d attrs %u",
		         be_theme_role_name(r), s->fg, s->bg, s->attrs, fg, bg, attrs);
}

/* Saves and restores the variables the path reads, so tests do not leak
 * them into one another. */
static const char *const env_names[] = {"BERTH_THEME_PATH", "XDG_CONFIG_HOME", "HOME"};
static char *env_saved[3];

static int env_save(void **state)
{
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		const char *v = getenv(env_names[i]);
		env_saved[i] = v ? strdup(v) : NULL;
	}
	return 0;
}

static int env_restore(void **state)
{
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		if (env_saved[i])
			setenv(env_names[i], env_saved[i], 1);
		else
			unsetenv(env_names[i]);
		free(env_saved[i]);
		env_saved[i] = NULL;
	}
	return 0;
}

/* ---- roles and built-ins ------------------------------------------------ */

static void test_be_theme_role_name_all(void **state)
{
	(void)state;
	for (int i = 0; i < BE_ROLE_COUNT; i++) {
		const char *n = be_theme_role_name((enum be_theme_role)i);
		assert_non_null(n);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(n, be_theme_role_name((enum be_theme_role)j));
	}
	assert_string_equal(be_theme_role_name(BE_ROLE_TABLE_HEADER), "table_header");
	assert_string_equal(be_theme_role_name(BE_ROLE_OK), "ok");
	assert_null(be_theme_role_name(BE_ROLE_COUNT));
	assert_null(be_theme_role_name((enum be_theme_role) - 1));
}

static void test_be_theme_builtin_default(void **state)
{
	(void)state;
	struct be_theme t;
	assert_int_equal(be_theme_builtin("default", &t, NULL), 0);
	assert_string_equal(t.name, "default");
	assert_false(t.mono);
	assert_style(&t, BE_ROLE_METER_LOW, 2, D, 0);
	assert_style(&t, BE_ROLE_METER_MID, 3, D, 0);
	assert_style(&t, BE_ROLE_METER_HIGH, 1, D, BE_ATTR_BOLD);
	assert_style(&t, BE_ROLE_SELECTED, D, D, BE_ATTR_REVERSE);
	assert_style(&t, BE_ROLE_ERROR, 1, D, BE_ATTR_BOLD);
	assert_style(&t, BE_ROLE_EXITED, D, D, BE_ATTR_DIM);
	/* Only the basic eight, so it looks the same on an 8-colour terminal. */
	for (int i = 0; i < BE_ROLE_COUNT; i++) {
		assert_in_range(t.role[i].fg + 1, 0, 8);
		assert_in_range(t.role[i].bg + 1, 0, 8);
	}
}

static void test_be_theme_builtin_mono(void **state)
{
	(void)state;
	struct be_theme t;
	assert_int_equal(be_theme_builtin("mono", &t, NULL), 0);
	assert_string_equal(t.name, "mono");
	assert_true(t.mono);
	for (int i = 0; i < BE_ROLE_COUNT; i++)
		assert_style(&t, (enum be_theme_role)i, D, D, t.role[i].attrs);
	/* Without colour the roles that must stand out still do. */
	assert_int_not_equal(t.role[BE_ROLE_SELECTED].attrs, 0);
	assert_int_not_equal(t.role[BE_ROLE_TITLE].attrs, 0);
	assert_int_not_equal(t.role[BE_ROLE_ERROR].attrs, 0);
	assert_int_not_equal(t.role[BE_ROLE_METER_HIGH].attrs, t.role[BE_ROLE_METER_LOW].attrs);
}

static void test_be_theme_builtin_unknown(void **state)
{
	(void)state;
	struct be_theme t, before;
	memset(&t, 0xa5, sizeof(t));
	before = t;
	struct be_error *err = NULL;
	assert_int_equal(be_theme_builtin("solarized", &t, &err), -1);
	assert_string_equal(err->msg, "unknown built-in theme \"solarized\" (default, mono)");
	be_error_clear(&err);
	assert_int_equal(be_theme_builtin("../default", &t, &err), -1);
	assert_non_null(strstr(err->msg, "invalid theme name"));
	be_error_clear(&err);
	assert_int_equal(be_theme_builtin(NULL, &t, &err), -1);
	be_error_clear(&err);
	assert_memory_equal(&t, &before, sizeof(t));
}

/* ---- theme files ---------------------------------------------------------- */

/* The shipped file NAME.json says exactly what the built-in says, and names
 * every role itself (so that it documents the whole theme). */
static void check_shipped(const char *name)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/themes/%s.json", src_dir(), name);
	struct be_theme file, builtin;
	load_ok(path, &file);
	assert_int_equal(be_theme_builtin(name, &builtin, NULL), 0);
	assert_string_equal(file.name, builtin.name);
	assert_int_equal(file.mono, builtin.mono);
	for (int i = 0; i < BE_ROLE_COUNT; i++)
		assert_style(&file, (enum be_theme_role)i, builtin.role[i].fg, builtin.role[i].bg,
		             builtin.role[i].attrs);
	char *text = tu_read(path);
	assert_non_null(text);
	for (int i = 0; i < BE_ROLE_COUNT; i++) {
		char key[64];
		snprintf(key, sizeof(key), "\"%s\":", be_theme_role_name((enum be_theme_role)i));
		if (strstr(text, key) == NULL)
			fail_msg("%s does not spell out role %s", path, key);
	}
	free(text);
}

static void test_be_theme_load_file_shipped_default(void **state)
{
	(void)state;
	check_shipped("default");
}

static void test_be_theme_load_file_shipped_mono(void **state)
{
	(void)state;
	check_shipped("mono");
}

static void test_be_theme_load_file_shipped_others(void **state)
{
	(void)state;
	static const char *const names[] = {"solarized-dark", "high-contrast"};
	for (size_t i = 0; i < 2; i++) {
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/themes/%s.json", src_dir(), names[i]);
		struct be_theme t;
		load_ok(path, &t);
		assert_string_equal(t.name, names[i]);
		assert_false(t.mono);
	}
	struct be_theme t;
	snprintf(t.name, sizeof(t.name), "x");
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/themes/solarized-dark.json", src_dir());
	load_ok(path, &t);
	assert_style(&t, BE_ROLE_TITLE, 230, 32, BE_ATTR_BOLD); /* #fdf6e3 on #268bd2 */
}

static void test_be_theme_load_file_colours(void **state)
{
	(void)state;
	struct be_theme t;
	load_ok(fixture("good/colours.json"), &t);
	assert_string_equal(t.name, "colours");
	assert_false(t.mono);
	assert_style(&t, BE_ROLE_NORMAL, D, 0, 0);
	assert_style(&t, BE_ROLE_TITLE, 7, 8, BE_ATTR_BOLD); /* attrs kept from default */
	assert_style(&t, BE_ROLE_STATUS, 15, 0, 0);
	assert_style(&t, BE_ROLE_KEY, 255, 232, BE_ATTR_BOLD);
	assert_style(&t, BE_ROLE_TABLE_HEADER, 255, 16, 0);
	assert_style(&t, BE_ROLE_SELECTED, 231, 244, BE_ATTR_REVERSE);
	assert_style(&t, BE_ROLE_BORDER, 32, 196, 0);
	assert_style(&t, BE_ROLE_LABEL, 67, 255, 0);
	assert_style(&t, BE_ROLE_METER_LOW, 243, 5, 0);
	assert_style(&t, BE_ROLE_METER_MID, 3, D, BE_ATTR_UNDERLINE | BE_ATTR_DIM);
	assert_style(&t, BE_ROLE_METER_HIGH, 1, 4, BE_ATTR_BOLD);
	assert_style(&t, BE_ROLE_GRAPH, 6, D, 0);
	assert_style(&t, BE_ROLE_RUNNING, 2, D, 0);
	assert_style(&t, BE_ROLE_ERROR, 1, D, BE_ATTR_BOLD | BE_ATTR_REVERSE);
	struct be_theme def;
	be_theme_builtin("default", &def, NULL);
	for (int i = BE_ROLE_PAUSED; i <= BE_ROLE_DIM; i++)
		assert_memory_equal(&t.role[i], &def.role[i], sizeof(t.role[i]));
	assert_memory_equal(&t.role[BE_ROLE_OK], &def.role[BE_ROLE_OK], sizeof(t.role[0]));
}

static void test_be_theme_load_file_mono_flag(void **state)
{
	(void)state;
	struct be_theme t, mono;
	be_theme_builtin("mono", &mono, NULL);
	load_ok(fixture("good/partial-mono.json"), &t);
	assert_string_equal(t.name, "partial-mono"); /* from the file name */
	assert_true(t.mono);
	assert_style(&t, BE_ROLE_SELECTED, D, D, BE_ATTR_UNDERLINE);
	assert_memory_equal(&t.role[BE_ROLE_TITLE], &mono.role[BE_ROLE_TITLE], sizeof(t.role[0]));
	load_ok(fixture("good/mono-plus-red.json"), &t);
	assert_false(t.mono);
	assert_style(&t, BE_ROLE_ERROR, 1, D, mono.role[BE_ROLE_ERROR].attrs);

	/* A file over "default" that sets every colour to "default" is mono
	 * too: the flag follows the colours, not the name inherited. */
	char *root = tu_root_new();
	char path[PATH_MAX], *text = strdup("{\"version\": 1, \"roles\": {");
	for (int i = 0; i < BE_ROLE_COUNT; i++) {
		char *next;
		assert_true(asprintf(&next,
		                     "%s%s\"%s\": {\"fg\": \"default\", \"bg\": \"default\"}", text,
		                     i ? ", " : "", be_theme_role_name((enum be_theme_role)i)) > 0);
		free(text);
		text = next;
	}
	snprintf(path, sizeof(path), "%s/plain.json", root);
	char *full;
	assert_true(asprintf(&full, "%s}}\n", text) > 0);
	tu_write(path, full);
	load_ok(path, &t);
	assert_true(t.mono);
	free(full);
	free(text);
	tu_root_remove(root);
	free(root);
}

/* Each bad fixture: the error names the file and the place, stays on one
 * line, and the theme given is left as it was. */
static void test_be_theme_load_file_bad(void **state)
{
	(void)state;
	static const struct {
		const char *file, *want;
	} cases[] = {
	        {"syntax.json", ":5:"},
	        {"duplicate.json", ":3:"},
	        {"array.json", ":2:3: a theme must be a JSON object"},
	        {"no-version.json", ":1:1: \"version\" is missing"},
	        {"version-2.json", ":3:3: version: unsupported"},
	        {"version-string.json", ":2:3: version: unsupported"},
	        {"unknown-key.json", ":3:3: colours: unknown key"},
	        {"unknown-role.json", ":4:5: roles.titel: unknown role (normal, title,"},
	        {"unknown-colour.json", ":4:15: roles.title.fg: unknown colour \"purple\""},
	        {"colour-256.json", ":4:28: roles.title.bg: colour 256 is out of range"},
	        {"colour-negative.json", ":5:7: roles.ok.bg: colour -1 is out of range"},
	        {"colour-bool.json", ":4:15: roles.title.fg: a colour must be"},
	        {"colour-short-hex.json", ":4:15: roles.title.fg: unknown colour \"#12345\""},
	        {"colour-grey24.json", ":4:15: roles.title.fg: unknown colour \"grey24\""},
	        {"attrs-string.json", ":4:15: roles.title.attrs: must be an array"},
	        {"attrs-unknown.json", ":4:15: roles.title.attrs[1]: unknown attribute"},
	        {"role-string.json", ":4:5: roles.title: must be an object"},
	        {"roles-array.json", ":3:3: roles: must be an object"},
	        {"inherits-unknown.json", ":3:3: inherits: unknown built-in theme \"solarized\""},
	        {"name-invalid.json", ":3:3: name: must be"},
	        {"role-unknown-key.json", ":4:15: roles.title.fore: unknown key (fg, bg, attrs)"},
	        {"second-role.json",
	         ":5:37: roles.table_header.bg: unknown colour \"bright-grey\""},
	        /* jansson decodes the escape: no position, and no newline */
	        {"escaped-key.json", ": roles.ti?tle: unknown role"},
	        {"missing.json", ": No such file or directory"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[PATH_MAX], want[PATH_MAX + 128];
		snprintf(path, sizeof(path), "%s", fixture("bad/"));
		strncat(path, cases[i].file, sizeof(path) - strlen(path) - 1);
		snprintf(want, sizeof(want), "%s%s", path, cases[i].want);
		struct be_theme t, before;
		memset(&t, 0x5a, sizeof(t));
		before = t;
		struct be_error *err = NULL;
		if (be_theme_load_file(path, &t, &err) == 0)
			fail_msg("%s loaded", cases[i].file);
		assert_non_null(err);
		if (strstr(err->msg, want) == NULL)
			fail_msg("%s: got \"%s\", want \"%s\"", cases[i].file, err->msg, want);
		assert_null(strchr(err->msg, '\n'));
		assert_memory_equal(&t, &before, sizeof(t));
		be_error_free(err);
	}
}

/* ---- the path, loading by name, the name list --------------------------- */

/* PREFIX/TAIL where PREFIX is the directory above the test binary's. */
static char *exe_relative(const char *tail)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	*strrchr(exe, '/') = '\0';
	char *s;
	assert_true(asprintf(&s, "%s/%s", exe, tail) > 0);
	return s;
}

static void assert_path(const char *const *want, size_t n)
{
	char **dirs = be_theme_path();
	size_t i = 0;
	for (; dirs[i] && i < n; i++)
		assert_string_equal(dirs[i], want[i]);
	assert_int_equal(i, n);
	char *share = exe_relative("share/berth/themes"), *src = exe_relative("themes");
	assert_non_null(dirs[n]);
	assert_string_equal(dirs[n], share);
	assert_non_null(dirs[n + 1]);
	assert_string_equal(dirs[n + 1], src);
	assert_null(dirs[n + 2]);
	free(share);
	free(src);
	be_theme_path_free(dirs);
}

static void test_be_theme_path_order(void **state)
{
	(void)state;
	setenv("BERTH_THEME_PATH", "/a:/b/::/c//", 1);
	setenv("XDG_CONFIG_HOME", "/xdg", 1);
	setenv("HOME", "/home/u", 1);
	assert_path((const char *[]){"/a", "/b", "/c", "/xdg/berth/themes"}, 4);
	unsetenv("XDG_CONFIG_HOME");
	assert_path((const char *[]){"/a", "/b", "/c", "/home/u/.config/berth/themes"}, 4);
	setenv("XDG_CONFIG_HOME", "relative/dir", 1); /* ignored, as XDG says */
	unsetenv("BERTH_THEME_PATH");
	assert_path((const char *[]){"/home/u/.config/berth/themes"}, 1);
	setenv("XDG_CONFIG_HOME", "", 1);
	setenv("HOME", "/", 1);
	assert_path((const char *[]){"/.config/berth/themes"}, 1);
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("HOME");
	setenv("BERTH_THEME_PATH", ":", 1);
	assert_path(NULL, 0);
}

struct tree {
	char *root;
	char first[PATH_MAX], second[PATH_MAX];
};

/* ROOT/first and ROOT/second on BERTH_THEME_PATH, no config dir. */
static struct tree *tree_new(void)
{
	struct tree *t = calloc(1, sizeof(*t));
	assert_non_null(t);
	t->root = tu_root_new();
	snprintf(t->first, sizeof(t->first), "%s/first", t->root);
	snprintf(t->second, sizeof(t->second), "%s/second", t->root);
	char env[2 * PATH_MAX + 2];
	snprintf(env, sizeof(env), "%s:%s", t->first, t->second);
	setenv("BERTH_THEME_PATH", env, 1);
	setenv("XDG_CONFIG_HOME", t->root, 1); /* ROOT/berth/themes: absent */
	return t;
}

static void tree_write(const char *dir, const char *file, const char *text)
{
	char p[PATH_MAX + 64];
	snprintf(p, sizeof(p), "%s/%s", dir, file);
	tu_write(p, text);
}

static int tree_free(void **state)
{
	struct tree *t = *state;
	if (t) {
		tu_root_remove(t->root);
		free(t->root);
		free(t);
	}
	return env_restore(state);
}

static void test_be_theme_load_path_order(void **state)
{
	struct tree *t = tree_new();
	*state = t;
	tree_write(t->first, "x.json", "{\"version\": 1, \"name\": \"first\"}");
	tree_write(t->second, "x.json", "{\"version\": 1, \"name\": \"second\"}");
	tree_write(t->second, "y.json", "{\"version\": 1}");
	tree_write(t->second, "mono.json",
	           "{\"version\": 1, \"roles\": {\"ok\": {\"fg\": \"red\"}}}");
	struct be_theme th;
	struct be_error *err = NULL;
	assert_int_equal(be_theme_load("x", &th, &err), 0);
	assert_string_equal(th.name, "first");
	assert_int_equal(be_theme_load("y", &th, &err), 0);
	assert_string_equal(th.name, "y");
	/* A file comes before a built-in of the same name. */
	assert_int_equal(be_theme_load("mono", &th, &err), 0);
	assert_false(th.mono);
	assert_int_equal(th.role[BE_ROLE_OK].fg, 1);
	assert_int_equal(be_theme_load("default", &th, &err), 0);
	assert_string_equal(th.name, "default");
	assert_null(err);
}

static void test_be_theme_load_errors(void **state)
{
	struct tree *t = tree_new();
	*state = t;
	tree_write(t->first, "broken.json", "{\"version\": 1, \"roles\": {\"x\": {}}}");
	tree_write(t->second, "broken.json", "{\"version\": 1}");
	tree_write(t->root, "secret.json", "{\"version\": 1}");
	struct be_theme th, before;
	memset(&th, 0x33, sizeof(th));
	before = th;
	struct be_error *err = NULL;
	/* A bad file is an error, not a reason to look further. */
	assert_int_equal(be_theme_load("broken", &th, &err), -1);
	assert_non_null(strstr(err->msg, "first/broken.json:1:26: roles.x: unknown role"));
	be_error_clear(&err);
	assert_int_equal(be_theme_load("nope", &th, &err), -1);
	assert_non_null(strstr(err->msg, "no nope.json in "));
	assert_non_null(strstr(err->msg, t->first));
	assert_non_null(strstr(err->msg, t->second));
	be_error_clear(&err);
	/* No path is built from a bad name: ../secret would be found. */
	static const char *const bad[] = {"../secret", "first/../../secret", "", ".hidden"};
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(be_theme_load(bad[i], &th, &err), -1);
		assert_non_null(strstr(err->msg, "invalid theme name"));
		be_error_clear(&err);
	}
	assert_memory_equal(&th, &before, sizeof(th));
}

/* True when NAME.json is a file in one of the dirs above the test binary:
 * those are the path's last entries, which the test does not control. */
static bool in_exe_dirs(const char *name)
{
	const char *tails[] = {"share/berth/themes", "themes"};
	for (size_t i = 0; i < 2; i++) {
		char *dir = exe_relative(tails[i]);
		char p[PATH_MAX + 128];
		snprintf(p, sizeof(p), "%s/%s.json", dir, name);
		free(dir);
		if (access(p, F_OK) == 0)
			return true;
	}
	return false;
}

static void test_be_theme_names_union(void **state)
{
	struct tree *t = tree_new();
	*state = t;
	tree_write(t->first, "b.json", "{}");
	tree_write(t->first, "a.json", "not even JSON: listed all the same");
	tree_write(t->second, "a.json", "{}");
	tree_write(t->second, "mono.json", "{}");
	tree_write(t->second, "notes.txt", "");
	tree_write(t->second, ".hidden.json", "{}");
	tree_write(t->second, "bad name.json", "{}");
	tree_write(t->second, "dir.json/x", "");
	tree_write(t->second, ".json", "");
	char p[PATH_MAX + 64], target[PATH_MAX + 64];
	snprintf(p, sizeof(p), "%s/link.json", t->second);
	snprintf(target, sizeof(target), "%s/b.json", t->first);
	assert_int_equal(symlink(target, p), 0);
	snprintf(p, sizeof(p), "%s/dangling.json", t->second);
	assert_int_equal(symlink("/nonexistent-berth-theme", p), 0);

	struct be_error *err = NULL;
	char **names = be_theme_names(&err);
	assert_non_null(names);
	static const char *const want[] = {"a", "b", "default", "link", "mono"};
	size_t w = 0;
	for (size_t i = 0; names[i]; i++) {
		if (i > 0 && strcmp(names[i - 1], names[i]) >= 0)
			fail_msg("not sorted and unique: %s then %s", names[i - 1], names[i]);
		if (w < 5 && strcmp(names[i], want[w]) == 0)
			w++;
		else if (!in_exe_dirs(names[i]))
			fail_msg("unexpected theme %s", names[i]);
	}
	assert_int_equal(w, 5);
	be_theme_path_free(names);
}

static void test_be_theme_names_errors(void **state)
{
	struct tree *t = tree_new();
	*state = t;
	/* A path entry that is a file, or missing, is no error. */
	tree_write(t->root, "plain", "");
	char env[PATH_MAX * 2];
	snprintf(env, sizeof(env), "%s/plain:%s/missing", t->root, t->root);
	setenv("BERTH_THEME_PATH", env, 1);
	struct be_error *err = NULL;
	char **names = be_theme_names(&err);
	assert_non_null(names);
	assert_null(err);
	be_theme_path_free(names);
	/* One that cannot be read is. */
	char *long_dir = malloc(PATH_MAX + 16);
	memset(long_dir, 'x', PATH_MAX + 15);
	long_dir[0] = '/';
	long_dir[PATH_MAX + 15] = '\0';
	setenv("BERTH_THEME_PATH", long_dir, 1);
	assert_null(be_theme_names(&err));
	assert_non_null(err);
	assert_int_equal(err->errnum, ENAMETOOLONG);
	assert_non_null(strstr(err->msg, "listing themes: /xxx"));
	be_error_free(err);
	free(long_dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_be_theme_role_name_all),
	        cmocka_unit_test(test_be_theme_builtin_default),
	        cmocka_unit_test(test_be_theme_builtin_mono),
	        cmocka_unit_test(test_be_theme_builtin_unknown),
	        cmocka_unit_test(test_be_theme_load_file_shipped_default),
	        cmocka_unit_test(test_be_theme_load_file_shipped_mono),
	        cmocka_unit_test(test_be_theme_load_file_shipped_others),
	        cmocka_unit_test(test_be_theme_load_file_colours),
	        cmocka_unit_test(test_be_theme_load_file_mono_flag),
	        cmocka_unit_test(test_be_theme_load_file_bad),
	        cmocka_unit_test_setup_teardown(test_be_theme_path_order, env_save, env_restore),
	        cmocka_unit_test_setup_teardown(test_be_theme_load_path_order, env_save, tree_free),
	        cmocka_unit_test_setup_teardown(test_be_theme_load_errors, env_save, tree_free),
	        cmocka_unit_test_setup_teardown(test_be_theme_names_union, env_save, tree_free),
	        cmocka_unit_test_setup_teardown(test_be_theme_names_errors, env_save, tree_free),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
