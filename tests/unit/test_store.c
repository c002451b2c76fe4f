/* Tests of backend/store/store.c: JSON records (round trip, bad files named by
 * file and line and left as they were, crash points), per-object locks
 * between processes, the trash and repair of what a crash left. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/store.h"
#include "testutil.h"

struct fx {
	char *root;
	struct be_ctx *ctx;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->root = tu_root_new();
	struct be_ctx_opts opts = {.root = f->root};
	struct be_error *err = NULL;
	if (be_ctx_open(&opts, &f->ctx, &err) < 0)
		fail_msg("be_ctx_open: %s", err->msg);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	if (f == NULL)
		return 0;
	be_ctx_free(f->ctx);
	tu_root_remove(f->root);
	free(f->root);
	free(f);
	return 0;
}

/* ROOT/rel, created with its parent directories when text is not NULL. */
static char *fx_file(struct fx *f, const char *rel, const char *text)
{
	char *p = ctx_path(f->ctx, "%s", rel);
	if (text)
		tu_write(p, text);
	return p;
}

/* Number of entries of dir whose name holds needle. */
static int count_entries(const char *dir, const char *needle)
{
	struct tu_out o = {0};
	tu_sh(&o, "ls -A '%s' | grep -cF -- '%s'", dir, needle);
	int n = atoi(o.out);
	tu_out_free(&o);
	return n;
}

static char *dir_of(const char *path)
{
	char *d = xstrdup(path);
	*strrchr(d, '/') = '\0';
	return d;
}

/* ---- round trip ------------------------------------------------------------ */

static const struct be_field record_fields[] = {
        {"name", JSON_STRING, false},   {"memory", JSON_INTEGER, false},
        {"delta", JSON_INTEGER, false}, {"tty", JSON_TRUE, false},
        {"oom", JSON_TRUE, false},      {"share", JSON_REAL, false},
        {"cmd", JSON_ARRAY, false},     {"limits", JSON_OBJECT, false},
        {"user", JSON_STRING, true},    {"note", JSON_STRING, true},
};

static json_t *sample_record(const char *name)
{
	json_t *o =
	        json_pack("{s:s,s:I,s:I,s:b,s:b,s:f,s:[s,s],s:{s:I},s:n,s:s}", "name", name,
	                  "memory", (json_int_t)9223372036854771712ll, "delta", (json_int_t)-42,
	                  "tty", 1, "oom", 0, "share", 0.25, "cmd", "/bin/sh", "-c \"echo\\n\" ünï",
	                  "limits", "pids", (json_int_t)64, "user", "note", "tab\there");
	assert_non_null(o);
	return o;
}

static void test_be_store_save_round_trip(void **state)
{
	struct fx *f = *state;
	cleanup_free char *path = fx_file(f, "containers/web/config.json", NULL);
	cleanup_free char *dir = dir_of(path);
	assert_int_equal(util_mkdir_p(dir, 0700, NULL), 0);
	cleanup_json json_t *rec = sample_record("web");
	struct be_error *err = NULL;
	assert_int_equal(store_save(path, rec, BE_STORE_DURABLE, &err), 0);
	assert_null(err);

	cleanup_json json_t *back = store_load(path, &err);
	if (back == NULL)
		fail_msg("load: %s", err->msg);
	assert_int_equal(BE_STORE_CHECK(path, back, record_fields, &err), 0);
	assert_null(err);
	/* save added "version" to rec: the two are equal, field for field. */
	assert_int_equal(json_integer_value(json_object_get(back, "version")), BE_STORE_VERSION);
	assert_true(json_equal(rec, back));
	assert_int_equal(json_integer_value(json_object_get(back, "memory")),
	                 9223372036854771712ll);
	assert_string_equal(json_string_value(json_array_get(json_object_get(back, "cmd"), 1)),
	                    "-c \"echo\\n\" ünï");

	/* The file: mode 0644, ends with a newline, no temp file beside it. */
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	size_t len;
	cleanup_free char *text = util_read_file(path, &len, NULL);
	assert_true(len > 2 && text[len - 1] == '\n' && text[len - 2] == '}');
	assert_non_null(strstr(text, "\"version\": 1"));
	assert_int_equal(count_entries(dir, ".tmp"), 0);
}

/* A second save replaces the record whole; a "version" the caller put in is
 * replaced by the store's. */
static void test_be_store_save_replaces(void **state)
{
	struct fx *f = *state;
	cleanup_free char *path = fx_file(f, "images/base.json", NULL);
	cleanup_json json_t *a = json_pack("{s:s,s:i}", "name", "one", "version", 7);
	assert_int_equal(store_save(path, a, 0, NULL), 0);
	cleanup_json json_t *b = json_pack("{s:s}", "name", "two");
	assert_int_equal(store_save(path, b, BE_STORE_DURABLE, NULL), 0);
	cleanup_json json_t *back = store_load(path, NULL);
	assert_non_null(back);
	assert_string_equal(json_string_value(json_object_get(back, "name")), "two");
	assert_int_equal(json_object_size(back), 2);
	assert_int_equal(json_integer_value(json_object_get(back, "version")), 1);
}

