/* Unit tests of backend/stats/engine_names.c: docker and podman names read from
 * the fixture engine roots of tests/fixtures/engines (a good and a malformed
 * docker config.v2.json, podman's containers.json and volatile list), the
 * sanitising of what reaches a terminal, and roots that are missing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats/engine_names.h"
#include "testutil.h"

#define D1 "1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "2222222222222222222222222222222222222222222222222222222222222222"
#define P1 "3333333333333333333333333333333333333333333333333333333333333333"
#define P2 "4444444444444444444444444444444444444444444444444444444444444444"
#define P6 "6666666666666666666666666666666666666666666666666666666666666666"
#define P7 "7777777777777777777777777777777777777777777777777777777777777777"

struct fx {
	char *root; /* a temporary directory: state root and scratch engine roots */
	struct be_ctx *ctx;
};

static const char *src_dir(void)
{
	const char *s = getenv("BERTH_SRC");
	return s && *s ? s : ".";
}

/* A read-only context whose engine roots are docker and podman (NULL: the
 * defaults). */
static struct be_ctx *ctx_open(const char *root, const char *docker, const char *podman)
{
	struct be_ctx_opts o = {
	        .root = root, .docker_root = docker, .podman_root = podman, .read_only = true};
	struct be_ctx *ctx = NULL;
	struct be_error *err = NULL;
	if (be_ctx_open(&o, &ctx, &err) < 0)
		fail_msg("be_ctx_open: %s", err->msg);
	return ctx;
}

/* The context reads the fixture roots in the source tree. */
static int fx_setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	assert_non_null(fx);
	fx->root = tu_root_new();
	char docker[4096], podman[4096];
	snprintf(docker, sizeof(docker), "%s/tests/fixtures/engines/docker", src_dir());
	snprintf(podman, sizeof(podman), "%s/tests/fixtures/engines/podman", src_dir());
	fx->ctx = ctx_open(fx->root, docker, podman);
	*state = fx;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *fx = *state;
	if (fx == NULL)
		return 0;
	be_ctx_free(fx->ctx);
	tu_root_remove(fx->root);
	free(fx->root);
	free(fx);
	return 0;
}

/* An item as discovery makes it: the full id, named by its first 12. */
static void item(struct be_item *it, enum be_kind kind, const char *id)
{
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	snprintf(it->id, sizeof(it->id), "%s", id);
	snprintf(it->name, sizeof(it->name), "%.12s", id);
}

/* Fills one item in a batch of its own. */
static bool fill(struct be_ctx *ctx, struct be_item *it)
{
	struct be_engine_names en;
	engine_names_init(&en, ctx);
	bool ok = engine_names_fill(&en, it);
	engine_names_done(&en);
	return ok;
}

static void test_be_engine_names_fill_docker_good(void **state)
{
	struct fx *fx = *state;
	struct be_item it;
	item(&it, BE_KIND_DOCKER, D1);
	assert_true(fill(fx->ctx, &it));
	assert_string_equal(it.name, "nginx-1"); /* "/nginx-1" without its '/' */
	assert_string_equal(it.image, "nginx:1.25");
	assert_string_equal(it.id, D1); /* the id stays the engine's */
}

static void test_be_engine_names_fill_docker_malformed(void **state)
{
	struct fx *fx = *state;
	struct be_item it;
	item(&it, BE_KIND_DOCKER, D2);
	assert_false(fill(fx->ctx, &it));
	assert_string_equal(it.name, "222222222222");
	assert_string_equal(it.image, "");
	/* a podman id is not a docker container */
	item(&it, BE_KIND_DOCKER, P1);
	assert_false(fill(fx->ctx, &it));
	assert_string_equal(it.name, "333333333333");
}

static void test_be_engine_names_fill_podman_lists(void **state)
{
	struct fx *fx = *state;
	struct be_item it;
	item(&it, BE_KIND_PODMAN, P1);
	assert_true(fill(fx->ctx, &it));
	assert_string_equal(it.name, "app1");
	assert_string_equal(it.image, "docker.io/library/httpd:2.4"); /* from its metadata */
	/* a --rm container, in the volatile list */
	item(&it, BE_KIND_PODMAN, P7);
	assert_true(fill(fx->ctx, &it));
	assert_string_equal(it.name, "once");
	assert_string_equal(it.image, "docker.io/library/alpine:3.19");
	/* not in the rootful store (a rootless container) */
	item(&it, BE_KIND_PODMAN, P2);
	assert_false(fill(fx->ctx, &it));
	assert_string_equal(it.name, "444444444444");
	/* a docker id is not a podman container */
	item(&it, BE_KIND_PODMAN, D1);
	assert_false(fill(fx->ctx, &it));
}

static void test_be_engine_names_fill_sanitises(void **state)
{
	struct fx *fx = *state;
	struct be_item it;
	/* names[0] is "\e]0;pwned\a" "evil\nname\u00e9" (a terminal title
	 * escape, a newline, two UTF-8 bytes); no metadata, so no image */
	item(&it, BE_KIND_PODMAN, P6);
	assert_true(fill(fx->ctx, &it));
	assert_string_equal(it.name, "?]0;pwned?evil?name??");
	assert_string_equal(it.image, "");
	for (const char *p = it.name; *p; p++)
		assert_true(*p >= 0x20 && *p < 0x7f);
}

static void test_be_engine_sanitize_literal(void **state)
{
	(void)state;
	char out[8];
	assert_int_equal(engine_sanitize(out, sizeof(out), "web-1_a.b"), 7); /* cut to fit */
	assert_string_equal(out, "web-1_a");
	assert_int_equal(engine_sanitize(out, sizeof(out), "a\tb\x7f\r\x1b"), 6);
	assert_string_equal(out, "a?b???");
	assert_int_equal(engine_sanitize(out, sizeof(out), ""), 0);
	assert_string_equal(out, "");
	assert_int_equal(engine_sanitize(out, 1, "abc"), 0);
	assert_string_equal(out, "");
}

