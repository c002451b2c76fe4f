/* Unit tests of backend/metrics: the Prometheus exposition of fixture items
 * (names, units, _total, HELP/TYPE once per family, absent values left
 * out, label escaping of quotes, backslashes and newlines) and the parsing
 * of listen addresses (loopback unless asked). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "berth.h"
#include "testutil.h"
#include "metrics/metrics.h"

static struct be_item *fixture_item(const char *name, enum be_kind kind)
{
	struct be_item *it = calloc(1, sizeof(*it));
	assert_non_null(it);
	it->kind = kind;
	snprintf(it->name, sizeof(it->name), "%s", name);
	snprintf(it->id, sizeof(it->id), "abc123");
	it->cur.have = BE_HAVE_CPU | BE_HAVE_MEM | BE_HAVE_MEM_LIMIT | BE_HAVE_OOM |
	               BE_HAVE_THROTTLE | BE_HAVE_PSI_MEM;
	it->cur.cpu_usage_ns = 12500000000ull; /* 12.5 s */
	it->cur.mem_bytes = 52428800;
	it->cur.mem_limit_bytes = BE_UNLIMITED;
	it->cur.oom_kills = 3;
	it->cur.throttled_periods = 7;
	it->cur.cpu_periods = 100;
	it->cur.throttled_ns = 1000;
	it->cur.psi_mem.some_total_us = 1500001;
	it->cur.psi_mem.full_total_us = 2;
	it->cur.psi_mem.has_full = true;
	return it;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

static void test_be_metrics_format_items_names_and_values(void **state)
{
	(void)state;
	struct be_item *a = fixture_item("web", BE_KIND_BERTH);
	struct be_item *b = fixture_item("db", BE_KIND_DOCKER);
	snprintf(b->image, sizeof(b->image), "postgres:16");
	b->cur.mem_limit_bytes = 1073741824;
	b->cur.have &= ~(uint32_t)BE_HAVE_PSI_MEM;
	a->start_time_unix = 1700000000;
	const struct be_item *items[] = {a, b};
	struct be_host h = {.ncpus = 2, .mem_total_bytes = 1000, .load1 = 0.25};
	struct be_metrics_text t = {0};
	be_metrics_format_items(items, NULL, 2, &h, "node1", &t);
	const char *s = t.data;
	assert_non_null(strstr(s, "# TYPE berth_container_cpu_seconds_total counter\n"));
	assert_non_null(strstr(s, "berth_container_cpu_seconds_total{kind=\"berth\",name=\"web\","
	                          "id=\"abc123\",image=\"\",host=\"node1\"} 12.5\n"));
	assert_non_null(strstr(s,
	                       "berth_container_memory_bytes{kind=\"docker\",name=\"db\","
	                       "id=\"abc123\",image=\"postgres:16\",host=\"node1\"} 52428800\n"));
	/* Unlimited: no series; a limit: one. */
	assert_int_equal(count(s, "berth_container_memory_limit_bytes{"), 1);
	assert_non_null(strstr(s, "image=\"postgres:16\",host=\"node1\"} 1073741824\n"));
	assert_non_null(strstr(s, "# TYPE berth_container_oom_kills_total counter\n"));
	assert_non_null(strstr(s, "# TYPE berth_container_memory_bytes gauge\n"));
	assert_int_equal(count(s, "# HELP berth_container_cpu_throttled_periods_total "), 1);
	assert_int_equal(count(s, "berth_container_cpu_throttled_periods_total{"), 2);
	assert_non_null(strstr(s,
	                       "berth_container_cpu_throttled_seconds_total{kind=\"berth\","
	                       "name=\"web\",id=\"abc123\",image=\"\",host=\"node1\"} 0.000001\n"));
	/* PSI in seconds, only where read. */
	assert_int_equal(count(s, "berth_container_pressure_memory_waiting_seconds_total{"), 1);
	assert_non_null(strstr(s, "host=\"node1\"} 1.500001\n"));
	assert_non_null(strstr(s, "berth_container_pressure_memory_stalled_seconds_total{"));
	assert_null(strstr(s, "pressure_cpu"));
	assert_non_null(strstr(s, "berth_container_start_time_seconds{kind=\"berth\",name=\"web\","
	                          "id=\"abc123\",image=\"\",host=\"node1\"} 1700000000\n"));
	assert_non_null(strstr(s, "berth_items{kind=\"docker\",host=\"node1\"} 1\n"));
	assert_non_null(strstr(s, "berth_host_cpus{host=\"node1\"} 2\n"));
	assert_non_null(strstr(s, "berth_host_load1{host=\"node1\"} 0.25\n"));
	/* Every series line is NAME{...} VALUE, each family's lines together. */
	assert_int_equal(count(s, "# TYPE berth_container_cpu_seconds_total"), 1);
	assert_true(s[t.len - 1] == '\n');
	be_metrics_text_free(&t);
	free(a);
	free(b);
}