/* Runtime state in the run directory: saved without fsync, read back. */
static void test_be_store_save_runtime(void **state)
{
	struct fx *f = *state;
	cleanup_free char *dir = ctx_run_path(f->ctx, "containers");
	assert_int_equal(util_mkdir_p(dir, 0700, NULL), 0);
	cleanup_free char *path = ctx_run_path(f->ctx, "containers/web.json");
	cleanup_json json_t *o = json_pack("{s:i,s:I}", "pid", 1234, "pid_start", (json_int_t)99);
	assert_int_equal(store_save(path, o, 0, NULL), 0);
	cleanup_json json_t *back = store_load(path, NULL);
	assert_non_null(back);
	assert_true(json_equal(o, back));
}

static void test_be_store_load_missing(void **state)
{
	struct fx *f = *state;
	cleanup_free char *path = fx_file(f, "images/none.json", NULL);
	struct be_error *err = NULL;
	assert_null(store_load(path, &err));
	assert_non_null(err);
	assert_int_equal(err->errnum, ENOENT);
	char want[4200];
	snprintf(want, sizeof(want), "reading %s: %s", path, strerror(ENOENT));
	assert_string_equal(err->msg, want);
	be_error_free(err);
	/* A directory is not a record. */
	cleanup_free char *dir = fx_file(f, "images", NULL);
	err = NULL;
	assert_null(store_load(dir, &err));
	assert_int_equal(err->errnum, EISDIR);
	be_error_free(err);
}

/* ---- bad files ------------------------------------------------------------- */

static const char good_config[] = "{\n"
                                  "  \"name\": \"web\",\n"
                                  "  \"image\": \"busybox\",\n"
                                  "  \"memory\": 67108864,\n"
                                  "  \"cmd\": [\"/bin/sh\", \"-c\", \"sleep 1\"],\n"
                                  "  \"version\": 1\n"
                                  "}\n";

#define LIT(s) s, sizeof(s) - 1

static const struct {
	const char *what;
	const char *text;
	size_t len;
	const char *at; /* expected "LINE:" or "LINE:COL:" right after "PATH:" */
	const char *says;
} bad_files[] = {
        {"empty", LIT(""), "1:0:", "expected"},
        {"spaces only", LIT("  \n\n"), "3:0:", "expected"},
        {"truncated in a string", LIT("{\n  \"name\": \"web\",\n  \"image\": \"busy"), "3:", ""},
        {"truncated before the brace", LIT("{\n  \"name\": \"web\",\n  \"version\": 1\n"),
         "4:", "expected"},
        {"truncated after a comma", LIT("{\n  \"name\": \"web\",\n"), "3:", "expected"},
        {"missing comma", LIT("{\n  \"name\": \"web\"\n  \"version\": 1\n}\n"),
         "3:11:", "expected"},
        {"trailing comma", LIT("{\n  \"name\": \"web\",\n}\n"), "3:1:", "expected"},
        {"single quotes", LIT("{\n  'name': 1\n}\n"), "2:3:", "expected"},
        {"garbage after", LIT("{\"version\": 1}\n{}\n"), "2:1:", "end of file expected"},
        {"duplicate key", LIT("{\n  \"name\": \"a\",\n  \"name\": \"b\",\n  \"version\": 1\n}\n"),
         "3:", "duplicate object key"},
        {"NUL byte", LIT("{\n  \"version\": 1,\n  \"name\": \"a\0b\"\n}\n"), "3:", "control"},
        {"huge integer",
         LIT("{\n  \"version\": 1,\n  \"memory\": 123456789012345678901234567890\n}"),
         "3:", "too big integer"},
        {"binary",
         LIT("\x7f"
             "ELF\x02\x01\x01"),
         "1:", ""},
        {"array", LIT("[1, 2]\n"), "1:1:", "not a JSON object"},
        {"string after blank lines", LIT("\n\n  \"x\"\n"), "3:5:", "expected"},
        {"array after blank lines", LIT("\n\n  [1]\n"), "3:3:", "not a JSON object"},
        {"version missing", LIT("{\n  \"name\": \"web\"\n}\n"), "1:", "missing \"version\""},
        {"version 2", LIT("{\n  \"name\": \"web\",\n  \"version\": 2\n}\n"),
         "3:", "unsupported \"version\""},
        {"version 0", LIT("\n{\n  \"version\": 0,\n  \"name\": \"web\"\n}\n"),
         "3:", "unsupported \"version\""},
        {"version a string", LIT("{\n  \"name\": \"version\",\n\n  \"version\": \"1\"\n}\n"),
         "4:", "unsupported \"version\""},
        {"version a real", LIT("{\n  \"version\": 1.0\n}\n"), "2:", "unsupported \"version\""},
        {"version null", LIT("{\n  \"version\": null\n}\n"), "2:", "\"version\""},
};