/* The podman lists are read once per batch: a list removed after the first
 * lookup still names the next item of the batch, not those of a new one. */
static void test_be_engine_names_fill_podman_once_per_batch(void **state)
{
	struct fx *fx = *state;
	assert_int_equal(tu_sh(NULL, "cp -a '%s/tests/fixtures/engines/podman' '%s/podman'",
	                       src_dir(), fx->root),
	                 0);
	char podman[4096];
	snprintf(podman, sizeof(podman), "%s/podman", fx->root);
	struct be_ctx *ctx = ctx_open(fx->root, "/nonexistent-berth-docker", podman);
	struct be_engine_names en;
	engine_names_init(&en, ctx);
	struct be_item a, b, c;
	item(&a, BE_KIND_PODMAN, P1);
	item(&b, BE_KIND_PODMAN, P7);
	assert_true(engine_names_fill(&en, &a));
	assert_int_equal(tu_sh(NULL, "rm -r '%s/overlay-containers'", podman), 0);
	assert_true(engine_names_fill(&en, &b));
	assert_string_equal(b.name, "once");
	engine_names_done(&en);
	engine_names_init(&en, ctx);
	item(&c, BE_KIND_PODMAN, P1);
	assert_false(engine_names_fill(&en, &c));
	assert_string_equal(c.name, "333333333333");
	engine_names_done(&en);
	be_ctx_free(ctx);
}

static void test_be_engine_names_fill_missing_root(void **state)
{
	struct fx *fx = *state;
	struct be_ctx *ctx =
	        ctx_open(fx->root, "/nonexistent-berth-docker", "/nonexistent-berth-podman");
	struct be_item it;
	item(&it, BE_KIND_DOCKER, D1);
	assert_false(fill(ctx, &it));
	assert_string_equal(it.name, "111111111111");
	item(&it, BE_KIND_PODMAN, P1);
	assert_false(fill(ctx, &it));
	assert_string_equal(it.name, "333333333333");
	assert_string_equal(it.image, "");
	be_ctx_free(ctx);
}

/* Files that are there but must not be taken: a non-hex id never becomes a
 * path, a FIFO is not waited on, an empty name keeps the id, and other
 * kinds are left alone. */
static void test_be_engine_names_fill_refuses(void **state)
{
	struct fx *fx = *state;
	const char *good = "{\"Name\": \"/x\", \"Config\": {\"Image\": \"i\"}}";
	char path[4096];
	snprintf(path, sizeof(path), "%s/docker/containers/zz/config.v2.json", fx->root);
	tu_write(path, good);
	snprintf(path, sizeof(path), "%s/docker/containers/%s/config.v2.json", fx->root, D1);
	tu_write(path, good);
	snprintf(path, sizeof(path), "%s/docker/containers/%s/config.v2.json", fx->root, D2);
	tu_write(path, "{\"Name\": \"/\", \"Config\": {\"Image\": \"i\"}}");
	assert_int_equal(tu_sh(NULL,
	                       "mkdir -p '%s/docker/containers/abc' && "
	                       "mkfifo '%s/docker/containers/abc/config.v2.json'",
	                       fx->root, fx->root),
	                 0);
	char docker[4096];
	snprintf(docker, sizeof(docker), "%s/docker", fx->root);
	struct be_ctx *ctx = ctx_open(fx->root, docker, "/nonexistent-berth-podman");
	struct be_item it;
	item(&it, BE_KIND_DOCKER, D1);
	assert_true(fill(ctx, &it)); /* the same file under a hex id is taken */
	assert_string_equal(it.name, "x");
	item(&it, BE_KIND_DOCKER, "zz");
	assert_false(fill(ctx, &it));
	assert_string_equal(it.name, "zz");
	item(&it, BE_KIND_DOCKER, "abc");
	assert_false(fill(ctx, &it));
	item(&it, BE_KIND_DOCKER, D2);
	assert_false(fill(ctx, &it));
	assert_string_equal(it.name, "222222222222");
	item(&it, BE_KIND_LXC, D1);
	assert_false(fill(ctx, &it));
	assert_string_equal(it.name, "111111111111");
	be_ctx_free(ctx);
}

static void test_be_ctx_engine_roots(void **state)
{
	struct fx *fx = *state;
	struct be_ctx *ctx = ctx_open(fx->root, NULL, NULL);
	assert_string_equal(be_ctx_docker_root(ctx), "/var/lib/docker");
	assert_string_equal(be_ctx_podman_root(ctx), "/var/lib/containers/storage");
	be_ctx_free(ctx);
	ctx = ctx_open(fx->root, "/srv//docker/", "/srv/./podman");
	assert_string_equal(be_ctx_docker_root(ctx), "/srv/docker");
	assert_string_equal(be_ctx_podman_root(ctx), "/srv/podman");
	be_ctx_free(ctx);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
	        T(test_be_engine_names_fill_docker_good),
	        T(test_be_engine_names_fill_docker_malformed),
	        T(test_be_engine_names_fill_podman_lists),
	        T(test_be_engine_names_fill_sanitises),
	        cmocka_unit_test(test_be_engine_sanitize_literal),
	        T(test_be_engine_names_fill_podman_once_per_batch),
	        T(test_be_engine_names_fill_missing_root),
	        T(test_be_engine_names_fill_refuses),
	        T(test_be_ctx_engine_roots),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