static void test_be_metrics_escape_quotes_backslash_newline(void **state)
{
	(void)state;
	struct be_item *a = fixture_item("a\"b\\c\nd", BE_KIND_LXC);
	snprintf(a->root, sizeof(a->root), "/tmp/r\"oot");
	const struct be_item *items[] = {a};
	struct be_metrics_text t = {0};
	be_metrics_format_items(items, NULL, 1, NULL, "h\\1", &t);
	assert_non_null(strstr(t.data, "berth_container_memory_bytes{kind=\"lxc\","
	                               "name=\"a\\\"b\\\\c\\nd\",id=\"abc123\",image=\"\","
	                               "root=\"/tmp/r\\\"oot\",host=\"h\\\\1\"} 52428800\n"));
	/* No raw newline inside a label set. */
	for (const char *line = t.data; *line;) {
		const char *nl = strchr(line, '\n');
		assert_non_null(nl);
		if (line[0] != '#')
			assert_true(memchr(line, '}', (size_t)(nl - line)) != NULL);
		line = nl + 1;
	}
	assert_null(strstr(t.data, "berth_host_"));
	be_metrics_text_free(&t);
	struct be_metrics_text e = {0};
	be_metrics_escape(&e, "");
	be_metrics_escape(&e, "x\"\\\n");
	assert_string_equal(e.data, "x\\\"\\\\\\n");
	be_metrics_text_free(&e);
	free(a);
}

static void test_be_metrics_format_items_vm(void **state)
{
	(void)state;
	struct be_item *v = fixture_item("qemu-1", BE_KIND_VM);
	v->is_vm = true;
	v->vm.vcpus = 2;
	v->vm.cpu_ns = 3000000000ull;
	v->vm.rss_bytes = 4096;
	const struct be_item *items[] = {v};
	struct be_metrics_text t = {0};
	be_metrics_format_items(items, NULL, 1, NULL, "h", &t);
	assert_non_null(strstr(t.data, "berth_vm_vcpus{kind=\"vm\""));
	assert_non_null(strstr(t.data, "berth_vm_process_cpu_seconds_total{kind=\"vm\",name=\"qemu-"
	                               "1\",id=\"abc123\",image=\"\",host=\"h\"} 3\n"));
	assert_null(strstr(t.data, "berth_vm_guest_memory_bytes{"));
	be_metrics_text_free(&t);
	free(v);
}

static void test_metrics_parse_listen_forms(void **state)
{
	(void)state;
	struct sockaddr_storage ss;
	socklen_t len;
	char buf[80];
	struct be_error *err = NULL;
	assert_int_equal(metrics_parse_listen("127.0.0.1:9464", false, &ss, &len, &err), 0);
	metrics_format_address(&ss, buf, sizeof(buf));
	assert_string_equal(buf, "127.0.0.1:9464");
	assert_int_equal(metrics_parse_listen("9100", false, &ss, &len, &err), 0);
	metrics_format_address(&ss, buf, sizeof(buf));
	assert_string_equal(buf, "127.0.0.1:9100");
	assert_int_equal(metrics_parse_listen(":0", false, &ss, &len, &err), 0);
	assert_int_equal(metrics_parse_listen("[::1]:80", false, &ss, &len, &err), 0);
	metrics_format_address(&ss, buf, sizeof(buf));
	assert_string_equal(buf, "[::1]:80");
	assert_int_equal(metrics_parse_listen("localhost:1", false, &ss, &len, &err), 0);
	assert_int_equal(metrics_parse_listen("127.9.9.9:1", false, &ss, &len, &err), 0);
	assert_null(err);
	assert_int_equal(metrics_parse_listen("0.0.0.0:9464", true, &ss, &len, &err), 0);
}