/* Each bad file: the error names "PATH:LINE", is one line, and neither the
 * load nor the repair of the next open changes a byte of the file. */
static void test_be_store_load_bad_files(void **state)
{
	struct fx *f = *state;
	cleanup_free char *path = fx_file(f, "containers/web/config.json", NULL);
	cleanup_free char *dir = dir_of(path);
	assert_int_equal(util_mkdir_p(dir, 0700, NULL), 0);
	/* The same place holds a good record first: the harness is sound. */
	tu_write(path, good_config);
	json_t *good = store_load(path, NULL);
	assert_non_null(good);
	json_decref(good);
	for (size_t i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++) {
		size_t len = bad_files[i].len;
		assert_int_equal(util_write_file_atomic(path, bad_files[i].text, len, false, NULL),
		                 0);
		struct be_error *err = NULL;
		json_t *o = store_load(path, &err);
		if (o != NULL)
			fail_msg("%s: loaded", bad_files[i].what);
		assert_non_null(err);
		char want[4200];
		snprintf(want, sizeof(want), "%s:%s", path, bad_files[i].at);
		if (strncmp(err->msg, want, strlen(want)) != 0 ||
		    strstr(err->msg, bad_files[i].says) == NULL || strchr(err->msg, '\n'))
			fail_msg("%s: message \"%s\", want \"%s ... %s\"", bad_files[i].what,
			         err->msg, want, bad_files[i].says);
		be_error_free(err);

		struct be_ctx *again = NULL;
		struct be_ctx_opts opts = {.root = f->root};
		assert_int_equal(be_ctx_open(&opts, &again, NULL), 0);
		be_ctx_free(again);
		size_t after_len;
		cleanup_free char *after = util_read_file(path, &after_len, NULL);
		assert_non_null(after);
		if (after_len != len || memcmp(after, bad_files[i].text, len) != 0)
			fail_msg("%s: the file changed", bad_files[i].what);
	}
}

/* ---- schema check ---------------------------------------------------------- */

static const char typed_text[] = "{\n"                       /* 1 */
                                 "  \"note\": \"image\",\n"  /* 2 */
                                 "  \"limits\": {\n"         /* 3 */
                                 "    \"image\": 5,\n"       /* 4 */
                                 "    \"memory\": \"64m\"\n" /* 5 */
                                 "  },\n"                    /* 6 */
                                 "  \"image\": 42,\n"        /* 7 */
                                 "  \"cmd\": \"/bin/sh\",\n" /* 8 */
                                 "  \"tty\": \"yes\",\n"     /* 9 */
                                 "  \"share\": \"0.5\",\n"   /* 10 */
                                 "  \"created\": 1.5,\n"     /* 11 */
                                 "  \"env\": {},\n"          /* 12 */
                                 "  \"labels\": [],\n"       /* 13 */
                                 "  \"user\": false,\n"      /* 14 */
                                 "  \"version\": 1\n"        /* 15 */
                                 "}\n";

static const struct {
	struct be_field field;
	const char *want; /* after "PATH:" */
} typed_cases[] = {
        {{"image", JSON_STRING, false}, "7: field \"image\" must be a string"},
        {{"cmd", JSON_ARRAY, false}, "8: field \"cmd\" must be an array"},
        {{"tty", JSON_TRUE, false}, "9: field \"tty\" must be true or false"},
        {{"tty", JSON_FALSE, false}, "9: field \"tty\" must be true or false"},
        {{"share", JSON_REAL, false}, "10: field \"share\" must be a number"},
        {{"created", JSON_INTEGER, false}, "11: field \"created\" must be an integer"},
        {{"env", JSON_ARRAY, false}, "12: field \"env\" must be an array"},
        {{"labels", JSON_OBJECT, true}, "13: field \"labels\" must be an object"},
        {{"user", JSON_STRING, true}, "14: field \"user\" must be a string"},
        {{"limits", JSON_INTEGER, false}, "3: field \"limits\" must be an integer"},
        {{"hostname", JSON_STRING, false}, "1: field \"hostname\" is missing"},
};

static void test_be_store_check_wrong_type(void **state)
{
	struct fx *f = *state;
	cleanup_free char *path = fx_file(f, "containers/web/config.json", typed_text);
	cleanup_json json_t *o = store_load(path, NULL);
	assert_non_null(o);
	for (size_t i = 0; i < sizeof(typed_cases) / sizeof(typed_cases[0]); i++) {
		struct be_error *err = NULL;
		assert_int_equal(store_check(path, o, &typed_cases[i].field, 1, &err), -1);
		char want[4200];
		snprintf(want, sizeof(want), "%s:%s", path, typed_cases[i].want);
		assert_string_equal(err->msg, want);
		be_error_free(err);
	}
	/* A nested object is checked the same way; its keys are found. */
	static const struct be_field limit_fields[] = {{"memory", JSON_INTEGER, false}};
	struct be_error *err = NULL;
	assert_int_equal(BE_STORE_CHECK(path, json_object_get(o, "limits"), limit_fields, &err),
	                 -1);
	char want[4200];
	snprintf(want, sizeof(want), "%s:5: field \"memory\" must be an integer", path);
	assert_string_equal(err->msg, want);
	be_error_free(err);
	cleanup_free char *after = tu_read(path);
	assert_string_equal(after, typed_text);
}

