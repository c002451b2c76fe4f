/* Tests of backend/vm/vm_serial.c and vm_qmp.c's parser: the guest init's
 * markers parsed out of serial output cut at every place, "\r\n" made
 * "\n", the kernel command line's encoding, the cgroup memory of a VM, and
 * QMP messages classified from literal replies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/vm.h"
#include "testutil.h"

#define TOKEN "0123456789abcdef"

static const char serial_text[] = "[    0.5] boot noise\r\n"
                                  "berth-start-" TOKEN "\r\n"
                                  "hello\r\n"
                                  "berth-exit-other 9\r\n" /* a forged token is output */
                                  "prompt$ "
                                  "\r\nberth-exit-" TOKEN " 42\r\n"
                                  "[    1.0] reboot: Power down\r\n";
static const char serial_want[] = "hello\nberth-exit-other 9\nprompt$ \n";

/* Feeds text in pieces of step bytes; returns the output, sets code. */
static char *feed(const char *text, size_t step, int *code, bool *started)
{
	struct vm_serial s = {.token = TOKEN};
	size_t n = strlen(text), len = 0;
	char *all = calloc(1, 4 * n + 1024);
	assert_non_null(all);
	for (size_t off = 0; off < n; off += step) {
		size_t m = off + step > n ? n - off : step;
		char out[2 * 64 + sizeof(s.line)];
		size_t olen = 0;
		assert_true(m <= 64);
		vm_serial_feed(&s, text + off, m, out, &olen);
		memcpy(all + len, out, olen);
		len += olen;
	}
	*code = s.exited ? s.code : -1;
	*started = s.started;
	return all;
}

static void test_vm_serial_feed_every_cut(void **state)
{
	(void)state;
	for (size_t step = 1; step <= 64; step++) {
		int code;
		bool started;
		char *out = feed(serial_text, step, &code, &started);
		if (strcmp(out, serial_want) != 0)
			fprintf(stderr, "step %zu: got [%s]\n", step, out);
		assert_string_equal(out, serial_want);
		assert_int_equal(code, 42);
		assert_true(started);
		free(out);
	}
}

static void test_vm_serial_feed_events(void **state)
{
	(void)state;
	struct vm_serial s = {.token = TOKEN};
	char out[1024];
	size_t n;
	assert_int_equal(vm_serial_feed(&s, "noise\n", 6, out, &n), VM_SER_NONE);
	assert_int_equal(n, 0); /* before the start marker: not output */
	const char *start = "berth-start-" TOKEN "\n";
	assert_int_equal(vm_serial_feed(&s, start, strlen(start), out, &n), VM_SER_START);
	const char *bad = "berth-exit-" TOKEN " 256\nberth-exit-" TOKEN " x\n";
	assert_int_equal(vm_serial_feed(&s, bad, strlen(bad), out, &n), VM_SER_NONE);
	assert_false(s.exited); /* out of range and not a number: output */
	out[n] = '\0';
	assert_non_null(strstr(out, " 256\n"));
	const char *ex = "berth-exit-" TOKEN " 0\n";
	assert_int_equal(vm_serial_feed(&s, ex, strlen(ex), out, &n), VM_SER_EXIT);
	assert_int_equal(s.code, 0);
}

static void test_vm_serial_feed_long_line(void **state)
{
	(void)state;
	struct vm_serial s = {.token = TOKEN, .started = true};
	char in[2000], out[2 * sizeof(in) + sizeof(s.line)];
	memset(in, 'a', sizeof(in));
	size_t n = 0;
	vm_serial_feed(&s, in, sizeof(in), out, &n);
	assert_int_equal(n, sizeof(in)); /* longer than the line buffer: all passed on */
}

static void test_vm_cmdline_encodes_words(void **state)
{
	(void)state;
	char sh[] = "sh", dash_c[] = "-c", script[] = "echo a,b; exit 3", empty[] = "";
	char *argv[] = {sh, dash_c, script, empty, NULL};
	char *c = vm_cmdline("web", TOKEN, argv, NULL);
	assert_non_null(c);
	assert_non_null(strstr(c, " berth.name=web berth.token=" TOKEN));
	/* base64 of each word, comma-separated; "-" for an empty word */
	assert_non_null(strstr(c, " berth.cmd=c2g=,LWM=,ZWNobyBhLGI7IGV4aXQgMw==,-"));
	assert_null(strchr(strstr(c, "berth.cmd="), ' '));
	free(c);
	c = vm_cmdline("web", TOKEN, NULL, NULL);
	assert_null(strstr(c, "berth.cmd"));
	free(c);
}

static void test_vm_cmdline_too_long(void **state)
{
	(void)state;
	char big[1600];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	char *argv[] = {big, NULL};
	struct be_error *err = NULL;
	assert_null(vm_cmdline("web", TOKEN, argv, &err));
	assert_non_null(strstr(err->msg, "too long for the kernel command line"));
	be_error_free(err);
}

static void test_vm_cgroup_memory_rounds_up(void **state)
{
	(void)state;
	assert_int_equal(vm_cgroup_memory(256ull << 20, 0), 256ull << 20);
	assert_int_equal(vm_cgroup_memory(256ull << 20, 1), 257ull << 20);
	assert_int_equal(vm_cgroup_memory(128ull << 20, 100ull << 20), 228ull << 20);
}

static void test_vm_qmp_parse_messages(void **state)
{
	(void)state;
	char *d = NULL;
	assert_int_equal(vm_qmp_parse("{\"QMP\": {\"version\": {}, \"capabilities\": []}}", &d),
	                 VM_QMP_GREETING);
	assert_int_equal(vm_qmp_parse("{\"return\": {}}", &d), VM_QMP_RETURN);
	assert_int_equal(vm_qmp_parse("{\"error\": {\"class\": \"GenericError\", \"desc\": "
	                              "\"Device 'x' not found\"}}",
	                              &d),
	                 VM_QMP_ERROR);
	assert_string_equal(d, "Device 'x' not found");
	free(d);
	assert_int_equal(
	        vm_qmp_parse("{\"timestamp\": {\"seconds\": 1}, \"event\": \"POWERDOWN\"}", &d),
	        VM_QMP_EVENT);
	assert_string_equal(d, "POWERDOWN");
	free(d);
	assert_int_equal(vm_qmp_parse("{\"return\": 1, \"return\": 2}", &d), VM_QMP_BAD);
	assert_int_equal(vm_qmp_parse("not json", &d), VM_QMP_BAD);
	assert_int_equal(vm_qmp_parse("[]", &d), VM_QMP_BAD);
	assert_null(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_vm_serial_feed_every_cut),
	        cmocka_unit_test(test_vm_serial_feed_events),
	        cmocka_unit_test(test_vm_serial_feed_long_line),
	        cmocka_unit_test(test_vm_cmdline_encodes_words),
	        cmocka_unit_test(test_vm_cmdline_too_long),
	        cmocka_unit_test(test_vm_cgroup_memory_rounds_up),
	        cmocka_unit_test(test_vm_qmp_parse_messages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