static void test_metrics_parse_listen_refuses(void **state)
{
	(void)state;
	static const char *const bad[] = {
	        "0.0.0.0:9464", "[::]:1",       "10.0.0.1:80", "x:1", "127.0.0.1:65536",
	        "127.0.0.1:",   "127.0.0.1:-1", "[::1]80",     "",    "1.2.3.4.5:6"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sockaddr_storage ss;
		socklen_t len;
		struct be_error *err = NULL;
		assert_int_equal(metrics_parse_listen(bad[i], false, &ss, &len, &err), -1);
		assert_non_null(err);
		assert_null(strchr(err->msg, '\n'));
		be_error_free(err);
	}
}

static void test_metrics_compact_object_drops_nulls(void **state)
{
	(void)state;
	struct be_metrics_text t = {0};
	assert_int_equal(metrics_compact_object("{\"record\":\"item\",\"time_unix_ms\":5,"
	                                        "\"name\":\"a\\\",\\\"x\\\":null\","
	                                        "\"image\":null,\"n\":[1,null],\"o\":{\"p\":null},"
	                                        "\"z\":null}",
	                                        &t),
	                 0);
	assert_string_equal(t.data, "{\"name\":\"a\\\",\\\"x\\\":null\",\"n\":[1,null],"
	                            "\"o\":{\"p\":null}}");
	t.len = 0;
	assert_int_equal(metrics_compact_object("{}", &t), 0);
	assert_string_equal(t.data, "{}");
	assert_int_equal(metrics_compact_object("[1]", &t), -1);
	assert_int_equal(metrics_compact_object("{\"a\":\"open", &t), -1);
	assert_int_equal(metrics_compact_object("{\"a\" 1}", &t), -1);
	be_metrics_text_free(&t);
	t = (struct be_metrics_text){0};
	metrics_json_escape(&t, "q\"b\\n\n\x01");
	assert_string_equal(t.data, "q\\\"b\\\\n\\u000a\\u0001");
	be_metrics_text_free(&t);
}

/* Images of berth's containers: looked up once per name, sorted cache;
 * a name without a record gets "". */
static void test_metrics_image_of_cache(void **state)
{
	(void)state;
	struct tu_fix *f = tu_fix_new();
	struct be_ctx_opts o = {.root = f->root};
	assert_int_equal(be_ctx_open(&o, &f->ctx, NULL), 0);
	struct metrics_images cache = {0};
	struct be_item *it = calloc(1, sizeof(*it));
	assert_non_null(it);
	it->berth = true;
	for (int i = 199; i >= 0; i--) {
		snprintf(it->name, sizeof(it->name), "n%03d", i);
		assert_string_equal(metrics_image_of(f->ctx, &cache, it), "");
	}
	assert_int_equal(cache.n, 200);
	for (size_t i = 1; i < cache.n; i++)
		assert_true(strcmp(cache.v[i - 1].name, cache.v[i].name) < 0);
	/* Cached: no new entry. */
	snprintf(it->name, sizeof(it->name), "n042");
	metrics_image_of(f->ctx, &cache, it);
	assert_int_equal(cache.n, 200);
	/* The monitor's own image wins; another engine's item is not looked up. */
	snprintf(it->image, sizeof(it->image), "nginx:1");
	assert_string_equal(metrics_image_of(f->ctx, &cache, it), "nginx:1");
	it->image[0] = '\0';
	it->berth = false;
	snprintf(it->name, sizeof(it->name), "zzz");
	metrics_image_of(f->ctx, &cache, it);
	assert_int_equal(cache.n, 200);
	metrics_images_free(&cache);
	free(it);
	tu_fix_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_be_metrics_format_items_names_and_values),
	        cmocka_unit_test(test_be_metrics_escape_quotes_backslash_newline),
	        cmocka_unit_test(test_be_metrics_format_items_vm),
	        cmocka_unit_test(test_metrics_parse_listen_forms),
	        cmocka_unit_test(test_metrics_parse_listen_refuses),
	        cmocka_unit_test(test_metrics_compact_object_drops_nulls),
	        cmocka_unit_test(test_metrics_image_of_cache),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