static void test_be_store_check_accepts(void **state)
{
	struct fx *f = *state;
	cleanup_free char *path = fx_file(
	        f, "images/ok.json",
	        "{\"a\": false, \"b\": 3, \"c\": 2.5, \"d\": null, \"e\": \"x\", \"new\": [1], "
	        "\"version\": 1}\n");
	cleanup_json json_t *o = store_load(path, NULL);
	assert_non_null(o);
	static const struct be_field fields[] = {
	        {"a", JSON_TRUE, false},                            /* false is a boolean too */
	        {"b", JSON_REAL, false},                            /* an integer is a number */
	        {"c", JSON_REAL, false},  {"d", JSON_STRING, true}, /* null = absent */
	        {"z", JSON_OBJECT, true}, {"e", JSON_STRING, false},
	};
	struct be_error *err = NULL;
	assert_int_equal(BE_STORE_CHECK(path, o, fields, &err), 0);
	assert_null(err);
	/* A required field that is null is missing. */
	static const struct be_field need_d[] = {{"d", JSON_STRING, false}};
	assert_int_equal(BE_STORE_CHECK(path, o, need_d, &err), -1);
	assert_non_null(strstr(err->msg, "field \"d\" is missing"));
	be_error_free(err);
}

/* ---- crash points ---------------------------------------------------------- */

/* In a child: BERTH_FAULT=fault, save rec over path; returns the exit
 * status (99: killed at the fault point; 0: saved; 1: save failed). */
static int save_in_child(const char *fault, const char *path, json_t *rec)
{
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		setenv("BERTH_FAULT", fault, 1);
		_exit(store_save(path, rec, BE_STORE_DURABLE, NULL) == 0 ? 0 : 1);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void check_interrupted_save(struct fx *f, const char *path)
{
	cleanup_free char *dir = dir_of(path);
	assert_int_equal(util_mkdir_p(dir, 0700, NULL), 0);
	cleanup_json json_t *old = sample_record("old");
	assert_int_equal(store_save(path, old, BE_STORE_DURABLE, NULL), 0);
	size_t old_len;
	cleanup_free char *old_bytes = util_read_file(path, &old_len, NULL);

	cleanup_json json_t *rec = sample_record("new");
	json_object_set_new(rec, "padding", json_string("a longer record than the old one"));
	assert_int_equal(save_in_child("store.before_rename", path, rec), 99);
	size_t len;
	cleanup_free char *bytes = util_read_file(path, &len, NULL);
	assert_int_equal(len, old_len);
	assert_memory_equal(bytes, old_bytes, len);
	assert_int_equal(count_entries(dir, ".tmp"), 1);

	/* The next open that sweeps repairs: the temp file goes, the record
	 * stays. */
	tu_repair_due(f->root);
	struct be_ctx *again = NULL;
	struct be_ctx_opts opts = {.root = f->root};
	assert_int_equal(be_ctx_open(&opts, &again, NULL), 0);
	be_ctx_free(again);
	assert_int_equal(count_entries(dir, ".tmp"), 0);
	cleanup_free char *after = util_read_file(path, &len, NULL);
	assert_int_equal(len, old_len);
	assert_memory_equal(after, old_bytes, len);
	cleanup_json json_t *back = store_load(path, NULL);
	assert_non_null(back);
	assert_string_equal(json_string_value(json_object_get(back, "name")), "old");

	/* Killed right after the rename: the new record is there, whole. */
	assert_int_equal(save_in_child("store.after_rename", path, rec), 99);
	json_decref(back);
	back = store_load(path, NULL);
	assert_non_null(back);
	assert_int_equal(BE_STORE_CHECK(path, back, record_fields, NULL), 0);
	assert_string_equal(json_string_value(json_object_get(back, "name")), "new");
	assert_non_null(json_object_get(back, "padding"));
	assert_int_equal(count_entries(dir, ".tmp"), 0);

	/* A fault list naming other points does not stop the save. */
	json_object_set_new(rec, "name", json_string("third"));
	assert_int_equal(save_in_child("layer.seal,store.other", path, rec), 0);
	json_decref(back);
	back = store_load(path, NULL);
	assert_string_equal(json_string_value(json_object_get(back, "name")), "third");
}

static void test_be_store_save_fault_container_record(void **state)
{
	struct fx *f = *state;
	cleanup_free char *path = fx_file(f, "containers/web/config.json", NULL);
	check_interrupted_save(f, path);
}

static void test_be_store_save_fault_image_record(void **state)
{
	struct fx *f = *state;
	cleanup_free char *path = fx_file(f, "images/base.json", NULL);
	check_interrupted_save(f, path);
}

static void test_be_store_save_fault_layer_record(void **state)
{
	struct fx *f = *state;
	cleanup_free char *path = fx_file(f, "layers/0123abcd/layer.json", NULL);
	check_interrupted_save(f, path);
}

static void test_be_store_save_fault_runtime_record(void **state)
{
	struct fx *f = *state;
	cleanup_free char *path = ctx_run_path(f->ctx, "containers/web.json");
	check_interrupted_save(f, path);
}

/* A write that fails half-way (file size limit) leaves the old file and no
 * temp file. */
static void test_be_store_save_write_error_keeps_old(void **state)
{
	struct fx *f = *state;
	cleanup_free char *path = fx_file(f, "images/base.json", NULL);
	cleanup_free char *dir = dir_of(path);
	cleanup_json json_t *old = json_pack("{s:s}", "name", "old");
	assert_int_equal(store_save(path, old, BE_STORE_DURABLE, NULL), 0);
	cleanup_free char *old_bytes = tu_read(path);

	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGXFSZ, SIG_IGN);
		struct rlimit rl = {.rlim_cur = 64, .rlim_max = 64};
		setrlimit(RLIMIT_FSIZE, &rl);
		json_t *big = json_pack("{s:s}", "name", "new");
		char pad[4096];
		memset(pad, 'x', sizeof(pad) - 1);
		pad[sizeof(pad) - 1] = '\0';
		json_object_set_new(big, "pad", json_string(pad));
		struct be_error *err = NULL;
		int r = store_save(path, big, BE_STORE_DURABLE, &err);
		/* 0: failed as it should, with errno and path in the message */
		_exit(r < 0 && err && err->errnum == EFBIG && strstr(err->msg, path) ? 0 : 1);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	cleanup_free char *after = tu_read(path);
	assert_string_equal(after, old_bytes);
	assert_int_equal(count_entries(dir, ".tmp"), 0);
}

/* ---- locks ----------------------------------------------------------------- */

struct holder {
	pid_t pid;
	int ready; /* the child writes 'L' once it holds the lock */
	int go;    /* the parent writes a byte (or closes) to let it release */
	int done;  /* the child writes 'R' just before it releases */
};

/* Forks a child that takes KIND/NAME, reports, waits for the parent's word,
 * waits delay_ms more, reports and releases. */
static void holder_start(struct holder *h, struct be_ctx *ctx, const char *kind, const char *name,
                         int delay_ms)
{
	int ready[2], go[2], done[2];
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(done), 0);
	fflush(NULL);
	h->pid = fork();
	assert_true(h->pid >= 0);
	if (h->pid == 0) {
		alarm(20); /* never outlive a broken test */
		close(ready[0]);
		close(go[1]);
		close(done[0]);
		struct be_lock *lock = NULL;
		if (store_lock_take(ctx, kind, name, &lock, NULL) < 0)
			_exit(2);
		if (write(ready[1], "L", 1) != 1)
			_exit(3);
		char c;
		if (read(go[0], &c, 1) < 0)
			_exit(4);
		usleep((useconds_t)delay_ms * 1000);
		if (write(done[1], "R", 1) != 1)
			_exit(5);
		store_lock_release(lock);
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	close(done[1]);
	h->ready = ready[0];
	h->go = go[1];
	h->done = done[0];
	char c = 0;
	assert_int_equal(read(h->ready, &c, 1), 1);
	assert_int_equal(c, 'L');
}

/* Lets the holder release and returns its exit status. */
static int holder_finish(struct holder *h)
{
	if (h->go >= 0)
		close(h->go);
	h->go = -1;
	int st;
	assert_int_equal(waitpid(h->pid, &st, 0), h->pid);
	close(h->ready);
	close(h->done);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void test_be_lock_take_busy(void **state)
{
	struct fx *f = *state;
	struct holder h;
	holder_start(&h, f->ctx, "container", "web", 0);
	struct be_lock *lock = NULL;
	struct be_error *err = NULL;
	assert_int_equal(store_lock_take(f->ctx, "container", "web", &lock, &err), -1);
	assert_null(lock);
	assert_non_null(err);
	char want[128];
	snprintf(want, sizeof(want), "container web is busy (locked by pid %d)", (int)h.pid);
	assert_string_equal(err->msg, want);
	assert_int_equal(err->errnum, 0);
	assert_true(err->exitcode == 0 || err->exitcode == 125);
	be_error_free(err);

	/* Other objects are free meanwhile. */
	struct be_lock *other = NULL, *image = NULL;
	assert_int_equal(store_lock_take(f->ctx, "container", "db", &other, NULL), 0);
	assert_int_equal(store_lock_take(f->ctx, "image", "web", &image, NULL), 0);
	store_lock_release(other);
	store_lock_release(image);

	assert_int_equal(holder_finish(&h), 0);
	err = NULL;
	assert_int_equal(store_lock_take(f->ctx, "container", "web", &lock, &err), 0);
	assert_null(err);
	assert_true(store_lock_fd(lock) >= 0);
	store_lock_release(lock);
}

/* With lock_wait the second client blocks until the holder lets go. */
static void test_be_lock_take_wait(void **state)
{
	struct fx *f = *state;
	struct be_ctx *waiting = NULL;
	struct be_ctx_opts opts = {.root = f->root, .lock_wait = true};
	assert_int_equal(be_ctx_open(&opts, &waiting, NULL), 0);

	struct holder h;
	holder_start(&h, f->ctx, "container", "web", 150);
	struct be_lock *lock = NULL;
	assert_int_equal(store_lock_take(f->ctx, "container", "web", &lock, NULL), -1);
	assert_int_equal(write(h.go, "g", 1), 1);
	uint64_t t0 = util_now_ns();
	struct be_error *err = NULL;
	assert_int_equal(store_lock_take(waiting, "container", "web", &lock, &err), 0);
	uint64_t waited_ms = (util_now_ns() - t0) / 1000000;
	assert_null(err);
	/* The holder said 'R' before releasing: it must be there now. */
	int fl = fcntl(h.done, F_GETFL);
	fcntl(h.done, F_SETFL, fl | O_NONBLOCK);
	char c = 0;
	assert_int_equal(read(h.done, &c, 1), 1);
	assert_int_equal(c, 'R');
	print_message("waited %llu ms for the lock (holder kept it 150 ms more)\n",
	              (unsigned long long)waited_ms);
	/* The lock file now names this process. */
	cleanup_free char *lock_path = ctx_run_path(f->ctx, "locks/container.web.lock");
	cleanup_free char *text = tu_read(lock_path);
	assert_int_equal(atoi(text), (int)getpid());
	assert_int_equal(holder_finish(&h), 0);
	store_lock_release(lock);
	be_ctx_free(waiting);
}

/* A holder killed with SIGKILL frees the lock: nothing stale remains. */
static void test_be_lock_take_holder_killed(void **state)
{
	struct fx *f = *state;
	struct holder h;
	holder_start(&h, f->ctx, "container", "web", 0);
	assert_int_equal(kill(h.pid, SIGKILL), 0);
	assert_int_equal(holder_finish(&h), 128 + SIGKILL);
	struct be_lock *lock = NULL;
	struct be_error *err = NULL;
	assert_int_equal(store_lock_take(f->ctx, "container", "web", &lock, &err), 0);
	assert_null(err);
	store_lock_release(lock);
}

/* Two takes in one process conflict as well (two open files). */
static void test_be_lock_take_same_process(void **state)
{
	struct fx *f = *state;
	struct be_lock *a = NULL, *b = NULL;
	assert_int_equal(store_lock_take(f->ctx, "container", "web", &a, NULL), 0);
	struct be_error *err = NULL;
	assert_int_equal(store_lock_take(f->ctx, "container", "web", &b, &err), -1);
	char want[128];
	snprintf(want, sizeof(want), "container web is busy (locked by pid %d)", (int)getpid());
	assert_string_equal(err->msg, want);
	be_error_free(err);
	store_lock_release(a);
	assert_int_equal(store_lock_take(f->ctx, "container", "web", &b, NULL), 0);
	store_lock_release(b);
	store_lock_release(NULL);
	assert_int_equal(store_lock_fd(NULL), -1);
}

/* A bad name is refused before any path is built. */
static void test_be_lock_take_bad_name(void **state)
{
	struct fx *f = *state;
	static const char *const names[] = {"../../etc/x", "a/b", "", ".."};
	for (size_t i = 0; i < 4; i++) {
		struct be_lock *lock = NULL;
		struct be_error *err = NULL;
		assert_int_equal(store_lock_take(f->ctx, "container", names[i], &lock, &err), -1);
		assert_null(lock);
		assert_non_null(strstr(err->msg, "invalid container name"));
		be_error_free(err);
	}
	cleanup_free char *locks = ctx_run_path(f->ctx, "locks");
	assert_int_equal(count_entries(locks, "lock"), 0);
}

/* The locks directory is made on demand (a root opened read-only). */
static void test_be_lock_take_makes_dir(void **state)
{
	struct fx *f = *state;
	cleanup_free char *run = ctx_run_path(f->ctx, "locks");
	assert_int_equal(util_rm_rf(run, NULL), 0);
	struct be_lock *lock = NULL;
	assert_int_equal(store_lock_take(f->ctx, "image", "base", &lock, NULL), 0);
	store_lock_release(lock);
}

/* ---- trash and repair ------------------------------------------------------ */

static void test_be_store_trash_moves_and_empties(void **state)
{
	struct fx *f = *state;
	free(fx_file(f, "containers/web/upper/etc/passwd", "root:x:0:0\n"));
	cleanup_free char *dir = fx_file(f, "containers/web/upper", NULL);
	cleanup_free char *trash = fx_file(f, "trash", NULL);
	struct be_error *err = NULL;
	assert_int_equal(store_trash(f->ctx, dir, &err), 0);
	assert_false(util_path_exists(dir));
	assert_int_equal(count_entries(trash, ""), 1);
	/* Missing: nothing to do. */
	assert_int_equal(store_trash(f->ctx, dir, &err), 0);
	assert_int_equal(store_empty_trash(f->ctx, &err), 0);
	assert_null(err);
	assert_int_equal(count_entries(trash, ""), 0);
	assert_true(util_path_exists(trash));
}

/* With no trash directory (the root was opened read-only), the trash is
 * made: the path never silently stays where it was. */
static void test_be_store_trash_without_trash_dir(void **state)
{
	struct fx *f = *state;
	cleanup_free char *trash = fx_file(f, "trash", NULL);
	assert_int_equal(rmdir(trash), 0);
	free(fx_file(f, "containers/web/upper/x", "x"));
	cleanup_free char *dir = fx_file(f, "containers/web/upper", NULL);
	struct be_error *err = NULL;
	assert_int_equal(store_trash(f->ctx, dir, &err), 0);
	assert_null(err);
	assert_false(util_path_exists(dir));
	assert_int_equal(count_entries(trash, ""), 1);
}

/* A symbolic link on the way (a tampered containers/NAME) is an error: what
 * it points to is never moved to the trash (and so never deleted); a path
 * outside the root is refused. */
static void test_be_store_trash_no_links(void **state)
{
	struct fx *f = *state;
	cleanup_free char *outside = fx_file(f, "outside/upper/keep", "keep");
	cleanup_free char *target = fx_file(f, "outside", NULL);
	cleanup_free char *link = fx_file(f, "containers/evil", NULL);
	assert_int_equal(symlink(target, link), 0);
	cleanup_free char *via = fx_file(f, "containers/evil/upper", NULL);
	struct be_error *err = NULL;
	assert_int_equal(store_trash(f->ctx, via, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err->msg, "a symbolic link on the way"));
	be_error_clear(&err);
	assert_true(util_path_exists(outside));
	assert_int_equal(store_trash(f->ctx, "/etc/hostname", &err), -1);
	assert_non_null(strstr(err->msg, "not inside the root"));
	be_error_clear(&err);
	assert_true(util_path_exists("/etc/hostname"));
	/* The link itself (the last component) is moved, not followed. */
	assert_int_equal(store_trash(f->ctx, link, &err), 0);
	assert_false(util_path_exists(link));
	assert_int_equal(store_empty_trash(f->ctx, &err), 0);
	assert_true(util_path_exists(outside));
}

/* A temp file that a live writer holds (flock) is not a crash leftover:
 * another client's repair leaves it alone; once its writer is gone it is
 * removed. */
static void test_be_store_repair_skips_busy_temp(void **state)
{
	struct fx *f = *state;
	cleanup_free char *tmp = fx_file(f, "images/.base.json.tmpAbC123", "{");
	cleanup_free char *work = fx_file(f, "tmp/import-1/file", "x");
	cleanup_free char *workdir = fx_file(f, "tmp/import-1", NULL);
	int fd = open(tmp, O_RDONLY | O_CLOEXEC);
	int wd = open(workdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0 && wd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	assert_int_equal(flock(wd, LOCK_EX), 0);
	struct be_error *err = NULL;
	assert_int_equal(store_repair(f->ctx, &err), 0);
	assert_true(util_path_exists(tmp));
	assert_true(util_path_exists(work));
	close(fd);
	close(wd);
	assert_int_equal(store_repair(f->ctx, &err), 0);
	assert_null(err);
	assert_false(util_path_exists(tmp));
	assert_false(util_path_exists(workdir));
}

/* A work directory from store_mkdtemp survives other clients' opens
 * while its fd is held, and is removed by the first open after. */
static void test_be_store_mkdtemp_kept_while_locked(void **state)
{
	struct fx *f = *state;
	int fd = -1;
	struct be_error *err = NULL;
	cleanup_free char *dir = store_mkdtemp(f->ctx, "import", &fd, &err);
	assert_non_null(dir);
	assert_null(err);
	assert_true(fd >= 0);
	cleanup_free char *prefix = ctx_path(f->ctx, "tmp/import-");
	assert_int_equal(strncmp(dir, prefix, strlen(prefix)), 0);
	assert_int_equal(strlen(dir), strlen(prefix) + 16);
	cleanup_free char *file = xasprintf("%s/layer.tar", dir);
	tu_write(file, "data");
	struct be_ctx_opts opts = {.root = f->root};
	struct be_ctx *other = NULL;
	tu_repair_due(f->root);
	assert_int_equal(be_ctx_open(&opts, &other, NULL), 0);
	be_ctx_free(other);
	assert_true(util_path_exists(file));
	close(fd);
	tu_repair_due(f->root);
	assert_int_equal(be_ctx_open(&opts, &other, NULL), 0);
	be_ctx_free(other);
	assert_false(util_path_exists(dir));
	/* Two calls never share a directory. */
	int fd2 = -1, fd3 = -1;
	cleanup_free char *a = store_mkdtemp(f->ctx, "x", &fd2, NULL);
	cleanup_free char *b = store_mkdtemp(f->ctx, "x", &fd3, NULL);
	assert_string_not_equal(a, b);
	close(fd2);
	close(fd3);
}

/* Repair does not follow a link out of the record directories. */
static void test_be_store_repair_no_links(void **state)
{
	struct fx *f = *state;
	cleanup_free char *outside = tu_root_new();
	cleanup_free char *keep = xasprintf("%s/.keep.tmpXYZ", outside);
	tu_write(keep, "mine");
	cleanup_free char *link = fx_file(f, "containers/evil", NULL);
	assert_int_equal(symlink(outside, link), 0);
	assert_int_equal(store_repair(f->ctx, NULL), 0);
	bool kept = util_path_exists(keep);
	tu_root_remove(outside);
	assert_true(kept);
}

/* Saves in one process while another opens the root (and repairs) over and
 * over: no save fails and every record loads. */
static void test_be_store_save_concurrent_repair(void **state)
{
	struct fx *f = *state;
	cleanup_free char *path = fx_file(f, "containers/web/state.json", NULL);
	cleanup_free char *dir = dir_of(path);
	assert_int_equal(util_mkdir_p(dir, 0700, NULL), 0);
	int stop[2], count[2];
	assert_int_equal(pipe(stop), 0);
	assert_int_equal(pipe(count), 0);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		alarm(60);
		close(stop[1]);
		close(count[0]);
		fcntl(stop[0], F_SETFL, O_NONBLOCK);
		struct be_ctx_opts opts = {.root = f->root};
		int opens = 0;
		char c;
		while (read(stop[0], &c, 1) < 0 && errno == EAGAIN) {
			struct be_ctx *ctx = NULL;
			if (be_ctx_open(&opts, &ctx, NULL) < 0)
				_exit(1);
			be_ctx_free(ctx);
			opens++;
		}
		if (write(count[1], &opens, sizeof(opens)) != sizeof(opens))
			_exit(2);
		_exit(0);
	}
	close(stop[0]);
	close(count[1]);
	int failures = 0, saves = 2000;
	for (int i = 0; i < saves; i++) {
		json_t *o = json_pack("{s:i}", "n", i);
		struct be_error *err = NULL;
		if (store_save(path, o, 0, &err) < 0) {
			if (failures++ == 0)
				print_error("save %d: %s\n", i, err->msg);
			be_error_free(err);
		}
		json_decref(o);
	}
	close(stop[1]);
	int opens = 0;
	assert_int_equal(read(count[0], &opens, sizeof(opens)), sizeof(opens));
	close(count[0]);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	print_message("%d saves during %d opens of the root: %d failed\n", saves, opens, failures);
	assert_int_equal(failures, 0);
	assert_true(opens > 0);
	cleanup_json json_t *back = store_load(path, NULL);
	assert_non_null(back);
	assert_int_equal(json_integer_value(json_object_get(back, "n")), saves - 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(test_be_store_save_round_trip),
	        T(test_be_store_save_replaces),
	        T(test_be_store_save_runtime),
	        T(test_be_store_load_missing),
	        T(test_be_store_load_bad_files),
	        T(test_be_store_check_wrong_type),
	        T(test_be_store_check_accepts),
	        T(test_be_store_save_fault_container_record),
	        T(test_be_store_save_fault_image_record),
	        T(test_be_store_save_fault_layer_record),
	        T(test_be_store_save_fault_runtime_record),
	        T(test_be_store_save_write_error_keeps_old),
	        T(test_be_lock_take_busy),
	        T(test_be_lock_take_wait),
	        T(test_be_lock_take_holder_killed),
	        T(test_be_lock_take_same_process),
	        T(test_be_lock_take_bad_name),
	        T(test_be_lock_take_makes_dir),
	        T(test_be_store_trash_moves_and_empties),
	        T(test_be_store_trash_without_trash_dir),
	        T(test_be_store_trash_no_links),
	        T(test_be_store_repair_skips_busy_temp),
	        T(test_be_store_mkdtemp_kept_while_locked),
	        T(test_be_store_repair_no_links),
	        T(test_be_store_save_concurrent_repair),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
